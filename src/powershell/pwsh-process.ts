/**
 * One pwsh process, kept by one node-powershell instance: the only file that touches
 * node-powershell, so that its traps (listed below) are handled here and nowhere else.
 *
 * - `throwOnInvocationError: false`: node-powershell fails any call that wrote to stderr;
 *   here stderr is captured and decides nothing (the protocol's result line does).
 * - Timeouts are our own timer per invocation. A timed-out command keeps running inside pwsh
 *   and would poison the next call, so the process is killed at once and never reused.
 * - node-powershell only hands stdout over in bulk when a call ends: a listener on the
 *   instance's stdout stream sees every line as it is written (live progress).
 * - Its `exitPromise` rejects when the process dies abnormally (or cannot be spawned) and
 *   nothing awaits it between calls: that rejection is caught here, or Node would crash.
 * - `history` is cleared after every call (it keeps every command and its output forever).
 * - Commands are one line (`-Command -` reads line by line); a multi-line one is refused.
 * - node-powershell lets `NODE_POWERSHELL` override the executable; the pwsh found by
 *   findPwsh is used, always.
 * - The pwsh that node-powershell spawns may be a launcher: the `.tools/pwsh` that `dotnet tool
 *   install` creates starts `dotnet pwsh.dll` as ITS child and does not pass signals on. Killing
 *   only the launcher would leave the real pwsh running the timed-out command. So every process
 *   first reports its own `$PID`, and kill() stops that process first (the launcher then exits
 *   with it and reaps it), the launcher after it.
 * node-powershell is imported lazily: commands that never open a session never load it.
 */
import type {ChildProcess} from 'node:child_process'
import {once} from 'node:events'

export interface RunOutcome {
  /** `done`: the command finished. `timeout`: killed at the deadline. `exited`: the process ended during the call. */
  status: 'done' | 'timeout' | 'exited'
  /** Everything written to stdout / stderr during the call (node-powershell's delimiters removed). */
  stdout: string
  stderr: string
  /** For `exited`: how it ended. */
  exit?: {code: number | null; signal: string | null; error?: string}
  ms: number
}

export interface RunOptions {
  timeoutMs: number
  /** Each complete stdout line, as it arrives. */
  onLine?: (line: string) => void
}

interface ShellInternals {
  process: ChildProcess
  exitPromise: Promise<void>
  history: unknown[]
  streams: {stdin: NodeJS.WritableStream; stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream}
  invoke(command: string): Promise<unknown>
  dispose(signal?: NodeJS.Signals): Promise<void>
}

/**
 * Defaults for the session's pwsh that the user's own environment overrides. A session lives for
 * one command, so what pwsh does at start is most of its cost (docs/execution.md, "Session start"):
 * no telemetry ping and no update check at startup (POWERSHELL_TELEMETRY_OPTOUT,
 * POWERSHELL_UPDATECHECK: learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_telemetry
 * and about_update_notifications), and no tiered-PGO instrumentation of the JIT's first tier
 * (DOTNET_TieredPGO=0: learn.microsoft.com/dotnet/core/runtime-config/compilation), which pays
 * back only in long-running processes. Measured: 8% less CPU for a session that imports the
 * emulator and the runtime (2.49 s against 2.29 s, 8 runs each, alternating).
 */
export const SESSION_ENV_DEFAULTS: Readonly<Record<string, string>> = {
  POWERSHELL_TELEMETRY_OPTOUT: '1',
  POWERSHELL_UPDATECHECK: 'Off',
  DOTNET_TieredPGO: '0',
}

/**
 * A session process that is not the local pwsh (the ssh client of transport: ssh): its command
 * line as given, no pid probe (the far side's $PID is not a process here), and kill() signals
 * this child only.
 */
export interface Launch {
  executable: string
  args: string[]
}

type ShellFactory = (pwsh: string, env: NodeJS.ProcessEnv, args?: string[]) => ShellInternals

let factory: Promise<ShellFactory> | undefined

