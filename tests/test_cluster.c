/* test_cluster.c — the seed deployment end to end: topics, leaders, broker failover, sweeps. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"
#include "scenario/scenario_cluster.h"

#ifdef KRAFTSIM_SANITIZE
#define SWEEP_SEEDS 100
#else
#define SWEEP_SEEDS 500
#endif

static FILE *sink(void)
{
    FILE *f = fopen("/dev/null", "w");
    ck_assert_ptr_nonnull(f);
    return f;
}

static void run(uint64_t seed, const char *version, const char *bug, enum cluster_mode mode,
                struct run_result *res, struct cluster_outcome *o)
{
    FILE *out = sink();
    struct run_opts opts = {.seed = seed, .out = out, .kafka_version = version,
                            .planted_bug = bug};
    memset(res, 0, sizeof *res);
    cluster_scenario_run(&opts, res, o, mode);
    fclose(out);
    ck_assert_msg(res->config_error[0] == '\0', "config refused: %s", res->config_error);
}

/* The deployment guides' check: create a topic through one node (3 partitions, RF 3) and see
 * it described the same from every node, combined ones and brokers. */
START_TEST(a_topic_created_through_one_node_is_described_identically_by_every_node)
{
    struct run_result res;
    struct cluster_outcome o;
    run(7, NULL, NULL, CLUSTER_NEMESIS, &res, &o);
    ck_assert_msg(res.violations == 0, "%s", res.first_violation);
    ck_assert_int_eq(o.describe_mismatches, 0);
    for (int i = 0; i < 5; i++) {
        /* error=0 and three partitions, each with three replicas and a leader among them */
        ck_assert_msg(strncmp(o.describe[i], "error=0 p0 leader=", 18) == 0, "%s",
                      o.describe[i]);
        ck_assert_ptr_nonnull(strstr(o.describe[i], " p2 leader="));
        ck_assert_ptr_null(strstr(o.describe[i], " p3 "));
        ck_assert_str_eq(o.describe[i], o.describe[0]);
    }
    const char *p = o.describe[0];
    for (int k = 0; k < 3; k++) {
        p = strstr(p, "replicas=");
        ck_assert_ptr_nonnull(p);
        int a, b, c;
        ck_assert_int_eq(sscanf(p, "replicas=%d,%d,%d", &a, &b, &c), 3);
        ck_assert(a != b && b != c && a != c);
        p++;
    }
    ck_assert_int_eq(o.orders_partitions, 3);
    /* "clicks" asked for -1/-1: num.partitions=3 from the brokers' server.properties; then the
     * script deleted it through another node */
    ck_assert_int_eq(o.clicks_error, 0);
    ck_assert_int_eq(o.clicks_created, 3);
    ck_assert_int_eq(o.delete_error, 0);
    ck_assert_int_eq(o.clicks_partitions, -1);
    /* "events" was never created: broker-4's Metadata answer created it (first answer
     * LEADER_NOT_AVAILABLE, retried) with num.partitions */
    ck_assert_int_eq(o.events_error, 0);
    ck_assert_int_eq(o.events_partitions, 3);
    ck_assert_int_eq(o.events_in_image, 3);
}
END_TEST

/* A crashed broker stops heartbeating; the controller fences it broker.session.timeout.ms
 * after the last heartbeat it had, so the crash-to-new-leader time falls in
 * (session - heartbeat interval, session] plus a commit. */
