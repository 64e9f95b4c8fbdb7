/**
 * What is decided before any process starts: where pwsh is (a missing one is exit 2 with
 * install instructions, before node-powershell is ever constructed), which transports work,
 * and the wire format (base64 requests, protocol lines among noise).
 */
import {chmodSync, mkdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {InputError} from '../../src/model/diagnostic.js'
import {bootstrapCommand, readyCheck} from '../../src/powershell/bootstrap.js'
import {findPwsh} from '../../src/powershell/find-pwsh.js'
import {encodeRequest, parseProtocol, parseProtocolLine, requestCommand} from '../../src/powershell/protocol.js'
import {openSession} from '../../src/powershell/session.js'
import {emulatorStateFile} from '../../src/powershell/transports.js'
import {pwshPath, runPwsh} from '../helpers/pwsh.js'
import {countSpawns, FAKE_RUNTIME, HOSTILE, localHost, tempDir} from '../fixtures/session/helpers.js'

const INSTALL = 'dotnet tool install --tool-path .tools PowerShell --version 7.6.9'

describe('finding pwsh', () => {
  const saved = {HVGUEST_PWSH: process.env.HVGUEST_PWSH, PATH: process.env.PATH}
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  })

  it('a missing pwsh is an InputError with install instructions, raised before anything is spawned', async () => {
    process.env.HVGUEST_PWSH = '/nowhere/pwsh'
    process.env.PATH = '/nonexistent-bin'
    const {error, spawns} = await countSpawns(() => openSession(localHost('hv-nopwsh'), {runtimeModule: FAKE_RUNTIME}))
    expect(spawns).toBe(0)
    expect(error).toBeInstanceOf(InputError)
    expect((error as Error).message).toContain('HVGUEST_PWSH is set to "/nowhere/pwsh"')
    expect((error as Error).message).toContain(INSTALL)
    expect((error as Error).message).toContain('PowerShell 7 installer')
  })

  // POSIX fixtures (/bin/false, symlinks, modes): hvguest's CI and development machines run
  // Linux; on Windows these fail visibly rather than skip.
  it('an executable that is not a working pwsh fails the open with InputError, and never crashes Node', async () => {
    for (const fake of ['/bin/false', '/bin/true']) {
      const error = await openSession(localHost('hv-notpwsh'), {pwsh: fake, runtimeModule: FAKE_RUNTIME}).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(InputError)
      expect((error as Error).message).toMatch(/the PowerShell session could not start: pwsh \(\/bin\/(false|true)\) exited with code [01] during the bootstrap/)
    }
    await expect(openSession(localHost('hv-dir'), {pwsh: tempDir(), runtimeModule: FAKE_RUNTIME})).rejects.toThrow(/is not a pwsh executable/)
  })

  it('order: HVGUEST_PWSH, then the package .tools/pwsh, then PATH; nothing → InputError naming all three', () => {
    const real = pwshPath()
    const empty = tempDir()
    const bin = tempDir()
    symlinkSync(real, join(bin, 'pwsh'))
    const pkg = tempDir()
    mkdirSync(join(pkg, '.tools'))
    symlinkSync(real, join(pkg, '.tools', 'pwsh'))

    expect(findPwsh({env: {HVGUEST_PWSH: real, PATH: bin}, root: pkg})).toBe(real)
    expect(findPwsh({env: {PATH: bin}, root: pkg})).toBe(join(pkg, '.tools', 'pwsh'))
    expect(findPwsh({env: {PATH: `/nonexistent:${bin}`}, root: empty})).toBe(join(bin, 'pwsh'))

    const notExecutable = join(empty, 'pwsh')
    writeFileSync(notExecutable, '')
    chmodSync(notExecutable, 0o644)
    expect(() => findPwsh({env: {PATH: empty}, root: empty})).toThrow(InputError)
    expect(() => findPwsh({env: {HVGUEST_PWSH: empty, PATH: bin}, root: pkg})).toThrow(/HVGUEST_PWSH is set to .* which is not a pwsh executable/)
    try {
      findPwsh({env: {PATH: ''}, root: empty})
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(InputError)
      expect((error as Error).message).toContain('PowerShell 7 (pwsh) was not found: not in HVGUEST_PWSH')
      expect((error as Error).message).toContain(join(empty, '.tools', 'pwsh'))
      expect((error as Error).message).toContain(INSTALL)
    }
  })
})

