/**
 * A host a run targets, as the resolve stage found it: its OS, roots, switches and the hardware
 * profile in force there. Every stage from resolve up to execute and report reads it.
 */
import type {HostOs} from './host-os.js'
import type {HardwareProfile, HostEntry, Transport} from './schemas.js'

export interface LoadedProfile {
  name: string
  file: string
  profile: HardwareProfile
}

export interface TargetHost {
  name: string
  transport: Transport
  os: HostOs
  osSource: 'inventory' | 'flag' | 'default'
  vmRoot: string
  imageRoot: string
  isoRoot: string
  cluster: string | null
  /** Switch names the inventory says exist on this host, when it says. */
  switches: string[] | null
  entry: HostEntry | null
  /** The inventory the host came from: relative paths in its entry (emulator.stateFile) are relative to it. */
  inventoryFile: string | null
  profile: LoadedProfile
}
