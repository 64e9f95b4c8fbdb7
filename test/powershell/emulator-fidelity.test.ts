/**
 * Fidelity of the emulated host's parameter binding: for EVERY cmdlet in
 * ps/emulator/reference/hyperv-cmdlets.json and extra-cmdlets.json, Get-Command on the emulated
 * cmdlet (found by command autoloading, nothing imported) reports exactly the documented parameter
 * sets: set names, default set, and for each parameter its name, mandatory, position, type,
 * aliases, pipeline input and accepted values. Common parameters aside.
 */
import {readFileSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {REFERENCE, runFixtureJson} from './emulator-helpers.js'

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
interface DocCmdlet {
  cmdlet: string
  module: string
  defaultParameterSet: string
  supportsShouldProcess: boolean
  parameterSets: {name: string; isDefault: boolean; parameters: DocParameter[]}[]
}
interface Seen {
  module: string
  defaultParameterSet: string
  supportsShouldProcess: boolean
  parameterSets: {name: string; isDefault: boolean; parameters: {name: string; type: string; mandatory: boolean; position: number | null; aliases: string[]; valueFromPipeline: boolean; valueFromPipelineByPropertyName: boolean; validateSet: string[]; psTypeName: string | null; wildcards: boolean}[]}[]
}

const load = (file: string): Record<string, DocCmdlet> => JSON.parse(readFileSync(join(REFERENCE, file), 'utf8')).cmdlets
const documented: Record<string, DocCmdlet> = {...load('hyperv-cmdlets.json'), ...load('extra-cmdlets.json')}

/** The binding type of a documented type (written independently of the generator). */
const SCALAR: Record<string, string> = {
  String: 'System.String', Int16: 'System.Int16', Int32: 'System.Int32', Int64: 'System.Int64', UInt32: 'System.UInt32',
  UInt64: 'System.UInt64', Boolean: 'System.Boolean', Guid: 'System.Guid', Version: 'System.Version', Char: 'System.Char',
  Uri: 'System.Uri', PSObject: 'System.Management.Automation.PSObject', PSCredential: 'System.Management.Automation.PSCredential',
  StringCollection: 'System.Collections.Specialized.StringCollection',
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

describe('emulated cmdlets bind exactly the documented parameter sets', () => {
  let seen: Record<string, Seen>
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'hvemu-fidelity-'))
    const names = join(dir, 'names.txt')
    writeFileSync(names, Object.keys(documented).join('\n'))
    seen = runFixtureJson<Record<string, Seen>>('dump-commands.ps1', ['-NamesFile', names])
  }, 180_000)

  it('covers every documented cmdlet (both reference files)', () => {
    expect(Object.keys(documented).length).toBeGreaterThanOrEqual(55)
    expect(Object.keys(seen).sort()).toEqual(Object.keys(documented).sort())
  })

  for (const [name, doc] of Object.entries(documented)) {
    it(name, () => {
      const got = seen[name]
      expect(got.module, 'module found by autoloading').toBe(MODULE_FOLDER[doc.module] ?? doc.module)
      expect(got.defaultParameterSet).toBe(doc.defaultParameterSet)
      expect(got.supportsShouldProcess).toBe(doc.supportsShouldProcess)
      const wantSets = doc.parameterSets.map((s) => s.name).sort()
      expect(got.parameterSets.map((s) => s.name).sort()).toEqual(wantSets)
      for (const set of doc.parameterSets) {
        const gotSet = got.parameterSets.find((s) => s.name === set.name)!
        expect(gotSet.isDefault, `${set.name} isDefault`).toBe(set.name === doc.defaultParameterSet)
        expect(gotSet.parameters.map((p) => p.name).sort(), `${set.name} parameters`).toEqual(set.parameters.map((p) => p.name).sort())
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
    })
  }
})
