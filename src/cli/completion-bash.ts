/** The bash completion script, from the completion model (src/cli/completion-model.ts). */
import {nextWords, paths, type CompletionModel, type ValueSpec} from './completion-model.js'

/** Single-quoted for bash: the text stays data, whatever it holds. */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
const valueText = (v: ValueSpec) => [v.names ?? '-', v.paths ?? '-', ...v.words].join(' ')

export function bashScript(model: CompletionModel): string {
  const nextCases = paths(model).map((p) => `    ${q(p.join(' '))}) REPLY=${q(nextWords(model, p).map(([w]) => w).join(' '))} ;;`)
  const commandCases = model.commands.map((c) => q(c.words.join(' '))).join('|')
  const flagCases = model.commands.map((c) => `    ${q(c.words.join(' '))}) REPLY=${q(c.flags.flatMap((f) => f.spellings).join(' '))} ;;`)
  const valueCases = model.commands.flatMap((c) =>
    c.flags.filter((f) => f.value).map((f) => `    ${f.spellings.map((s) => q(`${c.words.join(' ')} ${s}`)).join('|')}) REPLY=${q(valueText(f.value!))} ;;`),
  )
  const argCases = model.commands.map((c) => `    ${q(c.words.join(' '))}) REPLY=${q(valueText(c.positional))} ;;`)
  return `# bash completion for hvguest. Generated at build time by scripts/generate-completion.mjs from
# oclif.manifest.json, so completing never starts node. Install:
#   echo 'source <(hvguest completion bash)' >> ~/.bashrc

__hvguest_builtin_templates=${q(model.builtins.templates.join('\n'))}
__hvguest_builtin_profiles=${q(model.builtins.profiles.join('\n'))}

__hvguest_next_words() {
  case "$1" in
${nextCases.join('\n')}
    *) REPLY='' ;;
  esac
}

__hvguest_is_command() {
  case "$1" in
    ${commandCases}) return 0 ;;
  esac
  return 1
}

__hvguest_flags() {
  case "$1" in
${flagCases.join('\n')}
    *) REPLY='' ;;
  esac
}

# What a flag's value completes to ("NAMES PATHS WORDS..."); empty for a flag without a value.
__hvguest_flag_value() {
  case "$1 $2" in
${valueCases.join('\n')}
    *) REPLY='' ;;
  esac
}

__hvguest_arg_value() {
  case "$1" in
${argCases.join('\n')}
    *) REPLY='- -' ;;
  esac
}

# Project templates or profiles: the YAML files of ./templates or ./profiles, by base name.
__hvguest_project_names() {
  local f
  for f in "$1"/*.[yY][aA][mM][lL] "$1"/*.[yY][mM][lL]; do
    [[ -f $f ]] || continue
    f=\${f##*/}
    printf '%s\\n' "\${f%.*}"
  done
}

# The "- name: X" entries under hosts: of an inventory.
__hvguest_hosts() {
  [[ -r $1 ]] || return 0
  awk '
    /^hosts:/ { inHosts = 1; next }
    /^[^[:space:]#-]/ { inHosts = 0 }
    inHosts && match($0, /^[[:space:]]*-[[:space:]]+name:[[:space:]]*/) {
      v = substr($0, RSTART + RLENGTH); sub(/[[:space:]]+#.*$/, "", v); sub(/[[:space:]]+$/, "", v)
      gsub(/^["\\047]|["\\047]$/, "", v); if (v != "") print v
    }' "$1"
}

__hvguest_complete_value() {
  local names=$1 kind=$2 cur=$3 inventory=$4 IFS=$'\\n'
  shift 4
  local list
  list=$(printf '%s\\n' "$@")
  case $names in
    templates) list+=$'\\n'"$__hvguest_builtin_templates"$'\\n'"$(__hvguest_project_names templates)" ;;
    profiles) list+=$'\\n'"$__hvguest_builtin_profiles"$'\\n'"$(__hvguest_project_names profiles)" ;;
    hosts)
      [[ $inventory == "~/"* ]] && inventory=$HOME/\${inventory#"~/"}
      list+=$'\\n'"$(__hvguest_hosts "\${inventory:-hosts.yaml}")" ;;
  esac
  COMPREPLY=($(compgen -W "$list" -- "$cur"))
  case $kind in
    files) compopt -o filenames 2>/dev/null; COMPREPLY+=($(compgen -f -- "$cur")) ;;
    dirs) compopt -o filenames 2>/dev/null; COMPREPLY+=($(compgen -d -- "$cur")) ;;
  esac
}

_hvguest() {
  local cword=$COMP_CWORD cur=\${COMP_WORDS[COMP_CWORD]} valueOf='' path='' cmd='' inventory='' pending='' i w
  COMPREPLY=()
  # bash splits --flag=value at "=": complete the value of that flag.
  if [[ $cur == '=' ]]; then valueOf=\${COMP_WORDS[cword-1]}; cur=''
  elif (( cword >= 2 )) && [[ \${COMP_WORDS[cword-1]} == '=' ]]; then valueOf=\${COMP_WORDS[cword-2]}
  fi
  for (( i = 1; i < cword; i++ )); do
    w=\${COMP_WORDS[i]}
    if [[ -n $pending ]]; then
      [[ $pending == --inventory || $pending == -i ]] && inventory=$w
      pending=''
      continue
    fi
    if [[ $w == '=' ]]; then
      if (( i + 1 < cword )); then
        [[ \${COMP_WORDS[i-1]} == --inventory || \${COMP_WORDS[i-1]} == -i ]] && inventory=\${COMP_WORDS[i+1]}
        (( i++ ))
      fi
      continue
    fi
    if [[ $w == -* ]]; then
      __hvguest_flag_value "$path" "$w"
      [[ -n $REPLY && \${COMP_WORDS[i+1]} != '=' ]] && pending=$w
      continue
    fi
    if [[ -z $cmd ]]; then
      __hvguest_next_words "\${path:+$path }$w"
      if __hvguest_is_command "\${path:+$path }$w"; then path="\${path:+$path }$w"; cmd=$path
      elif [[ -n $REPLY ]]; then path="\${path:+$path }$w"
      fi
    fi
  done
  if [[ -z $valueOf && -n $pending ]]; then valueOf=$pending; fi
  local -a value
  if [[ -n $valueOf ]]; then
    __hvguest_flag_value "$path" "$valueOf"
    [[ -n $REPLY ]] || return 0
  elif [[ $cur == -* && -n $cmd ]]; then
    __hvguest_flags "$cmd"
    COMPREPLY=($(compgen -W "$REPLY" -- "$cur"))
    return 0
  elif [[ -z $cmd ]]; then
    __hvguest_next_words "$path"
    COMPREPLY=($(compgen -W "$REPLY" -- "$cur"))
    return 0
  else
    __hvguest_arg_value "$cmd"
  fi
  value=($REPLY)
  __hvguest_complete_value "\${value[0]}" "\${value[1]}" "$cur" "$inventory" "\${value[@]:2}"
}
complete -F _hvguest hvguest
`
}
