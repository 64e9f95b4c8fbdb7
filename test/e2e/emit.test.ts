/**
 * `create --emit FILE` through the BUILT CLI (bin/run.js, the bundled services): a FILE that
 * cannot be written is bad input (exit 2, the folder named, nothing written, never "internal
 * error"); the script's header carries the CLI's version; a host name that is not a computer name
 * stops at the inventory (exit 2 at its line and column). The emitted script runs on an emulated
 * host and prints, from its data, the host and guests it is for.
 *
 * Secrets: the file is owner-only (0600) and stderr says when it holds secrets; with
 * --no-secrets it holds no form of them, and run at a console (a pseudo-terminal: Read-Host
 * -AsSecureString needs one) it asks for each and writes seed media whose files carry the right
 * SHA-512 crypt hash (openssl, with the salt found in the file) and the answer file's encoding,
 * read back from the ISO with isoinfo (both trees) and xorriso.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {stringify} from 'yaml'
import {runAtConsole} from '../helpers/console-answers.js'
import {makeEmulatorProject, prebuildEmulatorProjects, type EmulatorProject, type EmulatorProjectOptions} from '../helpers/emulator-project.js'
import {cryptMatches} from '../helpers/independent-tools.js'
import {pwshPath} from '../helpers/pwsh.js'
import {REPO, runCli, STACK_LINE} from '../helpers/run-cli.js'

const VERSION = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version as string

function project(opts: EmulatorProjectOptions = {}): EmulatorProject {
  const p = makeEmulatorProject(opts)
  mkdirSync(join(p.dir, 'templates'))
  writeFileSync(
    join(p.dir, 'templates', 'small.yaml'),
    stringify({
      apiVersion: 'hvguest/v1',
      kind: 'GuestTemplate',
      metadata: {name: 'small'},
      spec: {os: {family: 'linux', distro: 'ubuntu', version: '22.04'}, bootDisk: {size: '10GB'}, networkAdapters: [{switch: 'Lab'}]},
    }),
  )
  return p
}

const emit = (p: EmulatorProject, file: string, more: string[] = []) => runCli(['create', 'small', '--name', 'web1', '--emit', file, ...more], {cwd: p.dir})

describe('create --emit', () => {
  it('into a folder that does not exist: exit 2 naming the folder, nothing written, no internal error', () => {
    const p = project()
    const missing = join(p.dir, 'no', 'such', 'dir')
    const r = emit(p, join(missing, 'x.ps1'))
    expect(r.code, r.stdout + r.stderr).toBe(2)
    expect(r.stderr).toContain(`error [input-invalid] --emit ${join(missing, 'x.ps1')}: the folder ${missing} does not exist`)
    expect(r.stderr).toContain('nothing was written')
    expect(r.stderr).not.toMatch(/internal error|report it/)
    expect(r.stderr).not.toMatch(STACK_LINE)
    expect(r.stdout).toBe('')
    expect(existsSync(join(p.dir, 'no'))).toBe(false)
    const j = emit(p, join(missing, 'x.ps1'), ['--json'])
    expect(j.code).toBe(2)
    expect(JSON.parse(j.stdout)).toMatchObject({status: 'error', exitCode: 2, error: {name: 'InputError', diagnostics: [{code: 'input-invalid'}]}})
  }, 60_000)

  it('onto a folder, or under a file: exit 2, nothing written', () => {
    const p = project()
    mkdirSync(join(p.dir, 'out'))
    const onFolder = emit(p, join(p.dir, 'out'))
    expect(onFolder.code, onFolder.stderr).toBe(2)
    expect(onFolder.stderr).toContain(`${join(p.dir, 'out')} is a folder`)
    expect(readdirSync(join(p.dir, 'out'))).toEqual([])
    writeFileSync(join(p.dir, 'plain'), 'x')
    const underFile = emit(p, join(p.dir, 'plain', 'x.ps1'))
    expect(underFile.code, underFile.stderr).toBe(2)
    expect(underFile.stderr).toContain(`${join(p.dir, 'plain')} is not a folder`)
    expect(readFileSync(join(p.dir, 'plain'), 'utf8')).toBe('x')
  }, 60_000)

  it("the header names the CLI's version; the script prints its host and guests and creates them", () => {
    const p = project()
    const file = join(p.dir, 'create-web1.ps1')
    const r = emit(p, file)
    expect(r.code, r.stdout + r.stderr).toBe(0)
    const text = readFileSync(file, 'utf8')
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/)
    expect(text.split('\n')[2]).toMatch(new RegExp(`^  hvguest ${VERSION.replaceAll('.', '\\.')} emitted script: 1 guest\\(s\\) for one host, run \\d{8}T\\d{6}-[0-9a-f]{6}\\.$`))
    expect(text).not.toContain('hvguest  emitted')
    // the script's path reaches pwsh as data (an environment variable)
    const ran = p.pwsh('& $env:HVG_SCRIPT; exit $LASTEXITCODE', {HVG_SCRIPT: file})
    expect(ran.code, ran.stdout + ran.stderr).toBe(0)
    expect(ran.stdout).toContain('hvguest: 1 guest(s) on host emu1 (windows-server-2022): web1')
    expect(p.state().vms.map((v: {name: string}) => v.name)).toEqual(['web1'])
  }, 120_000)

  it('a host name that is not a computer name: exit 2 at its line and column in the inventory, nothing written', () => {
    const p = project({hostName: 'hv1 #> Write-Output INJECTED <#'})
    const file = join(p.dir, 'x.ps1')
    const r = emit(p, file, ['--host', 'hv1 #> Write-Output INJECTED <#'])
    expect(r.code, r.stdout + r.stderr).toBe(2)
    // the plan's diagnostics (stdout, with the plan), at the name in hosts.yaml: `  - name: "..."` is line 4, column 11
    expect(r.stdout).toMatch(/^ {2}hosts\.yaml:4:11: error \[schema\] hosts\[0\]\.name: a host name is a computer name: letters, digits and hyphens/m)
    expect(r.stderr).toContain('The plan has errors: nothing can be created from it.')
    expect(r.stderr).not.toMatch(/internal error/)
    expect(existsSync(file)).toBe(false)
    // the near miss: a computer name
    const good = project({hostName: 'hv1.lab'})
    expect(emit(good, join(good.dir, 'x.ps1'), ['--host', 'hv1.lab']).code).toBe(0)
  }, 60_000)
})

/** One line (typed at a console: no line break), quotes of both kinds, $(…), backticks, non-ASCII outside the BMP, XML and shell metacharacters. */
const SECRET = 'Pa\'ss"w$(touch /tmp/hvg-pwned)`id` Zoë 日本😀 ;&<b>|'
/** The answer file's form of a password (base64 of UTF-16LE of value + element), computed here, not by hvguest. */
const encoded = (value: string, element: string) => Buffer.from(value + element, 'utf16le').toString('base64')

