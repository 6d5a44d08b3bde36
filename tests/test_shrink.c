/* test_shrink.c — kraftsim shrink: a planted bug found by a swarm sweep, shrunk to a scenario
 * that still fails the same checker with fewer faults; exact playback of every fault kind;
 * kraft.shrunk's refusals. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua/runtime.h"
#include "lua/shipped.h"
#include "shrink/shrink.h"
#include "sweep/pool.h"

static struct shrink s; /* large: a capture and cases */

/* ---- a swarm sweep finds a planted bug; shrink takes the seed apart ------------------------- */

static const char *const bug = "hw-past-lagging-isr";

/* In the worker: one swarm seed with the bug (no Check assertion here). */
static int swarm_seed(void *ctx, uint64_t seed, struct run_result *r)
{
    const struct shipped_file *f = ctx;
    struct run_opts opts = {.seed = seed, .out = stdout, .planted_bug = bug};
    lua_scenario_run("scenarios/swarm.lua", f->text, f->len, true, &opts, r);
    return r->config_error[0] != '\0' ? 2 : r->violations > 0 ? 1 : 0;
}

static uint64_t failing_seed;
static char failing_checker[RUN_CHECKER_NAME];

static bool first_failure(void *ctx, const struct sweep_outcome *o)
{
    (void)ctx;
    if (o->exit_code == 1 && (failing_seed == 0 || o->seed < failing_seed)) {
        failing_seed = o->seed;
        snprintf(failing_checker, sizeof failing_checker, "%s", o->r.checkers[0].name);
    }
    return true;
}

START_TEST(a_swarm_failure_shrinks_to_fewer_faults_and_still_fails)
{
    const struct shipped_file *swarm = shipped_scenario("swarm");
    ck_assert_ptr_nonnull(swarm);
    uint64_t seeds[12];
    for (int i = 0; i < 12; i++) {
        seeds[i] = (uint64_t)i + 1;
    }
    struct sweep_pool p = {.jobs = 2, .run = swarm_seed, .run_ctx = (void *)swarm,
                           .done = first_failure};
    ck_assert_uint_eq(sweep_pool_run(&p, seeds, 12), 12);
    ck_assert_msg(failing_seed != 0, "no swarm seed of 1..12 fails with %s", bug);

    s = (struct shrink){.chunk = "scenarios/swarm.lua", .text = swarm->text, .len = swarm->len,
                        .shipped = true, .seed = failing_seed, .planted_bug = bug, .jobs = 2};
    ck_assert_msg(shrink_run(&s), "%s", s.error);
    ck_assert_str_eq(s.checker, failing_checker);
    ck_assert_msg(s.exact, "played back from its faults, seed %llu has another trace hash",
                  (unsigned long long)failing_seed);
    int drawn = fault_log_kept(&s.capture.nemesis);
    ck_assert_int_lt(s.best.fault_count, drawn);
    ck_assert_int_le(s.best.duration, s.capture.duration);

    /* The scenario as written, run as a user runs it: the same checker fails, with fewer faults
     * injected than the sweep's run injected. */
    char *text = shrink_script(&s, &s.best, "runs/shrunk.lua", "a test");
    ck_assert_ptr_nonnull(strstr(text, "kraft.shrunk{"));
    ck_assert_ptr_nonnull(strstr(text, swarm->text));
    struct run_result r;
    int rc = shrink_try(&s, "runs/shrunk.lua", text, &r);
    ck_assert_msg(rc == 1, "the shrunk scenario exits %d: %s", rc, r.config_error);
    ck_assert_ptr_nonnull(run_result_checker(&r, failing_checker));
    ck_assert_uint_lt(r.faults, s.original.faults);
    /* Without the bug it passes: the failure is the bug's, not the shrink's. */
    s.planted_bug = NULL;
    ck_assert_int_eq(shrink_try(&s, "runs/shrunk.lua", text, &r), 0);
    free(text);
}
END_TEST

/* ---- every fault kind plays back to the same trace ----------------------------------------- */

