import {BaseCommand} from '../../cli/base-command.js'
import {netHostFlags, netHostRequest} from '../../cli/net-flags.js'
import {loadExecServices} from '../../cli/bundles.js'

export default class NetShowCommand extends BaseCommand {
  static override summary = "Show a host's network: physical NICs, switches and the NIC each is bound to, vEthernet adapters, *JumboPacket (current and valid), chimney, VMQ."
  static override examples = ['<%= config.bin %> <%= command.id %> --host hv1', '<%= config.bin %> <%= command.id %> --host hv1 --json']
  static override flags = {...netHostFlags}

  async run(): Promise<unknown> {
    const {flags} = await this.parse(NetShowCommand)
    const s = await loadExecServices()
    const [host] = s.selectHosts(netHostRequest(flags))
    const {facts} = await s.netShow(host, (h) => s.openSession(h, {inventoryFile: h.inventoryFile ?? undefined}))
    if (!this.jsonEnabled()) this.log(s.renderNetShow(host.name, facts))
    return {host: host.name, os: facts.os, nics: facts.nics, switches: facts.switches, chimney: facts.chimney}
  }
}
