/* Writes Project 2's three parts in the course's spelling (see p2_output.h). */
#include "p2_output.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

const char *const bank_p2_part_name[BANK_P2_PARTS] = {"customer_events", "branch_events", "all_events"};

void bank_p2_interface(const bank_workload *w, const bank_clock_event *e, char *buf, size_t n)
{
    const char *op = bank_op_name(w->customers[e->entry].events[e->event].op);
    int branch_to_branch = e->kind == BANK_CLOCK_BRANCH_SENT || e->kind == BANK_CLOCK_BRANCH_RECV;
    snprintf(buf, n, "%s%s", branch_to_branch ? "propagate_" : "", op);
}

void bank_p2_comment(const bank_clock_event *e, char *buf, size_t n)
{
    switch (e->kind) {
    case BANK_CLOCK_CUSTOMER_SENT: snprintf(buf, n, "event_sent from customer %" PRId64, e->process); return;
    case BANK_CLOCK_CUSTOMER_RECV: snprintf(buf, n, "event_recv from customer %" PRId64, e->peer); return;
    case BANK_CLOCK_BRANCH_SENT: snprintf(buf, n, "event_sent to branch %" PRId64, e->peer); return;
    case BANK_CLOCK_BRANCH_RECV: snprintf(buf, n, "event_recv from branch %" PRId64, e->peer); return;
    }
    buf[0] = '\0';
}

void bank_p2_describe(const bank_workload *w, const bank_clock_event *e, char *buf, size_t n)
{
    char interface[64], comment[96];
    bank_p2_interface(w, e, interface, sizeof interface);
    bank_p2_comment(e, comment, sizeof comment);
    snprintf(buf, n, "%s %" PRId64 ": request %" PRId64 " %s, %s",
             e->kind == BANK_CLOCK_CUSTOMER_SENT ? "customer" : "branch", e->process,
             w->customers[e->entry].events[e->event].id, interface, comment);
}

/* The object of one event: in a process's list, or (flat) in the list of every event. */
static void write_event(FILE *f, const bank_workload *w, const bank_clock_event *e, int flat)
{
    char interface[64], comment[96];
    bank_p2_interface(w, e, interface, sizeof interface);
    bank_p2_comment(e, comment, sizeof comment);
    int64_t request = w->customers[e->entry].events[e->event].id;
    if (flat)
        fprintf(f, "{\"id\": %" PRId64 ", \"customer-request-id\": %" PRId64 ", \"type\": \"%s\", ",
                e->process, request, e->kind == BANK_CLOCK_CUSTOMER_SENT ? "customer" : "branch");
    else
        fprintf(f, "{\"customer-request-id\": %" PRId64 ", ", request);
    fprintf(f, "\"logical_clock\": %" PRIu64 ", \"interface\": \"%s\", \"comment\": \"%s\"}", e->clock,
            interface, comment);
}

/* An array item's start: on its own line, indented, after a comma unless it is the first. */
static void item(FILE *f, const char *ind, size_t k)
{
    fprintf(f, "%s\n%s  ", k ? "," : "", ind);
}

static void close_array(FILE *f, const char *ind, size_t items)
{
    if (items) fprintf(f, "\n%s]", ind);
    else fputc(']', f);
}

/* {"id", "type", "events": [...]} with the events at order[0..n) of ev. */
static void write_process(FILE *f, const bank_workload *w, const char *ind, int64_t id, const char *type,
                          const bank_clock_event *ev, const size_t *order, size_t n)
{
    fprintf(f, "{\n%s    \"id\": %" PRId64 ",\n%s    \"type\": \"%s\",\n%s    \"events\": [", ind, id, ind,
            type, ind);
    char inner[64];
    snprintf(inner, sizeof inner, "%s    ", ind);
    for (size_t k = 0; k < n; k++) {
        item(f, inner, k);
        write_event(f, w, &ev[order[k]], 0);
    }
    close_array(f, inner, n);
    fprintf(f, "\n%s  }", ind);
}

