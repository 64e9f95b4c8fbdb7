/**
 * YAML input with positions. Every hvguest input file (template, profile, inventory,
 * --values) goes through here, so that every later diagnostic can say file:line:column:
 * the parsed Document keeps node ranges, and a LineCounter turns offsets into lines.
 */
import {readFileSync} from 'node:fs'
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  parseDocument,
  type Document,
  type Node,
  type Scalar,
} from 'yaml'
import type {Diagnostic, SourceRef} from '../model/diagnostic.js'
import {formatDocPath, type DocPath, type Locate} from '../model/source.js'
import {report} from '../rules/codes.js'

export interface YamlSource {
  file: string
  text: string
  doc: Document.Parsed
  /** Document path -> where it is written (the value; the key when the value is a block). */
  locate: Locate
  diagnostics: Diagnostic[]
}

/**
 * A Locate that can also point at a mapping KEY. Unknown-key diagnostics want the key
 * (`procesors: 2` -> column of `procesors`), value diagnostics want the value. Locates built
 * here carry `.key`; any other Locate is used for both (see `locateKeyOf`).
 */
export interface KeyedLocate extends Locate {
  key: Locate
}

export function locateKeyOf(locate: Locate): Locate {
  return (locate as Partial<KeyedLocate>).key ?? locate
}

export function keyedLocate(value: Locate, key: Locate): KeyedLocate {
  return Object.assign(value, {key})
}

const PARSE_OPTIONS = {prettyErrors: false, uniqueKeys: true} as const

export function parseYamlSource(text: string, file: string): YamlSource {
  // An editor never shows a byte-order mark; keeping it would shift every column on line 1.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  const lineCounter = new LineCounter()
  const docs = Array.from(parseAllDocuments(text, {...PARSE_OPTIONS, lineCounter}))
  const doc = docs[0] ?? parseDocument(text, {...PARSE_OPTIONS, lineCounter: new LineCounter()})
  const at = (offset: number): {line: number; column: number} => {
    const p = lineCounter.linePos(offset)
    return {line: p.line, column: p.col}
  }
  const diagnostics: Diagnostic[] = []
  for (const d of docs) {
    for (const e of d.errors) {
      diagnostics.push(report('yaml-syntax', yamlErrorMessage(e.code, e.message, text, e.pos[0]), {source: {file, ...at(e.pos[0])}}))
    }
    for (const w of d.warnings) {
      diagnostics.push(report('yaml-syntax', w.message, {source: {file, ...at(w.pos[0])}, severity: 'warning'}))
    }
  }
  // A second document would be silently ignored by everything downstream, so refuse it.
  // (A trailing `---` with nothing after it is harmless and not counted.)
  const extra = docs.slice(1).filter((d) => d.contents !== null)
  if (extra.length > 0) {
    diagnostics.push(
      report(
        'yaml-syntax',
        `the file holds ${extra.length + 1} YAML documents; hvguest reads exactly one (remove the "---" separator and split the file)`,
        {source: {file, ...at(extra[0].range[0])}},
      ),
    )
  }
  const source: YamlSource = {file, text, doc, locate: () => ({file}), diagnostics}
  source.locate = keyedLocate(
    (path) => refAt(source, at, path, 'value'),
    (path) => refAt(source, at, path, 'key'),
  )
  positionOf.set(source, at)
  return source
}

/** Reads a file synchronously; an unreadable file is one diagnostic and an empty document. */
export function readYamlSource(file: string): YamlSource {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    const source = parseYamlSource('', file)
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message
    source.diagnostics.push(report('file-not-found', `cannot read ${file}: ${reason}`, {source: {file}}))
    return source
  }
  return parseYamlSource(text, file)
}

/** yaml's messages are good, except that a duplicate key is not named. */
function yamlErrorMessage(code: string, message: string, text: string, offset: number): string {
  if (code !== 'DUPLICATE_KEY') return message
  const key = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\n#]*?))\s*:/.exec(text.slice(offset, offset + 200))
  const name = key ? (key[1] ?? key[2] ?? key[3]) : undefined
  return `duplicate key${name ? ` "${name}"` : ''}: a mapping may name each key once`
}

// ------------------------------------------------------------------ finding nodes

/** Offset -> line/column for each source (kept out of the public interface). */
const positionOf = new WeakMap<YamlSource, (offset: number) => {line: number; column: number}>()

export interface FoundNode {
  /** How many leading path segments exist in the document. */
  depth: number
  /** The node at `depth` (null for a key written with no value). */
  node: Node | null
  /** The key node, when the node at `depth` is a mapping value. */
  key?: Node
}

