/* test_cluster.c — the seed deployment end to end (scenarios/cluster.lua, broker-failover.lua,
 * offline-partition.lua, unclean-election.lua): topics, leaders, broker failover, sweeps. The
 * scenarios check their own claims about every run (check.expect); these tests read what a
 * run printed, and plant bugs the checkers must catch, on the data path too (the lesson
 * acks-all-keeps-writes, which passes clean, run with a broken broker). */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua/runtime.h"
#include "lua/shipped.h"
#include "scenario/scenario.h"

/* planted_observer...: a seed whose first fault (at 8 s) crashes the active controller */
#define OBSERVER_SEED 1
#define OBSERVER_VICTIM "kafka-1"

#ifdef KRAFTSIM_SANITIZE
#define SWEEP_SEEDS 100
#else
#define SWEEP_SEEDS 500
#endif

/* What a run printed, kept until the next run. */
static char *printed;

static void run(uint64_t seed, const char *version, const char *bug, const char *scenario,
                struct run_result *res)
{
    const struct shipped_file *f = shipped_scenario(scenario);
    ck_assert_msg(f != NULL, "no shipped scenario %s", scenario);
    char chunk[300];
    snprintf(chunk, sizeof chunk, "scenarios/%s", f->path);
    free(printed);
    printed = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&printed, &len);
    ck_assert_ptr_nonnull(out);
    struct run_opts opts = {.seed = seed, .out = out, .kafka_version = version,
                            .planted_bug = bug};
    memset(res, 0, sizeof *res);
    lua_scenario_run(chunk, f->text, f->len, true, &opts, res);
    fclose(out);
    ck_assert_msg(res->config_error[0] == '\0', "%s seed %llu: %s", scenario,
                  (unsigned long long)seed, res->config_error);
}

/* The text after `prefix` on the first printed line that starts with it (after `from`), or
 * NULL. */
static const char *line_after(const char *from, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *p = from; p != NULL && *p != '\0';) {
        if (strncmp(p, prefix, n) == 0) {
            return p + n;
        }
        p = strchr(p, '\n');
        p = p != NULL ? p + 1 : NULL;
    }
    return NULL;
}

/* A number printed after `prefix` on its line, or -1. */
static long number_after(const char *prefix)
{
    const char *p = line_after(printed, prefix);
    return p != NULL ? strtol(p, NULL, 10) : -1;
}

/* "partitions: N leader changes, M unclean; checked R metadata records, F fences" */
struct partition_line {
    long leader_changes, unclean, records, fences;
};

static struct partition_line partitions_line(void)
{
    struct partition_line l = {-1, -1, -1, -1};
    const char *p = line_after(printed, "partitions: ");
    ck_assert_msg(p != NULL, "no partitions line in:\n%s", printed);
    ck_assert_int_eq(sscanf(p, "%ld leader changes, %ld unclean; checked %ld metadata records, "
                            "%ld fences", &l.leader_changes, &l.unclean, &l.records, &l.fences),
                     4);
    return l;
}

/* The deployment guides' check: create a topic through one node (3 partitions, RF 3) and see
 * it described the same from every node, combined ones and brokers. */
