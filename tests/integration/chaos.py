#!/usr/bin/env python3
"""Chaos: propagations dropped, duplicated and delayed, replies delayed, on real branches.

For each seed, on in-process branches and on branch processes: the sequential and rounds runs
of golden inputs still print exactly the reference output (the model's), and a live run ends
with every replica equal (bank run checks it, exit 0). From the trace: every write was applied
exactly once at every other branch, however often it was sent; resends were acknowledged as
duplicates. Then, as processes, one branch (chosen by the seed) is killed with SIGKILL after a
number of answered events (chosen by the seed) and restarted with --recover (bank run --kill):
the output is still the model's (a write answered "pending" is counted and read as success),
every branch ends at the model's final balance, and no write is applied twice anywhere. Seeds: BANK_SEED (first, default 1) and CHAOS_SEEDS (how many, default 2);
tools/chaos.sh --seeds N runs many.
Usage: chaos.py BANK GOLDEN_DIR
"""
import collections
import json
import os
import random
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
            if x["from"] == "customer" and x["rpc"] in ("Deposit", "Withdraw") and x["reply"] in ("success", "pending"):
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

def model_final(input_path, expected_text):
    """Each branch's final balance by the model: its initial balance plus the net of the writes
    the expected output says succeeded."""
    procs = json.load(open(input_path))
    answers = {}
    for rec in json.loads(expected_text):
        answers.setdefault(rec["id"], []).append(rec["recv"])
    net = 0
    seen = collections.Counter()
    for p in procs:
        if p["type"] != "customer":
            continue
        recv = answers[p["id"]][seen[p["id"]]]
        seen[p["id"]] += 1
        for ev, ans in zip(p["events"], recv):
            if ans.get("result") == "success" and ev["interface"] == "deposit":
                net += ev["money"]
            if ans.get("result") == "success" and ev["interface"] == "withdraw":
                net -= ev["money"]
    return {p["id"]: p["balance"] + net for p in procs if p["type"] == "branch"}


def check_trace_at_most_once(path, label):
    """After a crash the recovered branch takes writes from its peers' logs, not as propagations:
    there a write is applied at most once; elsewhere exactly once."""
    applied = collections.Counter()
    with open(path) as f:
        for line in f:
            x = json.loads(line)
            if x["rpc"].startswith("Propagate_") and x["reply"] == "applied":
                applied[(x["from_id"], x["customer"], x["event"], x["to_branch"])] += 1
            if x["reply"] == "error: recovering":
                counts["answered recovering"] += 1
    for key, n in applied.items():
        check(n == 1, "%s: write %s applied %d times" % (label, key, n))


# rule: S12, P11, B10; kill and restart a branch process mid-run
with tempfile.TemporaryDirectory() as tmp:
    for seed in range(first, first + count):
        rng = random.Random(seed)
        for case, schedule in (("many-rounds", "sequential"), ("failed-withdrawals", "rounds")):
            path = os.path.join(golden, case, "input.json")
            branches = [p["id"] for p in json.load(open(path)) if p["type"] == "branch"]
            events = sum(len(p["events"]) for p in json.load(open(path)) if p["type"] == "customer")
            victim, after = rng.choice(branches), rng.randint(1, max(1, events - 1))
            label = "seed %d kill %d@%d %s %s" % (seed, victim, after, case, schedule)
            trace = os.path.join(tmp, "trace.jsonl")
            r = run(["--processes", "--faults", faults, "--seed", str(seed), "--attempts", "3",
                     "--retry-backoff-ms", "10", "--deadline-ms", "60000", "--kill", "%d@%d" % (victim, after),
                     "--branches", "--schedule", schedule, "--trace", trace, path])
            want = open(os.path.join(golden, case, "expected.%s.json" % schedule)).read()
            got = r.stdout.replace('"result": "pending"', '"result": "success"')
            counts["pending answers"] += r.stdout.count('"result": "pending"')
            counts["kill runs"] += 1
            ok = check(r.returncode == 0 and got == want and "killed branch %d" % victim in r.stderr,
                       "%s: exit %d, output %s (%s)" % (label, r.returncode,
                                                      "as expected" if got == want else "differs",
                                                      r.stderr.strip()[-400:]))
            if ok:
                finals = {}
                for line in r.stderr.splitlines():
                    if line.startswith("[{"):
                        finals = {x["id"]: x["balance"] for x in json.loads(line)}
                check(finals == model_final(path, want), "%s: final balances %s, the model's %s"
                      % (label, finals, model_final(path, want)))
                check_trace_at_most_once(trace, label)

print("chaos: seeds %d..%d, faults %s: %s; %d failures" % (
    first, first + count - 1, faults, ", ".join("%s %d" % kv for kv in sorted(counts.items())), failures))
sys.exit(1 if failures else 0)
