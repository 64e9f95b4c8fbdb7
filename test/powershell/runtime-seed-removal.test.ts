/**
 * remove-seed-media against the emulated host: seed media that carries a secret is ejected, the
 * manifest updated and the file deleted, each a journal step (the delete last); a failure at any
 * step leaves the guest as it was created, and a run killed before or after the delete is put in
 * order by `recover`. guest-status and list report the media's state from the manifest and the
 * DVD drives. One host and one session for the file: two guests, created once.
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {newHost, openLiveSession, runShared, type Answer, type EmuHost, type LiveSession} from '../fixtures/runtime/harness.js'
import {clone, singleGuestPlan, UBUNTU_PARENT} from '../fixtures/runtime/plans.js'
import {answerData} from '../../src/powershell/answers.js'
import {readJournal} from '../helpers/journal-file.js'

const VMROOT = 'C:\\Hyper-V'
const SEED_BYTES = Buffer.from('#cloud-config\npassword: $6$rounds=4096$salt$hashhashhash\n')

let host: EmuHost
let session: LiveSession
const guests: Record<string, {name: string; vmId: string; seed: string}> = {}

function okAll(answers: Answer[]) {
  for (const a of answers) expect(a.ok, `${a.action}: ${JSON.stringify(a.error)}`).toBe(true)
}

/** The fixture's guest under another name: its folder and disks renamed with it, a seed DVD at IDE 1:0. */
function seededGuest(name: string): {guest: any; seed: string} {
  const base = singleGuestPlan('ubuntu-2204').guests[0]
  const guest = JSON.parse(JSON.stringify(base).replaceAll('ubuntu-2204', name))
  guest.name = name
  const seed = `${VMROOT}\\${name}\\${name}-firstboot.iso`
  guest.drives.push({kind: 'dvd', role: 'firstboot-media', name: 'firstboot-media', controller: {type: 'IDE', number: 1, location: 0}, path: seed, create: null, copyFrom: null, diskNumber: null, pinned: false})
  return {guest, seed}
}

/** What commit keeps of the plan (src/execute/guest-status.ts manifestGuest). */
const manifestOf = (g: any, seed: string, keepMedia: boolean) => ({
  template: 'ubuntu-2204',
  templateFile: null,
  hostname: g.name,
  os: g.os,
  integration: {strategy: 'linux-builtin', install: 'auto', catalogEntry: 'linux-ubuntu', media: null, packages: [], daemonUnits: [], offlinePackages: []},
  firstBoot: {kind: 'cloudInit', template: 'firstboot/cloud-init', media: seed, label: 'cidata', bootHint: null, secret: true, keepMedia},
})

const vm = (name: string) => host.state().vms.find((v: any) => v.name === name)
const dvdPath = (name: string) => vm(name).dvdDrives.find((d: any) => d.controllerNumber === 1 && d.controllerLocation === 0)?.path ?? null
const manifest = (name: string) => JSON.parse(readFileSync(host.local(`${VMROOT}\\.hvguest\\guests\\${guests[name].vmId}.json`), 'utf8'))
const journals = () => (existsSync(host.local(`${VMROOT}\\.hvguest\\journal`)) ? readdirSync(host.local(`${VMROOT}\\.hvguest\\journal`)) : [])
const lockHeld = () => existsSync(host.local(`${VMROOT}\\.hvguest\\lock`))
const removal = (runId: string, name: string) => [
  {action: 'begin', runId, host: {name: 'localhost', vmRoot: VMROOT}, vmRoot: VMROOT, lockTimeoutSeconds: 5},
  {action: 'remove-seed-media', runId, vmRoot: VMROOT, name, vmId: guests[name].vmId, media: guests[name].seed},
]

/**
 * recover from another process, as after a run that was killed: this session's process is alive
 * (and knows the run), which a killed run's would not be, hence force. The other process is the
 * file's shared session (runShared), made fresh for the host: never the one the run is in.
 */
async function recoverElsewhere() {
  const r = await runShared(host, [{action: 'recover', vmRoot: VMROOT, force: true}])
  expect(r.answers).toHaveLength(1)
  return r
}

/** Still as created: media in its drive, file on disk, listed in the manifest, not marked removed. */
function expectAsCreated(name: string) {
  const {seed} = guests[name]
  expect(vm(name), `${name} is kept`).toBeDefined()
  expect(dvdPath(name)).toBe(seed)
  expect(readFileSync(host.local(seed))).toEqual(SEED_BYTES)
  expect(manifest(name).files).toContain(seed)
  expect(manifest(name).guest.firstBoot.mediaRemovedAt).toBeUndefined()
  expect(journals()).toEqual([])
  expect(lockHeld()).toBe(false)
}

