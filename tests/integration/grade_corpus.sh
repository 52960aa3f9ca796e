#!/usr/bin/env bash
# bank grade on every real student output of ../shared/corpus/p1: each is read (or rejected
# with the reason tests/grade/corpus_p1.txt states), graded against its input at the default
# budget, and the exit status, summary line and detected format are what the table says; no file
# may be left undecided. A corpus output file the
# table does not list fails the test, so a new file cannot go unread.
# Usage: grade_corpus.sh BANK CORPUS_P1 TABLE GOLDEN    (exit 77 when the corpus is absent)
set -uo pipefail
bank=$(realpath "$1") corpus=$(realpath -m "$2") table=$(realpath "$3") golden=$(realpath "$4")
if [ ! -d "$corpus" ]; then
  echo "grade_corpus: $corpus is absent (the shared corpus sits beside the project); skipping"
  exit 77
fi
failures=0 checked=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
trim() { sed -e 's/^ *//' -e 's/ *$//'; }

declare -A listed
while IFS='|' read -r out in want_rc want_summary want_format; do
  case "$out" in ''|'#'*) continue ;; esac
  out=$(trim <<<"$out") in=$(trim <<<"$in") want_rc=$(trim <<<"$want_rc")
  want_summary=$(trim <<<"$want_summary") want_format=$(trim <<<"$want_format")
  listed[$out]=1
  input=$corpus/$in
  [ "$in" = sample ] && input=$golden/sample/input.json
  got=$(cd "$corpus" && "$bank" grade --input "$input" "$out" 2>&1)
  rc=$?
  summary=$(tail -n 1 <<<"$got")
  format=$(head -n 1 <<<"$got" | sed -n 's/^[^:]*: \(.*\); judged.*/\1/p')
  checked=$((checked + 1))
  [ "$rc" = "$want_rc" ] || fail "$out: exit $rc, expected $want_rc"
  [ "$summary" = "$want_summary" ] || fail "$out: said \"$summary\", expected \"$want_summary\""
  [ "$format" = "$want_format" ] || fail "$out: format \"$format\", expected \"$want_format\""
  case "$summary" in *undecided*) fail "$out: undecided at the default budget (G12)" ;; esac
done <"$table"

# Every output the corpus holds must be in the table.
for manifest in "$corpus"/*/MANIFEST.txt; do
  dir=$(basename "$(dirname "$manifest")")
  while IFS=$'\t' read -r file _ _ _ role _; do
    case "$file" in '#'*|'') continue ;; esac
    [ "$role" = output ] || [ "$role" = other ] || continue
    [ -n "${listed[$dir/$file]:-}" ] || fail "$dir/$file is in the corpus but not in $table"
  done <"$manifest"
done

# --exact: the sequential answers pass the sequential run and fail the rounds one, where every
# query reads the final 400 and only customer 50's withdraw entry (900 - 500) agrees; the
# final-state answers (every query 400) pass --consistent (above) but not the sequential run.
exact() { # FILE INPUT SCHEDULE WANT_RC WANT_SUMMARY
  local got rc
  got=$(cd "$corpus" && "$bank" grade --exact --schedule "$3" --input "$2" "$1" 2>&1)
  rc=$?
  checked=$((checked + 1))
  [ "$rc" = "$4" ] && [ "$(tail -n 1 <<<"$got")" = "$5" ] ||
    fail "$1 --exact --schedule $3: exit $rc, \"$(tail -n 1 <<<"$got")\"; expected $4, \"$5\""
}
exact manideep-17__cse531-P1/output.json manideep-17__cse531-P1/input.json sequential 0 "200/200 events correct"
exact manideep-17__cse531-P1/output.json manideep-17__cse531-P1/input.json rounds 1 "101/200 events correct, 99 wrong"
exact ipulkitg__grpc-distributed-bank-p1/output.txt ipulkitg__grpc-distributed-bank-p1/input.json sequential 1 "101/200 events correct, 99 wrong"
exact traysonkelii__python_grpc/output.json traysonkelii__python_grpc/input.json rounds 0 "5/5 events correct"
exact clin255__CSE531_project1/output1.json clin255__CSE531_project1/input.json rounds 1 "3/5 events correct, 2 wrong"

echo "grade_corpus: $checked checks, $failures failed"
[ "$failures" -eq 0 ]
