/* An input whose customers have nothing to do, or that has no customer at all: every schedule
 * runs it, answers nothing and succeeds. */
#include <criterion/criterion.h>

#include "run/branches.h"
#include "run/customers.h"

static bank_branch two_branches[] = {{1, 10}, {2, 10}};
static bank_customer idle[] = {{1, 0, 0, NULL}};

Test(drive_empty, nothing_to_do_under_every_schedule)
{
    const bank_workload inputs[] = {{2, two_branches, 0, NULL}, {2, two_branches, 1, idle}};
    bank_branches_config bc = {.mode = BANK_MODE_EMBEDDED, .server_threads = 1, .deadline_ms = 10000};
    char err[256] = "";
    bank_branches *b = bank_branches_start(&inputs[0], &bc, err, sizeof err);
    cr_assert_not_null(b, "%s", err);
    for (int k = 0; k < 2; k++)
        for (int s = 0; s < 3; s++) {
            bank_outcome out;
            cr_assert_eq(bank_outcome_init(&out, &inputs[k]), 0);
            bank_drive_config cfg = {.schedule = (bank_schedule)s, .deadline_ms = 10000};
            cr_expect_eq(bank_drive(&inputs[k], b, &cfg, &out, NULL, err, sizeof err), 0, "input %d, %s: %s", k,
                         bank_schedule_name((bank_schedule)s), err);
            bank_outcome_free(&out);
        }
    cr_expect_eq(bank_branches_stop(b, err, sizeof err), 0, "%s", err);
}
