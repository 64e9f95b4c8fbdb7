/**
 * The host conditions `hvguest doctor` and `hvguest net` look for, each set up on an emulated host
 * (New-HvEmulatorState through makeEmulatorProject, docs/emulator-state.md "Host conditions") and
 * observed through the real cmdlets' documented outputs only: NICs and what they can do (a Wi-Fi
 * NIC behind an External switch), Hyper-V missing or forbidden, supported configuration versions,
 * cluster nodes with their own switches, locale, free space, vmguest.iso, and the host network
 * settings' set-and-restore round trip (byte-identical state, rejected values, fault injection).
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {type EmulatorProject, type EmulatorProjectOptions, makeEmulatorProject, prebuildEmulatorProjects} from '../helpers/emulator-project.js'

const psQuote = (s: string) => `'${s.replaceAll("'", "''")}'`

/**
 * Runs PowerShell on the project and parses the JSON it prints last. The script goes into a file
 * that is dot-sourced (`pwsh -Command -` reads stdin a line at a time).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function run(p: EmulatorProject, script: string, env: Record<string, string> = {}): any {
  const file = join(mkdtempSync(join(tmpdir(), 'hvemu-script-')), 'script.ps1')
  writeFileSync(file, script)
  const r = p.pwsh(`. ${psQuote(file)}`, {HVGUEST_EMULATOR_FAIL: '', ...env})
  if (r.code !== 0) throw new Error(`pwsh exited ${r.code}\n${r.stderr}\n${r.stdout}`)
  const lines = r.stdout.trim().split('\n')
  return JSON.parse(lines[lines.length - 1])
}

/** PowerShell: the error a block throws, as {fqid, category, type, message}, or null. */
const CATCH = `
function Get-Failure([scriptblock]$Block) {
    try { & $Block | Out-Null; $null }
    catch { [ordered]@{ fqid = $_.FullyQualifiedErrorId; category = "$($_.CategoryInfo.Category)"; type = $_.Exception.GetType().Name; message = $_.Exception.Message } }
}
`

/** The hosts of this file: each built once (all in one pwsh, below), each test on a copy of its own. */
const NICS: EmulatorProjectOptions = {
  switches: [
    {name: 'Air', wireless: true},
    {name: 'Lab', tcpOffload: true, jumboValues: ['1514', '9014']},
    {name: 'Slow', vmq: false, interfaceDescription: 'Realtek PCIe GbE Family Controller'},
    {name: 'Inside', type: 'Internal'},
  ],
  wirelessNic: true,
  configurationVersions: ['9.0', '8.0'],
}
const NOT_INSTALLED: EmulatorProjectOptions = {hyperV: 'not-installed', switches: ['Lab']}
const ACCESS_DENIED: EmulatorProjectOptions = {hyperV: 'access-denied', computerName: 'HV9'}
const CLUSTER = {cluster: 'CL1', clusterNodes: ['HV1', 'HV2'], clusterNodeStates: {HV2: 'Down'}}
const NODE1: EmulatorProjectOptions = {...CLUSTER, computerName: 'HV1', switches: ['Lab']}
const NODE2: EmulatorProjectOptions = {...CLUSTER, computerName: 'HV2', switches: ['Prod', 'Backup']}
/** Both nodes of cluster CL2 in one folder (one shared cluster file), VM g1 on the CSV of HV1 and off1 off it. */
const SHARED: EmulatorProjectOptions = {
  cluster: 'CL2',
  clusterNodes: ['HV1', 'HV2'],
  computerName: 'HV1',
  setup: [
    "New-HvEmulatorState -Path '.hvguest/hv2.json' -ComputerName HV2 -Cluster CL2 -ClusterNodes HV1,HV2 | Out-Null",
    "New-VM -Name g1 -NoVHD -Path 'C:\\ClusterStorage\\Volume1' | Out-Null",
    "New-VM -Name off1 -NoVHD -Path 'C:\\VMs' | Out-Null",
  ].join('\n'),
}
const GERMAN_2012R2: EmulatorProjectOptions = {hostOs: 'windows-server-2012r2', locale: 'de-DE', freeSpaceBytes: 5 * 1024 ** 3}
const NETWORK: EmulatorProjectOptions = {switches: [{name: 'Lab', tcpOffload: true}, {name: 'Air', wireless: true}]}
const NAMES_ONLY: EmulatorProjectOptions = {switches: ['Lab', 'Prod'], computerName: 'HV7'}
beforeAll(() => prebuildEmulatorProjects([NICS, NOT_INSTALLED, ACCESS_DENIED, NODE1, NODE2, SHARED, GERMAN_2012R2, NETWORK, NAMES_ONLY]), 180_000)

/** The Get-NetAdapter properties doctor reads, per adapter. */
const ADAPTERS = `@(Get-NetAdapter | ForEach-Object { [ordered]@{
    Name = $_.Name; InterfaceDescription = $_.InterfaceDescription; Status = $_.Status; MacAddress = $_.MacAddress; LinkSpeed = $_.LinkSpeed
    MediaType = $_.MediaType; PhysicalMediaType = $_.PhysicalMediaType; NdisPhysicalMedium = $_.NdisPhysicalMedium; Virtual = $_.Virtual; HardwareInterface = $_.HardwareInterface } })`

