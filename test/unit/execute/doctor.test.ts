/**
 * doctor's checks as a pure function of the hosts' facts: every check passing on a ready host,
 * then each failing condition set up in turn and reported alone. The same conditions on the
 * emulated host, through the built CLI and real pwsh, are in test/e2e/doctor-net.test.ts.
 */
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {checkHosts, detectHostOs, type DoctorCheck} from '../../../src/execute/doctor.js'
import type {HostFacts, HostFactsAnswer} from '../../../src/execute/host-facts.js'
import type {TargetHost} from '../../../src/model/target-host.js'
import {resolveTargets} from '../../../src/resolve/targets.js'
import type {HostOs} from '../../../src/model/host-os.js'

/** The starter project's profile: jumbo 9014, chimney disabled, VMQ on. */
const LAB_10G = fileURLToPath(new URL('../../../templates/init/profiles/lab-10g.yaml', import.meta.url))

function target(over: {name?: string; os?: HostOs; profile?: string; cluster?: string | null} = {}): TargetHost {
  const t = resolveTargets({cwd: '/nonexistent-hvguest-project', hostOs: over.os ?? 'windows-server-2022', profile: over.profile ?? LAB_10G}).hosts[0]
  return {...t, name: over.name ?? 'hv1', osSource: 'inventory', cluster: over.cluster ?? null, vmRoot: 'D:\\VMs'}
}

const nic = (name: string, over: Partial<HostFacts['nics'][number]> = {}): HostFacts['nics'][number] => ({
  name,
  interfaceDescription: `Intel(R) Ethernet X710 ${name}`,
  status: 'Up',
  macAddress: 'A0-36-9F-00-00-02',
  linkSpeed: '10 Gbps',
  mediaType: '802.3',
  physicalMediaType: '802.3',
  virtual: false,
  jumboPacket: {value: '1514', valid: ['1514', '4088', '9014']},
  vmq: {value: '1', valid: ['0', '1']},
  vmqEnabled: true,
  tcpOffload: null,
  ...over,
})

function facts(over: Partial<HostFacts> = {}): HostFacts {
  return {
    computerName: 'HV1',
    os: {caption: 'Microsoft Windows Server 2022 Datacenter', version: '10.0.20348', buildNumber: '20348', computerName: 'HV1'},
    hyperV: true,
    powershell: '7.6.9',
    locale: 'en-US',
    configurationVersions: ['8.0', '9.0', '10.0'],
    virtualMachinePath: 'C:\\ProgramData\\Microsoft\\Windows\\Hyper-V',
    virtualHardDiskPath: null,
    switches: [{name: 'Lab', type: 'External', nicDescriptions: ['Intel(R) Ethernet X710 Ethernet 2'], nics: ['Ethernet 2'], allowManagementOS: true, hostAdapter: 'vEthernet (Lab)', id: '5b3a8c2e-1f0d-4c7a-9e2b-6a1d3f4e5c60', notes: null}],
    nics: [nic('Ethernet 2'), nic('vEthernet (Lab)', {virtual: true, interfaceDescription: 'Hyper-V Virtual Ethernet Adapter', vmq: null, vmqEnabled: null})],
    chimney: 'Disabled',
    vmguestIso: {path: 'C:\\Windows\\System32\\vmguest.iso', present: false},
    vmRoot: 'D:\\VMs',
    freeBytes: 400 * 1024 ** 3,
    vmNames: ['web1'],
    vms: [{name: 'web1', state: 'Running', version: '10.0', heartbeat: 'OkApplicationsHealthy', clustered: false, silentServices: []}],
    hyperVFeature: 'Enabled',
    user: 'CORP\\ops',
    vmRootExists: true,
    vmRootWritable: true,
    clusterNodes: null,
    ipAddresses: [{interfaceAlias: 'vEthernet (Lab)', ipAddress: '192.168.10.5', prefixLength: 24}],
    netNats: [],
    vmAdapters: [{vm: 'web1', name: 'Network Adapter', switch: 'Lab', macAddress: '00155D000101'}],
    labRecords: [],
    errors: [],
    ...over,
  }
}

