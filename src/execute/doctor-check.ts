/** One line of `hvguest doctor`: a check of a host, its status, a stable code and a fix. */
export type CheckStatus = 'ok' | 'fail' | 'warn' | 'info'

export interface DoctorCheck {
  host: string
  check: string
  status: CheckStatus
  /** Stable code for a line that is not ok (src/model/codes.ts); null when ok. */
  code: string | null
  message: string
  fix: string | null
}

/** A line before it is given the host it is about. */
export type CheckLine = Omit<DoctorCheck, 'host'>

/** An ok line has no code: the code names what is wrong. */
export const line = (check: string, status: CheckStatus, code: string | null, message: string, fix: string | null = null): CheckLine => ({check, status, code: status === 'ok' ? null : code, message, fix})
