import {describe, expect, it} from 'vitest'
import {allocateSlots, type SlotRequest} from '../../../../src/resolve/layout/allocate-slots.js'
import type {ControllerSlot} from '../../../../src/model/plan.js'
import type {ControllerPin} from '../../../../src/model/schemas.js'

const src = (path: string) => ({file: 't.yaml', path})
const pin = (type: 'IDE' | 'SCSI', number: number, location: number): ControllerPin => ({type, number, location})
const boot = (p?: ControllerPin): SlotRequest => ({kind: 'hdd', role: 'boot', label: 'boot disk', pin: p, source: src('spec.bootDisk')})
const dvd = (n: number, p?: ControllerPin): SlotRequest => ({kind: 'dvd', role: 'media', label: `DVD drive "dvd${n}"`, pin: p, source: src(`spec.dvdDrives[${n - 1}]`)})
const dvds = (count: number) => Array.from({length: count}, (_, i) => dvd(i + 1))
const data = (n: number, p?: ControllerPin): SlotRequest => ({kind: 'hdd', role: 'data', label: `data disk "data${n}"`, pin: p, source: src(`spec.dataDisks[${n - 1}]`)})
const disks = (count: number) => Array.from({length: count}, (_, i) => data(i + 1))
const icMedia: SlotRequest = {kind: 'dvd', role: 'integration-media', label: 'integration media', source: src('spec.integration')}
const fbMedia: SlotRequest = {kind: 'dvd', role: 'firstboot-media', label: 'first-boot media', source: src('spec.firstBoot')}

const at = (s: ControllerSlot | null) => (s ? `${s.type} ${s.number}:${s.location}` : null)
const codes = (r: {diagnostics: Array<{code: string}>}) => r.diagnostics.map((d) => d.code)
const run = (generation: 1 | 2, requests: SlotRequest[]) => {
  const r = allocateSlots(generation, requests, 'g1')
  return {...r, at: r.slots.map(at)}
}

