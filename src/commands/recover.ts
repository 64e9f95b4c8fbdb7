import {BaseCommand, EXIT} from '../cli/base-command.js'
import {hostFlags, hostsRequest} from '../cli/host-flags.js'
import {loadServices} from '../cli/services.js'

export default class RecoverCommand extends BaseCommand {
  static override summary = 'Finish undoing runs that were interrupted (a killed create), from their journals on each host.'
  static override description = 'Safe to run at any time: with no journal left on a host it changes nothing.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --host hv1 --json']
  static override flags = {...hostFlags}

  async run(): Promise<unknown> {
    const {flags} = await this.parse(RecoverCommand)
    const s = await loadServices()
    const hosts = s.selectHosts(hostsRequest(flags))
    const answers = await s.askHosts<{recovered?: Array<{runId: string; undone: number; errors?: string[]}>}>(hosts, {action: 'recover'}, (h) => s.openSession(h, {inventoryFile: h.inventoryFile ?? undefined}))
    if (answers.some((a) => !a.ok || (a.data?.recovered ?? []).some((r) => (r.errors ?? []).length > 0))) process.exitCode = EXIT.hostFailure
    if (!this.jsonEnabled()) {
      for (const a of answers) {
        if (!a.ok) {
          this.log(`${a.host}: failed: ${a.error?.message}`)
          continue
        }
        const runs = a.data?.recovered ?? []
        if (runs.length === 0) this.log(`${a.host}: nothing to recover`)
        for (const r of runs) {
          this.log(`${a.host}: run ${r.runId}: ${r.undone} step${r.undone === 1 ? '' : 's'} undone`)
          for (const e of r.errors ?? []) this.log(`  could not undo: ${e}`)
        }
      }
    }
    return {hosts: answers}
  }
}
