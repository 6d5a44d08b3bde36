/* group_client.c — a consumer's side of the classic group protocol (see group_client.h). */
#include "workload/group_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/group_rpc.h"
#include "protocol/header.h"

#define FIND_COORDINATOR_VERSION 4
#define JOIN_GROUP_VERSION 9
#define SYNC_GROUP_VERSION 5
#define HEARTBEAT_VERSION 4
#define OFFSET_COMMIT_VERSION 8
#define OFFSET_FETCH_VERSION 8
#define PROTOCOL_TYPE "consumer"

static time_ns ms(int64_t v) { return (time_ns)v * NS_PER_MS; }
static time_ns now_of(const struct group_client *g) { return env_now(g->env); }

void group_client_init(struct group_client *g, const struct env *env,
                       const struct group_client_config *cfg, int32_t *correlation_next)
{
    memset(g, 0, sizeof *g);
    g->env = env;
    g->cfg = *cfg;
    g->correlation_next = correlation_next;
    g->phase = GROUP_CLIENT_FIND;
    g->coordinator = -1;
    g->generation = -1;
    g->hosts[0] = cfg->bootstrap_host;
    g->host_count = 1;
    if (g->cfg.assignor_count == 0) { /* a caller with no list: RangeAssignor alone */
        g->cfg.assignors[0] = CLIENT_ASSIGNOR_RANGE;
        g->cfg.assignor_count = 1;
    }
    g->cooperative = true;
    for (int i = 0; i < g->cfg.assignor_count; i++) {
        KS_ASSERT(g->cfg.assignors[i] == CLIENT_ASSIGNOR_RANGE ||
                  g->cfg.assignors[i] == CLIENT_ASSIGNOR_COOPERATIVE_STICKY);
        g->cooperative = g->cooperative &&
                         g->cfg.assignors[i] == CLIENT_ASSIGNOR_COOPERATIVE_STICKY;
    }
    g->protocol = g->cfg.assignors[0];
    g->sticky_generation = -1;
    for (int i = 0; i < CLIENT_PARTITIONS_MAX; i++) {
        g->committed[i] = -1;
        g->commit_sent[i] = -1;
    }
}

/* ---- phases -------------------------------------------------------------------------------- */

/* Every owned partition goes: revoked before an eager rejoin, lost with the generation. */
static void revoke_all(struct group_client *g)
{
    for (int i = 0; i < CLIENT_PARTITIONS_MAX; i++) {
        if (g->assigned[i] || g->incoming[i]) {
            g->revoked_parts[i] = true;
            g->revoked = true;
        }
        g->assigned[i] = false;
        g->incoming[i] = false;
    }
    g->rejoin_after_offsets = false;
}

/* Back to FindCoordinator (markCoordinatorUnknown), after the backoff. */
/* A Stable member keeps its partitions and fetching meanwhile, and heartbeats the coordinator
 * it finds; one mid-rebalance joins again there. */
static void lose_coordinator(struct group_client *g)
{
    g->coordinator = -1;
    g->corr = 0;
    g->heartbeat_corr = 0;
    g->commit_corr = 0;
    if (g->phase != GROUP_CLIENT_STABLE) {
        g->phase = GROUP_CLIENT_FIND;
    }
    g->not_before = now_of(g) + ms(g->cfg.retry_backoff_ms);
}

/* Why a member joins again: the group rebalances (it keeps its generation until the new one),
 * its generation is gone (ILLEGAL_GENERATION), or its member id too (UNKNOWN_MEMBER_ID). */
enum rejoin_cause { REJOIN_REBALANCE, REJOIN_LOST_GENERATION, REJOIN_LOST_MEMBER };

/* onJoinPrepare: eager revokes everything; cooperative keeps its partitions unless the
 * generation is gone, when they are lost (onPartitionsLost). */
static void rejoin(struct group_client *g, enum rejoin_cause cause)
{
    if (cause == REJOIN_LOST_MEMBER) {
        g->member_id[0] = '\0';
    }
    if (cause != REJOIN_REBALANCE) {
        g->generation = -1; /* resetStateAndGeneration */
    }
    if (!g->cooperative || cause != REJOIN_REBALANCE) {
        revoke_all(g);
    }
    g->phase = g->coordinator >= 0 ? GROUP_CLIENT_JOIN : GROUP_CLIENT_FIND;
    g->corr = 0;
    g->heartbeat_corr = 0;
    g->rebalances++;
}

/* The answer to a group request that failed as a whole: what the error means to a member. */
static void on_group_error(struct group_client *g, int16_t error)
{
    switch (error) {
    case KAFKA_NOT_COORDINATOR:
    case KAFKA_COORDINATOR_NOT_AVAILABLE:
    case KAFKA_COORDINATOR_LOAD_IN_PROGRESS:
        lose_coordinator(g);
        break;
    case KAFKA_UNKNOWN_MEMBER_ID:
        rejoin(g, REJOIN_LOST_MEMBER);
        break;
    case KAFKA_ILLEGAL_GENERATION:
        rejoin(g, REJOIN_LOST_GENERATION);
        break;
    case KAFKA_REBALANCE_IN_PROGRESS:
        rejoin(g, REJOIN_REBALANCE);
        break;
    default:
        rejoin(g, REJOIN_REBALANCE);
        g->not_before = now_of(g) + ms(g->cfg.retry_backoff_ms);
        break;
    }
}

