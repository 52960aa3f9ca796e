#!/usr/bin/python3
"""A course-style Python customer (grpcio, the course's MsgDelivery form) drives our branches.

Usage: course_client.py BANK_BINARY PROTO_DIR
Starts three `bank branch` processes on 127.0.0.1 with OS-chosen ports, then, as the course's
customers did, calls MsgDelivery on them and checks every answer and every replica.
Exits 77 (skipped) when python3-grpcio or protoc is not installed.
"""
import sys
import tempfile

from branchproc import start_branches, stop_branches
from wire import load_messages, require_grpc

grpc = require_grpc()


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    bank, proto_dir = sys.argv[1], sys.argv[2]
    failures = []
    checks = []

    def check(what, got, want):
        checks.append(what)
        if got != want:
            failures.append("%s: got %r, want %r" % (what, got, want))

    with tempfile.TemporaryDirectory() as work:
        (pb,) = load_messages(proto_dir, work, ["course"])
        procs, addrs = start_branches(bank, [400, 400, 400])
        try:
            stubs = []
            for a in addrs:
                ch = grpc.insecure_channel(a)
                stubs.append(ch.unary_unary("/Branch/MsgDelivery",
                                            request_serializer=pb.MsgRequest.SerializeToString,
                                            response_deserializer=pb.MsgResponse.FromString))

            def call(branch, interface, money=0):
                r = stubs[branch - 1](pb.MsgRequest(id=branch, interface=interface, money=money),
                                      timeout=10)
                return r.interface, r.result, r.money

            # The course's sample, sequentially: c1 query, c2 deposit 170 + query, c3 withdraw 70 + query.
            # rule: B6
            check("customer 1 query", call(1, "query"), ("query", "success", 400))
            # rule: B3, B6
            check("customer 2 deposit", call(2, "deposit", 170), ("deposit", "success", 570))
            check("customer 2 query", call(2, "query"), ("query", "success", 570))
            # rule: B4, B6
            check("customer 3 withdraw", call(3, "withdraw", 70), ("withdraw", "success", 500))
            check("customer 3 query", call(3, "query"), ("query", "success", 500))
            # rule: B4, B6
            check("withdraw too much", call(1, "withdraw", 501), ("withdraw", "fail", 500))
            # rule: B6
            check("negative money", call(1, "deposit", -1), ("deposit", "fail", 500))
            for b in (1, 2, 3):
                # rule: P1
                check("branch %d after the sample" % b, call(b, "query")[2], 500)
        finally:
            codes = stop_branches(procs)
        check("branch exit codes", codes, [0, 0, 0])

    for f in failures:
        print("FAIL: " + f)
    print("%d passed, %d failed" % (len(checks) - len(failures), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
