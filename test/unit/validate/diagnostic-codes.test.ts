/**
 * Every diagnostic code is triggered by a case and left silent by a near miss. The last tests fail when a code is registered in src/model/codes.ts without a
 * case here, or is said to be covered by another test file that does not assert it, so no rule
 * can be added untested.
 */
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import ts from 'typescript'
import {describe, expect, it} from 'vitest'
import {CODES, type Code} from '../../../src/model/codes.js'
import {BASE_SPEC, codesOf, planFixture, type Fixture} from '../../helpers/plan-fixture.js'
import {LAN, labCodesOf, labFixture, onLan, type LabFixture} from '../../helpers/lab-fixture.js'

const dvd = (n: number) => Array.from({length: n}, () => ({iso: 'D:\\iso\\x.iso'}))
const nics = (n: number, extra: Record<string, unknown> = {}) => Array.from({length: n}, () => ({switch: 'Lab', ...extra}))
const win = (version: string) => ({family: 'windows', version})
/** CentOS 6.0-6.3 have no built-in Hyper-V drivers (6.4 and later do). */
const centos6 = {family: 'linux', distro: 'centos', version: '6.3'}
const pin = (type: string, number: number, location: number) => ({type, number, location})
const inv = (host: Record<string, unknown>, more: Array<Record<string, unknown>> = []) => ({
  hosts: [{name: 'hv1', os: 'windows-server-2022', ...host}, ...more],
})
const chimneyProfile = (chimneyCapable: boolean) => ({
  network: {jumboPacket: 1514, chimney: 'enabled'},
  capabilities: {jumboPacketValues: [1514], chimney: chimneyCapable},
})
const vmqProfile = {network: {vmq: false}, capabilities: {jumboPacketValues: [1514], vmq: false}}
const dcCompliant = {
  os: win('2022'),
  roles: ['domain-controller'],
  bootDisk: {size: '60GB', type: 'fixed'},
  dataDisks: [{name: 'ntds', size: '20GB', type: 'fixed'}],
  integration: {services: {timeSynchronization: false}},
  checkpoints: 'disabled',
}

interface Case {
  trigger: Fixture
  nearMiss: Fixture
}

