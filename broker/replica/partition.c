/* partition.c — Partition.scala's leader and follower rules for one replica, as a state
 * machine over the partition log: events in, produce completions and AlterPartition out. */
#include "replica/partition.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/header.h"
#include "text.h"

/* Kafka's 0L for "never" in ReplicaState (lastCaughtUpTimeMs, lastFetchTimeMs): the epoch of
 * the wall clock, so `now - 0 > replica.lag.time.max.ms` always holds. Virtual time starts
 * near 0, so "never" must be far below it instead. */
#define NEVER (INT64_MIN / 4)
#define NO_BROKER_EPOCH (-2) /* ReplicaState.brokerEpoch = Optional.empty */

struct replica_config replica_config_default(int32_t broker_id)
{
    return (struct replica_config){
        .broker_id = broker_id,
        .min_insync_replicas = 1,
        .replica_lag_time_max = 30000 * NS_PER_MS,
        .replica_fetch_backoff = 1000 * NS_PER_MS,
        .replica_fetch_max_bytes = 1048576,
        .leader_epoch_truncation = true,
        .last_fetched_epoch = true,
        .hw_frozen_below_min_isr = true,
    };
}

const char *replica_role_name(enum replica_role role)
{
    static const char *const names[] = {"None", "Leader", "Follower"};
    KS_ASSERT(role <= REPLICA_FOLLOWER);
    return names[role];
}

/* ---- effects ------------------------------------------------------------------------------ */

void replica_out_init(struct replica_out *out) { memset(out, 0, sizeof *out); }

void replica_out_reset(struct replica_out *out)
{
    out->done_count = 0;
    out->send_alter = false;
}

void replica_out_free(struct replica_out *out)
{
    free(out->done);
    memset(out, 0, sizeof *out);
}

static void out_done(struct replica_out *out, const struct replica_produce_result *r)
{
    if (out->done_count == out->done_capacity) {
        out->done_capacity = out->done_capacity ? out->done_capacity * 2 : 8;
        out->done = realloc(out->done, out->done_capacity * sizeof *out->done);
        KS_ASSERT(out->done != NULL);
    }
    out->done[out->done_count++] = *r;
}

void replica_fetch_response_free(struct replica_fetch_response *r)
{
    free(r->records);
    r->records = NULL;
    r->records_len = 0;
}

/* ---- small helpers ------------------------------------------------------------------------ */

static bool contains(const int32_t *ids, int count, int32_t id)
{
    for (int i = 0; i < count; i++) {
        if (ids[i] == id) {
            return true;
        }
    }
    return false;
}

static struct replica_remote *remote_of(struct replica_partition *p, int32_t id)
{
    for (int i = 0; i < p->remote_count; i++) {
        if (p->remotes[i].broker_id == id) {
            return &p->remotes[i];
        }
    }
    return NULL;
}

static int64_t leo(const struct replica_partition *p) { return partition_log_end_offset(p->log); }
static int64_t hw(const struct replica_partition *p)
{
    return partition_log_high_watermark(p->log);
}

/* "foo-0" for the trace. */
static void tp_name(const struct replica_partition *p, char *buf, size_t cap)
{
    struct text t = text_init(buf, cap);
    text_printf(&t, "%s-%d", p->log->topic, (int)p->log->partition);
}

static void ids_text(const int32_t *ids, int count, char *buf, size_t cap)
{
    struct text t = text_init(buf, cap);
    for (int i = 0; i < count; i++) {
        text_printf(&t, "%s%d", i ? "," : "", (int)ids[i]);
    }
}

/* effectiveMinIsr: min.insync.replicas, at most the replication factor. */
static int effective_min_isr(const struct replica_partition *p)
{
    int min = p->cfg.min_insync_replicas;
    return min < p->replica_count ? min : p->replica_count;
}

int replica_maximal_isr(const struct replica_partition *p, int32_t *isr)
{
    /* PendingExpandIsr counts the follower it adds at once (adding makes the HW stricter, so
     * it is safe before the controller agrees); PendingShrinkIsr counts the old ISR until the
     * shrink commits (counting the smaller one could move the HW past a replica the controller
     * still has in the ISR). */
    const struct replica_alter *a = &p->alter;
    bool expand = p->alter_in_flight && a->expand;
    int count = expand ? a->isr_count : p->isr_count;
    memcpy(isr, expand ? a->isr : p->isr, (size_t)count * sizeof *isr);
    return count;
}

bool replica_in_isr(const struct replica_partition *p, int32_t broker_id)
{
    return contains(p->isr, p->isr_count, broker_id);
}

static bool in_maximal_isr(const struct replica_partition *p, int32_t id)
{
    int32_t isr[REPLICA_MAX];
    return contains(isr, replica_maximal_isr(p, isr), id);
}

/* ReplicaState.isCaughtUp. */
static bool caught_up(const struct replica_partition *p, const struct replica_remote *r,
                      int64_t leader_end, time_ns now)
{
    return r->log_end_offset == leader_end ||
           now - r->last_caught_up_time <= p->cfg.replica_lag_time_max;
}

/* isReplicaIsrEligible: alive, unfenced, not shutting down, and a broker epoch from its fetch
 * (-1: none sent) that is the registered one. */
static bool isr_eligible(const struct replica_remote *r)
{
    return r->eligible && r->broker_epoch != NO_BROKER_EPOCH &&
           (r->broker_epoch == -1 || r->cached_broker_epoch == -1 ||
            r->broker_epoch == r->cached_broker_epoch);
}

