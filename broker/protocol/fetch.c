/* fetch.c — Fetch request and response codecs, v12-18 (schemas in fetch.h). */
#include "fetch.h"

#include "env.h"

static bool version_ok(int16_t v) { return v >= FETCH_VERSION_MIN && v <= FETCH_VERSION_MAX; }

void fetch_request_init(struct fetch_request *m)
{
    KS_ASSERT(m != NULL);
    *m = (struct fetch_request){
        .cluster_id = NULL,
        .replica_id = -1,
        .replica_epoch = -1,
        .max_bytes = INT32_MAX,
        .isolation_level = 0,
        .session_id = 0,
        .session_epoch = -1,
        .rack_id = "",
    };
}

void fetch_request_partition_init(struct fetch_request_partition *p)
{
    KS_ASSERT(p != NULL);
    *p = (struct fetch_request_partition){
        .current_leader_epoch = -1,
        .last_fetched_epoch = -1,
        .log_start_offset = -1,
        .high_watermark = INT64_MAX,
    };
}

void fetch_response_init(struct fetch_response *m)
{
    KS_ASSERT(m != NULL);
    *m = (struct fetch_response){.session_id = 0};
}

void fetch_response_partition_init(struct fetch_response_partition *p)
{
    KS_ASSERT(p != NULL);
    *p = (struct fetch_response_partition){
        .last_stable_offset = -1,
        .log_start_offset = -1,
        .diverging_epoch = {-1, -1},
        .current_leader = {-1, -1},
        .snapshot_id = {-1, -1},
        .aborted_transaction_count = -1,
        .preferred_read_replica = -1,
        .records = WIRE_BYTES_NULL,
    };
}

/* Topic v0-12 is a name, v13+ a TopicId (KIP-516). */
static void write_topic_key(struct wire_writer *w, const char *topic, struct kuuid id,
                            int16_t version)
{
    if (version >= 13) {
        wire_write_uuid(w, id);
    } else {
        wire_write_string(w, topic, true);
    }
}

static void read_topic_key(struct wire_reader *r, struct wire_arena *a, int16_t version,
                           const char **topic, struct kuuid *id)
{
    if (version >= 13) {
        *id = wire_read_uuid(r);
    } else {
        *topic = wire_read_string(r, a, true);
    }
}

/* ---- Request ------------------------------------------------------------------------------ */

static void write_request_partition(struct wire_writer *w, const struct fetch_request_partition *p,
                                    int16_t version)
{
    wire_write_int32(w, p->partition);
    wire_write_int32(w, p->current_leader_epoch);
    wire_write_int64(w, p->fetch_offset);
    wire_write_int32(w, p->last_fetched_epoch);
    wire_write_int64(w, p->log_start_offset);
    wire_write_int32(w, p->partition_max_bytes);
    bool dir = version >= 17 && !wire_uuid_equal(p->replica_directory_id, KUUID_ZERO);
    bool hw = version >= 18 && p->high_watermark != INT64_MAX;
    wire_write_uvarint(w, (uint32_t)dir + (uint32_t)hw);
    if (dir) {
        size_t mark = wire_tag_begin(w, 0);
        wire_write_uuid(w, p->replica_directory_id);
        wire_tag_end(w, mark);
    }
    if (hw) {
        size_t mark = wire_tag_begin(w, 1);
        wire_write_int64(w, p->high_watermark);
        wire_tag_end(w, mark);
    }
}

static void write_request_tags(struct wire_writer *w, const struct fetch_request *m,
                               int16_t version)
{
    bool cluster = m->cluster_id != NULL;
    /* ReplicaState is written unless it equals a default ReplicaState (-1, -1). */
    bool state = version >= 15 && (m->replica_id != -1 || m->replica_epoch != -1);
    wire_write_uvarint(w, (uint32_t)cluster + (uint32_t)state);
    if (cluster) {
        size_t mark = wire_tag_begin(w, 0);
        wire_write_nullable_string(w, m->cluster_id, true);
        wire_tag_end(w, mark);
    }
    if (state) {
        size_t mark = wire_tag_begin(w, 1);
        wire_write_int32(w, m->replica_id);
        wire_write_int64(w, m->replica_epoch);
        wire_write_uvarint(w, 0);
        wire_tag_end(w, mark);
    }
}

