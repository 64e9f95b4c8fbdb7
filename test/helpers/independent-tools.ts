/**
 * Independent readers for the first-boot files hvguest writes: the tools a guest (or its
 * installer) would use, not hvguest's own code. Each runs as a child process with an argument
 * array (never a shell string).
 *
 * - cloud-init (Debian package `cloud-init`): `cloud-init schema --config-file FILE` for
 *   user-data; for network-config, `cloud-init devel net-convert`, the parser and renderers a
 *   guest's cloud-init runs on it (the installed 22.4 has no network-config schema: `cloud-init
 *   schema` checks cloud-config only; `--schema-type network-config` came in later releases).
 * - PyYAML (`python3-yaml`, a cloud-init dependency): `yaml.safe_load`, as cloud-init reads
 *   user-data, meta-data and network-config. Values come back as JSON (`ensure_ascii`, so
 *   every code point arrives exactly).
 * - Python's shlex (`python3`): `shlex.split(line, comments=True)`, the way pykickstart splits
 *   a kickstart command line.
 * - bash (`bash`): `bash -n` for a %post body.
 * - xmllint (`libxml2-utils`): `--noout` for well-formedness, `--xpath` to read values back.
 *
 * A missing tool is never a skip: the call throws, naming the Debian package to install.
 */
import {execFile, execFileSync, spawnSync, type SpawnSyncReturns} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {availableParallelism, tmpdir} from 'node:os'
import {join} from 'node:path'

export class MissingToolError extends Error {
  constructor(tool: string, pkg: string, detail: string) {
    super(`${tool} is needed to check first-boot files independently but is not usable (${detail}): install the Debian package ${pkg} (apt-get install ${pkg})`)
    this.name = 'MissingToolError'
  }
}

const MAX_BUFFER = 64 * 1024 * 1024

function run(tool: string, pkg: string, args: string[], input?: string): SpawnSyncReturns<string> {
  const r = spawnSync(tool, args, {input, encoding: 'utf8', maxBuffer: MAX_BUFFER})
  if (r.error) throw new MissingToolError(tool, pkg, (r.error as NodeJS.ErrnoException).code ?? r.error.message)
  return r
}

// --------------------------------------------------------------------------- python

/** Debian's interpreter (the one cloud-init runs on) when present, else python3 from PATH. */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'

