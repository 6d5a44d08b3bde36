/* test_schema.c — the descriptor-driven codec: golden bytes, round trips, truncation, garbage. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/data_rpc.h"
#include "protocol/group_rpc.h"
#include "protocol/header.h"
#include "protocol/schema.h"
#include "protocol/wire.h"

/*
 * Golden vectors are written by hand from Kafka's JSON schemas, one field per line: classic
 * lengths are N (int16 for strings, int32 for bytes and arrays), compact ones uvarint N+1, and
 * in flexible versions every struct ends with its tagged-field section (count, then tag, size,
 * data per field). The round-trip tests populate every field a version has from the table.
 */

#define I64_MINUS_1 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff

static void check_encodes_to(const struct schema_message *m, const void *msg, int16_t v,
                             const uint8_t *want, size_t n)
{
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(schema_encode(&w, m, msg, v), 0);
    ck_assert_uint_eq(w.len, n);
    ck_assert_mem_eq(w.bytes, want, n);
    wire_writer_free(&w);
}

/* Decodes exactly n bytes (from a heap copy of exactly n bytes, so ASan sees any overread). */
static int decode_exact(const struct schema_message *m, int16_t v, const uint8_t *in, size_t n,
                        struct wire_arena *a, void *out, size_t *consumed)
{
    uint8_t *copy = malloc(n > 0 ? n : 1);
    ck_assert_ptr_nonnull(copy);
    if (n > 0) {
        memcpy(copy, in, n);
    }
    struct wire_reader r;
    wire_reader_init(&r, copy, n);
    int err = schema_decode(&r, m, v, a, out);
    *consumed = r.pos;
    free(copy);
    return err;
}

/* ---- Tables ----------------------------------------------------------------------------- */

START_TEST(every_table_passes_its_checks_and_matches_the_api_table)
{
    ck_assert_uint_eq(schema_message_count(), 24);
    for (size_t i = 0; i < schema_message_count(); i++) {
        const struct schema_message *m = schema_message_at(i);
        const char *err = schema_check(m);
        ck_assert_msg(err == NULL, "%s: %s", m->name, err);
        ck_assert_int_eq(m->flexible_min, kafka_api_flexible_version(m->api_key));
        ck_assert_ptr_eq(schema_find(m->api_key, m->response), m);
        if (i > 0) {
            const struct schema_message *prev = schema_message_at(i - 1);
            ck_assert(prev->api_key < m->api_key ||
                      (prev->api_key == m->api_key && !prev->response && m->response));
        }
    }
    ck_assert_ptr_null(schema_message_at(schema_message_count()));
    ck_assert_ptr_null(schema_find(KAFKA_API_FETCH, false));
    ck_assert_str_eq(schema_find(KAFKA_API_PRODUCE, true)->name, "ProduceResponse");
    ck_assert_str_eq(schema_type_name(SCHEMA_RECORDS), "records");
}
END_TEST

START_TEST(schema_check_names_a_bad_row)
{
    struct bad {
        int16_t x;
        const char *s;
    };
    static const struct schema_field wrong_size[] = {
        SCHEMA_FIELD(struct bad, x, "X", SCHEMA_INT32, SCHEMA_FROM(0)),
    };
    static const struct schema_struct wrong_size_desc =
        SCHEMA_STRUCT_DESC(struct bad, "Bad", wrong_size);
    struct schema_message m = {.name = "BadRequest", .version_min = 0, .version_max = 1,
                               .flexible_min = 1, .body = &wrong_size_desc};
    ck_assert_str_eq(schema_check(&m), "Bad.X: member size does not match the type");

    static const struct schema_field early_tag[] = {
        SCHEMA_FIELD(struct bad, s, "S", SCHEMA_STRING, SCHEMA_FROM(0),
                     SCHEMA_TAG(0, SCHEMA_FROM(0))),
    };
    static const struct schema_struct early_tag_desc =
        SCHEMA_STRUCT_DESC(struct bad, "Bad", early_tag);
    m.body = &early_tag_desc;
    ck_assert_str_eq(schema_check(&m), "Bad.S: tagged versions must be flexible, with a tag");

    static const struct schema_field null_int[] = {
        SCHEMA_FIELD(struct bad, x, "X", SCHEMA_INT16, SCHEMA_FROM(0),
                     SCHEMA_NULLABLE(SCHEMA_FROM(0))),
    };
    static const struct schema_struct null_int_desc =
        SCHEMA_STRUCT_DESC(struct bad, "Bad", null_int);
    m.body = &null_int_desc;
    ck_assert_str_eq(schema_check(&m),
                     "Bad.X: only strings, bytes, records and arrays are nullable here");
}
END_TEST

/* ---- Golden bytes ------------------------------------------------------------------------ */

/* The message both Produce vectors encode: one topic "t", partition 0, records "abc". */
static void produce_fixture(struct produce_request *req, struct produce_request_topic *t,
                            struct produce_request_partition *p)
{
    static const uint8_t abc[] = {'a', 'b', 'c'};
    produce_request_init(req);
    produce_request_topic_init(t);
    produce_request_partition_init(p);
    req->acks = -1;
    req->timeout_ms = 30000;
    req->topic_count = 1;
    req->topics = t;
    t->name = "t";
    t->partition_count = 1;
    t->partitions = p;
    p->index = 0;
    p->records = (struct wire_bytes){abc, 3};
}

START_TEST(produce_request_v3_golden)
{
    struct produce_request req;
    struct produce_request_topic t;
    struct produce_request_partition p;
    produce_fixture(&req, &t, &p);
    const uint8_t want[] = {
        0xff, 0xff,                         /* TransactionalId: null (int16 -1) */
        0xff, 0xff,                         /* Acks -1 */
        0x00, 0x00, 0x75, 0x30,             /* TimeoutMs 30000 */
        0x00, 0x00, 0x00, 0x01,             /* TopicData: 1 */
        0x00, 0x01, 't',                    /*   Name "t" */
        0x00, 0x00, 0x00, 0x01,             /*   PartitionData: 1 */
        0x00, 0x00, 0x00, 0x00,             /*     Index 0 */
        0x00, 0x00, 0x00, 0x03, 'a', 'b', 'c', /*  Records: int32 length 3 */
    };
    check_encodes_to(&produce_request_schema, &req, 3, want, sizeof want);

    struct wire_arena a;
    wire_arena_init(&a);
    struct produce_request out;
    size_t used;
    ck_assert_int_eq(decode_exact(&produce_request_schema, 3, want, sizeof want, &a, &out,
                                  &used), 0);
    ck_assert_uint_eq(used, sizeof want);
    ck_assert_ptr_null(out.transactional_id);
    ck_assert_int_eq(out.acks, -1);
    ck_assert_int_eq(out.timeout_ms, 30000);
    ck_assert_int_eq(out.topic_count, 1);
    ck_assert_str_eq(out.topics[0].name, "t");
    ck_assert_int_eq(out.topics[0].partition_count, 1);
    ck_assert_int_eq(out.topics[0].partitions[0].records.len, 3);
    ck_assert_mem_eq(out.topics[0].partitions[0].records.ptr, "abc", 3);
    wire_arena_free(&a);
}
END_TEST

