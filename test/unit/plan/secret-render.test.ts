/**
 * The three renders of a first-boot template with a secret in it: the plan's copy ((secret)),
 * the seed media's bytes (seedFilesOf: the hash, the encoding or the value, rendered when asked,
 * with fresh salts each time) and the placeholder files of a script that asks for the secret
 * when it runs (seedPlaceholderFilesOf: a token per use, and the list of uses). Hashes are
 * checked with openssl, encodings against Microsoft's documented example.
 */
import {rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {seedFilesOf, seedPlaceholderFilesOf} from '../../../src/resolve/firstboot/index.js'
import type {PlannedGuest} from '../../../src/model/plan.js'
import {planRun, type PlanResult} from '../../../src/plan/build-plan.js'
import {cryptMatches, kickstartLayout, pyYamlLoad, shlexSplit} from '../../helpers/independent-tools.js'
import {makeProject} from '../../helpers/plan-fixture.js'

const projects: string[] = []
afterAll(() => projects.forEach((p) => rmSync(p, {recursive: true, force: true})))
const project = (f: Parameters<typeof makeProject>[0]): string => {
  const p = makeProject(f)
  projects.push(p)
  return p
}
const cwd = project({})

const PASSWORD = 'S3cret "pass"!'
const CRYPT = /^\$6\$([./0-9A-Za-z]{16})\$[./0-9A-Za-z]{86}$/
const token = (form: string, parameter = 'adminPassword') => `@@HVGUEST-SECRET:${parameter}:${form}@@`
const DESCRIPTION = 'Its password; unset = key-only login (recommended)'

function guestOf(r: PlanResult): PlannedGuest {
  expect(r.plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
  expect(r.plan.guests).toHaveLength(1)
  return r.plan.guests[0]
}
const plan = (template: string, sets: string[], dir = cwd) => planRun({templates: [template], sets, hostOs: 'windows-server-2025', profile: 'generic-1g', cwd: dir})
const content = (files: Array<{name: string; content: string}>, name: string): string => {
  const f = files.find((x) => x.name === name)
  if (!f) throw new Error(`no file ${name}`)
  return f.content
}
const yamlOf = (text: string): Record<string, any> => {
  const [r] = pyYamlLoad([text])
  if (!r.ok) throw new Error(`PyYAML: ${r.error}\n${text}`)
  return r.value as Record<string, any>
}
const instanceId = (metaData: string): string => yamlOf(metaData)['instance-id']

// ========================================================================= seedFilesOf

describe('seedFilesOf: the media\'s bytes, rendered when asked', () => {
  const g = guestOf(plan('ubuntu-2204', [`adminPassword=${PASSWORD}`]))
  const first = seedFilesOf(g)
  const second = seedFilesOf(g)

  it('has the real hash (openssl agrees) where the plan shows (secret), and the same files otherwise', () => {
    const planned = g.firstBoot!.files
    expect(first.map((f) => f.name)).toEqual(planned.map((f) => f.name))
    const hash = yamlOf(content(first, 'user-data')).users[0].passwd
    expect(hash).toMatch(CRYPT)
    expect(cryptMatches(hash, PASSWORD)).toBe(true)
    expect(content(first, 'user-data')).toBe(content(planned, 'user-data').replace('"(secret)"', `"${hash}"`))
    expect(content(first, 'network-config')).toBe(content(planned, 'network-config'))
    for (const f of first) expect(f.content, f.name).not.toContain(PASSWORD)
  })

  it('meta-data\'s instance-id is the plan\'s (it follows the plan\'s copy, so it is the same in every render)', () => {
    const id = instanceId(content(g.firstBoot!.files, 'meta-data'))
    expect(id).toMatch(/^hvguest-ubuntu-2204-[0-9a-f]{12}$/)
    expect(instanceId(content(first, 'meta-data'))).toBe(id)
    expect(instanceId(content(second, 'meta-data'))).toBe(id)
    expect(content(first, 'meta-data')).toBe(content(g.firstBoot!.files, 'meta-data'))
  })

  it('two calls draw two salts: different hashes, both of the password', () => {
    const [a, b] = [first, second].map((files) => yamlOf(content(files, 'user-data')).users[0].passwd as string)
    expect(CRYPT.exec(a)![1]).not.toBe(CRYPT.exec(b)![1])
    expect(a).not.toBe(b)
    expect(cryptMatches(a, PASSWORD) && cryptMatches(b, PASSWORD)).toBe(true)
  })

  it('a kickstart\'s two hashes have their own salts, and each is the password\'s', () => {
    const ks = content(seedFilesOf(guestOf(plan('centos-6', [`adminPassword=${PASSWORD}`]))), 'ks.cfg')
    const words = shlexSplit(kickstartLayout(ks).commands) as string[][]
    const root = words.find((w) => w[0] === 'rootpw')!.at(-1)!
    const user = words.find((w) => w[0] === 'user')!.at(-1)!.replace(/^--password=/, '')
    expect(CRYPT.exec(root)![1]).not.toBe(CRYPT.exec(user)![1])
    expect(cryptMatches(root, PASSWORD)).toBe(true)
    expect(cryptMatches(user, PASSWORD)).toBe(true)
  })

  it('the answer file\'s encoding of "pw" is Microsoft\'s documented example', () => {
    // learn.microsoft.com, unattend: Microsoft-Windows-Shell-Setup | UserAccounts | AdministratorPassword | Value
    const xml = content(seedFilesOf(guestOf(plan('ws2022', ['adminPassword=pw']))), 'unattend.xml')
    const value = /<AdministratorPassword>\s*(?:<!--[^]*?-->\s*)?<Value>([^<]*)<\/Value>\s*<PlainText>false<\/PlainText>/.exec(xml)
    expect(value?.[1]).toBe('cAB3AEEAZABtAGkAbgBpAHMAdAByAGEAdABvAHIAUABhAHMAcwB3AG8AcgBkAA==')
  })

  it('near miss: a guest without a secret has the plan\'s files as its media, and nothing to ask for', () => {
    const plain = guestOf(plan('ubuntu-2204', ['sshKey=ssh-ed25519 AAAA test']))
    expect(plain.firstBoot!.secret).toBe(false)
    expect(seedFilesOf(plain)).toEqual(plain.firstBoot!.files)
    expect(seedPlaceholderFilesOf(plain)).toEqual({files: plain.firstBoot!.files, secrets: []})
  })

  it('a plan that went through JSON (not made in this process) cannot write media that carries a secret', () => {
    const copy = JSON.parse(JSON.stringify(g)) as PlannedGuest
    expect(() => seedFilesOf(copy)).toThrow(/plan it again/)
    expect(() => seedPlaceholderFilesOf(copy)).toThrow(/plan it again/)
  })
})

// ============================================================== seedPlaceholderFilesOf

describe('seedPlaceholderFilesOf: a token per use, and the list of uses', () => {
  it('cloud-init: the token where the plan shows (secret); one use, sha512crypt, with the parameter\'s description', () => {
    const g = guestOf(plan('ubuntu-2204', [`adminPassword=${PASSWORD}`]))
    const {files, secrets} = seedPlaceholderFilesOf(g)
    expect(secrets).toEqual([{parameter: 'adminPassword', description: DESCRIPTION, forms: ['sha512crypt']}])
    expect(yamlOf(content(files, 'user-data')).users[0].passwd).toBe(token('sha512crypt'))
    expect(content(files, 'user-data')).toBe(content(g.firstBoot!.files, 'user-data').replace('(secret)', token('sha512crypt')))
    expect(instanceId(content(files, 'meta-data'))).toBe(instanceId(content(g.firstBoot!.files, 'meta-data')))
    for (const f of files) expect(f.content, f.name).not.toContain(PASSWORD)
  })

  it('kickstart: two tokens (rootpw and user), one form listed', () => {
    const g = guestOf(plan('centos-6', [`adminPassword=${PASSWORD}`]))
    const {files, secrets} = seedPlaceholderFilesOf(g)
    expect(secrets).toEqual([{parameter: 'adminPassword', description: DESCRIPTION, forms: ['sha512crypt']}])
    const words = shlexSplit(kickstartLayout(content(files, 'ks.cfg')).commands) as string[][]
    expect(words.find((w) => w[0] === 'rootpw')).toEqual(['rootpw', '--iscrypted', token('sha512crypt')])
    expect(words.find((w) => w[0] === 'user')?.at(-1)).toBe(`--password=${token('sha512crypt')}`)
    expect(content(files, 'ks.cfg')).not.toContain('(secret)')
  })

  it('unattend: the element\'s form (AdministratorPassword on a server, Password for a client\'s local account)', () => {
    for (const [template, form] of [['ws2022', 'unattend-AdministratorPassword'], ['win11', 'unattend-Password']]) {
      const g = guestOf(plan(template, [`adminPassword=${PASSWORD}`]))
      const {files, secrets} = seedPlaceholderFilesOf(g)
      expect(secrets.map((s) => [s.parameter, s.forms]), template).toEqual([['adminPassword', [form]]])
      for (const name of ['autounattend.xml', 'unattend.xml']) {
        expect(content(files, name), template).toContain(`<Value>${token(form)}</Value>`)
        expect(content(files, name), template).toBe(content(g.firstBoot!.files, name).replace('(secret)', token(form)))
      }
    }
  })
})

// ============================================================== project first-boot templates

describe('a project\'s first-boot template', () => {
  const SPEC = {networkAdapters: [{switch: 'Lab'}]}
  const PARAMS = {
    adminPassword: {type: 'string', required: false, secret: true, description: 'the admin password'},
    greeting: {type: 'string', default: 'hello'},
  }
  const projectWith = (seed: string) => project({spec: {...SPEC, firstBoot: {cloudInit: 'ud.yaml.hbs'}}, parameters: PARAMS, files: {'ud.yaml.hbs': seed}})

  it('{{adminPassword}} written as it is: the plain form is listed, the media has the value, the plan (secret)', () => {
    const dir = projectWith('#cloud-config\nhostname: {{guest.hostname}}\nchpasswd: {expire: false}\npassword: {{adminPassword}}\n')
    const g = guestOf(planRun({templates: ['t1'], sets: [`adminPassword=${PASSWORD}`], cwd: dir}))
    expect(g.firstBoot!.secret).toBe(true)
    expect(yamlOf(content(g.firstBoot!.files, 'user-data')).password).toBe('(secret)')
    expect(yamlOf(content(seedFilesOf(g), 'user-data')).password).toBe(PASSWORD)
    const {files, secrets} = seedPlaceholderFilesOf(g)
    expect(secrets).toEqual([{parameter: 'adminPassword', description: 'the admin password', forms: ['plain']}])
    expect(yamlOf(content(files, 'user-data')).password).toBe(token('plain'))
  })

  it('a secret written as it is must fit its format at plan time: a line break in a kickstart line, U+0001 in XML', () => {
    const ks = project({
      spec: {...SPEC, os: {family: 'linux', distro: 'centos', version: '7.9'}, firstBoot: {kickstart: 'ks.hbs'}},
      parameters: PARAMS,
      files: {'ks.hbs': 'install\nrootpw --plaintext -- {{adminPassword}}\n'},
    })
    const xml = project({
      spec: {...SPEC, os: {family: 'windows', version: '2022'}, firstBoot: {unattend: 'a.xml.hbs'}},
      parameters: PARAMS,
      files: {'a.xml.hbs': '<?xml version="1.0"?>\n<unattend>\n  <Value>{{adminPassword}}</Value>\n</unattend>\n'},
    })
    for (const [dir, value, line] of [[ks, 'a\nb', 2], [xml, 'a\u0001b', 3]] as const) {
      const r = planRun({templates: ['t1'], sets: [`adminPassword=${value}`], cwd: dir})
      const d = r.plan.diagnostics.filter((x) => x.code === 'firstboot-value-invalid')
      expect(d, JSON.stringify(r.plan.diagnostics)).toHaveLength(1)
      expect(d[0].source).toMatchObject({line})
      expect(JSON.stringify(r.plan)).not.toContain(value)
      // near miss: a value the format holds plans, and its media has every file
      const ok = guestOf(planRun({templates: ['t1'], sets: ['adminPassword=fine'], cwd: dir}))
      expect(seedFilesOf(ok).length).toBe(ok.firstBoot!.files.length)
    }
  })

  it('both forms of one secret in one file are listed, each once', () => {
    const dir = projectWith('#cloud-config\nhostname: {{guest.hostname}}\na: {{adminPassword}}\nb: {{sha512crypt adminPassword}}\nc: {{sha512crypt adminPassword}}\n')
    const g = guestOf(planRun({templates: ['t1'], sets: [`adminPassword=${PASSWORD}`], cwd: dir}))
    const {secrets} = seedPlaceholderFilesOf(g)
    expect(secrets).toHaveLength(1)
    expect([...secrets[0].forms].sort()).toEqual(['plain', 'sha512crypt'])
    const media = yamlOf(content(seedFilesOf(g), 'user-data'))
    expect(media.a).toBe(PASSWORD)
    expect(cryptMatches(media.b, PASSWORD) && cryptMatches(media.c, PASSWORD)).toBe(true)
  })

  it('a hash of a value that is not secret: (secret) in the plan too, computed in the media and in the placeholder files, nothing to ask for', () => {
    const dir = projectWith('#cloud-config\nhostname: {{guest.hostname}}\nh: {{sha512crypt greeting}}\n')
    const g = guestOf(planRun({templates: ['t1'], cwd: dir}))
    expect(g.firstBoot!.secret).toBe(true)
    expect(yamlOf(content(g.firstBoot!.files, 'user-data')).h).toBe('(secret)')
    expect(cryptMatches(yamlOf(content(seedFilesOf(g), 'user-data')).h, 'hello')).toBe(true)
    const {files, secrets} = seedPlaceholderFilesOf(g)
    expect(secrets).toEqual([])
    expect(cryptMatches(yamlOf(content(files, 'user-data')).h, 'hello')).toBe(true)
  })

  it('{{unattendPassword x "Nope"}} is template-helper-error at the expression; near miss: "Password" renders', () => {
    const text = '#cloud-config\nhostname: {{guest.hostname}}\npw: {{unattendPassword adminPassword "Nope"}}\n'
    const dir = projectWith(text)
    const r = planRun({templates: ['t1'], sets: [`adminPassword=${PASSWORD}`], cwd: dir})
    const d = r.plan.diagnostics.filter((x) => x.code === 'template-helper-error')
    expect(d).toHaveLength(1)
    expect(d[0].severity).toBe('error')
    expect(d[0].source).toMatchObject({file: join(dir, 'ud.yaml.hbs'), line: 3})
    expect(d[0].message).toContain('"AdministratorPassword"')
    expect(d[0].message).not.toContain(PASSWORD)
    const ok = guestOf(planRun({templates: ['t1'], sets: [`adminPassword=${PASSWORD}`], cwd: projectWith(text.replace('"Nope"', '"Password"'))}))
    const encoded = yamlOf(content(seedFilesOf(ok), 'user-data')).pw
    expect(Buffer.from(encoded, 'base64').toString('utf16le')).toBe(`${PASSWORD}Password`)
  })
})
