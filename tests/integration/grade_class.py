#!/usr/bin/env python3
"""bank grade for a class: a row per student from a folder and from Canvas's zip, refused
archives, Gradescope's results.json, GitHub's annotations and summary, action.yml's entry script,
and (with --autograder) Gradescope's setup.sh and run_autograder in a fake /autograder.

The fixture class is generated here: folders with code, READMEs, inputs and outputs in several
forms; a student with no output, one with two, one with an unusable one, one whose output is in a
zip, a loose file, one with their own input.
Usage: grade_class.py BANK GOLDEN_DIR SOURCE_DIR [--autograder]
"""
import csv
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from checks import check, finish  # noqa: E402

try:
    from jsonschema import Draft202012Validator
except ImportError:
    print("grade_class: python3-jsonschema is not installed (tools/deps.sh test); skipping",
          file=sys.stderr)
    sys.exit(77)

bank, golden, source = (os.path.abspath(a) for a in sys.argv[1:4])
autograder = "--autograder" in sys.argv[4:]
sample = os.path.join(golden, "sample", "input.json")


def run(*args, env=None, cwd=None):
    r = subprocess.run([bank, "grade", *args], capture_output=True, text=True, timeout=300,
                       env=env, cwd=cwd)
    # a sanitizer's report in a captured stderr would go unseen: show it (ctest fails on it)
    check(not any(m in r.stderr for m in ("Sanitizer", "runtime error:")),
          "no sanitizer report: bank grade " + " ".join(args), r.stderr)
    return r


def answers(q1, q2, q3):
    return [{"id": 1, "recv": [{"interface": "query", "balance": q1}]},
            {"id": 2, "recv": [{"interface": "deposit", "result": "success"},
                               {"interface": "query", "balance": q2}]},
            {"id": 3, "recv": [{"interface": "withdraw", "result": "success"},
                               {"interface": "query", "balance": q3}]}]


SEQUENTIAL = json.dumps(answers(400, 570, 500)) + "\n"
PYTHON_WRONG = ("{'id': 1, 'recv': [{'interface': 'query', 'result': 'success', 'money': 400}]}\n"
                "{'id': 2, 'recv': [{'interface': 'deposit', 'result': 'success'}, {'interface': 'query', 'result': 'success', 'money': 400}]}\n"
                "{'id': 3, 'recv': [{'interface': 'withdraw', 'result': 'success'}, {'interface': 'query', 'result': 'success', 'money': 500}]}\n")
JSON_LINES_ROUNDS = ('{"id": 1, "recv": [{"interface": "QUERY", "result": "SUCCESS", "money": 500.0}]}\n'
                     '{"id": 2, "recv": [{"interface": "DEPOSIT", "result": "SUCCESS"}, {"interface": "QUERY", "result": "SUCCESS", "money": 500.0}]}\n'
                     '{"id": 3, "recv": [{"interface": "WITHDRAW", "result": "SUCCESS"}, {"interface": "QUERY", "result": "SUCCESS", "money": 500.0}]}\n')
PROTO_DUMP = ("id: 1, recv:[id: 1\ninterface: query\nmoney: 500\nresult: success\n]"
              "id: 2, recv:[id: 2\ninterface: deposit\nresult: success\n, id: 2\ninterface: query\nmoney: 500\nresult: success\n]"
              "id: 3, recv:[id: 3\ninterface: withdraw\nresult: success\n, id: 3\ninterface: query\nmoney: 500\nresult: success\n]")
UNQUOTED = "{'id': 1, 'recv': [{'interface': 'query', result: 'success', 'money': 440.0}]}\n"
OWN_INPUT = ('[{"id": 1, "type": "branch", "balance": 100},\n'
             ' {"id": 1, "type": "customer", "events": [{"id": 1, "interface": "deposit", "money": 10}, {"id": 2, "interface": "query"}]}]\n')
OWN_OUTPUT = '[{"id": 1, "recv": [{"interface": "deposit", "result": "success"}, {"interface": "query", "balance": 110}]}]\n'
OTHER_RUN = '[{"id": 7, "recv": [{"interface": "query", "balance": 10}]}, {"id": 8, "recv": []}]\n'
CODE = "import grpc\n\nclass Branch:\n    def out(self):\n        return {'id': self.id, 'recv': self.recvMsg}\n"
INPUT = open(sample).read()


def project_zip():
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project/output.json", json.dumps(answers(400, 570, 500), indent=2))
        z.writestr("project/Branch.py", CODE)
        z.writestr("project/README.md", "# p1\n")
    return b.getvalue()


