/* quorum.c — KafkaRaftClient's election and replication rules as a pure state machine. */
#include "raft/quorum.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/fetch.h"
#include "protocol/header.h"
#include "protocol/kraft_rpc.h"
#include "protocol/record_batch.h"

/* Fetch as KafkaRaftClient sends it (KRAFT.md 2): 500 ms long poll, 8 MiB. */
#define FETCH_MAX_WAIT_MS 500
#define FETCH_MAX_BYTES (8 * 1024 * 1024)
/* LeaderState.OBSERVER_SESSION_TIMEOUT_MS: an observer that has not fetched for this long is
 * dropped from DescribeQuorum (clearInactiveObservers; 300 s in every release read, 3.1-T). */
#define OBSERVER_SESSION_TIMEOUT (300000 * NS_PER_MS)
/* Uuid(0, 1): the metadata topic's fixed id. */
static const struct kuuid metadata_topic_id = {0, 1};

struct quorum_parked {
    uint64_t reply_ctx;
    int16_t api_version;
    int32_t replica_id;
    int64_t fetch_offset;
    int64_t request_high_watermark;
    time_ns deadline;
};

/* ---- small helpers ------------------------------------------------------------------------ */

static uint64_t rng_next64(struct quorum_rng *r)
{
    uint64_t z = (r->state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform in [0, bound); bound > 0. The modulo bias is below 2^-40 for our bounds. */
static uint64_t rand_below(struct quorum *q, uint64_t bound)
{
    KS_ASSERT(bound > 0);
    return rng_next64(&q->rng) % bound;
}

const char *quorum_role_name(enum quorum_role role)
{
    static const char *const names[] = {"Unattached", "Prospective", "Candidate",
                                        "Leader",     "Follower",    "Resigned"};
    KS_ASSERT(role <= QUORUM_RESIGNED);
    return names[role];
}

void quorum_out_init(struct quorum_out *out) { memset(out, 0, sizeof *out); }

void quorum_out_reset(struct quorum_out *out)
{
    for (uint32_t i = 0; i < out->msg_count; i++) {
        wire_writer_free(&out->msgs[i].body);
    }
    out->msg_count = 0;
    out->trace_count = 0;
    out->persist = false;
}

void quorum_out_free(struct quorum_out *out)
{
    quorum_out_reset(out);
    free(out->msgs);
    free(out->traces);
    memset(out, 0, sizeof *out);
}

static void trace(struct quorum_out *out, enum trace_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

struct quorum_trace *quorum_out_trace(struct quorum_out *out, enum trace_kind kind)
{
    if (out->trace_count == out->trace_capacity) {
        out->trace_capacity = out->trace_capacity ? out->trace_capacity * 2 : 8;
        out->traces = realloc(out->traces, out->trace_capacity * sizeof *out->traces);
        KS_ASSERT(out->traces != NULL);
    }
    struct quorum_trace *t = &out->traces[out->trace_count++];
    t->kind = kind;
    t->field_count = 0;
    t->detail[0] = '\0';
    return t;
}

static void trace_typed(struct quorum_out *out, enum trace_kind kind,
                        const struct trace_field *fields, size_t count)
{
    KS_ASSERT(count > 0 && count <= QUORUM_TRACE_FIELDS);
    struct quorum_trace *t = quorum_out_trace(out, kind);
    memcpy(t->fields, fields, count * sizeof *fields);
    t->field_count = (uint32_t)count;
}

/* tracev(out, kind, TF_INT("epoch", e), ...): the per-step events, typed. */
#define tracev(out, kind, ...)                                                                 \
    trace_typed((out), (kind), (const struct trace_field[]){__VA_ARGS__},                      \
                TRACE_FIELD_COUNT(__VA_ARGS__))

static void trace(struct quorum_out *out, enum trace_kind kind, const char *fmt, ...)
{
    struct quorum_trace *t = quorum_out_trace(out, kind);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->detail, sizeof t->detail, fmt, ap);
    va_end(ap);
}

struct quorum_msg *quorum_out_msg(struct quorum_out *out, int16_t api_key, int16_t version)
{
    if (out->msg_count == out->msg_capacity) {
        out->msg_capacity = out->msg_capacity ? out->msg_capacity * 2 : 8;
        out->msgs = realloc(out->msgs, out->msg_capacity * sizeof *out->msgs);
        KS_ASSERT(out->msgs != NULL);
    }
    struct quorum_msg *m = &out->msgs[out->msg_count++];
    memset(m, 0, sizeof *m);
    m->api_key = api_key;
    m->api_version = version;
    wire_writer_init(&m->body);
    return m;
}

static int voter_index(const struct quorum *q, int32_t id)
{
    for (int i = 0; i < q->cfg.voter_count; i++) {
        if (q->cfg.voter_ids[i] == id) {
            return i;
        }
    }
    return -1;
}

static int majority(const struct quorum *q) { return q->cfg.voter_count / 2 + 1; }

static int popcount(uint32_t v) { return __builtin_popcount(v); }

static bool is_self(const struct quorum *q, int32_t id) { return id == q->cfg.node_id; }

static struct quorum_peer *peer_of(struct quorum *q, int32_t id)
{
    int i = voter_index(q, id);
    if (i >= 0) {
        return &q->peers[i];
    }
    /* Non-voters (a bootstrap target for an observer) share the last slot. */
    struct quorum_peer *p = &q->peers[QUORUM_VOTER_MAX];
    if (p->node_id != id) {
        memset(p, 0, sizeof *p);
        p->node_id = id;
    }
    return p;
}

static bool peer_ready(const struct quorum *q, const struct quorum_peer *p)
{
    return !p->in_flight && p->backoff_until <= q->now;
}

static time_ns randomized_election_timeout(struct quorum *q)
{
    time_ns t = q->cfg.election_timeout;
    return t > 0 ? t + (time_ns)rand_below(q, (uint64_t)t) : 0;
}

static void reset_requests(struct quorum *q)
{
    for (int i = 0; i <= QUORUM_VOTER_MAX; i++) {
        q->peers[i].in_flight = false;
        q->peers[i].timed_out = false;
    }
}

/* RequestManager.hasAnyInflightRequest: a request to anyone still awaits its answer. */
static bool any_in_flight(const struct quorum *q)
{
    for (int i = 0; i <= QUORUM_VOTER_MAX; i++) {
        if (q->peers[i].in_flight) {
            return true;
        }
    }
    return false;
}

/* The follower's fetch timer: voters always have one; observers up to 4.1
 * (FollowerState.resetFetchTimeout; KafkaRaftClient.pollFollowerAsObserver). */
static void reset_fetch_timer(struct quorum *q)
{
    bool timed = q->voter || q->cfg.observer_fetch_timeout;
    q->fetch_deadline = timed ? q->now + q->cfg.fetch_timeout : TIME_NS_MAX;
    q->observer_fetch_expired = false;
}

/* ---- transitions (QuorumState.transitionTo*) ---------------------------------------------- */

static void persist(struct quorum *q, struct quorum_out *out)
{
    out->persist = true;
    out->election = q->election;
}

/* The state's name as the release calls it: until 3.8 Kafka had a separate VotedState for an
 * Unattached voter that has voted (3.9 folded it into Unattached with a voted key). */
static const char *state_name(const struct quorum *q)
{
    if (q->cfg.voted_state && q->role == QUORUM_UNATTACHED && q->election.voted_id >= 0) {
        return "Voted";
    }
    return quorum_role_name(q->role);
}

static void trace_state(struct quorum *q, struct quorum_out *out)
{
    tracev(out, TRACE_RAFT_STATE, TF_STR("role", state_name(q)),
           TF_INT("epoch", q->election.epoch), TF_INT("leader", q->election.leader_id),
           TF_INT("voted", q->election.voted_id), TF_INT("leo", raft_log_end_offset(q->log)),
           TF_INT("hw", q->high_watermark));
}

static void clear_role_state(struct quorum *q)
{
    q->granted = 0;
    q->rejected = 0;
    q->election_lost = false;
    q->end_acked = 0;
    q->fetch_deadline = TIME_NS_MAX;
    q->check_quorum_deadline = TIME_NS_MAX;
    q->begin_quorum_deadline = TIME_NS_MAX;
    q->backoff_deadline = TIME_NS_MAX;
    q->linger_deadline = TIME_NS_MAX;
    q->observer_fetch_expired = false;
    q->pending_count = 0;
    q->pending_len = 0;
    if (q->snapshot_fetching) {
        /* A download dies with the follower state that started it (FollowerState). */
        raft_log_snapshot_abort(q->log);
        q->snapshot_fetching = false;
    }
    reset_requests(q);
}

static void respond_parked_all(struct quorum *q, struct quorum_out *out);

/* Called once the node has its new role and election: long polls parked while it led are
 * answered NOT_LEADER_OR_FOLLOWER with the leader it now knows, if any
 * (KafkaRaftClient.transitionTo*: fetchPurgatory.completeAllExceptionally). */
static void leave_leadership(struct quorum *q, struct quorum_out *out)
{
    KS_ASSERT(q->role != QUORUM_LEADER);
    respond_parked_all(q, out);
}

static void become_unattached(struct quorum *q, int32_t epoch, int32_t voted,
                              struct quorum_out *out)
{
    KS_ASSERT(epoch >= q->election.epoch);
    enum quorum_role was = q->role;
    clear_role_state(q);
    q->role = QUORUM_UNATTACHED;
    q->election = (struct quorum_election){.epoch = epoch, .leader_id = -1, .voted_id = voted};
    leave_leadership(q, out);
    /* Entering Unattached from a role with an election timer keeps the time that remains,
     * even into a new epoch (QuorumState.transitionToUnattached): otherwise a stale candidate
     * that keeps bumping the epoch would reset everyone's timer forever. */
    bool keep = q->election_deadline != TIME_NS_MAX &&
                (was == QUORUM_CANDIDATE || was == QUORUM_UNATTACHED ||
                 was == QUORUM_PROSPECTIVE || was == QUORUM_RESIGNED);
    if (!q->voter) {
        q->election_deadline = TIME_NS_MAX;
    } else if (!keep) {
        q->election_deadline = q->now + randomized_election_timeout(q);
    }
    persist(q, out);
    trace_state(q, out);
}

static void become_follower(struct quorum *q, int32_t epoch, int32_t leader,
                            struct quorum_out *out)
{
    KS_ASSERT(epoch >= q->election.epoch);
    KS_ASSERT(leader >= 0 && !is_self(q, leader));
    int32_t voted = epoch == q->election.epoch ? q->election.voted_id : -1;
    clear_role_state(q);
    q->role = QUORUM_FOLLOWER;
    q->election = (struct quorum_election){.epoch = epoch, .leader_id = leader, .voted_id = voted};
    leave_leadership(q, out);
    q->election_deadline = TIME_NS_MAX;
    reset_fetch_timer(q);
    q->fetched_this_epoch = false;
    persist(q, out);
    trace_state(q, out);
}

static void become_leader(struct quorum *q, struct quorum_out *out);

static bool check_majority(struct quorum *q, struct quorum_out *out);

static void become_candidate(struct quorum *q, struct quorum_out *out)
{
    KS_ASSERT(q->voter);
    /* The retry count restarts with every election that does not follow one of ours:
     * QuorumState.transitionToCandidate, ≤3.9 "isCandidate() ? retries + 1 : 1", 4.0+
     * "isProspective() ? prospective's retries : 1". */
    uint32_t retries = q->role == QUORUM_CANDIDATE     ? q->election_retries + 1
                       : q->role == QUORUM_PROSPECTIVE ? q->election_retries
                                                       : 1;
    clear_role_state(q);
    q->election_retries = retries;
    q->role = QUORUM_CANDIDATE;
    q->election = (struct quorum_election){
        .epoch = q->election.epoch + 1, .leader_id = -1, .voted_id = q->cfg.node_id};
    leave_leadership(q, out);
    q->granted = 1u << voter_index(q, q->cfg.node_id);
    q->election_deadline = q->now + randomized_election_timeout(q);
    persist(q, out);
    trace_state(q, out);
    check_majority(q, out); /* a sole voter wins at once */
}

static void become_prospective(struct quorum *q, struct quorum_out *out)
{
    KS_ASSERT(q->voter);
    enum quorum_role was = q->role;
    int32_t leader = q->election.leader_id;
    /* QuorumState.transitionToProspective (4.0+): "isCandidate() ? retries + 1 : 1". */
    q->election_retries = was == QUORUM_CANDIDATE ? q->election_retries + 1 : 1;
    clear_role_state(q);
    q->role = QUORUM_PROSPECTIVE;
    /* Prospective is memory-only: the epoch, any known leader and the vote stay as they are. */
    q->election.leader_id = leader;
    q->granted = 1u << voter_index(q, q->cfg.node_id);
    q->election_deadline = q->now + randomized_election_timeout(q);
    tracev(out, TRACE_RAFT_STATE, TF_STR("role", "Prospective"),
           TF_INT("epoch", q->election.epoch), TF_STR("from", quorum_role_name(was)),
           TF_INT("leader", leader));
    check_majority(q, out);
}

/* A pre-vote round ended without a majority: back to where the node came from, same epoch. */
static void prospective_fall_back(struct quorum *q, struct quorum_out *out)
{
    KS_ASSERT(q->role == QUORUM_PROSPECTIVE);
    if (q->election.leader_id >= 0 && !is_self(q, q->election.leader_id)) {
        become_follower(q, q->election.epoch, q->election.leader_id, out);
    } else {
        become_unattached(q, q->election.epoch, q->election.voted_id, out);
    }
}

/* The election timer ran out (or a lost election's backoff ended): start the next election. */
static void start_election(struct quorum *q, struct quorum_out *out)
{
    if (q->cfg.pre_vote) {
        become_prospective(q, out);
    } else {
        become_candidate(q, out);
    }
}

static void become_resigned(struct quorum *q, struct quorum_out *out, const char *why)
{
    KS_ASSERT(q->role == QUORUM_LEADER);
    clear_role_state(q);
    q->role = QUORUM_RESIGNED;
    leave_leadership(q, out);
    q->end_acked = 1u << voter_index(q, q->cfg.node_id);
    q->election_deadline = q->now + randomized_election_timeout(q);
    trace(out, TRACE_RAFT_RESIGN, "epoch=%d reason=%s", q->election.epoch, why);
    trace_state(q, out);
}

/* ---- leader ------------------------------------------------------------------------------- */

static void append_leader_change(struct quorum *q, struct quorum_out *out)
{
    struct record_batch_voter voters[QUORUM_VOTER_MAX];
    struct record_batch_voter granting[QUORUM_VOTER_MAX];
    int granting_count = 0;
    for (int i = 0; i < q->cfg.voter_count; i++) {
        voters[i] = (struct record_batch_voter){.voter_id = q->cfg.voter_ids[i]};
        if (q->granted & (1u << i)) {
            granting[granting_count++] = voters[i];
        }
    }
    struct record_batch_leader_change lc = {
        .version = 0, .leader_id = q->cfg.node_id, .voter_count = q->cfg.voter_count,
        .voters = voters, .granting_voter_count = granting_count, .granting_voters = granting};
    struct wire_writer key, value;
    wire_writer_init(&key);
    wire_writer_init(&value);
    record_batch_control_key_encode(&key, RECORD_BATCH_CONTROL_LEADER_CHANGE);
    record_batch_leader_change_encode(&value, &lc, 0);
    struct record_batch_record rec = {
        .key = {key.bytes, (int32_t)key.len}, .value = {value.bytes, (int32_t)value.len}};
    int64_t at = raft_log_append_leader(q->log, q->election.epoch, q->now / NS_PER_MS, true,
                                        &rec, 1);
    wire_writer_free(&key);
    wire_writer_free(&value);
    if (at < 0) {
        trace(out, TRACE_RAFT_ERROR, "append-leader-change err=%" PRId64 " %s", at,
              q->log->last_error);
        return;
    }
    tracev(out, TRACE_RAFT_APPEND, TF_INT("epoch", q->election.epoch), TF_INT("offset", at),
           TF_INT("records", 1), TF_STR("control", "leader-change"));
    raft_log_flush(q->log);
}

static void become_leader(struct quorum *q, struct quorum_out *out)
{
    KS_ASSERT(q->role == QUORUM_CANDIDATE);
    uint32_t granted = q->granted;
    clear_role_state(q);
    q->granted = granted; /* kept only for the LeaderChangeMessage below */
    q->role = QUORUM_LEADER;
    q->election_retries = 0;
    q->elections_won++;
    q->election = (struct quorum_election){
        .epoch = q->election.epoch, .leader_id = q->cfg.node_id, .voted_id = -1};
    q->election_deadline = TIME_NS_MAX;
    q->epoch_start_offset = raft_log_end_offset(q->log);
    q->high_watermark = -1; /* a new leader starts without one (LeaderState) */
    for (int i = 0; i < q->cfg.voter_count; i++) {
        q->voters[i] = (struct quorum_replica){
            .node_id = q->cfg.voter_ids[i], .end_offset = -1, .last_fetch = -1,
            .last_caught_up = -1, .previous_fetch = -1, .previous_leader_end = -1};
    }
    q->observer_count = 0;
    /* 3.9+ (KAFKA-16536) a timer, first due at once; ≤3.8 no timer: poll_requests sends to
     * the voters that have not acknowledged, as pollLeader did on every poll. */
    q->begin_quorum_deadline =
        q->cfg.begin_quorum_resend == QUORUM_BEGIN_UNACKNOWLEDGED ? TIME_NS_MAX : q->now;
    q->check_quorum_deadline = q->now + q->cfg.fetch_timeout * 3 / 2;
    persist(q, out);
    trace(out, TRACE_RAFT_BECAME_LEADER, "epoch=%d votes=%d/%d epoch_start_offset=%" PRId64,
          q->election.epoch, popcount(granted), q->cfg.voter_count, q->epoch_start_offset);
    trace_state(q, out);
    append_leader_change(q, out);
    q->granted = 0;
}

static struct quorum_replica *self_replica(struct quorum *q)
{
    return &q->voters[voter_index(q, q->cfg.node_id)];
}

static int compare_end_desc(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x > y ? -1 : x < y ? 1 : 0;
}

/* LeaderState.maybeUpdateHighWatermark: the offset a majority of voters hold (the leader's own
 * counted as flushed), once an offset of this epoch is among them; never downward. */
static void update_high_watermark(struct quorum *q, struct quorum_out *out)
{
    KS_ASSERT(q->role == QUORUM_LEADER);
    self_replica(q)->end_offset = raft_log_flushed_offset(q->log);
    int64_t ends[QUORUM_VOTER_MAX];
    for (int i = 0; i < q->cfg.voter_count; i++) {
        ends[i] = q->voters[i].end_offset;
    }
    qsort(ends, (size_t)q->cfg.voter_count, sizeof ends[0], compare_end_desc);
    int64_t candidate = ends[q->cfg.voter_count / 2];
    if (q->cfg.planted_high_watermark_on_minority) {
        candidate = ends[0]; /* the planted bug: commit what one voter holds */
    }
    if (candidate <= q->epoch_start_offset || candidate <= q->high_watermark) {
        return;
    }
    tracev(out, TRACE_RAFT_HIGH_WATERMARK, TF_INT("epoch", q->election.epoch),
           TF_INT("from", q->high_watermark), TF_INT("to", candidate));
    q->high_watermark = candidate;
    if (q->cfg.fetch_high_watermark) {
        /* KAFKA-14145 (KIP-1166, 4.1+): onUpdateLeaderHighWatermark completes every parked
         * Fetch (fetchPurgatory.completeAll). Through 4.0 nothing here releases them: only an
         * append does (updateLeaderEndOffsetAndTimestamp -> fetchPurgatory.maybeComplete). */
        respond_parked_all(q, out);
    }
}

static void update_replica(struct quorum *q, int32_t replica_id, int64_t fetch_offset)
{
    struct quorum_replica *r = NULL;
    int i = voter_index(q, replica_id);
    if (i >= 0) {
        r = &q->voters[i];
    } else {
        for (int k = 0; k < q->observer_count && r == NULL; k++) {
            r = q->observers[k].node_id == replica_id ? &q->observers[k] : NULL;
        }
        if (r == NULL && q->observer_count < QUORUM_OBSERVER_MAX) {
            r = &q->observers[q->observer_count++];
            *r = (struct quorum_replica){.node_id = replica_id, .end_offset = -1,
                                         .last_fetch = -1, .last_caught_up = -1,
                                         .previous_fetch = -1, .previous_leader_end = -1};
        }
        if (r == NULL) {
            return;
        }
    }
    int64_t leader_end = raft_log_end_offset(q->log);
    /* lastCaughtUpTimestamp (ReplicaState.updateFetchState, KRAFT.md 9). */
    if (fetch_offset >= leader_end) {
        r->last_caught_up = q->now;
    } else if (r->previous_leader_end >= 0 && fetch_offset >= r->previous_leader_end) {
        r->last_caught_up = r->previous_fetch;
    }
    r->previous_fetch = q->now;
    r->previous_leader_end = leader_end;
    r->last_fetch = q->now;
    r->end_offset = fetch_offset;
    r->acknowledged = true;
}

/* Check quorum (3.7+): the leader resigns if, within 1.5 fetch timeouts, fewer than a
 * majority (itself included) fetched. Returns the time it will next have to look again. */
static time_ns check_quorum_expiry(struct quorum *q)
{
    int others_needed = majority(q) - 1;
    if (others_needed == 0) {
        return TIME_NS_MAX; /* a 1-voter quorum never expires */
    }
    time_ns times[QUORUM_VOTER_MAX];
    int n = 0;
    for (int i = 0; i < q->cfg.voter_count; i++) {
        if (!is_self(q, q->voters[i].node_id)) {
            times[n++] = q->voters[i].last_fetch;
        }
    }
    qsort(times, (size_t)n, sizeof times[0], compare_end_desc);
    time_ns anchor = times[others_needed - 1];
    time_ns since = q->check_quorum_deadline - q->cfg.fetch_timeout * 3 / 2;
    if (anchor < since) {
        anchor = since; /* nobody fetched yet this term: count from the election */
    }
    return anchor + q->cfg.fetch_timeout * 3 / 2;
}

static void append_pending(struct quorum *q, struct quorum_out *out)
{
    KS_ASSERT(q->role == QUORUM_LEADER);
    if (q->pending_count == 0) {
        q->linger_deadline = TIME_NS_MAX;
        return;
    }
    struct record_batch_record *recs = calloc(q->pending_count, sizeof *recs);
    KS_ASSERT(recs != NULL);
    uint32_t at = 0;
    for (uint32_t i = 0; i < q->pending_count; i++) {
        uint32_t len;
        memcpy(&len, q->pending + at, sizeof len);
        at += sizeof len;
        recs[i].key = WIRE_BYTES_NULL;
        recs[i].value = (struct wire_bytes){q->pending + at, (int32_t)len};
        at += len;
    }
    int64_t base = raft_log_append_leader(q->log, q->election.epoch, q->now / NS_PER_MS, false,
                                          recs, (int32_t)q->pending_count);
    free(recs);
    if (base < 0) {
        trace(out, TRACE_RAFT_ERROR, "append err=%" PRId64 " %s", base, q->log->last_error);
    } else {
        tracev(out, TRACE_RAFT_APPEND, TF_INT("epoch", q->election.epoch),
               TF_INT("offset", base), TF_UINT("records", q->pending_count));
        raft_log_flush(q->log);
    }
    q->pending_count = 0;
    q->pending_len = 0;
    q->linger_deadline = TIME_NS_MAX;
}

int64_t quorum_append(struct quorum *q, time_ns now, const uint8_t *value, uint32_t len)
{
    if (q->role != QUORUM_LEADER) {
        return -1;
    }
    KS_ASSERT(now >= q->now);
    q->now = now;
    uint32_t need = q->pending_len + (uint32_t)sizeof len + len;
    if (need > q->pending_capacity) {
        q->pending_capacity = need * 2;
        q->pending = realloc(q->pending, q->pending_capacity);
        KS_ASSERT(q->pending != NULL);
    }
    memcpy(q->pending + q->pending_len, &len, sizeof len);
    memcpy(q->pending + q->pending_len + sizeof len, value, len);
    q->pending_len = need;
    if (q->pending_count++ == 0) {
        q->linger_deadline = q->now + q->cfg.append_linger;
    }
    /* The pending records go out as one batch at the end of the linger, in this order. */
    return raft_log_end_offset(q->log) + q->pending_count - 1;
}

/* ---- building requests -------------------------------------------------------------------- */

static struct quorum_msg *request_new(struct quorum *q, struct quorum_out *out, int32_t to,
                                      int16_t api_key, int16_t version)
{
    struct quorum_peer *p = peer_of(q, to);
    p->in_flight = true;
    p->timed_out = false;
    p->api_key = api_key;
    p->deadline = q->now + q->cfg.request_timeout;
    struct quorum_msg *m = quorum_out_msg(out, api_key, version);
    m->to_node = to;
    return m;
}

static void send_vote(struct quorum *q, struct quorum_out *out, int32_t to, bool pre_vote)
{
    int16_t v = q->cfg.vote_version;
    struct vote_request_partition part = {
        .partition_index = 0, .replica_epoch = q->election.epoch, .replica_id = q->cfg.node_id,
        .last_offset_epoch = raft_log_last_epoch(q->log),
        .last_offset = raft_log_end_offset(q->log), .pre_vote = pre_vote};
    struct vote_request_topic topic = {
        .topic_name = QUORUM_TOPIC, .partition_count = 1, .partitions = &part};
    struct vote_request req;
    vote_request_init(&req);
    req.cluster_id = q->cfg.cluster_id;
    req.voter_id = to;
    req.topic_count = 1;
    req.topics = &topic;
    struct quorum_msg *m = request_new(q, out, to, KAFKA_API_VOTE, v);
    vote_request_encode(&m->body, &req, v);
}

static void send_begin_quorum_epoch(struct quorum *q, struct quorum_out *out, int32_t to)
{
    int16_t v = q->cfg.begin_quorum_epoch_version;
    struct begin_quorum_epoch_request_partition part = {
        .partition_index = 0, .leader_id = q->cfg.node_id, .leader_epoch = q->election.epoch};
    struct begin_quorum_epoch_request_topic topic = {
        .topic_name = QUORUM_TOPIC, .partition_count = 1, .partitions = &part};
    struct begin_quorum_epoch_request req;
    begin_quorum_epoch_request_init(&req);
    req.cluster_id = q->cfg.cluster_id;
    req.voter_id = to;
    req.topic_count = 1;
    req.topics = &topic;
    struct quorum_msg *m = request_new(q, out, to, KAFKA_API_BEGIN_QUORUM_EPOCH, v);
    begin_quorum_epoch_request_encode(&m->body, &req, v);
}

/* EndQuorumEpoch names the other voters by descending fetch offset: the most caught up first,
 * so it times out soonest and is likeliest to win (LeaderState.nonLeaderVotersByDescending...). */
static int order_successors(const struct quorum *q, int32_t *ids)
{
    int n = 0;
    for (int i = 0; i < q->cfg.voter_count; i++) {
        if (!is_self(q, q->cfg.voter_ids[i])) {
            ids[n++] = q->cfg.voter_ids[i];
        }
    }
    /* Insertion sort by the end offset this node last saw; stable on ties (voter order). */
    for (int i = 1; i < n; i++) {
        int32_t id = ids[i];
        int64_t end = q->voters[voter_index(q, id)].end_offset;
        int j = i - 1;
        while (j >= 0 && q->voters[voter_index(q, ids[j])].end_offset < end) {
            ids[j + 1] = ids[j];
            j--;
        }
        ids[j + 1] = id;
    }
    return n;
}

static void send_end_quorum_epoch(struct quorum *q, struct quorum_out *out, int32_t to)
{
    int16_t v = q->cfg.end_quorum_epoch_version;
    int32_t ids[QUORUM_VOTER_MAX];
    struct end_quorum_epoch_candidate cands[QUORUM_VOTER_MAX];
    int n = order_successors(q, ids);
    for (int i = 0; i < n; i++) {
        cands[i] = (struct end_quorum_epoch_candidate){.candidate_id = ids[i]};
    }
    struct end_quorum_epoch_request_partition part = {
        .partition_index = 0, .leader_id = q->cfg.node_id, .leader_epoch = q->election.epoch,
        .preferred_successor_count = n, .preferred_successors = ids,
        .preferred_candidate_count = n, .preferred_candidates = cands};
    struct end_quorum_epoch_request_topic topic = {
        .topic_name = QUORUM_TOPIC, .partition_count = 1, .partitions = &part};
    struct end_quorum_epoch_request req;
    end_quorum_epoch_request_init(&req);
    req.cluster_id = q->cfg.cluster_id;
    req.topic_count = 1;
    req.topics = &topic;
    struct quorum_msg *m = request_new(q, out, to, KAFKA_API_END_QUORUM_EPOCH, v);
    end_quorum_epoch_request_encode(&m->body, &req, v);
}

static void send_fetch(struct quorum *q, struct quorum_out *out, int32_t to)
{
    int16_t v = q->cfg.fetch_version;
    struct fetch_request_partition part;
    fetch_request_partition_init(&part);
    part.partition = 0;
    part.current_leader_epoch = q->election.epoch;
    part.fetch_offset = raft_log_end_offset(q->log);
    part.last_fetched_epoch = raft_log_last_epoch(q->log);
    part.log_start_offset = raft_log_start_offset(q->log);
    part.partition_max_bytes = FETCH_MAX_BYTES;
    if (v >= 18 && q->cfg.fetch_high_watermark) {
        part.high_watermark = q->high_watermark < 0 ? -1 : q->high_watermark;
    }
    struct fetch_request_topic topic = {
        .topic = QUORUM_TOPIC, .topic_id = metadata_topic_id, .partition_count = 1,
        .partitions = &part};
    struct fetch_request req;
    fetch_request_init(&req);
    req.cluster_id = q->cfg.cluster_id;
    req.replica_id = q->cfg.node_id;
    req.max_wait_ms = FETCH_MAX_WAIT_MS;
    req.max_bytes = FETCH_MAX_BYTES;
    req.topic_count = 1;
    req.topics = &topic;
    struct quorum_msg *m = request_new(q, out, to, KAFKA_API_FETCH, v);
    fetch_request_encode(&m->body, &req, v);
}

static void send_fetch_snapshot(struct quorum *q, struct quorum_out *out, int32_t to)
{
    int16_t v = q->cfg.fetch_snapshot_version;
    struct fetch_snapshot_request_partition part = {
        .partition = 0, .current_leader_epoch = q->election.epoch,
        .snapshot_id = {q->snapshot_fetch_id.end_offset, q->snapshot_fetch_id.epoch},
        .position = raft_log_snapshot_partial_size(q->log)};
    struct fetch_snapshot_request_topic topic = {
        .name = QUORUM_TOPIC, .partition_count = 1, .partitions = &part};
    struct fetch_snapshot_request req;
    fetch_snapshot_request_init(&req);
    req.cluster_id = q->cfg.cluster_id;
    req.replica_id = q->cfg.node_id;
    /* KafkaRaftClient.buildFetchSnapshotRequest: MAX_FETCH_SIZE_BYTES (8 MiB) before 4.3,
     * quorumConfig.fetchSnapshotMaxBytes() from 4.3 (the release defaults carry both). */
    req.max_bytes = q->cfg.fetch_snapshot_max_bytes;
    req.topic_count = 1;
    req.topics = &topic;
    struct quorum_msg *m = request_new(q, out, to, KAFKA_API_FETCH_SNAPSHOT, v);
    fetch_snapshot_request_encode(&m->body, &req, v);
}

/*
 * A Fetch to a random voter, to learn who leads: none while any request is in flight; else,
 * from a random start, the first voter neither awaiting an answer nor backing off
 * (RequestManager.findReadyBootstrapServer, 3.9+; findReadyVoter before, which differs only
 * in taking the last ready voter of the rotation). With static controller.quorum.voters the
 * bootstrap servers are all the voters, this node too if it is one (KafkaRaftClient's
 * "Starting request manager with static voters").
 */
static void fetch_any_voter(struct quorum *q, struct quorum_out *out)
{
    KS_ASSERT(q->role == QUORUM_FOLLOWER || (q->role == QUORUM_UNATTACHED && !q->voter));
    KS_ASSERT(q->cfg.voter_count > 0);
    if (any_in_flight(q)) {
        return;
    }
    int n = q->cfg.voter_count;
    int start = (int)rand_below(q, (uint64_t)n);
    for (int k = 0; k < n; k++) {
        int i = (start + k) % n;
        if (peer_ready(q, &q->peers[i])) {
            send_fetch(q, out, q->cfg.voter_ids[i]);
            return;
        }
    }
}

/* Whether this follower looks elsewhere when its leader does not answer: observers always,
 * voters from 3.9 (pollFollowerAsVoter -> maybeSendFetchToBestNode). */
static bool fetches_best_node(const struct quorum *q)
{
    if (q->cfg.planted_observer_fetches_leader_only) {
        return q->voter && q->cfg.follower_best_node; /* the planted bug: observers never */
    }
    return !q->voter || q->cfg.follower_best_node;
}

/*
 * Where the follower's next request goes (KafkaRaftClient.maybeSendFetchToBestNode): while its
 * request to the leader has timed out or is backing off, a Fetch to a random voter; else, with
 * nothing in flight, to the leader. Before 3.9 a voter skips the first part: it fetches from
 * its leader until its fetch timeout makes it stand. Up to 4.1 an observer whose fetch timer
 * ran out asks random voters until a Fetch succeeds (pollFollowerAsObserver:
 * hasFetchTimeoutExpired -> maybeSendAnyVoterFetch / maybeSendFetchToAnyBootstrap).
 * Kafka 3.4-3.8 could, after resetting a timed-out leader, fetch from it while the random
 * voter's Fetch was in flight; kraftsim keeps one fetch in flight in every release.
 */
static bool follower_looks_elsewhere(struct quorum *q, struct quorum_out *out)
{
    KS_ASSERT(q->role == QUORUM_FOLLOWER);
    KS_ASSERT(!q->observer_fetch_expired || (!q->voter && q->cfg.observer_fetch_timeout));
    struct quorum_peer *p = peer_of(q, q->election.leader_id);
    if (q->observer_fetch_expired && !q->cfg.planted_observer_fetches_leader_only) {
        fetch_any_voter(q, out);
        return true;
    }
    if (!fetches_best_node(q)) {
        return false;
    }
    if (p->timed_out) {
        /* RequestManager.reset: a timed-out connection is ready at once, not backing off. */
        p->timed_out = false;
        p->backoff_until = 0;
        fetch_any_voter(q, out);
        return true;
    }
    if (p->backoff_until > q->now) {
        fetch_any_voter(q, out);
        return true;
    }
    return any_in_flight(q);
}

/* A follower pulls: the snapshot while one is being downloaded (and not while it is being
 * frozen), otherwise the log, once every append is flushed. */
static void poll_follower(struct quorum *q, struct quorum_out *out)
{
    if (follower_looks_elsewhere(q, out)) {
        return;
    }
    struct quorum_peer *p = peer_of(q, q->election.leader_id);
    if (!peer_ready(q, p)) {
        return;
    }
    if (q->snapshot_fetching) {
        if (!raft_log_snapshot_pending(q->log)) {
            send_fetch_snapshot(q, out, q->election.leader_id);
        }
        return;
    }
    /* Voters fsync every append before the next Fetch: a fetch offset is a promise. */
    if (raft_log_flushed_offset(q->log) == raft_log_end_offset(q->log)) {
        send_fetch(q, out, q->election.leader_id);
    }
}

/* ≤3.8 KafkaRaftClient.pollLeader: BeginQuorumEpoch to LeaderState.nonAcknowledgingVoters on
 * every poll, one request at a time per voter (RequestManager: not while one is in flight or
 * the connection backs off after a failure). A voter acknowledges by answering it without
 * error or by a valid Fetch (ReplicaState.updateFollowerState), and then hears no more. */
static void send_begin_to_unacknowledged(struct quorum *q, struct quorum_out *out)
{
    KS_ASSERT(q->role == QUORUM_LEADER);
    for (int i = 0; i < q->cfg.voter_count; i++) {
        const struct quorum_replica *r = &q->voters[i];
        if (!is_self(q, r->node_id) && !r->acknowledged && peer_ready(q, &q->peers[i])) {
            send_begin_quorum_epoch(q, out, r->node_id);
        }
    }
}

/* Sends whatever the current role owes (KafkaRaftClient.pollCurrentState). */
static void poll_requests(struct quorum *q, struct quorum_out *out)
{
    switch (q->role) {
    case QUORUM_PROSPECTIVE:
    case QUORUM_CANDIDATE:
        for (int i = 0; i < q->cfg.voter_count; i++) {
            uint32_t bit = 1u << i;
            int32_t id = q->cfg.voter_ids[i];
            if (!((q->granted | q->rejected) & bit) && !q->election_lost &&
                peer_ready(q, &q->peers[i])) {
                send_vote(q, out, id, q->role == QUORUM_PROSPECTIVE);
            }
        }
        break;
    case QUORUM_RESIGNED:
        for (int i = 0; i < q->cfg.voter_count; i++) {
            if (!(q->end_acked & (1u << i)) && peer_ready(q, &q->peers[i])) {
                send_end_quorum_epoch(q, out, q->cfg.voter_ids[i]);
            }
        }
        break;
    case QUORUM_FOLLOWER:
        poll_follower(q, out);
        break;
    case QUORUM_UNATTACHED:
        if (!q->voter) {
            /* A leaderless observer asks a random voter who leads (pollUnattachedAsObserver). */
            fetch_any_voter(q, out);
        }
        break;
    case QUORUM_LEADER:
        if (q->cfg.begin_quorum_resend == QUORUM_BEGIN_UNACKNOWLEDGED) {
            send_begin_to_unacknowledged(q, out);
        }
        break;
    }
}

/* ---- what a message's epoch tells us ------------------------------------------------------ */

/* A message carried (epoch, leader): move to it if it is news (KafkaRaftClient
 * maybeTransition). Returns true if the node transitioned. */
static bool learn_epoch(struct quorum *q, int32_t epoch, int32_t leader, struct quorum_out *out)
{
    bool leader_known = leader >= 0 && !is_self(q, leader);
    if (epoch > q->election.epoch) {
        if (leader_known) {
            become_follower(q, epoch, leader, out);
        } else {
            become_unattached(q, epoch, -1, out);
        }
        return true;
    }
    if (epoch != q->election.epoch || !leader_known || q->election.leader_id == leader) {
        return false;
    }
    if (q->election.leader_id < 0) {
        /* News of this epoch's leader (a Prospective that came from a Follower already knows
         * it and stays: QuorumState.hasLeader). */
        become_follower(q, epoch, leader, out);
        return true;
    }
    /* Two leaders in one epoch: Raft's election safety is broken. Say so loudly and stay put;
     * the checker turns it into a violation. */
    trace(out, TRACE_RAFT_ERROR, "conflicting-leader epoch=%d known=%d other=%d", epoch,
          q->election.leader_id, leader);
    return false;
}

static bool log_up_to_date(const struct quorum *q, int32_t last_epoch, int64_t last_offset)
{
    if (q->cfg.planted_vote_without_log_check) {
        return true; /* the planted bug */
    }
    int32_t mine = raft_log_last_epoch(q->log);
    if (last_epoch != mine) {
        return last_epoch > mine;
    }
    return last_offset >= raft_log_end_offset(q->log);
}

/* ---- requests ----------------------------------------------------------------------------- */

static struct quorum_msg *response_new(struct quorum_out *out, const struct quorum_event *ev)
{
    struct quorum_msg *m = quorum_out_msg(out, ev->api_key, ev->api_version);
    m->response = true;
    m->reply_ctx = ev->reply_ctx;
    m->to_node = ev->from_node;
    return m;
}

/* RaftUtil.hasValidTopicPartition: KRaft RPCs name one topic, __cluster_metadata, and its one
 * partition, 0; anything else is a top-level INVALID_REQUEST. */
static bool valid_topic_partition(int32_t topic_count, const char *topic, int32_t part_count,
                                  int32_t partition)
{
    return topic_count == 1 && part_count == 1 && topic != NULL &&
           strcmp(topic, QUORUM_TOPIC) == 0 && partition == 0;
}

static bool cluster_mismatch(const struct quorum *q, const char *cluster_id)
{
    return cluster_id != NULL && q->cfg.cluster_id != NULL &&
           strcmp(cluster_id, q->cfg.cluster_id) != 0;
}

/* The last test of KafkaRaftClient.validateVoterOnlyRequest up to 3.7, after FENCED_LEADER_EPOCH
 * (request epoch below ours) and INVALID_REQUEST (negative remote id): "Inconsistent voter state
 * could be the result of an active reassignment which has not been propagated to all of the
 * expected voters", so a Vote, BeginQuorumEpoch or EndQuorumEpoch from a node outside our voter
 * set, or reaching us while we are an observer, gets INCONSISTENT_VOTER_SET in the partition and
 * moves nothing, not even the epoch. 3.8 (KIP-853) dropped the test. */
static bool voter_set_inconsistent(const struct quorum *q, int32_t remote_id)
{
    KS_ASSERT(remote_id >= 0);
    if (!q->cfg.voter_set_check) {
        return false;
    }
    return !q->voter || voter_index(q, remote_id) < 0;
}

static bool decide_vote(struct quorum *q, const struct vote_request_partition *p)
{
    bool up_to_date = log_up_to_date(q, p->last_offset_epoch, p->last_offset);
    if (!q->voter) {
        return false;
    }
    switch (q->role) {
    case QUORUM_UNATTACHED:
    case QUORUM_PROSPECTIVE:
        if (p->pre_vote) {
            return up_to_date;
        }
        if (q->election.voted_id >= 0) {
            return q->election.voted_id == p->replica_id;
        }
        return q->election.leader_id < 0 && up_to_date;
    case QUORUM_FOLLOWER:
        return q->cfg.pre_vote && p->pre_vote && !q->fetched_this_epoch && up_to_date;
    case QUORUM_CANDIDATE:
    case QUORUM_RESIGNED:
        return p->pre_vote && up_to_date;
    case QUORUM_LEADER:
        return false;
    }
    return false;
}

static void answer_vote(struct quorum *q, const struct quorum_event *ev, struct quorum_out *out,
                        int16_t top_error, int16_t error, bool granted)
{
    struct vote_response_partition part = {
        .partition_index = 0, .error_code = error, .leader_id = q->election.leader_id,
        .leader_epoch = q->election.epoch, .vote_granted = granted};
    struct vote_response_topic topic = {
        .topic_name = QUORUM_TOPIC, .partition_count = 1, .partitions = &part};
    struct vote_response resp = {.error_code = top_error,
                                 .topic_count = top_error == 0 ? 1 : 0,
                                 .topics = &topic};
    struct quorum_msg *m = response_new(out, ev);
    vote_response_encode(&m->body, &resp, ev->api_version);
}

/* KafkaRaftClient.handleVoteRequest (KRAFT.md 3.2). */
static void handle_vote(struct quorum *q, const struct quorum_event *ev, struct quorum_out *out)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct vote_request req;
    if (vote_request_decode(ev->body, ev->api_version, &a, &req) != 0 || req.topic_count != 1 ||
        req.topics[0].partition_count != 1 ||
        !valid_topic_partition(1, req.topics[0].topic_name, 1,
                               req.topics[0].partitions[0].partition_index)) {
        answer_vote(q, ev, out, KAFKA_INVALID_REQUEST, 0, false);
        goto done;
    }
    if (cluster_mismatch(q, req.cluster_id)) {
        answer_vote(q, ev, out, KAFKA_INCONSISTENT_CLUSTER_ID, 0, false);
        goto done;
    }
    const struct vote_request_partition *p = &req.topics[0].partitions[0];
    bool bad_epoch = p->pre_vote ? p->last_offset_epoch > p->replica_epoch
                                 : p->last_offset_epoch >= p->replica_epoch;
    if (p->last_offset < 0 || p->last_offset_epoch < 0 || bad_epoch || p->replica_id < 0) {
        answer_vote(q, ev, out, 0, KAFKA_INVALID_REQUEST, false);
        goto done;
    }
    if (p->replica_epoch < q->election.epoch) {
        answer_vote(q, ev, out, 0, KAFKA_FENCED_LEADER_EPOCH, false);
        goto done;
    }
    if (voter_set_inconsistent(q, p->replica_id)) {
        answer_vote(q, ev, out, 0, KAFKA_INCONSISTENT_VOTER_SET, false);
        goto done;
    }
    if (p->replica_epoch > q->election.epoch) {
        become_unattached(q, p->replica_epoch, -1, out);
    }
    if (ev->api_version >= 1 && req.voter_id >= 0 && !is_self(q, req.voter_id)) {
        /* KIP-853: the candidate addressed another voter (isValidVoterKey). */
        answer_vote(q, ev, out, 0, KAFKA_INVALID_VOTER_KEY, false);
        goto done;
    }
    bool granted = decide_vote(q, p);
    if (granted && !p->pre_vote && q->election.voted_id < 0) {
        /* The vote is durable before the answer leaves (persist before send). */
        q->election.voted_id = p->replica_id;
        q->election_deadline = q->now + randomized_election_timeout(q);
        persist(q, out);
        if (q->cfg.voted_state) {
            trace_state(q, out);
        }
    }
    trace(out, TRACE_RAFT_VOTE, "%s candidate=%d epoch=%d granted=%s last=(%d,%" PRId64 ")",
          p->pre_vote ? "pre-vote" : "vote", p->replica_id, p->replica_epoch,
          granted ? "yes" : "no", p->last_offset_epoch, p->last_offset);
    answer_vote(q, ev, out, 0, 0, granted);
done:
    wire_arena_free(&a);
}

static void answer_quorum_epoch(struct quorum *q, const struct quorum_event *ev,
                                struct quorum_out *out, int16_t top_error, int16_t error)
{
    struct quorum_epoch_response_partition part = {
        .partition_index = 0, .error_code = error, .leader_id = q->election.leader_id,
        .leader_epoch = q->election.epoch};
    struct quorum_epoch_response_topic topic = {
        .topic_name = QUORUM_TOPIC, .partition_count = 1, .partitions = &part};
    struct quorum_epoch_response resp = {
        .error_code = top_error, .topic_count = top_error == 0 ? 1 : 0, .topics = &topic};
    struct quorum_msg *m = response_new(out, ev);
    if (ev->api_key == KAFKA_API_BEGIN_QUORUM_EPOCH) {
        begin_quorum_epoch_response_encode(&m->body, &resp, ev->api_version);
    } else {
        end_quorum_epoch_response_encode(&m->body, &resp, ev->api_version);
    }
}

static void handle_begin_quorum_epoch(struct quorum *q, const struct quorum_event *ev,
                                      struct quorum_out *out)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct begin_quorum_epoch_request req;
    int rc = begin_quorum_epoch_request_decode(ev->body, ev->api_version, &a, &req);
    /* hasValidClusterId, then hasValidTopicPartition (KafkaRaftClient) */
    if (rc == 0 && cluster_mismatch(q, req.cluster_id)) {
        answer_quorum_epoch(q, ev, out, KAFKA_INCONSISTENT_CLUSTER_ID, 0);
    } else if (rc != 0 || req.topic_count != 1 || req.topics[0].partition_count != 1 ||
               !valid_topic_partition(1, req.topics[0].topic_name, 1,
                                      req.topics[0].partitions[0].partition_index)) {
        answer_quorum_epoch(q, ev, out, KAFKA_INVALID_REQUEST, 0);
    } else {
        const struct begin_quorum_epoch_request_partition *p = &req.topics[0].partitions[0];
        if (p->leader_epoch < q->election.epoch) {
            answer_quorum_epoch(q, ev, out, 0, KAFKA_FENCED_LEADER_EPOCH);
        } else if (p->leader_id >= 0 && voter_set_inconsistent(q, p->leader_id)) {
            answer_quorum_epoch(q, ev, out, 0, KAFKA_INCONSISTENT_VOTER_SET);
        } else {
            learn_epoch(q, p->leader_epoch, p->leader_id, out);
            answer_quorum_epoch(q, ev, out, 0, 0);
        }
    }
    wire_arena_free(&a);
}

