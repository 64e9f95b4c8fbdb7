/**
 * Values are data, never code: VM names, switch names, adapter names, paths and notes holding
 * ' " ` $(...) ; newlines, the Unicode quotes ‘ ’ “ ” (which PowerShell treats as quotes) and
 * non-ASCII text arrive in the emulated host's state exactly as the plan wrote them, and come
 * back exactly through list. A German host (localized integration service names) gets its
 * integration services set by GUID all the same.
 */
import {existsSync, readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {newHost, openShared, runShared} from '../fixtures/runtime/harness.js'
import {richGen1Plan, singleGuestPlan, UBUNTU_PARENT} from '../fixtures/runtime/plans.js'

// Every character class the brief names, in one value each. A VM name is also its folder's name
// (New-VM -Path makes <path>\<name>), so " and newlines, which no Windows file name can hold, are
// tested apart: New-VM refuses them with its own message, and nothing is left behind.
const NAME = `web 'q' \`b\` $(Get-Date); rm -r ‘s’ “d” Ünïcødé 雪`
const SWITCH = `Lab 'q' "d" \`b\` $(whoami); x ‘s’ “d” Ü\nzweite Zeile`
const NOTES = `notes: 'q' "d" \`b\` $(Remove-Item -Recurse C:\\); echo hi\nline two ‘s’ “d” ✓ Ünïcødé`
// A Windows path cannot hold " or a newline; everything else does.
const FOLDER = `C:\\Hyper-V\\it's $(x) ;‘q’ “d” \`b\` é [1]`
const IMAGES = `C:\\Hyper-V\\Imágenes 'x' $(y) ‘z’`
const ISO_PATH = `C:\\Hyper-V\\ISO $(iso) ‘q’\\tools “1”.iso`

describe('hostile values arrive exactly', () => {
  it('in VM names, switch and adapter names, paths and notes, through create, list, destroy', async () => {
    const parent = `${IMAGES}\\parent.vhdx`
    const host = newHost({switches: [SWITCH], parents: [{path: parent}], files: [{path: ISO_PATH, text: 'iso'}]})
    const plan = richGen1Plan({name: NAME, folder: FOLDER, switchName: SWITCH, notes: NOTES, start: false})
    const g = plan.guests[0]
    g.drives[0].create.parentPath = parent
    g.drives[1].path = ISO_PATH
    g.networkAdapters[0].name = `Front ‘1’ $(x) "n"`
    const session = await openShared(host)
    try {
      const run = await session.send([
        {action: 'preflight', plan, replace: false},
        {action: 'begin', runId: 'run-hostile', host: plan.hosts[0], vmRoot: 'C:\\Hyper-V', lockTimeoutSeconds: 5},
        {action: 'create-guest', runId: 'run-hostile', guest: g, replace: false},
        {action: 'commit', runId: 'run-hostile'},
        {action: 'list', vmRoot: 'C:\\Hyper-V', names: [NAME]},
      ])
      expect(session.bootstrap.ok).toBe(true)
      expect(run.stray).toEqual([])
      for (const a of run.answers) expect(a.ok, `${a.action}: ${JSON.stringify(a.error)}`).toBe(true)
      expect(run.answers[0].data.problems).toEqual([])

      const state = host.state()
      expect(state.vms).toHaveLength(1)
      const vm = state.vms[0]
      expect(vm.name).toBe(NAME)
      expect(vm.notes).toBe(NOTES)
      // The guest folder is not named after the VM: New-VM -Path FOLDER keeps the VM in FOLDER\<name>.
      expect(vm.path).toBe(`${FOLDER}\\${NAME}`)
      expect(vm.networkAdapters.map((a: any) => [a.name, a.switchName])).toEqual([
        [`Front ‘1’ $(x) "n"`, SWITCH],
        ['PXE', SWITCH],
      ])
      const paths = vm.hardDrives.filter((d: any) => d.path && d.diskNumber === null).map((d: any) => d.path).sort()
      expect(paths).toEqual(g.drives.filter((d: any) => d.kind === 'hdd' && d.create).map((d: any) => d.path).sort())
      expect(vm.dvdDrives.map((d: any) => d.path ?? null).sort()).toEqual([ISO_PATH, null].sort())
      for (const d of g.drives.filter((x: any) => x.create)) expect(existsSync(host.local(d.path)), d.path).toBe(true)
      // The host vEthernet of the hostile switch got its jumbo frames.
      const veth = state.netAdapters.find((n: any) => n.name === `vEthernet (${SWITCH})`)
      expect(veth.advancedProperties.find((p: any) => p.registryKeyword === '*JumboPacket').registryValue).toBe('9014')

      // The manifest holds the exact paths; list gives the exact values back.
      const manifest = JSON.parse(readFileSync(host.local(run.answers[3].data.guests[0].manifest), 'utf8'))
      expect(manifest.name).toBe(NAME)
      expect(manifest.files).toContain(`${FOLDER}\\boot.vhdx`)
      const listed = run.answers[4].data.guests
      expect(listed.map((x: any) => [x.name, x.notes, x.path])).toEqual([[NAME, NOTES, `${FOLDER}\\${NAME}`]])
      expect(listed[0].networkAdapters[0].switch).toBe(SWITCH)

      // destroy by the hostile name: only the manifest's files go.
      const destroyed = await session.send([{action: 'destroy', names: [NAME], keepDisks: false, vmRoot: 'C:\\Hyper-V'}])
      expect(destroyed.answers[0].ok, JSON.stringify(destroyed.answers[0].error)).toBe(true)
      expect(destroyed.stray).toEqual([])
    } finally {
      await session.close()
    }
    expect(host.state().vms).toEqual([])
    expect(existsSync(host.local(parent))).toBe(true)
    expect(existsSync(host.local(ISO_PATH))).toBe(true)
    for (const d of g.drives.filter((x: any) => x.create)) expect(existsSync(host.local(d.path)), d.path).toBe(false)
  }, 180_000)

  it('a VM name no folder can have (" and a newline) fails at New-VM with its own message, and rolls back clean', async () => {
    const host = newHost({parents: [{path: UBUNTU_PARENT}], files: [{path: 'C:\\Hyper-V\\ISO\\tools.iso'}]})
    const before = host.state()
    const plan = richGen1Plan({name: `bad "name"\n$(x)`, folder: 'C:\\Hyper-V\\bad', start: false})
    const run = await runShared(host, [
      {action: 'begin', runId: 'run-bad', host: plan.hosts[0], vmRoot: 'C:\\Hyper-V', lockTimeoutSeconds: 5},
      {action: 'create-guest', runId: 'run-bad', guest: plan.guests[0], replace: false},
      {action: 'rollback', runId: 'run-bad'},
    ])
    expect(run.stray).toEqual([])
    const [, created, rollback] = run.answers
    expect(created.ok).toBe(false)
    expect(created.guest).toBe(`bad "name"\n$(x)`)
    expect(created.error).toMatchObject({step: 'new-vm', cmdlet: 'New-VM'})
    expect(created.error!.message).toContain('bad "name"\n$(x)')
    expect(rollback.ok, JSON.stringify(rollback.error)).toBe(true)
    expect(host.state()).toEqual(before)
    expect(existsSync(host.local('C:\\Hyper-V\\bad'))).toBe(false)
  }, 180_000)

  it('a German host: integration services set by GUID although their names are localized', async () => {
    const host = newHost({locale: 'de-DE', parents: [{path: UBUNTU_PARENT}]})
    const plan = singleGuestPlan('ubuntu-2204')
    const g = plan.guests[0]
    for (const s of g.integration.services) s.enabled = s.key !== 'vss' && s.key !== 'heartbeat'
    const run = await runShared(host, [
      {action: 'facts'},
      {action: 'begin', runId: 'run-de', host: plan.hosts[0], vmRoot: 'C:\\Hyper-V', lockTimeoutSeconds: 5},
      {action: 'create-guest', runId: 'run-de', guest: g, replace: false},
      {action: 'commit', runId: 'run-de'},
      {action: 'list', vmRoot: 'C:\\Hyper-V'},
    ])
    for (const a of run.answers) expect(a.ok, `${a.action}: ${JSON.stringify(a.error)}`).toBe(true)
    expect(run.answers[0].data.locale).toBe('de-DE')
    const vm = host.state().vms[0]
    const ics = Object.fromEntries(vm.integrationServices.map((s: any) => [s.guid.toUpperCase(), s.enabled]))
    for (const s of g.integration.services) expect(ics[s.id.toUpperCase()], s.name).toBe(s.enabled)
    // list shows the host's own (German) names, keyed by GUID: Hyper-V's names on a de-DE host.
    const listed = run.answers[4].data.guests[0].integrationServices
    const names = listed.map((s: any) => s.name)
    expect(names).not.toContain('Heartbeat')
    expect(Object.fromEntries(listed.map((s: any) => [s.id.toUpperCase(), s.name]))).toEqual({
      '6C09BB55-D683-4DA0-8931-C9BF705F6480': 'Gastdienstschnittstelle',
      '84EAAE65-2F2E-45F5-9BB5-0E857DC8EB47': 'Takt',
      '2A34B1C2-FD73-4043-8A5B-DD2159BC743F': 'Austausch von Schlüssel-Wert-Paaren',
      '9F8233AC-BE49-4C79-8EE3-E7E1985B2077': 'Herunterfahren des Betriebssystems',
      '2497F4DE-E9FA-4204-80E4-4B75C46419C0': 'Zeitsynchronisierung',
      '5CED1297-4598-4915-A5FC-AD21BB4D02A4': 'Sicherung (Volumeschattenkopie)',
    })
  }, 180_000)
})
