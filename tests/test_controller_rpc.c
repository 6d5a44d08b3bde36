/* test_controller_rpc.c — controller and admin RPC codecs: schema vectors, round trips, fuzz. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/admin_rpc.h"
#include "protocol/controller_rpc.h"
#include "protocol/header.h"
#include "protocol/wire.h"

/*
 * The byte vectors below are written by hand from the JSON schemas (apache/kafka
 * clients/src/main/resources/common/message/<Name>.json at trunk d79bd502ec; AlterPartition v0-1
 * from 3.9), one field per line. Compact lengths are N+1 (uvarint), classic ones N (int16 for
 * strings, int32 for arrays); every flexible struct ends with its tagged-field count.
 */

/* Uuid(0, n) on the wire: two big-endian longs. */
#define UUID_0_N(n) 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (n)
#define UUID_ZERO UUID_0_N(0)
#define I32(x) 0, 0, 0, (x)
#define I64(x) 0, 0, 0, 0, 0, 0, 0, (x)
#define I64_MINUS_1 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
#define ORDERS 'o', 'r', 'd', 'e', 'r', 's'
#define MIN_ISR 'm', 'i', 'n', '.', 'i', 'n', 's', 'y', 'n', 'c', '.', 'r', 'e', 'p', 'l', 'i', \
                'c', 'a', 's' /* 19 bytes */

typedef int (*encode_fn)(struct wire_writer *w, const void *m, int16_t version);
typedef int (*decode_fn)(struct wire_reader *r, int16_t version, struct wire_arena *a,
                         void *m);

/* Encodes `m` and compares with the expected bytes, then decodes them into `out`, which must
 * consume every byte. */
static void check_vector(encode_fn enc, decode_fn dec, const void *m, int16_t v,
                         const uint8_t *want, size_t n, struct wire_arena *a, void *out)
{
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(enc(&w, m, v), 0);
    ck_assert_uint_eq(w.len, n);
    ck_assert_mem_eq(w.bytes, want, n);
    wire_writer_free(&w);
    struct wire_reader r;
    wire_reader_init(&r, want, n);
    ck_assert_int_eq(dec(&r, v, a, out), 0);
    ck_assert_uint_eq(r.pos, n);
}

/* Decodes `n` bytes that must be a whole valid message. */
static void decode_exactly(decode_fn dec, int16_t v, const uint8_t *bytes, size_t n,
                           struct wire_arena *a, void *out)
{
    struct wire_reader r;
    wire_reader_init(&r, bytes, n);
    ck_assert_int_eq(dec(&r, v, a, out), 0);
    ck_assert_uint_eq(r.pos, n);
}

/* A fixed PRNG for the fuzz tests (xorshift64*): the same bytes every run. */
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

/* ---- void-pointer adapters so one table can drive every codec ---------------------------- */

#define ADAPT(id, fn, type)                                                                 \
    static int enc_##id(struct wire_writer *w, const void *m, int16_t v)                   \
    {                                                                                          \
        return fn##_encode(w, (const type *)m, v);                                             \
    }                                                                                          \
    static int dec_##id(struct wire_reader *r, int16_t v, struct wire_arena *a, void *m)   \
    {                                                                                          \
        return fn##_decode(r, v, a, (type *)m);                                                \
    }

ADAPT(br_req, broker_registration_request, struct broker_registration_request)
ADAPT(br_resp, broker_registration_response, struct broker_registration_response)
ADAPT(bh_req, broker_heartbeat_request, struct broker_heartbeat_request)
ADAPT(bh_resp, broker_heartbeat_response, struct broker_heartbeat_response)
ADAPT(ub_req, unregister_broker_request, struct unregister_broker_request)
ADAPT(ub_resp, unregister_broker_response, struct controller_rpc_simple_response)
ADAPT(cr_req, controller_registration_request, struct controller_registration_request)
ADAPT(cr_resp, controller_registration_response, struct controller_rpc_simple_response)
ADAPT(ap_req, alter_partition_request, struct alter_partition_request)
ADAPT(ap_resp, alter_partition_response, struct alter_partition_response)
ADAPT(ev_req, envelope_request, struct envelope_request)
ADAPT(ev_resp, envelope_response, struct envelope_response)
ADAPT(md_req, metadata_request, struct metadata_request)
ADAPT(md_resp, metadata_response, struct metadata_response)
ADAPT(ct_req, create_topics_request, struct create_topics_request)
ADAPT(ct_resp, create_topics_response, struct create_topics_response)
ADAPT(dt_req, delete_topics_request, struct delete_topics_request)
ADAPT(dt_resp, delete_topics_response, struct delete_topics_response)
ADAPT(el_req, elect_leaders_request, struct elect_leaders_request)
ADAPT(el_resp, elect_leaders_response, struct elect_leaders_response)

/* ---- Sample messages: every field away from its default, so every gate and tag is used ---- */

#define CLUSTER "MkU3OEVBNTcwNTJENDM2Qg"

static struct registration_listener sample_listeners[] = {{"PLAINTEXT", "b4", 9092, 0},
                                                          {"SSL", "b4", 65535, 1}};
/* kraft.version has MinSupportedVersion 0, so BrokerRegistration v0-3 leave it out. */
static struct registration_feature sample_features[] = {{"metadata.version", 7, 27},
                                                        {"kraft.version", 0, 1}};
static struct kuuid sample_dirs[] = {{0xaaaa, 0xbbbb}, {0xcccc, 0xdddd}};

static void sample_br_req(void *p)
{
    struct broker_registration_request *m = p;
    broker_registration_request_init(m);
    m->broker_id = 4;
    m->cluster_id = CLUSTER;
    m->incarnation_id = (struct kuuid){0x1111, 0x2222};
    m->listener_count = 2;
    m->listeners = sample_listeners;
    m->feature_count = 2;
    m->features = sample_features;
    m->rack = "rack-a";
    m->is_migrating_zk_broker = true;
    m->log_dir_count = 2;
    m->log_dirs = sample_dirs;
    m->previous_broker_epoch = 41;
}

static void sample_br_resp(void *p)
{
    struct broker_registration_response *m = p;
    *m = (struct broker_registration_response){5, KAFKA_DUPLICATE_BROKER_REGISTRATION, 42};
}

static void sample_bh_req(void *p)
{
    struct broker_heartbeat_request *m = p;
    *m = (struct broker_heartbeat_request){4, 17, 123, true, true, 1, sample_dirs, 2, sample_dirs};
}

static void sample_bh_resp(void *p)
{
    struct broker_heartbeat_response *m = p;
    *m = (struct broker_heartbeat_response){1, KAFKA_STALE_BROKER_EPOCH, true, false, true};
}

static void sample_ub_req(void *p)
{
    struct unregister_broker_request *m = p;
    m->broker_id = 9;
}

static void sample_simple_resp(void *p)
{
    struct controller_rpc_simple_response *m = p;
    *m = (struct controller_rpc_simple_response){2, KAFKA_BROKER_ID_NOT_REGISTERED,
                                                 "Broker ID 9 is not currently registered"};
}

static void sample_cr_req(void *p)
{
    struct controller_registration_request *m = p;
    *m = (struct controller_registration_request){
        3000, {0x3333, 0x4444}, true, 2, sample_listeners, 2, sample_features};
}

static void sample_ap_req(void *p)
{
    static struct alter_partition_broker_state isr[] = {{1, 100}, {2, 200}, {3, 300}};
    static struct alter_partition_request_partition parts[] = {{0, 5, 3, isr, 1, 9},
                                                               {1, 6, 0, NULL, 0, 10}};
    static struct alter_partition_request_topic topics[] = {{"orders", {0, 7}, 2, parts}};
    struct alter_partition_request *m = p;
    *m = (struct alter_partition_request){1, 100, 1, topics};
}

static void sample_ap_resp(void *p)
{
    static int32_t isr[] = {1, 2};
    static struct alter_partition_response_partition parts[] = {
        {0, 0, 1, 5, 2, isr, 1, 10}, {1, KAFKA_INELIGIBLE_REPLICA, -1, 6, 0, NULL, 0, 11}};
    static struct alter_partition_response_topic topics[] = {{"orders", {0, 7}, 2, parts}};
    struct alter_partition_response *m = p;
    *m = (struct alter_partition_response){3, KAFKA_NOT_CONTROLLER, 1, topics};
}

/* DefaultKafkaPrincipalBuilder.serialize(User:alice): int16 version 0, then DefaultPrincipalData
 * v0 {Type "User", Name "alice", TokenAuthenticated false, tags}. 15 bytes. */
static const uint8_t principal_alice[] = {0, 0, 5, 'U', 's', 'e', 'r', 6, 'a', 'l', 'i', 'c', 'e',
                                          0, 0};
/* The forwarded DeleteTopics v6 request: header v2 (ApiKey 20, version 6, CorrelationId 5,
 * ClientId "adm", tags) and body (Topics [{Name "orders", TopicId Uuid(0, 7)}], TimeoutMs 30000,
 * tags). */
static const uint8_t inner_delete_topics[] = {
    0, 20, 0, 6, I32(5), 0, 3, 'a', 'd', 'm', 0,
    2, 7, ORDERS, UUID_0_N(7), 0, 0, 0, 0x75, 0x30, 0,
};

static void sample_ev_req(void *p)
{
    static const uint8_t ipv6[] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42};
    struct envelope_request *m = p;
    *m = (struct envelope_request){{inner_delete_topics, (int32_t)sizeof inner_delete_topics},
                                   {principal_alice, (int32_t)sizeof principal_alice},
                                   {ipv6, (int32_t)sizeof ipv6}};
}

static void sample_ev_resp(void *p)
{
    /* DeleteTopics v6 response header v1 (CorrelationId 5, tags) and body (ThrottleTimeMs 0,
     * Responses [{Name "orders", TopicId, ErrorCode 0, ErrorMessage null, tags}], tags). */
    static const uint8_t inner[] = {I32(5), 0, I32(0), 2, 7, ORDERS, UUID_0_N(7), 0, 0, 0, 0, 0};
    struct envelope_response *m = p;
    *m = (struct envelope_response){{inner, (int32_t)sizeof inner}, KAFKA_NONE};
}

static void sample_md_req(void *p)
{
    static struct metadata_request_topic topics[] = {{{0, 7}, "orders"}, {{0, 8}, "payments"}};
    struct metadata_request *m = p;
    *m = (struct metadata_request){2, topics, false, true, true};
}

static void sample_md_resp(void *p)
{
    static struct metadata_response_broker brokers[] = {{1, "b1", 9092, "rack-a"},
                                                        {2, "b2", 9093, NULL}};
    static int32_t replicas[] = {1, 2, 3}, isr[] = {1, 2}, offline[] = {3};
    static struct metadata_response_partition parts[] = {
        {0, 0, 1, 5, 3, replicas, 2, isr, 1, offline},
        {KAFKA_LEADER_NOT_AVAILABLE, 1, -1, 7, 3, replicas, 0, NULL, 0, NULL}};
    static struct metadata_response_topic topics[] = {
        {0, "orders", {0, 7}, true, 2, parts, 0x0f8}};
    struct metadata_response *m = p;
    *m = (struct metadata_response){9, 2, brokers, CLUSTER, 1, 1, topics, 0x123,
                                    KAFKA_NOT_CONTROLLER};
}

