/* admin.c — an AdminClient doing one call at a time against a Kafka node. */
#include "tools/admin.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/admin_rpc.h"
#include "protocol/header.h"
#include "release.h"

#define REQUEST_TIMEOUT (30 * NS_PER_S)     /* request.timeout.ms */
#define API_TIMEOUT (60 * NS_PER_S)         /* default.api.timeout.ms */
#define RETRY_BACKOFF (100 * NS_PER_MS)     /* retry.backoff.ms */
#define ELECT_LEADERS_VERSION 2 /* Admin.electLeaders; kafka-leader-election.sh */

enum { TOKEN_DEADLINE = 1, TOKEN_RETRY = 2 };

struct admin {
    const struct env *env;
    struct release_api_versions api; /* the versions this release's AdminClient sends */
    struct admin_call call;
    struct admin_outcome outcome;
    int32_t correlation_id; /* of the attempt in flight, 0 = none */
    int32_t correlation_next;
    uint64_t timer;
};

static void *admin_boot(const struct env *env, const void *config)
{
    struct admin *a = calloc(1, sizeof *a);
    KS_ASSERT(a != NULL);
    a->env = env;
    a->outcome.done = true;
    a->api = config != NULL ? *(const struct release_api_versions *)config
                            : release_default()->api;
    KS_ASSERT(a->api.create_topics_version_max >= CREATE_TOPICS_VERSION_MIN);
    KS_ASSERT(a->api.delete_topics_version_max >= DELETE_TOPICS_VERSION_MIN);
    return a;
}

static void admin_destroy(void *proc) { free(proc); }

/* The highest version this release's client and broker both have (NodeApiVersions). */
static int16_t version_of(const struct admin *a, int16_t api_key)
{
    return api_key == KAFKA_API_CREATE_TOPICS   ? a->api.create_topics_version_max
           : api_key == KAFKA_API_DELETE_TOPICS ? a->api.delete_topics_version_max
           : api_key == KAFKA_API_ELECT_LEADERS ? ELECT_LEADERS_VERSION
                                                : a->api.metadata_version_max;
}

static void write_body(struct admin *a, struct wire_writer *w)
{
    const struct admin_call *c = &a->call;
    int16_t v = version_of(a, c->api_key);
    if (c->api_key == KAFKA_API_CREATE_TOPICS) {
        struct create_topics_config configs[16];
        char text[sizeof c->configs];
        snprintf(text, sizeof text, "%s", c->configs);
        int32_t n = 0;
        for (char *save = NULL, *kv = strtok_r(text, ",", &save); kv != NULL && n < 16;
             kv = strtok_r(NULL, ",", &save)) {
            char *eq = strchr(kv, '=');
            if (eq != NULL) {
                *eq = '\0';
                configs[n++] = (struct create_topics_config){kv, eq + 1};
            }
        }
        struct create_topics_assignment parts[16];
        int32_t ids[16][8];
        int32_t np = 0;
        char spec[sizeof c->assignment];
        snprintf(spec, sizeof spec, "%s", c->assignment);
        for (char *save = NULL, *one = strtok_r(spec, ";", &save); one != NULL && np < 16;
             one = strtok_r(NULL, ";", &save)) {
            parts[np] = (struct create_topics_assignment){.partition_index = np,
                                                          .broker_ids = ids[np]};
            for (char *q = one; *q != '\0' && parts[np].broker_id_count < 8;) {
                char *end = NULL;
                long id = strtol(q, &end, 10);
                if (end == q) {
                    break; /* not a number: the rest of this partition is ignored */
                }
                ids[np][parts[np].broker_id_count++] = (int32_t)id;
                q = *end == ',' ? end + 1 : end;
            }
            np++;
        }
        struct create_topics_topic t = {.name = c->topic, .num_partitions = c->partitions,
                                        .replication_factor = c->replication_factor,
                                        .assignment_count = np, .assignments = parts,
                                        .config_count = n, .configs = configs};
        struct create_topics_request req;
        create_topics_request_init(&req);
        req.topic_count = 1;
        req.topics = &t;
        create_topics_request_encode(w, &req, v);
    } else if (c->api_key == KAFKA_API_DELETE_TOPICS) {
        struct delete_topics_topic t = {.name = c->topic};
        struct delete_topics_request req = {.topic_count = 1, .topics = &t,
                                            .timeout_ms = 30000};
        delete_topics_request_encode(w, &req, v);
    } else if (c->api_key == KAFKA_API_ELECT_LEADERS) {
        int32_t partition = c->partitions;
        struct elect_leaders_topic t = {.topic = c->topic, .partition_count = 1,
                                        .partitions = &partition};
        struct elect_leaders_request req = {.election_type = c->election_type,
                                            .topic_count = 1, .topics = &t,
                                            .timeout_ms = 30000};
        elect_leaders_request_encode(w, &req, v);
    } else {
        struct metadata_request_topic t = {.name = c->topic};
        struct metadata_request req;
        metadata_request_init(&req);
        req.topic_count = 1;
        req.topics = &t;
        req.allow_auto_topic_creation = c->allow_auto_create;
        metadata_request_encode(w, &req, v);
    }
}

