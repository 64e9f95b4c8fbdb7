import {Flags} from '../../cli/oclif.js'
import {BaseCommand, EXIT} from '../../cli/base-command.js'
import {netHostFlags, netHostRequest} from '../../cli/net-flags.js'
import {loadExecServices} from '../../cli/bundles.js'

export default class NetRestoreCommand extends BaseCommand {
  static override summary = 'Put back the host network values that "hvguest net apply" recorded before changing them.'
  static override description = `Reads the record net apply keeps on the host, sets each value back (journaled: a failure halfway
puts back what this run changed, exit 1), then forgets the record. Nothing recorded: nothing
changes.`

  static override examples = ['<%= config.bin %> <%= command.id %> --host hv1', '<%= config.bin %> <%= command.id %> --host hv1 --json']
  static override flags = {
    ...netHostFlags,
    'lock-timeout': Flags.integer({summary: 'Seconds to wait for another run on the same host.', default: 60, min: 0}),
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(NetRestoreCommand)
    const s = await loadExecServices()
    const [host] = s.selectHosts(netHostRequest(flags))
    const result = await s.netRestore(host, (h) => s.openSession(h, {inventoryFile: h.inventoryFile ?? undefined}), {lockTimeoutSeconds: flags['lock-timeout']})
    process.exitCode = result.status === 'failed' ? EXIT.hostFailure : EXIT.ok
    if (!this.jsonEnabled()) this.log(s.renderNetRestore(result))
    return result
  }
}
