/**
 * Runs real PowerShell for the tests. pwsh is found the way the product finds it
 * (HVGUEST_PWSH, then the repo's .tools/pwsh installed by .ci/run, then PATH); a missing pwsh
 * FAILS the test with instructions, it never skips.
 */
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {delimiter, join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const REPO = fileURLToPath(new URL('../../', import.meta.url))

export function pwshPath(): string {
  const candidates = [process.env.HVGUEST_PWSH, join(REPO, '.tools', process.platform === 'win32' ? 'pwsh.exe' : 'pwsh')]
  for (const c of candidates) if (c && existsSync(c)) return c
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, process.platform === 'win32' ? 'pwsh.exe' : 'pwsh')
    if (dir && existsSync(p)) return p
  }
  throw new Error('pwsh (PowerShell 7) is required by this test and was not found. Install it with: dotnet tool install --tool-path .tools PowerShell --version 7.6.9')
}

/** pwsh writes terminal mode escapes (ESC[?1h ESC[?1l) around output even when piped. */
const ANSI = /\u001b\[[?0-9;]*[A-Za-z]/g
const clean = (s: string) => s.replace(ANSI, '')

export interface PwshResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a script file (with arguments) in a fresh `pwsh -NoProfile -NonInteractive`. */
export function runPwshFile(file: string, args: string[] = [], opts: {env?: Record<string, string>; cwd?: string; timeoutMs?: number} = {}): PwshResult {
  const r = spawnSync(pwshPath(), ['-NoProfile', '-NonInteractive', '-File', file, ...args], {
    cwd: opts.cwd ?? REPO,
    encoding: 'utf8',
    env: {...process.env, ...opts.env},
    timeout: opts.timeoutMs ?? 120_000,
  })
  return {code: r.status, stdout: clean(r.stdout), stderr: clean(r.stderr)}
}

/** Runs a script given as text (passed through stdin as a whole file, never as arguments). */
export function runPwsh(script: string, opts: {env?: Record<string, string>; cwd?: string; timeoutMs?: number} = {}): PwshResult {
  const r = spawnSync(pwshPath(), ['-NoProfile', '-NonInteractive', '-Command', '-'], {
    cwd: opts.cwd ?? REPO,
    input: script,
    encoding: 'utf8',
    env: {...process.env, ...opts.env},
    timeout: opts.timeoutMs ?? 120_000,
  })
  return {code: r.status, stdout: clean(r.stdout), stderr: clean(r.stderr)}
}
