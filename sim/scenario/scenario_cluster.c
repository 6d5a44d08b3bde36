/* scenario_cluster.c — the seed deployment: combined nodes and brokers, topics, broker faults. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/admin.h"
#include "check/check_fencing.h"
#include "check/check_partitions.h"
#include "check/check_raft.h"
#include "config.h"
#include "tools/describe.h"
#include "tools/kafka_storage.h"
#include "lifecycle.h"
#include "metadata/records.h"
#include "protocol/admin_rpc.h"
#include "node.h"
#include "protocol/header.h"
#include "raft/listener.h"
#include "scenario/fault_log.h"
#include "scenario/scenario.h"
#include "scenario/scenario_cluster.h"
#include "trace/trace.h"
#include "world/world.h"
#include "text.h"

/*
 * Three nodes with process.roles=broker,controller (voters 1@kafka-1:9093,2@kafka-2:9093,
 * 3@kafka-3:9093, the deployment guides' topology) and two dedicated brokers, plus an admin
 * client. The run:
 *   1. setup (0 to 8 s): the quorum elects, brokers register and are unfenced; the admin
 *      client creates "orders" (3 partitions, replication factor 3, min.insync.replicas=2)
 *      through kafka-1, then asks every node to describe it, creates "clicks" with the broker
 *      defaults through broker-5, asks broker-4 for a topic "events" nobody created
 *      (auto.create.topics.enable) and deletes "clicks" through kafka-2;
 *   2. faults (8 s to duration - 25 s): one at a time, from the seed: a broker crash (down
 *      12 s, longer than broker.session.timeout.ms), the active controller's node crashed,
 *      a node isolated, a random split, a controlled shutdown and restart;
 *   3. healing: everything back; every broker must be RUNNING and unfenced, every partition
 *      led, and every node's image the same.
 * The raft checker, the partition checker and the fencing checker watch throughout; the time
 * from each broker crash to its partitions having new leaders is measured against the committed
 * metadata, the time from an active controller's crash to every live broker following the new
 * quorum leader against the nodes' quorum state, and so is the time from a gracefully stopping
 * raft leader's resignation to the next leader.
 */

#define COMBINED 3
#define BROKERS 2
#define NODES (COMBINED + BROKERS)
#define ADMIN_HOST NODES
#define SETUP_NS (8 * NS_PER_S)
#define HEAL_NS (25 * NS_PER_S)
#define CRASH_DOWN_NS (12 * NS_PER_S)
/* The shortest fault phase a run may ask for: one fault (1 to 6 s, cut at the phase's end). */
#define FAULTS_MIN_NS (1 * NS_PER_S)
#define WATCH_EVERY_NS (10 * NS_PER_MS)
#define TIMINGS_MAX 64

static const char *const names[] = {"kafka-1", "kafka-2", "kafka-3", "broker-4", "broker-5",
                                    "admin"};

enum fault {
    FAULT_CRASH_BROKER,
    FAULT_CRASH_CONTROLLER,
    FAULT_ISOLATE,
    FAULT_SPLIT,
    FAULT_CONTROLLED_SHUTDOWN,
    FAULT_KINDS,
};

struct failover_watch {
    int32_t broker;
    time_ns crashed;
    bool controller; /* the victim was the active controller too */
    int count;       /* partitions it led */
    struct kuuid topics[64];
    int32_t partitions[64];
    bool active;
};

/* From a quorum leader's end (its crash, or its resignation in a clean stop) to what follows:
 * a new leader, and every live broker following it. */
struct leader_watch {
    bool active;
    int host;       /* the old leader's host */
    int32_t epoch;  /* its epoch: the next leader's is higher */
    time_ns since;  /* the crash, or the resignation (-1 until it resigns) */
};

struct cluster_run {
    struct world *w;
    enum cluster_mode mode;
    struct node_config configs[NODES];
    struct raft_checker raft;
    struct partition_checker parts;
    struct fencing_checker fencing;
    struct leader_watch follow;   /* an active controller crashed */
    struct leader_watch graceful; /* the raft leader stops cleanly */
    time_ns follow_times[TIMINGS_MAX];
    int follow_count;
    time_ns graceful_times[TIMINGS_MAX];
    int graceful_count;
    char cluster_id[KAFKA_STORAGE_UUID_TEXT];
    const char *switches;
    time_ns fault_end;
    time_ns session_timeout;
    int script_step;
    int describe_mismatches;
    char describe_first[NODES][2048];
    struct fault_log faults;
    int offline_fault[NODES]; /* offline-partition: the log's id of each node's crash */
    struct trace_console console;
    struct failover_watch watch;
    time_ns timings[TIMINGS_MAX];
    bool timing_controller[TIMINGS_MAX];
    int timing_count;
    int shutting_down; /* host in controlled shutdown, or -1 */
    int32_t ledger_leader[4]; /* offline-partition: ledger-0 at each look */
    int8_t ledger_recovery[4];
    char ledger_isr[4][32];
    char ledger_elr[4][32];
    int ledger_seen;
    bool elect_sent; /* unclean-election on 3.x: kafka-leader-election.sh --election-type unclean */
    int16_t clicks_error; /* the admin script's outcomes */
    int32_t clicks_created;
    int16_t events_error;
    int32_t events_partitions;
    int16_t delete_error;
    time_ns shutdown_began;
};

/* offline-partition and unclean-election tell a fixed story about topic ledger. */
static bool story(enum cluster_mode mode)
{
    return mode == CLUSTER_OFFLINE || mode == CLUSTER_UNCLEAN;
}

/* ---- configuration ------------------------------------------------------------------------ */

/* Node `node`'s server.properties: its length, or 0 if it does not fit in buf. */
static size_t properties(char *buf, size_t cap, int node, const char *version)
{
    bool combined = node <= COMBINED;
    struct text t = text_init(buf, cap);
    text_printf(&t,
            "process.roles=%s\nnode.id=%d\n"
            "controller.listener.names=CONTROLLER\n"
            "listeners=PLAINTEXT://%s:9092%s%s%s\n"
            "log.dirs=/var/lib/kafka/data\n"
            "min.insync.replicas=2\nnum.partitions=3\ndefault.replication.factor=3\n"
            "metadata.log.max.record.bytes.between.snapshots=16384\n"
            "metadata.max.retention.bytes=32768\n"
            "controller.quorum.voters=1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093\n",
            combined ? "broker,controller" : "broker", node, names[node - 1],
            combined ? ",CONTROLLER://" : "", combined ? names[node - 1] : "",
            combined ? ":9093" : "");
    if (version != NULL) {
        text_printf(&t, "kafka.version=%s\n", version);
    }
    /* Kafka's smallest metadata segment (MetadataLogConfig: atLeast(8 MiB)): a long run rolls
     * and deletes segments, so a virtual day stays in bounded memory. */
    text_printf(&t, "metadata.log.segment.bytes=8388608\n");
    return text_fits(&t) ? t.len : 0;
}

