/* coordinator.c — the classic consumer group coordinator (see coordinator.h). */
#include "group/coordinator.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "protocol/group_rpc.h"
#include "protocol/header.h"
#include "protocol/record_batch.h"

struct gc_config gc_config_default(int32_t broker_id)
{
    return (struct gc_config){.broker_id = broker_id, .offsets_partitions = 50,
                              .min_session_timeout_ms = 6000,
                              .max_session_timeout_ms = 1800000,
                              .initial_rebalance_delay_ms = 3000};
}

static time_ns ms(int64_t v) { return (time_ns)v * NS_PER_MS; }

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src != NULL ? src : "");
}

void gc_init(struct group_coordinator *gc, const struct gc_config *cfg)
{
    KS_ASSERT(cfg->offsets_partitions > 0);
    memset(gc, 0, sizeof *gc);
    gc->cfg = *cfg;
    gc->owned = calloc((size_t)cfg->offsets_partitions, sizeof *gc->owned);
    KS_ASSERT(gc->owned != NULL);
}

static void member_free(struct group_member *m)
{
    for (int i = 0; i < m->protocol_count; i++) {
        free(m->protocols[i].metadata);
    }
    free(m->assignment);
    memset(m, 0, sizeof *m);
}

static void group_free(struct group *g)
{
    for (uint32_t i = 0; i < g->member_count; i++) {
        member_free(&g->members[i]);
    }
    free(g->members);
    free(g->offsets);
    memset(g, 0, sizeof *g);
}

void gc_free(struct group_coordinator *gc)
{
    for (uint32_t i = 0; i < gc->group_count; i++) {
        group_free(&gc->groups[i]);
    }
    free(gc->groups);
    for (uint32_t i = 0; i < gc->pending_count; i++) {
        free(gc->pending[i].offsets);
    }
    free(gc->pending);
    for (uint32_t i = 0; i < gc->append_count; i++) {
        free(gc->appends[i].bytes);
    }
    free(gc->appends);
    for (uint32_t i = 0; i < gc->parked_count; i++) {
        free(gc->parked[i].body);
    }
    free(gc->parked);
    free(gc->owned);
    memset(gc, 0, sizeof *gc);
}

int32_t gc_partition_for(const char *group_id, int32_t partitions)
{
    KS_ASSERT(partitions > 0);
    int32_t h = 0; /* String.hashCode over the id's chars (ids here are ASCII) */
    for (const unsigned char *p = (const unsigned char *)group_id; *p != '\0'; p++) {
        h = (int32_t)((uint32_t)h * 31u + *p);
    }
    return (int32_t)(h & 0x7fffffff) % partitions; /* Utils.abs is n & 0x7fffffff */
}

bool gc_owns(const struct group_coordinator *gc, int32_t partition)
{
    return partition >= 0 && partition < gc->cfg.offsets_partitions && gc->owned[partition];
}

const char *gc_state_name(enum group_state s)
{
    static const char *const names[] = {"Empty", "PreparingRebalance", "CompletingRebalance",
                                        "Stable"};
    return names[s];
}

/* ---- groups and members -------------------------------------------------------------------- */

static struct group *find_group(struct group_coordinator *gc, const char *id)
{
    for (uint32_t i = 0; i < gc->group_count; i++) {
        if (strcmp(gc->groups[i].id, id) == 0) {
            return &gc->groups[i];
        }
    }
    return NULL;
}

const struct group *gc_group(const struct group_coordinator *gc, const char *group_id)
{
    return find_group((struct group_coordinator *)gc, group_id);
}

static struct group *get_group(struct group_coordinator *gc, const char *id)
{
    struct group *g = find_group(gc, id);
    if (g != NULL) {
        return g;
    }
    gc->groups = array_grow(gc->groups, gc->group_count, &gc->group_capacity, sizeof *g);
    g = &gc->groups[gc->group_count++];
    memset(g, 0, sizeof *g);
    copy(g->id, sizeof g->id, id);
    g->partition = gc_partition_for(id, gc->cfg.offsets_partitions);
    g->state = GROUP_EMPTY;
    return g;
}

static struct group_member *find_member(struct group *g, const char *id)
{
    for (uint32_t i = 0; g != NULL && i < g->member_count; i++) {
        if (strcmp(g->members[i].id, id) == 0) {
            return &g->members[i];
        }
    }
    return NULL;
}

static struct group_member *add_member(struct group *g, const char *id)
{
    g->members = array_grow(g->members, g->member_count, &g->member_capacity,
                            sizeof *g->members);
    struct group_member *m = &g->members[g->member_count++];
    memset(m, 0, sizeof *m);
    copy(m->id, sizeof m->id, id);
    return m;
}

/* Removes member i, keeping the others in join order (the leader choice depends on it). */
static void remove_member(struct group *g, uint32_t i)
{
    KS_ASSERT(i < g->member_count);
    member_free(&g->members[i]);
    memmove(&g->members[i], &g->members[i + 1], (g->member_count - i - 1) * sizeof *g->members);
    g->member_count--;
}

static bool take_pending(struct group *g, const char *id)
{
    for (int i = 0; i < GROUP_PENDING_MAX; i++) {
        if (g->pending[i][0] != '\0' && strcmp(g->pending[i], id) == 0) {
            g->pending[i][0] = '\0';
            return true;
        }
    }
    return false;
}

/* ---- replies ------------------------------------------------------------------------------- */

static size_t reply_begin(struct wire_writer *w, uint64_t ctx, int16_t key, int16_t version)
{
    wire_writer_init(w);
    size_t mark = kheader_frame_begin(w);
    struct kheader_response h = {.correlation_id = (int32_t)(uint32_t)ctx};
    kheader_response_encode(w, &h, kheader_response_version(key, version));
    return mark;
}

static void reply_end(struct rm_out *out, struct wire_writer *w, size_t mark, uint64_t ctx)
{
    kheader_frame_end(w, mark);
    rm_out_push(out, (int)(ctx >> 32), ENV_CHANNEL_RESPONSE, w);
}

