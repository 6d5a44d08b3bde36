/* producer.c — the simulated producer: accumulator, sender, retries, idempotence, history. */
#include "workload/producer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "check/history.h"
#include "protocol/data_rpc.h"
#include "protocol/header.h"
#include "protocol/record_batch.h"
#include "trace/db.h"
#include "workload/partitioner.h"

/* Error codes header.h does not name (Errors.java). */
#define ERROR_NETWORK_EXCEPTION 13
#define ERROR_OUT_OF_ORDER_SEQUENCE 45
#define ERROR_DUPLICATE_SEQUENCE 46

#define RECORD_OVERHEAD 8 /* a record's length, attributes, deltas, null key, no headers */

enum {
    TOKEN_TICK = 1,     /* the rate's next value */
    TOKEN_WAKE = 2,     /* the sender looks again (linger, backoff, delivery timeout) */
    TOKEN_META = 3,     /* Metadata or InitProducerId unanswered */
    TOKEN_AGE = 4,      /* metadata.max.age.ms since the last answer */
    TOKEN_REQUEST = 16  /* + correlation id: a Produce unanswered */
};

struct batch {
    struct batch *next; /* the next batch of its partition */
    int32_t partition;
    int32_t count, cap;
    int64_t *values;
    int32_t bytes;
    time_ns created;
    time_ns not_before; /* retry backoff */
    int32_t base_sequence;
    int64_t producer_id; /* the id its sequence belongs to (idempotent, once sent) */
    int attempts;
    bool closed;
    bool ambiguous; /* some attempt may have appended */
    bool in_flight;
    int host;
    int32_t correlation_id;
    uint64_t timer;
};

struct producer {
    const struct env *env;
    struct producer_config cfg;
    const struct client_config *s;
    struct client_topic topic;
    /* Each partition's batches, oldest first, as RecordAccumulator keeps one deque per
     * partition: a sender pass looks at the front of each, never at the whole backlog (a
     * leader outage queues a batch per record for delivery.timeout.ms). */
    struct batch_queue {
        struct batch *head, *tail;
    } queue[CLIENT_PARTITIONS_MAX];
    int32_t queue_length[CLIENT_PARTITIONS_MAX];
    struct batch *open[CLIENT_PARTITIONS_MAX]; /* the batch taking appends, NULL: a new one */
    struct partitioner partitioner;
    struct batch **flight; /* the batches in flight, in no order (found by correlation id) */
    uint32_t flight_count, flight_cap;
    int32_t sequence[CLIENT_PARTITIONS_MAX];
    int32_t history_tp[CLIENT_PARTITIONS_MAX];
    int64_t counter;
    int64_t producer_id;
    int16_t producer_epoch;
    int32_t correlation_next;
    int32_t meta_correlation; /* Metadata or InitProducerId in flight, 0 none */
    int16_t meta_api;
    uint64_t meta_timer, wake_timer, tick_timer, age_timer;
    time_ns wake_at;
    bool stopped;
    struct producer_stats stats;
};

static void record_op(struct producer *p, const char *type, int32_t partition, int64_t offset,
                      int64_t value, const char *detail)
{
    struct run_db_op op = {.time = env_now(p->env), .process = p->cfg.name, .type = type,
                           .f = "send", .topic = partition >= 0 ? p->cfg.topic : NULL,
                           .partition = partition, .offset = offset, .has_value = true,
                           .value = value, .detail = detail};
    client_record(&p->cfg.sinks, &op);
}

static struct history *hist(const struct producer *p) { return p->cfg.sinks.history; }

/* ---- metadata and the producer id ---------------------------------------------------------- */

static int16_t metadata_version(const struct producer *p)
{
    return p->s->release != NULL ? p->s->release->api.metadata_version_max
                                 : release_default()->api.metadata_version_max;
}

