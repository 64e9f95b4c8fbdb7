/**
 * The pwsh a session command starts before oclif loads (src/cli/prestart.ts): through the BUILT
 * CLI, with HVGUEST_PWSH pointing at a wrapper that records every start of pwsh and then runs the
 * real one. A create adopts the one it started (one start in all), a create whose plan has errors
 * stops it, and a command that opens no session starts none.
 */
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {recordPwshStarts, type PwshStarts} from '../helpers/pwsh-starts.js'
import {runCli} from '../helpers/run-cli.js'
import {isRunning} from '../fixtures/session/helpers.js'

let dir: string
let wrapper: string
let pwsh: PwshStarts

/** The pids the wrapper recorded, one per start. */
const started = (): number[] => pwsh.started()
async function gone(pid: number, ms = 5000): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; ) {
    if (!isRunning(pid)) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return !isRunning(pid)
}

beforeAll(() => {
  if (process.platform === 'win32') return
  dir = mkdtempSync(join(tmpdir(), 'hvguest-prestart-'))
  pwsh = recordPwshStarts()
  wrapper = pwsh.env.HVGUEST_PWSH
  const init = runCli(['init', 'lab'], {cwd: dir})
  expect(init.code, init.stderr).toBe(0)
})

// The wrapper is a POSIX shell script: on Windows, the other e2e files cover the same CLI.
describe.runIf(process.platform !== 'win32')('a pwsh started before the command loads', () => {
  it('is the one the session of a create uses: one pwsh started in all, and none left running', async () => {
    const r = runCli(['create', 'templates/lab-linux.yaml', '--json'], {cwd: join(dir, 'lab'), env: {HVGUEST_PWSH: wrapper}})
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as {status: string; sessions: Array<{processesStarted: number}>}
    expect(out.status).toBe('ok')
    expect(out.sessions).toEqual([expect.objectContaining({processesStarted: 1})])
    expect(started()).toHaveLength(1)
    expect(await gone(started()[0])).toBe(true)
  })

  it('is stopped when the plan has errors: exit 2, and no pwsh left running', async () => {
    const before = started().length
    const r = runCli(['create', 'no-such-template'], {cwd: join(dir, 'lab'), env: {HVGUEST_PWSH: wrapper}})
    expect(r.code).toBe(2)
    expect(r.stdout + r.stderr).toContain('no template named "no-such-template"')
    const mine = started().slice(before)
    expect(mine).toHaveLength(1)
    expect(await gone(mine[0])).toBe(true)
  })

  it('is not started by a command that opens no session, nor by create --dry-run', () => {
    const before = started().length
    for (const argv of [['plan', 'templates/lab-linux.yaml'], ['create', 'templates/lab-linux.yaml', '--dry-run'], ['validate']]) {
      const r = runCli(argv, {cwd: join(dir, 'lab'), env: {HVGUEST_PWSH: wrapper}})
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0)
    }
    expect(started()).toHaveLength(before)
  })
})