static void sample_ct_req(void *p)
{
    static struct create_topics_config configs[] = {{"min.insync.replicas", "2"},
                                                    {"cleanup.policy", NULL}};
    static int32_t a0[] = {1, 2}, a1[] = {2, 3};
    static struct create_topics_assignment assignments[] = {{0, 2, a0}, {1, 2, a1}};
    static struct create_topics_topic topics[] = {{"orders", 3, 3, 0, NULL, 2, configs},
                                                  {"audit", -1, -1, 2, assignments, 0, NULL}};
    struct create_topics_request *m = p;
    *m = (struct create_topics_request){2, topics, 30000, true};
}

static void sample_ct_resp(void *p)
{
    static struct create_topics_result_config configs[] = {
        {"min.insync.replicas", "2", false, 1, false}, {"secret", NULL, true, 5, true}};
    static struct create_topics_result topics[] = {
        {"orders", {0, 7}, 0, NULL, 0, 3, 3, 2, configs},
        {"audit", {0, 0}, KAFKA_TOPIC_ALREADY_EXISTS, "exists", 29, -1, -1, -1, NULL}};
    struct create_topics_response *m = p;
    *m = (struct create_topics_response){4, 2, topics};
}

static void sample_dt_req(void *p)
{
    static struct delete_topics_topic topics[] = {{"orders", {0, 7}}, {"audit", {0, 8}}};
    struct delete_topics_request *m = p;
    *m = (struct delete_topics_request){2, topics, 15000};
}

static void sample_dt_resp(void *p)
{
    static struct delete_topics_result results[] = {
        {"orders", {0, 7}, 0, NULL},
        {"audit", {0, 8}, KAFKA_UNKNOWN_TOPIC_OR_PARTITION, "unknown topic"}};
    struct delete_topics_response *m = p;
    *m = (struct delete_topics_response){6, 2, results};
}

static void sample_el_req(void *p)
{
    static int32_t parts[] = {0, 2};
    static struct elect_leaders_topic topics[] = {{"orders", 2, parts}};
    struct elect_leaders_request *m = p;
    *m = (struct elect_leaders_request){ELECTION_TYPE_UNCLEAN, 1, topics, 15000};
}

static void sample_el_resp(void *p)
{
    static struct elect_leaders_partition_result parts[] = {
        {0, KAFKA_NONE, NULL}, {2, KAFKA_ELIGIBLE_LEADERS_NOT_AVAILABLE, "none"}};
    static struct elect_leaders_result results[] = {{"orders", 2, parts}};
    struct elect_leaders_response *m = p;
    *m = (struct elect_leaders_response){5, KAFKA_NONE, 1, results};
}

struct codec {
    const char *name;
    int16_t version_min;
    int16_t version_max;
    size_t msg_size;
    void (*sample)(void *m);
    encode_fn encode;
    decode_fn decode;
};

