#!/usr/bin/env bash
# bank grade --project 2 on every real student output of ../shared/corpus/p2: each submission is
# read (or rejected with the reason tests/grade/corpus_p2.txt states), graded against its input,
# and the exit status, summary line and detected format are what the table says. A corpus output
# file the table does not list fails the test, so a new file cannot go unread.
# Usage: grade_corpus_p2.sh BANK CORPUS_P2 TABLE GOLDEN    (exit 77 when the corpus is absent)
set -uo pipefail
bank=$(realpath "$1") corpus=$(realpath -m "$2") table=$(realpath "$3") golden=$(realpath "$4")
if [ ! -d "$corpus" ]; then
  echo "grade_corpus_p2: $corpus is absent (the shared corpus sits beside the project); skipping"
  exit 77
fi
failures=0 checked=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
trim() { sed -e 's/^ *//' -e 's/ *$//'; }

declare -A listed
# rule: L8, L10, L14; every p2 output of the corpus, read and graded as the table says
while IFS='|' read -r files in want_rc want_summary want_format; do
  case "$files" in ''|'#'*) continue ;; esac
  files=$(trim <<<"$files") in=$(trim <<<"$in") want_rc=$(trim <<<"$want_rc")
  want_summary=$(trim <<<"$want_summary") want_format=$(trim <<<"$want_format")
  for f in $files; do listed[$f]=1; done
  input=$corpus/$in
  [ "$in" = p2-ta ] && input=$golden/p2-ta/input.json
  # shellcheck disable=SC2086
  got=$(cd "$corpus" && "$bank" grade --project 2 --input "$input" $files 2>&1)
  rc=$?
  summary=$(tail -n 1 <<<"$got")
  format=$(head -n 1 <<<"$got" | sed -n 's/^.*: \([^:]*\); judged.*/\1/p')
  checked=$((checked + 1))
  [ "$rc" = "$want_rc" ] || fail "$files: exit $rc, expected $want_rc"
  [ "$summary" = "$want_summary" ] || fail "$files: said \"$summary\", expected \"$want_summary\""
  [ "$format" = "$want_format" ] || fail "$files: format \"$format\", expected \"$want_format\""
  [ "$rc" = "$want_rc" ] && [ "$summary" = "$want_summary" ] && echo "ok   $files: $summary"
done <"$table"

# Every output the corpus holds must be in the table.
for manifest in "$corpus"/*/MANIFEST.txt; do
  dir=$(basename "$(dirname "$manifest")")
  while IFS=$'\t' read -r file _ _ _ role _; do
    case "$file" in '#'*|'') continue ;; esac
    [ "$role" = output ] || [ "$role" = other ] || [ "$role" = expected ] || continue
    [ -n "${listed[$dir/$file]:-}" ] || fail "$dir/$file is in the corpus but not in $table"
  done <"$manifest"
done

echo "grade_corpus_p2: $checked submissions, $failures failed"
[ "$failures" -eq 0 ]
