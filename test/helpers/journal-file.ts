/**
 * A run journal as one document, for tests that look inside one: the runtime writes JSON Lines
 * (ps/HvGuest/Private/Journal.ps1: the run's line, then entry, done and commit records), and
 * this folds them into {runId, pid, ..., entries: [...], commit?} the way Open-HvJournal does.
 */
import {readFileSync, writeFileSync} from 'node:fs'

export const journalFileName = (runId: string): string => `${runId}.jsonl`

export function readJournal(file: string): any {
  const lines = readFileSync(file, 'utf8').split('\n')
  lines.pop() // after the last newline: nothing, or a torn append, which is not part of the journal
  const records = lines.filter((l) => l.trim() !== '').map((l) => JSON.parse(l))
  const [first, ...rest] = records
  if (!first?.run) throw new Error(`${file} does not start with its run`)
  const journal: any = {...first.run, entries: []}
  for (const r of rest) {
    if (r.entry) journal.entries.push(r.entry)
    else if (r.done !== undefined) {
      const e = journal.entries.find((x: any) => x.seq === r.done)
      if (e) Object.assign(e, {done: true, undo: {...e.undo, ...r.undo}})
    } else if (r.commit) journal.commit = r.commit
  }
  return journal
}

/** Writes a journal document back as the runtime would have written it (every entry as it stands). */
export function writeJournal(file: string, journal: any): void {
  const {entries, commit, ...run} = journal
  const lines = [{run}, ...entries.map((entry: any) => ({entry})), ...(commit ? [{commit}] : [])]
  writeFileSync(file, lines.map((l) => JSON.stringify(l) + '\n').join(''))
}
