/* check_partitions.c — leaders in the ISR, monotonic epochs, no fenced or unclean leaders. */
#include "check/check_partitions.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "trace/trace.h"
#include "text.h"

#define CONFIG_TOPIC 2  /* ConfigResource.Type.TOPIC */
#define CONFIG_BROKER 4 /* ConfigResource.Type.BROKER; resource "" is the cluster default */
#define UNCLEAN_KEY "unclean.leader.election.enable"

void partition_checker_init(struct partition_checker *pc, struct run_result *result,
                            bool unclean_default)
{
    KS_ASSERT(pc != NULL);
    memset(pc, 0, sizeof *pc);
    pc->result = result;
    metadata_image_init(&pc->shadow);
    pc->next_offset = -1;
    pc->unclean_leader_election_enable = unclean_default;
    KS_ASSERT(partition_checker_check(pc));
}

void partition_checker_free(struct partition_checker *pc)
{
    KS_ASSERT(partition_checker_check(pc));
    metadata_image_free(&pc->shadow);
    pc->next_offset = -1;
}

bool partition_checker_check(const struct partition_checker *pc)
{
    /* Every unclean election gives the partition another leader, in a record of its own. */
    return pc != NULL && pc->next_offset >= -1 && metadata_image_check(&pc->shadow) &&
           pc->unclean_elections <= pc->leader_changes &&
           pc->leader_changes <= pc->records_checked &&
           memchr(pc->last, '\0', sizeof pc->last) != NULL;
}

/* As raft_checker_violation, without a world: the time is the one the harness passed in. */
static void violation(struct partition_checker *pc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void violation(struct partition_checker *pc, const char *fmt, ...)
{
    KS_ASSERT(pc->result != NULL);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pc->last, sizeof pc->last, fmt, ap);
    va_end(ap);
    char when[32];
    trace_format_time(pc->now, when, sizeof when);
    char line[sizeof pc->last + 40];
    snprintf(line, sizeof line, "%s at %s s", pc->last, when + strspn(when, " "));
    run_result_violation(pc->result, "partitions", line);
    KS_ASSERT(pc->result->violations > 0);
}

/* ---- looking things up in the shadow -------------------------------------------------------- */

static const struct image_topic *topic_with_id(const struct metadata_image *img, struct kuuid id)
{
    for (uint32_t i = 0; i < img->topic_count; i++) {
        if (wire_uuid_equal(img->topics[i].id, id)) {
            return &img->topics[i];
        }
    }
    return NULL;
}

static const struct image_partition *partition_in(const struct image_topic *t, int32_t id)
{
    for (int32_t i = 0; t != NULL && i < t->partition_count; i++) {
        if (t->partitions[i].id == id) {
            return &t->partitions[i];
        }
    }
    return NULL;
}

static bool ints_has(const struct image_ints *v, int32_t id)
{
    for (int32_t i = 0; i < v->count; i++) {
        if (v->items[i] == id) {
            return true;
        }
    }
    return false;
}

/* "[1,2,3]"; a null list (ELR before metadata.version 4.0-IV1) reads as empty. */
static const char *ints_text(const struct image_ints *v, char *buf, size_t cap)
{
    KS_ASSERT(cap >= 3);
    struct text t = text_init(buf, cap);
    text_printf(&t, "[");
    for (int32_t i = 0; i < v->count; i++) {
        text_printf(&t, i == 0 ? "%d" : ",%d", v->items[i]);
    }
    text_printf(&t, "]");
    return buf;
}

static const char *config_value(const struct metadata_image *img, int8_t type,
                                const char *resource, const char *name)
{
    for (uint32_t i = 0; i < img->config_count; i++) {
        const struct image_config *c = &img->configs[i];
        if (c->resource_type == type && strcmp(c->resource_name, resource) == 0 &&
            strcmp(c->name, name) == 0) {
            return c->value;
        }
    }
    return NULL;
}

/* Boolean.parseBoolean: "true" in any case is true, anything else false. */
static bool parse_boolean(const char *v)
{
    static const char truth[] = "true";
    for (size_t i = 0; i < sizeof truth; i++) {
        char c = v[i] >= 'A' && v[i] <= 'Z' ? (char)(v[i] - 'A' + 'a') : v[i];
        if (c != truth[i]) {
            return false;
        }
    }
    return true;
}