const CASES: Partial<Record<Code, Case>> = {
  'os-requires-generation-2': {trigger: {spec: {os: {family: 'windows', version: '11', edition: 'client'}, generation: 1}, request: {hostOs: 'windows-server-2025'}}, nearMiss: {spec: {os: {family: 'windows', version: '11', edition: 'client'}, generation: 2, security: {tpm: true}}, request: {hostOs: 'windows-server-2025'}}},
  'os-requires-secure-boot': {trigger: {spec: {os: {family: 'windows', version: '11', edition: 'client'}, generation: 2, firmware: {secureBoot: 'off'}, security: {tpm: true}}, request: {hostOs: 'windows-server-2025'}}, nearMiss: {spec: {os: {family: 'windows', version: '11', edition: 'client'}, generation: 2, firmware: {secureBoot: 'on'}, security: {tpm: true}}, request: {hostOs: 'windows-server-2025'}}},
  'os-requires-tpm': {trigger: {spec: {os: {family: 'windows', version: '11', edition: 'client'}, generation: 2}, request: {hostOs: 'windows-server-2025'}}, nearMiss: {spec: {os: {family: 'windows', version: '11', edition: 'client'}, generation: 2, security: {tpm: true}}, request: {hostOs: 'windows-server-2025'}}},
  'tpm-gen1': {trigger: {spec: {security: {tpm: true}}, request: {hostOs: 'windows-server-2025'}}, nearMiss: {spec: {generation: 2, security: {tpm: true}}, request: {hostOs: 'windows-server-2025'}}},
  'tpm-unsupported-host': {trigger: {spec: {generation: 2, security: {tpm: true}}, request: {hostOs: 'windows-server-2012r2'}}, nearMiss: {spec: {generation: 2, security: {tpm: true}}, request: {hostOs: 'windows-server-2016'}}},
  'file-not-found': {trigger: {request: {templates: ['missing/t9.yaml']}}, nearMiss: {request: {templates: ['templates/t1.yaml']}}},
  'yaml-syntax': {
    trigger: {raw: `apiVersion: hvguest/v1\nkind: GuestTemplate\nmetadata: {name: t1\nspec: ${JSON.stringify(BASE_SPEC)}\n`},
    nearMiss: {raw: `apiVersion: hvguest/v1\nkind: GuestTemplate\nmetadata: {name: t1}\nspec: ${JSON.stringify(BASE_SPEC)}\n`},
  },
  schema: {trigger: {spec: {processors: 'two'}}, nearMiss: {spec: {processors: 2}}},
  'kind-mismatch': {
    trigger: {raw: `apiVersion: hvguest/v1\nkind: HardwareProfile\nmetadata: {name: t1}\nspec: ${JSON.stringify(BASE_SPEC)}\n`},
    nearMiss: {raw: `apiVersion: hvguest/v1\nkind: GuestTemplate\nmetadata: {name: t1}\nspec: ${JSON.stringify(BASE_SPEC)}\n`},
  },
  'template-syntax': {trigger: {spec: {notes: 'built {{#if}}'}}, nearMiss: {spec: {notes: 'built {{name}}'}}},
  'template-helper-error': {trigger: {spec: {notes: 'n{{pad index}}'}}, nearMiss: {spec: {notes: 'n{{pad index 2}}'}}},
  'template-undefined-variable': {trigger: {spec: {notes: '{{nope}}'}}, nearMiss: {spec: {notes: '{{name}}'}}},
  'parameter-missing': {
    trigger: {parameters: {cpu: {type: 'integer'}}, spec: {processors: '{{cpu}}'}},
    nearMiss: {parameters: {cpu: {type: 'integer'}}, spec: {processors: '{{cpu}}'}, request: {sets: ['cpu=2']}},
  },
  'parameter-unknown': {trigger: {request: {sets: ['bogus=1']}}, nearMiss: {parameters: {bogus: {type: 'integer', default: 1}}, request: {sets: ['bogus=1']}}},
  'parameter-invalid': {
    trigger: {parameters: {cpu: {type: 'integer', default: 2}}, request: {sets: ['cpu=abc']}},
    nearMiss: {parameters: {cpu: {type: 'integer', default: 2}}, request: {sets: ['cpu=3']}},
  },
  'parameter-looks-secret': {
    trigger: {parameters: {apiToken: {type: 'string', required: false}}},
    nearMiss: {parameters: {apiToken: {type: 'string', required: false, secret: true}, tokenCount: {type: 'integer', default: 1, secret: false}}},
  },
  'parameter-secret-default': {
    trigger: {parameters: {pw: {type: 'string', secret: true, default: 'shared'}}},
    nearMiss: {parameters: {pw: {type: 'string', secret: true, required: false}}},
  },
  'secret-outside-firstboot': {
    trigger: {parameters: {pw: {type: 'string', secret: true}}, spec: {notes: 'admin {{pw}}'}, request: {sets: ['pw=hunter2']}},
    nearMiss: {parameters: {pw: {type: 'string', secret: true}}, spec: {notes: 'admin {{name}}'}, request: {sets: ['pw=hunter2']}},
  },
  'name-invalid': {trigger: {request: {name: 'bad_name!'}}, nearMiss: {request: {name: 'good-name'}}},
  'name-duplicate': {trigger: {request: {templates: ['t1', 't1'], name: 'same'}}, nearMiss: {request: {templates: ['t1'], name: 'same', count: 2}}},
  'template-not-found': {trigger: {request: {templates: ['t2']}}, nearMiss: {request: {templates: ['t1']}}},
  'profile-not-found': {trigger: {request: {profile: 'nope'}}, nearMiss: {request: {profile: 'generic-1g'}}},
  'host-not-found': {trigger: {inventory: inv({}), request: {host: 'hv9'}}, nearMiss: {inventory: inv({}), request: {host: 'hv1'}}},
  'ide-slots-exhausted': {trigger: {spec: {dvdDrives: dvd(4)}}, nearMiss: {spec: {dvdDrives: dvd(3)}}},
  'controller-slot-conflict': {
    trigger: {spec: {dataDisks: [{name: 'a', size: '1GB', controller: pin('scsi', 0, 5)}, {name: 'b', size: '1GB', controller: pin('scsi', 0, 5)}]}},
    nearMiss: {spec: {dataDisks: [{name: 'a', size: '1GB', controller: pin('scsi', 0, 5)}, {name: 'b', size: '1GB', controller: pin('scsi', 0, 6)}]}},
  },
  'boot-disk-not-ide00': {trigger: {spec: {bootDisk: {size: '40GB', controller: pin('ide', 1, 0)}}}, nearMiss: {spec: {bootDisk: {size: '40GB', controller: pin('ide', 0, 0)}}}},
  'scsi-boot-gen1': {
    trigger: {spec: {bootDisk: {size: '40GB', controller: pin('scsi', 0, 0)}}},
    nearMiss: {spec: {generation: 2, bootDisk: {size: '40GB', controller: pin('scsi', 0, 0)}}},
  },
  'ide-on-gen2': {
    trigger: {spec: {generation: 2, dvdDrives: [{controller: pin('ide', 1, 0)}]}},
    nearMiss: {spec: {generation: 2, dvdDrives: [{controller: pin('scsi', 0, 1)}]}},
  },
  'legacy-nic-gen2': {trigger: {spec: {generation: 2, networkAdapters: nics(1, {legacy: true})}}, nearMiss: {spec: {generation: 1, networkAdapters: nics(1, {legacy: true})}}},
  'scsi-controllers-exceeded': {
    trigger: {spec: {dataDisks: [{name: 'd{{index}}', count: 257, size: '1GB'}]}},
    nearMiss: {spec: {dataDisks: [{name: 'd{{index}}', count: 256, size: '1GB'}]}},
  },
  'scsi-location-out-of-range': {
    trigger: {spec: {dataDisks: [{name: 'a', size: '1GB', controller: pin('scsi', 0, 64)}]}},
    nearMiss: {spec: {dataDisks: [{name: 'a', size: '1GB', controller: pin('scsi', 0, 63)}]}},
  },
  'ide-location-out-of-range': {
    trigger: {spec: {dataDisks: [{name: 'a', size: '1GB', controller: pin('ide', 2, 0)}]}},
    nearMiss: {spec: {dataDisks: [{name: 'a', size: '1GB', controller: pin('ide', 1, 1)}]}},
  },
  'boot-order-device-missing': {
    trigger: {spec: {firmware: {bootOrder: ['floppy', 'ide']}}},
    nearMiss: {spec: {floppy: 'D:\\boot.vfd', firmware: {bootOrder: ['floppy', 'ide']}}},
  },
  'disk-size-exceeds-format': {
    trigger: {spec: {dataDisks: [{name: 'a', size: '2041GB', format: 'vhd'}]}},
    nearMiss: {spec: {dataDisks: [{name: 'a', size: '2040GB', format: 'vhd'}]}},
  },
  'boot-disk-exceeds-gen1': {trigger: {spec: {bootDisk: {size: '3TB'}}}, nearMiss: {spec: {bootDisk: {size: '2TB'}}}},
  'disk-spec-invalid': {
    trigger: {spec: {dataDisks: [{name: 'a', type: 'differencing'}]}},
    nearMiss: {spec: {dataDisks: [{name: 'a', type: 'differencing', parent: 'D:\\base.vhdx'}]}},
  },
  'block-size-invalid': {
    trigger: {spec: {dataDisks: [{name: 'a', size: '10GB', blockSize: '3MB'}]}},
    nearMiss: {spec: {dataDisks: [{name: 'a', size: '10GB', blockSize: '4MB'}]}},
  },
  'disk-path-duplicate': {
    trigger: {spec: {dataDisks: [{name: 'data', size: '1GB'}, {name: 'data', size: '1GB'}]}},
    nearMiss: {spec: {dataDisks: [{name: 'data1', size: '1GB'}, {name: 'data2', size: '1GB'}]}},
  },
  'nic-limit-exceeded': {
    trigger: {spec: {networkAdapters: nics(9)}, request: {hostOs: 'windows-server-2016'}},
    nearMiss: {spec: {networkAdapters: nics(9)}, request: {hostOs: 'windows-server-2019'}},
  },
  'jumbo-unsupported': {
    trigger: {spec: {networkAdapters: nics(1, {jumboPacket: 9000})}, request: {profile: 'intel-10g'}},
    nearMiss: {spec: {networkAdapters: nics(1, {jumboPacket: 9014})}, request: {profile: 'intel-10g'}},
  },
  'jumbo-legacy-adapter': {
    trigger: {spec: {networkAdapters: nics(1, {legacy: true, jumboPacket: 9014})}, request: {profile: 'intel-10g'}},
    nearMiss: {spec: {networkAdapters: nics(1, {jumboPacket: 9014})}, request: {profile: 'intel-10g'}},
  },
  'jumbo-linux-host-too-old': {
    trigger: {spec: {networkAdapters: nics(1, {jumboPacket: 9014})}, request: {profile: 'intel-10g', hostOs: 'windows-server-2012'}},
    nearMiss: {spec: {networkAdapters: nics(1, {jumboPacket: 9014})}, request: {profile: 'intel-10g', hostOs: 'windows-server-2012r2'}},
  },
  'chimney-unsupported-host': {
    trigger: {spec: {os: win('2008r2'), networkAdapters: nics(1)}, request: {profile: 'intel-10g', hostOs: 'windows-server-2022'}},
    nearMiss: {spec: {os: win('2008r2'), networkAdapters: nics(1)}, request: {profile: 'intel-10g', hostOs: 'windows-server-2008r2'}},
  },
  'chimney-unsupported-nic': {
    trigger: {spec: {os: win('2008r2'), networkAdapters: nics(1)}, profiles: {c: chimneyProfile(false)}, request: {profile: 'c', hostOs: 'windows-server-2008r2'}},
    nearMiss: {spec: {os: win('2008r2'), networkAdapters: nics(1)}, profiles: {c: chimneyProfile(true)}, request: {profile: 'c', hostOs: 'windows-server-2008r2'}},
  },
  'vmq-unsupported-nic': {
    trigger: {spec: {networkAdapters: nics(1, {vmq: true})}, profiles: {v: vmqProfile}, request: {profile: 'v'}},
    nearMiss: {spec: {networkAdapters: nics(1, {vmq: false})}, profiles: {v: vmqProfile}, request: {profile: 'v'}},
  },
  'vmq-legacy-adapter': {
    trigger: {spec: {networkAdapters: nics(1, {legacy: true, vmq: true})}, request: {profile: 'intel-10g'}},
    nearMiss: {spec: {networkAdapters: nics(1, {vmq: true})}, request: {profile: 'intel-10g'}},
  },
  'jumbo-unsupported-host': {
    trigger: {spec: {os: win('2008'), bootDisk: {size: '40GB', format: 'vhd'}, networkAdapters: nics(1, {jumboPacket: 9014, vmq: false})}, request: {profile: 'intel-10g', hostOs: 'windows-server-2008'}},
    nearMiss: {spec: {os: win('2008'), bootDisk: {size: '40GB', format: 'vhd'}, networkAdapters: nics(1, {jumboPacket: 9014, vmq: false})}, request: {profile: 'intel-10g', hostOs: 'windows-server-2008r2'}},
  },
  'vmq-unsupported-host': {
    trigger: {spec: {os: win('2008'), bootDisk: {size: '40GB', format: 'vhd'}, networkAdapters: nics(1, {vmq: true})}, request: {hostOs: 'windows-server-2008'}},
    nearMiss: {spec: {os: win('2008'), bootDisk: {size: '40GB', format: 'vhd'}, networkAdapters: nics(1, {vmq: true})}, request: {hostOs: 'windows-server-2008r2'}},
  },
  'wireless-adapter-switch': {
    trigger: {spec: {networkAdapters: [{switch: 'Lab'}]}, request: {profile: 'wireless'}},
    nearMiss: {spec: {networkAdapters: [{switch: 'Default Switch'}]}, request: {profile: 'wireless'}},
  },
  'switch-name-mismatch': {
    trigger: {spec: {networkAdapters: [{switch: 'Prod'}]}, inventory: inv({switches: ['Lab']})},
    nearMiss: {spec: {networkAdapters: [{switch: 'Lab'}]}, inventory: inv({switches: ['Lab']})},
  },
  'mac-address-duplicate': {
    trigger: {spec: {networkAdapters: [{switch: 'Lab', macAddress: '00155D010203'}]}, request: {count: 2}},
    nearMiss: {spec: {networkAdapters: [{switch: 'Lab', macAddress: '00155D010203'}]}, request: {count: 1}},
  },
  'ic-required-for-synthetic-devices': {
    trigger: {spec: {os: centos6, integration: {install: 'none'}, dataDisks: [{name: 'a', size: '1GB'}]}, request: {hostOs: 'windows-server-2012r2'}},
    nearMiss: {spec: {os: centos6, integration: {install: 'auto'}, dataDisks: [{name: 'a', size: '1GB'}]}, request: {hostOs: 'windows-server-2012r2'}},
  },
  'ic-media-unavailable': {
    trigger: {spec: {os: win('2012r2'), integration: {install: 'attach-media'}}, request: {hostOs: 'windows-server-2016'}},
    nearMiss: {spec: {os: win('2012r2'), integration: {install: 'attach-media'}}, request: {hostOs: 'windows-server-2012r2'}},
  },
  'ic-offline-unsupported': {
    trigger: {spec: {integration: {install: 'offline'}}, request: {hostOs: 'windows-server-2012r2'}},
    nearMiss: {spec: {os: win('2012r2'), integration: {install: 'offline'}}, request: {hostOs: 'windows-server-2012r2'}},
  },
  'ic-via-windows-update': {
    trigger: {spec: {os: win('2012r2')}, request: {hostOs: 'windows-server-2022'}},
    nearMiss: {spec: {os: win('2012r2')}, request: {hostOs: 'windows-server-2012r2'}},
  },
  'ic-kvp-needed-for-update': {
    // docs/hyperv-facts.md, 'Delivery on 2016 and later hosts': 2008 R2, 2012, Win7 and Win8 guests need Data Exchange for updates.
    trigger: {spec: {os: win('2012'), integration: {services: {keyValuePairExchange: false}}}, request: {hostOs: 'windows-server-2022'}},
    nearMiss: {spec: {os: win('2012'), integration: {services: {keyValuePairExchange: true}}}, request: {hostOs: 'windows-server-2022'}},
  },
  'dvd-scsi-gen1': {
    trigger: {spec: {dvdDrives: [{controller: pin('scsi', 0, 1)}]}},
    nearMiss: {spec: {dvdDrives: [{controller: pin('ide', 1, 0)}]}},
  },
  'nic-name-duplicate': {
    trigger: {spec: {networkAdapters: [{name: 'lan', switch: 'Lab'}, {name: 'LAN', switch: 'Lab'}]}},
    nearMiss: {spec: {networkAdapters: [{name: 'lan', switch: 'Lab'}, {name: 'lan2', switch: 'Lab'}]}},
  },
  'network-address-needs-mac': {
    trigger: {spec: {networkAdapters: [{switch: 'Lab', addresses: ['10.200.1.10/24']}]}},
    nearMiss: {spec: {networkAdapters: [{switch: 'Lab', macAddress: '00155D0A0B0C', addresses: ['10.200.1.10/24']}]}},
  },
  'network-address-invalid': {
    trigger: {spec: {networkAdapters: [{switch: 'Lab', macAddress: '00155D0A0B0C', addresses: ['10.200.1.10/24'], gateway: '10.200.2.1'}]}},
    nearMiss: {spec: {networkAdapters: [{switch: 'Lab', macAddress: '00155D0A0B0C', addresses: ['10.200.1.10/24'], gateway: '10.200.1.1'}]}},
  },
  'network-address-duplicate': {
    trigger: {spec: {networkAdapters: [{switch: 'Lab', macAddress: '00155D0A0B0C', addresses: ['10.200.1.10/24']}, {switch: 'Lab', macAddress: '00155D0A0B0D', addresses: ['10.200.1.10/24']}]}},
    nearMiss: {spec: {networkAdapters: [{switch: 'Lab', macAddress: '00155D0A0B0C', addresses: ['10.200.1.10/24']}, {switch: 'Lab', macAddress: '00155D0A0B0D', addresses: ['10.200.1.11/24']}]}},
  },
  'network-address-unsupported': {
    trigger: {spec: {networkAdapters: [{switch: 'Lab', macAddress: '00155D0A0B0C', addresses: ['10.200.1.10/24']}]}},
    nearMiss: {
      spec: {networkAdapters: [{switch: 'Lab', macAddress: '00155D0A0B0C', addresses: ['10.200.1.10/24']}], firstBoot: {cloudInit: 'user-data.yaml.hbs'}},
      files: {'user-data.yaml.hbs': '#cloud-config\nhostname: {{guest.hostname}}\n'},
    },
  },
  'os-unknown': {trigger: {spec: {os: {family: 'linux', distro: 'plan9ish', version: '1'}}}, nearMiss: {spec: {os: {family: 'linux', distro: 'debian', version: '12'}}}},
  'dc-guidance': {trigger: {spec: {...dcCompliant, checkpoints: 'standard'}}, nearMiss: {spec: dcCompliant}},
  'secure-boot-gen1': {trigger: {spec: {firmware: {secureBoot: 'on'}}}, nearMiss: {spec: {generation: 2, firmware: {secureBoot: 'on'}}}},
  'floppy-gen2': {trigger: {spec: {generation: 2, floppy: 'D:\\a.vfd'}}, nearMiss: {spec: {generation: 1, floppy: 'D:\\a.vfd'}}},
  'nested-virt-dynamic-memory': {
    trigger: {spec: {nestedVirtualization: true, memory: {startup: '4GB', dynamic: true}}},
    nearMiss: {spec: {nestedVirtualization: true, memory: {startup: '4GB', dynamic: false}}},
  },
  'memory-range-invalid': {
    trigger: {spec: {memory: {startup: '1GB', dynamic: true, minimum: '2GB', maximum: '4GB'}}},
    nearMiss: {spec: {memory: {startup: '2GB', dynamic: true, minimum: '2GB', maximum: '4GB'}}},
  },
  'processors-exceed-generation': {trigger: {spec: {processors: 65}}, nearMiss: {spec: {processors: 64}}},
  'memory-exceeds-generation': {trigger: {spec: {memory: {startup: '2TB'}}}, nearMiss: {spec: {memory: {startup: '1TB'}}}},
  'host-os-assumed': {trigger: {inventory: {hosts: [{name: 'hv1'}]}}, nearMiss: {inventory: inv({})}},
  // A disk with no format is VHD on 2008 R2: only an explicit VHDX is an error there.
  'vhdx-unsupported-host': {
    trigger: {spec: {os: win('2008r2'), bootDisk: {size: '40GB', format: 'vhdx'}}, request: {hostOs: 'windows-server-2008r2'}},
    nearMiss: {spec: {os: win('2008r2'), bootDisk: {size: '40GB'}}, request: {hostOs: 'windows-server-2008r2'}},
  },
  'checkpoints-unsupported-host': {
    trigger: {spec: {checkpoints: 'production'}, request: {hostOs: 'windows-server-2012r2'}},
    nearMiss: {spec: {checkpoints: 'production'}, request: {hostOs: 'windows-server-2016'}},
  },
  'secure-boot-template-unsupported-host': {
    trigger: {spec: {generation: 2, firmware: {secureBootTemplate: 'MicrosoftUEFICertificateAuthority'}}, request: {hostOs: 'windows-server-2012r2'}},
    nearMiss: {spec: {generation: 2, firmware: {secureBootTemplate: 'MicrosoftUEFICertificateAuthority'}}, request: {hostOs: 'windows-10'}},
  },
  'nested-virt-unsupported-host': {
    trigger: {spec: {nestedVirtualization: true, memory: {startup: '4GB'}}, request: {hostOs: 'windows-server-2012r2'}},
    nearMiss: {spec: {nestedVirtualization: true, memory: {startup: '4GB'}}, request: {hostOs: 'windows-server-2016'}},
  },
  'generation-unsupported-host': {
    trigger: {spec: {generation: 2}, request: {hostOs: 'windows-server-2012'}},
    nearMiss: {spec: {generation: 2}, request: {hostOs: 'windows-server-2012r2'}},
  },
  'guest-newer-than-host': {
    trigger: {spec: {os: win('2016')}, request: {hostOs: 'windows-server-2012r2'}},
    nearMiss: {spec: {os: win('2012r2')}, request: {hostOs: 'windows-server-2012r2'}},
  },
  'disk-size-too-small': {trigger: {spec: {dataDisks: [{name: 'a', size: 40}]}}, nearMiss: {spec: {dataDisks: [{name: 'a', size: '3MB'}]}}},
  'vhd-format-gen2': {trigger: {spec: {generation: 2, bootDisk: {size: '40GB', format: 'vhd'}}}, nearMiss: {spec: {generation: 2, bootDisk: {size: '40GB', format: 'vhdx'}}}},
}