/* ---- requests ------------------------------------------------------------------------------ */

static int32_t begin(struct group_client *g, struct wire_writer *w, int16_t key, int16_t version,
                     size_t *mark)
{
    int32_t corr = ++*g->correlation_next;
    *mark = client_frame_begin(w, key, version, corr, g->cfg.client_id);
    return corr;
}

static void send_find(struct group_client *g)
{
    struct wire_writer w;
    size_t mark;
    g->corr = begin(g, &w, KAFKA_API_FIND_COORDINATOR, FIND_COORDINATOR_VERSION, &mark);
    const char *keys[1] = {g->cfg.group_id};
    struct find_coordinator_request req;
    find_coordinator_request_init(&req);
    req.key_type = 0;
    req.coordinator_key_count = 1;
    req.coordinator_keys = keys;
    find_coordinator_request_encode(&w, &req, FIND_COORDINATOR_VERSION);
    g->corr_host = g->hosts[g->next_host % g->host_count];
    client_send(g->env, g->corr_host, &w, mark);
    g->corr_deadline = now_of(g) + ms(g->cfg.request_timeout_ms);
}

void group_client_set_hosts(struct group_client *g, const int *hosts, int n)
{
    g->host_count = 1; /* the bootstrap server stays first */
    for (int i = 0; i < n && g->host_count < CLIENT_PARTITIONS_MAX + 1; i++) {
        bool known = hosts[i] < 0;
        for (int k = 0; k < g->host_count && !known; k++) {
            known = g->hosts[k] == hosts[i];
        }
        if (!known) {
            g->hosts[g->host_count++] = hosts[i];
        }
    }
}

/* ConsumerProtocolSubscription for one assignor: the one topic; user data (cooperative-sticky:
 * its generation, as CooperativeStickyAssignor.subscriptionUserData writes it); v1+ the owned
 * partitions; v2+ the member's generation; v3+ a null rack. */
static void subscription(struct wire_writer *w, const struct group_client *g,
                         enum client_assignor assignor)
{
    int16_t v = g->cfg.protocol_version;
    wire_writer_init(w);
    wire_write_int16(w, v);
    wire_write_array_len(w, 1, false);
    wire_write_string(w, g->cfg.topic, false);
    uint8_t user[4];
    bool sticky = assignor == CLIENT_ASSIGNOR_COOPERATIVE_STICKY;
    for (int i = 0; i < 4; i++) {
        user[i] = (uint8_t)((uint32_t)g->sticky_generation >> (24 - 8 * i));
    }
    wire_write_nullable_bytes(w, (struct wire_bytes){sticky ? user : NULL, sticky ? 4 : -1},
                              false);
    if (v >= 1) {
        int32_t owned = 0;
        for (int32_t p = 0; p < CLIENT_PARTITIONS_MAX; p++) {
            owned += g->assigned[p] || g->incoming[p] ? 1 : 0;
        }
        wire_write_array_len(w, owned > 0 ? 1 : 0, false);
        if (owned > 0) {
            wire_write_string(w, g->cfg.topic, false);
            wire_write_array_len(w, owned, false);
            for (int32_t p = 0; p < CLIENT_PARTITIONS_MAX; p++) {
                if (g->assigned[p] || g->incoming[p]) {
                    wire_write_int32(w, p);
                }
            }
        }
    }
    if (v >= 2) {
        wire_write_int32(w, g->generation);
    }
    if (v >= 3) {
        wire_write_nullable_string(w, NULL, false);
    }
}

static void send_join(struct group_client *g)
{
    struct wire_writer meta[CLIENT_ASSIGNORS_MAX];
    struct join_group_protocol protos[CLIENT_ASSIGNORS_MAX];
    for (int i = 0; i < g->cfg.assignor_count; i++) {
        subscription(&meta[i], g, g->cfg.assignors[i]);
        protos[i] = (struct join_group_protocol){
            .name = client_assignor_name(g->cfg.assignors[i]),
            .metadata = {meta[i].bytes, (int32_t)meta[i].len}};
    }
    struct join_group_request req;
    join_group_request_init(&req);
    req.group_id = g->cfg.group_id;
    req.session_timeout_ms = g->cfg.session_timeout_ms;
    req.rebalance_timeout_ms = g->cfg.rebalance_timeout_ms;
    req.member_id = g->member_id;
    req.protocol_type = PROTOCOL_TYPE;
    req.protocol_count = g->cfg.assignor_count;
    req.protocols = protos;
    struct wire_writer w;
    size_t mark;
    g->corr = begin(g, &w, KAFKA_API_JOIN_GROUP, JOIN_GROUP_VERSION, &mark);
    join_group_request_encode(&w, &req, JOIN_GROUP_VERSION);
    g->corr_host = g->coordinator;
    client_send(g->env, g->coordinator, &w, mark);
    for (int i = 0; i < g->cfg.assignor_count; i++) {
        wire_writer_free(&meta[i]);
    }
    /* the coordinator may hold it for the whole join phase (the rebalance timeout) */
    g->corr_deadline = now_of(g) + ms(g->cfg.rebalance_timeout_ms + 5000);
}

