#!/usr/bin/env bash
# Builds the bank optimised and prints the benchmark's figures. Not a test: nothing here fails
# on a slow machine (but a run or table row that fails is reported, and the exit status says so).
# Usage: tools/bench.sh [bank bench options]    e.g. tools/bench.sh --table   (see bank bench --help)
# With --tls and no --tls-dir, it makes throwaway certificates (tools/certs.sh) for as many
# branches as the run needs.
# BANK_BIN=path/to/bank uses that binary instead of building one (the ctest smoke run does).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bank=${BANK_BIN:-$("$root/tools/build.sh")}

tls=0 tls_dir=0 branches=50 prev=""
for a in "$@"; do
  case $a in
    --tls) tls=1 ;;
    --tls-dir|--tls-dir=*) tls_dir=1 ;;
    --branches=*) branches=${a#--branches=} ;;
  esac
  case $prev in -b|--branches) branches=$a ;; esac
  prev=$a
done
if [ "$tls" = 1 ] && [ "$tls_dir" = 0 ]; then
  certs=$(mktemp -d)
  trap 'rm -rf "$certs"' EXIT
  "$root/tools/certs.sh" "$certs" "$branches" >/dev/null
  "$bank" bench "$@" --tls-dir "$certs"
else
  exec "$bank" bench "$@"
fi