START_TEST(produce_request_v9_golden_is_flexible_and_skips_unknown_tags)
{
    struct produce_request req;
    struct produce_request_topic t;
    struct produce_request_partition p;
    produce_fixture(&req, &t, &p);
    req.transactional_id = "tx";
    const uint8_t want[] = {
        0x03, 't', 'x',         /* TransactionalId: compact, length 2 + 1 */
        0xff, 0xff,             /* Acks -1 */
        0x00, 0x00, 0x75, 0x30, /* TimeoutMs 30000 */
        0x02,                   /* TopicData: 1 + 1 */
        0x02, 't',              /*   Name "t" */
        0x02,                   /*   PartitionData: 1 + 1 */
        0x00, 0x00, 0x00, 0x00, /*     Index 0 */
        0x04, 'a', 'b', 'c',    /*     Records: compact, 3 + 1 */
        0x00,                   /*     partition tags: none */
        0x00,                   /*   topic tags: none */
        0x00,                   /* message tags: none */
    };
    check_encodes_to(&produce_request_schema, &req, 9, want, sizeof want);
    /* The same message with unknown tags 7 (2 bytes) in the partition and 90 (0 bytes) at the
     * end: both are skipped. */
    const uint8_t tagged[] = {
        0x03, 't', 'x', 0xff, 0xff, 0x00, 0x00, 0x75, 0x30, 0x02, 0x02, 't', 0x02,
        0x00, 0x00, 0x00, 0x00, 0x04, 'a', 'b', 'c',
        0x01, 0x07, 0x02, 0xbe, 0xef, /* partition tags: 1 field, tag 7, size 2 */
        0x00,
        0x01, 0x5a, 0x00, /* message tags: 1 field, tag 90, size 0 */
    };
    struct wire_arena a;
    wire_arena_init(&a);
    struct produce_request out;
    size_t used;
    ck_assert_int_eq(decode_exact(&produce_request_schema, 9, tagged, sizeof tagged, &a, &out,
                                  &used), 0);
    ck_assert_uint_eq(used, sizeof tagged);
    ck_assert_str_eq(out.transactional_id, "tx");
    ck_assert_mem_eq(out.topics[0].partitions[0].records.ptr, "abc", 3);
    check_encodes_to(&produce_request_schema, &out, 9, want, sizeof want);
    wire_arena_free(&a);
}
END_TEST

START_TEST(produce_response_v10_golden_writes_tagged_fields_only_when_set)
{
    struct produce_response_partition p;
    produce_response_partition_init(&p);
    ck_assert(p.log_append_time_ms == -1 && p.log_start_offset == -1);
    ck_assert_int_eq(p.current_leader.leader_id, -1);
    p.error_code = KAFKA_NOT_LEADER_OR_FOLLOWER;
    p.base_offset = -1;
    p.current_leader = (struct data_leader_id_and_epoch){2, 7};
    struct produce_response_topic t;
    produce_response_topic_init(&t);
    t.name = "t";
    t.partition_count = 1;
    t.partitions = &p;
    struct data_node_endpoint e = {.node_id = 2, .host = "h", .port = 9092, .rack = NULL};
    struct produce_response resp;
    produce_response_init(&resp);
    resp.topic_count = 1;
    resp.topics = &t;
    resp.node_endpoint_count = 1;
    resp.node_endpoints = &e;
    const uint8_t want[] = {
        0x02, 0x02, 't', 0x02,            /* Responses: 1; Name "t"; PartitionResponses: 1 */
        0x00, 0x00, 0x00, 0x00,           /* Index 0 */
        0x00, 0x06,                       /* ErrorCode NOT_LEADER_OR_FOLLOWER */
        I64_MINUS_1, I64_MINUS_1, I64_MINUS_1, /* BaseOffset, LogAppendTimeMs, LogStartOffset */
        0x01,                             /* RecordErrors: empty */
        0x00,                             /* ErrorMessage: null */
        0x01, 0x00, 0x09,                 /* tags: 1; CurrentLeader tag 0, 9 bytes */
        0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x07, 0x00, /* LeaderId 2, Epoch 7, tags */
        0x00,                             /* topic tags */
        0x00, 0x00, 0x00, 0x00,           /* ThrottleTimeMs 0 */
        0x01, 0x00, 0x0d,                 /* tags: 1; NodeEndpoints tag 0, 13 bytes */
        0x02, 0x00, 0x00, 0x00, 0x02, 0x02, 'h', 0x00, 0x00, 0x23, 0x84, 0x00, 0x00,
    };
    check_encodes_to(&produce_response_schema, &resp, 10, want, sizeof want);
    /* Back to the defaults, neither tagged field is written: each tag section is one 0. */
    p.current_leader = (struct data_leader_id_and_epoch){-1, -1};
    resp.node_endpoint_count = 0;
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(schema_encode(&w, &produce_response_schema, &resp, 10), 0);
    ck_assert_uint_eq(w.len, sizeof want - 11 - 15); /* each tag section shrinks to one 0 */
    ck_assert_uint_eq(w.bytes[w.len - 1], 0x00);
    wire_writer_free(&w);
}
END_TEST

