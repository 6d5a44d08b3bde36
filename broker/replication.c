/* replication.c — ReplicationControlManager and PartitionChangeBuilder. */
#include "replication.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "protocol/header.h"
#include "text.h"

#define TOPIC_NAME_MAX 249 /* Topic.MAX_NAME_LENGTH */
#define CONFIG_TYPE_TOPIC 2
#define REPLICAS_MAX 64

/* ---- small helpers ------------------------------------------------------------------------ */

struct ids {
    int32_t n;
    int32_t v[REPLICAS_MAX];
};

static bool ints_has(const struct image_ints *l, int32_t id)
{
    for (int32_t i = 0; i < l->count; i++) {
        if (l->items[i] == id) {
            return true;
        }
    }
    return false;
}

static bool ids_has(const struct ids *l, int32_t id)
{
    for (int32_t i = 0; i < l->n; i++) {
        if (l->v[i] == id) {
            return true;
        }
    }
    return false;
}

static void ids_from(struct ids *out, const struct image_ints *l)
{
    out->n = 0;
    for (int32_t i = 0; i < l->count && out->n < REPLICAS_MAX; i++) {
        out->v[out->n++] = l->items[i];
    }
}

static bool ids_equal(const struct ids *a, const struct image_ints *b)
{
    int32_t bn = b->count < 0 ? 0 : b->count;
    if (a->n != bn) {
        return false;
    }
    for (int32_t i = 0; i < a->n; i++) {
        if (a->v[i] != b->items[i]) {
            return false;
        }
    }
    return true;
}

static struct metadata_int32s as_list(const struct ids *l)
{
    return (struct metadata_int32s){l->n, l->v};
}

static void ids_text(const struct ids *l, char *buf, size_t cap)
{
    struct text t = text_init(buf, cap);
    text_printf(&t, "[");
    for (int32_t i = 0; i < l->n; i++) {
        text_printf(&t, "%s%d", i ? "," : "", l->v[i]);
    }
    text_printf(&t, "]");
}