beforeAll(async () => {
  host = newHost({parents: [{path: UBUNTU_PARENT}]})
  session = await openLiveSession(host)
  expect(session.bootstrap.ok, JSON.stringify(session.bootstrap.error)).toBe(true)
  for (const [name, keepMedia] of [['seedy', false], ['keeper', true]] as const) {
    const {guest, seed} = seededGuest(name)
    const runId = `create-${name}`
    const media = [{path: seed, contentBase64: SEED_BYTES.toString('base64')}]
    const made = await session.send([
      {action: 'begin', runId, host: {name: 'localhost', vmRoot: VMROOT}, vmRoot: VMROOT, lockTimeoutSeconds: 5},
      {action: 'create-guest', runId, guest, replace: false, media},
    ])
    okAll(made.answers)
    // The journal holds paths and undo steps, never the media's bytes.
    const journal = readFileSync(host.local(`${VMROOT}\\.hvguest\\journal\\${runId}.jsonl`), 'utf8')
    expect(journal).not.toContain(SEED_BYTES.toString('base64'))
    expect(journal).not.toContain('hashhashhash')
    const committed = await session.send([{action: 'commit', runId, vmRoot: VMROOT, guests: {[name]: manifestOf(guest, seed, keepMedia)}}])
    okAll(committed.answers)
    guests[name] = {name, vmId: made.answers[1].data.vmId, seed}
    expect(JSON.stringify(manifest(name))).not.toContain('hashhashhash')
  }
}, 240_000)

afterAll(async () => {
  await session?.close()
})

