/* test_metadata_records.c — KRaft metadata records: schema vectors, round trips, gating, fuzz. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "metadata/records.h"
#include "protocol/wire.h"

/*
 * The byte vectors below are written from apache/kafka metadata/src/main/resources/common/
 * metadata/<Name>Record.json (trunk d79bd502ec), one field per line. Every metadata record is
 * flexible from v0: compact lengths are N+1 and each struct ends with its tagged-field count.
 * Each value starts with the AbstractApiMessageSerde frame: uvarint 1, uvarint key, uvarint
 * version.
 */

/* Uuid(0x0102030405060708, 0x090a0b0c0d0e0f10) and its wire bytes; text AQIDBAUGBwgJCgsMDQ4PEA */
#define TOPIC_UUID ((struct kuuid){0x0102030405060708u, 0x090a0b0c0d0e0f10u})
#define TOPIC_UUID_BYTES 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
#define TOPIC_UUID_TEXT "AQIDBAUGBwgJCgsMDQ4PEA"
/* Uuid(0, n) on the wire. */
#define UUID_0_N(n) 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (n)
#define I32(x) 0, 0, 0, (x)
#define I64(x) 0, 0, 0, 0, 0, 0, 0, (x)

/* A fixed PRNG (xorshift64*): the same bytes every run, no rand(). */
struct prng {
    uint64_t s;
};

static uint64_t prng_next(struct prng *p)
{
    p->s ^= p->s >> 12;
    p->s ^= p->s << 25;
    p->s ^= p->s >> 27;
    return p->s * UINT64_C(2685821657736338717);
}

static const enum metadata_record_type all_types[] = {
#define TYPE_ENTRY(name, key, text, vmax) name,
    METADATA_RECORD_TYPES(TYPE_ENTRY)
#undef TYPE_ENTRY
};
#define TYPE_COUNT (sizeof all_types / sizeof all_types[0])

/* ---- Records with a non-default value in every field ------------------------------------ */

static const struct kuuid uuids_a[] = {{1, 2}, {3, 4}, {5, 6}};
static const struct kuuid uuids_b[] = {{7, 8}};
static const int32_t ints_a[] = {1, 2, 3};
static const int32_t ints_b[] = {2, 3};
static const int32_t ints_c[] = {4};
static const int32_t ints_d[] = {5, 6};
static const struct metadata_endpoint endpoints[] = {
    {"PLAINTEXT", "broker-1", 9092, 0},
    {"SSL", "broker-1.example", 9093, 1},
};
static const struct metadata_feature features[] = {
    {"metadata.version", 7, 33},
    {"kraft.version", 0, 1},
};

#define INTS(arr) ((struct metadata_int32s){(int32_t)(sizeof arr / sizeof arr[0]), arr})
#define UUIDS(arr) ((struct metadata_uuids){(int32_t)(sizeof arr / sizeof arr[0]), arr})
#define NO_INTS ((struct metadata_int32s){0, NULL})

static void full_register_broker(struct metadata_register_broker *m)
{
    *m = (struct metadata_register_broker){
        .broker_id = 1, .is_migrating_zk_broker = true, .incarnation_id = {9, 10},
        .broker_epoch = 4242, .endpoint_count = 2, .endpoints = endpoints,
        .feature_count = 2, .features = features, .rack = "rack-a", .fenced = false,
        .in_controlled_shutdown = true, .log_dirs = UUIDS(uuids_a),
        .cordoned_log_dirs = UUIDS(uuids_b),
    };
}

static void full_partition(struct metadata_partition *m)
{
    *m = (struct metadata_partition){
        .partition_id = 7, .topic_id = TOPIC_UUID, .replicas = INTS(ints_a),
        .isr = INTS(ints_b), .removing_replicas = INTS(ints_c), .adding_replicas = INTS(ints_d),
        .leader = 2, .leader_recovery_state = METADATA_LRS_RECOVERING, .leader_epoch = 11,
        .partition_epoch = 12, .directories = UUIDS(uuids_a),
        .eligible_leader_replicas = INTS(ints_c), .last_known_elr = INTS(ints_d),
    };
}

static void full_partition_change(struct metadata_partition_change *m)
{
    *m = (struct metadata_partition_change){
        .partition_id = 3, .topic_id = TOPIC_UUID, .isr = INTS(ints_b), .leader = 2,
        .replicas = INTS(ints_a), .removing_replicas = INTS(ints_c),
        .adding_replicas = INTS(ints_d), .leader_recovery_state = METADATA_LRS_RECOVERED,
        .eligible_leader_replicas = INTS(ints_c), .last_known_elr = NO_INTS,
        .directories = UUIDS(uuids_a),
    };
}

static void full_register_controller(struct metadata_register_controller *m)
{
    *m = (struct metadata_register_controller){
        .controller_id = 3000, .incarnation_id = {11, 12}, .zk_migration_ready = true,
        .endpoint_count = 1, .endpoints = endpoints, .feature_count = 2, .features = features,
    };
}

/* The small records with a non-default value in every field. */
static void full_simple(struct metadata_record *r)
{
    switch (r->type) {
    case METADATA_UNREGISTER_BROKER:
        r->u.unregister_broker = (struct metadata_unregister_broker){5, 77};
        break;
    case METADATA_TOPIC:
        r->u.topic = (struct metadata_topic){"orders", TOPIC_UUID};
        break;
    case METADATA_CONFIG:
        r->u.config = (struct metadata_config){2, "orders", "retention.ms", "1000"};
        break;
    case METADATA_FENCE_BROKER:
    case METADATA_UNFENCE_BROKER:
        r->u.fencing = (struct metadata_broker_fencing){3, 100};
        break;
    case METADATA_REMOVE_TOPIC:
        r->u.remove_topic.topic_id = TOPIC_UUID;
        break;
    case METADATA_FEATURE_LEVEL:
        r->u.feature_level = (struct metadata_feature_level){"metadata.version", 33};
        break;
    case METADATA_PRODUCER_IDS:
        r->u.producer_ids = (struct metadata_producer_ids){1, 9, 5000};
        break;
    case METADATA_BEGIN_TRANSACTION:
        r->u.transaction.text = "Bootstrap records";
        break;
    case METADATA_ABORT_TRANSACTION:
        r->u.transaction.text = "controller failover";
        break;
    case METADATA_CLEAR_ELR:
        r->u.clear_elr.topic_name = "orders";
        break;
    case METADATA_UNREGISTER_CONTROLLER:
        r->u.unregister_controller.controller_id = 3001;
        break;
    default: /* NoOp, EndTransaction: nothing to set */
        break;
    }
}

