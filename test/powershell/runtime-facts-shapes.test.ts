/**
 * Lists in the runtime's `facts` answer are JSON arrays whatever their length. PowerShell
 * unrolls a one-item list that a function returns into the item itself (and an empty one into
 * nothing, $null), so a host with exactly one VM configuration version used to answer
 * `"configurationVersions": "9.0"`, and `doctor` crashed on it. Here every list fact is read from
 * a real pwsh against emulated hosts with none, one and several items, and each answer must pass
 * the schema Node checks answers with (src/powershell/answers.ts).
 */
import {writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {answerData} from '../../src/powershell/answers.js'
import {editState, newHost, runShared, type EmuHost} from '../fixtures/runtime/harness.js'

const VMROOT = 'C:\\Hyper-V'

/** One facts request on the host, through the file's shared session (runShared). */
async function facts(host: EmuHost, extra: Record<string, unknown> = {}): Promise<any> {
  const run = await runShared(host, [{action: 'facts', vmRoot: VMROOT, ...extra}])
  expect(run.stray).toEqual([])
  const [a] = run.answers
  expect(a.ok, JSON.stringify(a.error)).toBe(true)
  // What Node accepts: a wrong shape would throw here, naming the field.
  answerData('facts', a)
  return a.data
}

/** The host supports exactly these VM configuration versions (docs/emulator-state.md). */
function versions(host: EmuHost, list: string[]): void {
  editState(host, (s) => {
    s.host.configurationVersions = list
    s.host.defaultConfigurationVersion = list[list.length - 1]
  })
}

describe('facts: every list is an array, whatever its length', () => {
  it('one VM configuration version is a one-item array, not a string', async () => {
    const host = newHost()
    versions(host, ['9.0'])
    expect((await facts(host)).configurationVersions).toEqual(['9.0'])
  }, 60_000)

  it('several configuration versions stay an array in the host order', async () => {
    const host = newHost()
    versions(host, ['8.0', '9.0'])
    expect((await facts(host)).configurationVersions).toEqual(['8.0', '9.0'])
  }, 60_000)

  it('one VM, one switch, one-value NIC properties: arrays of one', async () => {
    const host = newHost({switches: ['Lab']})
    editState(host, (s) => {
      const nic = s.netAdapters.find((n: any) => n.name === 'Ethernet 2')
      const jumbo = nic.advancedProperties.find((p: any) => p.registryKeyword === '*JumboPacket')
      jumbo.validRegistryValues = ['1514']
      jumbo.validDisplayValues = ['Disabled']
    })
    const created = await runShared(host, [{raw: "New-VM -Name 'only' -NoVHD | Out-Null"}])
    expect(created.stderr).toBe('')
    const f = await facts(host)
    expect(f.vmNames).toEqual(['only'])
    expect(f.vms.map((v: any) => v.name)).toEqual(['only'])
    expect(Array.isArray(f.vms[0].silentServices)).toBe(true)
    expect(f.switches.map((s: any) => s.name)).toEqual(['Lab'])
    expect(f.switches[0].nicDescriptions).toEqual([expect.any(String)])
    expect(f.switches[0].nics).toEqual(['Ethernet 2'])
    const nic = f.nics.find((n: any) => n.name === 'Ethernet 2')
    expect(nic.jumboPacket.valid).toEqual(['1514'])
    expect(Array.isArray(nic.vmq.valid)).toBe(true)
    expect(Array.isArray(f.errors)).toBe(true)
  }, 60_000)

  it('no VM: vmNames and vms are empty arrays', async () => {
    const f = await facts(newHost())
    expect(f.vmNames).toEqual([])
    expect(f.vms).toEqual([])
  }, 60_000)

  it('a one-node cluster: clusterNodes and clusterSharedVolumes are arrays of one', async () => {
    const host = newHost()
    editState(host, (s) => {
      // The cluster's own file beside the node's state (docs/emulator-state.md, "Clusters").
      writeFileSync(join(dirname(host.stateFile), 'cluster-CL1.json'), JSON.stringify({name: 'CL1', nodes: [{name: s.host.computerName, id: '1', state: 'Up'}], sharedVolumes: [{name: 'Cluster Disk 1', path: 'C:\\ClusterStorage\\Volume1', ownerNode: s.host.computerName, state: 'Online'}], groups: []}))
      s.cluster = {stateFile: 'cluster-CL1.json'}
    })
    const f = await facts(host, {cluster: 'CL1'})
    expect(f.clusterNodes).toEqual([{name: 'HV-EMU', state: 'Up'}])
    expect(f.clusterSharedVolumes).toEqual(['C:\\ClusterStorage\\Volume1'])
  }, 60_000)

  it('cluster nodes and volumes that cannot be read are null and listed in errors (not [null])', async () => {
    const f = await facts(newHost(), {cluster: 'CL1'})
    expect(f.clusterNodes).toBeNull()
    expect(f.clusterSharedVolumes).toBeNull()
    expect(f.errors.map((e: any) => [e.fact, e.cmdlet])).toContainEqual(['clusterNodes', 'Get-ClusterNode'])
    expect(f.errors.map((e: any) => [e.fact, e.cmdlet])).toContainEqual(['clusterSharedVolumes', 'Get-ClusterSharedVolume'])
  }, 60_000)

  it('no address, no NAT, no VM adapter, no lab record: empty arrays', async () => {
    const host = newHost()
    // Not even the loopback: Get-NetIPAddress -AddressFamily IPv4 would fail here, as on a real host.
    editState(host, (s) => {
      s.netIPAddresses = []
    })
    const f = await facts(host)
    expect(f.ipAddresses).toEqual([])
    expect(f.netNats).toEqual([])
    expect(f.vmAdapters).toEqual([])
    expect(f.labRecords).toEqual([])
  }, 60_000)

  it('one address, one NAT, one VM adapter, one lab record: arrays of one', async () => {
    const host = newHost()
    editState(host, (s) => {
      s.netIPAddresses = []
    })
    const made = await runShared(host, [
      {raw: "New-NetIPAddress -InterfaceAlias 'vEthernet (Lab)' -IPAddress '192.0.2.10' -PrefixLength 24 | Out-Null"},
      {raw: "New-NetNat -Name 'only' -InternalIPInterfaceAddressPrefix '10.9.0.0/24' | Out-Null"},
      {raw: "New-VM -Name 'only' -NoVHD | Out-Null"},
      {raw: "New-Item -ItemType Directory -Path 'C:\\Hyper-V\\.hvguest\\labs' -Force | Out-Null; Set-Content -LiteralPath 'C:\\Hyper-V\\.hvguest\\labs\\only.json' -Value '{\"lab\": \"only\"}'"},
    ])
    expect(made.stderr).toBe('')
    const f = await facts(host)
    expect(f.ipAddresses).toEqual([{interfaceAlias: 'vEthernet (Lab)', ipAddress: '192.0.2.10', prefixLength: 24}])
    expect(f.netNats).toEqual([{name: 'only', prefix: '10.9.0.0/24'}])
    expect(f.vmAdapters).toEqual([expect.objectContaining({vm: 'only', switch: null})])
    expect(f.labRecords).toEqual([{name: 'only', record: {lab: 'only'}}])
  }, 60_000)
})

/** One switch-names request (a cluster's other nodes, before a create) through the shared session. */
async function switchNames(host: EmuHost): Promise<any> {
  const run = await runShared(host, [{action: 'switch-names'}])
  expect(run.stray).toEqual([])
  return run.answers[0]
}

describe('switch-names: the names of the host switches, as an array whatever their number', () => {
  it('several, one and none: the names facts gives, in its order; a host whose Hyper-V cannot be used fails the request', async () => {
    const host = newHost({switches: ['Lab', 'Storage']})
    const several = await switchNames(host)
    expect(several.ok, JSON.stringify(several.error)).toBe(true)
    const all = (await facts(host)).switches.map((s: any) => s.name)
    expect(all).toEqual(expect.arrayContaining(['Lab', 'Storage']))
    expect(answerData('switch-names', several).names).toEqual(all)

    editState(host, (s) => {
      s.switches = s.switches.filter((x: any) => x.name === 'Storage')
    })
    const one = await switchNames(host)
    expect(one.data).toEqual({names: ['Storage']})
    answerData('switch-names', one)

    editState(host, (s) => {
      s.switches = []
    })
    expect((await switchNames(host)).data).toEqual({names: []})

    editState(host, (s) => {
      s.host.hyperV = 'access-denied'
    })
    const refused = await switchNames(host)
    expect(refused.ok).toBe(false)
    expect(refused.error).toMatchObject({step: 'switch-names', cmdlet: 'Get-VMSwitch'})
  }, 60_000)
})
