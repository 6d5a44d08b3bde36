/* kraft_rpc.c — KRaft quorum RPC codecs (schemas and shared rules in kraft_rpc.h). */
#include "kraft_rpc.h"

#include "env.h"

/* ---- Shared pieces ------------------------------------------------------------------------ */

/* NodeEndpoint {NodeId int32, Host string, Port uint16}: only ever a tagged field, so flexible. */
static void write_node_endpoints(struct wire_writer *w, int32_t n,
                                 const struct kraft_node_endpoint *e)
{
    wire_write_array_len(w, n, true);
    for (int32_t i = 0; i < n; i++) {
        wire_write_int32(w, e[i].node_id);
        wire_write_string(w, e[i].host, true);
        wire_write_uint16(w, e[i].port);
        wire_write_uvarint(w, 0);
    }
}

static void read_node_endpoints(struct wire_reader *r, struct wire_arena *a, int32_t *count,
                                struct kraft_node_endpoint **out)
{
    struct kraft_node_endpoint *e = wire_read_array(r, a, true, sizeof *e, count);
    for (int32_t i = 0; i < *count && r->err == 0; i++) {
        e[i].node_id = wire_read_int32(r);
        e[i].host = wire_read_string(r, a, true);
        e[i].port = wire_read_uint16(r);
        wire_skip_tags(r);
    }
    *out = e;
}

/* The response-level tagged section holding only NodeEndpoints {tag 0}, present from
 * `since` (Vote, Begin, End, FetchSnapshot: v1). */
static void write_endpoint_tags(struct wire_writer *w, int16_t version, int16_t since,
                                int32_t n, const struct kraft_node_endpoint *e)
{
    bool present = version >= since && n > 0;
    wire_write_uvarint(w, present ? 1 : 0);
    if (present) {
        size_t mark = wire_tag_begin(w, 0);
        write_node_endpoints(w, n, e);
        wire_tag_end(w, mark);
    }
}

static void read_endpoint_tags(struct wire_reader *r, int16_t version, int16_t since,
                               struct wire_arena *a, int32_t *count,
                               struct kraft_node_endpoint **out)
{
    struct wire_tags t;
    uint32_t tag;
    struct wire_reader f;
    wire_tags_begin(&t, r);
    while (wire_tags_next(&t, &tag, &f)) {
        if (tag == 0 && version >= since) {
            read_node_endpoints(&f, a, count, out);
        }
    }
}

/* LeaderEndpoint / Listener {Name string, Host string, Port uint16}. */
static void write_listeners(struct wire_writer *w, int32_t n, const struct kraft_listener *l,
                            bool flex)
{
    wire_write_array_len(w, n, flex);
    for (int32_t i = 0; i < n; i++) {
        wire_write_string(w, l[i].name, flex);
        wire_write_string(w, l[i].host, flex);
        wire_write_uint16(w, l[i].port);
        if (flex) {
            wire_write_uvarint(w, 0);
        }
    }
}

static struct kraft_listener *read_listeners(struct wire_reader *r, struct wire_arena *a,
                                             bool flex, int32_t *count)
{
    struct kraft_listener *l = wire_read_array(r, a, flex, sizeof *l, count);
    for (int32_t i = 0; i < *count && r->err == 0; i++) {
        l[i].name = wire_read_string(r, a, flex);
        l[i].host = wire_read_string(r, a, flex);
        l[i].port = wire_read_uint16(r);
        if (flex) {
            wire_skip_tags(r);
        }
    }
    return l;
}

static void write_tags_none(struct wire_writer *w, bool flex)
{
    if (flex) {
        wire_write_uvarint(w, 0);
    }
}

static void skip_tags_if(struct wire_reader *r, bool flex)
{
    if (flex) {
        wire_skip_tags(r);
    }
}

/* ---- Vote (msg/VoteRequest.json, msg/VoteResponse.json; flexible 0+) ---------------------- */

void vote_request_init(struct vote_request *m)
{
    KS_ASSERT(m != NULL);
    *m = (struct vote_request){.cluster_id = NULL, .voter_id = -1};
}

static void write_vote_partition(struct wire_writer *w, const struct vote_request_partition *p,
                                 int16_t version)
{
    wire_write_int32(w, p->partition_index);
    wire_write_int32(w, p->replica_epoch);
    wire_write_int32(w, p->replica_id);
    if (version >= 1) {
        wire_write_uuid(w, p->replica_directory_id);
        wire_write_uuid(w, p->voter_directory_id);
    }
    wire_write_int32(w, p->last_offset_epoch);
    wire_write_int64(w, p->last_offset);
    if (version >= 2) {
        wire_write_bool(w, p->pre_vote);
    }
    wire_write_uvarint(w, 0);
}

