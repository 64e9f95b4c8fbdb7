/**
 * `create --emit FILE`: one standalone PowerShell script that runs a plan on a Hyper-V host
 * with no Node.js. It holds
 *  - the runtime module (ps/HvGuest) verbatim, as literal here-strings, so the administrator
 *    who runs it can read every line first; it is written to a temp folder and imported;
 *  - the requests (preflight, begin, one per guest, commit, rollback) as base64 of UTF-8 JSON,
 *    built here from the plan: values never become code in the script either.
 * The driver at the end does what `create` does: stop on a preflight problem (exit 2), roll
 * back on a failure (exit 1), commit on success (exit 0).
 *
 * No value from the plan or the inventory is ever written as script text, not even into the
 * header comment (a host named `hv1 #> Write-Output INJECTED <#` would end the comment there):
 * the header holds only hvguest's own version and run id, each checked to be a plain token, and
 * the host and guest names travel base64 like the rest and are printed by the driver when it runs.
 */
import {existsSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {InputError} from '../model/diagnostic.js'
import type {Plan} from '../model/plan.js'
import {report} from '../rules/codes.js'
import {packageRoot} from '../util/package-root.js'
import {newRunId} from './create.js'
import {seedMediaList} from '../media/seed-media.js'
import {manifestGuest} from './guest-status.js'

const RUNTIME_DIR = () => join(packageRoot(), 'ps', 'HvGuest')

function runtimeFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((n) => {
      const p = join(dir, n)
      return statSync(p).isDirectory() ? runtimeFiles(p) : /\.(ps1|psm1|psd1)$/i.test(n) && n !== 'Bootstrap.ps1' ? [p] : []
    })
    .sort()
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64')

/**
 * The only words that reach script text besides hvguest's own code: its version, the run id and
 * the runtime's file names. They are hvguest's, not the user's; this makes sure of it.
 */
function plainToken(value: string, what: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._+/-]*$/.test(value)) throw new Error(`--emit: ${what} ${JSON.stringify(value)} is not a plain token and cannot be written into the script`)
  return value
}

let cachedVersion: string | undefined
/** hvguest's version, from its own package.json (found from the bundle or dist/ alike, util/package-root.ts). */
export function hvguestVersion(): string {
  cachedVersion ??= String((JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {version?: unknown}).version ?? '')
  return cachedVersion
}

