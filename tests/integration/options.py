#!/usr/bin/env python3
"""Every numeric option of every bank command at its boundaries: the least value, 0, the
greatest, and one past each end.

The options are walked from each command's --help (the commands from `bank help --commands`,
and the projects' own: `bank grade --project 2`, `bank run --project 3`, `bank grade --project
3`): every option written with a value is given "x", and the ones that answer "expected a whole
number from MIN to MAX" are the numeric ones. Each of those must be in RANGES below with that
range (a new numeric option fails this test until its range is written here: a range users read
in the error is a promise), and then:
- MIN, MAX and 0 (when in range) are taken: `bank CMD --opt VALUE --help` prints the usage,
  exit 0 (the parser checks the value before it reaches --help, and nothing runs);
- MIN - 1 and MAX + 1 are refused: exit 2 and one line on standard error, "bank CMD: --opt:
  expected a whole number from MIN to MAX, got "VALUE"" (beyond the 64-bit range too);
- so are "", "1x", "0x10" and "1.5".
Every command also names an unknown option, and a value option given no value, in one line;
and each rule of options that exclude or need each other refuses with its one line, exit 2.
Then the values at the edges that change what a command does are run: 0 means 0, not "unset".
Usage: options.py BANK GOLDEN_DIR
"""
import json
import os
import re
import subprocess
import sys
import tempfile

bank, golden = sys.argv[1], sys.argv[2]
failures = checked = 0
I64_MAX = 2**63 - 1

