/** What `ic inject` prints: one outcome per run, the seed-secret notice only after a success. */
import {describe, expect, it} from 'vitest'
import type {IcInjectResult} from '../../../src/execute/ic-inject.js'
import {renderIcInject} from '../../../src/report/ic-status-view.js'

const base: IcInjectResult = {status: 'ok', host: 'hv1', name: 'web1', runId: 'r1', steps: [{mode: 'seed', detail: 'C:\\VMs\\web1\\s.iso'}] as IcInjectResult['steps'], changes: [], error: null, rollbackErrors: []}

describe('renderIcInject', () => {
  it('a success says Done, and never Failed; with a secret seed, how to remove it', () => {
    for (const seedSecret of [false, true]) {
      const text = renderIcInject({...base, seedSecret})
      expect(text).toContain('Done on hv1 (run r1).')
      expect(text).not.toContain('Failed')
      expect(text.includes('firstboot-secret-attached')).toBe(seedSecret)
    }
  })

  it('a failure says Failed and what was undone, without the seed notice', () => {
    const text = renderIcInject({...base, seedSecret: true, status: 'failed', error: {step: 'write-media', cmdlet: 'Set-Content', message: 'disk full'}})
    expect(text).toContain('Failed on hv1 at write-media (Set-Content): disk full. What this run changed was undone.')
    expect(text).not.toContain('Done')
    expect(text).not.toContain('firstboot-secret-attached')
  })
})
