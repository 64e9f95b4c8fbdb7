/**
 * The YAML documents of the built-in guest templates, composed at build time
 * (dist/builtin-templates/NAME.json, written by scripts/bundle.mjs). Composing YAML is the
 * costliest step of a cold `plan` (the yaml library's lexer, parser and composer run for the
 * first time in the process); rebuilding the same nodes from JSON is a small part of it.
 *
 * What is stored is the composed document itself: every node with all its own fields (value,
 * range, source, type, comments...), and the line starts of the text, so positions,
 * diagnostics and rendering are those of a parse. A document is stored only when rebuilding it
 * gives back the same nodes and the same data (no aliases, anchors or tags: the built-ins use
 * none), and used only while the file holds exactly the text it was made from; anything else
 * is parsed as usual.
 */
import {readFileSync} from 'node:fs'
import {basename, join} from 'node:path'
import {isDeepStrictEqual} from 'node:util'
import {Document, isMap, isPair, isScalar, isSeq, LineCounter, Pair, parseAllDocuments, Scalar, YAMLMap, YAMLSeq, type Node} from 'yaml'
import {packageRoot} from '../util/package-root.js'
import {BUILTIN_ROOT} from './library.js'
import {storedForBuiltin} from './stored-builtin.js'
import {PARSE_OPTIONS, parseYamlSource, yamlSourceFrom, type YamlSource} from './yaml-source.js'

export const COMPILED_TEMPLATES = () => join(packageRoot(), 'dist', 'builtin-templates')

type Fields = Record<string, unknown>
type StoredNode =
  | null
  | {scalar: Fields}
  | {map: Fields; pairs: Array<{key: StoredNode; value: StoredNode; fields: Fields}>}
  | {seq: Fields; items: StoredNode[]}

export interface StoredTemplate {
  /** The file's text, exactly as read. */
  text: string
  lineStarts: number[]
  document: Fields
  contents: StoredNode
}

/** Own fields of a node but the ones named (its children). */
function fieldsOf(node: object, children: string[]): Fields {
  const out: Fields = {}
  for (const [k, v] of Object.entries(node)) if (!children.includes(k)) out[k] = v
  return out
}

function store(node: unknown): StoredNode {
  if (node === null) return null
  if (isScalar(node)) {
    if (node.anchor !== undefined || node.tag !== undefined) throw new Error('anchor or tag')
    return {scalar: fieldsOf(node, [])}
  }
  if (isMap(node)) {
    if (node.anchor !== undefined || node.tag !== undefined) throw new Error('anchor or tag')
    return {
      map: fieldsOf(node, ['items']),
      pairs: node.items.map((p) => {
        if (!isPair(p)) throw new Error('not a pair')
        return {key: store(p.key), value: store(p.value), fields: fieldsOf(p, ['key', 'value'])}
      }),
    }
  }
  if (isSeq(node)) {
    if (node.anchor !== undefined || node.tag !== undefined) throw new Error('anchor or tag')
    return {seq: fieldsOf(node, ['items']), items: node.items.map(store)}
  }
  throw new Error('an alias or another node kind')
}

function revive(stored: StoredNode, doc: Document): Node | null {
  if (stored === null) return null
  if ('scalar' in stored) return Object.assign(new Scalar(stored.scalar.value), stored.scalar)
  if ('map' in stored) {
    const map = Object.assign(new YAMLMap(doc.schema), stored.map)
    map.items = stored.pairs.map((p) => Object.assign(new Pair(revive(p.key, doc), revive(p.value, doc)), p.fields))
    return map
  }
  const seq = Object.assign(new YAMLSeq(doc.schema), stored.seq)
  seq.items = stored.items.map((item) => revive(item, doc))
  return seq
}

const DOCUMENT_FIELDS = ['range', 'comment', 'commentBefore'] as const

function sourceOf(file: string, stored: StoredTemplate): YamlSource {
  const doc = new Document(undefined, PARSE_OPTIONS) as Document.Parsed
  for (const k of DOCUMENT_FIELDS) if (k in stored.document) (doc as unknown as Fields)[k] = stored.document[k]
  doc.contents = revive(stored.contents, doc) as Document.Parsed['contents']
  const lineCounter = new LineCounter()
  lineCounter.lineStarts.push(...stored.lineStarts)
  return yamlSourceFrom(file, stored.text, doc, lineCounter, [])
}

/** A node tree as plain data, classes and every own field included: what "the same nodes" means. */
function shape(node: unknown): unknown {
  if (node === null || typeof node !== 'object') return node
  if (Array.isArray(node)) return node.map(shape)
  return {class: node.constructor.name, fields: Object.entries(node).map(([k, v]) => [k, v === undefined ? '(undefined)' : shape(v)])}
}

/**
 * For the build: the stored form of a template file, or undefined when it cannot be stored
 * faithfully (a finding, a byte-order mark, an alias, an anchor or tag, or any difference once
 * rebuilt).
 */
export function storeTemplate(file: string): StoredTemplate | undefined {
  const text = readFileSync(file, 'utf8')
  const source = parseYamlSource(text, file)
  if (source.diagnostics.length > 0 || text.charCodeAt(0) === 0xfeff) return undefined
  // The same parse again, for the line starts its lexer finds.
  const lineCounter = new LineCounter()
  parseAllDocuments(text, {...PARSE_OPTIONS, lineCounter})
  let stored: StoredTemplate
  try {
    const document: Fields = {}
    for (const k of DOCUMENT_FIELDS) if ((source.doc as unknown as Fields)[k] !== undefined) document[k] = (source.doc as unknown as Fields)[k]
    stored = JSON.parse(JSON.stringify({text, lineStarts: lineCounter.lineStarts, document, contents: store(source.doc.contents)})) as StoredTemplate
  } catch {
    return undefined
  }
  const rebuilt = sourceOf(file, stored)
  const same =
    isDeepStrictEqual(shape(rebuilt.doc.contents), shape(source.doc.contents)) &&
    isDeepStrictEqual(rebuilt.doc.toJS(), source.doc.toJS()) &&
    DOCUMENT_FIELDS.every((k) => isDeepStrictEqual((rebuilt.doc as unknown as Fields)[k], (source.doc as unknown as Fields)[k]))
  return same ? stored : undefined
}

/** The YAML source of a built-in template whose file is unchanged since the build (stored-builtin.ts); else undefined. */
export function compiledBuiltinTemplate(file: string): YamlSource | undefined {
  const stored = storedForBuiltin(file, join(BUILTIN_ROOT, 'guests'), () => JSON.parse(readFileSync(join(COMPILED_TEMPLATES(), `${basename(file)}.json`), 'utf8')) as StoredTemplate)
  return stored && sourceOf(file, stored)
}