const SECRET_HOST: EmulatorProjectOptions = {
  hostOs: 'windows-server-2012r2',
  guestTiming: {heartbeatSeconds: 0, addressSeconds: 0},
  setup: [
    "New-HvEmulatorImage -Path 'C:\\Images\\ubuntu-22.04.vhdx' -Os 'linux/ubuntu/22.04' -Software 'cloud-init','openssh-server' | Out-Null",
    "New-HvEmulatorImage -Path 'C:\\Images\\ws2012r2.vhdx' -Os 'windows/2012r2' | Out-Null",
  ].join('\n'),
}

/** Outside every project: a values file holds the secret by design. */
const outside = mkdtempSync(join(tmpdir(), 'hvguest-emit-secrets-'))
const valuesFile = join(outside, 'values.yaml')
writeFileSync(valuesFile, `adminPassword: ${JSON.stringify(SECRET)}\n`, {mode: 0o600})

const local = (p: EmulatorProject, windowsPath: string) => join(p.dir, '.hvguest', 'drives', 'C', ...windowsPath.slice(3).split('\\'))
const MEDIA = (name: string) => `C:\\Hyper-V\\${name}\\${name}-firstboot.iso`

/** The bytes, then whatever long base64 runs in them decode to, two levels deep (a request, then its media). */
function layers(bytes: Buffer, depth = 2): Buffer[] {
  const out = [bytes]
  if (depth === 0) return out
  for (const m of bytes.toString('latin1').matchAll(/[A-Za-z0-9+/]{40,}={0,2}/g)) out.push(...layers(Buffer.from(m[0], 'base64'), depth - 1))
  return out
}