/**
 * Cases whose finding has another severity than the code's default, on purpose: a profile
 * default that cannot apply is a warning, the same setting written in the template an error
 * (docs/plan-checks.md).
 */
const SEVERITY_OVERRIDES: Partial<Record<Code, string>> = {
  'vmq-unsupported-nic': 'error', // the case writes vmq: true in the template
}

/** Codes only a command can raise (not a plan); each is covered by the named test file. */
const PREFLIGHT_TESTS = ['test/powershell/runtime-protocol.test.ts', 'test/powershell/runtime-preflight.test.ts', 'test/powershell/runtime-journal.test.ts', 'test/e2e/create.test.ts']
const COVERED_ELSEWHERE: Partial<Record<Code, string[]>> = {
  'input-invalid': ['test/e2e/cli.test.ts'],
  // lab up: found on the host from its facts, before any change
  ...Object.fromEntries(['lab-name-taken', 'lab-adapter-unavailable', 'lab-mac-conflict', 'lab-record-damaged'].map((c) => [c, ['test/unit/lab/converge.test.ts']])),
  // first-boot templates: rendered after the guest is resolved, with their own files
  'firstboot-template-not-found': ['test/unit/plan/firstboot-hostile.test.ts'],
  'firstboot-value-invalid': ['test/unit/plan/firstboot-hostile.test.ts'],
  // what a running guest reports (ic status, create --wait): problems, not plan diagnostics
  ...Object.fromEntries(
    ['guest-not-running', 'heartbeat-disabled', 'heartbeat-no-contact', 'kvp-daemon-missing', 'vss-daemon-missing', 'fcopy-daemon-missing', 'ic-service-no-contact', 'kvp-disabled', 'no-ipv4'].map((c) => [
      c,
      ['test/unit/execute/guest-status.test.ts'],
    ]),
  ),
  // seed media with a secret still in its DVD drive: ic status and list, from the host's answer
  'firstboot-secret-attached': ['test/unit/execute/seed-media-removal.test.ts'],
  // doctor: checks over host facts (unit) and on emulated hosts (e2e)
  ...Object.fromEntries(
    [
      'host-unreachable',
      'hyperv-unavailable',
      'hyperv-access-denied',
      'host-os-mismatch',
      'config-version-unsupported',
      'cluster-config-version-mismatch',
      'host-locale-not-en-us',
      'vmroot-created-on-first-run',
      'disk-space-low',
      'cluster-node-unchecked',
      'cluster-node-down',
      'ic-not-ready-for-failover',
    ].map((c) => [c, ['test/unit/execute/doctor.test.ts', 'test/e2e/doctor-net.test.ts']]),
  ),
  // failover clusters: create's preflight on emulated nodes (e2e) and doctor's cluster-storage check (unit and e2e)
  'vmroot-not-csv': ['test/unit/execute/doctor.test.ts', 'test/e2e/cluster.test.ts'],
  'cluster-unavailable': ['test/unit/execute/doctor.test.ts'],
  // hosts hvguest cannot act on, and shells that are not there: found before any change
  'hyperv-module-missing': ['test/e2e/host-module-missing.test.ts', 'test/unit/execute/unmanaged-hosts.test.ts'],
  'shell-missing': ['test/unit/powershell/find-shell.test.ts'],
  // placement by free memory: planned from each host's free memory, read before the plan
  ...Object.fromEntries(['placement-no-fit', 'placement-host-unasked'].map((c) => [c, ['test/unit/plan/placement.test.ts', 'test/e2e/placement.test.ts']])),
  // transport: ssh: what OpenSSH said, before any change (unit: trigger and near miss; e2e: a real sshd)
  ...Object.fromEntries(['ssh-auth-failed', 'ssh-host-key-unknown', 'remote-shell-missing'].map((c) => [c, ['test/unit/powershell/ssh-transport.test.ts', 'test/e2e/ssh.test.ts']])),
  // ic inject against an emulated host
  ...Object.fromEntries(['guest-not-found', 'ic-inject-guest-running', 'firstboot-missing'].map((c) => [c, ['test/e2e/firstboot.test.ts']])),
  ...Object.fromEntries(
    [
      'vm-exists',
      'target-exists',
      'target-duplicate',
      'parent-missing',
      'copy-source-missing',
      'disk-missing',
      'passthrough-disk-missing',
      'passthrough-disk-online',
      'iso-missing',
      'ic-media-missing',
      'offline-package-missing',
      'floppy-unsupported',
      'switch-missing',
      'jumbo-value-invalid',
      'vmroot-unavailable',
      'disk-space-insufficient',
    ].map((c) => [c, PREFLIGHT_TESTS]),
  ),
}

