/* scenario_quorum.c — a KRaft controller quorum committing records through a nemesis. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_raft.h"
#include "config.h"
#include "tools/describe.h"
#include "tools/kafka_storage.h"
#include "lifecycle.h"
#include "metadata/image.h"
#include "raft/listener.h"
#include "metadata/records.h"
#include "node.h"
#include "scenario/fault_log.h"
#include "scenario/scenario.h"
#include "trace/trace.h"
#include "world/world.h"
#include "text.h"

/*
 * The run, in three acts:
 *   1. calm (0 to 2 s): the quorum elects a leader; a client appends a small record every
 *      10 ms to whichever node leads;
 *   2. faults (2 s to duration - 25 s): every `every` the nemesis picks one fault from the
 *      seed: a partition (isolate the leader, a random split, a one-way cut, a bridge), a crash
 *      or power failure with a later restart, a pause, clock drift, or a lossy, duplicating,
 *      reordering network; each fault is undone a little later;
 *   3. healing (the last 10 s): every fault is undone, every node restarted, and the liveness
 *      check demands a leader that every voter follows and a high watermark that moves.
 * The raft checker watches every step of every node throughout.
 */

#define BROKERS 2 /* observers: process.roles=broker nodes that fetch the metadata log */
#define CALM_NS (2 * NS_PER_S)
#define HEAL_NS (25 * NS_PER_S)
/* The shortest fault phase a run may ask for: one fault (0.5 to 3.5 s, cut at the phase's end)
 * and its undo. */
#define FAULTS_MIN_NS (1 * NS_PER_S)
#define LIVENESS_NS (8 * NS_PER_S)
/* Brokers have until the end of the run (25 s after healing): one that restarted during the
 * faults waits out its old session (DUPLICATE_BROKER_REGISTRATION) from whenever the last
 * controller became active, then needs a heartbeat or two. */
#define APPEND_EVERY_NS (10 * NS_PER_MS)

enum nemesis_fault {
    FAULT_ISOLATE_LEADER,
    FAULT_SPLIT,
    FAULT_ONEWAY,
    FAULT_BRIDGE,
    FAULT_CRASH,
    FAULT_POWER,
    FAULT_PAUSE,
    FAULT_DRIFT,
    FAULT_CHAOS,
    FAULT_KIND_COUNT,
};

enum quorum_mode { MODE_NEMESIS, MODE_FAILOVER, MODE_CALM };

struct quorum_run {
    struct world *w;
    enum quorum_mode mode;
    struct raft_checker checker;
    struct node_config configs[QUORUM_VOTER_MAX + BROKERS];
    int voters;
    int hosts; /* voters, then brokers */
    int brokers;
    uint64_t appended;
    uint64_t refused;
    struct fault_log faults;
    struct trace_console console;
    int32_t last_leader;
    uint64_t leader_changes;
    time_ns fault_end;
    bool healing;
    const char *switches;
    char cluster_id[KAFKA_STORAGE_UUID_TEXT];
    int release; /* kafka_release.number: the run's tools are the release's */
    int16_t describe_quorum_version; /* the release's raft.rpc.describe.quorum.max */
};

static const char *const host_names[] = {
    "controller-1", "controller-2", "controller-3", "controller-4", "controller-5",
    "controller-6", "controller-7", "controller-8", "controller-9"};
/* Brokers are named for their node id, as in the cluster scenario: broker-4 is node id 4. */
static const char *const broker_names[] = {"broker-1",  "broker-2",  "broker-3",  "broker-4",
                                           "broker-5",  "broker-6",  "broker-7",  "broker-8",
                                           "broker-9",  "broker-10", "broker-11", "broker-12",
                                           "broker-13", "broker-14"};


static const char *name_of(int voters, int i)
{
    KS_ASSERT(i >= 0 && (size_t)i < sizeof broker_names / sizeof broker_names[0]);
    return i < voters ? host_names[i] : broker_names[i];
}

