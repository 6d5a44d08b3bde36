/* kraft_rpc.h — KRaft quorum RPCs: Vote, Begin/EndQuorumEpoch, DescribeQuorum, FetchSnapshot. */
#ifndef KRAFTSIM_KRAFT_RPC_H
#define KRAFTSIM_KRAFT_RPC_H

/*
 * Schemas: apache/kafka msg/{Vote,BeginQuorumEpoch,EndQuorumEpoch,DescribeQuorum,FetchSnapshot}
 * {Request,Response}.json at trunk d79bd502ec (KIP-595, KIP-836, KIP-853, KIP-996).
 *
 *   API               key  versions  flexible   notable version gates
 *   Vote               52  0-2       0+         v1 VoterId, directory ids, NodeEndpoints {tag 0};
 *                                               v2 PreVote (Candidate* renamed Replica*)
 *   BeginQuorumEpoch   53  0-1       1+         v1 VoterId, VoterDirectoryId, LeaderEndpoints,
 *                                               NodeEndpoints {tag 0}
 *   EndQuorumEpoch     54  0-1       1+         v0 PreferredSuccessors; v1 PreferredCandidates,
 *                                               LeaderEndpoints, NodeEndpoints {tag 0}
 *   DescribeQuorum     55  0-2       0+         v1 timestamps; v2 ErrorMessage, directory ids,
 *                                               Nodes
 *   FetchSnapshot      59  0-1       0+         ClusterId {tag 0}; CurrentLeader {tag 0};
 *                                               v1 ReplicaDirectoryId {tag 0}, NodeEndpoints
 *                                               {tag 0}
 *
 * Rules shared by every codec here:
 * - In flexible versions every struct, nested ones included (SnapshotId, CurrentLeader, each
 *   array element), ends with its own tagged-field section.
 * - A tagged field is written only when it differs from its default (an empty array, a zero
 *   uuid, a struct whose fields all hold their defaults), like the generated Java.
 * - Encoding a version that lacks a field omits the field, whatever its value (Java throws for a
 *   non-default, non-ignorable one; we leave that check to the caller). Decoding a version that
 *   lacks a field sets the field's default.
 * - Arrays are (count, pointer) pairs; count ≥ 0. Decoded arrays and strings live in the arena.
 * - Encoders return 0, -WIRE_EVERSION, or the writer's error; decoders return 0 or a negative
 *   codec error, and on error the output holds partial data that is safe to discard.
 */

#include <stdbool.h>
#include <stdint.h>

#include "wire.h"

#define VOTE_VERSION_MAX 2
#define BEGIN_QUORUM_EPOCH_VERSION_MAX 1
#define END_QUORUM_EPOCH_VERSION_MAX 1
#define DESCRIBE_QUORUM_VERSION_MAX 2
#define FETCH_SNAPSHOT_VERSION_MAX 1

/* NodeEndpoint of Vote/Begin/End/FetchSnapshot responses: Port is uint16 there. */
struct kraft_node_endpoint {
    int32_t node_id;
    const char *host;
    uint16_t port;
};

/* LeaderEndpoint (Begin/End requests) and DescribeQuorum's Listener. */
struct kraft_listener {
    const char *name;
    const char *host;
    uint16_t port;
};

struct kraft_snapshot_id {
    int64_t end_offset;
    int32_t epoch;
};

struct kraft_leader_and_epoch {
    int32_t leader_id;
    int32_t leader_epoch;
};

/* ---- Vote (52) ------------------------------------------------------------------------- */

struct vote_request_partition {
    int32_t partition_index;
    int32_t replica_epoch; /* v0-1 name: CandidateEpoch */
    int32_t replica_id;    /* v0-1 name: CandidateId */
    struct kuuid replica_directory_id; /* v1+ */
    struct kuuid voter_directory_id;   /* v1+, the receiver's */
    int32_t last_offset_epoch;
    int64_t last_offset;
    bool pre_vote; /* v2+ */
};

struct vote_request_topic {
    const char *topic_name;
    int32_t partition_count;
    struct vote_request_partition *partitions;
};

struct vote_request {
    const char *cluster_id; /* nullable, default null */
    int32_t voter_id;       /* v1+, default -1: the receiver's id */
    int32_t topic_count;
    struct vote_request_topic *topics;
};

struct vote_response_partition {
    int32_t partition_index;
    int16_t error_code;
    int32_t leader_id; /* -1 unknown */
    int32_t leader_epoch;
    bool vote_granted;
};