static const struct group_protocol *chosen(const struct group *g, const struct group_member *m)
{
    for (int i = 0; i < m->protocol_count; i++) {
        if (strcmp(m->protocols[i].name, g->protocol) == 0) {
            return &m->protocols[i];
        }
    }
    return NULL;
}

/* A JoinGroup answer: the leader's lists every member with its metadata for the protocol. */
static void answer_join(struct rm_out *out, const struct group *g, const char *member_id,
                        int16_t error, uint64_t ctx, int16_t version)
{
    struct join_group_response r;
    join_group_response_init(&r);
    r.error_code = error;
    bool ok = error == KAFKA_NONE;
    r.generation_id = ok ? g->generation : -1;
    r.protocol_type = ok && version >= 7 ? g->protocol_type : NULL;
    r.protocol_name = ok ? g->protocol : (version >= 7 ? NULL : "");
    r.leader = ok ? g->leader : "";
    r.member_id = member_id;
    struct join_group_member list[g != NULL && g->member_count > 0 ? g->member_count : 1];
    if (ok && strcmp(member_id, g->leader) == 0) {
        for (uint32_t i = 0; i < g->member_count; i++) {
            const struct group_protocol *p = chosen(g, &g->members[i]);
            list[r.member_count++] = (struct join_group_member){
                .member_id = g->members[i].id,
                .metadata = {p != NULL ? p->metadata : NULL,
                             p != NULL ? (int32_t)p->metadata_len : 0}};
        }
        r.members = list;
    }
    struct wire_writer w;
    size_t mark = reply_begin(&w, ctx, KAFKA_API_JOIN_GROUP, version);
    join_group_response_encode(&w, &r, version);
    reply_end(out, &w, mark, ctx);
}

static void answer_sync(struct rm_out *out, const struct group *g, const struct group_member *m,
                        int16_t error, uint64_t ctx, int16_t version)
{
    struct sync_group_response r;
    sync_group_response_init(&r);
    r.error_code = error;
    if (error == KAFKA_NONE && m != NULL) {
        r.protocol_type = version >= 5 ? g->protocol_type : NULL;
        r.protocol_name = version >= 5 ? g->protocol : NULL;
        r.assignment = (struct wire_bytes){m->assignment, (int32_t)m->assignment_len};
    }
    struct wire_writer w;
    size_t mark = reply_begin(&w, ctx, KAFKA_API_SYNC_GROUP, version);
    sync_group_response_encode(&w, &r, version);
    reply_end(out, &w, mark, ctx);
}

static void answer_error(struct rm_out *out, int16_t key, int16_t error, uint64_t ctx,
                         int16_t version)
{
    struct wire_writer w;
    size_t mark = reply_begin(&w, ctx, key, version);
    if (key == KAFKA_API_HEARTBEAT) {
        struct heartbeat_response r;
        heartbeat_response_init(&r);
        r.error_code = error;
        heartbeat_response_encode(&w, &r, version);
    } else {
        struct leave_group_response r;
        leave_group_response_init(&r);
        r.error_code = error;
        leave_group_response_encode(&w, &r, version);
    }
    reply_end(out, &w, mark, ctx);
}

/* ---- rebalances ---------------------------------------------------------------------------- */

static int32_t max_rebalance_timeout(const struct group *g)
{
    int32_t t = 0;
    for (uint32_t i = 0; i < g->member_count; i++) {
        t = g->members[i].rebalance_timeout_ms > t ? g->members[i].rebalance_timeout_ms : t;
    }
    return t;
}

/* prepareRebalance: parked SyncGroups learn the group is rebalancing. */
static void prepare_rebalance(struct group_coordinator *gc, struct group *g, time_ns now,
                              struct rm_out *out)
{
    for (uint32_t i = 0; i < g->member_count; i++) {
        struct group_member *m = &g->members[i];
        if (m->sync_waiting) {
            answer_sync(out, g, m, KAFKA_REBALANCE_IN_PROGRESS, m->sync_ctx, m->sync_version);
            m->sync_waiting = false;
        }
    }
    if (g->state == GROUP_EMPTY) {
        g->initial_delay_until = now + ms(gc->cfg.initial_rebalance_delay_ms);
    }
    g->state = GROUP_PREPARING_REBALANCE;
    g->join_deadline = now + ms(max_rebalance_timeout(g));
}

static bool supports(const struct group_member *m, const char *protocol)
{
    for (int k = 0; k < m->protocol_count; k++) {
        if (strcmp(m->protocols[k].name, protocol) == 0) {
            return true;
        }
    }
    return false;
}

static bool supported_by_all(const struct group *g, const char *protocol)
{
    for (uint32_t i = 0; i < g->member_count; i++) {
        if (!supports(&g->members[i], protocol)) {
            return false;
        }
    }
    return true;
}

/* A member's vote: the first protocol it lists that every member supports, or NULL. */
static const char *vote_of(const struct group *g, const struct group_member *m)
{
    for (int k = 0; k < m->protocol_count; k++) {
        if (supported_by_all(g, m->protocols[k].name)) {
            return m->protocols[k].name;
        }
    }
    return NULL;
}

/* selectProtocol: each member votes for the first protocol it lists that every member
 * supports, and the most votes win; a tie goes to the one the first member prefers (Java takes
 * the first of a HashMap's order). join_precheck lets in only members that share a protocol
 * with all the others, so someone votes. */
static void select_protocol(struct group *g)
{
    const struct group_member *first = &g->members[0];
    int best = 0;
    uint32_t best_votes = 0;
    for (int p = 0; p < first->protocol_count; p++) {
        uint32_t votes = 0;
        for (uint32_t i = 0; i < g->member_count; i++) {
            const char *v = vote_of(g, &g->members[i]);
            votes += v != NULL && strcmp(v, first->protocols[p].name) == 0 ? 1 : 0;
        }
        if (votes > best_votes) {
            best = p;
            best_votes = votes;
        }
    }
    copy(g->protocol, sizeof g->protocol, first->protocols[best].name);
}

static bool everyone_joined(const struct group *g)
{
    for (uint32_t i = 0; i < g->member_count; i++) {
        if (!g->members[i].join_waiting) {
            return false;
        }
    }
    return true;
}

