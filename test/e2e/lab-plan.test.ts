/**
 * `hvguest lab plan` and `hvguest validate` of a lab file, run as users run them: the built CLI
 * in a child process, on the starter project `hvguest init` writes and on a broken lab.
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import type {LabPlan} from '../../src/model/lab-plan.js'
import {runCli, STACK_LINE} from '../helpers/run-cli.js'

describe('hvguest lab plan', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hvguest-e2e-lab-'))
    // the emulated host is not needed to plan: no pwsh asked
    const r = runCli(['init', dir, '--json'], {env: {HVGUEST_PWSH: join(dir, 'no-pwsh')}})
    expect(JSON.parse(r.stdout).created).toContain('lab.yaml')
  })

  it("plans the starter lab.yaml: the network, both guests with MACs and addresses, exit 0", () => {
    const r = runCli(['lab', 'plan'], {cwd: dir})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/starter-lan\s+internal\s+10\.210\.0\.0\/24\s+10\.210\.0\.1\s+NetNat starter-lan\s+lab-emu/)
    expect(r.stdout).toMatch(/starter-app1 {2}\(template lab-linux, host lab-emu\)/)
    expect(r.stdout).toMatch(/lan\s+starter-lan\s+00-15-5D-[0-9A-F]{2}-[0-9A-F]{2}-[0-9A-F]{2}\s+10\.210\.0\.12\/24/)
    expect(r.stdout).toMatch(/2 guests on 1 network planned; 0 errors/)
  })

  it('--json prints the LabPlan, whose plan carries the adapters to first boot', () => {
    const r = runCli(['lab', 'plan', 'lab.yaml', '--json'], {cwd: dir})
    expect(r.code, r.stderr).toBe(0)
    const lp = JSON.parse(r.stdout) as LabPlan
    expect(lp.kind).toBe('LabPlan')
    expect(lp.guests.map((g) => [g.name, g.adapters[0].address])).toEqual([
      ['starter-app1', '10.210.0.11/24'],
      ['starter-app2', '10.210.0.12/24'],
    ])
    const planned = lp.plan.guests[0].networkAdapters[0]
    expect(planned).toMatchObject({switch: 'starter-lan', macAddress: lp.guests[0].adapters[0].macAddress, ipConfig: {addresses: ['10.210.0.11/24'], gateway: '10.210.0.1', dns: ['10.210.0.1']}})
    // the first-boot media configure the adapter by its MAC with the lab's address
    const networkConfig = lp.plan.guests[0].firstBoot?.files.find((f) => f.name === 'network-config')?.content ?? ''
    const mac = lp.guests[0].adapters[0].macAddress.toLowerCase().match(/../g)!.join(':')
    expect(networkConfig).toContain(`match: {"macaddress": "${mac}"}`)
    expect(networkConfig).toContain('addresses: ["10.210.0.11/24"]')
    // the same file plans the same MACs every time
    expect((JSON.parse(runCli(['lab', 'plan', '--json'], {cwd: dir}).stdout) as LabPlan).guests).toEqual(lp.guests)
  })

  it('a lab with errors: exit 2, every problem at file:line:column, no stack trace; validate says the same', () => {
    const text = readFileSync(join(dir, 'lab.yaml'), 'utf8')
      .replace('10.210.0.11/24', '10.210.0.254/24') // app2 gets .255, the broadcast address
      .replace('template: lab-linux ', 'template: lab-linux\n      dependsOn: [db1]\n      ')
    writeFileSync(join(dir, 'broken.yaml'), text)
    const r = runCli(['lab', 'plan', 'broken.yaml'], {cwd: dir})
    expect(r.code).toBe(2)
    expect(r.stdout).toMatch(/broken\.yaml:\d+:\d+.*\[lab-address-invalid\]|\[lab-address-invalid\].*broken\.yaml:\d+:\d+/)
    expect(r.stdout).toMatch(/\[lab-dependency-invalid\]/)
    expect(r.stderr).toMatch(/The plan has errors/)
    expect(r.stdout + r.stderr).not.toMatch(STACK_LINE)

    const v = runCli(['validate', 'broken.yaml', 'lab.yaml', '--json'], {cwd: dir})
    expect(v.code).toBe(2)
    const files = JSON.parse(v.stdout).files as Array<{file: string; kind: string; valid: boolean; diagnostics: Array<{code: string; source: {line: number}}>}>
    expect(files.map((f) => [f.file, f.kind, f.valid])).toEqual([
      ['broken.yaml', 'Lab', false],
      ['lab.yaml', 'Lab', true],
    ])
    expect(files[0].diagnostics.map((d) => d.code).sort()).toEqual(['lab-address-invalid', 'lab-dependency-invalid'])
    expect(files[0].diagnostics.every((d) => d.source.line > 0)).toBe(true)
  })

  it('validate with no files checks the project, lab.yaml included', () => {
    const v = runCli(['validate', '--json'], {cwd: dir})
    expect(v.code, v.stdout).toBe(0)
    expect(JSON.parse(v.stdout).files.map((f: {file: string}) => f.file)).toContain('lab.yaml')
  })

  it('a missing lab file is exit 2 with file-not-found; --help shows the examples', () => {
    const r = runCli(['lab', 'plan', 'nope.yaml'], {cwd: dir})
    expect(r.code).toBe(2)
    expect(r.stdout).toMatch(/\[file-not-found\]/)
    expect(runCli(['lab', 'plan', '--help']).stdout).toMatch(/EXAMPLES[\s\S]*--json/)
    const schema = runCli(['schema', 'lab'])
    expect(JSON.parse(schema.stdout).title).toBe('hvguest Lab')
  })
})
