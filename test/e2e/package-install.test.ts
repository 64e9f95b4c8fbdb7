/**
 * What users install is what is tested: `npm pack` of this checkout (its dist/, built by npm
 * test), `npm install -g` of the tarball into a temporary prefix, and the installed `hvguest`
 * binary (prefix/bin/hvguest, run as a user runs it, from outside the repository) making a
 * starter project, creating its guest with --wait on the project's emulated host, and destroying
 * it. Also what a user sees without pwsh, and from a broken install.
 *
 * npm install takes the package's dependencies from npm's cache (filled by `npm ci`), going to
 * the registry only for what the cache lacks.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {delimiter, dirname, join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {pwshPath} from '../helpers/pwsh.js'
import {REPO} from '../helpers/run-cli.js'

const work = mkdtempSync(join(tmpdir(), 'hvg-package-'))
const prefix = join(work, 'prefix')
// npm -g --prefix: bin/ and lib/node_modules on POSIX, the prefix itself and node_modules on Windows.
const windows = process.platform === 'win32'
const installed = windows ? join(prefix, 'node_modules', 'hvguest') : join(prefix, 'lib', 'node_modules', 'hvguest')
const hvguest = windows ? join(prefix, 'hvguest.cmd') : join(prefix, 'bin', 'hvguest')
let tarball = ''
let files: string[] = []

/** A PATH that has node and nothing else: no pwsh, no repo tools. */
const nodeOnly = join(work, 'node-only-bin')

function npm(args: string[], cwd: string): string {
  return execFileSync(windows ? 'npm.cmd' : 'npm', args, {cwd, encoding: 'utf8', env: {...process.env, npm_config_update_notifier: 'false'}, timeout: 240_000})
}

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** The installed binary, from `cwd`, with the environment a user would have (no test settings). */
function run(args: string[], cwd: string, env: {pwsh: boolean; extra?: Record<string, string>}): Run {
  const base: NodeJS.ProcessEnv = {HOME: process.env.HOME, NO_COLOR: '1', TMPDIR: process.env.TMPDIR ?? tmpdir()}
  const withPwsh = {...base, PATH: [dirname(process.execPath), process.env.PATH].join(delimiter), HVGUEST_PWSH: pwshPath()}
  const withoutPwsh = {...base, PATH: nodeOnly}
  const r = spawnSync(hvguest, args, {cwd, encoding: 'utf8', env: {...(env.pwsh ? withPwsh : withoutPwsh), ...env.extra}, timeout: 120_000})
  return {code: r.status, stdout: r.stdout, stderr: r.stderr}
}

const state = (project: string) => JSON.parse(readFileSync(join(project, '.hvguest', 'emulator-state.json'), 'utf8'))

