/**
 * The OS catalog: which integration-component strategy each guest OS gets
 * (templates/catalog/os.yaml; docs/hyperv-facts.md, 'Integration services'). Loaded and validated once per file and
 * cached, so a 1000-guest run reads it once. The host OS is not looked at here; that is
 * resolve-integration.ts's job.
 */
import {existsSync, readFileSync, statSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {InputError} from '../../model/diagnostic.js'
import {formatDocPath} from '../../model/source.js'
import {report} from '../../model/codes.js'
import type {GuestOs} from '../../model/schemas.js'
import {readYamlSource} from '../../load/yaml-source.js'
import {packageRoot} from '../../util/package-root.js'
import {catalogSchema, type CatalogDocument, type OsRequirements} from './catalog-schema.js'

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
  /** What the OS needs of its VM (`requires:`; Windows 11), when the entry says. */
  requires?: OsRequirements
}

export interface LinuxOsEntry {
  family: 'linux'
  id: string
  name: string
  strategy: 'linux-builtin' | 'linux-lis'
  initramfs: 'dracut' | 'initramfs-tools' | 'mkinitrd' | null
  kernelModules: string[]
  packages: string[]
  /** Services the daemon packages install, enabled at first boot (systemd units, or SysV names on EL5/6). */
  daemonUnits: string[]
  /** LIS media file name (looked up in the host's isoRoot); null unless strategy is linux-lis. */
  lisMedia: string | null
  /**
   * A linux-builtin OS that takes LIS on request (install: attach-media): its media, packages and
   * services (RHEL/CentOS 5.9-5.11 and 6.4-6.10, where LIS adds extras such as online backup). Null otherwise.
   */
  lisOption: {media: string; packages: string[]; daemonUnits: string[]} | null
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

/** templates/catalog/os.yaml of the installed package. */
export function defaultCatalogFile(): string {
  const file = join(packageRoot(), 'templates', 'catalog', 'os.yaml')
  if (!existsSync(file)) throw new InputError('the built-in OS catalog (templates/catalog/os.yaml) is missing from the installation')
  return file
}

/**
 * The build writes the built-in catalog, already validated, as JSON (dist/os-catalog.json):
 * parsing 240 lines of YAML on a cold JIT cost ~40 ms of every `plan`. It is used only
 * while it is at least as new as os.yaml, so an edited catalog is never shadowed.
 */
export const COMPILED_CATALOG = () => join(packageRoot(), 'dist', 'os-catalog.json')

function compiledCatalogFor(yamlPath: string): CatalogDocument | undefined {
  if (yamlPath !== defaultCatalogFile()) return undefined
  const json = COMPILED_CATALOG()
  try {
    if (statSync(json).mtimeMs < statSync(yamlPath).mtimeMs) return undefined
    return JSON.parse(readFileSync(json, 'utf8')) as CatalogDocument
  } catch {
    return undefined
  }
}

/** Reads and validates a catalog once; later calls return the cached copy. Throws InputError. */
export function loadCatalog(file?: string): Catalog {
  const path = resolve(file ?? defaultCatalogFile())
  const hit = cache.get(path)
  if (hit) return hit
  const compiled = compiledCatalogFor(path)
  if (compiled) {
    const catalog = toCatalog(path, compiled)
    cache.set(path, catalog)
    return catalog
  }
  return cacheValidated(path, readCatalogDocument(path))
}

function cacheValidated(path: string, doc: CatalogDocument): Catalog {
  const catalog = toCatalog(path, doc)
  cache.set(path, catalog)
  return catalog
}

/** Parse and validate a catalog YAML file; throws InputError with file:line:column. */
export function readCatalogDocument(path: string): CatalogDocument {
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
  return parsed.data
}

function toCatalog(file: string, doc: CatalogDocument): Catalog {
  const lisMedia = (strategy: LinuxOsEntry['strategy'], own?: string) => (strategy === 'linux-lis' ? (own ?? doc.lisMedia) : null)
  return {
    file,
    windows: doc.windows.map((e) => ({...e, family: 'windows' as const, versions: e.versions.map(windowsVersionKey)})),
    linux: doc.linux.map(({versions, lisOptional, ...e}) => ({
      ...e,
      family: 'linux' as const,
      lisMedia: lisMedia(e.strategy, e.lisMedia),
      lisOption: lisOptional && doc.lis && e.strategy === 'linux-builtin' ? {media: e.lisMedia ?? doc.lisMedia, packages: doc.lis.packages, daemonUnits: doc.lis.daemonUnits} : null,
      distros: e.distros.map(distroKey),
      min: versions.min === undefined ? null : parseVersion(versions.min),
      below: versions.below === undefined ? null : parseVersion(versions.below),
    })),
    fallback: {
      windows: {...doc.fallback.windows, family: 'windows'},
      linux: (({lisOptional: _optional, ...f}) => ({...f, family: 'linux' as const, lisMedia: lisMedia(f.strategy, f.lisMedia), lisOption: null}))(doc.fallback.linux),
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
