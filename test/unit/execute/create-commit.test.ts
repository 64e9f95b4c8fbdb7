/**
 * createGuests' commit over scripted sessions: every answer is checked. A
 * commit that fails after the host marked its journal is `commit-failed` (guests kept, recover
 * finishes it); one refused before the mark rolls the run back; over several hosts every journal
 * is marked first, so that a run keeps its guests everywhere or nowhere. What the user reads is
 * checked with the same result (renderRun).
 */
import {describe, expect, it} from 'vitest'
import type {HostSession} from '../../../src/powershell/session.js'
import type {ResultLine, RuntimeRequest} from '../../../src/powershell/protocol.js'
import {createGuests} from '../../../src/execute/create.js'
import {renderRun} from '../../../src/report/run-view.js'

type Answer = (req: RuntimeRequest) => Partial<ResultLine>

const guest = (name: string, host: string) =>
  ({
    name,
    host,
    template: 'lab',
    templateFile: 'templates/lab.yaml',
    hostname: name,
    os: {family: 'linux', distro: 'ubuntu', version: '22.04'},
    integration: {strategy: 'linux-builtin', install: 'auto', catalogEntry: 'ubuntu', media: null, packages: [], daemonUnits: [], offlinePackages: []},
    firstBoot: null,
  }) as any

function planOf(hosts: string[]) {
  const guests = hosts.map((h, i) => guest(`g${i + 1}`, h))
  return {
    plan: {guests, hosts: hosts.map((name) => ({name, vmRoot: 'C:\\VMs'})), summary: {errors: 0, warnings: 0, infos: 0}, diagnostics: []} as any,
    targets: {hosts: hosts.map((name) => ({name, transport: 'emulator', os: 'windows-server-2022', vmRoot: 'C:\\VMs', inventoryFile: null})), diagnostics: []} as any,
    resolved: [],
  }
}

/** What the runtime answers to each action when all goes well (shapes of src/powershell/answers.ts). */
function okData(action: string, req: RuntimeRequest, host: string): unknown {
  const runId = String(req.runId ?? '')
  switch (action) {
    case 'preflight':
      return {problems: [], guests: 1, vmRoot: 'C:\\VMs'}
    case 'begin':
      return {runId, vmRoot: 'C:\\VMs', journal: `C:\\VMs\\.hvguest\\journal\\${runId}.json`, lock: 'C:\\VMs\\.hvguest\\lock', hostSettings: []}
    case 'create-guest':
      return {name: (req.guest as {name: string}).name, vmId: `vm-${host}`, generation: 1, path: 'C:\\VMs\\g', steps: 3, files: [], directories: [], integrationServices: [], warnings: []}
    case 'commit':
      return req.prepare ? {runId, committing: true, committed: false} : {runId, committing: true, committed: true, guests: [], lockReleased: true}
    case 'rollback':
      return {runId, undone: [], errors: [], journalKept: false, journal: null, lockReleased: true}
    default:
      return {}
  }
}

/** A session that answers each action as told (default: ok) and records what it was sent. */
function scripted(host: string, answers: Record<string, Answer>, log: Array<{host: string; req: RuntimeRequest}>): HostSession {
  return {
    host,
    transport: 'emulator',
    stats: {processesStarted: 1, requests: 0},
    async request<T>(req: RuntimeRequest) {
      log.push({host, req})
      const a = answers[String(req.action) + (req.prepare ? ':prepare' : '')]?.(req) ?? {}
      const data = 'data' in a ? a.data : okData(String(req.action), req, host)
      return {hvguest: 1, type: 'result', ok: true, action: String(req.action), ...a, data} as ResultLine<T>
    },
    async close() {},
  }
}

async function run(hosts: string[], answers: Record<string, Record<string, Answer>>) {
  const log: Array<{host: string; req: RuntimeRequest}> = []
  const opened: string[] = []
  const closed: string[] = []
  const result = await createGuests({templates: ['lab'], cwd: '.'} as any, {
    plan: () => planOf(hosts),
    open: async (h) => {
      opened.push(h.name)
      const session = scripted(h.name, answers[h.name] ?? {}, log)
      return {...session, close: async () => void closed.push(h.name)}
    },
  })
  return {result, log, opened, closed, sent: (host: string) => log.filter((l) => l.host === host).map((l) => String(l.req.action) + (l.req.prepare ? ':prepare' : ''))}
}

const failed = (step: string, message: string, data?: unknown): Answer => () => ({ok: false, error: {step, cmdlet: null, message, category: 'WriteError'}, data: data ?? null})

