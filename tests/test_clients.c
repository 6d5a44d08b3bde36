/* test_clients.c — the simulated producer and consumer against a fake broker: histories with
 * the right offsets, retries, idempotence, metadata refresh, and what the checker makes of it. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/history.h"
#include "protocol/admin_rpc.h"
#include "protocol/data_rpc.h"
#include "protocol/fetch.h"
#include "protocol/header.h"
#include "protocol/record_batch.h"
#include "trace/db.h"
#include "world/world.h"
#include "workload/consumer.h"
#include "workload/partitioner.h"
#include "workload/producer.h"

/* ---- the fake broker: one node (id 1, host "broker"), leader of every partition of "t" ----- */

#define FAKE_PARTITIONS 3
#define FAKE_RECORDS 4096
#define FAKE_NODE 1

struct fake_seen {
    int64_t producer_id;
    int32_t sequence;
    int64_t base_offset;
};

struct fake_fetch {
    bool parked;
    int from;
    int32_t correlation;
    int32_t count;
    int32_t partition[FAKE_PARTITIONS];
    int64_t offset[FAKE_PARTITIONS];
};

static struct fake {
    int64_t log[FAKE_PARTITIONS][FAKE_RECORDS];
    int64_t end[FAKE_PARTITIONS];
    struct fake_seen seen[FAKE_PARTITIONS][64];
    int seen_count[FAKE_PARTITIONS];
    int not_leader_once;    /* the next N Produce answers: NOT_LEADER_OR_FOLLOWER */
    int drop_produce;       /* the next N Produce requests: appended, never answered */
    int timed_out;          /* the next N: appended, answered REQUEST_TIMED_OUT */
    int16_t fatal;          /* every Produce answered with it, nothing appended */
    int drop_metadata;      /* the next N Metadata requests: counted, never answered */
    int produce_requests, metadata_requests;
    int64_t next_producer_id;
    struct fake_fetch fetch;
    const struct env *env;
} fake;

static void respond(const struct env *env, int to, int16_t key, int16_t v, int32_t corr,
                    struct wire_writer *body)
{
    struct wire_writer w;
    wire_writer_init(&w);
    size_t mark = kheader_frame_begin(&w);
    struct kheader_response h = {.correlation_id = corr};
    kheader_response_encode(&w, &h, kheader_response_version(key, v));
    wire_write_raw(&w, body->bytes, body->len);
    kheader_frame_end(&w, mark);
    env->ops->send(env->ctx, to, ENV_CHANNEL_RESPONSE, w.bytes, w.len);
    wire_writer_free(&w);
}

static void fake_metadata(struct wire_writer *out, int16_t v)
{
    fake.metadata_requests++;
    struct metadata_response_broker b = {.node_id = FAKE_NODE, .host = "broker", .port = 9092};
    struct metadata_response_partition parts[FAKE_PARTITIONS];
    int32_t replicas[1] = {FAKE_NODE};
    for (int i = 0; i < FAKE_PARTITIONS; i++) {
        metadata_response_partition_init(&parts[i]);
        parts[i].partition_index = i;
        parts[i].leader_id = FAKE_NODE;
        parts[i].leader_epoch = 1;
        parts[i].replica_node_count = parts[i].isr_node_count = 1;
        parts[i].replica_nodes = parts[i].isr_nodes = replicas;
    }
    struct metadata_response_topic t;
    metadata_response_topic_init(&t);
    t.name = "t";
    t.partition_count = FAKE_PARTITIONS;
    t.partitions = parts;
    struct metadata_response r;
    metadata_response_init(&r);
    r.broker_count = 1;
    r.brokers = &b;
    r.cluster_id = "fake";
    r.controller_id = FAKE_NODE;
    r.topic_count = 1;
    r.topics = &t;
    ck_assert_int_eq(metadata_response_encode(out, &r, v), 0);
}

/* Appends a batch as a leader does, dropping a duplicate (producer id, sequence). */
static int16_t fake_append(int32_t p, struct wire_bytes records, int64_t *base)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct record_batch b;
    int16_t error = KAFKA_CORRUPT_MESSAGE;
    if (record_batch_decode(records.ptr, (size_t)records.len, &a, &b, NULL) == 0) {
        error = KAFKA_NONE;
        for (int i = 0; i < fake.seen_count[p] && b.producer_id >= 0; i++) {
            if (fake.seen[p][i].producer_id == b.producer_id &&
                fake.seen[p][i].sequence == b.base_sequence) {
                *base = fake.seen[p][i].base_offset; /* ProducerStateManager: a duplicate */
                wire_arena_free(&a);
                return KAFKA_NONE;
            }
        }
        *base = fake.end[p];
        if (b.producer_id >= 0) {
            fake.seen[p][fake.seen_count[p]++ % 64] =
                (struct fake_seen){b.producer_id, b.base_sequence, *base};
        }
        for (int32_t i = 0; i < b.record_count; i++) {
            char text[32] = {0};
            memcpy(text, b.records[i].value.ptr, (size_t)b.records[i].value.len);
            fake.log[p][fake.end[p]++] = strtoll(text, NULL, 10);
        }
    }
    wire_arena_free(&a);
    return error;
}