/* Sets every field of `type` to a value other than its default. */
static void make_full(enum metadata_record_type type, int16_t version, struct metadata_record *r)
{
    metadata_record_init(r, type, version);
    switch (type) {
    case METADATA_REGISTER_BROKER:
        full_register_broker(&r->u.register_broker);
        break;
    case METADATA_PARTITION:
        full_partition(&r->u.partition);
        break;
    case METADATA_PARTITION_CHANGE:
        full_partition_change(&r->u.partition_change);
        break;
    case METADATA_BROKER_REGISTRATION_CHANGE:
        r->u.broker_registration_change = (struct metadata_broker_registration_change){
            .broker_id = 2, .broker_epoch = 99, .fenced = -1, .in_controlled_shutdown = 1,
            .log_dirs = UUIDS(uuids_a), .cordoned_log_dirs = UUIDS(uuids_b)};
        break;
    case METADATA_REGISTER_CONTROLLER:
        full_register_controller(&r->u.register_controller);
        break;
    default:
        full_simple(r);
        break;
    }
}

/*
 * What survives a round trip at r->version, stated independently of the codec: fields the
 * version lacks come back as their schema defaults.
 */
static void gate(struct metadata_record *r)
{
    int16_t v = r->version;
    if (r->type == METADATA_REGISTER_BROKER) {
        struct metadata_register_broker *m = &r->u.register_broker;
        m->in_controlled_shutdown = v >= 1 && m->in_controlled_shutdown;
        m->is_migrating_zk_broker = v >= 2 && m->is_migrating_zk_broker;
        m->log_dirs = v >= 3 ? m->log_dirs : (struct metadata_uuids){0, NULL};
        m->cordoned_log_dirs = v >= 4 ? m->cordoned_log_dirs : METADATA_UUIDS_NULL;
    } else if (r->type == METADATA_PARTITION) {
        struct metadata_partition *m = &r->u.partition;
        m->directories = v >= 1 ? m->directories : (struct metadata_uuids){0, NULL};
        m->eligible_leader_replicas = v >= 2 ? m->eligible_leader_replicas : METADATA_INT32S_NULL;
        m->last_known_elr = v >= 2 ? m->last_known_elr : METADATA_INT32S_NULL;
    } else if (r->type == METADATA_PARTITION_CHANGE) {
        struct metadata_partition_change *m = &r->u.partition_change;
        m->directories = v >= 1 ? m->directories : METADATA_UUIDS_NULL;
        m->eligible_leader_replicas = v >= 2 ? m->eligible_leader_replicas : METADATA_INT32S_NULL;
        m->last_known_elr = v >= 2 ? m->last_known_elr : METADATA_INT32S_NULL;
    } else if (r->type == METADATA_BROKER_REGISTRATION_CHANGE) {
        struct metadata_broker_registration_change *m = &r->u.broker_registration_change;
        m->in_controlled_shutdown = v >= 1 ? m->in_controlled_shutdown : 0;
        m->log_dirs = v >= 2 ? m->log_dirs : (struct metadata_uuids){0, NULL};
        m->cordoned_log_dirs = v >= 3 ? m->cordoned_log_dirs : METADATA_UUIDS_NULL;
    }
}

/* Encodes `in` into a fresh growable writer; the caller frees it. */
static struct wire_writer encode_ok(const struct metadata_record *in)
{
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(metadata_record_encode(&w, in), 0);
    return w;
}

/* Encode, decode, and compare the result with `want`. Returns the encoded size. */
static size_t round_trip(const struct metadata_record *in, const struct metadata_record *want)
{
    struct wire_writer w = encode_ok(in);
    struct wire_arena a;
    wire_arena_init(&a);
    struct metadata_record out;
    ck_assert_int_eq(metadata_record_decode(w.bytes, w.len, &a, &out), 0);
    char line[1024];
    metadata_record_format(&out, line, sizeof line);
    ck_assert_msg(metadata_record_equal(&out, want), "%s v%d decoded as %s",
                  metadata_record_type_name((int)in->type), in->version, line);
    size_t n = w.len;
    wire_arena_free(&a);
    wire_writer_free(&w);
    return n;
}

/* Encodes `in`, compares with `want` byte for byte, then decodes `want` back to `in`. */
static void check_vector(const struct metadata_record *in, const uint8_t *want, size_t n)
{
    struct wire_writer w = encode_ok(in);
    ck_assert_uint_eq(w.len, n);
    ck_assert_mem_eq(w.bytes, want, n);
    wire_writer_free(&w);
    struct wire_arena a;
    wire_arena_init(&a);
    struct metadata_record out;
    ck_assert_int_eq(metadata_record_decode(want, n, &a, &out), 0);
    ck_assert(metadata_record_equal(&out, in));
    wire_arena_free(&a);
}

static int decode_err(const uint8_t *bytes, size_t n)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct metadata_record out;
    int err = metadata_record_decode(bytes, n, &a, &out);
    wire_arena_free(&a);
    return err;
}

/* ---- Round trips ---------------------------------------------------------------------------- */

