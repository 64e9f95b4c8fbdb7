/**
 * The stage folders of src/ point one way: each imports only itself and the folders below it,
 * and no file reaches itself through its imports. The rules, one line each, are in
 * docs/architecture.md ("Layers"); this list is their one source.
 */
import {readdirSync, readFileSync} from 'node:fs'
import {dirname, join, normalize, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

const SRC = normalize(join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src'))

/** Bottom to top. `.` is the two command-service entries at the top of src/. */
export const LAYERS = ['util', 'model', 'load', 'render', 'media', 'resolve', 'validate', 'plan', 'powershell', 'execute', 'lab', 'report', '.', 'cli', 'hooks', 'commands'] as const

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
}

/** Every relative import of every file under src/, as src-relative paths of .ts files. */
export function importGraph(root = SRC): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, 'utf8')
    const targets = [...text.matchAll(IMPORT)].map((m) => relative(root, normalize(join(dirname(file), m[1]))).replace(/\.js$/, '.ts'))
    graph.set(relative(root, file), targets.filter((t) => t.endsWith('.ts')))
  }
  return graph
}

export const layerOf = (file: string): string => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '.')

export function upwardImports(graph: Map<string, string[]>): string[] {
  const rank = (f: string) => LAYERS.indexOf(layerOf(f) as (typeof LAYERS)[number])
  const out: string[] = []
  for (const [from, targets] of graph) for (const to of targets) if (rank(to) > rank(from)) out.push(`${from} -> ${to}`)
  return out
}

/** Each cycle once, as the path that closes it (depth-first, files in sorted order). */
export function importCycles(graph: Map<string, string[]>): string[] {
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const cycles: string[] = []
  const visit = (f: string) => {
    state.set(f, 'open')
    stack.push(f)
    for (const t of graph.get(f) ?? []) {
      if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t].join(' -> '))
      else if (!state.has(t)) visit(t)
    }
    stack.pop()
    state.set(f, 'done')
  }
  for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f)
  return cycles
}

describe('src/ layers', () => {
  const graph = importGraph()

  it('has a layer for every folder of src/', () => {
    const folders = [...new Set([...graph.keys()].map(layerOf))]
    expect(folders.filter((f) => !(LAYERS as readonly string[]).includes(f))).toEqual([])
  })

  it('imports only within a folder or from the folders below it', () => {
    expect(upwardImports(graph)).toEqual([])
  })

  it('has no import cycle between files', () => {
    expect(importCycles(graph)).toEqual([])
  })

  it('finds an upward import and a cycle when there is one', () => {
    const bad = new Map([
      ['model/a.ts', ['plan/b.ts']],
      ['plan/b.ts', ['model/a.ts']],
    ])
    expect(upwardImports(bad)).toEqual(['model/a.ts -> plan/b.ts'])
    expect(importCycles(bad)).toEqual(['model/a.ts -> plan/b.ts -> model/a.ts'])
  })

  it('reads every import form the sources use', () => {
    const text = `import {a} from './x.js'\nimport type {B} from "../model/y.js"\nexport {c} from './z.js'\nconst d = await import('../plan/w.js')\nimport './side.js'`
    expect([...text.matchAll(IMPORT)].map((m) => m[1])).toEqual(['./x.js', '../model/y.js', './z.js', '../plan/w.js', './side.js'])
  })
})
