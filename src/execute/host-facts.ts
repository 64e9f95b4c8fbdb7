/**
 * What a host is and has, as the runtime's `facts` action reads it in one round trip
 * (ps/HvGuest/Private/Facts.ps1): `doctor` checks it, `net show` prints it, `net apply` plans
 * from it. A fact the host cannot give is null and listed in `errors`.
 */
import {isInputError} from '../model/diagnostic.js'
import type {TargetHost} from '../model/target-host.js'
import {answerData, isAnswerShapeError} from '../powershell/answers.js'
import type {HostSession} from '../powershell/session.js'
import type {FactsAnswer, NicFacts, SwitchFacts} from '../powershell/protocol-types.generated.js'

/** The answer's shapes, generated from the runtime's schema (ps/HvGuest/schemas/facts.schema.json). */
export type {NicFacts, SwitchFacts}
export type HostFacts = FactsAnswer
export type VmFacts = FactsAnswer['vms'][number]

export interface HostFactsAnswer {
  host: TargetHost
  facts: HostFacts | null
  /** The session or the request failed: the host could not be asked at all. */
  error: string | null
}

/**
 * One `facts` round trip on a session the caller keeps open (net apply asks, then changes, on one
 * session). Facts of the wrong shape (src/powershell/answers.ts) are an answer the host could not
 * give: facts null, and the error names the field.
 */
export async function askFactsOn(session: HostSession, host: TargetHost, opts: {probeWrite?: boolean} = {}): Promise<HostFactsAnswer> {
  const r = await session.request({action: 'facts', vmRoot: host.vmRoot, cluster: host.cluster ?? undefined, probeWrite: opts.probeWrite ?? false})
  if (!r.ok) return {host, facts: null, error: r.error?.message ?? 'the host returned no facts'}
  try {
    const facts: HostFacts = answerData('facts', r)
    return {host, facts, error: null}
  } catch (error) {
    if (isAnswerShapeError(error)) return {host, facts: null, error: error.message}
    throw error
  }
}

export async function askFacts(host: TargetHost, open: (h: TargetHost) => Promise<HostSession>, opts: {probeWrite?: boolean} = {}): Promise<HostFactsAnswer> {
  let session: HostSession | undefined
  try {
    session = await open(host)
    return await askFactsOn(session, host, opts)
  } catch (error) {
    // Bad input (no pwsh, a broken emulator state file) stops the command with exit 2.
    if (isInputError(error)) throw error
    return {host, facts: null, error: (error as Error).message}
  } finally {
    await session?.close().catch(() => {})
  }
}

/** The physical NIC behind a switch (by the description Get-VMSwitch gives), or null. */
export function nicOf(facts: HostFacts, sw: SwitchFacts): NicFacts | null {
  const name = sw.nics[0]
  return facts.nics.find((n) => (name ? n.name === name : sw.nicDescriptions.includes(n.interfaceDescription))) ?? null
}

/** Wi-Fi adapters report their medium as Native 802.11. */
export const isWireless = (n: NicFacts): boolean => /802\.11|wireless|wi-?fi/i.test(`${n.physicalMediaType} ${n.mediaType}`)
