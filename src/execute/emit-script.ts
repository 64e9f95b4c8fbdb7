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
 *
 * Secrets (docs/execution.md, "Emitted scripts"): by default the seed media in the requests carry
 * them, so the file is written readable by its owner alone (0600; on Windows an ACL for the
 * current user only). With `noSecrets` the media are built from the placeholder render: each
 * secret is a token `@@HVGUEST-SECRET:<parameter>:<form>@@`, each file holding one gets room for
 * the longest form a secret of SECRET_MAX_LENGTH characters can take, and the driver asks for
 * the secrets (ps/emit/SeedSecrets.ps1, embedded verbatim as code) and rewrites those files in
 * the image, by the offsets buildIsoWithLayout reports, before the request goes to the runtime.
 */
import {execFileSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {chmodSync, closeSync, existsSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {userInfo} from 'node:os'
import {basename, dirname, join, relative, resolve} from 'node:path'
import {InputError} from '../model/diagnostic.js'
import type {Plan, PlannedGuest} from '../model/plan.js'
import {report} from '../model/codes.js'
import {packageRoot} from '../util/package-root.js'
import {newRunId} from './run-id.js'
import {seedMediaList, seedPlaceholderFilesOf} from '../resolve/firstboot/index.js'
import {buildIsoWithLayout, type IsoFileLayout} from '../media/iso9660.js'
import {manifestGuest} from './guest-status.js'

const RUNTIME_DIR = () => join(packageRoot(), 'ps', 'HvGuest')
const EMIT_DIR = () => join(packageRoot(), 'ps', 'emit')

/**
 * The most UTF-16 code units a secret may have in a --no-secrets script: each file's room is
 * reserved for this, and the script refuses a longer answer (ps/emit/SeedSecrets.ps1 says the same).
 */
export const SECRET_MAX_LENGTH = 1024

const TOKEN = /@@HVGUEST-SECRET:([^:@]+):([A-Za-z0-9-]+)@@/g
/** Any token, in any letter case: one a helper changed ({{lower adminPassword}}) is the secret written as it is. */
const ANY_TOKEN = /@@HVGUEST-SECRET:([^:@]+):([A-Za-z0-9-]+)@@/gi
const FORMS = new Set(['sha512crypt', 'unattend-Password', 'unattend-AdministratorPassword', 'plain'])

/** The longest text a form of a secret of SECRET_MAX_LENGTH characters is, in UTF-8 bytes. */
function maxFormBytes(form: string): number {
  if (form === 'sha512crypt') return 106
  const element = form.replace(/^unattend-/, '')
  return 4 * Math.ceil((2 * (SECRET_MAX_LENGTH + element.length)) / 3)
}

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

export interface EmitOptions {
  replace?: boolean
  lockTimeoutSeconds?: number
  version?: string
  runId?: string
  /** Embed no secret: the script asks for each one when it runs (create --emit --no-secrets). */
  noSecrets?: boolean
}

interface SecretSeed {
  /** The request's JSON text around each media's contentBase64 (media i goes between parts i and i+1). */
  parts: string[]
  media: Array<{image: string; files: IsoFileLayout[]}>
}

/**
 * A guest's create-guest request for a --no-secrets script: a plain request when its media hold
 * no token, else the pieces the driver fills in. Throws InputError for a secret written as it is.
 */
function placeholderRequest(g: PlannedGuest, request: Record<string, unknown>, asked: Map<string, string | null>): {request?: string; seed?: SecretSeed} {
  const fb = g.firstBoot
  if (!fb || fb.files.length === 0) return {request: b64({...request, media: []})}
  const {files, secrets} = seedPlaceholderFilesOf(g)
  for (const f of files) {
    for (const m of f.content.matchAll(ANY_TOKEN)) {
      const parameter = secrets.find((x) => x.parameter.toLowerCase() === m[1].toLowerCase())?.parameter ?? m[1]
      const form = [...FORMS].find((x) => x.toLowerCase() === m[2].toLowerCase())
      if (form === undefined) throw new Error(`--no-secrets: ${f.name} holds a secret in the form ${m[2]}, which the emitted script cannot compute`)
      // written as it is, or a token a helper changed: no script can fill it in for the format
      if (form === 'plain' || m[0] !== `@@HVGUEST-SECRET:${parameter}:${form}@@`) {
        throw new InputError(
          report(
            'input-invalid',
            `--no-secrets: ${g.name}'s first-boot file ${f.name} writes the secret parameter ${parameter} as it is, which a script cannot fill in for that file's format when it runs; write it hashed or encoded in the first-boot template, or emit without --no-secrets; nothing was written`,
          ),
        )
      }
    }
    // The placeholder render must not leave a redacted value behind: the guest would get "(secret)" as its password.
    if (fb.secret && f.content.includes('(secret)')) throw new Error(`--no-secrets: the placeholder render of ${f.name} still shows (secret)`)
  }
  const description = new Map(secrets.map((s) => [s.parameter, s.description]))
  const withTokens = files.filter((f) => f.content.search(TOKEN) >= 0)
  for (const f of withTokens) for (const m of f.content.matchAll(TOKEN)) if (!asked.has(m[1])) asked.set(m[1], description.get(m[1]) ?? null)
  const iso = buildIsoWithLayout({
    volumeId: fb.label,
    files: files.map((f) => {
      const room = [...f.content.matchAll(TOKEN)].reduce((n, m) => n + Math.max(0, maxFormBytes(m[2]) - Buffer.byteLength(m[0])), 0)
      return {name: f.name, content: f.content, room: room > 0 ? Buffer.byteLength(f.content) + room : undefined}
    }),
  })
  const media = {image: iso.image.toString('base64'), files: iso.files.filter((l) => withTokens.some((f) => f.name === l.name))}
  if (media.files.length === 0) return {request: b64({...request, media: [{path: fb.media, contentBase64: media.image}]})}
  // The sentinel is random, so no value of the plan can hold it: the split finds the media field alone.
  const sentinel = `hvguest-media-${randomBytes(16).toString('hex')}`
  const parts = JSON.stringify({...request, media: [{path: fb.media, contentBase64: sentinel}]}).split(sentinel)
  if (parts.length !== 2) throw new Error('--no-secrets: the create-guest request could not be split at its media')
  return {seed: {parts, media: [media]}}
}

export function buildEmittedScript(plan: Plan, opts: EmitOptions = {}): string {
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
  // The secrets a --no-secrets script asks for, in the order the files use them: name → description.
  const asked = new Map<string, string | null>()
  const requests = {
    // What the driver prints first: which host and guests this script is for (data, never text).
    summary: b64({host: host.name, os: host.os, guests: plan.guests.map((g) => g.name)}),
    preflight: b64({action: 'preflight', plan, replace: opts.replace ?? false, vmRoot: host.vmRoot}),
    begin: b64({action: 'begin', runId, host, vmRoot: host.vmRoot, lockTimeoutSeconds: opts.lockTimeoutSeconds ?? 60}),
    guests: plan.guests.map((g) => {
      // A cluster node's guest is registered with its cluster in the script too (docs/clusters.md).
      const request = {action: 'create-guest', runId, guest: g, replace: opts.replace ?? false, vmRoot: host.vmRoot, ...(host.cluster ? {cluster: host.cluster} : {})}
      return opts.noSecrets ? placeholderRequest(g, request, asked) : {request: b64({...request, media: seedMediaList(g)})}
    }),
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
  // A guest whose seed media take secrets has no request yet: the driver makes it from $GuestSeeds.
  lines.push('$Guests = @(')
  for (const g of requests.guests) lines.push(`  '${g.request ?? ''}'`)
  lines.push(')')
  lines.push('$GuestSeeds = @(')
  for (const g of requests.guests) lines.push(`  '${g.seed ? b64(g.seed) : ''}'`)
  lines.push(')')
  // Names and descriptions each base64 again: ConvertFrom-Json in pwsh 7 would turn a date-like string into a DateTime.
  const utf8b64 = (v: string | null) => Buffer.from(v ?? '', 'utf8').toString('base64')
  lines.push(`$Secrets = '${b64([...asked].map(([parameter, description]) => ({parameter: utf8b64(parameter), description: utf8b64(description)})))}'`)
  lines.push(`$Commit = '${requests.commit}'`)
  lines.push(`$Rollback = '${requests.rollback}'`)
  lines.push('')
  lines.push('# ---- secrets asked for when the script runs (ps/emit/SeedSecrets.ps1), verbatim')
  lines.push(readFileSync(join(EMIT_DIR(), 'SeedSecrets.ps1'), 'utf8').replace(/\r\n/g, '\n').replace(/\n$/, ''))
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

# A script written with --no-secrets: asks for each secret, then makes the create-guest request
# of each guest whose seed media take one: its files rewritten in the image, the image put
# between the request's JSON parts. The values stay in this process's memory.
function Complete-HvSeedRequests {
  [CmdletBinding()]
  param()
  $decode = { param($text) [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String([string]$text)) }
  $asks = (& $decode $Secrets) | ConvertFrom-Json
  $count = 0
  foreach ($a in $asks) { $count++ }
  if ($count -eq 0) { return }
  # pwsh 7 ends the whole process, exit code 0, when Read-Host -AsSecureString reads redirected input.
  if ($Host.Name -eq 'ConsoleHost' -and [Console]::IsInputRedirected) {
    throw 'this script asks for secrets at the console (Read-Host -AsSecureString), and its input is redirected: run it in an interactive PowerShell window'
  }
  Write-Host ("This script asks for {0} secret(s) for the seed media; what you type is not shown." -f $count)
  $values = @{}
  try {
    foreach ($a in $asks) {
      $name = & $decode $a.parameter
      $values[$name] = Read-HvSecret -Parameter $name -Description (& $decode $a.description)
    }
    for ($i = 0; $i -lt $GuestSeeds.Count; $i++) {
      if (-not $GuestSeeds[$i]) { continue }
      $seed = (& $decode $GuestSeeds[$i]) | ConvertFrom-Json
      $parts = @($seed.parts)
      $media = @($seed.media)
      $request = New-Object Text.StringBuilder
      for ($m = 0; $m -lt $media.Count; $m++) {
        $image = [Convert]::FromBase64String([string]$media[$m].image)
        Update-HvSeedImage -Image $image -Files @($media[$m].files) -Values $values
        [void]$request.Append([string]$parts[$m]).Append([Convert]::ToBase64String($image))
      }
      [void]$request.Append([string]$parts[$media.Count])
      $Guests[$i] = [Convert]::ToBase64String([Text.UTF8Encoding]::new($false).GetBytes($request.ToString()))
    }
  } finally { $values.Clear() }
}

function Invoke-HvGuestRun {
  [CmdletBinding()]
  param()
  $about = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($Summary)) | ConvertFrom-Json
  Write-Host ("hvguest: {0} guest(s) on host {1} ({2}): {3}" -f @($about.guests).Count, $about.host, $about.os, (@($about.guests) -join ', '))
  try { $null = Complete-HvSeedRequests }
  catch {
    Write-Host ("secrets: {0}" -f $_.Exception.Message)
    Write-Host 'Nothing was changed.'
    return 2
  }
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
export function emitScript(plan: Plan, file: string, opts: Omit<EmitOptions, 'runId'> = {}): string {
  const path = resolve(file)
  const folder = dirname(path)
  const refuse = (why: string) => new InputError(report('input-invalid', `--emit ${file}: ${why}; nothing was written`))
  if (!existsSync(folder)) throw refuse(`the folder ${folder} does not exist (create it first, or give a file in a folder that exists)`)
  if (!statSync(folder).isDirectory()) throw refuse(`${folder} is not a folder`)
  if (existsSync(path) && statSync(path).isDirectory()) throw refuse(`${path} is a folder; give the name of the script file to write`)
  const text = buildEmittedScript(plan, opts)
  try {
    writeOwnerOnly(path, text)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code && ['EACCES', 'EPERM', 'EROFS', 'ENOENT', 'ENOTDIR', 'EISDIR', 'ENAMETOOLONG'].includes(code)) {
      throw refuse(`${path} cannot be written (${code}: ${(error as Error).message})`)
    }
    throw error
  }
  return path
}

/**
 * Writes `text` so that only the current user can read it, with no moment where others could:
 * the script may hold secrets (and even without, it says what runs on the host).
 *  - POSIX: a new file is created with mode 0600; an existing one is chmod 0600 before it is
 *    truncated and written.
 *  - Windows: the text goes to a new file next to FILE, whose inherited ACEs are removed and
 *    replaced by one granting the current user full control (icacls, arguments as an array),
 *    while it is still empty; it then replaces FILE (a rename keeps the new file's ACL, and an
 *    existing FILE's explicit entries for others go with it).
 */
export function writeOwnerOnly(path: string, text: string, platform: NodeJS.Platform = process.platform): void {
  if (platform !== 'win32') {
    if (existsSync(path)) chmodSync(path, 0o600)
    writeFileSync(path, text, {encoding: 'utf8', mode: 0o600})
    return
  }
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  closeSync(openSync(temp, 'wx'))
  try {
    const user = process.env.USERDOMAIN && process.env.USERNAME ? `${process.env.USERDOMAIN}\\${process.env.USERNAME}` : userInfo().username
    execFileSync('icacls', [temp, '/inheritance:r', '/grant:r', `${user}:F`], {stdio: 'pipe', windowsHide: true})
    writeFileSync(temp, text, 'utf8')
    renameSync(temp, path)
  } catch (error) {
    rmSync(temp, {force: true})
    throw error
  }
}
