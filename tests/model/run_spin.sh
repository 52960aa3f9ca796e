#!/usr/bin/env bash
# Model-checks spec/bank.pml with spin, three full state-space searches (no bitstate):
#   convergence   (no -D)         must pass: 0 errors, search completed, the quiescence
#                                 assertions reachable (so the pass is not vacuous)
#   overdraft     -DNONNEG        must fail: 1 error, a trail whose replay violates
#                                 assert((bal[0]>=0)): two withdrawals at different branches
#                                 both pass their local check and the converged balance is < 0
#   lower_only    -DLOWER_ONLY    must fail: 1 error, a trail whose replay violates the
#                                 convergence assertion (replicas differ at quiescence)
# and spec/session.pml (Project 3's write-set rule), four more:
#   session       (no -D)         must pass: read-your-writes, monotonic writes at the customer's
#                                 branch and everywhere, and convergence all hold
#   no_wait       -DNO_WAIT       must fail: assert((got==0)), a query served before its branch
#                                 has the customer's writes reads without them
#   no_wait_writes -DNO_WAIT_WRITES  must fail: assert(ok), a withdrawal run before the
#                                 customer's deposit reached its branch fails
#   no_order      -DNO_ORDER      must fail: assert((got!=-(10))), another customer sees the
#                                 customer's second write without its first
# Prints, for each, the states stored, pan's search time, the wall time of the whole check
# (spin -a, compiling pan.c, the search, the trail replay) and the verdict.
# Usage: run_spin.sh [PATH/TO/bank.pml]   (default: spec/bank.pml beside this script's tests/;
#        session.pml is taken from the same folder)
# Exit status: 0 every check as expected; 1 an unexpected outcome; 77 spin (or a C compiler)
# is not installed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
model=$(realpath "${1:-$here/../../spec/bank.pml}")
session_model=$(dirname "$model")/session.pml

if ! command -v spin >/dev/null 2>&1; then
  echo "run_spin: spin is not installed (Debian: apt-get install spin, or tools/deps.sh test); skipping" >&2
  exit 77
fi
cc=${CC:-}
if [ -z "$cc" ]; then
  cc=$(command -v gcc || command -v cc || true)
fi
if [ -z "$cc" ]; then
  echo "run_spin: no C compiler to build pan.c; skipping" >&2
  exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# check NAME EXPECT [SPIN_DEFINES...]; EXPECT is "pass" or the text of the assertion that the
# trail must violate, exactly as spin prints it.
check() {
  local name=$1 expect=$2
  shift 2
  local dir=$tmp/$name
  mkdir -p "$dir"
  cp "${check_model:-$model}" "$dir/bank.pml"
  local start end
  start=$(date +%s.%N)
  (
    cd "$dir"
    spin "$@" -a bank.pml >spin.out 2>&1 || { cat spin.out; exit 1; }
    # SAFETY: assertions and invalid end states only (no never claim, no cycles).
    "$cc" -O2 -DSAFETY -o pan pan.c >cc.out 2>&1 || { cat cc.out; exit 1; }
    # -w20: a 2^20-slot hash table is plenty for these few hundred thousand states.
    # pan exits 0 whether or not it found an error; the verdict is read from its output.
    ./pan -w20 >pan.out 2>&1 || { cat pan.out; exit 1; }
    if [ -f bank.pml.trail ]; then
      spin "$@" -t -p -g bank.pml >replay.out 2>&1 || true
    fi
  ) || { echo "FAIL $name: spin, the compiler or pan did not run (above)"; failures=$((failures + 1)); return; }
  end=$(date +%s.%N)

  local out=$dir/pan.out
  local states errors elapsed wall verdict ok=1
  states=$(awk '/states, stored/ {print $1; exit}' "$out")
  errors=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' "$out" | head -n 1)
  elapsed=$(sed -n 's/^pan: elapsed time \([0-9.e+-]*\) seconds.*/\1/p' "$out" | head -n 1)
  wall=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}')
  grep -q 'Full statespace search' "$out" || { ok=0; verdict="not a full state-space search"; }
  if grep -q 'max search depth too small' "$out"; then ok=0; verdict="search depth too small"; fi

  if [ "$ok" = 1 ] && [ "$expect" = pass ]; then
    if [ "$errors" != 0 ]; then
      ok=0; verdict="expected 0 errors, got ${errors:-none}"
    elif grep -q 'Search not completed' "$out"; then
      ok=0; verdict="search not completed"
    elif [ -e "$dir/bank.pml.trail" ]; then
      ok=0; verdict="0 errors but a trail was written"
    elif ! awk '/^unreached in proctype Quiescence/ {getline; found = 1; none = /\(0 of/}
                END {exit !(found && none)}' "$out"; then
      ok=0; verdict="the quiescence assertions were never reached (a vacuous pass)"
    else
      verdict="holds: 0 errors, full search completed"
    fi
  elif [ "$ok" = 1 ]; then
    if [ "$errors" != 1 ]; then
      ok=0; verdict="expected errors: 1, got ${errors:-none}"
    elif [ ! -s "$dir/bank.pml.trail" ]; then
      ok=0; verdict="errors: 1 but no trail"
    elif ! grep -qF "text of failed assertion: $expect" "$dir/replay.out"; then
      ok=0; verdict="the trail does not violate $expect; replay says: $(grep -m1 'failed assertion' "$dir/replay.out" || echo nothing)"
    else
      local final
      final=$(grep -E '^\s+bal\[[0-9]\] = ' "$dir/replay.out" | tail -n 3 | awk '{printf "%s%s %s", sep, $1, $3; sep=", "}' || true)
      verdict="violated as expected: errors: 1, trail replays to $expect; final $final"
    fi
  fi

  printf '%-4s %-14s %10s states stored, search %ss, whole check %ss: %s\n' \
    "$([ "$ok" = 1 ] && echo ok || echo FAIL)" "$name" "${states:-?}" "${elapsed:-?}" "$wall" "$verdict"
  if [ "$ok" != 1 ]; then
    failures=$((failures + 1))
    sed 's/^/       /' "$out"
  fi
}

echo "spin: $(spin -V 2>&1 | head -n 1); model: $model"
# rule: P1, P8; convergence (no -D)
check convergence pass
# rule: P3, P9; overdraft (-DNONNEG)
check overdraft 'assert((bal[0]>=0))' -DNONNEG
# rule: P1, P8; lower_only (-DLOWER_ONLY)
check lower_only 'assert(((bal[0]==bal[1])&&(bal[1]==bal[2])))' -DLOWER_ONLY

check_model=$session_model
# rule: C4, C5, C7; session (no -D)
check session pass
# rule: C4; no_wait (-DNO_WAIT)
check no_wait 'assert((got==0))' -DNO_WAIT
# rule: C4; no_wait_writes (-DNO_WAIT_WRITES)
check no_wait_writes 'assert(ok)' -DNO_WAIT_WRITES
# rule: C5; no_order (-DNO_ORDER)
check no_order 'assert((got!=-(10)))' -DNO_ORDER

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) did not come out as expected"
  exit 1
fi
echo "all 7 checks as expected"
