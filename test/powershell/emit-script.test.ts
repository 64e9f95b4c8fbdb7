/**
 * `create --emit`: no value of the plan or the inventory becomes script text. Every value of the
 * hostile corpus (the strings the runtime and session tests use: quotes, the Unicode quotes
 * PowerShell honours, `$(...)`, backticks, `#>` and `<#`, here-string markers, line breaks...) is
 * put into every name a plan carries at once (host, guest, template, profile, switch, adapter,
 * paths, notes, OS), and the emitted script is parsed by real pwsh
 * ([System.Management.Automation.Language.Parser]::ParseFile): it must parse, run exactly the
 * commands of a script made from a plain plan (no `Write-Output INJECTED`), and carry none of the
 * values in its comments. The values travel base64 and are decoded, intact, by the driver.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {buildIsoWithLayout} from '../../src/media/iso9660.js'
import {buildEmittedScript, SECRET_MAX_LENGTH} from '../../src/execute/emit-script.js'
import {HOSTILE} from '../fixtures/session/helpers.js'
import {clone, singleGuestPlan} from '../fixtures/runtime/plans.js'
import {cryptMatches, opensslSha512Crypt} from '../helpers/independent-tools.js'
import {REPO, runPwshFile} from '../helpers/pwsh.js'

const work = mkdtempSync(join(tmpdir(), 'hvguest-emit-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))

/** The hostile corpus, and the ways out of the emitted script's comment, strings and here-strings. */
const VALUES: string[] = [
  ...HOSTILE,
  'hv1 #> Write-Output INJECTED <#',
  '#>\nWrite-Output INJECTED\n<#',
  'x\r\nWrite-Output INJECTED',
  "x'; Write-Output INJECTED; '",
  'x’; Write-Output INJECTED; ‘',
  'x‛; Write-Output INJECTED; ‚',
  'x"; Write-Output INJECTED; "',
  'x”; Write-Output INJECTED; „',
  '$(Write-Output INJECTED)',
  '`$(Write-Output INJECTED)',
  "\n'@\nWrite-Output INJECTED\n@'\n",
  '\n"@\nWrite-Output INJECTED\n@"\n',
  '<# Write-Output INJECTED',
]

/** The same value in every name and path of a one-host, two-guest plan. */
function hostilePlan(v: string): any {
  const plan = singleGuestPlan('ubuntu-2204')
  const h = plan.hosts[0]
  Object.assign(h, {name: v, os: v, profile: v, vmRoot: `C:\\${v}`, imageRoot: `C:\\${v}`, isoRoot: `C:\\${v}`, cluster: v})
  h.network.jumbo = [{switch: v, value: 9014, targets: ['physical-nic', 'host-vethernet']}]
  const g = plan.guests[0]
  Object.assign(g, {name: v, host: v, template: v, templateFile: v, profile: v, hostname: v, notes: v, path: `C:\\${v}`})
  Object.assign(g.os, {distro: v, version: v})
  for (const d of g.drives) if (d.path) d.path = `C:\\${v}\\${d.name}.vhdx`
  for (const a of g.networkAdapters) Object.assign(a, {name: v, switch: v})
  const second = {...clone(g), name: `${v} 2`}
  plan.guests = [g, second]
  plan.diagnostics = [{code: 'x', severity: 'warning', message: v, guest: v, host: v}]
  return plan
}

interface Parsed {
  errors: string[]
  commands: Array<string | null>
  comments: string[]
  summary: {host: string; os: string; guests: string[]}
}

/** Parses every script in one pwsh (file paths arrive as data, in an environment variable). */
function parse(files: string[]): Parsed[] {
  const parser = join(work, 'parse.ps1')
  writeFileSync(
    parser,
    [
      "$ErrorActionPreference = 'Stop'",
      '$out = foreach ($f in @($env:HVG_FILES | ConvertFrom-Json)) {',
      '  $tokens = $null; $errors = $null',
      '  $ast = [System.Management.Automation.Language.Parser]::ParseFile($f, [ref]$tokens, [ref]$errors)',
      '  $commands = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true) | ForEach-Object { $_.GetCommandName() })',
      "  $comments = @($tokens | Where-Object { $_.Kind -eq 'Comment' } | ForEach-Object { $_.Text })",
      // The driver's own decoding of $Summary: the value arrives whole.
      "  $assign = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.AssignmentStatementAst] -and [string]$n.Left -eq '$Summary' }, $false))[0]",
      '  $summary = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($assign.Right.Expression.Value)) | ConvertFrom-Json',
      '  [ordered]@{ errors = @($errors | ForEach-Object { $_.Message }); commands = $commands; comments = $comments; summary = $summary }',
      '}',
      'ConvertTo-Json -InputObject @($out) -Depth 6 -Compress',
    ].join('\n'),
  )
  const r = runPwshFile(parser, [], {env: {HVG_FILES: JSON.stringify(files)}, timeoutMs: 300_000})
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout)
}

