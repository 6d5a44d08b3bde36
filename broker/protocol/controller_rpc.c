/* controller_rpc.c — broker/controller RPC codecs (schemas and rules in controller_rpc.h). */
#include "controller_rpc.h"

#include "env.h"

/* Every API in this file is flexible from v0, so every length is compact and every struct ends
 * with a tagged-field section. */
#define FLEX true

/* ---- Shared pieces ------------------------------------------------------------------------ */

static void write_no_tags(struct wire_writer *w) { wire_write_uvarint(w, 0); }

static void write_int32s(struct wire_writer *w, int32_t n, const int32_t *v)
{
    KS_ASSERT(n >= 0);
    wire_write_array_len(w, n, FLEX);
    for (int32_t i = 0; i < n; i++) {
        wire_write_int32(w, v[i]);
    }
}

static int32_t *read_int32s(struct wire_reader *r, struct wire_arena *a, int32_t *count)
{
    int32_t *v = wire_read_array(r, a, FLEX, sizeof *v, count);
    for (int32_t i = 0; i < *count && r->err == 0; i++) {
        v[i] = wire_read_int32(r);
    }
    return v;
}

/* []uuid; n == -1 writes a null array (only where the schema says nullable). */
static void write_uuids(struct wire_writer *w, int32_t n, const struct kuuid *v)
{
    KS_ASSERT(n >= -1);
    wire_write_array_len(w, n, FLEX);
    for (int32_t i = 0; i < n; i++) {
        wire_write_uuid(w, v[i]);
    }
}

static struct kuuid *read_uuids(struct wire_reader *r, struct wire_arena *a, bool nullable,
                                int32_t *count)
{
    int32_t n = nullable ? wire_read_array_len(r, FLEX) : wire_read_array_count(r, FLEX);
    struct kuuid *v = wire_read_alloc(r, a, n, sizeof *v);
    *count = r->err != 0 ? 0 : n;
    for (int32_t i = 0; i < *count && r->err == 0; i++) {
        v[i] = wire_read_uuid(r);
    }
    return v;
}

/* Listeners[]{Name, Host, Port uint16, SecurityProtocol int16} (Broker/ControllerRegistration). */
static void write_listeners(struct wire_writer *w, int32_t n,
                            const struct registration_listener *l)
{
    KS_ASSERT(n >= 0);
    wire_write_array_len(w, n, FLEX);
    for (int32_t i = 0; i < n; i++) {
        wire_write_string(w, l[i].name, FLEX);
        wire_write_string(w, l[i].host, FLEX);
        wire_write_uint16(w, l[i].port);
        wire_write_int16(w, l[i].security_protocol);
        write_no_tags(w);
    }
}

static struct registration_listener *read_listeners(struct wire_reader *r, struct wire_arena *a,
                                                    int32_t *count)
{
    struct registration_listener *l = wire_read_array(r, a, FLEX, sizeof *l, count);
    for (int32_t i = 0; i < *count && r->err == 0; i++) {
        l[i].name = wire_read_string(r, a, FLEX);
        l[i].host = wire_read_string(r, a, FLEX);
        l[i].port = wire_read_uint16(r);
        l[i].security_protocol = wire_read_int16(r);
        wire_skip_tags(r);
    }
    return l;
}

static bool feature_sent(const struct registration_feature *f, bool drop_min_zero)
{
    return !(drop_min_zero && f->min_supported_version == 0);
}

/* Features[]{Name, MinSupportedVersion, MaxSupportedVersion}. `drop_min_zero` leaves out the
 * features whose MinSupportedVersion is 0 (BrokerRegistration below v4, KAFKA-17492). */
static void write_features(struct wire_writer *w, int32_t n, const struct registration_feature *f,
                           bool drop_min_zero)
{
    KS_ASSERT(n >= 0);
    int32_t sent = 0;
    for (int32_t i = 0; i < n; i++) {
        sent += feature_sent(&f[i], drop_min_zero) ? 1 : 0;
    }
    KS_ASSERT(sent <= n);
    wire_write_array_len(w, sent, FLEX);
    for (int32_t i = 0; i < n; i++) {
        if (feature_sent(&f[i], drop_min_zero)) {
            wire_write_string(w, f[i].name, FLEX);
            wire_write_int16(w, f[i].min_supported_version);
            wire_write_int16(w, f[i].max_supported_version);
            write_no_tags(w);
        }
    }
}

