/* test_data_path.c — brokers host partition replicas for real: Produce with acks=-1 across a
 * replication factor 3 topic, the followers' fetchers, the ISR shrinking and growing through
 * AlterPartition, a leader change without losing an acknowledged record, a consumer Fetch. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle.h"
#include "metadata/image.h"
#include "node.h"
#include "protocol/data_rpc.h"
#include "protocol/fetch.h"
#include "protocol/header.h"
#include "protocol/record_batch.h"
#include "raft/listener.h"
#include "replica/replica_manager.h"
#include "tools/admin.h"
#include "tools/kafka_storage.h"
#include "world/net.h"
#include "world/world.h"

#define VOTERS 3
#define BROKERS 3
#define ADMIN 6
#define CLIENT 7
#define HOSTS 8
#define CLUSTER "MkU3OEVBNTcwNTJENDM2Qk"
#define PRODUCE_VERSION 9
#define FETCH_VERSION 12
#define LIST_OFFSETS_VERSION 4

static const char *const names[] = {"controller-1", "controller-2", "controller-3", "broker-4",
                                    "broker-5",     "broker-6",     "admin",        "client"};

/* ---- a small client on its own host: one request at a time, its answer kept ------------- */

struct client {
    const struct env *env;
    int32_t corr;
    int16_t api_key;
    bool answered;
    int16_t error;        /* Produce: the partition's error; Fetch: the partition's */
    int64_t base_offset;  /* Produce */
    int64_t hw;           /* Fetch */
    int32_t batches;      /* Fetch: record batches read */
    int64_t offset;       /* ListOffsets */
};

static void *client_start(const struct env *env, const void *config)
{
    (void)config;
    struct client *c = calloc(1, sizeof *c);
    c->env = env;
    return c;
}

static void client_on_produce(struct client *c, struct wire_reader *body, struct wire_arena *a)
{
    struct produce_response r;
    if (produce_response_decode(body, PRODUCE_VERSION, a, &r) == 0 && r.topic_count == 1 &&
        r.topics[0].partition_count == 1) {
        c->error = r.topics[0].partitions[0].error_code;
        c->base_offset = r.topics[0].partitions[0].base_offset;
        c->answered = true;
    }
}

static void client_on_fetch(struct client *c, struct wire_reader *body, struct wire_arena *a)
{
    struct fetch_response r;
    if (fetch_response_decode(body, FETCH_VERSION, a, &r) == 0 && r.topic_count == 1) {
        const struct fetch_response_partition *p = &r.topics[0].partitions[0];
        c->error = p->error_code;
        c->hw = p->high_watermark;
        struct record_batch_iter it;
        record_batch_iter_init(&it, p->records.ptr, p->records.len > 0 ? (size_t)p->records.len
                                                                       : 0);
        struct record_batch b;
        while (record_batch_iter_next(&it, a, &b) == 1) {
            c->batches++;
        }
        c->answered = true;
    }
}

static void client_on_list_offsets(struct client *c, struct wire_reader *body,
                                   struct wire_arena *a)
{
    struct list_offsets_response r;
    if (list_offsets_response_decode(body, LIST_OFFSETS_VERSION, a, &r) == 0 &&
        r.topic_count == 1 && r.topics[0].partition_count == 1) {
        c->error = r.topics[0].partitions[0].error_code;
        c->offset = r.topics[0].partitions[0].offset;
        c->answered = true;
    }
}

static void client_step(void *proc, const struct env_event *e)
{
    struct client *c = proc;
    int32_t corr = 0;
    if (e->kind != ENV_EVENT_MESSAGE || e->u.message.channel != ENV_CHANNEL_RESPONSE ||
        kheader_response_peek(e->u.message.bytes, e->u.message.len, &corr) != 0 ||
        corr != c->corr) {
        return;
    }
    struct kheader_response h;
    struct wire_reader body;
    struct wire_arena a;
    wire_arena_init(&a);
    int16_t v = c->api_key == KAFKA_API_PRODUCE ? PRODUCE_VERSION
                : c->api_key == KAFKA_API_FETCH ? FETCH_VERSION : LIST_OFFSETS_VERSION;
    if (kheader_response_decode_frame(e->u.message.bytes, e->u.message.len, c->api_key, v, &h,
                                      &body) == 0) {
        if (c->api_key == KAFKA_API_PRODUCE) {
            client_on_produce(c, &body, &a);
        } else if (c->api_key == KAFKA_API_FETCH) {
            client_on_fetch(c, &body, &a);
        } else {
            client_on_list_offsets(c, &body, &a);
        }
    }
    wire_arena_free(&a);
}

