/**
 * Labs through the BUILT CLI, real pwsh, the emulated host of a starter project (`hvguest init`):
 * the whole cycle (up --wait with the guests reporting their static addresses through KVP,
 * status, a second up that changes nothing, an edit that adds a guest, down leaving the host
 * byte-identical), fault injection at every mutating step of the lab's networks and in a guest,
 * and a killed `lab up` that `recover` undoes. The starter project is made once; each test works
 * on its own copy.
 */
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {pwshTap, waitFor} from '../helpers/pwsh-tap.js'
import {readJournal} from '../helpers/journal-file.js'
import {faultLabel, faultPoints, processAlive} from '../helpers/fault-points.js'
import {BIN, cliEnv, runCli} from '../helpers/run-cli.js'

let starter = ''
beforeAll(() => {
  const root = mkdtempSync(join(tmpdir(), 'hvguest-lab-starter-'))
  starter = join(root, 'p')
  const init = runCli(['init', starter, '--json'])
  if (init.code !== 0) throw new Error(`hvguest init failed: ${init.stdout}${init.stderr}`)
  // Guests answer at once after Start-VM: how long a guest takes to boot is not what these tests
  // test (the starter project of firstboot.test.ts keeps the real delays); what it reports is.
  const stateFile = join(starter, '.hvguest', 'emulator-state.json')
  const state = JSON.parse(readFileSync(stateFile, 'utf8'))
  state.host.guestTiming = {heartbeatSeconds: 0, addressSeconds: 0}
  writeFileSync(stateFile, JSON.stringify(state, null, 2) + '\n')
}, 120_000)

interface Project {
  dir: string
  /** The emulator's state file, as text: byte for byte. */
  stateText(): string
  state(): Record<string, any>
  /** sha256 of every file under the emulated drives. */
  files(): Record<string, string>
}

function project(): Project {
  const dir = join(mkdtempSync(join(tmpdir(), 'hvguest-lab-')), 'p')
  cpSync(starter, dir, {recursive: true})
  const stateFile = join(dir, '.hvguest', 'emulator-state.json')
  const drives = join(dir, '.hvguest', 'drives')
  const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]))
  return {
    dir,
    stateText: () => readFileSync(stateFile, 'utf8'),
    state: () => JSON.parse(readFileSync(stateFile, 'utf8')),
    files: () => Object.fromEntries(walk(drives).map((f) => [relative(drives, f), createHash('sha256').update(readFileSync(f)).digest('hex')])),
  }
}

const lab = (p: Project, args: string[], env: Record<string, string> = {}) => runCli(['lab', ...args], {cwd: p.dir, env})
const json = (r: {stdout: string}) => JSON.parse(r.stdout)

