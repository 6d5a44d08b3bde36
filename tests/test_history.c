/* test_history.c — the client-history checker: each anomaly fires, its near miss does not. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/history.h"
#include "world/rng.h"

/* Every finding the checker reports online, and a history with two producers, two consumers
 * in one group and the partitions orders-0 and orders-1. */
struct fixture {
    struct history *h;
    int32_t p1, p2, c1, c2, t0, t1;
    char lines[16][400];
    enum history_class classes[16];
    size_t count;
};

static void collect(void *ctx, enum history_class c, const char *text)
{
    struct fixture *f = ctx;
    if (f->count < 16) {
        f->classes[f->count] = c;
        snprintf(f->lines[f->count], sizeof f->lines[0], "%s", text);
    }
    f->count++;
}

static void setup(struct fixture *f)
{
    memset(f, 0, sizeof *f);
    struct history_config config = {.on_finding = collect, .ctx = f};
    f->h = history_create(&config);
    f->p1 = history_producer(f->h, "producer-1", true);
    f->p2 = history_producer(f->h, "producer-2", false);
    f->c1 = history_consumer(f->h, "consumer-1", "readers");
    f->c2 = history_consumer(f->h, "consumer-2", "readers");
    f->t0 = history_partition(f->h, "orders", 0);
    f->t1 = history_partition(f->h, "orders", 1);
}

static void teardown(struct fixture *f) { history_destroy(f->h); }

/* A send acknowledged at once. */
static void sent(struct fixture *f, int32_t producer, int32_t tp, int64_t value, int64_t offset)
{
    history_send(f->h, producer, tp, value);
    history_send_ok(f->h, value, offset);
}

static void read1(struct fixture *f, int32_t consumer, int32_t tp, int64_t offset, int64_t value)
{
    struct history_record r = {tp, offset, value};
    history_poll(f->h, consumer, &r, 1);
}

static uint64_t count_of(const struct fixture *f, enum history_class c)
{
    return history_summary(f->h).count[c];
}

static uint64_t total(const struct fixture *f) { return history_summary(f->h).total; }

START_TEST(clean_history_has_no_findings_and_a_zero_summary)
{
    struct fixture f;
    setup(&f);
    for (int64_t i = 0; i < 10; i++) {
        sent(&f, f.p1, f.t0, 100 + i, i);
    }
    struct history_record batch[10];
    for (int64_t i = 0; i < 10; i++) {
        batch[i] = (struct history_record){f.t0, i, 100 + i};
    }
    history_poll(f.h, f.c1, batch, 5);
    history_commit(f.h, f.c1, f.t0, 5);
    history_poll(f.h, f.c1, batch + 5, 5);
    history_commit(f.h, f.c1, f.t0, 10);
    history_finish(f.h);
    ck_assert_uint_eq(total(&f), 0);
    ck_assert_uint_eq(f.count, 0);
    char buf[300];
    ck_assert_str_eq(history_summary_text(f.h, buf, sizeof buf),
                     "lost-write=0 duplicate=0 inconsistent-offsets=0 poll-skip=0 "
                     "nonmonotonic-poll=0 nonmonotonic-send=0 aborted-read=0 unseen=0 "
                     "nonmonotonic-commit=0 expired=0");
    ck_assert_uint_eq(history_stats(f.h).unseen_now, 0);
    teardown(&f);
}
END_TEST

START_TEST(lost_write_needs_a_read_past_its_offset)
{
    struct fixture f;
    setup(&f);
    sent(&f, f.p1, f.t0, 5, 5);
    sent(&f, f.p1, f.t0, 6, 6);
    sent(&f, f.p1, f.t1, 40, 2); /* near miss: read up to, not past */
    read1(&f, f.c2, f.t0, 6, 6);
    read1(&f, f.c1, f.t1, 1, 39);
    read1(&f, f.c1, f.t1, 2, 41);
    ck_assert_uint_eq(count_of(&f, HISTORY_LOST_WRITE), 0); /* judged at the end */
    history_finish(f.h);
    ck_assert_uint_eq(count_of(&f, HISTORY_LOST_WRITE), 1);
    ck_assert_str_eq(f.lines[1], "lost-write: orders-0 offset 5 value 5 acknowledged to "
                     "producer-1 was never read, yet consumer-2 read offset 6 (value 6)");
    /* orders-1 offset 2 holds 41 by the read, 40 by the ack: inconsistent, and 40 is unseen
     * (nobody read past 2), not lost. */
    ck_assert_uint_eq(count_of(&f, HISTORY_INCONSISTENT_OFFSETS), 1);
    ck_assert_uint_eq(count_of(&f, HISTORY_UNSEEN), 1);
    ck_assert_str_eq(f.lines[2], "unseen: 1 acknowledged value never read, nobody reading "
                     "past: orders-1 offset 2 value 40 (producer-1)");
    teardown(&f);
}
END_TEST

