/* group_rpc.c — tables for FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
 * OffsetCommit and OffsetFetch (the JSON file each follows is named above its tables). */
#include "group_rpc.h"

#include "header.h"

#define FROM(v) SCHEMA_FROM(v)
#define VR(lo, hi) SCHEMA_V(lo, hi)

/* A message row: name, key, response?, validVersions lo-hi, flexibleVersions lo+, body. */
#define MESSAGE(kname, key, resp, lo, hi, flex, desc)                                          \
    {.name = (kname), .api_key = (key), .response = (resp), .version_min = (lo),               \
     .version_max = (hi), .flexible_min = (flex), .body = &(desc)}

/* ---- FindCoordinatorRequest.json ------------------------------------------------------------- */

static const struct schema_field find_coordinator_request_fields[] = {
    SCHEMA_FIELD(struct find_coordinator_request, key, "Key", SCHEMA_STRING, VR(0, 3)),
    SCHEMA_FIELD(struct find_coordinator_request, key_type, "KeyType", SCHEMA_INT8, FROM(1)),
    SCHEMA_VALUES_FIELD(struct find_coordinator_request, coordinator_keys, coordinator_key_count,
                        "CoordinatorKeys", SCHEMA_STRING, FROM(4)),
};
static const struct schema_struct find_coordinator_request_desc =
    SCHEMA_STRUCT_DESC(struct find_coordinator_request, "FindCoordinatorRequest",
                       find_coordinator_request_fields);
const struct schema_message find_coordinator_request_schema =
    MESSAGE("FindCoordinatorRequest", KAFKA_API_FIND_COORDINATOR, false, 0, 6, 3,
            find_coordinator_request_desc);

/* ---- FindCoordinatorResponse.json ------------------------------------------------------------ */

static const struct schema_field find_coordinator_coordinator_fields[] = {
    SCHEMA_FIELD(struct find_coordinator_coordinator, key, "Key", SCHEMA_STRING, FROM(4)),
    SCHEMA_FIELD(struct find_coordinator_coordinator, node_id, "NodeId", SCHEMA_INT32, FROM(4)),
    SCHEMA_FIELD(struct find_coordinator_coordinator, host, "Host", SCHEMA_STRING, FROM(4)),
    SCHEMA_FIELD(struct find_coordinator_coordinator, port, "Port", SCHEMA_INT32, FROM(4)),
    SCHEMA_FIELD(struct find_coordinator_coordinator, error_code, "ErrorCode", SCHEMA_INT16,
                 FROM(4)),
    SCHEMA_FIELD(struct find_coordinator_coordinator, error_message, "ErrorMessage",
                 SCHEMA_STRING, FROM(4), SCHEMA_NULLABLE(FROM(4))),
};
const struct schema_struct find_coordinator_coordinator_desc = SCHEMA_STRUCT_DESC(
    struct find_coordinator_coordinator, "Coordinator", find_coordinator_coordinator_fields);

static const struct schema_field find_coordinator_response_fields[] = {
    SCHEMA_FIELD(struct find_coordinator_response, throttle_time_ms, "ThrottleTimeMs",
                 SCHEMA_INT32, FROM(1)),
    SCHEMA_FIELD(struct find_coordinator_response, error_code, "ErrorCode", SCHEMA_INT16,
                 VR(0, 3)),
    SCHEMA_FIELD(struct find_coordinator_response, error_message, "ErrorMessage", SCHEMA_STRING,
                 VR(1, 3), SCHEMA_NULLABLE(VR(1, 3))),
    SCHEMA_FIELD(struct find_coordinator_response, node_id, "NodeId", SCHEMA_INT32, VR(0, 3)),
    SCHEMA_FIELD(struct find_coordinator_response, host, "Host", SCHEMA_STRING, VR(0, 3)),
    SCHEMA_FIELD(struct find_coordinator_response, port, "Port", SCHEMA_INT32, VR(0, 3)),
    SCHEMA_ARRAY_FIELD(struct find_coordinator_response, coordinators, coordinator_count,
                       "Coordinators", find_coordinator_coordinator_desc, FROM(4)),
};
static const struct schema_struct find_coordinator_response_desc =
    SCHEMA_STRUCT_DESC(struct find_coordinator_response, "FindCoordinatorResponse",
                       find_coordinator_response_fields);
