#!/usr/bin/env bash
# Benchmark of bank grade --batch over a class: N students (default 1000), each a folder with
# code, a README, the input and an output in one of the forms students write (every 10th with
# no output, every 7th with a second output), graded once as the folder and once as the Canvas
# "Download Submissions" zip of the same class. Prints wall time, students per second and peak
# memory of each. Not a test: the figures are read, not asserted (a ctest smoke run uses N=20).
# Usage: tools/bench_class.sh [N] [BANK]   (BANK defaults to a release build made here)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-1000}
bank=${2:-}
if [ -z "$bank" ]; then
  bank=$("$root/tools/build.sh" | tail -n 1)
fi
command -v python3 >/dev/null || { echo "bench_class: needs python3 to write the Canvas zip" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
input=$root/golden/sample/input.json

outputs=(
'[{"id": 1, "recv": [{"interface": "query", "balance": 400}]}, {"id": 2, "recv": [{"interface": "deposit", "result": "success"}, {"interface": "query", "balance": 570}]}, {"id": 3, "recv": [{"interface": "withdraw", "result": "success"}, {"interface": "query", "balance": 500}]}]'
'{"id": 1, "recv": [{"interface": "QUERY", "result": "SUCCESS", "money": 500.0}]}
{"id": 2, "recv": [{"interface": "DEPOSIT", "result": "SUCCESS"}, {"interface": "QUERY", "result": "SUCCESS", "money": 500.0}]}
{"id": 3, "recv": [{"interface": "WITHDRAW", "result": "SUCCESS"}, {"interface": "QUERY", "result": "SUCCESS", "money": 500.0}]}'
"{'id': 1, 'recv': [{'interface': 'query', 'result': 'success', 'money': 400}]}
{'id': 2, 'recv': [{'interface': 'deposit', 'result': 'success'}, {'interface': 'query', 'result': 'success', 'money': 400}]}
{'id': 3, 'recv': [{'interface': 'withdraw', 'result': 'success'}, {'interface': 'query', 'result': 'success', 'money': 190}]}"
"{'id': 1, 'recv': [{'interface': 'query', result: 'success', 'money': 440.0}]}"
)
names=(output.json output.txt out.txt output.json)
code='import grpc

class Branch:
    def __init__(self, id, balance, branches):
        self.recvMsg = list()
'
mkdir -p "$dir/class" "$dir/canvas"
for ((i = 0; i < n; i++)); do
  s=$(printf 'student%05d' "$i")
  d=$dir/class/$s
  mkdir -p "$d"
  printf '%s' "$code" >"$d/Branch.py"
  printf '%s' "$code" >"$d/Customer.py"
  printf '# Project 1\nRun python3 main.py input.json\n' >"$d/README.md"
  cp "$input" "$d/input.json"
  if ((i % 10 != 9)); then
    k=$((i % ${#outputs[@]}))
    printf '%s\n' "${outputs[k]}" >"$d/${names[k]}"
  fi
  ((i % 7 == 6)) && printf '%s\n' "${outputs[0]}" >"$d/output_old.json"
  a=0
  for f in "$d"/*; do  # Canvas: every file at the top, "name_userid_attachmentid_file"
    a=$((a + 1))
    cp "$f" "$dir/canvas/${s}_$((100000 + i))_$((i * 10 + a))_$(basename "$f")"
  done
done
(cd "$dir/canvas" && python3 -m zipfile -c "$dir/submissions.zip" .)

timed() {  # NAME BATCH: grades it, prints the figures
  local start end rc
  local timer=()
  [ -x /usr/bin/time ] && timer=(/usr/bin/time -f '%M' -o "$dir/mem")
  start=$(date +%s.%N)
  set +e
  "${timer[@]}" "$bank" grade --input "$input" --batch "$2" --report "$dir/r.csv" >/dev/null 2>"$dir/err"
  rc=$?
  set -e
  end=$(date +%s.%N)
  if [ "$rc" -ne 1 ]; then  # some students are wrong or have no output by construction
    echo "bench_class: bank grade --batch $2 exited $rc, expected 1" >&2
    cat "$dir/err" >&2
    exit 1
  fi
  local rows mem
  rows=$(($(wc -l <"$dir/r.csv") - 1))
  mem=$(tail -n 1 "$dir/mem" 2>/dev/null || true)
  awk -v name="$1" -v n="$rows" -v a="$start" -v b="$end" -v mem="$mem" 'BEGIN {
    t = b - a
    printf "bench_class: %-6s %d students graded in %.3f s (%.0f students/s)", name, n, t, n / t
    if (mem != "") printf ", peak memory %.1f MB", mem / 1024
    printf "\n" }'
  tail -n 1 "$dir/err"
}
echo "bench_class: $n students, $(find "$dir/class" -type f | wc -l) files, the Canvas zip $(($(stat -c %s "$dir/submissions.zip") / 1024)) KB"
timed folder "$dir/class"
timed canvas "$dir/submissions.zip"
