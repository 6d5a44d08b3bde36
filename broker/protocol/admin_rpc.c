/* admin_rpc.c — Metadata, CreateTopics and DeleteTopics codecs (schemas in admin_rpc.h). */
#include "admin_rpc.h"

#include "env.h"

/* ---- Shared pieces ------------------------------------------------------------------------ */

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

/* A string whose nullability depends on the version ("nullableVersions"). */
static void write_str(struct wire_writer *w, const char *s, bool nullable, bool flex)
{
    if (nullable) {
        wire_write_nullable_string(w, s, flex);
    } else {
        wire_write_string(w, s, flex);
    }
}

static const char *read_str(struct wire_reader *r, struct wire_arena *a, bool nullable, bool flex)
{
    return nullable ? wire_read_nullable_string(r, a, flex) : wire_read_string(r, a, flex);
}

static void write_int32s(struct wire_writer *w, int32_t n, const int32_t *v, bool flex)
{
    KS_ASSERT(n >= 0);
    wire_write_array_len(w, n, flex);
    for (int32_t i = 0; i < n; i++) {
        wire_write_int32(w, v[i]);
    }
}

static int32_t *read_int32s(struct wire_reader *r, struct wire_arena *a, bool flex,
                            int32_t *count)
{
    int32_t *v = wire_read_array(r, a, flex, sizeof *v, count);
    for (int32_t i = 0; i < *count && r->err == 0; i++) {
        v[i] = wire_read_int32(r);
    }
    return v;
}

/* Reads an array length that may be -1 (null) when `nullable`, and allocates the elements.
 * *count is -1 for null, the element count otherwise, and 0 after an error. */
static void *read_array_maybe_null(struct wire_reader *r, struct wire_arena *a, bool nullable,
                                   bool flex, size_t size, int32_t *count)
{
    int32_t n = nullable ? wire_read_array_len(r, flex) : wire_read_array_count(r, flex);
    void *p = wire_read_alloc(r, a, n, size);
    *count = r->err != 0 ? 0 : n;
    return p;
}

/* ---- Metadata (msg/Metadata{Request,Response}.json; 0-13, flexible 9+) -------------------- */

static bool metadata_version_ok(int16_t v)
{
    return v >= METADATA_VERSION_MIN && v <= METADATA_VERSION_MAX;
}

void metadata_request_init(struct metadata_request *m)
{
    KS_ASSERT(m != NULL);
    *m = (struct metadata_request){.allow_auto_topic_creation = true};
}

void metadata_response_init(struct metadata_response *m)
{
    KS_ASSERT(m != NULL);
    *m = (struct metadata_response){
        .cluster_id = NULL,
        .controller_id = -1,
        .cluster_authorized_operations = METADATA_AUTHORIZED_OPERATIONS_NONE,
    };
}

void metadata_response_topic_init(struct metadata_response_topic *t)
{
    KS_ASSERT(t != NULL);
    *t = (struct metadata_response_topic){
        .topic_authorized_operations = METADATA_AUTHORIZED_OPERATIONS_NONE};
}

void metadata_response_partition_init(struct metadata_response_partition *p)
{
    KS_ASSERT(p != NULL);
    *p = (struct metadata_response_partition){.leader_epoch = -1};
}

int metadata_request_encode(struct wire_writer *w, const struct metadata_request *m,
                            int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->topic_count >= -1);
    if (!metadata_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= 9;
    if (m->topic_count < 0 && version < 1) {
        /* Topics "nullableVersions": "1+"; v0 asks for every topic with an empty array. */
        wire_writer_fail(w, -WIRE_EINVAL);
        return w->err;
    }
    wire_write_array_len(w, m->topic_count, flex);
    for (int32_t i = 0; i < m->topic_count; i++) {
        if (version >= 10) {
            wire_write_uuid(w, m->topics[i].topic_id);
        }
        write_str(w, m->topics[i].name, version >= 10, flex);
        write_tags_none(w, flex);
    }
    if (version >= 4) {
        wire_write_bool(w, m->allow_auto_topic_creation);
    }
    if (version >= 8 && version <= 10) {
        wire_write_bool(w, m->include_cluster_authorized_operations);
    }
    if (version >= 8) {
        wire_write_bool(w, m->include_topic_authorized_operations);
    }
    write_tags_none(w, flex);
    return w->err;
}