int vote_request_encode(struct wire_writer *w, const struct vote_request *m, int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->topic_count >= 0);
    if (version < 0 || version > VOTE_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    wire_write_nullable_string(w, m->cluster_id, true);
    if (version >= 1) {
        wire_write_int32(w, m->voter_id);
    }
    wire_write_array_len(w, m->topic_count, true);
    for (int32_t i = 0; i < m->topic_count; i++) {
        const struct vote_request_topic *t = &m->topics[i];
        KS_ASSERT(t->partition_count >= 0);
        wire_write_string(w, t->topic_name, true);
        wire_write_array_len(w, t->partition_count, true);
        for (int32_t j = 0; j < t->partition_count; j++) {
            write_vote_partition(w, &t->partitions[j], version);
        }
        wire_write_uvarint(w, 0);
    }
    wire_write_uvarint(w, 0);
    return w->err;
}

static void read_vote_partition(struct wire_reader *r, int16_t version,
                                struct vote_request_partition *p)
{
    p->partition_index = wire_read_int32(r);
    p->replica_epoch = wire_read_int32(r);
    p->replica_id = wire_read_int32(r);
    if (version >= 1) {
        p->replica_directory_id = wire_read_uuid(r);
        p->voter_directory_id = wire_read_uuid(r);
    }
    p->last_offset_epoch = wire_read_int32(r);
    p->last_offset = wire_read_int64(r);
    if (version >= 2) {
        p->pre_vote = wire_read_bool(r);
    }
    wire_skip_tags(r);
}

int vote_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                        struct vote_request *out)
{
    KS_ASSERT(out != NULL);
    if (version < 0 || version > VOTE_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    vote_request_init(out);
    out->cluster_id = wire_read_nullable_string(r, a, true);
    if (version >= 1) {
        out->voter_id = wire_read_int32(r);
    }
    out->topics = wire_read_array(r, a, true, sizeof *out->topics, &out->topic_count);
    for (int32_t i = 0; i < out->topic_count && r->err == 0; i++) {
        struct vote_request_topic *t = &out->topics[i];
        t->topic_name = wire_read_string(r, a, true);
        t->partitions = wire_read_array(r, a, true, sizeof *t->partitions, &t->partition_count);
        for (int32_t j = 0; j < t->partition_count && r->err == 0; j++) {
            read_vote_partition(r, version, &t->partitions[j]);
        }
        wire_skip_tags(r);
    }
    wire_skip_tags(r);
    return r->err;
}

int vote_response_encode(struct wire_writer *w, const struct vote_response *m, int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->topic_count >= 0);
    if (version < 0 || version > VOTE_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    wire_write_int16(w, m->error_code);
    wire_write_array_len(w, m->topic_count, true);
    for (int32_t i = 0; i < m->topic_count; i++) {
        const struct vote_response_topic *t = &m->topics[i];
        wire_write_string(w, t->topic_name, true);
        wire_write_array_len(w, t->partition_count, true);
        for (int32_t j = 0; j < t->partition_count; j++) {
            const struct vote_response_partition *p = &t->partitions[j];
            wire_write_int32(w, p->partition_index);
            wire_write_int16(w, p->error_code);
            wire_write_int32(w, p->leader_id);
            wire_write_int32(w, p->leader_epoch);
            wire_write_bool(w, p->vote_granted);
            wire_write_uvarint(w, 0);
        }
        wire_write_uvarint(w, 0);
    }
    write_endpoint_tags(w, version, 1, m->node_endpoint_count, m->node_endpoints);
    return w->err;
}

int vote_response_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                         struct vote_response *out)
{
    KS_ASSERT(out != NULL);
    if (version < 0 || version > VOTE_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    *out = (struct vote_response){0};
    out->error_code = wire_read_int16(r);
    out->topics = wire_read_array(r, a, true, sizeof *out->topics, &out->topic_count);
    for (int32_t i = 0; i < out->topic_count && r->err == 0; i++) {
        struct vote_response_topic *t = &out->topics[i];
        t->topic_name = wire_read_string(r, a, true);
        t->partitions = wire_read_array(r, a, true, sizeof *t->partitions, &t->partition_count);
        for (int32_t j = 0; j < t->partition_count && r->err == 0; j++) {
            struct vote_response_partition *p = &t->partitions[j];
            p->partition_index = wire_read_int32(r);
            p->error_code = wire_read_int16(r);
            p->leader_id = wire_read_int32(r);
            p->leader_epoch = wire_read_int32(r);
            p->vote_granted = wire_read_bool(r);
            wire_skip_tags(r);
        }
        wire_skip_tags(r);
    }
    read_endpoint_tags(r, version, 1, a, &out->node_endpoint_count, &out->node_endpoints);
    return r->err;
}

/* ---- Begin/EndQuorumEpoch responses (identical schemas; flexible 1+) ---------------------- */

static int quorum_epoch_response_encode(struct wire_writer *w,
                                        const struct quorum_epoch_response *m, int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->topic_count >= 0);
    if (version < 0 || version > 1) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= 1;
    wire_write_int16(w, m->error_code);
    wire_write_array_len(w, m->topic_count, flex);
    for (int32_t i = 0; i < m->topic_count; i++) {
        const struct quorum_epoch_response_topic *t = &m->topics[i];
        wire_write_string(w, t->topic_name, flex);
        wire_write_array_len(w, t->partition_count, flex);
        for (int32_t j = 0; j < t->partition_count; j++) {
            const struct quorum_epoch_response_partition *p = &t->partitions[j];
            wire_write_int32(w, p->partition_index);
            wire_write_int16(w, p->error_code);
            wire_write_int32(w, p->leader_id);
            wire_write_int32(w, p->leader_epoch);
            write_tags_none(w, flex);
        }
        write_tags_none(w, flex);
    }
    if (flex) {
        write_endpoint_tags(w, version, 1, m->node_endpoint_count, m->node_endpoints);
    }
    return w->err;
}