START_TEST(every_type_at_every_version_round_trips_with_every_field_set)
{
    for (size_t i = 0; i < TYPE_COUNT; i++) {
        for (int16_t v = 0; v <= metadata_record_version_max((int)all_types[i]); v++) {
            struct metadata_record in;
            struct metadata_record want;
            make_full(all_types[i], v, &in);
            want = in;
            gate(&want);
            round_trip(&in, &want);
        }
    }
}
END_TEST

START_TEST(every_type_at_every_version_round_trips_with_all_defaults_and_no_tags)
{
    for (size_t i = 0; i < TYPE_COUNT; i++) {
        for (int16_t v = 0; v <= metadata_record_version_max((int)all_types[i]); v++) {
            struct metadata_record in;
            metadata_record_init(&in, all_types[i], v);
            size_t n = round_trip(&in, &in);
            /* No tagged field is at a non-default value, so the body ends with count 0. */
            struct wire_writer w = encode_ok(&in);
            ck_assert_uint_eq(w.bytes[w.len - 1], 0);
            ck_assert_uint_eq(w.len, n);
            wire_writer_free(&w);
        }
    }
    /* The defaults are the schema's. */
    struct metadata_record r;
    metadata_record_init(&r, METADATA_PARTITION_CHANGE, 0);
    ck_assert_int_eq(r.u.partition_change.leader, -2);
    ck_assert_int_eq(r.u.partition_change.leader_recovery_state, -1);
    ck_assert_int_eq(r.u.partition_change.isr.count, -1);
    metadata_record_init(&r, METADATA_REGISTER_BROKER, 4);
    ck_assert(r.u.register_broker.fenced);
    ck_assert_int_eq(r.u.register_broker.cordoned_log_dirs.count, -1);
    ck_assert_int_eq(r.u.register_broker.log_dirs.count, 0);
    metadata_record_init(&r, METADATA_PARTITION, 2);
    ck_assert_int_eq(r.u.partition.partition_id, -1);
    ck_assert_int_eq(r.u.partition.leader, -1);
    ck_assert_int_eq(r.u.partition.eligible_leader_replicas.count, -1);
}
END_TEST

/* ---- Hand-built vectors --------------------------------------------------------------------- */

START_TEST(topic_record_v0_for_orders_hand_vector)
{
    static const uint8_t want[] = {
        0x01,                          /* frame version 1 */
        0x02,                          /* api key 2: TopicRecord */
        0x00,                          /* version 0 */
        0x07, 'o', 'r', 'd', 'e', 'r', 's', /* Name: compact string, 6+1 */
        TOPIC_UUID_BYTES,              /* TopicId: msb then lsb */
        0x00,                          /* no tagged fields */
    };
    struct metadata_record r;
    metadata_record_init(&r, METADATA_TOPIC, 0);
    r.u.topic = (struct metadata_topic){"orders", TOPIC_UUID};
    check_vector(&r, want, sizeof want);
}
END_TEST

START_TEST(partition_change_v0_with_only_the_leader_tag_hand_vector)
{
    static const uint8_t want[] = {
        0x01, 0x05, 0x00, /* frame 1, PartitionChangeRecord (5), version 0 */
        I32(0),           /* PartitionId 0 */
        TOPIC_UUID_BYTES, /* TopicId */
        0x01,             /* one tagged field: every null list and LRS -1 are omitted */
        0x01, 0x04,       /* tag 1 (Leader), 4 bytes */
        I32(2),           /* Leader 2 */
    };
    struct metadata_record r;
    metadata_record_init(&r, METADATA_PARTITION_CHANGE, 0);
    r.u.partition_change.partition_id = 0;
    r.u.partition_change.topic_id = TOPIC_UUID;
    r.u.partition_change.leader = 2;
    check_vector(&r, want, sizeof want);
}
END_TEST

START_TEST(fence_broker_v0_hand_vector)
{
    static const uint8_t want[] = {
        0x01, 0x07, 0x00, /* frame 1, FenceBrokerRecord (7), version 0 */
        I32(3),           /* Id 3 */
        I64(100),         /* Epoch 100 */
        0x00,             /* no tagged fields */
    };
    struct metadata_record r;
    metadata_record_init(&r, METADATA_FENCE_BROKER, 0);
    r.u.fencing = (struct metadata_broker_fencing){.id = 3, .epoch = 100};
    check_vector(&r, want, sizeof want);
}
END_TEST

START_TEST(partition_record_v2_with_elr_tags_hand_vector)
{
    static const uint8_t want[] = {
        0x01, 0x03, 0x02,          /* frame 1, PartitionRecord (3), version 2 */
        I32(1),                    /* PartitionId 1 */
        TOPIC_UUID_BYTES,          /* TopicId */
        0x04, I32(1), I32(2), I32(3), /* Replicas [1,2,3]: compact array, 3+1 */
        0x02, I32(1),              /* Isr [1] */
        0x01,                      /* RemovingReplicas [] */
        0x01,                      /* AddingReplicas [] */
        I32(1),                    /* Leader 1 (LeaderRecoveryState is tagged, not here) */
        I32(5),                    /* LeaderEpoch 5 */
        I32(7),                    /* PartitionEpoch 7 */
        0x04, UUID_0_N(1), UUID_0_N(2), UUID_0_N(3), /* Directories (v1+, untagged) */
        0x03,                      /* three tagged fields, ascending */
        0x00, 0x01, 0x01,          /* tag 0 LeaderRecoveryState = 1 (RECOVERING) */
        0x01, 0x09, 0x03, I32(2), I32(3), /* tag 1 EligibleLeaderReplicas [2,3], 9 bytes */
        0x02, 0x01, 0x01,          /* tag 2 LastKnownElr [] : empty but not null, so written */
    };
    static const int32_t replicas[] = {1, 2, 3};
    static const int32_t isr[] = {1};
    static const int32_t elr[] = {2, 3};
    static const struct kuuid dirs[] = {{0, 1}, {0, 2}, {0, 3}};
    struct metadata_record r;
    metadata_record_init(&r, METADATA_PARTITION, 2);
    struct metadata_partition *p = &r.u.partition;
    p->partition_id = 1;
    p->topic_id = TOPIC_UUID;
    p->replicas = INTS(replicas);
    p->isr = INTS(isr);
    p->leader = 1;
    p->leader_recovery_state = METADATA_LRS_RECOVERING;
    p->leader_epoch = 5;
    p->partition_epoch = 7;
    p->directories = UUIDS(dirs);
    p->eligible_leader_replicas = INTS(elr);
    p->last_known_elr = NO_INTS;
    check_vector(&r, want, sizeof want);
}
END_TEST

