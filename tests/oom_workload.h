/* The small workload the core's out-of-memory tests share (test_core_oom.c, test_judge_oom.c):
 * two customers' worth of events over two branches, repeated for as many customers as asked. */
#ifndef BANK_TESTS_OOM_WORKLOAD_H
#define BANK_TESTS_OOM_WORKLOAD_H

#include "core/workload.h"

static bank_event ev_a[] = {{1, BANK_OP_DEPOSIT, 5}, {2, BANK_OP_QUERY, 0}, {3, BANK_OP_WITHDRAW, 3},
                            {4, BANK_OP_QUERY, 0}};
static bank_event ev_b[] = {{5, BANK_OP_QUERY, 0}, {6, BANK_OP_DEPOSIT, 1}, {7, BANK_OP_DEPOSIT, 2},
                            {8, BANK_OP_WITHDRAW, 1}, {9, BANK_OP_QUERY, 0}};
static bank_branch branches[] = {{1, 10}, {2, 10}};

/* Enough steps that both schedules grow their phase list past its first 16 entries. */
static void make_workload(bank_workload *w, bank_customer *cu, size_t n)
{
    for (size_t c = 0; c < n; c++)
        cu[c] = c % 2 ? (bank_customer){2, 1, 5, ev_b} : (bank_customer){1, 0, 4, ev_a};
    *w = (bank_workload){2, branches, n, cu};
}

#endif
