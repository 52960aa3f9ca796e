#!/usr/bin/env python3
"""tools/mutate.py judges a mutant whose only build errors are warnings it could not help raising.

With -Wall -Wextra -Werror, as the tests build: a statement deleted that leaves a parameter
unused, and && turned to || beside another ||, each fail to compile; benign_errors() names just
their warnings from the compiler's own messages; the file, with allow_warnings()'s pragmas
on its first blank line at the top level, its lines where they were, compiles, with that compiler and with
clang as the libFuzzer test builds it (when clang is installed). A
real error beside a benign warning, or a benign warning in a file the mutant did not change,
leaves the mutant NOT-BUILT (benign_errors() names nothing).
Usage: mutate_warnings.py tools/mutate.py CC
"""
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from checks import check, finish  # noqa: E402

spec = importlib.util.spec_from_file_location("mutate", sys.argv[1])
mutate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mutate)
compilers = [sys.argv[2]] + ([shutil.which("clang")] if shutil.which("clang") else [])


SOURCES = {
    # claim_alone.c's own_prefixes() with its one use of `limit` deleted (the file opens with
    # its #include; a blank line inside a comment is no place for the pragma)
    "unused-parameter": "#include <stddef.h>\n/* what it adds\n\n   in units */\n\nint prefixes(int *sets, int limit)\n"
                        "{\n    {}\n    return sets[0];\n}\n",
    # bench.c's loop condition with its last && turned to ||
    "parentheses": "/* go */\n\nint go(int *tid, int *ch, int n, int m)\n{\n    return tid && ch && n < m || m;\n}\n",
    "both": "/* both */\nint f(int unused)\n{\n    return undeclared;\n}\n",
}

with tempfile.TemporaryDirectory() as tmp:
    os.makedirs(os.path.join(tmp, "src", "core"))

    def build(cc, name, text):
        rel = f"src/core/{name}.c"
        with open(os.path.join(tmp, rel), "w") as f:
            f.write(text)
        r = subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-c", rel, "-o", f"{name}.o"],
                           cwd=tmp, capture_output=True, text=True)
        return r.returncode, r.stdout + r.stderr

    cc = compilers[0]  # the tests' build: its messages are the ones the script reads
    for name in ("unused-parameter", "parentheses"):
        rel = f"src/core/{name}.c"
        rc, out = build(cc, name, SOURCES[name])
        check(rc != 0, f"{name}: fails to build under -Werror")
        allowed = mutate.benign_errors(out, [rel])
        check(allowed == [name], f"{name}: benign_errors() names just -W{name}: {allowed}")
        check(mutate.benign_errors(out, ["src/core/other.c"]) == [],
              f"{name}: in a file the mutant did not change, it is not let pass")
        text = mutate.allow_warnings(SOURCES[name], allowed)
        changed = [(a, b) for a, b in zip(SOURCES[name].split("\n"), text.split("\n")) if a != b]
        check(len(text.split("\n")) == len(SOURCES[name].split("\n")) and len(changed) == 1 and
              changed[0][0] == "" and changed[0][1].startswith("_Pragma("),
              f"{name}: the pragma takes the first blank line outside a comment; no line moves: {changed}")
        for other in compilers:
            rc, out = build(other, name, text)
            check(rc == 0, f"{name}: with allow_warnings()'s pragmas, {os.path.basename(other)} builds it"
                           f"{': ' + out if rc else ''}")
    rc, out = build(cc, "both", SOURCES["both"])
    check(rc != 0 and mutate.benign_errors(out, ["src/core/both.c"]) == [],
          "an undeclared name beside an unused parameter: not built")
    check(mutate.benign_errors("", ["src/core/both.c"]) == [],
          "a build that failed with no compiler error (a step that runs bank): nothing let pass")
    check(mutate.allow_warnings("#include <stdio.h>\nint f(int x)\n{\n\n    return 0;\n}\n", ["unused-parameter"]) is None,
          "a file with no blank line outside a function gets no pragma (the mutant stays NOT-BUILT)")

finish("mutate_warnings")
