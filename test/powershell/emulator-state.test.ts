/**
 * The state file: hostile values survive a round trip exactly; writes are atomic (a concurrent
 * reader never sees a torn file, no temp file is left) and two pwsh processes on one state file
 * lose no update.
 */
import {existsSync, mkdtempSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {newHost} from '../fixtures/runtime/harness.js'
import {readState, runFixtureJson, startFixture} from './emulator-helpers.js'

const HOSTILE = [
  "it's", 'say "hi"', 'back`tick', '$(Get-Date)', 'a;b', 'line1\nline2', '‘single’ “double”', 'Ünïcödé 日本語', '[x]*?', '2024-01-01T00:00:00',
  "all: ' \" ` $(x) ; ‘ ’ “ ” é",
]

describe('hostile values round-trip through the state file', () => {
  it('VM names, switch names, adapter names, notes and paths arrive exactly as given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvemu-hostile-'))
    const file = join(dir, 'values.json')
    writeFileSync(file, JSON.stringify(HOSTILE), 'utf8')
    const out = runFixtureJson<{state: string; values: {value: string; pathValid: boolean}[]}>('hostile.ps1', ['-ValuesFile', file])
    expect(out.values.map((v) => v.value)).toEqual(HOSTILE)
    const state = readState(out.state)
    for (const {value, pathValid} of out.values) {
      expect(state.switches.map((s: {name: string}) => s.name)).toContain(value)
      const vm = state.vms.find((v: {name: string}) => v.name === value)
      expect(vm, value).toBeDefined()
      expect(vm.notes).toBe(value)
      expect(vm.networkAdapters[0].switchName).toBe(value)
      expect(vm.networkAdapters.find((a: {name: string}) => a.name === value).switchName).toBe(value)
      // Windows paths cannot hold " < > | ? * : or control characters; those values are refused as New-VHD would.
      expect(pathValid, value).toBe(!/["<>|?*:\n]/.test(value))
      if (pathValid) {
        const path = `C:\\H\\${value}\\${value}.vhdx`
        expect(vm.hardDrives[0].path).toBe(path)
        expect(existsSync(join(dirname(out.state), 'drives', 'C', 'H', value, `${value}.vhdx`))).toBe(true)
      }
    }
  })
})

describe('state writes', () => {
  it('are atomic and serialised across two pwsh processes', async () => {
    // A default emulated host (New-HvEmulatorState, through the runtime harness's host cache).
    const {dir, stateFile} = newHost()
    expect(readState(stateFile).vms).toEqual([])
    const stopFile = join(dir, 'stop')
    const reader = startFixture('reader.ps1', ['-StateFile', stateFile, '-StopFile', stopFile])
    const writers = await Promise.all([
      startFixture('writer.ps1', ['-StateFile', stateFile, '-Prefix', 'a', '-Count', '12']),
      startFixture('writer.ps1', ['-StateFile', stateFile, '-Prefix', 'b', '-Count', '12']),
    ])
    writeFileSync(stopFile, '')
    const read = await reader
    for (const w of writers) expect(w.code, w.stderr).toBe(0)
    expect(read.code, read.stderr).toBe(0)
    const readerOut = JSON.parse(read.stdout.trim().split('\n').pop()!) as {reads: number; failures: string[]}
    expect(readerOut.failures).toEqual([])
    expect(readerOut.reads).toBeGreaterThan(0)
    const state = readState(stateFile)
    const names = state.vms.map((v: {name: string}) => v.name).sort()
    expect(names).toHaveLength(24)
    expect(state.vms.every((v: {notes: string}) => /^note \d+$/.test(v.notes))).toBe(true)
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  }, 180_000)
})
