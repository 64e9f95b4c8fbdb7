/** Shared by the emulator tests: paths, running the pwsh fixtures, reading a state file. */
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {expect} from 'vitest'
import {REPO, pwshPath, runPwshFile} from '../helpers/pwsh.js'

export const FIXTURES = join(REPO, 'test', 'fixtures', 'emulator')
export const REFERENCE = join(REPO, 'ps', 'emulator', 'reference')

export interface CheckResult {
  name: string
  ok: boolean
  detail: string
}

/** Runs a fixture script and parses the JSON it prints last; fails loudly with pwsh's stderr. */
export function runFixtureJson<T>(script: string, args: string[] = [], timeoutMs = 180_000): T {
  const r = runPwshFile(join(FIXTURES, script), args, {timeoutMs, env: {HVGUEST_EMULATOR_FAIL: ''}})
  if (r.code !== 0) throw new Error(`${script} exited ${r.code}\n${r.stderr}\n${r.stdout}`)
  const lines = r.stdout.trim().split('\n')
  return JSON.parse(lines[lines.length - 1]) as T
}

/** Every check a fixture recorded must have passed; shows the failures' details. */
export function expectAllOk(results: CheckResult[]): void {
  const failed = results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.detail}`)
  expect(failed).toEqual([])
}

/** Starts a fixture without waiting (for tests that need several pwsh processes at once). */
export function startFixture(script: string, args: string[]): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const child = spawn(pwshPath(), ['-NoProfile', '-NonInteractive', '-File', join(FIXTURES, script), ...args], {cwd: REPO, env: {...process.env, HVGUEST_EMULATOR_FAIL: ''}})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({code, stdout, stderr}))
  })
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function readState(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'))
}