static int quorum_epoch_response_decode(struct wire_reader *r, int16_t version,
                                        struct wire_arena *a, struct quorum_epoch_response *out)
{
    KS_ASSERT(out != NULL);
    if (version < 0 || version > 1) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= 1;
    *out = (struct quorum_epoch_response){0};
    out->error_code = wire_read_int16(r);
    out->topics = wire_read_array(r, a, flex, sizeof *out->topics, &out->topic_count);
    for (int32_t i = 0; i < out->topic_count && r->err == 0; i++) {
        struct quorum_epoch_response_topic *t = &out->topics[i];
        t->topic_name = wire_read_string(r, a, flex);
        t->partitions = wire_read_array(r, a, flex, sizeof *t->partitions, &t->partition_count);
        for (int32_t j = 0; j < t->partition_count && r->err == 0; j++) {
            struct quorum_epoch_response_partition *p = &t->partitions[j];
            p->partition_index = wire_read_int32(r);
            p->error_code = wire_read_int16(r);
            p->leader_id = wire_read_int32(r);
            p->leader_epoch = wire_read_int32(r);
            skip_tags_if(r, flex);
        }
        skip_tags_if(r, flex);
    }
    if (flex) {
        read_endpoint_tags(r, version, 1, a, &out->node_endpoint_count, &out->node_endpoints);
    }
    return r->err;
}

int begin_quorum_epoch_response_encode(struct wire_writer *w,
                                       const struct quorum_epoch_response *m, int16_t version)
{
    return quorum_epoch_response_encode(w, m, version);
}

int begin_quorum_epoch_response_decode(struct wire_reader *r, int16_t version,
                                       struct wire_arena *a, struct quorum_epoch_response *out)
{
    return quorum_epoch_response_decode(r, version, a, out);
}

int end_quorum_epoch_response_encode(struct wire_writer *w,
                                     const struct quorum_epoch_response *m, int16_t version)
{
    return quorum_epoch_response_encode(w, m, version);
}

int end_quorum_epoch_response_decode(struct wire_reader *r, int16_t version,
                                     struct wire_arena *a, struct quorum_epoch_response *out)
{
    return quorum_epoch_response_decode(r, version, a, out);
}

/* ---- BeginQuorumEpoch request (msg/BeginQuorumEpochRequest.json; flexible 1+) ------------- */

void begin_quorum_epoch_request_init(struct begin_quorum_epoch_request *m)
{
    KS_ASSERT(m != NULL);
    *m = (struct begin_quorum_epoch_request){.cluster_id = NULL, .voter_id = -1};
}

