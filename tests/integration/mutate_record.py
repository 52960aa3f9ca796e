#!/usr/bin/env python3
"""tools/mutate.py's record of a sample judged over several sittings.

A row per verdict, the last row of a key winning: a survivor carried into a sitting keeps its row
until it is judged again. --resume keeps every verdict but SURVIVED and NOT-BUILT (judged again);
--table scores the sample as the record stands, an equivalent listed in equivalent.txt counting
as equivalent whatever its row says, and says how many are not judged yet. A survivor's logs are
removed but the first failure of a test that failed once and then passed.
Usage: mutate_record.py tools/mutate.py
"""
import contextlib
import importlib.util
import io
import os
import sys
import tempfile
import types

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from checks import check, finish  # noqa: E402

spec = importlib.util.spec_from_file_location("mutate", sys.argv[1])
mutate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mutate)


def row(key, result, path="src/core/x.c"):
    return "\t".join([key, path, "1", "delete", "x; -> {}", result, "3", "why"]) + "\n"


with tempfile.TemporaryDirectory() as tmp:
    tsv = os.path.join(tmp, "sample-1-5.tsv")
    with open(tsv, "w") as f:
        f.write(mutate.TSV_HEADER)
        f.write(row("aaaa", "KILLED"))
        f.write(row("bbbb", "SURVIVED"))  # carried over ...
        f.write(row("cccc", "NOT-BUILT", "src/io/y.c"))
        f.write(row("dddd", "SURVIVED", "src/io/y.c"))
        f.write(row("bbbb", "KILLED"))  # ... then killed by a test written since
        f.write(row("eeee", "KILLED", "src/io/y.c"))
    rows = mutate.read_rows(tsv)
    check({k: c[5] for k, c in rows.items()} ==
          {"aaaa": "KILLED", "bbbb": "KILLED", "cccc": "NOT-BUILT", "dddd": "SURVIVED", "eeee": "KILLED"},
          "read_rows: one row per key, the last one winning")
    check(sorted(mutate.read_recorded(rows)) == ["aaaa", "bbbb", "eeee"],
          "read_recorded: survivors and NOT-BUILT ones are left to be judged again")
    check(mutate.read_rows(os.path.join(tmp, "none.tsv")) == {}, "read_rows: no record, no rows")

    chosen = [types.SimpleNamespace(key=k, directory=d) for k, d in
              (("aaaa", "core"), ("bbbb", "core"), ("cccc", "io"), ("dddd", "io"), ("eeee", "io"), ("ffff", "io"))]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        mutate.print_record_table(chosen, {"eeee": ("src/io/y.c:1", "it cannot matter")}, rows, "t.tsv")
    text = out.getvalue()
    lines = {ln.split()[0]: ln.split()[1:] for ln in text.splitlines() if ln.startswith("src")}
    check(lines.get("src/core") == ["2", "0", "0", "2", "0", "100.0%", "(2/2)"], f"--table: src/core {lines.get('src/core')}")
    check(lines.get("src/io") == ["3", "1", "1", "0", "1", "0.0%", "(0/1)"], f"--table: src/io {lines.get('src/io')}")
    check("5 of the 6 mutants judged in t.tsv (or listed equivalent); 1 not yet" in text,
          "--table: says how many are not judged yet")

    # a survivor's logs go, but the first failure of a test that then passed alone stays
    logs = os.path.join(tmp, "logs")
    for name in ("build.log", "cli_run.log", "drive.log", "again/cli_run.log"):
        os.makedirs(os.path.dirname(os.path.join(logs, name)), exist_ok=True)
        open(os.path.join(logs, name), "w").write(name)
    mutate.keep_first_failures(logs, ["cli_run"])
    check(os.listdir(logs) == ["cli_run.log"] and open(os.path.join(logs, "cli_run.log")).read() == "cli_run.log",
          f"a flaky test's first log is kept, nothing else: {os.listdir(logs)}")
    mutate.keep_first_failures(logs, [])
    check(not os.path.exists(logs), "no flaky test: the survivor's logs are all gone")

finish("mutate_record")
