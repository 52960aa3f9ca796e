/* Reading a zip (or tar) archive of students' files into memory with libarchive, bounded against
 * zip bombs and refusing paths that leave the archive. Nothing is ever written to disk: members
 * are handed to the caller as bytes. */
#ifndef BANK_GRADE_ARCHIVE_READ_H
#define BANK_GRADE_ARCHIVE_READ_H

#include <stddef.h>
#include <stdint.h>

/* What one reading (an archive and the archives opened inside it) may cost. */
typedef struct {
    uint64_t max_total;    /* bytes inflated in all, archives inside included */
    size_t max_members;    /* members seen in all */
    unsigned max_ratio;    /* a member that inflates past what the caller allowed it with more
                              bytes per compressed byte than this is a zip bomb */
    uint64_t inflated;     /* so far */
    size_t members;        /* so far */
} bank_archive_budget;

#define BANK_ARCHIVE_MAX_TOTAL ((uint64_t)1 << 30) /* 1 GiB */
#define BANK_ARCHIVE_MAX_MEMBERS 100000
#define BANK_ARCHIVE_MAX_RATIO 100

void bank_archive_budget_init(bank_archive_budget *b);

typedef struct {
    void *ctx;
    /* How many bytes of the regular member at path to read: 0 leaves it unread (never inflated). */
    size_t (*want)(void *ctx, const char *path);
    /* The member's bytes (malloc'ed, NUL-terminated, len without the NUL; the callee owns them).
     * A non-zero return stops the reading with the message the callee put in err. */
    int (*take)(void *ctx, const char *path, char *data, size_t len, char *err, size_t errlen);
    /* A member left unread because it holds more than want() allowed (and is no bomb). */
    void (*too_big)(void *ctx, const char *path, size_t limit);
} bank_archive_visitor;

/* Whether name ends like an archive this reader opens (.zip, .tar, .tar.gz, .tgz), any case. */
int bank_archive_name(const char *name);

/* Whether a member path stays inside the archive: relative, no ".." component ('/' and '\\' both
 * separate components). */
int bank_archive_path_safe(const char *path);

/* Reads every regular member of the archive in the file at path (or in buf[0..len) for the
 * _memory form), in archive order. Directories, links and devices are passed over; so are
 * members named under "__MACOSX/". Returns 0, or -1 with one line in err, "SOURCE: ...", ending
 * "; refused" for a refusal: a member whose path leaves the archive, a zip bomb (a member
 * inflating past its allowance more than max_ratio:1, or more than max_total inflated in all),
 * more than max_members members; or an archive libarchive cannot read, or what take() said; or
 * "SOURCE: ...: out of memory" with errno ENOMEM. */
int bank_archive_read_file(const char *path, bank_archive_budget *b, const bank_archive_visitor *v,
                           char *err, size_t errlen);
int bank_archive_read_memory(const void *buf, size_t len, const char *source, bank_archive_budget *b,
                             const bank_archive_visitor *v, char *err, size_t errlen);

#endif