static bool configure(struct cluster_run *r, const struct run_opts *opts,
                      struct run_result *result)
{
    for (int i = 0; i < NODES; i++) {
        char text[1024], file[64];
        size_t len = properties(text, sizeof text, i + 1, opts->kafka_version);
        snprintf(file, sizeof file, "%s/server.properties", names[i]);
        if (!scenario_properties_fit(len, file, sizeof text, result) ||
            !scenario_node_config(text, len, file, &r->configs[i], i == 0, result)) {
            return false;
        }
    }
    return true;
}

/* ---- looking at the cluster ------------------------------------------------------------------ */

static int active_controller(struct cluster_run *r)
{
    int best = -1;
    int32_t best_epoch = -1;
    for (int i = 0; i < COMBINED; i++) {
        struct host *h = world_host(r->w, i);
        if (h->state == HOST_UP && node_controller_image(h->proc) != NULL &&
            node_quorum(h->proc)->election.epoch > best_epoch) {
            best = i;
            best_epoch = node_quorum(h->proc)->election.epoch;
        }
    }
    return best;
}

static void on_record(void *arg, int64_t offset, const struct metadata_record *rec)
{
    struct cluster_run *r = arg;
    /* The fencing checker judges each record once, against the shadow before it. */
    bool fresh = r->parts.next_offset < 0 || offset == r->parts.next_offset;
    if (fresh && rec != NULL) {
        fencing_checker_record(&r->fencing, &r->parts.shadow, rec, active_controller(r),
                               world_now(r->w));
    }
    partition_checker_record(&r->parts, offset, rec, world_now(r->w));
}

/* The quorum leader with the highest epoch above `epoch` among the running nodes, or -1. */
static int leader_above(struct cluster_run *r, int32_t epoch)
{
    int best = -1;
    for (int i = 0; i < COMBINED; i++) {
        struct host *h = world_host(r->w, i);
        const struct quorum *q = h->state == HOST_UP ? node_quorum(h->proc) : NULL;
        if (q != NULL && q->role == QUORUM_LEADER && q->election.epoch > epoch) {
            best = i;
            epoch = q->election.epoch;
        }
    }
    return best;
}

/* Every running broker (combined nodes too) follows `leader` in its epoch. */
static bool brokers_follow(struct cluster_run *r, int leader)
{
    const struct quorum *lq = node_quorum(world_host(r->w, leader)->proc);
    for (int i = 0; i < NODES; i++) {
        struct host *h = world_host(r->w, i);
        if (i == leader || h->state != HOST_UP || node_lifecycle(h->proc) == NULL) {
            continue;
        }
        const struct quorum *q = node_quorum(h->proc);
        if (q->role != QUORUM_FOLLOWER || q->election.epoch != lq->election.epoch ||
            q->election.leader_id != lq->cfg.node_id) {
            return false;
        }
    }
    return true;
}

static void record_timing(time_ns *times, int *count, time_ns took)
{
    if (*count < TIMINGS_MAX) {
        times[(*count)++] = took;
    }
}

/* After a step: has a watched leader change completed? */
static void watch_leaders(struct cluster_run *r)
{
    struct leader_watch *f = &r->follow;
    int l = f->active ? leader_above(r, f->epoch) : -1;
    if (l >= 0 && brokers_follow(r, l)) {
        time_ns took = world_now(r->w) - f->since;
        record_timing(r->follow_times, &r->follow_count, took);
        trace_emitf(&r->w->trace, world_now(r->w), TRACE_HOST_NONE, TRACE_NOTE,
                    "controller %s crashed: every live broker follows %s after %" PRId64 " ms",
                    names[f->host], names[l], took / NS_PER_MS);
        f->active = false;
    }
    struct leader_watch *g = &r->graceful;
    struct host *gh = world_host(r->w, g->host);
    if (g->active && g->since < 0 && gh->state == HOST_UP &&
        node_quorum(gh->proc)->role == QUORUM_RESIGNED) {
        g->since = world_now(r->w);
    }
    l = g->active && g->since >= 0 ? leader_above(r, g->epoch) : -1;
    if (l >= 0) {
        time_ns took = world_now(r->w) - g->since;
        record_timing(r->graceful_times, &r->graceful_count, took);
        trace_emitf(&r->w->trace, world_now(r->w), TRACE_HOST_NONE, TRACE_NOTE,
                    "raft leader %s resigned in a clean stop: %s leads after %" PRId64 " us",
                    names[g->host], names[l], took / 1000);
        g->active = false;
    }
}

static void after_step(void *ctx, int host)
{
    struct cluster_run *r = ctx;
    raft_checker_after_step(&r->raft, host);
    struct host *h = world_host(r->w, host);
    if (host >= NODES || h->proc == NULL) {
        return;
    }
    watch_leaders(r);
    const struct raft_listener *l = node_listener(h->proc);
    /* Everything a node applies from its log has been fed through the hook; a node ahead of
     * the checker got there by loading a snapshot. */
    if (l->applied_offset > r->parts.next_offset && r->parts.next_offset >= 0) {
        partition_checker_resync(&r->parts, &l->image, l->applied_offset);
    }
}

static void build(struct cluster_run *r, const struct run_opts *opts)
{
    r->w = world_create(opts->seed, NODES + 1, names, NULL, NULL);
    raft_checker_init(&r->raft, r->w, NULL);
    for (int i = 0; i < NODES; i++) {
        struct host *h = world_host(r->w, i);
        r->configs[i].planted_fence_before_leader_moves =
            planted(opts, "fence-before-leader-moves");
        r->configs[i].quorum.planted_observer_fetches_leader_only =
            planted(opts, "observer-fetches-leader-only");
        host_install(h, &node_process, &r->configs[i]);
        h->after_step = after_step;
        h->after_step_ctx = r;
    }
    host_install(world_host(r->w, ADMIN_HOST), &admin_process, &r->configs[0].api);
    r->session_timeout = r->configs[0].broker_session_timeout;
    r->shutting_down = -1;
}

/* Starts a node and hooks the partition checker to its listener. */
static void start_node(struct cluster_run *r, int i)
{
    struct host *h = world_host(r->w, i);
    if (h->state != HOST_UP && host_start(h)) {
        struct raft_listener *l = node_listener(h->proc);
        l->on_record = on_record;
        l->on_record_arg = r;
    }
}

