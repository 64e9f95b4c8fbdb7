/**
 * The first line of every session (docs/execution.md section 2): it prepares the pwsh process
 * for a protocol over pipes, then dot-sources the runtime's Bootstrap.ps1 with its config. The
 * bootstrap path and the config both travel base64-encoded, so no path (a user folder with `'`,
 * `$(...)` or ‘ ’ in it) is ever pasted into PowerShell text.
 */
import {existsSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {InputError} from '../model/diagnostic.js'
import {packageRoot} from '../util/package-root.js'
import {toBase64} from './protocol.js'

/** What Bootstrap.ps1 receives (`-ConfigBase64`, base64 of this as UTF-8 JSON). */
export interface BootstrapConfig {
  /** Absolute path of the runtime module manifest (ps/HvGuest/HvGuest.psd1). */
  runtime: string
  /** For an emulated host: where the emulator's modules are and which state file is the host. */
  emulator: null | {modulePath: string; stateFile: string}
}

export interface RuntimeFiles {
  /** Bootstrap.ps1: beside the runtime module's manifest. */
  bootstrap: string
  runtime: string
  emulatorModules: string
}

/**
 * The runtime's files: ps/ of the installed package unless overridden (the tests use a fake
 * runtime). They ship in the npm package; nothing of them is bundled.
 */
export function runtimeFiles(opts: {runtimeModule?: string; emulatorModules?: string} = {}): RuntimeFiles {
  const runtime = resolve(opts.runtimeModule ?? join(packageRoot(), 'ps', 'HvGuest', 'HvGuest.psd1'))
  const bootstrap = join(dirname(runtime), 'Bootstrap.ps1')
  const emulatorModules = resolve(opts.emulatorModules ?? join(packageRoot(), 'ps', 'emulator'))
  for (const [what, file] of [
    ['runtime module', runtime],
    ['runtime bootstrap', bootstrap],
  ] as const) {
    if (!existsSync(file)) throw new InputError(`the hvguest ${what} is missing: ${file} (a broken install; reinstall hvguest)`)
  }
  return {bootstrap, runtime, emulatorModules}
}

/** A PowerShell expression whose value is `text`, with `text` carried as base64 only. */
export const decodedString = (text: string): string => `([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${toBase64(text)}')))`

/**
 * Plain text (no ANSI colour in error messages), no progress rendering, and UTF-8 on stdout
 * (Windows consoles default to the OEM code page). `$PSStyle` exists from pwsh 7.2 on.
 */
export const SESSION_PRELUDE =
  "if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }; $ProgressPreference = 'SilentlyContinue'; [Console]::OutputEncoding = [Text.UTF8Encoding]::new($false)"

/** `. <bootstrap> -ConfigBase64 '…'`: dot-sourced, so whatever it defines stays in the session. */
export function bootstrapCommand(bootstrapPath: string, config: BootstrapConfig): string {
  return `. ${decodedString(bootstrapPath)} -ConfigBase64 '${toBase64(JSON.stringify(config))}'`
}

/**
 * Prints `marker` when the runtime answers (Invoke-HvGuestRequest exists): the session is ready.
 * `answers` is the PowerShell condition that says so, in this process by default (a PowerShell
 * remoting session asks its PSSession: Test-HvRemoteReady).
 */
export const readyCheck = (marker: string, answers = 'Get-Command -Name Invoke-HvGuestRequest -CommandType Function, Cmdlet -ErrorAction Ignore'): string => {
  if (!/^[A-Za-z0-9-]+$/.test(marker)) throw new Error('readyCheck: the marker must be [A-Za-z0-9-]')
  return `if (${answers}) { [Console]::Out.WriteLine('${marker}') }`
}
