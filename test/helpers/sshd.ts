/**
 * A real OpenSSH server on 127.0.0.1 for the tests of transport: ssh, started by the test itself
 * and stopped by its own pid. The recipe is test/helpers/local-sshd.mjs, shared with the benches.
 */
export {startSshd, type Sshd} from './local-sshd.mjs'
