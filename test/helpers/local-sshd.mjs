// A real OpenSSH server on 127.0.0.1, for the tests (test/helpers/sshd.ts types it) and the
// benches (bench/scale.mjs) of transport: ssh: one recipe, in plain JavaScript so that a bench
// needs no TypeScript loader. Debian's sshd, started with a throwaway host key and client key
// (and a stranger's key it does not accept), its own config only, and a known_hosts file of its
// own for the client; stopped by its own pid. Nothing of the machine's ssh setup is used or changed.
//
// The far side of a session is this machine: its remote command finds the repo's pwsh through
// the PATH the server sets (SetEnv), and the runtime's cache goes to a folder of the server's
// (XDG_CACHE_HOME), so that each server starts with an empty cache. sshd also offers
// PowerShell's `powershell` subsystem (PowerShell remoting over SSH) unless told not to.
//
// Missing sshd or ssh-keygen is an error, never a skip: `npm test`'s pretest and .ci/run install
// openssh-server.
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {connect, createServer} from 'node:net'
import {tmpdir, userInfo} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {TEST_PWSH_ENV} from './test-pwsh-env.mjs'

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const SSHD = '/usr/sbin/sshd'

const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const {port} = srv.address()
      srv.close(() => resolve(port))
    })
  })

function keygen(file) {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hvguest-test', '-f', file], {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`ssh-keygen failed (${r.error?.message ?? r.stderr}); install openssh-client`)
}

const canConnect = (port) =>
  new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    s.once('connect', () => (s.destroy(), resolve(true)))
    s.once('error', () => resolve(false))
  })

/**
 * The far side's pwsh gets the tests' .NET runtime settings (test-pwsh-env.mjs) when this process has them
 * (vitest's workers do), and not otherwise: a bench's far side runs pwsh as users' hosts do.
 */
const farSideRuntime = () =>
  Object.entries(TEST_PWSH_ENV)
    .filter(([name, value]) => process.env[name] === value)
    .map(([name, value]) => ` ${name}=${value}`)
    .join('')

/**
 * Starts sshd; resolves once it listens. `powershellSubsystem: false` leaves out the
 * `Subsystem powershell` line that psRemoting needs. The result's hostKeys() are the inventory
 * keys of a host reached through it; stop() ends it by its pid (and waits for its exit) and
 * removes its folder.
 */
export async function startSshd(opts = {}) {
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
    `SetEnv PATH=${tools}:/usr/local/bin:/usr/bin:/bin XDG_CACHE_HOME=${cacheDir} POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off DOTNET_TieredPGO=0${farSideRuntime()}`,
    ...(opts.powershellSubsystem === false ? [] : [`Subsystem powershell ${join(tools, 'pwsh')} -sshs -NoLogo -NoProfile`]),
  ].join('\n')
  writeFileSync(join(dir, 'sshd_config'), `${config}\n`)
  // privilege separation needs its empty folder (Debian's sshd service creates it at boot)
  mkdirSync('/run/sshd', {recursive: true})
  let log = ''
  const child = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], {stdio: ['ignore', 'ignore', 'pipe']})
  child.stderr.on('data', (b) => (log = (log + b).slice(-4000)))
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid, 'SIGTERM')
      await exited
    }
    rmSync(dir, {recursive: true, force: true})
  }
  try {
    for (const until = Date.now() + 10_000; !(await canConnect(port)); await new Promise((r) => setTimeout(r, 50))) {
      if (child.exitCode !== null) throw new Error(`sshd exited with code ${child.exitCode}: ${log}`)
      if (Date.now() > until) throw new Error(`sshd did not listen on 127.0.0.1:${port} within 10 s: ${log}`)
    }
  } catch (e) {
    await stop()
    throw e
  }
  const user = userInfo().username
  return {
    port,
    dir,
    user,
    identityFile,
    knownHosts,
    strangerKey,
    cacheDir,
    pid: child.pid,
    hostKeys: (extra = {}) => ({transport: 'ssh', address: '127.0.0.1', port, user, identityFile, sshOptions: {UserKnownHostsFile: knownHosts}, ...extra}),
    stop,
  }
}
