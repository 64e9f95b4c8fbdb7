/**
 * HostSession: the only way Node talks to a host (docs/execution.md section 5). One pwsh
 * process per host for the whole run, one request at a time, every request one line of base64
 * data, success decided by the protocol's result line only.
 *
 * What callers must know:
 * - openSession() finds pwsh (missing → InputError, exit 2, before anything is spawned),
 *   checks the transport (not implemented / no state file → InputError), starts pwsh and
 *   bootstraps the runtime; a host whose runtime cannot start → InputError (exit 2: nothing has
 *   changed on it yet).
 * - request() RESOLVES with a ResultLine for everything the host side does, failures included:
 *   the runtime's own `ok: false`, and failures the session makes up when the runtime gave no
 *   result (timeout, process exited, no result line, re-bootstrap failed; see SESSION_FAILURE
 *   and isSessionFailure). It rejects only for caller errors: a closed session, an onProgress
 *   callback that threw.
 * - A timeout kills that request's process; the next request runs on a fresh, re-bootstrapped
 *   one (stats.processesStarted counts them). Whatever the killed request did on the host is
 *   for the journal (rollback / recover) to undo.
 * - close() stops the process at once (a request still running fails). Always close.
 */
import {randomBytes} from 'node:crypto'
import {diagnostic, InputError} from '../model/diagnostic.js'
import type {Transport} from '../model/schemas.js'
import {hasHyperVModule, MANAGED_HOSTS} from '../model/host-os.js'
import {MESSAGES} from '../model/messages.js'
import {runtimeFiles} from './bootstrap.js'
import {checkPwsh, findShell} from './find-pwsh.js'
import {
  encodeRequest,
  parseProtocol,
  parseProtocolLine,
  type ProgressEvent,
  type ResultLine,
  type RuntimeRequest,
  SESSION_FAILURE,
  type SessionFailureCategory,
} from './protocol.js'
import {exitText, prestartPwsh, PwshProcess, type RunOutcome, takePrestartedPwsh, withoutDelimiters} from './pwsh-process.js'
import {type HostSide, hostSideFor, hostsNeedLocalPwsh, type SessionHost, type StartFailure} from './transports.js'

export interface RequestOptions {
  /** Called with each progress event as the runtime writes it, in order, while the request runs. */
  onProgress?(e: ProgressEvent): void
  /** This request's deadline (default: the session's timeoutMs). */
  timeoutMs?: number
}

export interface SessionStats {
  /** pwsh processes started for this host (1, plus one per replacement after a timeout or exit). */
  readonly processesStarted: number
  /** Requests sent (the bootstrap line is not one). */
  readonly requests: number
}

export interface HostSession {
  readonly host: string
  readonly transport: Transport
  request<T = unknown>(req: RuntimeRequest, opts?: RequestOptions): Promise<ResultLine<T>>
  close(): Promise<void>
  readonly stats: SessionStats
}