/* onCompleteJoin: members that did not rejoin are gone; a new generation, its leader, and
 * every parked JoinGroup answered. */
static void maybe_complete_join(struct group *g, time_ns now, struct rm_out *out)
{
    if (g->state != GROUP_PREPARING_REBALANCE) {
        return;
    }
    bool all = everyone_joined(g) && now >= g->initial_delay_until;
    if (!all && now < g->join_deadline) {
        return;
    }
    for (uint32_t i = g->member_count; i-- > 0;) {
        if (!g->members[i].join_waiting) {
            remove_member(g, i);
        }
    }
    g->generation++;
    if (g->member_count == 0) {
        g->state = GROUP_EMPTY;
        g->leader[0] = '\0';
        return;
    }
    select_protocol(g);
    if (find_member(g, g->leader) == NULL) {
        copy(g->leader, sizeof g->leader, g->members[0].id);
    }
    g->state = GROUP_COMPLETING_REBALANCE;
    for (uint32_t i = 0; i < g->member_count; i++) {
        struct group_member *m = &g->members[i];
        answer_join(out, g, m->id, KAFKA_NONE, m->join_ctx, m->join_version);
        m->join_waiting = false;
        m->session_deadline = now + ms(m->session_timeout_ms);
    }
}

/* A member leaves (LeaveGroup or an expired session): the rest rebalance. */
static void member_gone(struct group_coordinator *gc, struct group *g, uint32_t i, time_ns now,
                        struct rm_out *out)
{
    struct group_member *m = &g->members[i];
    if (m->join_waiting) {
        answer_join(out, g, m->id, KAFKA_UNKNOWN_MEMBER_ID, m->join_ctx, m->join_version);
    }
    if (m->sync_waiting) {
        answer_sync(out, g, m, KAFKA_UNKNOWN_MEMBER_ID, m->sync_ctx, m->sync_version);
    }
    remove_member(g, i);
    if (g->state == GROUP_STABLE || g->state == GROUP_COMPLETING_REBALANCE) {
        prepare_rebalance(gc, g, now, out);
    }
    if (g->state == GROUP_PREPARING_REBALANCE && g->member_count == 0) {
        g->join_deadline = now; /* nobody to wait for */
    }
    maybe_complete_join(g, now, out);
}

/* ---- JoinGroup ----------------------------------------------------------------------------- */

static void take_protocols(struct group_member *m, const struct join_group_request *req)
{
    for (int i = 0; i < m->protocol_count; i++) {
        free(m->protocols[i].metadata);
    }
    m->protocol_count = 0;
    for (int32_t i = 0; i < req->protocol_count && i < GROUP_PROTOCOLS_MAX; i++) {
        struct group_protocol *p = &m->protocols[m->protocol_count++];
        copy(p->name, sizeof p->name, req->protocols[i].name);
        size_t n = req->protocols[i].metadata.len > 0 ? (size_t)req->protocols[i].metadata.len
                                                      : 0;
        p->metadata = malloc(n > 0 ? n : 1);
        KS_ASSERT(p->metadata != NULL);
        if (n > 0) {
            memcpy(p->metadata, req->protocols[i].metadata.ptr, n);
        }
        p->metadata_len = n;
    }
}

static void new_member_id(struct group_coordinator *gc, const char *client_id, char *out,
                          size_t cap)
{
    /* clientId + "-" + a UUID: here one the seed cannot change (broker, sequence) */
    snprintf(out, cap, "%s-%08" PRIx32 "-0000-4000-8000-%012" PRIx64,
             client_id != NULL && client_id[0] != '\0' ? client_id : "member",
             (uint32_t)gc->cfg.broker_id, ++gc->member_seq);
}

/* supportsProtocols: one of the joining member's protocols is supported by every other member
 * (an empty group takes any). */
static bool shares_protocol(const struct group *g, const struct join_group_request *req)
{
    const char *asked = req->member_id != NULL ? req->member_id : "";
    for (int32_t p = 0; p < req->protocol_count; p++) {
        bool all = req->protocols[p].name != NULL;
        for (uint32_t i = 0; i < g->member_count && all; i++) {
            all = strcmp(g->members[i].id, asked) == 0 ||
                  supports(&g->members[i], req->protocols[p].name);
        }
        if (all) {
            return true;
        }
    }
    return false;
}

static int16_t join_precheck(const struct group_coordinator *gc, const struct group *g,
                             const struct join_group_request *req)
{
    if (req->group_id == NULL || req->group_id[0] == '\0') {
        return KAFKA_INVALID_GROUP_ID;
    }
    if (!gc_owns(gc, gc_partition_for(req->group_id, gc->cfg.offsets_partitions))) {
        return KAFKA_NOT_COORDINATOR;
    }
    if (req->session_timeout_ms < gc->cfg.min_session_timeout_ms ||
        req->session_timeout_ms > gc->cfg.max_session_timeout_ms) {
        return KAFKA_INVALID_SESSION_TIMEOUT;
    }
    if (req->protocol_count <= 0 || req->protocol_type == NULL || req->protocol_type[0] == 0 ||
        (g != NULL && g->member_count > 0 && strcmp(g->protocol_type, req->protocol_type))) {
        return KAFKA_INCONSISTENT_GROUP_PROTOCOL;
    }
    return g == NULL || shares_protocol(g, req) ? KAFKA_NONE : KAFKA_INCONSISTENT_GROUP_PROTOCOL;
}