/* ---- the admin script -------------------------------------------------------------------- */

static void admin_call_at(struct cluster_run *r, int16_t api, int to, const char *topic,
                          int32_t partitions, int16_t rf, const char *configs)
{
    struct admin_call c = {.api_key = api, .to_host = to, .partitions = partitions,
                           .replication_factor = rf};
    snprintf(c.topic, sizeof c.topic, "%s", topic);
    snprintf(c.configs, sizeof c.configs, "%s", configs);
    admin_start(world_host(r->w, ADMIN_HOST)->proc, &c);
}

/* The describe answer of one node, as text, to compare across nodes. */
static void describe_text(const struct admin_outcome *o, char *buf, size_t cap)
{
    struct text t = text_init(buf, cap);
    text_printf(&t, "error=%d", o->error);
    for (int32_t i = 0; i < o->partition_count; i++) {
        const struct admin_partition *p = &o->partitions[i];
        text_printf(&t, " p%d leader=%d epoch=%d replicas=", p->id, p->leader, p->leader_epoch);
        for (int32_t k = 0; k < p->replica_count; k++) {
            text_printf(&t, "%s%d", k ? "," : "", p->replicas[k]);
        }
        for (int32_t k = 0; k < p->isr_count; k++) {
            text_printf(&t, "%s%d", k ? "," : " isr=", p->isr[k]);
        }
    }
}

static void script_tick(void *ctx, uint64_t arg)
{
    struct cluster_run *r = ctx;
    (void)arg;
    const struct admin_outcome *o = admin_outcome(world_host(r->w, ADMIN_HOST)->proc);
    if (o->done && story(r->mode)) {
        if (r->script_step++ == 0) {
            struct admin_call c = {.api_key = KAFKA_API_CREATE_TOPICS, .to_host = 0,
                                   .partitions = -1, .replication_factor = -1};
            snprintf(c.topic, sizeof c.topic, "ledger");
            snprintf(c.assignment, sizeof c.assignment, "4,5");
            snprintf(c.configs, sizeof c.configs, "min.insync.replicas=2%s",
                     r->mode == CLUSTER_UNCLEAN ? ",unclean.leader.election.enable=true" : "");
            admin_start(world_host(r->w, ADMIN_HOST)->proc, &c);
        } else {
            return;
        }
    } else if (o->done) {
        int step = r->script_step++;
        if (step == 0) {
            admin_call_at(r, KAFKA_API_CREATE_TOPICS, 0, "orders", 3, 3,
                          "min.insync.replicas=2");
        } else if (step >= 1 && step <= NODES) {
            if (step > 1) {
                describe_text(o, r->describe_first[step - 2], sizeof r->describe_first[0]);
            }
            admin_call_at(r, KAFKA_API_METADATA, step - 1, "orders", 0, 0, "");
        } else if (step == NODES + 1) {
            describe_text(o, r->describe_first[NODES - 1], sizeof r->describe_first[0]);
            for (int i = 1; i < NODES; i++) {
                r->describe_mismatches += strcmp(r->describe_first[i], r->describe_first[0]) != 0;
            }
            admin_call_at(r, KAFKA_API_CREATE_TOPICS, NODES - 1, "clicks", -1, -1, "");
        } else if (step == NODES + 2) {
            r->clicks_error = o->error;
            r->clicks_created = o->num_partitions;
            /* A client's Metadata for a topic nobody created: auto.create.topics.enable. */
            struct admin_call c = {.api_key = KAFKA_API_METADATA, .to_host = COMBINED,
                                   .allow_auto_create = true};
            snprintf(c.topic, sizeof c.topic, "events");
            admin_start(world_host(r->w, ADMIN_HOST)->proc, &c);
        } else if (step == NODES + 3) {
            r->events_error = o->error;
            r->events_partitions = o->partition_count;
            admin_call_at(r, KAFKA_API_DELETE_TOPICS, 1, "clicks", 0, 0, "");
        } else {
            if (step == NODES + 4) {
                r->delete_error = o->error;
            }
            return; /* the script is over */
        }
    }
    world_at(r->w, world_now(r->w) + 50 * NS_PER_MS, script_tick, r, 0);
}

/* ---- faults and the failover clock ----------------------------------------------------------- */

static void watch_crash(struct cluster_run *r, int host, bool controller)
{
    struct failover_watch *fw = &r->watch;
    *fw = (struct failover_watch){.broker = host + 1, .crashed = world_now(r->w),
                                  .controller = controller};
    const struct metadata_image *img = &r->parts.shadow;
    for (uint32_t t = 0; t < img->topic_count; t++) {
        for (int32_t p = 0; p < img->topics[t].partition_count && fw->count < 64; p++) {
            if (img->topics[t].partitions[p].leader == fw->broker) {
                fw->topics[fw->count] = img->topics[t].id;
                fw->partitions[fw->count++] = img->topics[t].partitions[p].id;
            }
        }
    }
    fw->active = fw->count > 0;
}

/* Crashes a running node; the quorum leader's crash starts the watch for its successor. */
static void crash_node(struct cluster_run *r, int i)
{
    struct host *h = world_host(r->w, i);
    KS_ASSERT(h->state == HOST_UP);
    const struct quorum *q = node_quorum(h->proc);
    if (q->role == QUORUM_LEADER) {
        r->follow = (struct leader_watch){.active = true, .host = i, .epoch = q->election.epoch,
                                          .since = world_now(r->w)};
    }
    host_crash(h);
}

static void watch_tick(void *ctx, uint64_t arg)
{
    struct cluster_run *r = ctx;
    (void)arg;
    struct failover_watch *fw = &r->watch;
    if (fw->active) {
        bool moved = true;
        const struct metadata_image *img = &r->parts.shadow;
        for (int i = 0; i < fw->count && moved; i++) {
            for (uint32_t t = 0; t < img->topic_count; t++) {
                if (!wire_uuid_equal(img->topics[t].id, fw->topics[i])) {
                    continue;
                }
                for (int32_t p = 0; p < img->topics[t].partition_count; p++) {
                    const struct image_partition *ip = &img->topics[t].partitions[p];
                    moved &= ip->id != fw->partitions[i] || ip->leader != fw->broker;
                }
            }
        }
        if (moved && r->timing_count < TIMINGS_MAX) {
            time_ns took = world_now(r->w) - fw->crashed;
            r->timing_controller[r->timing_count] = fw->controller;
            r->timings[r->timing_count++] = took;
            trace_emitf(&r->w->trace, world_now(r->w), TRACE_HOST_NONE, TRACE_NOTE,
                        "failover broker=%d partitions=%d new-leaders-after-ms=%" PRId64
                        "%s", fw->broker, fw->count, took / NS_PER_MS,
                        fw->controller ? " (it was the active controller)" : "");
            fw->active = false;
        }
    }
    if (world_now(r->w) < r->fault_end + HEAL_NS) {
        world_at(r->w, world_now(r->w) + WATCH_EVERY_NS, watch_tick, r, 0);
    }
}

