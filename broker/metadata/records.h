/* records.h — KRaft metadata records (__cluster_metadata payloads) and their codec. */
#ifndef KRAFTSIM_METADATA_RECORDS_H
#define KRAFTSIM_METADATA_RECORDS_H

/*
 * Schemas: apache/kafka metadata/src/main/resources/common/metadata/<Name>Record.json at trunk
 * d79bd502ec (4.5.0-SNAPSHOT). Every one of them is flexible from version 0 ("flexibleVersions":
 * "0+"), so all strings and arrays use the compact encoding and every struct, array elements
 * included, ends with a tagged-field section.
 *
 * The frame. A record's value in a batch (raft/internals/BatchBuilder.java: key null,
 * timestampDelta 0, no headers) is what AbstractApiMessageSerde.write produces
 * (server-common/.../common/serialization/AbstractApiMessageSerde.java):
 *
 *     uvarint frame version (always 1) · uvarint api key (the type) · uvarint version · body
 *
 * AbstractApiMessageSerde.read rejects frame version 0 ("upgrades from the preview release of
 * KRaft in 2.8 ... are not supported") and any other version but 1, a type or version above
 * Short.MAX_VALUE, an unknown api key, a version outside the schema's validVersions ("Can't read
 * version V of X") and bytes left after the body ("Found N byte(s) of garbage"). We do the same.
 *
 *   type                          key  versions  version gates (T = tagged)
 *   RegisterBrokerRecord            0  0-4       v1 InControlledShutdown; v2 IsMigratingZkBroker;
 *                                                v3 LogDirs {T0}; v4 CordonedLogDirs {T1}
 *   UnregisterBrokerRecord          1  0
 *   TopicRecord                     2  0
 *   PartitionRecord                 3  0-2       LeaderRecoveryState {T0}; v1 Directories
 *                                                (untagged); v2 EligibleLeaderReplicas {T1},
 *                                                LastKnownElr {T2}
 *   ConfigRecord                    4  0
 *   PartitionChangeRecord           5  0-2       Isr {T0} Leader {T1} Replicas {T2}
 *                                                RemovingReplicas {T3} AddingReplicas {T4}
 *                                                LeaderRecoveryState {T5}; v2 Elr {T6},
 *                                                LastKnownElr {T7}; v1 Directories {T8}
 *   FenceBrokerRecord / Unfence     7/8 0
 *   RemoveTopicRecord               9  0
 *   FeatureLevelRecord             12  0         frozen at 0: logs begin with metadata.version
 *   ProducerIdsRecord              15  0
 *   BrokerRegistrationChangeRecord 17  0-3       Fenced {T0}; v1 InControlledShutdown {T1};
 *                                                v2 LogDirs {T2}; v3 CordonedLogDirs {T3}
 *   NoOpRecord                     20  0
 *   Begin/End/AbortTransaction  23-25  0         Name {T0} / nothing / Reason {T0}
 *   RegisterControllerRecord       27  0
 *   ClearElrRecord                 28  0
 *   UnregisterControllerRecord     29  0
 *
 * Rules shared by every record (they mirror the generated Java, generator/.../
 * MessageDataGenerator.java):
 * - A tagged field is written only when it differs from its default: a nullable one when it is
 *   not null (so an empty, non-null array IS written), a non-nullable array when it is not
 *   empty, a number when it is not its default. Tags go out in ascending order, whatever the
 *   JSON field order (PartitionChangeRecord's Directories {T8} goes after LastKnownElr {T7}).
 * - Decoding: a tag the schema does not know is skipped; a known tag in a version outside its
 *   taggedVersions is an error, as in Java ("Tag N is not valid for version V"). A tagged value
 *   that does not use exactly its declared size is malformed (Java would misparse the rest).
 * - Encoding a version that lacks a field omits the field whatever its value. Java throws for a
 *   non-default one; Kafka's callers drop it first (PartitionRegistration.toRecord drops
 *   Directories below 3.7-IV2), and so must ours. Decoding a version that lacks a field gives
 *   the field its schema default.
 * - Lists are (count, items); count -1 means null and is only legal where the schema says
 *   nullableVersions. Decoded lists and strings live in the caller's wire_arena.
 * - Encoders return 0 or a negative wire error; decoders return 0 or a negative wire error,
 *   leave partial data that is safe to discard on error, and never read outside the input.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/wire.h"

/* X(enum name, api key, Java class name, highest version in trunk d79bd502ec) */
#define METADATA_RECORD_TYPES(X)                                                               \
    X(METADATA_REGISTER_BROKER, 0, "RegisterBrokerRecord", 4)                                  \
    X(METADATA_UNREGISTER_BROKER, 1, "UnregisterBrokerRecord", 0)                              \
    X(METADATA_TOPIC, 2, "TopicRecord", 0)                                                     \
    X(METADATA_PARTITION, 3, "PartitionRecord", 2)                                             \
    X(METADATA_CONFIG, 4, "ConfigRecord", 0)                                                   \
    X(METADATA_PARTITION_CHANGE, 5, "PartitionChangeRecord", 2)                                \
    X(METADATA_FENCE_BROKER, 7, "FenceBrokerRecord", 0)                                        \
    X(METADATA_UNFENCE_BROKER, 8, "UnfenceBrokerRecord", 0)                                    \
    X(METADATA_REMOVE_TOPIC, 9, "RemoveTopicRecord", 0)                                        \
    X(METADATA_FEATURE_LEVEL, 12, "FeatureLevelRecord", 0)                                     \
    X(METADATA_PRODUCER_IDS, 15, "ProducerIdsRecord", 0)                                       \
    X(METADATA_BROKER_REGISTRATION_CHANGE, 17, "BrokerRegistrationChangeRecord", 3)            \
    X(METADATA_NO_OP, 20, "NoOpRecord", 0)                                                     \
    X(METADATA_BEGIN_TRANSACTION, 23, "BeginTransactionRecord", 0)                             \
    X(METADATA_END_TRANSACTION, 24, "EndTransactionRecord", 0)                                 \
    X(METADATA_ABORT_TRANSACTION, 25, "AbortTransactionRecord", 0)                             \
    X(METADATA_REGISTER_CONTROLLER, 27, "RegisterControllerRecord", 0)                         \
    X(METADATA_CLEAR_ELR, 28, "ClearElrRecord", 0)                                             \
    X(METADATA_UNREGISTER_CONTROLLER, 29, "UnregisterControllerRecord", 0)