static struct registration_feature *read_features(struct wire_reader *r, struct wire_arena *a,
                                                  int32_t *count)
{
    struct registration_feature *f = wire_read_array(r, a, FLEX, sizeof *f, count);
    for (int32_t i = 0; i < *count && r->err == 0; i++) {
        f[i].name = wire_read_string(r, a, FLEX);
        f[i].min_supported_version = wire_read_int16(r);
        f[i].max_supported_version = wire_read_int16(r);
        wire_skip_tags(r);
    }
    return f;
}

/* ---- BrokerRegistration (msg/BrokerRegistration{Request,Response}.json; 0-4) -------------- */

void broker_registration_request_init(struct broker_registration_request *m)
{
    KS_ASSERT(m != NULL);
    *m = (struct broker_registration_request){.rack = "", .previous_broker_epoch = -1};
}

void broker_registration_response_init(struct broker_registration_response *m)
{
    KS_ASSERT(m != NULL);
    *m = (struct broker_registration_response){.broker_epoch = -1};
}

int broker_registration_request_encode(struct wire_writer *w,
                                       const struct broker_registration_request *m,
                                       int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->log_dir_count >= 0);
    if (version < 0 || version > BROKER_REGISTRATION_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    wire_write_int32(w, m->broker_id);
    wire_write_string(w, m->cluster_id, FLEX);
    wire_write_uuid(w, m->incarnation_id);
    write_listeners(w, m->listener_count, m->listeners);
    write_features(w, m->feature_count, m->features, version < 4);
    wire_write_nullable_string(w, m->rack, FLEX);
    if (version >= 1) {
        wire_write_bool(w, m->is_migrating_zk_broker);
    }
    if (version >= 2) {
        write_uuids(w, m->log_dir_count, m->log_dirs);
    }
    if (version >= 3) {
        wire_write_int64(w, m->previous_broker_epoch);
    }
    write_no_tags(w);
    return w->err;
}

