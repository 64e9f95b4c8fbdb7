import {describe, expect, it} from 'vitest'
import {wantsSession} from '../../../src/cli/prestart.js'

describe('which command lines start a pwsh ahead of time (src/cli/prestart.ts)', () => {
  it('the session commands, with or without flags and arguments', () => {
    for (const argv of [['create', 'ubuntu-2204'], ['create', 'templates/lab-linux.yaml', '--count', '10'], ['list'], ['destroy', 'web1', '--yes'], ['recover'], ['doctor'], ['net', 'show'], ['ic', 'status', 'web1']]) {
      expect(wantsSession(argv), argv.join(' ')).toBe(true)
    }
  })

  it('not the commands that never open one, nor a session command that only shows or writes a plan, or help', () => {
    for (const argv of [[], ['plan', 'ubuntu-2204'], ['--version'], ['validate'], ['init', 'lab'], ['template', 'list'], ['net', 'apply', '--dry-run'], ['create', 'x', '--dry-run'], ['create', 'x', '--emit', 'f.ps1'], ['create', 'x', '--emit=f.ps1'], ['list', '--help'], ['create', '-h']]) {
      expect(wantsSession(argv), argv.join(' ')).toBe(false)
    }
  })
})
