/**
 * transport: ssh without a connection: the ssh command line (BatchMode first, host keys never
 * switched off), what each of OpenSSH's failures means (each code triggered, and left silent by a
 * near miss), and the runtime's manifest and payload. The e2e suite (test/e2e/ssh.test.ts) runs
 * the same through a real sshd.
 */
import {mkdtempSync, mkdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gunzipSync} from 'node:zlib'
import {createHash} from 'node:crypto'
import {describe, expect, it} from 'vitest'
import {REPO as REPO_ROOT} from '../../helpers/pwsh.js'
import {hostEntrySchema, hostInventorySchema} from '../../../src/model/schemas.js'
import {classifySshFailure, findSsh, remoteShellCommand, sshArguments, stagerLine} from '../../../src/powershell/ssh-transport.js'
import {runtimePayload} from '../../../src/powershell/runtime-payload.js'
import {remoteConnectConfig} from '../../../src/powershell/remoting-transport.js'
import type {SessionHost} from '../../../src/powershell/host-side.js'

const host = (entry: Record<string, unknown> = {}): SessionHost => ({name: 'hv1', transport: 'ssh', entry: {name: 'hv1', transport: 'ssh', ...entry} as SessionHost['entry']})

describe('the ssh command line', () => {
  it('puts BatchMode, keep-alives and the connect timeout before anything the inventory adds, and ends options before the address', () => {
    const args = sshArguments(host({address: 'hv1.lab', port: 2222, user: 'ops', connectTimeoutSeconds: 5, sshOptions: {UserKnownHostsFile: '/k', Compression: true}}), null)
    expect(args.slice(0, 5)).toEqual(['-T', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes'])
    expect(args).toContain('ServerAliveInterval=15')
    expect(args).toContain('ConnectTimeout=5')
    expect(args.indexOf('BatchMode=yes')).toBeLessThan(args.indexOf('UserKnownHostsFile=/k'))
    expect(args).toContain('Compression=yes')
    expect(args.slice(args.indexOf('-p'), args.indexOf('-p') + 2)).toEqual(['-p', '2222'])
    expect(args.slice(args.indexOf('-l'), args.indexOf('-l') + 2)).toEqual(['-l', 'ops'])
    const dashes = args.indexOf('--')
    expect(args.slice(dashes)).toEqual(['--', 'hv1.lab', 'pwsh -NoLogo -NoProfile -NonInteractive -NoExit -Command -'])
  })

  it('defaults: the host name as address, 15 s to connect, no -p, -l or -i', () => {
    const args = sshArguments(host(), null)
    expect(args).toContain('ConnectTimeout=15')
    expect(args).not.toContain('-p')
    expect(args).not.toContain('-l')
    expect(args).not.toContain('-i')
    expect(args.at(-2)).toBe('hv1')
  })

  it('an identity file relative to the inventory, offered alone (IdentitiesOnly)', () => {
    const args = sshArguments(host({identityFile: 'keys/id'}), '/proj/inventory.yaml')
    expect(args.slice(args.indexOf('-i'), args.indexOf('-i') + 4)).toEqual(['-i', '/proj/keys/id', '-o', 'IdentitiesOnly=yes'])
  })

  it('the remote shell: pwsh, Windows PowerShell 5.1, or a quoted path', () => {
    expect(remoteShellCommand(undefined)).toMatch(/^pwsh -NoLogo/)
    expect(remoteShellCommand('powershell')).toMatch(/^powershell -NoLogo/)
    expect(remoteShellCommand('C:\\Program Files\\PowerShell\\7\\pwsh.exe')).toMatch(/^"C:\\Program Files\\PowerShell\\7\\pwsh.exe" -NoLogo/)
  })

  it('HVGUEST_SSH names the client; without one on PATH the message says how to install it', () => {
    expect(findSsh({HVGUEST_SSH: '/opt/ssh'}, 'linux')).toBe('/opt/ssh')
    expect(() => findSsh({PATH: mkdtempSync(join(tmpdir(), 'hvguest-nossh-'))}, 'linux')).toThrow(/needs the OpenSSH client.*apt-get install openssh-client.*HVGUEST_SSH/)
  })
})

describe('inventory: sshOptions that would switch off what hvguest relies on are refused', () => {
  const parse = (sshOptions: Record<string, unknown>) => hostEntrySchema.safeParse({name: 'hv1', transport: 'ssh', sshOptions})
  it.each([
    [{BatchMode: 'no'}, /BatchMode=no is refused/],
    [{StrictHostKeyChecking: 'no'}, /StrictHostKeyChecking=no is refused/],
    [{stricthostkeychecking: false}, /refused/],
    [{PermitLocalCommand: 'yes'}, /refused/],
    [{LocalCommand: 'touch /tmp/x'}, /refused/],
    [{StrictHostKeyChecking: 'accept-new'}, /StrictHostKeyChecking=accept-new is refused/],
    [{ProxyCommand: 'sh -c "touch /tmp/x"'}, /run a command or load a library/],
    [{KnownHostsCommand: '/bin/echo'}, /refused/],
    [{PKCS11Provider: '/tmp/evil.so'}, /refused/],
    [{SecurityKeyProvider: '/tmp/evil.so'}, /refused/],
    [{RemoteCommand: 'rm -rf /'}, /refused/],
    [{UserKnownHostsFile: 'a\nb'}, /a value is one line/],
    [{'-oProxyCommand': 'x'}, /an ssh_config keyword/],
  ])('%o', (opts, message) => {
    const parsed = parse(opts)
    expect(parsed.success).toBe(false)
    expect(JSON.stringify(parsed.error?.issues)).toMatch(message)
  })
  it('near misses pass: BatchMode yes, StrictHostKeyChecking yes, a known_hosts file, a bastion by ProxyJump', () => {
    for (const opts of [{BatchMode: 'yes'}, {StrictHostKeyChecking: 'yes'}, {UserKnownHostsFile: '/etc/hvguest/known_hosts'}, {ProxyJump: 'ops@bastion.lab'}]) {
      expect(parse(opts).success, JSON.stringify(opts)).toBe(true)
    }
  })
  it('over ssh, a shell path that a shell would read more into is refused; a path with spaces and parentheses is not', () => {
    const inv = (shell: string) => hostInventorySchema.safeParse({apiVersion: 'hvguest/v1', kind: 'HostInventory', hosts: [{name: 'hv1', transport: 'ssh', shell}]})
    expect(inv('C:\\x" & calc & "').success).toBe(false)
    expect(inv('/opt/pwsh;touch /tmp/x').success).toBe(false)
    expect(inv('C:\\Program Files (x86)\\PowerShell\\7\\pwsh.exe').success).toBe(true)
  })
  it('an address or user that would read as an option is refused', () => {
    expect(hostEntrySchema.safeParse({name: 'hv1', transport: 'ssh', address: '-oProxyCommand=x'}).success).toBe(false)
    expect(hostEntrySchema.safeParse({name: 'hv1', transport: 'ssh', user: '-F/tmp/x'}).success).toBe(false)
    expect(hostEntrySchema.safeParse({name: 'hv1', transport: 'ssh', address: '10.0.0.5', user: 'ops'}).success).toBe(true)
  })
})

describe("what OpenSSH's failures mean", () => {
  const h = host({address: '10.0.0.5', port: 2222, user: 'ops'})
  it.each([
    ['Host key verification failed.', 255, 'ssh-host-key-unknown', /ssh-keyscan -p 2222 10\.0\.0\.5/],
    ['No ED25519 host key is known for [10.0.0.5]:2222 and you have requested strict checking.\nHost key verification failed.', 255, 'ssh-host-key-unknown', /never turns that off/],
    ['@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @', 255, 'ssh-host-key-unknown', /not the one recorded/],
    ['ops@10.0.0.5: Permission denied (publickey,password).', 255, 'ssh-auth-failed', /administrators_authorized_keys/],
    ['ssh: connect to host 10.0.0.5 port 2222: Connection refused', 255, 'host-unreachable', /port 2222 in/],
    ['ssh: Could not resolve hostname nosuch: Name or service not known', 255, 'host-unreachable', /the address in the inventory/],
    ['', 255, 'host-unreachable', /could not connect/],
    ['bash: line 1: pwsh: command not found', 127, 'remote-shell-missing', /winget install Microsoft.PowerShell/],
    ["'pwsh' is not recognized as an internal or external command,", 1, 'remote-shell-missing', /shell: powershell/],
  ])('%s (exit %i): %s', (stderr, code, expected, fix) => {
    const failure = classifySshFailure(stderr, code, h)
    expect(failure?.code).toBe(expected)
    expect(failure?.message).toMatch(fix)
    expect(failure?.message).toContain('ops@10.0.0.5 port 2222')
  })
  it('each code by name: host key, key refused, shell missing', () => {
    expect(classifySshFailure('Host key verification failed.', 255, h)?.code).toBe('ssh-host-key-unknown')
    expect(classifySshFailure('ops@10.0.0.5: Permission denied (publickey).', 255, h)?.code).toBe('ssh-auth-failed')
    expect(classifySshFailure('sh: 1: pwsh: not found', 127, h)?.code).toBe('remote-shell-missing')
  })
  it('near misses: a remote command that failed for its own reasons, with nothing ssh would say, is not a connection problem', () => {
    expect(classifySshFailure('', 1, h)).toBeUndefined()
    expect(classifySshFailure('Write-Error: the VM is locked', 1, h)).toBeUndefined()
    expect(classifySshFailure('Warning: Permanently added [10.0.0.5]:2222 to the list of known hosts.', 0, h)).toBeUndefined()
  })
})

describe('the runtime as it travels', () => {
  const root = mkdtempSync(join(tmpdir(), 'hvguest-payload-'))
  mkdirSync(join(root, 'HvGuest', 'Private'), {recursive: true})
  writeFileSync(join(root, 'HvGuest', 'HvGuest.psd1'), "@{ ModuleVersion = '1.2.3' }")
  writeFileSync(join(root, 'HvGuest', 'Private', 'b.ps1'), 'b')
  writeFileSync(join(root, 'HvGuest', 'a.ps1'), 'aa')
  writeFileSync(join(root, 'HvGuest', 'doc-excerpts.json'), '{}')
  const payload = runtimePayload(join(root, 'HvGuest', 'HvGuest.psd1'), null)
  const sha = (s: string) => createHash('sha256').update(s).digest('hex')

  it('a manifest of every shipped file, sorted, with sizes and sha256, under the module version', () => {
    expect(payload.manifest.version).toBe('1.2.3')
    expect(payload.manifest.files).toEqual([
      {path: 'HvGuest/HvGuest.psd1', size: 28, sha256: sha("@{ ModuleVersion = '1.2.3' }")},
      {path: 'HvGuest/Private/b.ps1', size: 1, sha256: sha('b')},
      {path: 'HvGuest/a.ps1', size: 2, sha256: sha('aa')},
    ])
    expect(payload.manifest.digest).toBe(sha(payload.manifest.files.map((f) => `${f.path}\t${f.sha256}\n`).join('')))
  })

  it('the payload is the files in manifest order, gzip, base64', () => {
    expect(gunzipSync(Buffer.from(payload.payloadBase64(), 'base64')).toString()).toBe("@{ ModuleVersion = '1.2.3' }baa")
  })

  it('the stager travels as one line, its comments left behind, with its two arguments quoted', () => {
    const line = stagerLine(join(REPO_ROOT, 'ps', 'HvGuest', 'Stage.ps1'), 'Y29uZmln', '')
    expect(line).not.toContain('\n')
    expect(line).not.toMatch(/; #/)
    expect(line).toMatch(/^& \{ param\(\[string\]\$ConfigBase64, \[string\]\$PayloadBase64\); /)
    expect(line.endsWith("} 'Y29uZmln' ''")).toBe(true)
  })
})

describe('PowerShell remoting: what the local pwsh is given to connect (data, never script text)', () => {
  it('ssh: BatchMode, keep-alives and the inventory options as -Options, the key offered alone, the timeout in ms', () => {
    const c = remoteConnectConfig(host({address: 'hv1.lab', port: 2222, user: 'ops', identityFile: 'keys/id', connectTimeoutSeconds: 5, sshOptions: {UserKnownHostsFile: '/k'}}), 'ssh', '/proj/hosts.yaml')
    expect(c).toEqual({
      kind: 'ssh',
      address: 'hv1.lab',
      port: 2222,
      user: 'ops',
      keyFile: '/proj/keys/id',
      options: {BatchMode: 'yes', StrictHostKeyChecking: 'yes', ServerAliveInterval: '15', ServerAliveCountMax: '4', UserKnownHostsFile: '/k', IdentitiesOnly: 'yes'},
      connectTimeoutMs: 5000,
    })
  })
  it('winrm: the computer name only, no ssh options', () => {
    expect(remoteConnectConfig(host({transport: 'winrm'}), 'winrm', null)).toMatchObject({kind: 'winrm', address: 'hv1', port: null, user: null, keyFile: null, options: {}})
  })
})