START_TEST(lost_write_is_judged_online_when_the_log_start_passes_it)
{
    struct fixture f;
    setup(&f);
    for (int64_t i = 0; i < 4; i++) {
        sent(&f, f.p1, f.t0, 10 + i, i);
    }
    read1(&f, f.c1, f.t0, 0, 10);
    history_rebalance(f.h, f.c1, &f.t0, 1);
    read1(&f, f.c1, f.t0, 2, 12); /* no skip: rebalanced between */
    read1(&f, f.c1, f.t0, 3, 13);
    history_log_start(f.h, f.t0, 2);
    ck_assert_uint_eq(f.count, 1);
    ck_assert_str_eq(f.lines[0], "lost-write: orders-0 offset 1 value 11 acknowledged to "
                     "producer-1 was never read, yet consumer-1 read offset 3 (value 13)");
    ck_assert_uint_eq(history_stats(f.h).values_kept, 2);
    history_finish(f.h);
    ck_assert_uint_eq(total(&f), 1);
    teardown(&f);
}
END_TEST

START_TEST(duplicate_one_value_at_two_offsets_but_rereads_are_fine)
{
    struct fixture f;
    setup(&f);
    sent(&f, f.p2, f.t0, 7, 3);
    read1(&f, f.c1, f.t0, 3, 7);
    read1(&f, f.c2, f.t0, 3, 7); /* near miss: another consumer, same place */
    history_seek(f.h, f.c1, f.t0);
    read1(&f, f.c1, f.t0, 3, 7); /* near miss: a reread after a seek */
    ck_assert_uint_eq(total(&f), 0);
    read1(&f, f.c1, f.t0, 4, 7);
    read1(&f, f.c2, f.t0, 4, 7); /* the same duplicate again: reported once */
    ck_assert_uint_eq(count_of(&f, HISTORY_DUPLICATE), 1);
    ck_assert_str_eq(f.lines[0], "duplicate: value 7 from producer-2 at orders-0 offset 3 "
                     "(acknowledged to producer-2) and orders-0 offset 4 (read by consumer-1)");
    history_finish(f.h);
    ck_assert_uint_eq(total(&f), 1);
    teardown(&f);
}
END_TEST

START_TEST(inconsistent_offsets_two_values_at_one_offset_in_either_order)
{
    struct fixture f;
    setup(&f);
    sent(&f, f.p1, f.t0, 1, 0);
    read1(&f, f.c1, f.t0, 0, 1); /* near miss: the same value */
    read1(&f, f.c1, f.t1, 0, 9); /* the read first, the ack after */
    sent(&f, f.p2, f.t1, 8, 0);
    ck_assert_uint_eq(count_of(&f, HISTORY_INCONSISTENT_OFFSETS), 1);
    ck_assert_str_eq(f.lines[0], "inconsistent-offsets: orders-1 offset 0 holds value 9 "
                     "(read by consumer-1) and value 8 (acknowledged to producer-2)");
    teardown(&f);
}
END_TEST

START_TEST(poll_skip_between_polls_and_within_one_but_not_across_a_rebalance)
{
    struct fixture f;
    setup(&f);
    for (int64_t i = 0; i < 6; i++) {
        sent(&f, f.p1, f.t0, 20 + i, i);
    }
    read1(&f, f.c1, f.t0, 0, 20);
    read1(&f, f.c1, f.t0, 2, 22);
    ck_assert_uint_eq(count_of(&f, HISTORY_POLL_SKIP), 1);
    ck_assert_str_eq(f.lines[0], "poll-skip: consumer-1 read orders-0 offset 0 (value 20) then "
                     "offset 2 (value 22), skipping offset 1 (value 21, acknowledged to "
                     "producer-1)");
    struct history_record both[2] = {{f.t0, 3, 23}, {f.t0, 5, 25}};
    history_poll(f.h, f.c1, both, 2);
    ck_assert_uint_eq(count_of(&f, HISTORY_POLL_SKIP), 2);
    read1(&f, f.c1, f.t1, 0, 1000);
    sent(&f, f.p2, f.t1, 1001, 1);
    sent(&f, f.p2, f.t1, 1002, 2);
    read1(&f, f.c1, f.t1, 3, 1003);
    ck_assert_str_eq(f.lines[2], "poll-skip: consumer-1 read orders-1 offset 0 (value 1000) "
                     "then offset 3 (value 1003), skipping offset 1 (value 1001, acknowledged "
                     "to producer-2) and 1 more known");
    /* Near misses: consumer-2 jumps after its rebalance, and after a seek. */
    read1(&f, f.c2, f.t0, 1, 21);
    history_rebalance(f.h, f.c2, &f.t0, 1);
    read1(&f, f.c2, f.t0, 4, 24);
    history_seek(f.h, f.c2, f.t0);
    read1(&f, f.c2, f.t0, 0, 20); /* nor is this nonmonotonic */
    ck_assert_uint_eq(total(&f), 3);
    teardown(&f);
}
END_TEST