START_TEST(broker_registration_change_v1_unfence_in_controlled_shutdown_hand_vector)
{
    static const uint8_t want[] = {
        0x01, 0x11, 0x01, /* frame 1, BrokerRegistrationChangeRecord (17), version 1 */
        I32(2),           /* BrokerId 2 */
        I64(9),           /* BrokerEpoch 9 */
        0x02,             /* two tagged fields */
        0x00, 0x01, 0xff, /* tag 0 Fenced = -1 (unfenced) */
        0x01, 0x01, 0x01, /* tag 1 InControlledShutdown = 1 */
    };
    struct metadata_record r;
    metadata_record_init(&r, METADATA_BROKER_REGISTRATION_CHANGE, 1);
    r.u.broker_registration_change.broker_id = 2;
    r.u.broker_registration_change.broker_epoch = 9;
    r.u.broker_registration_change.fenced = -1;
    r.u.broker_registration_change.in_controlled_shutdown = 1;
    check_vector(&r, want, sizeof want);
}
END_TEST

START_TEST(register_broker_v0_with_null_rack_hand_vector)
{
    static const uint8_t want[] = {
        0x01, 0x00, 0x00,       /* frame 1, RegisterBrokerRecord (0), version 0 */
        I32(1),                 /* BrokerId 1 (IsMigratingZkBroker is v2+) */
        UUID_0_N(9),            /* IncarnationId */
        I64(42),                /* BrokerEpoch 42 */
        0x02,                   /* EndPoints: one */
        0x04, 'S', 'S', 'L',    /* . Name: compact, 3+1 */
        0x02, 'h',              /* . Host */
        0x23, 0x85,             /* . Port 9093 (uint16) */
        0x00, 0x01,             /* . SecurityProtocol 1 */
        0x00,                   /* . no tagged fields */
        0x01,                   /* Features: none */
        0x00,                   /* Rack: null */
        0x01,                   /* Fenced true */
        0x00,                   /* no tagged fields (InControlledShutdown is v1+) */
    };
    static const struct metadata_endpoint ssl[] = {{"SSL", "h", 9093, 1}};
    struct metadata_record r;
    metadata_record_init(&r, METADATA_REGISTER_BROKER, 0);
    struct metadata_register_broker *b = &r.u.register_broker;
    b->broker_id = 1;
    b->incarnation_id = (struct kuuid){0, 9};
    b->broker_epoch = 42;
    b->endpoint_count = 1;
    b->endpoints = ssl;
    b->rack = NULL;
    check_vector(&r, want, sizeof want);
}
END_TEST

/* ---- Version gating ------------------------------------------------------------------------- */

START_TEST(partition_record_v0_drops_directories_and_elr_that_v1_and_v2_carry)
{
    struct metadata_record full;
    make_full(METADATA_PARTITION, 2, &full);
    size_t size[3];
    for (int16_t v = 0; v <= 2; v++) {
        struct metadata_record in = full;
        in.version = v;
        struct metadata_record want = in;
        gate(&want);
        size[v] = round_trip(&in, &want);
    }
    /* v1 adds Directories: compact length + 3 uuids. */
    ck_assert_uint_eq(size[1] - size[0], 1 + 3 * 16);
    /* v2 adds tag 1 ELR [4] (1+1+1+4 bytes) and tag 2 LastKnownElr [5,6] (1+1+1+8 bytes). */
    ck_assert_uint_eq(size[2] - size[1], 7 + 11);
}
END_TEST

START_TEST(partition_change_directories_tag_8_goes_after_elr_tags_6_and_7)
{
    static const int32_t elr[] = {4};
    static const struct kuuid dirs[] = {{0, 1}};
    static const uint8_t want[] = {
        0x01, 0x05, 0x02, I32(0), TOPIC_UUID_BYTES, /* frame, PartitionId 0, TopicId */
        0x03,                                      /* three tagged fields */
        0x06, 0x05, 0x02, I32(4),                  /* tag 6 EligibleLeaderReplicas [4] */
        0x07, 0x01, 0x01,                          /* tag 7 LastKnownElr [] */
        0x08, 0x11, 0x02, UUID_0_N(1),             /* tag 8 Directories [Uuid(0,1)] */
    };
    struct metadata_record r;
    metadata_record_init(&r, METADATA_PARTITION_CHANGE, 2);
    r.u.partition_change.partition_id = 0;
    r.u.partition_change.topic_id = TOPIC_UUID;
    r.u.partition_change.eligible_leader_replicas = INTS(elr);
    r.u.partition_change.last_known_elr = NO_INTS;
    r.u.partition_change.directories = UUIDS(dirs);
    check_vector(&r, want, sizeof want);
}
END_TEST

