#!/usr/bin/env bash
# The command line's failure paths: a path that cannot be written or read, a bad option value, a
# missing or oversized file, too few file descriptors, a signal, a call held back by the branches'
# own seeded --faults. Each case checks the exit status and the exact line on standard error (and
# what must not be left behind). Fast: one run of a small input at most per case.
# Usage: cli_failures.sh BANK_BINARY GOLDEN_DIR
set -u
bank=$1
golden=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
sample=$golden/sample/input.json
nowhere=$tmp/no-such-dir # never made: anything under it cannot be opened or made

pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }

# expect NAME STATUS STDERR_TEXT command...: exits STATUS, and STDERR_TEXT is a whole line of its
# standard error
expect() {
  local name=$1 want_rc=$2 want_err=$3
  shift 3
  timeout 60 "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [[ $rc == "$want_rc" ]] && grep -qxF -- "$want_err" "$tmp/err"; then pass "$name"; else
    fail "$name: exit $rc (want $want_rc), want the line \"$want_err\" on stderr, got:"
    sed 's/^/       /' "$tmp/err" | head -20
  fi
}

# -- bank itself
expect "bank with no command prints its usage" 2 "usage: bank COMMAND [OPTIONS]" "$bank"

# -- bank run
expect "run -o in a missing folder" 1 "bank: $nowhere/out.json: cannot write" \
  "$bank" run -o "$nowhere/out.json" "$sample"
# rule: S10; an output whose writes fit in the buffer, so only closing it fails (a link to
# /dev/full): exit 1 and the line names the file, for Project 1 and Project 3 alike
ln -s /dev/full "$tmp/full.json"
expect "run -o to a full disk" 1 "bank: $tmp/full.json: write failed" "$bank" run -o "$tmp/full.json" "$sample"
expect "run --project 3 -o to a full disk" 1 "bank: $tmp/full.json: write failed" \
  "$bank" run --project 3 -o "$tmp/full.json" "$golden/p3/own-branch/input.json"
expect "run --trace in a missing folder" 1 "bank: $nowhere/t.jsonl: cannot open the trace file: No such file or directory" \
  "$bank" run --trace "$nowhere/t.jsonl" "$sample"
expect "run --trace to a full disk" 1 "bank: /dev/full: some trace lines were not written: No space left on device" \
  "$bank" run --trace /dev/full "$sample"

# --processes: each branch process reports its own trace failure and exits 1; the run says which
# ended badly first, and fails.
timeout 60 "$bank" run --processes --trace /dev/full "$sample" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [[ $rc == 1 && $(grep -c '^bank branch [123]: /dev/full: some trace lines were not written: No space left on device$' "$tmp/err") == 3 ]] &&
   grep -qx 'bank: branch 1 (pid [0-9]*) ended badly (exit status 1) (at 127\.0\.0\.1:[0-9]*)' "$tmp/err"; then
  pass "run --processes --trace to a full disk"
else fail "run --processes --trace to a full disk (exit $rc)"; cat "$tmp/err"; fi
# rule: S12; --kill all@N: every branch process of the run killed and recovered, the output unchanged
if "$bank" run --processes --data-dir "$tmp/data" --kill all@2 "$sample" >"$tmp/out" 2>"$tmp/err" &&
   grep -qxF "bank: killed branches 1, 2, 3 (SIGKILL) and started them again with --recover" "$tmp/err" &&
   cmp -s "$tmp/out" "$golden/sample/expected.sequential.json"; then
  pass "run --kill all@2 kills and recovers every branch"
else fail "run --kill all@2 kills and recovers every branch"; cat "$tmp/err"; fi
# rule: S12; the last event's number is a kill point too: the branch is killed once every event is
# answered, and the run still ends with its balances checked
rm -rf "$tmp/data"
if "$bank" run --processes --data-dir "$tmp/data" --kill 2@5 "$sample" >"$tmp/out" 2>"$tmp/err" &&
   grep -qxF "bank: killed branch 2 (SIGKILL) and started it again with --recover" "$tmp/err" &&
   cmp -s "$tmp/out" "$golden/sample/expected.sequential.json"; then
  pass "run --kill 2@5 kills branch 2 after the sample's last event"
