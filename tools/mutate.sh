#!/usr/bin/env bash
# Mutation testing: does the test suite notice a deliberate fault?
#
# Copies the source tree as it is now (committed or not) into a temporary directory under build/,
# builds it once (Release, no sanitizers), checks that the whole ctest passes there, then for
# each tools/mutants/NN-name.patch in turn: applies it, rebuilds, runs the whole ctest, restores
# the mutated files. A mutant is KILLED when some test fails (or times out), SURVIVED when every
# test passes: a survivor is a fault the suite cannot see, so a test is missing.
#
# Each patch is a unified diff against the tree (paths a/src/... b/src/...), applied with
# `patch -p1 --fuzz=0`, under a first line "Mutant: what the fault is". When the source has
# changed so that a patch no longer applies exactly, the script stops before running anything.
#
# Usage: tools/mutate.sh [PATTERN...]   only the mutants whose file name contains a PATTERN
# Environment: BANK_MUTATE_TIMEOUT  seconds one ctest test may take under a mutant (default 180;
#                                   a mutant that hangs a test is killed by the timeout)
#              BANK_MUTATE_KEEP=1   keep the temporary tree (its path is printed)
# Prints a table (mutant, file, KILLED/SURVIVED, seconds to build and test, the tests that failed,
# then a line saying what the fault is); the full ctest output of each mutant lands in
# build/mutants/NAME.log.
# Exit status: 0 every mutant killed; 1 a mutant survived; 2 a mutant no longer applies or does not
# build, or the unmutated tree fails its tests.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mutants_dir=$root/tools/mutants
jobs=$(nproc)
timeout=${BANK_MUTATE_TIMEOUT:-180}

die() {
  echo "mutate: $*" >&2
  exit 2
}

patches=()
for p in "$mutants_dir"/*.patch; do
  [ -e "$p" ] || continue
  name=$(basename "$p" .patch)
  if [ $# -gt 0 ]; then
    hit=0
    for pat in "$@"; do case $name in *"$pat"*) hit=1 ;; esac; done
    [ $hit -eq 1 ] || continue
  fi
  patches+=("$p")
done
[ ${#patches[@]} -gt 0 ] || die "no mutant in $mutants_dir${1:+ matches $*}"

"$root/tools/deps.sh" test

mkdir -p "$root/build/mutants"
work=$(mktemp -d "$root/build/mutate.XXXXXX")
cleanup() {
  if [ "${BANK_MUTATE_KEEP:-0}" = 1 ]; then echo "mutate: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
src=$work/src
build=$work/build
mkdir -p "$src" "$work/orig"
tar -C "$root" --exclude='./build*' --exclude=./.git -cf - . | tar -C "$src" -xf -
# The io test reads ../shared/corpus beside the project when it is there.
if [ -d "$root/../shared" ]; then ln -s "$(cd "$root/../shared" && pwd)" "$work/shared"; fi

# Every mutant must apply exactly before any time is spent on the others.
for p in "${patches[@]}"; do
  head -1 "$p" | grep -q '^Mutant: ' || die "$(basename "$p"): the first line must be \"Mutant: what the fault is\""
  patch -p1 --fuzz=0 --dry-run -s -d "$src" <"$p" >/dev/null 2>&1 ||
    die "$(basename "$p") no longer applies to the source (it changed): update or remove this mutant"
done

echo "mutate: building the unmutated tree in $build" >&2
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBANK_SANITIZE=OFF -DBANK_WERROR=OFF >/dev/null
cmake --build "$build" -j "$jobs" >"$work/build.log" 2>&1 || { tail -30 "$work/build.log" >&2; die "the unmutated tree does not build"; }
echo "mutate: running ctest on the unmutated tree" >&2
(cd "$build" && ctest -j "$jobs" --timeout "$timeout" --output-on-failure) >"$root/build/mutants/unmutated.log" 2>&1 ||
  { tail -40 "$root/build/mutants/unmutated.log" >&2; die "the unmutated tree fails its tests: no mutant can be judged"; }
n_tests=$(grep -c '^ *[0-9]*/[0-9]* Test *#' "$root/build/mutants/unmutated.log" || true)