describe('allocateSlots, Generation 1', () => {
  it.each([0, 1, 64, 65, 256])('places the boot disk on IDE 0:0 and %i data disks on SCSI in order', (n) => {
    const r = run(1, [boot(), ...disks(n)])
    expect(r.diagnostics).toEqual([])
    expect(r.at[0]).toBe('IDE 0:0')
    const expected = Array.from({length: n}, (_, i) => `SCSI ${Math.floor(i / 64)}:${i % 64}`)
    expect(r.at.slice(1)).toEqual(expected)
  })

  it('rejects the 257th data disk with scsi-controllers-exceeded', () => {
    const r = run(1, [boot(), ...disks(257)])
    expect(r.at[256]).toBe('SCSI 3:63')
    expect(r.at[257]).toBeNull()
    expect(codes(r)).toEqual(['scsi-controllers-exceeded'])
    expect(r.diagnostics[0]).toMatchObject({severity: 'error', guest: 'g1', source: {path: 'spec.dataDisks[256]'}})
    expect(r.diagnostics[0].message).toContain('data disk "data257"')
  })

  it.each([
    [0, []],
    [1, ['IDE 1:0']],
    [2, ['IDE 1:0', 'IDE 1:1']],
    [3, ['IDE 1:0', 'IDE 1:1', 'IDE 0:1']],
  ])('puts %i DVD drive(s) on IDE 1:0, 1:1, 0:1', (n, expected) => {
    const r = run(1, [boot(), ...dvds(n)])
    expect(r.diagnostics).toEqual([])
    expect(r.at.slice(1)).toEqual(expected)
  })

  it('reports the 4th DVD drive as ide-slots-exhausted, naming it and the slots taken', () => {
    const r = run(1, [boot(), ...dvds(4)])
    expect(r.at.slice(1)).toEqual(['IDE 1:0', 'IDE 1:1', 'IDE 0:1', null])
    expect(codes(r)).toEqual(['ide-slots-exhausted'])
    const d = r.diagnostics[0]
    expect(d).toMatchObject({severity: 'error', guest: 'g1', source: {path: 'spec.dvdDrives[3]'}})
    expect(d.message).toContain('5 devices need IDE slots')
    expect(d.message).toContain('2 IDE controllers x 2 locations')
    expect(d.message).toContain('DVD drives count')
    expect(d.message).toContain('no slot left for DVD drive "dvd4"')
  })

  it('reports every DVD that does not fit in one diagnostic, located at the first', () => {
    const r = run(1, [boot(), ...dvds(6)])
    expect(r.at.slice(1)).toEqual(['IDE 1:0', 'IDE 1:1', 'IDE 0:1', null, null, null])
    expect(codes(r)).toEqual(['ide-slots-exhausted'])
    const d = r.diagnostics[0]
    expect(d).toMatchObject({severity: 'error', guest: 'g1', source: {path: 'spec.dvdDrives[3]'}})
    expect(d.message).toContain('7 devices need IDE slots')
    expect(d.message).toContain('no slot left for DVD drive "dvd4", DVD drive "dvd5", DVD drive "dvd6"')
    expect(d.message).toContain('IDE 0:0 boot disk, IDE 0:1 DVD drive "dvd3", IDE 1:0 DVD drive "dvd1", IDE 1:1 DVD drive "dvd2"')
  })

  it('follows the documented order: integration media, first-boot media, template DVDs', () => {
    const r = run(1, [boot(), icMedia, fbMedia, dvd(1), data(1)])
    expect(r.at).toEqual(['IDE 0:0', 'IDE 1:0', 'IDE 1:1', 'IDE 0:1', 'SCSI 0:0'])
  })

  it('never puts an unpinned data disk on IDE, even with IDE slots free', () => {
    const r = run(1, [boot(), data(1)])
    expect(r.at[1]).toBe('SCSI 0:0')
  })

  it('honours a boot disk pinned to IDE 0:0 silently (near miss of boot-disk-not-ide00)', () => {
    const r = run(1, [boot(pin('IDE', 0, 0)), ...dvds(3)])
    expect(r.diagnostics).toEqual([])
    expect(r.slots[0]).toEqual({type: 'IDE', number: 0, location: 0})
  })

  it('warns when the boot disk is pinned to another IDE slot, and lets a DVD use 0:0', () => {
    const r = run(1, [boot(pin('IDE', 0, 1)), ...dvds(3)])
    expect(r.at).toEqual(['IDE 0:1', 'IDE 1:0', 'IDE 1:1', 'IDE 0:0'])
    expect(codes(r)).toEqual(['boot-disk-not-ide00'])
    expect(r.diagnostics[0].severity).toBe('warning')
  })

  it('only warns when the boot disk is pinned off IDE 0:0 and 0:0 stays empty', () => {
    const r = run(1, [boot(pin('IDE', 1, 0)), data(1)])
    expect(r.at).toEqual(['IDE 1:0', 'SCSI 0:0'])
    expect(codes(r)).toEqual(['boot-disk-not-ide00'])
    expect(r.diagnostics[0]).toMatchObject({severity: 'warning', source: {path: 'spec.bootDisk'}})
  })

  it.each([
    ['before', [data(1, pin('IDE', 0, 0)), boot(pin('IDE', 0, 1))], ['IDE 0:0', 'IDE 0:1']],
    ['after', [boot(pin('IDE', 0, 1)), data(1, pin('IDE', 0, 0))], ['IDE 0:1', 'IDE 0:0']],
  ])('makes boot-disk-not-ide00 an error when a hard disk pinned %s the boot disk holds IDE 0:0', (_, requests, expected) => {
    const r = run(1, requests)
    expect(r.at).toEqual(expected)
    expect(codes(r)).toEqual(['boot-disk-not-ide00'])
    const d = r.diagnostics[0]
    expect(d).toMatchObject({severity: 'error', guest: 'g1', source: {path: 'spec.bootDisk'}})
    expect(d.message).toContain('data disk "data1" is on IDE 0:0')
    expect(d.message).toContain('BIOS')
  })

  it('makes it an error when a hard disk pinned to IDE 0:0 pushes an unpinned boot disk to 0:1', () => {
    const r = run(1, [boot(), data(1, pin('IDE', 0, 0))])
    expect(r.at).toEqual(['IDE 0:1', 'IDE 0:0'])
    expect(codes(r)).toEqual(['boot-disk-not-ide00'])
    expect(r.diagnostics[0].severity).toBe('error')
    expect(r.diagnostics[0].message).toContain('BIOS')
  })

  it('moves an unpinned boot disk off 0:0 only when a pin took it, with a warning', () => {
    const r = run(1, [boot(), dvd(1, pin('IDE', 0, 0))])
    expect(r.at).toEqual(['IDE 0:1', 'IDE 0:0'])
    expect(codes(r)).toEqual(['boot-disk-not-ide00'])
    expect(r.diagnostics[0].message).toContain('DVD drive "dvd1" is pinned to IDE 0:0')
    expect(r.diagnostics[0].severity).toBe('warning')
  })

  it('rejects a Gen1 boot disk pinned to SCSI (scsi-boot-gen1); a data disk there is fine', () => {
    const bad = run(1, [boot(pin('SCSI', 0, 0))])
    expect(bad.at).toEqual([null])
    expect(codes(bad)).toEqual(['scsi-boot-gen1'])
    expect(bad.diagnostics[0]).toMatchObject({severity: 'error', source: {path: 'spec.bootDisk'}})
    const ok = run(1, [boot(), data(1, pin('SCSI', 0, 0))])
    expect(ok.diagnostics).toEqual([])
  })

  it('rejects a Gen1 DVD pinned to SCSI (dvd-scsi-gen1); on Gen2 it is fine', () => {
    expect(codes(run(1, [boot(), dvd(1, pin('SCSI', 0, 1))]))).toEqual(['dvd-scsi-gen1'])
    expect(codes(run(2, [boot(), dvd(1, pin('SCSI', 0, 1))]))).toEqual([])
  })

  it('fills unpinned data disks around pinned ones', () => {
    const r = run(1, [boot(), data(1), data(2, pin('SCSI', 0, 1)), data(3), data(4, pin('SCSI', 2, 7)), data(5)])
    expect(r.diagnostics).toEqual([])
    expect(r.at).toEqual(['IDE 0:0', 'SCSI 0:0', 'SCSI 0:1', 'SCSI 0:2', 'SCSI 2:7', 'SCSI 0:3'])
  })

  it('skips a pinned slot in the middle of the sequence, across controllers', () => {
    const r = run(1, [boot(), data(1, pin('SCSI', 0, 63)), ...disks(64).map((d, i) => ({...d, label: `data disk "u${i}"`}))])
    expect(r.diagnostics).toEqual([])
    expect(r.at[2]).toBe('SCSI 0:0')
    expect(r.at[64]).toBe('SCSI 0:62')
    expect(r.at[65]).toBe('SCSI 1:0')
  })

  it('counts pinned disks toward the 256-slot limit', () => {
    const r = run(1, [boot(), data(0, pin('SCSI', 3, 63)), ...disks(256)])
    expect(codes(r)).toEqual(['scsi-controllers-exceeded'])
    expect(r.at[1]).toBe('SCSI 3:63')
    expect(r.at[257]).toBeNull()
  })

  it('lets unpinned DVDs fill around a pinned DVD', () => {
    const r = run(1, [boot(), icMedia, dvd(1, pin('IDE', 1, 0))])
    expect(r.at).toEqual(['IDE 0:0', 'IDE 1:1', 'IDE 1:0'])
  })

  it('counts a data disk pinned to IDE against the DVD slots', () => {
    const r = run(1, [boot(), ...dvds(3), data(1, pin('IDE', 1, 1))])
    expect(r.at).toEqual(['IDE 0:0', 'IDE 1:0', 'IDE 0:1', null, 'IDE 1:1'])
    expect(codes(r)).toEqual(['ide-slots-exhausted'])
    expect(r.diagnostics[0].message).toContain('IDE 1:1 data disk "data1"')
  })

  it('reports a pin conflict naming both devices; the first pin keeps the slot', () => {
    const r = run(1, [boot(), data(1, pin('SCSI', 1, 3)), data(2, pin('SCSI', 1, 3)), data(3)])
    expect(r.at).toEqual(['IDE 0:0', 'SCSI 1:3', null, 'SCSI 0:0'])
    expect(codes(r)).toEqual(['controller-slot-conflict'])
    expect(r.diagnostics[0].message).toContain('data disk "data2" and data disk "data1"')
    expect(r.diagnostics[0].source?.path).toBe('spec.dataDisks[1]')
  })

  it('reports a pin conflict between a DVD and the boot disk on IDE', () => {
    const r = run(1, [boot(pin('IDE', 1, 0)), dvd(1, pin('IDE', 1, 0))])
    expect(codes(r)).toEqual(['boot-disk-not-ide00', 'controller-slot-conflict'])
  })

  it.each([
    [pin('IDE', 2, 0), 'ide-location-out-of-range'],
    [pin('IDE', 0, 2), 'ide-location-out-of-range'],
    [pin('SCSI', 0, 64), 'scsi-location-out-of-range'],
    [pin('SCSI', 4, 0), 'scsi-controllers-exceeded'],
  ])('rejects pin %o with %s', (p, code) => {
    const r = run(1, [boot(), data(1, p)])
    expect(r.at[1]).toBeNull()
    expect(codes(r)).toEqual([code])
  })

  it.each([pin('IDE', 1, 1), pin('SCSI', 0, 63), pin('SCSI', 3, 0)])('accepts the edge pin %o (near miss)', (p) => {
    const r = run(1, [boot(), data(1, p)])
    expect(r.diagnostics).toEqual([])
    expect(r.at[1]).toBe(`${p.type} ${p.number}:${p.location}`)
  })

  it('reports an unpinned boot disk that finds every IDE slot pinned', () => {
    const r = run(1, [boot(), dvd(1, pin('IDE', 0, 0)), dvd(2, pin('IDE', 0, 1)), dvd(3, pin('IDE', 1, 0)), dvd(4, pin('IDE', 1, 1))])
    expect(r.at[0]).toBeNull()
    expect(codes(r)).toEqual(['ide-slots-exhausted'])
    expect(r.diagnostics[0].message).toContain('no slot left for boot disk')
  })

  it('names a boot disk and a DVD that do not fit in one diagnostic, located at the boot disk', () => {
    const pinned = [dvd(1, pin('IDE', 0, 0)), dvd(2, pin('IDE', 0, 1)), dvd(3, pin('IDE', 1, 0)), dvd(4, pin('IDE', 1, 1))]
    const r = run(1, [dvd(5), ...pinned, boot()])
    expect(r.at[0]).toBeNull()
    expect(r.at[5]).toBeNull()
    expect(codes(r)).toEqual(['ide-slots-exhausted'])
    expect(r.diagnostics[0].source?.path).toBe('spec.bootDisk')
    expect(r.diagnostics[0].message).toContain('6 devices need IDE slots')
    expect(r.diagnostics[0].message).toContain('no slot left for boot disk, DVD drive "dvd5"')
  })
})

