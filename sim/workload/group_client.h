/* group_client.h — a consumer's side of the classic group protocol (ConsumerCoordinator). */
#ifndef KRAFTSIM_GROUP_CLIENT_H
#define KRAFTSIM_GROUP_CLIENT_H

/*
 * What a KafkaConsumer with group.id does besides fetching, as a state machine the consumer
 * drives (consumer.c): FindCoordinator (key type group) -> JoinGroup (MEMBER_ID_REQUIRED
 * answered by rejoining with the id) -> SyncGroup (the leader computes the assignment of the
 * one topic) -> OffsetFetch of the partitions new to the member -> Stable, with a Heartbeat
 * every heartbeat.interval.ms and, with enable.auto.commit, an OffsetCommit of the positions
 * every auto.commit.interval.ms (only while Stable: ConsumerCoordinator.generationIfStable).
 * NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, a reset or a request unanswered for
 * request.timeout.ms finds the coordinator again.
 *
 * JoinGroup offers one protocol per partition.assignment.strategy entry, in order; the group
 * picks one every member offers. Two assignors are spoken:
 *   range               RangeAssignor: members sorted by id, the first partitions % members
 *                       get one more.
 *   cooperative-sticky  CooperativeStickyAssignor: AbstractStickyAssignor's constrained
 *                       assignment (each member keeps what it owned up to its quota, the rest
 *                       go round-robin to members under it), then adjustAssignment: a partition
 *                       moving from one owner to another is left out of this generation, so
 *                       its owner revokes it first and everyone rebalances again.
 * The rebalance protocol is COOPERATIVE only when every listed assignor supports it (here:
 * cooperative-sticky alone), as ConsumerCoordinator picks the common one. EAGER: a member
 * revokes every partition before it rejoins (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION,
 * UNKNOWN_MEMBER_ID). COOPERATIVE (KIP-429): a member keeps its partitions and keeps fetching
 * them through a rebalance; after SyncGroup it revokes only those it lost and, if any, joins
 * again at once; ILLEGAL_GENERATION and UNKNOWN_MEMBER_ID lose every partition (the generation
 * is gone). Members are walked in member-id order where Java walks a HashMap.
 *
 * The embedded formats are ConsumerProtocolSubscription and ConsumerProtocolAssignment at the
 * release's highest version (v1 owned partitions, v2 (3.4+, KIP-792) generation, v3 (3.5+,
 * KIP-881) rack id, sent null); cooperative-sticky's user data is its generation (int32).
 * Not modelled: the commit of onJoinPrepare before a rejoin, rebalance listeners, static
 * membership, several topics.
 */

#include <stdbool.h>
#include <stdint.h>

#include "env.h"
#include "workload/client_config.h"
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
    /* partition.assignment.strategy, in preference order: range and cooperative-sticky only */
    enum client_assignor assignors[CLIENT_ASSIGNORS_MAX];
    int assignor_count;
    int16_t protocol_version; /* ConsumerProtocolSubscription/Assignment: the release's highest */
};

/* One member as the leader sees it in JoinGroup: its id and what its subscription says it owns. */
struct group_client_member {
    char id[GROUP_CLIENT_ID_MAX];
    bool owned[CLIENT_PARTITIONS_MAX];
    int32_t generation; /* of those partitions; -1 none */
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
    bool cooperative;      /* the rebalance protocol: every assignor is cooperative-sticky */
    int protocol;          /* the group's chosen assignor (enum client_assignor) */
    int32_t sticky_generation; /* CooperativeStickyAssignor.generation: of its last assignment */
    struct group_client_member members[GROUP_CLIENT_MEMBERS_MAX]; /* the leader's view */
    int member_count;
    int32_t partition_count; /* of the topic, from the consumer's metadata */
    /* Owned partitions: assigned[] are fetched; incoming[] came in the last SyncGroup and wait
     * for their committed offsets (OffsetFetch), then move to assigned[]. */
    bool assigned[CLIENT_PARTITIONS_MAX];
    bool incoming[CLIENT_PARTITIONS_MAX];
    bool rejoin_after_offsets; /* cooperative: partitions were revoked, join again */
    int64_t committed[CLIENT_PARTITIONS_MAX]; /* OffsetFetch's answer, -1 none */
    /* Events for the consumer, which clears them: partitions revoked (revoked_parts[] says
     * which); an assignment complete (added[] the partitions new to the member, their
     * committed offsets in committed[]). */
    bool revoked;
    bool revoked_parts[CLIENT_PARTITIONS_MAX];
    bool assignment_ready;
    bool added[CLIENT_PARTITIONS_MAX];
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

/* The assignors for one topic: members (sorted by id here, in place) and the partitions of
 * each (out[m][p] for the m-th member after sorting). Range ignores what members own. */
void group_client_range(struct group_client_member *members, int member_count,
                        int32_t partitions, bool (*out)[CLIENT_PARTITIONS_MAX]);
void group_client_cooperative_sticky(struct group_client_member *members, int member_count,
                                     int32_t partitions, bool (*out)[CLIENT_PARTITIONS_MAX]);

#endif
