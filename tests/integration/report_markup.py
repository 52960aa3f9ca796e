#!/usr/bin/env python3
"""bank grade's HTML report, parsed strictly: the markup users open in a browser.

Reports of a class folder (correct, wrong, unusable, a student with two outputs, --diagram), of
one file, of a class with an undecided answer (--budget 1) and of Project 2's --batch are each
parsed with rules stricter than a browser's:
- only the elements the report writes, each inside the element it belongs in (a row in a
  table, a cell in a row, an item in a list...), every one closed in order, no stray end tag;
- no text anywhere but in a cell, a heading, a paragraph, a list item, a summary, the title or
  the style (a character between two cells is a failure);
- every row of a table as wide as its header (colspan counted), every row's class one the style
  colours, no character reference left undecoded, an & only as a reference;
then the cells are compared with what the grader said (scores, first wrong events, formats, the
summary's counts and mean). Usage: report_markup.py BANK GOLDEN_DIR
"""
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from checks import check, finish  # noqa: E402

bank, golden = sys.argv[1], sys.argv[2]


# Where each element may stand: its allowed parents (None: the document itself).
PARENTS = {
    "html": {None}, "head": {"html"}, "body": {"html"}, "meta": {"head"}, "title": {"head"},
    "style": {"head"}, "h1": {"body"}, "h2": {"body"}, "p": {"body"}, "table": {"body"},
    "tr": {"table"}, "th": {"tr"}, "td": {"tr"}, "details": {"td"}, "summary": {"details"},
    "ul": {"details", "body"}, "li": {"ul"}, "br": {"td"}, "small": {"td"}, "code": {"p"},
    "div": {"body"}, "svg": {"div"},
}
VOID = {"meta", "br"}
TEXT_IN = {"title", "style", "h1", "h2", "p", "th", "td", "li", "summary", "small", "code"}
ROW_CLASSES = {None, "ok", "wrong", "bad", "undecided"}