/* The leader with the highest epoch among live nodes, or -1 (host index). */
static int find_leader(struct quorum_run *r, int32_t *epoch_out)
{
    int best = -1;
    int32_t best_epoch = -1;
    for (int i = 0; i < r->voters; i++) {
        struct host *h = world_host(r->w, i);
        if (h->state != HOST_UP) {
            continue;
        }
        struct quorum_view v;
        quorum_view(node_quorum(h->proc), &v);
        if (v.role == QUORUM_LEADER && v.epoch > best_epoch) {
            best = i;
            best_epoch = v.epoch;
        }
    }
    if (epoch_out != NULL) {
        *epoch_out = best_epoch;
    }
    return best;
}

static void client_tick(void *ctx, uint64_t seq)
{
    struct quorum_run *r = ctx;
    int leader = find_leader(r, NULL);
    if (leader >= 0) {
        /* Until the controller takes requests, the client's write is what an admin altering
         * a cluster-wide broker config would make the controller append: a ConfigRecord. */
        static const char *const keys[] = {
            "log.retention.ms",     "log.retention.bytes",   "log.segment.bytes",
            "message.max.bytes",    "log.cleaner.threads",   "num.io.threads",
            "log.flush.interval.ms", "log.flush.interval.messages"};
        char text[24];
        snprintf(text, sizeof text, "%" PRIu64, 1000 + seq);
        struct metadata_record rec;
        metadata_record_init(&rec, METADATA_CONFIG, 0);
        rec.u.config = (struct metadata_config){4, "", keys[seq % 8], text};
        struct wire_writer w;
        wire_writer_init(&w);
        KS_ASSERT(metadata_record_encode(&w, &rec) == 0);
        if (node_append(world_host(r->w, leader)->proc, w.bytes, (uint32_t)w.len)) {
            r->appended++;
        }
        wire_writer_free(&w);
        if (leader != r->last_leader) {
            r->leader_changes++;
            r->last_leader = leader;
        }
    } else {
        r->refused++;
    }
    world_at(r->w, world_now(r->w) + APPEND_EVERY_NS, client_tick, r, seq + 1);
}

static void after_step(void *ctx, int host) { raft_checker_after_step(ctx, host); }

/* The server.properties each controller is started with, as an operator would write it: its
 * length, or 0 if it does not fit in buf. */
static size_t properties(char *buf, size_t cap, int node, int voters, const char *version)
{
    bool broker = node > voters;
    struct text t = text_init(buf, cap);
    /* Small snapshot and retention sizes (real Kafka keys) so that a 30 s run snapshots, cleans
     * its log and sends lagging nodes a snapshot with FetchSnapshot. */
    text_printf(&t, "process.roles=%s\nnode.id=%d\n"
                "metadata.log.max.record.bytes.between.snapshots=16384\n"
                "metadata.max.retention.bytes=32768\n"
                "controller.listener.names=CONTROLLER\n"
                "listeners=%s://%s:%d\nlog.dirs=/var/lib/kafka/data\n"
                "controller.quorum.voters=", broker ? "broker" : "controller", node,
                broker ? "PLAINTEXT" : "CONTROLLER", name_of(voters, node - 1),
                broker ? 9092 : 9093);
    for (int k = 1; k <= voters; k++) {
        text_printf(&t, "%s%d@%s:9093", k > 1 ? "," : "", k, host_names[k - 1]);
    }
    if (version != NULL) {
        text_printf(&t, "\nkafka.version=%s", version);
    }
    /* The smallest segment Kafka accepts (MetadataLogConfig: atLeast(8 MiB)), last so that the
     * lines above keep their numbers: a long run rolls segments and the cleaning deletes the
     * old ones, so a virtual day stays in bounded memory. */
    text_printf(&t, "\nmetadata.log.segment.bytes=8388608\n");
    return text_fits(&t) ? t.len : 0;
}

/* Parses each node's properties the way a real node would; false (with the one-line error in
 * the result) if the configuration is refused. */
static bool configure(struct quorum_run *r, const struct run_opts *opts, int voters,
                      struct run_result *result)
{
    for (int i = 0; i < voters + r->brokers; i++) {
        char text[1024], file[64];
        size_t len = properties(text, sizeof text, i + 1, voters, opts->kafka_version);
        snprintf(file, sizeof file, "%s/server.properties", name_of(voters, i));
        if (!scenario_properties_fit(len, file, sizeof text, result) ||
            !scenario_node_config(text, len, file, &r->configs[i], i == 0, result)) {
            return false;
        }
    }
    return true;
}

