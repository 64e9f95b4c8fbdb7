/**
 * Which hosts a run targets, what each host is (OS, roots), and which hardware profile is in
 * force there: `--profile`, else the host's `profile` in the inventory, else `generic-1g`
 * (README.md, 'Hardware profiles and hosts'). With no inventory the target is the local machine.
 */
import {existsSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import type {Diagnostic} from '../model/diagnostic.js'
import type {Locate} from '../model/source.js'
import {report} from '../model/codes.js'
import {DEFAULT_HOST_OS, type HostOs} from '../model/host-os.js'
import {resolveContent} from '../load/library.js'
import {loadHardwareProfile, loadHostInventory} from '../load/load-files.js'
import type {HostEntry, HostInventory} from '../model/schemas.js'
import type {LoadedProfile, TargetHost} from '../model/target-host.js'
import {suggest} from '../util/did-you-mean.js'
import {winJoin} from '../util/windows-path.js'

export const DEFAULT_PROFILE = 'generic-1g'
export const DEFAULT_VM_ROOT = 'C:\\Hyper-V'

export interface TargetsRequest {
  inventory?: string
  host?: string
  profile?: string
  hostOs?: HostOs
  cwd: string
}

export interface Targets {
  inventory: HostInventory | null
  inventoryFile: string | null
  inventoryLocate: Locate | null
  hosts: TargetHost[]
  /**
   * With --host on a cluster node: the other nodes of its cluster the inventory lists, which are
   * not targets but are compared with it (create's switch-name-mismatch). Empty otherwise: every
   * node is then among the hosts.
   */
  clusterPeers?: TargetHost[]
  diagnostics: Diagnostic[]
}

/** Profiles are loaded once per name per run, whatever the number of hosts and guests. */
export class ProfileCache {
  private readonly byRef = new Map<string, {loaded?: LoadedProfile; diagnostics: Diagnostic[]}>()
  constructor(private readonly cwd: string) {}

  get(ref: string): {loaded?: LoadedProfile; diagnostics: Diagnostic[]} {
    const hit = this.byRef.get(ref)
    if (hit) return hit
    const found = resolveContent('profile', ref, this.cwd)
    let result: {loaded?: LoadedProfile; diagnostics: Diagnostic[]}
    if (!found.file) {
      result = {diagnostics: found.diagnostics}
    } else {
      const {profile, diagnostics} = loadHardwareProfile(found.file)
      result = profile
        ? {loaded: {name: profile.metadata.name, file: found.file, profile}, diagnostics}
        : {diagnostics}
    }
    this.byRef.set(ref, result)
    return result
  }
}

/** The inventory file a command reads, absolute: --inventory, else hosts.yaml here when it exists, else none (the local machine). */
export function inventoryPathOf(req: {inventory?: string; cwd: string}): string | undefined {
  if (req.inventory !== undefined) return resolve(req.cwd, req.inventory)
  const here = resolve(req.cwd, 'hosts.yaml')
  return existsSync(here) ? here : undefined
}

export function resolveTargets(req: TargetsRequest, profiles = new ProfileCache(req.cwd)): Targets {
  const diagnostics: Diagnostic[] = []
  let inventory: HostInventory | null = null
  let inventoryFile: string | null = null
  let inventoryLocate: Locate | null = null

  const invPath = inventoryPathOf(req)
  if (invPath) {
    inventoryFile = invPath
    const loaded = loadHostInventory(inventoryFile)
    diagnostics.push(...loaded.diagnostics)
    if (!loaded.inventory) return {inventory, inventoryFile, inventoryLocate, hosts: [], clusterPeers: [], diagnostics}
    inventory = loaded.inventory
    inventoryLocate = loaded.locate ?? null
  }

  let entries: Array<HostEntry | null>
  if (inventory) {
    if (req.host) {
      const hit = inventory.hosts.find((h) => h.name.toLowerCase() === req.host!.toLowerCase())
      if (!hit) {
        const close = suggest(
          req.host,
          inventory.hosts.map((h) => h.name),
        )
        diagnostics.push(
          report(
            'host-not-found',
            `the inventory has no host "${req.host}".${close ? ` Did you mean "${close}"?` : ''} Hosts: ${inventory.hosts.map((h) => h.name).join(', ')}`,
            {source: {file: inventoryFile!}},
          ),
        )
        return {inventory, inventoryFile, inventoryLocate, hosts: [], clusterPeers: [], diagnostics}
      }
      entries = [hit]
    } else {
      entries = inventory.hosts
    }
  } else {
    if (req.host && req.host.toLowerCase() !== 'localhost') {
      diagnostics.push(
        report('host-not-found', `--host ${req.host} needs an inventory (--inventory FILE, or hosts.yaml here) that lists it`),
      )
      return {inventory, inventoryFile, inventoryLocate, hosts: [], clusterPeers: [], diagnostics}
    }
    entries = [null]
  }

  const hosts = entries.flatMap((entry) => targetOf(entry, req, profiles, {inventory, inventoryFile, inventoryLocate}, diagnostics))
  const chosen = req.host && entries[0]?.cluster ? entries[0] : null
  const peers = chosen ? inventory!.hosts.filter((h) => h !== chosen && h.cluster?.toLowerCase() === chosen.cluster!.toLowerCase()) : []
  // A peer's own problems are its own (they show when it is the target): not this run's.
  const clusterPeers = peers.flatMap((entry) => targetOf(entry, {...req, host: undefined}, profiles, {inventory, inventoryFile, inventoryLocate}, []))
  return {inventory, inventoryFile, inventoryLocate, hosts, clusterPeers, diagnostics}
}

/** The TargetHost of one inventory entry (or of localhost), or none when its profile or key is bad (the diagnostics say why). */
function targetOf(
  entry: HostEntry | null,
  req: TargetsRequest,
  profiles: ProfileCache,
  {inventory, inventoryFile, inventoryLocate}: {inventory: HostInventory | null; inventoryFile: string | null; inventoryLocate: Locate | null},
  diagnostics: Diagnostic[],
): TargetHost[] {
  const profileRef = req.profile ?? entry?.profile ?? DEFAULT_PROFILE
  const p = profiles.get(profileRef)
  // A profile named in the inventory is reported at its line there; a profile problem is
  // reported once, however many hosts share it.
  const fromInventory = !req.profile && entry?.profile !== undefined && inventoryLocate !== null
  for (const d of p.diagnostics) {
    const located = fromInventory && !d.source?.line ? {...d, source: inventoryLocate!(['hosts', inventory!.hosts.indexOf(entry!), 'profile'])} : d
    if (!diagnostics.some((x) => x === d || (x.message === located.message && x.source?.line === located.source?.line))) diagnostics.push(located)
  }
  if (!p.loaded) return []
  const keyProblem = entry && inventoryFile ? identityFileProblem(entry, inventoryFile) : undefined
  if (keyProblem) {
    diagnostics.push(report('input-invalid', keyProblem, {source: inventoryLocate?.(['hosts', inventory!.hosts.indexOf(entry!), 'identityFile']) ?? {file: inventoryFile!}}))
    return []
  }
  const vmRoot = entry?.vmRoot ?? DEFAULT_VM_ROOT
  const os: HostOs = entry?.os ?? req.hostOs ?? DEFAULT_HOST_OS
  return [
    {
      name: entry?.name ?? 'localhost',
      transport: entry?.transport ?? 'local',
      os,
      osSource: entry?.os ? 'inventory' : req.hostOs ? 'flag' : 'default',
      vmRoot,
      imageRoot: entry?.imageRoot ?? winJoin(vmRoot, 'Images'),
      isoRoot: entry?.isoRoot ?? winJoin(vmRoot, 'ISO'),
      cluster: entry?.cluster ?? null,
      switches: entry?.switches ?? null,
      entry,
      inventoryFile,
      profile: p.loaded,
    },
  ]
}

/**
 * An ssh host's identityFile must exist (exit 2 at its line): ssh itself would only warn and
 * fall back to other keys, and the run would fail later as an authentication failure.
 */
function identityFileProblem(entry: HostEntry, inventoryFile: string): string | undefined {
  if (entry.identityFile === undefined) return undefined
  const file = identityFilePath(entry.identityFile, inventoryFile)
  if (existsSync(file)) return undefined
  return `host "${entry.name}": identityFile ${entry.identityFile} does not exist (${file}); name the private key ssh logs in with`
}

/** identityFile as ssh gets it: `~/` is the home folder, a relative path is relative to the inventory's folder. */
export function identityFilePath(identityFile: string, inventoryFile: string | null): string {
  if (identityFile === '~' || identityFile.startsWith('~/')) return join(homedir(), identityFile.slice(1))
  return resolve(inventoryFile ? dirname(inventoryFile) : process.cwd(), identityFile)
}

/** The `host.*` variables a template sees. */
export function hostContext(h: TargetHost): Record<string, unknown> {
  return {
    name: h.name,
    os: h.os,
    transport: h.transport,
    vmRoot: h.vmRoot,
    imageRoot: h.imageRoot,
    isoRoot: h.isoRoot,
    cluster: h.cluster ?? '',
    address: h.entry?.address ?? h.name,
  }
}

/** The `profile.*` variables a template sees: the profile's name and its spec, as plain data. */
export function profileContext(p: LoadedProfile): Record<string, unknown> {
  return {name: p.name, ...(JSON.parse(JSON.stringify(p.profile.spec)) as Record<string, unknown>)}
}
