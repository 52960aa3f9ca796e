#include "claim_greedy.h"

#include <stdlib.h>

typedef struct {
    const bank_workload *w;
    bank_claim *const *claims;
    const uint8_t *const *honour;
    size_t *pos;
    uint32_t *alive;
    size_t n_alive;
    int64_t net;
    bank_step *order;
    size_t n_order;
    /* the nets the queries at the heads of the entries wait for: a count per net */
    int64_t *key;
    uint32_t *count;
    uint64_t *gen, now; /* 64-bit: a generation never wraps, so nothing clears gen */
    size_t cap;
} greedy;

static int sign(int64_t x) { return (x > 0) - (x < 0); }

static int64_t base_of(const greedy *g, size_t c) { return g->w->branches[g->w->customers[c].branch_index].balance; }

static size_t slot(const greedy *g, int64_t v)
{
    size_t h = (size_t)(((uint64_t)v * 0x9E3779B97F4A7C15ull) >> 17) & (g->cap - 1);
    while (g->gen[h] == g->now && g->key[h] != v) h = (h + 1) & (g->cap - 1);
    return h;
}

static uint32_t waiting(const greedy *g, int64_t v)
{
    size_t h = slot(g, v);
    return g->gen[h] == g->now ? g->count[h] : 0;
}

/* The net the claim of (c, e) waits for, when it is an honoured query. */
static int target(const greedy *g, size_t c, size_t e, int64_t *t)
{
    if (e >= g->w->customers[c].n_events || g->w->customers[c].events[e].op != BANK_OP_QUERY || !g->honour[c][e])
        return 0;
    return !__builtin_sub_overflow(g->claims[c][e].balance, base_of(g, c), t);
}

/* Runs the head event of entry c as the rules say; 0, or -1 when the net would overflow. */
static int take(greedy *g, size_t c)
{
    const bank_event *ev = &g->w->customers[c].events[g->pos[c]];
    int64_t bal = base_of(g, c) + g->net;
    if (ev->op == BANK_OP_DEPOSIT && __builtin_add_overflow(g->net, ev->money, &g->net)) return -1;
    if (ev->op == BANK_OP_WITHDRAW && bal >= ev->money) g->net -= ev->money;
    g->order[g->n_order++] = (bank_step){c, g->pos[c]++};
    return 0;
}

/* Takes every head event that changes nothing and honours its claim: a query reading what it
 * claims, a withdrawal that fails as claimed. One pass: these leave the net as it is. */
static int settle(greedy *g)
{
    for (size_t i = g->n_alive; i-- > 0;) {
        size_t c = g->alive[i];
        for (;;) {
            const bank_customer *cu = &g->w->customers[c];
            if (g->pos[c] == cu->n_events) {
                g->alive[i] = g->alive[--g->n_alive];
                break;
            }
            size_t e = g->pos[c];
            const bank_event *ev = &cu->events[e];
            const bank_claim *cl = &g->claims[c][e];
            int64_t bal = base_of(g, c) + g->net;
            int free_query = ev->op == BANK_OP_QUERY && (!g->honour[c][e] || cl->balance == bal);
            int free_fail = ev->op == BANK_OP_WITHDRAW && bal < ev->money && (!g->honour[c][e] || !cl->success);
            if (!free_query && !free_fail) break;
            if (take(g, c) != 0) return -1;
        }
    }
    return 0;
}

/* The next write to run: the one after which the most waiting queries read what they claim, then
 * the one whose own next query it brings nearer, then the one toward where the waiting queries
 * are. SIZE_MAX when every head is a query or a withdrawal that cannot go as claimed. */
static size_t choose(greedy *g)
{
    g->now++;
    int64_t pull = 0;
    for (size_t i = 0; i < g->n_alive; i++) {
        int64_t t;
        size_t c = g->alive[i];
        if (!target(g, c, g->pos[c], &t)) continue;
        size_t h = slot(g, t);
        if (g->gen[h] != g->now) {
            g->gen[h] = g->now;
            g->key[h] = t;
            g->count[h] = 0;
        }
        g->count[h]++;
        pull += sign(t - g->net);
    }
    size_t best = SIZE_MAX;
    int64_t best_score = 0;
    for (size_t i = 0; i < g->n_alive; i++) {
        size_t c = g->alive[i], e = g->pos[c];
        const bank_event *ev = &g->w->customers[c].events[e];
        int64_t bal = base_of(g, c) + g->net, d, after, t;
        if (ev->op == BANK_OP_QUERY) continue;
        if (ev->op == BANK_OP_WITHDRAW && (bal < ev->money || (g->honour[c][e] && !g->claims[c][e].success))) continue;
        d = ev->op == BANK_OP_DEPOSIT ? ev->money : -ev->money;
        if (__builtin_add_overflow(g->net, d, &after)) continue;
        int64_t score = 100 * (int64_t)waiting(g, after) + sign(pull) * sign(d);
        if (target(g, c, e + 1, &t)) score += t == after ? 50 : 5 * sign(t - g->net) * sign(d);
        if (best == SIZE_MAX || score > best_score || (score == best_score && c < best)) {
            best = c;
            best_score = score;
        }
    }
    return best;
}

/* Every head waits for what it cannot have now: the one waiting furthest gives way (its answer
 * goes unhonoured, or its withdrawal runs as the balance says). */
static size_t give_way(const greedy *g)
{
    size_t worst = g->alive[0];
    int64_t far = -1, t;
    for (size_t i = 0; i < g->n_alive; i++) {
        size_t c = g->alive[i];
        int64_t dist = target(g, c, g->pos[c], &t) ? (t > g->net ? t - g->net : g->net - t) : 0;
        if (dist > far || (dist == far && c < worst)) {
            far = dist;
            worst = c;
        }
    }
    return worst;
}

int bank_greedy_order(const bank_workload *w, bank_claim *const *claims, const uint8_t *const *honour,
                      bank_step **order, size_t *n_order)
{
    size_t C = w->n_customers, total = bank_workload_event_count(w);
    greedy g = {.w = w, .claims = claims, .honour = honour};
    for (g.cap = 64; g.cap < 2 * C; g.cap *= 2) {}
    g.pos = calloc(C ? C : 1, sizeof *g.pos);
    g.alive = malloc((C ? C : 1) * sizeof *g.alive);
    g.order = malloc((total ? total : 1) * sizeof *g.order);
    g.key = malloc(g.cap * sizeof *g.key);
    g.count = malloc(g.cap * sizeof *g.count);
    g.gen = calloc(g.cap, sizeof *g.gen);
    int rc = g.pos && g.alive && g.order && g.key && g.count && g.gen ? 0 : -1;
    for (size_t c = 0; rc == 0 && c < C; c++) g.alive[g.n_alive++] = (uint32_t)c;
    while (rc == 0) {
        if (settle(&g) != 0) rc = 1;
        if (rc != 0 || g.n_alive == 0) break;
        size_t c = choose(&g);
        if (take(&g, c != SIZE_MAX ? c : give_way(&g)) != 0) rc = 1;
    }
    free(g.pos);
    free(g.alive);
    free(g.key);
    free(g.count);
    free(g.gen);
    if (rc != 0) {
        free(g.order);
        return rc;
    }
    *order = g.order;
    *n_order = g.n_order;
    return 0;
}