const struct schema_message find_coordinator_response_schema =
    MESSAGE("FindCoordinatorResponse", KAFKA_API_FIND_COORDINATOR, true, 0, 6, 3,
            find_coordinator_response_desc);

/* ---- JoinGroupRequest.json ------------------------------------------------------------------- */

static const struct schema_field join_group_protocol_fields[] = {
    SCHEMA_FIELD(struct join_group_protocol, name, "Name", SCHEMA_STRING, FROM(0)),
    SCHEMA_FIELD(struct join_group_protocol, metadata, "Metadata", SCHEMA_BYTES, FROM(0)),
};
const struct schema_struct join_group_protocol_desc = SCHEMA_STRUCT_DESC(
    struct join_group_protocol, "JoinGroupRequestProtocol", join_group_protocol_fields);

static const struct schema_field join_group_request_fields[] = {
    SCHEMA_FIELD(struct join_group_request, group_id, "GroupId", SCHEMA_STRING, FROM(0)),
    SCHEMA_FIELD(struct join_group_request, session_timeout_ms, "SessionTimeoutMs", SCHEMA_INT32,
                 FROM(0)),
    SCHEMA_FIELD(struct join_group_request, rebalance_timeout_ms, "RebalanceTimeoutMs",
                 SCHEMA_INT32, FROM(1), .def = -1),
    SCHEMA_FIELD(struct join_group_request, member_id, "MemberId", SCHEMA_STRING, FROM(0)),
    SCHEMA_FIELD(struct join_group_request, group_instance_id, "GroupInstanceId", SCHEMA_STRING,
                 FROM(5), SCHEMA_NULL_DEFAULT(FROM(5))),
    SCHEMA_FIELD(struct join_group_request, protocol_type, "ProtocolType", SCHEMA_STRING,
                 FROM(0)),
    SCHEMA_ARRAY_FIELD(struct join_group_request, protocols, protocol_count, "Protocols",
                       join_group_protocol_desc, FROM(0)),
    SCHEMA_FIELD(struct join_group_request, reason, "Reason", SCHEMA_STRING, FROM(8),
                 SCHEMA_NULL_DEFAULT(FROM(8))),
};
static const struct schema_struct join_group_request_desc = SCHEMA_STRUCT_DESC(
    struct join_group_request, "JoinGroupRequest", join_group_request_fields);
const struct schema_message join_group_request_schema = MESSAGE(
    "JoinGroupRequest", KAFKA_API_JOIN_GROUP, false, 0, 9, 6, join_group_request_desc);

/* ---- JoinGroupResponse.json ------------------------------------------------------------------ */

static const struct schema_field join_group_member_fields[] = {
    SCHEMA_FIELD(struct join_group_member, member_id, "MemberId", SCHEMA_STRING, FROM(0)),
    SCHEMA_FIELD(struct join_group_member, group_instance_id, "GroupInstanceId", SCHEMA_STRING,
                 FROM(5), SCHEMA_NULL_DEFAULT(FROM(5))),
    SCHEMA_FIELD(struct join_group_member, metadata, "Metadata", SCHEMA_BYTES, FROM(0)),
};
const struct schema_struct join_group_member_desc = SCHEMA_STRUCT_DESC(
    struct join_group_member, "JoinGroupResponseMember", join_group_member_fields);

