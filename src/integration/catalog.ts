/**
 * The OS catalog: which integration-component strategy each guest OS gets
 * (templates/catalog/os.yaml; HYPERV-FACTS section 3). Loaded and validated once per file and
 * cached, so a 1000-guest run reads it once. The host OS is not looked at here; that is
 * resolve-integration.ts's job.
 */
import {existsSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {InputError} from '../model/diagnostic.js'
import {formatDocPath} from '../model/source.js'
import {report} from '../rules/codes.js'
import type {GuestOs} from '../spec/schemas.js'
import {readYamlSource} from '../templating/yaml-source.js'
import {catalogSchema, type CatalogDocument} from './catalog-schema.js'

export interface WindowsOsEntry {
  family: 'windows'
  id: string
  name: string
  edition: 'server' | 'client'
  /** `media`: vmguest.iso where the host has it, Windows Update where it does not. */
  icDelivery: 'media' | 'windows-update'
  offlineCab: string | null
  updateNeedsKvp: boolean
  inboxDrivers: boolean
}

export interface LinuxOsEntry {
  family: 'linux'
  id: string
  name: string
  strategy: 'linux-builtin' | 'linux-lis'
  initramfs: 'dracut' | 'initramfs-tools' | 'mkinitrd' | null
  kernelModules: string[]
  packages: string[]
  /** LIS media file name (looked up in the host's isoRoot); null unless strategy is linux-lis. */
  lisMedia: string | null
  inboxDrivers: boolean
}

export type OsEntry = WindowsOsEntry | LinuxOsEntry

interface WindowsRow extends WindowsOsEntry {
  versions: string[]
}
interface LinuxRow extends LinuxOsEntry {
  distros: string[]
  min: number[] | null
  below: number[] | null
}

export interface Catalog {
  file: string
  windows: WindowsRow[]
  linux: LinuxRow[]
  /** The family's most conservative entry, for an OS the catalog does not know. */
  fallback: {windows: WindowsOsEntry & {reason: string}; linux: LinuxOsEntry & {reason: string}}
}

export interface OsMatch {
  entry: OsEntry
  /** False when `entry` is the family fallback (the caller reports os-unknown). */
  known: boolean
  /** Why the fallback is what it is (unknown OS only). */
  reason?: string
}

const cache = new Map<string, Catalog>()

/** templates/catalog/os.yaml of the installed package, found from this module's folder. */
export function defaultCatalogFile(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = join(dir, 'templates', 'catalog', 'os.yaml')
    if (existsSync(candidate)) return candidate
    const parent = dirname(dir)
    if (parent === dir) throw new InputError('the built-in OS catalog (templates/catalog/os.yaml) is missing from the installation')
    dir = parent
  }
}

/** Reads and validates a catalog once; later calls return the cached copy. Throws InputError. */
export function loadCatalog(file?: string): Catalog {
  const path = resolve(file ?? defaultCatalogFile())
  const hit = cache.get(path)
  if (hit) return hit
  const source = readYamlSource(path)
  if (source.diagnostics.some((d) => d.severity === 'error')) throw new InputError(source.diagnostics)
  const parsed = catalogSchema.safeParse(source.doc.toJS())
  if (!parsed.success) {
    throw new InputError(
      parsed.error.issues.map((issue) => {
        const at = issue.path.filter((p): p is string | number => typeof p !== 'symbol')
        return report('schema', `${formatDocPath(at) || '(document)'}: ${issue.message}`, {source: source.locate(at)})
      }),
    )
  }
  const catalog = toCatalog(path, parsed.data)
  cache.set(path, catalog)
  return catalog
}

function toCatalog(file: string, doc: CatalogDocument): Catalog {
  const lisMedia = (strategy: LinuxOsEntry['strategy'], own?: string) => (strategy === 'linux-lis' ? (own ?? doc.lisMedia) : null)
  return {
    file,
    windows: doc.windows.map((e) => ({...e, family: 'windows' as const, versions: e.versions.map(windowsVersionKey)})),
    linux: doc.linux.map(({versions, ...e}) => ({
      ...e,
      family: 'linux' as const,
      lisMedia: lisMedia(e.strategy, e.lisMedia),
      distros: e.distros.map(distroKey),
      min: versions.min === undefined ? null : parseVersion(versions.min),
      below: versions.below === undefined ? null : parseVersion(versions.below),
    })),
    fallback: {
      windows: {...doc.fallback.windows, family: 'windows'},
      linux: {...doc.fallback.linux, family: 'linux', lisMedia: lisMedia(doc.fallback.linux.strategy, doc.fallback.linux.lisMedia)},
    },
  }
}

/** The catalog entry for a guest OS, or the family's fallback (`known: false`). */
export function lookupOs(catalog: Catalog, os: GuestOs): OsMatch {
  if (os.family === 'windows') {
    const key = windowsVersionKey(os.version)
    const entry = catalog.windows.find((e) => e.versions.includes(key) && (os.edition === undefined || os.edition === e.edition))
    return entry ? {entry: strip(entry), known: true} : {entry: catalog.fallback.windows, known: false, reason: catalog.fallback.windows.reason}
  }
  const distro = os.distro === undefined ? undefined : distroKey(os.distro)
  const version = parseVersion(os.version)
  const entry =
    distro === undefined || version === null
      ? undefined
      : catalog.linux.find(
          (e) => e.distros.includes(distro) && (e.min === null || compareVersions(version, e.min) >= 0) && (e.below === null || compareVersions(version, e.below) < 0),
        )
  return entry ? {entry: strip(entry), known: true} : {entry: catalog.fallback.linux, known: false, reason: catalog.fallback.linux.reason}
}

/** A readable name for messages: `windows 2012r2`, `linux centos 6.10`. */
export function describeOs(os: GuestOs): string {
  return [os.family, os.distro, os.version, os.edition === 'client' ? '(client)' : undefined].filter(Boolean).join(' ')
}

function strip(row: WindowsRow | LinuxRow): OsEntry {
  if (row.family === 'windows') {
    const {versions: _v, ...entry} = row
    return entry
  }
  const {distros: _d, min: _m, below: _b, ...entry} = row
  return entry
}

/** "2012 R2", "2012R2" and "2012r2" are one version; so are 8.1 and "8.1". */
function windowsVersionKey(version: string | number): string {
  return String(version)
    .toLowerCase()
    .replace(/[\s_-]+/g, '')
    .replace(/^(windows)?(server)?/, '')
}

function distroKey(distro: string): string {
  return distro.trim().toLowerCase().replace(/[\s_]+/g, '')
}

/** Leading dotted number of a version: "22.04" → [22, 4], "15-SP5" → [15]; null if none. */
export function parseVersion(version: string | number): number[] | null {
  const m = /^\s*(\d+(?:\.\d+)*)/.exec(String(version))
  return m ? m[1].split('.').map(Number) : null
}

/** Number by number, missing parts as 0: 6.10 > 6.9, 7 == 7.0. */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}