/** The lab codes: a lab file planned with planLab (test/helpers/lab-fixture.ts), each with its near miss. */
/** Two hosts, for what only a lab over several hosts can get wrong. */
const TWO_HOSTS = {hosts: [{name: 'hv1', os: 'windows-server-2022'}, {name: 'hv2', os: 'windows-server-2022'}]}
const lanGuest = (name: string, networks: unknown[], extra: Record<string, unknown> = {}) => ({name, template: 't1', networks, ...extra})
const LAB_CASES: Partial<Record<Code, {trigger: LabFixture; nearMiss: LabFixture}>> = {
  'lab-address-invalid': {
    trigger: {lab: {networks: [LAN], guests: [lanGuest('web{{index}}', [onLan('10.200.1.253/24')], {count: 3})]}},
    nearMiss: {lab: {networks: [LAN], guests: [lanGuest('web{{index}}', [onLan('10.200.1.252/24')], {count: 3})]}},
  },
  'lab-address-duplicate': {
    trigger: {lab: {networks: [LAN], guests: [lanGuest('a', [onLan('10.200.1.10/24')]), lanGuest('b', [onLan('10.200.1.10/24')])]}},
    nearMiss: {lab: {networks: [LAN], guests: [lanGuest('a', [onLan('10.200.1.10/24')]), lanGuest('b', [onLan('10.200.1.11/24')])]}},
  },
  'lab-subnet-conflict': {
    trigger: {lab: {networks: [LAN, {name: 'dmz', type: 'private', subnet: '10.200.0.0/16'}]}},
    nearMiss: {lab: {networks: [LAN, {name: 'dmz', type: 'private', subnet: '10.201.0.0/16'}]}},
  },
  'lab-nat-conflict': {
    trigger: {lab: {networks: [{...LAN, type: 'private', nat: true}]}},
    nearMiss: {lab: {networks: [{...LAN, nat: true}]}},
  },
  'lab-dependency-invalid': {
    trigger: {lab: {guests: [lanGuest('a', [], {dependsOn: ['b']}), lanGuest('b', [], {dependsOn: ['a']})]}},
    nearMiss: {lab: {guests: [lanGuest('a', [], {dependsOn: ['b']}), lanGuest('b', [])]}},
  },
  'lab-network-unknown': {
    trigger: {lab: {networks: [LAN], guests: [lanGuest('a', [{network: 'lna', address: '10.200.1.10/24'}])]}},
    nearMiss: {lab: {networks: [LAN], guests: [lanGuest('a', [{network: 'lan', address: '10.200.1.10/24'}])]}},
  },
  'lab-no-dhcp': {
    trigger: {lab: {networks: [LAN], guests: [lanGuest('a', [onLan()])]}},
    nearMiss: {lab: {networks: [LAN], guests: [lanGuest('a', [onLan('10.200.1.10/24')])]}},
  },
  'lab-network-split': {
    trigger: {project: {inventory: TWO_HOSTS}, request: {inventory: 'hosts.yaml'}, lab: {networks: [LAN], guests: [lanGuest('a', [onLan('10.200.1.10/24')], {host: 'hv1'}), lanGuest('b', [onLan('10.200.1.11/24')], {host: 'hv2'})]}},
    nearMiss: {project: {inventory: TWO_HOSTS}, request: {inventory: 'hosts.yaml'}, lab: {networks: [LAN], guests: [lanGuest('a', [onLan('10.200.1.10/24')], {host: 'hv1'}), lanGuest('b', [onLan('10.200.1.11/24')], {host: 'hv1'})]}},
  },
}

