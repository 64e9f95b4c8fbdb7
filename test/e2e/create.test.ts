/**
 * `create` through the BUILT CLI, real pwsh, an emulated host. Each test
 * starts from its own copy of an emulator state made by the emulator itself (built once per
 * option set: test/helpers/emulator-project.ts).
 */
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {stringify} from 'yaml'
import {makeEmulatorProject, prebuildEmulatorProjects, snapshotProject, type EmulatorProject, type EmulatorProjectOptions} from '../helpers/emulator-project.js'
import {pwshTap, waitFor} from '../helpers/pwsh-tap.js'
import {BIN, cliEnv, runCli} from '../helpers/run-cli.js'
import {readJournal} from '../helpers/journal-file.js'
import {faultLabel, faultPoints, processAlive, type FaultPoint} from '../helpers/fault-points.js'

const PARENT = 'C:\\Images\\base.vhdx'

/** A Gen1 template that exercises every mutating step the runtime has, in `dir`/templates (a project's, by default). */
function writeTemplate(p: EmulatorProject | {dir: string}, over: Record<string, unknown> = {}, name = 'lab'): string {
  mkdirSync(join(p.dir, 'templates'), {recursive: true})
  const file = join(p.dir, 'templates', `${name}.yaml`)
  writeFileSync(
    file,
    stringify({
      apiVersion: 'hvguest/v1',
      kind: 'GuestTemplate',
      metadata: {name},
      spec: {
        os: {family: 'linux', distro: 'ubuntu', version: '22.04'},
        notes: 'built by the e2e test',
        processors: 2,
        memory: {startup: '2GB', dynamic: true, minimum: '1GB', maximum: '4GB'},
        bootDisk: {parent: PARENT},
        dataDisks: [
          {name: 'data1', size: '10GB', blockSize: '1MB'},
          {name: 'pinned', size: '5GB', controller: {type: 'scsi', number: 1, location: 3}},
        ],
        dvdDrives: [{}],
        networkAdapters: [{switch: 'Lab', vlan: 20}],
        integration: {services: {guestServiceInterface: true, timeSynchronization: false}},
        ...over,
      },
    }),
  )
  return file
}

/** The base image a differencing boot disk needs: it exists before the run and must survive it. */
const MAKE_PARENT = "New-Item -ItemType Directory -Path 'C:\\Images' -Force | Out-Null; New-VHD -Path 'C:\\Images\\base.vhdx' -SizeBytes 30GB -Dynamic | Out-Null"

/** The host most tests use: the parent image, profile intel-10g. */
const LAB: EmulatorProjectOptions = {profile: 'intel-10g', setup: MAKE_PARENT}
/** Another host's state and drives, under .hvguest/h2 of the same project (the inventory then lists both). */
const H2 = join('.hvguest', 'h2')
const TWO_HOSTS: EmulatorProjectOptions = {
  ...LAB,
  setup: [MAKE_PARENT, `New-HvEmulatorState -Path '${H2}/emulator-state.json' | Out-Null`, `Initialize-HvEmulator -StateFile '${H2}/emulator-state.json'`, MAKE_PARENT].join('\n'),
}
/** A switch name with single and typographic quotes, a backtick, a subexpression and a non-ASCII letter. */
const HOSTILE_SWITCH = `Lab 'q' \`b\` $(whoami); ‘’“” ü`
const HOSTILE: EmulatorProjectOptions = {...LAB, switches: [HOSTILE_SWITCH]}
// Every host of this file in one pwsh, before the first test; each test gets its own copy.
beforeAll(() => prebuildEmulatorProjects([LAB, TWO_HOSTS, HOSTILE]), 300_000)

/** A fresh copy of a host built once (LAB unless told). */
function project(opts: EmulatorProjectOptions = LAB): EmulatorProject {
  return makeEmulatorProject(opts)
}

const create = (p: EmulatorProject, args: string[], env: Record<string, string> = {}) => runCli(['create', ...args], {cwd: p.dir, env})

