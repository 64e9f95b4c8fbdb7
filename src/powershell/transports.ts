/**
 * How an inventory `transport` becomes the host side of a session. A transport decides two
 * things only (docs/execution.md section 5): which lines bootstrap the runtime where the host
 * is, and which line runs a request there. The session (process, queue, timeouts, protocol)
 * is the same for all of them.
 *
 * - `local`: the runtime runs in the local pwsh process, against the local Hyper-V.
 * - `emulator`: the same, with the emulator's modules (ps/emulator) and the inventory's
 *   `emulator.stateFile` as the host.
 * - `ssh` (ssh-transport.ts): the session's process is the OpenSSH client, whose remote command
 *   is the host's PowerShell reading `-Command -`; the runtime is staged on the host first.
 * - `ssh` with `psRemoting: true`, and `winrm` (remoting-transport.ts): a local pwsh holds a
 *   PSSession to the host and relays the runtime's lines; winrm only from a Windows workstation
 *   (off Windows it is refused, exit 2, naming ssh: no Microsoft-supported WSMan client there).
 */
import {existsSync, readFileSync, statSync} from 'node:fs'
import {dirname, isAbsolute, resolve} from 'node:path'
import {parse} from 'yaml'
import {diagnostic, InputError} from '../model/diagnostic.js'
import type {HostEntry, Transport} from '../model/schemas.js'
import {inventoryPathOf} from '../resolve/targets.js'
import {type BootstrapConfig, bootstrapCommand, readyCheck, SESSION_PRELUDE} from './bootstrap.js'
import type {HostSide, SessionHost, TransportAdapter, TransportContext} from './host-side.js'
import {requestLine} from './protocol.js'
import {remotingSide} from './remoting-transport.js'
import {ssh as sshStdin} from './ssh-transport.js'

export type {HostSide, SessionHost, StartFailure, TransportAdapter, TransportContext} from './host-side.js'

/** Local and emulated hosts: the runtime runs in the session's own pwsh process. */
function inProcessSide(transport: Transport, describe: string, config: BootstrapConfig, bootstrap: string): HostSide {
  return {
    transport,
    describe,
    processName: 'the pwsh process',
    env: {},
    bootstrapLine: (ready) => `${SESSION_PRELUDE}; ${bootstrapCommand(bootstrap, config)}; ${readyCheck(ready)}`,
    requestLine,
  }
}

const local: TransportAdapter = {
  name: 'local',
  hostSide(_host, ctx) {
    const files = ctx.files()
    return inProcessSide('local', 'local pwsh', {runtime: files.runtime, emulator: null}, files.bootstrap)
  },
}

/** The state file of an emulator host, absolute (relative paths are relative to the inventory's folder). */
export function emulatorStateFile(host: SessionHost, inventoryFile?: string | null): string {
  const stateFile = host.entry?.emulator?.stateFile
  if (!stateFile) {
    throw new InputError(diagnostic('input-invalid', 'error', `host "${host.name}" uses transport emulator, which needs emulator: { stateFile: PATH } in the inventory`, {host: host.name}))
  }
  return isAbsolute(stateFile) ? stateFile : resolve(inventoryFile ? dirname(resolve(inventoryFile)) : process.cwd(), stateFile)
}

const emulator: TransportAdapter = {
  name: 'emulator',
  hostSide(host, {files: runtime, inventoryFile}) {
    const stateFile = emulatorStateFile(host, inventoryFile)
    const folder = dirname(stateFile)
    if (!existsSync(folder) || !statSync(folder).isDirectory()) {
      throw new InputError(diagnostic('input-invalid', 'error', `host "${host.name}": the folder of its emulator state file does not exist: ${folder}`, {host: host.name}))
    }
    const files = runtime()
    if (!existsSync(files.emulatorModules)) {
      throw new InputError(`the hvguest emulator is missing: ${files.emulatorModules} (a broken install; reinstall hvguest)`)
    }
    return inProcessSide('emulator', `emulated host (state ${stateFile})`, {runtime: files.runtime, emulator: {modulePath: files.emulatorModules, stateFile}}, files.bootstrap)
  },
}

/**
 * winrm: PowerShell remoting over WS-Management, from Windows workstations (remoting-transport.ts,
 * the relay that psRemoting over SSH also uses). Off Windows there is no Microsoft-supported
 * WSMan client for PowerShell (docs/remote-hosts.md), so it is refused with the transport that
 * works from there.
 */