static void send_init_producer_id(struct producer *p)
{
    struct wire_writer w;
    p->meta_api = KAFKA_API_INIT_PRODUCER_ID;
    p->meta_correlation = ++p->correlation_next;
    size_t mark = client_frame_begin(&w, p->meta_api, CLIENT_INIT_PRODUCER_ID_VERSION,
                                     p->meta_correlation, p->cfg.name);
    struct init_producer_id_request req;
    init_producer_id_request_init(&req);
    req.transactional_id = NULL;
    req.transaction_timeout_ms = 60000;
    init_producer_id_request_encode(&w, &req, CLIENT_INIT_PRODUCER_ID_VERSION);
    client_send(p->env, p->cfg.bootstrap_host, &w, mark);
}

/* Asks for metadata (or the producer id, once metadata is known) unless a request is out. */
static void refresh(struct producer *p)
{
    if (p->meta_correlation != 0) {
        return;
    }
    const struct env_ops *ops = p->env->ops;
    if (p->topic.partition_count > 0 && p->s->idempotent && p->producer_id < 0) {
        send_init_producer_id(p);
    } else {
        p->meta_api = KAFKA_API_METADATA;
        p->meta_correlation = ++p->correlation_next;
        p->stats.metadata_requests++;
        client_metadata_request(p->env, p->cfg.bootstrap_host, metadata_version(p),
                                p->meta_correlation, p->cfg.name, p->cfg.topic);
    }
    ops->timer_cancel(p->env->ctx, p->meta_timer);
    p->meta_timer = ops->timer_set(p->env->ctx, (time_ns)p->s->request_timeout_ms * NS_PER_MS,
                                   TOKEN_META);
}

static void on_init_producer_id(struct producer *p, struct wire_reader *body)
{
    struct wire_arena arena;
    wire_arena_init(&arena);
    struct init_producer_id_response r;
    if (init_producer_id_response_decode(body, CLIENT_INIT_PRODUCER_ID_VERSION, &arena, &r) ==
            0 &&
        r.error_code == KAFKA_NONE) {
        p->producer_id = r.producer_id;
        p->producer_epoch = r.producer_epoch;
        env_tracef(p->env, TRACE_ADMIN, "client=%s producer_id=%lld epoch=%d", p->cfg.name,
                   (long long)r.producer_id, r.producer_epoch);
    }
    wire_arena_free(&arena);
}

static bool ready(const struct producer *p)
{
    return p->topic.partition_count > 0 && (!p->s->idempotent || p->producer_id >= 0);
}

static void sender_run(struct producer *p);

static void on_meta_response(struct producer *p, const uint8_t *bytes, size_t len)
{
    int16_t api = p->meta_api;
    p->meta_correlation = 0;
    p->env->ops->timer_cancel(p->env->ctx, p->meta_timer);
    p->meta_timer = 0;
    bool again = false;
    if (api == KAFKA_API_METADATA) {
        struct client_topic t = p->topic;
        int16_t e = client_metadata_response(p->env, bytes, len, metadata_version(p), &t);
        if (e == KAFKA_NONE && t.partition_count > 0) {
            p->topic = t;
            p->env->ops->timer_cancel(p->env->ctx, p->age_timer);
            p->age_timer = p->env->ops->timer_set(
                p->env->ctx, (time_ns)p->s->metadata_max_age_ms * NS_PER_MS, TOKEN_AGE);
            for (int32_t i = 0; i < t.partition_count; i++) {
                again = again || t.leader_host[i] < 0;
            }
        } else {
            again = true;
        }
    } else {
        struct kheader_response h;
        struct wire_reader body;
        if (kheader_response_decode_frame(bytes, len, api, CLIENT_INIT_PRODUCER_ID_VERSION, &h,
                                          &body) == 0) {
            on_init_producer_id(p, &body);
        }
    }
    if (!again && !ready(p) && api == KAFKA_API_METADATA) {
        refresh(p); /* metadata known: the producer id next */
    } else if (again || !ready(p)) {
        /* a leader missing, or no producer id yet: ask again after the backoff */
        p->meta_timer = p->env->ops->timer_set(
            p->env->ctx, (time_ns)p->s->retry_backoff_ms * NS_PER_MS, TOKEN_META);
        p->meta_correlation = -1; /* a timer, not a request, is out */
    }
    sender_run(p);
}