int begin_quorum_epoch_request_encode(struct wire_writer *w,
                                      const struct begin_quorum_epoch_request *m,
                                      int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->topic_count >= 0);
    if (version < 0 || version > BEGIN_QUORUM_EPOCH_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= 1;
    wire_write_nullable_string(w, m->cluster_id, flex);
    if (version >= 1) {
        wire_write_int32(w, m->voter_id);
    }
    wire_write_array_len(w, m->topic_count, flex);
    for (int32_t i = 0; i < m->topic_count; i++) {
        const struct begin_quorum_epoch_request_topic *t = &m->topics[i];
        wire_write_string(w, t->topic_name, flex);
        wire_write_array_len(w, t->partition_count, flex);
        for (int32_t j = 0; j < t->partition_count; j++) {
            const struct begin_quorum_epoch_request_partition *p = &t->partitions[j];
            wire_write_int32(w, p->partition_index);
            if (version >= 1) {
                wire_write_uuid(w, p->voter_directory_id);
            }
            wire_write_int32(w, p->leader_id);
            wire_write_int32(w, p->leader_epoch);
            write_tags_none(w, flex);
        }
        write_tags_none(w, flex);
    }
    if (version >= 1) {
        write_listeners(w, m->leader_endpoint_count, m->leader_endpoints, flex);
    }
    write_tags_none(w, flex);
    return w->err;
}

