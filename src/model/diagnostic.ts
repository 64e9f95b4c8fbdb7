import {escapeControl} from '../util/escape-control.js'

/**
 * Diagnostics are the one currency every pipeline stage pays in: loaders, the renderer,
 * the schema check and the planning rules all return them, and `plan --json` prints them
 * as they are (the plan's `diagnostics[]`). Codes are a public contract: add freely, never rename.
 */
export type Severity = 'error' | 'warning' | 'info'

export interface SourceRef {
  file: string
  /** 1-based; absent when only the file is known. */
  line?: number
  column?: number
  /** Dotted path into the document, e.g. `spec.dataDisks[2].size`. */
  path?: string
}

export interface Diagnostic {
  code: string
  severity: Severity
  message: string
  guest?: string
  /** The host a finding concerns (a guest's host, or the host whose settings are planned). */
  host?: string
  source?: SourceRef
}

export function diagnostic(
  code: string,
  severity: Severity,
  message: string,
  extra: {guest?: string; host?: string; source?: SourceRef} = {},
): Diagnostic {
  const d: Diagnostic = {code, severity, message}
  if (extra.guest !== undefined) d.guest = extra.guest
  if (extra.host !== undefined) d.host = extra.host
  if (extra.source !== undefined) d.source = extra.source
  return d
}

export const hasErrors = (ds: readonly Diagnostic[]): boolean => ds.some((d) => d.severity === 'error')

/** `--strict`: every warning becomes an error (README.md, 'Exit codes'). */
export function applyStrict(ds: Diagnostic[], strict: boolean): Diagnostic[] {
  if (!strict) return ds
  return ds.map((d) => (d.severity === 'warning' ? {...d, severity: 'error' as const} : d))
}

/** A file under the current folder is shown as the user would type it; others in full. */
function displayPath(file: string): string {
  const cwd = process.cwd()
  const sep = cwd.includes('\\') ? '\\' : '/'
  return file.startsWith(cwd + sep) ? file.slice(cwd.length + 1) : file
}

/** `file:line:column` (or less, where less is known). */
export function formatLocation(src: SourceRef | undefined): string {
  if (!src) return ''
  let s = displayPath(src.file)
  if (src.line !== undefined) s += `:${src.line}`
  if (src.line !== undefined && src.column !== undefined) s += `:${src.column}`
  return s
}

/** One line per problem: `file:line:col: error [code] message (guest web1)`. */
export function formatDiagnostic(d: Omit<Diagnostic, 'guest' | 'host'> & {guest?: string | null; host?: string | null}): string {
  const loc = formatLocation(d.source)
  const where = loc ? `${loc}: ` : ''
  const guest = d.guest ? ` (guest ${d.guest})` : d.host ? ` (host ${d.host})` : ''
  // One line per problem, whatever a value in the message holds.
  const message = escapeControl(d.message)
  return `${where}${d.severity} [${d.code}] ${message}${guest}`
}

/**
 * Thrown for input that cannot go further (bad flags, unreadable files, failed validation).
 * The base command turns it into exit 2 and one line per diagnostic, never a stack trace.
 */
export class InputError extends Error {
  readonly diagnostics: Diagnostic[]
  constructor(diagnostics: Diagnostic[] | Diagnostic | string) {
    const list: Diagnostic[] =
      typeof diagnostics === 'string'
        ? [diagnostic('input-invalid', 'error', diagnostics)]
        : Array.isArray(diagnostics)
          ? diagnostics
          : [diagnostics]
    super(list.map(formatDiagnostic).join('\n'))
    this.name = 'InputError'
    this.diagnostics = list
  }
}

/**
 * By shape, not by class: the services run from their own bundle (src/cli/bundles.ts), whose
 * InputError is a different class object from the one the commands import.
 */
export function isInputError(err: unknown): err is InputError {
  return err instanceof InputError || (err instanceof Error && err.name === 'InputError' && Array.isArray((err as InputError).diagnostics))
}
