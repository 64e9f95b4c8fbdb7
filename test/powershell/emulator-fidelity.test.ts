/**
 * Fidelity of the emulated host's parameter binding, per host OS: on an emulated host of each OS
 * hvguest accepts, Get-Command on every cmdlet of the version references (found by command
 * autoloading, nothing imported by hand) reports exactly what that OS's docset documents
 * (ps/emulator/reference/versions/<docset>.json via host-os.json): which cmdlets exist at all, set
 * names, default set, and for each parameter its name, mandatory, position, type, aliases,
 * pipeline input and accepted values (common parameters aside). A 2008 / 2008 R2 host has no
 * Hyper-V module; a 2012 host's New-VM has no -Generation and fails as the real binder does.
 * Two pwsh processes, each making five hosts one after the other (docs/host-versions.md).
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {REFERENCE, startFixture} from './emulator-helpers.js'

interface DocParameter {
  name: string
  type: string
  mandatory: boolean
  yamlRequired?: boolean
  position?: number
  aliases?: string[]
  pipelineInput?: string
  acceptedValues?: (string | number)[]
  wildcards?: boolean
}
interface DocSet {
  name: string
  inferredName?: string
  isDefault: boolean
  parameters: DocParameter[]
}
interface DocCmdlet {
  cmdlet: string
  module: string
  defaultParameterSet: string | null
  inferredDefaultParameterSet?: string
  supportsShouldProcess: boolean
  versionIndependent?: boolean
  parameterSets: DocSet[]
}
interface SeenParameter {
  name: string
  type: string
  mandatory: boolean
  position: number | null
  aliases: string[]
  valueFromPipeline: boolean
  valueFromPipelineByPropertyName: boolean
  validateSet: string[]
  psTypeName: string | null
  wildcards: boolean
}
interface Seen {
  error?: string
  module: string
  defaultParameterSet: string | null
  supportsShouldProcess: boolean
  parameterSets: {name: string; isDefault: boolean; parameters: SeenParameter[]}[]
}
interface Probe {
  ok: boolean
  exception: string | null
  errorId: string | null
  message: string | null
  stateUnchanged: boolean
}
interface HostDump {
  commands: Record<string, Seen | null>
  modules: Record<string, {path: string; functions: string[]}>
  probes: {newVmGeneration1: Probe; getVm: Probe}
}

const VERSIONS = join(REFERENCE, 'versions')
const HOST_OS: Record<string, string | null> = JSON.parse(readFileSync(join(VERSIONS, 'host-os.json'), 'utf8')).hosts
const docsets = [...new Set(Object.values(HOST_OS).filter((d): d is string => d !== null))]
const versions: Record<string, Record<string, DocCmdlet>> = Object.fromEntries(
  docsets.map((d) => [d, JSON.parse(readFileSync(join(VERSIONS, `${d}.json`), 'utf8')).cmdlets]),
)
const allNames = [...new Set(docsets.flatMap((d) => Object.keys(versions[d])))].sort()
const independent = Object.values(versions[docsets[0]]).filter((c) => c.versionIndependent)

/** What an emulated host of this OS must offer: the docset's cmdlets, or (no docset) only the version-independent ones. */
function expectedFor(os: string): Record<string, DocCmdlet> {
  const docset = HOST_OS[os]
  return docset ? versions[docset] : Object.fromEntries(independent.map((c) => [c.cmdlet, c]))
}