# Which tests failed, from ctest's --output-on-failure log: "TEST: CASE (+N more cases); also
# TEST, TEST" with the ctest tests in the order they are registered (unit tests first), CASE the
# first failing case of the first of them (Criterion's [FAIL] suite::test, a script's FAIL line).
killers() {
  awk '
    /^ *[0-9]+\/[0-9]+ Test +#[0-9]+: / {
      cur = ""
      if ($0 !~ / Passed /) {
        num = $3; gsub(/[^0-9]/, "", num); num += 0
        cur = $4; name[num] = cur; why[cur] = ($0 ~ /Timeout/) ? "timed out" : ""
      }
      next
    }
    /^ *Start +[0-9]+: / || /tests passed, / { cur = ""; next }
    cur != "" && match($0, /^\[FAIL\] [^ ]+::[^ :]+/) {
      t = substr($0, 8, RLENGTH - 7); cnt[cur]++; if (cnt[cur] == 1) first[cur] = t; next
    }
    cur != "" && /^FAIL:? / {
      t = $0; sub(/^FAIL:? /, "", t); sub(/: .*/, "", t); if (length(t) > 50) t = substr(t, 1, 47) "...";
      cnt[cur]++; if (cnt[cur] == 1) first[cur] = t; next
    }
    END {
      out = ""; others = ""
      for (i = 1; i <= 1000; i++) {
        if (!(i in name)) continue
        c = name[i]
        if (out == "") {
          out = c
          if (why[c] != "") out = out " (" why[c] ")"
          else if (cnt[c] > 0) out = out ": " first[c] (cnt[c] > 1 ? " (+" (cnt[c] - 1) " more)" : "")
        } else others = others (others == "" ? "" : ", ") c
      }
      print out (others == "" ? "" : "; also " others)
    }' "$1"
}

printf '\n%-34s %-24s %-9s %5s  %s\n' "mutant" "file" "result" "time" "tests that failed (ctest test: first failing case)"
survived=0
broken=0
results=()
for p in "${patches[@]}"; do
  name=$(basename "$p" .patch)
  what=$(sed -n '1s/^Mutant: //p' "$p")
  files=$(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$p")
  log=$root/build/mutants/$name.log
  for f in $files; do mkdir -p "$work/orig/$(dirname "$f")" && cp "$src/$f" "$work/orig/$f"; done
  patch -p1 --fuzz=0 -s -d "$src" <"$p" >/dev/null || die "$name: patch failed after its dry run"
  start=$(date +%s)
  if ! cmake --build "$build" -j "$jobs" >"$log" 2>&1; then
    result=NO-BUILD
    killed_by="(does not compile: see $log)"
    broken=1
  elif (cd "$build" && ctest -j "$jobs" --timeout "$timeout" --output-on-failure) >"$log" 2>&1; then
    result=SURVIVED
    killed_by="-- all $n_tests tests passed"
    survived=$((survived + 1))
  else
    result=KILLED
    killed_by=$(killers "$log")
  fi
  secs=$(($(date +%s) - start))
  # Back to the unmutated files; copying gives them a new time, so the next build recompiles them.
  for f in $files; do cp "$work/orig/$f" "$src/$f"; done
  printf '%-34s %-24s %-9s %4ss  %s\n' "$name" "$(echo $files | tr ' ' ',')" "$result" "$secs" "$killed_by"
  printf '%-34s %s\n' "" "  ($what)"
  results+=("$result")
done

total=${#results[@]}
killed=$(printf '%s\n' "${results[@]}" | grep -c '^KILLED$' || true)
echo
echo "mutate: $killed of $total mutants killed, $survived survived (each judged by all $n_tests ctest tests; logs in build/mutants/)"
[ $broken -eq 0 ] || die "a mutant does not build: fix its patch"
[ $survived -eq 0 ] || { echo "mutate: FAILED: a surviving mutant is a fault no test sees: add the test that kills it" >&2; exit 1; }
echo "mutate: every mutant killed"
