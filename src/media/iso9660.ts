/**
 * A small ISO 9660 + Joliet image writer for first-boot seed media: a cloud-init NoCloud seed
 * (label `cidata`), a kickstart OEMDRV disc, a Windows unattend disc. It is pure TypeScript
 * because hvguest must write these on a bare Windows host (no genisoimage, no oscdimg), and
 * no maintained pure-JS ISO writer exists. Only what seed media need: a flat root directory,
 * files up to 4 GiB - 1 each, no Rock Ridge, no El Torito.
 *
 * References: ECMA-119 2nd edition (= ISO 9660:1988), and Microsoft's "Joliet Specification"
 * (1995). Layout, in 2048-byte sectors:
 *
 *   0-15   system area, zeros (ECMA-119 6.2.1)
 *   16     Primary Volume Descriptor (8.4): the ISO 9660 tree, uppercase 8.3 names
 *   17     Joliet Supplementary Volume Descriptor (8.5): the same files under their real names
 *   18     Volume Descriptor Set Terminator (8.3)
 *   19-22  path tables (9.4), type L and type M, primary then Joliet: one entry each, the root
 *   23-    primary root directory, then the Joliet root directory (9.1)
 *   then   file data, each file on its own sectors (with any room asked for: IsoFile.room);
 *          both trees point at the same extents
 *   last   150 sectors of zeros (see TAIL_PADDING)
 *
 * Readers use Joliet when they know it (Windows, Linux, cloud-init via blkid/mount, xorriso),
 * so the primary names only have to be valid and unique. Joliet names carry no `;1` version:
 * genisoimage 1.1 and xorriso write none either, and isoinfo would show it as part of the
 * name. The volume label is written as given in both descriptors (lowercase `cidata` too, as
 * genisoimage -V does and cloud-init expects).
 * The output depends only on the input: the same files, label and `date` give the same bytes,
 * whatever order the files come in.
 */

export interface IsoFile {
  name: string
  /** A string is written as UTF-8. */
  content: Uint8Array | string
  /**
   * Bytes the file's extent must be able to hold (default: its content's length). The sectors
   * past the content stay zero, so a script can rewrite the file in place with longer content
   * (create --emit --no-secrets fills in secrets on the host) and patch its length fields.
   */
  room?: number
}

/** Where one file lives in the image: enough to rewrite it in place (see IsoFile.room). */
export interface IsoFileLayout {
  name: string
  /** Byte offset of the file's data extent. */
  offset: number
  /** Its data length now. */
  length: number
  /** Sectors reserved for it: the most it can hold is sectors * 2048 bytes. */
  sectors: number
  /**
   * Byte offsets of the data-length field (9.1.4) of each directory record for the file, the
   * primary tree's then Joliet's: a both-byte-order uint32, little-endian here and big-endian 4
   * bytes on (record offset 10 and 14).
   */
  lengthFields: number[]
}

export interface IsoOptions {
  volumeId: string
  files: IsoFile[]
  /** Recording and volume dates, stored as UTC. Default: now. */
  date?: Date
}

/** A bad file name, a duplicate, a bad label or date: the image cannot be written as asked. */
export class IsoInputError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'IsoInputError'
  }
}

const SECTOR = 2048
const PATH_TABLE_SIZE = 10 // one record: 8 bytes + 1-byte root identifier + 1 pad byte (9.4)
const FIRST_DIR = 23 // after the descriptors (16-18) and four one-sector path tables (19-22)
// 300 KiB of zeros at the end, inside the volume, as genisoimage and xorriso -as mkisofs add by
// default: Linux read-ahead past the last file's data then reads zeros, not an I/O error, and
// libisoburn does not count an image below 32 sectors as a session.
const TAIL_PADDING = 150

// Joliet forbids controls and * / : ; ? \ in names; Windows also forbids " < > |, and we add
// C1 controls. (`;` would also read as a version separator.)
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f"*/:;<>?\\|]/

interface Entry {
  name: string
  data: Uint8Array
  room: number
  primary: string // `BASE.EXT;1`
  extent: number
}

export function buildIso(options: IsoOptions): Buffer {
  return buildIsoWithLayout(options).image
}

