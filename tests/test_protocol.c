/* test_protocol.c — Kafka message codecs: hand-built schema vectors, round trips, fuzzing. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/api_versions.h"
#include "protocol/fetch.h"
#include "protocol/header.h"
#include "protocol/kraft_rpc.h"
#include "protocol/record_batch.h"
#include "protocol/wire.h"

/*
 * The byte vectors below are written from the JSON schemas (apache/kafka
 * clients/src/main/resources/common/message/<Name>.json), one field per line. Compact lengths are
 * N+1, classic ones are N; every flexible struct ends with its tagged-field count.
 */

#define META_TOPIC "__cluster_metadata"
/* The 18 bytes of "__cluster_metadata". */
#define META_BYTES '_', '_', 'c', 'l', 'u', 's', 't', 'e', 'r', '_', 'm', 'e', 't', 'a', 'd', 'a', \
                   't', 'a'
/* Uuid(0, n) on the wire: two big-endian longs. */
#define UUID_0_N(n) 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (n)
#define I64(x) 0, 0, 0, 0, 0, 0, 0, (x)
#define I64_MINUS_1 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff

typedef int (*encode_fn)(struct wire_writer *w, const void *m, int16_t version);
typedef int (*decode_fn)(struct wire_reader *r, int16_t version, struct wire_arena *a,
                         void *m);

