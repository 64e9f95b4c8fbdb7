/**
 * Where PowerShell 7 is. Looked up BEFORE node-powershell is constructed: constructing an
 * instance when the executable does not exist crashes Node with an unhandled error
 * (DESIGN section 10), whereas a missing pwsh is input to fix (exit 2, with instructions).
 *
 * Order: `HVGUEST_PWSH` (authoritative: when set, it must name a pwsh executable), then the
 * package's own `.tools/pwsh` (what `dotnet tool install --tool-path .tools` creates), then
 * `pwsh` on PATH (`pwsh.exe` on Windows).
 */
import {accessSync, constants, statSync} from 'node:fs'
import {isAbsolute, join, resolve} from 'node:path'
import {InputError} from '../model/diagnostic.js'
import {packageRoot} from '../util/package-root.js'

export const PWSH_VERSION = '7.6.9'

export const INSTALL_PWSH_HINT =
  `Install PowerShell ${PWSH_VERSION}: \`dotnet tool install --tool-path .tools PowerShell --version ${PWSH_VERSION}\` ` +
  `in the hvguest folder (any OS with .NET), or the PowerShell 7 installer (MSI) on Windows; ` +
  `or set HVGUEST_PWSH to the pwsh executable`

export interface FindPwshEnv {
  env?: NodeJS.ProcessEnv
  /** The folder holding `.tools/` (default: the hvguest package). */
  root?: string
  platform?: NodeJS.Platform
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
  const env = opts.env ?? process.env
  const platform = opts.platform ?? process.platform
  const exe = exeName(platform)

  const explicit = env.HVGUEST_PWSH
  if (explicit !== undefined && explicit !== '') {
    const file = isAbsolute(explicit) ? explicit : resolve(explicit)
    if (isExecutableFile(file, platform)) return file
    throw new InputError(`HVGUEST_PWSH is set to "${explicit}", which is not a pwsh executable. ${INSTALL_PWSH_HINT}.`)
  }

  const bundled = join(opts.root ?? packageRoot(), '.tools', exe)
  if (isExecutableFile(bundled, platform)) return bundled

  const pathVar = (platform === 'win32' ? (env.Path ?? env.PATH) : env.PATH) ?? ''
  const sep = platform === 'win32' ? ';' : ':'
  for (const dir of pathVar.split(sep)) {
    if (!dir) continue
    const candidate = join(dir.replace(/^"(.*)"$/, '$1'), exe)
    if (isExecutableFile(candidate, platform)) return candidate
  }

  throw new InputError(`PowerShell 7 (${exe}) was not found: not in HVGUEST_PWSH, not at ${bundled}, not on PATH. ${INSTALL_PWSH_HINT}.`)
}

/** An explicitly given executable (openSession's `pwsh` option) is checked the same way. */
export function checkPwsh(file: string): string {
  const abs = isAbsolute(file) ? file : resolve(file)
  if (isExecutableFile(abs)) return abs
  throw new InputError(`"${file}" is not a pwsh executable. ${INSTALL_PWSH_HINT}.`)
}