/** A single-quoted here-string is literal; only a line starting with '@ could end it early. */
function hereString(text: string, file: string): string {
  if (/^'@/m.test(text)) throw new Error(`${file} has a line starting with '@ and cannot be embedded`)
  return `@'\n${text.replace(/\r\n/g, '\n').replace(/\n$/, '')}\n'@`
}

export function buildEmittedScript(plan: Plan, opts: {replace?: boolean; lockTimeoutSeconds?: number; version?: string; runId?: string} = {}): string {
  if (plan.hosts.length !== 1) {
    throw new InputError(
      report('input-invalid', `--emit writes a script for one host, and this plan uses ${plan.hosts.length} (${plan.hosts.map((h) => h.name).join(', ')}); add --host NAME`),
    )
  }
  const host = plan.hosts[0]
  const runId = plainToken(opts.runId ?? newRunId(), 'the run id')
  const version = plainToken(opts.version ?? hvguestVersion(), 'the hvguest version')
  const dir = RUNTIME_DIR()
  const files = runtimeFiles(dir).map((f) => ({rel: plainToken(relative(dir, f).replaceAll('\\', '/'), 'the runtime file'), text: readFileSync(f, 'utf8')}))
  const requests = {
    // What the driver prints first: which host and guests this script is for (data, never text).
    summary: b64({host: host.name, os: host.os, guests: plan.guests.map((g) => g.name)}),
    preflight: b64({action: 'preflight', plan, replace: opts.replace ?? false, vmRoot: host.vmRoot}),
    begin: b64({action: 'begin', runId, host, vmRoot: host.vmRoot, lockTimeoutSeconds: opts.lockTimeoutSeconds ?? 60}),
    guests: plan.guests.map((g) => ({name: g.name, request: b64({action: 'create-guest', runId, guest: g, replace: opts.replace ?? false, vmRoot: host.vmRoot, media: seedMediaList(g)})})),
    commit: b64({action: 'commit', runId, vmRoot: host.vmRoot, guests: Object.fromEntries(plan.guests.map((g) => [g.name, manifestGuest(g)]))}),
    rollback: b64({action: 'rollback', runId, vmRoot: host.vmRoot}),
  }
  const lines: string[] = []
  lines.push('#Requires -Version 5.1')
  lines.push('<#')
  // Nothing from the plan here (see the top of this file): the driver prints the host and guests.
  lines.push(`  hvguest ${version} emitted script: ${plan.guests.length} guest(s) for one host, run ${runId}.`)
  lines.push('  Which host and guests: the plan data below (base64 of UTF-8 JSON); the script prints them first.')
  lines.push('  Run it on the Hyper-V host as an administrator:  pwsh -File <this file>  (or powershell.exe -File)')
  lines.push('  It stops before any change if the host is not ready (exit 2), and rolls back everything')
  lines.push('  it did if a step fails (exit 1). The runtime module below is hvguest\'s, verbatim.')
  lines.push('#>')
  lines.push('[CmdletBinding()]')
  lines.push('param()')
  lines.push("$ErrorActionPreference = 'Stop'")
  lines.push('')
  lines.push('# ---- the hvguest runtime module (ps/HvGuest), verbatim')
  lines.push('$RuntimeFiles = [ordered]@{')
  for (const f of files) lines.push(`  '${f.rel}' = ${hereString(f.text, f.rel)}`)
  lines.push('}')
  lines.push('')
  lines.push('# ---- the plan, as data: base64 of UTF-8 JSON requests')
  lines.push(`$Summary = '${requests.summary}'`)
  lines.push(`$Preflight = '${requests.preflight}'`)
  lines.push(`$Begin = '${requests.begin}'`)
  lines.push('$Guests = @(')
  for (const g of requests.guests) lines.push(`  '${g.request}'`)
  lines.push(')')
  lines.push(`$Commit = '${requests.commit}'`)
  lines.push(`$Rollback = '${requests.rollback}'`)
  lines.push('')
  lines.push(DRIVER)
  return lines.join('\n') + '\n'
}

/** Runs the requests in order, reading the runtime's protocol lines from its stdout. */
const DRIVER = String.raw`# ---- driver
$root = Join-Path ([IO.Path]::GetTempPath()) ('hvguest-' + [guid]::NewGuid().ToString('N'))
foreach ($entry in $RuntimeFiles.GetEnumerator()) {
  $path = Join-Path (Join-Path $root 'HvGuest') $entry.Key
  New-Item -ItemType Directory -Path (Split-Path -Parent $path) -Force | Out-Null
  [IO.File]::WriteAllText($path, $entry.Value, [Text.UTF8Encoding]::new($false))
}
Import-Module (Join-Path (Join-Path $root 'HvGuest') 'HvGuest.psd1') -Force

function Send-HvGuestRequest {
  [CmdletBinding()]
  param([Parameter(Mandatory)][string]$RequestBase64)
  # The runtime writes protocol lines straight to the console; capture them for this request.
  $writer = [IO.StringWriter]::new()
  $previous = [Console]::Out
  [Console]::SetOut($writer)
  try { Invoke-HvGuestRequest -RequestBase64 $RequestBase64 } finally { [Console]::SetOut($previous) }
  $result = $null
  foreach ($line in ($writer.ToString() -split "\r?\n")) {
    if (-not $line.StartsWith('{"hvguest":1,')) { continue }
    $message = $line | ConvertFrom-Json
    if ($message.type -eq 'progress') { Write-Host ("  {0}: {1} {2}" -f $message.guest, $message.step, $message.detail) }
    elseif ($message.type -eq 'result') { $result = $message }
  }
  if ($null -eq $result) { throw 'the hvguest runtime returned no result' }
  $result
}

function Invoke-HvGuestRun {
  [CmdletBinding()]
  param()
  $about = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($Summary)) | ConvertFrom-Json
  Write-Host ("hvguest: {0} guest(s) on host {1} ({2}): {3}" -f @($about.guests).Count, $about.host, $about.os, (@($about.guests) -join ', '))
  $check = Send-HvGuestRequest -RequestBase64 $Preflight
  if (-not $check.ok) { Write-Host ("preflight failed: {0}" -f $check.error.message); return 1 }
  if (@($check.data.problems).Count -gt 0) {
    foreach ($p in $check.data.problems) { Write-Host ("not ready: {0}" -f $p.message) }
    Write-Host 'The host is not ready for this plan: nothing was changed.'
    return 2
  }
  $began = Send-HvGuestRequest -RequestBase64 $Begin
  if (-not $began.ok) { Write-Host ("could not begin: {0}" -f $began.error.message); return 1 }
  foreach ($request in $Guests) {
    $r = Send-HvGuestRequest -RequestBase64 $request
    if (-not $r.ok) {
      Write-Host ("{0}: failed at {1} ({2}): {3}" -f $r.guest, $r.error.step, $r.error.cmdlet, $r.error.message)
      $undo = Send-HvGuestRequest -RequestBase64 $Rollback
      if ($undo.ok) { Write-Host 'Rolled back: nothing this run created is left.' }
      else { Write-Host ("rollback incomplete: {0}; run the script's rollback again or 'hvguest recover'" -f $undo.error.message) }
      return 1
    }
    Write-Host ("{0}: created" -f $r.guest)
  }
  $done = Send-HvGuestRequest -RequestBase64 $Commit
  if (-not $done.ok) { Write-Host ("commit failed: {0}" -f $done.error.message); return 1 }
  Write-Host 'Done.'
  return 0
}

try {
  $exitCode = Invoke-HvGuestRun
} finally {
  Remove-Item -LiteralPath $root -Recurse -Force -ErrorAction SilentlyContinue
  Remove-Module HvGuest -ErrorAction SilentlyContinue
}
exit $exitCode
`

/**
 * Writes the script to FILE. A folder that does not exist, or a file that cannot be written, is
 * bad input (exit 2), found before anything is written.
 */
export function emitScript(plan: Plan, file: string, opts: {replace?: boolean; lockTimeoutSeconds?: number; version?: string} = {}): string {
  const path = resolve(file)
  const folder = dirname(path)
  const refuse = (why: string) => new InputError(report('input-invalid', `--emit ${file}: ${why}; nothing was written`))
  if (!existsSync(folder)) throw refuse(`the folder ${folder} does not exist (create it first, or give a file in a folder that exists)`)
  if (!statSync(folder).isDirectory()) throw refuse(`${folder} is not a folder`)
  if (existsSync(path) && statSync(path).isDirectory()) throw refuse(`${path} is a folder; give the name of the script file to write`)
  const text = buildEmittedScript(plan, opts)
  try {
    writeFileSync(path, text, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code && ['EACCES', 'EPERM', 'EROFS', 'ENOENT', 'ENOTDIR', 'EISDIR', 'ENAMETOOLONG'].includes(code)) {
      throw refuse(`${path} cannot be written (${code}: ${(error as Error).message})`)
    }
    throw error
  }
  return path
}
