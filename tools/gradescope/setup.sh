#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image: it installs what the
# grade-only bank needs (gcc, cmake, pkg-config, libcjson-dev, libarchive-dev; any Debian or
# Ubuntu base image has them) and builds it from the sources make_autograder.sh packed into
# source/bank-src. AUTOGRADER_ROOT (default /autograder) lets a test run it elsewhere.
set -euo pipefail
root=${AUTOGRADER_ROOT:-/autograder}
src=$root/source
chmod +x "$src/run_autograder" "$root/run_autograder" 2>/dev/null || true
bash "$src/bank-src/tools/deps.sh" grade
cmake -S "$src/bank-src" -B "$src/build" -DCMAKE_BUILD_TYPE=Release -DBANK_GRADE_ONLY=ON >/dev/null
cmake --build "$src/build" -j "$(nproc)" --target bank >/dev/null
"$src/build/bank" grade --help >/dev/null
echo "setup.sh: built $src/build/bank"
