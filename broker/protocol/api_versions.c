/* api_versions.c — ApiVersions request and response bodies (msg/ApiVersions*.json). */
#include "api_versions.h"

#include "env.h"

#define FLEX_MIN 3 /* "flexibleVersions": "3+" */

static bool version_ok(int16_t v)
{
    return v >= API_VERSIONS_VERSION_MIN && v <= API_VERSIONS_VERSION_MAX;
}

void api_versions_request_init(struct api_versions_request *m)
{
    KS_ASSERT(m != NULL);
    *m = (struct api_versions_request){
        .client_software_name = "", .client_software_version = "", .cluster_id = NULL,
        .node_id = -1};
}

void api_versions_response_init(struct api_versions_response *m)
{
    KS_ASSERT(m != NULL);
    *m = (struct api_versions_response){.finalized_features_epoch = -1};
}

int api_versions_request_encode(struct wire_writer *w, const struct api_versions_request *m,
                                int16_t version)
{
    KS_ASSERT(m != NULL);
    if (!version_ok(version)) {
        return -WIRE_EVERSION;
    }
    if (version >= 3) {
        wire_write_string(w, m->client_software_name, true);
        wire_write_string(w, m->client_software_version, true);
    }
    if (version >= 5) {
        wire_write_nullable_string(w, m->cluster_id, true);
        wire_write_int32(w, m->node_id);
    }
    if (version >= FLEX_MIN) {
        wire_write_uvarint(w, 0);
    }
    return w->err;
}

int api_versions_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                struct api_versions_request *out)
{
    KS_ASSERT(out != NULL);
    if (!version_ok(version)) {
        return -WIRE_EVERSION;
    }
    api_versions_request_init(out);
    if (version >= 3) {
        out->client_software_name = wire_read_string(r, a, true);
        out->client_software_version = wire_read_string(r, a, true);
    }
    if (version >= 5) {
        out->cluster_id = wire_read_nullable_string(r, a, true);
        out->node_id = wire_read_int32(r);
    }
    if (version >= FLEX_MIN) {
        wire_skip_tags(r);
    }
    return r->err;
}

static void write_feature_tags(struct wire_writer *w, const struct api_versions_response *m)
{
    /* Generated Java writes a tagged field only when it differs from its default. */
    uint32_t count = (m->supported_feature_count > 0) + (m->finalized_features_epoch != -1) +
                     (m->finalized_feature_count > 0) + (m->zk_migration_ready ? 1 : 0);
    wire_write_uvarint(w, count);
    if (m->supported_feature_count > 0) {
        size_t mark = wire_tag_begin(w, 0);
        wire_write_array_len(w, m->supported_feature_count, true);
        for (int32_t i = 0; i < m->supported_feature_count; i++) {
            const struct api_versions_supported_feature *f = &m->supported_features[i];
            wire_write_string(w, f->name, true);
            wire_write_int16(w, f->min_version);
            wire_write_int16(w, f->max_version);
            wire_write_uvarint(w, 0);
        }
        wire_tag_end(w, mark);
    }
    if (m->finalized_features_epoch != -1) {
        size_t mark = wire_tag_begin(w, 1);
        wire_write_int64(w, m->finalized_features_epoch);
        wire_tag_end(w, mark);
    }
    if (m->finalized_feature_count > 0) {
        size_t mark = wire_tag_begin(w, 2);
        wire_write_array_len(w, m->finalized_feature_count, true);
        for (int32_t i = 0; i < m->finalized_feature_count; i++) {
            const struct api_versions_finalized_feature *f = &m->finalized_features[i];
            wire_write_string(w, f->name, true);
            wire_write_int16(w, f->max_version_level);
            wire_write_int16(w, f->min_version_level);
            wire_write_uvarint(w, 0);
        }
        wire_tag_end(w, mark);
    }
    if (m->zk_migration_ready) {
        size_t mark = wire_tag_begin(w, 3);
        wire_write_bool(w, true);
        wire_tag_end(w, mark);
    }
}

