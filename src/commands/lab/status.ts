import {BaseCommand, EXIT} from '../../cli/base-command.js'
import {loadExecServices} from '../../cli/bundles.js'
import {labFileArg, labFlags, labRequest} from '../../cli/lab-flags.js'

export default class LabStatusCommand extends BaseCommand {
  static override summary = "Show the lab's networks and guests on its hosts: what exists, addresses from KVP, drift."
  static override description = `Reads each host (its switches, addresses, NATs and VMs) and each guest of the lab (state,
heartbeat and the IPv4 addresses it reports through KVP), and compares them with the lab file.
Changes nothing. Exit codes: 0 read (whether or not the lab is up), 2 invalid input or a host
that could not be read.`

  static override examples = [
    {description: 'The lab of lab.yaml', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'As JSON', command: '<%= config.bin %> <%= command.id %> corp.yaml --json'},
  ]

  static override args = labFileArg
  static override flags = {...labFlags}

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(LabStatusCommand)
    const s = await loadExecServices()
    const result = await s.labStatus(labRequest(args.file, flags), {plan: s.planLab, open: (h) => s.openSession(h, {inventoryFile: h.inventoryFile ?? undefined})})
    process.exitCode = result.status === 'ok' ? EXIT.ok : EXIT.invalidInput
    if (!this.jsonEnabled()) this.log(s.renderLabStatus(result))
    return result
  }
}