export interface OpenSessionOptions {
  /** The pwsh executable (default: findPwsh()). */
  pwsh?: string
  /** The runtime module's manifest (default: ps/HvGuest/HvGuest.psd1 of the package); Bootstrap.ps1 sits beside it. */
  runtimeModule?: string
  /** The emulator's module folder (default: ps/emulator of the package). */
  emulatorModules?: string
  /** Default per-request deadline. */
  timeoutMs?: number
  /** Deadline of the bootstrap line (process start + runtime import). */
  bootstrapTimeoutMs?: number
  /** The inventory file the host came from: a relative emulator.stateFile is relative to its folder (default: the current folder). */
  inventoryFile?: string | null
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 20 * 60_000
export const DEFAULT_BOOTSTRAP_TIMEOUT_MS = 120_000

/** At most this much of what a process printed goes into a message. */
const OUTPUT_IN_MESSAGE = 2000

export async function openSession(host: SessionHost, opts: OpenSessionOptions = {}): Promise<HostSession> {
  // A host whose inventory OS has no Hyper-V module (2008, 2008 R2) is refused before connecting.
  const declared = host.entry?.os
  if (declared !== undefined && !hasHyperVModule(declared)) {
    throw new InputError(diagnostic('hyperv-module-missing', 'error', MESSAGES.hostOsUnmanaged(host.name, declared, MANAGED_HOSTS), {host: host.name}))
  }
  // Before node-powershell is constructed: without pwsh, it crashes Node (find-pwsh.ts).
  // The inventory's shell: is the local session's PowerShell; an emulated host runs in pwsh 7 (the
  // emulator needs it), so it never falls back to Windows PowerShell.
  const side = hostSideFor(host, {files: () => runtimeFiles(opts), inventoryFile: opts.inventoryFile})
  // A remote host's shell is the far side's (ssh-transport.ts): no local pwsh is needed for it.
  const shell = host.transport === 'local' ? host.entry?.shell : 'pwsh'
  const pwsh = side.launch ? side.launch.executable : opts.pwsh !== undefined ? checkPwsh(opts.pwsh) : findShell({shell, host: host.name}).file
  const session = new PwshHostSession(host.name, side, pwsh, {
    timeoutMs: positive(opts.timeoutMs) ?? DEFAULT_REQUEST_TIMEOUT_MS,
    bootstrapTimeoutMs: positive(opts.bootstrapTimeoutMs) ?? DEFAULT_BOOTSTRAP_TIMEOUT_MS,
  })
  const failure = await session.start()
  if (failure !== undefined) {
    await session.close()
    const message = failure.code === 'input-invalid' ? `host "${host.name}" (${side.describe}): the PowerShell session could not start: ${failure.message}` : failure.message
    throw new InputError(diagnostic(failure.code, 'error', message, {host: host.name}))
  }
  // The bootstrap answer says whether the host has the Hyper-V module (absent in older runtimes: go on).
  if (session.hyperVModule === false) {
    await session.close()
    const message =
      host.transport === 'local' && host.entry === null && process.platform !== 'win32'
        ? MESSAGES.notAHyperVHost(PLATFORM_NAMES[process.platform] ?? process.platform, MANAGED_HOSTS)
        : MESSAGES.hyperVModuleMissing(host.name, side.describe, MANAGED_HOSTS)
    throw new InputError(diagnostic('hyperv-module-missing', 'error', message, {host: host.name}))
  }
  return session
}

/**
 * Starts, ahead of time, the pwsh that a local or emulated host's session runs (prestartPwsh in
 * pwsh-process.ts), unless every host the command line names is reached over ssh, whose
 * sessions run no pwsh here (hostsNeedLocalPwsh); without pwsh, nothing happens here and
 * openSession reports it as usual.
 */
export function prestartSessionShell(hosts?: {inventory?: string; hosts: readonly string[]; unsure?: boolean; cwd: string}): void {
  try {
    if (hosts && !hostsNeedLocalPwsh(hosts)) return
    prestartPwsh(findShell({shell: 'pwsh'}).file, {}, DEFAULT_BOOTSTRAP_TIMEOUT_MS)
  } catch {
    // no pwsh: openSession says so, with the install hint
  }
}

const PLATFORM_NAMES: Partial<Record<NodeJS.Platform, string>> = {linux: 'Linux', darwin: 'macOS', freebsd: 'FreeBSD'}

class PwshHostSession implements HostSession {
  readonly stats = {processesStarted: 0, requests: 0}
  readonly transport: Transport
  private proc: PwshProcess | undefined
  private queue: Promise<unknown> = Promise.resolve()
  private closed = false
  /** What the last bootstrap answered about the Hyper-V module; null when it did not say. */
  hyperVModule: boolean | null = null

  constructor(
    readonly host: string,
    private readonly side: HostSide,
    private readonly pwsh: string,
    private readonly limits: {timeoutMs: number; bootstrapTimeoutMs: number},
  ) {
    this.transport = side.transport
  }