/* Returns false when the answer is to be dropped. */
static bool fake_produce(struct wire_reader *body, int16_t v, struct wire_arena *a,
                         struct wire_writer *out)
{
    fake.produce_requests++;
    struct produce_request req;
    ck_assert_int_eq(produce_request_decode(body, v, a, &req), 0);
    ck_assert_int_eq(req.topic_count, 1);
    ck_assert_int_eq(req.topics[0].partition_count, 1);
    const struct produce_request_partition *rp = &req.topics[0].partitions[0];
    struct produce_response_partition pp;
    produce_response_partition_init(&pp);
    pp.index = rp->index;
    pp.error_code = KAFKA_NONE;
    if (fake.not_leader_once > 0) {
        fake.not_leader_once--;
        pp.error_code = KAFKA_NOT_LEADER_OR_FOLLOWER;
    } else if (fake.fatal != KAFKA_NONE) {
        pp.error_code = fake.fatal;
    } else {
        pp.error_code = fake_append(rp->index, rp->records, &pp.base_offset);
        if (fake.drop_produce > 0) {
            fake.drop_produce--;
            return false;
        }
        if (fake.timed_out > 0) {
            fake.timed_out--;
            pp.error_code = KAFKA_REQUEST_TIMED_OUT;
        }
    }
    struct produce_response_topic t = {.name = req.topics[0].name, .partition_count = 1,
                                       .partitions = &pp};
    struct produce_response r;
    produce_response_init(&r);
    r.topic_count = 1;
    r.topics = &t;
    ck_assert_int_eq(produce_response_encode(out, &r, v), 0);
    return req.acks != 0;
}

static void fake_list_offsets(struct wire_reader *body, int16_t v, struct wire_arena *a,
                              struct wire_writer *out)
{
    struct list_offsets_request req;
    ck_assert_int_eq(list_offsets_request_decode(body, v, a, &req), 0);
    const struct list_offsets_partition *lp = &req.topics[0].partitions[0];
    struct list_offsets_partition_response pr;
    list_offsets_partition_response_init(&pr);
    pr.partition_index = lp->partition_index;
    pr.offset = lp->timestamp == -2 ? 0 : fake.end[lp->partition_index];
    pr.leader_epoch = 1;
    struct list_offsets_topic_response t = {.name = "t", .partition_count = 1,
                                            .partitions = &pr};
    struct list_offsets_response r;
    list_offsets_response_init(&r);
    r.topic_count = 1;
    r.topics = &t;
    ck_assert_int_eq(list_offsets_response_encode(out, &r, v), 0);
}

static void fake_fetch_answer(void)
{
    struct fake_fetch *f = &fake.fetch;
    struct fetch_response_partition parts[FAKE_PARTITIONS];
    struct wire_writer recs[FAKE_PARTITIONS];
    char text[FAKE_PARTITIONS][16][24];
    for (int32_t i = 0; i < f->count; i++) {
        int32_t p = f->partition[i];
        fetch_response_partition_init(&parts[i]);
        parts[i].partition_index = p;
        parts[i].high_watermark = parts[i].last_stable_offset = fake.end[p];
        parts[i].log_start_offset = 0;
        wire_writer_init(&recs[i]);
        int64_t from = f->offset[i], n = fake.end[p] - from;
        if (from > fake.end[p]) {
            parts[i].error_code = KAFKA_OFFSET_OUT_OF_RANGE;
            continue;
        }
        n = n > 16 ? 16 : n;
        if (n > 0) {
            struct record_batch_record r[16];
            for (int64_t k = 0; k < n; k++) {
                int len = snprintf(text[i][k], 24, "%" PRId64, fake.log[p][from + k]);
                r[k] = (struct record_batch_record){.offset_delta = (int32_t)k,
                                                    .key = {NULL, -1},
                                                    .value = {(uint8_t *)text[i][k], len}};
            }
            struct record_batch b;
            record_batch_init(&b);
            b.base_offset = from;
            b.last_offset_delta = (int32_t)n - 1;
            b.record_count = (int32_t)n;
            b.records = r;
            ck_assert_int_eq(record_batch_encode(&recs[i], &b), 0);
        }
        parts[i].records = (struct wire_bytes){recs[i].bytes, (int32_t)recs[i].len};
    }
    struct fetch_response_topic t = {.topic = "t", .partition_count = f->count,
                                     .partitions = parts};
    struct fetch_response r;
    fetch_response_init(&r);
    r.topic_count = 1;
    r.topics = &t;
    struct wire_writer out;
    wire_writer_init(&out);
    ck_assert_int_eq(fetch_response_encode(&out, &r, CLIENT_FETCH_VERSION), 0);
    respond(fake.env, f->from, KAFKA_API_FETCH, CLIENT_FETCH_VERSION, f->correlation, &out);
    wire_writer_free(&out);
    for (int32_t i = 0; i < f->count; i++) {
        wire_writer_free(&recs[i]);
    }
    f->parked = false;
}

