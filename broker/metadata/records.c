/* records.c — KRaft metadata record codec (schemas, frame and shared rules in records.h). */
#include "metadata/records.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "env.h"

/* ---- Type table --------------------------------------------------------------------------- */

bool metadata_record_type_known(int api_key)
{
    switch (api_key) {
#define METADATA_RECORD_TYPE_KNOWN(name, key, text, vmax) case key:
        METADATA_RECORD_TYPES(METADATA_RECORD_TYPE_KNOWN)
#undef METADATA_RECORD_TYPE_KNOWN
        return true;
    default:
        return false;
    }
}

const char *metadata_record_type_name(int api_key)
{
    switch (api_key) {
#define METADATA_RECORD_TYPE_NAME(name, key, text, vmax) case key: return text;
        METADATA_RECORD_TYPES(METADATA_RECORD_TYPE_NAME)
#undef METADATA_RECORD_TYPE_NAME
    default:
        return "UnknownRecord";
    }
}

int16_t metadata_record_version_max(int api_key)
{
    switch (api_key) {
#define METADATA_RECORD_TYPE_VMAX(name, key, text, vmax) case key: return vmax;
        METADATA_RECORD_TYPES(METADATA_RECORD_TYPE_VMAX)
#undef METADATA_RECORD_TYPE_VMAX
    default:
        return -1;
    }
}

/* Returns `version` when the record exists from `since` on, else -WIRE_EVERSION. */
static int written_from(int mv_level, int since, int version)
{
    return mv_level >= since ? version : -WIRE_EVERSION;
}

/* MetadataVersion.java (trunk d79bd502ec; branch 3.5 for the 3.0-IV1..3.3-IV2 levels). */
int metadata_record_version_for(enum metadata_record_type type, int mv_level)
{
    KS_ASSERT(metadata_record_type_known((int)type));
    if (mv_level < METADATA_MV_3_0_IV1) {
        return -WIRE_EVERSION;
    }
    switch (type) {
    case METADATA_REGISTER_BROKER: /* registerBrokerRecordVersion() */
        return mv_level >= METADATA_MV_4_3_IV0   ? 4
               : mv_level >= METADATA_MV_3_7_IV2 ? 3
               : mv_level >= METADATA_MV_3_4_IV0 ? 2
               : mv_level >= METADATA_MV_3_3_IV3 ? 1
                                                 : 0;
    case METADATA_PARTITION:        /* partitionRecordVersion() */
    case METADATA_PARTITION_CHANGE: /* partitionChangeRecordVersion() */
        return mv_level >= METADATA_MV_4_0_IV1 ? 2 : mv_level >= METADATA_MV_3_7_IV2 ? 1 : 0;
    case METADATA_BROKER_REGISTRATION_CHANGE: /* 3.5's isBrokerRegistrationChangeRecordSupported */
        return written_from(mv_level, METADATA_MV_3_3_IV2,
                            mv_level >= METADATA_MV_4_3_IV0   ? 3
                            : mv_level >= METADATA_MV_3_7_IV2 ? 2
                            : mv_level >= METADATA_MV_3_3_IV3 ? 1
                                                              : 0);
    case METADATA_FENCE_BROKER: /* replaced by BrokerRegistrationChangeRecord at 3.3-IV2 */
    case METADATA_UNFENCE_BROKER:
        return mv_level >= METADATA_MV_3_3_IV2 ? -WIRE_EVERSION : 0;
    case METADATA_NO_OP: /* isNoOpRecordSupported() */
        return written_from(mv_level, METADATA_MV_3_3_IV1, 0);
    case METADATA_BEGIN_TRANSACTION: /* isMetadataTransactionSupported() */
    case METADATA_END_TRANSACTION:
    case METADATA_ABORT_TRANSACTION:
        return written_from(mv_level, METADATA_MV_3_6_IV1, 0);
    case METADATA_REGISTER_CONTROLLER: /* registerControllerRecordVersion() */
        return written_from(mv_level, METADATA_MV_3_7_IV0, 0);
    case METADATA_CLEAR_ELR: /* isElrSupported() */
        return written_from(mv_level, METADATA_MV_4_0_IV1, 0);
    case METADATA_UNREGISTER_CONTROLLER: /* isControllerUnregistrationSupported() */
        return written_from(mv_level, METADATA_MV_4_4_IV2, 0);
    default:
        return 0;
    }
}

/* ---- Defaults ----------------------------------------------------------------------------- */

void metadata_record_init(struct metadata_record *r, enum metadata_record_type type,
                          int16_t version)
{
    KS_ASSERT(r != NULL);
    KS_ASSERT(metadata_record_type_known((int)type));
    memset(r, 0, sizeof *r);
    r->type = type;
    r->version = version;
    switch (type) {
    case METADATA_REGISTER_BROKER: /* RegisterBrokerRecord.json: Fenced "default": "true" */
        r->u.register_broker.rack = "";
        r->u.register_broker.fenced = true;
        r->u.register_broker.cordoned_log_dirs = METADATA_UUIDS_NULL;
        break;
    case METADATA_PARTITION: /* PartitionRecord.json */
        r->u.partition.partition_id = -1;
        r->u.partition.leader = METADATA_NO_LEADER;
        r->u.partition.leader_epoch = -1;
        r->u.partition.partition_epoch = -1;
        r->u.partition.eligible_leader_replicas = METADATA_INT32S_NULL;
        r->u.partition.last_known_elr = METADATA_INT32S_NULL;
        break;
    case METADATA_PARTITION_CHANGE: { /* PartitionChangeRecord.json: null = unchanged */
        struct metadata_partition_change *c = &r->u.partition_change;
        c->partition_id = -1;
        c->isr = c->replicas = c->removing_replicas = c->adding_replicas = METADATA_INT32S_NULL;
        c->eligible_leader_replicas = c->last_known_elr = METADATA_INT32S_NULL;
        c->directories = METADATA_UUIDS_NULL;
        c->leader = METADATA_NO_LEADER_CHANGE;
        c->leader_recovery_state = METADATA_LRS_NO_CHANGE;
        break;
    }
    case METADATA_PRODUCER_IDS: /* ProducerIdsRecord.json: BrokerEpoch "default": "-1" */
        r->u.producer_ids.broker_epoch = -1;
        break;
    case METADATA_BROKER_REGISTRATION_CHANGE:
        r->u.broker_registration_change.cordoned_log_dirs = METADATA_UUIDS_NULL;
        break;
    case METADATA_TOPIC:
        r->u.topic.name = "";
        break;
    case METADATA_CONFIG: /* Value is nullable but has no "default": "null", so "" */
        r->u.config.resource_name = r->u.config.name = r->u.config.value = "";
        break;
    case METADATA_FEATURE_LEVEL:
        r->u.feature_level.name = "";
        break;
    case METADATA_CLEAR_ELR:
        r->u.clear_elr.topic_name = "";
        break;
    default: /* zeros and empty lists are the defaults of everything else */
        break;
    }
}