int broker_registration_request_decode(struct wire_reader *r, int16_t version,
                                       struct wire_arena *a,
                                       struct broker_registration_request *out)
{
    KS_ASSERT(out != NULL);
    if (version < 0 || version > BROKER_REGISTRATION_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    broker_registration_request_init(out);
    out->broker_id = wire_read_int32(r);
    out->cluster_id = wire_read_string(r, a, FLEX);
    out->incarnation_id = wire_read_uuid(r);
    out->listeners = read_listeners(r, a, &out->listener_count);
    out->features = read_features(r, a, &out->feature_count);
    out->rack = wire_read_nullable_string(r, a, FLEX);
    if (version >= 1) {
        out->is_migrating_zk_broker = wire_read_bool(r);
    }
    if (version >= 2) {
        out->log_dirs = read_uuids(r, a, false, &out->log_dir_count);
    }
    if (version >= 3) {
        out->previous_broker_epoch = wire_read_int64(r);
    }
    wire_skip_tags(r);
    return r->err;
}

int broker_registration_response_encode(struct wire_writer *w,
                                        const struct broker_registration_response *m,
                                        int16_t version)
{
    KS_ASSERT(m != NULL);
    if (version < 0 || version > BROKER_REGISTRATION_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    wire_write_int32(w, m->throttle_time_ms);
    wire_write_int16(w, m->error_code);
    wire_write_int64(w, m->broker_epoch);
    write_no_tags(w);
    return w->err;
}

int broker_registration_response_decode(struct wire_reader *r, int16_t version,
                                        struct wire_arena *a,
                                        struct broker_registration_response *out)
{
    KS_ASSERT(out != NULL);
    (void)a;
    if (version < 0 || version > BROKER_REGISTRATION_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    broker_registration_response_init(out);
    out->throttle_time_ms = wire_read_int32(r);
    out->error_code = wire_read_int16(r);
    out->broker_epoch = wire_read_int64(r);
    wire_skip_tags(r);
    return r->err;
}

/* ---- BrokerHeartbeat (msg/BrokerHeartbeat{Request,Response}.json; 0-2) ------------------- */

void broker_heartbeat_request_init(struct broker_heartbeat_request *m)
{
    KS_ASSERT(m != NULL);
    *m = (struct broker_heartbeat_request){.broker_epoch = -1, .cordoned_log_dir_count = -1};
}

void broker_heartbeat_response_init(struct broker_heartbeat_response *m)
{
    KS_ASSERT(m != NULL);
    *m = (struct broker_heartbeat_response){.is_caught_up = false, .is_fenced = true};
}

/* Request tags: OfflineLogDirs {tag 0} v1+ unless empty; CordonedLogDirs {tag 1} v2+ unless
 * null (an empty, non-null list is sent: it differs from the default). */
static void write_heartbeat_tags(struct wire_writer *w, const struct broker_heartbeat_request *m,
                                 int16_t version)
{
    bool offline = version >= 1 && m->offline_log_dir_count > 0;
    bool cordoned = version >= 2 && m->cordoned_log_dir_count >= 0;
    wire_write_uvarint(w, (uint32_t)offline + (uint32_t)cordoned);
    if (offline) {
        size_t mark = wire_tag_begin(w, 0);
        write_uuids(w, m->offline_log_dir_count, m->offline_log_dirs);
        wire_tag_end(w, mark);
    }
    if (cordoned) {
        size_t mark = wire_tag_begin(w, 1);
        write_uuids(w, m->cordoned_log_dir_count, m->cordoned_log_dirs);
        wire_tag_end(w, mark);
    }
}

int broker_heartbeat_request_encode(struct wire_writer *w,
                                    const struct broker_heartbeat_request *m, int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->offline_log_dir_count >= 0);
    KS_ASSERT(m->cordoned_log_dir_count >= -1);
    if (version < 0 || version > BROKER_HEARTBEAT_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    wire_write_int32(w, m->broker_id);
    wire_write_int64(w, m->broker_epoch);
    wire_write_int64(w, m->current_metadata_offset);
    wire_write_bool(w, m->want_fence);
    wire_write_bool(w, m->want_shut_down);
    write_heartbeat_tags(w, m, version);
    return w->err;
}

int broker_heartbeat_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                    struct broker_heartbeat_request *out)
{
    KS_ASSERT(out != NULL);
    if (version < 0 || version > BROKER_HEARTBEAT_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    broker_heartbeat_request_init(out);
    out->broker_id = wire_read_int32(r);
    out->broker_epoch = wire_read_int64(r);
    out->current_metadata_offset = wire_read_int64(r);
    out->want_fence = wire_read_bool(r);
    out->want_shut_down = wire_read_bool(r);
    struct wire_tags t;
    uint32_t tag;
    struct wire_reader f;
    wire_tags_begin(&t, r);
    while (wire_tags_next(&t, &tag, &f)) {
        if (tag == 0 && version >= 1) {
            out->offline_log_dirs = read_uuids(&f, a, false, &out->offline_log_dir_count);
        } else if (tag == 1 && version >= 2) {
            out->cordoned_log_dirs = read_uuids(&f, a, true, &out->cordoned_log_dir_count);
            out->cordoned_log_dir_count = f.err != 0 ? -1 : out->cordoned_log_dir_count;
        }
    }
    return r->err;
}

int broker_heartbeat_response_encode(struct wire_writer *w,
                                     const struct broker_heartbeat_response *m, int16_t version)
{
    KS_ASSERT(m != NULL);
    if (version < 0 || version > BROKER_HEARTBEAT_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    wire_write_int32(w, m->throttle_time_ms);
    wire_write_int16(w, m->error_code);
    wire_write_bool(w, m->is_caught_up);
    wire_write_bool(w, m->is_fenced);
    wire_write_bool(w, m->should_shut_down);
    write_no_tags(w);
    return w->err;
}

int broker_heartbeat_response_decode(struct wire_reader *r, int16_t version,
                                     struct wire_arena *a,
                                     struct broker_heartbeat_response *out)
{
    KS_ASSERT(out != NULL);
    (void)a;
    if (version < 0 || version > BROKER_HEARTBEAT_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    broker_heartbeat_response_init(out);
    out->throttle_time_ms = wire_read_int32(r);
    out->error_code = wire_read_int16(r);
    out->is_caught_up = wire_read_bool(r);
    out->is_fenced = wire_read_bool(r);
    out->should_shut_down = wire_read_bool(r);
    wire_skip_tags(r);
    return r->err;
}

/* ---- UnregisterBroker / ControllerRegistration responses (identical; v0 only) ------------- */

void controller_rpc_simple_response_init(struct controller_rpc_simple_response *m)
{
    KS_ASSERT(m != NULL);
    *m = (struct controller_rpc_simple_response){.error_message = ""};
}

static int simple_response_encode(struct wire_writer *w,
                                  const struct controller_rpc_simple_response *m,
                                  int16_t version)
{
    KS_ASSERT(m != NULL);
    if (version != 0) {
        return -WIRE_EVERSION;
    }
    wire_write_int32(w, m->throttle_time_ms);
    wire_write_int16(w, m->error_code);
    wire_write_nullable_string(w, m->error_message, FLEX);
    write_no_tags(w);
    return w->err;
}

static int simple_response_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                  struct controller_rpc_simple_response *out)
{
    KS_ASSERT(out != NULL);
    if (version != 0) {
        return -WIRE_EVERSION;
    }
    controller_rpc_simple_response_init(out);
    out->throttle_time_ms = wire_read_int32(r);
    out->error_code = wire_read_int16(r);
    out->error_message = wire_read_nullable_string(r, a, FLEX);
    wire_skip_tags(r);
    return r->err;
}

/* ---- UnregisterBroker (msg/UnregisterBroker{Request,Response}.json; v0) ------------------- */

int unregister_broker_request_encode(struct wire_writer *w,
                                     const struct unregister_broker_request *m, int16_t version)
{
    KS_ASSERT(m != NULL);
    if (version < 0 || version > UNREGISTER_BROKER_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    wire_write_int32(w, m->broker_id);
    write_no_tags(w);
    return w->err;
}

int unregister_broker_request_decode(struct wire_reader *r, int16_t version,
                                     struct wire_arena *a, struct unregister_broker_request *out)
{
    KS_ASSERT(out != NULL);
    (void)a;
    if (version < 0 || version > UNREGISTER_BROKER_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    *out = (struct unregister_broker_request){0};
    out->broker_id = wire_read_int32(r);
    wire_skip_tags(r);
    return r->err;
}

int unregister_broker_response_encode(struct wire_writer *w,
                                      const struct controller_rpc_simple_response *m,
                                      int16_t version)
{
    return simple_response_encode(w, m, version);
}

int unregister_broker_response_decode(struct wire_reader *r, int16_t version,
                                      struct wire_arena *a,
                                      struct controller_rpc_simple_response *out)
{
    return simple_response_decode(r, version, a, out);
}

/* ---- ControllerRegistration (msg/ControllerRegistration{Request,Response}.json; v0) ------- */

int controller_registration_request_encode(struct wire_writer *w,
                                           const struct controller_registration_request *m,
                                           int16_t version)
{
    KS_ASSERT(m != NULL);
    if (version < 0 || version > CONTROLLER_REGISTRATION_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    wire_write_int32(w, m->controller_id);
    wire_write_uuid(w, m->incarnation_id);
    wire_write_bool(w, m->zk_migration_ready);
    write_listeners(w, m->listener_count, m->listeners);
    write_features(w, m->feature_count, m->features, false);
    write_no_tags(w);
    return w->err;
}

int controller_registration_request_decode(struct wire_reader *r, int16_t version,
                                           struct wire_arena *a,
                                           struct controller_registration_request *out)
{
    KS_ASSERT(out != NULL);
    if (version < 0 || version > CONTROLLER_REGISTRATION_VERSION_MAX) {
        return -WIRE_EVERSION;
    }
    *out = (struct controller_registration_request){0};
    out->controller_id = wire_read_int32(r);
    out->incarnation_id = wire_read_uuid(r);
    out->zk_migration_ready = wire_read_bool(r);
    out->listeners = read_listeners(r, a, &out->listener_count);
    out->features = read_features(r, a, &out->feature_count);
    wire_skip_tags(r);
    return r->err;
}

int controller_registration_response_encode(struct wire_writer *w,
                                            const struct controller_rpc_simple_response *m,
                                            int16_t version)
{
    return simple_response_encode(w, m, version);
}

int controller_registration_response_decode(struct wire_reader *r, int16_t version,
                                            struct wire_arena *a,
                                            struct controller_rpc_simple_response *out)
{
    return simple_response_decode(r, version, a, out);
}

/* ---- AlterPartition (msg/AlterPartition{Request,Response}.json; 0-3, trunk 2-3) ----------- */

static bool alter_partition_version_ok(int16_t v)
{
    return v >= ALTER_PARTITION_VERSION_MIN && v <= ALTER_PARTITION_VERSION_MAX;
}

void alter_partition_request_init(struct alter_partition_request *m)
{
    KS_ASSERT(m != NULL);
    *m = (struct alter_partition_request){.broker_epoch = -1};
}

/* TopicName string v0-1, TopicId uuid v2+ (KIP-841). */
static void write_topic_key(struct wire_writer *w, const char *name, struct kuuid id,
                            int16_t version)
{
    if (version >= 2) {
        wire_write_uuid(w, id);
    } else {
        wire_write_string(w, name, FLEX);
    }
}

static void read_topic_key(struct wire_reader *r, struct wire_arena *a, int16_t version,
                           const char **name, struct kuuid *id)
{
    if (version >= 2) {
        *id = wire_read_uuid(r);
    } else {
        *name = wire_read_string(r, a, FLEX);
    }
}

/* NewIsr []int32 v0-2 or NewIsrWithEpochs []{BrokerId, BrokerEpoch} v3+ (KIP-903). */
static void write_new_isr(struct wire_writer *w, const struct alter_partition_request_partition *p,
                          int16_t version)
{
    KS_ASSERT(p->new_isr_count >= 0);
    wire_write_array_len(w, p->new_isr_count, FLEX);
    for (int32_t k = 0; k < p->new_isr_count; k++) {
        wire_write_int32(w, p->new_isr[k].broker_id);
        if (version >= 3) {
            wire_write_int64(w, p->new_isr[k].broker_epoch);
            write_no_tags(w);
        }
    }
}

static void read_new_isr(struct wire_reader *r, struct wire_arena *a, int16_t version,
                         struct alter_partition_request_partition *p)
{
    p->new_isr = wire_read_array(r, a, FLEX, sizeof *p->new_isr, &p->new_isr_count);
    for (int32_t k = 0; k < p->new_isr_count && r->err == 0; k++) {
        p->new_isr[k].broker_id = wire_read_int32(r);
        p->new_isr[k].broker_epoch = -1;
        if (version >= 3) {
            p->new_isr[k].broker_epoch = wire_read_int64(r);
            wire_skip_tags(r);
        }
    }
}

static void write_request_partition(struct wire_writer *w,
                                    const struct alter_partition_request_partition *p,
                                    int16_t version)
{
    wire_write_int32(w, p->partition_index);
    wire_write_int32(w, p->leader_epoch);
    write_new_isr(w, p, version);
    if (version >= 1) {
        wire_write_int8(w, p->leader_recovery_state);
    }
    wire_write_int32(w, p->partition_epoch);
    write_no_tags(w);
}

int alter_partition_request_encode(struct wire_writer *w, const struct alter_partition_request *m,
                                   int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->topic_count >= 0);
    if (!alter_partition_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    wire_write_int32(w, m->broker_id);
    wire_write_int64(w, m->broker_epoch);
    wire_write_array_len(w, m->topic_count, FLEX);
    for (int32_t i = 0; i < m->topic_count; i++) {
        const struct alter_partition_request_topic *t = &m->topics[i];
        KS_ASSERT(t->partition_count >= 0);
        write_topic_key(w, t->topic_name, t->topic_id, version);
        wire_write_array_len(w, t->partition_count, FLEX);
        for (int32_t j = 0; j < t->partition_count; j++) {
            write_request_partition(w, &t->partitions[j], version);
        }
        write_no_tags(w);
    }
    write_no_tags(w);
    return w->err;
}

static void read_request_partition(struct wire_reader *r, struct wire_arena *a, int16_t version,
                                   struct alter_partition_request_partition *p)
{
    p->partition_index = wire_read_int32(r);
    p->leader_epoch = wire_read_int32(r);
    read_new_isr(r, a, version, p);
    if (version >= 1) {
        p->leader_recovery_state = wire_read_int8(r);
    }
    p->partition_epoch = wire_read_int32(r);
    wire_skip_tags(r);
}

int alter_partition_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                   struct alter_partition_request *out)
{
    KS_ASSERT(out != NULL);
    if (!alter_partition_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    alter_partition_request_init(out);
    out->broker_id = wire_read_int32(r);
    out->broker_epoch = wire_read_int64(r);
    out->topics = wire_read_array(r, a, FLEX, sizeof *out->topics, &out->topic_count);
    for (int32_t i = 0; i < out->topic_count && r->err == 0; i++) {
        struct alter_partition_request_topic *t = &out->topics[i];
        read_topic_key(r, a, version, &t->topic_name, &t->topic_id);
        t->partitions = wire_read_array(r, a, FLEX, sizeof *t->partitions, &t->partition_count);
        for (int32_t j = 0; j < t->partition_count && r->err == 0; j++) {
            read_request_partition(r, a, version, &t->partitions[j]);
        }
        wire_skip_tags(r);
    }
    wire_skip_tags(r);
    return r->err;
}

static void write_response_partition(struct wire_writer *w,
                                     const struct alter_partition_response_partition *p,
                                     int16_t version)
{
    wire_write_int32(w, p->partition_index);
    wire_write_int16(w, p->error_code);
    wire_write_int32(w, p->leader_id);
    wire_write_int32(w, p->leader_epoch);
    write_int32s(w, p->isr_count, p->isr);
    if (version >= 1) {
        wire_write_int8(w, p->leader_recovery_state);
    }
    wire_write_int32(w, p->partition_epoch);
    write_no_tags(w);
}

int alter_partition_response_encode(struct wire_writer *w,
                                    const struct alter_partition_response *m, int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->topic_count >= 0);
    if (!alter_partition_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    wire_write_int32(w, m->throttle_time_ms);
    wire_write_int16(w, m->error_code);
    wire_write_array_len(w, m->topic_count, FLEX);
    for (int32_t i = 0; i < m->topic_count; i++) {
        const struct alter_partition_response_topic *t = &m->topics[i];
        KS_ASSERT(t->partition_count >= 0);
        write_topic_key(w, t->topic_name, t->topic_id, version);
        wire_write_array_len(w, t->partition_count, FLEX);
        for (int32_t j = 0; j < t->partition_count; j++) {
            write_response_partition(w, &t->partitions[j], version);
        }
        write_no_tags(w);
    }
    write_no_tags(w);
    return w->err;
}

static void read_response_partition(struct wire_reader *r, struct wire_arena *a, int16_t version,
                                    struct alter_partition_response_partition *p)
{
    p->partition_index = wire_read_int32(r);
    p->error_code = wire_read_int16(r);
    p->leader_id = wire_read_int32(r);
    p->leader_epoch = wire_read_int32(r);
    p->isr = read_int32s(r, a, &p->isr_count);
    if (version >= 1) {
        p->leader_recovery_state = wire_read_int8(r);
    }
    p->partition_epoch = wire_read_int32(r);
    wire_skip_tags(r);
}

int alter_partition_response_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                                    struct alter_partition_response *out)
{
    KS_ASSERT(out != NULL);
    if (!alter_partition_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    *out = (struct alter_partition_response){0};
    out->throttle_time_ms = wire_read_int32(r);
    out->error_code = wire_read_int16(r);
    out->topics = wire_read_array(r, a, FLEX, sizeof *out->topics, &out->topic_count);
    for (int32_t i = 0; i < out->topic_count && r->err == 0; i++) {
        struct alter_partition_response_topic *t = &out->topics[i];
        read_topic_key(r, a, version, &t->topic_name, &t->topic_id);
        t->partitions = wire_read_array(r, a, FLEX, sizeof *t->partitions, &t->partition_count);
        for (int32_t j = 0; j < t->partition_count && r->err == 0; j++) {
            read_response_partition(r, a, version, &t->partitions[j]);
        }
        wire_skip_tags(r);
    }
    wire_skip_tags(r);
    return r->err;
}

/* ---- Envelope (msg/Envelope{Request,Response}.json; v0, KIP-590) -------------------------- */

static bool envelope_version_ok(int16_t v)
{
    return v >= ENVELOPE_VERSION_MIN && v <= ENVELOPE_VERSION_MAX;
}

/* A byte field as the caller may hand it to an encoder: null is exactly {NULL, -1}, and only an
 * empty string may have no storage. */
static bool bytes_check(struct wire_bytes b)
{
    KS_ASSERT(b.len >= -1);
    KS_ASSERT(b.len != -1 || b.ptr == NULL);
    KS_ASSERT(b.len <= 0 || b.ptr != NULL);
    return true;
}

void envelope_response_init(struct envelope_response *m)
{
    KS_ASSERT(m != NULL);
    *m = (struct envelope_response){.response_data = WIRE_BYTES_NULL};
}

int envelope_request_encode(struct wire_writer *w, const struct envelope_request *m,
                            int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(bytes_check(m->request_data));
    KS_ASSERT(bytes_check(m->request_principal));
    KS_ASSERT(bytes_check(m->client_host_address));
    if (!envelope_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    wire_write_bytes(w, m->request_data, FLEX);
    wire_write_nullable_bytes(w, m->request_principal, FLEX);
    wire_write_bytes(w, m->client_host_address, FLEX);
    write_no_tags(w);
    return w->err;
}

int envelope_request_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                            struct envelope_request *out)
{
    KS_ASSERT(out != NULL);
    if (!envelope_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    *out = (struct envelope_request){0};
    out->request_data = wire_read_bytes(r, a, FLEX);
    out->request_principal = wire_read_nullable_bytes(r, a, FLEX);
    out->client_host_address = wire_read_bytes(r, a, FLEX);
    wire_skip_tags(r);
    /* Postcondition: a decoded request never carries null in a non-nullable field. */
    KS_ASSERT(r->err != 0 || out->request_data.len >= 0);
    KS_ASSERT(r->err != 0 || out->client_host_address.len >= 0);
    return r->err;
}

int envelope_response_encode(struct wire_writer *w, const struct envelope_response *m,
                             int16_t version)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(bytes_check(m->response_data));
    if (!envelope_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    wire_write_nullable_bytes(w, m->response_data, FLEX);
    wire_write_int16(w, m->error_code);
    write_no_tags(w);
    return w->err;
}

int envelope_response_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
                             struct envelope_response *out)
{
    KS_ASSERT(out != NULL);
    if (!envelope_version_ok(version)) {
        return -WIRE_EVERSION;
    }
    envelope_response_init(out);
    out->response_data = wire_read_nullable_bytes(r, a, FLEX);
    out->error_code = wire_read_int16(r);
    wire_skip_tags(r);
    KS_ASSERT(bytes_check(out->response_data));
    return r->err;
}