/* ConsumerProtocolAssignment for one member (every version has the same fields). */
static void assignment(struct wire_writer *w, int16_t version, const char *topic,
                       const bool *parts, int32_t partition_count)
{
    int32_t n = 0;
    for (int32_t p = 0; p < partition_count; p++) {
        n += parts[p] ? 1 : 0;
    }
    wire_writer_init(w);
    wire_write_int16(w, version);
    wire_write_array_len(w, 1, false);
    wire_write_string(w, topic, false);
    wire_write_array_len(w, n, false);
    for (int32_t p = 0; p < partition_count; p++) {
        if (parts[p]) {
            wire_write_int32(w, p);
        }
    }
    wire_write_nullable_bytes(w, (struct wire_bytes){NULL, -1}, false);
}

static void send_sync(struct group_client *g)
{
    bool plan[GROUP_CLIENT_MEMBERS_MAX][CLIENT_PARTITIONS_MAX];
    struct wire_writer bytes[GROUP_CLIENT_MEMBERS_MAX];
    struct sync_group_assignment as[GROUP_CLIENT_MEMBERS_MAX];
    int n = g->leader ? g->member_count : 0;
    if (g->leader) {
        if (g->protocol == CLIENT_ASSIGNOR_COOPERATIVE_STICKY) {
            group_client_cooperative_sticky(g->members, n, g->partition_count, plan);
        } else {
            group_client_range(g->members, n, g->partition_count, plan);
        }
        for (int i = 0; i < n; i++) {
            assignment(&bytes[i], g->cfg.protocol_version, g->cfg.topic, plan[i],
                       g->partition_count);
            as[i] = (struct sync_group_assignment){g->members[i].id,
                                                   {bytes[i].bytes, (int32_t)bytes[i].len}};
        }
    }
    struct sync_group_request req;
    sync_group_request_init(&req);
    req.group_id = g->cfg.group_id;
    req.generation_id = g->generation;
    req.member_id = g->member_id;
    req.protocol_type = PROTOCOL_TYPE;
    req.protocol_name = client_assignor_name(g->protocol);
    req.assignment_count = n;
    req.assignments = as;
    struct wire_writer w;
    size_t mark;
    g->corr = begin(g, &w, KAFKA_API_SYNC_GROUP, SYNC_GROUP_VERSION, &mark);
    sync_group_request_encode(&w, &req, SYNC_GROUP_VERSION);
    g->corr_host = g->coordinator;
    client_send(g->env, g->coordinator, &w, mark);
    for (int i = 0; i < n; i++) {
        wire_writer_free(&bytes[i]);
    }
    g->corr_deadline = now_of(g) + ms(g->cfg.request_timeout_ms);
}

static void send_offset_fetch(struct group_client *g)
{
    int32_t parts[CLIENT_PARTITIONS_MAX];
    int32_t n = 0;
    for (int32_t p = 0; p < g->partition_count; p++) {
        if (g->incoming[p]) {
            parts[n++] = p;
        }
    }
    struct offset_fetch_request_topic t = {.name = g->cfg.topic, .partition_index_count = n,
                                           .partition_indexes = parts};
    struct offset_fetch_request_group grp = {.group_id = g->cfg.group_id, .member_epoch = -1,
                                             .topic_count = 1, .topics = &t};
    struct offset_fetch_request req;
    offset_fetch_request_init(&req);
    req.group_count = 1;
    req.groups = &grp;
    req.require_stable = true; /* ConsumerCoordinator.fetchCommittedOffsets does */
    struct wire_writer w;
    size_t mark;
    g->corr = begin(g, &w, KAFKA_API_OFFSET_FETCH, OFFSET_FETCH_VERSION, &mark);
    offset_fetch_request_encode(&w, &req, OFFSET_FETCH_VERSION);
    g->corr_host = g->coordinator;
    client_send(g->env, g->coordinator, &w, mark);
    g->corr_deadline = now_of(g) + ms(g->cfg.request_timeout_ms);
}

static void send_heartbeat(struct group_client *g)
{
    struct heartbeat_request req;
    heartbeat_request_init(&req);
    req.group_id = g->cfg.group_id;
    req.generation_id = g->generation;
    req.member_id = g->member_id;
    struct wire_writer w;
    size_t mark;
    g->heartbeat_corr = begin(g, &w, KAFKA_API_HEARTBEAT, HEARTBEAT_VERSION, &mark);
    heartbeat_request_encode(&w, &req, HEARTBEAT_VERSION);
    client_send(g->env, g->coordinator, &w, mark);
    g->heartbeat_deadline = now_of(g) + ms(g->cfg.request_timeout_ms);
    g->next_heartbeat = now_of(g) + ms(g->cfg.heartbeat_interval_ms);
}