const answer = (f: HostFacts | null, t: TargetHost = target(), error: string | null = null): HostFactsAnswer => ({host: t, facts: f, error})
const notOk = (checks: DoctorCheck[]) => checks.filter((c) => c.status !== 'ok').map((c) => `${c.status}:${c.code}`)

describe('doctor: a ready host', () => {
  it('every check passes, one line each', () => {
    const checks = checkHosts([answer(facts())])
    expect(notOk(checks)).toEqual([])
    expect(checks.map((c) => c.check)).toEqual(['hyper-v', 'host-os', 'config-versions', 'locale', 'wireless', 'vm-root', 'free-space', 'nic-jumbo', 'nic-vmq'])
    expect(checks.every((c) => c.code === null && c.fix === null)).toBe(true)
    expect(checks.find((c) => c.check === 'nic-jumbo')!.message).toContain('now 1514; "hvguest net apply" sets 9014')
  })

  it('detects the host OS from the build number', () => {
    expect(detectHostOs({caption: 'Microsoft Windows Server 2012 R2 Datacenter', version: '6.3.9600', buildNumber: '9600', computerName: 'x'})).toBe('windows-server-2012r2')
    expect(detectHostOs({caption: 'Microsoft Windows 11 Pro', version: '10.0.22631', buildNumber: '22631', computerName: 'x'})).toBe('windows-11')
    expect(detectHostOs(null)).toBeNull()
  })
})

describe('doctor: each failing condition, reported alone', () => {
  const cases: Array<[string, HostFactsAnswer[], string[]]> = [
    ['host cannot be asked', [answer(null, target(), 'pwsh exited')], ['fail:host-unreachable']],
    [
      'Hyper-V module missing',
      [answer(facts({hyperV: false, hyperVFeature: 'Disabled', configurationVersions: null, switches: [], vms: [], errors: [{fact: 'hyperV', cmdlet: 'Get-VMHost', message: "The term 'Get-VMHost' is not recognized as a name of a cmdlet"}]}))],
      ['fail:hyperv-unavailable'],
    ],
    [
      'Hyper-V refuses the user',
      [answer(facts({hyperV: false, configurationVersions: null, switches: [], vms: [], errors: [{fact: 'hyperV', cmdlet: 'Get-VMHost', message: 'You do not have the required permission to complete this task.'}]}))],
      ['fail:hyperv-access-denied'],
    ],
    ['inventory says another OS', [answer(facts({os: {caption: 'Microsoft Windows Server 2019 Standard', version: '10.0.17763', buildNumber: '17763', computerName: 'HV1'}}))], ['warn:host-os-mismatch']],
    ['a VM at a version the host does not run', [answer(facts({vms: [{name: 'old', state: 'Off', version: '12.0', heartbeat: '', clustered: false, silentServices: []}]}))], ['fail:config-version-unsupported']],
    ['German host', [answer(facts({locale: 'de-DE'}))], ['info:host-locale-not-en-us']],
    [
      'Wi-Fi behind the external switch',
      [
        answer(
          facts({
            switches: [{name: 'Lab', type: 'External', nicDescriptions: ['Intel(R) Wi-Fi 6 AX201 160MHz'], nics: ['Wi-Fi'], allowManagementOS: true, hostAdapter: null, id: '5b3a8c2e-1f0d-4c7a-9e2b-6a1d3f4e5c61', notes: null}],
            nics: [nic('Wi-Fi', {interfaceDescription: 'Intel(R) Wi-Fi 6 AX201 160MHz', physicalMediaType: 'Native 802.11', mediaType: 'Native 802.11', jumboPacket: {value: '1514', valid: ['1514']}, vmq: null})],
          }),
        ),
      ],
      ['fail:wireless-adapter-switch'],
    ],
    ['vmguest.iso missing on 2012 R2', [answer(facts({os: {caption: 'Microsoft Windows Server 2012 R2 Datacenter', version: '6.3.9600', buildNumber: '9600', computerName: 'HV1'}, configurationVersions: ['5.0'], vms: []}), target({os: 'windows-server-2012r2'}))], ['fail:ic-media-missing']],
    ['little space', [answer(facts({freeBytes: 20 * 1024 ** 3}))], ['warn:disk-space-low']],
    ['no space', [answer(facts({freeBytes: 2 * 1024 ** 3}))], ['fail:disk-space-low']],
    ['vmRoot not writable', [answer(facts({vmRootWritable: false}))], ['fail:vmroot-unavailable']],
    ['NIC without 9014', [answer(facts({nics: [nic('Ethernet 2', {jumboPacket: {value: '1514', valid: ['1514', '4088']}})]}))], ['fail:jumbo-unsupported']],
    ['NIC without VMQ', [answer(facts({nics: [nic('Ethernet 2', {vmq: null, vmqEnabled: null})]}))], ['warn:vmq-unsupported-nic']],
  ]
  for (const [name, answers, expected] of cases) {
    it(name, () => {
      expect(notOk(checkHosts(answers))).toEqual(expected)
    })
  }

  it('chimney: unsupported on 2022, needs the NIC offload on 2008 R2, fine with it', () => {
    const r2 = {caption: 'Microsoft Windows Server 2008 R2 Enterprise', version: '6.1.7601', buildNumber: '7601', computerName: 'HV1'}
    const on2022 = checkHosts([answer(facts(), target({profile: 'broadcom-10g'}))])
    expect(notOk(on2022)).toEqual(['warn:chimney-unsupported-host'])
    const base = {os: r2, configurationVersions: null, vmguestIso: {path: 'C:\\Windows\\System32\\vmguest.iso', present: true}}
    expect(notOk(checkHosts([answer(facts(base), target({os: 'windows-server-2008r2', profile: 'broadcom-10g'}))]))).toEqual(['warn:chimney-unsupported-nic'])
    const withOffload = facts({...base, nics: [nic('Ethernet 2', {tcpOffload: {value: '1', valid: ['0', '1']}, jumboPacket: {value: '9014', valid: ['1514', '9014']}})]})
    expect(notOk(checkHosts([answer(withOffload, target({os: 'windows-server-2008r2', profile: 'broadcom-10g'}))]))).toEqual([])
  })
})

