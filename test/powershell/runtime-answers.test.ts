/**
 * The runtime's JSON Schemas (ps/HvGuest/schemas), as Node checks answers with them
 * (src/powershell/answers.ts), against what the real runtime answers, through pwsh and the
 * emulated host: every action, ok and failed, must pass, so that the schemas cannot drift from
 * ps/HvGuest. (The harness checks every answer of every runtime test the same way; here each
 * action is asked for at least once. A wrong shape's message is unit-tested in
 * test/unit/powershell/answers.test.ts; list facts of one item in runtime-facts-shapes.test.ts.)
 */
import {describe, expect, it} from 'vitest'
import {ANSWER_SCHEMAS, answerData, failureData} from '../../src/powershell/answers.js'
import type {RuntimeAction} from '../../src/powershell/protocol.js'
import {newHost, runShared, type Answer} from '../fixtures/runtime/harness.js'
import {ISO, singleGuestPlan, UBUNTU_PARENT} from '../fixtures/runtime/plans.js'

const VMROOT = 'C:\\Hyper-V'
const TOOLS = `${ISO}\\tools.iso`

/** Each answer through the check its consumer uses; returns the actions seen. */
function checkAll(answers: Answer[]): string[] {
  for (const a of answers) {
    const action = a.action as RuntimeAction
    expect(Object.keys(ANSWER_SCHEMAS), `an answer to an action without a schema: ${a.action}`).toContain(action)
    if (a.ok) expect(() => answerData(action, a), `${a.action}: ${JSON.stringify(a.data)}`).not.toThrow()
    else expect(() => failureData(action, a), `${a.action} (failed): ${JSON.stringify(a.data)}`).not.toThrow()
  }
  return answers.map((a) => `${a.action}:${a.ok ? 'ok' : 'failed'}`)
}

describe("the runtime's real answers pass the schemas", () => {
  it('every action, from facts to destroy, on one emulated host', async () => {
    const host = newHost({parents: [{path: UBUNTU_PARENT}], files: [{path: TOOLS}]})
    const plan = singleGuestPlan('ubuntu-2204')
    const g = plan.guests[0]
    const run = await runShared(host, [
      {action: 'facts', vmRoot: VMROOT, probeWrite: true},
      {action: 'preflight', plan, replace: false},
      {action: 'begin', runId: 'run-a', host: plan.hosts[0], vmRoot: VMROOT, lockTimeoutSeconds: 5},
      {action: 'create-guest', runId: 'run-a', guest: g, replace: false},
      {action: 'commit', runId: 'run-a', vmRoot: VMROOT},
      {action: 'facts', vmRoot: VMROOT},
      {action: 'list', vmRoot: VMROOT},
      {action: 'guest-status', vmRoot: VMROOT, names: [g.name, 'nosuch']},
      {action: 'begin', runId: 'run-b', host: {...plan.hosts[0], network: {jumbo: [], chimney: null, vmq: null}}, vmRoot: VMROOT, lockTimeoutSeconds: 5},
      {action: 'ic-inject', runId: 'run-b', name: g.name, mode: 'media', media: TOOLS, vmRoot: VMROOT},
      {action: 'rollback', runId: 'run-b', vmRoot: VMROOT},
      {action: 'net-apply', runId: 'run-c', vmRoot: VMROOT, host: {name: 'emu', network: {jumbo: [{switch: 'Lab', value: 4088, targets: ['physical-nic', 'host-vethernet']}], chimney: null, vmq: true}}, switches: ['Lab']},
      {action: 'net-restore', runId: 'run-d', vmRoot: VMROOT},
      {action: 'net-restore', runId: 'run-e', vmRoot: VMROOT},
      {action: 'net-apply', runId: 'run-f', vmRoot: VMROOT, host: {name: 'emu', network: {jumbo: [{switch: 'NoSuch', value: 9014, targets: ['physical-nic']}], chimney: null, vmq: null}}, switches: []},
      {action: 'recover', vmRoot: VMROOT},
      {action: 'destroy', names: ['nosuch'], keepDisks: false, vmRoot: VMROOT},
      {action: 'destroy', names: [g.name], keepDisks: false, vmRoot: VMROOT},
      {action: 'rollback', runId: 'run-none', vmRoot: VMROOT},
    ])
    expect(run.stray).toEqual([])
    const seen = checkAll(run.answers)
    // each answer is the one asked for: the failures are the two meant to fail
    expect(seen).toEqual([
      'facts:ok',
      'preflight:ok',
      'begin:ok',
      'create-guest:ok',
      'commit:ok',
      'facts:ok',
      'list:ok',
      'guest-status:ok',
      'begin:ok',
      'ic-inject:ok',
      'rollback:ok',
      'net-apply:ok',
      'net-restore:ok',
      'net-restore:ok',
      'net-apply:failed',
      'recover:ok',
      'destroy:failed',
      'destroy:ok',
      'rollback:ok',
    ])
    // the checked data is the data (nothing dropped)
    expect(answerData('list', run.answers[6]).guests.map((x) => x.name)).toEqual([g.name])
    expect(failureData('destroy', run.answers[16])?.refused?.map((r) => r.reason)).toEqual(['not-found'])
  }, 240_000)

  it('a create-guest that fails halfway, and the rollback after it', async () => {
    const host = newHost({parents: [{path: UBUNTU_PARENT}]})
    const plan = singleGuestPlan('ubuntu-2204')
    const run = await runShared(
      host,
      [
        {action: 'begin', runId: 'run-x', host: plan.hosts[0], vmRoot: VMROOT, lockTimeoutSeconds: 5},
        {action: 'create-guest', runId: 'run-x', guest: plan.guests[0], replace: false},
        {action: 'rollback', runId: 'run-x', vmRoot: VMROOT},
      ],
      {env: {HVGUEST_EMULATOR_FAIL: 'Add-VMHardDiskDrive:1'}},
    )
    expect(checkAll(run.answers)).toEqual(['begin:ok', 'create-guest:failed', 'rollback:ok'])
    expect(failureData('create-guest', run.answers[1])?.steps).toBeGreaterThan(0)
  }, 120_000)
})
