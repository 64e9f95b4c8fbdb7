/**
 * The flags every command that takes templates shares, in one place so
 * that `plan`, `create` and later commands cannot drift apart.
 */
import {Flags} from './oclif.js'
import {HOST_OS, type HostOs} from '../model/host-os.js'
import type {PlanRequest} from '../plan/build-plan.js'

export const templateFlags = {
  inventory: Flags.string({
    char: 'i',
    summary: 'Host inventory file (kind HostInventory).',
    description: 'Defaults to hosts.yaml in the current folder when it exists.',
    helpValue: 'FILE',
  }),
  host: Flags.string({summary: 'Target host (a name from the inventory).', helpValue: 'NAME'}),
  profile: Flags.string({
    char: 'p',
    summary: 'Hardware profile: a built-in name, a name from ./profiles, or a path.',
    description: "Default: the host's profile in the inventory, else generic-1g.",
    helpValue: 'NAME',
  }),
  set: Flags.string({
    char: 's',
    summary: 'Set a template parameter (repeatable): --set dataDiskCount=4.',
    description:
      'A secret parameter (secret: true, such as adminPassword) given here is never shown, but the shell keeps it in its history: --values FILE keeps it out.',
    multiple: true,
    // One value per --set: `plan --set a=1 ubuntu-2204` must not take the template as a value.
    multipleNonGreedy: true,
    helpValue: 'KEY=VALUE',
  }),
  values: Flags.string({
    summary: 'YAML file of parameter values (--set wins).',
    description: 'The place for a secret parameter such as adminPassword: out of the shell history (keep the file readable by you alone).',
    helpValue: 'FILE',
  }),
  name: Flags.string({
    char: 'n',
    summary: 'Guest name; may hold expressions: --name "web{{index}}".',
    description: 'With --count N, a plain name becomes NAME-1 … NAME-N. Default: the template name.',
    helpValue: 'NAME',
  }),
  count: Flags.integer({char: 'c', summary: 'How many guests to plan from each template.', default: 1, min: 1, max: 10_000}),
  'host-os': Flags.string({
    summary: 'Host OS to plan for when the inventory does not say.',
    options: [...HOST_OS],
    helpValue: 'OS',
  }),
  strict: Flags.boolean({summary: 'Treat warnings as errors.', default: false}),
}

interface TemplateFlagValues {
  inventory?: string
  host?: string
  profile?: string
  set?: string[]
  values?: string
  name?: string
  count: number
  'host-os'?: string
  strict: boolean
}

export function planRequestFromFlags(templates: string[], flags: TemplateFlagValues): PlanRequest {
  return {
    templates,
    inventory: flags.inventory,
    host: flags.host,
    profile: flags.profile,
    sets: flags.set ?? [],
    valuesFile: flags.values,
    name: flags.name,
    count: flags.count,
    hostOs: flags['host-os'] as HostOs | undefined,
    strict: flags.strict,
    cwd: process.cwd(),
  }
}
