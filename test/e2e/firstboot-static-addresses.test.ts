/**
 * Static IPv4 addresses end to end: the BUILT CLI, real pwsh, an emulated Windows Server 2012 R2
 * host. A project's guest templates (the built-in ubuntu-2204 and ws2012r2 with their adapter
 * given a MAC and an address per guest of a batch) go through `plan` (the plan's ipConfig and its
 * view) and `create --count 2 --start --wait`: each guest gets its own MAC on the host and seed
 * media on which its network settings name that MAC, read back from the host's disk by xorriso.
 */
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {HOST_2012R2, makeEmulatorProject, type EmulatorProject} from '../helpers/emulator-project.js'
import {el, xpath} from '../helpers/independent-tools.js'
import {runCli, type CliResult} from '../helpers/run-cli.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** The local file behind a Windows path on the emulated host (C: is <project>/.hvguest/drives/C). */
const local = (p: EmulatorProject, windowsPath: string) => join(p.dir, '.hvguest', 'drives', 'C', ...windowsPath.slice(3).split('\\'))

function json(r: CliResult): any {
  try {
    return JSON.parse(r.stdout)
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`)
  }
}

/** The files of seed media on the emulated host, extracted by xorriso. */
function seedFiles(p: EmulatorProject, iso: string): (name: string) => string {
  const out = mkdtempSync(join(tmpdir(), 'hvguest-seed-'))
  execFileSync('xorriso', ['-osirrox', 'on', '-indev', local(p, iso), '-extract', '/', out], {stdio: 'pipe'})
  return (name) => readFileSync(join(out, name), 'utf8')
}

/** A built-in guest template, renamed, its adapter on Lab with a MAC and an address per batch index. */
function writeVariant(p: EmulatorProject, template: string, name: string, subnet: string) {
  const base = readFileSync(join(ROOT, 'templates', 'guests', `${template}.yaml`), 'utf8')
  const text = base.replace(/^ {2}name: .*$/m, `  name: ${name}`).replace(
    /^ {2}networkAdapters:\n {4}- switch: .*\n {6}vlan: .*\n/m,
    [
      '  networkAdapters:',
      '    - switch: Lab',
      `      macAddress: "00-15-5D-0A-${subnet === '10.200.1' ? '01' : '02'}-{{pad index 2}}"`,
      `      addresses: ["${subnet}.1{{index}}/24"]`,
      `      gateway: ${subnet}.1`,
      `      dns: [${subnet}.53]`,
      '',
    ].join('\n'),
  )
  expect(text).toContain('{{pad index 2}}')
  mkdirSync(join(p.dir, 'templates'), {recursive: true})
  writeFileSync(join(p.dir, 'templates', `${name}.yaml`), text)
}

describe('static IPv4 addresses on an emulated Windows Server 2012 R2 host', () => {
  it('plan shows each guest\'s ipConfig; create --count 2 gives each its MAC and seed media that configure it by that MAC', () => {
    const p = makeEmulatorProject(HOST_2012R2)
    writeVariant(p, 'ubuntu-2204', 'ubuntu-ip', '10.200.1')
    writeVariant(p, 'ws2012r2', 'ws2012r2-ip', '10.200.2')

    // plan: the adapters' settings per guest of the batch, in the JSON and the view
    const planned = runCli(['plan', 'ubuntu-ip', '--name', 'web{{index}}', '--count', '2', '--json'], {cwd: p.dir})
    expect(planned.code, planned.stderr).toBe(0)
    expect(json(planned).guests.map((g: any) => [g.name, g.networkAdapters[0].macAddress, g.networkAdapters[0].ipConfig])).toEqual([
      ['web1', '00155D0A0101', {addresses: ['10.200.1.11/24'], gateway: '10.200.1.1', dns: ['10.200.1.53']}],
      ['web2', '00155D0A0102', {addresses: ['10.200.1.12/24'], gateway: '10.200.1.1', dns: ['10.200.1.53']}],
    ])
    const view = runCli(['plan', 'ubuntu-ip', '--name', 'web{{index}}', '--count', '2'], {cwd: p.dir})
    expect(view.code, view.stderr).toBe(0)
    expect(view.stdout).toContain('00155D0A0102  10.200.1.12/24 via 10.200.1.1, dns 10.200.1.53')

    // create: cloud-init guests
    const web = runCli(['create', 'ubuntu-ip', '--name', 'web{{index}}', '--count', '2', '--start', '--wait', '--timeout', '60', '--json'], {cwd: p.dir})
    expect(web.code, web.stderr + web.stdout).toBe(0)
    // Each guest reports, through KVP, the address planned for the adapter with its MAC.
    expect(json(web).wait.guests.map((g: any) => [g.name, g.ready, g.ipv4])).toEqual([
      ['web1', true, ['10.200.1.11']],
      ['web2', true, ['10.200.1.12']],
    ])
    const listed = json(runCli(['list', '--json'], {cwd: p.dir})).hosts[0].data.guests
    for (const [i, name] of ['web1', 'web2'].entries()) {
      const vm = p.state().vms.find((v: any) => v.name === name)
      expect(vm.networkAdapters.map((a: any) => a.macAddress), name).toEqual([`00155D0A010${i + 1}`])
      const g = listed.find((x: any) => x.name === name)
      const seed = g.drives.find((d: any) => d.path?.endsWith('-firstboot.iso')).path
      const network = seedFiles(p, seed)('network-config')
      expect(network, name).toContain(`match: {"macaddress": "00:15:5d:0a:01:0${i + 1}"}`)
      expect(network, name).toContain(`addresses: ["10.200.1.1${i + 1}/24"]`)
      expect(network, name).toContain('routes: [{to: 0.0.0.0/0, via: "10.200.1.1" }]')
      expect(network, name).toContain('nameservers: {addresses: ["10.200.1.53"] }')
    }

    // create: an answer-file guest (its media carries no secret here, so it stays attached)
    // (what the guests then report is test/powershell/emulator-guest-addresses.test.ts's and the lab e2e's subject)
    const w = runCli(['create', 'ws2012r2-ip', '--name', 'win{{index}}', '--count', '2', '--json'], {cwd: p.dir})
    expect(w.code, w.stderr + w.stdout).toBe(0)
    expect(json(w).guests.map((g: any) => g.status)).toEqual(['created', 'created'])
    const win2 = json(runCli(['list', 'win2', '--json'], {cwd: p.dir})).hosts[0].data.guests[0]
    const seed = win2.drives.find((d: any) => d.path?.endsWith('-firstboot.iso')).path
    const out = mkdtempSync(join(tmpdir(), 'hvguest-unattend-'))
    const answer = join(out, 'unattend.xml')
    writeFileSync(answer, seedFiles(p, seed)('unattend.xml'))
    const iface = `//${el('component')}[@name='Microsoft-Windows-TCPIP']/${el('Interfaces')}/${el('Interface')}`
    expect(xpath(answer, `string(${iface}/${el('Identifier')})`)).toBe('00-15-5D-0A-02-02')
    expect(xpath(answer, `string(${iface}/${el('UnicastIpAddresses')}/${el('IpAddress')})`)).toBe('10.200.2.12/24')
    expect(xpath(answer, `string(${iface}/${el('Routes')}/${el('Route')}/${el('NextHopAddress')})`)).toBe('10.200.2.1')
    const dns = `//${el('component')}[@name='Microsoft-Windows-DNS-Client']/${el('Interfaces')}/${el('Interface')}`
    expect(xpath(answer, `string(${dns}/${el('Identifier')})`)).toBe('00-15-5D-0A-02-02')
    expect(xpath(answer, `string(${dns}/${el('DNSServerSearchOrder')}/${el('IpAddress')})`)).toBe('10.200.2.53')
  }, 240_000)
})
