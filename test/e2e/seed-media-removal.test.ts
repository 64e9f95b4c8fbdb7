/**
 * Seed media with a secret through the BUILT CLI, real pwsh, on an emulated Windows Server 2012 R2
 * host whose guests answer at once: `create --start --wait` of an Ubuntu guest given a secret
 * (adminPassword) ejects its seed ISO and deletes it from the host once the guest is ready; a
 * template with firstBoot.keepMedia: true keeps it attached, and `ic status` and `list` warn
 * about it (firstboot-secret-attached), human and --json. One host for the file.
 */
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {makeEmulatorProject, type EmulatorProject} from '../helpers/emulator-project.js'
import {REPO, runCli, type CliResult} from '../helpers/run-cli.js'

const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHvguestE2E ops@lab'
const HOST = {
  hostOs: 'windows-server-2012r2',
  guestTiming: {heartbeatSeconds: 0, addressSeconds: 0},
  setup: "New-HvEmulatorImage -Path 'C:\\Images\\ubuntu-22.04.vhdx' -Os 'linux/ubuntu/22.04' -Software 'cloud-init','openssh-server' | Out-Null",
}

const local = (p: EmulatorProject, windowsPath: string) => join(p.dir, '.hvguest', 'drives', 'C', ...windowsPath.slice(3).split('\\'))
const json = (r: CliResult): any => {
  try {
    return JSON.parse(r.stdout)
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`)
  }
}
const dvd = (p: EmulatorProject, name: string) => p.state().vms.find((v: any) => v.name === name).dvdDrives.find((d: any) => d.controllerNumber === 1 && d.controllerLocation === 0)
const createAndWait = (p: EmulatorProject, template: string, name: string) =>
  runCli(['create', template, '--name', name, '--set', `sshKey=${SSH_KEY}`, '--set', 'adminPassword=Tr0ub4dor&3', '--start', '--wait', '--timeout', '60', '--json'], {cwd: p.dir})

let p: EmulatorProject
const made: Record<string, CliResult> = {}

beforeAll(() => {
  p = makeEmulatorProject(HOST)
  // The built-in Ubuntu template with firstBoot.keepMedia: true.
  const text = readFileSync(join(REPO, 'templates', 'guests', 'ubuntu-2204.yaml'), 'utf8')
  const keep = text.replace(/^  name: ubuntu-2204$/m, '  name: ubuntu-keep').replace(/^(\s+)cloudInit: firstboot\/cloud-init$/m, '$1cloudInit: firstboot/cloud-init\n$1keepMedia: true')
  expect(keep).toContain('keepMedia: true')
  mkdirSync(join(p.dir, 'templates'), {recursive: true})
  writeFileSync(join(p.dir, 'templates', 'ubuntu-keep.yaml'), keep)
  made.s1 = createAndWait(p, 'ubuntu-2204', 's1')
  made.k1 = createAndWait(p, 'templates/ubuntu-keep.yaml', 'k1')
}, 240_000)

describe('create --wait and seed media that carries a secret', {timeout: 120_000}, () => {
  it('a ready guest: the ISO is ejected and deleted from the host, and the manifest says so', () => {
    const r = made.s1
    expect(r.code, r.stderr + r.stdout).toBe(0)
    const run = json(r)
    expect(run.status).toBe('ok')
    const g = run.guests[0]
    const media = 'C:\\Hyper-V\\s1\\s1-firstboot.iso'
    expect(g.seedMedia).toEqual({status: 'removed', media, reason: 'ejected from IDE 1:0, deleted from the host'})
    expect(g.warnings).toEqual([])
    // The wait's report says what is so after the removal, not what it saw before it.
    expect(run.wait.guests[0]).toMatchObject({ready: true, warnings: [], seedMedia: {attached: false}})
    expect(existsSync(local(p, media))).toBe(false)
    expect(dvd(p, 's1')).toMatchObject({path: null})
    const manifest = JSON.parse(readFileSync(local(p, `C:\\Hyper-V\\.hvguest\\guests\\${g.vmId}.json`), 'utf8'))
    expect(manifest.files).not.toContain(media)
    expect(manifest.guest.firstBoot).toMatchObject({media, secret: true, keepMedia: false, mediaRemovedAt: expect.any(String)})
    // ic status: no warning once it is gone.
    const s = runCli(['ic', 'status', 's1', '--json'], {cwd: p.dir})
    expect(s.code, s.stderr).toBe(0)
    expect(json(s).guests[0]).toMatchObject({ready: true, warnings: [], seedMedia: {attached: false, onDisk: false}})
  })

  it('firstBoot.keepMedia: true keeps it attached, and ic status and list warn (human and --json)', () => {
    const r = made.k1
    expect(r.code, r.stderr + r.stdout).toBe(0)
    const g = json(r).guests[0]
    const media = 'C:\\Hyper-V\\k1\\k1-firstboot.iso'
    expect(g.seedMedia).toMatchObject({status: 'kept', media})
    expect(existsSync(local(p, media))).toBe(true)
    expect(dvd(p, 'k1')).toMatchObject({path: media})

    const s = runCli(['ic', 'status', 'k1', '--json'], {cwd: p.dir})
    expect(s.code, s.stderr).toBe(0)
    const st = json(s).guests[0]
    expect(st.warnings.map((w: any) => w.code)).toEqual(['firstboot-secret-attached'])
    expect(st.warnings[0].message).toContain('firstBoot.keepMedia: true')
    expect(runCli(['ic', 'status', 'k1'], {cwd: p.dir}).stdout).toContain('[firstboot-secret-attached]')

    const l = runCli(['list', '--json'], {cwd: p.dir})
    expect(l.code, l.stderr).toBe(0)
    const listed = Object.fromEntries(json(l).hosts[0].data.guests.map((x: any) => [x.name, x.warnings.map((w: any) => w.code)]))
    expect(listed).toEqual({k1: ['firstboot-secret-attached'], s1: []})
    const human = runCli(['list'], {cwd: p.dir}).stdout
    expect(human).toContain('k1-firstboot.iso carries a secret')
    expect(human.match(/\[firstboot-secret-attached\]/g)).toHaveLength(1)
  })
})
