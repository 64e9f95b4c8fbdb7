/**
 * What shell completion offers for hvguest, derived from oclif.manifest.json at build time
 * (scripts/generate-completion.mjs). Nothing here runs when the CLI starts: the shell scripts
 * generated from this model complete on their own, without starting node.
 */

/** The part of oclif.manifest.json completion reads. */
export interface ManifestFlag {
  name: string
  type: 'boolean' | 'option'
  char?: string
  aliases?: string[]
  options?: string[]
  helpValue?: string
  summary?: string
  description?: string
  hidden?: boolean
  allowNo?: boolean
}
export interface ManifestArg {
  name: string
  options?: string[]
  description?: string
}
export interface ManifestCommand {
  id: string
  summary?: string
  description?: string
  hidden?: boolean
  flags: Record<string, ManifestFlag>
  args: Record<string, ManifestArg>
}
export interface Manifest {
  commands: Record<string, ManifestCommand>
}

/** Names known when the script is generated: the built-in content, and the schema kinds. */
export interface BuiltinNames {
  templates: string[]
  profiles: string[]
  schemaKinds: string[]
}

/**
 * What a flag value or a positional argument completes to: names read at completion time
 * (project files, the inventory) merged with the built-in ones, paths, and fixed words.
 */
export interface ValueSpec {
  names: 'templates' | 'profiles' | 'hosts' | null
  paths: 'files' | 'dirs' | null
  words: string[]
}

export interface FlagSpec {
  /** Every spelling: --name, --alias, -c. */
  spellings: string[]
  summary: string
  /** null for a flag that takes no value. */
  value: ValueSpec | null
}

export interface CommandSpec {
  id: string
  /** The words typed for it (topics are space-separated): ['template', 'list']. */
  words: string[]
  summary: string
  flags: FlagSpec[]
  /** What its positional arguments complete to (every hvguest command has at most one kind). */
  positional: ValueSpec
}

export interface CompletionModel {
  commands: CommandSpec[]
  /** Topic words with their descriptions, e.g. template: 'List and show ...'. */
  topics: Record<string, string>
  builtins: BuiltinNames
}

const NOTHING: ValueSpec = {names: null, paths: null, words: []}
const spec = (names: ValueSpec['names'], paths: ValueSpec['paths'], words: string[] = []): ValueSpec => ({names, paths, words})

/** A flag's value: a fixed set (oclif options), a name of known content, or a path by its help value. */
export function flagValue(flag: ManifestFlag): ValueSpec | null {
  if (flag.type === 'boolean') return null
  if (flag.options?.length) return spec(null, null, flag.options)
  if (flag.name === 'host') return spec('hosts', null)
  // Both take a name or a path (src/load/library.ts resolves either).
  if (flag.name === 'profile') return spec('profiles', 'files')
  if (flag.name === 'template') return spec('templates', 'files')
  if (flag.helpValue === 'FILE') return spec(null, 'files')
  if (flag.helpValue === 'DIR') return spec(null, 'dirs')
  return NOTHING
}

/** A command's positional argument, by its name (and, for `show`, its topic). */
export function argValue(command: ManifestCommand, builtins: BuiltinNames): ValueSpec {
  const arg = Object.values(command.args)[0]
  if (!arg) return NOTHING
  if (arg.options?.length) return spec(null, null, arg.options)
  const topic = command.id.includes(':') ? command.id.slice(0, command.id.indexOf(':')) : ''
  if (arg.name === 'template' || (arg.name === 'name' && topic === 'template')) return spec('templates', 'files')
  if (arg.name === 'name' && topic === 'profile') return spec('profiles', 'files')
  if (arg.name === 'files' || arg.name === 'file') return spec(null, 'files')
  if (arg.name === 'dir') return spec(null, 'dirs')
  if (arg.name === 'kind' && command.id === 'schema') return spec(null, null, builtins.schemaKinds)
  // Guest names live on the hosts: nothing to offer without asking them.
  return NOTHING
}

const oneLine = (s: string | undefined) => (s ?? '').split('\n')[0].trim()

export function completionModel(manifest: Manifest, builtins: BuiltinNames, topics: Record<string, string> = {}): CompletionModel {
  const commands = Object.values(manifest.commands)
    .filter((c) => !c.hidden)
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((c) => ({
      id: c.id,
      words: c.id.split(':'),
      summary: oneLine(c.summary ?? c.description),
      flags: Object.values(c.flags)
        .filter((f) => !f.hidden)
        .map((f) => ({
          spellings: [
            `--${f.name}`,
            ...(f.allowNo ? [`--no-${f.name}`] : []),
            ...(f.aliases ?? []).map((a) => (a.length === 1 ? `-${a}` : `--${a}`)),
            ...(f.char ? [`-${f.char}`] : []),
          ],
          summary: oneLine(f.summary ?? f.description),
          value: flagValue(f),
        })),
      positional: argValue(c, builtins),
    }))
  return {commands, topics, builtins}
}

/** The words that may follow `path` (the command words typed so far), with a description each. */
export function nextWords(model: CompletionModel, path: string[]): [string, string][] {
  const out = new Map<string, string>()
  for (const c of model.commands) {
    if (c.words.length <= path.length || path.some((w, i) => c.words[i] !== w)) continue
    const word = c.words[path.length]
    const isLeaf = c.words.length === path.length + 1
    if (!out.has(word) || isLeaf) out.set(word, isLeaf ? c.summary : (model.topics[[...path, word].join(' ')] ?? ''))
  }
  return [...out].sort(([a], [b]) => a.localeCompare(b))
}

/** Every command path that has words after it ('' is the top level). */
export function paths(model: CompletionModel): string[][] {
  const seen = new Map<string, string[]>([['', []]])
  for (const c of model.commands) for (let n = 1; n < c.words.length; n++) seen.set(c.words.slice(0, n).join(' '), c.words.slice(0, n))
  return [...seen.values()]
}
