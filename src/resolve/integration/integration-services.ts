/**
 * The six Hyper-V integration services (docs/hyperv-facts.md, 'The six services' [IS]).
 *
 * Names are localized on non-English hosts ("Takt" for Heartbeat on German hosts [LOC]), so the
 * runtime addresses each service by the GUID suffix of its Id (`Microsoft:<VMId>\<GUID>`), never
 * by name (docs/hyperv-facts.md, 'Localized names and GUIDs'). GUIDs and defaults are copied from
 * ps/emulator/reference/hyperv-cmdlets.json `integrationServices` (which takes them from
 * packer-plugin-hyperv [PKR]; Microsoft's reference does not list them).
 */
import type {PlannedIntegrationService} from '../../model/plan.js'
import {INTEGRATION_SERVICE_KEYS, type IntegrationServiceKey} from '../../model/schemas.js'

export interface IntegrationServiceInfo {
  key: IntegrationServiceKey
  /** English display name (Get-VMIntegrationService on an en-US host). */
  name: string
  /** Locale-neutral GUID, upper case. */
  id: string
  /** Hyper-V's default for a new VM: every service but Guest Service Interface is on [IS]. */
  enabledByDefault: boolean
  windowsService: string
  linux: string
}

export const INTEGRATION_SERVICES: Readonly<Record<IntegrationServiceKey, IntegrationServiceInfo>> = {
  guestServiceInterface: {
    key: 'guestServiceInterface',
    name: 'Guest Service Interface',
    id: '6C09BB55-D683-4DA0-8931-C9BF705F6480',
    enabledByDefault: false,
    windowsService: 'vmicguestinterface',
    linux: 'hv_fcopy_daemon',
  },
  heartbeat: {
    key: 'heartbeat',
    name: 'Heartbeat',
    id: '84EAAE65-2F2E-45F5-9BB5-0E857DC8EB47',
    enabledByDefault: true,
    windowsService: 'vmicheartbeat',
    linux: 'hv_utils (kernel)',
  },
  keyValuePairExchange: {
    key: 'keyValuePairExchange',
    name: 'Key-Value Pair Exchange',
    id: '2A34B1C2-FD73-4043-8A5B-DD2159BC743F',
    enabledByDefault: true,
    windowsService: 'vmickvpexchange',
    linux: 'hv_kvp_daemon',
  },
  shutdown: {
    key: 'shutdown',
    name: 'Shutdown',
    id: '9F8233AC-BE49-4C79-8EE3-E7E1985B2077',
    enabledByDefault: true,
    windowsService: 'vmicshutdown',
    linux: 'hv_utils (kernel)',
  },
  timeSynchronization: {
    key: 'timeSynchronization',
    name: 'Time Synchronization',
    id: '2497F4DE-E9FA-4204-80E4-4B75C46419C0',
    enabledByDefault: true,
    windowsService: 'vmictimesync',
    linux: 'hv_utils (kernel)',
  },
  vss: {
    key: 'vss',
    name: 'VSS',
    id: '5CED1297-4598-4915-A5FC-AD21BB4D02A4',
    enabledByDefault: true,
    windowsService: 'vmicvss',
    linux: 'hv_vss_daemon',
  },
}

/** Every service in INTEGRATION_SERVICE_KEYS order: the template's choice over the default. */
export function resolveServices(overrides: Partial<Record<IntegrationServiceKey, boolean>> = {}): PlannedIntegrationService[] {
  return INTEGRATION_SERVICE_KEYS.map((key) => {
    const s = INTEGRATION_SERVICES[key]
    return {key, name: s.name, id: s.id, enabled: overrides[key] ?? s.enabledByDefault}
  })
}
