/**
 * `hvguest doctor --probe` for people: per host, the facts a bug report needs, then one line per
 * finding (what was asked, what the host did), and what to do when the host differs.
 */
import type {ProbeFinding, ProbeReport} from '../execute/probe.js'
import {MESSAGES} from '../model/messages.js'
import {renderTable} from './table.js'

/** A finding's value on one line, with the probe's long folder path written once above the table instead. */
const text = (v: ProbeFinding['expected'], folder: string) => (v === null ? '-' : String(v).replace(/\s*\n\s*/g, ' ').split(folder).join('<probe>'))

export function renderProbe(r: ProbeReport): string {
  const out: string[] = []
  for (const h of r.hosts) {
    const f = h.facts
    const os = f?.os ? `${f.os.caption} (build ${f.os.buildNumber})` : 'unknown'
    out.push(
      `${h.host}: ${os}; planned as ${h.plannedOs}; PowerShell ${f ? `${f.powershell.version} ${f.powershell.edition}` : 'unknown'}; Hyper-V module ${f?.hyperVModule?.version ?? 'not found'}; probe run ${h.runId}`,
    )
    out.push(`  <probe> = ${h.folder}`)
    out.push(renderTable(['check', 'status', 'expected', 'actual'], h.findings.map((x) => [x.check, x.ok ? 'ok' : 'DIFF', text(x.expected, h.folder), text(x.actual, h.folder)]), '  '))
    const left = h.cleanup === null || h.cleanup.journalKept || h.cleanup.vmLeft || h.cleanup.folderLeft || !h.cleanup.lockReleased || h.cleanup.errors.length > 0
    if (left) out.push(`  ${MESSAGES.probeLeftBehind(h.host)}`)
    out.push('')
  }
  const failed = r.hosts.reduce((n, h) => n + h.findings.filter((x) => !x.ok).length, 0)
  out.push(r.ok ? MESSAGES.probeAllOk(r.hosts.length) : MESSAGES.probeDiffers(failed))
  out.push(`hvguest ${r.hvguest.version}, Node ${r.hvguest.node} on ${r.hvguest.platform}`)
  return out.join('\n')
}
