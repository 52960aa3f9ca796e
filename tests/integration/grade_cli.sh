#!/usr/bin/env bash
# bank grade from the command line: one file (text and --json), every exit status, usage errors,
# and --batch over a folder with --report as CSV, JSON and HTML (each parsed back).
# Usage: grade_cli.sh BANK GOLDEN_DIR
set -uo pipefail
bank=$1 golden=$2
input=$golden/sample/input.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 passed=0
pass() { passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
py=/usr/bin/python3
[ -x "$py" ] || py=python3

# run NAME WANT_RC ARGS... : runs bank grade, keeps stdout/stderr in $tmp/out, $tmp/err
run() {
  local name=$1 want=$2
  shift 2
  "$bank" grade "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ "$rc" = "$want" ]; then pass; else fail "$name: exit $rc, expected $want"; cat "$tmp/err"; fi
}
has() { # NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then pass; else fail "$1: $(basename "$2") lacks \"$3\""; sed 's/^/    /' "$2" | head -20; fi
}

rounds='[{"id": 1, "recv": [{"interface": "query", "balance": 500}]},
 {"id": 2, "recv": [{"interface": "deposit", "result": "success"}, {"interface": "query", "balance": 500}]},
 {"id": 3, "recv": [{"interface": "withdraw", "result": "success"}, {"interface": "query", "balance": 500}]}]'
echo "$rounds" >"$tmp/rounds.json"
sed 's/"balance": 500}]},$/"balance": 400}]},/' "$tmp/rounds.json" >"$tmp/wrong.json"  # c2 reads 400: impossible
printf "{'id': 1, 'recv': [{'interface': 'query', result: 'success', 'money': 400}]}\n" >"$tmp/broken.txt"

run "consistent accepts rounds answers" 0 --input "$input" "$tmp/rounds.json"
has "verdict per event" "$tmp/out" "customer 2 event 3 query: ok"
has "summary" "$tmp/out" "5/5 events correct"
run "exact sequential rejects them" 1 --exact --input "$input" "$tmp/rounds.json"
has "exact names expected and got" "$tmp/out" "customer 1 event 1 query: wrong value: expected 400, got 500"
has "exact summary" "$tmp/out" "3/5 events correct, 2 wrong"
run "exact rounds accepts them" 0 --exact --schedule rounds --input "$input" "$tmp/rounds.json"
has "exact rounds names its reference run" "$tmp/out" "; judged exact (rounds schedule)"
run "an impossible value" 1 --input "$input" "$tmp/wrong.json"
has "what it could read" "$tmp/out" "it could read 500 or 570"
has "file, line and column of the reply" "$tmp/out" "wrong.json:2:"
run "--wrong-only" 1 --wrong-only --input "$input" "$tmp/wrong.json"
if grep -q ": ok" "$tmp/out"; then fail "--wrong-only still lists ok events"; else pass; fi
run "--json" 1 --json --input "$input" "$tmp/wrong.json"
if "$py" - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["events"] == 5 and d["correct"] == 4 and d["wrong"] == 1, d
v = [x for x in d["verdicts"] if x["verdict"] != "ok"]
assert v[0]["customer"] == 2 and v[0]["event"] == 3 and v[0]["interface"] == "query", v
assert [x["entry"] for x in d["verdicts"]] == [1, 2, 2, 3, 3], d["verdicts"]  # the input's entries, from 1
assert d["first_wrong"]["verdict"] == "wrong value", d
# where the reply is: line 2, the column of c2's query reply object
assert (d["first_wrong"]["line"], d["first_wrong"]["column"]) == (2, 68), d["first_wrong"]
PY
then pass; else fail "--json output"; cat "$tmp/out"; fi
# rule: G13; --json's verdicts whole: an event whose id is 0 keeps its "event", extra replies are
# one verdict with their count and no event, a record of no entry has neither entry nor event
printf '[{"id": 1, "type": "customer", "events": [{"id": 0, "interface": "query"}]}, {"id": 1, "type": "branch", "balance": 400}]\n' >"$tmp/in0.json"
printf '[{"id": 1, "recv": [{"interface": "query", "balance": 300}, {"interface": "query", "balance": 1}, {"interface": "deposit", "result": "success"}]}, {"id": 7, "recv": []}]\n' >"$tmp/out0.json"
run "--json, event id 0 and extras" 1 --json --input "$tmp/in0.json" "$tmp/out0.json"
if "$py" - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
wrong = {"customer": 1, "entry": 1, "event": 0, "interface": "query", "verdict": "wrong value",
         "detail": "got 300: no execution reads that here, with any choice of the other customers' writes "
                   "before it; it could read 400", "line": 1, "column": 21}