describe('createGuests: the commit is checked', () => {
  it('a commit that fails after the mark is commit-failed: the guest is kept, nothing is rolled back, and the user is sent to recover', async () => {
    const {result, sent} = await run(['hv1'], {hv1: {commit: failed('write-manifest', 'could not write the manifest C:\\VMs\\.hvguest\\guests\\x.json: denied', {runId: 'r', committing: true})}})
    expect(result.status).toBe('commit-failed')
    expect(result.guests.map((g) => [g.name, g.status])).toEqual([['g1', 'created']])
    expect(result.commitErrors).toEqual([{host: 'hv1', message: 'write-manifest: could not write the manifest C:\\VMs\\.hvguest\\guests\\x.json: denied'}])
    expect(sent('hv1')).toEqual(['preflight', 'begin', 'create-guest', 'commit'])
    const text = renderRun(result)
    expect(text).not.toMatch(/guests? created \(run/)
    expect(text).toContain(`g1 was created on hv1 and is kept, but run ${result.runId} could not be committed there (write-manifest: could not write the manifest`)
    expect(text).toContain('Fix the cause, then run "hvguest recover --host hv1": it finishes the commit and never removes this guest.')
  })

  it('a commit refused before the mark (nothing kept yet) rolls the run back: failed, with the cause on the guest', async () => {
    const {result, sent} = await run(['hv1'], {hv1: {commit: failed('commit-mark', 'could not write the journal: disk full')}})
    expect(result.status).toBe('failed')
    expect(result.guests).toEqual([expect.objectContaining({name: 'g1', status: 'rolled-back', error: {step: 'commit-mark', cmdlet: null, message: 'could not write the journal: disk full'}})])
    expect(sent('hv1')).toEqual(['preflight', 'begin', 'create-guest', 'commit', 'rollback'])
    expect(renderRun(result)).toContain('The run failed and was rolled back')
  })

  it('over two hosts every journal is marked before any commit completes; a host that cannot mark rolls back both', async () => {
    const ok = await run(['hv1', 'hv2'], {})
    expect(ok.result.status).toBe('ok')
    // two hosts and no --host: each is asked its free memory first (placement), on the session the run then uses
    for (const h of ['hv1', 'hv2']) expect(ok.sent(h)).toEqual(['memory', 'preflight', 'begin', 'create-guest', 'commit:prepare', 'commit'])
    // the sessions opened to ask are the run's: one per host, each closed once at the end
    expect(ok.opened.sort()).toEqual(['hv1', 'hv2'])
    expect(ok.closed.sort()).toEqual(['hv1', 'hv2'])
    const prepares = ok.log.filter((l) => l.req.prepare).map((l) => ok.log.indexOf(l))
    const completes = ok.log.filter((l) => l.req.action === 'commit' && !l.req.prepare).map((l) => ok.log.indexOf(l))
    expect(Math.max(...prepares)).toBeLessThan(Math.min(...completes))

    const refused = await run(['hv1', 'hv2'], {hv2: {'commit:prepare': failed('commit-mark', 'could not write the journal: denied')}})
    expect(refused.result.status).toBe('failed')
    expect(refused.sent('hv1')).toEqual(['memory', 'preflight', 'begin', 'create-guest', 'commit:prepare', 'rollback'])
    expect(refused.sent('hv2')).toEqual(['memory', 'preflight', 'begin', 'create-guest', 'commit:prepare', 'rollback'])
    expect(refused.result.guests.map((g) => [g.name, g.status])).toEqual([
      ['g1', 'rolled-back'],
      ['g2', 'rolled-back'],
    ])
  })

  it('over two hosts, a commit that fails on one after both were marked is commit-failed there only', async () => {
    const {result} = await run(['hv1', 'hv2'], {hv2: {commit: failed('delete-lock', 'could not delete the lock: busy')}})
    expect(result.status).toBe('commit-failed')
    expect(result.commitErrors).toEqual([{host: 'hv2', message: 'delete-lock: could not delete the lock: busy'}])
    expect(result.guests.map((g) => [g.name, g.status])).toEqual([
      ['g1', 'created'],
      ['g2', 'created'],
    ])
  })

  it('an answer of the wrong shape is a failure of that request, naming the field, and the run rolls back', async () => {
    const {result, sent} = await run(['hv1'], {hv1: {'create-guest': () => ({data: {name: 'g1', vmId: 42}})}})
    expect(result.status).toBe('failed')
    expect(result.guests[0].error).toMatchObject({step: 'create-guest', message: expect.stringMatching(/^the host's answer to create-guest has the wrong shape at vmId: expected string/)})
    expect(sent('hv1')).toEqual(['preflight', 'begin', 'create-guest', 'rollback'])
  })

  it('a begin whose own undo failed tells the user to run recover', async () => {
    const {result} = await run(['hv1'], {hv1: {begin: failed('set-jumbo', 'adapter gone', {runId: 'r', rolledBack: null, rollbackError: 'could not delete the lock: busy'})}})
    expect(result.status).toBe('failed')
    expect(result.rollbackErrors).toEqual([{host: 'hv1', message: 'could not delete the lock: busy'}])
    expect(renderRun(result)).toContain(`Run "hvguest recover" to finish undoing run ${result.runId}.`)
  })
})
