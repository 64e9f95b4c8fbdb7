/**
 * A lab's guests placed by free memory (src/lab/place-lab.ts, through planLab): a guest the lab
 * made stays where it is, guests that share an internal or private network go to one host as a
 * group of their summed memory, a group follows the guest of it that is made or written with
 * host:, a guest with host: counts against its host, and what fits nowhere is placement-no-fit
 * saying why. Without the hosts' answers (lab plan offline, one host), guests go in turn.
 */
import {describe, expect, it} from 'vitest'
import {GB} from '../../../src/model/sizes.js'
import type {LabPlacementInput} from '../../../src/lab/place-lab.js'
import {LAN, labCodesOf, labFixture, onLan} from '../../helpers/lab-fixture.js'

const inventory = {hosts: [{name: 'hv1', os: 'windows-server-2022'}, {name: 'hv2', os: 'windows-server-2022'}]}
const project = {inventory, spec: {memory: {startup: '4GB'}}}
const guest = (name: string, extra: Record<string, unknown> = {}) => ({name, template: 't1', ...extra})
const placement = (free: Record<string, number | string>, made: Record<string, string> = {}): LabPlacementInput => ({
  memory: Object.fromEntries(Object.entries(free).map(([h, v]) => [h, typeof v === 'number' ? {freeBytes: v * GB} : {error: v}])),
  made: new Map(Object.entries(made)),
})
const plan = (guests: unknown[], input?: LabPlacementInput, networks: unknown[] = [LAN]) => labFixture({project, lab: {networks, guests}, request: {inventory: 'hosts.yaml', placement: input}})
// t1 has no first-boot files, so a static address is network-address-unsupported (a warning): not this file's subject.
const findingsOf = (r: ReturnType<typeof plan>) => labCodesOf(r).filter((c) => c !== 'network-address-unsupported')
const hostsOf = (r: ReturnType<typeof plan>) => Object.fromEntries(r.labPlan.guests.map((g) => [g.name, g.host]))
const reasonOf = (r: ReturnType<typeof plan>, name: string) => r.labPlan.plan.guests.find((g) => g.name === name)?.placement?.reason

