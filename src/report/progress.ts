/**
 * Progress of a run, one line per host event, guest step and guest outcome, on stderr so that
 * stdout stays the command's answer. A line per step (not a redrawn spinner) reads the same
 * in a terminal, a CI log and a transcript.
 */
import type {RunEvent} from '../execute/types.js'

export function progressPrinter(write: (line: string) => void): (e: RunEvent) => void {
  const started = Date.now()
  const t = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`
  return (e) => {
    switch (e.type) {
      case 'host':
        write(`${t()}  ${e.host}: ${e.message}`)
        break
      case 'step':
        write(`${t()}  ${e.host}/${e.guest}: ${e.step}${e.detail ? ` ${e.detail}` : ''}`)
        break
      case 'guest':
        write(`${t()}  ${e.host}/${e.guest}: ${e.status}${e.message ? `: ${e.message}` : ''}`)
        break
      case 'wait':
        write(`${t()}  ${e.host}/${e.guest}: ${e.message}`)
        break
    }
  }
}
