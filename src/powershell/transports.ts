/**
 * How an inventory `transport` becomes the host side of a session. A transport decides two
 * things only (docs/execution.md section 5): which lines bootstrap the runtime where the host
 * is, and which line runs a request there. The session (process, queue, timeouts, protocol)
 * is the same for all of them.
 *
 * - `local`: the runtime runs in the local pwsh process, against the local Hyper-V.
 * - `emulator`: the same, with the emulator's modules (ps/emulator) and the inventory's
 *   `emulator.stateFile` as the host.
 * - `ssh` / `winrm` (not yet): the local pwsh opens `New-PSSession -HostName` / `-ComputerName`
 *   in its bootstrap line, copies and bootstraps the runtime there, and each request line
 *   becomes `Invoke-Command -Session … { Invoke-HvGuestRequest -RequestBase64 $args[0] }`. Such a
 *   transport is one more TransportAdapter in TRANSPORT_ADAPTERS; nothing else changes. (The
 *   runtime must then write its protocol lines to the pipeline, which remoting carries back,
 *   rather than to [Console]::Out, which stays on the remote host.)
 */
import {existsSync, statSync} from 'node:fs'
import {dirname, isAbsolute, resolve} from 'node:path'
import {diagnostic, InputError} from '../model/diagnostic.js'
import type {TargetHost} from '../model/target-host.js'
import type {Transport} from '../model/schemas.js'
import {type BootstrapConfig, bootstrapCommand, readyCheck, type RuntimeFiles, SESSION_PRELUDE} from './bootstrap.js'
import {requestLine} from './protocol.js'

/** The host side of one session, as the session needs it. */
export interface HostSide {
  readonly transport: Transport
  /** What the session talks to, for messages: `local pwsh`, `emulated host (state …)`. */
  readonly describe: string
  /** Added to the pwsh process's environment. */
  readonly env: Record<string, string>
  /**
   * The first line every pwsh process runs (again after a replacement): prepares the host side,
   * bootstraps the runtime there, and prints `ready` once Invoke-HvGuestRequest answers.
   */
  bootstrapLine(ready: string): string
  /** The one line that runs a request, given the base64 of its JSON. */
  requestLine(requestBase64: string): string
}

/** The inventory facts a transport needs about a host. */
export type SessionHost = Pick<TargetHost, 'name' | 'transport' | 'entry'>

export interface TransportContext {
  /** The runtime's files (checked to exist when asked for). */
  files: () => RuntimeFiles
  /** The inventory the host came from: a relative `emulator.stateFile` is relative to its folder. */
  inventoryFile?: string | null
}

export interface TransportAdapter {
  readonly name: Transport
  /** Checks what can be checked without a process (InputError, exit 2) and returns the host side. */
  hostSide(host: SessionHost, ctx: TransportContext): HostSide
}

/** Local and emulated hosts: the runtime runs in the session's own pwsh process. */
function inProcessSide(transport: Transport, describe: string, config: BootstrapConfig, bootstrap: string): HostSide {
  return {
    transport,
    describe,
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

function notYet(name: Transport): TransportAdapter {
  return {
    name,
    hostSide(host) {
      throw new InputError(
        diagnostic('input-invalid', 'error', `host "${host.name}": transport ${name} is not implemented yet (use local or emulator)`, {host: host.name}),
      )
    },
  }
}

export const TRANSPORT_ADAPTERS: Readonly<Record<Transport, TransportAdapter>> = {
  local,
  emulator,
  ssh: notYet('ssh'),
  winrm: notYet('winrm'),
}

/** The host side for a target host; InputError (exit 2) for what cannot work. */
export function hostSideFor(host: SessionHost, ctx: TransportContext): HostSide {
  const adapter = TRANSPORT_ADAPTERS[host.transport]
  if (!adapter) throw new InputError(diagnostic('input-invalid', 'error', `host "${host.name}": unknown transport "${String(host.transport)}"`, {host: host.name}))
  return adapter.hostSide(host, ctx)
}