assert d["verdicts"] == [wrong, {"customer": 1, "entry": 1, "interface": "query", "verdict": "extra",
                                 "detail": "replies 2 to 3 of a customer with 1 events (2 extra replies, the first here)",
                                 "count": 2, "line": 1, "column": 61},
                         {"customer": 7, "interface": "", "verdict": "extra",
                          "detail": "a record for customer 7, for which the input has no entry left", "line": 1,
                          "column": 148}], d["verdicts"]
assert d["first_wrong"] == wrong and (d["events"], d["correct"], d["wrong"]) == (1, 0, 4), d
PY
then pass; else fail "--json: every verdict's fields"; cat "$tmp/out"; fi
run "unreadable output: exit 2, one line" 2 --input "$input" "$tmp/broken.txt"
has "unreadable names line and column" "$tmp/err" "broken.txt:1:43: the key result is not quoted"
[ "$(wc -l <"$tmp/err")" = 1 ] && pass || fail "unreadable output: more than one line on stderr"
run "missing output file" 2 --input "$input" "$tmp/nothing.json"
has "missing output says so" "$tmp/err" "nothing.json: cannot open"
run "bad input" 2 --input "$tmp/broken.txt" "$tmp/rounds.json"
# one order gives every answer, but neither reference schedule nor the greedy order finds it:
# a budget of 1 leaves customer 1's query undecided (G19)
cat >"$tmp/budget_in.json" <<'JSON'
[{"id": 1, "type": "customer", "events": [{"id": 1, "interface": "deposit", "money": 1}, {"id": 2, "interface": "query"}]},
 {"id": 2, "type": "customer", "events": [{"id": 3, "interface": "withdraw", "money": 1}, {"id": 4, "interface": "deposit", "money": 1}, {"id": 5, "interface": "query"}]},
 {"id": 3, "type": "customer", "events": [{"id": 6, "interface": "deposit", "money": 1}, {"id": 7, "interface": "query"}, {"id": 8, "interface": "query"}]},
 {"id": 1, "type": "branch", "balance": 0}, {"id": 2, "type": "branch", "balance": 0}, {"id": 3, "type": "branch", "balance": 0}]
JSON
cat >"$tmp/budget_out.json" <<'JSON'
[{"id": 1, "recv": [{"interface": "deposit", "result": "success"}, {"interface": "query", "balance": 0}]},
 {"id": 2, "recv": [{"interface": "withdraw", "result": "success"}, {"interface": "deposit", "result": "success"}, {"interface": "query", "balance": 2}]},
 {"id": 3, "recv": [{"interface": "deposit", "result": "success"}, {"interface": "query", "balance": 1}, {"interface": "query", "balance": 2}]}]
JSON
run "undecided within a tiny budget: exit 3" 3 --budget 1 --input "$tmp/budget_in.json" "$tmp/budget_out.json"
has "undecided says how to decide" "$tmp/out" "7/8 events correct, 1 undecided"
run "decided at the default budget" 0 --input "$tmp/budget_in.json" "$tmp/budget_out.json"
# rule: G20
run "--max-bytes refuses a larger file" 2 --max-bytes 100 --input "$input" "$tmp/rounds.json"
has "--max-bytes names the bound" "$tmp/err" "rounds.json: larger than 100 bytes (--max-bytes); not read"
cat "$tmp/rounds.json" | "$bank" grade --max-bytes 100 --input "$input" - >"$tmp/out" 2>"$tmp/err"
[ $? = 2 ] && pass || fail "--max-bytes on standard input: not refused"
has "--max-bytes on a pipe" "$tmp/err" "-: larger than 100 bytes (--max-bytes); not read"
run "--max-bytes at the file's size" 0 --max-bytes "$(stat -c %s "$tmp/rounds.json")" --input "$input" "$tmp/rounds.json"
run "--max-bytes 0" 2 --max-bytes 0 --input "$input" "$tmp/rounds.json"
# rule: G18
run "--witness" 0 --witness --input "$input" "$tmp/rounds.json"
has "--witness prints the execution" "$tmp/out" "witness: an execution that gives every answer not marked wrong (5 steps)"
run "--witness with --exact" 2 --witness --exact --input "$input" "$tmp/rounds.json"
# rule: G18; the whole report of --witness: the verdicts, every step of the execution (a failed
# withdrawal among them), the note on the set aside and the count, in text and in --json
fw=$golden/failed-withdrawals
sed 's/"balance": 200/"balance": 100/' "$fw/expected.sequential.json" >"$tmp/fw.json"  # c2 reads 100: impossible
(cd "$tmp" && "$bank" grade --witness --input "$fw/input.json" fw.json >"$tmp/out" 2>"$tmp/err")
if [ $? = 1 ] && [ ! -s "$tmp/err" ] && diff - "$tmp/out" <<'EOF'
fw.json: JSON, one array, result as an object; judged consistent (some legal execution)
customer 1 event 1 query: ok [fw.json:2:22]
customer 1 event 2 withdraw: ok [fw.json:2:74]
customer 1 event 3 query: ok [fw.json:2:119]
customer 2 event 4 deposit: ok [fw.json:3:22]
customer 2 event 5 withdraw: ok [fw.json:3:69]
customer 2 event 6 query: wrong value: got 100: no execution reads that here, with any choice of the other customers' writes before it; it could read 50 or 200 [fw.json:3:114]
witness: an execution that gives every answer not marked wrong (6 steps)
  1. customer 1 event 1 query: reads 100
  2. customer 1 event 2 withdraw 150: fail (balance 100)
  3. customer 1 event 3 query: reads 100
  4. customer 2 event 4 deposit 100: success (balance 200)
  5. customer 2 event 5 withdraw 250: fail (balance 200)
  6. customer 2 event 6 query: reads 200
