/**
 * `hvguest net apply` / `net restore` say which adapters were restarted for the new values (the
 * runtime's restartedAdapters: each changed adapter once, docs/execution.md "Host behaviours the
 * runtime does not assume"), and a dry run says that changed adapters will be.
 */
import {describe, expect, it} from 'vitest'
import type {NetApplyResult, NetRestoreResult, NetSetting} from '../../../src/execute/host-network.js'
import {renderNetApply, renderNetRestore} from '../../../src/report/net-view.js'

const jumbo: NetSetting = {setting: 'jumbo', switch: 'Lab', target: 'physical-nic', adapter: 'Ethernet 2', keyword: '*JumboPacket', before: '1514', after: '9014', action: 'set', reason: null}
const apply = (over: Partial<NetApplyResult>): NetApplyResult => ({
  host: 'hv1', profile: 'fast', switches: ['Lab'], network: {jumbo: [], chimney: null, vmq: null} as unknown as NetApplyResult['network'],
  settings: [jumbo], diagnostics: [], status: 'ok', runId: 'r1', record: 'C:\\Hyper-V\\.hvguest\\net\\host-network.json', restartedAdapters: [], error: null, ...over,
})

describe('net apply and net restore name the restarted adapters', () => {
  it('lists each restarted adapter once after an apply, and none when the runtime restarted none', () => {
    expect(renderNetApply(apply({restartedAdapters: ['Ethernet 2', 'vEthernet (Lab)']}))).toContain('Restarted once for the new values: Ethernet 2, vEthernet (Lab) (traffic through them paused for a few seconds).')
    expect(renderNetApply(apply({restartedAdapters: []}))).not.toContain('Restarted')
  })

  it('a dry run says that each changed adapter is restarted once', () => {
    expect(renderNetApply(apply({status: 'dry-run', runId: null, record: null}))).toContain('each adapter whose *JumboPacket or VMQ changes is restarted once')
  })

  it('net restore lists them too', () => {
    const r: NetRestoreResult = {host: 'hv1', status: 'ok', runId: 'r2', settings: [{...jumbo, before: '9014', after: '1514'}], record: null, restartedAdapters: ['Ethernet 2'], error: null}
    expect(renderNetRestore(r)).toContain('Restarted once for the new values: Ethernet 2 (traffic through it paused for a few seconds).')
  })
})
