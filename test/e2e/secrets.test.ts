/**
 * One hostile secret through every path of the BUILT CLI, with real pwsh on an emulated
 * Windows Server 2012 R2 host: plan, --json, --dry-run, create (cloud-init, kickstart and an
 * answer file in one run), create --wait, --emit, ic inject --seed, and a create that fails and
 * rolls back. After each, stdout, stderr, every JSON document and every file of the project (the
 * emulated host's state, its drives: guest folders, journals, manifests, seed media) are searched
 * for the secret in every form it could take: its UTF-8 and UTF-16 bytes, JSON-escaped, and inside
 * any base64 blob (two levels deep, as an emitted script nests its requests and their media).
 * The plain text appears nowhere at all; the answer file's encoded form only on Windows seed
 * media that is still attached; the cloud-init and kickstart hashes verify with openssl.
 */
import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {HOST_2012R2, makeEmulatorProject, prebuildEmulatorProjects, snapshotProject, type EmulatorProject} from '../helpers/emulator-project.js'
import {runCli, type CliResult} from '../helpers/run-cli.js'

/** Quotes of both kinds, $(…) and backticks, a line break, non-ASCII, XML and shell metacharacters. */
const SECRET = 'Pa\'ss"w$(touch /tmp/hvg-pwned)`id`\nZoë 日本😀 ;&<b>|'
const NEW_SECRET = 'n3w\'"$(reboot)\nÅsa'
const CANARY = 'hvg-pwned' // a fragment of SECRET that survives every escaping unchanged

/** The answer file's form of a password (base64 of UTF-16LE of value + element), computed here, not by hvguest. */
const encoded = (value: string, element: string) => Buffer.from(value + element, 'utf16le').toString('base64')

const HOST = HOST_2012R2
const GUESTS = ['ubuntu-2204', 'centos-6', 'ws2012r2']

/** Outside every project: a values file holds the secret by design. */
const outside = mkdtempSync(join(tmpdir(), 'hvguest-secrets-'))
const valuesFile = join(outside, 'values.yaml')
writeFileSync(valuesFile, `adminPassword: ${JSON.stringify(SECRET)}\n`, {mode: 0o600})

const local = (p: EmulatorProject, windowsPath: string) => join(p.dir, '.hvguest', 'drives', 'C', ...windowsPath.slice(3).split('\\'))
const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]))

/** The bytes themselves, then whatever long base64 runs in them decode to, two levels deep. */
function layers(bytes: Buffer, depth = 2): Buffer[] {
  const out = [bytes]
  if (depth === 0) return out
  for (const m of bytes.toString('latin1').matchAll(/[A-Za-z0-9+/]{40,}={0,2}/g)) out.push(...layers(Buffer.from(m[0], 'base64'), depth - 1))
  return out
}

/** Where one of the value's forms occurs in `bytes` (its base64 layers included); empty when nowhere. */
function formsIn(bytes: Buffer, value: string): string[] {
  const forms: Array<[string, Buffer]> = [
    ['utf-8', Buffer.from(value)],
    ['utf-16', Buffer.from(value, 'utf16le')],
    ['json-escaped', Buffer.from(JSON.stringify(value).slice(1, -1))],
    ['canary', Buffer.from(CANARY)],
    ['canary utf-16', Buffer.from(CANARY, 'utf16le')],
  ]
  const found = new Set<string>()
  layers(bytes).forEach((layer, i) => {
    for (const [name, form] of forms) if (layer.includes(form)) found.add(i === 0 ? name : `${name} (in base64)`)
  })
  return [...found]
}

function expectNoSecretIn(texts: Record<string, string | Buffer>, value = SECRET) {
  for (const [what, text] of Object.entries(texts)) {
    expect(formsIn(Buffer.isBuffer(text) ? text : Buffer.from(text), value), what).toEqual([])
  }
}

/** Every file of the project (host state, guest folders, journals, manifests, media) but the listed ones. */
function expectNoSecretOnHost(p: EmulatorProject, allowEncodedIn: string[] = [], value = SECRET) {
  const allowed = new Set(allowEncodedIn.map((w) => local(p, w)))
  const files = walk(p.dir)
  expect(files.length).toBeGreaterThan(3)
  for (const f of files) {
    const bytes = readFileSync(f)
    const where = relative(p.dir, f)
    // Windows seed media still attached holds the encoded answer, which decodes to the value: there,
    // the bytes themselves are searched, and the encoding is the one form allowed
    expect(allowed.has(f) ? formsIn(bytes, value).filter((x) => !x.endsWith('(in base64)')) : formsIn(bytes, value), where).toEqual([])
    // the answer file's encoding only on Windows seed media still attached
    if (!allowed.has(f)) for (const el of ['AdministratorPassword', 'Password']) expect(layers(bytes).some((l) => l.includes(Buffer.from(encoded(value, el)))), `${where}: ${el} encoding`).toBe(false)
  }
}