static const struct schema_field join_group_response_fields[] = {
    SCHEMA_FIELD(struct join_group_response, throttle_time_ms, "ThrottleTimeMs", SCHEMA_INT32,
                 FROM(2)),
    SCHEMA_FIELD(struct join_group_response, error_code, "ErrorCode", SCHEMA_INT16, FROM(0)),
    SCHEMA_FIELD(struct join_group_response, generation_id, "GenerationId", SCHEMA_INT32,
                 FROM(0), .def = -1),
    SCHEMA_FIELD(struct join_group_response, protocol_type, "ProtocolType", SCHEMA_STRING,
                 FROM(7), SCHEMA_NULL_DEFAULT(FROM(7))),
    SCHEMA_FIELD(struct join_group_response, protocol_name, "ProtocolName", SCHEMA_STRING,
                 FROM(0), SCHEMA_NULLABLE(FROM(7))),
    SCHEMA_FIELD(struct join_group_response, leader, "Leader", SCHEMA_STRING, FROM(0)),
    SCHEMA_FIELD(struct join_group_response, skip_assignment, "SkipAssignment", SCHEMA_BOOL,
                 FROM(9)),
    SCHEMA_FIELD(struct join_group_response, member_id, "MemberId", SCHEMA_STRING, FROM(0)),
    SCHEMA_ARRAY_FIELD(struct join_group_response, members, member_count, "Members",
                       join_group_member_desc, FROM(0)),
};
static const struct schema_struct join_group_response_desc = SCHEMA_STRUCT_DESC(
    struct join_group_response, "JoinGroupResponse", join_group_response_fields);
const struct schema_message join_group_response_schema = MESSAGE(
    "JoinGroupResponse", KAFKA_API_JOIN_GROUP, true, 0, 9, 6, join_group_response_desc);

/* ---- SyncGroupRequest.json, SyncGroupResponse.json ------------------------------------------- */

static const struct schema_field sync_group_assignment_fields[] = {
    SCHEMA_FIELD(struct sync_group_assignment, member_id, "MemberId", SCHEMA_STRING, FROM(0)),
    SCHEMA_FIELD(struct sync_group_assignment, assignment, "Assignment", SCHEMA_BYTES, FROM(0)),
};
const struct schema_struct sync_group_assignment_desc = SCHEMA_STRUCT_DESC(
    struct sync_group_assignment, "SyncGroupRequestAssignment", sync_group_assignment_fields);

static const struct schema_field sync_group_request_fields[] = {
    SCHEMA_FIELD(struct sync_group_request, group_id, "GroupId", SCHEMA_STRING, FROM(0)),
    SCHEMA_FIELD(struct sync_group_request, generation_id, "GenerationId", SCHEMA_INT32, FROM(0)),
    SCHEMA_FIELD(struct sync_group_request, member_id, "MemberId", SCHEMA_STRING, FROM(0)),
    SCHEMA_FIELD(struct sync_group_request, group_instance_id, "GroupInstanceId", SCHEMA_STRING,
                 FROM(3), SCHEMA_NULL_DEFAULT(FROM(3))),
    SCHEMA_FIELD(struct sync_group_request, protocol_type, "ProtocolType", SCHEMA_STRING,
                 FROM(5), SCHEMA_NULL_DEFAULT(FROM(5))),
    SCHEMA_FIELD(struct sync_group_request, protocol_name, "ProtocolName", SCHEMA_STRING,
                 FROM(5), SCHEMA_NULL_DEFAULT(FROM(5))),
    SCHEMA_ARRAY_FIELD(struct sync_group_request, assignments, assignment_count, "Assignments",
                       sync_group_assignment_desc, FROM(0)),
};
static const struct schema_struct sync_group_request_desc = SCHEMA_STRUCT_DESC(
    struct sync_group_request, "SyncGroupRequest", sync_group_request_fields);
const struct schema_message sync_group_request_schema = MESSAGE(
    "SyncGroupRequest", KAFKA_API_SYNC_GROUP, false, 0, 5, 4, sync_group_request_desc);

static const struct schema_field sync_group_response_fields[] = {
    SCHEMA_FIELD(struct sync_group_response, throttle_time_ms, "ThrottleTimeMs", SCHEMA_INT32,
                 FROM(1)),
    SCHEMA_FIELD(struct sync_group_response, error_code, "ErrorCode", SCHEMA_INT16, FROM(0)),
    SCHEMA_FIELD(struct sync_group_response, protocol_type, "ProtocolType", SCHEMA_STRING,
                 FROM(5), SCHEMA_NULL_DEFAULT(FROM(5))),
    SCHEMA_FIELD(struct sync_group_response, protocol_name, "ProtocolName", SCHEMA_STRING,
                 FROM(5), SCHEMA_NULL_DEFAULT(FROM(5))),
    SCHEMA_FIELD(struct sync_group_response, assignment, "Assignment", SCHEMA_BYTES, FROM(0)),
};
static const struct schema_struct sync_group_response_desc = SCHEMA_STRUCT_DESC(
    struct sync_group_response, "SyncGroupResponse", sync_group_response_fields);
