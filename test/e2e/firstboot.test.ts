/**
 * First boot end to end: the BUILT CLI, real pwsh, an emulated Windows Server 2012 R2 host that
 * boots its guests (docs/emulator-guests.md). `create --start --wait` for an Ubuntu (cloud-init),
 * a CentOS 6 (kickstart + LIS) and a Windows Server 2012 R2 (unattend + vmguest.iso) guest: the
 * slots, the seed media on the host read back by isoinfo and xorriso, `ic status`, the reported
 * addresses; a Linux guest planned with `install: none` times out naming hv_kvp_daemon, and
 * `ic inject` repairs it; `ic inject`'s refusals; rollback and destroy remove the seed media.
 *
 * Every test has its own host: a copy of one built once (test/helpers/emulator-project.ts), or
 * of one on which guests were created once (hostWithU1 below). No test depends on what another
 * test did, nor on the order they run in.
 */
import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {stringify} from 'yaml'
import {HOST_2012R2, makeEmulatorProject, snapshotProject, type EmulatorProject} from '../helpers/emulator-project.js'
import {runCli, type CliResult} from '../helpers/run-cli.js'

const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHvguestE2E ops@lab'

/** The local file behind a Windows path on the emulated host (C: is <project>/.hvguest/drives/C). */
const local = (p: EmulatorProject, windowsPath: string) => join(p.dir, '.hvguest', 'drives', 'C', ...windowsPath.slice(3).split('\\'))

function tool(name: string, args: string[]): string {
  try {
    return execFileSync(name, args, {encoding: 'utf8', env: {...process.env, LC_ALL: 'C.UTF-8'}})
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${name} is not installed: apt-get install ${name === 'isoinfo' ? 'genisoimage' : name}`)
    throw error
  }
}

function json(r: CliResult): any {
  try {
    return JSON.parse(r.stdout)
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`)
  }
}

/** Guest slots as `list --json` reads them back from the host: "IDE 1:0" -> path. */
function slots(p: EmulatorProject, name: string): Record<string, string | null> {
  const r = runCli(['list', name, '--json'], {cwd: p.dir})
  expect(r.code, r.stderr).toBe(0)
  const g = json(r).hosts[0].data.guests[0]
  return Object.fromEntries(g.drives.map((d: any) => [`${d.controller.type} ${d.controller.number}:${d.controller.location}`, d.path]))
}

/** The seed media on the host, read back by isoinfo and xorriso: label and files byte for byte. */
function expectSeedMedia(p: EmulatorProject, iso: string, label: string, files: Array<{name: string; content: string}>) {
  const file = local(p, iso)
  expect(existsSync(file), file).toBe(true)
  expect(tool('isoinfo', ['-d', '-i', file])).toMatch(new RegExp(`^Volume id: ${label}$`, 'm'))
  expect(tool('isoinfo', ['-J', '-f', '-i', file]).trim().split('\n').sort()).toEqual(files.map((f) => `/${f.name}`).sort())
  const out = mkdtempSync(join(tmpdir(), 'hvguest-seed-'))
  tool('xorriso', ['-osirrox', 'on', '-indev', file, '-extract', '/', out])
  for (const f of files) expect(readFileSync(join(out, f.name), 'utf8'), f.name).toBe(f.content)
}

function pwshOk(p: EmulatorProject, script: string) {
  const r = p.pwsh(script)
  expect(r.code, r.stderr + r.stdout).toBe(0)
}


const UBUNTU = ['ubuntu-2204', '--name', 'u1', '--set', `sshKey=${SSH_KEY}`, '--profile', 'intel-10g']
const WINDOWS = ['ws2012r2', '--name', 'w1', '--set', 'adminPassword=Pa$$ "w0rd" <&>']
const createAndWait = (p: EmulatorProject, args: string[]) => runCli(['create', ...args, '--start', '--wait', '--timeout', '60', '--json'], {cwd: p.dir})

/**
 * Hosts made once and copied per test, each one CLI run further than the one before: the 2012 R2
 * host with u1 created (`create --start --wait`), then with w1 as well. The Ubuntu and Windows
 * tests assert what those runs answered (kept here) and go on on their own copy; the tests that
 * need the guests to exist start from a copy too. No test sees what another test did.
 */
