/**
 * The CLI's first act (bin/run.js), before oclif loads: a command that will open a PowerShell
 * session starts its pwsh now, so that pwsh's own start overlaps Node's start, the command's
 * loading and the plan (src/powershell/pwsh-process.ts, prestartPwsh). Measured on a 2-core
 * machine: `create` reaches its first host request about 0.2 s sooner (bench/README.md). Every
 * command pays for loading this module and src/cli/bundles.ts (which it loads anyway to run), and
 * one argv check; a session command also reads its inventory's text, and parses it when it
 * mentions ssh, because hosts reached over ssh run no pwsh here (hostsNeedLocalPwsh).
 */
import {loadExecServices} from './bundles.js'

/**
 * The commands (and topics) that open a session on a host in the usual case. One missing here
 * only starts its pwsh later; one here that opens none wastes a process start on the other core.
 */
const SESSION_COMMANDS = new Set(['create', 'list', 'destroy', 'recover', 'doctor', 'net', 'ic'])
/** Flags with which they open none (a plan shown or written, or help). */
const NO_SESSION_FLAGS = new Set(['--dry-run', '--emit', '--help', '-h'])

export function wantsSession(argv: readonly string[]): boolean {
  if (!SESSION_COMMANDS.has(argv[0] ?? '')) return false
  return !argv.some((a) => NO_SESSION_FLAGS.has(a.split('=')[0]!))
}

/**
 * The inventory and the hosts a command line names (--inventory / -i, --host), as oclif reads
 * them: `--flag VALUE`, `--flag=VALUE`, `-i VALUE`, `-iVALUE`, `-i=VALUE`. Which hosts they are
 * decides whether a local pwsh is started at all (hosts reached over ssh need none). `unsure`
 * when an -i may hide in a group of short flags (`-yi FILE`): the pwsh is then started as usual.
 */
export function hostsOf(argv: readonly string[]): {inventory?: string; hosts: string[]; unsure: boolean} {
  let inventory: string | undefined
  const hosts: string[] = []
  let unsure = false
  for (let i = 0; i < argv.length && argv[i] !== '--'; i++) {
    const arg = argv[i]!
    if (/^-[^-i]\S*i/.test(arg)) unsure = true
    const [flag, inline] = splitFlag(arg)
    if (flag !== '--inventory' && flag !== '-i' && flag !== '--host') continue
    const value = inline ?? argv[++i]
    if (value === undefined) break
    if (flag === '--host') hosts.push(value)
    else inventory = value
  }
  return {inventory, hosts, unsure}
}

/** A flag and the value written into it (`--flag=VALUE`, `-iVALUE`, `-i=VALUE`), if any. */
function splitFlag(arg: string): [string, string | undefined] {
  if (arg.startsWith('--')) {
    const eq = arg.indexOf('=')
    return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)]
  }
  if (!arg.startsWith('-i') || arg.length === 2) return [arg, undefined]
  return ['-i', arg.slice(arg[2] === '=' ? 3 : 2)]
}

/**
 * Starts the session's pwsh when argv names a session command; returns what lets go of one that no
 * session adopted (at once: the CLI does not wait for it to exit).
 */
export async function prestartFor(argv: readonly string[], cwd = process.cwd()): Promise<() => void> {
  if (!wantsSession(argv)) return () => {}
  try {
    const s = await loadExecServices()
    s.prestartSessionShell({...hostsOf(argv), cwd})
    return () => void s.stopPrestartedPwsh()
  } catch {
    // the command loads the services again and reports whatever is wrong
    return () => {}
  }
}
