/**
 * A GuestTemplate file written into a test project: the envelope (apiVersion, kind, metadata)
 * around the spec a test needs.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import {dirname} from 'node:path'
import {stringify} from 'yaml'

/** A small Ubuntu 22.04 guest on switch Lab: one processor, 1 GB, the given boot disk, one 5 GB data disk. */
export const smallLinuxSpec = (bootDisk: Record<string, unknown>): Record<string, unknown> => ({
  os: {family: 'linux', distro: 'ubuntu', version: '22.04'},
  processors: 1,
  memory: {startup: '1GB'},
  bootDisk,
  dataDisks: [{name: 'data', size: '5GB'}],
  networkAdapters: [{switch: 'Lab'}],
})

export function writeTemplateFile(file: string, name: string, spec: Record<string, unknown>): string {
  mkdirSync(dirname(file), {recursive: true})
  writeFileSync(file, stringify({apiVersion: 'hvguest/v1', kind: 'GuestTemplate', metadata: {name}, spec}))
  return file
}