static void heal_all(struct cluster_run *r)
{
    net_heal(&r->w->net);
    for (int i = 0; i < NODES; i++) {
        struct host *h = world_host(r->w, i);
        if (h->state == HOST_PAUSED) {
            host_resume(h);
        }
        /* A controlled shutdown still under way is finished by a restart, as an operator
         * whose rolling restart is over would. */
        const struct lifecycle *lc = h->state == HOST_UP ? node_lifecycle(h->proc) : NULL;
        if (lc != NULL && lc->state >= LIFECYCLE_PENDING_CONTROLLED_SHUTDOWN) {
            host_stop(h);
        }
        start_node(r, i);
    }
    r->shutting_down = -1;
}

static void undo_fault(void *ctx, uint64_t arg)
{
    struct cluster_run *r = ctx;
    (void)arg;
    heal_all(r);
    fault_log_end_all(&r->faults, world_now(r->w)); /* heal_all undid every fault */
}

/* A clean stop in progress: stop the process once the controller let the broker go and the
 * raft client finished its graceful shutdown (a leader resigned and another leads). */
static void shutdown_tick(void *ctx, uint64_t arg)
{
    struct cluster_run *r = ctx;
    (void)arg;
    int i = r->shutting_down;
    if (i < 0) {
        return;
    }
    struct host *h = world_host(r->w, i);
    if (h->proc != NULL && node_shutdown_done(h->proc)) {
        trace_emitf(&r->w->trace, world_now(r->w), TRACE_HOST_NONE, TRACE_NOTE,
                    "controlled shutdown of %s done after %" PRId64 " ms; process stops",
                    names[i], (world_now(r->w) - r->shutdown_began) / NS_PER_MS);
        host_stop(h);
        r->shutting_down = -1;
        return;
    }
    if (h->state == HOST_UP) {
        world_at(r->w, world_now(r->w) + WATCH_EVERY_NS, shutdown_tick, r, 0);
    }
}

/* Splits the nodes at random in two (the admin client with the first group); the groups'
 * names go into t. */
static void random_split(struct cluster_run *r, struct text *t)
{
    int a[NODES + 1], b[NODES + 1], an = 0, bn = 0;
    uint64_t mask = 1 + rng_below(&r->w->nemesis, (UINT64_C(1) << NODES) - 2);
    for (int i = 0; i < NODES; i++) {
        if (mask & (UINT64_C(1) << i)) {
            a[an++] = i;
        } else {
            b[bn++] = i;
        }
    }
    a[an++] = ADMIN_HOST;
    net_partition(&r->w->net, a, an, b, bn);
    for (int i = 0; i < an + bn; i++) {
        text_printf(t, "%s%s", i == 0 ? "" : i == an ? " | " : " ",
                    names[i < an ? a[i] : b[i - an]]);
    }
}

/* Begins a controlled shutdown of a running node; false if it is not running. */
static bool begin_controlled_shutdown(struct cluster_run *r, int victim)
{
    struct host *h = world_host(r->w, victim);
    if (h->state != HOST_UP) {
        return false;
    }
    r->shutting_down = victim;
    r->shutdown_began = world_now(r->w);
    const struct quorum *q = node_quorum(h->proc);
    if (q->role == QUORUM_LEADER) {
        r->graceful = (struct leader_watch){.active = true, .host = victim,
                                            .epoch = q->election.epoch, .since = -1};
    }
    node_begin_shutdown(h->proc);
    world_at(r->w, world_now(r->w) + WATCH_EVERY_NS, shutdown_tick, r, 0);
    return true;
}

static void nemesis_tick(void *ctx, uint64_t arg)
{
    struct cluster_run *r = ctx;
    (void)arg;
    time_ns now = world_now(r->w);
    if (now >= r->fault_end) {
        return;
    }
    struct rng *g = &r->w->nemesis;
    enum fault f = (enum fault)rng_below(g, FAULT_KINDS);
    int victim = (int)rng_below(g, NODES);
    time_ns length = NS_PER_S + (time_ns)rng_below(g, 5 * (uint64_t)NS_PER_S);
    int controller = active_controller(r);
    char targets[FAULT_LOG_TARGET_TEXT];
    struct text t = text_init(targets, sizeof targets);
    bool injected = true;
    switch (f) {
    case FAULT_CRASH_CONTROLLER:
        victim = controller >= 0 ? controller : victim;
        /* fall through */
    case FAULT_CRASH_BROKER:
        injected = world_host(r->w, victim)->state == HOST_UP;
        if (injected) {
            watch_crash(r, victim, victim == controller);
            crash_node(r, victim);
        }
        text_printf(&t, "%s", names[victim]);
        length = CRASH_DOWN_NS;
        break;
    case FAULT_ISOLATE:
        net_isolate(&r->w->net, victim);
        text_printf(&t, "%s", names[victim]);
        break;
    case FAULT_SPLIT:
        random_split(r, &t);
        break;
    case FAULT_CONTROLLED_SHUTDOWN:
        injected = begin_controlled_shutdown(r, victim);
        text_printf(&t, "%s", names[victim]);
        length = 6 * NS_PER_S;
        break;
    case FAULT_KINDS:
        KS_ASSERT(false);
    }
    static const char *const fault_names[] = {"crash", "crash-active-controller", "isolate",
                                              "split", "controlled-shutdown"};
    trace_emitf(&r->w->trace, now, TRACE_HOST_NONE, TRACE_NOTE, "nemesis %s%s%s for %" PRId64
                " ms", fault_names[f], f == FAULT_SPLIT ? "" : " ",
                f == FAULT_SPLIT ? "" : names[victim], length / NS_PER_MS);
    if (injected) {
        /* The kind says what was hit: a "crash" may find the active controller's node. */
        bool crash = f == FAULT_CRASH_BROKER || f == FAULT_CRASH_CONTROLLER;
        fault_log_begin(&r->faults, now,
                        crash ? fault_names[victim == controller] : fault_names[f], targets);
    }
    time_ns undo = now + length < r->fault_end ? now + length : r->fault_end;
    world_at(r->w, undo, undo_fault, r, 0);
    time_ns next = undo + NS_PER_S + (time_ns)rng_below(g, 2 * (uint64_t)NS_PER_S);
    if (next < r->fault_end) {
        world_at(r->w, next, nemesis_tick, r, 0);
    }
}

