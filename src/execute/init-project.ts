/**
 * `hvguest init`: copies the starter files shipped in templates/init into a folder, keeping
 * whatever is there already (nothing lost) unless told to overwrite.
 */
import {spawnSync} from 'node:child_process'
import fse from 'fs-extra'
import {join, relative, resolve} from 'node:path'
import {InputError, isInputError} from '../model/diagnostic.js'
import {report} from '../model/codes.js'
import {findPwsh} from '../powershell/find-pwsh.js'
import {SESSION_ENV_DEFAULTS} from '../powershell/pwsh-process.js'
import {MESSAGES} from '../model/messages.js'
import {BUILTIN_ROOT} from '../load/library.js'
import {packageRoot} from '../util/package-root.js'

const STARTER = join(BUILTIN_ROOT, 'init')

function walk(dir: string): string[] {
  return fse.readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]))
}

export interface InitResult {
  directory: string
  created: string[]
  skipped: string[]
  /** The starter's emulated host, when this run set it up. */
  emulator: {stateFile: string; images: string[]} | null
  /** Why the emulated host was not set up (no pwsh, or it exists already). */
  emulatorNote: string | null
  /**
   * What became of the emulated host: created by this run, there already, not attempted (no
   * pwsh: the note says what to install, and re-running init sets the host up then), or failed
   * (pwsh is there but the setup script did not succeed: the command exits 1 with the reason).
   */
  emulatorStatus: 'created' | 'exists' | 'no-pwsh' | 'failed'
}

/** The starter inventory's emulated host: its state file, OS, switches and base images. */
const STARTER_HOST = {
  stateFile: join('.hvguest', 'emulator-state.json'),
  os: 'windows-server-2022',
  switches: ['Lab'],
  // a generalized Ubuntu image with cloud-init: the starter template's guest boots and reports its address
  images: [{path: 'C:\\Hyper-V\\Images\\ubuntu-22.04.vhdx', os: 'linux/ubuntu/22.04'}],
}

type EmulatorSetup = Pick<InitResult, 'emulator' | 'emulatorNote' | 'emulatorStatus'>

function setUpEmulator(target: string, dir: string, findPwsh: () => string): EmulatorSetup {
  const stateFile = join(target, STARTER_HOST.stateFile)
  if (fse.existsSync(stateFile)) {
    return {emulator: null, emulatorStatus: 'exists', emulatorNote: `the emulated host exists already (${STARTER_HOST.stateFile}); left as it is`}
  }
  let pwsh: string
  try {
    pwsh = findPwsh()
  } catch (error) {
    const why = isInputError(error) ? error.diagnostics.map((d) => d.message).join(' ') : (error as Error).message
    return {emulator: null, emulatorStatus: 'no-pwsh', emulatorNote: MESSAGES.initNoPwsh(why, dir)}
  }
  const work = join(target, '.hvguest')
  const workExisted = fse.existsSync(work)
  fse.mkdirpSync(work)
  const script = join(packageRoot(), 'ps', 'emulator', 'New-StarterHost.ps1')
  const args = ['-NoProfile', '-NonInteractive', '-File', script, '-StateFile', stateFile, '-HostOs', STARTER_HOST.os, '-Switch', ...STARTER_HOST.switches]
  args.push('-BaseImagesJson', JSON.stringify(STARTER_HOST.images))
  const r = spawnSync(pwsh, args, {encoding: 'utf8', env: {...SESSION_ENV_DEFAULTS, ...process.env}})
  if (r.status !== 0 || !fse.existsSync(stateFile)) {
    // Nothing half-made is left behind, so that running init again starts clean; only what this
    // run made goes (a .hvguest folder that was there before keeps everything but the state file).
    if (workExisted) fse.rmSync(stateFile, {force: true})
    else fse.rmSync(work, {recursive: true, force: true})
    const why = (r.error?.message ?? (r.stderr || r.stdout).trim()) || `${pwsh} exited ${r.status ?? r.signal}`
    return {emulator: null, emulatorStatus: 'failed', emulatorNote: MESSAGES.initEmulatorFailed(pwsh, why)}
  }
  return {emulator: {stateFile: STARTER_HOST.stateFile, images: STARTER_HOST.images.map((i) => i.path)}, emulatorNote: null, emulatorStatus: 'created'}
}

export function initProject(dir: string, opts: {force: boolean; findPwsh?: () => string}): InitResult {
  const target = resolve(dir)
  if (fse.existsSync(target) && !fse.statSync(target).isDirectory()) {
    throw new InputError(report('input-invalid', `${dir} is a file; init needs a folder (it is created when missing)`))
  }
  const created: string[] = []
  const skipped: string[] = []
  for (const src of walk(STARTER)) {
    const rel = relative(STARTER, src)
    const dest = join(target, rel)
    if (fse.existsSync(dest) && !opts.force) {
      skipped.push(rel)
      continue
    }
    const parent = join(dest, '..')
    if (fse.existsSync(parent) && !fse.statSync(parent).isDirectory()) {
      throw new InputError(report('input-invalid', `${relative(process.cwd(), parent) || parent} is a file where init needs a folder`))
    }
    fse.mkdirpSync(parent)
    fse.copyFileSync(src, dest)
    created.push(rel)
  }
  const emu = setUpEmulator(target, dir, opts.findPwsh ?? findPwsh)
  return {directory: target, created, skipped, ...emu}
}
