/* bank bench's and bank soak's memory figures: this process's resident set read from
 * /proc/self/status, in KiB (VmRSS now, VmHWM its peak). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "run/rss.h"

/* The line of /proc/self/status that starts with key and a colon, as a number of KiB. */
static uint64_t status_kib(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    cr_assert_not_null(f);
    char line[256];
    unsigned long long kib = 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, strlen(key)) == 0 && line[strlen(key)] == ':') sscanf(line + strlen(key) + 1, "%llu", &kib);
    fclose(f);
    return kib;
}

Test(rss, the_resident_set_and_its_peak_are_this_processs_own)
{
    uint64_t before = status_kib("VmRSS"), now = bank_rss_now_kib(), peak = bank_rss_peak_kib();
    uint64_t after = status_kib("VmRSS");
    cr_expect_gt(now, 1000, "a sanitized test process holds more than 1 MB: %llu KiB", (unsigned long long)now);
    /* the same figure as the file gives, give or take the pages touched between the reads */
    cr_expect(now + 1024 >= before && now <= after + 1024, "%llu KiB, the file says %llu then %llu",
              (unsigned long long)now, (unsigned long long)before, (unsigned long long)after);
    cr_expect_geq(peak, now);
    cr_expect_leq(peak, status_kib("VmHWM"));
}