describe('every lab diagnostic code', () => {
  for (const [code, c] of Object.entries(LAB_CASES) as Array<[Code, {trigger: LabFixture; nearMiss: LabFixture}]>) {
    it(`${code}: triggered by its lab, silent on the near miss, at the lab file's line and column`, () => {
      const hit = labFixture(c.trigger)
      expect(labCodesOf(hit), JSON.stringify(hit.labPlan.plan.diagnostics, null, 1)).toContain(code)
      const d = hit.labPlan.plan.diagnostics.find((x) => x.code === code)!
      expect(d.message.length).toBeGreaterThan(10)
      expect(d.severity).toBe(CODES[code].severity)
      expect(d.source?.file).toBe(join(hit.cwd, 'lab.yaml'))
      expect(d.source?.line).toBeGreaterThan(0)
      expect(d.source?.column).toBeGreaterThan(0)
      const miss = labFixture(c.nearMiss)
      expect(labCodesOf(miss), JSON.stringify(miss.labPlan.plan.diagnostics, null, 1)).not.toContain(code)
    })
  }
})

describe('every diagnostic code', () => {
  for (const [code, c] of Object.entries(CASES) as Array<[Code, Case]>) {
    it(`${code}: triggered by its case, silent on the near miss`, () => {
      const hit = planFixture(c.trigger)
      expect(codesOf(hit), JSON.stringify(hit.plan.diagnostics, null, 1)).toContain(code)
      const d = hit.plan.diagnostics.find((x) => x.code === code)!
      expect(d.message.length).toBeGreaterThan(10)
      expect(d.severity).toBe(SEVERITY_OVERRIDES[code] ?? CODES[code].severity)
      const miss = planFixture(c.nearMiss)
      expect(codesOf(miss), JSON.stringify(miss.plan.diagnostics, null, 1)).not.toContain(code)
    })
  }

  it('has a case for every registered code', () => {
    const missing = Object.keys(CODES).filter((c) => !(c in CASES) && !(c in LAB_CASES) && !(c in COVERED_ELSEWHERE))
    expect(missing).toEqual([])
  })

  it('a code covered elsewhere is really asserted in one of those test files', () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url))
    const expected = new Map<string, string[]>()
    const valuesOf = (f: string) => {
      if (!expected.has(f)) expected.set(f, existsSync(join(root, f)) ? assertedStrings(f, readFileSync(join(root, f), 'utf8')) : [])
      return expected.get(f)!
    }
    const unasserted = Object.entries(COVERED_ELSEWHERE)
      .filter(([code, files]) => !files!.some((f) => valuesOf(f).some((v) => namesCode(code, v))))
      .map(([code]) => code)
    expect(unasserted).toEqual([])
  })

  it('that check counts only values an assertion compares with: not comments, names, messages or what is filtered on', () => {
    const source = `
      // vm-exists is covered here
      /* target-exists too */
      it('iso-missing: a test name is not an assertion', () => {
        expect(problems.find((p) => p.code === 'parent-missing'), 'switch-missing').toBeDefined()
        expect(codes).toEqual(['disk-missing', 'jumbo-value-invalid:-'])
        expect(r.stderr).toContain(\`[floppy-unsupported]\`)
        expect(list).toContainEqual(expect.objectContaining({code: 'vmroot-unavailable'}))
        const want = ['passthrough-disk-online']
        expect(codes).toEqual(want)
        const unused = ['passthrough-disk-missing']
      })
      const table: Array<[string, string[]]> = [['offline-package-missing (name)', ['copy-source-missing']]]
      for (const [name, codes] of table) it(name, () => expect(run()).toEqual(codes))
      const rows = [{title: 'target-duplicate', want: ['disk-space-insufficient']}]
      for (const row of rows) expect(run()).toEqual(row.want)
    `
    const found = (code: string) => assertedStrings('fixture.test.ts', source).some((v) => namesCode(code, v))
    expect(['vm-exists', 'target-exists', 'iso-missing', 'parent-missing', 'switch-missing', 'passthrough-disk-missing', 'offline-package-missing', 'target-duplicate'].filter(found)).toEqual([])
    expect(['disk-missing', 'jumbo-value-invalid', 'floppy-unsupported', 'vmroot-unavailable', 'passthrough-disk-online', 'copy-source-missing', 'disk-space-insufficient'].filter((c) => !found(c))).toEqual([])
  })
})

