"""The integration scripts' checks: each prints "ok" or "FAIL" and what it checked, failures are
counted, and finish(NAME) prints the count and exits 1 when any failed."""
import sys

failures = 0


def check(cond, what, detail=""):
    """detail, when given, is printed under a failure (what was seen instead)."""
    global failures
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures += 1
        if detail:
            print("     " + str(detail).replace("\n", "\n     "))


def finish(name):
    print(f"{name}: {failures} failed")
    sys.exit(1 if failures else 0)