static void on_join(struct group_coordinator *gc, time_ns now, int16_t version,
                    const struct join_group_request *req, const char *client_id,
                    uint64_t ctx, struct rm_out *out)
{
    int16_t error = join_precheck(gc, find_group(gc, req->group_id != NULL ? req->group_id
                                                                            : ""), req);
    const char *asked = req->member_id != NULL ? req->member_id : "";
    if (error != KAFKA_NONE) {
        answer_join(out, NULL, asked, error, ctx, version);
        return;
    }
    struct group *g = get_group(gc, req->group_id);
    char id[GROUP_MEMBER_ID_MAX];
    copy(id, sizeof id, asked);
    if (id[0] == '\0') {
        new_member_id(gc, client_id, id, sizeof id);
        if (version >= 4) { /* KIP-394: rejoin with it */
            copy(g->pending[g->pending_next++ % GROUP_PENDING_MAX], GROUP_MEMBER_ID_MAX, id);
            answer_join(out, g, id, KAFKA_MEMBER_ID_REQUIRED, ctx, version);
            return;
        }
    }
    struct group_member *m = find_member(g, id);
    if (m == NULL && asked[0] != '\0' && !take_pending(g, id)) {
        answer_join(out, g, id, KAFKA_UNKNOWN_MEMBER_ID, ctx, version);
        return;
    }
    if (m == NULL) {
        m = add_member(g, id);
        copy(m->client_id, sizeof m->client_id, client_id);
    }
    if (m->join_waiting) { /* a retry: the older request will not be answered */
        m->join_waiting = false;
    }
    take_protocols(m, req);
    m->session_timeout_ms = req->session_timeout_ms;
    m->rebalance_timeout_ms = req->rebalance_timeout_ms > 0 ? req->rebalance_timeout_ms
                                                            : req->session_timeout_ms;
    m->join_waiting = true;
    m->join_ctx = ctx;
    m->join_version = version;
    m->session_deadline = now + ms(m->rebalance_timeout_ms);
    copy(g->protocol_type, sizeof g->protocol_type, req->protocol_type);
    if (g->state != GROUP_PREPARING_REBALANCE) {
        prepare_rebalance(gc, g, now, out);
    }
    maybe_complete_join(g, now, out);
}

/* ---- SyncGroup, Heartbeat, LeaveGroup ------------------------------------------------------ */

/* The member a request names, or the error for it (GroupCoordinator's validations). */
static int16_t find_for(struct group_coordinator *gc, const char *group_id,
                        const char *member_id, struct group **g, struct group_member **m)
{
    *g = NULL;
    *m = NULL;
    if (group_id == NULL || !gc_owns(gc, gc_partition_for(group_id, gc->cfg.offsets_partitions))) {
        return KAFKA_NOT_COORDINATOR;
    }
    *g = find_group(gc, group_id);
    *m = find_member(*g, member_id != NULL ? member_id : "");
    return *m == NULL ? KAFKA_UNKNOWN_MEMBER_ID : KAFKA_NONE;
}

static void take_assignments(struct group *g, const struct sync_group_request *req)
{
    for (uint32_t i = 0; i < g->member_count; i++) {
        struct group_member *m = &g->members[i];
        free(m->assignment);
        m->assignment = NULL;
        m->assignment_len = 0;
        for (int32_t k = 0; k < req->assignment_count; k++) {
            const struct sync_group_assignment *a = &req->assignments[k];
            if (a->member_id == NULL || strcmp(a->member_id, m->id) != 0 ||
                a->assignment.len <= 0) {
                continue;
            }
            m->assignment = malloc((size_t)a->assignment.len);
            KS_ASSERT(m->assignment != NULL);
            memcpy(m->assignment, a->assignment.ptr, (size_t)a->assignment.len);
            m->assignment_len = (size_t)a->assignment.len;
        }
    }
}

static void on_sync(struct group_coordinator *gc, time_ns now, int16_t version,
                    const struct sync_group_request *req, uint64_t ctx, struct rm_out *out)
{
    struct group *g;
    struct group_member *m;
    int16_t error = find_for(gc, req->group_id, req->member_id, &g, &m);
    if (error == KAFKA_NONE && req->generation_id != g->generation) {
        error = KAFKA_ILLEGAL_GENERATION;
    } else if (error == KAFKA_NONE && g->state == GROUP_PREPARING_REBALANCE) {
        error = KAFKA_REBALANCE_IN_PROGRESS;
    }
    if (error != KAFKA_NONE) {
        answer_sync(out, g, NULL, error, ctx, version);
        return;
    }
    m->session_deadline = now + ms(m->session_timeout_ms);
    if (g->state == GROUP_STABLE) {
        answer_sync(out, g, m, KAFKA_NONE, ctx, version);
        return;
    }
    m->sync_waiting = true;
    m->sync_ctx = ctx;
    m->sync_version = version;
    if (strcmp(m->id, g->leader) != 0) {
        return; /* parked until the leader's assignment */
    }
    take_assignments(g, req);
    g->state = GROUP_STABLE;
    for (uint32_t i = 0; i < g->member_count; i++) {
        struct group_member *x = &g->members[i];
        if (x->sync_waiting) {
            answer_sync(out, g, x, KAFKA_NONE, x->sync_ctx, x->sync_version);
            x->sync_waiting = false;
        }
    }
}

static void on_heartbeat(struct group_coordinator *gc, time_ns now, int16_t version,
                         const struct heartbeat_request *req, uint64_t ctx, struct rm_out *out)
{
    struct group *g;
    struct group_member *m;
    int16_t error = find_for(gc, req->group_id, req->member_id, &g, &m);
    if (error == KAFKA_NONE && req->generation_id != g->generation) {
        error = KAFKA_ILLEGAL_GENERATION;
    }
    if (error == KAFKA_NONE) {
        time_ns keep = now + ms(m->session_timeout_ms);
        m->session_deadline = keep > m->session_deadline ? keep : m->session_deadline;
        error = g->state == GROUP_PREPARING_REBALANCE ? KAFKA_REBALANCE_IN_PROGRESS : KAFKA_NONE;
    }
    answer_error(out, KAFKA_API_HEARTBEAT, error, ctx, version);
}

static void on_leave(struct group_coordinator *gc, time_ns now, int16_t version,
                     const struct leave_group_request *req, uint64_t ctx, struct rm_out *out)
{
    struct leave_group_response r;
    leave_group_response_init(&r);
    int32_t n = version >= 3 ? req->member_count : 1;
    struct leave_group_member_response answers[n > 0 ? n : 1];
    for (int32_t i = 0; i < n; i++) {
        const char *id = version >= 3 ? req->members[i].member_id : req->member_id;
        struct group *g;
        struct group_member *m;
        int16_t error = find_for(gc, req->group_id, id, &g, &m);
        if (error == KAFKA_NOT_COORDINATOR) {
            r.error_code = error;
        } else if (m != NULL) {
            member_gone(gc, g, (uint32_t)(m - g->members), now, out);
        }
        answers[i] = (struct leave_group_member_response){.member_id = id, .error_code = error};
        r.error_code = version < 3 ? error : r.error_code;
    }
    if (version >= 3) {
        r.member_count = n;
        r.members = answers;
    }
    struct wire_writer w;
    size_t mark = reply_begin(&w, ctx, KAFKA_API_LEAVE_GROUP, version);
    leave_group_response_encode(&w, &r, version);
    reply_end(out, &w, mark, ctx);
}