#define CODEC(name, lo, hi, type, id, sample)                                               \
    {name, lo, hi, sizeof(type), sample, enc_##id, dec_##id}

static const struct codec codecs[] = {
    CODEC("BrokerRegistrationRequest", 0, 4, struct broker_registration_request, br_req,
          sample_br_req),
    CODEC("BrokerRegistrationResponse", 0, 4, struct broker_registration_response, br_resp,
          sample_br_resp),
    CODEC("BrokerHeartbeatRequest", 0, 2, struct broker_heartbeat_request, bh_req,
          sample_bh_req),
    CODEC("BrokerHeartbeatResponse", 0, 2, struct broker_heartbeat_response, bh_resp,
          sample_bh_resp),
    CODEC("UnregisterBrokerRequest", 0, 0, struct unregister_broker_request, ub_req,
          sample_ub_req),
    CODEC("UnregisterBrokerResponse", 0, 0, struct controller_rpc_simple_response, ub_resp,
          sample_simple_resp),
    CODEC("ControllerRegistrationRequest", 0, 0, struct controller_registration_request, cr_req,
          sample_cr_req),
    CODEC("ControllerRegistrationResponse", 0, 0, struct controller_rpc_simple_response,
          cr_resp, sample_simple_resp),
    CODEC("AlterPartitionRequest", 0, 3, struct alter_partition_request, ap_req, sample_ap_req),
    CODEC("AlterPartitionResponse", 0, 3, struct alter_partition_response, ap_resp,
          sample_ap_resp),
    CODEC("EnvelopeRequest", 0, 0, struct envelope_request, ev_req, sample_ev_req),
    CODEC("EnvelopeResponse", 0, 0, struct envelope_response, ev_resp, sample_ev_resp),
    CODEC("MetadataRequest", 0, 13, struct metadata_request, md_req, sample_md_req),
    CODEC("MetadataResponse", 0, 13, struct metadata_response, md_resp, sample_md_resp),
    CODEC("CreateTopicsRequest", 2, 7, struct create_topics_request, ct_req, sample_ct_req),
    CODEC("CreateTopicsResponse", 2, 7, struct create_topics_response, ct_resp, sample_ct_resp),
    CODEC("DeleteTopicsRequest", 1, 6, struct delete_topics_request, dt_req, sample_dt_req),
    CODEC("DeleteTopicsResponse", 1, 6, struct delete_topics_response, dt_resp, sample_dt_resp),
    CODEC("ElectLeadersRequest", 0, 2, struct elect_leaders_request, el_req, sample_el_req),
    CODEC("ElectLeadersResponse", 0, 2, struct elect_leaders_response, el_resp, sample_el_resp),
};

#define CODEC_COUNT ((int)(sizeof codecs / sizeof codecs[0]))

/* Encodes the codec's sample at version v into w. */
static void encode_sample(const struct codec *c, int16_t v, struct wire_writer *w)
{
    void *m = calloc(1, c->msg_size);
    c->sample(m);
    wire_writer_init(w);
    ck_assert_msg(c->encode(w, m, v) == 0, "%s v%d encode", c->name, v);
    free(m);
}

/* ---- Every codec, every version ---------------------------------------------------------- */

START_TEST(every_message_round_trips_at_every_supported_version)
{
    /* Encode the sample, decode it, encode the decoded message: the bytes must agree, and the
     * decoder must consume exactly what the encoder wrote. */
    const struct codec *c = &codecs[_i];
    for (int16_t v = c->version_min; v <= c->version_max; v++) {
        struct wire_writer first, second;
        encode_sample(c, v, &first);
        struct wire_arena a;
        wire_arena_init(&a);
        void *decoded = calloc(1, c->msg_size);
        struct wire_reader r;
        wire_reader_init(&r, first.bytes, first.len);
        ck_assert_msg(c->decode(&r, v, &a, decoded) == 0, "%s v%d decode", c->name, v);
        ck_assert_msg(r.pos == first.len, "%s v%d left %zu bytes", c->name, v,
                      first.len - r.pos);
        wire_writer_init(&second);
        ck_assert_int_eq(c->encode(&second, decoded, v), 0);
        ck_assert_msg(second.len == first.len, "%s v%d re-encoded length", c->name, v);
        ck_assert_msg(memcmp(second.bytes, first.bytes, first.len) == 0, "%s v%d bytes",
                      c->name, v);
        free(decoded);
        wire_arena_free(&a);
        wire_writer_free(&first);
        wire_writer_free(&second);
    }
}
END_TEST

START_TEST(versions_outside_each_apis_range_are_refused_by_encoder_and_decoder)
{
    const struct codec *c = &codecs[_i];
    int16_t outside[] = {(int16_t)(c->version_min - 1), (int16_t)(c->version_max + 1)};
    void *m = calloc(1, c->msg_size);
    c->sample(m);
    for (int k = 0; k < 2; k++) {
        struct wire_writer w;
        wire_writer_init(&w);
        ck_assert_int_eq(c->encode(&w, m, outside[k]), -WIRE_EVERSION);
        ck_assert_uint_eq(w.len, 0);
        wire_writer_free(&w);
        struct wire_arena a;
        wire_arena_init(&a);
        void *out = calloc(1, c->msg_size);
        struct wire_reader r;
        uint8_t zeros[64] = {0};
        wire_reader_init(&r, zeros, sizeof zeros);
        ck_assert_int_eq(c->decode(&r, outside[k], &a, out), -WIRE_EVERSION);
        free(out);
        wire_arena_free(&a);
    }
    free(m);
}
END_TEST

START_TEST(every_strict_prefix_of_a_valid_message_fails_cleanly)
{
    /* A decoder walks the same path over a prefix until the bytes run out, so every strict
     * prefix must fail (and, under the sanitizers, never read past its end). */
    const struct codec *c = &codecs[_i];
    for (int16_t v = c->version_min; v <= c->version_max; v++) {
        struct wire_writer w;
        encode_sample(c, v, &w);
        for (size_t n = 0; n < w.len; n++) {
            uint8_t *copy = malloc(n > 0 ? n : 1); /* exact size: ASan sees any overread */
            if (n > 0) {
                memcpy(copy, w.bytes, n);
            }
            struct wire_arena a;
            wire_arena_init(&a);
            void *out = calloc(1, c->msg_size);
            struct wire_reader r;
            wire_reader_init(&r, copy, n);
            int err = c->decode(&r, v, &a, out);
            ck_assert_msg(err < 0, "%s v%d prefix %zu/%zu decoded", c->name, v, n, w.len);
            free(out);
            wire_arena_free(&a);
            free(copy);
        }
        wire_writer_free(&w);
    }
}
END_TEST

/* Decodes `len` bytes at every version of every codec; only the absence of crashes counts. */
static void decode_everywhere(const uint8_t *bytes, size_t len)
{
    for (int i = 0; i < CODEC_COUNT; i++) {
        const struct codec *c = &codecs[i];
        for (int16_t v = c->version_min; v <= c->version_max; v++) {
            struct wire_arena a;
            wire_arena_init(&a);
            void *out = calloc(1, c->msg_size);
            struct wire_reader r;
            wire_reader_init(&r, bytes, len);
            int err = c->decode(&r, v, &a, out);
            ck_assert_int_le(err, 0);
            ck_assert_uint_le(r.pos, r.len);
            free(out);
            wire_arena_free(&a);
        }
    }
}

START_TEST(random_mutations_of_valid_messages_never_crash_a_decoder)
{
    const struct codec *c = &codecs[_i];
    struct prng rng = {UINT64_C(0x9E3779B97F4A7C15) + (uint64_t)_i};
    for (int16_t v = c->version_min; v <= c->version_max; v++) {
        struct wire_writer w;
        encode_sample(c, v, &w);
        for (int round = 0; round < 60; round++) {
            size_t n = w.len;
            uint8_t *copy = malloc(n > 0 ? n : 1);
            memcpy(copy, w.bytes, n);
            int flips = 1 + (int)(prng_next(&rng) % 4);
            for (int f = 0; f < flips && n > 0; f++) {
                copy[prng_next(&rng) % n] = (uint8_t)prng_next(&rng);
            }
            if (prng_next(&rng) % 4 == 0) {
                n = (size_t)(prng_next(&rng) % (n + 1));
            }
            decode_everywhere(copy, n);
            free(copy);
        }
        wire_writer_free(&w);
    }
}
END_TEST

START_TEST(random_garbage_never_crashes_any_decoder)
{
    struct prng rng = {20260823};
    for (int round = 0; round < 1500; round++) {
        size_t n = (size_t)(prng_next(&rng) % 96);
        uint8_t *buf = malloc(n > 0 ? n : 1);
        for (size_t i = 0; i < n; i++) {
            /* Bias towards small bytes: they make plausible lengths, counts and tags. */
            uint64_t x = prng_next(&rng);
            buf[i] = (uint8_t)((x & 3) == 0 ? x >> 8 : (x >> 8) % 4);
        }
        decode_everywhere(buf, n);
        free(buf);
    }
}
END_TEST

/*
 * Encoded sizes of a sample at every version, added up by hand from the schemas. A round trip
 * cannot see a gate moved by one version on both sides (encode and decode agree with each
 * other); these ladders can.
 */
struct ladder {
    const char *codec;
    size_t len[14]; /* indexed by version; only the codec's range is checked */
};

static const struct ladder ladders[] = {
    /* MetadataRequest: v0 4 + (2+6) + (2+8) = 22; v4 +AllowAutoTopicCreation; v8 +2 flags;
     * v9 compact: 1 + (1+6+1) + (1+8+1) + 3 flags + tags = 23; v10 +2 TopicIds; v11 drops
     * IncludeClusterAuthorizedOperations. */
    {"MetadataRequest", {22, 22, 22, 22, 23, 23, 23, 23, 25, 23, 55, 54, 54, 54}},
    /* MetadataResponse: v0 brokers 4 + 2 × 12, topic 4 + 2 + 8 + 4 + partitions 38 + 30 = 114;
     * v1 +Racks (8 + 2), ControllerId, IsInternal; v2 +ClusterId (2 + 22); v3 +ThrottleTimeMs;
     * v5 +OfflineReplicas (8 + 4); v7 +2 LeaderEpochs; v8 +Topic/ClusterAuthorizedOperations;
     * v9 compact = 158; v10 +TopicId; v11 −ClusterAuthorizedOperations; v13 +ErrorCode. */
    {"MetadataResponse", {114, 129, 153, 157, 157, 169, 169, 177, 185, 158, 174, 170, 170, 172}},
    /* DeleteTopicsResponse: v1 4 + 4 + (8 + 2) + (7 + 2) = 27; v4 compact 25; v5 +ErrorMessage
     * (1 + 14); v6 +2 TopicIds. */
    {"DeleteTopicsResponse", {0, 27, 27, 27, 25, 40, 72}},
    /* AlterPartitionResponse: v0 4 + 2 + 1 + topic (7 + 1 + 28 + 20 + 1) + 1 = 65; v1
     * +LeaderRecoveryState × 2; v2 TopicName (7) → TopicId (16). */
    {"AlterPartitionResponse", {65, 67, 76, 76}},
    /* ElectLeadersRequest: v0 4 + (2 + 6) + 4 + 2 × 4 + 4 = 28; v1 +ElectionType; v2 compact
     * 1 + 1 + 7 + 1 + 8 + 1 + 4 + 1 = 24. */
    {"ElectLeadersRequest", {28, 29, 24}},
    /* ElectLeadersResponse: v0 4 + 4 + 8 + 4 + (4 + 2 + 2) + (4 + 2 + 2 + 4) = 40; v1
     * +ErrorCode; v2 compact 4 + 2 + 1 + 7 + 1 + 8 + 12 + 1 + 1 = 37. */
    {"ElectLeadersResponse", {40, 42, 37}},
};

START_TEST(each_version_adds_and_drops_exactly_the_schema_fields)
{
    const struct ladder *l = &ladders[_i];
    const struct codec *c = NULL;
    for (int i = 0; i < CODEC_COUNT; i++) {
        if (strcmp(codecs[i].name, l->codec) == 0) {
            c = &codecs[i];
        }
    }
    ck_assert_ptr_nonnull(c);
    for (int16_t v = c->version_min; v <= c->version_max; v++) {
        struct wire_writer w;
        encode_sample(c, v, &w);
        ck_assert_msg(w.len == l->len[v], "%s v%d: %zu bytes, want %zu", c->name, v, w.len,
                      l->len[v]);
        wire_writer_free(&w);
    }
}
END_TEST

/* ---- Headers ------------------------------------------------------------------------------ */

START_TEST(header_versions_follow_each_apis_flexible_threshold)
{
    /* Controller RPCs are flexible from v0: request header v2, response header v1. */
    ck_assert_int_eq(kheader_request_version(KAFKA_API_BROKER_HEARTBEAT, 0), 2);
    ck_assert_int_eq(kheader_response_version(KAFKA_API_ALTER_PARTITION, 0), 1);
    ck_assert_int_eq(kheader_request_version(KAFKA_API_CONTROLLER_REGISTRATION, 0), 2);
    /* CreateTopics flexible from 5, DeleteTopics from 4, Metadata from 9. */
    ck_assert_int_eq(kheader_request_version(KAFKA_API_CREATE_TOPICS, 4), 1);
    ck_assert_int_eq(kheader_request_version(KAFKA_API_CREATE_TOPICS, 5), 2);
    ck_assert_int_eq(kheader_response_version(KAFKA_API_DELETE_TOPICS, 3), 0);
    ck_assert_int_eq(kheader_response_version(KAFKA_API_DELETE_TOPICS, 4), 1);
    ck_assert_int_eq(kheader_request_version(KAFKA_API_METADATA, 8), 1);
    ck_assert_int_eq(kheader_request_version(KAFKA_API_METADATA, 9), 2);
}
END_TEST

/* ---- BrokerHeartbeat (63) ----------------------------------------------------------------- */

START_TEST(broker_heartbeat_v0_request_broker_4_epoch_17_offset_123_hand_vector)
{
    static const uint8_t want[] = {
        I32(4),      /* BrokerId 4 */
        I64(17),     /* BrokerEpoch 17 */
        I64(123),    /* CurrentMetadataOffset 123 */
        0,           /* WantFence false */
        0,           /* WantShutDown false */
        0,           /* no tagged fields (OfflineLogDirs is v1+) */
    };
    struct broker_heartbeat_request m;
    broker_heartbeat_request_init(&m);
    m.broker_id = 4;
    m.broker_epoch = 17;
    m.current_metadata_offset = 123;
    struct wire_arena a;
    wire_arena_init(&a);
    struct broker_heartbeat_request out;
    check_vector(enc_bh_req, dec_bh_req, &m, 0, want, sizeof want, &a, &out);
    ck_assert_int_eq(out.broker_id, 4);
    ck_assert_int_eq(out.broker_epoch, 17);
    ck_assert_int_eq(out.current_metadata_offset, 123);
    ck_assert(!out.want_fence);
    ck_assert(!out.want_shut_down);
    ck_assert_int_eq(out.offline_log_dir_count, 0);
    ck_assert_int_eq(out.cordoned_log_dir_count, -1); /* default null */
    wire_arena_free(&a);
}
END_TEST

START_TEST(broker_heartbeat_v2_request_tags_offline_dirs_and_an_empty_cordoned_list)
{
    static const uint8_t want[] = {
        I32(4), I64(17), I64(123),
        1,                 /* WantFence true */
        0,                 /* WantShutDown false */
        2,                 /* two tagged fields */
        0, 17,             /* tag 0 OfflineLogDirs, 17 bytes */
        2, UUID_0_N(5),    /*   compact array of 1 uuid */
        1, 1,              /* tag 1 CordonedLogDirs, 1 byte */
        1,                 /*   compact array of 0: empty, not null, so it is sent */
    };
    static struct kuuid offline[] = {{0, 5}};
    struct broker_heartbeat_request m;
    broker_heartbeat_request_init(&m);
    m.broker_id = 4;
    m.broker_epoch = 17;
    m.current_metadata_offset = 123;
    m.want_fence = true;
    m.offline_log_dir_count = 1;
    m.offline_log_dirs = offline;
    m.cordoned_log_dir_count = 0;
    struct wire_arena a;
    wire_arena_init(&a);
    struct broker_heartbeat_request out;
    check_vector(enc_bh_req, dec_bh_req, &m, 2, want, sizeof want, &a, &out);
    ck_assert(out.want_fence);
    ck_assert_int_eq(out.offline_log_dir_count, 1);
    ck_assert(wire_uuid_equal(out.offline_log_dirs[0], offline[0]));
    ck_assert_int_eq(out.cordoned_log_dir_count, 0);
    /* v1 knows only tag 0: the same message is 3 bytes shorter (tag 1 dropped). */
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(broker_heartbeat_request_encode(&w, &m, 1), 0);
    ck_assert_uint_eq(w.len, sizeof want - 3);
    ck_assert_uint_eq(w.bytes[22], 1); /* tag count */
    wire_writer_free(&w);
    wire_arena_free(&a);
}
END_TEST

START_TEST(broker_heartbeat_v0_drops_log_dir_tags_and_unknown_tags_are_skipped)
{
    /* v0 has no tagged fields; a v0 decoder skips tags 0 and 9 it does not know. */
    static const uint8_t with_tags[] = {
        I32(4), I64(17), I64(123), 0, 1,
        2,             /* two tagged fields */
        0, 1, 1,       /* tag 0 (OfflineLogDirs in v1+), an empty array */
        9, 2, 0xab, 0xcd, /* tag 9, unknown everywhere */
    };
    struct broker_heartbeat_request out;
    struct wire_arena a;
    wire_arena_init(&a);
    decode_exactly(dec_bh_req, 0, with_tags, sizeof with_tags, &a, &out);
    ck_assert(out.want_shut_down);
    ck_assert_int_eq(out.offline_log_dir_count, 0);
    decode_exactly(dec_bh_req, 2, with_tags, sizeof with_tags, &a, &out);
    ck_assert_int_eq(out.offline_log_dir_count, 0);
    ck_assert_int_eq(out.cordoned_log_dir_count, -1);
    /* Encoding the sample (offline and cordoned dirs) at v0 writes an empty tag section. */
    struct broker_heartbeat_request m;
    sample_bh_req(&m);
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(broker_heartbeat_request_encode(&w, &m, 0), 0);
    ck_assert_uint_eq(w.len, 23);
    ck_assert_uint_eq(w.bytes[22], 0);
    wire_writer_free(&w);
    wire_arena_free(&a);
}
END_TEST

START_TEST(broker_heartbeat_v0_response_caught_up_and_unfenced_hand_vector)
{
    static const uint8_t want[] = {
        I32(0),    /* ThrottleTimeMs */
        0, 0,      /* ErrorCode NONE */
        1,         /* IsCaughtUp true */
        0,         /* IsFenced false (default true) */
        0,         /* ShouldShutDown false */
        0,         /* tags */
    };
    struct broker_heartbeat_response m;
    broker_heartbeat_response_init(&m);
    ck_assert(m.is_fenced);
    m.is_caught_up = true;
    m.is_fenced = false;
    struct wire_arena a;
    wire_arena_init(&a);
    struct broker_heartbeat_response out;
    check_vector(enc_bh_resp, dec_bh_resp, &m, 0, want, sizeof want, &a, &out);
    ck_assert(out.is_caught_up);
    ck_assert(!out.is_fenced);
    ck_assert(!out.should_shut_down);
    wire_arena_free(&a);
}
END_TEST

/* ---- BrokerRegistration (62) -------------------------------------------------------------- */

static const uint8_t br_v4_want[] = {
    I32(4),                       /* BrokerId 4 */
    4, 'a', 'b', 'c',             /* ClusterId "abc" */
    UUID_0_N(9),                  /* IncarnationId */
    2,                            /* Listeners: 1 */
    10, 'P', 'L', 'A', 'I', 'N', 'T', 'E', 'X', 'T', /* Name */
    3, 'b', '4',                  /* Host */
    0x23, 0x84,                   /* Port 9092 (uint16) */
    0, 0,                         /* SecurityProtocol PLAINTEXT */
    0,                            /* listener tags */
    2,                            /* Features: 1 */
    14, 'k', 'r', 'a', 'f', 't', '.', 'v', 'e', 'r', 's', 'i', 'o', 'n',
    0, 0,                         /* MinSupportedVersion 0 */
    0, 1,                         /* MaxSupportedVersion 1 */
    0,                            /* feature tags */
    0,                            /* Rack null */
    0,                            /* IsMigratingZkBroker false (v1+) */
    2, UUID_0_N(5),               /* LogDirs: 1 (v2+) */
    I64(17),                      /* PreviousBrokerEpoch 17 (v3+) */
    0,                            /* tags */
};

static void br_v4_message(struct broker_registration_request *m)
{
    static struct registration_listener listeners[] = {{"PLAINTEXT", "b4", 9092, 0}};
    static struct registration_feature features[] = {{"kraft.version", 0, 1}};
    static struct kuuid dirs[] = {{0, 5}};
    broker_registration_request_init(m);
    m->broker_id = 4;
    m->cluster_id = "abc";
    m->incarnation_id = (struct kuuid){0, 9};
    m->listener_count = 1;
    m->listeners = listeners;
    m->feature_count = 1;
    m->features = features;
    m->rack = NULL;
    m->log_dir_count = 1;
    m->log_dirs = dirs;
    m->previous_broker_epoch = 17;
}

START_TEST(broker_registration_v4_request_hand_vector)
{
    struct broker_registration_request m, out;
    br_v4_message(&m);
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_br_req, dec_br_req, &m, 4, br_v4_want, sizeof br_v4_want, &a, &out);
    ck_assert_int_eq(out.broker_id, 4);
    ck_assert_str_eq(out.cluster_id, "abc");
    ck_assert(wire_uuid_equal(out.incarnation_id, (struct kuuid){0, 9}));
    ck_assert_int_eq(out.listener_count, 1);
    ck_assert_str_eq(out.listeners[0].name, "PLAINTEXT");
    ck_assert_uint_eq(out.listeners[0].port, 9092);
    ck_assert_int_eq(out.feature_count, 1);
    ck_assert_str_eq(out.features[0].name, "kraft.version");
    ck_assert_int_eq(out.features[0].max_supported_version, 1);
    ck_assert_ptr_null(out.rack);
    ck_assert_int_eq(out.log_dir_count, 1);
    ck_assert_int_eq(out.previous_broker_epoch, 17);
    wire_arena_free(&a);
}
END_TEST