/* A Fetch is answered at once when it has data, else after MaxWaitMs (DelayedFetch). */
static void fake_fetch(int from, int32_t corr, struct wire_reader *body, int16_t v,
                       struct wire_arena *a)
{
    struct fetch_request req;
    ck_assert_int_eq(fetch_request_decode(body, v, a, &req), 0);
    /* A parked Fetch still here belongs to a connection reset since: the new one replaces it. */
    struct fake_fetch *f = &fake.fetch;
    *f = (struct fake_fetch){.from = from, .correlation = corr};
    bool data = false;
    for (int32_t i = 0; i < req.topics[0].partition_count; i++) {
        const struct fetch_request_partition *rp = &req.topics[0].partitions[i];
        f->partition[f->count] = rp->partition;
        f->offset[f->count++] = rp->fetch_offset;
        data = data || rp->fetch_offset != fake.end[rp->partition];
    }
    if (data) {
        fake_fetch_answer();
        return;
    }
    f->parked = true;
    fake.env->ops->timer_set(fake.env->ctx, (time_ns)req.max_wait_ms * NS_PER_MS, 1);
}

static void fake_request(int from, const uint8_t *bytes, size_t len)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct kheader_request h;
    struct wire_reader body;
    ck_assert_int_eq(kheader_request_decode_frame(bytes, len, &a, &h, &body), 0);
    struct wire_writer out;
    wire_writer_init(&out);
    bool answer = true;
    if (h.api_key == KAFKA_API_METADATA) {
        fake_metadata(&out, h.api_version);
        answer = fake.drop_metadata == 0;
        fake.drop_metadata -= fake.drop_metadata > 0;
    } else if (h.api_key == KAFKA_API_PRODUCE) {
        answer = fake_produce(&body, h.api_version, &a, &out);
    } else if (h.api_key == KAFKA_API_LIST_OFFSETS) {
        fake_list_offsets(&body, h.api_version, &a, &out);
    } else if (h.api_key == KAFKA_API_INIT_PRODUCER_ID) {
        struct init_producer_id_response r;
        init_producer_id_response_init(&r);
        r.producer_id = ++fake.next_producer_id + 1000;
        r.producer_epoch = 0;
        ck_assert_int_eq(init_producer_id_response_encode(&out, &r, h.api_version), 0);
    } else if (h.api_key == KAFKA_API_FETCH) {
        fake_fetch(from, h.correlation_id, &body, h.api_version, &a);
        answer = false;
    } else {
        ck_abort_msg("the fake broker got api key %d", h.api_key);
    }
    if (answer) {
        respond(fake.env, from, h.api_key, h.api_version, h.correlation_id, &out);
    }
    wire_writer_free(&out);
    wire_arena_free(&a);
}

static void *fake_boot(const struct env *env, const void *config)
{
    (void)config;
    fake.env = env;
    return &fake;
}

static void fake_step(void *proc, const struct env_event *e)
{
    (void)proc;
    if (e->kind == ENV_EVENT_MESSAGE && e->u.message.channel == ENV_CHANNEL_REQUEST) {
        fake_request(e->u.message.from_host, e->u.message.bytes, e->u.message.len);
    } else if (e->kind == ENV_EVENT_TIMER && fake.fetch.parked) {
        fake_fetch_answer();
    }
}

static void fake_destroy(void *proc) { (void)proc; }

static const struct process_ops fake_broker = {
    .name = "fake-broker", .start = fake_boot, .step = fake_step, .destroy = fake_destroy};

/* ---- the fixture: broker on host 0, producer on 1, consumer on 2 --------------------------- */

struct op_log {
    int invoke, ok, fail, info, polls;
    int64_t ok_offset[256];
    int32_t ok_partition[256];
    int64_t ok_value[256];
};

static struct world *w;
static struct history *h;
static struct op_log ops;
static char findings[8][400];
static int finding_count;
static enum history_class finding_class[8];

static void on_finding(void *ctx, enum history_class c, const char *text)
{
    (void)ctx;
    if (finding_count < 8) {
        finding_class[finding_count] = c;
        snprintf(findings[finding_count], sizeof findings[0], "%s", text);
    }
    finding_count++;
}

static void on_op(void *ctx, const struct run_db_op *op)
{
    (void)ctx;
    if (strcmp(op->f, "poll") == 0) {
        ops.polls++;
    } else if (strcmp(op->f, "send") == 0 && strcmp(op->type, "invoke") == 0) {
        ops.invoke++;
    } else if (strcmp(op->f, "send") == 0 && strcmp(op->type, "ok") == 0) {
        ck_assert_int_lt(ops.ok, 256);
        ops.ok_offset[ops.ok] = op->offset;
        ops.ok_partition[ops.ok] = op->partition;
        ops.ok_value[ops.ok++] = op->value;
    } else if (strcmp(op->f, "send") == 0) {
        *(strcmp(op->type, "fail") == 0 ? &ops.fail : &ops.info) += 1;
    }
}

