#!/usr/bin/python3
"""Rules of spec/semantics.md that no other test checked, on the wire: `bank branch` processes
driven by a Python gRPC client (Debian's python3-grpcio) in both wire forms, and `bank run
--cluster` against branches whose duplicate-detection state the test has prepared, so that the
run's own checks (the reference model, the replicas) must catch what the branches did.

Usage: rules_wire.py BANK_BINARY PROTO_DIR
Exits 77 (skipped) when python3-grpcio, python3-protobuf or protoc is missing.
"""
import os
import subprocess
import sys
import tempfile

from branchproc import start_branches, stop_branches
from wire import load_messages, require_grpc

grpc = require_grpc()

INT64_MAX = 2**63 - 1


class Branch:
    """Every method of one branch, in both wire forms."""

    def __init__(self, addr, bank_pb2, course_pb2):
        self.channel = grpc.insecure_channel(addr)
        b, c = bank_pb2, course_pb2
        call = self.channel.unary_unary
        self.query = call("/bank.Branch/Query", b.CustomerRequest.SerializeToString, b.CustomerReply.FromString)
        self.deposit = call("/bank.Branch/Deposit", b.CustomerRequest.SerializeToString, b.CustomerReply.FromString)
        self.withdraw = call("/bank.Branch/Withdraw", b.CustomerRequest.SerializeToString, b.CustomerReply.FromString)
        self.prop_deposit = call("/bank.Branch/Propagate_Deposit", b.PropagateRequest.SerializeToString,
                                 b.PropagateReply.FromString)
        self.prop_withdraw = call("/bank.Branch/Propagate_Withdraw", b.PropagateRequest.SerializeToString,
                                  b.PropagateReply.FromString)
        self.delivery = call("/Branch/MsgDelivery", c.MsgRequest.SerializeToString, c.MsgResponse.FromString)
        self.propagation = call("/Branch/MsgPropagation", c.MsgRequest.SerializeToString, c.MsgResponse.FromString)
        self.b, self.c = b, c

    def balance(self):
        return self.query(self.b.CustomerRequest(), timeout=10).balance

    def close(self):
        self.channel.close()


def status_of(fn, request):
    """The gRPC status code of a call ("OK" when it answered)."""
    try:
        fn(request, timeout=10)
        return "OK"
    except grpc.RpcError as e:
        return e.code().name


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, what, problems):
        if problems:
            self.failed += 1
            print("FAIL %s: %s" % (what, "; ".join(problems)))
        else:
            self.passed += 1
            print("ok   " + what)


