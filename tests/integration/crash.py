#!/usr/bin/env python3
"""Crash test: branch processes with --data-dir killed (SIGKILL) at random points of a run, one,
some or all of them at once, and started again (bank run --kill B,...@N): nothing acknowledged is
lost.

For each seed: a generated input (2 to 5 branches, customers with 3 to 10 events), the sequential
or the rounds schedule, 1 to 3 kill points (each kills one branch, several, or all of them, after a
random number of answered events, and restarts them in a random order), --sync always (most
seeds), batch or none (a crash of the process loses nothing in any mode). Then:
  - bank run exits 0: every answer is the model's (a write answered "pending" read as success),
    and every branch ends at its initial balance plus the net of the writes answered;
  - every branch's store (DIR/branch-ID/branch.db, read with Python's sqlite3) holds, for every
    origin, exactly the writes that origin's customers were answered success or pending for:
    sequences 1..m with no gap and none beyond (no write lost, none taken twice), the net of its
    checkpoint and its log equal to theirs, each logged write one of them and none twice.
Seeds: BANK_SEED (first, default 1) and CRASH_SEEDS (how many, default 3); tools/crash.sh
--seeds N runs many. A failure names its seed and keeps its directory when CRASH_KEEP=1.
Usage: crash.py BANK
"""
import collections
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

bank = sys.argv[1]
first = int(os.environ.get("BANK_SEED", "1"))
count = int(os.environ.get("CRASH_SEEDS", "3"))
keep = os.environ.get("CRASH_KEEP") == "1"
failures = 0
counts = collections.Counter()


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL " + what, flush=True)
    return cond


def generate(rng):
    """An input: branches 1..B at one balance, a customer per branch (sometimes two, their event
    ids apart so that (customer, event) names a write)."""
    n = rng.randint(2, 5)
    balance = rng.choice([0, 100, 1000])
    procs = [{"id": b, "type": "branch", "balance": balance} for b in range(1, n + 1)]
    for b in range(1, n + 1):
        for entry in range(rng.choice([1, 1, 2])):
            events = []
            for e in range(rng.randint(3, 10)):
                kind = rng.choices(["query", "deposit", "withdraw"], [3, 4, 3])[0]
                ev = {"id": entry * 100 + e + 1, "interface": kind}
                if kind != "query":
                    ev["money"] = rng.randint(1, 100 if kind == "deposit" else 300)
                events.append(ev)
            procs.append({"id": b, "type": "customer", "events": events})
    rng.shuffle(procs)
    return procs


def answered_writes(procs, output):
    """origin -> [(customer, event, withdraw, money)] of the writes answered success or pending."""
    by_id = collections.defaultdict(list)
    for rec in output:
        by_id[rec["id"]].append(rec["recv"])
    seen = collections.Counter()
    writes = collections.defaultdict(list)
    for p in procs:
        if p["type"] != "customer":
            continue
        recv = by_id[p["id"]][seen[p["id"]]]
        seen[p["id"]] += 1
        for ev, ans in zip(p["events"], recv):
            if ev["interface"] != "query" and ans.get("result") in ("success", "pending"):
                writes[p["id"]].append((p["id"], ev["id"], ev["interface"] == "withdraw", ev["money"]))
                counts["pending answers"] += ans["result"] == "pending"
    return writes


def net(writes):
    return sum(-m if w else m for (_, _, w, m) in writes)