/* ---- Writing helpers ---------------------------------------------------------------------- */

static void write_int32s(struct wire_writer *w, struct metadata_int32s l, bool nullable)
{
    if (l.count < 0 && !nullable) {
        wire_writer_fail(w, -WIRE_EINVAL);
        return;
    }
    wire_write_array_len(w, l.count < 0 ? -1 : l.count, true);
    for (int32_t i = 0; i < l.count; i++) {
        wire_write_int32(w, l.items[i]);
    }
}

static void write_uuids(struct wire_writer *w, struct metadata_uuids l, bool nullable)
{
    if (l.count < 0 && !nullable) {
        wire_writer_fail(w, -WIRE_EINVAL);
        return;
    }
    wire_write_array_len(w, l.count < 0 ? -1 : l.count, true);
    for (int32_t i = 0; i < l.count; i++) {
        wire_write_uuid(w, l.items[i]);
    }
}

/* BrokerEndpoint / ControllerEndpoint {Name, Host, Port uint16, SecurityProtocol int16}. */
static void write_endpoints(struct wire_writer *w, int32_t n, const struct metadata_endpoint *e)
{
    KS_ASSERT(n >= 0);
    wire_write_array_len(w, n, true);
    for (int32_t i = 0; i < n; i++) {
        wire_write_string(w, e[i].name, true);
        wire_write_string(w, e[i].host, true);
        wire_write_uint16(w, e[i].port);
        wire_write_int16(w, e[i].security_protocol);
        wire_write_uvarint(w, 0);
    }
}

/* BrokerFeature / ControllerFeature {Name, MinSupportedVersion, MaxSupportedVersion}. */
static void write_features(struct wire_writer *w, int32_t n, const struct metadata_feature *f)
{
    KS_ASSERT(n >= 0);
    wire_write_array_len(w, n, true);
    for (int32_t i = 0; i < n; i++) {
        wire_write_string(w, f[i].name, true);
        wire_write_int16(w, f[i].min_supported_version);
        wire_write_int16(w, f[i].max_supported_version);
        wire_write_uvarint(w, 0);
    }
}

/* One tagged field holding a list; the caller has decided that it is present. */
static void tag_int32s(struct wire_writer *w, uint32_t tag, struct metadata_int32s l,
                       bool nullable)
{
    size_t mark = wire_tag_begin(w, tag);
    write_int32s(w, l, nullable);
    wire_tag_end(w, mark);
}

static void tag_uuids(struct wire_writer *w, uint32_t tag, struct metadata_uuids l,
                      bool nullable)
{
    size_t mark = wire_tag_begin(w, tag);
    write_uuids(w, l, nullable);
    wire_tag_end(w, mark);
}

static void tag_int8(struct wire_writer *w, uint32_t tag, int8_t v)
{
    size_t mark = wire_tag_begin(w, tag);
    wire_write_int8(w, v);
    wire_tag_end(w, mark);
}

static void tag_int32(struct wire_writer *w, uint32_t tag, int32_t v)
{
    size_t mark = wire_tag_begin(w, tag);
    wire_write_int32(w, v);
    wire_tag_end(w, mark);
}

/* ---- Reading helpers ---------------------------------------------------------------------- */

static struct metadata_int32s read_int32s(struct wire_reader *r, struct wire_arena *a,
                                          bool nullable)
{
    int32_t n = wire_read_array_len(r, true);
    if (r->err != 0) {
        return (struct metadata_int32s){0, NULL};
    }
    if (n < 0) {
        if (!nullable) { /* Java: "non-nullable field X was serialized as null" */
            wire_reader_fail(r, -WIRE_EMALFORMED);
        }
        return nullable ? METADATA_INT32S_NULL : (struct metadata_int32s){0, NULL};
    }
    int32_t *items = wire_read_alloc(r, a, n, sizeof *items);
    for (int32_t i = 0; i < n && r->err == 0; i++) {
        items[i] = wire_read_int32(r);
    }
    return r->err != 0 ? (struct metadata_int32s){0, NULL} : (struct metadata_int32s){n, items};
}

static struct metadata_uuids read_uuids(struct wire_reader *r, struct wire_arena *a,
                                        bool nullable)
{
    int32_t n = wire_read_array_len(r, true);
    if (r->err != 0) {
        return (struct metadata_uuids){0, NULL};
    }
    if (n < 0) {
        if (!nullable) {
            wire_reader_fail(r, -WIRE_EMALFORMED);
        }
        return nullable ? METADATA_UUIDS_NULL : (struct metadata_uuids){0, NULL};
    }
    struct kuuid *items = wire_read_alloc(r, a, n, sizeof *items);
    for (int32_t i = 0; i < n && r->err == 0; i++) {
        items[i] = wire_read_uuid(r);
    }
    return r->err != 0 ? (struct metadata_uuids){0, NULL} : (struct metadata_uuids){n, items};
}

static const struct metadata_endpoint *read_endpoints(struct wire_reader *r,
                                                      struct wire_arena *a, int32_t *count)
{
    struct metadata_endpoint *e = wire_read_array(r, a, true, sizeof *e, count);
    for (int32_t i = 0; i < *count && r->err == 0; i++) {
        e[i].name = wire_read_string(r, a, true);
        e[i].host = wire_read_string(r, a, true);
        e[i].port = wire_read_uint16(r);
        e[i].security_protocol = wire_read_int16(r);
        wire_skip_tags(r);
    }
    return e;
}

static const struct metadata_feature *read_features(struct wire_reader *r, struct wire_arena *a,
                                                    int32_t *count)
{
    struct metadata_feature *f = wire_read_array(r, a, true, sizeof *f, count);
    for (int32_t i = 0; i < *count && r->err == 0; i++) {
        f[i].name = wire_read_string(r, a, true);
        f[i].min_supported_version = wire_read_int16(r);
        f[i].max_supported_version = wire_read_int16(r);
        wire_skip_tags(r);
    }
    return f;
}

/*
 * Called for a known tag before reading it: the generated Java throws "Tag N is not valid for
 * version V" when the field's taggedVersions exclude the record's version.
 */
static bool tag_valid(struct wire_reader *field, bool valid)
{
    if (!valid) {
        wire_reader_fail(field, -WIRE_EMALFORMED);
    }
    return valid;
}

/* Called after reading a known tag (never an unknown one, which is skipped unread): its value
 * must fill exactly the declared size. */
static void tag_done(struct wire_reader *field)
{
    if (field->err == 0 && field->pos != field->len) {
        wire_reader_fail(field, -WIRE_EMALFORMED);
    }
}

/* ---- RegisterBrokerRecord (0), RegisterControllerRecord (27) ----------------------------- */