/**
 * A copy of a project where `create lab --name web1` succeeded, made once: for the tests whose
 * subject is what comes after a create. The guest's manifest names its template file, so that
 * create used a lab.yaml outside the project (the same text), which every copy finds.
 */
function projectWithWeb1(): EmulatorProject {
  const p = snapshotProject('web1 created', () => {
    const q = project()
    const lab = writeTemplate({dir: mkdtempSync(join(tmpdir(), 'hvguest-lab-'))})
    const r = create(q, [lab, '--name', 'web1', '--json'])
    if (r.code !== 0 || JSON.parse(r.stdout).guests[0]?.status !== 'created') throw new Error(`create web1 for the shared project failed (exit ${r.code}): ${r.stdout}${r.stderr}`)
    return q
  })
  writeTemplate(p)
  return p
}

const vm = (p: EmulatorProject, name: string) => p.state().vms.find((v: {name: string}) => v.name === name)
const slotOf = (d: {controllerType: string; controllerNumber: number; controllerLocation: number}) => `${d.controllerType} ${d.controllerNumber}:${d.controllerLocation}`

/** sha256 of every file under a folder, by path relative to it. */
function filesUnder(root: string): Record<string, string> {
  const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]))
  return Object.fromEntries(walk(root).map((f) => [relative(root, f), createHash('sha256').update(readFileSync(f)).digest('hex')]))
}