START_TEST(broker_registration_v3_leaves_out_features_whose_min_version_is_0)
{
    /* KAFKA-17492: below v4 the Builder drops features with MinSupportedVersion 0, so the
     * v3 bytes are the v4 bytes with an empty Features array (1 byte instead of 20). */
    struct broker_registration_request m, out;
    br_v4_message(&m);
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(broker_registration_request_encode(&w, &m, 3), 0);
    ck_assert_uint_eq(w.len, sizeof br_v4_want - 19);
    size_t features_at = 4 + 4 + 16 + 1 + 10 + 3 + 2 + 2 + 1;
    ck_assert_uint_eq(w.bytes[features_at], 1); /* compact length of an empty array */
    struct wire_arena a;
    wire_arena_init(&a);
    decode_exactly(dec_br_req, 3, w.bytes, w.len, &a, &out);
    ck_assert_int_eq(out.feature_count, 0);
    ck_assert_int_eq(out.previous_broker_epoch, 17);
    wire_writer_free(&w);
    wire_arena_free(&a);
}
END_TEST

START_TEST(broker_registration_v0_omits_zk_flag_log_dirs_and_previous_epoch)
{
    /* Sample has IsMigratingZkBroker, LogDirs and PreviousBrokerEpoch set; v0 drops all three
     * and the decoder fills their defaults. */
    struct broker_registration_request m, out;
    sample_br_req(&m);
    struct wire_writer w0, w3;
    wire_writer_init(&w0);
    wire_writer_init(&w3);
    ck_assert_int_eq(broker_registration_request_encode(&w0, &m, 0), 0);
    ck_assert_int_eq(broker_registration_request_encode(&w3, &m, 3), 0);
    /* v3 adds 1 (bool) + 1 + 2 * 16 (LogDirs) + 8 (PreviousBrokerEpoch) bytes. */
    ck_assert_uint_eq(w3.len, w0.len + 1 + 1 + 32 + 8);
    struct wire_arena a;
    wire_arena_init(&a);
    decode_exactly(dec_br_req, 0, w0.bytes, w0.len, &a, &out);
    ck_assert(!out.is_migrating_zk_broker);
    ck_assert_int_eq(out.log_dir_count, 0);
    ck_assert_int_eq(out.previous_broker_epoch, -1);
    ck_assert_str_eq(out.rack, "rack-a");
    ck_assert_int_eq(out.feature_count, 1); /* metadata.version 7-27 only */
    wire_writer_free(&w0);
    wire_writer_free(&w3);
    wire_arena_free(&a);
}
END_TEST

START_TEST(broker_registration_v0_response_assigns_epoch_42_hand_vector)
{
    static const uint8_t want[] = {
        I32(0),   /* ThrottleTimeMs */
        0, 0,     /* ErrorCode NONE */
        I64(42),  /* BrokerEpoch 42 */
        0,        /* tags */
    };
    struct broker_registration_response m, out;
    broker_registration_response_init(&m);
    ck_assert_int_eq(m.broker_epoch, -1);
    m.broker_epoch = 42;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_br_resp, dec_br_resp, &m, 0, want, sizeof want, &a, &out);
    ck_assert_int_eq(out.broker_epoch, 42);
    ck_assert_int_eq(out.error_code, 0);
    wire_arena_free(&a);
}
END_TEST

/* ---- UnregisterBroker (64) and ControllerRegistration (70) -------------------------------- */

START_TEST(unregister_broker_v0_request_and_not_registered_response_hand_vectors)
{
    static const uint8_t req[] = {I32(4), /* BrokerId 4 */ 0 /* tags */};
    static const uint8_t resp[] = {
        I32(0),      /* ThrottleTimeMs */
        0, 102,      /* ErrorCode BROKER_ID_NOT_REGISTERED */
        2, 'x',      /* ErrorMessage "x" */
        0,           /* tags */
    };
    struct wire_arena a;
    wire_arena_init(&a);
    struct unregister_broker_request m = {4}, out;
    check_vector(enc_ub_req, dec_ub_req, &m, 0, req, sizeof req, &a, &out);
    ck_assert_int_eq(out.broker_id, 4);
    struct controller_rpc_simple_response r, rout;
    controller_rpc_simple_response_init(&r);
    ck_assert_str_eq(r.error_message, ""); /* schema: nullable without a default → "" */
    r.error_code = KAFKA_BROKER_ID_NOT_REGISTERED;
    r.error_message = "x";
    check_vector(enc_ub_resp, dec_ub_resp, &r, 0, resp, sizeof resp, &a, &rout);
    ck_assert_int_eq(rout.error_code, 102);
    ck_assert_str_eq(rout.error_message, "x");
    wire_arena_free(&a);
}
END_TEST

START_TEST(controller_registration_v0_request_for_controller_3000_hand_vector)
{
    static const uint8_t want[] = {
        0, 0, 0x0b, 0xb8,                               /* ControllerId 3000 */
        UUID_0_N(3),                                    /* IncarnationId */
        0,                                              /* ZkMigrationReady false */
        2,                                              /* Listeners: 1 */
        11, 'C', 'O', 'N', 'T', 'R', 'O', 'L', 'L', 'E', 'R',
        3, 'c', '1',                                    /* Host "c1" */
        0x23, 0x85,                                     /* Port 9093 */
        0, 0,                                           /* SecurityProtocol PLAINTEXT */
        0,                                              /* listener tags */
        2,                                              /* Features: 1 */
        17, 'm', 'e', 't', 'a', 'd', 'a', 't', 'a', '.', 'v', 'e', 'r', 's', 'i', 'o', 'n',
        0, 7,                                           /* MinSupportedVersion 7 */
        0, 27,                                          /* MaxSupportedVersion 27 */
        0,                                              /* feature tags */
        0,                                              /* tags */
    };
    static struct registration_listener listeners[] = {{"CONTROLLER", "c1", 9093, 0}};
    static struct registration_feature features[] = {{"metadata.version", 7, 27}};
    struct controller_registration_request m = {3000, {0, 3}, false, 1, listeners, 1, features};
    struct controller_registration_request out;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_cr_req, dec_cr_req, &m, 0, want, sizeof want, &a, &out);
    ck_assert_int_eq(out.controller_id, 3000);
    ck_assert_str_eq(out.listeners[0].host, "c1");
    ck_assert_int_eq(out.features[0].min_supported_version, 7);
    /* The response: ThrottleTimeMs 0, ErrorCode 0, ErrorMessage null, tags. */
    static const uint8_t resp[] = {I32(0), 0, 0, 0, 0};
    struct controller_rpc_simple_response r = {0, 0, NULL}, rout;
    check_vector(enc_cr_resp, dec_cr_resp, &r, 0, resp, sizeof resp, &a, &rout);
    ck_assert_ptr_null(rout.error_message);
    wire_arena_free(&a);
}
END_TEST

/* ---- AlterPartition (56) ------------------------------------------------------------------ */

START_TEST(alter_partition_v3_request_with_new_isr_with_epochs_hand_vector)
{
    static const uint8_t want[] = {
        I32(1),             /* BrokerId 1 */
        I64(100),           /* BrokerEpoch 100 */
        2,                  /* Topics: 1 */
        UUID_0_N(7),        /*   TopicId (v2+) */
        2,                  /*   Partitions: 1 */
        I32(0),             /*     PartitionIndex 0 */
        I32(5),             /*     LeaderEpoch 5 */
        3,                  /*     NewIsrWithEpochs: 2 (v3+) */
        I32(1), I64(100), 0, /*      broker 1 epoch 100, tags */
        I32(2), I64(101), 0, /*      broker 2 epoch 101, tags */
        0,                  /*     LeaderRecoveryState RECOVERED */
        I32(9),             /*     PartitionEpoch 9 */
        0,                  /*     partition tags */
        0,                  /*   topic tags */
        0,                  /* tags */
    };
    static struct alter_partition_broker_state isr[] = {{1, 100}, {2, 101}};
    static struct alter_partition_request_partition parts[] = {{0, 5, 2, isr, 0, 9}};
    static struct alter_partition_request_topic topics[] = {{NULL, {0, 7}, 1, parts}};
    struct alter_partition_request m, out;
    alter_partition_request_init(&m);
    m.broker_id = 1;
    m.broker_epoch = 100;
    m.topic_count = 1;
    m.topics = topics;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_ap_req, dec_ap_req, &m, 3, want, sizeof want, &a, &out);
    ck_assert(wire_uuid_equal(out.topics[0].topic_id, (struct kuuid){0, 7}));
    ck_assert_ptr_null(out.topics[0].topic_name);
    const struct alter_partition_request_partition *p = &out.topics[0].partitions[0];
    ck_assert_int_eq(p->new_isr_count, 2);
    ck_assert_int_eq(p->new_isr[1].broker_id, 2);
    ck_assert_int_eq(p->new_isr[1].broker_epoch, 101);
    ck_assert_int_eq(p->partition_epoch, 9);
    wire_arena_free(&a);
}
END_TEST

