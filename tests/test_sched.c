/* test_sched.c — the scheduler: ordering, ties, cancellation, run_until and its predicate. */
#include <check.h>
#include <stdlib.h>

#include "world/rng.h"
#include "world/sched.h"

struct log {
    struct sched *s;
    uint64_t fired[64];
    time_ns at[64];
    int count;
    sched_timer cancel_me; /* a timer a callback cancels */
};

static void record(void *ctx, uint64_t arg)
{
    struct log *l = ctx;
    ck_assert_int_lt(l->count, 64);
    l->fired[l->count] = arg;
    l->at[l->count] = sched_now(l->s);
    l->count++;
}

START_TEST(events_fire_in_time_order_then_insertion_order)
{
    struct sched s;
    sched_init(&s);
    struct log l = {.s = &s};
    /* Scheduled out of order; 2, 3 and 4 tie at 20 ns and must keep insertion order. */
    sched_at(&s, 30, record, &l, 5);
    sched_at(&s, 20, record, &l, 2);
    sched_at(&s, 10, record, &l, 1);
    sched_at(&s, 20, record, &l, 3);
    sched_at(&s, 20, record, &l, 4);
    ck_assert(sched_check(&s));
    while (sched_step(&s)) {
        ck_assert(sched_check(&s));
    }
    ck_assert_int_eq(l.count, 5);
    for (int i = 0; i < 5; i++) {
        ck_assert_uint_eq(l.fired[i], (uint64_t)i + 1);
    }
    ck_assert_int_eq(l.at[0], 10);
    ck_assert_int_eq(l.at[3], 20);
    ck_assert_int_eq(sched_now(&s), 30);
    ck_assert_uint_eq(sched_fired_count(&s), 5);
    sched_free(&s);
}
END_TEST

START_TEST(cancelled_timer_never_fires_and_stale_cancel_is_harmless)
{
    struct sched s;
    sched_init(&s);
    struct log l = {.s = &s};
    sched_timer a = sched_at(&s, 10, record, &l, 1);
    sched_timer b = sched_at(&s, 20, record, &l, 2);
    sched_timer c = sched_at(&s, 30, record, &l, 3);
    ck_assert(sched_is_pending(&s, b));
    ck_assert(sched_cancel(&s, b));
    ck_assert(!sched_is_pending(&s, b));
    ck_assert(!sched_cancel(&s, b)); /* twice: a no-op */
    ck_assert(sched_check(&s));
    sched_run_until(&s, 15);
    ck_assert(!sched_cancel(&s, a)); /* already fired */
    /* The freed slot is reused by a new timer; the old handle must not cancel it. */
    sched_timer d = sched_at(&s, 25, record, &l, 4);
    ck_assert(!sched_cancel(&s, b));
    ck_assert(sched_is_pending(&s, d));
    sched_run_until(&s, 100);
    ck_assert_int_eq(l.count, 3);
    ck_assert_uint_eq(l.fired[0], 1);
    ck_assert_uint_eq(l.fired[1], 4);
    ck_assert_uint_eq(l.fired[2], 3);
    ck_assert(!sched_is_pending(&s, c));
    ck_assert_uint_eq(sched_pending_count(&s), 0);
    sched_free(&s);
}
END_TEST

static void cancel_from_callback(void *ctx, uint64_t arg)
{
    struct log *l = ctx;
    record(ctx, arg);
    sched_cancel(l->s, l->cancel_me);
}

START_TEST(a_callback_cancels_a_timer_due_at_the_same_instant)
{
    struct sched s;
    sched_init(&s);
    struct log l = {.s = &s};
    sched_at(&s, 50, cancel_from_callback, &l, 1);
    l.cancel_me = sched_at(&s, 50, record, &l, 2);
    sched_run_until(&s, 60);
    ck_assert_int_eq(l.count, 1);
    ck_assert_uint_eq(l.fired[0], 1);
    sched_free(&s);
}
END_TEST