/* broker-failover: every 20 s, crash a broker that leads partitions (every third time the
 * active controller's node, whether or not it leads any); it comes back 12 s later. Nothing
 * else happens, so the time to new leaders is the session timeout's work alone (plus, for the
 * controller's node, the election of a new controller, which gives every broker a fresh
 * session, and the brokers' search for it). */
static void crash_tick(void *ctx, uint64_t arg)
{
    struct cluster_run *r = ctx;
    time_ns now = world_now(r->w);
    if (now >= r->fault_end) {
        return;
    }
    int controller = active_controller(r);
    /* Every third crash is the active controller's own node, if it leads partitions. */
    bool take_controller = arg % 3 == 2 && controller >= 0;
    for (int k = 0; k < NODES; k++) {
        int i = take_controller ? controller : (int)((arg + (uint64_t)k) % NODES);
        struct host *h = world_host(r->w, i);
        if ((i == controller) != take_controller || h->state != HOST_UP) {
            continue;
        }
        watch_crash(r, i, take_controller);
        if (r->watch.count == 0 && !take_controller) {
            continue;
        }
        trace_emitf(&r->w->trace, now, TRACE_HOST_NONE, TRACE_NOTE,
                    "nemesis crash %s (leads %d partitions%s) for %" PRId64 " ms", names[i],
                    r->watch.count, take_controller ? ", the active controller" : "",
                    CRASH_DOWN_NS / NS_PER_MS);
        crash_node(r, i);
        fault_log_begin(&r->faults, now, take_controller ? "crash-active-controller" : "crash",
                        names[i]);
        world_at(r->w, now + CRASH_DOWN_NS, undo_fault, r, 0);
        break;
    }
    world_at(r->w, now + 20 * NS_PER_S, crash_tick, r, arg + 1);
}

/* ---- offline-partition and unclean-election ---------------------------------------------- */

#define OFFLINE_STEPS 4
static const time_ns offline_crash4 = 10 * NS_PER_S, offline_crash5 = 22 * NS_PER_S,
                     offline_back4 = 34 * NS_PER_S, offline_back5 = 46 * NS_PER_S;
static const time_ns offline_look[OFFLINE_STEPS] = {21 * NS_PER_S, 33 * NS_PER_S,
                                                   45 * NS_PER_S, 57 * NS_PER_S};
/* The heal (which restarts every node) must not come before broker-5 returns; the last look
 * (57 s) comes before the run ends (46 s + 25 s). */
#define OFFLINE_STORY_NS (46 * NS_PER_S)

static void offline_crash(void *ctx, uint64_t host)
{
    struct cluster_run *r = ctx;
    trace_emitf(&r->w->trace, world_now(r->w), TRACE_HOST_NONE, TRACE_NOTE, "nemesis crash %s",
                names[host]);
    host_crash(world_host(r->w, (int)host));
    r->offline_fault[host] = fault_log_begin(&r->faults, world_now(r->w), "crash", names[host]);
}

static void offline_restart(void *ctx, uint64_t host)
{
    struct cluster_run *r = ctx;
    trace_emitf(&r->w->trace, world_now(r->w), TRACE_HOST_NONE, TRACE_NOTE,
                "nemesis restart %s", names[host]);
    start_node(r, (int)host);
    fault_log_end(&r->faults, r->offline_fault[host], world_now(r->w));
}

static void ints_text(const struct image_ints *l, char *buf, size_t cap)
{
    struct text t = text_init(buf, cap);
    for (int32_t i = 0; i < l->count; i++) {
        text_printf(&t, "%s%d", i ? "," : "", l->items[i]);
    }
}

/* ledger-0 as the committed metadata has it now. */
static void offline_look_tick(void *ctx, uint64_t step)
{
    struct cluster_run *r = ctx;
    const struct image_topic *t = metadata_image_topic(&r->parts.shadow, "ledger");
    if (t == NULL || t->partition_count < 1 || step >= OFFLINE_STEPS) {
        return;
    }
    const struct image_partition *p = &t->partitions[0];
    r->ledger_leader[step] = p->leader;
    r->ledger_recovery[step] = p->leader_recovery_state;
    ints_text(&p->isr, r->ledger_isr[step], sizeof r->ledger_isr[0]);
    ints_text(&p->elr, r->ledger_elr[step], sizeof r->ledger_elr[0]);
    r->ledger_seen = (int)step + 1;
}

/* The 3.x way to elect uncleanly (the controller ignores the topic config before 3.9):
 * kafka-leader-election.sh --election-type unclean, an ElectLeaders request. */
static void offline_elect_unclean(void *ctx, uint64_t arg)
{
    struct cluster_run *r = ctx;
    (void)arg;
    struct admin_call c = {.api_key = KAFKA_API_ELECT_LEADERS, .to_host = 0, .partitions = 0,
                           .election_type = ELECTION_TYPE_UNCLEAN};
    snprintf(c.topic, sizeof c.topic, "ledger");
    trace_emitf(&r->w->trace, world_now(r->w), TRACE_HOST_NONE, TRACE_NOTE,
                "kafka-leader-election.sh --bootstrap-server kafka-1:9092 --election-type "
                "unclean --topic ledger --partition 0");
    admin_start(world_host(r->w, ADMIN_HOST)->proc, &c);
    r->elect_sent = true;
}

static void plan_offline(struct cluster_run *r)
{
    world_at(r->w, offline_crash4, offline_crash, r, 3);
    world_at(r->w, offline_crash5, offline_crash, r, 4);
    world_at(r->w, offline_back4, offline_restart, r, 3);
    world_at(r->w, offline_back5, offline_restart, r, 4);
    for (uint64_t i = 0; i < OFFLINE_STEPS; i++) {
        world_at(r->w, offline_look[i], offline_look_tick, r, i);
    }
    if (r->mode == CLUSTER_UNCLEAN && !r->configs[0].replication.unclean_election_config) {
        world_at(r->w, offline_look[2] + 100 * NS_PER_MS, offline_elect_unclean, r, 0);
    }
}