/** The CLI, started without waiting for it: its exit code and stdout once it ends. */
function start(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{code: number | null; stdout: string; stderr: string}> {
  const c = spawn(process.execPath, [BIN, ...args], {cwd, env: cliEnv(env)})
  let stdout = ''
  let stderr = ''
  c.stdout.on('data', (b) => (stdout += b))
  c.stderr.on('data', (b) => (stderr += b))
  return new Promise((resolve) => c.on('close', (code) => resolve({code, stdout, stderr})))
}

/**
 * Holds a host's run lock (`<vmRoot>\.hvguest\lock`, docs/execution.md section 4) as another
 * run would: `begin` of every run on that host waits until `release()`. For tests that need runs
 * to reach a known point before they go on, instead of sleeping and hoping.
 */
function holdLock(drives: string): {release: () => void} {
  const dir = join(drives, 'C', 'Hyper-V', '.hvguest')
  mkdirSync(dir, {recursive: true})
  const file = join(dir, 'lock')
  writeFileSync(file, JSON.stringify({runId: 'held-by-the-test', pid: process.pid, processName: 'node', computer: 'test', since: new Date().toISOString()}))
  return {release: () => rmSync(file)}
}


// Several CLI runs per test, each starting pwsh: more than vitest's default 30 s on a busy machine.
describe('create against an emulated host', {timeout: 180_000}, () => {
  it('leaves the Gen1 layout in the host state equal to the plan, slot for slot', () => {
    const p = project()
    writeTemplate(p)
    const planned = JSON.parse(runCli(['plan', 'lab', '--name', 'web1', '--json'], {cwd: p.dir}).stdout).guests[0]
    const r = create(p, ['lab', '--name', 'web1', '--json'])
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).guests[0]).toMatchObject({name: 'web1', status: 'created'})
    const v = vm(p, 'web1')
    const actual = [...v.hardDrives.map((d: any) => `${slotOf(d)} hdd ${d.path}`), ...v.dvdDrives.map((d: any) => `${slotOf(d)} dvd ${d.path}`)].sort()
    const expected = planned.drives.map((d: any) => `${d.controller.type} ${d.controller.number}:${d.controller.location} ${d.kind} ${d.path}`).sort()
    expect(actual).toEqual(expected)
    expect(v.networkAdapters.map((a: any) => [a.name, a.switchName, a.isLegacy, a.vlan.accessVlanId])).toEqual([['Network Adapter', 'Lab', false, 20]])
    expect(v.bios.startupOrder).toEqual(planned.bootOrder)
    expect(v.processorCount).toBe(2)
    const ics = Object.fromEntries(v.integrationServices.map((s: any) => [s.guid.toUpperCase(), s.enabled]))
    for (const s of planned.integration.services) expect(ics[s.id.toUpperCase()], s.name).toBe(s.enabled)
  })

  it('applies the profile host settings, and rollback restores them', () => {
    const p = project()
    writeTemplate(p)
    const jumbo = (s: any) =>
      s.netAdapters.map((n: any) => [n.name, n.advancedProperties.find((a: any) => a.registryKeyword === '*JumboPacket')?.registryValue])
    const before = jumbo(p.state())
    expect(create(p, ['lab', '--name', 'web1']).code).toBe(0)
    expect(jumbo(p.state())).toEqual(before.map(([n, v]: [string, string]) => [n, v === undefined ? v : '9014']))
    const q = project()
    writeTemplate(q)
    const qBefore = q.state()
    const failed = create(q, ['lab', '--name', 'web1'], {HVGUEST_EMULATOR_FAIL: 'Set-VMBios:1'})
    expect(failed.code).toBe(1)
    expect(q.state()).toEqual(qBefore)
  })

  // Faults through the CLI prove the wiring only: that a failure anywhere in a run reaches the
  // exit code and the --json answer (step and cmdlet), and that the CLI rolls back every host
  // and every guest of the run. That EVERY mutating call of begin and create-guest rolls back
  // to the identical state is the runtime sweep's job (test/powershell/runtime-rollback.test.ts),
  // which injects a fault at each of them. The points here are taken from a clean run's
  // progress lines (the runtime names the cmdlet of each step), never from a list kept by hand.

  /** A run that failed at `point`: exit 1, the guests it failed name that step and cmdlet, the others no error, nothing left to undo. */
  function expectFailedAt(r: {code: number | null; stdout: string; stderr: string}, point: FaultPoint, statuses: Record<string, string>, failed: string[]) {
    expect(r.code, `${faultLabel(point)}: ${r.stdout}${r.stderr}`).toBe(1)
    const out = JSON.parse(r.stdout)
    expect(out.status, faultLabel(point)).toBe('failed')
    expect(out.rollbackErrors, faultLabel(point)).toEqual([])
    expect(Object.fromEntries(out.guests.map((g: any) => [g.name, g.status])), faultLabel(point)).toEqual(statuses)
    const failing = out.guests.filter((g: any) => failed.includes(g.name))
    expect(failing.map((g: any) => g.name), faultLabel(point)).toEqual(failed)
    for (const g of failing) {
      expect(g.error, `${faultLabel(point)}: ${g.name}`).toMatchObject({step: point.step, cmdlet: point.cmdlet})
      // the emulated cmdlet's own message, as it threw it
      expect(g.error.message, faultLabel(point)).toContain(`call ${point.n} of ${point.cmdlet} failed`)
    }
    for (const g of out.guests.filter((x: any) => !failing.includes(x))) expect(g.error, `${faultLabel(point)}: ${g.name}`).toBeNull()
  }

  it('a fault in begin, in the middle of a guest, or in the second guest of a batch: exit 1, state as before, files byte-identical, the cmdlet named', {timeout: 180_000}, () => {
    const batch = ['lab', '--count', '2', '--name', 'web{{index}}', '--json']
    const probe = project()
    writeTemplate(probe)
    const tap = pwshTap()
    const clean = create(probe, batch, tap.env)
    expect(clean.code, clean.stdout + clean.stderr).toBe(0)
    expect(JSON.parse(clean.stdout).guests.map((g: any) => [g.name, g.status])).toEqual([
      ['web1', 'created'],
      ['web2', 'created'],
    ])
    const sessions = tap.sessions()
    expect(sessions, 'one pwsh for the one host').toHaveLength(1)
    const points = faultPoints(sessions[0], ['begin', 'create-guest'])
    const inBegin = points.filter((f) => f.action === 'begin')
    const inGuest = (name: string) => points.filter((f) => f.action === 'create-guest' && f.guest === name)
    expect(inBegin.length, 'begin changes host settings (intel-10g: jumbo frames)').toBeGreaterThan(0)
    const middle = (fs: FaultPoint[]) => fs[Math.floor(fs.length / 2)]
    // [point, each guest's status, the guests whose error is the fault]
    const cases: Array<[FaultPoint, Record<string, string>, string[]]> = [
      // the last host setting: the ones before it were changed and must be put back; a failed
      // begin is the failure of every guest of its host
      [inBegin[inBegin.length - 1], {web1: 'not-started', web2: 'not-started'}, ['web1', 'web2']],
      // the VM exists with some of its disks: the guest is removed, its files deleted
      [middle(inGuest('web1')), {web1: 'failed', web2: 'not-started'}, ['web1']],
      // web1 was created: the run rolls it back too
      [middle(inGuest('web2')), {web1: 'rolled-back', web2: 'failed'}, ['web2']],
    ]
    for (const [point, statuses, failed] of cases) {
      expect(point, 'a fault point').toBeDefined()
      const p = project()
      writeTemplate(p)
      const state = p.state()
      const files = p.files()
      const r = create(p, batch, {HVGUEST_EMULATOR_FAIL: `${point.cmdlet}:${point.n}`})
      expectFailedAt(r, point, statuses, failed)
      expect(p.state(), `state after ${faultLabel(point)}`).toEqual(state)
      expect(p.files(), `files after ${faultLabel(point)}`).toEqual(files)
    }
  })

  it('a fault on the second of two hosts rolls back the first host too: exit 1, both as before, the cmdlet named', {timeout: 180_000}, async () => {
    // h1 (generic-1g: no host settings to change) and h2 (intel-10g), each with its own state and drives.
    const twoHosts = () => {
      const p = project(TWO_HOSTS)
      writeTemplate(p)
      const host = (name: string, stateFile: string, profile: string) => ({
        name,
        transport: 'emulator',
        os: 'windows-server-2022',
        vmRoot: 'C:\\Hyper-V',
        imageRoot: 'C:\\Images',
        isoRoot: 'C:\\ISO',
        switches: ['Lab'],
        profile,
        emulator: {stateFile},
      })
      writeFileSync(
        join(p.dir, 'hosts.yaml'),
        stringify({apiVersion: 'hvguest/v1', kind: 'HostInventory', hosts: [host('h1', '.hvguest/emulator-state.json', 'generic-1g'), host('h2', `${H2}/emulator-state.json`, 'intel-10g')]}),
      )
      const h2 = {state: () => JSON.parse(readFileSync(join(p.dir, H2, 'emulator-state.json'), 'utf8')), files: () => filesUnder(join(p.dir, H2, 'drives')), drives: join(p.dir, H2, 'drives')}
      return {p, h2}
    }
    // one guest per host (placement goes round the inventory): web1 on h1, web2 on h2
    const run = ['create', 'lab', '--count', '2', '--name', 'web{{index}}', '--json']

    const probe = twoHosts()
    const tap = pwshTap()
    const clean = runCli(run, {cwd: probe.p.dir, env: tap.env})
    expect(clean.code, clean.stdout + clean.stderr).toBe(0)
    expect(JSON.parse(clean.stdout).guests.map((g: any) => [g.name, g.host, g.status])).toEqual([
      ['web1', 'h1', 'created'],
      ['web2', 'h2', 'created'],
    ])
    const sessions = tap.sessions()
    expect(sessions, 'one pwsh per host').toHaveLength(2)
    const of = (guest: string) => faultPoints(sessions.find((s) => s.some((l) => l.guest === guest))!, ['begin', 'create-guest'])
    const h1Points = of('web1')
    // The fault is counted per pwsh, and both get the same HVGUEST_EMULATOR_FAIL: a point that
    // only h2 reaches (h1 makes fewer calls of that cmdlet), the last of them.
    const only = of('web2').filter((f) => h1Points.filter((x) => x.cmdlet === f.cmdlet).length < f.n)
    expect(only.length, 'h2 makes calls h1 does not (its host settings)').toBeGreaterThan(0)
    const point = only[only.length - 1]

    const {p, h2} = twoHosts()
    const before = {h1: p.state(), h1Files: p.files(), h2: h2.state(), h2Files: h2.files()}
    // h2's begin waits for this lock until web1 is created on h1: the failure then has a
    // created guest on another host to roll back, whatever the timing of the two hosts.
    const lock = holdLock(h2.drives)
    const tapped = pwshTap()
    const running = start(p.dir, run, {...tapped.env, HVGUEST_EMULATOR_FAIL: `${point.cmdlet}:${point.n}`})
    try {
      await waitFor('web1 created on h1', () => {
        const r = tapped.sessions().flat().find((l) => l.type === 'result' && l.action === 'create-guest' && l.guest === 'web1')
        if (r && !r.ok) throw new Error(`web1 failed on h1: ${JSON.stringify(r.error)}`)
        return r
      })
    } finally {
      lock.release()
    }
    const r = await running
    expectFailedAt(r, point, {web1: 'rolled-back', web2: point.action === 'begin' ? 'not-started' : 'failed'}, ['web2'])
    expect({h1: p.state(), h1Files: p.files(), h2: h2.state(), h2Files: h2.files()}).toEqual(before)
  })

  it('a killed CLI leaves a journal that recover completes', {timeout: 120_000}, async () => {
    const p = project()
    writeTemplate(p, {dataDisks: Array.from({length: 12}, (_, i) => ({name: `d${i}`, size: '1GB'}))})
    const before = p.state()
    const files = p.files()
    const child = spawn(process.execPath, [BIN, 'create', 'lab', '--name', 'web1'], {cwd: p.dir, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: cliEnv()})
    await new Promise<void>((resolve, reject) => {
      let seen = ''
      child.stderr.on('data', (b) => {
        seen += b
        // Killed in the middle of attaching disks: the VM and its VHDs exist, the run is not committed.
        if (/add-hard-disk .*d3\.vhdx/.test(seen)) {
          process.kill(-child.pid!, 'SIGKILL')
          resolve()
        }
      })
      child.on('exit', () => reject(new Error(`the run ended before it could be killed: ${seen}`)))
    }).catch((e) => {
      throw e
    })
    await new Promise((r) => child.once('exit', r))
    expect(vm(p, 'web1'), 'the VM exists after the kill').toBeDefined()
    // The host side of a killed CLI may still be finishing the step it was given (as a remote
    // host would); recover leaves a run alone while its process lives. The journal names that
    // process: wait until it is gone, then recover once.
    const journalDir = join(p.dir, '.hvguest', 'drives', 'C', 'Hyper-V', '.hvguest', 'journal')
    const journals = readdirSync(journalDir).filter((f) => f.endsWith('.jsonl'))
    expect(journals, 'the killed run left its journal').toHaveLength(1)
    const hostPid = readJournal(join(journalDir, journals[0])).pid
    expect(hostPid).toEqual(expect.any(Number))
    await waitFor(`the killed run's pwsh (pid ${hostPid}) to end`, () => (processAlive(hostPid) ? undefined : true))
    const r = runCli(['recover', '--json'], {cwd: p.dir})
    expect(JSON.parse(r.stdout).hosts[0].data.skipped, r.stdout).toEqual([])
    expect(r.code, r.stdout).toBe(0)
    expect(JSON.parse(r.stdout).hosts[0].data.runs.length, r.stdout).toBe(1)
    expect(p.state(), r.stdout).toEqual(before)
    expect(p.files()).toEqual(files)
  })

  it('two concurrent creates of one name, both past preflight: one VM; the other fails at check-name (New-VM), exit 1, and leaves nothing', {timeout: 120_000}, async () => {
    const p = project()
    writeTemplate(p)
    // The case preflight cannot catch: both runs find the name free, then race for the host.
    // Both wait at begin for a lock the test holds until both preflights have answered; then
    // the host lock lets one run in, and the other finds the name taken when its turn comes.
    const lock = holdLock(join(p.dir, '.hvguest', 'drives'))
    const taps = [pwshTap(), pwshTap()]
    const runs = taps.map((t) => start(p.dir, ['create', 'lab', '--name', 'twin', '--json'], t.env))
    try {
      for (const [i, t] of taps.entries()) {
        const preflight = await waitFor(`run ${i + 1}'s preflight`, () => t.sessions().flat().find((l) => l.type === 'result' && l.action === 'preflight'))
        expect(preflight, `run ${i + 1}`).toMatchObject({ok: true, data: {problems: []}})
      }
    } finally {
      lock.release()
    }
    const [a, b] = await Promise.all(runs)
    expect([a.code, b.code].sort(), a.stdout + b.stdout).toEqual([0, 1])
    const [winner, loser] = (a.code === 0 ? [a, b] : [b, a]).map((x) => JSON.parse(x.stdout))
    expect(winner.guests).toEqual([expect.objectContaining({name: 'twin', status: 'created', error: null})])
    expect(loser.status).toBe('failed')
    expect(loser.problems).toEqual([])
    expect(loser.rollbackErrors).toEqual([])
    expect(loser.guests).toEqual([
      {
        name: 'twin',
        host: 'emu1',
        status: 'failed',
        vmId: null,
        error: {step: 'check-name', cmdlet: 'New-VM', message: `a VM named 'twin' already exists on this host (id ${winner.guests[0].vmId}); pass replace to replace it`},
        warnings: [],
        seedMedia: null,
      },
    ])
    expect(p.state().vms.map((v: {name: string; id: string}) => [v.name, v.id])).toEqual([['twin', winner.guests[0].vmId]])
    // the loser's rollback left the winner's guest and nothing of its own: no journal, no lock
    const stateRoot = join(p.dir, '.hvguest', 'drives', 'C', 'Hyper-V', '.hvguest')
    expect(readdirSync(join(stateRoot, 'journal')).filter((f) => f.endsWith('.json') || f.endsWith('.jsonl'))).toEqual([])
    expect(existsSync(join(stateRoot, 'lock'))).toBe(false)
  })

  it('hostile values arrive in the host state exactly as given', () => {
    const hostile = `Lab 'q' "d" \`b\` $(whoami); x‘’“” ünï`
    const switchName = HOSTILE_SWITCH
    const p = project(HOSTILE)
    writeTemplate(p, {
      notes: `${hostile}\nsecond line`,
      dataDisks: [{name: `data ‘q’ $(x); ü`, size: '1GB'}],
      networkAdapters: [{switch: '{{sw}}'}],
    })
    // The switch name goes in through a --set value, the notes through the template.
    const yamlFile = join(p.dir, 'templates', 'lab.yaml')
    writeFileSync(yamlFile, readFileSync(yamlFile, 'utf8').replace('metadata:', 'parameters:\n  sw: {type: string}\nmetadata:'))
    const r = create(p, ['lab', '--name', 'web1', '--set', `sw=${switchName}`, '--json'])
    expect(r.code, r.stdout + r.stderr).toBe(0)
    const v = vm(p, 'web1')
    expect(v.notes).toBe(`${hostile}\nsecond line`)
    expect(v.networkAdapters[0].switchName).toBe(switchName)
    expect(v.hardDrives.map((d: any) => d.path)).toContain('C:\\Hyper-V\\web1\\data ‘q’ $(x); ü.vhdx')
  })

  it('a missing pwsh gives exit 2 with how to install it', () => {
    const p = project()
    writeTemplate(p)
    const r = create(p, ['lab', '--name', 'web1'], {HVGUEST_PWSH: join(p.dir, 'no-such-pwsh')})
    expect(r.code).toBe(2)
    expect(r.stderr + r.stdout).toMatch(/dotnet tool install/)
  })

  it('preflight: an existing VM name or a missing parent is exit 2 and changes nothing', () => {
    const p = projectWithWeb1()
    const state = p.state()
    const again = create(p, ['lab', '--name', 'web1'])
    expect(again.code).toBe(2)
    expect(again.stdout + again.stderr).toMatch(/already exists/)
    writeTemplate(p, {bootDisk: {parent: 'C:\\Images\\missing.vhdx'}}, 'orphan')
    const orphan = create(p, ['orphan', '--name', 'web2', '--json'])
    expect(orphan.code).toBe(2)
    expect(JSON.parse(orphan.stdout).problems.map((d: {code: string}) => d.code)).toContain('parent-missing')
    writeTemplate(p, {dataDisks: [{name: 'old', type: 'existing', path: 'C:\\Data\\gone.vhdx'}]}, 'reuse')
    const reuse = create(p, ['reuse', '--name', 'web3', '--json'])
    expect(reuse.code).toBe(2)
    expect(JSON.parse(reuse.stdout).problems).toContainEqual(expect.objectContaining({code: 'disk-missing', guest: 'web3'}))
    expect(p.state()).toEqual(state)
  })

  it('--dry-run shows what would run and changes nothing', () => {
    const p = project()
    writeTemplate(p)
    const state = p.state()
    const r = create(p, ['lab', '--name', 'web1', '--dry-run'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Would run/)
    expect(r.stdout).toMatch(/Add-VMHardDiskDrive .* at SCSI 1:3/)
    expect(p.state()).toEqual(state)
  })

  it('--emit writes a script that pwsh parses, and that leaves the same state as create', () => {
    const a = projectWithWeb1()
    const b = project()
    writeTemplate(b)
    const script = join(b.dir, 'create-web1.ps1')
    expect(create(b, ['lab', '--name', 'web1', '--emit', script]).code).toBe(0)
    // One pwsh: parse the script (without running it), then run it when it parses.
    const ran = b.pwsh(
      [
        `$t = $null; $e = $null; [void][System.Management.Automation.Language.Parser]::ParseFile('${script}', [ref]$t, [ref]$e)`,
        `Write-Output "parse errors: $($e.Count)"`,
        `if ($e.Count -ne 0) { exit 99 }`,
        `& '${script}'; exit $LASTEXITCODE`,
      ].join('\n'),
    )
    expect(ran.stdout.split('\n')[0].trim(), ran.stdout + ran.stderr).toBe('parse errors: 0')
    expect(ran.code, ran.stdout + ran.stderr).toBe(0)
    // Same state but for the identifiers Hyper-V makes up (VM, controller and adapter GUIDs).
    const normal = (s: unknown) => JSON.stringify(s).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, 'GUID')
    expect(normal(b.state())).toBe(normal(a.state()))
  })

  it('list shows the guest; destroy removes it and only the files hvguest created', () => {
    const p = projectWithWeb1()
    const listed = JSON.parse(runCli(['list', '--json'], {cwd: p.dir}).stdout).hosts[0].data.guests
    expect(listed.map((g: any) => [g.name, g.managed])).toEqual([['web1', true]])
    expect(runCli(['destroy', 'web1'], {cwd: p.dir}).code, 'no --yes without a terminal').toBe(2)
    const d = runCli(['destroy', 'web1', '--yes', '--json'], {cwd: p.dir})
    expect(d.code, d.stdout).toBe(0)
    expect(vm(p, 'web1')).toBeUndefined()
    const left = Object.keys(p.files())
    expect(left.some((f) => f.includes('base.vhdx')), 'the parent image is never deleted').toBe(true)
    expect(left.some((f) => f.includes('web1')), 'every file the run created is gone').toBe(false)
  })
})
