/* header.h — Kafka frames: size prefix, request/response headers, API keys and error codes. */
#ifndef KRAFTSIM_HEADER_H
#define KRAFTSIM_HEADER_H

/*
 * A frame on the wire is `int32 Size` + header + body (docs/design/protocol.md). Schemas:
 * apache/kafka `clients/src/main/resources/common/message/{Request,Response}Header.json`.
 *
 *   request header v1  RequestApiKey int16, RequestApiVersion int16, CorrelationId int32,
 *                      ClientId nullable string with an int16 length (-1 = null)
 *   request header v2  v1 + tagged-field section. ClientId keeps its int16 length
 *                      ("flexibleVersions": "none") so any broker can read an ApiVersions
 *                      request header whatever its version.
 *   response header v0 CorrelationId int32
 *   response header v1 v0 + tagged-field section
 *
 * The request header is v2 when the API version is flexible, else v1; the response header is v1
 * when flexible, else v0, except ApiVersions responses, which always use v0 (KIP-511: a client
 * must parse the response before it knows what the broker speaks). Header v0 (no ClientId) only
 * served ControlledShutdown v0 and was removed in Kafka 4.0; it is not supported.
 */

#include <stdbool.h>
#include <stdint.h>

#include "wire.h"

/*
 * API keys of KRAFT.md section 1, plus Envelope (58, KIP-590: a broker forwards a client request
 * to the controller inside it), with the first flexible version of each (the "flexibleVersions"
 * of msg/<Name>Request.json at apache/kafka trunk d79bd502ec). Columns: enum, key, name, flex.
 */
#define KAFKA_APIS(X)                                                                          \
    X(KAFKA_API_PRODUCE, 0, "Produce", 9)                                                      \
    X(KAFKA_API_FETCH, 1, "Fetch", 12)                                                         \
    X(KAFKA_API_LIST_OFFSETS, 2, "ListOffsets", 6)                                             \
    X(KAFKA_API_METADATA, 3, "Metadata", 9)                                                    \
    X(KAFKA_API_OFFSET_COMMIT, 8, "OffsetCommit", 8)                                           \
    X(KAFKA_API_OFFSET_FETCH, 9, "OffsetFetch", 6)                                             \
    X(KAFKA_API_FIND_COORDINATOR, 10, "FindCoordinator", 3)                                    \
    X(KAFKA_API_JOIN_GROUP, 11, "JoinGroup", 6)                                                \
    X(KAFKA_API_HEARTBEAT, 12, "Heartbeat", 4)                                                 \
    X(KAFKA_API_LEAVE_GROUP, 13, "LeaveGroup", 4)                                              \
    X(KAFKA_API_SYNC_GROUP, 14, "SyncGroup", 4)                                                \
    X(KAFKA_API_API_VERSIONS, 18, "ApiVersions", 3)                                            \
    X(KAFKA_API_CREATE_TOPICS, 19, "CreateTopics", 5)                                          \
    X(KAFKA_API_DELETE_TOPICS, 20, "DeleteTopics", 4)                                          \
    X(KAFKA_API_INIT_PRODUCER_ID, 22, "InitProducerId", 2)                                     \
    X(KAFKA_API_OFFSET_FOR_LEADER_EPOCH, 23, "OffsetForLeaderEpoch", 4)                        \
    X(KAFKA_API_ELECT_LEADERS, 43, "ElectLeaders", 2)                                          \
    X(KAFKA_API_VOTE, 52, "Vote", 0)                                                           \
    X(KAFKA_API_BEGIN_QUORUM_EPOCH, 53, "BeginQuorumEpoch", 1)                                 \
    X(KAFKA_API_END_QUORUM_EPOCH, 54, "EndQuorumEpoch", 1)                                     \
    X(KAFKA_API_DESCRIBE_QUORUM, 55, "DescribeQuorum", 0)                                      \
    X(KAFKA_API_ALTER_PARTITION, 56, "AlterPartition", 0)                                      \
    X(KAFKA_API_ENVELOPE, 58, "Envelope", 0)                                                   \
    X(KAFKA_API_FETCH_SNAPSHOT, 59, "FetchSnapshot", 0)                                        \
    X(KAFKA_API_BROKER_REGISTRATION, 62, "BrokerRegistration", 0)                              \
    X(KAFKA_API_BROKER_HEARTBEAT, 63, "BrokerHeartbeat", 0)                                    \
    X(KAFKA_API_UNREGISTER_BROKER, 64, "UnregisterBroker", 0)                                  \
    X(KAFKA_API_ALLOCATE_PRODUCER_IDS, 67, "AllocateProducerIds", 0)                           \
    X(KAFKA_API_CONTROLLER_REGISTRATION, 70, "ControllerRegistration", 0)                      \
    X(KAFKA_API_ADD_RAFT_VOTER, 80, "AddRaftVoter", 0)                                         \
    X(KAFKA_API_REMOVE_RAFT_VOTER, 81, "RemoveRaftVoter", 0)                                   \
    X(KAFKA_API_UPDATE_RAFT_VOTER, 82, "UpdateRaftVoter", 0)

