#!/usr/bin/env bash
# Which tests check which rule of spec/semantics.md.
#
# A rule is a line of spec/semantics.md that begins with its bold id: "**I3.** ...".
# A test names the rules it checks with a tag comment right above it:
#   /* rule: S2, O1 */            C (the test is the Test(suite, name) below it)
#   # rule: I3                    shell, Python, CMake (the test is the line below it: its first
#                                 quoted string, or the line itself)
#   # rule: S5, S7; live run      the text after ";" names the test explicitly
# and tests/bad/RULES maps each malformed input to the rules it breaks ("NAME: I5, I7").
#
# Prints, for every rule, the tests that name it (file:test), then a summary. Exits 1 when a
# rule has no test, when a tag names a rule that does not exist, when a rule id is defined twice,
# or when tests/bad/RULES and tests/bad/*.json do not list the same inputs.
# Usage: tools/trace.sh [PROJECT_DIR]   (default: the directory above this script)
set -euo pipefail

root=$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")/..}" && pwd)
spec=$root/spec/semantics.md
tests=$root/tests
bad_rules=$tests/bad/RULES
[ -f "$spec" ] || { echo "trace: $spec is missing" >&2; exit 2; }
[ -d "$tests" ] || { echo "trace: $tests is missing" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The rules, in document order: "ID".
grep -oE '^\*\*[A-Z][0-9]+\.\*\*' "$spec" | sed -E 's/^\*\*([A-Z][0-9]+)\.\*\*$/\1/' >"$tmp/rules"

# The tags: "ID<TAB>file:test" per rule a tag names, from every text file of tests/ but tests/bad/.
find "$tests" -path "$tests/bad" -prune -o -type f -print | LC_ALL=C sort >"$tmp/files"
tr '\n' '\0' <"$tmp/files" | xargs -0 -r grep -Il '' >"$tmp/text_files" || true
tr '\n' '\0' <"$tmp/text_files" | xargs -0 -r awk -v root="$root/" '
  function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
  function name_of(line,    m, q, rest) {
    if (match(line, /Test\([ \t]*[A-Za-z0-9_]+[ \t]*,[ \t]*[A-Za-z0-9_]+/)) {
      m = substr(line, RSTART + 5, RLENGTH - 5)
      gsub(/[ \t]/, "", m)
      sub(/,/, "/", m)
      return m
    }
    rest = line
    while (match(rest, /"[^"]*"|\047[^\047]*\047/)) {
      q = substr(rest, RSTART + 1, RLENGTH - 2)
      rest = substr(rest, RSTART + RLENGTH)
      if (q != "" && substr(q, 1, 1) != "$") return q
    }
    line = trim(line)
    return length(line) > 60 ? substr(line, 1, 57) "..." : line
  }
  # "ID, ID, ..." at the start of s: the ids into ids[], how many as the result, and what
  # follows them into rest_of (mawk mishandles starred groups, so this takes one id at a time)
  function take_ids(s,    n) {
    n = 0
    while (match(s, /^[A-Z][0-9]+/)) {
      ids[++n] = substr(s, 1, RLENGTH)
      s = substr(s, RLENGTH + 1)
      if (!match(s, /^[ \t]*,[ \t]*[A-Z][0-9]/)) break
      sub(/^[ \t]*,[ \t]*/, "", s)
    }
    rest_of = s
    return n
  }
  function dangling() {
    if (np > 0) printf "?dangling\t%s:%d\n", rel, pending_line
    np = 0
  }
  FNR == 1 {
    dangling()
    rel = FILENAME
    if (index(rel, root) == 1) rel = substr(rel, length(root) + 1)
  }
  # a tag: a comment that starts with "rule:"
  match($0, /(\/\*|\/\/|#)[ \t]*rule:[ \t]*[A-Z][0-9]/) {
    n = take_ids(substr($0, RSTART + RLENGTH - 2))
    explicit = ""
    if (match(rest_of, /^[ \t]*;[^*]*/)) {
      explicit = trim(substr(rest_of, RSTART, RLENGTH))
      sub(/^;[ \t]*/, "", explicit)
    }
    for (i = 1; i <= n; i++) pending[++np] = ids[i]
    pending_name = explicit
    pending_line = FNR
    next
  }
  np > 0 {
    name = pending_name != "" ? pending_name : name_of($0)
    for (i = 1; i <= np; i++) printf "%s\t%s:%s\n", pending[i], rel, name
    np = 0
  }
  END { dangling() }
' >"$tmp/tags"

problems=0
# tests/bad/RULES: "NAME: ID, ID" for every tests/bad/NAME.json.
if [ ! -f "$bad_rules" ] && compgen -G "$tests/bad/*.json" >/dev/null; then
  echo "tests/bad/RULES is missing: every tests/bad/NAME.json needs a line \"NAME: ID, ID...\""
  problems=$((problems + 1))
elif [ -f "$bad_rules" ]; then
  awk -v rel="tests/bad" '
    /^[ \t]*(#|$)/ { next }
    {
      line = $0
      sub(/[ \t]+$/, "", line)
      if (!match(line, /^[A-Za-z0-9_.-]+:[ \t]*/)) { printf "?malformed\ttests/bad/RULES:%d\n", NR; next }
      name = substr(line, 1, RLENGTH); sub(/:.*/, "", name)
      rest = substr(line, RLENGTH + 1)
      n = split(rest, a, ",")
      ok = n > 0
      for (i = 1; i <= n; i++) {
        gsub(/[ \t]/, "", a[i])
        if (a[i] !~ /^[A-Z][0-9]+$/) ok = 0
      }
      if (!ok) { printf "?malformed\ttests/bad/RULES:%d\n", NR; next }
      for (i = 1; i <= n; i++) printf "%s\t%s/%s.json\n", a[i], rel, name
    }
  ' "$bad_rules" >>"$tmp/tags"
  sed -n 's/^[ \t]*\([A-Za-z0-9_.-]*\):.*/\1/p' "$bad_rules" | LC_ALL=C sort >"$tmp/bad_listed"
  find "$tests/bad" -maxdepth 1 -name '*.json' -printf '%f\n' | sed 's/\.json$//' | LC_ALL=C sort >"$tmp/bad_files"
  while read -r name; do
    echo "tests/bad/RULES names $name, but tests/bad/$name.json does not exist"
    problems=$((problems + 1))
  done < <(LC_ALL=C comm -23 "$tmp/bad_listed" "$tmp/bad_files")
  while read -r name; do
    echo "tests/bad/$name.json is not in tests/bad/RULES"
    problems=$((problems + 1))
  done < <(LC_ALL=C comm -13 "$tmp/bad_listed" "$tmp/bad_files")
  dups=$(uniq -d "$tmp/bad_listed")
  if [ -n "$dups" ]; then
    echo "tests/bad/RULES lists more than once: $dups"
    problems=$((problems + 1))
  fi
fi

while IFS=$'\t' read -r what where; do
  case $what in
    '?dangling') echo "$where: a rule tag with no test below it" ;;
    '?malformed') echo "$where: expected \"NAME: ID, ID...\"" ;;
  esac
  problems=$((problems + 1))
done < <(grep '^?' "$tmp/tags" || true)
grep -v '^?' "$tmp/tags" | LC_ALL=C sort -u >"$tmp/pairs" || true

dup_rules=$(LC_ALL=C sort "$tmp/rules" | uniq -d)
if [ -n "$dup_rules" ]; then
  echo "spec/semantics.md defines more than once: $(echo $dup_rules)"
  problems=$((problems + 1))
fi

# The table, in the order of the spec.
awk -F'\t' '
  FILENAME == ARGV[1] { where[$1] = where[$1] "       " $2 "\n"; count[$1]++; next }
  {
    n = count[$1] + 0
    printf "%-4s %2d test%s\n", $1, n, n == 1 ? "" : "s"
    printf "%s", where[$1]
    if (n == 0) print $1 >"/dev/stderr"
  }
' "$tmp/pairs" "$tmp/rules" 2>"$tmp/untested"
untested=()
while read -r rule; do untested+=("$rule"); done <"$tmp/untested"

unknown=$(cut -f1 "$tmp/pairs" | LC_ALL=C sort -u | LC_ALL=C comm -23 - <(LC_ALL=C sort -u "$tmp/rules") || true)
for rule in $unknown; do
  echo "tag names rule $rule, which spec/semantics.md does not define:"
  awk -F'\t' -v r="$rule" '$1 == r {print "       " $2}' "$tmp/pairs"
  problems=$((problems + 1))
done
if [ ${#untested[@]} -gt 0 ]; then
  echo "no test names rule(s): ${untested[*]}"
  problems=$((problems + 1))
fi

n_rules=$(wc -l <"$tmp/rules")
n_tests=$(cut -f2 "$tmp/pairs" | LC_ALL=C sort -u | wc -l)
n_pairs=$(wc -l <"$tmp/pairs")
echo "$n_rules rules, $n_tests tests naming them ($n_pairs rule-test pairs), $((n_rules - ${#untested[@]})) rules tested"
if [ "$problems" -ne 0 ]; then
  echo "trace: $problems problem(s) above"
  exit 1
fi
echo "trace: every rule has a test, every tag names a rule"
