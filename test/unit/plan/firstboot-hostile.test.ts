/**
 * Hostile values in first-boot files: quotes (ASCII and Unicode), backticks, `$(...)`,
 * `${...}`, `;` `&` `<` `>` `]]>`, `: ` and ` #`, line breaks, tabs, non-ASCII, a leading
 * `-` `*` `!`, `%post`, Handlebars markup — as passwords, SSH keys, time zones and hostnames.
 * Each rendered file is read back with an independent parser (PyYAML, xmllint --xpath,
 * Python's shlex.split) to prove the value arrives byte for byte as ONE value in its place
 * and the document keeps its structure. What a format cannot hold fails the plan with
 * `firstboot-value-invalid` at the expression in the first-boot template.
 */
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, describe, expect, it} from 'vitest'
import {locateNowhere} from '../../../src/model/source.js'
import type {PlannedGuest} from '../../../src/model/plan.js'
import {planRun, type PlanResult} from '../../../src/plan/build-plan.js'
import {renderFirstBoot} from '../../../src/resolve/firstboot/index.js'
import {hostContext, profileContext} from '../../../src/resolve/targets.js'
import type {HostOs} from '../../../src/model/host-os.js'
import {loadGuestTemplate} from '../../../src/render/template-file.js'
import {resolveParameters} from '../../../src/load/parameters.js'
import {seedFilesOf} from '../../../src/resolve/firstboot/index.js'
import {makeProject} from '../../helpers/plan-fixture.js'
import {
  bashSyntax,
  cloudInitSchema,
  cryptMatches,
  el,
  kickstartLayout,
  pyYamlLoadFiles,
  shlexSplit,
  xmlWellFormed,
  xpath,
} from '../../helpers/independent-tools.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const FIRSTBOOT = join(ROOT, 'templates', 'firstboot')
const KS_TEMPLATE = join(FIRSTBOOT, 'kickstart', 'centos-6.ks.hbs')
const UNATTEND_TEMPLATE = join(FIRSTBOOT, 'unattend', 'windows-server.xml.hbs')

