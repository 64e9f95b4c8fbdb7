/**
 * The session layer over the real node-powershell and a real pwsh, against a FAKE runtime
 * (test/fixtures/session/FakeHvGuest) that echoes requests and misbehaves on request: the
 * session is tested on its own, independently of ps/HvGuest.
 */
import {createHash} from 'node:crypto'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {InputError} from '../../src/model/diagnostic.js'
import {isSessionFailure, type ProgressEvent, SESSION_FAILURE} from '../../src/powershell/protocol.js'
import {type HostSession, openSession} from '../../src/powershell/session.js'
import {findPwsh} from '../../src/powershell/find-pwsh.js'
import {prestartPwsh, stopPrestartedPwsh, takePrestartedPwsh} from '../../src/powershell/pwsh-process.js'
import {copyFake, countSpawns, emulatorHost, FAKE_RUNTIME, type FakeData, HOSTILE, isRunning, localHost, tempDir} from '../fixtures/session/helpers.js'

const open = (name = 'hv-local', opts: Parameters<typeof openSession>[1] = {}) => openSession(localHost(name), {runtimeModule: FAKE_RUNTIME, ...opts})

describe('a session over the fake runtime', () => {
  let s: HostSession
  beforeAll(async () => {
    s = await open('hv1')
  })
  afterAll(async () => {
    await s.close()
  })

  it('delivers every request byte-exact, whatever its strings hold', async () => {
    for (const pipeline of [false, true]) {
      const req = {
        action: 'facts' as const,
        name: HOSTILE.join(' | '),
        each: HOSTILE,
        nested: {deeper: {list: HOSTILE.map((h, i) => ({[`key ${h}`]: i}))}},
        test: {pipeline},
      }
      const r = await s.request<FakeData>(req)
      expect(r.ok, JSON.stringify(r.error)).toBe(true)
      const json = JSON.stringify(req)
      // What PowerShell decoded is exactly what Node encoded…
      expect(r.data!.sha256).toBe(createHash('sha256').update(json, 'utf8').digest('hex'))
      expect(r.data!.raw).toBe(json)
      // …and the values PowerShell parsed out of it are the values given.
      expect(r.data!.echo.name).toBe(req.name)
      expect(r.data!.echo.each).toEqual(HOSTILE)
      expect(r.data!.echo.nested).toEqual(req.nested)
    }
  })

  it('passes progress to onProgress live, in order, while the request runs', async () => {
    const seen: Array<{e: ProgressEvent; at: number}> = []
    const r = await s.request({action: 'create-guest', test: {progress: 4, progressDelayMs: 300}}, {onProgress: (e) => seen.push({e, at: Date.now()})})
    const done = Date.now()
    expect(r.ok).toBe(true)
    expect(seen.map((x) => x.e.step)).toEqual(['step-1', 'step-2', 'step-3', 'step-4'])
    expect(seen.map((x) => x.e.seq)).toEqual([1, 2, 3, 4])
    expect(seen[0].e.detail).toBe('detail ‘1’ “ü”')
    // The first event arrived while the runtime still had ~1 s of work left: live, not in bulk at the end.
    expect(done - seen[0].at).toBeGreaterThan(700)
  })

  it('ignores stray stdout, warnings, ANSI noise and look-alike lines; stderr never fails a call or loses its result', async () => {
    const steps: string[] = []
    const r = await s.request<FakeData>({action: 'list', test: {stray: true, progress: 1}}, {onProgress: (e) => steps.push(e.step)})
    expect(r.ok).toBe(true)
    expect(r.action).toBe('list')
    expect(r.data!.echo.action).toBe('list')
    // The progress line written behind terminal escapes (ESC[?1h ESC[?1l) still counts.
    expect(steps).toEqual(['after-ansi', 'step-1'])
    // and the session goes on working
    expect((await s.request({action: 'facts'})).ok).toBe(true)
  })

  it("returns the runtime's own failure as it is (step, cmdlet, message, category)", async () => {
    const r = await s.request({action: 'create-guest', guest: {name: 'web1'}, test: {fail: true}})
    expect(r.ok).toBe(false)
    expect(isSessionFailure(r)).toBe(false)
    expect(r.error).toEqual({step: 'add-hard-disk', cmdlet: 'Add-VMHardDiskDrive', message: "the cmdlet's own message: ‘slot’ “IDE 0:0” is occupied", category: 'InvalidOperation'})
  })

  it('carries large requests and results on one line each', async () => {
    const payload = 'Ü‘“$(x)'.repeat(300_000) // ~2.7 MB of JSON, ~3.6 MB of base64
    const r = await s.request<FakeData>({action: 'preflight', payload, test: {bigKB: 1024, pipeline: true}}, {timeoutMs: 60_000})
    expect(r.ok).toBe(true)
    expect(r.data!.echo.payload).toBe(payload)
    expect(r.data!.big).toHaveLength(1024 * 1024)
  })

  it('a request without a result line fails, saying what the process printed; the process is kept', async () => {
    const before = s.stats.processesStarted
    const r = await s.request({action: 'recover', test: {noResult: true}})
    expect(r.ok).toBe(false)
    expect(r.error!.category).toBe(SESSION_FAILURE.noResult)
    expect(isSessionFailure(r)).toBe(true)
    expect(r.error!.message).toContain('host "hv1"')
    expect(r.error!.message).toContain('recover')
    expect(r.error!.message).toContain('fake: no result here')
    expect(r.error!.message).toContain('fake: and something on stderr')
    expect((await s.request({action: 'facts'})).ok).toBe(true)
    expect(s.stats.processesStarted).toBe(before)
  })

  it('an onProgress callback that throws rejects that request, and the session goes on', async () => {
    await expect(
      s.request({action: 'facts', test: {progress: 2}}, {
        onProgress: () => {
          throw new Error('display broke')
        },
      }),
    ).rejects.toThrow('display broke')
    expect((await s.request({action: 'facts'})).ok).toBe(true)
  })
})