describe('a lab through the built CLI', {timeout: 240_000}, () => {
  it('init, up --wait (static addresses through KVP), status, a second up that changes nothing, an added guest, --recreate, and down leaving the host byte-identical', () => {
    const p = project()
    const before = {state: p.stateText(), files: p.files()}

    const up = lab(p, ['up', '--wait', '--timeout', '120', '--json'])
    expect(up.code, up.stdout + up.stderr).toBe(0)
    const upped = json(up)
    expect(upped.status).toBe('ok')
    expect(upped.networks).toMatchObject([{network: 'lan', switch: 'starter-lan', type: 'internal', actions: {switch: 'create', address: 'create', nat: 'create'}}])
    expect(upped.guests.map((g: any) => [g.name, g.action, g.result.status])).toEqual([
      ['starter-app1', 'create', 'created'],
      ['starter-app2', 'create', 'created'],
    ])
    // Each guest reports, through KVP, the address the lab planned for the adapter with its MAC.
    expect(Object.fromEntries(upped.wait.guests.map((g: any) => [g.name, [g.ready, g.ipv4]]))).toEqual({
      'starter-app1': [true, ['10.210.0.11']],
      'starter-app2': [true, ['10.210.0.12']],
    })
    // The host has what the lab made: the switch with its note, the gateway, the NAT.
    const made = p.state()
    expect(made.switches.find((s: any) => s.name === 'starter-lan')).toMatchObject({switchType: 'Internal', notes: 'hvguest lab=starter'})
    expect(made.netIPAddresses.find((a: any) => a.interfaceAlias === 'vEthernet (starter-lan)')).toMatchObject({ipAddress: '10.210.0.1', prefixLength: 24})
    expect(made.netNats).toMatchObject([{name: 'starter-lan', internalIPInterfaceAddressPrefix: '10.210.0.0/24'}])

    const status = lab(p, ['status', '--json'])
    expect(status.code, status.stdout + status.stderr).toBe(0)
    expect(json(status)).toMatchObject({converged: true})
    expect(json(status).networks).toMatchObject([{switch: 'starter-lan', exists: true, owned: true, gateway: '10.210.0.1/24', gatewayPresent: true, nat: 'starter-lan', natPresent: true}])
    expect(json(status).guests.map((g: any) => [g.name, g.state, g.ipv4, g.drift])).toEqual([
      ['starter-app1', 'Running', ['10.210.0.11'], []],
      ['starter-app2', 'Running', ['10.210.0.12'], []],
    ])

    // Again: nothing to change, one round trip (the facts), no lock, no journal.
    const again = lab(p, ['up', '--json'])
    expect(again.code, again.stdout + again.stderr).toBe(0)
    expect(json(again)).toMatchObject({status: 'unchanged', runId: null, sessions: [{requests: 1}]})

    // An edit that adds a guest: up makes that guest only.
    appendFileSync(join(p.dir, 'lab.yaml'), '    - name: db\n      template: lab-linux\n      dependsOn: [app1]\n      networks:\n        - { network: lan, address: 10.210.0.20/24 }\n')
    const added = lab(p, ['up', '--json'])
    expect(added.code, added.stdout + added.stderr).toBe(0)
    expect(json(added).guests.map((g: any) => [g.name, g.action, g.result?.status ?? null])).toEqual([
      ['starter-app1', 'exists', null],
      ['starter-app2', 'exists', null],
      ['starter-db', 'create', 'created'],
    ])
    expect(json(added).networks[0].actions).toEqual({switch: 'owned', address: 'owned', nat: 'owned'})

    // --recreate: the guest is made again as planned (its old VM and the files hvguest made for it go first).
    const oldId = p.state().vms.find((v: any) => v.name === 'starter-app2').id
    const recreated = lab(p, ['up', '--recreate', 'starter-app2', '--json'])
    expect(recreated.code, recreated.stdout + recreated.stderr).toBe(0)
    expect(json(recreated).guests.map((g: any) => [g.name, g.action, g.result?.status ?? null])).toEqual([
      ['starter-app1', 'exists', null],
      ['starter-app2', 'recreate', 'created'],
      ['starter-db', 'exists', null],
    ])
    expect(p.state().vms.find((v: any) => v.name === 'starter-app2').id).not.toBe(oldId)

    const down = lab(p, ['down', '--yes', '--json'])
    expect(down.code, down.stdout + down.stderr).toBe(0)
    expect(json(down).hosts[0].guests.removed).toEqual(['starter-app1', 'starter-app2', 'starter-db'])
    expect(json(down).hosts[0].kept).toEqual([])
    expect(p.stateText()).toBe(before.state)
    expect(p.files()).toEqual(before.files)
  })

  it('a fault in the network (its switch, its NAT) or in a guest: exit 1, the host byte-identical, the cmdlet named', () => {
    const probe = project()
    const tap = pwshTap()
    const clean = lab(probe, ['up', '--json'], tap.env)
    expect(clean.code, clean.stdout + clean.stderr).toBe(0)
    const points = faultPoints(tap.sessions()[0], ['begin', 'lab-network', 'create-guest', 'lab-record'])
    const inNetwork = points.filter((f) => f.action === 'lab-network')
    // the switch, the profile's jumbo frames on its vEthernet adapter (lab-10g), the gateway, the NAT
    expect(inNetwork.map((f) => f.cmdlet)).toEqual(['New-VMSwitch', 'Set-NetAdapterAdvancedProperty', 'New-NetIPAddress', 'New-NetNat'])
    // Every mutating cmdlet of lab-network (and of begin and create-guest) is swept at the runtime
    // level, where a fault costs no CLI start (test/powershell/runtime-lab.test.ts,
    // runtime-rollback.test.ts). Here, the wiring: a fault in the network's first and last steps
    // and in a guest reaches the exit code and the --json answer, and the CLI rolls everything back.
    const inGuest = points.filter((f) => f.action === 'create-guest')
    const cases = [inNetwork[0], inNetwork[inNetwork.length - 1], inGuest[Math.floor(inGuest.length / 2)]]
    for (const point of cases) {
      const p = project()
      const before = {state: p.stateText(), files: p.files()}
      const r = lab(p, ['up', '--json'], {HVGUEST_EMULATOR_FAIL: `${point.cmdlet}:${point.n}`})
      expect(r.code, `${faultLabel(point)}: ${r.stdout}${r.stderr}`).toBe(1)
      const out = json(r)
      expect(out.status, faultLabel(point)).toBe('failed')
      expect(out.rollbackErrors, faultLabel(point)).toEqual([])
      expect(JSON.stringify(out.guests.map((g: any) => g.result?.error)), faultLabel(point)).toContain(point.cmdlet)
      expect(p.stateText(), `state after ${faultLabel(point)}`).toBe(before.state)
      expect(p.files(), `files after ${faultLabel(point)}`).toEqual(before.files)
    }
  })

  it('a lab up killed after its network was made leaves a journal that recover undoes, byte for byte', async () => {
    const p = project()
    const before = {state: p.stateText(), files: p.files()}
    const child = spawn(process.execPath, [BIN, 'lab', 'up'], {cwd: p.dir, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: cliEnv()})
    await new Promise<void>((resolve, reject) => {
      let seen = ''
      child.stderr.on('data', (b) => {
        seen += b
        // The switch, the gateway and the NAT exist, and the first guest is being made.
        if (/starter-app1: add-hard-disk/.test(seen)) {
          process.kill(-child.pid!, 'SIGKILL')
          resolve()
        }
      })
      child.on('exit', () => reject(new Error(`lab up ended before it could be killed: ${seen}`)))
    })
    await new Promise((r) => child.once('exit', r))
    expect(p.state().netNats, 'the NAT exists after the kill').toHaveLength(1)
    const journalDir = join(p.dir, '.hvguest', 'drives', 'C', 'Hyper-V', 'Virtual Machines', '.hvguest', 'journal')
    const journals = readdirSync(journalDir).filter((f) => f.endsWith('.jsonl'))
    expect(journals, 'the killed run left its journal').toHaveLength(1)
    const hostPid = readJournal(join(journalDir, journals[0])).pid
    await waitFor(`the killed run's pwsh (pid ${hostPid}) to end`, () => (processAlive(hostPid) ? undefined : true))
    const r = runCli(['recover', '--json'], {cwd: p.dir})
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(p.stateText()).toBe(before.state)
    expect(p.files()).toEqual(before.files)
  })

  it('a subnet the host has, and an unknown --recreate: exit 2 before any change, file:line:column where the file is the cause', () => {
    const p = project()
    const before = p.stateText()
    // The starter host's Lab switch has 192.168.1.50/24 on its vEthernet adapter.
    const text = readFileSync(join(p.dir, 'lab.yaml'), 'utf8').replace('subnet: 10.210.0.0/24', 'subnet: 192.168.1.0/24').replace('gateway: 10.210.0.1', 'gateway: 192.168.1.1').replace(/10\.210\.0\./g, '192.168.1.')
    writeFileSync(join(p.dir, 'conflict.yaml'), text)
    const r = lab(p, ['up', 'conflict.yaml'])
    expect(r.code, r.stdout + r.stderr).toBe(2)
    expect(r.stdout).toMatch(/conflict\.yaml:\d+:\d+: error \[lab-subnet-conflict\] network lan: subnet 192\.168\.1\.0\/24 overlaps 192\.168\.1\.50\/24 on "vEthernet \(Lab\)"/)
    const unknown = lab(p, ['up', '--recreate', 'nobody', '--json'])
    expect(unknown.code).toBe(2)
    expect(json(unknown).problems[0].message).toContain('--recreate nobody')
    expect(p.stateText()).toBe(before)
  })
})

