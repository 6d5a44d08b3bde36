/* data_rpc.c — tables for Produce, ListOffsets, InitProducerId, OffsetForLeaderEpoch. */
#include "data_rpc.h"

#include "header.h"

/* Row shorthands: versions "N+", "lo-hi", nullable and null-default versions. */
#define FROM(v) SCHEMA_FROM(v)
#define VR(lo, hi) SCHEMA_V(lo, hi)

/* ---- Shared structs -------------------------------------------------------------------------- */

static const struct schema_field node_endpoint_fields[] = {
    SCHEMA_FIELD(struct data_node_endpoint, node_id, "NodeId", SCHEMA_INT32, FROM(0)),
    SCHEMA_FIELD(struct data_node_endpoint, host, "Host", SCHEMA_STRING, FROM(0)),
    SCHEMA_FIELD(struct data_node_endpoint, port, "Port", SCHEMA_INT32, FROM(0)),
    SCHEMA_FIELD(struct data_node_endpoint, rack, "Rack", SCHEMA_STRING, FROM(0),
                 SCHEMA_NULL_DEFAULT(FROM(0))),
};
const struct schema_struct data_node_endpoint_desc =
    SCHEMA_STRUCT_DESC(struct data_node_endpoint, "NodeEndpoint", node_endpoint_fields);

static const struct schema_field leader_id_and_epoch_fields[] = {
    SCHEMA_FIELD(struct data_leader_id_and_epoch, leader_id, "LeaderId", SCHEMA_INT32, FROM(0),
                 .def = -1),
    SCHEMA_FIELD(struct data_leader_id_and_epoch, leader_epoch, "LeaderEpoch", SCHEMA_INT32,
                 FROM(0), .def = -1),
};
const struct schema_struct data_leader_id_and_epoch_desc = SCHEMA_STRUCT_DESC(
    struct data_leader_id_and_epoch, "LeaderIdAndEpoch", leader_id_and_epoch_fields);

/* ---- ProduceRequest.json --------------------------------------------------------------------- */

static const struct schema_field produce_request_partition_fields[] = {
    SCHEMA_FIELD(struct produce_request_partition, index, "Index", SCHEMA_INT32, FROM(0)),
    SCHEMA_FIELD(struct produce_request_partition, records, "Records", SCHEMA_RECORDS, FROM(0),
                 SCHEMA_NULLABLE(FROM(0))),
};
const struct schema_struct produce_request_partition_desc =
    SCHEMA_STRUCT_DESC(struct produce_request_partition, "PartitionProduceData",
                       produce_request_partition_fields);

static const struct schema_field produce_request_topic_fields[] = {
    SCHEMA_FIELD(struct produce_request_topic, name, "Name", SCHEMA_STRING, VR(0, 12)),
    SCHEMA_FIELD(struct produce_request_topic, topic_id, "TopicId", SCHEMA_UUID, FROM(13)),
    SCHEMA_ARRAY_FIELD(struct produce_request_topic, partitions, partition_count,
                       "PartitionData", produce_request_partition_desc, FROM(0)),
};
const struct schema_struct produce_request_topic_desc = SCHEMA_STRUCT_DESC(
    struct produce_request_topic, "TopicProduceData", produce_request_topic_fields);

static const struct schema_field produce_request_fields[] = {
    SCHEMA_FIELD(struct produce_request, transactional_id, "TransactionalId", SCHEMA_STRING,
                 FROM(3), SCHEMA_NULL_DEFAULT(FROM(3))),
    SCHEMA_FIELD(struct produce_request, acks, "Acks", SCHEMA_INT16, FROM(0)),
    SCHEMA_FIELD(struct produce_request, timeout_ms, "TimeoutMs", SCHEMA_INT32, FROM(0)),
    SCHEMA_ARRAY_FIELD(struct produce_request, topics, topic_count, "TopicData",
                       produce_request_topic_desc, FROM(0)),
};
static const struct schema_struct produce_request_desc =
    SCHEMA_STRUCT_DESC(struct produce_request, "ProduceRequest", produce_request_fields);

const struct schema_message produce_request_schema = {
    .name = "ProduceRequest", .api_key = KAFKA_API_PRODUCE, .response = false,
    .version_min = 3, .version_max = 13, .flexible_min = 9, .body = &produce_request_desc,
};

/* ---- ProduceResponse.json -------------------------------------------------------------------- */

