import {BaseCommand} from '../../cli/base-command.js'
import {loadServices} from '../../cli/bundles.js'
import type {TemplateInfo} from '../../plan/content-info.js'

export default class TemplateList extends BaseCommand {
  static override summary = 'List guest templates: the project\'s (./templates) and the built-in ones.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<{templates: TemplateInfo[]}> {
    await this.parse(TemplateList)
    const {listTemplates, renderTable} = await loadServices()
    const templates = listTemplates(process.cwd())
    if (!this.jsonEnabled()) {
      this.log(
        renderTable(
          ['name', 'origin', 'os', 'gen', 'description'],
          templates.map((t) => [t.name + (t.valid ? '' : ' (invalid)'), t.origin, t.os ?? '-', String(t.generation ?? '-'), t.description ?? '']),
        ),
      )
    }
    return {templates}
  }
}