/** The image, and where each file's data and length fields are in it (files in the order given). */
export function buildIsoWithLayout(options: IsoOptions): {image: Buffer; files: IsoFileLayout[]} {
  const label = checkLabel(options.volumeId)
  const date = checkDate(options.date ?? new Date())
  const entries = checkFiles(options.files)

  // Record lengths do not depend on extents, so size the directories with placeholders first.
  const primaryOrder = [...entries].sort((a, b) => compare(primaryKey(a.primary), primaryKey(b.primary)))
  const primaryRecords = (extentOf: (e: Entry) => number) => primaryOrder.map((e) => dirRecord(latin1(e.primary), extentOf(e), e.data.length, false, date))
  const jolietRecords = (extentOf: (e: Entry) => number) =>
    entries.map((e) => dirRecord(ucs2(e.name), extentOf(e), e.data.length, false, date))
  const primaryRoot = FIRST_DIR
  const primarySize = directory(primaryRoot, 0, primaryRecords(() => 0), date).length
  const jolietRoot = primaryRoot + primarySize / SECTOR
  const jolietSize = directory(jolietRoot, 0, jolietRecords(() => 0), date).length

  let next = jolietRoot + jolietSize / SECTOR
  for (const e of entries) {
    e.extent = next
    next += sectorsOf(e)
  }

  const totalSectors = next + TAIL_PADDING
  const image = Buffer.alloc(totalSectors * SECTOR)
  const descriptor = {label, totalSectors, date}
  volumeDescriptor(1, {...descriptor, root: primaryRoot, rootSize: primarySize, pathTable: 19}).copy(image, 16 * SECTOR)
  volumeDescriptor(2, {...descriptor, root: jolietRoot, rootSize: jolietSize, pathTable: 21}).copy(image, 17 * SECTOR)
  image.write('\xffCD001\x01', 18 * SECTOR, 'latin1') // terminator: type 255 (8.3)
  pathTable(primaryRoot, false).copy(image, 19 * SECTOR)
  pathTable(primaryRoot, true).copy(image, 20 * SECTOR)
  pathTable(jolietRoot, false).copy(image, 21 * SECTOR)
  pathTable(jolietRoot, true).copy(image, 22 * SECTOR)
  const primaryDir = directory(primaryRoot, primarySize, primaryRecords((e) => e.extent), date)
  const jolietDir = directory(jolietRoot, jolietSize, jolietRecords((e) => e.extent), date)
  primaryDir.copy(image, primaryRoot * SECTOR)
  jolietDir.copy(image, jolietRoot * SECTOR)
  for (const e of entries) image.set(e.data, e.extent * SECTOR)
  // directory() puts `.` and `..` first, then the files in the order given
  const lengthField = (root: number, offsets: number[], i: number) => root * SECTOR + offsets[i + 2] + 10
  const layout = new Map<Entry, IsoFileLayout>()
  for (const e of entries) {
    layout.set(e, {
      name: e.name,
      offset: e.extent * SECTOR,
      length: e.data.length,
      sectors: sectorsOf(e),
      lengthFields: [lengthField(primaryRoot, primaryDir.recordOffsets, primaryOrder.indexOf(e)), lengthField(jolietRoot, jolietDir.recordOffsets, entries.indexOf(e))],
    })
  }
  return {image, files: options.files.map((f) => layout.get(entries.find((e) => e.name === f.name)!)!)}
}

// An empty file still gets a sector of its own: some readers drop files at extent 0, and an
// extent just past the end of the volume is worse.
const sectorsOf = (e: Entry): number => Math.max(1, Math.ceil(Math.max(e.data.length, e.room) / SECTOR))

function checkLabel(label: string): string {
  // Joliet stores the label in 32 bytes of UCS-2 (16 characters), the PVD in 32 bytes.
  // Printable ASCII keeps both copies identical; a trailing space would vanish in the padding.
  if (!/^[\x20-\x7e]{1,16}$/.test(label)) {
    throw new IsoInputError(`volume label ${JSON.stringify(label)} must be 1-16 printable ASCII characters`)
  }
  if (/^ | $/.test(label)) throw new IsoInputError(`volume label ${JSON.stringify(label)} must not start or end with a space`)
  return label
}

function checkDate(date: Date): Date {
  // Recording dates store the year as years since 1900 in one byte (9.1.5).
  const year = date.getUTCFullYear()
  if (Number.isNaN(date.getTime()) || year < 1900 || year > 2155) {
    throw new IsoInputError(`date ${String(date)} is outside 1900-2155, which ISO 9660 can record`)
  }
  return date
}

