/**
 * `hvguest doctor` for people: one line per check and host, the status, what was found, and
 * for anything not ok the fix.
 */
import type {DoctorResult} from '../execute/doctor.js'
import {renderTable} from './table.js'

const MARK = {ok: 'ok', fail: 'FAIL', warn: 'warn', info: 'info'} as const

export function renderDoctor(r: DoctorResult): string {
  // a cmdlet's message may span lines; a table row may not
  const flat = (t: string) => t.replace(/\s*\n\s*/g, ' ')
  const out = [renderTable(['host', 'check', 'status', 'finding'], r.checks.map((c) => [c.host, c.check, MARK[c.status], flat(c.code ? `${c.message} [${c.code}]` : c.message)]))]
  const fixes = r.checks.filter((c) => c.fix && c.status !== 'ok')
  if (fixes.length > 0) {
    out.push('', 'To fix:')
    for (const c of fixes) out.push(`  ${c.host} ${c.check}: ${c.fix}`)
  }
  const failed = r.checks.filter((c) => c.status === 'fail').length
  const warned = r.checks.filter((c) => c.status === 'warn').length
  out.push(
    '',
    failed > 0
      ? `Not ready: ${failed} check${failed === 1 ? '' : 's'} failed${warned ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}.`
      : `Ready: ${r.hosts.length} host${r.hosts.length === 1 ? '' : 's'} checked${warned ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}.`,
  )
  return out.join('\n')
}