/* EndQuorumEpoch: the leader resigned. Its followers shorten their fetch timeout so the best
 * placed one (first in PreferredCandidates) stands first (KafkaRaftClient.endEpochElection
 * Backoff, KRAFT.md 3.3). */
static void handle_end_quorum_epoch(struct quorum *q, const struct quorum_event *ev,
                                    struct quorum_out *out)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct end_quorum_epoch_request req;
    int rc = end_quorum_epoch_request_decode(ev->body, ev->api_version, &a, &req);
    if (rc == 0 && cluster_mismatch(q, req.cluster_id)) {
        answer_quorum_epoch(q, ev, out, KAFKA_INCONSISTENT_CLUSTER_ID, 0);
        goto done;
    }
    if (rc != 0 || req.topic_count != 1 || req.topics[0].partition_count != 1 ||
        !valid_topic_partition(1, req.topics[0].topic_name, 1,
                               req.topics[0].partitions[0].partition_index)) {
        answer_quorum_epoch(q, ev, out, KAFKA_INVALID_REQUEST, 0);
        goto done;
    }
    const struct end_quorum_epoch_request_partition *p = &req.topics[0].partitions[0];
    if (p->leader_epoch < q->election.epoch) {
        answer_quorum_epoch(q, ev, out, 0, KAFKA_FENCED_LEADER_EPOCH);
        goto done;
    }
    if (p->leader_id >= 0 && voter_set_inconsistent(q, p->leader_id)) {
        answer_quorum_epoch(q, ev, out, 0, KAFKA_INCONSISTENT_VOTER_SET);
        goto done;
    }
    learn_epoch(q, p->leader_epoch, p->leader_id, out);
    if (q->role == QUORUM_FOLLOWER && q->election.leader_id == p->leader_id && q->voter) {
        int n = ev->api_version >= 1 ? p->preferred_candidate_count
                                     : p->preferred_successor_count;
        int pos = -1;
        for (int i = 0; i < n && pos < 0; i++) {
            int32_t id = ev->api_version >= 1 ? p->preferred_candidates[i].candidate_id
                                              : p->preferred_successors[i];
            pos = is_self(q, id) ? i : -1;
        }
        time_ns max = q->cfg.election_backoff_max;
        time_ns delay = pos == 0 ? 0 : pos < 0 ? max : (max >> (n - 1)) << (pos - 1);
        if (delay > max) {
            delay = max;
        }
        if (q->now + delay < q->fetch_deadline) {
            q->fetch_deadline = q->now + delay;
        }
    }
    answer_quorum_epoch(q, ev, out, 0, 0);