START_TEST(a_topic_created_through_one_node_is_described_identically_by_every_node)
{
    struct run_result res;
    run(7, NULL, NULL, "cluster", &res);
    ck_assert_msg(res.violations == 0, "%s", res.first_violation);
    ck_assert_ptr_nonnull(line_after(printed, "describe from every node: identical\n"));
    const char *first = line_after(printed, "  node 1: ");
    ck_assert_ptr_nonnull(first);
    size_t first_len = strcspn(first, "\n");
    for (int i = 1; i <= 5; i++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "  node %d: ", i);
        const char *d = line_after(printed, prefix);
        ck_assert_ptr_nonnull(d);
        size_t len = strcspn(d, "\n");
        /* error=0 and three partitions, each with three replicas and a leader among them */
        ck_assert_msg(strncmp(d, "error=0 p0 leader=", 18) == 0, "%.*s", (int)len, d);
        char line[2048];
        snprintf(line, sizeof line, "%.*s", (int)len, d);
        ck_assert_ptr_nonnull(strstr(line, " p2 leader="));
        ck_assert_ptr_null(strstr(line, " p3 "));
        ck_assert_msg(len == first_len && strncmp(d, first, len) == 0, "node %d: %s", i, line);
    }
    const char *p = first;
    for (int k = 0; k < 3; k++) {
        p = strstr(p, "replicas=");
        ck_assert_ptr_nonnull(p);
        int a, b, c;
        ck_assert_int_eq(sscanf(p, "replicas=%d,%d,%d", &a, &b, &c), 3);
        ck_assert(a != b && b != c && a != c);
        p++;
    }
    /* "clicks" asked for -1/-1: num.partitions=3 from the brokers' server.properties; then the
     * script deleted it through another node. "events" was never created: broker-4's Metadata
     * answer created it (first answer LEADER_NOT_AVAILABLE, retried) with num.partitions. */
    const char *admin = line_after(printed, "admin: ");
    ck_assert_ptr_nonnull(admin);
    ck_assert_msg(strncmp(admin, "orders created; clicks with the broker defaults created, 3 "
                          "partitions, deleted ok; events auto-created with 3 partitions\n",
                          110) == 0, "%s", admin);
    /* the final kafka-topics.sh --describe: orders and events, each of 3 partitions */
    const char *topics = line_after(printed, "$ kafka-topics.sh");
    ck_assert_ptr_nonnull(topics);
    ck_assert_ptr_nonnull(strstr(topics, "Topic: orders\tTopicId: "));
    ck_assert_ptr_nonnull(strstr(topics, "Topic: events\tTopicId: "));
    ck_assert_ptr_null(strstr(topics, "Topic: clicks"));
    const char *t = topics;
    int described = 0;
    while ((t = strstr(t, "\tPartitionCount: ")) != NULL) {
        ck_assert_int_eq(strtol(t + strlen("\tPartitionCount: "), NULL, 10), 3);
        described++;
        t++;
    }
    ck_assert_int_eq(described, 2);
}
END_TEST

/* broker-failover's timing lines. */
struct failover_lines {
    long broker_crashes, broker_min, broker_max, session;
    int controller_count;
    long controller[8];
    long follow_crashes, follow_min, follow_max;
};

static struct failover_lines failover_lines(void)
{
    struct failover_lines f = {0};
    const char *p = line_after(printed, "broker crash -> its partitions have new leaders: ");
    if (p != NULL) {
        long mean;
        ck_assert_int_eq(sscanf(p, "%ld crashes, min %ld ms, mean %ld ms, max %ld ms "
                                "(broker.session.timeout.ms=%ld)", &f.broker_crashes,
                                &f.broker_min, &mean, &f.broker_max, &f.session), 5);
    }
    const char *from = printed;
    while ((p = line_after(from, "active controller crash -> new leaders: ")) != NULL &&
           f.controller_count < 8) {
        f.controller[f.controller_count++] = strtol(p, NULL, 10);
        from = p;
    }
    p = line_after(printed, "active controller crash -> every live broker fetches from the new "
                            "leader: ");
    if (p != NULL) {
        f.follow_crashes = strtol(p, NULL, 10);
        const char *min = strstr(p, ", min ");
        ck_assert_ptr_nonnull(min);
        ck_assert_int_eq(sscanf(min, ", min %ld ms, max %ld ms", &f.follow_min, &f.follow_max),
                         2);
    }
    return f;
}

/* A crashed broker stops heartbeating; the controller fences it broker.session.timeout.ms
 * after the last heartbeat it had, so the crash-to-new-leader time falls in
 * (session - heartbeat interval, session] plus a commit (broker-failover.lua checks each
 * timing to the nanosecond; here, the printed milliseconds). */