enum kafka_api_key {
#define KAFKA_API_ENUM(name, key, text, flex) name = key,
    KAFKA_APIS(KAFKA_API_ENUM)
#undef KAFKA_API_ENUM
};

/* "Fetch" for 1; NULL for a key not in the table. */
const char *kafka_api_name(int16_t api_key);
/* First flexible version, or -1 for a key not in the table. */
int kafka_api_flexible_version(int16_t api_key);

/*
 * Error codes (clients/src/main/java/org/apache/kafka/common/protocol/Errors.java): the ones of
 * KRAFT.md section 8 plus a few the KRaft and replication paths can return. Columns: enum, code,
 * name (as Errors.name()), default message (Errors.message()).
 */
#define KAFKA_ERRORS(X)                                                                        \
    X(KAFKA_UNKNOWN_SERVER_ERROR, -1, "UNKNOWN_SERVER_ERROR",                                  \
      "The server experienced an unexpected error when processing the request.")              \
    X(KAFKA_NONE, 0, "NONE", "")                                                               \
    X(KAFKA_OFFSET_OUT_OF_RANGE, 1, "OFFSET_OUT_OF_RANGE",                                     \
      "The requested offset is not within the range of offsets maintained by the server.")    \
    X(KAFKA_CORRUPT_MESSAGE, 2, "CORRUPT_MESSAGE",                                             \
      "This message has failed its CRC checksum, exceeds the valid size, has a null key for "  \
      "a compacted topic, or is otherwise corrupt.")                                           \
    X(KAFKA_UNKNOWN_TOPIC_OR_PARTITION, 3, "UNKNOWN_TOPIC_OR_PARTITION",                       \
      "This server does not host this topic-partition.")                                       \
    X(KAFKA_LEADER_NOT_AVAILABLE, 5, "LEADER_NOT_AVAILABLE",                                   \
      "There is no leader for this topic-partition as we are in the middle of a leadership "   \
      "election.")                                                                             \
    X(KAFKA_NOT_LEADER_OR_FOLLOWER, 6, "NOT_LEADER_OR_FOLLOWER",                               \
      "For requests intended only for the leader, this error indicates that the broker is "    \
      "not the current leader. For requests intended for any replica, this error indicates "   \
      "that the broker is not a replica of the topic partition.")                              \
    X(KAFKA_REQUEST_TIMED_OUT, 7, "REQUEST_TIMED_OUT", "The request timed out.")               \
    X(KAFKA_BROKER_NOT_AVAILABLE, 8, "BROKER_NOT_AVAILABLE", "The broker is not available.")   \
    X(KAFKA_MESSAGE_TOO_LARGE, 10, "MESSAGE_TOO_LARGE",                                        \
      "The request included a message larger than the max message size the server will "       \
      "accept.")                                                                               \
    X(KAFKA_COORDINATOR_LOAD_IN_PROGRESS, 14, "COORDINATOR_LOAD_IN_PROGRESS",                  \
      "The coordinator is loading and hence can't process requests.")                          \
    X(KAFKA_COORDINATOR_NOT_AVAILABLE, 15, "COORDINATOR_NOT_AVAILABLE",                        \
      "The coordinator is not available.")                                                     \
    X(KAFKA_NOT_COORDINATOR, 16, "NOT_COORDINATOR", "This is not the correct coordinator.")    \
    X(KAFKA_INVALID_TOPIC_EXCEPTION, 17, "INVALID_TOPIC_EXCEPTION",                            \
      "The request attempted to perform an operation on an invalid topic.")                    \
    X(KAFKA_RECORD_LIST_TOO_LARGE, 18, "RECORD_LIST_TOO_LARGE",                                \
      "The request included message batch larger than the configured segment size on the "     \
      "server.")                                                                               \
    X(KAFKA_NOT_ENOUGH_REPLICAS, 19, "NOT_ENOUGH_REPLICAS",                                    \
      "Messages are rejected since there are fewer in-sync replicas than required.")           \
    X(KAFKA_NOT_ENOUGH_REPLICAS_AFTER_APPEND, 20, "NOT_ENOUGH_REPLICAS_AFTER_APPEND",          \
      "Messages are written to the log, but to fewer in-sync replicas than required.")         \
    X(KAFKA_INVALID_REQUIRED_ACKS, 21, "INVALID_REQUIRED_ACKS",                                \
      "Produce request specified an invalid value for required acks.")                         \
    X(KAFKA_ILLEGAL_GENERATION, 22, "ILLEGAL_GENERATION",                                      \
      "Specified group generation id is not valid.")                                           \
    X(KAFKA_INCONSISTENT_GROUP_PROTOCOL, 23, "INCONSISTENT_GROUP_PROTOCOL",                    \
      "The group member's supported protocols are incompatible with those of existing "        \
      "members or first group member tried to join with empty protocol type or empty "         \
      "protocol list.")                                                                        \
    X(KAFKA_INVALID_GROUP_ID, 24, "INVALID_GROUP_ID", "The group id is invalid.")              \
    X(KAFKA_UNKNOWN_MEMBER_ID, 25, "UNKNOWN_MEMBER_ID",                                        \
      "The coordinator is not aware of this member.")                                          \
    X(KAFKA_INVALID_SESSION_TIMEOUT, 26, "INVALID_SESSION_TIMEOUT",                            \
      "The session timeout is not within the range allowed by the broker (as configured "      \
      "by group.min.session.timeout.ms and group.max.session.timeout.ms).")                    \
    X(KAFKA_REBALANCE_IN_PROGRESS, 27, "REBALANCE_IN_PROGRESS",                                \
      "The group is rebalancing, so a rejoin is needed.")                                      \
    X(KAFKA_UNSUPPORTED_VERSION, 35, "UNSUPPORTED_VERSION",                                    \
      "The version of API is not supported.")                                                  \
    X(KAFKA_TOPIC_ALREADY_EXISTS, 36, "TOPIC_ALREADY_EXISTS",                                  \
      "Topic with this name already exists.")                                                  \
    X(KAFKA_INVALID_PARTITIONS, 37, "INVALID_PARTITIONS", "Number of partitions is below 1.")  \
    X(KAFKA_INVALID_REPLICATION_FACTOR, 38, "INVALID_REPLICATION_FACTOR",                      \
      "Replication factor is below 1 or larger than the number of available brokers.")         \
    X(KAFKA_INVALID_REPLICA_ASSIGNMENT, 39, "INVALID_REPLICA_ASSIGNMENT",                      \
      "Replica assignment is invalid.")                                                        \
    X(KAFKA_INVALID_CONFIG, 40, "INVALID_CONFIG", "Configuration is invalid.")                 \
    X(KAFKA_NOT_CONTROLLER, 41, "NOT_CONTROLLER",                                              \
      "This is not the correct controller for this cluster.")                                  \
    X(KAFKA_INVALID_REQUEST, 42, "INVALID_REQUEST",                                            \
      "This most likely occurs because of a request being malformed by the client library or " \
      "the message was sent to an incompatible broker. See the broker logs for more details.") \
    X(KAFKA_OUT_OF_ORDER_SEQUENCE_NUMBER, 45, "OUT_OF_ORDER_SEQUENCE_NUMBER",                  \
      "The broker received an out of order sequence number.")                                  \
    X(KAFKA_DUPLICATE_SEQUENCE_NUMBER, 46, "DUPLICATE_SEQUENCE_NUMBER",                        \
      "The broker received a duplicate sequence number.")                                      \
    X(KAFKA_INVALID_PRODUCER_EPOCH, 47, "INVALID_PRODUCER_EPOCH",                              \
      "Producer attempted to produce with an old epoch.")                                      \
    X(KAFKA_OPERATION_NOT_ATTEMPTED, 55, "OPERATION_NOT_ATTEMPTED",                            \
      "The broker did not attempt to execute this operation. This may happen for batched "     \
      "RPCs where some operations in the batch failed, causing the broker to respond without " \
      "trying the rest.")                                                                      \
    X(KAFKA_KAFKA_STORAGE_ERROR, 56, "KAFKA_STORAGE_ERROR",                                    \
      "Disk error when trying to access log file on the disk.")                                \
    X(KAFKA_TOPIC_DELETION_DISABLED, 73, "TOPIC_DELETION_DISABLED",                            \
      "Topic deletion is disabled.")                                                           \
    X(KAFKA_FENCED_LEADER_EPOCH, 74, "FENCED_LEADER_EPOCH",                                    \
      "The leader epoch in the request is older than the epoch on the broker.")                \
    X(KAFKA_UNKNOWN_LEADER_EPOCH, 75, "UNKNOWN_LEADER_EPOCH",                                  \
      "The leader epoch in the request is newer than the epoch on the broker.")                \
    X(KAFKA_UNSUPPORTED_COMPRESSION_TYPE, 76, "UNSUPPORTED_COMPRESSION_TYPE",                  \
      "The requesting client does not support the compression type of given partition.")       \
    X(KAFKA_STALE_BROKER_EPOCH, 77, "STALE_BROKER_EPOCH", "Broker epoch has changed.")         \
    X(KAFKA_MEMBER_ID_REQUIRED, 79, "MEMBER_ID_REQUIRED",                                      \
      "The group member needs to have a valid member id before actually entering a "           \
      "consumer group.")                                                                       \
    X(KAFKA_PREFERRED_LEADER_NOT_AVAILABLE, 80, "PREFERRED_LEADER_NOT_AVAILABLE",              \
      "The preferred leader was not available.")                                               \
    X(KAFKA_ELIGIBLE_LEADERS_NOT_AVAILABLE, 83, "ELIGIBLE_LEADERS_NOT_AVAILABLE",              \
      "Eligible topic partition leaders are not available.")                                   \
    X(KAFKA_ELECTION_NOT_NEEDED, 84, "ELECTION_NOT_NEEDED",                                    \
      "Leader election not needed for topic partition.")                                       \
    X(KAFKA_INVALID_RECORD, 87, "INVALID_RECORD",                                              \
      "This record has failed the validation on broker and hence will be rejected.")           \
    X(KAFKA_INCONSISTENT_VOTER_SET, 94, "INCONSISTENT_VOTER_SET",                              \
      "Indicates that the either the sender or recipient of a voter-only request is not one "  \
      "of the expected voters.")                                                               \
    X(KAFKA_INVALID_UPDATE_VERSION, 95, "INVALID_UPDATE_VERSION",                              \
      "The given update version was invalid.")                                                 \
    X(KAFKA_SNAPSHOT_NOT_FOUND, 98, "SNAPSHOT_NOT_FOUND", "Requested snapshot was not found.")  \
    X(KAFKA_POSITION_OUT_OF_RANGE, 99, "POSITION_OUT_OF_RANGE",                                \
      "Requested position is not greater than or equal to zero, and less than the size of "    \
      "the snapshot.")                                                                         \
    X(KAFKA_UNKNOWN_TOPIC_ID, 100, "UNKNOWN_TOPIC_ID", "This server does not host this topic ID.") \
    X(KAFKA_DUPLICATE_BROKER_REGISTRATION, 101, "DUPLICATE_BROKER_REGISTRATION",               \
      "This broker ID is already in use.")                                                     \
    X(KAFKA_BROKER_ID_NOT_REGISTERED, 102, "BROKER_ID_NOT_REGISTERED",                         \
      "The given broker ID was not registered.")                                               \
    X(KAFKA_INCONSISTENT_TOPIC_ID, 103, "INCONSISTENT_TOPIC_ID",                               \
      "The log's topic ID did not match the topic ID in the request.")                         \
    X(KAFKA_INCONSISTENT_CLUSTER_ID, 104, "INCONSISTENT_CLUSTER_ID",                           \
      "The clusterId in the request does not match that found on the server.")                 \
    X(KAFKA_INELIGIBLE_REPLICA, 107, "INELIGIBLE_REPLICA",                                     \
      "The new ISR contains at least one ineligible replica.")                                 \
    X(KAFKA_NEW_LEADER_ELECTED, 108, "NEW_LEADER_ELECTED",                                     \
      "The AlterPartition request successfully updated the partition state but the leader "    \
      "has changed.")                                                                          \
    X(KAFKA_INVALID_VOTER_KEY, 125, "INVALID_VOTER_KEY",                                       \
      "The voter key doesn't match the receiving replica's key.")                              \
    X(KAFKA_DUPLICATE_VOTER, 126, "DUPLICATE_VOTER",                                           \
      "The voter is already part of the set of voters.")                                       \
    X(KAFKA_VOTER_NOT_FOUND, 127, "VOTER_NOT_FOUND", "The voter is not part of the set of voters.")