describe('allocateSlots, Generation 2', () => {
  it('puts everything on SCSI: boot 0:0, then DVDs, then data disks', () => {
    const r = run(2, [boot(), icMedia, dvd(1), ...disks(2)])
    expect(r.diagnostics).toEqual([])
    expect(r.at).toEqual(['SCSI 0:0', 'SCSI 0:1', 'SCSI 0:2', 'SCSI 0:3', 'SCSI 0:4'])
  })

  it('fills 64 per controller and counts DVDs in the 256', () => {
    const fits = run(2, [boot(), ...dvds(2), ...disks(253)])
    expect(fits.diagnostics).toEqual([])
    expect(fits.at[64]).toBe('SCSI 1:0')
    expect(fits.at[255]).toBe('SCSI 3:63')
    const over = run(2, [boot(), ...dvds(2), ...disks(254)])
    expect(codes(over)).toEqual(['scsi-controllers-exceeded'])
    expect(over.diagnostics[0].message).toContain('DVD drives included')
  })

  it('rejects IDE pins (ide-on-gen2); the same pin is fine on Gen1', () => {
    const r = run(2, [boot(), dvd(1, pin('IDE', 1, 0))])
    expect(codes(r)).toEqual(['ide-on-gen2'])
    expect(r.at[1]).toBeNull()
    expect(codes(run(1, [boot(), dvd(1, pin('IDE', 1, 0))]))).toEqual([])
  })

  it('honours a boot disk pinned to another SCSI slot without a warning', () => {
    const r = run(2, [boot(pin('SCSI', 1, 0)), dvd(1)])
    expect(r.diagnostics).toEqual([])
    expect(r.at).toEqual(['SCSI 1:0', 'SCSI 0:0'])
  })
})

describe('allocateSlots at scale (speed is measured by npm run bench, not here)', () => {
  it('lays out 1000 guests x 256 data disks correctly', () => {
    const requests = [boot(), icMedia, fbMedia, dvd(1), ...disks(256)]
    const expected = ['IDE 0:0', 'IDE 1:0', 'IDE 1:1', 'IDE 0:1', ...Array.from({length: 256}, (_, i) => `SCSI ${Math.floor(i / 64)}:${i % 64}`)]
    for (let g = 0; g < 1000; g++) {
      const r = allocateSlots(1, requests, `g${g}`)
      expect(r.diagnostics).toEqual([])
      expect(r.slots.map(at)).toEqual(expected)
    }
  })
})
