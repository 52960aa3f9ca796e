/* Work due later, for one branch: a propagation's next try, an injected delay. One thread runs
 * each piece when it is due; stopping runs what is left at once, marked cancelled, so that no
 * piece of work (and no customer waiting on it) is forgotten. */
#ifndef BANK_RPC_TIMERS_H
#define BANK_RPC_TIMERS_H

typedef struct bank_timers bank_timers;

/* fn(arg, cancelled): cancelled is 1 when it runs because the timers stopped (or memory ran out),
 * not because it was due. */
typedef void (*bank_timer_fn)(void *arg, int cancelled);

/* Starts the thread. NULL when out of memory or threads. */
bank_timers *bank_timers_start(void);

/* Runs fn(arg, 0) on the timers' thread in delay_ms; or fn(arg, 1) at once, on the calling
 * thread, when the timers have stopped or memory ran out. */
void bank_timers_after(bank_timers *t, int delay_ms, bank_timer_fn fn, void *arg);

/* Stops the thread and runs everything still waiting as cancelled. Later bank_timers_after calls
 * run at once, cancelled, until bank_timers_free. */
void bank_timers_stop(bank_timers *t);

void bank_timers_free(bank_timers *t);

/* CLOCK_MONOTONIC in milliseconds. */
long long bank_mono_ms(void);

#endif
