#include "trace_file.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct bank_trace_file {
    int fd;
    int failed; /* a write failed; reported at close */
    int error;  /* its errno */
    char path[512];
};

bank_trace_file *bank_trace_file_open(const char *path, int truncate, char *err, size_t errlen)
{
    bank_trace_file *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(t->path, sizeof t->path, "%s", path);
    t->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0644);
    if (t->fd < 0) {
        snprintf(err, errlen, "%s: cannot open the trace file: %s", path, strerror(errno));
        free(t);
        return NULL;
    }
    return t;
}

/* s as a JSON string body: quotes, backslashes and control bytes escaped. */
static size_t json_escape(char *out, size_t cap, const char *s)
{
    size_t o = 0;
    for (; *s && o + 7 < cap; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            out[o++] = '\\';
            out[o++] = (char)ch;
        } else if (ch < 0x20) {
            o += (size_t)snprintf(out + o, cap - o, "\\u%04x", ch);
        } else {
            out[o++] = (char)ch;
        }
    }
    out[o] = '\0';
    return o;
}

/* One line, written with one write() so lines from several threads or processes never mix. */
void bank_trace_file_write(void *ctx, const bank_trace_record *r)
{
    bank_trace_file *t = ctx;
    char reply[600], line[1024];
    json_escape(reply, sizeof reply, r->reply);
    int n = snprintf(line, sizeof line,
                     "{\"t_recv_us\": %" PRId64 ", \"t_reply_us\": %" PRId64 ", \"from\": \"%s\", "
                     "\"from_id\": %" PRId64 ", \"to_branch\": %" PRId64 ", \"rpc\": \"%s\", "
                     "\"customer\": %" PRId64 ", \"event\": %" PRId64 ", \"money\": %" PRId64 ", "
                     "\"balance\": %" PRId64 ", \"reply\": \"%s\", \"clock_sent\": %" PRIu64 ", "
                     "\"clock\": %" PRIu64 "}\n",
                     r->t_recv_us, r->t_reply_us, r->from_branch ? "branch" : "customer", r->from_id,
                     r->to_id, r->rpc, r->customer_id, r->event_id, r->money, r->balance, reply,
                     r->clock_sent, r->clock);
    if (n < 0 || (size_t)n >= sizeof line) { /* cannot happen: the reply is bounded above */
        t->failed = 1;
        t->error = EOVERFLOW;
        return;
    }
    if (write(t->fd, line, (size_t)n) != n) {
        t->failed = 1;
        t->error = errno;
    }
}

int bank_trace_file_close(bank_trace_file *t, char *err, size_t errlen)
{
    if (!t) return 0;
    int rc = 0;
    if (close(t->fd) != 0 && !t->failed) {
        t->failed = 1;
        t->error = errno;
    }
    if (t->failed) {
        snprintf(err, errlen, "%s: some trace lines were not written: %s", t->path, strerror(t->error));
        rc = -1;
    }
    free(t);
    return rc;
}
