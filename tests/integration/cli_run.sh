#!/usr/bin/env bash
# `bank run` end to end: real branches on loopback, in-process and as child processes; outputs
# compared byte for byte with outputs worked out by hand.
# Usage: cli_run.sh BANK_BINARY GOLDEN_DIR
set -u
bank=$1
golden=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }

# expect_output NAME EXPECTED_FILE bank-run-args...
expect_output() {
  local name=$1 want=$2
  shift 2
  if "$bank" run "$@" >"$tmp/out" 2>"$tmp/err"; then
    if cmp -s "$tmp/out" "$want"; then pass "$name"; else
      fail "$name: output differs from $want"; diff "$want" "$tmp/out" | head -10; fi
  else
    fail "$name: exit $?"; cat "$tmp/err"
  fi
}

sample=$golden/sample/input.json
for mode in "" "--processes"; do
  label=${mode:-embedded}
  # rule: S3, S8, S9, O1
  expect_output "sample sequential ($label)" "$golden/sample/expected.sequential.json" $mode "$sample"
  # rule: S4, S8, S9
  expect_output "sample rounds ($label)" "$golden/sample/expected.rounds.json" $mode --schedule rounds "$sample"
done
# In-process runs of every golden input are the golden test's (tests/integration/golden.sh).
# rule: S3, I9, O1
# 50 sanitizer-built processes start slowly on a busy machine: a generous start-up deadline.
expect_output "course large input, sequential (--processes)" "$golden/course-large/expected.sequential.json" --processes --deadline-ms 60000 "$golden/course-large/input.json"

# --lines: the same objects, one a line, no array.
sed -e '1d;$d' -e 's/^  //' -e 's/},$/}/' "$golden/sample/expected.sequential.json" >"$tmp/lines.want"
# rule: O4
expect_output "sample --lines" "$tmp/lines.want" --lines "$sample"

# --style balance and money change only the query items.
sed 's/"result": {"balance": \([0-9]*\)}/"balance": \1/g' "$golden/sample/expected.sequential.json" >"$tmp/balance.want"
# rule: O3
expect_output "sample --style balance" "$tmp/balance.want" --style balance "$sample"
sed 's/"result": {"balance": \([0-9]*\)}/"result": "success", "money": \1/g' "$golden/sample/expected.sequential.json" >"$tmp/money.want"
# rule: O3
expect_output "sample --style money" "$tmp/money.want" --style money "$sample"

# -o writes the file and nothing to stdout; --branches prints every replica's balance on stderr,
# and nothing else is said there (the live run's line is the live schedule's only).
# rule: O5; -o FILE and --branches
if "$bank" run -o "$tmp/o.json" --branches "$sample" >"$tmp/stdout" 2>"$tmp/stderr" &&
   cmp -s "$tmp/o.json" "$golden/sample/expected.sequential.json" && [ ! -s "$tmp/stdout" ] &&
   [ "$(cat "$tmp/stderr")" = '[{"id": 1, "balance": 500}, {"id": 2, "balance": 500}, {"id": 3, "balance": 500}]' ]; then
  pass "-o FILE and --branches"
else
  fail "-o FILE and --branches"; cat "$tmp/stderr"
fi

# A failed withdrawal answers fail and changes nothing anywhere.
cat >"$tmp/fail.json" <<'JSON'
[{"id": 1, "type": "customer", "events": [{"id": 1, "interface": "withdraw", "money": 401}, {"id": 2, "interface": "query"}]},
 {"id": 2, "type": "customer", "events": [{"id": 3, "interface": "withdraw", "money": 400}, {"id": 4, "interface": "query"}]},
 {"id": 1, "type": "branch", "balance": 400}, {"id": 2, "type": "branch", "balance": 400}]
JSON
cat >"$tmp/fail.want" <<'JSON'
[
  {"id": 1, "recv": [{"interface": "withdraw", "result": "fail"}, {"interface": "query", "result": {"balance": 400}}]},
  {"id": 2, "recv": [{"interface": "withdraw", "result": "success"}, {"interface": "query", "result": {"balance": 0}}]}
]
JSON
for mode in "" "--processes"; do
  # rule: B4, O2
  expect_output "failed withdrawal changes nothing (${mode:-embedded})" "$tmp/fail.want" $mode "$tmp/fail.json"
done

# live: every customer at once; the run checks and reports that all replicas agree.
for mode in "" "--processes"; do
  # rule: S5, S7, P8, O5; live run converges
  if "$bank" run --schedule live $mode --deadline-ms 60000 --branches "$golden/course-large/input.json" >"$tmp/live.out" 2>"$tmp/live.err" &&
     grep -q 'replicas agree' "$tmp/live.err" &&
     [ "$(grep -o '"balance": 400}' "$tmp/live.err" | wc -l)" -eq 50 ]; then
    pass "live run converges (${mode:-embedded})"
  else
    fail "live run converges (${mode:-embedded})"; cat "$tmp/live.err"
  fi