static void send_commit(struct group_client *g, const int64_t *positions)
{
    struct offset_commit_request_partition parts[CLIENT_PARTITIONS_MAX];
    int32_t n = 0;
    for (int32_t p = 0; p < g->partition_count; p++) {
        g->commit_sent[p] = g->assigned[p] && positions[p] >= 0 ? positions[p] : -1;
        if (g->commit_sent[p] >= 0) {
            parts[n++] = (struct offset_commit_request_partition){
                .partition_index = p, .committed_offset = positions[p],
                .committed_leader_epoch = -1, .committed_metadata = ""};
        }
    }
    g->next_commit = now_of(g) + ms(g->cfg.auto_commit_interval_ms);
    if (n == 0) {
        return;
    }
    struct offset_commit_request_topic t = {.name = g->cfg.topic, .partition_count = n,
                                            .partitions = parts};
    struct offset_commit_request req;
    offset_commit_request_init(&req);
    req.group_id = g->cfg.group_id;
    req.generation_id_or_member_epoch = g->generation;
    req.member_id = g->member_id;
    req.topic_count = 1;
    req.topics = &t;
    struct wire_writer w;
    size_t mark;
    g->commit_corr = begin(g, &w, KAFKA_API_OFFSET_COMMIT, OFFSET_COMMIT_VERSION, &mark);
    offset_commit_request_encode(&w, &req, OFFSET_COMMIT_VERSION);
    client_send(g->env, g->coordinator, &w, mark);
    g->commit_deadline = now_of(g) + ms(g->cfg.request_timeout_ms);
}

/* ---- answers ------------------------------------------------------------------------------- */

static bool decode(const uint8_t *bytes, size_t len, int16_t key, int16_t version,
                   struct wire_reader *body)
{
    struct kheader_response h;
    return kheader_response_decode_frame(bytes, len, key, version, &h, body) == 0;
}

static void on_find(struct group_client *g, struct wire_reader *body, struct wire_arena *a)
{
    struct find_coordinator_response r;
    if (find_coordinator_response_decode(body, FIND_COORDINATOR_VERSION, a, &r) != 0 ||
        r.coordinator_count != 1 || r.coordinators[0].error_code != KAFKA_NONE) {
        g->not_before = now_of(g) + ms(g->cfg.retry_backoff_ms);
        return; /* COORDINATOR_NOT_AVAILABLE while __consumer_offsets is created or led */
    }
    const struct find_coordinator_coordinator *c = &r.coordinators[0];
    g->coordinator = g->env->ops->resolve(g->env->ctx, c->host, (uint16_t)c->port);
    if (g->coordinator < 0) {
        g->not_before = now_of(g) + ms(g->cfg.retry_backoff_ms);
        return;
    }
    g->phase = g->phase == GROUP_CLIENT_STABLE ? GROUP_CLIENT_STABLE : GROUP_CLIENT_JOIN;
}

/* A []TopicPartition of the consumer protocol: sets out[p] for each partition p of `topic`. */
static void read_partitions(struct wire_reader *r, struct wire_arena *a, const char *topic,
                            bool *out)
{
    int32_t topics = wire_read_array_count(r, false);
    for (int32_t t = 0; t < topics && r->err == 0; t++) {
        const char *name = wire_read_string(r, a, false);
        int32_t n = wire_read_array_count(r, false);
        for (int32_t i = 0; i < n && r->err == 0; i++) {
            int32_t p = wire_read_int32(r);
            if (name != NULL && strcmp(name, topic) == 0 && p >= 0 && p < CLIENT_PARTITIONS_MAX) {
                out[p] = true;
            }
        }
    }
}

/* A member's ConsumerProtocolSubscription, as the leader's assignor reads it (MemberData):
 * the partitions of our topic it owns, and their generation (the v2+ field, else
 * cooperative-sticky's user data). A newer version parses as the newest we know. */
static void read_subscription(const struct group_client *g, struct wire_bytes bytes,
                              struct wire_arena *a, struct group_client_member *m)
{
    memset(m->owned, 0, sizeof m->owned);
    m->generation = -1;
    if (bytes.len <= 0) {
        return;
    }
    struct wire_reader r;
    wire_reader_init(&r, bytes.ptr, (size_t)bytes.len);
    int16_t version = wire_read_int16(&r);
    int32_t topics = wire_read_array_count(&r, false);
    for (int32_t t = 0; t < topics && r.err == 0; t++) {
        (void)wire_read_string(&r, a, false);
    }
    struct wire_bytes user = wire_read_nullable_bytes(&r, a, false);
    if (user.len == 4 && g->protocol == CLIENT_ASSIGNOR_COOPERATIVE_STICKY) {
        m->generation = (int32_t)((uint32_t)user.ptr[0] << 24 | (uint32_t)user.ptr[1] << 16 |
                                  (uint32_t)user.ptr[2] << 8 | user.ptr[3]);
    }
    if (version >= 1) {
        read_partitions(&r, a, g->cfg.topic, m->owned);
    }
    if (version >= 2 && r.err == 0) {
        m->generation = wire_read_int32(&r);
    }
    if (r.err != 0) { /* unreadable: it owns nothing we can trust */
        memset(m->owned, 0, sizeof m->owned);
        m->generation = -1;
    }
}

