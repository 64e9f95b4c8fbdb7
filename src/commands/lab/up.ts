import {Flags} from '../../cli/oclif.js'
import {BaseCommand, EXIT} from '../../cli/base-command.js'
import {loadExecServices} from '../../cli/bundles.js'
import {labFileArg, labFlags, labRequest} from '../../cli/lab-flags.js'

export default class LabUpCommand extends BaseCommand {
  static override summary = 'Bring the hosts to the lab file: create the networks and guests that are missing.'
  static override description = `Plans the lab, reads each host once (placing guests without host: by free memory, it reads
every host of the inventory, and its free memory too; a guest the lab made stays where it is),
and changes only the difference: missing networks
first (switch, gateway address, NAT), then missing guests in dependsOn order; a dependency is
started and reports its planned address through KVP before its dependents are made. A guest
that differs from its plan is reported as drift and left alone unless --recreate names it.
Run it again: with nothing to change it changes nothing, and takes no lock. Every change is
journaled on the host; a failure rolls the run back (switches, addresses and NATs included).
Exit codes: 0 up (or up to date), 1 failed on a host (after rollback) or not ready in time,
2 invalid input or a host problem found before any change.`

  static override examples = [
    {description: 'Bring up the lab of lab.yaml on the hosts of hosts.yaml', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Show what would change, change nothing', command: '<%= config.bin %> <%= command.id %> corp.yaml --dry-run'},
    {description: 'Wait until every guest reports its planned address', command: '<%= config.bin %> <%= command.id %> --wait --timeout 900'},
    {description: 'Make one drifted guest again as planned', command: '<%= config.bin %> <%= command.id %> --recreate web1 --json'},
  ]

  static override args = labFileArg
  static override flags = {
    ...labFlags,
    'dry-run': Flags.boolean({summary: 'Show what would change; change nothing.', default: false}),
    wait: Flags.boolean({summary: 'Start the guests this run makes, then wait until every guest of the lab reports heartbeat OK and its planned addresses through KVP.', description: 'A guest of the lab that exists and is off is not started: it is waited for, and the run ends not ready (exit 1) if it stays off.', default: false}),
    timeout: Flags.integer({summary: 'Seconds one guest may take on its host; also the seconds to wait for guests to be ready.', default: 600, min: 10}),
    recreate: Flags.string({summary: 'Remove and make again a guest of the lab (repeatable), drifted or not.', multiple: true, helpValue: 'NAME'}),
    parallel: Flags.integer({summary: 'Hosts worked on at once (default: all of them).', min: 1, helpValue: 'N'}),
    'lock-timeout': Flags.integer({summary: 'Seconds to wait for another run on the same host to finish.', default: 60, min: 0}),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(LabUpCommand)
    const s = await loadExecServices()
    const progress = this.jsonEnabled() ? undefined : await s.liveProgress((l) => this.logToStderr(l))
    const result = await this.interruptible((signal) =>
      s.labUp(
        {
          ...labRequest(args.file, flags),
          dryRun: flags['dry-run'],
          wait: flags.wait ? {timeoutMs: flags.timeout * 1000} : undefined,
          timeoutMs: flags.timeout * 1000,
          recreate: flags.recreate,
          parallel: flags.parallel,
          lockTimeoutSeconds: flags['lock-timeout'],
          signal,
          onEvent: progress?.onEvent,
        },
        {plan: s.planLab, open: (h) => s.openSession(h, {inventoryFile: h.inventoryFile ?? undefined})},
      ),
    ).finally(() => progress?.stop())
    process.exitCode = ['ok', 'unchanged', 'dry-run'].includes(result.status) ? EXIT.ok : ['failed', 'not-ready', 'commit-failed'].includes(result.status) ? EXIT.hostFailure : EXIT.invalidInput
    if (!this.jsonEnabled()) this.log(s.renderLabUp(result))
    const {labPlan, ...rest} = result
    return {...rest, plan: flags['dry-run'] ? labPlan : undefined}
  }
}
