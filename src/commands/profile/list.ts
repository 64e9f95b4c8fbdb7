import {BaseCommand} from '../../cli/base-command.js'
import {loadServices} from '../../cli/bundles.js'
import type {ProfileInfo} from '../../plan/content-info.js'

export default class ProfileList extends BaseCommand {
  static override summary = 'List hardware profiles: the project\'s (./profiles) and the built-in ones.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<{profiles: ProfileInfo[]}> {
    await this.parse(ProfileList)
    const {listProfiles, renderTable} = await loadServices()
    const profiles = listProfiles(process.cwd())
    if (!this.jsonEnabled()) {
      this.log(
        renderTable(
          ['name', 'origin', 'jumbo', 'chimney', 'vmq', 'description'],
          profiles.map((p) => [
            p.name + (p.valid ? '' : ' (invalid)'),
            p.origin,
            String(p.spec?.network?.jumboPacket ?? 1514),
            p.spec?.network?.chimney ?? '-',
            p.spec?.network?.vmq === undefined ? '-' : p.spec.network.vmq ? 'on' : 'off',
            p.description ?? '',
          ]),
        ),
      )
    }
    return {profiles}
  }
}