START_TEST(broker_crash_moves_its_leaderships_after_the_session_timeout)
{
    int measured = 0, controller_crashes = 0;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        struct run_result res;
        struct cluster_outcome o;
        run(seed, NULL, NULL, CLUSTER_BROKER_FAILOVER, &res, &o);
        ck_assert_msg(res.violations == 0, "seed %llu: %s", (unsigned long long)seed,
                      res.first_violation);
        ck_assert_int_ge(o.timing_count, 2);
        for (int i = 0; i < o.timing_count; i++) {
            if (o.timing_controller[i]) {
                /* a new controller first (fetch timeout and an election), then a full session
                 * for every broker from its activation */
                ck_assert_msg(o.timings[i] > o.session_timeout &&
                                  o.timings[i] < o.session_timeout + 6 * NS_PER_S,
                              "seed %llu: controller crash %lld ns", (unsigned long long)seed,
                              (long long)o.timings[i]);
                controller_crashes++;
                continue;
            }
            ck_assert_msg(o.timings[i] > o.session_timeout - o.heartbeat_interval,
                          "seed %llu: %lld ns", (unsigned long long)seed,
                          (long long)o.timings[i]);
            ck_assert_msg(o.timings[i] <= o.session_timeout + 200 * NS_PER_MS,
                          "seed %llu: %lld ns", (unsigned long long)seed,
                          (long long)o.timings[i]);
            measured++;
        }
    }
    ck_assert_int_ge(measured, 8);
    ck_assert_int_ge(controller_crashes, 2);
}
END_TEST

/* broker-failover crashes the active controller's node every third time: every live broker
 * (the dedicated ones observe the quorum) then fetches from the new leader, which they find
 * by asking random voters once their request to the dead one fails
 * (KafkaRaftClient.maybeSendFetchToBestNode): within the voters' fetch timeout and an
 * election, well before the new controller's session for them (9 s) runs out. */
START_TEST(controller_crash_every_live_broker_follows_the_new_leader_within_seconds)
{
    static const char *const releases[] = {NULL, "3.4", "4.1"};
    for (size_t v = 0; v < 3; v++) {
        int crashes = 0;
        for (uint64_t seed = 1; seed <= 5; seed++) {
            struct run_result res;
            struct cluster_outcome o;
            run(seed, releases[v], NULL, CLUSTER_BROKER_FAILOVER, &res, &o);
            ck_assert_msg(res.violations == 0, "seed %llu: %s", (unsigned long long)seed,
                          res.first_violation);
            for (int i = 0; i < o.follow_count; i++) {
                /* the voters' fetch timeout (2 s, from their last fetch, up to 500 ms before
                 * the crash), an election (a split vote adds up to 2 election timeouts),
                 * then a round trip or two */
                ck_assert_msg(o.follow_times[i] > 2 * NS_PER_S - 600 * NS_PER_MS &&
                                  o.follow_times[i] < 4 * NS_PER_S,
                              "kafka %s seed %llu: %lld ns", releases[v] ? releases[v] : "trunk",
                              (unsigned long long)seed, (long long)o.follow_times[i]);
                crashes++;
            }
        }
        ck_assert_int_ge(crashes, 5);
    }
}
END_TEST

/* The old observer (it fetched only from the leader it knew) never finds the new controller
 * after the active controller's node dies, and the new controller fences the live brokers
 * one session (9 s) after its election: the fencing checker names them (planted bug, seed 5
 * of the cluster scenario, where kafka-2, the active controller, is killed at 8 s). */
START_TEST(planted_observer_fetching_only_its_leader_is_caught_fenced_while_reachable)
{
    struct run_result res;
    struct cluster_outcome o;
    run(5, NULL, "observer-fetches-leader-only", CLUSTER_NEMESIS, &res, &o);
    ck_assert_uint_ge(res.violations, 2); /* broker-4 and broker-5 */
    const char *v = res.first_violation;
    ck_assert_msg(strncmp(v, "fenced-while-reachable: broker-4 (node id 4) fenced", 51) == 0 ||
                      strncmp(v, "fenced-while-reachable: broker-5 (node id 5) fenced", 51) == 0,
                  "%s", v);
    ck_assert_msg(strstr(v, "by the active controller kafka-") != NULL, "%s", v);
    ck_assert_msg(strstr(v, "kafka-2 (node id 2)") == NULL, "%s", v); /* not the dead one */
    const char *at = strstr(v, " uncut at ");
    ck_assert_ptr_nonnull(at);
    double when = strtod(at + strlen(" uncut at "), NULL);
    /* a new controller 2-4 s after the kill, then a full session */
    ck_assert_msg(when > 8 + 9 + 1.4 && when < 8 + 9 + 4, "%s", v);
    /* Without the bug, the same seed fences no live broker it could reach. */
    run(5, NULL, NULL, CLUSTER_NEMESIS, &res, &o);
    ck_assert_msg(res.violations == 0, "%s", res.first_violation);
    ck_assert_uint_eq(o.fences_checked, o.fences_excused);
}
END_TEST

