#!/bin/bash -eu
# ClusterFuzzLite (and OSS-Fuzz) build: every harness of fuzz/ linked with the fuzzing engine
# ($LIB_FUZZING_ENGINE) and built with the sanitizer flags the builder passes in $CC and $CFLAGS,
# each with its seed corpus (fuzz/corpus/HARNESS) and dictionary. The runner image lacks the
# project's shared libraries (libcjson, libprotobuf-c), so they go in $OUT/lib, which the
# harnesses find through their rpath.
src=$SRC/cse531-bank
build=$WORK/build
harnesses=(input student_output proto core)

# CMake takes $CC and $CFLAGS from the environment. The builder's clang may warn where Debian's
# does not: warnings stay warnings here.
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DBANK_WERROR=OFF \
  -DBANK_LIBFUZZER=ON -DBANK_LIBFUZZER_SANITIZERS= -DBANK_LIBFUZZER_ENGINE="$LIB_FUZZING_ENGINE" \
  -DCMAKE_BUILD_RPATH='$ORIGIN/lib'
cmake --build "$build" -j "$(nproc)" --target "${harnesses[@]/#/fuzz_}"

mkdir -p "$OUT/lib"
for h in "${harnesses[@]}"; do
  cp "$build/fuzz/fuzz_$h" "$OUT/"
  (cd "$src/fuzz/corpus/$h" && zip -q -j "$OUT/fuzz_${h}_seed_corpus.zip" ./*)
  if [ -f "$src/fuzz/dict/$h.dict" ]; then cp "$src/fuzz/dict/$h.dict" "$OUT/fuzz_$h.dict"; fi
  for lib in $(ldd "$OUT/fuzz_$h" | awk '/libcjson|libprotobuf-c/ { print $3 }'); do
    [ -e "$OUT/lib/$(basename "$lib")" ] || cp -L "$lib" "$OUT/lib/"
  done
done