done:
    wire_arena_free(&a);
}

/* ---- Fetch on the leader (KRAFT.md 3.6) --------------------------------------------------- */

struct fetch_answer {
    int16_t top_error;
    int16_t error;
    struct fetch_epoch_end_offset diverging;
    struct kraft_snapshot_id snapshot; /* (-1, -1): none */
    int64_t read_from; /* -1: send no records */
};

static void answer_fetch(struct quorum *q, uint64_t reply_ctx, int32_t to_node, int16_t version,
                         const struct fetch_answer *fa, struct quorum_out *out)
{
    uint8_t *records = NULL;
    int64_t records_len = 0;
    if (fa->read_from >= 0 && fa->read_from < raft_log_end_offset(q->log)) {
        records_len = raft_log_read(q->log, fa->read_from, FETCH_MAX_BYTES, &records);
        if (records_len < 0) {
            records_len = 0;
        }
    }
    struct fetch_response_partition part;
    fetch_response_partition_init(&part);
    part.partition_index = 0;
    part.error_code = fa->error;
    part.high_watermark = q->role == QUORUM_LEADER ? q->high_watermark : -1;
    part.log_start_offset = raft_log_start_offset(q->log);
    part.diverging_epoch = fa->diverging;
    part.snapshot_id = fa->snapshot;
    part.current_leader = (struct kraft_leader_and_epoch){
        .leader_id = q->election.leader_id, .leader_epoch = q->election.epoch};
    part.records = (struct wire_bytes){records, (int32_t)records_len};
    struct fetch_response_topic topic = {
        .topic = QUORUM_TOPIC, .topic_id = metadata_topic_id, .partition_count = 1,
        .partitions = &part};
    struct fetch_response resp;
    fetch_response_init(&resp);
    resp.error_code = fa->top_error;
    resp.topic_count = fa->top_error == 0 ? 1 : 0;
    resp.topics = &topic;
    struct quorum_msg *m = quorum_out_msg(out, KAFKA_API_FETCH, version);
    m->response = true;
    m->reply_ctx = reply_ctx;
    m->to_node = to_node;
    fetch_response_encode(&m->body, &resp, version);
    free(records);
}