else fail "run --kill 2@5 kills branch 2 after the sample's last event"; cat "$tmp/err"; fi
# A bank binary gone by the time the run starts its branch processes: a copy, removed while the run
# waits to read its input from a FIFO (so after it found its own path).
cp "$bank" "$tmp/bank-copy"
mkfifo "$tmp/input-fifo"
"$tmp/bank-copy" run --processes "$tmp/input-fifo" >"$tmp/out" 2>"$tmp/err" &
run=$!
exec 3>"$tmp/input-fifo" # returns once the run opened it for reading
rm "$tmp/bank-copy"
cat "$sample" >&3
exec 3>&-
wait "$run"
rc=$?
if [[ $rc == 1 && ! -s $tmp/out ]] &&
   [[ $(cat "$tmp/err") == "bank: cannot start $tmp/bank-copy branch: No such file or directory" ]]; then
  pass "run --processes: a bank binary that cannot be started"
else fail "run --processes: a bank binary that cannot be started (exit $rc)"; cat "$tmp/err"; fi
expect "run --processes --data-dir in a missing folder" 1 "bank: --data-dir: cannot make $nowhere/a: No such file or directory" \
  "$bank" run --processes --data-dir "$nowhere/a" "$sample"
# rule: S10; the reason is one line: nothing more from stopping branches that never started
if [ "$(wc -l <"$tmp/err")" = 1 ]; then pass "run with branches that never started: one line"
else fail "run with branches that never started: one line"; cat "$tmp/err"; fi

# -- bank run --project 2 and 3
p2=$golden/p2-sample/input.json
mkdir -p "$tmp/p2/branch_events.json" # a folder where the second part's file must go
expect "run --project 2: a part that cannot be written" 1 "bank: $tmp/p2/branch_events.json: cannot write: Is a directory" \
  "$bank" run --project 2 -o "$tmp/p2" "$p2"
expect "run --project 2: TMPDIR missing for the trace" 1 "bank: cannot make a temporary trace file in $nowhere: No such file or directory" \
  env TMPDIR="$nowhere" "$bank" run --project 2 "$p2"
expect "run --project 3 -o in a missing folder" 1 "bank: $nowhere/o.json: cannot write" \
  "$bank" run --project 3 -o "$nowhere/o.json" "$golden/p3/own-branch/input.json"
expect "run --project 3 --trace to a full disk" 1 "bank: /dev/full: some trace lines were not written: No space left on device" \
  "$bank" run --project 3 --trace /dev/full "$golden/p3/own-branch/input.json"
# Every answer held back up to 2 s (the branches' seeded reply-delay fault), the deadline 200 ms:
# the first call's failure is the run's error, with where it happened.
timeout 60 "$bank" run --project 3 --faults reply-delay=100:2000 --deadline-ms 200 "$golden/p3/own-branch/input.json" \
  >"$tmp/out" 2>"$tmp/err"
rc=$?
if [[ $rc == 1 && ! -s $tmp/out ]] &&
   grep -qx 'bank: customer 1, event 1 (deposit at branch 1): 127\.0\.0\.1:[0-9]*: gRPC status 4: Deadline Exceeded' "$tmp/err"; then
  pass "run --project 3: a call past its deadline fails the run"
else fail "run --project 3: a call past its deadline (exit $rc)"; cat "$tmp/err"; fi
expect "run --project 3 without an input" 2 "bank run: no input file given (see bank run --help)" \
  "$bank" run --project 3
expect "run --project 3 with two inputs" 2 "bank run: one input file expected, got several (see bank run --help)" \
  "$bank" run --project 3 a.json b.json

# -- bank diagram
: >"$tmp/empty.jsonl"
expect "diagram of an empty trace" 2 "bank diagram: $tmp/empty.jsonl: the trace is empty" \
  "$bank" diagram -o "$tmp/d.svg" "$tmp/empty.jsonl"
expect "diagram of a missing trace" 2 "bank diagram: $nowhere/t.jsonl: cannot open: No such file or directory" \
  "$bank" diagram -o "$tmp/d.svg" "$nowhere/t.jsonl"
expect "diagram without a trace" 2 "bank diagram: which trace? (bank run --trace FILE writes one) (see bank diagram --help)" \
  "$bank" diagram -o "$tmp/d.svg"
[[ -e $tmp/d.svg ]] && fail "diagram: failed runs left $tmp/d.svg"

# -- bank bench
expect "bench --table-extra: the second pair is read after the comma" 2 \
  "bank bench: --table-extra: \"4x5x\" is not BxC (B in 1..1000, C in 1..100000) (see bank bench --help)" \
  "$bank" bench --table --table-extra 3x2,4x5x
