/* scenario_cluster.h — what the cluster scenario measured, for tests. */
#ifndef KRAFTSIM_SCENARIO_CLUSTER_H
#define KRAFTSIM_SCENARIO_CLUSTER_H

#include <stdbool.h>

#include "env.h"
#include "scenario/scenario.h"

struct cluster_outcome {
    int describe_mismatches; /* nodes whose Metadata answer for "orders" differed */
    char describe[5][2048];  /* each node's answer, as text */
    int timing_count;
    time_ns timings[64]; /* broker crash -> every partition it led has a new leader */
    bool timing_controller[64];
    time_ns session_timeout;
    time_ns heartbeat_interval;
    int follow_count;
    time_ns follow_times[64];   /* quorum leader crash -> every live broker follows its successor */
    int graceful_count;
    time_ns graceful_times[64]; /* the raft leader resigned in a clean stop -> the next leads */
    uint64_t fences_checked;    /* fences of running brokers the fencing checker judged */
    uint64_t fences_excused;    /* ... of which the broker's host or path was down */
    uint64_t leader_changes;
    uint64_t records_checked;
    uint64_t faults;
    int32_t orders_partitions; /* in the final image, -1 if missing */
    int32_t clicks_partitions; /* in the final image: -1, since the script deletes it */
    int16_t clicks_error;      /* the admin script: CreateTopics clicks (-1/-1) */
    int32_t clicks_created;    /* ... its NumPartitions in the answer */
    int16_t events_error;      /* Metadata events with auto-creation */
    int32_t events_partitions; /* ... partitions in the answer */
    int32_t events_in_image;
    int16_t delete_error;      /* DeleteTopics clicks */
    /* offline-partition / unclean-election: ledger-0 at each step (after each crash, after
     * broker-4 returns, after broker-5 returns), and the unclean elections counted */
    int32_t ledger_leader[4];
    int8_t ledger_recovery[4];
    char ledger_isr[4][32];
    char ledger_elr[4][32];
    uint64_t unclean_elections;
};

extern const struct scenario scenario_cluster;
extern const struct scenario scenario_broker_failover;
extern const struct scenario scenario_offline_partition;
extern const struct scenario scenario_unclean_election;

enum cluster_mode {
    CLUSTER_NEMESIS,         /* cluster */
    CLUSTER_BROKER_FAILOVER, /* broker-failover */
    CLUSTER_OFFLINE,         /* offline-partition */
    CLUSTER_UNCLEAN,         /* unclean-election */
};

/* Runs one of the scenarios on the cluster deployment, filling `outcome` (may be NULL). */
void cluster_scenario_run(const struct run_opts *opts, struct run_result *result,
                          struct cluster_outcome *outcome, enum cluster_mode mode);

#endif
