import {BaseCommand, EXIT} from '../../cli/base-command.js'
import {loadServices} from '../../cli/bundles.js'
import {labFileArg, labFlags, labRequest} from '../../cli/lab-flags.js'
import type {LabPlan} from '../../model/lab-plan.js'

export default class LabPlanCommand extends BaseCommand {
  static override summary = 'Plan a lab: its networks (switch, subnet, gateway, NAT) and its guests, with adapters, MACs and addresses.'
  static override description = `Reads a lab file (kind Lab), plans every guest as "hvguest plan" does, in the order they are
created (dependsOn first), and checks what the file alone decides: addresses against their
subnets, duplicates, overlapping subnets, NAT, dependencies, network names. Nothing touches a host.
With --json, prints the LabPlan JSON (apiVersion hvguest/v1, kind LabPlan) and nothing else.
Exit codes: 0 ok (warnings allowed), 2 invalid input or a plan with errors (--strict: warnings too).`

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
    const {labPlan} = planLab(labRequest(args.file, flags))
    const {errors} = labPlan.plan.summary
    if (errors > 0) process.exitCode = EXIT.invalidInput
    if (!this.jsonEnabled()) {
      this.log(renderLabPlan(labPlan))
      if (errors > 0) this.logToStderr(MESSAGES.planFailed + (flags.strict ? ` ${MESSAGES.strictHint}` : ''))
    }
    return labPlan
  }
}