static void build(struct quorum_run *r, const struct run_opts *opts, int voters)
{
    r->voters = voters;
    r->hosts = voters + r->brokers;
    r->last_leader = -1;
    const char *names[QUORUM_VOTER_MAX + BROKERS];
    for (int i = 0; i < r->hosts; i++) {
        names[i] = name_of(voters, i);
    }
    r->w = world_create(opts->seed, r->hosts, names, NULL, NULL);
    raft_checker_init(&r->checker, r->w, NULL);
    for (int i = 0; i < r->hosts; i++) {
        struct node_config *c = &r->configs[i];
        c->quorum.planted_vote_without_log_check = planted(opts, "vote-without-log-check");
        c->quorum.planted_high_watermark_on_minority = planted(opts, "hw-on-minority");
        c->planted_snapshot_drops_a_record = planted(opts, "snapshot-drops-a-record");
        struct host *h = world_host(r->w, i);
        host_install(h, &node_process, c);
        h->after_step = after_step;
        h->after_step_ctx = &r->checker;
    }
}

/* ---- the nemesis ------------------------------------------------------------------------- */

static void heal_all(struct quorum_run *r)
{
    struct world *w = r->w;
    net_heal(&w->net);
    struct net_link_cfg calm = net_link_default();
    net_set_all_links(&w->net, &calm);
    for (int i = 0; i < r->hosts; i++) {
        struct host *h = world_host(w, i);
        if (h->state == HOST_PAUSED) {
            host_resume(h);
        } else if (h->state == HOST_CRASHED || h->state == HOST_DOWN) {
            host_start(h);
        }
        if (h->clock_rate_ppm != 1000000) {
            host_set_clock_rate(h, 1000000);
        }
    }
}

static void undo_fault(void *ctx, uint64_t arg)
{
    struct quorum_run *r = ctx;
    (void)arg;
    heal_all(r);
    fault_log_end_all(&r->faults, world_now(r->w)); /* heal_all undid every fault */
}

static int pick_host(struct quorum_run *r) { return (int)rng_below(&r->w->nemesis, r->hosts); }

/* Hosts' names as the config has them, space-separated, onto t. */
static void names_text(struct quorum_run *r, const int *hosts, int n, struct text *t)
{
    for (int i = 0; i < n; i++) {
        text_printf(t, "%s%s", i > 0 ? " " : "", world_host(r->w, hosts[i])->name);
    }
}

/* Splits the hosts at random into two non-empty groups. */
static void random_split(struct quorum_run *r, int *a, int *an, int *b, int *bn)
{
    *an = *bn = 0;
    uint64_t mask = 1 + rng_below(&r->w->nemesis, (UINT64_C(1) << r->hosts) - 2);
    for (int i = 0; i < r->hosts; i++) {
        if (mask & (UINT64_C(1) << i)) {
            a[(*an)++] = i;
        } else {
            b[(*bn)++] = i;
        }
    }
}

/* Every link loses, duplicates and reorders frames. */
static void lossy_network(struct quorum_run *r, struct text *t)
{
    struct net_link_cfg chaos = net_link_default();
    chaos.jitter = 2 * NS_PER_MS;
    chaos.drop_ppm = 50000;
    chaos.duplicate_ppm = 20000;
    chaos.reorder_ppm = 50000;
    net_set_all_links(&r->w->net, &chaos);
    text_printf(t, "every link (5%% loss, 2%% duplicates, 5%% reordered, 2 ms jitter)");
}

/* Injects fault f; false if it could do nothing (a crash or pause of a host already down). The
 * targets, as the log names them, go into t; *kind is f's name unless the fault says more. */