/* ---- the accumulator ----------------------------------------------------------------------- */

static struct batch *batch_new(struct producer *p, int32_t partition)
{
    struct batch *b = calloc(1, sizeof *b);
    KS_ASSERT(b != NULL);
    b->partition = partition;
    b->created = env_now(p->env);
    b->base_sequence = -1;
    b->bytes = RECORD_BATCH_HEADER_SIZE;
    struct batch_queue *q = &p->queue[partition];
    if (q->tail != NULL) {
        q->tail->next = b;
    } else {
        q->head = b;
    }
    q->tail = b;
    p->queue_length[partition]++;
    return b;
}

static uint64_t magnitude(int64_t v) { return v < 0 ? -(uint64_t)v : (uint64_t)v; }

/* The length of `v` in decimal: compares against powers of ten, no division. */
static int32_t decimal_digits(int64_t v)
{
    int32_t n = v < 0 ? 2 : 1;
    uint64_t u = magnitude(v);
    for (uint64_t ten = 10; u >= ten; ten *= 10) {
        n++;
        if (ten > UINT64_MAX / 10) {
            break; /* 10^19 is the last power below 2^64: u has 20 digits */
        }
    }
    return n;
}

/* `v` in decimal, as "%lld" writes it, into `out` (24 bytes); returns its length. A batch
 * encodes every value it carries (snprintf was a tenth of a producer's time, a digit a
 * division still a thirtieth of a run's), so two digits go at a time. */
static int decimal_text(int64_t v, char out[24])
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930"
                                "31323334353637383940414243444546474849505152535455565758596061"
                                "62636465666768697071727374757677787980818283848586878889909192"
                                "93949596979899";
    int n = (int)decimal_digits(v);
    uint64_t u = magnitude(v);
    out[n] = '\0';
    int i = n;
    for (; u >= 100; u /= 100) {
        i -= 2;
        memcpy(out + i, pairs + 2 * (u % 100), 2);
    }
    if (u >= 10) {
        i -= 2;
        memcpy(out + i, pairs + 2 * u, 2);
    } else {
        out[--i] = (char)('0' + u);
    }
    if (v < 0) {
        out[--i] = '-';
    }
    KS_ASSERT(i == 0);
    return n;
}

static void batch_append(struct batch *b, int64_t value)
{
    if (b->count == b->cap) {
        b->cap = b->cap > 0 ? b->cap * 2 : 8;
        b->values = realloc(b->values, (size_t)b->cap * sizeof *b->values);
        KS_ASSERT(b->values != NULL);
    }
    b->values[b->count++] = value;
    b->bytes += RECORD_OVERHEAD + decimal_digits(value);
}

static int32_t history_tp(struct producer *p, int32_t partition)
{
    if (p->history_tp[partition] < 0) {
        p->history_tp[partition] = history_partition(hist(p), p->cfg.topic, partition);
    }
    return p->history_tp[partition];
}

bool producer_send(void *proc, int64_t value)
{
    struct producer *p = proc;
    if (!ready(p) || p->stopped) {
        return false;
    }
    bool accepting[CLIENT_PARTITIONS_MAX];
    for (int32_t i = 0; i < p->topic.partition_count; i++) {
        accepting[i] = p->open[i] != NULL;
    }
    struct partitioner_view view = {.partition_count = p->topic.partition_count,
                                    .leader_host = p->topic.leader_host,
                                    .queue_length = p->queue_length,
                                    .accepting = accepting};
    int32_t part = partitioner_choose(&p->partitioner, &view, p->env);
    p->stats.invoked++;
    p->stats.open++;
    if (hist(p) != NULL) {
        history_send(hist(p), p->cfg.history_id, history_tp(p, part), value);
    }
    record_op(p, "invoke", part, -1, value, NULL);
    struct batch *b = p->open[part];
    if (b == NULL) {
        b = p->open[part] = batch_new(p, part);
    }
    bool fresh = b->count == 0;
    int32_t before = fresh ? 0 : b->bytes;
    batch_append(b, value);
    if (b->bytes >= p->s->batch_size) {
        b->closed = true;
        p->open[part] = NULL;
        accepting[part] = false;
    }
    partitioner_appended(&p->partitioner, &view, part, b->bytes - before, p->env);
    if (fresh || b->closed) {
        /* A record added to a batch still lingering changes nothing the sender waits on (its
         * wake-up is set for that batch's linger): only a new batch or a full one does. */
        sender_run(p);
    }
    return true;
}

