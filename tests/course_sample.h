/* The course's sample workload, for tests that run it: branches 1-3 at 400; c1 query; c2 deposit
 * 170, query; c3 withdraw 70, query. */
#ifndef BANK_TESTS_COURSE_SAMPLE_H
#define BANK_TESTS_COURSE_SAMPLE_H

#include "core/workload.h"

static bank_event c1_events[] = {{1, BANK_OP_QUERY, 0}};
static bank_event c2_events[] = {{2, BANK_OP_DEPOSIT, 170}, {3, BANK_OP_QUERY, 0}};
static bank_event c3_events[] = {{4, BANK_OP_WITHDRAW, 70}, {5, BANK_OP_QUERY, 0}};
static bank_branch sample_branches[] = {{1, 400}, {2, 400}, {3, 400}};
static bank_customer sample_customers[] = {
    {1, 0, 1, c1_events}, {2, 1, 2, c2_events}, {3, 2, 2, c3_events}};
static const bank_workload sample = {3, sample_branches, 3, sample_customers};

#endif
