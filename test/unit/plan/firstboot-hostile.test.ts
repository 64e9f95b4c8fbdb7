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
import {renderFirstBoot} from '../../../src/plan/resolve-firstboot.js'
import {hostContext, profileContext} from '../../../src/plan/resolve-targets.js'
import type {HostOs} from '../../../src/spec/host-os.js'
import {loadGuestTemplate} from '../../../src/spec/load.js'
import {resolveParameters} from '../../../src/spec/parameters.js'
import {makeProject} from '../../helpers/plan-fixture.js'
import {
  bashSyntax,
  cloudInitSchema,
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

const file = (g: PlannedGuest, name: string): string => {
  const f = g.firstBoot?.files.find((x) => x.name === name)
  if (!f) throw new Error(`${g.name}: no first-boot file ${name}`)
  return f.content
}

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
    const base = docs[0]
    expect(base.users[0].plain_text_passwd).toBe(BENIGN)
    docs.forEach((d, i) => {
      const expected = {...base, users: [{...base.users[0], plain_text_passwd: values[i], ssh_authorized_keys: [values[i]]}]}
      expect(d, `${labels[i]}\n${userData[i]}`).toEqual(expected)
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
  })

  it('cloud-init schema accepts hostile user-data (every hostile value at once, and the worst ones alone)', async () => {
    const oneLine = Object.values(ONE_LINE).join(' | ')
    const multiLine = Object.values(MULTI_LINE).join(' | ')
    const together = guestOf(plan('ubuntu-2204', [`adminPassword=${oneLine}`, `sshKey=${multiLine}`]), 'all at once')
    const [doc] = loadYaml([file(together, 'user-data')], ['all at once'])
    expect(doc.users[0].plain_text_passwd).toBe(oneLine)
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
  const files = values.map((v, i) => {
    const g = guestOf(plan('ws2022', [`adminPassword=${v}`, `timeZone=${v}`]), labels[i])
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
      expect(xpath(f, `string(//${el('AdministratorPassword')}/${el('Value')})`), labels[i]).toBe(values[i])
      expect(xpath(f, `string(//${el('TimeZone')})`), labels[i]).toBe(values[i])
      expect(xpath(f, `string(//${el('ComputerName')})`), labels[i]).toBe('ws2022')
      expect(xpath(f, `string(//${el('PlainText')})`), labels[i]).toBe('true')
      expect(counts(f), labels[i]).toEqual(base)
    })
  })
})

// ============================================================ kickstart (shell words)

describe('kickstart: a hostile password, SSH key or time zone is one shell word', () => {
  const labels = ['benign', ...Object.keys(ONE_LINE)]
  const values = ['benign', ...Object.values(ONE_LINE)]
  const texts = values.map((v, i) => file(guestOf(plan('centos-6', [`adminPassword=${v}`, `sshKey=${v}`, `timeZone=${v}`]), labels[i]), 'ks.cfg'))

  it('shlex.split reads each value back exactly as one word; commands, sections and %post keep their shape', () => {
    const layouts = texts.map(kickstartLayout)
    const splits = layouts.map((l) => shlexSplit(l.commands) as string[][])
    const base = {layout: layouts[0], split: splits[0]}
    expect(base.split.find((w) => w[0] === 'rootpw')).toEqual(['rootpw', '--plaintext', '--', 'benign'])
    layouts.forEach((ks, i) => {
      const v = values[i]
      const label = `${labels[i]}\n${texts[i]}`
      expect(ks.problems, label).toEqual([])
      expect(texts[i].split('\n').length, label).toBe(texts[0].split('\n').length)
      // same commands, in the same order, each with the same number of words
      splits[i].forEach((w) => expect(Array.isArray(w), `${label}: ${JSON.stringify(w)}`).toBe(true))
      expect(splits[i].map((w) => [w[0], w.length]), label).toEqual(base.split.map((w) => [w[0], w.length]))
      expect(splits[i].find((w) => w[0] === 'rootpw'), label).toEqual(['rootpw', '--plaintext', '--', v])
      expect(splits[i].find((w) => w[0] === 'user'), label).toEqual(['user', '--name=hvadmin', '--groups=wheel', '--plaintext', `--password=${v}`])
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
    const r = plan('centos-6', ['adminPassword=a\tb'])
    expect(r.plan.diagnostics.filter((x) => x.severity === 'error')).toEqual([])
    const ks = r.plan.guests[0].firstBoot!.files[0].content
    expect(ks).toContain("rootpw --plaintext -- 'a\tb'")
  })

  it('a line break cannot be written into a kickstart: firstboot-value-invalid at the expression', () => {
    const text = readFileSync(KS_TEMPLATE, 'utf8')
    const at = position(text, text.indexOf('rootpw --plaintext -- {{adminPassword}}') + 'rootpw --plaintext -- {{'.length)
    for (const [label, v] of Object.entries(MULTI_LINE)) {
      const r = plan('centos-6', [`adminPassword=${v}`])
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

  it('a U+0001 in the Windows password: the <Value> of the answer file', () => {
    const text = readFileSync(UNATTEND_TEMPLATE, 'utf8')
    const index = text.indexOf('<Value>{{adminPassword}}</Value>') + '<Value>{{'.length
    const r = plan('ws2022', ['adminPassword=a\u0001b'])
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
    const at = position(ks.join('\n'), ks.join('\n').indexOf('rootpw --plaintext -- {{adminPassword}}') + 'rootpw --plaintext -- {{'.length)
    expect(ks[at.line - 1].slice(at.column - 1)).toMatch(/^adminPassword\}\}/)
  })
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
    const at = position(text, text.indexOf('--hostname={{guest.hostname}}') + '--hostname={{'.length)
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