const struct schema_message sync_group_response_schema = MESSAGE(
    "SyncGroupResponse", KAFKA_API_SYNC_GROUP, true, 0, 5, 4, sync_group_response_desc);

/* ---- HeartbeatRequest.json, HeartbeatResponse.json ------------------------------------------- */

static const struct schema_field heartbeat_request_fields[] = {
    SCHEMA_FIELD(struct heartbeat_request, group_id, "GroupId", SCHEMA_STRING, FROM(0)),
    SCHEMA_FIELD(struct heartbeat_request, generation_id, "GenerationId", SCHEMA_INT32, FROM(0)),
    SCHEMA_FIELD(struct heartbeat_request, member_id, "MemberId", SCHEMA_STRING, FROM(0)),
    SCHEMA_FIELD(struct heartbeat_request, group_instance_id, "GroupInstanceId", SCHEMA_STRING,
                 FROM(3), SCHEMA_NULL_DEFAULT(FROM(3))),
};
static const struct schema_struct heartbeat_request_desc =
    SCHEMA_STRUCT_DESC(struct heartbeat_request, "HeartbeatRequest", heartbeat_request_fields);
const struct schema_message heartbeat_request_schema = MESSAGE(
    "HeartbeatRequest", KAFKA_API_HEARTBEAT, false, 0, 4, 4, heartbeat_request_desc);

static const struct schema_field heartbeat_response_fields[] = {
    SCHEMA_FIELD(struct heartbeat_response, throttle_time_ms, "ThrottleTimeMs", SCHEMA_INT32,
                 FROM(1)),
    SCHEMA_FIELD(struct heartbeat_response, error_code, "ErrorCode", SCHEMA_INT16, FROM(0)),
};
static const struct schema_struct heartbeat_response_desc =
    SCHEMA_STRUCT_DESC(struct heartbeat_response, "HeartbeatResponse", heartbeat_response_fields);
const struct schema_message heartbeat_response_schema = MESSAGE(
    "HeartbeatResponse", KAFKA_API_HEARTBEAT, true, 0, 4, 4, heartbeat_response_desc);

/* ---- LeaveGroupRequest.json, LeaveGroupResponse.json ----------------------------------------- */

static const struct schema_field leave_group_member_identity_fields[] = {
    SCHEMA_FIELD(struct leave_group_member_identity, member_id, "MemberId", SCHEMA_STRING,
                 FROM(3)),
    SCHEMA_FIELD(struct leave_group_member_identity, group_instance_id, "GroupInstanceId",
                 SCHEMA_STRING, FROM(3), SCHEMA_NULL_DEFAULT(FROM(3))),
    SCHEMA_FIELD(struct leave_group_member_identity, reason, "Reason", SCHEMA_STRING, FROM(5),
                 SCHEMA_NULL_DEFAULT(FROM(5))),
};
const struct schema_struct leave_group_member_identity_desc = SCHEMA_STRUCT_DESC(
    struct leave_group_member_identity, "MemberIdentity", leave_group_member_identity_fields);

static const struct schema_field leave_group_request_fields[] = {
    SCHEMA_FIELD(struct leave_group_request, group_id, "GroupId", SCHEMA_STRING, FROM(0)),
    SCHEMA_FIELD(struct leave_group_request, member_id, "MemberId", SCHEMA_STRING, VR(0, 2)),
    SCHEMA_ARRAY_FIELD(struct leave_group_request, members, member_count, "Members",
                       leave_group_member_identity_desc, FROM(3)),
};
static const struct schema_struct leave_group_request_desc = SCHEMA_STRUCT_DESC(
    struct leave_group_request, "LeaveGroupRequest", leave_group_request_fields);
const struct schema_message leave_group_request_schema = MESSAGE(
    "LeaveGroupRequest", KAFKA_API_LEAVE_GROUP, false, 0, 5, 4, leave_group_request_desc);

