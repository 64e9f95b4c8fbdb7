/**
 * Failover clusters end to end (docs/clusters.md), through the BUILT CLI and real pwsh against two
 * emulated nodes of cluster LAB whose state files share one cluster file: a guest created on a
 * node becomes a role of the cluster (a journaled step), seen from the other node; list shows its
 * owner; destroy removes the role first; a failure after the registration rolls it back with the
 * rest; a vmRoot off the Cluster Shared Volumes, or a switch another node lacks, is exit 2 with
 * nothing changed on either node.
 */
import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {stringify} from 'yaml'
import {makeEmulatorProject, prebuildEmulatorProjects, type EmulatorProject, type EmulatorProjectOptions} from '../helpers/emulator-project.js'
import {cliJson as json, runCli, type CliResult} from '../helpers/run-cli.js'
import {smallLinuxSpec, writeTemplateFile} from '../helpers/template-file.js'

const CSV_ROOT = 'C:\\ClusterStorage\\Volume1\\Hyper-V'
const node2 = (switches: string[]) =>
  `New-HvEmulatorState -Path '.hvguest/node2.json' -ComputerName HV2 -Cluster LAB -ClusterNodes HV1,HV2 -Switches ${switches.map((s) => `'${s}'`).join(',')} -GuestHeartbeatSeconds 0 -GuestAddressSeconds 0 | Out-Null`
const NODES: EmulatorProjectOptions = {computerName: 'HV1', cluster: 'LAB', clusterNodes: ['HV1', 'HV2'], switches: ['Lab'], guestTiming: {heartbeatSeconds: 0, addressSeconds: 0}, setup: node2(['Lab'])}
/** The same, but HV2 has no switch Lab. */
const NODE2_WITHOUT_LAB: EmulatorProjectOptions = {...NODES, setup: node2(['Other'])}
beforeAll(() => prebuildEmulatorProjects([NODES, NODE2_WITHOUT_LAB]), 300_000)

/** Both nodes in the inventory under cluster LAB; hv1's vmRoot can be set off the CSV. */
function clusterProject(opts: EmulatorProjectOptions, hv1VmRoot = CSV_ROOT): EmulatorProject {
  const p = makeEmulatorProject(opts)
  const host = (name: string, stateFile: string, vmRoot: string) => ({name, transport: 'emulator', os: 'windows-server-2022', cluster: 'LAB', vmRoot, imageRoot: 'C:\\Images', isoRoot: 'C:\\ISO', emulator: {stateFile}})
  writeFileSync(join(p.dir, 'hosts.yaml'), stringify({apiVersion: 'hvguest/v1', kind: 'HostInventory', hosts: [host('hv1', '.hvguest/emulator-state.json', hv1VmRoot), host('hv2', '.hvguest/node2.json', CSV_ROOT)]}))
  writeTemplateFile(join(p.dir, 'web.yaml'), 'web', smallLinuxSpec({size: '20GB'}))
  return p
}

/** Everything that makes the two nodes what they are: both state files, the cluster file, every file on their drives. */
function snapshot(p: EmulatorProject): Record<string, unknown> {
  const text = (f: string) => readFileSync(join(p.dir, '.hvguest', f), 'utf8')
  return {hv1: text('emulator-state.json'), hv2: text('node2.json'), cluster: text('cluster-LAB.json'), files: p.files()}
}
const clusterFile = (p: EmulatorProject) => JSON.parse(readFileSync(join(p.dir, '.hvguest', 'cluster-LAB.json'), 'utf8'))
const cli = (p: EmulatorProject, args: string[], env: Record<string, string> = {}): CliResult => runCli(args, {cwd: p.dir, env})

