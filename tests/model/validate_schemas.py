#!/usr/bin/python3
"""Checks spec/*.schema.json against the golden files and against the program's own verdicts.

Usage: validate_schemas.py BANK_BINARY GOLDEN_DIR BAD_DIR [SPEC_DIR]

1. Every schema is a valid JSON Schema 2020-12.
2. golden/*/input.json: the input schema and `bank run` both accept it.
   golden/*/expected.SCHEDULE[.STYLE].json (STYLE result when absent): the output schema of its
   style accepts it, and the other two styles' schemas reject it when it holds a query.
3. `bank run` on golden/sample in each --style, as an array and with --lines: what it writes
   is accepted by that style's schema and rejected by the other two.
4. Inputs `bank run` must accept (the course variants input.c reads, written out below): the
   input schema must accept each too.
5. Every tests/bad/*.json, and a few more rejected inputs written out below: `bank run` must
   reject each (exit status 2), and the schema must reject it too, unless it is in
   SCHEMA_CANNOT_REJECT with the reason why no schema can. An entry of that list that the schema
   does reject, or that no longer exists, is an error too: the list stays exact.

JSON is parsed strictly (RFC 8259: no NaN or Infinity, no raw control characters in strings),
after dropping a UTF-8 byte order mark as the program does; text that does not parse is
rejected before any schema sees it.
Exit status: 0 all as expected; 1 a disagreement; 2 bad usage; 77 python3-jsonschema is missing.
"""

import importlib.metadata
import json
import os
import subprocess
import sys
import tempfile

try:
    from jsonschema import Draft202012Validator
except ImportError:
    print("validate_schemas: python3-jsonschema is not installed "
          "(Debian: apt-get install python3-jsonschema, or tools/deps.sh test); skipping",
          file=sys.stderr)
    sys.exit(77)

STYLES = ("result", "balance", "money")

# Rejected by `bank run`, accepted by the input schema, and why no JSON Schema can do better.
SCHEMA_CANNOT_REJECT = {
    "duplicate_key.json":
        "a key twice in one object: JSON Schema validates the parsed value, where an object has "
        "each key once (a parser keeps one of the two), so there is nothing left to reject",
    "exponent_money.json":
        "money 1e3: the value is the integer 1000 and JSON Schema judges values; the program "
        "reads the lexeme and wants digits only",
    "extra/whole_fraction.json":
        "balance 400.0: in JSON Schema 2020-12 a number with a zero fraction is an integer; the "
        "program reads the lexeme and wants digits only",
    "duplicate_branch_id.json":
        "two branches with one id: uniqueItems compares whole items, and no keyword makes one "
        "property unique across the items of an array",
    "customer_without_branch.json":
        "customer 2 with no branch 2: a reference from one item's value to another item's value "
        "is beyond JSON Schema",
    "deposits_overflow.json":
        "a branch balance plus the sum of every deposit in the input beyond int64: JSON Schema "
        "has no arithmetic over several values",
}

# Inputs `bank run` accepts: the variants real course inputs use, and the edges of each range.
ACCEPTED = {
    # rule: I4, I8
    "course_old_style.json":  # money on queries, events without id, "client" and "bank"
        '[{"id": 1, "type": "client", "events": [{"interface": "query", "money": 0},'
        ' {"interface": "deposit", "money": 5}]}, {"id": 1, "type": "bank", "balance": 10}]',
    # rule: I8
    "query_money_anything.json":  # money on a query is not read at all
        '[{"id": 1, "type": "branch", "balance": 10}, {"id": 1, "type": "customer", "events":'
        ' [{"id": 1, "interface": "query", "money": "ten"}, {"id": 2, "interface": "query",'
        ' "money": -3.5}]}]',
    # rule: I3
    "unknown_keys.json":  # keys the reader does not use, on every kind of object
        '[{"id": 1, "type": "branch", "balance": 10, "events": 5, "name": "x"},'
        ' {"id": 1, "type": "customer", "balance": "x", "events":'
        ' [{"id": 1, "interface": "withdraw", "money": 3, "note": null}]}]',
    # rule: I6, I8
    "id_range_edges.json":  # process ids 0 and 2^31-1, event ids at both ends of int64
        '[{"id": 0, "type": "branch", "balance": 0}, {"id": 2147483647, "type": "branch",'
        ' "balance": 1}, {"id": 2147483647, "type": "customer", "events": [{"id":'
        ' -9223372036854775808, "interface": "withdraw", "money": 1}, {"id":'
        ' 9223372036854775807, "interface": "query"}]}, {"id": 0, "type": "customer",'
        ' "events": []}]',
    # rule: I7
    "balance_int64_max.json":  # no deposit, so the largest balance cannot overflow
        '[{"id": 1, "type": "branch", "balance": 9223372036854775807}, {"id": 1, "type":'
        ' "customer", "events": [{"interface": "withdraw", "money": 9223372036854775807},'
        ' {"interface": "query"}]}]',
    # rule: I9
    "repeated_customers.json":  # customer ids may repeat; every entry is its own customer
        '[{"id": 2, "type": "branch", "balance": 5}, {"id": 2, "type": "customer", "events":'
        ' [{"interface": "deposit", "money": 0}]}, {"id": 2, "type": "customer", "events":'
        ' [{"interface": "query"}]}]',
    # rule: I1
    "byte_order_mark.json":  # a UTF-8 BOM before the text
        '\ufeff[{"id": 1, "type": "branch", "balance": 1}]',
}