/* ---- OffsetCommit, OffsetFetch ------------------------------------------------------------- */

static void store_offset(struct group *g, const struct group_offset *in)
{
    struct group_offset *o = NULL;
    for (uint32_t i = 0; i < g->offset_count && o == NULL; i++) {
        bool same = g->offsets[i].partition == in->partition &&
                    strcmp(g->offsets[i].topic, in->topic) == 0;
        o = same ? &g->offsets[i] : NULL;
    }
    if (o == NULL) {
        g->offsets = array_grow(g->offsets, g->offset_count, &g->offset_capacity,
                                sizeof *g->offsets);
        o = &g->offsets[g->offset_count++];
    }
    *o = *in;
}

/* ---- the records in __consumer_offsets (OffsetCommitKey.json, OffsetCommitValue.json) ------ */

#define OFFSET_COMMIT_KEY_VERSION 1
#define OFFSET_COMMIT_VALUE_VERSION 3

static void offset_key(struct wire_writer *w, const char *group, const struct group_offset *o)
{
    wire_writer_init(w);
    wire_write_int16(w, OFFSET_COMMIT_KEY_VERSION);
    wire_write_string(w, group, false);
    wire_write_string(w, o->topic, false);
    wire_write_int32(w, o->partition);
}

static void offset_value(struct wire_writer *w, const struct group_offset *o, int64_t now_ms)
{
    wire_writer_init(w);
    wire_write_int16(w, OFFSET_COMMIT_VALUE_VERSION);
    wire_write_int64(w, o->offset);
    wire_write_int32(w, o->leader_epoch);
    wire_write_string(w, "", false); /* metadata */
    wire_write_int64(w, now_ms);     /* commitTimestamp */
}

/* One batch holding a record per committed partition. */
static void commit_batch(const char *group, const struct group_offset *offsets, uint32_t n,
                         int64_t now_ms, struct wire_writer *out)
{
    struct wire_writer keys[n > 0 ? n : 1], values[n > 0 ? n : 1];
    struct record_batch_record records[n > 0 ? n : 1];
    for (uint32_t i = 0; i < n; i++) {
        offset_key(&keys[i], group, &offsets[i]);
        offset_value(&values[i], &offsets[i], now_ms);
        records[i] = (struct record_batch_record){
            .offset_delta = (int32_t)i, .key = {keys[i].bytes, (int32_t)keys[i].len},
            .value = {values[i].bytes, (int32_t)values[i].len}};
    }
    struct record_batch b;
    record_batch_init(&b);
    b.base_timestamp = b.max_timestamp = now_ms;
    b.last_offset_delta = (int32_t)n - 1;
    b.record_count = (int32_t)n;
    b.records = records;
    wire_writer_init(out);
    KS_ASSERT(record_batch_encode(out, &b) == 0);
    for (uint32_t i = 0; i < n; i++) {
        wire_writer_free(&keys[i]);
        wire_writer_free(&values[i]);
    }
}

/* One record read back: an offset commit (key v0/v1) sets or, as a tombstone, clears. */
static void load_record(struct group_coordinator *gc, int32_t partition,
                        const struct record_batch_record *r, struct wire_arena *a)
{
    struct wire_reader k;
    wire_reader_init(&k, r->key.ptr, r->key.len > 0 ? (size_t)r->key.len : 0);
    int16_t kv = wire_read_int16(&k);
    if (k.err != 0 || kv > OFFSET_COMMIT_KEY_VERSION) {
        return; /* group metadata (v2) and what this model does not write */
    }
    const char *group = wire_read_string(&k, a, false);
    struct group_offset o = {.leader_epoch = -1};
    copy(o.topic, sizeof o.topic, wire_read_string(&k, a, false));
    o.partition = wire_read_int32(&k);
    if (k.err != 0 || group == NULL || gc_partition_for(group, gc->cfg.offsets_partitions) !=
                                            partition) {
        return;
    }
    struct group *g = get_group(gc, group);
    if (r->value.len < 0) { /* a tombstone: the offset was deleted */
        for (uint32_t i = 0; i < g->offset_count; i++) {
            if (g->offsets[i].partition == o.partition &&
                strcmp(g->offsets[i].topic, o.topic) == 0) {
                g->offsets[i] = g->offsets[--g->offset_count];
                break;
            }
        }
        return;
    }
    struct wire_reader v;
    wire_reader_init(&v, r->value.ptr, (size_t)r->value.len);
    int16_t vv = wire_read_int16(&v);
    o.offset = wire_read_int64(&v);
    o.leader_epoch = vv >= 3 ? wire_read_int32(&v) : -1;
    if (v.err == 0) {
        store_offset(g, &o);
    }
}

void gc_load(struct group_coordinator *gc, int32_t partition, const uint8_t *batches,
             size_t len)
{
    KS_ASSERT(gc_owns(gc, partition));
    struct wire_arena a;
    wire_arena_init(&a);
    struct record_batch_iter it;
    struct record_batch b;
    record_batch_iter_init(&it, batches, len);
    while (record_batch_iter_next(&it, &a, &b) == 1) {
        for (int32_t i = 0; (b.attributes & RECORD_BATCH_CONTROL) == 0 && i < b.record_count;
             i++) {
            load_record(gc, partition, &b.records[i], &a);
        }
    }
    wire_arena_free(&a);
}

/* doCommitOffsets: a simple consumer (generation -1, no member) may commit to an Empty group;
 * a member only in its generation, and not while the group completes a rebalance. */
