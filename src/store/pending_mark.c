/* DIR/pending: the highest own write answered PENDING (see pending_mark.h). */
#include "pending_mark.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checksum.h"

enum { SLOT = 32, MAGIC = 0x4e504b42 /* "BKPN" */ };

struct bank_pending_mark {
    int fd;
    int64_t id;
    uint64_t mark;
    uint64_t writes; /* slot writes so far: the next goes to slot writes % 2 */
    char path[4096];
};

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* A slot: magic, a write counter, the branch, the mark, then a checksum of those 24 bytes
 * and the magic. */
static void encode(uint8_t *slot, uint32_t counter, int64_t id, uint64_t mark)
{
    put64(slot, (uint64_t)MAGIC | (uint64_t)counter << 32);
    put64(slot + 8, (uint64_t)id);
    put64(slot + 16, mark);
    put64(slot + 24, bank_checksum(slot, 24));
}

static int decode(const uint8_t *slot, uint32_t *counter, int64_t *id, uint64_t *mark)
{
    if ((uint32_t)get64(slot) != MAGIC || get64(slot + 24) != bank_checksum(slot, 24)) return -1;
    *counter = (uint32_t)(get64(slot) >> 32);
    *id = (int64_t)get64(slot + 8);
    *mark = get64(slot + 16);
    return 0;
}

bank_pending_mark *bank_pending_mark_open(const char *dir, int64_t id, int create, uint64_t *mark,
                                          char *err, size_t errlen)
{
    bank_pending_mark *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(m->path, sizeof m->path, "%s/pending", dir);
    m->id = id;
    m->fd = open(m->path, O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0), 0644);
    uint8_t buf[2 * SLOT];
    ssize_t got = m->fd >= 0 ? pread(m->fd, buf, sizeof buf, 0) : -1;
    if (got < 0) {
        snprintf(err, errlen, "cannot %s %s: %s", create ? "make" : "read", m->path, strerror(errno));
        bank_pending_mark_close(m);
        return NULL;
    }
    if (create) { /* a first record: the file tells that a store was made here */
        uint8_t slot[SLOT];
        encode(slot, 0, id, 0);
        if (pwrite(m->fd, slot, SLOT, 0) != SLOT || fsync(m->fd) != 0) {
            snprintf(err, errlen, "cannot write %s: %s", m->path, strerror(errno ? errno : EIO));
            bank_pending_mark_close(m);
            return NULL;
        }
        got = SLOT;
        memcpy(buf, slot, SLOT);
    }
    int whole = 0;
    uint32_t best_counter = 0;
    for (int s = 0; s < 2 && (s + 1) * SLOT <= got; s++) {
        uint32_t counter;
        int64_t owner;
        uint64_t v;
        if (decode(buf + s * SLOT, &counter, &owner, &v) != 0) continue;
        if (owner != id) {
            snprintf(err, errlen, "%s belongs to branch %lld, not to branch %lld", m->path,
                     (long long)owner, (long long)id);
            bank_pending_mark_close(m);
            return NULL;
        }
        if (!whole || v > m->mark) m->mark = v;
        if (!whole || counter > best_counter) best_counter = counter;
        whole = 1;
    }
    if (got > 0 && !whole) {
        snprintf(err, errlen, "%s is corrupt (neither of its two records is whole): which writes were "
                              "answered pending cannot be told", m->path);
        bank_pending_mark_close(m);
        return NULL;
    }
    m->writes = whole ? (uint64_t)best_counter + 1 : 0;
    *mark = m->mark;
    return m;
}

int bank_pending_mark_set(bank_pending_mark *m, uint64_t mark, int to_disk, char *err, size_t errlen)
{
    if (mark <= m->mark) return 0;
    uint8_t slot[SLOT];
    encode(slot, (uint32_t)m->writes, m->id, mark);
    off_t at = (off_t)(m->writes % 2) * SLOT;
    if (pwrite(m->fd, slot, SLOT, at) != SLOT || (to_disk && fdatasync(m->fd) != 0)) {
        snprintf(err, errlen, "cannot write %s: %s", m->path, strerror(errno ? errno : EIO));
        return -1;
    }
    m->writes++;
    m->mark = mark;
    return 0;
}

uint64_t bank_pending_mark_get(const bank_pending_mark *m) { return m->mark; }

void bank_pending_mark_close(bank_pending_mark *m)
{
    if (!m) return;
    if (m->fd >= 0) close(m->fd);
    free(m);
}
