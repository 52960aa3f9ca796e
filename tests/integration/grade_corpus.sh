#!/usr/bin/env bash
# bank grade on every real student output of ../shared/corpus/p1 (or, with PROJECT 3, p3): each
# is read (or rejected with the reason tests/grade/corpus_pN.txt states), graded against its
# input, and the exit status, summary line and detected format are what the table says. A corpus
# output file the table does not list fails the test, so a new file cannot go unread.
# Usage: grade_corpus.sh BANK CORPUS_PN TABLE GOLDEN [PROJECT]  (exit 77 when the corpus is absent)
set -uo pipefail
bank=$(realpath "$1") corpus=$(realpath -m "$2") table=$(realpath "$3") golden=$(realpath "$4")
project=${5:-1}
grade_args=()
[ "$project" = 1 ] || grade_args=(--project "$project")
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
  input=$in  # relative: the commands run in $corpus
  [ "$in" = sample ] && input=$golden/sample/input.json
  got=$(cd "$corpus" && "$bank" grade "${grade_args[@]}" --budget 100000 --input "$input" "$out" 2>&1)
  rc=$?
  summary=$(tail -n 1 <<<"$got")
  format=$(head -n 1 <<<"$got" | sed -n 's/^[^:]*: \(.*\); judged.*/\1/p')
  checked=$((checked + 1))
  [ "$rc" = "$want_rc" ] || fail "$out: exit $rc, expected $want_rc"
  [ "$summary" = "$want_summary" ] || fail "$out: said \"$summary\", expected \"$want_summary\""
  [ "$format" = "$want_format" ] || fail "$out: format \"$format\", expected \"$want_format\""
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

if [ "$project" = 3 ]; then
  # rule: C1; the corpus's inputs bank run --project 3 cannot use get one line each
  input_error() { # FILE WANT_LINE
    local got rc
    got=$(cd "$corpus" && "$bank" run --project 3 "$1" 2>&1 >/dev/null)
    rc=$?
    checked=$((checked + 1))
    [ "$rc" = 2 ] && [ "$got" = "$2" ] || fail "bank run --project 3 $1: exit $rc, \"$got\"; expected 2, \"$2\""
  }
  input_error crypto0627__client-centric-consistency/read_your_writes_input.json \
    "bank: crypto0627__client-centric-consistency/read_your_writes_input.json:5:114: not valid JSON: a comma before ']' (JSON allows no trailing comma; remove it)"
  input_error jogiaa__CSE531-Project-III/mw_input.json \
    "bank: jogiaa__CSE531-Project-III/mw_input.json:22:1: not valid JSON near 'The system i'"
  input_error markoer73__client-centric-consistency-cse531/ccc2.json \
    "bank: markoer73__client-centric-consistency-cse531/ccc2.json:26:75: customer 3, event 7: there is no branch 4"
  echo "grade_corpus: $checked checks, $failures failed"
  [ "$failures" -eq 0 ]
  exit
fi

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
