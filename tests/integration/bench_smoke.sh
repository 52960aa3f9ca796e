#!/usr/bin/env bash
# bank bench and bench --table on tiny workloads through tools/bench.sh, so neither can rot.
# Checks that the figures are printed and that the timed runs ran (a rate above 0), never how
# fast they were: not a timed test.
# Usage: bench_smoke.sh BANK_BINARY TOOLS_DIR
set -u
export BANK_BIN=$1
bench=$2/bench.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }

# has FILE PATTERN...: every extended regex matches some line of FILE
has() {
  local f=$1
  shift
  for p in "$@"; do grep -Eq -- "$p" "$f" || { echo "  missing: $p"; return 1; }; done
}

if "$bench" -b 2 -c 3 -e 4 --bare-calls 20 >"$tmp/one" 2>&1 &&
   has "$tmp/one" '^bench: 2 branches, 3 customers x 4 events' 'start-up of the branches +[0-9.]+ ms' \
       'memory: RSS before start [0-9.]+ MB, after start [0-9.]+ MB \([0-9.]+ MB per branch\), peak [0-9.]+ MB' \
       'bare RPC \(echo, one at a time\) +p50 +[0-9.]+ us +p99' 'bare RPC, all threads at once: +[0-9]+ ops/s' \
       'one operation at a time: +[1-9][0-9]* ops/s' 'all customers at once \(live\): +[1-9][0-9]* ops/s' \
       'ratio query/bare = [0-9.]+ +\(target <= 1.3' \
       'ratio deposit/\(bare \+ bare fan-out\) = [0-9.]+ +withdraw = [0-9.]+ +\(target <= 1.3 at 10 branches' \
       'RPC-equivalent efficiency = [0-9.]+ +\(target >= 1.0' \
       'plain figures: deposit/bare = [0-9.]+ +withdraw/bare = [0-9.]+ +live/bare throughput = [0-9.]+'; then
  pass "bench prints every figure and ratio"
else fail "bench prints every figure and ratio"; cat "$tmp/one"; fi

if "$BANK_BIN" bench -b 2 -c 3 -e 4 --bare-calls 20 --figures >"$tmp/fig" 2>&1 &&
   [[ $(wc -l <"$tmp/fig") == 1 ]] &&
   has "$tmp/fig" '^figures branches=2 customers=3 events=4 startup_ms=[0-9.]+ .*live_bare_ratio=[0-9.]+ .*rss_peak_mb=[0-9.]+' \
       'deposit_fanout_ratio=[0-9.]+ rpc_efficiency=[0-9.]+ connect_p50_us=[0-9.]+$'; then
  pass "bench --figures is one key=value line"
else fail "bench --figures is one key=value line"; cat "$tmp/fig"; fi

# The efficiency is its formula of the printed figures: live ops/s x (1 + write share x (B - 1))
# / bare calls/s (a write is its own call, then one to each other branch), within the rounding of
# the figures shown (2 decimals, whole ops/s).
if awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } }
        END { w = f["deposit_calls"] + f["withdraw_calls"]; share = w / (w + f["query_calls"])
              want = f["live_ops"] * (1 + share * (f["branches"] - 1)) / f["bare_ops"]
              d = want - f["rpc_efficiency"]; if (d < 0) d = -d
              exit !(f["live_ops"] > 0 && f["bare_ops"] > 0 &&
                     d <= 0.006 + want * (1 / f["live_ops"] + 1 / f["bare_ops"])) }' "$tmp/fig"; then
  pass "bench's RPC-equivalent efficiency is its formula"
else fail "bench's RPC-equivalent efficiency is its formula"; cat "$tmp/fig"; fi

# rule: K9; bench --processes --data-dir: the state on disk, the branches' dirs removed after
if "$BANK_BIN" bench --processes -b 2 -c 2 -e 3 --bare-calls 20 --data-dir "$tmp/data" --sync batch \
     >"$tmp/disk" 2>&1 &&
   has "$tmp/disk" '^bench: 2 branches, 2 customers x 3 events \(6 operations\), seed 1; state on disk, --sync batch' \
       'one operation at a time: +[0-9]+ ops/s' && [[ -d "$tmp/data" && -z $(ls -A "$tmp/data") ]]; then
  pass "bench --processes --data-dir: measured with the state on disk, nothing left behind"
else fail "bench --processes --data-dir"; cat "$tmp/disk"; ls -la "$tmp/data"; fi

# nz: a figure measured, not 0
nz='(0\.[0-9]*[1-9][0-9]*|[1-9][0-9]*\.[0-9]+)'
# the plaintext bench's timed figures were measured too: none is 0
if has "$tmp/one" "^  bare RPC \\(echo, one at a time\\) +p50 +$nz us +p99 +$nz us" \
       "^ +p50 +$nz us +p99 +$nz us +\\([0-9]+ rounds\\)$" "^    deposit +p50 +$nz us +p99 +$nz us" \
       "^  a new channel.s first call +p50 +$nz us +p99 +$nz us"; then
  pass "bench: every latency it prints was measured (not 0)"