# More inputs `bank run` rejects, for rules tests/bad/ does not cover (names prefixed extra/).
EXTRA_REJECTED = {
    # rule: I7, I10
    "too_many_branches.json":  # BANK_MAX_BRANCHES: the schema's maxContains
        "[" + ", ".join('{"id": %d, "type": "branch", "balance": 0}' % i for i in range(1001)) + "]",
    # rule: I5
    "event_id_beyond_int64.json":
        '[{"id": 1, "type": "branch", "balance": 1}, {"id": 1, "type": "customer", "events":'
        ' [{"id": 9223372036854775808, "interface": "query"}]}]',
    # rule: I4
    "uppercase_type.json":  # names are case-sensitive
        '[{"id": 1, "type": "Branch", "balance": 1}]',
    # rule: I5
    "whole_fraction.json":
        '[{"id": 1, "type": "branch", "balance": 400.0}]',
    # rule: I5, I8
    "event_id_string.json":  # an event id is read, and checked, on a query too
        '[{"id": 1, "type": "branch", "balance": 1}, {"id": 1, "type": "customer", "events":'
        ' [{"id": "1", "interface": "query"}]}]',
    # rule: I8
    "withdraw_money_null.json":
        '[{"id": 1, "type": "branch", "balance": 1}, {"id": 1, "type": "customer", "events":'
        ' [{"interface": "withdraw", "money": null}]}]',
    # rule: I4, I8
    "customer_events_missing_type_client.json":
        '[{"id": 1, "type": "branch", "balance": 1}, {"id": 1, "type": "client"}]',
}


class NotJson(Exception):
    pass


def _no_constant(name):
    raise ValueError("%s is not JSON" % name)


