#!/usr/bin/env node
// Generates the parameter binding of every emulated cmdlet from the documented parameter sets
// (ps/emulator/reference/hyperv-cmdlets.json and extra-cmdlets.json). For each module it writes
//   ps/emulator/<Module>/<Module>.psd1          the manifest (explicit FunctionsToExport, so that
//                                               command discovery autoloads it like the real module)
//   ps/emulator/<Module>/<Module>.Commands.ps1  one advanced function per cmdlet: the documented
//                                               param() block and a process block that hands the
//                                               bound parameters to the module's handler
// The files are committed; test/powershell/emulator-generator.test.ts checks that regenerating
// gives identical output. Usage: node scripts/generate-emulator.mjs [--check]
import {createHash} from 'node:crypto'
import {mkdirSync, readFileSync, writeFileSync, existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const ROOT = fileURLToPath(new URL('../ps/emulator/', import.meta.url))
const REFERENCES = ['hyperv-cmdlets.json', 'extra-cmdlets.json']
// Module folder names as on Windows (the docs spell DISM in capitals; the module is Dism).
const MODULE_FOLDER = {DISM: 'Dism', storage: 'Storage'}
const MODULE_DESCRIPTION = {
  'Hyper-V': 'virtual machines, drives, adapters, integration services, virtual hard disks, switches, host',
  NetAdapter: 'physical and host virtual network adapters, advanced properties (*JumboPacket, *VMQ), VMQ',
  NetTCPIP: 'global offload settings (TCP Chimney)',
  Dism: 'offline servicing of mounted images (Add-WindowsPackage)',
  Storage: 'disks, partitions and volumes (pass-through disks, mounted VHDs, free space)',
  FailoverClusters: 'cluster nodes and virtual machine roles',
  International: 'system locale',
  CimCmdlets: 'Win32_OperatingSystem, Win32_ComputerSystem and Win32_LogicalDisk from the state',
}

/** Scalar .NET types that keep their type; everything else documented is a Hyper-V/CIM object type. */
const SCALARS = {
  String: 'string', Int16: 'int16', Int32: 'int', Int64: 'long', UInt32: 'uint32', UInt64: 'uint64',
  Boolean: 'bool', Guid: 'guid', Version: 'version', Char: 'char', Uri: 'uri', PSObject: 'psobject',
  PSCredential: 'pscredential', StringCollection: 'System.Collections.Specialized.StringCollection',
}

/** The PowerShell type a documented type binds as (the fidelity test applies the same rule). */
export function mapType(docType, acceptedValues) {
  const isArray = docType.endsWith('[]')
  const base = isArray ? docType.slice(0, -2) : docType
  const suffix = isArray ? '[]' : ''
  if (base === 'SwitchParameter') return {type: 'switch'}
  if (SCALARS[base]) return {type: SCALARS[base] + suffix}
  if (acceptedValues?.length) return {type: 'string' + suffix, validateSet: acceptedValues.map(String)}
  return {type: 'object' + suffix}
}

// Object-typed parameters keep the real binder's type discrimination through [PSTypeName()]: a
// Hyper-V object type binds only objects whose PSTypeNames hold Microsoft.HyperV.PowerShell.<Type>;
// a CIM instance parameter binds only its CIM class (the emulator's objects carry both names).
const CIM_CLASS_BY_PARAMETER = {
  Disk: 'MSFT_Disk', Partition: 'MSFT_Partition', Volume: 'MSFT_Volume', VirtualDisk: 'MSFT_VirtualDisk',
  StorageSubSystem: 'MSFT_StorageSubSystem', StorageNode: 'MSFT_StorageNode', StorageJob: 'MSFT_StorageJob',
  iSCSISession: 'MSFT_iSCSISession', iSCSIConnection: 'MSFT_iSCSIConnection', DiskImage: 'MSFT_DiskImage',
  StoragePool: 'MSFT_StoragePool', StorageFileServer: 'MSFT_StorageFileServer', FileShare: 'MSFT_FileShare',
}
const CIM_CLASS_OF_INPUT_OBJECT = {
  'Set-Disk': 'MSFT_Disk',
  'Set-NetAdapterAdvancedProperty': 'MSFT_NetAdapterAdvancedPropertySettingData',
  'Enable-NetAdapterVmq': 'MSFT_NetAdapterVmqSettingData',
  'Disable-NetAdapterVmq': 'MSFT_NetAdapterVmqSettingData',
  'Set-NetOffloadGlobalSetting': 'MSFT_NetOffloadGlobalSetting',
}

export function psTypeNameFor(cmdlet, parameter, docType) {
  const base = docType.replace(/\[\]$/, '')
  if (SCALARS[base] || base === 'SwitchParameter' || base === 'CimSession') return null
  if (base === 'CimInstance') {
    const cls = parameter === 'InputObject' ? CIM_CLASS_OF_INPUT_OBJECT[cmdlet] : CIM_CLASS_BY_PARAMETER[parameter]
    return cls ? `Microsoft.Management.Infrastructure.CimInstance#${cls}` : null
  }
  return `Microsoft.HyperV.PowerShell.${base}`
}

const q = (s) => `'${String(s).replace(/'/g, "''")}'`

function loadCmdlets() {
  const all = []
  for (const file of REFERENCES) {
    const ref = JSON.parse(readFileSync(join(ROOT, 'reference', file), 'utf8'))
    for (const c of Object.values(ref.cmdlets)) all.push({...c, referenceFile: file})
  }
  return all
}

function renderFunction(c) {
  const single = c.parameterSets.length === 1 && c.parameterSets[0].name === '__AllParameterSets'
  const order = []
  const byName = new Map()
  for (const set of c.parameterSets) {
    for (const p of set.parameters) {
      if (p.name === 'WhatIf' || p.name === 'Confirm') continue
      if (!byName.has(p.name)) {
        byName.set(p.name, {p, sets: []})
        order.push(p.name)
      }
      byName.get(p.name).sets.push({set: set.name, p})
    }
  }
  // PositionalBinding off: a compiled cmdlet has no implicit positions (a function would number
  // its parameters in declaration order when none has a Position).
  const binding = []
  if (c.defaultParameterSet) binding.push(`DefaultParameterSetName = ${q(c.defaultParameterSet)}`)
  binding.push('PositionalBinding = $false')
  if (c.supportsShouldProcess) binding.push('SupportsShouldProcess = $true')
  const lines = []
  lines.push(`# ${c.cmdlet}: ${c.docFile} @ ${c.docCommit.slice(0, 12)} (${c.referenceFile})`)
  lines.push(`function ${c.cmdlet} {`)
  lines.push(`    [CmdletBinding(${binding.join(', ')})]`)
  lines.push('    param(')
  const blocks = order.map((name) => {
    const {p, sets} = byName.get(name)
    const out = []
    for (const {set, p: sp} of sets) {
      const args = []
      if (!single) args.push(`ParameterSetName = ${q(set)}`)
      if (sp.mandatory || sp.yamlRequired) args.push('Mandatory = $true')
      if (sp.position !== undefined) args.push(`Position = ${sp.position}`)
      const pipe = sp.pipelineInput ?? ''
      if (/ByValue/.test(pipe)) args.push('ValueFromPipeline = $true')
      if (/ByPropertyName/.test(pipe)) args.push('ValueFromPipelineByPropertyName = $true')
      out.push(`        [Parameter(${args.join(', ')})]`)
    }
    if (p.aliases?.length) out.push(`        [Alias(${p.aliases.map(q).join(', ')})]`)
    if (p.wildcards) out.push('        [SupportsWildcards()]')
    const t = mapType(p.type, p.acceptedValues)
    const typeName = t.validateSet ? null : psTypeNameFor(c.cmdlet, name, p.type)
    if (typeName) out.push(`        [PSTypeName(${q(typeName)})]`)
    if (t.validateSet) out.push(`        [ValidateSet(${t.validateSet.map(q).join(', ')})]`)
    out.push(`        [${t.type}]`)
    out.push(`        $${name}`)
    return out.join('\n')
  })
  if (blocks.length) lines.push(blocks.join(',\n\n'))
  lines.push('    )')
  lines.push('    process {')
  lines.push(`        Invoke-HvEmulatorCommand -Cmdlet $PSCmdlet -Parameters $PSBoundParameters -Handler $script:Handlers[${q(c.cmdlet)}]`)
  lines.push('    }')
  lines.push('}')
  return lines.join('\n')
}

function guidFor(name) {
  const h = createHash('sha256').update(`hvguest-emulator:${name}`).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
}

function renderManifest(module, names) {
  return `# Generated by scripts/generate-emulator.mjs from ps/emulator/reference/*.json. Do not edit.
@{
    RootModule        = '${module}.psm1'
    ModuleVersion     = '1.0.0'
    GUID              = '${guidFor(module)}'
    Author            = 'hvguest'
    Description       = ${q(`hvguest emulated host: ${module} (${MODULE_DESCRIPTION[module] ?? module}). Binds the documented parameter sets; state lives in $env:HVGUEST_EMULATOR_STATE.`)}
    PowerShellVersion = '7.2'
    RequiredModules   = @('HvEmulator')
    FunctionsToExport = @(
${names.map((n) => `        ${q(n)}`).join(',\n')}
    )
    CmdletsToExport   = @()
    VariablesToExport = @()
    AliasesToExport   = @()
}
`
}

export function generate() {
  const files = new Map()
  const byModule = new Map()
  for (const c of loadCmdlets()) {
    const m = MODULE_FOLDER[c.module] ?? c.module
    if (!byModule.has(m)) byModule.set(m, [])
    byModule.get(m).push(c)
  }
  for (const [m, cmdlets] of [...byModule].sort(([a], [b]) => a.localeCompare(b))) {
    cmdlets.sort((a, b) => a.cmdlet.localeCompare(b.cmdlet))
    const header = `# Generated by scripts/generate-emulator.mjs from ps/emulator/reference/*.json. Do not edit.
# One advanced function per documented cmdlet of ${m}: its exact parameter sets, then the module's handler.
`
    files.set(`${m}/${m}.Commands.ps1`, header + '\n' + cmdlets.map(renderFunction).join('\n\n') + '\n')
    files.set(`${m}/${m}.psd1`, renderManifest(m, cmdlets.map((c) => c.cmdlet)))
  }
  return files
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check')
  let stale = 0
  for (const [rel, text] of generate()) {
    const path = join(ROOT, rel)
    if (check) {
      if (!existsSync(path) || readFileSync(path, 'utf8') !== text) {
        console.error(`stale: ps/emulator/${rel}`)
        stale++
      }
    } else {
      mkdirSync(dirname(path), {recursive: true})
      writeFileSync(path, text)
    }
  }
  if (stale) {
    console.error('run: node scripts/generate-emulator.mjs')
    process.exit(1)
  }
}
