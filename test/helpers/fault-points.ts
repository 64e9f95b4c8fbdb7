/**
 * Where HVGUEST_EMULATOR_FAIL=cmdlet:n can strike a run: every mutating emulated cmdlet call of
 * the given actions, in order, read from a session's progress lines (each names the cmdlet its
 * step runs), never from a list kept by hand. n counts per cmdlet, as the emulator does per pwsh.
 * Also: whether a process still lives (a killed CLI's host-side pwsh may finish its step first).
 */
import type {TapLine} from './pwsh-tap.js'

export interface FaultPoint {
  cmdlet: string
  n: number
  action: string
  guest: string | null
  step: string
}

/** The emulated cmdlets that change something (the runtime's own New-Item, Remove-Item and Set-Content are not emulated). */
const MUTATING = /^(New|Set|Add|Remove|Enable|Disable|Start|Stop|Mount|Dismount)-/
const NOT_EMULATED = new Set(['New-Item', 'Remove-Item', 'Set-Content'])

export function faultPoints(session: TapLine[], actions: string[]): FaultPoint[] {
  const seen: Record<string, number> = {}
  return session
    .filter((l) => l.type === 'progress' && actions.includes(l.action!) && l.cmdlet && MUTATING.test(l.cmdlet) && !NOT_EMULATED.has(l.cmdlet))
    .map((l) => ({cmdlet: l.cmdlet!, n: (seen[l.cmdlet!] = (seen[l.cmdlet!] ?? 0) + 1), action: l.action!, guest: l.guest ?? null, step: l.step!}))
}

export const faultLabel = (f: FaultPoint): string => `${f.cmdlet}:${f.n} (${f.action}${f.guest ? ` ${f.guest}` : ''}, step ${f.step})`

/** Whether a process of this pid lives (EPERM: it does, as another user's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
