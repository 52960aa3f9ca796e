#!/bin/sh
# Writes bash completion for bank from the built bank's own help texts: the commands that
# `bank help --commands` lists, and for each the options its --help names (in its usage lines
# and its option lines). An option written with lowercase values in its help ("--schedule
# rounds", "--style money") completes those values; any other word completes file names.
# Run at build time (dist/CMakeLists.txt). Usage: dist/completion.sh BANK OUT
set -eu
bank=$1 out=$2
tmp=$out.tmp
commands=$("$bank" help --commands | tr '\n' ' ')
{
  echo '# bash completion for bank(1). Generated at build time by dist/completion.sh from the'
  echo '# help texts of bank; do not edit.'
  echo '_bank() {'
  echo '    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} opts="" values=""'
  echo '    if [ "$COMP_CWORD" -eq 1 ]; then'
  printf '        COMPREPLY=($(compgen -W "%s--help --version" -- "$cur"))\n' "$commands"
  echo '        return'
  echo '    fi'
  echo '    case ${COMP_WORDS[1]} in'
  for cmd in $commands; do
    "$bank" "$cmd" --help | awk -v cmd="$cmd" -v commands="$commands" '
      # the options of a line: every -x or --word at its start or after a space or a comma,
      # with the word that follows it when that is a lowercase value
      function take(s,    word, next_word) {
        while (match(s, /(^|[ ,[|])--?[a-zA-Z][a-zA-Z0-9-]*/)) {
          word = substr(s, RSTART, RLENGTH); sub(/^[ ,[|]/, "", word)
          s = substr(s, RSTART + RLENGTH)
          if (!(word in seen)) { seen[word] = 1; order[++n] = word }
          if (match(s, /^ [a-z][a-z|-]*/)) {
            next_word = substr(s, 2, RLENGTH - 1)
            gsub(/\|/, " ", next_word)
            if (!((word, next_word) in vseen)) { vseen[word, next_word] = 1; values[word] = values[word] " " next_word }
          }
        }
      }
      # usage lines: what follows "bank COMMAND" (not another form, such as "bank --version")
      /^usage: |^       [^ ]/ {
        sub(/^usage: +|^ +/, "")
        if (index($0, "bank " cmd) == 1) take(substr($0, length("bank " cmd) + 1))
        next
      }
      /^  -/ {
        line = substr($0, 3)
        if (match(line, /  +/)) line = substr(line, 1, RSTART - 1)
        take(line)
      }
      END {
        if (cmd == "help") { printf "        help) COMPREPLY=($(compgen -W \"%s--commands\" -- \"$cur\")); return ;;\n", commands; exit }
        printf "        %s)\n            opts=\"", cmd
        for (i = 1; i <= n; i++) printf "%s%s", (i > 1 ? " " : ""), order[i]
        print "\""
        printed = 0
        for (i = 1; i <= n; i++) if (order[i] in values) {
          if (!printed) { print "            case $prev in"; printed = 1 }
          v = values[order[i]]; sub(/^ /, "", v)
          printf "                %s) values=\"%s\" ;;\n", order[i], v
        }
        if (printed) print "            esac"
        print "            ;;"
      }'
  done
  echo '    esac'
  echo '    if [ -n "$values" ]; then'
  echo '        COMPREPLY=($(compgen -W "$values" -- "$cur"))'
  echo '    elif [[ $cur == -* ]]; then'
  echo '        COMPREPLY=($(compgen -W "$opts" -- "$cur"))'
  echo '    fi'
  echo '}'
  echo '# -o default: with no match of its own, bank completes file names'
  echo 'complete -o default -F _bank bank'
} >"$tmp"
mv "$tmp" "$out"
