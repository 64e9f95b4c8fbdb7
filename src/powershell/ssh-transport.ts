/**
 * `transport: ssh` (docs/remote-hosts.md): Node spawns the OpenSSH client, and the remote shell
 * (pwsh, or Windows PowerShell 5.1 with `shell: powershell`) reading `-Command -` is the session's
 * long-lived process. The requests and protocol lines are those of a local session; what differs:
 *
 * - the process: `ssh -T` with BatchMode=yes (no prompt ever blocks a run), keep-alives, and
 *   StrictHostKeyChecking=yes (the host key checked against known_hosts; sshOptions and
 *   ssh_config cannot undo it, since ssh keeps the first value given);
 * - the runtime travels: the first line runs the stager (ps/HvGuest/Stage.ps1), which checks the
 *   host's cached copy against the manifest and is sent the files only when that fails;
 * - a process that ends before the session is ready is a connection problem, told apart by what
 *   ssh printed (classifySshFailure), each with its code and fix, exit 2 before any change;
 * - ending the session ends the ssh child only: the far side's pid is never signalled here.
 */
import {readFileSync} from 'node:fs'
import {diagnostic, InputError} from '../model/diagnostic.js'
import {identityFilePath} from '../resolve/targets.js'
import {readyCheck, SESSION_PRELUDE} from './bootstrap.js'
import {farSideRuntime, stageAnswer, stageRuntime} from './far-side-runtime.js'
import {isExecutableFile, onPath} from './find-pwsh.js'
import {requestLine} from './protocol.js'
import {exitText, type RunOutcome} from './pwsh-process.js'
import type {HostSide, SessionHost, StartFailure, TransportAdapter} from './host-side.js'

/** Seconds ssh waits for the connection when the inventory does not say (connectTimeoutSeconds). */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 15
/**
 * What hvguest always gives ssh, before anything of the inventory's: no prompt can block a run,
 * host keys are checked against known_hosts, and a host that stops answering is found within
 * about a minute (keep-alives), not at the TCP timeout. ssh keeps the first value it is given of
 * an option, so neither sshOptions nor ssh_config can undo these. Both remote transports use them.
 */
export const ENFORCED_SSH_OPTIONS: ReadonlyArray<readonly [string, string]> = [
  ['BatchMode', 'yes'],
  ['StrictHostKeyChecking', 'yes'],
  ['ServerAliveInterval', '15'],
  ['ServerAliveCountMax', '4'],
]

/** The inventory's sshOptions as ssh_config values (yes/no for booleans). */
export const inventorySshOptions = (entry: SessionHost['entry']): Array<[string, string]> =>
  Object.entries(entry?.sshOptions ?? {}).map(([key, value]) => [key, value === true ? 'yes' : value === false ? 'no' : String(value)])

/** The remote command: the shell, reading its commands line by line from stdin. */
export function remoteShellCommand(shell: string | undefined): string {
  const exe = shell === undefined || shell === 'pwsh' ? 'pwsh' : shell === 'powershell' ? 'powershell' : `"${shell}"`
  return `${exe} -NoLogo -NoProfile -NonInteractive -NoExit -Command -`
}

/** The ssh command line for a host: ENFORCED_SSH_OPTIONS first, the inventory's last. */
export function sshArguments(host: SessionHost, inventoryFile: string | null | undefined): string[] {
  const e = host.entry
  const option = ([key, value]: readonly [string, string]) => ['-o', `${key}=${value}`]
  const args = ['-T', ...ENFORCED_SSH_OPTIONS.flatMap(option)]
  args.push('-o', `ConnectTimeout=${e?.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS}`)
  if (e?.port !== undefined) args.push('-p', String(e.port))
  if (e?.identityFile !== undefined) args.push('-i', identityFilePath(e.identityFile, inventoryFile ?? null), '-o', 'IdentitiesOnly=yes')
  if (e?.user !== undefined) args.push('-l', e.user)
  args.push(...inventorySshOptions(e).flatMap(option))
  args.push('--', e?.address ?? host.name, remoteShellCommand(e?.shell))
  return args
}

/** The OpenSSH client: HVGUEST_SSH, else ssh on PATH. */
export function findSsh(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.HVGUEST_SSH) return env.HVGUEST_SSH
  const exe = platform === 'win32' ? 'ssh.exe' : 'ssh'
  const found = onPath(exe, env, platform).find((f) => isExecutableFile(f, platform))
  if (found) return found
  throw new InputError(
    diagnostic(
      'input-invalid',
      'error',
      'transport: ssh needs the OpenSSH client (ssh), which is not on PATH. Install it: "apt-get install openssh-client" (Debian, Ubuntu), it ships with macOS, and on Windows 10/11 Add-WindowsCapability -Online -Name OpenSSH.Client~~~~0.0.1.0; or set HVGUEST_SSH to the ssh executable.',
    ),
  )
}

/**
 * What an ssh that ended before the session was ready means, from its exit code and stderr
 * (OpenSSH's own wording, which is not localized). undefined: not a connection problem.
 */
