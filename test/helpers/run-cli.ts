/**
 * Runs the BUILT CLI (bin/run.js → dist/) as a user would, in a child process, so exit codes,
 * stdout and stderr are the real ones. `npm test` builds first; a missing build fails loudly.
 */
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

export const REPO = fileURLToPath(new URL('../../', import.meta.url))
export const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * The environment the CLI runs in: the test worker's, with NO_COLOR and `extra`, but without
 * NODE_ENV, which vitest sets to `test` in its workers when it is unset. The tests start the CLI
 * as a plain user's shell does (it once put oclif in its development mode, at twice the CPU of a
 * start: bin/run.js now turns that lookup off itself, and test/e2e/cli.test.ts checks it).
 */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const {NODE_ENV: _vitestMode, ...env} = process.env
  return {...env, NO_COLOR: '1', ...extra}
}

export function runCli(args: string[], opts: {cwd?: string; env?: Record<string, string>} = {}): CliResult {
  if (!existsSync(new URL('../../dist/commands/plan.js', import.meta.url))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does it) before the e2e tests')
  }
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? REPO,
    encoding: 'utf8',
    env: cliEnv(opts.env),
    timeout: 60_000,
  })
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

/** No stack traces in user-facing output. */
export const STACK_LINE = /^\s+at .+\(.+:\d+:\d+\)$/m

/** The CLI's --json document; a run that printed something else fails with its exit code and output. */
export function cliJson(r: CliResult): any {
  try {
    return JSON.parse(r.stdout)
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`)
  }
}
