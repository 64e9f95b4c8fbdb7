import {Args} from '../../cli/oclif.js'
import {BaseCommand, EXIT} from '../../cli/base-command.js'
import {loadServices} from '../../cli/bundles.js'
import type {TemplateInfo} from '../../plan/content-info.js'

export default class TemplateShow extends BaseCommand {
  static override summary = 'Show a guest template: its parameters and its YAML.'
  static override examples = ['<%= config.bin %> <%= command.id %> ubuntu-2204', '<%= config.bin %> <%= command.id %> ws2022-dc --json']
  static override args = {name: Args.string({description: 'Template name or path.', required: true})}

  async run(): Promise<TemplateInfo & {text: string}> {
    const {args} = await this.parse(TemplateShow)
    const {showTemplate, renderTable, formatDiagnostic} = await loadServices()
    const t = showTemplate(args.name, process.cwd())
    if (!t.valid) process.exitCode = EXIT.invalidInput
    if (!this.jsonEnabled()) {
      this.log(`${t.name}  (${t.origin}: ${t.file})`)
      if (t.description) this.log(t.description)
      const params = Object.entries(t.parameters)
      if (params.length) {
        this.log('\nParameters')
        this.log(
          renderTable(
            ['name', 'type', 'default', 'required', 'description'],
            params.map(([k, p]) => [
              k,
              p.type + (p.allowed && !p.secret ? ` (${p.allowed.join('|')})` : '') + (p.secret ? ' (secret)' : ''),
              p.default === undefined ? '-' : p.secret ? '(secret)' : String(p.default),
              String(p.required ?? p.default === undefined),
              p.description ?? '',
            ]),
            '  ',
          ),
        )
      }
      for (const d of t.diagnostics) this.log(formatDiagnostic(d))
      this.log('\n' + t.text.trimEnd())
    }
    return t
  }
}