describe('transports', () => {
  it('winrm off Windows is refused naming ssh, and an ssh host whose emulator state is not an absolute far-side path is refused: InputError, nothing spawned', async () => {
    const winrm = await countSpawns(() => openSession({name: 'remote-winrm', transport: 'winrm', entry: {name: 'remote-winrm', transport: 'winrm', address: '10.0.0.1'}}, {runtimeModule: FAKE_RUNTIME}))
    expect(winrm.spawns).toBe(0)
    expect(winrm.error).toBeInstanceOf(InputError)
    expect((winrm.error as Error).message).toMatch(/transport winrm needs a Windows workstation.*use transport: ssh/)
    const ssh = await countSpawns(() =>
      openSession({name: 'remote-ssh', transport: 'ssh', entry: {name: 'remote-ssh', transport: 'ssh', address: '10.0.0.1', emulator: {stateFile: 'state.json'}}}, {runtimeModule: FAKE_RUNTIME}),
    )
    expect(ssh.spawns).toBe(0)
    expect(ssh.error).toBeInstanceOf(InputError)
    expect((ssh.error as Error).message).toContain('emulator.stateFile is a path on the far side of ssh and must be absolute there (got state.json)')
  })

  it('an emulator host needs a state file, in a folder that exists', async () => {
    const noState = await countSpawns(() => openSession({name: 'emu', transport: 'emulator', entry: {name: 'emu', transport: 'emulator'}}, {runtimeModule: FAKE_RUNTIME}))
    expect(noState.spawns).toBe(0)
    expect(noState.error).toBeInstanceOf(InputError)
    expect((noState.error as Error).message).toContain('needs emulator: { stateFile: PATH }')

    const badFolder = await countSpawns(() =>
      openSession({name: 'emu', transport: 'emulator', entry: {name: 'emu', emulator: {stateFile: '/nonexistent-folder/state.json'}}}, {runtimeModule: FAKE_RUNTIME}),
    )
    expect(badFolder.spawns).toBe(0)
    expect((badFolder.error as Error).message).toContain('the folder of its emulator state file does not exist: /nonexistent-folder')
  })

  it('a relative state file is relative to the inventory folder (else the current folder)', () => {
    const host = {name: 'e', transport: 'emulator' as const, entry: {name: 'e', emulator: {stateFile: 'emu/state.json'}}}
    expect(emulatorStateFile(host, '/srv/lab/hosts.yaml')).toBe('/srv/lab/emu/state.json')
    expect(emulatorStateFile(host)).toBe(join(process.cwd(), 'emu/state.json'))
    expect(emulatorStateFile({...host, entry: {name: 'e', emulator: {stateFile: '/abs/s.json'}}}, '/srv/lab/hosts.yaml')).toBe('/abs/s.json')
  })
})

describe('the wire format', () => {
  it('a request is one line of fixed text around base64 of its UTF-8 JSON', () => {
    const req = {action: 'create-guest' as const, runId: 'r1', guest: {name: HOSTILE.join('')}}
    const b64 = Buffer.from(JSON.stringify(req), 'utf8').toString('base64')
    expect(encodeRequest(req)).toBe(b64)
    expect(requestCommand(req)).toBe(`Invoke-HvGuestRequest -RequestBase64 '${b64}'`)
    expect(requestCommand(req)).toMatch(/^Invoke-HvGuestRequest -RequestBase64 '[A-Za-z0-9+/=]+'$/)
  })

  it('the bootstrap line carries its path and config as base64 only, and parses as one statement list', () => {
    const path = `/x/${HOSTILE.join('/')}/Bootstrap.ps1`
    const line = bootstrapCommand(path, {runtime: path, emulator: {modulePath: path, stateFile: path}})
    expect(line).not.toMatch(/[\r\n]/)
    expect(line).toMatch(/^\. \(\[Text\.Encoding\]::UTF8\.GetString\(\[Convert\]::FromBase64String\('[A-Za-z0-9+/=]+'\)\)\) -ConfigBase64 '[A-Za-z0-9+/=]+'$/)
    const file = join(tempDir(), 'line.ps1')
    writeFileSync(file, `${line}; ${readyCheck('hvguest-ready-0123')}`)
    const check = runPwsh(`$e = $null; $ast = [System.Management.Automation.Language.Parser]::ParseFile('${file}', [ref]$null, [ref]$e); "errors=$($e.Count) statements=$($ast.EndBlock.Statements.Count)"`)
    expect(check.stdout).toContain('errors=0 statements=2')
    expect(() => readyCheck("x'; evil")).toThrow()
  })

  it('keeps only protocol lines: progress in order, the last result; noise, look-alikes and ANSI are ignored', () => {
    const stdout = [
      'WARNING: something',
      '\u001b[?1h\u001b[?1l{"hvguest":1,"type":"progress","step":"a","seq":1}',
      '{"hvguest":2,"type":"progress","step":"not-ours"}',
      ' {"hvguest":1,"type":"progress","step":"indented-is-not-protocol"}',
      '{"hvguest":1,"type":"progress","step":"b","seq":2}\r',
      '{"hvguest":1,"type":"progress","step":"c","guest":null,"detail":null,"seq":3}',
      '{"hvguest":1,"type":"result", broken',
      '{"hvguest":1,"type":"mystery"}',
      '\u001b[31mred\u001b[0m',
      '{"hvguest":1,"type":"result","ok":true,"action":"facts","data":{"s":"‘’“” ü \\u001b"}}',
      'trailing noise',
    ].join('\n')
    const parsed = parseProtocol(stdout)
    expect(parsed.progress.map((p) => p.step)).toEqual(['a', 'b', 'c'])
    expect(parsed.progress[2]).toEqual({hvguest: 1, type: 'progress', step: 'c', seq: 3})
    expect(parsed.result).toEqual({hvguest: 1, type: 'result', ok: true, action: 'facts', data: {s: '‘’“” ü \u001b'}})
    expect(parseProtocol('nothing here\n').result).toBeUndefined()
    expect(parseProtocolLine('{"hvguest":1,"type":"result","ok":"yes","action":"x"}')).toBeUndefined()
  })
})