/* Encodes `m` and compares with the expected bytes, then decodes them into `out`. */
static void check_vector(encode_fn enc, decode_fn dec, const void *m, int16_t v,
                         const uint8_t *want, size_t n, struct wire_arena *a, void *out)
{
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(enc(&w, m, v), 0);
    ck_assert_uint_eq(w.len, n);
    if (n > 0) {
        ck_assert_mem_eq(w.bytes, want, n);
    }
    wire_writer_free(&w);
    struct wire_reader r;
    wire_reader_init(&r, want, n);
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

static int enc_av_req(struct wire_writer *w, const void *m, int16_t v)
{
    return api_versions_request_encode(w, m, v);
}
static int dec_av_req(struct wire_reader *r, int16_t v, struct wire_arena *a, void *m)
{
    return api_versions_request_decode(r, v, a, m);
}
static int enc_av_resp(struct wire_writer *w, const void *m, int16_t v)
{
    return api_versions_response_encode(w, m, v);
}
static int dec_av_resp(struct wire_reader *r, int16_t v, struct wire_arena *a, void *m)
{
    return api_versions_response_decode(r, v, a, m);
}
static int enc_vote_req(struct wire_writer *w, const void *m, int16_t v)
{
    return vote_request_encode(w, m, v);
}
static int dec_vote_req(struct wire_reader *r, int16_t v, struct wire_arena *a, void *m)
{
    return vote_request_decode(r, v, a, m);
}
static int enc_vote_resp(struct wire_writer *w, const void *m, int16_t v)
{
    return vote_response_encode(w, m, v);
}
static int dec_vote_resp(struct wire_reader *r, int16_t v, struct wire_arena *a, void *m)
{
    return vote_response_decode(r, v, a, m);
}
static int enc_begin_req(struct wire_writer *w, const void *m, int16_t v)
{
    return begin_quorum_epoch_request_encode(w, m, v);
}
static int dec_begin_req(struct wire_reader *r, int16_t v, struct wire_arena *a, void *m)
{
    return begin_quorum_epoch_request_decode(r, v, a, m);
}
static int enc_begin_resp(struct wire_writer *w, const void *m, int16_t v)
{
    return begin_quorum_epoch_response_encode(w, m, v);
}
static int dec_begin_resp(struct wire_reader *r, int16_t v, struct wire_arena *a, void *m)
{
    return begin_quorum_epoch_response_decode(r, v, a, m);
}
static int enc_end_req(struct wire_writer *w, const void *m, int16_t v)
{
    return end_quorum_epoch_request_encode(w, m, v);
}
static int dec_end_req(struct wire_reader *r, int16_t v, struct wire_arena *a, void *m)
{
    return end_quorum_epoch_request_decode(r, v, a, m);
}
static int enc_end_resp(struct wire_writer *w, const void *m, int16_t v)
{
    return end_quorum_epoch_response_encode(w, m, v);
}
static int dec_end_resp(struct wire_reader *r, int16_t v, struct wire_arena *a, void *m)
{
    return end_quorum_epoch_response_decode(r, v, a, m);
}
static int enc_dq_req(struct wire_writer *w, const void *m, int16_t v)
{
    return describe_quorum_request_encode(w, m, v);
}
static int dec_dq_req(struct wire_reader *r, int16_t v, struct wire_arena *a, void *m)
{
    return describe_quorum_request_decode(r, v, a, m);
}
static int enc_dq_resp(struct wire_writer *w, const void *m, int16_t v)
{
    return describe_quorum_response_encode(w, m, v);
}
static int dec_dq_resp(struct wire_reader *r, int16_t v, struct wire_arena *a, void *m)
{
    return describe_quorum_response_decode(r, v, a, m);
}
static int enc_fs_req(struct wire_writer *w, const void *m, int16_t v)
{
    return fetch_snapshot_request_encode(w, m, v);
}
static int dec_fs_req(struct wire_reader *r, int16_t v, struct wire_arena *a, void *m)
{
    return fetch_snapshot_request_decode(r, v, a, m);
}
static int enc_fs_resp(struct wire_writer *w, const void *m, int16_t v)
{
    return fetch_snapshot_response_encode(w, m, v);
}
static int dec_fs_resp(struct wire_reader *r, int16_t v, struct wire_arena *a, void *m)
{
    return fetch_snapshot_response_decode(r, v, a, m);
}
static int enc_fetch_req(struct wire_writer *w, const void *m, int16_t v)
{
    return fetch_request_encode(w, m, v);
}
static int dec_fetch_req(struct wire_reader *r, int16_t v, struct wire_arena *a, void *m)
{
    return fetch_request_decode(r, v, a, m);
}
static int enc_fetch_resp(struct wire_writer *w, const void *m, int16_t v)
{
    return fetch_response_encode(w, m, v);
}
static int dec_fetch_resp(struct wire_reader *r, int16_t v, struct wire_arena *a, void *m)
{
    return fetch_response_decode(r, v, a, m);
}

/* Control record values and batches take whole byte strings; adapt them to a reader. */
static struct wire_bytes rest_of(struct wire_reader *r)
{
    struct wire_bytes b = {r->bytes + r->pos, (int32_t)(r->len - r->pos)};
    r->pos = r->len;
    return b;
}
static int enc_lcm(struct wire_writer *w, const void *m, int16_t v)
{
    return record_batch_leader_change_encode(w, m, v);
}
static int dec_lcm(struct wire_reader *r, int16_t v, struct wire_arena *a, void *m)
{
    return record_batch_leader_change_decode(rest_of(r), v, a, m);
}
static int enc_snap_header(struct wire_writer *w, const void *m, int16_t v)
{
    return record_batch_snapshot_header_encode(w, m);
}
static int dec_snap_header(struct wire_reader *r, int16_t v, struct wire_arena *a, void *m)
{
    return record_batch_snapshot_header_decode(rest_of(r), m);
}
static int enc_snap_footer(struct wire_writer *w, const void *m, int16_t v)
{
    return record_batch_snapshot_footer_encode(w, m);
}
static int dec_snap_footer(struct wire_reader *r, int16_t v, struct wire_arena *a, void *m)
{
    return record_batch_snapshot_footer_decode(rest_of(r), m);
}
static int enc_kraft_version(struct wire_writer *w, const void *m, int16_t v)
{
    return record_batch_kraft_version_encode(w, m);
}
static int dec_kraft_version(struct wire_reader *r, int16_t v, struct wire_arena *a, void *m)
{
    return record_batch_kraft_version_decode(rest_of(r), m);
}
static int enc_voters(struct wire_writer *w, const void *m, int16_t v)
{
    return record_batch_voters_encode(w, m);
}
static int dec_voters(struct wire_reader *r, int16_t v, struct wire_arena *a, void *m)
{
    return record_batch_voters_decode(rest_of(r), a, m);
}
static int enc_batch(struct wire_writer *w, const void *m, int16_t v)
{
    return record_batch_encode(w, m);
}
static int dec_batch(struct wire_reader *r, int16_t v, struct wire_arena *a, void *m)
{
    size_t size = 0;
    int err = record_batch_decode(r->bytes + r->pos, r->len - r->pos, a, m, &size);
    if (err == 0) {
        r->pos += size;
    }
    return err;
}

/* ---- Sample messages: every field away from its default, so every tag is exercised ------- */

static void sample_av_req(void *p)
{
    struct api_versions_request *m = p;
    api_versions_request_init(m);
    m->client_software_name = "kraftsim";
    m->client_software_version = "0.1.0";
    m->cluster_id = "MkU3OEVBNTcwNTJENDM2Qg";
    m->node_id = 3;
}

static void sample_av_resp(void *p)
{
    static struct api_versions_api_key keys[] = {{18, 0, 4}, {52, 0, 2}, {1, 4, 18}};
    static struct api_versions_supported_feature sup[] = {{"kraft.version", 0, 1},
                                                          {"metadata.version", 7, 27}};
    static struct api_versions_finalized_feature fin[] = {{"metadata.version", 27, 27}};
    struct api_versions_response *m = p;
    api_versions_response_init(m);
    m->api_key_count = 3;
    m->api_keys = keys;
    m->throttle_time_ms = 7;
    m->supported_feature_count = 2;
    m->supported_features = sup;
    m->finalized_features_epoch = 42;
    m->finalized_feature_count = 1;
    m->finalized_features = fin;
    m->zk_migration_ready = true;
}

static struct kraft_node_endpoint sample_endpoints[] = {{1, "c1", 9093}, {2, "c2", 65535}};
static struct kraft_listener sample_listeners[] = {{"CONTROLLER", "c1", 9093},
                                                   {"CONTROLLER_SSL", "c1", 9094}};

static void sample_vote_req(void *p)
{
    static struct vote_request_partition parts[] = {
        {0, 5, 1, {1, 2}, {3, 4}, 4, 100, true},
        {1, 6, 2, {5, 6}, {7, 8}, 5, INT64_MAX, false},
    };
    static struct vote_request_topic topics[] = {{META_TOPIC, 2, parts}};
    struct vote_request *m = p;
    vote_request_init(m);
    m->cluster_id = "MkU3OEVBNTcwNTJENDM2Qg";
    m->voter_id = 2;
    m->topic_count = 1;
    m->topics = topics;
}

static void sample_vote_resp(void *p)
{
    static struct vote_response_partition parts[] = {{0, 0, 1, 5, true}, {1, 74, -1, 9, false}};
    static struct vote_response_topic topics[] = {{META_TOPIC, 2, parts}};
    struct vote_response *m = p;
    *m = (struct vote_response){0};
    m->error_code = 0;
    m->topic_count = 1;
    m->topics = topics;
    m->node_endpoint_count = 2;
    m->node_endpoints = sample_endpoints;
}

static void sample_begin_req(void *p)
{
    static struct begin_quorum_epoch_request_partition parts[] = {{0, {9, 9}, 1, 7}};
    static struct begin_quorum_epoch_request_topic topics[] = {{META_TOPIC, 1, parts}};
    struct begin_quorum_epoch_request *m = p;
    begin_quorum_epoch_request_init(m);
    m->cluster_id = "abc";
    m->voter_id = 3;
    m->topic_count = 1;
    m->topics = topics;
    m->leader_endpoint_count = 2;
    m->leader_endpoints = sample_listeners;
}

static void sample_epoch_resp(void *p)
{
    static struct quorum_epoch_response_partition parts[] = {{0, 0, 1, 7}, {1, 6, 2, 8}};
    static struct quorum_epoch_response_topic topics[] = {{META_TOPIC, 2, parts}};
    struct quorum_epoch_response *m = p;
    *m = (struct quorum_epoch_response){0};
    m->error_code = 104;
    m->topic_count = 1;
    m->topics = topics;
    m->node_endpoint_count = 1;
    m->node_endpoints = sample_endpoints;
}

static void sample_end_req(void *p)
{
    static int32_t successors[] = {2, 3};
    static struct end_quorum_epoch_candidate candidates[] = {{2, {0, 2}}, {3, {0, 3}}};
    static struct end_quorum_epoch_request_partition parts[] = {
        {0, 1, 7, 2, successors, 2, candidates}};
    static struct end_quorum_epoch_request_topic topics[] = {{META_TOPIC, 1, parts}};
    struct end_quorum_epoch_request *m = p;
    end_quorum_epoch_request_init(m);
    m->cluster_id = "abc";
    m->topic_count = 1;
    m->topics = topics;
    m->leader_endpoint_count = 1;
    m->leader_endpoints = sample_listeners;
}

static void sample_dq_req(void *p)
{
    static int32_t indexes[] = {0, 1, 2};
    static struct describe_quorum_request_topic topics[] = {{META_TOPIC, 3, indexes}};
    struct describe_quorum_request *m = p;
    m->topic_count = 1;
    m->topics = topics;
}

static void sample_dq_resp(void *p)
{
    static struct describe_quorum_replica_state voters[] = {
        {1, {0, 11}, 100, 5000, 5000}, {2, {0, 12}, 90, 4990, 4000}};
    static struct describe_quorum_replica_state observers[] = {{7, {0, 17}, -1, -1, -1}};
    static struct describe_quorum_response_partition parts[] = {
        {0, 0, "fine", 1, 3, 100, 2, voters, 1, observers}};
    static struct describe_quorum_response_topic topics[] = {{META_TOPIC, 1, parts}};
    static struct describe_quorum_node nodes[] = {{1, 2, sample_listeners},
                                                  {2, 1, sample_listeners}};
    struct describe_quorum_response *m = p;
    *m = (struct describe_quorum_response){0};
    m->error_code = 0;
    m->error_message = NULL;
    m->topic_count = 1;
    m->topics = topics;
    m->node_count = 2;
    m->nodes = nodes;
}

static const uint8_t sample_records[] = {1, 2, 3, 4, 5};

static void sample_fs_req(void *p)
{
    static struct fetch_snapshot_request_partition parts[] = {{0, 7, {100, 5}, 4096, {0, 2}}};
    static struct fetch_snapshot_request_topic topics[] = {{META_TOPIC, 1, parts}};
    struct fetch_snapshot_request *m = p;
    fetch_snapshot_request_init(m);
    m->cluster_id = "abc";
    m->replica_id = 2;
    m->max_bytes = 1048576;
    m->topic_count = 1;
    m->topics = topics;
}

static void sample_fs_resp(void *p)
{
    static struct fetch_snapshot_response_partition parts[] = {
        {0, 0, {100, 5}, {1, 7}, 300, 0, {sample_records, 5}},
        {1, 98, {-1, -1}, {0, 0}, 0, 0, {sample_records, 0}},
    };
    static struct fetch_snapshot_response_topic topics[] = {{META_TOPIC, 2, parts}};
    struct fetch_snapshot_response *m = p;
    *m = (struct fetch_snapshot_response){0};
    m->throttle_time_ms = 1;
    m->topic_count = 1;
    m->topics = topics;
    m->node_endpoint_count = 2;
    m->node_endpoints = sample_endpoints;
}

static void sample_fetch_req(void *p)
{
    static struct fetch_request_partition parts[] = {
        {.partition = 0, .current_leader_epoch = 5, .fetch_offset = 10, .last_fetched_epoch = 4,
         .log_start_offset = 0, .partition_max_bytes = 1048576,
         .replica_directory_id = {0, 2}, .high_watermark = 8},
        {.partition = 1, .current_leader_epoch = -1, .fetch_offset = 0,
         .last_fetched_epoch = -1, .log_start_offset = -1, .partition_max_bytes = 0,
         .replica_directory_id = {0, 0}, .high_watermark = INT64_MAX},
    };
    static struct fetch_request_topic topics[] = {{META_TOPIC, {0, 1}, 2, parts}};
    static int32_t forgotten_parts[] = {3, 4};
    static struct fetch_forgotten_topic forgotten[] = {{"old", {0, 9}, 2, forgotten_parts}};
    struct fetch_request *m = p;
    fetch_request_init(m);
    m->cluster_id = "abc";
    m->replica_id = 2;
    m->replica_epoch = 77;
    m->max_wait_ms = 500;
    m->min_bytes = 1;
    m->max_bytes = 8388608;
    m->isolation_level = 1;
    m->session_id = 11;
    m->session_epoch = 12;
    m->topic_count = 1;
    m->topics = topics;
    m->forgotten_topic_count = 1;
    m->forgotten_topics = forgotten;
    m->rack_id = "rack-a";
}

static void sample_fetch_resp(void *p)
{
    static struct fetch_aborted_transaction aborted[] = {{1000, 5}, {1001, 6}};
    static struct fetch_response_partition parts[2];
    static struct fetch_response_topic topics[] = {{META_TOPIC, {0, 1}, 2, parts}};
    static struct fetch_node_endpoint endpoints[] = {{1, "c1", 9093, "rack-a"},
                                                     {2, "c2", 9093, NULL}};
    fetch_response_partition_init(&parts[0]);
    parts[0] = (struct fetch_response_partition){
        0, 0, 10, 9, 0, {3, 42}, {1, 5}, {40, 2}, 2, aborted, 1, {sample_records, 5}};
    fetch_response_partition_init(&parts[1]);
    parts[1].partition_index = 1;
    parts[1].error_code = 6;
    struct fetch_response *m = p;
    fetch_response_init(m);
    m->throttle_time_ms = 3;
    m->error_code = 0;
    m->session_id = 99;
    m->topic_count = 1;
    m->topics = topics;
    m->node_endpoint_count = 2;
    m->node_endpoints = endpoints;
}

static void sample_lcm(void *p)
{
    static struct record_batch_voter voters[] = {{1, {0, 1}}, {2, {0, 2}}, {3, {0, 3}}};
    static struct record_batch_voter granting[] = {{1, {0, 1}}, {3, {0, 3}}};
    struct record_batch_leader_change *m = p;
    *m = (struct record_batch_leader_change){0, 1, 3, voters, 2, granting};
}

static void sample_snap_header(void *p)
{
    struct record_batch_snapshot_header *m = p;
    *m = (struct record_batch_snapshot_header){0, 1700000000000};
}

static void sample_snap_footer(void *p)
{
    struct record_batch_snapshot_footer *m = p;
    *m = (struct record_batch_snapshot_footer){0};
}

static void sample_kraft_version(void *p)
{
    struct record_batch_kraft_version *m = p;
    *m = (struct record_batch_kraft_version){0, 1};
}

static void sample_voters(void *p)
{
    static struct record_batch_voters_endpoint eps[] = {{"CONTROLLER", "c1", 9093}};
    static struct record_batch_voters_entry entries[] = {{1, {0, 1}, 1, eps, 0, 1},
                                                         {2, {0, 2}, 0, NULL, 0, 1}};
    struct record_batch_voters *m = p;
    *m = (struct record_batch_voters){0, 2, entries};
}

/* Two records at offsets 100 and 101: the batch the record batch tests describe by hand. */
static void sample_batch(void *p)
{
    static const uint8_t a[] = {'a'}, k[] = {'k'}, vv[] = {'v', 'v'}, h[] = {'h'};
    static struct record_batch_record_header headers[] = {{{h, 1}, {NULL, -1}}};
    static struct record_batch_record records[2];
    records[0] = (struct record_batch_record){0, 0, 0, {NULL, -1}, {a, 1}, 0, NULL};
    records[1] = (struct record_batch_record){0, 5, 1, {k, 1}, {vv, 2}, 1, headers};
    struct record_batch *b = p;
    record_batch_init(b);
    b->base_offset = 100;
    b->partition_leader_epoch = 5;
    b->last_offset_delta = 1;
    b->base_timestamp = 1000;
    b->max_timestamp = 1005;
    b->record_count = 2;
    b->records = records;
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

#define CODEC(name, lo, hi, type, sample, enc, dec) {name, lo, hi, sizeof(type), sample, enc, dec}

static const struct codec codecs[] = {
    CODEC("ApiVersionsRequest", 0, 5, struct api_versions_request, sample_av_req, enc_av_req,
          dec_av_req),
    CODEC("ApiVersionsResponse", 0, 5, struct api_versions_response, sample_av_resp,
          enc_av_resp, dec_av_resp),
    CODEC("VoteRequest", 0, 2, struct vote_request, sample_vote_req, enc_vote_req,
          dec_vote_req),
    CODEC("VoteResponse", 0, 2, struct vote_response, sample_vote_resp, enc_vote_resp,
          dec_vote_resp),
    CODEC("BeginQuorumEpochRequest", 0, 1, struct begin_quorum_epoch_request, sample_begin_req,
          enc_begin_req, dec_begin_req),
    CODEC("BeginQuorumEpochResponse", 0, 1, struct quorum_epoch_response, sample_epoch_resp,
          enc_begin_resp, dec_begin_resp),
    CODEC("EndQuorumEpochRequest", 0, 1, struct end_quorum_epoch_request, sample_end_req,
          enc_end_req, dec_end_req),
    CODEC("EndQuorumEpochResponse", 0, 1, struct quorum_epoch_response, sample_epoch_resp,
          enc_end_resp, dec_end_resp),
    CODEC("DescribeQuorumRequest", 0, 2, struct describe_quorum_request, sample_dq_req,
          enc_dq_req, dec_dq_req),
    CODEC("DescribeQuorumResponse", 0, 2, struct describe_quorum_response, sample_dq_resp,
          enc_dq_resp, dec_dq_resp),
    CODEC("FetchSnapshotRequest", 0, 1, struct fetch_snapshot_request, sample_fs_req,
          enc_fs_req, dec_fs_req),
    CODEC("FetchSnapshotResponse", 0, 1, struct fetch_snapshot_response, sample_fs_resp,
          enc_fs_resp, dec_fs_resp),
    CODEC("FetchRequest", 12, 18, struct fetch_request, sample_fetch_req, enc_fetch_req,
          dec_fetch_req),
    CODEC("FetchResponse", 12, 18, struct fetch_response, sample_fetch_resp, enc_fetch_resp,
          dec_fetch_resp),
    CODEC("LeaderChangeMessage", 0, 1, struct record_batch_leader_change, sample_lcm, enc_lcm,
          dec_lcm),
    CODEC("SnapshotHeaderRecord", 0, 0, struct record_batch_snapshot_header,
          sample_snap_header, enc_snap_header, dec_snap_header),
    CODEC("SnapshotFooterRecord", 0, 0, struct record_batch_snapshot_footer,
          sample_snap_footer, enc_snap_footer, dec_snap_footer),
    CODEC("KRaftVersionRecord", 0, 0, struct record_batch_kraft_version, sample_kraft_version,
          enc_kraft_version, dec_kraft_version),
    CODEC("VotersRecord", 0, 0, struct record_batch_voters, sample_voters, enc_voters,
          dec_voters),
    CODEC("RecordBatch", 2, 2, struct record_batch, sample_batch, enc_batch, dec_batch),
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
        ck_assert_msg(first.len == 0 || memcmp(second.bytes, first.bytes, first.len) == 0,
                      "%s v%d bytes", c->name, v);
        free(decoded);
        wire_arena_free(&a);
        wire_writer_free(&first);
        wire_writer_free(&second);
    }
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
            (void)c->decode(&r, v, &a, out);
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
        for (int round = 0; round < 300; round++) {
            size_t n = w.len;
            uint8_t *copy = malloc(n > 0 ? n : 1);
            if (n > 0) {
                memcpy(copy, w.bytes, n);
            }
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

START_TEST(random_garbage_never_crashes_any_decoder_or_frame_parser)
{
    struct prng rng = {12345};
    for (int round = 0; round < 2000; round++) {
        size_t n = (size_t)(prng_next(&rng) % 96);
        uint8_t *buf = malloc(n > 0 ? n : 1);
        for (size_t i = 0; i < n; i++) {
            /* Bias towards small bytes: they make plausible lengths and counts. */
            uint64_t x = prng_next(&rng);
            buf[i] = (uint8_t)((x & 3) == 0 ? x >> 8 : (x >> 8) % 4);
        }
        decode_everywhere(buf, n);
        struct wire_arena a;
        wire_arena_init(&a);
        struct kheader_request h;
        struct wire_reader body;
        (void)kheader_request_decode_frame(buf, n, &a, &h, &body);
        struct record_batch_iter it;
        struct record_batch b;
        record_batch_iter_init(&it, buf, n);
        while (record_batch_iter_next(&it, &a, &b) == 1) {
        }
        wire_arena_free(&a);
        free(buf);
    }
}
END_TEST

/* ---- Headers and frames (RequestHeader.json, ResponseHeader.json) ------------------------- */

START_TEST(header_version_follows_each_apis_flexible_threshold)
{
    /* Fetch is flexible from v12, BeginQuorumEpoch from v1, Vote from v0. */
    ck_assert_int_eq(kheader_request_version(KAFKA_API_FETCH, 11), 1);
    ck_assert_int_eq(kheader_request_version(KAFKA_API_FETCH, 12), 2);
    ck_assert_int_eq(kheader_response_version(KAFKA_API_FETCH, 11), 0);
    ck_assert_int_eq(kheader_response_version(KAFKA_API_FETCH, 18), 1);
    ck_assert_int_eq(kheader_request_version(KAFKA_API_BEGIN_QUORUM_EPOCH, 0), 1);
    ck_assert_int_eq(kheader_request_version(KAFKA_API_BEGIN_QUORUM_EPOCH, 1), 2);
    ck_assert_int_eq(kheader_response_version(KAFKA_API_END_QUORUM_EPOCH, 0), 0);
    ck_assert_int_eq(kheader_response_version(KAFKA_API_END_QUORUM_EPOCH, 1), 1);
    ck_assert_int_eq(kheader_request_version(KAFKA_API_VOTE, 0), 2);
    ck_assert_int_eq(kheader_response_version(KAFKA_API_DESCRIBE_QUORUM, 0), 1);
    /* ApiVersions: request header follows flexibility (v3+ → v2), response is always v0. */
    ck_assert_int_eq(kheader_request_version(KAFKA_API_API_VERSIONS, 2), 1);
    ck_assert_int_eq(kheader_request_version(KAFKA_API_API_VERSIONS, 3), 2);
    for (int16_t v = 0; v <= 5; v++) {
        ck_assert_int_eq(kheader_response_version(KAFKA_API_API_VERSIONS, v), 0);
    }
    ck_assert_int_eq(kheader_request_version(999, 0), -WIRE_EUNKNOWN_API);
    ck_assert_int_eq(kheader_response_version(-1, 0), -WIRE_EUNKNOWN_API);
}
END_TEST

START_TEST(api_and_error_names_come_from_the_tables)
{
    ck_assert_str_eq(kafka_error_name(74), "FENCED_LEADER_EPOCH");
    ck_assert_str_eq(kafka_error_name(KAFKA_NONE), "NONE");
    ck_assert_str_eq(kafka_error_name(-1), "UNKNOWN_SERVER_ERROR");
    ck_assert_str_eq(kafka_error_name(125), "INVALID_VOTER_KEY");
    ck_assert_str_eq(kafka_error_name(4242), "UNKNOWN");
    ck_assert_int_eq(KAFKA_INCONSISTENT_CLUSTER_ID, 104);
    ck_assert_str_eq(kafka_error_message(KAFKA_SNAPSHOT_NOT_FOUND),
                     "Requested snapshot was not found.");
    ck_assert_str_eq(kafka_api_name(KAFKA_API_FETCH_SNAPSHOT), "FetchSnapshot");
    ck_assert_ptr_null(kafka_api_name(4));
    ck_assert_int_eq(kafka_api_flexible_version(KAFKA_API_PRODUCE), 9);
}
END_TEST

/* A Vote v2 request frame as node 1 sends it: header v2 (Vote is flexible from v0). */
static const uint8_t vote_frame[] = {
    0x00, 0x00, 0x00, 0x1d,  /* Size: 29 = 24 header + 5 body */
    0x00, 0x34,              /* RequestApiKey 52 (Vote) */
    0x00, 0x02,              /* RequestApiVersion 2 */
    0x00, 0x00, 0x00, 0x2a,  /* CorrelationId 42 */
    0x00, 0x0d,              /* ClientId length 13, an int16 even in header v2 */
    'r', 'a', 'f', 't', '-', 'c', 'l', 'i', 'e', 'n', 't', '-', '1',
    0x00,                    /* header tagged fields: none */
    0x00,                    /* body: ClusterId null */
    0x00, 0x00, 0x00, 0x02,  /*       VoterId... (a body prefix is enough to test framing) */
};

START_TEST(request_header_v2_keeps_an_int16_client_id)
{
    struct wire_writer w;
    wire_writer_init(&w);
    size_t mark = kheader_frame_begin(&w);
    struct kheader_request h = {KAFKA_API_VOTE, 2, 42, "raft-client-1"};
    int hv = kheader_request_version(h.api_key, h.api_version);
    ck_assert_int_eq(hv, 2);
    ck_assert_int_eq(kheader_request_encode(&w, &h, hv), 0);
    wire_write_nullable_string(&w, NULL, true);
    wire_write_int32(&w, 2);
    kheader_frame_end(&w, mark);
    ck_assert_uint_eq(w.len, sizeof vote_frame);
    ck_assert_mem_eq(w.bytes, vote_frame, sizeof vote_frame);

    struct kheader_peek peek;
    ck_assert_int_eq(kheader_request_peek(vote_frame, sizeof vote_frame, &peek), 0);
    ck_assert_int_eq(peek.api_key, 52);
    ck_assert_int_eq(peek.api_version, 2);
    ck_assert_int_eq(peek.correlation_id, 42);
    struct wire_arena a;
    wire_arena_init(&a);
    struct kheader_request back;
    struct wire_reader body;
    ck_assert_int_eq(kheader_request_decode_frame(vote_frame, sizeof vote_frame, &a, &back,
                                                  &body), 0);
    ck_assert_str_eq(back.client_id, "raft-client-1");
    ck_assert_uint_eq(wire_reader_remaining(&body), 5);
    ck_assert_ptr_null(wire_read_nullable_string(&body, &a, true));
    ck_assert_int_eq(wire_read_int32(&body), 2);
    wire_arena_free(&a);
    wire_writer_free(&w);
}
END_TEST

START_TEST(request_header_v1_has_no_tag_section_and_a_null_client_id_is_minus_one)
{
    /* BeginQuorumEpoch v0 is not flexible: header v1. */
    const uint8_t want[] = {
        0x00, 0x35,             /* RequestApiKey 53 */
        0x00, 0x00,             /* RequestApiVersion 0 */
        0x00, 0x00, 0x00, 0x07, /* CorrelationId 7 */
        0xff, 0xff,             /* ClientId null */
    };
    struct wire_writer w;
    wire_writer_init(&w);
    struct kheader_request h = {KAFKA_API_BEGIN_QUORUM_EPOCH, 0, 7, NULL};
    ck_assert_int_eq(kheader_request_encode(&w, &h, 1), 0);
    ck_assert_uint_eq(w.len, sizeof want);
    ck_assert_mem_eq(w.bytes, want, sizeof want);
    struct wire_arena a;
    wire_arena_init(&a);
    struct wire_reader r;
    wire_reader_init(&r, want, sizeof want);
    struct kheader_request back;
    ck_assert_int_eq(kheader_request_decode(&r, 1, &a, &back), 0);
    ck_assert_ptr_null(back.client_id);
    ck_assert_int_eq(back.correlation_id, 7);
    ck_assert_int_eq(kheader_request_encode(&w, &h, 0), -WIRE_EVERSION);
    wire_arena_free(&a);
    wire_writer_free(&w);
}
END_TEST

/* ApiVersions v3 response frame: body flexible, header still v0 (CorrelationId only). */
static const uint8_t av_v3_frame[] = {
    0x00, 0x00, 0x00, 0x13,             /* Size 19 */
    0x00, 0x00, 0x00, 0x07,             /* header v0: CorrelationId 7, no tag section */
    0x00, 0x00,                         /* ErrorCode 0 */
    0x02,                               /* ApiKeys: 1 element */
    0x00, 0x12, 0x00, 0x00, 0x00, 0x04, /*   ApiKey 18, MinVersion 0, MaxVersion 4 */
    0x00,                               /*   element tagged fields */
    0x00, 0x00, 0x00, 0x00,             /* ThrottleTimeMs 0 */
    0x00,                               /* tagged fields: none (features omitted) */
};

/* ApiVersions v0 response frame: classic array, no throttle time. */
static const uint8_t av_v0_frame[] = {
    0x00, 0x00, 0x00, 0x10,             /* Size 16 */
    0x00, 0x00, 0x00, 0x07,             /* CorrelationId 7 */
    0x00, 0x00,                         /* ErrorCode 0 */
    0x00, 0x00, 0x00, 0x01,             /* ApiKeys: int32 count 1 */
    0x00, 0x12, 0x00, 0x00, 0x00, 0x04, /*   ApiKey 18, MinVersion 0, MaxVersion 4 */
};

static void check_av_frame(int16_t v, const uint8_t *want, size_t n)
{
    static struct api_versions_api_key keys[] = {{18, 0, 4}};
    struct api_versions_response m;
    api_versions_response_init(&m);
    m.api_key_count = 1;
    m.api_keys = keys;
    struct wire_writer w;
    wire_writer_init(&w);
    size_t mark = kheader_frame_begin(&w);
    struct kheader_response h = {7};
    int hv = kheader_response_version(KAFKA_API_API_VERSIONS, v);
    ck_assert_int_eq(kheader_response_encode(&w, &h, hv), 0);
    ck_assert_int_eq(api_versions_response_encode(&w, &m, v), 0);
    kheader_frame_end(&w, mark);
    ck_assert_uint_eq(w.len, n);
    ck_assert_mem_eq(w.bytes, want, n);
    struct wire_arena a;
    wire_arena_init(&a);
    struct kheader_response back;
    struct wire_reader body;
    ck_assert_int_eq(kheader_response_decode_frame(want, n, KAFKA_API_API_VERSIONS, v, &back,
                                                   &body), 0);
    ck_assert_int_eq(back.correlation_id, 7);
    struct api_versions_response out;
    ck_assert_int_eq(api_versions_response_decode(&body, v, &a, &out), 0);
    ck_assert_int_eq(out.api_key_count, 1);
    ck_assert_int_eq(out.api_keys[0].max_version, 4);
    ck_assert(out.finalized_features_epoch == -1);
    wire_arena_free(&a);
    wire_writer_free(&w);
}

START_TEST(api_versions_response_always_travels_under_header_v0)
{
    check_av_frame(3, av_v3_frame, sizeof av_v3_frame);
    check_av_frame(0, av_v0_frame, sizeof av_v0_frame);
    int32_t corr = 0;
    ck_assert_int_eq(kheader_response_peek(av_v3_frame, sizeof av_v3_frame, &corr), 0);
    ck_assert_int_eq(corr, 7);
}
END_TEST

START_TEST(frame_split_reports_truncation_and_negative_sizes)
{
    size_t frame_len = 0;
    struct wire_reader payload;
    ck_assert_int_eq(kheader_frame_split(av_v0_frame, sizeof av_v0_frame, &frame_len, &payload),
                     0);
    ck_assert_uint_eq(frame_len, 20);
    ck_assert_uint_eq(payload.len, 16);
    for (size_t n = 0; n < sizeof av_v0_frame; n++) {
        ck_assert_int_eq(kheader_frame_split(av_v0_frame, n, &frame_len, &payload),
                         -WIRE_ETRUNCATED);
    }
    const uint8_t negative[] = {0xff, 0xff, 0xff, 0xfe, 0, 0};
    ck_assert_int_eq(kheader_frame_split(negative, sizeof negative, NULL, NULL),
                     -WIRE_EMALFORMED);
    /* Every strict prefix of a valid request frame fails to decode. */
    struct wire_arena pa;
    wire_arena_init(&pa);
    for (size_t n = 0; n < sizeof vote_frame; n++) {
        uint8_t *copy = malloc(n > 0 ? n : 1);
        memcpy(copy, vote_frame, n);
        struct kheader_request ph;
        ck_assert_int_eq(kheader_request_decode_frame(copy, n, &pa, &ph, &payload),
                         -WIRE_ETRUNCATED);
        free(copy);
    }
    wire_arena_free(&pa);
    /* A frame naming an API we do not know cannot have its header version chosen. */
    const uint8_t unknown[] = {0, 0, 0, 8, 0x03, 0xe7, 0, 0, 0, 0, 0, 1};
    struct wire_arena a;
    wire_arena_init(&a);
    struct kheader_request h;
    ck_assert_int_eq(kheader_request_decode_frame(unknown, sizeof unknown, &a, &h, &payload),
                     -WIRE_EUNKNOWN_API);
    wire_arena_free(&a);
}
END_TEST

/* ---- ApiVersions (ApiVersionsRequest.json / ApiVersionsResponse.json) --------------------- */

START_TEST(api_versions_request_v3_and_v5_hand_vectors)
{
    const uint8_t v3[] = {
        0x09, 'k', 'r', 'a', 'f', 't', 's', 'i', 'm', /* ClientSoftwareName (compact) */
        0x06, '0', '.', '1', '.', '0',                /* ClientSoftwareVersion */
        0x00,                                         /* tagged fields */
    };
    const uint8_t v5[] = {
        0x09, 'k', 'r', 'a', 'f', 't', 's', 'i', 'm', /* ClientSoftwareName */
        0x06, '0', '.', '1', '.', '0',                /* ClientSoftwareVersion */
        0x00,                                         /* ClusterId null (KIP-1242, v5+) */
        0xff, 0xff, 0xff, 0xff,                       /* NodeId -1 */
        0x00,                                         /* tagged fields */
    };
    struct api_versions_request m, out;
    api_versions_request_init(&m);
    m.client_software_name = "kraftsim";
    m.client_software_version = "0.1.0";
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_av_req, dec_av_req, &m, 3, v3, sizeof v3, &a, &out);
    ck_assert_str_eq(out.client_software_version, "0.1.0");
    ck_assert_int_eq(out.node_id, -1);
    check_vector(enc_av_req, dec_av_req, &m, 5, v5, sizeof v5, &a, &out);
    ck_assert_ptr_null(out.cluster_id);
    /* v0-2 bodies are empty. */
    check_vector(enc_av_req, dec_av_req, &m, 2, NULL, 0, &a, &out);
    wire_arena_free(&a);
}
END_TEST

START_TEST(api_versions_response_v3_feature_tags_hand_vector)
{
    const uint8_t want[] = {
        0x00, 0x00,             /* ErrorCode */
        0x01,                   /* ApiKeys: empty */
        0x00, 0x00, 0x00, 0x00, /* ThrottleTimeMs */
        0x02,                   /* 2 tagged fields */
        0x00, 0x14,             /* tag 0 SupportedFeatures, 20 bytes */
        0x02,                   /*   1 element */
        0x0e, 'k', 'r', 'a', 'f', 't', '.', 'v', 'e', 'r', 's', 'i', 'o', 'n',
        0x00, 0x00, 0x00, 0x01, /*   MinVersion 0, MaxVersion 1 */
        0x00,                   /*   element tagged fields */
        0x01, 0x08,             /* tag 1 FinalizedFeaturesEpoch, 8 bytes */
        I64(5),
    };
    static struct api_versions_supported_feature sup[] = {{"kraft.version", 0, 1}};
    struct api_versions_response m, out;
    api_versions_response_init(&m);
    m.supported_feature_count = 1;
    m.supported_features = sup;
    m.finalized_features_epoch = 5;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_av_resp, dec_av_resp, &m, 3, want, sizeof want, &a, &out);
    ck_assert_int_eq(out.supported_feature_count, 1);
    ck_assert_str_eq(out.supported_features[0].name, "kraft.version");
    ck_assert(out.finalized_features_epoch == 5);
    ck_assert_int_eq(out.finalized_feature_count, 0);
    ck_assert(!out.zk_migration_ready);
    wire_arena_free(&a);
}
END_TEST

/* ---- Vote (VoteRequest.json / VoteResponse.json, flexible from v0) ------------------------ */

/* Vote v2: a PreVote from replica 1 (epoch 5) to voter 2, log ending at epoch 4 offset 100. */
static const uint8_t vote_v2_request[] = {
    0x00,                   /* ClusterId: null */
    0x00, 0x00, 0x00, 0x02, /* VoterId 2 (v1+) */
    0x02,                   /* Topics: 1 */
    0x13, META_BYTES,       /*   TopicName, 18 bytes */
    0x02,                   /*   Partitions: 1 */
    0x00, 0x00, 0x00, 0x00, /*     PartitionIndex 0 */
    0x00, 0x00, 0x00, 0x05, /*     ReplicaEpoch 5 */
    0x00, 0x00, 0x00, 0x01, /*     ReplicaId 1 */
    UUID_0_N(2),            /*     ReplicaDirectoryId (v1+) */
    UUID_0_N(3),            /*     VoterDirectoryId (v1+) */
    0x00, 0x00, 0x00, 0x04, /*     LastOffsetEpoch 4 */
    I64(100),               /*     LastOffset 100 */
    0x01,                   /*     PreVote true (v2+) */
    0x00,                   /*     partition tagged fields */
    0x00,                   /*   topic tagged fields */
    0x00,                   /* request tagged fields */
};

START_TEST(vote_v2_request_hand_vector)
{
    struct vote_request_partition part = {0, 5, 1, {0, 2}, {0, 3}, 4, 100, true};
    struct vote_request_topic topic = {META_TOPIC, 1, &part};
    struct vote_request m, out;
    vote_request_init(&m);
    m.voter_id = 2;
    m.topic_count = 1;
    m.topics = &topic;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_vote_req, dec_vote_req, &m, 2, vote_v2_request, sizeof vote_v2_request, &a,
                 &out);
    ck_assert_ptr_null(out.cluster_id);
    ck_assert_int_eq(out.voter_id, 2);
    ck_assert_str_eq(out.topics[0].topic_name, META_TOPIC);
    const struct vote_request_partition *p = &out.topics[0].partitions[0];
    ck_assert_int_eq(p->replica_epoch, 5);
    ck_assert_int_eq(p->replica_id, 1);
    ck_assert(wire_uuid_equal(p->voter_directory_id, (struct kuuid){0, 3}));
    ck_assert(p->last_offset == 100);
    ck_assert(p->pre_vote);
    wire_arena_free(&a);
}
END_TEST