describe('a lab placed by free memory', () => {
  it('each guest the file gives no host goes where the most memory is available, and the plan says why', () => {
    const r = plan([guest('a'), guest('b'), guest('c')], placement({hv1: 12, hv2: 16}))
    expect(findingsOf(r)).toEqual([])
    // available: hv1 10, hv2 14 → hv2 (10 left) → hv1 (tied, first in the inventory) → hv2
    expect(hostsOf(r)).toEqual({a: 'hv2', b: 'hv1', c: 'hv2'})
    expect(reasonOf(r, 'a')).toContain('the most memory available: 14GB on hv2 (16GB free, less the 2GB reserve) for the 4GB it needs; next hv1 with 10GB')
    expect(r.placesByMemory).toBe(false)
  })

  it('a guest an earlier lab up made stays on its host, whatever the memory says now', () => {
    const r = plan([guest('a'), guest('b')], placement({hv1: 8, hv2: 32}, {a: 'hv1'}))
    expect(findingsOf(r)).toEqual([])
    expect(hostsOf(r)).toEqual({a: 'hv1', b: 'hv2'})
    expect(reasonOf(r, 'a')).toBe("an earlier lab up made it on hv1, and a lab's guest stays where it was made")
    // near miss: not made yet, it would go to hv2 as well
    expect(hostsOf(plan([guest('a'), guest('b')], placement({hv1: 8, hv2: 32})))).toEqual({a: 'hv2', b: 'hv2'})
  })

  it('guests that share an internal or private network go to one host, placed as one guest of their summed memory', () => {
    const PRIV = {name: 'back', type: 'private'}
    const guests = [guest('a', {networks: [onLan('10.200.1.10/24')]}), guest('b', {networks: [onLan('10.200.1.11/24'), {network: 'back', address: '10.9.0.2/24'}]}), guest('c'), guest('d', {networks: [{network: 'back', address: '10.9.0.3/24'}]})]
    // hv1 has 12 available, hv2 9: a + b + d (12GB, joined through b) fit only on hv1; c then on hv2
    const r = plan(guests, placement({hv1: 14, hv2: 11}), [LAN, PRIV])
    expect(findingsOf(r)).toEqual([])
    expect(hostsOf(r)).toEqual({a: 'hv1', b: 'hv1', c: 'hv2', d: 'hv1'})
    expect(reasonOf(r, 'a')).toContain('with b, d (network lan, back exists on one host only), 12GB together: the most memory available: 12GB on hv1')
    expect(r.labPlan.networks.map((n) => [n.name, n.hosts])).toEqual([
      ['lan', ['hv1']],
      ['back', ['hv1']],
    ])
    // near miss: on an existing switch (there on every host) the same guests spread
    const spread = plan([guest('a', {networks: [{network: 'Prod'}]}), guest('b', {networks: [{network: 'Prod'}]})], placement({hv1: 14, hv2: 11}), [{name: 'Prod', type: 'existing'}])
    expect(hostsOf(spread)).toEqual({a: 'hv1', b: 'hv2'})
  })

  it("a group goes where one of its guests is: written there with host:, or made there", () => {
    const pinned = plan([guest('a', {networks: [onLan('10.200.1.10/24')]}), guest('b', {host: 'hv2', networks: [onLan('10.200.1.11/24')]})], placement({hv1: 32, hv2: 12}))
    expect(findingsOf(pinned)).toEqual([])
    expect(hostsOf(pinned)).toEqual({a: 'hv2', b: 'hv2'})
    // b's 4GB counted first: 6GB of hv2's 10 were left for a
    expect(reasonOf(pinned, 'a')).toBe('with b (network lan exists on one host only): on hv2, where b is written to go (host:), with 6GB available (12GB free, less the 2GB reserve, less 4GB this run placed there) for the 4GB it needs')
    expect(reasonOf(pinned, 'b')).toBeUndefined()
    const made = plan([guest('a', {networks: [onLan('10.200.1.10/24')]}), guest('b', {networks: [onLan('10.200.1.11/24')]})], placement({hv1: 32, hv2: 12}, {b: 'hv2'}))
    expect(hostsOf(made)).toEqual({a: 'hv2', b: 'hv2'})
    expect(reasonOf(made, 'a')).toContain('on hv2, where an earlier lab up made b')
  })

  it("host: wins over a host's record, as it does when no guest is placed by memory", () => {
    const r = plan([guest('a', {host: 'hv2'}), guest('b')], placement({hv1: 32, hv2: 32}, {a: 'hv1'}))
    expect(hostsOf(r).a).toBe('hv2')
    expect(hostsOf(plan([guest('a', {host: 'hv2'}), guest('b', {host: 'hv1'})]))).toEqual({a: 'hv2', b: 'hv1'})
  })

  it('an internal or private network whose guests end up on two hosts (host:, or made there) is lab-network-split at the network', () => {
    const split = plan([guest('a', {host: 'hv1', networks: [onLan('10.200.1.10/24')]}), guest('b', {host: 'hv2', networks: [onLan('10.200.1.11/24')]})])
    expect(split.labPlan.plan.diagnostics.filter((d) => d.code === 'lab-network-split').map((d) => [d.severity, d.source?.path, d.message])).toEqual([
      ['warning', 'spec.networks[0].name', expect.stringContaining('network lan (internal) has guests on hv1, hv2: each of these hosts gets a switch lan of its own')],
    ])
    const made = plan([guest('a', {networks: [onLan('10.200.1.10/24')]}), guest('b', {networks: [onLan('10.200.1.11/24')]})], placement({hv1: 32, hv2: 32}, {a: 'hv1', b: 'hv2'}))
    expect(labCodesOf(made)).toContain('lab-network-split')
    // near miss: both on one host; and spread in turn before placement (lab up places them together): no warning
    expect(labCodesOf(plan([guest('a', {host: 'hv1', networks: [onLan('10.200.1.10/24')]}), guest('b', {host: 'hv1', networks: [onLan('10.200.1.11/24')]})]))).not.toContain('lab-network-split')
    const provisional = plan([guest('a', {networks: [onLan('10.200.1.10/24')]}), guest('b', {networks: [onLan('10.200.1.11/24')]})])
    expect(provisional.labPlan.networks[0].hosts).toEqual(['hv1', 'hv2'])
    expect(labCodesOf(provisional)).not.toContain('lab-network-split')
  })

  it('a guest with host: counts against its host, so the others go elsewhere', () => {
    const r = plan([guest('a'), guest('b', {host: 'hv1'})], placement({hv1: 16, hv2: 14}))
    // without b's 4GB on hv1, a would go there (14 > 12)
    expect(hostsOf(r)).toEqual({a: 'hv2', b: 'hv1'})
  })

  it('what fits nowhere is placement-no-fit: a group too big together, a guest its group sends to a full host', () => {
    const together = plan([guest('a', {networks: [onLan('10.200.1.10/24')]}), guest('b', {networks: [onLan('10.200.1.11/24')]})], placement({hv1: 9, hv2: 9}))
    const d = together.labPlan.plan.diagnostics.filter((x) => x.code === 'placement-no-fit')
    expect(d.map((x) => x.message)).toEqual([expect.stringContaining('guest "a + b" needs 8GB of memory and fits on no host: the most is on hv1, 7GB')])
    expect(d[0].message).toContain('They go together: network lan exists on one host only.')
    // near miss: apart (no shared network) they fit, one on each host
    expect(labCodesOf(plan([guest('a'), guest('b')], placement({hv1: 9, hv2: 9})))).toEqual([])

    const full = plan([guest('a', {networks: [onLan('10.200.1.10/24')]}), guest('b', {networks: [onLan('10.200.1.11/24')]})], placement({hv1: 5, hv2: 32}, {b: 'hv1'}))
    const f = full.labPlan.plan.diagnostics.filter((x) => x.code === 'placement-no-fit')
    expect(f.map((x) => [x.guest, x.host])).toEqual([['a', 'hv1']])
    expect(f[0].message).toContain('guest "a" needs 4GB of memory and must go on hv1, where an earlier lab up made b (network lan exists on one host only), which has 3GB available')
  })

  it('a host that could not be asked gets no guest, with a warning', () => {
    const r = plan([guest('a'), guest('b')], placement({hv1: 'connection refused', hv2: 32}))
    expect(hostsOf(r)).toEqual({a: 'hv2', b: 'hv2'})
    expect(r.labPlan.plan.diagnostics.map((d) => [d.code, d.host])).toEqual([['placement-host-unasked', 'hv1']])
  })

  it('without the hosts: in turn, and placesByMemory says placement applies; with every guest given a host, or one host, it does not', () => {
    const offline = plan([guest('a'), guest('b'), guest('c')])
    expect(hostsOf(offline)).toEqual({a: 'hv1', b: 'hv2', c: 'hv1'})
    expect(offline.placesByMemory).toBe(true)
    expect(offline.labPlan.plan.guests.every((g) => g.placement === null)).toBe(true)
    expect(plan([guest('a', {host: 'hv1'}), guest('b', {host: 'hv2'})]).placesByMemory).toBe(false)
    const one = labFixture({project, lab: {guests: [guest('a')]}, request: {inventory: 'hosts.yaml', host: 'hv1'}})
    expect(one.placesByMemory).toBe(false)
  })
})
