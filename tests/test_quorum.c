/* test_quorum.c — the KRaft quorum under the nemesis: seed sweeps, planted bugs, liveness.
 * The scenarios are the shipped Lua ones (scenarios/quorum.lua, quorum5, calm), run in-process. */
#define _GNU_SOURCE /* fopencookie */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lua/runtime.h"
#include "lua/shipped.h"
#include "scenario/scenario.h"

/* The shipped scenario `name` (scenarios/NAME.lua), as `kraftsim run --scenario NAME` runs it. */
static void run_shipped(const char *name, const struct run_opts *opts, struct run_result *r)
{
    const struct shipped_file *f = shipped_scenario(name);
    ck_assert_msg(f != NULL, "no shipped scenario %s", name);
    char chunk[128];
    snprintf(chunk, sizeof chunk, "scenarios/%s", f->path);
    lua_scenario_run(chunk, f->text, f->len, true, opts, r);
}

static struct run_result run_release(const char *name, uint64_t seed, const char *planted_bug,
                                     const char *kafka_version)
{
    FILE *devnull = fopen("/dev/null", "w");
    struct run_opts opts = {.seed = seed, .out = devnull, .planted_bug = planted_bug,
                            .kafka_version = kafka_version};
    struct run_result r;
    memset(&r, 0, sizeof r);
    run_shipped(name, &opts, &r);
    fclose(devnull);
    ck_assert_msg(r.config_error[0] == '\0', "%s", r.config_error);
    return r;
}

static struct run_result run(const char *name, uint64_t seed, const char *planted_bug)
{
    return run_release(name, seed, planted_bug, NULL);
}

/* The sanitizer build (-O0, ASan, UBSan) is ten times slower: it sweeps a fifth of the seeds,
 * the optimised build all of them, so CI stays well inside its time. */
#ifdef KRAFTSIM_SANITIZE
#define SWEEP_DIVISOR 5
#else
#define SWEEP_DIVISOR 1
#endif

static void sweep(const char *name, uint64_t seeds, const char *kafka_version)
{
    seeds /= SWEEP_DIVISOR;
    for (uint64_t seed = 1; seed <= seeds; seed++) {
        struct run_result r = run_release(name, seed, NULL, kafka_version);
        if (r.violations != 0) {
            ck_abort_msg("%s (Kafka %s) seed %llu: %u violations; first: %s", name,
                         kafka_version != NULL ? kafka_version : "trunk",
                         (unsigned long long)seed, r.violations, r.first_violation);
        }
        ck_assert_int_eq(r.virtual_end, 40 * NS_PER_S);
    }
}

START_TEST(three_voters_500_seeds_of_faults_zero_violations_and_live_after_healing)
{
    sweep("quorum", 500, NULL);
}
END_TEST

START_TEST(five_voters_500_seeds_of_faults_zero_violations_and_live_after_healing)
{
    sweep("quorum5", 500, NULL);
}
END_TEST

START_TEST(kafka_3_4_without_pre_vote_or_check_quorum_200_seeds_each_of_3_and_5_voters)
{
    sweep("quorum", 200, "3.4");
    sweep("quorum5", 200, "3.4");
}
END_TEST

/* The checkers that guard committed data: any of them may be the first to see it go. */
static bool lost_committed_data(const char *violation)
{
    return strstr(violation, "committed-stable") != NULL ||
           strstr(violation, "hw-within-log") != NULL ||
           strstr(violation, "hw-majority") != NULL ||
           strstr(violation, "truncate-below-high-watermark") != NULL;
}

static uint64_t first_failing_seed(const char *name, const char *bug, const char *version,
                                   uint64_t limit)
{
    for (uint64_t seed = 1; seed <= limit; seed++) {
        struct run_result r = run_release(name, seed, bug, version);
        if (r.violations > 0) {
            ck_assert_msg(lost_committed_data(r.first_violation),
                          "seed %llu: expected lost committed data, got: %s",
                          (unsigned long long)seed, r.first_violation);
            return seed;
        }
    }
    return 0;
}

START_TEST(planted_vote_without_log_check_on_kafka_3_4_is_caught_within_200_seeds)
{
    /* A voter that grants without comparing logs elects a leader missing committed records:
     * the committed log changes under the checker's eyes. Without pre-vote (3.x) a stale node
     * stands for election at once. (On trunk, pre-vote hides this bug well: followers that
     * hear from their leader refuse pre-votes whatever the logs say, and the first seed that
     * shows it is 438.) */
    uint64_t seed = first_failing_seed("quorum", "vote-without-log-check", "3.4", 200);
    ck_assert_msg(seed > 0, "no seed in 1..200 exposed the planted bug");
}
END_TEST

START_TEST(planted_high_watermark_on_minority_is_caught_within_200_seeds)
{
    ck_assert_msg(first_failing_seed("quorum", "hw-on-minority", NULL, 200) > 0,
                  "trunk: no seed in 1..200 exposed the planted bug");
    ck_assert_msg(first_failing_seed("quorum", "hw-on-minority", "3.4", 200) > 0,
                  "3.4: no seed in 1..200 exposed the planted bug");
}
END_TEST

START_TEST(planted_snapshot_that_drops_a_record_is_caught_within_200_seeds)
{
    /* A node that loads such a snapshot (after a restart, or by FetchSnapshot) holds another
     * state than the nodes that replayed the log: the state-machine checker sees it. */
    uint64_t found = 0;
    for (uint64_t seed = 1; seed <= 200 && found == 0; seed++) {
        struct run_result r = run("quorum", seed, "snapshot-drops-a-record");
        if (r.violations > 0) {
            ck_assert_msg(strstr(r.first_violation, "state-machine") != NULL, "seed %llu: %s",
                          (unsigned long long)seed, r.first_violation);
            found = seed;
        }
    }
    ck_assert_msg(found > 0, "no seed in 1..200 exposed the planted bug");
}
END_TEST