START_TEST(a_known_tag_outside_its_versions_is_rejected_like_java)
{
    /* PartitionRecord v1 carrying tag 1 (EligibleLeaderReplicas is taggedVersions 2+). */
    static const uint8_t partition_v1_elr[] = {
        0x01, 0x03, 0x01, I32(0), TOPIC_UUID_BYTES, 0x01, 0x01, 0x01, 0x01,
        I32(1), I32(0), I32(0), 0x01, /* Leader, LeaderEpoch, PartitionEpoch, Directories [] */
        0x01, 0x01, 0x05, 0x02, I32(1), /* one tag: tag 1, 5 bytes, [1] */
    };
    ck_assert_int_eq(decode_err(partition_v1_elr, sizeof partition_v1_elr), -WIRE_EMALFORMED);
    /* The same bytes as v2 are fine. */
    uint8_t v2[sizeof partition_v1_elr];
    memcpy(v2, partition_v1_elr, sizeof v2);
    v2[2] = 0x02;
    ck_assert_int_eq(decode_err(v2, sizeof v2), 0);
    /* PartitionChangeRecord v0 carrying tag 8 (Directories is 1+). */
    static const uint8_t change_v0_dirs[] = {
        0x01, 0x05, 0x00, I32(0), TOPIC_UUID_BYTES, 0x01, 0x08, 0x01, 0x01,
    };
    ck_assert_int_eq(decode_err(change_v0_dirs, sizeof change_v0_dirs), -WIRE_EMALFORMED);
    /* BrokerRegistrationChangeRecord v0 carrying tag 1 (InControlledShutdown is 1+). */
    static const uint8_t brc_v0_shutdown[] = {
        0x01, 0x11, 0x00, I32(2), I64(9), 0x01, 0x01, 0x01, 0x01,
    };
    ck_assert_int_eq(decode_err(brc_v0_shutdown, sizeof brc_v0_shutdown), -WIRE_EMALFORMED);
}
END_TEST

START_TEST(unknown_tagged_fields_are_skipped_wherever_they_sit)
{
    /* TopicRecord v0 with an unknown tag 99 of 3 bytes. */
    static const uint8_t topic[] = {
        0x01, 0x02, 0x00, 0x07, 'o', 'r', 'd', 'e', 'r', 's', TOPIC_UUID_BYTES,
        0x01, 0x63, 0x03, 0xaa, 0xbb, 0xcc,
    };
    struct wire_arena a;
    wire_arena_init(&a);
    struct metadata_record out;
    ck_assert_int_eq(metadata_record_decode(topic, sizeof topic, &a, &out), 0);
    ck_assert_str_eq(out.u.topic.name, "orders");
    /* PartitionChangeRecord v2: tag 9 (unknown) between known tags, then tag 1 Leader 4. */
    static const uint8_t change_ok[] = {
        0x01, 0x05, 0x02, I32(0), TOPIC_UUID_BYTES,
        0x03,
        0x00, 0x01, 0x01,       /* tag 0 Isr [] */
        0x09, 0x02, 0xde, 0xad, /* tag 9: unknown, skipped */
        0x01, 0x04, I32(4),     /* tag 1 Leader 4 */
    };
    ck_assert_int_eq(metadata_record_decode(change_ok, sizeof change_ok, &a, &out), 0);
    ck_assert_int_eq(out.u.partition_change.leader, 4);
    ck_assert_int_eq(out.u.partition_change.isr.count, 0);
    ck_assert_int_eq(out.u.partition_change.replicas.count, -1);
    /* A nested struct's tags are skipped too: an endpoint of RegisterControllerRecord. */
    static const uint8_t controller[] = {
        0x01, 0x1b, 0x00, I32(1), UUID_0_N(5), 0x00, /* id, incarnation, ZkMigrationReady */
        0x02, 0x01, 0x02, 'h', 0x00, 0x01, 0x00, 0x00, /* EndPoints: Name "", Host h, 1, 0 */
        0x01, 0x05, 0x00,                            /* . one tag: 5, 0 bytes */
        0x01,                                        /* Features [] */
        0x00,
    };
    ck_assert_int_eq(metadata_record_decode(controller, sizeof controller, &a, &out), 0);
    ck_assert_str_eq(out.u.register_controller.endpoints[0].host, "h");
    wire_arena_free(&a);
}
END_TEST

START_TEST(a_tagged_value_with_bytes_left_over_is_malformed)
{
    /* Leader tag declaring 5 bytes but an int32 takes 4. */
    static const uint8_t change[] = {
        0x01, 0x05, 0x00, I32(0), TOPIC_UUID_BYTES, 0x01, 0x01, 0x05, I32(2), 0x00,
    };
    ck_assert_int_eq(decode_err(change, sizeof change), -WIRE_EMALFORMED);
}
END_TEST

/* ---- Frame errors --------------------------------------------------------------------------- */

START_TEST(frame_versions_other_than_1_unknown_types_and_trailing_bytes_are_rejected)
{
    static const uint8_t frame0[] = {0x00, 0x14, 0x00, 0x00}; /* NoOp under frame 0 (2.8) */
    static const uint8_t frame2[] = {0x02, 0x14, 0x00, 0x00};
    static const uint8_t noop[] = {0x01, 0x14, 0x00, 0x00};   /* a valid NoOpRecord */
    static const uint8_t type6[] = {0x01, 0x06, 0x00, 0x00};  /* key 6 is unassigned */
    static const uint8_t type99[] = {0x01, 0x63, 0x00, 0x00};
    static const uint8_t v3_partition[] = {0x01, 0x03, 0x03, 0x00};
    static const uint8_t big_type[] = {0x01, 0x80, 0x80, 0x02, 0x00, 0x00}; /* 32768 */
    static const uint8_t garbage_after[] = {0x01, 0x14, 0x00, 0x00, 0x00};
    ck_assert_int_eq(decode_err(frame0, sizeof frame0), -WIRE_EVERSION);
    ck_assert_int_eq(decode_err(frame2, sizeof frame2), -WIRE_EVERSION);
    ck_assert_int_eq(decode_err(noop, sizeof noop), 0);
    ck_assert_int_eq(decode_err(type6, sizeof type6), -WIRE_EUNKNOWN_API);
    ck_assert_int_eq(decode_err(type99, sizeof type99), -WIRE_EUNKNOWN_API);
    ck_assert_int_eq(decode_err(v3_partition, sizeof v3_partition), -WIRE_EVERSION);
    ck_assert_int_eq(decode_err(big_type, sizeof big_type), -WIRE_EMALFORMED);
    ck_assert_int_eq(decode_err(garbage_after, sizeof garbage_after), -WIRE_EMALFORMED);
    ck_assert_int_eq(decode_err(NULL, 0), -WIRE_ETRUNCATED);
    /* peek names an unknown type so a caller can report it. */
    int16_t key = 0;
    int16_t version = 0;
    ck_assert_int_eq(metadata_record_peek(type99, sizeof type99, &key, &version), 0);
    ck_assert_int_eq(key, 99);
    ck_assert_int_eq(version, 0);
    ck_assert_int_eq(metadata_record_peek(frame0, sizeof frame0, &key, &version),
                     -WIRE_EVERSION);
    ck_assert_str_eq(metadata_record_type_name(99), "UnknownRecord");
}
END_TEST

