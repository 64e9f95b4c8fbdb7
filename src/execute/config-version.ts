/** Hyper-V VM configuration versions ("9.0", "10.0", "prerelease") as doctor compares them. */
import {compareVersions, parseVersion} from '../resolve/integration/catalog.js'

/** Configuration versions ("9.0", "10.0") compare number by number, as the OS catalog's versions do. */
export const compareConfigVersions = (a: string, b: string): number => compareVersions(parseVersion(a) ?? [0], parseVersion(b) ?? [0])
const VERSION = /^\d+(\.\d+)*$/
/** Two configuration versions are the same when every number is ("9.0" and "9"); text that is no version only equals itself. */
export function sameVersion(a: string, b: string): boolean {
  const x = a.trim()
  const y = b.trim()
  if (VERSION.test(x) && VERSION.test(y)) return compareVersions(parseVersion(x)!, parseVersion(y)!) === 0
  return x.toLowerCase() === y.toLowerCase()
}
/** The highest of a host's configuration versions ("0.0" when it reports none). */
export const topVersion = (versions: string[]): string => versions.reduce((a, b) => (compareConfigVersions(a, b) >= 0 ? a : b), '0.0')
