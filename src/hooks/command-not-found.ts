/**
 * An unknown command is invalid input: exit 2 with the closest command named (README.md,
 * 'Exit codes'). `help` arrives here too (see below). @oclif/plugin-not-found exits 127 and asks an interactive question; a script
 * wants neither.
 */
import type {Hook} from '@oclif/core'
import {suggest} from '../util/did-you-mean.js'

const hook: Hook.CommandNotFound = async function (opts) {
  // `hvguest help [COMMAND]`: oclif's own Help, without @oclif/plugin-help, which cost about
  // 20 ms at every start only to provide this one command (--help is built into oclif).
  const words = opts.id.split(':')
  if (words[0] === 'help') {
    const {Help} = await import('@oclif/core')
    await new Help(opts.config).showHelp([...words.slice(1), ...(opts.argv ?? [])])
    return
  }
  const ids = opts.config.commandIDs.map((id) => id.replaceAll(':', ' '))
  // With a space as topic separator oclif hands over the arguments too ("plna ws2022"):
  // match the longest run of leading words that is close to a command.
  let typed = words[0]
  let close: string | undefined
  for (let k = Math.min(words.length, 2); k >= 1 && !close; k--) {
    close = suggest(words.slice(0, k).join(' '), ids)
    if (close) typed = words.slice(0, k).join(' ')
  }
  const hint = close ? ` Did you mean "hvguest ${close}"?` : ''
  this.error(`"${typed}" is not an hvguest command.${hint} Run "hvguest --help" for the list.`, {exit: 2})
}

export default hook