START_TEST(vote_v0_omits_voter_key_directory_ids_and_pre_vote)
{
    /* Same message at v0: the v1+/v2+ fields vanish from the wire and decode to defaults. */
    const uint8_t want[] = {
        0x00, 0x02, 0x13, META_BYTES, 0x02,   /* ClusterId null, Topics 1, name, Partitions 1 */
        0x00, 0x00, 0x00, 0x00,               /* PartitionIndex */
        0x00, 0x00, 0x00, 0x05,               /* CandidateEpoch 5 */
        0x00, 0x00, 0x00, 0x01,               /* CandidateId 1 */
        0x00, 0x00, 0x00, 0x04, I64(100),     /* LastOffsetEpoch, LastOffset */
        0x00, 0x00, 0x00,                     /* partition, topic, request tags */
    };
    struct vote_request_partition part = {0, 5, 1, {0, 2}, {0, 3}, 4, 100, true};
    struct vote_request_topic topic = {META_TOPIC, 1, &part};
    struct vote_request m, out;
    vote_request_init(&m);
    m.voter_id = 2;
    m.topic_count = 1;
    m.topics = &topic;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_vote_req, dec_vote_req, &m, 0, want, sizeof want, &a, &out);
    ck_assert_int_eq(out.voter_id, -1);
    ck_assert(wire_uuid_equal(out.topics[0].partitions[0].voter_directory_id, KUUID_ZERO));
    ck_assert(!out.topics[0].partitions[0].pre_vote);
    wire_arena_free(&a);
}
END_TEST