struct vote_response_topic {
    const char *topic_name;
    int32_t partition_count;
    struct vote_response_partition *partitions;
};

struct vote_response {
    int16_t error_code;
    int32_t topic_count;
    struct vote_response_topic *topics;
    int32_t node_endpoint_count; /* v1+ {tag 0} */
    struct kraft_node_endpoint *node_endpoints;
};

void vote_request_init(struct vote_request *m);
int vote_request_encode(struct wire_writer *w, const struct vote_request *m, int16_t version);
int vote_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                        struct vote_request *out);
int vote_response_encode(struct wire_writer *w, const struct vote_response *m, int16_t version);
int vote_response_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                         struct vote_response *out);

/* ---- BeginQuorumEpoch (53) --------------------------------------------------------------- */

struct begin_quorum_epoch_request_partition {
    int32_t partition_index;
    struct kuuid voter_directory_id; /* v1+, the receiver's */
    int32_t leader_id;
    int32_t leader_epoch;
};

struct begin_quorum_epoch_request_topic {
    const char *topic_name;
    int32_t partition_count;
    struct begin_quorum_epoch_request_partition *partitions;
};

struct begin_quorum_epoch_request {
    const char *cluster_id; /* nullable, default null */
    int32_t voter_id;       /* v1+, default -1 */
    int32_t topic_count;
    struct begin_quorum_epoch_request_topic *topics;
    int32_t leader_endpoint_count; /* v1+, a regular (untagged) field */
    struct kraft_listener *leader_endpoints;
};

/* BeginQuorumEpochResponse and EndQuorumEpochResponse have identical schemas. */
struct quorum_epoch_response_partition {
    int32_t partition_index;
    int16_t error_code;
    int32_t leader_id;
    int32_t leader_epoch;
};

struct quorum_epoch_response_topic {
    const char *topic_name;
    int32_t partition_count;
    struct quorum_epoch_response_partition *partitions;
};

struct quorum_epoch_response {
    int16_t error_code;
    int32_t topic_count;
    struct quorum_epoch_response_topic *topics;
    int32_t node_endpoint_count; /* v1+ {tag 0} */
    struct kraft_node_endpoint *node_endpoints;
};

void begin_quorum_epoch_request_init(struct begin_quorum_epoch_request *m);
int begin_quorum_epoch_request_encode(struct wire_writer *w,
                                      const struct begin_quorum_epoch_request *m,
                                      int16_t version);
int begin_quorum_epoch_request_decode(struct wire_reader *r, int16_t version,
                                      struct wire_arena *a,
                                      struct begin_quorum_epoch_request *out);
int begin_quorum_epoch_response_encode(struct wire_writer *w,
                                       const struct quorum_epoch_response *m, int16_t version);
int begin_quorum_epoch_response_decode(struct wire_reader *r, int16_t version,
                                       struct wire_arena *a, struct quorum_epoch_response *out);

/* ---- EndQuorumEpoch (54) ----------------------------------------------------------------- */

struct end_quorum_epoch_candidate {
    int32_t candidate_id;
    struct kuuid candidate_directory_id;
};

struct end_quorum_epoch_request_partition {
    int32_t partition_index;
    int32_t leader_id;
    int32_t leader_epoch;
    int32_t preferred_successor_count; /* v0 only */
    int32_t *preferred_successors;
    int32_t preferred_candidate_count; /* v1+ */
    struct end_quorum_epoch_candidate *preferred_candidates;
};

struct end_quorum_epoch_request_topic {
    const char *topic_name;
    int32_t partition_count;
    struct end_quorum_epoch_request_partition *partitions;
};

struct end_quorum_epoch_request {
    const char *cluster_id; /* nullable, default null */
    int32_t topic_count;
    struct end_quorum_epoch_request_topic *topics;
    int32_t leader_endpoint_count; /* v1+ */
    struct kraft_listener *leader_endpoints;
};

void end_quorum_epoch_request_init(struct end_quorum_epoch_request *m);
int end_quorum_epoch_request_encode(struct wire_writer *w,
                                    const struct end_quorum_epoch_request *m, int16_t version);
int end_quorum_epoch_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                    struct end_quorum_epoch_request *out);
int end_quorum_epoch_response_encode(struct wire_writer *w,
                                     const struct quorum_epoch_response *m, int16_t version);
int end_quorum_epoch_response_decode(struct wire_reader *r, int16_t version,
                                     struct wire_arena *a, struct quorum_epoch_response *out);