const outputOf = (r: CliResult) => ({stdout: r.stdout, stderr: r.stderr})

function json(r: CliResult): any {
  try {
    return JSON.parse(r.stdout)
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`)
  }
}

/** A file of the seed media on the host, read back by xorriso. */
function seedFile(p: EmulatorProject, iso: string, name: string): string {
  const out = mkdtempSync(join(tmpdir(), 'hvguest-seed-'))
  execFileSync('xorriso', ['-osirrox', 'on', '-indev', local(p, iso), '-extract', `/${name}`, join(out, name)], {stdio: 'pipe'})
  return readFileSync(join(out, name), 'utf8')
}

/** openssl's SHA-512 crypt of the value with the hash's own salt: the whole string must match. */
function expectCryptOf(hash: string, value: string) {
  expect(hash).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/)
  const salt = hash.split('$')[2]
  expect(execFileSync('openssl', ['passwd', '-6', '-salt', salt, '--', value], {encoding: 'utf8'}).trim()).toBe(hash)
}

const MEDIA = (name: string) => `C:\\Hyper-V\\${name}\\${name}-firstboot.iso`

beforeAll(() => prebuildEmulatorProjects([HOST]), 120_000)

/** The three guests created once (no --wait); tests copy the host from here. */
const created: {run?: CliResult} = {}
function hostWithGuests(): EmulatorProject {
  return snapshotProject('2012 R2 host with three guests made with a secret', () => {
    const q = makeEmulatorProject(HOST)
    created.run = runCli(['create', ...GUESTS, '--values', valuesFile, '--json'], {cwd: q.dir})
    return q
  })
}

describe('a hostile secret through every path', {timeout: 180_000}, () => {
  it('plan, plan --json, create --dry-run (and --json), template show: (secret) in its place, the value nowhere', () => {
    const p = makeEmulatorProject(HOST)
    const runs = {
      plan: runCli(['plan', ...GUESTS, '--values', valuesFile], {cwd: p.dir}),
      planJson: runCli(['plan', ...GUESTS, '--set', `adminPassword=${SECRET}`, '--json'], {cwd: p.dir}),
      dryRun: runCli(['create', ...GUESTS, '--set', `adminPassword=${SECRET}`, '--dry-run'], {cwd: p.dir}),
      dryRunJson: runCli(['create', ...GUESTS, '--values', valuesFile, '--dry-run', '--json'], {cwd: p.dir}),
    }
    for (const [what, r] of Object.entries(runs)) {
      expect(r.code, `${what}: ${r.stderr}`).toBe(0)
      expectNoSecretIn(outputOf(r))
    }
    const plan = json(runs.planJson)
    const files = (i: number) => Object.fromEntries(plan.guests[i].firstBoot.files.map((f: any) => [f.name, f.content]))
    expect(plan.guests.map((g: any) => g.firstBoot.secret)).toEqual([true, true, true])
    expect(files(0)['user-data']).toContain('passwd: "(secret)"')
    expect(files(1)['ks.cfg']).toContain("rootpw --iscrypted '(secret)'")
    expect(files(2)['unattend.xml']).toContain('<Value>(secret)</Value>')
    expect(json(runs.dryRunJson).plan.guests.map((g: any) => g.name)).toEqual(GUESTS)
    // nothing was created by any of them
    expect(p.state().vms).toEqual([])
  })

  it('create: the media carries hashes that verify and the encoded answer, the value is nowhere on the host', () => {
    const p = hostWithGuests()
    const r = created.run!
    expect(r.code, r.stderr + r.stdout).toBe(0)
    expectNoSecretIn(outputOf(r))
    expect(json(r).guests.map((g: any) => g.status)).toEqual(['created', 'created', 'created'])

    const userData = seedFile(p, MEDIA('ubuntu-2204'), 'user-data')
    expectCryptOf(/^ {4}passwd: "(.+)"$/m.exec(userData)![1], SECRET)
    expect(userData).not.toContain('plain_text_passwd')
    const ks = seedFile(p, MEDIA('centos-6'), 'ks.cfg')
    expectCryptOf(/^rootpw --iscrypted '(.+)'$/m.exec(ks)![1], SECRET)
    expectCryptOf(/^user --name=hvadmin --groups=wheel --iscrypted --password='(.+)'$/m.exec(ks)![1], SECRET)
    const answer = seedFile(p, MEDIA('ws2012r2'), 'autounattend.xml')
    expect(answer).toContain(`<Value>${encoded(SECRET, 'AdministratorPassword')}</Value>`)
    expect(answer).toContain('<PlainText>false</PlainText>')
    expect(seedFile(p, MEDIA('ws2012r2'), 'unattend.xml')).toBe(answer)

    expectNoSecretOnHost(p, [MEDIA('ws2012r2')])
    // list and ic status warn while media with a secret is attached, and show it nowhere
    for (const args of [['list', '--json'], ['ic', 'status', 'ws2012r2', '--json'], ['list'], ['ic', 'status', 'ws2012r2']]) {
      const s = runCli(args, {cwd: p.dir})
      expectNoSecretIn(outputOf(s))
      expect(s.stdout, args.join(' ')).toContain('firstboot-secret-attached')
    }
  })

  it('create --wait: once the guest is ready its seed media is ejected and deleted, and the encoded answer is gone too', () => {
    const p = makeEmulatorProject(HOST)
    const r = runCli(['create', 'ws2012r2', '--name', 'w2', '--values', valuesFile, '--wait', '--timeout', '60', '--json'], {cwd: p.dir})
    expect(r.code, r.stderr + r.stdout).toBe(0)
    expectNoSecretIn(outputOf(r))
    expect(existsSync(local(p, MEDIA('w2')))).toBe(false)
    const vm = (p.state().vms as any[]).find((v) => v.name === 'w2')
    expect(vm.dvdDrives.filter((d: any) => d.path === MEDIA('w2'))).toEqual([])
    expectNoSecretOnHost(p)
    const s = runCli(['ic', 'status', 'w2', '--json'], {cwd: p.dir})
    expect(s.stdout).not.toContain('firstboot-secret-attached')
  })

  it('ic inject --seed with a new secret: new media hashed, the output and the host clean of both secrets', () => {
    const p = hostWithGuests()
    const r = runCli(['ic', 'inject', 'ubuntu-2204', '--seed', '--set', `adminPassword=${NEW_SECRET}`, '--json'], {cwd: p.dir})
    expect(r.code, r.stderr + r.stdout).toBe(0)
    expectNoSecretIn(outputOf(r), NEW_SECRET)
    // the new seed is written beside the old one, named for the run
    const folder = local(p, 'C:\\Hyper-V\\ubuntu-2204')
    const fresh = readdirSync(folder).filter((f) => /^ubuntu-2204-firstboot-.+\.iso$/.test(f))
    expect(fresh, readdirSync(folder).join(', ')).toHaveLength(1)
    const userData = seedFile(p, `C:\\Hyper-V\\ubuntu-2204\\${fresh[0]}`, 'user-data')
    expectCryptOf(/^ {4}passwd: "(.+)"$/m.exec(userData)![1], NEW_SECRET)
    // the seed it replaced carried a secret (a hash of the old password): deleted, not left detached
    expect(existsSync(local(p, MEDIA('ubuntu-2204')))).toBe(false)
    expectNoSecretOnHost(p, [MEDIA('ws2012r2')], NEW_SECRET)
    expectNoSecretOnHost(p, [MEDIA('ws2012r2')])
  })

  it('a create that fails on the host rolls back: the message and the host hold no secret, the media is gone', () => {
    const p = makeEmulatorProject(HOST)
    const r = runCli(['create', ...GUESTS, '--set', `adminPassword=${SECRET}`], {cwd: p.dir, env: {HVGUEST_EMULATOR_FAIL: 'New-VM:3'}})
    expect(r.code, r.stderr + r.stdout).toBe(1)
    expect(r.stdout + r.stderr).toMatch(/rolled back/i)
    expectNoSecretIn(outputOf(r))
    expect(p.state().vms).toEqual([])
    for (const g of GUESTS) expect(existsSync(local(p, MEDIA(g))), g).toBe(false)
    expectNoSecretOnHost(p)
  })

  it('create --emit: owner-only file, a notice on stderr, and the plain value nowhere in the script', () => {
    const p = makeEmulatorProject(HOST)
    const script = join(outside, 'create.ps1')
    const r = runCli(['create', 'ws2012r2', 'ubuntu-2204', '--values', valuesFile, '--emit', script], {cwd: p.dir})
    expect(r.code, r.stderr + r.stdout).toBe(0)
    expectNoSecretIn(outputOf(r))
    expect(r.stderr).toMatch(/secret/i)
    if (process.platform !== 'win32') expect(statSync(script).mode & 0o777).toBe(0o600)
    expect(formsIn(readFileSync(script), SECRET)).toEqual([])
    expectNoSecretOnHost(p)

    // --no-secrets asks for every secret parameter when the script runs, given here or not
    const asking = join(outside, 'asking.ps1')
    const n = runCli(['create', 'ws2012r2', '--emit', asking, '--no-secrets'], {cwd: p.dir})
    expect(n.code, n.stderr + n.stdout).toBe(0)
    const asked = /^\$Secrets = '([^']*)'$/m.exec(readFileSync(asking, 'utf8'))
    expect(asked, 'the script lists what it asks for').not.toBeNull()
    const list = JSON.parse(Buffer.from(asked![1], 'base64').toString('utf8')) as Array<{parameter: string}>
    expect(list.map((x) => Buffer.from(x.parameter, 'base64').toString('utf8'))).toEqual(['adminPassword'])
  })
})
