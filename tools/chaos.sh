#!/usr/bin/env bash
# The chaos test, long: tools/chaos.sh --seeds N [--from SEED] [--faults SPEC]
# Real branches (in-process and as processes) with propagations dropped, duplicated and delayed
# and replies delayed: reference schedules must still print the model's output, live runs must
# converge, and the trace must show every write applied exactly once everywhere; and per seed,
# one branch process killed (SIGKILL) mid-run and restarted with --recover (bank run --kill):
# still the model's output and final balances, nothing applied twice. Runs in the
# ASan+UBSan test build; a failure names its seed (rerun with --from SEED --seeds 1).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seeds=20 from=1 faults=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seeds) seeds=$2; shift 2 ;;
    --from) from=$2; shift 2 ;;
    --faults) faults=$2; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "chaos.sh: unknown argument \"$1\" (see --help)" >&2; exit 2 ;;
  esac
done
for v in "$seeds" "$from"; do
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "chaos.sh: \"$v\" is not a whole number" >&2; exit 2; }
done
build=${BANK_BUILD_DIR:-$root/build/test}
"$root/tools/deps.sh" test
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DBANK_SANITIZE=ON -DBANK_WERROR=ON >/dev/null
cmake --build "$build" -j "$(nproc)" --target bank >/dev/null
export BANK_SEED=$from CHAOS_SEEDS=$seeds
[ -n "$faults" ] && export CHAOS_FAULTS=$faults
exec /usr/bin/python3 "$root/tests/integration/chaos.py" "$build/bank" "$root/golden"