int fetch_request_encode(struct wire_writer *w, const struct fetch_request *m, int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->topic_count >= 0 && m->forgotten_topic_count >= 0);
    if (!version_ok(version)) {
        return -WIRE_EVERSION;
    }
    if (version <= 14) {
        wire_write_int32(w, m->replica_id);
    }
    wire_write_int32(w, m->max_wait_ms);
    wire_write_int32(w, m->min_bytes);
    wire_write_int32(w, m->max_bytes);
    wire_write_int8(w, m->isolation_level);
    wire_write_int32(w, m->session_id);
    wire_write_int32(w, m->session_epoch);
    wire_write_array_len(w, m->topic_count, true);
    for (int32_t i = 0; i < m->topic_count; i++) {
        const struct fetch_request_topic *t = &m->topics[i];
        write_topic_key(w, t->topic, t->topic_id, version);
        wire_write_array_len(w, t->partition_count, true);
        for (int32_t j = 0; j < t->partition_count; j++) {
            write_request_partition(w, &t->partitions[j], version);
        }
        wire_write_uvarint(w, 0);
    }
    wire_write_array_len(w, m->forgotten_topic_count, true);
    for (int32_t i = 0; i < m->forgotten_topic_count; i++) {
        const struct fetch_forgotten_topic *t = &m->forgotten_topics[i];
        write_topic_key(w, t->topic, t->topic_id, version);
        wire_write_array_len(w, t->partition_count, true);
        for (int32_t j = 0; j < t->partition_count; j++) {
            wire_write_int32(w, t->partitions[j]);
        }
        wire_write_uvarint(w, 0);
    }
    wire_write_string(w, m->rack_id, true);
    write_request_tags(w, m, version);
    return w->err;
}

static void read_request_partition(struct wire_reader *r, int16_t version,
                                   struct fetch_request_partition *p)
{
    fetch_request_partition_init(p);
    p->partition = wire_read_int32(r);
    p->current_leader_epoch = wire_read_int32(r);
    p->fetch_offset = wire_read_int64(r);
    p->last_fetched_epoch = wire_read_int32(r);
    p->log_start_offset = wire_read_int64(r);
    p->partition_max_bytes = wire_read_int32(r);
    struct wire_tags t;
    uint32_t tag;
    struct wire_reader f;
    wire_tags_begin(&t, r);
    while (wire_tags_next(&t, &tag, &f)) {
        if (tag == 0 && version >= 17) {
            p->replica_directory_id = wire_read_uuid(&f);
        } else if (tag == 1 && version >= 18) {
            p->high_watermark = wire_read_int64(&f);
        }
    }
}

static void read_request_topics(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                struct fetch_request *out)
{
    out->topics = wire_read_array(r, a, true, sizeof *out->topics, &out->topic_count);
    for (int32_t i = 0; i < out->topic_count && r->err == 0; i++) {
        struct fetch_request_topic *t = &out->topics[i];
        read_topic_key(r, a, version, &t->topic, &t->topic_id);
        t->partitions = wire_read_array(r, a, true, sizeof *t->partitions, &t->partition_count);
        for (int32_t j = 0; j < t->partition_count && r->err == 0; j++) {
            read_request_partition(r, version, &t->partitions[j]);
        }
        wire_skip_tags(r);
    }
    out->forgotten_topics = wire_read_array(r, a, true, sizeof *out->forgotten_topics,
                                            &out->forgotten_topic_count);
    for (int32_t i = 0; i < out->forgotten_topic_count && r->err == 0; i++) {
        struct fetch_forgotten_topic *t = &out->forgotten_topics[i];
        read_topic_key(r, a, version, &t->topic, &t->topic_id);
        t->partitions = wire_read_array(r, a, true, sizeof *t->partitions, &t->partition_count);
        for (int32_t j = 0; j < t->partition_count && r->err == 0; j++) {
            t->partitions[j] = wire_read_int32(r);
        }
        wire_skip_tags(r);
    }
}

