/**
 * The wire contract between Node and the PowerShell runtime (docs/execution.md sections 2–3).
 *
 * Node → runtime: ONE line per request, `Invoke-HvGuestRequest -RequestBase64 '<base64>'`, the
 * base64 holding UTF-8 JSON. Base64 is `[A-Za-z0-9+/=]` only, so no value a user wrote (quotes,
 * the Unicode quotes PowerShell honours, `$(...)`, backticks, newlines) can become code.
 *
 * Runtime → Node: stdout lines that start `{"hvguest":1,` are the protocol (progress events,
 * then exactly one result, last); every other line is ignored, and stderr decides nothing.
 */

import type {ResultError as WireResultError, RuntimeAction as WireRuntimeAction, RuntimeRequests} from './protocol-types.generated.js'

/**
 * The runtime's actions (docs/execution.md section 2): the action enum of
 * ps/HvGuest/schemas/protocol.schema.json, where each has its own <action>.schema.json.
 */
export type RuntimeAction = WireRuntimeAction

/**
 * A request: the action and its payload, sent as data (base64 of UTF-8 JSON). Loose, as the code
 * that builds requests needs it; RequestOf<A> is the one action's request as its schema says.
 */
export interface RuntimeRequest {
  action: RuntimeAction
  runId?: string
  [field: string]: unknown
}

/** The request of one action (ps/HvGuest/schemas/<action>.schema.json#/$defs/request). */
export type RequestOf<A extends RuntimeAction> = RuntimeRequests[A]

export const PROTOCOL_PREFIX = '{"hvguest":1,'

/**
 * A progress line as parseProtocolLine gives it: protocol.schema.json#/$defs/progressLine with
 * the fields the runtime writes as null (guest, detail, seq) absent instead.
 */
export interface ProgressEvent {
  hvguest: 1
  type: 'progress'
  guest?: string
  /** Kebab-case step name (`new-vhd`, `add-hard-disk`, …). */
  step: string
  detail?: string
  seq?: number
  [field: string]: unknown
}

/** Why a request failed (protocol.schema.json#/$defs/error): step, cmdlet (or null), message, category. */
export type ResultError = WireResultError

export interface ResultLine<T = unknown> {
  hvguest: 1
  type: 'result'
  ok: boolean
  action: string
  guest?: string
  data?: T
  error?: ResultError
}

export type ProtocolLine = ProgressEvent | ResultLine

/**
 * `error.category` of a result the SESSION made up because the runtime gave none: the request
 * timed out (its process was killed and will be replaced), the process exited, the runtime printed
 * no result line, or a fresh process (after a timeout) could not be bootstrapped.
 */
export const SESSION_FAILURE = {
  timeout: 'SessionTimeout',
  exited: 'SessionProcessExited',
  noResult: 'SessionNoResult',
  bootstrap: 'SessionBootstrapFailed',
} as const
export type SessionFailureCategory = (typeof SESSION_FAILURE)[keyof typeof SESSION_FAILURE]

const SESSION_CATEGORIES = new Set<string>(Object.values(SESSION_FAILURE))

/** True for a failure the session synthesised (no answer from the runtime), false for the runtime's own. */
export const isSessionFailure = (r: ResultLine): boolean => !r.ok && r.error !== undefined && SESSION_CATEGORIES.has(r.error.category)

export const toBase64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64')

/** Base64 of the request's UTF-8 JSON. */
export function encodeRequest(req: RuntimeRequest): string {
  return toBase64(JSON.stringify(req))
}

/** The one line that runs a request whose JSON is already base64 (see encodeRequest). */
export function requestLine(requestBase64: string, command: 'Invoke-HvGuestRequest' | 'Invoke-HvRemoteRequest' = 'Invoke-HvGuestRequest'): string {
  if (!/^[A-Za-z0-9+/=]*$/.test(requestBase64)) throw new Error('requestLine: the argument is not base64')
  return `${command} -RequestBase64 '${requestBase64}'`
}

/** The exact one-line command for a request. */
export const requestCommand = (req: RuntimeRequest): string => requestLine(encodeRequest(req))

// CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), and two-character escapes. A protocol line
// is JSON, whose strings cannot hold a raw control character, so removing escapes anywhere in a
// line never changes a real protocol line; pwsh does put some (`ESC[?1h ESC[?1l`) in front of
// a command's first output line when TERM names a terminal.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g

/** One stdout line → the protocol line it is, or undefined for anything else. */
export function parseProtocolLine(line: string): ProtocolLine | undefined {
  let text = line.includes('\u001b') ? line.replace(ANSI, '') : line
  text = text.replace(/^\uFEFF/, '').replace(/[\r\n]+$/, '')
  if (!text.startsWith(PROTOCOL_PREFIX)) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const v = value as Record<string, unknown>
  // Optional fields the runtime writes as null are absent here, as their types say.
  if (v.type === 'progress' && typeof v.step === 'string') return withoutNulls(v, ['guest', 'detail', 'seq']) as ProgressEvent
  if (v.type === 'result' && typeof v.ok === 'boolean' && typeof v.action === 'string') return withoutNulls(v, ['guest', 'data', 'error']) as unknown as ResultLine
  return undefined
}

function withoutNulls(v: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  for (const k of keys) if (v[k] === null) delete v[k]
  return v
}

/** Everything a request printed → its progress events (in order) and its result (the last one). */
export function parseProtocol(stdout: string): {progress: ProgressEvent[]; result?: ResultLine} {
  const progress: ProgressEvent[] = []
  let result: ResultLine | undefined
  for (const line of stdout.split('\n')) {
    const p = parseProtocolLine(line)
    if (!p) continue
    if (p.type === 'progress') progress.push(p)
    else result = p
  }
  return result ? {progress, result} : {progress}
}
