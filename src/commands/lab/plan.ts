import {BaseCommand, EXIT} from '../../cli/base-command.js'
import {loadExecServices, loadServices} from '../../cli/bundles.js'
import {labFileArg, labFlags, labRequest} from '../../cli/lab-flags.js'
import type {LabPlan} from '../../model/lab-plan.js'

export default class LabPlanCommand extends BaseCommand {
  static override summary = 'Plan a lab: its networks (switch, subnet, gateway, NAT) and its guests, with adapters, MACs and addresses.'
  static override description = `Reads a lab file (kind Lab), plans every guest as "hvguest plan" does, in the order they are
created (dependsOn first), and checks what the file alone decides: addresses against their
subnets, duplicates, overlapping subnets, NAT, dependencies, network names. With two or more
hosts and guests the file gives no host, it places them by free memory as "lab up" does: it
reads each host's record of the lab (a guest the lab made stays where it is) and its free memory,
and changes nothing; a host it cannot read is exit 2, with its code. Otherwise nothing touches a
host.
With --json, prints the LabPlan JSON (apiVersion hvguest/v1, kind LabPlan) and nothing else.
Exit codes: 0 ok (warnings allowed), 2 invalid input, a plan with errors (--strict: warnings too)
or a host that cannot be read, 1 a host's session lost while it was read.`

  static override examples = [
    {description: 'Plan lab.yaml in this folder', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Another lab file, for one host of the inventory', command: '<%= config.bin %> <%= command.id %> labs/corp.yaml --host hv1'},
    {description: 'The LabPlan as JSON: MACs and addresses of every adapter', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  static override args = labFileArg
  static override flags = labFlags

  async run(): Promise<LabPlan> {
    const {args, flags} = await this.parse(LabPlanCommand)
    const {planLab, renderLabPlan, MESSAGES} = await loadServices()
    const request = labRequest(args.file, flags)
    let planned = planLab(request)
    if (planned.placesByMemory) {
      // Placement by free memory: only then are the execution services (sessions) loaded.
      const s = await loadExecServices()
      planned = await s.planLabPlaced(request, {plan: s.planLab, open: (h) => s.openSession(h, {inventoryFile: h.inventoryFile ?? undefined})}, planned)
    }
    const {labPlan} = planned
    const {errors} = labPlan.plan.summary
    if (errors > 0) process.exitCode = EXIT.invalidInput
    if (!this.jsonEnabled()) {
      this.log(renderLabPlan(labPlan))
      if (errors > 0) this.logToStderr(MESSAGES.planFailed + (flags.strict ? ` ${MESSAGES.strictHint}` : ''))
    }
    return labPlan
  }
}
