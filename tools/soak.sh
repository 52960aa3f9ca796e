#!/usr/bin/env bash
# Repeats live runs on fresh in-process branches for SECONDS and watches memory: bank soak with
# 100 branches, 1,000 customers, 10 events each unless told otherwise.
# Usage: tools/soak.sh SECONDS [--asan] [bank soak options]   (see bank soak --help)
#   --asan   use the AddressSanitizer+UBSan test build (build/test) instead of the optimised
#            one, so a leak is reported by LeakSanitizer when the soak exits. Its RSS figures are
#            ASan's, not the bank's: freed blocks wait in a quarantine (cut to 16 MB here) and
#            ASan keeps per-thread caches, so RSS climbs without a leak.
# BANK_BIN=path/to/bank uses that binary instead of building one (the ctest smoke run does).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [[ $# -lt 1 || ! $1 =~ ^[0-9]+$ ]]; then
  echo "usage: tools/soak.sh SECONDS [--asan] [bank soak options]" >&2
  exit 2
fi
seconds=$1
shift
asan=0
args=()
for a in "$@"; do
  if [[ $a == --asan ]]; then asan=1; else args+=("$a"); fi
done
if [[ -n ${BANK_BIN:-} ]]; then
  bank=$BANK_BIN
elif [[ $asan == 1 ]]; then
  "$root/tools/deps.sh" build
  cmake -S "$root" -B "$root/build/test" -DCMAKE_BUILD_TYPE=Debug -DBANK_SANITIZE=ON -DBANK_WERROR=ON >/dev/null
  cmake --build "$root/build/test" -j "$(nproc)" --target bank >/dev/null
  bank=$root/build/test/bank
else
  bank=$("$root/tools/build.sh")
fi
if [[ $asan == 1 ]]; then
  export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16:detect_leaks=1}
fi
exec "$bank" soak --seconds "$seconds" "${args[@]+"${args[@]}"}"