/** The binding type of a documented type (written independently of the generator). */
const SCALAR: Record<string, string> = {
  String: 'System.String', Int16: 'System.Int16', Int32: 'System.Int32', Int64: 'System.Int64', UInt32: 'System.UInt32',
  UInt64: 'System.UInt64', Boolean: 'System.Boolean', Guid: 'System.Guid', Version: 'System.Version', Char: 'System.Char',
  Uri: 'System.Uri', PSObject: 'System.Management.Automation.PSObject', PSCredential: 'System.Management.Automation.PSCredential',
  StringCollection: 'System.Collections.Specialized.StringCollection', Byte: 'System.Byte', TimeSpan: 'System.TimeSpan',
}
function expectedType(p: DocParameter): string {
  if (p.type === 'SwitchParameter') return 'System.Management.Automation.SwitchParameter'
  const array = p.type.endsWith('[]') ? '[]' : ''
  const base = p.type.replace(/\[\]$/, '')
  if (SCALAR[base]) return SCALAR[base] + array
  if (p.acceptedValues?.length) return 'System.String' + array // enums: [string] + [ValidateSet]
  return 'System.Object' + array // Hyper-V / CIM object types
}
const MODULE_FOLDER: Record<string, string> = {DISM: 'Dism'}
/** The 2012 docs' UNNAMED_PARAMETER_SET_n are bound under their inferred (2012 R2) names. */
const setName = (s: DocSet) => s.inferredName ?? s.name
function defaultSetName(doc: DocCmdlet): string | null {
  const documented = doc.defaultParameterSet ?? doc.inferredDefaultParameterSet ?? null
  const set = doc.parameterSets.find((s) => s.name === documented)
  return set ? setName(set) : documented
}

// Two processes (the machine's two cores); in each, the first host is a fresh session's.
const GROUPS = [
  ['windows-server-2008r2', 'windows-server-2012', 'windows-server-2016', 'windows-server-2022', 'windows-10'],
  ['windows-server-2012r2', 'windows-server-2019', 'windows-server-2025', 'windows-11', 'windows-server-2008'],
]

