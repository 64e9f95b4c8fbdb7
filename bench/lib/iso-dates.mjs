// An ISO 9660 image with its dates zeroed. hvguest stamps each seed ISO with the time it builds
// it (src/media/iso9660.ts: the same files, label and date give the same bytes), so two runs
// write images that differ in their dates only; with the dates zeroed they are byte for byte
// equal, while any other difference (a file, its size, its place, the label) still shows.
// Where the dates are (ECMA-119): a volume descriptor (sector 16 on, 2048 bytes, type 1 primary,
// 2 supplementary = Joliet, 255 the end) holds four 17-byte volume dates at byte 813 (creation,
// modification, expiration, effective) and the root directory record at byte 156; every
// directory record holds a 7-byte recording date at its byte 18.

const SECTOR = 2048

export function withoutIsoDates(image) {
  const out = Buffer.from(image)
  const seen = new Set()
  for (let sector = 16; (sector + 1) * SECTOR <= out.length; sector++) {
    const d = sector * SECTOR
    if (out.toString('latin1', d + 1, d + 6) !== 'CD001') break
    const type = out[d]
    if (type === 255) break
    if (type !== 1 && type !== 2) continue
    out.fill(0, d + 813, d + 813 + 4 * 17)
    clearRecordDate(out, d + 156)
    walkDirectory(out, out.readUInt32LE(d + 156 + 2), out.readUInt32LE(d + 156 + 10), seen)
  }
  return out
}

function clearRecordDate(buf, record) {
  buf.fill(0, record + 18, record + 25)
}

function walkDirectory(buf, extent, size, seen) {
  if (seen.has(extent)) return
  seen.add(extent)
  const start = extent * SECTOR
  const end = Math.min(start + size, buf.length)
  for (let o = start; o < end; ) {
    const length = buf[o]
    // A record never crosses a sector: a zero length pads to the next one.
    if (length === 0) {
      o = (Math.floor(o / SECTOR) + 1) * SECTOR
      continue
    }
    clearRecordDate(buf, o)
    const isDirectory = (buf[o + 25] & 2) !== 0
    const idLength = buf[o + 32]
    const selfOrParent = idLength === 1 && buf[o + 33] <= 1
    if (isDirectory && !selfOrParent) walkDirectory(buf, buf.readUInt32LE(o + 2), buf.readUInt32LE(o + 10), seen)
    o += length
  }
}
