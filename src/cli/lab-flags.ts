/**
 * The argument and flags every `lab` command shares: the lab file (lab.yaml by default) and
 * where its guests go, the same flags as `plan` and `create` take (templateFlags).
 */
import {Args} from './oclif.js'
import type {HostOs} from '../model/host-os.js'
import {templateFlags} from './template-flags.js'

export const labFileArg = {file: Args.string({description: 'The lab file (kind Lab).', default: 'lab.yaml'})}

export const labFlags = {
  inventory: templateFlags.inventory,
  host: templateFlags.host,
  'host-os': templateFlags['host-os'],
  strict: templateFlags.strict,
}

/** The lab plan request of a lab command's file and flags, relative to the current folder. */
export function labRequest(file: string, flags: {inventory?: string; host?: string; 'host-os'?: string; strict?: boolean}) {
  return {file, inventory: flags.inventory, host: flags.host, hostOs: flags['host-os'] as HostOs | undefined, strict: flags.strict, cwd: process.cwd()}
}