static const char every_kind[] =
    "local c = kraft.cluster{ combined = 3, brokers = 2 }\n"
    "local d = kraft.duration{ default = 30 * s, min = 5 * s }\n"
    "c:start()\n"
    "c:nemesis{ faults = { 'partition', 'isolate', 'isolate-leader', 'split', 'one-way-cut',\n"
    "  'bridge', 'crash', 'power-failure', 'stop', 'pause', 'clock', 'disk', 'lossy-network' },\n"
    "  every = 500 * ms, until_ = now() + d }\n"
    "sleep(d)\n"
    "check.liveness{ within = 60 * s }\n"
    "check.expect(false, 'this scenario always fails')\n";

/* A failure no fault causes: played back exactly (60 faults, one every 500 ms for 30 s), it
 * shrinks to no faults and a short run. */
START_TEST(every_fault_kind_plays_back_exactly_and_a_failure_without_faults_keeps_none)
{
    s = (struct shrink){.chunk = "every-kind.lua", .text = every_kind,
                        .len = strlen(every_kind), .seed = 5, .jobs = 2};
    ck_assert_msg(shrink_run(&s), "%s", s.error);
    ck_assert_str_eq(s.checker, "expect");
    ck_assert_int_ge(fault_log_kept(&s.capture.nemesis), 50);
    ck_assert_msg(s.exact, "the playback of 60 faults of every kind differs from the run");
    ck_assert_int_eq(s.best.fault_count, 0);
    ck_assert_int_lt(s.best.duration, 10 * NS_PER_S); /* 5 s is the scenario's least */
    ck_assert_int_ge(s.best.duration, 5 * NS_PER_S);
    ck_assert_int_eq(s.best.combined + s.best.brokers, 1);
}
END_TEST

/* ---- kraft.shrunk refuses what it cannot play ------------------------------------------------ */

static void refused(const char *call, const char *says)
{
    char text[1024];
    snprintf(text, sizeof text, "%s\n%s", call, every_kind);
    struct run_result r = {0};
    struct run_opts opts = {.seed = 5, .out = stdout};
    FILE *quiet = fopen("/dev/null", "w");
    opts.out = quiet;
    lua_scenario_run("refused.lua", text, strlen(text), false, &opts, &r);
    fclose(quiet);
    ck_assert_msg(strstr(r.config_error, says) != NULL, "%s: got '%s'", call, r.config_error);
}

START_TEST(kraft_shrunk_refuses_what_it_cannot_play)
{
    refused("kraft.shrunk{ seed = 6 }", "shrunk from seed 6; run it with --seed 6");
    refused("kraft.shrunk{ seed = 5, faults = { { at = 1 * s, 'melt', 'kafka-1' } } }",
            "faults[1] wants { at = T");
    refused("kraft.shrunk{ seed = 5, faults = { { at = 1 * s, 'crash', 'kafka-9' } } }",
            "faults[1] (crash kafka-9): no node named kafka-9");
    refused("kraft.shrunk{ seed = 5, faults = { { at = 1 * s, 'split', 'kafka-1 kafka-2' } } }",
            "wants \"a b | c d\"");
    refused("kraft.shrunk{ seed = 5, faults = { { at = 2 * s, 'crash', 'kafka-1' },"
            " { at = 1 * s, 'crash', 'kafka-2' } } }", "list them in order");
    refused("kraft.shrunk{ seed = 5, faults = { { at = 1 * s, 'disk', 'kafka-1 slow' } } }",
            "\"node slow N ms\" or \"node stall\"");
    refused("kraft.shrunk{ seed = 5, cluster = { combined = 'x' } }", "cluster.combined wants");
    refused("kraft.shrunk{ seed = 5, color = 1 }", "unknown field color");
    refused("kraft.shrunk{ seed = 5, kafka_version = '0.8' }", "kafka_version '0.8'");
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("shrink");
    TCase *tc = tcase_create("shrink");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, kraft_shrunk_refuses_what_it_cannot_play);
    tcase_add_test(tc, every_fault_kind_plays_back_exactly_and_a_failure_without_faults_keeps_none);
    tcase_add_test(tc, a_swarm_failure_shrinks_to_fewer_faults_and_still_fails);
    suite_add_tcase(suite, tc);
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
