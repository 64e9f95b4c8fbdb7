/**
 * Where PowerShell 7 is. Looked up BEFORE node-powershell is constructed: constructing an
 * instance when the executable does not exist crashes Node with an unhandled error
 * (node-powershell 5.0.1; docs/execution.md section 5), whereas a missing pwsh is input to fix (exit 2, with instructions).
 *
 * Order: `HVGUEST_PWSH` (authoritative: when set, it must name a pwsh executable), then the
 * package's own `.tools/pwsh` (what `dotnet tool install --tool-path .tools` creates), then
 * `pwsh` on PATH (`pwsh.exe` on Windows).
 */
import {accessSync, constants, statSync} from 'node:fs'
import {isAbsolute, posix, resolve, win32} from 'node:path'
import {diagnostic, InputError} from '../model/diagnostic.js'
import {MESSAGES} from '../model/messages.js'
import {packageRoot} from '../util/package-root.js'

export const PWSH_VERSION = '7.6.9'

export const INSTALL_PWSH_HINT =
  `Install PowerShell 7 (${PWSH_VERSION} is the tested version) so that pwsh is on PATH: \`winget install Microsoft.PowerShell\` ` +
  `or the PowerShell 7 installer (MSI) on Windows, Microsoft's packages on Linux and macOS (https://learn.microsoft.com/powershell/scripting/install/installing-powershell); ` +
  `or, on any OS with .NET, \`dotnet tool install --tool-path .tools PowerShell --version ${PWSH_VERSION}\` in the hvguest folder; ` +
  `or set HVGUEST_PWSH to the pwsh executable`

export interface FindPwshEnv {
  env?: NodeJS.ProcessEnv
  /** The folder holding `.tools/` (default: the hvguest package). */
  root?: string
  platform?: NodeJS.Platform
  /** Whether `file` is an executable (injected by tests, since Windows cannot run here). */
  isExecutable?: (file: string, platform: NodeJS.Platform) => boolean
}

/** Paths as the platform writes them: a Windows lookup tested on Linux still joins with `\`. */
const pathsOf = (platform: NodeJS.Platform) => (platform === 'win32' ? win32 : posix)

/** Every `exe` on PATH, in PATH order. */
export function onPath(exe: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  const pathVar = (platform === 'win32' ? (env.Path ?? env.PATH) : env.PATH) ?? ''
  const sep = platform === 'win32' ? ';' : ':'
  return pathVar
    .split(sep)
    .filter(Boolean)
    .map((dir) => pathsOf(platform).join(dir.replace(/^"(.*)"$/, '$1'), exe))
}

const exeName = (platform: NodeJS.Platform): string => (platform === 'win32' ? 'pwsh.exe' : 'pwsh')

