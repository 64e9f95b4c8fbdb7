/**
 * transport: ssh end to end: the BUILT CLI, the machine's OpenSSH client, a real sshd started by
 * this file on 127.0.0.1 (test/helpers/sshd.ts), and on its far side real pwsh running the
 * runtime against an emulated host (`transport: ssh` plus `emulator: { stateFile }`). Covers
 * create --wait, list, destroy, doctor, net apply/restore, two remote hosts in one run, the
 * runtime's staging and its check before use, the connection problems found before any change
 * (each with its code, exit 2, nothing changed), and a connection lost mid-run (the ssh client
 * killed): the run rolls back over a new connection, or `recover` finishes it.
 */
import {spawn, spawnSync} from 'node:child_process'
import {mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parse, stringify} from 'yaml'
import {makeEmulatorProject, prebuildEmulatorProjects, type EmulatorProject, type EmulatorProjectOptions} from '../helpers/emulator-project.js'
import {processAlive} from '../helpers/fault-points.js'
import {readJournal} from '../helpers/journal-file.js'
import {recordPwshStarts} from '../helpers/pwsh-starts.js'
import {BIN, cliEnv, runCli, type CliResult} from '../helpers/run-cli.js'
import {startSshd, type Sshd} from '../helpers/sshd.js'

/** A bootable base image (an Ubuntu whose in-box ICs answer), so that --wait sees the guest ready. */
const MAKE_PARENT = "New-HvEmulatorImage -Path 'C:\\Images\\base.vhdx' -Os 'linux/ubuntu/22.04' -Software 'linux-cloud-tools-virtual' | Out-Null"
const LAB: EmulatorProjectOptions = {profile: 'intel-10g', setup: MAKE_PARENT, guestTiming: {heartbeatSeconds: 0, addressSeconds: 0}}

let sshd: Sshd
beforeAll(async () => {
  sshd = await startSshd()
  prebuildEmulatorProjects([LAB])
}, 300_000)
afterAll(async () => {
  await sshd?.stop()
})

function writeTemplate(dir: string, dataDisks = 1): void {
  mkdirSync(join(dir, 'templates'), {recursive: true})
  writeFileSync(
    join(dir, 'templates', 'lab.yaml'),
    stringify({
      apiVersion: 'hvguest/v1',
      kind: 'GuestTemplate',
      metadata: {name: 'lab'},
      spec: {
        os: {family: 'linux', distro: 'ubuntu', version: '22.04'},
        processors: 2,
        memory: {startup: '2GB'},
        bootDisk: {parent: 'C:\\Images\\base.vhdx'},
        dataDisks: Array.from({length: dataDisks}, (_, i) => ({name: `d${i}`, size: '1GB'})),
        networkAdapters: [{switch: 'Lab'}],
      },
    }),
  )
}

/** An emulated host reached over ssh: the project's inventory entry becomes an ssh one, state file absolute. */
function sshProject(extra: Record<string, unknown> = {}, dataDisks = 1): EmulatorProject {
  const p = makeEmulatorProject(LAB)
  writeTemplate(p.dir, dataDisks)
  const inv = parse(readFileSync(join(p.dir, 'hosts.yaml'), 'utf8'))
  inv.hosts[0] = {...inv.hosts[0], ...sshd.hostKeys(), emulator: {stateFile: p.stateFile}, ...extra}
  writeFileSync(join(p.dir, 'hosts.yaml'), stringify(inv))
  return p
}

