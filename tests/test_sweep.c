/* test_sweep.c — the sweep's parts: seed ranges and shards, the recheck pick, the worker pool
 * (a crashing seed, a stop), failure signatures, and a sweep that finds a sweep_bug bug. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua/runtime.h"
#include "lua/shipped.h"
#include "sweep/pool.h"
#include "sweep/report.h"
#include "sweep/seeds.h"

/* Every shard's seeds, together, are the range, each once, each inside it, each one the shard
 * says it contains. */
static void check_cover(uint64_t first, uint64_t last, uint32_t n)
{
    uint64_t span = last - first + 1;
    ck_assert_uint_le(span, 4096);
    unsigned char seen[4096] = {0};
    for (uint32_t i = 0; i < n; i++) {
        struct sweep_seeds s = {.first = first, .last = last, .shard_index = i, .shard_count = n};
        uint64_t count = sweep_seeds_count(&s);
        for (uint64_t k = 0; k < count; k++) {
            uint64_t seed = sweep_seeds_at(&s, k);
            ck_assert(seed >= first && seed <= last);
            ck_assert(sweep_seeds_contains(&s, seed));
            ck_assert_int_eq(seen[seed - first]++, 0);
        }
    }
    for (uint64_t k = 0; k < span; k++) {
        ck_assert_msg(seen[k] == 1, "seed %llu of %llu..%llu in no shard of %u",
                      (unsigned long long)(first + k), (unsigned long long)first,
                      (unsigned long long)last, n);
    }
}

START_TEST(shards_cover_every_seed_exactly_once)
{
    static const uint32_t shards[] = {1, 2, 3, 7, 999, 1000, 1001, 5000};
    for (size_t i = 0; i < sizeof shards / sizeof shards[0]; i++) {
        check_cover(1, 1000, shards[i]);
        check_cover(0, 0, shards[i]);
        check_cover(UINT64_MAX - 10, UINT64_MAX, shards[i]); /* no overflow at the top */
    }
}
END_TEST

START_TEST(ranges_and_shards_parse_as_written_and_refuse_the_rest)
{
    struct sweep_seeds s = {0};
    const char *why = NULL;
    ck_assert(sweep_seeds_parse_range("1..1000", &s, &why));
    ck_assert(s.first == 1 && s.last == 1000);
    ck_assert(sweep_seeds_parse_range("42", &s, &why));
    ck_assert(s.first == 42 && s.last == 42);
    ck_assert(sweep_seeds_parse_range("0..18446744073709551615", &s, &why));
    ck_assert(s.last == UINT64_MAX);
    static const char *const bad_ranges[] = {"", "1..", "..3", "3..1", "a", "1...3", "-1..3",
                                             "1..2x", "0x1..3", "18446744073709551616"};
    for (size_t i = 0; i < sizeof bad_ranges / sizeof bad_ranges[0]; i++) {
        ck_assert_msg(!sweep_seeds_parse_range(bad_ranges[i], &s, &why), "%s", bad_ranges[i]);
    }
    ck_assert(sweep_seeds_parse_shard("3/4", &s, &why));
    ck_assert(s.shard_index == 3 && s.shard_count == 4);
    static const char *const bad_shards[] = {"4/4", "1/0", "-1/3", "1/", "/3", "1:3", "1/3/4"};
    for (size_t i = 0; i < sizeof bad_shards / sizeof bad_shards[0]; i++) {
        ck_assert_msg(!sweep_seeds_parse_shard(bad_shards[i], &s, &why), "%s", bad_shards[i]);
    }
}
END_TEST

START_TEST(recheck_picks_about_its_share_of_seeds_the_same_every_time)
{
    uint64_t five = 0, all = 0, none = 0;
    for (uint64_t seed = 1; seed <= 10000; seed++) {
        five += sweep_seeds_recheck(seed, 5);
        all += sweep_seeds_recheck(seed, 100);
        none += sweep_seeds_recheck(seed, 0);
        ck_assert(sweep_seeds_recheck(seed, 5) == sweep_seeds_recheck(seed, 5));
    }
    ck_assert_uint_ge(five, 400);
    ck_assert_uint_le(five, 600);
    ck_assert_uint_eq(all, 10000);
    ck_assert_uint_eq(none, 0);
}
END_TEST

/* ---- the pool ------------------------------------------------------------------------------ */

static int fake_seed(void *ctx, uint64_t seed, struct run_result *r)
{
    (void)ctx;
    if (seed == 3) {
        abort(); /* a seed whose process dies: its own failure, not the sweep's */
    }
    r->trace_hash = seed * 7; /* proves the result crossed the pipe */
    if (seed == 5) {
        run_result_violation(r, "raft", "raft: hw-majority: sweep_bug at 1 s");
        return 1;
    }
    return 0;
}