describe('--emit: values are data, never script text', () => {
  it('every hostile value in every name: the script parses to the plain script\'s commands, and no comment holds it', () => {
    const runId = '20260101T000000-abcdef'
    const plain = join(work, 'plain.ps1')
    writeFileSync(plain, buildEmittedScript(singleGuestPlan('ubuntu-2204'), {runId, version: '0.1.0'}))
    const files = VALUES.map((v, i) => {
      const file = join(work, `hostile-${i}.ps1`)
      writeFileSync(file, buildEmittedScript(hostilePlan(v), {runId, version: '0.1.0'}))
      return file
    })
    const [base, ...hostile] = parse([plain, ...files])
    expect(base.errors).toEqual([])
    // the plain script's own commands (the driver's): nothing that writes to the pipeline on its own
    expect(base.commands).not.toContain('Write-Output')
    expect(base.commands).toEqual(expect.arrayContaining(['Import-Module', 'Send-HvGuestRequest', 'Write-Host', 'ConvertFrom-Json']))
    hostile.forEach((p, i) => {
      const v = VALUES[i]
      const label = JSON.stringify(v)
      expect(p.errors, label).toEqual([])
      expect(p.commands, label).toEqual(base.commands)
      expect(p.comments, label).toEqual(base.comments.map((c) => c.replace(/\d+ guest\(s\)/, '2 guest(s)')))
      for (const c of p.comments) for (const line of v.split(/\r?\n/).filter((l) => l.trim().length > 2)) expect(c.includes(line), `${label} in a comment`).toBe(false)
      // decoded by the driver exactly as the plan wrote it
      expect(p.summary, label).toEqual({host: v, os: v, guests: [v, `${v} 2`]})
    })
  }, 300_000)

  it('the header holds no value from the plan: only the version, the run id and a count', () => {
    const text = buildEmittedScript(hostilePlan('hv1 #> Write-Output INJECTED <#'), {runId: 'run-1', version: '0.1.0'})
    const header = text.slice(0, text.indexOf('#>') + 2)
    expect(header).toContain('hvguest 0.1.0 emitted script: 2 guest(s) for one host, run run-1.')
    expect(header).not.toMatch(/INJECTED|hv1/)
    expect(text.split('\n').filter((l) => l.includes('INJECTED'))).toEqual([])
  })

  it('a run id or version that is not a plain token is refused, not written', () => {
    const plan = singleGuestPlan('ubuntu-2204')
    expect(() => buildEmittedScript(plan, {runId: "r'; Write-Output INJECTED; '", version: '0.1.0'})).toThrow(/run id .* is not a plain token/)
    expect(() => buildEmittedScript(plan, {runId: 'run-1', version: '1.0 #> Write-Output INJECTED <#'})).toThrow(/version .* is not a plain token/)
  })
})

/** A guest whose first-boot files hold secret tokens, as the placeholder render writes them. */
function tokenPlan(parameter = 'adminPassword', extra: Partial<Record<'userData' | 'answer', string>> = {}): any {
  const plan = singleGuestPlan('ubuntu-2204')
  const g = plan.guests[0]
  const t = (form: string) => `@@HVGUEST-SECRET:${parameter}:${form}@@`
  g.firstBoot = {
    kind: 'cloudInit',
    template: 'firstboot/cloud-init',
    media: `C:\\Hyper-V\\${g.name}\\${g.name}-firstboot.iso`,
    label: 'cidata',
    values: {},
    files: [
      {name: 'user-data', template: 'x', content: extra.userData ?? `#cloud-config\nusers:\n  - name: a\n    passwd: "${t('sha512crypt')}"\n  - name: b\n    passwd: "${t('sha512crypt')}"\n`},
      {name: 'meta-data', template: 'x', content: 'instance-id: i-1\n'},
      {name: 'autounattend.xml', template: 'x', content: extra.answer ?? `<Value>${t('unattend-AdministratorPassword')}</Value><Value>${t('unattend-Password')}</Value>\n`},
    ],
    bootHint: null,
    secret: false,
    keepMedia: false,
  }
  return plan
}

