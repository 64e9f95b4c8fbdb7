#!/usr/bin/env node
/**
 * Generates ps/emulator/reference/hyperv-types/ from the stub of the real Hyper-V module that
 * dsccommunity/HyperVDsc generated on a Hyper-V host (tests/Unit/Stubs/Hyper-V.stubs.psm1, MIT
 * licence): the C# declarations of the Microsoft.HyperV.PowerShell.* / Microsoft.Vhd.PowerShell.*
 * classes whose objects hvguest's runtime reads and its emulator produces, with every enum their
 * properties use, and their base classes.
 *
 *   node scripts/generate-hyperv-types.mjs [--stub FILE]
 *   node scripts/generate-hyperv-types.mjs --check   (exit 1 unless hyperv-types.json is what Hyper-V.types.cs gives)
 *
 * Without --stub the file is downloaded from raw.githubusercontent.com at the pinned commit.
 * Writes Hyper-V.types.cs (the kept declarations, with a header naming source, commit and licence)
 * and hyperv-types.json (class -> base and properties {name, type}; enum -> flags and values
 * {name, value}). Run it again after changing KEEP; the output is deterministic.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const SOURCE = {
  repo: 'dsccommunity/HyperVDsc',
  path: 'tests/Unit/Stubs/Hyper-V.stubs.psm1',
  commit: '17e8eb77fc62312360892d74d8b3e6a0c58f1178',
  licence: 'MIT, Copyright (c) DSC Community contributors: LICENSE-HyperVDsc.txt in this folder (https://github.com/dsccommunity/HyperVDsc/blob/17e8eb77fc62312360892d74d8b3e6a0c58f1178/LICENSE)',
}

/** The classes hvguest depends on: what the runtime reads (docs/object-shapes.md) and what the emulator produces. */
export const KEEP = [
  'Microsoft.HyperV.PowerShell.VirtualMachine',
  'Microsoft.HyperV.PowerShell.HardDiskDrive',
  'Microsoft.HyperV.PowerShell.DvdDrive',
  'Microsoft.HyperV.PowerShell.VMNetworkAdapter',
  'Microsoft.HyperV.PowerShell.VMInternalNetworkAdapter',
  'Microsoft.HyperV.PowerShell.VMNetworkAdapterBase',
  'Microsoft.HyperV.PowerShell.VMNetworkAdapterVlanSetting',
  'Microsoft.HyperV.PowerShell.VMIntegrationComponent',
  'Microsoft.HyperV.PowerShell.VMIdeController',
  'Microsoft.HyperV.PowerShell.VMScsiController',
  'Microsoft.HyperV.PowerShell.VMDriveController',
  'Microsoft.HyperV.PowerShell.VMSwitch',
  'Microsoft.HyperV.PowerShell.VMHost',
  'Microsoft.HyperV.PowerShell.VMHostSupportedVersion',
  'Microsoft.HyperV.PowerShell.VMFirmware',
  'Microsoft.HyperV.PowerShell.VMBios',
  'Microsoft.HyperV.PowerShell.VMBootSource',
  'Microsoft.HyperV.PowerShell.VMProcessor',
  'Microsoft.HyperV.PowerShell.VMMemory',
  'Microsoft.HyperV.PowerShell.VMSnapshot',
  'Microsoft.Vhd.PowerShell.VirtualHardDisk',
]

const here = dirname(fileURLToPath(import.meta.url))
const OUT = join(here, '..', 'ps', 'emulator', 'reference', 'hyperv-types')

/** The C# of the stub (its Add-Type -TypeDefinition here-string). */
export function parseStub(text) {
  const start = text.indexOf("-TypeDefinition @'")
  const end = text.indexOf("\n'@", start)
  if (start < 0 || end < 0) throw new Error('no Add-Type -TypeDefinition here-string in the stub')
  return parseDeclarations(text.slice(text.indexOf('\n', start) + 1, end))
}

/** C# declarations as the stub writes them (and Hyper-V.types.cs keeps them): namespaces holding enums and classes with auto-properties. */
export function parseDeclarations(text) {
  const cs = text.replace(/\r\n/g, '\n')
  const types = new Map()
  let namespace = null
  const lines = cs.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const ns = /^namespace\s+([\w.]+)/.exec(line)
    if (ns) {
      namespace = ns[1]
      continue
    }
    const head = /^ {4}public (enum|class)\s+(\w+)(?:\s*:\s*([\w.]+))?/.exec(line)
    if (!head) continue
    const flags = /\[System\.Flags\]/.test(lines[i - 1] ?? '')
    const body = []
    let j = i + 1
    while (j < lines.length && !/^ {4}\}/.test(lines[j])) body.push(lines[j++])
    const decl = [...(flags ? [lines[i - 1]] : []), ...lines.slice(i, j + 1)].join('\n')
    const fullName = `${namespace}.${head[2]}`
    if (head[1] === 'enum') {
      const values = body.map((b) => /^\s+(\w+)\s*=\s*(-?\d+),?/.exec(b)).filter(Boolean).map((m) => ({name: m[1], value: Number(m[2])}))
      types.set(fullName, {kind: 'enum', namespace, name: head[2], flags, values, decl})
    } else {
      const properties = body
        .map((b) => /^\s+public\s+([\w.<>,\[\] ]+?)\s+(\w+)\s*\{\s*get;\s*set;\s*\}/.exec(b))
        .filter(Boolean)
        .map((m) => ({name: m[2], type: m[1].replace(/\s+/g, '')}))
      const base = head[3] ? (head[3].includes('.') ? head[3] : `${namespace}.${head[3]}`) : null
      const secondary = body.some((b) => /IsSecondaryStubType/.test(b))
      types.set(fullName, {kind: 'class', namespace, name: head[2], base, properties, secondary, decl})
    }
    i = j
  }
  return types
}