static bool inject(struct quorum_run *r, enum nemesis_fault f, struct text *t, const char **kind)
{
    struct world *w = r->w;
    int a[NET_HOST_MAX], b[NET_HOST_MAX], an, bn;
    int leader = find_leader(r, NULL);
    int victim = leader >= 0 && rng_below(&w->nemesis, 2) == 0 ? leader : pick_host(r);
    struct host *h = world_host(w, victim);
    switch (f) {
    case FAULT_ISOLATE_LEADER:
        net_isolate(&w->net, victim);
        text_printf(t, "%s", h->name);
        *kind = victim == leader ? "isolate-leader" : "isolate"; /* half the time the leader */
        return true;
    case FAULT_SPLIT:
    case FAULT_ONEWAY:
        random_split(r, a, &an, b, &bn);
        if (f == FAULT_SPLIT) {
            net_partition(&w->net, a, an, b, bn);
        } else {
            net_cut_oneway(&w->net, a, an, b, bn);
        }
        names_text(r, a, an, t);
        text_printf(t, f == FAULT_SPLIT ? " | " : " -> ");
        names_text(r, b, bn, t);
        return true;
    case FAULT_BRIDGE: {
        random_split(r, a, &an, b, &bn);
        int bridge = an > 1 ? a[--an] : b[--bn];
        if (an == 0 || bn == 0) {
            return false;
        }
        net_bridge(&w->net, a, an, bridge, b, bn);
        names_text(r, a, an, t);
        text_printf(t, " | %s | ", world_host(w, bridge)->name);
        names_text(r, b, bn, t);
        return true;
    }
    case FAULT_CRASH:
        if (h->state != HOST_UP && h->state != HOST_PAUSED) {
            return false;
        }
        host_crash(h);
        text_printf(t, "%s", h->name);
        return true;
    case FAULT_PAUSE:
        if (h->state != HOST_UP) {
            return false;
        }
        host_pause(h);
        text_printf(t, "%s", h->name);
        return true;
    case FAULT_POWER:
        host_power_fail(h); /* on a host already down too: its page cache is lost */
        text_printf(t, "%s", h->name);
        return true;
    case FAULT_DRIFT:
        host_set_clock_rate(h, 700000 + (int64_t)rng_below(&w->nemesis, 600001));
        text_printf(t, "%s (clock x%" PRId64 ".%06" PRId64 ")", h->name,
                    h->clock_rate_ppm / 1000000, h->clock_rate_ppm % 1000000);
        return true;
    case FAULT_CHAOS:
        lossy_network(r, t);
        return true;
    case FAULT_KIND_COUNT:
        break;
    }
    KS_ASSERT(false);
    return false;
}

static void nemesis_tick(void *ctx, uint64_t arg)
{
    struct quorum_run *r = ctx;
    (void)arg;
    time_ns now = world_now(r->w);
    if (now >= r->fault_end) {
        return;
    }
    static const char *const fault_names[FAULT_KIND_COUNT] = {
        "isolate-leader", "split", "one-way-cut", "bridge", "crash", "power-failure", "pause",
        "clock-drift", "lossy-network"};
    enum nemesis_fault f = (enum nemesis_fault)rng_below(&r->w->nemesis, FAULT_KIND_COUNT);
    char targets[FAULT_LOG_TARGET_TEXT];
    struct text t = text_init(targets, sizeof targets);
    const char *kind = fault_names[f];
    if (inject(r, f, &t, &kind)) {
        fault_log_begin(&r->faults, now, kind, targets);
    }
    time_ns length = NS_PER_S / 2 + (time_ns)rng_below(&r->w->nemesis, 3 * (uint64_t)NS_PER_S);
    time_ns undo = now + length < r->fault_end ? now + length : r->fault_end;
    world_at(r->w, undo, undo_fault, r, 0);
    time_ns next = undo + (time_ns)rng_below(&r->w->nemesis, 2 * (uint64_t)NS_PER_S);
    if (next < r->fault_end) {
        world_at(r->w, next, nemesis_tick, r, 0);
    }
}

/* Failover: the leader is killed every 5 s and comes back 3.5 s later, long enough for the
 * others to notice (fetch timeout, 2 s) and elect one of themselves. */