static const struct schema_field leave_group_member_response_fields[] = {
    SCHEMA_FIELD(struct leave_group_member_response, member_id, "MemberId", SCHEMA_STRING,
                 FROM(3)),
    SCHEMA_FIELD(struct leave_group_member_response, group_instance_id, "GroupInstanceId",
                 SCHEMA_STRING, FROM(3), SCHEMA_NULLABLE(FROM(3))),
    SCHEMA_FIELD(struct leave_group_member_response, error_code, "ErrorCode", SCHEMA_INT16,
                 FROM(3)),
};
const struct schema_struct leave_group_member_response_desc = SCHEMA_STRUCT_DESC(
    struct leave_group_member_response, "MemberResponse", leave_group_member_response_fields);

static const struct schema_field leave_group_response_fields[] = {
    SCHEMA_FIELD(struct leave_group_response, throttle_time_ms, "ThrottleTimeMs", SCHEMA_INT32,
                 FROM(1)),
    SCHEMA_FIELD(struct leave_group_response, error_code, "ErrorCode", SCHEMA_INT16, FROM(0)),
    SCHEMA_ARRAY_FIELD(struct leave_group_response, members, member_count, "Members",
                       leave_group_member_response_desc, FROM(3)),
};
static const struct schema_struct leave_group_response_desc = SCHEMA_STRUCT_DESC(
    struct leave_group_response, "LeaveGroupResponse", leave_group_response_fields);
const struct schema_message leave_group_response_schema = MESSAGE(
    "LeaveGroupResponse", KAFKA_API_LEAVE_GROUP, true, 0, 5, 4, leave_group_response_desc);

/* ---- OffsetCommitRequest.json ---------------------------------------------------------------- */

static const struct schema_field offset_commit_request_partition_fields[] = {
    SCHEMA_FIELD(struct offset_commit_request_partition, partition_index, "PartitionIndex",
                 SCHEMA_INT32, FROM(0)),
    SCHEMA_FIELD(struct offset_commit_request_partition, committed_offset, "CommittedOffset",
                 SCHEMA_INT64, FROM(0)),
    SCHEMA_FIELD(struct offset_commit_request_partition, committed_leader_epoch,
                 "CommittedLeaderEpoch", SCHEMA_INT32, FROM(6), .def = -1),
    SCHEMA_FIELD(struct offset_commit_request_partition, committed_metadata, "CommittedMetadata",
                 SCHEMA_STRING, FROM(0), SCHEMA_NULLABLE(FROM(0))),
};
const struct schema_struct offset_commit_request_partition_desc =
    SCHEMA_STRUCT_DESC(struct offset_commit_request_partition, "OffsetCommitRequestPartition",
                       offset_commit_request_partition_fields);

static const struct schema_field offset_commit_request_topic_fields[] = {
    SCHEMA_FIELD(struct offset_commit_request_topic, name, "Name", SCHEMA_STRING, VR(0, 9)),
    SCHEMA_FIELD(struct offset_commit_request_topic, topic_id, "TopicId", SCHEMA_UUID, FROM(10)),
    SCHEMA_ARRAY_FIELD(struct offset_commit_request_topic, partitions, partition_count,
                       "Partitions", offset_commit_request_partition_desc, FROM(0)),
};
const struct schema_struct offset_commit_request_topic_desc =
    SCHEMA_STRUCT_DESC(struct offset_commit_request_topic, "OffsetCommitRequestTopic",
                       offset_commit_request_topic_fields);

static const struct schema_field offset_commit_request_fields[] = {
    SCHEMA_FIELD(struct offset_commit_request, group_id, "GroupId", SCHEMA_STRING, FROM(0)),
    SCHEMA_FIELD(struct offset_commit_request, generation_id_or_member_epoch,
                 "GenerationIdOrMemberEpoch", SCHEMA_INT32, FROM(1), .def = -1),
    SCHEMA_FIELD(struct offset_commit_request, member_id, "MemberId", SCHEMA_STRING, FROM(1)),
    SCHEMA_FIELD(struct offset_commit_request, group_instance_id, "GroupInstanceId",
                 SCHEMA_STRING, FROM(7), SCHEMA_NULL_DEFAULT(FROM(7))),
    SCHEMA_FIELD(struct offset_commit_request, retention_time_ms, "RetentionTimeMs",
                 SCHEMA_INT64, VR(2, 4), .def = -1),
    SCHEMA_ARRAY_FIELD(struct offset_commit_request, topics, topic_count, "Topics",
                       offset_commit_request_topic_desc, FROM(0)),
};
static const struct schema_struct offset_commit_request_desc = SCHEMA_STRUCT_DESC(
    struct offset_commit_request, "OffsetCommitRequest", offset_commit_request_fields);
