import {Flags} from '../cli/oclif.js'
import {BaseCommand, EXIT} from '../cli/base-command.js'
import {hostFlags, hostsRequest} from '../cli/host-flags.js'
import {loadExecServices} from '../cli/bundles.js'
import {MESSAGES} from '../model/messages.js'

export default class DoctorCommand extends BaseCommand {
  static override summary = 'Check that hosts are ready for a lab build: Hyper-V, OS, configuration versions, switches, NICs, space.'
  static override description = `One round trip per host, hosts in parallel, through the same sessions as create. Each check is
a line with a stable code and, when it fails, the fix: the Hyper-V role and module (as the user
hvguest runs as), the host OS and the VM configuration versions it supports, the locale (info:
hvguest addresses integration services by GUID), wireless adapters bound to external switches,
for hosts of a cluster the same switch names on every node and integration services that answer
in running guests, vmguest.iso where the host should ship it, free space under vmRoot, and the
NIC behind each external switch against the profile (jumbo values, chimney, VMQ).
Exit codes: 0 ready (warnings allowed), 1 a check failed, 2 bad input.

With --probe, proves hvguest on each host instead: a throwaway Generation 1 guest with one of
each device the planner uses (IDE boot disk, SCSI data disk, DVD drive, a synthetic and a legacy
adapter, integration services set by GUID) is created in <vmRoot>\.hvguest\probe-<run id>,
journaled like any run, its disk mounted and dismounted, read back and removed. Each difference
between what was asked and what the host did is a finding; with --json, the findings and the
host facts (OS, PowerShell, Hyper-V module) to attach to a bug report. Progress goes to stderr.
A probe interrupted half way is finished by hvguest recover.
Exit codes with --probe: 0 every finding ok, 1 the host differs, 2 bad input.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --host hv1 --host hv2 --profile intel-10g --json',
    '<%= config.bin %> <%= command.id %> --probe --host hv1 --json > probe-hv1.json',
  ]
  static override flags = {
    ...hostFlags,
    profile: Flags.string({char: 'p', summary: "Hardware profile to check the NICs against (default: each host's, else generic-1g).", helpValue: 'NAME'}),
    probe: Flags.boolean({summary: 'Create, read back and remove a throwaway guest on each host, and report every difference from what was asked.', default: false}),
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(DoctorCommand)
    const s = await loadExecServices()
    if (flags.probe) {
      if (flags.profile !== undefined) throw new s.InputError(MESSAGES.probeProfileFlag)
      const hosts = s.selectHosts(hostsRequest(flags))
      const report = await s.runProbe(hosts, (h) => s.openSession(h, {inventoryFile: h.inventoryFile ?? undefined}), {
        version: this.config.version,
        // stderr even under --json (oclif silences its own log there): the probe takes a while, and its JSON is stdout's alone
        onProgress: (e) => process.stderr.write(`${e.host}: ${e.step}${e.detail ? ` ${e.detail}` : ''}\n`),
      })
      process.exitCode = report.ok ? EXIT.ok : EXIT.hostFailure
      if (!this.jsonEnabled()) this.log(s.renderProbe(report))
      return report
    }
    const hosts = s.selectHosts({...hostsRequest(flags), profile: flags.profile})
    const result = await s.runDoctor(hosts, (h) => s.openSession(h, {inventoryFile: h.inventoryFile ?? undefined}))
    process.exitCode = result.ready ? EXIT.ok : EXIT.hostFailure
    if (!this.jsonEnabled()) this.log(s.renderDoctor(result))
    return result
  }
}
