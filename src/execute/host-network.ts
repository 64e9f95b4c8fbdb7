/**
 * `net show`, `net apply`, `net restore`: a hardware profile's host-level network defaults on
 * their own, outside a create (README.md, 'Host readiness and network defaults'):
 *
 * - `net apply` puts the profile's *JumboPacket on the physical NIC and the `vEthernet (<switch>)`
 *   adapter of each target switch, the global TCP Chimney state where the host OS gives VMs
 *   chimney (2008 R2), and VMQ on the NICs. It is planned here from the host's facts first: a
 *   value the NIC does not list is bad input (exit 2, nothing changed); a setting the hardware or
 *   the OS cannot take is a diagnostic, never a silent no-op. The runtime records the value each
 *   setting had before hvguest first changed it, on the host; a second apply finds nothing to
 *   change and says so, without even taking the host lock.
 * - `net restore` puts the recorded values back, and forgets them.
 * - Target switches: --switch, else the inventory's `switches:` for the host, else every
 *   external switch on it.
 */
import {InputError, type Diagnostic} from '../model/diagnostic.js'
import type {PlannedHost} from '../model/plan.js'
import type {TargetHost} from '../model/target-host.js'
import {jumboAndVmqSupported, STANDARD_FRAME} from '../resolve/network/resolve-adapters.js'
import {hostChimney, hostVmq} from '../resolve/network/resolve-host-network.js'
import {answerData, isAnswerShapeError, type AnswerData} from '../powershell/answers.js'
import type {HostSession} from '../powershell/session.js'
import {report} from '../model/codes.js'
import {newRunId} from './run-id.js'
import {askFacts, askFactsOn, isWireless, nicOf, type HostFacts, type HostFactsAnswer} from './host-facts.js'
import {hostAdapterName} from '../resolve/network/resolve-adapters.js'

/** One host setting: what it is now and what the profile wants. */
export interface NetSetting {
  setting: 'jumbo' | 'chimney' | 'vmq'
  switch: string | null
  target: 'physical-nic' | 'host-vethernet' | 'host' | null
  adapter: string | null
  keyword: string | null
  before: string | null
  after: string | null
  /** set: changed (or would be, with --dry-run); unchanged: already right; skipped: cannot apply (see diagnostics). */
  action: 'set' | 'unchanged' | 'skipped'
  reason: string | null
}

export interface NetPlan {
  host: string
  profile: string
  switches: string[]
  network: PlannedHost['network']
  settings: NetSetting[]
  diagnostics: Diagnostic[]
}

export interface NetApplyResult extends NetPlan {
  status: 'ok' | 'unchanged' | 'dry-run' | 'failed'
  runId: string | null
  /** Where the host keeps the values to restore. */
  record: string | null
  /** The adapters restarted once after their changes (changes are made with -NoRestart). */
  restartedAdapters: string[]
  error: {step: string; cmdlet: string | null; message: string} | null
}

type Open = (h: TargetHost) => Promise<HostSession>

function factsOf(a: HostFactsAnswer): HostFacts {
  const host = a.host
  if (!a.facts) throw new HostUnreachable(host.name, a.error ?? 'no facts')
  if (!a.facts.hyperV) throw new InputError([report('hyperv-unavailable', `${host.name}: Hyper-V does not answer: ${a.facts.errors.find((e) => e.fact === 'hyperV')?.message ?? ''} (run "hvguest doctor --host ${host.name}")`, {host: host.name})])
  return a.facts
}

/** The host could not be asked at all: the commands exit 1 with this message (src/cli/base-command.ts). */
export class HostUnreachable extends Error {
  constructor(
    readonly host: string,
    message: string,
  ) {
    super(`${host}: ${message}`)
    this.name = 'HostUnreachable'
  }
}

export async function netShow(host: TargetHost, open: Open): Promise<{host: string; facts: HostFacts}> {
  return {host: host.name, facts: factsOf(await askFacts(host, open))}
}