/** node-powershell's PowerShell class, with the executable we found (never NODE_POWERSHELL). */
function shellFactory(): Promise<ShellFactory> {
  factory ??= import('node-powershell').then((mod) => {
    type Mod = typeof import('node-powershell')
    const PowerShell = (mod as unknown as Mod).PowerShell ?? (mod as unknown as {default: Mod}).default.PowerShell
    class HostShell extends PowerShell {
      protected override setExecutable(options: {executable?: string}): string {
        return options.executable!
      }
    }
    // node-powershell adds -NoLogo -NoExit -Command - to any executable; a Launch's command line is
    // taken as it is. (setExecutableOptions is private in its types, so it is replaced here.)
    type Options = {argv?: string[]}
    const proto = HostShell.prototype as unknown as {setExecutableOptions(o: Options): string[]}
    const inherited = proto.setExecutableOptions
    proto.setExecutableOptions = function (this: unknown, options: Options) {
      return options.argv ?? inherited.call(this, options)
    }
    return (pwsh: string, env: NodeJS.ProcessEnv, argv?: string[]) =>
      new HostShell({
        argv,
        executable: pwsh,
        executableOptions: {'-NoProfile': true, '-NonInteractive': true},
        throwOnInvocationError: false,
        // 0: no timeout inside node-powershell; each call has our own deadline (see run()).
        invocationTimeout: 0,
        spawnOptions: {env, windowsHide: true},
      } as ConstructorParameters<typeof PowerShell>[0] & {argv?: string[]}) as unknown as ShellInternals
  })
  return factory
}

/** At most this much of what a process wrote to stderr between calls is kept for the next call's outcome. */
const STDERR_BETWEEN_CALLS = 8000
/** How long a killed process gets to go before it is killed hard. */
const KILL_GRACE_MS = 3000
/** node-powershell's per-call delimiter lines: 16 characters of [0-9A-Za-z]. */
const DELIMITER_LINE = /^[0-9A-Za-z]{16}\r?$/

export class PwshProcess {
  private exited = false
  private held = true
  private exitInfo: {code: number | null; signal: string | null; error?: string} | undefined
  private readonly exitedPromise: Promise<void>
  private readonly closed: Promise<void>
  /** The pid of the process that runs PowerShell (the spawned one, or its child when that is a launcher). */
  private realPid: number | undefined
  private current: {stdout: string; stderr: string; partial: string; onLine?: (line: string) => void} | undefined
  /** stderr printed while no call ran (an ssh that fails to connect says why before its first line), bounded. */
  private between = ''

