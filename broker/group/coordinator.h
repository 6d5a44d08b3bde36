/* coordinator.h — the classic consumer group coordinator (GroupCoordinator, KIP-345-less). */
#ifndef KRAFTSIM_GROUP_COORDINATOR_H
#define KRAFTSIM_GROUP_COORDINATOR_H

/*
 * One broker's group coordinator: a state machine that takes JoinGroup, SyncGroup, Heartbeat,
 * LeaveGroup, OffsetCommit and OffsetFetch requests and time, and fills reply frames. A group
 * belongs to partition partition_for(group id) of __consumer_offsets (Utils.abs(hashCode) %
 * offsets.topic.num.partitions), and this broker coordinates it while it leads that partition
 * (gc_set_owned, which node.c derives from the replica manager's roles); every other request
 * for it is answered NOT_COORDINATOR. FindCoordinator needs the metadata image and is node.c's.
 *
 * The classic protocol as GroupCoordinator.scala runs it (eager rebalances):
 *   Empty --join--> PreparingRebalance --every member joined, or the rebalance timeout-->
 *   CompletingRebalance (JoinGroup answered: the leader gets every member's metadata) --the
 *   leader's SyncGroup--> Stable (SyncGroup answered with each member's assignment).
 *   A join, a leave or an expired session (session.timeout.ms without a heartbeat) from Stable
 *   or CompletingRebalance starts another rebalance; heartbeats then answer
 *   REBALANCE_IN_PROGRESS. An Empty group's first rebalance waits
 *   group.initial.rebalance.delay.ms (3 s) for more members. JoinGroup v4+ without a member id
 *   is answered MEMBER_ID_REQUIRED with the id to rejoin with (KIP-394).
 *
 * Committed offsets are records of __consumer_offsets (GroupMetadataManager.storeOffsets): an
 * OffsetCommit becomes one batch of OffsetCommitKey v1 / OffsetCommitValue v3 records that
 * node.c appends to the group's partition with acks=-1 (gc_take_appends); the commit is
 * answered, and the offsets take effect, when the append is replicated (gc_on_append), with
 * Kafka's error translation when it is not. A broker that becomes the partition's leader
 * loads them back from its log (gc_load). Group metadata (members, generation) is not
 * written: a new coordinator answers the old members UNKNOWN_MEMBER_ID and they rejoin, where
 * Kafka's would load the group. Static membership (group.instance.id) and the consumer
 * protocol of KIP-848 are not modelled.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "env.h"
#include "replica/replica_manager.h" /* struct rm_out: reply frames */

#define GROUP_ID_MAX 128
#define GROUP_MEMBER_ID_MAX 160
#define GROUP_PROTOCOLS_MAX 4
#define GROUP_NAME_MAX 64
#define GROUP_PENDING_MAX 8

struct gc_config {
    int32_t broker_id;
    int32_t offsets_partitions;         /* offsets.topic.num.partitions: 50 */
    int32_t min_session_timeout_ms;     /* group.min.session.timeout.ms: 6000 */
    int32_t max_session_timeout_ms;     /* group.max.session.timeout.ms: 1800000 */
    int32_t initial_rebalance_delay_ms; /* group.initial.rebalance.delay.ms: 3000 */
};

struct gc_config gc_config_default(int32_t broker_id);

enum group_state {
    GROUP_EMPTY,
    GROUP_PREPARING_REBALANCE,
    GROUP_COMPLETING_REBALANCE,
    GROUP_STABLE,
};

struct group_protocol {
    char name[GROUP_NAME_MAX];
    uint8_t *metadata;
    size_t metadata_len;
};

struct group_member {
    char id[GROUP_MEMBER_ID_MAX];
    char client_id[GROUP_NAME_MAX];
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms;
    int protocol_count;
    struct group_protocol protocols[GROUP_PROTOCOLS_MAX];
    uint8_t *assignment;
    size_t assignment_len;
    bool join_waiting; /* a JoinGroup parked until the join phase ends */
    uint64_t join_ctx;
    int16_t join_version;
    bool sync_waiting; /* a SyncGroup parked until the leader's */
    uint64_t sync_ctx;
    int16_t sync_version;
    time_ns session_deadline;
};

struct group_offset {
    char topic[GROUP_NAME_MAX];
    int32_t partition;
    int64_t offset;
    int32_t leader_epoch;
};