#define ROUND_ROBIN "org.apache.kafka.clients.producer.RoundRobinPartitioner"

/* The fake-broker tests place records by RoundRobinPartitioner, so each test knows where a
 * value lands (the built-in sticky partitioner has its own tests below), unless the test
 * names partitioner.class itself ("" keeps Kafka's default). */
static void settings(struct client_config *cfg, enum client_kind kind, const char *const *kv)
{
    char err[256];
    client_config_init(cfg, kind, NULL);
    bool own = false;
    for (const char *const *k = kv; k != NULL && k[0] != NULL; k += 2) {
        own = own || strcmp(k[0], "partitioner.class") == 0;
    }
    if (kind == CLIENT_PRODUCER && !own) {
        ck_assert(client_config_set(cfg, "partitioner.class", ROUND_ROBIN, err, sizeof err) == 0);
    }
    for (; kv != NULL && kv[0] != NULL; kv += 2) {
        if (strcmp(kv[0], "partitioner.class") == 0 && kv[1][0] == '\0') {
            continue;
        }
        ck_assert_msg(client_config_set(cfg, kv[0], kv[1], err, sizeof err) == 0, "%s", err);
    }
    ck_assert_msg(client_config_finish(cfg, err, sizeof err) == 0, "%s", err);
}

static struct producer_config pcfg;
static int64_t next_value;
static struct consumer_config ccfg;

static void start(uint64_t seed, const char *const *producer_kv, const char *const *consumer_kv)
{
    memset(&fake, 0, sizeof fake);
    memset(&ops, 0, sizeof ops);
    finding_count = 0;
    next_value = 0;
    const char *names[] = {"broker", "client-1", "client-2"};
    w = world_create(seed, 3, names, NULL, NULL);
    struct history_config hc = {.on_finding = on_finding};
    h = history_create(&hc);
    struct client_sinks sinks = {.history = h, .on_op = on_op};
    pcfg = (struct producer_config){.name = "producer-1", .topic = "t", .bootstrap_host = 0,
                                    .value_base = 1000, .sinks = sinks};
    settings(&pcfg.settings, CLIENT_PRODUCER, producer_kv);
    pcfg.history_id = history_producer(h, "producer-1", pcfg.settings.idempotent);
    host_install(world_host(w, 0), &fake_broker, NULL);
    host_install(world_host(w, 1), &producer_process, &pcfg);
    ck_assert(host_start(world_host(w, 0)));
    ck_assert(host_start(world_host(w, 1)));
    if (consumer_kv != NULL) {
        ccfg = (struct consumer_config){.name = "consumer-1", .topic = "t",
                                        .bootstrap_host = 0, .sinks = sinks};
        settings(&ccfg.settings, CLIENT_CONSUMER, consumer_kv);
        ccfg.history_id = history_consumer(h, "consumer-1", NULL);
        host_install(world_host(w, 2), &consumer_process, &ccfg);
        ck_assert(host_start(world_host(w, 2)));
    }
    world_run_until(w, 100 * NS_PER_MS);
    ck_assert(producer_stats(world_host(w, 1)->proc).ready);
}

static void *producer(void) { return world_host(w, 1)->proc; }
static void *consumer(void) { return world_host(w, 2)->proc; }
static void run_for(time_ns d) { world_run_until(w, world_now(w) + d); }

/* n values, unique in the run: 1000, 1001, ... */
static void send_values(int n)
{
    for (int i = 0; i < n; i++) {
        ck_assert(producer_send(producer(), 1000 + next_value++));
        run_for(NS_PER_MS);
    }
}

/* Drains the consumer, finishes the history; returns the number of findings. */
static int finish(bool drain)
{
    if (drain) {
        consumer_drain(consumer());
        for (int i = 0; i < 100 && !consumer_drained(consumer()); i++) {
            run_for(100 * NS_PER_MS);
        }
        ck_assert(consumer_drained(consumer()));
    }
    history_finish(h);
    return finding_count;
}

static void stop(void)
{
    world_destroy(w);
    history_destroy(h);
}

static const char *const earliest[] = {"auto.offset.reset", "earliest", NULL};