/* ---- completions --------------------------------------------------------------------------- */

static void flight_add(struct producer *p, struct batch *b)
{
    p->flight = array_grow(p->flight, p->flight_count, &p->flight_cap, sizeof *p->flight);
    p->flight[p->flight_count++] = b;
    b->in_flight = true;
}

static void flight_remove(struct producer *p, struct batch *b)
{
    if (!b->in_flight) {
        return;
    }
    for (uint32_t i = 0; i < p->flight_count; i++) {
        if (p->flight[i] == b) {
            p->flight[i] = p->flight[--p->flight_count];
            b->in_flight = false;
            return;
        }
    }
    KS_ASSERT(!"an in-flight batch is in the flight list");
}

static void batch_unlink(struct producer *p, struct batch *b)
{
    flight_remove(p, b);
    struct batch_queue *q = &p->queue[b->partition];
    struct batch **at = &q->head, *prev = NULL;
    while (*at != b) {
        prev = *at;
        at = &(*at)->next;
    }
    *at = b->next;
    if (q->tail == b) {
        q->tail = prev;
    }
    p->queue_length[b->partition]--;
    if (p->open[b->partition] == b) {
        p->open[b->partition] = NULL;
    }
    p->env->ops->timer_cancel(p->env->ctx, b->timer);
    free(b->values);
    free(b);
}

static void complete_ok(struct producer *p, struct batch *b, int64_t base_offset)
{
    for (int32_t i = 0; i < b->count; i++) {
        if (hist(p) != NULL) {
            history_send_ok(hist(p), b->values[i], base_offset + i);
        }
        record_op(p, "ok", b->partition, base_offset + i, b->values[i], NULL);
    }
    p->stats.ok += (uint64_t)b->count;
    p->stats.open -= (uint32_t)b->count;
    batch_unlink(p, b);
}

/*
 * An idempotent batch that ends without an offset leaves a hole in its partition's sequence,
 * which the leader would refuse (OUT_OF_ORDER_SEQUENCE_NUMBER) from then on. Kafka's
 * TransactionManager bumps the epoch and starts every sequence again (KIP-360); here the
 * producer asks for a new producer id, and batches not sent yet take new sequences.
 */
static void reset_sequences(struct producer *p)
{
    p->producer_id = -1;
    p->producer_epoch = -1;
    memset(p->sequence, 0, sizeof p->sequence);
    for (int32_t part = 0; part < CLIENT_PARTITIONS_MAX; part++) {
        for (struct batch *q = p->queue[part].head; q != NULL; q = q->next) {
            if (!q->in_flight && q->attempts == 0) {
                q->base_sequence = -1; /* never sent: it takes the new id's sequences */
            }
        }
    }
    refresh(p);
}

/* The batch ends without an offset: fail if no attempt may have appended, else info. */
static void complete_failed(struct producer *p, struct batch *b, const char *why)
{
    bool hole = p->s->idempotent && b->base_sequence >= 0 && b->producer_id == p->producer_id;
    bool unknown = b->ambiguous || p->s->acks == CLIENT_ACKS_NONE;
    for (int32_t i = 0; i < b->count; i++) {
        if (hist(p) != NULL) {
            (unknown ? history_send_info : history_send_fail)(hist(p), b->values[i]);
        }
        record_op(p, unknown ? "info" : "fail", b->partition, -1, b->values[i], why);
    }
    if (unknown) {
        p->stats.unknown += (uint64_t)b->count;
    } else {
        p->stats.failed += (uint64_t)b->count;
    }
    p->stats.open -= (uint32_t)b->count;
    batch_unlink(p, b);
    if (hole) {
        reset_sequences(p);
    }
}