static void send_attempt(struct admin *a)
{
    const struct env_ops *ops = a->env->ops;
    int16_t v = version_of(a, a->call.api_key);
    a->correlation_id = ++a->correlation_next;
    a->outcome.attempts++;
    struct wire_writer w;
    wire_writer_init(&w);
    size_t mark = kheader_frame_begin(&w);
    struct kheader_request h = {.api_key = a->call.api_key, .api_version = v,
                                .correlation_id = a->correlation_id, .client_id = "adminclient-1"};
    kheader_request_encode(&w, &h, kheader_request_version(a->call.api_key, v));
    write_body(a, &w);
    kheader_frame_end(&w, mark);
    KS_ASSERT(w.err == 0);
    ops->send(a->env->ctx, a->call.to_host, ENV_CHANNEL_REQUEST, w.bytes, w.len);
    wire_writer_free(&w);
    ops->timer_cancel(a->env->ctx, a->timer);
    a->timer = ops->timer_set(a->env->ctx, REQUEST_TIMEOUT, TOKEN_DEADLINE);
}

static void finish(struct admin *a, int16_t error, const char *message)
{
    a->outcome.done = true;
    a->outcome.error = error;
    a->outcome.finished = env_now(a->env);
    snprintf(a->outcome.message, sizeof a->outcome.message, "%s",
             message != NULL && message[0] != '\0' ? message : kafka_error_message(error));
    a->env->ops->timer_cancel(a->env->ctx, a->timer);
    a->timer = 0;
    a->correlation_id = 0;
    env_tracef(a->env, TRACE_ADMIN, "%s topic=%s error=%s attempts=%d ms=%" PRId64 " %s",
               kafka_api_name(a->call.api_key), a->call.topic, kafka_error_name(error),
               a->outcome.attempts, (a->outcome.finished - a->outcome.started) / NS_PER_MS,
               error != KAFKA_NONE ? a->outcome.message : "");
}

/* A retriable answer: try again after the backoff, unless the call's time is up. */
static void retry(struct admin *a, int16_t error)
{
    a->correlation_id = 0;
    a->outcome.error = error;
    const struct env_ops *ops = a->env->ops;
    ops->timer_cancel(a->env->ctx, a->timer);
    if (env_now(a->env) + RETRY_BACKOFF - a->outcome.started >= API_TIMEOUT) {
        finish(a, error, "Call timed out (default.api.timeout.ms)");
        return;
    }
    a->timer = ops->timer_set(a->env->ctx, RETRY_BACKOFF, TOKEN_RETRY);
}

/* RetriableException subclasses. UnknownTopicOrPartitionException is one too (the node may
 * not have replayed the topic yet), but a CreateTopics/DeleteTopics answer with it is final. */
static bool retriable(int16_t api_key, int16_t e)
{
    return e == KAFKA_NOT_CONTROLLER || e == KAFKA_REQUEST_TIMED_OUT ||
           e == KAFKA_LEADER_NOT_AVAILABLE ||
           (api_key == KAFKA_API_METADATA && e == KAFKA_UNKNOWN_TOPIC_OR_PARTITION);
}

