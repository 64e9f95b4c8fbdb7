/**
 * What a host sends for `facts` (the emulated host's answer, abridged to one switch and NIC), for
 * tests that check answers or feed them to what reads them.
 */
export function factsAnswer(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    computerName: 'HV-EMU',
    os: {caption: 'Microsoft Windows Server 2022 Datacenter', version: '10.0.20348', buildNumber: '20348', computerName: 'HV-EMU'},
    hyperV: true,
    powershell: '7.6.9',
    locale: 'en-US',
    configurationVersions: ['9.0', '10.0'],
    virtualMachinePath: 'C:\\ProgramData\\Microsoft\\Windows\\Hyper-V',
    virtualHardDiskPath: 'C:\\Users\\Public\\Documents\\Hyper-V\\Virtual Hard Disks',
    switches: [{name: 'Lab', type: 'External', nicDescriptions: ['Intel X710 #1'], nics: ['Ethernet 2'], allowManagementOS: true, hostAdapter: 'vEthernet (Lab)', id: '5b3a8c2e-1f0d-4c7a-9e2b-6a1d3f4e5c60', notes: null}],
    nics: [
      {
        name: 'Ethernet 2',
        interfaceDescription: 'Intel X710 #1',
        status: 'Up',
        macAddress: 'A0-36-9F-00-00-02',
        linkSpeed: '10 Gbps',
        mediaType: '802.3',
        physicalMediaType: '802.3',
        virtual: false,
        tcpOffload: null,
        jumboPacket: {value: '1514', valid: ['1514', '9014']},
        vmq: {value: '1', valid: ['0', '1']},
        vmqEnabled: true,
      },
    ],
    chimney: 'Disabled',
    vmguestIso: {path: 'C:\\Windows\\System32\\vmguest.iso', present: false},
    vmRoot: 'C:\\Hyper-V',
    freeBytes: 429496729600,
    vmNames: ['web1'],
    vms: [{name: 'web1', state: 'Running', version: '10.0', heartbeat: 'OkApplicationsHealthy', clustered: false, silentServices: []}],
    hyperVFeature: 'Enabled',
    user: 'CORP\\ops',
    vmRootExists: true,
    vmRootWritable: null,
    clusterNodes: null,
    ipAddresses: [{interfaceAlias: 'vEthernet (Lab)', ipAddress: '192.168.10.5', prefixLength: 24}],
    netNats: [{name: 'corp-lan', prefix: '10.200.1.0/24'}],
    vmAdapters: [{vm: 'web1', name: 'Network Adapter', switch: 'Lab', macAddress: '00155D000101'}],
    labRecords: [{name: 'corp', record: {apiVersion: 'hvguest/v1', kind: 'LabRecord', lab: 'corp'}}],
    errors: [],
    ...over,
  }
}

