/* This process's resident memory, from /proc/self/status (Linux). */
#ifndef BANK_RUN_RSS_H
#define BANK_RUN_RSS_H

#include <stdint.h>

/* Resident set now (VmRSS), in KiB; 0 when it cannot be read. */
uint64_t bank_rss_now_kib(void);

/* The highest resident set so far (VmHWM), in KiB; 0 when it cannot be read. */
uint64_t bank_rss_peak_kib(void);

#endif
