/**
 * The lab views say what matters before it happens: an external switch moves the host's own
 * address (lab plan, and lab up when it makes one), and drift is named and left alone.
 */
import {describe, expect, it} from 'vitest'
import {renderLabPlan} from '../../../src/report/lab-view.js'
import {renderLabUp} from '../../../src/report/lab-run-view.js'
import type {LabUpResult} from '../../../src/lab/lab-up.js'
import {labFixture} from '../../helpers/lab-fixture.js'

const external = (allowManagementOS?: boolean) =>
  labFixture({lab: {networks: [{name: 'up', type: 'external', adapter: 'Ethernet 2', ...(allowManagementOS === undefined ? {} : {allowManagementOS})}], guests: [{name: 'g1', template: 't1', networks: [{network: 'up'}]}]}}).labPlan

describe('lab views', () => {
  it('lab plan says that an external switch moves the host\'s addresses to its vEthernet adapter', () => {
    expect(renderLabPlan(external())).toContain("external network up: making switch up moves the host's addresses on Ethernet 2 to vEthernet (up)")
    expect(renderLabPlan(external(false))).toContain('the host stops using that adapter itself (allowManagementOS: false)')
    const internal = labFixture({lab: {networks: [{name: 'lan', type: 'internal', subnet: '10.200.1.0/24'}], guests: [{name: 'g1', template: 't1', networks: [{network: 'lan', address: '10.200.1.10/24'}]}]}}).labPlan
    expect(renderLabPlan(internal)).not.toContain('external network')
  })

  it('lab up says it when it makes the switch, not when the switch is there; and names drift left alone', () => {
    const labPlan = external()
    const result = (action: 'create' | 'owned', guestAction: 'exists' | 'drift'): LabUpResult => ({
      status: action === 'create' ? 'ok' : 'unchanged',
      lab: 'lab1',
      runId: null,
      networks: [{host: 'localhost', network: 'up', switch: 'up', type: 'external', actions: {switch: action, address: 'none', nat: 'none'}, natName: null, drift: []}],
      guests: [{host: 'localhost', name: 'g1', action: guestAction, drift: guestAction === 'drift' ? ['processors 1 → 2'] : [], result: null}],
      problems: [],
      diagnostics: [],
      rollbackErrors: [],
      commitErrors: [],
      wait: null,
      sessions: [],
      labPlan,
    })
    expect(renderLabUp(result('create', 'exists'))).toContain('moves the host\'s addresses on Ethernet 2')
    const unchanged = renderLabUp(result('owned', 'drift'))
    expect(unchanged).not.toContain('moves the host')
    expect(unchanged).toContain('drift left alone: g1 (--recreate NAME makes one again as planned)')
    expect(unchanged).toContain('processors 1 → 2')
  })
})
