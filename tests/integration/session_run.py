#!/usr/bin/env python3
"""bank run --project 3 end to end: the golden cases byte for byte in both styles (in process and
as processes), the course's new input under delayed, dropped and duplicated propagations (several
seeds, the same answers every time, every write applied once everywhere), live runs, a branch
slow to receive a propagation holding the customer's next request (as the trace shows), and the
command line's errors.

Usage: session_run.py BANK GOLDEN_P3_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

failures = 0
checks = 0


def check(ok, what, detail=""):
    global failures, checks
    checks += 1
    print("%s %s%s" % ("ok  " if ok else "FAIL", what, "" if ok or not detail else ": " + detail))
    if not ok:
        failures += 1


def bank(*args, timeout=120):
    p = subprocess.run([BANK] + list(args), capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def read(path):
    with open(path) as f:
        return f.read()


def trace_records(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def applied_once_everywhere(records, n_branches):
    """Every write a customer made was applied exactly once at every other branch (P4, C3)."""
    writes = {(r["customer"], r["event"]) for r in records
              if r["from"] == "customer" and r["rpc"] in ("Deposit", "Withdraw") and r["reply"] == "success"}
    for w in writes:
        applied = [r for r in records if r["rpc"].startswith("Propagate") and r["reply"] == "applied"
                   and (r["customer"], r["event"]) == w]
        if len(applied) != n_branches - 1 or len({r["to_branch"] for r in applied}) != n_branches - 1:
            return "customer %d event %d applied %d times at other branches" % (w[0], w[1], len(applied))
    return None


def main():
    global BANK
    BANK = os.path.abspath(sys.argv[1])
    golden = os.path.abspath(sys.argv[2])
    cases = sorted(d for d in os.listdir(golden) if os.path.isdir(os.path.join(golden, d)))
    tmp = tempfile.mkdtemp()

    # rule: C8, C9, C11; every golden case, both styles, byte for byte; and graded correct
    for case in cases:
        d = os.path.join(golden, case)
        for style, name in (("events", "expected.sequential.json"), ("final", "expected.final.json")):
            rc, out, err = bank("run", "--project", "3", "--style", style, os.path.join(d, "input.json"))
            check(rc == 0 and out == read(os.path.join(d, name)), "%s --style %s matches %s" % (case, style, name),
                  "exit %d %s" % (rc, err.strip()))
            rc, out, err = bank("grade", "--project", "3", "--input", os.path.join(d, "input.json"), os.path.join(d, name))
            check(rc == 0, "%s: bank grade --project 3 judges %s correct" % (case, name), out.strip().splitlines()[-1:])

    # rule: C8; branches as processes, and --lines, -o, --branches
    course = os.path.join(golden, "course-new", "input.json")
    want = read(os.path.join(golden, "course-new", "expected.sequential.json"))
    rc, out, err = bank("run", "--project", "3", "--processes", course)
    check(rc == 0 and out == want, "course-new as bank branch processes", err.strip())
    outfile = os.path.join(tmp, "out.json")
    rc, out, err = bank("run", "--project", "3", "--lines", "--branches", "-o", outfile, course)
    lines = read(outfile).splitlines() if os.path.exists(outfile) else []
    check(rc == 0 and out == "" and len(lines) == 60 and all(json.loads(l)["id"] == 1 for l in lines) and
          json.loads(err.strip().splitlines()[-1]) == [{"id": b, "balance": 0} for b in range(1, 11)],
          "--lines -o FILE --branches", err.strip())

    # rule: C3, C5, C9, C10; delayed (and lost and doubled) propagations: the same answers, each write once
    for seed in (1, 2, 3, 4, 5):
        trace = os.path.join(tmp, "t%d.jsonl" % seed)
        rc, out, err = bank("run", "--project", "3", "--faults", "delay=60:40,drop=10,dup=10", "--seed", str(seed),
                            "--trace", trace, course)
        check(rc == 0 and out == want, "course-new with delay=60:40,drop=10,dup=10 seed %d: the same answers" % seed,
              err.strip())
        if rc == 0:
            bad = applied_once_everywhere(trace_records(trace), 10)
            check(bad is None, "seed %d: every write applied once at every other branch" % seed, bad or "")

    # rule: C9; a live run of one customer: its answers are fixed whatever the delays
    rc, out, err = bank("run", "--project", "3", "--schedule", "live", "--faults", "delay=50:30", "--seed", "9", course)
    check(rc == 0 and out == want, "course-new live, one customer, delayed: the fixed answers", err.strip())

    # rule: C7, C14; live runs of several customers under delays pass the session check
    for case in ("two-customers", "own-branch"):
        for seed in (1, 2, 3):
            rc, out, err = bank("run", "--project", "3", "--schedule", "live", "--faults", "delay=50:30", "--seed",
                                str(seed), os.path.join(golden, case, "input.json"))
            check(rc == 0, "%s live seed %d" % (case, seed), err.strip())

    # rule: C4, C6; a branch slow to receive: the customer's next request waits there, as the trace shows
    held = os.path.join(tmp, "held.json")
    with open(held, "w") as f:
        json.dump([{"id": 1, "type": "customer", "events": [
            {"id": 1, "interface": "deposit", "money": 10, "branch": 1},
            {"id": 2, "interface": "query", "branch": 2}]},
            {"id": 1, "type": "branch", "balance": 0}, {"id": 2, "type": "branch", "balance": 0}], f)
    for seed, schedule in ((7, "sequential"), (8, "live")):
        trace = os.path.join(tmp, "held%d.jsonl" % seed)
        rc, out, err = bank("run", "--project", "3", "--schedule", schedule, "--faults", "delay=100:800", "--seed",
                            str(seed), "--trace", trace, held)
        records = trace_records(trace) if rc == 0 else []
        query = [r for r in records if r["rpc"] == "Query" and r["customer"] == 1]
        prop = [r for r in records if r["rpc"] == "Propagate_Deposit" and r["to_branch"] == 2 and r["reply"] == "applied"]
        ok = rc == 0 and len(query) == 1 and len(prop) == 1 and json.loads(out)[1]["recv"][0]["balance"] == 10
        waited = ok and query[0]["t_recv_us"] < prop[0]["t_recv_us"] <= prop[0]["t_reply_us"] <= query[0]["t_reply_us"]
        check(waited, "%s, seed %d: the query at branch 2 arrived before the deposit's propagation and was "
              "answered after it, reading 10" % (schedule, seed),
              "exit %d; query %s; propagation %s" % (rc, query[:1], prop[:1]))
        if waited:
            print("     held %.1f ms" % ((query[0]["t_reply_us"] - query[0]["t_recv_us"]) / 1000.0))

    # rule: C8, C1; what the command line refuses
    for args, want_text in (
            (["--schedule", "rounds"], "--schedule rounds is Project 1's"),
            (["--style", "result"], "unknown style \"result\" with --project 3"),
            (["--cluster", "x"], "unknown option --cluster"),
            (["--query-delay", "5"], "unknown option --query-delay"),
            (["--project", "4"], "--project: expected a whole number from 1 to 3, got \"4\"")):
        rc, out, err = bank("run", "--project", "3", *args, course) if args[0] != "--project" else bank("run", *args, course)
        check(rc == 2 and out == "" and want_text in err and len(err.splitlines()) == 1,
              "bank run --project 3 %s: usage error" % " ".join(args), err.strip())
    bad = os.path.join(tmp, "bad.json")
    for text, want_text in (
            ('[{"id": 1, "type": "customer", "events": [{"interface": "query", "dest": 1}, ]},'
             ' {"id": 1, "type": "bank", "balance": 0}]', "bad.json:1:76: not valid JSON: a comma before ']'"),
            ('[{"id": 1, "type": "customer", "events": [{"interface": "query", "dest": 4}]},'
             ' {"id": 1, "type": "bank", "balance": 0}]', "bad.json:1:74: customer 1, event 1: there is no branch 4"),
            ('[{"id": 5, "type": "customer", "events": [{"interface": "query"}]}, {"id": 1, "type": "bank", "balance": 0}]',
             "names no branch (\"branch\" or \"dest\") and there is no branch 5")):
        with open(bad, "w") as f:
            f.write(text)
        rc, out, err = bank("run", "--project", "3", bad)
        check(rc == 2 and out == "" and want_text in err and len(err.splitlines()) == 1, "input error: " + want_text,
              err.strip())

    # rule: C16, C12; bank grade --project 3's exit statuses, --json, --batch and --report
    two = os.path.join(golden, "two-customers")
    wrong = os.path.join(tmp, "wrong.json")
    with open(wrong, "w") as f:
        f.write('[{"id": 1, "balance": 400}]\n')
    mw = os.path.join(golden, "monotonic-writes", "input.json")
    for args, want_rc, want_text in (
            (["--input", mw, wrong], 1, "monotonic writes broken: got 400, expected 0"),
            (["--budget", "1", "--input", os.path.join(two, "input.json"), os.path.join(two, "expected.final.json")], 3,
             "0/2 events correct, 2 undecided"),
            (["--input", mw, bad], 2, "bad.json:1:2: the record of customer 5 has no \"recv\" list"),
            (["--exact", "--input", mw, wrong], 2, "--exact, --schedule, --diagram and --input-pattern are Project 1's"),
            (["--input", bad, wrong], 2, "bad.json:1:43: customer 5, event 1: names no branch")):
        rc, out, err = bank("grade", "--project", "3", *args)
        check(rc == want_rc and want_text in out + err, "bank grade --project 3 %s: exit %d" % (" ".join(args[:-1]), want_rc),
              "exit %d: %s" % (rc, (out + err).strip()[-300:]))
    rc, out, err = bank("grade", "--project", "3", "--json", "--input", mw, wrong)
    verdicts = json.loads(out)["verdicts"] if rc == 1 else []
    check(rc == 1 and verdicts and verdicts[0]["verdict"] == "wrong value", "bank grade --project 3 --json", out[-200:])
    folder = os.path.join(tmp, "batch")
    for student, text in (("alice", read(os.path.join(golden, "monotonic-writes", "expected.sequential.json"))),
                          ("bob", read(wrong))):
        os.makedirs(os.path.join(folder, student))
        with open(os.path.join(folder, student, "output.json"), "w") as f:
            f.write(text)
    report = os.path.join(tmp, "grades.csv")
    rc, out, err = bank("grade", "--project", "3", "--input", mw, "--batch", folder, "--report", report)
    rows = read(report).splitlines() if os.path.exists(report) else []
    check(rc == 1 and len(rows) == 3 and "3/3" in out and "0/1" in out,
          "bank grade --project 3 --batch --report CSV: a row per student", out + err)

    print("session_run: %d checks, %d failed" % (checks, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