static time_ns backoff(const struct producer *p, int attempts)
{
    time_ns base = (time_ns)p->s->retry_backoff_ms * NS_PER_MS;
    time_ns max = (time_ns)p->s->retry_backoff_max_ms * NS_PER_MS;
    time_ns d = base;
    for (int i = 1; i < attempts && d < max; i++) {
        d *= 2;
    }
    return d < max ? d : max;
}

static time_ns delivery_deadline(const struct producer *p, const struct batch *b)
{
    return b->created + (time_ns)p->s->delivery_timeout_ms * NS_PER_MS;
}

/* A retriable outcome of an attempt: again after the backoff, or the end of the batch. */
static void retry_or_fail(struct producer *p, struct batch *b, int16_t error, const char *why)
{
    flight_remove(p, b);
    b->correlation_id = 0;
    p->env->ops->timer_cancel(p->env->ctx, b->timer);
    b->timer = 0;
    time_ns now = env_now(p->env);
    if (b->attempts > p->s->retries) {
        complete_failed(p, b, why != NULL ? why : "retries exhausted");
        return;
    }
    if (now + backoff(p, b->attempts) >= delivery_deadline(p, b)) {
        complete_failed(p, b, "delivery.timeout.ms expired");
        return;
    }
    p->stats.retries++;
    b->not_before = now + backoff(p, b->attempts);
    if (client_error_stale_metadata(error) || error == KAFKA_REQUEST_TIMED_OUT) {
        refresh(p);
    }
}

static bool retriable(int16_t e)
{
    return client_error_stale_metadata(e) || e == KAFKA_REQUEST_TIMED_OUT ||
           e == KAFKA_NOT_ENOUGH_REPLICAS || e == KAFKA_NOT_ENOUGH_REPLICAS_AFTER_APPEND ||
           e == ERROR_NETWORK_EXCEPTION || e == ERROR_OUT_OF_ORDER_SEQUENCE;
}

/* Errors after which the leader may have appended the batch all the same. NOT_LEADER_OR_FOLLOWER
 * too: DelayedProduce answers it when leadership moves after the append, and that write may
 * survive on the old leader's followers (the client cannot tell it from a refusal). */
static bool may_have_appended(int16_t e)
{
    return e == KAFKA_REQUEST_TIMED_OUT || e == KAFKA_NOT_ENOUGH_REPLICAS_AFTER_APPEND ||
           e == ERROR_NETWORK_EXCEPTION || e == KAFKA_NOT_LEADER_OR_FOLLOWER;
}

static void on_partition_answer(struct producer *p, struct batch *b, int16_t error,
                                int64_t base_offset)
{
    if (error == KAFKA_NONE || error == ERROR_DUPLICATE_SEQUENCE) {
        complete_ok(p, b, base_offset);
        return;
    }
    b->ambiguous = b->ambiguous || may_have_appended(error);
    if (!retriable(error)) {
        complete_failed(p, b, kafka_error_name(error));
        return;
    }
    retry_or_fail(p, b, error, kafka_error_name(error));
}

static struct batch *by_correlation(struct producer *p, int32_t corr)
{
    for (uint32_t i = 0; i < p->flight_count; i++) {
        if (p->flight[i]->correlation_id == corr) {
            return p->flight[i];
        }
    }
    return NULL;
}

static void on_produce_response(struct producer *p, struct batch *b, const uint8_t *bytes,
                                size_t len)
{
    struct wire_arena arena;
    wire_arena_init(&arena);
    struct kheader_response h;
    struct wire_reader body;
    struct produce_response r;
    int16_t error = KAFKA_UNKNOWN_SERVER_ERROR;
    int64_t base = -1;
    if (kheader_response_decode_frame(bytes, len, KAFKA_API_PRODUCE, CLIENT_PRODUCE_VERSION, &h,
                                      &body) == 0 &&
        produce_response_decode(&body, CLIENT_PRODUCE_VERSION, &arena, &r) == 0 &&
        r.topic_count == 1 && r.topics[0].partition_count == 1) {
        error = r.topics[0].partitions[0].error_code;
        base = r.topics[0].partitions[0].base_offset;
    }
    wire_arena_free(&arena);
    on_partition_answer(p, b, error, base);
}

