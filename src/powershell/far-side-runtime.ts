/**
 * The runtime on a remote host (docs/remote-hosts.md, "The runtime on the far side"), as both
 * remote transports stage it: plain ssh (ssh-transport.ts, the stager sent as a line) and
 * PowerShell remoting (remoting-transport.ts, the stager run with Invoke-Command -FilePath).
 * What differs is only how a stager line reaches the host; what it is sent, the order (ask, then
 * write only when missing) and how its answer is read are here, once.
 */
import {dirname, isAbsolute, join} from 'node:path'
import {diagnostic, InputError} from '../model/diagnostic.js'
import type {BootstrapConfig} from './bootstrap.js'
import type {SessionHost, StartFailure, TransportContext} from './host-side.js'
import {parseProtocol, toBase64} from './protocol.js'
import type {RunOutcome} from './pwsh-process.js'
import {type RuntimePayload, runtimePayload, stagedRuntimeManifest} from './runtime-payload.js'

/** An emulated far side's state file: a path there, so it must be absolute there (InputError otherwise). */
export function farSideStateFile(host: SessionHost): string | undefined {
  const stateFile = host.entry?.emulator?.stateFile
  if (stateFile !== undefined && !isAbsolute(stateFile) && !/^[A-Za-z]:[\\/]/.test(stateFile)) {
    throw new InputError(diagnostic('input-invalid', 'error', `host "${host.name}": emulator.stateFile is a path on the far side of ssh and must be absolute there (got ${stateFile})`, {host: host.name}))
  }
  return stateFile
}

export interface FarSideRuntime {
  /** The emulated far side's state file, when it plays one. */
  stateFile: string | undefined
  /** ps/HvGuest/Stage.ps1 beside the runtime this machine sends. */
  stager: string
  payload: RuntimePayload
  /** The stager's first argument: the manifest, base64 of its JSON. */
  manifestBase64: string
  /** Bootstrap.ps1's -ConfigBase64 on the far side: paths relative to the staged root. */
  bootstrapConfigBase64: string
}

/** What a remote host is sent: the runtime (and the emulator when it plays one), and its bootstrap config. */
export function farSideRuntime(host: SessionHost, ctx: TransportContext): FarSideRuntime {
  const stateFile = farSideStateFile(host)
  const files = ctx.files()
  const payload = runtimePayload(files.runtime, stateFile !== undefined ? files.emulatorModules : null)
  // Relative paths: Bootstrap.ps1 resolves them against the staged root it sits in.
  const config: BootstrapConfig = {runtime: stagedRuntimeManifest(files.runtime), emulator: stateFile !== undefined ? {modulePath: 'emulator', stateFile} : null}
  return {stateFile, stager: join(dirname(files.runtime), 'Stage.ps1'), payload, manifestBase64: toBase64(JSON.stringify(payload.manifest)), bootstrapConfigBase64: toBase64(JSON.stringify(config))}
}

/**
 * Stages the runtime: asks whether the host holds it (payload ''), and sends it only when not.
 * `stage` runs one stager line and reads its answer: the stage state, or why the host could not be
 * staged. Undefined when the runtime is there.
 */
export async function stageRuntime(runtime: FarSideRuntime, stage: (payloadBase64: string) => Promise<string | StartFailure>): Promise<StartFailure | undefined> {
  const state = await stage('')
  if (typeof state !== 'string') return state
  if (state === 'present') return undefined
  const written = await stage(runtime.payload.payloadBase64())
  return typeof written === 'string' ? undefined : written
}

/**
 * The stager's answer (ps/HvGuest/Stage.ps1): present, missing or written; else why the runtime
 * could not be put on the host. `shell` names what should have answered; `classify` tells what
 * the transport printed (an ssh failure) when no answer came.
 */
export function stageAnswer(out: RunOutcome, host: SessionHost, shell: string, classify: (stderr: string) => StartFailure | undefined): string | StartFailure {
  const {result} = parseProtocol(out.stdout)
  if (result?.ok) return String((result.data as {state?: unknown} | undefined)?.state)
  if (result) return {code: 'input-invalid', message: `host "${host.name}": the hvguest runtime could not be put on the host: ${result.error?.message ?? 'stage failed'}`}
  // The shell ran but answered nothing: what it printed says why (a shell that is not PowerShell, an old one).
  const printed = `${out.stderr}\n${out.stdout}`.trim().slice(-500)
  return classify(out.stderr) ?? {code: 'remote-shell-missing', message: `host "${host.name}": ${shell} did not answer as PowerShell${printed ? ` (it printed: ${printed})` : ''}`}
}