static void tracef(struct replication *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void tracef(struct replication *r, const char *fmt, ...)
{
    if (r->sink.trace == NULL) {
        return;
    }
    char line[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    r->sink.trace(r->sink.ctx, line);
}

static int64_t emit(struct replication *r, const struct metadata_record *rec)
{
    return r->sink.emit(r->sink.ctx, rec);
}

/* A topic config from the image, or NULL. */
static const char *topic_config(const struct metadata_image *img, const char *topic,
                                const char *name)
{
    for (uint32_t i = 0; i < img->config_count; i++) {
        const struct image_config *c = &img->configs[i];
        if (c->resource_type == CONFIG_TYPE_TOPIC && strcmp(c->resource_name, topic) == 0 &&
            strcmp(c->name, name) == 0) {
            return c->value;
        }
    }
    return NULL;
}

/* ConfigurationControlManager.uncleanLeaderElectionEnabledForTopic: the topic's value, else
 * the cluster's. Kafka 3.0-3.8 return false here whatever the config says (a TODO until
 * KAFKA-12670, 3.9): the key is accepted and stored, and never elects. */
static bool unclean_enabled(const struct replication *r, const char *topic)
{
    if (!r->cfg->unclean_election_config) {
        return false;
    }
    const char *v = topic_config(r->image, topic, "unclean.leader.election.enable");
    return v != NULL ? strcmp(v, "true") == 0 : r->cfg->unclean_leader_election_enable;
}

/* getTopicEffectiveMinIsr: the topic's (else the cluster's) min.insync.replicas, never more
 * than the replication factor. */
static int32_t min_isr(const struct replication *r, const struct image_topic *t,
                       const struct image_partition *p)
{
    const char *v = topic_config(r->image, t->name, "min.insync.replicas");
    int32_t m = v != NULL ? (int32_t)strtol(v, NULL, 10) : r->cfg->min_insync_replicas;
    return p->replicas.count > 0 && m > p->replicas.count ? p->replicas.count : m;
}

/* The iteration order of a java.util.HashSet<Integer> holding `l` (small non-negative ids):
 * by bucket, id & (capacity - 1), then by insertion. Kafka builds the ELR through one. */
static void java_hash_set_order(struct ids *l)
{
    int32_t cap = 16;
    while ((float)l->n / 0.75f + 1 > (float)cap || (float)l->n > 0.75f * (float)cap) {
        cap *= 2;
    }
    struct ids sorted = {0};
    for (int32_t b = 0; b < cap; b++) {
        for (int32_t i = 0; i < l->n; i++) {
            if ((l->v[i] & (cap - 1)) == b) {
                sorted.v[sorted.n++] = l->v[i];
            }
        }
    }
    *l = sorted;
}

bool replication_elr_on(const struct replication_config *cfg)
{
    return cfg->elr && cfg->mv_level >= METADATA_MV_4_0_IV1;
}

static bool elr_on(const struct replication *r) { return replication_elr_on(r->cfg); }

/* In controlled shutdown: the image says so from 3.3-IV3 (InControlledShutdown); before, only
 * the controller's heartbeat manager knew, and the sink asks it. */
static bool shutting_down(const struct replication *r, const struct image_broker *b)
{
    return b->in_controlled_shutdown ||
           (r->sink.in_shutdown != NULL && r->sink.in_shutdown(r->sink.ctx, b->id));
}

/* Registered, unfenced, not shutting down, and not the broker on its way out. */
static bool acceptable(const struct replication *r, int32_t id, int32_t leaving)
{
    const struct image_broker *b = metadata_image_broker(r->image, id);
    return id != leaving && b != NULL && !b->fenced && !shutting_down(r, b);
}

/* ---- PartitionChangeBuilder ---------------------------------------------------------------- */

struct change_plan {
    struct ids isr;  /* the target ISR */
    int32_t leaving; /* a broker that may not lead (fenced, shutting down), or -1 */
    bool bump_leader_epoch;
    bool recovered; /* the leader reports RECOVERED after an unclean election (KIP-704) */
    int32_t unclean_shutdown; /* a broker that lost its unflushed log: never eligible, or -1 */
    bool preferred; /* Election.PREFERRED: the first replica if it may lead (ElectLeaders) */
    bool unclean;   /* Election.UNCLEAN whatever the config says (ElectLeaders UNCLEAN) */
    const char *reason;
};

/* The partition as a change would leave it. */
struct target {
    struct ids isr, elr, lke;
    int32_t leader;
    bool unclean;
    bool from_elr;
    bool from_lke; /* the last known leader, unclean whatever the config (KIP-966) */
};

/* PartitionChangeBuilder.electLeader (see replication.h for the order). */
static void elect_leader(struct replication *r, const struct image_topic *t,
                         const struct image_partition *p, const struct change_plan *plan,
                         struct target *x)
{
    x->leader = -1;
    int32_t first = p->replicas.count > 0 ? p->replicas.items[0] : -1;
    if (plan->preferred && first >= 0 && ids_has(&x->isr, first) &&
        acceptable(r, first, plan->leaving)) {
        x->leader = first; /* electPreferredLeader */
    }
    if (x->leader < 0 && p->leader >= 0 && ids_has(&x->isr, p->leader) &&
        acceptable(r, p->leader, plan->leaving)) {
        x->leader = p->leader;
    }
    for (int32_t i = 0; x->leader < 0 && i < p->replicas.count; i++) {
        int32_t id = p->replicas.items[i];
        x->leader = ids_has(&x->isr, id) && acceptable(r, id, plan->leaving) ? id : -1;
    }
    for (int32_t i = 0; x->leader < 0 && elr_on(r) && x->isr.n == 0 && i < p->replicas.count;
         i++) {
        int32_t id = p->replicas.items[i];
        x->leader = ids_has(&x->elr, id) && acceptable(r, id, plan->leaving) ? id : -1;
        x->from_elr = x->leader >= 0;
    }
    /* canElectLastKnownLeader (KIP-966): with ISR and ELR empty, the single last known leader
     * may lead whatever unclean.leader.election.enable says; it is an unclean election. */
    if (x->leader < 0 && elr_on(r) && x->isr.n == 0 && x->elr.n == 0 && x->lke.n == 1 &&
        acceptable(r, x->lke.v[0], plan->leaving)) {
        x->leader = x->lke.v[0];
        x->unclean = true;
        x->from_lke = true;
    }
    if (x->leader < 0 && (plan->unclean || unclean_enabled(r, t->name))) {
        for (int32_t i = 0; x->leader < 0 && i < p->replicas.count; i++) {
            int32_t id = p->replicas.items[i];
            x->leader = acceptable(r, id, plan->leaving) ? id : -1;
        }
        x->unclean = x->leader >= 0;
    }
    if (x->unclean || x->from_elr) {
        x->isr = (struct ids){.n = 1, .v = {x->leader}};
    }
}

/* KIP-966: who may lead when the ISR cannot. */
static void update_elr(struct replication *r, const struct image_topic *t,
                       const struct image_partition *p, const struct change_plan *plan,
                       struct target *x)
{
    if (x->unclean || x->isr.n >= min_isr(r, t, p)) {
        x->elr.n = x->lke.n = 0;
    } else {
        /* ELR = (old ELR ∪ old ISR) − new ISR − unclean shutdowns, in the order of the
         * HashSet Kafka collects them in. */
        struct ids next = {0};
        for (int32_t i = 0; i < x->elr.n; i++) {
            next.v[next.n++] = x->elr.v[i];
        }
        for (int32_t i = 0; i < p->isr.count; i++) {
            if (!ids_has(&next, p->isr.items[i])) {
                next.v[next.n++] = p->isr.items[i];
            }
        }
        java_hash_set_order(&next);
        x->elr.n = 0;
        for (int32_t i = 0; i < next.n; i++) {
            int32_t id = next.v[i];
            if (!ids_has(&x->isr, id) && id != plan->unclean_shutdown) {
                x->elr.v[x->elr.n++] = id;
            }
        }
    }
    /* maybeUpdateLastKnownLeader: the first time the ISR empties, remember who led; clear it
     * once the partition is led again. */
    bool emptied = x->isr.n == 0 && p->isr.count > 0;
    if (emptied && p->leader >= 0 && !(x->lke.n == 1 && x->lke.v[0] == p->leader)) {
        x->lke = (struct ids){.n = 1, .v = {p->leader}};
    } else if (x->leader >= 0) {
        x->lke.n = 0;
    }
}

static void trace_change(struct replication *r, const struct image_topic *t,
                         const struct image_partition *p, const struct target *x,
                         const struct change_plan *plan, bool bump)
{
    char isr_text[128], elr_text[128] = "";
    ids_text(&x->isr, isr_text, sizeof isr_text);
    if (elr_on(r)) {
        char list[120];
        ids_text(&x->elr, list, sizeof list);
        snprintf(elr_text, sizeof elr_text, " elr=%s", list);
    }
    if (x->leader != p->leader) {
        r->elections++;
        r->unclean_elections += x->unclean;
        tracef(r, "%s partition=%s-%d leader=%d->%d leader_epoch=%d isr=%s%s reason=%s%s",
               x->unclean ? "unclean-election" : x->from_elr ? "elr-election" : "election",
               t->name, p->id, p->leader, x->leader, p->leader_epoch + 1, isr_text, elr_text,
               plan->reason,
               x->from_lke  ? " (the last known leader, KIP-966: acknowledged writes may be lost)"
               : x->unclean && plan->unclean
                   ? " (ElectLeaders UNCLEAN: acknowledged writes may be lost)"
               : x->unclean ? " (unclean.leader.election.enable: acknowledged writes may be lost)"
                            : "");
    } else {
        tracef(r, "isr-change partition=%s-%d leader=%d leader_epoch=%d isr=%s%s reason=%s",
               t->name, p->id, x->leader, p->leader_epoch + (bump ? 1 : 0), isr_text, elr_text,
               plan->reason);
    }
}

/* Builds and emits the PartitionChangeRecord that takes partition `p` of `t` to the plan, if
 * anything changes: only what differs goes into the record. Returns true if one went out. */
static bool change_partition(struct replication *r, const struct image_topic *t,
                             const struct image_partition *p, struct change_plan *plan)
{
    struct target x = {.isr = plan->isr};
    for (int32_t i = 0; i < p->elr.count; i++) {
        if (p->elr.items[i] != plan->unclean_shutdown) {
            x.elr.v[x.elr.n++] = p->elr.items[i];
        }
    }
    if (p->last_known_elr.count > 0) {
        ids_from(&x.lke, &p->last_known_elr);
    }
    elect_leader(r, t, p, plan, &x);
    if (x.isr.n == 0 && !elr_on(r)) {
        ids_from(&x.isr, &p->isr); /* the ISR is never empty without ELR: keep its last member */
    }
    if (elr_on(r)) {
        update_elr(r, t, p, plan, &x);
    }
    struct metadata_record rec;
    metadata_record_init(&rec, METADATA_PARTITION_CHANGE,
                         (int16_t)metadata_record_version_for(METADATA_PARTITION_CHANGE,
                                                              r->cfg->mv_level));
    struct metadata_partition_change *pc = &rec.u.partition_change;
    pc->topic_id = t->id;
    pc->partition_id = p->id;
    bool changed = false, shrunk = false;
    if (!ids_equal(&x.isr, &p->isr)) {
        pc->isr = as_list(&x.isr);
        changed = true;
        for (int32_t i = 0; i < p->isr.count; i++) {
            shrunk |= !ids_has(&x.isr, p->isr.items[i]);
        }
    }
    bool bump = plan->bump_leader_epoch ||
                (shrunk && r->cfg->isr_shrink_bumps_leader_epoch && x.leader >= 0);
    if (x.leader != p->leader || bump) {
        pc->leader = x.leader;
        changed = true;
    }
    if (elr_on(r) && rec.version >= 2 && !ids_equal(&x.elr, &p->elr)) {
        pc->eligible_leader_replicas = as_list(&x.elr);
        changed = true;
    }
    if (elr_on(r) && rec.version >= 2 && !ids_equal(&x.lke, &p->last_known_elr)) {
        pc->last_known_elr = as_list(&x.lke);
        changed = true;
    }
    if (x.unclean && r->cfg->mv_level >= 3 /* 3.2-IV0: KIP-704 */) {
        pc->leader_recovery_state = METADATA_LRS_RECOVERING;
        changed = true;
    } else if (plan->recovered && x.leader == p->leader &&
               p->leader_recovery_state == METADATA_LRS_RECOVERING) {
        pc->leader_recovery_state = METADATA_LRS_RECOVERED;
        changed = true;
    }
    if (changed) {
        trace_change(r, t, p, &x, plan, bump);
        emit(r, &rec);
    }
    return changed;
}

/* Runs `plan_for` over every partition, in topic-name then partition order. The image changes
 * under us as records go out (a topic's partitions array is replaced in place, never moved
 * between topics), so positions are looked up again each time. */
static void for_partitions(struct replication *r, int32_t broker,
                           bool (*plan_for)(struct replication *, const struct image_partition *,
                                            int32_t, struct change_plan *),
                           const char *reason)
{
    for (uint32_t ti = 0; ti < r->image->topic_count; ti++) {
        for (int32_t pi = 0; pi < r->image->topics[ti].partition_count; pi++) {
            const struct image_topic *t = &r->image->topics[ti];
            const struct image_partition *p = &t->partitions[pi];
            struct change_plan plan = {.leaving = -1, .unclean_shutdown = -1, .reason = reason};
            if (plan_for(r, p, broker, &plan)) {
                change_partition(r, t, p, &plan);
            }
        }
    }
}

static bool plan_leaving(struct replication *r, const struct image_partition *p, int32_t broker,
                         struct change_plan *plan)
{
    if (!ints_has(&p->isr, broker) && p->leader != broker) {
        return false;
    }
    plan->leaving = broker;
    plan->isr.n = 0;
    for (int32_t i = 0; i < p->isr.count; i++) {
        if (p->isr.items[i] != broker) {
            plan->isr.v[plan->isr.n++] = p->isr.items[i];
        }
    }
    return true;
}

static bool plan_unclean_shutdown(struct replication *r, const struct image_partition *p,
                                  int32_t broker, struct change_plan *plan)
{
    if (!plan_leaving(r, p, broker, plan)) {
        if (!ints_has(&p->elr, broker)) {
            return false;
        }
        ids_from(&plan->isr, &p->isr); /* only in the ELR: the ISR stays */
    }
    plan->leaving = broker;
    plan->unclean_shutdown = broker;
    return true;
}

static bool plan_leaderless(struct replication *r, const struct image_partition *p,
                            int32_t broker, struct change_plan *plan)
{
    if (p->leader >= 0) {
        return false;
    }
    ids_from(&plan->isr, &p->isr);
    return true;
}

void replication_broker_leaving(struct replication *r, int32_t broker_id, const char *reason)
{
    char why[64];
    snprintf(why, sizeof why, "%s(%d)", reason, broker_id);
    for_partitions(r, broker_id, plan_leaving, why);
}

void replication_broker_unclean_shutdown(struct replication *r, int32_t broker_id)
{
    char why[64];
    snprintf(why, sizeof why, "unclean-shutdown(%d)", broker_id);
    for_partitions(r, broker_id, plan_unclean_shutdown, why);
}

void replication_broker_unfenced(struct replication *r, int32_t broker_id)
{
    char why[64];
    snprintf(why, sizeof why, "unfenced(%d)", broker_id);
    for_partitions(r, broker_id, plan_leaderless, why);
}

int32_t replication_leader_count(const struct metadata_image *img, int32_t broker_id)
{
    int32_t n = 0;
    for (uint32_t ti = 0; ti < img->topic_count; ti++) {
        for (int32_t pi = 0; pi < img->topics[ti].partition_count; pi++) {
            n += img->topics[ti].partitions[pi].leader == broker_id;
        }
    }
    return n;
}

/* ---- topics ------------------------------------------------------------------------------- */

struct kuuid replication_random_uuid(uint64_t (*draw)(void *ctx), void *ctx)
{
    for (;;) {
        struct kuuid u = {draw(ctx), draw(ctx)};
        if (u.hi == 0 && u.lo <= 1) {
            continue; /* Uuid.ZERO_UUID and Uuid.ONE_UUID are reserved */
        }
        /* Its base64url text: 21 six-bit groups of the 128 bits, then the last two bits. A
         * group of 62 is '-', which Kafka re-rolls (it reads as a command-line option). */
        bool dash = false;
        for (int g = 0; g < 21 && !dash; g++) {
            int bit = 122 - 6 * g; /* lowest bit of group g, counting from the top */
            uint64_t v = bit >= 64 ? u.hi >> (bit - 64)
                                   : (bit + 6 <= 64 ? u.lo >> bit
                                                    : (u.lo >> bit) | (u.hi << (64 - bit)));
            dash = (v & 63) == 62;
        }
        if (!dash) {
            return u;
        }
    }
}

int replication_mv_for_release(int release_number)
{
    if (release_number <= 301) {
        return 2; /* 3.1-IV0 */
    }
    if (release_number <= 304) {
        return METADATA_MV_3_4_IV0;
    }
    if (release_number <= 305) {
        return METADATA_MV_3_5_IV2;
    }
    if (release_number <= 307) {
        return 19; /* 3.7-IV4 */
    }
    if (release_number <= 309) {
        return METADATA_MV_3_9_IV0;
    }
    if (release_number <= 400) {
        return METADATA_MV_4_0_IV3;
    }
    if (release_number <= 401) {
        return 27; /* 4.1-IV1 */
    }
    return METADATA_MV_LATEST;
}

/* Topic.validate: the reason a name is illegal, or NULL. */
static const char *topic_name_problem(const char *name, char *buf, size_t cap)
{
    size_t len = strlen(name);
    if (len == 0) {
        return "Topic name is illegal, it can't be empty";
    }
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        return "Topic name cannot be \".\" or \"..\"";
    }
    if (len > TOPIC_NAME_MAX) {
        snprintf(buf, cap, "Topic name is illegal, it can't be longer than %d characters, "
                 "topic name: %.60s...", TOPIC_NAME_MAX, name);
        return buf;
    }
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok) {
            snprintf(buf, cap, "Topic name \"%.100s\" is illegal, it contains a character "
                     "other than ASCII alphanumerics, '.', '_' and '-'", name);
            return buf;
        }
    }
    return NULL;
}

