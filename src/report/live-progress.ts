/**
 * The progress of the long-running commands (create, lab up). On a terminal, a live display
 * (listr2): a line per host for its own work and a line per guest with its current step, drawn
 * side by side as hosts work in parallel. Elsewhere (a pipe, CI, a transcript) the plain lines of
 * progressPrinter. listr2 is loaded here only, when a terminal asks for it: no other command
 * pays for it.
 */
import type {RunEvent} from '../execute/types.js'
import {progressPrinter} from './progress.js'

export interface LiveProgress {
  onEvent: (e: RunEvent) => void
  /** Closes every line still open (the run is over). */
  stop: () => Promise<void>
}

/** One line of the display: what it shows now, and its end. */
class Line {
  sink: (text: string) => void = () => {}
  finish!: (error?: Error) => void
  readonly ended = new Promise<void>((resolve, reject) => {
    this.finish = (error) => (error ? reject(error) : resolve())
  })
}

export async function liveProgress(write: (line: string) => void, opts: {live?: boolean; stream?: NodeJS.WriteStream} = {}): Promise<LiveProgress> {
  const plain = progressPrinter(write)
  if (!(opts.live ?? (process.stderr.isTTY === true && !process.env.CI))) return {onEvent: plain, stop: async () => {}}
  const {Listr, ListrLogger, ProcessOutput} = await import('listr2')
  // Drawn on stderr, as every progress line is: stdout stays the command's answer.
  const stream = opts.stream ?? process.stderr
  const logger = new ListrLogger({processOutput: new ProcessOutput(stream, stream)})
  const lines = new Map<string, Line>()
  let drawing: Promise<unknown> | null = null
  return {
    onEvent(e) {
      if (e.type === 'work') {
        const keys = [...e.hosts, ...e.guests.map((g) => `${g.host}/${g.guest}`)]
        const tasks = keys.map((key) => {
          const line = new Line()
          lines.set(key, line)
          return {
            title: key.includes('/') ? key : `${key}: ${e.hostWork}`,
            task: async (_ctx: unknown, task: {output: string}) => {
              line.sink = (t) => {
                task.output = t
              }
              await line.ended
            },
          }
        })
        drawing = new Listr(tasks, {concurrent: true, exitOnError: false, rendererOptions: {collapseErrors: false, logger}, fallbackRendererOptions: {logger}}).run().catch(() => {})
        return
      }
      if (!drawing) return plain(e)
      switch (e.type) {
        case 'host':
          lines.get(e.host)?.sink(e.message)
          break
        case 'step':
          lines.get(`${e.host}/${e.guest}`)?.sink(`${e.step}${e.detail ? ` ${e.detail}` : ''}`)
          break
        case 'wait':
          lines.get(`${e.host}/${e.guest}`)?.sink(e.message)
          break
        case 'guest':
          if (e.status === 'failed') lines.get(`${e.host}/${e.guest}`)?.finish(new Error(e.message ?? 'failed'))
          else lines.get(`${e.host}/${e.guest}`)?.finish()
          break
      }
    },
    async stop() {
      for (const l of lines.values()) l.finish()
      await drawing
    },
  }
}