static void on_join(struct group_client *g, struct wire_reader *body, struct wire_arena *a)
{
    struct join_group_response r;
    if (join_group_response_decode(body, JOIN_GROUP_VERSION, a, &r) != 0) {
        on_group_error(g, KAFKA_UNKNOWN_SERVER_ERROR);
        return;
    }
    if (r.error_code == KAFKA_MEMBER_ID_REQUIRED) {
        snprintf(g->member_id, sizeof g->member_id, "%s", r.member_id);
        return; /* rejoin with it, at once */
    }
    if (r.error_code != KAFKA_NONE) {
        on_group_error(g, r.error_code);
        return;
    }
    snprintf(g->member_id, sizeof g->member_id, "%s", r.member_id);
    g->generation = r.generation_id;
    g->leader = r.leader != NULL && strcmp(r.leader, g->member_id) == 0;
    for (int i = 0; i < g->cfg.assignor_count; i++) {
        if (r.protocol_name != NULL &&
            strcmp(r.protocol_name, client_assignor_name(g->cfg.assignors[i])) == 0) {
            g->protocol = g->cfg.assignors[i];
        }
    }
    g->member_count = 0;
    for (int32_t i = 0; g->leader && i < r.member_count; i++) {
        if (g->member_count < GROUP_CLIENT_MEMBERS_MAX) {
            struct group_client_member *m = &g->members[g->member_count++];
            snprintf(m->id, sizeof m->id, "%s", r.members[i].member_id);
            read_subscription(g, r.members[i].metadata, a, m);
        }
    }
    g->phase = GROUP_CLIENT_SYNC;
}

/* ConsumerProtocolAssignment: the partitions of our topic, into fresh[]. */
static void read_assignment(const struct group_client *g, struct wire_bytes bytes,
                            struct wire_arena *a, bool *fresh)
{
    memset(fresh, 0, CLIENT_PARTITIONS_MAX * sizeof *fresh);
    if (bytes.len <= 0) {
        return;
    }
    struct wire_reader r;
    wire_reader_init(&r, bytes.ptr, (size_t)bytes.len);
    (void)wire_read_int16(&r);
    read_partitions(&r, a, g->cfg.topic, fresh);
}

/* The assignment is whole: the incoming partitions are fetched from their committed offsets,
 * and a cooperative member that revoked some joins again for them to move. */
static void assignment_complete(struct group_client *g)
{
    for (int i = 0; i < CLIENT_PARTITIONS_MAX; i++) {
        g->added[i] = g->incoming[i];
        g->assigned[i] = g->assigned[i] || g->incoming[i];
        g->incoming[i] = false;
    }
    g->phase = GROUP_CLIENT_STABLE;
    g->assignment_ready = true;
    g->next_commit = now_of(g) + ms(g->cfg.auto_commit_interval_ms);
    if (g->rejoin_after_offsets) {
        g->rejoin_after_offsets = false;
        rejoin(g, REJOIN_REBALANCE); /* requestRejoin: "need to revoke partitions and re-join" */
    }
}

/* onJoinComplete: what the member owned and is no longer assigned is revoked (eager owns
 * nothing by now); what is new waits for its committed offsets. */
static void take_assignment(struct group_client *g, const bool *fresh)
{
    for (int i = 0; i < CLIENT_PARTITIONS_MAX; i++) {
        bool owned = g->assigned[i] || g->incoming[i];
        if (owned && !fresh[i]) {
            g->revoked_parts[i] = true;
            g->revoked = true;
            g->rejoin_after_offsets = g->cooperative;
        }
        g->assigned[i] = g->assigned[i] && fresh[i];
        g->incoming[i] = fresh[i] && !g->assigned[i];
    }
    if (g->protocol == CLIENT_ASSIGNOR_COOPERATIVE_STICKY) {
        g->sticky_generation = g->generation; /* onAssignment */
    }
}

static void on_sync(struct group_client *g, struct wire_reader *body, struct wire_arena *a)
{
    struct sync_group_response r;
    if (sync_group_response_decode(body, SYNC_GROUP_VERSION, a, &r) != 0) {
        on_group_error(g, KAFKA_UNKNOWN_SERVER_ERROR);
        return;
    }
    if (r.error_code != KAFKA_NONE) {
        on_group_error(g, r.error_code);
        return;
    }
    bool fresh[CLIENT_PARTITIONS_MAX];
    read_assignment(g, r.assignment, a, fresh);
    take_assignment(g, fresh);
    g->next_heartbeat = now_of(g) + ms(g->cfg.heartbeat_interval_ms);
    bool any = false;
    for (int i = 0; i < CLIENT_PARTITIONS_MAX; i++) {
        any = any || g->incoming[i];
    }
    g->phase = GROUP_CLIENT_FETCH_OFFSETS;
    if (!any) { /* refreshCommittedOffsetsIfNeeded: no initializing partition, no request */
        assignment_complete(g);
    }
}

