/**
 * Before a create on failover cluster nodes: every switch a guest's adapters use must exist on
 * every node of its cluster, or a failover to the node that lacks it leaves the guest without
 * its network (switch-name-mismatch, exit 2, nothing changed). Add-ClusterVirtualMachineRole
 * itself registers such a guest without a word, so this is the only place it is caught.
 *
 * The run's own nodes answered preflight with their switches; the cluster's other nodes the
 * inventory lists are asked only their switches' names (the `switch-names` action, one
 * Get-VMSwitch: docs/execution.md, the actions table, says what it costs), in a session of their own, closed at once.
 * A node whose Get-VMSwitch fails (no Hyper-V there, or not for this user) is compared as a node
 * with no switch, and the mismatch says why: a failover there would leave the guest without its
 * network too, and `doctor` reports that node the same way. A node that cannot be asked at all
 * (no session) is said as progress and not compared: a cluster is built to lose nodes. So is one
 * whose inventory entry has problems of its own (resolveTargets leaves it out of clusterPeers:
 * they show when it is the target).
 */
import {diagnostic, type Diagnostic} from '../model/diagnostic.js'
import type {TargetHost} from '../model/target-host.js'
import type {SwitchNamesAnswer} from '../powershell/protocol-types.generated.js'
import type {HostSession} from '../powershell/session.js'
import type {CreateRun, Emit} from './create-run.js'
import {askHosts} from './host-actions.js'

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
  const nodeSwitches = new Map<string, {node: TargetHost; switches: string[]; why?: string}>()
  for (const r of run.hosts) if (r.target.cluster && switchesOf.has(r.target.name)) nodeSwitches.set(r.target.name, {node: r.target, switches: switchesOf.get(r.target.name)!})
  await Promise.all(
    others.map(async (h) => {
      // Another node's own problem (no pwsh there, a broken state file, a lost session) is not
      // this run's input: that node is not compared, and said so. askHosts checks the answer's shape.
      const [answer] = await askHosts<SwitchNamesAnswer>([h], {action: 'switch-names'}, open).catch((error: Error) => [{ok: false, data: null, error: {cmdlet: null, message: error.message}}])
      const why = (answer.error?.message ?? '').replace(/\s+/g, ' ').trim()
      if (answer.ok && answer.data) nodeSwitches.set(h.name, {node: h, switches: answer.data.names})
      else if (answer.error?.cmdlet === 'Get-VMSwitch') nodeSwitches.set(h.name, {node: h, switches: [], why})
      else emit({type: 'host', host: h.name, message: `cluster ${h.cluster}: could not ask this node its switches (${why}); they were not compared`})
    }),
  )
  const problems: Diagnostic[] = []
  for (const r of run.hosts) {
    if (!r.target.cluster) continue
    const nodes = [...nodeSwitches.values()].filter((n) => n.node.cluster && key(n.node.cluster) === key(r.target.cluster!) && n.node.name !== r.target.name)
    for (const g of r.guests) {
      for (const a of g.networkAdapters) {
        if (!a.switch) continue
        const missing = nodes.filter((n) => !n.switches.some((s) => s.toLowerCase() === a.switch.toLowerCase()))
        if (missing.length === 0) continue
        const lacking = missing.map((n) => n.node.name)
        const unreadable = missing.filter((n) => n.why !== undefined).map((n) => ` (${n.node.name}: its switches could not be read: ${n.why})`).join('')
        problems.push(
          diagnostic(
            'switch-name-mismatch',
            'error',
            `adapter '${a.name}' connects to virtual switch '${a.switch}', which cluster ${r.target.cluster} node${lacking.length > 1 ? 's' : ''} ${lacking.join(', ')} lack${lacking.length > 1 ? '' : 's'}: after a failover there the guest would have no network; create the switch with the same name on every node${unreadable}`,
            {guest: g.name, host: r.target.name},
          ),
        )
      }
    }
  }
  return problems
}
