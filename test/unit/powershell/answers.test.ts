/**
 * The runtime's answers are checked when they arrive (src/powershell/answers.ts, against the JSON
 * Schemas in ps/HvGuest/schemas): a wrong shape is one error naming the action and the field,
 * never a crash further on; the shapes the runtime legitimately sends (null for a fact it cannot
 * read, fields added later) pass. The real runtime's answers are checked against the same schemas
 * in test/powershell/runtime-answers.test.ts.
 */
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {factsAnswer as facts} from '../../helpers/facts-answer.js'
import {ANSWER_SCHEMAS, AnswerShapeError, answerData, bootstrapData, checkProtocolLine, FAILURE_SCHEMAS, failureData, isAnswerShapeError} from '../../../src/powershell/answers.js'

const ok = (action: string, data: unknown) => ({hvguest: 1, type: 'result', ok: true, action, data})
const failed = (action: string, data?: unknown) => ({hvguest: 1, type: 'result', ok: false, action, ...(data === undefined ? {} : {data})})

const message = (fn: () => unknown): string => {
  try {
    fn()
  } catch (error) {
    expect(isAnswerShapeError(error), String(error)).toBe(true)
    return (error as Error).message
  }
  throw new Error('no error was thrown')
}

describe('a wrong shape is one error naming the action and the field', () => {
  it('one configuration version sent as a string (the PowerShell unrolling bug)', () => {
    expect(message(() => answerData('facts', ok('facts', facts({configurationVersions: '10.0'}))))).toBe(
      "the host's answer to facts has the wrong shape at configurationVersions: expected array, received string",
    )
  })

  it('a field deep inside, by its JSON path', () => {
    const f = facts()
    ;(f.switches as any)[0].nics = 'Ethernet 2'
    expect(message(() => answerData('facts', ok('facts', f)))).toBe("the host's answer to facts has the wrong shape at switches[0].nics: expected array, received string")
    const v = facts({nics: [{...(facts().nics as any)[0], jumboPacket: {value: '1514', valid: '1514'}}]})
    expect(message(() => answerData('facts', ok('facts', v)))).toContain('at nics[0].jumboPacket.valid: expected array, received string')
  })

  it('a list of one null (a fact read as @($null)) is not a list of nodes', () => {
    expect(message(() => answerData('facts', ok('facts', facts({clusterNodes: [null]}))))).toBe(
      "the host's answer to facts has the wrong shape at clusterNodes[0]: expected object, received null",
    )
  })

  it('a missing field, a value of the wrong kind, data that is no object', () => {
    expect(message(() => answerData('list', ok('list', {vmRoot: 'C:\\Hyper-V', missing: []})))).toBe("the host's answer to list has the wrong shape at guests: missing (expected array)")
    expect(message(() => answerData('preflight', ok('preflight', {problems: [], guests: '1', vmRoot: 'C:\\Hyper-V'})))).toBe(
      "the host's answer to preflight has the wrong shape at guests: expected number, received string",
    )
    expect(message(() => answerData('destroy', ok('destroy', [])))).toBe("the host's answer to destroy has the wrong shape: expected object, received array")
    const drive = {kind: 'floppy', controller: {type: 'IDE', number: 0, location: 0}, path: null, diskNumber: null}
    const guest = {name: 'web1', vmId: 'x', state: 'Off', generation: 1, processors: 2, memoryStartupBytes: 1, dynamicMemory: false, path: null, notes: null, managed: false, runId: null, createdAt: null, networkAdapters: [], integrationServices: [], drives: [drive]}
    expect(message(() => answerData('list', ok('list', {vmRoot: null, guests: [guest], missing: []})))).toBe(
      'the host\'s answer to list has the wrong shape at guests[0].drives[0].kind: expected "hdd" or "dvd", received "floppy"',
    )
    expect(message(() => answerData('begin', ok('begin', {runId: 'r', vmRoot: 'C:\\', journal: 'j', lock: 'l', hostSettings: [{setting: 'jumbo', switch: null, target: null, adapter: null, keyword: null, previous: {}, value: '9014', action: 'set', reason: null}]})))).toBe(
      "the host's answer to begin has the wrong shape at hostSettings[0].previous: expected string or number or boolean, received object",
    )
  })

  it('several problems: the first ones, and how many more', () => {
    const m = message(() => answerData('facts', ok('facts', facts({configurationVersions: '9.0', vmNames: 'web1', hyperV: 'yes', user: 1, errors: null}))))
    expect(m).toMatch(/^the host's answer to facts has the wrong shape at hyperV: expected boolean, received string; also at configurationVersions: .*; at vmNames: .*; and 2 more$/)
  })

  it('an ok answer without data, or the answer to another action', () => {
    expect(message(() => answerData('facts', {ok: true, action: 'facts'}))).toBe("the host's answer to facts has the wrong shape: the answer has no data")
    expect(message(() => answerData('facts', ok('list', facts())))).toBe("the host's answer to facts has the wrong shape: it is an answer to list")
  })

  it('the data of a failed answer is checked too', () => {
    expect(message(() => failureData('destroy', failed('destroy', {guests: [], refused: [{name: 'web1', vmId: null, reason: 'not-found'}]})))).toBe(
      "the host's answer to destroy has the wrong shape at refused[0].message: missing (expected string)",
    )
    expect(message(() => failureData('create-guest', failed('create-guest', {steps: '3', warnings: []})))).toContain('at steps: expected number, received string')
  })

  it('answerData is for an answer that is ok; failureData for one that failed', () => {
    expect(() => answerData('facts', failed('facts'))).toThrow(/use failureData|failureData/)
    expect(isAnswerShapeError(new AnswerShapeError('facts', []))).toBe(true)
    // by name, as the services bundle's own class arrives in the commands
    expect(isAnswerShapeError(Object.assign(new Error('x'), {name: 'AnswerShapeError'}))).toBe(true)
    expect(isAnswerShapeError(new Error('x'))).toBe(false)
  })
})

describe('the shapes the runtime sends pass', () => {
  it('facts, with null where a fact could not be read', () => {
    expect(answerData('facts', ok('facts', facts()))).toEqual(facts())
    const unread = facts({
      os: null,
      locale: null,
      configurationVersions: null,
      chimney: null,
      freeBytes: null,
      hyperVFeature: null,
      vmRootExists: null,
      clusterNodes: null,
      virtualMachinePath: null,
      netNats: null,
      labRecords: [{name: 'damaged', record: null}],
      errors: [
        {fact: 'os', cmdlet: 'Get-CimInstance', message: 'Access is denied.', category: 'PermissionDenied'},
        {fact: 'netNats', cmdlet: 'Get-NetNat', message: 'this host has no NetNat module (Windows Server 2016 and later have it)', category: 'NotImplemented'},
      ],
    })
    expect(answerData('facts', ok('facts', unread))).toEqual(unread)
  })

  it('fields the runtime adds later pass through, untouched', () => {
    const f = facts({newFact: {a: [1]}})
    ;(f.nics as any)[0].speedBits = 10e9
    const got = answerData('facts', ok('facts', f)) as any
    expect(got.newFact).toEqual({a: [1]})
    expect(got.nics[0].speedBits).toBe(10e9)
  })

  it('failed answers: what the request had done, or nothing', () => {
    const warning = {code: 'dismount-failed', setting: null, message: 'w'}
    expect(failureData('create-guest', failed('create-guest', {steps: 3, warnings: [warning]}))).toEqual({steps: 3, warnings: [warning]})
    expect(message(() => failureData('create-guest', failed('create-guest', {steps: 3, warnings: ['w']})))).toContain('warnings')
    expect(failureData('destroy', failed('destroy', {guests: [], refused: [{name: 'web1', vmId: null, reason: 'not-found', message: 'no VM named web1'}]}))).toMatchObject({refused: [{reason: 'not-found'}]})
    expect(failureData('begin', failed('begin', {runId: 'r', rolledBack: null, rollbackError: 'x'}))).toEqual({runId: 'r', rolledBack: null, rollbackError: 'x'})
    expect(failureData('facts', failed('facts'))).toBeNull()
  })

  it('a commit with prepare answers the mark only', () => {
    expect(answerData('commit', ok('commit', {runId: 'r', committing: true, committed: false}))).toEqual({runId: 'r', committing: true, committed: false})
  })
})

describe('every action of the runtime has a schema', () => {
  it('the actions the dispatcher (ps/HvGuest/HvGuest.psm1) knows are the ones with schemas', () => {
    const psm1 = readFileSync(fileURLToPath(new URL('../../../ps/HvGuest/HvGuest.psm1', import.meta.url)), 'utf8')
    const dispatched = [...psm1.matchAll(/^\s*'([a-z-]+)'\s*\{\s*Invoke-Hv\w+Action\b/gm)].map((m) => m[1]).sort()
    expect(dispatched.length).toBeGreaterThan(10)
    expect(Object.keys(ANSWER_SCHEMAS).sort()).toEqual(dispatched)
    expect(Object.keys(FAILURE_SCHEMAS).sort()).toEqual(dispatched)
  })
})

describe('the bootstrap answer and the line envelope (what the runtime tests check besides)', () => {
  const bootstrap = {powershell: '7.6.9', edition: 'Core', os: 'Unix 6.8.0', pid: 42, emulator: true, runtime: '0.1.0', hyperVModule: true}

  it("the bootstrap's data, and none for a failed bootstrap", () => {
    expect(bootstrapData(ok('bootstrap', bootstrap))).toEqual(bootstrap)
    expect(bootstrapData(failed('bootstrap'))).toBeNull()
    expect(message(() => bootstrapData(ok('bootstrap', {...bootstrap, pid: '42'})))).toBe("the host's answer to bootstrap has the wrong shape at pid: expected number, received string")
    expect(message(() => bootstrapData(failed('bootstrap', bootstrap)))).toBe("the host's answer to bootstrap has the wrong shape: a failed bootstrap carries no data")
  })

  it('progress and result lines as the runtime writes them pass; a field of the wrong kind or one the protocol has not does not', () => {
    const progress = {hvguest: 1, type: 'progress', action: 'create-guest', guest: 'web1', step: 'new-vhd', cmdlet: 'New-VHD', detail: null, seq: 1}
    expect(() => checkProtocolLine(progress)).not.toThrow()
    expect(() => checkProtocolLine({hvguest: 1, type: 'result', ok: false, action: 'facts', error: {step: 'request', cmdlet: null, message: 'm', category: 'InvalidArgument'}})).not.toThrow()
    expect(message(() => checkProtocolLine({...progress, seq: '1'}))).toBe("the host's answer to create-guest (a progress line) has the wrong shape at seq: expected number, received string")
    expect(message(() => checkProtocolLine({hvguest: 1, type: 'result', ok: true, action: 'facts', extra: 1}))).toContain('extra')
  })
})