START_TEST(run_until_stops_at_the_boundary_and_sets_now)
{
    struct sched s;
    sched_init(&s);
    struct log l = {.s = &s};
    sched_at(&s, 100, record, &l, 1);
    sched_at(&s, 101, record, &l, 2);
    sched_run_until(&s, 100); /* an event due exactly at `until` fires */
    ck_assert_int_eq(l.count, 1);
    ck_assert_int_eq(sched_now(&s), 100);
    ck_assert_int_eq(sched_next_due(&s), 101);
    sched_run_until(&s, 500);
    ck_assert_int_eq(l.count, 2);
    ck_assert_int_eq(sched_now(&s), 500);
    ck_assert_int_eq(sched_next_due(&s), TIME_NS_MAX);
    /* Scheduling in the past clamps to now rather than reordering history. */
    sched_at(&s, 10, record, &l, 3);
    sched_step(&s);
    ck_assert_int_eq(l.at[2], 500);
    sched_free(&s);
}
END_TEST

static bool reached_three(void *arg) { return ((struct log *)arg)->count >= 3; }

START_TEST(run_until_predicate_stops_at_the_event_that_satisfies_it)
{
    struct sched s;
    sched_init(&s);
    struct log l = {.s = &s};
    for (int i = 1; i <= 5; i++) {
        sched_at(&s, i * 1000, record, &l, (uint64_t)i);
    }
    ck_assert(sched_run_until_pred(&s, reached_three, &l, 10000));
    ck_assert_int_eq(sched_now(&s), 3000);
    ck_assert_int_eq(l.count, 3);
    /* Already true: nothing fires. */
    ck_assert(sched_run_until_pred(&s, reached_three, &l, 10000));
    ck_assert_int_eq(l.count, 3);
    sched_free(&s);

    sched_init(&s);
    struct log m = {.s = &s};
    sched_at(&s, 1000, record, &m, 1);
    sched_at(&s, 9000, record, &m, 2);
    /* The deadline comes first: false, and time stands at the deadline. */
    ck_assert(!sched_run_until_pred(&s, reached_three, &m, 5000));
    ck_assert_int_eq(sched_now(&s), 5000);
    ck_assert_int_eq(m.count, 1);
    sched_free(&s);
}
END_TEST

START_TEST(due_times_clamp_instead_of_overflowing)
{
    struct sched s;
    sched_init(&s);
    struct log l = {.s = &s};
    sched_run_until(&s, 1000);
    sched_timer t = sched_after(&s, TIME_NS_MAX - 10, record, &l, 1);
    ck_assert_int_eq(sched_next_due(&s), TIME_NS_MAX);
    ck_assert(sched_cancel(&s, t));
    ck_assert_int_eq(time_add(TIME_NS_MAX, 5), TIME_NS_MAX);
    ck_assert_int_eq(time_add(7, 5), 12);
    sched_free(&s);
}
END_TEST

static void noop(void *ctx, uint64_t arg) { (void)ctx, (void)arg; }

START_TEST(heap_stays_ordered_under_random_schedule_and_cancel)
{
    struct sched s;
    sched_init(&s);
    struct rng r;
    rng_init(&r, 42, "test", 0);
    sched_timer live[512];
    int live_count = 0;
    for (int round = 0; round < 20000; round++) {
        uint64_t op = rng_below(&r, 10);
        if (op < 5 && live_count < 512) {
            live[live_count++] = sched_after(&s, (time_ns)rng_below(&r, 1000), noop, NULL, 0);
        } else if (op < 7 && live_count > 0) {
            int i = (int)rng_below(&r, (uint64_t)live_count);
            sched_cancel(&s, live[i]);
            live[i] = live[--live_count];
        } else {
            time_ns before = sched_now(&s);
            sched_step(&s);
            ck_assert_int_ge(sched_now(&s), before);
        }
        if (round % 97 == 0) {
            ck_assert(sched_check(&s));
        }
    }
    ck_assert(sched_check(&s));
    sched_free(&s);
}
END_TEST

static Suite *sched_suite(void)
{
    Suite *s = suite_create("sched");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, events_fire_in_time_order_then_insertion_order);
    tcase_add_test(tc, cancelled_timer_never_fires_and_stale_cancel_is_harmless);
    tcase_add_test(tc, a_callback_cancels_a_timer_due_at_the_same_instant);
    tcase_add_test(tc, run_until_stops_at_the_boundary_and_sets_now);
    tcase_add_test(tc, run_until_predicate_stops_at_the_event_that_satisfies_it);
    tcase_add_test(tc, due_times_clamp_instead_of_overflowing);
    tcase_add_test(tc, heap_stays_ordered_under_random_schedule_and_cancel);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sched_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