/* ConfigurationControlManager.uncleanLeaderElectionEnabledForTopic: the topic's own value,
 * else the cluster default (BROKER resource ""), else the static config. (The controller's
 * node-level dynamic config sits between the last two in Kafka; the harness passes it in as
 * the static value if it ever sets one.) */
static bool unclean_enabled(const struct partition_checker *pc, const char *topic)
{
    const char *v = config_value(&pc->shadow, CONFIG_TOPIC, topic, UNCLEAN_KEY);
    if (v == NULL) {
        v = config_value(&pc->shadow, CONFIG_BROKER, "", UNCLEAN_KEY);
    }
    return v != NULL ? parse_boolean(v) : pc->unclean_leader_election_enable;
}

/* Why broker `id` may not lead (PartitionChangeBuilder's isAcceptableLeader), or NULL. A
 * broker in controlled shutdown may not be elected, yet may still lead for a moment: the
 * controller writes the shutdown flag before it moves leaders away
 * (ReplicationControlManager.handleBrokerInControlledShutdown), so `electing` says which. */
static const char *unfit_leader(const struct metadata_image *img, int32_t id, bool electing)
{
    KS_ASSERT(id >= 0);
    const struct image_broker *b = metadata_image_broker(img, id);
    if (b == NULL) {
        return "not registered";
    }
    if (b->fenced) {
        return "fenced";
    }
    return electing && b->in_controlled_shutdown ? "in controlled shutdown" : NULL;
}

/* ---- the rules ------------------------------------------------------------------------------ */

/* A partition's leader and epochs at one point; `known` false when it did not exist. */
struct epochs {
    bool known;
    int32_t leader;
    int32_t leader_epoch;
    int32_t partition_epoch;
};

static struct epochs epochs_of(const struct image_partition *p)
{
    if (p == NULL) {
        return (struct epochs){.known = false, .leader = -1};
    }
    return (struct epochs){true, p->leader, p->leader_epoch, p->partition_epoch};
}

/* leader-epoch-monotonic and one-leader-per-epoch between two states of a partition. */
static void check_epochs(struct partition_checker *pc, const char *topic, int32_t partition,
                         struct epochs was, struct epochs now, const char *where)
{
    KS_ASSERT(was.known);
    KS_ASSERT(now.known);
    if (now.leader_epoch < was.leader_epoch) {
        violation(pc, "leader-epoch-monotonic: %s-%d leader epoch %d -> %d %s (leader %d -> %d)",
                  topic, partition, was.leader_epoch, now.leader_epoch, where, was.leader,
                  now.leader);
    }
    if (now.partition_epoch < was.partition_epoch) {
        violation(pc, "leader-epoch-monotonic: %s-%d partition epoch %d -> %d %s", topic,
                  partition, was.partition_epoch, now.partition_epoch, where);
    }
    if (now.leader != was.leader && now.leader_epoch <= was.leader_epoch) {
        violation(pc, "one-leader-per-epoch: %s-%d leader %d -> %d without a new leader epoch "
                  "(%d -> %d) %s", topic, partition, was.leader, now.leader, was.leader_epoch,
                  now.leader_epoch, where);
    }
}

/* leader-in-isr for one partition. */
static void check_leader_in_isr(struct partition_checker *pc, const char *topic,
                                const struct image_partition *p, const char *where)
{
    KS_ASSERT(p != NULL);
    KS_ASSERT(topic != NULL);
    if (p->leader == METADATA_NO_LEADER) {
        return;
    }
    char list[64];
    if (!ints_has(&p->isr, p->leader)) {
        violation(pc, "leader-in-isr: %s-%d leader %d is not in isr %s %s (leader epoch %d, "
                  "partition epoch %d)", topic, p->id, p->leader,
                  ints_text(&p->isr, list, sizeof list), where, p->leader_epoch,
                  p->partition_epoch);
    }
    if (!ints_has(&p->replicas, p->leader)) {
        violation(pc, "leader-in-isr: %s-%d leader %d is not among replicas %s %s (leader "
                  "epoch %d)", topic, p->id, p->leader,
                  ints_text(&p->replicas, list, sizeof list), where, p->leader_epoch);
    }
}