/* Vote v1 response granting the vote, with the leader's endpoint in tag 0. */
static const uint8_t vote_v1_response[] = {
    0x00, 0x00,             /* ErrorCode 0 */
    0x02, 0x13, META_BYTES, /* Topics: 1, TopicName */
    0x02,                   /*   Partitions: 1 */
    0x00, 0x00, 0x00, 0x00, /*     PartitionIndex 0 */
    0x00, 0x00,             /*     ErrorCode 0 */
    0x00, 0x00, 0x00, 0x01, /*     LeaderId 1 */
    0x00, 0x00, 0x00, 0x05, /*     LeaderEpoch 5 */
    0x01,                   /*     VoteGranted true */
    0x00,                   /*     partition tagged fields */
    0x00,                   /*   topic tagged fields */
    0x01,                   /* 1 tagged field */
    0x00, 0x0b,             /*   tag 0 NodeEndpoints, 11 bytes */
    0x02,                   /*   1 endpoint */
    0x00, 0x00, 0x00, 0x01, /*     NodeId 1 */
    0x03, 'c', '1',         /*     Host "c1" */
    0x23, 0x85,             /*     Port 9093 (uint16) */
    0x00,                   /*     endpoint tagged fields */
};

START_TEST(vote_v1_response_hand_vector_and_unknown_tags_are_skipped)
{
    struct kraft_node_endpoint ep = {1, "c1", 9093};
    struct vote_response_partition part = {0, 0, 1, 5, true};
    struct vote_response_topic topic = {META_TOPIC, 1, &part};
    struct vote_response m = {0, 1, &topic, 1, &ep}, out;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_vote_resp, dec_vote_resp, &m, 1, vote_v1_response, sizeof vote_v1_response,
                 &a, &out);
    ck_assert_int_eq(out.node_endpoint_count, 1);
    ck_assert_str_eq(out.node_endpoints[0].host, "c1");
    ck_assert_uint_eq(out.node_endpoints[0].port, 9093);
    ck_assert(out.topics[0].partitions[0].vote_granted);
    /* Splice an unknown tag 7 (2 bytes) into the partition's tag section: it is skipped. */
    uint8_t spliced[sizeof vote_v1_response + 4];
    size_t at = 2 + 1 + 19 + 1 + 4 + 2 + 4 + 4 + 1; /* offset of the partition tag count */
    memcpy(spliced, vote_v1_response, at);
    const uint8_t unknown[] = {0x01, 0x07, 0x02, 0xaa, 0xbb};
    memcpy(spliced + at, unknown, sizeof unknown);
    memcpy(spliced + at + sizeof unknown, vote_v1_response + at + 1,
           sizeof vote_v1_response - at - 1);
    struct wire_reader r;
    wire_reader_init(&r, spliced, sizeof spliced);
    ck_assert_int_eq(vote_response_decode(&r, 1, &a, &out), 0);
    ck_assert_uint_eq(r.pos, sizeof spliced);
    ck_assert_int_eq(out.topics[0].partitions[0].leader_epoch, 5);
    ck_assert_int_eq(out.node_endpoints[0].node_id, 1);
    /* At v0 tag 0 is not NodeEndpoints yet, so it is an unknown tag and skipped. */
    wire_reader_init(&r, vote_v1_response, sizeof vote_v1_response);
    ck_assert_int_eq(vote_response_decode(&r, 0, &a, &out), 0);
    ck_assert_int_eq(out.node_endpoint_count, 0);
    wire_arena_free(&a);
}
END_TEST

/* ---- BeginQuorumEpoch (classic at v0, flexible at v1) ------------------------------------ */

START_TEST(begin_quorum_epoch_request_v0_classic_and_v1_flexible_hand_vectors)
{
    const uint8_t v0[] = {
        0x00, 0x03, 'a', 'b', 'c', /* ClusterId "abc": int16 length */
        0x00, 0x00, 0x00, 0x01,    /* Topics: int32 count 1 */
        0x00, 0x12, META_BYTES,    /*   TopicName: int16 length 18 */
        0x00, 0x00, 0x00, 0x01,    /*   Partitions: 1 */
        0x00, 0x00, 0x00, 0x00,    /*     PartitionIndex 0 */
        0x00, 0x00, 0x00, 0x01,    /*     LeaderId 1 */
        0x00, 0x00, 0x00, 0x07,    /*     LeaderEpoch 7 (and no tag sections anywhere) */
    };
    const uint8_t v1[] = {
        0x04, 'a', 'b', 'c',       /* ClusterId "abc": compact */
        0x00, 0x00, 0x00, 0x02,    /* VoterId 2 */
        0x02, 0x13, META_BYTES,    /* Topics: 1, TopicName */
        0x02,                      /*   Partitions: 1 */
        0x00, 0x00, 0x00, 0x00,    /*     PartitionIndex 0 */
        UUID_0_N(3),               /*     VoterDirectoryId */
        0x00, 0x00, 0x00, 0x01,    /*     LeaderId 1 */
        0x00, 0x00, 0x00, 0x07,    /*     LeaderEpoch 7 */
        0x00, 0x00,                /*     partition and topic tagged fields */
        0x02,                      /* LeaderEndpoints: 1 (a regular field, not tagged) */
        0x0b, 'C', 'O', 'N', 'T', 'R', 'O', 'L', 'L', 'E', 'R', /* Name */
        0x03, 'c', '1',            /*   Host */
        0x23, 0x85,                /*   Port 9093 */
        0x00,                      /*   endpoint tagged fields */
        0x00,                      /* request tagged fields */
    };
    struct kraft_listener ep = {"CONTROLLER", "c1", 9093};
    struct begin_quorum_epoch_request_partition part = {0, {0, 3}, 1, 7};
    struct begin_quorum_epoch_request_topic topic = {META_TOPIC, 1, &part};
    struct begin_quorum_epoch_request m, out;
    begin_quorum_epoch_request_init(&m);
    m.cluster_id = "abc";
    m.voter_id = 2;
    m.topic_count = 1;
    m.topics = &topic;
    m.leader_endpoint_count = 1;
    m.leader_endpoints = &ep;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_begin_req, dec_begin_req, &m, 0, v0, sizeof v0, &a, &out);
    ck_assert_int_eq(out.voter_id, -1);
    ck_assert_int_eq(out.leader_endpoint_count, 0);
    check_vector(enc_begin_req, dec_begin_req, &m, 1, v1, sizeof v1, &a, &out);
    ck_assert_str_eq(out.leader_endpoints[0].name, "CONTROLLER");
    ck_assert(wire_uuid_equal(out.topics[0].partitions[0].voter_directory_id,
                              (struct kuuid){0, 3}));
    wire_arena_free(&a);
}
END_TEST