# command -> option -> (min, max): what each numeric option takes.
DEADLINE, THREADS = (1, 3600000), (1, 64)
RANGES = {
    "run": {"project": (1, 3), "threads": THREADS, "attempts": (1, 1000), "retry-backoff-ms": (1, 2000),
            "seed": (0, I64_MAX), "query-delay": (0, 3600000), "deadline-ms": DEADLINE},
    "branch": {"id": (0, 2**31 - 1), "balance": (0, I64_MAX), "threads": THREADS, "deadline-ms": DEADLINE,
               "attempts": (1, 1000), "retry-backoff-ms": (1, 2000), "seed": (0, I64_MAX)},
    "bench": {"branches": (1, 1000), "customers": (1, 100000), "events": (1, 100000), "seed": (0, I64_MAX),
              "bare-calls": (1, 10000000), "threads": THREADS, "deadline-ms": DEADLINE, "row-timeout": (1, 86400),
              "table-branches": (1, 1000), "table-customers": (1, 100000)},  # each of a list
    "soak": {"branches": (1, 1000), "customers": (1, 100000), "events": (1, 100000), "seconds": (0, 7 * 86400),
             "every": (1, 86400), "seed": (0, I64_MAX // 2), "deadline-ms": DEADLINE, "threads": THREADS},
    "grade": {"budget": (1, 1000000000), "points": (1, 1000000), "project": (1, 3), "max-bytes": (1, 2**40)},
    "grade --project 2": {"project": (2, 2)},
    "run --project 3": {"project": (3, 3), "threads": THREADS, "attempts": (1, 1000), "retry-backoff-ms": (1, 2000),
                        "seed": (0, I64_MAX), "deadline-ms": DEADLINE},
    "grade --project 3": {"budget": (1, 1000000000), "points": (1, 1000000), "max-bytes": (1, 2**40)},
    "drive": {"query-delay": (0, 3600000), "deadline-ms": DEADLINE, "budget": (1, 1000000000)},
    "diagram": {},
}
SHORT = {("bench", "branches"): "-b", ("bench", "customers"): "-c", ("bench", "events"): "-e",
         ("soak", "branches"): "-b", ("soak", "customers"): "-c", ("soak", "events"): "-e"}


def check(cond, what):
    global failures, checked
    checked += 1
    if not cond:
        failures += 1
        print("FAIL " + what)


def bank_run(*args, timeout=120):
    return subprocess.run([bank, *args], capture_output=True, text=True, timeout=timeout)


def options_of(words):
    """The long options the help of `bank WORDS` names with a value after them."""
    r = bank_run(*words, "--help")
    check(r.returncode == 0, f"bank {' '.join(words)} --help: exit {r.returncode}")
    found = []
    for line in r.stdout.splitlines():
        if not (line.startswith("  -") or line.startswith("usage:") or line.startswith("       bank")):
            continue
        for m in re.finditer(r"--([a-z][a-z0-9-]*)[ =]([A-Z][A-Z0-9_|.-]*|[0-9]+)", line):
            if m.group(1) not in found and m.group(1) != "help":
                found.append(m.group(1))
    return found


def probe(words, opt, value):
    return bank_run(*words, f"--{opt}", value, "--help")


commands = [c for c in bank_run("help", "--commands").stdout.split() if c not in ("version", "help")]
PROJECTS = ["grade --project 2", "run --project 3", "grade --project 3"]  # options of their own
check(set(commands) | set(PROJECTS) == set(RANGES), f"the commands: {commands}")
for cmd in commands + PROJECTS:
    words = cmd.split()
    want = RANGES.get(cmd, {})
    numeric = {}
    for opt in options_of(words):
        r = probe(words, opt, "x")
        m = re.search(r"--" + re.escape(opt) + r": expected a whole number from (-?\d+) to (-?\d+), got \"x\"",
                      r.stderr)
        if m:
            numeric[opt] = (int(m.group(1)), int(m.group(2)))
            check(r.returncode == 2 and r.stdout == "" and r.stderr.count("\n") == 1,
                  f"bank {cmd} --{opt} x: exit {r.returncode}, one line on stderr: {r.stderr!r}")
    for opt in sorted(set(numeric) | set(want)):
        check(numeric.get(opt) == want.get(opt),
              f"bank {cmd} --{opt}: takes {numeric.get(opt)}, this test expects {want.get(opt)} "
              "(a new numeric option: write its range in RANGES)")
    for opt, (lo, hi) in numeric.items():
        names = ["--" + opt] + ([SHORT[(cmd, opt)]] if (cmd, opt) in SHORT else [])
        for name in names:
            taken = [lo, hi] + ([0] if lo <= 0 <= hi else [])
            for v in taken:
                r = bank_run(*words, name, str(v), "--help")
                check(r.returncode == 0 and r.stdout.startswith("usage: bank") and r.stderr == "",
                      f"bank {cmd} {name} {v} (in [{lo}, {hi}]): exit {r.returncode}, {r.stderr.strip()!r}")
            for v in [lo - 1, hi + 1] + ([0] if not lo <= 0 <= hi else []) + ["", "1x", "0x10", "1.5"]:
                r = bank_run(*words, name, str(v), "--help")
                line = f'bank {cmd.split()[0]}: --{opt}: expected a whole number from {lo} to {hi}, got "{v}"\n'
                check(r.returncode == 2 and r.stdout == "" and r.stderr == line,
                      f"bank {cmd} {name} {v!r}: exit {r.returncode} (expected 2 and {line.strip()!r}), "
                      f"got {r.stderr.strip()!r}")

# Every command names an unknown option, and an option left without its value, as given.
for cmd in commands + PROJECTS:
    words = cmd.split()
    name = words[0]
    for args, line in ((["--no-such-option"], "unknown option --no-such-option"),
                       (["--no-such-option", "extra"], "unknown option --no-such-option")):
        r = bank_run(*words, *args)
        check(r.returncode == 2 and r.stderr == f"bank {name}: {line} (see bank {name} --help)\n",
              f"bank {cmd} {' '.join(args)}: exit {r.returncode}, {r.stderr.strip()!r}")
    for opt in options_of(words):
        r = bank_run(*words, f"--{opt}")
        check(r.returncode == 2 and r.stderr == f"bank {name}: --{opt} needs a value (see bank {name} --help)\n",
              f"bank {cmd} --{opt} (no value): exit {r.returncode}, {r.stderr.strip()!r}")

# Options that exclude or need each other: one line naming both, exit 2, nothing run (each
# rule of the commands' option checks once). The input and output files exist, so only the
# rule can refuse.
IN = os.path.join(golden, "sample", "input.json")
OUT = os.path.join(golden, "sample", "expected.sequential.json")
REFUSED = [
    (["run", "--faults", "bogus", IN], "--faults: \"bogus\" is not NAME=PERCENT"),
    (["run", "--processes", "--cluster", OUT, IN], "--processes and --cluster exclude each other"),
    (["run"], "no input file given"),
    (["run", IN, IN], "one input file expected, got several"),
    (["run", "--query-delay", "1", IN], "--query-delay applies to --schedule live only"),
    (["run", "--schedule", "rounds", "--query-delay", "1", IN], "--query-delay applies to --schedule live only"),
    (["run", "--cluster", OUT, "--attempts", "2", IN], "--faults, --attempts and --retry-backoff-ms set up the "
     "branches this run starts; a --cluster's branches take them themselves"),
    (["run", "--cluster", OUT, "--retry-backoff-ms", "2", IN], "--faults, --attempts and --retry-backoff-ms set up "
     "the branches this run starts; a --cluster's branches take them themselves"),
    (["run", "--cluster", OUT, "--trace", "t", IN], "--trace records what the branches this run starts answer; "
     "a --cluster's branches take --trace themselves"),
    (["run", "--tls-ca", OUT, IN], "--tls-ca, --tls-cert and --tls-key go together: --tls-cert and --tls-key missing"),
    (["run", "--tls-ca", OUT, "--tls-cert", OUT, "--tls-key", OUT, "--tls-dir", "d", IN],
     "--tls-dir and --tls-ca/--tls-cert/--tls-key exclude each other"),
    (["run", "--tls-ca", OUT, "--tls-cert", OUT, "--tls-key", OUT, IN], "--tls-ca, --tls-cert and --tls-key are the "
     "customers' files for a --cluster; the branches this run starts take --tls-dir DIR"),
    (["run", "--kill", "1@1", IN], "--kill needs --processes and the sequential or rounds schedule"),
    (["run", "--processes", "--schedule", "live", "--kill", "1@1", IN],
     "--kill needs --processes and the sequential or rounds schedule"),
    (["run", "--project", "2", "--lines", IN], "--style and --lines shape Project 1's output; --project 2 writes "
     "the course's three parts"),
    (["run", "--project", "2", "--style", "money", IN], "--style and --lines shape Project 1's output; --project 2 "
     "writes the course's three parts"),
    (["run", "--project", "2", "--cluster", OUT, IN], "--project 2 reads the clocks from the branches it starts "
     "(not a --cluster's), and a branch restarted by --kill would start its clock again"),
    (["grade", OUT], "--input INPUT.json is required (or --input-pattern GLOB)"),
    (["grade", "--input", IN, "--batch", "d", OUT], f"--batch DIR grades a folder; leave out \"{OUT}\""),
    (["grade", "--input", IN], "which output file? (or --batch DIR)"),
    (["grade", "--input", IN, OUT, OUT], "one output file at a time (or --batch DIR)"),
    (["grade", "--input", IN, "--pattern", "o*", OUT], "--pattern and --input-pattern choose among a submission's "
     "files: give a folder, an archive or --batch"),
    (["grade", "--input", IN, "--input-pattern", "i*", OUT], "--pattern and --input-pattern choose among a "
     "submission's files: give a folder, an archive or --batch"),
    (["grade", "--input", IN, "--gradescope", "r.json", "--batch", "d"],
     "--gradescope and --github grade one submission; leave out --batch"),
    (["grade", "--input", IN, "--github", "--batch", "d"], "--gradescope and --github grade one submission; leave out --batch"),
    (["grade", "--input", IN, "--gradescope-granularity", "event", OUT], "--gradescope-* options shape --gradescope FILE; add it"),
    (["grade", "--input", IN, "--gradescope-stdout-visibility", "hidden", OUT],
     "--gradescope-* options shape --gradescope FILE; add it"),
    (["grade", "--input", IN, "--points", "5", OUT], "--points scales --gradescope and --github; add one"),
    # --witness: one output file of Project 1, graded --consistent; each other case refused alike
    (["grade", "--input", IN, "--witness", os.path.join(golden, "sample")], "--witness shows --consistent's "
     "execution for one output file; drop --exact, --batch or --project"),
    (["grade", "--project", "3", "--input", IN, "--witness", OUT], "--witness shows --consistent's execution for "
     "one output file; drop --exact, --batch or --project"),
    (["grade", "--input", IN, "--witness", "--batch", "d"], "--witness shows --consistent's execution for one "
     "output file; drop --exact, --batch or --project"),
    (["grade", "--input", IN, "--schedule", "rounds", OUT], "--schedule chooses the reference run of --exact; add --exact"),
    (["grade", "--input", IN, "--exact", "--schedule", "live", OUT], "--schedule: \"live\" is not sequential or rounds"),
    (["grade", "--input", IN, "--report", "r.pdf", OUT], "--report: \"r.pdf\" does not end in .csv, .json, .html or .txt"),
    (["grade", "--input", IN, "--diagram", OUT], "--diagram goes into an HTML report: add --report FILE.html"),
    (["grade", "--input", IN, "--diagram", "--report", "r.csv", OUT], "--diagram goes into an HTML report: add --report FILE.html"),
    (["grade", "--input-pattern", "i*", "--diagram", "--report", "r.html", "--batch", "d"],
     "--diagram draws the run of --input; add it"),
    (["grade", "--project", "2", OUT], "--input INPUT.json is required"),
    (["grade", "--project", "2", "--input", IN], "which output files? (or --batch DIR)"),
    (["grade", "--project", "2", "--input", IN, "--batch", "d", OUT], f"--batch DIR grades a folder; leave out \"{OUT}\""),
    (["grade", "--project", "2", "--input", IN, "--report", "r.pdf", OUT],
     "--report: \"r.pdf\" does not end in .csv, .json, .html or .txt"),
    (["grade", "--project"], "--project needs a value"),
    (["bench", "extra"], "unexpected argument \"extra\""),
    (["bench", "--figures", "--table"], "--figures and --table exclude each other"),
    (["bench", "--tls-dir", "d"], "--tls-dir goes with --tls"),
    (["bench", "--tls", "--tls-dir", "d", "--table"], "--tls measures one size, not --table"),
    (["soak", "extra"], "unexpected argument \"extra\""),
    (["branch", "--id", "1", "--balance", "1", "--peers", "-", "extra"], "unexpected argument \"extra\""),
    (["drive", "--cluster", OUT], "no input file given"),
    (["drive", "--cluster", OUT, IN, IN], "one input file expected, got several"),
    (["drive", "--cluster", OUT, "--course-ports", IN], "--cluster and --course-ports both say where the branches are; give one"),
    (["drive", IN], "where are the branches? give --cluster FILE, --course-ports [BASE] or --start 'COMMAND'"),
    (["drive", "--cluster", OUT, "--proto", "p.proto", "--wire", "bank", IN], "--proto is a wire of its own; leave out --wire bank"),
    (["drive", "--cluster", OUT, "--service", "s", "--wire", "bank", IN],
     "--service names the course wire's service; --wire bank has its own"),
    (["drive", "--cluster", OUT, "--method", "deposit=S/D", IN], "--method and --field go with --proto FILE"),
    (["drive", "--cluster", OUT, "--method", "all=S/D", IN], "--method and --field go with --proto FILE"),
    (["drive", "--cluster", OUT, "--method", "alL=S/D", IN], "--method: \"alL\" is not query, deposit, withdraw or all"),
    (["drive", "--cluster", OUT, "--method", "query", IN], "--method: expected INTERFACE=Service/Method, got \"query\""),
    (["drive", "--cluster", OUT, "--query-delay", "1", IN], "--query-delay applies to --schedule live only"),
    (["drive", "--cluster", OUT, "--report", "r.csv", IN], "--report: \"r.csv\" does not end in .html"),
    (["drive", "--cluster", OUT, "--tls-dir", "d", "--tls-ca", OUT, "--tls-cert", OUT, "--tls-key", OUT, IN],
     "--tls-dir and --tls-ca/--tls-cert/--tls-key exclude each other"),
]
for args, line in REFUSED:
    r = bank_run(*args)
    want = f"bank {args[0]}: {line} (see bank {args[0]} --help)\n"
    check(r.returncode == 2 and r.stdout == "" and r.stderr == want,
          f"bank {' '.join(a.replace(golden, 'GOLDEN') for a in args)}: exit {r.returncode}, {r.stderr.strip()!r}, "
          f"expected {want.strip()!r}")

# bench --table-extra BxC: each number at its edges (B in 1..1000, C in 1..100000), as the numeric
# options above: the ends taken, one past each refused with its line
for pair in ("1x1", "1000x100000", "2x3,1x100000"):
    r = bank_run("bench", "--table", "--table-extra", pair, "--help")
    check(r.returncode == 0 and r.stdout.startswith("usage: bank bench") and r.stderr == "",
          f"bench --table-extra {pair} --help: exit {r.returncode}, {r.stderr.strip()!r}")
for pair in ("0x1", "1001x1", "1x0", "1x100001", "2x3,0x1"):
    r = bank_run("bench", "--table", "--table-extra", pair)
    bad = pair.split(",")[-1]
    want = (f"bank bench: --table-extra: \"{bad}\" is not BxC (B in 1..1000, C in 1..100000) "
            "(see bank bench --help)\n")
    check(r.returncode == 2 and r.stdout == "" and r.stderr == want,
          f"bench --table-extra {pair}: exit {r.returncode}, {r.stderr.strip()!r}, expected {want.strip()!r}")

# What the edges do when they run.
sample = os.path.join(golden, "sample")
with open(os.path.join(sample, "expected.sequential.json")) as f:
    expected = json.load(f)
with tempfile.TemporaryDirectory() as tmp:
    # --query-delay 0 is no delay (it is the default), and the live run still answers everything
    r = bank_run("run", "--schedule", "live", "--query-delay", "0", os.path.join(sample, "input.json"))
    check(r.returncode == 0 and len(json.loads(r.stdout)) == 3, f"bank run --schedule live --query-delay 0: {r.returncode} {r.stderr!r}")
    # the least of every retry option, and the most threads: the course's sample still runs
    for args in (["--attempts", "1", "--retry-backoff-ms", "1"], ["--threads", "64"], ["--threads", "1"],
                 ["--seed", "0", "--faults", "dup=100"], ["--seed", str(I64_MAX), "--faults", "dup=100"]):
        r = bank_run("run", *args, os.path.join(sample, "input.json"))
        check(r.returncode == 0 and json.loads(r.stdout or "null") == expected,
              f"bank run {' '.join(args)} on the sample: exit {r.returncode}, {r.stderr.strip()[-200:]!r}")
    # --seed reaches the branch processes: with dup=50, the same seed sends the same number of
    # propagations again, and six seeds do not all send the same number
    many = os.path.join(golden, "many-rounds", "input.json")

    def propagations(seed):
        trace = os.path.join(tmp, f"seed-{seed}.jsonl")
        r = bank_run("run", "--processes", "--faults", "dup=50", "--seed", str(seed), "--trace", trace, many)
        check(r.returncode == 0, f"bank run --processes --faults dup=50 --seed {seed}: exit {r.returncode}")
        with open(trace) as f:
            return sum('"Propagate_' in line for line in f)

    counts = [propagations(seed) for seed in (1, 1, 2, 3, 4, 5, 6)]
    check(counts[0] == counts[1] and len(set(counts[1:])) > 1,
          f"--processes --seed: the same seed repeats its faults and others differ: {counts}")
    # soak --seconds 0: one repetition (one is always finished), not the default minute
    r = bank_run("soak", "-b", "1", "-c", "1", "-e", "1", "--seconds", "0", "--every", "1", timeout=60)
    check(r.returncode == 0 and re.search(r"\b1 repetitions?\b", r.stdout) is not None,
          f"bank soak --seconds 0: exit {r.returncode}: {r.stdout[-300:]!r}")

print(f"options: {checked} checks, {failures} failed")
sys.exit(1 if failures else 0)
