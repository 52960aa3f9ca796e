#!/usr/bin/python3
"""Mutual TLS from the command line: `bank run --tls-dir` gives the golden outputs unchanged in
the process and as processes, a branch process killed under TLS recovers and the run still
converges, a TLS cluster serves `bank run --cluster` with the customers' files and refuses a
plaintext or foreign client, and the safe defaults and file checks of `bank branch` each give one
line and exit 2.  Usage: tls.py BANK_BINARY GOLDEN_DIR  (exit 77, skipped, without openssl)"""
import json
import os
import subprocess
import sys
import tempfile

from branchproc import start_branches, stop_branches

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    bank, golden = sys.argv[1], sys.argv[2]
    results = []

    def check(what, ok, detail=""):
        results.append(ok)
        print(("ok   " if ok else "FAIL ") + what + ("" if ok else ": " + detail))

    def run(args, timeout=120):
        return subprocess.run([bank] + args, capture_output=True, text=True, timeout=timeout)

    def one_line(r):
        return r.stdout == "" and len(r.stderr.strip().splitlines()) == 1

    with tempfile.TemporaryDirectory() as work:
        made = subprocess.run([os.path.join(HERE, "tls_certs.sh"), work], capture_output=True, text=True)
        if made.returncode == 77:
            print("skipped: openssl is not installed")
            return 77
        if made.returncode != 0:
            print("FAIL making the test certificates: " + made.stderr)
            return 1
        good, other = os.path.join(work, "good"), os.path.join(work, "other")

        # rule: R8; what tools/certs.sh makes
        certs_sh = os.path.join(HERE, "..", "..", "tools", "certs.sh")
        made = os.path.join(work, "made")
        r = subprocess.run([certs_sh, "--ids", "4,12", "--days", "30", made, "10.1.2.3", "12=host12.example"],
                           capture_output=True, text=True)
        names = sorted(os.listdir(made)) if os.path.isdir(made) else []
        check("certs.sh writes the CA, each branch's and the customer's certificate and key",
              r.returncode == 0 and names == ["branch-12.crt", "branch-12.key", "branch-4.crt", "branch-4.key",
                                               "ca.crt", "ca.key", "customer.crt", "customer.key"], r.stderr + str(names))

        def text_of(name):
            return subprocess.run(["openssl", "x509", "-noout", "-text", "-in", os.path.join(made, name)],
                                  capture_output=True, text=True).stdout
        b12, b4, cust = text_of("branch-12.crt"), text_of("branch-4.crt"), text_of("customer.crt")
        check("a branch certificate: CN branch-N, serving and calling, loopback, every ADDRESS and its own",
              "Subject: CN = branch-12" in b12 and "TLS Web Server Authentication, TLS Web Client Authentication" in b12
              and "IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:localhost, IP Address:10.1.2.3, "
                  "DNS:host12.example" in b12 and "IP Address:10.1.2.3" in b4 and "host12" not in b4, b12 + b4)
        check("the customer certificate: CN customer-cli, calling only",
              "Subject: CN = customer-cli" in cust and "TLS Web Client Authentication" in cust and
              "Server Authentication" not in cust, cust)
        modes = {n: os.stat(os.path.join(made, n)).st_mode & 0o777 for n in names if n.endswith(".key")}
        check("keys are readable by their owner only", set(modes.values()) == {0o600}, str(modes))
        verify = subprocess.run(["openssl", "verify", "-CAfile", os.path.join(made, "ca.crt"),
                                 os.path.join(made, "branch-4.crt"), os.path.join(made, "customer.crt")],
                                capture_output=True, text=True)
        check("every certificate is signed by the CA", verify.returncode == 0, verify.stdout + verify.stderr)
        before = open(os.path.join(made, "ca.crt")).read()
        r = subprocess.run([certs_sh, made, "1"], capture_output=True, text=True)
        check("certs.sh on a directory with a CA uses it again",
              r.returncode == 0 and open(os.path.join(made, "ca.crt")).read() == before and
              os.path.exists(os.path.join(made, "branch-1.crt")), r.stderr)
        for what, args, why in (("without N", [made], "the number of branches"),
                                ("with an address for a branch it does not make", [made, "3", "7=x"], "no branch 7"),
                                ("with N and --ids", [made, "2", "--ids", "1"], "N or --ids"),
                                ("with --days x", ["--days", "x", made, "1"], "--days")):
            r = subprocess.run([certs_sh] + args, capture_output=True, text=True)
            check("certs.sh %s: one line, exit 2" % what,
                  r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and why in r.stderr, r.stderr)

        # rule: R1, R7; every golden input of at most three branches, both schedules, both placements
        for case in sorted(os.listdir(golden)):
            path = os.path.join(golden, case, "input.json")
            if not os.path.exists(os.path.join(golden, case, "expected.sequential.json")):
                continue  # another project's golden case (p2-*: the clocks' three parts)
            if not os.path.isfile(path):
                continue
            if sum(p["type"] in ("branch", "bank") for p in json.load(open(path))) > 3:
                continue
            for schedule in ("sequential", "rounds"):
                want = open(os.path.join(golden, case, "expected.%s.json" % schedule)).read()
                for placement in ([], ["--processes"]):
                    r = run(["run", "--tls-dir", good, "--schedule", schedule] + placement + [path])
                    check("%s %s %s with --tls-dir: the golden output" % (case, schedule, " ".join(placement) or "in process"),
                          r.returncode == 0 and r.stdout == want, r.stdout + r.stderr)

        sample = os.path.join(golden, "sample", "input.json")
        sample_want = open(os.path.join(golden, "sample", "expected.sequential.json")).read()
        many = os.path.join(golden, "many-rounds", "input.json")
        many_want = open(os.path.join(golden, "many-rounds", "expected.rounds.json")).read()

        # rule: R5, S12; a branch process killed mid-run recovers under TLS, owing only its own writes
        r = run(["run", "--processes", "--tls-dir", good, "--schedule", "rounds", "--kill", "2@3", many])
        check("under TLS a killed branch recovers and the run still gives the golden output",
              r.returncode == 0 and r.stdout == many_want and "killed branch 2" in r.stderr, r.stdout + r.stderr)

        # rule: R7; a run's --tls-dir without a branch's files: one line before anything starts
        r = run(["run", "--tls-dir", other, sample])
        check("--tls-dir lacking branch-1's files: one line, exit 2",
              r.returncode == 2 and one_line(r) and "branch-1.crt: cannot open" in r.stderr, r.stderr)
        r = run(["run", "--tls-ca", os.path.join(good, "ca.crt"), "--tls-cert", os.path.join(good, "customer.crt"),
                 "--tls-key", os.path.join(good, "customer.key"), sample])
        check("--tls-ca/--tls-cert/--tls-key without --cluster: a usage error",
              r.returncode == 2 and one_line(r) and "take --tls-dir DIR" in r.stderr, r.stderr)

        # rule: R1, R7; three `bank branch` processes with TLS, driven by `bank run --cluster`
        def tls_args(i):
            return ["--tls-ca", os.path.join(good, "ca.crt"), "--tls-cert", os.path.join(good, "branch-%d.crt" % i),
                    "--tls-key", os.path.join(good, "branch-%d.key" % i)]
        cluster = os.path.join(work, "cluster.txt")
        procs, addrs = start_branches(bank, [400, 400, 400], tls_args)
        try:
            with open(cluster, "w") as f:
                f.writelines("%d %s\n" % (i, a) for i, a in enumerate(addrs, start=1))
            r = run(["run", "--cluster", cluster, "--deadline-ms", "3000", sample])
            check("a plaintext run against a TLS cluster fails (the handshake does), exit 1",
                  r.returncode == 1 and r.stdout == "", r.stderr)
            r = run(["run", "--cluster", cluster, "--deadline-ms", "3000", "--tls-ca", os.path.join(good, "ca.crt"),
                     "--tls-cert", os.path.join(other, "customer.crt"), "--tls-key", os.path.join(other, "customer.key"),
                     sample])
            check("a customer certificate of another CA is refused before anything is sent, exit 2",
                  r.returncode == 2 and one_line(r) and "not accepted by the CA" in r.stderr, r.stderr)
            r = run(["run", "--cluster", cluster, "--tls-ca", os.path.join(good, "ca.crt"),
                     "--tls-cert", os.path.join(good, "customer.crt"), "--tls-key", os.path.join(good, "customer.key"),
                     sample])
            check("a TLS cluster serves `bank run --cluster` with the customers' files: the golden output",
                  r.returncode == 0 and r.stdout == sample_want, r.stdout + r.stderr)
        finally:
            codes = stop_branches(procs)
        check("TLS branch processes stop cleanly", codes == [0, 0, 0], str(codes))
        # rule: R7; a TLS branch whose --trace cannot be opened: one line, exit 1, nothing kept
        r = run(["branch", "--id", "1", "--balance", "400", "--peers", "-"] + tls_args(1) +
                ["--trace", os.path.join(work, "nowhere", "t")])
        check("a TLS branch with a --trace it cannot open: one line, exit 1",
              r.returncode == 1 and r.stderr.endswith(": cannot open the trace file: No such file or directory\n")
              and len(r.stderr.splitlines()) == 1, r.stderr)

        # rule: R7; a TLS branch that cannot listen (an address of another machine): one line, exit 1
        r = run(["branch", "--id", "1", "--balance", "400", "--peers", "-", "--listen", "192.0.2.1:5000"] + tls_args(1))
        check("a TLS branch that cannot listen: one line, exit 1", r.returncode == 1 and one_line(r) and
              r.stderr == "bank branch: branch 1: cannot listen on 192.0.2.1:5000 (address in use or not valid)\n",
              r.stderr)

        # rule: R1, R7; bank drive calls TLS branches with the customers' files (fresh ones: a
        # run leaves the balances moved, and bank drive starts only on the input's)
        customer = ["--tls-ca", os.path.join(good, "ca.crt"), "--tls-cert", os.path.join(good, "customer.crt"),
                    "--tls-key", os.path.join(good, "customer.key")]
        for wire, tls in (("bank", customer), ("course", customer), ("bank", [])):
            procs, addrs = start_branches(bank, [400, 400, 400], tls_args)
            try:
                with open(cluster, "w") as f:
                    f.writelines("%d %s\n" % (i, a) for i, a in enumerate(addrs, start=1))
                r = run(["drive", "--cluster", cluster, "--wire", wire, "--deadline-ms", "5000"] + tls + [sample])
            finally:
                stop_branches(procs)
            if tls:
                check("bank drive --wire %s with the customers' files: behaved as the reference" % wire,
                      r.returncode == 0 and "verdict: behaved as the reference" in r.stdout + r.stderr,
                      r.stdout[-600:] + r.stderr[-600:])
            else:
                check("bank drive without TLS files against TLS branches: exit 2, they cannot be reached",
                      r.returncode == 2, r.stderr[-400:])

        peers = os.path.join(work, "peers.txt")
        with open(peers, "w") as f:
            f.write("1 127.0.0.1:1\n")
        branch = ["branch", "--id", "1", "--balance", "5", "--peers", peers]
        # rule: R6; --listen beyond loopback without TLS or --insecure does not start
        for address in ("0.0.0.0:0", "[::]:0"):
            r = run(branch + ["--listen", address])
            check("--listen %s without TLS or --insecure: one line, exit 2, nothing started" % address,
                  r.returncode == 2 and one_line(r) and "is not a loopback address" in r.stderr, r.stdout + r.stderr)
        # rule: R6; --insecure starts (here on loopback, as every test server) with a warning
        p = subprocess.Popen([bank] + branch[:-2] + ["--peers", "-", "--insecure"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        said = p.stdout.readline()
        out, err = p.communicate("1 127.0.0.1:1\nend\n", timeout=30)
        check("--insecure serves, with a warning at start",
              said.startswith("listening 127.0.0.1:") and "ready" in out and p.returncode == 0 and
              "warning: --insecure" in err, said + out + err)
        r = run(branch + ["--insecure", "--tls-ca", "a", "--tls-cert", "b", "--tls-key", "c"])
        check("--insecure with TLS files: a usage error", r.returncode == 2 and one_line(r), r.stderr)
        # rule: R1; a branch's TLS files are checked before it starts
        r = run(branch + ["--tls-ca", os.path.join(good, "ca.crt")])
        check("--tls-ca alone: one line, exit 2", r.returncode == 2 and one_line(r) and "go together" in r.stderr,
              r.stderr)
        r = run(branch + tls_args(2))
        check("a branch whose certificate names another branch does not start: one line, exit 2",
              r.returncode == 2 and one_line(r) and "must name branch-1" in r.stderr, r.stderr)
        r = run(branch + ["--tls-ca", os.path.join(good, "ca.crt"),
                          "--tls-cert", os.path.join(work, "expired", "branch-2.crt"),
                          "--tls-key", os.path.join(work, "expired", "branch-2.key")])
        check("an expired certificate does not start a branch: one line, exit 2",
              r.returncode == 2 and one_line(r) and "certificate has expired" in r.stderr, r.stderr)

    failed = results.count(False)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
