#!/usr/bin/env python3
"""tools/mutate.py judges a mutant whose only build errors are warnings it could not help raising.

Against the compiler the build uses (its messages are what the script reads), with the build's
-Wall -Wextra -Werror: a statement deleted that leaves a parameter unused, and && turned to ||
beside another ||, each fail to compile; benign_errors() names just their warnings; the file,
compiled again by Tree.compile_allowing() with those warnings no longer errors, builds. A real
error beside a benign warning, or a benign warning in a file the mutant did not change, leaves
the mutant NOT-BUILT (benign_errors() names nothing).
Usage: mutate_warnings.py tools/mutate.py CC
"""
import importlib.util
import os
import subprocess
import sys
import tempfile

spec = importlib.util.spec_from_file_location("mutate", sys.argv[1])
mutate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mutate)
cc = sys.argv[2]
failures = 0


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures += 1


SOURCES = {
    # claim_alone.c's own_prefixes() with its one use of `limit` deleted
    "unused-parameter": "int prefixes(int *sets, int limit)\n{\n    {}\n    return sets[0];\n}\n",
    # bench.c's loop condition with its first && turned to ||
    "parentheses": "int go(int *tid, int *ch, int n, int m)\n{\n    return tid || ch && n < m;\n}\n",
    "both": "int f(int unused)\n{\n    return undeclared;\n}\n",
}

with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(tmp, "src", "core")
    os.makedirs(src)
    for name, text in SOURCES.items():
        with open(os.path.join(src, name + ".c"), "w") as f:
            f.write(text)

    def build(name):
        argv = [cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-c", f"src/core/{name}.c", "-o", f"{name}.o"]
        r = subprocess.run(argv, cwd=tmp, capture_output=True, text=True)
        return argv, r

    tree = mutate.Tree.__new__(mutate.Tree)  # just what compile_allowing() reads
    tree.compiles = {}
    for name in ("unused-parameter", "parentheses"):
        argv, r = build(name)
        check(r.returncode != 0, f"{name}: fails to build under -Werror")
        rel = f"src/core/{name}.c"
        allowed = mutate.benign_errors(r.stdout + r.stderr, [rel])
        check(allowed == [name], f"{name}: benign_errors() names just -W{name}: {allowed}")
        check(mutate.benign_errors(r.stdout + r.stderr, ["src/core/other.c"]) == [],
              f"{name}: in a file the mutant did not change, it is not let pass")
        tree.compiles[rel] = [(tmp, argv)]
        log = os.path.join(tmp, name + ".log")
        built = tree.compile_allowing([rel], allowed, log)
        with open(log) as f:
            text = f.read()
        check(built and os.path.exists(os.path.join(tmp, name + ".o")),
              f"{name}: compiled again with -Wno-error={name}, it builds")
        check(f"-Wno-error={name}" in text and "warning:" in text,
              f"{name}: the log says so, and the warning is still shown")

    _, r = build("both")
    check(r.returncode != 0 and mutate.benign_errors(r.stdout + r.stderr, ["src/core/both.c"]) == [],
          "an undeclared name beside an unused parameter: not built")
    check(mutate.benign_errors("", ["src/core/both.c"]) == [],
          "a build that failed with no compiler error (a step that runs bank): nothing let pass")

print(f"{failures} failures" if failures else "all passed")
sys.exit(1 if failures else 0)