/* fenced-never-leader, after the fact: no partition is led by `broker` (-1: by any broker)
 * while it is fenced or unregistered. */
static void check_led_by_fit(struct partition_checker *pc, int32_t broker, const char *where)
{
    KS_ASSERT(broker >= -1);
    KS_ASSERT(where != NULL);
    for (uint32_t i = 0; i < pc->shadow.topic_count; i++) {
        const struct image_topic *t = &pc->shadow.topics[i];
        for (int32_t k = 0; k < t->partition_count; k++) {
            const struct image_partition *p = &t->partitions[k];
            if (p->leader < 0 || (broker >= 0 && p->leader != broker)) {
                continue;
            }
            const char *why = unfit_leader(&pc->shadow, p->leader, false);
            if (why != NULL) {
                violation(pc, "fenced-never-leader: %s-%d still led by broker %d, %s, %s "
                          "(leader epoch %d)", t->name, p->id, p->leader, why, where,
                          p->leader_epoch);
            }
        }
    }
}

/* fenced-never-leader, before the record: the leader it names must be fit to lead, even when
 * it names the same leader again (a bare epoch bump: PartitionChangeBuilder keeps a leader only
 * while isValidNewLeader holds for it). `leader_epoch` is the one the record gives. */
static void check_new_leader(struct partition_checker *pc, const char *topic, int32_t partition,
                             int32_t leader, int32_t leader_epoch, const char *where)
{
    KS_ASSERT(topic != NULL);
    if (leader < 0) {
        return;
    }
    const char *why = unfit_leader(&pc->shadow, leader, true);
    if (why != NULL) {
        violation(pc, "fenced-never-leader: %s-%d elects broker %d, which is %s, %s (leader "
                  "epoch %d)", topic, partition, leader, why, where, leader_epoch);
    }
}

/* How a PartitionChangeRecord's leader came to be, judged against the partition before it. */
enum election {
    ELECTION_NONE,       /* the leader stays, or goes to -1 */
    ELECTION_CLEAN,      /* from the previous ISR or ELR */
    ELECTION_LAST_KNOWN, /* KIP-966: ISR and ELR empty, the single LastKnownElr member */
    ELECTION_UNCLEAN     /* from anywhere else */
};

/* How the controller chose `leader`. Kafka's PartitionChangeBuilder.build first moves replicas
 * from the ELR (maybePopulateTargetElr: a broker that shut down uncleanly leaves it) and only
 * then elects, so the last-known-leader rule (canElectLastKnownLeader) sees the *target* ELR:
 * the record's own list when it carries one. Judging it by the previous ELR would call that
 * election unclean. A null list in the record leaves the ELR as it was. */
static enum election classify(const struct image_partition *p,
                              const struct metadata_partition_change *c)
{
    KS_ASSERT(p != NULL);
    int32_t leader = c->leader;
    if (leader < 0 || leader == p->leader) {
        return ELECTION_NONE;
    }
    if (ints_has(&p->isr, leader) || ints_has(&p->elr, leader)) {
        return ELECTION_CLEAN;
    }
    int32_t target_elr = c->eligible_leader_replicas.count >= 0 ? c->eligible_leader_replicas.count
                                                                 : p->elr.count;
    if (p->isr.count <= 0 && target_elr <= 0 && p->last_known_elr.count == 1 &&
        p->last_known_elr.items[0] == leader) {
        return ELECTION_LAST_KNOWN;
    }
    return ELECTION_UNCLEAN;
}

/* unclean-election, before the record: is it allowed at all. */
static void check_unclean_allowed(struct partition_checker *pc, const char *topic,
                                  const struct image_partition *p,
                                  const struct metadata_partition_change *c, const char *where)
{
    KS_ASSERT(classify(p, c) == ELECTION_UNCLEAN);
    int32_t leader = c->leader;
    if (unclean_enabled(pc, topic)) {
        return;
    }
    char isr[64], elr[64];
    violation(pc, "unclean-election: %s-%d elects broker %d from outside isr %s and elr %s %s "
              "(leader epoch %d) with " UNCLEAN_KEY "=false", topic, p->id, leader,
              ints_text(&p->isr, isr, sizeof isr), ints_text(&p->elr, elr, sizeof elr), where,
              p->leader_epoch);
}