/** The profile's host settings for this host, against what it has now. Throws InputError for what must stop the command. */
export function planNet(host: TargetHost, facts: HostFacts, opts: {switches?: string[]} = {}): NetPlan {
  const profile = host.profile.profile
  const diagnostics: Diagnostic[] = []
  const errors: Diagnostic[] = []
  const warn = (code: Parameters<typeof report>[0], message: string) => diagnostics.push(report(code, message, {host: host.name, severity: 'warning'}))
  const wanted = opts.switches?.length ? opts.switches : host.switches?.length ? host.switches : facts.switches.filter((s) => /external/i.test(s.type)).map((s) => s.name)
  const switches = wanted.map((name) => {
    const sw = facts.switches.find((s) => s.name.toLowerCase() === name.toLowerCase())
    if (!sw) errors.push(report('switch-missing', `${host.name} has no virtual switch "${name}" (it has ${facts.switches.map((s) => s.name).join(', ') || 'none'})`, {host: host.name}))
    return sw
  })
  const settings: NetSetting[] = []
  const jumbo: PlannedHost['network']['jumbo'] = []
  const value = profile.spec.network?.jumboPacket

  for (const sw of switches) {
    if (!sw || value === undefined) continue
    if (!jumboAndVmqSupported(host.os)) {
      warn('jumbo-unsupported-host', `profile ${host.profile.name} asks for *JumboPacket ${value}, but ${host.os} hosts have no jumbo frames for VMs; left alone`)
      break
    }
    const targets: Array<'physical-nic' | 'host-vethernet'> = []
    const nic = nicOf(facts, sw)
    if (nic && isWireless(nic)) {
      warn('wireless-adapter-switch', `switch ${sw.name} is bound to the wireless adapter ${nic.name}: Wi-Fi has no jumbo frames; its settings are left alone`)
      settings.push({setting: 'jumbo', switch: sw.name, target: 'physical-nic', adapter: nic.name, keyword: '*JumboPacket', before: nic.jumboPacket?.value ?? null, after: String(value), action: 'skipped', reason: 'wireless adapter'})
      continue
    }
    const candidates: Array<{target: 'physical-nic' | 'host-vethernet'; adapter: HostFacts['nics'][number] | null}> = [
      {target: 'physical-nic', adapter: nic},
      {target: 'host-vethernet', adapter: facts.nics.find((n) => n.name.toLowerCase() === hostAdapterName(sw.name).toLowerCase()) ?? null},
    ]
    for (const {target, adapter} of candidates) {
      if (!adapter) continue // an internal/private switch has no physical NIC; without management OS sharing there is no vEthernet
      const current = adapter.jumboPacket
      if (!current) {
        if (value > STANDARD_FRAME) errors.push(report('jumbo-unsupported', `${adapter.name} (${target} of switch ${sw.name}) has no *JumboPacket property; profile ${host.profile.name} wants ${value}`, {host: host.name}))
        continue
      }
      if (current.valid.length > 0 && !current.valid.includes(String(value))) {
        errors.push(report('jumbo-unsupported', `${adapter.name} (${target} of switch ${sw.name}) accepts *JumboPacket ${current.valid.join(', ')}, not ${value} (profile ${host.profile.name})`, {host: host.name}))
        continue
      }
      targets.push(target)
      settings.push({setting: 'jumbo', switch: sw.name, target, adapter: adapter.name, keyword: '*JumboPacket', before: current.value, after: String(value), action: current.value === String(value) ? 'unchanged' : 'set', reason: null})
    }
    if (targets.length > 0) jumbo.push({switch: sw.name, value, targets})
  }

  const chimneyDiagnostics: Diagnostic[] = []
  let chimney = hostChimney({host: host.name, hostOs: host.os, profile, guests: []}, chimneyDiagnostics)
  diagnostics.push(...chimneyDiagnostics.map((d) => ({...d, host: host.name})))
  const nics = switches.flatMap((sw) => (sw ? [nicOf(facts, sw)] : [])).filter((n): n is NonNullable<typeof n> => n !== null && !isWireless(n))
  if (chimney === 'enabled' && nics.length > 0 && !nics.some((n) => n.tcpOffload)) {
    warn('chimney-unsupported-nic', `profile ${host.profile.name} asks for TCP Chimney, but ${nics.map((n) => n.name).join(', ')} ${nics.length > 1 ? 'have' : 'has'} no TCP Connection Offload; chimney is left alone`)
    chimney = null
  }
  if (chimney) {
    const before = facts.chimney
    settings.push({setting: 'chimney', switch: null, target: 'host', adapter: null, keyword: null, before, after: capitalize(chimney), action: before?.toLowerCase() === chimney ? 'unchanged' : 'set', reason: null})
  }

  const vmq = hostVmq({host: host.name, hostOs: host.os, profile, guests: []})
  if (vmq === true) {
    for (const sw of switches) {
      const nic = sw && nicOf(facts, sw)
      if (!sw || !nic || isWireless(nic)) continue
      if (!nic.vmq) {
        warn('vmq-unsupported-nic', `${nic.name} behind switch ${sw.name} has no VMQ; profile ${host.profile.name} asks for it; left alone`)
        settings.push({setting: 'vmq', switch: sw.name, target: 'physical-nic', adapter: nic.name, keyword: '*VMQ', before: null, after: 'enabled', action: 'skipped', reason: 'no VMQ on this NIC'})
        continue
      }
      settings.push({setting: 'vmq', switch: sw.name, target: 'physical-nic', adapter: nic.name, keyword: '*VMQ', before: nic.vmqEnabled ? 'enabled' : 'disabled', after: 'enabled', action: nic.vmqEnabled ? 'unchanged' : 'set', reason: null})
    }
  }
  if (errors.length > 0) throw new InputError([...errors, ...diagnostics])
  return {
    host: host.name,
    profile: host.profile.name,
    switches: switches.filter((s) => s !== undefined).map((s) => s!.name),
    network: {jumbo, chimney, vmq: vmq === true ? true : null},
    settings,
    diagnostics,
  }
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)

