/** Flags of the commands that act on hosts rather than on templates (list, destroy, recover). */
import {Flags} from './oclif.js'

export const hostFlags = {
  inventory: Flags.string({char: 'i', summary: 'Host inventory file (default: hosts.yaml here when it exists).', helpValue: 'FILE'}),
  host: Flags.string({summary: 'Host to act on (repeatable); default: every host of the inventory.', multiple: true, multipleNonGreedy: true, helpValue: 'NAME'}),
}

export function hostsRequest(flags: {inventory?: string; host?: string[]}) {
  return {inventory: flags.inventory, hosts: flags.host ?? [], cwd: process.cwd()}
}
