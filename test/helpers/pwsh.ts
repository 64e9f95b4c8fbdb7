/**
 * Runs real PowerShell for the tests. pwsh is found by the product's own lookup (HVGUEST_PWSH,
 * then the repo's .tools/pwsh installed by `npm test`'s pretest or .ci/run, then PATH); a
 * missing pwsh FAILS the test with instructions, it never skips.
 */
import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {findPwsh} from '../../src/powershell/find-pwsh.js'

export const REPO = fileURLToPath(new URL('../../', import.meta.url))

/** The pwsh the product itself would use (src/powershell/find-pwsh.ts); missing → a thrown error that says how to install it. */
export function pwshPath(): string {
  return findPwsh()
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