static const struct schema_field produce_record_error_fields[] = {
    SCHEMA_FIELD(struct produce_record_error, batch_index, "BatchIndex", SCHEMA_INT32, FROM(8)),
    SCHEMA_FIELD(struct produce_record_error, batch_index_error_message,
                 "BatchIndexErrorMessage", SCHEMA_STRING, FROM(8), SCHEMA_NULL_DEFAULT(FROM(8))),
};
const struct schema_struct produce_record_error_desc = SCHEMA_STRUCT_DESC(
    struct produce_record_error, "BatchIndexAndErrorMessage", produce_record_error_fields);

static const struct schema_field produce_response_partition_fields[] = {
    SCHEMA_FIELD(struct produce_response_partition, index, "Index", SCHEMA_INT32, FROM(0)),
    SCHEMA_FIELD(struct produce_response_partition, error_code, "ErrorCode", SCHEMA_INT16,
                 FROM(0)),
    SCHEMA_FIELD(struct produce_response_partition, base_offset, "BaseOffset", SCHEMA_INT64,
                 FROM(0)),
    SCHEMA_FIELD(struct produce_response_partition, log_append_time_ms, "LogAppendTimeMs",
                 SCHEMA_INT64, FROM(2), .def = -1),
    SCHEMA_FIELD(struct produce_response_partition, log_start_offset, "LogStartOffset",
                 SCHEMA_INT64, FROM(5), .def = -1),
    SCHEMA_ARRAY_FIELD(struct produce_response_partition, record_errors, record_error_count,
                       "RecordErrors", produce_record_error_desc, FROM(8)),
    SCHEMA_FIELD(struct produce_response_partition, error_message, "ErrorMessage",
                 SCHEMA_STRING, FROM(8), SCHEMA_NULL_DEFAULT(FROM(8))),
    SCHEMA_STRUCT_FIELD(struct produce_response_partition, current_leader, "CurrentLeader",
                        data_leader_id_and_epoch_desc, FROM(10), SCHEMA_TAG(0, FROM(10))),
};
const struct schema_struct produce_response_partition_desc =
    SCHEMA_STRUCT_DESC(struct produce_response_partition, "PartitionProduceResponse",
                       produce_response_partition_fields);

static const struct schema_field produce_response_topic_fields[] = {
    SCHEMA_FIELD(struct produce_response_topic, name, "Name", SCHEMA_STRING, VR(0, 12)),
    SCHEMA_FIELD(struct produce_response_topic, topic_id, "TopicId", SCHEMA_UUID, FROM(13)),
    SCHEMA_ARRAY_FIELD(struct produce_response_topic, partitions, partition_count,
                       "PartitionResponses", produce_response_partition_desc, FROM(0)),
};
const struct schema_struct produce_response_topic_desc = SCHEMA_STRUCT_DESC(
    struct produce_response_topic, "TopicProduceResponse", produce_response_topic_fields);

static const struct schema_field produce_response_fields[] = {
    SCHEMA_ARRAY_FIELD(struct produce_response, topics, topic_count, "Responses",
                       produce_response_topic_desc, FROM(0)),
    SCHEMA_FIELD(struct produce_response, throttle_time_ms, "ThrottleTimeMs", SCHEMA_INT32,
                 FROM(1)),
    SCHEMA_ARRAY_FIELD(struct produce_response, node_endpoints, node_endpoint_count,
                       "NodeEndpoints", data_node_endpoint_desc, FROM(10),
                       SCHEMA_TAG(0, FROM(10))),
};
static const struct schema_struct produce_response_desc =
    SCHEMA_STRUCT_DESC(struct produce_response, "ProduceResponse", produce_response_fields);

const struct schema_message produce_response_schema = {
    .name = "ProduceResponse", .api_key = KAFKA_API_PRODUCE, .response = true,
    .version_min = 3, .version_max = 13, .flexible_min = 9, .body = &produce_response_desc,
};

/* ---- ListOffsetsRequest.json ----------------------------------------------------------------- */