  /** A host reached over a connection (ssh, PowerShell remoting): its process ending is a lost connection. */
  private get remote(): boolean {
    return this.side.transport === 'ssh' || this.side.transport === 'winrm'
  }

  /** A fresh process, bootstrapped. Returns undefined when ready, else why not. */
  async start(): Promise<StartFailure | undefined> {
    const launch = this.side.launch
    const proc = launch
      ? await PwshProcess.launch(launch, this.side.env)
      : ((await takePrestartedPwsh(this.pwsh, this.side.env)) ?? (await PwshProcess.start(this.pwsh, this.side.env, this.limits.bootstrapTimeoutMs)))
    this.proc = proc
    this.stats.processesStarted++
    const prepared = this.side.prepare ? await this.side.prepare((line) => proc.run(line, {timeoutMs: this.limits.bootstrapTimeoutMs})) : undefined
    if (prepared !== undefined) {
      if (this.proc === proc) this.proc = undefined
      await proc.kill()
      return prepared
    }
    const marker = `hvguest-ready-${randomBytes(8).toString('hex')}`
    const out = await proc.run(this.side.bootstrapLine(marker), {timeoutMs: this.limits.bootstrapTimeoutMs})
    const {result} = parseProtocol(out.stdout)
    let failure: string | undefined
    if (out.status === 'timeout') failure = `the bootstrap did not finish within ${seconds(this.limits.bootstrapTimeoutMs)}${printed(out)}`
    else if (out.status === 'exited') failure = `${launch ? this.side.processName : `pwsh (${this.pwsh})`} ${exitText(out)} during the bootstrap${printed(out)}`
    else if (result && !result.ok) failure = `${describeError(result)}${printed(out, true)}`
    else if (!out.stdout.includes(marker)) failure = `the runtime (Invoke-HvGuestRequest) is not available after Bootstrap.ps1${printed(out)}`
    if (failure === undefined && this.closed) failure = 'the session was closed'
    if (failure === undefined) {
      const said = (result?.data as {hyperVModule?: unknown} | undefined)?.hyperVModule
      this.hyperVModule = typeof said === 'boolean' ? said : null
    }
    if (failure !== undefined) {
      if (this.proc === proc) this.proc = undefined
      await proc.kill()
      return {code: 'input-invalid', message: failure}
    }
    return undefined
  }

  request<T = unknown>(req: RuntimeRequest, opts: RequestOptions = {}): Promise<ResultLine<T>> {
    if (this.closed) return Promise.reject(new Error(`the session to host "${this.host}" is closed`))
    this.stats.requests++
    const run = this.queue.then(() => this.execute(req, opts))
    this.queue = run.catch(() => {})
    return run as Promise<ResultLine<T>>
  }

