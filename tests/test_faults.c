/* The --faults SPEC of a chaos run (rpc/faults.h): every field a spec sets, the one line a bad
 * spec gets, and the dice a branch rolls them with (off, always, never, its own stream). */
#include <criterion/criterion.h>
#include <string.h>

#include "rpc/faults.h"

static void parses(const char *spec, bank_faults want)
{
    bank_faults got;
    memset(&got, 0xff, sizeof got);
    char err[200] = "";
    cr_assert_eq(bank_faults_parse(spec, &got, err, sizeof err), 0, "%s: %s", spec ? spec : "(null)", err);
    cr_expect_eq(got.drop_pct, want.drop_pct, "%s: drop", spec);
    cr_expect_eq(got.dup_pct, want.dup_pct, "%s: dup", spec);
    cr_expect_eq(got.delay_pct, want.delay_pct, "%s: delay", spec);
    cr_expect_eq(got.delay_max_ms, want.delay_max_ms, "%s: delay's ms", spec);
    cr_expect_eq(got.reply_delay_pct, want.reply_delay_pct, "%s: reply-delay", spec);
    cr_expect_eq(got.reply_delay_max_ms, want.reply_delay_max_ms, "%s: reply-delay's ms", spec);
    cr_expect_eq(got.seed, 0, "%s: the seed is --seed's, not the spec's", spec);
    cr_expect_eq(bank_faults_any(&got), want.drop_pct || want.dup_pct || want.delay_pct || want.reply_delay_pct,
                 "%s: any", spec);
}

static void refused(const char *spec, const char *line)
{
    bank_faults got = {.drop_pct = 7};
    char err[200] = "";
    cr_expect_eq(bank_faults_parse(spec, &got, err, sizeof err), -1, "%s is refused", spec);
    cr_expect_str_eq(err, line, "%s", spec);
    cr_expect_eq(got.drop_pct, 7, "%s: the output is left as it was", spec);
}

/* rule: P10; the spec's every field, defaults (100 ms) where :MS is left out, nothing for none */
Test(faults, a_spec_sets_every_fault_it_names_and_nothing_else)
{
    parses(NULL, (bank_faults){0});
    parses("", (bank_faults){0});
    parses("none", (bank_faults){0});
    parses("drop=0", (bank_faults){0});
    parses("drop=15", (bank_faults){.drop_pct = 15});
    parses("dup=100", (bank_faults){.dup_pct = 100});
    parses("delay=25", (bank_faults){.delay_pct = 25, .delay_max_ms = 100});
    parses("reply-delay=9:60000", (bank_faults){.reply_delay_pct = 9, .reply_delay_max_ms = 60000});
}

/* rule: P10 */
Test(faults, every_fault_of_a_list_is_read_in_turn)
{
    parses("drop=15,dup=14,delay=25:30,reply-delay=13:2048",
           (bank_faults){.drop_pct = 15, .dup_pct = 14, .delay_pct = 25, .delay_max_ms = 30,
                         .reply_delay_pct = 13, .reply_delay_max_ms = 2048});
    parses("reply-delay=1,delay=2:7,", (bank_faults){.delay_pct = 2, .delay_max_ms = 7, .reply_delay_pct = 1,
                                                      .reply_delay_max_ms = 100});
}

/* rule: P10; one line that quotes the part at fault */
Test(faults, a_bad_spec_gets_one_line_that_quotes_its_fault)
{
    refused("drop", "--faults: \"drop\" is not NAME=PERCENT");
    refused("dup=5,drop", "--faults: \"drop\" is not NAME=PERCENT");
    refused("drop=101", "--faults: \"drop=101\": a percentage 0-100, then optionally :MS up to 60000");
    refused("drop=", "--faults: \"drop=\": a percentage 0-100, then optionally :MS up to 60000");
    refused("drop=1x", "--faults: \"drop=1x\": a percentage 0-100, then optionally :MS up to 60000");
    refused("drop=1234567890", "--faults: \"drop=1234567890\": a percentage 0-100, then optionally :MS up to 60000");
    refused("delay=5:60001", "--faults: \"delay=5:60001\": a percentage 0-100, then optionally :MS up to 60000");
    refused("delay=5:", "--faults: \"delay=5:\": a percentage 0-100, then optionally :MS up to 60000");
    refused("lose=5", "--faults: unknown fault \"lose\" (drop, dup, delay, reply-delay)");
    refused("drops=5", "--faults: unknown fault \"drops\" (drop, dup, delay, reply-delay)");
    refused("dup=5,reply=5", "--faults: unknown fault \"reply\" (drop, dup, delay, reply-delay)");
    refused("drop=5:10", "--faults: \"drop=5:10\": only delay and reply-delay take :MS");
    refused("delay=5,dup=5:10", "--faults: \"dup=5:10\": only delay and reply-delay take :MS");
}

/* rule: P10; the dice: off without a spec, always at 100, never at 0, a stream per branch that
 * the seed repeats */
Test(faults, the_dice_roll_each_branch_its_own_stream_of_the_seed)
{
    bank_fault_dice off, a, again, other;
    bank_faults spec = {.dup_pct = 100, .drop_pct = 50, .seed = 42};
    bank_fault_dice_init(&off, NULL, 1);
    bank_fault_dice_init(&a, &spec, 1);
    bank_fault_dice_init(&again, &spec, 1);
    bank_fault_dice_init(&other, &spec, 2);
    cr_expect_eq(off.on, 0);
    cr_expect_eq(bank_fault_hits(&off, 100), 0, "dice that are off never hit");
    cr_expect_eq(a.on, 1);
    cr_expect_eq(a.spec.dup_pct, 100);
    cr_expect_eq(a.spec.drop_pct, 50);
    cr_expect_eq(a.spec.seed, 42);
    int same = 1, differ = 0, hits = 0;
    for (int i = 0; i < 200; i++) {
        int x = bank_fault_hits(&a, a.spec.drop_pct), y = bank_fault_hits(&again, again.spec.drop_pct);
        int z = bank_fault_hits(&other, other.spec.drop_pct);
        hits += x;
        same &= x == y;
        differ |= x != z;
        cr_expect_eq(bank_fault_hits(&a, a.spec.dup_pct), 1, "100%% always hits");
        cr_expect_eq(bank_fault_hits(&a, 0), 0, "0%% never hits");
        int ms = bank_fault_delay_ms(&a, 30);
        cr_expect(ms >= 1 && ms <= 30, "a delay of 1 to 30 ms: %d", ms);
        cr_expect_eq(bank_fault_delay_ms(&a, 0), 1, "a delay of at most 0 ms is 1 ms");
        bank_fault_hits(&again, 100); /* the same rolls as a's, in the same order */
        cr_expect_eq(bank_fault_delay_ms(&again, 30), ms);
        bank_fault_delay_ms(&again, 0);
    }
    cr_expect(same, "one seed and one branch repeat their rolls");
    cr_expect(differ, "another branch rolls another stream");
    cr_expect(hits > 50 && hits < 150, "about half of 200 rolls at 50%%: %d", hits);
    bank_fault_dice_destroy(&off);
    bank_fault_dice_destroy(&a);
    bank_fault_dice_destroy(&again);
    bank_fault_dice_destroy(&other);
}
