#!/usr/bin/env node
// Writes the per-version references ps/emulator/reference/versions/<docset>.json (one per Windows
// Server docset of github.com/MicrosoftDocs/windows-powershell-docs) and host-os.json (host OS name
// -> docset). They cover every cmdlet the runtime (ps/HvGuest) or the emulator (ps/emulator) uses:
// the cmdlets of ps/emulator/reference/hyperv-cmdlets.json and extra-cmdlets.json.
//
// Two stages, so that regenerating needs no network and no clone:
//   1. extract (needs a git directory of windows-powershell-docs): reads each cmdlet's doc file of
//      each docset at the pinned commit and keeps, verbatim, what the reference is built from (front
//      matter, SYNTAX blocks, PARAMETERS yaml blocks, INPUTS/OUTPUTS headings) in
//      ps/emulator/reference/versions/doc-excerpts.json (committed; one excerpt per distinct blob).
//   2. build (always): parses the excerpts (SYNTAX tokenised for mandatory/positional, the yaml for
//      position, aliases, pipeline input, accepted values: the method of hyperv-cmdlets.json
//      _meta.method, as scripts/generate-emulator-extra-reference.mjs applies it) and writes the
//      version files.
//
// Usage:
//   node scripts/generate-version-reference.mjs                      build from the committed excerpts
//   node scripts/generate-version-reference.mjs --git-dir <path>     extract at the pinned commit, then build
//        [--commit <sha>]                                            (another commit: also pin it below)
//   node scripts/generate-version-reference.mjs --check              exit 1 when a committed file differs
//   node scripts/generate-version-reference.mjs --table <report.json>
//        prints the Markdown table of docs/host-versions.md: each cmdlet/parameter the runtime passes
//        (the calls of a test/fixtures/runtime/check-runtime-source.ps1 report) that some version lacks
// <path> is a git directory (bare is fine) of github.com/MicrosoftDocs/windows-powershell-docs, e.g.
// from `git clone --bare https://github.com/MicrosoftDocs/windows-powershell-docs`.
//
// The pinned commit is the last one that holds all six docsets: its child 374feaa9 ("Remove archived
// content", 2025-05-13) deleted winserver2012-ps and winserver2012r2-ps. The later commits up to
// f113d6bd (the commit of hyperv-cmdlets.json) change the 2016-2025 files of these cmdlets only by
// folder case and front-matter whitespace.
import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const PINNED_COMMIT = '93986fd2fff9f5b715ad56418b50192ccc7c5128'
export const DOCSETS = ['winserver2012-ps', 'winserver2012r2-ps', 'winserver2016-ps', 'winserver2019-ps', 'winserver2022-ps', 'winserver2025-ps']
const REPO = 'MicrosoftDocs/windows-powershell-docs'
const REFERENCE = fileURLToPath(new URL('../ps/emulator/reference/', import.meta.url))
const VERSIONS = join(REFERENCE, 'versions')
const EXCERPTS = join(VERSIONS, 'doc-excerpts.json')

// Host OS names hvguest accepts (src/inventory) -> the docset whose cmdlets that host has.
// Windows 10/11 use the server docset of the same build: Windows 10 1809 and Server 2019 are build
// 17763; Windows 11 24H2 and Server 2025 are build 26100. 2008 and 2008 R2 have no Hyper-V module
// (their Hyper-V is managed through WMI only), so no docset.
export const HOST_OS_DOCSET = {
  'windows-server-2008': null,
  'windows-server-2008r2': null,
  'windows-server-2012': 'winserver2012-ps',
  'windows-server-2012r2': 'winserver2012r2-ps',
  'windows-server-2016': 'winserver2016-ps',
  'windows-server-2019': 'winserver2019-ps',
  'windows-server-2022': 'winserver2022-ps',
  'windows-server-2025': 'winserver2025-ps',
  'windows-10': 'winserver2019-ps',
  'windows-11': 'winserver2025-ps',
}

