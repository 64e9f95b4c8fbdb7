/**
 * Generated and committed: the per-version references (ps/emulator/reference/versions/, built from
 * the committed doc excerpts, so no network and no clone of the docs is needed), the emulated
 * cmdlets' param() blocks and manifests per docset, and extra-cmdlets.json's transcription.
 * Regenerating must give identical files. The extraction stage itself is proven on a real doc file
 * (test/fixtures/emulator/docs/, the 2012 New-VM.md at the pinned commit): read through git from a
 * throwaway repository, it gives exactly the committed excerpt of that blob.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, copyFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {describe, expect, it} from 'vitest'
import {REPO} from '../helpers/pwsh.js'

const check = (script: string) => spawnSync(process.execPath, [join(REPO, 'scripts', script), '--check'], {cwd: REPO, encoding: 'utf8'})
const VERSIONS = join(REPO, 'ps', 'emulator', 'reference', 'versions')
const DOC_FIXTURE = join(REPO, 'test', 'fixtures', 'emulator', 'docs', 'winserver2012-ps.New-VM.md')

describe('emulator generators', () => {
  it('ps/emulator/reference/versions/*.json are up to date (built from the committed doc excerpts)', () => {
    const r = check('generate-version-reference.mjs')
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })
  it('ps/emulator/<Module>/Commands/<docset>.ps1, the manifests and ps/emulator/hosts/ are up to date', () => {
    const r = check('generate-emulator.mjs')
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })
  it('ps/emulator/reference/extra-cmdlets.json is up to date', () => {
    const r = check('generate-emulator-extra-reference.mjs')
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })

  it('extracting from a git directory of the docs gives the committed excerpt of each doc file', () => {
    const committed = JSON.parse(readFileSync(join(VERSIONS, 'doc-excerpts.json'), 'utf8'))
    expect(readFileSync(join(REPO, 'scripts', 'generate-version-reference.mjs'), 'utf8')).toContain(`PINNED_COMMIT = '${committed._meta.commit}'`)
    const recorded = committed.docsets['winserver2012-ps']['New-VM']
    expect(recorded.docFile).toBe('docset/winserver2012-ps/hyper-v/New-VM.md')
    // A throwaway repository holding the fixture where the docs repository has it.
    const work = mkdtempSync(join(tmpdir(), 'hvguest-docs-'))
    mkdirSync(join(work, 'docset', 'winserver2012-ps', 'hyper-v'), {recursive: true})
    copyFileSync(DOC_FIXTURE, join(work, recorded.docFile))
    const git = (...args: string[]) => execFileSync('git', ['-c', 'core.autocrlf=false', '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], {cwd: work, encoding: 'utf8'})
    git('init', '-q')
    git('add', '.')
    git('commit', '-q', '-m', 'fixture')
    const commit = git('rev-parse', 'HEAD').trim()
    // The generator's own extract stage, in a node of its own (the script is plain ESM).
    const script = `import {extract} from ${JSON.stringify(pathToFileURL(join(REPO, 'scripts', 'generate-version-reference.mjs')).href)}
process.stdout.write(JSON.stringify(extract(process.argv[1], process.argv[2])))`
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script, join(work, '.git'), commit], {cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 26})
    expect(run.stderr).toBe('')
    const extracted = JSON.parse(run.stdout)
    // The same blob (so the fixture is the docs' file, byte for byte) and the same excerpt.
    expect(extracted.docsets['winserver2012-ps']['New-VM']).toEqual(recorded)
    expect(extracted.excerpts[recorded.blob]).toEqual(committed.excerpts[recorded.blob])
    expect(extracted._meta.commit).toBe(commit)
    // Only what that repository holds: no other docset has New-VM there.
    expect(extracted.docsets['winserver2022-ps']['New-VM']).toBeUndefined()
  })

  it('the 2012 reference agrees with known real-host facts', () => {
    const load = (d: string) => JSON.parse(readFileSync(join(VERSIONS, `${d}.json`), 'utf8')).cmdlets
    const has = (d: string, cmdlet: string, parameter: string) =>
      load(d)[cmdlet].parameterSets.some((s: {parameters: {name: string}[]}) => s.parameters.some((p) => p.name === parameter))
    expect(has('winserver2012-ps', 'New-VM', 'Generation')).toBe(false)
    expect(has('winserver2012r2-ps', 'New-VM', 'Generation')).toBe(true)
    expect(has('winserver2012-ps', 'Set-VM', 'CheckpointType')).toBe(false)
    expect(has('winserver2012r2-ps', 'Set-VM', 'CheckpointType')).toBe(false)
    expect(has('winserver2016-ps', 'Set-VM', 'CheckpointType')).toBe(true)
    expect(has('winserver2012r2-ps', 'Set-VMFirmware', 'SecureBootTemplate')).toBe(false)
    expect(has('winserver2016-ps', 'Set-VMFirmware', 'SecureBootTemplate')).toBe(true)
    expect(load('winserver2012-ps')['Set-VMFirmware']).toBeUndefined()
    expect(load('winserver2012r2-ps')['Get-VMHostSupportedVersion']).toBeUndefined()
  })
})
