/**
 * The emulated cmdlets' param() blocks and manifests are generated from the reference JSON and
 * committed; regenerating must give identical files (and extra-cmdlets.json its transcription).
 */
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {REPO} from '../helpers/pwsh.js'

const check = (script: string) => spawnSync(process.execPath, [join(REPO, 'scripts', script), '--check'], {cwd: REPO, encoding: 'utf8'})

describe('emulator generators', () => {
  it('ps/emulator/*/<Module>.Commands.ps1 and .psd1 are up to date', () => {
    const r = check('generate-emulator.mjs')
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })
  it('ps/emulator/reference/extra-cmdlets.json is up to date', () => {
    const r = check('generate-emulator-extra-reference.mjs')
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })
})
