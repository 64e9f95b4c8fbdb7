// `npm test` runs this first (pretest), after ensure-pwsh.mjs: the tests read back what hvguest
// writes with independent tools from Debian's packages (xorriso and isoinfo for seed media,
// cloud-init for user-data, xmllint for answer files, PyYAML for YAML, openssl for password hashes),
// and drive transport: ssh through a real OpenSSH server. A fresh Debian machine
// gets them here with apt-get (as root, or through sudo without a password); elsewhere this
// says what to install. Nothing happens when they are all there.
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {delimiter, join} from 'node:path'

const TOOLS = [
  {command: 'xorriso', pkg: 'xorriso'},
  {command: 'isoinfo', pkg: 'genisoimage'},
  {command: 'xmllint', pkg: 'libxml2-utils'},
  {command: 'cloud-init', pkg: 'cloud-init'},
  // password hashes on seed media are checked with openssl passwd -6 (and glibc's crypt via perl)
  {command: 'openssl', pkg: 'openssl'},
  {command: 'perl', pkg: 'perl-base'},
  // the generated zsh completion is parsed and run by zsh itself (test/e2e/completion.test.ts)
  {command: 'zsh', pkg: 'zsh'},
  // transport: ssh is tested against a real OpenSSH server the tests start on 127.0.0.1
  // (test/helpers/sshd.ts runs /usr/sbin/sshd, which is not on every user's PATH)
  {command: 'sshd', pkg: 'openssh-server', file: '/usr/sbin/sshd'},
  {command: 'ssh', pkg: 'openssh-client'},
]
const onPath = (c) => (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, c)))
const missing = TOOLS.filter((t) => !(t.file ? existsSync(t.file) : onPath(t.command)))
const yaml = spawnSync(existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', ['-c', 'import yaml'], {stdio: 'ignore'})
const packages = [...new Set([...missing.map((t) => t.pkg), ...(yaml.status === 0 ? [] : ['python3-yaml'])])]

if (packages.length === 0) {
  console.log(`test tools: ${TOOLS.map((t) => t.command).join(', ')}, PyYAML`)
  process.exit(0)
}
const root = typeof process.getuid === 'function' && process.getuid() === 0
const sudo = root ? [] : spawnSync('sudo', ['-n', 'true'], {stdio: 'ignore'}).status === 0 ? ['sudo', '-n'] : null
if (!onPath('apt-get') || sudo === null) {
  console.error(`The tests need Debian packages that are missing: ${packages.join(' ')}. Install them (apt-get install ${packages.join(' ')}) and run again.`)
  process.exit(1)
}
console.log(`installing the test tools: apt-get install ${packages.join(' ')}`)
const run = (args) => {
  const [cmd, ...rest] = [...sudo, ...args]
  return spawnSync(cmd, rest, {stdio: 'inherit', env: {...process.env, DEBIAN_FRONTEND: 'noninteractive'}}).status === 0
}
if (!run(['apt-get', 'install', '-y', '--no-install-recommends', ...packages]) && !(run(['apt-get', 'update']) && run(['apt-get', 'install', '-y', '--no-install-recommends', ...packages]))) {
  console.error(`apt-get could not install ${packages.join(' ')}; the tests need them.`)
  process.exit(1)
}