expect "bench --data-dir in a missing folder" 1 \
  "bank bench: starting the branches, after 0.0 s: --data-dir: cannot make $nowhere/a: No such file or directory" \
  "$bank" bench -b 2 -c 2 -e 2 --data-dir "$nowhere/a"
# A row whose process fails (too few file descriptors for 40 servers) shows its last line and the
# table goes on.
(ulimit -n 24; timeout 60 "$bank" bench --table --table-branches 40 --table-customers 1 --table-extra none \
   -b 1 -e 1 --bare-calls 1 >"$tmp/table" 2>&1)
rc=$?
if [[ $rc == 1 ]] &&
   grep -Eq '^ +40 +10 +FAILED \(exit 1 after [0-9]+ s\): bank bench: starting the branches, after [0-9.]+ s: branch [0-9]+: cannot listen on 127\.0\.0\.1:0' "$tmp/table" &&
   grep -Eq '^ +1 +1 +[0-9]+ ' "$tmp/table" && grep -q '1 of 2 rows failed\.$' "$tmp/table"; then
  pass "bench --table: a failed row shows its error and the table goes on"
else fail "bench --table: a failed row (exit $rc)"; cat "$tmp/table"; fi

# With no file descriptor left for its pipe, each row fails with why, and the table goes on.
(exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-; ulimit -n 4
 timeout 60 "$bank" bench --table --table-branches 2 --table-customers 1 --table-extra none -e 1 \
   --bare-calls 1 >"$tmp/table" 2>&1)
rc=$?
if [[ $rc == 1 && $(grep -cE '^ +(2 +10|10 +1) +FAILED \(exit -1 after 0 s\): pipe: Too many open files$' "$tmp/table") == 2 ]] &&
   grep -q '2 of 2 rows failed\.$' "$tmp/table"; then
  pass "bench --table: a row that cannot make its pipe"
else fail "bench --table: a row that cannot make its pipe (exit $rc)"; cat "$tmp/table"; fi

# -- bank soak
timeout 60 "$bank" soak -b 2 -c 2 -e 2 --seconds 1 --data-dir "$nowhere/a" >"$tmp/soak" 2>&1
rc=$?
if [[ $rc == 1 ]] && grep -qxF "soak: the branches did not start: --data-dir: cannot make $nowhere/a: No such file or directory" "$tmp/soak" &&
   grep -q '^soak summary: .*, 0 repetitions of .*, 1 failed$' "$tmp/soak"; then
  pass "soak --data-dir in a missing folder: one failure, no repetition"
else fail "soak --data-dir in a missing folder (exit $rc)"; cat "$tmp/soak"; fi

# -- bank drive
start="$bank branch --id {id} --balance {balance} --listen 127.0.0.1:{port} --peers {peers}"
expect "drive --cluster: a missing peers file" 2 "bank drive: $nowhere/peers: cannot open: No such file or directory" \
  "$bank" drive --cluster "$nowhere/peers" "$sample"
expect "drive: a missing input" 2 "bank: $nowhere/in.json: cannot open: No such file or directory" \
  "$bank" drive --course-ports "$nowhere/in.json"
expect "drive --tls-dir: a missing folder" 2 "bank drive: $nowhere/ca.crt: cannot open: No such file or directory" \
  "$bank" drive --course-ports --tls-dir "$nowhere" "$sample"
printf '1 127.0.0.1:0\n2 127.0.0.1:1\n3 127.0.0.1:2\n' >"$tmp/peers-port0"
expect "drive --start: port 0 is no port to start on" 2 \
  "bank drive: --start: branch 1: \"127.0.0.1:0\" is not a HOST:PORT of this machine" \
  "$bank" drive --start true --cluster "$tmp/peers-port0" "$sample"
printf '1 no-such-host.invalid:5000\n2 127.0.0.1:1\n3 127.0.0.1:2\n' >"$tmp/peers-nohost" # .invalid never resolves
expect "drive --start: a host name that does not resolve" 2 \
  "bank drive: --start: branch 1: \"no-such-host.invalid:5000\" is not a HOST:PORT of this machine" \
  "$bank" drive --start true --cluster "$tmp/peers-nohost" "$sample"
