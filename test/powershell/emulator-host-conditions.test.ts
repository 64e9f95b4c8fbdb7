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
const GERMAN_2012R2: EmulatorProjectOptions = {hostOs: 'windows-server-2012r2', locale: 'de-DE', freeSpaceBytes: 5 * 1024 ** 3}
const NETWORK: EmulatorProjectOptions = {switches: [{name: 'Lab', tcpOffload: true}, {name: 'Air', wireless: true}]}
const NAMES_ONLY: EmulatorProjectOptions = {switches: ['Lab', 'Prod'], computerName: 'HV7'}
beforeAll(() => prebuildEmulatorProjects([NICS, NOT_INSTALLED, ACCESS_DENIED, NODE1, NODE2, GERMAN_2012R2, NETWORK, NAMES_ONLY]), 180_000)

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
    expect(hv1.state().cluster).toEqual({
      name: 'CL1', nodes: [{name: 'HV1', id: '1', state: 'Up'}, {name: 'HV2', id: '2', state: 'Down'}], sharedVolumeRoot: 'C:\\ClusterStorage', groups: [],
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
