#include "report_consistent.h"

#include <inttypes.h>

void bank_report_set_aside_note(FILE *f, const bank_grade_report *r)
{
    if (!r->consistent || r->set_aside == 0 || !r->smallest) return;
    if (r->set_aside == 1)
        fprintf(f, "note: the answer marked wrong is the smallest set whose removal leaves the rest consistent%s",
                r->earliest ? " (of the answers that would do, the earliest in the file)" : "");
    else
        fprintf(f, "note: the %zu answers marked wrong are the smallest set whose removal leaves the rest "
                   "consistent%s", r->set_aside, r->earliest ? " (of the smallest sets, the earliest in the file)" : "");
    fputs("; --witness prints an execution that gives the rest\n", f);
}

void bank_report_budget_suffix(FILE *f, const bank_grade_report *r)
{
    if (!r->consistent) return;
    if (!r->smallest && r->n_wrong)
        fprintf(f, " (not proven smallest within --budget: at least %zu %s wrong)", r->lower_bound,
                r->lower_bound == 1 ? "is" : "are");
    else if (r->smallest && !r->earliest && r->set_aside)
        fprintf(f, " (the smallest sets were not all compared within --budget: this one is not proven the "
                   "earliest)");
}

void bank_report_witness_text(FILE *f, const bank_workload *w, const bank_grade_report *r)
{
    if (!w || !r->consistent) return;
    fprintf(f, "witness: an execution that gives every answer not marked wrong (%zu steps)\n", r->n_witness);
    for (size_t i = 0; i < r->n_witness; i++) {
        const bank_witness_step *s = &r->witness[i];
        const bank_customer *cu = &w->customers[s->customer];
        const bank_event *ev = &cu->events[s->event];
        fprintf(f, "  %zu. customer %" PRId64 " event %" PRId64 " %s", i + 1, cu->id, ev->id, bank_op_name(ev->op));
        if (ev->op == BANK_OP_QUERY) fprintf(f, ": reads %" PRId64 "\n", s->balance);
        else
            fprintf(f, " %" PRId64 ": %s (balance %" PRId64 ")\n", ev->money, s->success ? "success" : "fail",
                    s->balance);
    }
}

int bank_report_consistent_json(cJSON *o, const bank_workload *w, const bank_grade_report *r)
{
    if (!r->consistent) return 0;
    int ok = 1; /* cJSON's adders return NULL when out of memory */
    ok &= cJSON_AddNumberToObject(o, "set_aside", (double)r->set_aside) != NULL;
    ok &= cJSON_AddBoolToObject(o, "smallest", r->smallest) != NULL;
    ok &= cJSON_AddBoolToObject(o, "earliest", r->earliest) != NULL;
    ok &= cJSON_AddNumberToObject(o, "lower_bound", (double)r->lower_bound) != NULL;
    if (!w) return ok ? 0 : -1;
    cJSON *arr = cJSON_AddArrayToObject(o, "witness");
    ok &= arr != NULL;
    for (size_t i = 0; ok && i < r->n_witness; i++) {
        const bank_witness_step *s = &r->witness[i];
        const bank_customer *cu = &w->customers[s->customer];
        const bank_event *ev = &cu->events[s->event];
        cJSON *step = cJSON_CreateObject();
        if (!step) return -1;
        ok &= cJSON_AddNumberToObject(step, "customer", (double)cu->id) != NULL;
        ok &= cJSON_AddNumberToObject(step, "entry", (double)s->customer + 1) != NULL;
        ok &= cJSON_AddNumberToObject(step, "event", (double)ev->id) != NULL;
        ok &= cJSON_AddStringToObject(step, "interface", bank_op_name(ev->op)) != NULL;
        if (ev->op != BANK_OP_QUERY) {
            ok &= cJSON_AddNumberToObject(step, "money", (double)ev->money) != NULL;
            ok &= cJSON_AddStringToObject(step, "result", s->success ? "success" : "fail") != NULL;
        }
        ok &= cJSON_AddNumberToObject(step, "balance", (double)s->balance) != NULL;
        ok &= cJSON_AddItemToArray(arr, step); /* step is the array's now, whole or not */
    }
    return ok ? 0 : -1;
}
