#!/usr/bin/env python3
"""Writes an input and a student-style output for the grading benchmark (tools/bench_consistent.sh).

The output is what one real execution gives (a random interleaving of every customer's events on one
shared balance, each customer's own events in order), with K answers then changed at random: a
query's balance moved by 10 to 50, a write's success flipped. Seeded: the same arguments give the
same files.

usage: grade_cases.py SHAPE CUSTOMERS EVENTS K SEED INPUT OUTPUT [live|sequential]
  SHAPE course: every customer a write of 10 then a query (the course's 100-customer input: the
                first half deposit, the second half withdraw; ids repeat over half as many
                branches); EVENTS is ignored
        mixed:  EVENTS events a customer, queries and writes of 10 in random order
  ORDER  live (default): the random interleaving; sequential: every customer's events in turn,
         customers in input order (what the reference's default schedule answers)
"""
import json
import random
import sys


def workload(shape, customers, events, rng):
    branches = max(1, customers // 2)
    ids = [i % branches + 1 for i in range(customers)]
    out = []
    for i in range(customers):
        if shape == "course":
            op = "deposit" if i < customers // 2 else "withdraw"
            evs = [(op, 10), ("query", 0)]
        else:
            evs = [(rng.choice(["query", "query", "deposit", "withdraw"]), 10) for _ in range(events)]
        out.append((ids[i], evs))
    return branches, out


def execute(customers, balance, rng, sequential):
    pos = [0] * len(customers)
    live = [c for c in range(len(customers)) if customers[c][1]]
    net = 0
    answers = [[None] * len(evs) for _, evs in customers]
    while live:
        k = 0 if sequential else rng.randrange(len(live))
        c = live[k]
        op, money = customers[c][1][pos[c]]
        if op == "query":
            answers[c][pos[c]] = {"interface": "query", "balance": balance + net}
        elif op == "deposit":
            net += money
            answers[c][pos[c]] = {"interface": "deposit", "result": "success"}
        else:
            ok = balance + net >= money
            net -= money if ok else 0
            answers[c][pos[c]] = {"interface": "withdraw", "result": "success" if ok else "fail"}
        pos[c] += 1
        if pos[c] == len(customers[c][1]):
            if sequential:
                live.pop(0)
            else:
                live[k] = live[-1]
                live.pop()
    return answers


def change(answers, k, rng):
    places = [(c, e) for c in range(len(answers)) for e in range(len(answers[c]))]
    for c, e in rng.sample(places, k):
        a = answers[c][e]
        if a["interface"] == "query":
            a["balance"] += rng.choice([-1, 1]) * 10 * rng.randint(1, 5)
        else:
            a["result"] = "fail" if a["result"] == "success" else "success"


def main():
    if len(sys.argv) not in (8, 9) or (len(sys.argv) == 9 and sys.argv[8] not in ("live", "sequential")):
        sys.exit(__doc__)
    sequential = len(sys.argv) == 9 and sys.argv[8] == "sequential"
    shape, customers, events, k, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    rng = random.Random(seed)
    branches, custs = workload(shape, customers, events, rng)
    balance = 400
    doc = [{"id": b + 1, "type": "branch", "balance": balance} for b in range(branches)]
    n = 0
    for cid, evs in custs:
        items = []
        for op, money in evs:
            n += 1
            items.append({"id": n, "interface": op, "money": money} if op != "query" else {"id": n, "interface": op})
        doc.append({"id": cid, "type": "customer", "events": items})
    answers = execute(custs, balance, rng, sequential)
    change(answers, k, rng)
    with open(sys.argv[6], "w") as f:
        json.dump(doc, f)
    with open(sys.argv[7], "w") as f:
        f.write("[\n" + ",\n".join(json.dumps({"id": cid, "recv": answers[c]}) for c, (cid, _) in enumerate(custs)) + "\n]\n")


if __name__ == "__main__":
    main()