static void park(struct quorum *q, const struct quorum_event *ev, int32_t replica_id,
                 const struct fetch_request *req, const struct fetch_request_partition *p)
{
    if (q->parked_count == q->parked_capacity) {
        q->parked_capacity = q->parked_capacity ? q->parked_capacity * 2 : 8;
        q->parked = realloc(q->parked, q->parked_capacity * sizeof *q->parked);
        KS_ASSERT(q->parked != NULL);
    }
    q->parked[q->parked_count++] = (struct quorum_parked){
        .reply_ctx = ev->reply_ctx, .api_version = ev->api_version, .replica_id = replica_id,
        .fetch_offset = p->fetch_offset,
        .request_high_watermark = ev->api_version >= 18 && q->cfg.fetch_high_watermark
                                      ? p->high_watermark : INT64_MAX,
        .deadline = q->now + (time_ns)req->max_wait_ms * NS_PER_MS};
}

static void respond_parked(struct quorum *q, uint32_t i, struct quorum_out *out)
{
    struct quorum_parked p = q->parked[i];
    memmove(&q->parked[i], &q->parked[i + 1], (q->parked_count - i - 1) * sizeof p);
    q->parked_count--;
    struct fetch_answer fa = {
        .diverging = {-1, -1}, .snapshot = {-1, -1}, .read_from = p.fetch_offset};
    if (q->role != QUORUM_LEADER) {
        fa.error = KAFKA_NOT_LEADER_OR_FOLLOWER;
        fa.read_from = -1;
    }
    answer_fetch(q, p.reply_ctx, p.replica_id, p.api_version, &fa, out);
}

