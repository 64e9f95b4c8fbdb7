/** Flags of the `net` commands: one host, its inventory, and for apply the profile and switches. */
import {Flags} from './oclif.js'

export const netHostFlags = {
  inventory: Flags.string({char: 'i', summary: 'Host inventory file (default: hosts.yaml here when it exists).', helpValue: 'FILE'}),
  host: Flags.string({summary: 'The host (a name from the inventory).', required: true, helpValue: 'NAME'}),
}

export function netHostRequest(flags: {inventory?: string; host: string}, profile?: string) {
  return {inventory: flags.inventory, hosts: [flags.host], cwd: process.cwd(), profile}
}
