/**
 * Paths on a Hyper-V host are Windows paths whatever OS hvguest runs on, so they are joined
 * by hand rather than with node:path (which would use `/` on Linux).
 */
export function winJoin(...parts: string[]): string {
  return parts
    .filter((p) => p !== '')
    .map((p, i) => (i === 0 ? p.replace(/[\\/]+$/, '') : p.replace(/^[\\/]+|[\\/]+$/g, '')))
    .join('\\')
}

/** `vhdx` for `D:\img\base.VHDX`; undefined when the name has no extension. */
export function winExtension(path: string): string | undefined {
  const m = /\.([A-Za-z0-9]+)$/.exec(path.split(/[\\/]/).pop() ?? '')
  return m ? m[1].toLowerCase() : undefined
}

/** Whether a Windows path is the folder `root` or below it (case-insensitive, as Windows compares). */
export function winIsUnder(path: string, root: string): boolean {
  const p = path.replace(/\\+$/, '').toLowerCase()
  const r = root.replace(/\\+$/, '').toLowerCase()
  return p === r || p.startsWith(`${r}\\`)
}
