/**
 * Before a create on failover cluster nodes: every switch a guest's adapters use must exist on
 * every node of its cluster, or a failover to the node that lacks it leaves the guest without
 * its network (switch-name-mismatch, exit 2, nothing changed). Add-ClusterVirtualMachineRole
 * itself registers such a guest without a word, so this is the only place it is caught.
 *
 * The run's own nodes answered preflight with their switches; the cluster's other nodes the
 * inventory lists are asked their facts in a session of their own, closed at once. A node that
 * cannot be asked is said as progress and not compared (doctor reports it as cluster-node-unchecked);
 * so is one whose inventory entry has problems of its own (resolveTargets leaves it out of
 * clusterPeers: they show when it is the target).
 */
import {diagnostic, type Diagnostic} from '../model/diagnostic.js'
import type {TargetHost} from '../model/target-host.js'
import type {HostSession} from '../powershell/session.js'
import type {CreateRun, Emit} from './create-run.js'
import {askFacts} from './host-facts.js'

const key = (cluster: string) => cluster.toLowerCase()

export async function clusterSwitchProblems(
  run: CreateRun,
  inventoryHosts: TargetHost[],
  switchesOf: ReadonlyMap<string, string[]>,
  open: (h: TargetHost) => Promise<HostSession>,
  emit: Emit,
): Promise<Diagnostic[]> {
  const clusters = new Set(run.hosts.filter((r) => r.target.cluster).map((r) => key(r.target.cluster!)))
  if (clusters.size === 0) return []
  const inRun = new Set(run.hosts.map((r) => r.target.name))
  const others = inventoryHosts.filter((h) => h.cluster && clusters.has(key(h.cluster)) && !inRun.has(h.name))
  const nodeSwitches = new Map<string, {node: TargetHost; switches: string[]}>()
  for (const r of run.hosts) if (r.target.cluster && switchesOf.has(r.target.name)) nodeSwitches.set(r.target.name, {node: r.target, switches: switchesOf.get(r.target.name)!})
  await Promise.all(
    others.map(async (h) => {
      // Another node's own problem (no pwsh there, a broken state file) is not this run's input:
      // that node is not compared, and said so.
      const answer = await askFacts(h, open).catch((error: Error) => ({facts: null, error: error.message}))
      if (answer.facts) nodeSwitches.set(h.name, {node: h, switches: answer.facts.switches.map((s) => s.name)})
      else emit({type: 'host', host: h.name, message: `cluster ${h.cluster}: could not ask this node its switches (${answer.error}); they were not compared`})
    }),
  )
  const problems: Diagnostic[] = []
  for (const r of run.hosts) {
    if (!r.target.cluster) continue
    const nodes = [...nodeSwitches.values()].filter((n) => n.node.cluster && key(n.node.cluster) === key(r.target.cluster!) && n.node.name !== r.target.name)
    for (const g of r.guests) {
      for (const a of g.networkAdapters) {
        if (!a.switch) continue
        const lacking = nodes.filter((n) => !n.switches.some((s) => s.toLowerCase() === a.switch.toLowerCase())).map((n) => n.node.name)
        if (lacking.length === 0) continue
        problems.push(
          diagnostic(
            'switch-name-mismatch',
            'error',
            `adapter '${a.name}' connects to virtual switch '${a.switch}', which cluster ${r.target.cluster} node${lacking.length > 1 ? 's' : ''} ${lacking.join(', ')} lack${lacking.length > 1 ? '' : 's'}: after a failover there the guest would have no network; create the switch with the same name on every node`,
            {guest: g.name, host: r.target.name},
          ),
        )
      }
    }
  }
  return problems
}