START_TEST(poll_skip_over_an_offset_known_only_later_fires_when_it_becomes_known)
{
    struct fixture f;
    setup(&f);
    sent(&f, f.p1, f.t0, 30, 0);
    history_send(f.h, f.p1, f.t0, 31); /* appended at 1, its ack still on the way */
    sent(&f, f.p2, f.t0, 32, 2);
    history_send(f.h, f.p2, f.t1, 50); /* orders-1: offset 1 never becomes known */
    history_send_info(f.h, 50);
    sent(&f, f.p2, f.t1, 49, 0);
    sent(&f, f.p2, f.t1, 51, 2);
    read1(&f, f.c1, f.t0, 0, 30);
    read1(&f, f.c1, f.t0, 2, 32);
    read1(&f, f.c1, f.t1, 0, 49);
    read1(&f, f.c1, f.t1, 2, 51);
    ck_assert_uint_eq(total(&f), 0);
    ck_assert_uint_eq(history_stats(f.h).gaps_kept, 2);
    history_send_ok(f.h, 31, 1);
    ck_assert_uint_eq(count_of(&f, HISTORY_POLL_SKIP), 1);
    ck_assert_str_eq(f.lines[0], "poll-skip: consumer-1 read orders-0 offset 0 (value 30) then "
                     "offset 2 (value 32), skipping offset 1 (value 31, acknowledged to "
                     "producer-1)");
    ck_assert_uint_eq(history_stats(f.h).gaps_kept, 1);
    history_log_start(f.h, f.t1, 2); /* the gap can no longer fill */
    ck_assert_uint_eq(history_stats(f.h).gaps_kept, 0);
    history_finish(f.h);
    ck_assert_uint_eq(count_of(&f, HISTORY_LOST_WRITE), 1); /* 31, which nobody read */
    ck_assert_uint_eq(total(&f), 2);
    teardown(&f);
}
END_TEST

START_TEST(nonmonotonic_poll_backwards_or_repeated_without_a_rebalance_or_seek)
{
    struct fixture f;
    setup(&f);
    for (int64_t i = 0; i < 3; i++) {
        sent(&f, f.p1, f.t0, 60 + i, i);
    }
    struct history_record run[3] = {{f.t0, 0, 60}, {f.t0, 1, 61}, {f.t0, 2, 62}};
    history_poll(f.h, f.c1, run, 3);
    read1(&f, f.c1, f.t0, 1, 61);
    ck_assert_uint_eq(count_of(&f, HISTORY_NONMONOTONIC_POLL), 1);
    ck_assert_str_eq(f.lines[0], "nonmonotonic-poll: consumer-1 read orders-0 offset 2 "
                     "(value 62) then offset 1 (value 61) with no rebalance or seek between");
    read1(&f, f.c1, f.t0, 1, 61); /* the same offset twice */
    ck_assert_uint_eq(count_of(&f, HISTORY_NONMONOTONIC_POLL), 2);
    history_rebalance(f.h, f.c1, &f.t0, 1);
    read1(&f, f.c1, f.t0, 0, 60); /* near miss: a new ownership */
    history_seek(f.h, f.c1, f.t0);
    history_poll(f.h, f.c1, run, 3); /* near miss: sought back */
    read1(&f, f.c2, f.t0, 0, 60);  /* near miss: another consumer's own position */
    ck_assert_uint_eq(total(&f), 2);
    teardown(&f);
}
END_TEST

START_TEST(nonmonotonic_send_only_for_ordered_producers_in_issue_order)
{
    struct fixture f;
    setup(&f);
    sent(&f, f.p1, f.t0, 70, 5);
    sent(&f, f.p1, f.t0, 71, 3);
    ck_assert_uint_eq(count_of(&f, HISTORY_NONMONOTONIC_SEND), 1);
    ck_assert_str_eq(f.lines[0], "nonmonotonic-send: producer-1 sent value 70 then value 71 "
                     "to orders-0, acknowledged at offset 5 then offset 3");
    sent(&f, f.p2, f.t1, 80, 5); /* near miss: producer-2 may reorder */
    sent(&f, f.p2, f.t1, 81, 3);
    history_send(f.h, f.p1, f.t1, 90); /* near miss: acks out of issue order compare nothing */
    history_send(f.h, f.p1, f.t1, 91);
    history_send_ok(f.h, 91, 9);
    history_send_ok(f.h, 90, 8);
    sent(&f, f.p1, f.t1, 92, 10);
    ck_assert_uint_eq(total(&f), 1);
    teardown(&f);
}
END_TEST

