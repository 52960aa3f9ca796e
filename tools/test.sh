#!/usr/bin/env bash
# Installs what is missing, builds with AddressSanitizer and UndefinedBehaviorSanitizer, and
# runs ctest. Extra arguments go to ctest (for example: tools/test.sh -L unit).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BANK_BUILD_DIR:-$root/build/test}

"$root/tools/deps.sh" test
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DBANK_SANITIZE=ON -DBANK_WERROR=ON >/dev/null
cmake --build "$build" -j "$(nproc)"
cd "$build"
# detect_leaks stays on: every test must free what it allocates.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --output-on-failure -j "$(nproc)" "$@"