static const struct schema_field list_offsets_partition_fields[] = {
    SCHEMA_FIELD(struct list_offsets_partition, partition_index, "PartitionIndex", SCHEMA_INT32,
                 FROM(0)),
    SCHEMA_FIELD(struct list_offsets_partition, current_leader_epoch, "CurrentLeaderEpoch",
                 SCHEMA_INT32, FROM(4), .def = -1),
    SCHEMA_FIELD(struct list_offsets_partition, timestamp, "Timestamp", SCHEMA_INT64, FROM(0)),
};
const struct schema_struct list_offsets_partition_desc = SCHEMA_STRUCT_DESC(
    struct list_offsets_partition, "ListOffsetsPartition", list_offsets_partition_fields);

static const struct schema_field list_offsets_topic_fields[] = {
    SCHEMA_FIELD(struct list_offsets_topic, name, "Name", SCHEMA_STRING, FROM(0)),
    SCHEMA_ARRAY_FIELD(struct list_offsets_topic, partitions, partition_count, "Partitions",
                       list_offsets_partition_desc, FROM(0)),
};
const struct schema_struct list_offsets_topic_desc =
    SCHEMA_STRUCT_DESC(struct list_offsets_topic, "ListOffsetsTopic", list_offsets_topic_fields);

static const struct schema_field list_offsets_request_fields[] = {
    SCHEMA_FIELD(struct list_offsets_request, replica_id, "ReplicaId", SCHEMA_INT32, FROM(0)),
    SCHEMA_FIELD(struct list_offsets_request, isolation_level, "IsolationLevel", SCHEMA_INT8,
                 FROM(2)),
    SCHEMA_ARRAY_FIELD(struct list_offsets_request, topics, topic_count, "Topics",
                       list_offsets_topic_desc, FROM(0)),
    SCHEMA_FIELD(struct list_offsets_request, timeout_ms, "TimeoutMs", SCHEMA_INT32, FROM(10)),
};
static const struct schema_struct list_offsets_request_desc = SCHEMA_STRUCT_DESC(
    struct list_offsets_request, "ListOffsetsRequest", list_offsets_request_fields);

const struct schema_message list_offsets_request_schema = {
    .name = "ListOffsetsRequest", .api_key = KAFKA_API_LIST_OFFSETS, .response = false,
    .version_min = 1, .version_max = 11, .flexible_min = 6, .body = &list_offsets_request_desc,
};

/* ---- ListOffsetsResponse.json ---------------------------------------------------------------- */

static const struct schema_field list_offsets_partition_response_fields[] = {
    SCHEMA_FIELD(struct list_offsets_partition_response, partition_index, "PartitionIndex",
                 SCHEMA_INT32, FROM(0)),
    SCHEMA_FIELD(struct list_offsets_partition_response, error_code, "ErrorCode", SCHEMA_INT16,
                 FROM(0)),
    SCHEMA_FIELD(struct list_offsets_partition_response, timestamp, "Timestamp", SCHEMA_INT64,
                 FROM(1), .def = -1),
    SCHEMA_FIELD(struct list_offsets_partition_response, offset, "Offset", SCHEMA_INT64, FROM(1),
                 .def = -1),
    SCHEMA_FIELD(struct list_offsets_partition_response, leader_epoch, "LeaderEpoch",
                 SCHEMA_INT32, FROM(4), .def = -1),
};
const struct schema_struct list_offsets_partition_response_desc =
    SCHEMA_STRUCT_DESC(struct list_offsets_partition_response, "ListOffsetsPartitionResponse",
                       list_offsets_partition_response_fields);

static const struct schema_field list_offsets_topic_response_fields[] = {
    SCHEMA_FIELD(struct list_offsets_topic_response, name, "Name", SCHEMA_STRING, FROM(0)),
    SCHEMA_ARRAY_FIELD(struct list_offsets_topic_response, partitions, partition_count,
                       "Partitions", list_offsets_partition_response_desc, FROM(0)),
};
const struct schema_struct list_offsets_topic_response_desc =
    SCHEMA_STRUCT_DESC(struct list_offsets_topic_response, "ListOffsetsTopicResponse",
                       list_offsets_topic_response_fields);

static const struct schema_field list_offsets_response_fields[] = {
    SCHEMA_FIELD(struct list_offsets_response, throttle_time_ms, "ThrottleTimeMs", SCHEMA_INT32,
                 FROM(2)),
    SCHEMA_ARRAY_FIELD(struct list_offsets_response, topics, topic_count, "Topics",
                       list_offsets_topic_response_desc, FROM(0)),
};
static const struct schema_struct list_offsets_response_desc = SCHEMA_STRUCT_DESC(
    struct list_offsets_response, "ListOffsetsResponse", list_offsets_response_fields);