const winrm: TransportAdapter = {
  name: 'winrm',
  hostSide(host, ctx) {
    if (process.platform === 'win32') return remotingSide(host, ctx, 'winrm')
    const message = `host "${host.name}": transport winrm needs a Windows workstation (PowerShell's WinRM client exists only on Windows); from ${process.platform === 'darwin' ? 'macOS' : 'Linux'} use transport: ssh with the host's OpenSSH Server (built into Windows Server 2019 and later)`
    throw new InputError(diagnostic('input-invalid', 'error', message, {host: host.name}))
  },
}

/** ssh: the remote shell's stdin (ssh-transport.ts), or PowerShell remoting over SSH with psRemoting. */
const ssh: TransportAdapter = {
  name: 'ssh',
  hostSide: (host, ctx) => (relaysOverSsh(host.entry ?? null) ? remotingSide(host, ctx, 'ssh') : sshStdin.hostSide(host, ctx)),
}

export const TRANSPORT_ADAPTERS: Readonly<Record<Transport, TransportAdapter>> = {
  local,
  emulator,
  ssh,
  winrm,
}

/** The host side for a target host; InputError (exit 2) for what cannot work. */
export function hostSideFor(host: SessionHost, ctx: TransportContext): HostSide {
  const adapter = TRANSPORT_ADAPTERS[host.transport]
  if (!adapter) throw new InputError(diagnostic('input-invalid', 'error', `host "${host.name}": unknown transport "${String(host.transport)}"`, {host: host.name}))
  return adapter.hostSide(host, ctx)
}

/**
 * Whether a host's session runs a pwsh on this machine: local and emulated hosts run the runtime
 * in it, winrm and psRemoting relay through it; plain ssh runs the host's own shell and none here.
 * No entry is the local machine.
 */
export function needsLocalPwsh(entry: Pick<HostEntry, 'transport' | 'psRemoting'> | null): boolean {
  return !(entry?.transport === 'ssh' && !relaysOverSsh(entry))
}

/** An ssh host reached through PowerShell remoting (New-PSSession -HostName) rather than the remote shell's stdin. */
const relaysOverSsh = (entry: Pick<HostEntry, 'psRemoting'> | null): boolean => entry?.psRemoting === true

/**
 * Whether any host a command line names (its inventory, its --host names, none meaning every
 * host) needs a local pwsh: src/cli/prestart.ts starts one ahead of time only then, so that a
 * command whose hosts are all reached over ssh starts no process it never uses. A --host on a
 * cluster node counts its peers too (create compares their switches). An inventory with no line
 * that says ssh outside a comment is not parsed (the starter's hosts.yaml says it in a comment
 * only), and what is parsed is only looked at, not validated: the command does that. Any doubt is
 * yes (`unsure` from the command line, an inventory that does not read or has no hosts list, a
 * --host it does not list, anything thrown): a wrong yes costs a process start that nobody
 * uses, as before; a wrong no only starts the pwsh later, when the session opens.
 */
export function hostsNeedLocalPwsh(req: {inventory?: string; hosts: readonly string[]; unsure?: boolean; cwd: string}): boolean {
  if (req.unsure) return true
  try {
    const file = inventoryPathOf(req)
    if (!file) return true
    const text = readFileSync(file, 'utf8')
    if (!/^[^#\n]*\bssh\b/m.test(text)) return true
    const entries = inventoryEntries(parse(text))
    if (!entries) return true
    const lower = (s: string) => s.toLowerCase()
    const wanted = req.hosts.map(lower)
    // a --host the inventory does not list is null here, which needsLocalPwsh answers yes
    const named = wanted.length === 0 ? entries : wanted.map((name) => entries.find((h) => lower(h.name) === name) ?? null)
    const clusters = new Set(named.flatMap((h) => (typeof h?.cluster === 'string' ? [lower(h.cluster)] : [])))
    const peers = entries.filter((h) => typeof h.cluster === 'string' && clusters.has(lower(h.cluster)))
    return [...named, ...peers].some(needsLocalPwsh)
  } catch {
    return true
  }
}

type LookedAtEntry = Pick<HostEntry, 'name' | 'transport' | 'psRemoting' | 'cluster'>

/** The host entries of a parsed inventory as far as hostsNeedLocalPwsh looks at them, or null when it has no list of named hosts. */
function inventoryEntries(doc: unknown): LookedAtEntry[] | null {
  const hosts = (doc as {hosts?: unknown} | null)?.hosts
  if (!Array.isArray(hosts) || !hosts.every((h) => typeof h === 'object' && h !== null && typeof (h as {name?: unknown}).name === 'string')) return null
  return hosts as LookedAtEntry[]
}
