#!/usr/bin/env bash
# Installs what is missing, builds the bank (optimised, no sanitizers) and runs it.
# Usage: tools/run.sh [bank run options] INPUT.json
#        (default: the course's sample, golden/sample/input.json)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BANK_BUILD_DIR:-$root/build/release}

"$root/tools/deps.sh" build
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target bank >/dev/null
[ $# -gt 0 ] || set -- "$root/golden/sample/input.json"
exec "$build/bank" run "$@"
