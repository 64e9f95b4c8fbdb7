import type {Diagnostic} from '../model/diagnostic.js'
import type {ResolvedGuest} from '../resolve/guest.js'
import type {Targets} from '../resolve/targets.js'

/** A rule over one resolved guest. Rules read; they never change the plan. */
export type GuestRule = (g: ResolvedGuest) => Diagnostic[]

/** A rule over the whole run (names, MACs and switches across guests and hosts). */
export type RunRule = (guests: readonly ResolvedGuest[], targets: Targets) => Diagnostic[]
