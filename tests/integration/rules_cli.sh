#!/usr/bin/env bash
# Rules of spec/semantics.md that no other test checked, through the `bank` command line: reading
# standard input, cJSON's leniencies, the input limits, an empty output, a failed run, and
# `bank grade`'s folders, reports and exit statuses.
# Usage: rules_cli.sh BANK_BINARY GOLDEN_DIR
set -u
bank=$(realpath "$1")
golden=$(realpath "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
passed=0
failed=0

# check NAME: passes when the commands before it left ok=1.
check() {
  if [ "$ok" = 1 ]; then passed=$((passed + 1)); echo "ok   $1"
  else failed=$((failed + 1)); echo "FAIL $1: $why"; fi
}
# expect WHAT CONDITION...: ok=0 (with why=WHAT) unless the condition holds.
expect() {
  local what=$1
  shift
  if ! "$@"; then ok=0; why=${why:+$why; }$what; fi
}
start() { ok=1; why=""; }
lines_of() { wc -l <"$1" | tr -d ' '; }

sample=$golden/sample/input.json
seq_out=$golden/sample/expected.sequential.json
one_branch='{"id": 1, "type": "branch", "balance": 5}'

# rule: I1, I11; input on standard input
start
"$bank" run - <"$sample" >out 2>err
rc=$?
expect "exit $rc, want 0" [ $rc -eq 0 ]
expect "output differs from the sequential golden file" cmp -s out "$seq_out"
printf '[%s, {"id": 2, "type": "customer", "events": []}]' "$one_branch" | "$bank" run - >out 2>err
rc=$?
expect "a bad input on stdin: exit $rc, want 2" [ $rc -eq 2 ]
expect "the error does not name standard input: $(cat err)" \
  grep -qx 'bank: standard input:1:[0-9]*: customer 2: there is no branch 2 for it to talk to' err
check "input on standard input"

# rule: I2; cJSON leniencies: leading zeros, a raw line feed inside a string
start
printf '[%s, {"id": 01, "type": "customer", "events": [{"interface": "deposit", "money": 007}]}]' \
  "$one_branch" >zeros.json
"$bank" run zeros.json >out 2>err
rc=$?
expect "leading zeros: exit $rc, $(cat err)" [ $rc -eq 0 ]
expect "leading zeros: customer 01 is not customer 1" grep -q '{"id": 1, "recv": \[{"interface": "deposit", "result": "success"}\]}' out
printf '[%s, {"id": 1, "type": "customer", "events": [{"interface": "que\nry"}]}]' "$one_branch" >lf.json
"$bank" run lf.json >out 2>err
rc=$?
expect "raw line feed in a string: exit $rc, want 2" [ $rc -eq 2 ]
expect "raw line feed in a string: not read as part of the string: $(cat err)" \
  grep -qx 'bank: lf.json:1:[0-9]*: customer 1 (process 2), event 1: unknown interface "que ry" (query, deposit or withdraw)' err
check "leading zeros and raw line ends in strings are read as cJSON reads them"

# rule: I10; at most 100000 customer entries
start
python3 - <<'PY' >customers.json
entries = ['{"id": 1, "type": "customer", "events": []}'] * 100001
print('[{"id": 1, "type": "branch", "balance": 0}, ' + ", ".join(entries) + "]")
PY
"$bank" run customers.json >out 2>err
rc=$?
expect "exit $rc, want 2" [ $rc -eq 2 ]
expect "no limit named: $(cat err)" grep -q 'customer 1 (process 100002): more than 100000 customers$' err
check "100001 customer entries are refused"

# rule: I10; at most 1000000 events over all entries (counted before an entry's events are read)
start
python3 - <<'PY' >events.json
# one event, then 1000000 that are not even valid: the second entry is refused for the count alone
print('[{"id": 1, "type": "branch", "balance": 0}, {"id": 1, "type": "customer", "events": '
      '[{"interface": "query"}]}, {"id": 1, "type": "customer", "events": ['
      + ",".join(["0"] * 1000000) + "]}]")
PY
"$bank" run events.json >out 2>err
rc=$?
expect "exit $rc, want 2" [ $rc -eq 2 ]
expect "no limit named: $(cat err)" grep -q 'customer 1 (process 3): more than 1000000 events in the input$' err
python3 - <<'PY' >events_at_limit.json
print('[{"id": 1, "type": "branch", "balance": 0}, {"id": 1, "type": "customer", "events": ['
      + ",".join(["0"] * 1000000) + "]}]")
PY
"$bank" run events_at_limit.json >out 2>err
expect "1000000 events exceed the limit: $(cat err)" grep -q 'event 1: must be an object, got a number$' err
check "1000001 events over two entries are refused, 1000000 in one pass the count"

# rule: O4; no customer entry: "[]" and a line end, or nothing at all with --lines
start
printf '[%s]' "$one_branch" >none.json
"$bank" run none.json >out 2>err
rc=$?
expect "array: exit $rc, $(cat err)" [ $rc -eq 0 ]
printf '[]\n' >want
expect "array: got $(od -c out | head -2)" cmp -s out want
"$bank" run --lines none.json >out 2>err
rc=$?
expect "--lines: exit $rc" [ $rc -eq 0 ]
expect "--lines: output is not empty" [ ! -s out ]
check "no customer entry"

# rule: S10; a call that fails ends the run: exit 1, one line, nothing on stdout
start
echo "1 127.0.0.1:1" >cluster.txt
printf '[%s, {"id": 1, "type": "customer", "events": [{"interface": "query"}]}]' "$one_branch" >q.json
"$bank" run --cluster cluster.txt --deadline-ms 300 q.json >out 2>err
rc=$?
expect "exit $rc, want 1" [ $rc -eq 1 ]
expect "something on stdout" [ ! -s out ]
expect "$(lines_of err) stderr lines, want 1" [ "$(lines_of err)" -eq 1 ]
expect "no reason given: $(cat err)" grep -q '^bank: reading the balance of branch 1: 127.0.0.1:1: no answer within the deadline of 300 ms' err
check "a branch that does not answer fails the run"

# ---- bank grade ----

write_sample_output() { # FILE Q1 Q2 Q3: the sample's answers with these query balances
  printf '[{"id": 1, "recv": [{"interface": "query", "balance": %s}]},\n {"id": 2, "recv": [{"interface": "deposit", "result": "success"}, {"interface": "query", "balance": %s}]},\n {"id": 3, "recv": [{"interface": "withdraw", "result": "success"}, {"interface": "query", "balance": %s}]}]\n' "$2" "$3" "$4" >"$1"
}
write_sample_output right.json 400 570 500
write_sample_output wrong.json 400 400 500

# rule: G13, G14; one file: a line per event, the score, exit 0 or 1
start
"$bank" grade --input "$sample" right.json >out 2>err
rc=$?
expect "right: exit $rc, want 0" [ $rc -eq 0 ]
expect "right: $(lines_of out) lines, want a heading, 5 events and the score" [ "$(lines_of out)" -eq 7 ]
expect "right: no verdict line for customer 2's query" grep -qx 'customer 2 event 3 query: ok \[right.json:2:68\]' out
expect "right: last line $(tail -n 1 out)" [ "$(tail -n 1 out)" = "5/5 events correct" ]
"$bank" grade --input "$sample" --wrong-only wrong.json >out 2>err
rc=$?
expect "wrong: exit $rc, want 1" [ $rc -eq 1 ]
expect "wrong: --wrong-only printed ok lines" sh -c '! grep -q ": ok" out'
expect "wrong: no wrong value for customer 2's query" \
  grep -q '^customer 2 event 3 query: wrong value: got 400: no execution reads that here' out
expect "wrong: last line $(tail -n 1 out)" [ "$(tail -n 1 out)" = "4/5 events correct, 1 wrong" ]
"$bank" grade --input "$sample" --json wrong.json >out 2>err
expect "--json: not the counts" python3 -c '
import json, sys
r = json.load(open("out"))
sys.exit(not (r["events"] == 5 and r["correct"] == 4 and r["wrong"] == 1 and r["undecided"] == 0
              and r["first_wrong"]["verdict"] == "wrong value" and len(r["verdicts"]) == 5))'
check "grade one file: verdict lines, score, exit status"

# rule: G14; an extra record alone makes the exit status 1
start
sed '$ s/\]$/,\n {"id": 9, "recv": []}]/' right.json >extra.json
"$bank" grade --input "$sample" extra.json >out 2>err
rc=$?
expect "exit $rc, want 1" [ $rc -eq 1 ]
expect "last line $(tail -n 1 out)" [ "$(tail -n 1 out)" = "5/5 events correct, 1 wrong" ]
expect "no extra record" grep -q '^customer 9 (extra record): extra' out
check "grade: an extra record"

# rule: G1, G13, G14, G30, G31, G33; --batch: a row per student (a loose file, a folder with its
# files at any depth), hidden names left out, name order, --report
start
mkdir -p batch/sub/deeper batch/.hidden
cp right.json batch/a.json
cp wrong.json batch/sub/b.json
cp wrong.json batch/sub/deeper/c.json
cp wrong.json batch/.d.json
cp wrong.json batch/.hidden/e.json
"$bank" grade --input "$sample" --batch batch --report report.csv >out 2>err
rc=$?
expect "exit $rc, want 1 (b.json is wrong)" [ $rc -eq 1 ]
expect "table: $(cat out)" [ "$(awk '{print $1, $2, $3}' out | tr '\n' ';')" = "student score file;a 5/5 a.json;sub 4/5 b.json;" ]
expect "the deeper file is listed, not graded" grep -q '^sub .*also read as outputs: deeper/c.json$' out
expect "report.csv: $(cat report.csv)" [ "$(cut -d, -f1-5 report.csv | tr '\n' ';')" = 'student,canvas_id,score,correct,events;"a","","5/5",5,5;"sub","","4/5",4,5;' ]
expect "summary: $(cat err)" grep -qx 'bank grade: 2 students, 1 with every event correct, 0 with nothing graded' err
rm -r batch/sub
"$bank" grade --input "$sample" --batch batch >out 2>err
rc=$?
expect "only right files: exit $rc, want 0" [ $rc -eq 0 ]
echo "nothing here" >batch/unusable.txt
"$bank" grade --input "$sample" --batch batch >out 2>err
rc=$?
expect "an unusable file in a batch: exit $rc, want 1" [ $rc -eq 1 ]
expect "the unusable file is not in the table" grep -q '^unusable  *0/5  *unusable.txt  *unusable: batch/unusable.txt:1:1: no JSON' out
check "grade --batch"

# rule: G14; exit status 2: an unusable single file, a rejected input, an empty or missing folder
start
echo "nothing here" >unusable.txt
"$bank" grade --input "$sample" unusable.txt >out 2>err
rc=$?
expect "unusable file: exit $rc, want 2" [ $rc -eq 2 ]
expect "unusable file: $(cat err)" grep -qx 'bank grade: unusable.txt:1:1: no JSON, Python or protobuf-text value in the file' err
"$bank" grade --input no_such_input.json right.json >out 2>err
rc=$?
expect "missing input: exit $rc, want 2" [ $rc -eq 2 ]
expect "missing input: $(cat err)" grep -q '^bank grade: .*no_such_input.json: cannot open' err
mkdir -p empty
"$bank" grade --input "$sample" --batch empty >out 2>err
rc=$?
expect "empty folder: exit $rc, want 2" [ $rc -eq 2 ]
"$bank" grade --input "$sample" --batch no_such_folder >out 2>err
rc=$?
expect "missing folder: exit $rc, want 2" [ $rc -eq 2 ]
check "grade: exit status 2"

# rule: G9; --schedule belongs to --exact, and live has no reference run
start
"$bank" grade --input "$sample" --schedule rounds right.json >out 2>err
rc=$?
expect "--schedule without --exact: exit $rc, want 2" [ $rc -eq 2 ]
"$bank" grade --input "$sample" --exact --schedule live right.json >out 2>err
rc=$?
expect "--schedule live: exit $rc, want 2" [ $rc -eq 2 ]
"$bank" grade --input "$sample" --exact --schedule rounds right.json >out 2>err
rc=$?
expect "--exact --schedule rounds on the sequential answers: exit $rc, want 1" [ $rc -eq 1 ]
expect "--exact --schedule rounds: $(cat out)" grep -q 'customer 1 event 1 query: wrong value: expected 500, got 400 (--exact, rounds schedule)' out
check "grade --exact --schedule"

# rule: G13; --report by extension, case ignored; another extension is a usage error
start
"$bank" grade --input "$sample" --report r.HTML right.json >out 2>err
rc=$?
expect "r.HTML: exit $rc, want 0" [ $rc -eq 0 ]
expect "r.HTML is not HTML" grep -q '^<!DOCTYPE html>' r.HTML
"$bank" grade --input "$sample" --report r.xml right.json >out 2>err
rc=$?
expect "r.xml: exit $rc, want 2" [ $rc -eq 2 ]
check "grade --report FILE"

# rule: G12, G14, G19; out of budget: the answers the orders tried first (the schedules', the
# greedy one) leave out are undecided, the rest fit the witness (ok), exit 3
start
cat >budget_in.json <<'JSON'
[{"id": 1, "type": "customer", "events": [{"id": 1, "interface": "deposit", "money": 1}, {"id": 2, "interface": "query"}]},
 {"id": 2, "type": "customer", "events": [{"id": 3, "interface": "withdraw", "money": 1}, {"id": 4, "interface": "deposit", "money": 1}, {"id": 5, "interface": "query"}]},
 {"id": 3, "type": "customer", "events": [{"id": 6, "interface": "deposit", "money": 1}, {"id": 7, "interface": "query"}, {"id": 8, "interface": "query"}]},
 {"id": 1, "type": "branch", "balance": 0}, {"id": 2, "type": "branch", "balance": 0}, {"id": 3, "type": "branch", "balance": 0}]
JSON
cat >budget_out.json <<'JSON'
[{"id": 1, "recv": [{"interface": "deposit", "result": "success"}, {"interface": "query", "balance": 0}]},
 {"id": 2, "recv": [{"interface": "withdraw", "result": "success"}, {"interface": "deposit", "result": "success"}, {"interface": "query", "balance": 2}]},
 {"id": 3, "recv": [{"interface": "deposit", "result": "success"}, {"interface": "query", "balance": 1}, {"interface": "query", "balance": 2}]}]
JSON
"$bank" grade --input budget_in.json --budget 5 budget_out.json >out 2>err
rc=$?
expect "exit $rc, want 3" [ $rc -eq 3 ]
expect "last line $(tail -n 1 out)" [ "$(tail -n 1 out)" = "7/8 events correct, 1 undecided" ]
expect "a query left undecided" grep -q '^customer 1 event 2 query: undecided: not decided within --budget' out
expect "the writes fit the witness" grep -q '^customer 2 event 3 withdraw: ok' out
"$bank" grade --input budget_in.json budget_out.json >out 2>err
rc=$?
expect "default budget: exit $rc, want 0" [ $rc -eq 0 ]
check "grade --budget"

# rule: S12; --kill: its form, where it applies, a branch the input does not have
start
for bad in "2" "x@3" "2@0" "2@"; do
  "$bank" run --processes --kill "$bad" "$sample" >out 2>err
  rc=$?
  expect "--kill $bad: exit $rc, want 2" [ $rc -eq 2 ]
done
"$bank" run --kill 2@1 "$sample" >out 2>err
rc=$?
expect "--kill without --processes: exit $rc, want 2" [ $rc -eq 2 ]
expect "--kill without --processes: $(cat err)" grep -q -- '--kill needs --processes and the sequential or rounds schedule' err
"$bank" run --processes --schedule live --kill 2@1 "$sample" >out 2>err
rc=$?
expect "--kill with live: exit $rc, want 2" [ $rc -eq 2 ]
"$bank" run --processes --deadline-ms 60000 --kill 9@1 "$sample" >out 2>err
rc=$?
expect "--kill 9 (no such branch): exit $rc, want 2" [ $rc -eq 2 ]
expect "--kill 9: one line: $(cat err)" [ "$(wc -l <err)" -eq 1 ]
expect "--kill 9: $(cat err)" grep -q 'has no branch 9' err
expect "--kill 9: nothing on standard output" [ ! -s out ]
"$bank" run --processes --deadline-ms 60000 --kill 2@2 "$sample" >out 2>err
rc=$?
expect "--kill 2@2: exit $rc, $(cat err)" [ $rc -eq 0 ]
expect "--kill 2@2: output differs from the sequential golden file" cmp -s out "$seq_out"
expect "--kill 2@2: not reported: $(cat err)" grep -q 'killed branch 2 (SIGKILL) and started it again with --recover' err
# the last event is a kill point too; one past it would never come
"$bank" run --processes --deadline-ms 60000 --kill 1@5 "$sample" >out 2>err
rc=$?
expect "--kill 1@5 (the sample's last event): exit $rc, $(cat err)" [ $rc -eq 0 ]
expect "--kill 1@5: not reported: $(cat err)" grep -q 'killed branch 1 (SIGKILL) and started it again with --recover' err
"$bank" run --processes --deadline-ms 60000 --kill 1@6 "$sample" >out 2>err
rc=$?
expect "--kill 1@6: exit $rc, want 2" [ $rc -eq 2 ]
expect "--kill 1@6: $(cat err)" [ "$(cat err)" = "bank run: --kill ...@6: $sample has only 5 events" ]
expect "--kill 1@6: nothing on standard output" [ ! -s out ]
check "--kill BRANCH@N"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