static int16_t commit_check(struct group_coordinator *gc, const struct offset_commit_request *req,
                            struct group **out_g)
{
    *out_g = NULL;
    if (req->group_id == NULL || req->group_id[0] == '\0') {
        return KAFKA_INVALID_GROUP_ID;
    }
    if (!gc_owns(gc, gc_partition_for(req->group_id, gc->cfg.offsets_partitions))) {
        return KAFKA_NOT_COORDINATOR;
    }
    struct group *g = get_group(gc, req->group_id);
    *out_g = g;
    if (req->generation_id_or_member_epoch < 0 && g->state == GROUP_EMPTY) {
        return KAFKA_NONE;
    }
    if (g->state == GROUP_COMPLETING_REBALANCE) {
        return KAFKA_REBALANCE_IN_PROGRESS;
    }
    if (find_member(g, req->member_id != NULL ? req->member_id : "") == NULL) {
        return KAFKA_UNKNOWN_MEMBER_ID;
    }
    return req->generation_id_or_member_epoch != g->generation ? KAFKA_ILLEGAL_GENERATION
                                                               : KAFKA_NONE;
}

/* An OffsetCommit answer for `offsets` (request order; a topic's partitions are consecutive). */
static void answer_commit(struct rm_out *out, const struct group_offset *offsets, uint32_t n,
                          int16_t error, uint64_t ctx, int16_t version)
{
    struct offset_commit_response r;
    offset_commit_response_init(&r);
    struct offset_commit_response_topic topics[n > 0 ? n : 1];
    struct offset_commit_response_partition parts[n > 0 ? n : 1];
    for (uint32_t i = 0; i < n; i++) {
        if (r.topic_count == 0 || strcmp(offsets[i].topic, offsets[i - 1].topic) != 0) {
            topics[r.topic_count++] = (struct offset_commit_response_topic){
                .name = offsets[i].topic, .partitions = &parts[i]};
        }
        topics[r.topic_count - 1].partition_count++;
        parts[i] = (struct offset_commit_response_partition){
            .partition_index = offsets[i].partition, .error_code = error};
    }
    r.topics = topics;
    struct wire_writer w;
    size_t mark = reply_begin(&w, ctx, KAFKA_API_OFFSET_COMMIT, version);
    offset_commit_response_encode(&w, &r, version);
    reply_end(out, &w, mark, ctx);
}

/* doCommitOffsets -> storeOffsets: the offsets take effect once their records replicate. */
static void on_commit(struct group_coordinator *gc, time_ns now, int16_t version,
                      const struct offset_commit_request *req, uint64_t ctx, struct rm_out *out)
{
    struct group *g;
    int16_t error = commit_check(gc, req, &g);
    uint32_t n = 0;
    for (int32_t t = 0; t < req->topic_count; t++) {
        n += req->topics[t].partition_count > 0 ? (uint32_t)req->topics[t].partition_count : 0;
    }
    struct group_offset *offsets = calloc(n > 0 ? n : 1, sizeof *offsets);
    KS_ASSERT(offsets != NULL);
    uint32_t k = 0;
    for (int32_t t = 0; t < req->topic_count; t++) {
        const struct offset_commit_request_topic *rt = &req->topics[t];
        for (int32_t i = 0; i < rt->partition_count; i++, k++) {
            copy(offsets[k].topic, sizeof offsets[k].topic, rt->name);
            offsets[k].partition = rt->partitions[i].partition_index;
            offsets[k].offset = rt->partitions[i].committed_offset;
            offsets[k].leader_epoch = rt->partitions[i].committed_leader_epoch;
        }
    }
    if (error != KAFKA_NONE || n == 0) {
        answer_commit(out, offsets, n, error, ctx, version);
        free(offsets);
        return;
    }
    uint64_t token = ++gc->token_next;
    struct wire_writer batch;
    commit_batch(g->id, offsets, n, now / NS_PER_MS, &batch);
    gc->appends = array_grow(gc->appends, gc->append_count, &gc->append_capacity,
                             sizeof *gc->appends);
    gc->appends[gc->append_count++] = (struct gc_append){g->partition, batch.bytes, batch.len,
                                                         token};
    gc->pending = array_grow(gc->pending, gc->pending_count, &gc->pending_capacity,
                             sizeof *gc->pending);
    struct gc_pending_commit *pc = &gc->pending[gc->pending_count++];
    *pc = (struct gc_pending_commit){.token = token, .reply_ctx = ctx, .version = version,
                                     .offsets = offsets, .count = n};
    copy(pc->group, sizeof pc->group, g->id);
}

uint32_t gc_take_appends(struct group_coordinator *gc, struct gc_append *out, uint32_t cap)
{
    uint32_t n = gc->append_count < cap ? gc->append_count : cap;
    if (n == 0) {
        return 0; /* no array yet: memcpy must not see its NULL */
    }
    memcpy(out, gc->appends, n * sizeof *out);
    memmove(gc->appends, gc->appends + n, (gc->append_count - n) * sizeof *out);
    gc->append_count -= n;
    return n;
}

/* GroupMetadataManager.storeOffsets' answer to a failed append. */
static int16_t commit_error(int16_t append_error)
{
    switch (append_error) {
    case KAFKA_UNKNOWN_TOPIC_OR_PARTITION:
    case KAFKA_NOT_ENOUGH_REPLICAS:
    case KAFKA_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
        return KAFKA_COORDINATOR_NOT_AVAILABLE;
    case KAFKA_NOT_LEADER_OR_FOLLOWER:
    case KAFKA_KAFKA_STORAGE_ERROR:
        return KAFKA_NOT_COORDINATOR;
    default:
        return append_error;
    }
}

