/**
 * `doctor` through the BUILT CLI on an emulated host that supports exactly ONE VM configuration
 * version. PowerShell used to unroll the one-item list into a string: doctor then crashed
 * ("internal error: supported.join is not a function", exit 1), and before that `includes` on the
 * string matched substrings ("0.0" is in "10.0"). The versions are compared as whole values.
 */
import {writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {makeEmulatorProject, type EmulatorProject} from '../helpers/emulator-project.js'
import {runCli, STACK_LINE} from '../helpers/run-cli.js'

/** The starter project's profile: jumbo 9014, chimney disabled, VMQ on. */
const LAB_10G = fileURLToPath(new URL('../../templates/init/profiles/lab-10g.yaml', import.meta.url))

function doctor(p: EmulatorProject, json = true) {
  const r = runCli(['doctor', '--profile', LAB_10G, ...(json ? ['--json'] : [])], {cwd: p.dir})
  expect(r.stderr).not.toMatch(/internal error|is not a function/)
  expect(r.stderr).not.toMatch(STACK_LINE)
  return {code: r.code, stdout: r.stdout, result: json ? JSON.parse(r.stdout) : null}
}

const versionsCheck = (result: any) => (result.checks as any[]).find((c) => c.check === 'config-versions')

describe('doctor on a host with one VM configuration version', () => {
  it('ready: the one version is listed, exit 0', () => {
    const p = makeEmulatorProject({configurationVersions: ['10.0']})
    const d = doctor(p)
    expect(d.code, d.stdout).toBe(0)
    expect(versionsCheck(d.result)).toMatchObject({status: 'ok', code: null, message: 'VM configuration versions 10.0'})
    const human = doctor(p, false)
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/^emu1\s+config-versions\s+ok\s+VM configuration versions 10\.0/m)
  }, 60_000)

  it('a VM at version 0.0 (a substring of "10.0") is not supported: config-version-unsupported, exit 1', () => {
    const p = makeEmulatorProject({configurationVersions: ['10.0']})
    const made = p.pwsh("New-VM -Name old -Generation 1 -NoVHD -Path 'C:\\VMs' | Out-Null")
    expect(made.code, made.stderr).toBe(0)
    const state = p.state()
    state.vms[0].version = '0.0'
    writeFileSync(p.stateFile, JSON.stringify(state, null, 2))
    const d = doctor(p)
    expect(d.code).toBe(1)
    expect(versionsCheck(d.result)).toMatchObject({
      status: 'fail',
      code: 'config-version-unsupported',
      message: 'old (version 0.0): configuration version this host does not support (it runs 10.0)',
    })
  }, 60_000)
})
