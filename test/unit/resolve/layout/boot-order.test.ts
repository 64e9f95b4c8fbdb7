import {describe, expect, it} from 'vitest'
import {resolveBootOrder, type BootOrderInput} from '../../../../src/resolve/layout/boot-order.js'
import type {ControllerType, PlannedDrive, PlannedNetworkAdapter} from '../../../../src/model/plan.js'

const drive = (kind: 'hdd' | 'dvd', role: PlannedDrive['role'], type: ControllerType, number: number, location: number): PlannedDrive => ({
  kind,
  role,
  name: `${role}${number}${location}`,
  controller: {type, number, location},
  path: null,
  create: null,
  copyFrom: null,
  diskNumber: null,
  pinned: false,
})
const nic = (name: string, legacy = false): PlannedNetworkAdapter => ({
  name,
  switch: 'Lab',
  legacy,
  vlan: null,
  jumboPacket: null,
  vmq: false,
  macAddress: null,
  macSpoofing: false,
  ipConfig: null,
})

const gen1Drives = [drive('hdd', 'boot', 'IDE', 0, 0), drive('dvd', 'media', 'IDE', 1, 0), drive('hdd', 'data', 'SCSI', 0, 0)]
const gen2Drives = [drive('hdd', 'boot', 'SCSI', 0, 0), drive('dvd', 'media', 'SCSI', 0, 1), drive('hdd', 'data', 'SCSI', 0, 2)]

const input = (over: Partial<BootOrderInput>): BootOrderInput => ({
  generation: 1,
  drives: gen1Drives,
  adapters: [nic('Network Adapter')],
  hasFloppy: false,
  bootDiskIsBlank: false,
  guest: 'g1',
  source: {file: 't.yaml', path: 'spec.firmware.bootOrder'},
  ...over,
})
const codes = (r: {diagnostics: Array<{code: string}>}) => r.diagnostics.map((d) => d.code)

describe('resolveBootOrder, Generation 1', () => {
  it('boots the disk first by default', () => {
    const r = resolveBootOrder(input({}))
    expect(r).toEqual({bootOrder: ['IDE', 'CD', 'LegacyNetworkAdapter', 'Floppy'], diagnostics: []})
  })

  it('boots the media first onto a blank new boot disk', () => {
    expect(resolveBootOrder(input({bootDiskIsBlank: true})).bootOrder).toEqual(['CD', 'IDE', 'LegacyNetworkAdapter', 'Floppy'])
  })

  it('puts the requested devices first and always lists all four', () => {
    const r = resolveBootOrder(input({requested: ['legacyNetworkAdapter', 'cd'], adapters: [nic('PXE', true)]}))
    expect(r.bootOrder).toEqual(['LegacyNetworkAdapter', 'CD', 'IDE', 'Floppy'])
    expect(r.diagnostics).toEqual([])
  })

  it('maps vhd to IDE and networkAdapter to LegacyNetworkAdapter, once each', () => {
    const r = resolveBootOrder(input({requested: ['networkAdapter', 'vhd', 'ide'], adapters: [nic('PXE', true)]}))
    expect(r.bootOrder).toEqual(['LegacyNetworkAdapter', 'IDE', 'CD', 'Floppy'])
    expect(r.diagnostics).toEqual([])
  })

  it('warns about a requested floppy the VM lacks; silent with a floppy', () => {
    const bad = resolveBootOrder(input({requested: ['floppy']}))
    expect(codes(bad)).toEqual(['boot-order-device-missing'])
    expect(bad.diagnostics[0]).toMatchObject({severity: 'warning', guest: 'g1', source: {path: 'spec.firmware.bootOrder'}})
    expect(bad.bootOrder).toEqual(['Floppy', 'IDE', 'CD', 'LegacyNetworkAdapter'])
    expect(codes(resolveBootOrder(input({requested: ['floppy'], hasFloppy: true})))).toEqual([])
  })

  it('warns about a requested CD without a DVD drive; silent with one', () => {
    expect(codes(resolveBootOrder(input({requested: ['cd'], drives: [gen1Drives[0]]})))).toEqual(['boot-order-device-missing'])
    expect(codes(resolveBootOrder(input({requested: ['cd']})))).toEqual([])
  })

  it('warns that a Gen1 VM PXE-boots only through a legacy adapter', () => {
    const r = resolveBootOrder(input({requested: ['networkAdapter']}))
    expect(codes(r)).toEqual(['boot-order-device-missing'])
    expect(r.diagnostics[0].message).toContain('legacy')
  })

  it('warns about IDE when no hard disk is on IDE', () => {
    expect(codes(resolveBootOrder(input({requested: ['ide'], drives: [gen1Drives[1]]})))).toEqual(['boot-order-device-missing'])
  })
})

describe('resolveBootOrder, Generation 2', () => {
  const gen2 = (over: Partial<BootOrderInput>) => input({generation: 2, drives: gen2Drives, adapters: [nic('Network Adapter'), nic('Backup')], ...over})

  it('orders the boot disk, DVDs, then synthetic adapters by default', () => {
    const r = resolveBootOrder(gen2({}))
    expect(r).toEqual({bootOrder: ['SCSI 0:0', 'SCSI 0:1', 'network:Network Adapter', 'network:Backup'], diagnostics: []})
  })

  it('honours a requested order by class', () => {
    const r = resolveBootOrder(gen2({requested: ['networkAdapter', 'cd']}))
    expect(r.bootOrder).toEqual(['network:Network Adapter', 'network:Backup', 'SCSI 0:1', 'SCSI 0:0'])
    expect(r.diagnostics).toEqual([])
  })

  it('treats vhd and ide as the boot disk', () => {
    expect(resolveBootOrder(gen2({requested: ['cd', 'ide']})).bootOrder).toEqual(['SCSI 0:1', 'SCSI 0:0', 'network:Network Adapter', 'network:Backup'])
  })

  it.each(['floppy', 'legacyNetworkAdapter'])('warns about %s, which Gen2 does not have, and leaves it out', (name) => {
    const r = resolveBootOrder(gen2({requested: [name]}))
    expect(codes(r)).toEqual(['boot-order-device-missing'])
    expect(r.bootOrder).toEqual(['SCSI 0:0', 'SCSI 0:1', 'network:Network Adapter', 'network:Backup'])
  })

  it('warns about a requested class the VM has none of', () => {
    expect(codes(resolveBootOrder(gen2({requested: ['networkAdapter'], adapters: []})))).toEqual(['boot-order-device-missing'])
    expect(codes(resolveBootOrder(gen2({requested: ['cd'], drives: [gen2Drives[0]]})))).toEqual(['boot-order-device-missing'])
  })
})