/* Ten values round robin over three partitions: invoke/ok each, offsets as the log has them. */
START_TEST(producer_history_has_the_offsets_the_log_has)
{
    start(1, NULL, NULL);
    send_values(10);
    run_for(NS_PER_S);
    ck_assert_int_eq(ops.invoke, 10);
    ck_assert_int_eq(ops.ok, 10);
    ck_assert_int_eq(ops.fail + ops.info, 0);
    for (int i = 0; i < ops.ok; i++) {
        int32_t p = ops.ok_partition[i];
        ck_assert_int_lt(ops.ok_offset[i], fake.end[p]);
        ck_assert_int_eq(fake.log[p][ops.ok_offset[i]], ops.ok_value[i]);
    }
    ck_assert_int_eq(fake.end[0] + fake.end[1] + fake.end[2], 10);
    ck_assert_int_eq(fake.end[0], 4); /* round robin: 1000, 1003, 1006, 1009 */
    ck_assert_int_eq(fake.log[0][1], 1003);
    ck_assert_int_eq(producer_stats(producer()).open, 0);
    stop();
}
END_TEST

/* linger.ms batches: one Produce for every record of a partition sent within it. */
START_TEST(linger_batches_records_into_one_request)
{
    const char *const kv[] = {"linger.ms", "50", NULL};
    start(2, kv, NULL);
    int before = fake.produce_requests;
    for (int i = 0; i < 9; i++) {
        ck_assert(producer_send(producer(), 1000 + i));
    }
    run_for(NS_PER_S);
    ck_assert_int_eq(fake.produce_requests - before, 3);
    ck_assert_int_eq(ops.ok, 9);
    stop();
}
END_TEST

/* NOT_LEADER_OR_FOLLOWER: metadata again, the batch again, written once. */
START_TEST(not_leader_refreshes_metadata_and_retries)
{
    start(3, NULL, NULL);
    int meta = fake.metadata_requests;
    fake.not_leader_once = 1;
    send_values(1);
    run_for(NS_PER_S);
    ck_assert_int_gt(fake.metadata_requests, meta);
    ck_assert_int_eq(ops.ok, 1);
    ck_assert_int_eq(fake.end[0], 1);
    ck_assert_int_eq(producer_stats(producer()).retries, 1);
    stop();
}
END_TEST

/* A reset of the bootstrap broker's connection fails the Metadata request that rode it: the
 * client asks again after retry.backoff.ms, not after request.timeout.ms (30 s), which left a
 * consumer fetching from stale leaders until retention took what it had not read (workload
 * seed 362). Each reset here finds one unanswered Metadata request in flight. */
static void reset_twice_with_metadata_unanswered(int client_host)
{
    fake.drop_metadata = 2;
    int meta = fake.metadata_requests;
    net_reset(&w->net, 0, client_host); /* abandons what is out, asks for metadata (dropped) */
    run_for(50 * NS_PER_MS);
    ck_assert_int_eq(fake.metadata_requests, meta + 1);
    net_reset(&w->net, 0, client_host); /* that request died with the connection */
    run_for(NS_PER_S);
    ck_assert_int_eq(fake.metadata_requests, meta + 2);
    run_for(NS_PER_S); /* the second is unanswered too: its own 30 s timeout is what is left */
    ck_assert_int_eq(fake.metadata_requests, meta + 2);
}

START_TEST(producer_asks_for_metadata_again_soon_after_a_reset_kills_the_request)
{
    start(3, NULL, NULL);
    reset_twice_with_metadata_unanswered(1);
    stop();
}
END_TEST

START_TEST(consumer_asks_for_metadata_again_soon_after_a_reset_kills_the_request)
{
    start(3, NULL, earliest);
    reset_twice_with_metadata_unanswered(2);
    stop();
}
END_TEST

/* Without idempotence a lost answer and a retry append twice: the checker sees a duplicate. */
START_TEST(retry_without_idempotence_duplicates)
{
    const char *const kv[] = {"enable.idempotence", "false", "acks", "1",
                              "request.timeout.ms", "1000", NULL};
    start(4, kv, earliest);
    fake.drop_produce = 1;
    send_values(3);
    run_for(5 * NS_PER_S);
    ck_assert_int_eq(fake.end[0], 2); /* 1000 twice */
    ck_assert_int_eq(fake.log[0][0], 1000);
    ck_assert_int_eq(fake.log[0][1], 1000);
    ck_assert_int_eq(ops.ok, 3);
    ck_assert_int_ge(finish(true), 1);
    ck_assert_int_eq(finding_class[0], HISTORY_DUPLICATE);
    ck_assert_msg(strstr(findings[0], "1000") != NULL, "%s", findings[0]);
    ck_assert_uint_eq(history_summary(h).count[HISTORY_DUPLICATE], 1);
    stop();
}
END_TEST

/* With idempotence the retry carries the same sequence and the leader drops it. */
START_TEST(retry_with_idempotence_is_written_once)
{
    const char *const kv[] = {"enable.idempotence", "true", "request.timeout.ms", "1000", NULL};
    start(5, kv, earliest);
    ck_assert(pcfg.settings.idempotent);
    ck_assert_int_eq(fake.next_producer_id, 1);
    fake.drop_produce = 1;
    send_values(3);
    run_for(5 * NS_PER_S);
    ck_assert_int_eq(fake.end[0], 1);
    ck_assert_int_eq(ops.ok, 3);
    ck_assert_int_eq(ops.ok_offset[2], 0); /* the retry's answer: the first append's offset */
    ck_assert_int_eq(finish(true), 0);
    ck_assert_int_eq(ops.polls, 3);
    stop();
}
END_TEST

