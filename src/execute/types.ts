/**
 * What a run reports: per guest, what happened and why (the JSON of `create --json`), and the
 * events a progress display shows while it happens.
 */
import type {Diagnostic} from '../model/diagnostic.js'
import type {Plan} from '../model/plan.js'
import type {WaitResult} from './guest-status.js'

export type GuestOutcome = 'created' | 'planned' | 'failed' | 'rolled-back' | 'not-started'

export interface GuestResult {
  name: string
  host: string
  status: GuestOutcome
  vmId: string | null
  /** For a failure: the step, the cmdlet and the cmdlet's own message. */
  error: {step: string; cmdlet: string | null; message: string} | null
  /**
   * What the host did otherwise than planned, from the runtime's create-guest answer: a planned
   * setting this host's cmdlets cannot take (code setting-unsupported-host, setting the plan field)
   * and the like. Never a silent skip (docs/execution.md, "How the runtime adapts to the host").
   */
  warnings: Array<{code: string; setting: string | null; message: string}>
  /**
   * Seed media that carries a secret (firstBoot.secret): what became of it; null when the guest
   * has none (or was not created). Set by createGuests for every guest it reports.
   */
  seedMedia?: SeedMediaOutcome | null
}

/**
 * removed: ejected and deleted after `--wait` found the guest ready. kept: the template says
 * firstBoot.keepMedia: true. attached: still in its DVD drive and on the host's disk (no --wait,
 * the guest was not ready, or the removal failed: then a firstboot-secret-attached warning too).
 */
export interface SeedMediaOutcome {
  status: 'removed' | 'kept' | 'attached'
  /** The media on the host (the plan's firstBoot.media). */
  media: string
  reason: string
}

export interface RunResult {
  /**
   * not-ready: created and committed, but --wait timed out before every guest was ready (exit 1).
   * commit-failed: every guest was created and is kept, but the run could not be committed on the
   * hosts in commitErrors (exit 1); `hvguest recover` finishes the commit there.
   */
  status: 'ok' | 'failed' | 'invalid' | 'dry-run' | 'emitted' | 'not-ready' | 'commit-failed'
  runId: string | null
  guests: GuestResult[]
  /** Host-side problems found before anything changed (exit 2). */
  problems: Diagnostic[]
  /** Undo steps that could not be completed during rollback (the journal keeps them for `recover`). */
  rollbackErrors: Array<{host: string; message: string}>
  /** commit-failed: the hosts whose commit did not complete, and why. */
  commitErrors: Array<{host: string; message: string}>
  plan: Plan
  /** Measured: pwsh processes started and requests sent, per host. */
  /** Every session the run used: one per host, and with create --parallel its workers (worker 2..N). */
  sessions: Array<{host: string; worker?: number; processesStarted: number; requests: number}>
  emitted: string | null
  /** create --wait: what each guest reported when the wait ended; null without --wait. */
  wait: WaitResult | null
}

export type RunEvent =
  | {type: 'host'; host: string; message: string}
  | {type: 'step'; host: string; guest: string; step: string; detail?: string}
  | {type: 'guest'; host: string; guest: string; status: GuestOutcome; message?: string}
  | {type: 'wait'; host: string; guest: string; ready: boolean; message: string}
  /** What a run is about to work on (create, lab up): a live display opens a line per host and guest. */
  | {type: 'work'; hosts: string[]; guests: Array<{host: string; guest: string}>; /** What a host's own line stands for. */ hostWork: string}
