#!/usr/bin/env python3
"""tools/mutate.py --uncovered: the mutants on lines no test ran, read from an lcov tracefile.

A tracefile of another checkout reads the same (paths taken from their src/ on); a line listed
twice adds up; a mutant counts as not run only on a line counted 0 (a line lcov does not list
holds no code). Usage: mutate_uncovered.py tools/mutate.py
"""
import contextlib
import importlib.util
import io
import os
import re
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from checks import check, finish  # noqa: E402

spec = importlib.util.spec_from_file_location("mutate", sys.argv[1])
mutate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mutate)

path = "src/store/pending_mark.c"
mutants = mutate.file_mutants(path)
lines = sorted({mu.line for mu in mutants})
cold, warm, twice = lines[0], lines[1], lines[2]
with tempfile.TemporaryDirectory() as tmp:
    info = os.path.join(tmp, "coverage.src.info")
    with open(info, "w") as f:
        f.write(f"TN:\nSF:/elsewhere/checkout/{path}\nDA:{cold},0\nDA:{warm},5\nDA:{twice},0\nend_of_record\n"
                f"SF:/elsewhere/checkout/{path}\nDA:{twice},2\nend_of_record\n")
    hits = mutate.read_line_hits(info)
    check(hits == {(path, cold): 0, (path, warm): 5, (path, twice): 2}, f"read_line_hits: {hits}")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        mutate.print_uncovered(mutants, hits, "t.info")
    text = out.getvalue()
    on_cold = [mu for mu in mutants if mu.line == cold]
    row = [ln.split() for ln in text.splitlines() if ln.startswith("src/store ")]
    check(row == [["src/store", str(len(mutants)), str(len(on_cold)), f"{100 * len(on_cold) / len(mutants):.1f}%"]],
          f"the directory's row: {row}")
    listed = {ln.split()[0] for ln in text.splitlines() if re.match(r"[0-9a-f]{8}(\.[0-9]+)? ", ln)}
    check(listed == {mu.key for mu in on_cold}, f"listed: the mutants of line {cold} only, got {sorted(listed)}")

finish("mutate_uncovered")
