/**
 * A run's id: when it started (UTC, to the second) and six random hex digits, so that two runs
 * started in the same second still have different ids.
 */
import {randomBytes} from 'node:crypto'

export const newRunId = (): string => `${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`
