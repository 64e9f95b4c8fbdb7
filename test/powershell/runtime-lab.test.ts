/**
 * The host side of labs (docs/execution.md section 10) against the emulated host: facts read the
 * host's switches (id, notes), IPv4 addresses, NetNats, VM adapters and lab records; lab-network
 * makes a switch, the host's gateway address and a NetNat, or uses what exists as it is;
 * lab-record writes the lab record; every change is journaled, so that rollback, a fault at any
 * mutating cmdlet, and recover after a killed run all leave the host byte-identical (the state
 * file's text and every file on its drives); lab-teardown removes what the lab made, keeps a
 * switch a VM uses (with a warning) and any switch that is not the lab's, and leaves the host as
 * it was before the lab.
 */
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {describe, expect, it} from 'vitest'
import {copyHost, editState, type EmuHost, newHost, runSession, runShared, type BatchRun, openShared} from '../fixtures/runtime/harness.js'
import {RICH_HOST, richGen1Plan} from '../fixtures/runtime/plans.js'

const VMROOT = 'C:\\Hyper-V'
const LAB_NOTES = 'hvguest lab=corp'
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

/** The whole host as bytes: the state file's text, and every file (hashed) and folder on its drives. */
function snapshot(host: EmuHost): {state: string; files: Record<string, string>; folders: string[]} {
  const root = join(host.dir, 'drives')
  const files: Record<string, string> = {}
  const folders: string[] = []
  const walk = (dir: string) => {
    for (const e of readdirSync(dir).sort()) {
      const p = join(dir, e)
      if (statSync(p).isDirectory()) {
        folders.push(relative(root, p))
        walk(p)
      } else files[relative(root, p)] = sha(p)
    }
  }
  walk(root)
  return {state: readFileSync(host.stateFile, 'utf8'), files, folders}
}

/**
 * The same, without the folders the runtime's own bookkeeping leaves behind on purpose: the
 * journal folder (a run's journal is deleted; its folder stays for the next run, as after any
 * create's rollback). Everything else must be as it was, to the byte.
 */
function hostBytes(host: EmuHost): {state: string; files: Record<string, string>; folders: string[]} {
  const s = snapshot(host)
  const journalDir = /(^|[\\/])\.hvguest([\\/]journal)?$/
  return {...s, folders: s.folders.filter((f) => !journalDir.test(f))}
}

const internalLan = (over: Record<string, unknown> = {}) => ({
  switch: 'corp-lan',
  type: 'Internal',
  notes: LAB_NOTES,
  adapter: null,
  allowManagementOS: null,
  createSwitch: true,
  gateway: {address: '10.200.1.1', prefixLength: 24},
  nat: {name: 'corp-lan', prefix: '10.200.1.0/24'},
  ...over,
})

const labRecord = (runId: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'hvguest/v1',
  kind: 'LabRecord',
  lab: 'corp',
  file: 'labs/corp.yaml',
  runId,
  updated: '2026-12-04T21:00:00Z',
  switches: [],
  addresses: [],
  nats: [],
  guests: [],
  hostSettings: [],
  ...extra,
})

const begin = (runId: string, network: Record<string, unknown> | null = null) => ({
  action: 'begin',
  runId,
  host: {name: 'hv-emu', vmRoot: VMROOT, network},
  vmRoot: VMROOT,
  lockTimeoutSeconds: 10,
})

function okAll(run: {answers: Array<{ok: boolean; action: string | null; error?: unknown}>; stray: string[]}, label = ''): void {
  expect(run.stray, label).toEqual([])
  for (const a of run.answers) expect(a.ok, `${label} ${a.action}: ${JSON.stringify(a.error)}`).toBe(true)
}

/** A host with the starter's external switch Lab and an internal switch Existing, made once and copied per test. */
let baseHost: EmuHost | null = null
function labHost(): EmuHost {
  if (!baseHost) baseHost = newHost({...RICH_HOST, switches: ['Lab', {Name: 'Existing', Type: 'Internal'}]})
  return copyHost(baseHost)
}

/** A host that also has a NetNat for 10.200.0.0/16 (made before the lab: it is the host's, not the lab's). */
let natHost: EmuHost | null = null
async function hostWithNat(): Promise<EmuHost> {
  if (!natHost) {
    natHost = labHost()
    const r = await runShared(natHost, [{raw: "New-NetNat -Name 'shared' -InternalIPInterfaceAddressPrefix '10.200.0.0/16' | Out-Null"}])
    expect(r.stderr).toBe('')
  }
  return copyHost(natHost)
}

