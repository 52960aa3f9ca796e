/* Faults a branch injects into its own traffic, driven by a seed, for chaos tests:
 * propagations dropped (lost: the sender sees a timeout and retries), duplicated (sent twice),
 * delayed; replies delayed. Parsed from the SPEC of `bank run --faults SPEC`, then rolled by
 * the branch as it runs. No gRPC here. */
#ifndef BANK_RPC_FAULTS_H
#define BANK_RPC_FAULTS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    unsigned drop_pct;        /* of propagation attempts not sent */
    unsigned dup_pct;         /* of propagations sent twice */
    unsigned delay_pct;       /* of propagations sent late ... */
    unsigned delay_max_ms;    /* ... by up to this many milliseconds */
    unsigned reply_delay_pct; /* of replies (to customers and to propagations) sent late ... */
    unsigned reply_delay_max_ms;
    uint64_t seed;
} bank_faults;

/* "drop=10,dup=5,delay=20:50,reply-delay=10:30" (percentages; ":MS" the most delay, default
 * 100). An empty SPEC or "none" injects nothing. 0, or -1 with one line in err. */
int bank_faults_parse(const char *spec, bank_faults *out, char *err, size_t errlen);

/* Whether any fault is switched on. */
int bank_faults_any(const bank_faults *f);

/* A branch's faults as it runs: the spec and its own stream of the seed, shared by the branch's
 * threads (the server delays replies, the sender drops, duplicates and delays propagations). */
typedef struct {
    bank_faults spec;
    int on;                /* some fault is switched on */
    pthread_mutex_t lock;  /* guards rng */
    uint64_t rng;
} bank_fault_dice;

/* spec NULL: no faults. One seed for a run; each branch its own stream of it. */
void bank_fault_dice_init(bank_fault_dice *d, const bank_faults *spec, int64_t branch_id);
void bank_fault_dice_destroy(bank_fault_dice *d);

/* 1 with probability pct percent (never when the dice are off). */
int bank_fault_hits(bank_fault_dice *d, unsigned pct);

/* A delay from 1 to max_ms milliseconds. */
int bank_fault_delay_ms(bank_fault_dice *d, unsigned max_ms);

#endif