describe('an emulated host binds exactly its own OS version\'s documented cmdlets', () => {
  let seen: Record<string, HostDump>
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvemu-fidelity-'))
    const names = join(dir, 'names.txt')
    writeFileSync(names, allNames.join('\n'))
    const runs = await Promise.all(GROUPS.map((g) => startFixture('dump-commands.ps1', ['-NamesFile', names, '-HostOs', g.join(',')])))
    seen = {}
    for (const r of runs) {
      if (r.code !== 0) throw new Error(`dump-commands.ps1 exited ${r.code}\n${r.stderr}\n${r.stdout}`)
      Object.assign(seen, JSON.parse(r.stdout.trim().split('\n').pop()!))
    }
  }, 180_000)

  it('covers every host OS hvguest accepts, and every cmdlet of the references', () => {
    expect(Object.keys(seen).sort()).toEqual(Object.keys(HOST_OS).sort())
    expect(allNames.length).toBeGreaterThanOrEqual(55)
    expect(docsets.sort()).toEqual(['winserver2012-ps', 'winserver2012r2-ps', 'winserver2016-ps', 'winserver2019-ps', 'winserver2022-ps', 'winserver2025-ps'])
  })

  it('maps Windows 10 and 11 to the server docset of the same build', () => {
    expect(HOST_OS['windows-10']).toBe('winserver2019-ps')
    expect(HOST_OS['windows-11']).toBe('winserver2025-ps')
    expect(seen['windows-10'].modules['Hyper-V'].path).toBe('hosts/winserver2019-ps/Hyper-V/Hyper-V.psd1')
    expect(seen['windows-11'].modules['Hyper-V'].path).toBe('hosts/winserver2025-ps/Hyper-V/Hyper-V.psd1')
  })

  for (const os of GROUPS.flat()) {
    describe(os, () => {
      it('has exactly the cmdlets and modules its version has', () => {
        const want = expectedFor(os)
        const present = Object.entries(seen[os].commands).filter(([, v]) => v !== null).map(([k]) => k).sort()
        expect(present).toEqual(Object.keys(want).sort())
        const modules: Record<string, string[]> = {}
        for (const c of Object.values(want)) (modules[MODULE_FOLDER[c.module] ?? c.module] ??= []).push(c.cmdlet)
        expect(Object.keys(seen[os].modules).sort()).toEqual(Object.keys(modules).sort())
        for (const [m, fns] of Object.entries(modules)) {
          expect(seen[os].modules[m].functions, m).toEqual(fns.sort())
          expect(seen[os].modules[m].path, m).toBe(`hosts/${HOST_OS[os] ?? 'no-hyperv-module'}/${m}/${m}.psd1`)
        }
      })

      it('binds each cmdlet\'s documented parameter sets exactly', () => {
        for (const [name, doc] of Object.entries(expectedFor(os))) {
          const got = seen[os].commands[name]!
          expect(got.error, name).toBeUndefined()
          expect(got.module, `${name} module found by autoloading`).toBe(MODULE_FOLDER[doc.module] ?? doc.module)
          expect(got.defaultParameterSet, `${name} default set`).toBe(defaultSetName(doc))
          expect(got.supportsShouldProcess, `${name} ShouldProcess`).toBe(doc.supportsShouldProcess)
          expect(got.parameterSets.map((s) => s.name).sort(), `${name} sets`).toEqual(doc.parameterSets.map(setName).sort())
          for (const set of doc.parameterSets) {
            const gotSet = got.parameterSets.find((s) => s.name === setName(set))!
            expect(gotSet.isDefault, `${name} ${setName(set)} isDefault`).toBe(setName(set) === defaultSetName(doc))
            expect(gotSet.parameters.map((p) => p.name).sort(), `${name} ${set.name} parameters`).toEqual(set.parameters.map((p) => p.name).sort())
            for (const p of set.parameters) {
              const g = gotSet.parameters.find((x) => x.name === p.name)!
              const where = `${name} [${set.name}] -${p.name}`
              // yamlRequired: a set-identifying switch the docs show bracketed but declare Required (see _meta.method).
              expect(g.mandatory, `${where} mandatory`).toBe(p.mandatory || p.yamlRequired === true)
              expect(g.position, `${where} position`).toBe(p.position ?? null)
              expect(g.type, `${where} type`).toBe(expectedType(p))
              expect([...g.aliases].sort(), `${where} aliases`).toEqual([...(p.aliases ?? [])].sort())
              expect(g.valueFromPipeline, `${where} ByValue`).toBe(/ByValue/.test(p.pipelineInput ?? ''))
              expect(g.valueFromPipelineByPropertyName, `${where} ByPropertyName`).toBe(/ByPropertyName/.test(p.pipelineInput ?? ''))
              if (expectedType(p).startsWith('System.String') && p.acceptedValues?.length && !SCALAR[p.type.replace(/\[\]$/, '')]) {
                expect(g.validateSet, `${where} accepted values`).toEqual(p.acceptedValues.map(String))
              }
              if (expectedType(p).startsWith('System.Object') && /^(VirtualMachine|VMSwitch|VMSnapshot|HardDiskDrive|DvdDrive|VMIntegrationComponent)/.test(p.type)) {
                expect(g.psTypeName, `${where} PSTypeName`).toBe(`Microsoft.HyperV.PowerShell.${p.type.replace(/\[\]$/, '')}`)
              }
              expect(g.wildcards, `${where} wildcards`).toBe(p.wildcards === true)
            }
          }
        }
      })
    })
  }

  it('a 2012 host: New-VM -Generation fails as the real binder does, before any change', () => {
    const probe = seen['windows-server-2012'].probes.newVmGeneration1
    expect(probe).toMatchObject({
      ok: false,
      exception: 'System.Management.Automation.ParameterBindingException',
      message: "A parameter cannot be found that matches parameter name 'Generation'.",
      stateUnchanged: true,
    })
    expect(probe.errorId).toMatch(/^NamedParameterNotFound,/)
    // The same call binds (and creates the VM) from 2012 R2 on.
    for (const os of ['windows-server-2012r2', 'windows-server-2016', 'windows-server-2025', 'windows-10']) {
      expect(seen[os].probes.newVmGeneration1, os).toMatchObject({ok: true, stateUnchanged: false})
    }
  })

  it('a 2008 / 2008 R2 host has no Hyper-V module: its cmdlets are not found, as on a real host', () => {
    for (const os of ['windows-server-2008', 'windows-server-2008r2']) {
      expect(seen[os].modules['Hyper-V'], os).toBeUndefined()
      for (const probe of [seen[os].probes.getVm, seen[os].probes.newVmGeneration1]) {
        expect(probe, os).toMatchObject({ok: false, exception: 'System.Management.Automation.CommandNotFoundException', errorId: 'CommandNotFoundException', stateUnchanged: true})
      }
    }
    expect(seen['windows-server-2022'].probes.getVm).toMatchObject({ok: true})
  })
})