describe('doctor: clusters', () => {
  const node = (name: string, switches: string[], over: Partial<HostFacts> = {}) =>
    answer(
      facts({
        computerName: name.toUpperCase(),
        switches: switches.map((s, i) => ({name: s, type: 'External', nicDescriptions: [`Intel(R) Ethernet X710 Ethernet ${i + 2}`], nics: [`Ethernet ${i + 2}`], allowManagementOS: true, hostAdapter: `vEthernet (${s})`, id: `5b3a8c2e-1f0d-4c7a-9e2b-6a1d3f4e5c${String(70 + i)}`, notes: null})),
        nics: switches.flatMap((s, i) => [nic(`Ethernet ${i + 2}`, {interfaceDescription: `Intel(R) Ethernet X710 Ethernet ${i + 2}`}), nic(`vEthernet (${s})`, {virtual: true, vmq: null})]),
        clusterNodes: [
          {name: 'HV1', state: 'Up'},
          {name: 'HV2', state: 'Up'},
        ],
        clusterSharedVolumes: ['C:\\ClusterStorage\\Volume1'],
        ...over,
      }),
      {...target({name, cluster: 'LAB'}), vmRoot: 'C:\\ClusterStorage\\Volume1\\VMs'},
    )

  it('same switch names and answering guests: ready', () => {
    const checks = checkHosts([node('hv1', ['Lab', 'Storage']), node('hv2', ['Lab', 'Storage'])])
    expect(notOk(checks)).toEqual([])
    expect(checks.find((c) => c.check === 'cluster-switches')!.message).toContain('every node has the switches Lab, Storage')
  })

  it("vmroot-not-csv names each node whose vmRoot is off the cluster's shared volumes; volumes it cannot read are cluster-unavailable", () => {
    const offShared = {...node('hv2', ['Lab']), host: {...node('hv2', ['Lab']).host, vmRoot: 'C:\\ClusterStorage\\Volume10\\VMs'}}
    const checks = checkHosts([node('hv1', ['Lab']), offShared])
    expect(notOk(checks)).toEqual(['fail:vmroot-not-csv'])
    expect(checks.find((c) => c.code === 'vmroot-not-csv')!.message).toBe('cluster LAB: vmRoot is not on a Cluster Shared Volume on hv2 (C:\\ClusterStorage\\Volume10\\VMs; volumes: C:\\ClusterStorage\\Volume1): another node could not start these guests after a failover')
    expect(checks.find((c) => c.check === 'cluster-storage' && c.status === 'ok')).toBeUndefined()
    expect(notOk(checkHosts([node('hv1', ['Lab'], {clusterSharedVolumes: null}), node('hv2', ['Lab'])]))).toEqual(['fail:cluster-unavailable'])
    expect(checkHosts([node('hv1', ['Lab']), node('hv2', ['Lab'])]).find((c) => c.check === 'cluster-storage')!.message).toBe("cluster LAB: every node's vmRoot is on a Cluster Shared Volume")
  })

  it('switch-name-mismatch lists what each node lacks', () => {
    const checks = checkHosts([node('hv1', ['Lab', 'Storage']), node('hv2', ['lab-net'])])
    expect(notOk(checks)).toEqual(['fail:switch-name-mismatch'])
    expect(checks.find((c) => c.code === 'switch-name-mismatch')!.message).toBe('cluster LAB: virtual switch names differ between nodes: hv1 lacks lab-net; hv2 lacks Lab, Storage')
  })

  it('a running guest whose ICs do not answer is not ready for failover', () => {
    const silent = {vms: [{name: 'db1', state: 'Running', version: '10.0', heartbeat: 'OkApplicationsUnknown', clustered: true, silentServices: [{id: '2A34B1C2-FD73-4043-8A5B-DD2159BC743F', name: 'Key-Value Pair Exchange', status: 'No Contact'}]}]}
    const checks = checkHosts([node('hv1', ['Lab'], silent), node('hv2', ['Lab'])])
    expect(notOk(checks)).toEqual(['fail:ic-not-ready-for-failover'])
    expect(checks.find((c) => c.code === 'ic-not-ready-for-failover')!.message).toContain('db1 on hv1 (Key-Value Pair Exchange not answering)')
    const noHeartbeat = {vms: [{name: 'db2', state: 'Running', version: '10.0', heartbeat: 'NoContact', clustered: true, silentServices: []}]}
    expect(notOk(checkHosts([node('hv1', ['Lab'], noHeartbeat), node('hv2', ['Lab'])]))).toEqual(['fail:ic-not-ready-for-failover'])
  })

  it('a node the inventory lacks, a node down, and nodes with different configuration versions', () => {
    const three = {clusterNodes: [{name: 'HV1', state: 'Up'}, {name: 'HV2', state: 'Up'}, {name: 'HV3', state: 'Down'}]}
    expect(notOk(checkHosts([node('hv1', ['Lab'], three), node('hv2', ['Lab'], three)]))).toEqual(['warn:cluster-node-unchecked', 'warn:cluster-node-down'])
    const older = {configurationVersions: ['8.0', '9.0'], vms: [{name: 'app', state: 'Running', version: '9.0', heartbeat: 'OkApplicationsHealthy', clustered: true, silentServices: []}]}
    const checks = checkHosts([node('hv1', ['Lab']), node('hv2', ['Lab'], older)])
    expect(notOk(checks)).toEqual(['warn:cluster-config-version-mismatch'])
    expect(checks.find((c) => c.code === 'cluster-config-version-mismatch')!.message).toContain('hv2 runs VM configuration versions up to 9.0, hv1 up to 10.0')
  })
})