// Facts of real hosts (docs/host-versions.md, section 5) that the docsets must agree
// with: the build fails if one contradicts them. Generation 2 VMs and Set-VMFirmware arrived with
// 2012 R2; CheckpointType (production checkpoints), -SecureBootTemplate and
// Get-VMHostSupportedVersion with 2016; the NetNat module (WinNAT) with 2012 R2.
const KNOWN_HOST_FACTS = [
  {docset: 'winserver2012-ps', cmdlet: 'New-VM', parameter: 'Generation', present: false},
  {docset: 'winserver2012r2-ps', cmdlet: 'New-VM', parameter: 'Generation', present: true},
  {docset: 'winserver2012-ps', cmdlet: 'Set-VM', parameter: 'CheckpointType', present: false},
  {docset: 'winserver2012r2-ps', cmdlet: 'Set-VM', parameter: 'CheckpointType', present: false},
  {docset: 'winserver2016-ps', cmdlet: 'Set-VM', parameter: 'CheckpointType', present: true},
  {docset: 'winserver2012r2-ps', cmdlet: 'Set-VMFirmware', parameter: 'SecureBootTemplate', present: false},
  {docset: 'winserver2016-ps', cmdlet: 'Set-VMFirmware', parameter: 'SecureBootTemplate', present: true},
  {docset: 'winserver2012-ps', cmdlet: 'Set-VMFirmware', present: false},
  {docset: 'winserver2012r2-ps', cmdlet: 'Get-VMHostSupportedVersion', present: false},
  {docset: 'winserver2016-ps', cmdlet: 'Get-VMHostSupportedVersion', present: true},
  {docset: 'winserver2012-ps', cmdlet: 'New-NetNat', present: false},
  {docset: 'winserver2012r2-ps', cmdlet: 'New-NetNat', present: true},
]

/** The cmdlets to cover: today's two references (their module spelling and fallback entries). */
function loadCurrentReferences() {
  const entries = new Map()
  for (const file of ['hyperv-cmdlets.json', 'extra-cmdlets.json']) {
    const ref = JSON.parse(readFileSync(join(REFERENCE, file), 'utf8'))
    for (const c of Object.values(ref.cmdlets)) entries.set(c.cmdlet, {...c, referenceFile: file})
  }
  return entries
}

// ---------------------------------------------------------------- stage 1: extract from git

function git(gitDir, args, input) {
  return execFileSync('git', ['--git-dir', gitDir, ...args], {input, maxBuffer: 1 << 28})
}

