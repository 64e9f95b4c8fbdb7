// Ahead-of-time compiles (ReadyToRun, crossgen2) the PowerShell assemblies of the pwsh that the
// tests use, when it is the .NET tool in .tools/. That build ships IL only (its
// System.Management.Automation.dll is 7 MB; the official tarball's is compiled), so every pwsh
// start JIT-compiles PowerShell itself. The suite starts hundreds of sessions: compiled, a session
// that imports the emulator and the runtime and makes a few VMs took 2.15 s of CPU instead of
// 3.09 s (5 alternating runs each). The code that runs is the same IL, compiled earlier, as
// Microsoft's own builds are.
//
// Best effort: any failure prints why and leaves the IL build in place (the tests then run as
// they would anyway, only slower). Idempotent: a marker beside the assemblies records what was
// compiled. `npm test`'s pretest runs it (scripts/ensure-pwsh.mjs). Usage: node scripts/precompile-pwsh.mjs
import {spawnSync} from 'node:child_process'
import {copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {homedir, tmpdir} from 'node:os'
import {join} from 'node:path'

const ASSEMBLIES = [
  'System.Management.Automation',
  'Microsoft.PowerShell.Commands.Utility',
  'Microsoft.PowerShell.Commands.Management',
  'Microsoft.PowerShell.ConsoleHost',
  'Newtonsoft.Json',
]

function skip(why) {
  console.log(`pwsh precompile skipped: ${why} (the tests run on the IL build, slower)`)
  process.exit(0)
}

const run = (cmd, args, opts = {}) => spawnSync(cmd, args, {encoding: 'utf8', timeout: 600_000, ...opts})

if (process.platform !== 'linux' || process.arch !== 'x64') skip(`only linux-x64 is prepared here, not ${process.platform}-${process.arch}`)
const store = join('.tools', '.store', 'powershell')
if (!existsSync(store)) skip('no .NET tool PowerShell in .tools/')
const toolDirs = []
for (const version of readdirSync(store)) {
  const dir = join(store, version, 'powershell', version, 'tools')
  if (!existsSync(dir)) continue
  for (const tfm of readdirSync(dir)) {
    const unix = join(dir, tfm, 'any', 'unix')
    if (existsSync(join(unix, 'System.Management.Automation.dll'))) toolDirs.push(unix)
  }
}
if (toolDirs.length === 0) skip('the PowerShell tool has no unix assemblies')
const marker = (dir) => join(dir, '.hvguest-readytorun')
const pending = toolDirs.filter((d) => !existsSync(marker(d)))
if (pending.length === 0) {
  console.log('pwsh precompile: already done')
  process.exit(0)
}

// The shared framework the tool runs on (the assemblies are compiled against it).
const runtimes = run('dotnet', ['--list-runtimes'])
if (runtimes.status !== 0) skip('dotnet --list-runtimes failed')
const netcore = runtimes.stdout
  .split('\n')
  .map((l) => /^Microsoft\.NETCore\.App (\d+)\.(\d+)\.(\S+) \[(.+)\]$/.exec(l.trim()))
  .filter(Boolean)
  .sort((a, b) => Number(b[1]) - Number(a[1]) || Number(b[2]) - Number(a[2]))[0]
if (!netcore) skip('no Microsoft.NETCore.App runtime')
const framework = join(netcore[4], `${netcore[1]}.${netcore[2]}.${netcore[3]}`)

// crossgen2 comes as a NuGet package that the SDK restores for a ReadyToRun publish: publish an
// empty console app once, then take the package from the NuGet cache.
function findCrossgen() {
  const root = join(process.env.NUGET_PACKAGES || join(homedir(), '.nuget', 'packages'), 'microsoft.netcore.app.crossgen2.linux-x64')
  if (!existsSync(root)) return null
  const versions = readdirSync(root).filter((v) => v.startsWith(`${netcore[1]}.`) && existsSync(join(root, v, 'tools', 'crossgen2')))
  return versions.length ? join(root, versions.sort().at(-1), 'tools', 'crossgen2') : null
}
let crossgen = findCrossgen()
if (!crossgen) {
  const work = mkdtempSync(join(tmpdir(), 'hvguest-r2r-'))
  try {
    const created = run('dotnet', ['new', 'console', '-o', join(work, 'app')])
    if (created.status !== 0) skip(`dotnet new console failed: ${created.stderr.trim().split('\n').at(-1)}`)
    const published = run('dotnet', ['publish', join(work, 'app'), '-c', 'Release', '-r', 'linux-x64', '--self-contained', 'false', '-p:PublishReadyToRun=true'])
    if (published.status !== 0) skip(`the ReadyToRun publish that brings crossgen2 failed: ${published.stdout.trim().split('\n').at(-1)}`)
  } finally {
    rmSync(work, {recursive: true, force: true})
  }
  crossgen = findCrossgen()
  if (!crossgen) skip('crossgen2 is not in the NuGet cache after the publish')
}

for (const dir of pending) {
  const out = mkdtempSync(join(tmpdir(), 'hvguest-r2r-out-'))
  try {
    const compiled = []
    for (const name of ASSEMBLIES) {
      const input = join(dir, `${name}.dll`)
      if (!existsSync(input)) continue
      const r = run(crossgen, [input, '-o', join(out, `${name}.dll`), '-r', `${framework}/`, '-r', `${dir}/`, '--targetos', 'linux', '--targetarch', 'x64', '-O'])
      if (r.status !== 0) skip(`crossgen2 failed on ${name}.dll: ${(r.stderr || r.stdout).trim().split('\n').at(-1)}`)
      compiled.push(name)
    }
    // Replace only once every assembly compiled, so a failure leaves the build as it was.
    for (const name of compiled) copyFileSync(join(out, `${name}.dll`), join(dir, `${name}.dll`))
    writeFileSync(marker(dir), `ReadyToRun against ${framework} with ${crossgen}: ${compiled.join(', ')}\n`)
    console.log(`pwsh precompile: ${compiled.length} assemblies compiled (ReadyToRun) in ${dir}`)
  } finally {
    rmSync(out, {recursive: true, force: true})
  }
}
