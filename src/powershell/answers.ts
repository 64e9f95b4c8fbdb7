/**
 * The shape of each runtime action's answer (`data` of its result line), checked when the
 * answer arrives. The runtime is PowerShell: a list a function returns with one item arrives as
 * the item itself, an empty one as null, a number as a string... Node code that trusts the
 * shape then fails far away (`supported.join is not a function`). Every consumer reads `data`
 * through answerData (an answer that is ok) or failureData (what a failed request had done), so
 * a wrong shape is one clear error naming the action and the field:
 *
 *   the host's answer to facts has the wrong shape at configurationVersions: expected array, received string
 *
 * The shapes are the runtime's own JSON Schemas, ps/HvGuest/schemas/<action>.schema.json
 * (`answer`, `failure`), read from src/powershell/protocol-schemas.generated.ts (no file is read
 * at start-up) and turned into zod schemas by json-schema-zod.ts; their types are
 * protocol-types.generated.ts. They are permissive where the runtime is: a fact it cannot read
 * is null (and listed in errors[]), fields it adds later pass through (loose objects), and what
 * no consumer relies on may be absent. test/powershell/runtime-answers.test.ts runs the real
 * runtime against the emulated host and checks its answers pass, and the runtime tests' harness
 * (test/fixtures/runtime/harness.ts) checks every answer it reads, so the schemas cannot drift
 * from the runtime.
 */
import type {z} from 'zod'
import {JsonSchemaZod} from './json-schema-zod.js'
import type {RuntimeAction} from './protocol.js'
import {RUNTIME_ACTIONS, RUNTIME_SCHEMAS} from './protocol-schemas.generated.js'
import type * as T from './protocol-types.generated.js'

// Each schema is built when it first checks an answer (a command asks one or two actions), not
// when the module loads: building them all cost more than the rest of the module's start.
const schemas = new JsonSchemaZod(RUNTIME_SCHEMAS)
const def = <Out>(action: string, name: string) => schemas.lazy(`${action}.schema.json#/$defs/${name}`) as z.ZodType<Out>

// ------------------------------------------------------------------------------------ facts

export const nicFactsSchema = def<T.NicFacts>('facts', 'nic')
export const switchFactsSchema = def<T.SwitchFacts>('facts', 'switch')
export const factsSchema = def<T.FactsAnswer>('facts', 'answer')

// ---------------------------------------------------------------------- preflight, begin, run

export const preflightSchema = def<T.PreflightAnswer>('preflight', 'answer')
/** One host setting as begin, net-apply and net-restore report it. */
export const hostSettingSchema = def<T.HostSetting>('begin', 'hostSetting')
export const beginSchema = def<T.BeginAnswer>('begin', 'answer')
/** What the host did otherwise than planned (create-guest.schema.json#/$defs/warning). */
export const runtimeWarningSchema = def<T.RuntimeWarning>('create-guest', 'warning')
export type RuntimeWarning = T.RuntimeWarning
export const createGuestSchema = def<T.CreateGuestAnswer>('create-guest', 'answer')
export const commitSchema = def<T.CommitAnswer>('commit', 'answer')
export const rollbackSchema = def<T.RollbackAnswer>('rollback', 'answer')
export const recoverSchema = def<T.RecoverAnswer>('recover', 'answer')

// ----------------------------------------------------------------------- list, guest-status

/** The guest's first-boot media as the runtime sees it (list.schema.json#/$defs/seedMediaState). */
export const seedMediaStateSchema = def<T.SeedMediaState>('list', 'seedMediaState')
export type SeedMediaState = T.SeedMediaState
export const listedGuestSchema = def<T.ListedGuest>('list', 'guest')
export const listSchema = def<T.ListAnswer>('list', 'answer')
/** What hvguest planned for a guest, kept in its manifest at commit. */
export const manifestGuestSchema = def<T.ManifestGuest>('guest-status', 'manifestGuest')
export const guestStatusGuestSchema = def<T.GuestStatusGuest>('guest-status', 'guest')
export const guestStatusSchema = def<T.GuestStatusAnswer>('guest-status', 'answer')

// -------------------------------------------------------------------- destroy, ic, net, probe

