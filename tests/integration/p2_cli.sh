#!/usr/bin/env bash
# Project 2 from the command line: bank run --project 2 against golden/p2-* byte for byte (in the
# process, as processes, on standard output), the grader agreeing with it, the TA's expected
# files and the hand-made wrong files of tests/p2 judged as the spec says, a live run's clocks,
# the trace and the diagram, and the usage errors and exit statuses.
# Usage: p2_cli.sh BANK GOLDEN_DIR CORPUS_P2_DIR TESTS_P2_DIR
set -uo pipefail
bank=$(realpath "$1") golden=$(realpath "$2") corpus=$(realpath -m "$3") wrong=$(realpath "$4")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 checked=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
ok() { echo "ok   $*"; }
parts="customer_events branch_events all_events"

# expect NAME WANT_RC WANT_LAST_LINE COMMAND...: the command's exit status and last output line
expect() {
  local name=$1 want_rc=$2 want=$3 got rc
  shift 3
  got=$("$@" 2>&1)
  rc=$?
  checked=$((checked + 1))
  if [ "$rc" = "$want_rc" ] && [ "$(tail -n 1 <<<"$got")" = "$want" ]; then ok "$name"
  else fail "$name: exit $rc, \"$(tail -n 1 <<<"$got")\"; expected $want_rc, \"$want\""; fi
}
# has NAME TEXT COMMAND...: the command's output holds the line TEXT
has() {
  local name=$1 want=$2 got
  shift 2
  got=$("$@" 2>&1)
  checked=$((checked + 1))
  if grep -qxF -- "$want" <<<"$got"; then ok "$name"; else fail "$name: no line \"$want\" in:"; echo "$got" | head -n 8; fi
}

# rule: L4, L5, L7; the reference's three parts byte for byte, in the process and as processes
for case in p2-ta p2-sample; do
  for s in sequential rounds; do
    for placement in "" --processes; do
      checked=$((checked + 1))
      rm -rf "$tmp/out"
      # shellcheck disable=SC2086
      if ! "$bank" run --project 2 --schedule "$s" $placement -o "$tmp/out" "$golden/$case/input.json" 2>"$tmp/err"; then
        fail "$case $s $placement: bank run failed: $(cat "$tmp/err")"
        continue
      fi
      same=1
      for p in $parts; do cmp -s "$golden/$case/expected.$s/$p.json" "$tmp/out/$p.json" || same=0; done
      if [ $same = 1 ]; then ok "$case --schedule $s $placement: the three parts match expected.$s/"
      else fail "$case $s $placement: differs from expected.$s/"; diff -r "$golden/$case/expected.$s" "$tmp/out" | head; fi
    done
  done
done

# rule: L4; without -o, one JSON object holding the same three parts
checked=$((checked + 1))
if "$bank" run --project 2 "$golden/p2-ta/input.json" >"$tmp/object.json" 2>"$tmp/err" &&
  python3 - "$tmp/object.json" "$golden/p2-ta/expected.sequential" <<'EOF'; then
import json, sys
obj = json.load(open(sys.argv[1]))
assert list(obj) == ["customer_events", "branch_events", "all_events"], list(obj)
for part in obj:
    assert obj[part] == json.load(open("%s/%s.json" % (sys.argv[2], part))), part
EOF
  ok "standard output: one object with the three parts"
else fail "standard output: not the expected object: $(cat "$tmp/err")"; fi

# rule: L10, L11, L12, L14; the grader agrees with the writer, strictly
for case in p2-ta p2-sample; do
  for s in sequential rounds; do
    n=$(grep -c logical_clock "$golden/$case/expected.$s/all_events.json")
    d=$golden/$case/expected.$s
    expect "$case $s graded --strict" 0 "$((2 * n))/$((2 * n)) events correct" \
      "$bank" grade --project 2 --strict --input "$golden/$case/input.json" "$d/customer_events.json" "$d/branch_events.json" "$d/all_events.json"
  done
done

# rule: L6, L11, L12; live runs, in the process and as processes: whatever the timing, the clocks
# pass the tick rule (the run checks it) and the grader agrees
for placement in "" --processes; do
  checked=$((checked + 1))
  rm -rf "$tmp/live"
  # shellcheck disable=SC2086
  if "$bank" run --project 2 --schedule live $placement -o "$tmp/live" "$golden/p2-ta/input.json" 2>"$tmp/err"; then
    ok "live run $placement"
  else fail "live run $placement: $(cat "$tmp/err")"; continue; fi
  expect "live run $placement graded --strict" 0 "72/72 events correct" \
    "$bank" grade --project 2 --strict --input "$golden/p2-ta/input.json" "$tmp/live/customer_events.json" "$tmp/live/branch_events.json" "$tmp/live/all_events.json"
done