/** The type names a property type mentions (System.Nullable<X>, X[], List<X>...). */
function mentioned(type) {
  return type.split(/[<>,\[\]]/).filter((t) => t && !t.startsWith('System.'))
}

export function select(types, keep = KEEP) {
  const kept = new Map()
  const add = (name) => {
    if (kept.has(name)) return
    const t = types.get(name)
    if (!t) throw new Error(`${name} is not in the stub`)
    kept.set(name, t)
    if (t.kind === 'class') {
      if (t.base) add(t.base)
      for (const p of t.properties) for (const m of mentioned(p.type)) if (types.get(m)?.kind === 'enum') add(m)
    }
  }
  for (const k of keep) add(k)
  return new Map([...kept.entries()].sort(([a], [b]) => a.localeCompare(b)))
}

export function toJson(kept) {
  const classes = {}
  const enums = {}
  for (const [name, t] of kept) {
    if (t.kind === 'enum') enums[name] = {flags: t.flags, values: t.values}
    else classes[name] = {base: t.base, ...(t.secondary ? {secondaryStub: true} : {}), properties: t.properties}
  }
  return {
    _meta: {
      source: `https://github.com/${SOURCE.repo}/blob/${SOURCE.commit}/${SOURCE.path}`,
      repo: SOURCE.repo,
      path: SOURCE.path,
      commit: SOURCE.commit,
      licence: SOURCE.licence,
      generatedBy: 'scripts/generate-hyperv-types.mjs',
      note: 'The .NET properties of the classes, as the stub declares them (generated from the Hyper-V module 2.0.0.0 of a host). Extended type data (AliasProperty, ScriptProperty from the module\'s .ps1xml) is not in the stub. A class marked secondaryStub is only a placeholder there (its properties are unknown).',
    },
    classes,
    enums,
  }
}

export function toCs(kept) {
  const header = [
    '// The C# declarations of the real Hyper-V module\'s output classes that hvguest depends on,',
    `// kept verbatim from ${SOURCE.repo} ${SOURCE.path}`,
    `// at commit ${SOURCE.commit}`,
    `// (https://github.com/${SOURCE.repo}/blob/${SOURCE.commit}/${SOURCE.path}),`,
    '// which HyperVDsc generated from the Hyper-V module 2.0.0.0 of a Hyper-V host.',
    `// Licence: ${SOURCE.licence}.`,
    '// Generated by scripts/generate-hyperv-types.mjs; do not edit by hand.',
    '',
  ]
  const out = [...header]
  const byNs = new Map()
  for (const t of kept.values()) byNs.set(t.namespace, [...(byNs.get(t.namespace) ?? []), t])
  for (const [ns, ts] of [...byNs.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`namespace ${ns}`, '{')
    out.push(ts.map((t) => t.decl).join('\n\n'))
    out.push('}', '')
  }
  return out.join('\n')
}

async function main() {
  if (process.argv.includes('--check')) {
    const kept = select(parseDeclarations(readFileSync(join(OUT, 'Hyper-V.types.cs'), 'utf8')))
    const want = JSON.stringify(toJson(kept), null, 2) + '\n'
    const have = readFileSync(join(OUT, 'hyperv-types.json'), 'utf8')
    if (want !== have) {
      console.error('hyperv-types.json is not what Hyper-V.types.cs gives: run node scripts/generate-hyperv-types.mjs')
      process.exit(1)
    }
    console.log(`hyperv-types.json matches Hyper-V.types.cs (${kept.size} declarations)`)
    return
  }
  const i = process.argv.indexOf('--stub')
  let text
  if (i > 0) text = readFileSync(process.argv[i + 1], 'utf8')
  else {
    const url = `https://raw.githubusercontent.com/${SOURCE.repo}/${SOURCE.commit}/${SOURCE.path}`
    const r = await fetch(url)
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`)
    text = await r.text()
  }
  const kept = select(parseStub(text))
  writeFileSync(join(OUT, 'Hyper-V.types.cs'), toCs(kept))
  writeFileSync(join(OUT, 'hyperv-types.json'), JSON.stringify(toJson(kept), null, 2) + '\n')
  console.log(`wrote ${kept.size} declarations to ${OUT}`)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main()
