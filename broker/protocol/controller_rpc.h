/* controller_rpc.h — controller RPCs: registration, heartbeat, AlterPartition, Envelope. */
#ifndef KRAFTSIM_CONTROLLER_RPC_H
#define KRAFTSIM_CONTROLLER_RPC_H

/*
 * Schemas: apache/kafka msg/{BrokerRegistration,BrokerHeartbeat,UnregisterBroker,AlterPartition,
 * ControllerRegistration,Envelope}{Request,Response}.json at trunk d79bd502ec (KIP-631 broker
 * lifecycle, KIP-841/903 AlterPartition, KIP-858 log dirs, KIP-919 controller registration,
 * KIP-966, KIP-1066 cordoned log dirs, KIP-590 forwarding). Every version of every API here is
 * flexible ("0+").
 *
 *   API                     key  versions  wire order ([default], {tag}, version gate)
 *   BrokerRegistration       62  0-4       BrokerId int32 · ClusterId string · IncarnationId
 *                                          uuid · Listeners[]{Name, Host, Port uint16,
 *                                          SecurityProtocol int16} · Features[]{Name,
 *                                          MinSupportedVersion int16, MaxSupportedVersion
 *                                          int16} · Rack nullable · IsMigratingZkBroker bool
 *                                          [false] v1+ · LogDirs []uuid v2+ ·
 *                                          PreviousBrokerEpoch int64 [-1] v3+
 *                           resp           ThrottleTimeMs · ErrorCode · BrokerEpoch int64 [-1]
 *   BrokerHeartbeat          63  0-2       BrokerId · BrokerEpoch int64 [-1] ·
 *                                          CurrentMetadataOffset int64 · WantFence bool ·
 *                                          WantShutDown bool · OfflineLogDirs []uuid {tag 0}
 *                                          v1+ · CordonedLogDirs []uuid nullable [null]
 *                                          {tag 1} v2+
 *                           resp           ThrottleTimeMs · ErrorCode · IsCaughtUp bool [false]
 *                                          · IsFenced bool [true] · ShouldShutDown bool
 *   UnregisterBroker         64  0         BrokerId
 *                           resp           ThrottleTimeMs · ErrorCode · ErrorMessage nullable
 *   AlterPartition           56  0-3 (*)   BrokerId · BrokerEpoch int64 [-1] · Topics[]{
 *                                          TopicName string v0-1 | TopicId uuid v2+,
 *                                          Partitions[]{PartitionIndex, LeaderEpoch, NewIsr
 *                                          []int32 v0-2 | NewIsrWithEpochs[]{BrokerId,
 *                                          BrokerEpoch int64 [-1]} v3+, LeaderRecoveryState
 *                                          int8 [0] v1+, PartitionEpoch int32}}
 *                           resp           ThrottleTimeMs · ErrorCode · Topics[]{TopicName
 *                                          v0-1 | TopicId v2+, Partitions[]{PartitionIndex,
 *                                          ErrorCode, LeaderId, LeaderEpoch, Isr []int32,
 *                                          LeaderRecoveryState int8 [0] v1+, PartitionEpoch}}
 *   ControllerRegistration   70  0         ControllerId · IncarnationId uuid ·
 *                                          ZkMigrationReady bool · Listeners[] · Features[]
 *                                          (both as in BrokerRegistration)
 *                           resp           ThrottleTimeMs · ErrorCode · ErrorMessage nullable
 *   Envelope                 58  0         RequestData bytes · RequestPrincipal bytes nullable
 *                                          · ClientHostAddress bytes
 *                           resp           ResponseData bytes nullable [null] · ErrorCode
 *                                          (no ThrottleTimeMs: EnvelopeResponse.java says
 *                                          "Not supported by the response schema")
 *
 * (*) Trunk's AlterPartition is "validVersions": "2-3" and no longer lists TopicName; versions
 * 0-1 and TopicName come from the same files at 3.9 ("0-3"), which 3.x brokers still speak.
 *
 * Version mapping choices (as in fetch.h):
 * - AlterPartition: one C array `new_isr` of (broker id, broker epoch). v3+ writes it as
 *   NewIsrWithEpochs; v0-2 writes only the ids as NewIsr, and decoding v0-2 sets every epoch
 *   to -1 (what AlterPartitionRequest.Builder.build does for version < 3).
 * - AlterPartition topics: `topic_name` is used in v0-1, `topic_id` in v2+; the other is
 *   ignored on encode and left at its default (NULL / zero uuid) on decode.
 * - BrokerRegistration below v4 omits every feature whose MinSupportedVersion is 0, as
 *   BrokerRegistrationRequest.Builder.build does (KAFKA-17492; the note on Features in the
 *   schema). Decoding keeps what is on the wire.
 * - A nullable string without a "default" defaults to "" in the generated Java; the *_init
 *   functions do the same (Rack, ErrorMessage).
 * - Envelope's RequestData and ResponseData are "zeroCopy" in the schema: the generated Java
 *   keeps a slice of the input buffer. Here they are copied into the arena like every other
 *   byte field (wire.h), so a decoded envelope outlives its frame.
 *
 * The rules of kraft_rpc.h hold here: tagged fields are written only when they differ from
 * their defaults; a field absent from a version is dropped on encode and defaulted on decode;
 * arrays are (count, pointer) pairs with count ≥ 0, or -1 for null where the schema allows it;
 * byte fields are `struct wire_bytes` with len -1 for null; encoders return 0, -WIRE_EVERSION
 * or the writer's error (-WIRE_EINVAL for a null in a non-nullable string or bytes field);
 * decoders return 0 or a negative codec error.
 */