static void encode_register_broker(struct wire_writer *w, const struct metadata_register_broker *m,
                                   int16_t v)
{
    wire_write_int32(w, m->broker_id);
    if (v >= 2) {
        wire_write_bool(w, m->is_migrating_zk_broker);
    }
    wire_write_uuid(w, m->incarnation_id);
    wire_write_int64(w, m->broker_epoch);
    write_endpoints(w, m->endpoint_count, m->endpoints);
    write_features(w, m->feature_count, m->features);
    wire_write_nullable_string(w, m->rack, true);
    wire_write_bool(w, m->fenced);
    if (v >= 1) {
        wire_write_bool(w, m->in_controlled_shutdown);
    }
    /* LogDirs {tag 0} v3+ (non-nullable: written when not empty); CordonedLogDirs {tag 1} v4+
     * (nullable, default null: written when not null). */
    bool log_dirs = v >= 3 && m->log_dirs.count != 0;
    bool cordoned = v >= 4 && m->cordoned_log_dirs.count >= 0;
    wire_write_uvarint(w, (uint32_t)log_dirs + (uint32_t)cordoned);
    if (log_dirs) {
        tag_uuids(w, 0, m->log_dirs, false);
    }
    if (cordoned) {
        tag_uuids(w, 1, m->cordoned_log_dirs, true);
    }
}

static void decode_register_broker(struct wire_reader *r, struct wire_arena *a, int16_t v,
                                   struct metadata_register_broker *m)
{
    m->broker_id = wire_read_int32(r);
    if (v >= 2) {
        m->is_migrating_zk_broker = wire_read_bool(r);
    }
    m->incarnation_id = wire_read_uuid(r);
    m->broker_epoch = wire_read_int64(r);
    m->endpoints = read_endpoints(r, a, &m->endpoint_count);
    m->features = read_features(r, a, &m->feature_count);
    m->rack = wire_read_nullable_string(r, a, true);
    m->fenced = wire_read_bool(r);
    if (v >= 1) {
        m->in_controlled_shutdown = wire_read_bool(r);
    }
    struct wire_tags t;
    uint32_t tag;
    struct wire_reader f;
    wire_tags_begin(&t, r);
    while (wire_tags_next(&t, &tag, &f)) {
        if (tag == 0 && tag_valid(&f, v >= 3)) {
            m->log_dirs = read_uuids(&f, a, false);
        } else if (tag == 1 && tag_valid(&f, v >= 4)) {
            m->cordoned_log_dirs = read_uuids(&f, a, true);
        }
        if (tag <= 1) { /* a known tag; unknown ones are skipped */
            tag_done(&f);
        }
    }
}

static void encode_register_controller(struct wire_writer *w,
                                       const struct metadata_register_controller *m)
{
    wire_write_int32(w, m->controller_id);
    wire_write_uuid(w, m->incarnation_id);
    wire_write_bool(w, m->zk_migration_ready);
    write_endpoints(w, m->endpoint_count, m->endpoints);
    write_features(w, m->feature_count, m->features);
    wire_write_uvarint(w, 0);
}

static void decode_register_controller(struct wire_reader *r, struct wire_arena *a,
                                       struct metadata_register_controller *m)
{
    m->controller_id = wire_read_int32(r);
    m->incarnation_id = wire_read_uuid(r);
    m->zk_migration_ready = wire_read_bool(r);
    m->endpoints = read_endpoints(r, a, &m->endpoint_count);
    m->features = read_features(r, a, &m->feature_count);
    wire_skip_tags(r);
}

/* ---- PartitionRecord (3) ------------------------------------------------------------------ */

static void encode_partition(struct wire_writer *w, const struct metadata_partition *m,
                             int16_t v)
{
    wire_write_int32(w, m->partition_id);
    wire_write_uuid(w, m->topic_id);
    write_int32s(w, m->replicas, false);
    write_int32s(w, m->isr, false);
    write_int32s(w, m->removing_replicas, false);
    write_int32s(w, m->adding_replicas, false);
    wire_write_int32(w, m->leader);
    wire_write_int32(w, m->leader_epoch);
    wire_write_int32(w, m->partition_epoch);
    if (v >= 1) {
        write_uuids(w, m->directories, false);
    }
    /* LeaderRecoveryState {tag 0} [0]; v2+: EligibleLeaderReplicas {tag 1}, LastKnownElr
     * {tag 2}, both nullable with default null. */
    bool lrs = m->leader_recovery_state != 0;
    bool elr = v >= 2 && m->eligible_leader_replicas.count >= 0;
    bool last_known = v >= 2 && m->last_known_elr.count >= 0;
    wire_write_uvarint(w, (uint32_t)lrs + (uint32_t)elr + (uint32_t)last_known);
    if (lrs) {
        tag_int8(w, 0, m->leader_recovery_state);
    }
    if (elr) {
        tag_int32s(w, 1, m->eligible_leader_replicas, true);
    }
    if (last_known) {
        tag_int32s(w, 2, m->last_known_elr, true);
    }
}

static void decode_partition(struct wire_reader *r, struct wire_arena *a, int16_t v,
                             struct metadata_partition *m)
{
    m->partition_id = wire_read_int32(r);
    m->topic_id = wire_read_uuid(r);
    m->replicas = read_int32s(r, a, false);
    m->isr = read_int32s(r, a, false);
    m->removing_replicas = read_int32s(r, a, false);
    m->adding_replicas = read_int32s(r, a, false);
    m->leader = wire_read_int32(r);
    m->leader_epoch = wire_read_int32(r);
    m->partition_epoch = wire_read_int32(r);
    if (v >= 1) {
        m->directories = read_uuids(r, a, false);
    }
    struct wire_tags t;
    uint32_t tag;
    struct wire_reader f;
    wire_tags_begin(&t, r);
    while (wire_tags_next(&t, &tag, &f)) {
        if (tag == 0) {
            m->leader_recovery_state = wire_read_int8(&f);
        } else if (tag == 1 && tag_valid(&f, v >= 2)) {
            m->eligible_leader_replicas = read_int32s(&f, a, true);
        } else if (tag == 2 && tag_valid(&f, v >= 2)) {
            m->last_known_elr = read_int32s(&f, a, true);
        }
        if (tag <= 2) { /* a known tag; unknown ones are skipped */
            tag_done(&f);
        }
    }
}

/* ---- PartitionChangeRecord (5) ------------------------------------------------------------ */

