/** The completion generator on the real manifest: every command and every flag reaches each script. */
import {existsSync, readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {bashScript} from '../../../src/cli/completion-bash.js'
import {completionModel, nextWords, type Manifest} from '../../../src/cli/completion-model.js'
import {powershellScript} from '../../../src/cli/completion-powershell.js'
import {zshScript} from '../../../src/cli/completion-zsh.js'

const MANIFEST = new URL('../../../oclif.manifest.json', import.meta.url)

describe.runIf(existsSync(MANIFEST))('completion scripts from oclif.manifest.json', () => {
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest
  const model = completionModel(manifest, {templates: ['ubuntu-2204'], profiles: ['intel-10g'], schemaKinds: ['GuestTemplate']}, {template: 'Templates.'})
  const scripts = {bash: bashScript(model), zsh: zshScript(model), powershell: powershellScript(model)}

  it('holds every command and every flag spelling', () => {
    for (const c of Object.values(manifest.commands)) {
      const spec = model.commands.find((m) => m.id === c.id)!
      expect(spec, c.id).toBeDefined()
      for (const f of Object.values(c.flags)) {
        expect(spec.flags.some((s) => s.spellings.includes(`--${f.name}`)), `${c.id} --${f.name}`).toBe(true)
        if (f.char) expect(spec.flags.some((s) => s.spellings.includes(`-${f.char}`)), `${c.id} -${f.char}`).toBe(true)
      }
      expect(scripts.bash, c.id).toContain(`'${c.id.split(':').join(' ')}'`)
      expect(scripts.zsh, c.id).toContain(`'${c.id.split(':').join(' ')}'`)
      expect(scripts.powershell, c.id).toContain(`"id":"${c.id}"`)
    }
  })

  it('reads each kind of value from the manifest', () => {
    const create = model.commands.find((c) => c.id === 'create')!
    const flag = (n: string) => create.flags.find((f) => f.spellings.includes(n))!.value
    expect(flag('--host')).toEqual({names: 'hosts', paths: null, words: []})
    expect(flag('--profile')).toEqual({names: 'profiles', paths: 'files', words: []})
    expect(flag('--inventory')).toEqual({names: null, paths: 'files', words: []})
    expect(flag('--host-os')!.words).toContain('windows-server-2022')
    expect(flag('--json')).toBeNull()
    expect(create.positional).toEqual({names: 'templates', paths: 'files', words: []})
    expect(nextWords(model, ['template'])).toEqual([
      ['list', expect.any(String)],
      ['show', expect.any(String)],
    ])
    expect(nextWords(model, []).find(([w]) => w === 'template')![1]).toBe('Templates.')
  })

  it('keeps values as data: a quote in a name stays inside its string', () => {
    const odd = completionModel(manifest, {templates: ["it's"], profiles: [], schemaKinds: []})
    expect(bashScript(odd)).toContain(`'it'\\''s'`)
    expect(powershellScript(odd)).toContain(`it''s`)
  })
})
