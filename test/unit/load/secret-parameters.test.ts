/**
 * `secret: true` parameters: the value reaches the seed media alone. The plan (its JSON), the
 * parameter messages and the guest names show (secret); a guest template that uses a secret
 * outside its first-boot files is `secret-outside-firstboot` at the key that holds it. At load,
 * a name that says "password" without `secret:` and a secret with a default are warnings, a
 * secret that is not a string is a schema error; each is checked with its near miss.
 */
import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {PlanDiagnostic} from '../../../src/model/plan.js'
import {planRun, type PlanResult} from '../../../src/plan/build-plan.js'
import {loadGuestTemplate} from '../../../src/render/template-file.js'
import {makeProject} from '../../helpers/plan-fixture.js'

const projects: string[] = []
afterAll(() => projects.forEach((p) => rmSync(p, {recursive: true, force: true})))
const project = (f: Parameters<typeof makeProject>[0]): string => {
  const p = makeProject(f)
  projects.push(p)
  return p
}

/** A value that no template, catalog or profile holds, so that any occurrence is the leak. */
const VALUE = 'Hunter2-Zq9x!"<&>'

/** The forms the value could leak in: as it is, JSON-escaped, base64 of it, the answer file's encodings of it. */
const leakForms = (v: string): string[] => [
  v,
  JSON.stringify(v).slice(1, -1),
  Buffer.from(v, 'utf8').toString('base64'),
  Buffer.from(v, 'utf16le').toString('base64'),
  Buffer.from(`${v}AdministratorPassword`, 'utf16le').toString('base64'),
  Buffer.from(`${v}Password`, 'utf16le').toString('base64'),
  'Hunter2-Zq9x',
]

function expectNoLeak(text: string, label: string, v = VALUE): void {
  for (const form of leakForms(v)) expect(text.includes(form), `${label} holds ${JSON.stringify(form)}`).toBe(false)
}

/** A first-boot file that writes adminPassword's hash (when it has a value). */
const HASHING_SEED = '#cloud-config\nhostname: {{guest.hostname}}\n{{#if adminPassword}}\npassword: {{sha512crypt adminPassword}}\n{{/if}}\n'

/** A project template (raw YAML) with a cloud-init first boot (by default one that uses no parameter). */
function secretProject(opts: {parameters: string; spec?: string; values?: string; seed?: string}): string {
  const raw = [
    'apiVersion: hvguest/v1',
    'kind: GuestTemplate',
    'metadata:',
    '  name: t1',
    'parameters:',
    opts.parameters,
    'spec:',
    '  os: { family: linux, distro: ubuntu, version: "22.04" }',
    '  bootDisk: { size: 40GB }',
    '  networkAdapters: [{ switch: Lab }]',
    ...(opts.spec ? [opts.spec] : []),
    '  firstBoot:',
    '    cloudInit: seed.yaml.hbs',
    ...(opts.values ? ['    values:', opts.values] : []),
    '',
  ].join('\n')
  return project({raw, files: {'seed.yaml.hbs': opts.seed ?? '#cloud-config\nhostname: {{guest.hostname}}\n'}})
}

const errors = (r: PlanResult) => r.plan.diagnostics.filter((d) => d.severity === 'error')
const ofCode = (r: PlanResult, code: string) => r.plan.diagnostics.filter((d) => d.code === code)
const lineOf = (cwd: string, d: PlanDiagnostic) => readFileSync(join(cwd, 'templates', 't1.yaml'), 'utf8').split('\n')[d.source!.line! - 1]

// ================================================================ the plan and its JSON

describe('a secret is not in the plan', () => {
  const cwd = project({})
  for (const template of ['ubuntu-2204', 'centos-6', 'ws2022', 'win11']) {
    it(`${template}: JSON.stringify(plan) holds neither the value nor its base64, encoded or hashed form`, () => {
      const r = planRun({templates: [template], sets: [`adminPassword=${VALUE}`], hostOs: 'windows-server-2025', profile: 'intel-10g', cwd})
      expect(errors(r)).toEqual([])
      const json = JSON.stringify(r.plan)
      expectNoLeak(json, `${template} plan`)
      // no SHA-512 crypt hash at all (the templates' comments name the scheme, "$6$", and that is all)
      expect(json).not.toMatch(/\$6\$[./0-9A-Za-z]{16}\$/)
      expect(r.plan.guests[0].firstBoot!.secret).toBe(true)
      expect(r.plan.guests[0].firstBoot!.files.some((f) => f.content.includes('(secret)'))).toBe(true)
    })
  }

  it('near miss: without the password the media carries no secret', () => {
    const r = planRun({templates: ['ubuntu-2204'], hostOs: 'windows-server-2025', cwd})
    expect(errors(r)).toEqual([])
    expect(r.plan.guests[0].firstBoot!.secret).toBe(false)
    expect(JSON.stringify(r.plan)).not.toContain('(secret)')
  })

  it('a --name pattern sees the secret as (secret): the guest name never holds the value', () => {
    const r = planRun({templates: ['ubuntu-2204'], name: 'x{{adminPassword}}', sets: [`adminPassword=${VALUE}`], hostOs: 'windows-server-2025', cwd})
    expectNoLeak(JSON.stringify(r.plan), 'plan with a --name pattern')
    // "x(secret)" is no host name: refused, and the message quotes it as (secret)
    const d = ofCode(r, 'name-invalid')
    expect(d.length).toBeGreaterThan(0)
    expect(d.map((x) => x.message).join('\n')).toContain('x(secret)')
    expect(r.plan.guests.map((g) => g.name).filter((n) => n.includes('Hunter2'))).toEqual([])
  })

  it('near miss: a --name pattern with a parameter that is not secret gets its value', () => {
    const r = planRun({templates: ['ubuntu-2204'], name: 'web-{{adminUser}}', sets: ['adminUser=ops'], hostOs: 'windows-server-2025', cwd})
    expect(errors(r)).toEqual([])
    expect(r.plan.guests.map((g) => g.name)).toEqual(['web-ops'])
  })
})