def check_store(path, branch, origins, writes, label):
    """The branch's store holds exactly the answered writes of every origin."""
    db = sqlite3.connect(path)
    cps = {o: (t, n) for o, t, n in db.execute("SELECT origin, through, net FROM checkpoint")}
    log = collections.defaultdict(list)
    for o, s, w, m, c, e in db.execute("SELECT origin, seq, withdraw, money, customer, event FROM log"):
        log[o].append((s, (c, e, bool(w), m)))
    db.close()
    for origin in origins:
        want = writes.get(origin, [])
        through, cp_net = cps.get(origin, (0, 0))
        seqs = sorted(s for s, _ in log[origin])
        counts["writes checked"] += len(want)
        have = sorted(set(range(1, through + 1)) | set(seqs))
        counts["lost"] += len(set(range(1, len(want) + 1)) - set(have))
        counts["taken twice or unanswered"] += len([s for s in have if s > len(want)])
        check(have == list(range(1, len(want) + 1)),
              "%s: branch %d holds writes %s of branch %d, which answered %d" % (label, branch, have, origin, len(want)))
        check(all(s > through for s in seqs), "%s: branch %d logs writes of %d under its checkpoint" % (label, branch, origin))
        tail = [w for _, w in log[origin]]
        check(len(set((c, e) for c, e, _, _ in tail)) == len(tail) and all(w in want for w in tail),
              "%s: branch %d logs writes of %d that were not answered, or one twice: %s" % (label, branch, origin, tail))
        check(cp_net + net(tail) == net(want),
              "%s: branch %d: the net of branch %d's writes is %d, answered %d" % (label, branch, origin, cp_net + net(tail), net(want)))


def kill_points(rng, ids, total):
    points = []
    for _ in range(rng.randint(1, 3)):
        shape = rng.choice(["one", "some", "all"])
        if shape == "one" or len(ids) == 2 and shape == "some":
            victims = [rng.choice(ids)]
        elif shape == "some":
            victims = rng.sample(ids, rng.randint(2, len(ids) - 1))
        else:
            victims = rng.sample(ids, len(ids))  # every branch, restarted in a random order
        points.append((rng.randint(1, max(1, total - 1)), victims))
    return points


def one_seed(seed, tmp):
    # rule: K1, K2, K4, K5, B10, S12; random SIGKILLs of one, some or all branches, then restarts
    rng = random.Random(seed)
    procs = generate(rng)
    ids = sorted(p["id"] for p in procs if p["type"] == "branch")
    total = sum(len(p["events"]) for p in procs if p["type"] == "customer")
    schedule = rng.choice(["sequential", "rounds"])
    sync = rng.choice(["always", "always", "always", "batch", "none"])
    points = kill_points(rng, ids, total)
    work = os.path.join(tmp, "seed%d" % seed)
    os.makedirs(work)
    path = os.path.join(work, "input.json")
    json.dump(procs, open(path, "w"))
    args = [bank, "run", "--processes", "--data-dir", os.path.join(work, "data"), "--sync", sync,
            "--schedule", schedule, "--attempts", "3", "--retry-backoff-ms", "10", "--deadline-ms", "60000",
            "--branches", "-o", os.path.join(work, "output.json")]
    for after, victims in points:
        args += ["--kill", "%s@%d" % (",".join(map(str, victims)), after)]
    args.append(path)
    label = "seed %d (%s, --sync %s, %d branches, %d events, kills %s)" % (
        seed, schedule, sync, len(ids), total, " ".join("%s@%d" % (",".join(map(str, v)), a) for a, v in points))
    r = subprocess.run(args, capture_output=True, text=True, timeout=900)
    counts["runs"] += 1
    counts["kill points"] += len(points)
    counts["branch processes killed"] += sum(len(v) for _, v in points)
    ok = check(r.returncode == 0 and r.stderr.count("bank: killed branch") == len(points),
               "%s: exit %d (%s)" % (label, r.returncode, r.stderr.strip()[-600:]))
    if ok:
        output = json.load(open(os.path.join(work, "output.json")))
        writes = answered_writes(procs, output)
        for b in ids:
            check_store(os.path.join(work, "data", "branch-%d" % b, "branch.db"), b, ids, writes, label)
    return ok


start = time.time()
tmp = tempfile.mkdtemp(prefix="bank-crash-")
try:
    for seed in range(first, first + count):
        before = failures
        one_seed(seed, tmp)
        if failures == before or not keep:
            shutil.rmtree(os.path.join(tmp, "seed%d" % seed), ignore_errors=True)
        else:
            print("kept %s" % os.path.join(tmp, "seed%d" % seed), flush=True)
finally:
    if not keep or failures == 0:
        shutil.rmtree(tmp, ignore_errors=True)
print("crash: seeds %d..%d in %.1f s: %s; %d failures" % (
    first, first + count - 1, time.time() - start,
    ", ".join("%s %d" % kv for kv in sorted(counts.items())), failures))
sys.exit(1 if failures else 0)