printf '1 192.0.2.1:5000\n2 127.0.0.1:1\n3 127.0.0.1:2\n' >"$tmp/peers-far" # TEST-NET-1: not this machine
expect "drive --start: an address of another machine" 2 \
  "bank drive: --start: branch 1: cannot listen on 192.0.2.1:5000: Cannot assign requested address (--start runs the branches on this machine)" \
  "$bank" drive --start true --cluster "$tmp/peers-far" "$sample"
# --course-ports BASE: a base out of range refused in one line; --course-ports last takes no input
expect "drive --course-ports 0" 2 'bank drive: --course-ports: expected a whole number from 1 to 65535, got "0"' \
  "$bank" drive --course-ports 0 "$sample"
expect "drive --course-ports without an input" 2 "bank drive: no input file given (see bank drive --help)" \
  "$bank" drive --course-ports
# rule: D4, D7; branches that are not running (ports nothing listens on): exit 2 before anything
# is sent, the first branch named with gRPC's status and the hint for it
printf '1 127.0.0.1:1\n2 127.0.0.1:2\n3 127.0.0.1:3\n' >"$tmp/peers-closed"
timeout 60 "$bank" drive --cluster "$tmp/peers-closed" --deadline-ms 2000 "$sample" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [[ $rc == 2 && ! -s $tmp/out ]] && grep -qE "^bank drive: cannot read every branch's balance before the run: branch 1 at 127\.0\.0\.1:1: UNAVAILABLE: .+ \(is it running\?\)$" "$tmp/err"; then
  pass "drive --cluster of branches not running: UNAVAILABLE, is it running?"
else fail "drive --cluster of branches not running (exit $rc)"; cat "$tmp/err"; fi
expect "drive --report in a missing folder" 1 "bank drive: --report $nowhere/r.html: cannot write" \
  "$bank" drive --start "$start" --report "$nowhere/r.html" "$sample"
ln -s /dev/full "$tmp/full.html"
expect "drive --report to a full disk" 1 "bank drive: --report $tmp/full.html: write failed" \
  "$bank" drive --start "$start" --report "$tmp/full.html" "$sample"
# Processes that end by themselves once their branch listens (a shell that started it in the
# background): the run goes on, and at the end each is named with its status and last output.
# The command ends in a comment with {peers} 100 times: filled in, it outgrows the first buffer.
# A live run with 2 s before each query gives each shell's poll the time to see its branch listen
# and end, however loaded the machine (a run of the sample alone can be over before it does).
bg="$start >'$tmp/branch-{id}.log' & until grep -q ^listening '$tmp/branch-{id}.log' 2>/dev/null; do sleep 0.02; done; echo up {id}; exit 3 #"
for _ in $(seq 100); do bg+=" {peers}"; done
if timeout 60 "$bank" drive --start "$bg" --schedule live --query-delay 2000 "$sample" >"$tmp/out" 2>"$tmp/err" &&
   [[ $(grep -c "^bank drive: branch [123]'s process (pid [0-9]*) ended by itself (exit status 3); its last output: up [123]$" "$tmp/err") == 3 ]] &&
   grep -q "^bank drive: branch 2's process (pid [0-9]*) ended by itself (exit status 3); its last output: up 2$" "$tmp/err"; then
  pass "drive --start: processes that ended by themselves are named at the end"
else fail "drive --start: processes that ended by themselves"; cat "$tmp/err"; fi
# A call that goes unanswered (the first customer's first query held back past --deadline-ms by
# the branches' seeded reply-delay fault): the run stops, and the JSON report says where.
slow="$start --faults reply-delay=10:7000" # a held-back answer: 0 to 7 s
timeout 60 "$bank" drive --start "$slow" --deadline-ms 1000 --json "$sample" >"$tmp/drive.json" 2>"$tmp/err"
rc=$?
if [[ $rc == 1 ]] && python3 - "$tmp/drive.json" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
l = d["liveness"]
detail = re.sub(r"127\.0\.0\.1:[0-9]+", "ADDR", l.pop("detail"))
assert detail == ("customer 1 event 1 (query) got no answer from branch 1 at ADDR: DEADLINE_EXCEEDED: "
                  "Deadline Exceeded (no answer within --deadline-ms)"), detail
assert l == {"every_call_answered": False, "customer": 1, "event": 1, "branch": 1,
             "status": "DEADLINE_EXCEEDED"}, l
