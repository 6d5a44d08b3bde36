/* group_rpc.h — the group coordinator's RPCs, described as schema.h tables. */
#ifndef KRAFTSIM_GROUP_RPC_H
#define KRAFTSIM_GROUP_RPC_H

/*
 * Schemas: apache/kafka clients/src/main/resources/common/message/<Name>.json at trunk
 * 3e3f0c4315 (classic group protocol; KIP-896 removed the versions below these in 4.0).
 *
 *   API               key  versions  flexible  notable version gates
 *   OffsetCommit        8  2-10      8+        v2-4 RetentionTimeMs; v6 CommittedLeaderEpoch;
 *                                              v7 GroupInstanceId; v10 TopicId (KIP-848)
 *   OffsetFetch         9  1-10      6+        v8 Groups[] (batched); v9 MemberId/Epoch;
 *                                              v10 TopicId
 *   FindCoordinator    10  0-6       3+        v4 CoordinatorKeys[] / Coordinators[] (batched)
 *   JoinGroup          11  0-9       6+        v5 GroupInstanceId; v7 ProtocolType; v8 Reason;
 *                                              v9 SkipAssignment
 *   Heartbeat          12  0-4       4+        v3 GroupInstanceId
 *   LeaveGroup         13  0-5       4+        v3 Members[]; v5 Reason
 *   SyncGroup          14  0-5       4+        v3 GroupInstanceId; v5 ProtocolType/Name
 *
 * OffsetFetch keeps one C topic and partition struct for its v0-7 top-level Topics and its
 * v8+ Groups[].Topics: the JSON has two struct types of the same shape, and one C type lets a
 * coordinator answer both with one code path (each table row keeps the JSON's versions).
 */

#include <stdbool.h>
#include <stdint.h>

#include "schema.h"
#include "wire.h"

/* ---- FindCoordinator (FindCoordinatorRequest.json, FindCoordinatorResponse.json) ------------- */

struct find_coordinator_request {
    const char *key; /* v0-3 */
    int8_t key_type; /* v1+: 0 group, 1 transaction, 2 share */
    int32_t coordinator_key_count; /* v4+ */
    const char **coordinator_keys;
};

struct find_coordinator_coordinator {
    const char *key;
    int32_t node_id;
    const char *host;
    int32_t port;
    int16_t error_code;
    const char *error_message; /* nullable */
};

struct find_coordinator_response {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code;       /* v0-3 */
    const char *error_message; /* v1-3 nullable */
    int32_t node_id;          /* v0-3 */
    const char *host;         /* v0-3 */
    int32_t port;             /* v0-3 */
    int32_t coordinator_count; /* v4+ */
    struct find_coordinator_coordinator *coordinators;
};

/* ---- JoinGroup (JoinGroupRequest.json, JoinGroupResponse.json) ------------------------------- */

struct join_group_protocol {
    const char *name;
    struct wire_bytes metadata;
};

struct join_group_request {
    const char *group_id;
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms; /* v1+ [-1] */
    const char *member_id;
    const char *group_instance_id; /* v5+ nullable [null] */
    const char *protocol_type;
    int32_t protocol_count;
    struct join_group_protocol *protocols;
    const char *reason; /* v8+ nullable [null] */
};

struct join_group_member {
    const char *member_id;
    const char *group_instance_id; /* v5+ nullable [null] */
    struct wire_bytes metadata;
};

struct join_group_response {
    int32_t throttle_time_ms; /* v2+ */
    int16_t error_code;
    int32_t generation_id;     /* [-1] */
    const char *protocol_type; /* v7+ nullable [null] */
    const char *protocol_name; /* nullable v7+ */
    const char *leader;
    bool skip_assignment; /* v9+ */
    const char *member_id;
    int32_t member_count;
    struct join_group_member *members;
};

/* ---- SyncGroup (SyncGroupRequest.json, SyncGroupResponse.json) ------------------------------- */

struct sync_group_assignment {
    const char *member_id;
    struct wire_bytes assignment;
};

struct sync_group_request {
    const char *group_id;
    int32_t generation_id;
    const char *member_id;
    const char *group_instance_id; /* v3+ nullable [null] */
    const char *protocol_type;     /* v5+ nullable [null] */
    const char *protocol_name;     /* v5+ nullable [null] */
    int32_t assignment_count;
    struct sync_group_assignment *assignments;
};

struct sync_group_response {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code;
    const char *protocol_type; /* v5+ nullable [null] */
    const char *protocol_name; /* v5+ nullable [null] */
    struct wire_bytes assignment;
};

/* ---- Heartbeat (HeartbeatRequest.json, HeartbeatResponse.json) ------------------------------- */

struct heartbeat_request {
    const char *group_id;
    int32_t generation_id;
    const char *member_id;
    const char *group_instance_id; /* v3+ nullable [null] */
};

struct heartbeat_response {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code;
};

/* ---- LeaveGroup (LeaveGroupRequest.json, LeaveGroupResponse.json) ---------------------------- */

struct leave_group_member_identity {
    const char *member_id;
    const char *group_instance_id; /* nullable [null] */
    const char *reason;            /* v5+ nullable [null] */
};

struct leave_group_request {
    const char *group_id;
    const char *member_id; /* v0-2 */
    int32_t member_count;  /* v3+ */
    struct leave_group_member_identity *members;
};

struct leave_group_member_response {
    const char *member_id;
    const char *group_instance_id; /* nullable */
    int16_t error_code;
};