  private constructor(
    private readonly shell: ShellInternals,
    readonly pwsh: string,
  ) {
    const child = shell.process
    if (!child || typeof child.once !== 'function') {
      throw new Error('node-powershell internals changed: the pwsh child process is not reachable (node-powershell 5.0.1 is required)')
    }
    // The trap: a rejection of exitPromise with nobody awaiting it would crash Node.
    shell.exitPromise.catch(() => {})
    // Writes racing a dying process raise EPIPE on stdin; node-powershell listens only once.
    shell.streams.stdin.on('error', () => {})
    let spawnError: string | undefined
    child.once('error', (error: Error) => {
      spawnError = error.message
    })
    this.exitedPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true
        this.exitInfo = {code, signal, ...(spawnError ? {error: spawnError} : {})}
        resolve()
      })
      child.once('error', () => {
        // A spawn failure emits no 'exit' on every Node version.
        if (child.pid === undefined) {
          this.exited = true
          this.exitInfo = {code: null, signal: null, error: spawnError}
          resolve()
        }
      })
    })
    // stdout/stderr fully read: everything the process printed has been seen.
    this.closed = Promise.all([streamClosed(shell.streams.stdout), streamClosed(shell.streams.stderr)]).then(() => {})
    shell.streams.stdout.on('data', (chunk: string | Buffer) => this.onStdout(typeof chunk === 'string' ? chunk : chunk.toString('utf8')))
    shell.streams.stderr.on('data', (chunk: string | Buffer) => {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8')
      if (this.current) this.current.stderr += text
      else this.between = (this.between + text).slice(-STDERR_BETWEEN_CALLS)
    })
  }

  /**
   * Starts pwsh (`-NoProfile -NonInteractive -NoExit -Command -`) and learns the pid of the process
   * that really runs PowerShell. `pwsh` must have been checked to exist. A process that fails to
   * start is returned all the same: its first run() reports how it ended.
   */
  static async start(pwsh: string, env: Record<string, string> = {}, timeoutMs = 60_000): Promise<PwshProcess> {
    const proc = await PwshProcess.spawn(pwsh, env)
    await proc.probePid(timeoutMs)
    return proc
  }

  /** The process, spawned; start() without the pid probe (prestartPwsh runs the probe itself). */
  static async spawn(pwsh: string, env: Record<string, string> = {}): Promise<PwshProcess> {
    const make = await shellFactory()
    // TERM=dumb: pwsh then writes no terminal escapes (`ESC[?1h`) in front of output lines.
    return new PwshProcess(make(pwsh, {...SESSION_ENV_DEFAULTS, ...process.env, TERM: 'dumb', ...env}), pwsh)
  }

  /**
   * A Launch's process (ssh), spawned. No pid probe: the $PID its shell reports belongs to the
   * far side, so kill() ends this child only and the far side ends with its connection. (The
   * far side's pwsh may still write `ESC[?1h` around output: protocol.ts reads lines without them.)
   */
  static async launch(launch: Launch, env: Record<string, string> = {}): Promise<PwshProcess> {
    const make = await shellFactory()
    return new PwshProcess(make(launch.executable, {...process.env, ...env}, launch.args), launch.executable)
  }

  /** Learns the pid of the process that really runs PowerShell (see kill()). */
  async probePid(timeoutMs: number): Promise<void> {
    const probe = await this.run("[Console]::Out.WriteLine('hvguest-pid=' + $PID)", {timeoutMs})
    const pid = /hvguest-pid=(\d+)/.exec(probe.stdout)
    if (probe.status === 'done' && pid) this.realPid = Number(pid[1])
  }

  /**
   * Whether this process keeps Node running (it does from its start). A prestarted process
   * (prestartPwsh) is not held until a session adopts it, so a command that never needs it ends
   * when its own work ends, and the deadline of a call made meanwhile does not hold Node either.
   */
  hold(held: boolean): void {
    this.held = held
    const handles: Array<{ref?: () => unknown; unref?: () => unknown} | undefined> = [
      this.shell.process,
      ...[this.shell.streams.stdin, this.shell.streams.stdout, this.shell.streams.stderr].map((s) => s as unknown as {ref?: () => unknown; unref?: () => unknown}),
    ]
    for (const h of handles) (held ? h?.ref : h?.unref)?.call(h)
  }

  /**
   * Lets the process go without waiting for it: its stdin is closed (pwsh reading `-Command -` ends
   * at end of input, and a launcher's child reads the same stdin) and the real pwsh, when known,
   * gets SIGTERM. For a process no session adopted; the process holds Node no more.
   */
  release(): void {
    this.hold(false)
    this.shell.streams.stdin.end()
    if (this.realPid !== undefined && this.realPid !== this.shell.process.pid) sendSignal(this.realPid, 'SIGTERM')
  }

  /** Resolves when the process has exited. */
  get exitedAt(): Promise<void> {
    return this.exitedPromise
  }

  get alive(): boolean {
    return !this.exited
  }

  get pid(): number | undefined {
    return this.shell.process.pid
  }

  private onStdout(chunk: string): void {
    const cur = this.current
    if (!cur) return // between calls: nothing is listening, and nothing may leak into the next call
    cur.stdout += chunk
    if (!cur.onLine) return
    cur.partial += chunk
    const lines = cur.partial.split('\n')
    cur.partial = lines.pop()!
    for (const line of lines) cur.onLine(line)
  }

  /** Runs one line. Never throws for what pwsh does; see RunOutcome. One call at a time. */
  async run(command: string, opts: RunOptions): Promise<RunOutcome> {
    if (/[\r\n]/.test(command)) throw new Error('PwshProcess.run: commands are one line (pwsh reads `-Command -` line by line)')
    if (this.current) throw new Error('PwshProcess.run: one call at a time')
    const started = Date.now()
    const cur: NonNullable<PwshProcess['current']> = {stdout: '', stderr: '', partial: '', onLine: opts.onLine}
    this.current = cur
    let timer: NodeJS.Timeout | undefined
    try {
      if (this.exited) return {status: 'exited', stdout: '', stderr: this.takeBetween(), exit: this.exitInfo, ms: 0}
      cur.stderr = this.takeBetween()
      const invoked = this.shell.invoke(command).then(
        () => 'done' as const,
        () => 'exited' as const, // node-powershell rejects only when the process ended
      )
      const deadline = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), opts.timeoutMs)
        if (!this.held) timer.unref()
      })
      let status: RunOutcome['status'] = await Promise.race([invoked, deadline, this.exitedPromise.then(() => 'exited' as const)])
      if (status === 'done' && this.exited) status = 'exited'
      if (status === 'timeout') {
        await this.kill()
      } else if (status === 'exited') {
        // The process is gone: read what it printed to the end (bounded, in case a grandchild
        // holds the pipes), and make sure a real pwsh behind a launcher went with it.
        await Promise.race([this.closed, delay(1000)])
        await this.kill()
      }
      if (cur.partial && cur.onLine) cur.onLine(cur.partial)
      return {
        status,
        stdout: cur.stdout,
        stderr: cur.stderr,
        ...(status === 'exited' ? {exit: this.exitInfo} : {}),
        ms: Date.now() - started,
      }
    } finally {
      clearTimeout(timer)
      this.current = undefined
      this.shell.history.length = 0
    }
  }

  private takeBetween(): string {
    const text = this.between
    this.between = ''
    return text
  }

  /**
   * Stops the process, the real pwsh first: SIGTERM, then SIGKILL after a grace period.
   * Resolves once both the spawned process and the real pwsh have gone.
   */
  async kill(): Promise<void> {
    const launcher = this.shell.process.pid
    const real = this.realPid !== undefined && this.realPid !== launcher ? this.realPid : undefined
    const allGone = () => this.exited && (real === undefined || !isAlive(real))
    if (allGone()) return
    const signal = (sig: NodeJS.Signals) => {
      if (real !== undefined) sendSignal(real, sig)
      if (!this.exited) {
        if (sig === 'SIGTERM' && real !== undefined) return // the launcher exits with the real pwsh
        if (sig === 'SIGTERM') this.shell.dispose('SIGTERM').catch(() => {})
        else sendSignal(launcher, sig)
      }
    }
    signal('SIGTERM')
    if (await waitFor(allGone, KILL_GRACE_MS)) return
    signal('SIGKILL')
    if (real !== undefined && !this.exited) sendSignal(launcher, 'SIGKILL')
    await waitFor(allGone, KILL_GRACE_MS)
  }
}

