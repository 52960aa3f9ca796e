#include "schedule.h"

#include <stdlib.h>
#include <string.h>

int bank_schedule_parse(const char *name, bank_schedule *out)
{
    static const struct { const char *name; bank_schedule s; } names[] = {
        {"sequential", BANK_SCHEDULE_SEQUENTIAL},
        {"rounds", BANK_SCHEDULE_ROUNDS},
        {"live", BANK_SCHEDULE_LIVE},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i].name) == 0) {
            *out = names[i].s;
            return 0;
        }
    return -1;
}

const char *bank_schedule_name(bank_schedule s)
{
    switch (s) {
    case BANK_SCHEDULE_SEQUENTIAL: return "sequential";
    case BANK_SCHEDULE_ROUNDS: return "rounds";
    case BANK_SCHEDULE_LIVE: return "live";
    }
    return "?";
}

typedef struct {
    bank_plan *plan;
    size_t cap_phases;
} plan_builder;

static void add_step(bank_plan *p, size_t customer, size_t event)
{
    p->steps[p->n_steps].customer = customer;
    p->steps[p->n_steps].event = event;
    p->n_steps++;
}

/* Closes the current phase if it holds any step. */
static int close_phase(plan_builder *b)
{
    bank_plan *p = b->plan;
    if (p->phase_start[p->n_phases] == p->n_steps) return 0;
    if (p->n_phases + 2 > b->cap_phases) {
        size_t cap = 2 * b->cap_phases;
        size_t *grown = realloc(p->phase_start, cap * sizeof *grown);
        if (!grown) return -1;
        p->phase_start = grown;
        b->cap_phases = cap;
    }
    p->n_phases++;
    p->phase_start[p->n_phases] = p->n_steps;
    return 0;
}

static int build_sequential(const bank_workload *w, plan_builder *b)
{
    for (size_t c = 0; c < w->n_customers; c++)
        for (size_t e = 0; e < w->customers[c].n_events; e++) {
            add_step(b->plan, c, e);
            if (close_phase(b) != 0) return -1;
        }
    return 0;
}

/* Window r holds each customer's writes between its r-th and (r+1)-th query (window 0: before
 * the first), customers in input order; round r holds every customer's r-th query, together. */
static int build_rounds(const bank_workload *w, plan_builder *b)
{
    size_t *next = calloc(w->n_customers ? w->n_customers : 1, sizeof *next);
    if (!next) return -1;
    int rc = 0;
    for (;;) {
        for (size_t c = 0; c < w->n_customers && rc == 0; c++) {
            const bank_customer *cu = &w->customers[c];
            while (next[c] < cu->n_events && cu->events[next[c]].op != BANK_OP_QUERY) {
                add_step(b->plan, c, next[c]++);
                rc = close_phase(b);
                if (rc != 0) break;
            }
        }
        int any_query = 0;
        for (size_t c = 0; c < w->n_customers && rc == 0; c++) {
            const bank_customer *cu = &w->customers[c];
            if (next[c] < cu->n_events) {
                add_step(b->plan, c, next[c]++);
                any_query = 1;
            }
        }
        if (rc == 0) rc = close_phase(b);
        if (rc != 0 || !any_query) break;
    }
    free(next);
    return rc;
}

int bank_plan_build(const bank_workload *w, bank_schedule s, bank_plan *out)
{
    memset(out, 0, sizeof *out);
    if (s == BANK_SCHEDULE_LIVE) return -1;
    size_t n = bank_workload_event_count(w);
    plan_builder b = {out, 16};
    out->steps = malloc((n ? n : 1) * sizeof *out->steps);
    out->phase_start = calloc(b.cap_phases, sizeof *out->phase_start);
    int rc = -1;
    if (out->steps && out->phase_start)
        rc = s == BANK_SCHEDULE_SEQUENTIAL ? build_sequential(w, &b) : build_rounds(w, &b);
    if (rc != 0) bank_plan_free(out);
    return rc;
}

void bank_plan_free(bank_plan *p)
{
    free(p->steps);
    free(p->phase_start);
    memset(p, 0, sizeof *p);
}