assert d["behaved"] is False
PY
then pass "drive: an unanswered call stops the run, and --json says which"
else fail "drive: an unanswered call (exit $rc)"; cat "$tmp/err"; fi
# SIGTERM while --start waits for its processes: every process it started is stopped, then it exits 128+15.
: >"$tmp/pids"
"$bank" drive --start "echo \$\$ >>'$tmp/pids'; exec sleep 30" --deadline-ms 30000 "$sample" >/dev/null 2>"$tmp/err" &
drive=$!
for _ in $(seq 500); do [[ $(wc -l <"$tmp/pids") == 3 ]] && break; sleep 0.01; done
kill -TERM "$drive"
wait "$drive"
rc=$?
left=0
while read -r pid; do kill -0 "$pid" 2>/dev/null && left=$((left + 1)); done <"$tmp/pids"
if [[ $rc == 143 && $left == 0 && $(wc -l <"$tmp/pids") == 3 ]] &&
   grep -qxF "bank drive: Terminated: stopping the 3 branch processes it started" "$tmp/err"; then
  pass "drive --start: SIGTERM stops the processes it started"
else fail "drive --start: SIGTERM (exit $rc, $left processes left)"; cat "$tmp/err"; fi

# -- bank branch
expect "branch --peers: a missing file" 2 "bank branch: $nowhere/p: cannot open: No such file or directory" \
  "$bank" branch --id 1 --balance 0 --listen 127.0.0.1:0 --peers "$nowhere/p"
printf '2 127.0.0.1:1\n' >"$tmp/one-peer"
expect "branch --trace in a missing folder" 1 "bank branch: $nowhere/t: cannot open the trace file: No such file or directory" \
  "$bank" branch --id 1 --balance 0 --listen 127.0.0.1:0 --peers "$tmp/one-peer" --trace "$nowhere/t"
# A peer list on standard input longer than the first buffer (4 KB): read whole, then "ready".
{ for i in $(seq 2 400); do echo "$i 127.0.0.1:$((20000 + i))"; done; echo end; } >"$tmp/many-peers"
if timeout 20 "$bank" branch --id 1 --balance 0 --listen 127.0.0.1:0 --peers - <"$tmp/many-peers" >"$tmp/out" 2>"$tmp/err" &&
   [[ $(sed -n 2p "$tmp/out") == ready ]]; then
  pass "branch --peers -: a list longer than 4 KB"
else fail "branch --peers -: a list longer than 4 KB"; cat "$tmp/out" "$tmp/err"; fi
# rule: R7; TLS files that cannot be read: one line naming the file, exit 2, nothing started
expect "branch --tls-ca in a missing folder" 2 "bank branch: $nowhere/ca.crt: cannot open: No such file or directory" \
  "$bank" branch --id 1 --balance 0 --peers "$tmp/one-peer" --tls-ca "$nowhere/ca.crt" --tls-cert "$nowhere/b.crt" \
  --tls-key "$nowhere/b.key"
expect "drive --tls-dir missing" 2 "bank drive: $nowhere/ca.crt: cannot open: No such file or directory" \
  "$bank" drive --cluster "$tmp/one-peer" --tls-dir "$nowhere" "$sample"
# An address of another machine (TEST-NET-1) cannot be listened on: one line, exit 1.
expect "branch --listen an address of another machine" 1 \
  "bank branch: branch 1: cannot listen on 192.0.2.1:5000 (address in use or not valid)" \
  "$bank" branch --id 1 --balance 0 --peers "$tmp/one-peer" --listen 192.0.2.1:5000 --insecure
# rule: K4; a data dir that holds state is read back, and says so, before the branch catches up
# from its peers (here one that is not running: it gives up after --deadline-ms, exit 1)
mkdir -p "$tmp/data"
printf '2 127.0.0.1:1\nend\n' | timeout 20 "$bank" branch --id 1 --balance 5 --peers - --data-dir "$tmp/data" >/dev/null 2>&1
printf '2 127.0.0.1:1\nend\n' | timeout 20 "$bank" branch --id 1 --balance 5 --peers - --data-dir "$tmp/data" \
  --deadline-ms 500 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [[ $rc == 1 ]] && grep -qxF "bank branch 1: read back from $tmp/data: 0 writes and 0 checkpoints, balance 5" "$tmp/err" &&
   grep -qxF "bank branch 1: branch 2 did not give its log in time (--deadline-ms)" "$tmp/err"; then
  pass "branch --data-dir that holds state: read back, then catching up fails"