/* LeaderRecoveryState came with metadata.version 3.2-IV0 (KIP-704). A log with no
 * metadata.version feature was written before 3.3 and may predate it: not required there. */
static bool recovery_known(const struct partition_checker *pc)
{
    for (uint32_t i = 0; i < pc->shadow.feature_count; i++) {
        if (strcmp(pc->shadow.features[i].name, "metadata.version") == 0) {
            return pc->shadow.features[i].level >= 3;
        }
    }
    return false;
}

/* ---- one record ----------------------------------------------------------------------------- */

static void partition_change(struct partition_checker *pc, const struct metadata_record *r,
                             const char *where, char *err, size_t err_cap, int *rc)
{
    const struct metadata_partition_change *c = &r->u.partition_change;
    const struct image_topic *t = topic_with_id(&pc->shadow, c->topic_id);
    const struct image_partition *p = partition_in(t, c->partition_id);
    if (p == NULL) { /* the image refuses it and says so */
        *rc = metadata_image_apply(&pc->shadow, r, err, err_cap);
        return;
    }
    struct epochs was = epochs_of(p);
    enum election e = classify(p, c);
    if (c->leader != METADATA_NO_LEADER_CHANGE) {
        check_new_leader(pc, t->name, p->id, c->leader, was.leader_epoch + 1, where);
    }
    if (e == ELECTION_UNCLEAN) {
        check_unclean_allowed(pc, t->name, p, c, where);
    }
    *rc = metadata_image_apply(&pc->shadow, r, err, err_cap);
    KS_ASSERT(*rc == 0); /* the partition exists: a change to it always fits */
    p = partition_in(t, c->partition_id);
    struct epochs now = epochs_of(p);
    check_epochs(pc, t->name, p->id, was, now, where);
    check_leader_in_isr(pc, t->name, p, where);
    if (now.leader != was.leader) {
        pc->leader_changes++;
    }
    if (e == ELECTION_UNCLEAN || e == ELECTION_LAST_KNOWN) {
        pc->unclean_elections++;
        if (p->leader_recovery_state != METADATA_LRS_RECOVERING && recovery_known(pc)) {
            violation(pc, "unclean-election: %s-%d elects broker %d uncleanly %s (leader epoch "
                      "%d -> %d) but leaves LeaderRecoveryState %d, not RECOVERING", t->name,
                      p->id, now.leader, where, was.leader_epoch, now.leader_epoch,
                      p->leader_recovery_state);
        }
    }
}

static void partition_new(struct partition_checker *pc, const struct metadata_record *r,
                          const char *where, char *err, size_t err_cap, int *rc)
{
    const struct metadata_partition *m = &r->u.partition;
    const struct image_topic *t = topic_with_id(&pc->shadow, m->topic_id);
    const struct image_partition *p = partition_in(t, m->partition_id);
    if (t != NULL) {
        check_new_leader(pc, t->name, m->partition_id, m->leader, m->leader_epoch, where);
    }
    if (p != NULL) { /* Kafka replaces the partition (TopicDelta.replay): epochs still hold */
        struct epochs now = {true, m->leader, m->leader_epoch, m->partition_epoch};
        check_epochs(pc, t->name, p->id, epochs_of(p), now, where);
    }
    *rc = metadata_image_apply(&pc->shadow, r, err, err_cap);
    p = *rc == 0 ? partition_in(t, m->partition_id) : NULL;
    if (p != NULL) {
        check_leader_in_isr(pc, t->name, p, where);
    }
}

/* The broker a record fences or removes, or -1. */
static int32_t broker_unfit_after(const struct metadata_record *r)
{
    switch (r->type) {
    case METADATA_FENCE_BROKER:
        return r->u.fencing.id;
    case METADATA_BROKER_REGISTRATION_CHANGE:
        return r->u.broker_registration_change.fenced > 0
                   ? r->u.broker_registration_change.broker_id : -1;
    case METADATA_REGISTER_BROKER:
        return r->u.register_broker.fenced ? r->u.register_broker.broker_id : -1;
    case METADATA_UNREGISTER_BROKER:
        return r->u.unregister_broker.broker_id;
    default:
        return -1;
    }
}