void gc_on_append(struct group_coordinator *gc, uint64_t token, int16_t error,
                  struct rm_out *out)
{
    for (uint32_t i = 0; i < gc->pending_count; i++) {
        struct gc_pending_commit *pc = &gc->pending[i];
        if (pc->token != token) {
            continue;
        }
        struct group *g = find_group(gc, pc->group);
        if (error == KAFKA_NONE && g != NULL) {
            for (uint32_t k = 0; k < pc->count; k++) {
                store_offset(g, &pc->offsets[k]);
            }
        }
        int16_t answer = error == KAFKA_NONE ? (g != NULL ? KAFKA_NONE : KAFKA_NOT_COORDINATOR)
                                             : commit_error(error);
        answer_commit(out, pc->offsets, pc->count, answer, pc->reply_ctx, pc->version);
        free(pc->offsets);
        memmove(pc, pc + 1, (gc->pending_count - i - 1) * sizeof *pc);
        gc->pending_count--;
        break;
    }
    /* the parked fetches, in arrival order, again: each parks anew if it must still wait */
    uint32_t n = gc->parked_count;
    struct gc_parked_fetch *parked = gc->parked;
    gc->parked = NULL;
    gc->parked_count = gc->parked_capacity = 0;
    for (uint32_t i = 0; i < n; i++) {
        gc_handle(gc, 0, KAFKA_API_OFFSET_FETCH, parked[i].version, NULL, parked[i].body,
                  parked[i].len, parked[i].reply_ctx, out);
        free(parked[i].body);
    }
    free(parked);
}

static const struct group_offset *committed(const struct group *g, const char *topic,
                                            int32_t partition)
{
    for (uint32_t i = 0; g != NULL && i < g->offset_count; i++) {
        if (g->offsets[i].partition == partition && strcmp(g->offsets[i].topic, topic) == 0) {
            return &g->offsets[i];
        }
    }
    return NULL;
}

/* One group's committed offsets for the topics asked (a NULL list, count -1: every one). */
static void fetch_group(const struct group *g, const struct offset_fetch_request_topic *asked,
                        int32_t asked_count, struct wire_arena *a,
                        struct offset_fetch_response_group *out)
{
    int32_t n = asked_count;
    if (asked_count < 0) {
        n = g != NULL ? (int32_t)g->offset_count : 0; /* one topic entry per committed offset */
    }
    out->topic_count = n;
    out->topics = wire_arena_alloc(a, (size_t)(n + 1) * sizeof *out->topics);
    for (int32_t t = 0; t < n; t++) {
        struct offset_fetch_response_topic *ot = &out->topics[t];
        bool all = asked_count < 0;
        ot->name = all ? g->offsets[t].topic : asked[t].name;
        ot->topic_id = all ? (struct kuuid){0, 0} : asked[t].topic_id;
        ot->partition_count = all ? 1 : asked[t].partition_index_count;
        ot->partitions = wire_arena_alloc(a, (size_t)(ot->partition_count + 1) *
                                                 sizeof *ot->partitions);
        for (int32_t i = 0; i < ot->partition_count; i++) {
            int32_t p = all ? g->offsets[t].partition : asked[t].partition_indexes[i];
            const struct group_offset *o = committed(g, ot->name != NULL ? ot->name : "", p);
            ot->partitions[i] = (struct offset_fetch_response_partition){
                .partition_index = p, .committed_offset = o != NULL ? o->offset : -1,
                .committed_leader_epoch = o != NULL ? o->leader_epoch : -1, .metadata = ""};
        }
    }
}

static void on_offset_fetch(struct group_coordinator *gc, int16_t version,
                            const struct offset_fetch_request *req, uint64_t ctx,
                            struct wire_arena *a, struct rm_out *out)
{
    struct offset_fetch_response r;
    offset_fetch_response_init(&r);
    int32_t n = version >= 8 ? req->group_count : 1;
    struct offset_fetch_response_group groups[n > 0 ? n : 1];
    for (int32_t i = 0; i < n; i++) {
        const char *id = version >= 8 ? req->groups[i].group_id : req->group_id;
        const struct offset_fetch_request_topic *topics =
            version >= 8 ? req->groups[i].topics : req->topics;
        int32_t count = version >= 8 ? req->groups[i].topic_count : req->topic_count;
        memset(&groups[i], 0, sizeof groups[i]);
        groups[i].group_id = id;
        bool ours = id != NULL && gc_owns(gc, gc_partition_for(id, gc->cfg.offsets_partitions));
        groups[i].error_code = ours ? KAFKA_NONE : KAFKA_NOT_COORDINATOR;
        fetch_group(ours ? find_group(gc, id) : NULL, topics, ours ? count : 0, a, &groups[i]);
    }
    if (version >= 8) {
        r.group_count = n;
        r.groups = groups;
    } else {
        r.topic_count = groups[0].topic_count;
        r.topics = groups[0].topics;
        r.error_code = groups[0].error_code;
    }
    struct wire_writer w;
    size_t mark = reply_begin(&w, ctx, KAFKA_API_OFFSET_FETCH, version);
    offset_fetch_response_encode(&w, &r, version);
    reply_end(out, &w, mark, ctx);
}

/* ---- the entry points ---------------------------------------------------------------------- */

bool gc_handles(int16_t api_key)
{
    return api_key == KAFKA_API_JOIN_GROUP || api_key == KAFKA_API_SYNC_GROUP ||
           api_key == KAFKA_API_HEARTBEAT || api_key == KAFKA_API_LEAVE_GROUP ||
           api_key == KAFKA_API_OFFSET_COMMIT || api_key == KAFKA_API_OFFSET_FETCH;
}

/* The body's request, decoded into one union slot by its API key; false if it does not. */
static bool decode_request(int16_t key, int16_t version, struct wire_reader *r,
                           struct wire_arena *a, void *into)
{
    switch (key) {
    case KAFKA_API_JOIN_GROUP:
        return join_group_request_decode(r, version, a, into) == 0;
    case KAFKA_API_SYNC_GROUP:
        return sync_group_request_decode(r, version, a, into) == 0;
    case KAFKA_API_HEARTBEAT:
        return heartbeat_request_decode(r, version, a, into) == 0;
    case KAFKA_API_LEAVE_GROUP:
        return leave_group_request_decode(r, version, a, into) == 0;
    case KAFKA_API_OFFSET_COMMIT:
        return offset_commit_request_decode(r, version, a, into) == 0;
    case KAFKA_API_OFFSET_FETCH:
        return offset_fetch_request_decode(r, version, a, into) == 0;
    default:
        return false;
    }
}

