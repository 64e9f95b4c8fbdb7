// The types of local-sshd.mjs (plain JavaScript, so that the benches need no TypeScript loader).
export interface Sshd {
  port: number
  dir: string
  user: string
  /** The client's private key (in authorized_keys). */
  identityFile: string
  /** A known_hosts file that holds the server's key. */
  knownHosts: string
  /** A private key the server does not accept. */
  strangerKey: string
  /** Where the far side caches the runtime (XDG_CACHE_HOME of its sessions). */
  cacheDir: string
  /** The inventory keys of a host reached through this server. */
  hostKeys(extra?: Record<string, unknown>): Record<string, unknown>
  /** The sshd's pid (it forks a child per connection, which ends with its connection). */
  pid: number
  stop(): Promise<void>
}

/** `powershellSubsystem: false` leaves out the `Subsystem powershell` line that psRemoting needs. */
export function startSshd(opts?: {powershellSubsystem?: boolean}): Promise<Sshd>