static void respond_parked_all(struct quorum *q, struct quorum_out *out)
{
    while (q->parked_count > 0) {
        respond_parked(q, 0, out);
    }
}

/* Parked fetches complete when records arrive past their offset or their wait ends. */
static void poll_parked(struct quorum *q, struct quorum_out *out)
{
    uint32_t i = 0;
    while (i < q->parked_count) {
        const struct quorum_parked *p = &q->parked[i];
        if (p->deadline <= q->now || p->fetch_offset < raft_log_end_offset(q->log) ||
            q->high_watermark > p->request_high_watermark) {
            respond_parked(q, i, out);
        } else {
            i++;
        }
    }
}

static int16_t fetch_partition_error(const struct quorum *q, const struct fetch_request *req,
                                     const struct fetch_request_partition *p)
{
    if (req->max_wait_ms < 0 || p->fetch_offset < 0 || p->last_fetched_epoch < 0 ||
        p->last_fetched_epoch > p->current_leader_epoch) {
        return KAFKA_INVALID_REQUEST;
    }
    if (p->current_leader_epoch < q->election.epoch) {
        return KAFKA_FENCED_LEADER_EPOCH;
    }
    if (p->current_leader_epoch > q->election.epoch) {
        return KAFKA_UNKNOWN_LEADER_EPOCH;
    }
    if (q->role != QUORUM_LEADER) {
        return KAFKA_NOT_LEADER_OR_FOLLOWER;
    }
    return KAFKA_NONE;
}

/* KafkaRaftClient.tryCompleteFetchRequest: a follower with an empty log (FetchOffset 0) is
 * sent the latest snapshot id when there is one other than the bootstrap 0-0, since that is
 * cheaper than replaying the log (KAFKA-15078, 3.6+; 3.6-3.7 lack the bootstrap test, but have
 * no bootstrap snapshot either). Otherwise, and before 3.6, RaftLog.validateOffsetAndEpoch. */
static struct raft_log_valid validate_fetch(const struct quorum *q,
                                            const struct fetch_request_partition *p)
{
    struct raft_log_snapshot_id latest = raft_log_latest_snapshot(q->log);
    bool bootstrap = latest.end_offset == 0 && latest.epoch == 0;
    if (q->cfg.offset_zero_snapshot && p->fetch_offset == 0 && latest.end_offset >= 0 &&
        !bootstrap) {
        return (struct raft_log_valid){RAFT_LOG_SNAPSHOT, latest};
    }
    return raft_log_validate_offset_and_epoch(q->log, p->fetch_offset, p->last_fetched_epoch);
}

static void handle_fetch(struct quorum *q, const struct quorum_event *ev, struct quorum_out *out)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct fetch_request req;
    struct fetch_answer fa = {.diverging = {-1, -1}, .snapshot = {-1, -1}, .read_from = -1};
    if (fetch_request_decode(ev->body, ev->api_version, &a, &req) != 0 || req.topic_count != 1 ||
        req.topics[0].partition_count != 1 || req.topics[0].partitions[0].partition != 0 ||
        (ev->api_version >= 13 ? !wire_uuid_equal(req.topics[0].topic_id, metadata_topic_id)
                               : !valid_topic_partition(1, req.topics[0].topic, 1, 0))) {
        fa.top_error = KAFKA_INVALID_REQUEST;
    } else if (cluster_mismatch(q, req.cluster_id)) {
        fa.top_error = KAFKA_INCONSISTENT_CLUSTER_ID;
    }
    if (fa.top_error != 0) {
        answer_fetch(q, ev->reply_ctx, ev->from_node, ev->api_version, &fa, out);
        wire_arena_free(&a);
        return;
    }
    const struct fetch_request_partition *p = &req.topics[0].partitions[0];
    fa.error = fetch_partition_error(q, &req, p);
    if (fa.error == KAFKA_NONE) {
        struct raft_log_valid valid = validate_fetch(q, p);
        if (valid.kind == RAFT_LOG_SNAPSHOT) {
            /* Behind the log start: the follower must fetch the snapshot first. */
            fa.snapshot = (struct kraft_snapshot_id){valid.id.end_offset, valid.id.epoch};
            answer_fetch(q, ev->reply_ctx, req.replica_id, ev->api_version, &fa, out);
            wire_arena_free(&a);
            return;
        }
        if (valid.kind == RAFT_LOG_DIVERGING) {
            fa.diverging = (struct fetch_epoch_end_offset){valid.id.epoch, valid.id.end_offset};
        }
        if (fa.diverging.epoch < 0 && req.replica_id >= 0) {
            update_replica(q, req.replica_id, p->fetch_offset);
            update_high_watermark(q, out);
        }
        fa.read_from = fa.diverging.epoch < 0 ? p->fetch_offset : -1;
        bool nothing = fa.read_from >= raft_log_end_offset(q->log);
        /* isHighWatermarkUpdated (KIP-1166, 4.1+): the follower's HW is behind ours. */
        bool hw_news = q->cfg.fetch_high_watermark && ev->api_version >= 18 &&
                       q->high_watermark > p->high_watermark;
        if (fa.diverging.epoch < 0 && nothing && req.max_wait_ms > 0 && !hw_news) {
            park(q, ev, req.replica_id, &req, p);
            wire_arena_free(&a);
            return;
        }
    }
    answer_fetch(q, ev->reply_ctx, req.replica_id, ev->api_version, &fa, out);
    wire_arena_free(&a);
}

/* LeaderState.clearInactiveObservers: an observer whose last fetch is 300 s old or more is
 * no longer one; a later fetch starts it afresh. */
static bool observer_inactive(const struct quorum *q, const struct quorum_replica *r)
{
    return q->now - r->last_fetch >= OBSERVER_SESSION_TIMEOUT;
}

/* Kafka clears them whenever it describes the quorum (LeaderState.describeQuorum). */
static void clear_inactive_observers(struct quorum *q)
{
    int kept = 0;
    for (int i = 0; i < q->observer_count; i++) {
        if (!observer_inactive(q, &q->observers[i])) {
            q->observers[kept++] = q->observers[i];
        }
    }
    KS_ASSERT(kept <= q->observer_count);
    q->observer_count = kept;
}

bool quorum_describe(const struct quorum *q, struct wire_arena *a,
                     struct describe_quorum_response *out)
{
    if (q->role != QUORUM_LEADER) {
        return false;
    }
    memset(out, 0, sizeof *out);
    struct describe_quorum_response_partition *part = wire_arena_alloc(a, sizeof *part);
    struct describe_quorum_response_topic *topic = wire_arena_alloc(a, sizeof *topic);
    int n = q->cfg.voter_count;
    struct describe_quorum_replica_state *voters = wire_arena_alloc(a, (size_t)n * sizeof
                                                                        *voters);
    struct describe_quorum_replica_state *obs = wire_arena_alloc(
        a, (size_t)(q->observer_count + 1) * sizeof *obs);
    for (int i = 0; i < n; i++) {
        const struct quorum_replica *r = &q->voters[i];
        bool me = is_self(q, r->node_id);
        voters[i] = (struct describe_quorum_replica_state){
            .replica_id = r->node_id,
            .log_end_offset = me ? raft_log_end_offset(q->log) : r->end_offset,
            .last_fetch_timestamp = me ? q->now / NS_PER_MS
                                       : r->last_fetch < 0 ? -1 : r->last_fetch / NS_PER_MS,
            .last_caught_up_timestamp = me ? q->now / NS_PER_MS
                                           : r->last_caught_up < 0
                                               ? -1 : r->last_caught_up / NS_PER_MS};
    }
    /* Observers in node id order, so the answer does not depend on who fetched first; the
     * inactive ones left out, as a DescribeQuorum now would (handle_describe_quorum). */
    int order[QUORUM_OBSERVER_MAX];
    int active = 0;
    for (int i = 0; i < q->observer_count; i++) {
        if (observer_inactive(q, &q->observers[i])) {
            continue;
        }
        int j = active++;
        while (j > 0 && q->observers[order[j - 1]].node_id > q->observers[i].node_id) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    for (int i = 0; i < active; i++) {
        const struct quorum_replica *r = &q->observers[order[i]];
        obs[i] = (struct describe_quorum_replica_state){
            .replica_id = r->node_id, .log_end_offset = r->end_offset,
            .last_fetch_timestamp = r->last_fetch < 0 ? -1 : r->last_fetch / NS_PER_MS,
            .last_caught_up_timestamp = r->last_caught_up < 0 ? -1
                                                               : r->last_caught_up / NS_PER_MS};
    }
    *part = (struct describe_quorum_response_partition){
        .partition_index = 0, .leader_id = q->cfg.node_id, .leader_epoch = q->election.epoch,
        .high_watermark = q->high_watermark, .current_voter_count = n, .current_voters = voters,
        .observer_count = active, .observers = obs};
    *topic = (struct describe_quorum_response_topic){
        .topic_name = QUORUM_TOPIC, .partition_count = 1, .partitions = part};
    out->topic_count = 1;
    out->topics = topic;
    /* v2 names every voter's endpoints (RaftUtil.singletonDescribeQuorumResponse). */
    struct describe_quorum_node *nodes = wire_arena_alloc(a, (size_t)n * sizeof *nodes);
    struct kraft_listener *listeners = wire_arena_alloc(a, (size_t)n * sizeof *listeners);
    for (int i = 0; i < n; i++) {
        listeners[i] = (struct kraft_listener){.name = "CONTROLLER",
                                               .host = q->cfg.voter_hosts[i] != NULL
                                                           ? q->cfg.voter_hosts[i] : "",
                                               .port = q->cfg.voter_ports[i]};
        nodes[i] = (struct describe_quorum_node){
            .node_id = q->cfg.voter_ids[i], .listener_count = 1, .listeners = &listeners[i]};
    }
    out->node_count = n;
    out->nodes = nodes;
    return true;
}

static void handle_describe_quorum(struct quorum *q, const struct quorum_event *ev,
                                   struct quorum_out *out)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct describe_quorum_response resp;
    if (q->role == QUORUM_LEADER) {
        clear_inactive_observers(q);
    }
    if (!quorum_describe(q, &a, &resp)) {
        struct describe_quorum_response_partition *part = wire_arena_alloc(&a, sizeof *part);
        struct describe_quorum_response_topic *topic = wire_arena_alloc(&a, sizeof *topic);
        *part = (struct describe_quorum_response_partition){
            .error_code = KAFKA_NOT_LEADER_OR_FOLLOWER, .leader_id = q->election.leader_id,
            .leader_epoch = q->election.epoch, .high_watermark = -1};
        *topic = (struct describe_quorum_response_topic){
            .topic_name = QUORUM_TOPIC, .partition_count = 1, .partitions = part};
        resp = (struct describe_quorum_response){.topic_count = 1, .topics = topic};
    }
    struct quorum_msg *m = response_new(out, ev);
    describe_quorum_response_encode(&m->body, &resp, ev->api_version);
    wire_arena_free(&a);
}