describe('NICs and what they can do', () => {
  let p: EmulatorProject
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let out: any
  beforeAll(() => {
    p = makeEmulatorProject(NICS)
    out = run(
      p,
      `${CATCH}
$air = Get-VMSwitch -Name Air
$bound = Get-NetAdapter -InterfaceDescription $air.NetAdapterInterfaceDescription
$props = @(Get-NetAdapterAdvancedProperty | ForEach-Object { [ordered]@{ Name = $_.Name; RegistryKeyword = $_.RegistryKeyword; DisplayName = $_.DisplayName; RegistryValue = $_.RegistryValue[0]; ValidRegistryValues = @($_.ValidRegistryValues) } })
$supported = @(Get-VMHostSupportedVersion | ForEach-Object { [ordered]@{ Version = $_.Version.ToString(); IsDefault = $_.IsDefault } })
$tooNew = Get-Failure { New-VM -Name v10 -NoVHD -Version 10.0 }
$vm = New-VM -Name v8 -NoVHD -Version 8.0
$vmFacts = [ordered]@{ Version = $vm.Version; State = "$($vm.State)"; IsClustered = $vm.IsClustered; Heartbeat = $vm.Heartbeat }
ConvertTo-Json -Depth 6 -Compress -InputObject ([ordered]@{
    switch = [ordered]@{ SwitchType = "$($air.SwitchType)"; NetAdapterInterfaceDescription = $air.NetAdapterInterfaceDescription }
    bound = [ordered]@{ Name = $bound.Name; PhysicalMediaType = $bound.PhysicalMediaType; NdisPhysicalMedium = $bound.NdisPhysicalMedium }
    adapters = ${ADAPTERS}
    props = $props
    vmq = @(Get-NetAdapterVmq | ForEach-Object { $_.Name })
    physical = @(Get-NetAdapter -Physical | ForEach-Object { $_.Name })
    supported = $supported
    tooNew = $tooNew
    vm = $vmFacts
})`,
    )
  }, 120_000)

  it('a Wi-Fi NIC behind an External switch: Get-VMSwitch names it, Get-NetAdapter says Native 802.11', () => {
    expect(out.switch).toEqual({SwitchType: 'External', NetAdapterInterfaceDescription: 'Intel(R) Wi-Fi 6 AX201 160MHz'})
    expect(out.bound).toEqual({Name: 'Wi-Fi', PhysicalMediaType: 'Native 802.11', NdisPhysicalMedium: 9})
  })

  it('Get-NetAdapter carries the documented MSFT_NetAdapter properties for each kind of adapter', () => {
    const byName = Object.fromEntries(out.adapters.map((a: {Name: string}) => [a.Name, a]))
    expect(Object.keys(byName)).toEqual(['Wi-Fi', 'vEthernet (Air)', 'Ethernet 2', 'vEthernet (Lab)', 'Ethernet 3', 'vEthernet (Slow)', 'vEthernet (Inside)', 'Wi-Fi 2'])
    expect(byName['Wi-Fi']).toEqual({
      Name: 'Wi-Fi', InterfaceDescription: 'Intel(R) Wi-Fi 6 AX201 160MHz', Status: 'Up', MacAddress: '3C-A9-F4-00-00-01', LinkSpeed: '866.7 Mbps',
      MediaType: 'Native 802.11', PhysicalMediaType: 'Native 802.11', NdisPhysicalMedium: 9, Virtual: false, HardwareInterface: true,
    })
    expect(byName['Ethernet 2']).toEqual({
      Name: 'Ethernet 2', InterfaceDescription: 'Intel(R) Ethernet Converged Network Adapter X710 #1', Status: 'Up', MacAddress: 'A0-36-9F-00-00-02',
      LinkSpeed: '10 Gbps', MediaType: '802.3', PhysicalMediaType: '802.3', NdisPhysicalMedium: 14, Virtual: false, HardwareInterface: true,
    })
    expect(byName['Ethernet 3'].InterfaceDescription).toBe('Realtek PCIe GbE Family Controller')
    expect(byName['vEthernet (Lab)']).toMatchObject({MediaType: '802.3', PhysicalMediaType: 'Unspecified', NdisPhysicalMedium: 0, Virtual: true, HardwareInterface: false})
    expect(byName['Wi-Fi 2']).toMatchObject({InterfaceDescription: 'Intel(R) Wi-Fi 6 AX201 160MHz #2', PhysicalMediaType: 'Native 802.11'})
    expect(out.physical).toEqual(['Wi-Fi', 'Ethernet 2', 'Ethernet 3', 'Wi-Fi 2'])
  })

  it('advanced properties follow the capabilities: jumbo values, *VMQ, *TCPConnectionOffloadIPv4', () => {
    const of = (name: string) => out.props.filter((x: {Name: string}) => x.Name === name)
    expect(of('Wi-Fi')).toEqual([{Name: 'Wi-Fi', RegistryKeyword: '*JumboPacket', DisplayName: 'Jumbo Packet', RegistryValue: '1514', ValidRegistryValues: ['1514']}])
    expect(of('Ethernet 2').map((x: {RegistryKeyword: string}) => x.RegistryKeyword)).toEqual(['*JumboPacket', '*VMQ', '*TCPConnectionOffloadIPv4'])
    expect(of('Ethernet 2')[0].ValidRegistryValues).toEqual(['1514', '9014'])
    expect(of('Ethernet 2')[2]).toEqual({
      Name: 'Ethernet 2', RegistryKeyword: '*TCPConnectionOffloadIPv4', DisplayName: 'TCP Connection Offload (IPv4)', RegistryValue: '1', ValidRegistryValues: ['0', '1'],
    })
    expect(of('Ethernet 3').map((x: {RegistryKeyword: string}) => x.RegistryKeyword)).toEqual(['*JumboPacket'])
    expect(out.vmq).toEqual(['Ethernet 2'])
  })

  it('-ConfigurationVersions replaces the supported list: Get-VMHostSupportedVersion and New-VM -Version follow it', () => {
    expect(out.supported).toEqual([{Version: '8.0', IsDefault: false}, {Version: '9.0', IsDefault: true}])
    expect(out.tooNew.message).toMatch(/configuration version '10\.0' is not supported on this host\. Supported: 8\.0, 9\.0/)
    expect(out.vm).toEqual({Version: '8.0', State: 'Off', IsClustered: false, Heartbeat: null})
  })

  it('a VM whose version the host does not support: vms[].version edited in the state file', () => {
    const state = p.state()
    state.vms[0].version = '5.0'
    writeFileSync(p.stateFile, JSON.stringify(state, null, 2) + '\n')
    const seen = run(p, `ConvertTo-Json -Compress -InputObject ([ordered]@{ version = (Get-VM -Name v8).Version; supported = @(Get-VMHostSupportedVersion | ForEach-Object { $_.Version.ToString() }) })`)
    expect(seen.version).toBe('5.0')
    expect(seen.supported).not.toContain(seen.version)
  })
})

