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
 * The schemas follow ps/HvGuest/README.md ("Actions"). They are permissive where the runtime is:
 * a fact it cannot read is null (and listed in errors[]), fields it adds later pass through
 * (loose objects), and what no consumer relies on may be absent. test/unit/powershell/answers.test.ts
 * runs the real runtime against the emulated host and checks its answers pass, so the schemas
 * cannot drift from the runtime.
 */
import {z} from 'zod'
import type {RuntimeAction} from './protocol.js'

const obj = z.looseObject
const str = z.string()
const nstr = z.string().nullable()
const num = z.number()
const bool = z.boolean()
const list = <T extends z.ZodType>(item: T) => z.array(item)
/** A host setting's value before or after: a registry value ("9014"), VMQ on/off, a chimney state. */
const settingValue = z.union([z.string(), z.number(), z.boolean()]).nullable()

// ------------------------------------------------------------------------------------ facts

const registryProperty = obj({value: nstr, valid: list(str)})

export const nicFactsSchema = obj({
  name: str,
  interfaceDescription: str,
  status: str,
  macAddress: str,
  linkSpeed: str,
  mediaType: str,
  physicalMediaType: str,
  virtual: bool,
  jumboPacket: registryProperty.nullable(),
  vmq: registryProperty.nullable(),
  vmqEnabled: bool.nullable(),
  tcpOffload: registryProperty.nullable(),
})

export const switchFactsSchema = obj({
  name: str,
  type: str,
  nicDescriptions: list(str),
  nics: list(str),
  allowManagementOS: bool.nullable(),
  hostAdapter: nstr,
})

export const factsSchema = obj({
  computerName: str,
  os: obj({caption: str, version: str, buildNumber: str, computerName: str}).nullable(),
  hyperV: bool,
  powershell: str,
  locale: nstr,
  configurationVersions: list(str).nullable(),
  virtualMachinePath: nstr,
  virtualHardDiskPath: nstr,
  switches: list(switchFactsSchema),
  nics: list(nicFactsSchema),
  chimney: nstr,
  vmguestIso: obj({path: str, present: bool}),
  vmRoot: nstr,
  freeBytes: num.nullable(),
  vmNames: list(str),
  vms: list(
    obj({
      name: str,
      state: str,
      version: str,
      heartbeat: str,
      clustered: bool,
      silentServices: list(obj({id: str, name: str, status: str})),
    }),
  ),
  hyperVFeature: nstr,
  user: str,
  vmRootExists: bool.nullable(),
  vmRootWritable: bool.nullable(),
  clusterNodes: list(obj({name: str, state: str})).nullable(),
  errors: list(obj({fact: str, cmdlet: nstr, message: str, category: str.optional()})),
})

// ---------------------------------------------------------------------- preflight, begin, run

export const preflightSchema = obj({
  problems: list(obj({code: str, guest: nstr, message: str, path: nstr.optional()})),
  guests: num,
  vmRoot: nstr,
})

/** One host setting as begin, net-apply and net-restore report it (HostSettings.ps1 New-HvSettingRecord). */
export const hostSettingSchema = obj({
  setting: str,
  switch: nstr,
  target: nstr,
  adapter: nstr,
  keyword: nstr,
  previous: settingValue,
  value: settingValue,
  action: str,
  reason: nstr,
})

// restartedAdapters: each adapter whose *JumboPacket/*VMQ changed, restarted once (HostSettings.ps1).
export const beginSchema = obj({runId: str, vmRoot: str, journal: str, lock: str, hostSettings: list(hostSettingSchema), restartedAdapters: list(str).optional()})

/**
 * What the host did otherwise than planned (ps/HvGuest/Private/Capability.ps1 Add-HvWarning):
 * `setting-unsupported-host` for a planned setting whose parameter this host's cmdlet lacks
 * (`setting` names the plan field: checkpoints, firmware.secureBootTemplate, vmVersion...),
 * `integration-service-missing`, `boot-device-missing`, `dismount-failed`.
 */
export const runtimeWarningSchema = obj({code: str, setting: nstr, message: str})
export type RuntimeWarning = z.output<typeof runtimeWarningSchema>

export const createGuestSchema = obj({
  name: str,
  vmId: str,
  generation: num,
  path: str,
  steps: num,
  files: list(str),
  directories: list(str),
  integrationServices: list(obj({id: str, name: str, enabled: bool, wanted: bool, changed: bool, present: bool})),
  warnings: list(runtimeWarningSchema),
})

/** A commit with `prepare` answers only the mark (runId, committing); the full commit the rest. */
export const commitSchema = obj({
  runId: str,
  committing: bool.optional(),
  committed: bool.optional(),
  guests: list(obj({name: str, vmId: str, manifest: str, files: list(str)})).optional(),
  lockReleased: bool.optional(),
  note: str.optional(),
})