describe('--emit --no-secrets: the data the script asks with, and nothing of the plan as text', () => {
  it('hostile parameter names travel as data: the script parses to the same commands', () => {
    const runId = '20260101T000000-abcdef'
    const names = VALUES.map((v) => v.replace(/[:@]/g, '_')).filter((v) => v.length > 0)
    const plainFile = join(work, 'tokens-plain.ps1')
    writeFileSync(plainFile, buildEmittedScript(tokenPlan(), {runId, version: '0.1.0', noSecrets: true}))
    const files = names.map((v, i) => {
      const file = join(work, `tokens-${i}.ps1`)
      writeFileSync(file, buildEmittedScript(tokenPlan(v), {runId, version: '0.1.0', noSecrets: true}))
      return file
    })
    const [base, ...hostile] = parse([plainFile, ...files])
    expect(base.errors).toEqual([])
    expect(base.commands).toEqual(expect.arrayContaining(['Read-HvSecret', 'Update-HvSeedImage', 'Read-Host']))
    hostile.forEach((p, i) => {
      expect(p.errors, names[i]).toEqual([])
      expect(p.commands, names[i]).toEqual(base.commands)
    })
    const text = readFileSync(files[0], 'utf8')
    // the request of a guest whose media take secrets is not in $Guests: the driver makes it
    expect(text).toMatch(/^\$Guests = @\(\n {2}''\n\)$/m)
    expect(text).toMatch(/^\$Secrets = '[A-Za-z0-9+/=]+'$/m)
  }, 300_000)

  it('a secret written as it is (form plain) is refused, naming the parameter and the file', () => {
    const plan = tokenPlan('rootPw', {userData: 'chpasswd: "root:@@HVGUEST-SECRET:rootPw:plain@@"\n'})
    expect(() => buildEmittedScript(plan, {runId: 'run-1', version: '0.1.0', noSecrets: true})).toThrow(
      /\[input-invalid\] --no-secrets: ubuntu-2204's first-boot file user-data writes the secret parameter rootPw as it is.*nothing was written/,
    )
    // without --no-secrets nothing is refused (the media carry the value itself)
    expect(() => buildEmittedScript(plan, {runId: 'run-1', version: '0.1.0'})).not.toThrow()
  })
})

/**
 * ps/emit/SeedSecrets.ps1 on its own, in one pwsh: its SHA-512 crypt against openssl (glibc's
 * crypt through perl for the empty password, which openssl cannot take), its answer-file encoding
 * against Node's, and its rewrite of an image read back by isoinfo and xorriso.
 */