/** Validated entries in Joliet order (UTF-16 code units), each with a unique primary name. */
function checkFiles(files: IsoFile[]): Entry[] {
  const seen = new Map<string, string>()
  const entries = files.map(({name, content, room}): Entry => {
    const what = `file name ${JSON.stringify(name)}`
    if (name.length < 1 || name.length > 64) throw new IsoInputError(`${what} must be 1-64 characters (Joliet)`)
    const bad = FORBIDDEN.exec(name)
    if (bad) throw new IsoInputError(`${what} contains ${JSON.stringify(bad[0])}, which is not allowed`)
    if (/[\ud800-\udfff]/.test(name)) throw new IsoInputError(`${what} has a character outside UCS-2, which Joliet cannot store`)
    // Covers `.` and `..` too; Windows strips trailing dots and spaces, so such a file could not be opened.
    if (/[. ]$/.test(name)) throw new IsoInputError(`${what} must not end with '.' or a space`)
    const key = name.toLowerCase()
    const other = seen.get(key)
    if (other !== undefined) throw new IsoInputError(`${what} duplicates ${JSON.stringify(other)} (names are case-insensitive)`)
    seen.set(key, name)
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content
    if (data.length > 0xffffffff) throw new IsoInputError(`${what} is larger than 4 GiB - 1, the most one extent holds`)
    if (room !== undefined && (!Number.isSafeInteger(room) || room < 0 || room > 0xffffffff)) throw new IsoInputError(`${what}: room ${room} must be a whole number of bytes up to 4 GiB - 1`)
    return {name, data, room: room ?? 0, primary: '', extent: 0}
  })
  entries.sort((a, b) => compare(a.name, b.name))
  // Primary names: d-characters only (7.4.1), 8.3 as in interchange level 1 (10.1), and the
  // separator `.` always present (7.5.1). A clash ends the base in a number: USER_DA1.
  const taken = new Set<string>()
  for (const e of entries) {
    const dot = e.name.lastIndexOf('.')
    const dchars = (s: string) => s.toUpperCase().replace(/[^0-9A-Z_]/g, '_')
    const base = dchars(dot > 0 ? e.name.slice(0, dot) : e.name).slice(0, 8)
    const ext = dot > 0 ? dchars(e.name.slice(dot + 1)).slice(0, 3) : ''
    let candidate = `${base}.${ext}`
    for (let n = 1; taken.has(candidate); n++) candidate = `${base.slice(0, 8 - String(n).length)}${n}.${ext}`
    taken.add(candidate)
    e.primary = `${candidate};1`
  }
  return entries
}

/** 9.3: by name, then extension, each padded with spaces (so `A.;1` sorts before `A.1;1`). */
function primaryKey(id: string): string {
  const [base, rest] = id.split('.')
  return base.padEnd(8) + rest.replace(';1', '').padEnd(3)
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1')

/** UCS-2 big-endian, as Joliet stores every name and identifier. */
const ucs2 = (s: string): Buffer => Buffer.from(s, 'utf16le').swap16()

/** 7.2.3 and 7.3.3: both-byte order, little-endian then big-endian. */
function both16(buf: Buffer, offset: number, value: number): void {
  buf.writeUInt16LE(value, offset)
  buf.writeUInt16BE(value, offset + 2)
}
function both32(buf: Buffer, offset: number, value: number): void {
  buf.writeUInt32LE(value, offset)
  buf.writeUInt32BE(value, offset + 4)
}

/** 9.1.5: years since 1900, month, day, hour, minute, second, offset from UTC in 15 minutes. */
function recordingDate(d: Date): Buffer {
  return Buffer.of(d.getUTCFullYear() - 1900, d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), 0)
}

/** 8.4.26.1: `YYYYMMDDHHMMSScc` in digits and the UTC offset byte; all zero digits = not set. */
function volumeDate(d: Date | null): Buffer {
  const b = Buffer.alloc(17)
  const p = (n: number, width = 2) => String(n).padStart(width, '0')
  const text = d
    ? p(d.getUTCFullYear(), 4) + p(d.getUTCMonth() + 1) + p(d.getUTCDate()) + p(d.getUTCHours()) + p(d.getUTCMinutes()) + p(d.getUTCSeconds()) + p(Math.floor(d.getUTCMilliseconds() / 10))
    : '0'.repeat(16)
  b.write(text, 0, 'latin1')
  return b
}

