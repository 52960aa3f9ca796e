#!/usr/bin/env bash
# The property tests, long: tools/property.sh --seeds N [--live-seeds M] [--from SEED]
# runs the simulated-network property over N seeds (default 100000), the overdraft search, and M
# live runs over real gRPC servers (default N / 1000, at least 4), in the ASan+UBSan test build.
# A failure prints its seed and a shrunk workload; rerun one with --from SEED --seeds 1.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seeds=100000 live="" from=531
while [ $# -gt 0 ]; do
  case "$1" in
    --seeds) seeds=$2; shift 2 ;;
    --live-seeds) live=$2; shift 2 ;;
    --from) from=$2; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "property.sh: unknown argument \"$1\" (see --help)" >&2; exit 2 ;;
  esac
done
for v in "$seeds" "${live:-0}" "$from"; do
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "property.sh: \"$v\" is not a whole number" >&2; exit 2; }
done
[ -n "$live" ] || live=$((seeds / 1000 > 4 ? seeds / 1000 : 4))

build=${BANK_BUILD_DIR:-$root/build/test}
"$root/tools/deps.sh" test
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DBANK_SANITIZE=ON -DBANK_WERROR=ON >/dev/null
cmake --build "$build" -j "$(nproc)" --target test_property >/dev/null
echo "property.sh: $seeds simulated seeds and $live live runs from seed $from"
BANK_SEED=$from BANK_PROPERTY_SEEDS=$seeds BANK_PROPERTY_LIVE_SEEDS=$live \
  "$build/tests/test_property" --verbose --timeout 0 2>&1 |
  grep -Ev '^\[(RUN |====\] Running)' 