def parse_json(data):
    """Strict RFC 8259 JSON, after a UTF-8 byte order mark is dropped (as the program does)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as e:  # JSONDecodeError is a ValueError
        raise NotJson(str(e).splitlines()[0])


def first_error(validator, value):
    """None if valid, else a one-line description of the deepest-first error."""
    errors = sorted(validator.iter_errors(value), key=lambda e: -len(e.absolute_path))
    if not errors:
        return None
    e = errors[0]
    where = "/" + "/".join(str(p) for p in e.absolute_path)
    msg = e.message if len(e.message) <= 160 else e.message[:157] + "..."
    return "%s: %s" % (where, msg)


def has_query(output):
    return any(isinstance(a, dict) and a.get("interface") == "query"
               for c in output if isinstance(c, dict) for a in c.get("recv", []))


def run_bank(bank, args, cwd):
    """(exit status, stdout bytes, first stderr line)."""
    p = subprocess.run([bank, "run"] + args, cwd=cwd, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    err = p.stderr.decode("utf-8", "replace").strip().splitlines()
    return p.returncode, p.stdout, (err[0] if err else "")


class Report:
    def __init__(self):
        self.failures = 0

    def ok(self, what):
        print("ok   " + what)

    def fail(self, what):
        self.failures += 1
        print("FAIL " + what)


def check_output(report, validators, style, what, text, lines=False):
    """The text `bank run --style STYLE` wrote (or a golden file of that style)."""
    try:
        if lines:
            rows = [r for r in text.split(b"\n") if r.strip()]
            value = [parse_json(r) for r in rows]
            if not all(isinstance(v, dict) for v in value):
                raise NotJson("a line that is not one JSON object")
        else:
            value = parse_json(text)
    except NotJson as e:
        report.fail("%s: not JSON: %s" % (what, e))
        return
    err = first_error(validators[style], value)
    if err:
        report.fail("%s: the %s schema rejects it: %s" % (what, style, err))
        return
    others = []
    if has_query(value):
        for other in STYLES:
            if other != style and first_error(validators[other], value) is None:
                others.append(other)
    if others:
        report.fail("%s: the %s schema accepts it, but so does the %s schema"
                    % (what, style, " and ".join(others)))
    else:
        report.ok("%s: valid %s output%s" % (what, style,
                  ", and not valid in the other styles" if has_query(value) else ""))


def main(argv):
    if len(argv) not in (4, 5):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    bank = os.path.realpath(argv[1])
    golden, bad = argv[2], argv[3]
    spec = argv[4] if len(argv) == 5 else os.path.join(os.path.dirname(__file__), "..", "..", "spec")
    report = Report()
    print("jsonschema %s" % importlib.metadata.version("jsonschema"))

    def load_schema(name):
        with open(os.path.join(spec, name), "rb") as f:
            schema = json.loads(f.read().decode("utf-8"))
        Draft202012Validator.check_schema(schema)
        report.ok("%s is a valid 2020-12 schema" % name)
        return Draft202012Validator(schema)

    inp = load_schema("input.schema.json")
    out = {s: load_schema("output.%s.schema.json" % s) for s in STYLES}

    with tempfile.TemporaryDirectory() as tmp:
        # 2. the golden files
        for case in sorted(os.listdir(golden)):
            d = os.path.join(golden, case)
            if not os.path.isdir(d):
                continue
            path = os.path.join(d, "input.json")
            if os.path.exists(path):
                with open(path, "rb") as f:
                    data = f.read()
                try:
                    err = first_error(inp, parse_json(data))
                except NotJson as e:
                    err = "not JSON: %s" % e
                rc, stdout, line = run_bank(bank, [os.path.abspath(path)], tmp)
                if err:
                    report.fail("golden/%s/input.json: the input schema rejects it: %s" % (case, err))
                elif rc != 0:
                    report.fail("golden/%s/input.json: bank run exits %d: %s" % (case, rc, line))
                else:
                    report.ok("golden/%s/input.json: the schema and bank run accept it" % case)
                    check_output(report, out, "result", "bank run golden/%s/input.json" % case, stdout)
            for name in sorted(os.listdir(d)):
                if not (name.startswith("expected.") and name.endswith(".json")):
                    continue
                parts = name.split(".")  # expected, SCHEDULE, [STYLE,] json
                style = parts[2] if len(parts) == 4 else "result"
                if style not in STYLES or len(parts) not in (3, 4):
                    report.fail("golden/%s/%s: no output style in its name" % (case, name))
                    continue
                with open(os.path.join(d, name), "rb") as f:
                    check_output(report, out, style, "golden/%s/%s" % (case, name), f.read())

        # 3. what the program writes in each style
        sample = os.path.abspath(os.path.join(golden, "sample", "input.json"))
        if not os.path.exists(sample):
            report.fail("golden/sample/input.json is missing")
        else:
            # rule: O3, O4; bank run in each --style and with --lines, against its schema
            for style in STYLES:
                for lines in (False, True):
                    args = ["--style", style] + (["--lines"] if lines else []) + [sample]
                    rc, stdout, line = run_bank(bank, args, tmp)
                    what = "bank run " + " ".join(args[:-1]) + " golden/sample/input.json"
                    if rc != 0:
                        report.fail("%s: exit %d: %s" % (what, rc, line))
                    else:
                        check_output(report, out, style, what, stdout, lines)

        # 4. inputs the program accepts
        for name, text in ACCEPTED.items():
            path = os.path.join(tmp, name)
            with open(path, "wb") as f:
                f.write(text.encode("utf-8"))
            rc, _, line = run_bank(bank, [path], tmp)
            try:
                err = first_error(inp, parse_json(text.encode("utf-8")))
            except NotJson as e:
                err = "not JSON: %s" % e
            if rc != 0:
                report.fail("accepted/%s: bank run exits %d (want 0): %s" % (name, rc, line))
            elif err:
                report.fail("accepted/%s: bank run accepts it, the schema rejects it: %s" % (name, err))
            else:
                report.ok("accepted/%s: bank run and the schema accept it" % name)

        # 5. inputs the program rejects
        extra = os.path.join(tmp, "extra")
        os.mkdir(extra)
        for name, text in EXTRA_REJECTED.items():
            with open(os.path.join(extra, name), "wb") as f:
                f.write(text.encode("utf-8"))
        rejected = [(n, os.path.join(bad, n)) for n in sorted(os.listdir(bad)) if n.endswith(".json")]
        rejected += [("extra/" + n, os.path.join(extra, n)) for n in EXTRA_REJECTED]
        seen = set()
        cannot = []
        for name, path in rejected:
            seen.add(name)
            rc, _, line = run_bank(bank, [os.path.abspath(path)], tmp)
            with open(path, "rb") as f:
                data = f.read()
            try:
                err = first_error(inp, parse_json(data))
                verdict = "the schema rejects it (%s)" % err if err else None
            except NotJson as e:
                verdict = "not JSON, rejected before the schema (%s)" % e
            if rc != 2:
                report.fail("%s: bank run exits %d, want 2 (rejected input): %s" % (name, rc, line))
            elif verdict and name in SCHEMA_CANNOT_REJECT:
                report.fail("%s: in SCHEMA_CANNOT_REJECT, but %s: drop it from the list"
                            % (name, verdict))
            elif verdict:
                report.ok("%s: bank run rejects it; %s" % (name, verdict))
            elif name in SCHEMA_CANNOT_REJECT:
                cannot.append(name)
                report.ok("%s: bank run rejects it (%s); the schema cannot: %s"
                          % (name, line, SCHEMA_CANNOT_REJECT[name]))
            else:
                report.fail("%s: bank run rejects it (%s) but the schema accepts it" % (name, line))
        for name in sorted(set(SCHEMA_CANNOT_REJECT) - seen):
            report.fail("%s: in SCHEMA_CANNOT_REJECT but there is no such input" % name)
        print("%d rejected inputs, %d of them beyond what a schema can express: %s"
              % (len(rejected), len(cannot), ", ".join(cannot)))

    if report.failures:
        print("%d disagreement(s)" % report.failures)
        return 1
    print("the schemas agree with bank run on every input and output above")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