static void client_destroy(void *proc) { free(proc); }

static const struct process_ops client_process = {
    .name = "client", .start = client_start, .step = client_step, .destroy = client_destroy};

static void client_send(struct client *c, int to_host, int16_t key, int16_t v,
                        struct wire_writer *body)
{
    c->corr++;
    c->api_key = key;
    c->answered = false;
    c->batches = 0;
    struct wire_writer w;
    wire_writer_init(&w);
    size_t mark = kheader_frame_begin(&w);
    struct kheader_request h = {.api_key = key, .api_version = v, .correlation_id = c->corr,
                                .client_id = "test-client"};
    kheader_request_encode(&w, &h, kheader_request_version(key, v));
    wire_write_raw(&w, body->bytes, body->len);
    kheader_frame_end(&w, mark);
    ck_assert_int_eq(w.err, 0);
    c->env->ops->send(c->env->ctx, to_host, ENV_CHANNEL_REQUEST, w.bytes, w.len);
    wire_writer_free(&w);
    wire_writer_free(body);
}

/* Produce one record to t-0 with `acks`. */
static void client_produce(struct client *c, int to_host, int16_t acks, const char *value)
{
    struct record_batch_record rec = {
        .key = {(const uint8_t *)"k", 1},
        .value = {(const uint8_t *)value, (int32_t)strlen(value)}};
    struct record_batch b;
    record_batch_init(&b);
    b.record_count = 1;
    b.records = &rec;
    b.base_timestamp = b.max_timestamp = env_now(c->env) / NS_PER_MS;
    struct wire_writer records;
    wire_writer_init(&records);
    ck_assert_int_eq(record_batch_encode(&records, &b), 0);
    struct produce_request_partition pp = {.index = 0,
                                           .records = {records.bytes, (int32_t)records.len}};
    struct produce_request_topic pt = {.name = "t", .partition_count = 1, .partitions = &pp};
    struct produce_request req;
    produce_request_init(&req);
    req.acks = acks;
    req.timeout_ms = 30000;
    req.topic_count = 1;
    req.topics = &pt;
    struct wire_writer body;
    wire_writer_init(&body);
    ck_assert_int_eq(produce_request_encode(&body, &req, PRODUCE_VERSION), 0);
    wire_writer_free(&records);
    client_send(c, to_host, KAFKA_API_PRODUCE, PRODUCE_VERSION, &body);
}

/* A consumer's Fetch of t-0 from `offset` (replica id -1, MaxWaitMs 500). */
static void client_fetch(struct client *c, int to_host, int64_t offset)
{
    struct fetch_request_partition fp;
    fetch_request_partition_init(&fp);
    fp.fetch_offset = offset;
    fp.partition_max_bytes = 1 << 20;
    struct fetch_request_topic ft = {.topic = "t", .partition_count = 1, .partitions = &fp};
    struct fetch_request req;
    fetch_request_init(&req);
    req.max_wait_ms = 500;
    req.min_bytes = 1;
    req.topic_count = 1;
    req.topics = &ft;
    struct wire_writer body;
    wire_writer_init(&body);
    ck_assert_int_eq(fetch_request_encode(&body, &req, FETCH_VERSION), 0);
    client_send(c, to_host, KAFKA_API_FETCH, FETCH_VERSION, &body);
}