START_TEST(alter_partition_v1_request_names_the_topic_and_sends_plain_new_isr)
{
    static const uint8_t want[] = {
        I32(1), I64(100),
        2,                   /* Topics: 1 */
        7, ORDERS,           /*   TopicName "orders" (v0-1) */
        2,                   /*   Partitions: 1 */
        I32(0), I32(5),      /*     PartitionIndex, LeaderEpoch */
        3, I32(1), I32(2),   /*     NewIsr [1, 2] (v0-2) */
        1,                   /*     LeaderRecoveryState RECOVERING (v1+) */
        I32(9),              /*     PartitionEpoch */
        0, 0, 0,             /* partition, topic, top-level tags */
    };
    static struct alter_partition_broker_state isr[] = {{1, 100}, {2, 101}};
    static struct alter_partition_request_partition parts[] = {{0, 5, 2, isr, 1, 9}};
    static struct alter_partition_request_topic topics[] = {{"orders", {0, 7}, 1, parts}};
    struct alter_partition_request m = {1, 100, 1, topics}, out;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_ap_req, dec_ap_req, &m, 1, want, sizeof want, &a, &out);
    ck_assert_str_eq(out.topics[0].topic_name, "orders");
    ck_assert(wire_uuid_equal(out.topics[0].topic_id, KUUID_ZERO));
    const struct alter_partition_request_partition *p = &out.topics[0].partitions[0];
    ck_assert_int_eq(p->new_isr[0].broker_epoch, -1); /* NewIsr carries no epochs */
    ck_assert_int_eq(p->leader_recovery_state, 1);
    /* v0 has no LeaderRecoveryState: one byte shorter, and it decodes as 0. */
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(alter_partition_request_encode(&w, &m, 0), 0);
    ck_assert_uint_eq(w.len, sizeof want - 1);
    decode_exactly(dec_ap_req, 0, w.bytes, w.len, &a, &out);
    ck_assert_int_eq(out.topics[0].partitions[0].leader_recovery_state, 0);
    /* v2 switches to the TopicId but keeps NewIsr []int32. */
    wire_writer_reset(&w);
    ck_assert_int_eq(alter_partition_request_encode(&w, &m, 2), 0);
    ck_assert_uint_eq(w.len, sizeof want - 7 + 16);
    wire_writer_free(&w);
    wire_arena_free(&a);
}
END_TEST

START_TEST(alter_partition_v3_response_hand_vector)
{
    static const uint8_t want[] = {
        I32(0),            /* ThrottleTimeMs */
        0, 0,              /* ErrorCode NONE */
        2,                 /* Topics: 1 */
        UUID_0_N(7),       /*   TopicId */
        2,                 /*   Partitions: 1 */
        I32(0),            /*     PartitionIndex */
        0, 0,              /*     ErrorCode */
        I32(1),            /*     LeaderId */
        I32(5),            /*     LeaderEpoch */
        3, I32(1), I32(2), /*     Isr [1, 2] */
        0,                 /*     LeaderRecoveryState */
        I32(10),           /*     PartitionEpoch */
        0, 0, 0,           /* partition, topic, top-level tags */
    };
    static int32_t isr[] = {1, 2};
    static struct alter_partition_response_partition parts[] = {{0, 0, 1, 5, 2, isr, 0, 10}};
    static struct alter_partition_response_topic topics[] = {{NULL, {0, 7}, 1, parts}};
    struct alter_partition_response m = {0, 0, 1, topics}, out;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_ap_resp, dec_ap_resp, &m, 3, want, sizeof want, &a, &out);
    const struct alter_partition_response_partition *p = &out.topics[0].partitions[0];
    ck_assert_int_eq(p->leader_id, 1);
    ck_assert_int_eq(p->isr_count, 2);
    ck_assert_int_eq(p->isr[1], 2);
    ck_assert_int_eq(p->partition_epoch, 10);
    wire_arena_free(&a);
}
END_TEST

/* ---- Envelope (58) ------------------------------------------------------------------------ */

START_TEST(envelope_is_api_58_flexible_from_v0_with_header_v2_and_response_header_v1)
{
    ck_assert_int_eq(KAFKA_API_ENVELOPE, 58);
    ck_assert_str_eq(kafka_api_name(58), "Envelope");
    ck_assert_int_eq(kafka_api_flexible_version(KAFKA_API_ENVELOPE), 0);
    ck_assert_int_eq(kheader_request_version(KAFKA_API_ENVELOPE, 0), 2);
    ck_assert_int_eq(kheader_response_version(KAFKA_API_ENVELOPE, 0), 1);
    /* 57 and 60 stay unknown: only 58 was added. */
    ck_assert_ptr_null(kafka_api_name(57));
    ck_assert_ptr_null(kafka_api_name(60));
}
END_TEST

/* Two byte strings are equal in nullness, length and content. */
static void assert_bytes_eq(struct wire_bytes got, struct wire_bytes want)
{
    ck_assert_int_eq(got.len, want.len);
    if (want.len < 0) {
        ck_assert_ptr_null(got.ptr);
        return;
    }
    ck_assert_ptr_nonnull(got.ptr);
    if (want.len > 0) {
        ck_assert_mem_eq(got.ptr, want.ptr, (size_t)want.len);
    }
}

START_TEST(envelope_v0_request_for_alice_from_10_0_0_7_hand_vector)
{
    static const uint8_t want[] = {
        5, 0, 20, 0, 6,                /* RequestData: 4 bytes, ApiKey 20 and version 6 of the
                                        * inner header (a prefix is enough for the codec) */
        16, 0, 0,                      /* RequestPrincipal: 15 bytes, version 0 */
        5, 'U', 's', 'e', 'r',         /*   Type "User" */
        6, 'a', 'l', 'i', 'c', 'e',    /*   Name "alice" */
        0, 0,                          /*   TokenAuthenticated false, tags */
        5, 10, 0, 0, 7,                /* ClientHostAddress: 4 bytes, 10.0.0.7 */
        0,                             /* tags */
    };
    static const uint8_t inner[] = {0, 20, 0, 6};
    static const uint8_t ipv4[] = {10, 0, 0, 7};
    struct envelope_request m = {{inner, 4}, {principal_alice, 15}, {ipv4, 4}}, out;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_ev_req, dec_ev_req, &m, 0, want, sizeof want, &a, &out);
    assert_bytes_eq(out.request_data, m.request_data);
    assert_bytes_eq(out.request_principal, m.request_principal);
    assert_bytes_eq(out.client_host_address, m.client_host_address);
    wire_arena_free(&a);
}
END_TEST

START_TEST(envelope_v0_responses_carry_the_inner_response_or_null_with_not_controller)
{
    static const uint8_t ok[] = {
        6, I32(42), 0,                 /* ResponseData: 5 bytes, an inner response header v1
                                        * (CorrelationId 42, tags) */
        0, 0,                          /* ErrorCode NONE */
        0,                             /* tags */
    };
    static const uint8_t not_controller[] = {
        0,                             /* ResponseData null (the default) */
        0, 41,                         /* ErrorCode NOT_CONTROLLER */
        0,                             /* tags */
    };
    static const uint8_t inner[] = {I32(42), 0};
    struct envelope_response m, out;
    envelope_response_init(&m);
    ck_assert_int_eq(m.response_data.len, -1); /* schema: "default": "null" */
    ck_assert_ptr_null(m.response_data.ptr);
    ck_assert_int_eq(m.error_code, KAFKA_NONE);
    m.response_data = (struct wire_bytes){inner, (int32_t)sizeof inner};
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_ev_resp, dec_ev_resp, &m, 0, ok, sizeof ok, &a, &out);
    assert_bytes_eq(out.response_data, m.response_data);
    ck_assert_int_eq(out.error_code, KAFKA_NONE);
    /* RequestChannel.buildResponseSend: a NOT_CONTROLLER envelope carries no response. */
    envelope_response_init(&m);
    m.error_code = KAFKA_NOT_CONTROLLER;
    check_vector(enc_ev_resp, dec_ev_resp, &m, 0, not_controller, sizeof not_controller, &a,
                 &out);
    ck_assert_int_eq(out.response_data.len, -1);
    ck_assert_ptr_null(out.response_data.ptr);
    ck_assert_int_eq(out.error_code, KAFKA_NOT_CONTROLLER);
    wire_arena_free(&a);
}
END_TEST

START_TEST(envelope_v0_null_principal_stays_null_and_differs_from_an_empty_one)
{
    static const uint8_t ipv4[] = {10, 0, 0, 7};
    struct envelope_request m = {{inner_delete_topics, (int32_t)sizeof inner_delete_topics},
                                 WIRE_BYTES_NULL,
                                 {ipv4, 4}},
                            out;
    struct wire_arena a;
    wire_arena_init(&a);
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(envelope_request_encode(&w, &m, 0), 0);
    /* RequestData takes 1 + 44 bytes; RequestPrincipal null is the single byte 0 after it,
     * then ClientHostAddress (1 + 4) and the tag count. */
    ck_assert_uint_eq(sizeof inner_delete_topics, 44);
    ck_assert_uint_eq(w.len, 45 + 1 + 5 + 1);
    ck_assert_uint_eq(w.bytes[45], 0);
    decode_exactly(dec_ev_req, 0, w.bytes, w.len, &a, &out);
    ck_assert_int_eq(out.request_principal.len, -1);
    ck_assert_ptr_null(out.request_principal.ptr);
    assert_bytes_eq(out.request_data, m.request_data);
    assert_bytes_eq(out.client_host_address, m.client_host_address);
    /* An empty principal is the byte 1 and decodes as empty, not null. */
    m.request_principal = (struct wire_bytes){NULL, 0};
    wire_writer_reset(&w);
    ck_assert_int_eq(envelope_request_encode(&w, &m, 0), 0);
    ck_assert_uint_eq(w.len, 45 + 1 + 5 + 1);
    ck_assert_uint_eq(w.bytes[45], 1);
    decode_exactly(dec_ev_req, 0, w.bytes, w.len, &a, &out);
    ck_assert_int_eq(out.request_principal.len, 0);
    ck_assert_ptr_nonnull(out.request_principal.ptr);
    wire_writer_free(&w);
    wire_arena_free(&a);
}
END_TEST