const work = mkdtempSync(join(tmpdir(), 'hvguest-hostile-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))
let fileNo = 0
function save(name: string, content: string): string {
  const file = join(work, `${fileNo++}-${name}`)
  writeFileSync(file, content, 'utf8')
  return file
}

/** Values every format can hold (no control characters, no line breaks). */
const ONE_LINE: Record<string, string> = {
  'ascii quotes': `it's "quoted" and 'single'`,
  'unicode quotes': '‘single’ “double”',
  backticks: 'a`touch /tmp/pwned`b',
  'command substitution': '$(touch /tmp/pwned)',
  'parameter expansion': '${HOME}$HOME',
  separators: 'a; b & c | d && e',
  'angle brackets': '<x>y</x> ]]> &amp; <!-- c -->',
  'yaml colon and hash': 'key: value #not a comment',
  'yaml flow': '[a, {b: c}], &anchor *alias',
  'leading dash': '- runcmd',
  'leading star': '*star',
  'leading bang': '!!python/object/apply:os.system',
  'percent post': '%post',
  'non-ascii': 'Zoë 日本 😀',
  backslashes: 'C:\\path\\ \\\\server',
  'handlebars markup': '{{guest.hostname}} {{{raw}}}',
  'outer spaces': '  spaced  ',
  'ssh key with comment': 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA+/= "evil" #x',
}

/** Values with line breaks or tabs: YAML and XML hold them, a kickstart line cannot. */
const MULTI_LINE: Record<string, string> = {
  newline: 'line1\nline2',
  'crlf and tab': 'a\r\nb\tc',
  'ssh key with injected yaml': 'ssh-ed25519 AAAA... "evil"\n- runcmd: [touch, /tmp/pwned]',
  'unicode line breaks': 'a\u2028b\u2029c\u0085d',
  'xml break-out': ']]></Value><Value>pwned</Value>\n<!--',
}

const ALL = {...ONE_LINE, ...MULTI_LINE}

function plan(template: string, sets: string[], opts: {hostOs?: HostOs; profile?: string; name?: string; cwd?: string} = {}): PlanResult {
  return planRun({templates: [template], sets, hostOs: opts.hostOs ?? 'windows-server-2022', profile: opts.profile ?? 'intel-10g', name: opts.name, cwd: opts.cwd ?? work})
}

/**
 * A file as the seed media gets it: secrets in (hashed or encoded), not the plan's (secret).
 * Rendered once per guest: each render hashes again, with fresh salts.
 */
const mediaOf = new WeakMap<PlannedGuest, ReturnType<typeof seedFilesOf>>()
const file = (g: PlannedGuest, name: string): string => {
  if (!mediaOf.has(g)) mediaOf.set(g, seedFilesOf(g))
  const f = mediaOf.get(g)!.find((x) => x.name === name)
  if (!f) throw new Error(`${g.name}: no first-boot file ${name}`)
  return f.content
}
/** The plan's copy of a file: what is printed and saved, each secret shown as (secret). */
const planFile = (g: PlannedGuest, name: string): string => {
  const f = g.firstBoot?.files.find((x) => x.name === name)
  if (!f) throw new Error(`${g.name}: no first-boot file ${name} in the plan`)
  return f.content
}

const CRYPT = String.raw`\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}`
const BASE64 = '[A-Za-z0-9+/]+={0,2}'
const escapeRegExp = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
/**
 * What the media has where the plan's copy shows (secret): the media must be the plan's copy
 * byte for byte with each (secret) replaced by one `form` (a hash or an encoding), so the
 * secret reaches nothing else in the file. Returns those replacements.
 */
function secretSpots(planned: string, media: string, form: string): string[] {
  const pieces = planned.split('(secret)')
  expect(pieces.length, planned).toBeGreaterThan(1)
  const m = new RegExp(`^${pieces.map(escapeRegExp).join(`(${form})`)}$`).exec(media)
  expect(m, `the media is not the plan's copy with (secret) replaced:\n${media}`).not.toBeNull()
  return m!.slice(1)
}

/**
 * The forms a value could leak in: as it is, JSON-escaped (also with non-ASCII as \uXXXX, as
 * YAML's double quotes write it), XML-escaped, and each of its words of 5+ letters or digits.
 */
function leakForms(v: string): string[] {
  const json = JSON.stringify(v).slice(1, -1)
  const ascii = json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  const xml = v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
  const words = v.match(/[\p{L}\p{N}]{5,}/gu) ?? []
  return [...new Set([v, json, ascii, xml, ...words])]
}
const occurrences = (text: string, part: string): number => text.split(part).length - 1

/** The answer file's encoded password, decoded: base64 of UTF-16LE (value + element name). */
const decodeUnattend = (b64: string): string => Buffer.from(b64, 'base64').toString('utf16le')

function guestOf(r: PlanResult, label: string): PlannedGuest {
  const bad = r.plan.diagnostics.filter((d) => d.severity === 'error')
  expect(bad, label).toEqual([])
  expect(r.plan.guests, label).toHaveLength(1)
  return r.plan.guests[0]
}

function loadYaml(texts: string[], labels: string[]): Array<Record<string, any>> {
  return pyYamlLoadFiles(texts.map((t) => save('doc.yaml', t))).map((r, i) => {
    if (!r.ok) throw new Error(`${labels[i]}: PyYAML cannot load the file: ${r.error}\n${texts[i]}`)
    return r.value as Record<string, any>
  })
}

/**
 * Renders a planned guest's first-boot files again with another hostname (the plan refuses
 * hostile names, so this is how to prove the escaping of the hostname itself).
 */
function renderWithHostname(r: PlanResult, hostname: string): {guest: PlannedGuest; diagnostics: ReturnType<typeof renderFirstBoot>} {
  const resolved = r.resolved[0]
  const g = resolved.guest
  const templateFile = g.templateFile!
  const loaded = loadGuestTemplate(templateFile)
  const params = resolveParameters(loaded.template!, {sets: []})
  const context = {...params.values, name: g.name, index: 1, host: hostContext(resolved.host), profile: profileContext(resolved.host.profile)}
  const guest: PlannedGuest = {...g, hostname, firstBoot: {...g.firstBoot!, files: [], bootHint: null}}
  const diagnostics = renderFirstBoot({guest, context, unset: params.unset, templateFile, cwd: work, locate: locateNowhere(templateFile)})
  return {guest, diagnostics}
}

/** 1-based line and column of `index` in `text`. */
function position(text: string, index: number): {line: number; column: number} {
  expect(index).toBeGreaterThanOrEqual(0)
  const before = text.slice(0, index)
  return {line: before.split('\n').length, column: index - before.lastIndexOf('\n')}
}

// ================================================================ cloud-init (YAML)

describe('cloud-init: a hostile password or SSH key is one YAML scalar in its place', () => {
  const BENIGN = 'benign'
  const labels = ['benign', ...Object.keys(ALL)]
  const values = [BENIGN, ...Object.values(ALL)]
  const guests = values.map((v, i) => guestOf(plan('ubuntu-2204', [`adminPassword=${v}`, `sshKey=${v}`]), labels[i]))
  const userData = guests.map((g) => file(g, 'user-data'))

  it('PyYAML reads each value back exactly, and every other key is as in the benign document', () => {
    const docs = loadYaml(userData, labels)
    // the password is a SHA-512 crypt hash of it (openssl agrees), never the value itself
    docs.forEach((d, i) => {
      expect(cryptMatches(d.users[0].passwd, values[i]), `${labels[i]}: ${d.users[0].passwd}`).toBe(true)
      expect(d.users[0], labels[i]).not.toHaveProperty('plain_text_passwd')
      if (values[i].length > 3) expect(userData[i], labels[i]).not.toContain(`passwd: ${JSON.stringify(values[i])}`)
      // the media is the plan's copy with the hash where it shows (secret), and nothing else
      expect(secretSpots(planFile(guests[i], 'user-data'), userData[i], CRYPT), labels[i]).toEqual([d.users[0].passwd])
    })
    const withoutHash = (d: Record<string, any>) => ({...d, users: [{...d.users[0], passwd: 'hash'}]})
    const base = withoutHash(docs[0])
    docs.forEach((d, i) => {
      const expected = {...base, users: [{...base.users[0], ssh_authorized_keys: [values[i]]}]}
      expect(withoutHash(d), `${labels[i]}\n${userData[i]}`).toEqual(expected)
    })
  })

  it('meta-data and network-config keep their shape', () => {
    const meta = loadYaml(guests.map((g) => file(g, 'meta-data')), labels)
    const net = loadYaml(guests.map((g) => file(g, 'network-config')), labels)
    meta.forEach((m, i) => {
      expect(Object.keys(m).sort(), labels[i]).toEqual(['instance-id', 'local-hostname'])
      expect(m['local-hostname'], labels[i]).toBe('ubuntu-2204')
    })
    net.forEach((n, i) => expect(n, labels[i]).toEqual(net[0]))
    // neither carries the password: the media's are the plan's
    guests.forEach((g, i) => {
      expect(file(g, 'meta-data'), labels[i]).toBe(planFile(g, 'meta-data'))
      expect(file(g, 'network-config'), labels[i]).toBe(planFile(g, 'network-config'))
    })
  })

  it('cloud-init schema accepts hostile user-data (every hostile value at once, and the worst ones alone)', async () => {
    const oneLine = Object.values(ONE_LINE).join(' | ')
    const multiLine = Object.values(MULTI_LINE).join(' | ')
    const together = guestOf(plan('ubuntu-2204', [`adminPassword=${oneLine}`, `sshKey=${multiLine}`]), 'all at once')
    const [doc] = loadYaml([file(together, 'user-data')], ['all at once'])
    // (openssl truncates past 256 characters: the hash itself is checked for each value above)
    expect(doc.users[0].passwd).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/)
    expect(doc.users[0].ssh_authorized_keys).toEqual([multiLine])
    const worst = ['ssh key with injected yaml', 'leading bang', 'yaml flow']
    const texts = [file(together, 'user-data'), ...worst.map((l) => userData[labels.indexOf(l)])]
    const results = await cloudInitSchema(texts.map((t) => save('user-data', t)))
    results.forEach((r, i) => expect(r.status, `${['all at once', ...worst][i]}\n${r.output}\n${texts[i]}`).toBe(0))
  })
})

// ================================================================== unattend (XML)

describe('unattend: a hostile password or time zone is one XML text value in its place', () => {
  const labels = ['benign', ...Object.keys(ALL)]
  const values = ['benign', ...Object.values(ALL)]
  const guests = values.map((v, i) => guestOf(plan('ws2022', [`adminPassword=${v}`, `timeZone=${v}`]), labels[i]))
  const files = guests.map((g) => {
    expect(file(g, 'autounattend.xml')).toBe(file(g, 'unattend.xml'))
    return save('unattend.xml', file(g, 'unattend.xml'))
  })
  const counts = (f: string) => ({
    elements: xpath(f, 'count(//*)'),
    attributes: xpath(f, 'count(//@*)'),
    comments: xpath(f, 'count(//comment())'),
    values: xpath(f, `count(//${el('Value')})`),
    commands: xpath(f, `count(//${el('RunSynchronousCommand')})`),
  })

  it('xmllint accepts every file and reads the values back exactly, with the same elements and attributes as the benign file', () => {
    const base = counts(files[0])
    expect(base.values).toBe('1')
    files.forEach((f, i) => {
      const wf = xmlWellFormed(f)
      expect(wf.status, `${labels[i]}: ${wf.stderr}`).toBe(0)
      const encoded = xpath(f, `string(//${el('AdministratorPassword')}/${el('Value')})`)
      expect(decodeUnattend(encoded), labels[i]).toBe(`${values[i]}AdministratorPassword`)
      // the media is the plan's copy with the encoding where it shows (secret), and nothing else
      expect(secretSpots(planFile(guests[i], 'unattend.xml'), file(guests[i], 'unattend.xml'), BASE64), labels[i]).toEqual([encoded])
      expect(xpath(f, `string(//${el('TimeZone')})`), labels[i]).toBe(values[i])
      expect(xpath(f, `string(//${el('ComputerName')})`), labels[i]).toBe('ws2022')
      expect(xpath(f, `string(//${el('PlainText')})`), labels[i]).toBe('false')
      expect(counts(f), labels[i]).toEqual(base)
    })
  })
})

// ============================================================ kickstart (shell words)

describe('kickstart: a hostile password, SSH key or time zone is one shell word', () => {
  const labels = ['benign', ...Object.keys(ONE_LINE)]
  const values = ['benign', ...Object.values(ONE_LINE)]
  const guests = values.map((v, i) => guestOf(plan('centos-6', [`adminPassword=${v}`, `sshKey=${v}`, `timeZone=${v}`]), labels[i]))
  const texts = guests.map((g) => file(g, 'ks.cfg'))

  it('shlex.split reads each value back exactly as one word; commands, sections and %post keep their shape', () => {
    const layouts = texts.map(kickstartLayout)
    const splits = layouts.map((l) => shlexSplit(l.commands) as string[][])
    const base = {layout: layouts[0], split: splits[0]}
    const hashOf = (words: string[] | undefined, prefix = '') => (words?.at(-1) ?? '').slice(prefix.length)
    expect(base.split.find((w) => w[0] === 'rootpw')?.slice(0, 2)).toEqual(['rootpw', '--iscrypted'])
    layouts.forEach((ks, i) => {
      const v = values[i]
      const label = `${labels[i]}\n${texts[i]}`
      expect(ks.problems, label).toEqual([])
      expect(texts[i].split('\n').length, label).toBe(texts[0].split('\n').length)
      // same commands, in the same order, each with the same number of words
      splits[i].forEach((w) => expect(Array.isArray(w), `${label}: ${JSON.stringify(w)}`).toBe(true))
      expect(splits[i].map((w) => [w[0], w.length]), label).toEqual(base.split.map((w) => [w[0], w.length]))
      // the passwords are SHA-512 crypt hashes of the value (openssl agrees), one word each
      const rootpw = splits[i].find((w) => w[0] === 'rootpw')
      const user = splits[i].find((w) => w[0] === 'user')
      expect(rootpw?.slice(0, 2), label).toEqual(['rootpw', '--iscrypted'])
      expect(cryptMatches(hashOf(rootpw), v), label).toBe(true)
      expect(user?.slice(0, 4), label).toEqual(['user', '--name=hvadmin', '--groups=wheel', '--iscrypted'])
      expect(cryptMatches(hashOf(user, '--password='), v), label).toBe(true)
      // the media is the plan's copy with the hashes where it shows (secret), and nothing else
      expect(secretSpots(planFile(guests[i], 'ks.cfg'), texts[i], CRYPT), label).toEqual([hashOf(rootpw), hashOf(user, '--password=')])
      expect(splits[i].find((w) => w[0] === 'timezone'), label).toEqual(['timezone', '--utc', '--', v])
      // same sections; %post has the same lines and still parses as bash
      expect(ks.sections.map((s) => [s.header, s.closed, s.body.length]), label).toEqual(base.layout.sections.map((s) => [s.header, s.closed, s.body.length]))
      const post = ks.sections.find((s) => s.header.startsWith('%post'))!
      const [printf] = shlexSplit(post.body.filter((l) => l.startsWith('printf ') && l.includes('authorized_keys')))
      expect(printf, label).toEqual(['printf', '%s\\n', v, '>>', '/home/hvadmin/.ssh/authorized_keys'])
      const bash = bashSyntax(post.body.join('\n') + '\n')
      expect(bash.status, `${label}\n${bash.stderr}`).toBe(0)
    })
  })

  it('a tab is held in quotes: one word', () => {
    const r = plan('centos-6', ['timeZone=a\tb'])
    expect(r.plan.diagnostics.filter((x) => x.severity === 'error')).toEqual([])
    const ks = r.plan.guests[0].firstBoot!.files[0].content
    expect(ks).toContain("timezone --utc -- 'a\tb'")
  })

  it('a password with a line break is fine: only its hash is written, one word on one line', () => {
    const benign = kickstartLayout(file(guestOf(plan('centos-6', ['adminPassword=benign']), 'benign'), 'ks.cfg'))
    const benignSplit = shlexSplit(benign.commands) as string[][]
    for (const [label, v] of Object.entries(MULTI_LINE)) {
      const g = guestOf(plan('centos-6', [`adminPassword=${v}`]), label)
      const text = file(g, 'ks.cfg')
      const ks = kickstartLayout(text)
      const [rootpw] = shlexSplit(ks.commands.filter((c) => c.startsWith('rootpw '))) as string[][]
      expect(rootpw.length, label).toBe(3)
      expect(cryptMatches(rootpw[2], v), label).toBe(true)
      // the document keeps its structure: lines, commands and their words, sections
      expect(ks.problems, label).toEqual([])
      expect(text.split('\n').length, label).toBe(planFile(g, 'ks.cfg').split('\n').length)
      const split = shlexSplit(ks.commands) as string[][]
      expect(split.map((w) => [w[0], w.length]), label).toEqual(benignSplit.map((w) => [w[0], w.length]))
      const user = split.find((w) => w[0] === 'user')!
      expect(cryptMatches(user[4].slice('--password='.length), v), label).toBe(true)
      expect(ks.sections.map((s) => [s.header, s.closed, s.body]), label).toEqual(benign.sections.map((s) => [s.header, s.closed, s.body]))
      expect(secretSpots(planFile(g, 'ks.cfg'), text, CRYPT), label).toEqual([rootpw[2], user[4].slice('--password='.length)])
    }
  })

  it('a line break cannot be written into a kickstart: firstboot-value-invalid at the expression', () => {
    const text = readFileSync(KS_TEMPLATE, 'utf8')
    const at = position(text, text.indexOf('timezone --utc -- {{timeZone}}') + 'timezone --utc -- {{'.length)
    for (const [label, v] of Object.entries(MULTI_LINE)) {
      const r = plan('centos-6', [`timeZone=${v}`])
      const d = r.plan.diagnostics.filter((x) => x.code === 'firstboot-value-invalid')
      expect(d, label).toHaveLength(1)
      expect(d[0].severity).toBe('error')
      expect(d[0].guest).toBe('centos-6')
      expect(d[0].source, label).toMatchObject({file: KS_TEMPLATE, ...at})
    }
  })
})

// ========================================================================= values
// that the format cannot hold, through planRun: exact position in the first-boot template

describe('firstboot-value-invalid points at the expression in the first-boot template', () => {
  it('a newline in the SSH key: the %post printf line of the kickstart', () => {
    const text = readFileSync(KS_TEMPLATE, 'utf8')
    const index = text.indexOf("printf '%s\\n' {{sshKey}}") + "printf '%s\\n' {{".length
    const r = plan('centos-6', [`sshKey=${MULTI_LINE['ssh key with injected yaml']}`])
    const d = r.plan.diagnostics.filter((x) => x.code === 'firstboot-value-invalid')
    expect(d).toHaveLength(1)
    expect(d[0].source).toMatchObject({file: KS_TEMPLATE, ...position(text, index)})
    expect(d[0].message).toContain('line break')
  })

  it('a U+0001 in the Windows password is fine: it is written encoded (base64), and decodes back', () => {
    const g = guestOf(plan('ws2022', ['adminPassword=a\u0001b']), 'U+0001 password')
    const f = save('unattend.xml', file(g, 'unattend.xml'))
    expect(xmlWellFormed(f).status).toBe(0)
    expect(decodeUnattend(xpath(f, `string(//${el('AdministratorPassword')}/${el('Value')})`))).toBe('a\u0001bAdministratorPassword')
  })

  it('a U+0001 in the time zone: the <TimeZone> of the answer file', () => {
    const text = readFileSync(UNATTEND_TEMPLATE, 'utf8')
    const index = text.indexOf('<TimeZone>{{timeZone}}</TimeZone>') + '<TimeZone>{{'.length
    const r = plan('ws2022', ['timeZone=a\u0001b'])
    const d = r.plan.diagnostics.filter((x) => x.code === 'firstboot-value-invalid')
    // one diagnostic, although the template renders both autounattend.xml and unattend.xml
    expect(d).toHaveLength(1)
    expect(d[0].severity).toBe('error')
    expect(d[0].guest).toBe('ws2022')
    expect(d[0].source).toMatchObject({file: UNATTEND_TEMPLATE, ...position(text, index)})
    expect(d[0].message).toContain('U+0001')
    expect(r.plan.guests[0]?.firstBoot?.files ?? []).toEqual([])
  })

  it('the positions asserted above are where the expressions are (line text check)', () => {
    const ks = readFileSync(KS_TEMPLATE, 'utf8').split('\n')
    const at = position(ks.join('\n'), ks.join('\n').indexOf('timezone --utc -- {{timeZone}}') + 'timezone --utc -- {{'.length)
    expect(ks[at.line - 1].slice(at.column - 1)).toMatch(/^timeZone\}\}/)
    const xml = readFileSync(UNATTEND_TEMPLATE, 'utf8')
    const tz = position(xml, xml.indexOf('<TimeZone>{{timeZone}}</TimeZone>') + '<TimeZone>{{'.length)
    expect(xml.split('\n')[tz.line - 1].slice(tz.column - 1)).toMatch(/^timeZone\}\}/)
  })
})

