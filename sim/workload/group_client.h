/* group_client.h — a consumer's side of the classic group protocol (ConsumerCoordinator). */
#ifndef KRAFTSIM_GROUP_CLIENT_H
#define KRAFTSIM_GROUP_CLIENT_H

/*
 * What a KafkaConsumer with group.id does besides fetching, as a state machine the consumer
 * drives (consumer.c): FindCoordinator (key type group) -> JoinGroup (MEMBER_ID_REQUIRED
 * answered by rejoining with the id) -> SyncGroup (the leader sends the range assignment of
 * the one topic: RangeAssignor, members sorted by id, the first partitions % members get one
 * more) -> OffsetFetch of the assigned partitions -> Stable, with a Heartbeat every
 * heartbeat.interval.ms and, with enable.auto.commit, an OffsetCommit of the positions every
 * auto.commit.interval.ms. Eager rebalancing: a heartbeat or commit answered
 * REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID (the id forgotten) commits
 * what it can, revokes every partition and rejoins; NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE,
 * a reset or a request unanswered for request.timeout.ms finds the coordinator again.
 *
 * The embedded formats are ConsumerProtocolSubscription v0 and ConsumerProtocolAssignment v0.
 * Only the range assignor is spoken: a partition.assignment.strategy without it still joins
 * with range (cooperative-sticky's incremental rebalances are not modelled).
 */

#include <stdbool.h>
#include <stdint.h>

#include "env.h"
#include "workload/client_net.h"

#define GROUP_CLIENT_MEMBERS_MAX 16
#define GROUP_CLIENT_ID_MAX 160

enum group_client_phase {
    GROUP_CLIENT_FIND,
    GROUP_CLIENT_JOIN,
    GROUP_CLIENT_SYNC,
    GROUP_CLIENT_FETCH_OFFSETS,
    GROUP_CLIENT_STABLE,
};

struct group_client_config {
    const char *group_id;
    const char *client_id; /* the member name in request headers */
    const char *topic;
    int bootstrap_host;
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms; /* max.poll.interval.ms */
    int32_t heartbeat_interval_ms;
    int32_t retry_backoff_ms;
    int32_t request_timeout_ms;
    bool auto_commit;
    int32_t auto_commit_interval_ms;
};

struct group_client {
    const struct env *env;
    struct group_client_config cfg;
    int32_t *correlation_next; /* shared with the consumer: one id space per connection */
    enum group_client_phase phase;
    int coordinator; /* host, -1 unknown */
    int32_t corr;    /* FindCoordinator, JoinGroup, SyncGroup or OffsetFetch in flight; 0 none */
    int corr_host;
    time_ns corr_deadline;
    /* Brokers to ask FindCoordinator (the bootstrap server, then the leaders the consumer's
     * metadata names: NetworkClient's leastLoadedNode, in turn after each failure). */
    int hosts[CLIENT_PARTITIONS_MAX + 1];
    int host_count;
    int next_host;
    int32_t heartbeat_corr;
    time_ns heartbeat_deadline;
    int32_t commit_corr;
    time_ns commit_deadline;
    time_ns not_before;     /* the next find/join waits out retry.backoff.ms */
    time_ns next_heartbeat;
    time_ns next_commit;
    char member_id[GROUP_CLIENT_ID_MAX];
    int32_t generation;
    bool leader;
    char members[GROUP_CLIENT_MEMBERS_MAX][GROUP_CLIENT_ID_MAX]; /* the leader's view */
    int member_count;
    int32_t partition_count; /* of the topic, from the consumer's metadata */
    bool assigned[CLIENT_PARTITIONS_MAX];
    int64_t committed[CLIENT_PARTITIONS_MAX]; /* OffsetFetch's answer, -1 none */
    /* Events for the consumer, which clears them: every partition revoked; a new assignment
     * (assigned[] and committed[] hold it). */
    bool revoked;
    bool assignment_ready;
    /* The last OffsetCommit's offsets (-1 not in it), and whether it succeeded since. */
    int64_t commit_sent[CLIENT_PARTITIONS_MAX];
    bool commit_done;
    uint64_t rebalances;
};

void group_client_init(struct group_client *g, const struct env *env,
                       const struct group_client_config *cfg, int32_t *correlation_next);
/* The frame answers one of its requests: handled (true) or not its own (false). The
 * committed positions are what the consumer had sent (for the history). */
bool group_client_on_response(struct group_client *g, int32_t corr, const uint8_t *bytes,
                              size_t len);
/* Sends what is due; `positions` (next offset per partition, -1 none) feed auto commits. */
void group_client_poll(struct group_client *g, const int64_t *positions);
void group_client_on_reset(struct group_client *g, int host);
/* The brokers the consumer's metadata knows (leaders), for FindCoordinator to try. */
void group_client_set_hosts(struct group_client *g, const int *hosts, int n);
/* The next time after now that poll has something to do; TIME_NS_MAX for none. */
time_ns group_client_next_deadline(const struct group_client *g);

/* RangeAssignor for one topic: members (sorted here, in place) and the partitions of each
 * (out[m][p] for the m-th member after sorting). */
void group_client_range(char (*members)[GROUP_CLIENT_ID_MAX], int member_count,
                        int32_t partitions, bool (*out)[CLIENT_PARTITIONS_MAX]);

#endif
