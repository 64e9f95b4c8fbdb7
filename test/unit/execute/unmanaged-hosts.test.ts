/**
 * Hosts hvguest plans for but cannot act on (README.md, 'Which hosts hvguest manages'): a host whose inventory OS has no
 * Hyper-V module (2008, 2008 R2) is refused with hyperv-module-missing before anything runs,
 * naming what hvguest manages; `plan` itself still plans for it.
 */
import {describe, expect, it} from 'vitest'
import {isInputError} from '../../../src/model/diagnostic.js'
import {planRun} from '../../../src/plan/build-plan.js'
import {openSession} from '../../../src/powershell/session.js'
import {refuseUnmanagedHosts} from '../../../src/execute/host-actions.js'
import {hasHyperVModule, HOST_OS, MANAGED_HOSTS} from '../../../src/model/host-os.js'
import {countSpawns} from '../../fixtures/session/helpers.js'
import {makeProject} from '../../helpers/plan-fixture.js'

const win = (version: string) => ({family: 'windows', version})
const inventory = (...hosts: Array<{name: string; os?: string}>) => ({hosts: hosts.map((h) => ({transport: 'local', ...h}))})

describe('hasHyperVModule', () => {
  it('is false for 2008 and 2008 R2 only', () => {
    expect(HOST_OS.filter((os) => !hasHyperVModule(os))).toEqual(['windows-server-2008', 'windows-server-2008r2'])
  })
})

describe('refuseUnmanagedHosts (create, --dry-run, --emit)', () => {
  it('adds hyperv-module-missing at the inventory os line of a 2008 R2 host; plan alone stays as it was', () => {
    const cwd = makeProject({spec: {os: win('2008r2'), bootDisk: {size: '40GB'}}, inventory: inventory({name: 'old1', os: 'windows-server-2008r2'})})
    const planned = planRun({templates: ['t1'], cwd})
    expect(planned.plan.summary.errors).toBe(0)
    const refused = refuseUnmanagedHosts(planned)
    const d = refused.plan.diagnostics.filter((x) => x.code === 'hyperv-module-missing')
    expect(d).toHaveLength(1)
    expect(d[0]).toMatchObject({severity: 'error', host: 'old1', source: {line: expect.any(Number)}})
    expect(d[0].source!.file).toMatch(/hosts\.yaml$/)
    expect(d[0].message).toContain(MANAGED_HOSTS)
    expect(refused.plan.summary.errors).toBe(1)
    expect(planned.plan.diagnostics.map((x) => x.code)).not.toContain('hyperv-module-missing')
  })

  it('names the --host-os flag when that is where the OS came from', () => {
    const cwd = makeProject({spec: {os: win('2008r2'), bootDisk: {size: '40GB'}}})
    const refused = refuseUnmanagedHosts(planRun({templates: ['t1'], cwd, hostOs: 'windows-server-2008'}))
    const d = refused.plan.diagnostics.find((x) => x.code === 'hyperv-module-missing')!
    expect(d.message).toContain('windows-server-2008 (--host-os)')
  })

  it('leaves a 2012 host alone, and only refuses the hosts that get guests', () => {
    const cwd = makeProject({spec: {os: win('2012'), bootDisk: {size: '40GB'}}, inventory: inventory({name: 'new1', os: 'windows-server-2012'}, {name: 'old1', os: 'windows-server-2008r2'})})
    const onNew = planRun({templates: ['t1'], cwd, host: 'new1'})
    expect(refuseUnmanagedHosts(onNew)).toBe(onNew)
    const both = refuseUnmanagedHosts(planRun({templates: ['t1'], cwd, count: 2}))
    expect(both.plan.diagnostics.filter((x) => x.code === 'hyperv-module-missing').map((x) => x.host)).toEqual(['old1'])
  })
})

describe('openSession: a host the inventory says is 2008 / 2008 R2', () => {
  it.each(['windows-server-2008', 'windows-server-2008r2'] as const)('%s: refused before any process starts', async (os) => {
    const {error, spawns} = await countSpawns(() => openSession({name: 'old1', transport: 'emulator', entry: {name: 'old1', transport: 'emulator', os, emulator: {stateFile: '/nonexistent/state.json'}}}))
    expect(spawns).toBe(0)
    expect(isInputError(error)).toBe(true)
    if (!isInputError(error)) return
    expect(error.diagnostics.map((d) => d.code)).toEqual(['hyperv-module-missing'])
    expect(error.diagnostics[0].message).toContain('Windows Server 2012')
  })
})
