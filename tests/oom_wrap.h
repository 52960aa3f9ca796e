/* The allocation wrappers of the out-of-memory tests: "the n-th allocation fails", and a count
 * of the blocks alive. A test that includes this links with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,--wrap=strdup,--wrap=strndup
 * (bank_oom_test in tests/CMakeLists.txt), which reroutes the allocations of its own file and of
 * the project's static libraries through the wrappers below (strdup's too: the C library's
 * allocates without calling the wrapped malloc, and its copies are freed through the wrapper); not those of a shared library (Criterion, cJSON:
 * cJSON's reach them through hooks the test installs with cJSON_InitHooks).
 * They count the blocks alive, so a test checks for leaks itself: LeakSanitizer's report from a
 * Criterion worker does not fail the test. */
#ifndef BANK_TESTS_OOM_WRAP_H
#define BANK_TESTS_OOM_WRAP_H

#include <errno.h>
#include <stddef.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

/* volatile: glibc declares malloc and friends leaf functions, which lets an optimising compiler
 * assume a call to them cannot reach this file's statics, and so drop or move the stores that
 * arm a failure around the call (it did, at -O3). The calls do reach them, through the wrappers. */
static volatile long fail_at = -1; /* the allocation (counted from 0 once armed) that fails; -1: none */
static volatile long allocations;
static volatile int failing_on; /* every allocation after the armed one fails too (memory stays short) */
static volatile long alive; /* blocks allocated and not yet freed */

/* A refused allocation says why in errno, as malloc does (a caller may report strerror(errno)). */
static int refuse(void)
{
    if (fail_at < 0) return 0;
    long k = allocations++;
    if (k != fail_at && !(failing_on && k > fail_at)) return 0;
    errno = ENOMEM;
    return 1;
}

static void *counted(void *p)
{
    if (p) alive++;
    return p;
}

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

void *__wrap_malloc(size_t n) { return refuse() ? NULL : counted(__real_malloc(n)); }
void *__wrap_calloc(size_t n, size_t size) { return refuse() ? NULL : counted(__real_calloc(n, size)); }
void *__wrap_realloc(void *p, size_t n)
{
    if (refuse()) return NULL;
    void *q = __real_realloc(p, n);
    if (q && !p) alive++;
    return q;
}
void __wrap_free(void *p)
{
    if (p) alive--;
    __real_free(p);
}
char *__wrap_strdup(const char *s) { return refuse() ? NULL : counted(__real_strdup(s)); }
char *__wrap_strndup(const char *s, size_t n) { return refuse() ? NULL : counted(__real_strndup(s, n)); }

static void arm(long n)
{
    allocations = 0;
    failing_on = 0;
    fail_at = n;
}

/* Allocation n and every one after it fail. */
static inline void arm_from(long n)
{
    arm(n);
    failing_on = 1;
}

/* Disarms; whether the armed failure happened. */
static int disarm(void)
{
    int hit = allocations > fail_at;
    fail_at = -1;
    return hit;
}

/* Allocations between the two never fail (and are not counted against the armed one): for a
 * test's own setup inside an armed run. */
static inline long oom_pause(void)
{
    long armed = fail_at;
    fail_at = -1;
    return armed;
}
static inline void oom_resume(long armed) { fail_at = armed; }

#endif