describe('one process per host', () => {
  it('serves many requests from one pwsh process (one spawn), one request at a time', async () => {
    const {value, spawns, error} = await countSpawns(async () => {
      const s = await open('hv-many')
      try {
        const pids = new Set<number>()
        for (let i = 0; i < 20; i++) {
          const r = await s.request<FakeData>({action: 'facts', i})
          expect(r.ok).toBe(true)
          expect(r.data!.echo.i).toBe(i)
          pids.add(r.data!.pid)
        }
        // Requests issued together are queued, never interleaved: each starts after the previous ended.
        const together = await Promise.all([0, 1, 2, 3].map((k) => s.request<FakeData>({action: 'list', k, test: {sleepMs: 150}})))
        expect(together.map((r) => r.data!.echo.k)).toEqual([0, 1, 2, 3])
        for (let k = 1; k < together.length; k++) expect(together[k].data!.started).toBeGreaterThanOrEqual(together[k - 1].data!.ended)
        for (const r of together) pids.add(r.data!.pid)
        return {pids, stats: {...s.stats}}
      } finally {
        await s.close()
      }
    })
    expect(error).toBeUndefined()
    expect(spawns).toBe(1)
    expect(value!.pids.size).toBe(1)
    expect(value!.stats).toEqual({processesStarted: 1, requests: 24})
  })

  it('close() stops the process; a closed session refuses requests', async () => {
    const s = await open('hv-close')
    const {data} = await s.request<FakeData>({action: 'facts'})
    expect(isRunning(data!.pid)).toBe(true)
    await s.close()
    expect(isRunning(data!.pid)).toBe(false)
    await expect(s.request({action: 'facts'})).rejects.toThrow('closed')
    await s.close() // twice is fine
  })
})

describe('a pwsh started ahead of the session (prestartPwsh)', () => {
  it('is adopted by the first session for the same pwsh: one spawn, the same process, counted once', async () => {
    const pwsh = findPwsh()
    const {value, spawns, error} = await countSpawns(async () => {
      prestartPwsh(pwsh)
      const s = await open('hv-prestarted', {pwsh})
      try {
        const a = await s.request<FakeData>({action: 'facts'})
        return {pid: a.data!.pid, stats: {...s.stats}, again: await takePrestartedPwsh(pwsh)}
      } finally {
        await s.close()
      }
    })
    expect(error).toBeUndefined()
    expect(spawns).toBe(1)
    expect(value!.stats).toEqual({processesStarted: 1, requests: 1})
    // taken once: nothing is left to adopt
    expect(value!.again).toBeUndefined()
    expect(isRunning(value!.pid)).toBe(false)
  })

  it('is not adopted for another executable or environment', async () => {
    const pwsh = findPwsh()
    prestartPwsh(pwsh, {HVG_TEST_PRESTART: '1'})
    expect(await takePrestartedPwsh(pwsh)).toBeUndefined()
    expect(await takePrestartedPwsh(`${pwsh}-other`, {HVG_TEST_PRESTART: '1'})).toBeUndefined()
    const proc = await takePrestartedPwsh(pwsh, {HVG_TEST_PRESTART: '1'})
    expect(proc?.alive).toBe(true)
    await proc!.kill()
  })

  it('stopPrestartedPwsh lets it go, started or still starting, and it exits by itself', async () => {
    const pwsh = findPwsh()
    // still being spawned: let go as soon as it is, before its pid probe
    prestartPwsh(pwsh)
    const early = stopPrestartedPwsh()
    expect(await takePrestartedPwsh(pwsh)).toBeUndefined()
    await expect(withDeadline(early, 15_000)).resolves.toBe('exited')
    // started (its pid probe answered), then let go
    prestartPwsh(pwsh)
    await new Promise((r) => setTimeout(r, 1500))
    await expect(withDeadline(stopPrestartedPwsh(), 15_000)).resolves.toBe('exited')
  })
})

/** 'exited' when the promise settles within ms, else 'still running'. */
function withDeadline(p: Promise<void>, ms: number): Promise<string> {
  return Promise.race([p.then(() => 'exited'), new Promise<string>((r) => setTimeout(() => r('still running'), ms))])
}