describe('Hyper-V presence and permission (host.hyperV)', () => {
  const probe = `${CATCH}
$before = [IO.File]::ReadAllText($env:HVGUEST_EMULATOR_STATE)
ConvertTo-Json -Depth 5 -Compress -InputObject ([ordered]@{
    vmHost = Get-Failure { Get-VMHost }
    newVm = Get-Failure { New-VM -Name x -NoVHD }
    switches = Get-Failure { Get-VMSwitch }
    silently = Get-Failure { Get-VMHost -ErrorAction SilentlyContinue }
    kvp = Get-Failure { Get-CimInstance -Namespace root/virtualization/v2 -ClassName Msvm_KvpExchangeComponent }
    feature = "$((Get-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V).State)"
    module = "$((Get-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V-Management-PowerShell).State)"
    nics = @(Get-NetAdapter | ForEach-Object { $_.Name })
    unchanged = $before -ceq [IO.File]::ReadAllText($env:HVGUEST_EMULATOR_STATE)
})`

  it('not-installed: every Hyper-V cmdlet is a command that does not exist; the feature is Disabled; no switches', () => {
    const p = makeEmulatorProject(NOT_INSTALLED)
    expect(p.state().host.hyperV).toBe('not-installed')
    expect(p.state().switches).toEqual([])
    const out = run(p, probe)
    expect(out.vmHost).toEqual({
      fqid: 'CommandNotFoundException', category: 'ObjectNotFound', type: 'CommandNotFoundException',
      message: "The term 'Get-VMHost' is not recognized as a name of a cmdlet, function, script file, or executable program.\nCheck the spelling of the name, or if a path was included, verify that the path is correct and try again.",
    })
    expect(out.newVm.message).toMatch(/^The term 'New-VM' is not recognized/)
    expect(out.switches.fqid).toBe('CommandNotFoundException')
    expect(out.silently?.fqid, '-ErrorAction SilentlyContinue does not hide a missing command').toBe('CommandNotFoundException')
    expect(out.kvp).toMatchObject({category: 'ObjectNotFound', message: 'Invalid namespace '})
    expect(out.feature).toBe('Disabled')
    expect(out.module).toBe('Disabled')
    expect(out.nics).toEqual(['Ethernet 2'])
    expect(out.unchanged).toBe(true)
  })

  it("access-denied: every Hyper-V cmdlet fails with Hyper-V's permission error; the feature is Enabled", () => {
    const p = makeEmulatorProject(ACCESS_DENIED)
    const out = run(p, probe)
    const denied = "You do not have the required permission to complete this task. Contact the administrator of the authorization policy for the computer 'HV9'."
    expect(out.vmHost).toEqual({fqid: 'AccessDenied,Get-VMHost', category: 'PermissionDenied', type: 'UnauthorizedAccessException', message: denied})
    expect(out.newVm).toMatchObject({category: 'PermissionDenied', message: denied})
    expect(out.switches.message).toBe(denied)
    expect(out.kvp).toMatchObject({category: 'PermissionDenied', message: 'Access denied '})
    expect(out.feature).toBe('Enabled')
    expect(out.module).toBe('Enabled')
    expect(out.nics).toEqual(['Ethernet 2', 'vEthernet (Lab)'])
    expect(out.unchanged).toBe(true)
  })
})

