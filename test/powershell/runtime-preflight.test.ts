/**
 * preflight's problem codes, one at a time, against a fresh emulated host (New-HvEmulatorState):
 * each case triggers exactly its code (the message names the offending path or guest) and a near
 * miss beside it does not. What the host is (no vmguest.iso, another drive, a fuller volume) is
 * said by the host's state, never by faking the runtime. preflight changes nothing: the state
 * file parses equal and the files (and folders) on the host's drives are the same.
 * Triggers: ps/HvGuest/Private/Facts.ps1 (Invoke-HvPreflightAction).
 */
import {createHash} from 'node:crypto'
import {mkdirSync, readFileSync, readdirSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {describe, expect, it} from 'vitest'
import {editState, newHost, openShared, type EmuHost} from '../fixtures/runtime/harness.js'
import {clone, singleGuestPlan, UBUNTU_PARENT} from '../fixtures/runtime/plans.js'

const MIB = 1024 ** 2

interface Problem {
  code: string
  guest: string | null
  message: string
  path?: string
}

/** Every folder and file under the host's drives (files with their hash). */
function tree(host: EmuHost): Record<string, string> {
  const root = join(host.dir, 'drives')
  const out: Record<string, string> = {}
  const walk = (dir: string) => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e)
      if (statSync(p).isDirectory()) {
        out[`${relative(root, p)}/`] = 'dir'
        walk(p)
      } else out[relative(root, p)] = createHash('sha256').update(readFileSync(p)).digest('hex')
    }
  }
  walk(root)
  return out
}

/**
 * Runs each preflight request in one batch of the file's shared session (openShared); every answer
 * is ok; nothing on the host changed.
 */
async function preflight(host: EmuHost, requests: Array<{plan: any; replace?: boolean; vmRoot?: string}>): Promise<Array<{problems: Problem[]; vmRoot: string}>> {
  const stateBefore = host.state()
  const treeBefore = tree(host)
  const session = await openShared(host)
  expect(session.bootstrap.ok, JSON.stringify(session.bootstrap.error)).toBe(true)
  const run = await session.send(requests.map((r) => ({action: 'preflight', replace: false, ...r})))
  expect(run.stray).toEqual([])
  expect(run.answers).toHaveLength(requests.length)
  for (const a of run.answers) expect(a.ok, JSON.stringify(a.error)).toBe(true)
  expect(host.state()).toEqual(stateBefore)
  expect(tree(host)).toEqual(treeBefore)
  return run.answers.map((a) => a.data)
}

/** The ubuntu-2204 plan (differencing boot disk, three 50 GB dynamic data disks) on a host ready for it. */
const ubuntu = () => singleGuestPlan('ubuntu-2204')
const ubuntuHost = (opts: Parameters<typeof newHost>[0] = {}) => newHost({parents: [{path: UBUNTU_PARENT}], ...opts})

