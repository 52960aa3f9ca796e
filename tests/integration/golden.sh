#!/usr/bin/env bash
# golden/: `bank run --schedule S` on every golden input must print expected.S.json byte for
# byte; and the grader must agree: --exact --schedule S and --consistent both judge every event
# of expected.S.json correct (every reference schedule is a legal execution).
# Usage: golden.sh BANK GOLDEN_DIR
set -uo pipefail
bank=$1 golden=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 checked=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

for expected in "$golden"/*/expected.*.json; do
  dir=$(dirname "$expected") case=$(basename "$(dirname "$expected")")
  schedule=$(basename "$expected" .json)
  schedule=${schedule#expected.}
  checked=$((checked + 1))
  if ! "$bank" run --schedule "$schedule" "$dir/input.json" >"$tmp/out.json" 2>"$tmp/err"; then
    fail "$case $schedule: bank run failed: $(cat "$tmp/err")"
    continue
  fi
  if cmp -s "$tmp/out.json" "$expected"; then
    echo "ok   $case: bank run --schedule $schedule matches $(basename "$expected")"
  else
    fail "$case $schedule: bank run differs from $(basename "$expected"):"
    diff "$expected" "$tmp/out.json" | head -n 20
  fi
  for mode in "--exact --schedule $schedule" "--consistent"; do
    # shellcheck disable=SC2086
    got=$("$bank" grade $mode --input "$dir/input.json" "$expected" 2>&1)
    rc=$?
    events=$(grep -o '"interface"' "$expected" | wc -l)
    want="$events/$events events correct"
    [ "$rc" = 0 ] && [ "$(tail -n 1 <<<"$got")" = "$want" ] ||
      fail "$case $schedule: bank grade $mode: exit $rc, \"$(tail -n 1 <<<"$got")\", expected \"$want\""
  done
done
echo "golden: $checked expected files, $failures failures"
[ "$failures" -eq 0 ]
