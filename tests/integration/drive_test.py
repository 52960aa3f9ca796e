#!/usr/bin/python3
"""bank drive against running systems: small Python branch servers written for this test (a
correct one and broken ones, drive/student_branch.py), and our own `bank branch` processes.

Usage: drive_test.py BANK_BINARY PROJECT_DIR
Every server binds 127.0.0.1 port 0 and says its port, or is started by bank drive --start on
a port bank drive picks free. Exits 77 (skipped) when python3-grpcio, python3-protobuf or
protoc is missing.
"""
import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

from wire import load_messages, require_grpc

grpc = require_grpc()

BANK, ROOT = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "drive", "student_branch.py")
SAMPLE = os.path.join(ROOT, "golden", "sample", "input.json")
PYTHON = sys.executable
failures, checks = [], []
# the sample's events, each (customer, event, interface), and the verdict of a run that behaved
SAMPLE_EVENTS = ((1, 1, "query"), (2, 2, "deposit"), (2, 3, "query"), (3, 4, "withdraw"), (3, 5, "query"))
BEHAVED = ("behaved as the reference: every answer as the reference's, every branch as the reference at every "
           "probe, every call answered (T s)")


def timeless(text):
    """text with a run's duration, "(0.3 s)", as "(T s)"."""
    return re.sub(r"\([0-9]+\.[0-9] s\)", "(T s)", text)


def check(what, ok, detail=""):
    checks.append(what)
    if not ok:
        failures.append("%s%s" % (what, (": " + detail) if detail else ""))


