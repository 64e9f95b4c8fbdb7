/**
 * Every built-in guest template's first-boot files, planned for several host OSes and
 * hardware profiles, with and without credentials, and checked with the tools the guest side
 * uses: cloud-init's own schema check and PyYAML for the NoCloud seed, Python's shlex and
 * `bash -n` for the kickstart, xmllint for the answer file. Then the content the plan promises:
 * the catalog's daemon packages and units, the hv_* modules in the initramfs, LIS from its
 * media, IC setup / *JumboPacket / TCP Chimney commands exactly when the plan calls for them.
 */
import {mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, describe, expect, it} from 'vitest'
import {seedFilesOf} from '../../../src/resolve/firstboot/index.js'
import type {PlannedFirstBootFile, PlannedGuest} from '../../../src/model/plan.js'
import {planRun, type PlanResult} from '../../../src/plan/build-plan.js'
import type {HostOs} from '../../../src/model/host-os.js'
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
const work = mkdtempSync(join(tmpdir(), 'hvguest-firstboot-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))

let fileNo = 0
function save(name: string, content: string): string {
  const file = join(work, `${fileNo++}-${name}`)
  writeFileSync(file, content, 'utf8')
  return file
}

// --------------------------------------------------------------------------- matrix

type Kind = 'cloudInit' | 'kickstart' | 'unattend'

/** The hosts the matrix plans every template for (templates with their own `hosts` excepted). */
const HOSTS: Array<{os: HostOs; profile: string}> = [
  // 2008 R2 + intel-10g: Windows jumbo and chimney, no Linux jumbo; 2012 R2+ + intel-10g: jumbo everywhere.
  {os: 'windows-server-2008r2', profile: 'intel-10g'},
  {os: 'windows-server-2012r2', profile: 'intel-10g'},
  {os: 'windows-server-2022', profile: 'generic-1g'},
  {os: 'windows-server-2022', profile: 'intel-10g'},
]
/** The releases of today are planned for the hosts that run them: 2022 and 2025 (Windows 11's vTPM needs 2016+). */
const TODAY: Array<{os: HostOs; profile: string}> = [
  {os: 'windows-server-2022', profile: 'intel-10g'},
  {os: 'windows-server-2025', profile: 'generic-1g'},
]

const TEMPLATES: Record<string, {kind: Kind; family: 'linux' | 'windows'; hosts?: Array<{os: HostOs; profile: string}>}> = {
  'ubuntu-2204': {kind: 'cloudInit', family: 'linux'},
  'debian-12': {kind: 'cloudInit', family: 'linux'},
  'centos-6': {kind: 'kickstart', family: 'linux'},
  ws2008r2: {kind: 'unattend', family: 'windows'},
  ws2012r2: {kind: 'unattend', family: 'windows'},
  ws2022: {kind: 'unattend', family: 'windows'},
  'ws2022-dc': {kind: 'unattend', family: 'windows'},
  'ubuntu-2404': {kind: 'cloudInit', family: 'linux', hosts: TODAY},
  'ubuntu-2604': {kind: 'cloudInit', family: 'linux', hosts: TODAY},
  'debian-13': {kind: 'cloudInit', family: 'linux', hosts: TODAY},
  'rocky-9': {kind: 'cloudInit', family: 'linux', hosts: TODAY},
  'rocky-10': {kind: 'cloudInit', family: 'linux', hosts: TODAY},
  'alma-9': {kind: 'cloudInit', family: 'linux', hosts: TODAY},
  'alma-10': {kind: 'cloudInit', family: 'linux', hosts: TODAY},
  ws2025: {kind: 'unattend', family: 'windows', hosts: TODAY},
  win11: {kind: 'unattend', family: 'windows', hosts: TODAY},
}

const PASSWORD = 'S3cret pass!'
const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHv1Ex4mpleKeyOnlyForTests me@host'

interface Case {
  label: string
  template: string
  kind: Kind
  host: {os: HostOs; profile: string}
  creds: boolean
  result: PlanResult
  guest: PlannedGuest
}

function plan(template: string, host: {os: HostOs; profile: string}, creds: boolean, cwd = work): Case {
  const family = TEMPLATES[template]?.family ?? 'linux'
  const sets = !creds ? [] : family === 'windows' ? [`adminPassword=${PASSWORD}`] : [`adminPassword=${PASSWORD}`, `sshKey=${SSH_KEY}`]
  const result = planRun({templates: [template], sets, hostOs: host.os, profile: host.profile, cwd})
  const guest = result.plan.guests[0]
  return {label: `${template} on ${host.os}/${host.profile}${creds ? ' with credentials' : ''}`, template, kind: TEMPLATES[template]?.kind, host, creds, result, guest}
}

const CASES: Case[] = []
for (const [template, t] of Object.entries(TEMPLATES)) for (const host of t.hosts ?? HOSTS) for (const creds of [false, true]) CASES.push(plan(template, host, creds))
const ofKind = (kind: Kind) => CASES.filter((c) => c.kind === kind)
/**
 * The seed media's files, as the guest gets them (secrets hashed or encoded): rendered once per
 * case, since every render draws fresh salts.
 */
const mediaFiles = new Map<Case, PlannedFirstBootFile[]>()
const media = (c: Case): PlannedFirstBootFile[] => {
  if (!mediaFiles.has(c)) mediaFiles.set(c, seedFilesOf(c.guest))
  return mediaFiles.get(c)!
}
const file = (c: Case, name: string): string => {
  const f = media(c).find((x) => x.name === name)
  if (!f) throw new Error(`${c.label}: no first-boot file ${name}`)
  return f.content
}
/** The plan's copy of a file: what is printed and saved, a secret shown as (secret). */
const planFile = (c: Case, name: string): string => {
  const f = c.guest.firstBoot?.files.find((x) => x.name === name)
  if (!f) throw new Error(`${c.label}: no first-boot file ${name} in the plan`)
  return f.content
}

/** Jumbo frames in a LINUX guest: a 9014 profile on a 2012 R2 or later host (docs/hyperv-facts.md, 'Jumbo frames'). */
const linuxJumbo = (c: Case) => c.host.profile === 'intel-10g' && c.host.os !== 'windows-server-2008r2'

// The OS catalog, read with PyYAML (anchors resolved by PyYAML, not by hvguest).
const [catalogLoad] = pyYamlLoadFiles([join(ROOT, 'templates', 'catalog', 'os.yaml')])
if (!catalogLoad.ok) throw new Error(`PyYAML cannot read the OS catalog: ${catalogLoad.error}`)
interface LinuxEntry {
  id: string
  initramfs: string | null
  kernelModules: string[]
  packages: string[]
  daemonUnits: string[]
  strategy: string
}
const LINUX = (catalogLoad.value as {linux: LinuxEntry[]}).linux
const catalogEntry = (c: Case): LinuxEntry => {
  const e = LINUX.find((x) => x.id === c.guest.integration.catalogEntry)
  if (!e) throw new Error(`${c.label}: catalog entry ${c.guest.integration.catalogEntry} not in os.yaml`)
  return e
}

// ------------------------------------------------------------------------- the plans

describe('the matrix', () => {
  it('covers every built-in guest template', () => {
    const builtIn = readdirSync(join(ROOT, 'templates', 'guests'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.replace(/\.yaml$/, ''))
      .sort()
    expect(Object.keys(TEMPLATES).sort()).toEqual(builtIn)
  })

  it('every plan has its guest, first-boot files of the template\'s kind, and no first-boot or template diagnostic', () => {
    const NAMES: Record<Kind, string[]> = {cloudInit: ['user-data', 'meta-data', 'network-config'], kickstart: ['ks.cfg'], unattend: ['autounattend.xml', 'unattend.xml']}
    for (const c of CASES) {
      expect(c.guest, c.label).toBeDefined()
      const bad = c.result.plan.diagnostics.filter((d) => d.code.startsWith('firstboot-') || d.code.startsWith('template-') || d.code.startsWith('parameter-'))
      expect(bad, c.label).toEqual([])
      expect(c.guest.firstBoot?.kind, c.label).toBe(c.kind)
      expect(c.guest.firstBoot!.files.map((f) => f.name), c.label).toEqual(NAMES[c.kind])
      for (const f of c.guest.firstBoot!.files) expect(f.content.length, `${c.label} ${f.name}`).toBeGreaterThan(20)
      // the password is the built-in templates' one secret: with it the media carries a secret,
      // and only the media has it; without it the media is the plan's files
      expect(c.guest.firstBoot!.secret, c.label).toBe(c.creds)
      expect(media(c).map((f) => f.name), c.label).toEqual(NAMES[c.kind])
      if (!c.creds) expect(media(c), c.label).toEqual(c.guest.firstBoot!.files)
      for (const f of c.guest.firstBoot!.files) expect(f.content, `${c.label} ${f.name}`).not.toContain(PASSWORD)
      for (const f of media(c)) expect(f.content, `${c.label} ${f.name}`).not.toContain(PASSWORD)
      if (c.creds) expect(JSON.stringify(c.result.plan), c.label).not.toContain(PASSWORD)
    }
  })
})

// =========================================================================== cloud-init

describe('cloud-init (Ubuntu, Debian, Rocky Linux, AlmaLinux)', () => {
  const cases = ofKind('cloudInit')
  const loadAll = (name: string) => {
    const loaded = pyYamlLoadFiles(cases.map((c) => save(name, file(c, name))))
    return cases.map((c, i) => {
      const r = loaded[i]
      if (!r.ok) throw new Error(`${c.label}: PyYAML cannot load ${name}: ${r.error}\n${file(c, name)}`)
      return r.value as Record<string, any>
    })
  }

  it('user-data passes `cloud-init schema --config-file`', async () => {
    // one per distinct document (the plan's copy: the media's differ in their random salts)
    const distinct = [...new Map(cases.map((c) => [planFile(c, 'user-data'), c])).values()].map((c) => [file(c, 'user-data'), c] as const)
    const results = await cloudInitSchema(distinct.map(([content]) => save('user-data', content)))
    results.forEach((r, i) => {
      expect(r.status, `${distinct[i][1].label}\n${r.output}\n${distinct[i][0]}`).toBe(0)
      expect(r.output).toMatch(/Valid cloud-config/)
    })
    expect(distinct.length).toBeGreaterThanOrEqual(4) // two distros x with/without credentials
  })

  it('user-data (PyYAML) installs the catalog packages, enables its units and puts the hv_* modules into the initramfs', () => {
    const docs = loadAll('user-data')
    cases.forEach((c, i) => {
      const d = docs[i]
      const entry = catalogEntry(c)
      expect(entry.strategy, c.label).toBe('linux-builtin')
      expect(entry.packages.length, c.label).toBeGreaterThan(0)
      expect(d.packages, c.label).toEqual(entry.packages)
      expect(d.package_update, c.label).toBe(true)
      const runcmd = d.runcmd as unknown[]
      for (const unit of entry.daemonUnits) expect(runcmd, `${c.label} ${unit}`).toContainEqual(['systemctl', 'enable', '--now', unit])
      expect(entry.daemonUnits.length).toBeGreaterThan(0)
      expect(entry.kernelModules, c.label).toEqual(expect.arrayContaining(['hv_vmbus', 'hv_storvsc', 'hv_netvsc']))
      // initramfs-tools (Debian; Ubuntu before 25.10): one module per line in /etc/initramfs-tools/modules,
      // then rebuild; dracut (Ubuntu 25.10+, Rocky/Alma): add_drivers in a dracut.conf.d file, then
      // every installed kernel's image again
      const dracutUbuntu = c.guest.os.distro === 'ubuntu' && Number(c.guest.os.version.split('.')[0]) >= 26
      const debianFamily = ['ubuntu', 'debian'].includes(c.guest.os.distro ?? '') && !dracutUbuntu
      expect(entry.initramfs, c.label).toBe(debianFamily ? 'initramfs-tools' : 'dracut')
      const initramfsFile = debianFamily
        ? {path: '/etc/initramfs-tools/modules', content: entry.kernelModules.map((m) => `${m}\n`).join(''), append: true}
        : {path: '/etc/dracut.conf.d/hyperv.conf', content: `add_drivers+=" ${entry.kernelModules.join(' ')} "\n`, append: false}
      expect(d.write_files, c.label).toEqual([initramfsFile])
      const rebuildCommand = debianFamily ? ['update-initramfs', '-u', '-k', 'all'] : ['dracut', '-f', '--regenerate-all']
      const rebuild = runcmd.findIndex((x) => JSON.stringify(x) === JSON.stringify(rebuildCommand))
      expect(rebuild, c.label).toBeGreaterThanOrEqual(0)
      expect(runcmd.at(-1), c.label).toEqual(['touch', '/var/lib/hvguest-firstboot-done'])
      // Ubuntu: the cloud tools of the running kernel, before the daemons are enabled
      const tools = runcmd.findIndex((x) => JSON.stringify(x) === JSON.stringify(['sh', '-c', 'apt-get install -y linux-cloud-tools-$(uname -r) || true']))
      const firstUnit = runcmd.findIndex((x) => Array.isArray(x) && x[0] === 'systemctl')
      if (c.guest.os.distro === 'ubuntu') expect(tools, c.label).toBeGreaterThanOrEqual(0)
      if (c.guest.os.distro === 'ubuntu') expect(tools, c.label).toBeLessThan(firstUnit)
      if (c.guest.os.distro !== 'ubuntu') expect(tools, c.label).toBe(-1)
    })
  })

  it('user-data sets the hostname and the admin user, with a password (its hash) and key only when given', () => {
    const docs = loadAll('user-data')
    const planDocs = pyYamlLoadFiles(cases.map((c) => save('user-data', planFile(c, 'user-data')))).map((r, i) => {
      if (!r.ok) throw new Error(`${cases[i].label}: PyYAML cannot load the plan's user-data: ${r.error}`)
      return r.value as Record<string, any>
    })
    cases.forEach((c, i) => {
      const d = docs[i]
      expect(d.hostname, c.label).toBe(c.guest.hostname)
      expect(d.hostname, c.label).toBe(c.template)
      expect(d.users, c.label).toHaveLength(1)
      const u = d.users[0]
      expect(u.name, c.label).toBe('hvadmin')
      expect(u.sudo, c.label).toBe('ALL=(ALL) NOPASSWD:ALL')
      if (c.creds) {
        expect(u.lock_passwd, c.label).toBe(false)
        // a SHA-512 crypt hash that openssl computes the same from the password; never the password
        expect(cryptMatches(u.passwd, PASSWORD), `${c.label}: ${u.passwd}`).toBe(true)
        expect(u, c.label).not.toHaveProperty('plain_text_passwd')
        expect(file(c, 'user-data'), c.label).not.toContain(PASSWORD)
        // the plan's copy: (secret) where the hash is, the document otherwise the same
        expect(planDocs[i].users[0].passwd, c.label).toBe('(secret)')
        expect(planDocs[i], c.label).toEqual({...d, users: [{...u, passwd: '(secret)'}]})
        expect(u.ssh_authorized_keys, c.label).toEqual([SSH_KEY])
        expect(d.ssh_pwauth, c.label).toBe(true)
      } else {
        expect(u.lock_passwd, c.label).toBe(true)
        expect(u, c.label).not.toHaveProperty('plain_text_passwd')
        expect(u, c.label).not.toHaveProperty('passwd')
        expect(planDocs[i], c.label).toEqual(d)
        expect(u, c.label).not.toHaveProperty('ssh_authorized_keys')
        expect(d.ssh_pwauth, c.label).toBe(false)
      }
    })
  })

  it('meta-data (PyYAML) holds the instance id and the hostname; the id follows the seed content', () => {
    const docs = loadAll('meta-data')
    cases.forEach((c, i) => {
      expect(Object.keys(docs[i]).sort(), c.label).toEqual(['instance-id', 'local-hostname'])
      expect(docs[i]['local-hostname'], c.label).toBe(c.guest.hostname)
      expect(docs[i]['instance-id'], c.label).toMatch(new RegExp(`^hvguest-${c.guest.name}-[0-9a-f]{12}$`))
    })
    const id = (template: string, creds: boolean, os: HostOs, profile: string) =>
      docs[cases.findIndex((c) => c.template === template && c.creds === creds && c.host.os === os && c.host.profile === profile)]['instance-id']
    expect(id('ubuntu-2204', true, 'windows-server-2022', 'generic-1g')).not.toBe(id('ubuntu-2204', false, 'windows-server-2022', 'generic-1g'))
    expect(id('ubuntu-2204', false, 'windows-server-2022', 'intel-10g')).not.toBe(id('ubuntu-2204', false, 'windows-server-2022', 'generic-1g'))
  })

  it('network-config (PyYAML) is version 2 with mtu 9000 exactly when the profile gives 9014 jumbo frames on a 2012 R2+ host', () => {
    const docs = loadAll('network-config')
    let withMtu = 0
    cases.forEach((c, i) => {
      const d = docs[i]
      expect(d.version, c.label).toBe(2)
      expect(Object.keys(d.ethernets), c.label).toEqual(['nic0'])
      const nic = d.ethernets.nic0
      expect(nic.match, c.label).toEqual({driver: 'hv_netvsc'})
      expect(nic.dhcp4, c.label).toBe(true)
      if (linuxJumbo(c)) {
        withMtu++
        expect(nic.mtu, c.label).toBe(9000)
        expect(c.guest.networkAdapters[0].jumboPacket, c.label).toBe(9014)
      } else {
        expect(nic, c.label).not.toHaveProperty('mtu')
        expect(c.guest.networkAdapters[0].jumboPacket, c.label).toBeNull()
      }
    })
    expect(withMtu).toBeGreaterThan(0)
    expect(withMtu).toBeLessThan(cases.length)
  })
})

// ============================================================================ kickstart

describe('kickstart (centos-6)', () => {
  const cases = ofKind('kickstart')

  function checkKickstart(c: Case) {
    const text = file(c, 'ks.cfg')
    const ks = kickstartLayout(text)
    expect(ks.problems, c.label).toEqual([])
    // %packages and %post, each closed with %end
    expect(ks.sections.map((s) => s.header.split(/\s/)[0]), c.label).toEqual(['%packages', '%post'])
    for (const s of ks.sections) expect(s.closed, `${c.label} ${s.header}`).toBe(true)
    // every command line outside the sections splits like pykickstart splits it
    const split = shlexSplit(ks.commands)
    split.forEach((words, i) => {
      expect(Array.isArray(words), `${c.label}: ${ks.commands[i]} -> ${JSON.stringify(words)}`).toBe(true)
      expect((words as string[]).length, ks.commands[i]).toBeGreaterThan(0)
    })
    // the %post body is valid bash
    const post = ks.sections[1]
    const bash = bashSyntax(post.body.join('\n') + '\n')
    expect(bash.status, `${c.label}\n${bash.stderr}\n${post.body.join('\n')}`).toBe(0)
    // the plan's boot hint is the file's `# boot-hint:` line
    expect(text.split('\n')[0]).toBe('# boot-hint: ks=cdrom:/ks.cfg')
    expect(ks.bootHint, c.label).toBe('ks=cdrom:/ks.cfg')
    expect(c.guest.firstBoot!.bootHint, c.label).toBe(ks.bootHint)
    return {text, ks, commands: split as string[][], post}
  }

  it('is laid out as kickstart: shlex-clean commands, %sections closed with %end, %post passes bash -n, boot hint in the plan', () => {
    for (const c of cases) checkKickstart(c)
  })

  it('sets the hostname, the time zone and the MTU (jumbo frames on 2012 R2+ hosts only)', () => {
    for (const c of cases) {
      const {commands} = checkKickstart(c)
      const network = commands.find((w) => w[0] === 'network')!
      expect(network, c.label).toContain(`--hostname=${c.guest.hostname}`)
      expect(network.includes('--mtu=9000'), c.label).toBe(linuxJumbo(c))
      expect(commands.find((w) => w[0] === 'timezone'), c.label).toEqual(['timezone', '--utc', '--', 'UTC'])
    }
  })

  it('sets the root password and the admin user (as hashes) only with a password, else locks them; the key lands in authorized_keys', () => {
    for (const c of cases) {
      const {commands, post} = checkKickstart(c)
      const rootpw = commands.find((w) => w[0] === 'rootpw')
      const user = commands.find((w) => w[0] === 'user')!
      const [echoKey] = shlexSplit(post.body.filter((l) => l.includes('authorized_keys') && l.startsWith('printf ')))
      const planCommands = shlexSplit(kickstartLayout(planFile(c, 'ks.cfg')).commands) as string[][]
      if (c.creds) {
        // SHA-512 crypt hashes that openssl computes the same from the password; never the password
        expect(rootpw?.slice(0, 2), c.label).toEqual(['rootpw', '--iscrypted'])
        expect(rootpw, c.label).toHaveLength(3)
        expect(cryptMatches(rootpw![2], PASSWORD), `${c.label}: ${rootpw![2]}`).toBe(true)
        expect(user.slice(0, 4), c.label).toEqual(['user', '--name=hvadmin', '--groups=wheel', '--iscrypted'])
        expect(user, c.label).toHaveLength(5)
        expect(user[4], c.label).toMatch(/^--password=/)
        expect(cryptMatches(user[4].slice('--password='.length), PASSWORD), `${c.label}: ${user[4]}`).toBe(true)
        expect(file(c, 'ks.cfg'), c.label).not.toContain(PASSWORD)
        // the plan's copy: (secret) where each hash is
        expect(planCommands.find((w) => w[0] === 'rootpw'), c.label).toEqual(['rootpw', '--iscrypted', '(secret)'])
        expect(planCommands.find((w) => w[0] === 'user'), c.label).toEqual(['user', '--name=hvadmin', '--groups=wheel', '--iscrypted', '--password=(secret)'])
        expect(echoKey, c.label).toEqual(['printf', '%s\\n', SSH_KEY, '>>', '/home/hvadmin/.ssh/authorized_keys'])
      } else {
        expect(rootpw, c.label).toEqual(['rootpw', '--lock', '--iscrypted', '!!'])
        expect(user, c.label).toEqual(['user', '--name=hvadmin', '--groups=wheel'])
        expect(echoKey, c.label).toBeUndefined()
        expect(planFile(c, 'ks.cfg'), c.label).toBe(file(c, 'ks.cfg'))
      }
    }
  })

  it('%post runs LIS install.sh from the LIS media the plan attaches, puts the hv modules into dracut and enables the daemons', () => {
    for (const c of cases) {
      const {post} = checkKickstart(c)
      const lis = c.guest.drives.filter((d) => d.role === 'integration-media')
      expect(c.guest.integration.strategy, c.label).toBe('linux-lis')
      expect(lis.map((d) => d.path), c.label).toEqual([c.guest.integration.media])
      expect(c.guest.integration.media, c.label).toMatch(/LinuxIntegrationServices-[\d.-]+\.iso$/)
      expect(post.body.some((l) => /\.\/install\.sh\b/.test(l)), c.label).toBe(true)
      expectDracut(c, post.body)
      for (const unit of catalogEntry(c).daemonUnits) expect(post.body, `${c.label} ${unit}`).toContain(`chkconfig ${unit} on`)
    }
  })

  /** The %post line that writes dracut's drop-in, read with shlex: echo's words joined by one space. */
  function expectDracut(c: Case, body: string[]) {
    const entry = catalogEntry(c)
    expect(entry.initramfs, c.label).toBe('dracut')
    const lines = body.filter((l) => l.includes('/etc/dracut.conf.d/hyperv.conf'))
    expect(lines, c.label).toHaveLength(1)
    const [words] = shlexSplit(lines) as string[][]
    expect(words[0]).toBe('echo')
    expect(words.slice(-2), c.label).toEqual(['>', '/etc/dracut.conf.d/hyperv.conf'])
    const written = words.slice(1, -2).join(' ')
    expect(written, c.label).toBe(`add_drivers+=" ${entry.kernelModules.join(' ')} "`)
    expect(body.some((l) => /^\s*dracut -f /.test(l)), c.label).toBe(true)
  }

  it('without LIS media (install: none, or EL7 with in-kernel drivers) %post does not run install.sh', () => {
    const proj = join(work, 'ks-project')
    mkdirSync(join(proj, 'templates'), {recursive: true})
    const base = readFileSync(join(ROOT, 'templates', 'guests', 'centos-6.yaml'), 'utf8')
    const variant = (name: string, edit: (t: string) => string) => {
      const text = edit(base).replace(/^ {2}name: centos-6$/m, `  name: ${name}`)
      expect(text).not.toBe(base)
      writeFileSync(join(proj, 'templates', `${name}.yaml`), text)
    }
    variant('c6-noic', (t) => t.replace('install: attach-media', 'install: none'))
    variant('c7', (t) => t.replace('version: "6.10"', 'version: "7.9"').replace('install: attach-media', 'install: auto'))
    const host = {os: 'windows-server-2022' as HostOs, profile: 'generic-1g'}
    const noic = plan('c6-noic', host, false, proj)
    const el7 = plan('c7', host, false, proj)
    for (const c of [noic, el7]) {
      c.kind = 'kickstart'
      expect(c.guest.firstBoot?.kind, c.label).toBe('kickstart')
      expect(c.guest.integration.media, c.label).toBeNull()
      expect(c.guest.drives.filter((d) => d.role === 'integration-media'), c.label).toEqual([])
      const {post} = checkKickstart(c)
      expect(post.body.some((l) => l.includes('install.sh')), c.label).toBe(false)
    }
    expect(el7.guest.integration.strategy).toBe('linux-builtin')
    expectDracut(el7, checkKickstart(el7).post.body)
  })
})

// ============================================================================= unattend

describe('unattend (ws2008r2, ws2012r2, ws2022, ws2022-dc)', () => {
  const cases = ofKind('unattend')
  const paths = (f: string): string[] => {
    const n = Number(xpath(f, `count(//${el('RunSynchronousCommand')})`))
    return Array.from({length: n}, (_, i) => xpath(f, `string((//${el('RunSynchronousCommand')})[${i + 1}]/${el('Path')})`))
  }
  const saved = new Map<Case, string>()
  const fileOf = (c: Case) => {
    if (!saved.has(c)) saved.set(c, save('unattend.xml', file(c, 'unattend.xml')))
    return saved.get(c)!
  }

  it('autounattend.xml and unattend.xml are the same document, well-formed for xmllint', () => {
    for (const c of cases) {
      expect(file(c, 'autounattend.xml'), c.label).toBe(file(c, 'unattend.xml'))
      const r = xmlWellFormed(fileOf(c))
      expect(r.status, `${c.label}\n${r.stderr}`).toBe(0)
    }
  })

  it('every RunSynchronousCommand Path fits the 259 characters Setup accepts', () => {
    let seen = 0
    for (const c of cases) {
      for (const p of paths(fileOf(c))) {
        seen++
        expect(p.length, `${c.label}: ${p}`).toBeLessThanOrEqual(259)
      }
    }
    expect(seen).toBeGreaterThan(cases.length) // the jumbo and IC commands were among them
  })

  it('an XPath read gets the ComputerName, the time zone and the password (when given, encoded) back', () => {
    for (const c of cases) {
      const f = fileOf(c)
      expect(xpath(f, `string(//${el('settings')}[@pass='specialize']//${el('ComputerName')})`), c.label).toBe(c.guest.hostname)
      expect(xpath(f, `string(//${el('settings')}[@pass='specialize']//${el('TimeZone')})`), c.label).toBe('UTC')
      // a client answers OOBE's region and keyboard pages (International-Core in oobeSystem)
      if (c.template === 'win11') {
        for (const setting of ['InputLocale', 'SystemLocale', 'UILanguage', 'UserLocale']) {
          expect(xpath(f, `string(//${el('settings')}[@pass='oobeSystem']/${el('component')}[@name='Microsoft-Windows-International-Core']/${el(setting)})`), `${c.label} ${setting}`).toBe('en-US')
        }
      }
      // a client's built-in Administrator stays disabled: the password is the local administrator account's
      const pw =
        c.template === 'win11'
          ? `//${el('settings')}[@pass='oobeSystem']//${el('LocalAccount')}/${el('Password')}/${el('Value')}`
          : `//${el('settings')}[@pass='oobeSystem']//${el('AdministratorPassword')}/${el('Value')}`
      expect(xpath(f, `count(${pw})`), c.label).toBe(c.creds ? '1' : '0')
      if (c.creds) {
        // encoded as Windows SIM writes it: base64 of UTF-16LE (password + the element's name)
        const element = c.template === 'win11' ? 'Password' : 'AdministratorPassword'
        expect(xpath(f, `string(${pw}/../${el('PlainText')})`), c.label).toBe('false')
        expect(Buffer.from(xpath(f, `string(${pw})`), 'base64').toString('utf16le'), c.label).toBe(PASSWORD + element)
        expect(file(c, 'unattend.xml'), c.label).not.toContain(PASSWORD)
        // the plan's copy: (secret) where the encoding is
        const planned = save('unattend.xml', planFile(c, 'unattend.xml'))
        expect(xmlWellFormed(planned).status, c.label).toBe(0)
        expect(xpath(planned, `string(${pw})`), c.label).toBe('(secret)')
      }
    }
  })

  it('has the IC setup command only with windows-ic-media, *JumboPacket only with jumbo frames, chimney only when the guest gets it', () => {
    const seen = {ic: new Set<boolean>(), jumbo: new Set<boolean>(), chimney: new Set<boolean>()}
    for (const c of cases) {
      const cmds = paths(fileOf(c))
      const ic = cmds.filter((p) => p.includes('setup.exe'))
      const jumbo = cmds.filter((p) => p.includes('*JumboPacket'))
      const chimney = cmds.filter((p) => p.includes('chimney='))
      const g = c.guest

      // IC media: the host's vmguest.iso, on 2008 R2 - 2012 R2 hosts, for guests of that era
      const usesMedia = g.integration.strategy === 'windows-ic-media'
      expect(usesMedia, c.label).toBe(['ws2008r2', 'ws2012r2'].includes(c.template) && ['windows-server-2008r2', 'windows-server-2012r2'].includes(c.host.os))
      expect(ic.length, `${c.label}\n${cmds.join('\n')}`).toBe(usesMedia ? 1 : 0)
      if (usesMedia) expect(g.drives.filter((d) => d.role === 'integration-media').map((d) => d.path), c.label).toEqual([g.integration.media])

      // jumbo: the 9014 profile (Windows guests get it on 2008 R2 hosts too)
      const hasJumbo = g.networkAdapters.some((a) => a.jumboPacket === 9014)
      expect(hasJumbo, c.label).toBe(c.host.profile === 'intel-10g')
      expect(jumbo.length, c.label).toBe(hasJumbo ? 1 : 0)
      if (hasJumbo) expect(jumbo[0], c.label).toContain("sp $_.PSPath '*JumboPacket' '9014'")

      // guest chimney: 2008 R2 hosts only (the profile asks for it)
      expect(g.chimney !== null, c.label).toBe(c.host.os === 'windows-server-2008r2')
      expect(chimney, c.label).toEqual(g.chimney ? [`netsh.exe int tcp set global chimney=${g.chimney}`] : [])

      seen.ic.add(ic.length > 0)
      seen.jumbo.add(jumbo.length > 0)
      seen.chimney.add(chimney.length > 0)
      // the first-boot marker always runs
      expect(cmds.at(-1), c.label).toContain('hvguest-firstboot-done.txt')
    }
    expect(seen).toEqual({ic: new Set([true, false]), jumbo: new Set([true, false]), chimney: new Set([true, false])})
  })
})