/** The parts of a doc file the build reads, verbatim (everything else is prose). */
export function excerptOf(text) {
  const lines = text.replace(/\r\n/g, '\n').split('\n')
  const front = {}
  let i = 0
  if (lines[0] === '---') {
    for (i = 1; i < lines.length && lines[i] !== '---'; i++) {
      const m = /^([^:]+):\s*(.*)$/.exec(lines[i])
      if (m) front[m[1].trim()] = m[2].trim()
    }
    i++
  }
  const out = {frontMatter: front, syntax: [], parameters: [], inputs: [], outputs: []}
  let section = null
  let heading = null
  let fence = null
  let block = []
  for (; i < lines.length; i++) {
    const line = lines[i]
    if (fence !== null) {
      if (/^\s*```\s*$/.test(line)) {
        if (section === 'SYNTAX' && fence !== 'yaml') out.syntax.push({heading, text: block.join('\n')})
        if (section === 'PARAMETERS' && fence === 'yaml' && heading?.startsWith('-')) {
          out.parameters.at(-1).yaml.push(block.join('\n'))
        }
        fence = null
        block = []
      } else block.push(line)
      continue
    }
    const fenceOpen = /^\s*```\s*(\w*)\s*$/.exec(line)
    if (fenceOpen) {
      fence = fenceOpen[1].toLowerCase()
      continue
    }
    const h2 = /^## (.+?)\s*$/.exec(line)
    if (h2) {
      section = h2[1].toUpperCase()
      heading = null
      continue
    }
    const h3 = /^### (.+?)\s*$/.exec(line)
    if (h3) {
      heading = h3[1]
      if (section === 'PARAMETERS' && heading.startsWith('-')) out.parameters.push({name: heading.slice(1).trim(), yaml: []})
      if (section === 'INPUTS') out.inputs.push(heading)
      if (section === 'OUTPUTS') out.outputs.push(heading)
    }
  }
  return out
}

export function extract(gitDir, commit) {
  const current = loadCurrentReferences()
  const tree = git(gitDir, ['ls-tree', '-r', commit, '--', 'docset']).toString('utf8')
  const blobs = new Map() // path (lower case) -> {path, blob}
  for (const line of tree.split('\n')) {
    const m = /^\d+ blob ([0-9a-f]{40})\t(.+)$/.exec(line)
    if (m) blobs.set(m[2].toLowerCase(), {path: m[2], blob: m[1]})
  }
  const docsets = {}
  const wanted = new Map()
  for (const docset of DOCSETS) {
    docsets[docset] = {}
    for (const name of [...current.keys()].sort()) {
      // The doc folder's case differs between docsets (hyper-v, Hyper-V); match case-insensitively.
      const hits = [...blobs.values()].filter((b) => b.path.toLowerCase().startsWith(`docset/${docset}/`) && new RegExp(`^docset/${docset}/[^/]+/${name}\\.md$`, 'i').test(b.path))
      if (hits.length > 1) throw new Error(`${docset}: more than one doc file for ${name}: ${hits.map((h) => h.path).join(', ')}`)
      if (!hits.length) continue
      docsets[docset][name] = {docFile: hits[0].path, blob: hits[0].blob}
      wanted.set(hits[0].blob, true)
    }
  }
  const ids = [...wanted.keys()].sort()
  const batch = git(gitDir, ['cat-file', '--batch'], ids.join('\n') + '\n')
  const excerpts = {}
  // git cat-file --batch: "<sha> blob <size>\n<size bytes>\n" per object.
  let pos = 0
  for (const id of ids) {
    const eol = batch.indexOf(0x0a, pos)
    const header = batch.subarray(pos, eol).toString('utf8')
    const [sha, kind, size] = header.split(' ')
    if (sha !== id || kind !== 'blob') throw new Error(`git cat-file: unexpected header ${header}`)
    excerpts[id] = excerptOf(batch.subarray(eol + 1, eol + 1 + Number(size)).toString('utf8'))
    pos = eol + 1 + Number(size) + 1
  }
  return {
    _meta: {
      source: `github.com/${REPO}`,
      commit,
      commitNote: 'The last commit holding all six docsets (its child 374feaa9 removed winserver2012-ps and winserver2012r2-ps).',
      extractedBy: 'scripts/generate-version-reference.mjs --git-dir <windows-powershell-docs git dir>',
      cmdletsLookedUp: [...current.keys()].sort(),
      content: 'Per docset, each cmdlet\'s doc file and blob; per blob, verbatim: the front matter, each SYNTAX heading and code block, each PARAMETERS heading with its yaml blocks, and the INPUTS/OUTPUTS headings. Prose is left out.',
    },
    docsets,
    excerpts,
  }
}

// ---------------------------------------------------------------- stage 2: build

const SSP = new Set(['WhatIf', 'Confirm'])

/** Tokenises a SYNTAX line per hyperv-cmdlets.json _meta.method. */
export function tokenize(syntax) {
  const out = []
  const re = /(\[\[-(\w+)\]\s*<([^>]+)>\])|(\[-(\w+)\]\s*<([^>]+)>)|(\[-(\w+)\s+<([^>]+)>\])|(\[-(\w+)\])|(-(\w+)\s+<([^>]+)>)/g
  for (const m of syntax.matchAll(re)) {
    if (m[1]) out.push({name: m[2], type: m[3], mandatory: false, positional: true})
    else if (m[4]) out.push({name: m[5], type: m[6], mandatory: true, positional: true})
    else if (m[7]) out.push({name: m[8], type: m[9], mandatory: false, positional: false})
    else if (m[10]) out.push({name: m[11], type: 'SwitchParameter', mandatory: false, positional: false})
    else if (m[12]) out.push({name: m[13], type: m[14], mandatory: true, positional: false})
  }
  // A bare mandatory switch ("-ManagementOS" with no type) is not in the grammar above; the docs
  // seen show set-identifying switches bracketed, so none is expected.
  return out
}

function parseYaml(text) {
  const y = {}
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z ]+):\s*(.*)$/.exec(line)
    if (m) y[m[1].trim()] = m[2].trim()
  }
  const sets = (y['Parameter Sets'] ?? '(All)').trim()
  // Some docs name a set with its heading's "(Default)" mark in the yaml too.
  const setName = (x) => x.trim().replace(/\s*\((?:default)\)$/i, '')
  return {
    type: y.Type,
    sets: sets === '(All)' ? null : sets.split(',').map(setName).filter(Boolean),
    aliases: (y.Aliases ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    accepted: y['Accepted values'] ? y['Accepted values'].split(',').map((s) => s.trim()).filter(Boolean) : null,
    required: /^true/i.test(y.Required ?? ''),
    position: /^\d+$/.test(y.Position ?? '') ? Number(y.Position) : undefined,
    defaultValue: y['Default value'],
    pipeline: y['Accept pipeline input'] ?? 'False',
    wildcards: /^true/i.test(y['Accept wildcard characters'] ?? ''),
  }
}

