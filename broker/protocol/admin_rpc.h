/* admin_rpc.h — client/admin RPC bodies: Metadata, CreateTopics, DeleteTopics, ElectLeaders. */
#ifndef KRAFTSIM_ADMIN_RPC_H
#define KRAFTSIM_ADMIN_RPC_H

/*
 * Schemas: apache/kafka msg/{Metadata,CreateTopics,DeleteTopics}{Request,Response}.json at trunk
 * d79bd502ec. ApiVersions lives in api_versions.h.
 *
 *   API           key  versions  flexible
 *   Metadata        3  0-13      9+
 *   CreateTopics   19  2-7       5+
 *   DeleteTopics   20  1-6       4+
 *   ElectLeaders   43  0-2       2+   (the same 0-2 in 3.1 through trunk)
 *
 * MetadataRequest: Topics[] nullable v1+ {TopicId uuid v10+, Name string nullable v10+} ·
 *   AllowAutoTopicCreation bool [true] v4+ · IncludeClusterAuthorizedOperations bool v8-10 ·
 *   IncludeTopicAuthorizedOperations bool v8+. In v0 an empty Topics array means "all topics";
 *   from v1 a null array (count -1) does, and an empty one means "none".
 * MetadataResponse: ThrottleTimeMs v3+ · Brokers[]{NodeId, Host, Port int32, Rack nullable
 *   [null] v1+} · ClusterId nullable [null] v2+ · ControllerId int32 [-1] v1+ · Topics[]{
 *   ErrorCode, Name (nullable v12+), TopicId uuid v10+, IsInternal bool [false] v1+,
 *   Partitions[]{ErrorCode, PartitionIndex, LeaderId, LeaderEpoch int32 [-1] v7+,
 *   ReplicaNodes []int32, IsrNodes []int32, OfflineReplicas []int32 v5+},
 *   TopicAuthorizedOperations int32 [INT32_MIN] v8+} · ClusterAuthorizedOperations int32
 *   [INT32_MIN] v8-10 · ErrorCode int16 v13+.
 *
 * CreateTopicsRequest: Topics[]{Name, NumPartitions int32, ReplicationFactor int16 (-1 for
 *   the broker default, KIP-464), Assignments[]{PartitionIndex, BrokerIds []int32},
 *   Configs[]{Name, Value nullable}} · timeoutMs int32 [60000] · validateOnly bool [false].
 * CreateTopicsResponse: ThrottleTimeMs · Topics[]{Name, TopicId uuid v7+, ErrorCode,
 *   ErrorMessage nullable, TopicConfigErrorCode int16 [0] {tag 0} v5+, NumPartitions int32
 *   [-1] v5+, ReplicationFactor int16 [-1] v5+, Configs[] nullable v5+ {Name, Value nullable,
 *   ReadOnly bool, ConfigSource int8 [-1], IsSensitive bool}} (KIP-525).
 *
 * DeleteTopicsRequest: Topics[]{Name nullable [null], TopicId uuid} v6+ | TopicNames []string
 *   v1-5 · TimeoutMs int32.
 * DeleteTopicsResponse: ThrottleTimeMs · Responses[]{Name (nullable v6+), TopicId uuid v6+,
 *   ErrorCode, ErrorMessage nullable [null] v5+}.
 *
 * Version mapping choices:
 * - DeleteTopics keeps one array of (name, topic id): v1-5 send the names as TopicNames (a null
 *   name there is -WIRE_EINVAL), v6+ send both; decoding v1-5 leaves topic ids zero.
 * - A null where a version does not allow it (Metadata Topics array in v0, topic names before
 *   v10/v12, DeleteTopics names before v6) is -WIRE_EINVAL on encode and -WIRE_EMALFORMED on
 *   decode, as the generated Java refuses it.
 * - A nullable string without a "default" defaults to "" in the generated Java (CreateTopics
 *   ErrorMessage); the *_init functions do the same.
 * Otherwise the rules of kraft_rpc.h hold (tagged fields only when non-default, absent fields
 * dropped on encode and defaulted on decode, (count, pointer) arrays with -1 for null).
 */

#include <stdbool.h>
#include <stdint.h>

#include "wire.h"

