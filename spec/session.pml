/*
 * session.pml: Project 3's write-set rule (spec C2-C7), for spin.
 *
 * Three branches, each a replica bal[b] starting at 0, and the writes it has applied as bits of
 * applied[b]. Customer A moves between branches in one session, carrying the set of its own
 * writes (ws, bits): it deposits 10 at branch 0 (write W1), withdraws 10 at branch 1 (W2, which
 * follows W1), and queries branch 2. Customer B, in a session of its own with no writes, queries
 * branch 2 once, at any moment.
 *
 * A branch serves a session's request only once it has applied every write of the request's set
 * (C4): the request is an atomic step guarded by that condition, which is what parking it until
 * then amounts to. A write is answered as soon as it is applied at its branch, and its
 * propagation goes into every other branch's bag (C3), to be applied later, in any order the
 * bags allow; a propagation that must follow a write its branch lacks is not taken until that
 * write is there (C5: refused and tried again). A withdrawal is checked against its branch's own
 * balance (B4); a propagation is applied without a check (P3).
 *
 * Checks (tests/model/run_spin.sh runs them all, full state-space search):
 *   spin -a session.pml                 every assertion holds:
 *                                         read-your-writes: A's query reads A's own writes (0);
 *                                         monotonic writes at A's branch: the withdrawal succeeds;
 *                                         monotonic writes everywhere: B never reads W2 without W1
 *                                         (-10); at quiescence every replica holds 0.
 *   spin -DNO_WAIT -a session.pml       a query is served without waiting for its set:
 *                                         read-your-writes breaks (A reads 10 at branch 2, which
 *                                         has W1 but not yet W2).
 *   spin -DNO_WAIT_WRITES -a ...        a write is served without waiting: the withdrawal at
 *                                         branch 1 runs before W1 is there and fails.
 *   spin -DNO_ORDER -a session.pml      propagations are taken in any order: B reads -10.
 */

#define NB 3
#define W1 1   /* A's deposit of 10 at branch 0 */
#define W2 2   /* A's withdrawal of 10 at branch 1, which follows W1 */

short bal[NB];
byte applied[NB];   /* bits: the writes each branch has applied */
short committed = 0;
byte done = 0;      /* customers that have had every answer */

chan prop[NB] = [2] of { byte, short };   /* write, its delta */

#ifdef NO_WAIT
#define HOLDS_FOR_QUERY(b, ws) true
#else
#define HOLDS_FOR_QUERY(b, ws) ((applied[b] & (ws)) == (ws))
#endif
#ifdef NO_WAIT_WRITES
#define HOLDS_FOR_WRITE(b, ws) true
#else
#define HOLDS_FOR_WRITE(b, ws) ((applied[b] & (ws)) == (ws))
#endif
#ifdef NO_ORDER
#define MAY_TAKE(b, w) true
#else
#define MAY_TAKE(b, w) ((w) != W2 || (applied[b] & W1))
#endif

/* A write committed at branch `at`: applied there, its propagation into every other bag. */
#define COMMIT(at, w, delta) \
    bal[at] = bal[at] + (delta); applied[at] = applied[at] | (w); committed = committed + (delta); \
    for (p : 0 .. NB - 1) { if :: p != (at) -> prop[p] ! w, delta :: else -> skip fi }

/* Branch b takes write w from its bag, once it may (C5), and applies it without a check. */
#define TAKE(w) \
    :: atomic { MAY_TAKE(b, w) && prop[b] ?? [eval(w), _] -> prop[b] ?? eval(w), d; \
                bal[b] = bal[b] + d; applied[b] = applied[b] | (w); d = 0 }

proctype Delivery(byte b)
{
    short d = 0;
end:
    do
    TAKE(W1)
    TAKE(W2)
    od
}

proctype CustomerA()
{
    byte ws = 0, p;
    bool ok;
    short got;
    atomic { HOLDS_FOR_WRITE(0, ws) -> COMMIT(0, W1, 10) };
    ws = ws | W1;
    atomic {
        HOLDS_FOR_WRITE(1, ws) ->
        if
        :: bal[1] >= 10 -> COMMIT(1, W2, -10); ok = true
        :: else -> ok = false
        fi
    };
    assert(ok);                 /* monotonic writes: W1 is at branch 1 before W2 runs there */
    ws = ws | W2;
    atomic { HOLDS_FOR_QUERY(2, ws) -> got = bal[2] };
    assert(got == 0);           /* read-your-writes: both of A's writes, and nothing else exists */
    done++
}

proctype CustomerB()
{
    short got;
    atomic { HOLDS_FOR_QUERY(2, 0) -> got = bal[2] };
    assert(got != -10);         /* monotonic writes everywhere: never W2 without W1 */
    done++
}

/* Fires once, at quiescence: every customer answered and every bag empty. */
proctype Quiescence()
{
    atomic {
        done == 2 && empty(prop[0]) && empty(prop[1]) && empty(prop[2]) ->
        assert(bal[0] == committed && bal[1] == committed && bal[2] == committed)
    }
}

init
{
    atomic {
        run Delivery(0); run Delivery(1); run Delivery(2);
        run CustomerA(); run CustomerB();
        run Quiescence()
    }
}