START_TEST(list_offsets_request_v1_and_v7_golden)
{
    struct list_offsets_partition p;
    list_offsets_partition_init(&p);
    ck_assert_int_eq(p.current_leader_epoch, -1);
    p.partition_index = 2;
    p.timestamp = -2; /* EARLIEST_TIMESTAMP */
    struct list_offsets_topic t = {.name = "t", .partition_count = 1, .partitions = &p};
    struct list_offsets_request req;
    list_offsets_request_init(&req);
    req.replica_id = -1;
    req.isolation_level = 1;
    req.topic_count = 1;
    req.topics = &t;
    const uint8_t v1[] = {
        0xff, 0xff, 0xff, 0xff, /* ReplicaId -1 (IsolationLevel is v2+) */
        0x00, 0x00, 0x00, 0x01, /* Topics: 1 */
        0x00, 0x01, 't',        /*   Name "t" */
        0x00, 0x00, 0x00, 0x01, /*   Partitions: 1 */
        0x00, 0x00, 0x00, 0x02, /*     PartitionIndex 2 (CurrentLeaderEpoch is v4+) */
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, /* Timestamp -2 */
    };
    check_encodes_to(&list_offsets_request_schema, &req, 1, v1, sizeof v1);
    p.current_leader_epoch = 5;
    p.timestamp = -1;
    req.timeout_ms = 99; /* v10+: not in v7 */
    const uint8_t v7[] = {
        0xff, 0xff, 0xff, 0xff, /* ReplicaId -1 */
        0x01,                   /* IsolationLevel READ_COMMITTED */
        0x02, 0x02, 't', 0x02,  /* Topics: 1; Name "t"; Partitions: 1 */
        0x00, 0x00, 0x00, 0x02, /*     PartitionIndex 2 */
        0x00, 0x00, 0x00, 0x05, /*     CurrentLeaderEpoch 5 */
        I64_MINUS_1,            /*     Timestamp -1 (LATEST) */
        0x00, 0x00, 0x00,       /* partition, topic and message tags */
    };
    check_encodes_to(&list_offsets_request_schema, &req, 7, v7, sizeof v7);

    struct wire_arena a;
    wire_arena_init(&a);
    struct list_offsets_request out;
    size_t used;
    ck_assert_int_eq(decode_exact(&list_offsets_request_schema, 1, v1, sizeof v1, &a, &out,
                                  &used), 0);
    ck_assert_uint_eq(used, sizeof v1);
    ck_assert_int_eq(out.isolation_level, 0);
    ck_assert_int_eq(out.topics[0].partitions[0].current_leader_epoch, -1);
    ck_assert(out.topics[0].partitions[0].timestamp == -2);
    ck_assert_int_eq(decode_exact(&list_offsets_request_schema, 7, v7, sizeof v7, &a, &out,
                                  &used), 0);
    ck_assert_uint_eq(used, sizeof v7);
    ck_assert_int_eq(out.isolation_level, 1);
    ck_assert_int_eq(out.topics[0].partitions[0].current_leader_epoch, 5);
    ck_assert_int_eq(out.timeout_ms, 0);
    wire_arena_free(&a);
}
END_TEST

START_TEST(init_producer_id_v4_golden_with_a_tag_absent_and_present)
{
    struct init_producer_id_request req;
    init_producer_id_request_init(&req);
    ck_assert_str_eq(req.transactional_id, ""); /* no "default": "null" in the JSON */
    req.transactional_id = NULL;
    req.transaction_timeout_ms = 60000;
    req.producer_id = 1000;
    req.producer_epoch = 3;
    req.enable_2pc = true; /* v6+: not in v4 */
    const uint8_t absent[] = {
        0x00,                   /* TransactionalId: compact null */
        0x00, 0x00, 0xea, 0x60, /* TransactionTimeoutMs 60000 */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, /* ProducerId 1000 */
        0x00, 0x03,             /* ProducerEpoch 3 */
        0x00,                   /* tags: none */
    };
    check_encodes_to(&init_producer_id_request_schema, &req, 4, absent, sizeof absent);
    /* InitProducerId defines no tagged field in any version: a present one is unknown. */
    const uint8_t present[] = {
        0x00, 0x00, 0x00, 0xea, 0x60, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x03,
        0x02, 0x00, 0x01, 0x2a, 0x05, 0x00, /* tags: 2; tag 0 (1 byte: 42), tag 5 (empty) */
    };
    struct wire_arena a;
    wire_arena_init(&a);
    struct init_producer_id_request out;
    size_t used;
    ck_assert_int_eq(decode_exact(&init_producer_id_request_schema, 4, present, sizeof present,
                                  &a, &out, &used), 0);
    ck_assert_uint_eq(used, sizeof present);
    ck_assert_ptr_null(out.transactional_id);
    ck_assert_int_eq(out.transaction_timeout_ms, 60000);
    ck_assert(out.producer_id == 1000);
    ck_assert_int_eq(out.producer_epoch, 3);
    ck_assert(!out.enable_2pc);
    check_encodes_to(&init_producer_id_request_schema, &out, 4, absent, sizeof absent);
    wire_arena_free(&a);
}
END_TEST

/* AllocateProducerIds v0 (flexible from 0): what a broker asks and the block it is given. */
START_TEST(allocate_producer_ids_v0_golden)
{
    struct allocate_producer_ids_request req;
    allocate_producer_ids_request_init(&req);
    ck_assert(req.broker_epoch == -1);
    req.broker_id = 4;
    req.broker_epoch = 7;
    const uint8_t want_req[] = {
        0x00, 0x00, 0x00, 0x04,                         /* BrokerId 4 */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, /* BrokerEpoch 7 */
        0x00,                                           /* tags: none */
    };
    check_encodes_to(&allocate_producer_ids_request_schema, &req, 0, want_req, sizeof want_req);
    struct allocate_producer_ids_response resp;
    allocate_producer_ids_response_init(&resp);
    resp.producer_id_start = 1000;
    resp.producer_id_len = 1000;
    const uint8_t want_resp[] = {
        0x00, 0x00, 0x00, 0x00,                         /* ThrottleTimeMs */
        0x00, 0x00,                                     /* ErrorCode NONE */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, /* ProducerIdStart 1000 */
        0x00, 0x00, 0x03, 0xe8,                         /* ProducerIdLen 1000 */
        0x00,                                           /* tags: none */
    };
    check_encodes_to(&allocate_producer_ids_response_schema, &resp, 0, want_resp,
                     sizeof want_resp);
}
END_TEST