/** The code as a whole token of a value (not part of a longer code), e.g. 'vm-exists', 'vm-exists:web1', 'fail:vm-exists', '[vm-exists]'. */
function namesCode(code: string, value: string): boolean {
  return new RegExp(`(^|[^a-z-])${code}([^a-z-]|$)`).test(value)
}

/**
 * The strings a test file hands to an assertion as what it expects, read with TypeScript's parser
 * (so comments and test names never count): string and template literals in the arguments of a
 * matcher called on expect(...) (toBe, toEqual, toContain, .not.toMatch...) or of an asymmetric
 * matcher (expect.objectContaining...), but not expect's own arguments (the value under test and
 * the failure message). A name used there counts for what it stands for: a const's initializer, or
 * the column of a for...of table (rows of an array literal) that the loop binds to that name.
 */
function assertedStrings(fileName: string, text: string): string[] {
  const sourceFile = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const program = ts.createProgram({
    rootNames: [fileName],
    options: {noResolve: true, noLib: true, types: [], target: ts.ScriptTarget.Latest},
    host: {
      ...ts.createCompilerHost({}),
      getSourceFile: (name) => (name === fileName ? sourceFile : undefined),
      fileExists: (name) => name === fileName,
      readFile: () => undefined,
      writeFile: () => {},
    },
  })
  const checker = program.getTypeChecker()

  const startsAtExpect = (e: ts.Expression): boolean => {
    let cur: ts.Expression = e
    for (;;) {
      if (ts.isIdentifier(cur)) return cur.text === 'expect'
      if (ts.isCallExpression(cur) || ts.isPropertyAccessExpression(cur) || ts.isNonNullExpression(cur) || ts.isParenthesizedExpression(cur) || ts.isAwaitExpression(cur)) cur = cur.expression
      else return false
    }
  }
  const queue: ts.Node[] = []
  const visit = (n: ts.Node) => {
    // expect(actual, message).<matchers>(expected...) and expect.<asymmetric>(expected...)
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && startsAtExpect(n.expression)) queue.push(...n.arguments)
    ts.forEachChild(n, visit)
  }
  visit(sourceFile)

  const values: string[] = []
  const seen = new Set<ts.Node>()
  /** The rows of the table a for...of loop iterates, when the loop binds `decl`; else null. */
  const tableOf = (decl: ts.Node): {rows: ts.Expression[]; pick: (row: ts.Expression) => ts.Node[]} | null => {
    let binding: ts.Node = decl
    let index: number | null = null
    if (ts.isBindingElement(decl) && ts.isArrayBindingPattern(decl.parent)) {
      index = decl.parent.elements.indexOf(decl)
      binding = decl.parent.parent
    }
    if (!ts.isVariableDeclaration(binding) || !ts.isVariableDeclarationList(binding.parent) || !ts.isForOfStatement(binding.parent.parent)) return null
    let table: ts.Expression = binding.parent.parent.expression
    if (ts.isIdentifier(table)) {
      const d = checker.getSymbolAtLocation(table)?.valueDeclaration
      if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return null
      table = d.initializer
    }
    while (ts.isAsExpression(table) || ts.isParenthesizedExpression(table) || ts.isSatisfiesExpression(table)) table = table.expression
    if (!ts.isArrayLiteralExpression(table)) return null
    const at = index
    return {rows: [...table.elements], pick: (row) => (at === null ? [row] : ts.isArrayLiteralExpression(row) && row.elements[at] ? [row.elements[at]] : [])}
  }
  const follow = (id: ts.Identifier, property: string | null) => {
    const decl = checker.getSymbolAtLocation(id)?.valueDeclaration
    if (!decl) return
    const table = tableOf(decl)
    if (table) {
      for (const row of table.rows) {
        for (const cell of table.pick(row)) {
          if (property !== null && ts.isObjectLiteralExpression(cell)) {
            for (const p of cell.properties) if (ts.isPropertyAssignment(p) && p.name.getText(sourceFile) === property) queue.push(p.initializer)
          } else queue.push(cell)
        }
      }
    } else if (ts.isVariableDeclaration(decl) && decl.initializer && ts.isIdentifier(decl.name)) queue.push(decl.initializer)
  }
  while (queue.length > 0) {
    const node = queue.shift()!
    if (seen.has(node)) continue
    seen.add(node)
    const walk = (n: ts.Node) => {
      if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) values.push(n.text)
      else if (ts.isTemplateExpression(n)) values.push(n.head.text, ...n.templateSpans.map((t) => t.literal.text))
      if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression)) {
        follow(n.expression, n.name.text)
        return
      }
      if (ts.isIdentifier(n) && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n) && !(ts.isPropertyAssignment(n.parent) && n.parent.name === n)) follow(n, null)
      ts.forEachChild(n, walk)
    }
    walk(node)
  }
  return values
}