static void encode_partition_change(struct wire_writer *w,
                                    const struct metadata_partition_change *m, int16_t v)
{
    wire_write_int32(w, m->partition_id);
    wire_write_uuid(w, m->topic_id);
    /* Every tagged field is "no change" at its default; tags ascend 0..8. */
    bool present[9] = {
        m->isr.count >= 0,
        m->leader != METADATA_NO_LEADER_CHANGE,
        m->replicas.count >= 0,
        m->removing_replicas.count >= 0,
        m->adding_replicas.count >= 0,
        m->leader_recovery_state != METADATA_LRS_NO_CHANGE,
        v >= 2 && m->eligible_leader_replicas.count >= 0,
        v >= 2 && m->last_known_elr.count >= 0,
        v >= 1 && m->directories.count >= 0,
    };
    uint32_t n = 0;
    for (int i = 0; i < 9; i++) {
        n += present[i];
    }
    wire_write_uvarint(w, n);
    const struct metadata_int32s *lists[8] = {
        [0] = &m->isr, [2] = &m->replicas, [3] = &m->removing_replicas,
        [4] = &m->adding_replicas, [6] = &m->eligible_leader_replicas, [7] = &m->last_known_elr,
    };
    for (uint32_t tag = 0; tag < 9; tag++) {
        if (!present[tag]) {
            continue;
        }
        if (tag == 1) {
            tag_int32(w, tag, m->leader);
        } else if (tag == 5) {
            tag_int8(w, tag, m->leader_recovery_state);
        } else if (tag == 8) {
            tag_uuids(w, tag, m->directories, true);
        } else {
            tag_int32s(w, tag, *lists[tag], true);
        }
    }
}

static void decode_partition_change(struct wire_reader *r, struct wire_arena *a, int16_t v,
                                    struct metadata_partition_change *m)
{
    m->partition_id = wire_read_int32(r);
    m->topic_id = wire_read_uuid(r);
    struct metadata_int32s *lists[8] = {
        [0] = &m->isr, [2] = &m->replicas, [3] = &m->removing_replicas,
        [4] = &m->adding_replicas, [6] = &m->eligible_leader_replicas, [7] = &m->last_known_elr,
    };
    struct wire_tags t;
    uint32_t tag;
    struct wire_reader f;
    wire_tags_begin(&t, r);
    while (wire_tags_next(&t, &tag, &f)) {
        if (tag == 1) {
            m->leader = wire_read_int32(&f);
        } else if (tag == 5) {
            m->leader_recovery_state = wire_read_int8(&f);
        } else if (tag == 8 && tag_valid(&f, v >= 1)) {
            m->directories = read_uuids(&f, a, true);
        } else if ((tag == 6 || tag == 7) && tag_valid(&f, v >= 2)) {
            *lists[tag] = read_int32s(&f, a, true);
        } else if (tag == 0 || tag == 2 || tag == 3 || tag == 4) {
            *lists[tag] = read_int32s(&f, a, true);
        }
        if (tag <= 8) { /* a known tag; unknown ones are skipped */
            tag_done(&f);
        }
    }
}

/* ---- BrokerRegistrationChangeRecord (17) -------------------------------------------------- */

static void encode_broker_registration_change(struct wire_writer *w,
                                              const struct metadata_broker_registration_change *m,
                                              int16_t v)
{
    wire_write_int32(w, m->broker_id);
    wire_write_int64(w, m->broker_epoch);
    /* Fenced {tag 0} [0]; v1+ InControlledShutdown {tag 1} [0]; v2+ LogDirs {tag 2} (not
     * nullable: written when not empty); v3+ CordonedLogDirs {tag 3} (nullable [null]). */
    bool fenced = m->fenced != 0;
    bool shutdown = v >= 1 && m->in_controlled_shutdown != 0;
    bool log_dirs = v >= 2 && m->log_dirs.count != 0;
    bool cordoned = v >= 3 && m->cordoned_log_dirs.count >= 0;
    wire_write_uvarint(w, (uint32_t)fenced + (uint32_t)shutdown + (uint32_t)log_dirs +
                              (uint32_t)cordoned);
    if (fenced) {
        tag_int8(w, 0, m->fenced);
    }
    if (shutdown) {
        tag_int8(w, 1, m->in_controlled_shutdown);
    }
    if (log_dirs) {
        tag_uuids(w, 2, m->log_dirs, false);
    }
    if (cordoned) {
        tag_uuids(w, 3, m->cordoned_log_dirs, true);
    }
}

static void decode_broker_registration_change(struct wire_reader *r, struct wire_arena *a,
                                              int16_t v,
                                              struct metadata_broker_registration_change *m)
{
    m->broker_id = wire_read_int32(r);
    m->broker_epoch = wire_read_int64(r);
    struct wire_tags t;
    uint32_t tag;
    struct wire_reader f;
    wire_tags_begin(&t, r);
    while (wire_tags_next(&t, &tag, &f)) {
        if (tag == 0) {
            m->fenced = wire_read_int8(&f);
        } else if (tag == 1 && tag_valid(&f, v >= 1)) {
            m->in_controlled_shutdown = wire_read_int8(&f);
        } else if (tag == 2 && tag_valid(&f, v >= 2)) {
            m->log_dirs = read_uuids(&f, a, false);
        } else if (tag == 3 && tag_valid(&f, v >= 3)) {
            m->cordoned_log_dirs = read_uuids(&f, a, true);
        }
        if (tag <= 3) { /* a known tag; unknown ones are skipped */
            tag_done(&f);
        }
    }
}

/* ---- Begin/AbortTransactionRecord (23, 25): one nullable string {tag 0} [null] ------------ */

static void encode_transaction(struct wire_writer *w, const struct metadata_transaction *m)
{
    wire_write_uvarint(w, m->text != NULL ? 1 : 0);
    if (m->text != NULL) {
        size_t mark = wire_tag_begin(w, 0);
        wire_write_nullable_string(w, m->text, true);
        wire_tag_end(w, mark);
    }
}

static void decode_transaction(struct wire_reader *r, struct wire_arena *a,
                               struct metadata_transaction *m)
{
    struct wire_tags t;
    uint32_t tag;
    struct wire_reader f;
    wire_tags_begin(&t, r);
    while (wire_tags_next(&t, &tag, &f)) {
        if (tag == 0) {
            m->text = wire_read_nullable_string(&f, a, true);
        }
        if (tag == 0) { /* a known tag; unknown ones are skipped */
            tag_done(&f);
        }
    }
}

/* ---- The small fixed-layout records ------------------------------------------------------- */

/* UnregisterBroker, Topic, Config, Fence/Unfence, RemoveTopic, FeatureLevel, ProducerIds,
 * NoOp, EndTransaction, ClearElr, UnregisterController: no tagged fields, so an empty section. */
