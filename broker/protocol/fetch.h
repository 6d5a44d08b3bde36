/* fetch.h — Fetch (key 1) request and response bodies, versions 12-18 (the flexible ones). */
#ifndef KRAFTSIM_FETCH_H
#define KRAFTSIM_FETCH_H

/*
 * Schemas: apache/kafka msg/FetchRequest.json and FetchResponse.json at trunk d79bd502ec
 * ("validVersions": "4-18", "flexibleVersions": "12+"). Only 12-18 are supported: KRaft's
 * own fetch path and every 3.x+ replica fetcher speak these.
 *
 * Request, in wire order (tagged fields go to their struct's tag section, by tag):
 *   ReplicaId int32 [-1] v12-14 · MaxWaitMs int32 · MinBytes int32 · MaxBytes int32
 *   [0x7fffffff] · IsolationLevel int8 [0] · SessionId int32 [0] · SessionEpoch int32 [-1] ·
 *   Topics[]{Topic string v12 | TopicId uuid v13+, Partitions[]{Partition int32,
 *   CurrentLeaderEpoch int32 [-1], FetchOffset int64, LastFetchedEpoch int32 [-1],
 *   LogStartOffset int64 [-1], PartitionMaxBytes int32, ReplicaDirectoryId uuid {tag 0} v17+,
 *   HighWatermark int64 [INT64_MAX] {tag 1} v18+ (KIP-1166)}} · ForgottenTopicsData[]{Topic
 *   v12 | TopicId v13+, Partitions []int32} · RackId string [""] · tags: ClusterId nullable
 *   [null] {tag 0}, ReplicaState {ReplicaId int32 [-1], ReplicaEpoch int64 [-1]} {tag 1} v15+.
 *
 * Response:
 *   ThrottleTimeMs int32 · ErrorCode int16 · SessionId int32 [0] · Responses[]{Topic v12 |
 *   TopicId v13+, Partitions[]{PartitionIndex int32, ErrorCode int16, HighWatermark int64,
 *   LastStableOffset int64 [-1], LogStartOffset int64 [-1], AbortedTransactions[] nullable
 *   {ProducerId int64, FirstOffset int64}, PreferredReadReplica int32 [-1], Records nullable
 *   records; tags: DivergingEpoch {Epoch int32 [-1], EndOffset int64 [-1]} {tag 0},
 *   CurrentLeader {LeaderId int32 [-1], LeaderEpoch int32 [-1]} {tag 1}, SnapshotId {EndOffset
 *   int64 [-1], Epoch int32 [-1]} {tag 2}}} · tags: NodeEndpoints[] {tag 0} v16+ {NodeId int32,
 *   Host string, Port int32 (not uint16 as in the KRaft RPCs), Rack nullable [null]}.
 *
 * Version mapping choices:
 * - `replica_id` is one C field: it goes to the ReplicaId field in v12-14 and to
 *   ReplicaState.ReplicaId in v15+. `replica_epoch` exists on the wire only in v15+.
 * - `topic` is used in v12, `topic_id` in v13+; the other is ignored on encode and left at
 *   its default (NULL / zero uuid) on decode.
 * - Fields absent in a version are omitted on encode and defaulted on decode; tagged fields are
 *   written only when they differ from their defaults (see kraft_rpc.h).
 */

#include <stdbool.h>
#include <stdint.h>

#include "kraft_rpc.h"
#include "wire.h"

#define FETCH_VERSION_MIN 12
#define FETCH_VERSION_MAX 18

struct fetch_request_partition {
    int32_t partition;
    int32_t current_leader_epoch; /* -1 */
    int64_t fetch_offset;
    int32_t last_fetched_epoch; /* -1 */
    int64_t log_start_offset;   /* -1 */
    int32_t partition_max_bytes;
    struct kuuid replica_directory_id; /* v17+ {tag 0} */
    int64_t high_watermark;            /* v18+ {tag 1}, INT64_MAX = not sent */
};

struct fetch_request_topic {
    const char *topic;  /* v12 */
    struct kuuid topic_id; /* v13+ */
    int32_t partition_count;
    struct fetch_request_partition *partitions;
};

struct fetch_forgotten_topic {
    const char *topic;     /* v12 */
    struct kuuid topic_id; /* v13+ */
    int32_t partition_count;
    int32_t *partitions;
};

struct fetch_request {
    const char *cluster_id; /* {tag 0}, nullable */
    int32_t replica_id;     /* v12-14 ReplicaId, v15+ ReplicaState.ReplicaId {tag 1} */
    int64_t replica_epoch;  /* v15+ ReplicaState.ReplicaEpoch {tag 1} */
    int32_t max_wait_ms;
    int32_t min_bytes;
    int32_t max_bytes;
    int8_t isolation_level;
    int32_t session_id;
    int32_t session_epoch;
    int32_t topic_count;
    struct fetch_request_topic *topics;
    int32_t forgotten_topic_count;
    struct fetch_forgotten_topic *forgotten_topics;
    const char *rack_id; /* non-null, default "" */
};

struct fetch_aborted_transaction {
    int64_t producer_id;
    int64_t first_offset;
};

struct fetch_epoch_end_offset {
    int32_t epoch;
    int64_t end_offset;
};

struct fetch_response_partition {
    int32_t partition_index;
    int16_t error_code;
    int64_t high_watermark;
    int64_t last_stable_offset; /* -1 */
    int64_t log_start_offset;   /* -1 */
    struct fetch_epoch_end_offset diverging_epoch; /* {tag 0}, (-1, -1) = absent */
    struct kraft_leader_and_epoch current_leader;  /* {tag 1}, (-1, -1) = absent */
    struct kraft_snapshot_id snapshot_id;          /* {tag 2}, (-1, -1) = absent */
    int32_t aborted_transaction_count;             /* -1 = null (the default) */
    struct fetch_aborted_transaction *aborted_transactions;
    int32_t preferred_read_replica; /* -1 */
    struct wire_bytes records;      /* nullable; raw record batches */
};

struct fetch_response_topic {
    const char *topic;     /* v12 */
    struct kuuid topic_id; /* v13+ */
    int32_t partition_count;
    struct fetch_response_partition *partitions;
};

struct fetch_node_endpoint {
    int32_t node_id;
    const char *host;
    int32_t port;
    const char *rack; /* nullable */
};

struct fetch_response {
    int32_t throttle_time_ms;
    int16_t error_code;
    int32_t session_id;
    int32_t topic_count;
    struct fetch_response_topic *topics;
    int32_t node_endpoint_count; /* v16+ {tag 0} */
    struct fetch_node_endpoint *node_endpoints;
};

/* Schema defaults (see the field comments). */
void fetch_request_init(struct fetch_request *m);
void fetch_request_partition_init(struct fetch_request_partition *p);
void fetch_response_init(struct fetch_response *m);
void fetch_response_partition_init(struct fetch_response_partition *p);

int fetch_request_encode(struct wire_writer *w, const struct fetch_request *m, int16_t version);
int fetch_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                         struct fetch_request *out);
int fetch_response_encode(struct wire_writer *w, const struct fetch_response *m,
                          int16_t version);
int fetch_response_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                          struct fetch_response *out);

#endif