static void on_offsets(struct group_client *g, struct wire_reader *body, struct wire_arena *a)
{
    struct offset_fetch_response r;
    if (offset_fetch_response_decode(body, OFFSET_FETCH_VERSION, a, &r) != 0 ||
        r.group_count != 1 || r.groups[0].error_code != KAFKA_NONE) {
        on_group_error(g, r.group_count == 1 ? r.groups[0].error_code
                                             : KAFKA_UNKNOWN_SERVER_ERROR);
        return;
    }
    for (int i = 0; i < CLIENT_PARTITIONS_MAX; i++) {
        g->committed[i] = -1;
    }
    const struct offset_fetch_response_group *grp = &r.groups[0];
    for (int32_t t = 0; t < grp->topic_count; t++) {
        for (int32_t i = 0; i < grp->topics[t].partition_count; i++) {
            const struct offset_fetch_response_partition *p = &grp->topics[t].partitions[i];
            if (p->partition_index >= 0 && p->partition_index < CLIENT_PARTITIONS_MAX) {
                g->committed[p->partition_index] = p->committed_offset;
            }
        }
    }
    assignment_complete(g);
}

static void on_heartbeat(struct group_client *g, struct wire_reader *body, struct wire_arena *a)
{
    g->heartbeat_corr = 0;
    struct heartbeat_response r;
    if (heartbeat_response_decode(body, HEARTBEAT_VERSION, a, &r) == 0 &&
        r.error_code != KAFKA_NONE && g->phase == GROUP_CLIENT_STABLE) {
        on_group_error(g, r.error_code);
    }
}

static void on_commit(struct group_client *g, struct wire_reader *body, struct wire_arena *a)
{
    g->commit_corr = 0;
    struct offset_commit_response r;
    if (offset_commit_response_decode(body, OFFSET_COMMIT_VERSION, a, &r) != 0) {
        return;
    }
    int16_t error = KAFKA_NONE;
    for (int32_t t = 0; t < r.topic_count; t++) {
        for (int32_t i = 0; i < r.topics[t].partition_count; i++) {
            error = error != KAFKA_NONE ? error : r.topics[t].partitions[i].error_code;
        }
    }
    if (error == KAFKA_NONE) {
        g->commit_done = true;
    } else if (g->phase == GROUP_CLIENT_STABLE) {
        on_group_error(g, error);
    }
}

bool group_client_on_response(struct group_client *g, int32_t corr, const uint8_t *bytes,
                              size_t len)
{
    if (corr <= 0 || (corr != g->corr && corr != g->heartbeat_corr && corr != g->commit_corr)) {
        return false;
    }
    struct wire_arena a;
    wire_arena_init(&a);
    struct wire_reader body;
    static const int16_t keys[] = {KAFKA_API_FIND_COORDINATOR, KAFKA_API_JOIN_GROUP,
                                   KAFKA_API_SYNC_GROUP, KAFKA_API_OFFSET_FETCH};
    static const int16_t versions[] = {FIND_COORDINATOR_VERSION, JOIN_GROUP_VERSION,
                                       SYNC_GROUP_VERSION, OFFSET_FETCH_VERSION};
    if (corr == g->heartbeat_corr) {
        if (decode(bytes, len, KAFKA_API_HEARTBEAT, HEARTBEAT_VERSION, &body)) {
            on_heartbeat(g, &body, &a);
        }
    } else if (corr == g->commit_corr) {
        if (decode(bytes, len, KAFKA_API_OFFSET_COMMIT, OFFSET_COMMIT_VERSION, &body)) {
            on_commit(g, &body, &a);
        }
    } else {
        g->corr = 0;
        int k = g->phase == GROUP_CLIENT_FIND ? 0 : g->phase == GROUP_CLIENT_JOIN ? 1
                : g->phase == GROUP_CLIENT_SYNC ? 2 : 3;
        void (*const on[])(struct group_client *, struct wire_reader *,
                           struct wire_arena *) = {on_find, on_join, on_sync, on_offsets};
        if (decode(bytes, len, keys[k], versions[k], &body)) {
            on[k](g, &body, &a);
        }
    }
    wire_arena_free(&a);
    return true;
}

/* ---- time ---------------------------------------------------------------------------------- */

static void expire(struct group_client *g)
{
    time_ns now = now_of(g);
    if ((g->corr != 0 && now >= g->corr_deadline) ||
        (g->heartbeat_corr != 0 && now >= g->heartbeat_deadline) ||
        (g->commit_corr != 0 && now >= g->commit_deadline)) {
        g->next_host += g->coordinator < 0 ? 1 : 0;
        lose_coordinator(g); /* an unanswered request: the coordinator is unknown */
    }
}

void group_client_poll(struct group_client *g, const int64_t *positions)
{
    expire(g);
    time_ns now = now_of(g);
    if (g->coordinator < 0) {
        if (g->corr == 0 && now >= g->not_before) {
            send_find(g);
        }
        return;
    }
    if (g->corr != 0 || now < g->not_before) {
        return;
    }
    switch (g->phase) {
    case GROUP_CLIENT_FIND:
    case GROUP_CLIENT_JOIN:
        g->phase = GROUP_CLIENT_JOIN;
        send_join(g);
        break;
    case GROUP_CLIENT_SYNC:
        send_sync(g);
        break;
    case GROUP_CLIENT_FETCH_OFFSETS:
        send_offset_fetch(g);
        break;
    case GROUP_CLIENT_STABLE:
        if (g->heartbeat_corr == 0 && now >= g->next_heartbeat) {
            send_heartbeat(g);
        }
        if (g->cfg.auto_commit && g->commit_corr == 0 && now >= g->next_commit) {
            send_commit(g, positions);
        }
        break;
    }
}

