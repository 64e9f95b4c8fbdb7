/**
 * create --wait and seed media with a secret, over scripted sessions: a guest found ready has its
 * media ejected and deleted (begin, remove-seed-media, commit: a run of its own), keepMedia keeps
 * it, a guest not ready or not waited for keeps it and says why, and a removal that fails is a
 * warning on a guest that stays created (exit as the wait decides). Then the warning `ic status`
 * and `list` show while such media is attached (firstboot-secret-attached).
 */
import {describe, expect, it} from 'vitest'
import type {HostSession} from '../../../src/powershell/session.js'
import type {ResultLine, RuntimeRequest} from '../../../src/powershell/protocol.js'
import {rememberSeedRenderer} from '../../../src/resolve/firstboot/index.js'
import {createGuests, type CreateOptions} from '../../../src/execute/create.js'
import {analyzeGuest, manifestGuest} from '../../../src/execute/guest-status.js'
import {renderIcStatus} from '../../../src/report/ic-status-view.js'
import {renderGuestList} from '../../../src/report/guest-list.js'
import {seedMediaWarnings, withSeedMediaWarnings} from '../../../src/execute/listed-guest.js'
import {renderRun} from '../../../src/report/run-view.js'

const MEDIA = 'C:\\VMs\\g1\\g1-firstboot.iso'

function guest(fb: {secret: boolean; keepMedia: boolean} | null): any {
  const firstBoot = fb && {
    kind: 'cloudInit',
    template: 'firstboot/cloud-init',
    media: MEDIA,
    label: 'cidata',
    values: {},
    files: [{name: 'user-data', template: 'firstboot/cloud-init/user-data.yaml.hbs', content: 'password: (secret)\n'}],
    bootHint: null,
    ...fb,
  }
  // The real bytes come from the renderer the planning run leaves (src/resolve/firstboot/seed-files.ts).
  if (firstBoot) rememberSeedRenderer(firstBoot as any, {render: () => [{...firstBoot.files[0], content: 'password: $6$salt$hash\n'}], parameters: []})
  return {
    name: 'g1',
    host: 'hv1',
    template: 'lab',
    templateFile: null,
    hostname: 'g1',
    os: {family: 'linux', distro: 'ubuntu', version: '22.04', edition: null},
    integration: {strategy: 'linux-builtin', install: 'auto', catalogEntry: 'ubuntu', media: null, packages: [], daemonUnits: [], offlinePackages: []},
    firstBoot,
  }
}

function statusOf(ready: boolean) {
  return {
    name: 'g1',
    vmId: 'vm-1',
    state: 'Running',
    uptimeSeconds: 5,
    heartbeat: 'OkApplicationsHealthy',
    integrationServicesVersion: null,
    integrationServicesState: '',
    services: [],
    networkAdapters: [{name: 'Net', switch: 'Lab', macAddress: '00155D000001', addresses: ready ? ['10.0.0.5'] : []}],
    kvp: {},
    managed: true,
    planned: null,
  }
}

function okData(req: RuntimeRequest, ready: boolean): unknown {
  const runId = String(req.runId ?? '')
  switch (req.action as string) {
    case 'preflight':
      return {problems: [], guests: 1, vmRoot: 'C:\\VMs'}
    case 'begin':
      return {runId, vmRoot: 'C:\\VMs', journal: `C:\\VMs\\.hvguest\\journal\\${runId}.json`, lock: 'C:\\VMs\\.hvguest\\lock', hostSettings: []}
    case 'create-guest':
      return {name: 'g1', vmId: 'vm-1', generation: 1, path: 'C:\\VMs\\g1', steps: 3, files: [MEDIA], directories: [], integrationServices: [], warnings: []}
    case 'commit':
      return {runId, committing: true, committed: true, guests: [], lockReleased: true}
    case 'rollback':
      return {runId, undone: [], errors: [], journalKept: false, journal: null, lockReleased: true}
    case 'guest-status':
      return {vmRoot: 'C:\\VMs', guests: [statusOf(ready)], missing: []}
    case 'remove-seed-media':
      return {name: 'g1', vmId: 'vm-1', media: MEDIA, ejected: true, slot: 'IDE 1:0', deleted: true, manifest: 'C:\\VMs\\.hvguest\\guests\\vm-1.json', removedAt: '2026-01-01T00:00:00Z'}
    default:
      return {}
  }
}