int fetch_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                         struct fetch_request *out)
{
    KS_ASSERT(out != NULL);
    if (!version_ok(version)) {
        return -WIRE_EVERSION;
    }
    fetch_request_init(out);
    if (version <= 14) {
        out->replica_id = wire_read_int32(r);
    }
    out->max_wait_ms = wire_read_int32(r);
    out->min_bytes = wire_read_int32(r);
    out->max_bytes = wire_read_int32(r);
    out->isolation_level = wire_read_int8(r);
    out->session_id = wire_read_int32(r);
    out->session_epoch = wire_read_int32(r);
    read_request_topics(r, version, a, out);
    out->rack_id = wire_read_string(r, a, true);
    struct wire_tags t;
    uint32_t tag;
    struct wire_reader f;
    wire_tags_begin(&t, r);
    while (wire_tags_next(&t, &tag, &f)) {
        if (tag == 0) {
            out->cluster_id = wire_read_nullable_string(&f, a, true);
        } else if (tag == 1 && version >= 15) {
            out->replica_id = wire_read_int32(&f);
            out->replica_epoch = wire_read_int64(&f);
            wire_skip_tags(&f);
        }
    }
    return r->err;
}

/* ---- Response ----------------------------------------------------------------------------- */

static void write_partition_tags(struct wire_writer *w, const struct fetch_response_partition *p)
{
    /* Each tagged struct is written unless it equals its default-constructed value. */
    bool div = p->diverging_epoch.epoch != -1 || p->diverging_epoch.end_offset != -1;
    bool leader = p->current_leader.leader_id != -1 || p->current_leader.leader_epoch != -1;
    bool snap = p->snapshot_id.end_offset != -1 || p->snapshot_id.epoch != -1;
    wire_write_uvarint(w, (uint32_t)div + (uint32_t)leader + (uint32_t)snap);
    if (div) {
        size_t mark = wire_tag_begin(w, 0);
        wire_write_int32(w, p->diverging_epoch.epoch);
        wire_write_int64(w, p->diverging_epoch.end_offset);
        wire_write_uvarint(w, 0);
        wire_tag_end(w, mark);
    }
    if (leader) {
        size_t mark = wire_tag_begin(w, 1);
        wire_write_int32(w, p->current_leader.leader_id);
        wire_write_int32(w, p->current_leader.leader_epoch);
        wire_write_uvarint(w, 0);
        wire_tag_end(w, mark);
    }
    if (snap) {
        size_t mark = wire_tag_begin(w, 2);
        wire_write_int64(w, p->snapshot_id.end_offset);
        wire_write_int32(w, p->snapshot_id.epoch);
        wire_write_uvarint(w, 0);
        wire_tag_end(w, mark);
    }
}

static void write_response_partition(struct wire_writer *w,
                                     const struct fetch_response_partition *p)
{
    KS_ASSERT(p->aborted_transaction_count >= -1);
    wire_write_int32(w, p->partition_index);
    wire_write_int16(w, p->error_code);
    wire_write_int64(w, p->high_watermark);
    wire_write_int64(w, p->last_stable_offset);
    wire_write_int64(w, p->log_start_offset);
    wire_write_array_len(w, p->aborted_transaction_count, true);
    for (int32_t k = 0; k < p->aborted_transaction_count; k++) {
        wire_write_int64(w, p->aborted_transactions[k].producer_id);
        wire_write_int64(w, p->aborted_transactions[k].first_offset);
        wire_write_uvarint(w, 0);
    }
    wire_write_int32(w, p->preferred_read_replica);
    wire_write_nullable_bytes(w, p->records, true);
    write_partition_tags(w, p);
}

static void write_node_endpoints(struct wire_writer *w, const struct fetch_response *m,
                                 int16_t version)
{
    bool present = version >= 16 && m->node_endpoint_count > 0;
    wire_write_uvarint(w, present ? 1 : 0);
    if (!present) {
        return;
    }
    size_t mark = wire_tag_begin(w, 0);
    wire_write_array_len(w, m->node_endpoint_count, true);
    for (int32_t i = 0; i < m->node_endpoint_count; i++) {
        const struct fetch_node_endpoint *e = &m->node_endpoints[i];
        wire_write_int32(w, e->node_id);
        wire_write_string(w, e->host, true);
        wire_write_int32(w, e->port);
        wire_write_nullable_string(w, e->rack, true);
        wire_write_uvarint(w, 0);
    }
    wire_tag_end(w, mark);
}

