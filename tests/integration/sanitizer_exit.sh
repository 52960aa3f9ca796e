#!/bin/sh
# A sanitizer's report in a program a test runs changes that program's exit status, to one of
# its own (ctest's environment: ASan and LeakSanitizer 86, UBSan 87), so that a test which
# captures a child's stderr and checks its status (exit 1 is "failed" for bank) cannot mistake
# a leak, an overflow or undefined behaviour in the child for the failure it expected.
# Usage: sanitizer_exit.sh SANITIZER_CHILD
child=$1
failed=0
for case in "leak 86" "overflow 86" "undefined 87" "nothing 0"; do
  set -- $case
  "$child" "$1" >/dev/null 2>&1
  rc=$?
  if [ "$rc" -eq "$2" ]; then
    echo "ok   $1: exit $rc"
  else
    echo "FAIL $1: exit $rc, expected $2 (ASAN_OPTIONS=$ASAN_OPTIONS UBSAN_OPTIONS=$UBSAN_OPTIONS)"
    failed=1
  fi
done
exit $failed
