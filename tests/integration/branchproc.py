"""Starting and stopping `bank branch` processes from a test, with OS-chosen ports."""
import subprocess


def start_branches(bank, balances, extra=lambda i: []):
    """Starts one `bank branch --peers -` per balance (ids 1..n), with extra(id) appended to its
    arguments, and wires them together. Returns (processes, addresses)."""
    procs, addrs = [], []
    for i, balance in enumerate(balances, start=1):
        p = subprocess.Popen([bank, "branch", "--id", str(i), "--balance", str(balance),
                              "--listen", "127.0.0.1:0", "--peers", "-"] + extra(i),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        procs.append(p)
        line = p.stdout.readline().strip()
        if not line.startswith("listening "):
            stop_branches(procs)
            raise RuntimeError("branch %d said %r instead of its address" % (i, line))
        addrs.append(line.split(" ", 1)[1])
    peers = "".join("%d %s\n" % (i, a) for i, a in enumerate(addrs, start=1)) + "end\n"
    for p in procs:
        p.stdin.write(peers)
        p.stdin.flush()
    for i, p in enumerate(procs, start=1):
        line = p.stdout.readline().strip()
        if line != "ready":
            stop_branches(procs)
            raise RuntimeError("branch %d said %r instead of ready" % (i, line))
    return procs, addrs


def stop_branches(procs):
    """Closes each branch's standard input (its signal to stop); returns their exit codes."""
    codes = []
    for p in procs:
        try:
            p.stdin.close()
        except OSError:
            pass
        try:
            codes.append(p.wait(timeout=20))
        except subprocess.TimeoutExpired:
            p.kill()
            codes.append(p.wait())
    return codes
