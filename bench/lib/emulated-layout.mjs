// The layout an emulated Hyper-V host holds, in a form two hosts can be compared in: what hvguest
// built against what the hand-written floor script built (bench/create-floor.mjs). Read from the
// emulator's state file (ps/emulator: the JSON every emulated cmdlet loads and writes back), the
// files on its drives (mapped to folders beside the state file by the state's "drives") and the
// emulator's event log beside the state (adapter restarts).
//
// Left out, because they differ between any two runs or are not the host's layout:
//   - IDs (every "id" field; a VM's id where it names its configuration files), a VHD's
//     diskIdentifier, and the MAC address of an adapter whose MAC is dynamic;
//   - the dates inside seed ISOs (bench/lib/iso-dates.mjs);
//   - hvguest's own bookkeeping in <vmRoot>\.hvguest: lock, run journals, guest manifests and the
//     host network record (ps/HvGuest/Private/Lock.ps1, Journal.ps1, Manifest.ps1, HostNetwork.ps1).
import {createHash} from 'node:crypto'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {withoutIsoDates} from './iso-dates.mjs'

const VHD_HEADER = 'HVEMU-VHD/1\n'
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex')

/** What a layout is made of, as read: the state, the drives' files, the events. */
export function readEmulatedHost(stateFile) {
  const state = JSON.parse(readFileSync(stateFile, 'utf8'))
  const files = {}
  for (const [letter, root] of Object.entries(state.drives ?? {})) {
    const base = resolve(dirname(stateFile), root)
    if (existsSync(base)) collectFiles(base, `${letter}:`, files)
  }
  const eventsFile = `${stateFile}.events.jsonl`
  const events = existsSync(eventsFile) ? readFileSync(eventsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []
  return {state, files, events}
}

function collectFiles(dir, windowsDir, into) {
  for (const entry of readdirSync(dir, {withFileTypes: true}).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = `${windowsDir}\\${entry.name}`
    if (entry.isDirectory()) {
      into[path] = {directory: true}
      collectFiles(join(dir, entry.name), path, into)
    } else into[path] = readFileSync(join(dir, entry.name))
  }
}

/**
 * The comparable layout: {vms (by name), host (the rest of the state), files (by path), events}.
 * vmRoot: where hvguest keeps its bookkeeping folder (.hvguest), left out.
 */
export function layoutOf({state, files, events}, {vmRoot = 'C:\\Hyper-V\\Virtual Machines'} = {}) {
  // A VM's id is in the names of its configuration files: each id becomes <id of NAME>.
  const ids = new Map((state.vms ?? []).map((vm) => [String(vm.id).toLowerCase(), `<id of ${vm.name}>`]))
  const unId = (text) => text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, (id) => ids.get(id.toLowerCase()) ?? id)
  const vms = {}
  for (const vm of state.vms ?? []) vms[vm.name] = withoutIds(vm, unId)
  const {vms: _vms, ...rest} = state
  const bookkeeping = `${vmRoot}\\.hvguest`.toLowerCase()
  const layoutFiles = {}
  for (const [path, content] of Object.entries(files)) {
    const lower = path.toLowerCase()
    if (lower === bookkeeping || lower.startsWith(bookkeeping + '\\')) continue
    layoutFiles[unId(path)] = fileLayout(path, content, unId)
  }
  return {vms, host: withoutIds(rest, unId), files: layoutFiles, events: events.map((e) => withoutIds(e, unId))}
}

function withoutIds(value, unId) {
  if (Array.isArray(value)) return value.map((v) => withoutIds(v, unId))
  if (typeof value === 'string') return unId(value)
  if (value === null || typeof value !== 'object') return value
  const out = {}
  for (const [k, v] of Object.entries(value)) {
    if (k === 'id' || k === 'diskIdentifier') continue
    if (k === 'macAddress' && value.dynamicMacAddressEnabled === true) continue
    out[k] = withoutIds(v, unId)
  }
  return out
}

function fileLayout(path, content, unId) {
  if (!Buffer.isBuffer(content)) return content
  const text = content.toString('latin1', 0, Math.min(content.length, 64))
  // An emulated VHD file: its header (type, size, block size, parent, ...) as JSON.
  if (text.startsWith(VHD_HEADER)) return {vhd: withoutIds(JSON.parse(content.toString('utf8').slice(VHD_HEADER.length)), unId)}
  if (/\.iso$/i.test(path)) return {bytes: content.length, sha256WithoutDates: sha256(withoutIsoDates(content))}
  // Other files (the emulator's .vmcx / .vmrs name their VM's id): compared with ids replaced.
  return {bytes: content.length, sha256: sha256(Buffer.from(unId(content.toString('latin1')), 'latin1'))}
}

/** Where two layouts differ, as "path: a | b" lines, the first `limit` of them. */
export function layoutDifferences(a, b, limit = 10) {
  const out = []
  compare(a, b, '', out, limit)
  return out
}

function compare(a, b, path, out, limit) {
  if (out.length >= limit) return
  const isObject = (v) => v !== null && typeof v === 'object'
  if (isObject(a) && isObject(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = Array.isArray(a) ? [...Array(Math.max(a.length, b.length)).keys()] : [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
    for (const k of keys) {
      const at = Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k
      if (!(k in a)) out.push(`${at}: missing on the first side | ${show(b[k])}`)
      else if (!(k in b)) out.push(`${at}: ${show(a[k])} | missing on the second side`)
      else compare(a[k], b[k], at, out, limit)
      if (out.length >= limit) return
    }
    return
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${path}: ${show(a)} | ${show(b)}`)
}

const show = (v) => {
  const s = JSON.stringify(v)
  return s.length > 120 ? s.slice(0, 117) + '...' : s
}
