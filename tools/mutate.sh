#!/usr/bin/env bash
# Mutation testing: does the test suite notice a deliberate fault? (The work is tools/mutate.py;
# its opening comment says how mutants are made and judged.)
#
#   tools/mutate.sh [PATTERN...]     the hand-written mutants, tools/mutants/NN-name.patch (a named
#                                    regression set: a unified diff against the tree under a first
#                                    line "Mutant: what the fault is"); PATTERN picks them by name
#   tools/mutate.sh --sample N --seed S [--dirs "core io rpc store grade run cli diagram"]
#                                    N operator mutants generated from every directory of src/,
#                                    sampled with seed S; --list prints them and stops; --only
#                                    KEY... judges those; --budget MINUTES stops taking new ones,
#                                    --resume keeps what the last run of the sample recorded;
#                                    --table prints the score per directory as recorded, judging none
#   tools/mutate.sh --uncovered [INFO]  every mutant on a line no test ran (by tools/coverage.sh's
#                                    build/coverage/coverage.src.info), judging none
#   tools/mutate.sh --help           every option
#
# Each mutant is judged in a copy of the tree under build/, built once as tools/test.sh builds
# (ASan, UBSan, -Werror) and rebuilt incrementally per mutant, by the ctest tests its change
# reaches, cheapest first, two at a time, stopping at the first failure; a test past its time
# limit has its whole process group killed and counts as a kill. Builds and tests run under
# nice -n 10. Prints a table, and for --sample the score per directory:
# killed / (generated - equivalent - not built). Equivalent mutants are listed, each with its
# reason, in tools/mutants/equivalent.txt. Logs: build/mutants/.
# Environment: BANK_MUTATE_TIMEOUT  seconds any one test may take under a mutant (default: five
#                                   times its unmutated time, at least 90)
#              BANK_MUTATE_KEEP=1   keep the temporary tree (its path is printed)
# Exit status: 0 every mutant killed (or, with --min-score, every directory at least that);
# 1 a mutant survived; 2 a patch no longer applies or does not build, or the unmutated tree fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
case " $* " in
  *" --list "* | *" --table "* | *" --uncovered"* | *" -h "* | *" --help "*) ;;
  *) "$root/tools/deps.sh" test ;;
esac
exec python3 "$root/tools/mutate.py" "$@"
