import {Args} from '../../cli/oclif.js'
import {BaseCommand, EXIT} from '../../cli/base-command.js'
import {loadServices} from '../../cli/bundles.js'
import type {ProfileInfo} from '../../plan/content-info.js'

export default class ProfileShow extends BaseCommand {
  static override summary = 'Show a hardware profile: its defaults, its NIC capabilities and its YAML.'
  static override examples = ['<%= config.bin %> <%= command.id %> intel-10g', '<%= config.bin %> <%= command.id %> wireless --json']
  static override args = {name: Args.string({description: 'Profile name or path.', required: true})}

  async run(): Promise<ProfileInfo & {text: string}> {
    const {args} = await this.parse(ProfileShow)
    const {showProfile, formatDiagnostic} = await loadServices()
    const p = showProfile(args.name, process.cwd())
    if (!p.valid) process.exitCode = EXIT.invalidInput
    if (!this.jsonEnabled()) {
      this.log(`${p.name}  (${p.origin}: ${p.file})`)
      if (p.description) this.log(p.description)
      for (const d of p.diagnostics) this.log(formatDiagnostic(d))
      this.log('\n' + p.text.trimEnd())
    }
    return p
  }
}