static void remote_reset_empty(struct replica_remote *r, int32_t id)
{
    *r = (struct replica_remote){.broker_id = id, .log_start_offset = -1, .log_end_offset = -1,
                                 .last_fetch_leader_leo = -1, .last_fetch_time = NEVER,
                                 .last_caught_up_time = NEVER, .broker_epoch = NO_BROKER_EPOCH,
                                 .eligible = true, .cached_broker_epoch = -1};
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

void replica_init(struct replica_partition *p, const struct replica_config *cfg,
                  struct partition_log *log)
{
    memset(p, 0, sizeof *p);
    p->cfg = *cfg;
    p->log = log;
    p->role = REPLICA_NONE;
    p->leader_id = -1;
    p->leader_epoch = -1;
    p->partition_epoch = -1;
    p->epoch_start_offset = -1;
    p->hw_floor = 0;
    p->fetch_state = REPLICA_FETCH_IDLE;
    p->fetch_offset = -1;
    p->broker_epoch = -1;
}

void replica_free(struct replica_partition *p)
{
    free(p->delayed);
    p->delayed = NULL;
    p->delayed_count = p->delayed_capacity = 0;
}

void replica_set_broker(struct replica_partition *p, int32_t broker_id, bool eligible,
                        int64_t broker_epoch)
{
    struct replica_remote *r = remote_of(p, broker_id);
    if (r != NULL) {
        r->eligible = eligible;
        r->cached_broker_epoch = broker_epoch;
    }
}

/* ---- the high watermark and delayed produces ---------------------------------------------- */

/* Partition.maybeIncrementLeaderHW: the smallest LEO of the leader and of every follower in
 * the maximal ISR or caught up and eligible to join it (waiting for the latter keeps a
 * follower that trails the HW from never reaching it). Only ever up. */
static bool maybe_increment_hw(struct replica_partition *p, time_ns now)
{
    KS_ASSERT(hw(p) >= p->hw_floor);
    if (p->cfg.hw_frozen_below_min_isr && p->isr_count < effective_min_isr(p)) {
        return false;
    }
    int64_t end = leo(p);
    int64_t next = end;
    for (int i = 0; i < p->remote_count; i++) {
        const struct replica_remote *r = &p->remotes[i];
        bool counts = in_maximal_isr(p, r->broker_id) ||
                      (caught_up(p, r, end, now) && isr_eligible(r));
        if (p->cfg.planted_hw_past_lagging_isr && r->log_end_offset < end) {
            counts = false; /* planted: acks=all then waits for nobody who lags */
        }
        if (r->log_end_offset < next && counts) {
            next = r->log_end_offset;
        }
    }
    if (next <= hw(p)) {
        return false;
    }
    KS_ASSERT(next <= end);
    partition_log_set_high_watermark(p->log, next);
    p->hw_floor = hw(p);
    return true;
}

/* Partition.checkEnoughReplicasReachOffset for one waiting produce: true when it is done. */
static bool check_enough(const struct replica_partition *p, int64_t required, int16_t *error)
{
    if (p->role != REPLICA_LEADER) {
        *error = KAFKA_NOT_LEADER_OR_FOLLOWER;
        return true;
    }
    if (hw(p) < required) {
        return false;
    }
    /* Appended and replicated, but the ISR shrank below min ISR meanwhile. */
    int32_t isr[REPLICA_MAX];
    bool enough = effective_min_isr(p) <= replica_maximal_isr(p, isr);
    *error = enough ? KAFKA_NONE : KAFKA_NOT_ENOUGH_REPLICAS_AFTER_APPEND;
    return true;
}

static void complete(struct replica_partition *p, const struct replica_delayed *d,
                     int16_t error, struct replica_out *out)
{
    struct replica_produce_result r = {
        .ctx = d->ctx, .error = error, .base_offset = d->base_offset,
        .log_append_time = d->log_append_time,
        .log_start_offset = partition_log_start_offset(p->log)};
    out_done(out, &r);
}

/* DelayedProduce.tryComplete for every waiting produce, in arrival order; `force` completes
 * every one with that error instead (0: none). */
static void try_complete_delayed(struct replica_partition *p, int16_t force, time_ns now,
                                 struct replica_out *out)
{
    uint32_t kept = 0;
    for (uint32_t i = 0; i < p->delayed_count; i++) {
        const struct replica_delayed *d = &p->delayed[i];
        int16_t error = force;
        bool done = force != 0 || check_enough(p, d->required_offset, &error);
        if (!done && d->deadline <= now) {
            done = true;
            error = KAFKA_REQUEST_TIMED_OUT; /* DelayedProduce's initial status */
        }
        if (done) {
            complete(p, d, error, out);
        } else {
            p->delayed[kept++] = *d;
        }
    }
    p->delayed_count = kept;
}

static void add_delayed(struct replica_partition *p, const struct replica_delayed *d)
{
    if (p->delayed_count == p->delayed_capacity) {
        p->delayed_capacity = p->delayed_capacity ? p->delayed_capacity * 2 : 8;
        p->delayed = realloc(p->delayed, p->delayed_capacity * sizeof *p->delayed);
        KS_ASSERT(p->delayed != NULL);
    }
    p->delayed[p->delayed_count++] = *d;
}

/* ---- AlterPartition ----------------------------------------------------------------------- */

static void trace_alter(const struct replica_partition *p, const char *event)
{
    char tp[CHECKPOINT_TOPIC_MAX + 16], isr[REPLICA_MAX * 12];
    tp_name(p, tp, sizeof tp);
    ids_text(p->alter.isr, p->alter.isr_count, isr, sizeof isr);
    env_trace(p->log->env, TRACE_PARTITION, TF_STR("tp", tp), TF_STR("event", event),
              TF_STR("isr", isr), TF_INT("leader_epoch", p->alter.leader_epoch),
              TF_INT("partition_epoch", p->alter.partition_epoch));
}

/* prepareIsrExpand / prepareIsrShrink and submitAlterPartition: the proposal with each
 * member's broker epoch (its last Fetch's; -1 when none, as addBrokerEpochToIsr sends). */
static void propose(struct replica_partition *p, bool expand, const int32_t *isr, int count,
                    struct replica_out *out)
{
    struct replica_alter *a = &p->alter;
    *a = (struct replica_alter){.id = ++p->alter_seq, .expand = expand,
                                .leader_id = p->cfg.broker_id, .leader_epoch = p->leader_epoch,
                                .partition_epoch = p->partition_epoch, .isr_count = count};
    for (int i = 0; i < count; i++) {
        const struct replica_remote *r = remote_of(p, isr[i]);
        a->isr[i] = isr[i];
        a->broker_epochs[i] = isr[i] == p->cfg.broker_id ? p->broker_epoch
                              : r != NULL && r->broker_epoch >= 0 ? r->broker_epoch
                                                                  : -1;
    }
    p->alter_in_flight = true;
    out->send_alter = true;
    out->alter = *a;
    trace_alter(p, expand ? "isr-expand-proposed" : "isr-shrink-proposed");
}

/* Partition.maybeExpandIsr: a follower outside the ISR that reached the HW within this leader
 * epoch (a follower short of the epoch's start could become leader without data the HW
 * already covers). */
static void maybe_expand_isr(struct replica_partition *p, const struct replica_remote *r,
                             struct replica_out *out)
{
    if (p->alter_in_flight || replica_in_isr(p, r->broker_id) || !isr_eligible(r)) {
        return;
    }
    if (r->log_end_offset < hw(p) || p->epoch_start_offset < 0 ||
        r->log_end_offset < p->epoch_start_offset) {
        return;
    }
    int32_t isr[REPLICA_MAX];
    memcpy(isr, p->isr, (size_t)p->isr_count * sizeof *isr);
    isr[p->isr_count] = r->broker_id;
    propose(p, true, isr, p->isr_count + 1, out);
}

void replica_maybe_shrink_isr(struct replica_partition *p, time_ns now,
                              struct replica_out *out)
{
    if (p->role != REPLICA_LEADER || p->alter_in_flight) {
        return;
    }
    /* getOutOfSyncReplicas: ISR followers neither at the LEO nor caught up within the lag. */
    int64_t end = leo(p);
    int32_t keep[REPLICA_MAX];
    int kept = 0;
    for (int i = 0; i < p->isr_count; i++) {
        int32_t id = p->isr[i];
        const struct replica_remote *r = remote_of(p, id);
        if (id == p->cfg.broker_id || (r != NULL && caught_up(p, r, end, now))) {
            keep[kept++] = id;
        }
    }
    if (kept < p->isr_count) {
        propose(p, false, keep, kept, out);
    }
}

static void commit_alter(struct replica_partition *p, const struct replica_alter_answer *a,
                         time_ns now, struct replica_out *out)
{
    KS_ASSERT(a->isr_count <= REPLICA_MAX);
    memcpy(p->isr, a->isr, (size_t)a->isr_count * sizeof *p->isr);
    p->isr_count = a->isr_count;
    p->partition_epoch = a->partition_epoch;
    p->alter_in_flight = false;
    p->alter.isr_count = a->isr_count;
    memcpy(p->alter.isr, a->isr, (size_t)a->isr_count * sizeof *p->isr);
    p->alter.partition_epoch = a->partition_epoch;
    trace_alter(p, "isr-committed");
    if (maybe_increment_hw(p, now)) {
        try_complete_delayed(p, 0, now, out);
    }
}

void replica_on_alter_partition(struct replica_partition *p,
                                const struct replica_alter_answer *a, time_ns now,
                                struct replica_out *out)
{
    if (p->role != REPLICA_LEADER || !p->alter_in_flight || a->id != p->alter.id) {
        return; /* the state moved on (new metadata): the answer is out of date */
    }
    switch (a->error) {
    case KAFKA_NONE:
        /* A stale leader epoch or an older partition epoch leaves the proposal pending until
         * metadata overrides it (handleAlterPartitionUpdate). */
        if (a->leader_epoch == p->leader_epoch && a->partition_epoch >= p->partition_epoch) {
            commit_alter(p, a, now, out);
        }
        return;
    case KAFKA_OPERATION_NOT_ATTEMPTED:
    case KAFKA_INELIGIBLE_REPLICA:
        p->alter_in_flight = false; /* the controller says it applied nothing: back to the
                                     * committed ISR */
        return;
    case KAFKA_UNKNOWN_TOPIC_OR_PARTITION:
    case KAFKA_UNKNOWN_TOPIC_ID:
    case KAFKA_FENCED_LEADER_EPOCH:
    case KAFKA_INVALID_UPDATE_VERSION:
    case KAFKA_INVALID_REQUEST:
    case KAFKA_NEW_LEADER_ELECTED:
        return; /* pending until new metadata */
    default:
        out->send_alter = true; /* unexpected: Kafka retries the same proposal */
        out->alter = p->alter;
        return;
    }
}

/* ---- becoming leader or follower ---------------------------------------------------------- */

static void trace_role(const struct replica_partition *p, const char *event)
{
    char tp[CHECKPOINT_TOPIC_MAX + 16], isr[REPLICA_MAX * 12];
    tp_name(p, tp, sizeof tp);
    ids_text(p->isr, p->isr_count, isr, sizeof isr);
    env_trace(p->log->env, TRACE_PARTITION, TF_STR("tp", tp), TF_STR("event", event),
              TF_INT("leader_id", p->leader_id), TF_INT("leader_epoch", p->leader_epoch),
              TF_INT("partition_epoch", p->partition_epoch), TF_STR("isr", isr),
              TF_INT("leo", leo(p)), TF_INT("hw", hw(p)));
}

static void set_assignment(struct replica_partition *p, const struct replica_registration *r,
                           bool leader)
{
    KS_ASSERT(r->replica_count <= REPLICA_MAX && r->isr_count <= REPLICA_MAX);
    p->replica_count = r->replica_count;
    memcpy(p->replicas, r->replicas, (size_t)r->replica_count * sizeof *p->replicas);
    p->isr_count = leader ? r->isr_count : 0;
    memcpy(p->isr, r->isr, (size_t)p->isr_count * sizeof *p->isr);
    p->alter_in_flight = false; /* CommittedPartitionState */
    /* updateAssignmentAndIsr: a leader keeps the state of followers still assigned and adds
     * the new ones empty; a follower keeps none. */
    struct replica_remote kept[REPLICA_MAX];
    int count = 0;
    for (int i = 0; leader && i < r->replica_count; i++) {
        int32_t id = r->replicas[i];
        if (id == p->cfg.broker_id) {
            continue;
        }
        const struct replica_remote *old = remote_of(p, id);
        if (old != NULL) {
            kept[count++] = *old;
        } else {
            remote_reset_empty(&kept[count++], id);
        }
    }
    memcpy(p->remotes, kept, (size_t)count * sizeof *kept);
    p->remote_count = count;
}

/* Replica.resetReplicaState when the leader epoch changes. */
static void reset_remotes(struct replica_partition *p, time_ns now, int64_t start,
                          bool new_leader)
{
    for (int i = 0; i < p->remote_count; i++) {
        struct replica_remote *r = &p->remotes[i];
        bool in_isr = replica_in_isr(p, r->broker_id);
        r->last_caught_up_time = in_isr ? now : NEVER;
        if (new_leader) {
            r->log_start_offset = -1;
            r->log_end_offset = -1;
            r->last_fetch_leader_leo = -1;
            r->last_fetch_time = NEVER;
            r->broker_epoch = NO_BROKER_EPOCH;
        } else {
            r->last_fetch_leader_leo = start;
            r->last_fetch_time = in_isr ? now : NEVER;
        }
    }
}

bool replica_make_leader(struct replica_partition *p, const struct replica_registration *r,
                         time_ns now, struct replica_out *out)
{
    if (r->partition_epoch < p->partition_epoch) {
        return false;
    }
    bool new_leader = p->role != REPLICA_LEADER;
    bool new_epoch = r->leader_epoch > p->leader_epoch;
    if (new_leader) {
        p->remote_count = 0; /* a follower kept none */
    }
    set_assignment(p, r, true);
    p->role = REPLICA_LEADER;
    p->fetch_state = REPLICA_FETCH_IDLE;
    p->request_in_flight = false;
    if (new_epoch) {
        /* Cache (epoch, LEO) before any batch of the epoch exists, so a follower holding a
         * later epoch from quick successive elections still finds where to truncate. */
        int64_t start = leo(p);
        partition_log_assign_epoch(p->log, r->leader_epoch, start);
        reset_remotes(p, now, start, new_leader);
        p->leader_epoch = r->leader_epoch;
        p->epoch_start_offset = start;
        p->hw_floor = hw(p);
    }
    p->partition_epoch = r->partition_epoch;
    p->leader_id = p->cfg.broker_id;
    if (new_epoch) {
        trace_role(p, "make-leader");
    }
    if (maybe_increment_hw(p, now)) { /* the ISR may be the leader alone */
        try_complete_delayed(p, 0, now, out);
    }
    return true;
}

/* The fetcher's initial state for a new leader epoch (ReplicaManager.makeFollowers'
 * initialFetchOffset and AbstractFetcherThread.partitionFetchState), by release. */
static void start_fetching(struct replica_partition *p)
{
    p->request_in_flight = false;
    p->backoff_until = 0;
    if (!p->cfg.leader_epoch_truncation) {
        /* Before KIP-101 a new follower cut its log at its own HW: whatever it held above the
         * HW was taken as uncommitted, even when the leader had committed it. */
        p->fetch_offset = partition_log_truncate_to(p->log, hw(p));
        p->fetch_state = REPLICA_FETCH_FETCHING;
        return;
    }
    bool has_epoch = partition_log_latest_epoch(p->log) >= 0;
    if (p->cfg.last_fetched_epoch && has_epoch) {
        p->fetch_offset = leo(p);
        p->fetch_state = REPLICA_FETCH_FETCHING;
    } else if (has_epoch) {
        p->fetch_offset = hw(p);
        p->fetch_state = REPLICA_FETCH_TRUNCATING;
    } else {
        /* No epochs (old message format): truncateToHighWatermark. */
        p->fetch_offset = partition_log_truncate_to(p->log, hw(p));
        p->fetch_state = REPLICA_FETCH_FETCHING;
    }
}

bool replica_make_follower(struct replica_partition *p, const struct replica_registration *r,
                           time_ns now, struct replica_out *out)
{
    if (r->partition_epoch < p->partition_epoch) {
        return false;
    }
    bool new_epoch = r->leader_epoch > p->leader_epoch;
    p->role = REPLICA_FOLLOWER;
    p->leader_id = r->leader_id;
    p->leader_epoch = r->leader_epoch;
    p->epoch_start_offset = -1;
    p->partition_epoch = r->partition_epoch;
    set_assignment(p, r, false);
    /* ReplicaManager completes the partition's delayed produces: no longer the leader. */
    try_complete_delayed(p, KAFKA_NOT_LEADER_OR_FOLLOWER, now, out);
    if (new_epoch) {
        start_fetching(p);
        trace_role(p, "make-follower");
    }
    return new_epoch;
}

void replica_stop(struct replica_partition *p, struct replica_out *out)
{
    try_complete_delayed(p, KAFKA_NOT_LEADER_OR_FOLLOWER, 0, out);
    p->role = REPLICA_NONE;
    p->leader_id = -1;
    p->isr_count = 0;
    p->remote_count = 0;
    p->alter_in_flight = false;
    p->fetch_state = REPLICA_FETCH_IDLE;
    p->request_in_flight = false;
}

/* ---- produce ------------------------------------------------------------------------------ */

static int16_t append_error(int rc)
{
    switch (-rc) {
    case PLOG_ECORRUPT: return KAFKA_CORRUPT_MESSAGE;
    case PLOG_EINVALID_RECORD: return KAFKA_INVALID_RECORD;
    case PLOG_ETOO_LARGE: return KAFKA_MESSAGE_TOO_LARGE;
    case PLOG_EBATCH_TOO_LARGE: return KAFKA_RECORD_LIST_TOO_LARGE;
    case PLOG_EOUT_OF_RANGE: return KAFKA_OFFSET_OUT_OF_RANGE;
    case PLOG_ESTORAGE: return KAFKA_KAFKA_STORAGE_ERROR;
    case PLOG_EOUT_OF_ORDER_SEQUENCE: return KAFKA_OUT_OF_ORDER_SEQUENCE_NUMBER;
    case PLOG_EINVALID_PRODUCER_EPOCH: return KAFKA_INVALID_PRODUCER_EPOCH;
    default: return KAFKA_UNKNOWN_SERVER_ERROR;
    }
}

/* The checks appendRecordsToLeader makes before the log sees the records. */
static int16_t produce_precheck(const struct replica_partition *p, int16_t acks)
{
    if (acks != -1 && acks != 0 && acks != 1) {
        return KAFKA_INVALID_REQUIRED_ACKS;
    }
    if (p->role != REPLICA_LEADER) {
        return KAFKA_NOT_LEADER_OR_FOLLOWER;
    }
    if (acks == -1 && p->isr_count < effective_min_isr(p)) {
        return KAFKA_NOT_ENOUGH_REPLICAS; /* refuse before writing: it would not be safe */
    }
    return KAFKA_NONE;
}

bool replica_produce(struct replica_partition *p, const uint8_t *records, size_t len,
                     int16_t acks, time_ns timeout, uint64_t ctx, time_ns now,
                     struct replica_out *out, struct replica_produce_result *result)
{
    *result = (struct replica_produce_result){
        .ctx = ctx, .error = produce_precheck(p, acks), .base_offset = -1,
        .log_append_time = -1, .log_start_offset = partition_log_start_offset(p->log)};
    if (result->error != KAFKA_NONE) {
        return true;
    }
    struct partition_log_append_info info;
    int rc = partition_log_append_leader(p->log, records, len, p->leader_epoch, &info);
    if (rc < 0) {
        result->error = append_error(rc);
        return true;
    }
    /* A retried idempotent batch (rc PLOG_DUPLICATE) answers as its first append did: NONE
     * and its base offset, once the HW covers it (acks=all), like any append. */
    result->base_offset = info.first_offset;
    result->log_append_time = info.log_append_time;
    if (p->cfg.planted_append_then_refuse && rc != PLOG_DUPLICATE &&
        info.first_offset % 10 == 0) {
        /* planted: written, yet the producer is told, definitely, that it was not */
        result->error = KAFKA_INVALID_RECORD;
        result->base_offset = -1;
        return true;
    }
    if (maybe_increment_hw(p, now)) { /* the ISR may be the leader alone */
        try_complete_delayed(p, 0, now, out);
    }
    if (acks != -1) {
        return true;
    }
    /* tryCompleteElseWatch: done now if the HW already covers it, else it waits. */
    int16_t error = KAFKA_NONE;
    if (check_enough(p, info.last_offset + 1, &error)) {
        result->error = error;
        return true;
    }
    struct replica_delayed d = {.ctx = ctx, .required_offset = info.last_offset + 1,
                                .base_offset = info.first_offset,
                                .log_append_time = info.log_append_time,
                                .deadline = now + timeout};
    add_delayed(p, &d);
    return false;
}

void replica_tick(struct replica_partition *p, time_ns now, struct replica_out *out)
{
    try_complete_delayed(p, 0, now, out);
}

time_ns replica_next_deadline(const struct replica_partition *p)
{
    time_ns next = TIME_NS_MAX;
    for (uint32_t i = 0; i < p->delayed_count; i++) {
        if (p->delayed[i].deadline < next) {
            next = p->delayed[i].deadline;
        }
    }
    if (p->role == REPLICA_FOLLOWER && !p->request_in_flight && p->backoff_until > 0 &&
        p->backoff_until < next) {
        next = p->backoff_until;
    }
    return next;
}

/* ---- the leader answers fetches ----------------------------------------------------------- */

/* Partition.checkCurrentLeaderEpoch. */
static int16_t check_epoch(const struct replica_partition *p, int32_t current)
{
    if (current < 0 || current == p->leader_epoch) {
        return KAFKA_NONE;
    }
    return current < p->leader_epoch ? KAFKA_FENCED_LEADER_EPOCH : KAFKA_UNKNOWN_LEADER_EPOCH;
}

int16_t replica_offset_for_epoch(const struct replica_partition *p,
                                 int32_t current_leader_epoch, int32_t epoch,
                                 int32_t *found_epoch, int64_t *end_offset)
{
    *found_epoch = -1;
    *end_offset = -1;
    int16_t error = check_epoch(p, current_leader_epoch);
    if (error != KAFKA_NONE) {
        return error;
    }
    if (p->role != REPLICA_LEADER) {
        return KAFKA_NOT_LEADER_OR_FOLLOWER;
    }
    int64_t end;
    int32_t found;
    if (partition_log_end_offset_for_epoch(p->log, epoch, &end, &found)) {
        *found_epoch = found;
        *end_offset = end;
    }
    return KAFKA_NONE;
}

/* Replica.updateFetchStateOrThrow, then maybeExpandIsr and maybeIncrementLeaderHW. */
static int16_t update_follower(struct replica_partition *p, struct replica_remote *r,
                               const struct replica_fetch_request *req, int64_t leader_end,
                               time_ns now, struct replica_out *out)
{
    if (req->broker_epoch != -1 && r->cached_broker_epoch > req->broker_epoch) {
        return KAFKA_NOT_LEADER_OR_FOLLOWER; /* a stale request from a rebooted broker */
    }
    int64_t prev_end = r->log_end_offset;
    time_ns caught = r->last_caught_up_time;
    if (req->fetch_offset >= leader_end) {
        caught = now > caught ? now : caught;
    } else if (req->fetch_offset >= r->last_fetch_leader_leo) {
        /* It has what the leader had at its previous fetch: caught up as of that fetch, so a
         * follower of a busy leader, always a little behind, still counts as in sync. */
        caught = r->last_fetch_time > caught ? r->last_fetch_time : caught;
    }
    r->log_start_offset = req->log_start_offset;
    r->log_end_offset = req->fetch_offset;
    r->last_fetch_leader_leo =
        leader_end > r->last_fetch_leader_leo ? leader_end : r->last_fetch_leader_leo;
    r->last_fetch_time = now;
    r->last_caught_up_time = caught;
    r->broker_epoch = req->broker_epoch;
    maybe_expand_isr(p, r, out);
    if (prev_end != r->log_end_offset && maybe_increment_hw(p, now)) {
        try_complete_delayed(p, 0, now, out);
    }
    return KAFKA_NONE;
}

/* readRecords' LastFetchedEpoch check: true when it answered (an error or DivergingEpoch). */
static bool check_diverging(const struct replica_partition *p,
                            const struct replica_fetch_request *req,
                            struct replica_fetch_response *resp)
{
    if (req->last_fetched_epoch < 0) {
        return false;
    }
    int64_t end;
    int32_t epoch;
    if (!partition_log_end_offset_for_epoch(p->log, req->last_fetched_epoch, &end, &epoch) ||
        req->fetch_offset < partition_log_start_offset(p->log)) {
        resp->error = KAFKA_OFFSET_OUT_OF_RANGE;
        return true;
    }
    if (epoch < req->last_fetched_epoch || end < req->fetch_offset) {
        resp->diverging_epoch = epoch;
        resp->diverging_end_offset = end;
        return true;
    }
    return false;
}

static int16_t fetch_precheck(struct replica_partition *p,
                              const struct replica_fetch_request *req,
                              struct replica_remote **remote)
{
    *remote = NULL;
    int16_t error = check_epoch(p, req->current_leader_epoch);
    if (error != KAFKA_NONE) {
        return error;
    }
    if (p->role != REPLICA_LEADER) {
        return KAFKA_NOT_LEADER_OR_FOLLOWER;
    }
    if (req->replica_id >= 0) {
        *remote = remote_of(p, req->replica_id);
        if (*remote == NULL) {
            /* Not (yet) an assigned replica: with an epoch it is the pair (replica, epoch)
             * that is unknown, so the follower retries. */
            return req->current_leader_epoch >= 0 ? KAFKA_UNKNOWN_LEADER_EPOCH
                                                  : KAFKA_NOT_LEADER_OR_FOLLOWER;
        }
    }
    return KAFKA_NONE;
}

/* The planted consumer-fetch bug: drops the first whole batch when more follow it (a batch is
 * BaseOffset int64, BatchLength int32, then BatchLength bytes). */
static void skip_first_batch(uint8_t **buf, int64_t *n)
{
    if (*buf == NULL || *n < 12) {
        return;
    }
    struct wire_reader r;
    wire_reader_init(&r, *buf, (size_t)*n);
    (void)wire_read_int64(&r);
    int64_t first = 12 + (int64_t)wire_read_int32(&r);
    if (first > 12 && first < *n) {
        memmove(*buf, *buf + first, (size_t)(*n - first));
        *n -= first;
    }
}

void replica_fetch(struct replica_partition *p, const struct replica_fetch_request *req,
                   time_ns now, struct replica_out *out, struct replica_fetch_response *resp)
{
    *resp = (struct replica_fetch_response){.error = KAFKA_NONE, .high_watermark = -1,
                                            .last_stable_offset = -1, .log_start_offset = -1,
                                            .diverging_epoch = -1, .diverging_end_offset = -1};
    struct replica_remote *remote;
    resp->error = fetch_precheck(p, req, &remote);
    if (resp->error != KAFKA_NONE) {
        return;
    }
    /* The offsets before this fetch moves anything: appends after it must not keep a
     * follower out of sync, and the HW it reports is the one from before its own update. */
    int64_t hw0 = hw(p), end0 = leo(p);
    resp->high_watermark = hw0;
    resp->last_stable_offset = hw0; /* no transactions yet: the LSO is the HW */
    resp->log_start_offset = partition_log_start_offset(p->log);
    if (check_diverging(p, req, resp)) {
        return;
    }
    uint8_t *buf = NULL;
    int64_t n = partition_log_read(p->log, req->fetch_offset, req->max_bytes,
                                   remote != NULL ? end0 : hw0, true, &buf);
    if (n < 0) {
        resp->error = n == -PLOG_EOUT_OF_RANGE ? KAFKA_OFFSET_OUT_OF_RANGE
                                               : KAFKA_KAFKA_STORAGE_ERROR;
        return;
    }
    if (p->cfg.planted_consumer_fetch_skips_batch && remote == NULL) {
        skip_first_batch(&buf, &n); /* planted: a consumer never sees the first batch */
    }
    resp->records = buf;
    resp->records_len = (size_t)n;
    if (remote != NULL) {
        int16_t error = update_follower(p, remote, req, end0, now, out);
        if (error != KAFKA_NONE) {
            replica_fetch_response_free(resp);
            resp->error = error;
        }
    }
}

/* ---- the follower ------------------------------------------------------------------------- */

static void trace_truncate(const struct replica_partition *p, int64_t from, const char *why)
{
    if (leo(p) == from) {
        return;
    }
    char tp[CHECKPOINT_TOPIC_MAX + 16];
    tp_name(p, tp, sizeof tp);
    env_trace(p->log->env, TRACE_PARTITION, TF_STR("tp", tp), TF_STR("event", "truncate"),
              TF_INT("from", from), TF_INT("to", leo(p)), TF_STR("reason", why),
              TF_INT("leader_epoch", p->leader_epoch));
}

/* isTruncationOnFetchSupported: KIP-320, which presumes KIP-101's epochs. */
static bool truncation_on_fetch(const struct replica_partition *p)
{
    return p->cfg.leader_epoch_truncation && p->cfg.last_fetched_epoch;
}

enum replica_next_kind replica_next_fetch(struct replica_partition *p, time_ns now,
                                          struct replica_next *next)
{
    memset(next, 0, sizeof *next);
    next->kind = REPLICA_SEND_NOTHING;
    if (p->role != REPLICA_FOLLOWER || p->request_in_flight || now < p->backoff_until ||
        p->fetch_state == REPLICA_FETCH_IDLE) {
        return next->kind;
    }
    next->leader_id = p->leader_id;
    next->current_leader_epoch = p->leader_epoch;
    int32_t latest = partition_log_latest_epoch(p->log);
    if (p->fetch_state == REPLICA_FETCH_TRUNCATING) {
        next->kind = REPLICA_SEND_OFFSETS_FOR_LEADER_EPOCH;
        next->epoch = latest;
    } else if (p->fetch_state == REPLICA_FETCH_OFFSETS) {
        next->kind = REPLICA_SEND_LIST_OFFSETS;
    } else {
        next->kind = REPLICA_SEND_FETCH;
        next->fetch = (struct replica_fetch_request){
            .replica_id = p->cfg.broker_id, .broker_epoch = p->broker_epoch,
            .current_leader_epoch = p->leader_epoch, .fetch_offset = p->fetch_offset,
            .last_fetched_epoch = truncation_on_fetch(p) ? latest : -1,
            .log_start_offset = partition_log_start_offset(p->log),
            .max_bytes = (uint32_t)p->cfg.replica_fetch_max_bytes};
    }
    p->request_in_flight = true;
    next->id = ++p->request_id;
    return next->kind;
}

/* True when an answer is the one to the request in flight (a new leader epoch forgets it). */
static bool take_answer(struct replica_partition *p, uint64_t id)
{
    if (p->role != REPLICA_FOLLOWER || !p->request_in_flight || id != p->request_id) {
        return false;
    }
    p->request_in_flight = false;
    return true;
}

static void back_off(struct replica_partition *p, time_ns now)
{
    p->backoff_until = now + p->cfg.replica_fetch_backoff;
}

/* AbstractFetcherThread.getOffsetTruncationState and truncate, for the leader's (epoch, end
 * offset) from OffsetsForLeaderEpoch or a DivergingEpoch. */
static void truncate_by_epoch(struct replica_partition *p, int32_t leader_epoch,
                              int64_t leader_end, const char *why)
{
    int64_t end = leo(p), offset;
    bool completed = true;
    if (leader_end < 0) {
        offset = p->fetch_offset; /* no answer: the initial offset, the HW */
    } else if (leader_epoch < 0) {
        offset = leader_end < end ? leader_end : end;
    } else {
        int64_t mine;
        int32_t my_epoch;
        if (partition_log_end_offset_for_epoch(p->log, leader_epoch, &mine, &my_epoch)) {
            /* An epoch we do not know: cut to the end of our largest epoch below it, and
             * ask again from there. */
            completed = my_epoch == leader_epoch;
            offset = completed && leader_end < mine ? leader_end : mine;
        } else {
            offset = leader_end; /* below every epoch we track */
        }
        offset = offset < end ? offset : end;
    }
    p->fetch_offset = partition_log_truncate_to(p->log, offset);
    trace_truncate(p, end, why);
    p->fetch_state = truncation_on_fetch(p) || completed ? REPLICA_FETCH_FETCHING
                                                            : REPLICA_FETCH_TRUNCATING;
}

/* ReplicaFetcherThread.processPartitionData. */
static void append_fetched(struct replica_partition *p, const struct replica_fetch_response *r,
                           time_ns now)
{
    if (r->records_len > 0) {
        struct partition_log_append_info info;
        int rc = partition_log_append_follower(p->log, r->records, r->records_len, &info);
        if (rc < 0) {
            back_off(p, now); /* a corrupt or misplaced batch: fetch it again later */
            return;
        }
    }
    /* min(leader HW, LEO): it may go down, as maybeUpdateHighWatermark allows. */
    partition_log_set_high_watermark(p->log, r->high_watermark);
    if (r->log_start_offset > partition_log_start_offset(p->log)) {
        partition_log_increment_log_start(p->log, r->log_start_offset);
    }
    p->fetch_offset = leo(p);
}

void replica_on_fetch_response(struct replica_partition *p, uint64_t id,
                               const struct replica_fetch_response *resp, time_ns now)
{
    if (!take_answer(p, id) || p->fetch_state != REPLICA_FETCH_FETCHING) {
        return;
    }
    switch (resp->error) {
    case KAFKA_NONE:
        if (resp->diverging_epoch >= 0 && resp->diverging_end_offset >= 0 &&
            truncation_on_fetch(p)) {
            truncate_by_epoch(p, resp->diverging_epoch, resp->diverging_end_offset,
                              "diverging-epoch");
        } else {
            append_fetched(p, resp, now);
        }
        return;
    case KAFKA_OFFSET_OUT_OF_RANGE:
        p->fetch_state = REPLICA_FETCH_OFFSETS;
        return;
    case KAFKA_FENCED_LEADER_EPOCH:
        p->fetch_state = REPLICA_FETCH_IDLE; /* our epoch is old: await new metadata */
        return;
    default:
        back_off(p, now);
        return;
    }
}

void replica_on_offset_for_epoch(struct replica_partition *p, uint64_t id, int16_t error,
                                 int32_t epoch, int64_t end_offset, time_ns now)
{
    if (!take_answer(p, id) || p->fetch_state != REPLICA_FETCH_TRUNCATING) {
        return;
    }
    if (error == KAFKA_NONE) {
        truncate_by_epoch(p, epoch, end_offset, "offsets-for-leader-epoch");
    } else if (error == KAFKA_FENCED_LEADER_EPOCH) {
        p->fetch_state = REPLICA_FETCH_IDLE;
    } else {
        back_off(p, now);
    }
}

void replica_on_leader_offsets(struct replica_partition *p, uint64_t id, int16_t error,
                               int64_t leader_start, int64_t leader_end, time_ns now)
{
    if (!take_answer(p, id) || p->fetch_state != REPLICA_FETCH_OFFSETS) {
        return;
    }
    if (error != KAFKA_NONE) {
        back_off(p, now);
        return;
    }
    /* fetchOffsetAndTruncate: a leader that ends below us (an unclean election) cuts us to
     * its end; one whose log starts past our end (we were away while retention ran) makes us
     * start over at its start; otherwise fetch on from our end. */
    int64_t end = leo(p);
    if (leader_end < end) {
        p->fetch_offset = partition_log_truncate_to(p->log, leader_end);
        trace_truncate(p, end, "leader-end-offset");
    } else if (leader_start > end) {
        partition_log_truncate_fully(p->log, leader_start);
        p->fetch_offset = leader_start;
        trace_truncate(p, end, "leader-start-offset");
    } else {
        p->fetch_offset = end;
    }
    p->fetch_state = REPLICA_FETCH_FETCHING;
}

/* ---- invariants --------------------------------------------------------------------------- */

static bool leader_check(const struct replica_partition *p)
{
    int32_t isr[REPLICA_MAX];
    int count = replica_maximal_isr(p, isr);
    if (!replica_in_isr(p, p->cfg.broker_id) || !contains(isr, count, p->cfg.broker_id)) {
        return false;
    }
    for (int i = 0; i < count; i++) {
        if (!contains(p->replicas, p->replica_count, isr[i])) {
            return false;
        }
    }
    if (p->alter_in_flight && (p->alter.leader_epoch != p->leader_epoch ||
                               p->alter.partition_epoch > p->partition_epoch)) {
        return false;
    }
    return hw(p) >= p->hw_floor && p->leader_id == p->cfg.broker_id &&
           p->epoch_start_offset >= 0 && p->fetch_state == REPLICA_FETCH_IDLE;
}

bool replica_check(const struct replica_partition *p)
{
    if (hw(p) > leo(p) || !partition_log_check(p->log)) {
        return false;
    }
    switch (p->role) {
    case REPLICA_LEADER:
        return leader_check(p);
    case REPLICA_FOLLOWER:
        return p->isr_count == 0 && p->remote_count == 0 && p->delayed_count == 0 &&
               !p->alter_in_flight && p->leader_id != p->cfg.broker_id;
    default:
        return p->delayed_count == 0;
    }
}