static void encode_simple(struct wire_writer *w, const struct metadata_record *rec)
{
    switch (rec->type) {
    case METADATA_UNREGISTER_BROKER:
        wire_write_int32(w, rec->u.unregister_broker.broker_id);
        wire_write_int64(w, rec->u.unregister_broker.broker_epoch);
        break;
    case METADATA_TOPIC:
        wire_write_string(w, rec->u.topic.name, true);
        wire_write_uuid(w, rec->u.topic.topic_id);
        break;
    case METADATA_CONFIG:
        wire_write_int8(w, rec->u.config.resource_type);
        wire_write_string(w, rec->u.config.resource_name, true);
        wire_write_string(w, rec->u.config.name, true);
        wire_write_nullable_string(w, rec->u.config.value, true);
        break;
    case METADATA_FENCE_BROKER:
    case METADATA_UNFENCE_BROKER:
        wire_write_int32(w, rec->u.fencing.id);
        wire_write_int64(w, rec->u.fencing.epoch);
        break;
    case METADATA_REMOVE_TOPIC:
        wire_write_uuid(w, rec->u.remove_topic.topic_id);
        break;
    case METADATA_FEATURE_LEVEL:
        wire_write_string(w, rec->u.feature_level.name, true);
        wire_write_int16(w, rec->u.feature_level.feature_level);
        break;
    case METADATA_PRODUCER_IDS:
        wire_write_int32(w, rec->u.producer_ids.broker_id);
        wire_write_int64(w, rec->u.producer_ids.broker_epoch);
        wire_write_int64(w, rec->u.producer_ids.next_producer_id);
        break;
    case METADATA_CLEAR_ELR:
        wire_write_string(w, rec->u.clear_elr.topic_name, true);
        break;
    case METADATA_UNREGISTER_CONTROLLER:
        wire_write_int32(w, rec->u.unregister_controller.controller_id);
        break;
    default: /* NoOp, EndTransaction: "fields": [] */
        break;
    }
    wire_write_uvarint(w, 0);
}

static void decode_simple(struct wire_reader *r, struct wire_arena *a,
                          struct metadata_record *rec)
{
    switch (rec->type) {
    case METADATA_UNREGISTER_BROKER:
        rec->u.unregister_broker.broker_id = wire_read_int32(r);
        rec->u.unregister_broker.broker_epoch = wire_read_int64(r);
        break;
    case METADATA_TOPIC:
        rec->u.topic.name = wire_read_string(r, a, true);
        rec->u.topic.topic_id = wire_read_uuid(r);
        break;
    case METADATA_CONFIG:
        rec->u.config.resource_type = wire_read_int8(r);
        rec->u.config.resource_name = wire_read_string(r, a, true);
        rec->u.config.name = wire_read_string(r, a, true);
        rec->u.config.value = wire_read_nullable_string(r, a, true);
        break;
    case METADATA_FENCE_BROKER:
    case METADATA_UNFENCE_BROKER:
        rec->u.fencing.id = wire_read_int32(r);
        rec->u.fencing.epoch = wire_read_int64(r);
        break;
    case METADATA_REMOVE_TOPIC:
        rec->u.remove_topic.topic_id = wire_read_uuid(r);
        break;
    case METADATA_FEATURE_LEVEL:
        rec->u.feature_level.name = wire_read_string(r, a, true);
        rec->u.feature_level.feature_level = wire_read_int16(r);
        break;
    case METADATA_PRODUCER_IDS:
        rec->u.producer_ids.broker_id = wire_read_int32(r);
        rec->u.producer_ids.broker_epoch = wire_read_int64(r);
        rec->u.producer_ids.next_producer_id = wire_read_int64(r);
        break;
    case METADATA_CLEAR_ELR:
        rec->u.clear_elr.topic_name = wire_read_string(r, a, true);
        break;
    case METADATA_UNREGISTER_CONTROLLER:
        rec->u.unregister_controller.controller_id = wire_read_int32(r);
        break;
    default:
        break;
    }
    wire_skip_tags(r);
}

/* ---- Frame -------------------------------------------------------------------------------- */

int metadata_record_encode(struct wire_writer *w, const struct metadata_record *r)
{
    KS_ASSERT(w != NULL);
    KS_ASSERT(r != NULL);
    if (!metadata_record_type_known((int)r->type)) {
        return -WIRE_EUNKNOWN_API;
    }
    if (r->version < 0 || r->version > metadata_record_version_max((int)r->type)) {
        return -WIRE_EVERSION;
    }
    size_t start = w->len;
    wire_write_uvarint(w, METADATA_FRAME_VERSION);
    wire_write_uvarint(w, (uint32_t)r->type);
    wire_write_uvarint(w, (uint32_t)r->version);
    switch (r->type) {
    case METADATA_REGISTER_BROKER:
        encode_register_broker(w, &r->u.register_broker, r->version);
        break;
    case METADATA_PARTITION:
        encode_partition(w, &r->u.partition, r->version);
        break;
    case METADATA_PARTITION_CHANGE:
        encode_partition_change(w, &r->u.partition_change, r->version);
        break;
    case METADATA_BROKER_REGISTRATION_CHANGE:
        encode_broker_registration_change(w, &r->u.broker_registration_change, r->version);
        break;
    case METADATA_BEGIN_TRANSACTION:
    case METADATA_ABORT_TRANSACTION:
        encode_transaction(w, &r->u.transaction);
        break;
    case METADATA_REGISTER_CONTROLLER:
        encode_register_controller(w, &r->u.register_controller);
        break;
    default:
        encode_simple(w, r);
        break;
    }
    KS_ASSERT(w->err != 0 || w->len > start + 3);
    return w->err;
}

/* AbstractApiMessageSerde.unsignedIntToShort: "Value for <entity> was too large." */
static int16_t read_short(struct wire_reader *r)
{
    uint32_t v = wire_read_uvarint(r);
    if (r->err == 0 && v > INT16_MAX) {
        wire_reader_fail(r, -WIRE_EMALFORMED);
        return 0;
    }
    return (int16_t)v;
}

static int read_frame(struct wire_reader *r, int16_t *api_key, int16_t *version)
{
    int16_t frame_version = read_short(r);
    if (r->err != 0) {
        return r->err;
    }
    if (frame_version != METADATA_FRAME_VERSION) { /* 0 = the KRaft preview in 2.8 */
        return -WIRE_EVERSION;
    }
    *api_key = read_short(r);
    *version = read_short(r);
    return r->err;
}

int metadata_record_peek(const uint8_t *bytes, size_t len, int16_t *api_key, int16_t *version)
{
    KS_ASSERT(api_key != NULL);
    KS_ASSERT(version != NULL);
    struct wire_reader r;
    wire_reader_init(&r, bytes, len);
    return read_frame(&r, api_key, version);
}

static void decode_body(struct wire_reader *r, struct wire_arena *a, struct metadata_record *out)
{
    switch (out->type) {
    case METADATA_REGISTER_BROKER:
        decode_register_broker(r, a, out->version, &out->u.register_broker);
        break;
    case METADATA_PARTITION:
        decode_partition(r, a, out->version, &out->u.partition);
        break;
    case METADATA_PARTITION_CHANGE:
        decode_partition_change(r, a, out->version, &out->u.partition_change);
        break;
    case METADATA_BROKER_REGISTRATION_CHANGE:
        decode_broker_registration_change(r, a, out->version,
                                          &out->u.broker_registration_change);
        break;
    case METADATA_BEGIN_TRANSACTION:
    case METADATA_ABORT_TRANSACTION:
        decode_transaction(r, a, &out->u.transaction);
        break;
    case METADATA_REGISTER_CONTROLLER:
        decode_register_controller(r, a, &out->u.register_controller);
        break;
    default:
        decode_simple(r, a, out);
        break;
    }
}