describe('remove-seed-media', () => {
  it('guest-status and list say the media with a secret is attached, and keepMedia as recorded', async () => {
    const r = await session.send([
      {action: 'guest-status', names: ['seedy', 'keeper'], vmRoot: VMROOT},
      {action: 'list', names: ['seedy', 'keeper'], vmRoot: VMROOT},
    ])
    okAll(r.answers)
    const status = answerData('guest-status', r.answers[0])
    const byName = Object.fromEntries(status.guests.map((g) => [g.name, g]))
    expect(byName.seedy.seedMedia).toMatchObject({path: guests.seedy.seed, secret: true, keepMedia: false, attached: true, slot: 'IDE 1:0', onDisk: true, removedAt: null})
    expect(byName.keeper.seedMedia).toMatchObject({secret: true, keepMedia: true, attached: true})
    expect(byName.seedy.planned?.firstBoot).toMatchObject({secret: true, keepMedia: false})
    const listed = answerData('list', r.answers[1])
    expect(listed.guests.map((g) => [g.name, g.seedMedia?.attached])).toEqual([
      ['keeper', true],
      ['seedy', true],
    ])
  })

  it('a failed eject is rolled back: the guest keeps its media, nothing else changes', async () => {
    const r = await session.send([{raw: "$env:HVGUEST_EMULATOR_FAIL = 'Set-VMDvdDrive:1'"}, ...removal('rm-eject-fault', 'seedy'), {raw: "$env:HVGUEST_EMULATOR_FAIL = ''"}])
    expect(r.answers[1]).toMatchObject({ok: false, error: {step: 'eject-seed-media', cmdlet: 'Set-VMDvdDrive'}})
    const undo = await session.send([{action: 'rollback', runId: 'rm-eject-fault', vmRoot: VMROOT}])
    okAll(undo.answers)
    expectAsCreated('seedy')
  })

  it('killed before the delete: recover puts the media back, newest step first', async () => {
    // The delete of the seed media fails: the run stops there, as a killed one would.
    const r = await session.send([{raw: "$env:HVGUEST_WRITE_FAIL = 'seed-media:1'"}, ...removal('rm-before-delete', 'seedy'), {raw: "$env:HVGUEST_WRITE_FAIL = ''"}])
    expect(r.answers[1]).toMatchObject({ok: false, error: {step: 'delete-seed-media'}})
    expect(r.answers[1].progress.map((p) => p.step).filter((s) => s.includes('seed-media'))).toEqual(['eject-seed-media', 'forget-seed-media', 'delete-seed-media'])
    // Mid-way: ejected and forgotten, the file still there, the journal and lock kept for recover.
    expect(dvdPath('seedy')).toBeNull()
    expect(manifest('seedy').files).not.toContain(guests.seedy.seed)
    expect(journals()).toEqual(['rm-before-delete.jsonl'])
    const journal = readJournal(host.local(`${VMROOT}\\.hvguest\\journal\\rm-before-delete.jsonl`))
    expect(journal.entries.map((e: any) => [e.step, e.undo.action, e.done])).toEqual([
      ['eject-seed-media', 'reattach-seed-media', true],
      ['forget-seed-media', 'restore-seed-manifest', true],
      ['delete-seed-media', 'none', false],
    ])
    const rec = await recoverElsewhere()
    okAll(rec.answers)
    const run = rec.answers[0].data.runs.find((x: any) => x.runId === 'rm-before-delete')
    expect(run.outcome).toBe('rolled-back')
    expect(run.undone.map((u: any) => [u.step, u.action, u.ok])).toEqual([
      ['forget-seed-media', 'restore-seed-manifest', true],
      ['eject-seed-media', 'reattach-seed-media', true],
    ])
    expectAsCreated('seedy')
  })

  it('keepMedia is the caller\'s to respect: the runtime removes what it is asked to, and status then sees it gone', async () => {
    // create --wait never asks for a keepMedia guest (test/unit/execute/seed-media-removal.test.ts);
    // here the keeper's media stays, untouched by the other guest's removal.
    const r = await session.send([...removal('rm-ok', 'seedy'), {action: 'commit', runId: 'rm-ok', vmRoot: VMROOT}])
    okAll(r.answers)
    const data = answerData('remove-seed-media', r.answers[1])
    expect(data).toMatchObject({name: 'seedy', vmId: guests.seedy.vmId, media: guests.seedy.seed, ejected: true, slot: 'IDE 1:0', deleted: true})
    expect(dvdPath('seedy')).toBeNull()
    expect(existsSync(host.local(guests.seedy.seed))).toBe(false)
    expect(manifest('seedy').files).not.toContain(guests.seedy.seed)
    expect(manifest('seedy').guest.firstBoot.mediaRemovedAt).toEqual(expect.any(String))
    expect(journals()).toEqual([])
    expect(lockHeld()).toBe(false)
    // The other guest's media is as it was.
    expect(dvdPath('keeper')).toBe(guests.keeper.seed)
    expect(existsSync(host.local(guests.keeper.seed))).toBe(true)

    const s = await session.send([{action: 'guest-status', names: ['seedy', 'keeper'], vmRoot: VMROOT}])
    const byName = Object.fromEntries(answerData('guest-status', s.answers[0]).guests.map((g) => [g.name, g]))
    expect(byName.seedy.seedMedia).toMatchObject({attached: false, onDisk: false, removedAt: expect.any(String)})
    expect(byName.keeper.seedMedia).toMatchObject({attached: true, keepMedia: true})
  })

  it('killed after the delete: recover leaves the media gone and the manifest saying so', async () => {
    // The journal write that marks the delete done fails (the 6th journal write of the request:
    // each of the three steps is written before and after): the file is gone already.
    const r = await session.send([
      removal('rm-after-delete', 'keeper')[0],
      {raw: "$env:HVGUEST_WRITE_FAIL = 'journal:6'"},
      removal('rm-after-delete', 'keeper')[1],
      {raw: "$env:HVGUEST_WRITE_FAIL = ''"},
    ])
    expect(r.answers[0].ok).toBe(true)
    expect(r.answers[1]).toMatchObject({ok: false, error: {step: 'write-journal'}})
    expect(existsSync(host.local(guests.keeper.seed))).toBe(false)
    const rec = await recoverElsewhere()
    okAll(rec.answers)
    const run = rec.answers[0].data.runs.find((x: any) => x.runId === 'rm-after-delete')
    expect(run.errors).toEqual([])
    expect(run.undone.map((u: any) => u.message)).toEqual([expect.stringContaining('deleted already'), expect.stringContaining('deleted already')])
    expect(vm('keeper')).toBeDefined()
    expect(dvdPath('keeper')).toBeNull()
    expect(manifest('keeper').files).not.toContain(guests.keeper.seed)
    expect(manifest('keeper').guest.firstBoot.mediaRemovedAt).toEqual(expect.any(String))
    expect(journals()).toEqual([])
    expect(lockHeld()).toBe(false)
  })

  it('refuses a path that is not the guest\'s seed media, before any change', async () => {
    const other = clone(removal('rm-foreign', 'seedy'))
    other[1].media = `${VMROOT}\\ISO\\something-else.iso`
    const r = await session.send([...other, {action: 'rollback', runId: 'rm-foreign', vmRoot: VMROOT}])
    expect(r.answers[1]).toMatchObject({ok: false, error: {category: 'InvalidArgument'}})
    expect(r.answers[1].progress.filter((p) => p.step.endsWith('seed-media'))).toEqual([])
    expect(r.answers[2].ok).toBe(true)
  })
})
