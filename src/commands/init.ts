import {Args, Flags} from '../cli/oclif.js'
import {BaseCommand} from '../cli/base-command.js'
import {loadExecServices} from '../cli/bundles.js'

/** A host that could not be set up: exit 1 and the reason on one line, no stack (as HostUnreachable). */
class HostSetupFailed extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'HostSetupFailed'
  }
}

export interface InitJson {
  directory: string
  created: string[]
  skipped: string[]
  emulator: {stateFile: string; images: string[]} | null
  emulatorNote: string | null
  emulatorStatus: 'created' | 'exists' | 'no-pwsh' | 'failed'
}

export default class InitCommand extends BaseCommand {
  static override summary = 'Create a starter project: a guest template, a hardware profile and a hosts.yaml with an emulated host.'
  static override description = `Existing files are never overwritten unless --force is given. When pwsh is available, the
emulated host is set up too (.hvguest/emulator-state.json, with switch Lab and the base image the
starter template uses), so that "hvguest create templates/lab-linux.yaml" works right away.`
  static override examples = ['<%= config.bin %> <%= command.id %> lab', '<%= config.bin %> <%= command.id %> . --json']
  static override args = {dir: Args.string({description: 'Folder for the project (created if needed).', default: '.'})}
  static override flags = {force: Flags.boolean({summary: 'Overwrite files that exist.', default: false})}

  async run(): Promise<InitJson> {
    const {args, flags} = await this.parse(InitCommand)
    const {initProject, MESSAGES} = await loadExecServices()
    const result = initProject(args.dir, {force: flags.force})
    if (!this.jsonEnabled()) {
      for (const f of result.created) this.log(`created ${f}`)
      if (result.emulator) this.log(MESSAGES.initEmulatorCreated(result.emulator.stateFile, result.emulator.images))
      else if (result.emulatorNote && result.emulatorStatus !== 'failed') this.logToStderr(result.emulatorNote)
      if (result.created.length === 0 && !result.emulator) {
        this.log(MESSAGES.initNothing(result.directory))
      } else {
        if (result.skipped.length) this.logToStderr(MESSAGES.initExists(result.skipped))
        if (result.emulatorStatus !== 'failed') this.log(MESSAGES.initDone(args.dir, result.directory === process.cwd()))
      }
    }
    // pwsh is there and the host still could not be made: exit 1 with the reason (the files stay).
    if (result.emulatorStatus === 'failed') throw new HostSetupFailed(result.emulatorNote ?? 'the emulated host could not be set up')
    return result
  }
}