struct collected {
    struct sweep_outcome o[16];
    int n;
    int stop_after;
};

static bool collect(void *ctx, const struct sweep_outcome *o)
{
    struct collected *c = ctx;
    c->o[c->n++] = *o;
    return c->stop_after == 0 || c->n < c->stop_after;
}

START_TEST(pool_runs_every_seed_once_and_a_crash_is_that_seed_failure)
{
    static struct collected c; /* 16 outcomes: too big for Check's stack */
    memset(&c, 0, sizeof c);
    uint64_t seeds[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    struct sweep_pool p = {.jobs = 3, .run = fake_seed, .done = collect, .done_ctx = &c};
    ck_assert_uint_eq(sweep_pool_run(&p, seeds, 8), 8);
    ck_assert_int_eq(c.n, 8);
    unsigned seen = 0;
    for (int i = 0; i < c.n; i++) {
        const struct sweep_outcome *o = &c.o[i];
        seen |= 1u << o->seed;
        if (o->seed == 3) {
            ck_assert_int_eq(o->exit_code, -1);
            ck_assert_int_eq(o->term_signal, SIGABRT);
            struct sweep_row row;
            sweep_row_of(o, "kraftsim run x.lua --seed 3", &row);
            ck_assert_int_eq(row.verdict, SWEEP_FAIL);
            ck_assert_str_eq(row.checkers, "crash:1");
        } else {
            ck_assert_int_eq(o->exit_code, o->seed == 5 ? 1 : 0);
            ck_assert_uint_eq(o->r.trace_hash, o->seed * 7);
        }
    }
    ck_assert_uint_eq(seen, 0x1FEu); /* seeds 1 to 8, each once */
}
END_TEST

START_TEST(pool_stops_starting_seeds_when_told)
{
    static struct collected c;
    memset(&c, 0, sizeof c);
    c.stop_after = 2;
    uint64_t seeds[8] = {1, 2, 4, 6, 7, 8, 9, 10};
    struct sweep_pool p = {.jobs = 2, .run = fake_seed, .done = collect, .done_ctx = &c};
    uint64_t got = sweep_pool_run(&p, seeds, 8);
    ck_assert_uint_ge(got, 2);
    ck_assert_uint_le(got, 3); /* the two asked for, and one that was running */
}
END_TEST

START_TEST(signatures_group_failures_that_differ_only_in_numbers)
{
    struct sweep_row a = {.seed = 17, .verdict = SWEEP_FAIL}, b = a;
    snprintf(a.checkers, sizeof a.checkers, "history:3");
    snprintf(b.checkers, sizeof b.checkers, "history:1 raft:2");
    snprintf(a.first, sizeof a.first, "history: lost-write: value 1000000401 from producer-1 at "
             "orders-0 offset 401 at 8.840000 s");
    snprintf(b.first, sizeof b.first, "history: lost-write: value 2000000007 from producer-2 at "
             "orders-3 offset 12 at 0.5 s");
    char x[400], y[400];
    sweep_signature(&a, x, sizeof x);
    sweep_signature(&b, y, sizeof y);
    ck_assert_str_eq(x, "history: lost-write: value N from producer-N at orders-N offset N at N s");
    ck_assert_str_eq(x, y);
    snprintf(b.first, sizeof b.first, "history: duplicate: value 7 at orders-0 offset 3");
    sweep_signature(&b, y, sizeof y);
    ck_assert_str_ne(x, y);
    /* two check.expect lines of one script are two failures; their seeds and times are not */
    snprintf(a.checkers, sizeof a.checkers, "expect:1");
    b = a;
    snprintf(a.first, sizeof a.first, "expect (two.lua:5): not a multiple of 3 at 1.21 s");
    snprintf(b.first, sizeof b.first, "expect (two.lua:6): not a multiple of 4 at 1.21 s");
    sweep_signature(&a, x, sizeof x);
    sweep_signature(&b, y, sizeof y);
    ck_assert_str_eq(x, "expect: expect (two.lua:5): not a multiple of N at N s");
    ck_assert_str_ne(x, y);
}
END_TEST

/* ---- a sweep finds a sweep_bug bug ----------------------------------------------------------- */

static const char *sweep_bug;   /* the bug the seeds run with, or NULL */
static const char *sweep_chunk; /* the scenario's chunk name; NULL: the lesson's */

/* In the worker: no Check assertion here (it would fail the worker, not the test). */
static int lesson_seed(void *ctx, uint64_t seed, struct run_result *r)
{
    const struct shipped_file *f = ctx;
    struct run_opts opts = {.seed = seed, .out = stdout, .planted_bug = sweep_bug};
    lua_scenario_run(sweep_chunk != NULL ? sweep_chunk
                                          : "scenarios/lessons/acks-all-keeps-writes.lua",
                     f->text, f->len, true, &opts, r);
    return r->config_error[0] != '\0' ? 2 : r->violations > 0 ? 1 : 0;
}

static struct sweep_row rows[32];
static int row_count;

static bool keep_row(void *ctx, const struct sweep_outcome *o)
{
    (void)ctx;
    sweep_row_of(o, "kraftsim run --scenario acks-all-keeps-writes", &rows[row_count++]);
    return true;
}

/* The lesson passes on every seed; with a leader that advances its high watermark past a
 * lagging ISR member (a test hook), a sweep of the same seeds fails on the history checker. */
START_TEST(a_small_sweep_fails_with_a_planted_bug_and_passes_without)
{
    uint64_t seeds[4] = {1, 2, 3, 4};
    const char *bugs[2] = {NULL, "hw-past-lagging-isr"};
    const struct shipped_file *lesson = shipped_scenario("acks-all-keeps-writes");
    ck_assert_ptr_nonnull(lesson);
    for (int b = 0; b < 2; b++) {
        row_count = 0;
        sweep_bug = bugs[b];
        struct sweep_pool p = {.jobs = 2, .run = lesson_seed, .run_ctx = (void *)lesson,
                               .done = keep_row};
        ck_assert_uint_eq(sweep_pool_run(&p, seeds, 4), 4);
        int failed = 0;
        for (int i = 0; i < row_count; i++) {
            failed += rows[i].verdict == SWEEP_FAIL;
            ck_assert(rows[i].verdict != SWEEP_ERROR);
        }
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        sweep_report_print(out, "lesson acks-all-keeps-writes", rows, (uint64_t)row_count, 1);
        fclose(out);
        if (bugs[b] == NULL) {
            ck_assert_int_eq(failed, 0);
            ck_assert_ptr_nonnull(strstr(text, "every check passed on every seed"));
        } else {
            ck_assert_int_ge(failed, 1);
            ck_assert_msg(strstr(text, "\nhistory ") != NULL, "%s", text);
            ck_assert_ptr_nonnull(strstr(text, "failures, "));
        }
        free(text);
    }
}
END_TEST

/* The swarm scenario, 24 seeds: clean without a bug; with the leader that advances its high
 * watermark past a lagging ISR member, some seed that drew the data path fails, and the
 * report counts the faults the seeds drew. */
START_TEST(a_swarm_sweep_finds_a_planted_bug)
{
    uint64_t seeds[24];
    for (int i = 0; i < 24; i++) {
        seeds[i] = (uint64_t)i + 1;
    }
    const struct shipped_file *swarm = shipped_scenario("swarm");
    ck_assert_ptr_nonnull(swarm);
    const char *bugs[2] = {NULL, "hw-past-lagging-isr"};
    for (int b = 0; b < 2; b++) {
        row_count = 0;
        sweep_bug = bugs[b];
        sweep_chunk = "scenarios/swarm.lua";
        struct sweep_pool p = {.jobs = 2, .run = lesson_seed, .run_ctx = (void *)swarm,
                               .done = keep_row};
        ck_assert_uint_eq(sweep_pool_run(&p, seeds, 24), 24);
        int failed = 0;
        for (int i = 0; i < row_count; i++) {
            failed += rows[i].verdict == SWEEP_FAIL;
            ck_assert_msg(rows[i].verdict != SWEEP_ERROR, "%s", rows[i].first);
            ck_assert_ptr_nonnull(strstr(rows[i].draw, "faults="));
        }
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        sweep_report_print(out, "swarm", rows, (uint64_t)row_count, 1);
        fclose(out);
        ck_assert_msg(strstr(text, "faults drawn (of 24 swarm seeds; failed):") != NULL, "%s",
                      text);
        if (bugs[b] == NULL) {
            ck_assert_msg(failed == 0, "%s", text);
        } else {
            ck_assert_msg(failed >= 1, "%s", text);
        }
        free(text);
    }
    sweep_chunk = NULL;
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sweep");
    TCase *tc = tcase_create("sweep");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, shards_cover_every_seed_exactly_once);
    tcase_add_test(tc, ranges_and_shards_parse_as_written_and_refuse_the_rest);
    tcase_add_test(tc, recheck_picks_about_its_share_of_seeds_the_same_every_time);
    tcase_add_test(tc, pool_runs_every_seed_once_and_a_crash_is_that_seed_failure);
    tcase_add_test(tc, pool_stops_starting_seeds_when_told);
    tcase_add_test(tc, signatures_group_failures_that_differ_only_in_numbers);
    tcase_add_test(tc, a_small_sweep_fails_with_a_planted_bug_and_passes_without);
    tcase_add_test(tc, a_swarm_sweep_finds_a_planted_bug);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
