// The one command of the baseline CLI: plain JavaScript, no build step.
import {Command} from '@oclif/core'

export default class Hello extends Command {
  static description = 'Print one line (benchmark baseline).'

  async run() {
    this.log('hello from the bare oclif baseline')
  }
}
