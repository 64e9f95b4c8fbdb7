/**
 * Helpers of the emulated-guest tests (test/powershell/emulator-guest*.test.ts): seed ISO images
 * made by the real tools, a project's Windows paths as local files, and a probe of what a VM's
 * guest reports through the real cmdlets' objects (test/fixtures/emulator/guest-probe.ps1).
 */
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {expect} from 'vitest'
import type {EmulatorProject} from './emulator-project.js'
import {REPO} from './pwsh.js'

export const GUEST_FIXTURES = join(REPO, 'test', 'fixtures', 'emulator', 'guests')
const PROBE = join(REPO, 'test', 'fixtures', 'emulator', 'guest-probe.ps1')

export interface Probe {
  state: string
  heartbeat: string | null
  icVersion: string | null
  icState: string
  uptimeSeconds: number
  services: Record<string, {name: string; enabled: boolean; status: string | null; operational: string | null; secondary: string | null}>
  adapters: {name: string; isLegacy: boolean; mac: string; status: string[]; addresses: string[]}[]
  addresses: string[]
  kvpComponents: number
  kvpStatus: string | null
  kvp: Record<string, string>
  guest: {
    bootedAt: string
    bootedFrom: string | null
    os: {family: string; distro: string | null; version: string} | null
    hostname: string | null
    fqdn: string | null
    software: string[]
    integrationServicesVersion: string | null
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    network: any
    notes: string[]
  } | null
}

/** The real tools: a missing one fails the test with what to install. */
export function requireTool(name: string): void {
  const r = spawnSync(name, ['-version'], {encoding: 'utf8'})
  if (r.error) throw new Error(`${name} is required by these tests (it makes the seed ISO images): install it (apt-get install xorriso genisoimage). ${r.error.message}`)
}

/** A project's Windows path as a file under its emulated drives. */
export const localPath = (p: EmulatorProject, windowsPath: string) => join(p.dir, '.hvguest', 'drives', windowsPath[0].toUpperCase(), ...windowsPath.slice(3).split('\\'))

/** Writes files into a temp folder and makes an ISO 9660 + Joliet image of it with the real tool. */
export function makeIso(tool: 'xorriso' | 'genisoimage', label: string, files: Record<string, string | Buffer>, out: string, joliet = true): string {
  const src = mkdtempSync(join(tmpdir(), 'hvemu-seed-'))
  for (const [name, content] of Object.entries(files)) writeFileSync(join(src, name), content)
  mkdirSync(dirname(out), {recursive: true})
  const args = tool === 'xorriso' ? ['-as', 'mkisofs', '-V', label, ...(joliet ? ['-J'] : []), '-o', out, src] : ['-quiet', '-V', label, ...(joliet ? ['-J'] : []), '-o', out, src]
  const r = spawnSync(tool, args, {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed: ${r.stderr}`)
  return out
}

export const guestFixture = (name: string) => readFileSync(join(GUEST_FIXTURES, name), 'utf8')

export const psQuote = (s: string) => `'${s.replaceAll("'", "''")}'`

/**
 * Runs PowerShell on the project (probe helpers loaded) and parses the JSON it prints last. The
 * script goes into a file that is dot-sourced: `pwsh -Command -` reads stdin a line at a time and
 * would need a blank line after every multi-line block.
 */
export function runGuestScript<T>(p: EmulatorProject, script: string): T {
  const file = join(mkdtempSync(join(tmpdir(), 'hvemu-script-')), 'script.ps1')
  writeFileSync(file, script)
  const r = p.pwsh(`. ${psQuote(PROBE)}\n. ${psQuote(file)}`, {HVGUEST_EMULATOR_FAIL: ''})
  if (r.code !== 0) throw new Error(`pwsh exited ${r.code}\n${r.stderr}\n${r.stdout}`)
  const lines = r.stdout.trim().split('\n')
  return JSON.parse(lines[lines.length - 1]) as T
}

/** The header JSON of an emulator VHD file (its second line). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function vhdHeader(p: EmulatorProject, windowsPath: string): any {
  const lines = readFileSync(localPath(p, windowsPath), 'utf8').split('\n')
  expect(lines[0]).toBe('HVEMU-VHD/1')
  return JSON.parse(lines[1])
}

export const hasNote = (probe: Probe, pattern: RegExp) => expect(probe.guest?.notes.some((n) => pattern.test(n)), `notes: ${JSON.stringify(probe.guest?.notes)}`).toBe(true)
