/* Fault specs parsed, and the dice a branch rolls them with (see faults.h). */
#include "faults.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/workload_gen.h"

static int parse_number(const char *s, size_t n, unsigned max, unsigned *out)
{
    if (n == 0 || n > 9) return -1;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > max) return -1;
    *out = v;
    return 0;
}

int bank_faults_parse(const char *spec, bank_faults *out, char *err, size_t errlen)
{
    bank_faults f = {0};
    if (!spec || !*spec || strcmp(spec, "none") == 0) {
        *out = f;
        return 0;
    }
    for (const char *at = spec; *at;) {
        const char *end = strchr(at, ',');
        size_t len = end ? (size_t)(end - at) : strlen(at);
        const char *eq = memchr(at, '=', len);
        if (!eq) {
            snprintf(err, errlen, "--faults: \"%.*s\" is not NAME=PERCENT", (int)len, at);
            return -1;
        }
        size_t name_len = (size_t)(eq - at);
        const char *value = eq + 1;
        size_t value_len = len - name_len - 1;
        const char *colon = memchr(value, ':', value_len);
        size_t pct_len = colon ? (size_t)(colon - value) : value_len;
        unsigned pct, ms = 100;
        if (parse_number(value, pct_len, 100, &pct) != 0 ||
            (colon && parse_number(colon + 1, value_len - pct_len - 1, 60000, &ms) != 0)) {
            snprintf(err, errlen, "--faults: \"%.*s\": a percentage 0-100, then optionally :MS up to 60000",
                     (int)len, at);
            return -1;
        }
        int delayed = 0;
        if (name_len == 4 && memcmp(at, "drop", 4) == 0) f.drop_pct = pct;
        else if (name_len == 3 && memcmp(at, "dup", 3) == 0) f.dup_pct = pct;
        else if (name_len == 5 && memcmp(at, "delay", 5) == 0) {
            f.delay_pct = pct;
            f.delay_max_ms = ms;
            delayed = 1;
        } else if (name_len == 11 && memcmp(at, "reply-delay", 11) == 0) {
            f.reply_delay_pct = pct;
            f.reply_delay_max_ms = ms;
            delayed = 1;
        } else {
            snprintf(err, errlen, "--faults: unknown fault \"%.*s\" (drop, dup, delay, reply-delay)",
                     (int)name_len, at);
            return -1;
        }
        if (colon && !delayed) {
            snprintf(err, errlen, "--faults: \"%.*s\": only delay and reply-delay take :MS", (int)len, at);
            return -1;
        }
        at += len;
        if (*at == ',') at++;
    }
    *out = f;
    return 0;
}

int bank_faults_any(const bank_faults *f)
{
    return f->drop_pct || f->dup_pct || f->delay_pct || f->reply_delay_pct;
}

void bank_fault_dice_init(bank_fault_dice *d, const bank_faults *spec, int64_t branch_id)
{
    *d = (bank_fault_dice){0};
    pthread_mutex_init(&d->lock, NULL);
    if (!spec || !bank_faults_any(spec)) return;
    d->spec = *spec;
    d->on = 1;
    d->rng = spec->seed ^ ((uint64_t)branch_id * 0x9e3779b97f4a7c15ull);
}

void bank_fault_dice_destroy(bank_fault_dice *d) { pthread_mutex_destroy(&d->lock); }

int bank_fault_hits(bank_fault_dice *d, unsigned pct)
{
    if (!d->on || pct == 0) return 0;
    pthread_mutex_lock(&d->lock);
    int hit = bank_rng_below(&d->rng, 100) < pct;
    pthread_mutex_unlock(&d->lock);
    return hit;
}

int bank_fault_delay_ms(bank_fault_dice *d, unsigned max_ms)
{
    pthread_mutex_lock(&d->lock);
    int ms = 1 + (int)bank_rng_below(&d->rng, max_ms ? max_ms : 1);
    pthread_mutex_unlock(&d->lock);
    return ms;
}
