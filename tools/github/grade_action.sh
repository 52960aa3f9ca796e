#!/usr/bin/env bash
# The entry of action.yml (spec G38): builds the grade-only bank (unless BANK names one), runs
# bank grade --github on the student's output, passes its "Points S/M" on as the step's output
# "points", and fails the step when something is wrong (unless BANK_FAIL_ON_WRONG=false).
# Environment: BANK_INPUT (required), BANK_OUTPUT (default .), BANK_PATTERN, BANK_ARGS (split on
# spaces), BANK_FAIL_ON_WRONG; GitHub's GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
: "${BANK_INPUT:?the action needs its input: the course input.json}"
output=${BANK_OUTPUT:-.}
bank=${BANK:-}
if [ -z "$bank" ]; then
  build=${RUNNER_TEMP:-/tmp}/cse531-bank-grade
  echo "::group::Build bank (grade only)"
  "$root/tools/deps.sh" grade &&
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBANK_GRADE_ONLY=ON >/dev/null &&
    cmake --build "$build" -j "$(nproc)" --target bank >/dev/null
  rc=$?
  echo "::endgroup::"
  if [ "$rc" -ne 0 ]; then
    echo "::error::could not build bank (exit $rc); see the Build bank group above"
    exit 1
  fi
  bank=$build/bank
fi

args=(--github --input "$BANK_INPUT")
[ -n "${BANK_PATTERN:-}" ] && args+=(--pattern "$BANK_PATTERN")
read -r -a extra <<<"${BANK_ARGS:-}"
args+=("${extra[@]}")
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$bank" grade "${args[@]}" "$output" | tee "$log"
rc=${PIPESTATUS[0]}
points=$(sed -n 's/^Points //p' "$log" | tail -n 1)
if [ -n "${GITHUB_OUTPUT:-}" ] && [ -n "$points" ]; then echo "points=$points" >>"$GITHUB_OUTPUT"; fi
if [ "${BANK_FAIL_ON_WRONG:-true}" = false ]; then exit 0; fi
exit "$rc"