struct leave_group_response {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code;
    int32_t member_count; /* v3+ */
    struct leave_group_member_response *members;
};

/* ---- OffsetCommit (OffsetCommitRequest.json, OffsetCommitResponse.json) ---------------------- */

struct offset_commit_request_partition {
    int32_t partition_index;
    int64_t committed_offset;
    int32_t committed_leader_epoch; /* v6+ [-1] */
    const char *committed_metadata; /* nullable */
};

struct offset_commit_request_topic {
    const char *name;      /* v0-9 */
    struct kuuid topic_id; /* v10+ */
    int32_t partition_count;
    struct offset_commit_request_partition *partitions;
};

struct offset_commit_request {
    const char *group_id;
    int32_t generation_id_or_member_epoch; /* [-1] */
    const char *member_id;
    const char *group_instance_id; /* v7+ nullable [null] */
    int64_t retention_time_ms;     /* v2-4 [-1] */
    int32_t topic_count;
    struct offset_commit_request_topic *topics;
};

struct offset_commit_response_partition {
    int32_t partition_index;
    int16_t error_code;
};

struct offset_commit_response_topic {
    const char *name;      /* v0-9 */
    struct kuuid topic_id; /* v10+ */
    int32_t partition_count;
    struct offset_commit_response_partition *partitions;
};

struct offset_commit_response {
    int32_t throttle_time_ms; /* v3+ */
    int32_t topic_count;
    struct offset_commit_response_topic *topics;
};

/* ---- OffsetFetch (OffsetFetchRequest.json, OffsetFetchResponse.json) ------------------------- */

struct offset_fetch_request_topic {
    const char *name;      /* v0-9 */
    struct kuuid topic_id; /* v10+ */
    int32_t partition_index_count;
    int32_t *partition_indexes;
};

struct offset_fetch_request_group {
    const char *group_id;
    const char *member_id; /* v9+ nullable [null] */
    int32_t member_epoch;  /* v9+ [-1] */
    int32_t topic_count;   /* nullable: -1 = all topics */
    struct offset_fetch_request_topic *topics;
};

struct offset_fetch_request {
    const char *group_id; /* v0-7 */
    int32_t topic_count;  /* v0-7, nullable v2-7: -1 = all topics */
    struct offset_fetch_request_topic *topics;
    int32_t group_count; /* v8+ */
    struct offset_fetch_request_group *groups;
    bool require_stable; /* v7+ */
};

struct offset_fetch_response_partition {
    int32_t partition_index;
    int64_t committed_offset;
    int32_t committed_leader_epoch; /* v5+ [-1] */
    const char *metadata;           /* nullable */
    int16_t error_code;
};

struct offset_fetch_response_topic {
    const char *name;      /* v0-9 */
    struct kuuid topic_id; /* v10+ */
    int32_t partition_count;
    struct offset_fetch_response_partition *partitions;
};

struct offset_fetch_response_group {
    const char *group_id;
    int32_t topic_count;
    struct offset_fetch_response_topic *topics;
    int16_t error_code;
};

struct offset_fetch_response {
    int32_t throttle_time_ms; /* v3+ */
    int32_t topic_count;      /* v0-7 */
    struct offset_fetch_response_topic *topics;
    int16_t error_code;  /* v2-7 */
    int32_t group_count; /* v8+ */
    struct offset_fetch_response_group *groups;
};

SCHEMA_ELEMENT_DECLARE(find_coordinator_coordinator);
SCHEMA_ELEMENT_DECLARE(join_group_protocol);
SCHEMA_ELEMENT_DECLARE(join_group_member);
SCHEMA_ELEMENT_DECLARE(sync_group_assignment);
SCHEMA_ELEMENT_DECLARE(leave_group_member_identity);
SCHEMA_ELEMENT_DECLARE(leave_group_member_response);
SCHEMA_ELEMENT_DECLARE(offset_commit_request_partition);
SCHEMA_ELEMENT_DECLARE(offset_commit_request_topic);
SCHEMA_ELEMENT_DECLARE(offset_commit_response_partition);
SCHEMA_ELEMENT_DECLARE(offset_commit_response_topic);
SCHEMA_ELEMENT_DECLARE(offset_fetch_request_topic);
SCHEMA_ELEMENT_DECLARE(offset_fetch_request_group);
SCHEMA_ELEMENT_DECLARE(offset_fetch_response_partition);
SCHEMA_ELEMENT_DECLARE(offset_fetch_response_topic);
SCHEMA_ELEMENT_DECLARE(offset_fetch_response_group);

SCHEMA_MESSAGE_DECLARE(find_coordinator_request);
SCHEMA_MESSAGE_DECLARE(find_coordinator_response);
SCHEMA_MESSAGE_DECLARE(join_group_request);
SCHEMA_MESSAGE_DECLARE(join_group_response);
SCHEMA_MESSAGE_DECLARE(sync_group_request);
SCHEMA_MESSAGE_DECLARE(sync_group_response);
SCHEMA_MESSAGE_DECLARE(heartbeat_request);
SCHEMA_MESSAGE_DECLARE(heartbeat_response);
SCHEMA_MESSAGE_DECLARE(leave_group_request);
SCHEMA_MESSAGE_DECLARE(leave_group_response);
SCHEMA_MESSAGE_DECLARE(offset_commit_request);
SCHEMA_MESSAGE_DECLARE(offset_commit_response);
SCHEMA_MESSAGE_DECLARE(offset_fetch_request);
SCHEMA_MESSAGE_DECLARE(offset_fetch_response);

#endif
