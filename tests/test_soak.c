/* bank soak's verdicts and summary, byte for byte, from results made by hand (flat, grown,
 * undecided; with and without a data dir); its flatness rule at its boundaries; and one-
 * repetition soaks' figures and lines (in memory, on disk, and with branches that cannot start). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run/soak.h"

static char *summary(const bank_soak_config *cfg, const bank_soak_result *r)
{
    static char text[8192];
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    bank_soak_print_summary(f, cfg, r);
    rewind(f);
    text[fread(text, 1, sizeof text - 1, f)] = '\0';
    fclose(f);
    return text;
}

Test(soak, the_flatness_rule_at_its_boundaries)
{
    cr_expect_eq(bank_soak_flat(0, 100, 100, 100, 1), -1);
    cr_expect_eq(bank_soak_flat(1, 100, 100, 100, 1), -1);
    /* the share of the settled figure, when larger than the allowance */
    size_t share = 1000 * BANK_SOAK_FLAT_PERCENT / 100;
    cr_expect_eq(bank_soak_flat(2, 1000, 1, 1000 + share, 0), 1);
    cr_expect_eq(bank_soak_flat(2, 1000, 1, 1000 + share + 1, 0), 0);
    /* the allowance, when larger than the share */
    cr_expect_eq(bank_soak_flat(3, 1000, 1, 1000 + share + 5, share + 5), 1);
    cr_expect_eq(bank_soak_flat(3, 1000, 1, 1000 + share + 6, share + 5), 0);
    /* nothing settled: measured from the first */
    cr_expect_eq(bank_soak_flat(2, 0, 2000, 2000 + 2 * share, 0), 1);
    cr_expect_eq(bank_soak_flat(2, 0, 2000, 2000 + 2 * share + 1, 0), 0);
    cr_expect_eq(bank_soak_flat(2, 0, 0, 7, 7), 1);
    cr_expect_eq(bank_soak_flat(2, 0, 0, 8, 7), 0);
}

Test(soak, the_summary_line_by_line)
{
    bank_soak_config cfg = {.branches = 4, .customers = 3, .events = 20, .seconds = 60};
    bank_soak_result r = {.seconds = 12.5, .repetitions = 5, .failed = 2, .operations = 1000,
                          .rss_first_kib = 10240, .rss_last_kib = 11264, .rss_max_after_kib = 12288,
                          .rss_settled_kib = 10752, .rss_peak_kib = 20480};
    char want[4096];
    snprintf(want, sizeof want,
             "soak summary: 12.5 s, 5 repetitions of 4 branches x 3 customers x 20 events (live), 2 failed\n"
             "  operations answered 1000 (80 ops/s overall), errors 2\n"
             "  rss after the first repetition 10.0 MB, largest after one of the first half 10.5 MB, after the last "
             "11.0 MB, largest after one 12.0 MB, peak 20.0 MB\n"
             "  memory stayed flat (flat: after the last repetition at most max(%d%% of it, %d MB) above the largest "
             "after one of the first half)\n",
             BANK_SOAK_FLAT_PERCENT, BANK_SOAK_FLAT_MIB);
    cr_expect_str_eq(summary(&cfg, &r), want);

    /* grown memory and disk; the logs flat within a batch of writes per branch; no time: no rate */
    cfg.data_dir = "/tmp/soak";
    r.seconds = 0;
    r.rss_last_kib = r.rss_settled_kib + BANK_SOAK_FLAT_MIB * 1024u + r.rss_settled_kib * BANK_SOAK_FLAT_PERCENT / 100 + 1;
    r.log_first = 100, r.log_settled = 120, r.log_last = 120 + 64 * 4, r.log_max = 400;
    r.disk_first = 1024, r.disk_settled = 2048, r.disk_last = 2048 + BANK_SOAK_FLAT_MIB * 1024u + 1024, r.disk_max = 1 << 20;
    char mem[64];
    snprintf(mem, sizeof mem, "%.1f", (double)r.rss_last_kib / 1024.0);
    char disk_last[64];
    snprintf(disk_last, sizeof disk_last, "%.1f", (double)r.disk_last / 1024.0);
    snprintf(want, sizeof want,
             "soak summary: 0.0 s, 5 repetitions of 4 branches x 3 customers x 20 events (live), 2 failed\n"
             "  operations answered 1000 (0 ops/s overall), errors 2\n"
             "  rss after the first repetition 10.0 MB, largest after one of the first half 10.5 MB, after the last "
             "%s MB, largest after one 12.0 MB, peak 20.0 MB\n"
             "  memory GREW (flat: after the last repetition at most max(%d%% of it, %d MB) above the largest "
             "after one of the first half)\n"
             "  logs (all branches) after the first repetition 100 writes, largest after one of the first half 120, "
             "after the last 376, largest after one 400: stayed flat\n"
             "  data dirs after the first repetition 1.0 MB, largest after one of the first half 2.0 MB, after the "
             "last %s MB, largest after one 1024.0 MB: GREW\n",
             mem, BANK_SOAK_FLAT_PERCENT, BANK_SOAK_FLAT_MIB, disk_last);
    cr_expect_str_eq(summary(&cfg, &r), want);

    /* one more write per branch: the logs grew; one repetition: every verdict undecided */
    r.log_last++;
    cr_expect(strstr(summary(&cfg, &r), "after the last 377, largest after one 400: GREW\n"));
    r.repetitions = 1;
    char *text = summary(&cfg, &r);
    cr_expect(strstr(text, "  memory undecided: one repetition (flat:"), "%s", text);
    cr_expect(strstr(text, "largest after one 400: undecided\n"), "%s", text);
    cr_expect(strstr(text, "largest after one 1024.0 MB: undecided\n"), "%s", text);
}

