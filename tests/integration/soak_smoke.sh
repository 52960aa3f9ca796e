#!/usr/bin/env bash
# bank soak through tools/soak.sh for a few seconds on a tiny size, so it cannot rot: exit 0,
# sample lines, the summary. Never asserts a figure.
# Usage: soak_smoke.sh BANK_BINARY TOOLS_DIR
set -u
export BANK_BIN=$1
soak=$2/soak.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }

if "$soak" 3 -b 3 -c 5 -e 4 --every 1 >"$tmp/out" 2>&1 &&
   [[ $(grep -Ec '^soak +[0-9.]+ s  repetition [0-9]+  [0-9]+ ops +[0-9]+ ops/s  rss +[0-9.]+ MB' "$tmp/out") -ge 2 ]] &&
   grep -Eq '^soak summary: [0-9.]+ s, [0-9]+ repetitions of 3 branches x 5 customers x 4 events \(live\), 0 failed' "$tmp/out" &&
   grep -Eq 'operations answered [0-9]+ .*errors 0' "$tmp/out" &&
   grep -Eq 'rss after the first repetition [0-9.]+ MB, largest after one of the first half [0-9.]+ MB, after the last [0-9.]+ MB, .*peak [0-9.]+ MB' "$tmp/out" &&
   grep -Eq '^  memory (stayed flat|GREW|undecided)' "$tmp/out"; then
  pass "soak: samples every second and a summary"
else fail "soak: samples every second and a summary"; cat "$tmp/out"; fi

# rule: K5; soak --data-dir: one set of branches on disk, their logs and files sampled and judged
if "$soak" 3 -b 3 -c 5 -e 4 --every 1 --data-dir "$tmp/data" >"$tmp/disk" 2>&1 &&
   [[ $(grep -Ec '^soak .* log [0-9]+ writes  disk [0-9.]+ MB' "$tmp/disk") -ge 2 ]] &&
   grep -Eq 'one set of branches with their state in ' "$tmp/disk" &&
   grep -Eq '^  logs \(all branches\) after the first repetition [0-9]+ writes, .*: (stayed flat|GREW|undecided)' "$tmp/disk" &&
   grep -Eq '^  data dirs after the first repetition [0-9.]+ MB, .*: (stayed flat|GREW|undecided)' "$tmp/disk" &&
   [[ -f "$tmp/data/branch-1/branch.db" ]]; then
  pass "soak --data-dir: logs and data dirs sampled and judged"
else fail "soak --data-dir: logs and data dirs sampled and judged"; cat "$tmp/disk"; fi

# A deadline no start-up can meet: every repetition fails with its error, and the exit says so.
"$soak" 1 -b 3 -c 5 -e 4 --every 1 --deadline-ms 1 >"$tmp/bad" 2>&1
rc=$?
if [[ $rc == 1 ]] && grep -Eq 'soak: repetition [0-9]+ FAILED after' "$tmp/bad" && grep -Eq ', [1-9][0-9]* failed$' "$tmp/bad"; then
  pass "soak: a failed repetition prints its error, exit 1"
else fail "soak: a failed repetition prints its error (exit $rc)"; cat "$tmp/bad" | head; fi

"$BANK_BIN" soak --every 0 >/dev/null 2>"$tmp/u.err"
rc=$?
if [[ $rc == 2 && $(wc -l <"$tmp/u.err") == 1 ]]; then pass "usage: --every 0"
else fail "usage: --every 0 (exit $rc)"; cat "$tmp/u.err"; fi
if "$soak" x >/dev/null 2>&1; then fail "soak.sh without SECONDS"; else pass "soak.sh without SECONDS"; fi

echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