else fail "bench: every latency it prints was measured (not 0)"; cat "$tmp/one"; fi

# --tls: tools/bench.sh makes throwaway certificates (tools/certs.sh), and every TLS figure is
# printed next to its plaintext one, each measured (not 0).
if command -v openssl >/dev/null; then
  if "$bench" -b 2 -c 3 -e 4 --bare-calls 20 --tls >"$tmp/tls" 2>&1 &&
     has "$tmp/tls" 'a new channel.s first call +p50 +[0-9.]+ us' '^  over mutual TLS \(new branches' \
         "^    bare RPC +p50 +$nz us +\\(plaintext +$nz us: x $nz\\)" \
         "^    query +p50 +$nz us +\\(plaintext" "^    deposit +p50 +$nz us +\\(plaintext" \
         "^    withdraw +p50 +$nz us" "^    new channel.s first call +p50 +$nz us +\\(plaintext"; then
    pass "bench --tls prints each TLS figure next to its plaintext one"
  else fail "bench --tls prints each TLS figure next to its plaintext one"; cat "$tmp/tls"; fi
else echo "skip bench --tls: openssl is not installed"; fi

if "$bench" --table --table-branches 2,3 --table-customers 1,2 --table-extra 3x2 -e 2 --bare-calls 20 \
     >"$tmp/table" 2>&1 &&
   has "$tmp/table" '^branches grow, 10 customers:' '^customers grow, 10 branches:' '^and:' \
       '^ +2 +10 +[0-9]+ ' '^ +3 +10 +[0-9]+ ' '^ +10 +1 +[0-9]+ ' '^ +10 +2 +[0-9]+ ' '^ +3 +2 +[0-9]+ ' \
       '0 of 5 rows failed'; then
  pass "bench --table: one row per size"
else fail "bench --table: one row per size"; cat "$tmp/table"; fi

# SIGCHLD ignored by whoever started bank (inherited across exec): bank still waits for each
# row's process, so no row fails for want of its exit status.
if [[ -x /usr/bin/python3 ]]; then
  /usr/bin/python3 -c 'import os, signal, sys; signal.signal(signal.SIGCHLD, signal.SIG_IGN); os.execv(sys.argv[1], sys.argv[1:])' \
    "$BANK_BIN" bench --table --table-branches 2 --table-customers 2 --table-extra none -e 2 --bare-calls 20 \
    >"$tmp/ignored" 2>&1
  rc=$?
  if [[ $rc == 0 ]] && has "$tmp/ignored" '^ +2 +10 +[0-9]+ ' '^ +10 +2 +[0-9]+ ' '0 of 2 rows failed'; then
    pass "bench --table with SIGCHLD ignored: every row's exit status is waited for"
  else fail "bench --table with SIGCHLD ignored (exit $rc)"; cat "$tmp/ignored"; fi
else echo "skip bench --table with SIGCHLD ignored: no /usr/bin/python3"; fi

# A row that cannot finish within --row-timeout is killed and shown failed; the table goes on
# (and the table runs, and says it runs, with the --seed it was given).
"$BANK_BIN" bench --table --table-branches 2 --table-customers 2 --table-extra none -e 50000 --row-timeout 1 \
  --seed 7 >"$tmp/slow" 2>&1
rc=$?
if [[ $rc == 1 ]] && [[ $(grep -c 'FAILED: still running after 1 s' "$tmp/slow") == 2 ]] &&
   has "$tmp/slow" '2 of 2 rows failed' '^bench --table: 50000 events per customer, seed 7,'; then
  pass "bench --table: a failed row shows its error, the table goes on, exit 1"
else fail "bench --table: a failed row shows its error (exit $rc)"; cat "$tmp/slow"; fi

usage() { # NAME EXPECTED_TEXT ARGS...: exit 2 and one line on stderr
  local name=$1 want=$2
  shift 2
  "$BANK_BIN" bench "$@" >"$tmp/u.out" 2>"$tmp/u.err"
  local rc=$?
  if [[ $rc == 2 && $(wc -l <"$tmp/u.err") == 1 ]] && grep -q -- "$want" "$tmp/u.err"; then pass "usage: $name"
  else fail "usage: $name (exit $rc)"; cat "$tmp/u.err"; fi
}
usage "--row-timeout without --table" "go with --table" --row-timeout 5
usage "a bad --table-extra pair" "is not BxC" --table --table-extra 3x0
usage "a zero size in --table-branches" "--table-branches" --table --table-branches 2,0
usage "--figures with --table" "exclude each other" --table --figures
usage "--tls without --tls-dir" "--tls needs --tls-dir DIR" --tls
if "$BANK_BIN" bench --help | grep -q -- '--table-customers LIST'; then pass "bench --help names --table"
else fail "bench --help names --table"; fi

echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