static void failover_tick(void *ctx, uint64_t arg)
{
    struct quorum_run *r = ctx;
    (void)arg;
    time_ns now = world_now(r->w);
    if (now >= r->fault_end) {
        return;
    }
    int leader = find_leader(r, NULL);
    if (leader >= 0) {
        host_crash(world_host(r->w, leader));
        fault_log_begin(&r->faults, now, "crash-leader", world_host(r->w, leader)->name);
        time_ns back = now + 7 * NS_PER_S / 2;
        world_at(r->w, back < r->fault_end ? back : r->fault_end, undo_fault, r, 0);
    }
    world_at(r->w, now + 5 * NS_PER_S, failover_tick, r, 0);
}

static void heal_tick(void *ctx, uint64_t arg)
{
    struct quorum_run *r = ctx;
    (void)arg;
    r->healing = true;
    heal_all(r);
    fault_log_end_all(&r->faults, world_now(r->w));
    trace_emitf(&r->w->trace, world_now(r->w), TRACE_HOST_NONE, TRACE_NOTE,
                "heal: every fault undone, every node up");
}

/* ---- liveness and the report ------------------------------------------------------------- */

struct liveness {
    struct quorum_run *run;
    int64_t hw_floor;
};

/* Every voter up, one leader, every other voter following it in its epoch, and a high
 * watermark past the floor. */
static bool converged(void *arg)
{
    struct liveness *l = arg;
    struct quorum_run *r = l->run;
    int32_t epoch;
    int leader = find_leader(r, &epoch);
    if (leader < 0) {
        return false;
    }
    for (int i = 0; i < r->hosts; i++) {
        struct host *h = world_host(r->w, i);
        if (h->state != HOST_UP) {
            return false;
        }
        struct quorum_view v;
        quorum_view(node_quorum(h->proc), &v);
        if (v.epoch != epoch || v.leader_id != leader + 1) {
            return false;
        }
    }
    struct quorum_view lv;
    quorum_view(node_quorum(world_host(r->w, leader)->proc), &lv);
    return lv.high_watermark > l->hw_floor;
}

/* Every broker registered and unfenced, in its own eyes and in the controller's image. */
static bool brokers_running(void *arg)
{
    struct quorum_run *r = ((struct liveness *)arg)->run;
    int leader = find_leader(r, NULL);
    if (leader < 0) {
        return false;
    }
    const struct metadata_image *img = &node_listener(world_host(r->w, leader)->proc)->image;
    for (int i = r->voters; i < r->hosts; i++) {
        const struct lifecycle *lc = node_lifecycle(world_host(r->w, i)->proc);
        const struct image_broker *b = metadata_image_broker(img, i + 1);
        if (lc == NULL || lc->state != LIFECYCLE_RUNNING || b == NULL || b->fenced ||
            b->epoch != lc->broker_epoch) {
            return false;
        }
    }
    return true;
}

static int64_t highest_watermark(struct quorum_run *r)
{
    int64_t hw = -1;
    for (int i = 0; i < r->hosts; i++) {
        struct host *h = world_host(r->w, i);
        if (h->proc != NULL) {
            struct quorum_view v;
            quorum_view(node_quorum(h->proc), &v);
            hw = v.high_watermark > hw ? v.high_watermark : hw;
        }
    }
    return hw;
}

