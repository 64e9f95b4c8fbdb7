/**
 * Which PowerShell a local session runs (inventory `shell:`, README.md 'Hardware profiles and hosts'), with the
 * platform and the file lookup injected: Windows cannot run here, so its rules are tested by
 * giving findShell a Windows platform and a set of files that exist.
 */
import {describe, expect, it} from 'vitest'
import {isInputError} from '../../../src/model/diagnostic.js'
import {findShell, type FindShellOptions} from '../../../src/powershell/find-pwsh.js'
import {hostEntrySchema} from '../../../src/model/schemas.js'

const WIN_PWSH = 'C:\\Program Files\\PowerShell\\7\\pwsh.exe'
const WIN_PS51 = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'
const ROOT_WIN = 'C:\\hvguest'
const ROOT_POSIX = '/opt/hvguest'

function windows(files: string[], extra: Partial<FindShellOptions> = {}): FindShellOptions {
  const present = new Set(files.map((f) => f.toLowerCase()))
  return {
    platform: 'win32',
    root: ROOT_WIN,
    env: {Path: 'C:\\Program Files\\PowerShell\\7;C:\\Windows\\System32', SystemRoot: 'C:\\Windows'},
    isExecutable: (f, platform) => {
      expect(platform).toBe('win32')
      return present.has(f.toLowerCase())
    },
    host: 'hv1',
    ...extra,
  }
}

function linux(files: string[], extra: Partial<FindShellOptions> = {}): FindShellOptions {
  const present = new Set(files)
  return {platform: 'linux', root: ROOT_POSIX, env: {PATH: '/usr/bin:/usr/local/bin'}, isExecutable: (f) => present.has(f), host: 'hv1', ...extra}
}

/** The InputError findShell throws, as {code, message}. */
function refusal(opts: FindShellOptions): {code: string; message: string} {
  try {
    findShell(opts)
  } catch (error) {
    if (!isInputError(error)) throw error
    return {code: error.diagnostics[0].code, message: error.diagnostics[0].message}
  }
  throw new Error('findShell did not refuse')
}

describe('findShell: no shell: in the inventory', () => {
  it('Windows with pwsh 7 on PATH: pwsh', () => {
    expect(findShell(windows([WIN_PWSH, WIN_PS51]))).toEqual({file: WIN_PWSH, kind: 'pwsh'})
  })

  it("Windows without pwsh 7: falls back to Windows PowerShell 5.1 in System32", () => {
    expect(findShell(windows([WIN_PS51]))).toEqual({file: WIN_PS51, kind: 'powershell'})
  })

  it('Windows with neither: shell-missing, naming both places looked at', () => {
    const r = refusal(windows([]))
    expect(r.code).toBe('shell-missing')
    expect(r.message).toContain('PowerShell 7 (pwsh.exe) was not found')
    expect(r.message).toContain(WIN_PS51)
  })

  it('the package\'s own .tools\\pwsh.exe comes before PATH', () => {
    const bundled = 'C:\\hvguest\\.tools\\pwsh.exe'
    expect(findShell(windows([bundled, WIN_PWSH]))).toEqual({file: bundled, kind: 'pwsh'})
  })

  it('an HVGUEST_PWSH that is not there is never passed over for powershell.exe', () => {
    const r = refusal(windows([WIN_PS51], {env: {HVGUEST_PWSH: 'D:\\nope\\pwsh.exe', SystemRoot: 'C:\\Windows'}}))
    expect(r.code).toBe('shell-missing')
    expect(r.message).toContain('HVGUEST_PWSH is set to "D:\\nope\\pwsh.exe"')
  })

  it('Linux and macOS have no fallback: pwsh 7 or shell-missing', () => {
    expect(findShell(linux(['/usr/local/bin/pwsh']))).toEqual({file: '/usr/local/bin/pwsh', kind: 'pwsh'})
    const r = refusal(linux([]))
    expect(r.code).toBe('shell-missing')
    expect(r.message).not.toContain('Windows PowerShell')
    expect(refusal(linux([], {platform: 'darwin'})).code).toBe('shell-missing')
  })
})

describe('findShell: shell: pwsh | powershell | a path', () => {
  it('pwsh is PowerShell 7 only: no fallback to powershell.exe', () => {
    expect(findShell(windows([WIN_PWSH, WIN_PS51], {shell: 'pwsh'}))).toEqual({file: WIN_PWSH, kind: 'pwsh'})
    const r = refusal(windows([WIN_PS51], {shell: 'pwsh'}))
    expect(r.code).toBe('shell-missing')
    expect(r.message).toContain('dotnet tool install')
  })

  it('powershell on Windows is Windows PowerShell 5.1, even when pwsh 7 is there', () => {
    expect(findShell(windows([WIN_PWSH, WIN_PS51], {shell: 'powershell'}))).toEqual({file: WIN_PS51, kind: 'powershell'})
  })

  it('powershell is found on PATH when SystemRoot is elsewhere', () => {
    const onPath = 'D:\\Tools\\powershell.exe'
    expect(findShell(windows([onPath], {shell: 'powershell', env: {Path: 'D:\\Tools', SystemRoot: 'E:\\Windows'}}))).toEqual({file: onPath, kind: 'powershell'})
  })

  it('powershell missing on Windows: shell-missing with the places looked at', () => {
    const r = refusal(windows([WIN_PWSH], {shell: 'powershell'}))
    expect(r.code).toBe('shell-missing')
    expect(r.message).toContain(WIN_PS51)
  })

  it('powershell on Linux: shell-missing, saying it exists only on Windows', () => {
    const r = refusal(linux(['/usr/bin/pwsh'], {shell: 'powershell'}))
    expect(r.code).toBe('shell-missing')
    expect(r.message).toMatch(/exists only on Windows; this machine is linux\. Use shell: pwsh/)
  })

  it('an absolute path is used as it is, its kind by its name', () => {
    expect(findShell(windows(['D:\\ps\\powershell.exe'], {shell: 'D:\\ps\\powershell.exe'}))).toEqual({file: 'D:\\ps\\powershell.exe', kind: 'powershell'})
    expect(findShell(linux(['/opt/pwsh/7/pwsh'], {shell: '/opt/pwsh/7/pwsh'}))).toEqual({file: '/opt/pwsh/7/pwsh', kind: 'pwsh'})
    const r = refusal(linux([], {shell: '/opt/pwsh/7/pwsh'}))
    expect(r.code).toBe('shell-missing')
    expect(r.message).toContain('/opt/pwsh/7/pwsh')
  })

  it('the inventory accepts pwsh, powershell and absolute paths, and nothing else', () => {
    for (const shell of ['pwsh', 'powershell', 'C:\\PS\\pwsh.exe', '/usr/bin/pwsh', '\\\\server\\share\\pwsh.exe']) {
      expect(hostEntrySchema.safeParse({name: 'hv1', shell}).success, shell).toBe(true)
    }
    for (const shell of ['cmd', 'pwsh.exe', 'bin/pwsh', '']) {
      expect(hostEntrySchema.safeParse({name: 'hv1', shell}).success, shell).toBe(false)
    }
  })
})
