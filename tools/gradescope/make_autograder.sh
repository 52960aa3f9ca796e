#!/usr/bin/env bash
# Makes the zip a course uploads to Gradescope ("Configure Autograder", zip upload): setup.sh and
# run_autograder at its root, the course's input, grade.conf with the bank grade options given
# here, and the sources the grade-only bank is built from (CMakeLists.txt, src/, tools/deps.sh).
# Usage: tools/gradescope/make_autograder.sh INPUT.json [-o autograder.zip] [BANK GRADE OPTIONS...]
#   e.g. tools/gradescope/make_autograder.sh input.json -o p1.zip --points 10 --gradescope-visibility after_due_date
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
usage() { echo "usage: $0 INPUT.json [-o autograder.zip] [bank grade options...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
input=$1
shift
out=autograder.zip
if [ "${1:-}" = "-o" ]; then
  [ $# -ge 2 ] || usage
  out=$2
  shift 2
fi
[ -f "$input" ] || { echo "$0: $input: no such file" >&2; exit 2; }
py=$(command -v python3) || { echo "$0: needs python3 (its zipfile module makes the zip)" >&2; exit 2; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$root/tools/gradescope/setup.sh" "$root/tools/gradescope/run_autograder" "$stage/"
cp "$input" "$stage/input.json"
{
  echo "# bank grade options, one or more a line (run_autograder adds --input and --gradescope)"
  for a in "$@"; do printf '%s\n' "$a"; done
} >"$stage/grade.conf"
mkdir -p "$stage/bank-src/tools"
cp -r "$root/CMakeLists.txt" "$root/cmake" "$root/src" "$stage/bank-src/"
cp "$root/tools/deps.sh" "$stage/bank-src/tools/"
# The options must make sense to bank grade before a course uploads them (exit status 2: usage).
bank=${BANK:-$(command -v bank || true)}
if [ -n "$bank" ]; then
  mkdir -p "$stage/check"
  set +e
  "$bank" grade --input "$input" "$@" --gradescope "$stage/check.json" "$stage/check" >/dev/null 2>"$stage/check.err"
  rc=$?
  set -e
  if [ "$rc" -eq 2 ]; then cat "$stage/check.err" >&2; exit 2; fi
  rm -rf "$stage/check" "$stage/check.json" "$stage/check.err"
else
  echo "make_autograder: no bank to check the options with (set BANK=path/to/bank); packing them unchecked" >&2
fi
case $out in /*) dest=$out ;; *) dest=$PWD/$out ;; esac
rm -f "$dest"
(cd "$stage" && "$py" -m zipfile -c "$dest.tmp" setup.sh run_autograder input.json grade.conf bank-src) ||
  { rm -f "$dest.tmp"; exit 1; }
mv "$dest.tmp" "$dest"
echo "make_autograder: wrote $out (upload it in Gradescope: Configure Autograder, zip file)"