# rule: L3; the trace records both clocks of every message, and bank diagram labels them
checked=$((checked + 1))
"$bank" run --project 2 --trace "$tmp/trace.jsonl" -o "$tmp/traced" "$golden/p2-ta/input.json" 2>/dev/null
if grep -q '"rpc": "Deposit", "customer": 1, "event": 1, "money": 10, "balance": 410, "reply": "success", "clock_sent": 1, "clock": 2}' "$tmp/trace.jsonl" &&
  grep -q '"from": "branch", "from_id": 1, "to_branch": 3, "rpc": "Propagate_Deposit".*"clock_sent": 4, "clock": 5}' "$tmp/trace.jsonl" &&
  cmp -s "$tmp/traced/all_events.json" "$golden/p2-ta/expected.sequential/all_events.json"; then
  ok "--trace records clock_sent and clock; the output is the same with a trace of one's own"
else fail "--trace: clocks missing"; head -n 3 "$tmp/trace.jsonl"; fi
expect "bank diagram of a clocked trace" 0 "" "$bank" diagram "$tmp/trace.jsonl" -o "$tmp/d.svg"
checked=$((checked + 1))
if grep -q '\[1-&gt;2\]\|\[1->2\]' "$tmp/d.svg" || [ "$(grep -c '<path\|<use' "$tmp/d.svg")" -gt 10 ]; then ok "the diagram is drawn"
else fail "the diagram holds nothing"; fi

# rule: L10, L11; the hand-made wrong files
expect "a swapped clock" 1 "35/36 events correct, 1 wrong" \
  "$bank" grade --project 2 --input "$golden/p2-ta/input.json" "$wrong/swapped-clock/customer_events.json" "$wrong/swapped-clock/branch_events.json"
# rule: L14; one submission's heading names its files joined by " + ", in the order given
has "a submission's heading names its files" "$wrong/swapped-clock/customer_events.json + $wrong/swapped-clock/branch_events.json: JSON, customer part, branch part; judged happens-before (any clocks consistent with it)" \
  "$bank" grade --project 2 --input "$golden/p2-ta/input.json" "$wrong/swapped-clock/customer_events.json" "$wrong/swapped-clock/branch_events.json"
has "a swapped clock names both events" "branch 2: request 1 propagate_deposit, event_recv from branch 1 (branch part): clock order: a receive at 4, not after its send at 4 (branch 1: request 1 propagate_deposit, event_sent to branch 2) [$wrong/swapped-clock/branch_events.json:22:7]" \
  "$bank" grade --project 2 --wrong-only --input "$golden/p2-ta/input.json" "$wrong/swapped-clock/customer_events.json" "$wrong/swapped-clock/branch_events.json"
has "a missing propagation" "branch 3: request 2 propagate_withdraw, event_recv from branch 1 (all-events part): missing: the input requires it; not in the all-events part" \
  "$bank" grade --project 2 --input "$golden/p2-ta/input.json" "$wrong/missing-propagation/all_events.json"
has "a receive before its send" "branch 2: request 1 propagate_deposit, event_recv from branch 1 (all-events part): clock order: a receive at 2, not after its send at 3 (branch 1: request 1 propagate_deposit, event_sent to branch 2) [$wrong/receive-before-send/all_events.json:6:3]" \
  "$bank" grade --project 2 --input "$golden/p2-ta/input.json" "$wrong/receive-before-send/all_events.json"

# rule: L7, L11, L12; the TA's expected files: where they disagree, the file the rules do not
# follow is the one the grader faults
ta=$corpus/ychen404__CSE531_Grading
if [ -d "$ta" ]; then
  in=$golden/p2-ta/input.json
  expect "TA customer_events.json + branch_events.json" 1 "35/36 events correct, 1 wrong" \
    "$bank" grade --project 2 --input "$in" "$ta/customer_events.json" "$ta/branch_events.json"
  has "TA branch_events.json: branch 3 receives request 3 before branch 2 sends it" "branch 3: request 3 propagate_deposit, event_recv from branch 2 (branch part): clock order: a receive at 8, not after its send at 10 (branch 2: request 3 propagate_deposit, event_sent to branch 3) [$ta/branch_events.json:42:13]" \
    "$bank" grade --project 2 --input "$in" "$ta/customer_events.json" "$ta/branch_events.json"
  has "TA branch_events.json --strict: L2 gives the send 7" "branch 2: request 3 propagate_deposit, event_sent to branch 3 (branch part): wrong clock: L2 gives 7, got 10 (after branch 2: request 3 propagate_deposit, event_sent to branch 1) [$ta/branch_events.json:25:13]" \
    "$bank" grade --project 2 --strict --input "$in" "$ta/customer_events.json" "$ta/branch_events.json"
  expect "TA all_events.json" 1 "34/36 events correct, 2 wrong" "$bank" grade --project 2 --input "$in" "$ta/all_events.json"
  has "TA all_events.json: customer 1's first send at 2" "customer 1: request 2 withdraw, event_sent from customer 1 (all-events part): clock order: clock 2, not after 2 of an event its process had before it (customer 1: request 1 deposit, event_sent from customer 1) [$ta/all_events.json:7:1]" \
    "$bank" grade --project 2 --input "$in" "$ta/all_events.json"
  expect "TA all_events_out_of_order.json --strict" 0 "36/36 events correct" \
    "$bank" grade --project 2 --strict --input "$in" "$ta/all_events_out_of_order.json"
else
  echo "skip the TA's files: $ta is absent"
fi

