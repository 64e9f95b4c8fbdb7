/**
 * Escaping that fits each first-boot format (for template authors: templates/firstboot/README.md,
 * "Escaping"). Every `{{value}}` in a first-boot template goes through the function of its
 * file's format, so a value can hold quotes, colons, newlines, `$(...)` or backticks and still
 * land as ONE value, never as structure:
 *
 * - yaml (cloud-init user-data, meta-data, network-config): a complete double-quoted scalar.
 *   Everything outside printable ASCII is written as `\uXXXX` / `\UXXXXXXXX`: cloud-init's
 *   PyYAML is YAML 1.1, where U+0085, U+2028 and U+2029 are line breaks and most control
 *   characters are refused outright. Lists and maps become flow collections of such scalars.
 * - xml (unattend.xml): text and attribute content with `& < > " '` as entities; tab, CR and LF
 *   as character references so that attribute normalisation cannot eat them. Characters XML
 *   1.0 cannot hold at all (most C0 controls, U+FFFE/FFFF, lone surrogates) are an error.
 * - shell (kickstart: its commands are split like a POSIX shell line, and %post is shell):
 *   a word that needs no quoting stays as it is (package names, numbers), anything else is
 *   single-quoted with `'` written `'\''`, as Python's shlex.quote does. A line break or other
 *   control character other than tab is an error: a kickstart command is one line, and no quoting crosses it.
 *
 * The escapers throw FormatError; the document environment turns it into a template error
 * at the expression's line and column.
 */

export type DocumentFormat = 'yaml' | 'xml' | 'shell'

export class FormatError extends Error {}

const describe = (ch: string): string => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`

function scalarOf(value: unknown, format: DocumentFormat): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new FormatError(`${value} is not a number ${format} can hold`)
    // YAML 1.1 (PyYAML) reads 1e+21 as a string: its floats need a dot before the exponent
    return String(value).replace(/^(-?\d+)e/, '$1.0e')
  }
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  return undefined
}

// ------------------------------------------------------------------------------- YAML

function yamlString(text: string): string {
  let out = '"'
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    if (ch === '"') out += '\\"'
    else if (ch === '\\') out += '\\\\'
    else if (ch === '\n') out += '\\n'
    else if (ch === '\t') out += '\\t'
    else if (ch === '\r') out += '\\r'
    else if (code >= 0x20 && code <= 0x7e) out += ch
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`
    else out += `\\U${code.toString(16).padStart(8, '0')}`
  }
  return out + '"'
}

export function escapeYaml(value: unknown): string {
  if (value === undefined || value === null) return 'null'
  const scalar = scalarOf(value, 'yaml')
  if (scalar !== undefined) return scalar
  if (typeof value === 'string') return yamlString(value)
  if (Array.isArray(value)) return `[${value.map(escapeYaml).join(', ')}]`
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${yamlString(k)}: ${escapeYaml(v)}`)
      .join(', ')}}`
  }
  throw new FormatError(`a ${typeof value} cannot be written into YAML`)
}

// -------------------------------------------------------------------------------- XML

const XML_ENTITIES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;'}

export function escapeXml(value: unknown): string {
  if (value === undefined || value === null) return ''
  const scalar = scalarOf(value, 'xml')
  if (scalar !== undefined) return scalar
  if (typeof value !== 'string') {
    throw new FormatError(`a ${Array.isArray(value) ? 'list' : typeof value} cannot be written into XML text: use {{#each}} to write its items`)
  }
  let out = ''
  for (const ch of value) {
    const code = ch.codePointAt(0)!
    const entity = XML_ENTITIES[ch]
    if (entity) out += entity
    else if (code < 0x20 || code === 0xfffe || code === 0xffff || (code >= 0xd800 && code <= 0xdfff)) {
      throw new FormatError(`the value holds ${describe(ch)}, a character XML 1.0 cannot contain`)
    } else out += ch
  }
  return out
}

// ------------------------------------------------------------------------------ shell

/** Characters that never need quoting in a POSIX shell word (Python's shlex.quote set). */
const SHELL_SAFE = /^[\w@%+=:,./-]+$/

function shellWord(text: string): string {
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    if ((code < 0x20 && ch !== '\t') || code === 0x7f || code === 0x85 || code === 0x2028 || code === 0x2029) {
      const what = ch === '\n' || ch === '\r' ? 'a line break' : `the control character ${describe(ch)}`
      throw new FormatError(`the value holds ${what}, which no kickstart or shell line can hold`)
    }
  }
  if (text !== '' && SHELL_SAFE.test(text)) return text
  return `'${text.replaceAll("'", `'\\''`)}'`
}

export function escapeShell(value: unknown): string {
  if (value === undefined || value === null) return "''"
  const scalar = scalarOf(value, 'shell')
  if (scalar !== undefined) return scalar
  if (typeof value === 'string') return shellWord(value)
  if (Array.isArray(value)) return value.map(escapeShell).join(' ')
  throw new FormatError(`a ${typeof value} cannot be written into a shell line`)
}

export const ESCAPERS: Record<DocumentFormat, (value: unknown) => string> = {yaml: escapeYaml, xml: escapeXml, shell: escapeShell}