START_TEST(begin_and_end_quorum_epoch_response_v0_hand_vector)
{
    const uint8_t v0[] = {
        0x00, 0x00,                         /* ErrorCode */
        0x00, 0x00, 0x00, 0x01,             /* Topics: 1 */
        0x00, 0x12, META_BYTES,             /*   TopicName */
        0x00, 0x00, 0x00, 0x01,             /*   Partitions: 1 */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x4a, /*     PartitionIndex 0, ErrorCode 74 */
        0x00, 0x00, 0x00, 0x01,             /*     LeaderId 1 */
        0x00, 0x00, 0x00, 0x08,             /*     LeaderEpoch 8 */
    };
    struct kraft_node_endpoint ep = {1, "c1", 9093};
    struct quorum_epoch_response_partition part = {0, KAFKA_FENCED_LEADER_EPOCH, 1, 8};
    struct quorum_epoch_response_topic topic = {META_TOPIC, 1, &part};
    struct quorum_epoch_response m = {0, 1, &topic, 1, &ep}, out;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_begin_resp, dec_begin_resp, &m, 0, v0, sizeof v0, &a, &out);
    check_vector(enc_end_resp, dec_end_resp, &m, 0, v0, sizeof v0, &a, &out);
    ck_assert_int_eq(out.topics[0].partitions[0].error_code, 74);
    ck_assert_int_eq(out.node_endpoint_count, 0);
    wire_arena_free(&a);
}
END_TEST

/* ---- EndQuorumEpoch (v0 PreferredSuccessors, v1 PreferredCandidates) --------------------- */

START_TEST(end_quorum_epoch_request_v0_successors_v1_candidates_hand_vectors)
{
    const uint8_t v0[] = {
        0xff, 0xff,                         /* ClusterId null (int16 -1) */
        0x00, 0x00, 0x00, 0x01,             /* Topics: 1 */
        0x00, 0x12, META_BYTES,             /*   TopicName */
        0x00, 0x00, 0x00, 0x01,             /*   Partitions: 1 */
        0x00, 0x00, 0x00, 0x00,             /*     PartitionIndex 0 */
        0x00, 0x00, 0x00, 0x01,             /*     LeaderId 1 */
        0x00, 0x00, 0x00, 0x07,             /*     LeaderEpoch 7 */
        0x00, 0x00, 0x00, 0x02,             /*     PreferredSuccessors: 2 (v0 only) */
        0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03,
    };
    const uint8_t v1[] = {
        0x00,                               /* ClusterId null (compact) */
        0x02, 0x13, META_BYTES, 0x02,       /* Topics 1, TopicName, Partitions 1 */
        0x00, 0x00, 0x00, 0x00,             /*     PartitionIndex 0 */
        0x00, 0x00, 0x00, 0x01,             /*     LeaderId 1 */
        0x00, 0x00, 0x00, 0x07,             /*     LeaderEpoch 7 */
        0x03,                               /*     PreferredCandidates: 2 */
        0x00, 0x00, 0x00, 0x02, UUID_0_N(2), 0x00, /* CandidateId 2, dir, tags */
        0x00, 0x00, 0x00, 0x03, UUID_0_N(3), 0x00, /* CandidateId 3, dir, tags */
        0x00, 0x00,                         /*     partition and topic tagged fields */
        0x01,                               /* LeaderEndpoints: empty */
        0x00,                               /* request tagged fields */
    };
    int32_t successors[] = {2, 3};
    struct end_quorum_epoch_candidate candidates[] = {{2, {0, 2}}, {3, {0, 3}}};
    struct end_quorum_epoch_request_partition part = {0, 1, 7, 2, successors, 2, candidates};
    struct end_quorum_epoch_request_topic topic = {META_TOPIC, 1, &part};
    struct end_quorum_epoch_request m, out;
    end_quorum_epoch_request_init(&m);
    m.topic_count = 1;
    m.topics = &topic;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_end_req, dec_end_req, &m, 0, v0, sizeof v0, &a, &out);
    ck_assert_int_eq(out.topics[0].partitions[0].preferred_successor_count, 2);
    ck_assert_int_eq(out.topics[0].partitions[0].preferred_successors[1], 3);
    ck_assert_int_eq(out.topics[0].partitions[0].preferred_candidate_count, 0);
    check_vector(enc_end_req, dec_end_req, &m, 1, v1, sizeof v1, &a, &out);
    ck_assert_int_eq(out.topics[0].partitions[0].preferred_successor_count, 0);
    ck_assert_int_eq(out.topics[0].partitions[0].preferred_candidates[1].candidate_id, 3);
    wire_arena_free(&a);
}
END_TEST

/* ---- DescribeQuorum (flexible from v0) ---------------------------------------------------- */

START_TEST(describe_quorum_request_v0_and_response_v1_hand_vectors)
{
    const uint8_t req[] = {
        0x02, 0x13, META_BYTES, /* Topics: 1, TopicName */
        0x02,                   /*   Partitions: 1 */
        0x00, 0x00, 0x00, 0x00, /*     PartitionIndex 0 */
        0x00, 0x00, 0x00,       /*     partition, topic and request tagged fields */
    };
    const uint8_t resp[] = {
        0x00, 0x00,             /* ErrorCode */
        0x02, 0x13, META_BYTES, /* Topics: 1, TopicName */
        0x02,                   /*   Partitions: 1 */
        0x00, 0x00, 0x00, 0x00, /*     PartitionIndex 0 */
        0x00, 0x00,             /*     ErrorCode 0 (no ErrorMessage before v2) */
        0x00, 0x00, 0x00, 0x01, /*     LeaderId 1 */
        0x00, 0x00, 0x00, 0x03, /*     LeaderEpoch 3 */
        I64(10),                /*     HighWatermark 10 */
        0x02,                   /*     CurrentVoters: 1 */
        0x00, 0x00, 0x00, 0x01, /*       ReplicaId 1 (no ReplicaDirectoryId before v2) */
        I64(10),                /*       LogEndOffset 10 */
        I64(100),               /*       LastFetchTimestamp 100 (v1+) */
        I64(100),               /*       LastCaughtUpTimestamp 100 (v1+) */
        0x00,                   /*       replica tagged fields */
        0x01,                   /*     Observers: empty */
        0x00, 0x00,             /*     partition and topic tagged fields */
        0x00,                   /* response tagged fields (no Nodes before v2) */
    };
    int32_t index = 0;
    struct describe_quorum_request_topic rt = {META_TOPIC, 1, &index};
    struct describe_quorum_request rm = {1, &rt}, rout;
    struct describe_quorum_replica_state voter = {1, {0, 1}, 10, 100, 100};
    struct describe_quorum_response_partition part = {0, 0, "ignored below v2", 1, 3, 10,
                                                      1, &voter, 0, NULL};
    struct describe_quorum_response_topic topic = {META_TOPIC, 1, &part};
    struct describe_quorum_response m = {0, NULL, 1, &topic, 0, NULL}, out;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_dq_req, dec_dq_req, &rm, 0, req, sizeof req, &a, &rout);
    ck_assert_int_eq(rout.topics[0].partition_indexes[0], 0);
    check_vector(enc_dq_resp, dec_dq_resp, &m, 1, resp, sizeof resp, &a, &out);
    ck_assert_ptr_null(out.topics[0].partitions[0].error_message);
    ck_assert(out.topics[0].partitions[0].current_voters[0].last_caught_up_timestamp == 100);
    /* v0 lacks the timestamps: decoding v0 bytes leaves them at their default, -1. */
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(describe_quorum_response_encode(&w, &m, 0), 0);
    ck_assert_uint_eq(w.len, sizeof resp - 16);
    struct wire_reader r;
    wire_reader_init(&r, w.bytes, w.len);
    ck_assert_int_eq(describe_quorum_response_decode(&r, 0, &a, &out), 0);
    ck_assert(out.topics[0].partitions[0].current_voters[0].last_fetch_timestamp == -1);
    ck_assert(out.topics[0].partitions[0].current_voters[0].log_end_offset == 10);
    wire_writer_free(&w);
    wire_arena_free(&a);
}
END_TEST

/* ---- FetchSnapshot (flexible from v0) ----------------------------------------------------- */

START_TEST(fetch_snapshot_request_v1_hand_vector_with_cluster_id_and_directory_tags)
{
    const uint8_t want[] = {
        0x00, 0x00, 0x00, 0x02, /* ReplicaId 2 */
        0x7f, 0xff, 0xff, 0xff, /* MaxBytes 0x7fffffff */
        0x02, 0x13, META_BYTES, /* Topics: 1, Name */
        0x02,                   /*   Partitions: 1 */
        0x00, 0x00, 0x00, 0x00, /*     Partition 0 */
        0x00, 0x00, 0x00, 0x07, /*     CurrentLeaderEpoch 7 */
        I64(100),               /*     SnapshotId.EndOffset 100 */
        0x00, 0x00, 0x00, 0x05, /*     SnapshotId.Epoch 5 */
        0x00,                   /*     SnapshotId tagged fields (a nested struct has its own) */
        I64(0),                 /*     Position 0 */
        0x01, 0x00, 0x10,       /*     1 tag: tag 0 ReplicaDirectoryId, 16 bytes */
        UUID_0_N(2),
        0x00,                   /*   topic tagged fields */
        0x01, 0x00, 0x04,       /* 1 tag: tag 0 ClusterId, 4 bytes */
        0x04, 'a', 'b', 'c',
    };
    struct fetch_snapshot_request_partition part = {0, 7, {100, 5}, 0, {0, 2}};
    struct fetch_snapshot_request_topic topic = {META_TOPIC, 1, &part};
    struct fetch_snapshot_request m, out;
    fetch_snapshot_request_init(&m);
    m.cluster_id = "abc";
    m.replica_id = 2;
    m.topic_count = 1;
    m.topics = &topic;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_fs_req, dec_fs_req, &m, 1, want, sizeof want, &a, &out);
    ck_assert_str_eq(out.cluster_id, "abc");
    ck_assert_int_eq(out.max_bytes, INT32_MAX);
    ck_assert(wire_uuid_equal(out.topics[0].partitions[0].replica_directory_id,
                              (struct kuuid){0, 2}));
    /* v0 drops the directory id tag: its tag, size and uuid go, the count byte stays. */
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(fetch_snapshot_request_encode(&w, &m, 0), 0);
    ck_assert_uint_eq(w.len, sizeof want - 18);
    wire_writer_free(&w);
    wire_arena_free(&a);
}
END_TEST

START_TEST(fetch_snapshot_response_v0_hand_vector_with_current_leader_tag)
{
    const uint8_t want[] = {
        0x00, 0x00, 0x00, 0x00, /* ThrottleTimeMs */
        0x00, 0x00,             /* ErrorCode */
        0x02, 0x13, META_BYTES, /* Topics: 1, Name */
        0x02,                   /*   Partitions: 1 */
        0x00, 0x00, 0x00, 0x00, /*     Index 0 */
        0x00, 0x00,             /*     ErrorCode 0 */
        I64(100),               /*     SnapshotId.EndOffset */
        0x00, 0x00, 0x00, 0x05, /*     SnapshotId.Epoch */
        0x00,                   /*     SnapshotId tagged fields */
        0, 0, 0, 0, 0, 0, 0x01, 0x2c, /* Size 300 */
        I64(0),                 /*     Position 0 */
        0x04, 0x01, 0x02, 0x03, /*     UnalignedRecords: compact bytes, 3 */
        0x01, 0x00, 0x09,       /*     1 tag: tag 0 CurrentLeader, 9 bytes */
        0x00, 0x00, 0x00, 0x01, /*       LeaderId 1 */
        0x00, 0x00, 0x00, 0x07, /*       LeaderEpoch 7 */
        0x00,                   /*       CurrentLeader tagged fields */
        0x00,                   /*   topic tagged fields */
        0x00,                   /* response tagged fields (NodeEndpoints only from v1) */
    };
    static const uint8_t recs[] = {1, 2, 3};
    struct fetch_snapshot_response_partition part = {0, 0, {100, 5}, {1, 7}, 300, 0, {recs, 3}};
    struct fetch_snapshot_response_topic topic = {META_TOPIC, 1, &part};
    struct kraft_node_endpoint ep = {1, "c1", 9093};
    struct fetch_snapshot_response m = {0, 0, 1, &topic, 1, &ep}, out;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_fs_resp, dec_fs_resp, &m, 0, want, sizeof want, &a, &out);
    const struct fetch_snapshot_response_partition *p = &out.topics[0].partitions[0];
    ck_assert_int_eq(p->current_leader.leader_epoch, 7);
    ck_assert_int_eq(p->unaligned_records.len, 3);
    ck_assert_mem_eq(p->unaligned_records.ptr, recs, 3);
    ck_assert_int_eq(out.node_endpoint_count, 0);
    wire_arena_free(&a);
}
END_TEST

