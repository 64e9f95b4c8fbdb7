import type {SourceRef} from './diagnostic.js'

/** A document path as zod reports it: `['spec', 'dataDisks', 3, 'size']`. */
export type DocPath = ReadonlyArray<string | number>

/**
 * Maps a path in a (rendered) document back to where it was written. Entries that came
 * from a counted entry map to the entry they were expanded from. Falls back to the nearest
 * ancestor that has a location, then to the file alone.
 */
export type Locate = (path: DocPath) => SourceRef

/** `spec.dataDisks[3].size` */
export function formatDocPath(path: DocPath): string {
  let s = ''
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p
  return s
}

/** A Locate for input that has no file (built in code, or --set values). */
export const locateNowhere =
  (file = '<input>'): Locate =>
  (path) => ({file, path: formatDocPath(path)})
