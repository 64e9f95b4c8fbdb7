import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {stringify} from 'yaml'
import {hostsOf, wantsSession} from '../../../src/cli/prestart.js'
import {hostsNeedLocalPwsh} from '../../../src/powershell/transports.js'

describe('which command lines start a pwsh ahead of time (src/cli/prestart.ts)', () => {
  it('the session commands, with or without flags and arguments', () => {
    for (const argv of [['create', 'ubuntu-2204'], ['create', 'templates/lab-linux.yaml', '--count', '10'], ['list'], ['destroy', 'web1', '--yes'], ['recover'], ['doctor'], ['net', 'show'], ['ic', 'status', 'web1']]) {
      expect(wantsSession(argv), argv.join(' ')).toBe(true)
    }
  })

  it('not the commands that never open one, nor a session command that only shows or writes a plan, or help', () => {
    for (const argv of [[], ['plan', 'ubuntu-2204'], ['--version'], ['validate'], ['init', 'lab'], ['template', 'list'], ['net', 'apply', '--dry-run'], ['create', 'x', '--dry-run'], ['create', 'x', '--emit', 'f.ps1'], ['create', 'x', '--emit=f.ps1'], ['list', '--help'], ['create', '-h']]) {
      expect(wantsSession(argv), argv.join(' ')).toBe(false)
    }
  })
})

describe('the inventory and hosts a command line names (hostsOf)', () => {
  it('reads --inventory, -i and --host in every way oclif takes them, and nothing after --', () => {
    expect(hostsOf(['create', 'web', '--inventory', 'lab.yaml', '--host', 'hv1', '--host=hv2'])).toEqual({inventory: 'lab.yaml', hosts: ['hv1', 'hv2'], unsure: false})
    expect(hostsOf(['list', '-i', 'a.yaml'])).toEqual({inventory: 'a.yaml', hosts: [], unsure: false})
    expect(hostsOf(['list', '-ia.yaml', '--json'])).toEqual({inventory: 'a.yaml', hosts: [], unsure: false})
    expect(hostsOf(['list', '-i=a.yaml'])).toEqual({inventory: 'a.yaml', hosts: [], unsure: false})
    expect(hostsOf(['doctor', '--inventory=b.yaml'])).toEqual({inventory: 'b.yaml', hosts: [], unsure: false})
    expect(hostsOf(['create', 'web', '--', '--host', 'hv1'])).toEqual({inventory: undefined, hosts: [], unsure: false})
    // a flag without its value (oclif refuses the command): nothing from it
    expect(hostsOf(['list', '--host'])).toEqual({inventory: undefined, hosts: [], unsure: false})
  })

  it('is unsure when -i may be in a group of short flags, which oclif splits', () => {
    expect(hostsOf(['destroy', 'web1', '-yi', 'lab.yaml']).unsure).toBe(true)
    expect(hostsOf(['destroy', 'web1', '-yilab.yaml']).unsure).toBe(true)
    // near misses: -i alone, or a group without it
    expect(hostsOf(['destroy', 'web1', '-y', '-i', 'lab.yaml'])).toEqual({inventory: 'lab.yaml', hosts: [], unsure: false})
  })
})

describe('whether the hosts named need a pwsh on this machine (hostsNeedLocalPwsh)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hvguest-prestart-'))
  const inventory = (name: string, hosts: Array<Record<string, unknown>>) => {
    writeFileSync(join(dir, name), stringify({apiVersion: 'hvguest/v1', kind: 'HostInventory', hosts}))
    return name
  }
  const ssh = (name: string, more: Record<string, unknown> = {}) => ({name, transport: 'ssh', address: `${name}.lab`, ...more})
  const need = (inv: string | undefined, hosts: string[] = []) => hostsNeedLocalPwsh({inventory: inv, hosts, cwd: dir})

  it('none when every host is reached over ssh, the --host named ones or all of them', () => {
    expect(need(inventory('all-ssh.yaml', [ssh('hv1'), ssh('hv2')]))).toBe(false)
    const mixed = inventory('mixed.yaml', [ssh('hv1'), {name: 'here', transport: 'local'}])
    expect(need(mixed, ['HV1'])).toBe(false)
    // near misses: the local host among them, or no --host (every host)
    expect(need(mixed, ['hv1', 'here'])).toBe(true)
    expect(need(mixed)).toBe(true)
  })

  it('one for a host whose session relays through a local pwsh (psRemoting, winrm), an emulated or local one, and the local machine', () => {
    expect(need(inventory('remoting.yaml', [ssh('hv1', {psRemoting: true})]))).toBe(true)
    expect(need(inventory('winrm.yaml', [{name: 'hv1', transport: 'winrm'}]))).toBe(true)
    expect(need(inventory('emulated.yaml', [{name: 'emu1', transport: 'emulator', emulator: {stateFile: 's.json'}}]))).toBe(true)
    // no inventory at all: the local machine
    expect(need(undefined)).toBe(true)
  })

  it('one when in doubt: an inventory that does not parse, has no list of named hosts or is not there, a --host it does not list', () => {
    writeFileSync(join(dir, 'broken.yaml'), 'apiVersion: hvguest/v1\nkind: HostInventory\nhosts: [{name: hv1, transport: ssh\n')
    expect(need('broken.yaml')).toBe(true)
    writeFileSync(join(dir, 'nameless.yaml'), 'apiVersion: hvguest/v1\nkind: HostInventory\nhosts:\n  - transport: ssh\n')
    expect(need('nameless.yaml')).toBe(true)
    expect(need('missing.yaml')).toBe(true)
    expect(need(inventory('one-ssh.yaml', [ssh('hv1')]), ['hv9'])).toBe(true)
  })

  it('a --host on a cluster node counts its peers, which create compares it with', () => {
    const lab = inventory('cluster.yaml', [ssh('hv1', {cluster: 'LAB'}), {name: 'hv2', transport: 'winrm', cluster: 'lab'}, ssh('hv3')])
    expect(need(lab, ['hv1'])).toBe(true)
    // near miss: a host of no cluster
    expect(need(lab, ['hv3'])).toBe(false)
  })

  it("one for the starter project's hosts.yaml, whose only ssh is in a comment", () => {
    const starter = fileURLToPath(new URL('../../../templates/init/hosts.yaml', import.meta.url))
    expect(readFileSync(starter, 'utf8')).toMatch(/#.*transport: ssh/)
    expect(hostsNeedLocalPwsh({inventory: starter, hosts: [], cwd: dir})).toBe(true)
  })

  it('one when the command line is unsure which inventory it names', () => {
    expect(hostsNeedLocalPwsh({inventory: inventory('unsure.yaml', [ssh('hv1')]), hosts: [], unsure: true, cwd: dir})).toBe(true)
  })

  it('hosts.yaml in the folder when no --inventory is given', () => {
    const here = mkdtempSync(join(tmpdir(), 'hvguest-prestart-'))
    writeFileSync(join(here, 'hosts.yaml'), stringify({apiVersion: 'hvguest/v1', kind: 'HostInventory', hosts: [ssh('hv1')]}))
    expect(hostsNeedLocalPwsh({hosts: [], cwd: here})).toBe(false)
  })
})
