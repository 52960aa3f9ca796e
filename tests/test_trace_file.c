/* The trace file of `bank run --trace`: each record one JSON line, every field in its place, the
 * reply's quotes, backslashes and control bytes escaped (and nothing else), lines appended. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/trace_file.h"

/* rule: L3 */
Test(trace_file, a_record_is_one_json_line_with_its_reply_escaped)
{
    char path[] = "/tmp/bank-trace-test-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    char err[300];
    bank_trace_file *t = bank_trace_file_open(path, 1, err, sizeof err);
    cr_assert_not_null(t, "%s", err);
    bank_trace_record r = {.t_recv_us = 1700000000000001, .t_reply_us = 1700000000000002, .rpc = "Deposit",
                           .from_branch = 0, .from_id = 7, .to_id = 2, .customer_id = 7, .event_id = 3,
                           .money = 170, .balance = 570, .reply = "success", .clock_sent = 4, .clock = 5};
    bank_trace_file_write(t, &r);
    r = (bank_trace_record){.t_recv_us = 9, .t_reply_us = 10, .rpc = "Propagate_Withdraw", .from_branch = 1,
                            .from_id = 1, .to_id = 3, .customer_id = -1, .event_id = 0, .money = -5, .balance = 0,
                            .reply = "error: \"a b\"\\c\td\n\x1f~", .clock_sent = 0, .clock = 18446744073709551615u};
    bank_trace_file_write(t, &r);
    cr_assert_eq(bank_trace_file_close(t, err, sizeof err), 0, "%s", err);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    char text[2048];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    unlink(path);
    cr_expect_str_eq(text,
                     "{\"t_recv_us\": 1700000000000001, \"t_reply_us\": 1700000000000002, \"from\": \"customer\", "
                     "\"from_id\": 7, \"to_branch\": 2, \"rpc\": \"Deposit\", \"customer\": 7, \"event\": 3, "
                     "\"money\": 170, \"balance\": 570, \"reply\": \"success\", \"clock_sent\": 4, \"clock\": 5}\n"
                     "{\"t_recv_us\": 9, \"t_reply_us\": 10, \"from\": \"branch\", \"from_id\": 1, \"to_branch\": 3, "
                     "\"rpc\": \"Propagate_Withdraw\", \"customer\": -1, \"event\": 0, \"money\": -5, \"balance\": 0, "
                     "\"reply\": \"error: \\\"a b\\\"\\\\c\\u0009d\\u000a\\u001f~\", \"clock_sent\": 0, "
                     "\"clock\": 18446744073709551615}\n");
}

/* Opened with standard input closed, the trace file is descriptor 0, which is as good as any;
 * and a path that cannot be opened says so. */
Test(trace_file, opened_as_descriptor_zero_and_refused)
{
    char path[] = "/tmp/bank-trace-test-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    close(STDIN_FILENO);
    char err[300] = "";
    bank_trace_file *t = bank_trace_file_open(path, 1, err, sizeof err);
    cr_expect_not_null(t, "%s", err);
    cr_expect_eq(bank_trace_file_close(t, err, sizeof err), 0, "%s", err);
    unlink(path);
    t = bank_trace_file_open("/nonexistent/trace.jsonl", 1, err, sizeof err);
    cr_expect_null(t);
    cr_expect_str_eq(err, "/nonexistent/trace.jsonl: cannot open the trace file: No such file or directory");
}