const made: {u1?: CliResult; w1?: CliResult} = {}
function hostWithU1(): {p: EmulatorProject; create: CliResult} {
  const p = snapshotProject('2012 R2 host with u1', () => {
    const q = makeEmulatorProject(HOST_2012R2)
    made.u1 = createAndWait(q, UBUNTU)
    return q
  })
  return {p, create: made.u1!}
}
function hostWithU1AndW1(): {p: EmulatorProject; create: CliResult} {
  const p = snapshotProject('2012 R2 host with u1 and w1', () => {
    const q = hostWithU1().p
    made.w1 = createAndWait(q, WINDOWS)
    return q
  })
  return {p, create: made.w1!}
}

/** The plan of the same guest, for the files the seed media must hold. */
function planned(p: EmulatorProject, args: string[]) {
  const r = runCli(['plan', ...args, '--json'], {cwd: p.dir})
  expect(r.code, r.stderr).toBe(0)
  return json(r).guests[0]
}

describe('first boot on an emulated Windows Server 2012 R2 host', () => {
  it('Ubuntu: cloud-init seed on IDE 1:0, started, heartbeat and an address through KVP', () => {
    const {p, create: r} = hostWithU1()
    const args = UBUNTU
    expect(r.code, r.stderr + r.stdout).toBe(0)
    const run = json(r)
    expect(run.status).toBe('ok')
    expect(run.wait.ready).toBe(true)
    expect(run.wait.guests[0]).toMatchObject({name: 'u1', ready: true, heartbeatOk: true, problems: []})
    expect(run.wait.guests[0].ipv4[0]).toMatch(/^10\.\d+\.\d+\.\d+$/)

    const g = planned(p, args)
    expect(g.firstBoot).toMatchObject({kind: 'cloudInit', label: 'cidata', media: 'C:\\Hyper-V\\u1\\u1-firstboot.iso', bootHint: null})
    expect(slots(p, 'u1')).toEqual({'IDE 0:0': 'C:\\Hyper-V\\u1\\u1-boot.vhdx', 'IDE 1:0': 'C:\\Hyper-V\\u1\\u1-firstboot.iso'})
    expectSeedMedia(p, g.firstBoot.media, 'cidata', g.firstBoot.files)
    // what the guest was told: jumbo frames of the profile as its MTU, the key, the daemons
    const files = Object.fromEntries(g.firstBoot.files.map((f: any) => [f.name, f.content]))
    expect(files['network-config']).toContain('mtu: 9000')
    expect(files['user-data']).toContain(`ssh_authorized_keys: ["${SSH_KEY}"]`)
    expect(files['user-data']).toContain('packages: ["linux-cloud-tools-virtual"]')

    const s = runCli(['ic', 'status', 'u1', '--json'], {cwd: p.dir})
    expect(s.code, s.stderr).toBe(0)
    const st = json(s).guests[0]
    expect(st).toMatchObject({name: 'u1', state: 'Running', ready: true, kvp: {FullyQualifiedDomainName: 'u1'}})
    expect(st.ipv4).toEqual(run.wait.guests[0].ipv4)
    // every service by its locale-neutral GUID, and all answering
    expect(st.services.map((x: any) => x.id).sort()).toEqual(
      ['2497F4DE-E9FA-4204-80E4-4B75C46419C0', '2A34B1C2-FD73-4043-8A5B-DD2159BC743F', '5CED1297-4598-4915-A5FC-AD21BB4D02A4', '6C09BB55-D683-4DA0-8931-C9BF705F6480', '84EAAE65-2F2E-45F5-9BB5-0E857DC8EB47', '9F8233AC-BE49-4C79-8EE3-E7E1985B2077'],
    )
    expect(st.services.filter((x: any) => x.enabled && !x.ok)).toEqual([])
    const human = runCli(['ic', 'status', 'u1'], {cwd: p.dir}).stdout
    expect(human).toContain('Key-Value Pair Exchange  2A34B1C2-FD73-4043-8A5B-DD2159BC743F  yes      OK')
    expect(human).toContain(`host name: u1`)
  }, 120_000)

  it('CentOS 6: kickstart seed (OEMDRV), LIS media and the installer DVD, installed and reporting through LIS', () => {
    const p = makeEmulatorProject(HOST_2012R2)
    const args = ['centos-6', '--name', 'c6']
    const r = runCli(['create', ...args, '--wait', '--timeout', '60', '--json'], {cwd: p.dir})
    expect(r.code, r.stderr + r.stdout).toBe(0)
    expect(json(r).wait.guests[0]).toMatchObject({name: 'c6', ready: true})

    const g = planned(p, args)
    expect(g.integration).toMatchObject({strategy: 'linux-lis', media: 'C:\\ISO\\LinuxIntegrationServices-4.1.3-2.iso'})
    expect(g.firstBoot).toMatchObject({kind: 'kickstart', label: 'OEMDRV', bootHint: 'ks=cdrom:/ks.cfg'})
    // Gen1 DVD order (docs/plan-checks.md): integration media first (1:0), then first-boot media (1:1), then the template's DVD (0:1)
    expect(slots(p, 'c6')).toEqual({
      'IDE 0:0': 'C:\\Hyper-V\\c6\\c6-boot.vhd',
      'IDE 0:1': 'C:\\ISO\\CentOS-6.10-x86_64-bin-DVD1.iso',
      'IDE 1:0': 'C:\\ISO\\LinuxIntegrationServices-4.1.3-2.iso',
      'IDE 1:1': 'C:\\Hyper-V\\c6\\c6-firstboot.iso',
    })
    expectSeedMedia(p, g.firstBoot.media, 'OEMDRV', g.firstBoot.files)
    expect(g.firstBoot.files.map((f: any) => f.name)).toEqual(['ks.cfg'])

    const st = json(runCli(['ic', 'status', 'c6', '--json'], {cwd: p.dir})).guests[0]
    expect(st).toMatchObject({ready: true, integrationServicesVersion: '4.1.3', kvp: {FullyQualifiedDomainName: 'c6'}})
  }, 120_000)

  it('Windows Server 2012 R2: unattend seed and vmguest.iso, ICs from the media, the computer name through KVP', () => {
    const {p, create: r} = hostWithU1AndW1()
    const args = WINDOWS
    expect(r.code, r.stderr + r.stdout).toBe(0)
    expect(json(r).wait.guests[0]).toMatchObject({name: 'w1', ready: true})

    const g = planned(p, args)
    expect(g.integration).toMatchObject({strategy: 'windows-ic-media', media: 'C:\\Windows\\System32\\vmguest.iso'})
    // The answer file carries the password (encoded, not hashed): once the guest is ready, the
    // seed media is ejected and its file deleted (test/e2e/secrets.test.ts reads such media back).
    expect(slots(p, 'w1')).toEqual({
      'IDE 0:0': 'C:\\Hyper-V\\w1\\w1-boot.vhdx',
      'IDE 1:0': 'C:\\Windows\\System32\\vmguest.iso',
      'IDE 1:1': null,
    })
    expect(existsSync(local(p, g.firstBoot.media))).toBe(false)
    expect(g.firstBoot).toMatchObject({secret: true, keepMedia: false})
    expect(g.firstBoot.files.map((f: any) => f.name)).toEqual(['autounattend.xml', 'unattend.xml'])
    expect(g.firstBoot.files[0].content).toContain('<Value>(secret)</Value>')
    expect(g.firstBoot.files[0].content).toContain('<PlainText>false</PlainText>')

    const st = json(runCli(['ic', 'status', 'w1', '--json'], {cwd: p.dir})).guests[0]
    expect(st).toMatchObject({ready: true, integrationServicesVersion: '6.3.9600.16384', kvp: {FullyQualifiedDomainName: 'w1'}, problems: []})
  }, 120_000)

  it('a Linux guest planned with install: none times out naming hv_kvp_daemon; ic inject --seed repairs it', () => {
    const p = makeEmulatorProject(HOST_2012R2)
    mkdirSync(join(p.dir, 'templates'), {recursive: true})
    const template = (install: string) =>
      writeFileSync(
        join(p.dir, 'templates', 'ubuntu-bare.yaml'),
        stringify({
          apiVersion: 'hvguest/v1',
          kind: 'GuestTemplate',
          metadata: {name: 'ubuntu-bare'},
          parameters: {adminUser: {type: 'string', default: 'ops'}, adminPassword: {type: 'string', required: false}, sshKey: {type: 'string', required: false}},
          spec: {
            os: {family: 'linux', distro: 'ubuntu', version: '22.04'},
            bootDisk: {parent: '{{host.imageRoot}}\\ubuntu-22.04.vhdx'},
            networkAdapters: [{switch: 'Lab'}],
            integration: {install},
            firstBoot: {cloudInit: 'firstboot/cloud-init'},
          },
        }),
      )
    template('none')
    const r = runCli(['create', 'ubuntu-bare', '--name', 'bare1', '--wait', '--timeout', '10'], {cwd: p.dir})
    expect(r.code, r.stderr + r.stdout).toBe(1)
    expect(r.stdout).toContain('bare1 was not ready after')
    expect(r.stdout).toMatch(/hv_kvp_daemon is not running in this Linux guest, so the guest reports no IP address .*install linux-cloud-tools-virtual/)
    expect(r.stdout).toContain('[kvp-daemon-missing]')
    expect(r.stderr).toMatch(/bare1: waiting: heartbeat OkApplicationsUnknown, no IPv4 yet \(kvp-daemon-missing\)/)
    // the guest is kept, with its heartbeat: the kernel drivers are there, the daemon is not
    const st = json(runCli(['ic', 'status', 'bare1', '--json'], {cwd: p.dir}))
    expect(st.guests[0]).toMatchObject({ready: false, heartbeatOk: true, ipv4: []})
    expect(st.guests[0].problems.map((x: any) => x.code)).toEqual(['kvp-daemon-missing', 'vss-daemon-missing'])

    // Fixed template, new seed media in the same drive (the guest runs), a restart: ready.
    template('auto')
    const inject = runCli(['ic', 'inject', 'bare1', '--json'], {cwd: p.dir})
    expect(inject.code, inject.stderr + inject.stdout).toBe(0)
    const done = json(inject)
    expect(done).toMatchObject({status: 'ok', steps: [{mode: 'seed'}], changes: [{action: 'set-media', slot: 'IDE 1:0', previous: 'C:\\Hyper-V\\bare1\\bare1-firstboot.iso'}]})
    const newSeed: string = done.changes[0].path
    expect(newSeed).toMatch(/^C:\\Hyper-V\\bare1\\bare1-firstboot-.+\.iso$/)
    const meta = mkdtempSync(join(tmpdir(), 'hvguest-seed-'))
    tool('xorriso', ['-osirrox', 'on', '-indev', local(p, newSeed), '-extract', '/', meta])
    expect(readFileSync(join(meta, 'user-data'), 'utf8')).toContain('packages: ["linux-cloud-tools-virtual"]')
    pwshOk(p, "Stop-VM -Name bare1 -Force\nStart-VM -Name bare1")
    // guest timing 0: ready as soon as Start-VM returns, so the first answer must say so
    const after = runCli(['ic', 'status', 'bare1', '--json'], {cwd: p.dir})
    expect(after.code, after.stderr).toBe(0)
    expect(json(after).guests[0]).toMatchObject({ready: true, problems: []})

    // destroy deletes both seed media files (the manifest lists the new one too)
    const d = runCli(['destroy', 'bare1', '--yes'], {cwd: p.dir})
    expect(d.code, d.stderr).toBe(0)
    expect(existsSync(local(p, 'C:\\Hyper-V\\bare1\\bare1-firstboot.iso'))).toBe(false)
    expect(existsSync(local(p, newSeed))).toBe(false)
  }, 180_000)

  it('ic inject names what it cannot do: guest-not-found, ic-inject-guest-running, firstboot-missing (exit 2, nothing changed)', () => {
    const {p} = hostWithU1AndW1()
    expect([made.u1?.code, made.w1?.code], 'u1 and w1 were created').toEqual([0, 0])
    const before = JSON.stringify(p.state())
    mkdirSync(join(p.dir, 'templates'), {recursive: true})
    const missing = runCli(['ic', 'inject', 'nosuch'], {cwd: p.dir})
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('[guest-not-found]')
    const running = runCli(['ic', 'inject', 'w1', '--offline'], {cwd: p.dir})
    expect(running.code).toBe(2)
    expect(running.stderr).toContain('[ic-inject-guest-running]')
    expect(running.stderr).toContain('shut the guest down first')
    writeFileSync(
      join(p.dir, 'templates', 'plain-linux.yaml'),
      stringify({apiVersion: 'hvguest/v1', kind: 'GuestTemplate', metadata: {name: 'plain-linux'}, spec: {os: {family: 'linux', distro: 'ubuntu', version: '22.04'}, bootDisk: {parent: '{{host.imageRoot}}\\ubuntu-22.04.vhdx'}}}),
    )
    const plain = runCli(['ic', 'inject', 'u1', '--template', 'plain-linux'], {cwd: p.dir})
    expect(plain.code).toBe(2)
    expect(plain.stderr).toContain('[firstboot-missing]')
    expect(JSON.stringify(p.state())).toBe(before)
  }, 120_000)

  it('Windows offline injection into the stopped guest: mount, add the cab, dismount', () => {
    const {p} = hostWithU1AndW1()
    expect(made.w1?.code, 'w1 was created').toBe(0)
    pwshOk(p, 'Stop-VM -Name w1 -Force')
    const r = runCli(['ic', 'inject', 'w1', '--json'], {cwd: p.dir})
    expect(r.code, r.stderr + r.stdout).toBe(0)
    expect(json(r)).toMatchObject({status: 'ok', steps: [{mode: 'offline', detail: 'C:\\Windows\\vmguest\\support\\amd64\\Windows6.2-HyperVIntegrationServices-x64.cab'}]})
    const state = p.pwsh('(Get-HvEmulatorState).windowsPackages | ConvertTo-Json -Compress')
    expect(state.stdout).toContain('Windows6.2-HyperVIntegrationServices-x64.cab')
    expect(state.stdout).toContain('w1-boot.vhdx')
    // always dismounted
    expect(p.state().disks.filter((d: any) => d.vhdPath)).toEqual([])
  }, 120_000)
})

