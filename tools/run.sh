#!/usr/bin/env bash
# Installs what is missing, builds the bank (optimised, no sanitizers) and runs it.
# Usage: tools/run.sh [bank run options] INPUT.json
#        (default: the course's sample, golden/sample/input.json)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bank=$("$root/tools/build.sh")
[ $# -gt 0 ] || set -- "$root/golden/sample/input.json"
exec "$bank" run "$@"