START_TEST(same_seed_same_hash_and_a_leader_is_elected)
{
    struct run_result a = run("quorum", 11, NULL);
    struct run_result b = run("quorum", 11, NULL);
    ck_assert_uint_eq(a.trace_hash, b.trace_hash);
    ck_assert_uint_ne(a.trace_hash, run("quorum", 12, NULL).trace_hash);
    ck_assert_uint_gt(a.trace_events, 1000);
}
END_TEST

/* Counts "segments_deleted=N" with N > 0 in the console trace as it streams by, storing none
 * of it: a long run's trace is far too big to keep. */
struct deletions {
    char tail[32];
    uint64_t count;
};

static ssize_t count_deletions(void *cookie, const char *buf, size_t len)
{
    struct deletions *d = cookie;
    static const char needle[] = "segments_deleted=";
    char joined[sizeof d->tail + 4096];
    size_t done = 0;
    while (done < len) {
        size_t keep = strlen(d->tail);
        size_t take = len - done < 4096 ? len - done : 4096;
        memcpy(joined, d->tail, keep);
        memcpy(joined + keep, buf + done, take);
        joined[keep + take] = '\0';
        for (const char *p = strstr(joined, needle); p != NULL; p = strstr(p + 1, needle)) {
            char digit = p[sizeof needle - 1];
            d->count += digit >= '1' && digit <= '9';
        }
        size_t n = keep + take;
        size_t from = n > sizeof d->tail - 1 ? n - (sizeof d->tail - 1) : 0;
        memcpy(d->tail, joined + from, n - from + 1);
        done += take;
    }
    return (ssize_t)len;
}

START_TEST(long_calm_run_deletes_rolled_segments_and_the_checkers_stay_clean)
{
    /* KafkaMetadataLog.deleteBeforeSnapshot / deleteLogStartOffsetBreachedSegments (trunk
     * KafkaRaftLog): with metadata.log.segment.bytes at Kafka's minimum (8 MiB) the calm quorum
     * rolls its first segment after about 23 virtual minutes, and the next clean deletes it on
     * every node; the raft checker then drops its tables below every node's first segment
     * (its window_at asserts nothing below is ever asked for). 30 minutes: three deletions. */
    struct deletions d = {{0}, 0};
    FILE *trace = fopencookie(&d, "w", (cookie_io_functions_t){.write = count_deletions});
    ck_assert_ptr_nonnull(trace);
    struct run_opts opts = {.seed = 1, .out = trace, .trace_console = true,
                            .duration = 30 * 60 * NS_PER_S};
    struct run_result r;
    memset(&r, 0, sizeof r);
    run_shipped("calm", &opts, &r);
    fclose(trace);
    ck_assert_msg(r.violations == 0, "%s", r.first_violation);
    ck_assert_int_eq(r.virtual_end, 30 * 60 * NS_PER_S);
    ck_assert_uint_eq(d.count, 3);
}
END_TEST

/* A kafka.version of 600 or 700 characters (the CLI refuses it first; this is the depth below)
 * is one clean line naming the node's config, in every quorum scenario: once it was a stack
 * write past the C scenario's buffer. */
START_TEST(overlong_kafka_version_is_a_clean_config_error)
{
    static char version[701];
    static const char *const names[] = {"quorum", "quorum5", "failover", "calm"};
    for (size_t l = 600; l <= 700; l += 100) {
        memset(version, 'v', l);
        version[l] = '\0';
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            FILE *devnull = fopen("/dev/null", "w");
            struct run_opts opts = {.seed = 1, .out = devnull, .kafka_version = version};
            struct run_result r;
            memset(&r, 0, sizeof r);
            run_shipped(names[i], &opts, &r);
            fclose(devnull);
            char want[64];
            snprintf(want, sizeof want, "scenarios/%s.lua:", names[i]);
            ck_assert_msg(strncmp(r.config_error, want, strlen(want)) == 0 &&
                              strstr(r.config_error, ": node controller-1: Invalid value vvvv"),
                          "%s, %zu: %s", names[i], l, r.config_error);
            ck_assert_ptr_null(strchr(r.config_error, '\n'));
        }
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("quorum");
    TCase *tc = tcase_create("sweeps");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, same_seed_same_hash_and_a_leader_is_elected);
    tcase_add_test(tc, long_calm_run_deletes_rolled_segments_and_the_checkers_stay_clean);
    tcase_add_test(tc, planted_vote_without_log_check_on_kafka_3_4_is_caught_within_200_seeds);
    tcase_add_test(tc, planted_high_watermark_on_minority_is_caught_within_200_seeds);
    tcase_add_test(tc, planted_snapshot_that_drops_a_record_is_caught_within_200_seeds);
    tcase_add_test(tc, three_voters_500_seeds_of_faults_zero_violations_and_live_after_healing);
    tcase_add_test(tc, five_voters_500_seeds_of_faults_zero_violations_and_live_after_healing);
    tcase_add_test(tc, kafka_3_4_without_pre_vote_or_check_quorum_200_seeds_each_of_3_and_5_voters);
    suite_add_tcase(s, tc);
    TCase *config = tcase_create("config");
    tcase_add_test(config, overlong_kafka_version_is_a_clean_config_error);
    suite_add_tcase(s, config);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
