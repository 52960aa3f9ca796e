#!/usr/bin/env bash
# One harness built as OSS-Fuzz and ClusterFuzzLite build it: clang, -fsanitize=fuzzer,address,
# undefined (-DBANK_LIBFUZZER=ON), then run by libFuzzer over its corpus and regressions (each
# file once), then fuzzed for a fixed number of runs from a seed. Skipped when clang or its
# libFuzzer runtime is absent.
# Usage: libfuzzer.sh SOURCE_DIR BUILD_DIR [HARNESS]   (BANK_SEED=N: the fuzzing seed, default 1)
set -uo pipefail
src=$1 build=$2 h=${3:-student_output}
seed=${BANK_SEED:-1} runs=20000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cc=$(command -v clang) || { echo "SKIP: clang is not installed (apt-get install clang libclang-rt-dev)"; exit 77; }
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$tmp/probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$tmp/probe.c" -o "$tmp/probe" 2>"$tmp/probe.err"; then
  echo "SKIP: clang's libFuzzer runtime is absent (apt-get install libclang-rt-dev): $(head -n 1 "$tmp/probe.err")"
  exit 77
fi

# A build tree of its own, kept between runs so that a rerun rebuilds only what changed.
if ! { cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER="$cc" -DBANK_LIBFUZZER=ON -DBUILD_TESTING=OFF \
         -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$tmp/build.log" 2>&1 &&
       cmake --build "$build" -j 2 --target "fuzz_$h" >>"$tmp/build.log" 2>&1; }; then
  echo "FAIL: the libFuzzer build of fuzz_$h"; tail -n 30 "$tmp/build.log"; exit 1
fi
fuzzer=$build/fuzz/fuzz_$h
echo "ok   fuzz_$h built with clang -fsanitize=fuzzer,address,undefined"

# Every corpus and regression file once (-runs=0: only the files given).
if "$fuzzer" -runs=0 "$src/fuzz/corpus/$h" "$src/fuzz/regressions/$h" >"$tmp/replay.log" 2>&1; then
  echo "ok   libFuzzer ran fuzz_$h over fuzz/corpus/$h and fuzz/regressions/$h: $(grep -a 'INITED' "$tmp/replay.log" | head -n 1)"
else
  echo "FAIL: fuzz_$h on its own corpus:"; tail -n 40 "$tmp/replay.log"; exit 1
fi
# Then a short campaign from the seed; new inputs go to a scratch folder, not the corpus.
mkdir "$tmp/new"
dict=()
[ -f "$src/fuzz/dict/$h.dict" ] && dict=(-dict="$src/fuzz/dict/$h.dict")
if "$fuzzer" -seed="$seed" -runs="$runs" "${dict[@]}" -artifact_prefix="$tmp/" "$tmp/new" "$src/fuzz/corpus/$h" \
     >"$tmp/fuzz.log" 2>&1; then
  echo "ok   $runs libFuzzer runs of fuzz_$h from seed $seed: $(grep -a '^Done' "$tmp/fuzz.log")"
else
  echo "FAIL: fuzz_$h, seed $seed (rerun: BANK_SEED=$seed ctest -R fuzz_libfuzzer):"; tail -n 40 "$tmp/fuzz.log"
  for f in "$tmp"/crash-* "$tmp"/leak-* "$tmp"/timeout-*; do [ -e "$f" ] && { echo "input $(basename "$f"):"; xxd "$f" | head -n 20; }; done
  exit 1
fi