START_TEST(envelope_v0_null_in_request_data_or_client_address_is_refused_both_ways)
{
    static const uint8_t ipv4[] = {10, 0, 0, 7};
    static const uint8_t null_data[] = {0 /* RequestData null */, 0, 5, 10, 0, 0, 7, 0};
    static const uint8_t null_address[] = {2, 0xab, 0, 0 /* ClientHostAddress null */, 0};
    struct envelope_request m = {WIRE_BYTES_NULL, WIRE_BYTES_NULL, {ipv4, 4}}, out;
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(envelope_request_encode(&w, &m, 0), -WIRE_EINVAL);
    m.request_data = (struct wire_bytes){ipv4, 4};
    m.client_host_address = WIRE_BYTES_NULL;
    wire_writer_reset(&w);
    ck_assert_int_eq(envelope_request_encode(&w, &m, 0), -WIRE_EINVAL);
    wire_writer_free(&w);
    struct wire_arena a;
    wire_arena_init(&a);
    struct wire_reader r;
    wire_reader_init(&r, null_data, sizeof null_data);
    ck_assert_int_eq(envelope_request_decode(&r, 0, &a, &out), -WIRE_EMALFORMED);
    wire_reader_init(&r, null_address, sizeof null_address);
    ck_assert_int_eq(envelope_request_decode(&r, 0, &a, &out), -WIRE_EMALFORMED);
    wire_arena_free(&a);
}
END_TEST

START_TEST(envelope_v0_round_trip_of_a_300_byte_request_from_ipv6_outlives_its_input)
{
    /* 300 bytes of RequestData need a two-byte uvarint length (301 = 0xad 0x02). */
    static uint8_t inner[300];
    for (size_t i = 0; i < sizeof inner; i++) {
        inner[i] = (uint8_t)(i * 7 + 3);
    }
    static const uint8_t ipv6[] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42};
    struct envelope_request m = {{inner, 300}, {principal_alice, 15}, {ipv6, 16}}, out;
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(envelope_request_encode(&w, &m, 0), 0);
    ck_assert_uint_eq(w.len, 2 + 300 + 1 + 15 + 1 + 16 + 1);
    ck_assert_uint_eq(w.bytes[0], 0xad);
    ck_assert_uint_eq(w.bytes[1], 0x02);
    /* Decode from a private copy, then wipe it: the decoded fields live in the arena. */
    uint8_t *copy = malloc(w.len);
    memcpy(copy, w.bytes, w.len);
    struct wire_arena a;
    wire_arena_init(&a);
    decode_exactly(dec_ev_req, 0, copy, w.len, &a, &out);
    memset(copy, 0, w.len);
    free(copy);
    assert_bytes_eq(out.request_data, m.request_data);
    assert_bytes_eq(out.request_principal, m.request_principal);
    assert_bytes_eq(out.client_host_address, m.client_host_address);
    /* The response side: the sample's inner DeleteTopics response and an error code. */
    struct envelope_response rm, rout;
    sample_ev_resp(&rm);
    rm.error_code = KAFKA_UNKNOWN_SERVER_ERROR;
    wire_writer_reset(&w);
    ck_assert_int_eq(envelope_response_encode(&w, &rm, 0), 0);
    ck_assert_uint_eq(w.len, 1 + (size_t)rm.response_data.len + 2 + 1);
    decode_exactly(dec_ev_resp, 0, w.bytes, w.len, &a, &rout);
    assert_bytes_eq(rout.response_data, rm.response_data);
    ck_assert_int_eq(rout.error_code, KAFKA_UNKNOWN_SERVER_ERROR);
    wire_writer_free(&w);
    wire_arena_free(&a);
}
END_TEST

/* ---- CreateTopics (19) -------------------------------------------------------------------- */

START_TEST(create_topics_v7_request_orders_3_partitions_rf_3_min_insync_replicas_2)
{
    static const uint8_t want[] = {
        2,                    /* Topics: 1 */
        7, ORDERS,            /*   Name "orders" */
        I32(3),               /*   NumPartitions 3 */
        0, 3,                 /*   ReplicationFactor 3 */
        1,                    /*   Assignments: 0 */
        2,                    /*   Configs: 1 */
        20, MIN_ISR,          /*     Name "min.insync.replicas" */
        2, '2',               /*     Value "2" */
        0,                    /*     config tags */
        0,                    /*   topic tags */
        0, 0, 0xea, 0x60,     /* timeoutMs 60000 (the default) */
        0,                    /* validateOnly false */
        0,                    /* tags */
    };
    static struct create_topics_config configs[] = {{"min.insync.replicas", "2"}};
    static struct create_topics_topic topics[] = {{"orders", 3, 3, 0, NULL, 1, configs}};
    struct create_topics_request m, out;
    create_topics_request_init(&m);
    m.topic_count = 1;
    m.topics = topics;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_ct_req, dec_ct_req, &m, 7, want, sizeof want, &a, &out);
    ck_assert_str_eq(out.topics[0].name, "orders");
    ck_assert_int_eq(out.topics[0].num_partitions, 3);
    ck_assert_int_eq(out.topics[0].replication_factor, 3);
    ck_assert_int_eq(out.topics[0].assignment_count, 0);
    ck_assert_str_eq(out.topics[0].configs[0].value, "2");
    ck_assert_int_eq(out.timeout_ms, 60000);
    wire_arena_free(&a);
}
END_TEST

START_TEST(create_topics_v4_request_is_classic_with_int16_strings_and_int32_arrays)
{
    static const uint8_t want[] = {
        I32(1),               /* Topics: 1 */
        0, 6, ORDERS,         /*   Name */
        I32(3), 0, 3,         /*   NumPartitions 3, ReplicationFactor 3 */
        I32(1),               /*   Assignments: 1 */
        I32(0),               /*     PartitionIndex 0 */
        I32(2), I32(1), I32(2), /*   BrokerIds [1, 2] */
        I32(1),               /*   Configs: 1 */
        0, 19, MIN_ISR,       /*     Name */
        0xff, 0xff,           /*     Value null */
        0, 0, 0x75, 0x30,     /* timeoutMs 30000 */
        1,                    /* validateOnly true */
    };
    static int32_t brokers[] = {1, 2};
    static struct create_topics_assignment as[] = {{0, 2, brokers}};
    static struct create_topics_config configs[] = {{"min.insync.replicas", NULL}};
    static struct create_topics_topic topics[] = {{"orders", 3, 3, 1, as, 1, configs}};
    struct create_topics_request m = {1, topics, 30000, true}, out;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_ct_req, dec_ct_req, &m, 4, want, sizeof want, &a, &out);
    ck_assert_int_eq(out.topics[0].assignments[0].broker_id_count, 2);
    ck_assert_int_eq(out.topics[0].assignments[0].broker_ids[1], 2);
    ck_assert_ptr_null(out.topics[0].configs[0].value);
    ck_assert(out.validate_only);
    wire_arena_free(&a);
}
END_TEST

static const uint8_t ct_v7_resp_want[] = {
    I32(0),                /* ThrottleTimeMs */
    3,                     /* Topics: 2 */
    7, ORDERS,             /*   Name */
    UUID_0_N(7),           /*   TopicId (v7+) */
    0, 0,                  /*   ErrorCode NONE */
    0,                     /*   ErrorMessage null */
    I32(3),                /*   NumPartitions 3 (v5+) */
    0, 3,                  /*   ReplicationFactor 3 (v5+) */
    2,                     /*   Configs: 1 (v5+) */
    20, MIN_ISR,           /*     Name */
    2, '2',                /*     Value "2" */
    0,                     /*     ReadOnly false */
    1,                     /*     ConfigSource DYNAMIC_TOPIC_CONFIG */
    0,                     /*     IsSensitive false */
    0,                     /*     config tags */
    0,                     /*   topic tags: TopicConfigErrorCode 0 is the default, not sent */
    6, 'a', 'u', 'd', 'i', 't',
    UUID_ZERO,             /*   TopicId zero: not created */
    0, 36,                 /*   ErrorCode TOPIC_ALREADY_EXISTS */
    7, 'e', 'x', 'i', 's', 't', 's',
    0xff, 0xff, 0xff, 0xff, /*  NumPartitions -1 */
    0xff, 0xff,            /*   ReplicationFactor -1 */
    0,                     /*   Configs null */
    1,                     /*   one tagged field */
    0, 2, 0, 29,           /*   tag 0 TopicConfigErrorCode TOPIC_AUTHORIZATION_FAILED (29) */
    0,                     /* tags */
};

START_TEST(create_topics_v7_response_with_topic_id_configs_and_config_error_tag)
{
    static struct create_topics_result_config configs[] = {
        {"min.insync.replicas", "2", false, 1, false}};
    static struct create_topics_result topics[] = {
        {"orders", {0, 7}, 0, NULL, 0, 3, 3, 1, configs},
        {"audit", {0, 0}, KAFKA_TOPIC_ALREADY_EXISTS, "exists", 29, -1, -1, -1, NULL}};
    struct create_topics_response m = {0, 2, topics}, out;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_ct_resp, dec_ct_resp, &m, 7, ct_v7_resp_want, sizeof ct_v7_resp_want, &a,
                 &out);
    ck_assert(wire_uuid_equal(out.topics[0].topic_id, (struct kuuid){0, 7}));
    ck_assert_ptr_null(out.topics[0].error_message);
    ck_assert_int_eq(out.topics[0].configs[0].config_source, 1);
    ck_assert_int_eq(out.topics[1].error_code, 36);
    ck_assert_str_eq(out.topics[1].error_message, "exists");
    ck_assert_int_eq(out.topics[1].config_count, -1);
    ck_assert_int_eq(out.topics[1].topic_config_error_code, 29);
    /* v6 drops only the TopicIds: 2 × 16 bytes. */
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(create_topics_response_encode(&w, &m, 6), 0);
    ck_assert_uint_eq(w.len, sizeof ct_v7_resp_want - 32);
    wire_writer_free(&w);
    wire_arena_free(&a);
}
END_TEST

START_TEST(create_topics_v4_response_drops_kip_525_fields_and_decodes_their_defaults)
{
    static const uint8_t want[] = {
        I32(0),          /* ThrottleTimeMs (v2+) */
        I32(1),          /* Topics: 1 */
        0, 6, ORDERS,    /*   Name */
        0, 0,            /*   ErrorCode */
        0xff, 0xff,      /*   ErrorMessage null (v1+) */
    };
    static struct create_topics_result_config configs[] = {{"a", "b", true, 4, true}};
    static struct create_topics_result topics[] = {
        {"orders", {0, 7}, 0, NULL, 40, 3, 3, 1, configs}};
    struct create_topics_response m = {0, 1, topics}, out;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_ct_resp, dec_ct_resp, &m, 4, want, sizeof want, &a, &out);
    ck_assert(wire_uuid_equal(out.topics[0].topic_id, KUUID_ZERO));
    ck_assert_int_eq(out.topics[0].num_partitions, -1);
    ck_assert_int_eq(out.topics[0].replication_factor, -1);
    ck_assert_int_eq(out.topics[0].config_count, 0);
    ck_assert_int_eq(out.topics[0].topic_config_error_code, 0);
    wire_arena_free(&a);
}
END_TEST

/* ---- DeleteTopics (20) -------------------------------------------------------------------- */

