#!/usr/bin/env bash
# Builds the bank optimised and prints the benchmark's figures. Not a test: nothing here fails
# on a slow machine. Usage: tools/bench.sh [bank bench options]   (see bank bench --help)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bank=$("$root/tools/build.sh")
exec "$bank" bench "$@"