START_TEST(find_coordinator_v0_and_v4_golden)
{
    const char *keys[] = {"g1", "g2"};
    struct find_coordinator_request req;
    find_coordinator_request_init(&req);
    req.key = "grp";
    req.key_type = 0;
    req.coordinator_key_count = 2;
    req.coordinator_keys = keys;
    const uint8_t v0[] = {0x00, 0x03, 'g', 'r', 'p'}; /* Key only */
    check_encodes_to(&find_coordinator_request_schema, &req, 0, v0, sizeof v0);
    const uint8_t v4[] = {
        0x00,                       /* KeyType GROUP (Key is v0-3) */
        0x03, 0x03, 'g', '1', 0x03, 'g', '2', /* CoordinatorKeys: 2 compact strings */
        0x00,                       /* tags */
    };
    check_encodes_to(&find_coordinator_request_schema, &req, 4, v4, sizeof v4);
}
END_TEST

/* ---- The replica manager's use, end to end ---------------------------------------------- */

/* A client frames a Produce v9 request; the broker decodes it, answers every partition from
 * memory in its arena, and frames the response; the client reads it back. */
START_TEST(produce_frame_round_trip_as_a_broker_uses_it)
{
    struct produce_request req;
    struct produce_request_topic t;
    struct produce_request_partition p;
    produce_fixture(&req, &t, &p);
    struct wire_writer w;
    wire_writer_init(&w);
    size_t mark = kheader_frame_begin(&w);
    struct kheader_request h = {KAFKA_API_PRODUCE, 9, 42, "producer-1"};
    ck_assert_int_eq(kheader_request_encode(&w, &h, kheader_request_version(0, 9)), 0);
    ck_assert_int_eq(produce_request_encode(&w, &req, 9), 0);
    kheader_frame_end(&w, mark);

    struct wire_arena a; /* the broker's, for the request and its response */
    wire_arena_init(&a);
    struct kheader_request hdr;
    struct wire_reader body;
    ck_assert_int_eq(kheader_request_decode_frame(w.bytes, w.len, &a, &hdr, &body), 0);
    const struct schema_message *m = schema_find(hdr.api_key, false);
    ck_assert_ptr_eq(m, &produce_request_schema);
    struct produce_request in;
    ck_assert_int_eq(produce_request_decode(&body, hdr.api_version, &a, &in), 0);
    ck_assert_uint_eq(wire_reader_remaining(&body), 0);

    struct produce_response resp;
    produce_response_init(&resp);
    resp.topic_count = in.topic_count;
    resp.topics = wire_arena_alloc(&a, sizeof *resp.topics * (size_t)in.topic_count);
    for (int32_t i = 0; i < in.topic_count; i++) {
        struct produce_response_topic *rt = &resp.topics[i];
        produce_response_topic_init(rt);
        rt->name = in.topics[i].name;
        rt->partition_count = in.topics[i].partition_count;
        rt->partitions = wire_arena_alloc(&a, sizeof *rt->partitions * (size_t)rt->partition_count);
        for (int32_t j = 0; j < rt->partition_count; j++) {
            produce_response_partition_init(&rt->partitions[j]);
            rt->partitions[j].index = in.topics[i].partitions[j].index;
            rt->partitions[j].base_offset = 100 + j;
        }
    }
    struct wire_writer out;
    wire_writer_init(&out);
    mark = kheader_frame_begin(&out);
    struct kheader_response rh = {hdr.correlation_id};
    ck_assert_int_eq(kheader_response_encode(&out, &rh, kheader_response_version(0, 9)), 0);
    ck_assert_int_eq(produce_response_encode(&out, &resp, hdr.api_version), 0);
    kheader_frame_end(&out, mark);

    struct kheader_response got_h;
    ck_assert_int_eq(kheader_response_decode_frame(out.bytes, out.len, 0, 9, &got_h, &body), 0);
    ck_assert_int_eq(got_h.correlation_id, 42);
    struct produce_response got;
    ck_assert_int_eq(produce_response_decode(&body, 9, &a, &got), 0);
    ck_assert_uint_eq(wire_reader_remaining(&body), 0);
    ck_assert_str_eq(got.topics[0].name, "t");
    ck_assert(got.topics[0].partitions[0].base_offset == 100);
    ck_assert(got.topics[0].partitions[0].log_append_time_ms == -1);
    wire_writer_free(&w);
    wire_writer_free(&out);
    wire_arena_free(&a);
}
END_TEST

/* ---- Malformed input --------------------------------------------------------------------- */

START_TEST(known_tag_must_fill_its_size_and_nulls_are_checked)
{
    /* Produce v10 response, one topic with one partition whose CurrentLeader tag claims 10
     * bytes but its value (with its own tag section) takes 9. */
    const uint8_t bad[] = {
        0x02, 0x02, 't', 0x02, 0, 0, 0, 0, 0, 0, I64_MINUS_1, I64_MINUS_1, I64_MINUS_1,
        0x01, 0x00, 0x01, 0x00, 0x0a, 0, 0, 0, 2, 0, 0, 0, 7, 0x00, 0xee, 0x00, 0, 0, 0, 0, 0x00,
    };
    struct wire_arena a;
    wire_arena_init(&a);
    struct produce_response out;
    size_t used;
    ck_assert_int_eq(decode_exact(&produce_response_schema, 10, bad, sizeof bad, &a, &out,
                                  &used), -WIRE_EMALFORMED);
    /* A null Name (compact length 0) in a non-nullable string. */
    const uint8_t null_name[] = {0x02, 0x00, 0x01, 0x00, 0, 0, 0, 0, 0x00};
    ck_assert_int_eq(decode_exact(&produce_response_schema, 9, null_name, sizeof null_name, &a,
                                  &out, &used), -WIRE_EMALFORMED);
    /* A null array where the version does not allow one: OffsetFetch v1 Topics (null 2-7). */
    const uint8_t null_topics[] = {0x00, 0x01, 'g', 0xff, 0xff, 0xff, 0xff};
    struct offset_fetch_request of;
    ck_assert_int_eq(decode_exact(&offset_fetch_request_schema, 1, null_topics,
                                  sizeof null_topics, &a, &of, &used), -WIRE_EMALFORMED);
    ck_assert_int_eq(decode_exact(&offset_fetch_request_schema, 2, null_topics,
                                  sizeof null_topics, &a, &of, &used), 0);
    ck_assert_int_eq(of.topic_count, -1);
    wire_arena_free(&a);
}
END_TEST

