#!/usr/bin/env bash
# Fuzzing campaigns with AFL++ against the parsers and the replicated core.
#
#   tools/fuzz.sh HARNESS SECONDS     one campaign: input | student_output | proto | core |
#                                     p2_student
#   tools/fuzz.sh all SECONDS         every harness, one after another, SECONDS each
#   tools/fuzz.sh cmin HARNESS|all    minimize fuzz/corpus/HARNESS with afl-cmin
#
# Builds the targets with afl-clang-fast (persistent mode, shared-memory test cases through
# AFL++'s LLVMFuzzerTestOneInput driver) into build/fuzz, seeds each campaign with
# fuzz/corpus/HARNESS and fuzz/dict/HARNESS.dict, prints progress every 10 s and a summary
# (execs per second, corpus size, edges found, crashes, hangs). Every crash or hang is
# minimized with afl-tmin into fuzz/regressions/HARNESS/, which ctest replays from then on;
# commit those files with the fix. Installs AFL++ with apt-get when it is missing.
# Exit status: 0 no crash and no hang; 1 some found (or a step failed); 2 bad usage.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
harnesses=(input student_output proto core p2_student)

usage() {
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
[ $# -eq 2 ] || usage
mode=run what=$1 seconds=$2
if [ "$1" = cmin ]; then
  mode=cmin what=$2 seconds=0
elif ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "fuzz.sh: SECONDS must be a whole number of seconds, got \"$seconds\"" >&2
  exit 2
fi
if [ "$what" = all ]; then
  targets=("${harnesses[@]}")
else
  case " ${harnesses[*]} " in *" $what "*) targets=("$what") ;; *)
    echo "fuzz.sh: unknown harness \"$what\" (one of: ${harnesses[*]}, all)" >&2
    exit 2 ;;
  esac
fi

"$root/tools/deps.sh" build
if ! command -v afl-fuzz >/dev/null || ! command -v afl-clang-fast >/dev/null; then
  echo "fuzz.sh: installing AFL++ (apt-get install afl++)" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends afl++ >/dev/null
fi

build=$root/build/fuzz
export AFL_QUIET=1
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=afl-clang-fast -DBANK_FUZZ=ON -DBUILD_TESTING=OFF \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/#/fuzz_}" >/dev/null
unset AFL_QUIET

# Campaigns run unattended: no curses screen, no CPU-governor or core-pattern checks.
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1

stat_of() { sed -n "s/^$2 *: *//p" "$1" 2>/dev/null | head -n 1; }

if [ "$mode" = cmin ]; then
  for h in "${targets[@]}"; do
    corpus=$root/fuzz/corpus/$h
    tmp=$(mktemp -d "$root/build/cmin.XXXXXX") # afl-cmin refuses to work under /tmp
    before=$(find "$corpus" -type f | wc -l)
    afl-cmin -i "$corpus" -o "$tmp/min" -- "$build/fuzz/fuzz_$h" >/dev/null
    after=$(find "$tmp/min" -type f | wc -l)
    if [ "$after" -eq 0 ]; then
      echo "fuzz.sh: afl-cmin kept nothing of $corpus; left as it was" >&2
      rm -rf "$tmp"
      exit 1
    fi
    find "$corpus" -type f -delete
    cp "$tmp/min"/* "$corpus"/
    rm -rf "$tmp"
    echo "$h: corpus minimized from $before to $after files (fuzz/corpus/$h)"
  done
  exit 0
fi

found=0
summary=()
for h in "${targets[@]}"; do
  out=$root/build/fuzz-out/$h-$(date +%Y%m%d-%H%M%S)
  mkdir -p "$out"
  dict=()
  [ -f "$root/fuzz/dict/$h.dict" ] && dict=(-x "$root/fuzz/dict/$h.dict")
  echo "fuzz.sh: $h for $seconds s (findings in $out)"
  afl-fuzz -i "$root/fuzz/corpus/$h" -o "$out" "${dict[@]}" -V "$seconds" -- "$build/fuzz/fuzz_$h" \
    >"$out/afl.log" 2>&1 &
  pid=$!
  stats=$out/default/fuzzer_stats
  start=$(date +%s)
  while kill -0 "$pid" 2>/dev/null; do
    sleep 10
    [ -f "$stats" ] || continue
    printf '  %s: %4ds  %s execs/s  corpus %s  edges %s  crashes %s  hangs %s\n' "$h" \
      $(($(date +%s) - start)) "$(stat_of "$stats" execs_per_sec)" "$(stat_of "$stats" corpus_count)" \
      "$(stat_of "$stats" edges_found)" "$(stat_of "$stats" saved_crashes)" "$(stat_of "$stats" saved_hangs)"
  done
  if ! wait "$pid" || [ ! -f "$stats" ]; then
    echo "fuzz.sh: afl-fuzz failed on $h; its log:" >&2
    tail -n 20 "$out/afl.log" >&2
    exit 1
  fi
  execs=$(stat_of "$stats" execs_done) elapsed=$(($(stat_of "$stats" last_update) - $(stat_of "$stats" start_time)))
  rate=$(awk -v e="$execs" -v t="$elapsed" 'BEGIN { printf "%.0f", (t > 0 ? e / t : 0) }')
  crashes=$(stat_of "$stats" saved_crashes) hangs=$(stat_of "$stats" saved_hangs)
  summary+=("$(printf '%-15s %6s s %12s execs %9s execs/s %7s corpus %7s edges %4s crashes %4s hangs' \
    "$h" "$elapsed" "$execs" "$rate" "$(stat_of "$stats" corpus_count)" "$(stat_of "$stats" edges_found)" \
    "$crashes" "$hangs")")
  # Minimize every finding into the regression folder that ctest replays.
  for kind in crash hang; do
    for f in "$out"/default/${kind}s/id:* "$out"/default/${kind}es/id:*; do
      [ -e "$f" ] || continue
      found=1
      name=$kind-$(sha1sum "$f" | cut -c1-12)
      dest=$root/fuzz/regressions/$h/$name
      if ! afl-tmin -i "$f" -o "$dest" -- "$build/fuzz/fuzz_$h" >/dev/null 2>&1; then
        cp "$f" "$dest"
      fi
      echo "fuzz.sh: $h: new $kind kept as fuzz/regressions/$h/$name"
      echo "          reproduce: build/test/fuzz/replay_$h fuzz/regressions/$h/$name (after tools/test.sh)"
    done
  done
done

echo
echo "campaign summary (figures from AFL++'s fuzzer_stats):"
printf '%s\n' "${summary[@]}"
if [ "$found" -ne 0 ]; then
  echo "fuzz.sh: crashes or hangs found; they are in fuzz/regressions/ (fix, then commit them)"
  exit 1
fi
