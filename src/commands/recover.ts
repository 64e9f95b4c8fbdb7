import {BaseCommand, EXIT} from '../cli/base-command.js'
import {hostFlags, hostsRequest} from '../cli/host-flags.js'
import {loadExecServices} from '../cli/bundles.js'

export default class RecoverCommand extends BaseCommand {
  static override summary = 'Finish runs that were interrupted, from their journals on each host.'
  static override description = `A run killed before its commit is undone (what it created is removed). A run whose commit
had begun (the user was told its guests were created) is committed instead: its guests are kept,
never removed. Safe to run at any time: with no journal left on a host it changes nothing.`
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --host hv1 --json']
  static override flags = {...hostFlags}

  async run(): Promise<unknown> {
    const {flags} = await this.parse(RecoverCommand)
    const s = await loadExecServices()
    const hosts = s.selectHosts(hostsRequest(flags))
    interface Recovered {
      runs?: Array<{runId: string; outcome?: 'rolled-back' | 'committed' | 'commit-failed' | 'rollback-failed'; guests?: string[]; undone: unknown[] | number; errors?: string[]; journalKept?: boolean}>
      skipped?: Array<{runId: string; reason: string}>
      errors?: string[]
    }
    const answers = await s.askHosts<Recovered>(hosts, {action: 'recover'}, (h) => s.openSession(h, {inventoryFile: h.inventoryFile ?? undefined}))
    const incomplete = (a: (typeof answers)[number]) => !a.ok || (a.data?.runs ?? []).some((r) => (r.errors ?? []).length > 0) || (a.data?.errors ?? []).length > 0
    if (answers.some(incomplete)) process.exitCode = EXIT.hostFailure
    if (!this.jsonEnabled()) {
      for (const a of answers) {
        if (!a.ok) {
          this.log(`${a.host}: failed: ${a.error?.message}`)
          continue
        }
        const runs = a.data?.runs ?? []
        const skipped = a.data?.skipped ?? []
        if (runs.length === 0 && skipped.length === 0) this.log(`${a.host}: nothing to recover`)
        for (const r of runs) {
          if (r.outcome === 'committed' || r.outcome === 'commit-failed') {
            const kept = (r.guests ?? []).join(', ') || 'no guest'
            if (r.outcome === 'committed') this.log(`${a.host}: run ${r.runId}: commit finished; ${kept} kept and recorded`)
            else this.log(`${a.host}: run ${r.runId}: ${kept} kept; the commit could not be finished (journal kept: fix the cause, then run recover again)`)
            for (const e of r.errors ?? []) this.log(`  ${e}`)
            continue
          }
          const n = Array.isArray(r.undone) ? r.undone.length : r.undone
          this.log(`${a.host}: run ${r.runId}: ${n} step${n === 1 ? '' : 's'} undone${r.journalKept ? ' (journal kept: run recover again)' : ''}`)
          for (const e of r.errors ?? []) this.log(`  could not undo: ${e}`)
        }
        for (const k of skipped) this.log(`${a.host}: run ${k.runId} left alone: ${k.reason}; run recover again when it has ended`)
        for (const e of a.data?.errors ?? []) this.log(`${a.host}: ${e}`)
      }
    }
    return {hosts: answers}
  }
}