/** A regular file we may execute (on Windows, existence is what can be checked). */
export function isExecutableFile(file: string, platform: NodeJS.Platform = process.platform): boolean {
  try {
    if (!statSync(file).isFile()) return false
    if (platform !== 'win32') accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

export function findPwsh(opts: FindPwshEnv = {}): string {
  const found = lookForPwsh(opts)
  if ('file' in found) return found.file
  throw new InputError(found.problem)
}

/** pwsh 7 by the order above, or why not (a HVGUEST_PWSH that is no executable is never passed over). */
function lookForPwsh(opts: FindPwshEnv): {file: string} | {problem: string; explicit: boolean} {
  const env = opts.env ?? process.env
  const platform = opts.platform ?? process.platform
  const isExe = opts.isExecutable ?? isExecutableFile
  const exe = exeName(platform)

  const explicit = env.HVGUEST_PWSH
  if (explicit !== undefined && explicit !== '') {
    const file = isAbsolute(explicit) || pathsOf(platform).isAbsolute(explicit) ? explicit : resolve(explicit)
    if (isExe(file, platform)) return {file}
    return {problem: `HVGUEST_PWSH is set to "${explicit}", which is not a pwsh executable. ${INSTALL_PWSH_HINT}.`, explicit: true}
  }

  const bundled = pathsOf(platform).join(opts.root ?? packageRoot(), '.tools', exe)
  if (isExe(bundled, platform)) return {file: bundled}
  for (const candidate of onPath(exe, env, platform)) if (isExe(candidate, platform)) return {file: candidate}
  return {problem: `PowerShell 7 (${exe}) was not found: not in HVGUEST_PWSH, not at ${bundled}, not on PATH. ${INSTALL_PWSH_HINT}.`, explicit: false}
}

/** Windows PowerShell 5.1: in System32 on every Windows, else whatever powershell.exe PATH has. */
function lookForWindowsPowerShell(opts: FindPwshEnv): {file: string | null; looked: string[]} {
  const env = opts.env ?? process.env
  const platform = opts.platform ?? process.platform
  const isExe = opts.isExecutable ?? isExecutableFile
  const systemRoot = env.SystemRoot ?? env.SYSTEMROOT ?? env.windir ?? 'C:\\Windows'
  const candidates = [win32.join(systemRoot, 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe'), ...onPath('powershell.exe', env, platform)]
  return {file: candidates.find((c) => isExe(c, platform)) ?? null, looked: candidates}
}

export type ShellKind = 'pwsh' | 'powershell'

export interface FoundShell {
  /** The executable the session's process runs. */
  file: string
  /** pwsh (PowerShell 7) or powershell (Windows PowerShell 5.1); a path counts as what its name says. */
  kind: ShellKind
}

export interface FindShellOptions extends FindPwshEnv {
  /** The inventory's `shell:` for the host: pwsh, powershell or an absolute path; absent = the default. */
  shell?: string
  /** The host it is for, in messages. */
  host?: string
}

/**
 * The PowerShell a local session runs (README.md, 'Hardware profiles and hosts'): `shell: pwsh` is PowerShell 7 (found as
 * findPwsh does), `shell: powershell` Windows PowerShell 5.1 (Windows only), an absolute path that
 * executable. With no `shell:`, pwsh 7, and on Windows powershell.exe when pwsh 7 is absent: every
 * Windows host has 5.1, and it is the one that reaches the Hyper-V module natively on 2016 and earlier.
 * A shell that is not there is input to fix (shell-missing, exit 2), found before anything runs.
 */
export function findShell(opts: FindShellOptions = {}): FoundShell {
  const platform = opts.platform ?? process.platform
  const isExe = opts.isExecutable ?? isExecutableFile
  const host = opts.host ?? 'localhost'
  const missing = (message: string) => new InputError(diagnostic('shell-missing', 'error', message, {host}))
  const shell = opts.shell?.trim()

  if (shell === undefined || shell === '' || shell === 'pwsh') {
    const pwsh = lookForPwsh(opts)
    if ('file' in pwsh) return {file: pwsh.file, kind: 'pwsh'}
    if (shell === 'pwsh' || pwsh.explicit || platform !== 'win32') throw missing(pwsh.problem)
    const fallback = lookForWindowsPowerShell(opts)
    if (fallback.file) return {file: fallback.file, kind: 'powershell'}
    throw missing(`${pwsh.problem} Windows PowerShell 5.1 (the fallback on Windows) was not found either: looked at ${fallback.looked.join(', ')}.`)
  }
  if (shell === 'powershell') {
    if (platform !== 'win32') throw missing(MESSAGES.shellNotWindows(host, platform))
    const found = lookForWindowsPowerShell(opts)
    if (found.file) return {file: found.file, kind: 'powershell'}
    throw missing(MESSAGES.shellNotFound(host, 'powershell (Windows PowerShell 5.1)', found.looked, 'Every Windows has it in System32\\WindowsPowerShell\\v1.0: check SystemRoot, or give shell: an absolute path.'))
  }
  if (!pathsOf(platform).isAbsolute(shell)) {
    throw missing(`host "${host}": shell: ${shell} is not pwsh, powershell or an absolute path to a PowerShell executable`)
  }
  if (!isExe(shell, platform)) throw missing(MESSAGES.shellNotFound(host, shell, [shell], 'Give the absolute path of pwsh or powershell.exe on this machine, or shell: pwsh / powershell.'))
  const name = pathsOf(platform).basename(shell).toLowerCase()
  return {file: shell, kind: name.startsWith('powershell') ? 'powershell' : 'pwsh'}
}

/** An explicitly given executable (openSession's `pwsh` option) is checked the same way. */
export function checkPwsh(file: string): string {
  const abs = isAbsolute(file) ? file : resolve(file)
  if (isExecutableFile(abs)) return abs
  throw new InputError(`"${file}" is not a pwsh executable. ${INSTALL_PWSH_HINT}.`)
}