/* A consumer's ListOffsets for t-0 at `timestamp` (-2 earliest, -1 latest). */
static void client_list_offsets(struct client *c, int to_host, int64_t timestamp)
{
    struct list_offsets_partition lp;
    list_offsets_partition_init(&lp);
    lp.timestamp = timestamp;
    struct list_offsets_topic lt = {.name = "t", .partition_count = 1, .partitions = &lp};
    struct list_offsets_request req;
    list_offsets_request_init(&req);
    req.replica_id = -1;
    req.topic_count = 1;
    req.topics = &lt;
    struct wire_writer body;
    wire_writer_init(&body);
    ck_assert_int_eq(list_offsets_request_encode(&body, &req, LIST_OFFSETS_VERSION), 0);
    client_send(c, to_host, KAFKA_API_LIST_OFFSETS, LIST_OFFSETS_VERSION, &body);
}

/* ---- the cluster ------------------------------------------------------------------------- */

/* The cluster, each node's config from node_config_default and then `tweak` (NULL: none). */
static struct world *cluster_with(struct node_config *cfg, void (*tweak)(struct node_config *))
{
    struct world *w = world_create(7, HOSTS, names, NULL, NULL);
    for (int i = 0; i < VOTERS + BROKERS; i++) {
        node_config_default(&cfg[i], i + 1);
        if (tweak != NULL) {
            tweak(&cfg[i]);
        }
        snprintf(cfg[i].roles, sizeof cfg[i].roles, "%s", i < VOTERS ? "controller" : "broker");
        cfg[i].voter_count = VOTERS;
        for (int k = 0; k < VOTERS; k++) {
            cfg[i].voters[k].id = k + 1;
            snprintf(cfg[i].voters[k].host, sizeof cfg[i].voters[k].host, "%s", names[k]);
            cfg[i].voters[k].port = 9093;
        }
        snprintf(cfg[i].listener_host, sizeof cfg[i].listener_host, "%s", names[i]);
        cfg[i].listener_port = 9092;
        ck_assert_int_eq(kafka_storage_format(w, i, &cfg[i], CLUSTER), ENV_OK);
        host_install(world_host(w, i), &node_process, &cfg[i]);
        ck_assert(host_start(world_host(w, i)));
    }
    host_install(world_host(w, ADMIN), &admin_process, NULL);
    ck_assert(host_start(world_host(w, ADMIN)));
    host_install(world_host(w, CLIENT), &client_process, NULL);
    ck_assert(host_start(world_host(w, CLIENT)));
    return w;
}

static struct world *cluster(struct node_config *cfg) { return cluster_with(cfg, NULL); }

static int host_of_broker(int32_t id) { return id - 1; }

static void create_topic(struct world *w, int via)
{
    struct admin_call c = {.api_key = KAFKA_API_CREATE_TOPICS, .to_host = via,
                           .partitions = 1, .replication_factor = 3};
    snprintf(c.topic, sizeof c.topic, "t");
    snprintf(c.configs, sizeof c.configs, "min.insync.replicas=2");
    void *admin = world_host(w, ADMIN)->proc;
    admin_start(admin, &c);
    world_run_until(w, world_now(w) + 3 * NS_PER_S);
    ck_assert(admin_outcome(admin)->done);
    ck_assert_int_eq(admin_outcome(admin)->error, KAFKA_NONE);
}

/* The partition as broker `id`'s image has it. */
static const struct image_partition *image_partition(struct world *w, int32_t id)
{
    const struct image_topic *t =
        metadata_image_topic(&node_listener(world_host(w, host_of_broker(id))->proc)->image, "t");
    ck_assert_ptr_nonnull(t);
    return &t->partitions[0];
}

static const struct replica_partition *replica_of(struct world *w, int32_t id)
{
    struct replica_manager *rm = node_replica_manager(world_host(w, host_of_broker(id))->proc);
    ck_assert_ptr_nonnull(rm);
    struct rm_partition *p = rm_partition_find(rm, "t", 0);
    ck_assert_ptr_nonnull(p);
    return &p->replica;
}

static struct client *client_of(struct world *w) { return world_host(w, CLIENT)->proc; }

/* Produces and waits for the answer; returns the base offset (the error must be NONE). */
static int64_t produce(struct world *w, int32_t leader, int16_t acks, const char *value)
{
    struct client *c = client_of(w);
    client_produce(c, host_of_broker(leader), acks, value);
    world_run_until(w, world_now(w) + 2 * NS_PER_S);
    ck_assert_msg(c->answered, "no Produce answer from broker %d", leader);
    ck_assert_int_eq(c->error, KAFKA_NONE);
    return c->base_offset;
}