describe('a guest on a cluster node', () => {
  it('becomes a role of the cluster (seen from the other node), list shows its owner, destroy removes the role first', () => {
    const p = clusterProject(NODES)
    const before = snapshot(p)
    const made = cli(p, ['create', './web.yaml', '--name', 'web1', '--host', 'hv1', '--json'])
    expect(made.code, made.stderr).toBe(0)
    expect(json(made).guests.map((g: any) => [g.name, g.host, g.status])).toEqual([['web1', 'hv1', 'created']])
    const vmId = json(made).guests[0].vmId
    // The role is in the cluster's shared file, owned by the node that made it.
    expect(clusterFile(p).groups).toEqual([{name: 'web1', groupType: 'VirtualMachine', vmId, ownerNode: 'HV1', state: 'Offline'}])
    // Through the other node, which has no VM: the cluster knows the role.
    const fromHv2 = p.pwsh("Initialize-HvEmulator -StateFile '.hvguest/node2.json'; @(Get-ClusterGroup -VMId " + `'${vmId}'` + ' | ForEach-Object { "$($_.Name)|$($_.OwnerNode)|$($_.GroupType)" }) -join \',\'; @(Get-VM).Count')
    expect(fromHv2.stdout.trim().split('\n'), fromHv2.stderr).toEqual(['web1|HV1|VirtualMachine', '0'])

    const listed = cli(p, ['list', '--host', 'hv1', '--json'])
    expect(listed.code, listed.stderr).toBe(0)
    const guest = json(listed).hosts[0].data.guests.find((g: any) => g.name === 'web1')
    expect(guest.clusterRole).toEqual({name: 'web1', ownerNode: 'HV1'})
    expect(cli(p, ['list', '--host', 'hv1']).stdout).toContain('cluster role web1, owner node HV1')

    const destroyed = cli(p, ['destroy', 'web1', '--host', 'hv1', '--yes', '--json'])
    expect(destroyed.code, destroyed.stderr).toBe(0)
    expect(clusterFile(p).groups).toEqual([])
    expect(p.state().vms).toEqual([])
    // The nodes' files and the cluster file are as before the create (the state files are not:
    // destroy leaves the folders New-VM made, as Hyper-V does, and the host's run history).
    expect(snapshot(p).cluster).toBe(before.cluster)
    expect(snapshot(p).hv2).toBe(before.hv2)
  }, 120_000)

  it('a failure after the role was registered, or in the registration itself, rolls it back with the rest: exit 1, both nodes and the cluster byte-identical', () => {
    for (const fault of ['Start-VM:1', 'Add-ClusterVirtualMachineRole:1']) {
      const p = clusterProject(NODES)
      const before = snapshot(p)
      const r = cli(p, ['create', './web.yaml', '--name', 'web1', '--host', 'hv1', '--start', '--json'], {HVGUEST_EMULATOR_FAIL: fault})
      expect(r.code, `${fault}: ${r.stdout}${r.stderr}`).toBe(1)
      const failed = json(r).guests[0]
      expect(failed.error.cmdlet, fault).toBe(fault.split(':')[0])
      expect(snapshot(p), fault).toEqual(before)
    }
  }, 120_000)

  it('a vmRoot off the Cluster Shared Volumes: create is exit 2 (vmroot-not-csv) and changes nothing; doctor fails it too', () => {
    const p = clusterProject(NODES, 'C:\\Hyper-V')
    const before = snapshot(p)
    const r = cli(p, ['create', './web.yaml', '--name', 'web1', '--host', 'hv1'])
    expect(r.code, r.stdout + r.stderr).toBe(2)
    expect(r.stdout).toContain('[vmroot-not-csv]')
    expect(r.stdout).toContain('vmRoot C:\\Hyper-V is not on a Cluster Shared Volume of cluster LAB (C:\\ClusterStorage\\Volume1)')
    expect(snapshot(p)).toEqual(before)
    const d = json(cli(p, ['doctor', '--json']))
    const storage = d.checks.filter((c: any) => c.check === 'cluster-storage')
    expect(storage.map((c: any) => [c.status, c.code])).toEqual([['fail', 'vmroot-not-csv']])
    expect(storage[0].message).toBe('cluster LAB: vmRoot is not on a Cluster Shared Volume on hv1 (C:\\Hyper-V; volumes: C:\\ClusterStorage\\Volume1): another node could not start these guests after a failover')
  }, 120_000)

  it('a switch the other node lacks: create is exit 2 (switch-name-mismatch naming that node), with --host or placed, and nothing changes on either node', () => {
    const p = clusterProject(NODE2_WITHOUT_LAB)
    const before = snapshot(p)
    for (const args of [['--host', 'hv1'], []]) {
      const r = cli(p, ['create', './web.yaml', '--name', 'web1', ...args])
      expect(r.code, `${args}: ${r.stdout}${r.stderr}`).toBe(2)
      expect(r.stdout).toContain('[switch-name-mismatch]')
      expect(r.stdout).toContain("adapter 'Network Adapter' connects to virtual switch 'Lab', which cluster LAB node hv2 lacks: after a failover there the guest would have no network")
    }
    expect(snapshot(p)).toEqual(before)
  }, 120_000)

  it('a node that cannot be asked at all is said and not compared: the create goes on', () => {
    const p = clusterProject(NODES)
    // hv2's session cannot start: its emulator state file is gone.
    rmSync(join(p.dir, '.hvguest', 'node2.json'))
    const r = cli(p, ['create', './web.yaml', '--name', 'web1', '--host', 'hv1'])
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.stderr).toMatch(/hv2.*cluster LAB: could not ask this node its switches \(.*\S.*\); they were not compared/)
    expect(r.stdout).not.toContain('[switch-name-mismatch]')
  }, 120_000)

  it('a node whose switches cannot be read (Hyper-V not installed, or not for this user) counts as lacking them: exit 2, saying why, nothing changed', () => {
    const p = clusterProject(NODES)
    const node2File = join(p.dir, '.hvguest', 'node2.json')
    for (const mode of ['not-installed', 'access-denied']) {
      const state = JSON.parse(readFileSync(node2File, 'utf8'))
      state.host.hyperV = mode
      writeFileSync(node2File, JSON.stringify(state, null, 2) + '\n')
      const before = snapshot(p)
      const r = cli(p, ['create', './web.yaml', '--name', 'web1', '--host', 'hv1'])
      expect(r.code, `${mode}: ${r.stdout}${r.stderr}`).toBe(2)
      expect(r.stdout).toContain("[switch-name-mismatch] adapter 'Network Adapter' connects to virtual switch 'Lab', which cluster LAB node hv2 lacks")
      expect(r.stdout).toMatch(/\(hv2: its switches could not be read: [^)\n]*\S/)
      expect(r.stderr).not.toContain('they were not compared')
      expect(snapshot(p)).toEqual(before)
    }
  }, 120_000)
})