typedef struct {
    size_t group;  /* a branch's place in the input, or a request's first event */
    uint64_t clock;
    int kind;
    int64_t process;
    size_t index;
} sort_key;

static int by_key(const void *a, const void *b)
{
    const sort_key *x = a, *y = b;
    if (x->group != y->group) return x->group < y->group ? -1 : 1;
    if (x->clock != y->clock) return x->clock < y->clock ? -1 : 1;
    if (x->kind != y->kind) return x->kind - y->kind;
    if (x->process != y->process) return x->process < y->process ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* Customers: entries in input order, each request in order. Branches: in input order, each
 * branch's events in clock order. Every event: request by request, each request's events in
 * clock order (a customer's before a branch's, a lower branch id first, at one clock). */
static int write_part(FILE *f, const bank_workload *w, const bank_clock_log *ev, bank_p2_part part,
                      const char *ind)
{
    sort_key *keys = malloc((ev->n ? ev->n : 1) * sizeof *keys);
    size_t *order = malloc((ev->n ? ev->n : 1) * sizeof *order);
    if (!keys || !order) {
        free(keys);
        free(order);
        return -1;
    }
    size_t n = 0, group = 0;
    for (size_t i = 0; i < ev->n; i++) {
        const bank_clock_event *e = &ev->items[i];
        if (e->kind == BANK_CLOCK_CUSTOMER_SENT) group = i;
        int customer = e->kind == BANK_CLOCK_CUSTOMER_SENT;
        if (part == BANK_P2_CUSTOMER_EVENTS && !customer) continue;
        if (part == BANK_P2_BRANCH_EVENTS && customer) continue;
        size_t g = part == BANK_P2_CUSTOMER_EVENTS ? e->entry
                   : part == BANK_P2_BRANCH_EVENTS ? bank_workload_branch_index(w, e->process)
                                                   : group;
        uint64_t clock = part == BANK_P2_CUSTOMER_EVENTS ? (uint64_t)e->event : e->clock;
        keys[n++] = (sort_key){g, clock, (int)e->kind, e->process, i};
    }
    qsort(keys, n, sizeof *keys, by_key);
    for (size_t k = 0; k < n; k++) order[k] = keys[k].index;
    char inner[64];
    snprintf(inner, sizeof inner, "%s  ", ind);
    fputc('[', f);
    size_t items = 0;
    if (part == BANK_P2_ALL_EVENTS) {
        for (size_t k = 0; k < n; k++, items++) {
            item(f, ind, k);
            write_event(f, w, &ev->items[order[k]], 1);
        }
    } else {
        size_t groups = part == BANK_P2_CUSTOMER_EVENTS ? w->n_customers : w->n_branches, k = 0;
        for (size_t g = 0; g < groups; g++, items++) {
            size_t from = k;
            while (k < n && keys[k].group == g) k++;
            item(f, ind, g);
            if (part == BANK_P2_CUSTOMER_EVENTS)
                write_process(f, w, ind, w->customers[g].id, "customer", ev->items, order + from, k - from);
            else
                write_process(f, w, ind, w->branches[g].id, "branch", ev->items, order + from, k - from);
        }
    }
    close_array(f, ind, items);
    free(keys);
    free(order);
    return ferror(f) ? -1 : 0;
}

int bank_p2_write_part(FILE *f, const bank_workload *w, const bank_clock_log *ev, bank_p2_part part)
{
    if (write_part(f, w, ev, part, "") != 0) return -1;
    fputc('\n', f);
    return ferror(f) ? -1 : 0;
}

int bank_p2_write_object(FILE *f, const bank_workload *w, const bank_clock_log *ev)
{
    fputc('{', f);
    for (int p = 0; p < BANK_P2_PARTS; p++) {
        fprintf(f, "%s\n  \"%s\": ", p ? "," : "", bank_p2_part_name[p]);
        if (write_part(f, w, ev, (bank_p2_part)p, "  ") != 0) return -1;
    }
    fputs("\n}\n", f);
    return ferror(f) ? -1 : 0;
}