class Strict(html.parser.HTMLParser):
    """The report's elements, checked as they come; problems collects what breaks a rule."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.problems, self.tables, self.doctype = [], [], [], False
        self.svg_depth = 0

    def where(self):
        line, col = self.getpos()
        return f"{line}:{col + 1}"

    def handle_decl(self, decl):
        self.doctype = decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs):
        if self.svg_depth:  # the diagram is cairo's SVG: only its nesting is checked
            self.svg_depth += 1
            self.stack.append(tag)
            return
        parent = self.stack[-1] if self.stack else None
        if tag not in PARENTS:
            self.problems.append(f"{self.where()}: <{tag}> is no element of the report")
        elif parent not in PARENTS[tag]:
            self.problems.append(f"{self.where()}: <{tag}> inside <{parent}>")
        a = dict(attrs)
        if tag == "br" and self.tables and self.tables[-1]["rows"] and self.tables[-1]["rows"][-1]["cells"]:
            self.tables[-1]["rows"][-1]["cells"][-1]["text"] += " "
        if tag == "table":
            self.tables.append({"class": a.get("class"), "id": a.get("id"), "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append({"class": a.get("class"), "cells": []})
        elif tag in ("td", "th") and self.tables and self.tables[-1]["rows"]:
            span = a.get("colspan", "1")
            if not span.isdigit():
                self.problems.append(f"{self.where()}: colspan {span!r}")
                span = "1"
            self.tables[-1]["rows"][-1]["cells"].append({"tag": tag, "class": a.get("class"),
                                                         "span": int(span), "text": ""})
        if tag == "svg":
            self.svg_depth = 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        if self.svg_depth:
            return
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            self.problems.append(f"{self.where()}: </{tag}> closes an element that has no end")
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"{self.where()}: </{tag}> while <{self.stack[-1] if self.stack else None}> is open")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()
        if self.svg_depth:
            self.svg_depth -= 1

    def handle_data(self, data):
        if self.svg_depth:
            return
        top = self.stack[-1] if self.stack else None
        if data.strip() and top not in TEXT_IN:
            self.problems.append(f"{self.where()}: text {data.strip()[:40]!r} outside the cells (in <{top}>)")
        if top in ("td", "th") or (top in ("small", "br") and "td" in self.stack):
            cells = self.tables[-1]["rows"][-1]["cells"] if self.tables and self.tables[-1]["rows"] else []
            if cells:
                cells[-1]["text"] += data


def parse(path):
    text = open(path, encoding="utf-8").read()
    p = Strict()
    # an & that starts no character reference is a character the browser guesses at
    for m in re.finditer(r"&(?!(?:lt|gt|amp|quot|#\d+);)", text.split("<svg", 1)[0]):
        p.problems.append(f"offset {m.start()}: a bare &")
    p.feed(text)
    p.close()
    if not p.doctype:
        p.problems.append("no <!DOCTYPE html>")
    if p.stack:
        p.problems.append(f"left open at the end: {p.stack}")
    for t in p.tables:
        if not t["rows"]:
            p.problems.append(f"table {t['class']}: no rows")
            continue
        width = sum(c["span"] for c in t["rows"][0]["cells"])
        if any(c["tag"] != "th" for c in t["rows"][0]["cells"]):
            p.problems.append(f"table {t['class']}: its first row is not all headers")
        for i, r in enumerate(t["rows"][1:], 2):
            w = sum(c["span"] for c in r["cells"])
            if w != width:
                p.problems.append(f"table {t['class']}: row {i} is {w} cells wide, its header {width}")
            if r["class"] not in ROW_CLASSES:
                p.problems.append(f"table {t['class']}: row {i} has class {r['class']!r}")
    return p


def texts(row):
    return [" ".join(c["text"].split()) for c in row["cells"]]


def strict_ok(name, p):
    check(not p.problems, f"{name}: strict markup" + ("" if not p.problems else ": " + "; ".join(p.problems[:5])))


def table(p, cls):
    return next((t for t in p.tables if t["class"] == cls), None)


def grade(*args, want, env=None):
    r = subprocess.run([bank, "grade", *args], capture_output=True, text=True, timeout=300, env=env)
    check(r.returncode == want, f"bank grade {' '.join(a.split('/')[-1] for a in args)}: exit {r.returncode}, expected {want}"
          + (f"\n{r.stderr[-800:]}" if r.returncode != want else ""))
    return r


with tempfile.TemporaryDirectory() as tmp:
    sample = os.path.join(golden, "sample")
    inp = os.path.join(sample, "input.json")
    seq = json.load(open(os.path.join(sample, "expected.sequential.json")))
    cls = os.path.join(tmp, "class")
    os.makedirs(os.path.join(cls, "alice"))
    os.makedirs(os.path.join(cls, "erin"))
    shutil.copy(os.path.join(sample, "expected.sequential.json"), os.path.join(cls, "alice", "output.json"))
    shutil.copy(os.path.join(sample, "expected.rounds.json"), os.path.join(cls, "bob.json"))
    carol = [{"id": 1, "recv": [{"interface": "query", "balance": 400}]},
             {"id": 2, "recv": [{"interface": "deposit", "result": "success"},
                                {"interface": "query", "balance": 400}]},
             {"id": 3, "recv": [{"interface": "withdraw", "result": "fail"},
                                {"interface": "query", "balance": 190}]}]
    json.dump(carol, open(os.path.join(cls, "carol.json"), "w"))
    open(os.path.join(cls, "dave.txt"), "w").write(
        "{'id': 1, 'recv': [{'interface': 'query', result: 'success', 'money': 400}]}\n")
    # two files that read as outputs: the one named output* is graded, the other noted (G31);
    # a name with markup in it must come out as text
    json.dump(seq, open(os.path.join(cls, "erin", "output.json"), "w"))
    json.dump(carol, open(os.path.join(cls, "erin", "run<2>&.json"), "w"))

    # rule: G33, G39; a class, by student, with the reference run's diagram
    report = os.path.join(tmp, "class.html")
    private = os.path.join(tmp, "tmpdir")
    os.makedirs(private)
    r = grade("--input", inp, "--batch", cls, "--report", report, "--diagram", want=1,
              env=dict(os.environ, TMPDIR=private))
    check(f"bank grade: wrote {report}\n" in r.stderr, f"the class's report is said to be written: {r.stderr[-300:]!r}")
    check(os.listdir(private) == [], f"--diagram's reference run leaves nothing in $TMPDIR: {os.listdir(private)}")
    p = parse(report)
    strict_ok("class report", p)
    summary, files = table(p, "summary"), table(p, "files students")
    check(summary is not None and texts(summary["rows"][0]) ==
          ["students", "all correct", "some wrong", "unusable", "mean score"] and
          texts(summary["rows"][1]) == ["5", "3", "1", "1", "85.0% (of the 4 graded files)"],
          f"class summary: {summary and [texts(r) for r in summary['rows']]}")
    rows = [r for r in files["rows"][1:] if r["class"]] if files else []
    details = [r for r in files["rows"][1:] if not r["class"]] if files else []
    check(files is not None and texts(files["rows"][0]) ==
          ["student", "file", "score", "first wrong event", "format; notes"],
          f"class table header: {files and texts(files['rows'][0])}")
    got = [(r["class"], texts(r)[0], texts(r)[2], texts(r)[3]) for r in rows]
    want = [("ok", "alice", "5/5", ""), ("ok", "bob", "5/5", ""),
            ("wrong", "carol", "2/5", "customer 2 event 3 query: wrong value: got 400"),
            ("bad", "dave", "0/5", f"unusable: {cls}/dave.txt:1:43: the key result is not quoted"), ("ok", "erin", "5/5", "")]
    check(len(got) == 5 and all(g[:3] == w[:3] and g[3].startswith(w[3]) and (w[3] or not g[3])
                                for g, w in zip(got, want)), f"class rows: {got}")
    erin = texts(rows[4]) if len(rows) == 5 else [""] * 5
    check(erin[1] == "output.json" and erin[4].startswith("JSON, one array, result as an object ") and
          "also read as outputs: run<2>&.json" in erin[4], f"erin's notes name her other output as text: {erin}")
    check(len(details) == 1 and texts(details[0])[0] == "" and details[0]["cells"][1]["span"] == 4,
          f"one verdict row, under carol's, across the 4 other columns: {[texts(d) for d in details]}")
    check(texts(rows[0])[1] == "output.json" and texts(rows[1])[1] == "bob.json" and texts(rows[3])[1] == "dave.txt",
          f"the file column: {[texts(r)[1] for r in rows]}")
    check("<svg" in open(report).read() and p.tables[-1] is files, "the diagram follows the table")

    # rule: G13, G39; one file: a row per file, its verdicts under it across the other 3 columns
    one = os.path.join(tmp, "one.html")
    grade("--input", inp, os.path.join(cls, "carol.json"), "--report", one, want=1)
    p = parse(one)
    strict_ok("one file's report", p)
    summary, files = table(p, "summary"), table(p, "files")
    check(summary is not None and texts(summary["rows"][0])[0] == "files" and
          texts(summary["rows"][1]) == ["1", "0", "1", "0", "40.0% (of the 1 graded file)"],
          f"one file's summary: {summary and [texts(r) for r in summary['rows']]}")
    check(files is not None and texts(files["rows"][0]) == ["file", "score", "first wrong event", "format"] and
          len(files["rows"]) == 3 and files["rows"][1]["class"] == "wrong" and
          texts(files["rows"][1])[1] == "2/5" and texts(files["rows"][1])[0] == os.path.join(cls, "carol.json") and
          texts(files["rows"][1])[2].startswith("customer 2 event 3 query: wrong value: got 400: ") and
          texts(files["rows"][1])[3] == "JSON, one array" and files["rows"][2]["cells"][1]["span"] == 3 and
          texts(files["rows"][2])[0] == "" and files["rows"][2]["cells"][0]["span"] == 1,
          f"one file's table: {files and [texts(r) for r in files['rows']]}")

    # rule: G39; nothing wrong but something undecided: its own column and class
    # (an input whose answers one order gives, but neither reference schedule nor the greedy
    # order finds it: at --budget 1 bob's are undecided; carol's impossible query is wrong alone)
    und = os.path.join(tmp, "undecided")
    os.makedirs(und)
    und_inp = os.path.join(tmp, "undecided-input.json")
    json.dump([{"id": 1, "type": "customer", "events": [
                   {"id": 1, "interface": "deposit", "money": 1}, {"id": 2, "interface": "query"}]},
               {"id": 2, "type": "customer", "events": [
                   {"id": 3, "interface": "withdraw", "money": 1}, {"id": 4, "interface": "deposit", "money": 1},
                   {"id": 5, "interface": "query"}]},
               {"id": 3, "type": "customer", "events": [
                   {"id": 6, "interface": "deposit", "money": 1}, {"id": 7, "interface": "query"},
                   {"id": 8, "interface": "query"}]}] +
              [{"id": b, "type": "branch", "balance": 0} for b in (1, 2, 3)], open(und_inp, "w"))
    ok = {"interface": "deposit", "result": "success"}
    bob = [{"id": 1, "recv": [ok, {"interface": "query", "balance": 0}]},
           {"id": 2, "recv": [{"interface": "withdraw", "result": "success"}, ok, {"interface": "query", "balance": 2}]},
           {"id": 3, "recv": [ok, {"interface": "query", "balance": 1}, {"interface": "query", "balance": 2}]}]
    json.dump(bob, open(os.path.join(und, "bob.json"), "w"))
    bob[0]["recv"][1]["balance"] = 99
    json.dump(bob, open(os.path.join(und, "carol.json"), "w"))
    report = os.path.join(tmp, "undecided.html")
    grade("--input", und_inp, "--batch", und, "--budget", "1", "--report", report, want=1)
    p = parse(report)
    strict_ok("undecided report", p)
    summary, files = table(p, "summary"), table(p, "files students")
    check(summary is not None and texts(summary["rows"][0]) ==
          ["students", "all correct", "some wrong", "undecided", "unusable", "mean score"] and
          texts(summary["rows"][1])[:5] == ["2", "0", "1", "1", "0"],
          f"undecided summary: {summary and [texts(r) for r in summary['rows']]}")
    classes = [r["class"] for r in files["rows"][1:]] if files else []
    check(classes.count("undecided") == 1 and classes.count("wrong") == 1 and classes.count(None) == 2,
          f"undecided rows: the row and its verdicts under it: {classes}")

    # rule: G39; Project 2's batch: a row per submission, by file
    p2 = os.path.join(tmp, "p2")
    os.makedirs(os.path.join(p2, "good"))
    for f in ("customer_events.json", "branch_events.json", "all_events.json"):
        shutil.copy(os.path.join(golden, "p2-sample", "expected.sequential", f), os.path.join(p2, "good", f))
    open(os.path.join(p2, "broken.json"), "w").write("not json {\n")
    report = os.path.join(tmp, "p2.html")
    grade("--project", "2", "--input", os.path.join(golden, "p2-sample", "input.json"), "--batch", p2,
          "--report", report, want=1)
    p = parse(report)
    strict_ok("Project 2 report", p)
    summary, files = table(p, "summary"), table(p, "files")
    check(summary is not None and texts(summary["rows"][1])[:4] == ["2", "1", "0", "1"],
          f"Project 2 summary: {summary and [texts(r) for r in summary['rows']]}")
    rows = [texts(r) for r in files["rows"][1:]] if files else []
    check(len(rows) == 2 and rows[0][0].endswith("broken.json") and rows[0][1] == "-" and
          rows[0][2].startswith("unusable: ") and rows[1][0].endswith("good") and rows[1][3] != "",
          f"Project 2 rows: {rows}")

    # a batch with nothing wrong: the report written, exit 0
    os.remove(os.path.join(p2, "broken.json"))
    r = grade("--project", "2", "--input", os.path.join(golden, "p2-sample", "input.json"), "--batch", p2,
              "--report", report, want=0)
    check(r.stderr == f"bank grade: wrote {report}\nbank grade: 1 submissions, 1 with every event correct\n",
          f"Project 2, all correct: the report written, one summary line: {r.stderr!r}")
    check(parse(report).problems == [], "Project 2, all correct: strict markup")

    empty = os.path.join(tmp, "empty")
    os.makedirs(empty)
    r = grade("--project", "2", "--input", os.path.join(golden, "p2-sample", "input.json"), "--batch", empty,
              "--report", report, want=2)
    check(r.stderr == f"bank grade: {empty} holds no file to grade\n", f"an empty batch: one line: {r.stderr!r}")

    # the checker itself: text between two cells, a cell out of its row, a row too short
    broken = os.path.join(tmp, "broken.html")
    good = open(one).read()
    for name, bad in [("a character between cells", good.replace("</td><td", "</td>x<td", 1)),
                      ("a cell outside a row", good.replace("<tr class=\"wrong\">", "", 1)),
                      ("a short row", good.replace("<td class=\"score\">", "<th class=\"score\">", 1)
                       .replace("<td class=\"first\">", "", 1)),
                      ("a stray end tag", good.replace("</td></tr>", "</td></td></tr>", 1)),
                      ("a bare &", good.replace("<p>input: ", "<p>input: & ", 1))]:
        open(broken, "w").write(bad)
        check(bad != good and parse(broken).problems, f"the strict parser finds {name}")

finish("report_markup")