START_TEST(encoding_refuses_bad_versions_unknown_types_and_nulls_in_non_nullable_fields)
{
    struct wire_writer w;
    wire_writer_init(&w);
    struct metadata_record r;
    metadata_record_init(&r, METADATA_PARTITION, 3);
    ck_assert_int_eq(metadata_record_encode(&w, &r), -WIRE_EVERSION);
    r.version = -1;
    ck_assert_int_eq(metadata_record_encode(&w, &r), -WIRE_EVERSION);
    r.version = 0;
    r.type = (enum metadata_record_type)6;
    ck_assert_int_eq(metadata_record_encode(&w, &r), -WIRE_EUNKNOWN_API);
    ck_assert_uint_eq(w.len, 0);
    /* Replicas is not nullable. */
    metadata_record_init(&r, METADATA_PARTITION, 0);
    r.u.partition.replicas = METADATA_INT32S_NULL;
    ck_assert_int_eq(metadata_record_encode(&w, &r), -WIRE_EINVAL);
    /* Neither is TopicRecord.Name. */
    wire_writer_reset(&w);
    metadata_record_init(&r, METADATA_TOPIC, 0);
    r.u.topic.name = NULL;
    ck_assert_int_eq(metadata_record_encode(&w, &r), -WIRE_EINVAL);
    /* Nor RegisterBrokerRecord.LogDirs, when v3+ carries it; below v3 it is not looked at. */
    wire_writer_reset(&w);
    metadata_record_init(&r, METADATA_REGISTER_BROKER, 3);
    r.u.register_broker.log_dirs = METADATA_UUIDS_NULL;
    ck_assert_int_eq(metadata_record_encode(&w, &r), -WIRE_EINVAL);
    wire_writer_reset(&w);
    r.version = 2;
    ck_assert_int_eq(metadata_record_encode(&w, &r), 0);
    wire_writer_free(&w);
}
END_TEST

/* ---- Robustness ----------------------------------------------------------------------------- */

START_TEST(every_truncated_prefix_of_every_valid_frame_fails_cleanly)
{
    for (size_t i = 0; i < TYPE_COUNT; i++) {
        for (int16_t v = 0; v <= metadata_record_version_max((int)all_types[i]); v++) {
            struct metadata_record in;
            make_full(all_types[i], v, &in);
            struct wire_writer w = encode_ok(&in);
            for (size_t k = 0; k < w.len; k++) {
                /* A copy of exactly k bytes, so ASan sees any read past the end. */
                uint8_t *prefix = malloc(k > 0 ? k : 1);
                memcpy(prefix, w.bytes, k);
                ck_assert_int_eq(decode_err(k > 0 ? prefix : NULL, k), -WIRE_ETRUNCATED);
                free(prefix);
            }
            wire_writer_free(&w);
        }
    }
}
END_TEST

/* decode(x) = r implies decode(encode(r)) = r: whatever we accept, we can write back. */
static void check_accepted_bytes_re_encode(const uint8_t *bytes, size_t n)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct metadata_record out;
    if (metadata_record_decode(bytes, n, &a, &out) == 0) {
        struct wire_writer w = encode_ok(&out);
        struct metadata_record again;
        ck_assert_int_eq(metadata_record_decode(w.bytes, w.len, &a, &again), 0);
        ck_assert(metadata_record_equal(&out, &again));
        char line[64];
        ck_assert_uint_gt(metadata_record_format(&out, line, sizeof line), 0);
        wire_writer_free(&w);
    }
    wire_arena_free(&a);
}

START_TEST(random_garbage_and_mutated_frames_never_crash_the_decoder)
{
    struct prng p = {UINT64_C(0x9e3779b97f4a7c15)};
    uint8_t buf[96];
    /* Pure garbage behind a plausible frame header. */
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)(prng_next(&p) % sizeof buf);
        for (size_t i = 0; i < n; i++) {
            buf[i] = (uint8_t)prng_next(&p);
        }
        if (n >= 3 && round % 2 == 0) {
            buf[0] = 0x01;
            buf[1] = (uint8_t)all_types[prng_next(&p) % TYPE_COUNT];
            buf[2] = (uint8_t)(prng_next(&p) % 5);
        }
        check_accepted_bytes_re_encode(buf, n);
    }
    /* Valid frames with one to three bytes changed. */
    for (int round = 0; round < 20000; round++) {
        enum metadata_record_type t = all_types[prng_next(&p) % TYPE_COUNT];
        struct metadata_record in;
        make_full(t, (int16_t)(prng_next(&p) % (metadata_record_version_max((int)t) + 1)), &in);
        struct wire_writer w = encode_ok(&in);
        uint8_t *copy = malloc(w.len);
        memcpy(copy, w.bytes, w.len);
        for (uint64_t k = prng_next(&p) % 3; k < 3; k++) {
            copy[prng_next(&p) % w.len] = (uint8_t)prng_next(&p);
        }
        check_accepted_bytes_re_encode(copy, w.len);
        free(copy);
        wire_writer_free(&w);
    }
}
END_TEST

/* ---- metadata.version ----------------------------------------------------------------------- */