static bool commit_pending(const struct group_coordinator *gc, const char *group)
{
    for (uint32_t i = 0; group != NULL && i < gc->pending_count; i++) {
        if (strcmp(gc->pending[i].group, group) == 0) {
            return true;
        }
    }
    return false;
}

/* RequireStable (KIP-447, what a KafkaConsumer sends): an OffsetFetch waits for the group's
 * commits still replicating, or a member could start from an offset older than one it has
 * been told is committed (GroupCoordinatorService runs such a fetch as a write operation). */
static bool fetch_must_wait(const struct group_coordinator *gc, int16_t version,
                            const struct offset_fetch_request *req)
{
    if (!req->require_stable) {
        return false;
    }
    if (version < 8) {
        return commit_pending(gc, req->group_id);
    }
    for (int32_t i = 0; i < req->group_count; i++) {
        if (commit_pending(gc, req->groups[i].group_id)) {
            return true;
        }
    }
    return false;
}

static void park_fetch(struct group_coordinator *gc, int16_t version, const uint8_t *body,
                       size_t len, uint64_t ctx)
{
    gc->parked = array_grow(gc->parked, gc->parked_count, &gc->parked_capacity,
                            sizeof *gc->parked);
    struct gc_parked_fetch *f = &gc->parked[gc->parked_count++];
    *f = (struct gc_parked_fetch){.reply_ctx = ctx, .version = version, .len = len,
                                  .body = malloc(len > 0 ? len : 1)};
    KS_ASSERT(f->body != NULL);
    memcpy(f->body, body, len);
}

void gc_handle(struct group_coordinator *gc, time_ns now, int16_t api_key, int16_t version,
               const char *client_id, const uint8_t *body, size_t len, uint64_t reply_ctx,
               struct rm_out *out)
{
    KS_ASSERT(gc_handles(api_key));
    union {
        struct join_group_request join;
        struct sync_group_request sync;
        struct heartbeat_request heartbeat;
        struct leave_group_request leave;
        struct offset_commit_request commit;
        struct offset_fetch_request fetch;
    } req;
    struct wire_arena a;
    wire_arena_init(&a);
    struct wire_reader r;
    wire_reader_init(&r, body, len);
    if (decode_request(api_key, version, &r, &a, &req)) {
        switch (api_key) {
        case KAFKA_API_JOIN_GROUP:
            on_join(gc, now, version, &req.join, client_id, reply_ctx, out);
            break;
        case KAFKA_API_SYNC_GROUP:
            on_sync(gc, now, version, &req.sync, reply_ctx, out);
            break;
        case KAFKA_API_HEARTBEAT:
            on_heartbeat(gc, now, version, &req.heartbeat, reply_ctx, out);
            break;
        case KAFKA_API_LEAVE_GROUP:
            on_leave(gc, now, version, &req.leave, reply_ctx, out);
            break;
        case KAFKA_API_OFFSET_COMMIT:
            on_commit(gc, now, version, &req.commit, reply_ctx, out);
            break;
        default:
            if (fetch_must_wait(gc, version, &req.fetch)) {
                park_fetch(gc, version, body, len, reply_ctx);
            } else {
                on_offset_fetch(gc, version, &req.fetch, reply_ctx, &a, out);
            }
            break;
        }
    }
    wire_arena_free(&a);
    KS_ASSERT(gc_check(gc));
}

void gc_set_owned(struct group_coordinator *gc, int32_t partition, bool owned,
                  struct rm_out *out)
{
    KS_ASSERT(partition >= 0 && partition < gc->cfg.offsets_partitions);
    gc->owned[partition] = owned;
    if (owned) {
        return;
    }
    for (uint32_t i = gc->group_count; i-- > 0;) {
        struct group *g = &gc->groups[i];
        if (g->partition != partition) {
            continue;
        }
        for (uint32_t k = 0; k < g->member_count; k++) {
            struct group_member *m = &g->members[k];
            if (m->join_waiting) {
                answer_join(out, NULL, m->id, KAFKA_NOT_COORDINATOR, m->join_ctx,
                            m->join_version);
            }
            if (m->sync_waiting) {
                answer_sync(out, g, NULL, KAFKA_NOT_COORDINATOR, m->sync_ctx, m->sync_version);
            }
        }
        group_free(g);
        memmove(g, g + 1, (gc->group_count - i - 1) * sizeof *g);
        gc->group_count--;
    }
}

void gc_tick(struct group_coordinator *gc, time_ns now, struct rm_out *out)
{
    for (uint32_t i = 0; i < gc->group_count; i++) {
        struct group *g = &gc->groups[i];
        for (uint32_t k = g->member_count; k-- > 0;) {
            if (k < g->member_count && g->members[k].session_deadline <= now) {
                member_gone(gc, g, k, now, out); /* session.timeout.ms without a heartbeat */
            }
        }
        maybe_complete_join(g, now, out);
    }
    KS_ASSERT(gc_check(gc));
}

time_ns gc_next_deadline(const struct group_coordinator *gc)
{
    time_ns next = TIME_NS_MAX;
    for (uint32_t i = 0; i < gc->group_count; i++) {
        const struct group *g = &gc->groups[i];
        for (uint32_t k = 0; k < g->member_count; k++) {
            next = g->members[k].session_deadline < next ? g->members[k].session_deadline : next;
        }
        if (g->state == GROUP_PREPARING_REBALANCE) {
            time_ns end = everyone_joined(g) && g->initial_delay_until < g->join_deadline
                              ? g->initial_delay_until
                              : g->join_deadline;
            next = end < next ? end : next;
        }
    }
    return next;
}

bool gc_check(const struct group_coordinator *gc)
{
    for (uint32_t i = 0; i < gc->group_count; i++) {
        const struct group *g = &gc->groups[i];
        if (g->state == GROUP_EMPTY && g->member_count > 0 && g->generation > 0) {
            return false; /* an Empty group has no members once it rebalanced */
        }
        if ((g->state == GROUP_STABLE || g->state == GROUP_COMPLETING_REBALANCE) &&
            find_member((struct group *)g, g->leader) == NULL) {
            return false; /* a settled generation has its leader */
        }
    }
    return true;
}