/* ---- the sender ---------------------------------------------------------------------------- */

static void encode_batch(const struct producer *p, const struct batch *b, struct wire_writer *w)
{
    /* malloc, not calloc: every entry is written below (zeroing them was a fortieth of a run) */
    struct record_batch_record *recs = malloc((size_t)b->count * sizeof *recs);
    char (*text)[24] = malloc((size_t)b->count * sizeof *text);
    KS_ASSERT(recs != NULL && text != NULL);
    for (int32_t i = 0; i < b->count; i++) {
        int n = decimal_text(b->values[i], text[i]);
        recs[i] = (struct record_batch_record){.offset_delta = i, .key = {NULL, -1},
                                               .value = {(const uint8_t *)text[i], n}};
    }
    struct record_batch rb;
    record_batch_init(&rb);
    rb.partition_leader_epoch = -1;
    rb.last_offset_delta = b->count - 1;
    rb.base_timestamp = rb.max_timestamp = b->created / NS_PER_MS;
    if (p->s->idempotent) {
        rb.producer_id = p->producer_id;
        rb.producer_epoch = p->producer_epoch;
        rb.base_sequence = b->base_sequence;
    }
    rb.record_count = b->count;
    rb.records = recs;
    KS_ASSERT(record_batch_encode(w, &rb) == 0);
    free(recs);
    free(text);
}

static void send_batch(struct producer *p, struct batch *b, int host)
{
    if (p->s->idempotent && b->base_sequence < 0) {
        b->producer_id = p->producer_id;
        b->base_sequence = p->sequence[b->partition];
        p->sequence[b->partition] += b->count;
    }
    struct wire_writer records;
    wire_writer_init(&records);
    encode_batch(p, b, &records);
    struct wire_writer w;
    b->correlation_id = ++p->correlation_next;
    size_t mark = client_frame_begin(&w, KAFKA_API_PRODUCE, CLIENT_PRODUCE_VERSION,
                                     b->correlation_id, p->cfg.name);
    struct produce_request_partition part = {
        .index = b->partition, .records = {records.bytes, (int32_t)records.len}};
    struct produce_request_topic t = {.name = p->cfg.topic, .partition_count = 1,
                                      .partitions = &part};
    struct produce_request req;
    produce_request_init(&req);
    req.acks = (int16_t)p->s->acks;
    req.timeout_ms = p->s->request_timeout_ms;
    req.topic_count = 1;
    req.topics = &t;
    produce_request_encode(&w, &req, CLIENT_PRODUCE_VERSION);
    client_send(p->env, host, &w, mark);
    wire_writer_free(&records);
    b->attempts++;
    p->stats.attempts++;
    b->host = host;
    if (p->s->acks == CLIENT_ACKS_NONE) {
        complete_failed(p, b, "acks=0: no answer"); /* info: nobody will ever know */
        return;
    }
    flight_add(p, b);
    b->timer = p->env->ops->timer_set(
        p->env->ctx, (time_ns)p->s->request_timeout_ms * NS_PER_MS,
        TOKEN_REQUEST + (uint64_t)b->correlation_id);
}

/* How many requests each host has in flight: the sender's one pass over the flight list. */
#define PASS_HOSTS 64
struct sender_pass {
    int in_flight[PASS_HOSTS];
};

static void pass_init(const struct producer *p, struct sender_pass *pass)
{
    memset(pass, 0, sizeof *pass);
    for (uint32_t i = 0; i < p->flight_count; i++) {
        const struct batch *b = p->flight[i];
        if (b->host >= 0 && b->host < PASS_HOSTS) {
            pass->in_flight[b->host]++;
        }
    }
}