enum metadata_record_type {
#define METADATA_RECORD_TYPE_ENUM(name, key, text, vmax) name = key,
    METADATA_RECORD_TYPES(METADATA_RECORD_TYPE_ENUM)
#undef METADATA_RECORD_TYPE_ENUM
};

#define METADATA_FRAME_VERSION 1 /* AbstractApiMessageSerde.DEFAULT_FRAME_VERSION */

/* PartitionChangeRecord.Leader: -2 = "leader did not change" (the default), -1 = no leader. */
#define METADATA_NO_LEADER_CHANGE (-2)
#define METADATA_NO_LEADER (-1)
/* LeaderRecoveryState.java: 0 RECOVERED, 1 RECOVERING; -1 = "no change" in a change record. */
#define METADATA_LRS_RECOVERED 0
#define METADATA_LRS_RECOVERING 1
#define METADATA_LRS_NO_CHANGE (-1)

/*
 * metadata.version feature levels, from server-common/src/main/java/org/apache/kafka/server/
 * common/MetadataVersion.java (trunk d79bd502ec; 3.0-IV1 to 3.3-IV2 from branch 3.5: trunk's
 * MINIMUM_VERSION is 3.3-IV3). Only the levels that change which records or versions are
 * written, plus the ones the releases we model default to.
 */