/* kafka-leader-election.sh's line for the answer (LeaderElectionCommand). */
static void offline_elect_report(struct cluster_run *r, FILE *out)
{
    const struct admin_outcome *o = admin_outcome(world_host(r->w, ADMIN_HOST)->proc);
    fprintf(out, "  $ kafka-leader-election.sh --bootstrap-server kafka-1:9092 "
            "--election-type unclean --topic ledger --partition 0\n");
    if (!o->done) {
        fprintf(out, "  (no answer yet)\n");
    } else if (o->error == KAFKA_NONE) {
        fprintf(out, "  Successfully completed leader election (UNCLEAN) for partitions "
                "ledger-0\n");
    } else if (o->error == KAFKA_ELECTION_NOT_NEEDED) {
        fprintf(out, "  Valid replica already elected for partitions ledger-0\n");
    } else {
        fprintf(out, "  Error completing leader election (UNCLEAN) for partition: ledger-0: "
                "%s: %s\n", kafka_error_name(o->error), o->message);
    }
}

static void offline_report(struct cluster_run *r, FILE *out)
{
    static const char *const when[OFFLINE_STEPS] = {
        "after broker-4 crashed (fenced 9 s later)", "after broker-5 crashed too",
        "after broker-4 came back", "after broker-5 came back too"};
    fprintf(out, "ledger-0 (replicas 4,5; min.insync.replicas=2%s):\n",
            r->mode == CLUSTER_UNCLEAN ? "; unclean.leader.election.enable=true" : "");
    if (r->mode == CLUSTER_UNCLEAN && !r->configs[0].replication.unclean_election_config) {
        /* ConfigurationControlManager.uncleanLeaderElectionEnabledForTopic, 3.0-3.8. */
        fprintf(out, "  the controller ignores unclean.leader.election.enable before Kafka 3.9 "
                "(ConfigurationControlManager.uncleanLeaderElectionEnabledForTopic returns "
                "false until KAFKA-12670): no unclean election until an operator asks for one "
                "with kafka-leader-election.sh --election-type unclean (ElectLeaders)\n");
    }
    for (int i = 0; i < r->ledger_seen; i++) {
        if (i == 3 && r->elect_sent) {
            offline_elect_report(r, out);
        }
        char leader[16];
        snprintf(leader, sizeof leader, "%d", r->ledger_leader[i]);
        fprintf(out, "  %-42s Leader: %-5s Isr: %-5s Elr: %-5s%s\n", when[i],
                r->ledger_leader[i] < 0 ? "none" : leader, r->ledger_isr[i], r->ledger_elr[i],
                r->ledger_recovery[i] == METADATA_LRS_RECOVERING
                    ? "  RECOVERING: an unclean election, acknowledged writes may be "
                      "lost"
                    : "");
    }
}

static void heal_tick(void *ctx, uint64_t arg)
{
    struct cluster_run *r = ctx;
    (void)arg;
    heal_all(r);
    fault_log_end_all(&r->faults, world_now(r->w));
    trace_emitf(&r->w->trace, world_now(r->w), TRACE_HOST_NONE, TRACE_NOTE,
                "heal: every fault undone, every node up");
}

/* ---- the end ------------------------------------------------------------------------------ */

/* Every broker RUNNING and unfenced, every partition led, every node at the same applied
 * offset with the same image. */
static bool settled(void *arg)
{
    struct cluster_run *r = arg;
    int c = active_controller(r);
    if (c < 0) {
        return false;
    }
    const struct metadata_image *img = &node_listener(world_host(r->w, c)->proc)->image;
    int64_t applied = node_listener(world_host(r->w, c)->proc)->applied_offset;
    uint64_t hash = metadata_image_hash(img);
    for (int i = 0; i < NODES; i++) {
        struct host *h = world_host(r->w, i);
        if (h->state != HOST_UP) {
            return false;
        }
        const struct lifecycle *lc = node_lifecycle(h->proc);
        const struct image_broker *b = metadata_image_broker(img, i + 1);
        const struct raft_listener *l = node_listener(h->proc);
        if (lc == NULL || lc->state != LIFECYCLE_RUNNING || b == NULL || b->fenced ||
            l->applied_offset != applied || metadata_image_hash(&l->image) != hash) {
            return false;
        }
    }
    for (uint32_t t = 0; t < img->topic_count; t++) {
        for (int32_t p = 0; p < img->topics[t].partition_count; p++) {
            if (img->topics[t].partitions[p].leader < 0) {
                return false;
            }
        }
    }
    return img->topic_count >= (story(r->mode) ? 1 : 2);
}

/* The release's kafka-metadata-quorum.sh and kafka-topics.sh against node `c`, the active
 * controller; kafka-topics.sh sees the static topic-config synonyms of c's server.properties. */
static void print_describe(struct cluster_run *r, FILE *out, int c, const char *kafka_version)
{
    char text[1024];
    size_t len = properties(text, sizeof text, c + 1, kafka_version);
    KS_ASSERT(len > 0); /* it fit at start */
    struct kafka_config *k = malloc(sizeof *k);
    KS_ASSERT(k != NULL);
    struct config_error err;
    KS_ASSERT(config_parse(text, len, names[c], k, &err) == CONFIG_OK); /* it parsed at start */
    struct describe_config statics[16];
    struct describe_tool tool = {k->release->number, statics,
                                 describe_static_topic_configs(k, statics, 16)};
    struct wire_arena a;
    wire_arena_init(&a);
    struct describe_quorum_response resp;
    if (quorum_describe(node_quorum(world_host(r->w, c)->proc), &a, &resp) &&
        describe_quorum_prompt(out, tool.release, names[c], names[c], "--status")) {
        struct describe_endpoint eps[COMBINED];
        for (int i = 0; i < COMBINED; i++) {
            eps[i] = (struct describe_endpoint){i + 1, names[i], 9093};
        }
        int shown = describe_quorum_at_version(
            &resp, k->switches.raft_rpc.describe_quorum_version_max, COMBINED);
        describe_status(out, tool.release, r->cluster_id, &resp, eps, shown);
    }
    wire_arena_free(&a);
    fprintf(out, "\n$ kafka-topics.sh --bootstrap-server %s:9092 --describe\n", names[c]);
    describe_topics(out, &tool, &node_listener(world_host(r->w, c)->proc)->image, NULL);
    fprintf(out, "\n");
    free(k);
}

/* The smallest and largest of `count` (> 0) timings. */
static void timing_range(const time_ns *t, int count, time_ns *lo, time_ns *hi)
{
    KS_ASSERT(count > 0);
    *lo = TIME_NS_MAX;
    *hi = 0;
    for (int i = 0; i < count; i++) {
        *lo = t[i] < *lo ? t[i] : *lo;
        *hi = t[i] > *hi ? t[i] : *hi;
    }
}

/* The failover timings are printed for broker-failover only: under the nemesis a broker may
 * have stopped heartbeating (isolated, in a split) before it crashed. */
