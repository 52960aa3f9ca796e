#!/usr/bin/env bash
# The crash test, long: tools/crash.sh --seeds N [--from SEED] [--release] [--keep]
# Branch processes with --data-dir killed (SIGKILL) at random points of a run (one, several or
# all at once, several times) and started again in a random order: every answer must still be
# the model's, every branch must end where the answered writes put it, and every branch's disk
# must hold exactly the writes its customers were answered success or pending for (none lost,
# none twice). Runs in the ASan+UBSan test build (--release: build/release, faster); a failure
# names its seed (rerun with --from SEED --seeds 1; --keep keeps a failed seed's directory).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seeds=20 from=1 release=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seeds) seeds=$2; shift 2 ;;
    --from) from=$2; shift 2 ;;
    --release) release=1; shift ;;
    --keep) export CRASH_KEEP=1; shift ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "crash.sh: unknown argument \"$1\" (see --help)" >&2; exit 2 ;;
  esac
done
for v in "$seeds" "$from"; do
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "crash.sh: \"$v\" is not a whole number" >&2; exit 2; }
done
"$root/tools/deps.sh" test
if [ "$release" = 1 ]; then
  build=${BANK_BUILD_DIR:-$root/build/release}
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBANK_WERROR=ON >/dev/null
else
  build=${BANK_BUILD_DIR:-$root/build/test}
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DBANK_SANITIZE=ON -DBANK_WERROR=ON >/dev/null
fi
cmake --build "$build" -j "$(nproc)" --target bank >/dev/null
export BANK_SEED=$from CRASH_SEEDS=$seeds
exec /usr/bin/python3 "$root/tests/integration/crash.py" "$build/bank"