note: the answer marked wrong is the smallest set whose removal leaves the rest consistent (of the answers that would do, the earliest in the file); --witness prints an execution that gives the rest
5/6 events correct, 1 wrong
EOF
then pass; else fail "--witness: the whole report"; fi
"$bank" grade --json --witness --input "$fw/input.json" "$tmp/fw.json" >"$tmp/out" 2>"$tmp/err"
if [ $? = 1 ] && "$py" - "$tmp/out" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
def step(c, e, op, balance, money=None, result=None):
    s = {"customer": c, "entry": c, "event": e, "interface": op}
    if money is not None:
        s.update(money=money, result=result)
    return dict(s, balance=balance)
want = [step(1, 1, "query", 100), step(1, 2, "withdraw", 100, 150, "fail"), step(1, 3, "query", 100),
        step(2, 4, "deposit", 200, 100, "success"), step(2, 5, "withdraw", 200, 250, "fail"),
        step(2, 6, "query", 200)]
got = (d["set_aside"], d["smallest"], d["earliest"], d["lower_bound"], d["witness"], d["correct"], d["wrong"])
sys.exit(0 if got == (1, True, True, 1, want, 5, 1) else print(got) or 1)
EOF
then pass; else fail "--json --witness: set_aside, smallest, earliest, lower_bound and every step"; fi
# several answers set aside: the note counts them
cat >"$tmp/w2.json" <<'EOF'
[{"id": 1, "recv": [{"interface": "query", "balance": 999}]},
 {"id": 2, "recv": [{"interface": "deposit", "result": "success"}, {"interface": "query", "balance": 400}]},
 {"id": 3, "recv": [{"interface": "withdraw", "result": "fail"}, {"interface": "query", "balance": 570}]}]
EOF
run "--witness, several set aside" 1 --witness --input "$input" "$tmp/w2.json"
has "--witness, several set aside: the note counts them" "$tmp/out" "note: the 4 answers marked wrong are the smallest set whose removal leaves the rest consistent (of the smallest sets, the earliest in the file); --witness prints an execution that gives the rest"
run "no --input" 2 "$tmp/rounds.json"
has "usage names --input" "$tmp/err" "--input INPUT.json is required"
run "--schedule without --exact" 2 --schedule rounds --input "$input" "$tmp/rounds.json"
run "--schedule live" 2 --exact --schedule live --input "$input" "$tmp/rounds.json"
run "two files" 2 --input "$input" "$tmp/rounds.json" "$tmp/wrong.json"
run "--report with an unknown extension" 2 --input "$input" --report "$tmp/r.xlsx" "$tmp/rounds.json"
# G14: a run that cannot write one of its files leaves neither
run "--report that cannot be written" 1 --input "$input" --report "$tmp/no-dir/r.csv" --gradescope "$tmp/gs.json" "$tmp/rounds.json"
has "--report that cannot be written says so" "$tmp/err" "no-dir/r.csv"
[ ! -e "$tmp/gs.json" ] && pass || fail "--gradescope written after a --report that failed"
# --gradescope per event on a report of exactly 64 verdicts, its first block's size: every one
# read, none past it (ASan stops a read of a 65th)
"$py" -c 'import json; print(json.dumps([{"id": 1, "type": "customer", "events": [{"id": e, "interface": "query"} for e in range(1, 65)]}, {"id": 1, "type": "branch", "balance": 7}]))' >"$tmp/in64.json"
"$py" -c 'import json; print(json.dumps([{"id": 1, "recv": [{"interface": "query", "balance": 7}] * 64}]))' >"$tmp/out64.json"
run "--gradescope on 64 verdicts" 0 --input "$tmp/in64.json" --gradescope "$tmp/gs64.json" "$tmp/out64.json"
has "--gradescope on 64 verdicts: the last event" "$tmp/gs64.json" '"name":	"customer 1 event 64 query"'
run "--gradescope that cannot be written" 1 --input "$input" --report "$tmp/r.csv" --gradescope "$tmp/no-dir/gs.json" "$tmp/rounds.json"
has "--gradescope that cannot be written says so" "$tmp/err" "no-dir/gs.json"
[ ! -e "$tmp/r.csv" ] && pass || fail "--report left by a run whose --gradescope failed"
run "--report and --gradescope both written" 0 --input "$input" --report "$tmp/r.csv" --gradescope "$tmp/gs.json" "$tmp/rounds.json"
[ -s "$tmp/r.csv" ] && [ -s "$tmp/gs.json" ] && pass || fail "--report and --gradescope: not both written"
rm -f "$tmp/r.csv" "$tmp/gs.json"
run "--help" 0 --help
has "help tells the exit statuses" "$tmp/out" "exit status: 0 every event correct"

