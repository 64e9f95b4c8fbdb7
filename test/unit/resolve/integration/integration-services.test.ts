import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {INTEGRATION_SERVICES, resolveServices} from '../../../../src/resolve/integration/integration-services.js'
import {INTEGRATION_SERVICE_KEYS} from '../../../../src/model/schemas.js'

/** The repo's copy of the cmdlet reference; a missing file fails the test (no silent skip on CI). */
const REFERENCE = fileURLToPath(new URL('../../../../ps/emulator/reference/hyperv-cmdlets.json', import.meta.url))

describe('integration services', () => {
  it('has one entry per INTEGRATION_SERVICE_KEYS key', () => {
    expect(Object.keys(INTEGRATION_SERVICES).sort()).toEqual([...INTEGRATION_SERVICE_KEYS].sort())
  })

  it('matches ps/emulator/reference/hyperv-cmdlets.json (names, GUIDs, defaults)', () => {
    const ref = JSON.parse(readFileSync(REFERENCE, 'utf8')) as {
      integrationServices: {services: Array<{name: string; idGuid: string; enabledByDefault: boolean}>}
    }
    const ours = Object.values(INTEGRATION_SERVICES).map((s) => ({name: s.name, idGuid: s.id, enabledByDefault: s.enabledByDefault}))
    const theirs = ref.integrationServices.services.map((s) => ({name: s.name, idGuid: s.idGuid, enabledByDefault: s.enabledByDefault}))
    expect(ours).toEqual(theirs)
  })

  it('defaults every service on except Guest Service Interface', () => {
    const s = resolveServices()
    expect(s.map((x) => x.key)).toEqual([...INTEGRATION_SERVICE_KEYS])
    expect(s.filter((x) => !x.enabled).map((x) => x.key)).toEqual(['guestServiceInterface'])
    for (const x of s) expect(x.id).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/)
  })

  it('lets the template override defaults', () => {
    const s = resolveServices({guestServiceInterface: true, timeSynchronization: false})
    expect(s.find((x) => x.key === 'guestServiceInterface')?.enabled).toBe(true)
    expect(s.find((x) => x.key === 'timeSynchronization')).toEqual({
      key: 'timeSynchronization',
      name: 'Time Synchronization',
      id: '2497F4DE-E9FA-4204-80E4-4B75C46419C0',
      enabled: false,
    })
  })
})

