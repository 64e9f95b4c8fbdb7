import {describe, expect, it} from 'vitest'
import {guestChimney} from '../../../../src/resolve/network/guest-chimney.js'
import {HOST_OS, type HostOs} from '../../../../src/model/host-os.js'
import type {ChimneySetting, GuestOs, HardwareProfile} from '../../../../src/model/schemas.js'

const profile = (spec: HardwareProfile['spec'] = {}): HardwareProfile => ({apiVersion: 'hvguest/v1', kind: 'HardwareProfile', metadata: {name: 'p'}, spec})
const chimney = (value: ChimneySetting, capable?: boolean) =>
  profile({network: {chimney: value}, ...(capable === undefined ? {} : {capabilities: {chimney: capable}})})
const win2008r2: GuestOs = {family: 'windows', version: '2008r2'}
const ubuntu: GuestOs = {family: 'linux', distro: 'ubuntu', version: '22.04'}
const R2: HostOs = 'windows-server-2008r2'

describe('guestChimney (a guest setting for Windows guests on 2008 R2 hosts)', () => {
  it.each(['enabled', 'automatic', 'disabled'] as const)('gives a Windows guest on a 2008 R2 host the profile value %s when the NIC supports chimney', (value) => {
    expect(guestChimney({os: win2008r2, hostOs: R2, profile: chimney(value, true)})).toBe(value)
  })

  it('gives disabled even when the NIC has no chimney (or does not say)', () => {
    expect(guestChimney({os: win2008r2, hostOs: R2, profile: chimney('disabled', false)})).toBe('disabled')
    expect(guestChimney({os: win2008r2, hostOs: R2, profile: chimney('disabled')})).toBe('disabled')
  })

  it.each(['enabled', 'automatic'] as const)('gives null for %s when the NIC does not support chimney, or does not say', (value) => {
    expect(guestChimney({os: win2008r2, hostOs: R2, profile: chimney(value, false)})).toBeNull()
    expect(guestChimney({os: win2008r2, hostOs: R2, profile: chimney(value)})).toBeNull()
  })

  it.each(HOST_OS.filter((h) => h !== R2))('gives null on a %s host, whatever the profile says', (hostOs) => {
    expect(guestChimney({os: win2008r2, hostOs, profile: chimney('enabled', true)})).toBeNull()
    expect(guestChimney({os: win2008r2, hostOs, profile: chimney('disabled', true)})).toBeNull()
  })

  it('gives null for a Linux guest, even on a 2008 R2 host', () => {
    expect(guestChimney({os: ubuntu, hostOs: R2, profile: chimney('enabled', true)})).toBeNull()
    expect(guestChimney({os: ubuntu, hostOs: R2, profile: chimney('disabled', true)})).toBeNull()
  })

  it('gives null when the profile does not mention chimney', () => {
    expect(guestChimney({os: win2008r2, hostOs: R2, profile: profile({capabilities: {chimney: true}})})).toBeNull()
    expect(guestChimney({os: win2008r2, hostOs: R2, profile: profile()})).toBeNull()
  })
})