/** 9.1: a directory record; the identifier is padded to an even record length. */
function dirRecord(id: Buffer, extent: number, size: number, isDir: boolean, date: Date): Buffer {
  const r = Buffer.alloc(33 + id.length + (id.length % 2 === 0 ? 1 : 0))
  r[0] = r.length
  both32(r, 2, extent)
  both32(r, 10, size)
  recordingDate(date).copy(r, 18)
  r[25] = isDir ? 0x02 : 0x00 // file flags (9.1.6): bit 1 = directory
  both16(r, 28, 1) // volume sequence number
  r[32] = id.length
  id.copy(r, 33)
  return r
}

/** The root directory: `.` (identifier 0x00) and `..` (0x01, the root's parent is itself), then the files. */
function directory(extent: number, size: number, files: Buffer[], date: Date): Buffer & {recordOffsets: number[]} {
  const records = [dirRecord(Buffer.of(0), extent, size, true, date), dirRecord(Buffer.of(1), extent, size, true, date), ...files]
  const sectors: Buffer[] = [Buffer.alloc(SECTOR)]
  const recordOffsets: number[] = []
  let used = 0
  for (const r of records) {
    // 6.8.1.1: a record never crosses a sector boundary; the rest of the sector stays zero.
    if (used + r.length > SECTOR) {
      sectors.push(Buffer.alloc(SECTOR))
      used = 0
    }
    r.copy(sectors[sectors.length - 1], used)
    recordOffsets.push((sectors.length - 1) * SECTOR + used)
    used += r.length
  }
  return Object.assign(Buffer.concat(sectors), {recordOffsets})
}

/** 9.4: one path table record, for the root (directory number 1, whose parent is itself). */
function pathTable(rootExtent: number, bigEndian: boolean): Buffer {
  const t = Buffer.alloc(PATH_TABLE_SIZE)
  t[0] = 1 // identifier length; the identifier itself is 0x00, then a pad byte
  if (bigEndian) {
    t.writeUInt32BE(rootExtent, 2)
    t.writeUInt16BE(1, 6)
  } else {
    t.writeUInt32LE(rootExtent, 2)
    t.writeUInt16LE(1, 6)
  }
  return t
}

interface Descriptor {
  label: string
  totalSectors: number
  date: Date
  root: number
  rootSize: number
  /** Sector of the type-L table; the type-M table follows it. */
  pathTable: number
}

/** 8.4 (type 1, primary) and 8.5 (type 2, Joliet): identical but for text encoding and escapes. */
function volumeDescriptor(type: 1 | 2, v: Descriptor): Buffer {
  const d = Buffer.alloc(SECTOR)
  // Text fields are padded with spaces: 0x20 in the PVD, UCS-2 0x0020 in the Joliet SVD.
  const text = (offset: number, length: number, s: string) => {
    if (type === 1) d.fill(0x20, offset, offset + length).write(s, offset, 'latin1')
    else ucs2(s.padEnd(length >> 1)).copy(d, offset)
  }
  d[0] = type
  d.write('CD001', 1, 'latin1')
  d[6] = 1 // descriptor version
  text(8, 32, '') // system identifier
  text(40, 32, v.label)
  both32(d, 80, v.totalSectors) // volume space size
  // Joliet: escape sequence `%/E` selects UCS-2 level 3 (Joliet spec, "Supplementary Volume Descriptor").
  if (type === 2) d.write('%/E', 88, 'latin1')
  both16(d, 120, 1) // volume set size
  both16(d, 124, 1) // volume sequence number
  both16(d, 128, SECTOR) // logical block size
  both32(d, 132, PATH_TABLE_SIZE)
  d.writeUInt32LE(v.pathTable, 140) // type-L path table; no optional copy (144)
  d.writeUInt32BE(v.pathTable + 1, 148) // type-M path table; no optional copy (152)
  dirRecord(Buffer.of(0), v.root, v.rootSize, true, v.date).copy(d, 156)
  text(190, 128, '') // volume set identifier
  text(318, 128, '') // publisher
  text(446, 128, '') // data preparer
  text(574, 128, 'HVGUEST') // application
  text(702, 37, '') // copyright file: none
  text(739, 37, '') // abstract file: none
  text(776, 37, '') // bibliographic file: none
  volumeDate(v.date).copy(d, 813) // creation
  volumeDate(v.date).copy(d, 830) // modification
  volumeDate(null).copy(d, 847) // expiration: never
  volumeDate(v.date).copy(d, 864) // effective
  d[881] = 1 // file structure version
  return d
}
