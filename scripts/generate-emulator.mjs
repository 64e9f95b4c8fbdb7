#!/usr/bin/env node
// Generates the parameter binding of every emulated cmdlet from the documented parameter sets of
// each Windows Server version (ps/emulator/reference/versions/<docset>.json, written by
// scripts/generate-version-reference.mjs). For each emulated module it writes
//   ps/emulator/<Module>/Commands/<docset>.ps1  one advanced function per cmdlet that docset
//                                               documents: its param() block and a process block
//                                               that hands the bound parameters to the module's
//                                               handler (a module whose cmdlets are all
//                                               version-independent gets Commands/all-versions.ps1)
//   ps/emulator/<Module>/<Module>.psd1          the module folder's own manifest (an import by path,
//                                               or ps/emulator on PSModulePath before
//                                               Initialize-HvEmulator): exports the union
//   ps/emulator/hosts/<docset>/<Module>/<Module>.psd1
//                                               the manifest an emulated host of that docset's OS
//                                               finds on PSModulePath (Initialize-HvEmulator puts
//                                               that folder there): exports exactly that docset's
//                                               cmdlets; its RootModule is the shared .psm1
//   ps/emulator/hosts/no-hyperv-module/...      the same for 2008 / 2008 R2 hosts (host-os.json maps
//                                               them to no docset): only version-independent modules
// The .psm1 (HvEmulator/Shared/Import-EmulatedModule.ps1) loads Commands/<docset>.ps1 of the
// emulated host's OS (the state's host.os through host-os.json). The files are committed;
// test/powershell/emulator-generator.test.ts checks that regenerating gives identical output.
// Usage: node scripts/generate-emulator.mjs [--check]
import {createHash} from 'node:crypto'
import {mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync, unlinkSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const ROOT = fileURLToPath(new URL('../ps/emulator/', import.meta.url))
const VERSIONS = join(ROOT, 'reference', 'versions')
const HOST_OS = JSON.parse(readFileSync(join(VERSIONS, 'host-os.json'), 'utf8')).hosts
export const DOCSETS = [...new Set(Object.values(HOST_OS).filter(Boolean))].sort()
// The module root of hosts whose OS has no docset (no Hyper-V module: 2008, 2008 R2).
export const NO_DOCSET_ROOT = 'no-hyperv-module'
const ALL_VERSIONS = 'all-versions'
// Module folder names as on Windows (the docs spell DISM in capitals; the module is Dism).
const MODULE_FOLDER = {DISM: 'Dism', storage: 'Storage'}
const MODULE_DESCRIPTION = {
  'Hyper-V': 'virtual machines, drives, adapters, integration services, virtual hard disks, switches, host',
  NetAdapter: 'physical and host virtual network adapters, advanced properties (*JumboPacket, *VMQ), VMQ',
  NetTCPIP: 'global offload settings (TCP Chimney), IP addresses of the host\'s interfaces',
  NetNat: 'WinNAT network address translation objects',
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
  Byte: 'byte', TimeSpan: 'timespan',
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

/** docset -> its cmdlets (each with referenceFile, the version file it came from). */
function loadVersions() {
  const versions = new Map()
  for (const docset of DOCSETS) {
    const ref = JSON.parse(readFileSync(join(VERSIONS, `${docset}.json`), 'utf8'))
    versions.set(docset, Object.values(ref.cmdlets).map((c) => ({...c, referenceFile: `versions/${docset}.json`})))
  }
  // A cmdlet added to the two references but not yet to the version files would go unemulated.
  const covered = new Set([...versions.values()].flat().map((c) => c.cmdlet))
  for (const file of ['hyperv-cmdlets.json', 'extra-cmdlets.json']) {
    const missing = Object.keys(JSON.parse(readFileSync(join(ROOT, 'reference', file), 'utf8')).cmdlets).filter((n) => !covered.has(n))
    if (missing.length) {
      throw new Error(`${missing.join(', ')} (reference/${file}) not in reference/versions: run node scripts/generate-version-reference.mjs --git-dir <windows-powershell-docs git dir> first`)
    }
  }
  return versions
}

/** The name the emulator binds a documented set under (its inferred name when the doc has none). */
export function boundSetName(c, documentedName) {
  if (!documentedName) return null
  const set = c.parameterSets.find((s) => s.name === documentedName)
  return set?.inferredName ?? documentedName
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
      byName.get(p.name).sets.push({set: set.inferredName ?? set.name, p})
    }
  }
  // PositionalBinding off: a compiled cmdlet has no implicit positions (a function would number
  // its parameters in declaration order when none has a Position).
  const binding = []
  // The 2012 docs name their sets UNNAMED_PARAMETER_SET_n and mark no default: the emulator binds
  // the inferred names and default of the reference (inferredName, inferredDefaultParameterSet:
  // the 2012 R2 set of the same parameters), which the handlers go by, as the real binder's are.
  const defaultSet = boundSetName(c, c.defaultParameterSet ?? c.inferredDefaultParameterSet)
  if (defaultSet) binding.push(`DefaultParameterSetName = ${q(defaultSet)}`)
  binding.push('PositionalBinding = $false')
  if (c.supportsShouldProcess) binding.push('SupportsShouldProcess = $true')
  const lines = []
  lines.push(`# ${c.cmdlet}: ${c.docFile} @ ${c.docCommit.slice(0, 12)} (${c.versionIndependent ? c.versionIndependentSource.replace('ps/emulator/reference/', '') : c.referenceFile})`)
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

function renderManifest(module, names, rootModule, scope) {
  return `# Generated by scripts/generate-emulator.mjs from ps/emulator/reference/versions/*.json. Do not edit.
# ${scope}
@{
    RootModule        = '${rootModule}'
    ModuleVersion     = '1.0.0'
    GUID              = '${guidFor(module)}'
    Author            = 'hvguest'
    Description       = ${q(`hvguest emulated host: ${module} (${MODULE_DESCRIPTION[module] ?? module}). Binds the documented parameter sets of the emulated host's OS; state lives in $env:HVGUEST_EMULATOR_STATE.`)}
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

const folderOf = (c) => MODULE_FOLDER[c.module] ?? c.module

function renderCommands(m, label, cmdlets) {
  const header = `# Generated by scripts/generate-emulator.mjs from ps/emulator/reference/versions/*.json. Do not edit.
# ${m} as ${label} documents it: one advanced function per cmdlet, its exact parameter sets, then the module's handler.
`
  return header + '\n' + [...cmdlets].sort((a, b) => a.cmdlet.localeCompare(b.cmdlet)).map(renderFunction).join('\n\n') + '\n'
}

/** Every generated file (path under ps/emulator -> text). */
export function generate() {
  const files = new Map()
  const versions = loadVersions()
  // module folder -> docset -> cmdlets
  const byModule = new Map()
  for (const [docset, cmdlets] of versions) {
    for (const c of cmdlets) {
      const m = folderOf(c)
      if (!byModule.has(m)) byModule.set(m, new Map())
      if (!byModule.get(m).has(docset)) byModule.get(m).set(docset, [])
      byModule.get(m).get(docset).push(c)
    }
  }
  const hostRoots = new Map([...DOCSETS.map((d) => [d, []]), [NO_DOCSET_ROOT, []]])
  for (const [m, perDocset] of [...byModule].sort(([a], [b]) => a.localeCompare(b))) {
    const all = [...perDocset.values()].flat()
    const independent = all.every((c) => c.versionIndependent)
    if (independent) {
      // The same entries in every version file: one commands file, offered on every host.
      const one = [...new Map(all.map((c) => [c.cmdlet, c])).values()]
      files.set(`${m}/Commands/${ALL_VERSIONS}.ps1`, renderCommands(m, 'every host version', one))
      for (const root of hostRoots.keys()) hostRoots.get(root).push([m, one.map((c) => c.cmdlet).sort()])
    } else {
      // Versions whose cmdlets are the same (2016, 2019 and 2022's Hyper-V, say) differ only in
      // the doc paths of the comments: the later ones get a one-line file that dot-sources the
      // first one's, so each binding exists once (both run in the module's scope).
      const firstOfBinding = new Map()
      for (const [docset, cmdlets] of [...perDocset].sort(([a], [b]) => a.localeCompare(b))) {
        const text = renderCommands(m, `docset/${docset}`, cmdlets)
        const binding = text.split('\n').filter((line) => !line.startsWith('#')).join('\n')
        const same = firstOfBinding.get(binding)
        if (same) {
          files.set(
            `${m}/Commands/${docset}.ps1`,
            `# Generated by scripts/generate-emulator.mjs from ps/emulator/reference/versions/*.json. Do not edit.
# ${m} as docset/${docset} documents it: the same cmdlets and parameter sets as docset/${same}
# documents (the doc files differ in nothing the binding uses), so the same commands.
. (Join-Path $PSScriptRoot '${same}.ps1')
`,
          )
        } else {
          firstOfBinding.set(binding, docset)
          files.set(`${m}/Commands/${docset}.ps1`, text)
        }
        hostRoots.get(docset).push([m, cmdlets.map((c) => c.cmdlet).sort()])
      }
    }
    const union = [...new Set(all.map((c) => c.cmdlet))].sort()
    files.set(`${m}/${m}.psd1`, renderManifest(m, union, `${m}.psm1`, 'The module folder\'s own manifest (import by path): the union of every version; the .psm1 defines what the host\'s OS has.'))
  }
  for (const [root, modules] of hostRoots) {
    const os = Object.entries(HOST_OS).filter(([, d]) => (d ?? NO_DOCSET_ROOT) === root).map(([o]) => o).join(', ')
    for (const [m, names] of modules) {
      files.set(`hosts/${root}/${m}/${m}.psd1`, renderManifest(m, names, `../../../${m}/${m}.psm1`, `The ${m} module of an emulated ${os} host (Initialize-HvEmulator puts ps/emulator/hosts/${root} on PSModulePath).`))
    }
  }
  return files
}

/** Generated files on disk that generate() no longer writes (old per-module Commands files and the like). */
function strayFiles(files) {
  const stray = []
  const walk = (dir) => (existsSync(dir) ? readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)])) : [])
  const candidates = [
    ...readdirSync(ROOT, {withFileTypes: true}).filter((e) => e.isDirectory()).flatMap((e) => [
      ...walk(join(ROOT, e.name, 'Commands')),
      ...(existsSync(join(ROOT, e.name, `${e.name}.Commands.ps1`)) ? [join(ROOT, e.name, `${e.name}.Commands.ps1`)] : []),
    ]),
    ...walk(join(ROOT, 'hosts')),
  ]
  for (const path of candidates) if (!files.has(relative(ROOT, path).split('\\').join('/'))) stray.push(path)
  return stray
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check')
  let stale = 0
  const files = generate()
  for (const [rel, text] of files) {
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
  for (const path of strayFiles(files)) {
    if (check) {
      console.error(`not generated (remove it): ps/emulator/${relative(ROOT, path)}`)
      stale++
    } else unlinkSync(path)
  }
  if (stale) {
    console.error('run: node scripts/generate-emulator.mjs')
    process.exit(1)
  }
}