START_TEST(record_versions_follow_metadata_version_as_metadata_version_java_says)
{
    struct {
        enum metadata_record_type type;
        int mv;
        int version;
    } cases[] = {
        {METADATA_PARTITION, METADATA_MV_3_4_IV0, 0},
        {METADATA_PARTITION, METADATA_MV_3_7_IV2, 1},
        {METADATA_PARTITION, METADATA_MV_3_9_IV0, 1},
        {METADATA_PARTITION, METADATA_MV_4_0_IV1, 2},
        {METADATA_PARTITION_CHANGE, METADATA_MV_3_7_IV2 - 1, 0},
        {METADATA_PARTITION_CHANGE, METADATA_MV_4_0_IV1 - 1, 1},
        {METADATA_PARTITION_CHANGE, METADATA_MV_LATEST, 2},
        {METADATA_REGISTER_BROKER, METADATA_MV_3_0_IV1, 0},
        {METADATA_REGISTER_BROKER, METADATA_MV_3_3_IV3, 1},
        {METADATA_REGISTER_BROKER, METADATA_MV_3_5_IV2, 2},
        {METADATA_REGISTER_BROKER, METADATA_MV_4_1_IV0, 3},
        {METADATA_REGISTER_BROKER, METADATA_MV_4_3_IV0, 4},
        {METADATA_BROKER_REGISTRATION_CHANGE, METADATA_MV_3_3_IV1, -WIRE_EVERSION},
        {METADATA_BROKER_REGISTRATION_CHANGE, METADATA_MV_3_3_IV2, 0},
        {METADATA_BROKER_REGISTRATION_CHANGE, METADATA_MV_3_4_IV0, 1},
        {METADATA_BROKER_REGISTRATION_CHANGE, METADATA_MV_4_0_IV3, 2},
        {METADATA_BROKER_REGISTRATION_CHANGE, METADATA_MV_LATEST, 3},
        {METADATA_FENCE_BROKER, METADATA_MV_3_3_IV1, 0},
        {METADATA_UNFENCE_BROKER, METADATA_MV_3_3_IV2, -WIRE_EVERSION},
        {METADATA_NO_OP, METADATA_MV_3_0_IV1, -WIRE_EVERSION},
        {METADATA_NO_OP, METADATA_MV_3_3_IV1, 0},
        {METADATA_BEGIN_TRANSACTION, METADATA_MV_3_5_IV2, -WIRE_EVERSION},
        {METADATA_END_TRANSACTION, METADATA_MV_3_6_IV1, 0},
        {METADATA_REGISTER_CONTROLLER, METADATA_MV_3_5_IV2, -WIRE_EVERSION},
        {METADATA_REGISTER_CONTROLLER, METADATA_MV_3_7_IV0, 0},
        {METADATA_CLEAR_ELR, METADATA_MV_3_9_IV0, -WIRE_EVERSION},
        {METADATA_CLEAR_ELR, METADATA_MV_4_0_IV1, 0},
        {METADATA_UNREGISTER_CONTROLLER, METADATA_MV_4_3_IV0, -WIRE_EVERSION},
        {METADATA_UNREGISTER_CONTROLLER, METADATA_MV_4_4_IV2, 0},
        {METADATA_FEATURE_LEVEL, METADATA_MV_LATEST, 0},
        {METADATA_TOPIC, 0, -WIRE_EVERSION}, /* level 0: no KRaft metadata.version */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_msg(metadata_record_version_for(cases[i].type, cases[i].mv) ==
                          cases[i].version,
                      "%s at level %d", metadata_record_type_name((int)cases[i].type),
                      cases[i].mv);
    }
    /* Every answer is a version the type has. */
    for (size_t i = 0; i < TYPE_COUNT; i++) {
        for (int mv = 1; mv <= METADATA_MV_LATEST; mv++) {
            int v = metadata_record_version_for(all_types[i], mv);
            ck_assert(v == -WIRE_EVERSION ||
                      (v >= 0 && v <= metadata_record_version_max((int)all_types[i])));
        }
    }
}
END_TEST

/* ---- Printable form ------------------------------------------------------------------------- */

static const char *format(const struct metadata_record *r)
{
    static char line[512];
    size_t n = metadata_record_format(r, line, sizeof line);
    ck_assert_uint_eq(n, strlen(line));
    return line;
}

START_TEST(trace_lines_show_what_a_record_says_in_one_deterministic_line)
{
    static const int32_t isr[] = {1, 2};
    struct metadata_record r;
    metadata_record_init(&r, METADATA_PARTITION_CHANGE, 0);
    r.u.partition_change.partition_id = 0;
    r.u.partition_change.topic_id = TOPIC_UUID;
    r.u.partition_change.leader = 2;
    r.u.partition_change.isr = INTS(isr);
    ck_assert_str_eq(format(&r), "PartitionChangeRecord(topic=" TOPIC_UUID_TEXT
                                 " partition=0 leader=2 isr=[1,2] epoch+)");
    /* An ISR shrink alone keeps the leader and its epoch. */
    r.u.partition_change.leader = METADATA_NO_LEADER_CHANGE;
    ck_assert_str_eq(format(&r), "PartitionChangeRecord(topic=" TOPIC_UUID_TEXT
                                 " partition=0 isr=[1,2])");
    metadata_record_init(&r, METADATA_TOPIC, 0);
    r.u.topic = (struct metadata_topic){"ord\ners", {0, 1}};
    ck_assert_str_eq(format(&r), "TopicRecord(name=ord?ers id=AAAAAAAAAAAAAAAAAAAAAQ)");
    make_full(METADATA_REGISTER_BROKER, 1, &r);
    ck_assert_str_eq(format(&r),
                     "RegisterBrokerRecord(id=1 epoch=4242 incarnation=AAAAAAAAAAkAAAAAAAAACg "
                     "fenced=0 shutdown=1 migratingZk=1 rack=rack-a "
                     "endpoints=[PLAINTEXT://broker-1:9092,SSL://broker-1.example:9093] "
                     "features=[metadata.version:7-33,kraft.version:0-1] "
                     "logDirs=[AAAAAAAAAAEAAAAAAAAAAg,AAAAAAAAAAMAAAAAAAAABA,"
                     "AAAAAAAAAAUAAAAAAAAABg] cordonedLogDirs=[AAAAAAAAAAcAAAAAAAAACA])");
    metadata_record_init(&r, METADATA_NO_OP, 0);
    ck_assert_str_eq(format(&r), "NoOpRecord()");
    make_full(METADATA_CONFIG, 0, &r);
    r.u.config.value = NULL;
    ck_assert_str_eq(format(&r),
                     "ConfigRecord(resourceType=2 resource=orders name=retention.ms value=null)");
    make_full(METADATA_BROKER_REGISTRATION_CHANGE, 0, &r);
    r.u.broker_registration_change.log_dirs = (struct metadata_uuids){0, NULL};
    r.u.broker_registration_change.cordoned_log_dirs = METADATA_UUIDS_NULL;
    ck_assert_str_eq(format(&r),
                     "BrokerRegistrationChangeRecord(id=2 epoch=99 fenced=-1 shutdown=1)");
}
END_TEST

