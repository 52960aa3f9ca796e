#include "rss.h"

#include <stdio.h>
#include <string.h>

static uint64_t status_kib(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return 0;
    char line[256];
    size_t klen = strlen(key);
    unsigned long long kib = 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            if (sscanf(line + klen + 1, "%llu", &kib) != 1) kib = 0;
            break;
        }
    fclose(f);
    return (uint64_t)kib;
}

uint64_t bank_rss_now_kib(void) { return status_kib("VmRSS"); }

uint64_t bank_rss_peak_kib(void) { return status_kib("VmHWM"); }