START_TEST(delete_topics_v6_request_by_topic_id_with_a_null_name)
{
    static const uint8_t want[] = {
        3,                    /* Topics: 2 (v6+) */
        0, UUID_0_N(7), 0,    /*   Name null, TopicId, tags */
        6, 'a', 'u', 'd', 'i', 't', UUID_ZERO, 0, /* by name, zero TopicId */
        0, 0, 0x75, 0x30,     /* TimeoutMs 30000 */
        0,                    /* tags */
    };
    static struct delete_topics_topic topics[] = {{NULL, {0, 7}}, {"audit", {0, 0}}};
    struct delete_topics_request m = {2, topics, 30000}, out;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_dt_req, dec_dt_req, &m, 6, want, sizeof want, &a, &out);
    ck_assert_ptr_null(out.topics[0].name);
    ck_assert(wire_uuid_equal(out.topics[0].topic_id, (struct kuuid){0, 7}));
    ck_assert_str_eq(out.topics[1].name, "audit");
    ck_assert_int_eq(out.timeout_ms, 30000);
    /* Before v6 the request is TopicNames []string: a null name cannot be sent. */
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(delete_topics_request_encode(&w, &m, 5), -WIRE_EINVAL);
    wire_writer_free(&w);
    wire_arena_free(&a);
}
END_TEST

START_TEST(delete_topics_v5_and_v3_requests_send_topic_names_only)
{
    static const uint8_t v5[] = {
        2, 7, ORDERS,         /* TopicNames ["orders"], compact (flexible from v4) */
        0, 0, 0x75, 0x30,     /* TimeoutMs 30000 */
        0,                    /* tags */
    };
    static const uint8_t v3[] = {
        I32(1), 0, 6, ORDERS, /* TopicNames ["orders"], classic */
        0, 0, 0x75, 0x30,     /* TimeoutMs 30000; no tag section */
    };
    static struct delete_topics_topic topics[] = {{"orders", {0, 7}}};
    struct delete_topics_request m = {1, topics, 30000}, out;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_dt_req, dec_dt_req, &m, 5, v5, sizeof v5, &a, &out);
    ck_assert_str_eq(out.topics[0].name, "orders");
    ck_assert(wire_uuid_equal(out.topics[0].topic_id, KUUID_ZERO)); /* not on the wire */
    check_vector(enc_dt_req, dec_dt_req, &m, 3, v3, sizeof v3, &a, &out);
    ck_assert_str_eq(out.topics[0].name, "orders");
    wire_arena_free(&a);
}
END_TEST

START_TEST(delete_topics_v6_response_unknown_topic_id_hand_vector)
{
    static const uint8_t want[] = {
        I32(0),            /* ThrottleTimeMs */
        2,                 /* Responses: 1 */
        0,                 /*   Name null (nullable v6+) */
        UUID_0_N(7),       /*   TopicId */
        0, 100,            /*   ErrorCode UNKNOWN_TOPIC_ID */
        0,                 /*   ErrorMessage null (v5+) */
        0,                 /*   tags */
        0,                 /* tags */
    };
    static struct delete_topics_result results[] = {{NULL, {0, 7}, 100, NULL}};
    struct delete_topics_response m = {0, 1, results}, out;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_dt_resp, dec_dt_resp, &m, 6, want, sizeof want, &a, &out);
    ck_assert_ptr_null(out.responses[0].name);
    ck_assert_int_eq(out.responses[0].error_code, KAFKA_UNKNOWN_TOPIC_ID);
    /* v5 has no TopicId and a non-nullable Name. */
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(delete_topics_response_encode(&w, &m, 5), -WIRE_EINVAL);
    wire_writer_free(&w);
    wire_arena_free(&a);
}
END_TEST

/* ---- Metadata (3) ------------------------------------------------------------------------- */

/* ElectLeadersRequest.json (0-2, flexible 2+, the same in 3.1-trunk): what
 * kafka-leader-election.sh --election-type unclean --topic ledger --partition 0 sends. */
START_TEST(elect_leaders_v2_request_unclean_ledger_0_and_v0_hand_vectors)
{
    static const uint8_t v2[] = {
        1,                                       /* ElectionType UNCLEAN (v1+) */
        2, 7, 'l', 'e', 'd', 'g', 'e', 'r',      /* TopicPartitions: 1; Topic "ledger" */
        2, I32(0), 0,                            /*   Partitions [0]; tags */
        0, 0, 0x75, 0x30,                        /* TimeoutMs 30000 */
        0,                                       /* tags */
    };
    static const uint8_t v0[] = {
        I32(1), 0, 6, 'l', 'e', 'd', 'g', 'e', 'r', /* no ElectionType; classic arrays */
        I32(1), I32(0),
        0, 0, 0x75, 0x30,
    };
    static const uint8_t all_v1[] = {0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0xea, 0x60};
    int32_t partition = 0;
    struct elect_leaders_topic t = {"ledger", 1, &partition};
    struct elect_leaders_request m = {ELECTION_TYPE_UNCLEAN, 1, &t, 30000}, out;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_el_req, dec_el_req, &m, 2, v2, sizeof v2, &a, &out);
    ck_assert_int_eq(out.election_type, ELECTION_TYPE_UNCLEAN);
    ck_assert_str_eq(out.topics[0].topic, "ledger");
    ck_assert_int_eq(out.topics[0].partitions[0], 0);
    m.election_type = ELECTION_TYPE_PREFERRED; /* v0 can only ask for the preferred leader */
    check_vector(enc_el_req, dec_el_req, &m, 0, v0, sizeof v0, &a, &out);
    ck_assert_int_eq(out.election_type, ELECTION_TYPE_PREFERRED);
    /* TopicPartitions null: every partition (v1, PREFERRED, TimeoutMs 60000). */
    struct elect_leaders_request all = {ELECTION_TYPE_PREFERRED, -1, NULL, 60000};
    check_vector(enc_el_req, dec_el_req, &all, 1, all_v1, sizeof all_v1, &a, &out);
    ck_assert_int_eq(out.topic_count, -1);
    wire_arena_free(&a);
}
END_TEST

/* ElectLeadersResponse.json: the top-level ErrorCode from v1; ErrorMessage nullable. */
START_TEST(elect_leaders_v2_response_election_not_needed_and_v0_hand_vectors)
{
    static const uint8_t v2[] = {
        I32(0), 0, 0,                            /* ThrottleTimeMs, ErrorCode NONE */
        2, 7, 'l', 'e', 'd', 'g', 'e', 'r',      /* ReplicaElectionResults: 1, "ledger" */
        2, I32(0), 0, 84, 0, 0,                  /*   [0]: ELECTION_NOT_NEEDED, null; tags */
        0,                                       /*   tags */
        0,                                       /* tags */
    };
    static const uint8_t v0[] = {
        I32(0), I32(1), 0, 6, 'l', 'e', 'd', 'g', 'e', 'r', /* no top-level ErrorCode */
        I32(1), I32(0), 0, 84, 0xff, 0xff,
    };
    struct elect_leaders_partition_result p = {0, KAFKA_ELECTION_NOT_NEEDED, NULL};
    struct elect_leaders_result r = {"ledger", 1, &p};
    struct elect_leaders_response m = {0, KAFKA_NONE, 1, &r}, out;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_el_resp, dec_el_resp, &m, 2, v2, sizeof v2, &a, &out);
    ck_assert_int_eq(out.results[0].partitions[0].error_code, KAFKA_ELECTION_NOT_NEEDED);
    ck_assert_ptr_null(out.results[0].partitions[0].error_message);
    check_vector(enc_el_resp, dec_el_resp, &m, 0, v0, sizeof v0, &a, &out);
    ck_assert_int_eq(kafka_api_flexible_version(KAFKA_API_ELECT_LEADERS), 2);
    ck_assert_int_eq(kheader_request_version(KAFKA_API_ELECT_LEADERS, 2), 2);
    ck_assert_int_eq(kheader_response_version(KAFKA_API_ELECT_LEADERS, 1), 0);
    wire_arena_free(&a);
}
END_TEST

START_TEST(metadata_v12_request_by_topic_id_hand_vector)
{
    static const uint8_t want[] = {
        2,                /* Topics: 1 */
        UUID_0_N(7),      /*   TopicId (v10+) */
        0,                /*   Name null (nullable v10+) */
        0,                /*   tags */
        0,                /* AllowAutoTopicCreation false (v4+) */
        1,                /* IncludeTopicAuthorizedOperations true (v8+); the cluster flag
                           * was v8-10 only */
        0,                /* tags */
    };
    static struct metadata_request_topic topics[] = {{{0, 7}, NULL}};
    struct metadata_request m, out;
    metadata_request_init(&m);
    m.topic_count = 1;
    m.topics = topics;
    m.allow_auto_topic_creation = false;
    m.include_cluster_authorized_operations = true; /* dropped: v12 lacks it */
    m.include_topic_authorized_operations = true;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_md_req, dec_md_req, &m, 12, want, sizeof want, &a, &out);
    ck_assert_int_eq(out.topic_count, 1);
    ck_assert_ptr_null(out.topics[0].name);
    ck_assert(!out.allow_auto_topic_creation);
    ck_assert(!out.include_cluster_authorized_operations);
    ck_assert(out.include_topic_authorized_operations);
    /* Before v10 names are not nullable. */
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(metadata_request_encode(&w, &m, 9), -WIRE_EINVAL);
    wire_writer_free(&w);
    wire_arena_free(&a);
}
END_TEST

START_TEST(metadata_request_all_topics_is_empty_in_v0_and_null_from_v1)
{
    static const uint8_t v0_all[] = {I32(0)};                          /* Topics: [] */
    static const uint8_t v4_all[] = {0xff, 0xff, 0xff, 0xff, 1};       /* null, auto-create */
    /* v9: compact null, AllowAutoTopicCreation, IncludeCluster- (v8-10) and IncludeTopic-
     * AuthorizedOperations, tags. */
    static const uint8_t v9_all[] = {0, 1, 0, 0, 0};
    struct metadata_request m, out;
    metadata_request_init(&m);
    ck_assert(m.allow_auto_topic_creation);
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_md_req, dec_md_req, &m, 0, v0_all, sizeof v0_all, &a, &out);
    ck_assert_int_eq(out.topic_count, 0);
    m.topic_count = -1;
    check_vector(enc_md_req, dec_md_req, &m, 4, v4_all, sizeof v4_all, &a, &out);
    ck_assert_int_eq(out.topic_count, -1);
    check_vector(enc_md_req, dec_md_req, &m, 9, v9_all, sizeof v9_all, &a, &out);
    ck_assert_int_eq(out.topic_count, -1);
    /* v0 Topics is not nullable: the encoder refuses, the decoder reports malformed input. */
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(metadata_request_encode(&w, &m, 0), -WIRE_EINVAL);
    wire_writer_free(&w);
    struct wire_reader r;
    wire_reader_init(&r, v4_all, 4);
    ck_assert_int_eq(metadata_request_decode(&r, 0, &a, &out), -WIRE_EMALFORMED);
    wire_arena_free(&a);
}
END_TEST

