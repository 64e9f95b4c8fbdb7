import {Flags} from '../../cli/oclif.js'
import {BaseCommand, EXIT} from '../../cli/base-command.js'
import {netHostFlags, netHostRequest} from '../../cli/net-flags.js'
import {loadExecServices} from '../../cli/bundles.js'

export default class NetApplyCommand extends BaseCommand {
  static override summary = "Apply a hardware profile's host network defaults: jumbo frames, chimney, VMQ."
  static override description = `*JumboPacket on the physical NIC and the vEthernet adapter of each switch (--switch, else the
inventory's switches for the host, else every external switch), TCP Chimney where the host OS
gives it to VMs (2008 R2), VMQ on the NICs. The value each setting had before is recorded on
the host first, once: "hvguest net restore" puts it back. A second apply changes nothing and
says so. A value the NIC does not list stops the command before anything changes (exit 2); a
setting the hardware or OS cannot take is a warning, never skipped silently. A failure halfway
puts back what this run changed (exit 1).`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --profile intel-10g --host hv1 --dry-run',
    '<%= config.bin %> <%= command.id %> --profile intel-10g --host hv1 --switch Lab --json',
  ]

  static override flags = {
    ...netHostFlags,
    profile: Flags.string({char: 'p', summary: 'Hardware profile (built-in name, ./profiles name, or path).', required: true, helpValue: 'NAME'}),
    switch: Flags.string({summary: 'Switch whose NICs get the settings (repeatable).', multiple: true, multipleNonGreedy: true, helpValue: 'NAME'}),
    'dry-run': Flags.boolean({summary: 'Show each setting before and after; change nothing.', default: false}),
    'lock-timeout': Flags.integer({summary: 'Seconds to wait for another run on the same host.', default: 60, min: 0}),
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(NetApplyCommand)
    const s = await loadExecServices()
    const [host] = s.selectHosts(netHostRequest(flags, flags.profile))
    const result = await s.netApply(host, (h) => s.openSession(h, {inventoryFile: h.inventoryFile ?? undefined}), {
      switches: flags.switch,
      dryRun: flags['dry-run'],
      lockTimeoutSeconds: flags['lock-timeout'],
    })
    process.exitCode = result.status === 'failed' ? EXIT.hostFailure : EXIT.ok
    if (!this.jsonEnabled()) this.log(s.renderNetApply(result))
    return result
  }
}