def expect(problems, what, got, want):
    if got != want:
        problems.append("%s: got %r, want %r" % (what, got, want))


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    bank, proto_dir = sys.argv[1], sys.argv[2]
    checks = Checks()
    with tempfile.TemporaryDirectory() as work:
        b_pb, c_pb = load_messages(proto_dir, work, ["bank", "course"])

        def with_branches(balances, body):
            procs, addrs = start_branches(bank, balances)
            branches = [Branch(a, b_pb, c_pb) for a in addrs]
            try:
                return body(branches, addrs)
            finally:
                for br in branches:
                    br.close()
                stop_branches(procs)

        # rule: B5; bank form: negative money is refused, nothing changes
        def negative_money(br, _):
            p = []
            one = br[0]
            expect(p, "Deposit -5", status_of(one.deposit, b_pb.CustomerRequest(money=-5)), "INVALID_ARGUMENT")
            expect(p, "Withdraw -5", status_of(one.withdraw, b_pb.CustomerRequest(money=-5)), "INVALID_ARGUMENT")
            expect(p, "balances after", [x.balance() for x in br], [100, 100])
            return p
        checks.check("bank form: money < 0 is INVALID_ARGUMENT", with_branches([100, 100], negative_money))

        # rule: B2, B5; before a branch knows its peers: a query is answered, a write refused
        def before_peers():
            p = []
            proc = subprocess.Popen([bank, "branch", "--id", "1", "--balance", "7", "--listen", "127.0.0.1:0",
                                     "--peers", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, text=True)
            try:
                line = proc.stdout.readline().strip()
                if not line.startswith("listening "):
                    return ["the branch said %r instead of its address" % line]
                one = Branch(line.split(" ", 1)[1], b_pb, c_pb)
                expect(p, "Query", one.balance(), 7)
                expect(p, "Deposit 5", status_of(one.deposit, b_pb.CustomerRequest(money=5)), "UNAVAILABLE")
                expect(p, "MsgDelivery withdraw 1", status_of(one.delivery, c_pb.MsgRequest(
                    id=1, interface="withdraw", money=1)), "UNAVAILABLE")
                expect(p, "balance after", one.balance(), 7)
                one.close()
            finally:
                proc.kill()
                proc.wait()
            return p
        checks.check("before a branch knows its peers", before_peers())

        # rule: P5; refused propagations: money < 0, sequence 0, from itself
        def refused(br, _):
            p = []
            one = br[0]
            R = b_pb.PropagateRequest
            expect(p, "money -1", status_of(one.prop_deposit, R(origin_branch=2, sequence=1, money=-1)),
                   "INVALID_ARGUMENT")
            expect(p, "sequence 0", status_of(one.prop_withdraw, R(origin_branch=2, sequence=0, money=1)),
                   "INVALID_ARGUMENT")
            expect(p, "origin itself", status_of(one.prop_deposit, R(origin_branch=1, sequence=1, money=1)),
                   "INVALID_ARGUMENT")
            expect(p, "balance after", one.balance(), 100)
            # none of them was recorded: (2, 1) is still new
            r = one.prop_deposit(R(origin_branch=2, sequence=1, money=1), timeout=10)
            expect(p, "(2, 1) afterwards", (r.applied, r.balance), (True, 101))
            return p
        checks.check("propagations refused with INVALID_ARGUMENT", with_branches([100, 100], refused))

        # rule: P5, P4; out of int64: OUT_OF_RANGE, not recorded; a duplicate is acknowledged first
        def out_of_range(br, _):
            p = []
            one = br[0]
            R = b_pb.PropagateRequest
            r = one.prop_deposit(R(origin_branch=2, sequence=1, money=5), timeout=10)
            expect(p, "(2, 1) deposit 5", (r.applied, r.balance), (True, INT64_MAX))
            r = one.prop_deposit(R(origin_branch=2, sequence=1, money=5), timeout=10)
            expect(p, "(2, 1) again: a duplicate, acknowledged", (r.applied, r.balance), (False, INT64_MAX))
            expect(p, "(2, 2) deposit 1", status_of(one.prop_deposit, R(origin_branch=2, sequence=2, money=1)),
                   "OUT_OF_RANGE")
            r = one.prop_withdraw(R(origin_branch=2, sequence=2, money=7), timeout=10)
            expect(p, "(2, 2) withdraw 7, not recorded before", (r.applied, r.balance), (True, INT64_MAX - 7))
            return p
        checks.check("propagations that would leave int64 are OUT_OF_RANGE; duplicates are acknowledged",
                     with_branches([INT64_MAX - 5, INT64_MAX - 5], out_of_range))

        # rule: B6, B8; course form: interface "" when unknown; balances beyond int32 are OUT_OF_RANGE
        def course_int32(br, _):
            p = []
            one = br[0]
            M = c_pb.MsgRequest
            expect(p, "query at 2^31", status_of(one.delivery, M(id=1, interface="query")), "OUT_OF_RANGE")
            r = one.propagation(M(id=2, interface="withdraw", money=1), timeout=10)
            expect(p, "MsgPropagation withdraw 1", (r.interface, r.result, r.money),
                   ("withdraw", "success", 2**31 - 1))
            r = one.delivery(M(id=1, interface="refund", money=1), timeout=10)
            expect(p, "unknown interface", (r.interface, r.result, r.money), ("", "fail", 2**31 - 1))
            expect(p, "MsgPropagation deposit 2", status_of(one.propagation, M(id=2, interface="deposit", money=2)),
                   "OUT_OF_RANGE")
            expect(p, "applied all the same", one.balance(), 2**31 + 1)
            return p
        checks.check("course form: an answer beyond int32 is OUT_OF_RANGE", with_branches([2**31], course_int32))

        # A cluster of three at 400 whose branch 1 has already seen (origin, sequence) pairs that
        # the run will use again: branch 1 then takes real writes for duplicates (P4).
        def run_cluster(addrs, seeds, input_text, args):
            one = Branch(addrs[0], b_pb, c_pb)
            R = b_pb.PropagateRequest
            for kind, origin, seq, money in seeds:
                fn = one.prop_deposit if kind == "deposit" else one.prop_withdraw
                fn(R(origin_branch=origin, sequence=seq, money=money), timeout=10)
            one.close()
            cluster = os.path.join(work, "cluster.txt")
            with open(cluster, "w") as f:
                f.writelines("%d %s\n" % (i, a) for i, a in enumerate(addrs, start=1))
            path = os.path.join(work, "input.json")
            with open(path, "w") as f:
                f.write(input_text)
            return subprocess.run([bank, "run", "--cluster", cluster] + args + [path],
                                  capture_output=True, text=True, timeout=120)

        # rule: S6, P4; a sequential run whose answers differ from the reference model fails
        def model_differs(_, addrs):
            p = []
            # branch 1 has seen (2, 1) and (3, 1): +10 -10, still 400
            r = run_cluster(addrs, [("deposit", 2, 1, 10), ("withdraw", 3, 1, 10)],
                            '[{"id": 1, "type": "branch", "balance": 400}, {"id": 2, "type": "branch", "balance": 400},'
                            ' {"id": 3, "type": "branch", "balance": 400},'
                            ' {"id": 2, "type": "customer", "events": [{"id": 1, "interface": "deposit", "money": 10}]},'
                            ' {"id": 1, "type": "customer", "events": [{"id": 2, "interface": "query"}]},'
                            ' {"id": 3, "type": "customer", "events": [{"id": 3, "interface": "withdraw", "money": 10}]}]',
                            [])
            expect(p, "exit status", r.returncode, 1)
            expect(p, "standard output", r.stdout, "")
            expect(p, "standard error", r.stderr.strip(),
                   "bank: customer 1, event 2 (query): the branches answered success 400, "
                   "the reference model success 410")
            return p
        checks.check("a run that differs from the reference model fails", with_branches([400, 400, 400], model_differs))

        # rule: S7, P4; a run (live too) whose replicas end apart fails
        def replicas_differ(_, addrs):
            p = []
            # branch 1 has seen (2, 1) and (2, 2): +10 -10, still 400
            r = run_cluster(addrs, [("deposit", 2, 1, 10), ("withdraw", 2, 2, 10)],
                            '[{"id": 1, "type": "branch", "balance": 400}, {"id": 2, "type": "branch", "balance": 400},'
                            ' {"id": 3, "type": "branch", "balance": 400},'
                            ' {"id": 2, "type": "customer", "events": [{"id": 1, "interface": "deposit", "money": 10}]}]',
                            ["--schedule", "live"])
            expect(p, "exit status", r.returncode, 1)
            expect(p, "standard output", r.stdout, "")
            expect(p, "standard error", r.stderr.strip(),
                   "bank: replicas disagree: branch 1 holds 400, expected 410 (its initial 400 plus the "
                   "successful writes' 10)")
            return p
        checks.check("a live run whose replicas disagree fails", with_branches([400, 400, 400], replicas_differ))

    print("%d passed, %d failed" % (checks.passed, checks.failed))
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