/* ---- DescribeQuorum (55) ----------------------------------------------------------------- */

struct describe_quorum_request_topic {
    const char *topic_name;
    int32_t partition_count;
    int32_t *partition_indexes; /* each PartitionData holds only PartitionIndex */
};

struct describe_quorum_request {
    int32_t topic_count;
    struct describe_quorum_request_topic *topics;
};

struct describe_quorum_replica_state {
    int32_t replica_id;
    struct kuuid replica_directory_id; /* v2+ */
    int64_t log_end_offset;            /* -1 unknown */
    int64_t last_fetch_timestamp;      /* v1+, default -1 */
    int64_t last_caught_up_timestamp;  /* v1+, default -1 */
};

struct describe_quorum_response_partition {
    int32_t partition_index;
    int16_t error_code;
    const char *error_message; /* v2+, nullable */
    int32_t leader_id;
    int32_t leader_epoch;
    int64_t high_watermark;
    int32_t current_voter_count;
    struct describe_quorum_replica_state *current_voters;
    int32_t observer_count;
    struct describe_quorum_replica_state *observers;
};

struct describe_quorum_response_topic {
    const char *topic_name;
    int32_t partition_count;
    struct describe_quorum_response_partition *partitions;
};

struct describe_quorum_node {
    int32_t node_id;
    int32_t listener_count;
    struct kraft_listener *listeners;
};

struct describe_quorum_response {
    int16_t error_code;
    const char *error_message; /* v2+, nullable */
    int32_t topic_count;
    struct describe_quorum_response_topic *topics;
    int32_t node_count; /* v2+, a regular (untagged) field */
    struct describe_quorum_node *nodes;
};

/* Sets a replica state's defaults (timestamps -1). */
void describe_quorum_replica_state_init(struct describe_quorum_replica_state *s);
int describe_quorum_request_encode(struct wire_writer *w,
                                   const struct describe_quorum_request *m, int16_t version);
int describe_quorum_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                   struct describe_quorum_request *out);
int describe_quorum_response_encode(struct wire_writer *w,
                                    const struct describe_quorum_response *m, int16_t version);
int describe_quorum_response_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                    struct describe_quorum_response *out);

/* ---- FetchSnapshot (59) ------------------------------------------------------------------ */

struct fetch_snapshot_request_partition {
    int32_t partition;
    int32_t current_leader_epoch;
    struct kraft_snapshot_id snapshot_id;
    int64_t position;                  /* bytes of the snapshot already held */
    struct kuuid replica_directory_id; /* v1+ {tag 0} */
};

struct fetch_snapshot_request_topic {
    const char *name;
    int32_t partition_count;
    struct fetch_snapshot_request_partition *partitions;
};

struct fetch_snapshot_request {
    const char *cluster_id; /* {tag 0}, nullable, default null */
    int32_t replica_id;     /* default -1 */
    int32_t max_bytes;      /* default 0x7fffffff */
    int32_t topic_count;
    struct fetch_snapshot_request_topic *topics;
};

struct fetch_snapshot_response_partition {
    int32_t index;
    int16_t error_code;
    struct kraft_snapshot_id snapshot_id;
    /* {tag 0}; no field defaults in the schema, so it is omitted exactly when it is (0, 0). */
    struct kraft_leader_and_epoch current_leader;
    int64_t size;     /* of the whole snapshot */
    int64_t position; /* where unaligned_records starts */
    struct wire_bytes unaligned_records; /* non-null */
};

struct fetch_snapshot_response_topic {
    const char *name;
    int32_t partition_count;
    struct fetch_snapshot_response_partition *partitions;
};

struct fetch_snapshot_response {
    int32_t throttle_time_ms;
    int16_t error_code;
    int32_t topic_count;
    struct fetch_snapshot_response_topic *topics;
    int32_t node_endpoint_count; /* v1+ {tag 0} */
    struct kraft_node_endpoint *node_endpoints;
};

void fetch_snapshot_request_init(struct fetch_snapshot_request *m);
int fetch_snapshot_request_encode(struct wire_writer *w, const struct fetch_snapshot_request *m,
                                  int16_t version);
int fetch_snapshot_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                  struct fetch_snapshot_request *out);
int fetch_snapshot_response_encode(struct wire_writer *w,
                                   const struct fetch_snapshot_response *m, int16_t version);
int fetch_snapshot_response_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                   struct fetch_snapshot_response *out);

#endif