static void keep_metadata(struct admin *a, const struct metadata_response_topic *t)
{
    struct admin_outcome *o = &a->outcome;
    o->topic_id = t->topic_id;
    o->partition_count = t->partition_count < ADMIN_PARTITIONS_MAX ? t->partition_count
                                                                   : ADMIN_PARTITIONS_MAX;
    for (int32_t i = 0; i < o->partition_count; i++) {
        const struct metadata_response_partition *p = &t->partitions[i];
        struct admin_partition *q = &o->partitions[i];
        *q = (struct admin_partition){.error = p->error_code, .id = p->partition_index,
                                      .leader = p->leader_id, .leader_epoch = p->leader_epoch};
        for (int32_t k = 0; k < p->replica_node_count && k < ADMIN_REPLICAS_MAX; k++) {
            q->replicas[q->replica_count++] = p->replica_nodes[k];
        }
        for (int32_t k = 0; k < p->isr_node_count && k < ADMIN_REPLICAS_MAX; k++) {
            q->isr[q->isr_count++] = p->isr_nodes[k];
        }
    }
}

static void on_response(struct admin *a, const uint8_t *bytes, size_t len)
{
    int32_t corr = 0;
    if (a->correlation_id == 0 || kheader_response_peek(bytes, len, &corr) != 0 ||
        corr != a->correlation_id) {
        return;
    }
    int16_t key = a->call.api_key, v = version_of(a, key);
    struct wire_arena arena;
    wire_arena_init(&arena);
    struct kheader_response h;
    struct wire_reader body;
    int16_t error = KAFKA_UNKNOWN_SERVER_ERROR;
    const char *message = "the answer does not decode";
    if (kheader_response_decode_frame(bytes, len, key, v, &h, &body) == 0) {
        if (key == KAFKA_API_CREATE_TOPICS) {
            struct create_topics_response r;
            if (create_topics_response_decode(&body, v, &arena, &r) == 0 && r.topic_count == 1) {
                error = r.topics[0].error_code;
                message = r.topics[0].error_message;
                a->outcome.topic_id = r.topics[0].topic_id;
                a->outcome.num_partitions = r.topics[0].num_partitions;
                a->outcome.replication_factor = r.topics[0].replication_factor;
            }
        } else if (key == KAFKA_API_DELETE_TOPICS) {
            struct delete_topics_response r;
            if (delete_topics_response_decode(&body, v, &arena, &r) == 0 &&
                r.response_count == 1) {
                error = r.responses[0].error_code;
                message = r.responses[0].error_message;
            }
        } else if (key == KAFKA_API_ELECT_LEADERS) {
            struct elect_leaders_response r;
            if (elect_leaders_response_decode(&body, v, &arena, &r) == 0) {
                bool one = r.result_count == 1 && r.results[0].partition_count == 1;
                error = r.error_code != KAFKA_NONE || !one ? r.error_code
                                                           : r.results[0].partitions[0].error_code;
                message = one ? r.results[0].partitions[0].error_message : NULL;
            }
        } else {
            struct metadata_response r;
            if (metadata_response_decode(&body, v, &arena, &r) == 0 && r.topic_count == 1) {
                error = r.topics[0].error_code;
                message = NULL;
                keep_metadata(a, &r.topics[0]);
            }
        }
    }
    if (retriable(key, error)) {
        retry(a, error);
    } else {
        finish(a, error, message);
    }
    wire_arena_free(&arena);
}

static void admin_step(void *proc, const struct env_event *e)
{
    struct admin *a = proc;
    if (e->kind == ENV_EVENT_MESSAGE && e->u.message.channel == ENV_CHANNEL_RESPONSE) {
        on_response(a, e->u.message.bytes, e->u.message.len);
    } else if (e->kind == ENV_EVENT_TIMER && !a->outcome.done) {
        a->timer = 0;
        if (e->u.timer.token == TOKEN_DEADLINE) {
            retry(a, KAFKA_REQUEST_TIMED_OUT);
        } else {
            send_attempt(a);
        }
    }
}

const struct process_ops admin_process = {
    .name = "kafka-admin",
    .start = admin_boot,
    .step = admin_step,
    .destroy = admin_destroy,
};

void admin_start(void *proc, const struct admin_call *call)
{
    struct admin *a = proc;
    KS_ASSERT(a->outcome.done);
    a->call = *call;
    memset(&a->outcome, 0, sizeof a->outcome);
    a->outcome.started = env_now(a->env);
    send_attempt(a);
}

const struct admin_outcome *admin_outcome(void *proc) { return &((struct admin *)proc)->outcome; }