export function classifySshFailure(stderr: string, code: number | null, host: SessionHost): StartFailure | undefined {
  const e = host.entry
  const where = `${e?.user ? `${e.user}@` : ''}${e?.address ?? host.name}${e?.port ? ` port ${e.port}` : ''}`
  const said = stderr.trim().split('\n').filter(Boolean).slice(-3).join(' / ')
  const tail = said ? ` (ssh: ${said})` : ''
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed|No \S+ host key is known for|host key for .* has changed/i.test(stderr)) {
    return {
      code: 'ssh-host-key-unknown',
      message:
        `host "${host.name}": the host key of ${where} is not in known_hosts, or is not the one recorded there${tail}. hvguest checks host keys and never turns that off. ` +
        `Check the host's key fingerprint with its administrator (on the host: Get-ChildItem $env:ProgramData\\ssh\\ssh_host_*_key.pub), then add it: ssh-keyscan${e?.port ? ` -p ${e.port}` : ''} ${e?.address ?? host.name} >> ~/.ssh/known_hosts (or name another file with sshOptions: { UserKnownHostsFile: FILE }).`,
    }
  }
  if (/Permission denied \(|Too many authentication failures|no mutual signature algorithm/i.test(stderr)) {
    return {
      code: 'ssh-auth-failed',
      message:
        `host "${host.name}": ${where} refused the key${tail}. hvguest logs in with a key only (BatchMode: no password prompt). ` +
        `Add the public key of ${e?.identityFile ?? 'your ssh key'} to that user's authorized_keys on the host (for a member of Administrators on Windows: C:\\ProgramData\\ssh\\administrators_authorized_keys), or set identityFile and user in the inventory.`,
    }
  }
  if (/Connection refused|Connection timed out|timed out during banner exchange|Operation timed out|Could not resolve hostname|Name or service not known|No route to host|Network is unreachable|Connection reset|Connection closed by|kex_exchange_identification/i.test(stderr) || (code === 255 && !said)) {
    return {
      code: 'host-unreachable',
      message: `host "${host.name}": could not connect to ${where} over ssh${tail}. Check that the host is up, that its OpenSSH Server (sshd) runs and the firewall lets port ${e?.port ?? 22} in, and the address in the inventory.`,
    }
  }
  if (code === 127 || /command not found|No such file or directory|is not recognized as an internal or external command|not found/i.test(stderr)) {
    const shell = e?.shell ?? 'pwsh'
    return {
      code: 'remote-shell-missing',
      message:
        `host "${host.name}": the remote shell ${shell} is not there on ${where}${tail}. Install PowerShell 7 on the host (winget install Microsoft.PowerShell), or use shell: powershell for Windows PowerShell 5.1, or shell: with the absolute path of pwsh.exe on the host.`,
    }
  }
  return undefined
}

/** The stager's statements as one line (see the header of ps/HvGuest/Stage.ps1 for the rules it follows). */
const stagerBodies = new Map<string, string>()
export function stagerLine(stager: string, configBase64: string, payloadBase64: string): string {
  let body = stagerBodies.get(stager)
  if (body === undefined) {
    body = readFileSync(stager, 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'))
      .join('; ')
    stagerBodies.set(stager, body)
  }
  return `& { ${body} } '${configBase64}' '${payloadBase64}'`
}

export const ssh: TransportAdapter = {
  name: 'ssh',
  hostSide(host, ctx) {
    const runtime = farSideRuntime(host, ctx)
    const address = `${host.entry?.user ? `${host.entry.user}@` : ''}${host.entry?.address ?? host.name}`
    const shell = `the remote shell ${host.entry?.shell ?? 'pwsh'}`
    const side: HostSide = {
      transport: 'ssh',
      describe: `ssh ${address}${runtime.stateFile !== undefined ? `, emulated host (state ${runtime.stateFile})` : ''}`,
      processName: `the ssh connection to ${address}`,
      env: {},
      launch: {executable: findSsh(), args: sshArguments(host, ctx.inventoryFile)},
      // The prelude goes with each stager line: it is cheap, and the first line is either one.
      prepare: (run) =>
        stageRuntime(runtime, async (payloadBase64) => {
          const out = await run(`${SESSION_PRELUDE}; ${stagerLine(runtime.stager, runtime.manifestBase64, payloadBase64)}`)
          return explain(out) ?? stageAnswer(out, host, shell, (stderr) => classifySshFailure(stderr, null, host))
        }),
      bootstrapLine: (ready) => `. (Join-Path $global:HvGuestStagedRoot 'HvGuest/Bootstrap.ps1') -ConfigBase64 '${runtime.bootstrapConfigBase64}'; ${readyCheck(ready)}`,
      requestLine,
    }
    /** A connection that ended or timed out before the session was ready. */
    function explain(out: RunOutcome): StartFailure | undefined {
      if (out.status === 'timeout') {
        return {code: 'host-unreachable', message: `host "${host.name}": ${address} did not answer over ssh in time (the connection and the runtime's staging)`}
      }
      if (out.status !== 'exited') return undefined
      const said = out.stderr.trim() ? ` (it printed: ${out.stderr.trim().slice(-500)})` : ''
      return (
        classifySshFailure(out.stderr, out.exit?.code ?? null, host) ??
        // 255 is ssh's own failure; any other code is the remote command's, which is then no PowerShell that runs.
        (out.exit?.code === 255 || out.exit?.code === undefined || out.exit?.code === null
          ? {code: 'host-unreachable', message: `host "${host.name}": ssh to ${address} ${exitText(out)} before the session was ready${said}`}
          : {code: 'remote-shell-missing', message: `host "${host.name}": the remote shell ${host.entry?.shell ?? 'pwsh'} ${exitText(out)} at once: it is not a PowerShell that runs there${said}. Use shell: pwsh, shell: powershell, or the absolute path of pwsh.exe on the host.`})
      )
    }
    return side
  },
}