static char *soak(const bank_soak_config *cfg, bank_soak_result *r, int *rc)
{
    static char text[16384];
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    *rc = bank_soak_run(cfg, f, r);
    rewind(f);
    text[fread(text, 1, sizeof text - 1, f)] = '\0';
    fclose(f);
    return text;
}

/* No time to spend: one repetition, every answer counted, its memory taken. */
Test(soak, one_repetition_in_memory)
{
    bank_soak_config cfg = {.branches = 2, .customers = 3, .events = 4, .seconds = 0, .every_s = 60, .seed = 9,
                            .deadline_ms = 10000, .server_threads = 1};
    bank_soak_result r;
    int rc;
    char *text = soak(&cfg, &r, &rc);
    cr_expect_eq(rc, 0, "%s", text);
    cr_expect_str_eq(text, "soak: 2 branches, 3 customers x 4 events, live, for 0 s; a sample every 60 s\n");
    cr_expect_eq(r.repetitions, 1);
    cr_expect_eq(r.failed, 0);
    cr_expect_eq(r.operations, 12);
    cr_expect(r.rss_first_kib > 0 && r.rss_first_kib == r.rss_last_kib && r.rss_last_kib == r.rss_max_after_kib);
    cr_expect_eq(r.rss_settled_kib, r.rss_first_kib, "the first half of one repetition is that one");
    cr_expect(r.rss_peak_kib >= r.rss_max_after_kib);
    cr_expect(r.seconds > 0);
    cr_expect(r.log_first == 0 && r.log_last == 0 && r.disk_first == 0 && r.disk_max == 0);
}

/* With a data dir: the branches' logs and files after the repetition; then the same dir again:
 * the branches cannot start, the soak says why and fails. */
Test(soak, one_repetition_on_disk_then_a_dir_already_used)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/bank-soak-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char data[128];
    snprintf(data, sizeof data, "%s/data", dir);
    bank_soak_config cfg = {.branches = 2, .customers = 2, .events = 3, .seconds = 0, .every_s = 60, .seed = 9,
                            .deadline_ms = 10000, .server_threads = 1, .data_dir = data};
    bank_soak_result r;
    int rc;
    char *text = soak(&cfg, &r, &rc);
    cr_expect_eq(rc, 0, "%s", text);
    char want[1024];
    snprintf(want, sizeof want,
             "soak: 2 branches, 2 customers x 3 events, live, for 0 s; a sample every 60 s; one set of branches "
             "with their state in %s\n",
             data);
    cr_expect_str_eq(text, want);
    cr_expect_eq(r.repetitions, 1);
    cr_expect_eq(r.operations, 6);
    cr_expect(r.disk_first > 0 && r.disk_first == r.disk_last && r.disk_last == r.disk_max &&
                  r.disk_settled == r.disk_first,
              "disk %llu %llu %llu %llu", (unsigned long long)r.disk_first, (unsigned long long)r.disk_settled,
              (unsigned long long)r.disk_last, (unsigned long long)r.disk_max);
    cr_expect(r.log_first <= 2 * 6, "at most every write on both branches' logs: %llu", (unsigned long long)r.log_first);
    cr_expect(r.log_first == r.log_last && r.log_last == r.log_max && r.log_settled == r.log_first,
              "log %llu %llu %llu %llu", (unsigned long long)r.log_first, (unsigned long long)r.log_settled,
              (unsigned long long)r.log_last, (unsigned long long)r.log_max);

    text = soak(&cfg, &r, &rc);
    cr_expect_eq(rc, -1);
    snprintf(want, sizeof want,
             "soak: 2 branches, 2 customers x 3 events, live, for 0 s; a sample every 60 s; one set of branches "
             "with their state in %s\n"
             "soak: the branches did not start: --data-dir: %s/branch-1 is there already (a run starts from the "
             "input's balances: give a new or empty directory)\n",
             data, data);
    cr_expect_str_eq(text, want);
    cr_expect_eq(r.repetitions, 0);
    cr_expect_eq(r.failed, 1);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
}