# student -> {file: bytes or str}; every submission flat, as Canvas keeps it
CLASS = {
    "alice": {"output.json": SEQUENTIAL, "Branch.py": CODE, "Customer.py": CODE, "README.md": "# P1\n",
              "input.json": INPUT, "bank.proto": "syntax = \"proto3\";\n"},
    "bob": {"out.txt": PYTHON_WRONG, "main.py": CODE, "input.json": INPUT},
    "carol": {"Branch.py": CODE, "README.md": "no output yet\n", "input.json": INPUT},
    "dave": {"output.json": JSON_LINES_ROUNDS, "output_2.json": OTHER_RUN, "Branch.py": CODE},
    "erin": {"results.txt": PROTO_DUMP, "requirements.txt": "grpcio\n"},
    "frank": {"output.txt": UNQUOTED, "Branch.py": CODE},
    "grace": {"project.zip": project_zip()},
    "ivan": {"output.json": OWN_OUTPUT, "input.json": OWN_INPUT},
}
CANVAS_ID = {name: 1001 + i for i, name in enumerate(sorted(CLASS))}


def write(path, data):
    if os.path.dirname(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def make_class(root):
    for student, files in CLASS.items():
        for name, data in files.items():
            write(os.path.join(root, student, name), data)
    write(os.path.join(root, "henry.json"), SEQUENTIAL)


def make_canvas_zip(path):
    attachment = 5000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for student in sorted(CLASS):
            late = "_LATE" if student == "bob" else ""
            for name, data in sorted(CLASS[student].items()):
                attachment += 1
                z.writestr("%s%s_%d_%d_%s" % (student, late, CANVAS_ID[student], attachment, name), data)
        z.writestr("henry.json", SEQUENTIAL)


def csv_rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def comparable(rows):
    """What a folder and a zip of one class must agree on: all but where the files are."""
    out = []
    for r in rows:
        first = r["first_wrong"].replace(r["source"], "SOURCE") if r["source"] else r["first_wrong"]
        out.append((r["student"], r["score"], r["correct"], r["events"], r["file"], r["others"],
                    r["format"], first))
    return out


tmp = tempfile.mkdtemp(prefix="grade_class.")
try:
    os.chdir(tmp)
    make_class("class")

    # ---- a folder: a row per student ----
    # rule: G30, G31, G33; the fixture class graded to one row per student
    r = run("--input", sample, "--batch", "class", "--report", "folder.csv")
    check(r.returncode == 1, "class folder: exit 1 (some students are wrong)", r.returncode)
    print(r.stdout)
    rows = csv_rows("folder.csv")
    by = {row["student"]: row for row in rows}
    check([row["student"] for row in rows] == ["alice", "bob", "carol", "dave", "erin", "frank",
                                               "grace", "henry", "ivan"],
          "one row per student, in name order", [row["student"] for row in rows])
    expect = {"alice": ("5/5", "output.json"), "bob": ("4/5", "out.txt"), "carol": ("0/5", ""),
              "dave": ("5/5", "output.json"), "erin": ("5/5", "results.txt"),
              "frank": ("0/5", "output.txt"), "grace": ("5/5", "project.zip/project/output.json"),
              "henry": ("5/5", "henry.json"), "ivan": ("0/5", "output.json")}
    for student, (score, graded) in expect.items():
        row = by.get(student, {})
        check((row.get("score"), row.get("file")) == (score, graded),
              "%s: %s, graded %s" % (student, score, graded or "nothing"), row)
    check(by["bob"]["first_wrong"].startswith("customer 2 event 3 query: wrong value: got 400"),
          "bob's first wrong event", by["bob"]["first_wrong"])
    check(all(by[s]["first_wrong"] == "" for s in ("alice", "dave", "erin", "grace", "henry")),
          "every event right: nothing in the first wrong event's column", by)
    check(by["carol"]["first_wrong"] == "no output file", "carol: no output file (code, README and "
          "her input ignored)", by["carol"])
    check(by["dave"]["others"] == "output_2.json", "dave: the other output is listed, not graded",
          by["dave"])
    check(by["frank"]["first_wrong"].startswith("unusable: class/frank/output.txt:1:43: the key result "
                                                 "is not quoted"), "frank: an output that does not read is unusable, with where",
          by["frank"]["first_wrong"])
    check(by["ivan"]["first_wrong"].startswith("customer 1 event 1 query: wrong interface"),
          "ivan: his output is for his own input", by["ivan"]["first_wrong"])
    check("5 with every event correct" in r.stderr and "9 students" in r.stderr, "the summary line",
          r.stderr)
    check(r.stdout.splitlines()[0].split() == ["student", "score", "file", "format", "first", "wrong",
                                               "event", "/", "notes"], "the table's heading",
          r.stdout.splitlines()[0])
    folder_table = r.stdout

    # rule: G33; the same class as --report JSON: a whole object per student, graded or not
    r = run("--input", sample, "--batch", "class", "--report", "folder.json")
    rep = json.load(open("folder.json"))
    js = {s["student"]: s for s in rep["students"]}
    mode = "consistent (some legal execution)"
    counts = {"wrong": 0, "undecided": 0, "snapshots_merged": False, "records_repeated": False}
    check([s["student"] for s in rep["students"]] == [row["student"] for row in rows] and
          rep["input"] == sample and rep["mode"] == mode, "--report JSON: the students in order, the input and mode",
          (list(js), rep["input"], rep["mode"]))
    check(js["carol"] == {"student": "carol", "events": 5, "correct": 0, "mode": mode, "error": "no output file"},
          "--report JSON: a student without an output", js["carol"])
    check(js["frank"] == {"student": "frank", "graded": "output.txt", "events": 5, "correct": 0,
                          "file": "class/frank/output.txt", "mode": mode,
                          "error": "unusable: class/frank/output.txt:1:43: the key result is not quoted (neither "
                                   "JSON nor a Python literal)"},
          "--report JSON: an unusable output", js["frank"])
    check(js["dave"] == dict(counts, student="dave", graded="output.json", others="output_2.json",
                             file="class/dave/output.json", mode=mode,
                             format="JSON, one object a line, interface in capitals", events=5, correct=5),
          "--report JSON: a student with two outputs", js["dave"])
    check(js["bob"] == dict(counts, student="bob", graded="out.txt", file="class/bob/out.txt", mode=mode,
                            format="Python literals, one object a line", events=5, correct=4, wrong=1,
                            first_wrong={"customer": 2, "entry": 2, "event": 3, "interface": "query",
                                         "verdict": "wrong value", "detail": "got 400: no execution reads that "
                                         "here, with any choice of the other customers' writes before it; it could "
                                         "read 500 or 570", "line": 2, "column": 67}),
          "--report JSON: a wrong answer, with the first wrong event", js["bob"])

    # rule: G31; --pattern chooses the output
    r = run("--input", sample, "--batch", "class", "--pattern", "output_2*", "--report", "p.csv")
    by = {row["student"]: row for row in csv_rows("p.csv")}
    check(by["dave"]["file"] == "output_2.json" and by["dave"]["score"] == "0/5",
          "--pattern output_2*: dave's other run is graded", by["dave"])
    check(by["alice"]["first_wrong"].startswith("no output file"), "--pattern: alice has none",
          by["alice"])

    # rule: G35; their own input
    r = run("--input", sample, "--batch", "class", "--input-pattern", "input*.json", "--report", "own.csv")
    by = {row["student"]: row for row in csv_rows("own.csv")}
    check(by["ivan"]["score"] == "2/2" and "graded against their own input input.json" in by["ivan"]["notes"],
          "--input-pattern: ivan graded against his own input", by["ivan"])
    check(by["alice"]["score"] == "5/5" and "their own input" in by["alice"]["notes"],
          "--input-pattern: alice's input is the course's", by["alice"])
    check(by["dave"]["score"] == "5/5" and "graded against the course's input" in by["dave"]["notes"],
          "--input-pattern: dave has none, the course's is used", by["dave"])
    r = run("--batch", "class", "--input-pattern", "input*.json", "--report", "own2.csv")
    by = {row["student"]: row for row in csv_rows("own2.csv")}
    check(by["dave"]["first_wrong"].startswith("no input to grade against") and by["dave"]["score"] == "0",
          "--input-pattern without --input: dave has nothing to be graded against", by["dave"])
    check(r.returncode == 1, "--input-pattern alone: exit 1", r.returncode)

    # rule: G14, G33; a class with nothing wrong but a student's answers left undecided (--budget 1 on
    # a live run's 300 answers) exits 3; a wrong student beside it makes it 1
    subprocess.run([sys.executable, os.path.join(source, "tools", "grade_cases.py"), "mixed", "30", "10", "0", "7",
                    "live-in.json", "live-out.json"], check=True, capture_output=True)
    write("undecided/uma/output.json", open("live-out.json").read())
    r = run("--input", "live-in.json", "--batch", "undecided", "--budget", "1")
    check(r.returncode == 3 and re.search(r"none wrong; [1-9][0-9]* undecided: the consistency check ran out of "
                                          r"--budget", r.stdout) is not None,
          "a class with answers undecided only: exit 3, and the row says why",
          "%d\n%s%s" % (r.returncode, r.stdout, r.stderr))
    write("undecided/victor/output.json", "[]\n")
    r = run("--input", "live-in.json", "--batch", "undecided", "--budget", "1")
    check(r.returncode == 1, "undecided beside a student with nothing right: exit 1", r.returncode)

    # ---- Canvas ----
    # rule: G32, G34; Canvas's zip of the same class gives the same table
    make_canvas_zip("submissions.zip")
    r = run("--input", sample, "--batch", "submissions.zip", "--report", "zip.csv")
    check(r.returncode == 1, "Canvas zip: exit 1", r.returncode)
    zip_rows = csv_rows("zip.csv")
    check(comparable(zip_rows) == comparable(rows), "the Canvas zip gives the folder's table",
          "\n".join(map(str, comparable(zip_rows))))
    zby = {row["student"]: row for row in zip_rows}
    check(zby["bob"]["notes"] == "late" and zby["alice"]["notes"] == "", "Canvas's LATE is noted",
          zby["bob"])
    check(zby["alice"]["canvas_id"] == "1001" and zby["henry"]["canvas_id"] == "",
          "the Canvas id is in the report", (zby["alice"], zby["henry"]))
    check(zby["alice"]["source"].startswith("submissions.zip:alice_1001_"), "the source names the member",
          zby["alice"]["source"])
    check([l.replace("; late", "") for l in r.stdout.splitlines()] ==
          [l.replace("class/frank/output.txt", zby["frank"]["source"]) for l in folder_table.splitlines()],
          "the text table too", r.stdout)
    # a zipped class folder (one folder around everything) is the folder
    shutil.make_archive("folder", "zip", ".", "class")
    r = run("--input", sample, "--batch", "folder.zip", "--report", "fz.csv")
    check([c[:7] for c in comparable(csv_rows("fz.csv"))] == [c[:7] for c in comparable(rows)],
          "a zipped class folder gives the folder's table", r.stdout)

    # rule: G34; a zip bomb and a path leaving the archive are refused, one line each
    with zipfile.ZipFile("bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("alice_1001_5001_output.json", b"[" + b" " * (24 << 20) + b"]")
    with zipfile.ZipFile("escape.zip", "w") as z:
        z.writestr("alice_1001_5001_output.json", SEQUENTIAL)
        z.writestr("../../outside/output.json", SEQUENTIAL)
    for name, what in (("bomb.zip", "a zip bomb); refused, nothing graded"),
                       ("escape.zip", "../../outside/output.json: a path that leaves the archive; refused")):
        r = run("--input", sample, "--batch", name)
        lines = r.stderr.splitlines()
        check(r.returncode == 2 and r.stdout == "" and len(lines) == 1 and what in lines[0]
              and lines[0].startswith("bank grade: %s: " % name),
              "%s: refused with one line" % name, r.stderr)
    check(not os.path.exists("../outside") and not os.path.exists("outside"), "nothing written outside")
    # the same inside one student's submission: their row says so, the class is graded
    os.makedirs("class2/mallory")
    shutil.copy("escape.zip", "class2/mallory/work.zip")
    shutil.copy("bomb.zip", "class2/zed.zip")
    write("class2/mallory/output.json", SEQUENTIAL)
    write("class2/kim.json", SEQUENTIAL)
    write("class2/kim.txt", "my notes\n")
    write("class2/mallory.json", PYTHON_WRONG)
    r = run("--input", sample, "--batch", "class2", "--report", "c2.csv")
    by = {row["student"]: row for row in csv_rows("c2.csv")}
    # rule: G30; loose files of one name are one student's, unless a folder has that name
    check(sorted(by) == ["kim", "mallory", "mallory.json", "zed"] and by["kim"]["file"] == "kim.json" and
          by["mallory.json"]["score"] == "4/5", "loose files: kim.json and kim.txt one student, mallory.json "
          "beside the folder mallory another", sorted(by))
    shutil.make_archive("class2", "zip", "class2")
    r = run("--input", sample, "--batch", "class2.zip", "--report", "c2z.csv")
    check(sorted(row["student"] for row in csv_rows("c2z.csv")) == sorted(by),
          "the same students from the zipped folder", r.stdout + r.stderr)
    check(by["mallory"]["score"] == "5/5" and "work.zip not opened:" in by["mallory"]["notes"] and
          "leaves the archive" in by["mallory"]["notes"], "a student's own archive that escapes is noted",
          by["mallory"])
    check(by["zed"]["first_wrong"] == "no output file" and "zip bomb" in by["zed"]["notes"],
          "a student's zip bomb is noted", by["zed"])
    # a member past the 8 MiB a file may have that is no bomb (stored, seeded noise): noted, the
    # rest of that zip graded
    os.makedirs("class3/yan")
    with zipfile.ZipFile("class3/yan/work.zip", "w") as z:
        z.writestr("work/big.json", random.Random(1).randbytes((8 << 20) + 1))
        z.writestr("work/output.json", SEQUENTIAL)
        z.writestr("work/.old.json", SEQUENTIAL)  # a hidden name, as G30 leaves out
    r = run("--input", sample, "--batch", "class3", "--report", "c3.csv")
    yan = csv_rows("c3.csv")[0]
    check(r.returncode == 0 and yan["score"] == "5/5" and yan["file"] == "work.zip/work/output.json" and
          "work.zip/work/big.json not read: larger than 8 MiB" in yan["notes"] and yan["others"] == "",
          "a member of a student's zip past 8 MiB, no bomb, is noted, a hidden one left out, the rest graded",
          (r.returncode, yan, r.stderr))

    # rule: G30; a student's files are read 8 folders down, not 9
    write("class4/eight/" + "/".join("abcdefgh") + "/output.json", SEQUENTIAL)
    write("class4/nine/" + "/".join("abcdefghi") + "/output.json", SEQUENTIAL)
    r = run("--input", sample, "--batch", "class4", "--report", "c4.csv")
    by = {row["student"]: row for row in csv_rows("c4.csv")}
    check(by["eight"]["score"] == "5/5" and by["nine"]["first_wrong"] == "no output file",
          "an output 8 folders down is graded, one 9 down is not read", by)

    # rule: G30; one student's submission: a folder, or an archive
    r = run("--input", sample, "class/dave")
    check(r.returncode == 0 and r.stdout.startswith("note: also read as outputs, not graded: output_2.json\n") and
          "class/dave/output.json: JSON, one object a line" in r.stdout and "5/5 events correct" in r.stdout,
          "a student's folder: the output found in it, graded event by event", r.stdout + r.stderr)
    r = run("--input", sample, "class/grace/project.zip")
    check(r.returncode == 0 and "class/grace/project.zip:project/output.json: JSON, one array" in r.stdout,
          "a student's archive: the output found in it", r.stdout + r.stderr)
    r = run("--input", sample, "class/carol")
    check(r.returncode == 1 and r.stderr == "bank grade: class/carol: no output file\n",
          "a student's folder without an output: exit 1, one line", r.stderr)
    r = run("--input", sample, "escape.zip")
    # the archive reader's "; refused" is left out: the note says it was not opened
    check(r.returncode == 1 and "note: escape.zip not opened: ../../outside/output.json: a path that leaves "
          "the archive\n" in r.stdout, "a submitted archive that escapes is not opened, and says why", r.stdout)

    # ---- Gradescope ----
    schema = json.load(open(os.path.join(source, "spec", "gradescope-results.schema.json")))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)

    def valid(doc):
        return not list(validator.iter_errors(doc))

    # rule: G36; results.json per event, schema-checked
    r = run("--input", sample, "--gradescope", "gs.json", "class/bob")
    gs = json.load(open("gs.json"))
    check(valid(gs), "Gradescope results.json (per event) follows the schema",
          [e.message for e in validator.iter_errors(gs)])
    tests = gs["tests"]
    check(gs["score"] == 4 and len(tests) == 5 and sum(t["max_score"] for t in tests) == 5,
          "per event: 5 tests, score 4 of 5", gs)
    check([(t["number"], t["score"], t["max_score"]) for t in tests] ==
          [("1.1", 1, 1), ("2.1", 1, 1), ("2.2", 0, 1), ("3.1", 1, 1), ("3.2", 1, 1)],
          "per event: each test numbered customer.event, 1 point each", tests)
    wrong = [t for t in tests if t["status"] == "failed"]
    check(len(wrong) == 1 and wrong[0]["name"] == "customer 2 event 3 query" and wrong[0]["number"] == "2.2"
          and wrong[0]["output"].startswith("wrong value: got 400") and wrong[0]["output"].endswith("[out.txt:2:67]"),
          "the failed test names the event, why and where", wrong)
    check({k: v for k, v in gs.items() if k != "tests"} ==
          {"score": 4, "output": "Graded out.txt (Python literals, one object a line), judged consistent (some legal "
                                 "execution): 4/5 events correct.",
           "output_format": "text", "test_output_format": "text", "test_name_format": "text",
           "extra_data": {"mode": "consistent (some legal execution)", "graded": "out.txt",
                          "format": "Python literals, one object a line", "max_score": 5}},
          "plain text, no visibility unless asked, the summary whole", gs)
    # rule: G36; per customer, scaled, with visibility
    r = run("--input", sample, "--gradescope", "gc.json", "--gradescope-granularity", "customer",
            "--points", "10", "--gradescope-visibility", "after_due_date",
            "--gradescope-stdout-visibility", "visible", "class/bob")
    gc = json.load(open("gc.json"))
    check(valid(gc), "Gradescope results.json (per customer) follows the schema",
          [e.message for e in validator.iter_errors(gc)])
    check([(t["name"], t["number"], t["score"], t["max_score"], t["status"]) for t in gc["tests"]] ==
          [("customer 1", "1", 2, 2, "passed"), ("customer 2", "2", 2, 4, "failed"),
           ("customer 3", "3", 4, 4, "passed")]
          and gc["score"] == 8 and gc["visibility"] == "after_due_date" and gc["stdout_visibility"] == "visible",
          "per customer: three tests, 8 of 10 points, visibility set", gc)
    # rule: G36; nothing graded: every test 0, and the reason
    r = run("--input", sample, "--gradescope", "gn.json", "class/carol")
    gn = json.load(open("gn.json"))
    check(r.returncode == 1 and valid(gn) and gn["score"] == 0 and len(gn["tests"]) == 5 and
          all(t["score"] == 0 and t["output"] == "no output file" for t in gn["tests"]) and
          "no output file" in gn["output"], "no output file: 0, every test says why", (r.returncode, gn))
    # an output file that does not read: exit 2, and still 0 of the input's 5 events, not of 0
    r = run("--input", sample, "--gradescope", "gu.json", "class/frank/output.txt")
    gu = json.load(open("gu.json"))
    check(r.returncode == 2 and valid(gu) and gu["score"] == 0 and gu["extra_data"]["max_score"] == 5 and
          len(gu["tests"]) == 5 and all(t["score"] == 0 and "the key result is not quoted" in t["output"]
                                        for t in gu["tests"]),
          "an unusable file: 0 of 5, every test says why", (r.returncode, gu))
    # rule: G36; the other files that read as outputs and the notes are said; replies for no event of the input
    # are one test worth nothing, a line each
    write("dave2/output.json", SEQUENTIAL)
    write("dave2/output_2.json", OTHER_RUN)
    with open("dave2/huge.txt", "wb") as f:
        f.truncate(9 << 20)  # sparse: no disk spent
    r = run("--input", sample, "--gradescope", "gd.json", "dave2")
    gd = json.load(open("gd.json"))
    check(valid(gd) and gd["output"].endswith(": 5/5 events correct.\nAlso read as outputs (not graded): output_2.json."
                                              "\nNotes: huge.txt not read: larger than 8 MiB."),
          "the other outputs read, and the notes, are in the summary", gd["output"])
    write("extra.json", json.dumps(answers(400, 570, 500) + [{"id": 9, "recv": [{"interface": "query", "balance": 1}]},
                                                               {"id": 2, "recv": [{"interface": "query", "balance": 3}]}]))
    r = run("--input", sample, "--gradescope", "ge.json", "extra.json")
    ge = json.load(open("ge.json"))
    extra = [t for t in ge["tests"] if t["name"] == "replies for no event of the input"]
    check(valid(ge) and ge["score"] == 5 and len(ge["tests"]) == 6 and len(extra) == 1 and
          (extra[0]["number"], extra[0]["score"], extra[0]["max_score"], extra[0]["status"]) == ("0", 0, 0, "failed") and
          extra[0]["output"] == "customer 9: extra: a record for customer 9, for which the input has no entry left "
          "[extra.json:1:280]\ncustomer 2: extra: a record for customer 2, for which the input has no entry left "
          "[extra.json:1:339]\n", "extra records: one test of 0 points, a line each", ge["tests"][5:])
    # an id that repeats names each of its entries by its place in the input (entry N)
    repeated = os.path.join(golden, "repeated-ids")
    r = run("--input", os.path.join(repeated, "input.json"), "--gradescope", "gr.json", "--gradescope-granularity",
            "customer", os.path.join(repeated, "expected.sequential.json"))
    gr = json.load(open("gr.json"))
    check(r.returncode == 0 and valid(gr) and gr["score"] == 7 and
          [(t["name"], t["number"], t["score"], t["status"]) for t in gr["tests"]] ==
          [("customer 1 (entry 1)", "1", 2, "passed"), ("customer 2", "2", 2, "passed"),
           ("customer 1 (entry 3)", "3", 1, "passed"), ("customer 1 (entry 4)", "4", 2, "passed")],
          "per customer, an id in several entries: each named by its entry", (r.returncode, r.stderr, gr))
    # the schema is not vacuous
    for what, doc in (("a visibility Gradescope lacks", dict(gs, visibility="sometimes")),
                      ("no score anywhere", {"tests": [{"name": "x", "max_score": 1}]}),
                      ("a key Gradescope does not document", dict(gs, scroe=1)),
                      ("a test status other than passed or failed", dict(gs, tests=[dict(tests[0], status="ok")]))):
        check(not valid(doc), "the schema rejects " + what)
    for bad in (["--batch", "class", "--gradescope", "x.json"],
                ["--gradescope", "x.json", "--gradescope-visibility", "sometimes", "class/bob"],
                ["--gradescope", "x.json", "--gradescope-granularity", "branch", "class/bob"],
                ["--gradescope-visibility", "hidden", "class/bob"]):
        r = run("--input", sample, *bad)
        check(r.returncode == 2 and len(r.stderr.splitlines()) == 1, "usage error: " + " ".join(bad), r.stderr)

    # ---- GitHub ----
    # rule: G37; annotations on the right file, line and column
    bob_out = os.path.join(tmp, "class", "bob", "out.txt")
    line2 = PYTHON_WRONG.splitlines()[1]
    col = line2.index("{'interface': 'query'") + 1
    summary = os.path.join(tmp, "summary.md")
    env = dict(os.environ, GITHUB_WORKSPACE=tmp, GITHUB_STEP_SUMMARY=summary)
    r = run("--input", sample, "--github", os.path.join(tmp, "class", "bob"), env=env)
    notes = [l for l in r.stdout.splitlines() if l.startswith("::")]
    check(notes == ["::error file=class/bob/out.txt,line=2,col=%d::customer 2 event 3 query: wrong value: "
                    "got 400: no execution reads that here, with any choice of the other customers' "
                    "writes before it; it could read 500 or 570" % col],
          "one annotation at bob's reply: file relative to the workspace, line 2, column %d" % col, notes)
    check(r.stdout.splitlines()[-1] == "Points 4/5", "Points 4/5 last", r.stdout.splitlines()[-1:])
    md = open(summary).read()
    check(md.startswith("### bank grade: 4/5 points") and md.count("\n| ") == 6 and
          "**wrong value**" in md and "class/bob/out.txt:2:%d" % col in md, "the step summary's table", md)
    r = run("--input", sample, "--github", "--points", "10", "class/bob/out.txt", env=env)
    check(r.stdout.splitlines()[-1] == "Points 8/10", "--points scales the Points line", r.stdout)
    nowhere = os.path.join(tmp, "no-such-dir", "summary.md")
    r = run("--input", sample, "--github", "class/bob/out.txt",
            env=dict(env, GITHUB_STEP_SUMMARY=nowhere))
    check(r.returncode == 1 and "bank grade: GITHUB_STEP_SUMMARY %s: cannot append: No such file or directory"
          % nowhere in r.stderr.splitlines() and r.stdout.splitlines()[-1] == "Points 4/5",
          "a step summary that cannot be opened: said in one line, exit 1, the rest still printed", r.stderr)
    write("missing.json", json.dumps(answers(400, 570, 500)[:2]))
    r = run("--input", sample, "--github", "missing.json", env=env)
    notes = [l for l in r.stdout.splitlines() if l.startswith("::")]
    check(any(n.startswith("::error file=missing.json::customer 3 event 4 withdraw: missing") for n in notes),
          "a missing event annotates the file without a line", notes)
    r = run("--input", sample, "--github", "class/frank/output.txt", env=env)
    check(any(l.startswith("::error file=class/frank/output.txt,line=1,col=43::unusable: the key result is not "
                           "quoted") for l in r.stdout.splitlines()), "an unusable file is annotated at its fault",
          r.stdout)
    r = run("--input", sample, "--github", "class/frank", env=env)
    check(any(l.startswith("::error file=class/frank/output.txt,line=1,col=43::unusable: the key result is not "
                           "quoted") for l in r.stdout.splitlines()), "an unusable file of a student's folder is "
          "annotated at its fault", r.stdout)
    os.remove(summary)
    r = run("--input", sample, "--github", "class/dave", env=env)
    md = open(summary).read()
    check(": 5/5 events correct.\n\nAlso read as outputs (not graded): output\\_2.json.\n\n| customer |" in md,
          "the step summary names the other outputs read", md)
    r = run("--input", sample, "--github", "class/carol", env=env)
    check("::error::no output file" in r.stdout.splitlines() and r.returncode == 1,
          "no output file: one error naming no file", r.stdout)
    write("odd,name%.json", json.dumps(answers(400, 400, 500)))
    r = run("--input", sample, "--github", "odd,name%.json", env=env)
    check(any(l.startswith("::error file=odd%2Cname%25.json,line=1,col=") for l in r.stdout.splitlines()),
          "a path's ',' and '%' are escaped", r.stdout)

    # rule: G38; action.yml's entry script with a fake GITHUB_STEP_SUMMARY
    action = open(os.path.join(source, "action.yml")).read()
    check("using: composite" in action and "tools/github/grade_action.sh" in action,
          "action.yml is a composite action running tools/github/grade_action.sh")
    try:
        import yaml  # not a declared dependency: the wiring is checked when it is there
    except ImportError:
        yaml = None
        print("note: python3-yaml is absent; action.yml's wiring is checked as text only")
    if yaml:
        import re
        spec = yaml.safe_load(action)
        steps = spec["runs"]["steps"]
        used = set(re.findall(r"inputs\.([a-z-]+)", action))
        check(spec["runs"]["using"] == "composite" and len(steps) == 1 and steps[0]["id"] == "grade" and
              steps[0]["shell"] == "bash" and "grade_action.sh" in steps[0]["run"] and
              spec["inputs"]["input"]["required"] is True and used == set(spec["inputs"]) and
              "steps.grade.outputs.points" in spec["outputs"]["points"]["value"],
              "action.yml: one bash step, every input used and declared, points from the step", spec)
    script = os.path.join(source, "tools", "github", "grade_action.sh")
    outputs = os.path.join(tmp, "github_output")
    summary2 = os.path.join(tmp, "summary2.md")
    for fail_on_wrong, args, rc, points in (("true", "", 1, "4/5"), ("false", "--points 10", 0, "8/10")):
        open(outputs, "w").close()
        env2 = dict(os.environ, BANK=bank, BANK_INPUT=sample, BANK_OUTPUT="class/bob", BANK_ARGS=args,
                    BANK_FAIL_ON_WRONG=fail_on_wrong, GITHUB_WORKSPACE=tmp, GITHUB_STEP_SUMMARY=summary2,
                    GITHUB_OUTPUT=outputs)
        p = subprocess.run(["bash", script], capture_output=True, text=True, env=env2, cwd=tmp, timeout=300)
        check(p.returncode == rc and open(outputs).read() == "points=%s\n" % points and
              "::error file=class/bob/out.txt,line=2,col=%d::" % col in p.stdout,
              "grade_action.sh (fail-on-wrong %s): exit %d, points=%s, the annotation" % (fail_on_wrong, rc, points),
              (p.returncode, open(outputs).read(), p.stdout, p.stderr))
    check(open(summary2).read().count("### bank grade:") == 2, "each run appends its summary")

    # ---- Gradescope's scripts, in a fake /autograder ----
    if autograder:
        # rule: G38; make_autograder.sh, setup.sh (the grade-only build), run_autograder
        tools = os.path.join(source, "tools", "gradescope")
        p = subprocess.run([os.path.join(tools, "make_autograder.sh"), sample, "-o", "autograder.zip",
                            "--gradescope-granularity", "customer"], capture_output=True, text=True,
                           env=dict(os.environ, BANK=bank), timeout=300)
        check(p.returncode == 0, "make_autograder.sh", p.stderr)
        p = subprocess.run([os.path.join(tools, "make_autograder.sh"), sample, "-o", "bad.zip",
                            "--gradescope-granularity", "branch"], capture_output=True, text=True,
                           env=dict(os.environ, BANK=bank), timeout=300)
        check(p.returncode == 2 and not os.path.exists("bad.zip"), "make_autograder.sh refuses bad options",
              p.stderr)
        root = os.path.join(tmp, "autograder")
        with zipfile.ZipFile("autograder.zip") as z:
            check({"setup.sh", "run_autograder", "input.json", "grade.conf"} <= set(z.namelist()),
                  "the zip holds setup.sh and run_autograder at its root", z.namelist()[:8])
            for info in z.infolist():  # as unzip does: with the modes it stored
                path = z.extract(info, os.path.join(root, "source"))
                if not info.is_dir() and info.external_attr >> 16:
                    os.chmod(path, (info.external_attr >> 16) & 0o777)
        env3 = dict(os.environ, AUTOGRADER_ROOT=root)
        p = subprocess.run([os.path.join(root, "source", "setup.sh")], capture_output=True, text=True,
                           env=env3, timeout=900)
        check(p.returncode == 0, "setup.sh builds the grade-only bank", p.stdout + p.stderr)
        built = os.path.join(root, "source", "build", "bank")
        b = subprocess.run([built, "run", sample], capture_output=True, text=True)
        check(b.returncode == 2 and "grade-only build" in b.stderr, "the grade-only bank has only grade", b.stderr)
        for student, want in (("bob", 4), ("carol", 0)):
            shutil.rmtree(os.path.join(root, "submission"), ignore_errors=True)
            shutil.copytree(os.path.join("class", student), os.path.join(root, "submission"))
            p = subprocess.run([os.path.join(root, "source", "run_autograder")], capture_output=True,
                               text=True, env=env3, timeout=300)
            res = json.load(open(os.path.join(root, "results", "results.json")))
            check(p.returncode == 0 and valid(res) and res["score"] == want and len(res["tests"]) == 3,
                  "run_autograder on %s's submission: score %d, a test per customer" % (student, want),
                  (p.returncode, res, p.stdout, p.stderr))
        with open(os.path.join(root, "source", "grade.conf"), "a") as f:
            f.write("--no-such-option\n")
        p = subprocess.run([os.path.join(root, "source", "run_autograder")], capture_output=True,
                           text=True, env=env3, timeout=300)
        res = json.load(open(os.path.join(root, "results", "results.json")))
        check(p.returncode == 0 and valid(res) and res["score"] == 0 and "exited 2" in res["output"],
              "a broken grade.conf still leaves results that say so", res)
finally:
    os.chdir("/")
    shutil.rmtree(tmp)

finish("grade_class")
