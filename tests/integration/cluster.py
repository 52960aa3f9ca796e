#!/usr/bin/python3
"""`bank run --cluster FILE` drives branches that run elsewhere; `bank branch --peers FILE` runs
until SIGTERM or SIGINT.  Usage: cluster.py BANK_BINARY GOLDEN_DIR"""
import os
import signal
import subprocess
import sys
import tempfile
import time

from branchproc import start_branches, stop_branches


def main():
    bank, golden = sys.argv[1], sys.argv[2]
    sample = os.path.join(golden, "sample", "input.json")
    want = open(os.path.join(golden, "sample", "expected.sequential.json")).read()
    results = []

    def check(what, ok, detail=""):
        results.append(ok)
        print(("ok   " if ok else "FAIL ") + what + ("" if ok else ": " + detail))

    with tempfile.TemporaryDirectory() as work:
        procs, addrs = start_branches(bank, [400, 400, 400])
        try:
            cluster = os.path.join(work, "cluster.txt")
            with open(cluster, "w") as f:
                f.write("# id address\n")
                f.writelines("%d %s\n" % (i, a) for i, a in enumerate(addrs, start=1))
            # what comes on a branch's standard input after its peers is not its end: it serves on
            procs[0].stdin.write("anything\n")
            procs[0].stdin.flush()
            r = subprocess.run([bank, "run", "--cluster", cluster, sample], capture_output=True, text=True, timeout=60)
            # rule: S9
            check("run against a cluster", r.returncode == 0 and r.stdout == want, r.stdout + r.stderr)
            # The cluster now holds 500: the input's 400 no longer describes it.
            r = subprocess.run([bank, "run", "--cluster", cluster, sample], capture_output=True, text=True, timeout=60)
            # rule: S9, S10
            check("a cluster that does not hold the input's balances is refused",
                  r.returncode == 1 and "holds 500, the input says 400" in r.stderr, r.stderr)
            with open(cluster, "w") as f:
                f.write("1 %s\n2 %s\n" % (addrs[0], addrs[1]))
            r = subprocess.run([bank, "run", "--cluster", cluster, sample], capture_output=True, text=True, timeout=60)
            # rule: S9
            check("a cluster file missing a branch is refused",
                  r.returncode == 1 and "branch 3 of the input is not listed" in r.stderr, r.stderr)
            # rule: B10; a branch process killed and started again with --recover catches up
            procs[2].kill()
            procs[2].wait()
            with open(cluster, "w") as f:
                f.writelines("%d %s\n" % (i, a) for i, a in enumerate(addrs, start=1))
            back = subprocess.Popen([bank, "branch", "--id", "3", "--balance", "400", "--listen", addrs[2],
                                     "--peers", cluster, "--recover", "--deadline-ms", "60000"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            said = [back.stdout.readline().strip(), back.stdout.readline().strip()]
            back.send_signal(signal.SIGTERM)
            out, err = back.communicate(timeout=30)
            check("bank branch --recover rebuilds the balance from its peers, then says ready",
                  said == ["listening " + addrs[2], "ready"] and back.returncode == 0 and
                  "bank branch 3: recovered: balance 500, 0 writes owed to peers" in err, "%r %r" % (said, err))
            procs[2] = subprocess.Popen(["true"], stdin=subprocess.PIPE)  # stands in for the stopped one
        finally:
            codes = stop_branches(procs)
        check("branches stop cleanly when their standard input closes", codes == [0, 0, 0], str(codes))

        # rule: B10; a peer that never answers: --recover gives up after --deadline-ms, exit 1
        with open(cluster, "w") as f:
            f.write("7 127.0.0.1:0\n8 127.0.0.1:1\n")
        r = subprocess.run([bank, "branch", "--id", "7", "--balance", "5", "--peers", cluster, "--recover",
                            "--deadline-ms", "500"], capture_output=True, text=True, timeout=60)
        check("--recover without every peer's log fails with one line",
              r.returncode == 1 and r.stderr.strip().splitlines() ==
              ["bank branch 7: branch 8 did not give its log in time (--deadline-ms)"], r.stderr)

        # --peers FILE: a lone branch (its own line is skipped) serves until SIGTERM.
        peers = os.path.join(work, "peers.txt")
        with open(peers, "w") as f:
            f.write("5 127.0.0.1:1\n")
        p = subprocess.Popen([bank, "branch", "--id", "5", "--balance", "10", "--peers", peers],
                             stdout=subprocess.PIPE, text=True)
        addr = p.stdout.readline().strip().split(" ", 1)[-1]
        ready = p.stdout.readline().strip()
        with open(os.path.join(work, "one.json"), "w") as f:
            f.write('[{"id": 5, "type": "branch", "balance": 10},'
                    ' {"id": 5, "type": "customer", "events": [{"interface": "deposit", "money": 5}, {"interface": "query"}]}]')
        with open(cluster, "w") as f:
            f.write("5 %s\n" % addr)
        r = subprocess.run([bank, "run", "--cluster", cluster, "--style", "balance", os.path.join(work, "one.json")],
                           capture_output=True, text=True, timeout=60)
        check("branch started with --peers FILE serves a run", ready == "ready" and r.returncode == 0 and
              '{"interface": "query", "balance": 15}' in r.stdout, r.stdout + r.stderr)
        # rule: D4; a method the branch does not serve (another service's path) is refused
        # UNIMPLEMENTED, and leaves nothing behind: the branch still stops cleanly
        r = subprocess.run([bank, "drive", "--cluster", cluster, "--service", "example.Branch",
                            os.path.join(work, "one.json")], capture_output=True, text=True, timeout=60)
        check("a call of a method the branch does not serve is refused UNIMPLEMENTED",
              r.returncode == 2 and "UNIMPLEMENTED" in r.stderr, "exit %d: %s" % (r.returncode, r.stderr))
        p.send_signal(signal.SIGTERM)
        check("branch stops cleanly on SIGTERM", p.wait(timeout=20) == 0)
        # --peers -: a peer list that comes in pieces (a pause before its "end") is read whole, and
        # one longer than the first buffer (4 KiB: 300 peers) too
        p = subprocess.Popen([bank, "branch", "--id", "5", "--balance", "10", "--peers", "-"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        addr = p.stdout.readline().strip().split(" ", 1)[-1]
        p.stdin.write("5 %s\n" % addr + "".join("%d 127.0.0.1:%d\n" % (100 + k, 1000 + k) for k in range(300)))
        p.stdin.flush()
        time.sleep(0.3)
        p.stdin.write("end\n")
        p.stdin.flush()
        ready = p.stdout.readline().strip()
        p.stdin.close()
        check("a peer list on standard input in two pieces", ready == "ready" and p.wait(timeout=20) == 0,
              "%r, exit %s" % (ready, p.returncode))
        # its --help's promise: SIGINT (Ctrl-C) stops it as cleanly as SIGTERM
        p = subprocess.Popen([bank, "branch", "--id", "5", "--balance", "10", "--peers", peers],
                             stdout=subprocess.PIPE, text=True)
        said = [p.stdout.readline().strip().split(" ", 1)[0], p.stdout.readline().strip()]
        p.send_signal(signal.SIGINT)
        check("branch stops cleanly on SIGINT", said == ["listening", "ready"] and p.wait(timeout=20) == 0,
              "%r, exit %s" % (said, p.returncode))

    failed = results.count(False)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