void group_client_on_reset(struct group_client *g, int host)
{
    if (host >= 0 && host == g->coordinator) {
        lose_coordinator(g);
    } else if (host >= 0 && g->corr != 0 && g->coordinator < 0 && host == g->corr_host) {
        g->corr = 0; /* the FindCoordinator died with the connection: the next broker */
        g->next_host++;
        g->not_before = now_of(g) + ms(g->cfg.retry_backoff_ms);
    }
}

time_ns group_client_next_deadline(const struct group_client *g)
{
    time_ns next = TIME_NS_MAX;
    const time_ns cand[] = {g->corr != 0 ? g->corr_deadline : TIME_NS_MAX,
                            g->heartbeat_corr != 0 ? g->heartbeat_deadline : TIME_NS_MAX,
                            g->commit_corr != 0 ? g->commit_deadline : TIME_NS_MAX,
                            g->corr == 0 ? g->not_before : TIME_NS_MAX,
                            g->phase == GROUP_CLIENT_STABLE && g->heartbeat_corr == 0
                                ? g->next_heartbeat
                                : TIME_NS_MAX,
                            g->phase == GROUP_CLIENT_STABLE && g->cfg.auto_commit &&
                                    g->commit_corr == 0
                                ? g->next_commit
                                : TIME_NS_MAX};
    /* Called right after group_client_poll, which acted on everything due by now: a time not
     * after now is one nothing waits for (a backoff long over), not a reason to wake. */
    time_ns now = now_of(g);
    for (size_t i = 0; i < sizeof cand / sizeof cand[0]; i++) {
        next = cand[i] > now && cand[i] < next ? cand[i] : next;
    }
    return next;
}

/* ---- the assignors ------------------------------------------------------------------------ */

static int by_id(const void *a, const void *b)
{
    return strcmp(((const struct group_client_member *)a)->id,
                  ((const struct group_client_member *)b)->id);
}

void group_client_range(struct group_client_member *members, int member_count,
                        int32_t partitions, bool (*out)[CLIENT_PARTITIONS_MAX])
{
    KS_ASSERT(member_count <= GROUP_CLIENT_MEMBERS_MAX);
    qsort(members, (size_t)member_count, sizeof *members, by_id);
    int32_t each = member_count > 0 ? partitions / member_count : 0;
    int32_t extra = member_count > 0 ? partitions % member_count : 0;
    int32_t next = 0;
    for (int m = 0; m < member_count; m++) {
        memset(out[m], 0, sizeof out[m]);
        int32_t n = each + (m < extra ? 1 : 0);
        for (int32_t k = 0; k < n && next < CLIENT_PARTITIONS_MAX; k++) {
            out[m][next++] = true;
        }
    }
}

/* A list of member indexes, for the sticky assignor's unfilled lists (Java LinkedLists). */
struct member_list {
    int items[GROUP_CLIENT_MEMBERS_MAX];
    int count;
};

static void list_push(struct member_list *l, int m) { l->items[l->count++] = m; }

static int list_take(struct member_list *l, int at)
{
    int m = l->items[at];
    memmove(&l->items[at], &l->items[at + 1], (size_t)(l->count - at - 1) * sizeof l->items[0]);
    l->count--;
    return m;
}

/* allSubscriptionsEqual's claims: a partition two members own goes to the higher generation;
 * two of the same generation both lose it (and whoever gets it takes it over). */
static void sticky_claims(const struct group_client_member *members, int n, int32_t partitions,
                          bool (*kept)[CLIENT_PARTITIONS_MAX], bool *doubly)
{
    int claimant[CLIENT_PARTITIONS_MAX];
    for (int32_t p = 0; p < partitions; p++) {
        claimant[p] = -1;
        doubly[p] = false;
    }
    for (int m = 0; m < n; m++) {
        memset(kept[m], 0, sizeof kept[m]);
        for (int32_t p = 0; p < partitions; p++) {
            int o = claimant[p];
            if (!members[m].owned[p]) {
                continue;
            }
            if (o < 0 || members[m].generation > members[o].generation) {
                kept[m][p] = true;
                if (o >= 0) {
                    kept[o][p] = false;
                }
                claimant[p] = m;
            } else if (members[m].generation == members[o].generation) {
                doubly[p] = true;
                kept[o][p] = false;
                claimant[p] = m;
            }
        }
    }
    for (int m = 0; m < n; m++) {
        for (int32_t p = 0; p < partitions; p++) {
            kept[m][p] = kept[m][p] && !doubly[p];
        }
    }
}