START_TEST(encoder_rejects_bad_versions_nulls_and_counts)
{
    struct produce_request req;
    produce_request_init(&req);
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(schema_encode(&w, &produce_request_schema, &req, 2), -WIRE_EVERSION);
    ck_assert_int_eq(schema_encode(&w, &produce_request_schema, &req, 14), -WIRE_EVERSION);
    struct produce_request_topic t;
    produce_request_topic_init(&t);
    t.name = NULL; /* Name is never nullable */
    req.topic_count = 1;
    req.topics = &t;
    ck_assert_int_eq(schema_encode(&w, &produce_request_schema, &req, 9), -WIRE_EINVAL);
    wire_writer_reset(&w);
    req.topic_count = -1; /* TopicData is not nullable */
    ck_assert_int_eq(schema_encode(&w, &produce_request_schema, &req, 9), -WIRE_EINVAL);
    wire_writer_reset(&w);
    req.topic_count = 2;
    req.topics = NULL;
    ck_assert_int_eq(schema_encode(&w, &produce_request_schema, &req, 9), -WIRE_EINVAL);
    wire_writer_free(&w);

    struct wire_arena a;
    wire_arena_init(&a);
    struct wire_reader r;
    wire_reader_init(&r, NULL, 0);
    ck_assert_int_eq(schema_decode(&r, &produce_request_schema, 99, &a, &req), -WIRE_EVERSION);
    wire_arena_free(&a);
}
END_TEST

/* ---- Round trips over every message and version ------------------------------------------ */

/* Fills a message from its table with distinct non-default values. */
struct fill {
    struct wire_arena *arena;
    int16_t version;
    bool flexible;
    bool nulls; /* nullable values null, nullable arrays null, tagged fields left default */
    uint32_t next;
};

static bool in_range(struct schema_range r, int16_t v) { return r.on && v >= r.lo && v <= r.hi; }

static void fill_struct(struct fill *f, const struct schema_struct *s, void *base);

/* The fill code also serves --dump, outside Check's runner: plain abort() there. */
static void *need(void *p)
{
    if (p == NULL) {
        abort();
    }
    return p;
}

static const char *fill_text(struct fill *f, uint32_t n)
{
    char *s = need(wire_arena_alloc(f->arena, 16));
    size_t len = 1 + n % 7;
    for (size_t i = 0; i < len; i++) {
        s[i] = (char)('a' + (n + i) % 26);
    }
    return s;
}

static void fill_value(struct fill *f, enum schema_type t, const struct schema_struct *elem,
                       void *p)
{
    uint32_t n = ++f->next;
    switch (t) {
    case SCHEMA_INT8: *(int8_t *)p = (int8_t)(n % 100 + 1); break;
    case SCHEMA_INT16: *(int16_t *)p = (int16_t)(n + 1000); break;
    case SCHEMA_INT32: *(int32_t *)p = (int32_t)(n * 100003u); break;
    case SCHEMA_INT64: *(int64_t *)p = ((int64_t)n << 35) + n; break;
    case SCHEMA_UINT16: *(uint16_t *)p = (uint16_t)(60000 + n); break;
    case SCHEMA_UINT32: *(uint32_t *)p = 0xF0000000u + n; break;
    case SCHEMA_VARINT: *(int32_t *)p = -(int32_t)n * 1000; break;
    case SCHEMA_BOOL: *(bool *)p = true; break;
    case SCHEMA_FLOAT64: *(double *)p = n + 0.25; break;
    case SCHEMA_UUID: *(struct kuuid *)p = (struct kuuid){n, ~(uint64_t)n}; break;
    case SCHEMA_STRING: *(const char **)p = fill_text(f, n); break;
    case SCHEMA_BYTES:
    case SCHEMA_RECORDS: {
        const char *s = fill_text(f, n);
        *(struct wire_bytes *)p = (struct wire_bytes){(const uint8_t *)s, (int32_t)strlen(s)};
        break;
    }
    case SCHEMA_STRUCT: fill_struct(f, elem, p); break;
    default: abort();
    }
}

static void fill_array(struct fill *f, const struct schema_field *fd, void *base, bool nullable)
{
    int32_t *count = (int32_t *)((unsigned char *)base + fd->count_offset);
    void **items = (void **)((unsigned char *)base + fd->offset);
    if (f->nulls && nullable) {
        *count = -1;
        *items = NULL;
        return;
    }
    int32_t n = f->nulls ? 1 : 2;
    unsigned char *p = need(wire_arena_alloc(f->arena, (size_t)n * fd->elem_size));
    for (int32_t i = 0; i < n; i++) {
        void *e = p + (size_t)i * fd->elem_size;
        if (fd->elem != NULL) {
            schema_struct_init(fd->elem, e);
        }
        fill_value(f, fd->elem_type, fd->elem, e);
    }
    *count = n;
    *items = p;
}

static void fill_struct(struct fill *f, const struct schema_struct *s, void *base)
{
    for (size_t i = 0; i < s->field_count; i++) {
        const struct schema_field *fd = &s->fields[i];
        if (!in_range(fd->versions, f->version)) {
            continue;
        }
        bool tagged = f->flexible && in_range(fd->tagged, f->version);
        bool nullable = in_range(fd->nullable, f->version);
        if (f->nulls && tagged) {
            continue;
        }
        void *p = (unsigned char *)base + fd->offset;
        if (fd->type == SCHEMA_ARRAY) {
            fill_array(f, fd, base, nullable);
        } else if (f->nulls && nullable && fd->type == SCHEMA_STRING) {
            *(const char **)p = NULL;
        } else if (f->nulls && nullable) {
            *(struct wire_bytes *)p = WIRE_BYTES_NULL;
        } else {
            fill_value(f, fd->type, fd->elem, p);
        }
    }
}

static size_t scalar_size(enum schema_type t)
{
    switch (t) {
    case SCHEMA_INT8: return 1;
    case SCHEMA_INT16:
    case SCHEMA_UINT16: return 2;
    case SCHEMA_INT32:
    case SCHEMA_UINT32:
    case SCHEMA_VARINT: return 4;
    case SCHEMA_INT64:
    case SCHEMA_FLOAT64: return 8;
    case SCHEMA_BOOL: return sizeof(bool);
    case SCHEMA_UUID: return sizeof(struct kuuid);
    default: return 0;
    }
}

static const char *compare_struct(const struct schema_struct *s, const void *a, const void *b);