#include <stdbool.h>
#include <stdint.h>

#include "wire.h"

#define BROKER_REGISTRATION_VERSION_MAX 4
#define BROKER_HEARTBEAT_VERSION_MAX 2
#define UNREGISTER_BROKER_VERSION_MAX 0
#define ALTER_PARTITION_VERSION_MIN 0 /* trunk: 2 */
#define ALTER_PARTITION_VERSION_MAX 3
#define CONTROLLER_REGISTRATION_VERSION_MAX 0
#define ENVELOPE_VERSION_MIN 0
#define ENVELOPE_VERSION_MAX 0

/* Listener of Broker/ControllerRegistrationRequest. SecurityProtocol is SecurityProtocol.id
 * (PLAINTEXT 0, SSL 1, SASL_PLAINTEXT 2, SASL_SSL 3). */
struct registration_listener {
    const char *name;
    const char *host;
    uint16_t port;
    int16_t security_protocol;
};

/* Feature of Broker/ControllerRegistrationRequest: the range this node supports. */
struct registration_feature {
    const char *name;
    int16_t min_supported_version;
    int16_t max_supported_version;
};

/* ---- BrokerRegistration (62) ------------------------------------------------------------- */

struct broker_registration_request {
    int32_t broker_id;
    const char *cluster_id; /* non-null */
    struct kuuid incarnation_id;
    int32_t listener_count;
    struct registration_listener *listeners;
    int32_t feature_count;
    struct registration_feature *features;
    const char *rack;            /* nullable, default "" */
    bool is_migrating_zk_broker; /* v1+ */
    int32_t log_dir_count;       /* v2+ */
    struct kuuid *log_dirs;
    int64_t previous_broker_epoch; /* v3+, -1 */
};

struct broker_registration_response {
    int32_t throttle_time_ms;
    int16_t error_code;
    int64_t broker_epoch; /* -1: none assigned */
};

void broker_registration_request_init(struct broker_registration_request *m);
void broker_registration_response_init(struct broker_registration_response *m);
int broker_registration_request_encode(struct wire_writer *w,
                                       const struct broker_registration_request *m,
                                       int16_t version);
int broker_registration_request_decode(struct wire_reader *r, int16_t version,
                                       struct wire_arena *a,
                                       struct broker_registration_request *out);
int broker_registration_response_encode(struct wire_writer *w,
                                        const struct broker_registration_response *m,
                                        int16_t version);
int broker_registration_response_decode(struct wire_reader *r, int16_t version,
                                        struct wire_arena *a,
                                        struct broker_registration_response *out);

/* ---- BrokerHeartbeat (63) ---------------------------------------------------------------- */

struct broker_heartbeat_request {
    int32_t broker_id;
    int64_t broker_epoch; /* -1 */
    int64_t current_metadata_offset;
    bool want_fence;
    bool want_shut_down;
    int32_t offline_log_dir_count; /* v1+ {tag 0}, sent when > 0 */
    struct kuuid *offline_log_dirs;
    int32_t cordoned_log_dir_count; /* v2+ {tag 1}, -1 = null (the default, not sent) */
    struct kuuid *cordoned_log_dirs;
};

struct broker_heartbeat_response {
    int32_t throttle_time_ms;
    int16_t error_code;
    bool is_caught_up;    /* false */
    bool is_fenced;       /* true */
    bool should_shut_down;
};

void broker_heartbeat_request_init(struct broker_heartbeat_request *m);
void broker_heartbeat_response_init(struct broker_heartbeat_response *m);
int broker_heartbeat_request_encode(struct wire_writer *w,
                                    const struct broker_heartbeat_request *m, int16_t version);
int broker_heartbeat_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                    struct broker_heartbeat_request *out);
int broker_heartbeat_response_encode(struct wire_writer *w,
                                     const struct broker_heartbeat_response *m,
                                     int16_t version);
int broker_heartbeat_response_decode(struct wire_reader *r, int16_t version,
                                     struct wire_arena *a,
                                     struct broker_heartbeat_response *out);

/* ---- UnregisterBroker (64) and ControllerRegistration (70) responses --------------------- */

/* UnregisterBrokerResponse and ControllerRegistrationResponse have identical schemas. */
struct controller_rpc_simple_response {
    int32_t throttle_time_ms;
    int16_t error_code;
    const char *error_message; /* nullable, default "" */
};

void controller_rpc_simple_response_init(struct controller_rpc_simple_response *m);

struct unregister_broker_request {
    int32_t broker_id;
};

