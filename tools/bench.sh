#!/usr/bin/env bash
# Builds the bank optimised and prints the benchmark's figures. Not a test: nothing here fails
# on a slow machine (but a run or table row that fails is reported, and the exit status says so).
# Usage: tools/bench.sh [bank bench options]    e.g. tools/bench.sh --table   (see bank bench --help)
# BANK_BIN=path/to/bank uses that binary instead of building one (the ctest smoke run does).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bank=${BANK_BIN:-$("$root/tools/build.sh")}
exec "$bank" bench "$@"