describe('preflight problem codes', () => {
  it('target-duplicate: two drives to be created at the same file (paths compare case-insensitively); near miss: a different file in the same folder', async () => {
    const host = ubuntuHost()
    const second = (bootPath: string) => {
      const plan = ubuntu()
      const b = clone(plan.guests[0])
      b.name = 'ubuntu-b'
      b.hostname = 'ubuntu-b'
      b.path = 'C:\\Hyper-V\\ubuntu-b'
      b.drives = b.drives.map((d: any) => ({...d, path: d.path.replace('\\ubuntu-2204\\', '\\ubuntu-b\\')}))
      b.drives[0].path = bootPath
      plan.guests.push(b)
      return plan
    }
    const duplicate = 'C:\\HYPER-V\\Ubuntu-2204\\ubuntu-2204-BOOT.vhdx' // ubuntu-2204's own boot disk, other case
    const [hit, miss] = await preflight(host, [{plan: second(duplicate)}, {plan: second('C:\\Hyper-V\\ubuntu-2204\\ubuntu-2204-boot2.vhdx')}])
    expect(hit.problems).toEqual([{code: 'target-duplicate', guest: 'ubuntu-b', path: duplicate, message: expect.any(String)}])
    expect(hit.problems[0].message).toContain(duplicate)
    expect(hit.problems[0].message).toContain('ubuntu-2204') // the guest that planned it first
    expect(miss.problems).toEqual([])
  }, 120_000)

  it('copy-source-missing: a disk copied from a file that does not exist; near miss: the file beside it that does', async () => {
    const present = 'C:\\Hyper-V\\Images\\golden-data.vhdx'
    const missing = 'C:\\Hyper-V\\Images\\golden-data-old.vhdx'
    const host = ubuntuHost({files: [{path: present, text: 'a data disk image'}]})
    const copying = (from: string) => {
      const plan = ubuntu()
      Object.assign(plan.guests[0].drives[1], {create: null, copyFrom: from})
      return plan
    }
    const target = ubuntu().guests[0].drives[1].path
    const [hit, miss] = await preflight(host, [{plan: copying(missing)}, {plan: copying(present)}])
    expect(hit.problems).toEqual([{code: 'copy-source-missing', guest: 'ubuntu-2204', path: missing, message: expect.any(String)}])
    expect(hit.problems[0].message).toContain(missing)
    expect(hit.problems[0].message).toContain(target)
    expect(miss.problems).toEqual([])
  }, 120_000)

  it('ic-media-missing: the integration-services ISO on a host without vmguest.iso (2016+); near miss: a 2012 R2 host, which has it', async () => {
    const iso = 'C:\\Windows\\System32\\vmguest.iso'
    const plan = singleGuestPlan('ws2008r2')
    const media = plan.guests[0].drives.find((d: any) => d.role === 'integration-media')
    expect(media.path).toBe(iso)
    const parents = [{path: plan.guests[0].drives[0].create.parentPath}]

    const modern = newHost({hostOs: 'windows-server-2022', parents})
    const [hit] = await preflight(modern, [{plan}])
    expect(hit.problems).toEqual([{code: 'ic-media-missing', guest: 'ws2008r2', path: iso, message: expect.any(String)}])
    expect(hit.problems[0].message).toContain(iso)
    expect(hit.problems[0].message).toContain('integration-media')

    const old = newHost({hostOs: 'windows-server-2012r2', parents})
    const [miss] = await preflight(old, [{plan}])
    expect(miss.problems).toEqual([])
  }, 120_000)

  it('vmroot-unavailable: a vmRoot on a drive the host lacks; near miss: a second drive the host has (its state says so)', async () => {
    const host = ubuntuHost()
    editState(host, (s) => {
      s.drives.D = 'drives/D'
      s.volumes.push({driveLetter: 'D', fileSystemLabel: 'Data', fileSystem: 'NTFS', sizeBytes: 1024 ** 4, freeBytes: 512 * 1024 ** 3})
    })
    mkdirSync(join(host.dir, 'drives', 'D')) // the drive's root (bootstrap would make it; preflight must not be blamed)
    const on = (vmRoot: string) => {
      const plan = ubuntu()
      plan.hosts[0].vmRoot = vmRoot
      return plan
    }
    const [hit, miss, fromRequest] = await preflight(host, [{plan: on('E:\\Hyper-V')}, {plan: on('D:\\Hyper-V')}, {plan: on('D:\\Hyper-V'), vmRoot: 'F:\\VMs'}])
    expect(hit.vmRoot).toBe('E:\\Hyper-V')
    expect(hit.problems).toEqual([{code: 'vmroot-unavailable', guest: null, path: 'E:\\Hyper-V', message: expect.any(String)}])
    expect(hit.problems[0].message).toContain('E:\\Hyper-V')
    expect(hit.problems[0].message).toMatch(/no drive E:/)
    expect(miss).toMatchObject({vmRoot: 'D:\\Hyper-V', problems: []})
    // The request's vmRoot wins over the plan's.
    expect(fromRequest.problems).toEqual([{code: 'vmroot-unavailable', guest: null, path: 'F:\\VMs', message: expect.stringContaining('F:\\VMs')}])
  }, 120_000)

  it('disk-space-insufficient: fixed disks plus copies one byte over the volume\'s free space; near miss: exactly the free space', async () => {
    const seed = 'C:\\Hyper-V\\Images\\seed.vhdx'
    const seedText = 'a small image to copy\n'
    const seedBytes = Buffer.byteLength(seedText)
    const fixed = 768 * MIB
    const free = fixed + seedBytes
    // The volume C: has `free` bytes free (state volumes[].freeBytes); the 50 GB dynamic disk left in
    // the plan does not count (dynamic and differencing disks start small).
    const host = ubuntuHost({freeSpaceBytes: free, files: [{path: seed, text: seedText}]})
    expect(host.state().volumes).toEqual([expect.objectContaining({driveLetter: 'C', freeBytes: free})])
    const needing = (fixedBytes: number) => {
      const plan = ubuntu()
      const [, data1, data2] = plan.guests[0].drives
      data1.create = {...data1.create, type: 'Fixed', sizeBytes: fixedBytes, blockSizeBytes: null}
      Object.assign(data2, {create: null, copyFrom: seed})
      return plan
    }
    const [hit, miss] = await preflight(host, [{plan: needing(fixed + 1)}, {plan: needing(fixed)}])
    expect(hit.problems).toEqual([{code: 'disk-space-insufficient', guest: null, path: 'C:\\Hyper-V', message: expect.any(String)}])
    expect(hit.problems[0].message).toContain('C:\\Hyper-V')
    expect(hit.problems[0].message).toContain(`need ${free + 1} bytes`)
    expect(hit.problems[0].message).toContain(`${free} bytes free`)
    expect(miss.problems).toEqual([])
  }, 120_000)
})
