/**
 * A real OpenSSH server on 127.0.0.1 for the tests of transport: ssh: Debian's sshd, started by
 * the test itself with a throwaway host key and client key, and stopped by its own pid. Nothing
 * of the machine's ssh setup is used or changed: the server reads only its own config, and
 * clients check its key against a known_hosts file of their own (sshOptions UserKnownHostsFile).
 *
 * The far side of a session is this machine: its remote command finds the repo's pwsh through
 * the PATH the server sets (SetEnv), and the runtime's cache goes to a folder of the server's
 * (XDG_CACHE_HOME), so that each test file starts with an empty cache. sshd also offers
 * PowerShell's `powershell` subsystem (PowerShell remoting over SSH).
 *
 * Missing sshd or ssh-keygen is an error, never a skip: `npm test`'s pretest and .ci/run install
 * openssh-server.
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {connect, createServer} from 'node:net'
import {tmpdir, userInfo} from 'node:os'
import {join} from 'node:path'
import {REPO} from './pwsh.js'

const SSHD = '/usr/sbin/sshd'

export interface Sshd {
  port: number
  dir: string
  user: string
  /** The client's private key (in authorized_keys). */
  identityFile: string
  /** A known_hosts file that holds the server's key. */
  knownHosts: string
  /** A private key the server does not accept. */
  strangerKey: string
  /** Where the far side caches the runtime (XDG_CACHE_HOME of its sessions). */
  cacheDir: string
  /** The inventory keys of a host reached through this server. */
  hostKeys(extra?: Record<string, unknown>): Record<string, unknown>
  /** The sshd's pid (it forks a child per connection, which ends with its connection). */
  pid: number
  stop(): Promise<void>
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as {port: number}).port
      srv.close(() => resolve(port))
    })
  })
}

function keygen(file: string): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hvguest-test', '-f', file], {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`ssh-keygen failed (${r.error?.message ?? r.stderr}); install openssh-client`)
}

async function listening(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const until = Date.now() + 10_000
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`sshd exited with code ${child.exitCode}: ${log()}`)
    const open = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1')
      s.once('connect', () => {
        s.destroy()
        resolve(true)
      })
      s.once('error', () => resolve(false))
    })
    if (open) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`sshd did not listen on 127.0.0.1:${port} within 10 s: ${log()}`)
}

/** `powershellSubsystem: false` leaves out the `Subsystem powershell` line that psRemoting needs. */
export async function startSshd(opts: {powershellSubsystem?: boolean} = {}): Promise<Sshd> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: install openssh-server (npm test's pretest and .ci/run do)`)
  const dir = mkdtempSync(join(tmpdir(), 'hvguest-sshd-'))
  const hostKey = join(dir, 'host_ed25519')
  const identityFile = join(dir, 'client_ed25519')
  const strangerKey = join(dir, 'stranger_ed25519')
  for (const k of [hostKey, identityFile, strangerKey]) keygen(k)
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${identityFile}.pub`))
  const port = await freePort()
  const knownHosts = join(dir, 'known_hosts')
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${readFileSync(`${hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`)
  const cacheDir = join(dir, 'cache')
  mkdirSync(cacheDir)
  const tools = join(REPO, '.tools')
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    // the temp folders are not root-owned 0755 all the way up as StrictModes wants
    'StrictModes no',
    'PermitRootLogin prohibit-password',
    'AcceptEnv none',
    'LogLevel ERROR',
    `SetEnv PATH=${tools}:/usr/local/bin:/usr/bin:/bin XDG_CACHE_HOME=${cacheDir} POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off DOTNET_TieredPGO=0`,
    ...(opts.powershellSubsystem === false ? [] : [`Subsystem powershell ${join(tools, 'pwsh')} -sshs -NoLogo -NoProfile`]),
  ].join('\n')
  writeFileSync(join(dir, 'sshd_config'), `${config}\n`)
  // privilege separation needs its empty folder (Debian's sshd service creates it at boot)
  mkdirSync('/run/sshd', {recursive: true})
  let log = ''
  const child = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], {stdio: ['ignore', 'ignore', 'pipe']})
  child.stderr!.on('data', (b) => (log = (log + b).slice(-4000)))
  await listening(port, child, () => log)
  const user = userInfo().username
  return {
    port,
    dir,
    user,
    identityFile,
    knownHosts,
    strangerKey,
    cacheDir,
    pid: child.pid!,
    hostKeys: (extra = {}) => ({transport: 'ssh', address: '127.0.0.1', port, user, identityFile, sshOptions: {UserKnownHostsFile: knownHosts}, ...extra}),
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r))
        process.kill(child.pid!, 'SIGTERM')
        await gone
      }
      rmSync(dir, {recursive: true, force: true})
    },
  }
}
