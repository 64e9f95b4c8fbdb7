/**
 * `hvguest init`: copies the starter files shipped in templates/init into a folder, keeping
 * whatever is there already (nothing lost) unless told to overwrite.
 */
import {spawnSync} from 'node:child_process'
import fse from 'fs-extra'
import {join, relative, resolve} from 'node:path'
import {InputError} from '../model/diagnostic.js'
import {report} from '../rules/codes.js'
import {findPwsh} from '../powershell/find-pwsh.js'
import {BUILTIN_ROOT} from '../spec/library.js'
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
}

/** The starter inventory's emulated host: its state file, OS, switches and base images. */
const STARTER_HOST = {
  stateFile: join('.hvguest', 'emulator-state.json'),
  os: 'windows-server-2022',
  switches: ['Lab'],
  // a generalized Ubuntu image with cloud-init: the starter template's guest boots and reports its address
  images: [{path: 'C:\\Hyper-V\\Images\\ubuntu-22.04.vhdx', os: 'linux/ubuntu/22.04'}],
}

function setUpEmulator(target: string, findPwsh: () => string): Pick<InitResult, 'emulator' | 'emulatorNote'> {
  const stateFile = join(target, STARTER_HOST.stateFile)
  if (fse.existsSync(stateFile)) return {emulator: null, emulatorNote: `the emulated host exists already (${STARTER_HOST.stateFile}); left as it is`}
  let pwsh: string
  try {
    pwsh = findPwsh()
  } catch (error) {
    return {emulator: null, emulatorNote: `no emulated host was set up: ${(error as Error).message}`}
  }
  fse.mkdirpSync(join(target, '.hvguest'))
  const script = join(packageRoot(), 'ps', 'emulator', 'New-StarterHost.ps1')
  const args = ['-NoProfile', '-NonInteractive', '-File', script, '-StateFile', stateFile, '-HostOs', STARTER_HOST.os, '-Switch', ...STARTER_HOST.switches]
  args.push('-BaseImagesJson', JSON.stringify(STARTER_HOST.images))
  const r = spawnSync(pwsh, args, {encoding: 'utf8'})
  if (r.status !== 0) return {emulator: null, emulatorNote: `the emulated host could not be set up: ${(r.stderr || r.stdout).trim()}`}
  return {emulator: {stateFile: STARTER_HOST.stateFile, images: STARTER_HOST.images.map((i) => i.path)}, emulatorNote: null}
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
  const emu = setUpEmulator(target, opts.findPwsh ?? findPwsh)
  return {directory: target, created, skipped, ...emu}
}