static void expect_replicated(struct world *w, int32_t id, int64_t end)
{
    const struct replica_partition *r = replica_of(w, id);
    ck_assert_int_eq(partition_log_end_offset(r->log), end);
    ck_assert_int_eq(partition_log_high_watermark(r->log), end);
}

static int32_t other_follower(const struct image_partition *p, int32_t not_a, int32_t not_b)
{
    for (int32_t i = 0; i < p->replicas.count; i++) {
        int32_t id = p->replicas.items[i];
        if (id != not_a && id != not_b) {
            return id;
        }
    }
    return -1;
}

/* RF 3, min.insync.replicas 2: acks=-1 records reach every replica (offsets and HW), a
 * crashed follower leaves the ISR after replica.lag.time.max.ms through AlterPartition and
 * rejoins once it has caught up after a restart; a consumer reads up to the HW. */
START_TEST(acks_all_replicates_and_the_isr_follows_a_crashed_follower)
{
    struct node_config cfg[HOSTS];
    struct world *w = cluster(cfg);
    world_run_until(w, 6 * NS_PER_S);
    create_topic(w, host_of_broker(4));
    int32_t leader = image_partition(w, 4)->leader;
    ck_assert_int_ge(leader, 4);
    ck_assert_int_eq(image_partition(w, 4)->isr.count, 3);
    ck_assert_int_eq(produce(w, leader, -1, "a"), 0);
    ck_assert_int_eq(produce(w, leader, -1, "b"), 1);
    world_run_until(w, world_now(w) + 2 * NS_PER_S);
    for (int32_t id = 4; id <= 6; id++) {
        expect_replicated(w, id, 2);
    }
    int32_t follower = other_follower(image_partition(w, leader), leader, -1);
    host_crash(world_host(w, host_of_broker(follower)));
    world_run_until(w, world_now(w) + 50 * NS_PER_S);
    ck_assert_int_eq(image_partition(w, leader)->isr.count, 2); /* the controller shrank it */
    ck_assert_int_eq(produce(w, leader, -1, "c"), 2);           /* 2 >= min.insync.replicas */
    ck_assert(host_start(world_host(w, host_of_broker(follower))));
    world_run_until(w, world_now(w) + 20 * NS_PER_S);
    ck_assert_int_eq(image_partition(w, leader)->isr.count, 3); /* caught up: back in */
    expect_replicated(w, follower, 3);
    struct client *c = client_of(w);
    client_fetch(c, host_of_broker(leader), 0);
    world_run_until(w, world_now(w) + NS_PER_S);
    ck_assert(c->answered);
    ck_assert_int_eq(c->error, KAFKA_NONE);
    ck_assert_int_eq(c->hw, 3);
    ck_assert_int_eq(c->batches, 3);
    int64_t want[][2] = {{-2, 0}, {-1, 3}, {0, 0}}; /* earliest, latest (the HW), time 0 */
    for (int i = 0; i < 3; i++) {
        client_list_offsets(c, host_of_broker(leader), want[i][0]);
        world_run_until(w, world_now(w) + NS_PER_S);
        ck_assert(c->answered);
        ck_assert_int_eq(c->error, KAFKA_NONE);
        ck_assert_int_eq(c->offset, want[i][1]);
    }
    client_list_offsets(c, host_of_broker(follower), -1); /* only the leader answers */
    world_run_until(w, world_now(w) + NS_PER_S);
    ck_assert_int_eq(c->error, KAFKA_NOT_LEADER_OR_FOLLOWER);
    ck_assert(world_check(w));
    world_destroy(w);
}
END_TEST

/* The leader crashes: the controller elects another ISR member, every acknowledged record is
 * on it, and the old leader, back, follows and catches up. */