/* The consumer reads everything the producer wrote; nothing to report. */
START_TEST(consumer_reads_everything_and_the_checker_finds_nothing)
{
    const char *const kv[] = {"linger.ms", "5", NULL};
    start(6, kv, earliest);
    send_values(40);
    run_for(NS_PER_S);
    ck_assert_int_eq(finish(true), 0);
    ck_assert_int_eq(ops.polls, 40);
    ck_assert_int_eq(ops.ok, 40);
    for (int p = 0; p < FAKE_PARTITIONS; p++) {
        ck_assert_int_eq(consumer_position(consumer(), p), fake.end[p]);
    }
    stop();
}
END_TEST

/* REQUEST_TIMED_OUT with no retries left: maybe written, so info; a fatal error: fail. */
START_TEST(ambiguous_is_info_and_definite_is_fail)
{
    const char *const kv[] = {"retries", "0", "enable.idempotence", "false", NULL};
    start(7, kv, earliest);
    fake.timed_out = 1;
    send_values(1);
    run_for(NS_PER_S);
    ck_assert_int_eq(ops.info, 1);
    ck_assert_int_eq(fake.end[0], 1);
    fake.fatal = KAFKA_MESSAGE_TOO_LARGE;
    send_values(1);
    run_for(NS_PER_S);
    ck_assert_int_eq(ops.fail, 1);
    ck_assert_int_eq(fake.end[0] + fake.end[1], 1);
    ck_assert_int_eq(finish(true), 0); /* the info value was read: no aborted read */
    stop();
}
END_TEST

/* A leader that loses its tail (an unclean election): the consumer past the new end gets
 * OFFSET_OUT_OF_RANGE, resets to earliest (a seek in the history) and reads the new value at
 * the old offset: the checker reports inconsistent offsets. */
START_TEST(offset_out_of_range_resets_and_the_checker_sees_the_truncation)
{
    const char *const kv[] = {"acks", "1", "enable.idempotence", "false", NULL};
    start(8, kv, earliest);
    send_values(6); /* t-0 holds 1000 and 1003 */
    run_for(NS_PER_S);
    ck_assert_int_eq(consumer_position(consumer(), 0), 2);
    fake.end[0] = 1; /* 1003 is gone */
    run_for(NS_PER_S);
    ck_assert_uint_eq(consumer_stats(consumer()).resets, 1);
    send_values(3); /* 1006 lands at t-0 offset 1 */
    run_for(NS_PER_S);
    ck_assert_int_eq(fake.log[0][1], 1006);
    ck_assert_int_eq(finish(true), 1);
    ck_assert_msg(strstr(findings[0], "t-0 offset 1 holds value 1003") != NULL, "%s",
                  findings[0]);
    struct history_summary sum = history_summary(h);
    ck_assert_uint_eq(sum.count[HISTORY_INCONSISTENT_OFFSETS], 1);
    ck_assert_uint_eq(sum.count[HISTORY_LOST_WRITE], 0); /* 1003 was read before it went */
    ck_assert_uint_eq(sum.count[HISTORY_NONMONOTONIC_POLL], 0); /* the seek forgave the re-read */
    stop();
}
END_TEST

/* An idempotent batch that fails for good leaves a hole in its sequence: the producer takes a
 * new producer id and starts its sequences again, and later sends are written. */
START_TEST(idempotent_failure_takes_a_new_producer_id)
{
    const char *const kv[] = {"enable.idempotence", "true", NULL};
    start(10, kv, NULL);
    fake.fatal = KAFKA_MESSAGE_TOO_LARGE;
    send_values(1);
    run_for(NS_PER_S);
    ck_assert_int_eq(ops.fail, 1);
    ck_assert_int_eq(fake.next_producer_id, 2);
    fake.fatal = KAFKA_NONE;
    send_values(3);
    run_for(NS_PER_S);
    ck_assert_int_eq(ops.ok, 3);
    ck_assert_int_eq(fake.seen[1][0].producer_id, 1002); /* the new id, sequence 0 */
    ck_assert_int_eq(fake.seen[1][0].sequence, 0);
    stop();
}
END_TEST

/* Rate-driven values from the producer's own counter; same seed, same trace hash. */
static uint64_t rate_run(uint64_t seed)
{
    start(seed, NULL, earliest);
    for (int i = 0; i < 20; i++) {
        ck_assert(producer_send(producer(), 5000 + i));
    }
    run_for(2 * NS_PER_S);
    ck_assert_int_eq(finish(true), 0);
    uint64_t hash = trace_hash(&w->trace);
    stop();
    return hash;
}

START_TEST(same_seed_same_hash)
{
    ck_assert_uint_eq(rate_run(9), rate_run(9));
}
END_TEST

