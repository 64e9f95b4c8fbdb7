import {Args} from '../../cli/oclif.js'
import {BaseCommand, EXIT} from '../../cli/base-command.js'
import {hostFlags, hostsRequest} from '../../cli/host-flags.js'
import {loadExecServices} from '../../cli/bundles.js'

export default class IcStatusCommand extends BaseCommand {
  static override summary = 'Show what guests report: heartbeat, integration services by GUID, IC version, KVP addresses.'
  static override description = `Asks each host in one round trip. Services are matched by their locale-neutral GUID, so
the report reads the same on a German or Japanese host. When a Linux guest's KVP, VSS or
file-copy service does not answer while its heartbeat does, the kernel drivers are there and
the user-space daemon is not: the report names the daemon and the packages that provide it.
Exit codes: 0 every guest found and ready (heartbeat OK and an IPv4 address), 1 a guest is
not ready or a host failed, 2 a guest was not found or bad input.`

  static override examples = ['<%= config.bin %> <%= command.id %> web1', '<%= config.bin %> <%= command.id %> web1 web2 --host hv1 --json']
  static override strict = false
  static override args = {name: Args.string({description: 'Guest names.', required: true})}
  static override flags = {...hostFlags}

  async run(): Promise<unknown> {
    const {argv, flags} = await this.parse(IcStatusCommand)
    const s = await loadExecServices()
    const names = argv as string[]
    const hosts = s.selectHosts(hostsRequest(flags))
    const result = await s.icStatus(hosts, names, (h) => s.openSession(h, {inventoryFile: h.inventoryFile ?? undefined}))
    process.exitCode =
      result.missing.length > 0 ? EXIT.invalidInput : result.hostErrors.length > 0 || result.guests.some((g) => !g.ready) ? EXIT.hostFailure : EXIT.ok
    if (!this.jsonEnabled()) this.log(s.renderIcStatus(result.guests, result.missing, result.hostErrors))
    return result
  }
}