/** Walks `path` through the document as far as it exists (aliases are followed). */
export function findNode(doc: Document.Parsed, path: DocPath): FoundNode {
  let node: Node | null = (doc.contents as Node | null) ?? null
  let key: Node | undefined
  let depth = 0
  for (const seg of path) {
    if (node && isAlias(node)) node = (node.resolve(doc) as Node | undefined) ?? null
    let next: {node: Node | null; key?: Node} | undefined
    if (node && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg))
      if (pair) next = {node: (pair.value as Node | null) ?? null, key: pair.key as Node}
    } else if (node && isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      next = {node: (node.items[seg] as Node | null) ?? null}
    }
    if (!next) break
    node = next.node
    key = next.key
    depth++
  }
  if (node && isAlias(node)) node = (node.resolve(doc) as Node | undefined) ?? null
  return {depth, node, key}
}

function refAt(
  source: YamlSource,
  at: (offset: number) => {line: number; column: number},
  path: DocPath,
  want: 'value' | 'key',
): SourceRef {
  const ref: SourceRef = {file: source.file, path: formatDocPath(path)}
  const found = findNode(source.doc, path)
  const offset = nodeOffset(found, want === 'key' && found.depth === path.length ? 'key' : 'value')
  if (offset === undefined) return ref
  return {...ref, ...at(offset)}
}

/**
 * Where a found node "is": a scalar at its value; a collection (or a key with no value) at
 * its key, because `memory:` is the line a reader looks for, not the first nested key.
 */
function nodeOffset(found: FoundNode, want: 'value' | 'key'): number | undefined {
  const {node, key} = found
  if (want === 'key' && key?.range) return key.range[0]
  if (node && isScalar(node) && node.range && !(key?.range && node.range[0] === node.range[1])) return node.range[0]
  if (key?.range) return key.range[0]
  return node?.range?.[0]
}

/** file:line:column of an absolute offset in the source text. */
export function refAtOffset(source: YamlSource, offset: number, path?: DocPath): SourceRef {
  const at = positionOf.get(source)
  const ref: SourceRef = {file: source.file}
  if (at) Object.assign(ref, at(offset))
  if (path) ref.path = formatDocPath(path)
  return ref
}

// ------------------------------------------------------------ positions inside scalars

/**
 * Offset in the file of character `index` of a scalar's VALUE. The value differs from the
 * source text (quotes, `''`, `\\` escapes, folded lines, block indentation), so the two are
 * aligned greedily: source characters that produce nothing in the value are skipped. Exact
 * for the common cases (plain, single- and double-quoted, literal blocks); never off by more
 * than the folding whitespace otherwise.
 */
export function scalarOffset(text: string, node: Scalar, index: number): number {
  if (!node.range) return 0
  const [start, end] = node.range
  const raw = text.slice(start, end)
  const value = String(node.value)
  const double = node.type === 'QUOTE_DOUBLE'
  let j = 0
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
    const nl = raw.indexOf('\n')
    j = nl < 0 ? raw.length : nl + 1
  } else if (double || node.type === 'QUOTE_SINGLE') {
    j = 1
  }
  for (let i = 0; i < value.length; i++) {
    const want = value[i]
    while (j < raw.length) {
      if (double && raw[j] === '\\') {
        const esc = decodeEscape(raw, j)
        if (esc.char === want) break
        j += esc.length
        continue
      }
      if (raw[j] === want || (isSpace(want) && isSpace(raw[j]))) break
      j++
    }
    if (i === index || j >= raw.length) break
    j += double && raw[j] === '\\' ? decodeEscape(raw, j).length : 1
  }
  return start + Math.min(j, raw.length)
}

const isSpace = (c: string): boolean => c === ' ' || c === '\n' || c === '\t' || c === '\r'

const SIMPLE_ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
}
const HEX_LENGTH: Record<string, number> = {x: 2, u: 4, U: 8}

/** One double-quoted escape at raw[j] === '\\': the character it stands for and its length. */
function decodeEscape(raw: string, j: number): {char: string; length: number} {
  const c = raw[j + 1] ?? ''
  if (c in HEX_LENGTH) {
    const n = HEX_LENGTH[c]
    const code = Number.parseInt(raw.slice(j + 2, j + 2 + n), 16)
    return {char: Number.isNaN(code) ? '' : String.fromCodePoint(code), length: 2 + n}
  }
  if (c === '\n' || c === '\r') return {char: '', length: 2} // line continuation
  return {char: SIMPLE_ESCAPES[c] ?? c, length: 2}
}

/** file:line:column of character `index` of a scalar's value. */
export function refInScalar(source: YamlSource, node: Scalar, index: number, path?: DocPath): SourceRef {
  return refAtOffset(source, scalarOffset(source.text, node, index), path)
}