describe('ps/emit/SeedSecrets.ps1', () => {
  const VALUES_TO_HASH = ['', 'a', 'Zoë 日本😀', 'a'.repeat(63), 'a'.repeat(64), 'é'.repeat(40), `q"'x\ny\r\n$(x)\`id\``, 'p'.repeat(200)]
  const SALTS = ['abcdefgh12345678', './0123456789ABCD', 'zyxwvutsrqponmlk']
  let out: any
  const image = buildIsoWithLayout({
    volumeId: 'cidata',
    files: tokenPlan().guests[0].firstBoot.files.map((f: any) => ({name: f.name, content: f.content, room: f.name === 'meta-data' ? undefined : 3 * 2048})),
  })
  const SECRET = 'Ünï "code" \'q\' $(x) 😀'

  function results(): any {
    if (out) return out
    const script = join(work, 'seed-secrets.ps1')
    const input = join(work, 'seed-secrets.json')
    writeFileSync(
      input,
      JSON.stringify({
        hashes: VALUES_TO_HASH.map((v, i) => ({value: v, salt: SALTS[i % SALTS.length]})),
        image: image.image.toString('base64'),
        files: image.files.filter((f) => f.name !== 'meta-data'),
        secret: SECRET,
        long: 'l'.repeat(SECRET_MAX_LENGTH),
      }),
    )
    writeFileSync(
      script,
      [
        "$ErrorActionPreference = 'Stop'",
        '. $env:HVG_SEED_SECRETS',
        '$in = [IO.File]::ReadAllText($env:HVG_INPUT) | ConvertFrom-Json',
        '$hashes = @(foreach ($h in $in.hashes) { ConvertTo-HvSha512Crypt -Value ([string]$h.value) -Salt $h.salt })',
        '$random = ConvertTo-HvSha512Crypt -Value $in.secret',
        "$encoded = @((ConvertTo-HvSecretForm -Value $in.secret -Form 'unattend-AdministratorPassword'), (ConvertTo-HvSecretForm -Value $in.secret -Form 'unattend-Password'))",
        '$image = [Convert]::FromBase64String($in.image)',
        'Update-HvSeedImage -Image $image -Files @($in.files) -Values @{ adminPassword = [string]$in.secret }',
        '$long = [Convert]::FromBase64String($in.image)',
        'Update-HvSeedImage -Image $long -Files @($in.files) -Values @{ adminPassword = [string]$in.long }',
        "$tooLong = try { $x = [Convert]::FromBase64String($in.image); Update-HvSeedImage -Image $x -Files @($in.files) -Values @{ adminPassword = ([string]$in.long + ('z' * 3000)) }; 'fits' } catch { $_.Exception.Message }",
        '$salts = @(1..3 | ForEach-Object { New-HvCryptSalt })',
        "[Console]::Out.Write((ConvertTo-Json -Compress -Depth 4 -InputObject ([ordered]@{ hashes = $hashes; random = $random; encoded = $encoded; image = [Convert]::ToBase64String($image); long = [Convert]::ToBase64String($long); tooLong = [string]$tooLong; salts = $salts })))",
      ].join('\n'),
    )
    const r = runPwshFile(script, [], {env: {HVG_SEED_SECRETS: join(REPO, 'ps', 'emit', 'SeedSecrets.ps1'), HVG_INPUT: input}, timeoutMs: 180_000})
    expect(r.code, r.stderr).toBe(0)
    out = JSON.parse(r.stdout)
    return out
  }

  it('SHA-512 crypt: what openssl passwd -6 (glibc crypt for the empty value) computes, for empty, non-ASCII, 63/64-byte, long, quoted and multi-line values', () => {
    const r = results()
    VALUES_TO_HASH.forEach((v, i) => {
      const salt = SALTS[i % SALTS.length]
      const expected =
        v === '' ? execFileSync('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', '', `$6$${salt}$`], {encoding: 'utf8'}) : opensslSha512Crypt(v, salt)
      expect(expected).toMatch(/^\$6\$/)
      expect(r.hashes[i], JSON.stringify(v)).toBe(expected)
      expect(r.hashes[i]).toHaveLength(106)
    })
    // a random salt: 16 characters of the scheme's alphabet, and the hash verifies
    expect(cryptMatches(r.random, SECRET)).toBe(true)
    for (const s of r.salts) expect(s).toMatch(/^[./0-9A-Za-z]{16}$/)
    expect(new Set(r.salts).size).toBe(3)
  }, 180_000)

  it("the answer file's encoding: base64 of UTF-16LE of the value and the element's name", () => {
    const r = results()
    expect(r.encoded).toEqual([Buffer.from(`${SECRET}AdministratorPassword`, 'utf16le').toString('base64'), Buffer.from(`${SECRET}Password`, 'utf16le').toString('base64')])
  }, 180_000)

  it('rewrites the files in the image: every token filled in (a fresh salt per use), read back whole by isoinfo and xorriso', () => {
    const r = results()
    const read = (b64: string, name: string) => {
      const iso = join(work, `patched-${name}-${b64.length}.iso`)
      writeFileSync(iso, Buffer.from(b64, 'base64'))
      const joliet = execFileSync('isoinfo', ['-J', '-x', `/${name}`, '-i', iso])
      const dir = mkdtempSync(join(work, 'x-'))
      const x = spawnSync('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', `/${name}`, join(dir, name)], {encoding: 'utf8'})
      expect(x.status, x.stderr).toBe(0)
      expect(readFileSync(join(dir, name)).equals(joliet)).toBe(true)
      // the primary tree has the same length (its record was patched too)
      const sizes = (joliet2: boolean) =>
        execFileSync('isoinfo', [...(joliet2 ? ['-J'] : []), '-l', '-i', iso], {encoding: 'latin1'})
          .split('\n')
          .map((l) => /^-\S+\s+\d+\s+\d+\s+\d+\s+(\d+) .* \[\s*(\d+) 00\]/.exec(l))
          .filter((m) => m !== null)
          .map((m) => `${m[2]}:${m[1]}`)
          .sort()
      expect(sizes(false)).toEqual(sizes(true))
      return joliet.toString('utf8')
    }
    const userData = read(r.image, 'user-data')
    const hashes = [...userData.matchAll(/passwd: "([^"]+)"/g)].map((m) => m[1])
    expect(hashes).toHaveLength(2)
    for (const h of hashes) expect(cryptMatches(h, SECRET), h).toBe(true)
    expect(hashes[0]).not.toBe(hashes[1])
    expect(userData).toBe(`#cloud-config\nusers:\n  - name: a\n    passwd: "${hashes[0]}"\n  - name: b\n    passwd: "${hashes[1]}"\n`)
    expect(read(r.image, 'autounattend.xml')).toBe(
      `<Value>${Buffer.from(`${SECRET}AdministratorPassword`, 'utf16le').toString('base64')}</Value><Value>${Buffer.from(`${SECRET}Password`, 'utf16le').toString('base64')}</Value>\n`,
    )
    expect(read(r.image, 'meta-data')).toBe('instance-id: i-1\n')
    // the longest secret the room was made for fits; a longer one is refused, not cut
    expect(read(r.long, 'autounattend.xml')).toContain(Buffer.from(`${'l'.repeat(SECRET_MAX_LENGTH)}Password`, 'utf16le').toString('base64'))
    expect(r.tooLong).toMatch(/autounattend\.xml with its secrets filled in is \d+ bytes, more than the 6144 reserved for it/)
  }, 180_000)
})