// ============================================================== parameter-invalid messages

describe('parameter-invalid never quotes a secret', () => {
  const PARAMS = [
    '  pin: { type: string, secret: true, pattern: "^[0-9]+$" }',
    '  code: { type: string, secret: true, allowed: [alpha-one, beta-two] }',
    '  tag: { type: string, pattern: "^[0-9]+$" }',
    '  kind: { type: string, allowed: [alpha-one, beta-two] }',
  ].join('\n')
  const cwd = secretProject({parameters: PARAMS})
  const invalid = (sets: string[], valuesFile?: string) => ofCode(planRun({templates: ['t1'], sets, valuesFile, cwd}), 'parameter-invalid').map((d) => d.message)

  it('a pattern failure shows (secret); near miss: the same failure of a plain parameter shows the value', () => {
    const [secret] = invalid([`pin=${VALUE}`])
    expect(secret).toBe('--set pin: (secret) does not match the pattern ^[0-9]+$')
    expectNoLeak(secret, 'message')
    const [plain] = invalid([`tag=${VALUE}`])
    expect(plain).toBe(`--set tag: ${JSON.stringify(VALUE)} does not match the pattern ^[0-9]+$`)
  })

  it('an allowed-list failure shows (secret), no list and no "did you mean"; near miss: a plain one shows them', () => {
    const [secret] = invalid(['code=alpha-onf'])
    expect(secret).toContain('--set code: (secret) is not one of')
    expect(secret).not.toContain('alpha-on')
    expect(secret).not.toContain('did you mean')
    const [plain] = invalid(['kind=alpha-onf'])
    expect(plain).toBe('--set kind: "alpha-onf" is not one of "alpha-one", "beta-two" (did you mean "alpha-one"?)')
  })

  it('from a --values file too, at the value\'s line', () => {
    const file = join(cwd, 'values.yaml')
    writeFileSync(file, `pin: ${JSON.stringify(VALUE)}\ntag: ${JSON.stringify(VALUE)}\n`)
    const r = planRun({templates: ['t1'], valuesFile: file, cwd})
    const d = ofCode(r, 'parameter-invalid')
    expect(d.map((x) => x.message)).toEqual([
      'parameter "pin": (secret) does not match the pattern ^[0-9]+$',
      `parameter "tag": ${JSON.stringify(VALUE)} does not match the pattern ^[0-9]+$`,
    ])
    expect(d[0].source).toMatchObject({file, line: 1})
    expectNoLeak(JSON.stringify(r.plan.diagnostics.filter((x) => !x.message.startsWith('parameter "tag"'))), 'diagnostics')
  })

  it('a valid secret plans, and the plan does not hold it', () => {
    const r = planRun({templates: ['t1'], sets: ['pin=424242', 'code=beta-two', 'tag=1', 'kind=alpha-one'], cwd})
    expect(errors(r)).toEqual([])
    expect(JSON.stringify(r.plan)).not.toContain('424242')
  })
})

// ============================================================== secret-outside-firstboot

