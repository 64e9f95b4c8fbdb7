/**
 * A pwsh that records its starts: a POSIX shell wrapper, for HVGUEST_PWSH, that appends its pid to
 * a file and then execs the real pwsh (so the recorded pid is the process that runs pwsh, or its
 * launcher, which ends with it). What src/cli/prestart.ts starts ahead of time is counted with the
 * rest. POSIX only: on Windows the other e2e files cover the same CLI.
 */
import {chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {findPwsh} from '../../src/powershell/find-pwsh.js'

export interface PwshStarts {
  /** The environment for runCli: HVGUEST_PWSH, the wrapper. */
  env: {HVGUEST_PWSH: string}
  /** The pids recorded, one per start, in order. */
  started(): number[]
}

export function recordPwshStarts(): PwshStarts {
  const dir = mkdtempSync(join(tmpdir(), 'hvguest-pwsh-starts-'))
  const starts = join(dir, 'starts.txt')
  const wrapper = join(dir, 'pwsh')
  writeFileSync(wrapper, `#!/bin/sh\necho $$ >> '${starts}'\nexec '${findPwsh()}' "$@"\n`)
  chmodSync(wrapper, 0o755)
  return {
    env: {HVGUEST_PWSH: wrapper},
    started: () => (existsSync(starts) ? readFileSync(starts, 'utf8').trim().split('\n').filter(Boolean).map(Number) : []),
  }
}