enum kafka_error {
#define KAFKA_ERROR_ENUM(name, code, text, msg) name = code,
    KAFKA_ERRORS(KAFKA_ERROR_ENUM)
#undef KAFKA_ERROR_ENUM
};

/* "FENCED_LEADER_EPOCH" for 74; "UNKNOWN" for a code not in the table. */
const char *kafka_error_name(int16_t code);
/* Errors.message(); "" for NONE and for a code not in the table. */
const char *kafka_error_message(int16_t code);

struct kheader_request {
    int16_t api_key;
    int16_t api_version;
    int32_t correlation_id;
    const char *client_id; /* nullable; Raft sends "raft-client-<node.id>" */
};

struct kheader_response {
    int32_t correlation_id;
};

/* Header version for (api key, api version): request 1 or 2, response 0 or 1; or
 * -WIRE_EUNKNOWN_API. The response version is 0 for ApiVersions at every version. */
int kheader_request_version(int16_t api_key, int16_t api_version);
int kheader_response_version(int16_t api_key, int16_t api_version);

/* Encoders return the writer's error (0 on success) or -WIRE_EVERSION for a header version
 * outside request 1-2 / response 0-1. Unknown tagged fields are skipped by the decoders. */
int kheader_request_encode(struct wire_writer *w, const struct kheader_request *h,
                           int header_version);
