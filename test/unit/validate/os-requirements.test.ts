/**
 * Windows 11 on Hyper-V (docs/windows-11.md): the OS needs a Generation 2 VM with Secure Boot and
 * a virtual TPM (catalog `requires:` of windows-11), and the TPM needs Gen2 and a 2016+ host.
 * Each is an error at the template line that decides it, with the reason and the fix.
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {seedFilesOf} from '../../../src/resolve/firstboot/index.js'
import {planRun} from '../../../src/plan/build-plan.js'
import type {PlanDiagnostic} from '../../../src/model/plan.js'
import {HOST_OS, atLeast} from '../../../src/model/host-os.js'
import {renderGuest} from '../../../src/report/plan-view.js'
import {el, xmlWellFormed, xpath} from '../../helpers/independent-tools.js'
import {makeProject, planFixture, type Fixture} from '../../helpers/plan-fixture.js'

const win11 = {family: 'windows', version: '11', edition: 'client'}
const good = {
  generation: 2,
  os: win11,
  bootDisk: {size: '64GB'},
  firmware: {secureBoot: 'on', secureBootTemplate: 'MicrosoftWindows'},
  security: {tpm: true},
}

function findings(f: Fixture): Array<{d: PlanDiagnostic; line: string}> {
  const cwd = makeProject(f)
  const r = planRun({templates: ['t1'], cwd, ...f.request})
  const text = readFileSync(join(cwd, 'templates', 't1.yaml'), 'utf8').split('\n')
  return r.plan.diagnostics.filter((d) => d.severity === 'error').map((d) => ({d, line: d.source?.line ? text[d.source.line - 1].trim() : ''}))
}

const codes = (f: Fixture) => findings(f).map((x) => x.d.code)

describe('Windows 11 needs Gen2, Secure Boot and a TPM', () => {
  it('a complete Windows 11 template plans without errors on a 2016+ host, and carries the TPM', () => {
    const r = planFixture({spec: good, request: {hostOs: 'windows-server-2025'}})
    expect(r.plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    const g = r.plan.guests[0]
    expect(g.security).toEqual({tpm: true})
    expect(g.firmware).toEqual({secureBoot: 'on', secureBootTemplate: 'MicrosoftWindows'})
    expect(renderGuest(g)).toContain('Security: virtual TPM (new local key protector), Secure Boot on (MicrosoftWindows)')
  })

  it('a guest that asks for no TPM plans security.tpm: false and shows no Security line', () => {
    const r = planFixture({spec: {generation: 2}, request: {hostOs: 'windows-server-2025'}})
    expect(r.plan.guests[0].security).toEqual({tpm: false})
    expect(renderGuest(r.plan.guests[0])).not.toContain('Security:')
  })

  it('Windows 11 on Generation 1 is os-requires-generation-2 at the generation line', () => {
    const f = findings({spec: {...good, generation: 1, firmware: undefined, security: undefined}, request: {hostOs: 'windows-server-2025'}})
    const hit = f.find((x) => x.d.code === 'os-requires-generation-2')!
    expect(hit, JSON.stringify(f)).toBeDefined()
    expect(hit.line).toBe('generation: 1')
    expect(hit.d.message).toContain('set generation: 2')
    expect(hit.d.message).toContain('https://learn.microsoft.com/windows/whats-new/windows-11-requirements')
    // no second error for the TPM or Secure Boot of a VM that cannot have them
    expect(f.map((x) => x.d.code)).toEqual(['os-requires-generation-2'])
  })

  it('Windows 11 with no generation written is reported at the spec (Gen1 is the default)', () => {
    const f = findings({spec: {os: win11, bootDisk: {size: '64GB'}}, request: {hostOs: 'windows-server-2025'}})
    const hit = f.find((x) => x.d.code === 'os-requires-generation-2')!
    expect(hit.line).toBe('spec:')
  })

  it('Windows 11 without the TPM is os-requires-tpm at the security line, or at the spec when there is none', () => {
    const off = findings({spec: {...good, security: {tpm: false}}, request: {hostOs: 'windows-server-2025'}})
    expect(off.map((x) => x.d.code)).toEqual(['os-requires-tpm'])
    expect(off[0].line).toBe('tpm: false')
    expect(off[0].d.message).toContain('add security: {tpm: true}')
    const none = findings({spec: {...good, security: undefined}, request: {hostOs: 'windows-server-2025'}})
    expect(none.map((x) => x.d.code)).toEqual(['os-requires-tpm'])
    expect(none[0].line).toBe('spec:')
  })

  it('Windows 11 with Secure Boot off is os-requires-secure-boot at that line', () => {
    const f = findings({spec: {...good, firmware: {secureBoot: 'off'}}, request: {hostOs: 'windows-server-2025'}})
    expect(f.map((x) => x.d.code)).toEqual(['os-requires-secure-boot'])
    expect(f[0].line).toBe('secureBoot: off')
  })

  it('Windows 11 with a Secure Boot template other than MicrosoftWindows is os-requires-secure-boot at the template line', () => {
    const f = findings({spec: {...good, firmware: {secureBoot: 'on', secureBootTemplate: 'MicrosoftUEFICertificateAuthority'}}, request: {hostOs: 'windows-server-2025'}})
    expect(f.map((x) => x.d.code)).toEqual(['os-requires-secure-boot'])
    expect(f[0].line).toBe('secureBootTemplate: MicrosoftUEFICertificateAuthority')
    expect(f[0].d.message).toMatch(/MicrosoftWindows Secure Boot template/)
    // near miss: the Windows template, in any letter case
    expect(codes({spec: {...good, firmware: {secureBoot: 'on', secureBootTemplate: 'microsoftwindows'}}, request: {hostOs: 'windows-server-2025'}})).toEqual([])
  })

  it('other Windows releases have no such requirement (near miss)', () => {
    expect(codes({spec: {os: {family: 'windows', version: '10', edition: 'client'}}, request: {hostOs: 'windows-server-2025'}})).toEqual([])
    expect(codes({spec: {os: {family: 'windows', version: '2022'}}, request: {hostOs: 'windows-server-2025'}})).toEqual([])
  })
})

describe('the virtual TPM itself', () => {
  it('security.tpm on a Gen1 VM is tpm-gen1 at the tpm line', () => {
    const f = findings({spec: {security: {tpm: true}}, request: {hostOs: 'windows-server-2025'}})
    expect(f.map((x) => x.d.code)).toEqual(['tpm-gen1'])
    expect(f[0].line).toBe('tpm: true')
    expect(f[0].d.message).toContain('set generation: 2')
  })

  it.each(HOST_OS.filter((os) => atLeast(os, 'windows-server-2012r2')))('%s: security.tpm on Gen2 is an error only before 2016', (os) => {
    const f = findings({spec: {generation: 2, security: {tpm: true}}, request: {hostOs: os}})
    if (atLeast(os, 'windows-server-2016')) expect(f).toEqual([])
    else {
      expect(f.map((x) => x.d.code)).toEqual(['tpm-unsupported-host'])
      expect(f[0].line).toBe('tpm: true')
      expect(f[0].d.message).toContain('arrived with Windows Server 2016 and Windows 10 1511')
    }
  })

  it('the built-in win11 template plans on a 2025 host and fails on a 2012 R2 host with the TPM code', () => {
    const ok = planRun({templates: ['win11'], hostOs: 'windows-server-2025', cwd: makeProject({})})
    expect(ok.plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    expect(ok.plan.guests[0]).toMatchObject({generation: 2, security: {tpm: true}, firmware: {secureBoot: 'on', secureBootTemplate: 'MicrosoftWindows'}})
    const old = planRun({templates: ['win11'], hostOs: 'windows-server-2012r2', cwd: makeProject({})})
    const d = old.plan.diagnostics.find((x) => x.code === 'tpm-unsupported-host')
    expect(d?.severity).toBe('error')
    expect(d?.source?.file).toMatch(/win11\.yaml$/)
    expect(d?.source?.line).toBeGreaterThan(0)
  })
})

describe('the win11 answer file (windows-client.xml.hbs)', () => {
  /** The answer file as the seed media gets it (the password encoded), saved for xmllint; `planned`: the plan's copy. */
  const render = (sets: string[], copy: 'media' | 'planned' = 'media') => {
    const r = planRun({templates: ['win11'], hostOs: 'windows-server-2025', cwd: makeProject({}), sets})
    const guest = r.plan.guests[0]
    const files = copy === 'media' ? seedFilesOf(guest) : guest.firstBoot!.files
    expect(files.map((f) => f.name).sort()).toEqual(['autounattend.xml', 'unattend.xml'])
    const file = join(mkdtempSync(join(tmpdir(), 'hvguest-win11-')), 'unattend.xml')
    writeFileSync(file, files.find((f) => f.name === 'unattend.xml')!.content)
    return file
  }
  const oobe = `/${el('unattend')}/${el('settings')}[@pass='oobeSystem']/${el('component')}`

  it('with a password: well-formed, creates the local administrator and hides the account screens', () => {
    const file = render(['adminPassword=P<&>"1', 'adminUser=ops'])
    expect(xmlWellFormed(file).status).toBe(0)
    const account = `${oobe}/${el('UserAccounts')}/${el('LocalAccounts')}/${el('LocalAccount')}`
    expect(xpath(file, `string(${account}/${el('Name')})`)).toBe('ops')
    expect(xpath(file, `string(${account}/${el('Group')})`)).toBe('Administrators')
    // encoded as Windows SIM writes a LocalAccount password: base64 of UTF-16LE (password + "Password")
    expect(xpath(file, `string(${account}/${el('Password')}/${el('PlainText')})`)).toBe('false')
    expect(Buffer.from(xpath(file, `string(${account}/${el('Password')}/${el('Value')})`), 'base64').toString('utf16le')).toBe('P<&>"1Password')
    expect(readFileSync(file, 'utf8')).not.toContain('P<&>"1')
    expect(readFileSync(file, 'utf8')).not.toContain('P&lt;&amp;&gt;')
    expect(xpath(file, `string(${oobe}/${el('OOBE')}/${el('HideOnlineAccountScreens')})`)).toBe('true')
    expect(xpath(file, `string(${oobe}/${el('OOBE')}/${el('HideLocalAccountScreen')})`)).toBe('true')
    expect(xpath(file, `count(${oobe}/${el('OOBE')}/${el('SkipMachineOOBE')})`)).toBe('0')
  })

  it('the plan\'s copy of the answer file shows (secret) where the password is', () => {
    const file = render(['adminPassword=P<&>"1', 'adminUser=ops'], 'planned')
    expect(xmlWellFormed(file).status).toBe(0)
    const password = `${oobe}/${el('UserAccounts')}/${el('LocalAccounts')}/${el('LocalAccount')}/${el('Password')}`
    expect(xpath(file, `string(${password}/${el('Value')})`)).toBe('(secret)')
    expect(xpath(file, `string(${password}/${el('PlainText')})`)).toBe('false')
  })

  it('without a password: no account, and the local account screen stays', () => {
    const file = render([])
    expect(xmlWellFormed(file).status).toBe(0)
    expect(xpath(file, `count(${oobe}/${el('UserAccounts')})`)).toBe('0')
    expect(xpath(file, `count(${oobe}/${el('OOBE')}/${el('HideLocalAccountScreen')})`)).toBe('0')
  })
})
