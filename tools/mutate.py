#!/usr/bin/env python3
"""Mutation testing: does the test suite notice a deliberate fault? (tools/mutate.sh runs this.)

Two sets of mutants, judged the same way:
  tools/mutate.sh [PATTERN...]             the hand-written patches tools/mutants/NN-name.patch
                                           (a named regression set; PATTERN picks by name)
  tools/mutate.sh --sample N --seed S [--dirs "core grade ..."] [--list] [--only KEY...]
                 [--resume] [--budget MINUTES] [--table]
                                           N operator mutants generated from src/ (every
                                           directory of it), sampled with seed S (the same N, S
                                           and source give the same ones; an edit changes the
                                           sample only by the mutants it adds or removes)
  tools/mutate.sh --uncovered [INFO] [--dirs "core ..."]
                                           every generated mutant on a line no test ran, by
                                           the lcov tracefile INFO that tools/coverage.sh
                                           writes: mutants that survive whatever they change

Judging: the tree as it is now (committed or not) is copied under build/mutate.XXXXXX and built
once as the tests build it (ASan and UBSan, -Werror); the unmutated tree must pass the whole
ctest. Then, for each mutant: mutate, rebuild incrementally (nice -n 10), run the tests, restore.
  - NOT-BUILT: the mutated file does not compile (-Werror); counted apart, outside the score.
    A mutant whose only errors are warnings it could not help raising (BENIGN_WARNINGS: a
    parameter, variable or static function left unused, && within || without parentheses) is
    not set apart: a _Pragma that ignores just those warnings is written on its file's first
    blank line at the top level (no line or column of code moves), and it is judged (its row
    says "built ignoring -W...").
  - SAME-CODE: its object file is byte for byte the unmutated one: the compiler proved it
    changes nothing, so it counts as equivalent.
  - EQUIVALENT: listed in tools/mutants/equivalent.txt (KEY and a reason): not run.
  - KILLED: a test failed, or timed out (its whole process group is then killed), or the build
    failed after the mutated file compiled (the man page is made by running bank).
  - SURVIVED: every test passed.
Only the tests whose programs the rebuild changed are run (the others run the same bytes that
passed on the unmutated tree; a test that builds from the source tree is always run), each
through ctest (its properties apply), two at a time, cheapest first: in ascending order of its
unmutated time divided by how often it killed this directory's mutants so far. The first
failure stops the mutant; a failing test that is not a unit test (servers, processes, timing)
must fail again, alone, to count (else it is noted as flaky and the others go on). A survivor
has therefore passed every test.
Score per directory: killed / (generated - equivalent - not built).

A long sample can be judged over several sittings: --budget stops taking new mutants after so
many minutes, and --resume keeps what build/mutants/sample-S-N.tsv recorded (survivors and
NOT-BUILT ones are judged again) and judges the rest; where that file is absent (a fresh clone),
it goes on from tools/mutants/sample-S-N.tsv, the record of the last sitting kept in git. The sample is judged directories
interleaved, so a part of it scores each directory on its share. The record has a row per verdict
and a mutant's last row wins: the survivors a sitting carries keep their rows until judged again,
so a sitting stopped at any point leaves a whole record. --table prints the score per directory
from it, judging nothing.
"""

import argparse
import dataclasses
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MUTANTS_DIR = os.path.join(ROOT, "tools", "mutants")
EQUIVALENT_FILE = os.path.join(MUTANTS_DIR, "equivalent.txt")
# Every directory of src/ is sampled, a new one as soon as it exists; this is only the order of
# the table (the core first, then the layers around it).
LAYER_ORDER = ["core", "io", "rpc", "store", "grade", "run", "cli", "diagram"]
ALL_DIRS = sorted((d for d in os.listdir(os.path.join(ROOT, "src")) if os.path.isdir(os.path.join(ROOT, "src", d))),
                  key=lambda d: (LAYER_ORDER.index(d) if d in LAYER_ORDER else len(LAYER_ORDER), d))
NICE = ["nice", "-n", "10"]

# ---------------------------------------------------------------------------------------------
# The operators.
#
#   boundary    <  <=  >  >=        each to its neighbour (< to <=, <= to <, > to >=, >= to >)
#   equality    ==  !=              each to the other
#   logical     &&  ||              each to the other
#   arith-assign  +=  -=            each to the other
#   off-by-one  x + 1, x - 1        + 1 to - 1 and + 0; - 1 to + 1 and - 0 (binary only)
#   return      return 0; return -1; return 1; return true; return false;
#                                   0 to -1, -1 to 0, 1 to 0, true and false to each other
#   delete      a whole one-line expression statement (a call, an assignment, x++) becomes {};
#               not a call that takes or releases a lock, waits on or signals a condition, or
#               walks va_args (what deleting those breaks is a race or a hang, which only luck
#               or a timeout shows, not a test), nor one that initialises or destroys a mutex,
#               a condition or an attribute object (glibc's are plain zeroed memory that
#               destroying frees nothing of: equivalent wherever the memory was zeroed)
# Never mutated: comments, string and character literals (text users see is pinned by tests
# that compare it, not by mutants), preprocessor lines (#define bodies included), lines with
# assert, and lines marked /* mutate: skip: REASON */ (the marker alone on its line marks the
# next line with code). A mutant keeps the columns of what follows it on its line (a longer
# replacement eats the blanks after it, a shorter one is padded), so an equivalent one compiles
# to the same object file, sanitizer source locations included.
# ---------------------------------------------------------------------------------------------

TOKEN = re.compile(r"->|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||\+\+|--|\+=|-=|\*=|/=|%=|&=|\|=|\^="
                   r"|[A-Za-z_]\w*|\d[\w.]*|\S")
KEYWORDS = {"if", "for", "while", "do", "switch", "case", "default", "else", "return", "break",
            "continue", "goto", "sizeof", "typedef", "struct", "union", "enum", "static", "const",
            "extern", "volatile", "register", "inline", "_Static_assert", "static_assert"}
TYPE_WORDS = {"void", "char", "short", "int", "long", "float", "double", "signed", "unsigned", "size_t",
              "ssize_t", "bool", "_Bool"}
NO_DELETE_CALL = re.compile(r"(^|_)(lock|unlock|trylock|wait|timedwait|signal|broadcast)$|^va_"
                            r"|^pthread_(mutex|cond|mutexattr|condattr|attr)_(init|destroy)$")
SKIP_MARKER = re.compile(r"mutate:\s*skip\b(:?)\s*([^*]*)")