START_TEST(broker_crash_moves_its_leaderships_after_the_session_timeout)
{
    int measured = 0, controller_crashes = 0;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        struct run_result res;
        run(seed, NULL, NULL, "broker-failover", &res);
        ck_assert_msg(res.violations == 0, "seed %llu: %s", (unsigned long long)seed,
                      res.first_violation);
        struct failover_lines f = failover_lines();
        ck_assert_int_ge(f.broker_crashes + f.controller_count, 2);
        ck_assert_int_eq(f.session, 9000);
        if (f.broker_crashes > 0) {
            ck_assert_msg(f.broker_min >= 9000 - 2000 && f.broker_max <= 9000 + 200,
                          "seed %llu: %ld .. %ld ms", (unsigned long long)seed, f.broker_min,
                          f.broker_max);
        }
        for (int i = 0; i < f.controller_count; i++) {
            ck_assert_msg(f.controller[i] >= 9000 && f.controller[i] < 9000 + 6000,
                          "seed %llu: controller crash %ld ms", (unsigned long long)seed,
                          f.controller[i]);
        }
        measured += (int)f.broker_crashes;
        controller_crashes += f.controller_count;
    }
    ck_assert_int_ge(measured, 8);
    ck_assert_int_ge(controller_crashes, 2);
}
END_TEST

/* broker-failover crashes the active controller's node every third time: every live broker
 * (the dedicated ones observe the quorum) then fetches from the new leader, within the voters'
 * fetch timeout and an election, well before the new controller's session for them (9 s). */
START_TEST(controller_crash_every_live_broker_follows_the_new_leader_within_seconds)
{
    static const char *const releases[] = {NULL, "3.4", "4.1"};
    for (size_t v = 0; v < 3; v++) {
        long crashes = 0;
        for (uint64_t seed = 1; seed <= 5; seed++) {
            struct run_result res;
            run(seed, releases[v], NULL, "broker-failover", &res);
            ck_assert_msg(res.violations == 0, "seed %llu: %s", (unsigned long long)seed,
                          res.first_violation);
            struct failover_lines f = failover_lines();
            if (f.follow_crashes > 0) {
                ck_assert_msg(f.follow_min >= 2000 - 600 && f.follow_max < 4000,
                              "kafka %s seed %llu: %ld .. %ld ms",
                              releases[v] ? releases[v] : "trunk", (unsigned long long)seed,
                              f.follow_min, f.follow_max);
            }
            crashes += f.follow_crashes;
        }
        ck_assert_int_ge(crashes, 5);
    }
}
END_TEST

/* The old observer (it fetched only from the leader it knew) never finds the new controller
 * after the active controller's node dies, and the new controller fences the live brokers
 * one session (9 s) after its election: the fencing checker names them (planted bug; in the
 * Lua cluster scenario seed 3 crashes kafka-1, the active controller, at 8 s). */
START_TEST(planted_observer_fetching_only_its_leader_is_caught_fenced_while_reachable)
{
    struct run_result res;
    run(OBSERVER_SEED, NULL, "observer-fetches-leader-only", "cluster", &res);
    ck_assert_uint_ge(res.violations, 2); /* broker-4 and broker-5 */
    const char *v = res.first_violation;
    ck_assert_msg(strncmp(v, "fenced-while-reachable: broker-4 (node id 4) fenced", 51) == 0 ||
                      strncmp(v, "fenced-while-reachable: broker-5 (node id 5) fenced", 51) == 0,
                  "%s", v);
    ck_assert_msg(strstr(v, "by the active controller kafka-") != NULL, "%s", v);
    ck_assert_msg(strstr(v, OBSERVER_VICTIM " (node id") == NULL, "%s", v); /* not the dead one */
    const char *at = strstr(v, " lossless at ");
    ck_assert_ptr_nonnull(at);
    double when = strtod(at + strlen(" lossless at "), NULL);
    /* a new controller 2-4 s after the kill, then a full session */
    ck_assert_msg(when > 8 + 9 + 1.4 && when < 8 + 9 + 4, "%s", v);
    /* Without the bug, the same seed fences no live broker it could reach. */
    run(OBSERVER_SEED, NULL, NULL, "cluster", &res);
    ck_assert_msg(res.violations == 0, "%s", res.first_violation);
}
END_TEST

/* A data-path bug planted in every broker turns the clean lesson acks-all-keeps-writes into a
 * failure of the history class that bug breaks; the same seed without it passes. */
