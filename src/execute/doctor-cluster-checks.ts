/**
 * The doctor checks of a cluster: they compare the nodes the inventory lists under the same
 * `cluster:` (and that answered), and report on the first of them.
 */
import {compareConfigVersions, topVersion} from './config-version.js'
import {line, type CheckLine, type DoctorCheck} from './doctor-check.js'
import type {HostFactsAnswer} from './host-facts.js'
import {winIsUnder} from '../util/windows-path.js'

/** A check of one cluster, given its nodes that answered (each has facts). */
type ClusterCheck = (nodes: HostFactsAnswer[]) => CheckLine[]

const CLUSTER_CHECKS: ClusterCheck[] = [checkUnlistedNodes, checkDownNodes, checkSharedStorage, checkClusterSwitches, checkFailoverIcs, checkClusterConfigVersions]

export function checkClusters(answers: HostFactsAnswer[]): DoctorCheck[] {
  const out: DoctorCheck[] = []
  const byCluster = new Map<string, HostFactsAnswer[]>()
  for (const a of answers) if (a.host.cluster && a.facts) byCluster.set(a.host.cluster.toLowerCase(), [...(byCluster.get(a.host.cluster.toLowerCase()) ?? []), a])
  for (const nodes of byCluster.values()) {
    const cluster = nodes[0].host.cluster!
    const first = nodes[0].host.name
    for (const l of CLUSTER_CHECKS.flatMap((check) => check(nodes))) out.push({host: first, ...l, message: `cluster ${cluster}: ${l.message}`})
  }
  return out
}

const reportedNodes = (nodes: HostFactsAnswer[]) => nodes.flatMap((n) => n.facts!.clusterNodes ?? [])

/** Nodes the cluster has that the inventory does not list cannot be compared. */
function checkUnlistedNodes(nodes: HostFactsAnswer[]): CheckLine[] {
  const cluster = nodes[0].host.cluster!
  const known = new Set(nodes.map((n) => n.host.name.toLowerCase()))
  const unlisted = [...new Set(reportedNodes(nodes).map((n) => n.name).filter((n) => !known.has(n.toLowerCase()) && !nodes.some((x) => x.facts!.computerName.toLowerCase() === n.toLowerCase())))]
  if (unlisted.length === 0) return []
  return [line('cluster-nodes', 'warn', 'cluster-node-unchecked', `node${unlisted.length > 1 ? 's' : ''} ${unlisted.join(', ')} ${unlisted.length > 1 ? 'are' : 'is'} not in the inventory, so ${unlisted.length > 1 ? 'their' : 'its'} switches were not compared`, `add ${unlisted.join(', ')} to the inventory with cluster: ${cluster}`)]
}

/** Nodes that are not up cannot take guests. */
function checkDownNodes(nodes: HostFactsAnswer[]): CheckLine[] {
  const down = [...new Set(reportedNodes(nodes).filter((n) => !/^up$/i.test(n.state)).map((n) => `${n.name} (${n.state})`))]
  if (down.length === 0) return []
  return [line('cluster-nodes', 'warn', 'cluster-node-down', `node${down.length > 1 ? 's' : ''} ${down.join(', ')} cannot take guests now`, 'bring the node up (Start-ClusterNode / Resume-ClusterNode) before relying on failover')]
}