/* NULL when the two values of type t are equal, else the name of the first difference. */
static const char *compare_value(const char *name, enum schema_type t,
                                 const struct schema_struct *elem, const void *a, const void *b)
{
    if (t == SCHEMA_STRUCT) {
        return compare_struct(elem, a, b);
    }
    if (t == SCHEMA_STRING) {
        const char *x = *(const char *const *)a, *y = *(const char *const *)b;
        return (x == NULL && y == NULL) || (x != NULL && y != NULL && strcmp(x, y) == 0) ? NULL
                                                                                          : name;
    }
    if (t == SCHEMA_BYTES || t == SCHEMA_RECORDS) {
        const struct wire_bytes *x = a, *y = b;
        bool same = x->len == y->len && (x->len <= 0 || memcmp(x->ptr, y->ptr, x->len) == 0);
        return same ? NULL : name;
    }
    return memcmp(a, b, scalar_size(t)) == 0 ? NULL : name;
}

static const char *compare_array(const struct schema_field *fd, const void *a, const void *b)
{
    int32_t n = *(const int32_t *)((const unsigned char *)a + fd->count_offset);
    if (n != *(const int32_t *)((const unsigned char *)b + fd->count_offset)) {
        return fd->name;
    }
    const unsigned char *x = *(const void *const *)((const unsigned char *)a + fd->offset);
    const unsigned char *y = *(const void *const *)((const unsigned char *)b + fd->offset);
    for (int32_t i = 0; i < n; i++) {
        size_t at = (size_t)i * fd->elem_size;
        const char *diff = compare_value(fd->name, fd->elem_type, fd->elem, x + at, y + at);
        if (diff != NULL) {
            return diff;
        }
    }
    return NULL;
}

static const char *compare_struct(const struct schema_struct *s, const void *a, const void *b)
{
    for (size_t i = 0; i < s->field_count; i++) {
        const struct schema_field *fd = &s->fields[i];
        const char *diff;
        if (fd->type == SCHEMA_ARRAY) {
            diff = compare_array(fd, a, b);
        } else {
            diff = compare_value(fd->name, fd->type, fd->elem,
                                 (const unsigned char *)a + fd->offset,
                                 (const unsigned char *)b + fd->offset);
        }
        if (diff != NULL) {
            return diff;
        }
    }
    return NULL;
}

/* Room for any decoded message struct, aligned as malloc would. */
#define MESSAGE_BYTES 2048
#define MESSAGE_BUF(name) _Alignas(16) unsigned char name[MESSAGE_BYTES]

/* What the round trips checked, for the figures the report quotes. */
static unsigned long round_trips, truncations, mutations;

/* Every strict prefix of a good body is an error, never a read past its end. */
static void check_truncations(const struct schema_message *m, int16_t v, const uint8_t *bytes,
                              size_t len)
{
    struct wire_arena a;
    wire_arena_init(&a);
    MESSAGE_BUF(out);
    for (size_t cut = 0; cut < len; cut++) {
        size_t used;
        int err = decode_exact(m, v, bytes, cut, &a, out, &used);
        ck_assert_msg(err != 0, "%s v%d: %zu of %zu bytes decoded", m->name, v, cut, len);
        ck_assert_uint_le(used, cut);
        truncations++;
    }
    wire_arena_free(&a);
}

/* A decoded message re-encodes; the re-encoding decodes to its last byte and is stable. */
static void check_reencodes(const struct schema_message *m, int16_t v, const void *msg)
{
    struct wire_writer w1, w2;
    wire_writer_init(&w1);
    wire_writer_init(&w2);
    ck_assert_int_eq(schema_encode(&w1, m, msg, v), 0);
    struct wire_arena a;
    wire_arena_init(&a);
    MESSAGE_BUF(again);
    size_t used;
    ck_assert_int_eq(decode_exact(m, v, w1.bytes, w1.len, &a, again, &used), 0);
    ck_assert_uint_eq(used, w1.len);
    ck_assert_int_eq(schema_encode(&w2, m, again, v), 0);
    ck_assert_uint_eq(w1.len, w2.len);
    ck_assert(w1.len == 0 || memcmp(w1.bytes, w2.bytes, w1.len) == 0);
    wire_arena_free(&a);
    wire_writer_free(&w1);
    wire_writer_free(&w2);
}

/* Flips bits of every byte of a good body: each decode fails cleanly or re-encodes. */
static void check_mutations(const struct schema_message *m, int16_t v, const uint8_t *bytes,
                            size_t len)
{
    uint8_t *copy = malloc(len);
    ck_assert_ptr_nonnull(copy);
    static const uint8_t masks[] = {0x01, 0x80, 0xff};
    for (size_t i = 0; i < len; i++) {
        for (size_t k = 0; k < sizeof masks; k++) {
            memcpy(copy, bytes, len);
            copy[i] ^= masks[k];
            struct wire_arena a;
            wire_arena_init(&a);
            MESSAGE_BUF(out);
            size_t used;
            if (decode_exact(m, v, copy, len, &a, out, &used) == 0) {
                check_reencodes(m, v, out);
            }
            wire_arena_free(&a);
            mutations++;
        }
    }
    free(copy);
}

static void round_trip(const struct schema_message *m, int16_t v, bool nulls)
{
    ck_assert_uint_le(m->body->size, MESSAGE_BYTES);
    struct wire_arena a;
    wire_arena_init(&a);
    MESSAGE_BUF(in);
    MESSAGE_BUF(out);
    schema_init(m, in);
    struct fill f = {.arena = &a, .version = v, .flexible = schema_flexible(m, v),
                     .nulls = nulls, .next = (uint32_t)v * 1000};
    fill_struct(&f, m->body, in);
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_msg(schema_encode(&w, m, in, v) == 0, "%s v%d encodes", m->name, v);
    size_t used;
    ck_assert_int_eq(decode_exact(m, v, w.bytes, w.len, &a, out, &used), 0);
    ck_assert_msg(used == w.len, "%s v%d: decoded %zu of %zu", m->name, v, used, w.len);
    const char *diff = compare_struct(m->body, in, out);
    ck_assert_msg(diff == NULL, "%s v%d nulls=%d: %s differs", m->name, v, nulls, diff);
    check_reencodes(m, v, out);
    check_truncations(m, v, w.bytes, w.len);
    check_mutations(m, v, w.bytes, w.len);
    round_trips++;
    wire_writer_free(&w);
    wire_arena_free(&a);
}