# rule: L6, L14; usage errors and exit statuses
expect "run --project 4" 2 'bank run: --project: expected a whole number from 1 to 3, got "4"' "$bank" run --project 4 "$golden/p2-ta/input.json"
expect "run --project 2 --style" 2 "bank run: --style and --lines shape Project 1's output; --project 2 writes the course's three parts (see bank run --help)" \
  "$bank" run --project 2 --style money "$golden/p2-ta/input.json"
expect "run --project 2 --kill" 2 "bank run: --project 2 reads the clocks from the branches it starts (not a --cluster's), and a branch restarted by --kill would start its clock again (see bank run --help)" \
  "$bank" run --project 2 --processes --kill 1@1 "$golden/p2-ta/input.json"
touch "$tmp/file"
expect "run --project 2 -o over a file" 1 "bank: -o $tmp/file: cannot make the folder: a file of that name is in the way" \
  "$bank" run --project 2 -o "$tmp/file" "$golden/p2-ta/input.json"
expect "grade --project 4" 2 'bank grade: --project: expected a whole number from 1 to 3, got "4"' "$bank" grade --project 4 --input "$golden/p2-ta/input.json" x
expect "grade --project 1 is Project 1's grader" 0 "5/5 events correct" "$bank" grade --project 1 --input "$golden/sample/input.json" "$golden/sample/expected.sequential.json"
printf 'not json {\n' >"$tmp/broken.json"
expect "an unusable file" 2 "bank grade: $tmp/broken.json:1:1: no JSON, Python or protobuf-text value in the file" \
  "$bank" grade --project 2 --input "$golden/p2-ta/input.json" "$tmp/broken.json"
truncate -s $(((64 << 20) + 1)) "$tmp/huge.json" # sparse: past the bound without being read
expect "a file past 64 MB" 2 "bank grade: $tmp/huge.json: larger than 64 MB" \
  "$bank" grade --project 2 --input "$golden/p2-ta/input.json" "$tmp/huge.json"
truncate -s $((64 << 20)) "$tmp/at-bound.json" # exactly the bound: read, then refused as what it holds
expect "a file of exactly 64 MB is read" 2 "bank grade: $tmp/at-bound.json:1:1: no JSON, Python or protobuf-text value in the file" \
  "$bank" grade --project 2 --input "$golden/p2-ta/input.json" "$tmp/at-bound.json"
mkdir -p "$tmp/batch/good" "$tmp/batch/empty"
cp "$golden/p2-ta/expected.sequential/"*.json "$tmp/batch/good/"
cp "$wrong/receive-before-send/all_events.json" "$tmp/batch/wrong.json"
has "--batch" "bank grade: 3 submissions, 1 with every event correct" \
  "$bank" grade --project 2 --input "$golden/p2-ta/input.json" --batch "$tmp/batch" --report "$tmp/report.csv"
expect "--batch exit status" 1 "" sh -c '"$0" grade --project 2 --input "$1" --batch "$2" >/dev/null 2>&1; rc=$?; echo; exit $rc' \
  "$bank" "$golden/p2-ta/input.json" "$tmp/batch"
# rule: G14; a submission with nothing graded (an empty folder) fails the batch even when every
# other submission is right
mkdir -p "$tmp/batch-empty/good" "$tmp/batch-empty/empty"
cp "$golden/p2-ta/expected.sequential/"*.json "$tmp/batch-empty/good/"
expect "--batch: an empty folder beside a right submission" 1 "" \
  sh -c '"$0" grade --project 2 --input "$1" --batch "$2" >/dev/null 2>&1; rc=$?; echo; exit $rc' \
  "$bank" "$golden/p2-ta/input.json" "$tmp/batch-empty"
# On a terminal, --batch counts the submissions graded on standard error, up to the last.
if command -v script >/dev/null; then
  checked=$((checked + 1))
  script -qec "'$bank' grade --project 2 --input '$golden/p2-ta/input.json' --batch '$tmp/batch' >/dev/null" \
    /dev/null >"$tmp/tty.txt" 2>&1
  counted=$(tr '\r' '\n' <"$tmp/tty.txt" | grep -x 'graded [0-9]*/3' | tr '\n' ' ')
  if [ "$counted" = "graded 1/3 graded 2/3 graded 3/3 " ]; then ok "--batch on a terminal counts 1/3 to 3/3"
  else fail "--batch on a terminal: \"$counted\""; cat -v "$tmp/tty.txt" | head -n 5; fi
else
  echo "skip --batch on a terminal: no script(1) here to give bank one"
fi
checked=$((checked + 1))
if grep -q '^"'"$tmp"'/batch/good","72/72",72,72,"",' "$tmp/report.csv" && grep -q 'an empty folder' "$tmp/report.csv"; then
  ok "--report CSV: a folder is one submission, an empty one is unusable"
else fail "--report CSV:"; cat "$tmp/report.csv"; fi
expect "--json" 1 "}" "$bank" grade --project 2 --json --input "$golden/p2-ta/input.json" "$wrong/receive-before-send/all_events.json"

echo "p2_cli: $checked checks, $failures failed"
[ "$failures" -eq 0 ]