int metadata_record_decode(const uint8_t *bytes, size_t len, struct wire_arena *a,
                           struct metadata_record *out)
{
    KS_ASSERT(a != NULL);
    KS_ASSERT(out != NULL);
    struct wire_reader r;
    wire_reader_init(&r, bytes, len);
    int16_t api_key = 0;
    int16_t version = 0;
    int err = read_frame(&r, &api_key, &version);
    if (err != 0) {
        return err;
    }
    if (!metadata_record_type_known(api_key)) { /* MetadataRecordType.fromId throws */
        return -WIRE_EUNKNOWN_API;
    }
    if (version > metadata_record_version_max(api_key)) { /* "Can't read version V of X" */
        return -WIRE_EVERSION;
    }
    metadata_record_init(out, (enum metadata_record_type)api_key, version);
    decode_body(&r, a, out);
    if (r.err == 0 && r.pos != r.len) { /* "Found N byte(s) of garbage after <type>" */
        wire_reader_fail(&r, -WIRE_EMALFORMED);
    }
    KS_ASSERT(r.pos <= r.len);
    return r.err;
}

/* ---- Equality ----------------------------------------------------------------------------- */

static bool eq_str(const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        return a == b;
    }
    return strcmp(a, b) == 0;
}

static bool eq_int32s(struct metadata_int32s a, struct metadata_int32s b)
{
    if (a.count != b.count) {
        return false;
    }
    return a.count <= 0 || memcmp(a.items, b.items, (size_t)a.count * sizeof *a.items) == 0;
}

static bool eq_uuids(struct metadata_uuids a, struct metadata_uuids b)
{
    if (a.count != b.count) {
        return false;
    }
    for (int32_t i = 0; i < a.count; i++) {
        if (!wire_uuid_equal(a.items[i], b.items[i])) {
            return false;
        }
    }
    return true;
}

static bool eq_endpoints(int32_t n, const struct metadata_endpoint *a, int32_t m,
                         const struct metadata_endpoint *b)
{
    if (n != m) {
        return false;
    }
    for (int32_t i = 0; i < n; i++) {
        if (!eq_str(a[i].name, b[i].name) || !eq_str(a[i].host, b[i].host) ||
            a[i].port != b[i].port || a[i].security_protocol != b[i].security_protocol) {
            return false;
        }
    }
    return true;
}

static bool eq_features(int32_t n, const struct metadata_feature *a, int32_t m,
                        const struct metadata_feature *b)
{
    if (n != m) {
        return false;
    }
    for (int32_t i = 0; i < n; i++) {
        if (!eq_str(a[i].name, b[i].name) ||
            a[i].min_supported_version != b[i].min_supported_version ||
            a[i].max_supported_version != b[i].max_supported_version) {
            return false;
        }
    }
    return true;
}

static bool eq_register_broker(const struct metadata_register_broker *a,
                               const struct metadata_register_broker *b)
{
    return a->broker_id == b->broker_id &&
           a->is_migrating_zk_broker == b->is_migrating_zk_broker &&
           wire_uuid_equal(a->incarnation_id, b->incarnation_id) &&
           a->broker_epoch == b->broker_epoch &&
           eq_endpoints(a->endpoint_count, a->endpoints, b->endpoint_count, b->endpoints) &&
           eq_features(a->feature_count, a->features, b->feature_count, b->features) &&
           eq_str(a->rack, b->rack) && a->fenced == b->fenced &&
           a->in_controlled_shutdown == b->in_controlled_shutdown &&
           eq_uuids(a->log_dirs, b->log_dirs) &&
           eq_uuids(a->cordoned_log_dirs, b->cordoned_log_dirs);
}

static bool eq_partition(const struct metadata_partition *a, const struct metadata_partition *b)
{
    return a->partition_id == b->partition_id && wire_uuid_equal(a->topic_id, b->topic_id) &&
           eq_int32s(a->replicas, b->replicas) && eq_int32s(a->isr, b->isr) &&
           eq_int32s(a->removing_replicas, b->removing_replicas) &&
           eq_int32s(a->adding_replicas, b->adding_replicas) && a->leader == b->leader &&
           a->leader_recovery_state == b->leader_recovery_state &&
           a->leader_epoch == b->leader_epoch && a->partition_epoch == b->partition_epoch &&
           eq_uuids(a->directories, b->directories) &&
           eq_int32s(a->eligible_leader_replicas, b->eligible_leader_replicas) &&
           eq_int32s(a->last_known_elr, b->last_known_elr);
}

static bool eq_partition_change(const struct metadata_partition_change *a,
                                const struct metadata_partition_change *b)
{
    return a->partition_id == b->partition_id && wire_uuid_equal(a->topic_id, b->topic_id) &&
           eq_int32s(a->isr, b->isr) && a->leader == b->leader &&
           eq_int32s(a->replicas, b->replicas) &&
           eq_int32s(a->removing_replicas, b->removing_replicas) &&
           eq_int32s(a->adding_replicas, b->adding_replicas) &&
           a->leader_recovery_state == b->leader_recovery_state &&
           eq_int32s(a->eligible_leader_replicas, b->eligible_leader_replicas) &&
           eq_int32s(a->last_known_elr, b->last_known_elr) &&
           eq_uuids(a->directories, b->directories);
}

static bool eq_broker_registration_change(const struct metadata_broker_registration_change *a,
                                          const struct metadata_broker_registration_change *b)
{
    return a->broker_id == b->broker_id && a->broker_epoch == b->broker_epoch &&
           a->fenced == b->fenced && a->in_controlled_shutdown == b->in_controlled_shutdown &&
           eq_uuids(a->log_dirs, b->log_dirs) &&
           eq_uuids(a->cordoned_log_dirs, b->cordoned_log_dirs);
}

static bool eq_register_controller(const struct metadata_register_controller *a,
                                   const struct metadata_register_controller *b)
{
    return a->controller_id == b->controller_id &&
           wire_uuid_equal(a->incarnation_id, b->incarnation_id) &&
           a->zk_migration_ready == b->zk_migration_ready &&
           eq_endpoints(a->endpoint_count, a->endpoints, b->endpoint_count, b->endpoints) &&
           eq_features(a->feature_count, a->features, b->feature_count, b->features);
}