static void wake_at(struct producer *p, time_ns when)
{
    if (p->wake_timer != 0 && p->wake_at <= when) {
        return;
    }
    p->env->ops->timer_cancel(p->env->ctx, p->wake_timer);
    time_ns now = env_now(p->env);
    p->wake_at = when > now ? when : now;
    p->wake_timer = p->env->ops->timer_set(p->env->ctx, p->wake_at - now, TOKEN_WAKE);
}

/* The oldest batch of its partition not in flight: expire it, send it, or say when to look
 * again (0: it left, look at the next one). Only this batch may go, since a partition's
 * batches leave in order; as in RecordAccumulator.ready, only its linger counts (a later
 * batch fills up to batch.size meanwhile), and no later batch expires before it does. */
static time_ns consider(struct producer *p, struct batch *b, time_ns now,
                        struct sender_pass *pass)
{
    time_ns linger_end = b->created + p->s->linger_ms * NS_PER_MS;
    if (!b->closed && now >= linger_end) {
        b->closed = true;
        p->open[b->partition] = NULL;
    }
    if (now >= delivery_deadline(p, b)) {
        complete_failed(p, b, "delivery.timeout.ms expired");
        return 0;
    }
    if (!b->closed) {
        return linger_end;
    }
    if (b->not_before > now) {
        return b->not_before;
    }
    if (p->s->idempotent && b->base_sequence >= 0 && b->producer_id != p->producer_id) {
        /* Sent under a producer id since replaced: TransactionManager.canRetry refuses to
         * retry it (its sequence means nothing to the new id), and a retry under the new id
         * would be written twice if the first attempt landed. It ends, maybe written. */
        b->ambiguous = true; /* an earlier attempt may have been written */
        complete_failed(p, b, "producer id changed");
        return 0;
    }
    int host = p->topic.leader_host[b->partition];
    KS_ASSERT(host < PASS_HOSTS);
    if (!ready(p) || host < 0 ||
        pass->in_flight[host] >= p->s->max_in_flight_requests_per_connection) {
        return delivery_deadline(p, b);
    }
    send_batch(p, b, host);
    pass->in_flight[host]++;
    return 0;
}

/* One partition's turn: batches leave from the front until one has to wait. */
static time_ns sender_partition(struct producer *p, int32_t part, time_ns now,
                                struct sender_pass *pass)
{
    for (struct batch *b = p->queue[part].head, *after; b != NULL; b = after) {
        after = b->next;
        if (b->in_flight) {
            continue;
        }
        time_ns t = consider(p, b, now, pass);
        if (t > 0) {
            return t;
        }
    }
    return 0;
}

static void sender_run(struct producer *p)
{
    time_ns now = env_now(p->env), next = TIME_NS_MAX;
    struct sender_pass pass;
    pass_init(p, &pass);
    for (int32_t part = 0; part < p->topic.partition_count; part++) {
        time_ns t = p->queue[part].head != NULL ? sender_partition(p, part, now, &pass) : 0;
        if (t > 0 && t < next) {
            next = t;
        }
    }
    if (next != TIME_NS_MAX) {
        wake_at(p, next);
    }
}

/* ---- the process --------------------------------------------------------------------------- */

static void tick(struct producer *p)
{
    p->tick_timer = 0;
    if (p->stopped || p->cfg.rate <= 0) {
        return;
    }
    if (ready(p)) {
        producer_send(p, p->cfg.value_base + p->counter++);
    }
    p->tick_timer = p->env->ops->timer_set(p->env->ctx, NS_PER_S / p->cfg.rate, TOKEN_TICK);
}

static void *producer_boot(const struct env *env, const void *config)
{
    struct producer *p = calloc(1, sizeof *p);
    KS_ASSERT(p != NULL && config != NULL);
    p->env = env;
    p->cfg = *(const struct producer_config *)config;
    p->s = &p->cfg.settings;
    KS_ASSERT(p->s->finished && p->s->kind == CLIENT_PRODUCER);
    partitioner_init(&p->partitioner, p->s);
    p->producer_id = -1;
    p->producer_epoch = -1;
    for (int i = 0; i < CLIENT_PARTITIONS_MAX; i++) {
        p->history_tp[i] = -1;
    }
    refresh(p);
    if (p->cfg.rate > 0) {
        p->tick_timer = env->ops->timer_set(env->ctx, NS_PER_S / p->cfg.rate, TOKEN_TICK);
    }
    return p;
}

