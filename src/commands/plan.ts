import {Args} from '../cli/oclif.js'
import {BaseCommand, EXIT} from '../cli/base-command.js'
import {loadExecServices, loadServices} from '../cli/bundles.js'
import {planRequestFromFlags, templateFlags} from '../cli/template-flags.js'
import type {Plan} from '../model/plan.js'

export default class PlanCommand extends BaseCommand {
  static override summary = 'Plan guests from templates: controller slots, adapters, integration components, host settings.'
  static override description = `Runs load → render → resolve → validate and prints the plan. Nothing changes on any host.
With several hosts in the inventory and no --host, each host is asked its free memory (one round trip that reads only; over ssh the first contact also caches the runtime in the user's folder on the host) and each guest goes where the most is available; the plan says why. A host that cannot be reached gets no guest, with a warning.
With --json, prints the Plan JSON (apiVersion hvguest/v1, kind Plan) and nothing else.
Exit codes: 0 ok (warnings allowed), 2 invalid input or a plan with errors (--strict: warnings too).`

  static override examples = [
    {description: 'Plan a built-in template', command: '<%= config.bin %> <%= command.id %> ubuntu-2204'},
    {description: 'Four data disks on a 10GbE profile', command: '<%= config.bin %> <%= command.id %> ubuntu-2204 --set dataDiskCount=4 --profile intel-10g'},
    {description: 'Ten guests web1..web10, as JSON', command: '<%= config.bin %> <%= command.id %> ws2022 --count 10 --name "web{{index}}" --json'},
    {description: 'Plan for a 2008 R2 host (VM chimney applies there)', command: '<%= config.bin %> <%= command.id %> ws2008r2 --host-os windows-server-2008r2 --profile intel-10g'},
  ]

  static override strict = false
  static override args = {
    template: Args.string({description: 'Template name (built-in or ./templates) or path; several may be given.', required: true}),
  }

  static override flags = {...templateFlags}

  async run(): Promise<Plan> {
    const {argv, flags} = await this.parse(PlanCommand)
    const {planRun, placesByMemory, renderPlan, MESSAGES} = await loadServices()
    const request = planRequestFromFlags(argv as string[], flags)
    let planned = planRun(request)
    if (placesByMemory(request, planned)) {
      // Placement by free memory: only then are the execution services (sessions) loaded.
      const s = await loadExecServices()
      planned = await s.planPlaced(request, s.planRun, (h) => s.openSession(h, {inventoryFile: h.inventoryFile ?? undefined}), planned)
    }
    const {plan} = planned
    if (plan.summary.errors > 0) process.exitCode = EXIT.invalidInput
    if (!this.jsonEnabled()) {
      this.log(renderPlan(plan))
      if (plan.summary.errors > 0) this.logToStderr(MESSAGES.planFailed + (flags.strict ? ` ${MESSAGES.strictHint}` : ''))
    }
    return plan
  }
}
