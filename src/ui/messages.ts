/**
 * User-facing text that more than one command prints lives here, so the wording stays
 * consistent and can be reviewed in one place.
 */
export const MESSAGES = {
  summary: (errors: number, warnings: number, infos: number) =>
    `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${infos ? `, ${infos} info` : ''}`,
  planFailed: 'The plan has errors: nothing can be created from it. Fix the lines above and run again.',
  strictHint: '(--strict: warnings count as errors)',
  validateOk: (n: number) => `${n} file${n === 1 ? '' : 's'} valid.`,
  validateNothing:
    'Nothing to validate: give files, or run in a project folder (templates/, profiles/, hosts.yaml). Built-in content is checked with --builtin.',
  initDone: (dir: string, here: boolean) =>
    `Starter project ready in ${dir}. Next: ${here ? '' : `cd ${dir} && `}hvguest validate && hvguest plan templates/lab-linux.yaml && hvguest create templates/lab-linux.yaml`,
  initNothing: (dir: string) => `Nothing created: every starter file exists already in ${dir} (use --force to overwrite them).`,
  initExists: (files: string[]) => `these files exist already and were left alone (use --force to overwrite): ${files.join(', ')}`,
  commitFailed: (host: string, runId: string, why: string, guests: string[]) =>
    `${guests.join(', ')} ${guests.length === 1 ? 'was' : 'were'} created on ${host} and ${guests.length === 1 ? 'is' : 'are'} kept, but run ${runId} could not be committed there (${why}). ` +
    `hvguest has no record of ${guests.length === 1 ? 'it' : 'them'} yet (list, destroy and ic need one) and the host lock is still held. ` +
    `Fix the cause, then run "hvguest recover --host ${host}": it finishes the commit and never removes ${guests.length === 1 ? 'this guest' : 'these guests'}.`,
  commitLeftToRecover: (runId: string, why: string) =>
    `The change was made, but run ${runId} could not be committed (${why}): it is kept, and the host lock is still held. Fix the cause, then run "hvguest recover": it finishes the commit.`,
} as const