int begin_quorum_epoch_request_decode(struct wire_reader *r, int16_t version,
                                      struct wire_arena *a,
                                      struct begin_quorum_epoch_request *out)
{
    KS_ASSERT(out != NULL);
    if (version < 0 || version > BEGIN_QUORUM_EPOCH_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= 1;
    begin_quorum_epoch_request_init(out);
    out->cluster_id = wire_read_nullable_string(r, a, flex);
    if (version >= 1) {
        out->voter_id = wire_read_int32(r);
    }
    out->topics = wire_read_array(r, a, flex, sizeof *out->topics, &out->topic_count);
    for (int32_t i = 0; i < out->topic_count && r->err == 0; i++) {
        struct begin_quorum_epoch_request_topic *t = &out->topics[i];
        t->topic_name = wire_read_string(r, a, flex);
        t->partitions = wire_read_array(r, a, flex, sizeof *t->partitions, &t->partition_count);
        for (int32_t j = 0; j < t->partition_count && r->err == 0; j++) {
            struct begin_quorum_epoch_request_partition *p = &t->partitions[j];
            p->partition_index = wire_read_int32(r);
            if (version >= 1) {
                p->voter_directory_id = wire_read_uuid(r);
            }
            p->leader_id = wire_read_int32(r);
            p->leader_epoch = wire_read_int32(r);
            skip_tags_if(r, flex);
        }
        skip_tags_if(r, flex);
    }
    if (version >= 1) {
        out->leader_endpoints = read_listeners(r, a, flex, &out->leader_endpoint_count);
    }
    skip_tags_if(r, flex);
    return r->err;
}

/* ---- EndQuorumEpoch request (msg/EndQuorumEpochRequest.json; flexible 1+) ----------------- */

void end_quorum_epoch_request_init(struct end_quorum_epoch_request *m)
{
    KS_ASSERT(m != NULL);
    *m = (struct end_quorum_epoch_request){.cluster_id = NULL};
}

static void write_end_partition(struct wire_writer *w,
                                const struct end_quorum_epoch_request_partition *p,
                                int16_t version)
{
    bool flex = version >= 1;
    wire_write_int32(w, p->partition_index);
    wire_write_int32(w, p->leader_id);
    wire_write_int32(w, p->leader_epoch);
    if (version == 0) {
        /* PreferredSuccessors "versions": "0" — replaced by PreferredCandidates in v1. */
        wire_write_array_len(w, p->preferred_successor_count, false);
        for (int32_t k = 0; k < p->preferred_successor_count; k++) {
            wire_write_int32(w, p->preferred_successors[k]);
        }
    } else {
        wire_write_array_len(w, p->preferred_candidate_count, true);
        for (int32_t k = 0; k < p->preferred_candidate_count; k++) {
            wire_write_int32(w, p->preferred_candidates[k].candidate_id);
            wire_write_uuid(w, p->preferred_candidates[k].candidate_directory_id);
            wire_write_uvarint(w, 0);
        }
    }
    write_tags_none(w, flex);
}

int end_quorum_epoch_request_encode(struct wire_writer *w,
                                    const struct end_quorum_epoch_request *m, int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->topic_count >= 0);
    if (version < 0 || version > END_QUORUM_EPOCH_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= 1;
    wire_write_nullable_string(w, m->cluster_id, flex);
    wire_write_array_len(w, m->topic_count, flex);
    for (int32_t i = 0; i < m->topic_count; i++) {
        const struct end_quorum_epoch_request_topic *t = &m->topics[i];
        wire_write_string(w, t->topic_name, flex);
        wire_write_array_len(w, t->partition_count, flex);
        for (int32_t j = 0; j < t->partition_count; j++) {
            write_end_partition(w, &t->partitions[j], version);
        }
        write_tags_none(w, flex);
    }
    if (version >= 1) {
        write_listeners(w, m->leader_endpoint_count, m->leader_endpoints, flex);
    }
    write_tags_none(w, flex);
    return w->err;
}

static void read_end_partition(struct wire_reader *r, int16_t version, struct wire_arena *a,
                               struct end_quorum_epoch_request_partition *p)
{
    p->partition_index = wire_read_int32(r);
    p->leader_id = wire_read_int32(r);
    p->leader_epoch = wire_read_int32(r);
    if (version == 0) {
        p->preferred_successors = wire_read_array(r, a, false, sizeof *p->preferred_successors,
                                                  &p->preferred_successor_count);
        for (int32_t k = 0; k < p->preferred_successor_count && r->err == 0; k++) {
            p->preferred_successors[k] = wire_read_int32(r);
        }
        return;
    }
    p->preferred_candidates = wire_read_array(r, a, true, sizeof *p->preferred_candidates,
                                              &p->preferred_candidate_count);
    for (int32_t k = 0; k < p->preferred_candidate_count && r->err == 0; k++) {
        p->preferred_candidates[k].candidate_id = wire_read_int32(r);
        p->preferred_candidates[k].candidate_directory_id = wire_read_uuid(r);
        wire_skip_tags(r);
    }
    wire_skip_tags(r);
}

int end_quorum_epoch_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                    struct end_quorum_epoch_request *out)
{
    KS_ASSERT(out != NULL);
    if (version < 0 || version > END_QUORUM_EPOCH_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= 1;
    end_quorum_epoch_request_init(out);
    out->cluster_id = wire_read_nullable_string(r, a, flex);
    out->topics = wire_read_array(r, a, flex, sizeof *out->topics, &out->topic_count);
    for (int32_t i = 0; i < out->topic_count && r->err == 0; i++) {
        struct end_quorum_epoch_request_topic *t = &out->topics[i];
        t->topic_name = wire_read_string(r, a, flex);
        t->partitions = wire_read_array(r, a, flex, sizeof *t->partitions, &t->partition_count);
        for (int32_t j = 0; j < t->partition_count && r->err == 0; j++) {
            read_end_partition(r, version, a, &t->partitions[j]);
        }
        skip_tags_if(r, flex);
    }
    if (version >= 1) {
        out->leader_endpoints = read_listeners(r, a, flex, &out->leader_endpoint_count);
    }
    skip_tags_if(r, flex);
    return r->err;
}

/* ---- DescribeQuorum (msg/DescribeQuorum{Request,Response}.json; flexible 0+) -------------- */

void describe_quorum_replica_state_init(struct describe_quorum_replica_state *s)
{
    KS_ASSERT(s != NULL);
    *s = (struct describe_quorum_replica_state){
        .last_fetch_timestamp = -1, .last_caught_up_timestamp = -1};
}

int describe_quorum_request_encode(struct wire_writer *w,
                                   const struct describe_quorum_request *m, int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->topic_count >= 0);
    if (version < 0 || version > DESCRIBE_QUORUM_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    wire_write_array_len(w, m->topic_count, true);
    for (int32_t i = 0; i < m->topic_count; i++) {
        const struct describe_quorum_request_topic *t = &m->topics[i];
        wire_write_string(w, t->topic_name, true);
        wire_write_array_len(w, t->partition_count, true);
        for (int32_t j = 0; j < t->partition_count; j++) {
            wire_write_int32(w, t->partition_indexes[j]);
            wire_write_uvarint(w, 0);
        }
        wire_write_uvarint(w, 0);
    }
    wire_write_uvarint(w, 0);
    return w->err;
}

int describe_quorum_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                   struct describe_quorum_request *out)
{
    KS_ASSERT(out != NULL);
    if (version < 0 || version > DESCRIBE_QUORUM_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    *out = (struct describe_quorum_request){0};
    out->topics = wire_read_array(r, a, true, sizeof *out->topics, &out->topic_count);
    for (int32_t i = 0; i < out->topic_count && r->err == 0; i++) {
        struct describe_quorum_request_topic *t = &out->topics[i];
        t->topic_name = wire_read_string(r, a, true);
        t->partition_indexes = wire_read_array(r, a, true, sizeof *t->partition_indexes,
                                               &t->partition_count);
        for (int32_t j = 0; j < t->partition_count && r->err == 0; j++) {
            t->partition_indexes[j] = wire_read_int32(r);
            wire_skip_tags(r);
        }
        wire_skip_tags(r);
    }
    wire_skip_tags(r);
    return r->err;
}

static void write_replica_states(struct wire_writer *w, int32_t n,
                                 const struct describe_quorum_replica_state *s, int16_t version)
{
    wire_write_array_len(w, n, true);
    for (int32_t i = 0; i < n; i++) {
        wire_write_int32(w, s[i].replica_id);
        if (version >= 2) {
            wire_write_uuid(w, s[i].replica_directory_id);
        }
        wire_write_int64(w, s[i].log_end_offset);
        if (version >= 1) {
            wire_write_int64(w, s[i].last_fetch_timestamp);
            wire_write_int64(w, s[i].last_caught_up_timestamp);
        }
        wire_write_uvarint(w, 0);
    }
}

static struct describe_quorum_replica_state *read_replica_states(struct wire_reader *r,
                                                                 int16_t version,
                                                                 struct wire_arena *a,
                                                                 int32_t *count)
{
    struct describe_quorum_replica_state *s = wire_read_array(r, a, true, sizeof *s, count);
    for (int32_t i = 0; i < *count && r->err == 0; i++) {
        describe_quorum_replica_state_init(&s[i]);
        s[i].replica_id = wire_read_int32(r);
        if (version >= 2) {
            s[i].replica_directory_id = wire_read_uuid(r);
        }
        s[i].log_end_offset = wire_read_int64(r);
        if (version >= 1) {
            s[i].last_fetch_timestamp = wire_read_int64(r);
            s[i].last_caught_up_timestamp = wire_read_int64(r);
        }
        wire_skip_tags(r);
    }
    return s;
}

static void write_dq_partition(struct wire_writer *w,
                               const struct describe_quorum_response_partition *p,
                               int16_t version)
{
    wire_write_int32(w, p->partition_index);
    wire_write_int16(w, p->error_code);
    if (version >= 2) {
        wire_write_nullable_string(w, p->error_message, true);
    }
    wire_write_int32(w, p->leader_id);
    wire_write_int32(w, p->leader_epoch);
    wire_write_int64(w, p->high_watermark);
    write_replica_states(w, p->current_voter_count, p->current_voters, version);
    write_replica_states(w, p->observer_count, p->observers, version);
    wire_write_uvarint(w, 0);
}

static void read_dq_partition(struct wire_reader *r, int16_t version, struct wire_arena *a,
                              struct describe_quorum_response_partition *p)
{
    p->partition_index = wire_read_int32(r);
    p->error_code = wire_read_int16(r);
    if (version >= 2) {
        p->error_message = wire_read_nullable_string(r, a, true);
    }
    p->leader_id = wire_read_int32(r);
    p->leader_epoch = wire_read_int32(r);
    p->high_watermark = wire_read_int64(r);
    p->current_voters = read_replica_states(r, version, a, &p->current_voter_count);
    p->observers = read_replica_states(r, version, a, &p->observer_count);
    wire_skip_tags(r);
}

int describe_quorum_response_encode(struct wire_writer *w,
                                    const struct describe_quorum_response *m, int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->topic_count >= 0);
    if (version < 0 || version > DESCRIBE_QUORUM_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    wire_write_int16(w, m->error_code);
    if (version >= 2) {
        wire_write_nullable_string(w, m->error_message, true);
    }
    wire_write_array_len(w, m->topic_count, true);
    for (int32_t i = 0; i < m->topic_count; i++) {
        const struct describe_quorum_response_topic *t = &m->topics[i];
        wire_write_string(w, t->topic_name, true);
        wire_write_array_len(w, t->partition_count, true);
        for (int32_t j = 0; j < t->partition_count; j++) {
            write_dq_partition(w, &t->partitions[j], version);
        }
        wire_write_uvarint(w, 0);
    }
    if (version >= 2) {
        wire_write_array_len(w, m->node_count, true);
        for (int32_t i = 0; i < m->node_count; i++) {
            wire_write_int32(w, m->nodes[i].node_id);
            write_listeners(w, m->nodes[i].listener_count, m->nodes[i].listeners, true);
            wire_write_uvarint(w, 0);
        }
    }
    wire_write_uvarint(w, 0);
    return w->err;
}

int describe_quorum_response_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                    struct describe_quorum_response *out)
{
    KS_ASSERT(out != NULL);
    if (version < 0 || version > DESCRIBE_QUORUM_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    *out = (struct describe_quorum_response){0};
    out->error_code = wire_read_int16(r);
    if (version >= 2) {
        out->error_message = wire_read_nullable_string(r, a, true);
    }
    out->topics = wire_read_array(r, a, true, sizeof *out->topics, &out->topic_count);
    for (int32_t i = 0; i < out->topic_count && r->err == 0; i++) {
        struct describe_quorum_response_topic *t = &out->topics[i];
        t->topic_name = wire_read_string(r, a, true);
        t->partitions = wire_read_array(r, a, true, sizeof *t->partitions, &t->partition_count);
        for (int32_t j = 0; j < t->partition_count && r->err == 0; j++) {
            read_dq_partition(r, version, a, &t->partitions[j]);
        }
        wire_skip_tags(r);
    }
    if (version >= 2) {
        out->nodes = wire_read_array(r, a, true, sizeof *out->nodes, &out->node_count);
        for (int32_t i = 0; i < out->node_count && r->err == 0; i++) {
            struct describe_quorum_node *n = &out->nodes[i];
            n->node_id = wire_read_int32(r);
            n->listeners = read_listeners(r, a, true, &n->listener_count);
            wire_skip_tags(r);
        }
    }
    wire_skip_tags(r);
    return r->err;
}

/* ---- FetchSnapshot (msg/FetchSnapshot{Request,Response}.json; flexible 0+) ---------------- */

void fetch_snapshot_request_init(struct fetch_snapshot_request *m)
{
    KS_ASSERT(m != NULL);
    *m = (struct fetch_snapshot_request){
        .cluster_id = NULL, .replica_id = -1, .max_bytes = INT32_MAX};
}

/* SnapshotId {EndOffset int64, Epoch int32} is a nested struct with its own tag section. */
static void write_snapshot_id(struct wire_writer *w, struct kraft_snapshot_id id)
{
    wire_write_int64(w, id.end_offset);
    wire_write_int32(w, id.epoch);
    wire_write_uvarint(w, 0);
}

static struct kraft_snapshot_id read_snapshot_id(struct wire_reader *r)
{
    struct kraft_snapshot_id id;
    id.end_offset = wire_read_int64(r);
    id.epoch = wire_read_int32(r);
    wire_skip_tags(r);
    return id;
}

static void write_fs_request_partition(struct wire_writer *w,
                                       const struct fetch_snapshot_request_partition *p,
                                       int16_t version)
{
    wire_write_int32(w, p->partition);
    wire_write_int32(w, p->current_leader_epoch);
    write_snapshot_id(w, p->snapshot_id);
    wire_write_int64(w, p->position);
    bool dir = version >= 1 && !wire_uuid_equal(p->replica_directory_id, KUUID_ZERO);
    wire_write_uvarint(w, dir ? 1 : 0);
    if (dir) {
        size_t mark = wire_tag_begin(w, 0);
        wire_write_uuid(w, p->replica_directory_id);
        wire_tag_end(w, mark);
    }
}

int fetch_snapshot_request_encode(struct wire_writer *w, const struct fetch_snapshot_request *m,
                                  int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->topic_count >= 0);
    if (version < 0 || version > FETCH_SNAPSHOT_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    wire_write_int32(w, m->replica_id);
    wire_write_int32(w, m->max_bytes);
    wire_write_array_len(w, m->topic_count, true);
    for (int32_t i = 0; i < m->topic_count; i++) {
        const struct fetch_snapshot_request_topic *t = &m->topics[i];
        wire_write_string(w, t->name, true);
        wire_write_array_len(w, t->partition_count, true);
        for (int32_t j = 0; j < t->partition_count; j++) {
            write_fs_request_partition(w, &t->partitions[j], version);
        }
        wire_write_uvarint(w, 0);
    }
    /* ClusterId is tag 0 of the top-level struct; written only when non-null. */
    wire_write_uvarint(w, m->cluster_id != NULL ? 1 : 0);
    if (m->cluster_id != NULL) {
        size_t mark = wire_tag_begin(w, 0);
        wire_write_nullable_string(w, m->cluster_id, true);
        wire_tag_end(w, mark);
    }
    return w->err;
}

static void read_fs_request_partition(struct wire_reader *r, int16_t version,
                                      struct fetch_snapshot_request_partition *p)
{
    p->partition = wire_read_int32(r);
    p->current_leader_epoch = wire_read_int32(r);
    p->snapshot_id = read_snapshot_id(r);
    p->position = wire_read_int64(r);
    struct wire_tags t;
    uint32_t tag;
    struct wire_reader f;
    wire_tags_begin(&t, r);
    while (wire_tags_next(&t, &tag, &f)) {
        if (tag == 0 && version >= 1) {
            p->replica_directory_id = wire_read_uuid(&f);
        }
    }
}

int fetch_snapshot_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                  struct fetch_snapshot_request *out)
{
    KS_ASSERT(out != NULL);
    if (version < 0 || version > FETCH_SNAPSHOT_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    fetch_snapshot_request_init(out);
    out->replica_id = wire_read_int32(r);
    out->max_bytes = wire_read_int32(r);
    out->topics = wire_read_array(r, a, true, sizeof *out->topics, &out->topic_count);
    for (int32_t i = 0; i < out->topic_count && r->err == 0; i++) {
        struct fetch_snapshot_request_topic *t = &out->topics[i];
        t->name = wire_read_string(r, a, true);
        t->partitions = wire_read_array(r, a, true, sizeof *t->partitions, &t->partition_count);
        for (int32_t j = 0; j < t->partition_count && r->err == 0; j++) {
            read_fs_request_partition(r, version, &t->partitions[j]);
        }
        wire_skip_tags(r);
    }
    struct wire_tags tags;
    uint32_t tag;
    struct wire_reader f;
    wire_tags_begin(&tags, r);
    while (wire_tags_next(&tags, &tag, &f)) {
        if (tag == 0) {
            out->cluster_id = wire_read_nullable_string(&f, a, true);
        }
    }
    return r->err;
}

static void write_fs_response_partition(struct wire_writer *w,
                                        const struct fetch_snapshot_response_partition *p)
{
    wire_write_int32(w, p->index);
    wire_write_int16(w, p->error_code);
    write_snapshot_id(w, p->snapshot_id);
    wire_write_int64(w, p->size);
    wire_write_int64(w, p->position);
    wire_write_bytes(w, p->unaligned_records, true);
    /* CurrentLeader {tag 0}: its fields have no defaults, so "default" is (0, 0). */
    bool leader = p->current_leader.leader_id != 0 || p->current_leader.leader_epoch != 0;
    wire_write_uvarint(w, leader ? 1 : 0);
    if (leader) {
        size_t mark = wire_tag_begin(w, 0);
        wire_write_int32(w, p->current_leader.leader_id);
        wire_write_int32(w, p->current_leader.leader_epoch);
        wire_write_uvarint(w, 0);
        wire_tag_end(w, mark);
    }
}

int fetch_snapshot_response_encode(struct wire_writer *w,
                                   const struct fetch_snapshot_response *m, int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->topic_count >= 0);
    if (version < 0 || version > FETCH_SNAPSHOT_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    wire_write_int32(w, m->throttle_time_ms);
    wire_write_int16(w, m->error_code);
    wire_write_array_len(w, m->topic_count, true);
    for (int32_t i = 0; i < m->topic_count; i++) {
        const struct fetch_snapshot_response_topic *t = &m->topics[i];
        wire_write_string(w, t->name, true);
        wire_write_array_len(w, t->partition_count, true);
        for (int32_t j = 0; j < t->partition_count; j++) {
            write_fs_response_partition(w, &t->partitions[j]);
        }
        wire_write_uvarint(w, 0);
    }
    write_endpoint_tags(w, version, 1, m->node_endpoint_count, m->node_endpoints);
    return w->err;
}

static void read_fs_response_partition(struct wire_reader *r, struct wire_arena *a,
                                       struct fetch_snapshot_response_partition *p)
{
    p->index = wire_read_int32(r);
    p->error_code = wire_read_int16(r);
    p->snapshot_id = read_snapshot_id(r);
    p->size = wire_read_int64(r);
    p->position = wire_read_int64(r);
    p->unaligned_records = wire_read_bytes(r, a, true);
    struct wire_tags t;
    uint32_t tag;
    struct wire_reader f;
    wire_tags_begin(&t, r);
    while (wire_tags_next(&t, &tag, &f)) {
        if (tag == 0) {
            p->current_leader.leader_id = wire_read_int32(&f);
            p->current_leader.leader_epoch = wire_read_int32(&f);
            wire_skip_tags(&f);
        }
    }
}

int fetch_snapshot_response_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                   struct fetch_snapshot_response *out)
{
    KS_ASSERT(out != NULL);
    if (version < 0 || version > FETCH_SNAPSHOT_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    *out = (struct fetch_snapshot_response){0};
    out->throttle_time_ms = wire_read_int32(r);
    out->error_code = wire_read_int16(r);
    out->topics = wire_read_array(r, a, true, sizeof *out->topics, &out->topic_count);
    for (int32_t i = 0; i < out->topic_count && r->err == 0; i++) {
        struct fetch_snapshot_response_topic *t = &out->topics[i];
        t->name = wire_read_string(r, a, true);
        t->partitions = wire_read_array(r, a, true, sizeof *t->partitions, &t->partition_count);
        for (int32_t j = 0; j < t->partition_count && r->err == 0; j++) {
            read_fs_response_partition(r, a, &t->partitions[j]);
        }
        wire_skip_tags(r);
    }
    read_endpoint_tags(r, version, 1, a, &out->node_endpoint_count, &out->node_endpoints);
    return r->err;
}