describe('clusters: one state file per node', () => {
  const probe = `ConvertTo-Json -Depth 4 -Compress -InputObject ([ordered]@{
    named = @(Get-ClusterNode -Cluster CL1 | ForEach-Object { [ordered]@{ Name = $_.Name; State = $_.State; Id = $_.Id; Cluster = $_.Cluster } })
    local = @(Get-ClusterNode | ForEach-Object { "$($_.Name)=$($_.State)" })
    switches = @(Get-VMSwitch | ForEach-Object { $_.Name })
    host = (Get-VMHost).Name
})`

  it('each node answers Get-ClusterNode for the cluster, and has its own switches', () => {
    const hv1 = makeEmulatorProject(NODE1)
    const hv2 = makeEmulatorProject(NODE2)
    // The node names its cluster's file; the cluster (nodes, volumes, roles) is in that file.
    expect(hv1.state().cluster).toEqual({stateFile: 'cluster-CL1.json'})
    expect(JSON.parse(readFileSync(join(hv1.dir, '.hvguest', 'cluster-CL1.json'), 'utf8'))).toEqual({
      name: 'CL1',
      nodes: [{name: 'HV1', id: '1', state: 'Up'}, {name: 'HV2', id: '2', state: 'Down'}],
      sharedVolumes: [{name: 'Cluster Disk 1', path: 'C:\\ClusterStorage\\Volume1', ownerNode: 'HV1', state: 'Online'}],
      groups: [],
    })
    const one = run(hv1, probe)
    const two = run(hv2, probe)
    const nodes = [{Name: 'HV1', State: 'Up', Id: '1', Cluster: 'CL1'}, {Name: 'HV2', State: 'Down', Id: '2', Cluster: 'CL1'}]
    expect(one.named).toEqual(nodes)
    expect(two.named).toEqual(nodes)
    expect(one.local).toEqual(['HV1=Up', 'HV2=Down'])
    expect([one.host, two.host]).toEqual(['HV1', 'HV2'])
    expect(one.switches).toEqual(['Lab'])
    expect(two.switches).toEqual(['Prod', 'Backup'])
  })

  it('the nodes of one cluster share it: a role registered through one node is seen, and removed, through the other', () => {
    const p = makeEmulatorProject(SHARED)
    const out = run(
      p,
      `${CATCH}
$volumes = @(Get-ClusterSharedVolume -Cluster CL2 | ForEach-Object { [ordered]@{ name = $_.Name; state = $_.State; owner = "$($_.OwnerNode)"; paths = @($_.SharedVolumeInfo | ForEach-Object FriendlyVolumeName) } })
$csvFs = @(Get-Volume | Where-Object FileSystem -eq 'CSVFS').Count
$g1 = Get-VM -Name g1
$added = Add-ClusterVirtualMachineRole -VMId $g1.Id
$again = Get-Failure { Add-ClusterVirtualMachineRole -VMName g1 }
$offShared = Get-Failure { Add-ClusterVirtualMachineRole -VMName off1 }
$clustered = [ordered]@{ g1 = (Get-VM -Name g1).IsClustered; off1 = (Get-VM -Name off1).IsClustered }
Initialize-HvEmulator -StateFile '.hvguest/hv2.json'
$seen = @(Get-ClusterGroup | ForEach-Object { "$($_.Name)|$($_.OwnerNode)|$($_.State)|$($_.GroupType)" })
$byId = (Get-ClusterGroup -VMId $g1.Id).Name
$onHv2 = @(Get-VM).Count
$noForce = Get-Failure { Remove-ClusterGroup -Name g1 -RemoveResources }
$noResources = Get-Failure { Remove-ClusterGroup -Name g1 -Force }
$core = Get-Failure { Remove-ClusterGroup -Name 'Cluster Group' -RemoveResources -Force }
Remove-ClusterGroup -VMId $g1.Id -RemoveResources -Force
Initialize-HvEmulator -StateFile '.hvguest/emulator-state.json'
$gone = Get-Failure { Get-ClusterGroup -VMId $g1.Id }
ConvertTo-Json -Depth 5 -Compress -InputObject ([ordered]@{
    volumes = $volumes; csvFs = $csvFs; added = "$($added.Name)|$($added.OwnerNode)|$($added.State)|$($added.GroupType)"
    again = $again.message; offShared = $offShared.message; clustered = $clustered
    seen = $seen; byId = $byId; onHv2 = $onHv2; noForce = $noForce.message; noResources = $noResources.message; core = $core.message
    after = (Get-VM -Name g1).IsClustered; groups = @(Get-ClusterGroup | ForEach-Object Name); gone = $gone.category
})`,
    )
    expect(out.volumes).toEqual([{name: 'Cluster Disk 1', state: 'Online', owner: 'HV1', paths: ['C:\\ClusterStorage\\Volume1']}])
    expect(out.csvFs).toBe(1)
    expect(out.added).toBe('g1|HV1|Offline|VirtualMachine')
    expect(out.again).toBe("Virtual machine 'g1' is already a clustered role.")
    expect(out.offShared).toBe("The virtual machine 'off1' cannot be made highly available: its configuration in 'C:\\VMs\\off1' is not on a Cluster Shared Volume (C:\\ClusterStorage\\Volume1\\).")
    expect(out.clustered).toEqual({g1: true, off1: false})
    // Through HV2, which has no VM: the cluster's groups, the core groups first.
    expect(out.seen).toEqual(['Cluster Group|HV1|Online|Cluster', 'Available Storage|HV1|Offline|AvailableStorage', 'g1|HV1|Offline|VirtualMachine'])
    expect(out.byId).toBe('g1')
    expect(out.onHv2).toBe(0)
    expect(out.noForce).toMatch(/specify -Force/)
    expect(out.noResources).toMatch(/still contains resources/)
    expect(out.core).toMatch(/one of the cluster's own groups/)
    expect(out.after).toBe(false)
    expect(out.groups).toEqual(['Cluster Group', 'Available Storage'])
    expect(out.gone).toBe('ObjectNotFound')
  })

  it('the node a state file is must be one of the nodes', () => {
    expect(() => makeEmulatorProject({...CLUSTER, computerName: 'HV3'})).toThrow(/-ComputerName 'HV3' must be one of -ClusterNodes/)
  })
})

describe('locale, free space and vmguest.iso', () => {
  it('Get-WinSystemLocale and Get-Volume report them; deleting vmguest.iso makes it absent', () => {
    const p = makeEmulatorProject(GERMAN_2012R2)
    const out = run(
      p,
      `$iso = 'C:\\Windows\\System32\\vmguest.iso'
$present = Test-Path -LiteralPath $iso
Remove-Item -LiteralPath $iso
$volume = Get-Volume -DriveLetter C
ConvertTo-Json -Compress -InputObject ([ordered]@{
    locale = (Get-WinSystemLocale).Name; free = $volume.SizeRemaining; size = $volume.Size
    present = $present; after = (Test-Path -LiteralPath $iso); listed = @(Get-ChildItem -LiteralPath 'C:\\Windows\\System32' | ForEach-Object Name)
})`,
    )
    expect(out).toEqual({locale: 'de-DE', free: 5 * 1024 ** 3, size: 500 * 1024 ** 3, present: true, after: false, listed: []})
  })
})

describe('host network settings: set and restore', () => {
  let p: EmulatorProject
  beforeAll(() => {
    p = makeEmulatorProject(NETWORK)
  }, 120_000)

  it('changing jumbo, VMQ, NIC offload and Chimney and setting each back leaves the state file byte-identical', () => {
    const before = readFileSync(p.stateFile)
    const out = run(
      p,
      `$file = $env:HVGUEST_EMULATOR_STATE
$original = [IO.File]::ReadAllText($file)
Set-NetAdapterAdvancedProperty -Name 'Ethernet 2' -RegistryKeyword '*JumboPacket' -RegistryValue 9014
Get-NetAdapterAdvancedProperty -Name 'vEthernet (Lab)' -RegistryKeyword '*JumboPacket' | Set-NetAdapterAdvancedProperty -RegistryValue 9014
Set-NetAdapterAdvancedProperty -Name 'Ethernet 2' -RegistryKeyword '*TCPConnectionOffloadIPv4' -RegistryValue 0
Disable-NetAdapterVmq -Name 'Ethernet 2'
Set-NetOffloadGlobalSetting -Chimney Enabled
$changed = [ordered]@{
    jumbo = @(Get-NetAdapterAdvancedProperty -Name 'Ethernet 2', 'vEthernet (Lab)' -RegistryKeyword '*JumboPacket' | ForEach-Object { $_.RegistryValue[0] })
    offload = (Get-NetAdapterAdvancedProperty -Name 'Ethernet 2' -RegistryKeyword '*TCPConnectionOffloadIPv4').RegistryValue[0]
    vmq = (Get-NetAdapterVmq -Name 'Ethernet 2').Enabled
    chimney = (Get-NetOffloadGlobalSetting).Chimney
    differs = [IO.File]::ReadAllText($file) -cne $original
}
Get-NetAdapterAdvancedProperty -Name 'Ethernet 2' -RegistryKeyword '*JumboPacket' | Set-NetAdapterAdvancedProperty -RegistryValue 1514
Set-NetAdapterAdvancedProperty -Name 'vEthernet (Lab)' -RegistryKeyword '*JumboPacket' -RegistryValue 1514
Get-NetAdapterAdvancedProperty -Name 'Ethernet 2' -RegistryKeyword '*TCPConnectionOffloadIPv4' | Set-NetAdapterAdvancedProperty -RegistryValue 1
Get-NetAdapterVmq -Name 'Ethernet 2' | Enable-NetAdapterVmq
Set-NetOffloadGlobalSetting -Chimney Disabled
ConvertTo-Json -Compress -InputObject ([ordered]@{ changed = $changed })`,
    )
    expect(out.changed).toEqual({jumbo: ['9014', '9014'], offload: '0', vmq: false, chimney: 'Enabled', differs: true})
    expect(readFileSync(p.stateFile).equals(before), 'state file byte-identical after restoring every value').toBe(true)
  })

  it('a value outside ValidRegistryValues is refused as documented, and changes nothing', () => {
    const before = readFileSync(p.stateFile)
    const out = run(
      p,
      `${CATCH}
ConvertTo-Json -Compress -InputObject ([ordered]@{
    byName = Get-Failure { Set-NetAdapterAdvancedProperty -Name 'Ethernet 2' -RegistryKeyword '*JumboPacket' -RegistryValue 9000 }
    wifi = Get-Failure { Get-NetAdapterAdvancedProperty -Name 'Wi-Fi' -RegistryKeyword '*JumboPacket' | Set-NetAdapterAdvancedProperty -RegistryValue 9014 }
    vmqOnWifi = Get-Failure { Enable-NetAdapterVmq -Name 'Wi-Fi' }
})`,
    )
    expect(out.byName).toEqual({
      fqid: 'Windows System Error 87,Set-NetAdapterAdvancedProperty', category: 'InvalidArgument', type: 'ArgumentException',
      message: 'No matching keyword value found. The following are valid keyword values: 1514, 4088, 9014',
    })
    expect(out.wifi.message).toBe('No matching keyword value found. The following are valid keyword values: 1514')
    expect(out.vmqOnWifi.message).toMatch(/No MSFT_NetAdapterVmqSettingData objects found with property 'Name' equal to 'Wi-Fi'/)
    expect(readFileSync(p.stateFile).equals(before)).toBe(true)
  })

  it('HVGUEST_EMULATOR_FAIL fails the Nth call of each, before any change', () => {
    const out = run(
      p,
      `${CATCH}
$file = $env:HVGUEST_EMULATOR_STATE
$env:HVGUEST_EMULATOR_FAIL = 'Set-NetAdapterAdvancedProperty:2,Disable-NetAdapterVmq:1,Set-NetOffloadGlobalSetting:1'
$first = Get-Failure { Set-NetAdapterAdvancedProperty -Name 'Ethernet 2' -RegistryKeyword '*JumboPacket' -RegistryValue 4088 }
$mid = [IO.File]::ReadAllText($file)
$second = Get-Failure { Get-NetAdapterAdvancedProperty -Name 'Ethernet 2' -RegistryKeyword '*JumboPacket' | Set-NetAdapterAdvancedProperty -RegistryValue 1514 }
$vmq = Get-Failure { Disable-NetAdapterVmq -Name 'Ethernet 2' }
$chimney = Get-Failure { Set-NetOffloadGlobalSetting -Chimney Enabled }
$unchanged = [IO.File]::ReadAllText($file) -ceq $mid
$third = Get-Failure { Set-NetAdapterAdvancedProperty -Name 'Ethernet 2' -RegistryKeyword '*JumboPacket' -RegistryValue 1514 }
ConvertTo-Json -Depth 4 -Compress -InputObject ([ordered]@{ first = $first; second = $second; vmq = $vmq; chimney = $chimney; unchanged = $unchanged; third = $third
    jumbo = (Get-NetAdapterAdvancedProperty -Name 'Ethernet 2' -RegistryKeyword '*JumboPacket').RegistryValue[0] })`,
    )
    expect(out.first).toBeNull()
    expect(out.second).toMatchObject({
      fqid: 'HvEmulatorInjectedFault,Set-NetAdapterAdvancedProperty', category: 'OperationStopped',
      message: 'Injected fault (HVGUEST_EMULATOR_FAIL=Set-NetAdapterAdvancedProperty:2,Disable-NetAdapterVmq:1,Set-NetOffloadGlobalSetting:1): call 2 of Set-NetAdapterAdvancedProperty failed before changing anything.',
    })
    expect(out.vmq.fqid).toBe('HvEmulatorInjectedFault,Disable-NetAdapterVmq')
    expect(out.chimney.fqid).toBe('HvEmulatorInjectedFault,Set-NetOffloadGlobalSetting')
    expect(out.unchanged).toBe(true)
    expect(out.third).toBeNull()
    expect(out.jumbo).toBe('1514')
  })
})

describe('installed (default) Hyper-V on a names-only host', () => {
  it('Get-VMHost answers, the feature is Enabled, and the NIC records are the ones written before capabilities existed', () => {
    const p = makeEmulatorProject(NAMES_ONLY)
    const state = p.state()
    expect(state.host.hyperV).toBe('installed')
    const keys = ['name', 'interfaceDescription', 'ifIndex', 'macAddress', 'status', 'linkSpeed', 'mediaType', 'physical', 'virtual', 'hidden', 'advancedProperties']
    expect(state.netAdapters.filter((n: {physical: boolean}) => n.physical).map((n: object) => Object.keys(n))).toEqual([keys, keys])
    expect(state.netAdapters[0].advancedProperties).toEqual([
      {registryKeyword: '*JumboPacket', displayName: 'Jumbo Packet', registryValue: '1514', defaultRegistryValue: '1514', validRegistryValues: ['1514', '4088', '9014'], validDisplayValues: ['Disabled', '4088 Bytes', '9014 Bytes']},
      {registryKeyword: '*VMQ', displayName: 'Virtual Machine Queues', registryValue: '1', defaultRegistryValue: '1', validRegistryValues: ['0', '1'], validDisplayValues: ['Disabled', 'Enabled']},
    ])
    expect(state.volumes[0]).toEqual({driveLetter: 'C', fileSystemLabel: '', fileSystem: 'NTFS', sizeBytes: 500 * 1024 ** 3, freeBytes: 400 * 1024 ** 3})
    const out = run(p, `ConvertTo-Json -Compress -InputObject ([ordered]@{ name = (Get-VMHost).Name; feature = "$((Get-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V).State)" })`)
    expect(out).toEqual({name: 'HV7', feature: 'Enabled'})
  })
})

describe('mounted disks without drive letters, access paths, and volumes at mount points', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let out: any
  beforeAll(() => {
    // A state of its own beside the project's: automount off and a CSV-like mount point.
    out = run(
      makeEmulatorProject(NETWORK),
      `${CATCH}
$state = Join-Path (Get-Location) 'conditions.json'
New-HvEmulatorState -Path $state -NoAutomount -MountPoints @{ Path = 'C:\\ClusterStorage\\Volume1'; FreeSpaceBytes = 3GB; FileSystem = 'CSVFS' } | Out-Null
Initialize-HvEmulator -StateFile $state
$written = (Get-Content -Raw $state | ConvertFrom-Json).host.automount
function Get-Parts([uint32]$Disk) { @(Get-Partition -DiskNumber $Disk | ForEach-Object { [ordered]@{ n = [int]$_.PartitionNumber; letter = [int]$_.DriveLetter; paths = @($_.AccessPaths); noDefault = $_.NoDefaultDriveLetter } }) }
New-Item -ItemType Directory -Path C:\\Hyper-V\\mnt | Out-Null
New-Item -ItemType Directory -Path C:\\Hyper-V\\full | Out-Null
Set-Content -Path C:\\Hyper-V\\full\\x.txt -Value x
New-VHD -Path C:\\Hyper-V\\a.vhdx -SizeBytes 1GB -Dynamic | Out-Null
# Three partitions, the first marked "no default drive letter" (the header's noDefaultDriveLetter).
$file = (Resolve-Path C:\\Hyper-V\\a.vhdx).ProviderPath
$lines = [System.IO.File]::ReadAllLines($file)
$meta = $lines[1] | ConvertFrom-Json -AsHashtable
$meta.partitions = 3
$meta.noDefaultDriveLetter = @(1)
$lines[1] = ConvertTo-Json -InputObject $meta -Compress
[System.IO.File]::WriteAllLines($file, $lines)
$disk = [uint32](Mount-VHD -Path C:\\Hyper-V\\a.vhdx -Passthru).DiskNumber
$off = Get-Parts $disk
Add-PartitionAccessPath -DiskNumber $disk -PartitionNumber 2 -AssignDriveLetter
$assigned = Get-Parts $disk
$volume = Get-Volume -DriveLetter ([char](Get-Partition -DiskNumber $disk -PartitionNumber 2).DriveLetter)
$again = Get-Failure { Add-PartitionAccessPath -DiskNumber $disk -PartitionNumber 2 -AssignDriveLetter }
Add-PartitionAccessPath -DiskNumber $disk -PartitionNumber 3 -AccessPath 'C:\\Hyper-V\\mnt'
$folder = Get-Parts $disk
$busy = Get-Failure { Add-PartitionAccessPath -DiskNumber $disk -PartitionNumber 1 -AccessPath 'C:\\Hyper-V\\full' }
$byFolder = (Get-Volume -FilePath 'C:\\Hyper-V\\mnt').Path
Remove-PartitionAccessPath -DiskNumber $disk -PartitionNumber 2 -AccessPath ('{0}:\\' -f [char](Get-Partition -DiskNumber $disk -PartitionNumber 2).DriveLetter)
Remove-PartitionAccessPath -DiskNumber $disk -PartitionNumber 3 -AccessPath 'C:\\Hyper-V\\mnt\\'
$removed = Get-Parts $disk
$notThere = Get-Failure { Remove-PartitionAccessPath -DiskNumber $disk -PartitionNumber 3 -AccessPath 'C:\\Hyper-V\\mnt' }
Dismount-VHD -Path C:\\Hyper-V\\a.vhdx
# Automount back on (the state field): only the marked partition stays without a letter.
$text = [System.IO.File]::ReadAllText($state) | ConvertFrom-Json -AsHashtable
$text.host.automount = $true
[System.IO.File]::WriteAllText($state, (ConvertTo-Json -InputObject $text -Depth 20))
$disk = [uint32](Mount-VHD -Path C:\\Hyper-V\\a.vhdx -Passthru).DiskNumber
$on = Get-Parts $disk
Dismount-VHD -Path C:\\Hyper-V\\a.vhdx
$csv = Get-Partition | Where-Object { @($_.AccessPaths) -contains 'C:\\ClusterStorage\\Volume1\\' }
New-Item -ItemType Directory -Path C:\\ClusterStorage\\Volume1\\VMs | Out-Null
ConvertTo-Json -Depth 6 -Compress -InputObject ([ordered]@{
    off = $off; assigned = $assigned; volumeSize = $volume.Size; again = $again; folder = $folder; busy = $busy; byFolder = $byFolder
    removed = $removed; notThere = $notThere; on = $on
    csvPartition = [ordered]@{ letter = [int]$csv.DriveLetter; paths = @($csv.AccessPaths) }
    csvVolume = [ordered]@{ fs = (Get-Volume -Partition $csv).FileSystem; free = (Get-Volume -Partition $csv).SizeRemaining }
    inCsv = (Get-Volume -FilePath 'C:\\ClusterStorage\\Volume1\\VMs').SizeRemaining
    onC = (Get-Volume -FilePath 'C:\\ClusterStorage').SizeRemaining
    missing = Get-Failure { Get-Volume -FilePath 'C:\\ClusterStorage\\Volume1\\nope' }
    fixedOnCsv = Get-Failure { New-VHD -Path C:\\ClusterStorage\\Volume1\\VMs\\big.vhdx -SizeBytes 4GB -Fixed }
    logicalDisks = @(@(Get-CimInstance -ClassName Win32_LogicalDisk) | ForEach-Object { $_.DeviceID })
    written = $written
})`,
    )
  })

  it('automount off: Mount-VHD gives no partition a drive letter; NoDefaultDriveLetter shows the marked one', () => {
    expect(out.off).toEqual([
      {n: 1, letter: 0, paths: [], noDefault: true},
      {n: 2, letter: 0, paths: [], noDefault: false},
      {n: 3, letter: 0, paths: [], noDefault: false},
    ])
    expect(out.written).toBe(false)
  })

  it('automount on: every partition but the "no default drive letter" one gets a letter', () => {
    expect(out.on.map((p: {n: number; letter: number; noDefault: boolean}) => [p.n, p.letter > 0, p.noDefault])).toEqual([
      [1, false, true],
      [2, true, false],
      [3, true, false],
    ])
  })

  it('Add-PartitionAccessPath -AssignDriveLetter gives the first free letter, a folder access path an empty folder; Remove-PartitionAccessPath takes them away', () => {
    expect(out.assigned[1]).toEqual({n: 2, letter: 'D'.charCodeAt(0), paths: ['D:\\'], noDefault: false})
    expect(out.volumeSize).toBeGreaterThan(0)
    expect(out.again).toMatchObject({message: 'The requested access path is already in use.', fqid: 'MI RESULT 4,Add-PartitionAccessPath'})
    expect(out.folder[2]).toEqual({n: 3, letter: 0, paths: ['C:\\Hyper-V\\mnt\\'], noDefault: false})
    expect(out.busy).toMatchObject({message: 'The access path is not valid.'})
    // Disks 0-2 are the host's, 3 holds the mount point's volume: the mounted VHD is disk 4.
    expect(out.byFolder).toBe('\\\\?\\Volume{4-3}\\')
    expect(out.removed.map((p: {paths: string[]}) => p.paths)).toEqual([[], [], []])
    expect(out.notThere).toMatchObject({message: 'The access path is not valid.', fqid: 'MI RESULT 4,Remove-PartitionAccessPath'})
  })

  it('a volume mounted at a folder: Get-Partition lists the access path, Get-Volume -FilePath finds the deepest volume on the way', () => {
    expect(out.csvPartition).toEqual({letter: 0, paths: ['C:\\ClusterStorage\\Volume1\\']})
    expect(out.csvVolume).toEqual({fs: 'CSVFS', free: 3 * 1024 ** 3})
    expect(out.inCsv).toBe(3 * 1024 ** 3)
    expect(out.onC).toBe(400 * 1024 ** 3)
    expect(out.missing).toMatchObject({fqid: 'CmdletizationQuery_NotFound_FilePath,Get-Volume', category: 'ObjectNotFound'})
    // New-VHD -Fixed checks the free space of that volume too (3 GB there, 400 GB on C:), and a
    // volume without a letter is no Win32_LogicalDisk.
    expect(out.fixedOnCsv).toMatchObject({message: 'Failed to create the virtual hard disk. There is not enough space on the disk. (0x80070070)'})
    expect(out.logicalDisks).toEqual(['C:'])
  })
})