static const uint8_t md_v12_resp_want[] = {
    I32(0),                    /* ThrottleTimeMs (v3+) */
    2,                         /* Brokers: 1 */
    I32(1), 3, 'b', '1',       /*   NodeId 1, Host "b1" */
    0, 0, 0x23, 0x84,          /*   Port 9092 (int32 here) */
    0,                         /*   Rack null (v1+) */
    0,                         /*   tags */
    4, 'a', 'b', 'c',          /* ClusterId "abc" (v2+) */
    I32(1),                    /* ControllerId 1 (v1+) */
    2,                         /* Topics: 1 */
    0, 0,                      /*   ErrorCode */
    7, ORDERS,                 /*   Name (nullable v12+) */
    UUID_0_N(7),               /*   TopicId (v10+) */
    0,                         /*   IsInternal false (v1+) */
    2,                         /*   Partitions: 1 */
    0, 0,                      /*     ErrorCode */
    I32(0),                    /*     PartitionIndex 0 */
    I32(1),                    /*     LeaderId 1 */
    I32(5),                    /*     LeaderEpoch 5 (v7+) */
    4, I32(1), I32(2), I32(3), /*     ReplicaNodes [1, 2, 3] */
    3, I32(1), I32(2),         /*     IsrNodes [1, 2] */
    2, I32(3),                 /*     OfflineReplicas [3] (v5+) */
    0,                         /*     tags */
    0x80, 0, 0, 0,             /*   TopicAuthorizedOperations INT32_MIN (v8+) */
    0,                         /*   tags */
    0,                         /* tags (no ClusterAuthorizedOperations after v10) */
};

static void md_v12_message(struct metadata_response *m)
{
    static struct metadata_response_broker brokers[] = {{1, "b1", 9092, NULL}};
    static int32_t replicas[] = {1, 2, 3}, isr[] = {1, 2}, offline[] = {3};
    static struct metadata_response_partition parts[1];
    static struct metadata_response_topic topics[1];
    metadata_response_partition_init(&parts[0]);
    parts[0] = (struct metadata_response_partition){0, 0, 1, 5, 3, replicas, 2, isr, 1, offline};
    metadata_response_topic_init(&topics[0]);
    topics[0].name = "orders";
    topics[0].topic_id = (struct kuuid){0, 7};
    topics[0].partition_count = 1;
    topics[0].partitions = parts;
    metadata_response_init(m);
    m->broker_count = 1;
    m->brokers = brokers;
    m->cluster_id = "abc";
    m->controller_id = 1;
    m->topic_count = 1;
    m->topics = topics;
}

START_TEST(metadata_v12_response_brokers_cluster_controller_and_partitions_hand_vector)
{
    struct metadata_response m, out;
    md_v12_message(&m);
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_md_resp, dec_md_resp, &m, 12, md_v12_resp_want, sizeof md_v12_resp_want,
                 &a, &out);
    ck_assert_int_eq(out.brokers[0].port, 9092);
    ck_assert_ptr_null(out.brokers[0].rack);
    ck_assert_str_eq(out.cluster_id, "abc");
    ck_assert_int_eq(out.controller_id, 1);
    const struct metadata_response_partition *p = &out.topics[0].partitions[0];
    ck_assert_int_eq(p->leader_epoch, 5);
    ck_assert_int_eq(p->replica_node_count, 3);
    ck_assert_int_eq(p->isr_nodes[1], 2);
    ck_assert_int_eq(p->offline_replicas[0], 3);
    ck_assert_int_eq(out.topics[0].topic_authorized_operations, INT32_MIN);
    /* v13 appends the top-level ErrorCode before the tag section. */
    m.error_code = KAFKA_NOT_CONTROLLER;
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(metadata_response_encode(&w, &m, 13), 0);
    ck_assert_uint_eq(w.len, sizeof md_v12_resp_want + 2);
    ck_assert_uint_eq(w.bytes[w.len - 2], KAFKA_NOT_CONTROLLER);
    decode_exactly(dec_md_resp, 13, w.bytes, w.len, &a, &out);
    ck_assert_int_eq(out.error_code, KAFKA_NOT_CONTROLLER);
    wire_writer_free(&w);
    wire_arena_free(&a);
}
END_TEST

START_TEST(metadata_response_cluster_authorized_operations_live_in_v8_to_v10_only)
{
    struct metadata_response m, out;
    sample_md_resp(&m);
    size_t len[14];
    struct wire_arena a;
    wire_arena_init(&a);
    for (int16_t v = 7; v <= 12; v++) {
        struct wire_writer w;
        wire_writer_init(&w);
        ck_assert_int_eq(metadata_response_encode(&w, &m, v), 0);
        len[v] = w.len;
        decode_exactly(dec_md_resp, v, w.bytes, w.len, &a, &out);
        bool has = v >= 8 && v <= 10;
        ck_assert_int_eq(out.cluster_authorized_operations,
                         has ? 0x123 : METADATA_AUTHORIZED_OPERATIONS_NONE);
        ck_assert_int_eq(out.topics[0].topic_authorized_operations,
                         v >= 8 ? 0x0f8 : METADATA_AUTHORIZED_OPERATIONS_NONE);
        wire_writer_free(&w);
    }
    /* v8 adds two int32s; v11 drops the cluster one (KIP-700). */
    ck_assert_uint_eq(len[8], len[7] + 8);
    ck_assert_uint_eq(len[11] + 4, len[10]);
    wire_arena_free(&a);
}
END_TEST

START_TEST(metadata_v0_response_has_no_rack_cluster_controller_epoch_or_offline_replicas)
{
    static const uint8_t want[] = {
        I32(1),                    /* Brokers: 1 (no ThrottleTimeMs before v3) */
        I32(1), 0, 2, 'b', '1', 0, 0, 0x23, 0x84, /* NodeId, Host, Port; no Rack */
        I32(1),                    /* Topics: 1 (no ClusterId, no ControllerId) */
        0, 0, 0, 6, ORDERS,        /*   ErrorCode, Name; no IsInternal */
        I32(1),                    /*   Partitions: 1 */
        0, 0, I32(0), I32(1),      /*     ErrorCode, PartitionIndex, LeaderId; no epoch */
        I32(3), I32(1), I32(2), I32(3), /* ReplicaNodes */
        I32(2), I32(1), I32(2),    /*     IsrNodes; no OfflineReplicas */
    };
    struct metadata_response m, out;
    md_v12_message(&m);
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_md_resp, dec_md_resp, &m, 0, want, sizeof want, &a, &out);
    ck_assert_ptr_null(out.cluster_id);
    ck_assert_int_eq(out.controller_id, -1);
    ck_assert_int_eq(out.topics[0].partitions[0].leader_epoch, -1);
    ck_assert_int_eq(out.topics[0].partitions[0].offline_replica_count, 0);
    ck_assert(!out.topics[0].is_internal);
    wire_arena_free(&a);
}
END_TEST

/* ---- Suite -------------------------------------------------------------------------------- */

static Suite *controller_rpc_suite(void)
{
    Suite *s = suite_create("controller_rpc");
    TCase *all = tcase_create("every codec");
    tcase_set_timeout(all, 120);
    tcase_add_loop_test(all, every_message_round_trips_at_every_supported_version, 0,
                        CODEC_COUNT);
    tcase_add_loop_test(all, versions_outside_each_apis_range_are_refused_by_encoder_and_decoder,
                        0, CODEC_COUNT);
    tcase_add_loop_test(all, every_strict_prefix_of_a_valid_message_fails_cleanly, 0,
                        CODEC_COUNT);
    tcase_add_loop_test(all, random_mutations_of_valid_messages_never_crash_a_decoder, 0,
                        CODEC_COUNT);
    tcase_add_test(all, random_garbage_never_crashes_any_decoder);
    tcase_add_loop_test(all, each_version_adds_and_drops_exactly_the_schema_fields, 0,
                        (int)(sizeof ladders / sizeof ladders[0]));
    tcase_add_test(all, header_versions_follow_each_apis_flexible_threshold);
    suite_add_tcase(s, all);

    TCase *ctl = tcase_create("controller RPCs");
    tcase_add_test(ctl, broker_heartbeat_v0_request_broker_4_epoch_17_offset_123_hand_vector);
    tcase_add_test(ctl, broker_heartbeat_v2_request_tags_offline_dirs_and_an_empty_cordoned_list);
    tcase_add_test(ctl, broker_heartbeat_v0_drops_log_dir_tags_and_unknown_tags_are_skipped);
    tcase_add_test(ctl, broker_heartbeat_v0_response_caught_up_and_unfenced_hand_vector);
    tcase_add_test(ctl, broker_registration_v4_request_hand_vector);
    tcase_add_test(ctl, broker_registration_v3_leaves_out_features_whose_min_version_is_0);
    tcase_add_test(ctl, broker_registration_v0_omits_zk_flag_log_dirs_and_previous_epoch);
    tcase_add_test(ctl, broker_registration_v0_response_assigns_epoch_42_hand_vector);
    tcase_add_test(ctl, unregister_broker_v0_request_and_not_registered_response_hand_vectors);
    tcase_add_test(ctl, controller_registration_v0_request_for_controller_3000_hand_vector);
    tcase_add_test(ctl, alter_partition_v3_request_with_new_isr_with_epochs_hand_vector);
    tcase_add_test(ctl, alter_partition_v1_request_names_the_topic_and_sends_plain_new_isr);
    tcase_add_test(ctl, alter_partition_v3_response_hand_vector);
    tcase_add_test(ctl, envelope_is_api_58_flexible_from_v0_with_header_v2_and_response_header_v1);
    tcase_add_test(ctl, envelope_v0_request_for_alice_from_10_0_0_7_hand_vector);
    tcase_add_test(ctl,
                   envelope_v0_responses_carry_the_inner_response_or_null_with_not_controller);
    tcase_add_test(ctl, envelope_v0_null_principal_stays_null_and_differs_from_an_empty_one);
    tcase_add_test(ctl, envelope_v0_null_in_request_data_or_client_address_is_refused_both_ways);
    tcase_add_test(ctl,
                   envelope_v0_round_trip_of_a_300_byte_request_from_ipv6_outlives_its_input);
    suite_add_tcase(s, ctl);

    TCase *admin = tcase_create("admin RPCs");
    tcase_add_test(admin, create_topics_v7_request_orders_3_partitions_rf_3_min_insync_replicas_2);
    tcase_add_test(admin, create_topics_v4_request_is_classic_with_int16_strings_and_int32_arrays);
    tcase_add_test(admin, create_topics_v7_response_with_topic_id_configs_and_config_error_tag);
    tcase_add_test(admin,
                   create_topics_v4_response_drops_kip_525_fields_and_decodes_their_defaults);
    tcase_add_test(admin, delete_topics_v6_request_by_topic_id_with_a_null_name);
    tcase_add_test(admin, delete_topics_v5_and_v3_requests_send_topic_names_only);
    tcase_add_test(admin, delete_topics_v6_response_unknown_topic_id_hand_vector);
    tcase_add_test(admin, elect_leaders_v2_request_unclean_ledger_0_and_v0_hand_vectors);
    tcase_add_test(admin, elect_leaders_v2_response_election_not_needed_and_v0_hand_vectors);
    tcase_add_test(admin, metadata_v12_request_by_topic_id_hand_vector);
    tcase_add_test(admin, metadata_request_all_topics_is_empty_in_v0_and_null_from_v1);
    tcase_add_test(admin,
                   metadata_v12_response_brokers_cluster_controller_and_partitions_hand_vector);
    tcase_add_test(admin, metadata_response_cluster_authorized_operations_live_in_v8_to_v10_only);
    tcase_add_test(admin,
                   metadata_v0_response_has_no_rack_cluster_controller_epoch_or_offline_replicas);
    suite_add_tcase(s, admin);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(controller_rpc_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