START_TEST(aborted_read_of_a_failed_send_either_order_but_not_an_unknown_one)
{
    struct fixture f;
    setup(&f);
    history_send(f.h, f.p1, f.t0, 100);
    history_send_fail(f.h, 100);
    read1(&f, f.c1, f.t0, 0, 100);
    ck_assert_uint_eq(count_of(&f, HISTORY_ABORTED_READ), 1);
    ck_assert_str_eq(f.lines[0], "aborted-read: consumer-1 read value 100 at orders-0 offset 0, "
                     "whose send by producer-1 had failed");
    history_send(f.h, f.p1, f.t0, 101);
    read1(&f, f.c2, f.t0, 1, 101);
    history_send_fail(f.h, 101);
    ck_assert_uint_eq(count_of(&f, HISTORY_ABORTED_READ), 2);
    ck_assert_str_eq(f.lines[1], "aborted-read: consumer-2 read value 101 at orders-0 offset 1 "
                     "before its send by producer-1 failed");
    read1(&f, f.c1, f.t0, 1, 101); /* reported once per value */
    history_send(f.h, f.p1, f.t0, 102); /* near miss: unknown outcome, then read */
    history_send_info(f.h, 102);
    read1(&f, f.c1, f.t0, 2, 102);
    history_finish(f.h);
    ck_assert_uint_eq(total(&f), 2);
    teardown(&f);
}
END_TEST

START_TEST(unseen_is_one_finding_counting_every_value_with_examples_in_order)
{
    struct fixture f;
    setup(&f);
    for (int64_t i = 0; i < 7; i++) {
        sent(&f, f.p1, i % 2 == 0 ? f.t1 : f.t0, 200 + i, i / 2);
    }
    history_send(f.h, f.p2, f.t0, 300); /* near miss: never completed, so unknown */
    ck_assert_uint_eq(history_stats(f.h).unseen_now, 7);
    history_finish(f.h);
    ck_assert_uint_eq(count_of(&f, HISTORY_UNSEEN), 7);
    ck_assert_uint_eq(f.count, 1);
    ck_assert_str_eq(f.lines[0], "unseen: 7 acknowledged values never read, nobody reading past: "
                     "orders-0 offset 0 value 201 (producer-1), orders-0 offset 1 value 203 "
                     "(producer-1), orders-0 offset 2 value 205 (producer-1), orders-1 offset 0 "
                     "value 200 (producer-1), orders-1 offset 1 value 202 (producer-1), ...");
    teardown(&f);
}
END_TEST

START_TEST(nonmonotonic_commit_unless_a_member_sought_and_per_group)
{
    struct fixture f;
    setup(&f);
    int32_t other = history_consumer(f.h, "consumer-3", "auditors");
    history_commit(f.h, f.c1, f.t0, 10);
    history_commit(f.h, f.c2, f.t0, 7);
    ck_assert_uint_eq(count_of(&f, HISTORY_NONMONOTONIC_COMMIT), 1);
    ck_assert_str_eq(f.lines[0], "nonmonotonic-commit: group readers committed orders-0 offset "
                     "10 (consumer-1) then offset 7 (consumer-2) with no seek or reset between");
    history_commit(f.h, other, f.t0, 3); /* near miss: another group */
    history_commit(f.h, f.c1, f.t1, 4);  /* near miss: another partition */
    history_commit(f.h, f.c1, f.t0, 7);  /* near miss: the same offset again */
    history_seek(f.h, f.c2, f.t0);
    history_commit(f.h, f.c2, f.t0, 2); /* near miss: after a seek */
    history_commit(f.h, f.c1, f.t0, 1); /* the seek allowed one step back, not two */
    ck_assert_uint_eq(total(&f), 2);
    teardown(&f);
}
END_TEST

static void into_list(void *ctx, enum history_class c, const char *text)
{
    struct fixture *f = ctx;
    ck_assert_str_eq(f->lines[f->count], text);
    ck_assert_int_eq(f->classes[f->count], c);
    f->count++;
}