static void report(struct quorum_run *r, FILE *out)
{
    int leader = find_leader(r, NULL);
    fprintf(out, "release: %s\n", r->switches);
    fprintf(out, "quorum: %d voters and %d observers (brokers), %" PRIu64 " records appended; "
            "%" PRIu64 " leader changes seen by the client\n", r->voters,
            r->hosts - r->voters, r->appended, r->leader_changes);
    fault_log_print(&r->faults, out);
    if (leader < 0) {
        fprintf(out, "no leader at the end of the run\n");
        return;
    }
    const struct metadata_image *img = &node_listener(world_host(r->w, leader)->proc)->image;
    fprintf(out, "brokers (the controller's image):");
    for (uint32_t i = 0; i < img->broker_count; i++) {
        fprintf(out, " %d %s epoch %" PRId64 "%s", img->brokers[i].id,
                img->brokers[i].fenced ? "fenced" : "unfenced", img->brokers[i].epoch,
                i + 1 < img->broker_count ? "," : "");
    }
    fprintf(out, "\n");
    struct wire_arena a;
    wire_arena_init(&a);
    struct describe_quorum_response resp;
    quorum_describe(node_quorum(world_host(r->w, leader)->proc), &a, &resp);
    struct describe_endpoint eps[QUORUM_VOTER_MAX];
    for (int i = 0; i < r->voters; i++) {
        eps[i] = (struct describe_endpoint){i + 1, host_names[i], 9093};
    }
    /* The release's own tool: before 3.7 it reaches the quorum through a broker. */
    const char *broker = r->brokers > 0 ? name_of(r->voters, r->voters) : NULL;
    int shown = describe_quorum_at_version(&resp, r->describe_quorum_version, r->voters);
    if (describe_quorum_prompt(out, r->release, host_names[leader], broker, "--status")) {
        describe_status(out, r->release, r->cluster_id, &resp, eps, shown);
    }
    if (describe_quorum_prompt(out, r->release, host_names[leader], broker, "--replication")) {
        describe_replication(out, r->release, &resp);
    }
    fprintf(out, "\n");
    wire_arena_free(&a);
}

static void run_quorum(const struct scenario *s, const struct run_opts *opts,
                       struct run_result *result, int voters, enum quorum_mode mode)
{
    if (!scenario_duration_ok(s, opts, result)) {
        return;
    }
    struct quorum_run r;
    memset(&r, 0, sizeof r);
    fault_log_init(&r.faults);
    /* The calm run is the benchmark's bare 3-voter quorum: controllers only. */
    r.brokers = mode == MODE_CALM ? 0 : BROKERS;
    if (!configure(&r, opts, voters, result)) {
        return;
    }
    build(&r, opts, voters);
    r.release = scenario_release_number(opts);
    /* The generated configs set no switch: the release's own DescribeQuorum version. */
    r.describe_quorum_version =
        switches_from_release(release_find(opts->kafka_version != NULL ? opts->kafka_version
                                                                       : "trunk"))
            .raft_rpc.describe_quorum_version_max;
    r.mode = mode;
    r.checker.result = result;
    r.switches = result->switches;
    scenario_trace_console(opts, &r.w->trace, &r.console);
    time_ns duration = opts->duration > 0 ? opts->duration : s->duration;
    KS_ASSERT(duration >= CALM_NS + HEAL_NS); /* scenario_duration_ok */
    r.fault_end = duration - HEAL_NS;
    trace_emitf(&r.w->trace, 0, TRACE_HOST_NONE, TRACE_RUN_START,
                "scenario=quorum voters=%d seed=%" PRIu64 " %s", voters, opts->seed,
                result->switches);
    /* kafka-storage.sh random-uuid once, then format on every node, as the guides do. */
    struct rng storage;
    rng_init(&storage, opts->seed, "storage", UINT64_MAX);
    kafka_storage_random_uuid(&storage, r.cluster_id);
    for (int i = 0; i < r.hosts; i++) {
        KS_ASSERT(kafka_storage_format(r.w, i, &r.configs[i], r.cluster_id) == ENV_OK);
        host_start(world_host(r.w, i));
    }
    world_at(r.w, 0, client_tick, &r, 1);
    if (r.fault_end > CALM_NS && mode == MODE_NEMESIS) {
        world_at(r.w, CALM_NS, nemesis_tick, &r, 0);
    } else if (r.fault_end > CALM_NS && mode == MODE_FAILOVER) {
        world_at(r.w, CALM_NS, failover_tick, &r, 0);
    }
    world_at(r.w, r.fault_end, heal_tick, &r, 0);
    world_run_until(r.w, r.fault_end);
    struct liveness l = {.run = &r, .hw_floor = highest_watermark(&r)};
    if (!sched_run_until_pred(&r.w->sched, converged, &l, r.fault_end + LIVENESS_NS)) {
        scenario_violation(r.w, result, "liveness", "liveness: %d s after healing there is no "
                           "leader that every voter follows with a moving high watermark "
                           "(floor %" PRId64 ")", (int)(LIVENESS_NS / NS_PER_S), l.hw_floor);
    } else if (!sched_run_until_pred(&r.w->sched, brokers_running, &l, duration)) {
        scenario_violation(r.w, result, "liveness", "liveness: %d s after healing some broker "
                           "is not registered and unfenced", (int)(HEAL_NS / NS_PER_S));
    }
    world_run_until(r.w, duration);
    KS_ASSERT(world_check(r.w));
    trace_emitf(&r.w->trace, world_now(r.w), TRACE_HOST_NONE, TRACE_RUN_END, "violations=%u",
                result->violations);
    report(&r, opts->out);
    result->faults = fault_log_total(&r.faults);
    result->trace_hash = trace_hash(&r.w->trace);
    result->trace_events = r.w->trace.event_count;
    result->sched_events = sched_fired_count(&r.w->sched);
    result->virtual_end = world_now(r.w);
    result->elections = r.w->trace.kind_counts[TRACE_RAFT_BECAME_LEADER];
    result->committed = highest_watermark(&r);
    raft_checker_free(&r.checker);
    world_destroy(r.w);
}

