import {Args, Flags} from '../../cli/oclif.js'
import {BaseCommand, EXIT} from '../../cli/base-command.js'
import {hostFlags} from '../../cli/host-flags.js'
import {loadExecServices} from '../../cli/bundles.js'

export default class IcInjectCommand extends BaseCommand {
  static override summary = 'Give an existing guest its integration components: IC media, an offline cab, or new seed media.'
  static override description = `Does what the guest's OS and the host's OS allow, and names the code when it cannot:
  --media    attach the IC media to a free IDE slot (vmguest.iso on hosts up to 2012 R2, the
             LIS ISO for RHEL/CentOS 5-6)
  --offline  add the IC cab to a stopped Windows guest's boot disk (mount, add, always dismount)
  --seed     render the first-boot files again and put the new seed media in the guest's DVD
With none of them, hvguest picks: Windows: offline when the guest is off and a cab exists, else
media; Linux: LIS media for LIS-era guests and new seed media when the template has first boot.
The guest is planned again from its template (recorded on the host when hvguest created it, or
--template) with the --set/--values given now: parameters are not stored on the host, since
they may hold passwords. The change is journalled: a failure leaves the guest as it was.
Exit codes: 0 done, 1 failed on the host (undone), 2 not possible for this guest or bad input.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> web1',
    '<%= config.bin %> <%= command.id %> db1 --offline --host hv1',
    '<%= config.bin %> <%= command.id %> lab1 --seed --set sshKey="ssh-ed25519 AAAA... me@host" --json',
  ]

  static override args = {name: Args.string({description: 'Guest name.', required: true})}
  static override flags = {
    ...hostFlags,
    media: Flags.boolean({summary: 'Attach the integration media (vmguest.iso or LIS).', exclusive: ['offline', 'seed']}),
    offline: Flags.boolean({summary: "Inject the IC cab into the stopped Windows guest's boot disk.", exclusive: ['media', 'seed']}),
    seed: Flags.boolean({summary: 'Regenerate and attach the first-boot seed media.', exclusive: ['media', 'offline']}),
    template: Flags.string({char: 't', summary: 'Template the guest was made from (default: the one hvguest recorded).', helpValue: 'NAME'}),
    set: Flags.string({char: 's', summary: 'Template parameter for the regenerated first-boot files (repeatable).', multiple: true, multipleNonGreedy: true, helpValue: 'KEY=VALUE'}),
    values: Flags.string({summary: 'YAML file of parameter values (--set wins).', helpValue: 'FILE'}),
    profile: Flags.string({char: 'p', summary: 'Hardware profile (default: the host\'s).', helpValue: 'NAME'}),
    'lock-timeout': Flags.integer({summary: 'Seconds to wait for another run on the same host to finish.', default: 60, min: 0}),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(IcInjectCommand)
    const s = await loadExecServices()
    const mode = flags.media ? 'media' : flags.offline ? 'offline' : flags.seed ? 'seed' : 'auto'
    const result = await s.icInject(
      {
        name: args.name,
        mode,
        hosts: flags.host ?? [],
        inventory: flags.inventory,
        template: flags.template,
        sets: flags.set ?? [],
        valuesFile: flags.values,
        profile: flags.profile,
        cwd: process.cwd(),
        lockTimeoutSeconds: flags['lock-timeout'],
        onEvent: this.jsonEnabled() ? undefined : s.progressPrinter((l) => this.logToStderr(l)),
      },
      {hosts: s.selectHosts, open: (h) => s.openSession(h, {inventoryFile: h.inventoryFile ?? undefined}), plan: s.planRun},
    )
    process.exitCode = result.status === 'ok' ? EXIT.ok : EXIT.hostFailure // failed or commit-failed
    if (!this.jsonEnabled()) this.log(s.renderIcInject(result))
    return result
  }
}
