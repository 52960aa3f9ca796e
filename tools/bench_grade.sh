#!/usr/bin/env bash
# Benchmark of bank grade --batch: N submissions of the course sample's size (default 1000),
# in the forms students write (JSON array, JSON lines in capitals, Python dict lines, the
# protobuf text dump, right and wrong answers, an unreadable file), graded in one run.
# Prints the wall time, files per second and peak memory. Not a test: the figure is read, not
# asserted (a ctest smoke run uses N=20 so the script cannot rot).
# Usage: tools/bench_grade.sh [N] [BANK]   (BANK defaults to a release build made here)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-1000}
bank=${2:-}
if [ -z "$bank" ]; then
  bank=$("$root/tools/build.sh" | tail -n 1)
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
input=$root/golden/sample/input.json

forms=(
'[{"id": 1, "recv": [{"interface": "query", "balance": 400}]}, {"id": 2, "recv": [{"interface": "deposit", "result": "success"}, {"interface": "query", "balance": 570}]}, {"id": 3, "recv": [{"interface": "withdraw", "result": "success"}, {"interface": "query", "balance": 500}]}]'
'{"id": 1, "recv": [{"interface": "QUERY", "result": "SUCCESS", "money": 500.0}]}
{"id": 2, "recv": [{"interface": "DEPOSIT", "result": "SUCCESS"}, {"interface": "QUERY", "result": "SUCCESS", "money": 500.0}]}
{"id": 3, "recv": [{"interface": "WITHDRAW", "result": "SUCCESS"}, {"interface": "QUERY", "result": "SUCCESS", "money": 500.0}]}'
"{'id': 1, 'recv': [{'interface': 'query', 'result': 'success', 'money': 400}]}
{'id': 2, 'recv': [{'interface': 'deposit', 'result': 'success'}, {'interface': 'query', 'result': 'success', 'money': 400}]}
{'id': 3, 'recv': [{'interface': 'withdraw', 'result': 'success'}, {'interface': 'query', 'result': 'success', 'money': 190}]}"
'id: 1, recv:[id: 1
interface: query
money: 500
result: success
]id: 2, recv:[id: 2
interface: deposit
result: success
, id: 2
interface: query
money: 500
result: success
]id: 3, recv:[id: 3
interface: withdraw
result: success
, id: 3
interface: query
money: 500
result: success
]'
"{'id': 1, 'recv': [{'interface': 'query', result: 'success', 'money': 440.0}]}"
)
for ((i = 0; i < n; i++)); do
  printf '%s\n' "${forms[i % ${#forms[@]}]}" >"$dir/student$(printf %05d "$i").out"
done

start=$(date +%s.%N)
set +e
timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -f '%M' -o "$dir.mem")  # peak memory, when there
"${timer[@]}" "$bank" grade --input "$input" --batch "$dir" --report "$dir.csv" >/dev/null 2>"$dir.err"
rc=$?
set -e
end=$(date +%s.%N)
if [ "$rc" -ne 1 ]; then  # some submissions are wrong by construction
  echo "bench_grade: bank grade exited $rc, expected 1" >&2
  cat "$dir.err" >&2
  exit 1
fi
graded=$(($(wc -l <"$dir.csv") - 1))
rm -f "$dir.csv" "$dir.err"
mem=$(tail -n 1 "$dir.mem" 2>/dev/null || true)
awk -v n="$graded" -v a="$start" -v b="$end" -v mem="$mem" 'BEGIN {
  t = b - a
  printf "bench_grade: %d submissions graded in %.3f s (%.0f files/s)", n, t, n / t
  if (mem != "") printf ", peak memory %.1f MB", mem / 1024
  printf "\n" }'
rm -f "$dir.mem"
