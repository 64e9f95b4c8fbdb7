/**
 * The argument and flags every `lab` command shares: the lab file (lab.yaml by default) and
 * where its guests go, as `plan` and `create` take them.
 */
import {Args, Flags} from './oclif.js'
import {HOST_OS, type HostOs} from '../model/host-os.js'

export const labFileArg = {file: Args.string({description: 'The lab file (kind Lab).', default: 'lab.yaml'})}

export const labFlags = {
  inventory: Flags.string({
    char: 'i',
    summary: 'Host inventory file (kind HostInventory).',
    description: 'Defaults to hosts.yaml in the current folder when it exists.',
    helpValue: 'FILE',
  }),
  host: Flags.string({summary: 'Target host (a name from the inventory).', helpValue: 'NAME'}),
  'host-os': Flags.string({summary: 'Host OS to plan for when the inventory does not say.', options: [...HOST_OS], helpValue: 'OS'}),
  strict: Flags.boolean({summary: 'Treat warnings as errors.', default: false}),
}

export function labRequest(file: string, flags: {inventory?: string; host?: string; 'host-os'?: string; strict?: boolean}) {
  return {file, inventory: flags.inventory, host: flags.host, hostOs: flags['host-os'] as HostOs | undefined, strict: flags.strict}
}