/* The topic configs kraftsim knows (LogConfig); others are INVALID_CONFIG. */
static bool topic_config_known(const char *name)
{
    static const char *const known[] = {
        "cleanup.policy", "compression.type", "delete.retention.ms", "file.delete.delay.ms",
        "flush.messages", "flush.ms", "index.interval.bytes", "max.message.bytes",
        "message.timestamp.type", "min.cleanable.dirty.ratio", "min.compaction.lag.ms",
        "min.insync.replicas", "preallocate", "retention.bytes", "retention.ms",
        "segment.bytes", "segment.ms", "unclean.leader.election.enable",
        "message.timestamp.before.max.ms", "message.timestamp.after.max.ms",
        "max.compaction.lag.ms", "segment.index.bytes", "segment.jitter.ms",
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(known[i], name) == 0) {
            return true;
        }
    }
    return false;
}

/* ---- StripedReplicaPlacer (metadata/.../placement/StripedReplicaPlacer.java) -------------
 *
 * Without racks every usable broker is in the one rack Optional.empty(), which holds two
 * BrokerLists, unfenced and fenced. What it does (the same in 3.4 and trunk; 3.1 has it in
 * org.apache.kafka.controller):
 *
 *   - RackList: ClusterControlManager.usableBrokers() is every registered broker that is not
 *     in controlled shutdown (BrokerHeartbeatManager.UsableBrokerIterator skips those), marked
 *     fenced or not. Rack.initialize sorts each list by id and draws its start offset,
 *     random.nextInt(size), fenced list first, each only if it is not empty; then the RackList
 *     draws its rack offset, random.nextInt(1) with one rack: a draw whose value is always 0.
 *   - place(rf), once per partition, with an iteration epoch that starts at 0: once the epoch
 *     reaches the number of unfenced brokers (and there are more than one), both lists are
 *     Collections.shuffle'd (size - 1 draws each, fenced first) and the epoch goes back to 0.
 *     The leader is unfenced.next(epoch), then rf - 1 more from rack.next(epoch): unfenced
 *     first, fenced once those are used up in this epoch.
 *   - BrokerList.next(epoch): a new epoch resets the list's index and moves its offset on by
 *     one, then it returns brokers[(index + offset) % size] and counts index up; -1 once size
 *     brokers were returned in this epoch.
 * So without fenced brokers partition p gets the window of rf consecutive ids (mod n) starting
 * at sorted[(start + p) % n] for the first n partitions; then a shuffled order.
 * java.util.Random.nextInt(bound) is one draw from the controller's seeded stream, mod bound.
 */