bool partition_checker_record(struct partition_checker *pc, int64_t offset,
                              const struct metadata_record *r, time_ns now)
{
    KS_ASSERT(partition_checker_check(pc));
    KS_ASSERT(offset >= 0);
    if (pc->next_offset >= 0 && offset != pc->next_offset) {
        pc->records_ignored++;
        return false;
    }
    pc->next_offset = offset + 1;
    pc->now = now;
    if (r == NULL) { /* a control record: nothing for the image */
        return true;
    }
    char where[40], err[200] = "";
    snprintf(where, sizeof where, "at offset %" PRId64, offset);
    int rc;
    if (r->type == METADATA_PARTITION_CHANGE) {
        partition_change(pc, r, where, err, sizeof err, &rc);
    } else if (r->type == METADATA_PARTITION) {
        partition_new(pc, r, where, err, sizeof err, &rc);
    } else {
        rc = metadata_image_apply(&pc->shadow, r, err, sizeof err);
    }
    if (rc != 0) {
        violation(pc, "record-fits-image: %s %s does not fit the image: %s",
                  metadata_record_type_name(r->type), where, err);
    }
    int32_t unfit = broker_unfit_after(r);
    if (rc == 0 && unfit >= 0) {
        check_led_by_fit(pc, unfit, where);
    }
    pc->records_checked++;
    KS_ASSERT(partition_checker_check(pc));
    return true;
}

/* ---- resync --------------------------------------------------------------------------------- */

static void replay_into(void *arg, const struct metadata_record *r)
{
    char err[200] = "";
    int rc = metadata_image_apply(arg, r, err, sizeof err);
    KS_ASSERT(rc == 0); /* an image written as records always replays (image.c) */
}

/* Partitions in both images, matched by topic id, keep their epoch rules across the gap. */
static void check_gap(struct partition_checker *pc, const struct metadata_image *to,
                      const char *where)
{
    KS_ASSERT(pc->next_offset >= 0);
    for (uint32_t i = 0; i < pc->shadow.topic_count; i++) {
        const struct image_topic *was_t = &pc->shadow.topics[i];
        const struct image_topic *now_t = topic_with_id(to, was_t->id);
        for (int32_t k = 0; now_t != NULL && k < was_t->partition_count; k++) {
            const struct image_partition *was = &was_t->partitions[k];
            const struct image_partition *now = partition_in(now_t, was->id);
            if (now != NULL) {
                check_epochs(pc, now_t->name, now->id, epochs_of(was), epochs_of(now), where);
            }
        }
    }
}

void partition_checker_resync(struct partition_checker *pc, const struct metadata_image *img,
                              int64_t applied_offset)
{
    KS_ASSERT(partition_checker_check(pc));
    KS_ASSERT(applied_offset >= 0);
    KS_ASSERT(img != &pc->shadow);
    struct metadata_image fresh;
    metadata_image_init(&fresh);
    metadata_image_records(img, replay_into, &fresh);
    char where[56];
    snprintf(where, sizeof where, "across a resync to offset %" PRId64, applied_offset);
    /* Behind the shadow, the node's image may hold older epochs: nothing to compare. */
    if (pc->next_offset >= 0 && applied_offset >= pc->next_offset) {
        check_gap(pc, &fresh, where);
    }
    metadata_image_free(&pc->shadow);
    pc->shadow = fresh;
    pc->next_offset = applied_offset;
    pc->resyncs++;
    for (uint32_t i = 0; i < pc->shadow.topic_count; i++) {
        const struct image_topic *t = &pc->shadow.topics[i];
        for (int32_t k = 0; k < t->partition_count; k++) {
            check_leader_in_isr(pc, t->name, &t->partitions[k], where);
        }
    }
    check_led_by_fit(pc, -1, where);
    KS_ASSERT(partition_checker_check(pc));
}