int fetch_response_encode(struct wire_writer *w, const struct fetch_response *m, int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->topic_count >= 0);
    if (!version_ok(version)) {
        return -WIRE_EVERSION;
    }
    wire_write_int32(w, m->throttle_time_ms);
    wire_write_int16(w, m->error_code);
    wire_write_int32(w, m->session_id);
    wire_write_array_len(w, m->topic_count, true);
    for (int32_t i = 0; i < m->topic_count; i++) {
        const struct fetch_response_topic *t = &m->topics[i];
        write_topic_key(w, t->topic, t->topic_id, version);
        wire_write_array_len(w, t->partition_count, true);
        for (int32_t j = 0; j < t->partition_count; j++) {
            write_response_partition(w, &t->partitions[j]);
        }
        wire_write_uvarint(w, 0);
    }
    write_node_endpoints(w, m, version);
    return w->err;
}

static void read_partition_tags(struct wire_reader *r, struct fetch_response_partition *p)
{
    struct wire_tags t;
    uint32_t tag;
    struct wire_reader f;
    wire_tags_begin(&t, r);
    while (wire_tags_next(&t, &tag, &f)) {
        if (tag == 0) {
            p->diverging_epoch.epoch = wire_read_int32(&f);
            p->diverging_epoch.end_offset = wire_read_int64(&f);
            wire_skip_tags(&f);
        } else if (tag == 1) {
            p->current_leader.leader_id = wire_read_int32(&f);
            p->current_leader.leader_epoch = wire_read_int32(&f);
            wire_skip_tags(&f);
        } else if (tag == 2) {
            p->snapshot_id.end_offset = wire_read_int64(&f);
            p->snapshot_id.epoch = wire_read_int32(&f);
            wire_skip_tags(&f);
        }
    }
}

static void read_response_partition(struct wire_reader *r, struct wire_arena *a,
                                    struct fetch_response_partition *p)
{
    fetch_response_partition_init(p);
    p->partition_index = wire_read_int32(r);
    p->error_code = wire_read_int16(r);
    p->high_watermark = wire_read_int64(r);
    p->last_stable_offset = wire_read_int64(r);
    p->log_start_offset = wire_read_int64(r);
    int32_t n = wire_read_array_len(r, true);
    p->aborted_transactions = wire_read_alloc(r, a, n, sizeof *p->aborted_transactions);
    p->aborted_transaction_count = r->err != 0 ? -1 : n;
    for (int32_t k = 0; k < p->aborted_transaction_count && r->err == 0; k++) {
        p->aborted_transactions[k].producer_id = wire_read_int64(r);
        p->aborted_transactions[k].first_offset = wire_read_int64(r);
        wire_skip_tags(r);
    }
    p->preferred_read_replica = wire_read_int32(r);
    p->records = wire_read_nullable_bytes(r, a, true);
    read_partition_tags(r, p);
}

static void read_node_endpoints(struct wire_reader *r, struct wire_arena *a,
                                struct fetch_response *out)
{
    out->node_endpoints = wire_read_array(r, a, true, sizeof *out->node_endpoints,
                                          &out->node_endpoint_count);
    for (int32_t i = 0; i < out->node_endpoint_count && r->err == 0; i++) {
        struct fetch_node_endpoint *e = &out->node_endpoints[i];
        e->node_id = wire_read_int32(r);
        e->host = wire_read_string(r, a, true);
        e->port = wire_read_int32(r);
        e->rack = wire_read_nullable_string(r, a, true);
        wire_skip_tags(r);
    }
}

int fetch_response_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                          struct fetch_response *out)
{
    KS_ASSERT(out != NULL);
    if (!version_ok(version)) {
        return -WIRE_EVERSION;
    }
    fetch_response_init(out);
    out->throttle_time_ms = wire_read_int32(r);
    out->error_code = wire_read_int16(r);
    out->session_id = wire_read_int32(r);
    out->topics = wire_read_array(r, a, true, sizeof *out->topics, &out->topic_count);
    for (int32_t i = 0; i < out->topic_count && r->err == 0; i++) {
        struct fetch_response_topic *t = &out->topics[i];
        read_topic_key(r, a, version, &t->topic, &t->topic_id);
        t->partitions = wire_read_array(r, a, true, sizeof *t->partitions, &t->partition_count);
        for (int32_t j = 0; j < t->partition_count && r->err == 0; j++) {
            read_response_partition(r, a, &t->partitions[j]);
        }
        wire_skip_tags(r);
    }
    struct wire_tags t;
    uint32_t tag;
    struct wire_reader f;
    wire_tags_begin(&t, r);
    while (wire_tags_next(&t, &tag, &f)) {
        if (tag == 0 && version >= 16) {
            read_node_endpoints(&f, a, out);
        }
    }
    return r->err;
}