// ====================================================== the password alone, in every format

describe('a hostile password alone reaches the media only hashed or encoded; the plan shows (secret)', () => {
  // every hostile value in one password (line breaks too: only its hash or encoding is written)
  const every = Object.values(ALL).join(' | ')
  const forms = [...new Set(Object.values(ALL).flatMap(leakForms))]
  const FORMATS: Array<[string, string[], string]> = [
    ['ubuntu-2204', ['user-data', 'meta-data', 'network-config'], CRYPT],
    ['centos-6', ['ks.cfg'], CRYPT],
    ['ws2022', ['autounattend.xml', 'unattend.xml'], BASE64],
  ]
  for (const [template, names, form] of FORMATS) {
    it(`${template}: no form of any hostile value is in the media, the plan's files or the plan's JSON more often than with a benign password`, () => {
      const benign = plan(template, ['adminPassword=benign'])
      const hostile = plan(template, [`adminPassword=${every}`])
      const b = guestOf(benign, 'benign')
      const h = guestOf(hostile, 'every hostile value')
      const texts = (r: PlanResult, g: PlannedGuest): Record<string, string> => ({
        'the plan (JSON)': JSON.stringify(r.plan),
        ...Object.fromEntries(names.flatMap((n) => [[`media ${n}`, file(g, n)], [`plan ${n}`, planFile(g, n)]])),
      })
      const [tb, th] = [texts(benign, b), texts(hostile, h)]
      for (const [where, text] of Object.entries(th)) {
        for (const f of forms) expect(occurrences(text, f), `${where}: ${JSON.stringify(f)}`).toBe(occurrences(tb[where], f))
      }
      expect(tb['the plan (JSON)']).not.toContain('benign')
      // the password changes nothing in the plan's files: they show (secret) either way
      for (const n of names) expect(planFile(h, n), n).toBe(planFile(b, n))
      expect(h.firstBoot!.secret).toBe(true)
      // and the media is the plan's copy with each (secret) replaced by a hash or an encoding
      const spots = names.flatMap((n) => (planFile(h, n).includes('(secret)') ? secretSpots(planFile(h, n), file(h, n), form) : []))
      expect(spots.length).toBe({'ubuntu-2204': 1, 'centos-6': 2, ws2022: 2}[template])
      if (template === 'ws2022') for (const s of spots) expect(decodeUnattend(s)).toBe(`${every}AdministratorPassword`)
      for (const n of names) if (!planFile(h, n).includes('(secret)')) expect(file(h, n), n).toBe(planFile(h, n))
    })
  }
})