describe('secret-outside-firstboot: a secret used by the guest template itself', () => {
  const PARAMS = '  adminPassword: { type: string, required: false, secret: true }'

  it('in spec.notes: reported at the notes line, and the guest is not planned', () => {
    const cwd = secretProject({parameters: PARAMS, seed: HASHING_SEED, spec: '  notes: "pw {{adminPassword}}"'})
    const r = planRun({templates: ['t1'], sets: [`adminPassword=${VALUE}`], cwd})
    const d = ofCode(r, 'secret-outside-firstboot')
    expect(d).toHaveLength(1)
    expect(d[0].severity).toBe('error')
    expect(d[0].message).toMatch(/^spec\.notes: holds a secret parameter \(adminPassword\)/)
    expect(d[0].source?.file).toBe(join(cwd, 'templates', 't1.yaml'))
    expect(lineOf(cwd, d[0])).toBe('  notes: "pw {{adminPassword}}"')
    expect(r.plan.guests).toEqual([])
    expectNoLeak(JSON.stringify(r.plan), 'plan')
  })

  it('in firstBoot.values: reported at that value\'s line', () => {
    const cwd = secretProject({parameters: PARAMS, seed: HASHING_SEED, values: '      greeting: hello\n      pw: "{{adminPassword}}"'})
    const r = planRun({templates: ['t1'], sets: [`adminPassword=${VALUE}`], cwd})
    const d = ofCode(r, 'secret-outside-firstboot')
    expect(d).toHaveLength(1)
    expect(d[0].message).toMatch(/^spec\.firstBoot\.values\.pw: /)
    expect(lineOf(cwd, d[0])).toBe('      pw: "{{adminPassword}}"')
    expectNoLeak(JSON.stringify(r.plan), 'plan')
  })

  it('near miss: the same template with a parameter that is not secret plans, with its value in the notes', () => {
    const cwd = secretProject({parameters: '  adminPassword: { type: string, required: false, secret: false }', seed: HASHING_SEED, spec: '  notes: "pw {{adminPassword}}"'})
    const r = planRun({templates: ['t1'], sets: ['adminPassword=visible'], cwd})
    expect(errors(r)).toEqual([])
    expect(r.plan.guests[0].notes).toBe('pw visible')
  })

  it('near miss: the secret used only in the first-boot file plans', () => {
    const cwd = secretProject({parameters: PARAMS, seed: HASHING_SEED, spec: '  notes: "no secret here"'})
    const r = planRun({templates: ['t1'], sets: [`adminPassword=${VALUE}`], cwd})
    expect(errors(r)).toEqual([])
    expect(ofCode(r, 'secret-outside-firstboot')).toEqual([])
    expect(r.plan.guests[0].firstBoot!.secret).toBe(true)
  })
})

// ============================================================== load-time checks

describe('secret declarations at load', () => {
  const load = (parameters: string) => {
    const cwd = secretProject({parameters})
    const file = join(cwd, 'templates', 't1.yaml')
    const r = loadGuestTemplate(file)
    const lines = readFileSync(file, 'utf8').split('\n')
    return {r, at: (code: string) => r.diagnostics.filter((d) => d.code === code).map((d) => ({d, line: lines[d.source!.line! - 1].trim(), column: d.source!.column}))}
  }

  it('parameter-looks-secret: a password, secret or token name without secret:, at its key', () => {
    for (const name of ['adminPassword', 'clientSecret', 'apiToken', 'PASSWORD']) {
      const {at} = load(`  ${name}: { type: string, required: false }`)
      const found = at('parameter-looks-secret')
      expect(found, name).toHaveLength(1)
      expect(found[0].d.severity).toBe('warning')
      expect(found[0].d.message).toContain(`parameters.${name}:`)
      expect(found[0].line, name).toBe(`${name}: { type: string, required: false }`)
      expect(found[0].column, name).toBe(3)
    }
  })

  it('near misses: secret: false or secret: true silence it, and another name does not raise it', () => {
    for (const parameters of [
      '  adminPassword: { type: string, required: false, secret: false }',
      '  adminPassword: { type: string, required: false, secret: true }',
      '  adminUser: { type: string, required: false }',
      '  passphraseHint: { type: string, required: false }',
    ]) {
      const {r} = load(parameters)
      expect(r.diagnostics, parameters).toEqual([])
    }
  })

  it('parameter-secret-default: a secret with a default, at the default; near miss: without one', () => {
    const {at} = load('  adminPassword:\n    type: string\n    secret: true\n    default: changeme')
    const found = at('parameter-secret-default')
    expect(found).toHaveLength(1)
    expect(found[0].d.severity).toBe('warning')
    expect(found[0].line).toBe('default: changeme')
    expect(found[0].d.message).not.toContain('changeme')
    expect(load('  adminPassword:\n    type: string\n    secret: true\n    required: false').r.diagnostics).toEqual([])
  })

  it('a secret that is not a string is a schema error at secret:; near miss: a string secret', () => {
    for (const type of ['integer', 'boolean', 'size']) {
      const {r, at} = load(`  pin:\n    type: ${type}\n    required: false\n    secret: true`)
      const found = at('schema')
      expect(found, type).toHaveLength(1)
      expect(found[0].d.severity).toBe('error')
      expect(found[0].d.message).toBe('parameters.pin.secret: only string parameters can be secret')
      expect(found[0].line).toBe('secret: true')
      expect(r.template, type).toBeUndefined()
    }
    expect(load('  pin:\n    type: string\n    required: false\n    secret: true').r.diagnostics).toEqual([])
  })
})