START_TEST(kept_findings_are_the_first_ones_in_order_while_counts_cover_all)
{
    struct fixture f;
    memset(&f, 0, sizeof f);
    struct history_config config = {.max_findings = 3};
    f.h = history_create(&config);
    int32_t p = history_producer(f.h, "producer-1", true);
    int32_t c = history_consumer(f.h, "consumer-1", NULL);
    int32_t t = history_partition(f.h, "events", 4);
    ck_assert_int_eq(history_partition(f.h, "events", 4), t);
    for (int64_t i = 0; i < 5; i++) {
        sent(&f, p, t, i, 2 * i); /* every other offset empty: no skips */
    }
    for (int64_t i = 0; i < 5; i++) {
        read1(&f, c, t, 2 * i, i + 10); /* five inconsistent offsets */
    }
    ck_assert_uint_eq(history_summary(f.h).count[HISTORY_INCONSISTENT_OFFSETS], 5);
    snprintf(f.lines[0], sizeof f.lines[0], "inconsistent-offsets: events-4 offset 0 holds "
             "value 0 (acknowledged to producer-1) and value 10 (read by consumer-1)");
    snprintf(f.lines[1], sizeof f.lines[1], "inconsistent-offsets: events-4 offset 2 holds "
             "value 1 (acknowledged to producer-1) and value 11 (read by consumer-1)");
    snprintf(f.lines[2], sizeof f.lines[2], "inconsistent-offsets: events-4 offset 4 holds "
             "value 2 (acknowledged to producer-1) and value 12 (read by consumer-1)");
    for (int i = 0; i < 3; i++) {
        f.classes[i] = HISTORY_INCONSISTENT_OFFSETS;
    }
    ck_assert_uint_eq(history_write_findings(f.h, into_list, &f), 3);
    ck_assert_uint_eq(f.count, 3);
    ck_assert_str_eq(history_class_name(HISTORY_NONMONOTONIC_COMMIT), "nonmonotonic-commit");
    history_destroy(f.h);
}
END_TEST

/* Retention deleting what nobody read yet: expired (one finding at the end, never unseen),
 * while a value someone read past before the log start passed it is still lost. */
START_TEST(values_retention_deleted_before_anyone_read_them_are_expired_not_unseen)
{
    struct fixture f;
    setup(&f);
    for (int64_t i = 0; i < 4; i++) {
        sent(&f, f.p1, f.t0, 10 + i, i);
    }
    sent(&f, f.p1, f.t1, 20, 0);
    sent(&f, f.p1, f.t1, 21, 1);
    read1(&f, f.c1, f.t1, 1, 21);
    history_log_start(f.h, f.t0, 3); /* 10, 11, 12 deleted unread, nobody past them */
    history_log_start(f.h, f.t1, 1); /* 20 deleted, but offset 1 was read: lost */
    ck_assert_uint_eq(count_of(&f, HISTORY_LOST_WRITE), 1);
    ck_assert_uint_eq(count_of(&f, HISTORY_EXPIRED), 0); /* reported at the end */
    read1(&f, f.c1, f.t0, 3, 13);
    history_finish(f.h);
    ck_assert_uint_eq(count_of(&f, HISTORY_EXPIRED), 3);
    ck_assert_uint_eq(count_of(&f, HISTORY_UNSEEN), 0);
    ck_assert_str_eq(f.lines[f.count - 1], "expired: 3 acknowledged values deleted by retention "
                     "before any consumer read them: orders-0 offset 0 value 10 (producer-1), "
                     "orders-0 offset 1 value 11 (producer-1), orders-0 offset 2 value 12 "
                     "(producer-1)");
    teardown(&f);
}
END_TEST

START_TEST(log_start_forgets_what_can_no_longer_be_read)
{
    struct fixture f;
    setup(&f);
    for (int64_t i = 0; i < 1000; i++) {
        sent(&f, f.p1, f.t0, i, i);
        read1(&f, f.c1, f.t0, i, i);
    }
    history_send(f.h, f.p1, f.t0, 5000);
    history_send_fail(f.h, 5000); /* horizon: offset 999 */
    ck_assert_uint_eq(history_stats(f.h).values_kept, 1001);
    history_log_start(f.h, f.t0, 990);
    ck_assert_uint_eq(history_stats(f.h).values_kept, 11);
    history_log_start(f.h, f.t0, 1000);
    ck_assert_uint_eq(history_stats(f.h).values_kept, 0);
    read1(&f, f.c2, f.t0, 10, 10); /* below the log start: counted, not checked */
    ck_assert_uint_eq(history_stats(f.h).ignored, 1);
    sent(&f, f.p2, f.t0, 7000, 500); /* acknowledged below it: judged at once */
    ck_assert_uint_eq(history_stats(f.h).values_kept, 0);
    ck_assert_uint_eq(f.count, 1);
    ck_assert_str_eq(f.lines[0], "lost-write: orders-0 offset 500 value 7000 acknowledged to "
                     "producer-2 was never read, yet consumer-1 read offset 999 (value 999)");
    history_finish(f.h);
    ck_assert_uint_eq(total(&f), 1);
    teardown(&f);
}
END_TEST

/* Values are kept in chunks of 64 consecutive ones: values either side of a chunk's edge, and
 * negative ones (a read may carry any value), are still each their own. */