export const destroySchema = def<T.DestroyAnswer>('destroy', 'answer')
export const icInjectSchema = def<T.IcInjectAnswer>('ic-inject', 'answer')
export const removeSeedMediaSchema = def<T.RemoveSeedMediaAnswer>('remove-seed-media', 'answer')
export const netApplySchema = def<T.NetApplyAnswer>('net-apply', 'answer')
export const netRestoreSchema = def<T.NetRestoreAnswer>('net-restore', 'answer')
export const probeSchema = def<T.ProbeAnswer>('probe', 'answer')
/** The host's memory, for placement (memory.schema.json). */
export const memorySchema = def<T.MemoryAnswer>('memory', 'answer')
/** The names of the host's switches, for comparing a cluster's nodes (switch-names.schema.json). */
export const switchNamesSchema = def<T.SwitchNamesAnswer>('switch-names', 'answer')

/** Every action the runtime dispatches (ps/HvGuest/HvGuest.psm1): RuntimeAction. */
export type SchemaAction = RuntimeAction

const perAction = <M>(name: string) =>
  Object.fromEntries(RUNTIME_ACTIONS.map((action) => [action, def(action, name)])) as unknown as {readonly [A in SchemaAction]: z.ZodType<M[A & keyof M]>}

/** The `data` of an answer that is ok, per action (<action>.schema.json#/$defs/answer). */
export const ANSWER_SCHEMAS = perAction<T.RuntimeAnswers>('answer')

export type AnswerData<A extends SchemaAction> = T.RuntimeAnswers[A]

/**
 * A request that changes the host and fails undoes itself; its data then says how far it got
 * (create-guest and ic-inject: steps and warnings; destroy: what it refused) or what the undo did
 * (begin, net-apply, net-restore: rolledBack, null with rollbackError when the undo itself
 * failed). Every field of the ok answer may be missing (<action>.schema.json#/$defs/failure).
 */
export const FAILURE_SCHEMAS = perAction<T.RuntimeFailures>('failure')

export type FailureData<A extends SchemaAction> = T.RuntimeFailures[A]

/** The part of a result line these functions read (src/powershell/protocol.ts ResultLine). */
export interface AnswerLike {
  ok: boolean
  /** null in the answer to a request the runtime could not read (protocol.schema.json resultLine). */
  action?: string | null
  data?: unknown
}

/** A host's answer whose `data` is not what its action promises (a bug of the runtime, or a host that is not hvguest's). */
export class AnswerShapeError extends Error {
  constructor(
    readonly action: string,
    /** Each problem: where (`switches[0].nics`, or '' for data itself) and what. */
    readonly problems: Array<{path: string; message: string}>,
  ) {
    const [first, ...more] = problems
    const at = (p: {path: string; message: string}) => (p.path ? ` at ${p.path}: ${p.message}` : `: ${p.message}`)
    const rest = more.length === 0 ? '' : `; also${more.slice(0, 2).map(at).join(';')}${more.length > 2 ? `; and ${more.length - 2} more` : ''}`
    super(`the host's answer to ${action} has the wrong shape${first ? at(first) : ''}${rest}`)
    this.name = 'AnswerShapeError'
  }
}

/** By shape, not by class: the services run from their own bundle, with their own class objects (src/cli/bundles.ts). */
export function isAnswerShapeError(err: unknown): err is AnswerShapeError {
  return err instanceof AnswerShapeError || (err instanceof Error && err.name === 'AnswerShapeError')
}

/**
 * The checked `data` of an answer that is ok. Throws AnswerShapeError when the answer is not for
 * this action, has no data, or data of the wrong shape. For a failed answer use failureData.
 */
export function answerData<A extends SchemaAction>(action: A, result: AnswerLike): AnswerData<A> {
  if (!result.ok) throw new Error(`answerData(${action}): the answer is a failure; read its data with failureData`)
  checkAction(action, result)
  if (result.data === undefined || result.data === null) throw new AnswerShapeError(action, [{path: '', message: 'the answer has no data'}])
  return check(action, ANSWER_SCHEMAS[action], result.data) as AnswerData<A>
}