# --batch: a row per student: three loose files (right, wrong, unreadable) and a folder; a hidden
# folder left out. (tests/integration/grade_class.py grades a whole class.)
mkdir -p "$tmp/class/alice" "$tmp/class/.hidden"
cp "$tmp/rounds.json" "$tmp/class/bob.json"
cp "$tmp/wrong.json" "$tmp/class/carol.json"
cp "$tmp/broken.txt" "$tmp/class/dave.txt"
cp "$golden/sample/expected.sequential.json" "$tmp/class/alice/output.json"
cp "$tmp/broken.txt" "$tmp/class/.hidden/skipped.txt"
for ext in csv json html; do
  run "--batch --report .$ext" 1 --input "$input" --batch "$tmp/class" --report "$tmp/report.$ext"
done
has "batch table: a folder is a student" "$tmp/out" "alice    5/5        output.json"
has "batch table: first wrong event" "$tmp/out" "customer 2 event 3 query: wrong value"
has "batch table: unusable file" "$tmp/out" "unusable:"
has "batch summary" "$tmp/err" "4 students, 2 with every event correct, 1 with nothing graded"
if grep -q skipped "$tmp/out"; then fail "a hidden folder was graded"; else pass; fi
# rule: G33; one submission folder with --json: its row as one JSON object
if "$bank" grade --input "$input" --json "$tmp/class/alice" >"$tmp/out" 2>"$tmp/err" && "$py" - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert (d["student"], d["graded"], d["events"], d["correct"], d["wrong"]) == ("alice", "output.json", 5, 5, 0), d
PY
then pass; else fail "a submission folder with --json"; cat "$tmp/out" "$tmp/err" | head -20; fi
# On a terminal, --batch counts the students graded on standard error, up to the last.
if command -v script >/dev/null; then
  script -qec "'$bank' grade --input '$input' --batch '$tmp/class' >/dev/null" /dev/null >"$tmp/tty.txt" 2>&1
  counted=$(tr '\r' '\n' <"$tmp/tty.txt" | grep -x 'graded [0-9]*/4 students' | tr '\n' ' ')
  if [ "$counted" = "graded 1/4 students graded 2/4 students graded 3/4 students graded 4/4 students " ]; then pass
  else fail "--batch on a terminal: \"$counted\""; cat -v "$tmp/tty.txt" | head -n 5; fi
else
  echo "skip --batch on a terminal: no script(1) here to give bank one"
fi
if "$py" - "$tmp" <<'PY'
import csv, html.parser, json, sys
t = sys.argv[1]
rows = list(csv.DictReader(open(t + "/report.csv")))
assert [(r["student"], r["score"]) for r in rows] == [("alice", "5/5"), ("bob", "5/5"), ("carol", "4/5"), ("dave", "0/5")], rows
assert rows[3]["first_wrong"].startswith("unusable:"), rows[3]
d = json.load(open(t + "/report.json"))
assert len(d["students"]) == 4 and d["students"][2]["first_wrong"]["customer"] == 2, d
assert "error" in d["students"][3] and d["students"][3]["graded"] == "dave.txt", d["students"][3]
class P(html.parser.HTMLParser):
    rows = 0
    def handle_starttag(self, tag, attrs):
        if tag == "tr": self.rows += 1
p = P(); p.feed(open(t + "/report.html").read())
assert p.rows >= 5, p.rows
PY
then pass; else fail "reports do not parse back as expected"; fi
run "--batch of an empty folder" 2 --input "$input" --batch "$tmp/class/.hidden/none" 
mkdir -p "$tmp/empty"
run "--batch of a folder with no file" 2 --input "$input" --batch "$tmp/empty"
run "--batch with a file argument" 2 --input "$input" --batch "$tmp/class" "$tmp/rounds.json"

echo "grade_cli: $passed passed, $failures failed"
[ "$failures" -eq 0 ]
