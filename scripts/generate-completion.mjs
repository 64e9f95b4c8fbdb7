// Build step after `oclif manifest` (npm run build): writes the shell completion scripts into
// dist/completion from oclif.manifest.json and the built-in content, so that completing never
// starts node and the CLI's start-up pays nothing for it (no oclif plugin, no hook).
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

const {completionModel} = await import('../dist/cli/completion-model.js')
const {bashScript} = await import('../dist/cli/completion-bash.js')
const {zshScript} = await import('../dist/cli/completion-zsh.js')
const {powershellScript} = await import('../dist/cli/completion-powershell.js')
const {listContent} = await import('../dist/load/library.js')
const {SCHEMA_KINDS} = await import('../dist/load/json-schema.js')

const manifest = JSON.parse(readFileSync('oclif.manifest.json', 'utf8'))
const pkg = JSON.parse(readFileSync('package.json', 'utf8'))
// The built-ins exactly as `hvguest template list` finds them, without any project's files.
const builtin = (kind) => listContent(kind, '/nonexistent-project').filter((e) => e.origin === 'builtin').map((e) => e.name)
const topics = Object.fromEntries(Object.entries(pkg.oclif.topics ?? {}).map(([k, v]) => [k.replace(/:/g, ' '), v.description ?? '']))
const model = completionModel(manifest, {templates: builtin('template'), profiles: builtin('profile'), schemaKinds: [...SCHEMA_KINDS]}, topics)

mkdirSync('dist/completion', {recursive: true})
writeFileSync(join('dist/completion', 'hvguest.bash'), bashScript(model))
writeFileSync(join('dist/completion', '_hvguest'), zshScript(model))
writeFileSync(join('dist/completion', 'hvguest.ps1'), powershellScript(model))
console.log(`completion scripts for ${model.commands.length} commands in dist/completion`)
