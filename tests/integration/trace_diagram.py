#!/usr/bin/env python3
"""bank run --trace and bank diagram.

The trace of the course sample (sequential, in-process and --processes) holds exactly the
messages the rules require, in the order they require per branch; a write is answered only
after every peer acknowledged it. The diagram comes out as SVG an XML parser accepts, as a PNG
that is not blank, and as a PDF; bad arguments and bad traces get one line and exit 2.
Usage: trace_diagram.py BANK GOLDEN_DIR
"""
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from checks import check, finish  # noqa: E402
import png_decode  # noqa: E402

bank, golden = sys.argv[1], sys.argv[2]
sample = os.path.join(golden, "sample", "input.json")


def run(*args):
    return subprocess.run([bank, *args], capture_output=True, text=True, timeout=300)


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def png_pixels_vary(path):
    """Tells whether a PNG's pixels differ (a blank image's rows are all alike)."""
    width, height, rows = png_decode.decode(path)
    rows = {tuple(r) for r in rows}
    return len(rows) > 2 and width > 100 and height > 100


with tempfile.TemporaryDirectory() as tmp:
    for mode in ([], ["--processes"]):
        label = "processes" if mode else "in-process"
        trace = os.path.join(tmp, "trace-%s.jsonl" % label)
        r = run("run", *mode, "--trace", trace, sample)
        check(r.returncode == 0, "%s: bank run --trace exits 0 (%s)" % (label, r.stderr.strip()))
        recs = load(trace)
        closing = [x for x in recs if x["customer"] == 0 and x["event"] == 0]
        msgs = [x for x in recs if x not in closing]
        check(len(closing) == 3, "%s: bank run's closing balance reads: one per branch" % label)
        # rule: customers' requests, each to its own branch, and one propagation per peer per write
        want = sorted([
            ("customer", 1, 1, "Query", 1, "success", 400),
            ("customer", 2, 2, "Deposit", 2, "success", 570),
            ("customer", 2, 2, "Query", 3, "success", 570),
            ("customer", 3, 3, "Withdraw", 4, "success", 500),
            ("customer", 3, 3, "Query", 5, "success", 500),
            ("branch", 2, 1, "Propagate_Deposit", 2, "applied", 570),
            ("branch", 2, 3, "Propagate_Deposit", 2, "applied", 570),
            ("branch", 3, 1, "Propagate_Withdraw", 4, "applied", 500),
            ("branch", 3, 2, "Propagate_Withdraw", 4, "applied", 500),
        ])
        got = sorted((x["from"], x["from_id"], x["to_branch"], x["rpc"], x["event"], x["reply"],
                      x["balance"]) for x in msgs)
        check(got == want, "%s: exactly the 9 messages the rules require: %s" % (label, got))
        # per branch, in the order it took them
        per_branch = {}
        for x in sorted(msgs, key=lambda x: x["t_recv_us"]):
            per_branch.setdefault(x["to_branch"], []).append((x["rpc"], x["event"]))
        check(per_branch.get(1) == [("Query", 1), ("Propagate_Deposit", 2), ("Propagate_Withdraw", 4)],
              "%s: branch 1 took c1's query, then c2's deposit, then c3's withdrawal: %s" % (label, per_branch.get(1)))
        check(per_branch.get(2) == [("Deposit", 2), ("Query", 3), ("Propagate_Withdraw", 4)],
              "%s: branch 2's order: %s" % (label, per_branch.get(2)))
        check(per_branch.get(3) == [("Propagate_Deposit", 2), ("Withdraw", 4), ("Query", 5)],
              "%s: branch 3's order: %s" % (label, per_branch.get(3)))
        for write, prop in (("Deposit", "Propagate_Deposit"), ("Withdraw", "Propagate_Withdraw")):
            w = next(x for x in msgs if x["rpc"] == write)
            acks = [x for x in msgs if x["rpc"] == prop]
            check(all(a["t_recv_us"] >= w["t_recv_us"] and a["t_reply_us"] <= w["t_reply_us"] for a in acks),
                  "%s: the %s is answered after both peers acknowledged it" % (label, write))

    trace = os.path.join(tmp, "trace-in-process.jsonl")
    for ext in ("svg", "png", "pdf"):
        out = os.path.join(tmp, "run." + ext)
        r = run("diagram", trace, "-o", out, "--title", "course sample")
        check(r.returncode == 0 and os.path.getsize(out) > 1000, "diagram -o run.%s (%s)" % (ext, r.stderr.strip()))
    root = ET.parse(os.path.join(tmp, "run.svg")).getroot()
    check(root.tag.endswith("svg") and len(list(root.iter())) > 50, "the SVG parses as XML and has content")
    check(png_pixels_vary(os.path.join(tmp, "run.png")), "the PNG is not blank")
    check(open(os.path.join(tmp, "run.pdf"), "rb").read(5) == b"%PDF-", "the PDF is a PDF")

    # A diagram that cannot be written whole is an error, and no part of it is left behind: on a
    # full disk (a link to /dev/full), and where a file may not grow past 2,000 bytes.
    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    for ext in ("svg", "png", "pdf"):
        if os.path.exists("/dev/full"):
            full = os.path.join(tmp, "full." + ext)
            os.symlink("/dev/full", full)
            r = run("diagram", trace, "-o", full)
            check(r.returncode == 1 and r.stderr == "bank diagram: %s: cannot draw the diagram: error while "
                  "writing to output stream\n" % full, "diagram -o a full disk as .%s: exit 1 (%d: %s)"
                  % (ext, r.returncode, r.stderr.strip()))
            # only a regular file is removed: the link (and what it points to) stays
            check(os.path.islink(full) and os.path.exists("/dev/full"),
                  "diagram -o a link to a full disk as .%s: the link is left" % ext)
        else:
            print("skip diagram -o a full disk: this machine has no /dev/full")
        out = os.path.join(tmp, "big." + ext)
        r = subprocess.run([bank, "diagram", trace, "-o", out], capture_output=True, text=True, timeout=300,
                           preexec_fn=small_files)
        check(r.returncode == 1 and "cannot draw the diagram" in r.stderr and not os.path.exists(out),
              "diagram -o big.%s past the file size limit: exit 1 and no file (%d: %s)"
              % (ext, r.returncode, r.stderr.strip()))
    r = run("diagram", trace, "-o", os.path.join(tmp, "no", "such", "x.svg"))
    check(r.returncode == 1 and "no/such/x.svg: cannot draw the diagram: No such file or directory" in r.stderr,
          "diagram -o into a missing folder: exit 1 (%s)" % r.stderr.strip())
    # A title cairo cannot draw (not UTF-8: the byte 0xff) fails the drawing itself, not its
    # writing: the same one line and no file, in each format.
    for ext in ("svg", "png", "pdf"):
        out = os.path.join(tmp, "title." + ext)
        r = run("diagram", trace, "-o", out, "--title", "bad \udcff title")
        check(r.returncode == 1 and r.stderr == "bank diagram: %s: cannot draw the diagram: input string not "
              "valid UTF-8\n" % out and not os.path.exists(out),
              "diagram --title not UTF-8 as .%s: exit 1 and no file (%d: %s)" % (ext, r.returncode, r.stderr.strip()))

    # Without --title the title is the trace's file name, which need not be UTF-8 (a byte 0xff):
    # that byte is drawn as '?', and the drawing is made.
    odd = os.path.join(tmp, "run-\udcff.jsonl")
    shutil.copyfile(trace, odd)
    out = os.path.join(tmp, "odd-name.svg")
    r = run("diagram", odd, "-o", out)
    check(r.returncode == 0 and r.stderr == "" and os.path.getsize(out) > 0,
          "diagram of a trace whose file name is not UTF-8: drawn (%d: %s)" % (r.returncode, r.stderr.strip()))

    r = run("diagram", trace, "-o", os.path.join(tmp, "run.gif"))
    check(r.returncode == 2 and "does not end in .svg, .png or .pdf" in r.stderr, "an unknown extension: exit 2")
    r = run("diagram", trace)
    check(r.returncode == 2 and "-o OUT.svg" in r.stderr, "no -o: exit 2")
    bad = os.path.join(tmp, "bad.jsonl")
    with open(bad, "w") as f:
        f.write(open(trace).readline())
        f.write('{"t_recv_us": 1, "oops"\n')
    r = run("diagram", bad, "-o", os.path.join(tmp, "x.svg"))
    check(r.returncode == 2 and "bad.jsonl:2:" in r.stderr and r.stderr.count("\n") == 1,
          "a broken line: one message with line and column, exit 2 (%s)" % r.stderr.strip())
    # a time beyond int64 is refused, not converted (the conversion would be undefined)
    with open(bad, "w") as f:
        f.write(open(trace).readline().replace('"t_recv_us":', '"t_recv_us": 1e300, "x":', 1))
    r = run("diagram", bad, "-o", os.path.join(tmp, "x.svg"))
    check(r.returncode == 2 and "t_recv_us" in r.stderr and r.stderr.count("\n") == 1,
          "a time beyond int64: one message naming it, exit 2 (%s)" % r.stderr.strip())
    r = run("run", "--cluster", bad, "--trace", bad, sample)
    check(r.returncode == 2 and "--trace" in r.stderr, "--trace with --cluster is refused")

    # bank grade --diagram: the reference run's diagram inside the HTML report
    report = os.path.join(tmp, "report.html")
    r = run("grade", "--input", sample, "--report", report, "--diagram",
            os.path.join(golden, "sample", "expected.sequential.json"))
    html = open(report).read() if os.path.exists(report) else ""
    check(r.returncode == 0 and "<svg" in html and "The reference run" in html,
          "bank grade --diagram puts the reference run's diagram in the HTML report")

finish("trace_diagram")