async function run(g: any, opts: {wait?: boolean; ready?: boolean; fail?: string[]} = {}) {
  const log: RuntimeRequest[] = []
  const session: HostSession = {
    host: 'hv1',
    transport: 'emulator',
    stats: {processesStarted: 1, requests: 0},
    async request<T>(req: RuntimeRequest) {
      log.push(req)
      const action = String(req.action)
      if (opts.fail?.includes(action)) return {hvguest: 1, type: 'result', ok: false, action, error: {step: 'delete-seed-media', cmdlet: null, message: 'the file is in use', category: 'WriteError'}} as ResultLine<T>
      return {hvguest: 1, type: 'result', ok: true, action, data: okData(req, opts.ready ?? true)} as ResultLine<T>
    },
    async close() {},
  }
  const plan = {guests: [g], hosts: [{name: 'hv1', vmRoot: 'C:\\VMs'}], summary: {errors: 0, warnings: 0, infos: 0}, diagnostics: []} as any
  const targets = {hosts: [{name: 'hv1', transport: 'emulator', vmRoot: 'C:\\VMs', inventoryFile: null}], diagnostics: []} as any
  const events: string[] = []
  const result = await createGuests(
    {templates: ['lab'], cwd: '.', wait: opts.wait === false ? undefined : {timeoutMs: 30, intervalMs: 5}, onEvent: (e) => events.push(JSON.stringify(e))} as CreateOptions,
    {plan: () => ({plan, targets, resolved: []}) as any, open: async () => session},
  )
  const actions = log.map((r) => String(r.action))
  return {result, actions, log, events, text: renderRun(result)}
}

describe('create --wait: seed media with a secret', () => {
  it('a ready guest has it ejected and deleted, as a run of its own after the wait', async () => {
    const {result, actions, log, events, text} = await run(guest({secret: true, keepMedia: false}))
    expect(result.status).toBe('ok')
    expect(actions).toEqual(['preflight', 'begin', 'create-guest', 'commit', 'guest-status', 'begin', 'remove-seed-media', 'commit'])
    const removal = log.find((r) => (r.action as string) === 'remove-seed-media')!
    expect(removal).toMatchObject({name: 'g1', vmId: 'vm-1', media: MEDIA})
    expect(removal.runId).not.toBe(log[1].runId)
    expect(result.guests[0].seedMedia).toEqual({status: 'removed', media: MEDIA, reason: 'ejected from IDE 1:0, deleted from the host'})
    expect(result.guests[0].warnings).toEqual([])
    expect(text).toContain('g1: seed media with a secret removed')
    expect(events.some((e) => e.includes('"step":"seed-media"') && e.includes('removed'))).toBe(true)
  })

  it('keepMedia: true keeps it, and nothing is asked of the host', async () => {
    const {result, actions, text} = await run(guest({secret: true, keepMedia: true}))
    expect(result.status).toBe('ok')
    expect(actions).not.toContain('remove-seed-media')
    expect(result.guests[0].seedMedia).toMatchObject({status: 'kept', reason: expect.stringContaining('keepMedia')})
    expect(text).toContain('seed media with a secret kept')
  })

  it('a removal that fails is rolled back on its own and is a warning: the guest stays, the exit is the wait\'s', async () => {
    const {result, actions, text} = await run(guest({secret: true, keepMedia: false}), {fail: ['remove-seed-media']})
    expect(result.status).toBe('ok')
    expect(result.guests[0].status).toBe('created')
    expect(actions.slice(-3)).toEqual(['begin', 'remove-seed-media', 'rollback'])
    expect(result.guests[0].seedMedia).toMatchObject({status: 'attached', reason: expect.stringContaining('the file is in use')})
    expect(result.guests[0].warnings.map((w) => w.code)).toEqual(['firstboot-secret-attached'])
    expect(text).toContain('[firstboot-secret-attached]')
  })

  it('a guest that is not ready keeps its media, and says so', async () => {
    const {result, actions} = await run(guest({secret: true, keepMedia: false}), {ready: false})
    expect(result.status).toBe('not-ready')
    expect(actions).not.toContain('remove-seed-media')
    expect(result.guests[0].seedMedia).toMatchObject({status: 'attached', reason: expect.stringContaining('not ready')})
  })

  it('without --wait the media stays attached, and the reason names --wait', async () => {
    const {result, actions} = await run(guest({secret: true, keepMedia: false}), {wait: false})
    expect(result.status).toBe('ok')
    expect(actions).not.toContain('guest-status')
    expect(result.guests[0].seedMedia).toMatchObject({status: 'attached', reason: expect.stringContaining('--wait')})
  })

  it('media without a secret, or no first boot: nothing to say, nothing removed', async () => {
    for (const g of [guest({secret: false, keepMedia: false}), guest(null)]) {
      const {result, actions} = await run(g)
      expect(actions).not.toContain('remove-seed-media')
      expect(result.guests[0].seedMedia).toBeNull()
    }
  })
})