/* ---- responses ---------------------------------------------------------------------------- */

/* Lost election backoff (KRAFT.md 3.3), in nanoseconds, from the current election's retry
 * count r (1 for the first election in a row). */
static time_ns lost_election_backoff(struct quorum *q)
{
    uint32_t r = q->election_retries > 0 ? q->election_retries : 1;
    time_ns max = q->cfg.election_backoff_max;
    if (q->cfg.lost_election_backoff == QUORUM_BACKOFF_EXPONENTIAL ||
        q->cfg.lost_election_backoff == QUORUM_BACKOFF_EXPONENTIAL_PROSPECTIVE) {
        /* KafkaRaftClient.binaryExponentialElectionBackoffMs to 4.0.0: RETRY_BACKOFF_BASE_MS
         * = 100, min(100 * nextInt(2 << min(20, r - 1)), electionBackoffMaxMs). */
        uint64_t bound = UINT64_C(2) << (r - 1 < 20 ? r - 1 : 20);
        time_ns b = 100 * NS_PER_MS * (time_ns)rand_below(q, bound);
        return b < max ? b : max;
    }
    /* KAFKA-18345 (4.0.1, RaftUtil.binaryExponentialElectionBackoffMs): the base became 50,
     * min(50 * nextInt(1, 2 << min(10, r - 1)), backoffMaxMs + nextInt(50)). */
    uint64_t bound = UINT64_C(2) << (r - 1 < 10 ? r - 1 : 10);
    time_ns b = 50 * NS_PER_MS * (time_ns)(1 + rand_below(q, bound - 1));
    time_ns cap = max + (time_ns)rand_below(q, 50) * NS_PER_MS;
    return b < cap ? b : cap;
}

/* Counts the tally (EpochElection): won with a majority, lost when the granted plus the
 * unrecorded can no longer make one. Returns true if the role changed. */
static bool check_majority(struct quorum *q, struct quorum_out *out)
{
    int granted = popcount(q->granted);
    int unrecorded = q->cfg.voter_count - granted - popcount(q->rejected);
    if (granted >= majority(q)) {
        if (q->role == QUORUM_PROSPECTIVE) {
            become_candidate(q, out);
        } else {
            become_leader(q, out);
        }
        return true;
    }
    if (granted + unrecorded >= majority(q) || q->election_lost) {
        return false;
    }
    bool backs_off = q->role == QUORUM_CANDIDATE &&
                     q->cfg.lost_election_backoff != QUORUM_BACKOFF_NONE;
    time_ns backoff = backs_off ? lost_election_backoff(q) : 0;
    trace(out, TRACE_RAFT_ELECTION_LOST, "role=%s epoch=%d granted=%d rejected=%d retries=%u "
          "backoff=%" PRId64 "ms", quorum_role_name(q->role), q->election.epoch, granted,
          popcount(q->rejected), q->election_retries, backoff / NS_PER_MS);
    if (q->role == QUORUM_PROSPECTIVE) {
        prospective_fall_back(q, out);
        return true;
    }
    q->election_lost = true;
    if (backs_off) {
        /* While it backs off the election timer no longer counts (pollCandidate). */
        q->backoff_deadline = q->now + backoff;
        q->election_deadline = TIME_NS_MAX;
    }
    return false;
}

/* ApiKeys' constant, which is how Kafka's logs name an API: "VOTE", not the message's "Vote". */
static const char *api_key_constant(int16_t api_key)
{
    switch (api_key) {
    case KAFKA_API_VOTE:
        return "VOTE";
    case KAFKA_API_BEGIN_QUORUM_EPOCH:
        return "BEGIN_QUORUM_EPOCH";
    case KAFKA_API_END_QUORUM_EPOCH:
        return "END_QUORUM_EPOCH";
    }
    KS_ASSERT(false);
    return "UNKNOWN";
}

/*
 * A response in our epoch carrying an error no handler expects: KafkaRaftClient.
 * handleUnexpectedError logs `Unexpected error {} in {} response: {}` and returns false, so the
 * connection backs off before the request goes again (RequestManager.onResponseError). A
 * response from an older epoch never gets here (maybeHandleCommonResponse: "no longer
 * relevant"). Kafka logs every such error; kraftsim traces only INCONSISTENT_VOTER_SET for now,
 * the one a voter of a ≤3.7 cluster with disagreeing voter sets keeps receiving. Kafka logs it
 * at ERROR but goes on running, so this is a note, not a raft-error.
 */
static void unexpected_error(struct quorum *q, const struct quorum_event *ev, int16_t error,
                             int32_t leader_id, int32_t leader_epoch, struct quorum_out *out)
{
    KS_ASSERT(error != KAFKA_NONE);
    KS_ASSERT(leader_epoch == q->election.epoch);
    if (error == KAFKA_INCONSISTENT_VOTER_SET) {
        trace(out, TRACE_NOTE, "Unexpected error %s in %s response: sourceId=%d leaderId=%d "
              "leaderEpoch=%d", kafka_error_name(error), api_key_constant(ev->api_key),
              ev->from_node, leader_id, leader_epoch);
    }
    peer_of(q, ev->from_node)->backoff_until = q->now + q->cfg.retry_backoff;
}

static void handle_vote_response(struct quorum *q, const struct quorum_event *ev,
                                 struct quorum_out *out)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct vote_response resp;
    int i = voter_index(q, ev->from_node);
    if (vote_response_decode(ev->body, ev->api_version, &a, &resp) != 0 || i < 0) {
        goto done;
    }
    if (resp.error_code == KAFKA_UNSUPPORTED_VERSION && q->role == QUORUM_PROSPECTIVE) {
        become_candidate(q, out); /* a pre-4.0 voter cannot pre-vote: skip the round */
        goto done;
    }
    if (resp.error_code != 0 || resp.topic_count != 1 || resp.topics[0].partition_count != 1) {
        q->peers[i].backoff_until = q->now + q->cfg.retry_backoff;
        goto done;
    }
    const struct vote_response_partition *p = &resp.topics[0].partitions[0];
    if (learn_epoch(q, p->leader_epoch, p->leader_id, out) || p->leader_epoch < q->election.epoch) {
        goto done;
    }
    if (p->error_code != 0) {
        unexpected_error(q, ev, p->error_code, p->leader_id, p->leader_epoch, out);
        goto done;
    }
    if (q->role != QUORUM_PROSPECTIVE && q->role != QUORUM_CANDIDATE) {
        goto done;
    }
    if (p->vote_granted) {
        q->granted |= 1u << i;
    } else {
        q->rejected |= 1u << i;
    }
    check_majority(q, out);
done:
    wire_arena_free(&a);
}

static void handle_quorum_epoch_response(struct quorum *q, const struct quorum_event *ev,
                                         struct quorum_out *out)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct quorum_epoch_response resp;
    int rc = ev->api_key == KAFKA_API_BEGIN_QUORUM_EPOCH
                 ? begin_quorum_epoch_response_decode(ev->body, ev->api_version, &a, &resp)
                 : end_quorum_epoch_response_decode(ev->body, ev->api_version, &a, &resp);
    int i = voter_index(q, ev->from_node);
    if (rc == 0 && i >= 0 && resp.error_code == 0 && resp.topic_count == 1 &&
        resp.topics[0].partition_count == 1) {
        const struct quorum_epoch_response_partition *p = &resp.topics[0].partitions[0];
        bool moved = learn_epoch(q, p->leader_epoch, p->leader_id, out);
        if (!moved && p->error_code == 0) {
            if (q->role == QUORUM_LEADER) {
                q->voters[i].acknowledged = true;
            } else if (q->role == QUORUM_RESIGNED) {
                q->end_acked |= 1u << i;
            }
        } else if (!moved && p->error_code == KAFKA_INCONSISTENT_VOTER_SET &&
                   p->leader_epoch == q->election.epoch) {
            /* Only this error so far: the others keep their old (silent) handling. */
            unexpected_error(q, ev, p->error_code, p->leader_id, p->leader_epoch, out);
        }
    }
    wire_arena_free(&a);
}

/* The follower side of a Fetch answer (KafkaRaftClient.handleFetchResponse). */
static void start_snapshot_fetch(struct quorum *q, struct raft_log_snapshot_id id,
                                 struct quorum_out *out)
{
    if (q->snapshot_fetching && q->snapshot_fetch_id.end_offset == id.end_offset &&
        q->snapshot_fetch_id.epoch == id.epoch) {
        return;
    }
    raft_log_snapshot_abort(q->log);
    if (raft_log_snapshot_begin(q->log, id) != 0) {
        /* Our own snapshot is still being frozen: ask again on the next fetch. */
        return;
    }
    q->snapshot_fetching = true;
    q->snapshot_fetch_id = id;
    trace(out, TRACE_RAFT_SNAPSHOT, "fetch-start end=%" PRId64 " epoch=%d leo=%" PRId64,
          id.end_offset, id.epoch, raft_log_end_offset(q->log));
}

static void apply_fetch_partition(struct quorum *q, const struct fetch_response_partition *p,
                                  struct quorum_out *out)
{
    if (p->snapshot_id.end_offset >= 0 && p->snapshot_id.epoch >= 0) {
        struct raft_log_snapshot_id id = {p->snapshot_id.end_offset, p->snapshot_id.epoch};
        start_snapshot_fetch(q, id, out);
        return;
    }
    if (p->diverging_epoch.epoch >= 0) {
        struct raft_log_snapshot_id end = {p->diverging_epoch.end_offset,
                                           p->diverging_epoch.epoch};
        if (q->high_watermark >= 0 && end.end_offset < q->high_watermark) {
            /* Kafka treats this as fatal: committed data would be lost. */
            trace(out, TRACE_RAFT_ERROR, "truncate-below-high-watermark to=%" PRId64
                  " hw=%" PRId64, end.end_offset, q->high_watermark);
        }
        int64_t target = raft_log_truncation_offset(q->log, end);
        if (target < raft_log_start_offset(q->log)) {
            trace(out, TRACE_RAFT_ERROR, "truncate-below-log-start to=%" PRId64 " start=%" PRId64,
                  target, raft_log_start_offset(q->log));
            return;
        }
        int64_t leo = raft_log_truncate_to(q->log, target);
        trace(out, TRACE_RAFT_TRUNCATE, "to=%" PRId64 " diverging_epoch=%d leo=%" PRId64, target,
              p->diverging_epoch.epoch, leo);
        return;
    }
    if (p->records.ptr != NULL && p->records.len > 0) {
        int n = raft_log_append_follower_epoch(q->log, p->records.ptr, (size_t)p->records.len,
                                               q->election.epoch);
        if (n < 0) {
            trace(out, TRACE_RAFT_ERROR, "append-follower err=%d %s", n, q->log->last_error);
        } else if (n > 0) {
            tracev(out, TRACE_RAFT_APPEND, TF_INT("epoch", q->election.epoch),
                   TF_INT("leo", raft_log_end_offset(q->log)), TF_INT("batches", n));
        }
        raft_log_flush(q->log);
    }
    int64_t hw = p->high_watermark < raft_log_end_offset(q->log)
                     ? p->high_watermark : raft_log_end_offset(q->log);
    if (hw > q->high_watermark) {
        tracev(out, TRACE_RAFT_HIGH_WATERMARK, TF_INT("epoch", q->election.epoch),
               TF_INT("from", q->high_watermark), TF_INT("to", hw));
        q->high_watermark = hw;
    }
}