static void sweep(const char *version)
{
    uint64_t leader_changes = 0, faults = 0, fences = 0;
    int graceful = 0;
    for (uint64_t seed = 1; seed <= SWEEP_SEEDS; seed++) {
        struct run_result res;
        struct cluster_outcome o;
        run(seed, version, NULL, CLUSTER_NEMESIS, &res, &o);
        ck_assert_msg(res.violations == 0, "kafka %s seed %llu: %s", version ? version : "trunk",
                      (unsigned long long)seed, res.first_violation);
        leader_changes += o.leader_changes;
        faults += o.faults;
        fences += o.fences_checked;
        /* A raft leader stopping cleanly resigns (EndQuorumEpoch): its successor leads a
         * few round trips and fsyncs later, not after controller.quorum.fetch.timeout.ms. */
        for (int i = 0; i < o.graceful_count; i++) {
            ck_assert_msg(o.graceful_times[i] > 0 && o.graceful_times[i] < 100 * NS_PER_MS,
                          "kafka %s seed %llu: clean stop of the leader -> %lld ns",
                          version ? version : "trunk", (unsigned long long)seed,
                          (long long)o.graceful_times[i]);
            graceful++;
        }
    }
    /* the sweep did exercise failover, fencing and clean stops of the leader */
    ck_assert_uint_ge(faults, 2 * SWEEP_SEEDS);
    ck_assert_uint_ge(leader_changes, SWEEP_SEEDS);
    ck_assert_uint_ge(fences, SWEEP_SEEDS / 10);
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
    static const enum cluster_mode modes[] = {CLUSTER_NEMESIS, CLUSTER_BROKER_FAILOVER,
                                              CLUSTER_OFFLINE, CLUSTER_UNCLEAN};
    for (size_t v = 0; v < sizeof releases / sizeof releases[0]; v++) {
        for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
            for (uint64_t seed = 1; seed <= 10; seed++) {
                struct run_result res;
                struct cluster_outcome o;
                run(seed, releases[v], NULL, modes[m], &res, &o);
                ck_assert_msg(res.violations == 0, "kafka %s mode %d seed %llu: %s",
                              releases[v], (int)modes[m], (unsigned long long)seed,
                              res.first_violation);
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
        struct cluster_outcome o;
        run(seed, NULL, "fence-before-leader-moves", CLUSTER_BROKER_FAILOVER, &res, &o);
        if (res.violations > 0) {
            ck_assert_msg(strstr(res.first_violation, "fenced-never-leader") != NULL, "%s",
                          res.first_violation);
            caught_at = (int)seed;
        }
    }
    ck_assert_int_eq(caught_at, 1);
}
END_TEST

static void expect_step(const struct cluster_outcome *o, int step, int32_t leader,
                        const char *isr, const char *elr, bool recovering)
{
    ck_assert_msg(o->ledger_leader[step] == leader, "step %d: leader %d, wanted %d", step,
                  o->ledger_leader[step], leader);
    ck_assert_msg(strcmp(o->ledger_isr[step], isr) == 0, "step %d: isr '%s', wanted '%s'",
                  step, o->ledger_isr[step], isr);
    ck_assert_msg(strcmp(o->ledger_elr[step], elr) == 0, "step %d: elr '%s', wanted '%s'",
                  step, o->ledger_elr[step], elr);
    ck_assert_int_eq(o->ledger_recovery[step] == 1, recovering);
}

/* Kafka 3.4 (no ELR): when the last ISR member dies the partition is offline, and a returning
 * out-of-ISR replica does not lead it; the last ISR member does when it returns. */
START_TEST(offline_partition_on_kafka_3_4_waits_for_its_last_isr_member)
{
    struct run_result res;
    struct cluster_outcome o;
    run(1, "3.4", NULL, CLUSTER_OFFLINE, &res, &o);
    ck_assert_msg(res.violations == 0, "%s", res.first_violation);
    expect_step(&o, 0, 5, "5", "", false);
    expect_step(&o, 1, -1, "5", "", false);
    expect_step(&o, 2, -1, "5", "", false);
    expect_step(&o, 3, 5, "5", "", false);
    ck_assert_uint_eq(o.unclean_elections, 0);
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
    struct cluster_outcome o;
    run(1, "3.4", NULL, CLUSTER_UNCLEAN, &res, &o);
    ck_assert_msg(res.violations == 0, "%s", res.first_violation);
    expect_step(&o, 1, -1, "5", "", false);
    expect_step(&o, 2, -1, "5", "", false); /* the config alone: nothing */
    expect_step(&o, 3, 4, "4", "", true);   /* after ElectLeaders UNCLEAN */
    ck_assert_uint_eq(o.unclean_elections, 1);
    /* offline-partition on 3.4 has no such call: broker-5, the ISR member, leads again. */
    run(1, "3.4", NULL, CLUSTER_OFFLINE, &res, &o);
    expect_step(&o, 3, 5, "5", "", false);
}
END_TEST

/* Kafka 3.9 reads it (KAFKA-12670): handleBrokerUnfenced elects the returning out-of-ISR
 * replica, ISR = [it], RECOVERING; the partition checker counts it and, since the topic
 * allows it, finds no violation. */
START_TEST(unclean_election_on_kafka_3_9_elects_the_replica_outside_the_isr)
{
    struct run_result res;
    struct cluster_outcome o;
    run(1, "3.9", NULL, CLUSTER_UNCLEAN, &res, &o);
    ck_assert_msg(res.violations == 0, "%s", res.first_violation);
    expect_step(&o, 1, -1, "5", "", false);
    expect_step(&o, 2, 4, "4", "", true);
    expect_step(&o, 3, 4, "4", "", true);
    ck_assert_uint_eq(o.unclean_elections, 1);
}
END_TEST

/* Trunk with ELR (KIP-966, min.insync.replicas=2): the ISR may empty and its last members are
 * eligible; but both brokers crashed (no clean shutdown file), so each leaves the ELR when it
 * registers again, and only the last known leader, broker 5, may lead: flagged unclean. */
START_TEST(offline_partition_on_trunk_uses_elr_and_the_last_known_leader)
{
    struct run_result res;
    struct cluster_outcome o;
    run(1, NULL, NULL, CLUSTER_OFFLINE, &res, &o);
    ck_assert_msg(res.violations == 0, "%s", res.first_violation);
    expect_step(&o, 0, 5, "5", "4", false);
    expect_step(&o, 1, -1, "", "4,5", false);
    expect_step(&o, 2, -1, "", "5", false);
    expect_step(&o, 3, 5, "5", "", true);
    ck_assert_uint_eq(o.unclean_elections, 1);
}
END_TEST

/* Same seed, same trace, for the default scenario. */
START_TEST(cluster_run_is_deterministic)
{
    struct run_result a, b;
    struct cluster_outcome o;
    run(11, NULL, NULL, CLUSTER_NEMESIS, &a, &o);
    run(11, NULL, NULL, CLUSTER_NEMESIS, &b, &o);
    ck_assert_uint_eq(a.trace_hash, b.trace_hash);
    ck_assert_uint_eq(a.trace_events, b.trace_events);
    run(12, NULL, NULL, CLUSTER_NEMESIS, &b, &o);
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
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