enum metadata_version_level {
    METADATA_MV_3_0_IV1 = 1,  /* first KRaft metadata.version */
    METADATA_MV_3_3_IV1 = 5,  /* NoOpRecord (KIP-835) */
    METADATA_MV_3_3_IV2 = 6,  /* BrokerRegistrationChangeRecord replaces Fence/Unfence */
    METADATA_MV_3_3_IV3 = 7,  /* InControlledShutdown (KIP-841): RegisterBroker v1, BRC v1 */
    METADATA_MV_3_4_IV0 = 8,  /* ZK migration (KIP-866): RegisterBroker v2 */
    METADATA_MV_3_5_IV2 = 11, /* 3.5's latest */
    METADATA_MV_3_6_IV1 = 13, /* metadata transactions: Begin/End/AbortTransactionRecord */
    METADATA_MV_3_7_IV0 = 15, /* controller registration (KIP-919) */
    METADATA_MV_3_7_IV2 = 17, /* JBOD (KIP-858): Directories, LogDirs */
    METADATA_MV_3_9_IV0 = 21, /* 3.9's latest */
    METADATA_MV_4_0_IV1 = 23, /* ELR (KIP-966): Partition(Change)Record v2, ClearElrRecord */
    METADATA_MV_4_0_IV3 = 25, /* 4.0's latest */
    METADATA_MV_4_1_IV0 = 26, /* ELR on by default for new clusters */
    METADATA_MV_4_3_IV0 = 30, /* cordoned log dirs: RegisterBroker v4, BRC v3 */
    METADATA_MV_4_4_IV2 = 33, /* controller unregistration (KIP-1312) */
    METADATA_MV_LATEST = METADATA_MV_4_4_IV2 /* LATEST_PRODUCTION at trunk d79bd502ec */
};

/* An int32 or uuid list. count -1 = null (nullable fields only); items NULL when count ≤ 0. */
struct metadata_int32s {
    int32_t count;
    const int32_t *items;
};

struct metadata_uuids {
    int32_t count;
    const struct kuuid *items;
};

#define METADATA_INT32S_NULL ((struct metadata_int32s){-1, NULL})
#define METADATA_UUIDS_NULL ((struct metadata_uuids){-1, NULL})

/* BrokerEndpoint / ControllerEndpoint. */
struct metadata_endpoint {
    const char *name;
    const char *host;
    uint16_t port;
    int16_t security_protocol; /* SecurityProtocol.id: 0 PLAINTEXT, 1 SSL, 2 SASL_PLAINTEXT... */
};

/* BrokerFeature / ControllerFeature. */
struct metadata_feature {
    const char *name;
    int16_t min_supported_version;
    int16_t max_supported_version;
};

struct metadata_register_broker {
    int32_t broker_id;
    bool is_migrating_zk_broker; /* v2+, default false */
    struct kuuid incarnation_id;
    int64_t broker_epoch;
    int32_t endpoint_count;
    const struct metadata_endpoint *endpoints;
    int32_t feature_count;
    const struct metadata_feature *features;
    const char *rack;            /* nullable; default "" (no "default" in the JSON) */
    bool fenced;                 /* default true */
    bool in_controlled_shutdown; /* v1+, default false */
    struct metadata_uuids log_dirs;          /* v3+ {tag 0}, not nullable, default empty */
    struct metadata_uuids cordoned_log_dirs; /* v4+ {tag 1}, nullable, default null */
};

struct metadata_unregister_broker {
    int32_t broker_id;
    int64_t broker_epoch;
};

struct metadata_topic {
    const char *name;
    struct kuuid topic_id;
};

struct metadata_partition {
    int32_t partition_id; /* default -1 */
    struct kuuid topic_id;
    struct metadata_int32s replicas; /* the four lists are not nullable */
    struct metadata_int32s isr;
    struct metadata_int32s removing_replicas;
    struct metadata_int32s adding_replicas;
    int32_t leader;               /* default -1 (no leader) */
    int8_t leader_recovery_state; /* {tag 0}, default 0 */
    int32_t leader_epoch;         /* default -1 */
    int32_t partition_epoch;      /* default -1 */
    struct metadata_uuids directories;              /* v1+, untagged, not nullable */
    struct metadata_int32s eligible_leader_replicas; /* v2+ {tag 1}, nullable, default null */
    struct metadata_int32s last_known_elr;          /* v2+ {tag 2}, nullable, default null */
};