function splitHeading(heading) {
  if (!heading) return {name: '__AllParameterSets', isDefault: true, suffix: null, full: null}
  const m = /^(.*?)\s*\(([^)]*)\)\s*$/.exec(heading)
  if (!m) return {name: heading.trim(), isDefault: false, suffix: null, full: heading.trim()}
  if (/^default$/i.test(m[2].trim())) return {name: m[1].trim(), isDefault: true, suffix: null, full: m[1].trim()}
  return {name: m[1].trim(), isDefault: false, suffix: m[2].trim(), full: heading.trim()}
}

/** One cmdlet's reference entry from its doc excerpt (the hyperv-cmdlets.json schema). */
export function buildCmdlet(name, module, docset, doc, excerpt, commit, defaultElsewhere) {
  const discrepancies = []
  const yamlByParam = new Map(excerpt.parameters.map((p) => [p.name.toLowerCase(), p.yaml.map(parseYaml)]))
  const headings = excerpt.syntax.map((s) => splitHeading(s.heading))
  const sets = excerpt.syntax.map((s, index) => {
    const h = headings[index]
    const syntax = s.text.split('\n').map((l) => l.trim()).filter(Boolean).join(' ')
    if (!syntax.startsWith(name)) discrepancies.push(`${name}/${h.name}: SYNTAX block does not start with the cmdlet name`)
    const parameters = tokenize(syntax).map((tok) => {
      if (SSP.has(tok.name)) {
        return {name: tok.name, type: 'SwitchParameter', mandatory: false, aliases: [tok.name === 'WhatIf' ? 'wi' : 'cf'], defaultValue: 'False', switch: true}
      }
      const blocks = yamlByParam.get(tok.name.toLowerCase())
      const p = {name: tok.name, type: tok.type, mandatory: tok.mandatory}
      if (!blocks?.length) {
        discrepancies.push(`${name}/${h.name}: -${tok.name} is in SYNTAX but has no PARAMETERS entry (bound from SYNTAX alone)`)
        if (tok.type === 'SwitchParameter') p.switch = true
        return p
      }
      const inSet = (b) => b.sets === null || b.sets.includes(h.name) || (h.full !== null && b.sets.includes(h.full))
      let y = blocks.find(inSet)
      if (!y) {
        y = blocks[0]
        discrepancies.push(`${name}/${h.name}: -${tok.name} is in SYNTAX of this set but its yaml lists ${y.sets.join(', ')} (yaml facts taken from that block)`)
      }
      if (y.type && y.type !== tok.type) {
        discrepancies.push(`${name}/${h.name}: -${tok.name} type ${tok.type} in SYNTAX, ${y.type} in yaml (SYNTAX type kept)`)
      }
      if (tok.positional !== (y.position !== undefined)) {
        discrepancies.push(`${name}/${h.name}: -${tok.name} positional=${tok.positional} in SYNTAX, yaml position ${y.position ?? 'Named'}`)
      }
      if (y.position !== undefined) p.position = y.position
      if (y.aliases.length) p.aliases = y.aliases
      if (/^true/i.test(y.pipeline)) p.pipelineInput = y.pipeline
      if (y.accepted) p.acceptedValues = y.accepted
      if (y.wildcards) p.wildcards = true
      if (y.required && !tok.mandatory) {
        p.yamlRequired = true
        discrepancies.push(`${name}/${h.name}: -${tok.name} mandatory=False in SYNTAX but yaml Required=True`)
      }
      if (tok.type === 'SwitchParameter') p.switch = true
      return p
    })
    // The converted 2012 docs write an alias (-VMNetworkAdapterName of -Name) into SYNTAX as a
    // parameter of its own; no command can have both, so it stays an alias only.
    const aliasOf = new Map(parameters.flatMap((p) => (p.aliases ?? []).map((a) => [a.toLowerCase(), p.name])))
    for (let k = parameters.length - 1; k >= 0; k--) {
      const owner = aliasOf.get(parameters[k].name.toLowerCase())
      if (owner && owner !== parameters[k].name) {
        discrepancies.push(`${name}/${h.name}: -${parameters[k].name} is in SYNTAX and also the yaml alias of -${owner}; kept as the alias only (a command cannot have both)`)
        parameters.splice(k, 1)
      }
    }
    const positions = new Map()
    for (const p of parameters) {
      if (p.position === undefined) continue
      if (positions.has(p.position)) {
        discrepancies.push(`${name}/${h.name}: yaml gives position ${p.position} to both -${positions.get(p.position)} and -${p.name} (doc quirk; real binder order unknown)`)
      } else positions.set(p.position, p.name)
    }
    const set = {name: h.name, isDefault: h.isDefault}
    if (h.suffix) set.headingSuffix = h.suffix
    return Object.assign(set, {syntax, parameters})
  })
  // A single unnamed SYNTAX block is the cmdlet's only set.
  if (sets.length === 1 && headings[0].full === null) sets[0].isDefault = true
  if (sets.length > 1 && !sets.some((s) => s.isDefault)) {
    discrepancies.push(`${name}: SYNTAX marks no default parameter set${defaultElsewhere ? ' (other docsets do)' : ''}`)
  }
  if (sets.some((s) => /^UNNAMED_PARAMETER_SET_\d+$/.test(s.name))) {
    discrepancies.push(`${name}: the doc names its parameter sets UNNAMED_PARAMETER_SET_n (placeholders of the doc conversion; the real set names are not documented)`)
  }
  const bound = new Set(sets.flatMap((s) => s.parameters.map((p) => p.name.toLowerCase())))
  for (const p of excerpt.parameters) {
    if (!bound.has(p.name.toLowerCase())) discrepancies.push(`${name}: -${p.name} has a PARAMETERS entry but is in no SYNTAX block (not bound)`)
  }
  const commonParameters = excerpt.syntax.length > 0 && excerpt.syntax.every((s) => s.text.includes('<CommonParameters>'))
  if (!commonParameters) discrepancies.push(`${name}: SYNTAX omits [<CommonParameters>] (a compiled or CDXML cmdlet has them all the same)`)
  const shouldProcess = sets.some((s) => s.parameters.some((p) => p.name === 'WhatIf'))
  const entry = {
    cmdlet: name,
    module,
    externalHelpFile: excerpt.frontMatter['external help file'] ?? null,
    docFile: doc.docFile,
    docRepo: REPO,
    docCommit: commit,
    docBlob: doc.blob,
    docset,
  }
  if (excerpt.frontMatter['online version']) entry.onlineVersion = excerpt.frontMatter['online version']
  if (excerpt.frontMatter['ms.date']) entry.docMsDate = excerpt.frontMatter['ms.date']
  Object.assign(entry, {
    defaultParameterSet: sets.find((s) => s.isDefault)?.name ?? null,
    supportsCommonParameters: commonParameters,
    supportsShouldProcess: shouldProcess,
    parameterSets: sets,
    inputs: excerpt.inputs.filter((x) => !/^none$/i.test(x)),
    outputs: excerpt.outputs,
    docDiscrepancies: discrepancies,
  })
  return entry
}

