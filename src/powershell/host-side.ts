/**
 * What a transport gives a session (transports.ts): the host side of one session. Its own file
 * so that each transport (transports.ts, ssh-transport.ts) imports the contract, not the others.
 */
import type {Code} from '../model/codes.js'
import type {Transport} from '../model/schemas.js'
import type {TargetHost} from '../model/target-host.js'
import type {RuntimeFiles} from './bootstrap.js'
import type {Launch, RunOutcome} from './pwsh-process.js'

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
  /** The session's process in messages: `the pwsh process`, `the ssh connection to …`. */
  readonly processName: string
  /** The process to start instead of the local pwsh (ssh); such a process's pids are never signalled but its own. */
  readonly launch?: Launch
  /** Lines run before the bootstrap line (ssh: staging the runtime); undefined when they went well. */
  prepare?(run: (line: string) => Promise<RunOutcome>): Promise<StartFailure | undefined>
}

/** Why a session could not start, with the code its diagnostic gets (exit 2: nothing changed yet). */
export interface StartFailure {
  code: Code
  message: string
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
