#!/usr/bin/env bash
# Every malformed input in BAD_DIR must make `bank run` print exactly one line on stderr that
# contains the expected text, print nothing on stdout, and exit with the expected status.
# Each NAME.json has NAME.expect: line 1 the exit status, line 2 the expected text.
# Usage: run_bad_inputs.sh BANK_BINARY BAD_DIR
set -u
bank=$(realpath "$1")
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
cd "$dir" || exit 2
# rule: I11; every tests/bad input: one line, nothing on stdout, exit 2
for input in *.json; do
  name=${input%.json}
  want_rc=$(sed -n 1p "$name.expect")
  want_text=$(sed -n 2p "$name.expect")
  timeout 10 "$bank" run "$input" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  lines=$(wc -l <"$tmp/err")
  if [ "$rc" = "$want_rc" ] && [ "$lines" -eq 1 ] && [ ! -s "$tmp/out" ] && grep -qF -- "$want_text" "$tmp/err"; then
    passed=$((passed + 1))
    echo "ok   $name: $(cat "$tmp/err")"
  else
    failed=$((failed + 1))
    echo "FAIL $name: exit $rc (want $want_rc), $lines stderr lines, want \"$want_text\", got:"
    sed 's/^/       /' "$tmp/err"
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
