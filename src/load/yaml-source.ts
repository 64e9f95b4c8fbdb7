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
import {report} from '../model/codes.js'

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

export const PARSE_OPTIONS = {prettyErrors: false, uniqueKeys: true} as const

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
  // yaml often reports one mistake twice (BLOCK_AS_IMPLICIT_KEY + MULTILINE_IMPLICIT_KEY):
  // one diagnostic per kind of problem and line.
  const reported = new Set<string>()
  for (const d of docs) {
    for (const e of d.errors) {
      const offset = errorOffset(text, e.code, e.pos)
      const where = at(offset)
      const key = `${HINT_GROUP[e.code] ?? e.code}|${where.line}`
      if (reported.has(key)) continue
      reported.add(key)
      const message = yamlErrorMessage(e.code, e.message, text, offset, offset !== e.pos[0])
      diagnostics.push(report('yaml-syntax', message, {source: {file, ...where}}))
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
  return yamlSourceFrom(file, text, doc, lineCounter, diagnostics)
}

/** A YamlSource for a composed document: its locate, and positions from its line counter. */
export function yamlSourceFrom(file: string, text: string, doc: Document.Parsed, lineCounter: LineCounter, diagnostics: Diagnostic[]): YamlSource {
  const at = (offset: number): {line: number; column: number} => {
    const p = lineCounter.linePos(offset)
    return {line: p.line, column: p.col}
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
    source.diagnostics.push(report('file-not-found', `cannot read ${file}: ${readErrorReason(error)}`, {source: {file}}))
    return source
  }
  return parseYamlSource(text, file)
}

/** Node's read errors (`EISDIR: illegal operation on a directory, read`) in plain words. */
const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a folder, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'the path has a symbolic link loop',
  EMFILE: 'too many files are open',
  EBUSY: 'the file is in use',
  EIO: 'the disk could not be read',
}

/** Why a file could not be read: words first, then the system's code for searching. */
export function readErrorReason(error: unknown): string {
  const e = error as NodeJS.ErrnoException
  const code = typeof e?.code === 'string' ? e.code : undefined
  if (code === 'ENOENT' || code === 'EISDIR') return READ_ERRORS[code]
  // "EACCES: permission denied, open '/x'" -> "permission denied"
  const text = String(e?.message ?? error).replace(/^[A-Z0-9_]+: /, '').replace(/, \w+ '.*'$/s, '')
  const words = (code && READ_ERRORS[code]) ?? text
  return code ? `${words} (${code})` : words
}

// ------------------------------------------------------------- YAML error messages

/**
 * What people get wrong, in words, before yaml's own text (kept after it, in parentheses).
 * Codes that share a hint are one problem when they fall on the same line.
 */
const INDENTATION = 'check the indentation of this line and the one before it'
const HINTS: Record<string, string> = {
  TAB_AS_INDENT: 'YAML does not allow tabs for indentation; use spaces',
  BAD_INDENT: INDENTATION,
  MULTILINE_IMPLICIT_KEY: INDENTATION,
  BLOCK_AS_IMPLICIT_KEY: INDENTATION,
  BAD_DQ_ESCAPE: 'in double quotes a backslash starts an escape; write a Windows path in single quotes, or double each backslash',
  BAD_SCALAR_START: 'a value cannot start with this character unless it is quoted',
  BLOCK_IN_FLOW: 'inside [ ] or { } write values on one line, or leave the brackets out and indent',
  UNEXPECTED_TOKEN: 'unexpected text here; check quotes, brackets and indentation',
  TAG_RESOLVE_FAILED: 'a value starting with "!" is a YAML tag; quote the value',
  BAD_ALIAS: 'a value starting with "*" is a YAML alias; quote the value',
  MULTIPLE_ANCHORS: 'a value starting with "&" is a YAML anchor; quote the value',
}
const HINT_GROUP: Record<string, string> = {BAD_INDENT: 'indent', MULTILINE_IMPLICIT_KEY: 'indent', BLOCK_AS_IMPLICIT_KEY: 'indent'}

/** Whose position is the line that is indented wrong (not the tab itself, which stays put). */
const INDENTATION_CODES = new Set(['BAD_INDENT', 'MULTILINE_IMPLICIT_KEY', 'BLOCK_AS_IMPLICIT_KEY', 'MISSING_CHAR'])

function hintFor(code: string, message: string, text: string, offset: number, moved: boolean): string | undefined {
  // `bootDisk: size: 40GB`: the mistake is on this line, not in its indentation
  if (code === 'BLOCK_AS_IMPLICIT_KEY' && !moved && /^[^\n#]*:(\s|$)/.test(text.slice(offset, offset + 200))) {
    return 'a value cannot be "key: value" on the line of its own key: put it on the next line, indented, or quote it'
  }
  // An unclosed [ or { is reported as an indentation error of the line after it.
  if (code === 'BAD_INDENT' && /^Flow (map|sequence)/.test(message)) return 'a [ or { is not closed (or the next line is not indented enough)'
  if (code === 'MISSING_CHAR') {
    if (/closing .?quote/i.test(message)) return 'a quoted value is not closed'
    if (/without - indicator/.test(message)) return INDENTATION
    if (/followed by map values/.test(message)) return 'a key needs a colon and a value: "key: value"'
    return undefined
  }
  return HINTS[code]
}

/** yaml's messages, after a plain-language hint; a duplicate key is named. */
function yamlErrorMessage(code: string, message: string, text: string, offset: number, moved = false): string {
  if (code === 'DUPLICATE_KEY') {
    const key = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\n#]*?))\s*:/.exec(text.slice(offset, offset + 200))
    const name = key ? (key[1] ?? key[2] ?? key[3]) : undefined
    return `duplicate key${name ? ` "${name}"` : ''}: a mapping may name each key once`
  }
  const hint = hintFor(code, message, text, offset, moved)
  return hint ? `${hint} (${message})` : message
}

/**
 * Where to point for a yaml error. An over-indented line is found only when yaml reads past
 * it, so it is reported at the last value of the line BEFORE (`os: x` when the next line is
 * indented too far: "x" would be the start of a multi-line key); an under-indented one in
 * the margin of its line (column 1). Point at the first character of the line that is
 * indented wrong instead.
 */
function errorOffset(text: string, code: string, pos: readonly [number, number]): number {
  const start = Math.min(pos[0], text.length)
  if (!INDENTATION_CODES.has(code)) return start
  const lineStart = text.lastIndexOf('\n', start - 1) + 1
  const nl = text.indexOf('\n', start)
  const before = text.slice(lineStart, start)
  const after = text.slice(start, nl < 0 ? text.length : nl)
  // in the margin: the line's own content
  if (/^ *$/.test(before) && /^ *\S/.test(after)) return start + after.search(/\S/)
  // the rest of the line is a value, no key: the mistake is the next line, if it is indented further
  if (nl < 0 || /:(\s|$)/.test(after.replace(/(^|\s)#.*$/, ''))) return start
  const re = /^([ \t]*)([^ \t\r\n#])/gm
  re.lastIndex = nl + 1
  const next = re.exec(text)
  const indent = /^ */.exec(text.slice(lineStart))![0].length
  return next && next[1].length > indent ? next.index + next[1].length : start
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