struct metadata_config {
    int8_t resource_type; /* ConfigResource.Type: 2 TOPIC, 4 BROKER, 8 BROKER_LOGGER... */
    const char *resource_name;
    const char *name;
    const char *value; /* nullable: null deletes the key; default "" */
};

/* Every list is nullable with default null ("unchanged"); every tagged field is optional. */
struct metadata_partition_change {
    int32_t partition_id; /* default -1 */
    struct kuuid topic_id;
    struct metadata_int32s isr;               /* {tag 0} */
    int32_t leader;                           /* {tag 1}, default -2 = no change */
    struct metadata_int32s replicas;          /* {tag 2} */
    struct metadata_int32s removing_replicas; /* {tag 3} */
    struct metadata_int32s adding_replicas;   /* {tag 4} */
    int8_t leader_recovery_state;             /* {tag 5}, default -1 = no change */
    struct metadata_int32s eligible_leader_replicas; /* v2+ {tag 6} */
    struct metadata_int32s last_known_elr;           /* v2+ {tag 7} */
    struct metadata_uuids directories;               /* v1+ {tag 8} */
};

/* FenceBrokerRecord and UnfenceBrokerRecord. */
struct metadata_broker_fencing {
    int32_t id;
    int64_t epoch;
};

struct metadata_remove_topic {
    struct kuuid topic_id;
};

struct metadata_feature_level {
    const char *name;
    int16_t feature_level; /* 0 = the feature is not supported */
};

struct metadata_producer_ids {
    int32_t broker_id;
    int64_t broker_epoch; /* default -1 */
    int64_t next_producer_id;
};

struct metadata_broker_registration_change {
    int32_t broker_id;
    int64_t broker_epoch;
    int8_t fenced;                 /* {tag 0}: -1 unfenced, 0 no change (default), 1 fenced */
    int8_t in_controlled_shutdown; /* v1+ {tag 1}: 0 no change (default), 1 in shutdown */
    struct metadata_uuids log_dirs;          /* v2+ {tag 2}, not nullable, default empty */
    struct metadata_uuids cordoned_log_dirs; /* v3+ {tag 3}, nullable, default null */
};

/* BeginTransactionRecord.Name and AbortTransactionRecord.Reason: {tag 0}, nullable. */
struct metadata_transaction {
    const char *text;
};

struct metadata_register_controller {
    int32_t controller_id;
    struct kuuid incarnation_id;
    bool zk_migration_ready;
    int32_t endpoint_count;
    const struct metadata_endpoint *endpoints;
    int32_t feature_count;
    const struct metadata_feature *features;
};

struct metadata_clear_elr {
    const char *topic_name; /* "" = clear every topic's ELR */
};

struct metadata_unregister_controller {
    int32_t controller_id;
};

/*
 * One record. The union member in use follows `type`: register_broker, unregister_broker, topic,
 * partition, config, partition_change, fencing (Fence and UnfenceBrokerRecord),
 * remove_topic, feature_level, producer_ids, broker_registration_change, transaction (Begin and
 * AbortTransactionRecord), register_controller, clear_elr, unregister_controller; NoOp and
 * EndTransaction have no body. At all times 0 ≤ version ≤ the type's maximum.
 */
struct metadata_record {
    enum metadata_record_type type;
    int16_t version;
    union {
        struct metadata_register_broker register_broker;
        struct metadata_unregister_broker unregister_broker;
        struct metadata_topic topic;
        struct metadata_partition partition;
        struct metadata_config config;
        struct metadata_partition_change partition_change;
        struct metadata_broker_fencing fencing;
        struct metadata_remove_topic remove_topic;
        struct metadata_feature_level feature_level;
        struct metadata_producer_ids producer_ids;
        struct metadata_broker_registration_change broker_registration_change;
        struct metadata_transaction transaction;
        struct metadata_register_controller register_controller;
        struct metadata_clear_elr clear_elr;
        struct metadata_unregister_controller unregister_controller;
    } u;
};