START_TEST(values_either_side_of_a_chunk_edge_and_negative_ones_are_told_apart)
{
    struct fixture f;
    setup(&f);
    const int64_t values[6] = {-65, -64, -1, 0, 63, 64};
    for (int64_t i = 0; i < 6; i++) {
        sent(&f, f.p1, f.t0, values[i], i);
        read1(&f, f.c1, f.t0, i, values[i]);
    }
    ck_assert_uint_eq(total(&f), 0);
    ck_assert_uint_eq(history_stats(f.h).values_kept, 6);
    read1(&f, f.c2, f.t1, 10, 63);
    ck_assert_uint_eq(count_of(&f, HISTORY_DUPLICATE), 1);
    ck_assert_str_eq(f.lines[0], "duplicate: value 63 from producer-1 at orders-0 offset 4 "
                     "(acknowledged to producer-1) and orders-1 offset 10 (read by consumer-2)");
    history_log_start(f.h, f.t0, 3); /* -65, -64 and -1 go; their chunk neighbours stay */
    ck_assert_uint_eq(history_stats(f.h).values_kept, 3);
    read1(&f, f.c2, f.t1, 11, -1); /* forgotten: now a value no send carried */
    ck_assert_uint_eq(history_stats(f.h).unknown_reads, 1);
    ck_assert_uint_eq(history_stats(f.h).values_kept, 4);
    history_finish(f.h);
    ck_assert_uint_eq(total(&f), 1);
    teardown(&f);
}
END_TEST

/* ---- a long valid history: a model log, producers and a consumer group ------------------- */

#define PARTITIONS 6
#define PRODUCERS 3
#define CONSUMERS 2
#define RETAIN 500 /* offsets the model log keeps behind its end, at least */

enum outcome { OUTCOME_OK, OUTCOME_FAIL, OUTCOME_INFO };

struct model {
    struct rng rng;
    struct history *h;
    int32_t producer[PRODUCERS], consumer[CONSUMERS], tp[PARTITIONS];
    int64_t *log[PARTITIONS]; /* every value appended, by offset */
    int64_t end[PARTITIONS], log_start[PARTITIONS], committed[PARTITIONS];
    int owner[PARTITIONS];
    int64_t position[PARTITIONS]; /* the owner's next offset */
    bool in_flight[PRODUCERS];
    int64_t flight_value[PRODUCERS], flight_offset[PRODUCERS];
    enum outcome flight_outcome[PRODUCERS];
    int64_t next_value;
    uint64_t findings;
    int bug;            /* a planted data-path bug, BUG_NONE for a valid history */
    uint64_t bug_count; /* times it struck */
};

enum bug { BUG_NONE, BUG_OVERWRITE, BUG_SKIP, BUG_DOUBLE_APPEND };

static void count_finding(void *ctx, enum history_class c, const char *text)
{
    struct model *m = ctx;
    if (m->findings++ < 5 && m->bug == BUG_NONE) {
        fprintf(stderr, "unexpected finding: %s\n", text);
    }
}

static int64_t append(struct model *m, int p, int64_t value)
{
    m->log[p][m->end[p]] = value;
    return m->end[p]++;
}

/* One step of a producer: a send (appended now, acknowledged later), or its completion. */
static void producer_step(struct model *m, int i)
{
    if (m->in_flight[i]) {
        m->in_flight[i] = false;
        if (m->flight_outcome[i] == OUTCOME_OK) {
            history_send_ok(m->h, m->flight_value[i], m->flight_offset[i]);
        } else if (m->flight_outcome[i] == OUTCOME_FAIL) {
            history_send_fail(m->h, m->flight_value[i]);
        } else {
            history_send_info(m->h, m->flight_value[i]);
        }
        return;
    }
    int p = (int)rng_below(&m->rng, PARTITIONS);
    int64_t value = m->next_value++;
    history_send(m->h, m->producer[i], m->tp[p], value);
    uint64_t roll = rng_below(&m->rng, 100);
    enum outcome o = roll < 90 ? OUTCOME_OK : roll < 95 ? OUTCOME_FAIL : OUTCOME_INFO;
    bool written = o == OUTCOME_OK || (o == OUTCOME_INFO && rng_chance(&m->rng, 500000));
    m->in_flight[i] = true;
    m->flight_value[i] = value;
    m->flight_offset[i] = written ? append(m, p, value) : -1;
    if (m->bug == BUG_DOUBLE_APPEND && written && rng_chance(&m->rng, 1000)) {
        append(m, p, value); /* a retry appended again, idempotence off */
        m->bug_count++;
    }
    if (m->bug == BUG_OVERWRITE && m->end[p] >= 2 && rng_chance(&m->rng, 1000)) {
        m->log[p][m->end[p] - 2] = -m->log[p][m->end[p] - 2] - 1; /* a diverged replica */
        m->bug_count++;
    }
    m->flight_outcome[i] = o;
}

/* auto.offset.reset=earliest when the position fell below the log start. */
static void reset_if_out_of_range(struct model *m, int p)
{
    if (m->position[p] < m->log_start[p]) {
        history_seek(m->h, m->consumer[m->owner[p]], m->tp[p]);
        m->position[p] = m->log_start[p];
    }
}

