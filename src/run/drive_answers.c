/* bank drive's answers judged by bank grade's own code: what the customers were told becomes
 * the records of an output file (one per customer entry, the answered events' replies), graded
 * exactly against the schedule's reference run, or as consistent for a live run. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drive.h"
#include "io/student_output.h"

static int add_reply(bank_record *rec, const bank_event *ev, const bank_result *r)
{
    bank_reply *rp = &rec->replies[rec->n_replies++];
    memset(rp, 0, sizeof *rp);
    if (!(rp->interface = strdup(bank_op_name(ev->op)))) return -1;
    rp->op_known = 1;
    rp->op = ev->op;
    if (ev->op == BANK_OP_QUERY) {
        rp->has_value = rp->value_is_integer = 1;
        rp->value = r->balance;
        rp->value_real = (double)r->balance;
    } else {
        rp->result = r->success ? BANK_SAID_SUCCESS : BANK_SAID_FAIL;
    }
    return 0;
}

/* The answered events of every entry, each entry's replies up to its first unanswered event. */
static int as_output(const bank_workload *w, const bank_system_run *run, bank_student_output *so)
{
    memset(so, 0, sizeof *so);
    so->records = calloc(w->n_customers ? w->n_customers : 1, sizeof *so->records);
    if (!so->records) return -1;
    for (size_t c = 0; c < w->n_customers; c++) {
        const bank_customer *cu = &w->customers[c];
        bank_record *rec = &so->records[so->n_records++];
        rec->id = cu->id;
        if (!(rec->replies = calloc(cu->n_events ? cu->n_events : 1, sizeof *rec->replies))) return -1;
        for (size_t e = 0; e < cu->n_events && run->calls[c][e].answered; e++)
            if (add_reply(rec, &cu->events[e], &run->out.results[c][e]) != 0) return -1;
    }
    return 0;
}

/* The event of customer c before event e whose call failed, or SIZE_MAX. */
static size_t own_failed_call(const bank_system_run *run, size_t c, size_t e)
{
    for (size_t before = 0; before < e; before++)
        if (run->calls[c][before].called && !run->calls[c][before].answered) return before;
    return SIZE_MAX;
}

/* A missing answer is a call that failed or was never made: say which. In a live run each
 * customer stops at its own failed call (D7), so that call is named, not the run's first. */
static int explain_missing(const bank_workload *w, bank_schedule schedule, bank_system_run *run)
{
    for (size_t i = 0; i < run->answers.n; i++) {
        bank_verdict *v = &run->answers.verdicts[i];
        if (v->kind != BANK_VERDICT_MISSING || v->entry == SIZE_MAX) continue;
        const bank_customer *cu = &w->customers[v->entry];
        const bank_system_call *call = &run->calls[v->entry][v->event];
        size_t own = schedule == BANK_SCHEDULE_LIVE ? own_failed_call(run, v->entry, v->event) : SIZE_MAX;
        char text[512];
        if (call->called)
            snprintf(text, sizeof text, "no answer: %s: %s", bank_grpc_status_name(call->error.status),
                     call->error.details);
        else if (own != SIZE_MAX)
            snprintf(text, sizeof text, "not sent: customer %" PRId64 " sent nothing more after event %" PRId64
                     " got no answer", cu->id, cu->events[own].id);
        else if (run->stopped)
            snprintf(text, sizeof text, "not sent: the run stopped after customer %" PRId64
                     " event %" PRId64 " got no answer", w->customers[run->stop_customer].id,
                     w->customers[run->stop_customer].events[run->stop_event].id);
        else
            snprintf(text, sizeof text, "not sent: the run stopped after a probe failed");
        free(v->detail);
        if (!(v->detail = strdup(text))) return -1;
    }
    return 0;
}

int bank_system_judge(const bank_workload *w, bank_schedule schedule, size_t budget,
                      bank_system_run *run, char *err, size_t errlen)
{
    bank_student_output so;
    bank_grade_options opt = {schedule == BANK_SCHEDULE_LIVE ? BANK_GRADE_CONSISTENT : BANK_GRADE_EXACT,
                              schedule, budget};
    if (opt.mode == BANK_GRADE_EXACT)
        snprintf(run->judged, sizeof run->judged, "exact (%s schedule)", bank_schedule_name(schedule));
    else
        snprintf(run->judged, sizeof run->judged, "consistent (some legal execution)");
    int rc = as_output(w, run, &so);
    if (rc == 0) rc = bank_grade(w, &so, &opt, &run->answers, err, errlen);
    else snprintf(err, errlen, "out of memory");
    bank_student_output_free(&so);
    if (rc == 0 && explain_missing(w, schedule, run) != 0) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    return rc;
}

int bank_system_answered(const bank_workload *w, const bank_system_run *run, bank_workload *out)
{
    *out = *w;
    out->customers = malloc((w->n_customers ? w->n_customers : 1) * sizeof *out->customers);
    if (!out->customers) return -1;
    for (size_t c = 0; c < w->n_customers; c++) {
        out->customers[c] = w->customers[c];
        size_t e = 0;
        while (e < w->customers[c].n_events && run->calls[c][e].answered) e++;
        out->customers[c].n_events = e;
    }
    return 0;
}
