/**
 * A tap on the protocol between the BUILT CLI and its pwsh sessions, for tests that must know
 * where a run is (a signal instead of a sleep) or which cmdlet each step ran (the runtime's
 * progress lines carry it; the CLI's own progress lines do not).
 *
 * The CLI is pointed at a wrapper (HVGUEST_PWSH) that runs the real pwsh with the same
 * arguments and stdin and copies everything pwsh writes to stdout into a file per pwsh process:
 * observation only, every byte still reaches the CLI unchanged, and the pwsh is the one the
 * product would use (a missing pwsh fails here, loudly).
 */
import {chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pwshPath} from './pwsh.js'

/** A protocol line as the runtime writes it (docs/execution.md section 3). */
export interface TapLine {
  hvguest: 1
  type: 'progress' | 'result'
  action?: string | null
  guest?: string | null
  step?: string
  /** progress: the cmdlet the step runs, when it runs one. */
  cmdlet?: string | null
  detail?: string | null
  ok?: boolean
  data?: any
  error?: {step: string; cmdlet: string | null; message: string; category: string}
}

export interface PwshTap {
  /** Environment for the CLI: HVGUEST_PWSH (the wrapper) and where the copies go. */
  env: Record<string, string>
  /** The protocol lines of each pwsh process started so far, in the order each wrote them. */
  sessions(): TapLine[][]
}

/** pwsh writes terminal mode escapes (ESC[?1h ESC[?1l) around output even when piped. */
const ANSI = /\u001b\[[?0-9;]*[A-Za-z]/g

let wrapper: string | undefined

function wrapperScript(): string {
  if (wrapper) return wrapper
  const dir = mkdtempSync(join(tmpdir(), 'hvguest-tap-'))
  wrapper = join(dir, 'pwsh')
  // bash for PIPESTATUS: the wrapper exits with pwsh's own status.
  writeFileSync(wrapper, '#!/bin/bash\n"$HVG_TAP_PWSH" "$@" | tee "$HVG_TAP_DIR/$$.out"\nexit "${PIPESTATUS[0]}"\n')
  chmodSync(wrapper, 0o755)
  return wrapper
}

export function pwshTap(): PwshTap {
  const dir = mkdtempSync(join(tmpdir(), 'hvguest-tapped-'))
  return {
    env: {HVGUEST_PWSH: wrapperScript(), HVG_TAP_PWSH: pwshPath(), HVG_TAP_DIR: dir},
    sessions: () =>
      existsSync(dir)
        ? readdirSync(dir)
            .sort()
            .map((f) => {
              const lines = readFileSync(join(dir, f), 'utf8').replace(ANSI, '').split('\n')
              // the part after the last newline is a line still being written: not read yet
              lines.pop()
              return lines
                .map((l) => l.replace(/\r$/, ''))
                .filter((l) => l.startsWith('{"hvguest":1,'))
                .map((l) => {
                  try {
                    return JSON.parse(l) as TapLine
                  } catch (error) {
                    throw new Error(`a protocol line of pwsh ${f} is not JSON (${(error as Error).message}): ${l}`)
                  }
                })
            })
        : [],
  }
}

/** Polls `check` (every 20 ms) until it returns a value other than undefined; fails after timeoutMs naming what it waited for. */
export async function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = check()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
