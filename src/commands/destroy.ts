import {Args, Flags} from '../cli/oclif.js'
import {BaseCommand, EXIT} from '../cli/base-command.js'
import {hostFlags, hostsRequest} from '../cli/host-flags.js'
import {loadExecServices} from '../cli/bundles.js'

export default class DestroyCommand extends BaseCommand {
  static override summary = 'Remove guests that hvguest created, and the disks it created for them.'
  static override description = `Only guests hvguest created (it keeps a record of each on the host) are removed, and
only the files that run created are deleted: a parent image, an existing or pass-through
disk, or anything else that was there before is never deleted. Asks first unless --yes.`

  static override examples = ['<%= config.bin %> <%= command.id %> web1 web2 --host hv1', '<%= config.bin %> <%= command.id %> lab1 --keep-disks --yes --json']
  static override strict = false
  static override args = {name: Args.string({description: 'Guest names.', required: true})}
  static override flags = {
    ...hostFlags,
    'keep-disks': Flags.boolean({summary: 'Remove the VMs but keep the disk files.', default: false}),
    yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation.', default: false}),
  }

  async run(): Promise<unknown> {
    const {argv, flags} = await this.parse(DestroyCommand)
    const s = await loadExecServices()
    const names = argv as string[]
    const hosts = s.selectHosts(hostsRequest(flags))
    if (!flags.yes) {
      if (!process.stdin.isTTY || this.jsonEnabled()) {
        throw new s.InputError(`destroy asks for confirmation; add --yes to remove ${names.join(', ')} without asking`)
      }
      const {createInterface} = await import('node:readline/promises')
      const rl = createInterface({input: process.stdin, output: process.stderr})
      const what = `${names.join(', ')} on ${hosts.map((h) => h.name).join(', ')}${flags['keep-disks'] ? ' (keeping disks)' : ' and the disks hvguest created for them'}`
      const answer = await rl.question(`Remove ${what}? [y/N] `)
      rl.close()
      if (!/^y(es)?$/i.test(answer.trim())) {
        this.say('Nothing removed.')
        return {status: 'cancelled'}
      }
    }
    interface Destroyed {
      guests?: Array<{name: string; deleted: string[]; kept: string[]}>
      refused?: Array<{name: string; reason: string; message: string}>
    }
    const answers = await s.askHosts<Destroyed>(hosts, {action: 'destroy', names, keepDisks: flags['keep-disks']}, (h) =>
      s.openSession(h, {inventoryFile: h.inventoryFile ?? undefined}),
    )
    const key = (n: string) => n.toLowerCase()
    // Each host destroys all the names it was given or none (the runtime checks them first).
    const destroyed = new Set(answers.flatMap((a) => (a.data?.guests ?? []).map((g) => key(g.name))))
    const refusals = answers.flatMap((a) => (a.data?.refused ?? []).map((r) => ({...r, host: a.host})))
    // Not found anywhere: on every host that was asked, that name was refused as not found.
    const missing = names.filter(
      (n) => !destroyed.has(key(n)) && answers.every((a) => (a.data?.refused ?? []).some((r) => key(r.name) === key(n) && r.reason === 'not-found')),
    )
    const failedHosts = answers.filter((a) => !a.ok && (a.data?.refused ?? []).length === 0)
    if (failedHosts.length > 0) process.exitCode = EXIT.hostFailure
    else if (names.some((n) => !destroyed.has(key(n)))) process.exitCode = EXIT.invalidInput
    if (!this.jsonEnabled()) {
      for (const a of answers) {
        if (!a.ok) this.log(`${a.host}: ${a.error?.message}`)
        for (const g of a.data?.guests ?? []) {
          const files = g.deleted.length ? ` and ${g.deleted.length} file${g.deleted.length === 1 ? '' : 's'} it created` : ''
          this.log(`${a.host}: removed ${g.name}${files}${g.kept.length ? ` (kept ${g.kept.length})` : ''}`)
        }
      }
      for (const r of refusals) if (r.reason !== 'not-found' || hosts.length === 1) this.log(`  ${r.host}: ${r.name}: ${r.message}`)
      if (missing.length && hosts.length > 1) this.log(`not found on any host: ${missing.join(', ')}`)
    }
    return {hosts: answers, missing}
  }
}