  private async execute(req: RuntimeRequest, opts: RequestOptions): Promise<ResultLine> {
    if (this.closed) throw new Error(`the session to host "${this.host}" is closed`)
    const what = describeRequest(req)
    if (!this.proc || !this.proc.alive) {
      // The first request after a timeout (or an exit): a fresh process, bootstrapped again.
      this.proc = undefined
      const failure = await this.start()
      if (failure !== undefined) {
        const fresh = this.remote ? 'a new connection could not be opened' : 'a fresh pwsh process could not be bootstrapped'
        return this.failure(req, SESSION_FAILURE.bootstrap, undefined, `host "${this.host}": ${what} could not run: ${fresh}: ${failure.message}`)
      }
    }
    const proc = this.proc!
    const timeoutMs = positive(opts.timeoutMs) ?? this.limits.timeoutMs
    let last: ProgressEvent | undefined
    let callbackError: {error: unknown} | undefined
    const out = await proc.run(this.side.requestLine(encodeRequest(req)), {
      timeoutMs,
      onLine: (line) => {
        const p = parseProtocolLine(line)
        if (p?.type !== 'progress') return
        last = p
        if (!opts.onProgress || callbackError) return
        try {
          opts.onProgress(p)
        } catch (error) {
          callbackError = {error}
        }
      },
    })
    if (out.status !== 'done' && this.proc === proc) this.proc = undefined
    if (callbackError) throw callbackError.error

    if (out.status === 'timeout') {
      const during = last ? ` (last step reported: ${last.step}${last.guest ? ` of guest "${last.guest}"` : ''})` : ''
      return this.failure(
        req,
        SESSION_FAILURE.timeout,
        last,
        `host "${this.host}": ${what} timed out after ${seconds(timeoutMs)}${during}; its pwsh process was stopped, and the next request starts a fresh one${printed(out, true)}`,
      )
    }
    const {result} = parseProtocol(out.stdout)
    if (result) return result
    if (out.status === 'exited') {
      const lost = this.remote ? ` (the connection was lost; the next request opens a new one)` : ''
      return this.failure(req, SESSION_FAILURE.exited, last, `host "${this.host}": ${this.side.processName} ${exitText(out)} during ${what}, without a result${lost}${printed(out)}`)
    }
    return this.failure(req, SESSION_FAILURE.noResult, last, `host "${this.host}": ${what} ended without a result line${printed(out)}`)
  }

  private failure(req: RuntimeRequest, category: SessionFailureCategory, last: ProgressEvent | undefined, message: string): ResultLine {
    const guest = guestOf(req) ?? last?.guest
    return {
      hvguest: 1,
      type: 'result',
      ok: false,
      action: req.action,
      ...(guest !== undefined ? {guest} : {}),
      error: {step: last?.step ?? 'session', cmdlet: null, message, category},
    }
  }

  async close(): Promise<void> {
    this.closed = true
    const proc = this.proc
    this.proc = undefined
    await proc?.kill()
  }
}

/** The guest a request is about: `guest` (a PlannedGuest or a name). */
function guestOf(req: RuntimeRequest): string | undefined {
  const g = req.guest
  if (typeof g === 'string') return g
  if (typeof g === 'object' && g !== null && typeof (g as {name?: unknown}).name === 'string') return (g as {name: string}).name
  return undefined
}

function describeRequest(req: RuntimeRequest): string {
  const guest = guestOf(req)
  return `${req.action}${guest !== undefined ? ` of guest "${guest}"` : ''}`
}

/** A usable deadline, or undefined (absent, zero, negative, not a number: the default applies). */
const positive = (ms: number | undefined): number | undefined => (ms !== undefined && Number.isFinite(ms) && ms > 0 ? ms : undefined)

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`


/** `step (cmdlet): message` of a result's error. */
function describeError(r: ResultLine): string {
  const e = r.error
  if (!e) return `${r.action} failed`
  return `${e.step ? `${r.action} step ${e.step}` : r.action}${e.cmdlet ? ` (${e.cmdlet})` : ''}: ${e.message}`
}

/** `; pwsh printed: stderr: … stdout: …`, protocol lines and node-powershell's delimiters left out. */
function printed(out: RunOutcome, onlyIfAny = false): string {
  const tail = (s: string) => (s.length > OUTPUT_IN_MESSAGE ? `…${s.slice(-OUTPUT_IN_MESSAGE)}` : s)
  const stdout = withoutDelimiters(out.stdout)
    .split('\n')
    .filter((l) => !parseProtocolLine(l))
    .join('\n')
    .trim()
  const stderr = withoutDelimiters(out.stderr).trim()
  const parts = [stderr && `stderr: ${tail(stderr)}`, stdout && `stdout: ${tail(stdout)}`].filter(Boolean)
  if (parts.length > 0) return `; pwsh printed ${parts.join('; ')}`
  return onlyIfAny ? '' : '; pwsh printed nothing'
}