static bool eq_simple(const struct metadata_record *a, const struct metadata_record *b)
{
    switch (a->type) {
    case METADATA_UNREGISTER_BROKER:
        return a->u.unregister_broker.broker_id == b->u.unregister_broker.broker_id &&
               a->u.unregister_broker.broker_epoch == b->u.unregister_broker.broker_epoch;
    case METADATA_TOPIC:
        return eq_str(a->u.topic.name, b->u.topic.name) &&
               wire_uuid_equal(a->u.topic.topic_id, b->u.topic.topic_id);
    case METADATA_CONFIG:
        return a->u.config.resource_type == b->u.config.resource_type &&
               eq_str(a->u.config.resource_name, b->u.config.resource_name) &&
               eq_str(a->u.config.name, b->u.config.name) &&
               eq_str(a->u.config.value, b->u.config.value);
    case METADATA_FENCE_BROKER:
    case METADATA_UNFENCE_BROKER:
        return a->u.fencing.id == b->u.fencing.id && a->u.fencing.epoch == b->u.fencing.epoch;
    case METADATA_REMOVE_TOPIC:
        return wire_uuid_equal(a->u.remove_topic.topic_id, b->u.remove_topic.topic_id);
    case METADATA_FEATURE_LEVEL:
        return eq_str(a->u.feature_level.name, b->u.feature_level.name) &&
               a->u.feature_level.feature_level == b->u.feature_level.feature_level;
    case METADATA_PRODUCER_IDS:
        return a->u.producer_ids.broker_id == b->u.producer_ids.broker_id &&
               a->u.producer_ids.broker_epoch == b->u.producer_ids.broker_epoch &&
               a->u.producer_ids.next_producer_id == b->u.producer_ids.next_producer_id;
    case METADATA_BEGIN_TRANSACTION:
    case METADATA_ABORT_TRANSACTION:
        return eq_str(a->u.transaction.text, b->u.transaction.text);
    case METADATA_CLEAR_ELR:
        return eq_str(a->u.clear_elr.topic_name, b->u.clear_elr.topic_name);
    case METADATA_UNREGISTER_CONTROLLER:
        return a->u.unregister_controller.controller_id ==
               b->u.unregister_controller.controller_id;
    default: /* NoOp, EndTransaction */
        return true;
    }
}

bool metadata_record_equal(const struct metadata_record *a, const struct metadata_record *b)
{
    KS_ASSERT(a != NULL);
    KS_ASSERT(b != NULL);
    if (a->type != b->type || a->version != b->version) {
        return false;
    }
    switch (a->type) {
    case METADATA_REGISTER_BROKER:
        return eq_register_broker(&a->u.register_broker, &b->u.register_broker);
    case METADATA_PARTITION:
        return eq_partition(&a->u.partition, &b->u.partition);
    case METADATA_PARTITION_CHANGE:
        return eq_partition_change(&a->u.partition_change, &b->u.partition_change);
    case METADATA_BROKER_REGISTRATION_CHANGE:
        return eq_broker_registration_change(&a->u.broker_registration_change,
                                             &b->u.broker_registration_change);
    case METADATA_REGISTER_CONTROLLER:
        return eq_register_controller(&a->u.register_controller, &b->u.register_controller);
    default:
        return eq_simple(a, b);
    }
}

/* ---- Printable form ----------------------------------------------------------------------- */

/* A bounded line: `len` counts every byte asked for, even those that did not fit. */
struct line {
    char *buf;
    size_t cap;
    size_t len;
    bool at_open; /* just after "Name(": the next field's leading space is dropped */
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct line *l, const char *fmt, ...)
{
    char *dst = l->len < l->cap ? l->buf + l->len : NULL;
    size_t room = l->len < l->cap ? l->cap - l->len : 0;
    if (l->at_open && fmt[0] == ' ') {
        fmt++;
    }
    l->at_open = false;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    KS_ASSERT(n >= 0);
    l->len += (size_t)n;
}

/* Strings may hold anything; show printable ASCII and '?' for the rest, so a line stays one. */
static void add_text(struct line *l, const char *s)
{
    if (s == NULL) {
        add(l, "null");
        return;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        add(l, "%c", (*p >= 0x20 && *p < 0x7f) ? (char)*p : '?');
    }
}

static void add_str(struct line *l, const char *key, const char *s)
{
    add(l, " %s=", key);
    add_text(l, s);
}

static void add_uuid(struct line *l, const char *key, struct kuuid u)
{
    char text[WIRE_UUID_TEXT_LEN + 1];
    wire_uuid_to_text(u, text);
    add(l, " %s=%s", key, text);
}

static void add_int32s(struct line *l, const char *key, struct metadata_int32s v)
{
    if (v.count < 0) {
        add(l, " %s=null", key);
        return;
    }
    add(l, " %s=[", key);
    for (int32_t i = 0; i < v.count; i++) {
        add(l, i == 0 ? "%" PRId32 : ",%" PRId32, v.items[i]);
    }
    add(l, "]");
}

static void add_uuids(struct line *l, const char *key, struct metadata_uuids v)
{
    if (v.count < 0) {
        add(l, " %s=null", key);
        return;
    }
    add(l, " %s=[", key);
    for (int32_t i = 0; i < v.count; i++) {
        char text[WIRE_UUID_TEXT_LEN + 1];
        wire_uuid_to_text(v.items[i], text);
        add(l, i == 0 ? "%s" : ",%s", text);
    }
    add(l, "]");
}

static void add_endpoints_features(struct line *l, int32_t ne, const struct metadata_endpoint *e,
                                   int32_t nf, const struct metadata_feature *f)
{
    add(l, " endpoints=[");
    for (int32_t i = 0; i < ne; i++) {
        add(l, i == 0 ? "" : ",");
        add_text(l, e[i].name);
        add(l, "://");
        add_text(l, e[i].host);
        add(l, ":%u", (unsigned)e[i].port);
    }
    add(l, "] features=[");
    for (int32_t i = 0; i < nf; i++) {
        add(l, i == 0 ? "" : ",");
        add_text(l, f[i].name);
        add(l, ":%d-%d", f[i].min_supported_version, f[i].max_supported_version);
    }
    add(l, "]");
}

static void format_register_broker(struct line *l, const struct metadata_register_broker *m)
{
    add(l, " id=%" PRId32 " epoch=%" PRId64, m->broker_id, m->broker_epoch);
    add_uuid(l, "incarnation", m->incarnation_id);
    add(l, " fenced=%d shutdown=%d", m->fenced, m->in_controlled_shutdown);
    if (m->is_migrating_zk_broker) {
        add(l, " migratingZk=1");
    }
    add_str(l, "rack", m->rack);
    add_endpoints_features(l, m->endpoint_count, m->endpoints, m->feature_count, m->features);
    if (m->log_dirs.count > 0) {
        add_uuids(l, "logDirs", m->log_dirs);
    }
    if (m->cordoned_log_dirs.count >= 0) {
        add_uuids(l, "cordonedLogDirs", m->cordoned_log_dirs);
    }
}

