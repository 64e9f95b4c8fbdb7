// The one command of the baseline CLI: plain JavaScript, no build step. Command by subpath, with
// require(), as hvguest's commands take it (src/cli/oclif.ts): the baseline loads no more of
// @oclif/core than hvguest does.
import {createRequire} from 'node:module'

const {Command} = createRequire(import.meta.url)('@oclif/core/command')

export default class Hello extends Command {
  static description = 'Print one line (benchmark baseline).'

  async run() {
    this.log('hello from the bare oclif baseline')
  }
}
