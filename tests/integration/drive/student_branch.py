#!/usr/bin/python3
"""A small course-style branch server in Python (grpcio), written for bank drive's tests: it
behaves as a student's branch does, correctly or with one of the bugs bank drive must catch.

Usage: student_branch.py PYDIR --id N --balance B [--port P] [--peers FILE|-]
                         [--flavor F] [--dialect D] [--package NAME]
PYDIR holds the compiled course_pb2, own_pb2 and odd_pb2 modules. The server listens on
127.0.0.1:P (P 0: a port the OS picks) and prints "listening 127.0.0.1:PORT". With --peers -
it reads "ID HOST:PORT" lines up to "end" from standard input, prints "ready", and stops when
standard input closes; with --peers FILE it reads them from FILE and runs until SIGTERM.
Flavors:
  correct           a write is applied here, sent to every other branch, then answered
  lower-only        sent only to branches with a smaller id
  double-withdraw   a propagated withdrawal is applied twice
  mute-propagation  a propagation is never answered (nor applied)
  on-hold           a write is applied and propagated, and answered ON_HOLD (statuses only)
  half-balance      a query answers its balance plus 0.5 (own only: its balance is a double)
Dialects: course (MsgDelivery/MsgPropagation of MsgRequest), own (drive/own.proto), odd
(drive/odd.proto), statuses (drive/statuses.proto: the result an enum). --package serves the course dialect under a package ("example.Branch").
"""
import argparse
import os
import sys
import threading
from concurrent import futures

import grpc

# Per dialect: the module, service, customer methods (name -> interface, None: in the
# request), the propagation method, and the fields of the request and the reply.
DIALECTS = {
    "course": dict(module="course_pb2", service="Branch", request="MsgRequest", reply="MsgResponse",
                   customer={"MsgDelivery": None}, propagate="MsgPropagation",
                   id="id", interface="interface", money="money", result="result", balance="money",
                   success="success", failure="fail"),
    "own": dict(module="own_pb2", service="studentbank.Bank", request="Request", reply="Response",
                customer={"Query": "query", "Deposit": "deposit", "Withdraw": "withdraw"},
                propagate="Propagate", id="id", interface="interface", money="money",
                result="status", balance="balance", success="success", failure="fail"),
    "odd": dict(module="odd_pb2", service="ledger.Ledger", request="Txn", reply="Ack",
                customer={"Inspect": "query", "Credit": "deposit", "Debit": "withdraw"},
                propagate="Relay", id="teller", interface="verb", money="quantity",
                result="verdict", balance="holding", success="success", failure="failure"),
    "statuses": dict(module="statuses_pb2", service="statusbank.Bank", request="Request", reply="Response",
                     customer={"Query": "query", "Deposit": "deposit", "Withdraw": "withdraw"},
                     propagate="Propagate", id="id", interface="interface", money="money",
                     result="status", balance="balance", success="SUCCESS", failure="INSUFFICIENT_FUNDS"),
}


class Branch:
    def __init__(self, args, pb, d):
        self.id, self.balance, self.flavor = args.id, args.balance, args.flavor
        self.pb, self.d = pb, d
        self.lock = threading.Lock()
        self.peers = {}  # id -> callable of the propagation method
        self.stopping = threading.Event()

    def request(self, **kw):
        return getattr(self.pb, self.d["request"])(**{self.d[k]: v for k, v in kw.items()})

    def reply(self, interface, ok, balance, result=None):
        d = self.d
        fields = {d["result"]: result or (d["success"] if ok else d["failure"]), d["balance"]: balance}
        if "interface" in getattr(self.pb, d["reply"]).DESCRIPTOR.fields_by_name:
            fields["interface"] = interface
        return getattr(self.pb, d["reply"])(**fields)

    def connect(self, peers):
        for pid, addr in peers.items():
            if pid == self.id:
                continue
            ch = grpc.insecure_channel(addr)
            self.peers[pid] = ch.unary_unary(
                "/%s/%s" % (self.d["service"], self.d["propagate"]),
                request_serializer=getattr(self.pb, self.d["request"]).SerializeToString,
                response_deserializer=getattr(self.pb, self.d["reply"]).FromString)

    def customer(self, interface, req):
        interface = interface or getattr(req, self.d["interface"]).lower()
        money = getattr(req, self.d["money"])
        with self.lock:
            if interface == "query":
                return self.reply("query", True, self.balance + (0.5 if self.flavor == "half-balance" else 0))
            if interface == "withdraw" and self.balance < money:
                return self.reply(interface, False, self.balance)
            self.balance += money if interface == "deposit" else -money
            after = self.balance
        targets = sorted(p for p in self.peers if self.flavor != "lower-only" or p < self.id)
        for p in targets:  # the customer waits for every peer, as the course's template does
            self.peers[p](self.request(id=self.id, interface=interface, money=money))
        return self.reply(interface, True, after, "ON_HOLD" if self.flavor == "on-hold" else None)

    def propagation(self, req):
        if self.flavor == "mute-propagation":
            self.stopping.wait()  # never answers, never applies
            return self.reply("", False, self.balance)
        interface = getattr(req, self.d["interface"]).lower()
        money = getattr(req, self.d["money"])
        with self.lock:
            if interface == "deposit":
                self.balance += money
            else:
                self.balance -= money * (2 if self.flavor == "double-withdraw" else 1)
            return self.reply(interface, True, self.balance)


def read_peers(lines):
    peers = {}
    for line in lines:
        line = line.strip()
        if line == "end":
            break
        if line and not line.startswith("#"):
            pid, addr = line.split()
            peers[int(pid)] = addr
    return peers


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pydir")
    ap.add_argument("--id", type=int, required=True)
    ap.add_argument("--balance", type=int, required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--peers", default="-")
    ap.add_argument("--flavor", default="correct",
                    choices=["correct", "lower-only", "double-withdraw", "mute-propagation", "on-hold",
                             "half-balance"])
    ap.add_argument("--dialect", default="course", choices=sorted(DIALECTS))
    ap.add_argument("--package")
    ap.add_argument("--tag", help="ignored: names the process, for a test to find it")
    args = ap.parse_args()
    sys.path.insert(0, args.pydir)
    d = dict(DIALECTS[args.dialect])
    if args.package:
        d["service"] = "%s.%s" % (args.package, d["service"])
    pb = __import__(d["module"])
    branch = Branch(args, pb, d)
    req_type, rep_type = getattr(pb, d["request"]), getattr(pb, d["reply"])

    def handler(fn):
        return grpc.unary_unary_rpc_method_handler(
            fn, request_deserializer=req_type.FromString, response_serializer=rep_type.SerializeToString)

    methods = {name: handler(lambda req, ctx, i=interface: branch.customer(i, req))
               for name, interface in d["customer"].items()}
    methods[d["propagate"]] = handler(lambda req, ctx: branch.propagation(req))
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(d["service"], methods),))
    port = server.add_insecure_port("127.0.0.1:%d" % args.port)
    if port == 0:
        print("cannot listen on 127.0.0.1:%d" % args.port, flush=True)
        return 1
    server.start()
    print("listening 127.0.0.1:%d" % port, flush=True)
    if args.peers == "-":
        branch.connect(read_peers(sys.stdin))
        print("ready", flush=True)
        sys.stdin.read()  # until standard input closes
    else:
        with open(args.peers) as f:
            branch.connect(read_peers(f))
        threading.Event().wait()  # until SIGTERM ends the process
    branch.stopping.set()
    server.stop(0)
    sys.stdout.flush()
    os._exit(0)  # a mute handler's thread must not hold the process


if __name__ == "__main__":
    sys.exit(main())
