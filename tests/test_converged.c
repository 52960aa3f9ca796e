/* The replicas' final balances against the input's and the answered writes' (converged.c): the
 * net of successful deposits and withdrawals only (failed ones and queries count nothing), and
 * the first branch that disagrees named with every figure. */
#include <criterion/criterion.h>

#include "run/converged.h"

static bank_event c1_events[] = {{1, BANK_OP_DEPOSIT, 50}, {2, BANK_OP_WITHDRAW, 500}, {3, BANK_OP_QUERY, 0}};
static bank_event c2_events[] = {{4, BANK_OP_WITHDRAW, 60}, {5, BANK_OP_DEPOSIT, 7}};
static bank_branch branches[] = {{1, 400}, {2, 300}, {3, 100}};
static bank_customer customers[] = {{1, 0, 3, c1_events}, {2, 1, 2, c2_events}};
static const bank_workload w = {3, branches, 2, customers};

Test(converged, the_net_of_successful_writes_on_every_replica)
{
    bank_outcome o;
    cr_assert_eq(bank_outcome_init(&o, &w), 0);
    o.results[0][0] = (bank_result){.op = BANK_OP_DEPOSIT, .success = 1};
    o.results[0][1] = (bank_result){.op = BANK_OP_WITHDRAW, .success = 0};
    o.results[0][2] = (bank_result){.op = BANK_OP_QUERY, .success = 1, .balance = 77};
    o.results[1][0] = (bank_result){.op = BANK_OP_WITHDRAW, .success = 1};
    o.results[1][1] = (bank_result){.op = BANK_OP_DEPOSIT, .success = 0};
    int64_t agree[] = {390, 290, 90}; /* + 50 - 60 */
    char err[256] = "";
    cr_expect_eq(bank_check_replicas(&w, &o, agree, err, sizeof err), 0, "%s", err);
    int64_t second_off[] = {390, 297, 90};
    cr_expect_eq(bank_check_replicas(&w, &o, second_off, err, sizeof err), -1);
    cr_expect_str_eq(err, "replicas disagree: branch 2 holds 297, expected 290 (its initial 300 plus the successful "
                          "writes' -10)");
    int64_t last_off[] = {390, 290, 91};
    cr_expect_eq(bank_check_replicas(&w, &o, last_off, err, sizeof err), -1);
    cr_expect_str_eq(err, "replicas disagree: branch 3 holds 91, expected 90 (its initial 100 plus the successful "
                          "writes' -10)");
    bank_outcome_free(&o);
}
