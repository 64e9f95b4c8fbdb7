import {Args} from '../cli/oclif.js'
import {BaseCommand, EXIT} from '../cli/base-command.js'
import {hostFlags, hostsRequest} from '../cli/host-flags.js'
import {loadExecServices} from '../cli/bundles.js'
import {withSeedMediaWarnings} from '../execute/listed-guest.js'

export default class ListCommand extends BaseCommand {
  static override summary = 'List the guests on hosts: state, generation, drives with slots, adapters, integration services.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> web1 web2 --host hv1 --json']
  static override strict = false
  static override args = {name: Args.string({description: 'Guest names to show (default: all).'})}
  static override flags = {...hostFlags}

  async run(): Promise<unknown> {
    const {argv, flags} = await this.parse(ListCommand)
    const s = await loadExecServices()
    const hosts = s.selectHosts(hostsRequest(flags))
    const names = argv as string[]
    const asked = await s.askHosts<{guests: unknown[]}>(hosts, {action: 'list', ...(names.length ? {names} : {})}, (h) => s.openSession(h, {inventoryFile: h.inventoryFile ?? undefined}))
    // A guest whose seed media with a secret is still attached says so (firstboot-secret-attached).
    const answers = withSeedMediaWarnings(asked)
    if (answers.some((a) => !a.ok)) process.exitCode = EXIT.hostFailure
    if (!this.jsonEnabled()) this.log(s.renderGuestList(answers))
    return {hosts: answers}
  }
}
