/**
 * Sizes: `512MB`, `40GB`, `2TB` (binary units: 1GB = 1024^3 bytes) or plain bytes.
 * Bytes stay JavaScript numbers: 64 TB is 7.0e13, far below 2^53.
 */
const UNITS: Record<string, number> = {
  B: 1,
  KB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
  PB: 1024 ** 5,
}

const SIZE_RE = /^\s*(\d+(?:\.\d+)?)\s*([KMGTP]?B)?\s*$/i

export type SizeResult = {ok: true; bytes: number} | {ok: false; message: string}

export function parseSize(value: unknown): SizeResult {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) {
      return {ok: false, message: `size must be a whole, non-negative number of bytes, got ${value}`}
    }
    return {ok: true, bytes: value}
  }
  if (typeof value !== 'string') return {ok: false, message: `a size must be a string like "40GB" or a number of bytes`}
  const m = SIZE_RE.exec(value)
  if (!m) {
    return {
      ok: false,
      message: `"${value}" is not a size: write a whole number with a unit B, KB, MB, GB, TB or PB (1GB = 1024^3 bytes), e.g. 40GB`,
    }
  }
  const unit = (m[2] ?? 'B').toUpperCase()
  const bytes = Number(m[1]) * UNITS[unit]
  if (!Number.isSafeInteger(Math.round(bytes))) return {ok: false, message: `"${value}" is too large`}
  if (!Number.isInteger(bytes)) return {ok: false, message: `"${value}" is not a whole number of bytes`}
  return {ok: true, bytes}
}

/** Largest unit that divides exactly: 53687091200 -> "50GB". */
export function formatSize(bytes: number): string {
  for (const unit of ['PB', 'TB', 'GB', 'MB', 'KB']) {
    const f = UNITS[unit]
    if (bytes >= f && bytes % f === 0) return `${bytes / f}${unit}`
  }
  return `${bytes}B`
}

export const GB = UNITS.GB
export const TB = UNITS.TB
export const MB = UNITS.MB
