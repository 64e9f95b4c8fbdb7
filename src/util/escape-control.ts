/**
 * Values are shown as data: a newline or other control character in a switch name, path or
 * message is printed escaped (`\n`, `\u001b`), so it can neither break a table nor pose as
 * another line of output.
 */
const NAMED: Record<string, string> = {'\n': '\\n', '\r': '\\r', '\t': '\\t'}

export function escapeControl(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]/g, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
