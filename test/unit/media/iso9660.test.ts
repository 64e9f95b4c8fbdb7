/**
 * The ISO writer is checked by independent readers, never by itself: isoinfo (Debian package
 * genisoimage) and xorriso (package xorriso) read every image back, through both the Joliet and
 * the primary tree. A missing tool fails the tests with the package to install; nothing skips.
 */
import {spawnSync} from 'node:child_process'
import {chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {buildIso, buildIsoWithLayout, IsoInputError, type IsoFile, type IsoOptions} from '../../../src/media/iso9660.js'

const dir = mkdtempSync(join(tmpdir(), 'hvguest-iso-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const DATE = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 670))
const PACKAGE = {isoinfo: 'genisoimage', xorriso: 'xorriso'} as const

function run(tool: keyof typeof PACKAGE, args: string[]): {stdout: Buffer; stderr: string} {
  // xorriso prints names in the locale's charset; fix it so a non-ASCII name reads the same anywhere.
  const r = spawnSync(tool, args, {maxBuffer: 64 << 20, env: {...process.env, LC_ALL: 'C.UTF-8'}})
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(`${tool} is not installed: these tests need it; install the Debian package ${PACKAGE[tool]} (apt-get install ${PACKAGE[tool]})`)
  }
  if (r.error) throw r.error
  const stderr = r.stderr.toString()
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} exited with ${r.status}:\n${stderr}`)
  return {stdout: r.stdout, stderr}
}

/** isoinfo prints Joliet names in ISO-8859-1 (it has no UTF-8 output). */
const isoinfo = (...args: string[]): string => run('isoinfo', args).stdout.toString('latin1')

/** xorriso's stdout; any complaint at WARNING level or worse fails the test. */
function xorriso(...args: string[]): string {
  const {stdout, stderr} = run('xorriso', ['-report_about', 'WARNING', ...args])
  expect(stdout.toString() + stderr).not.toMatch(/\b(WARNING|SORRY|MISHAP|FAILURE|FATAL|ABORT)\b/)
  return stdout.toString()
}

let count = 0
function write(options: Omit<IsoOptions, 'date'> & {date?: Date}): string {
  const file = join(dir, `image-${++count}.iso`)
  writeFileSync(file, buildIso({date: DATE, ...options}))
  return file
}

const bytes = (content: IsoFile['content']): Buffer => (typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content))

/** Byte-for-byte equality; Buffer.equals, since a deep toEqual over 3 MB takes seconds. */
function expectSame(actual: Buffer, content: IsoFile['content'], what: string): void {
  const expected = bytes(content)
  expect(actual.length, `${what}: length`).toBe(expected.length)
  expect(actual.equals(expected), `${what}: bytes`).toBe(true)
}

/** `isoinfo -l` file lines, in the order the directory holds them. */
function listing(image: string, joliet: boolean): {name: string; extent: number; size: number; date: string}[] {
  return isoinfo(...(joliet ? ['-J'] : []), '-l', '-i', image)
    .split('\n')
    .map((line) => /^-\S+\s+\d+\s+\d+\s+\d+\s+(\d+) (.*) \[\s*(\d+) 00\]  (.*) $/.exec(line))
    .filter((m) => m !== null)
    .map((m) => ({name: m[4], extent: Number(m[3]), size: Number(m[1]), date: m[2]}))
}

/** ECMA-119 9.3 order: name, then extension, each padded with spaces. */
const ecmaKey = (id: string): string => {
  const [base, rest] = id.split('.')
  return base.padEnd(8) + rest.replace(';1', '').padEnd(3)
}

/**
 * Reads an image back with both tools and checks label, names and every file's bytes.
 * Returns the primary names by Joliet name.
 */
function readBack(image: string, volumeId: string, files: IsoFile[]): Map<string, string> {
  const names = files.map((f) => f.name)
  const sorted = [...names].sort()

  const info = isoinfo('-d', '-i', image)
  expect(info).toContain(`Volume id: ${volumeId}\n`)
  expect(info).toContain('Joliet with UCS level 3 found')
  expect(info).toContain('Logical block size is: 2048')
  expect(info).toContain('Volume set size is: 1')
  expect(Number(/Volume size is: (\d+)/.exec(info)?.[1]) * 2048).toBe(readFileSync(image).length)

  // Joliet tree: the real names, in UTF-16 order; each extracts byte for byte.
  expect(isoinfo('-J', '-f', '-i', image).split('\n').filter(Boolean)).toEqual(sorted.map((n) => `/${n}`))
  const joliet = listing(image, true)
  expect(joliet.map((e) => e.name)).toEqual(sorted)
  for (const e of joliet) expect(e.date).toBe('Jan  2 2024') // the recording date (isoinfo shows no time)
  for (const f of files) {
    // isoinfo matches -x against ISO-8859-1 names, which a UTF-8 argv cannot spell: non-ASCII names
    // are extracted through the primary tree below and by xorriso.
    if (/^[\x20-\x7e]*$/.test(f.name)) expectSame(run('isoinfo', ['-J', '-x', `/${f.name}`, '-i', image]).stdout, f.content, `isoinfo -J -x /${f.name}`)
  }

  // Primary tree: unique 8.3 d-character names in ECMA-119 order, pointing at the same extents.
  const primary = listing(image, false)
  expect(primary).toHaveLength(files.length)
  for (const p of primary) expect(p.name).toMatch(/^[0-9A-Z_]{0,8}\.[0-9A-Z_]{0,3};1$/)
  expect(primary.map((p) => p.name)).toEqual([...primary.map((p) => p.name)].sort((a, b) => (ecmaKey(a) < ecmaKey(b) ? -1 : 1)))
  const byExtent = new Map(primary.map((p) => [p.extent, p]))
  expect(byExtent.size).toBe(files.length)
  const primaryOf = new Map<string, string>()
  for (const j of joliet) {
    const p = byExtent.get(j.extent)
    expect(p?.size).toBe(j.size)
    primaryOf.set(j.name, p!.name)
  }
  for (const f of files) {
    const path = `/${primaryOf.get(f.name)}`
    expectSame(run('isoinfo', ['-x', path, '-i', image]).stdout, f.content, `isoinfo -x ${path}`)
  }

  // xorriso: the Joliet names, the label, the dates, and an extraction identical byte for byte.
  expect(xorriso('-indev', image, '-sh_style_result', 'on', '-ls', '/').split('\n').filter(Boolean)).toEqual(sorted)
  const pvd = xorriso('-indev', image, '-pvd_info')
  expect(pvd).toContain(`Volume Id    : ${volumeId}\n`)
  expect(pvd).toContain('Creation Time: 2024010203040567')
  const out = join(dir, `extract-${++count}`)
  xorriso('-osirrox', 'on', '-indev', image, '-extract', '/', out)
  chmodSync(out, 0o700) // xorriso restores the root read-only; the cleanup must delete inside it
  expect(readdirSync(out).sort()).toEqual(sorted)
  for (const f of files) expectSame(readFileSync(join(out, f.name)), f.content, `xorriso -extract ${f.name}`)
  return primaryOf
}

describe('buildIso, read back by isoinfo and xorriso', () => {
  it('finds the reference tools (Debian packages genisoimage and xorriso)', () => {
    expect(isoinfo('-version')).toContain('isoinfo')
    expect(run('xorriso', ['-version']).stdout.toString()).toContain('xorriso')
  })

  it('writes a cloud-init NoCloud seed labelled cidata, in lowercase', () => {
    const files = [
      {name: 'user-data', content: '#cloud-config\nhostname: web01\n'},
      {name: 'meta-data', content: 'instance-id: web01\nlocal-hostname: web01\n'},
      {name: 'network-config', content: 'version: 2\nethernets:\n  eth0:\n    dhcp4: true\n'},
    ]
    const primary = readBack(write({volumeId: 'cidata', files}), 'cidata', files)
    expect(Object.fromEntries(primary)).toEqual({'meta-data': 'META_DAT.;1', 'network-config': 'NETWORK_.;1', 'user-data': 'USER_DAT.;1'})
  })

  it('writes a kickstart OEMDRV disc', () => {
    const files = [{name: 'ks.cfg', content: 'text\nreboot\n'}]
    expect(Object.fromEntries(readBack(write({volumeId: 'OEMDRV', files}), 'OEMDRV', files))).toEqual({'ks.cfg': 'KS.CFG;1'})
  })

  it('writes a Windows unattend disc', () => {
    const xml = '<?xml version="1.0" encoding="utf-8"?>\r\n<unattend xmlns="urn:schemas-microsoft-com:unattend"/>\r\n'
    const files = [
      {name: 'autounattend.xml', content: xml},
      {name: 'unattend.xml', content: xml},
    ]
    const primary = readBack(write({volumeId: 'UNATTEND', files}), 'UNATTEND', files)
    expect(Object.fromEntries(primary)).toEqual({'autounattend.xml': 'AUTOUNAT.XML;1', 'unattend.xml': 'UNATTEND.XML;1'})
  })

  it('keeps binary, non-ASCII, empty, 64-character and 3 MB files byte for byte', () => {
    const every = Buffer.alloc(512)
    for (let i = 0; i < every.length; i++) every[i] = i % 256
    const big = Buffer.alloc(3 * 1024 * 1024 + 123)
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251
    const files: IsoFile[] = [
      {name: 'every-byte.bin', content: new Uint8Array(every)},
      {name: "Zoë's ünïcode.txt", content: 'Grüße, Zoë ✓ — 日本語\n'},
      {name: 'empty', content: ''},
      {name: 'also-empty', content: new Uint8Array(0)},
      {name: 'x'.repeat(60) + '.txt', content: 'long name'},
      {name: 'big.img', content: big},
      {name: 'exactly-one-sector', content: Buffer.alloc(2048, 0xaa)},
    ]
    const image = write({volumeId: 'cidata', files})
    readBack(image, 'cidata', files)
    // isoinfo spells the non-ASCII Joliet name in ISO-8859-1.
    expect(isoinfo('-J', '-f', '-i', image)).toContain("/Zoë's ünïcode.txt\n")
  })

  it('gives clashing 8.3 names unique primary names', () => {
    const files = ['user-data', 'user-data.1', 'user-data-2', 'user_dat', 'USER-DAT.A', 'user-dat.b', '.hidden', 'a.tar.gz'].map((name) => ({name, content: name}))
    const primary = readBack(write({volumeId: 'cidata', files}), 'cidata', files)
    expect(new Set(primary.values()).size).toBe(files.length)
    expect(primary.get('a.tar.gz')).toBe('A_TAR.GZ;1')
    expect(primary.get('.hidden')).toBe('_HIDDEN.;1')
  })

  it('spreads a large directory over several sectors without splitting a record', () => {
    // 60-character names make 154-byte Joliet records: 12 fit in the first sector (after `.` and
    // `..`, 34 bytes each), 13 in each further one. 78 files then need 7 sectors, though their
    // 68 + 78 * 154 = 12080 bytes would fit in 6 if records could cross a sector boundary.
    const files = Array.from({length: 78}, (_, i) => ({name: `${String(i).padStart(2, '0')}-${'n'.repeat(57)}`, content: `file ${i}\n`}))
    const image = write({volumeId: 'MANY', files})
    readBack(image, 'MANY', files)
    const root = readFileSync(image).subarray(17 * 2048 + 156)
    expect(root.readUInt32LE(10)).toBe(7 * 2048)
  })

  it('writes an image with no files: an empty root directory (callers decide what a seed needs)', () => {
    const image = write({volumeId: 'cidata', files: []})
    readBack(image, 'cidata', [])
  })

  it('accepts a 16-character label, the most Joliet holds', () => {
    const files = [{name: 'a', content: 'a'}]
    readBack(write({volumeId: 'Seed Media 2024!', files}), 'Seed Media 2024!', files)
  })
})

describe('determinism', () => {
  const files = (): IsoFile[] => [
    {name: 'user-data', content: '#cloud-config\n'},
    {name: 'meta-data', content: 'instance-id: a\n'},
    {name: 'empty', content: ''},
  ]

  it('gives the same bytes for the same input and date, whatever the order of the files', () => {
    const a = buildIso({volumeId: 'cidata', files: files(), date: DATE})
    expect(buildIso({volumeId: 'cidata', files: files(), date: new Date(DATE)}).equals(a)).toBe(true)
    expect(buildIso({volumeId: 'cidata', files: files().reverse(), date: DATE}).equals(a)).toBe(true)
  })

  it('changes only the date fields when the date changes', () => {
    const a = buildIso({volumeId: 'cidata', files: files(), date: DATE})
    const b = buildIso({volumeId: 'cidata', files: files(), date: new Date(Date.UTC(2031, 6, 8, 9, 10, 11, 120))})
    expect(b.length).toBe(a.length)
    // Allowed: creation, modification and effective dates of both descriptors (ECMA-119 8.4.26)
    // and the 7-byte recording date (9.1.5) of every directory record, found by walking them.
    const allowed = new Set<number>()
    const range = (from: number, length: number) => Array.from({length}, (_, i) => allowed.add(from + i))
    for (const vd of [16, 17]) {
      const base = vd * 2048
      for (const field of [813, 830, 864]) range(base + field, 17)
      range(base + 156 + 18, 7)
      const root = a.readUInt32LE(base + 156 + 2)
      const size = a.readUInt32LE(base + 156 + 10)
      for (let off = root * 2048; off < (root * 2048) + size; ) {
        if (a[off] === 0) off = (Math.floor(off / 2048) + 1) * 2048
        else {
          range(off + 18, 7)
          off += a[off]
        }
      }
    }
    const changed: number[] = []
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) changed.push(i)
    expect(changed.length).toBeGreaterThan(0)
    expect(changed.filter((i) => !allowed.has(i))).toEqual([])
    // And the new date is what a reader sees.
    const file = join(dir, 'dated.iso')
    writeFileSync(file, b)
    expect(xorriso('-indev', file, '-pvd_info')).toContain('Creation Time: 2031070809101112')
  })

  it('defaults the date to now', () => {
    const before = Date.now()
    const image = buildIso({volumeId: 'cidata', files: files()})
    const text = image.toString('latin1', 16 * 2048 + 813, 16 * 2048 + 827)
    const stamp = Date.UTC(+text.slice(0, 4), +text.slice(4, 6) - 1, +text.slice(6, 8), +text.slice(8, 10), +text.slice(10, 12), +text.slice(12, 14))
    expect(stamp).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000)
    expect(stamp).toBeLessThanOrEqual(Date.now())
  })
})

describe('IsoInputError', () => {
  const build = (names: string[], volumeId = 'cidata', date = DATE) => () => buildIso({volumeId, date, files: names.map((name) => ({name, content: 'x'}))})

  it.each([
    ['', /1-64 characters/],
    ['x'.repeat(65), /1-64 characters/],
    ...['/', '\\', ':', '*', '?', '"', '<', '>', '|', ';', '\n', '\u0000', '\u007f', '\u0085'].map((c) => [`a${c}b`, /is not allowed/] as [string, RegExp]),
    ['.', /must not end with '\.'/],
    ['..', /must not end with '\.'/],
    ['name.', /must not end with '\.'/],
    ['name ', /or a space/],
    ['smile-\u{1f600}', /outside UCS-2/],
  ])('rejects the file name %j', (name, message) => {
    expect(build([name])).toThrow(IsoInputError)
    expect(build([name])).toThrow(message)
  })

  it('rejects names that differ only in case, naming both', () => {
    expect(build(['user-data', 'meta-data', 'User-Data'])).toThrow(/"User-Data" duplicates "user-data" \(names are case-insensitive\)/)
    expect(build(['a', 'a'])).toThrow(IsoInputError)
  })

  it.each([
    ['', /1-16 printable ASCII/],
    ['x'.repeat(17), /1-16 printable ASCII/],
    ['zoë', /1-16 printable ASCII/],
    ['a\tb', /1-16 printable ASCII/],
    [' cidata', /must not start or end with a space/],
    ['cidata ', /must not start or end with a space/],
  ])('rejects the volume label %j', (label, message) => {
    expect(build(['a'], label)).toThrow(IsoInputError)
    expect(build(['a'], label)).toThrow(message)
  })

  it.each([new Date(Number.NaN), new Date(Date.UTC(1899, 11, 31)), new Date(Date.UTC(2156, 0, 1))])('rejects the date %s', (date) => {
    expect(build(['a'], 'cidata', date)).toThrow(/outside 1900-2155/)
  })

  it('is an Error with its own name', () => {
    const error = (() => {
      try {
        build(['a/b'])()
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(Error)
    expect(error).toBeInstanceOf(IsoInputError)
    expect((error as Error).name).toBe('IsoInputError')
    expect((error as Error).message).toBe('file name "a/b" contains "/", which is not allowed')
  })
})

/**
 * create --emit --no-secrets rewrites files inside an image on the host (ps/emit/SeedSecrets.ps1)
 * by the layout buildIsoWithLayout reports. The rewrite is done here the same way (content at the
 * offset, the reserved sectors zero-filled past it, the length fields both byte orders) and the
 * result must read back through both trees with both tools.
 */
describe('buildIsoWithLayout: room to rewrite a file in place', () => {
  function rewrite(image: Buffer, layout: {offset: number; sectors: number; lengthFields: number[]}, content: string): void {
    const data = Buffer.from(content, 'utf8')
    expect(data.length).toBeLessThanOrEqual(layout.sectors * 2048)
    image.fill(0, layout.offset, layout.offset + layout.sectors * 2048)
    data.copy(image, layout.offset)
    for (const at of layout.lengthFields) {
      image.writeUInt32LE(data.length, at)
      image.writeUInt32BE(data.length, at + 4)
    }
  }

  it('reserves the room asked for, reports where each file and its length fields are, and is the same image otherwise', () => {
    const files: IsoFile[] = [
      {name: 'user-data', content: '#cloud-config\npasswd: "@@HVGUEST-SECRET:pw:sha512crypt@@"\n', room: 5000},
      {name: 'meta-data', content: 'instance-id: x\n'},
      {name: 'big', content: 'b'.repeat(4097), room: 10},
    ]
    const {image, files: layout} = buildIsoWithLayout({volumeId: 'cidata', files, date: DATE})
    expect(layout.map((l) => l.name)).toEqual(['user-data', 'meta-data', 'big']) // the order given
    expect(layout.map((l) => l.sectors)).toEqual([3, 1, 3]) // room 5000 → 3 sectors; room below the length changes nothing
    const file = join(dir, `layout-${++count}.iso`)
    writeFileSync(file, image)
    const joliet = listing(file, true)
    for (const l of layout) {
      const f = files.find((x) => x.name === l.name)!
      expect(l.length).toBe(bytes(f.content).length)
      expect(l.offset).toBe(joliet.find((j) => j.name === l.name)!.extent * 2048)
      expect(image.subarray(l.offset, l.offset + l.length).equals(bytes(f.content))).toBe(true)
      expect(l.lengthFields).toHaveLength(2)
      for (const at of l.lengthFields) {
        expect(image.readUInt32LE(at)).toBe(l.length)
        expect(image.readUInt32BE(at + 4)).toBe(l.length)
        // the field is at offset 10 of a directory record whose extent (offset 2) is the file's
        expect(image.readUInt32LE(at - 8)).toBe(l.offset / 2048)
      }
    }
    // the primary tree's record first, then Joliet's (the Joliet root follows the primary one)
    expect(layout[0].lengthFields[0]).toBeLessThan(layout[0].lengthFields[1])
    // extents do not overlap, reserved sectors included
    const spans = [...layout].sort((a, b) => a.offset - b.offset)
    for (let i = 1; i < spans.length; i++) expect(spans[i].offset).toBeGreaterThanOrEqual(spans[i - 1].offset + spans[i - 1].sectors * 2048)
    // without room the image is what buildIso writes
    expect(buildIsoWithLayout({volumeId: 'cidata', files: files.map(({room: _, ...f}) => f), date: DATE}).image.equals(buildIso({volumeId: 'cidata', files, date: DATE}))).toBe(false)
    expect(buildIsoWithLayout({volumeId: 'cidata', files: files.map(({room: _, ...f}) => f), date: DATE}).image.equals(buildIso({volumeId: 'cidata', files: files.map(({room: _, ...f}) => f), date: DATE}))).toBe(true)
  })

  it('a file rewritten longer, and another shorter, read back whole through both trees with isoinfo and xorriso', () => {
    const files: IsoFile[] = [
      {name: 'user-data', content: 'passwd: "@@HVGUEST-SECRET:pw:sha512crypt@@"\n', room: 2048 * 2 + 100},
      {name: 'autounattend.xml', content: '<Value>@@HVGUEST-SECRET:pw:unattend-AdministratorPassword@@</Value>\n', room: 3000},
      {name: 'meta-data', content: 'instance-id: x\n'},
    ]
    const {image, files: layout} = buildIsoWithLayout({volumeId: 'cidata', files, date: DATE})
    const longer = `passwd: "$6$${'s'.repeat(16)}$${'h'.repeat(86)}"\n` + 'x'.repeat(4200) // past its first sector
    const shorter = '<Value>QQA=</Value>\n'
    rewrite(image, layout[0], longer)
    rewrite(image, layout[1], shorter)
    const file = join(dir, `rewritten-${++count}.iso`)
    writeFileSync(file, image)
    readBack(file, 'cidata', [
      {name: 'user-data', content: longer},
      {name: 'autounattend.xml', content: shorter},
      {name: 'meta-data', content: 'instance-id: x\n'},
    ])
    // the bytes past the shorter content are zero again
    expect(image.subarray(layout[1].offset + shorter.length, layout[1].offset + layout[1].sectors * 2048).every((b) => b === 0)).toBe(true)
  })

  it('finds a record in a later directory sector: the 78th file of a seven-sector directory', () => {
    const files: IsoFile[] = Array.from({length: 78}, (_, i) => ({name: `${String(i).padStart(2, '0')}-${'n'.repeat(57)}`, content: `file ${i}\n`, room: i === 77 ? 3000 : undefined}))
    const {image, files: layout} = buildIsoWithLayout({volumeId: 'MANY', files, date: DATE})
    const last = layout[77]
    // the Joliet root starts at sector 23 + the primary's sectors; record 78 is in its 7th sector
    const jolietRoot = image.readUInt32LE(17 * 2048 + 156 + 2)
    expect(Math.floor((last.lengthFields[1] - jolietRoot * 2048) / 2048)).toBe(6)
    const content = `rewritten ${'r'.repeat(2500)}\n`
    rewrite(image, last, content)
    const file = join(dir, `many-${++count}.iso`)
    writeFileSync(file, image)
    readBack(file, 'MANY', files.map((f, i) => (i === 77 ? {name: f.name, content} : {name: f.name, content: f.content})))
  })

  it.each([-1, 1.5, 2 ** 32])('rejects room %s', (room) => {
    expect(() => buildIsoWithLayout({volumeId: 'cidata', files: [{name: 'a', content: 'x', room}]})).toThrow(IsoInputError)
  })
})
