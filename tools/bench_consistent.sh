#!/usr/bin/env bash
# Benchmark of bank grade --consistent (the default) on the inputs issue 19 names: every p1
# output of ../shared/corpus (the table tests/grade/corpus_p1.txt), generated outputs of the
# course's shape (100 customers, each a write of 10 then a query) from one live interleaving
# with K = 0, 1, 5 and 20 answers changed (and the same shape at 1,000 customers), live runs of
# 30, 100 and 300 customers x 10 mixed events with K = 0 and 1, and 1,000 customers x 10 events
# with one changed.
# Prints, per file, the wall time, peak memory and the summary line. Not a test: the figures
# are read, not asserted (ctest's grade_consistent_bench_smoke runs --quick: the course's shape
# with one seed, nothing else, so the script cannot rot).
# Usage: tools/bench_consistent.sh [--quick] [BANK]   (BANK defaults to a release build made here)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
quick=0
if [ "${1:-}" = --quick ]; then quick=1; shift; fi
bank=${1:-}
[ -n "$bank" ] || bank=$("$root/tools/build.sh" | tail -n 1)
bank=$(realpath "$bank")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
seeds=(1 2 3)
[ "$quick" = 1 ] && seeds=(1)

# One grading: prints "seconds peak-MB summary" (peak memory when /usr/bin/time is there).
measure() { # NAME INPUT OUTPUT
  local start end rc mem=-
  start=$(date +%s.%N)
  set +e
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M' -o "$dir/mem" "$bank" grade --input "$2" "$3" >"$dir/out" 2>&1
    rc=$?
    mem=$(tail -n 1 "$dir/mem" | awk '{printf "%.0f", $1 / 1024}')
  else
    "$bank" grade --input "$2" "$3" >"$dir/out" 2>&1
    rc=$?
  fi
  set -e
  end=$(date +%s.%N)
  printf '%-58s %6.2f s %5s MB  exit %d  %s\n' "$1" "$(echo "$end - $start" | bc)" "$mem" "$rc" "$(tail -n 1 "$dir/out")"
}

corpus=$root/../shared/corpus/p1
echo "== every p1 output of the corpus"
if [ "$quick" = 1 ]; then
  echo "(--quick: skipped)"
elif [ -d "$corpus" ]; then
  while IFS='|' read -r out in _; do
    case "$out" in ''|'#'*) continue ;; esac
    out=$(echo $out) in=$(echo $in)
    input=$corpus/$in
    [ "$in" = sample ] && input=$root/golden/sample/input.json
    (cd "$corpus" && measure "$out" "$input" "$out")
  done <"$root/tests/grade/corpus_p1.txt"
else
  echo "(../shared/corpus is absent: skipped)"
fi

echo "== the course's shape: 100 customers, a write of 10 then a query, one live run, K answers changed"
for k in 0 1 5 20; do
  for s in "${seeds[@]}"; do
    python3 "$root/tools/grade_cases.py" course 100 2 "$k" "$s" "$dir/in.json" "$dir/o.json"
    measure "course 100 customers, k=$k, seed $s" "$dir/in.json" "$dir/o.json"
  done
done

[ "$quick" = 1 ] && exit 0
echo "== the course's shape at 1,000 customers, K answers changed"
for k in 0 1 5 20; do
  python3 "$root/tools/grade_cases.py" course 1000 2 "$k" 1 "$dir/in.json" "$dir/o.json"
  measure "course 1000 customers, k=$k, seed 1" "$dir/in.json" "$dir/o.json"
done

echo "== 30, 100 and 300 customers x 10 events (queries and writes of 10), one live run, K = 0 and 1 changed"
for n in 30 100 300; do
  for k in 0 1; do
    for s in "${seeds[@]}"; do
      python3 "$root/tools/grade_cases.py" mixed "$n" 10 "$k" "$s" "$dir/in.json" "$dir/o.json"
      measure "mixed $n x 10, k=$k, seed $s" "$dir/in.json" "$dir/o.json"
    done
  done
done

echo "== 1,000 customers x 10 events (queries and writes of 10), one live run, 1 answer changed"
for s in "${seeds[@]}"; do
  python3 "$root/tools/grade_cases.py" mixed 1000 10 1 "$s" "$dir/in.json" "$dir/o.json"
  measure "mixed 1000 x 10, k=1, seed $s" "$dir/in.json" "$dir/o.json"
done
