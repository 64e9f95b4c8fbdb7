import {Flags} from '../../cli/oclif.js'
import {BaseCommand, EXIT} from '../../cli/base-command.js'
import {loadExecServices} from '../../cli/bundles.js'
import {labFileArg, labFlags, labRequest} from '../../cli/lab-flags.js'

export default class LabDownCommand extends BaseCommand {
  static override summary = 'Remove what the lab made, and nothing else.'
  static override description = `On each host, the lab's record says what the lab made. Removed in order: its guests (as
"hvguest destroy" removes them), the NATs and gateway addresses it created, then its switches;
then the host settings its runs changed are put back and the record is deleted. A switch that
another VM still uses is kept, with a warning; an external switch only with --include-external
(removing it drops the host's connection through that adapter for a moment). Switches and
NetNats the lab only used are never touched. Asks first unless --yes.
Exit codes: 0 removed (or nothing to remove), 1 a host stopped part way (run it again to
finish), 2 invalid input or a host that could not be read.`

  static override examples = [
    {description: 'Show what would be removed', command: '<%= config.bin %> <%= command.id %> --dry-run'},
    {description: 'Remove the lab of corp.yaml without asking', command: '<%= config.bin %> <%= command.id %> corp.yaml --yes'},
    {description: 'Keep the disks, remove the external switch too', command: '<%= config.bin %> <%= command.id %> --yes --keep-disks --include-external --json'},
  ]

  static override args = labFileArg
  static override flags = {
    ...labFlags,
    'dry-run': Flags.boolean({summary: 'Show what would be removed; change nothing.', default: false}),
    yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation.', default: false}),
    'keep-disks': Flags.boolean({summary: 'Remove the VMs but keep their disk files.', default: false}),
    'include-external': Flags.boolean({summary: "Also remove the lab's external switches.", default: false}),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(LabDownCommand)
    const s = await loadExecServices()
    if (!flags.yes && !flags['dry-run']) {
      if (!process.stdin.isTTY || this.jsonEnabled()) throw new s.InputError(`lab down asks for confirmation; add --yes to remove what the lab of ${args.file} made without asking`)
      const {createInterface} = await import('node:readline/promises')
      const rl = createInterface({input: process.stdin, output: process.stderr})
      const answer = await rl.question(`Remove everything the lab of ${args.file} made${flags['keep-disks'] ? ' (keeping disks)' : ''}? [y/N] `)
      rl.close()
      if (!/^y(es)?$/i.test(answer.trim())) {
        this.say('Nothing removed.')
        return {status: 'cancelled'}
      }
    }
    const result = await s.labDown(
      {
        ...labRequest(args.file, flags),
        dryRun: flags['dry-run'],
        keepDisks: flags['keep-disks'],
        includeExternal: flags['include-external'],
        onEvent: this.jsonEnabled() ? undefined : s.progressPrinter((l) => this.logToStderr(l)),
      },
      {plan: s.planLab, open: (h) => s.openSession(h, {inventoryFile: h.inventoryFile ?? undefined})},
    )
    process.exitCode = ['ok', 'dry-run', 'absent'].includes(result.status) ? EXIT.ok : result.status === 'failed' ? EXIT.hostFailure : EXIT.invalidInput
    if (!this.jsonEnabled()) this.log(s.renderLabDown(result))
    return result
  }
}