START_TEST(rate_sends_by_itself_and_stop_stops)
{
    memset(&fake, 0, sizeof fake);
    const char *names[] = {"broker", "client-1"};
    w = world_create(11, 2, names, NULL, NULL);
    h = history_create(NULL);
    pcfg = (struct producer_config){.name = "producer-1", .topic = "t", .rate = 100,
                                    .value_base = 1u << 20,
                                    .sinks = {.history = h, .on_op = on_op}};
    memset(&ops, 0, sizeof ops);
    settings(&pcfg.settings, CLIENT_PRODUCER, NULL);
    pcfg.history_id = history_producer(h, "producer-1", true);
    host_install(world_host(w, 0), &fake_broker, NULL);
    host_install(world_host(w, 1), &producer_process, &pcfg);
    ck_assert(host_start(world_host(w, 0)) && host_start(world_host(w, 1)));
    world_run_until(w, NS_PER_S);
    int sent = ops.invoke;
    ck_assert_int_ge(sent, 95);
    ck_assert_int_eq(ops.ok_value[0], 1 << 20);
    producer_stop(producer());
    run_for(NS_PER_S);
    ck_assert_int_eq(ops.invoke, sent);
    ck_assert_int_eq(ops.ok, sent);
    stop();
}
END_TEST

START_TEST(unknown_setting_is_an_error_naming_it)
{
    struct client_config cfg;
    char err[256];
    client_config_init(&cfg, CLIENT_PRODUCER, NULL);
    ck_assert_int_eq(client_config_set(&cfg, "linger.msec", "5", err, sizeof err),
                     CLIENT_CONFIG_EUNKNOWN);
    ck_assert_msg(strstr(err, "linger.msec") != NULL, "%s", err);
}
END_TEST

/* ---- the partitioners (partitioner.c) ---------------------------------------------------- */

static uint64_t test_random_state;
static uint64_t test_random(void *ctx)
{
    (void)ctx;
    test_random_state = test_random_state * 6364136223846793005u + 1442695040888963407u;
    return test_random_state >> 11;
}
static const struct env_ops test_random_ops = {.random = test_random};
static const struct env test_random_env = {.ops = &test_random_ops};

struct pt_world {
    int leader_host[CLIENT_PARTITIONS_MAX];
    int32_t queue_length[CLIENT_PARTITIONS_MAX];
    bool accepting[CLIENT_PARTITIONS_MAX];
    struct partitioner_view view;
};

static void pt_world_init(struct pt_world *pw, int32_t partitions)
{
    memset(pw, 0, sizeof *pw);
    pw->view = (struct partitioner_view){.partition_count = partitions,
                                         .leader_host = pw->leader_host,
                                         .queue_length = pw->queue_length,
                                         .accepting = pw->accepting};
    test_random_state = 42;
}

static struct partitioner pt_make(enum client_partitioner kind, bool adaptive, int32_t batch)
{
    return (struct partitioner){.kind = kind, .adaptive = adaptive, .batch_size = batch,
                                .sticky = -1};
}

/* BuiltInPartitioner: one partition until batch.size bytes went to it with its batch full. */
START_TEST(builtin_partitioner_sticks_for_a_batch_then_switches)
{
    struct pt_world pw;
    pt_world_init(&pw, 6);
    struct partitioner pt = pt_make(CLIENT_PARTITIONER_BUILTIN, true, 1000);
    int32_t first = partitioner_choose(&pt, &pw.view, &test_random_env);
    pw.accepting[first] = true; /* its batch has room */
    for (int i = 0; i < 9; i++) {
        ck_assert_int_eq(partitioner_choose(&pt, &pw.view, &test_random_env), first);
        partitioner_appended(&pt, &pw.view, first, 100, &test_random_env);
    }
    /* 1,100 bytes with the batch still open: no switch (RecordAccumulator's enableSwitch) */
    partitioner_appended(&pt, &pw.view, first, 200, &test_random_env);
    ck_assert_int_eq(partitioner_choose(&pt, &pw.view, &test_random_env), first);
    /* the batch filled: the next record switches */
    pw.accepting[first] = false;
    ck_assert_int_ne(partitioner_choose(&pt, &pw.view, &test_random_env), first);
    int seen[6] = {0};
    for (int i = 0; i < 600; i++) {
        int32_t part = partitioner_choose(&pt, &pw.view, &test_random_env);
        seen[part]++;
        partitioner_appended(&pt, &pw.view, part, 100, &test_random_env);
    }
    for (int i = 0; i < 6; i++) {
        ck_assert_int_gt(seen[i], 0); /* 60 switches reach every partition */
        ck_assert_int_eq(seen[i] % 10, 0); /* each stay is 1,000 bytes: ten records */
    }
}
END_TEST