/* ---- Fetch (FetchRequest.json / FetchResponse.json, v12-18) ------------------------------- */

/* What a KRaft voter (node 2) sends at v17: ClusterId and ReplicaState go to the top-level tag
 * section, the topic is named by TopicId Uuid(0, 1), the directory id is partition tag 0. */
static const uint8_t fetch_v17_request[] = {
    0x00, 0x00, 0x01, 0xf4, /* MaxWaitMs 500 (ReplicaId field is gone from v15) */
    0x00, 0x00, 0x00, 0x00, /* MinBytes 0 */
    0x00, 0x80, 0x00, 0x00, /* MaxBytes 8 MiB */
    0x00,                   /* IsolationLevel 0 */
    0x00, 0x00, 0x00, 0x00, /* SessionId 0 */
    0xff, 0xff, 0xff, 0xff, /* SessionEpoch -1 */
    0x02,                   /* Topics: 1 */
    UUID_0_N(1),            /*   TopicId "AAAAAAAAAAAAAAAAAAAAAQ" */
    0x02,                   /*   Partitions: 1 */
    0x00, 0x00, 0x00, 0x00, /*     Partition 0 */
    0x00, 0x00, 0x00, 0x05, /*     CurrentLeaderEpoch 5 */
    I64(10),                /*     FetchOffset 10 */
    0x00, 0x00, 0x00, 0x04, /*     LastFetchedEpoch 4 */
    I64_MINUS_1,            /*     LogStartOffset -1 */
    0x00, 0x00, 0x00, 0x00, /*     PartitionMaxBytes 0 */
    0x01, 0x00, 0x10,       /*     1 tag: tag 0 ReplicaDirectoryId, 16 bytes */
    UUID_0_N(7),
    0x00,                   /*   topic tagged fields */
    0x01,                   /* ForgottenTopicsData: empty */
    0x01,                   /* RackId "" */
    0x02,                   /* 2 tags */
    0x00, 0x04, 0x04, 'a', 'b', 'c', /* tag 0 ClusterId "abc" */
    0x01, 0x0d,             /* tag 1 ReplicaState, 13 bytes */
    0x00, 0x00, 0x00, 0x02, /*   ReplicaId 2 */
    I64_MINUS_1,            /*   ReplicaEpoch -1 */
    0x00,                   /*   ReplicaState tagged fields */
};

static void kraft_fetch_request(struct fetch_request *m, struct fetch_request_topic *topic,
                                struct fetch_request_partition *part)
{
    fetch_request_partition_init(part);
    part->current_leader_epoch = 5;
    part->fetch_offset = 10;
    part->last_fetched_epoch = 4;
    part->replica_directory_id = (struct kuuid){0, 7};
    *topic = (struct fetch_request_topic){META_TOPIC, {0, 1}, 1, part};
    fetch_request_init(m);
    m->cluster_id = "abc";
    m->replica_id = 2;
    m->max_wait_ms = 500;
    m->max_bytes = 8 << 20;
    m->topic_count = 1;
    m->topics = topic;
}

START_TEST(fetch_v17_request_hand_vector_as_a_kraft_voter_sends_it)
{
    struct fetch_request_partition part;
    struct fetch_request_topic topic;
    struct fetch_request m, out;
    kraft_fetch_request(&m, &topic, &part);
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_fetch_req, dec_fetch_req, &m, 17, fetch_v17_request,
                 sizeof fetch_v17_request, &a, &out);
    ck_assert_str_eq(out.cluster_id, "abc");
    ck_assert_int_eq(out.replica_id, 2);
    ck_assert(out.replica_epoch == -1);
    ck_assert(wire_uuid_equal(out.topics[0].topic_id, (struct kuuid){0, 1}));
    ck_assert_ptr_null(out.topics[0].topic);
    ck_assert(out.topics[0].partitions[0].high_watermark == INT64_MAX);
    ck_assert_str_eq(out.rack_id, "");
    /* v16 drops the directory tag: its tag, size and uuid (18 bytes) go. */
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(fetch_request_encode(&w, &m, 16), 0);
    ck_assert_uint_eq(w.len, sizeof fetch_v17_request - 18);
    wire_writer_free(&w);
    wire_arena_free(&a);
}
END_TEST

START_TEST(fetch_v18_request_adds_the_high_watermark_tag)
{
    struct fetch_request_partition part;
    struct fetch_request_topic topic;
    struct fetch_request m, out;
    kraft_fetch_request(&m, &topic, &part);
    part.high_watermark = 9;
    /* v17 bytes with the partition tag section grown by tag 1 (HighWatermark, 8 bytes). */
    uint8_t want[sizeof fetch_v17_request + 10];
    size_t at = 4 + 4 + 4 + 1 + 4 + 4 + 1 + 16 + 1 + 4 + 4 + 8 + 4 + 8 + 4; /* tag count */
    ck_assert_uint_eq(fetch_v17_request[at], 0x01);
    memcpy(want, fetch_v17_request, sizeof fetch_v17_request);
    want[at] = 0x02;
    size_t after_dir = at + 1 + 2 + 16;
    const uint8_t hw_tag[] = {0x01, 0x08, I64(9)};
    memcpy(want + after_dir, hw_tag, sizeof hw_tag);
    memcpy(want + after_dir + sizeof hw_tag, fetch_v17_request + after_dir,
           sizeof fetch_v17_request - after_dir);
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_fetch_req, dec_fetch_req, &m, 18, want, sizeof want, &a, &out);
    ck_assert(out.topics[0].partitions[0].high_watermark == 9);
    /* Decoding the same bytes as v17 ignores tag 1: HighWatermark keeps its default. */
    struct wire_reader r;
    wire_reader_init(&r, want, sizeof want);
    ck_assert_int_eq(fetch_request_decode(&r, 17, &a, &out), 0);
    ck_assert(out.topics[0].partitions[0].high_watermark == INT64_MAX);
    wire_arena_free(&a);
}
END_TEST

START_TEST(fetch_v12_request_uses_the_topic_name_and_the_replica_id_field)
{
    const uint8_t want[] = {
        0x00, 0x00, 0x00, 0x02, /* ReplicaId 2 (v0-14) */
        0x00, 0x00, 0x01, 0xf4, /* MaxWaitMs 500 */
        0x00, 0x00, 0x00, 0x00, /* MinBytes */
        0x00, 0x80, 0x00, 0x00, /* MaxBytes */
        0x00,                   /* IsolationLevel */
        0x00, 0x00, 0x00, 0x00, /* SessionId */
        0xff, 0xff, 0xff, 0xff, /* SessionEpoch */
        0x02, 0x13, META_BYTES, /* Topics: 1, Topic name (v0-12) */
        0x02,                   /*   Partitions: 1 */
        0x00, 0x00, 0x00, 0x00, /*     Partition */
        0x00, 0x00, 0x00, 0x05, /*     CurrentLeaderEpoch */
        I64(10),                /*     FetchOffset */
        0x00, 0x00, 0x00, 0x04, /*     LastFetchedEpoch */
        I64_MINUS_1,            /*     LogStartOffset */
        0x00, 0x00, 0x00, 0x00, /*     PartitionMaxBytes */
        0x00,                   /*     no tags: ReplicaDirectoryId is v17+ */
        0x00,                   /*   topic tagged fields */
        0x01, 0x01,             /* ForgottenTopicsData empty, RackId "" */
        0x01, 0x00, 0x04, 0x04, 'a', 'b', 'c', /* 1 tag: ClusterId (no ReplicaState < v15) */
    };
    struct fetch_request_partition part;
    struct fetch_request_topic topic;
    struct fetch_request m, out;
    kraft_fetch_request(&m, &topic, &part);
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_fetch_req, dec_fetch_req, &m, 12, want, sizeof want, &a, &out);
    ck_assert_str_eq(out.topics[0].topic, META_TOPIC);
    ck_assert(wire_uuid_equal(out.topics[0].topic_id, KUUID_ZERO));
    ck_assert_int_eq(out.replica_id, 2);
    ck_assert_int_eq(fetch_request_encode(&(struct wire_writer){0}, &m, 11), -WIRE_EVERSION);
    wire_arena_free(&a);
}
END_TEST

START_TEST(fetch_v16_response_hand_vector_with_current_leader_and_node_endpoints)
{
    const uint8_t want[] = {
        0x00, 0x00, 0x00, 0x00, /* ThrottleTimeMs */
        0x00, 0x00,             /* ErrorCode */
        0x00, 0x00, 0x00, 0x00, /* SessionId */
        0x02, UUID_0_N(1),      /* Responses: 1, TopicId */
        0x02,                   /*   Partitions: 1 */
        0x00, 0x00, 0x00, 0x00, /*     PartitionIndex 0 */
        0x00, 0x00,             /*     ErrorCode 0 */
        I64(10),                /*     HighWatermark 10 */
        I64_MINUS_1,            /*     LastStableOffset -1 */
        I64(0),                 /*     LogStartOffset 0 */
        0x00,                   /*     AbortedTransactions null */
        0xff, 0xff, 0xff, 0xff, /*     PreferredReadReplica -1 */
        0x00,                   /*     Records null */
        0x01, 0x01, 0x09,       /*     1 tag: tag 1 CurrentLeader, 9 bytes */
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x00, /* LeaderId 1, LeaderEpoch 5 */
        0x00,                   /*   topic tagged fields */
        0x01, 0x00, 0x0e,       /* 1 tag: tag 0 NodeEndpoints, 14 bytes */
        0x02,                   /*   1 endpoint */
        0x00, 0x00, 0x00, 0x01, /*     NodeId 1 */
        0x03, 'c', '1',         /*     Host */
        0x00, 0x00, 0x23, 0x85, /*     Port 9093: int32 here, unlike the KRaft RPCs */
        0x00,                   /*     Rack null */
        0x00,                   /*     endpoint tagged fields */
    };
    struct fetch_response_partition part;
    fetch_response_partition_init(&part);
    part.high_watermark = 10;
    part.log_start_offset = 0;
    part.current_leader = (struct kraft_leader_and_epoch){1, 5};
    struct fetch_response_topic topic = {META_TOPIC, {0, 1}, 1, &part};
    struct fetch_node_endpoint ep = {1, "c1", 9093, NULL};
    struct fetch_response m, out;
    fetch_response_init(&m);
    m.topic_count = 1;
    m.topics = &topic;
    m.node_endpoint_count = 1;
    m.node_endpoints = &ep;
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_fetch_resp, dec_fetch_resp, &m, 16, want, sizeof want, &a, &out);
    const struct fetch_response_partition *p = &out.topics[0].partitions[0];
    ck_assert_int_eq(p->current_leader.leader_id, 1);
    ck_assert_int_eq(p->diverging_epoch.epoch, -1);
    ck_assert(p->snapshot_id.end_offset == -1);
    ck_assert_int_eq(p->aborted_transaction_count, -1);
    ck_assert_int_eq(p->records.len, -1);
    ck_assert_int_eq(out.node_endpoints[0].port, 9093);
    ck_assert_ptr_null(out.node_endpoints[0].rack);
    wire_arena_free(&a);
}
END_TEST

START_TEST(fetch_response_diverging_epoch_and_snapshot_id_tags)
{
    /* Partition tag section alone: DivergingEpoch {tag 0} then SnapshotId {tag 2}. */
    struct fetch_response_partition part;
    fetch_response_partition_init(&part);
    part.diverging_epoch = (struct fetch_epoch_end_offset){3, 42};
    part.snapshot_id = (struct kraft_snapshot_id){40, 2};
    struct fetch_response_topic topic = {META_TOPIC, {0, 1}, 1, &part};
    struct fetch_response m;
    fetch_response_init(&m);
    m.topic_count = 1;
    m.topics = &topic;
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(fetch_response_encode(&w, &m, 15), 0);
    const uint8_t tags[] = {
        0x02,                                     /* 2 tags */
        0x00, 0x0d, 0x00, 0x00, 0x00, 0x03,       /* tag 0, 13 bytes: Epoch 3 */
        I64(42), 0x00,                            /*   EndOffset 42, struct tags */
        0x02, 0x0d, I64(40), 0x00, 0x00, 0x00, 0x02, 0x00, /* tag 2: EndOffset 40, Epoch 2 */
        0x00,                                     /* topic tagged fields */
        0x00,                                     /* response tagged fields */
    };
    ck_assert_uint_ge(w.len, sizeof tags);
    ck_assert_mem_eq(w.bytes + w.len - sizeof tags, tags, sizeof tags);
    wire_writer_free(&w);
}
END_TEST

/* ---- Record batches (DefaultRecordBatch.java, DefaultRecord.java) ------------------------- */

