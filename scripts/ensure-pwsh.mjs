// `npm test` runs this first (pretest): the tests drive real PowerShell 7, so a fresh machine
// gets it here, as a .NET tool in the repo's .tools/ (git-ignored). Nothing happens when a
// pwsh is already there (HVGUEST_PWSH, .tools/pwsh, or pwsh on PATH).
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {delimiter, join} from 'node:path'

const exe = process.platform === 'win32' ? 'pwsh.exe' : 'pwsh'
const found = [process.env.HVGUEST_PWSH, join('.tools', exe), ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, exe))].find(
  (p) => p && existsSync(p),
)
if (found) {
  console.log(`pwsh: ${found}`)
} else {
  console.log('pwsh not found: installing PowerShell 7.6.9 into .tools/ (dotnet tool install)')
  const r = spawnSync('dotnet', ['tool', 'install', '--tool-path', '.tools', 'PowerShell', '--version', '7.6.9'], {stdio: 'inherit'})
  if (r.error || r.status !== 0) {
    console.error('Could not install PowerShell 7: the tests need it. Install the .NET SDK, or PowerShell 7 itself, and run again.')
    process.exit(1)
  }
}
