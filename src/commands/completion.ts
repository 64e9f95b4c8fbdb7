import {Args} from '../cli/oclif.js'
import {BaseCommand} from '../cli/base-command.js'
import {InputError} from '../model/diagnostic.js'
import {MESSAGES} from '../model/messages.js'

/** The scripts the build writes (scripts/generate-completion.mjs), by shell. */
const SCRIPT_FILES = {bash: 'hvguest.bash', zsh: '_hvguest', powershell: 'hvguest.ps1'} as const

export default class Completion extends BaseCommand {
  // It prints a shell script; there is no result to report as JSON.
  static override enableJsonFlag = false
  static override summary = 'Print the shell completion script for bash, zsh or PowerShell.'
  static override description = `Install:
  bash:        echo 'source <(hvguest completion bash)' >> ~/.bashrc
  zsh:         hvguest completion zsh > "\${fpath[1]}/_hvguest"   (then compinit)
  PowerShell:  add  hvguest completion powershell | Out-String | Invoke-Expression  to $PROFILE`

  static override examples = ['<%= config.bin %> <%= command.id %> bash']

  static override args = {
    shell: Args.string({description: 'The shell.', required: true, options: Object.keys(SCRIPT_FILES)}),
  }

  async run(): Promise<void> {
    const {args} = await this.parse(Completion)
    const {readFileSync} = await import('node:fs')
    const shell = args.shell as keyof typeof SCRIPT_FILES
    const file = new URL(`../completion/${SCRIPT_FILES[shell]}`, import.meta.url)
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      throw new InputError(MESSAGES.completionMissing(shell, file.pathname))
    }
    process.stdout.write(text)
  }
}