@dataclasses.dataclass
class Mutant:
    path: str      # relative to the root: src/core/replica.c
    line: int      # 1-based
    col: int       # 0-based, in the line
    length: int    # characters replaced
    repl: str      # what replaces them
    op: str
    text: str      # the original line
    key: str = ""

    @property
    def directory(self):
        return self.path.split("/")[1]

    def mutated_line(self):
        return self.text[:self.col] + self.repl + self.text[self.col + self.length:]

    def describe(self):
        orig = self.text[self.col:self.col + self.length].strip()
        new = self.repl.strip() or "{}"
        return f"{orig} -> {new}"


def mask(text):
    """The text with comments and string/character literals blanked (newlines kept)."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = " "
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if text[k] != "\n":
                    out[k] = " "
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            for k in range(i, j):
                if text[k] != "\n":
                    out[k] = " "
            i = j
        else:
            i += 1
    return "".join(out)


def excluded_lines(lines, masked_lines, path):
    """Line numbers (0-based) never mutated: preprocessor lines, asserts, marked lines."""
    skip = set()
    continued = False
    for i, m in enumerate(masked_lines):
        if continued or m.lstrip().startswith("#"):
            skip.add(i)
            continued = m.rstrip().endswith("\\")
        if re.search(r"\b(assert|static_assert|_Static_assert)\s*\(", m):
            skip.add(i)
    pending = False
    for i, (raw, m) in enumerate(zip(lines, masked_lines)):
        mark = SKIP_MARKER.search(raw)
        has_code = bool(m.strip())
        if mark:
            if not mark.group(1) or not mark.group(2).strip():
                raise SystemExit(f"mutate: {path}:{i + 1}: a skip marker needs a reason: "
                                 "/* mutate: skip: why */")
            if has_code:
                skip.add(i)
            else:
                pending = True
                continue
        if pending and has_code:
            skip.add(i)
            pending = False
    return skip


def tokens(masked_line):
    return [(t.start(), t.group()) for t in TOKEN.finditer(masked_line)]


def keep_columns(line, col, length, repl):
    """(length, repl) widened or padded so that what follows keeps its column when it can."""
    grow = len(repl) - length
    if grow < 0:
        return length, repl + " " * -grow
    end = col + length
    blanks = len(line[end:]) - len(line[end:].lstrip(" "))
    if grow > 0 and blanks > grow and line[end:].strip():
        return length + grow, repl
    return length, repl


OPERATOR_SWAPS = {
    "<": [("boundary", "<=")], "<=": [("boundary", "<")],
    ">": [("boundary", ">=")], ">=": [("boundary", ">")],
    "==": [("equality", "!=")], "!=": [("equality", "==")],
    "&&": [("logical", "||")], "||": [("logical", "&&")],
    "+=": [("arith-assign", "-=")], "-=": [("arith-assign", "+=")],
}
RETURN_SWAPS = {"0": "-1", "1": "0", "true": "false", "false": "true"}


def line_mutants(path, lineno, raw, m, prev_code_end):
    out = []
    toks = tokens(m)

    def add(col, length, repl, op):
        length, repl = keep_columns(raw, col, length, repl)
        out.append(Mutant(path, lineno + 1, col, length, repl, op, raw))

    for k, (col, t) in enumerate(toks):
        for op, repl in OPERATOR_SWAPS.get(t, []):
            add(col, len(t), repl, op)
        if t in "+-" and k + 1 < len(toks) and toks[k + 1][1] == "1" and k > 0:
            before = toks[k - 1][1]
            if re.match(r"[A-Za-z_0-9)\]]", before) and before not in KEYWORDS:
                ncol = toks[k + 1][0]
                span = ncol + 1 - col
                other = "-" if t == "+" else "+"
                add(col, span, other + raw[col + 1:ncol] + "1", "off-by-one")
                add(col, span, t + raw[col + 1:ncol] + "0", "off-by-one")
        if t == "return" and k + 2 < len(toks):
            nxt = [x[1] for x in toks[k + 1:k + 4]]
            if nxt[0] in RETURN_SWAPS and nxt[1] == ";":
                vcol = toks[k + 1][0]
                add(vcol, len(nxt[0]), RETURN_SWAPS[nxt[0]], "return")
            elif nxt[:3] == ["-", "1", ";"]:
                vcol = toks[k + 1][0]
                add(vcol, toks[k + 2][0] + 1 - vcol, "0", "return")

    stmt = deletable(m, toks, prev_code_end)
    if stmt:
        start, end = stmt
        add(start, end - start, "{}", "delete")
    return out


LVALUE = r"[*(]*[A-Za-z_]\w*(?:\s*(?:\.|->)\s*[A-Za-z_]\w*|\s*\[[^\]]*\])*\)*\s*"
ASSIGN = re.compile(r"^" + LVALUE + r"(?:=(?!=)|\+=|-=|\*=|/=|%=|&=|\|=|\^=|<<=|>>=|\+\+\s*;|--\s*;)")
CALL = re.compile(r"^([A-Za-z_]\w*)(?:\s*(?:\.|->)\s*[A-Za-z_]\w*)*\s*\(")


def deletable(m, toks, prev_code_end):
    """(start, end) of the line's one expression statement when deleting it is a mutant."""
    s = m.strip()
    if not s.endswith(";") or any(c in s[:-1] for c in ";{}"):
        return None
    if prev_code_end is not None and not re.search(r"([;{}:)]|\belse)$", prev_code_end):
        return None  # the line continues the one before
    if s.count("(") != s.count(")") or not toks or toks[0][1] in KEYWORDS:
        return None
    call = CALL.match(s)
    if call:
        if NO_DELETE_CALL.search(call.group(1)) or call.group(1) in TYPE_WORDS:
            return None
        if re.match(r"\w+\s*\(\s*\*\s*\w+\s*\)\s*\(", s):
            return None  # T (*name)(...): a function pointer declared
        depth, i = 0, call.end() - 1
        for i in range(call.end() - 1, len(s)):
            depth += {"(": 1, ")": -1}.get(s[i], 0)
            if depth == 0:
                break
        if re.match(r"\s*\**\s*[A-Za-z_]", s[i + 1:]):
            return None  # TYPE(X) *name = ...: a declaration with a macro for its type
    elif not ASSIGN.match(s):
        return None
    start = len(m) - len(m.lstrip())
    return start, start + len(s)


