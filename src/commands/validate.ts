import {Args, Flags} from '../cli/oclif.js'
import {BaseCommand, EXIT} from '../cli/base-command.js'
import {loadServices} from '../cli/bundles.js'
import type {ValidateJson} from '../plan/validate-files.js'

export default class ValidateCommand extends BaseCommand {
  static override summary = 'Check templates, hardware profiles and host inventories.'
  static override description = `Each file is checked by its kind: YAML syntax, schema (unknown keys with "did you mean"),
template expressions, and parameter defaults. With no FILES, checks the project here
(templates/*.yaml, profiles/*.yaml, hosts.yaml); --builtin checks the built-in content.
Exit 2 when any file has an error (--strict: or a warning).`

  static override examples = [
    '<%= config.bin %> <%= command.id %> templates/web.yaml profiles/lab-10g.yaml hosts.yaml',
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --builtin --json',
  ]

  static override strict = false
  static override args = {files: Args.string({description: 'Files to check.'})}
  static override flags = {
    builtin: Flags.boolean({summary: 'Also check every built-in template and profile.', default: false}),
    strict: Flags.boolean({summary: 'Treat warnings as errors.', default: false}),
  }

  async run(): Promise<ValidateJson> {
    const {argv, flags} = await this.parse(ValidateCommand)
    const {validateFiles, projectFiles, builtinFiles, MESSAGES, InputError, formatDiagnostic} = await loadServices()
    const files = [...(argv as string[])]
    if (files.length === 0) files.push(...projectFiles(process.cwd()))
    if (flags.builtin) files.push(...builtinFiles())
    if (files.length === 0) {
      throw new InputError(MESSAGES.validateNothing)
    }
    const result = validateFiles(files, {strict: flags.strict, cwd: process.cwd()})
    if (result.status !== 'ok') process.exitCode = EXIT.invalidInput
    if (!this.jsonEnabled()) {
      for (const f of result.files) {
        this.log(`${f.valid ? 'ok     ' : 'INVALID'}  ${f.file}${f.kind ? `  (${f.kind})` : ''}`)
        for (const d of f.diagnostics) this.log(`  ${formatDiagnostic(d)}`)
      }
      const bad = result.files.filter((f) => !f.valid).length
      this.log(bad ? `${bad} of ${result.files.length} files invalid.` : MESSAGES.validateOk(result.files.length))
    }
    return result
  }
}
