#!/usr/bin/env bash
# Fuzzing campaigns against the parsers and the replicated core, with AFL++ or libFuzzer.
#
#   tools/fuzz.sh HARNESS SECONDS [OPTIONS]   one campaign: input | student_output | proto | core |
#                                             class_archive | p2_student | session_output
#   tools/fuzz.sh all SECONDS [OPTIONS]       every harness, one after another, SECONDS each
#   tools/fuzz.sh cmin HARNESS|all            minimize fuzz/corpus/HARNESS with afl-cmin
#
#   --jobs N          AFL++ instances on this machine: one main (-M) and N-1 secondaries (-S)
#                     sharing one sync directory (default 1)
#   --sync-dir DIR    the sync directory (default build/fuzz-out/HARNESS-DATE; with all,
#                     DIR/HARNESS)
#   --join DIR        run only secondaries, named HOST-sK, in the sync directory DIR of a campaign
#                     started elsewhere (another machine's, on a shared filesystem)
#   --engine E        afl (default: afl-clang-fast, persistent mode, no sanitizer) or libfuzzer
#                     (clang -fsanitize=fuzzer,address,undefined; one process)
#
# Seeds each campaign with fuzz/corpus/HARNESS and fuzz/dict/HARNESS.dict, prints progress every
# 10 s and a summary (execs, execs per second, corpus, edges, crashes, hangs; with --jobs, summed
# over the instances, corpus and edges of the largest). Every crash or hang is minimized
# (afl-tmin, or libFuzzer's -minimize_crash) into fuzz/regressions/HARNESS/, which ctest replays
# from then on; commit those files with the fix. Installs AFL++ with apt-get when it is missing.
# Exit status: 0 no crash and no hang; 1 some found (or a step failed); 2 bad usage.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
harnesses=(input student_output proto core class_archive p2_student session_output)

usage() {
  sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
bad() { echo "fuzz.sh: $*" >&2; exit 2; }

[ $# -ge 2 ] || usage
mode=run what=$1 seconds=$2
shift 2
if [ "$what" = cmin ]; then
  mode=cmin what=$seconds seconds=0
elif ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  bad "SECONDS must be a whole number of seconds, got \"$seconds\""
fi
jobs=1 engine=afl sync_dir="" join=0
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || bad "$1 needs a value"
  case "$1" in
    --jobs) jobs=$2; [[ "$jobs" =~ ^[0-9]+$ ]] && [ "$jobs" -ge 1 ] && [ "$jobs" -le 64 ] ||
              bad "--jobs: expected a whole number from 1 to 64, got \"$jobs\"" ;;
    --sync-dir) sync_dir=$2 ;;
    --join) sync_dir=$2 join=1
            [ -d "$sync_dir" ] || bad "--join: \"$sync_dir\" is not a directory (the main's sync directory)" ;;
    --engine) engine=$2; [ "$engine" = afl ] || [ "$engine" = libfuzzer ] ||
                bad "--engine: expected afl or libfuzzer, got \"$engine\"" ;;
    *) bad "unknown option $1" ;;
  esac
  shift 2
done
[ "$engine" = afl ] || [ "$jobs" = 1 ] || bad "--jobs runs AFL++ instances; libFuzzer runs one process"
[ "$engine" = afl ] || [ -z "$sync_dir" ] || bad "--sync-dir and --join are AFL++'s"
[ "$mode" = run ] || [ "$engine" = afl ] || bad "cmin uses AFL++'s afl-cmin"
if [ "$what" = all ]; then
  targets=("${harnesses[@]}")
else
  case " ${harnesses[*]} " in *" $what "*) targets=("$what") ;; *)
    bad "unknown harness \"$what\" (one of: ${harnesses[*]}, all)" ;;
  esac
fi
[ "$what" != all ] || [ "$join" = 0 ] || bad "--join takes one harness: the one the main fuzzes"

