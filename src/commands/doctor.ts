import {Flags} from '@oclif/core'
import {BaseCommand, EXIT} from '../cli/base-command.js'
import {hostFlags, hostsRequest} from '../cli/host-flags.js'
import {loadExecServices} from '../cli/services.js'

export default class DoctorCommand extends BaseCommand {
  static override summary = 'Check that hosts are ready for a lab build: Hyper-V, OS, configuration versions, switches, NICs, space.'
  static override description = `One round trip per host, hosts in parallel, through the same sessions as create. Each check is
a line with a stable code and, when it fails, the fix: the Hyper-V role and module (as the user
hvguest runs as), the host OS and the VM configuration versions it supports, the locale (info:
hvguest addresses integration services by GUID), wireless adapters bound to external switches,
for hosts of a cluster the same switch names on every node and integration services that answer
in running guests, vmguest.iso where the host should ship it, free space under vmRoot, and the
NIC behind each external switch against the profile (jumbo values, chimney, VMQ).
Exit codes: 0 ready (warnings allowed), 1 a check failed, 2 bad input.`

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --host hv1 --host hv2 --profile intel-10g --json']
  static override flags = {
    ...hostFlags,
    profile: Flags.string({char: 'p', summary: "Hardware profile to check the NICs against (default: each host's, else generic-1g).", helpValue: 'NAME'}),
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(DoctorCommand)
    const s = await loadExecServices()
    const hosts = s.selectHosts({...hostsRequest(flags), profile: flags.profile})
    const result = await s.runDoctor(hosts, (h) => s.openSession(h, {inventoryFile: h.inventoryFile ?? undefined}))
    process.exitCode = result.ready ? EXIT.ok : EXIT.hostFailure
    if (!this.jsonEnabled()) this.log(s.renderDoctor(result))
    return result
  }
}