static void consumer_poll(struct model *m, int c, int64_t most)
{
    struct history_record batch[PARTITIONS * 64];
    size_t n = 0;
    for (int p = 0; p < PARTITIONS; p++) {
        if (m->owner[p] != c) {
            continue;
        }
        reset_if_out_of_range(m, p);
        for (int64_t k = 0; k < most && m->position[p] < m->end[p]; k++) {
            if (m->bug == BUG_SKIP && m->position[p] + 1 < m->end[p] &&
                rng_chance(&m->rng, 1000)) {
                m->position[p]++; /* a fetch that loses a record */
                m->bug_count++;
            }
            int64_t o = m->position[p]++;
            batch[n++] = (struct history_record){m->tp[p], o, m->log[p][o]};
        }
    }
    history_poll(m->h, m->consumer[c], batch, n);
}

static void consumer_commit(struct model *m, int c)
{
    for (int p = 0; p < PARTITIONS; p++) {
        if (m->owner[p] == c && m->position[p] >= m->log_start[p]) {
            history_commit(m->h, m->consumer[c], m->tp[p], m->position[p]);
            m->committed[p] = m->position[p];
        }
    }
}

/* An eager move of one partition to the other consumer, which resumes at the commit. */
static void move_partition(struct model *m, int p)
{
    for (int c = 0; c < CONSUMERS; c++) {
        history_rebalance(m->h, m->consumer[c], &m->tp[p], 1);
    }
    m->owner[p] = (m->owner[p] + 1) % CONSUMERS;
    m->position[p] = m->committed[p];
    reset_if_out_of_range(m, p);
}

static void seek_back(struct model *m, int p)
{
    int64_t to = m->position[p] - (int64_t)rng_below(&m->rng, 50);
    m->position[p] = to > m->log_start[p] ? to : m->log_start[p];
    history_seek(m->h, m->consumer[m->owner[p]], m->tp[p]);
}

/* Retention: never past the group's commit, so nothing acknowledged goes unread. */
static void retain(struct model *m, int p)
{
    int64_t to = m->end[p] - RETAIN < m->committed[p] ? m->end[p] - RETAIN : m->committed[p];
    if (to > m->log_start[p]) {
        m->log_start[p] = to;
        history_log_start(m->h, m->tp[p], to);
    }
}

static void model_step(struct model *m)
{
    uint64_t roll = rng_below(&m->rng, 1000);
    int p = (int)rng_below(&m->rng, PARTITIONS);
    if (roll < 450) {
        producer_step(m, (int)rng_below(&m->rng, PRODUCERS));
    } else if (roll < 850) {
        consumer_poll(m, (int)rng_below(&m->rng, CONSUMERS), (int64_t)rng_below(&m->rng, 9));
    } else if (roll < 960) {
        consumer_commit(m, (int)rng_below(&m->rng, CONSUMERS));
    } else if (roll < 970) {
        move_partition(m, p);
    } else if (roll < 975) {
        seek_back(m, p);
    } else {
        retain(m, p);
    }
}

static void model_init(struct model *m, size_t log_cap, enum bug bug)
{
    memset(m, 0, sizeof *m);
    m->bug = bug;
    rng_init(&m->rng, 20261204, "test_history", 0);
    struct history_config config = {.on_finding = count_finding, .ctx = m};
    m->h = history_create(&config);
    char name[32];
    for (int i = 0; i < PRODUCERS; i++) {
        snprintf(name, sizeof name, "producer-%d", i + 1);
        m->producer[i] = history_producer(m->h, name, true);
    }
    for (int i = 0; i < CONSUMERS; i++) {
        snprintf(name, sizeof name, "consumer-%d", i + 1);
        m->consumer[i] = history_consumer(m->h, name, "readers");
    }
    for (int p = 0; p < PARTITIONS; p++) {
        m->tp[p] = history_partition(m->h, "orders", p);
        m->log[p] = malloc(log_cap * sizeof *m->log[p]);
        ck_assert_ptr_nonnull(m->log[p]);
        m->owner[p] = p % CONSUMERS;
    }
}