def file_mutants(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    masked_lines = mask(text).split("\n")
    skip = excluded_lines(lines, masked_lines, path)
    out = []
    prev_code_end = None
    for i, (raw, m) in enumerate(zip(lines, masked_lines)):
        if i not in skip and m.strip():
            out.extend(line_mutants(path, i, raw, m, prev_code_end))
        if m.strip() and not m.lstrip().startswith("#"):
            prev_code_end = m.rstrip()
    seen = {}
    for mu in out:
        h = hashlib.sha1(f"{mu.path}\0{mu.text.strip()}\0{mu.col - (len(mu.text) - len(mu.text.lstrip()))}"
                         f"\0{mu.op}\0{mu.repl.strip()}".encode()).hexdigest()[:8]
        n = seen.get(h, 0)  # the same line twice in a file: told apart by its rank
        seen[h] = n + 1
        mu.key = f"{h}" if n == 0 else f"{h}.{n}"
    return out


def all_mutants(dirs):
    out = []
    for d in dirs:
        base = os.path.join(ROOT, "src", d)
        if not os.path.isdir(base):
            raise SystemExit(f"mutate: no directory src/{d}")
        for name in sorted(os.listdir(base)):
            if name.endswith((".c", ".h")):
                out.extend(file_mutants(f"src/{d}/{name}"))
    return out


# ---------------------------------------------------------------------------------------------
# Sampling: each directory gets a share of N in proportion to its candidates, but at least
# N / (2 x the directories) when it has them, so that each directory's score rests on enough
# mutants; within it, the seed orders the mutants by a hash (rank()), the same on every machine.
# ---------------------------------------------------------------------------------------------

def shares(counts, n):
    dirs = [d for d in counts if counts[d]]
    if n >= sum(counts.values()):
        return dict(counts)
    floor = n // (2 * len(dirs)) if dirs else 0
    got = {d: min(counts[d], floor) for d in counts}
    left = n - sum(got.values())
    while left > 0:
        room = {d: counts[d] - got[d] for d in dirs if counts[d] > got[d]}
        total = sum(counts[d] for d in room)
        exact = {d: left * counts[d] / total for d in room}
        add = {d: min(room[d], int(exact[d])) for d in room}
        if sum(add.values()) == 0:  # the remainder: largest fraction first, then name
            d = max(room, key=lambda d: (exact[d] - int(exact[d]), counts[d], d))
            add[d] = 1
        for d in add:
            got[d] += add[d]
        left -= sum(add.values())
    return got


def rank(seed, key):
    """A mutant's place in seed S's order: a hash of S and its key, so that a mutant keeps its
    place whatever else changes in the source (an edit elsewhere leaves the sample as it was,
    but for the mutants it adds or removes)."""
    return hashlib.sha1(f"{seed}\0{key}".encode()).digest()


def sample(mutants, n, seed):
    """Seed S's sample of N: each directory's share of N, its mutants of lowest rank. In the order
    they are judged: the directories interleaved (the i-th of a share of k at i/k), so that a
    run stopped part way has judged each directory in proportion to its share."""
    by_dir = {}
    for mu in mutants:
        by_dir.setdefault(mu.directory, []).append(mu)
    share = shares({d: len(v) for d, v in by_dir.items()}, n)
    picked = []
    for d in sorted(by_dir):
        chosen = sorted(by_dir[d], key=lambda mu: rank(seed, mu.key))[:share[d]]
        picked.extend(((i + 0.5) / share[d], d, mu) for i, mu in enumerate(chosen))
    return [mu for _, _, mu in sorted(picked, key=lambda x: (x[0], x[1]))]


def read_equivalent():
    """KEY -> reason, from tools/mutants/equivalent.txt ("KEY FILE:LINE  reason" lines)."""
    out = {}
    if not os.path.exists(EQUIVALENT_FILE):
        return out
    with open(EQUIVALENT_FILE, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) < 3:
                raise SystemExit(f"mutate: {EQUIVALENT_FILE}:{n}: expected \"KEY FILE:LINE reason\"")
            out[parts[0]] = (parts[1], parts[2])
    return out


# ---------------------------------------------------------------------------------------------
# The tree the mutants are judged in.
# ---------------------------------------------------------------------------------------------

def log(msg):
    print(f"mutate: {msg}", file=sys.stderr, flush=True)


def die(msg, status=2):
    log(msg)
    sys.exit(status)


def test_env():
    env = dict(os.environ)
    # As tools/test.sh: a leak fails the test, and so does any undefined behaviour. OpenSSL's
    # per-thread leak, which TLS handshakes on gRPC's threads report now and then whatever the
    # code (it killed two mutants of the first sample that no TLS code was in), is suppressed by
    # ctest itself for the two tests that make them (tests/openssl_threads.supp), and only there:
    # `tls` still sees a mutant that leaks a libcrypto object.
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    return env


def file_hash(path):
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclasses.dataclass
class Test:
    name: str
    files: list      # the build tree's files its command names (programs, mostly)
    always: bool     # names the build tree itself or the sources: may build from them
    labels: list = dataclasses.field(default_factory=list)
    limit: float = 0.0
    seconds: float = 0.0


class Tree:
    def __init__(self, keep):
        os.makedirs(os.path.join(ROOT, "build", "mutants"), exist_ok=True)
        self.work = tempfile.mkdtemp(prefix="mutate.", dir=os.path.join(ROOT, "build"))
        self.keep = keep
        self.src = os.path.join(self.work, "src")
        self.build = os.path.join(self.work, "build")
        self.logs = os.path.join(ROOT, "build", "mutants")
        os.makedirs(self.src)
        # The copy is no git checkout: git run by its build and tests (the commit bank --version
        # names) must not find the checkout it sits in, whose HEAD moves when one commits while
        # mutants are judged (the package test would then fail for every one of them).
        os.environ["GIT_CEILING_DIRECTORIES"] = self.work
        tar = subprocess.Popen(["tar", "-C", ROOT, "--exclude=./build*", "--exclude=./.git", "-cf", "-", "."],
                               stdout=subprocess.PIPE)
        subprocess.run(["tar", "-C", self.src, "-xf", "-"], stdin=tar.stdout, check=True)
        if tar.wait() != 0:
            die("could not copy the tree")
        shared = os.path.join(os.path.dirname(ROOT), "shared")
        if os.path.isdir(shared):  # tests read ../shared/corpus beside the project when it is there
            os.symlink(shared, os.path.join(self.work, "shared"))

    def close(self):
        if self.keep:
            log(f"kept {self.work}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    def cmake_build(self, logfile, target=None):
        cmd = NICE + ["cmake", "--build", self.build, "-j", str(os.cpu_count() or 2)]
        if target:
            cmd += ["--target", target]
        with open(logfile, "w") as out:
            return subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT).returncode == 0

    def configure(self):
        build_type = os.environ.get("BANK_MUTATE_BUILD_TYPE", "Debug")
        log(f"building the unmutated tree in {self.build} ({build_type}, ASan+UBSan, -Werror)")
        r = subprocess.run(NICE + ["cmake", "-S", self.src, "-B", self.build, f"-DCMAKE_BUILD_TYPE={build_type}",
                                   "-DBANK_SANITIZE=ON", "-DBANK_WERROR=ON"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            die(f"cmake failed:\n{r.stderr}")
        logfile = os.path.join(self.work, "build.log")
        if not self.cmake_build(logfile):
            with open(logfile) as f:
                sys.stderr.write("".join(f.readlines()[-30:]))
            die("the unmutated tree does not build")
        self.objects = {}  # src/x/y.c -> [object files]
        for dirpath, _, names in os.walk(os.path.join(self.build, "CMakeFiles")):
            for n in names:
                if n.endswith(".c.o"):
                    full = os.path.join(dirpath, n)
                    rel = full.split(".dir/", 1)[1][:-2] if ".dir/" in full else None
                    if rel and rel.startswith("src/"):
                        self.objects.setdefault(rel, []).append(full)
        self.saved = os.path.join(self.work, "objects")
        for rel, objs in self.objects.items():
            for i, o in enumerate(objs):
                dst = os.path.join(self.saved, f"{rel}.{i}.o")
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copy2(o, dst)
        self.read_tests()

    def read_tests(self):
        r = subprocess.run(["ctest", "--show-only=json-v1"], cwd=self.build, capture_output=True, text=True)
        self.tests = []
        b, s = self.build + "/", self.src
        for t in json.loads(r.stdout)["tests"]:
            files, always = [], False
            for arg in t.get("command", []):
                if arg in (self.build, s) or arg.startswith(s + "/src/"):
                    always = True
                elif arg.startswith(b) and os.path.isfile(arg):
                    files.append(arg)
                elif arg.startswith(b):
                    always = True
            labels = next((p["value"] for p in t.get("properties", []) if p["name"] == "LABELS"), [])
            self.tests.append(Test(t["name"], files, always, labels))
        self.hashes = {f: file_hash(f) for t in self.tests for f in t.files}

    def changed_tests(self):
        """The tests whose programs differ from the unmutated build's (or that build their own)."""
        now = {}
        out = []
        for t in self.tests:
            for f in t.files:
                if f not in now:
                    now[f] = file_hash(f) if os.path.exists(f) else ""
            if t.always or any(now[f] != self.hashes[f] for f in t.files):
                out.append(t)
        return out


# ---------------------------------------------------------------------------------------------
# Running tests: each through ctest, in its own process group, two at a time.
# ---------------------------------------------------------------------------------------------

def first_failure(output):
    """The first failing case in a test's output: Criterion's [FAIL] suite::test, a script's FAIL."""
    cases = re.findall(r"^\[FAIL\] (\S+::[^\s:]+)", output, re.M)
    cases += [re.sub(r": .*", "", c)[:50] for c in re.findall(r"^FAIL:? (.*)$", output, re.M)]
    if not cases:
        return ""
    return cases[0] + (f" (+{len(cases) - 1} more)" if len(cases) > 1 else "")


def kill_session(sid):
    try:
        os.killpg(sid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[3]) == sid:  # the session id, after state, ppid and pgrp
                os.kill(int(pid), signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            pass


class Run:
    def __init__(self, tree, test, logfile):
        self.test = test
        self.logfile = logfile
        self.out = open(logfile, "w")
        self.start = time.monotonic()
        limit = test.limit or 900
        self.deadline = self.start + limit
        self.proc = subprocess.Popen(
            NICE + ["ctest", "-R", f"^{test.name}$", "--output-on-failure", "--timeout", str(int(limit))],
            cwd=tree.build, stdout=self.out, stderr=subprocess.STDOUT, env=test_env(),
            start_new_session=True)
        self.timed_out = False

    def kill(self):
        """The test's process group and everything else in its session: what it started, even
        in process groups of their own (bank drive --start starts each command in one)."""
        kill_session(self.proc.pid)

    def poll(self):
        rc = self.proc.poll()
        if rc is None and time.monotonic() > self.deadline:
            self.timed_out = True
            self.kill()
            rc = self.proc.wait()
        if rc is not None:
            self.kill()  # what it left running
            self.out.close()
            self.seconds = time.monotonic() - self.start
        return rc

    def passed(self, rc):
        if rc == 0 and not self.timed_out:
            with open(self.logfile) as f:
                return "100% tests passed" in f.read()
        return False

    def why(self):
        with open(self.logfile, errors="replace") as f:
            text = f.read()
        if self.timed_out or re.search(r"\*\*\*Timeout", text):
            return "timed out"
        return first_failure(text)


def run_tests(tree, tests, logdir, stop_on_failure, slots):
    """Runs tests in the order given, `slots` at a time; returns (failed, seconds per test), where
    failed is [(test, why)] (just the first one when stop_on_failure)."""
    os.makedirs(logdir, exist_ok=True)
    queue = list(tests)
    running = []
    failed, seconds = [], {}
    try:
        while queue or running:
            while queue and len(running) < slots and not (failed and stop_on_failure):
                t = queue.pop(0)
                running.append(Run(tree, t, os.path.join(logdir, f"{t.name}.log")))
            time.sleep(0.1)
            for r in list(running):
                rc = r.poll()
                if rc is None:
                    continue
                running.remove(r)
                seconds[r.test.name] = r.seconds
                if not r.passed(rc):
                    failed.append((r.test, r.why()))
            if failed and stop_on_failure:
                queue = []
                break
    finally:  # on a failure, and when the script is interrupted: nothing left running
        for r in running:
            r.kill()
            r.proc.wait()
            r.out.close()
    return failed, seconds


# ---------------------------------------------------------------------------------------------
# Judging one mutant.
# ---------------------------------------------------------------------------------------------

# Warnings a mutant brings about without its meaning being in doubt: a statement deleted can
# leave a parameter, a variable or a static function unused, and && turned to || beside another
# || asks for parentheses. Rather than set such a mutant apart as NOT-BUILT, its files are told
# to ignore just the warnings it raised (allow_warnings()), and it is judged.
BENIGN_WARNINGS = {"unused-parameter", "unused-variable", "unused-but-set-variable",
                   "unused-but-set-parameter", "unused-function", "parentheses"}


def allow_warnings(text, warnings):
    """The source text with these warnings ignored: a _Pragma for each, on the file's first blank
    line outside any comment, brace or directive (after its opening comment or its #includes,
    before its code), so that every build of it (the tests' gcc one, and the libFuzzer test's
    clang one, whatever its flags) compiles it, and no line or column of code moves. None when
    the file has no such line."""
    lines = text.split("\n")
    for i, line in enumerate(lines[:-1]):  # the last is what follows the final newline
        if line.strip() or (i > 0 and lines[i - 1].rstrip().endswith("\\")):
            continue
        before = mask("\n".join(lines[:i]) + "\nX")  # X stays unless a comment is still open
        if before.endswith("X") and before.count("{") == before.count("}"):
            lines[i] = " ".join(f'_Pragma("GCC diagnostic ignored \\"-W{w}\\"")' for w in warnings)
            return "\n".join(lines)
    return None


def benign_errors(build_log, files):
    """The warnings to let pass when every error of a failed build is a BENIGN_WARNINGS one in a
    file the mutant changed; [] when there is any other error (the mutant does not compile)."""
    found = re.findall(r"^(\S+):\d+:\d+: error: .*?(?:\[-Werror=([\w-]+)\])?$", build_log, re.M)
    if not found or any(w not in BENIGN_WARNINGS or not any(p == f or p.endswith("/" + f) for f in files)
                        for p, w in found):
        return []
    return sorted({w for _, w in found})


@dataclasses.dataclass
class Verdict:
    result: str        # KILLED, SURVIVED, NOT-BUILT, SAME-CODE, EQUIVALENT
    seconds: float = 0.0
    detail: str = ""   # the test that killed it (and its first failing case), or why not judged


class Judge:
    def __init__(self, tree):
        self.tree = tree
        self.record = {}  # (directory, test) -> [runs, failures]: the order of the next mutant's tests
        self.allowed = []    # the warnings the mutant being judged is built ignoring
        self.unallowed = {}  # its files as mutate() left them, before allow_warnings()

    def order(self, directory, tests):
        def cost(t):
            runs, kills = self.record.get((directory, t.name), (0, 0))
            return max(t.seconds, 0.05) * (runs + 2) / (kills + 1)
        return sorted(tests, key=lambda t: (cost(t), t.name))

    def judge(self, name, directory, files, mutate, logdir, same_code_check=True):
        """Mutates (mutate() edits the copy), rebuilds, runs the changed tests, restores."""
        tree = self.tree
        shutil.rmtree(logdir, ignore_errors=True)
        os.makedirs(logdir)
        originals = {}
        for f in files:
            with open(os.path.join(tree.src, f), "rb") as fh:
                originals[f] = fh.read()
        start = time.monotonic()
        try:
            mutate()
            v = self._judge(directory, files, logdir, same_code_check, start)
            if self.allowed and v.result != "NOT-BUILT":
                v.detail += f" (built ignoring {' '.join('-W' + w for w in self.allowed)})"
            return v
        finally:
            for f, data in originals.items():
                with open(os.path.join(tree.src, f), "wb") as fh:
                    fh.write(data)
                # The unmutated object back in place (newer than the source), so the next build
                # relinks instead of compiling this file again.
                for i, o in enumerate(tree.objects.get(f, [])):
                    shutil.copyfile(os.path.join(tree.saved, f"{f}.{i}.o"), o)

    def build(self, files, buildlog, target=None):
        """Builds target (None: everything). When the only errors are BENIGN_WARNINGS in the
        mutated files, has those files ignore them (noted in self.allowed) and builds again."""
        tree = self.tree
        while not tree.cmake_build(buildlog, target):
            with open(buildlog, errors="replace") as fh:
                allowed = sorted(set(self.allowed) | set(benign_errors(fh.read(), files)))
            if allowed == self.allowed:
                return False  # another error, or one that ignoring did not silence
            for f in files:
                p = os.path.join(tree.src, f)
                if f not in self.unallowed:
                    with open(p, encoding="utf-8") as fh:
                        self.unallowed[f] = fh.read()
                text = allow_warnings(self.unallowed[f], allowed)
                if text is None:
                    return False
                with open(p, "w", encoding="utf-8") as fh:
                    fh.write(text)
            self.allowed = allowed
        return True

    def _judge(self, directory, files, logdir, same_code_check, start):
        tree = self.tree
        buildlog = os.path.join(logdir, "build.log")
        objs = [o for f in files for o in tree.objects.get(f, [])]
        targets = sorted({o.split("/CMakeFiles/", 1)[1].split(".dir/", 1)[0] for o in objs})
        self.allowed, self.unallowed = [], {}
        ok = all(self.build(files, buildlog, t) for t in targets)
        if ok and same_code_check and objs and all(f.endswith(".c") for f in files):
            same = all(open(o, "rb").read() == open(os.path.join(tree.saved, f"{f}.{i}.o"), "rb").read()
                       for f in files for i, o in enumerate(tree.objects[f]))
            if same:
                return Verdict("SAME-CODE", time.monotonic() - start, "compiles to the unmutated object file")
        if ok:
            ok = self.build(files, buildlog)
        if not ok:
            with open(buildlog, errors="replace") as fh:
                text = fh.read()
            errors = re.findall(r"^(\S+:\d+:\d+: error: .*)$", text, re.M)
            if errors:
                return Verdict("NOT-BUILT", time.monotonic() - start, errors[0].split(tree.src + "/")[-1][:100])
            return Verdict("KILLED", time.monotonic() - start, "the build (a step that runs bank) failed")
        tests = self.order(directory, tree.changed_tests())
        left, flaky = list(tests), []
        while True:
            failed, seconds = run_tests(tree, left, logdir, True, os.cpu_count() or 2)
            for name in seconds:
                rec = self.record.setdefault((directory, name), [0, 0])
                rec[0] += 1
            done = set(seconds)
            if not failed:
                break
            t, why = failed[0]
            # A failure of a test that runs servers and processes is run once more, alone, before
            # it counts: some fail now and then on a loaded machine whatever the code (a leak
            # report inside libcrypto, a process slow to go after SIGINT). A unit test's counts.
            if "unit" in t.labels or run_tests(tree, [t], os.path.join(logdir, "again"), True, 1)[0]:
                self.record[(directory, t.name)][1] += 1
                note = f"; {', '.join(flaky)} failed once, then passed" if flaky else ""
                return Verdict("KILLED", time.monotonic() - start, t.name + (f": {why}" if why else "") + note)
            flaky.append(t.name)
            left = [x for x in left if x.name not in done]
        keep_first_failures(logdir, flaky)
        note = (f" ({', '.join(flaky)} failed once, then passed; the first failure's log is in "
                f"{os.path.relpath(logdir, ROOT)}/)") if flaky else ""
        return Verdict("SURVIVED", time.monotonic() - start, f"-- all {len(tests)} tests it changed passed{note}")


def keep_first_failures(logdir, flaky):
    """Removes a survivor's logs but the first failure of each test that then passed alone: a test
    that fails now and then is a fault too (of the test or of the code), and its log is the lead."""
    keep = {f"{name}.log" for name in flaky}
    if not keep:
        shutil.rmtree(logdir, ignore_errors=True)
        return
    for entry in os.listdir(logdir):
        path = os.path.join(logdir, entry)
        if os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        elif entry not in keep:
            os.remove(path)


def baseline(tree):
    log("running the whole ctest on the unmutated tree")
    logdir = os.path.join(tree.logs, "unmutated")
    shutil.rmtree(logdir, ignore_errors=True)
    os.makedirs(logdir)
    for t in tree.tests:
        t.limit = 900
    start = time.monotonic()
    failed, seconds = run_tests(tree, tree.tests, logdir, False, os.cpu_count() or 2)
    if failed:
        die("the unmutated tree fails its tests (no mutant can be judged): " +
            ", ".join(f"{t.name} {why}" for t, why in failed) + f"; logs in {logdir}")
    fixed = os.environ.get("BANK_MUTATE_TIMEOUT")
    for t in tree.tests:
        t.seconds = seconds.get(t.name, 1.0)
        # A mutant that makes a test hang is killed: past five times its unmutated time (at least
        # 90 s, for a loaded machine), its whole process group is.
        t.limit = float(fixed) if fixed else max(90.0, 5 * t.seconds)
    log(f"{len(tree.tests)} tests passed in {time.monotonic() - start:.0f} s")


# ---------------------------------------------------------------------------------------------
# The two modes.
# ---------------------------------------------------------------------------------------------

def fmt_time(s):
    return f"{s:.0f}s"


def score_table(rows, out=None):
    """rows: [(directory, result)]; prints the score per directory and for src/ as a whole."""
    out = out or sys.stdout
    dirs = sorted({d for d, _ in rows}, key=lambda d: ALL_DIRS.index(d) if d in ALL_DIRS else 99)
    print(f"\n{'':12} {'generated':>9} {'not built':>9} {'equivalent':>10} {'killed':>6} {'survived':>8}  score",
          file=out)
    low = 100.0
    for d in dirs + ["src"]:
        rs = [r for dd, r in rows if d == "src" or dd == d]
        n = len(rs)
        nb = rs.count("NOT-BUILT")
        eq = rs.count("EQUIVALENT") + rs.count("SAME-CODE")
        k = rs.count("KILLED")
        s = rs.count("SURVIVED")
        judged = n - nb - eq
        pct = 100.0 * k / judged if judged else 100.0
        if d != "src":
            low = min(low, pct)
        name = f"src/{d}" if d != "src" else "src"
        print(f"{name:12} {n:9} {nb:9} {eq:10} {k:6} {s:8}  {pct:5.1f}%  ({k}/{judged})", file=out)
    print("score: killed / (generated - equivalent - not built); equivalent counts SAME-CODE (the "
          "compiler made the unmutated object) and tools/mutants/equivalent.txt", file=out)
    return low


TSV_HEADER = "key\tfile\tline\toperator\tchange\tresult\tseconds\tdetail\n"


def read_rows(tsv):
    """KEY -> the columns of its last row in tsv (a sitting that goes on from a record writes the
    survivors it carries first and their new verdicts later), or {} when there is no tsv."""
    rows = {}
    if not os.path.exists(tsv):
        return rows
    with open(tsv, encoding="utf-8") as f:
        if f.readline() != TSV_HEADER:
            die(f"{tsv} is not a table this script wrote")
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) == 8:
                rows[cols[0]] = cols
    return rows


def read_recorded(rows):
    """KEY -> (result, seconds, detail) of an earlier run of the same sample, but its survivors
    and NOT-BUILT ones: a survivor is judged again (a test may have been written for it since),
    and so is a mutant that did not build (it may now: BENIGN_WARNINGS; a failed build is quick)."""
    return {k: (c[5], c[6], c[7]) for k, c in rows.items() if c[5] not in ("SURVIVED", "NOT-BUILT")}


def print_record_table(chosen, equivalent, rows, source):
    """--table: the score per directory of the sample as its record stands, judging nothing."""
    table = [(mu.directory, "EQUIVALENT" if mu.key in equivalent else rows[mu.key][5])
             for mu in chosen if mu.key in equivalent or mu.key in rows]
    score_table(table)
    print(f"\n{len(table)} of the {len(chosen)} mutants judged in {source} (or listed equivalent); "
          f"{len(chosen) - len(table)} not yet")
    return 0


COVERAGE_INFO = os.path.join("build", "coverage", "coverage.src.info")


def read_line_hits(info):
    """(path from the root, line) -> how many times the tests ran it, from an lcov tracefile (a
    line lcov does not list holds no code it counts). The paths are taken from their src/ on, so
    a tracefile of another checkout of the project reads the same."""
    hits, path = {}, None
    with open(info, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if line.startswith("SF:"):
                at = line.rfind("/src/")
                path = line[at + 1:] if at >= 0 else line[3:]
            elif line.startswith("DA:") and path:
                number, count = line[3:].split(",")[:2]
                key = (path, int(number))
                hits[key] = hits.get(key, 0) + int(count)
    return hits


def print_uncovered(mutants, hits, source):
    """--uncovered: per directory, how many of its mutants sit on lines no test ran; then each."""
    counts, lines = {}, []
    for mu in mutants:
        c = counts.setdefault(mu.directory, [0, 0])
        c[0] += 1
        if hits.get((mu.path, mu.line)) == 0:
            c[1] += 1
            lines.append(f"{mu.key:10} {mu.path}:{mu.line}:{mu.col + 1}  {mu.op:12} {mu.describe()}")
    print(f"mutants on lines no test ran, by {source}")
    print(f"{'':12}{'mutants':>8}{'not run':>9}{'share':>8}")
    for d in sorted(counts, key=ALL_DIRS.index):
        n, cold = counts[d]
        print(f"{'src/' + d:12}{n:8}{cold:9}{100 * cold / n:7.1f}%")
    n, cold = sum(c[0] for c in counts.values()), sum(c[1] for c in counts.values())
    print(f"{'src':12}{n:8}{cold:9}{100 * cold / n if n else 0:7.1f}%\n")
    for line in lines:
        print(line)
    return 0


def run_uncovered(args):
    dirs = args.dirs.split() if args.dirs else ALL_DIRS
    for d in dirs:
        if d not in ALL_DIRS:
            die(f"--dirs: unknown directory {d} (one of: {' '.join(ALL_DIRS)})")
    info = args.uncovered
    if not os.path.exists(info):
        die(f"--uncovered: no {info}: run tools/coverage.sh first (it writes {COVERAGE_INFO})")
    hits = read_line_hits(info)
    if not hits:
        die(f"--uncovered: {info} counts no line (not an lcov tracefile?)")
    made = os.path.getmtime(info)
    newer = sorted({path for path, _ in hits
                    if os.path.exists(os.path.join(ROOT, path)) and os.path.getmtime(os.path.join(ROOT, path)) > made})
    if newer:  # its line numbers may no longer be these files' lines
        log(f"warning: {len(newer)} file(s) changed since {os.path.relpath(info)} was written "
            f"({', '.join(newer[:3])}{', ...' if len(newer) > 3 else ''}): run tools/coverage.sh again")
    return print_uncovered(all_mutants(dirs), hits, os.path.relpath(info))


def run_sample(args):
    dirs = args.dirs.split() if args.dirs else ALL_DIRS
    for d in dirs:
        if d not in ALL_DIRS:
            die(f"--dirs: unknown directory {d} (one of: {' '.join(ALL_DIRS)})")
    everything = all_mutants(dirs)
    equivalent = read_equivalent()
    keys = {mu.key for mu in all_mutants(ALL_DIRS)}
    for k, (where, _) in equivalent.items():
        if k not in keys:
            log(f"warning: equivalent.txt: {k} ({where}) is no mutant of the source any more: remove it")
    if args.only:
        by_key = {mu.key: mu for mu in everything}
        missing = [k for k in args.only if k not in by_key]
        if missing:
            die(f"--only: no such mutant: {' '.join(missing)}")
        chosen = [by_key[k] for k in args.only]
        what = f"{len(chosen)} mutants chosen by key"
    else:
        chosen = sample(everything, args.sample, args.seed)
        what = f"{len(chosen)} of {len(everything)} mutants in {' '.join('src/' + d for d in dirs)}, seed {args.seed}"
    if args.list:
        print(f"# {what}")
        for mu in chosen:
            eq = "  EQUIVALENT: " + equivalent[mu.key][1] if mu.key in equivalent else ""
            print(f"{mu.key:10} {mu.path}:{mu.line}:{mu.col + 1}  {mu.op:12} {mu.describe()}{eq}")
            if mu.op != "delete":
                print(f"{'':10}   {mu.mutated_line().strip()}")
        return 0
    stem = f"sample-{args.seed}-{args.sample}" if not args.only else "only"
    tsv = os.path.join(ROOT, "build", "mutants", stem + ".tsv")
    # A sample judged over several sittings outlives a bare machine in the record kept in git.
    kept = os.path.join(MUTANTS_DIR, stem + ".tsv")
    record = tsv if os.path.exists(tsv) or not os.path.exists(kept) else kept
    if args.table:
        return print_record_table(chosen, equivalent, read_rows(record), os.path.relpath(record, ROOT))
    rows = {}
    if args.resume:
        if record == kept:
            log(f"--resume: no {os.path.relpath(tsv, ROOT)}; going on from the record kept in "
                f"{os.path.relpath(kept, ROOT)}")
        rows = read_rows(record)
    recorded = read_recorded(rows)
    log(what)
    tree = Tree(args.keep)
    try:
        tree.configure()
        baseline(tree)
        judge = Judge(tree)
        started = time.monotonic()
        results = {}  # key -> (result, seconds, detail), in the order judged
        for mu in chosen:
            if mu.key in recorded and mu.key not in equivalent:  # the list, reviewed, comes first
                results[mu.key] = recorded[mu.key]
        if recorded:
            log(f"--resume: {len(results)} of the sample's mutants judged before and kept "
                f"({len(recorded) - len(results)} recorded ones are no longer in it or are listed equivalent; "
                f"survivors and mutants not built are judged again)")
        print(f"\n{'key':10} {'file:line':32} {'operator':12} {'result':10} {'time':>5}  killed by (test: first failing case) / why")
        with open(tsv, "w") as out:
            out.write(TSV_HEADER)
            by_key = {mu.key: mu for mu in chosen}
            for key, (result, seconds, detail) in results.items():
                mu = by_key[key]
                out.write(f"{mu.key}\t{mu.path}\t{mu.line}\t{mu.op}\t{mu.describe()}\t{result}\t{seconds}\t{detail}\n")
            # the survivors and NOT-BUILT ones carried over, until judged again (a later row wins)
            for mu in chosen:
                if mu.key in rows and mu.key not in results and mu.key not in equivalent:
                    out.write("\t".join(rows[mu.key]) + "\n")
            out.flush()
            stopped = False
            for mu in chosen:
                if mu.key in results:
                    continue
                if args.budget is not None and time.monotonic() - started > args.budget * 60:
                    stopped = True
                    log(f"--budget: {args.budget:g} minutes spent; the rest is left for --resume")
                    break
                if mu.key in equivalent:
                    v = Verdict("EQUIVALENT", 0, equivalent[mu.key][1])
                else:
                    def mutate(mu=mu):
                        p = os.path.join(tree.src, mu.path)
                        with open(p, encoding="utf-8") as fh:
                            lines = fh.read().split("\n")
                        assert lines[mu.line - 1] == mu.text
                        lines[mu.line - 1] = mu.mutated_line()
                        with open(p, "w", encoding="utf-8") as fh:
                            fh.write("\n".join(lines))
                    v = judge.judge(mu.key, mu.directory, [mu.path], mutate, os.path.join(tree.logs, mu.key))
                results[mu.key] = (v.result, f"{v.seconds:.0f}", v.detail)
                where = f"{mu.path[4:]}:{mu.line}"
                print(f"{mu.key:10} {where:32} {mu.op:12} {v.result:10} {fmt_time(v.seconds):>5}  {v.detail}")
                change = mu.describe() + ("" if mu.op == "delete" else ": " + mu.mutated_line().strip())
                print(f"{'':10}   {change}", flush=True)
                out.write(f"{mu.key}\t{mu.path}\t{mu.line}\t{mu.op}\t{mu.describe()}\t{v.result}\t{v.seconds:.0f}\t{v.detail}\n")
                out.flush()
                if len(results) % 10 == 0:
                    log(f"{len(results)}/{len(chosen)} judged, {time.monotonic() - started:.0f} s")
        rows = [(by_key[k].directory, r) for k, (r, _, _) in results.items()]
        low = score_table(rows)
        survivors = [by_key[k] for k, (r, _, _) in results.items() if r == "SURVIVED"]
        part = f"{len(results)} of them judged" + (" (stopped by --budget)" if stopped else "")
        print(f"\n{what}: {part}, in {time.monotonic() - started:.0f} s (wall; the build and the unmutated "
              f"run before it not counted); results in {tsv}")
        if survivors:
            print("survivors (write the test that kills each, or list it in tools/mutants/equivalent.txt):")
            for mu in survivors:
                print(f"  {mu.key} {mu.path}:{mu.line}  {mu.describe()}")
        if args.min_score is not None:
            return 0 if low >= args.min_score else 1
        return 1 if survivors else 0
    finally:
        tree.close()


def run_patches(patterns, keep):
    patches = []
    for name in sorted(os.listdir(MUTANTS_DIR)):
        if not name.endswith(".patch"):
            continue
        stem = name[:-6]
        if patterns and not any(p in stem for p in patterns):
            continue
        patches.append(os.path.join(MUTANTS_DIR, name))
    if not patches:
        die(f"no mutant in {MUTANTS_DIR}" + (f" matches {' '.join(patterns)}" if patterns else ""))
    tree = Tree(keep)
    try:
        for p in patches:  # every mutant must apply exactly before any time is spent on the others
            with open(p) as fh:
                if not fh.readline().startswith("Mutant: "):
                    die(f"{os.path.basename(p)}: the first line must be \"Mutant: what the fault is\"")
            r = subprocess.run(["patch", "-p1", "--fuzz=0", "--dry-run", "-s", "-d", tree.src, "-i", p],
                               capture_output=True)
            if r.returncode != 0:
                die(f"{os.path.basename(p)} no longer applies to the source (it changed): update or remove this mutant")
        tree.configure()
        baseline(tree)
        judge = Judge(tree)
        rows = []
        print(f"\n{'mutant':34} {'file':24} {'result':9} {'time':>5}  killed by (test: first failing case)")
        for p in patches:
            name = os.path.basename(p)[:-6]
            with open(p) as fh:
                text = fh.read()
            what = text.split("\n", 1)[0][len("Mutant: "):]
            files = re.findall(r"^\+\+\+ b/(\S+)", text, re.M)
            directory = files[0].split("/")[1] if files and files[0].startswith("src/") else "other"

            def mutate(p=p):
                subprocess.run(["patch", "-p1", "--fuzz=0", "-s", "-d", tree.src, "-i", p],
                               check=True, capture_output=True)
            v = judge.judge(name, directory, files, mutate, os.path.join(tree.logs, name), same_code_check=False)
            rows.append(v.result)
            print(f"{name:34} {','.join(files):24} {v.result:9} {fmt_time(v.seconds):>5}  {v.detail}")
            print(f"{'':34}   ({what})", flush=True)
        killed = rows.count("KILLED")
        print(f"\nmutate: {killed} of {len(rows)} mutants killed, {rows.count('SURVIVED')} survived "
              f"(logs of the killing tests in build/mutants/NAME/)")
        if "NOT-BUILT" in rows:
            die("a mutant does not build: fix its patch")
        if "SURVIVED" in rows:
            log("FAILED: a surviving mutant is a fault no test sees: add the test that kills it")
            return 1
        print("mutate: every mutant killed")
        return 0
    finally:
        tree.close()


def main():
    ap = argparse.ArgumentParser(
        prog="tools/mutate.sh",
        description="Mutation testing: the hand-written mutants of tools/mutants/ (PATTERN picks them by "
                    "name), or --sample N operator mutants generated from src/.")
    ap.add_argument("patterns", nargs="*", metavar="PATTERN",
                    help="only the hand-written mutants whose file name contains a PATTERN")
    ap.add_argument("--sample", type=int, metavar="N", help="generate N operator mutants from src/ (needs --seed)")
    ap.add_argument("--seed", type=int, metavar="S", help="the sample's seed (the same N, S and source: the same mutants)")
    ap.add_argument("--dirs", metavar="\"D ...\"", help=f"the directories of src/ to mutate (default: {' '.join(ALL_DIRS)})")
    ap.add_argument("--list", action="store_true", help="print the sampled mutants (key, place, change) and stop")
    ap.add_argument("--only", nargs="+", metavar="KEY", help="judge just these mutants (keys from --list)")
    ap.add_argument("--resume", action="store_true",
                    help="keep what the last run of this sample recorded in build/mutants/sample-S-N.tsv "
                         "(all but its survivors and those not built) and judge the rest")
    ap.add_argument("--table", action="store_true",
                    help="print the score per directory of the sample as its record stands (build/mutants/"
                         "sample-S-N.tsv, else tools/mutants/'s), judging nothing")
    ap.add_argument("--budget", type=float, metavar="MINUTES",
                    help="judge no new mutant after MINUTES (the table covers those judged; --resume goes on)")
    ap.add_argument("--min-score", type=float, metavar="PCT",
                    help="exit 0 when every directory scores at least PCT (default: only when nothing survives)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary tree (its path is printed)")
    ap.add_argument("--uncovered", nargs="?", const=os.path.join(ROOT, COVERAGE_INFO), metavar="INFO",
                    help="judge nothing: list every mutant on a line no test ran, by the lcov tracefile INFO "
                         f"(default: {COVERAGE_INFO}, written by tools/coverage.sh; code that only runs in a "
                         "process ended by a signal counts as not run), with the share per directory")
    args = ap.parse_args()
    args.keep = args.keep or os.environ.get("BANK_MUTATE_KEEP") == "1"
    if args.uncovered is not None:
        if args.sample is not None or args.only or args.patterns or args.seed is not None or args.list or \
                args.table or args.resume or args.budget is not None or args.min_score is not None:
            ap.error("--uncovered judges nothing: it goes with --dirs alone")
        return run_uncovered(args)
    if args.sample is not None or args.only:
        if args.patterns:
            ap.error("PATTERN picks hand-written mutants; it does not go with --sample or --only")
        if not args.only and (args.seed is None or args.sample < 1):
            ap.error("--sample N needs N >= 1 and --seed S")
        args.seed = args.seed or 0
        args.sample = args.sample or 0
        return run_sample(args)
    if args.seed is not None or args.dirs or args.list or args.min_score is not None or args.resume \
            or args.budget is not None or args.table:
        ap.error("--seed, --dirs, --list, --table, --resume, --budget and --min-score go with --sample")
    return run_patches(args.patterns, args.keep)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:  # a listing's reader stopped early (| head): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