/** The checked `data` of a failed answer (what the request had done before it failed), or null when it has none. */
export function failureData<A extends SchemaAction>(action: A, result: AnswerLike): FailureData<A> | null {
  checkAction(action, result)
  if (result.data === undefined || result.data === null) return null
  return check(action, FAILURE_SCHEMAS[action], result.data) as FailureData<A>
}

/**
 * The checked `data` of the session's bootstrap answer (bootstrap.schema.json#/$defs/answer), or
 * null for a failed bootstrap, which carries none.
 */
export function bootstrapData(result: AnswerLike): T.BootstrapAnswer | null {
  checkAction('bootstrap', result)
  if (!result.ok) {
    if (result.data === undefined || result.data === null) return null
    throw new AnswerShapeError('bootstrap', [{path: '', message: 'a failed bootstrap carries no data'}])
  }
  if (result.data === undefined || result.data === null) throw new AnswerShapeError('bootstrap', [{path: '', message: 'the answer has no data'}])
  return check('bootstrap', def('bootstrap', 'answer'), result.data) as T.BootstrapAnswer
}

/**
 * A protocol line's envelope against protocol.schema.json (progressLine, or resultLine with its
 * `data` left to answerData / failureData); throws AnswerShapeError. The CLI reads lines through
 * parseProtocolLine (protocol.ts) and does not call this; the runtime tests' harness does.
 */
export function checkProtocolLine(line: Readonly<Record<string, unknown>>): void {
  const action = typeof line.action === 'string' ? line.action : String(line.action)
  const kind = line.type === 'progress' ? 'progressLine' : 'resultLine'
  check(kind === 'progressLine' ? `${action} (a progress line)` : action, def('protocol', kind), line)
}

function checkAction(action: string, result: AnswerLike): void {
  if (typeof result.action === 'string' && result.action !== action) {
    throw new AnswerShapeError(action, [{path: '', message: `it is an answer to ${result.action}`}])
  }
}

function check(action: string, schema: z.ZodType, data: unknown): unknown {
  const r = schema.safeParse(data, {reportInput: true})
  if (r.success) return r.data
  throw new AnswerShapeError(action, r.error.issues.map((i) => ({path: formatPath(i.path), message: describeIssue(i)})))
}

/** `switches[0].nics`: the path as a reader of the JSON writes it. */
function formatPath(path: PropertyKey[]): string {
  let out = ''
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`
    else out += out ? `.${String(p)}` : String(p)
  }
  return out
}

/** null, array, string, number, boolean, object: what JSON calls the value. */
function kindOf(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  return typeof v
}

function preview(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v)
  return text.length > 40 ? `${text.slice(0, 37)}...` : text
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const hasInput = 'input' in issue && issue.input !== undefined
  switch (issue.code) {
    case 'invalid_type':
      return hasInput ? `expected ${issue.expected}, received ${kindOf(issue.input)}` : `missing (expected ${issue.expected})`
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, received ${hasInput ? preview(issue.input) : 'nothing'}`
    case 'invalid_union': {
      const expected = [...new Set(issue.errors.flat().flatMap((i) => (i.code === 'invalid_type' ? [i.expected] : [])))]
      const what = expected.length > 0 ? expected.join(' or ') : 'one of several shapes'
      return hasInput ? `expected ${what}, received ${kindOf(issue.input)}` : `missing (expected ${what})`
    }
    default:
      return issue.message
  }
}

/**
 * The answer with its `data` checked (ok: answerData, failed: failureData). A wrong shape becomes
 * a failure of that request, naming the field, so a run treats it as any host failure (rollback,
 * exit 1) instead of crashing on the data later.
 */
export function checkedAnswer<R extends AnswerLike & {action: string; error?: {step?: string; cmdlet?: string | null; message?: string; category?: string}}>(action: SchemaAction, result: R): R {
  try {
    const data = result.ok ? answerData(action, result) : failureData(action, result)
    return {...result, data: data ?? undefined}
  } catch (error) {
    if (!isAnswerShapeError(error)) throw error
    return {...result, ok: false, data: undefined, error: {step: action, cmdlet: null, message: error.message, category: 'InvalidData'}}
  }
}