/* Parses every node's configuration as a run would, and nothing else. */
static void prepare_quorum(const struct run_opts *opts, struct run_result *result, int voters)
{
    struct quorum_run *r = calloc(1, sizeof *r);
    KS_ASSERT(r != NULL);
    r->brokers = BROKERS;
    configure(r, opts, voters, result);
    free(r);
}

static void prepare_quorum3(const struct run_opts *opts, struct run_result *result)
{
    prepare_quorum(opts, result, 3);
}

static void prepare_quorum5(const struct run_opts *opts, struct run_result *result)
{
    prepare_quorum(opts, result, 5);
}

static void run_quorum3(const struct run_opts *opts, struct run_result *result)
{
    run_quorum(&scenario_quorum3, opts, result, 3, MODE_NEMESIS);
}

static void run_quorum5(const struct run_opts *opts, struct run_result *result)
{
    run_quorum(&scenario_quorum5, opts, result, 5, MODE_NEMESIS);
}

static void run_failover(const struct run_opts *opts, struct run_result *result)
{
    run_quorum(&scenario_failover, opts, result, 3, MODE_FAILOVER);
}

static void run_calm(const struct run_opts *opts, struct run_result *result)
{
    run_quorum(&scenario_calm, opts, result, 3, MODE_CALM);
}

const struct scenario scenario_quorum3 = {
    .name = "quorum",
    .summary = "3 KRaft controllers elect, commit a record every 10 ms and fail over through "
               "partitions, crashes, power failures, pauses, drift and a lossy network",
    .duration = 40 * NS_PER_S,
    .min_duration = CALM_NS + FAULTS_MIN_NS + HEAL_NS,
    .min_duration_why = "2 s calm, 1 s of faults, 25 s healing",
    .run = run_quorum3,
    .prepare = prepare_quorum3,
};

const struct scenario scenario_failover = {
    .name = "failover",
    .summary = "3 KRaft controllers; the leader is killed every 5 s and restarted 3.5 s later",
    .duration = 40 * NS_PER_S,
    .min_duration = CALM_NS + FAULTS_MIN_NS + HEAL_NS,
    .min_duration_why = "2 s calm, 1 s of faults, 25 s healing",
    .run = run_failover,
    .prepare = prepare_quorum3,
};

const struct scenario scenario_calm = {
    .name = "calm",
    .summary = "3 KRaft controllers (no brokers) committing a record every 10 ms with no faults",
    .duration = 40 * NS_PER_S,
    .min_duration = CALM_NS + HEAL_NS,
    .min_duration_why = "2 s to elect and commit, 25 s of liveness checks",
    .run = run_calm,
    .prepare = prepare_quorum3,
};

const struct scenario scenario_quorum5 = {
    .name = "quorum5",
    .summary = "the quorum scenario with 5 controllers",
    .duration = 40 * NS_PER_S,
    .min_duration = CALM_NS + FAULTS_MIN_NS + HEAL_NS,
    .min_duration_why = "2 s calm, 1 s of faults, 25 s healing",
    .run = run_quorum5,
    .prepare = prepare_quorum5,
};
