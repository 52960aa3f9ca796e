#!/usr/bin/env bash
# Line and branch coverage of src/ by the whole ctest suite. Builds separately in build/coverage
# (gcc --coverage, -O0, no sanitizers), runs every ctest test there, then reports lcov's counts
# for each directory of src/ and for src/ as a whole against the project's targets:
#   src/core  >= 95% of lines and >= 90% of branches
#   src       >= 85% of lines
# Installs what is missing (lcov included) with apt-get, as tools/deps.sh does.
# Exit status: 0 every target met and every test passed; 1 a target missed or a test failed.
# Extra arguments go to ctest (a partial run measures less, so it will likely miss targets).
# The HTML report (lines and branches, file by file) lands in build/coverage/html.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BANK_COVERAGE_DIR:-$root/build/coverage}
jobs=$(nproc)

"$root/tools/deps.sh" coverage
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DBANK_SANITIZE=OFF -DBANK_WERROR=ON \
  -DCMAKE_C_FLAGS="--coverage -O0" -DCMAKE_EXE_LINKER_FLAGS="--coverage" >/dev/null
cmake --build "$build" -j "$jobs" >/dev/null

# Counts from an earlier run would add up with this one's.
find "$build" -name '*.gcda' -delete
rm -rf "$build/html" "$build"/coverage.*.info

tests_ok=1
(cd "$build" && ctest --output-on-failure -j "$jobs" "$@") || tests_ok=0

rc=(--rc lcov_branch_coverage=1)
lcov --quiet "${rc[@]}" --capture --directory "$build" --base-directory "$root" \
  --output-file "$build/coverage.all.info" 2>"$build/lcov.log" || { cat "$build/lcov.log" >&2; exit 1; }
lcov --quiet "${rc[@]}" --extract "$build/coverage.all.info" "$root/src/*" \
  --output-file "$build/coverage.src.info" 2>>"$build/lcov.log" || { cat "$build/lcov.log" >&2; exit 1; }
genhtml --quiet "${rc[@]}" --branch-coverage --prefix "$root" --output-directory "$build/html" \
  "$build/coverage.src.info" >>"$build/lcov.log" 2>&1 || echo "coverage: genhtml failed (see $build/lcov.log); the table is still right" >&2

# One row per directory of src/ (from the per-file LF/LH/BRF/BRH totals of the .info file), then
# src as a whole, then each target. awk exits 1 when a target is missed.
echo
awk -v root="$root/" '
  function pct(hit, found) { return found ? 100 * hit / found : 100 }
  function row(name, lh, lf, bh, bf) {
    printf "%-10s %6d/%-6d %6.1f%%   %6d/%-6d %6.1f%%\n", name, lh, lf, pct(lh, lf), bh, bf, pct(bh, bf)
  }
  /^SF:/ { path = substr($0, 4); sub("^" root, "", path); dir = path; sub("/[^/]*$", "", dir); seen[dir] = 1 }
  /^LF:/ { lf[dir] += substr($0, 4); LF += substr($0, 4) }
  /^LH:/ { lh[dir] += substr($0, 4); LH += substr($0, 4) }
  /^BRF:/ { bf[dir] += substr($0, 5); BF += substr($0, 5) }
  /^BRH:/ { bh[dir] += substr($0, 5); BH += substr($0, 5) }
  END {
    printf "%-10s %13s %7s   %13s %7s\n", "", "lines hit", "", "branches hit", ""
    n = split("src/core src/io src/rpc src/run src/cli", order, " ")
    for (i = 1; i <= n; i++) { d = order[i]; row(d, lh[d], lf[d], bh[d], bf[d]); delete seen[d] }
    for (d in seen) row(d, lh[d], lf[d], bh[d], bf[d])
    row("src", LH, LF, BH, BF)
    print ""
    missed = 0
    missed += target("src/core lines", pct(lh["src/core"], lf["src/core"]), 95)
    missed += target("src/core branches", pct(bh["src/core"], bf["src/core"]), 90)
    missed += target("src lines", pct(LH, LF), 85)
    exit missed ? 1 : 0
  }
  function target(name, got, want) {
    printf "target %-18s >= %3d%%   measured %5.1f%%   %s\n", name, want, got, (got >= want ? "met" : "MISSED")
    return got >= want ? 0 : 1
  }
' "$build/coverage.src.info" || targets_ok=0
echo "per-file report: $build/html/index.html"

if [ "$tests_ok" -eq 0 ]; then
  echo "coverage: FAILED: some tests failed (see above); the figures are not a measurement of the suite" >&2
  exit 1
fi
if [ "${targets_ok:-1}" -eq 0 ]; then
  echo "coverage: FAILED: a target was missed" >&2
  exit 1
fi
echo "coverage: every target met"