int kheader_request_decode(struct wire_reader *r, int header_version, struct wire_arena *a,
                           struct kheader_request *out);
int kheader_response_encode(struct wire_writer *w, const struct kheader_response *h,
                            int header_version);
int kheader_response_decode(struct wire_reader *r, int header_version,
                            struct kheader_response *out);

/*
 * Framing. kheader_frame_begin writes a placeholder int32 size and returns its position;
 * kheader_frame_end patches it to the number of bytes written after it.
 */
size_t kheader_frame_begin(struct wire_writer *w);
void kheader_frame_end(struct wire_writer *w, size_t mark);
/*
 * Checks that `bytes` starts with a whole frame. On success *frame_len is 4 + Size and `payload`
 * reads the Size bytes after the prefix. Errors: -WIRE_ETRUNCATED (fewer bytes than the frame
 * declares, or fewer than 4), -WIRE_EMALFORMED (negative Size).
 */
int kheader_frame_split(const uint8_t *bytes, size_t len, size_t *frame_len,
                        struct wire_reader *payload);

/* What a router needs from a request frame without decoding it. */
struct kheader_peek {
    int16_t api_key;
    int16_t api_version;
    int32_t correlation_id;
};

/* Peeks a request frame (size prefix included). Returns 0 or a negative codec error. */
int kheader_request_peek(const uint8_t *frame, size_t len, struct kheader_peek *out);
/* Peeks the correlation id of a response frame (size prefix included). */
int kheader_response_peek(const uint8_t *frame, size_t len, int32_t *correlation_id);

/* Whole-frame helpers: split the frame, decode the header whose version follows from the API,
 * and leave `body` positioned at the request or response body. */
int kheader_request_decode_frame(const uint8_t *frame, size_t len, struct wire_arena *a,
                                 struct kheader_request *hdr, struct wire_reader *body);
int kheader_response_decode_frame(const uint8_t *frame, size_t len, int16_t api_key,
                                  int16_t api_version, struct kheader_response *hdr,
                                  struct wire_reader *body);

#endif
