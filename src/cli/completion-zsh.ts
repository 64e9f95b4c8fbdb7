/**
 * The zsh completion script: the bash one, run through zsh's own bash-completion emulation
 * (bashcompinit, part of zsh), so the two shells complete the same words from one logic.
 * As a file `_hvguest` in $fpath it is autoloaded by compinit; sourced, it registers itself.
 */
import {bashScript} from './completion-bash.js'
import type {CompletionModel} from './completion-model.js'

export function zshScript(model: CompletionModel): string {
  const bash = bashScript(model)
    .replace(/\b_hvguest\(\)/, '__hvguest_bash()')
    .replace(/^complete -F _hvguest hvguest\n/m, '')
    .replace(/^# Install:.*\n#.*\n/m, '')
  return `#compdef hvguest
# zsh completion for hvguest. Install: hvguest completion zsh > "\${fpath[1]}/_hvguest", then compinit.
autoload -U +X bashcompinit && bashcompinit
${bash}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _bash_complete -F __hvguest_bash "$@"
else
  complete -F __hvguest_bash hvguest
fi
`
}