START_TEST(a_million_valid_ops_find_nothing_in_bounded_memory)
{
    struct model *m = malloc(sizeof *m);
    ck_assert_ptr_nonnull(m);
    model_init(m, 1u << 20, BUG_NONE);
    uint64_t peak_values = 0;
    while (history_stats(m->h).ops < 1000000) {
        model_step(m);
        struct history_stats s = history_stats(m->h);
        peak_values = s.values_kept > peak_values ? s.values_kept : peak_values;
    }
    for (int i = 0; i < PRODUCERS; i++) {
        if (m->in_flight[i]) {
            producer_step(m, i);
        }
    }
    for (int c = 0; c < CONSUMERS; c++) { /* drain */
        consumer_poll(m, c, INT64_MAX);
        consumer_commit(m, c);
    }
    struct history_stats s = history_stats(m->h);
    history_finish(m->h);
    int64_t appended = 0;
    for (int p = 0; p < PARTITIONS; p++) {
        appended += m->end[p];
    }
    fprintf(stderr, "history: %" PRIu64 " ops, %" PRIu64 " reads, %" PRId64 " values appended; "
            "kept at most %" PRIu64 " values and %" PRIu64 " offset slots\n", s.ops, s.reads,
            appended, s.values_peak, s.offsets_peak);
    ck_assert_uint_eq(m->findings, 0);
    ck_assert_uint_eq(history_summary(m->h).total, 0);
    ck_assert_uint_eq(s.unknown_reads, 0);
    ck_assert_uint_eq(s.ignored, 0);
    ck_assert_uint_eq(s.gaps_kept, 0);
    ck_assert_uint_ge(s.reads, 200000);
    ck_assert_int_ge(appended, 150000);
    /* Bounded by what the model log retains (RETAIN plus consumer lag a partition), not by the
     * hundreds of thousands of values the run sent. */
    ck_assert_uint_eq(s.values_peak, peak_values);
    ck_assert_uint_lt(s.values_peak, PARTITIONS * 4 * RETAIN);
    ck_assert_uint_le(s.offsets_peak, PARTITIONS * 4096);
    for (int p = 0; p < PARTITIONS; p++) {
        free(m->log[p]);
    }
    history_destroy(m->h);
    free(m);
}
END_TEST

/* The same model with a data-path bug planted: the class it must produce shows up. */
START_TEST(planted_bugs_in_the_long_model_are_found)
{
    static const struct {
        enum bug bug;
        enum history_class cls;
    } cases[] = {
        {BUG_OVERWRITE, HISTORY_INCONSISTENT_OFFSETS},
        {BUG_OVERWRITE, HISTORY_LOST_WRITE},
        {BUG_SKIP, HISTORY_POLL_SKIP},
        {BUG_DOUBLE_APPEND, HISTORY_DUPLICATE},
    };
    struct model *m = malloc(sizeof *m);
    ck_assert_ptr_nonnull(m);
    model_init(m, 1u << 18, cases[_i].bug);
    while (history_stats(m->h).ops < 200000) {
        model_step(m);
    }
    for (int c = 0; c < CONSUMERS; c++) {
        consumer_poll(m, c, INT64_MAX);
    }
    history_finish(m->h);
    struct history_summary sum = history_summary(m->h);
    ck_assert_uint_gt(m->bug_count, 0);
    ck_assert_uint_gt(sum.count[cases[_i].cls], 0);
    ck_assert_uint_eq(sum.total, m->findings);
    for (int p = 0; p < PARTITIONS; p++) {
        free(m->log[p]);
    }
    history_destroy(m->h);
    free(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("history");
    TCase *tc = tcase_create("classes");
    tcase_add_test(tc, clean_history_has_no_findings_and_a_zero_summary);
    tcase_add_test(tc, lost_write_needs_a_read_past_its_offset);
    tcase_add_test(tc, lost_write_is_judged_online_when_the_log_start_passes_it);
    tcase_add_test(tc, duplicate_one_value_at_two_offsets_but_rereads_are_fine);
    tcase_add_test(tc, inconsistent_offsets_two_values_at_one_offset_in_either_order);
    tcase_add_test(tc, poll_skip_between_polls_and_within_one_but_not_across_a_rebalance);
    tcase_add_test(tc, poll_skip_over_an_offset_known_only_later_fires_when_it_becomes_known);
    tcase_add_test(tc, nonmonotonic_poll_backwards_or_repeated_without_a_rebalance_or_seek);
    tcase_add_test(tc, nonmonotonic_send_only_for_ordered_producers_in_issue_order);
    tcase_add_test(tc, aborted_read_of_a_failed_send_either_order_but_not_an_unknown_one);
    tcase_add_test(tc, unseen_is_one_finding_counting_every_value_with_examples_in_order);
    tcase_add_test(tc, nonmonotonic_commit_unless_a_member_sought_and_per_group);
    tcase_add_test(tc, kept_findings_are_the_first_ones_in_order_while_counts_cover_all);
    tcase_add_test(tc, log_start_forgets_what_can_no_longer_be_read);
    tcase_add_test(tc, values_retention_deleted_before_anyone_read_them_are_expired_not_unseen);
    tcase_add_test(tc, values_either_side_of_a_chunk_edge_and_negative_ones_are_told_apart);
    suite_add_tcase(s, tc);
    TCase *longrun = tcase_create("long");
    tcase_add_test(longrun, a_million_valid_ops_find_nothing_in_bounded_memory);
    tcase_add_loop_test(longrun, planted_bugs_in_the_long_model_are_found, 0, 4);
    suite_add_tcase(s, longrun);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