START_TEST(a_short_trace_buffer_gets_a_terminated_prefix_and_the_full_length)
{
    struct metadata_record r;
    make_full(METADATA_PARTITION, 2, &r);
    char full[512];
    size_t n = metadata_record_format(&r, full, sizeof full);
    ck_assert_uint_eq(n, strlen(full));
    for (size_t cap = 1; cap <= n + 1; cap++) {
        char small[512];
        memset(small, 'x', sizeof small);
        ck_assert_uint_eq(metadata_record_format(&r, small, cap), n);
        ck_assert_uint_eq(strlen(small), cap - 1);
        ck_assert(memcmp(small, full, cap - 1) == 0);
    }
    ck_assert_uint_eq(metadata_record_format(&r, NULL, 0), n);
}
END_TEST

START_TEST(the_type_table_matches_the_trunk_schemas)
{
    ck_assert_str_eq(metadata_record_type_name(METADATA_PARTITION_CHANGE),
                     "PartitionChangeRecord");
    ck_assert_int_eq(metadata_record_version_max(METADATA_REGISTER_BROKER), 4);
    ck_assert_int_eq(metadata_record_version_max(METADATA_PARTITION), 2);
    ck_assert_int_eq(metadata_record_version_max(METADATA_PARTITION_CHANGE), 2);
    ck_assert_int_eq(metadata_record_version_max(METADATA_BROKER_REGISTRATION_CHANGE), 3);
    ck_assert_int_eq(metadata_record_version_max(METADATA_FEATURE_LEVEL), 0);
    ck_assert_int_eq(metadata_record_version_max(6), -1);
    ck_assert(metadata_record_type_known(28));
    ck_assert(!metadata_record_type_known(26)); /* RemoveDelegationTokenRecord: not modelled */
    ck_assert_int_eq(METADATA_CLEAR_ELR, 28);
    ck_assert_int_eq(METADATA_REGISTER_CONTROLLER, 27);
    ck_assert_int_eq(METADATA_NO_OP, 20);
}
END_TEST

static Suite *metadata_records_suite(void)
{
    Suite *s = suite_create("metadata records");
    TCase *trip = tcase_create("round trips");
    tcase_add_test(trip, every_type_at_every_version_round_trips_with_every_field_set);
    tcase_add_test(trip, every_type_at_every_version_round_trips_with_all_defaults_and_no_tags);
    suite_add_tcase(s, trip);
    TCase *vec = tcase_create("hand-built schema vectors");
    tcase_add_test(vec, topic_record_v0_for_orders_hand_vector);
    tcase_add_test(vec, partition_change_v0_with_only_the_leader_tag_hand_vector);
    tcase_add_test(vec, fence_broker_v0_hand_vector);
    tcase_add_test(vec, partition_record_v2_with_elr_tags_hand_vector);
    tcase_add_test(vec, broker_registration_change_v1_unfence_in_controlled_shutdown_hand_vector);
    tcase_add_test(vec, register_broker_v0_with_null_rack_hand_vector);
    suite_add_tcase(s, vec);
    TCase *gating = tcase_create("version gating and tags");
    tcase_add_test(gating, partition_record_v0_drops_directories_and_elr_that_v1_and_v2_carry);
    tcase_add_test(gating, partition_change_directories_tag_8_goes_after_elr_tags_6_and_7);
    tcase_add_test(gating, a_known_tag_outside_its_versions_is_rejected_like_java);
    tcase_add_test(gating, unknown_tagged_fields_are_skipped_wherever_they_sit);
    tcase_add_test(gating, a_tagged_value_with_bytes_left_over_is_malformed);
    suite_add_tcase(s, gating);
    TCase *errors = tcase_create("errors and robustness");
    tcase_set_timeout(errors, 120);
    tcase_add_test(errors,
                   frame_versions_other_than_1_unknown_types_and_trailing_bytes_are_rejected);
    tcase_add_test(errors,
                   encoding_refuses_bad_versions_unknown_types_and_nulls_in_non_nullable_fields);
    tcase_add_test(errors, every_truncated_prefix_of_every_valid_frame_fails_cleanly);
    tcase_add_test(errors, random_garbage_and_mutated_frames_never_crash_the_decoder);
    suite_add_tcase(s, errors);
    TCase *misc = tcase_create("versions and trace lines");
    tcase_add_test(misc, record_versions_follow_metadata_version_as_metadata_version_java_says);
    tcase_add_test(misc, trace_lines_show_what_a_record_says_in_one_deterministic_line);
    tcase_add_test(misc, a_short_trace_buffer_gets_a_terminated_prefix_and_the_full_length);
    tcase_add_test(misc, the_type_table_matches_the_trunk_schemas);
    suite_add_tcase(s, misc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(metadata_records_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failures = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failures == 0 ? 0 : 1;
}