#define METADATA_VERSION_MIN 0
#define METADATA_VERSION_MAX 13
#define CREATE_TOPICS_VERSION_MIN 2
#define CREATE_TOPICS_VERSION_MAX 7
#define DELETE_TOPICS_VERSION_MIN 1
#define DELETE_TOPICS_VERSION_MAX 6

/* "default": "-2147483648" of Topic/ClusterAuthorizedOperations: not requested. */
#define METADATA_AUTHORIZED_OPERATIONS_NONE INT32_MIN

/* ---- Metadata (3) ------------------------------------------------------------------------ */

struct metadata_request_topic {
    struct kuuid topic_id; /* v10+ */
    const char *name;      /* nullable v10+ */
};

struct metadata_request {
    int32_t topic_count; /* -1 = null (v1+): every topic */
    struct metadata_request_topic *topics;
    bool allow_auto_topic_creation;             /* v4+, true */
    bool include_cluster_authorized_operations; /* v8-10 */
    bool include_topic_authorized_operations;   /* v8+ */
};

struct metadata_response_broker {
    int32_t node_id;
    const char *host;
    int32_t port;
    const char *rack; /* v1+, nullable, default null */
};

struct metadata_response_partition {
    int16_t error_code;
    int32_t partition_index;
    int32_t leader_id;
    int32_t leader_epoch; /* v7+, -1 */
    int32_t replica_node_count;
    int32_t *replica_nodes;
    int32_t isr_node_count;
    int32_t *isr_nodes;
    int32_t offline_replica_count; /* v5+ */
    int32_t *offline_replicas;
};

struct metadata_response_topic {
    int16_t error_code;
    const char *name;      /* nullable v12+ (a topic asked for by an unknown id) */
    struct kuuid topic_id; /* v10+ */
    bool is_internal;      /* v1+ */
    int32_t partition_count;
    struct metadata_response_partition *partitions;
    int32_t topic_authorized_operations; /* v8+, METADATA_AUTHORIZED_OPERATIONS_NONE */
};

struct metadata_response {
    int32_t throttle_time_ms; /* v3+ */
    int32_t broker_count;
    struct metadata_response_broker *brokers;
    const char *cluster_id; /* v2+, nullable, default null */
    int32_t controller_id;  /* v1+, -1 */
    int32_t topic_count;
    struct metadata_response_topic *topics;
    int32_t cluster_authorized_operations; /* v8-10, METADATA_AUTHORIZED_OPERATIONS_NONE */
    int16_t error_code;                    /* v13+ */
};

void metadata_request_init(struct metadata_request *m);
void metadata_response_init(struct metadata_response *m);
void metadata_response_topic_init(struct metadata_response_topic *t);
void metadata_response_partition_init(struct metadata_response_partition *p);
int metadata_request_encode(struct wire_writer *w, const struct metadata_request *m,
                            int16_t version);
int metadata_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                            struct metadata_request *out);
int metadata_response_encode(struct wire_writer *w, const struct metadata_response *m,
                             int16_t version);
int metadata_response_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                             struct metadata_response *out);

/* ---- CreateTopics (19) ------------------------------------------------------------------- */

struct create_topics_assignment {
    int32_t partition_index;
    int32_t broker_id_count;
    int32_t *broker_ids;
};

struct create_topics_config {
    const char *name;
    const char *value; /* nullable */
};

struct create_topics_topic {
    const char *name;
    int32_t num_partitions;     /* -1: assignments or the broker default */
    int16_t replication_factor; /* -1: assignments or the broker default */
    int32_t assignment_count;
    struct create_topics_assignment *assignments;
    int32_t config_count;
    struct create_topics_config *configs;
};

struct create_topics_request {
    int32_t topic_count;
    struct create_topics_topic *topics;
    int32_t timeout_ms; /* 60000 */
    bool validate_only;
};

struct create_topics_result_config {
    const char *name;
    const char *value; /* nullable */
    bool read_only;
    int8_t config_source; /* -1 */
    bool is_sensitive;
};

struct create_topics_result {
    const char *name;
    struct kuuid topic_id; /* v7+ */
    int16_t error_code;
    const char *error_message;       /* nullable, default "" */
    int16_t topic_config_error_code; /* v5+ {tag 0}, sent when non-zero */
    int32_t num_partitions;          /* v5+, -1 */
    int16_t replication_factor;      /* v5+, -1 */
    int32_t config_count;            /* v5+, -1 = null */
    struct create_topics_result_config *configs;
};