describe('facts: what a lab plan checks its networks against', () => {
  it('reads switch ids and notes, IPv4 addresses, NetNats, VM adapters and lab records, each in the answer schema', async () => {
    const host = labHost()
    const plan = richGen1Plan({switchName: 'corp-lan'})
    const made = await runShared(host, [
      begin('lab-facts'),
      {action: 'lab-network', runId: 'lab-facts', network: internalLan()},
      {action: 'create-guest', runId: 'lab-facts', guest: plan.guests[0], replace: false},
      {action: 'lab-record', runId: 'lab-facts', lab: 'corp', record: labRecord('lab-facts')},
      {action: 'commit', runId: 'lab-facts'},
    ])
    okAll(made)
    const switchId = made.answers[1].data.switchId
    // A damaged record beside the good one: null, and said so.
    writeFileSync(host.local(`${VMROOT}\\.hvguest\\labs\\broken.json`), '{"apiVersion": "hvg')
    const run = await runShared(host, [{action: 'facts', vmRoot: VMROOT}])
    okAll(run)
    const f = run.answers[0].data
    const lan = f.switches.find((s: any) => s.name === 'corp-lan')
    expect(lan).toMatchObject({type: 'Internal', id: switchId, notes: LAB_NOTES, hostAdapter: 'vEthernet (corp-lan)'})
    expect(switchId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(f.switches.find((s: any) => s.name === 'Existing')).toMatchObject({notes: null})
    expect(f.ipAddresses).toEqual(expect.arrayContaining([{interfaceAlias: 'vEthernet (corp-lan)', ipAddress: '10.200.1.1', prefixLength: 24}]))
    expect(f.netNats).toEqual([{name: 'corp-lan', prefix: '10.200.1.0/24'}])
    // richGen1Plan's guest has two adapters, Front (a static MAC) and PXE.
    expect(f.vmAdapters.map((a: any) => [a.vm, a.name, a.switch])).toEqual([
      ['web1', 'Front', 'corp-lan'],
      ['web1', 'PXE', 'corp-lan'],
    ])
    expect(f.vmAdapters[0].macAddress.replaceAll('-', '')).toBe('00155D0A0B0C')
    expect(f.labRecords).toEqual([
      {name: 'broken', record: null},
      {name: 'corp', record: labRecord('lab-facts')},
    ])
    expect(f.errors).toEqual([expect.objectContaining({fact: 'labRecords', category: 'InvalidData'})])
    expect(f.errors[0].message).toContain('broken.json')
  }, 180_000)

  it('a host without NetNat (Windows Server 2012) answers netNats null, with an error, and the rest as usual', async () => {
    const host = newHost({hostOs: 'windows-server-2012'})
    const run = await runShared(host, [{action: 'facts', vmRoot: VMROOT}])
    okAll(run)
    const f = run.answers[0].data
    expect(f.netNats).toBeNull()
    expect(f.errors).toEqual([expect.objectContaining({fact: 'netNats', cmdlet: 'Get-NetNat', category: 'NotImplemented'})])
    expect(Array.isArray(f.ipAddresses)).toBe(true)
    expect(f.labRecords).toEqual([])
  }, 120_000)
})

describe('preflight: plannedSwitches', () => {
  it('an adapter on a switch the run creates is not switch-missing; on any other missing switch it is', async () => {
    const host = labHost()
    const plan = richGen1Plan({switchName: 'corp-lan'})
    const run = await runShared(host, [
      {action: 'preflight', plan, replace: false, vmRoot: VMROOT, plannedSwitches: ['corp-lan']},
      {action: 'preflight', plan, replace: false, vmRoot: VMROOT},
    ])
    okAll(run)
    expect(run.answers[0].data.problems.filter((p: any) => p.code === 'switch-missing')).toEqual([])
    // Without it: both adapters and the jumbo entry name a switch that is not there.
    const missing = run.answers[1].data.problems.filter((p: any) => p.code === 'switch-missing')
    expect(missing).toHaveLength(3)
    for (const p of missing) expect(p.message).toContain("'corp-lan'")
  }, 120_000)
})

describe('lab-network, and its rollback', () => {
  it('creates an internal switch, the gateway address and a NAT; rollback leaves the host byte-identical', async () => {
    const host = labHost()
    const before = hostBytes(host)
    const run = await runShared(host, [
      begin('lab-new'),
      {action: 'lab-network', runId: 'lab-new', network: internalLan()},
      {action: 'facts', vmRoot: VMROOT},
      {action: 'rollback', runId: 'lab-new'},
    ])
    okAll(run)
    const net = run.answers[1]
    expect(net.data).toMatchObject({switchCreated: true, addressCreated: true, natCreated: true, natName: 'corp-lan'})
    expect(net.progress.map((p) => [p.step, p.cmdlet])).toEqual(expect.arrayContaining([['new-switch', 'New-VMSwitch'], ['new-address', 'New-NetIPAddress'], ['new-nat', 'New-NetNat']]))
    const f = run.answers[2].data
    expect(f.switches.find((s: any) => s.name === 'corp-lan')).toMatchObject({id: net.data.switchId, notes: LAB_NOTES})
    expect(f.netNats).toEqual([{name: 'corp-lan', prefix: '10.200.1.0/24'}])
    expect(run.answers[3].data.undone.map((u: any) => u.action)).toEqual(['remove-nat', 'remove-ip-address', 'remove-switch'])
    expect(hostBytes(host)).toEqual(before)
  }, 120_000)

  it('reuses a NetNat whose prefix holds the subnet, and its rollback never removes it', async () => {
    const host = await hostWithNat()
    const before = hostBytes(host)
    const run = await runShared(host, [
      begin('lab-reuse'),
      {action: 'lab-network', runId: 'lab-reuse', network: internalLan()},
      {action: 'facts', vmRoot: VMROOT},
      {action: 'rollback', runId: 'lab-reuse'},
    ])
    okAll(run)
    expect(run.answers[1].data).toMatchObject({switchCreated: true, addressCreated: true, natCreated: false, natName: 'shared'})
    expect(run.answers[1].progress.map((p) => p.cmdlet)).not.toContain('New-NetNat')
    expect(run.answers[2].data.netNats).toEqual([{name: 'shared', prefix: '10.200.0.0/16'}])
    expect(run.answers[3].data.undone.map((u: any) => u.action)).toEqual(['remove-ip-address', 'remove-switch'])
    expect(hostBytes(host)).toEqual(before)
  }, 120_000)

  it('a NetNat that overlaps without holding the subnet, under the lab NAT name, is refused and nothing changes', async () => {
    const host = labHost()
    const setup = await runShared(host, [{raw: "New-NetNat -Name 'corp-lan' -InternalIPInterfaceAddressPrefix '10.200.1.128/25' | Out-Null"}])
    expect(setup.stderr).toBe('')
    const before = hostBytes(host)
    const run = await runShared(host, [
      begin('lab-clash'),
      {action: 'lab-network', runId: 'lab-clash', network: internalLan()},
      {action: 'rollback', runId: 'lab-clash'},
    ])
    expect(run.answers[1].ok).toBe(false)
    expect(run.answers[1].error).toMatchObject({step: 'new-nat', category: 'ResourceExists'})
    expect(run.answers[2].ok, JSON.stringify(run.answers[2].error)).toBe(true)
    expect(hostBytes(host)).toEqual(before)
  }, 120_000)

  it('an existing switch (createSwitch false) is used as it is: the gateway goes on its adapter, and rollback takes only that', async () => {
    const host = labHost()
    const before = hostBytes(host)
    const existingBefore = host.state().switches.find((s: any) => s.name === 'Existing')
    const run = await runShared(host, [
      begin('lab-existing'),
      {action: 'lab-network', runId: 'lab-existing', network: internalLan({switch: 'Existing', createSwitch: false, nat: null, gateway: {address: '10.201.0.1', prefixLength: 24}})},
      {action: 'facts', vmRoot: VMROOT},
      {action: 'rollback', runId: 'lab-existing'},
    ])
    okAll(run)
    expect(run.answers[1].data).toMatchObject({switchCreated: false, addressCreated: true, natCreated: false, natName: null})
    expect(run.answers[1].data.switchId).toBe(String(existingBefore.id).toLowerCase())
    expect(run.answers[1].progress.map((p) => p.cmdlet)).not.toContain('New-VMSwitch')
    expect(run.answers[2].data.switches.find((s: any) => s.name === 'Existing').notes).toBeNull()
    expect(run.answers[3].data.undone.map((u: any) => u.action)).toEqual(['remove-ip-address'])
    expect(hostBytes(host)).toEqual(before)
  }, 120_000)

  it('refuses to create a switch whose name exists, and a missing one it is told to use; nothing changes', async () => {
    const host = labHost()
    const before = hostBytes(host)
    const run = await runShared(host, [
      begin('lab-taken'),
      {action: 'lab-network', runId: 'lab-taken', network: internalLan({switch: 'Existing'})},
      {action: 'lab-network', runId: 'lab-taken', network: internalLan({switch: 'nowhere', createSwitch: false})},
      {action: 'rollback', runId: 'lab-taken'},
    ])
    expect(run.answers[1].ok).toBe(false)
    expect(run.answers[1].error).toMatchObject({step: 'new-switch', category: 'ResourceExists'})
    expect(run.answers[2].ok).toBe(false)
    expect(run.answers[2].error).toMatchObject({step: 'find-switch', category: 'ObjectNotFound'})
    expect(run.answers[3].ok).toBe(true)
    expect(hostBytes(host)).toEqual(before)
  }, 120_000)

  it('refuses a request outside a begun run', async () => {
    const host = labHost()
    const run = await runShared(host, [{action: 'lab-network', runId: 'never-begun', vmRoot: VMROOT, network: internalLan()}])
    expect(run.answers[0].ok).toBe(false)
    expect(run.answers[0].error).toMatchObject({step: 'journal', category: 'ObjectNotFound'})
  }, 60_000)
})

describe('an external lab network', () => {
  /** The starter host with a second physical NIC, Ethernet 3, that no switch binds, holding 192.168.2.50/24. */
  function hostWithFreeNic(): EmuHost {
    // RICH_HOST: vmRoot's folder exists before the run, as on the other hosts here (a run makes
    // <vmRoot>\.hvguest, and with it vmRoot, and keeps them).
    const host = newHost(RICH_HOST)
    editState(host, (s) => {
      const nic = structuredClone(s.netAdapters.find((n: any) => n.name === 'Ethernet 2'))
      Object.assign(nic, {name: 'Ethernet 3', interfaceDescription: 'Intel(R) Ethernet Converged Network Adapter X710 #2', macAddress: 'A0-36-9F-00-00-03', ifIndex: 13})
      s.netAdapters.push(nic)
      const address = s.netIPAddresses.find((a: any) => a.ipAddress === '192.168.1.50')
      s.netIPAddresses.push({...address, interfaceAlias: 'Ethernet 3', interfaceIndex: 13, ipAddress: '192.168.2.50', movedFrom: null})
    })
    return host
  }
  const uplink = {switch: 'corp-uplink', type: 'External', notes: LAB_NOTES, adapter: 'Ethernet 3', allowManagementOS: true, createSwitch: true, gateway: null, nat: null}

  it('binds the NIC (its address moves to the vEthernet adapter); rollback puts it back, byte-identical', async () => {
    const host = hostWithFreeNic()
    const before = hostBytes(host)
    const run = await runShared(host, [
      begin('lab-ext'),
      {action: 'lab-network', runId: 'lab-ext', network: uplink},
      {action: 'facts', vmRoot: VMROOT},
      {action: 'rollback', runId: 'lab-ext'},
    ])
    okAll(run)
    expect(run.answers[1].data).toMatchObject({switchCreated: true, addressCreated: false, natCreated: false})
    const f = run.answers[2].data
    expect(f.switches.find((s: any) => s.name === 'corp-uplink')).toMatchObject({type: 'External', nics: ['Ethernet 3'], allowManagementOS: true, notes: LAB_NOTES})
    expect(f.ipAddresses).toContainEqual({interfaceAlias: 'vEthernet (corp-uplink)', ipAddress: '192.168.2.50', prefixLength: 24})
    expect(hostBytes(host)).toEqual(before)
  }, 120_000)

  it('a teardown keeps it without includeExternal, and with it leaves the host as before the lab', async () => {
    const host = hostWithFreeNic()
    const before = hostBytes(host)
    const up = await runShared(host, [begin('lab-ext-up'), {action: 'lab-network', runId: 'lab-ext-up', network: uplink}, {action: 'commit', runId: 'lab-ext-up'}])
    okAll(up)
    const down = (runId: string, includeExternal: boolean) => ({
      action: 'lab-teardown',
      runId,
      vmRoot: VMROOT,
      lab: 'corp',
      nats: [],
      addresses: [],
      switches: [{name: 'corp-uplink', id: up.answers[1].data.switchId, type: 'External'}],
      includeExternal,
      hostSettings: [],
    })
    const run = await runShared(host, [down('lab-ext-down-1', false), down('lab-ext-down-2', true)])
    okAll(run)
    // The external switch stays (no includeExternal), and so does the lab's record, for the next teardown.
    expect(run.answers[0].data.kept).toEqual([expect.objectContaining({kind: 'switch', name: 'corp-uplink'}), expect.objectContaining({kind: 'lab-record', name: 'corp'})])
    expect(run.answers[0].data.kept[0].reason).toContain('includeExternal')
    expect(run.answers[1].data.removed).toEqual([{kind: 'switch', name: 'corp-uplink'}])
    expect(hostBytes(host)).toEqual(before)
  }, 120_000)
})

describe('lab-record', () => {
  it('writes the record, and rollback deletes it (and the labs folder); over an old record, rollback puts its bytes back', async () => {
    const host = labHost()
    const before = hostBytes(host)
    const path = `${VMROOT}\\.hvguest\\labs\\corp.json`
    const first = await runShared(host, [
      begin('rec-1'),
      {action: 'lab-record', runId: 'rec-1', lab: 'corp', record: labRecord('rec-1')},
      {action: 'rollback', runId: 'rec-1'},
    ])
    okAll(first)
    expect(first.answers[1].data).toMatchObject({lab: 'corp', written: true, deleted: false})
    expect(first.answers[1].data.path).toBe(path)
    expect(hostBytes(host)).toEqual(before)

    // An old record, written by hand in a form the runtime would not write (spacing, a BOM-less
    // newline): a rollback must give back these bytes, not a re-serialisation.
    const old = '{ "apiVersion": "hvguest/v1", "kind": "LabRecord", "lab": "corp", "note": "caf\u00e9" }\r\n'
    mkdirSync(dirname(host.local(path)), {recursive: true})
    writeFileSync(host.local(path), old)
    const withOld = hostBytes(host)
    const second = await runShared(host, [
      begin('rec-2'),
      {action: 'lab-record', runId: 'rec-2', lab: 'corp', record: labRecord('rec-2')},
      {action: 'facts', vmRoot: VMROOT},
      {action: 'rollback', runId: 'rec-2'},
      begin('rec-3'),
      {action: 'lab-record', runId: 'rec-3', lab: 'corp', record: null},
      {action: 'rollback', runId: 'rec-3'},
    ])
    okAll(second)
    expect(second.answers[2].data.labRecords).toEqual([{name: 'corp', record: labRecord('rec-2')}])
    expect(second.answers[5].data).toMatchObject({written: false, deleted: true})
    expect(readFileSync(host.local(path), 'utf8')).toBe(old)
    expect(hostBytes(host)).toEqual(withOld)
  }, 120_000)

  it('refuses a lab name that is not a plain file name', async () => {
    const host = labHost()
    const run = await runShared(host, [begin('rec-bad'), {action: 'lab-record', runId: 'rec-bad', lab: '..\\..\\evil', record: {}}, {action: 'rollback', runId: 'rec-bad'}])
    expect(run.answers[1].ok).toBe(false)
    expect(run.answers[1].error).toMatchObject({step: 'request', category: 'InvalidArgument'})
  }, 60_000)
})

/** The emulated cmdlets that change something, as the lab's requests call them: the fault points. */
const MUTATING = /^(New|Set|Add|Remove|Enable|Disable|Start|Stop|Restart)-/
function mutatingCalls(run: BatchRun, actions: string[]): Array<{cmdlet: string; n: number; step: string}> {
  const seen: Record<string, number> = {}
  const calls: Array<{cmdlet: string; n: number; step: string}> = []
  for (const a of run.answers.filter((x) => actions.includes(String(x.action)))) {
    for (const p of a.progress) {
      if (!p.cmdlet || !MUTATING.test(p.cmdlet) || ['New-Item', 'Remove-Item'].includes(p.cmdlet)) continue
      seen[p.cmdlet] = (seen[p.cmdlet] ?? 0) + 1
      calls.push({cmdlet: p.cmdlet, n: seen[p.cmdlet], step: p.step})
    }
  }
  return calls
}

describe('a fault at each mutating cmdlet of a lab run', () => {
  it('fails with that step and cmdlet, and rollback leaves the host byte-identical', async () => {
    const host = labHost()
    const fresh = copyHost(host)
    const requests = (runId: string) => [
      begin(runId, {jumbo: [{switch: 'Lab', value: 9014, targets: ['physical-nic']}], chimney: null, vmq: null}),
      // WinNAT takes one NAT network per Windows Server host: the first network has it, the second only a gateway.
      {action: 'lab-network', runId, network: internalLan()},
      {action: 'lab-network', runId, network: internalLan({switch: 'corp-dmz', gateway: {address: '10.210.0.1', prefixLength: 24}, nat: null})},
      {action: 'lab-network', runId, network: internalLan({switch: 'corp-priv', type: 'Private', gateway: null, nat: null})},
      {action: 'lab-record', runId, lab: 'corp', record: labRecord(runId)},
      {action: 'rollback', runId},
    ]
    const before = hostBytes(host)
    const session = await openShared(host)
    try {
      const clean = await session.send(requests('lab-probe'))
      okAll(clean, 'without a fault')
      expect(hostBytes(host), 'without a fault').toEqual(before)
      const calls = mutatingCalls(clean, ['lab-network'])
      expect(new Set(calls.map((c) => c.cmdlet))).toEqual(new Set(['New-VMSwitch', 'New-NetIPAddress', 'New-NetNat']))
      expect(calls.length).toBe(6) // three switches, two addresses, one NAT
      for (const call of calls) {
        const label = `${call.cmdlet}:${call.n} (${call.step})`
        const run = await session.send([{raw: `$env:HVGUEST_EMULATOR_FAIL = '${call.cmdlet}:${call.n}'`}, ...requests(`lab-fault-${call.cmdlet}-${call.n}`.toLowerCase())])
        expect(run.stray, label).toEqual([])
        const failed = run.answers.find((a) => !a.ok)
        expect(failed, `${label}: a request fails`).toBeDefined()
        expect(failed!.action, label).toBe('lab-network')
        expect(failed!.error, label).toMatchObject({step: call.step, cmdlet: call.cmdlet})
        expect(failed!.error!.message, label).toContain(`call ${call.n} of ${call.cmdlet} failed`)
        const rollback = run.answers[run.answers.length - 1]
        expect(rollback.action, label).toBe('rollback')
        expect(rollback.ok, `${label}: ${JSON.stringify(rollback.error)}`).toBe(true)
        expect(hostBytes(host), label).toEqual(before)
      }
      // The runtime's own write of the lab record, failed by name.
      const run = await session.send([{raw: "$env:HVGUEST_WRITE_FAIL = 'lab-record:1'"}, ...requests('lab-fault-record')])
      const failed = run.answers.find((a) => !a.ok)
      expect(failed?.action).toBe('lab-record')
      expect(failed!.error).toMatchObject({step: 'write-lab-record'})
      expect(run.answers[run.answers.length - 1]).toMatchObject({action: 'rollback', ok: true})
      expect(hostBytes(host), 'lab-record:1').toEqual(before)
      await session.send([{raw: "$env:HVGUEST_WRITE_FAIL = ''"}, {raw: "$env:HVGUEST_EMULATOR_FAIL = ''"}])
    } finally {
      await session.close()
    }
    // And the host the sweep ran on is the host it was given.
    expect(hostBytes(host)).toEqual(hostBytes(fresh))
  }, 600_000)
})

describe('a fault in each journal write of lab-network', () => {
  it('fails the request (before its cmdlet, or after it with the step pending), and rollback leaves the host byte-identical', async () => {
    const host = labHost()
    const before = hostBytes(host)
    const requests = (runId: string) => [begin(runId), {action: 'lab-network', runId, network: internalLan()}, {action: 'rollback', runId}]
    const session = await openShared(host)
    try {
      // begin writes the journal once (its first line); lab-network appends an entry and its done
      // mark for each of its three steps: writes 2 to 7.
      for (let n = 2; n <= 7; n++) {
        const label = `journal:${n}`
        const run = await session.send([{raw: `$env:HVGUEST_WRITE_FAIL = '${label}'`}, ...requests(`lab-journal-${n}`)])
        expect(run.stray, label).toEqual([])
        expect(run.answers.map((a) => [a.action, a.ok]), label).toEqual([
          ['begin', true],
          ['lab-network', false],
          ['rollback', true],
        ])
        expect(run.answers[1].error, label).toMatchObject({step: 'write-journal'})
        expect(run.answers[1].error!.message, label).toContain(`write ${n} of the journal failed`)
        expect(hostBytes(host), label).toEqual(before)
      }
      await session.send([{raw: "$env:HVGUEST_WRITE_FAIL = ''"}])
    } finally {
      await session.close()
    }
  }, 600_000)
})

describe('recover after a killed lab run', () => {
  const killedRequests = (runId: string) => [
    begin(runId),
    {action: 'lab-network', runId, network: internalLan()},
    {action: 'lab-record', runId, lab: 'corp', record: labRecord(runId)},
  ]

  it('undoes the networks and the record of a run whose process ended, byte-identical (a reused NAT stays)', async () => {
    const host = await hostWithNat()
    const before = hostBytes(host)
    // Its process ends after these (no commit, no rollback): what a killed CLI leaves.
    const killed = runSession(host, [...killedRequests('lab-killed'), {action: 'lab-network', runId: 'lab-killed', network: internalLan({switch: 'corp-dmz', gateway: {address: '10.200.2.1', prefixLength: 24}, nat: {name: 'corp-dmz', prefix: '10.200.2.0/24'}})}])
    okAll(killed)
    expect(killed.answers.filter((a) => a.action === 'lab-network').map((a) => [a.data.natCreated, a.data.natName])).toEqual([[false, 'shared'], [false, 'shared']])
    expect(existsSync(host.local(`${VMROOT}\\.hvguest\\journal\\lab-killed.jsonl`))).toBe(true)
    const rec = await runShared(host, [{action: 'recover', vmRoot: VMROOT}])
    okAll(rec)
    expect(rec.answers[0].data.runs).toEqual([expect.objectContaining({runId: 'lab-killed', outcome: 'rolled-back', errors: []})])
    expect(hostBytes(host)).toEqual(before)
  }, 180_000)

  it('undoes steps that were still pending (each cmdlet ran, but the journal never heard back)', async () => {
    const host = labHost()
    const before = hostBytes(host)
    const killed = runSession(host, killedRequests('lab-pending'))
    okAll(killed)
    // Drop every "done" record: as if the process died inside each step, after its cmdlet.
    const file = host.local(`${VMROOT}\\.hvguest\\journal\\lab-pending.jsonl`)
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0 && !l.startsWith('{"done"'))
    writeFileSync(file, lines.join('\n') + '\n')
    expect(readFileSync(file, 'utf8')).toContain('"remove-switch"')
    const rec = await runShared(host, [{action: 'recover', vmRoot: VMROOT}])
    okAll(rec)
    expect(rec.answers[0].data.runs[0]).toMatchObject({outcome: 'rolled-back', errors: []})
    expect(hostBytes(host)).toEqual(before)
  }, 180_000)
})

