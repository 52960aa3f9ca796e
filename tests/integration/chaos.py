#!/usr/bin/env python3
"""Chaos: propagations dropped, duplicated and delayed, replies delayed, on real branches.

For each seed, on in-process branches and on branch processes: the sequential and rounds runs
of golden inputs still print exactly the reference output (the model's), and a live run ends
with every replica equal (bank run checks it, exit 0). From the trace: every write was applied
exactly once at every other branch, however often it was sent; resends were acknowledged as
duplicates. Seeds: BANK_SEED (first, default 1) and CHAOS_SEEDS (how many, default 2);
tools/chaos.sh --seeds N runs many.
Usage: chaos.py BANK GOLDEN_DIR
"""
import collections
import json
import os
import subprocess
import sys
import tempfile

bank, golden = sys.argv[1], sys.argv[2]
first = int(os.environ.get("BANK_SEED", "1"))
count = int(os.environ.get("CHAOS_SEEDS", "2"))
faults = os.environ.get("CHAOS_FAULTS", "drop=15,dup=15,delay=25:30,reply-delay=15:30")
failures = 0
counts = collections.Counter()


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL " + what)
    return cond


def run(args):
    return subprocess.run([bank, "run", *args], capture_output=True, text=True, timeout=600)


def check_trace(path, label):
    """Every write applied exactly once at every branch but its origin."""
    applied = collections.Counter()
    writes = set()
    branches = set()
    with open(path) as f:
        for line in f:
            x = json.loads(line)
            branches.add(x["to_branch"])
            if x["from"] == "customer" and x["rpc"] in ("Deposit", "Withdraw") and x["reply"] == "success":
                writes.add((x["to_branch"], x["customer"], x["event"]))
            if x["rpc"].startswith("Propagate_"):
                counts["propagations answered"] += 1
                if x["reply"] == "applied":
                    applied[(x["from_id"], x["customer"], x["event"], x["to_branch"])] += 1
                elif x["reply"] == "duplicate":
                    counts["duplicates acknowledged"] += 1
    ok = True
    for origin, customer, event in writes:
        for b in branches - {origin}:
            n = applied[(origin, customer, event, b)]
            ok &= check(n == 1, "%s: write (customer %d, event %d) applied %d times at branch %d"
                        % (label, customer, event, n, b))
    counts["writes checked"] += len(writes)
    return ok


# rule: P10, P4, P8
with tempfile.TemporaryDirectory() as tmp:
    for seed in range(first, first + count):
        for mode in ([], ["--processes"]):
            where = "processes" if mode else "in-process"
            common = [*mode, "--faults", faults, "--seed", str(seed), "--attempts", "20",
                      "--retry-backoff-ms", "10", "--deadline-ms", "60000"]
            for case, schedule in (("many-rounds", "sequential"), ("many-rounds", "rounds"),
                                   ("failed-withdrawals", "rounds"), ("repeated-ids", "sequential")):
                label = "seed %d %s %s %s" % (seed, where, case, schedule)
                trace = os.path.join(tmp, "trace.jsonl")
                r = run([*common, "--schedule", schedule, "--trace", trace,
                         os.path.join(golden, case, "input.json")])
                want = open(os.path.join(golden, case, "expected.%s.json" % schedule)).read()
                check(r.returncode == 0 and r.stdout == want,
                      "%s: exit %d, output %s (%s)" % (label, r.returncode,
                                                     "as expected" if r.stdout == want else "differs",
                                                     r.stderr.strip()[:300]))
                check_trace(trace, label)
                counts["runs"] += 1
            label = "seed %d %s live" % (seed, where)
            trace = os.path.join(tmp, "trace.jsonl")
            r = run([*common, "--schedule", "live", "--trace", trace, os.path.join(golden, "many-rounds", "input.json")])
            check(r.returncode == 0 and "replicas agree" in r.stderr, "%s: exit %d (%s)" % (label, r.returncode, r.stderr.strip()[:300]))
            check_trace(trace, label)
            counts["runs"] += 1

print("chaos: seeds %d..%d, faults %s: %s; %d failures" % (
    first, first + count - 1, faults, ", ".join("%s %d" % kv for kv in sorted(counts.items())), failures))
sys.exit(1 if failures else 0)