def start_servers(argv_for, n, balance=400):
    """Starts n servers (ids 1..n) that print their address, then gives each the peer list on
    standard input. Returns (processes, cluster file text)."""
    procs, addrs = [], []
    try:
        for i in range(1, n + 1):
            p = subprocess.Popen(argv_for(i, balance), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            procs.append(p)
            line = p.stdout.readline().strip()
            if not line.startswith("listening "):
                raise RuntimeError("server %d said %r" % (i, line))
            addrs.append(line.split(" ", 1)[1])
        peers = "".join("%d %s\n" % (i, a) for i, a in enumerate(addrs, start=1))
        for p in procs:
            p.stdin.write(peers + "end\n")
            p.stdin.flush()
        for p in procs:
            if p.stdout.readline().strip() != "ready":
                raise RuntimeError("a server did not become ready")
    except Exception:
        stop_servers(procs)
        raise
    return procs, peers


def stop_servers(procs):
    for p in procs:
        try:
            p.stdin.close()
        except OSError:
            pass
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def python_server(pydir, *extra):
    return lambda i, b: [PYTHON, SERVER, pydir, "--id", str(i), "--balance", str(b), *extra]


def bank_branch(i, b):
    return [BANK, "branch", "--id", str(i), "--balance", str(b), "--listen", "127.0.0.1:0", "--peers", "-"]


def drive(work, cluster_text, *args, input_path=SAMPLE, timeout=120):
    """Runs bank drive against the cluster; returns (exit status, stdout, stderr)."""
    cluster = os.path.join(work, "cluster.txt")
    with open(cluster, "w") as f:
        f.write(cluster_text)
    r = subprocess.run([BANK, "drive", "--cluster", cluster, *args, input_path], capture_output=True,
                       text=True, timeout=timeout)
    return r.returncode, r.stdout, r.stderr


def against(work, argv_for, *args, n=3, **kw):
    procs, peers = start_servers(argv_for, n)
    try:
        return drive(work, peers, *args, **kw)
    finally:
        stop_servers(procs)


def expect(what, result, status, *texts, where="out"):
    code, out, err = result
    text = out if where == "out" else err
    check("%s: exit %d" % (what, status), code == status, "got %d\n%s%s" % (code, out, err))
    for t in texts:
        check("%s: says %r" % (what, t), t in text, "\n" + out + err)


def marker_processes(marker):
    """Processes whose command line holds marker (bank drive itself left out)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmdline = f.read()
            if marker.encode() in cmdline and b"\0drive\0" not in cmdline:
                found.append("%s: %s" % (pid, cmdline.replace(b"\0", b" ").decode(errors="replace")))
        except OSError:
            pass
    return found


def main():
    with tempfile.TemporaryDirectory() as work:
        pydir = os.path.join(work, "py")
        os.mkdir(pydir)
        load_messages(os.path.join(ROOT, "proto"), pydir, ["course"])
        load_messages(os.path.join(HERE, "drive"), pydir, ["own", "odd", "statuses"])
        correct = python_server(pydir)

        # rule: D1, D2, D5, D6, D8, D9; the correct student server passes every schedule
        for schedule in ("sequential", "rounds", "live"):
            r = against(work, correct, "--schedule", schedule)
            expect("correct server, %s" % schedule, r, 0, "verdict: behaved as the reference",
                   "5/5 events correct", '"id": 3, "recv": [')

        # rule: D6, G19; a live run of the sample is decided even within --budget 1: the orders
        # tried before any search (the greedy one among them) give every consistent set of the
        # sample's answers, so no run of the sample is left undecided (D9's exit 3)
        r = against(work, correct, "--schedule", "live", "--budget", "1")
        expect("live, --budget 1", r, 0, "verdict: behaved as the reference", "5/5 events correct")

        # rule: D2, D6; our own branches on both wires, and --json with the output inside
        r = against(work, bank_branch)
        expect("bank branch, course wire", r, 0, "behaved as the reference")
        # the text report after the output, whole (but for the run's duration)
        check("bank branch, course wire: the text report", timeless(r[1][r[1].find("bank drive: "):]) == (
            "bank drive: %s, 3 branches, sequential schedule, wire course (/Branch/MsgDelivery)\n"
            "answers: what the branches answered; judged exact (sequential schedule)\n" % SAMPLE +
            "".join("customer %d event %d %s: ok\n" % v for v in SAMPLE_EVENTS) +
            "5/5 events correct\n"
            "replicas: every branch held what the reference does at all 4 probes\n"
            "replicas at the end: branch 1 holds 500, branch 2 holds 500, branch 3 holds 500\n"
            "liveness: every call answered within 10000 ms (5 calls)\n"
            "verdict: %s\n" % BEHAVED), r[1])
        r = against(work, bank_branch, "--wire", "bank", "--json", "--style", "money")
        expect("bank branch, bank wire", r, 0)
        try:
            j = json.loads(r[1])
            check("--json: behaved", j["behaved"] is True, r[1])
            check("--json: the output inside", j["output"][1]["recv"][1]["money"] == 570, r[1])
            check("--json: probes", j["replicas"]["probes"] == 4 and j["replicas"]["agreed"], r[1])
            # the whole report, but for the ports and the run's duration
            check("--json: the run took 0 to 120 s", 0 < j.pop("seconds") < 120, r[1])
            check("--json: the branches' addresses", all(re.fullmatch(r"127\.0\.0\.1:[0-9]+", b.pop("address"))
                                                          for b in j["branches"]), r[1])
            j["verdict"] = timeless(j["verdict"])
            verdicts = [{"customer": c, "entry": c, "event": e, "interface": op, "verdict": "ok"}
                        for c, e, op in SAMPLE_EVENTS]
            want = {"input": SAMPLE, "wire": "bank (/bank.Branch/Query, Deposit, Withdraw)", "schedule": "sequential",
                    "branches": [{"id": i} for i in (1, 2, 3)], "behaved": True, "verdict": BEHAVED,
                    "answers": {"file": "answers", "mode": "exact (sequential schedule)",
                                "format": "what the branches answered", "events": 5, "correct": 5, "wrong": 0,
                                "undecided": 0, "snapshots_merged": False, "records_repeated": False,
                                "verdicts": verdicts, "input": SAMPLE},
                    "replicas": {"probes": 4, "agreed": True, "final": {"when": "at the end", "branches": [
                        {"id": i, "holds": 500, "reference": 500} for i in (1, 2, 3)]}},
                    "liveness": {"every_call_answered": True, "detail": "every call answered within 10000 ms (5 calls)"},
                    "output": [{"id": 1, "recv": [{"interface": "query", "result": "success", "money": 400}]},
                               {"id": 2, "recv": [{"interface": "deposit", "result": "success"},
                                                  {"interface": "query", "result": "success", "money": 570}]},
                               {"id": 3, "recv": [{"interface": "withdraw", "result": "success"},
                                                  {"interface": "query", "result": "success", "money": 500}]}]}
            check("--json: every field", j == want, json.dumps(j))
        except (ValueError, KeyError, IndexError) as e:
            check("--json parses", False, "%s\n%s" % (e, r[1]))

        # rule: D4; branches left holding an earlier run's balances: exit 1 before anything runs
        procs, peers = start_servers(bank_branch, 3)
        try:
            first, again, third = drive(work, peers), drive(work, peers), drive(work, peers)
        finally:
            stop_servers(procs)
        expect("a second run on the same branches", again, 1, "before the first event the branches do not "
               "hold the input's balances: branch 1 holds 500 (the reference: 400)", where="err")
        check("a second run: nothing ran", again[1] == "" and first[0] == 0, again[1])
        # no call of the refused run reached the branches: a third finds them as the first left them
        expect("a third run on the same branches", third, 1, "before the first event the branches do not "
               "hold the input's balances: branch 1 holds 500 (the reference: 400)", where="err")

        # rule: D4, D5; more than 12 branches, one of them off the input's balance: that one named,
        # the rest counted (branches left holding a first run's 110, the second input wants 100 at 1)
        wide = [os.path.join(work, "wide-setup-%d.json" % k) for k in (1, 2)]
        for k, path in enumerate(wide):
            with open(path, "w") as f:
                json.dump([{"id": b, "type": "branch", "balance": 110 if k and b > 1 else 100} for b in range(1, 14)] +
                          [{"id": 1, "type": "customer", "events": [{"interface": "deposit", "money": 10, "branch": 1},
                                                                   {"interface": "query", "branch": 1}]}], f)
        procs, peers = start_servers(bank_branch, 13, balance=100)
        try:
            first, again = drive(work, peers, input_path=wide[0]), drive(work, peers, input_path=wide[1])
        finally:
            stop_servers(procs)
        check("13 branches, a first run: exit 0", first[0] == 0, first[1] + first[2])
        expect("13 branches, one off the input", again, 1, "bank drive: before the first event the branches do not "
               "hold the input's balances: branch 1 holds 110 (the reference: 100); the other 12 hold what the "
               "reference does (left from an earlier run? restart them)\n", where="err")

        # rule: D5, D6, D9; propagating only to smaller ids: the probe names the deposit after
        # which branch 3 fell behind, and customer 3 reads 330
        r = against(work, python_server(pydir, "--flavor", "lower-only"))
        expect("lower-only", r, 1,
               "replicas: the branches disagree after customer 2 event 2 (deposit 170): branch 1 holds 570, "
               "branch 2 holds 570, branch 3 holds 400 (the reference: 570)",
               "customer 3 event 5 query: wrong value: expected 500, got 330",
               "replicas at the end: branch 1 holds 500, branch 2 holds 500, branch 3 holds 330 (the reference: 500)",
               "did NOT behave as the reference")
        show("lower-only", r)
        # rule: D5, D6; the same in --json: the first disagreement with its event and every branch
        r = against(work, python_server(pydir, "--flavor", "lower-only"), "--json")
        try:
            first = json.loads(r[1])["replicas"]["first_disagreement"]
        except (ValueError, KeyError) as e:
            first = "%s: %s" % (e, r[1])
        check("lower-only --json: the first disagreement, every field", first == {
            "when": "after customer 2 event 2 (deposit 170)", "customer": 2, "event": 2, "branches": [
                {"id": 1, "holds": 570, "reference": 570}, {"id": 2, "holds": 570, "reference": 570},
                {"id": 3, "holds": 400, "reference": 570}]}, str(first))

        # rule: D5, D9; a propagated withdrawal applied twice: every answer is right, only the
        # probe sees it
        r = against(work, python_server(pydir, "--flavor", "double-withdraw"))
        expect("double-withdraw", r, 1, "5/5 events correct",
               "replicas: the branches disagree after customer 3 event 4 (withdraw 70): branch 1 holds 430 "
               "(the reference: 500), branch 2 holds 430 (the reference: 500), branch 3 holds 500")
        show("double-withdraw", r)

        # rule: D7, D9; a propagation never answered: the deposit misses its deadline
        r = against(work, python_server(pydir, "--flavor", "mute-propagation"), "--deadline-ms", "1500")
        expect("mute-propagation", r, 1,
               "liveness: customer 2 event 2 (deposit 170) got no answer from branch 2 at 127.0.0.1:",
               ": DEADLINE_EXCEEDED: ", "customer 2 event 3 query: missing: not sent: the run stopped after "
               "customer 2 event 2 got no answer",
               "replicas: the branches disagree at the end: branch 1 holds 400, branch 2 holds 570 (the "
               "reference: 400), branch 3 holds 400", '"id": 2, "recv": []')
        show("mute-propagation", r)

        # rule: D6, D7, S10; live: each customer stops at its own unanswered call and sends
        # nothing more, and the events it did not send name that call
        r = against(work, python_server(pydir, "--flavor", "mute-propagation"), "--schedule", "live",
                    "--deadline-ms", "1500")
        expect("mute-propagation, live", r, 1,
               "customer 2 event 3 query: missing: not sent: customer 2 sent nothing more after event 2 got no answer",
               "customer 3 event 4 withdraw: missing: no answer: DEADLINE_EXCEEDED",
               "customer 3 event 5 query: missing: not sent: customer 3 sent nothing more after event 4 got no answer",
               '"id": 2, "recv": []', '"id": 3, "recv": []')
        show("mute-propagation, live", r)

        # rule: D2, D4, D7; another package: UNIMPLEMENTED before anything runs, and --service
        packaged = python_server(pydir, "--package", "example")
        r = against(work, packaged)
        expect("another package", r, 2, "cannot read every branch's balance before the run: branch 1 at ",
               "UNIMPLEMENTED", "--service", where="err")
        show("another package", r)
        r = against(work, packaged, "--service", "example.Branch")
        expect("another package with --service", r, 0, "wire course (/example.Branch/MsgDelivery)")

        # rule: D3; a proto of its own: guessed from the names, and printed
        own = os.path.join(HERE, "drive", "own.proto")
        r = against(work, python_server(pydir, "--dialect", "own"), "--proto", own)
        expect("own proto", r, 0, "behaved as the reference")
        expect("own proto: the guesses", r, 0, "query -> /studentbank.Bank/Query (Request -> Response)",
               "request Request: id = id (int64, guessed), customer: none, interface = interface (string, "
               "guessed), money = money (double, guessed)", "reply Response: result = status (string, guessed), "
               "balance = balance (double, guessed)", where="err")

        # rule: D3; a balance that is not a whole number is no balance of this bank
        r = against(work, python_server(pydir, "--dialect", "own", "--flavor", "half-balance"), "--proto", own)
        expect("own proto, a balance of 400.5", r, 2, "the balance (balance) is not a whole number", where="err")
        show("own proto, a balance of 400.5", r)

        # rule: D3; the result an enum: its values read by name, and one that is neither success
        # nor fail named as the student wrote it
        statuses = os.path.join(HERE, "drive", "statuses.proto")
        r = against(work, python_server(pydir, "--dialect", "statuses"), "--proto", statuses)
        expect("enum result", r, 0, "behaved as the reference")
        r = against(work, python_server(pydir, "--dialect", "statuses", "--flavor", "on-hold"), "--proto", statuses)
        expect("enum result ON_HOLD", r, 1, 'the deposit was answered with result "ON_HOLD", neither success nor fail')
        show("enum result ON_HOLD", r)

        # rule: D3; names no guess can follow: a clear error naming the candidates, then --method
        # and --field
        odd = os.path.join(HERE, "drive", "odd.proto")
        odd_server = python_server(pydir, "--dialect", "odd")
        r = against(work, odd_server, "--proto", odd)
        expect("odd proto, guessing", r, 2, "which method does a query? none is named MsgDelivery or after the "
               "operation (its methods: ledger.Ledger/Inspect, ledger.Ledger/Credit, ledger.Ledger/Debit, "
               "ledger.Ledger/Relay); say it with --method query=Service/Method", where="err")
        methods = ["--method", "query=Ledger/Inspect", "--method", "deposit=Ledger/Credit",
                   "--method", "withdraw=Ledger/Debit"]
        r = against(work, odd_server, "--proto", odd, *methods)
        expect("odd proto, methods only", r, 2, "which field of Ack (the reply of a query) is the balance? none "
               "is named balance, money, amount, value, total, currentbalance, newbalance as a number or a "
               "string; its fields: verdict (string), holding (double); say it with --field balance=NAME",
               where="err")
        r = against(work, odd_server, "--proto", odd, *methods, "--field", "money=quantity", "--field",
                    "balance=holding", "--field", "result=verdict", "--field", "id=serial")
        expect("odd proto, --method and --field", r, 0, "behaved as the reference")
        expect("odd proto, --method and --field: printed", r, 0, "money = quantity (double, --field)", where="err")

        start_tests(work, pydir)
        usage_tests(work)

    for f in failures:
        print("FAIL: " + f)
    print("%d passed, %d failed" % (len(checks) - len(failures), len(failures)))
    return 1 if failures else 0


def show(name, r):
    """What bank drive said, for the log (the report quotes it)."""
    print("---- %s: exit %d" % (name, r[0]))
    for line in (r[1] + r[2]).splitlines():
        if not line.startswith(("[", "]", "  {", "customer ")) or "ok" not in line:
            print("  " + line)


def reply_labels(page):
    """The reply labels (green: answered) of the --report page's diagram, in drawing order, each
    as its list of cairo glyph ids."""
    svg_ns, href = "{http://www.w3.org/2000/svg}", "{http://www.w3.org/1999/xlink}href"
    root = ET.fromstring(page[page.index("<svg"):page.index("</svg>") + len("</svg>")])
    labels = []
    for el in root.find(svg_ns + "g"):
        if el.tag == svg_ns + "g" and "fill:rgb(10%,55%,20%)" in el.get("style", "").replace(" ", ""):
            labels.append([u.get(href) for u in el.iter(svg_ns + "use")])
    return labels


def svg_height(page):
    """The height of the --report page's diagram, in points."""
    svg = page[page.index("<svg"):page.index("</svg>") + len("</svg>")]
    return float(re.match(r"[0-9.]+", ET.fromstring(svg).get("height")).group())


def reads_as(labels, texts):
    """Whether the labels' glyphs spell texts: as many, each as long as its text, and one glyph
    for each character throughout (cairo gives a font's glyphs their ids in order of first use,
    so the text is compared without the font's shapes)."""
    if len(labels) != len(texts):
        return False
    char_of, glyph_of = {}, {}
    for glyphs, text in zip(labels, texts):
        if len(glyphs) != len(text):
            return False
        for g, ch in zip(glyphs, text):
            if char_of.setdefault(g, ch) != ch or glyph_of.setdefault(ch, g) != g:
                return False
    return True


def start_tests(work, pydir):
    marker = "drive-test-%d-%d" % (os.getpid(), random.randrange(1 << 30))
    branch_cmd = "%s branch --id {id} --balance {balance} --listen {host}:{port} --peers {peers} --trace %s/%s-{id}" % (
        BANK, work, marker)

    def run(*args, **kw):
        r = subprocess.run([BANK, "drive", *args], capture_output=True, text=True, timeout=120, **kw)
        return r.returncode, r.stdout, r.stderr

    # rule: D8, D10; a run past 5 s prints its progress at 1 s and at 5 s, and at no second
    # between (standard error is not a terminal here); a started process reads /dev/null, not
    # bank drive's standard input (a pipe)
    stdin_of = os.path.join(work, marker + "-stdin-{id}")
    r = run("--start", "readlink /proc/self/fd/0 >%s; exec %s" % (stdin_of, branch_cmd), "--schedule", "live",
            "--query-delay", "5200", SAMPLE, input="")
    expect("--start, a run past 5 s", r, 0, "behaved as the reference")
    ticks = [int(t) for t in re.findall(
        r"^bank drive: [0-9]+/5 events answered, [0-9]+ probes; [a-z ,()]+ \(([0-9]+) s\)$", r[2], re.M)]
    check("a run past 5 s: its progress at 1 s, then every 5 s", ticks[:2] == [1, 5] and
          all(t % 5 == 0 for t in ticks[1:]), r[2])
    read = []
    for i in (1, 2, 3):
        with open(stdin_of.format(id=i)) as f:
            read.append(f.read())
    check("--start: each process's standard input is /dev/null", read == ["/dev/null\n"] * 3, str(read))
    check("--start: a normal end names no process as ended", not re.search("^bank drive: branch", r[2], re.M), r[2])
    check("a run past 5 s: no empty line after its progress (not a terminal)", "\n\n" not in r[2], r[2])

    # rule: D5; the replicas at the end: up to 12 branches each named with what it holds, more
    # than 12 summed up when every one holds the reference's balance
    for n in (12, 13):
        wide = os.path.join(work, "wide-%d.json" % n)
        with open(wide, "w") as f:
            json.dump([{"id": b, "type": "branch", "balance": 100} for b in range(1, n + 1)] +
                      [{"id": 1, "type": "customer", "events": [{"interface": "deposit", "money": 10, "branch": 1},
                                                               {"interface": "query", "branch": 1}]}], f)
        r = run("--start", branch_cmd, wide)
        held = ", ".join("branch %d holds 110" % b for b in range(1, n + 1)) if n <= 12 else \
            "all %d branches hold 110, as the reference does" % n
        expect("--start, %d branches" % n, r, 0, "behaved as the reference", "\nreplicas at the end: %s\n" % held)

    # rule: D10; --start with our own branches: a normal end leaves no process
    r = run("--start", branch_cmd, "--report", os.path.join(work, "d.html"), SAMPLE)
    expect("--start bank branch", r, 0, "behaved as the reference")
    # the time the processes took to listen: a sane figure, measured from before they started
    up = re.search(r"^bank drive: --start: 3 branch processes accept connections \(([0-9]+\.[0-9]) s\)$", r[2], re.M)
    check("--start: how long the branches took to listen", up and float(up.group(1)) < 120, r[2])
    # rule: D8; the report's file is named once written
    expect("--report", r, 0, "bank drive: wrote %s\n" % os.path.join(work, "d.html"), where="err")
    check("--start: no process left after a normal end", not marker_processes(marker), str(marker_processes(marker)))
    with open(os.path.join(work, "d.html")) as f:
        page = f.read()
    # rule: D8; the HTML report draws the customers' calls, branches as boxes
    check("--report: a page with the calls drawn", "<svg" in page and "drawn as boxes" in page
          and "5/5 answers as the reference" in page, page[:300])
    # rule: D8; the report's paragraphs say what the text report says
    paragraphs = [timeless(p) for p in re.findall(r"<p[^>]*>.*</p>", page)]
    check("--report: its paragraphs, word for word", paragraphs[:6] == [
        "<p><b>run:</b> %s, 3 branches, sequential schedule, wire course (/Branch/MsgDelivery)</p>" % SAMPLE,
        '<p class="ok"><b>verdict:</b> %s</p>' % BEHAVED,
        "<p><b></b> 5/5 answers as the reference (exact (sequential schedule))</p>",
        "<p><b>probes:</b> every branch held what the reference does at all 4 probes</p>",
        "<p><b>at the end:</b> branch 1 holds 500, branch 2 holds 500, branch 3 holds 500</p>",
        "<p><b></b> every call answered within 10000 ms (5 calls)</p>"], "\n".join(paragraphs))
    # rule: D8; every answer of the sample succeeds, a query's too: none drawn red (a failure)
    check("--report: no answer drawn as failed", "rgb(85%,10%,10%)" not in page and "rgb(10%,55%,20%)" in page)
    # rule: D8; each of the three branches is one light grey box (what passes inside is not seen)
    check("--report: each branch drawn as a grey box", page.count("fill:rgb(88%,88%,88%)") == 3,
          str(page.count("fill:rgb(88%,88%,88%)")))
    # rule: D8; each reply is labelled with what it said and the balance after it: the sample's
    # sequential run, c1's query, c2's deposit and query, c3's withdrawal and query
    labels = reply_labels(page)
    check("--report: the replies' labels read as the answers and balances",
          reads_as(labels, ["success 400", "success 570", "success 570", "success 500", "success 500"]),
          str(labels))
    # rule: D8; each call is drawn at the time it was sent and answered: a row of 30 pt for each
    # send and each reply (5 calls one after another: 10 rows, 9 should two times coincide) between
    # the 100 pt heading and the 40 pt foot
    check("--report: a row for each call's send and reply", svg_height(page) >= 100 + 30 * (9 + 1) + 40,
          str(svg_height(page)))

    # rule: D10; branches slow to start (a student's server may take seconds) are waited for,
    # not spun for: bank drive may use 1 s of CPU (soft limit; the branches raise theirs) while
    # they take 4 s to listen
    def one_cpu_second():
        resource.setrlimit(resource.RLIMIT_CPU, (1, resource.RLIM_INFINITY))

    slow = "ulimit -S -t unlimited; sleep 4; exec " + branch_cmd
    r = run("--start", slow, "--deadline-ms", "30000", SAMPLE, preexec_fn=one_cpu_second)
    expect("--start, branches that take 4 s to listen, within 1 s of CPU", r, 0, "behaved as the reference")
    for left in marker_processes(marker):  # a bank drive killed for its CPU left its branches
        os.kill(int(left.split(":")[0]), signal.SIGKILL)

    # rule: D10; a failure after the start (no such service) stops them too
    r = run("--start", branch_cmd, "--service", "nosuch.Branch", SAMPLE)
    expect("--start, then a failure", r, 2, "UNIMPLEMENTED", where="err")
    check("--start: no process left after a failure", not marker_processes(marker), str(marker_processes(marker)))

    # rule: D10; a branch whose process ends at once: named, with its output, and the others stopped
    failing = ("if [ {id} = 2 ]; then echo 'starting 2'; echo 'cannot start: port taken' >&2; exit 3; fi; exec " +
               branch_cmd)
    r = run("--start", failing, SAMPLE)
    expect("--start, a branch that ends at once", r, 2, "branch 2's process", "ended by itself (exit status 3)",
           "cannot start: port taken", where="err")
    # its last lines, standard output and error both, are in the one line that names it
    check("--start, a branch that ends at once: one line with its last output", re.fullmatch(
        r"bank drive: --start: branch 2's process \(pid [0-9]+\) ended by itself \(exit status 3\); its last "
        r"output: starting 2 \| cannot start: port taken\n", r[2]), r[2])
    check("--start: no process left after a start that failed", not marker_processes(marker),
          str(marker_processes(marker)))

    # rule: D10; the peers file cannot be written (no file may grow past 0 bytes): said, and no
    # branch is started
    def no_file_may_grow():
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    r = run("--start", branch_cmd, SAMPLE, preexec_fn=no_file_may_grow)
    expect("--start, the peers file cannot be written", r, 2, "peers.txt: cannot write the peers file", where="err")
    check("--start: no process started when the peers file cannot be written", not marker_processes(marker),
          str(marker_processes(marker)))

    # rule: D10; SIGINT while it runs: every process stopped, exit 130
    p = subprocess.Popen([BANK, "drive", "--start", branch_cmd, "--schedule", "live", "--query-delay", "20000",
                          SAMPLE], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(200):
        if len(marker_processes(marker)) >= 3:
            break
        time.sleep(0.05)
    time.sleep(0.5)
    started = len(marker_processes(marker))
    p.send_signal(signal.SIGINT)
    try:
        out, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    check("SIGINT: the branches had started", started >= 3, str(started))
    check("SIGINT: exit 130", p.returncode == 130, "%d %s" % (p.returncode, err))
    check("SIGINT: says so", "stopping the 3 branch processes it started" in err, err)
    check("SIGINT: no process left", not marker_processes(marker), str(marker_processes(marker)))

    # rule: D9; nothing wrong, but a live run's answers left undecided within --budget: exit 3
    many_in, many_out = os.path.join(work, "many-in.json"), os.path.join(work, "many-out.json")
    subprocess.run([PYTHON, os.path.join(ROOT, "tools", "grade_cases.py"), "mixed", "30", "10", "0", "7",
                    many_in, many_out], check=True, capture_output=True)
    r = run("--start", branch_cmd, "--schedule", "live", "--budget", "1", "-o", os.devnull, many_in)
    expect("--budget 1 on a live run of 30 customers", r, 3, "verdict: undecided: no answer found wrong",
           "ran out of --budget")
    check("--budget 1: no process left", not marker_processes(marker), str(marker_processes(marker)))

    # rule: D1, D10; --course-ports BASE with --start on those ports (a free block picked here)
    for attempt in range(3):
        base = random.randrange(20000, 30000)
        r = run("--course-ports", str(base), "--start", branch_cmd, SAMPLE)
        if "cannot listen" not in r[2]:
            break
    expect("--course-ports BASE --start", r, 0, "behaved as the reference")
    check("--course-ports: no process left", not marker_processes(marker), str(marker_processes(marker)))

    # rule: D10; a Python student's branch started with {port} and {peers}
    py_cmd = "%s %s %s --id {id} --balance {balance} --port {port} --peers {peers} --tag %s" % (
        PYTHON, SERVER, pydir, marker)
    r = run("--start", py_cmd, SAMPLE)
    expect("--start a Python branch", r, 0, "behaved as the reference")
    check("--start a Python branch: no process left", not marker_processes(marker), str(marker_processes(marker)))


def usage_tests(work):
    def run(*args):
        r = subprocess.run([BANK, "drive", *args], capture_output=True, text=True, timeout=60)
        return r.returncode, r.stdout, r.stderr

    # rule: D1; usage errors: one line, exit 2
    expect("no placement", run(SAMPLE), 2, "where are the branches?", where="err")
    expect("--field without --proto", run("--course-ports", "--field", "money=x", SAMPLE), 2,
           "--method and --field go with --proto FILE", where="err")
    expect("bad --method", run("--course-ports", "--proto", "x.proto", "--method", "query", SAMPLE), 2,
           "expected INTERFACE=Service/Method", where="err")
    expect("--field with a role that is not one",
           run("--course-ports", "--proto", "x.proto", "--field", "amount=x", SAMPLE), 2,
           '--field: "amount" is not a role (id, customer, interface, money, result or balance)', where="err")
    expect("--course-ports past 65535", run("--course-ports", "65534", SAMPLE), 2, "past 65535", where="err")
    # rule: D3; a proto protoc cannot read
    bad = os.path.join(work, "bad.proto")
    with open(bad, "w") as f:
        f.write("syntax = \"proto3\";\nmessage M { int32 x = 1 }\n")
    expect("a proto protoc refuses", run("--course-ports", "--proto", bad, SAMPLE), 2, "protoc cannot read", where="err")
    # rule: D2; money beyond the course's int32
    big = os.path.join(work, "big.json")
    with open(big, "w") as f:
        json.dump([{"id": 1, "type": "branch", "balance": 0},
                   {"id": 1, "type": "customer", "events": [{"id": 1, "interface": "deposit", "money": 3000000000}]}], f)
    expect("money beyond int32", run("--course-ports", big), 2, "customer 1 event 1 cannot be sent over the course",
           "does not fit the course's int32 field", where="err")


if __name__ == "__main__":
    sys.exit(main())
