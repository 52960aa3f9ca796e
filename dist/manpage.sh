#!/bin/sh
# Writes the man page bank(1) from the built bank's own help texts: `bank --help` for the
# overview, and `bank COMMAND --help` for every command `bank help --commands` lists, so the page
# says exactly what --help says and a new command gets its section without a change here.
# Run at build time (dist/CMakeLists.txt). Usage: dist/manpage.sh BANK OUT.1
set -eu
bank=$1 out=$2
tmp=$out.tmp
version=$("$bank" --version | sed -n '1s/^bank (cse531-bank) //p')
[ -n "$version" ] || { echo "manpage.sh: $bank --version printed no version" >&2; exit 1; }
# The date of the page: SOURCE_DATE_EPOCH when set (reproducible builds), else today.
date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%d)

# One help text (standard input) as man(7) source. Lines are read as the help texts lay them
# out: "usage:" lines (and the indented ones below them) are the synopsis (left out with
# argument 1); an unindented line ending in ":" above an indented one heads a list;
# "  TAG  description" (two spaces, a tag, two or more spaces) is a list item, and the
# deeper-indented lines below it continue it; "  - text" is a bullet; any other unindented line
# is running text (a new paragraph when it starts with a label of one or two words and a colon,
# "exit status: "), and a blank line ends a paragraph.
to_roff() {
  awk -v skip_usage="${1:-0}" '
    function esc(s) {
      gsub(/\\/, "\\e", s)
      gsub(/-/, "\\-", s)
      # `code` in bold
      while (match(s, /`[^`]*`/)) s = substr(s, 1, RSTART - 1) "\\fB" substr(s, RSTART + 1, RLENGTH - 2) "\\fR" substr(s, RSTART + RLENGTH)
      if (s ~ /^[.\047]/) s = "\\&" s
      return s
    }
    function out(s) { if (!(state == "usage" && skip_usage)) print s }
    { line[++n] = $0 }
    END {
      state = "start"
      for (i = 1; i <= n; i++) {
        s = line[i]
        if (s ~ /^usage: / || (state == "usage" && s ~ /^       [^ ]/)) {
          if (state != "usage") { state = "usage"; out(".nf") }
          sub(/^usage: +|^ +/, "", s)
          out("\\fB" esc(s) "\\fR")
          continue
        }
        if (state == "usage") { out(".fi"); state = "start"; if (!skip_usage) print ".PP" }
        if (s == "") { if (state != "start") print ".PP"; state = "start"; continue }
        if (s ~ /^  - /) {                             # a bullet
          print ".IP \\(bu 2"; print esc(substr(s, 5)); state = "item"; continue
        }
        if (s ~ /^  [^ ]/) {                           # an item: TAG, two or more spaces, text
          s = substr(s, 3); rest = ""
          if (match(s, /  +/)) { rest = substr(s, RSTART + RLENGTH); s = substr(s, 1, RSTART - 1) }
          print ".TP"; print "\\fB" esc(s) "\\fR"
          if (rest != "") print esc(rest)
          state = "item"; continue
        }
        if (s ~ /^ /) { sub(/^ +/, "", s); print esc(s); continue }   # an item goes on
        # unindented: the heading of the list below it, a "label: ..." line, or running text
        if (s ~ /:$/ && line[i + 1] ~ /^  [^ ]/) {
          if (state != "start") print ".PP"
          print "\\fB" esc(s) "\\fR"; print ".br"; state = "head"; continue
        }
        if (state == "item" || (state == "para" && s ~ /^[a-z]+( [a-z]+)?: /)) print ".PP"
        print esc(s); state = "para"
      }
      if (state == "usage") out(".fi")
    }
  '
}

overview=$("$bank" --help)
{
  printf '.TH BANK 1 "%s" "cse531-bank %s" "User Commands"\n' "$date" "$version"
  echo '.\" Generated at build time by dist/manpage.sh from the help texts of bank; do not edit.'
  echo '.SH NAME'
  echo 'bank \- the reference implementation of the CSE 531 replicated bank, and its grader'
  echo '.SH SYNOPSIS'
  printf '%s\n' "$overview" | awk '/^usage: /{ sub(/^usage: /, ""); u = 1 } u && /^$/ { exit } u { sub(/^ +/, ""); print }' |
    { echo '.nf'; sed 's/\\/\\e/g; s/-/\\-/g; s/^/\\fB/; s/$/\\fR/'; echo '.fi'; }
  echo '.SH DESCRIPTION'
  printf '%s\n' "$overview" | to_roff 1
  echo '.SH COMMANDS'
  for cmd in $("$bank" help --commands); do
    text=$("$bank" "$cmd" --help)
    # a command whose help is the overview (help itself) is not repeated
    [ "$text" = "$overview" ] && continue
    printf '.SS "bank %s"\n' "$cmd"
    printf '%s\n' "$text" | to_roff
  done
  echo '.SH SEE ALSO'
  echo 'The project'"'"'s README.md and spec/semantics.md (the numbered rules of the semantics).'
} >"$tmp"
mv "$tmp" "$out"
