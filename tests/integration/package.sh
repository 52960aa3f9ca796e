#!/usr/bin/env bash
# The Debian package, as a user gets it: CPack builds the .deb from this build tree, dpkg-deb -x
# unpacks it into a temporary root, and the unpacked bank runs the course's sample byte for byte
# against golden/, prints its version, and its man page and bash completion hold every command
# and every option that --help names.
# Usage: package.sh BUILD_DIR GOLDEN_DIR SOURCE_DIR
set -uo pipefail
build=$1 golden=$2 src=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
for tool in cpack dpkg-deb dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed (tools/deps.sh test installs dpkg-dev)"; exit 77; }
done

# rule: V3; the .deb, its Depends and its files
if (cd "$build" && cpack -G DEB -B "$tmp/deb") >"$tmp/cpack.log" 2>&1 && deb=$(ls "$tmp"/deb/*.deb 2>/dev/null); then
  pass "cpack built $(basename "$deb")"
else
  fail "cpack: no package"; tail -n 20 "$tmp/cpack.log"; echo "0 passed, 1 failed"; exit 1
fi
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libgrpc libprotobuf-c libcjson libcairo2; do
  case "$depends" in *"$lib"*) pass "Depends names $lib" ;; *) fail "Depends lacks $lib: $depends" ;; esac
done
case "$(dpkg-deb -f "$deb" Recommends)" in *protobuf-compiler*) pass "Recommends protobuf-compiler (bank drive --proto)" ;;
  *) fail "Recommends lacks protobuf-compiler" ;; esac
files=$(dpkg-deb -c "$deb" | awk '{ print $NF }')
for f in ./usr/bin/bank ./usr/share/man/man1/bank.1.gz ./usr/share/bash-completion/completions/bank; do
  if grep -qxF "$f" <<<"$files"; then pass "package holds $f"; else fail "package lacks $f"; fi
done

dpkg-deb -x "$deb" "$tmp/root"
bank=$tmp/root/usr/bin/bank
# rule: V3, S3, S4, O1; the unpacked bank runs the sample byte for byte
for schedule in sequential rounds; do
  if "$bank" run --schedule "$schedule" "$golden/sample/input.json" >"$tmp/out" 2>"$tmp/err" &&
     cmp -s "$tmp/out" "$golden/sample/expected.$schedule.json"; then
    pass "unpacked bank run --schedule $schedule: golden/sample byte for byte"
  else
    fail "unpacked bank run --schedule $schedule"; cat "$tmp/err"; diff "$golden/sample/expected.$schedule.json" "$tmp/out" | head
  fi
done

# rule: V1
version=$("$bank" --version)
want_version=$(sed -n 's/^project(cse531_bank VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
if [ "$(sed -n 1p <<<"$version")" = "bank (cse531-bank) $want_version" ]; then pass "bank --version: $want_version"
else fail "bank --version's first line: $(sed -n 1p <<<"$version"), expected bank (cse531-bank) $want_version"; fi
commit=$(git -C "$src" rev-parse --verify HEAD 2>/dev/null)
line2=$(sed -n 2p <<<"$version")
if [ -n "$commit" ]; then
  case "$line2" in "git commit $commit"|"git commit $commit plus uncommitted changes") pass "bank --version names HEAD ($commit)" ;;
    *) fail "bank --version's second line: \"$line2\", expected git commit $commit" ;; esac
else
  case "$line2" in "git commit unknown: "*) pass "bank --version says the commit is unknown" ;;
    *) fail "bank --version outside git: \"$line2\"" ;; esac
fi
if [ "$("$bank" version)" = "$version" ]; then pass "bank version = bank --version"; else fail "bank version differs from bank --version"; fi

# rule: V2; the page: readable by man without warnings, a section for every command, every option
page=$tmp/root/usr/share/man/man1/bank.1.gz
if ! command -v man >/dev/null; then
  echo "SKIP man -l: man is not installed (tools/deps.sh test installs man-db); the page is not read"
else
  if MANWIDTH=100 man --warnings -l "$page" >"$tmp/man.txt" 2>"$tmp/man.err" && [ ! -s "$tmp/man.err" ]; then
    pass "man -l reads the page without a warning"
  else
    fail "man -l: $(head -n 5 "$tmp/man.err")"
  fi
  # man hyphenates and reflows: compare words with the hyphenation at line ends undone
  tr -d '\n' <"$tmp/man.txt" | sed 's/‐ *//g; s/  */ /g' >"$tmp/man.flat"
  for cmd in $("$bank" help --commands); do
    [ "$("$bank" "$cmd" --help)" = "$("$bank" --help)" ] && continue
    grep -qF "bank $cmd " "$tmp/man.flat" || fail "the page has no section for bank $cmd"
    for opt in $("$bank" "$cmd" --help | grep -oE '(^|[ ,[])--[a-z][a-z0-9-]*' | tr -d ' ,[' | sort -u); do
      grep -qF -- "$opt" "$tmp/man.flat" || fail "the page lacks bank $cmd's $opt"
    done
  done
  pass "the page: every command of bank help --commands, every --option of their --help"
fi

# rule: V2; bash completion completes commands, options and option values
complete_words() { # the words after "bank"; prints what completes the last one
  bash -c 'source "$1"; shift; COMP_WORDS=(bank "$@"); COMP_CWORD=$#; _bank; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$tmp/root/usr/share/bash-completion/completions/bank" "$@"
}
check_completion() { # WANT WORDS...
  local want=$1; shift
  local got; got=$(complete_words "$@" | tr '\n' ' ')
  if [ "$got" = "$want" ]; then pass "completion of \"bank $*\": $want"; else fail "completion of \"bank $*\": \"$got\", expected \"$want\""; fi
}
check_completion "run " r
check_completion "version " vers
check_completion "--schedule " run --sch
check_completion "rounds " run --schedule ro
check_completion "--batch --budget " grade --b
check_completion "diagram " help di

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