/** Runs the script $env:HVG_SCRIPT on the emulated host of $env:HVG_STATE (paths as data). */
const wrapper = join(outside, 'run-emitted.ps1')
writeFileSync(
    wrapper,
    [
      "$ErrorActionPreference = 'Stop'",
      '$env:PSModulePath = $env:HVG_MODULES + [IO.Path]::PathSeparator + $env:PSModulePath',
      'Import-Module HvEmulator',
      'Initialize-HvEmulator -StateFile $env:HVG_STATE',
      '& $env:HVG_SCRIPT',
      'exit $LASTEXITCODE',
    ].join('\n'),
  )

/** Runs an emitted script on the project's emulated host in a pseudo-terminal, typing `answers`. */
function runScriptAtConsole(p: EmulatorProject, script: string, answers: Array<[string, string]>) {
  return runAtConsole([pwshPath(), '-NoProfile', '-File', wrapper], answers, {
    cwd: p.dir,
    env: {HVG_MODULES: join(REPO, 'ps', 'emulator'), HVG_STATE: p.stateFile, HVG_SCRIPT: script, TERM: 'xterm'},
  })
}

/** A file of an ISO read back three ways: isoinfo through Joliet and through the primary tree, and xorriso; all must agree. */
function isoFile(iso: string, name: string): string {
  const joliet = execFileSync('isoinfo', ['-J', '-x', `/${name}`, '-i', iso])
  const primaryName = execFileSync('isoinfo', ['-l', '-i', iso], {encoding: 'latin1'})
    .split('\n')
    .map((l) => / \[\s*(\d+) 00\]  (.*) $/.exec(l))
    .filter((m) => m !== null)
  const jolietExtent = / \[\s*(\d+) 00\]  (.*) $/.exec(execFileSync('isoinfo', ['-J', '-l', '-i', iso], {encoding: 'latin1'}).split('\n').find((l) => l.endsWith(`  ${name} `))!)![1]
  const primary = execFileSync('isoinfo', ['-x', `/${primaryName.find((m) => m[1] === jolietExtent)![2]}`, '-i', iso])
  const out = mkdtempSync(join(tmpdir(), 'hvguest-seed-'))
  execFileSync('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', `/${name}`, join(out, name)], {stdio: 'pipe'})
  const viaXorriso = readFileSync(join(out, name))
  expect(primary.equals(joliet), `${name}: primary tree = Joliet`).toBe(true)
  expect(viaXorriso.equals(joliet), `${name}: xorriso = isoinfo`).toBe(true)
  return joliet.toString('utf8')
}

