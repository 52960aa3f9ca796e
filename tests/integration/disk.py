#!/usr/bin/python3
"""bank branch --data-dir on bad days: a directory it must refuse, a write answered PENDING whose
branch then crashes, files damaged as a power loss damages them, and a disk that fills up.

  - bad state: a data dir of another branch or made with another balance, a directory where the
    store should be, a file that is not a store (garbage, another program's SQLite database), a
    damaged DIR/pending, a DIR in use by a running branch: one line on standard error, exit 1,
    and the directory byte for byte as it was;
  - pending: writes answered PENDING (both peers down) survive their branch's SIGKILL and reach
    the peers when all three start; with its WAL cut away the branch refuses to start (the
    writes it promised are nowhere), naming the write;
  - power loss (seeded): three branches killed together after their writes, one branch's WAL
    cut at a random byte or its last page torn, or its database file (after a checkpoint) cut
    or torn; all three started again at once in a random order: every branch holds every write
    once (the damaged one read back a prefix, or set its file aside, and caught up from its
    peers), and serves on;
  - full disk: a branch whose data dir is on a small tmpfs (or, where mounting is not allowed,
    under a file-size limit) stops with one line when a commit no longer fits; the customer of
    that write is told it was not made durable; the directory, copied elsewhere, starts again
    with exactly the writes that were answered.
Usage: disk.py BANK PROTO_DIR. Seeds: BANK_SEED (default 1). Exits 77 without python3-grpcio.
"""
import hashlib
import os
import random
import resource
import select
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

from wire import load_messages, require_grpc

grpc = require_grpc()
bank, proto_dir = sys.argv[1], sys.argv[2]
seed = int(os.environ.get("BANK_SEED", "1"))
failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print("FAIL " + what, flush=True)
    return cond


