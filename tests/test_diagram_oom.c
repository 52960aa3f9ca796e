/* Out of memory in the diagram's own allocations (its layout; cairo's, a shared library's, are
 * not reached by the wrappers, oom_wrap.h): each made to fail in turn, bank_diagram_draw says
 * "out of memory", leaves no file and nothing allocated; unarmed, it draws the file. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diagram/diagram.h"
#include "oom_sweep.h"

typedef struct {
    char path[96];
    bank_trace t;
} draw_case;

static int draw_attempt(void *arg, char *err, size_t errlen, int *ok)
{
    draw_case *c = arg;
    unlink(c->path);
    int rc = bank_diagram_draw(&c->t, "a query and a propagation", c->path, BANK_DIAGRAM_SVG, err, errlen);
    struct stat sb;
    int drawn = stat(c->path, &sb) == 0 && sb.st_size > 0;
    *ok = rc == 0 ? drawn : stat(c->path, &sb) != 0;
    return rc;
}

Test(diagram_oom, a_diagram_fails_cleanly_at_every_allocation)
{
    char dir[] = "/tmp/bank-diagram-oom-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    bank_trace_entry entries[2] = {
        {.t_recv_us = 10, .t_reply_us = 20, .from_id = 1, .to_branch = 1, .rpc = "Query", .customer = 1,
         .event = 1, .balance = 400, .reply = "success"},
        {.t_recv_us = 30, .t_reply_us = 40, .from_branch = 1, .from_id = 1, .to_branch = 2,
         .rpc = "Propagate_Deposit", .customer = 2, .event = 2, .money = 10, .balance = 410, .reply = "applied"},
    };
    draw_case c = {.t = {2, entries}};
    snprintf(c.path, sizeof c.path, "%s/d.svg", dir);
    oom_counts k = oom_sweep("bank_diagram_draw", draw_attempt, &c, -1, "", "out of memory");
    cr_expect_geq(k.failed, 2, "the layout's lanes and times");
    unlink(c.path);
    rmdir(dir);
    bank_diagram_release();
}