describe('seed media and rollback', () => {
  it('a failure after the seed media is written removes it: the host is as it was', () => {
    const p = makeEmulatorProject({
      hostOs: 'windows-server-2022',
      guestTiming: {heartbeatSeconds: 0, addressSeconds: 0},
      setup: "New-HvEmulatorImage -Path 'C:\\Images\\ubuntu-22.04.vhdx' -Os 'linux/ubuntu/22.04' -Software 'cloud-init' | Out-Null",
    })
    const state = readFileSync(p.stateFile, 'utf8')
    const files = p.files()
    const r = runCli(['create', 'ubuntu-2204', '--name', 'rb1'], {cwd: p.dir, env: {HVGUEST_EMULATOR_FAIL: 'Add-VMDvdDrive:1'}})
    expect(r.code, r.stderr + r.stdout).toBe(1)
    expect(r.stderr).toContain('write-media C:\\Hyper-V\\rb1\\rb1-firstboot.iso')
    expect(readFileSync(p.stateFile, 'utf8')).toBe(state)
    expect(p.files()).toEqual(files)
  }, 120_000)
})

describe('the starter project', () => {
  it('init, then create --wait: the guest boots from the starter image, reports its address, and ic status says ready', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvguest-starter-'))
    const init = runCli(['init', dir, '--json'])
    expect(init.code, init.stderr).toBe(0)
    expect(json(init).emulator).toMatchObject({images: ['C:\\Hyper-V\\Images\\ubuntu-22.04.vhdx']})
    // The one test here with real boot delays: the starter host keeps the emulator's default
    // timing (heartbeat after 2 s, addresses after 3 s), what a user's first create waits for.
    const r = runCli(['create', 'templates/lab-linux.yaml', '--set', `sshKey=${SSH_KEY}`, '--wait', '--timeout', '60', '--json'], {cwd: dir})
    expect(r.code, r.stderr + r.stdout).toBe(0)
    expect(json(r).wait.guests[0]).toMatchObject({name: 'lab-linux', ready: true, problems: []})
    const st = runCli(['ic', 'status', 'lab-linux', '--json'], {cwd: dir})
    expect(st.code, st.stderr).toBe(0)
    expect(json(st).guests[0]).toMatchObject({ready: true, kvp: {FullyQualifiedDomainName: 'lab-linux'}})
    expect(runCli(['destroy', 'lab-linux', '--yes'], {cwd: dir}).code).toBe(0)
  }, 120_000)
})
