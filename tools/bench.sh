#!/usr/bin/env bash
# Builds the bank optimised and prints the benchmark's figures. Not a test: nothing here fails
# on a slow machine. Usage: tools/bench.sh [bank bench options]   (see bank bench --help)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BANK_BUILD_DIR:-$root/build/release}

"$root/tools/deps.sh" build
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target bank >/dev/null
exec "$build/bank" bench "$@"