// ======================================================================= hostnames

describe('hostnames', () => {
  const HOSTILE_NAMES: Record<string, string> = {
    quote: 'web"01',
    'command substitution': 'web$(id)',
    semicolon: 'web;reboot',
    space: 'web 01',
    'non-ascii': 'zoë',
    'leading dash': '-web',
    angle: 'web<b>',
    newline: 'web\n01',
  }

  it('the plan refuses a hostile guest name with name-invalid', () => {
    for (const [label, name] of Object.entries(HOSTILE_NAMES)) {
      for (const template of ['ubuntu-2204', 'centos-6', 'ws2022']) {
        const r = plan(template, [], {name})
        const codes = r.plan.diagnostics.map((d) => d.code)
        expect(codes, `${template} ${label}`).toContain('name-invalid')
      }
    }
  })

  it('the plan refuses a hostile spec.hostname with name-invalid too', () => {
    const cwd = makeProject({
      spec: {hostname: 'web"; touch /tmp/pwned', firstBoot: {cloudInit: 'firstboot/cloud-init'}},
      parameters: {adminUser: {type: 'string', default: 'hvadmin'}},
    })
    try {
      const r = planRun({templates: ['t1'], cwd})
      expect(r.plan.diagnostics.filter((d) => d.code === 'name-invalid').length).toBeGreaterThan(0)
    } finally {
      rmSync(cwd, {recursive: true, force: true})
    }
  })

  // The escaping itself, with the plan's name check out of the way.
  const hostnames = {benign: 'web01', ...ONE_LINE}
  const linuxMulti = MULTI_LINE

  it('cloud-init: the hostname is one scalar in user-data (hostname) and meta-data (local-hostname)', () => {
    const base = guestOf(plan('ubuntu-2204', []), 'ubuntu')
    const r = plan('ubuntu-2204', [])
    const entries = Object.entries({...hostnames, ...linuxMulti})
    const rendered = entries.map(([label, h]) => {
      const {guest, diagnostics} = renderWithHostname(r, h)
      expect(diagnostics, label).toEqual([])
      return guest
    })
    const labels = entries.map(([l]) => l)
    const users = loadYaml(rendered.map((g) => file(g, 'user-data')), labels)
    const metas = loadYaml(rendered.map((g) => file(g, 'meta-data')), labels)
    const [baseUser] = loadYaml([file(base, 'user-data')], ['base'])
    entries.forEach(([label, h], i) => {
      expect(users[i], label).toEqual({...baseUser, hostname: h})
      expect(Object.keys(metas[i]).sort(), label).toEqual(['instance-id', 'local-hostname'])
      expect(metas[i]['local-hostname'], label).toBe(h)
    })
  })

  it('unattend: the hostname is the one ComputerName, and the document keeps its elements', () => {
    const r = plan('ws2022', [])
    const entries = Object.entries({...hostnames, ...linuxMulti})
    let baseCount: string | undefined
    for (const [label, h] of entries) {
      const {guest, diagnostics} = renderWithHostname(r, h)
      expect(diagnostics, label).toEqual([])
      const f = save('unattend.xml', file(guest, 'unattend.xml'))
      expect(xmlWellFormed(f).status, label).toBe(0)
      expect(xpath(f, `count(//${el('ComputerName')})`), label).toBe('1')
      expect(xpath(f, `string(//${el('ComputerName')})`), label).toBe(h)
      const count = xpath(f, 'count(//*)')
      baseCount ??= count
      expect(count, label).toBe(baseCount)
    }
  })

  it('kickstart: the hostname is one word of the network command; a line break fails the render', () => {
    const r = plan('centos-6', [])
    let baseWords: string[] | undefined
    for (const [label, h] of Object.entries(hostnames)) {
      const {guest, diagnostics} = renderWithHostname(r, h)
      expect(diagnostics, label).toEqual([])
      const ks = kickstartLayout(file(guest, 'ks.cfg'))
      const [network] = shlexSplit(ks.commands.filter((c) => c.startsWith('network '))) as string[][]
      baseWords ??= network
      expect(network.length, label).toBe(baseWords.length)
      expect(network.filter((w) => w.startsWith('--hostname=')), label).toEqual([`--hostname=${h}`])
    }
    const text = readFileSync(KS_TEMPLATE, 'utf8')
    // the network command of the first adapter carries the hostname (the guest has one adapter)
    const at = position(text, text.indexOf('--hostname={{../guest.hostname}}') + '--hostname={{'.length)
    for (const [label, h] of Object.entries(linuxMulti)) {
      const {diagnostics} = renderWithHostname(r, h)
      expect(diagnostics.map((d) => d.code), label).toEqual(['firstboot-value-invalid'])
      expect(diagnostics[0].source, label).toMatchObject({file: KS_TEMPLATE, ...at})
    }
  })
})