beforeAll(() => {
  if (!existsSync(join(REPO, 'dist', 'commands', 'create.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it) before the e2e tests')
  const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], REPO)) as {filename: string; files: {path: string}[]}[]
  tarball = join(work, packed[0].filename)
  files = packed[0].files.map((f) => f.path)
  npm(['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], work)
  execFileSync('mkdir', ['-p', nodeOnly])
  symlinkSync(process.execPath, join(nodeOnly, 'node'))
}, 300_000)

afterAll(() => rmSync(work, {recursive: true, force: true}))

describe('the npm package', () => {
  it('holds what a host command needs: the runtime module, the emulator, the templates and the build', () => {
    for (const f of [
      'bin/run.js',
      'oclif.manifest.json',
      'dist/commands/create.js',
      'dist/services.cjs',
      'ps/HvGuest/HvGuest.psd1',
      'ps/HvGuest/HvGuest.psm1',
      'ps/emulator/New-StarterHost.ps1',
      'ps/emulator/HvEmulator/HvEmulator.psd1',
      'templates/init/hosts.yaml',
      'templates/guests/ubuntu-2204.yaml',
      'templates/catalog/os.yaml',
    ]) {
      expect(files, f).toContain(f)
    }
    // Every runtime file the module loads is in the package (a missing one fails at import on a host).
    const runtime = readdirSync(join(REPO, 'ps', 'HvGuest', 'Private')).map((f) => `ps/HvGuest/Private/${f}`)
    expect(files).toEqual(expect.arrayContaining(runtime))
    // Nothing of the repository's development: sources, tests, tools, the docs' raw excerpts.
    expect(files.filter((f) => /^(src|test|scripts|bench|\.tools|node_modules)\//.test(f))).toEqual([])
    expect(files).not.toContain('ps/emulator/reference/versions/doc-excerpts.json')
    // The installed copy is the packed one, apart from the repository.
    expect(existsSync(join(installed, 'ps', 'HvGuest', 'HvGuest.psd1'))).toBe(true)
    expect(existsSync(join(installed, 'src'))).toBe(false)
  })

  it('installed: init, then create --wait and destroy of the starter guest on its emulated host', () => {
    const project = join(work, 'lab')
    const init = run(['init', project, '--json'], work, {pwsh: true})
    expect(init.code, init.stderr + init.stdout).toBe(0)
    const made = JSON.parse(init.stdout)
    expect(made).toMatchObject({emulatorStatus: 'created', emulatorNote: null, emulator: {stateFile: join('.hvguest', 'emulator-state.json')}})
    expect(made.created).toEqual(expect.arrayContaining(['hosts.yaml', 'templates/lab-linux.yaml']))

    const create = run(['create', 'templates/lab-linux.yaml', '--wait', '--json'], project, {pwsh: true})
    expect(create.code, create.stderr + create.stdout).toBe(0)
    const created = JSON.parse(create.stdout)
    expect(created.status).toBe('ok')
    expect(created.guests).toEqual([expect.objectContaining({name: 'lab-linux', status: 'created'})])
    expect(created.wait).toMatchObject({ready: true, guests: [expect.objectContaining({name: 'lab-linux', heartbeatOk: true})]})
    const vm = state(project).vms.find((v: {name: string}) => v.name === 'lab-linux')
    expect(vm).toMatchObject({state: 'Running', generation: 1})

    const list = run(['list', '--json'], project, {pwsh: true})
    expect(list.code, list.stderr).toBe(0)
    expect(JSON.stringify(JSON.parse(list.stdout))).toContain('lab-linux')

    const destroy = run(['destroy', 'lab-linux', '--yes', '--json'], project, {pwsh: true})
    expect(destroy.code, destroy.stderr + destroy.stdout).toBe(0)
    expect(state(project).vms.filter((v: {name: string}) => v.name === 'lab-linux')).toEqual([])
  }, 180_000)

  it('without pwsh, init writes the project, says what to install and how to set the host up; init again with pwsh sets it up and keeps the files', () => {
    const project = join(work, 'no-pwsh')
    const init = run(['init', project], work, {pwsh: false})
    expect(init.code, init.stderr + init.stdout).toBe(0)
    expect(init.stdout).toContain('created hosts.yaml')
    expect(init.stderr).toMatch(/no emulated host was set up: PowerShell 7 \(pwsh\) was not found/)
    expect(init.stderr).toMatch(/winget install Microsoft\.PowerShell/)
    expect(init.stderr).toContain(`Then run "hvguest init ${project}" again`)
    expect(existsSync(join(project, '.hvguest', 'emulator-state.json'))).toBe(false)
    // validate and plan need no pwsh
    expect(run(['validate'], project, {pwsh: false}).code).toBe(0)
    // A Node developer's NODE_ENV does not send oclif looking for TypeScript (bin/run.js): no warning.
    const developer = run(['validate'], project, {pwsh: false, extra: {NODE_ENV: 'development'}})
    expect(developer.code, developer.stderr).toBe(0)
    expect(developer.stderr).toBe('')

    const again = run(['init', project, '--json'], work, {pwsh: true})
    expect(again.code, again.stderr + again.stdout).toBe(0)
    expect(JSON.parse(again.stdout)).toMatchObject({created: [], emulatorStatus: 'created'})
    expect(JSON.parse(again.stdout).skipped).toEqual(expect.arrayContaining(['hosts.yaml', 'README.md']))
    expect(state(project).switches.map((s: {name: string}) => s.name)).toEqual(['Lab'])
  }, 120_000)

  it('a broken install (its emulator script missing): init exits 1 with the reason and leaves no half-made host', () => {
    const script = join(installed, 'ps', 'emulator', 'New-StarterHost.ps1')
    const aside = `${script}.aside`
    renameSync(script, aside)
    try {
      const project = join(work, 'broken')
      const init = run(['init', project], work, {pwsh: true})
      expect(init.code, init.stderr + init.stdout).toBe(1)
      expect(init.stderr).toMatch(/the emulated host could not be set up .*New-StarterHost\.ps1/s)
      expect(init.stderr).toMatch(/reinstall hvguest/)
      expect(init.stdout).not.toMatch(/Starter project ready/)
      expect(existsSync(join(project, 'hosts.yaml'))).toBe(true)
      expect(existsSync(join(project, '.hvguest'))).toBe(false)
      const json = run(['init', join(work, 'broken-json'), '--json'], work, {pwsh: true})
      expect(json.code).toBe(1)
      expect(JSON.parse(json.stdout)).toMatchObject({status: 'error', exitCode: 1, error: {name: 'HostSetupFailed', message: expect.stringContaining('New-StarterHost.ps1')}})
    } finally {
      copyFileSync(aside, script)
    }
  }, 120_000)
})