describe('timeouts and dead processes', () => {
  it('a timeout fails that request cleanly, kills its process, and the next request runs on a fresh one', async () => {
    const s = await open('hv-slow', {timeoutMs: 30_000})
    try {
      const first = await s.request<FakeData>({action: 'facts'})
      const t0 = Date.now()
      const r = await s.request({action: 'create-guest', guest: {name: 'web1'}, test: {sleepMs: 60_000, sleepStep: 'new-vhd'}}, {timeoutMs: 1500})
      expect(Date.now() - t0).toBeLessThan(10_000)
      expect(r.ok).toBe(false)
      expect(r.action).toBe('create-guest')
      expect(r.guest).toBe('web1')
      expect(r.error).toMatchObject({category: SESSION_FAILURE.timeout, step: 'new-vhd', cmdlet: null})
      expect(r.error!.message).toMatch(/host "hv-slow": create-guest of guest "web1" timed out after 1\.5 s \(last step reported: new-vhd/)
      // The timed-out command does not keep running and poison the next call: its process is gone.
      expect(isRunning(first.data!.pid)).toBe(false)
      expect(s.stats.processesStarted).toBe(1)

      const next = await s.request<FakeData>({action: 'facts', after: 'timeout'})
      expect(next.ok).toBe(true)
      expect(next.data!.echo.after).toBe('timeout')
      expect(next.data!.pid).not.toBe(first.data!.pid)
      // the fresh process was bootstrapped again (the runtime's config is there)
      expect(JSON.parse(next.data!.config!)).toEqual({runtime: FAKE_RUNTIME, emulator: null})
      expect(s.stats).toEqual({processesStarted: 2, requests: 3})
    } finally {
      await s.close()
    }
  })

  it('a process that exits during a request fails that request; the next one gets a fresh process', async () => {
    const s = await open('hv-exit')
    try {
      const r = await s.request({action: 'destroy', names: ['a'], test: {exitCode: 7}})
      expect(r.ok).toBe(false)
      expect(r.error!.category).toBe(SESSION_FAILURE.exited)
      expect(r.error!.message).toContain('exited with code 7')
      expect(r.error!.message).toContain('about to exit')
      const next = await s.request({action: 'facts'})
      expect(next.ok).toBe(true)
      expect(s.stats.processesStarted).toBe(2)
    } finally {
      await s.close()
    }
  })

  it('a replacement process that cannot be bootstrapped fails the request, and a later one can start again', async () => {
    const s = await open('hv-reboot')
    try {
      await s.request({action: 'facts', test: {sleepMs: 30_000}}, {timeoutMs: 800})
      process.env.FAKE_HVGUEST_BOOTSTRAP = 'throw'
      const r = await s.request({action: 'facts'})
      expect(r.ok).toBe(false)
      expect(r.error!.category).toBe(SESSION_FAILURE.bootstrap)
      expect(r.error!.message).toContain('fake bootstrap refused to start')
      delete process.env.FAKE_HVGUEST_BOOTSTRAP
      expect((await s.request({action: 'facts'})).ok).toBe(true)
      expect(s.stats.processesStarted).toBe(3)
    } finally {
      delete process.env.FAKE_HVGUEST_BOOTSTRAP
      await s.close()
    }
  })
})

describe('opening a session', () => {
  it('a runtime that cannot start is an InputError (exit 2) that says what pwsh printed', async () => {
    for (const [mode, says] of [
      ['throw', 'fake bootstrap refused to start'],
      ['no-import', 'Invoke-HvGuestRequest) is not available'],
    ] as const) {
      process.env.FAKE_HVGUEST_BOOTSTRAP = mode
      try {
        const error = await open('hv-broken').then(
          () => undefined,
          (e: unknown) => e,
        )
        expect(error).toBeInstanceOf(InputError)
        expect((error as InputError).message).toContain('host "hv-broken" (local pwsh): the PowerShell session could not start')
        expect((error as InputError).message).toContain(says)
        expect((error as InputError).diagnostics[0].host).toBe('hv-broken')
      } finally {
        delete process.env.FAKE_HVGUEST_BOOTSTRAP
      }
    }
  })

  it('the bootstrap path and its config travel base64-encoded: hostile folder names arrive intact', async () => {
    const root = tempDir()
    const weird = `it's $(x) ‘q’ “d” ü; \`b [1]`
    const runtime = copyFake(join(root, `runtime ${weird}`))
    const emulatorModules = join(root, `emulator ${weird}`)
    mkdirSync(emulatorModules)
    const stateDir = join(root, `state ${weird}`)
    mkdirSync(stateDir)
    const inventoryFile = join(stateDir, 'hosts.yaml')
    writeFileSync(inventoryFile, '')

    const s = await openSession(emulatorHost('emu1', 'emu state ‘1’.json'), {runtimeModule: runtime, emulatorModules, inventoryFile})
    try {
      expect(s.transport).toBe('emulator')
      const r = await s.request<FakeData>({action: 'facts'})
      expect(r.ok).toBe(true)
      expect(JSON.parse(r.data!.config!)).toEqual({
        runtime,
        emulator: {modulePath: emulatorModules, stateFile: join(stateDir, 'emu state ‘1’.json')},
      })
    } finally {
      await s.close()
    }
  })
})