int unregister_broker_request_encode(struct wire_writer *w,
                                     const struct unregister_broker_request *m,
                                     int16_t version);
int unregister_broker_request_decode(struct wire_reader *r, int16_t version,
                                     struct wire_arena *a,
                                     struct unregister_broker_request *out);
int unregister_broker_response_encode(struct wire_writer *w,
                                      const struct controller_rpc_simple_response *m,
                                      int16_t version);
int unregister_broker_response_decode(struct wire_reader *r, int16_t version,
                                      struct wire_arena *a,
                                      struct controller_rpc_simple_response *out);

/* ---- ControllerRegistration (70) --------------------------------------------------------- */

struct controller_registration_request {
    int32_t controller_id;
    struct kuuid incarnation_id;
    bool zk_migration_ready;
    int32_t listener_count;
    struct registration_listener *listeners;
    int32_t feature_count;
    struct registration_feature *features;
};

int controller_registration_request_encode(struct wire_writer *w,
                                           const struct controller_registration_request *m,
                                           int16_t version);
int controller_registration_request_decode(struct wire_reader *r, int16_t version,
                                           struct wire_arena *a,
                                           struct controller_registration_request *out);
int controller_registration_response_encode(struct wire_writer *w,
                                            const struct controller_rpc_simple_response *m,
                                            int16_t version);
int controller_registration_response_decode(struct wire_reader *r, int16_t version,
                                            struct wire_arena *a,
                                            struct controller_rpc_simple_response *out);

/* ---- AlterPartition (56) ----------------------------------------------------------------- */

/* BrokerState of NewIsrWithEpochs. */
struct alter_partition_broker_state {
    int32_t broker_id;
    int64_t broker_epoch; /* -1: epoch check not supported (always -1 when decoded from v0-2) */
};

struct alter_partition_request_partition {
    int32_t partition_index;
    int32_t leader_epoch;
    int32_t new_isr_count; /* NewIsr v0-2 / NewIsrWithEpochs v3+ */
    struct alter_partition_broker_state *new_isr;
    int8_t leader_recovery_state; /* v1+: 0 recovered, 1 recovering (KIP-704) */
    int32_t partition_epoch;
};

struct alter_partition_request_topic {
    const char *topic_name; /* v0-1 */
    struct kuuid topic_id;  /* v2+ */
    int32_t partition_count;
    struct alter_partition_request_partition *partitions;
};

struct alter_partition_request {
    int32_t broker_id;
    int64_t broker_epoch; /* -1 */
    int32_t topic_count;
    struct alter_partition_request_topic *topics;
};

struct alter_partition_response_partition {
    int32_t partition_index;
    int16_t error_code;
    int32_t leader_id;
    int32_t leader_epoch;
    int32_t isr_count;
    int32_t *isr;
    int8_t leader_recovery_state; /* v1+ */
    int32_t partition_epoch;
};

struct alter_partition_response_topic {
    const char *topic_name; /* v0-1 */
    struct kuuid topic_id;  /* v2+ */
    int32_t partition_count;
    struct alter_partition_response_partition *partitions;
};

struct alter_partition_response {
    int32_t throttle_time_ms;
    int16_t error_code;
    int32_t topic_count;
    struct alter_partition_response_topic *topics;
};

void alter_partition_request_init(struct alter_partition_request *m);
int alter_partition_request_encode(struct wire_writer *w, const struct alter_partition_request *m,
                                   int16_t version);
int alter_partition_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                   struct alter_partition_request *out);
int alter_partition_response_encode(struct wire_writer *w,
                                    const struct alter_partition_response *m, int16_t version);
int alter_partition_response_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                    struct alter_partition_response *out);

/* ---- Envelope (58) ----------------------------------------------------------------------- */

/*
 * A broker wraps a client request it cannot serve (CreateTopics, configs, quotas) and forwards
 * it to the active controller (ForwardingManager.buildEnvelopeRequest). A zeroed struct holds
 * the generated Java's defaults: three empty, non-null byte strings.
 */
struct envelope_request {
    /* Non-null: the inner request header + body without the Size prefix
     * (AbstractRequest.serializeWithHeader). */
    struct wire_bytes request_data;
    /* Nullable: the client's principal as KafkaPrincipalSerde.serialize writes it. */
    struct wire_bytes request_principal;
    /* Non-null: InetAddress.getAddress() of the client, 4 bytes for IPv4, 16 for IPv6. */
    struct wire_bytes client_host_address;
};

/* ResponseData is the inner response header + body. Kafka leaves it null when the envelope
 * itself failed (EnvelopeResponse(Errors) sets only the error), and error_code then says why;
 * the codec does not enforce that pairing. */
struct envelope_response {
    struct wire_bytes response_data; /* nullable, default null */
    int16_t error_code;
};

void envelope_response_init(struct envelope_response *m);
int envelope_request_encode(struct wire_writer *w, const struct envelope_request *m,
                            int16_t version);
int envelope_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                            struct envelope_request *out);
int envelope_response_encode(struct wire_writer *w, const struct envelope_response *m,
                             int16_t version);
int envelope_response_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                             struct envelope_response *out);

#endif