else fail "branch --data-dir that holds state (exit $rc)"; cat "$tmp/err"; fi
# The line "end" alone (4 bytes) is read as a list, one with no peer: refused in its own words.
expect "branch --peers -: the line end alone" 1 "bank branch 1: standard input: no branch listed" \
  sh -c 'printf "end\n" | "$@"' sh "$bank" branch --id 1 --balance 0 --listen 127.0.0.1:0 --peers -
# Standard input a folder: its read fails (not EINTR), so the list ends there, in one line.
expect "branch --peers -: standard input a folder" 1 \
  "bank branch 1: standard input ended before the line \"end\" of the peer list" \
  sh -c 'exec "$@" <"$0"' "$tmp" "$bank" branch --id 1 --balance 0 --listen 127.0.0.1:0 --peers -

# -- bank grade
cp "$golden/sample/expected.sequential.json" "$tmp/output.json"
expect "grade --diagram: TMPDIR missing" 1 \
  "bank grade: --diagram: cannot make a temporary folder for the reference run's diagram in $nowhere: No such file or directory" \
  env TMPDIR="$nowhere" "$bank" grade --input "$sample" --report "$tmp/r.html" --diagram "$tmp/output.json"
[[ -e $tmp/r.html ]] && fail "grade --diagram: a failed run left $tmp/r.html"
# rule: G14; a report that cannot be printed (standard output a full disk): exit 1, and no --report
expect "grade --json to a full disk" 1 "bank grade: cannot print the report: No space left on device" \
  sh -c '"$@" >/dev/full' sh "$bank" grade --json --input "$sample" --report "$tmp/g.csv" "$tmp/output.json"
[[ -e $tmp/g.csv ]] && fail "grade --json to a full disk: its --report was written"
expect "grade --json of a missing file to a full disk" 1 "bank grade: cannot print the report: No space left on device" \
  sh -c '"$@" >/dev/full' sh "$bank" grade --json --input "$sample" "$nowhere/o.json"
expect "grade --project 2 --json of a missing file to a full disk" 1 "bank grade: cannot print the report: No space left on device" \
  sh -c '"$@" >/dev/full' sh "$bank" grade --project 2 --json --input "$p2" "$nowhere/o.json"
# rule: G14; a --report whose writes all fit in its buffer, so only closing it fails (a link to
# /dev/full): exit 1, the line names the report, and the link is removed, not left as if written
ln -s /dev/full "$tmp/full.csv"
expect "grade --report to a full disk" 1 "bank grade: --report $tmp/full.csv: cannot write: No space left on device" \
  "$bank" grade --input "$sample" --report "$tmp/full.csv" "$tmp/output.json"
[[ -L $tmp/full.csv ]] && fail "grade --report to a full disk: the link was left"
mkdir -p "$tmp/class/ann"
cp "$tmp/output.json" "$tmp/class/ann/output.json"
ln -sf /dev/full "$tmp/full.csv"
expect "grade --batch --report to a full disk" 1 "bank grade: --report $tmp/full.csv: cannot write: No space left on device" \
  "$bank" grade --input "$sample" --batch "$tmp/class" --report "$tmp/full.csv"
[[ -L $tmp/full.csv ]] && fail "grade --batch --report to a full disk: the link was left"
# rule: G14; a class folder with no submission in it: one line, exit 2
mkdir -p "$tmp/no-class"
expect "grade --batch of an empty folder" 2 "bank grade: $tmp/no-class holds no student's submission" \
  "$bank" grade --input "$sample" --batch "$tmp/no-class"
truncate -s 65M "$tmp/big.json"
expect "grade --project 2: a file over 64 MB" 2 "bank grade: $tmp/big.json: larger than 64 MB" \
  "$bank" grade --project 2 --input "$p2" "$tmp/big.json"
expect "grade --project 2: a missing input" 2 "bank grade: $nowhere/in.json: cannot open: No such file or directory" \
  "$bank" grade --project 2 --input "$nowhere/in.json" "$tmp/output.json"
expect "grade --project 2: a missing file" 2 "bank grade: $nowhere/o.json: cannot open: No such file or directory" \
  "$bank" grade --project 2 --input "$p2" "$nowhere/o.json"
expect "grade --project 2 --batch: a missing folder" 2 "bank grade: $nowhere: cannot read the folder: No such file or directory" \
  "$bank" grade --project 2 --input "$p2" --batch "$nowhere"

echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