describe('create --emit and secrets', {timeout: 180_000}, () => {
  beforeAll(() => prebuildEmulatorProjects([SECRET_HOST, {}]), 120_000)

  it('the file is readable by its owner alone (0600, an existing file too) and stderr says it holds secrets', () => {
    const p = makeEmulatorProject(SECRET_HOST)
    const file = join(p.dir, 'with-secrets.ps1')
    writeFileSync(file, 'old')
    chmodSync(file, 0o644)
    const r = runCli(['create', 'ws2012r2', 'ubuntu-2204', '--values', valuesFile, '--emit', file], {cwd: p.dir})
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(r.stderr).toContain(`${file} holds secrets`)
    expect(r.stderr).toContain('add --no-secrets')
    expect(r.stdout).not.toContain('holds secrets')
    expect(readFileSync(file, 'utf8')).toMatch(/^#Requires/)
    // a new file, and a plan with no secret: owner-only as well, and no notice
    const plain = join(p.dir, 'no-secrets.ps1')
    const q = runCli(['create', 'ubuntu-2204', '--emit', plain], {cwd: p.dir})
    expect(q.code, q.stderr).toBe(0)
    expect(statSync(plain).mode & 0o777).toBe(0o600)
    expect(q.stderr).not.toContain('secret')
  })

  it('--no-secrets: no form of the secret in the script; at a console it asks, and the media carry the right hash and encoding', () => {
    const p = makeEmulatorProject(SECRET_HOST)
    const file = join(p.dir, 'ask.ps1')
    const r = runCli(['create', 'ws2012r2', 'ubuntu-2204', '--values', valuesFile, '--emit', file, '--no-secrets'], {cwd: p.dir})
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.stderr).not.toContain('holds secrets')
    expect(statSync(file).mode & 0o777).toBe(0o600)

    // nowhere in the script, its base64 layers included: the value, its UTF-16, its encodings, a hash of it
    const all = layers(readFileSync(file))
    const forms = {
      'utf-8': Buffer.from(SECRET),
      'utf-16': Buffer.from(SECRET, 'utf16le'),
      'json-escaped': Buffer.from(JSON.stringify(SECRET).slice(1, -1)),
      fragment: Buffer.from('hvg-pwned'),
      'unattend AdministratorPassword': Buffer.from(encoded(SECRET, 'AdministratorPassword')),
      'unattend Password': Buffer.from(encoded(SECRET, 'Password')),
    }
    for (const [what, form] of Object.entries(forms)) expect(all.some((l) => l.includes(form)), what).toBe(false)
    const hashes = all.flatMap((l) => [...l.toString('latin1').matchAll(/\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}/g)].map((m) => m[0]))
    for (const h of hashes) expect(cryptMatches(h, SECRET), h).toBe(false)
    // the layers do reach the media: the tokens are there
    expect(all.some((l) => l.includes('@@HVGUEST-SECRET:adminPassword:sha512crypt@@'))).toBe(true)
    expect(all.some((l) => l.includes('@@HVGUEST-SECRET:adminPassword:unattend-AdministratorPassword@@'))).toBe(true)

    // input redirected: Read-Host -AsSecureString cannot work there, so the script stops before any change
    const piped = spawnSync(pwshPath(), ['-NoProfile', '-File', wrapper], {
      input: `${SECRET}\n${SECRET}\n`,
      encoding: 'utf8',
      cwd: p.dir,
      env: {...process.env, HVG_MODULES: join(REPO, 'ps', 'emulator'), HVG_STATE: p.stateFile, HVG_SCRIPT: file},
      timeout: 120_000,
    })
    expect(piped.status, piped.stdout + piped.stderr).toBe(2)
    expect(piped.stdout).toContain('its input is redirected: run it in an interactive PowerShell window')
    expect(piped.stdout).toContain('Nothing was changed.')
    expect(p.state().vms).toEqual([])

    // two entries that differ: asked twice, refused, nothing changed
    const typo = runScriptAtConsole(p, file, [['Secret adminPassword', SECRET], ['Type adminPassword again', `${SECRET}x`]])
    expect(typo.code, typo.output).toBe(2)
    expect(typo.output).toContain('the two entries of adminPassword')
    expect(typo.output).not.toContain(SECRET)
    expect(p.state().vms).toEqual([])

    const ran = runScriptAtConsole(p, file, [['Secret adminPassword', SECRET], ['Type adminPassword again', SECRET]])
    expect(ran.answered).toBe(2)
    expect(ran.code, ran.output).toBe(0)
    // asked once for both guests, with the parameter's description; what was typed is not echoed
    expect(ran.output.match(/Secret adminPassword/g)).toHaveLength(1)
    expect(ran.output).toMatch(/Secret adminPassword \(.+\)/)
    expect(ran.output).not.toContain(SECRET)
    expect(p.state().vms.map((v: {name: string}) => v.name).sort()).toEqual(['ubuntu-2204', 'ws2012r2'])

    const userData = isoFile(local(p, MEDIA('ubuntu-2204')), 'user-data')
    expect(userData).not.toContain('@@HVGUEST-SECRET')
    const hash = /^ {4}passwd: "(.+)"$/m.exec(userData)![1]
    expect(hash).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/)
    expect(cryptMatches(hash, SECRET)).toBe(true)
    const answer = isoFile(local(p, MEDIA('ws2012r2')), 'autounattend.xml')
    expect(answer).toContain(`<Value>${encoded(SECRET, 'AdministratorPassword')}</Value>`)
    expect(answer).not.toContain('@@HVGUEST-SECRET')
    expect(isoFile(local(p, MEDIA('ws2012r2')), 'unattend.xml')).toBe(answer)
    // the files the script did not touch are as hvguest wrote them
    expect(isoFile(local(p, MEDIA('ubuntu-2204')), 'meta-data')).toMatch(/^instance-id: /m)
  })

  it('--no-secrets refuses a first-boot file that writes a secret as it is: exit 2 naming the parameter and the file, nothing written', () => {
    const p = makeEmulatorProject(SECRET_HOST)
    mkdirSync(join(p.dir, 'templates', 'firstboot'), {recursive: true})
    writeFileSync(join(p.dir, 'templates', 'firstboot', 'raw-user-data.yaml.hbs'), '#cloud-config\nchpasswd:\n  list: "root:{{rootPassword}}"\n')
    writeFileSync(
      join(p.dir, 'templates', 'raw.yaml'),
      stringify({
        apiVersion: 'hvguest/v1',
        kind: 'GuestTemplate',
        metadata: {name: 'raw'},
        parameters: {rootPassword: {type: 'string', secret: true, required: false, description: 'root'}},
        spec: {
          os: {family: 'linux', distro: 'ubuntu', version: '22.04'},
          bootDisk: {parent: '{{host.imageRoot}}\\ubuntu-22.04.vhdx'},
          networkAdapters: [{switch: 'Lab'}],
          firstBoot: {cloudInit: 'firstboot/raw-user-data.yaml.hbs'},
        },
      }),
    )
    const file = join(p.dir, 'raw.ps1')
    const r = runCli(['create', 'raw', '--set', 'rootPassword=abc', '--emit', file, '--no-secrets'], {cwd: p.dir})
    expect(r.code, r.stdout + r.stderr).toBe(2)
    expect(r.stderr).toMatch(/error \[input-invalid\] --no-secrets: raw's first-boot file user-data writes the secret parameter rootPassword as it is/)
    expect(r.stderr).toContain('nothing was written')
    expect(r.stderr).not.toMatch(/internal error/)
    expect(existsSync(file)).toBe(false)
    // without --no-secrets it is written, with the notice
    const w = runCli(['create', 'raw', '--set', 'rootPassword=abc', '--emit', file], {cwd: p.dir})
    expect(w.code, w.stderr).toBe(0)
    expect(w.stderr).toContain('holds secrets')
  })

  it('--no-secrets with a plan that has no secret asks nothing; --no-secrets without --emit is bad input', () => {
    const p = project()
    const file = join(p.dir, 'plain.ps1')
    expect(emit(p, file, ['--no-secrets']).code).toBe(0)
    // run with its input redirected (the helper feeds pwsh the wrapper on stdin): nothing is asked
    const ran = p.pwsh('& $env:HVG_SCRIPT; exit $LASTEXITCODE', {HVG_SCRIPT: file})
    expect(ran.code, ran.stdout + ran.stderr).toBe(0)
    expect(ran.stdout).not.toContain('secret')
    expect(p.state().vms.map((v: {name: string}) => v.name)).toEqual(['web1'])
    const alone = runCli(['create', 'small', '--name', 'web1', '--no-secrets', '--dry-run'], {cwd: p.dir})
    expect(alone.code).toBe(2)
    expect(alone.stderr).toContain('All of the following must be provided when using --no-secrets: --emit')
    // and a command without the flag does not need --emit (a boolean default would count as given)
    const dry = runCli(['create', 'small', '--name', 'web2', '--dry-run'], {cwd: p.dir})
    expect(dry.code, dry.stderr).toBe(0)
  })
})