START_TEST(a_leader_crash_loses_no_acknowledged_record)
{
    struct node_config cfg[HOSTS];
    struct world *w = cluster(cfg);
    world_run_until(w, 6 * NS_PER_S);
    create_topic(w, host_of_broker(4));
    int32_t leader = image_partition(w, 4)->leader;
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(produce(w, leader, -1, "x"), i);
    }
    int32_t watcher = other_follower(image_partition(w, leader), leader, -1);
    host_crash(world_host(w, host_of_broker(leader)));
    world_run_until(w, world_now(w) + 15 * NS_PER_S);
    int32_t next = image_partition(w, watcher)->leader;
    ck_assert_int_ge(next, 4);
    ck_assert_int_ne(next, leader);
    ck_assert_int_ge(partition_log_end_offset(replica_of(w, next)->log), 3);
    ck_assert_int_eq(produce(w, next, -1, "y"), 3);
    ck_assert(host_start(world_host(w, host_of_broker(leader))));
    world_run_until(w, world_now(w) + 20 * NS_PER_S);
    ck_assert_int_eq(replica_of(w, leader)->role, REPLICA_FOLLOWER);
    expect_replicated(w, leader, 4);
    ck_assert(world_check(w));
    world_destroy(w);
}
END_TEST

/* acks=1's classic window: the leader answers once it has the record, is cut off from its
 * followers and crashes before either fetched it; a follower becomes leader without it, and
 * the old leader, back, truncates it away (its offset now holds the new leader's record). */
START_TEST(acks_1_loses_a_write_in_the_classic_window)
{
    struct node_config cfg[HOSTS];
    struct world *w = cluster(cfg);
    world_run_until(w, 6 * NS_PER_S);
    create_topic(w, host_of_broker(4));
    int32_t leader = image_partition(w, 4)->leader;
    ck_assert_int_eq(produce(w, leader, -1, "a"), 0);
    world_run_until(w, world_now(w) + 2 * NS_PER_S);
    int32_t f1 = other_follower(image_partition(w, leader), leader, -1);
    int32_t f2 = other_follower(image_partition(w, leader), leader, f1);
    int lone[] = {host_of_broker(leader)};
    int rest[] = {host_of_broker(f1), host_of_broker(f2)};
    net_partition(&w->net, lone, 1, rest, 2);
    ck_assert_int_eq(produce(w, leader, 1, "lost"), 1); /* acknowledged by the leader alone */
    host_crash(world_host(w, host_of_broker(leader)));
    net_heal(&w->net);
    world_run_until(w, world_now(w) + 15 * NS_PER_S);
    int32_t next = image_partition(w, f1)->leader;
    ck_assert(next == f1 || next == f2);
    ck_assert_int_eq(produce(w, next, -1, "kept"), 1);
    ck_assert(host_start(world_host(w, host_of_broker(leader))));
    world_run_until(w, world_now(w) + 20 * NS_PER_S);
    const struct replica_partition *old = replica_of(w, leader);
    ck_assert_int_eq(partition_log_end_offset(old->log), 2);
    const struct partition_log_batch *b = partition_log_batch_at(old->log, 1);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(b->epoch, replica_of(w, next)->leader_epoch);
    ck_assert(world_check(w));
    world_destroy(w);
}
END_TEST

/* Deleting the topic stops every replica and removes its log; a Produce then finds no
 * partition. */
START_TEST(deleting_the_topic_removes_every_replica)
{
    struct node_config cfg[HOSTS];
    struct world *w = cluster(cfg);
    world_run_until(w, 6 * NS_PER_S);
    create_topic(w, host_of_broker(4));
    int32_t leader = image_partition(w, 4)->leader;
    ck_assert_int_eq(produce(w, leader, -1, "gone"), 0);
    struct admin_call c = {.api_key = KAFKA_API_DELETE_TOPICS, .to_host = host_of_broker(4)};
    snprintf(c.topic, sizeof c.topic, "t");
    admin_start(world_host(w, ADMIN)->proc, &c);
    world_run_until(w, world_now(w) + 3 * NS_PER_S);
    ck_assert_int_eq(admin_outcome(world_host(w, ADMIN)->proc)->error, KAFKA_NONE);
    for (int32_t id = 4; id <= 6; id++) {
        struct replica_manager *rm = node_replica_manager(world_host(w, host_of_broker(id))->proc);
        ck_assert_ptr_null(rm_partition_find(rm, "t", 0));
        ck_assert_ptr_null(log_manager_get(&rm->logs, "t", 0));
    }
    struct client *cl = client_of(w);
    client_produce(cl, host_of_broker(leader), -1, "late");
    world_run_until(w, world_now(w) + NS_PER_S);
    ck_assert(cl->answered);
    ck_assert_int_eq(cl->error, KAFKA_UNKNOWN_TOPIC_OR_PARTITION);
    ck_assert(world_check(w));
    world_destroy(w);
}
END_TEST

