/**
 * Plain-text tables. @oclif/table pulls in ink and React (~400 ms to import; the start-up
 * budget is in bench/README.md); hvguest's tables are simple columns, so they are rendered here in a few lines.
 */
export function renderTable(headers: string[], rows: string[][], indent = ''): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    indent +
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd()
  const out = [line(headers), line(widths.map((w) => '-'.repeat(w)))]
  for (const r of rows) out.push(line(r))
  return out.join('\n')
}
