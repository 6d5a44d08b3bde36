/* data_rpc.h — the partition data-path RPCs, described as schema.h tables. */
#ifndef KRAFTSIM_DATA_RPC_H
#define KRAFTSIM_DATA_RPC_H

/*
 * Schemas: apache/kafka clients/src/main/resources/common/message/<Name>.json at trunk
 * 3e3f0c4315 (versions below 3.9's are gone there: KIP-896 removed them in 4.0).
 *
 *   API                   key  versions  flexible  notable version gates
 *   Produce                 0  3-13      9+        v13 TopicId instead of Name (KIP-516);
 *                                                  response v8 RecordErrors, ErrorMessage;
 *                                                  v10 CurrentLeader, NodeEndpoints {tag 0}
 *   ListOffsets             2  1-11      6+        v2 IsolationLevel; v4 CurrentLeaderEpoch,
 *                                                  LeaderEpoch; v10 TimeoutMs
 *   InitProducerId         22  0-6       2+        v3 ProducerId/Epoch; v6 2PC (KIP-939)
 *   OffsetForLeaderEpoch   23  2-4       4+        v3 ReplicaId
 *   AllocateProducerIds    67  0         0+        (controller listener)
 *
 * Usage (replica manager): decode a ProduceRequest body with produce_request_decode(r,
 * version, arena, &req) and read req.topics[i].partitions[j].records; build a ProduceResponse
 * with produce_response_init(&resp), arrays from the caller's memory whose elements start
 * from produce_response_partition_init, then produce_response_encode(w, &resp, version).
 * Field comments give the JSON name's versions and defaults [in brackets] where not 0/"".
 */

#include <stdbool.h>
#include <stdint.h>

#include "schema.h"
#include "wire.h"

/* NodeEndpoint of Produce responses (Port is int32 here, as in Fetch). */
struct data_node_endpoint {
    int32_t node_id;
    const char *host;
    int32_t port;
    const char *rack; /* nullable [null] */
};

struct data_leader_id_and_epoch {
    int32_t leader_id;    /* [-1] */
    int32_t leader_epoch; /* [-1] */
};

/* ---- Produce (ProduceRequest.json, ProduceResponse.json) ------------------------------------- */

struct produce_request_partition {
    int32_t index;
    struct wire_bytes records; /* nullable: raw record batches */
};

struct produce_request_topic {
    const char *name;      /* v3-12 */
    struct kuuid topic_id; /* v13+ */
    int32_t partition_count;
    struct produce_request_partition *partitions;
};

struct produce_request {
    const char *transactional_id; /* nullable [null] */
    int16_t acks;
    int32_t timeout_ms;
    int32_t topic_count;
    struct produce_request_topic *topics;
};

struct produce_record_error {
    int32_t batch_index;
    const char *batch_index_error_message; /* nullable [null] */
};

struct produce_response_partition {
    int32_t index;
    int16_t error_code;
    int64_t base_offset;
    int64_t log_append_time_ms; /* [-1] */
    int64_t log_start_offset;   /* v5+ [-1] */
    int32_t record_error_count; /* v8+ */
    struct produce_record_error *record_errors;
    const char *error_message;                      /* v8+ nullable [null] */
    struct data_leader_id_and_epoch current_leader; /* v10+ {tag 0} */
};

struct produce_response_topic {
    const char *name;      /* v3-12 */
    struct kuuid topic_id; /* v13+ */
    int32_t partition_count;
    struct produce_response_partition *partitions;
};

struct produce_response {
    int32_t topic_count;
    struct produce_response_topic *topics;
    int32_t throttle_time_ms;
    int32_t node_endpoint_count; /* v10+ {tag 0} */
    struct data_node_endpoint *node_endpoints;
};

/* ---- ListOffsets (ListOffsetsRequest.json, ListOffsetsResponse.json) ------------------------- */

struct list_offsets_partition {
    int32_t partition_index;
    int32_t current_leader_epoch; /* v4+ [-1] */
    int64_t timestamp;            /* -1 latest, -2 earliest, ... (ListOffsetsRequest) */
};

struct list_offsets_topic {
    const char *name;
    int32_t partition_count;
    struct list_offsets_partition *partitions;
};

struct list_offsets_request {
    int32_t replica_id;
    int8_t isolation_level; /* v2+ */
    int32_t topic_count;
    struct list_offsets_topic *topics;
    int32_t timeout_ms; /* v10+ */
};

struct list_offsets_partition_response {
    int32_t partition_index;
    int16_t error_code;
    int64_t timestamp;    /* [-1] */
    int64_t offset;       /* [-1] */
    int32_t leader_epoch; /* v4+ [-1] */
};

