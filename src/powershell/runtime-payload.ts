/**
 * The runtime as it travels to a remote host (docs/remote-hosts.md, "The runtime on the far
 * side"): the files of ps/HvGuest (and of ps/emulator when the far side plays an emulated host),
 * listed with their sizes and sha256 in a manifest whose own sha256 names the cache folder on the
 * host. The stager (ps/HvGuest/Stage.ps1) checks every file of a cached copy against the manifest
 * before the session uses it, and only when that fails is the payload (the files, gzip, base64)
 * sent, in one line.
 */
import {createHash} from 'node:crypto'
import {readdirSync, readFileSync} from 'node:fs'
import {basename, dirname, join, relative, sep} from 'node:path'
import {gzipSync} from 'node:zlib'

export interface RuntimeFileEntry {
  /** Relative to the staged root, `/`-separated: `HvGuest/HvGuest.psd1`, `emulator/Hyper-V/…`. */
  path: string
  size: number
  sha256: string
}

export interface RuntimeManifest {
  /** The runtime module's version (HvGuest.psd1 ModuleVersion). */
  version: string
  /** sha256 over the sorted `path\tsha256\n` lines: which copy this is. */
  digest: string
  files: RuntimeFileEntry[]
}

export interface RuntimePayload {
  manifest: RuntimeManifest
  /** base64 of the gzip of every file's bytes, concatenated in manifest order. */
  payloadBase64(): string
}

/** Files the package leaves out (package.json "files") are not shipped to hosts either. */
const NOT_SHIPPED = new Set(['doc-excerpts.json'])

const cache = new Map<string, RuntimePayload>()

/**
 * The payload of the runtime at `runtimeFolder` (ps/HvGuest), with the emulator's modules when
 * given. Built once per process: a run with ten ssh hosts hashes the files once.
 */
export function runtimePayload(runtimeManifest: string, emulatorFolder: string | null): RuntimePayload {
  const runtimeFolder = dirname(runtimeManifest)
  const key = `${runtimeManifest}\0${emulatorFolder ?? ''}`
  const hit = cache.get(key)
  if (hit) return hit
  const roots: Array<[string, string]> = [['HvGuest', runtimeFolder]]
  if (emulatorFolder) roots.push(['emulator', emulatorFolder])
  const contents: Buffer[] = []
  const files: RuntimeFileEntry[] = []
  for (const [name, folder] of roots) {
    for (const file of filesUnder(folder)) {
      const bytes = readFileSync(file)
      contents.push(bytes)
      files.push({path: `${name}/${relative(folder, file).split(sep).join('/')}`, size: bytes.length, sha256: sha256(bytes)})
    }
  }
  const order = files.map((f, i) => i).sort((a, b) => (files[a].path < files[b].path ? -1 : files[a].path > files[b].path ? 1 : 0))
  const sortedFiles = order.map((i) => files[i])
  const digest = sha256(Buffer.from(sortedFiles.map((f) => `${f.path}\t${f.sha256}\n`).join(''), 'utf8'))
  let payload: string | undefined
  const built: RuntimePayload = {
    manifest: {version: moduleVersion(runtimeManifest), digest, files: sortedFiles},
    payloadBase64: () => (payload ??= gzipSync(Buffer.concat(order.map((i) => contents[i])), {level: 9}).toString('base64')),
  }
  cache.set(key, built)
  return built
}

function filesUnder(folder: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(folder, {withFileTypes: true})) {
    const full = join(folder, entry.name)
    if (entry.isDirectory()) out.push(...filesUnder(full))
    else if (entry.isFile() && !NOT_SHIPPED.has(entry.name)) out.push(full)
  }
  return out
}

/** ModuleVersion of HvGuest.psd1 (a folder name part on the host: digits and dots only). */
function moduleVersion(runtimeManifest: string): string {
  const manifest = readFileSync(runtimeManifest, 'utf8')
  const version = /ModuleVersion\s*=\s*'([0-9.]+)'/.exec(manifest)?.[1]
  return version ?? '0.0.0'
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

/** Where the runtime's manifest is in the staged copy, relative to its root. */
export const stagedRuntimeManifest = (runtimeManifest: string): string => `HvGuest/${basename(runtimeManifest)}`
