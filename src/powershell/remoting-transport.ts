/**
 * PowerShell remoting (docs/remote-hosts.md, "PowerShell remoting: the relay"): `transport: ssh`
 * with `psRemoting: true` (New-PSSession -HostName, to the host's sshd `Subsystem powershell`),
 * and `transport: winrm` from a Windows workstation (New-PSSession -ComputerName). The session's
 * process is a LOCAL pwsh that holds the PSSession (ps/remoting/Remote.ps1); the runtime is staged
 * and bootstrapped in the PSSession, and each request line is one Invoke-Command there. The
 * runtime writes its protocol lines to $Host.UI on the host, which remoting carries back to the
 * local pwsh as they are written, so the requests, the progress and the result lines are those of
 * a local session. A broken PSSession ends the local pwsh (exit 255): the next request opens a new
 * connection, as over plain ssh.
 */
import {join} from 'node:path'
import {packageRoot} from '../util/package-root.js'
import {parseProtocol, requestLine, toBase64} from './protocol.js'
import {decodedString, readyCheck, SESSION_PRELUDE} from './bootstrap.js'
import {farSideRuntime, stageAnswer, stageRuntime} from './far-side-runtime.js'
import type {HostSide, SessionHost, StartFailure, TransportContext} from './host-side.js'
import type {RunOutcome} from './pwsh-process.js'
import {classifySshFailure, DEFAULT_CONNECT_TIMEOUT_SECONDS, ENFORCED_SSH_OPTIONS, inventorySshOptions} from './ssh-transport.js'
import {identityFilePath} from '../resolve/targets.js'

export type RemotingKind = 'ssh' | 'winrm'

/** What Open-HvRemoteSession receives (base64 of this as UTF-8 JSON): data, never script text. */
export interface RemoteConnectConfig {
  kind: RemotingKind
  address: string
  port: number | null
  user: string | null
  keyFile: string | null
  /** ssh_config keywords for the ssh New-PSSession starts (-Options, pwsh 7.3+). */
  options: Record<string, string>
  connectTimeoutMs: number
}

export function remoteConnectConfig(host: SessionHost, kind: RemotingKind, inventoryFile: string | null | undefined): RemoteConnectConfig {
  const e = host.entry
  const options: Record<string, string> = Object.fromEntries(ENFORCED_SSH_OPTIONS)
  if (e?.identityFile !== undefined) options.IdentitiesOnly = 'yes'
  // The enforced ones are kept: the schema refuses an sshOptions entry that would change them.
  for (const [key, value] of inventorySshOptions(e)) options[key] ??= value
  return {
    kind,
    address: e?.address ?? host.name,
    port: e?.port ?? null,
    user: e?.user ?? null,
    keyFile: e?.identityFile !== undefined ? identityFilePath(e.identityFile, inventoryFile ?? null) : null,
    options: kind === 'ssh' ? options : {},
    connectTimeoutMs: (e?.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS) * 1000,
  }
}

/** The host side of a PowerShell remoting session. */
export function remotingSide(host: SessionHost, ctx: TransportContext, kind: RemotingKind): HostSide {
  const runtime = farSideRuntime(host, ctx)
  const connect = remoteConnectConfig(host, kind, ctx.inventoryFile)
  const address = `${connect.user ? `${connect.user}@` : ''}${connect.address}`
  const via = kind === 'ssh' ? 'PowerShell remoting over SSH' : 'PowerShell remoting over WinRM'
  const stagePath = toBase64(runtime.stager)
  const classify = (stderr: string) => (kind === 'ssh' ? classifySshFailure(stderr, null, host) : undefined)

  /** Why the PSSession could not be opened, from New-PSSession's error and what ssh printed. */
  function connectFailure(out: RunOutcome): StartFailure | undefined {
    if (out.status === 'timeout') return {code: 'host-unreachable', message: `host "${host.name}": ${address} did not answer over ${via} in time`}
    const {result} = parseProtocol(out.stdout)
    if (result?.ok) return undefined
    const said = `${out.stdout}\n${out.stderr}\n${result?.error?.message ?? ''}`
    if (kind === 'ssh' && /subsystem request failed/i.test(said)) {
      return {
        code: 'remote-shell-missing',
        message: `host "${host.name}": ${address} has no "powershell" ssh subsystem, which psRemoting needs. Add to the host's sshd_config: Subsystem powershell c:/progra~1/powershell/7/pwsh.exe -sshs -NoLogo (then restart sshd), or leave psRemoting out to use the remote shell directly.`,
      }
    }
    const classified = classify(said)
    if (classified) return classified
    const reason = (result?.error?.message ?? said).trim().slice(-500)
    return {code: 'host-unreachable', message: `host "${host.name}": could not open ${via} to ${address}: ${reason || `the local PowerShell ${out.status === 'exited' ? 'exited' : 'did not answer'}`}`}
  }

  return {
    transport: host.transport,
    describe: `${via} to ${address}${runtime.stateFile !== undefined ? `, emulated host (state ${runtime.stateFile})` : ''}`,
    processName: `the ${via} session to ${address}`,
    env: {},
    async prepare(run) {
      const opened = await run(`${SESSION_PRELUDE}; . ${decodedString(join(packageRoot(), 'ps', 'remoting', 'Remote.ps1'))}; Open-HvRemoteSession -ConfigBase64 '${toBase64(JSON.stringify(connect))}'`)
      const notOpened = connectFailure(opened)
      if (notOpened) return notOpened
      return stageRuntime(runtime, async (payloadBase64) =>
        stageAnswer(await run(`Invoke-HvRemoteStage -StagePathBase64 '${stagePath}' -ConfigBase64 '${runtime.manifestBase64}' -PayloadBase64 '${payloadBase64}'`), host, `the ${via} session`, classify),
      )
    },
    bootstrapLine: (ready) => `Invoke-HvRemoteBootstrap -ConfigBase64 '${runtime.bootstrapConfigBase64}'; ${readyCheck(ready, 'Test-HvRemoteReady')}`,
    // Remote.ps1's Invoke-HvRemoteRequest runs Invoke-HvGuestRequest in the PSSession, with the same base64.
    requestLine: (requestBase64) => requestLine(requestBase64, 'Invoke-HvRemoteRequest'),
  }
}