describe('the manifest records secret and keepMedia, never a value', () => {
  it('manifestGuest', () => {
    const m = manifestGuest(guest({secret: true, keepMedia: true}))
    expect(m.firstBoot).toEqual({kind: 'cloudInit', template: 'firstboot/cloud-init', media: MEDIA, label: 'cidata', bootHint: null, secret: true, keepMedia: true})
    expect(JSON.stringify(m)).not.toContain('password')
  })
})

describe('firstboot-secret-attached (ic status, list)', () => {
  const state = (over: Partial<Parameters<typeof seedMediaWarnings>[1] & object>) => ({path: MEDIA, secret: true, keepMedia: false, attached: true, slot: 'IDE 1:0', onDisk: true, removedAt: null, ...over})

  it('trigger: media with a secret in a DVD drive; near misses: ejected, or no secret', () => {
    const hit = seedMediaWarnings('g1', state({}))
    expect(hit.map((w) => w.code)).toEqual(['firstboot-secret-attached'])
    expect(hit[0].message).toContain('Set-VMDvdDrive -VMName g1 -ControllerNumber 1 -ControllerLocation 0 -Path $null')
    expect(hit[0].message).toContain('create --wait')
    expect(seedMediaWarnings('g1', state({attached: false, slot: null}))).toEqual([])
    expect(seedMediaWarnings('g1', state({secret: false}))).toEqual([])
    expect(seedMediaWarnings('g1', null)).toEqual([])
  })

  it('keepMedia: true still warns (it is attached), saying it is kept on purpose', () => {
    const [w] = seedMediaWarnings('g1', state({keepMedia: true}))
    expect(w.code).toBe('firstboot-secret-attached')
    expect(w.message).toContain('kept on purpose (firstBoot.keepMedia: true')
    expect(w.message).not.toContain('create --wait')
  })

  it('ic status shows it (human and JSON); readiness is unchanged', () => {
    const report = analyzeGuest('hv1', {...statusOf(true), seedMedia: state({})})
    expect(report.ready).toBe(true)
    expect(report.problems).toEqual([])
    expect(report.warnings.map((w) => w.code)).toEqual(['firstboot-secret-attached'])
    expect(renderIcStatus([report], [], [])).toContain('[firstboot-secret-attached]')
    expect(analyzeGuest('hv1', {...statusOf(true), seedMedia: state({attached: false})}).warnings).toEqual([])
  })

  it('list shows it (human and JSON)', () => {
    const answers = [{host: 'hv1', ok: true, error: null, data: {guests: [{name: 'g1', state: 'Running', generation: 1, seedMedia: state({})}, {name: 'g2', state: 'Off', generation: 1, seedMedia: null}]}}]
    const listed = withSeedMediaWarnings(answers)
    expect((listed[0].data!.guests as any[]).map((g) => g.warnings.map((w: any) => w.code))).toEqual([['firstboot-secret-attached'], []])
    expect(renderGuestList(answers)).toContain('[firstboot-secret-attached]')
  })
})