START_TEST(every_message_round_trips_at_every_version)
{
    for (size_t i = 0; i < schema_message_count(); i++) {
        const struct schema_message *m = schema_message_at(i);
        for (int16_t v = m->version_min; v <= m->version_max; v++) {
            round_trip(m, v, false);
            round_trip(m, v, true);
        }
    }
    fprintf(stderr, "schema: %lu round trips, %lu truncated decodes, %lu mutated decodes\n",
            round_trips, truncations, mutations);
}
END_TEST

START_TEST(garbage_never_crashes_a_decoder)
{
    uint64_t s = 0x9E3779B97F4A7C15u;
    uint8_t buf[96];
    unsigned long accepted = 0, tried = 0;
    for (size_t i = 0; i < schema_message_count(); i++) {
        const struct schema_message *m = schema_message_at(i);
        for (int16_t v = m->version_min; v <= m->version_max; v++) {
            for (int k = 0; k < 300; k++) {
                size_t len = (size_t)(k % (int)sizeof buf);
                for (size_t j = 0; j < len; j++) {
                    s = s * 6364136223846793005u + 1442695040888963407u;
                    /* Mostly small bytes, so lengths and counts are often plausible. */
                    buf[j] = (uint8_t)((s >> 33) % 4 == 0 ? s >> 40 : (s >> 40) % 4);
                }
                struct wire_arena a;
                wire_arena_init(&a);
                MESSAGE_BUF(out);
                size_t used;
                if (decode_exact(m, v, buf, len, &a, out, &used) == 0) {
                    check_reencodes(m, v, out);
                    accepted++;
                }
                wire_arena_free(&a);
                tried++;
            }
        }
    }
    fprintf(stderr, "schema: %lu garbage inputs, %lu decoded\n", tried, accepted);
    ck_assert_uint_gt(accepted, 0);
}
END_TEST

/* ---- Every type, through a table of the test's own ----------------------------------------- */

struct every_inner {
    uint16_t port;
    double ratio;
};

struct every {
    int8_t i8;
    uint32_t u32;
    int32_t var;
    double f64;
    struct kuuid id;
    struct wire_bytes blob; /* nullable v1+ */
    struct every_inner inner;
    int32_t tag_int;        /* {tag 1} v1+ [-5] */
    const char *tag_string; /* {tag 3} v1+, nullable [null] */
    int32_t value_count;    /* {tag 4} v1+ */
    int64_t *values;
};

static const struct schema_field every_inner_fields[] = {
    SCHEMA_FIELD(struct every_inner, port, "Port", SCHEMA_UINT16, SCHEMA_FROM(0)),
    SCHEMA_FIELD(struct every_inner, ratio, "Ratio", SCHEMA_FLOAT64, SCHEMA_FROM(0),
                 .def_float = 1.5),
};
static const struct schema_struct every_inner_desc =
    SCHEMA_STRUCT_DESC(struct every_inner, "Inner", every_inner_fields);

static const struct schema_field every_fields[] = {
    SCHEMA_FIELD(struct every, i8, "I8", SCHEMA_INT8, SCHEMA_FROM(0), .def = -3),
    SCHEMA_FIELD(struct every, u32, "U32", SCHEMA_UINT32, SCHEMA_FROM(0)),
    SCHEMA_FIELD(struct every, var, "Var", SCHEMA_VARINT, SCHEMA_FROM(0)),
    SCHEMA_FIELD(struct every, f64, "F64", SCHEMA_FLOAT64, SCHEMA_FROM(0)),
    SCHEMA_FIELD(struct every, id, "Id", SCHEMA_UUID, SCHEMA_FROM(0)),
    SCHEMA_FIELD(struct every, blob, "Blob", SCHEMA_BYTES, SCHEMA_FROM(0),
                 SCHEMA_NULLABLE(SCHEMA_FROM(1))),
    SCHEMA_STRUCT_FIELD(struct every, inner, "Inner", every_inner_desc, SCHEMA_FROM(0)),
    SCHEMA_FIELD(struct every, tag_int, "TagInt", SCHEMA_INT32, SCHEMA_FROM(1), .def = -5,
                 SCHEMA_TAG(1, SCHEMA_FROM(1))),
    SCHEMA_FIELD(struct every, tag_string, "TagString", SCHEMA_STRING, SCHEMA_FROM(1),
                 SCHEMA_NULL_DEFAULT(SCHEMA_FROM(1)), SCHEMA_TAG(3, SCHEMA_FROM(1))),
    SCHEMA_VALUES_FIELD(struct every, values, value_count, "Values", SCHEMA_INT64,
                        SCHEMA_FROM(1), SCHEMA_TAG(4, SCHEMA_FROM(1))),
};
static const struct schema_struct every_desc =
    SCHEMA_STRUCT_DESC(struct every, "EveryRequest", every_fields);
static const struct schema_message every_schema = {
    .name = "EveryRequest", .api_key = 1000, .version_min = 0, .version_max = 1,
    .flexible_min = 1, .body = &every_desc,
};

START_TEST(every_type_round_trips_and_defaults_apply)
{
    ck_assert_ptr_null(schema_check(&every_schema));
    struct every e;
    schema_init(&every_schema, &e);
    ck_assert_int_eq(e.i8, -3);
    ck_assert(e.inner.ratio == 1.5);
    ck_assert_int_eq(e.tag_int, -5);
    ck_assert_ptr_null(e.tag_string);
    ck_assert_int_eq(e.blob.len, 0);
    for (int16_t v = 0; v <= 1; v++) {
        round_trip(&every_schema, v, false);
        round_trip(&every_schema, v, true);
    }
    /* v1 golden with only TagString and Values set among the tagged fields. */
    int64_t values[] = {-1};
    e.i8 = 1;
    e.u32 = 0xfffffffe;
    e.var = -2;
    e.f64 = -0.0;
    e.id = (struct kuuid){1, 2};
    e.blob = WIRE_BYTES_NULL;
    e.inner = (struct every_inner){65535, 2.0};
    e.tag_string = "x";
    e.value_count = 1;
    e.values = values;
    const uint8_t want[] = {
        0x01, 0xff, 0xff, 0xff, 0xfe, 0x03,             /* I8, U32, Var -2 (zig-zag 3) */
        0x80, 0, 0, 0, 0, 0, 0, 0,                      /* F64 -0.0 */
        0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, /* Id */
        0x00,                                           /* Blob: compact null */
        0xff, 0xff, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x00,    /* Inner: Port, Ratio 2.0, tags */
        0x02, 0x03, 0x02, 0x02, 'x',                    /* tags: 2; tag 3, 2 bytes: "x" */
        0x04, 0x09, 0x02, I64_MINUS_1,                  /* tag 4, 9 bytes: [-1] */
    };
    check_encodes_to(&every_schema, &e, 1, want, sizeof want);
    /* v0 has no tagged fields and no null Blob. */
    struct wire_writer w;
    wire_writer_init(&w);
    ck_assert_int_eq(schema_encode(&w, &every_schema, &e, 0), -WIRE_EINVAL);
    wire_writer_free(&w);
}
END_TEST