struct broker_list {
    int32_t count;
    int32_t ids[REPLICAS_MAX];
    int32_t index;  /* brokers returned in the current epoch */
    int32_t offset; /* added to index, mod count */
    int32_t epoch;  /* the last iteration epoch next() was called with */
};

static int32_t draw_below(struct replication *r, int32_t bound)
{
    KS_ASSERT(bound > 0);
    return (int32_t)(r->sink.draw(r->sink.ctx) % (uint64_t)bound);
}

static int compare_ids(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* BrokerList.initialize: sorted, and a random start offset. */
static void list_initialize(struct replication *r, struct broker_list *l)
{
    if (l->count > 0) {
        qsort(l->ids, (size_t)l->count, sizeof l->ids[0], compare_ids);
        l->offset = draw_below(r, l->count);
    }
}

/* BrokerList.shuffle: Collections.shuffle(list, random). */
static void list_shuffle(struct replication *r, struct broker_list *l)
{
    for (int32_t i = l->count; i > 1; i--) {
        int32_t j = draw_below(r, i);
        int32_t tmp = l->ids[i - 1];
        l->ids[i - 1] = l->ids[j];
        l->ids[j] = tmp;
    }
}

/* BrokerList.next. */
static int32_t list_next(struct broker_list *l, int32_t epoch)
{
    if (l->count == 0) {
        return -1;
    }
    if (l->epoch != epoch) {
        l->epoch = epoch;
        l->index = 0;
        l->offset = (l->offset + 1) % l->count;
    }
    if (l->index >= l->count) {
        return -1;
    }
    int32_t id = l->ids[(l->index + l->offset) % l->count];
    l->index++;
    return id;
}

struct placement {
    int32_t count;
    int32_t ids[REPLICAS_MAX];
};

/* StripedReplicaPlacer.place for one rack; the caller checked rf against the brokers. */
static void place_striped(struct replication *r, struct broker_list *unfenced,
                          struct broker_list *fenced, int32_t partitions, int16_t rf,
                          struct placement *out)
{
    KS_ASSERT(unfenced->count > 0);
    KS_ASSERT(rf <= unfenced->count + fenced->count);
    int32_t epoch = 0;
    for (int32_t p = 0; p < partitions; p++) {
        if (epoch == unfenced->count && unfenced->count > 1) {
            list_shuffle(r, fenced); /* RackList.shuffle -> Rack.shuffle */
            list_shuffle(r, unfenced);
            epoch = 0;
        }
        struct placement *pl = &out[p];
        pl->count = 0;
        pl->ids[pl->count++] = list_next(unfenced, epoch);
        KS_ASSERT(pl->ids[0] >= 0);
        while (pl->count < rf) {
            int32_t id = list_next(unfenced, epoch);
            id = id >= 0 ? id : list_next(fenced, epoch);
            KS_ASSERT(id >= 0);
            pl->ids[pl->count++] = id;
        }
        epoch++;
    }
}

/* The usable brokers and the placer's checks, in its order (throwInvalidReplicationFactorIf
 * NonPositive, Zero, TooFewBrokers), wrapped as ReplicationControlManager.createTopic does. */
static int16_t place(struct replication *r, int32_t partitions, int16_t rf,
                     struct placement *out, char *msg, size_t cap)
{
    const struct metadata_image *img = r->image;
    struct broker_list unfenced = {0}, fenced = {0};
    for (uint32_t i = 0; i < img->broker_count; i++) {
        const struct image_broker *b = &img->brokers[i];
        if (shutting_down(r, b)) {
            continue;
        }
        struct broker_list *to = b->fenced ? &fenced : &unfenced;
        KS_ASSERT(to->count < REPLICAS_MAX);
        to->ids[to->count++] = b->id;
    }
    /* new RackList draws before StripedReplicaPlacer.place checks anything. */
    list_initialize(r, &fenced); /* Rack.initialize: fenced, then unfenced */
    list_initialize(r, &unfenced);
    (void)draw_below(r, 1); /* the rack offset, nextInt(1) with the one rack */
    if (unfenced.count == 0) {
        snprintf(msg, cap, "Unable to replicate the partition %d time%s: All brokers are "
                 "currently fenced.", rf, "(s)");
        return KAFKA_INVALID_REPLICATION_FACTOR;
    }
    if (rf > unfenced.count + fenced.count) {
        snprintf(msg, cap, "Unable to replicate the partition %d time%s: The target "
                 "replication factor of %d cannot be reached because only %d broker(s) are "
                 "registered.", rf, "(s)", rf, unfenced.count + fenced.count);
        return KAFKA_INVALID_REPLICATION_FACTOR;
    }
    place_striped(r, &unfenced, &fenced, partitions, rf, out);
    return KAFKA_NONE;
}

static void set_error(struct create_topics_result *res, int16_t code, const char *msg,
                      struct wire_arena *a)
{
    res->error_code = code;
    size_t len = strlen(msg);
    char *copy = wire_arena_alloc(a, len + 1);
    memcpy(copy, msg, len + 1);
    res->error_message = copy;
}

/* A manual assignment: partitions 0..n-1, the same number of registered replicas each. */
static int16_t manual_assignment(struct replication *r, const struct create_topics_topic *t,
                                 struct placement **assignment, int32_t *partitions,
                                 int16_t *rf, char *msg, size_t cap)
{
    if (t->num_partitions != -1 || t->replication_factor != -1) {
        snprintf(msg, cap, "A manual partition assignment was specified, but numPartitions or "
                 "replicationFactor was not set to -1.");
        return KAFKA_INVALID_REQUEST;
    }
    *partitions = t->assignment_count;
    *rf = (int16_t)t->assignments[0].broker_id_count;
    *assignment = calloc((size_t)*partitions, sizeof **assignment);
    KS_ASSERT(*assignment != NULL);
    for (int32_t p = 0; p < *partitions; p++) {
        const struct create_topics_assignment *as = &t->assignments[p];
        if (as->partition_index != p || as->broker_id_count != *rf || *rf < 1 ||
            *rf > REPLICAS_MAX) {
            snprintf(msg, cap, "Partitions must be numbered 0 to %d with %d replicas each.",
                     *partitions - 1, *rf);
            return KAFKA_INVALID_REPLICA_ASSIGNMENT;
        }
        bool any_active = false;
        for (int32_t k = 0; k < *rf; k++) {
            int32_t id = as->broker_ids[k];
            if (metadata_image_broker(r->image, id) == NULL) {
                snprintf(msg, cap, "The manual partition assignment includes broker %d, but no "
                         "such broker is registered.", id);
                return KAFKA_INVALID_REPLICA_ASSIGNMENT;
            }
            for (int32_t j = 0; j < k; j++) {
                if (as->broker_ids[j] == id) {
                    snprintf(msg, cap, "The manual partition assignment includes the broker %d "
                             "more than once.", id);
                    return KAFKA_INVALID_REPLICA_ASSIGNMENT;
                }
            }
            any_active |= acceptable(r, id, -1);
            (*assignment)[p].ids[k] = id;
        }
        if (!any_active) {
            snprintf(msg, cap, "All brokers specified in the manual partition assignment for "
                     "partition %d are fenced or in controlled shutdown.", p);
            return KAFKA_INVALID_REPLICA_ASSIGNMENT;
        }
        (*assignment)[p].count = *rf;
    }
    return KAFKA_NONE;
}

/* Validates one topic and computes its assignment; returns the error (message in `msg`). */
static int16_t plan_topic(struct replication *r, const struct create_topics_request *req,
                          int32_t index, struct placement **assignment, int32_t *partitions,
                          int16_t *rf, char *msg, size_t cap)
{
    const struct create_topics_topic *t = &req->topics[index];
    const char *problem = topic_name_problem(t->name, msg, cap);
    if (problem != NULL) {
        if (problem != msg) {
            snprintf(msg, cap, "%s", problem);
        }
        return KAFKA_INVALID_TOPIC_EXCEPTION;
    }
    for (int32_t i = 0; i < req->topic_count; i++) {
        if (i != index && strcmp(req->topics[i].name, t->name) == 0) {
            snprintf(msg, cap, "Duplicate topic name.");
            return KAFKA_INVALID_REQUEST;
        }
    }
    if (metadata_image_topic(r->image, t->name) != NULL) {
        snprintf(msg, cap, "Topic '%s' already exists.", t->name);
        return KAFKA_TOPIC_ALREADY_EXISTS;
    }
    for (int32_t i = 0; i < t->config_count; i++) {
        if (!topic_config_known(t->configs[i].name)) {
            snprintf(msg, cap, "Unknown topic config name: %s", t->configs[i].name);
            return KAFKA_INVALID_CONFIG;
        }
        if (t->configs[i].value == NULL) {
            snprintf(msg, cap, "Null value not supported for topic configs: %s",
                     t->configs[i].name);
            return KAFKA_INVALID_CONFIG;
        }
    }
    if (t->assignment_count > 0) {
        return manual_assignment(r, t, assignment, partitions, rf, msg, cap);
    }
    *partitions = t->num_partitions == -1 ? r->cfg->num_partitions : t->num_partitions;
    *rf = t->replication_factor == -1 ? r->cfg->default_replication_factor
                                      : t->replication_factor;
    if (*rf <= 0 || *rf > REPLICAS_MAX) {
        snprintf(msg, cap, "Replication factor must be larger than 0, or -1 to use the "
                 "default value.");
        return KAFKA_INVALID_REPLICATION_FACTOR;
    }
    if (*partitions <= 0) {
        snprintf(msg, cap, "Number of partitions was set to an invalid non-positive value.");
        return KAFKA_INVALID_PARTITIONS;
    }
    if (*partitions > 100000) {
        snprintf(msg, cap, "kraftsim models at most 100000 partitions per topic.");
        return KAFKA_INVALID_PARTITIONS;
    }
    *assignment = calloc((size_t)*partitions, sizeof **assignment);
    KS_ASSERT(*assignment != NULL);
    return place(r, *partitions, *rf, *assignment, msg, cap);
}

static void emit_topic(struct replication *r, const struct create_topics_topic *t,
                       struct kuuid id, const struct placement *assignment, int32_t partitions)
{
    struct metadata_record rec;
    metadata_record_init(&rec, METADATA_TOPIC, 0);
    rec.u.topic.name = t->name;
    rec.u.topic.topic_id = id;
    emit(r, &rec);
    for (int32_t i = 0; i < t->config_count; i++) {
        metadata_record_init(&rec, METADATA_CONFIG, 0);
        rec.u.config.resource_type = CONFIG_TYPE_TOPIC;
        rec.u.config.resource_name = t->name;
        rec.u.config.name = t->configs[i].name;
        rec.u.config.value = t->configs[i].value;
        emit(r, &rec);
    }
    struct kuuid unassigned[REPLICAS_MAX] = {{0, 0}}; /* DirectoryId.UNASSIGNED */
    for (int32_t p = 0; p < partitions; p++) {
        const struct placement *pl = &assignment[p];
        struct ids isr = {0};
        for (int32_t k = 0; k < pl->count; k++) {
            if (acceptable(r, pl->ids[k], -1)) {
                isr.v[isr.n++] = pl->ids[k];
            }
        }
        metadata_record_init(&rec, METADATA_PARTITION,
                             (int16_t)metadata_record_version_for(METADATA_PARTITION,
                                                                  r->cfg->mv_level));
        struct metadata_partition *pr = &rec.u.partition;
        pr->partition_id = p;
        pr->topic_id = id;
        pr->replicas = (struct metadata_int32s){pl->count, pl->ids};
        pr->isr = as_list(&isr);
        pr->removing_replicas = pr->adding_replicas = (struct metadata_int32s){0, NULL};
        pr->leader = isr.n > 0 ? isr.v[0] : -1;
        pr->leader_epoch = 0;
        pr->partition_epoch = 0;
        if (rec.version >= 1) {
            pr->directories = (struct metadata_uuids){pl->count, unassigned};
        }
        if (rec.version >= 2 && elr_on(r)) {
            pr->eligible_leader_replicas = (struct metadata_int32s){0, NULL};
            pr->last_known_elr = (struct metadata_int32s){0, NULL};
        }
        emit(r, &rec);
    }
}

void replication_create_topics(struct replication *r, const struct create_topics_request *req,
                               int16_t version, struct wire_arena *a,
                               struct create_topics_response *resp)
{
    memset(resp, 0, sizeof *resp);
    resp->topic_count = req->topic_count;
    resp->topics = wire_arena_alloc(a, sizeof *resp->topics * (size_t)(req->topic_count + 1));
    for (int32_t i = 0; i < req->topic_count; i++) {
        const struct create_topics_topic *t = &req->topics[i];
        struct create_topics_result *res = &resp->topics[i];
        create_topics_result_init(res);
        res->name = t->name;
        char msg[300] = "";
        struct placement *assignment = NULL;
        int32_t partitions = 0;
        int16_t rf = 0;
        int16_t err = plan_topic(r, req, i, &assignment, &partitions, &rf, msg, sizeof msg);
        if (err != KAFKA_NONE) {
            set_error(res, err, msg, a);
            tracef(r, "create-topic topic=%s error=%s %s", t->name, kafka_error_name(err), msg);
            free(assignment);
            continue;
        }
        res->num_partitions = partitions;
        res->replication_factor = rf;
        res->config_count = 0; /* v5+: the configs set here; kraftsim does not list defaults */
        res->error_message = NULL;
        /* A validate-only answer carries a topic id too, one that is never used. */
        res->topic_id = replication_random_uuid(r->sink.draw, r->sink.ctx);
        if (!req->validate_only) {
            emit_topic(r, t, res->topic_id, assignment, partitions);
            tracef(r, "create-topic topic=%s partitions=%d replication_factor=%d", t->name,
                   partitions, rf);
        }
        free(assignment);
    }
    (void)version;
}

void replication_delete_topics(struct replication *r, const struct delete_topics_request *req,
                               int16_t version, struct wire_arena *a,
                               struct delete_topics_response *resp)
{
    memset(resp, 0, sizeof *resp);
    resp->response_count = req->topic_count;
    resp->responses = wire_arena_alloc(a, sizeof *resp->responses *
                                              (size_t)(req->topic_count + 1));
    for (int32_t i = 0; i < req->topic_count; i++) {
        const struct delete_topics_topic *d = &req->topics[i];
        struct delete_topics_result *res = &resp->responses[i];
        res->name = d->name;
        res->topic_id = d->topic_id;
        const struct image_topic *t = NULL;
        if (d->name != NULL) {
            t = metadata_image_topic(r->image, d->name);
        } else {
            for (uint32_t k = 0; k < r->image->topic_count && t == NULL; k++) {
                t = wire_uuid_equal(r->image->topics[k].id, d->topic_id) ? &r->image->topics[k]
                                                                         : NULL;
            }
        }
        if (!r->cfg->delete_topic_enable) {
            /* Clients before v3 do not know TOPIC_DELETION_DISABLED (ControllerApis). */
            res->error_code = version >= 3 ? KAFKA_TOPIC_DELETION_DISABLED
                                           : KAFKA_INVALID_REQUEST;
            continue;
        }
        if (t == NULL) {
            res->error_code = d->name != NULL ? KAFKA_UNKNOWN_TOPIC_OR_PARTITION
                                              : KAFKA_UNKNOWN_TOPIC_ID;
            continue;
        }
        char *name = wire_arena_alloc(a, strlen(t->name) + 1);
        memcpy(name, t->name, strlen(t->name) + 1);
        res->name = name;
        res->topic_id = t->id;
        struct metadata_record rec;
        metadata_record_init(&rec, METADATA_REMOVE_TOPIC, 0);
        rec.u.remove_topic.topic_id = t->id;
        tracef(r, "delete-topic topic=%s", name);
        emit(r, &rec);
    }
    (void)version;
}

/* ---- ElectLeaders ------------------------------------------------------------------------ */

static char *arena_text(struct wire_arena *a, const char *fmt, const char *topic, int32_t id)
{
    char buf[320];
    snprintf(buf, sizeof buf, fmt, topic, id);
    char *copy = wire_arena_alloc(a, strlen(buf) + 1);
    memcpy(copy, buf, strlen(buf) + 1);
    return copy;
}

/* ReplicationControlManager.electLeader for one partition. */
static struct elect_leaders_partition_result elect_one(struct replication *r, const char *topic,
                                                       int32_t partition_id, int8_t type,
                                                       struct wire_arena *a)
{
    struct elect_leaders_partition_result res = {.partition_id = partition_id};
    const struct image_topic *t = metadata_image_topic(r->image, topic);
    const struct image_partition *p = NULL;
    for (int32_t i = 0; t != NULL && i < t->partition_count; i++) {
        p = t->partitions[i].id == partition_id ? &t->partitions[i] : p;
    }
    if (t == NULL || p == NULL) {
        res.error_code = KAFKA_UNKNOWN_TOPIC_OR_PARTITION;
        res.error_message = t == NULL ? arena_text(a, "No such topic as %s", topic, 0)
                                      : arena_text(a, "No such partition as %s-%d", topic,
                                                   partition_id);
        return res;
    }
    bool has_preferred = p->replicas.count > 0 && p->leader == p->replicas.items[0];
    if ((type == ELECTION_TYPE_PREFERRED && has_preferred) ||
        (type == ELECTION_TYPE_UNCLEAN && p->leader >= 0)) {
        res.error_code = KAFKA_ELECTION_NOT_NEEDED; /* new ApiError(Errors): its message */
        res.error_message = kafka_error_message(KAFKA_ELECTION_NOT_NEEDED);
        return res;
    }
    struct change_plan plan = {.leaving = -1, .unclean_shutdown = -1,
                               .preferred = type == ELECTION_TYPE_PREFERRED,
                               .unclean = type == ELECTION_TYPE_UNCLEAN,
                               .reason = type == ELECTION_TYPE_UNCLEAN ? "elect-leaders-unclean"
                                                                       : "elect-leaders"};
    ids_from(&plan.isr, &p->isr);
    if (!change_partition(r, t, p, &plan)) {
        res.error_code = type == ELECTION_TYPE_PREFERRED ? KAFKA_PREFERRED_LEADER_NOT_AVAILABLE
                                                         : KAFKA_ELIGIBLE_LEADERS_NOT_AVAILABLE;
        res.error_message = kafka_error_message(res.error_code);
    }
    return res;
}

/* ElectLeaders: named partitions are each answered; with TopicPartitions null every partition
 * is tried, and those that need no election are left out of the answer (Kafka walks
 * topicsByName, a hash map; kraftsim walks the image in topic order). */
void replication_elect_leaders(struct replication *r, const struct elect_leaders_request *req,
                               struct wire_arena *a, struct elect_leaders_response *resp)
{
    if (req->election_type != ELECTION_TYPE_PREFERRED &&
        req->election_type != ELECTION_TYPE_UNCLEAN) {
        elect_leaders_error_response(req, KAFKA_INVALID_REQUEST, a, resp); /* electionType() */
        return;
    }
    bool all = req->topic_count < 0;
    int32_t n = all ? (int32_t)r->image->topic_count : req->topic_count;
    *resp = (struct elect_leaders_response){.result_count = n};
    resp->results = wire_arena_alloc(a, sizeof *resp->results * (size_t)(n + 1));
    for (int32_t i = 0; i < n; i++) {
        struct elect_leaders_result *out = &resp->results[i];
        const struct elect_leaders_topic *want = all ? NULL : &req->topics[i];
        const struct image_topic *t = all ? &r->image->topics[i] : NULL;
        int32_t count = all ? t->partition_count : want->partition_count;
        char *name = wire_arena_alloc(a, strlen(all ? t->name : want->topic) + 1);
        memcpy(name, all ? t->name : want->topic, strlen(all ? t->name : want->topic) + 1);
        out->topic = name;
        out->partitions = wire_arena_alloc(a, sizeof *out->partitions * (size_t)(count + 1));
        for (int32_t k = 0; k < count; k++) {
            /* The image may move as records go out: look the partition up by id each time. */
            int32_t id = all ? r->image->topics[i].partitions[k].id : want->partitions[k];
            struct elect_leaders_partition_result res =
                elect_one(r, name, id, req->election_type, a);
            if (!all || res.error_code != KAFKA_ELECTION_NOT_NEEDED) {
                out->partitions[out->partition_count++] = res;
            }
        }
        tracef(r, "elect-leaders topic=%s election_type=%s partitions=%d", name,
               req->election_type == ELECTION_TYPE_UNCLEAN ? "UNCLEAN" : "PREFERRED", count);
    }
}

/* ---- AlterPartition ----------------------------------------------------------------------- */

static int16_t alter_one(struct replication *r, const struct alter_partition_request *req,
                         const struct image_topic *t,
                         const struct alter_partition_request_partition *ap, int16_t version)
{
    const struct image_partition *p = NULL;
    for (int32_t i = 0; t != NULL && i < t->partition_count; i++) {
        p = t->partitions[i].id == ap->partition_index ? &t->partitions[i] : p;
    }
    if (p == NULL) {
        return KAFKA_UNKNOWN_TOPIC_OR_PARTITION;
    }
    if (ap->leader_epoch > p->leader_epoch || ap->partition_epoch > p->partition_epoch) {
        return KAFKA_NOT_CONTROLLER; /* the sender knows a newer state than we do */
    }
    if (ap->leader_epoch < p->leader_epoch) {
        return KAFKA_FENCED_LEADER_EPOCH;
    }
    if (req->broker_id != p->leader) {
        return KAFKA_INVALID_REQUEST;
    }
    if (ap->partition_epoch < p->partition_epoch) {
        return KAFKA_INVALID_UPDATE_VERSION;
    }
    /* validateAlterPartitionData: the ISR's shape, then the recovery state, then who may be
     * in it. */
    struct change_plan plan = {.leaving = -1, .unclean_shutdown = -1,
                               .reason = "alter-partition"};
    bool has_leader = false;
    for (int32_t i = 0; i < ap->new_isr_count; i++) {
        int32_t id = ap->new_isr[i].broker_id;
        if (!ints_has(&p->replicas, id) || ids_has(&plan.isr, id) || plan.isr.n == REPLICAS_MAX) {
            return KAFKA_INVALID_REQUEST;
        }
        has_leader |= id == p->leader;
        plan.isr.v[plan.isr.n++] = id;
    }
    if (!has_leader) {
        return KAFKA_INVALID_REQUEST; /* the ISR must contain the leader */
    }
    if (ap->leader_recovery_state == METADATA_LRS_RECOVERING && ap->new_isr_count > 1) {
        return KAFKA_INVALID_REQUEST; /* a recovering leader stays alone in its ISR */
    }
    if (ap->leader_recovery_state == METADATA_LRS_RECOVERING &&
        p->leader_recovery_state == METADATA_LRS_RECOVERED) {
        return KAFKA_INVALID_REQUEST; /* RECOVERED never goes back to RECOVERING */
    }
    for (int32_t i = 0; i < ap->new_isr_count; i++) {
        const struct alter_partition_broker_state *m = &ap->new_isr[i];
        const struct image_broker *b = metadata_image_broker(r->image, m->broker_id);
        bool eligible = b != NULL && !b->fenced && !shutting_down(r, b) &&
                        (m->broker_epoch == -1 || m->broker_epoch == b->epoch);
        if (!eligible) {
            /* Before v2 the leader does not know INELIGIBLE_REPLICA. */
            return version >= 2 ? KAFKA_INELIGIBLE_REPLICA : KAFKA_OPERATION_NOT_ATTEMPTED;
        }
    }
    plan.recovered = ap->leader_recovery_state == METADATA_LRS_RECOVERED;
    change_partition(r, t, p, &plan);
    return KAFKA_NONE;
}

void replication_alter_partition(struct replication *r, const struct alter_partition_request *req,
                                 int16_t version, struct wire_arena *a,
                                 struct alter_partition_response *resp)
{
    memset(resp, 0, sizeof *resp);
    const struct image_broker *sender = metadata_image_broker(r->image, req->broker_id);
    if (sender == NULL || (req->broker_epoch != -1 && req->broker_epoch != sender->epoch)) {
        resp->error_code = KAFKA_STALE_BROKER_EPOCH;
        return;
    }
    resp->topic_count = req->topic_count;
    resp->topics = wire_arena_alloc(a, sizeof *resp->topics * (size_t)(req->topic_count + 1));
    for (int32_t ti = 0; ti < req->topic_count; ti++) {
        const struct alter_partition_request_topic *rt = &req->topics[ti];
        struct alter_partition_response_topic *out = &resp->topics[ti];
        out->topic_name = rt->topic_name;
        out->topic_id = rt->topic_id;
        out->partition_count = rt->partition_count;
        out->partitions = wire_arena_alloc(a, sizeof *out->partitions *
                                                  (size_t)(rt->partition_count + 1));
        for (int32_t pi = 0; pi < rt->partition_count; pi++) {
            const struct image_topic *t = NULL;
            for (uint32_t k = 0; k < r->image->topic_count && t == NULL; k++) {
                const struct image_topic *c = &r->image->topics[k];
                bool by_id = version >= 2 && wire_uuid_equal(c->id, rt->topic_id);
                bool by_name = version < 2 && rt->topic_name != NULL &&
                               strcmp(c->name, rt->topic_name) == 0;
                t = by_id || by_name ? c : NULL;
            }
            const struct alter_partition_request_partition *ap = &rt->partitions[pi];
            struct alter_partition_response_partition *op = &out->partitions[pi];
            op->partition_index = ap->partition_index;
            op->error_code = alter_one(r, req, t, ap, version);
            if (t == NULL && op->error_code == KAFKA_UNKNOWN_TOPIC_OR_PARTITION && version >= 2) {
                op->error_code = KAFKA_UNKNOWN_TOPIC_ID;
            }
            /* The partition as it stands now, for the leader to adopt. */
            for (int32_t k = 0; t != NULL && k < t->partition_count; k++) {
                const struct image_partition *p = &t->partitions[k];
                if (p->id != ap->partition_index || op->error_code != KAFKA_NONE) {
                    continue;
                }
                op->leader_id = p->leader;
                op->leader_epoch = p->leader_epoch;
                op->isr_count = p->isr.count < 0 ? 0 : p->isr.count;
                op->isr = wire_arena_alloc(a, sizeof(int32_t) * (size_t)(op->isr_count + 1));
                if (op->isr_count > 0) {
                    memcpy(op->isr, p->isr.items, sizeof(int32_t) * (size_t)op->isr_count);
                }
                op->leader_recovery_state = p->leader_recovery_state;
                op->partition_epoch = p->partition_epoch;
                if (p->leader != req->broker_id) {
                    op->error_code = KAFKA_NEW_LEADER_ELECTED;
                }
            }
        }
    }
}