static void report(struct cluster_run *r, FILE *out, const char *kafka_version)
{
    fprintf(out, "release: %s\n", r->switches);
    fprintf(out, "cluster: %d combined nodes (broker,controller) and %d brokers; %" PRIu64
            " partition leader changes, %" PRIu64 " unclean\n", COMBINED, BROKERS,
            r->parts.leader_changes, r->parts.unclean_elections);
    fault_log_print(&r->faults, out);
    if (story(r->mode)) {
        offline_report(r, out);
    } else {
        fprintf(out, "describe from every node: %s\n",
                r->describe_mismatches == 0 ? "identical" : "DIFFERENT");
    }
    if (r->mode == CLUSTER_BROKER_FAILOVER && r->timing_count > 0) {
        time_ns lo = TIME_NS_MAX, hi = 0, sum = 0;
        int n = 0;
        for (int i = 0; i < r->timing_count; i++) {
            if (!r->timing_controller[i]) {
                lo = r->timings[i] < lo ? r->timings[i] : lo;
                hi = r->timings[i] > hi ? r->timings[i] : hi;
                sum += r->timings[i];
                n++;
            }
        }
        if (n > 0) {
            fprintf(out, "broker crash -> its partitions have new leaders: %d crashes, min %"
                    PRId64 " ms, mean %" PRId64 " ms, max %" PRId64
                    " ms (broker.session.timeout.ms=%" PRId64 ")\n", n, lo / NS_PER_MS,
                    sum / n / NS_PER_MS, hi / NS_PER_MS, r->session_timeout / NS_PER_MS);
        }
        for (int i = 0; i < r->timing_count; i++) {
            if (r->timing_controller[i]) {
                fprintf(out, "active controller crash -> new leaders: %" PRId64
                        " ms (a controller election, then a full session)\n",
                        r->timings[i] / NS_PER_MS);
            }
        }
    }
    time_ns lo, hi;
    if (r->mode == CLUSTER_BROKER_FAILOVER && r->follow_count > 0) {
        timing_range(r->follow_times, r->follow_count, &lo, &hi);
        fprintf(out, "active controller crash -> every live broker fetches from the new leader: "
                "%d crash%s, min %" PRId64 " ms, max %" PRId64 " ms\n", r->follow_count,
                r->follow_count == 1 ? "" : "es", lo / NS_PER_MS, hi / NS_PER_MS);
    }
    if (r->graceful_count > 0) {
        /* KafkaRaftClient.shutdown: the leader resigns and sends EndQuorumEpoch, so a clean
         * stop costs round trips, not controller.quorum.fetch.timeout.ms. */
        timing_range(r->graceful_times, r->graceful_count, &lo, &hi);
        fprintf(out, "clean stop of the raft leader -> a new leader: %d stop%s, min %.1f ms, "
                "max %.1f ms (EndQuorumEpoch, not the fetch timeout)\n", r->graceful_count,
                r->graceful_count == 1 ? "" : "s", (double)lo / NS_PER_MS,
                (double)hi / NS_PER_MS);
    }
    int c = active_controller(r);
    if (c >= 0) {
        print_describe(r, out, c, kafka_version);
    }
}

static void fill_outcome(struct cluster_run *r, struct cluster_outcome *outcome)
{
    memset(outcome, 0, sizeof *outcome);
    outcome->describe_mismatches = r->describe_mismatches;
    for (int i = 0; i < NODES; i++) {
        snprintf(outcome->describe[i], sizeof outcome->describe[i], "%s", r->describe_first[i]);
    }
    outcome->timing_count = r->timing_count;
    outcome->follow_count = r->follow_count;
    memcpy(outcome->follow_times, r->follow_times, sizeof r->follow_times);
    outcome->graceful_count = r->graceful_count;
    memcpy(outcome->graceful_times, r->graceful_times, sizeof r->graceful_times);
    outcome->fences_checked = r->fencing.fences_checked;
    outcome->fences_excused = r->fencing.fences_excused;
    memcpy(outcome->timings, r->timings, sizeof r->timings);
    memcpy(outcome->timing_controller, r->timing_controller, sizeof r->timing_controller);
    outcome->leader_changes = r->parts.leader_changes;
    outcome->records_checked = r->parts.records_checked;
    outcome->session_timeout = r->session_timeout;
    outcome->heartbeat_interval = r->configs[0].broker_heartbeat_interval;
    outcome->faults = fault_log_total(&r->faults);
    outcome->unclean_elections = r->parts.unclean_elections;
    outcome->clicks_error = r->clicks_error;
    outcome->clicks_created = r->clicks_created;
    outcome->events_error = r->events_error;
    outcome->events_partitions = r->events_partitions;
    outcome->delete_error = r->delete_error;
    for (int i = 0; i < 4; i++) {
        outcome->ledger_leader[i] = r->ledger_leader[i];
        outcome->ledger_recovery[i] = r->ledger_recovery[i];
        snprintf(outcome->ledger_isr[i], sizeof outcome->ledger_isr[i], "%s", r->ledger_isr[i]);
        snprintf(outcome->ledger_elr[i], sizeof outcome->ledger_elr[i], "%s", r->ledger_elr[i]);
    }
    int c = active_controller(r);
    outcome->orders_partitions = outcome->clicks_partitions = -1;
    if (c >= 0) {
        const struct metadata_image *img = &node_listener(world_host(r->w, c)->proc)->image;
        const struct image_topic *t = metadata_image_topic(img, "orders");
        outcome->orders_partitions = t != NULL ? t->partition_count : -1;
        t = metadata_image_topic(img, "clicks");
        outcome->clicks_partitions = t != NULL ? t->partition_count : -1;
        t = metadata_image_topic(img, "events");
        outcome->events_in_image = t != NULL ? t->partition_count : -1;
    }
}

/* Formats every node, starts them and the admin client, and plans the acts. */
static void start_cluster(struct cluster_run *r, const struct run_opts *opts)
{
    struct rng storage;
    rng_init(&storage, opts->seed, "storage", UINT64_MAX);
    kafka_storage_random_uuid(&storage, r->cluster_id);
    for (int i = 0; i < NODES; i++) {
        KS_ASSERT(kafka_storage_format(r->w, i, &r->configs[i], r->cluster_id) == ENV_OK);
        start_node(r, i);
    }
    host_start(world_host(r->w, ADMIN_HOST));
    world_at(r->w, 3 * NS_PER_S, script_tick, r, 0);
    world_at(r->w, 0, watch_tick, r, 0);
    if (story(r->mode)) {
        plan_offline(r);
    } else if (r->fault_end > SETUP_NS) {
        world_at(r->w, SETUP_NS, r->mode == CLUSTER_BROKER_FAILOVER ? crash_tick : nemesis_tick,
                 r, 0);
    }
    world_at(r->w, r->fault_end, heal_tick, r, 0);
}