static void handle_fetch_response(struct quorum *q, const struct quorum_event *ev,
                                  struct quorum_out *out)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct fetch_response resp;
    struct quorum_peer *peer = peer_of(q, ev->from_node);
    int rc = fetch_response_decode(ev->body, ev->api_version, &a, &resp);
    if (rc != 0 || resp.error_code != 0 || resp.topic_count != 1 ||
        resp.topics[0].partition_count != 1) {
        peer->backoff_until = q->now + q->cfg.retry_backoff;
        goto done;
    }
    const struct fetch_response_partition *p = &resp.topics[0].partitions[0];
    if (learn_epoch(q, p->current_leader.leader_epoch, p->current_leader.leader_id, out)) {
        goto done; /* a new epoch or leader: the next poll fetches from the right place */
    }
    bool leadership_news = p->error_code == KAFKA_NOT_LEADER_OR_FOLLOWER ||
                           p->error_code == KAFKA_FENCED_LEADER_EPOCH ||
                           p->error_code == KAFKA_UNKNOWN_LEADER_EPOCH;
    if (p->error_code != 0 || q->role != QUORUM_FOLLOWER ||
        q->election.leader_id != ev->from_node ||
        p->current_leader.leader_epoch != q->election.epoch) {
        /* An answer about leadership is handled (maybeHandleCommonResponse), not a failure:
         * only other errors put the connection in backoff (RequestManager). */
        if (!leadership_news || q->role != QUORUM_FOLLOWER) {
            peer->backoff_until = q->now + q->cfg.retry_backoff;
        }
        goto done;
    }
    q->fetched_this_epoch = true;
    reset_fetch_timer(q);
    apply_fetch_partition(q, p, out);
done:
    wire_arena_free(&a);
}

/* ---- FetchSnapshot (KRAFT.md 3.7) --------------------------------------------------------- */

struct snapshot_answer {
    int16_t top_error;
    int16_t error;
    struct kraft_snapshot_id id;
    int64_t size;
    int64_t position;
    uint8_t *bytes;
    int64_t len;
};

static void answer_fetch_snapshot(struct quorum *q, const struct quorum_event *ev,
                                  const struct snapshot_answer *sa, struct quorum_out *out)
{
    struct fetch_snapshot_response_partition part = {
        .index = 0, .error_code = sa->error, .snapshot_id = sa->id,
        .current_leader = {q->election.leader_id, q->election.epoch}, .size = sa->size,
        .position = sa->position,
        .unaligned_records = {sa->bytes != NULL ? sa->bytes : (const uint8_t *)"",
                              (int32_t)sa->len}};
    struct fetch_snapshot_response_topic topic = {
        .name = QUORUM_TOPIC, .partition_count = 1, .partitions = &part};
    struct fetch_snapshot_response resp = {
        .error_code = sa->top_error, .topic_count = sa->top_error == 0 ? 1 : 0, .topics = &topic};
    struct quorum_msg *m = response_new(out, ev);
    fetch_snapshot_response_encode(&m->body, &resp, ev->api_version);
}

/* The leader serves its snapshot in chunks (KafkaRaftClient.handleFetchSnapshotRequest). */
static void serve_snapshot(struct quorum *q, const struct fetch_snapshot_request *req,
                           struct snapshot_answer *sa)
{
    const struct fetch_snapshot_request_partition *p = &req->topics[0].partitions[0];
    if (q->role != QUORUM_LEADER) {
        sa->error = KAFKA_NOT_LEADER_OR_FOLLOWER;
        return;
    }
    if (p->current_leader_epoch != q->election.epoch) {
        sa->error = p->current_leader_epoch < q->election.epoch ? KAFKA_FENCED_LEADER_EPOCH
                                                                : KAFKA_UNKNOWN_LEADER_EPOCH;
        return;
    }
    struct raft_log_snapshot_id id = {p->snapshot_id.end_offset, p->snapshot_id.epoch};
    int64_t size = raft_log_snapshot_size(q->log, id);
    if (size < 0 || (id.end_offset == 0 && id.epoch == 0)) {
        sa->error = KAFKA_SNAPSHOT_NOT_FOUND; /* missing, or the bootstrap snapshot */
        return;
    }
    sa->id = p->snapshot_id;
    sa->size = size;
    sa->position = p->position;
    if (p->position < 0 || p->position >= size) {
        sa->error = KAFKA_POSITION_OUT_OF_RANGE;
        return;
    }
    /* snapshot.slice(position, min(MaxBytes, size)): the leader sends what the follower asked
     * for, capped only by the snapshot (handleFetchSnapshotRequest, every release). */
    int64_t left = size - p->position;
    uint32_t max = req->max_bytes < 0 ? 0 : (uint32_t)req->max_bytes;
    if ((int64_t)max > left) {
        max = (uint32_t)left;
    }
    sa->len = raft_log_snapshot_read(q->log, id, (uint64_t)p->position, max, &sa->bytes);
    if (sa->len < 0) {
        sa->error = KAFKA_UNKNOWN_SERVER_ERROR;
        sa->len = 0;
    }
    if (req->replica_id >= 0 && voter_index(q, req->replica_id) >= 0) {
        q->voters[voter_index(q, req->replica_id)].last_fetch = q->now; /* check-quorum */
    }
}

static void handle_fetch_snapshot(struct quorum *q, const struct quorum_event *ev,
                                  struct quorum_out *out)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct fetch_snapshot_request req;
    struct snapshot_answer sa = {.id = {-1, -1}, .size = -1, .position = -1};
    int rc = fetch_snapshot_request_decode(ev->body, ev->api_version, &a, &req);
    if (rc != 0 || req.topic_count != 1 || req.topics[0].partition_count != 1 ||
        !valid_topic_partition(1, req.topics[0].name, 1, req.topics[0].partitions[0].partition)) {
        sa.top_error = KAFKA_INVALID_REQUEST;
    } else if (cluster_mismatch(q, req.cluster_id)) {
        sa.top_error = KAFKA_INCONSISTENT_CLUSTER_ID;
    } else {
        serve_snapshot(q, &req, &sa);
    }
    answer_fetch_snapshot(q, ev, &sa, out);
    free(sa.bytes);
    wire_arena_free(&a);
}

/* The follower's side: store the chunk; when the snapshot is whole, freeze it and let it
 * replace the log (KafkaRaftClient.handleFetchSnapshotResponse). */
static void take_snapshot_chunk(struct quorum *q, const struct fetch_snapshot_response_partition *p,
                                struct quorum_out *out)
{
    struct quorum_peer *peer = peer_of(q, q->election.leader_id);
    if (p->error_code == KAFKA_SNAPSHOT_NOT_FOUND || p->snapshot_id.end_offset < 0) {
        raft_log_snapshot_abort(q->log); /* gone: go back to fetching the log */
        q->snapshot_fetching = false;
        return;
    }
    if (p->error_code != 0 || p->position != raft_log_snapshot_partial_size(q->log) ||
        p->snapshot_id.end_offset != q->snapshot_fetch_id.end_offset) {
        peer->backoff_until = q->now + q->cfg.retry_backoff;
        return;
    }
    reset_fetch_timer(q);
    int rc = raft_log_snapshot_write(q->log, (uint64_t)p->position, p->unaligned_records.ptr,
                                     (size_t)p->unaligned_records.len);
    if (rc == 0 && raft_log_snapshot_partial_size(q->log) == p->size) {
        rc = raft_log_snapshot_freeze(q->log, true);
        trace(out, TRACE_RAFT_SNAPSHOT, "fetched end=%" PRId64 " epoch=%d bytes=%" PRId64,
              p->snapshot_id.end_offset, p->snapshot_id.epoch, p->size);
    }
    if (rc != 0) {
        trace(out, TRACE_RAFT_ERROR, "snapshot-download err=%d %s", rc, q->log->last_error);
        raft_log_snapshot_abort(q->log);
        q->snapshot_fetching = false;
    }
}

static void handle_fetch_snapshot_response(struct quorum *q, const struct quorum_event *ev,
                                           struct quorum_out *out)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct fetch_snapshot_response resp;
    int rc = fetch_snapshot_response_decode(ev->body, ev->api_version, &a, &resp);
    if (rc != 0 || resp.error_code != 0 || resp.topic_count != 1 ||
        resp.topics[0].partition_count != 1) {
        peer_of(q, ev->from_node)->backoff_until = q->now + q->cfg.retry_backoff;
    } else {
        const struct fetch_snapshot_response_partition *p = &resp.topics[0].partitions[0];
        bool moved = learn_epoch(q, p->current_leader.leader_epoch, p->current_leader.leader_id,
                                 out);
        if (!moved && q->role == QUORUM_FOLLOWER && q->snapshot_fetching &&
            q->election.leader_id == ev->from_node) {
            take_snapshot_chunk(q, p, out);
        }
    }
    wire_arena_free(&a);
}

/* A download's freeze became durable: the log now starts at the snapshot. */
static void snapshot_installed(struct quorum *q, struct quorum_out *out)
{
    if (!q->snapshot_fetching || raft_log_snapshot_pending(q->log)) {
        return;
    }
    struct raft_log_snapshot_id latest = raft_log_latest_snapshot(q->log);
    q->snapshot_fetching = false;
    if (latest.end_offset == q->snapshot_fetch_id.end_offset &&
        latest.epoch == q->snapshot_fetch_id.epoch) {
        if (latest.end_offset > q->high_watermark) {
            q->high_watermark = latest.end_offset;
        }
        trace(out, TRACE_RAFT_SNAPSHOT, "installed end=%" PRId64 " epoch=%d log_start=%" PRId64
              " hw=%" PRId64, latest.end_offset, latest.epoch, raft_log_start_offset(q->log),
              q->high_watermark);
    }
}

/* ---- the step ----------------------------------------------------------------------------- */

static void on_request(struct quorum *q, const struct quorum_event *ev, struct quorum_out *out)
{
    switch (ev->api_key) {
    case KAFKA_API_VOTE:
        handle_vote(q, ev, out);
        break;
    case KAFKA_API_BEGIN_QUORUM_EPOCH:
        handle_begin_quorum_epoch(q, ev, out);
        break;
    case KAFKA_API_END_QUORUM_EPOCH:
        handle_end_quorum_epoch(q, ev, out);
        break;
    case KAFKA_API_FETCH:
        handle_fetch(q, ev, out);
        break;
    case KAFKA_API_DESCRIBE_QUORUM:
        handle_describe_quorum(q, ev, out);
        break;
    case KAFKA_API_FETCH_SNAPSHOT:
        handle_fetch_snapshot(q, ev, out);
        break;
    default:
        trace(out, TRACE_RAFT_ERROR, "unexpected-request api=%d", ev->api_key);
        break;
    }
}

static void on_response(struct quorum *q, const struct quorum_event *ev, struct quorum_out *out)
{
    struct quorum_peer *peer = peer_of(q, ev->from_node);
    if (!peer->in_flight || peer->api_key != ev->api_key) {
        return; /* an answer to a request this role no longer waits for */
    }
    peer->in_flight = false;
    switch (ev->api_key) {
    case KAFKA_API_VOTE:
        handle_vote_response(q, ev, out);
        break;
    case KAFKA_API_BEGIN_QUORUM_EPOCH:
    case KAFKA_API_END_QUORUM_EPOCH:
        handle_quorum_epoch_response(q, ev, out);
        break;
    case KAFKA_API_FETCH:
        handle_fetch_response(q, ev, out);
        break;
    case KAFKA_API_FETCH_SNAPSHOT:
        handle_fetch_snapshot_response(q, ev, out);
        break;
    default:
        break;
    }
}

/* A disconnected request fails with BROKER_NOT_AVAILABLE (KafkaNetworkChannel); the
 * handler returns false (handleTopLevelError) and the connection backs off
 * (RequestManager.onResponseError): a follower's next Fetch then goes to a random voter. */
static void on_disconnect(struct quorum *q, int32_t node_id)
{
    KS_ASSERT(node_id >= 0);
    struct quorum_peer *p = peer_of(q, node_id);
    if (p->in_flight) {
        p->in_flight = false;
        p->backoff_until = q->now + q->cfg.retry_backoff;
    }
}