/** Each node's vmRoot is on a Cluster Shared Volume: another node can start its guests after a failover. */
function checkSharedStorage(nodes: HostFactsAnswer[]): CheckLine[] {
  const off: string[] = []
  const unread: string[] = []
  for (const n of nodes) {
    const volumes = n.facts!.clusterSharedVolumes
    if (volumes === null || volumes === undefined) {
      unread.push(n.host.name)
      continue
    }
    if (!volumes.some((v) => winIsUnder(n.host.vmRoot, v))) off.push(`${n.host.name} (${n.host.vmRoot}; volumes: ${volumes.length ? volumes.join(', ') : 'none'})`)
  }
  const out: CheckLine[] = []
  if (unread.length) out.push(line('cluster-storage', 'fail', 'cluster-unavailable', `${unread.join(', ')} could not read the cluster's Cluster Shared Volumes`, 'check that the cluster service runs on the node and that the inventory names the cluster it is a node of'))
  if (off.length) out.push(line('cluster-storage', 'fail', 'vmroot-not-csv', `vmRoot is not on a Cluster Shared Volume on ${off.join('; ')}: another node could not start these guests after a failover`, 'set vmRoot to a folder under C:\\ClusterStorage\\<volume> for every node of the cluster'))
  if (!out.length) out.push(line('cluster-storage', 'ok', null, `every node's vmRoot is on a Cluster Shared Volume`))
  return out
}

/** The same virtual switch names on every node (Live Migration and failover need them). */
function checkClusterSwitches(nodes: HostFactsAnswer[]): CheckLine[] {
  if (nodes.length <= 1) return []
  const names = (a: HostFactsAnswer) => new Set(a.facts!.switches.map((s) => s.name))
  const all = [...new Set(nodes.flatMap((n) => [...names(n)]))].sort()
  const differences = nodes
    .map((n) => ({node: n.host.name, missing: all.filter((s) => !names(n).has(s))}))
    .filter((d) => d.missing.length > 0)
  if (differences.length > 0) {
    return [
      line(
        'cluster-switches',
        'fail',
        'switch-name-mismatch',
        `virtual switch names differ between nodes: ${differences.map((d) => `${d.node} lacks ${d.missing.join(', ')}`).join('; ')}`,
        'create the missing switches with the same names on those nodes (Live Migration and failover need identical names)',
      ),
    ]
  }
  return [line('cluster-switches', 'ok', null, `every node has the switches ${all.join(', ')}`)]
}

/** Running guests must have their integration services answering before a failover. */
function checkFailoverIcs(nodes: HostFactsAnswer[]): CheckLine[] {
  const notReady = nodes.flatMap((n) =>
    n.facts!.vms
      .filter((v) => v.state === 'Running' && (!/^ok/i.test(v.heartbeat) || v.silentServices.length > 0))
      .map((v) => `${v.name} on ${n.host.name} (${!/^ok/i.test(v.heartbeat) ? `heartbeat ${v.heartbeat || 'none'}` : `${v.silentServices.map((x) => x.name).join(', ')} not answering`})`),
  )
  if (notReady.length > 0) {
    return [line('failover-ics', 'fail', 'ic-not-ready-for-failover', `${notReady.join('; ')}: after a failover these guests would not report heartbeat or shut down cleanly`, 'install or update their integration components ("hvguest ic status NAME" shows what is missing, "hvguest ic inject NAME" fixes it)')]
  }
  return [line('failover-ics', 'ok', null, 'every running guest answers its heartbeat and enabled integration services')]
}

/** Configuration versions the nodes disagree on: a guest above a node's versions cannot move there. */
function checkClusterConfigVersions(nodes: HostFactsAnswer[]): CheckLine[] {
  const tops = nodes.map((n) => ({node: n.host.name, top: topVersion(n.facts!.configurationVersions ?? [])}))
  const lowest = tops.reduce((a, b) => (compareConfigVersions(a.top, b.top) <= 0 ? a : b))
  const highest = tops.reduce((a, b) => (compareConfigVersions(a.top, b.top) >= 0 ? a : b))
  if (nodes.length <= 1 || compareConfigVersions(lowest.top, highest.top) >= 0) return []
  return [line('config-versions', 'warn', 'cluster-config-version-mismatch', `${lowest.node} runs VM configuration versions up to ${lowest.top}, ${highest.node} up to ${highest.top}: a guest above ${lowest.top} cannot move to ${lowest.node}`, `create guests at version ${lowest.top} or lower (New-VM -Version), or upgrade ${lowest.node}`)]
}
