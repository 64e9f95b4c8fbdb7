// What the create benches (bench/create-batch.mjs, bench/create-floor.mjs) share: where the
// repository is, their command-line flags, progress on stderr, the pwsh the product itself would
// start, and running the built hvguest CLI.
import {spawnSync} from 'node:child_process'
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const EMULATOR_MODULES = join(REPO, 'ps', 'emulator')

const args = process.argv.slice(2)
/** Whether a switch such as --json was given. */
export const flag = (name) => args.includes(name)
/** The number after a flag such as --rounds 5, or the default. */
export const value = (name, d) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : d)

/** Progress goes to stderr, so that stdout stays the report (or the --json document). */
export const log = (s) => process.stderr.write(s + '\n')

/** The product's own pwsh lookup (the benches run after `npm run build`). */
export async function productPwsh() {
  const {findPwsh} = await import('../../dist/powershell/find-pwsh.js')
  return findPwsh()
}

/** The built CLI (`node bin/run.js ...`) in folder dir, to its exit. */
export const cli = (dir, argv) => spawnSync(process.execPath, [join(REPO, 'bin', 'run.js'), ...argv], {cwd: dir, encoding: 'utf8'})