void cluster_scenario_run(const struct run_opts *opts, struct run_result *result,
                          struct cluster_outcome *outcome, enum cluster_mode mode)
{
    static const struct scenario *const by_mode[] = {
        &scenario_cluster, &scenario_broker_failover, &scenario_offline_partition,
        &scenario_unclean_election};
    if (!scenario_duration_ok(by_mode[mode], opts, result)) {
        return;
    }
    struct cluster_run *r = calloc(1, sizeof *r);
    KS_ASSERT(r != NULL);
    fault_log_init(&r->faults);
    r->mode = mode;
    if (!configure(r, opts, result)) {
        free(r);
        return;
    }
    build(r, opts);
    r->raft.result = result;
    int32_t node_ids[NODES];
    for (int i = 0; i < NODES; i++) {
        node_ids[i] = r->configs[i].node_id;
    }
    fencing_checker_init(&r->fencing, r->w, result, r->session_timeout, NODES, node_ids, names);
    partition_checker_init(&r->parts, result,
                           r->configs[0].replication.unclean_leader_election_enable);
    r->switches = result->switches;
    scenario_trace_console(opts, &r->w->trace, &r->console);
    time_ns duration = opts->duration > 0 ? opts->duration : by_mode[mode]->duration;
    KS_ASSERT(duration >= by_mode[mode]->min_duration); /* scenario_duration_ok */
    r->fault_end = duration - HEAL_NS;
    trace_emitf(&r->w->trace, 0, TRACE_HOST_NONE, TRACE_RUN_START,
                "scenario=cluster seed=%" PRIu64 " %s", opts->seed, result->switches);
    start_cluster(r, opts);
    world_run_until(r->w, r->fault_end);
    if (!sched_run_until_pred(&r->w->sched, settled, r, duration)) {
        scenario_violation(r->w, result, "liveness", "liveness: %d s after healing the cluster "
                           "has not settled (every broker running and unfenced, every "
                           "partition led, the same image on every node)",
                           (int)(HEAL_NS / NS_PER_S));
    }
    world_run_until(r->w, duration);
    KS_ASSERT(world_check(r->w));
    if (r->describe_mismatches > 0) {
        scenario_violation(r->w, result, "describe", "describe: the nodes described topic "
                           "orders differently");
    }
    trace_emitf(&r->w->trace, world_now(r->w), TRACE_HOST_NONE, TRACE_RUN_END, "violations=%u",
                result->violations);
    report(r, opts->out, opts->kafka_version);
    result->faults = fault_log_total(&r->faults);
    result->trace_hash = trace_hash(&r->w->trace);
    result->trace_events = r->w->trace.event_count;
    result->sched_events = sched_fired_count(&r->w->sched);
    result->virtual_end = world_now(r->w);
    result->elections = r->w->trace.kind_counts[TRACE_RAFT_BECAME_LEADER];
    if (outcome != NULL) {
        fill_outcome(r, outcome);
    }
    partition_checker_free(&r->parts);
    raft_checker_free(&r->raft);
    world_destroy(r->w);
    free(r);
}

static void run_cluster(const struct run_opts *opts, struct run_result *result)
{
    cluster_scenario_run(opts, result, NULL, CLUSTER_NEMESIS);
}

static void run_broker_failover(const struct run_opts *opts, struct run_result *result)
{
    cluster_scenario_run(opts, result, NULL, CLUSTER_BROKER_FAILOVER);
}

static void run_offline(const struct run_opts *opts, struct run_result *result)
{
    cluster_scenario_run(opts, result, NULL, CLUSTER_OFFLINE);
}

static void run_unclean(const struct run_opts *opts, struct run_result *result)
{
    cluster_scenario_run(opts, result, NULL, CLUSTER_UNCLEAN);
}

static void prepare_cluster(const struct run_opts *opts, struct run_result *result)
{
    struct cluster_run *r = calloc(1, sizeof *r);
    KS_ASSERT(r != NULL);
    configure(r, opts, result);
    free(r);
}

const struct scenario scenario_cluster = {
    .name = "cluster",
    .summary = "3 combined nodes + 2 brokers: topics created and described from every node, "
               "then broker crashes, controller failover, partitions and controlled shutdowns",
    .duration = 60 * NS_PER_S,
    .min_duration = SETUP_NS + FAULTS_MIN_NS + HEAL_NS,
    .min_duration_why = "8 s setup, 1 s of faults, 25 s healing",
    .run = run_cluster,
    .prepare = prepare_cluster,
};

const struct scenario scenario_broker_failover = {
    .name = "broker-failover",
    .summary = "the cluster scenario's deployment; every 20 s a broker that leads partitions "
               "crashes (every third time the active controller's node): the time until its "
               "partitions have new leaders, and until every broker follows the new "
               "controller, is measured",
    .duration = 90 * NS_PER_S,
    .min_duration = SETUP_NS + CRASH_DOWN_NS + HEAL_NS,
    .min_duration_why = "8 s setup, one 12 s broker crash, 25 s healing",
    .run = run_broker_failover,
    .prepare = prepare_cluster,
};

const struct scenario scenario_offline_partition = {
    .name = "offline-partition",
    .summary = "topic ledger on brokers 4,5 (min.insync.replicas=2): broker-4 crashes, then "
               "broker-5, then broker-4 returns: the ISR shrinks, the partition goes offline, "
               "and with ELR (Kafka 4.1+) broker-4 may lead again; compare --kafka-version 3.4",
    .duration = 75 * NS_PER_S,
    .min_duration = OFFLINE_STORY_NS + HEAL_NS,
    .min_duration_why = "its story runs on a fixed clock until broker-5 returns at 46 s, then "
                        "25 s healing",
    .run = run_offline,
    .prepare = prepare_cluster,
};

const struct scenario scenario_unclean_election = {
    .name = "unclean-election",
    .summary = "offline-partition with unclean.leader.election.enable=true on the topic: on "
               "Kafka 3.9+ broker-4 is elected from outside the ISR, RECOVERING, and the trace "
               "warns of data loss; a 3.x controller (--kafka-version 3.4) ignores the config, "
               "and kafka-leader-election.sh --election-type unclean (ElectLeaders) elects it",
    .duration = 75 * NS_PER_S,
    .min_duration = OFFLINE_STORY_NS + HEAL_NS,
    .min_duration_why = "its story runs on a fixed clock until broker-5 returns at 46 s, then "
                        "25 s healing",
    .run = run_unclean,
    .prepare = prepare_cluster,
};