/* Adaptive: a partition with a long queue is chosen less often; no leader, never. */
START_TEST(builtin_partitioner_avoids_long_queues_and_leaderless_partitions)
{
    struct pt_world pw;
    pt_world_init(&pw, 3);
    pw.leader_host[2] = -1; /* partition 2 has no leader */
    pw.queue_length[0] = 9; /* weights: 1 for partition 0, 10 for partition 1 */
    int count[3] = {0};
    for (int i = 0; i < 1100; i++) {
        struct partitioner pt = pt_make(CLIENT_PARTITIONER_BUILTIN, true, 1000);
        count[partitioner_choose(&pt, &pw.view, &test_random_env)]++;
    }
    ck_assert_int_eq(count[2], 0);
    ck_assert_int_gt(count[1], 5 * count[0]);
    ck_assert_int_gt(count[0], 0);
    /* without adaptive partitioning the draw is uniform over partitions with a leader */
    memset(count, 0, sizeof count);
    for (int i = 0; i < 1000; i++) {
        struct partitioner pt = pt_make(CLIENT_PARTITIONER_BUILTIN, false, 1000);
        count[partitioner_choose(&pt, &pw.view, &test_random_env)]++;
    }
    ck_assert_int_eq(count[2], 0);
    ck_assert_int_gt(count[0], 400);
    ck_assert_int_gt(count[1], 400);
}
END_TEST

/* DefaultPartitioner (to 3.2): a new batch moves it to another partition; RoundRobin cycles. */
START_TEST(sticky_partitioner_moves_on_a_new_batch_and_round_robin_cycles)
{
    struct pt_world pw;
    pt_world_init(&pw, 4);
    struct partitioner pt = pt_make(CLIENT_PARTITIONER_DEFAULT, true, 1000);
    int32_t p0 = partitioner_choose(&pt, &pw.view, &test_random_env);
    pw.accepting[p0] = true;
    ck_assert_int_eq(partitioner_choose(&pt, &pw.view, &test_random_env), p0);
    pw.accepting[p0] = false; /* the batch was sent: the next record opens a new one */
    int32_t p1 = partitioner_choose(&pt, &pw.view, &test_random_env);
    ck_assert_int_ne(p1, p0);
    struct partitioner rr = pt_make(CLIENT_PARTITIONER_ROUND_ROBIN, false, 1000);
    pw.leader_host[1] = -1;
    int32_t expect[] = {0, 2, 3, 0, 2, 3};
    for (int i = 0; i < 6; i++) {
        ck_assert_int_eq(partitioner_choose(&rr, &pw.view, &test_random_env), expect[i]);
    }
}
END_TEST

/* Through the producer: the built-in partitioner sends a stream in few Produce requests. */
START_TEST(builtin_partitioner_sends_a_stream_in_few_requests)
{
    static const char *const kv[] = {"partitioner.class", "", "linger.ms", "5", NULL};
    start(9, kv, NULL);
    ck_assert_int_eq(pcfg.settings.partitioner_class, CLIENT_PARTITIONER_BUILTIN);
    int before = fake.produce_requests;
    send_values(60); /* one a millisecond: a batch every linger.ms, all to one partition */
    run_for(NS_PER_S);
    ck_assert_int_eq(ops.ok, 60);
    ck_assert_int_le(fake.produce_requests - before, 14);
    int used = 0;
    for (int p = 0; p < FAKE_PARTITIONS; p++) {
        used += fake.end[p] > 0;
    }
    ck_assert_int_eq(used, 1); /* 60 small records are far from batch.size */
    stop();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("clients");
    TCase *t = tcase_create("fake broker");
    tcase_add_test(t, producer_history_has_the_offsets_the_log_has);
    tcase_add_test(t, linger_batches_records_into_one_request);
    tcase_add_test(t, not_leader_refreshes_metadata_and_retries);
    tcase_add_test(t, producer_asks_for_metadata_again_soon_after_a_reset_kills_the_request);
    tcase_add_test(t, consumer_asks_for_metadata_again_soon_after_a_reset_kills_the_request);
    tcase_add_test(t, retry_without_idempotence_duplicates);
    tcase_add_test(t, retry_with_idempotence_is_written_once);
    tcase_add_test(t, consumer_reads_everything_and_the_checker_finds_nothing);
    tcase_add_test(t, ambiguous_is_info_and_definite_is_fail);
    tcase_add_test(t, offset_out_of_range_resets_and_the_checker_sees_the_truncation);
    tcase_add_test(t, idempotent_failure_takes_a_new_producer_id);
    tcase_add_test(t, same_seed_same_hash);
    tcase_add_test(t, rate_sends_by_itself_and_stop_stops);
    tcase_add_test(t, unknown_setting_is_an_error_naming_it);
    tcase_add_test(t, builtin_partitioner_sticks_for_a_batch_then_switches);
    tcase_add_test(t, builtin_partitioner_avoids_long_queues_and_leaderless_partitions);
    tcase_add_test(t, sticky_partitioner_moves_on_a_new_batch_and_round_robin_cycles);
    tcase_add_test(t, builtin_partitioner_sends_a_stream_in_few_requests);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed == 0 ? 0 : 1;
}
