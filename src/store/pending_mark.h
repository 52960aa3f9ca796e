/* DIR/pending: the highest sequence of a branch's own writes it has answered PENDING, kept apart
 * from branch.db so that damage to one cannot hide from the other. A write answered PENDING
 * may be on this branch's disk alone; if the log loses it, this file says it was promised, and
 * the branch refuses to start rather than forget it (unless a peer still has it). Two slots,
 * written in turn and each checksummed, so a torn write leaves the other slot whole. */
#ifndef BANK_STORE_PENDING_MARK_H
#define BANK_STORE_PENDING_MARK_H

#include <stddef.h>
#include <stdint.h>

typedef struct bank_pending_mark bank_pending_mark;

/* Opens DIR/pending for branch id (create: makes it, with the mark 0, synced); *mark is what it
 * says. NULL with err when it cannot be opened or made, or holds data and neither slot is whole
 * or for this branch. */
bank_pending_mark *bank_pending_mark_open(const char *dir, int64_t id, int create, uint64_t *mark,
                                          char *err, size_t errlen);

/* Records mark (when above what is recorded) and syncs it to the disk when to_disk. 0, or -1
 * with err. */
int bank_pending_mark_set(bank_pending_mark *m, uint64_t mark, int to_disk, char *err, size_t errlen);

uint64_t bank_pending_mark_get(const bank_pending_mark *m);

void bank_pending_mark_close(bank_pending_mark *m);

#endif