struct create_topics_response {
    int32_t throttle_time_ms;
    int32_t topic_count;
    struct create_topics_result *topics;
};

void create_topics_request_init(struct create_topics_request *m);
void create_topics_result_init(struct create_topics_result *t);
void create_topics_result_config_init(struct create_topics_result_config *c);
/* AbstractRequest.getErrorResponse: every topic of `req` answered with `error`. */
void create_topics_error_response(const struct create_topics_request *req, int16_t error,
                                  struct wire_arena *a, struct create_topics_response *out);
int create_topics_request_encode(struct wire_writer *w, const struct create_topics_request *m,
                                 int16_t version);
int create_topics_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                 struct create_topics_request *out);
int create_topics_response_encode(struct wire_writer *w, const struct create_topics_response *m,
                                  int16_t version);
int create_topics_response_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                  struct create_topics_response *out);

/* ---- DeleteTopics (20) ------------------------------------------------------------------- */

struct delete_topics_topic {
    const char *name;      /* v1-5 non-null; v6+ nullable, default null */
    struct kuuid topic_id; /* v6+ */
};

struct delete_topics_request {
    int32_t topic_count;
    struct delete_topics_topic *topics;
    int32_t timeout_ms;
};

struct delete_topics_result {
    const char *name;      /* nullable v6+ */
    struct kuuid topic_id; /* v6+ */
    int16_t error_code;
    const char *error_message; /* v5+, nullable, default null */
};

struct delete_topics_response {
    int32_t throttle_time_ms;
    int32_t response_count;
    struct delete_topics_result *responses;
};

/* AbstractRequest.getErrorResponse: every topic of `req` answered with `error`. */
void delete_topics_error_response(const struct delete_topics_request *req, int16_t error,
                                  struct wire_arena *a, struct delete_topics_response *out);
int delete_topics_request_encode(struct wire_writer *w, const struct delete_topics_request *m,
                                 int16_t version);
int delete_topics_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                 struct delete_topics_request *out);
int delete_topics_response_encode(struct wire_writer *w, const struct delete_topics_response *m,
                                  int16_t version);
int delete_topics_response_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                  struct delete_topics_response *out);

/* ---- ElectLeaders (43) ------------------------------------------------------------------- */

/*
 * ElectLeadersRequest: ElectionType int8 v1+ (0 PREFERRED, 1 UNCLEAN; KIP-460; v0 is
 *   PREFERRED) · TopicPartitions[] nullable {Topic string, Partitions []int32} (null: every
 *   partition) · TimeoutMs int32 [60000].
 * ElectLeadersResponse: ThrottleTimeMs int32 · ErrorCode int16 v1+ · ReplicaElectionResults[]{
 *   Topic string, PartitionResult[]{PartitionId int32, ErrorCode int16, ErrorMessage string
 *   nullable}}.
 */
#define ELECTION_TYPE_PREFERRED 0
#define ELECTION_TYPE_UNCLEAN 1

struct elect_leaders_topic {
    const char *topic;
    int32_t partition_count;
    int32_t *partitions;
};

struct elect_leaders_request {
    int8_t election_type;
    int32_t topic_count; /* -1: TopicPartitions is null, every partition */
    struct elect_leaders_topic *topics;
    int32_t timeout_ms;
};

struct elect_leaders_partition_result {
    int32_t partition_id;
    int16_t error_code;
    const char *error_message; /* nullable */
};

struct elect_leaders_result {
    const char *topic;
    int32_t partition_count;
    struct elect_leaders_partition_result *partitions;
};

struct elect_leaders_response {
    int32_t throttle_time_ms;
    int16_t error_code; /* v1+ */
    int32_t result_count;
    struct elect_leaders_result *results;
};

/* ElectLeadersRequest.getErrorResponse: the top-level error, and each partition asked for. */
void elect_leaders_error_response(const struct elect_leaders_request *req, int16_t error,
                                  struct wire_arena *a, struct elect_leaders_response *out);
int elect_leaders_request_encode(struct wire_writer *w, const struct elect_leaders_request *m,
                                 int16_t version);
int elect_leaders_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                 struct elect_leaders_request *out);
int elect_leaders_response_encode(struct wire_writer *w, const struct elect_leaders_response *m,
                                  int16_t version);
int elect_leaders_response_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                  struct elect_leaders_response *out);

#endif