const struct schema_message offset_commit_request_schema = MESSAGE(
    "OffsetCommitRequest", KAFKA_API_OFFSET_COMMIT, false, 2, 10, 8, offset_commit_request_desc);

/* ---- OffsetCommitResponse.json --------------------------------------------------------------- */

static const struct schema_field offset_commit_response_partition_fields[] = {
    SCHEMA_FIELD(struct offset_commit_response_partition, partition_index, "PartitionIndex",
                 SCHEMA_INT32, FROM(0)),
    SCHEMA_FIELD(struct offset_commit_response_partition, error_code, "ErrorCode", SCHEMA_INT16,
                 FROM(0)),
};
const struct schema_struct offset_commit_response_partition_desc =
    SCHEMA_STRUCT_DESC(struct offset_commit_response_partition, "OffsetCommitResponsePartition",
                       offset_commit_response_partition_fields);

static const struct schema_field offset_commit_response_topic_fields[] = {
    SCHEMA_FIELD(struct offset_commit_response_topic, name, "Name", SCHEMA_STRING, VR(0, 9)),
    SCHEMA_FIELD(struct offset_commit_response_topic, topic_id, "TopicId", SCHEMA_UUID,
                 FROM(10)),
    SCHEMA_ARRAY_FIELD(struct offset_commit_response_topic, partitions, partition_count,
                       "Partitions", offset_commit_response_partition_desc, FROM(0)),
};
const struct schema_struct offset_commit_response_topic_desc =
    SCHEMA_STRUCT_DESC(struct offset_commit_response_topic, "OffsetCommitResponseTopic",
                       offset_commit_response_topic_fields);

static const struct schema_field offset_commit_response_fields[] = {
    SCHEMA_FIELD(struct offset_commit_response, throttle_time_ms, "ThrottleTimeMs", SCHEMA_INT32,
                 FROM(3)),
    SCHEMA_ARRAY_FIELD(struct offset_commit_response, topics, topic_count, "Topics",
                       offset_commit_response_topic_desc, FROM(0)),
};
static const struct schema_struct offset_commit_response_desc = SCHEMA_STRUCT_DESC(
    struct offset_commit_response, "OffsetCommitResponse", offset_commit_response_fields);
const struct schema_message offset_commit_response_schema = MESSAGE(
    "OffsetCommitResponse", KAFKA_API_OFFSET_COMMIT, true, 2, 10, 8, offset_commit_response_desc);

/* ---- OffsetFetchRequest.json ----------------------------------------------------------------- */

/* OffsetFetchRequestTopic (v0-7) and OffsetFetchRequestTopics (v8+): Name 0-7 and 8-9 join. */
static const struct schema_field offset_fetch_request_topic_fields[] = {
    SCHEMA_FIELD(struct offset_fetch_request_topic, name, "Name", SCHEMA_STRING, VR(0, 9)),
    SCHEMA_FIELD(struct offset_fetch_request_topic, topic_id, "TopicId", SCHEMA_UUID, FROM(10)),
    SCHEMA_VALUES_FIELD(struct offset_fetch_request_topic, partition_indexes,
                        partition_index_count, "PartitionIndexes", SCHEMA_INT32, FROM(0)),
};
const struct schema_struct offset_fetch_request_topic_desc =
    SCHEMA_STRUCT_DESC(struct offset_fetch_request_topic, "OffsetFetchRequestTopics",
                       offset_fetch_request_topic_fields);