// ============================================================ first-boot templates of a project

describe('first-boot templates of a project', () => {
  const spec = (firstBoot: Record<string, string>) => ({firstBoot, networkAdapters: [{switch: 'Lab'}]})
  const projects: string[] = []
  afterAll(() => projects.forEach((p) => rmSync(p, {recursive: true, force: true})))
  const project = (f: Parameters<typeof makeProject>[0]) => {
    const p = makeProject(f)
    projects.push(p)
    return p
  }

  it('a syntax error is template-syntax with the first-boot file, line and column', () => {
    const text = '#cloud-config\nhostname: {{guest.hostname}}\nruncmd:\n  - [echo, {{guest.name}]\n'
    const cwd = project({spec: spec({cloudInit: 'ud.yaml.hbs'}), files: {'ud.yaml.hbs': text}})
    const r = planRun({templates: ['t1'], cwd})
    const d = r.plan.diagnostics.filter((x) => x.code === 'template-syntax')
    expect(d).toHaveLength(1)
    // the parser stops at the lone "}" after guest.name: line 4, column 24
    expect(d[0].source).toMatchObject({file: join(cwd, 'ud.yaml.hbs'), line: 4, column: 24})
    expect('  - [echo, {{guest.name}]'[24 - 1]).toBe('}')
  })

  it('an unclosed block in a cloud-init folder\'s own network-config is template-syntax in that file', () => {
    const cwd = project({spec: spec({cloudInit: 'seed'})})
    const dir = join(cwd, 'seed')
    mkdirSync(dir)
    writeFileSync(join(dir, 'user-data.yaml.hbs'), '#cloud-config\nhostname: {{guest.hostname}}\n')
    writeFileSync(join(dir, 'network-config.yaml.hbs'), 'version: 2\n{{#if guest.mtu}}\nethernets: {}\n')
    const r = planRun({templates: ['t1'], cwd})
    const d = r.plan.diagnostics.filter((x) => x.code === 'template-syntax')
    expect(d).toHaveLength(1)
    // Handlebars notices the missing {{/if}} at the end of the text: line 4, column 1
    expect(d[0].source).toMatchObject({file: join(dir, 'network-config.yaml.hbs'), line: 4, column: 1})
    expect(d[0].message).toContain('{{/block}}')
  })

  it('an undefined variable is template-undefined-variable at its line and column in the first-boot file', () => {
    const text = '<?xml version="1.0"?>\n<unattend>\n  <ComputerName>{{guest.hostnme}}</ComputerName>\n</unattend>\n'
    const cwd = project({spec: {...spec({unattend: 'answer.xml.hbs'}), os: {family: 'windows', version: '2022'}}, files: {'answer.xml.hbs': text}})
    const r = planRun({templates: ['t1'], cwd})
    const d = r.plan.diagnostics.filter((x) => x.code === 'template-undefined-variable')
    expect(d).toHaveLength(1)
    expect(d[0].source).toMatchObject({file: join(cwd, 'answer.xml.hbs'), line: 3, column: 19})
    expect(d[0].message).toContain('"guest.hostnme"')
    expect(d[0].message).toContain('did you mean "guest.hostname"')
  })

  it('an undefined variable in a kickstart inside {{#each}} is reported at its line and column', () => {
    const text = '# boot-hint: ks=cdrom:/ks.cfg\ninstall\n%post\n{{#each guest.integration.daemonUnits}}\nchkconfig {{unit}} on\n{{/each}}\n%end\n'
    const cwd = project({spec: {...spec({kickstart: 'ks.hbs'}), os: {family: 'linux', distro: 'centos', version: '7.9'}}, files: {'ks.hbs': text}})
    const r = planRun({templates: ['t1'], cwd})
    const d = r.plan.diagnostics.filter((x) => x.code === 'template-undefined-variable')
    expect(d).toHaveLength(1)
    expect(d[0].source).toMatchObject({file: join(cwd, 'ks.hbs'), line: 5, column: 13})
  })

  it('a missing first-boot template is firstboot-template-not-found', () => {
    for (const firstBoot of [{cloudInit: 'nope/user-data.yaml.hbs'}, {kickstart: 'nope.ks.hbs'}, {unattend: 'firstboot/unattend/nope.xml.hbs'}] as Array<Record<string, string>>) {
      const cwd = project({spec: spec(firstBoot)})
      const r = planRun({templates: ['t1'], cwd})
      expect(r.plan.diagnostics.map((d) => d.code), JSON.stringify(firstBoot)).toContain('firstboot-template-not-found')
    }
  })

  it('a cloud-init folder without user-data.yaml.hbs is firstboot-template-not-found', () => {
    const cwd = project({spec: spec({cloudInit: 'seed'})})
    mkdirSync(join(cwd, 'seed'))
    writeFileSync(join(cwd, 'seed', 'meta-data.yaml.hbs'), 'instance-id: {{seed.instanceId}}\n')
    const r = planRun({templates: ['t1'], cwd})
    expect(r.plan.diagnostics.map((d) => d.code)).toContain('firstboot-template-not-found')
  })
})