describe('adapter restarts: Set-NetAdapterAdvancedProperty and Enable-/Disable-NetAdapterVmq restart unless -NoRestart', () => {
  it('each call without -NoRestart, and Restart-NetAdapter, is one restart in the event log; the state file does not record them', () => {
    const p = makeEmulatorProject(NETWORK)
    const log = `${p.stateFile}.events.jsonl`
    const out = run(
      p,
      `$before = Get-Content -Raw $env:HVGUEST_EMULATOR_STATE
Set-NetAdapterAdvancedProperty -Name 'Ethernet 2' -RegistryKeyword '*JumboPacket' -RegistryValue 9014 -NoRestart
Disable-NetAdapterVmq -Name 'Ethernet 2' -NoRestart
$quiet = Test-Path -LiteralPath ($env:HVGUEST_EMULATOR_STATE + '.events.jsonl')
Set-NetAdapterAdvancedProperty -Name 'Ethernet 2' -RegistryKeyword '*JumboPacket' -RegistryValue 1514
Enable-NetAdapterVmq -Name 'Ethernet 2'
Restart-NetAdapter -Name 'Ethernet 2'
ConvertTo-Json -Compress -InputObject ([ordered]@{ quiet = $quiet; same = ((Get-Content -Raw $env:HVGUEST_EMULATOR_STATE) -ceq $before) })`,
    )
    expect(out).toEqual({quiet: false, same: true})
    const events = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    expect(events.map((e) => [e.event, e.adapter, e.cmdlet])).toEqual([
      ['adapter-restart', 'Ethernet 2', 'Set-NetAdapterAdvancedProperty'],
      ['adapter-restart', 'Ethernet 2', 'Enable-NetAdapterVmq'],
      ['adapter-restart', 'Ethernet 2', 'Restart-NetAdapter'],
    ])
  })
})