describe('lab-teardown', () => {
  /** A whole lab on the host: jumbo frames set by begin, an internal network with NAT, a guest on it, the record; committed. */
  async function labUp(host: EmuHost, runId: string): Promise<{begin: any; network: any}> {
    const plan = richGen1Plan({switchName: 'corp-lan'})
    const run = await runShared(host, [
      begin(runId, {jumbo: [{switch: 'Lab', value: 9014, targets: ['physical-nic']}], chimney: null, vmq: null}),
      {action: 'lab-network', runId, network: internalLan()},
      {action: 'create-guest', runId, guest: plan.guests[0], replace: false},
      {action: 'lab-record', runId, lab: 'corp', record: labRecord(runId)},
      {action: 'commit', runId},
    ])
    okAll(run, 'lab up')
    return {begin: run.answers[0].data, network: run.answers[1].data}
  }

  const teardown = (runId: string, up: {begin: any; network: any}, over: Record<string, unknown> = {}) => ({
    action: 'lab-teardown',
    runId,
    vmRoot: VMROOT,
    lab: 'corp',
    nats: [{name: 'corp-lan'}],
    addresses: [{interfaceAlias: 'vEthernet (corp-lan)', ipAddress: '10.200.1.1'}],
    switches: [{name: 'corp-lan', id: up.network.switchId, type: 'Internal'}],
    includeExternal: false,
    hostSettings: up.begin.hostSettings,
    ...over,
  })

  it('keeps a switch a VM still uses (with a warning) and never touches a switch that is not the lab’s; once the guest is gone, a second teardown finishes', async () => {
    const host = labHost()
    const up = await labUp(host, 'lab-up-1')
    expect(up.begin.hostSettings).toEqual([expect.objectContaining({setting: 'jumbo', adapter: 'Ethernet 2', previous: '1514', value: '9014', action: 'set'})])
    const labBefore = host.state().switches.find((s: any) => s.name === 'Lab')
    const existingBefore = host.state().switches.find((s: any) => s.name === 'Existing')
    const first = await runShared(host, [
      teardown('down-1', up, {
        switches: [
          {name: 'corp-lan', id: up.network.switchId, type: 'Internal'},
          // Not the lab's: the name of a switch the host had, with an id that is not its own.
          {name: 'Existing', id: '00000000-0000-0000-0000-000000000001', type: 'Internal'},
          // External: only with includeExternal.
          {name: 'Lab', id: String(labBefore.id).toLowerCase(), type: 'External'},
        ],
      }),
    ])
    okAll(first)
    const d = first.answers[0].data
    expect(d.removed).toEqual([
      {kind: 'nat', name: 'corp-lan'},
      {kind: 'address', name: '10.200.1.1 on vEthernet (corp-lan)'},
    ])
    // A switch the lab made is kept: so is the record, so that the next teardown knows it.
    expect(d.kept.map((k: any) => [k.kind, k.name])).toEqual([
      ['switch', 'corp-lan'],
      ['switch', 'Existing'],
      ['switch', 'Lab'],
      ['lab-record', 'corp'],
    ])
    expect(existsSync(host.local(`${VMROOT}\\.hvguest\\labs\\corp.json`))).toBe(true)
    expect(d.kept[0].reason).toContain('still used by web1')
    expect(d.kept[1].reason).toContain('not the one the lab created')
    expect(d.kept[2].reason).toContain('external')
    expect(d.warnings.map((w: any) => [w.code, w.setting])).toEqual([
      ['lab-switch-kept', 'corp-lan'],
      ['lab-switch-kept', 'Existing'],
      ['lab-switch-kept', 'Lab'],
    ])
    expect(d.restored).toEqual([expect.objectContaining({setting: 'jumbo', adapter: 'Ethernet 2', value: '1514', previous: '9014'})])
    expect(host.state().switches.find((s: any) => s.name === 'Existing')).toEqual(existingBefore)
    expect(host.state().switches.find((s: any) => s.name === 'Lab')).toMatchObject({id: labBefore.id})
    expect(existsSync(host.local(`${VMROOT}\\.hvguest\\lock`))).toBe(false)

    // The guest goes (destroy), then the teardown again: the switch now, the rest is absent.
    const second = await runShared(host, [{action: 'destroy', names: ['web1'], keepDisks: false, vmRoot: VMROOT}, teardown('down-2', up)])
    okAll(second)
    const d2 = second.answers[1].data
    expect(d2.removed).toEqual([
      {kind: 'switch', name: 'corp-lan'},
      {kind: 'lab-record', name: 'corp'},
    ])
    expect(d2.kept.map((k: any) => [k.kind, k.name]), 'the external Lab switch is not in this teardown').toEqual([])
    expect(d2.absent.map((a: any) => a.kind)).toEqual(['nat', 'address', 'host-setting'])
    expect(host.state().switches.map((s: any) => s.name).sort()).toEqual(['Existing', 'Lab'])
  }, 240_000)

  it('leaves the host byte-identical to before the lab (switch, address, NAT, jumbo frames, net record, lab record)', async () => {
    const host = labHost()
    const before = hostBytes(host)
    const up = await runShared(host, [
      begin('lab-up-2', {jumbo: [{switch: 'Lab', value: 9014, targets: ['physical-nic']}], chimney: null, vmq: null}),
      {action: 'lab-network', runId: 'lab-up-2', network: internalLan()},
      {action: 'lab-record', runId: 'lab-up-2', lab: 'corp', record: labRecord('lab-up-2')},
      {action: 'commit', runId: 'lab-up-2'},
    ])
    okAll(up, 'lab up')
    expect(existsSync(host.local(`${VMROOT}\\.hvguest\\net\\host-network.json`))).toBe(true)
    const down = await runShared(host, [teardown('down-3', {begin: up.answers[0].data, network: up.answers[1].data})])
    okAll(down)
    expect(down.answers[0].data.removed.map((r: any) => r.kind)).toEqual(['nat', 'address', 'switch', 'lab-record'])
    expect(down.answers[0].data.restartedAdapters).toEqual(['Ethernet 2'])
    expect(hostBytes(host)).toEqual(before)
  }, 240_000)

  it('a host setting changed since the lab set it is kept as it is, with a warning', async () => {
    const host = labHost()
    const up = await labUp(host, 'lab-up-3')
    const changed = await runShared(host, [
      {action: 'destroy', names: ['web1'], keepDisks: false, vmRoot: VMROOT},
      {raw: "Set-NetAdapterAdvancedProperty -Name 'Ethernet 2' -RegistryKeyword '*JumboPacket' -RegistryValue '4088'"},
      teardown('down-4', up),
    ])
    okAll(changed)
    const d = changed.answers[changed.answers.length - 1].data
    expect(d.kept).toEqual([expect.objectContaining({kind: 'host-setting', name: 'Ethernet 2 *JumboPacket'})])
    expect(d.kept[0].reason).toContain('4088')
    expect(d.warnings.map((w: any) => w.code)).toEqual(['lab-setting-kept'])
    expect(d.restored).toEqual([])
    const nic = host.state().netAdapters.find((n: any) => n.name === 'Ethernet 2')
    expect(nic.advancedProperties.find((p: any) => p.registryKeyword === '*JumboPacket').registryValue).toBe('4088')
  }, 240_000)

  it('a fault stops the teardown and says how far it got; running it again finishes it', async () => {
    const host = labHost()
    const before = hostBytes(host)
    const up = await runShared(host, [
      begin('lab-up-4'),
      {action: 'lab-network', runId: 'lab-up-4', network: internalLan()},
      {action: 'lab-record', runId: 'lab-up-4', lab: 'corp', record: labRecord('lab-up-4')},
      {action: 'commit', runId: 'lab-up-4'},
    ])
    okAll(up)
    const upData = {begin: up.answers[0].data, network: up.answers[1].data}
    const session = await openShared(host)
    try {
      const failed = await session.send([{raw: "$env:HVGUEST_EMULATOR_FAIL = 'Remove-VMSwitch:1'"}, teardown('down-5', upData)])
      const a = failed.answers[0]
      expect(a.ok).toBe(false)
      expect(a.error).toMatchObject({step: 'remove-switch', cmdlet: 'Remove-VMSwitch'})
      expect(a.data.removed).toEqual([{kind: 'nat', name: 'corp-lan'}, {kind: 'address', name: '10.200.1.1 on vEthernet (corp-lan)'}])
      expect(existsSync(host.local(`${VMROOT}\\.hvguest\\lock`))).toBe(false)
      const again = await session.send([{raw: "$env:HVGUEST_EMULATOR_FAIL = ''"}, teardown('down-6', upData)])
      okAll(again)
      expect(again.answers[0].data.removed).toEqual([{kind: 'switch', name: 'corp-lan'}, {kind: 'lab-record', name: 'corp'}])
      expect(again.answers[0].data.absent.map((x: any) => x.kind)).toEqual(['nat', 'address'])
    } finally {
      await session.close()
    }
    expect(hostBytes(host)).toEqual(before)
  }, 240_000)
})