static void planted_data_bug_is_caught(const char *bug, const char *const *classes)
{
    struct run_result res;
    run(1, NULL, NULL, "acks-all-keeps-writes", &res);
    ck_assert_msg(res.violations == 0, "%s", res.first_violation);
    run(1, NULL, bug, "acks-all-keeps-writes", &res);
    ck_assert_msg(res.violations > 0, "%s: the history checker found nothing", bug);
    bool named = false;
    for (int i = 0; classes[i] != NULL; i++) {
        named = named || strncmp(res.first_violation, classes[i], strlen(classes[i])) == 0;
    }
    ck_assert_msg(named, "%s: %s", bug, res.first_violation);
}

/* acks=all waits for the ISR; a leader whose HW skips lagging ISR members acknowledges what
 * only it holds, and the crash after the cut takes it. */
START_TEST(planted_hw_past_lagging_isr_is_caught_as_lost_writes)
{
    const char *const classes[] = {"lost-write:", "inconsistent-offsets:", NULL};
    planted_data_bug_is_caught("hw-past-lagging-isr", classes);
}
END_TEST

START_TEST(planted_consumer_fetch_skipping_a_batch_is_caught_as_poll_skip)
{
    const char *const classes[] = {"poll-skip:", NULL};
    planted_data_bug_is_caught("consumer-fetch-skips-batch", classes);
}
END_TEST

/* Written, yet answered INVALID_RECORD: the producer records a definite failure, and the
 * consumer reads the value. */
START_TEST(planted_append_then_refuse_is_caught_as_aborted_read)
{
    const char *const classes[] = {"aborted-read:", NULL};
    planted_data_bug_is_caught("append-then-refuse", classes);
}
END_TEST

static void sweep(const char *version)
{
    long leader_changes = 0, faults = 0, fences = 0, graceful = 0;
    for (uint64_t seed = 1; seed <= SWEEP_SEEDS; seed++) {
        struct run_result res;
        run(seed, version, NULL, "cluster", &res);
        ck_assert_msg(res.violations == 0, "kafka %s seed %llu: %s", version ? version : "trunk",
                      (unsigned long long)seed, res.first_violation);
        struct partition_line l = partitions_line();
        leader_changes += l.leader_changes;
        fences += l.fences;
        faults += (long)res.faults; /* the fault log's total, as the verdict counts it */
        /* cluster.lua checks each clean stop of the leader took under 100 ms */
        long stops = number_after("clean stop of the raft leader -> a new leader: ");
        graceful += stops > 0 ? stops : 0;
    }
    /* the sweep did exercise failover, fencing and clean stops of the leader */
    ck_assert_int_ge(faults, 2 * SWEEP_SEEDS);
    ck_assert_int_ge(leader_changes, SWEEP_SEEDS);
    ck_assert_int_ge(fences, SWEEP_SEEDS / 10);
    ck_assert_int_ge(graceful, SWEEP_SEEDS / 50);
}

START_TEST(sweep_trunk_broker_crashes_partitions_controller_failover_no_violations)
{
    sweep(NULL);
}
END_TEST

START_TEST(sweep_kafka_3_4_no_violations)
{
    sweep("3.4");
}
END_TEST

/* Every KRaft release modelled, each with its own metadata.version (3.1 has no
 * BrokerRegistrationChangeRecord, no bootstrap metadata.version and no NoOpRecord; 3.x no ELR),
 * through the same nemesis and all four cluster scenarios. */
START_TEST(every_kraft_release_runs_the_cluster_scenarios_clean)
{
    static const char *const releases[] = {"3.1", "3.4", "3.5", "3.7", "3.9", "4.0", "4.1"};
    static const char *const scenarios[] = {"cluster", "broker-failover", "offline-partition",
                                            "unclean-election"};
    for (size_t v = 0; v < sizeof releases / sizeof releases[0]; v++) {
        for (size_t m = 0; m < sizeof scenarios / sizeof scenarios[0]; m++) {
            for (uint64_t seed = 1; seed <= 10; seed++) {
                struct run_result res;
                run(seed, releases[v], NULL, scenarios[m], &res);
                ck_assert_msg(res.violations == 0, "kafka %s %s seed %llu: %s", releases[v],
                              scenarios[m], (unsigned long long)seed, res.first_violation);
            }
        }
    }
}
END_TEST

/* The partition checker catches a controller that fences a broker before moving its
 * leaderships away. */