const struct schema_message list_offsets_response_schema = {
    .name = "ListOffsetsResponse", .api_key = KAFKA_API_LIST_OFFSETS, .response = true,
    .version_min = 1, .version_max = 11, .flexible_min = 6, .body = &list_offsets_response_desc,
};

/* ---- InitProducerIdRequest.json, InitProducerIdResponse.json --------------------------------- */

static const struct schema_field init_producer_id_request_fields[] = {
    SCHEMA_FIELD(struct init_producer_id_request, transactional_id, "TransactionalId",
                 SCHEMA_STRING, FROM(0), SCHEMA_NULLABLE(FROM(0))),
    SCHEMA_FIELD(struct init_producer_id_request, transaction_timeout_ms,
                 "TransactionTimeoutMs", SCHEMA_INT32, FROM(0)),
    SCHEMA_FIELD(struct init_producer_id_request, producer_id, "ProducerId", SCHEMA_INT64,
                 FROM(3), .def = -1),
    SCHEMA_FIELD(struct init_producer_id_request, producer_epoch, "ProducerEpoch", SCHEMA_INT16,
                 FROM(3), .def = -1),
    SCHEMA_FIELD(struct init_producer_id_request, enable_2pc, "Enable2Pc", SCHEMA_BOOL, FROM(6)),
    SCHEMA_FIELD(struct init_producer_id_request, keep_prepared_txn, "KeepPreparedTxn",
                 SCHEMA_BOOL, FROM(6)),
};
static const struct schema_struct init_producer_id_request_desc = SCHEMA_STRUCT_DESC(
    struct init_producer_id_request, "InitProducerIdRequest", init_producer_id_request_fields);

const struct schema_message init_producer_id_request_schema = {
    .name = "InitProducerIdRequest", .api_key = KAFKA_API_INIT_PRODUCER_ID, .response = false,
    .version_min = 0, .version_max = 6, .flexible_min = 2,
    .body = &init_producer_id_request_desc,
};

static const struct schema_field init_producer_id_response_fields[] = {
    SCHEMA_FIELD(struct init_producer_id_response, throttle_time_ms, "ThrottleTimeMs",
                 SCHEMA_INT32, FROM(0)),
    SCHEMA_FIELD(struct init_producer_id_response, error_code, "ErrorCode", SCHEMA_INT16,
                 FROM(0)),
    SCHEMA_FIELD(struct init_producer_id_response, producer_id, "ProducerId", SCHEMA_INT64,
                 FROM(0), .def = -1),
    SCHEMA_FIELD(struct init_producer_id_response, producer_epoch, "ProducerEpoch",
                 SCHEMA_INT16, FROM(0)),
    SCHEMA_FIELD(struct init_producer_id_response, ongoing_txn_producer_id,
                 "OngoingTxnProducerId", SCHEMA_INT64, FROM(6), .def = -1),
    SCHEMA_FIELD(struct init_producer_id_response, ongoing_txn_producer_epoch,
                 "OngoingTxnProducerEpoch", SCHEMA_INT16, FROM(6), .def = -1),
};
static const struct schema_struct init_producer_id_response_desc = SCHEMA_STRUCT_DESC(
    struct init_producer_id_response, "InitProducerIdResponse", init_producer_id_response_fields);

const struct schema_message init_producer_id_response_schema = {
    .name = "InitProducerIdResponse", .api_key = KAFKA_API_INIT_PRODUCER_ID, .response = true,
    .version_min = 0, .version_max = 6, .flexible_min = 2,
    .body = &init_producer_id_response_desc,
};

/* ---- AllocateProducerIdsRequest.json, AllocateProducerIdsResponse.json --------------------- */

static const struct schema_field allocate_producer_ids_request_fields[] = {
    SCHEMA_FIELD(struct allocate_producer_ids_request, broker_id, "BrokerId", SCHEMA_INT32,
                 FROM(0)),
    SCHEMA_FIELD(struct allocate_producer_ids_request, broker_epoch, "BrokerEpoch", SCHEMA_INT64,
                 FROM(0), .def = -1),
};
static const struct schema_struct allocate_producer_ids_request_desc =
    SCHEMA_STRUCT_DESC(struct allocate_producer_ids_request, "AllocateProducerIdsRequest",
                       allocate_producer_ids_request_fields);