const UNNAMED = /^UNNAMED_PARAMETER_SET_\d+$/

/**
 * The converted 2012 docs name sets UNNAMED_PARAMETER_SET_n and mark no default. The real 2012
 * cmdlets had names (the binder and Get-Command show them), and the emulator's handlers go by
 * them, so each such set gets inferredName: the name of the set of the next docset's same cmdlet
 * that holds all of its mandatory parameters and shares the most parameters (Jaccard >= 0.5),
 * each next-docset set used once. inferredDefaultParameterSet: the set inferred as the next
 * docset's default, else the first set listed (where every marked default is, in every docset
 * that marks one). Inference, not doc text; recorded in docDiscrepancies.
 */
function inferSetNames(entry, next) {
  if (!entry.parameterSets.some((s) => UNNAMED.test(s.name)) || entry.defaultParameterSet) return
  const names = (set) => new Set(set.parameters.map((p) => p.name).filter((n) => !SSP.has(n)))
  const pairs = []
  if (next && !next.parameterSets.some((s) => UNNAMED.test(s.name))) {
    for (const s of entry.parameterSets) {
      const mine = names(s)
      const mandatory = s.parameters.filter((p) => p.mandatory || p.yamlRequired).map((p) => p.name)
      for (const t of next.parameterSets) {
        const theirs = names(t)
        if (!mandatory.every((m) => theirs.has(m))) continue
        const shared = [...mine].filter((n) => theirs.has(n)).length
        const jaccard = shared / new Set([...mine, ...theirs]).size
        if (jaccard >= 0.5) pairs.push({s, t, jaccard})
      }
    }
  }
  pairs.sort((x, y) => y.jaccard - x.jaccard || entry.parameterSets.indexOf(x.s) - entry.parameterSets.indexOf(y.s))
  const taken = new Set()
  const named = new Set()
  for (const {s, t, jaccard} of pairs) {
    if (named.has(s) || taken.has(t.name) || !UNNAMED.test(s.name)) continue
    s.inferredName = t.name
    named.add(s)
    taken.add(t.name)
    entry.docDiscrepancies.push(`${entry.cmdlet}/${s.name}: inferredName ${t.name} (the ${next.docset} set with its mandatory parameters, ${Math.round(jaccard * 100)}% of the parameters shared; inference)`)
  }
  const nextDefault = next?.defaultParameterSet
  const byNext = entry.parameterSets.find((s) => s.inferredName && s.inferredName === nextDefault)
  entry.inferredDefaultParameterSet = (byNext ?? entry.parameterSets[0]).name
  entry.docDiscrepancies.push(`${entry.cmdlet}: inferredDefaultParameterSet ${entry.inferredDefaultParameterSet} (${byNext ? `the set inferred as ${next.docset}'s default ${nextDefault}` : 'the first set listed'}; inference)`)
}

const PRIMITIVE = /^(String|Char|Boolean|S?Byte|U?Int(16|32|64)|Single|Double|Decimal|Guid|Version|Uri|DateTime|TimeSpan|PSObject|Object|PSCredential|SwitchParameter|StringCollection|Hashtable|ScriptBlock|CimSession|CimInstance)$/

/**
 * The 2012 docs give an enum-typed parameter (ControllerType, OnOffState, BootDevice...) no
 * "Accepted values", so the emulator would bind it as an object of that type and refuse the
 * string the runtime passes, as no real host does. Such a parameter gets the values of the same
 * cmdlet's parameter in the nearest later docset, else of the same type elsewhere in this or the
 * nearest later docset (acceptedValuesFrom says where; recorded in docDiscrepancies).
 */
function borrowAcceptedValues(perDocset) {
  const base = (t) => t.replace(/\[\]$/, '')
  const byType = new Map(DOCSETS.map((d) => [d, new Map()]))
  for (const d of DOCSETS) {
    for (const c of Object.values(perDocset.get(d))) {
      for (const set of c.parameterSets) for (const p of set.parameters) if (p.acceptedValues && !byType.get(d).has(base(p.type))) byType.get(d).set(base(p.type), p.acceptedValues)
    }
  }
  for (const [i, d] of DOCSETS.entries()) {
    for (const c of Object.values(perDocset.get(d))) {
      if (c.versionIndependent) continue
      const noted = new Set()
      for (const set of c.parameterSets) {
        for (const p of set.parameters) {
          if (p.acceptedValues || PRIMITIVE.test(base(p.type))) continue
          let found = null
          for (const later of DOCSETS.slice(i + 1)) {
            const other = perDocset.get(later)[c.cmdlet]
            const q = other?.parameterSets.flatMap((x) => x.parameters).find((x) => x.name === p.name && base(x.type) === base(p.type) && x.acceptedValues)
            if (q) { found = {values: q.acceptedValues, from: `${later} ${c.cmdlet} -${p.name}`}; break }
          }
          for (const later of DOCSETS.slice(i)) {
            if (found) break
            const values = byType.get(later).get(base(p.type))
            if (values) found = {values, from: `${later} type ${base(p.type)}`}
          }
          if (!found) continue
          p.acceptedValues = found.values
          p.acceptedValuesFrom = found.from
          if (!noted.has(p.name)) {
            noted.add(p.name)
            c.docDiscrepancies.push(`${c.cmdlet}: -${p.name} (${p.type}) has no accepted values in this doc; acceptedValues from ${found.from} (inference)`)
          }
        }
      }
    }
  }
}

/** All version files (name -> text) from the excerpts. */
export function build(excerpts) {
  const current = loadCurrentReferences()
  const files = new Map()
  const commit = excerpts._meta.commit
  const looked = new Set(excerpts._meta.cmdletsLookedUp)
  const missing = [...current.keys()].filter((n) => !looked.has(n))
  if (missing.length) {
    throw new Error(`doc-excerpts.json was extracted before ${missing.join(', ')} joined the references: run node scripts/generate-version-reference.mjs --git-dir <windows-powershell-docs git dir>`)
  }
  const independent = [...current.values()].filter((c) => !DOCSETS.some((d) => excerpts.docsets[d][c.cmdlet])).map((c) => c.cmdlet).sort()
  const facts = []
  const perDocset = new Map()
  for (const docset of [...DOCSETS].reverse()) {
    const cmdlets = {}
    const names = [...current.keys()].sort()
    for (const name of names) {
      const doc = excerpts.docsets[docset][name]
      if (doc) {
        const defaultElsewhere = DOCSETS.some((d) => {
          const other = excerpts.docsets[d][name]
          return other && excerpts.excerpts[other.blob].syntax.some((x) => /\(default\)\s*$/i.test(x.heading ?? ''))
        })
        cmdlets[name] = buildCmdlet(name, current.get(name).module, docset, doc, excerpts.excerpts[doc.blob], commit, defaultElsewhere)
      } else if (independent.includes(name)) {
        // Not in any server docset (Get-CimInstance, from PowerShell-Docs): the same entry in every file.
        const {referenceFile, docNotes, ...entry} = current.get(name)
        cmdlets[name] = {...entry, versionIndependent: true, versionIndependentSource: `ps/emulator/reference/${referenceFile}`}
      }
    }
    const next = perDocset.get(DOCSETS[DOCSETS.indexOf(docset) + 1])
    for (const [name, entry] of Object.entries(cmdlets)) if (!entry.versionIndependent) inferSetNames(entry, next?.[name])
    perDocset.set(docset, cmdlets)
  }
  borrowAcceptedValues(perDocset)
  for (const docset of DOCSETS) {
    const cmdlets = perDocset.get(docset)
    for (const f of KNOWN_HOST_FACTS.filter((x) => x.docset === docset)) {
      const c = cmdlets[f.cmdlet]
      const has = f.parameter ? !!c && c.parameterSets.some((s) => s.parameters.some((p) => p.name === f.parameter)) : !!c
      if (has !== f.present) throw new Error(`${docset} contradicts a known host fact: ${f.cmdlet}${f.parameter ? ' -' + f.parameter : ''} ${f.present ? 'present' : 'absent'} on a real host`)
      facts.push(`${docset}: ${f.cmdlet}${f.parameter ? ' -' + f.parameter : ''} ${f.present ? 'present' : 'absent'}`)
    }
    const hosts = Object.entries(HOST_OS_DOCSET).filter(([, d]) => d === docset).map(([os]) => os)
    const result = {
      _meta: {
        source: `github.com/${REPO}`,
        commit,
        docset,
        docsetPath: `docset/${docset}`,
        hostOs: hosts,
        generatedBy: 'scripts/generate-version-reference.mjs (from ps/emulator/reference/versions/doc-excerpts.json; --git-dir <path> re-extracts them)',
        method: 'SYNTAX code blocks tokenised: \'-P <T>\' = mandatory named; \'[-P] <T>\' = mandatory positional; \'[[-P] <T>]\' = optional positional; \'[-P <T>]\' = optional named; \'[-P]\' = optional switch. position/acceptedValues/aliases/pipelineInput/wildcards from the PARAMETERS yaml block whose \'Parameter Sets\' covers that set. \'mandatory\' always reflects SYNTAX; yamlRequired marks a parameter shown optional in SYNTAX but Required: True in yaml (set-identifying switches), which the emulator binds as mandatory. Conflicts are listed per cmdlet in docDiscrepancies. Parameter set names are the SYNTAX headings; a heading suffix other than (Default) is kept as headingSuffix.',
        cmdletsCovered: 'Every cmdlet of ps/emulator/reference/hyperv-cmdlets.json and extra-cmdlets.json (what the runtime and the emulator use). A cmdlet this docset does not document is absent: the host of this version has no such command.',
        versionIndependent: `${independent.join(', ') || 'none'}: not in the Windows Server docsets; the same entry (versionIndependent: true, copied from its reference file, which names its own docRepo/docCommit) in every version file.`,
        knownHostFacts: 'Checked on every build; the build fails if the docs contradict one: ' + KNOWN_HOST_FACTS.filter((x) => x.docset === docset).map((f) => `${f.cmdlet}${f.parameter ? ' -' + f.parameter : ''} ${f.present ? 'present' : 'absent'}`).join('; '),
        commonParametersNote: 'supportsCommonParameters=true means [<CommonParameters>] appears in every SYNTAX block; the 2012 and 2012 R2 docs often omit it, yet every cmdlet has the common parameters. WhatIf/Confirm are listed explicitly as parameters when present.',
      },
      cmdlets,
    }
    files.set(`${docset}.json`, JSON.stringify(result, null, 1) + '\n')
  }
  const hostOs = {
    _meta: {
      what: 'Each host OS name hvguest accepts -> the docset (ps/emulator/reference/versions/<docset>.json) whose cmdlets that host has; null: no Hyper-V PowerShell module.',
      why: 'Windows 10 1809 and Windows Server 2019 are build 17763; Windows 11 24H2 and Windows Server 2025 are build 26100: a client uses the server docset of its build. Windows Server 2008 and 2008 R2 have no Hyper-V module (it came with Windows Server 2012 / Windows 8).',
      generatedBy: 'scripts/generate-version-reference.mjs',
    },
    hosts: HOST_OS_DOCSET,
  }
  files.set('host-os.json', JSON.stringify(hostOs, null, 1) + '\n')
  return {files, facts}
}

function argValue(flag) {
  const i = process.argv.indexOf(flag)
  return i > 0 ? process.argv[i + 1] : undefined
}

const SHORT = {'winserver2012-ps': '2012', 'winserver2012r2-ps': '2012 R2', 'winserver2016-ps': '2016', 'winserver2019-ps': '2019', 'winserver2022-ps': '2022', 'winserver2025-ps': '2025'}

/** The version-differences table (Markdown) for the calls of a runtime-source checker report. */
export function versionTable(report) {
  const versions = Object.fromEntries(DOCSETS.map((d) => [d, JSON.parse(readFileSync(join(VERSIONS, `${d}.json`), 'utf8')).cmdlets]))
  const has = (d, c, p) => {
    const x = versions[d][c]
    if (!x) return false
    if (!p) return true
    const n = p.toLowerCase()
    return x.parameterSets.some((s) => s.parameters.some((q) => q.name.toLowerCase() === n || (q.aliases ?? []).some((a) => a.toLowerCase() === n)))
  }
  const used = new Map()
  for (const c of report.calls) {
    if (!DOCSETS.some((d) => versions[d][c.command])) continue
    if (!used.has(c.command)) used.set(c.command, new Set())
    for (const p of [...c.parameters, ...c.splatted]) used.get(c.command).add(p)
  }
  const rows = []
  for (const [c, ps] of [...used].sort(([a], [b]) => a.localeCompare(b))) {
    const lackCmdlet = DOCSETS.filter((d) => !has(d, c))
    if (lackCmdlet.length) rows.push([c, '(the cmdlet)', lackCmdlet])
    for (const p of [...ps].sort()) {
      const lack = DOCSETS.filter((d) => has(d, c) && !has(d, c, p))
      if (lack.length && DOCSETS.some((d) => has(d, c, p))) rows.push([c, `-${p}`, lack])
    }
  }
  const out = ['| Cmdlet | Parameter | Absent on | First in | Doc files (last without → first with) |', '| --- | --- | --- | --- | --- |']
  for (const [c, p, lack] of rows) {
    const first = DOCSETS.find((d) => !lack.includes(d) && has(d, c))
    const lastWithout = [...lack].reverse().find((d) => versions[d][c])
    const files = [lastWithout && versions[lastWithout][c].docFile, versions[first][c].docFile].filter(Boolean).map((f) => '`' + f.replace(/^docset\//, '') + '`')
    out.push(`| ${c} | ${p} | ${lack.map((d) => SHORT[d]).join(', ')} | ${SHORT[first]} | ${files.join(' → ')} |`)
  }
  return out.join('\n') + '\n'
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && argValue('--table')) {
  const text = readFileSync(argValue('--table'), 'utf8').trim().split('\n').pop()
  process.stdout.write(versionTable(JSON.parse(text)))
  process.exit(0)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check')
  const gitDir = argValue('--git-dir')
  const outputs = new Map()
  let excerpts
  if (gitDir) {
    if (!existsSync(gitDir)) throw new Error(`no git directory at ${gitDir}`)
    excerpts = extract(gitDir, argValue('--commit') ?? PINNED_COMMIT)
    outputs.set('doc-excerpts.json', JSON.stringify(excerpts, null, 1) + '\n')
  } else {
    excerpts = JSON.parse(readFileSync(EXCERPTS, 'utf8'))
  }
  const {files, facts} = build(excerpts)
  for (const [k, v] of files) outputs.set(k, v)
  let stale = 0
  mkdirSync(VERSIONS, {recursive: true})
  for (const [rel, text] of outputs) {
    const path = join(VERSIONS, rel)
    if (check) {
      if (!existsSync(path) || readFileSync(path, 'utf8') !== text) {
        console.error(`stale: ps/emulator/reference/versions/${rel}`)
        stale++
      }
    } else writeFileSync(path, text)
  }
  if (stale) {
    console.error('run: node scripts/generate-version-reference.mjs')
    process.exit(1)
  }
  if (!check) console.log(`known host facts confirmed: ${facts.length}`)
}
