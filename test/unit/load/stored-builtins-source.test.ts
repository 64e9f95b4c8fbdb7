import {describe, expect, it} from 'vitest'
import {join} from 'node:path'
import {compiledBuiltinProfile} from '../../../src/load/compiled-profiles.js'
import {compiledBuiltinTemplate} from '../../../src/load/compiled-templates.js'
import {BUILTIN_ROOT} from '../../../src/load/library.js'
import {runsFromBuild} from '../../../src/load/stored-builtin.js'

describe('what the build stored is used by the build only (src/load/stored-builtin.ts)', () => {
  it('tells a TypeScript source from a built module', () => {
    expect(runsFromBuild('file:///x/src/load/compiled-profiles.ts')).toBe(false)
    expect(runsFromBuild('file:///x/dist/load/compiled-profiles.js')).toBe(true)
    expect(runsFromBuild('file:///x/dist/services.cjs')).toBe(true)
  })

  it('src/ reads every built-in profile and template from its YAML, built or not', () => {
    expect(compiledBuiltinProfile(join(BUILTIN_ROOT, 'profiles', 'generic-1g.yaml'))).toBeUndefined()
    expect(compiledBuiltinTemplate(join(BUILTIN_ROOT, 'guests', 'ubuntu-2204.yaml'))).toBeUndefined()
  })
})