def reserved_port():
    """A socket bound to a loopback port and never listening: the port refuses every connection,
    and no other process can take it while the socket is open. A peer that is down lives there."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    return s


class Branch:
    """A `bank branch --peers -` process with a data dir; its standard error goes to a file.
    Port 0 (the default) lets the OS choose the port, read back from "listening"; a restarted
    branch that its running peers know by address asks for its old port again."""

    def __init__(self, work, bid, data_dir, port=0, balance=100, extra=(), limit=None):
        self.id, self.port, self.addr = bid, port, "127.0.0.1:%d" % port
        pre = (lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))) if limit else None
        # The old port may be lent for a moment to another test's socket once its branch is gone:
        # try again for up to 10 s rather than fail on the coincidence.
        for tries in range(40 if port else 1):
            self.err_path = os.path.join(work, "branch%d.%d.err" % (bid, time.monotonic_ns()))
            self.p = subprocess.Popen([bank, "branch", "--id", str(bid), "--balance", str(balance),
                                       "--listen", self.addr, "--peers", "-", "--data-dir", data_dir,
                                       "--attempts", "2", "--retry-backoff-ms", "10", "--deadline-ms", "3000",
                                       *extra], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=open(self.err_path, "w"), text=True, preexec_fn=pre)
            said = (self.line(10) or "").split(" ")
            self.listening = (len(said) == 2 and said[0] == "listening" and said[1].startswith("127.0.0.1:")
                              and (port == 0 or said[1] == self.addr))
            if self.listening:
                self.addr, self.port = said[1], int(said[1].rsplit(":", 1)[1])
                break
            if not port or "in use" not in self.stderr_when_exited():
                break
            time.sleep(0.25)
        check(self.listening, "branch %d listens on %s (%r)" % (bid, self.addr, self.stderr().strip()[-300:]))

    def line(self, timeout):
        if not select.select([self.p.stdout], [], [], timeout)[0]:
            return None
        return self.p.stdout.readline().strip()

    def tell_peers(self, peers):
        try:
            self.p.stdin.write("".join("%d %s\n" % (b.id, b.addr) for b in peers) + "end\n")
            self.p.stdin.flush()
        except BrokenPipeError:
            check(False, "branch %d took its peers: it had exited %s: %r"
                  % (self.id, self.p.wait(), self.stderr().strip()[-600:]))

    def stderr(self):
        return open(self.err_path).read()

    def stderr_when_exited(self):
        """Its standard error once it has exited (within 5 s), or "" if it is still running."""
        try:
            self.p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return ""
        return self.stderr()

    def kill(self):
        self.p.kill()
        self.p.wait()

    def stop(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            return self.p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return self.p.wait()


def start_all(work, specs, peers_of=None):
    """Starts branches (id, data_dir) together, each on a port the OS chooses, tells each all of
    them, waits for ready."""
    bs = [Branch(work, bid, d) for bid, d in specs]
    everyone = peers_of or bs
    for b in bs:
        b.tell_peers(everyone)
    for b in bs:
        check(b.line(30) == "ready", "branch %d became ready (%s)" % (b.id, b.stderr().strip()[-300:]))
    return bs


class Client:
    def __init__(self, pb):
        self.pb = pb

    def stub(self, addr, method, req, rep):
        ch = grpc.insecure_channel(addr)
        return ch, ch.unary_unary("/bank.Branch/" + method, req.SerializeToString, rep.FromString)

    def write(self, addr, money, event, withdraw=False):
        ch, f = self.stub(addr, "Withdraw" if withdraw else "Deposit", self.pb.CustomerRequest, self.pb.CustomerReply)
        try:
            return f(self.pb.CustomerRequest(customer_id=1, event_id=event, money=money), timeout=20)
        finally:
            ch.close()

    def balance(self, addr):
        ch, f = self.stub(addr, "Query", self.pb.CustomerRequest, self.pb.CustomerReply)
        try:
            return f(self.pb.CustomerRequest(customer_id=1), timeout=10).balance
        finally:
            ch.close()

    def history(self, addr):
        """(checkpoints {origin: through}, logged {(origin, seq)}) from Snapshot, every page."""
        ch, f = self.stub(addr, "Snapshot", self.pb.SnapshotRequest, self.pb.SnapshotReply)
        cps, logged, first = {}, set(), 0
        try:
            while True:
                r = f(self.pb.SnapshotRequest(first=first), timeout=10)
                for c in r.checkpoints:
                    cps[c.origin_branch] = max(cps.get(c.origin_branch, 0), c.through)
                logged |= {(w.origin_branch, w.sequence) for w in r.writes}
                first = r.first + len(r.writes)
                if first >= r.total:
                    return cps, logged
        finally:
            ch.close()

    def holds(self, addr, origin, n):
        """Whether the branch at addr holds exactly writes 1..n of origin."""
        cps, logged = self.history(addr)
        have = set(range(1, cps.get(origin, 0) + 1)) | {s for o, s in logged if o == origin}
        return have == set(range(1, n + 1))


def settles(client, addrs, want, seconds=20):
    until = time.time() + seconds
    while time.time() < until:
        try:
            if all(client.balance(a) == want for a in addrs):
                return True
        except grpc.RpcError:
            pass
        time.sleep(0.1)
    return False


def fingerprint(d):
    if not os.path.isdir(d):
        return open(d, "rb").read()
    return sorted((n, hashlib.sha256(open(os.path.join(d, n), "rb").read()).hexdigest()
                   if os.path.isfile(os.path.join(d, n)) else "dir") for n in os.listdir(d))


def refused(work, d, says, bid=2, balance=100):
    """bank branch on d: exit 1, one line saying `says`, d unchanged."""
    before = fingerprint(d)
    peers = os.path.join(work, "self.peers")
    open(peers, "w").write("%d 127.0.0.1:1\n" % bid)  # its own line: it listens on a port the OS picks
    r = subprocess.run([bank, "branch", "--id", str(bid), "--balance", str(balance), "--peers", peers,
                        "--data-dir", d], capture_output=True, text=True, timeout=60)
    lines = r.stderr.strip().splitlines()
    check(r.returncode == 1 and len(lines) == 1 and says in lines[0],
          "refused %s: exit %d, stderr %r (want one line with %r)" % (d, r.returncode, r.stderr, says))
    check(fingerprint(d) == before, "refused %s: the directory changed" % d)


def bad_state(work, client):
    # rule: K7; bad data dirs are refused, one line, the directory unchanged
    d = os.path.join(work, "bad")
    b = start_all(work, [(2, d)])[0]
    refused(work, d, "in use by another process")
    client.write(b.addr, 5, 1)
    b.stop()
    refused(work, d, "holds branch 2's state, not branch 3's", bid=3)
    refused(work, d, "with --balance 100, not 7", balance=7)
    pending = os.path.join(d, "pending")
    saved = open(pending, "rb").read()
    open(pending, "wb").write(bytes(range(64)))
    refused(work, d, "pending is corrupt")
    open(pending, "wb").write(saved)
    other = os.path.join(work, "other")
    os.makedirs(other)
    open(os.path.join(other, "branch.db"), "wb").write(b"not a database " * 300)
    refused(work, other, "is not a bank branch store")
    os.remove(os.path.join(other, "branch.db"))
    db = sqlite3.connect(os.path.join(other, "branch.db"))
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    refused(work, other, "an SQLite database of something else")
    os.remove(os.path.join(other, "branch.db"))
    os.makedirs(os.path.join(other, "branch.db"))
    refused(work, other, "cannot open")
    a_file = os.path.join(work, "a-file")
    open(a_file, "w").write("x")
    refused(work, a_file, "is not a directory")


def pending_survives(work, client, cut):
    # rule: K1, K3, P11; writes answered pending survive a crash, or their loss stops the branch
    dirs = [os.path.join(work, "pending-%s-%d" % (cut, i)) for i in (1, 2, 3)]
    one = Branch(work, 1, dirs[0])
    down = [reserved_port() for _ in range(2)]

    class Down:  # the peers, not running yet
        def __init__(self, bid, sock):
            self.id, self.addr = bid, "127.0.0.1:%d" % sock.getsockname()[1]

    one.tell_peers([one, Down(2, down[0]), Down(3, down[1])])
    check(one.line(30) == "ready", "branch 1 ready alone")
    answers = [client.write(one.addr, m, e).result for e, m in ((1, 10), (2, 20))]
    check(answers == [client.pb.PENDING] * 2, "with both peers down, writes are answered PENDING: %s" % answers)
    one.kill()
    if cut:
        with open(dirs[0] + "/branch.db-wal", "r+b") as f:
            f.truncate(0)  # the commits holding the two writes, gone
    for sock in down:
        sock.close()
    bs = [Branch(work, i + 1, dirs[i]) for i in range(3)]  # all three at new addresses, told anew
    for b in bs:
        b.tell_peers(bs)
    if cut:
        code = bs[0].p.wait(timeout=60)
        err = bs[0].stderr()
        check(code == 1 and "write 1 was answered (pending) but is neither in its data dir nor at any peer" in err,
              "a branch whose promised writes are nowhere refuses to start: exit %d, %r" % (code, err))
        for b in bs[1:]:
            check(b.line(30) == "ready", "its peers serve on")
            b.stop()
        return
    for b in bs:
        check(b.line(30) == "ready", "branch %d ready after the crash (%s)" % (b.id, b.stderr()[-300:]))
    check(settles(client, [b.addr for b in bs], 130), "the pending writes reached every branch")
    for b in bs:
        check(client.holds(b.addr, 1, 2), "branch %d holds writes 1 and 2 of branch 1" % b.id)
        check(b.stop() == 0, "branch %d stops cleanly" % b.id)


def damage(path, rng, how):
    size = os.path.getsize(path)
    if how == "cut":
        with open(path, "r+b") as f:
            f.truncate(rng.randrange(0, size))
    else:  # the last page torn: a random part of its end overwritten
        start = max(0, size - 4096) + rng.randrange(0, min(4096, size))
        with open(path, "r+b") as f:
            f.seek(start)
            f.write(bytes(rng.randrange(256) for _ in range(size - start)))


def power_loss(work, client, rng, where, how):
    # rule: K4, B10; a WAL or database file cut or torn: a prefix read back, the rest from the peers
    tag = "%s-%s-%d" % (where, how, rng.randrange(10 ** 6))
    specs = [(i, os.path.join(work, "power-%s-%d" % (tag, i))) for i in (1, 2, 3)]
    bs = start_all(work, specs)
    writes = rng.randint(3, 12)
    for b in bs:
        for e in range(writes):
            check(client.write(b.addr, 1, e + 1).result == client.pb.SUCCESS, "write answered success")
    for b in bs:
        b.kill()
    victim = rng.choice(specs)
    db = os.path.join(victim[1], "branch.db")
    if where == "db":  # what a checkpoint moved into the database file, damaged there
        c = sqlite3.connect(db)
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        c.close()
        damage(db, rng, how)
    else:
        damage(db + "-wal", rng, how)
    order = rng.sample(specs, 3)
    again = [Branch(work, bid, d) for bid, d in order]  # all three at new addresses, told anew
    for b in again:
        b.tell_peers(again)
    label = "%s %s of branch %d" % (where, how, victim[0])
    for b in again:
        check(b.line(60) == "ready", "%s: branch %d ready again (%s)" % (label, b.id, b.stderr()[-300:]))
    addrs = [b.addr for b in again]
    check(settles(client, addrs, 100 + 3 * writes), "%s: every branch at %d" % (label, 100 + 3 * writes))
    for b in again:
        for origin in (1, 2, 3):
            check(client.holds(b.addr, origin, writes), "%s: branch %d holds writes 1..%d of %d"
                  % (label, b.id, writes, origin))
    hurt = [b for b in again if b.id == victim[0]][0]
    said = [l for l in hurt.stderr().splitlines() if "read back" in l or "damaged" in l]
    print("power loss, %s: %s" % (label, said[0].split(": ", 1)[1][:150] if said else "(nothing said)"))
    check(client.write(hurt.addr, 1, 999).result == client.pb.SUCCESS and settles(client, addrs, 101 + 3 * writes),
          "%s: it serves on" % label)
    for b in again:
        check(b.stop() == 0, "%s: branch %d stops cleanly (%s)" % (label, b.id, b.stderr()[-300:]))


def full_disk(work, client):
    # rule: K8; a full disk stops the branch with one line, the answered writes kept
    mnt = os.path.join(work, "small")
    os.makedirs(mnt)
    mounted = subprocess.call(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", mnt],
                              stderr=subprocess.DEVNULL) == 0
    limit = None if mounted else 400 * 1024
    print("full disk: %s" % ("a 400 KB tmpfs" if mounted else
                             "cannot mount a tmpfs here: a 400 KB file-size limit (RLIMIT_FSIZE) instead"))
    try:
        one = Branch(work, 1, os.path.join(mnt, "b1"), limit=limit)
        two = Branch(work, 2, os.path.join(work, "full-2"))
        for b in (one, two):
            b.tell_peers([one, two])
        check(one.line(30) == "ready" and two.line(30) == "ready", "both ready")
        answered, refusal = 0, None
        for e in range(100000):
            try:
                check(client.write(one.addr, 1, e + 1).result == client.pb.SUCCESS, "write answered success")
                answered += 1
            except grpc.RpcError as x:
                refusal = x.details()
                break
        # the branch stops as it refuses: gRPC may end the call in flight with its shutdown's words
        check(refusal is not None and ("could not be made durable" in refusal or "stopping" in refusal
                                        or "Socket closed" in refusal or "unavailable" in refusal.lower()
                                        or "Cancelling all calls" in refusal),
              "the write that did not fit is not answered success: %r" % refusal)
        code = one.p.wait(timeout=30)
        lines = one.stderr().strip().splitlines()
        check(code == 1 and len(lines) == 1 and "bank branch 1: stopped:" in lines[0],
              "a full disk: one line, exit 1: exit %d, %r" % (code, lines))
        copy = os.path.join(work, "full-1-copy")
        shutil.copytree(os.path.join(mnt, "b1"), copy)
    finally:
        if mounted:
            subprocess.call(["umount", mnt])
    again = Branch(work, 1, copy, one.port)  # branch 2 still knows it there
    again.tell_peers([again, two])
    check(again.line(30) == "ready", "started again from a copy of its full disk (%s)" % again.stderr()[-300:])
    check("read back" in again.stderr(), "the store was whole: %r" % again.stderr())
    check(settles(client, [again.addr, two.addr], 100 + answered),
          "every answered write is there, and nothing else: %d" % answered)
    print("full disk: %d writes answered before the disk was full" % answered)
    for b in (again, two):
        check(b.stop() == 0, "branch %d stops cleanly" % b.id)


def run_data_dirs(work):
    # rule: K9, K2; bank run --data-dir: DIR/branch-ID, fresh only; --sync needs --data-dir
    sample = os.path.join(proto_dir, "..", "golden", "sample", "input.json")
    d = os.path.join(work, "run")
    r = subprocess.run([bank, "run", "--data-dir", d, "--sync", "batch", sample], capture_output=True, text=True)
    check(r.returncode == 0 and sorted(os.listdir(d)) == ["branch-1", "branch-2", "branch-3"],
          "bank run --data-dir: a dir a branch: exit %d %r" % (r.returncode, r.stderr))
    r = subprocess.run([bank, "run", "--data-dir", d, sample], capture_output=True, text=True)
    check(r.returncode == 1 and "branch-1 is there already" in r.stderr, "a used --data-dir: %r" % r.stderr)
    r = subprocess.run([bank, "run", "--sync", "none", sample], capture_output=True, text=True)
    check(r.returncode == 2 and "--sync goes with --data-dir" in r.stderr, "--sync alone: %r" % r.stderr)
    r = subprocess.run([bank, "branch", "--id", "1", "--balance", "1", "--peers", "-", "--sync", "often"],
                       capture_output=True, text=True)
    check(r.returncode == 2 and "unknown mode \"often\"" in r.stderr, "--sync often: %r" % r.stderr)
    # an unknown mode stops the command there: one line, and no run, no data dir
    fresh = os.path.join(work, "never")
    r = subprocess.run([bank, "run", "--data-dir", fresh, "--sync", "often", sample], capture_output=True, text=True)
    check(r.returncode == 2 and r.stdout == "" and not os.path.exists(fresh) and
          r.stderr == "bank run: --sync: unknown mode \"often\" (always, batch or none) (see bank run --help)\n",
          "bank run --sync often: exit 2, one line, nothing run (%d: %r)" % (r.returncode, r.stderr))


with tempfile.TemporaryDirectory() as work:
    (pb,) = load_messages(proto_dir, work, ["bank"])
    run_data_dirs(work)
    client = Client(pb)
    rng = random.Random(seed)
    bad_state(work, client)
    pending_survives(work, client, cut=False)
    pending_survives(work, client, cut=True)
    for where in ("wal", "db"):
        for how in ("cut", "torn"):
            for _ in range(2):
                power_loss(work, client, rng, where, how)
    full_disk(work, client)

print("disk: seed %d: %d checks, %d failed" % (seed, checks, len(failures)))
sys.exit(1 if failures else 0)