START_TEST(planted_fence_before_leader_moves_is_caught)
{
    int caught_at = 0;
    for (uint64_t seed = 1; seed <= 20 && caught_at == 0; seed++) {
        struct run_result res;
        run(seed, NULL, "fence-before-leader-moves", "broker-failover", &res);
        if (res.violations > 0) {
            ck_assert_msg(strstr(res.first_violation, "fenced-never-leader") != NULL, "%s",
                          res.first_violation);
            caught_at = (int)seed;
        }
    }
    ck_assert_int_eq(caught_at, 1);
}
END_TEST

/* ledger-0 as the scenario printed it at `step` (0-3): Leader, Isr, Elr and RECOVERING. */
static void expect_step(int step, const char *leader, const char *isr, const char *elr,
                        bool recovering)
{
    static const char *const when[] = {
        "  after broker-4 crashed (fenced 9 s later)", "  after broker-5 crashed too",
        "  after broker-4 came back", "  after broker-5 came back too"};
    const char *p = line_after(printed, when[step]);
    ck_assert_msg(p != NULL, "step %d missing in:\n%s", step, printed);
    char line[512];
    snprintf(line, sizeof line, "%.*s", (int)strcspn(p, "\n"), p);
    char want[128];
    snprintf(want, sizeof want, " Leader: %-5s Isr: %-5s Elr: %-5s", leader, isr, elr);
    ck_assert_msg(strstr(line, want) != NULL, "step %d: '%s', wanted '%s'", step, line, want);
    ck_assert_msg((strstr(line, "RECOVERING") != NULL) == recovering, "step %d: '%s'", step,
                  line);
}

/* Kafka 3.4 (no ELR): when the last ISR member dies the partition is offline, and a returning
 * out-of-ISR replica does not lead it; the last ISR member does when it returns. */
START_TEST(offline_partition_on_kafka_3_4_waits_for_its_last_isr_member)
{
    struct run_result res;
    run(1, "3.4", NULL, "offline-partition", &res);
    ck_assert_msg(res.violations == 0, "%s", res.first_violation);
    expect_step(0, "5", "5", "", false);
    expect_step(1, "none", "5", "", false);
    expect_step(2, "none", "5", "", false);
    /* 11 s after broker-5 leads again, broker-4 has caught up from it (the data path) and
     * broker-5's AlterPartition put it back in the ISR. */
    expect_step(3, "5", "5,4", "", false);
    ck_assert_int_eq(partitions_line().unclean, 0);
}
END_TEST

/* With unclean.leader.election.enable on the topic, Kafka 3.4 still does not elect the
 * returning out-of-ISR replica: its controller never reads the config
 * (ConfigurationControlManager.uncleanLeaderElectionEnabledForTopic returns false in 3.0-3.8).
 * Then the scenario runs kafka-leader-election.sh --election-type unclean: ElectLeaders v2
 * UNCLEAN through kafka-1, forwarded to the controller (ReplicationControlManager.electLeader,
 * Election.UNCLEAN), elects broker-4 uncleanly: ISR [4], RECOVERING, before broker-5 returns. */
START_TEST(unclean_config_on_kafka_3_4_ignored_uncleanLeaderElectionEnabledForTopic)
{
    struct run_result res;
    run(1, "3.4", NULL, "unclean-election", &res);
    ck_assert_msg(res.violations == 0, "%s", res.first_violation);
    expect_step(1, "none", "5", "", false);
    expect_step(2, "none", "5", "", false); /* the config alone: nothing */
    /* after ElectLeaders UNCLEAN; by 57 s broker-5 has caught up and the leader's ISR
     * expansion (which proposes LeaderRecoveryState RECOVERED, as Partition.scala's does)
     * ends the RECOVERING state */
    expect_step(3, "4", "4,5", "", false);
    ck_assert_ptr_nonnull(line_after(printed, "  Successfully completed leader election "
                                              "(UNCLEAN) for partitions ledger-0\n"));
    ck_assert_int_eq(partitions_line().unclean, 1);
    /* offline-partition on 3.4 has no such call: broker-5, the ISR member, leads again. */
    run(1, "3.4", NULL, "offline-partition", &res);
    expect_step(3, "5", "5,4", "", false);
    ck_assert_ptr_null(line_after(printed, "  $ kafka-leader-election.sh"));
}
END_TEST

