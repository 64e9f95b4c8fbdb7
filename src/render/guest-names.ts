/**
 * Guest names (README.md, 'Templates in one page'). A guest's name is its Hyper-V VM name, the folder its
 * files live in and (by default) its computer name, so it must be all three at once: a
 * valid host name, a valid Windows file name and, for Windows guests, a NetBIOS name.
 */
import type {Diagnostic, SourceRef} from '../model/diagnostic.js'
import {report} from '../model/codes.js'
import {renderString, TemplateError, type RenderContext} from './render.js'

/**
 * `--name` with `--count N`:
 * - holds expressions: rendered once per guest with `index` = 1..N (`web{{index}}` -> web1, web2)
 * - plain, N > 1: NAME-1 ... NAME-N
 * - absent: the template's metadata.name, numbered the same way when N > 1.
 */
export function expandGuestNames(input: {
  name?: string
  count: number
  defaultName: string
  context: RenderContext
}): {names: string[]; diagnostics: Diagnostic[]} {
  const {count, context} = input
  if (!Number.isInteger(count) || count < 0) {
    return {names: [], diagnostics: [report('name-invalid', `--count must be a whole number of guests (0 or more), got ${count}`)]}
  }
  const base = input.name ?? input.defaultName
  if (!base.includes('{{')) {
    return {names: count === 1 ? [base] : Array.from({length: count}, (_, i) => `${base}-${i + 1}`), diagnostics: []}
  }
  const names: string[] = []
  for (let index = 1; index <= count; index++) {
    try {
      names.push(renderString(base, {...context, index}))
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error
      // The same mistake would repeat for every guest: report it once.
      const code = error.kind === 'syntax' ? 'template-syntax' : error.kind === 'helper' ? 'template-helper-error' : 'template-undefined-variable'
      const message = `--name ${JSON.stringify(base)}: ${error.message}${error.kind === 'undefined-variable' ? ' (a name can use index and the --set parameters)' : ''}`
      return {names: [], diagnostics: [report(code, message)]}
    }
  }
  return {names, diagnostics: []}
}

/** Longest DNS label (RFC 1123). */
export const MAX_HOST_NAME = 63
/** Longest NetBIOS computer name, the limit Windows setup enforces. */
export const MAX_NETBIOS_NAME = 15

const WINDOWS_RESERVED = /^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])$/i
const WINDOWS_FORBIDDEN = /[<>:"/\\|?*\u0000-\u001f]/g
const NOT_HOST_NAME_CHAR = /[^A-Za-z0-9-]/g

/** One `name-invalid` diagnostic per rule the name breaks. */
export function checkGuestName(name: string, family: 'windows' | 'linux', source?: SourceRef): Diagnostic[] {
  const problems: string[] = []
  const q = JSON.stringify(name)
  if (name.length === 0) problems.push('a guest name cannot be empty')
  else {
    // host name (RFC 1123 label)
    const bad = unique(name.match(NOT_HOST_NAME_CHAR) ?? [])
    if (bad.length) problems.push(`guest name ${q} has ${list(bad)}: a host name holds only letters, digits and hyphens`)
    if (name.startsWith('-') || name.endsWith('-')) problems.push(`guest name ${q} starts or ends with a hyphen, which a host name cannot`)
    if (/^\d+$/.test(name)) problems.push(`guest name ${q} is all digits; a host name needs at least one letter or hyphen`)
    if (name.length > MAX_HOST_NAME) problems.push(`guest name ${q} is ${name.length} characters; a host name has at most ${MAX_HOST_NAME}`)
    // Windows file name (the VM's folder and files on the host)
    const forbidden = unique(name.match(WINDOWS_FORBIDDEN) ?? [])
    if (forbidden.length) problems.push(`guest name ${q} has ${list(forbidden)}, not allowed in a Windows file name`)
    if (/[. ]$/.test(name)) problems.push(`guest name ${q} ends with a dot or space, which Windows drops from file names`)
    if (WINDOWS_RESERVED.test(name.split('.')[0])) problems.push(`guest name ${q} is a reserved Windows device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9)`)
    // NetBIOS
    if (family === 'windows' && name.length > MAX_NETBIOS_NAME) {
      problems.push(`guest name ${q} is ${name.length} characters; a Windows computer name (NetBIOS) has at most ${MAX_NETBIOS_NAME}`)
    }
  }
  return problems.map((message) => report('name-invalid', message, source ? {source} : {}))
}

const unique = (xs: string[]): string[] => [...new Set(xs)]

function list(chars: string[]): string {
  const shown = chars.map((c) => (c < ' ' ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : c === ' ' ? 'space' : `"${c}"`))
  return `${chars.length === 1 ? 'the character' : 'the characters'} ${shown.join(' ')}`
}
