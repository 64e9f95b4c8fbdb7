/**
 * A guest as `list` reports it, and the warnings hvguest gives about it: the runtime's answer
 * read back from the host, before any view renders it.
 */
import type {HostAnswer} from './host-actions.js'
import type {SeedMediaState} from '../powershell/answers.js'
import type {ListedGuest} from '../powershell/protocol-types.generated.js'

/** A guest as the runtime's `list` answers (ps/HvGuest): the plan's shapes, read back from the host. */
export type {ListedGuest}

/** Each listed guest with its warnings (firstboot-secret-attached), as `list --json` shows them. */
export function withSeedMediaWarnings<A extends HostAnswer<{guests: unknown[]}>>(answers: A[]): A[] {
  return answers.map((a) => (!a.ok || !a.data ? a : {...a, data: {...a.data, guests: (a.data.guests as ListedGuest[]).map((g) => ({...g, warnings: seedMediaWarnings(g.name, g.seedMedia)}))}}))
}

/**
 * firstboot-secret-attached: the seed media carries a secret (an answer file can only obfuscate
 * a password; cloud-init and kickstart media carry its hash) and a DVD drive still holds it.
 * Said also when the template keeps it on purpose (firstBoot.keepMedia: true), in other words.
 * */
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
