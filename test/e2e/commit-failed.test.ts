/**
 * A commit that fails, through the BUILT CLI on the starter project: a file
 * stands where `<vmRoot>\.hvguest\guests` must go, so the guest manifest cannot be written.
 * Before the fix `create` said "1 guest created" and exited 0, and `recover` then removed the
 * guest. Now: `commit-failed`, exit 1, the guest kept; `recover` keeps it while the cause is
 * there, and finishes the commit once it is gone.
 */
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {runCli} from '../helpers/run-cli.js'
import {readJournal} from '../helpers/journal-file.js'

const temp: string[] = []
afterAll(() => {
  if (!process.env.HVG_KEEP_TEMP) for (const d of temp) rmSync(d, {recursive: true, force: true})
})

describe('create whose commit fails', () => {
  it('is commit-failed (exit 1) with the guest kept; recover never removes it and finishes the commit once the cause is fixed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvg-commitfail-'))
    temp.push(dir)
    const init = runCli(['init', dir])
    expect(init.code, init.stderr).toBe(0)
    const state = () => JSON.parse(readFileSync(join(dir, '.hvguest', 'emulator-state.json'), 'utf8'))
    const vms = () => (state().vms as Array<{name: string; id: string}>).map((v) => v.name)
    const hvguest = join(dir, '.hvguest', 'drives', 'C', 'Hyper-V', 'Virtual Machines', '.hvguest')
    const blocker = join(hvguest, 'guests')
    mkdirSync(hvguest, {recursive: true})
    writeFileSync(blocker, 'a file where the manifests folder must go\n')

    const created = runCli(['create', 'templates/lab-linux.yaml', '--name', 'c1', '--json'], {cwd: dir})
    expect(created.code, created.stderr).toBe(1)
    const out = JSON.parse(created.stdout)
    expect(out.status).toBe('commit-failed')
    expect(out.guests).toEqual([expect.objectContaining({name: 'c1', host: 'lab-emu', status: 'created'})])
    expect(out.commitErrors).toEqual([{host: 'lab-emu', message: expect.stringMatching(/^write-manifest: could not write the manifest .*\\guests\\/)}])
    expect(vms()).toEqual(['c1'])
    // Not committed: the journal (marked for commit) and the lock are still there.
    expect(readdirSync(join(hvguest, 'journal'))).toEqual([`${out.runId}.jsonl`])
    expect(readJournal(join(hvguest, 'journal', `${out.runId}.jsonl`)).commit).toMatchObject({guests: {c1: expect.objectContaining({template: 'lab-linux'})}})
    expect(existsSync(join(hvguest, 'lock'))).toBe(true)

    // The cause is still there: recover cannot finish the commit, says so (exit 1), keeps c1.
    const stuck = runCli(['recover', '--json'], {cwd: dir})
    expect(stuck.code, stuck.stderr).toBe(1)
    expect(JSON.parse(stuck.stdout).hosts[0].data.runs).toEqual([
      expect.objectContaining({runId: out.runId, outcome: 'commit-failed', guests: ['c1'], journalKept: true, errors: [expect.stringMatching(/could not finish committing: could not write the manifest/)]}),
    ])
    expect(vms()).toEqual(['c1'])

    // Fixed: recover finishes the commit; c1 is kept and managed, the lock free.
    rmSync(blocker)
    const done = runCli(['recover'], {cwd: dir})
    expect(done.code, done.stderr).toBe(0)
    expect(done.stdout).toContain(`lab-emu: run ${out.runId}: commit finished; c1 kept and recorded`)
    expect(vms()).toEqual(['c1'])
    expect(existsSync(join(hvguest, 'lock'))).toBe(false)
    expect(readdirSync(join(hvguest, 'journal'))).toEqual([])
    const list = runCli(['list', '--json'], {cwd: dir})
    expect(list.code, list.stderr).toBe(0)
    const listed = JSON.parse(list.stdout).hosts[0].data.guests
    expect(listed.map((g: {name: string; managed: boolean; runId: string}) => [g.name, g.managed, g.runId])).toEqual([['c1', true, out.runId]])
  }, 180_000)
})