done
# rule: S5; live with --query-delay
if "$bank" run --schedule live --query-delay 50 "$sample" >/dev/null 2>"$tmp/err"; then
  pass "live with --query-delay"
else fail "live with --query-delay"; cat "$tmp/err"; fi

# rule: S9, S10; branch processes that do not report their address in time fail the run, the run
# freeing what it started (its leak would show as a LeakSanitizer report and exit status 23)
"$bank" run --processes --deadline-ms 1 "$sample" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 1 ] && [ ! -s "$tmp/out" ] && tail -n 1 "$tmp/err" | grep -q '^bank: branch 1 (pid [0-9]*) did not report its address$' &&
   ! grep -q 'Sanitizer' "$tmp/err"; then
  pass "--processes: branches not started within --deadline-ms fail the run"
else
  fail "--processes: branches not started within --deadline-ms (exit $rc)"; cat "$tmp/err"
fi

# Usage errors: one line, exit 2.
check_usage() {
  local name=$1 pattern=$2
  shift 2
  "$bank" "$@" >/dev/null 2>"$tmp/err"
  local rc=$?
  if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q -- "$pattern" "$tmp/err"; then
    pass "$name"
  else
    fail "$name (exit $rc)"; cat "$tmp/err"
  fi
}
# rule: S1, S10
check_usage "unknown schedule" 'unknown schedule "fast"' run --schedule fast "$sample"
# rule: O3, S10
check_usage "unknown style" 'unknown style' run --style xml "$sample"
# rule: S10
check_usage "no input" 'no input file' run
# rule: I11
check_usage "missing input file" 'cannot open' run "$tmp/nope.json"
# rule: S5
check_usage "query delay outside live" 'live only' run --query-delay 5 "$sample"
# rule: S10
check_usage "bad number" 'expected a whole number' run --deadline-ms soon "$sample"
# rule: S10
check_usage "unknown command" 'unknown command' frobnicate
check_usage "branch without --id" '--id is required' branch --balance 1 --peers -
# rule: V2
check_usage "help of an unknown command" 'unknown command "frobnicate"' help frobnicate
# rule: V1
check_usage "version takes no argument" 'unexpected argument "now"' version now
check_usage "--version takes no argument" 'unexpected argument "now"' --version now
# rule: V2
if [ "$("$bank" help run)" = "$("$bank" run --help)" ] && [ "$("$bank" help)" = "$("$bank" --help)" ] &&
   [ "$("$bank" help --help)" = "$("$bank" --help)" ] && [ "$("$bank" help -h)" = "$("$bank" --help)" ] &&
   [ "$("$bank" help --commands | head -n 1)" = run ]; then
  pass "bank help COMMAND is COMMAND --help; help --commands lists the commands"
else fail "bank help"; fi
# rule: V2; bank help's command list: a line per command, its summary after it and wrapped under
# itself (20 columns in), no line past 96 columns
"$bank" help | sed -n '/^commands:$/,/^$/p' | sed '1d;$d' >"$tmp/help-commands"
n_commands=$("$bank" help --commands | wc -l)
if [ "$n_commands" -gt 5 ] && [ "$(grep -cE '^  [a-z]+( [^ ]+)? +[^ ]' "$tmp/help-commands")" = "$n_commands" ] &&
   ! grep -vqE '^  [a-z]+( [^ ]+)? +[^ ]|^ {20}[^ ]' "$tmp/help-commands" &&
   [ "$("$bank" help | awk 'length > 96' | wc -l)" = 0 ] && grep -q '^ \{20\}[^ ]' "$tmp/help-commands"; then
  pass "bank help: a line per command, its summary wrapped within 96 columns"
else fail "bank help's command list"; cat "$tmp/help-commands"; fi

# rule: V2; the wrap is greedy: a summary line ends only where its next word would pass column 96
if python3 - "$tmp/help-commands" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")[:-1]
for line, nxt in zip(lines, lines[1:] + [""]):
    if nxt.startswith(" " * 20) and len(line) + 1 + len(nxt.split()[0]) <= 96:
        sys.exit("wrapped early: %r before %r" % (line, nxt.split()[0]))
PY
then pass "bank help: the summaries wrapped greedily"; else fail "bank help: the summaries wrapped greedily"; fi

# --help tells the truth about the options it lists: every option it names is accepted.
for cmd in run branch bench; do
  if "$bank" $cmd --help >"$tmp/help" 2>&1 && grep -q "usage: bank $cmd" "$tmp/help"; then
    pass "$cmd --help"
  else fail "$cmd --help"; fi
done

# The benchmark on a tiny workload, so it cannot rot (its figures are not checked: not a timed test).
if "$bank" bench -b 2 -c 3 -e 4 --bare-calls 20 >"$tmp/bench" 2>&1 &&
   grep -q 'ratio query/bare = ' "$tmp/bench" && grep -q 'ops/s' "$tmp/bench"; then
  pass "bench smoke run"
else fail "bench smoke run"; cat "$tmp/bench"; fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