/* The sample batch, byte by byte. CRC-32C of bytes 21..81 computed independently. */
static const uint8_t two_record_batch[] = {
    I64(100),                   /*  0 BaseOffset 100 */
    0x00, 0x00, 0x00, 0x46,     /*  8 BatchLength 70 = 82 - 12 */
    0x00, 0x00, 0x00, 0x05,     /* 12 PartitionLeaderEpoch 5 */
    0x02,                       /* 16 Magic 2 */
    0x05, 0x0f, 0x68, 0x04,     /* 17 CRC-32C over bytes 21..81 */
    0x00, 0x00,                 /* 21 Attributes: none */
    0x00, 0x00, 0x00, 0x01,     /* 23 LastOffsetDelta 1 */
    0, 0, 0, 0, 0, 0, 0x03, 0xe8, /* 27 BaseTimestamp 1000 */
    0, 0, 0, 0, 0, 0, 0x03, 0xed, /* 35 MaxTimestamp 1005 */
    I64_MINUS_1,                /* 43 ProducerId -1 */
    0xff, 0xff,                 /* 51 ProducerEpoch -1 */
    0xff, 0xff, 0xff, 0xff,     /* 53 BaseSequence -1 */
    0x00, 0x00, 0x00, 0x02,     /* 57 RecordsCount 2 */
    /* 61 record 0: */
    0x0e,                       /* Length 7 (zigzag 14) */
    0x00,                       /* Attributes */
    0x00,                       /* TimestampDelta 0 */
    0x00,                       /* OffsetDelta 0 */
    0x01,                       /* KeyLength -1: null */
    0x02, 'a',                  /* ValueLength 1, "a" */
    0x00,                       /* HeaderCount 0 */
    /* 69 record 1: */
    0x18,                       /* Length 12 */
    0x00,                       /* Attributes */
    0x0a,                       /* TimestampDelta 5 */
    0x02,                       /* OffsetDelta 1 */
    0x02, 'k',                  /* Key "k" */
    0x04, 'v', 'v',             /* Value "vv" */
    0x02,                       /* HeaderCount 1 */
    0x02, 'h',                  /*   header key "h" */
    0x01,                       /*   header value null */
};

START_TEST(two_record_batch_hand_vector_with_header_fields_at_their_offsets)
{
    struct record_batch b;
    sample_batch(&b);
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(record_batch_encode(&w, &b), 0);
    ck_assert_uint_eq(w.len, sizeof two_record_batch);
    ck_assert_mem_eq(w.bytes, two_record_batch, sizeof two_record_batch);
    /* The CRC covers Attributes to the end, not the leader epoch. */
    uint32_t crc = wire_crc32c(0, w.bytes + RECORD_BATCH_ATTRIBUTES_AT,
                               w.len - RECORD_BATCH_ATTRIBUTES_AT);
    ck_assert_uint_eq(crc, 0x050F6804u);
    ck_assert_uint_eq(w.bytes[RECORD_BATCH_MAGIC_AT], 2);
    ck_assert_uint_eq(w.bytes[RECORD_BATCH_RECORDS_COUNT_AT + 3], 2);

    struct wire_arena a;
    wire_arena_init(&a);
    struct record_batch out;
    size_t size = 0;
    ck_assert_int_eq(record_batch_decode(w.bytes, w.len, &a, &out, &size), 0);
    ck_assert_uint_eq(size, 82);
    ck_assert(out.base_offset == 100);
    ck_assert_int_eq(out.batch_length, 70);
    ck_assert_int_eq(out.partition_leader_epoch, 5);
    ck_assert_uint_eq(out.crc, 0x050F6804u);
    ck_assert_int_eq(out.record_count, 2);
    ck_assert_int_eq(out.records[0].key.len, -1);
    ck_assert_mem_eq(out.records[0].value.ptr, "a", 1);
    ck_assert(out.records[1].timestamp_delta == 5);
    ck_assert_int_eq(out.records[1].offset_delta, 1);
    ck_assert_int_eq(out.records[1].header_count, 1);
    ck_assert_mem_eq(out.records[1].headers[0].key.ptr, "h", 1);
    ck_assert_int_eq(out.records[1].headers[0].value.len, -1);
    wire_arena_free(&a);
    wire_writer_free(&w);
}
END_TEST

/* An uncompressed batch from IBM/sarama's record_test.go ("uncompressed record"), whose CRC was
 * computed by another implementation that interoperates with Kafka. */
static const uint8_t sarama_batch[] = {
    I64(0), 0, 0, 0, 70, 0, 0, 0, 0, 2, /* BaseOffset, BatchLength 70, epoch 0, magic */
    84, 121, 97, 253,                   /* CRC */
    0, 0, 0, 0, 0, 0,                   /* Attributes, LastOffsetDelta */
    0, 0, 1, 88, 141, 205, 89, 56,      /* BaseTimestamp 1479847795000 */
    I64(0), I64(0), 0, 0, 0, 0, 0, 0,   /* MaxTimestamp, ProducerId, Epoch, BaseSequence */
    0, 0, 0, 1,                         /* RecordsCount */
    40, 0, 10, 0, 8, 1, 2, 3, 4, 6, 5, 6, 7, 2, 6, 8, 9, 10, 4, 11, 12,
};

START_TEST(an_independent_golden_batch_decodes_and_re_encodes_identically)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct record_batch b;
    ck_assert_int_eq(record_batch_decode(sarama_batch, sizeof sarama_batch, &a, &b, NULL), 0);
    ck_assert(b.base_timestamp == INT64_C(1479847795000));
    ck_assert(b.records[0].timestamp_delta == 5);
    ck_assert_int_eq(b.records[0].key.len, 4);
    ck_assert_int_eq(b.records[0].headers[0].value.len, 2);
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(record_batch_encode(&w, &b), 0);
    ck_assert_uint_eq(w.len, sizeof sarama_batch);
    ck_assert_mem_eq(w.bytes, sarama_batch, sizeof sarama_batch);
    wire_writer_free(&w);
    wire_arena_free(&a);
}
END_TEST

START_TEST(a_corrupt_byte_is_a_crc_error_but_the_leader_epoch_is_not_covered)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct record_batch b;
    uint8_t copy[sizeof two_record_batch];
    for (size_t i = RECORD_BATCH_ATTRIBUTES_AT; i < sizeof copy; i++) {
        memcpy(copy, two_record_batch, sizeof copy);
        copy[i] ^= 0x10;
        ck_assert_int_eq(record_batch_decode(copy, sizeof copy, &a, &b, NULL), -WIRE_ECRC);
    }
    memcpy(copy, two_record_batch, sizeof copy);
    copy[RECORD_BATCH_CRC_AT] ^= 0x01;
    ck_assert_int_eq(record_batch_decode(copy, sizeof copy, &a, &b, NULL), -WIRE_ECRC);
    /* Kafka rewrites PartitionLeaderEpoch without recomputing the CRC, so it is outside. */
    memcpy(copy, two_record_batch, sizeof copy);
    copy[RECORD_BATCH_LEADER_EPOCH_AT + 3] = 9;
    ck_assert_int_eq(record_batch_decode(copy, sizeof copy, &a, &b, NULL), 0);
    ck_assert_int_eq(b.partition_leader_epoch, 9);
    /* Magic other than 2 is an unsupported format, checked before the CRC. */
    memcpy(copy, two_record_batch, sizeof copy);
    copy[RECORD_BATCH_MAGIC_AT] = 1;
    ck_assert_int_eq(record_batch_decode(copy, sizeof copy, &a, &b, NULL), -WIRE_EVERSION);
    wire_arena_free(&a);
}
END_TEST

START_TEST(a_truncated_tail_is_reported_apart_from_corruption)
{
    /* A segment: the batch, then the same batch at offset 102, cut anywhere inside it. */
    uint8_t seg[2 * sizeof two_record_batch];
    memcpy(seg, two_record_batch, sizeof two_record_batch);
    memcpy(seg + sizeof two_record_batch, two_record_batch, sizeof two_record_batch);
    seg[sizeof two_record_batch + 7] = 102; /* BaseOffset is outside the CRC too */
    struct wire_arena a;
    wire_arena_init(&a);
    struct record_batch b;
    struct record_batch_iter it;
    record_batch_iter_init(&it, seg, sizeof seg);
    ck_assert_int_eq(record_batch_iter_next(&it, &a, &b), 1);
    ck_assert_int_eq(record_batch_iter_next(&it, &a, &b), 1);
    ck_assert(b.base_offset == 102);
    ck_assert_int_eq(record_batch_iter_next(&it, &a, &b), 0);
    for (size_t cut = sizeof two_record_batch + 1; cut < sizeof seg; cut++) {
        record_batch_iter_init(&it, seg, cut);
        ck_assert_int_eq(record_batch_iter_next(&it, &a, &b), 1);
        ck_assert_int_eq(record_batch_iter_next(&it, &a, &b), -WIRE_ETRUNCATED);
        ck_assert_uint_eq(it.pos, sizeof two_record_batch); /* where to truncate the log */
    }
    /* Corruption in the second batch is not truncation. */
    seg[sizeof seg - 1] ^= 0xff;
    record_batch_iter_init(&it, seg, sizeof seg);
    ck_assert_int_eq(record_batch_iter_next(&it, &a, &b), 1);
    ck_assert_int_eq(record_batch_iter_next(&it, &a, &b), -WIRE_ECRC);
    /* A BatchLength below the header size is malformed, whatever follows. */
    uint8_t tiny[RECORD_BATCH_HEADER_SIZE];
    memcpy(tiny, two_record_batch, sizeof tiny);
    tiny[RECORD_BATCH_LENGTH_AT + 3] = 48;
    ck_assert_int_eq(record_batch_decode(tiny, sizeof tiny, &a, &b, NULL), -WIRE_EMALFORMED);
    wire_arena_free(&a);
}
END_TEST

/* Rewrites the CRC of a batch held in `bytes` after a deliberate edit. */
static void fix_crc(uint8_t *bytes, size_t len)
{
    uint32_t crc = wire_crc32c(0, bytes + RECORD_BATCH_ATTRIBUTES_AT,
                               len - RECORD_BATCH_ATTRIBUTES_AT);
    bytes[RECORD_BATCH_CRC_AT] = (uint8_t)(crc >> 24);
    bytes[RECORD_BATCH_CRC_AT + 1] = (uint8_t)(crc >> 16);
    bytes[RECORD_BATCH_CRC_AT + 2] = (uint8_t)(crc >> 8);
    bytes[RECORD_BATCH_CRC_AT + 3] = (uint8_t)crc;
}

START_TEST(compression_and_inconsistent_counts_are_rejected_after_the_crc)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct record_batch b;
    uint8_t copy[sizeof two_record_batch];
    /* Compression bits 1-4 (gzip, snappy, lz4, zstd) with a valid CRC. */
    for (uint8_t codec = 1; codec <= 4; codec++) {
        memcpy(copy, two_record_batch, sizeof copy);
        copy[RECORD_BATCH_ATTRIBUTES_AT + 1] = codec;
        fix_crc(copy, sizeof copy);
        ck_assert_int_eq(record_batch_decode(copy, sizeof copy, &a, &b, NULL),
                         -WIRE_ECOMPRESSION);
    }
    /* RecordsCount 3 but only two records: the third runs off the batch. */
    memcpy(copy, two_record_batch, sizeof copy);
    copy[RECORD_BATCH_RECORDS_COUNT_AT + 3] = 3;
    fix_crc(copy, sizeof copy);
    ck_assert_int_eq(record_batch_decode(copy, sizeof copy, &a, &b, NULL), -WIRE_EMALFORMED);
    /* RecordsCount 1: the second record is left over ("records still remaining"). */
    copy[RECORD_BATCH_RECORDS_COUNT_AT + 3] = 1;
    fix_crc(copy, sizeof copy);
    ck_assert_int_eq(record_batch_decode(copy, sizeof copy, &a, &b, NULL), -WIRE_EMALFORMED);
    /* A record Length one short of its body. */
    memcpy(copy, two_record_batch, sizeof copy);
    copy[61] = 0x0c;
    fix_crc(copy, sizeof copy);
    ck_assert_int_eq(record_batch_decode(copy, sizeof copy, &a, &b, NULL), -WIRE_EMALFORMED);
    /* Encoding refuses to claim a compression it cannot do. */
    sample_batch(&b);
    b.attributes = 2;
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(record_batch_encode(&w, &b), -WIRE_ECOMPRESSION);
    wire_writer_free(&w);
    wire_arena_free(&a);
}
END_TEST

