/**
 * What a guest's report means (ic status, create --wait): analyzeGuest on the runtime's
 * guest-status answers, and waitForGuests polling a scripted session until the guests are ready
 * or the time is up. The real round trip through pwsh and the emulated host is in
 * test/e2e/firstboot.test.ts.
 */
import {describe, expect, it} from 'vitest'
import {INTEGRATION_SERVICES} from '../../../src/resolve/integration/integration-services.js'
import {analyzeGuest, waitForGuests, type GuestStatusData, type ManifestGuest} from '../../../src/execute/guest-status.js'
import type {HostSession} from '../../../src/powershell/session.js'

const ids = Object.fromEntries(Object.values(INTEGRATION_SERVICES).map((s) => [s.key, s.id]))

function status(over: Partial<GuestStatusData> & {ok?: string[]; off?: string[]} = {}): GuestStatusData {
  const ok = over.ok ?? ['heartbeat', 'keyValuePairExchange', 'vss', 'shutdown', 'timeSynchronization', 'guestServiceInterface']
  const off = over.off ?? []
  return {
    name: 'web1',
    vmId: '3805a195-c166-4b37-a733-505c0c737837',
    state: 'Running',
    uptimeSeconds: 30,
    heartbeat: ok.includes('heartbeat') ? 'OkApplicationsUnknown' : 'NoContact',
    integrationServicesVersion: null,
    integrationServicesState: '',
    services: Object.values(INTEGRATION_SERVICES).map((s) => ({
      id: s.id.toLowerCase(),
      name: s.name,
      enabled: !off.includes(s.key),
      status: off.includes(s.key) ? '' : ok.includes(s.key) ? 'OK' : 'No Contact',
      secondaryStatus: '',
    })),
    networkAdapters: [{name: 'Network Adapter', switch: 'Lab', macAddress: '00155D010203', addresses: ['10.0.2.3', 'fe80::215:5dff:fe01:203']}],
    kvp: {FullyQualifiedDomainName: 'web1'},
    managed: true,
    planned: null,
    ...over,
  }
}

const ubuntu: ManifestGuest = {
  template: 'ubuntu-2204',
  templateFile: null,
  hostname: 'web1',
  os: {family: 'linux', distro: 'ubuntu', version: '22.04', edition: null},
  integration: {strategy: 'linux-builtin', install: 'auto', catalogEntry: 'linux-ubuntu', media: null, packages: ['linux-cloud-tools-virtual'], daemonUnits: ['hv-kvp-daemon.service'], offlinePackages: []},
  firstBoot: {kind: 'cloudInit', template: 'firstboot/cloud-init', media: 'C:\\Hyper-V\\web1\\web1-firstboot.iso', label: 'cidata', bootHint: null, secret: false, keepMedia: false},
}