struct list_offsets_topic_response {
    const char *name;
    int32_t partition_count;
    struct list_offsets_partition_response *partitions;
};

struct list_offsets_response {
    int32_t throttle_time_ms; /* v2+ */
    int32_t topic_count;
    struct list_offsets_topic_response *topics;
};

/* ---- InitProducerId (InitProducerIdRequest.json, InitProducerIdResponse.json) ---------------- */

struct init_producer_id_request {
    const char *transactional_id; /* nullable */
    int32_t transaction_timeout_ms;
    int64_t producer_id;   /* v3+ [-1] */
    int16_t producer_epoch; /* v3+ [-1] */
    bool enable_2pc;        /* v6+ */
    bool keep_prepared_txn; /* v6+ */
};

struct init_producer_id_response {
    int32_t throttle_time_ms;
    int16_t error_code;
    int64_t producer_id; /* [-1] */
    int16_t producer_epoch;
    int64_t ongoing_txn_producer_id;    /* v6+ [-1] */
    int16_t ongoing_txn_producer_epoch; /* v6+ [-1] */
};

/* ---- AllocateProducerIds (AllocateProducerIds{Request,Response}.json, v0, flexible) ---------
 * A broker's RPCProducerIdManager asks the active controller for a block of producer ids. */

struct allocate_producer_ids_request {
    int32_t broker_id;
    int64_t broker_epoch; /* [-1] */
};

struct allocate_producer_ids_response {
    int32_t throttle_time_ms;
    int16_t error_code;
    int64_t producer_id_start;
    int32_t producer_id_len;
};

/* ---- OffsetForLeaderEpoch (OffsetForLeaderEpoch{Request,Response}.json) ---------------------- */

struct offset_for_leader_partition {
    int32_t partition;
    int32_t current_leader_epoch; /* [-1] */
    int32_t leader_epoch;
};

struct offset_for_leader_topic {
    const char *topic;
    int32_t partition_count;
    struct offset_for_leader_partition *partitions;
};

struct offset_for_leader_epoch_request {
    int32_t replica_id; /* v3+ [-2]: -2 a consumer, -1 a debugging tool, else a broker id */
    int32_t topic_count;
    struct offset_for_leader_topic *topics;
};

struct epoch_end_offset {
    int16_t error_code;
    int32_t partition;
    int32_t leader_epoch; /* [-1] */
    int64_t end_offset;   /* [-1] */
};

struct offset_for_leader_topic_result {
    const char *topic;
    int32_t partition_count;
    struct epoch_end_offset *partitions;
};

struct offset_for_leader_epoch_response {
    int32_t throttle_time_ms;
    int32_t topic_count;
    struct offset_for_leader_topic_result *topics;
};

SCHEMA_ELEMENT_DECLARE(data_node_endpoint);
SCHEMA_ELEMENT_DECLARE(data_leader_id_and_epoch);
SCHEMA_ELEMENT_DECLARE(produce_request_partition);
SCHEMA_ELEMENT_DECLARE(produce_request_topic);
SCHEMA_ELEMENT_DECLARE(produce_record_error);
SCHEMA_ELEMENT_DECLARE(produce_response_partition);
SCHEMA_ELEMENT_DECLARE(produce_response_topic);
SCHEMA_ELEMENT_DECLARE(list_offsets_partition);
SCHEMA_ELEMENT_DECLARE(list_offsets_topic);
SCHEMA_ELEMENT_DECLARE(list_offsets_partition_response);
SCHEMA_ELEMENT_DECLARE(list_offsets_topic_response);
SCHEMA_ELEMENT_DECLARE(offset_for_leader_partition);
SCHEMA_ELEMENT_DECLARE(offset_for_leader_topic);
SCHEMA_ELEMENT_DECLARE(epoch_end_offset);
SCHEMA_ELEMENT_DECLARE(offset_for_leader_topic_result);

SCHEMA_MESSAGE_DECLARE(produce_request);
SCHEMA_MESSAGE_DECLARE(produce_response);
SCHEMA_MESSAGE_DECLARE(list_offsets_request);
SCHEMA_MESSAGE_DECLARE(list_offsets_response);
SCHEMA_MESSAGE_DECLARE(init_producer_id_request);
SCHEMA_MESSAGE_DECLARE(init_producer_id_response);
SCHEMA_MESSAGE_DECLARE(allocate_producer_ids_request);
SCHEMA_MESSAGE_DECLARE(allocate_producer_ids_response);
SCHEMA_MESSAGE_DECLARE(offset_for_leader_epoch_request);
SCHEMA_MESSAGE_DECLARE(offset_for_leader_epoch_response);

#endif
