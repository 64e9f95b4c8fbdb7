import {describe, expect, it} from 'vitest'
import type {LoadedTemplate} from '../../../src/load/loaded-template.js'
import {resolveParameters} from '../../../src/load/parameters.js'
import {renderGuestSpec, type RenderContext} from '../../../src/render/render.js'
import {jsonSchemaFor} from '../../../src/load/json-schema.js'
import {guestTemplate, RENDER_HOST, templateLoader} from './_temp.js'

const load = templateLoader()
const HOST = RENDER_HOST

function render(template: LoadedTemplate, sets: string[] = []) {
  const p = resolveParameters(template, {sets})
  expect(p.diagnostics).toEqual([])
  const context: RenderContext = {...p.values, name: 'web01', index: 1, host: HOST, profile: {name: 'generic-1g'}}
  return renderGuestSpec(template, context, p.unset, 'web01')
}

const BASE = ['  os: { family: linux, distro: ubuntu, version: "22.04" }', '  bootDisk: { size: 40GB }']

const adapter = (lines: string[]) =>
  guestTemplate([...BASE, '  networkAdapters:', '    - switch: Lab', '      macAddress: 00155D0A0B0C', ...lines.map((l) => `      ${l}`)].join('\n'), [
    '  ip: { type: string, default: 10.200.1.10 }',
    '  gw: { type: string, default: 10.200.1.1 }',
    '  dns2: { type: string, required: false }',
  ].join('\n'))

describe('static IPv4 settings on an adapter', () => {
  it('renders each item of addresses and dns, and the gateway, like other scalars; an unset optional item is left out', () => {
    const t = load(adapter(['addresses: ["{{ip}}/24"]', 'gateway: "{{gw}}"', 'dns: ["{{gw}}", "{{dns2}}"]']))
    const r = render(t, ['ip=10.200.1.20'])
    expect(r.diagnostics).toEqual([])
    expect(r.spec?.networkAdapters?.[0]).toMatchObject({addresses: ['10.200.1.20/24'], gateway: '10.200.1.1', dns: ['10.200.1.1']})
    const withDns2 = render(t, ['dns2=1.1.1.1'])
    expect(withDns2.spec?.networkAdapters?.[0].dns).toEqual(['10.200.1.1', '1.1.1.1'])
  })

  it('an address without its prefix length, a bad gateway and a bad DNS server are schema errors at their lines, with clear messages', () => {
    const t = load(adapter(['addresses: ["{{ip}}"]', 'gateway: 10.200.1.300', 'dns: [dns.example]']))
    const r = render(t)
    expect(r.spec).toBeUndefined()
    expect(r.diagnostics.map((d) => [d.code, d.source?.line, d.message])).toEqual([
      ['schema', 15, 'spec.networkAdapters[0].addresses[0]: an address is IPv4 with its prefix length, e.g. 10.200.1.10/24, got "10.200.1.10"'],
      ['schema', 16, 'spec.networkAdapters[0].gateway: a gateway is an IPv4 address, e.g. 10.200.1.1, got "10.200.1.300"'],
      ['schema', 17, 'spec.networkAdapters[0].dns[0]: a DNS server is an IPv4 address, e.g. 10.200.1.10, got "dns.example"'],
    ])
  })

  it('an empty addresses list is an error (DHCP is no addresses key) (near miss: one address is fine)', () => {
    const bad = render(load(adapter(['addresses: []'])))
    expect(bad.diagnostics.map((d) => d.message)).toEqual(['spec.networkAdapters[0].addresses: must list at least one item, got a list'])
    expect(render(load(adapter(['addresses: [10.200.1.10/24]']))).diagnostics).toEqual([])
  })

  it('hvguest schema exports the fields with their IPv4 formats, and a Handlebars expression passes as a string', () => {
    const schema = JSON.stringify(jsonSchemaFor('GuestTemplate'))
    const adapterProps = (JSON.parse(schema) as {properties: {spec: {properties: {networkAdapters: {items: {properties: Record<string, {items?: {format?: string}; format?: string}>}}}}}})
      .properties.spec.properties.networkAdapters.items.properties
    expect(adapterProps.addresses.items?.format).toBe('cidrv4')
    expect(adapterProps.gateway.format).toBe('ipv4')
    expect(adapterProps.dns.items?.format).toBe('ipv4')
  })
})