static const struct schema_field offset_fetch_request_group_fields[] = {
    SCHEMA_FIELD(struct offset_fetch_request_group, group_id, "GroupId", SCHEMA_STRING, FROM(8)),
    SCHEMA_FIELD(struct offset_fetch_request_group, member_id, "MemberId", SCHEMA_STRING, FROM(9),
                 SCHEMA_NULL_DEFAULT(FROM(9))),
    SCHEMA_FIELD(struct offset_fetch_request_group, member_epoch, "MemberEpoch", SCHEMA_INT32,
                 FROM(9), .def = -1),
    SCHEMA_ARRAY_FIELD(struct offset_fetch_request_group, topics, topic_count, "Topics",
                       offset_fetch_request_topic_desc, FROM(8), SCHEMA_NULLABLE(FROM(8))),
};
const struct schema_struct offset_fetch_request_group_desc =
    SCHEMA_STRUCT_DESC(struct offset_fetch_request_group, "OffsetFetchRequestGroup",
                       offset_fetch_request_group_fields);

static const struct schema_field offset_fetch_request_fields[] = {
    SCHEMA_FIELD(struct offset_fetch_request, group_id, "GroupId", SCHEMA_STRING, VR(0, 7)),
    SCHEMA_ARRAY_FIELD(struct offset_fetch_request, topics, topic_count, "Topics",
                       offset_fetch_request_topic_desc, VR(0, 7), SCHEMA_NULLABLE(VR(2, 7))),
    SCHEMA_ARRAY_FIELD(struct offset_fetch_request, groups, group_count, "Groups",
                       offset_fetch_request_group_desc, FROM(8)),
    SCHEMA_FIELD(struct offset_fetch_request, require_stable, "RequireStable", SCHEMA_BOOL,
                 FROM(7)),
};
static const struct schema_struct offset_fetch_request_desc = SCHEMA_STRUCT_DESC(
    struct offset_fetch_request, "OffsetFetchRequest", offset_fetch_request_fields);
const struct schema_message offset_fetch_request_schema = MESSAGE(
    "OffsetFetchRequest", KAFKA_API_OFFSET_FETCH, false, 1, 10, 6, offset_fetch_request_desc);

/* ---- OffsetFetchResponse.json ---------------------------------------------------------------- */

/* OffsetFetchResponsePartition (v0-7) and ...Partitions (v8+): the epoch is 5-7 and 8+. */
static const struct schema_field offset_fetch_response_partition_fields[] = {
    SCHEMA_FIELD(struct offset_fetch_response_partition, partition_index, "PartitionIndex",
                 SCHEMA_INT32, FROM(0)),
    SCHEMA_FIELD(struct offset_fetch_response_partition, committed_offset, "CommittedOffset",
                 SCHEMA_INT64, FROM(0)),
    SCHEMA_FIELD(struct offset_fetch_response_partition, committed_leader_epoch,
                 "CommittedLeaderEpoch", SCHEMA_INT32, FROM(5), .def = -1),
    SCHEMA_FIELD(struct offset_fetch_response_partition, metadata, "Metadata", SCHEMA_STRING,
                 FROM(0), SCHEMA_NULLABLE(FROM(0))),
    SCHEMA_FIELD(struct offset_fetch_response_partition, error_code, "ErrorCode", SCHEMA_INT16,
                 FROM(0)),
};
const struct schema_struct offset_fetch_response_partition_desc =
    SCHEMA_STRUCT_DESC(struct offset_fetch_response_partition, "OffsetFetchResponsePartitions",
                       offset_fetch_response_partition_fields);

static const struct schema_field offset_fetch_response_topic_fields[] = {
    SCHEMA_FIELD(struct offset_fetch_response_topic, name, "Name", SCHEMA_STRING, VR(0, 9)),
    SCHEMA_FIELD(struct offset_fetch_response_topic, topic_id, "TopicId", SCHEMA_UUID, FROM(10)),
    SCHEMA_ARRAY_FIELD(struct offset_fetch_response_topic, partitions, partition_count,
                       "Partitions", offset_fetch_response_partition_desc, FROM(0)),
};
const struct schema_struct offset_fetch_response_topic_desc =
    SCHEMA_STRUCT_DESC(struct offset_fetch_response_topic, "OffsetFetchResponseTopics",
                       offset_fetch_response_topic_fields);