/* Kafka 3.9 reads it (KAFKA-12670): handleBrokerUnfenced elects the returning out-of-ISR
 * replica, ISR = [it], RECOVERING; the partition checker counts it and, since the topic
 * allows it, finds no violation. */
START_TEST(unclean_election_on_kafka_3_9_elects_the_replica_outside_the_isr)
{
    struct run_result res;
    run(1, "3.9", NULL, "unclean-election", &res);
    ck_assert_msg(res.violations == 0, "%s", res.first_violation);
    expect_step(1, "none", "5", "", false);
    expect_step(2, "4", "4", "", true);
    expect_step(3, "4", "4,5", "", false); /* broker-5 caught up and rejoined: RECOVERED */
    ck_assert_int_eq(partitions_line().unclean, 1);
}
END_TEST

/* Trunk with ELR (KIP-966, min.insync.replicas=2): the ISR may empty and its last members are
 * eligible; but both brokers crashed (no clean shutdown file), so each leaves the ELR when it
 * registers again, and only the last known leader, broker 5, may lead: flagged unclean. */
START_TEST(offline_partition_on_trunk_uses_elr_and_the_last_known_leader)
{
    struct run_result res;
    run(1, NULL, NULL, "offline-partition", &res);
    ck_assert_msg(res.violations == 0, "%s", res.first_violation);
    expect_step(0, "5", "5", "4", false);
    expect_step(1, "none", "", "4,5", false);
    expect_step(2, "none", "", "5", false);
    expect_step(3, "5", "5,4", "", false); /* broker-4 caught up and rejoined: RECOVERED */
    ck_assert_int_eq(partitions_line().unclean, 1);
}
END_TEST

/* Same seed, same trace, for the default scenario. */
START_TEST(cluster_run_is_deterministic)
{
    struct run_result a, b;
    run(11, NULL, NULL, "cluster", &a);
    run(11, NULL, NULL, "cluster", &b);
    ck_assert_uint_eq(a.trace_hash, b.trace_hash);
    ck_assert_uint_eq(a.trace_events, b.trace_events);
    run(12, NULL, NULL, "cluster", &b);
    ck_assert_uint_ne(a.trace_hash, b.trace_hash);
}
END_TEST

static Suite *cluster_suite(void)
{
    Suite *s = suite_create("cluster");
    TCase *t = tcase_create("seed-topology");
    tcase_set_timeout(t, 600);
    tcase_add_test(t, a_topic_created_through_one_node_is_described_identically_by_every_node);
    tcase_add_test(t, broker_crash_moves_its_leaderships_after_the_session_timeout);
    tcase_add_test(t, planted_fence_before_leader_moves_is_caught);
    tcase_add_test(t, controller_crash_every_live_broker_follows_the_new_leader_within_seconds);
    tcase_add_test(t, planted_observer_fetching_only_its_leader_is_caught_fenced_while_reachable);
    tcase_add_test(t, planted_hw_past_lagging_isr_is_caught_as_lost_writes);
    tcase_add_test(t, planted_consumer_fetch_skipping_a_batch_is_caught_as_poll_skip);
    tcase_add_test(t, planted_append_then_refuse_is_caught_as_aborted_read);
    tcase_add_test(t, cluster_run_is_deterministic);
    tcase_add_test(t, every_kraft_release_runs_the_cluster_scenarios_clean);
    tcase_add_test(t, offline_partition_on_kafka_3_4_waits_for_its_last_isr_member);
    tcase_add_test(t, unclean_config_on_kafka_3_4_ignored_uncleanLeaderElectionEnabledForTopic);
    tcase_add_test(t, unclean_election_on_kafka_3_9_elects_the_replica_outside_the_isr);
    tcase_add_test(t, offline_partition_on_trunk_uses_elr_and_the_last_known_leader);
    tcase_add_test(t, sweep_trunk_broker_crashes_partitions_controller_failover_no_violations);
    tcase_add_test(t, sweep_kafka_3_4_no_violations);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(cluster_suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    free(printed);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