export async function netApply(host: TargetHost, open: Open, opts: {switches?: string[]; dryRun?: boolean; lockTimeoutSeconds?: number} = {}): Promise<NetApplyResult> {
  // One session for both round trips: the facts the plan is made from, then the change.
  const session = await open(host)
  try {
    const answer = await askFactsOn(session, host).catch((error: Error): HostFactsAnswer => ({host, facts: null, error: error.message}))
    const plan = planNet(host, factsOf(answer), opts)
    const none = {runId: null, record: null, restartedAdapters: [], error: null}
    if (opts.dryRun) return {...plan, ...none, status: 'dry-run'}
    if (!plan.settings.some((s) => s.action === 'set')) return {...plan, ...none, status: 'unchanged'}
    const runId = newRunId()
    const r = await session.request({
      action: 'net-apply',
      runId,
      vmRoot: host.vmRoot,
      host: {name: host.name, network: plan.network},
      switches: plan.switches,
      lockTimeoutSeconds: opts.lockTimeoutSeconds ?? 60,
    })
    if (!r.ok) return {...plan, status: 'failed', runId, record: null, restartedAdapters: [], error: {step: r.error?.step ?? 'net-apply', cmdlet: r.error?.cmdlet ?? null, message: r.error?.message ?? 'no message'}}
    const c = checked('net-apply', r)
    if (!c.ok) return {...plan, status: 'failed', runId, record: null, restartedAdapters: [], error: c.error}
    const data = c.data
    const applied = data.settings.map((x) => fromRuntime(x))
    // Settings the plan skipped (wireless, no VMQ) stay in the report with their reason.
    return {...plan, settings: [...applied, ...plan.settings.filter((s) => s.action === 'skipped')], status: 'ok', runId, record: data.record, restartedAdapters: data.restartedAdapters ?? [], error: null}
  } finally {
    await session.close().catch(() => {})
  }
}

export interface NetRestoreResult {
  host: string
  status: 'ok' | 'nothing-recorded' | 'failed'
  runId: string
  settings: NetSetting[]
  record: string | null
  /** The adapters restarted once after the values went back. */
  restartedAdapters: string[]
  error: {step: string; cmdlet: string | null; message: string} | null
}

export async function netRestore(host: TargetHost, open: Open, opts: {lockTimeoutSeconds?: number} = {}): Promise<NetRestoreResult> {
  const runId = newRunId()
  const session = await open(host)
  try {
    const r = await session.request({action: 'net-restore', runId, vmRoot: host.vmRoot, lockTimeoutSeconds: opts.lockTimeoutSeconds ?? 60})
    if (!r.ok) return {host: host.name, status: 'failed', runId, settings: [], record: null, restartedAdapters: [], error: {step: r.error?.step ?? 'net-restore', cmdlet: r.error?.cmdlet ?? null, message: r.error?.message ?? 'no message'}}
    const c = checked('net-restore', r)
    if (!c.ok) return {host: host.name, status: 'failed', runId, settings: [], record: null, restartedAdapters: [], error: c.error}
    const data = c.data
    return {host: host.name, status: data.note ? 'nothing-recorded' : 'ok', runId, settings: data.settings.map(fromRuntime), record: data.record, restartedAdapters: data.restartedAdapters ?? [], error: null}
  } finally {
    await session.close().catch(() => {})
  }
}

/**
 * The checked data of an ok answer; an answer of the wrong shape is a failure of the request (the
 * host may have changed: the message says what could not be read, and `net restore` still works).
 */
function checked<A extends 'net-apply' | 'net-restore'>(
  action: A,
  r: {ok: boolean; action: string; data?: unknown},
): {ok: true; data: AnswerData<A>} | {ok: false; error: NonNullable<NetApplyResult['error']>} {
  try {
    return {ok: true, data: answerData(action, r)}
  } catch (error) {
    if (isAnswerShapeError(error)) return {ok: false, error: {step: action, cmdlet: null, message: error.message}}
    throw error
  }
}

type RuntimeSetting = AnswerData<'net-apply'>['settings'][number]

function fromRuntime(x: RuntimeSetting): NetSetting {
  const text = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'boolean' ? (v ? 'enabled' : 'disabled') : String(v))
  return {
    setting: x.setting as NetSetting['setting'],
    switch: x.switch ?? null,
    target: (x.target as NetSetting['target']) ?? (x.setting === 'chimney' ? 'host' : null),
    adapter: x.adapter ?? null,
    keyword: x.keyword ?? (x.setting === 'vmq' ? '*VMQ' : null),
    before: text(x.previous),
    after: text(x.value),
    action: x.action === 'set' ? 'set' : /^already/.test(x.reason ?? '') ? 'unchanged' : 'skipped',
    reason: x.reason ?? null,
  }
}