static Suite *schema_suite(void)
{
    Suite *s = suite_create("schema");
    TCase *tables = tcase_create("tables");
    tcase_add_test(tables, every_table_passes_its_checks_and_matches_the_api_table);
    tcase_add_test(tables, schema_check_names_a_bad_row);
    suite_add_tcase(s, tables);
    TCase *golden = tcase_create("golden");
    tcase_add_test(golden, produce_request_v3_golden);
    tcase_add_test(golden, produce_request_v9_golden_is_flexible_and_skips_unknown_tags);
    tcase_add_test(golden, produce_response_v10_golden_writes_tagged_fields_only_when_set);
    tcase_add_test(golden, list_offsets_request_v1_and_v7_golden);
    tcase_add_test(golden, init_producer_id_v4_golden_with_a_tag_absent_and_present);
    tcase_add_test(golden, find_coordinator_v0_and_v4_golden);
    tcase_add_test(golden, allocate_producer_ids_v0_golden);
    tcase_add_test(golden, every_type_round_trips_and_defaults_apply);
    tcase_add_test(golden, produce_frame_round_trip_as_a_broker_uses_it);
    suite_add_tcase(s, golden);
    TCase *bad = tcase_create("bad input");
    tcase_add_test(bad, known_tag_must_fill_its_size_and_nulls_are_checked);
    tcase_add_test(bad, encoder_rejects_bad_versions_nulls_and_counts);
    tcase_add_test(bad, garbage_never_crashes_a_decoder);
    suite_add_tcase(s, bad);
    TCase *all = tcase_create("all versions");
    tcase_set_timeout(all, 300);
    tcase_add_test(all, every_message_round_trips_at_every_version);
    suite_add_tcase(s, all);
    return s;
}

/* ---- Dump mode, for tests/schema_kafka_python_test ------------------------------------------ */

static void dump_struct(const struct schema_struct *s, const void *base, int16_t v);

static void dump_value(enum schema_type t, const struct schema_struct *elem, const void *p,
                       int16_t v)
{
    switch (t) {
    case SCHEMA_INT8: printf("%d", *(const int8_t *)p); break;
    case SCHEMA_INT16: printf("%d", *(const int16_t *)p); break;
    case SCHEMA_INT32: printf("%d", (int)*(const int32_t *)p); break;
    case SCHEMA_INT64: printf("%lld", (long long)*(const int64_t *)p); break;
    case SCHEMA_BOOL: printf("%s", *(const bool *)p ? "true" : "false"); break;
    case SCHEMA_STRING: {
        const char *str = *(const char *const *)p;
        printf(str == NULL ? "null" : "\"%s\"", str); /* fill_text makes [a-z]+ only */
        break;
    }
    case SCHEMA_BYTES:
    case SCHEMA_RECORDS: {
        const struct wire_bytes *b = p;
        if (b->len < 0) {
            printf("null");
            break;
        }
        printf("\"");
        for (int32_t i = 0; i < b->len; i++) {
            printf("%02x", b->ptr[i]);
        }
        printf("\"");
        break;
    }
    case SCHEMA_STRUCT: dump_struct(elem, p, v); break;
    default: printf("\"%s?\"", schema_type_name(t)); break;
    }
}

/* The values of a non-flexible version in wire order, as nested JSON lists. */
static void dump_struct(const struct schema_struct *s, const void *base, int16_t v)
{
    const char *sep = "";
    printf("[");
    for (size_t i = 0; i < s->field_count; i++) {
        const struct schema_field *fd = &s->fields[i];
        if (!in_range(fd->versions, v)) {
            continue;
        }
        printf("%s", sep);
        sep = ", ";
        if (fd->type != SCHEMA_ARRAY) {
            dump_value(fd->type, fd->elem, (const unsigned char *)base + fd->offset, v);
            continue;
        }
        int32_t n = *(const int32_t *)((const unsigned char *)base + fd->count_offset);
        const void *const *slot = (const void *const *)((const unsigned char *)base + fd->offset);
        const unsigned char *items = *slot;
        printf(n < 0 ? "null" : "[");
        for (int32_t k = 0; k < n; k++) {
            printf("%s", k > 0 ? ", " : "");
            dump_value(fd->elem_type, fd->elem, items + (size_t)k * fd->elem_size, v);
        }
        printf(n < 0 ? "" : "]");
    }
    printf("]");
}

/* test_schema --dump NAME VERSION [nulls]: the populated body in hex, then its values. */
static int dump(int argc, char **argv)
{
    const struct schema_message *m = NULL;
    for (size_t i = 0; i < schema_message_count() && argc >= 4; i++) {
        if (strcmp(schema_message_at(i)->name, argv[2]) == 0) {
            m = schema_message_at(i);
        }
    }
    int16_t v = argc >= 4 ? (int16_t)atoi(argv[3]) : -1;
    if (m == NULL || !schema_version_ok(m, v) || schema_flexible(m, v)) {
        fprintf(stderr, "usage: test_schema --dump MESSAGE NON_FLEXIBLE_VERSION [nulls]\n");
        return 2;
    }
    struct wire_arena a;
    wire_arena_init(&a);
    MESSAGE_BUF(msg);
    schema_init(m, msg);
    struct fill f = {.arena = &a, .version = v, .nulls = argc > 4, .next = 40};
    fill_struct(&f, m->body, msg);
    struct wire_writer w;
    wire_writer_init(&w);
    if (schema_encode(&w, m, msg, v) != 0) {
        return 1;
    }
    for (size_t i = 0; i < w.len; i++) {
        printf("%02x", w.bytes[i]);
    }
    printf("\n");
    dump_struct(m->body, msg, v);
    printf("\n");
    wire_writer_free(&w);
    wire_arena_free(&a);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--dump") == 0) {
        return dump(argc, argv);
    }
    SRunner *sr = srunner_create(schema_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failures = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