const cli = (p: EmulatorProject, args: string[]) => runCli(args, {cwd: p.dir})
function json(r: CliResult): any {
  try {
    return JSON.parse(r.stdout)
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`)
  }
}
const vmNames = (p: EmulatorProject) => (p.state().vms as Array<{name: string}>).map((v) => v.name)

describe('transport: ssh to an emulated host', {timeout: 180_000}, () => {
  it('create --wait, list, doctor, destroy: all through ssh; the runtime is staged once, then found', () => {
    const p = sshProject()
    const created = json(cli(p, ['create', 'lab', '--name', 'web1', '--wait', '--timeout', '30', '--json']))
    expect(created.status, JSON.stringify(created)).toBe('ok')
    expect(created.guests).toEqual([expect.objectContaining({name: 'web1', host: 'emu1', status: 'created'})])
    expect(vmNames(p)).toEqual(['web1'])
    // One copy of the runtime in the far side's cache, under its version and digest.
    const staged = readdirSync(join(sshd.cacheDir, 'hvguest', 'runtime'))
    expect(staged).toEqual([expect.stringMatching(/^\d+\.\d+\.\d+-[0-9a-f]{16}$/)])
    // a copy staged again would be a new folder renamed into the same name: its inode tells
    const stagedFolder = statSync(join(sshd.cacheDir, 'hvguest', 'runtime', staged[0])).ino

    // Nothing runs pwsh on this machine for a host reached over ssh, so none is started ahead of time either (src/cli/prestart.ts).
    const localPwsh = recordPwshStarts()
    const listed = json(runCli(['list', '--json'], {cwd: p.dir, env: localPwsh.env}))
    expect(listed.hosts[0]).toMatchObject({host: 'emu1', ok: true})
    expect(listed.hosts[0].data.guests.map((g: any) => g.name)).toEqual(['web1'])
    expect(runCli(['create', 'no-such-template'], {cwd: p.dir, env: localPwsh.env}).code).toBe(2)
    expect(localPwsh.started()).toEqual([])

    const doctor = cli(p, ['doctor', '--json'])
    expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0)
    expect(json(doctor).checks.map((c: any) => c.check)).toContain('hyper-v')

    const destroyed = cli(p, ['destroy', 'web1', '--yes', '--json'])
    expect(destroyed.code, destroyed.stdout + destroyed.stderr).toBe(0)
    expect(vmNames(p)).toEqual([])
    expect(readdirSync(join(sshd.cacheDir, 'hvguest', 'runtime')), 'the cached copy was used, not staged again').toEqual(staged)
    expect(statSync(join(sshd.cacheDir, 'hvguest', 'runtime', staged[0])).ino, 'the same folder, not a new copy under its name').toBe(stagedFolder)
  })

  it('a cached runtime whose file was changed is not used: the stager replaces it', () => {
    const p = sshProject()
    expect(cli(p, ['list', '--json']).code).toBe(0)
    const root = join(sshd.cacheDir, 'hvguest', 'runtime', readdirSync(join(sshd.cacheDir, 'hvguest', 'runtime'))[0])
    const psm1 = join(root, 'HvGuest', 'HvGuest.psm1')
    const original = readFileSync(psm1, 'utf8')
    writeFileSync(psm1, `${original}\nthrow 'tampered'\n`)
    const r = cli(p, ['list', '--json'])
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(readFileSync(psm1, 'utf8')).toBe(original)
  })

  it('net apply then net restore over ssh returns the host state byte for byte', () => {
    const p = sshProject()
    const before = readFileSync(p.stateFile, 'utf8')
    const applied = cli(p, ['net', 'apply', '--host', 'emu1', '--profile', 'intel-10g', '--json'])
    expect(applied.code, applied.stdout + applied.stderr).toBe(0)
    expect(readFileSync(p.stateFile, 'utf8')).not.toBe(before)
    const restored = cli(p, ['net', 'restore', '--host', 'emu1', '--json'])
    expect(restored.code, restored.stdout + restored.stderr).toBe(0)
    expect(readFileSync(p.stateFile, 'utf8')).toBe(before)
  })

  it('two remote hosts in one run: each gets a guest, each over its own connection', () => {
    const a = sshProject()
    const b = makeEmulatorProject(LAB)
    const inv = parse(readFileSync(join(a.dir, 'hosts.yaml'), 'utf8'))
    inv.hosts.push({...inv.hosts[0], name: 'emu2', emulator: {stateFile: b.stateFile}})
    writeFileSync(join(a.dir, 'hosts.yaml'), stringify(inv))
    const r = json(cli(a, ['create', 'lab', '--name', 'web', '--count', '2', '--json']))
    expect(r.status, JSON.stringify(r)).toBe('ok')
    expect(r.guests.map((g: any) => g.host).sort()).toEqual(['emu1', 'emu2'])
    expect(vmNames(a).length + vmNames(b).length).toBe(2)
    expect(vmNames(a)).toHaveLength(1)
  })
})

describe('connection problems are found before any change: exit 2, each with its code', {timeout: 120_000}, () => {
  const refused = (extra: Record<string, unknown>, code: string, says: RegExp) => {
    const p = sshProject(extra)
    const before = readFileSync(p.stateFile, 'utf8')
    const r = cli(p, ['create', 'lab', '--name', 'web1'])
    expect(r.code, r.stdout + r.stderr).toBe(2)
    expect(r.stderr).toContain(`[${code}]`)
    expect(r.stderr).toMatch(says)
    expect(readFileSync(p.stateFile, 'utf8'), 'nothing changed on the host').toBe(before)
  }

  it('a key the host does not accept: ssh-auth-failed, naming authorized_keys', () => {
    refused({identityFile: sshd.strangerKey}, 'ssh-auth-failed', /authorized_keys/)
  })
  it('a host key not in known_hosts: ssh-host-key-unknown, naming ssh-keyscan (host keys are never switched off)', () => {
    const empty = join(sshd.dir, 'known_hosts.empty')
    writeFileSync(empty, '')
    refused({sshOptions: {UserKnownHostsFile: empty}}, 'ssh-host-key-unknown', /ssh-keyscan -p \d+ 127\.0\.0\.1/)
  })
  it('a far side without the Hyper-V module (this Linux pwsh, no emulator): hyperv-module-missing', () => {
    const p = sshProject()
    const inv = parse(readFileSync(join(p.dir, 'hosts.yaml'), 'utf8'))
    delete inv.hosts[0].emulator
    writeFileSync(join(p.dir, 'hosts.yaml'), stringify(inv))
    const r = cli(p, ['create', 'lab', '--name', 'web1'])
    expect(r.code, r.stdout + r.stderr).toBe(2)
    expect(r.stderr).toContain('[hyperv-module-missing]')
  })
  it('a port where nothing listens: host-unreachable', () => {
    refused({port: 1}, 'host-unreachable', /Connection refused/)
  })
  it('a remote shell that is not there: remote-shell-missing; one that is not PowerShell: the same', () => {
    refused({shell: '/nonexistent/pwsh'}, 'remote-shell-missing', /No such file or directory/)
    refused({shell: '/bin/sh'}, 'remote-shell-missing', /not a PowerShell/)
  })
  it('winrm from Linux is exit 2 and names ssh', () => {
    refused({transport: 'winrm'}, 'input-invalid', /use transport: ssh/)
  })
  it('bad inventory input is exit 2 at its line: an unknown key, a missing identity file, a port out of range, an option that would switch host keys off', () => {
    for (const [extra, says] of [
      [{identityFiles: 'x'}, /hosts\.yaml:\d+:\d+: .*unknown key "identityFiles"/],
      [{identityFile: join(sshd.dir, 'no-such-key')}, /hosts\.yaml:\d+:\d+: .*identityFile .*no-such-key does not exist/],
      [{port: 70000}, /hosts\.yaml:\d+:\d+: .*port: expected an integer at most 65535/],
      [{sshOptions: {StrictHostKeyChecking: 'no'}}, /hosts\.yaml:\d+:\d+: .*StrictHostKeyChecking=no is refused/],
    ] as const) {
      const p = sshProject(extra)
      const before = readFileSync(p.stateFile, 'utf8')
      const r = cli(p, ['create', 'lab', '--name', 'web1'])
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr + r.stdout).toMatch(says)
      expect(readFileSync(p.stateFile, 'utf8')).toBe(before)
    }
  })
})

/** The CLI's ssh children (the session's connections). */
function sshChildren(pid: number): number[] {
  const r = spawnSync('pgrep', ['-P', String(pid), '-x', 'ssh'], {encoding: 'utf8'})
  return r.stdout.split('\n').filter(Boolean).map(Number)
}

/** Starts create in its own process group; resolves once stderr shows the step `at`. */
function createUntil(p: EmulatorProject, at: RegExp) {
  const child = spawn(process.execPath, [BIN, 'create', 'lab', '--name', 'web1'], {cwd: p.dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: cliEnv()})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (b) => (stdout += b))
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve))
  const reached = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (b) => {
      stderr += b
      if (at.test(stderr)) resolve()
    })
    void exited.then(() => reject(new Error(`the run ended before the kill point: ${stderr}`)))
  })
  return {child, reached, exited, out: () => ({stdout, stderr})}
}

/** A create over ssh of a guest with 12 data disks, reached its fourth: the host's bytes before it, and the run. */
async function createToFourthDisk() {
  const p = sshProject({}, 12)
  const before = readFileSync(p.stateFile, 'utf8')
  const files = p.files()
  const run = createUntil(p, /add-hard-disk .*d3\.vhdx/)
  await run.reached
  return {p, before, files, run}
}

describe('a connection lost during a run', {timeout: 180_000}, () => {
  it('the ssh client killed mid-run: exit 1, the rollback runs over a new connection, and the host is as before', async () => {
    const {p, before, files, run} = await createToFourthDisk()
    const ssh = sshChildren(run.child.pid!)
    expect(ssh, 'the session is one ssh child of the CLI').toHaveLength(1)
    process.kill(ssh[0], 'SIGKILL')
    const code = await run.exited
    const {stdout, stderr} = run.out()
    expect(code, stdout + stderr).toBe(1)
    expect(stdout + stderr).toMatch(/the ssh connection to root@127\.0\.0\.1 was killed \(SIGKILL\) during create-guest of guest "web1", without a result \(the connection was lost/)
    expect(stdout + stderr).toMatch(/rolled back/)
    // The far side's pwsh of the lost connection may finish its step before it sees the end of its input.
    await until(() => vmNames(p).length === 0 && readFileSync(p.stateFile, 'utf8') === before)
    expect(readFileSync(p.stateFile, 'utf8')).toBe(before)
    expect(p.files()).toEqual(files)
  })

  it('the CLI and its ssh killed mid-run: recover, through a new connection, leaves the host byte for byte as before', async () => {
    const {p, before, files, run} = await createToFourthDisk()
    process.kill(-run.child.pid!, 'SIGKILL')
    await run.exited
    expect(vmNames(p), 'the VM exists after the kill').toEqual(['web1'])
    const journalDir = join(p.dir, '.hvguest', 'drives', 'C', 'Hyper-V', '.hvguest', 'journal')
    const journals = readdirSync(journalDir).filter((f) => f.endsWith('.jsonl'))
    expect(journals).toHaveLength(1)
    // recover leaves a run alone while its host-side process lives: the far side's pwsh ends with its connection.
    const hostPid = readJournal(join(journalDir, journals[0])).pid
    await until(() => !processAlive(hostPid))
    const r = cli(p, ['recover', '--json'])
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(json(r).hosts[0].data.runs).toHaveLength(1)
    expect(readFileSync(p.stateFile, 'utf8')).toBe(before)
    expect(p.files()).toEqual(files)
  })
})

describe('psRemoting: PowerShell remoting over SSH (New-PSSession -HostName), the relay winrm uses too', {timeout: 180_000}, () => {
  it('create --wait, list, destroy through a PSSession to the sshd powershell subsystem; the progress lines come back too', () => {
    const p = sshProject({psRemoting: true})
    const created = cli(p, ['create', 'lab', '--name', 'web1', '--wait', '--timeout', '30'])
    expect(created.code, created.stdout + created.stderr).toBe(0)
    // the progress lines the runtime writes on the host are relayed, not only the result
    expect(created.stderr).toMatch(/emu1\/web1: new-vm/)
    expect(created.stderr).toMatch(/emu1\/web1: created/)
    expect(vmNames(p)).toEqual(['web1'])
    // The near miss of the plain-ssh test: this session relays through a local pwsh, so a command
    // starts one ahead of time, even one that then stops at bad input (exit 2, the pwsh stopped).
    const localPwsh = recordPwshStarts()
    expect(runCli(['create', 'no-such-template'], {cwd: p.dir, env: localPwsh.env}).code).toBe(2)
    expect(localPwsh.started()).toHaveLength(1)
    const listed = json(cli(p, ['list', '--json']))
    expect(listed.hosts[0]).toMatchObject({host: 'emu1', ok: true})
    expect(listed.hosts[0].data.guests.map((g: any) => [g.name, g.state])).toEqual([['web1', 'Running']])
    const destroyed = cli(p, ['destroy', 'web1', '--yes', '--json'])
    expect(destroyed.code, destroyed.stdout + destroyed.stderr).toBe(0)
    expect(vmNames(p)).toEqual([])
  })

  it('refusals before any change, exit 2: a key the host does not accept, an unknown host key, no powershell subsystem', async () => {
    const p = sshProject({psRemoting: true, identityFile: sshd.strangerKey})
    const before = readFileSync(p.stateFile, 'utf8')
    const auth = cli(p, ['create', 'lab', '--name', 'web1', '--json'])
    expect(auth.code).toBe(2)
    expect(auth.stdout + auth.stderr).toContain('[ssh-auth-failed]')
    const key = sshProject({psRemoting: true, sshOptions: {UserKnownHostsFile: '/dev/null'}})
    const unknown = cli(key, ['create', 'lab', '--name', 'web1', '--json'])
    expect(unknown.code).toBe(2)
    expect(unknown.stdout + unknown.stderr).toContain('[ssh-host-key-unknown]')
    expect(readFileSync(p.stateFile, 'utf8')).toBe(before)
    // an sshd without the powershell subsystem: the fix names the sshd_config line
    const plain = await startSshd({powershellSubsystem: false})
    try {
      const q = sshProject({...plain.hostKeys(), psRemoting: true})
      const none = cli(q, ['create', 'lab', '--name', 'web1', '--json'])
      expect(none.code).toBe(2)
      expect(none.stdout + none.stderr).toContain('[remote-shell-missing]')
      expect(none.stdout + none.stderr).toContain('Subsystem powershell')
    } finally {
      await plain.stop()
    }
  })

  it('the inventory: psRemoting goes with transport ssh only, and takes no shell (exit 2 at its line)', () => {
    const p = sshProject({psRemoting: true, shell: 'powershell'})
    const r = cli(p, ['plan', 'lab'])
    expect(r.code).toBe(2)
    expect(r.stdout + r.stderr).toMatch(/hosts\.yaml:\d+:\d+.*shell: does not apply/s)
  })
})

describe('the tests leave no process behind', () => {
  it('no ssh client to this file\'s sshd lives on', async () => {
    // `--`: the pattern starts with a dash; pgrep exits 1 when nothing matches, 2 on bad usage
    const clients = () => spawnSync('pgrep', ['-f', '--', `-p ${sshd.port}`], {encoding: 'utf8'})
    await until(() => clients().status === 1)
    const left = clients()
    expect(left.status, `${left.stdout}${left.stderr}`).toBe(1)
    expect(left.stdout.trim()).toBe('')
  })
})

async function until(condition: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms
  while (!condition()) {
    if (Date.now() > end) return
    await new Promise((r) => setTimeout(r, 100))
  }
}