function python(pkg: string, script: string, args: string[], input?: string): string {
  const r = run(PYTHON, 'python3', ['-c', script, ...args], input)
  if (r.status !== 0) {
    if (/ModuleNotFoundError: No module named '?yaml/.test(r.stderr)) throw new MissingToolError('PyYAML', pkg, 'import yaml failed')
    throw new Error(`${PYTHON} failed (${r.status}): ${r.stderr}`)
  }
  return r.stdout
}

const YAML_LOADER = `
import json, sys, yaml
out = []
for path in sys.argv[1:]:
    try:
        with open(path, 'rb') as f:
            docs = list(yaml.safe_load_all(f))
        if len(docs) != 1:
            out.append({'ok': False, 'error': 'expected one YAML document, got %d' % len(docs)})
        else:
            out.append({'ok': True, 'value': docs[0]})
    except Exception as e:
        out.append({'ok': False, 'error': '%s: %s' % (type(e).__name__, e)})
sys.stdout.write(json.dumps(out, ensure_ascii=True, default=lambda o: {'__not_json__': type(o).__name__, 'repr': repr(o)}))
`

export type Loaded = {ok: true; value: unknown} | {ok: false; error: string}

/** Loads each file with PyYAML's safe_load (one Python process for all of them). */
export function pyYamlLoadFiles(files: string[]): Loaded[] {
  if (files.length === 0) return []
  return JSON.parse(python('python3-yaml', YAML_LOADER, files)) as Loaded[]
}

/** Loads each text with PyYAML (written to temp files first, read back as bytes). */
export function pyYamlLoad(texts: string[]): Loaded[] {
  const dir = mkdtempSync(join(tmpdir(), 'hvguest-pyyaml-'))
  try {
    const files = texts.map((t, i) => {
      const f = join(dir, `doc${i}.yaml`)
      writeFileSync(f, t, 'utf8')
      return f
    })
    return pyYamlLoadFiles(files)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

/** The value PyYAML reads, or a thrown Error with PyYAML's message. */
export function pyYamlValue(text: string): unknown {
  const [r] = pyYamlLoad([text])
  if (!r.ok) throw new Error(`PyYAML cannot load the document: ${r.error}\n${text}`)
  return r.value
}

const SHLEX = `
import json, shlex, sys
out = []
for line in json.load(sys.stdin):
    try:
        out.append(shlex.split(line, comments=True))
    except ValueError as e:
        out.append({'error': str(e)})
sys.stdout.write(json.dumps(out, ensure_ascii=True))
`

export type Split = string[] | {error: string}

/** Python's shlex.split(line, comments=True) for every line (one process). */
export function shlexSplit(lines: string[]): Split[] {
  if (lines.length === 0) return []
  return JSON.parse(python('python3', SHLEX, [], JSON.stringify(lines))) as Split[]
}

// ----------------------------------------------------------------------------- bash

/** `bash -n` on a script given on stdin: exit status and what bash said. */
export function bashSyntax(script: string): {status: number | null; stderr: string} {
  const r = run('bash', 'bash', ['-n'], script)
  return {status: r.status, stderr: r.stderr}
}

// ------------------------------------------------------------------------ cloud-init

export interface SchemaResult {
  file: string
  status: number | null
  output: string
}

function schemaOne(file: string): Promise<SchemaResult> {
  return new Promise<SchemaResult>((resolve, reject) => {
    execFile('cloud-init', ['schema', '--config-file', file], {encoding: 'utf8', maxBuffer: MAX_BUFFER}, (error, stdout, stderr) => {
      const code = (error as {code?: unknown} | null)?.code
      if (code === 'ENOENT') return reject(new MissingToolError('cloud-init', 'cloud-init', 'ENOENT'))
      resolve({file, status: error ? (typeof code === 'number' ? code : null) : 0, output: `${stdout}${stderr}`})
    })
  })
}

/**
 * `cloud-init schema --config-file FILE` for each file. A run takes ~0.3 s of CPU (Python
 * start-up and the schema), so runs go in parallel, one per CPU.
 */
export async function cloudInitSchema(files: string[]): Promise<SchemaResult[]> {
  const results: SchemaResult[] = new Array(files.length)
  let next = 0
  const worker = async () => {
    while (next < files.length) {
      const i = next++
      results[i] = await schemaOne(files[i])
    }
  }
  await Promise.all(Array.from({length: Math.max(1, Math.min(availableParallelism(), files.length))}, worker))
  return results
}

/** cloud-init schema on texts (written to temp files): one result per text. */
export async function cloudInitSchemaTexts(texts: string[]): Promise<SchemaResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hvguest-cloudinit-'))
  try {
    const files = texts.map((t, i) => {
      const f = join(dir, `user-data-${i}.yaml`)
      writeFileSync(f, t, 'utf8')
      return f
    })
    return await cloudInitSchema(files)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

/**
 * `cloud-init devel net-convert`: reads a network-config (v1 or v2, `--kind yaml`) as a guest's
 * cloud-init does and writes what the distro's renderer would put on the guest (sysconfig
 * ifcfg files for RHEL, networkd units, netplan, eni). `macs` maps interface names to MAC
 * addresses, as the guest's kernel would report them, for `match: macaddress`. Returns the
 * written files (path under the output folder → content), or throws with cloud-init's output
 * when it refuses the configuration.
 */
export function cloudInitNetConvert(
  text: string,
  options: {distro: string; output: 'sysconfig' | 'networkd' | 'netplan' | 'eni'; macs?: Record<string, string>},
): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'hvguest-netconvert-'))
  try {
    const input = join(dir, 'network-config')
    writeFileSync(input, text, 'utf8')
    const out = join(dir, 'out')
    const macs = Object.entries(options.macs ?? {}).flatMap(([name, mac]) => ['--mac', `${name},${mac}`])
    const r = run('cloud-init', 'cloud-init', ['devel', 'net-convert', '--network-data', input, '--kind', 'yaml', '--directory', out, '--distro', options.distro, '--output-kind', options.output, ...macs])
    if (r.status !== 0) throw new Error(`cloud-init devel net-convert refused the network-config (${r.status}):\n${r.stdout}${r.stderr}\n${text}`)
    const files: Record<string, string> = {}
    const walk = (folder: string, prefix: string) => {
      for (const entry of readdirSync(folder, {withFileTypes: true})) {
        const path = join(folder, entry.name)
        if (entry.isDirectory()) walk(path, `${prefix}${entry.name}/`)
        else files[`${prefix}${entry.name}`] = readFileSync(path, 'utf8')
      }
    }
    walk(out, '')
    return files
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

/** A sysconfig ifcfg file (KEY=value lines, # comments) as a map. */
export function ifcfgValues(text: string): Record<string, string> {
  const values: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim())
    if (m) values[m[1]] = m[2].replace(/^"(.*)"$/, '$1')
  }
  return values
}

// --------------------------------------------------------------------------- xmllint

/** `xmllint --noout FILE`: status 0 when the document is well-formed. */
export function xmlWellFormed(file: string): {status: number | null; stderr: string} {
  const r = run('xmllint', 'libxml2-utils', ['--noout', file])
  return {status: r.status, stderr: r.stderr}
}

/**
 * `xmllint --xpath EXPR FILE` for an expression whose result is a string or number
 * (`string(...)`, `count(...)`). xmllint ends such a result with one newline, which is removed.
 */
export function xpath(file: string, expr: string): string {
  const r = run('xmllint', 'libxml2-utils', ['--xpath', expr, file])
  if (r.status !== 0) throw new Error(`xmllint --xpath ${expr} ${file} failed (${r.status}): ${r.stderr}`)
  if (!r.stdout.endsWith('\n')) throw new Error(`xmllint --xpath ${expr}: expected a newline-terminated result, got ${JSON.stringify(r.stdout)}`)
  return r.stdout.slice(0, -1)
}

/** XPath step that matches an element by local name, whatever its namespace (unattend has a default namespace). */
export const el = (name: string): string => `*[local-name()='${name}']`

/** Writes `text` into a fresh temp folder; returns the file and a cleanup. */
export function tempFile(name: string, text: string): {file: string; remove: () => void} {
  const dir = mkdtempSync(join(tmpdir(), 'hvguest-doc-'))
  const file = join(dir, name)
  writeFileSync(file, text, 'utf8')
  return {file, remove: () => rmSync(dir, {recursive: true, force: true})}
}

// ------------------------------------------------------------------ kickstart layout

export interface KickstartSection {
  /** The section's header line, e.g. `%post --log=/root/x.log`. */
  header: string
  body: string[]
  closed: boolean
}

export interface KickstartLayout {
  /** Command lines outside %sections (blank lines and # comments left out). */
  commands: string[]
  sections: KickstartSection[]
  /** The value of a `# boot-hint: …` comment, if any. */
  bootHint: string | null
  /** Lines that break the layout: a stray %end or % line, a section opened inside another. */
  problems: string[]
}

const SECTION = /^%(packages|post|pre|pre-install|traceback|onerror|addon|anaconda)(\s|$)/

/** Splits a kickstart file the way anaconda reads it: commands, then %sections closed by %end. */
export function kickstartLayout(text: string): KickstartLayout {
  const out: KickstartLayout = {commands: [], sections: [], bootHint: null, problems: []}
  let current: KickstartSection | null = null
  for (const line of text.split('\n')) {
    if (current) {
      if (line.trim() === '%end') {
        current.closed = true
        current = null
      } else {
        if (SECTION.test(line)) out.problems.push(`section opened inside ${current.header}: ${line}`)
        current.body.push(line)
      }
      continue
    }
    if (SECTION.test(line)) {
      current = {header: line, body: [], closed: false}
      out.sections.push(current)
      continue
    }
    if (line.startsWith('%')) out.problems.push(`stray ${line}`)
    const hint = /^#\s*boot-hint:\s*(.+?)\s*$/.exec(line)
    if (hint) out.bootHint ??= hint[1]
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue
    out.commands.push(line)
  }
  return out
}

/**
 * openssl's SHA-512 crypt (`openssl passwd -6`) of `value` with the salt of `hash`: an
 * implementation independent of hvguest's. The value goes as an argument: `-stdin` would read one
 * password per line and split a value with a line break.
 */
export function opensslSha512Crypt(value: string, salt: string): string {
  try {
    return execFileSync('openssl', ['passwd', '-6', '-salt', salt, '--', value], {encoding: 'utf8'}).trim()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('openssl is not installed: apt-get install openssl')
    throw error
  }
}

/** The hash is a SHA-512 crypt string ($6$, 16-character salt) and openssl computes the same one for the value. */
export function cryptMatches(hash: string, value: string): boolean {
  const m = /^\$6\$([./0-9A-Za-z]{16})\$[./0-9A-Za-z]{86}$/.exec(hash)
  return m !== null && opensslSha512Crypt(value, m[1]) === hash
}