/**
 * One pwsh process started before the command knows it needs one (src/cli/prestart.ts): pwsh's own
 * start (about 0.3 s) then overlaps Node's start, the command's loading and the plan, instead of
 * following them. The first session that asks for the same executable and environment adopts it
 * (takePrestartedPwsh). Until then it holds Node neither by its pipes nor by its pid probe's
 * deadline, and one that nobody adopts is let go when the command ends (stopPrestartedPwsh),
 * without waiting for it. It runs nothing but the pid probe every process runs.
 */
interface Prestarted {
  pwsh: string
  env: string
  /** waiting: nobody has asked for it yet; adopted: a session took it; stopped: let go. */
  state: 'waiting' | 'adopted' | 'stopped'
  /** Set once spawned, before its pid probe. */
  spawned?: PwshProcess
  /** Settles once the pid probe has answered (or failed). */
  proc?: Promise<PwshProcess>
}
let prestarted: Prestarted | undefined

export function prestartPwsh(pwsh: string, env: Record<string, string> = {}, timeoutMs = 60_000): void {
  if (prestarted) return
  const entry: Prestarted = {pwsh, env: JSON.stringify(env), state: 'waiting'}
  entry.proc = PwshProcess.spawn(pwsh, env).then(async (proc) => {
    entry.spawned = proc
    if (entry.state === 'stopped') proc.release()
    else {
      if (entry.state === 'waiting') proc.hold(false)
      await proc.probePid(timeoutMs)
    }
    return proc
  })
  entry.proc.catch(() => {})
  prestarted = entry
}

/** The prestarted process, when it runs this executable with this environment and is alive; taken once. */
export async function takePrestartedPwsh(pwsh: string, env: Record<string, string> = {}): Promise<PwshProcess | undefined> {
  const p = prestarted
  if (!p || p.pwsh !== pwsh || p.env !== JSON.stringify(env)) return undefined
  prestarted = undefined
  p.state = 'adopted'
  // held from now on, so that Node waits for its pid probe to answer
  p.spawned?.hold(true)
  const proc = await p.proc?.catch(() => undefined)
  if (!proc?.alive) {
    await proc?.kill()
    return undefined
  }
  proc.hold(true)
  return proc
}

/**
 * Lets a prestarted process that no session adopted go (PwshProcess.release), without waiting for
 * it; one still being spawned is let go as soon as it is. Returns when it has exited, for whoever
 * wants to know (the CLI does not wait).
 */
export function stopPrestartedPwsh(): Promise<void> {
  const p = prestarted
  prestarted = undefined
  if (!p) return Promise.resolve()
  p.state = 'stopped'
  p.spawned?.release()
  return (p.proc ?? Promise.resolve(undefined)).then(
    (proc) => proc?.exitedAt,
    () => {},
  )
}

/** Output with node-powershell's delimiter lines removed, for messages. */
export function withoutDelimiters(text: string): string {
  return text
    .split('\n')
    .filter((line) => !DELIMITER_LINE.test(line))
    .join('\n')
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function sendSignal(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return
  try {
    process.kill(pid, sig)
  } catch {
    // already gone
  }
}

async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms
  while (!condition()) {
    if (Date.now() >= until) return false
    await delay(25)
  }
  return true
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function streamClosed(stream: NodeJS.ReadableStream): Promise<void> {
  return once(stream as unknown as NodeJS.EventEmitter, 'close').then(
    () => {},
    () => {},
  )
}

/** How a process ended, for messages: `exited with code 255`, `was killed (SIGKILL)`. */
export function exitText(out: RunOutcome): string {
  const e = out.exit
  if (!e) return 'exited'
  if (e.error) return `could not run (${e.error})`
  if (e.signal) return `was killed (${e.signal})`
  return `exited with code ${e.code}`
}