struct group {
    char id[GROUP_ID_MAX];
    int32_t partition; /* of __consumer_offsets */
    enum group_state state;
    int32_t generation;
    char protocol_type[GROUP_NAME_MAX];
    char protocol[GROUP_NAME_MAX];
    char leader[GROUP_MEMBER_ID_MAX];
    struct group_member *members;
    uint32_t member_count;
    uint32_t member_capacity;
    time_ns join_deadline;      /* PreparingRebalance: the rebalance timeout */
    time_ns initial_delay_until; /* an Empty group's first rebalance waits for more members */
    struct group_offset *offsets;
    uint32_t offset_count;
    uint32_t offset_capacity;
    /* Member ids handed out with MEMBER_ID_REQUIRED, not joined yet (pendingMembers). */
    char pending[GROUP_PENDING_MAX][GROUP_MEMBER_ID_MAX];
    uint32_t pending_next;
};

/* One OffsetCommit waiting for its records to replicate. */
struct gc_pending_commit {
    uint64_t token;
    uint64_t reply_ctx;
    int16_t version;
    char group[GROUP_ID_MAX];
    struct group_offset *offsets; /* in the request's order */
    uint32_t count;
};

/* An OffsetFetch with RequireStable waiting for its group's commits to replicate. */
struct gc_parked_fetch {
    uint64_t reply_ctx;
    int16_t version;
    uint8_t *body;
    size_t len;
};

/* A batch of records for node.c to append to __consumer_offsets-`partition`. */
struct gc_append {
    int32_t partition;
    uint8_t *bytes;
    size_t len;
    uint64_t token;
};

struct group_coordinator {
    struct gc_config cfg;
    bool *owned; /* per __consumer_offsets partition */
    struct group *groups;
    uint32_t group_count;
    uint32_t group_capacity;
    uint64_t member_seq;
    struct gc_pending_commit *pending;
    uint32_t pending_count;
    uint32_t pending_capacity;
    struct gc_append *appends; /* to take with gc_take_appends */
    uint32_t append_count;
    uint32_t append_capacity;
    struct gc_parked_fetch *parked;
    uint32_t parked_count;
    uint32_t parked_capacity;
    uint64_t token_next;
};

void gc_init(struct group_coordinator *gc, const struct gc_config *cfg);
void gc_free(struct group_coordinator *gc);

/* GroupMetadataManager.partitionFor: Utils.abs(groupId.hashCode) % partitions. */
int32_t gc_partition_for(const char *group_id, int32_t partitions);

/* This broker leads (or no longer leads) partition `partition` of __consumer_offsets. Losing
 * it forgets its groups; parked JoinGroup and SyncGroup requests are answered NOT_COORDINATOR. */
void gc_set_owned(struct group_coordinator *gc, int32_t partition, bool owned,
                  struct rm_out *out);
bool gc_owns(const struct group_coordinator *gc, int32_t partition);

/* JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch. */
bool gc_handles(int16_t api_key);
/* One request's body (after the header; client_id from it names new members); replies (and
 * answers parked ones) into `out`. A body that does not decode is dropped, as a broker closes
 * the connection. */
void gc_handle(struct group_coordinator *gc, time_ns now, int16_t api_key, int16_t version,
               const char *client_id, const uint8_t *body, size_t len, uint64_t reply_ctx,
               struct rm_out *out);
/* The record batches to append (the caller owns their bytes from here); returns how many. */
uint32_t gc_take_appends(struct group_coordinator *gc, struct gc_append *out, uint32_t cap);
/* An append's end: NONE stores the offsets and answers the commit; an error answers it with
 * Kafka's translation (COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR, ...). */
void gc_on_append(struct group_coordinator *gc, uint64_t token, int16_t error,
                  struct rm_out *out);
/* Loads the committed offsets of an owned partition from its log's batches. */
void gc_load(struct group_coordinator *gc, int32_t partition, const uint8_t *batches,
             size_t len);
/* Expired sessions, join phases that ended. */
void gc_tick(struct group_coordinator *gc, time_ns now, struct rm_out *out);
time_ns gc_next_deadline(const struct group_coordinator *gc);

const struct group *gc_group(const struct group_coordinator *gc, const char *group_id);
const char *gc_state_name(enum group_state s);
bool gc_check(const struct group_coordinator *gc);

#endif