int metadata_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                            struct metadata_request *out)
{
    KS_ASSERT(out != NULL);
    if (!metadata_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= 9;
    metadata_request_init(out);
    out->topics = read_array_maybe_null(r, a, version >= 1, flex, sizeof *out->topics,
                                        &out->topic_count);
    for (int32_t i = 0; i < out->topic_count && r->err == 0; i++) {
        if (version >= 10) {
            out->topics[i].topic_id = wire_read_uuid(r);
        }
        out->topics[i].name = read_str(r, a, version >= 10, flex);
        skip_tags_if(r, flex);
    }
    if (version >= 4) {
        out->allow_auto_topic_creation = wire_read_bool(r);
    }
    if (version >= 8 && version <= 10) {
        out->include_cluster_authorized_operations = wire_read_bool(r);
    }
    if (version >= 8) {
        out->include_topic_authorized_operations = wire_read_bool(r);
    }
    skip_tags_if(r, flex);
    return r->err;
}

static void write_metadata_broker(struct wire_writer *w, const struct metadata_response_broker *b,
                                  int16_t version, bool flex)
{
    wire_write_int32(w, b->node_id);
    wire_write_string(w, b->host, flex);
    wire_write_int32(w, b->port);
    if (version >= 1) {
        wire_write_nullable_string(w, b->rack, flex);
    }
    write_tags_none(w, flex);
}

static void write_metadata_partition(struct wire_writer *w,
                                     const struct metadata_response_partition *p,
                                     int16_t version, bool flex)
{
    wire_write_int16(w, p->error_code);
    wire_write_int32(w, p->partition_index);
    wire_write_int32(w, p->leader_id);
    if (version >= 7) {
        wire_write_int32(w, p->leader_epoch);
    }
    write_int32s(w, p->replica_node_count, p->replica_nodes, flex);
    write_int32s(w, p->isr_node_count, p->isr_nodes, flex);
    if (version >= 5) {
        write_int32s(w, p->offline_replica_count, p->offline_replicas, flex);
    }
    write_tags_none(w, flex);
}

static void write_metadata_topic(struct wire_writer *w, const struct metadata_response_topic *t,
                                 int16_t version, bool flex)
{
    KS_ASSERT(t->partition_count >= 0);
    wire_write_int16(w, t->error_code);
    write_str(w, t->name, version >= 12, flex);
    if (version >= 10) {
        wire_write_uuid(w, t->topic_id);
    }
    if (version >= 1) {
        wire_write_bool(w, t->is_internal);
    }
    wire_write_array_len(w, t->partition_count, flex);
    for (int32_t j = 0; j < t->partition_count; j++) {
        write_metadata_partition(w, &t->partitions[j], version, flex);
    }
    if (version >= 8) {
        wire_write_int32(w, t->topic_authorized_operations);
    }
    write_tags_none(w, flex);
}

int metadata_response_encode(struct wire_writer *w, const struct metadata_response *m,
                             int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->broker_count >= 0 && m->topic_count >= 0);
    if (!metadata_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= 9;
    if (version >= 3) {
        wire_write_int32(w, m->throttle_time_ms);
    }
    wire_write_array_len(w, m->broker_count, flex);
    for (int32_t i = 0; i < m->broker_count; i++) {
        write_metadata_broker(w, &m->brokers[i], version, flex);
    }
    if (version >= 2) {
        wire_write_nullable_string(w, m->cluster_id, flex);
    }
    if (version >= 1) {
        wire_write_int32(w, m->controller_id);
    }
    wire_write_array_len(w, m->topic_count, flex);
    for (int32_t i = 0; i < m->topic_count; i++) {
        write_metadata_topic(w, &m->topics[i], version, flex);
    }
    if (version >= 8 && version <= 10) {
        wire_write_int32(w, m->cluster_authorized_operations);
    }
    if (version >= 13) {
        wire_write_int16(w, m->error_code);
    }
    write_tags_none(w, flex);
    return w->err;
}

static void read_metadata_partition(struct wire_reader *r, struct wire_arena *a, int16_t version,
                                    bool flex, struct metadata_response_partition *p)
{
    metadata_response_partition_init(p);
    p->error_code = wire_read_int16(r);
    p->partition_index = wire_read_int32(r);
    p->leader_id = wire_read_int32(r);
    if (version >= 7) {
        p->leader_epoch = wire_read_int32(r);
    }
    p->replica_nodes = read_int32s(r, a, flex, &p->replica_node_count);
    p->isr_nodes = read_int32s(r, a, flex, &p->isr_node_count);
    if (version >= 5) {
        p->offline_replicas = read_int32s(r, a, flex, &p->offline_replica_count);
    }
    skip_tags_if(r, flex);
}

static void read_metadata_topic(struct wire_reader *r, struct wire_arena *a, int16_t version,
                                bool flex, struct metadata_response_topic *t)
{
    metadata_response_topic_init(t);
    t->error_code = wire_read_int16(r);
    t->name = read_str(r, a, version >= 12, flex);
    if (version >= 10) {
        t->topic_id = wire_read_uuid(r);
    }
    if (version >= 1) {
        t->is_internal = wire_read_bool(r);
    }
    t->partitions = wire_read_array(r, a, flex, sizeof *t->partitions, &t->partition_count);
    for (int32_t j = 0; j < t->partition_count && r->err == 0; j++) {
        read_metadata_partition(r, a, version, flex, &t->partitions[j]);
    }
    if (version >= 8) {
        t->topic_authorized_operations = wire_read_int32(r);
    }
    skip_tags_if(r, flex);
}

int metadata_response_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                             struct metadata_response *out)
{
    KS_ASSERT(out != NULL);
    if (!metadata_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= 9;
    metadata_response_init(out);
    if (version >= 3) {
        out->throttle_time_ms = wire_read_int32(r);
    }
    out->brokers = wire_read_array(r, a, flex, sizeof *out->brokers, &out->broker_count);
    for (int32_t i = 0; i < out->broker_count && r->err == 0; i++) {
        struct metadata_response_broker *b = &out->brokers[i];
        b->node_id = wire_read_int32(r);
        b->host = wire_read_string(r, a, flex);
        b->port = wire_read_int32(r);
        if (version >= 1) {
            b->rack = wire_read_nullable_string(r, a, flex);
        }
        skip_tags_if(r, flex);
    }
    if (version >= 2) {
        out->cluster_id = wire_read_nullable_string(r, a, flex);
    }
    if (version >= 1) {
        out->controller_id = wire_read_int32(r);
    }
    out->topics = wire_read_array(r, a, flex, sizeof *out->topics, &out->topic_count);
    for (int32_t i = 0; i < out->topic_count && r->err == 0; i++) {
        read_metadata_topic(r, a, version, flex, &out->topics[i]);
    }
    if (version >= 8 && version <= 10) {
        out->cluster_authorized_operations = wire_read_int32(r);
    }
    if (version >= 13) {
        out->error_code = wire_read_int16(r);
    }
    skip_tags_if(r, flex);
    return r->err;
}

/* ---- CreateTopics (msg/CreateTopics{Request,Response}.json; 2-7, flexible 5+) ------------- */

static bool create_topics_version_ok(int16_t v)
{
    return v >= CREATE_TOPICS_VERSION_MIN && v <= CREATE_TOPICS_VERSION_MAX;
}

void create_topics_request_init(struct create_topics_request *m)
{
    KS_ASSERT(m != NULL);
    *m = (struct create_topics_request){.timeout_ms = 60000, .validate_only = false};
}

void create_topics_result_init(struct create_topics_result *t)
{
    KS_ASSERT(t != NULL);
    *t = (struct create_topics_result){
        .error_message = "", .num_partitions = -1, .replication_factor = -1, .config_count = 0};
}

void create_topics_error_response(const struct create_topics_request *req, int16_t error,
                                  struct wire_arena *a, struct create_topics_response *out)
{
    *out = (struct create_topics_response){.topic_count = req->topic_count};
    out->topics = wire_arena_alloc(a, sizeof *out->topics * (size_t)(req->topic_count + 1));
    for (int32_t i = 0; i < req->topic_count; i++) {
        create_topics_result_init(&out->topics[i]);
        out->topics[i].name = req->topics[i].name;
        out->topics[i].error_code = error;
        out->topics[i].error_message = NULL;
    }
}

void create_topics_result_config_init(struct create_topics_result_config *c)
{
    KS_ASSERT(c != NULL);
    *c = (struct create_topics_result_config){.config_source = -1};
}

static void write_creatable_topic(struct wire_writer *w, const struct create_topics_topic *t,
                                  bool flex)
{
    KS_ASSERT(t->assignment_count >= 0 && t->config_count >= 0);
    wire_write_string(w, t->name, flex);
    wire_write_int32(w, t->num_partitions);
    wire_write_int16(w, t->replication_factor);
    wire_write_array_len(w, t->assignment_count, flex);
    for (int32_t k = 0; k < t->assignment_count; k++) {
        const struct create_topics_assignment *as = &t->assignments[k];
        wire_write_int32(w, as->partition_index);
        write_int32s(w, as->broker_id_count, as->broker_ids, flex);
        write_tags_none(w, flex);
    }
    wire_write_array_len(w, t->config_count, flex);
    for (int32_t k = 0; k < t->config_count; k++) {
        wire_write_string(w, t->configs[k].name, flex);
        wire_write_nullable_string(w, t->configs[k].value, flex);
        write_tags_none(w, flex);
    }
    write_tags_none(w, flex);
}

int create_topics_request_encode(struct wire_writer *w, const struct create_topics_request *m,
                                 int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->topic_count >= 0);
    if (!create_topics_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= 5;
    wire_write_array_len(w, m->topic_count, flex);
    for (int32_t i = 0; i < m->topic_count; i++) {
        write_creatable_topic(w, &m->topics[i], flex);
    }
    wire_write_int32(w, m->timeout_ms);
    wire_write_bool(w, m->validate_only); /* v1+: every supported version */
    write_tags_none(w, flex);
    return w->err;
}

static void read_creatable_topic(struct wire_reader *r, struct wire_arena *a, bool flex,
                                 struct create_topics_topic *t)
{
    t->name = wire_read_string(r, a, flex);
    t->num_partitions = wire_read_int32(r);
    t->replication_factor = wire_read_int16(r);
    t->assignments = wire_read_array(r, a, flex, sizeof *t->assignments, &t->assignment_count);
    for (int32_t k = 0; k < t->assignment_count && r->err == 0; k++) {
        struct create_topics_assignment *as = &t->assignments[k];
        as->partition_index = wire_read_int32(r);
        as->broker_ids = read_int32s(r, a, flex, &as->broker_id_count);
        skip_tags_if(r, flex);
    }
    t->configs = wire_read_array(r, a, flex, sizeof *t->configs, &t->config_count);
    for (int32_t k = 0; k < t->config_count && r->err == 0; k++) {
        t->configs[k].name = wire_read_string(r, a, flex);
        t->configs[k].value = wire_read_nullable_string(r, a, flex);
        skip_tags_if(r, flex);
    }
    skip_tags_if(r, flex);
}

int create_topics_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                 struct create_topics_request *out)
{
    KS_ASSERT(out != NULL);
    if (!create_topics_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= 5;
    create_topics_request_init(out);
    out->topics = wire_read_array(r, a, flex, sizeof *out->topics, &out->topic_count);
    for (int32_t i = 0; i < out->topic_count && r->err == 0; i++) {
        read_creatable_topic(r, a, flex, &out->topics[i]);
    }
    out->timeout_ms = wire_read_int32(r);
    out->validate_only = wire_read_bool(r);
    skip_tags_if(r, flex);
    return r->err;
}

/* Configs[] of a result (v5+, nullable): CreatableTopicConfigs. */
static void write_result_configs(struct wire_writer *w, const struct create_topics_result *t)
{
    KS_ASSERT(t->config_count >= -1);
    wire_write_array_len(w, t->config_count, true);
    for (int32_t k = 0; k < t->config_count; k++) {
        const struct create_topics_result_config *c = &t->configs[k];
        wire_write_string(w, c->name, true);
        wire_write_nullable_string(w, c->value, true);
        wire_write_bool(w, c->read_only);
        wire_write_int8(w, c->config_source);
        wire_write_bool(w, c->is_sensitive);
        wire_write_uvarint(w, 0);
    }
}

static void write_topic_result(struct wire_writer *w, const struct create_topics_result *t,
                               int16_t version)
{
    bool flex = version >= 5;
    wire_write_string(w, t->name, flex);
    if (version >= 7) {
        wire_write_uuid(w, t->topic_id);
    }
    wire_write_int16(w, t->error_code);
    wire_write_nullable_string(w, t->error_message, flex);
    if (version >= 5) {
        wire_write_int32(w, t->num_partitions);
        wire_write_int16(w, t->replication_factor);
        write_result_configs(w, t);
        /* TopicConfigErrorCode {tag 0}, written when it differs from its default 0. */
        bool tagged = t->topic_config_error_code != 0;
        wire_write_uvarint(w, tagged ? 1 : 0);
        if (tagged) {
            size_t mark = wire_tag_begin(w, 0);
            wire_write_int16(w, t->topic_config_error_code);
            wire_tag_end(w, mark);
        }
    }
}

int create_topics_response_encode(struct wire_writer *w, const struct create_topics_response *m,
                                  int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->topic_count >= 0);
    if (!create_topics_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= 5;
    wire_write_int32(w, m->throttle_time_ms); /* v2+: every supported version */
    wire_write_array_len(w, m->topic_count, flex);
    for (int32_t i = 0; i < m->topic_count; i++) {
        write_topic_result(w, &m->topics[i], version);
    }
    write_tags_none(w, flex);
    return w->err;
}

static void read_result_configs(struct wire_reader *r, struct wire_arena *a,
                                struct create_topics_result *t)
{
    t->configs = read_array_maybe_null(r, a, true, true, sizeof *t->configs, &t->config_count);
    for (int32_t k = 0; k < t->config_count && r->err == 0; k++) {
        struct create_topics_result_config *c = &t->configs[k];
        create_topics_result_config_init(c);
        c->name = wire_read_string(r, a, true);
        c->value = wire_read_nullable_string(r, a, true);
        c->read_only = wire_read_bool(r);
        c->config_source = wire_read_int8(r);
        c->is_sensitive = wire_read_bool(r);
        wire_skip_tags(r);
    }
}

static void read_topic_result(struct wire_reader *r, struct wire_arena *a, int16_t version,
                              struct create_topics_result *t)
{
    bool flex = version >= 5;
    create_topics_result_init(t);
    t->name = wire_read_string(r, a, flex);
    if (version >= 7) {
        t->topic_id = wire_read_uuid(r);
    }
    t->error_code = wire_read_int16(r);
    t->error_message = wire_read_nullable_string(r, a, flex);
    if (!flex) {
        return;
    }
    t->num_partitions = wire_read_int32(r);
    t->replication_factor = wire_read_int16(r);
    read_result_configs(r, a, t);
    struct wire_tags tags;
    uint32_t tag;
    struct wire_reader f;
    wire_tags_begin(&tags, r);
    while (wire_tags_next(&tags, &tag, &f)) {
        if (tag == 0) {
            t->topic_config_error_code = wire_read_int16(&f);
        }
    }
}

int create_topics_response_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                  struct create_topics_response *out)
{
    KS_ASSERT(out != NULL);
    if (!create_topics_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= 5;
    *out = (struct create_topics_response){0};
    out->throttle_time_ms = wire_read_int32(r);
    out->topics = wire_read_array(r, a, flex, sizeof *out->topics, &out->topic_count);
    for (int32_t i = 0; i < out->topic_count && r->err == 0; i++) {
        read_topic_result(r, a, version, &out->topics[i]);
    }
    skip_tags_if(r, flex);
    return r->err;
}

/* ---- DeleteTopics (msg/DeleteTopics{Request,Response}.json; 1-6, flexible 4+) ------------- */

static bool delete_topics_version_ok(int16_t v)
{
    return v >= DELETE_TOPICS_VERSION_MIN && v <= DELETE_TOPICS_VERSION_MAX;
}

int delete_topics_request_encode(struct wire_writer *w, const struct delete_topics_request *m,
                                 int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->topic_count >= 0);
    if (!delete_topics_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= 4;
    wire_write_array_len(w, m->topic_count, flex);
    for (int32_t i = 0; i < m->topic_count; i++) {
        if (version >= 6) {
            /* Topics[]{Name nullable, TopicId} (KIP-516). */
            wire_write_nullable_string(w, m->topics[i].name, flex);
            wire_write_uuid(w, m->topics[i].topic_id);
            write_tags_none(w, flex);
        } else {
            /* TopicNames []string, v0-5. */
            wire_write_string(w, m->topics[i].name, flex);
        }
    }
    wire_write_int32(w, m->timeout_ms);
    write_tags_none(w, flex);
    return w->err;
}

int delete_topics_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                 struct delete_topics_request *out)
{
    KS_ASSERT(out != NULL);
    if (!delete_topics_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= 4;
    *out = (struct delete_topics_request){0};
    out->topics = wire_read_array(r, a, flex, sizeof *out->topics, &out->topic_count);
    for (int32_t i = 0; i < out->topic_count && r->err == 0; i++) {
        if (version >= 6) {
            out->topics[i].name = wire_read_nullable_string(r, a, flex);
            out->topics[i].topic_id = wire_read_uuid(r);
            skip_tags_if(r, flex);
        } else {
            out->topics[i].name = wire_read_string(r, a, flex);
        }
    }
    out->timeout_ms = wire_read_int32(r);
    skip_tags_if(r, flex);
    return r->err;
}

int delete_topics_response_encode(struct wire_writer *w, const struct delete_topics_response *m,
                                  int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->response_count >= 0);
    if (!delete_topics_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= 4;
    wire_write_int32(w, m->throttle_time_ms); /* v1+: every supported version */
    wire_write_array_len(w, m->response_count, flex);
    for (int32_t i = 0; i < m->response_count; i++) {
        const struct delete_topics_result *t = &m->responses[i];
        write_str(w, t->name, version >= 6, flex);
        if (version >= 6) {
            wire_write_uuid(w, t->topic_id);
        }
        wire_write_int16(w, t->error_code);
        if (version >= 5) {
            wire_write_nullable_string(w, t->error_message, flex);
        }
        write_tags_none(w, flex);
    }
    write_tags_none(w, flex);
    return w->err;
}

int delete_topics_response_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                  struct delete_topics_response *out)
{
    KS_ASSERT(out != NULL);
    if (!delete_topics_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= 4;
    *out = (struct delete_topics_response){0};
    out->throttle_time_ms = wire_read_int32(r);
    out->responses = wire_read_array(r, a, flex, sizeof *out->responses, &out->response_count);
    for (int32_t i = 0; i < out->response_count && r->err == 0; i++) {
        struct delete_topics_result *t = &out->responses[i];
        t->name = read_str(r, a, version >= 6, flex);
        if (version >= 6) {
            t->topic_id = wire_read_uuid(r);
        }
        t->error_code = wire_read_int16(r);
        if (version >= 5) {
            t->error_message = wire_read_nullable_string(r, a, flex);
        }
        skip_tags_if(r, flex);
    }
    skip_tags_if(r, flex);
    return r->err;
}

void delete_topics_error_response(const struct delete_topics_request *req, int16_t error,
                                  struct wire_arena *a, struct delete_topics_response *out)
{
    *out = (struct delete_topics_response){.response_count = req->topic_count};
    out->responses = wire_arena_alloc(a, sizeof *out->responses *
                                             (size_t)(req->topic_count + 1));
    for (int32_t i = 0; i < req->topic_count; i++) {
        out->responses[i].name = req->topics[i].name;
        out->responses[i].topic_id = req->topics[i].topic_id;
        out->responses[i].error_code = error;
    }
}

/* ---- ElectLeaders ------------------------------------------------------------------------ */

static bool elect_leaders_version_ok(int16_t v) { return v >= 0 && v <= 2; }

int elect_leaders_request_encode(struct wire_writer *w, const struct elect_leaders_request *m,
                                 int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->topic_count >= -1);
    if (!elect_leaders_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= 2;
    if (version >= 1) {
        wire_write_int8(w, m->election_type);
    }
    wire_write_array_len(w, m->topic_count, flex);
    for (int32_t i = 0; i < m->topic_count; i++) {
        const struct elect_leaders_topic *t = &m->topics[i];
        wire_write_string(w, t->topic, flex);
        wire_write_array_len(w, t->partition_count, flex);
        for (int32_t k = 0; k < t->partition_count; k++) {
            wire_write_int32(w, t->partitions[k]);
        }
        write_tags_none(w, flex);
    }
    wire_write_int32(w, m->timeout_ms);
    write_tags_none(w, flex);
    return w->err;
}

int elect_leaders_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                 struct elect_leaders_request *out)
{
    KS_ASSERT(out != NULL);
    if (!elect_leaders_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= 2;
    *out = (struct elect_leaders_request){.election_type = ELECTION_TYPE_PREFERRED};
    if (version >= 1) {
        out->election_type = wire_read_int8(r);
    }
    out->topic_count = wire_read_array_len(r, flex);
    out->topics = wire_read_alloc(r, a, out->topic_count, sizeof *out->topics);
    for (int32_t i = 0; i < out->topic_count && r->err == 0; i++) {
        struct elect_leaders_topic *t = &out->topics[i];
        t->topic = wire_read_string(r, a, flex);
        t->partitions = wire_read_array(r, a, flex, sizeof *t->partitions, &t->partition_count);
        for (int32_t k = 0; k < t->partition_count && r->err == 0; k++) {
            t->partitions[k] = wire_read_int32(r);
        }
        skip_tags_if(r, flex);
    }
    if (r->err != 0) {
        out->topic_count = 0;
    }
    out->timeout_ms = wire_read_int32(r);
    skip_tags_if(r, flex);
    return r->err;
}

int elect_leaders_response_encode(struct wire_writer *w, const struct elect_leaders_response *m,
                                  int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->result_count >= 0);
    if (!elect_leaders_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= 2;
    wire_write_int32(w, m->throttle_time_ms);
    if (version >= 1) {
        wire_write_int16(w, m->error_code);
    }
    wire_write_array_len(w, m->result_count, flex);
    for (int32_t i = 0; i < m->result_count; i++) {
        const struct elect_leaders_result *t = &m->results[i];
        wire_write_string(w, t->topic, flex);
        wire_write_array_len(w, t->partition_count, flex);
        for (int32_t k = 0; k < t->partition_count; k++) {
            const struct elect_leaders_partition_result *p = &t->partitions[k];
            wire_write_int32(w, p->partition_id);
            wire_write_int16(w, p->error_code);
            wire_write_nullable_string(w, p->error_message, flex);
            write_tags_none(w, flex);
        }
        write_tags_none(w, flex);
    }
    write_tags_none(w, flex);
    return w->err;
}

int elect_leaders_response_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                  struct elect_leaders_response *out)
{
    KS_ASSERT(out != NULL);
    if (!elect_leaders_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= 2;
    *out = (struct elect_leaders_response){0};
    out->throttle_time_ms = wire_read_int32(r);
    if (version >= 1) {
        out->error_code = wire_read_int16(r);
    }
    out->results = wire_read_array(r, a, flex, sizeof *out->results, &out->result_count);
    for (int32_t i = 0; i < out->result_count && r->err == 0; i++) {
        struct elect_leaders_result *t = &out->results[i];
        t->topic = wire_read_string(r, a, flex);
        t->partitions = wire_read_array(r, a, flex, sizeof *t->partitions, &t->partition_count);
        for (int32_t k = 0; k < t->partition_count && r->err == 0; k++) {
            struct elect_leaders_partition_result *p = &t->partitions[k];
            p->partition_id = wire_read_int32(r);
            p->error_code = wire_read_int16(r);
            p->error_message = wire_read_nullable_string(r, a, flex);
            skip_tags_if(r, flex);
        }
        skip_tags_if(r, flex);
    }
    skip_tags_if(r, flex);
    return r->err;
}

void elect_leaders_error_response(const struct elect_leaders_request *req, int16_t error,
                                  struct wire_arena *a, struct elect_leaders_response *out)
{
    int32_t n = req->topic_count > 0 ? req->topic_count : 0;
    *out = (struct elect_leaders_response){.error_code = error, .result_count = n};
    out->results = wire_arena_alloc(a, sizeof *out->results * (size_t)(n + 1));
    for (int32_t i = 0; i < n; i++) {
        const struct elect_leaders_topic *t = &req->topics[i];
        struct elect_leaders_result *res = &out->results[i];
        res->topic = t->topic;
        res->partition_count = t->partition_count;
        res->partitions = wire_arena_alloc(a, sizeof *res->partitions *
                                                  (size_t)(t->partition_count + 1));
        for (int32_t k = 0; k < t->partition_count; k++) {
            res->partitions[k] = (struct elect_leaders_partition_result){
                .partition_id = t->partitions[k], .error_code = error};
        }
    }
}
