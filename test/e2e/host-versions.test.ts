/**
 * `create` through the BUILT CLI on an emulated Windows Server 2012 host, whose cmdlets are 2012's
 * (New-VM has no -Generation, Set-VM no -CheckpointType): the guest is created, and the checkpoint
 * type its template asks for, which this host cannot take, is a warning in the output and in
 * --json, never a silent skip (docs/execution.md, "How the runtime adapts to the host").
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {stringify} from 'yaml'
import {makeEmulatorProject, prebuildEmulatorProjects, type EmulatorProject, type EmulatorProjectOptions} from '../helpers/emulator-project.js'
import {runCli} from '../helpers/run-cli.js'

const WS2012: EmulatorProjectOptions = {hostOs: 'windows-server-2012'}
beforeAll(() => prebuildEmulatorProjects([WS2012]), 120_000)

function writeTemplate(p: EmulatorProject): string {
  mkdirSync(join(p.dir, 'templates'), {recursive: true})
  const file = join(p.dir, 'templates', 'old-host.yaml')
  writeFileSync(
    file,
    stringify({
      apiVersion: 'hvguest/v1',
      kind: 'GuestTemplate',
      metadata: {name: 'old-host'},
      spec: {
        os: {family: 'linux', distro: 'ubuntu', version: '22.04'},
        memory: {startup: '1GB'},
        bootDisk: {size: '8GB', format: 'vhdx'},
        dataDisks: [{name: 'data1', size: '2GB', format: 'vhdx'}],
        networkAdapters: [{switch: 'Lab'}],
        // Standard: what a 2012 host makes anyway, so the plan accepts it (production or disabled is a
        // plan error there, checkpoints-unsupported-host); the runtime cannot pass it, and says so.
        checkpoints: 'standard',
      },
    }),
  )
  return file
}

describe('create on an emulated Windows Server 2012 host', () => {
  it('creates the guest and says that its checkpoint type could not be applied (output and --json)', () => {
    const p = makeEmulatorProject(WS2012)
    const template = writeTemplate(p)
    const json = runCli(['create', template, '--name', 'old1', '--json'], {cwd: p.dir})
    expect(json.code, json.stdout + json.stderr).toBe(0)
    const result = JSON.parse(json.stdout)
    expect(result.status).toBe('ok')
    expect(result.guests).toHaveLength(1)
    expect(result.guests[0]).toMatchObject({name: 'old1', status: 'created'})
    expect(result.guests[0].warnings).toEqual([{code: 'setting-unsupported-host', setting: 'checkpoints', message: expect.stringContaining("Set-VM has no -CheckpointType")}])
    const vm = (p.state().vms as any[]).find((v) => v.name === 'old1')
    expect(vm).toMatchObject({generation: 1, checkpointType: 'Standard', path: 'C:\\Hyper-V\\old1'})

    // The same for people: the warning is printed with the guest, and the run still succeeds.
    const human = runCli(['create', template, '--name', 'old2'], {cwd: p.dir})
    expect(human.code, human.stdout + human.stderr).toBe(0)
    expect(human.stdout).toMatch(/warning: old2 on emu1: checkpoints Standard was planned, but this host's Set-VM has no -CheckpointType: the setting is not applied \(its checkpoints are standard ones, as planned\) \[setting-unsupported-host, checkpoints\]/)
    expect(human.stdout).toContain('1 guest created')
  }, 120_000)
})