static void producer_destroy(void *proc)
{
    struct producer *p = proc;
    for (int32_t part = 0; part < CLIENT_PARTITIONS_MAX; part++) {
        while (p->queue[part].head != NULL) {
            struct batch *b = p->queue[part].head;
            p->queue[part].head = b->next;
            free(b->values);
            free(b);
        }
    }
    free(p->flight);
    free(p);
}

static void on_message(struct producer *p, const struct env_event *e)
{
    if (e->u.message.channel == ENV_CHANNEL_RESET) {
        /* retry_or_fail takes the batch out of the flight list: walk it from the end */
        for (uint32_t i = p->flight_count; i-- > 0;) {
            struct batch *b = p->flight[i];
            if (b->host == e->u.message.from_host) {
                b->ambiguous = true; /* it may have arrived before the reset */
                retry_or_fail(p, b, ERROR_NETWORK_EXCEPTION, "connection reset");
            }
        }
        if (e->u.message.from_host == p->cfg.bootstrap_host && p->meta_correlation > 0) {
            /* its Metadata or InitProducerId died with the connection: ask again after the
             * backoff (NetworkClient.handleDisconnections), not after request.timeout.ms */
            p->env->ops->timer_cancel(p->env->ctx, p->meta_timer);
            p->meta_correlation = -1;
            p->meta_timer = p->env->ops->timer_set(
                p->env->ctx, (time_ns)p->s->retry_backoff_ms * NS_PER_MS, TOKEN_META);
        }
        refresh(p);
        sender_run(p);
        return;
    }
    int32_t corr = 0;
    if (e->u.message.channel != ENV_CHANNEL_RESPONSE ||
        kheader_response_peek(e->u.message.bytes, e->u.message.len, &corr) != 0) {
        return;
    }
    if (corr == p->meta_correlation && corr > 0) {
        on_meta_response(p, e->u.message.bytes, e->u.message.len);
        return;
    }
    struct batch *b = by_correlation(p, corr);
    if (b != NULL) {
        on_produce_response(p, b, e->u.message.bytes, e->u.message.len);
        sender_run(p);
    }
}

static void on_timer(struct producer *p, uint64_t token)
{
    if (token == TOKEN_TICK) {
        tick(p); /* producer_send runs the sender when the record changes what it waits on */
        return;
    }
    if (token == TOKEN_WAKE) {
        p->wake_timer = 0;
    } else if (token == TOKEN_AGE) {
        p->age_timer = 0;
        refresh(p);
    } else if (token == TOKEN_META) {
        p->meta_timer = 0;
        p->meta_correlation = 0; /* unanswered, or the backoff is over: ask again */
        refresh(p);
    } else {
        struct batch *b = by_correlation(p, (int32_t)(token - TOKEN_REQUEST));
        if (b != NULL) {
            b->timer = 0;
            b->ambiguous = true; /* sent, never answered */
            retry_or_fail(p, b, KAFKA_REQUEST_TIMED_OUT, "request.timeout.ms expired");
        }
    }
    sender_run(p);
}

static void producer_step(void *proc, const struct env_event *e)
{
    struct producer *p = proc;
    if (e->kind == ENV_EVENT_MESSAGE) {
        on_message(p, e);
    } else if (e->kind == ENV_EVENT_TIMER) {
        on_timer(p, e->u.timer.token);
    }
}

const struct process_ops producer_process = {
    .name = "kafka-producer",
    .start = producer_boot,
    .step = producer_step,
    .destroy = producer_destroy,
};

void producer_stop(void *proc)
{
    struct producer *p = proc;
    p->stopped = true;
    p->env->ops->timer_cancel(p->env->ctx, p->tick_timer);
    p->tick_timer = 0;
}

struct producer_stats producer_stats(const void *proc)
{
    const struct producer *p = proc;
    struct producer_stats s = p->stats;
    s.ready = ready(p);
    return s;
}