const undoneSchema = obj({seq: num.nullable(), step: str, guest: nstr, action: str, ok: bool, message: nstr, cmdlet: nstr.optional()})

export const rollbackSchema = obj({
  runId: str,
  undone: list(undoneSchema),
  errors: list(str),
  journalKept: bool,
  journal: nstr,
  lockReleased: bool,
  note: str.optional(),
})

export const recoverSchema = obj({
  vmRoot: str,
  runs: list(
    obj({
      runId: str,
      startedAt: nstr,
      pid: num.nullable(),
      outcome: str.optional(),
      guests: list(str).optional(),
      undone: list(undoneSchema),
      errors: list(str),
      journalKept: bool,
    }),
  ),
  skipped: list(obj({runId: str, reason: str})),
  lock: obj({present: bool, removed: bool, holder: obj({runId: nstr, pid: num.nullable(), since: nstr}).nullable()}),
  errors: list(str),
})

// ----------------------------------------------------------------------- list, guest-status

const controllerSchema = obj({type: str, number: num, location: num})

/**
 * The guest's first-boot media as the runtime sees it (ps/HvGuest/Private/SeedMedia.ps1): what
 * the manifest says of it (secret, keepMedia, removedAt) and whether a DVD drive holds it now.
 * null for a guest without a manifest or first boot.
 */
export const seedMediaStateSchema = obj({path: str, secret: bool, keepMedia: bool, attached: bool, slot: nstr, onDisk: bool, removedAt: nstr})
export type SeedMediaState = z.output<typeof seedMediaStateSchema>

export const listedGuestSchema = obj({
  name: str,
  vmId: str,
  state: str,
  generation: num,
  processors: num.nullable(),
  memoryStartupBytes: num.nullable(),
  dynamicMemory: bool.nullable(),
  path: nstr,
  notes: nstr,
  managed: bool,
  runId: nstr,
  createdAt: nstr,
  drives: list(obj({kind: z.enum(['hdd', 'dvd']), controller: controllerSchema, path: nstr, diskNumber: num.nullable()})),
  networkAdapters: list(obj({name: str, switch: nstr, legacy: bool, macAddress: str, vmqWeight: num.nullable()})),
  integrationServices: list(obj({id: nstr, name: str, enabled: bool})),
  seedMedia: seedMediaStateSchema.nullable().optional(),
})

export const listSchema = obj({vmRoot: nstr.optional(), guests: list(listedGuestSchema), missing: list(str)})

/** What hvguest planned for a guest, kept in its manifest at commit (src/execute/guest-status.ts manifestGuest). */
export const manifestGuestSchema = obj({
  template: str,
  templateFile: nstr,
  hostname: str,
  os: obj({family: z.enum(['windows', 'linux']), distro: nstr, version: str, edition: z.enum(['server', 'client']).nullable()}),
  integration: obj({
    strategy: z.enum(['windows-update', 'windows-ic-media', 'windows-offline', 'linux-builtin', 'linux-lis', 'none']),
    install: z.enum(['auto', 'attach-media', 'offline', 'none']),
    catalogEntry: str,
    media: nstr,
    packages: list(str),
    daemonUnits: list(str),
    offlinePackages: list(str),
  }),
  // secret, keepMedia: metadata only (never a value); a manifest written before they existed has
  // neither, which reads as false. mediaRemovedAt: when remove-seed-media deleted the media.
  firstBoot: obj({
    kind: str,
    template: str,
    media: str,
    label: str,
    bootHint: nstr,
    secret: bool.optional().default(false),
    keepMedia: bool.optional().default(false),
    mediaRemovedAt: nstr.optional(),
  }).nullable(),
})

export const guestStatusGuestSchema = obj({
  name: str,
  vmId: str,
  state: str,
  uptimeSeconds: num.nullable(),
  heartbeat: str,
  integrationServicesVersion: nstr,
  integrationServicesState: str,
  services: list(obj({id: str, name: str, enabled: bool, status: str, secondaryStatus: str, operationalStatus: str.optional()})),
  networkAdapters: list(obj({name: str, switch: nstr, macAddress: str, addresses: list(str)})),
  /** null when the host has no CIM to ask; {} when the guest published nothing. */
  kvp: z.record(z.string(), nstr).nullable(),
  managed: bool,
  planned: manifestGuestSchema.nullable(),
  seedMedia: seedMediaStateSchema.nullable().optional(),
})

export const guestStatusSchema = obj({vmRoot: nstr.optional(), guests: list(guestStatusGuestSchema), missing: list(str)})

// -------------------------------------------------------------------- destroy, ic, net

export const destroySchema = obj({
  guests: list(obj({name: str, vmId: str, deleted: list(str), kept: list(str), missing: list(str)})),
  refused: list(obj({name: str, vmId: nstr, reason: str, message: str})),
  keepDisks: bool,
})