/* True for the api keys above. */
bool metadata_record_type_known(int api_key);
/* "PartitionChangeRecord"; "UnknownRecord" for an api key not modelled here. */
const char *metadata_record_type_name(int api_key);
/* Highest version of a known type (validVersions upper bound); -1 for an unknown key. */
int16_t metadata_record_version_max(int api_key);

/*
 * The version a Kafka controller at feature level `mv_level` writes for `type`
 * (MetadataVersion.partitionRecordVersion(), registerBrokerRecordVersion(), ...), or
 * -WIRE_EVERSION when it writes no such record at that level: RegisterController below 3.7-IV0,
 * ClearElr below 4.0-IV1, transactions below 3.6-IV1, NoOp below 3.3-IV1, Fence/Unfence from
 * 3.3-IV2 on (BrokerRegistrationChangeRecord replaces them) and BRC before that.
 * For BrokerRegistrationChangeRecord this is the highest version the level allows; the
 * controller (ReplicationControlManager) actually writes the lowest version that carries the
 * fields it sets: fence/unfence v0, controlled shutdown v1, log dirs v2, cordoned dirs v3.
 */
int metadata_record_version_for(enum metadata_record_type type, int mv_level);

/*
 * Sets `type`, `version` and every field to its schema default, as the generated Java does: a
 * string without a "default" is "" even when nullable (Rack, ConfigRecord.Value), a list without
 * one is empty, "default": "null" lists are null, and the explicit ones (-1, -2, Fenced true).
 */
void metadata_record_init(struct metadata_record *r, enum metadata_record_type type,
                          int16_t version);

/*
 * Appends the frame (1, type, version) and the body. Returns 0, -WIRE_EUNKNOWN_API (type not
 * modelled), -WIRE_EVERSION (version out of range), -WIRE_EINVAL (null in a non-nullable list
 * or string), or the writer's error.
 */
int metadata_record_encode(struct wire_writer *w, const struct metadata_record *r);

/*
 * Reads only the frame header: the frame version must be 1 and type and version must fit in
 * int16. Does not check that the type is known, so a caller can name an unknown one.
 * Returns 0, -WIRE_ETRUNCATED, -WIRE_EVERSION (frame version) or -WIRE_EMALFORMED.
 */
int metadata_record_peek(const uint8_t *bytes, size_t len, int16_t *api_key, int16_t *version);

/*
 * Decodes one whole record value (`len` bytes, nothing may be left over). Returns 0,
 * -WIRE_EVERSION (frame version ≠ 1 or record version out of range), -WIRE_EUNKNOWN_API
 * (type not modelled), -WIRE_ETRUNCATED, -WIRE_EMALFORMED or -WIRE_ENOMEM.
 */
int metadata_record_decode(const uint8_t *bytes, size_t len, struct wire_arena *a,
                           struct metadata_record *out);

/* Field-by-field equality (strings by content, null ≠ empty). */
bool metadata_record_equal(const struct metadata_record *a, const struct metadata_record *b);

/*
 * One-line summary for traces, e.g.
 *   PartitionChangeRecord(topic=AAAAAAAAAAAAAAAAAAAAAQ partition=0 leader=2 isr=[1,2] epoch+)
 * Only changed fields of a change record are shown; "epoch+" marks a leader-epoch bump
 * (Leader ≠ -2, PartitionRegistration.merge). Deterministic: integers, uuid text, and strings
 * with bytes outside printable ASCII shown as '?'. Writes at most cap bytes including the NUL
 * (cap > 0) and returns the length the whole line needs, like snprintf.
 */
size_t metadata_record_format(const struct metadata_record *r, char *buf, size_t cap);

#endif
