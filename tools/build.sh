#!/usr/bin/env bash
# Installs what the build needs, builds the bank optimised (no sanitizers, no tests) and prints
# the binary's path. Used by tools/run.sh and tools/bench.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BANK_BUILD_DIR:-$root/build/release}

"$root/tools/deps.sh" build
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target bank >/dev/null
echo "$build/bank"
