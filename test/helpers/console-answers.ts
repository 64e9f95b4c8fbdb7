/**
 * Runs a command in a pseudo-terminal and types answers at its prompts, as a person at a console
 * would: for tests of scripts that ask with `Read-Host -AsSecureString`. That cmdlet needs a real
 * console: with redirected input, pwsh 7 ends the whole process at the prompt, with exit code 0
 * (checked on 7.6.9), so piping answers to stdin would test nothing. Python's pty module (python3,
 * already needed by test/helpers/independent-tools.ts) gives the console; it also answers the
 * terminal's cursor-position queries (ESC [ 6 n) that .NET sends while echoing `*`, which would
 * otherwise wait for a reply that never comes.
 */
import {spawnSync} from 'node:child_process'
import {PYTHON} from './independent-tools.js'

const DRIVER = String.raw`
import json, os, pty, select, sys, time
answers = json.loads(os.environ['HVG_ANSWERS'])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = bytearray()
pending = b''
i = 0
while True:
    r, _, _ = select.select([fd], [], [], 120)
    if not r:
        os.kill(pid, 9)
        out += b'\n[console-answers: no output for 120 s, killed]\n'
        break
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    pending += chunk
    queries = pending.count(b'\x1b[6n')
    if queries:
        os.write(fd, b'\x1b[1;1R' * queries)
        pending = pending.replace(b'\x1b[6n', b'')
    if i < len(answers) and answers[i][0].encode('utf-8') in pending:
        # a person types after the prompt shows: by then the console reads keys without echo
        time.sleep(0.5)
        os.write(fd, answers[i][1].encode('utf-8') + b'\r')
        pending = b''
        i += 1
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(bytes(out))
sys.stderr.write(json.dumps({'answered': i}))
sys.exit(os.waitstatus_to_exitcode(status))
`

export interface ConsoleRun {
  code: number | null
  /** Everything the terminal showed (stdout and stderr together, with terminal escapes). */
  output: string
  /** How many of the answers were typed. */
  answered: number
}

/**
 * Runs `command` in a pseudo-terminal; each time the text `answers[i][0]` appears, types
 * `answers[i][1]` and Enter (answers in order). `env` is added to the environment.
 */
export function runAtConsole(command: string[], answers: Array<[prompt: string, answer: string]>, opts: {env?: Record<string, string>; cwd?: string; timeoutMs?: number} = {}): ConsoleRun {
  const r = spawnSync(PYTHON, ['-c', DRIVER, ...command], {
    cwd: opts.cwd,
    encoding: 'utf8',
    env: {...process.env, ...opts.env, HVG_ANSWERS: JSON.stringify(answers)},
    timeout: opts.timeoutMs ?? 180_000,
    maxBuffer: 64 * 1024 * 1024,
  })
  if (r.error) throw new Error(`${PYTHON} (needed to give the script a console) could not run: ${r.error.message}`)
  let answered = -1
  try {
    answered = (JSON.parse(r.stderr.trim().split('\n').pop() ?? '') as {answered: number}).answered
  } catch {
    throw new Error(`the console driver failed (${r.status}): ${r.stderr}`)
  }
  return {code: r.status, output: r.stdout.replace(/\u001b\[[?0-9;]*[A-Za-z=>]|\u001b[=>]/g, ''), answered}
}