"$root/tools/deps.sh" build
if [ "$engine" = afl ]; then
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
else
  build=$root/build/libfuzzer
  cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DBANK_LIBFUZZER=ON -DBUILD_TESTING=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" -j "$(nproc)" --target "${targets[@]/#/fuzz_}" >/dev/null
fi

# Campaigns run unattended: no curses screen, no CPU-governor or core-pattern checks. AFL++
# binds each instance to a core no other afl-fuzz holds and aborts when there is none, so when
# these instances and the ones already running outnumber the cores, none is bound.
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
running=$(pgrep -xc afl-fuzz || true)
if [ "$engine" = afl ] && [ $((running + jobs)) -gt "$(nproc)" ]; then
  export AFL_NO_AFFINITY=1
  echo "fuzz.sh: $running afl-fuzz already running and $jobs more on $(nproc) cores: instances not bound to cores" >&2
fi

stat_of() { sed -n "s/^$2 *: *//p" "$1" 2>/dev/null | head -n 1; }
count() { find "$1" -mindepth 1 -maxdepth 1 -name "$2" 2>/dev/null | wc -l; }

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

# keep FINDING HARNESS KIND MINIMIZE-COMMAND...: the minimized finding goes to
# fuzz/regressions/HARNESS/KIND-SHA (the finding itself when it does not minimize).
found=0
keep() {
  local f=$1 h=$2 kind=$3
  shift 3
  found=1
  local name; name=$kind-$(sha1sum "$f" | cut -c1-12)
  local dest=$root/fuzz/regressions/$h/$name
  "$@" "$f" "$dest" >/dev/null 2>&1 || true
  [ -s "$dest" ] || cp "$f" "$dest"
  echo "fuzz.sh: $h: new $kind kept as fuzz/regressions/$h/$name"
  echo "          reproduce: build/test/fuzz/replay_$h fuzz/regressions/$h/$name (after tools/test.sh)"
}
tmin() { afl-tmin -i "$2" -o "$3" -- "$1"; }  # BINARY FINDING DEST, as keep's command
any_alive() { local p; for p in "$@"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
# Sleeps 10 s, or less when every process named has ended.
pause() { local k; for k in 1 2 3 4 5 6 7 8 9 10; do sleep 1; any_alive "$@" || return 0; done; }
summary=()

# One AFL++ instance's figures now, from its folder: "RATE TOTAL EDGES QUEUE CRASHES HANGS".
# AFL++ writes plot_data every 5 s, but only after its first 60 s (and fuzzer_stats once a
# minute), so RATE and EDGES are "-" until then, and RATE is measured between the last two
# plot_data lines; the queue and the findings are counted from the folders, as they are now.
instance_now() {
  local dir=$1 rate=- total=0 edges=-
  local last; last=$(grep -v '^#' "$dir/plot_data" 2>/dev/null | tail -n 2 | tr -d ' ' | paste -sd ';') || true
  if [ -n "$last" ]; then
    read -r rate total edges < <(awk -F, -v lines="$last" 'BEGIN {
      n = split(lines, l, ";"); split(l[n], b, ",")
      rate = b[11]
      if (n == 2) { split(l[1], a, ","); if (b[1] > a[1]) rate = (b[12] - a[12]) / (b[1] - a[1]) }
      printf "%.0f %s %s\n", rate, b[12], b[13] }')
  fi
  echo "$rate $total $edges $(count "$dir/queue" 'id:*') $(count "$dir/crashes" 'id:*') $(count "$dir/hangs" 'id:*')"
}

run_afl() {
  local h=$1 sync
  if [ -n "$sync_dir" ]; then
    sync=$sync_dir
    [ "$what" != all ] || sync=$sync_dir/$h
  else
    sync=$root/build/fuzz-out/$h-$(date +%Y%m%d-%H%M%S)
  fi
  mkdir -p "$sync"
  local names=() roles=() k=1 host
  if [ "$join" = 1 ]; then
    host=$(hostname -s)
    while [ ${#names[@]} -lt "$jobs" ]; do
      [ -e "$sync/$host-s$k" ] || { names+=("$host-s$k"); roles+=(-S); }
      k=$((k + 1))
    done
  else
    [ ! -e "$sync/main" ] || bad "$sync already holds a main instance; --join it, or choose another --sync-dir"
    names=(main) roles=(-M)
    for ((k = 1; k < jobs; k++)); do names+=("s$k"); roles+=(-S); done
  fi
  local dict=()
  [ -f "$root/fuzz/dict/$h.dict" ] && dict=(-x "$root/fuzz/dict/$h.dict")
  echo "fuzz.sh: $h for $seconds s, $jobs AFL++ instance(s) (${names[*]}), sync directory $sync"
  local pids=() i
  for i in "${!names[@]}"; do
    afl-fuzz -i "$root/fuzz/corpus/$h" -o "$sync" "${roles[$i]}" "${names[$i]}" "${dict[@]}" -V "$seconds" \
      -- "$build/fuzz/fuzz_$h" >"$sync/${names[$i]}.log" 2>&1 &
    pids+=($!)
  done
  local start; start=$(date +%s)
  while any_alive "${pids[@]}"; do
    pause "${pids[@]}"
    local rate=0 reporting=0 corpus=0 edges=- crashes=0 hangs=0 r t e q c hg
    for i in "${!names[@]}"; do
      read -r r t e q c hg < <(instance_now "$sync/${names[$i]}")
      [ "$r" = - ] || { rate=$((rate + r)); reporting=$((reporting + 1)); }
      [ "$q" -le "$corpus" ] || corpus=$q
      [ "$e" = - ] || { [ "$edges" != - ] && [ "$e" -le "$edges" ]; } || edges=$e
      crashes=$((crashes + c)) hangs=$((hangs + hg))
    done
    local speed="execs/s not reported yet (AFL++ writes plot_data after its first minute)"
    [ "$reporting" = 0 ] || speed="$rate execs/s"
    [ "$reporting" = 0 ] || [ "$reporting" = "${#names[@]}" ] || speed="$speed (${reporting} of ${#names[@]} instances reporting)"
    printf '  %s: %4ds  %s  corpus %s  edges %s  crashes %s  hangs %s\n' "$h" $(($(date +%s) - start)) \
      "$speed" "$corpus" "$edges" "$crashes" "$hangs"
  done
  local failed=0
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}" || [ ! -f "$sync/${names[$i]}/fuzzer_stats" ]; then
      echo "fuzz.sh: afl-fuzz ${names[$i]} failed on $h; its log:" >&2
      tail -n 20 "$sync/${names[$i]}.log" >&2
      failed=1
    fi
  done
  [ "$failed" = 0 ] || exit 1
  # The summary, from each instance's last fuzzer_stats (written as it stops).
  local execs=0 persec=0 elapsed=0 corpus=0 edges=0 crashes=0 hangs=0 st e t
  for i in "${!names[@]}"; do
    st=$sync/${names[$i]}/fuzzer_stats
    e=$(stat_of "$st" execs_done) t=$(($(stat_of "$st" last_update) - $(stat_of "$st" start_time)))
    execs=$((execs + e))
    [ "$t" -le 0 ] || persec=$((persec + e / t))
    [ "$t" -le "$elapsed" ] || elapsed=$t
    [ "$(stat_of "$st" corpus_count)" -le "$corpus" ] || corpus=$(stat_of "$st" corpus_count)
    [ "$(stat_of "$st" edges_found)" -le "$edges" ] || edges=$(stat_of "$st" edges_found)
    crashes=$((crashes + $(stat_of "$st" saved_crashes))) hangs=$((hangs + $(stat_of "$st" saved_hangs)))
  done
  summary+=("$(printf '%-15s %-9s %2s %6s s %12s execs %9s execs/s %7s corpus %7s edges %4s crashes %4s hangs' \
    "$h" afl "$jobs" "$elapsed" "$execs" "$persec" "$corpus" "$edges" "$crashes" "$hangs")")
  local f
  for i in "${!names[@]}"; do
    for f in "$sync/${names[$i]}"/crashes/id:* "$sync/${names[$i]}"/hangs/id:*; do
      [ -e "$f" ] || continue
      keep "$f" "$h" "$(basename "$(dirname "$f")" | sed 's/es$//; s/s$//')" tmin "$build/fuzz/fuzz_$h"
    done
  done
}

run_libfuzzer() {
  local h=$1 out
  out=$root/build/fuzz-out/$h-libfuzzer-$(date +%Y%m%d-%H%M%S)
  mkdir -p "$out/corpus" "$out/artifacts"
  local dict=()
  [ -f "$root/fuzz/dict/$h.dict" ] && dict=(-dict="$root/fuzz/dict/$h.dict")
  echo "fuzz.sh: $h for $seconds s with libFuzzer (ASan+UBSan), new inputs and findings in $out"
  # New inputs go to the first folder; the committed seeds are only read.
  "$build/fuzz/fuzz_$h" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$out/artifacts/" \
    "${dict[@]}" "$out/corpus" "$root/fuzz/corpus/$h" >"$out/libfuzzer.log" 2>&1 &
  local pid=$! start; start=$(date +%s)
  while kill -0 "$pid" 2>/dev/null; do
    pause "$pid"
    # libFuzzer reports on every new input and at each power of two of executions: its last
    # report says how many executions it had made when it wrote it.
    local last; last=$(grep -aE '^#[0-9]+' "$out/libfuzzer.log" | tail -n 1)
    printf '  %s: %4ds  %s  crashes %s\n' "$h" $(($(date +%s) - start)) \
      "$(awk '{ for (i = 1; i < NF; i++) { if ($i == "exec/s:") r = $(i + 1); if ($i == "corp:") c = $(i + 1); if ($i == "cov:") v = $(i + 1) }
               sub(/^#/, "", $1); sub(/\/.*/, "", c)
               printf "libFuzzer last reported: %s execs, %s execs/s, corpus %s, cov %s", $1, r, c, v }' <<<"$last")" \
      "$(count "$out/artifacts" '*')"
  done
  local rc=0
  wait "$pid" || rc=$?
  local stats; stats=$(grep -a '^stat::' "$out/libfuzzer.log" || true)
  if [ -z "$stats" ]; then
    echo "fuzz.sh: libFuzzer failed on $h (exit $rc); its log:" >&2
    tail -n 20 "$out/libfuzzer.log" >&2
    exit 1
  fi
  local execs persec last
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' <<<"$stats")
  persec=$(sed -n 's/^stat::average_exec_per_sec: *//p' <<<"$stats")
  last=$(grep -aE '^#[0-9]+' "$out/libfuzzer.log" | tail -n 1)
  local corpus cov crashes
  corpus=$(awk '{ for (i = 1; i < NF; i++) if ($i == "corp:") { c = $(i + 1); sub(/\/.*/, "", c); print c } }' <<<"$last")
  cov=$(awk '{ for (i = 1; i < NF; i++) if ($i == "cov:") print $(i + 1) }' <<<"$last")
  crashes=$(count "$out/artifacts" '*')
  summary+=("$(printf '%-15s %-9s %2s %6s s %12s execs %9s execs/s %7s corpus %7s cov   %4s crashes %4s hangs' \
    "$h" libfuzzer 1 $(($(date +%s) - start)) "$execs" "$persec" "${corpus:-?}" "${cov:-?}" "$crashes" -)")
  local f
  for f in "$out/artifacts"/*; do
    [ -e "$f" ] || continue
    keep "$f" "$h" "$(basename "$f" | cut -d- -f1)" \
      sh -c '"$0" -minimize_crash=1 -runs=10000 -exact_artifact_path="$2" "$1"' "$build/fuzz/fuzz_$h"
  done
}

for h in "${targets[@]}"; do
  if [ "$engine" = afl ]; then run_afl "$h"; else run_libfuzzer "$h"; fi
done

echo
echo "campaign summary (AFL++: its fuzzer_stats, summed over the instances; libFuzzer: its final stats):"
printf '%-15s %-9s %2s\n' harness engine "#"
printf '%s\n' "${summary[@]}"
if [ "$found" -ne 0 ]; then
  echo "fuzz.sh: crashes or hangs found; they are in fuzz/regressions/ (fix, then commit them)"
  exit 1
fi