export const icInjectSchema = obj({
  name: str,
  vmId: str,
  mode: str,
  changes: list(
    obj({
      action: str,
      slot: str.optional(),
      path: str.optional(),
      previous: nstr.optional(),
      disk: str.optional(),
      packages: list(str).optional(),
    }),
  ),
  files: list(str),
})

/** remove-seed-media (SeedMedia.ps1): the drive it emptied (slot, null when none held the media) and whether it deleted the file. */
export const removeSeedMediaSchema = obj({name: str, vmId: str, media: str, ejected: bool, slot: nstr, deleted: bool, manifest: str, removedAt: str})

export const netApplySchema = obj({settings: list(hostSettingSchema), record: str, recorded: num, restartedAdapters: list(str).optional()})
export const netRestoreSchema = obj({settings: list(hostSettingSchema), record: str, note: nstr, restartedAdapters: list(str).optional()})

// -------------------------------------------------------------------- probe (doctor --probe)

const probeSlot = obj({controllerType: str, controllerNumber: num, controllerLocation: num, path: nstr})
export const probeSchema = obj({
  runId: str,
  vmRoot: str,
  folder: str,
  host: obj({
    computerName: str,
    os: obj({caption: str, version: str, buildNumber: str}).nullable(),
    powershell: obj({version: str, edition: str}),
    hyperVModule: obj({version: str, path: str}).nullable(),
  }),
  guest: obj({
    name: str,
    vmId: str,
    generation: num.nullable(),
    memoryStartupBytes: num.nullable(),
    hardDrives: list(probeSlot),
    dvdDrives: list(probeSlot),
    networkAdapters: list(obj({name: str, legacy: bool})),
    integrationServices: list(obj({id: str, enabled: bool})),
  }).nullable(),
  vhds: list(obj({path: str, format: str, type: str, sizeBytes: num})),
  mount: obj({path: str, passthru: bool, attached: bool.nullable(), diskNumber: num.nullable(), attachedAfterDismount: bool.nullable()}).nullable(),
  warnings: list(str),
  cleanup: obj({undone: num, errors: list(str), journalKept: bool, journal: nstr, lockReleased: bool, vmLeft: bool, folderLeft: bool}).nullable(),
})

/**
 * Every action the runtime dispatches (ps/HvGuest/HvGuest.psm1): RuntimeAction, and
 * remove-seed-media (named here too, so that these tables hold whether RuntimeAction lists it or not).
 */
export type SchemaAction = RuntimeAction | 'remove-seed-media'

/** The `data` of an answer that is ok, per action. */
export const ANSWER_SCHEMAS = {
  facts: factsSchema,
  preflight: preflightSchema,
  begin: beginSchema,
  'create-guest': createGuestSchema,
  commit: commitSchema,
  rollback: rollbackSchema,
  recover: recoverSchema,
  list: listSchema,
  destroy: destroySchema,
  'guest-status': guestStatusSchema,
  'ic-inject': icInjectSchema,
  'remove-seed-media': removeSeedMediaSchema,
  'net-apply': netApplySchema,
  'net-restore': netRestoreSchema,
  probe: probeSchema,
} as const satisfies Record<SchemaAction, z.ZodType>

export type AnswerData<A extends SchemaAction> = z.output<(typeof ANSWER_SCHEMAS)[A]>

/**
 * A request that changes the host and fails undoes itself; its data then says how far it got
 * (create-guest and ic-inject: steps and warnings; destroy: what it refused) or what the undo did
 * (begin, net-apply, net-restore: rolledBack, null with rollbackError when the undo itself
 * failed). Every field of the ok answer may be missing.
 */
const undoOfFailure = {rolledBack: rollbackSchema.nullable().optional(), rollbackError: str.optional()}
export const FAILURE_SCHEMAS = {
  facts: factsSchema.partial(),
  preflight: preflightSchema.partial(),
  begin: beginSchema.partial().extend(undoOfFailure),
  'create-guest': createGuestSchema.partial(),
  commit: commitSchema.partial(),
  rollback: rollbackSchema.partial(),
  recover: recoverSchema.partial(),
  list: listSchema.partial(),
  destroy: destroySchema.partial(),
  'guest-status': guestStatusSchema.partial(),
  'ic-inject': icInjectSchema.partial(),
  'remove-seed-media': removeSeedMediaSchema.partial(),
  'net-apply': netApplySchema.partial().extend(undoOfFailure),
  'net-restore': netRestoreSchema.partial().extend(undoOfFailure),
  probe: probeSchema.partial(),
} as const satisfies Record<SchemaAction, z.ZodType>

export type FailureData<A extends SchemaAction> = z.output<(typeof FAILURE_SCHEMAS)[A]>

/** The part of a result line these functions read (src/powershell/protocol.ts ResultLine). */
export interface AnswerLike {
  ok: boolean
  action?: string
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