static void format_partition(struct line *l, const struct metadata_partition *m)
{
    add_uuid(l, "topic", m->topic_id);
    add(l, " partition=%" PRId32, m->partition_id);
    add_int32s(l, "replicas", m->replicas);
    add_int32s(l, "isr", m->isr);
    add(l, " leader=%" PRId32 " leaderEpoch=%" PRId32 " partitionEpoch=%" PRId32, m->leader,
        m->leader_epoch, m->partition_epoch);
    if (m->removing_replicas.count > 0) {
        add_int32s(l, "removing", m->removing_replicas);
    }
    if (m->adding_replicas.count > 0) {
        add_int32s(l, "adding", m->adding_replicas);
    }
    if (m->leader_recovery_state != METADATA_LRS_RECOVERED) {
        add(l, " lrs=%d", m->leader_recovery_state);
    }
    if (m->directories.count > 0) {
        add_uuids(l, "dirs", m->directories);
    }
    if (m->eligible_leader_replicas.count >= 0) {
        add_int32s(l, "elr", m->eligible_leader_replicas);
    }
    if (m->last_known_elr.count >= 0) {
        add_int32s(l, "lastKnownElr", m->last_known_elr);
    }
}

/* Only what changes: null lists and the "no change" defaults are left out. */
static void format_partition_change(struct line *l, const struct metadata_partition_change *m)
{
    add_uuid(l, "topic", m->topic_id);
    add(l, " partition=%" PRId32, m->partition_id);
    if (m->leader != METADATA_NO_LEADER_CHANGE) {
        add(l, " leader=%" PRId32, m->leader);
    }
    struct {
        const char *key;
        struct metadata_int32s v;
    } lists[] = {
        {"isr", m->isr},
        {"replicas", m->replicas},
        {"removing", m->removing_replicas},
        {"adding", m->adding_replicas},
        {"elr", m->eligible_leader_replicas},
        {"lastKnownElr", m->last_known_elr},
    };
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        if (lists[i].v.count >= 0) {
            add_int32s(l, lists[i].key, lists[i].v);
        }
    }
    if (m->directories.count >= 0) {
        add_uuids(l, "dirs", m->directories);
    }
    if (m->leader_recovery_state != METADATA_LRS_NO_CHANGE) {
        add(l, " lrs=%d", m->leader_recovery_state);
    }
    if (m->leader != METADATA_NO_LEADER_CHANGE) {
        add(l, " epoch+"); /* PartitionRegistration.merge: leaderEpoch + 1 */
    }
}

static void format_broker_registration_change(struct line *l,
                                              const struct metadata_broker_registration_change *m)
{
    add(l, " id=%" PRId32 " epoch=%" PRId64, m->broker_id, m->broker_epoch);
    if (m->fenced != 0) {
        add(l, " fenced=%d", m->fenced);
    }
    if (m->in_controlled_shutdown != 0) {
        add(l, " shutdown=%d", m->in_controlled_shutdown);
    }
    if (m->log_dirs.count > 0) {
        add_uuids(l, "logDirs", m->log_dirs);
    }
    if (m->cordoned_log_dirs.count >= 0) {
        add_uuids(l, "cordonedLogDirs", m->cordoned_log_dirs);
    }
}

static void format_simple(struct line *l, const struct metadata_record *r)
{
    switch (r->type) {
    case METADATA_UNREGISTER_BROKER:
        add(l, " id=%" PRId32 " epoch=%" PRId64, r->u.unregister_broker.broker_id,
            r->u.unregister_broker.broker_epoch);
        break;
    case METADATA_TOPIC:
        add_str(l, "name", r->u.topic.name);
        add_uuid(l, "id", r->u.topic.topic_id);
        break;
    case METADATA_CONFIG:
        add(l, " resourceType=%d", r->u.config.resource_type);
        add_str(l, "resource", r->u.config.resource_name);
        add_str(l, "name", r->u.config.name);
        add_str(l, "value", r->u.config.value);
        break;
    case METADATA_FENCE_BROKER:
    case METADATA_UNFENCE_BROKER:
        add(l, " id=%" PRId32 " epoch=%" PRId64, r->u.fencing.id, r->u.fencing.epoch);
        break;
    case METADATA_REMOVE_TOPIC:
        add_uuid(l, "id", r->u.remove_topic.topic_id);
        break;
    case METADATA_FEATURE_LEVEL:
        add_str(l, "name", r->u.feature_level.name);
        add(l, " level=%d", r->u.feature_level.feature_level);
        break;
    case METADATA_PRODUCER_IDS:
        add(l, " broker=%" PRId32 " epoch=%" PRId64 " next=%" PRId64,
            r->u.producer_ids.broker_id, r->u.producer_ids.broker_epoch,
            r->u.producer_ids.next_producer_id);
        break;
    case METADATA_BEGIN_TRANSACTION:
        add_str(l, "name", r->u.transaction.text);
        break;
    case METADATA_ABORT_TRANSACTION:
        add_str(l, "reason", r->u.transaction.text);
        break;
    case METADATA_CLEAR_ELR:
        add_str(l, "topic", r->u.clear_elr.topic_name);
        break;
    case METADATA_UNREGISTER_CONTROLLER:
        add(l, " id=%" PRId32, r->u.unregister_controller.controller_id);
        break;
    default: /* NoOp, EndTransaction */
        break;
    }
}

size_t metadata_record_format(const struct metadata_record *r, char *buf, size_t cap)
{
    KS_ASSERT(r != NULL);
    KS_ASSERT(buf != NULL || cap == 0);
    struct line l = {.buf = buf, .cap = cap, .len = 0};
    if (cap > 0) {
        buf[0] = '\0';
    }
    add(&l, "%s(", metadata_record_type_name((int)r->type));
    l.at_open = true;
    switch (r->type) {
    case METADATA_REGISTER_BROKER:
        format_register_broker(&l, &r->u.register_broker);
        break;
    case METADATA_PARTITION:
        format_partition(&l, &r->u.partition);
        break;
    case METADATA_PARTITION_CHANGE:
        format_partition_change(&l, &r->u.partition_change);
        break;
    case METADATA_BROKER_REGISTRATION_CHANGE:
        format_broker_registration_change(&l, &r->u.broker_registration_change);
        break;
    case METADATA_REGISTER_CONTROLLER: {
        const struct metadata_register_controller *m = &r->u.register_controller;
        add(&l, " id=%" PRId32, m->controller_id);
        add_uuid(&l, "incarnation", m->incarnation_id);
        add(&l, " zkMigrationReady=%d", m->zk_migration_ready);
        add_endpoints_features(&l, m->endpoint_count, m->endpoints, m->feature_count,
                               m->features);
        break;
    }
    default:
        format_simple(&l, r);
        break;
    }
    add(&l, ")");
    KS_ASSERT(cap == 0 || strlen(buf) < cap);
    return l.len;
}
