/**
 * `hvguest list` for people: per host, each guest with its state and generation, then its
 * drives by slot, its adapters and its integration services.
 */
import type {HostAnswer} from '../provision/host-actions.js'
import type {SeedMediaState} from '../powershell/answers.js'
import {renderTable} from './table.js'

/** A guest as the runtime's `list` answers (ps/HvGuest): the plan's shapes, read back from the host. */
export interface ListedGuest {
  name: string
  vmId?: string
  state?: string
  generation?: number
  drives?: Array<{kind?: string; controller: {type: string; number: number; location: number}; path?: string | null; diskNumber?: number | null}>
  networkAdapters?: Array<{name: string; switch?: string | null; macAddress?: string | null; vlan?: number | null; legacy?: boolean}>
  integrationServices?: Array<{name: string; id?: string; enabled: boolean}>
  /** Created by hvguest (it has a record of the run on the host). */
  managed?: boolean
  /** The first-boot media hvguest wrote and whether a DVD drive holds it. */
  seedMedia?: SeedMediaState | null
}

/** Each listed guest with its warnings (firstboot-secret-attached), as `list --json` shows them. */
export function withSeedMediaWarnings<A extends HostAnswer<{guests: unknown[]}>>(answers: A[]): A[] {
  return answers.map((a) => (!a.ok || !a.data ? a : {...a, data: {...a.data, guests: (a.data.guests as ListedGuest[]).map((g) => ({...g, warnings: seedMediaWarnings(g.name, g.seedMedia)}))}}))
}

/**
 * firstboot-secret-attached: the seed media carries a secret (an answer file can only obfuscate
 * a password; cloud-init and kickstart media carry its hash) and a DVD drive still holds it.
 * Said also when the template keeps it on purpose (firstBoot.keepMedia: true), in other words.
 * Light on purpose (no imports): `list` and `ic status` both show it, `list` from its command.
 */
export function seedMediaWarnings(name: string, m: SeedMediaState | null | undefined): Array<{code: 'firstboot-secret-attached'; message: string}> {
  if (!m || !m.secret || !m.attached) return []
  const at = /^(\w+) (\d+):(\d+)$/.exec(m.slot ?? '')
  const eject = at ? `Set-VMDvdDrive -VMName ${name} -ControllerNumber ${at[2]} -ControllerLocation ${at[3]} -Path $null` : `Set-VMDvdDrive -Path $null on that drive`
  const where = `${name}'s seed media ${m.path} carries a secret (a password, or its hash) and is still in its DVD drive${m.slot ? ` at ${m.slot}` : ''}${m.onDisk ? " and on the host's disk" : ''}`
  const byHand = `eject it (${eject}) and delete ${m.path}`
  return [
    {
      code: 'firstboot-secret-attached',
      message: m.keepMedia
        ? `${where}, kept on purpose (firstBoot.keepMedia: true in its template): when the guest no longer needs it, ${byHand}`
        : `${where}: "hvguest create --wait" ejects and deletes it once the guest is ready; it was not (no --wait, or the guest was not ready in time), so ${byHand} (firstBoot.keepMedia: true in the template keeps it deliberately)`,
    },
  ]
}


export function renderGuestList(answers: Array<HostAnswer<{guests: unknown[]}>>): string {
  const out: string[] = []
  for (const a of answers) {
    if (!a.ok) {
      out.push(`${a.host}: failed: ${a.error?.message}`)
      continue
    }
    const guests = (a.data?.guests ?? []) as ListedGuest[]
    out.push(`${a.host}: ${guests.length} guest${guests.length === 1 ? '' : 's'}`)
    for (const g of guests) {
      out.push(`  ${g.name}  ${g.state ?? '?'}  Gen${g.generation ?? '?'}${g.managed ? '  (created by hvguest)' : ''}`)
      if (g.drives?.length) {
        out.push(
          renderTable(
            ['slot', 'kind', 'path'],
            g.drives.map((d) => [`${d.controller.type} ${d.controller.number}:${d.controller.location}`, d.kind ?? '', d.path ?? (d.diskNumber !== null && d.diskNumber !== undefined ? `disk ${d.diskNumber}` : '(empty)')]),
            '    ',
          ),
        )
      }
      for (const n of g.networkAdapters ?? []) {
        out.push(`    adapter ${n.name}${n.legacy ? ' (legacy)' : ''} on ${n.switch ?? '(not connected)'}${n.vlan ? ` VLAN ${n.vlan}` : ''}${n.macAddress ? ` MAC ${n.macAddress}` : ''}`)
      }
      if (g.integrationServices?.length) out.push(`    services: ${g.integrationServices.map((s) => `${s.name} ${s.enabled ? 'on' : 'off'}`).join(', ')}`)
      for (const w of seedMediaWarnings(g.name, g.seedMedia)) out.push(`    ! ${w.message} [${w.code}]`)
    }
  }
  return out.join('\n')
}
