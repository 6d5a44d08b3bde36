/* test_world.c — whole runs: determinism, the ping scenario's checker, and its planted bug.
 * The ping scenario is the shipped Lua one (scenarios/ping.lua over kraft.ping), run in-process. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "lua/runtime.h"
#include "lua/shipped.h"
#include "scenario/scenario.h"

static void run_shipped(const char *name, const struct run_opts *opts, struct run_result *r)
{
    const struct shipped_file *f = shipped_scenario(name);
    ck_assert_msg(f != NULL, "no shipped scenario %s", name);
    char chunk[128];
    snprintf(chunk, sizeof chunk, "scenarios/%s", f->path);
    lua_scenario_run(chunk, f->text, f->len, true, opts, r);
    ck_assert_msg(r->config_error[0] == '\0', "%s", r->config_error);
}

static struct run_result run(const char *name, uint64_t seed, const char *planted_bug)
{
    FILE *devnull = fopen("/dev/null", "w");
    struct run_opts opts = {.seed = seed, .out = devnull, .planted_bug = planted_bug};
    struct run_result r;
    memset(&r, 0, sizeof r);
    run_shipped(name, &opts, &r);
    fclose(devnull);
    return r;
}

START_TEST(same_seed_twice_gives_the_same_trace_hash)
{
    struct run_result a = run("ping", 7, NULL);
    struct run_result b = run("ping", 7, NULL);
    ck_assert_uint_eq(a.trace_hash, b.trace_hash);
    ck_assert_uint_eq(a.trace_events, b.trace_events);
    ck_assert_uint_eq(a.sched_events, b.sched_events);
    ck_assert_int_eq(a.virtual_end, 15 * NS_PER_S);
    ck_assert_uint_gt(a.trace_events, 500); /* a run that did something */
}
END_TEST

START_TEST(different_seeds_give_different_trace_hashes)
{
    uint64_t hashes[16];
    for (int i = 0; i < 16; i++) {
        hashes[i] = run("ping", (uint64_t)i + 1, NULL).trace_hash;
        for (int j = 0; j < i; j++) {
            ck_assert_uint_ne(hashes[i], hashes[j]);
        }
    }
}
END_TEST

START_TEST(ping_ring_keeps_persist_before_send_over_300_seeds)
{
    /* Every seed crashes one host, power-fails another, partitions, pauses and drifts: the
     * sequence numbers each host sends must still only grow. */
    for (uint64_t seed = 1; seed <= 300; seed++) {
        struct run_result r = run("ping", seed, NULL);
        if (r.violations != 0) {
            ck_abort_msg("seed %llu: %s", (unsigned long long)seed, r.first_violation);
        }
    }
}
END_TEST

START_TEST(planted_send_before_fsync_is_caught_within_200_seeds)
{
    /* With the ping sent before its number is durable, a power failure can roll the number
     * back and the host sends it again: the checker must see that on some seed. */
    uint64_t found = 0;
    for (uint64_t seed = 1; seed <= 200 && found == 0; seed++) {
        struct run_result r = run("ping", seed, "ping-send-before-fsync");
        if (r.violations > 0) {
            found = seed;
            ck_assert_ptr_nonnull(strstr(r.first_violation, "ping-monotonic"));
        }
    }
    ck_assert_msg(found > 0, "no seed in 1..200 exposed the planted bug");
}
END_TEST

START_TEST(duration_option_bounds_virtual_time)
{
    FILE *devnull = fopen("/dev/null", "w");
    struct run_opts opts = {.seed = 3, .out = devnull, .duration = 7 * NS_PER_S};
    struct run_result r;
    memset(&r, 0, sizeof r);
    run_shipped("ping", &opts, &r);
    fclose(devnull);
    ck_assert_int_eq(r.virtual_end, 7 * NS_PER_S);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("world");
    TCase *tc = tcase_create("runs");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, same_seed_twice_gives_the_same_trace_hash);
    tcase_add_test(tc, different_seeds_give_different_trace_hashes);
    tcase_add_test(tc, ping_ring_keeps_persist_before_send_over_300_seeds);
    tcase_add_test(tc, planted_send_before_fsync_is_caught_within_200_seeds);
    tcase_add_test(tc, duration_option_bounds_virtual_time);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
