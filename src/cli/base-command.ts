/**
 * Every hvguest command extends this. It owns the exit-code contract (README.md, 'Exit codes'):
 * 0 success, 1 the operation failed on a host, 2 invalid input. oclif 4 exits 1 for a flag
 * parse error when --json is given; here every parse error and every
 * InputError exits 2, with one clear line per problem and no stack trace.
 */
import {Command} from './oclif.js'
import {formatDiagnostic, isInputError, type Diagnostic} from '../model/diagnostic.js'

export const EXIT = {ok: 0, hostFailure: 1, invalidInput: 2} as const

/** The JSON printed for a failed command under --json. */
export interface ErrorJson {
  status: 'error'
  exitCode: number
  error: {name: string; message: string; diagnostics: Diagnostic[]}
}

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  /** Print one line to stdout unless --json is on (JSON mode prints the result only). */
  protected say(line = ''): void {
    if (!this.jsonEnabled()) this.log(line)
  }

  /**
   * Runs a long host operation that the first Ctrl-C interrupts gracefully: the signal it gets
   * is aborted, the step under way finishes and the run rolls back; a second Ctrl-C leaves at once.
   */
  protected async interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const abort = new AbortController()
    const onSigint = () => {
      if (abort.signal.aborted) process.exit(130)
      this.logToStderr('Interrupted: finishing the current step, then rolling back (Ctrl-C again to leave now; then run "hvguest recover").')
      abort.abort()
    }
    process.on('SIGINT', onSigint)
    try {
      return await work(abort.signal)
    } finally {
      process.off('SIGINT', onSigint)
    }
  }

  /** Print diagnostics to stderr, one line each (human mode only). */
  protected sayDiagnostics(ds: readonly Diagnostic[]): void {
    if (this.jsonEnabled()) return
    for (const d of ds) this.logToStderr(formatDiagnostic(d))
  }

  override async catch(err: Error & {oclif?: {exit?: number}; code?: string}): Promise<unknown> {
    // this.exit(n) throws an ExitError: let oclif finish it.
    if (err.code === 'EEXIT') throw err
    const exitCode = exitCodeFor(err)
    process.exitCode = exitCode
    const diagnostics = isInputError(err) ? err.diagnostics : []
    if (this.jsonEnabled()) {
      const json: ErrorJson = {status: 'error', exitCode, error: {name: err.name, message: err.message, diagnostics}}
      this.logJson(json)
      return
    }
    if (isInputError(err)) {
      for (const d of diagnostics) this.logToStderr(formatDiagnostic(d))
    } else if (err.name === 'HostUnreachable' || err.name === 'HostSetupFailed') {
      // A host that cannot be asked at all, or set up (by shape, as for InputError): exit 1, no stack.
      this.logToStderr(`error: ${err.message}`)
    } else if (isParseError(err)) {
      // oclif's message already ends with its own "See more help with --help".
      this.logToStderr(`error: ${err.message}`)
    } else {
      // A bug, not bad input: say so, and keep the stack out of the way unless asked for.
      this.logToStderr(`internal error: ${err.message}`)
      if (process.env.HVGUEST_DEBUG) this.logToStderr(err.stack ?? '')
      else this.logToStderr('Run again with HVGUEST_DEBUG=1 for the stack trace, and report it.')
    }
    return
  }
}

function isParseError(err: {oclif?: {exit?: number}}): boolean {
  return typeof err.oclif?.exit === 'number'
}

export {isInputError} from '../model/diagnostic.js'

export function exitCodeFor(err: Error & {oclif?: {exit?: number}}): number {
  if (isInputError(err)) return EXIT.invalidInput
  // oclif's parse errors (unknown flag, bad option, missing arg) carry exit 2.
  if (isParseError(err)) return err.oclif!.exit === 1 ? EXIT.hostFailure : EXIT.invalidInput
  return EXIT.hostFailure
}