/* The state of ConstrainedAssignmentBuilder. */
struct sticky {
    int n;
    int32_t min_quota, max_quota;
    int expected_over, current_over; /* members with more than min_quota: wanted, so far */
    int count[GROUP_CLIENT_MEMBERS_MAX];
    int revoked_from[CLIENT_PARTITIONS_MAX]; /* maybeRevokedPartitions: previous owner, -1 */
    int transfer_to[CLIENT_PARTITIONS_MAX];  /* partitionsTransferringOwnership: -1 */
    bool doubly[CLIENT_PARTITIONS_MAX];      /* partitionsWithMultiplePreviousOwners */
    bool taken[CLIENT_PARTITIONS_MAX];
    struct member_list under, exact; /* unfilled: under min_quota; at it, could take one more */
};

static void sticky_give(struct sticky *st, bool (*out)[CLIENT_PARTITIONS_MAX], int m, int32_t p)
{
    out[m][p] = true;
    st->taken[p] = true;
    st->count[m]++;
}

/* assignOwnedPartitions: each member keeps its owned partitions (lowest first) up to its quota. */
static void sticky_keep_owned(struct sticky *st, bool (*kept)[CLIENT_PARTITIONS_MAX],
                              int32_t partitions, bool (*out)[CLIENT_PARTITIONS_MAX])
{
    for (int m = 0; m < st->n; m++) {
        int owned = 0;
        for (int32_t p = 0; p < partitions; p++) {
            owned += kept[m][p] ? 1 : 0;
        }
        int keep = owned;
        if (owned >= st->min_quota) {
            keep = st->min_quota;
            if (owned >= st->max_quota && st->current_over < st->expected_over) {
                keep = st->max_quota;
                if (++st->current_over == st->expected_over) {
                    st->exact.count = 0;
                }
            } else if (st->current_over < st->expected_over) {
                list_push(&st->exact, m);
            }
        } else {
            list_push(&st->under, m);
        }
        for (int32_t p = 0; p < partitions; p++) {
            if (kept[m][p] && st->count[m] < keep) {
                sticky_give(st, out, m, p);
            } else if (kept[m][p]) {
                st->revoked_from[p] = m;
            }
        }
    }
}

/* assignRoundRobin: the unassigned partitions in order, to members under min_quota in turn, then
 * to those at it while more members may reach max_quota. */
static void sticky_round_robin(struct sticky *st, int32_t partitions,
                               bool (*out)[CLIENT_PARTITIONS_MAX])
{
    int it = 0; /* the iterator over `under` */
    for (int32_t p = 0; p < partitions; p++) {
        if (st->taken[p]) {
            continue;
        }
        int m;
        int from = -1; /* the position in `under` of m, if it came from there */
        if (it < st->under.count) {
            from = it++;
            m = st->under.items[from];
        } else if (st->under.count == 0) {
            KS_ASSERT(st->exact.count > 0); /* the quotas add up to the partitions */
            m = list_take(&st->exact, 0);
        } else {
            it = 1;
            from = 0;
            m = st->under.items[0];
        }
        sticky_give(st, out, m, p);
        if ((st->revoked_from[p] >= 0 && st->revoked_from[p] != m) || st->doubly[p]) {
            st->transfer_to[p] = m;
        }
        if (st->count[m] == st->min_quota && from >= 0) {
            list_take(&st->under, from);
            it--;
            list_push(&st->exact, m);
        } else if (st->count[m] == st->max_quota) {
            st->current_over++;
        }
    }
}

/*
 * CooperativeStickyAssignor for one topic, every member subscribed to it (the constrained
 * case): min_quota = partitions / members, max_quota the ceiling, partitions % members members
 * get max_quota. Then adjustAssignment: a partition moving between two owners is left out.
 */
void group_client_cooperative_sticky(struct group_client_member *members, int member_count,
                                     int32_t partitions, bool (*out)[CLIENT_PARTITIONS_MAX])
{
    KS_ASSERT(member_count <= GROUP_CLIENT_MEMBERS_MAX && partitions <= CLIENT_PARTITIONS_MAX);
    qsort(members, (size_t)member_count, sizeof *members, by_id);
    if (member_count == 0) {
        return;
    }
    bool kept[GROUP_CLIENT_MEMBERS_MAX][CLIENT_PARTITIONS_MAX];
    struct sticky st = {.n = member_count,
                        .min_quota = partitions / member_count,
                        .max_quota = (partitions + member_count - 1) / member_count,
                        .expected_over = partitions % member_count};
    sticky_claims(members, member_count, partitions, kept, st.doubly);
    for (int m = 0; m < member_count; m++) {
        memset(out[m], 0, sizeof out[m]);
    }
    for (int32_t p = 0; p < partitions; p++) {
        st.revoked_from[p] = -1;
        st.transfer_to[p] = -1;
    }
    sticky_keep_owned(&st, kept, partitions, out);
    sticky_round_robin(&st, partitions, out);
    for (int32_t p = 0; p < partitions; p++) {
        KS_ASSERT(st.taken[p]);
        if (st.transfer_to[p] >= 0) {
            out[st.transfer_to[p]][p] = false; /* its owner revokes it first */
        }
    }
}