static void expire_requests(struct quorum *q)
{
    for (int i = 0; i <= QUORUM_VOTER_MAX; i++) {
        struct quorum_peer *p = &q->peers[i];
        if (p->in_flight && p->deadline <= q->now) {
            p->in_flight = false; /* RequestManager: timed out, retry after the backoff */
            p->backoff_until = q->now + q->cfg.retry_backoff;
            p->timed_out = true;
        }
    }
}

static void send_begin_quorum_round(struct quorum *q, struct quorum_out *out)
{
    for (int i = 0; i < q->cfg.voter_count; i++) {
        const struct quorum_replica *r = &q->voters[i];
        if (is_self(q, r->node_id) || !peer_ready(q, &q->peers[i])) {
            continue;
        }
        /* 3.9-4.1 resend to every voter each period; 4.2+ only to those that have not
         * fetched for half a fetch timeout (LeaderState.needToSendBeginQuorumRequests). */
        bool lagging = r->last_fetch < 0 || q->now - r->last_fetch >= q->cfg.fetch_timeout / 2;
        if (q->cfg.begin_quorum_resend == QUORUM_BEGIN_ALL || lagging) {
            send_begin_quorum_epoch(q, out, r->node_id);
        }
    }
    q->begin_quorum_deadline = q->now + q->cfg.fetch_timeout / 2;
}

static void expire_leader(struct quorum *q, struct quorum_out *out)
{
    if (q->linger_deadline <= q->now) {
        append_pending(q, out);
    }
    if (q->begin_quorum_deadline <= q->now) {
        send_begin_quorum_round(q, out);
    }
    if (q->cfg.check_quorum && check_quorum_expiry(q) <= q->now) {
        become_resigned(q, out, "check-quorum");
        return;
    }
    poll_parked(q, out);
}

/* KafkaRaftClient.pollCandidate: while backing off only the backoff counts; when it ends, ≤3.9
 * stands again at once (transitionToCandidate), 4.0.x goes through a pre-vote round. An
 * election timeout without a backoff: ≤3.9 starts one ("Election has timed out, backing off
 * for {}ms before becoming a candidate again"); 4.0+ goes to Prospective at once. */
static void expire_candidate(struct quorum *q, struct quorum_out *out)
{
    KS_ASSERT(q->role == QUORUM_CANDIDATE);
    if (q->backoff_deadline != TIME_NS_MAX) {
        if (q->backoff_deadline > q->now) {
            return;
        }
        if (q->cfg.lost_election_backoff == QUORUM_BACKOFF_EXPONENTIAL) {
            become_candidate(q, out);
        } else {
            start_election(q, out);
        }
    } else if (q->election_deadline <= q->now) {
        if (q->cfg.lost_election_backoff == QUORUM_BACKOFF_EXPONENTIAL) {
            q->election_lost = true; /* backing off: no more Vote requests this epoch */
            q->backoff_deadline = q->now + lost_election_backoff(q);
            q->election_deadline = TIME_NS_MAX;
            trace(out, TRACE_RAFT_ELECTION_LOST, "role=Candidate epoch=%d timed-out retries=%u "
                  "backoff=%" PRId64 "ms", q->election.epoch, q->election_retries,
                  (q->backoff_deadline - q->now) / NS_PER_MS);
        } else {
            start_election(q, out);
        }
    }
}

/* During a graceful shutdown no timer moves a node to another state: a leader resigns, a
 * resigned leader stays resigned (pollResigned), no voter stands (pollUnattached,
 * pollFollowerAsVoter) and a Candidate or Prospective only keeps asking for votes
 * (pollCandidate, pollProspective: `shutdown != null`). Returns whether it is shutting down. */
static bool expire_shutdown(struct quorum *q, struct quorum_out *out)
{
    if (!q->shutting_down) {
        return false;
    }
    if (q->role == QUORUM_LEADER) {
        become_resigned(q, out, "shutdown");
    }
    return true;
}

/* Timers of the current role (KafkaRaftClient.poll{Unattached,Follower,...}). */
static void expire_timers(struct quorum *q, struct quorum_out *out)
{
    expire_requests(q);
    if (expire_shutdown(q, out)) {
        return;
    }
    switch (q->role) {
    case QUORUM_LEADER:
        expire_leader(q, out);
        break;
    case QUORUM_UNATTACHED:
        if (q->voter && q->election_deadline <= q->now) {
            start_election(q, out);
        }
        break;
    case QUORUM_FOLLOWER:
        if (q->voter && q->fetch_deadline <= q->now) {
            start_election(q, out);
        } else if (!q->voter && q->fetch_deadline <= q->now) {
            /* ≤4.1: the observer asks random voters until a Fetch succeeds. */
            q->observer_fetch_expired = true;
            q->fetch_deadline = TIME_NS_MAX;
        }
        break;
    case QUORUM_PROSPECTIVE:
        if (q->election_deadline <= q->now) {
            prospective_fall_back(q, out);
        }
        break;
    case QUORUM_CANDIDATE:
        expire_candidate(q, out);
        break;
    case QUORUM_RESIGNED:
        if (q->election_deadline <= q->now) {
            if (q->cfg.pre_vote) {
                become_unattached(q, q->election.epoch + 1, -1, out);
            } else {
                become_candidate(q, out);
            }
        }
        break;
    }
}

void quorum_step(struct quorum *q, const struct quorum_event *ev, struct quorum_out *out)
{
    KS_ASSERT(ev->now >= q->now);
    q->now = ev->now;
    int32_t epoch_before = q->election.epoch;
    switch (ev->kind) {
    case QUORUM_EVENT_TICK:
        break;
    case QUORUM_EVENT_REQUEST:
        on_request(q, ev, out);
        break;
    case QUORUM_EVENT_RESPONSE:
        on_response(q, ev, out);
        break;
    case QUORUM_EVENT_FLUSHED:
        if (q->role == QUORUM_LEADER) {
            update_high_watermark(q, out);
        }
        snapshot_installed(q, out);
        break;
    case QUORUM_EVENT_DISCONNECT:
        on_disconnect(q, ev->from_node);
        break;
    }
    expire_timers(q, out);
    if (q->role == QUORUM_LEADER) {
        poll_parked(q, out);
    }
    poll_requests(q, out);
    KS_ASSERT(q->election.epoch >= epoch_before);
    KS_ASSERT(quorum_check(q));
}

time_ns quorum_next_deadline(const struct quorum *q)
{
    time_ns t = TIME_NS_MAX;
    const time_ns role_timers[] = {q->election_deadline, q->fetch_deadline,
                                   q->begin_quorum_deadline, q->backoff_deadline,
                                   q->linger_deadline};
    /* A shutting-down node's role timers move nothing (expire_shutdown): no wake-ups. */
    for (size_t i = 0; i < sizeof role_timers / sizeof role_timers[0] && !q->shutting_down;
         i++) {
        t = role_timers[i] < t ? role_timers[i] : t;
    }
    if (q->role == QUORUM_LEADER && q->cfg.check_quorum) {
        time_ns c = check_quorum_expiry((struct quorum *)q);
        t = c < t ? c : t;
    }
    for (int i = 0; i <= QUORUM_VOTER_MAX; i++) {
        const struct quorum_peer *p = &q->peers[i];
        if (p->in_flight && p->deadline < t) {
            t = p->deadline;
        }
        if (!p->in_flight && p->backoff_until > q->now && p->backoff_until < t) {
            t = p->backoff_until;
        }
    }
    for (uint32_t i = 0; i < q->parked_count; i++) {
        t = q->parked[i].deadline < t ? q->parked[i].deadline : t;
    }
    if (q->shutting_down && q->shutdown_deadline > q->now && q->shutdown_deadline < t) {
        t = q->shutdown_deadline; /* to notice a shutdown that timed out */
    }
    return t;
}

void quorum_init(struct quorum *q, const struct quorum_config *cfg, struct raft_log *log,
                 const struct quorum_election *stored, uint64_t seed, time_ns now,
                 struct quorum_out *out)
{
    KS_ASSERT(cfg->voter_count > 0 && cfg->voter_count <= QUORUM_VOTER_MAX);
    memset(q, 0, sizeof *q);
    q->cfg = *cfg;
    q->log = log;
    q->rng.state = seed;
    q->now = now;
    q->voter = voter_index(q, cfg->node_id) >= 0;
    q->high_watermark = -1;
    q->election = *stored;
    q->election_deadline = TIME_NS_MAX;
    clear_role_state(q);
    for (int i = 0; i < cfg->voter_count; i++) {
        q->peers[i].node_id = cfg->voter_ids[i];
    }
    q->peers[QUORUM_VOTER_MAX].node_id = -1;
    /* QuorumState.initialize (KRAFT.md 3.1 "startup"). */
    int32_t log_epoch = raft_log_last_epoch(log);
    if (stored->epoch < log_epoch) {
        q->role = QUORUM_UNATTACHED;
        q->election.epoch = stored->epoch;
        become_unattached(q, log_epoch, -1, out);
    } else if (q->voter && stored->leader_id == cfg->node_id) {
        q->role = QUORUM_LEADER;
        become_resigned(q, out, "restart");
    } else if (q->voter && stored->voted_id == cfg->node_id && stored->leader_id < 0) {
        q->role = QUORUM_CANDIDATE;
        q->granted = 1u << voter_index(q, cfg->node_id);
        q->election_deadline = now + randomized_election_timeout(q);
        trace_state(q, out);
    } else if (stored->leader_id >= 0 && stored->leader_id != cfg->node_id) {
        q->role = QUORUM_FOLLOWER;
        reset_fetch_timer(q);
        trace_state(q, out);
    } else {
        q->role = QUORUM_UNATTACHED;
        q->election_deadline = q->voter ? now + randomized_election_timeout(q) : TIME_NS_MAX;
        trace_state(q, out);
    }
    if (q->voter && cfg->voter_count == 1 && q->role != QUORUM_LEADER) {
        become_candidate(q, out); /* the sole voter elects itself at once */
    }
    poll_requests(q, out);
    KS_ASSERT(quorum_check(q));
}

void quorum_free(struct quorum *q)
{
    free(q->pending);
    free(q->parked);
    q->pending = NULL;
    q->parked = NULL;
}

void quorum_resign(struct quorum *q, time_ns now, struct quorum_out *out)
{
    q->now = now > q->now ? now : q->now;
    if (q->role == QUORUM_LEADER) {
        become_resigned(q, out, "shutdown");
        poll_requests(q, out);
    }
}

void quorum_shutdown(struct quorum *q, time_ns now, time_ns timeout, struct quorum_out *out)
{
    KS_ASSERT(timeout >= 0);
    q->now = now > q->now ? now : q->now;
    if (q->shutting_down) {
        return;
    }
    q->shutting_down = true;
    q->shutdown_deadline = q->now + timeout;
    trace(out, TRACE_NOTE, "Beginning graceful shutdown role=%s epoch=%d timeout_ms=%" PRId64,
          state_name(q), q->election.epoch, timeout / NS_PER_MS);
    /* pollLeader: shutdown != null -> transitionToResigned, EndQuorumEpoch to every voter. */
    if (q->role == QUORUM_LEADER) {
        become_resigned(q, out, "shutdown");
    }
    poll_requests(q, out);
    KS_ASSERT(quorum_check(q));
}

bool quorum_shutdown_done(const struct quorum *q)
{
    if (!q->shutting_down) {
        return false;
    }
    bool remote_leader = q->election.leader_id >= 0 && !is_self(q, q->election.leader_id);
    return q->now >= q->shutdown_deadline || !q->voter || q->cfg.voter_count == 1 ||
           remote_leader;
}

void quorum_view(const struct quorum *q, struct quorum_view *out)
{
    *out = (struct quorum_view){
        .node_id = q->cfg.node_id, .voter = q->voter, .role = q->role,
        .epoch = q->election.epoch, .leader_id = q->election.leader_id,
        .voted_id = q->election.voted_id, .high_watermark = q->high_watermark,
        .log_end_offset = raft_log_end_offset(q->log),
        .log_flushed_offset = raft_log_flushed_offset(q->log),
        .last_epoch = raft_log_last_epoch(q->log)};
}

bool quorum_check(const struct quorum *q)
{
    const struct quorum_election *e = &q->election;
    switch (q->role) {
    case QUORUM_LEADER:
        return q->voter && e->leader_id == q->cfg.node_id && q->rejected == 0;
    case QUORUM_CANDIDATE:
        return q->voter && e->voted_id == q->cfg.node_id && e->leader_id < 0;
    case QUORUM_FOLLOWER:
        return e->leader_id >= 0 && e->leader_id != q->cfg.node_id && q->granted == 0;
    case QUORUM_PROSPECTIVE:
    case QUORUM_RESIGNED:
        return q->voter;
    case QUORUM_UNATTACHED:
        return e->leader_id < 0 && q->granted == 0;
    }
    return false;
}
