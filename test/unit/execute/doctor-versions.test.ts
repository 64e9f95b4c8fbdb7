/**
 * doctor compares VM configuration versions as whole values, number by number: "0.0" is not
 * supported by a host that runs only "10.0" (it used to match as a substring of the one version,
 * when PowerShell sent the one-item list as a string), and "9" is "9.0".
 */
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {checkHosts, sameVersion} from '../../../src/execute/doctor.js'
import type {HostFacts} from '../../../src/execute/host-facts.js'
import {answerData} from '../../../src/powershell/answers.js'
import {resolveTargets} from '../../../src/resolve/targets.js'

const LAB_10G = fileURLToPath(new URL('../../../templates/init/profiles/lab-10g.yaml', import.meta.url))
const host = {...resolveTargets({cwd: '/nonexistent-hvguest-project', hostOs: 'windows-server-2022', profile: LAB_10G}).hosts[0], name: 'hv1'}

function facts(configurationVersions: unknown, vmVersions: string[]): unknown {
  return {
    computerName: 'HV1',
    os: {caption: 'Microsoft Windows Server 2022 Datacenter', version: '10.0.20348', buildNumber: '20348', computerName: 'HV1'},
    hyperV: true,
    powershell: '7.6.9',
    locale: 'en-US',
    configurationVersions,
    virtualMachinePath: null,
    virtualHardDiskPath: null,
    switches: [],
    nics: [],
    chimney: null,
    vmguestIso: {path: 'C:\\Windows\\System32\\vmguest.iso', present: false},
    vmRoot: 'C:\\Hyper-V',
    freeBytes: null,
    vmNames: vmVersions.map((_, i) => `vm${i}`),
    vms: vmVersions.map((version, i) => ({name: `vm${i}`, state: 'Off', version, heartbeat: '', clustered: false, silentServices: []})),
    hyperVFeature: 'Enabled',
    user: 'CORP\\ops',
    vmRootExists: true,
    vmRootWritable: true,
    clusterNodes: null,
    ipAddresses: [],
    netNats: [],
    vmAdapters: [],
    labRecords: [],
    errors: [],
  }
}

/** The facts as Node reads them: checked on arrival (src/powershell/answers.ts), then doctor's checks. */
const versionsLine = (f: unknown) => {
  const checked: HostFacts = answerData('facts', {ok: true, action: 'facts', data: f})
  return checkHosts([{host, facts: checked, error: null}]).find((c) => c.check === 'config-versions')
}

describe('configuration versions are whole values', () => {
  it('sameVersion: number by number, never a substring', () => {
    expect(sameVersion('10.0', '10.0')).toBe(true)
    expect(sameVersion('9', '9.0')).toBe(true)
    expect(sameVersion(' 9.0 ', '9.0')).toBe(true)
    expect(sameVersion('0.0', '10.0')).toBe(false)
    expect(sameVersion('1.0', '10.0')).toBe(false)
    expect(sameVersion('10.0', '10.00.1')).toBe(false)
    expect(sameVersion('prerelease', 'Prerelease')).toBe(true)
    expect(sameVersion('prerelease', '0.0')).toBe(false)
  })

  it('a host with one version: a VM at "0.0" is not supported by it; one at "10.0" is', () => {
    expect(versionsLine(facts(['10.0'], ['0.0']))).toMatchObject({status: 'fail', code: 'config-version-unsupported', message: 'vm0 (version 0.0): configuration version this host does not support (it runs 10.0)'})
    expect(versionsLine(facts(['10.0'], ['10.0']))).toMatchObject({status: 'ok', message: 'VM configuration versions 10.0'})
  })

  it('the one version as a string never reaches the check: the answer is refused, naming the field', () => {
    expect(() => versionsLine(facts('10.0', ['0.0']))).toThrow("the host's answer to facts has the wrong shape at configurationVersions: expected array, received string")
  })
})