const struct schema_message allocate_producer_ids_request_schema = {
    .name = "AllocateProducerIdsRequest", .api_key = KAFKA_API_ALLOCATE_PRODUCER_IDS,
    .response = false, .version_min = 0, .version_max = 0, .flexible_min = 0,
    .body = &allocate_producer_ids_request_desc,
};

static const struct schema_field allocate_producer_ids_response_fields[] = {
    SCHEMA_FIELD(struct allocate_producer_ids_response, throttle_time_ms, "ThrottleTimeMs",
                 SCHEMA_INT32, FROM(0)),
    SCHEMA_FIELD(struct allocate_producer_ids_response, error_code, "ErrorCode", SCHEMA_INT16,
                 FROM(0)),
    SCHEMA_FIELD(struct allocate_producer_ids_response, producer_id_start, "ProducerIdStart",
                 SCHEMA_INT64, FROM(0)),
    SCHEMA_FIELD(struct allocate_producer_ids_response, producer_id_len, "ProducerIdLen",
                 SCHEMA_INT32, FROM(0)),
};
static const struct schema_struct allocate_producer_ids_response_desc =
    SCHEMA_STRUCT_DESC(struct allocate_producer_ids_response, "AllocateProducerIdsResponse",
                       allocate_producer_ids_response_fields);

const struct schema_message allocate_producer_ids_response_schema = {
    .name = "AllocateProducerIdsResponse", .api_key = KAFKA_API_ALLOCATE_PRODUCER_IDS,
    .response = true, .version_min = 0, .version_max = 0, .flexible_min = 0,
    .body = &allocate_producer_ids_response_desc,
};

/* ---- OffsetForLeaderEpochRequest.json -------------------------------------------------------- */

static const struct schema_field offset_for_leader_partition_fields[] = {
    SCHEMA_FIELD(struct offset_for_leader_partition, partition, "Partition", SCHEMA_INT32,
                 FROM(0)),
    SCHEMA_FIELD(struct offset_for_leader_partition, current_leader_epoch, "CurrentLeaderEpoch",
                 SCHEMA_INT32, FROM(2), .def = -1),
    SCHEMA_FIELD(struct offset_for_leader_partition, leader_epoch, "LeaderEpoch", SCHEMA_INT32,
                 FROM(0)),
};
const struct schema_struct offset_for_leader_partition_desc =
    SCHEMA_STRUCT_DESC(struct offset_for_leader_partition, "OffsetForLeaderPartition",
                       offset_for_leader_partition_fields);

static const struct schema_field offset_for_leader_topic_fields[] = {
    SCHEMA_FIELD(struct offset_for_leader_topic, topic, "Topic", SCHEMA_STRING, FROM(0)),
    SCHEMA_ARRAY_FIELD(struct offset_for_leader_topic, partitions, partition_count, "Partitions",
                       offset_for_leader_partition_desc, FROM(0)),
};
const struct schema_struct offset_for_leader_topic_desc = SCHEMA_STRUCT_DESC(
    struct offset_for_leader_topic, "OffsetForLeaderTopic", offset_for_leader_topic_fields);

static const struct schema_field offset_for_leader_epoch_request_fields[] = {
    SCHEMA_FIELD(struct offset_for_leader_epoch_request, replica_id, "ReplicaId", SCHEMA_INT32,
                 FROM(3), .def = -2),
    SCHEMA_ARRAY_FIELD(struct offset_for_leader_epoch_request, topics, topic_count, "Topics",
                       offset_for_leader_topic_desc, FROM(0)),
};
static const struct schema_struct offset_for_leader_epoch_request_desc =
    SCHEMA_STRUCT_DESC(struct offset_for_leader_epoch_request, "OffsetForLeaderEpochRequest",
                       offset_for_leader_epoch_request_fields);

const struct schema_message offset_for_leader_epoch_request_schema = {
    .name = "OffsetForLeaderEpochRequest", .api_key = KAFKA_API_OFFSET_FOR_LEADER_EPOCH,
    .response = false, .version_min = 2, .version_max = 4, .flexible_min = 4,
    .body = &offset_for_leader_epoch_request_desc,
};

/* ---- OffsetForLeaderEpochResponse.json ------------------------------------------------------- */