describe('analyzeGuest', () => {
  it('a guest with heartbeat and an IPv4 is ready, with no problem', () => {
    const r = analyzeGuest('hv1', status())
    expect(r).toMatchObject({ready: true, heartbeatOk: true, ipv4: ['10.0.2.3'], ipv6: ['fe80::215:5dff:fe01:203'], problems: []})
    expect(r.services.find((s) => s.key === 'heartbeat')).toMatchObject({id: ids.heartbeat.toLowerCase(), ok: true})
  })

  it('matches services by GUID whatever their (localized) name', () => {
    const s = status()
    s.services = s.services.map((x) => ({...x, name: x.id === ids.heartbeat.toLowerCase() ? 'Takt' : x.name}))
    expect(analyzeGuest('hv1', s).services.find((x) => x.name === 'Takt')!.key).toBe('heartbeat')
  })

  it('a Linux guest without hv_kvp_daemon: names the daemon and the planned packages', () => {
    const r = analyzeGuest('hv1', status({ok: ['heartbeat', 'shutdown', 'timeSynchronization'], planned: ubuntu, networkAdapters: [{name: 'n', switch: 'Lab', macAddress: '', addresses: []}], kvp: {}}))
    expect(r.ready).toBe(false)
    const codes = r.problems.map((p) => p.code)
    expect(codes).toEqual(['kvp-daemon-missing', 'vss-daemon-missing', 'fcopy-daemon-missing'])
    const kvp = r.problems[0].message
    expect(kvp).toContain('hv_kvp_daemon')
    expect(kvp).toContain('install linux-cloud-tools-virtual and enable hv-kvp-daemon.service')
  })

  it('install: none says that the plan installed nothing', () => {
    const planned = {...ubuntu, integration: {...ubuntu.integration, install: 'none' as const, packages: [], daemonUnits: []}}
    const r = analyzeGuest('hv1', status({ok: ['heartbeat'], planned, networkAdapters: [], kvp: {}}))
    const message = r.problems.find((p) => p.code === 'kvp-daemon-missing')!.message
    expect(message).toContain('integration.install: none')
    // the OS catalog's packages for the distro, even though the plan installed none
    expect(message).toContain('install linux-cloud-tools-virtual and enable hv-kvp-daemon.service')
  })

  it('a Windows guest whose service does not answer is ic-service-no-contact, not a Linux daemon', () => {
    const planned = {...ubuntu, os: {family: 'windows' as const, distro: null, version: '2012r2', edition: 'server' as const}}
    const r = analyzeGuest('hv1', status({ok: ['heartbeat', 'keyValuePairExchange', 'shutdown', 'timeSynchronization', 'guestServiceInterface'], planned}))
    expect(r.problems.map((p) => p.code)).toEqual(['ic-service-no-contact'])
    expect(r.ready).toBe(true)
  })

  it('no heartbeat: the likely causes, and a kickstart guest gets its boot hint', () => {
    const planned = {...ubuntu, firstBoot: {...ubuntu.firstBoot!, kind: 'kickstart', bootHint: 'ks=cdrom:/ks.cfg'}}
    const r = analyzeGuest('hv1', status({ok: [], planned, networkAdapters: [], kvp: null}))
    expect(r.problems.map((p) => p.code)).toEqual(['heartbeat-no-contact'])
    expect(r.problems[0].message).toContain('ks=cdrom:/ks.cfg')
    expect(r.ready).toBe(false)
  })

  it('heartbeat and KVP off, guest stopped, no adapter connected: each has its code', () => {
    expect(analyzeGuest('hv1', status({off: ['heartbeat']})).problems.map((p) => p.code)).toContain('heartbeat-disabled')
    expect(analyzeGuest('hv1', status({off: ['keyValuePairExchange'], networkAdapters: []})).problems.map((p) => p.code)).toEqual(['kvp-disabled'])
    expect(analyzeGuest('hv1', status({state: 'Off'})).problems.map((p) => p.code)).toEqual(['guest-not-running'])
    expect(analyzeGuest('hv1', status({state: 'Off'})).ready).toBe(false)
    const unplugged = analyzeGuest('hv1', status({networkAdapters: [{name: 'n', switch: null, macAddress: '', addresses: []}]}))
    expect(unplugged.problems).toEqual([{code: 'no-ipv4', message: expect.stringContaining('no adapter is connected')}])
  })
})

/** A session whose guest-status answers come from a script, one per call. */
function scripted(host: string, answers: GuestStatusData[][]): HostSession & {calls: number} {
  const s = {
    host,
    transport: 'emulator' as const,
    calls: 0,
    stats: {processesStarted: 1, requests: 0},
    async request(req: {action: string}) {
      expect(req.action).toBe('guest-status')
      const guests = answers[Math.min(s.calls++, answers.length - 1)]
      return {hvguest: 1, type: 'result', ok: true, action: 'guest-status', data: {guests, missing: []}} as never
    },
    async close() {},
  }
  return s
}

describe('waitForGuests', () => {
  it('polls until every guest is ready, reporting each change once', async () => {
    let clock = 0
    const booting = status({ok: [], networkAdapters: [{name: 'n', switch: 'Lab', macAddress: '', addresses: []}]})
    const noIp = status({networkAdapters: [{name: 'n', switch: 'Lab', macAddress: '', addresses: []}]})
    const session = scripted('hv1', [[booting], [booting], [noIp], [status()]])
    const seen: string[] = []
    const r = await waitForGuests([{session, vmRoot: 'C:\\VMs', names: ['web1']}], {
      timeoutMs: 60_000,
      intervalMs: 1000,
      now: () => clock,
      sleep: async (ms) => void (clock += ms),
      onChange: (g) => seen.push(`${g.heartbeat}:${g.ipv4.join(',')}`),
    })
    expect(r.ready).toBe(true)
    expect(session.calls).toBe(4)
    expect(seen).toEqual(['NoContact:', 'OkApplicationsUnknown:', 'OkApplicationsUnknown:10.0.2.3'])
    expect(r.elapsedMs).toBe(3000)
  })

  it('stops at the timeout with the last report and its causes', async () => {
    let clock = 0
    const noKvp = status({ok: ['heartbeat'], planned: ubuntu, networkAdapters: [{name: 'n', switch: 'Lab', macAddress: '', addresses: []}], kvp: {}})
    const session = scripted('hv1', [[noKvp]])
    const r = await waitForGuests([{session, vmRoot: 'C:\\VMs', names: ['web1']}], {timeoutMs: 10_000, intervalMs: 4000, now: () => clock, sleep: async (ms) => void (clock += ms)})
    expect(r.ready).toBe(false)
    expect(r.elapsedMs).toBe(10_000)
    expect(session.calls).toBe(4) // 0, 4, 8, 10 s
    expect(r.guests[0].problems[0].code).toBe('kvp-daemon-missing')
  })
})