START_TEST(header_decode_checks_the_frame_and_crc_and_leaves_the_records_unread)
{
    /* record_batch_decode_header is what log recovery asks of a batch (LogSegment.recover:
     * batch.ensureValid): the header decode's fields, the frame errors, no record parsing. */
    struct wire_arena a;
    wire_arena_init(&a);
    struct record_batch full;
    struct record_batch head;
    size_t size = 0;
    ck_assert_int_eq(record_batch_decode(two_record_batch, sizeof two_record_batch, &a, &full,
                                         NULL), 0);
    ck_assert_int_eq(record_batch_decode_header(two_record_batch, sizeof two_record_batch,
                                                &head, &size, true), 0);
    ck_assert_uint_eq(size, sizeof two_record_batch);
    ck_assert_ptr_null(head.records);
    ck_assert(head.base_offset == full.base_offset);
    ck_assert_int_eq(head.partition_leader_epoch, full.partition_leader_epoch);
    ck_assert_int_eq(head.attributes, full.attributes);
    ck_assert_int_eq(head.last_offset_delta, full.last_offset_delta);
    ck_assert_uint_eq(head.crc, full.crc);
    ck_assert_int_eq(head.record_count, full.record_count);
    /* Every cut short is a torn tail, as for the full decode. */
    for (size_t len = 0; len < sizeof two_record_batch; len++) {
        ck_assert_int_eq(record_batch_decode_header(two_record_batch, len, &head, NULL, true),
                         -WIRE_ETRUNCATED);
        ck_assert_int_eq(record_batch_decode_header(two_record_batch, len, &head, NULL, false),
                         -WIRE_ETRUNCATED);
    }
    uint8_t copy[sizeof two_record_batch];
    memcpy(copy, two_record_batch, sizeof copy);
    copy[sizeof copy - 3] ^= 0x40; /* inside the records: the CRC catches it */
    ck_assert_int_eq(record_batch_decode_header(copy, sizeof copy, &head, NULL, true),
                     -WIRE_ECRC);
    /* A trusted segment's batch (below the recovery point) is framed, not checksummed. */
    ck_assert_int_eq(record_batch_decode_header(copy, sizeof copy, &head, NULL, false), 0);
    ck_assert_int_eq(head.record_count, full.record_count);
    /* A record count the records do not hold, under a valid CRC: the full decode rejects it,
     * ensureValid does not look. */
    memcpy(copy, two_record_batch, sizeof copy);
    copy[RECORD_BATCH_RECORDS_COUNT_AT + 3] = 3;
    fix_crc(copy, sizeof copy);
    ck_assert_int_eq(record_batch_decode(copy, sizeof copy, &a, &full, NULL), -WIRE_EMALFORMED);
    ck_assert_int_eq(record_batch_decode_header(copy, sizeof copy, &head, NULL, true), 0);
    ck_assert_int_eq(head.record_count, 3);
    wire_arena_free(&a);
}
END_TEST

START_TEST(mutated_batches_with_a_fixed_crc_never_crash_the_record_parser)
{
    /* Recomputing the CRC after each mutation gets garbage past the checksum into the record
     * parser, which is where lengths and counts are interpreted. */
    struct prng rng = {777};
    struct wire_arena a;
    wire_arena_init(&a);
    for (int round = 0; round < 20000; round++) {
        uint8_t copy[sizeof two_record_batch];
        memcpy(copy, two_record_batch, sizeof copy);
        int flips = 1 + (int)(prng_next(&rng) % 3);
        for (int f = 0; f < flips; f++) {
            size_t at = RECORD_BATCH_ATTRIBUTES_AT +
                        (size_t)(prng_next(&rng) % (sizeof copy - RECORD_BATCH_ATTRIBUTES_AT));
            copy[at] = (uint8_t)prng_next(&rng);
        }
        fix_crc(copy, sizeof copy);
        struct record_batch b;
        struct record_batch_iter it;
        record_batch_iter_init(&it, copy, sizeof copy);
        int rc = record_batch_iter_next(&it, &a, &b);
        ck_assert(rc == 1 || rc < 0);
        ck_assert_int_ne(rc, -WIRE_ECRC);
        if ((round & 255) == 0) {
            wire_arena_free(&a);
        }
    }
    wire_arena_free(&a);
}
END_TEST

/* ---- Control records: key = int16 0 + int16 type; values are flexible v0 messages --------- */

START_TEST(leader_change_control_batch_round_trip)
{
    /* LeaderChangeMessage v0 {Version 0, LeaderId 1, Voters [1,2,3], GrantingVoters [1,3]}. */
    const uint8_t lcm_v0[] = {
        0x00, 0x00,             /* Version 0 */
        0x00, 0x00, 0x00, 0x01, /* LeaderId 1 */
        0x04,                   /* Voters: 3 (compact) */
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00,
        0x03,                   /* GrantingVoters: 2 */
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00,
        0x00,                   /* tagged fields */
    };
    struct record_batch_leader_change m, out;
    sample_lcm(&m);
    struct wire_arena a;
    wire_arena_init(&a);
    check_vector(enc_lcm, dec_lcm, &m, 0, lcm_v0, sizeof lcm_v0, &a, &out);
    /* Wrap it in a control batch as the new leader appends it at offset 10 in epoch 3. */
    const uint8_t key[] = {0x00, 0x00, 0x00, 0x02}; /* key version 0, type LEADER_CHANGE */
    struct wire_writer kw;
    wire_writer_init(&kw);
    record_batch_control_key_encode(&kw, RECORD_BATCH_CONTROL_LEADER_CHANGE);
    ck_assert_mem_eq(kw.bytes, key, sizeof key);
    struct record_batch_record rec = {0, 0, 0, {key, 4}, {lcm_v0, sizeof lcm_v0}, 0, NULL};
    struct record_batch b;
    record_batch_init(&b);
    b.base_offset = 10;
    b.partition_leader_epoch = 3;
    b.attributes = RECORD_BATCH_CONTROL;
    b.base_timestamp = b.max_timestamp = 1234;
    b.record_count = 1;
    b.records = &rec;
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(record_batch_encode(&w, &b), 0);
    ck_assert_uint_eq(w.bytes[RECORD_BATCH_ATTRIBUTES_AT + 1], 0x20);
    struct record_batch back;
    ck_assert_int_eq(record_batch_decode(w.bytes, w.len, &a, &back, NULL), 0);
    ck_assert(back.attributes & RECORD_BATCH_CONTROL);
    int16_t type = -1;
    ck_assert_int_eq(record_batch_control_key_decode(back.records[0].key, &type), 0);
    ck_assert_int_eq(type, RECORD_BATCH_CONTROL_LEADER_CHANGE);
    ck_assert_int_eq(record_batch_leader_change_decode(back.records[0].value, 0, &a, &out), 0);
    ck_assert_int_eq(out.leader_id, 1);
    ck_assert_int_eq(out.voter_count, 3);
    ck_assert_int_eq(out.granting_voters[1].voter_id, 3);
    ck_assert(wire_uuid_equal(out.voters[0].voter_directory_id, KUUID_ZERO)); /* v0 */
    /* The schema version is out of band: these v0 bytes do not parse as v1. */
    ck_assert_int_ne(record_batch_leader_change_decode(back.records[0].value, 1, &a, &out), 0);
    ck_assert_int_eq(record_batch_control_key_decode(WIRE_BYTES_NULL, &type), -WIRE_EMALFORMED);
    wire_writer_free(&kw);
    wire_writer_free(&w);
    wire_arena_free(&a);
}
END_TEST

START_TEST(snapshot_header_footer_and_kraft_version_hand_vectors)
{
    const uint8_t header[] = {0x00, 0x00, I64(0x7f), 0x00}; /* Version, timestamp 127, tags */
    const uint8_t footer[] = {0x00, 0x00, 0x00};            /* Version 0, tags */
    const uint8_t kraft[] = {0x00, 0x00, 0x00, 0x01, 0x00}; /* Version 0, KRaftVersion 1 */
    struct wire_arena a;
    wire_arena_init(&a);
    struct record_batch_snapshot_header h = {0, 127}, hout;
    check_vector(enc_snap_header, dec_snap_header, &h, 0, header, sizeof header, &a, &hout);
    ck_assert(hout.last_contained_log_timestamp == 127);
    struct record_batch_snapshot_footer f = {0}, fout;
    check_vector(enc_snap_footer, dec_snap_footer, &f, 0, footer, sizeof footer, &a, &fout);
    struct record_batch_kraft_version k = {0, 1}, kout;
    check_vector(enc_kraft_version, dec_kraft_version, &k, 0, kraft, sizeof kraft, &a, &kout);
    ck_assert_int_eq(kout.kraft_version, 1);
    ck_assert_int_eq(record_batch_snapshot_footer_decode(WIRE_BYTES_NULL, &fout),
                     -WIRE_EMALFORMED);
    wire_arena_free(&a);
}
END_TEST

static Suite *protocol_suite(void)
{
    Suite *s = suite_create("protocol");
    TCase *hdr = tcase_create("headers, frames, ApiVersions");
    tcase_add_test(hdr, header_version_follows_each_apis_flexible_threshold);
    tcase_add_test(hdr, api_and_error_names_come_from_the_tables);
    tcase_add_test(hdr, request_header_v2_keeps_an_int16_client_id);
    tcase_add_test(hdr, request_header_v1_has_no_tag_section_and_a_null_client_id_is_minus_one);
    tcase_add_test(hdr, api_versions_response_always_travels_under_header_v0);
    tcase_add_test(hdr, frame_split_reports_truncation_and_negative_sizes);
    tcase_add_test(hdr, api_versions_request_v3_and_v5_hand_vectors);
    tcase_add_test(hdr, api_versions_response_v3_feature_tags_hand_vector);
    suite_add_tcase(s, hdr);
    TCase *kraft = tcase_create("KRaft RPCs");
    tcase_add_test(kraft, vote_v2_request_hand_vector);
    tcase_add_test(kraft, vote_v0_omits_voter_key_directory_ids_and_pre_vote);
    tcase_add_test(kraft, vote_v1_response_hand_vector_and_unknown_tags_are_skipped);
    tcase_add_test(kraft, begin_quorum_epoch_request_v0_classic_and_v1_flexible_hand_vectors);
    tcase_add_test(kraft, begin_and_end_quorum_epoch_response_v0_hand_vector);
    tcase_add_test(kraft, end_quorum_epoch_request_v0_successors_v1_candidates_hand_vectors);
    tcase_add_test(kraft, describe_quorum_request_v0_and_response_v1_hand_vectors);
    tcase_add_test(kraft, fetch_snapshot_request_v1_hand_vector_with_cluster_id_and_directory_tags);
    tcase_add_test(kraft, fetch_snapshot_response_v0_hand_vector_with_current_leader_tag);
    suite_add_tcase(s, kraft);
    TCase *fetch = tcase_create("Fetch");
    tcase_add_test(fetch, fetch_v17_request_hand_vector_as_a_kraft_voter_sends_it);
    tcase_add_test(fetch, fetch_v18_request_adds_the_high_watermark_tag);
    tcase_add_test(fetch, fetch_v12_request_uses_the_topic_name_and_the_replica_id_field);
    tcase_add_test(fetch, fetch_v16_response_hand_vector_with_current_leader_and_node_endpoints);
    tcase_add_test(fetch, fetch_response_diverging_epoch_and_snapshot_id_tags);
    suite_add_tcase(s, fetch);
    TCase *batch = tcase_create("record batches and control records");
    tcase_set_timeout(batch, 60);
    tcase_add_test(batch, two_record_batch_hand_vector_with_header_fields_at_their_offsets);
    tcase_add_test(batch, an_independent_golden_batch_decodes_and_re_encodes_identically);
    tcase_add_test(batch, a_corrupt_byte_is_a_crc_error_but_the_leader_epoch_is_not_covered);
    tcase_add_test(batch, a_truncated_tail_is_reported_apart_from_corruption);
    tcase_add_test(batch, compression_and_inconsistent_counts_are_rejected_after_the_crc);
    tcase_add_test(batch, header_decode_checks_the_frame_and_crc_and_leaves_the_records_unread);
    tcase_add_test(batch, mutated_batches_with_a_fixed_crc_never_crash_the_record_parser);
    tcase_add_test(batch, leader_change_control_batch_round_trip);
    tcase_add_test(batch, snapshot_header_footer_and_kraft_version_hand_vectors);
    suite_add_tcase(s, batch);
    TCase *all = tcase_create("every codec");
    tcase_set_timeout(all, 120);
    tcase_add_loop_test(all, every_message_round_trips_at_every_supported_version, 0,
                        CODEC_COUNT);
    tcase_add_loop_test(all, every_strict_prefix_of_a_valid_message_fails_cleanly, 0,
                        CODEC_COUNT);
    tcase_add_loop_test(all, random_mutations_of_valid_messages_never_crash_a_decoder, 0,
                        CODEC_COUNT);
    tcase_add_test(all, random_garbage_never_crashes_any_decoder_or_frame_parser);
    suite_add_tcase(s, all);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(protocol_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failures = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failures == 0 ? 0 : 1;
}