/* Produce, replicate, crash a follower: the trace hash of two runs is the same. */
/* server.properties' log.retention.bytes=1048576, as node_config_from_kafka would set it. */
static void retention_1mib(struct node_config *c)
{
    c->data.logs.defaults.retention_bytes = 1048576;
}

/* The topic's overrides reach every replica's log, also one a restarted broker loads from its
 * disk before its metadata image names them; the broker's own log.* settings are the base. */
START_TEST(a_restarted_broker_keeps_the_topic_config_of_its_logs)
{
    struct node_config cfg[HOSTS];
    struct world *w = cluster_with(cfg, retention_1mib);
    world_run_until(w, 6 * NS_PER_S);
    struct admin_call c = {.api_key = KAFKA_API_CREATE_TOPICS, .to_host = host_of_broker(4),
                           .partitions = 1, .replication_factor = 3};
    snprintf(c.topic, sizeof c.topic, "t");
    snprintf(c.configs, sizeof c.configs, "min.insync.replicas=2,segment.bytes=65536");
    admin_start(world_host(w, ADMIN)->proc, &c);
    world_run_until(w, world_now(w) + 3 * NS_PER_S);
    ck_assert_int_eq(admin_outcome(world_host(w, ADMIN)->proc)->error, KAFKA_NONE);
    int32_t leader = image_partition(w, 4)->leader;
    ck_assert_int_eq(produce(w, leader, -1, "x"), 0);
    int32_t follower = other_follower(image_partition(w, leader), leader, -1);
    ck_assert_int_eq(replica_of(w, follower)->log->config.segment_bytes, 65536);
    ck_assert_int_eq(replica_of(w, follower)->log->config.retention_bytes, 1048576);
    host_crash(world_host(w, host_of_broker(follower)));
    world_run_until(w, world_now(w) + 2 * NS_PER_S);
    ck_assert(host_start(world_host(w, host_of_broker(follower))));
    world_run_until(w, world_now(w) + 20 * NS_PER_S);
    const struct replica_partition *r = replica_of(w, follower);
    ck_assert_int_eq(r->log->config.segment_bytes, 65536);
    ck_assert_int_eq(r->log->config.retention_bytes, 1048576);
    ck_assert(world_check(w));
    world_destroy(w);
}
END_TEST

static uint64_t short_run(void)
{
    struct node_config cfg[HOSTS];
    struct world *w = cluster(cfg);
    world_run_until(w, 6 * NS_PER_S);
    create_topic(w, host_of_broker(4));
    int32_t leader = image_partition(w, 4)->leader;
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(produce(w, leader, -1, "d"), i);
    }
    host_crash(world_host(w, host_of_broker(other_follower(image_partition(w, leader), leader,
                                                          -1))));
    world_run_until(w, world_now(w) + 40 * NS_PER_S);
    uint64_t hash = trace_hash(&w->trace);
    world_destroy(w);
    return hash;
}

START_TEST(two_runs_have_the_same_trace_hash)
{
    ck_assert_uint_eq(short_run(), short_run());
}
END_TEST

int main(void)
{
    Suite *s = suite_create("data_path");
    TCase *tc = tcase_create("replication");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, acks_all_replicates_and_the_isr_follows_a_crashed_follower);
    tcase_add_test(tc, a_leader_crash_loses_no_acknowledged_record);
    tcase_add_test(tc, acks_1_loses_a_write_in_the_classic_window);
    tcase_add_test(tc, deleting_the_topic_removes_every_replica);
    tcase_add_test(tc, a_restarted_broker_keeps_the_topic_config_of_its_logs);
    tcase_add_test(tc, two_runs_have_the_same_trace_hash);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