int api_versions_response_encode(struct wire_writer *w, const struct api_versions_response *m,
                                 int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->api_key_count >= 0);
    if (!version_ok(version)) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= FLEX_MIN;
    wire_write_int16(w, m->error_code);
    wire_write_array_len(w, m->api_key_count, flex);
    for (int32_t i = 0; i < m->api_key_count; i++) {
        wire_write_int16(w, m->api_keys[i].api_key);
        wire_write_int16(w, m->api_keys[i].min_version);
        wire_write_int16(w, m->api_keys[i].max_version);
        if (flex) {
            wire_write_uvarint(w, 0);
        }
    }
    if (version >= 1) {
        wire_write_int32(w, m->throttle_time_ms);
    }
    if (flex) {
        write_feature_tags(w, m);
    }
    return w->err;
}

static void read_supported(struct wire_reader *r, struct wire_arena *a,
                           struct api_versions_response *out)
{
    int32_t n = wire_read_array_count(r, true);
    out->supported_features = wire_read_alloc(r, a, n, sizeof *out->supported_features);
    out->supported_feature_count = r->err != 0 ? 0 : n;
    for (int32_t i = 0; i < out->supported_feature_count && r->err == 0; i++) {
        struct api_versions_supported_feature *f = &out->supported_features[i];
        f->name = wire_read_string(r, a, true);
        f->min_version = wire_read_int16(r);
        f->max_version = wire_read_int16(r);
        wire_skip_tags(r);
    }
}

static void read_finalized(struct wire_reader *r, struct wire_arena *a,
                           struct api_versions_response *out)
{
    int32_t n = wire_read_array_count(r, true);
    out->finalized_features = wire_read_alloc(r, a, n, sizeof *out->finalized_features);
    out->finalized_feature_count = r->err != 0 ? 0 : n;
    for (int32_t i = 0; i < out->finalized_feature_count && r->err == 0; i++) {
        struct api_versions_finalized_feature *f = &out->finalized_features[i];
        f->name = wire_read_string(r, a, true);
        f->max_version_level = wire_read_int16(r);
        f->min_version_level = wire_read_int16(r);
        wire_skip_tags(r);
    }
}

static void read_feature_tags(struct wire_reader *r, struct wire_arena *a,
                              struct api_versions_response *out)
{
    struct wire_tags t;
    uint32_t tag;
    struct wire_reader f;
    wire_tags_begin(&t, r);
    while (wire_tags_next(&t, &tag, &f)) {
        switch (tag) {
        case 0:
            read_supported(&f, a, out);
            break;
        case 1:
            out->finalized_features_epoch = wire_read_int64(&f);
            break;
        case 2:
            read_finalized(&f, a, out);
            break;
        case 3:
            out->zk_migration_ready = wire_read_bool(&f);
            break;
        default:
            break; /* unknown tag: skipped */
        }
    }
}

int api_versions_response_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                 struct api_versions_response *out)
{
    KS_ASSERT(out != NULL);
    if (!version_ok(version)) {
        return -WIRE_EVERSION;
    }
    bool flex = version >= FLEX_MIN;
    api_versions_response_init(out);
    out->error_code = wire_read_int16(r);
    int32_t n = wire_read_array_count(r, flex);
    out->api_keys = wire_read_alloc(r, a, n, sizeof *out->api_keys);
    out->api_key_count = r->err != 0 ? 0 : n;
    for (int32_t i = 0; i < out->api_key_count && r->err == 0; i++) {
        out->api_keys[i].api_key = wire_read_int16(r);
        out->api_keys[i].min_version = wire_read_int16(r);
        out->api_keys[i].max_version = wire_read_int16(r);
        if (flex) {
            wire_skip_tags(r);
        }
    }
    if (version >= 1) {
        out->throttle_time_ms = wire_read_int32(r);
    }
    if (flex) {
        read_feature_tags(r, a, out);
    }
    return r->err;
}