static const struct schema_field offset_fetch_response_group_fields[] = {
    SCHEMA_FIELD(struct offset_fetch_response_group, group_id, "GroupId", SCHEMA_STRING, FROM(8)),
    SCHEMA_ARRAY_FIELD(struct offset_fetch_response_group, topics, topic_count, "Topics",
                       offset_fetch_response_topic_desc, FROM(8)),
    SCHEMA_FIELD(struct offset_fetch_response_group, error_code, "ErrorCode", SCHEMA_INT16,
                 FROM(8)),
};
const struct schema_struct offset_fetch_response_group_desc =
    SCHEMA_STRUCT_DESC(struct offset_fetch_response_group, "OffsetFetchResponseGroup",
                       offset_fetch_response_group_fields);

static const struct schema_field offset_fetch_response_fields[] = {
    SCHEMA_FIELD(struct offset_fetch_response, throttle_time_ms, "ThrottleTimeMs", SCHEMA_INT32,
                 FROM(3)),
    SCHEMA_ARRAY_FIELD(struct offset_fetch_response, topics, topic_count, "Topics",
                       offset_fetch_response_topic_desc, VR(0, 7)),
    SCHEMA_FIELD(struct offset_fetch_response, error_code, "ErrorCode", SCHEMA_INT16, VR(2, 7)),
    SCHEMA_ARRAY_FIELD(struct offset_fetch_response, groups, group_count, "Groups",
                       offset_fetch_response_group_desc, FROM(8)),
};
static const struct schema_struct offset_fetch_response_desc = SCHEMA_STRUCT_DESC(
    struct offset_fetch_response, "OffsetFetchResponse", offset_fetch_response_fields);
const struct schema_message offset_fetch_response_schema = MESSAGE(
    "OffsetFetchResponse", KAFKA_API_OFFSET_FETCH, true, 1, 10, 6, offset_fetch_response_desc);

/* ---- Typed entry points ---------------------------------------------------------------------- */

SCHEMA_ELEMENT_DEFINE(find_coordinator_coordinator)
SCHEMA_ELEMENT_DEFINE(join_group_protocol)
SCHEMA_ELEMENT_DEFINE(join_group_member)
SCHEMA_ELEMENT_DEFINE(sync_group_assignment)
SCHEMA_ELEMENT_DEFINE(leave_group_member_identity)
SCHEMA_ELEMENT_DEFINE(leave_group_member_response)
SCHEMA_ELEMENT_DEFINE(offset_commit_request_partition)
SCHEMA_ELEMENT_DEFINE(offset_commit_request_topic)
SCHEMA_ELEMENT_DEFINE(offset_commit_response_partition)
SCHEMA_ELEMENT_DEFINE(offset_commit_response_topic)
SCHEMA_ELEMENT_DEFINE(offset_fetch_request_topic)
SCHEMA_ELEMENT_DEFINE(offset_fetch_request_group)
SCHEMA_ELEMENT_DEFINE(offset_fetch_response_partition)
SCHEMA_ELEMENT_DEFINE(offset_fetch_response_topic)
SCHEMA_ELEMENT_DEFINE(offset_fetch_response_group)

SCHEMA_MESSAGE_DEFINE(find_coordinator_request)
SCHEMA_MESSAGE_DEFINE(find_coordinator_response)
SCHEMA_MESSAGE_DEFINE(join_group_request)
SCHEMA_MESSAGE_DEFINE(join_group_response)
SCHEMA_MESSAGE_DEFINE(sync_group_request)
SCHEMA_MESSAGE_DEFINE(sync_group_response)
SCHEMA_MESSAGE_DEFINE(heartbeat_request)
SCHEMA_MESSAGE_DEFINE(heartbeat_response)
SCHEMA_MESSAGE_DEFINE(leave_group_request)
SCHEMA_MESSAGE_DEFINE(leave_group_response)
SCHEMA_MESSAGE_DEFINE(offset_commit_request)
SCHEMA_MESSAGE_DEFINE(offset_commit_response)
SCHEMA_MESSAGE_DEFINE(offset_fetch_request)
SCHEMA_MESSAGE_DEFINE(offset_fetch_response)