static const struct schema_field epoch_end_offset_fields[] = {
    SCHEMA_FIELD(struct epoch_end_offset, error_code, "ErrorCode", SCHEMA_INT16, FROM(0)),
    SCHEMA_FIELD(struct epoch_end_offset, partition, "Partition", SCHEMA_INT32, FROM(0)),
    SCHEMA_FIELD(struct epoch_end_offset, leader_epoch, "LeaderEpoch", SCHEMA_INT32, FROM(1),
                 .def = -1),
    SCHEMA_FIELD(struct epoch_end_offset, end_offset, "EndOffset", SCHEMA_INT64, FROM(0),
                 .def = -1),
};
const struct schema_struct epoch_end_offset_desc =
    SCHEMA_STRUCT_DESC(struct epoch_end_offset, "EpochEndOffset", epoch_end_offset_fields);

static const struct schema_field offset_for_leader_topic_result_fields[] = {
    SCHEMA_FIELD(struct offset_for_leader_topic_result, topic, "Topic", SCHEMA_STRING, FROM(0)),
    SCHEMA_ARRAY_FIELD(struct offset_for_leader_topic_result, partitions, partition_count,
                       "Partitions", epoch_end_offset_desc, FROM(0)),
};
const struct schema_struct offset_for_leader_topic_result_desc =
    SCHEMA_STRUCT_DESC(struct offset_for_leader_topic_result, "OffsetForLeaderTopicResult",
                       offset_for_leader_topic_result_fields);

static const struct schema_field offset_for_leader_epoch_response_fields[] = {
    SCHEMA_FIELD(struct offset_for_leader_epoch_response, throttle_time_ms, "ThrottleTimeMs",
                 SCHEMA_INT32, FROM(2)),
    SCHEMA_ARRAY_FIELD(struct offset_for_leader_epoch_response, topics, topic_count, "Topics",
                       offset_for_leader_topic_result_desc, FROM(0)),
};
static const struct schema_struct offset_for_leader_epoch_response_desc =
    SCHEMA_STRUCT_DESC(struct offset_for_leader_epoch_response, "OffsetForLeaderEpochResponse",
                       offset_for_leader_epoch_response_fields);

const struct schema_message offset_for_leader_epoch_response_schema = {
    .name = "OffsetForLeaderEpochResponse", .api_key = KAFKA_API_OFFSET_FOR_LEADER_EPOCH,
    .response = true, .version_min = 2, .version_max = 4, .flexible_min = 4,
    .body = &offset_for_leader_epoch_response_desc,
};

/* ---- Typed entry points ---------------------------------------------------------------------- */

SCHEMA_ELEMENT_DEFINE(data_node_endpoint)
SCHEMA_ELEMENT_DEFINE(data_leader_id_and_epoch)
SCHEMA_ELEMENT_DEFINE(produce_request_partition)
SCHEMA_ELEMENT_DEFINE(produce_request_topic)
SCHEMA_ELEMENT_DEFINE(produce_record_error)
SCHEMA_ELEMENT_DEFINE(produce_response_partition)
SCHEMA_ELEMENT_DEFINE(produce_response_topic)
SCHEMA_ELEMENT_DEFINE(list_offsets_partition)
SCHEMA_ELEMENT_DEFINE(list_offsets_topic)
SCHEMA_ELEMENT_DEFINE(list_offsets_partition_response)
SCHEMA_ELEMENT_DEFINE(list_offsets_topic_response)
SCHEMA_ELEMENT_DEFINE(offset_for_leader_partition)
SCHEMA_ELEMENT_DEFINE(offset_for_leader_topic)
SCHEMA_ELEMENT_DEFINE(epoch_end_offset)
SCHEMA_ELEMENT_DEFINE(offset_for_leader_topic_result)

SCHEMA_MESSAGE_DEFINE(produce_request)
SCHEMA_MESSAGE_DEFINE(produce_response)
SCHEMA_MESSAGE_DEFINE(list_offsets_request)
SCHEMA_MESSAGE_DEFINE(list_offsets_response)
SCHEMA_MESSAGE_DEFINE(init_producer_id_request)
SCHEMA_MESSAGE_DEFINE(init_producer_id_response)
SCHEMA_MESSAGE_DEFINE(allocate_producer_ids_request)
SCHEMA_MESSAGE_DEFINE(allocate_producer_ids_response)
SCHEMA_MESSAGE_DEFINE(offset_for_leader_epoch_request)
SCHEMA_MESSAGE_DEFINE(offset_for_leader_epoch_response)
