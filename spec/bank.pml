/*
 * bank.pml: the replication protocol of cse531-bank, for spin.
 *
 * Three branches, each with a replica bal[b] of one shared balance, and three customers;
 * customer c talks to branch c only. A branch that takes a customer's write
 *   - applies it locally, a withdraw only if bal[me] >= money (otherwise it answers fail and
 *     nothing changes anywhere),
 *   - sends the propagation to every other branch, one send at a time,
 *   - answers the customer.
 * A branch applies an incoming propagation WITHOUT a balance check (the write is already
 * committed at its origin). Each replica update is atomic (the rpc layer serialises calls on one
 * replica); everything else interleaves.
 *
 * The network: one bag per destination branch, prop[dest]. A message names its write by
 * (origin, sequence), which is unique, and a branch may take any message in its bag next
 * (random receive on a chosen (origin, sequence)), so propagations are delivered in any order,
 * also two from the same origin. The model answers the customer once the propagations are
 * sent, not once they are acknowledged as the C code does: that allows more interleavings, so
 * what holds here holds for the acknowledged protocol too; and the two violations below need
 * nothing the acknowledged protocol forbids (in (b) both withdrawals are checked before either
 * is propagated). Every message is delivered exactly once: duplicates, which the C code
 * recognises by (origin, sequence), are not modelled.
 *
 * Checks (tests/model/run_spin.sh runs all three, full state-space search):
 *   spin -a bank.pml                 (a) at quiescence (every customer done, every bag empty)
 *                                        all replicas are equal, and equal to the initial
 *                                        balance plus every committed write: no error.
 *   spin -DNONNEG -a bank.pml        (b) also asserts that the converged balance is >= 0:
 *                                        violated. Customers 0 and 1 withdraw 80 each from 100
 *                                        at their own branches; both pass the local check
 *                                        before either propagation arrives, and every replica
 *                                        ends below zero. Local checks cannot prevent it.
 *   spin -DLOWER_ONLY -a bank.pml    (c) a branch propagates only to branches with a smaller id
 *                                        (a mistake seen in student code): (a) is violated.
 */

#define NB    3    /* branches, ids 0..NB-1; customer c talks to branch c */
#define MAXW  2    /* writes per customer at most (the sequences TAKE enumerates) */
#define INIT  100  /* every branch's initial balance */
#define BAG   4    /* a bag holds at most (NB-1) * MAXW propagations */

mtype = { QUERY, DEPOSIT, WITHDRAW };

chan req[NB]  = [0] of { mtype, short };             /* customer -> its branch: op, money */
chan resp[NB] = [0] of { bool, short };              /* branch -> customer: success, balance */
chan prop[NB] = [BAG] of { byte, byte, mtype, short }; /* origin, sequence, op, money */

short bal[NB];
short committed = 0;  /* the sum of every committed write's delta: what all replicas must reach */
byte done = 0;        /* customers that have had every answer */

/* The workload (customer c at branch c):
 *   customer 0: withdraw 80, deposit 30
 *   customer 1: withdraw 80
 *   customer 2: deposit 20, query
 * Run one at a time, the second withdraw fails and the balance ends at 70; run concurrently,
 * both can succeed and every replica ends at 100 - 80 - 80 + 30 + 20 = -10. */

#ifdef LOWER_ONLY
#define SENDS_TO(me, p)  ((p) < (me))
#else
#define SENDS_TO(me, p)  ((p) != (me))
#endif

/* Take the propagation (o, s) from my bag if it is there, and apply it without a check. */
#define TAKE(o, s) \
    :: atomic { prop[me] ?? eval(o), eval(s), k, m -> \
                if :: k == DEPOSIT -> bal[me] = bal[me] + m \
                   :: k == WITHDRAW -> bal[me] = bal[me] - m \
                fi; k = QUERY; m = 0 }

proctype Branch(byte me)
{
    mtype op = QUERY, k = QUERY;
    short money = 0, m = 0;
    byte seq = 0, p;
    bool ok;

end:
    do
    :: req[me] ? op, money ->
        atomic {
            if
            :: op == QUERY -> ok = true
            :: op == DEPOSIT ->
                bal[me] = bal[me] + money; committed = committed + money; ok = true
            :: op == WITHDRAW && bal[me] >= money ->
                bal[me] = bal[me] - money; committed = committed - money; ok = true
            :: op == WITHDRAW && bal[me] < money -> ok = false
            fi
        };
        if
        :: ok && op != QUERY ->
            seq++;
            assert(seq <= MAXW);
            /* one send per peer, each its own step: a peer may apply it before the next send */
            for (p : 0 .. NB - 1) {
                if
                :: SENDS_TO(me, p) -> prop[p] ! me, seq, op, money
                :: else -> skip
                fi
            }
        :: else -> skip
        fi;
        resp[me] ! ok, bal[me];
        op = QUERY; money = 0; ok = false
    /* any propagation in the bag, whatever its origin and sequence, in any order */
    TAKE((me + 1) % NB, 1)
    TAKE((me + 1) % NB, 2)
    TAKE((me + 2) % NB, 1)
    TAKE((me + 2) % NB, 2)
    od
}

/* One call: send the request to my branch, wait for its answer. */
#define CALL(op, money) req[me] ! op, money; resp[me] ? ok, b; ok = false; b = 0

proctype Customer(byte me)
{
    bool ok;
    short b;

    if
    :: me == 0 -> CALL(WITHDRAW, 80); CALL(DEPOSIT, 30)
    :: me == 1 -> CALL(WITHDRAW, 80)
    :: me == 2 -> CALL(DEPOSIT, 20); CALL(QUERY, 0)
    fi;
    done++
}

/* Fires once, at quiescence: no customer will write again and no propagation is in flight, so
 * nothing can change any replica any more. If it never fired, spin would report its process
 * blocked at an invalid end state. */
proctype Quiescence()
{
    atomic {
        done == NB && empty(prop[0]) && empty(prop[1]) && empty(prop[2]) ->
        assert(bal[0] == bal[1] && bal[1] == bal[2]);
        assert(bal[0] == INIT + committed);
#ifdef NONNEG
        assert(bal[0] >= 0);
#endif
    }
}

init
{
    atomic {
        bal[0] = INIT; bal[1] = INIT; bal[2] = INIT;
        run Branch(0); run Branch(1); run Branch(2);
        run Customer(0); run Customer(1); run Customer(2);
        run Quiescence()
    }
}
