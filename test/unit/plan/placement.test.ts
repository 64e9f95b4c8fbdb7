/**
 * Placement by free memory: the most available after what the run placed and the reserve, ties
 * in inventory order, a guest that fits nowhere named with the best host and the shortfall, a
 * host that could not be asked left out. Then through the planning pipeline: the plan says where
 * each guest goes and why, and --host or one host means no placement.
 */
import {describe, expect, it} from 'vitest'
import {GB} from '../../../src/model/sizes.js'
import type {TargetHost} from '../../../src/model/target-host.js'
import {DEFAULT_MEMORY_RESERVE_BYTES, Placer} from '../../../src/plan/placement.js'
import {codesOf, planFixture} from '../../helpers/plan-fixture.js'

const host = (name: string, memoryReserve?: number): TargetHost => ({name, entry: {name, ...(memoryReserve !== undefined ? {memoryReserve} : {})}}) as unknown as TargetHost

describe('Placer', () => {
  it('each guest goes where the most is available, counting what the run placed there', () => {
    const placer = new Placer([host('a'), host('b')], {a: {freeBytes: 16 * GB}, b: {freeBytes: 24 * GB}})
    const hosts = [4, 4, 4, 4, 4].map((n, i) => {
      const r = placer.place(`g${i}`, n * GB)
      if (!r.ok) throw new Error(r.message)
      return r.host.name
    })
    // available: a 14, b 22 → b 18 → b 14 → a (tied with b, first in the inventory) 10 → b 10 → a
    expect(hosts).toEqual(['b', 'b', 'a', 'b', 'a'])
  })

  it('the reserve is the inventory memoryReserve, else 2GB', () => {
    const placer = new Placer([host('a'), host('b', 6 * GB)], {a: {freeBytes: 10 * GB}, b: {freeBytes: 12 * GB}})
    const r = placer.place('g', 1 * GB)
    expect(r.ok && r.host.name).toBe('a')
    expect(r.ok && r.placement).toEqual({freeBytes: 10 * GB, reserveBytes: DEFAULT_MEMORY_RESERVE_BYTES, placedBytes: 0, reason: expect.stringContaining('8GB on a (10GB free, less the 2GB reserve) for the 1GB it needs; next b with 6GB')})
  })

  it('equal hosts fill in inventory order', () => {
    const placer = new Placer([host('a'), host('b'), host('c')], {a: {freeBytes: 8 * GB}, b: {freeBytes: 8 * GB}, c: {freeBytes: 8 * GB}})
    expect([1, 2, 3].map((i) => {
      const r = placer.place(`g${i}`, GB)
      return r.ok ? r.host.name : r.message
    })).toEqual(['a', 'b', 'c'])
  })

  it('a guest that fits nowhere: the best host and the shortfall, and nothing counted', () => {
    const placer = new Placer([host('a'), host('b')], {a: {freeBytes: 6 * GB}, b: {freeBytes: 7 * GB}})
    const r = placer.place('big', 8 * GB)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.best?.name).toBe('b')
    expect(r.message).toContain('guest "big" needs 8GB of memory and fits on no host: the most is on b, 5GB (7GB free, less the 2GB reserve), 3GB short')
    // near miss: exactly what is available fits
    const fits = placer.place('exact', 5 * GB)
    expect(fits.ok && fits.host.name).toBe('b')
  })

  it('a host that could not be asked is no candidate; with none left, the message says why', () => {
    const one = new Placer([host('a'), host('b')], {a: {error: 'connection refused'}, b: {freeBytes: 8 * GB}})
    expect(one.unasked.map((u) => [u.host.name, u.error])).toEqual([['a', 'connection refused']])
    const r = one.place('g', GB)
    expect(r.ok && r.host.name).toBe('b')
    const none = new Placer([host('a')], {a: {error: 'connection refused'}})
    const n = none.place('g', GB)
    expect(!n.ok && n.message).toContain('no host of the inventory could be asked its free memory (a: connection refused)')
  })
})

describe('placement in the plan', () => {
  const inventory = {
    hosts: [
      {name: 'hv1', os: 'windows-server-2022'},
      {name: 'hv2', os: 'windows-server-2022', memoryReserve: '4GB'},
    ],
  }
  const spec = {memory: {startup: '4GB'}}

  it('without --host, each planned guest carries where it went and why', () => {
    const r = planFixture({spec, inventory, request: {inventory: 'hosts.yaml', count: 3, name: 'web{{index}}', hostMemory: {hv1: {freeBytes: 10 * GB}, hv2: {freeBytes: 16 * GB}}}})
    expect(codesOf(r)).toEqual([])
    expect(r.plan.guests.map((g) => [g.name, g.host])).toEqual([
      ['web1', 'hv2'],
      ['web2', 'hv1'],
      ['web3', 'hv2'],
    ])
    expect(r.plan.guests[0].placement).toEqual({freeBytes: 16 * GB, reserveBytes: 4 * GB, placedBytes: 0, reason: expect.stringMatching(/^the most memory available: 12GB on hv2/)})
    expect(r.plan.guests[2].placement?.placedBytes).toBe(4 * GB)
    // the guest's own files follow its host: planned again for hv2, not left as planned for hv1
    expect(r.plan.hosts.map((h) => h.name)).toEqual(['hv1', 'hv2'])
  })

  it('a guest that fits nowhere is an error naming the guest and the best host; the others are planned', () => {
    const r = planFixture({spec, inventory, request: {inventory: 'hosts.yaml', count: 3, name: 'web{{index}}', hostMemory: {hv1: {freeBytes: 7 * GB}, hv2: {freeBytes: 7 * GB}}}})
    expect(r.plan.diagnostics.filter((d) => d.code === 'placement-no-fit').map((d) => [d.guest, d.host, d.severity])).toEqual([
      ['web2', 'hv2', 'error'],
      ['web3', 'hv2', 'error'],
    ])
    expect(codesOf(r)).toEqual(['placement-no-fit', 'placement-no-fit'])
    expect(r.plan.guests.map((g) => g.name)).toEqual(['web1'])
  })

  it('a host that could not be asked: a warning, and its guests go elsewhere', () => {
    const r = planFixture({spec, inventory, request: {inventory: 'hosts.yaml', count: 2, name: 'web{{index}}', hostMemory: {hv1: {error: 'refused'}, hv2: {freeBytes: 32 * GB}}}})
    expect(codesOf(r)).toEqual(['placement-host-unasked'])
    expect(r.plan.guests.map((g) => g.host)).toEqual(['hv2', 'hv2'])
  })

  it('near misses: --host, or no memory read, places nothing by memory (placement null)', () => {
    const named = planFixture({spec, inventory, request: {inventory: 'hosts.yaml', host: 'hv1', hostMemory: {hv1: {freeBytes: GB}}}})
    expect(codesOf(named)).toEqual([])
    expect(named.plan.guests.map((g) => [g.host, g.placement])).toEqual([['hv1', null]])
    const inTurn = planFixture({spec, inventory, request: {inventory: 'hosts.yaml', count: 2, name: 'w{{index}}'}})
    expect(inTurn.plan.guests.map((g) => [g.host, g.placement])).toEqual([
      ['hv1', null],
      ['hv2', null],
    ])
  })
})
