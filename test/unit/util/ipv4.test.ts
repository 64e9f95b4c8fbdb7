import {describe, expect, it} from 'vitest'
import {broadcastOf, formatIpv4, inSubnet, networkOf, parseIpv4, parseIpv4Cidr, prefixToNetmask} from '../../../src/util/ipv4.js'

describe('IPv4 arithmetic', () => {
  it('parses dotted quads (no leading zeros, each octet 0-255) and formats them back', () => {
    expect(parseIpv4('10.200.1.10')).toBe(10 * 2 ** 24 + 200 * 2 ** 16 + 1 * 2 ** 8 + 10)
    expect(parseIpv4('255.255.255.255')).toBe(2 ** 32 - 1)
    for (const bad of ['10.200.1', '10.200.1.256', '010.1.1.1', '1.2.3.4 ', '1.2.3.4/24', '']) expect(parseIpv4(bad), bad).toBeNull()
    for (const text of ['0.0.0.0', '10.200.1.10', '192.168.50.5', '255.255.255.255']) expect(formatIpv4(parseIpv4(text)!)).toBe(text)
  })

  it('parses CIDR with a prefix of 0-32 only', () => {
    expect(parseIpv4Cidr('10.200.1.10/24')).toEqual({address: '10.200.1.10', prefixLength: 24})
    expect(parseIpv4Cidr('0.0.0.0/0')).toEqual({address: '0.0.0.0', prefixLength: 0})
    for (const bad of ['10.200.1.10', '10.200.1.10/33', '10.200.1.10/024', '10.200.1.10/', '10.200.1/24']) expect(parseIpv4Cidr(bad), bad).toBeNull()
  })

  it('prefix length to netmask, as kickstart writes it', () => {
    expect([0, 1, 8, 24, 28, 31, 32].map(prefixToNetmask)).toEqual(['0.0.0.0', '128.0.0.0', '255.0.0.0', '255.255.255.0', '255.255.255.240', '255.255.255.254', '255.255.255.255'])
  })

  it('network, broadcast and membership of a subnet', () => {
    const cidr = parseIpv4Cidr('192.168.50.5/28')!
    expect(formatIpv4(networkOf(cidr))).toBe('192.168.50.0')
    expect(formatIpv4(broadcastOf(cidr))).toBe('192.168.50.15')
    expect(['192.168.50.0', '192.168.50.1', '192.168.50.15'].map((a) => inSubnet(a, cidr))).toEqual([true, true, true])
    expect(['192.168.50.16', '192.168.49.255', 'nonsense'].map((a) => inSubnet(a, cidr))).toEqual([false, false, false])
    const all = parseIpv4Cidr('10.1.2.3/0')!
    expect([formatIpv4(networkOf(all)), formatIpv4(broadcastOf(all))]).toEqual(['0.0.0.0', '255.255.255.255'])
    const host = parseIpv4Cidr('10.1.2.3/32')!
    expect([formatIpv4(networkOf(host)), formatIpv4(broadcastOf(host)), inSubnet('10.1.2.4', host)]).toEqual(['10.1.2.3', '10.1.2.3', false])
  })
})
