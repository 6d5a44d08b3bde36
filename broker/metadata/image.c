/* image.c — replaying metadata records into an image, hashing it and writing it back. */
#include "metadata/image.h"

#include "env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void metadata_image_init(struct metadata_image *img)
{
    memset(img, 0, sizeof *img);
    img->next_producer_id = -1;
}

static void ints_free(struct image_ints *v)
{
    free(v->items);
    v->items = NULL;
    v->count = -1;
}

static void partition_free(struct image_partition *p)
{
    ints_free(&p->replicas);
    ints_free(&p->isr);
    ints_free(&p->elr);
    ints_free(&p->last_known_elr);
}

static void topic_free(struct image_topic *t)
{
    for (int32_t i = 0; i < t->partition_count; i++) {
        partition_free(&t->partitions[i]);
    }
    free(t->partitions);
}

void metadata_image_free(struct metadata_image *img)
{
    for (uint32_t i = 0; i < img->topic_count; i++) {
        topic_free(&img->topics[i]);
    }
    free(img->topics);
    free(img->brokers);
    free(img->configs);
    free(img->features);
    metadata_image_init(img);
}

/* ---- sorted arrays: find the slot, open a gap, close one ------------------------------------ */

static void *open_gap(void *array, uint32_t *count, size_t size, uint32_t at)
{
    array = realloc(array, (*count + 1) * size);
    KS_ASSERT(array != NULL);
    memmove((char *)array + (at + 1) * size, (char *)array + at * size, (*count - at) * size);
    (*count)++;
    return array;
}

static void close_gap(void *array, uint32_t *count, size_t size, uint32_t at)
{
    memmove((char *)array + at * size, (char *)array + (at + 1) * size,
            (*count - at - 1) * size);
    (*count)--;
}

static void ints_set(struct image_ints *dst, struct metadata_int32s src)
{
    free(dst->items);
    dst->items = NULL;
    dst->count = src.count;
    if (src.count > 0) {
        dst->items = malloc((size_t)src.count * sizeof *dst->items);
        KS_ASSERT(dst->items != NULL);
        memcpy(dst->items, src.items, (size_t)src.count * sizeof *dst->items);
    }
}

static uint32_t broker_slot(const struct metadata_image *img, int32_t id, bool *found)
{
    uint32_t i = 0;
    while (i < img->broker_count && img->brokers[i].id < id) {
        i++;
    }
    *found = i < img->broker_count && img->brokers[i].id == id;
    return i;
}

const struct image_broker *metadata_image_broker(const struct metadata_image *img, int32_t id)
{
    bool found;
    uint32_t i = broker_slot(img, id, &found);
    return found ? &img->brokers[i] : NULL;
}

static struct image_topic *topic_by_id(struct metadata_image *img, struct kuuid id)
{
    for (uint32_t i = 0; i < img->topic_count; i++) {
        if (wire_uuid_equal(img->topics[i].id, id)) {
            return &img->topics[i];
        }
    }
    return NULL;
}

const struct image_topic *metadata_image_topic(const struct metadata_image *img,
                                               const char *name)
{
    for (uint32_t i = 0; i < img->topic_count; i++) {
        if (strcmp(img->topics[i].name, name) == 0) {
            return &img->topics[i];
        }
    }
    return NULL;
}

static struct image_partition *partition_of(struct image_topic *t, int32_t id)
{
    for (int32_t i = 0; i < t->partition_count; i++) {
        if (t->partitions[i].id == id) {
            return &t->partitions[i];
        }
    }
    return NULL;
}

/* ---- records -------------------------------------------------------------------------------- */

static int apply_register(struct metadata_image *img, const struct metadata_register_broker *r,
                          char *err, size_t cap)
{
    if (r->feature_count > IMAGE_BROKER_FEATURE_MAX) {
        snprintf(err, cap, "broker %d registers %d features, more than kraftsim's %d",
                 r->broker_id, r->feature_count, IMAGE_BROKER_FEATURE_MAX);
        return -1;
    }
    bool found;
    uint32_t i = broker_slot(img, r->broker_id, &found);
    if (!found) {
        img->brokers = open_gap(img->brokers, &img->broker_count, sizeof *img->brokers, i);
    }
    struct image_broker *b = &img->brokers[i];
    *b = (struct image_broker){.id = r->broker_id, .epoch = r->broker_epoch,
                               .incarnation_id = r->incarnation_id, .fenced = r->fenced,
                               .in_controlled_shutdown = r->in_controlled_shutdown};
    snprintf(b->rack, sizeof b->rack, "%s", r->rack != NULL ? r->rack : "");
    if (r->endpoint_count > 0) {
        const struct metadata_endpoint *e = &r->endpoints[0];
        snprintf(b->listener, sizeof b->listener, "%s", e->name != NULL ? e->name : "");
        snprintf(b->host, sizeof b->host, "%s", e->host != NULL ? e->host : "");
        b->port = e->port;
        b->security_protocol = e->security_protocol;
    }
    b->feature_count = r->feature_count > 0 ? r->feature_count : 0;
    for (int32_t k = 0; k < b->feature_count; k++) {
        const struct metadata_feature *f = &r->features[k];
        snprintf(b->features[k].name, sizeof b->features[k].name, "%s",
                 f->name != NULL ? f->name : "");
        b->features[k].min_version = f->min_supported_version;
        b->features[k].max_version = f->max_supported_version;
    }
    return 0;
}

static int apply_broker_change(struct metadata_image *img, int32_t id, int64_t epoch,
                               int8_t fenced, int8_t shutdown, char *err, size_t cap)
{
    bool found;
    uint32_t i = broker_slot(img, id, &found);
    if (!found || img->brokers[i].epoch != epoch) {
        snprintf(err, cap, "broker %d epoch %lld is not registered", id, (long long)epoch);
        return -1;
    }
    if (fenced != 0) {
        img->brokers[i].fenced = fenced > 0;
    }
    if (shutdown > 0) {
        img->brokers[i].in_controlled_shutdown = true;
    }
    return 0;
}

static int apply_topic(struct metadata_image *img, const struct metadata_topic *r, char *err,
                       size_t cap)
{
    uint32_t i = 0;
    while (i < img->topic_count && strcmp(img->topics[i].name, r->name) < 0) {
        i++;
    }
    if ((i < img->topic_count && strcmp(img->topics[i].name, r->name) == 0) ||
        topic_by_id(img, r->topic_id) != NULL) {
        snprintf(err, cap, "topic %s exists already", r->name);
        return -1;
    }
    img->topics = open_gap(img->topics, &img->topic_count, sizeof *img->topics, i);
    struct image_topic *t = &img->topics[i];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", r->name);
    t->id = r->topic_id;
    return 0;
}

static int apply_partition(struct metadata_image *img, const struct metadata_partition *r,
                           char *err, size_t cap)
{
    struct image_topic *t = topic_by_id(img, r->topic_id);
    if (t == NULL || partition_of(t, r->partition_id) != NULL) {
        snprintf(err, cap, "partition %d of an unknown topic, or twice", r->partition_id);
        return -1;
    }
    uint32_t count = (uint32_t)t->partition_count, at = 0;
    while (at < count && t->partitions[at].id < r->partition_id) {
        at++;
    }
    t->partitions = open_gap(t->partitions, &count, sizeof *t->partitions, at);
    t->partition_count = (int32_t)count;
    struct image_partition *p = &t->partitions[at];
    *p = (struct image_partition){.id = r->partition_id, .leader = r->leader,
                                  .leader_epoch = r->leader_epoch,
                                  .partition_epoch = r->partition_epoch,
                                  .leader_recovery_state = r->leader_recovery_state,
                                  .replicas = {-1, NULL}, .isr = {-1, NULL}, .elr = {-1, NULL},
                                  .last_known_elr = {-1, NULL}};
    ints_set(&p->replicas, r->replicas);
    ints_set(&p->isr, r->isr);
    ints_set(&p->elr, r->eligible_leader_replicas);
    ints_set(&p->last_known_elr, r->last_known_elr);
    return 0;
}

/* PartitionChangeRecord: null lists and the -2 leader mean "unchanged"; every change bumps the
 * partition epoch, a new leader (even none, -1) the leader epoch (PartitionRegistration.merge).
 */
static int apply_partition_change(struct metadata_image *img,
                                  const struct metadata_partition_change *r, char *err,
                                  size_t cap)
{
    struct image_topic *t = topic_by_id(img, r->topic_id);
    struct image_partition *p = t != NULL ? partition_of(t, r->partition_id) : NULL;
    if (p == NULL) {
        snprintf(err, cap, "change to unknown partition %d", r->partition_id);
        return -1;
    }
    if (r->isr.count >= 0) {
        ints_set(&p->isr, r->isr);
    }
    if (r->replicas.count >= 0) {
        ints_set(&p->replicas, r->replicas);
    }
    if (r->eligible_leader_replicas.count >= 0) {
        ints_set(&p->elr, r->eligible_leader_replicas);
    }
    if (r->last_known_elr.count >= 0) {
        ints_set(&p->last_known_elr, r->last_known_elr);
    }
    if (r->leader != METADATA_NO_LEADER_CHANGE) {
        p->leader = r->leader;
        p->leader_epoch++;
    }
    if (r->leader_recovery_state >= 0) {
        p->leader_recovery_state = r->leader_recovery_state;
    }
    p->partition_epoch++;
    return 0;
}

static int config_compare(const struct image_config *c, int8_t type, const char *resource,
                          const char *name)
{
    if (c->resource_type != type) {
        return c->resource_type < type ? -1 : 1;
    }
    int r = strcmp(c->resource_name, resource);
    return r != 0 ? r : strcmp(c->name, name);
}

static void apply_config(struct metadata_image *img, const struct metadata_config *r)
{
    const char *resource = r->resource_name != NULL ? r->resource_name : "";
    uint32_t i = 0;
    while (i < img->config_count && config_compare(&img->configs[i], r->resource_type,
                                                   resource, r->name) < 0) {
        i++;
    }
    bool found = i < img->config_count &&
                 config_compare(&img->configs[i], r->resource_type, resource, r->name) == 0;
    if (r->value == NULL) { /* a null value deletes the key */
        if (found) {
            close_gap(img->configs, &img->config_count, sizeof *img->configs, i);
        }
        return;
    }
    if (!found) {
        img->configs = open_gap(img->configs, &img->config_count, sizeof *img->configs, i);
    }
    struct image_config *c = &img->configs[i];
    c->resource_type = r->resource_type;
    snprintf(c->resource_name, sizeof c->resource_name, "%s", resource);
    snprintf(c->name, sizeof c->name, "%s", r->name);
    snprintf(c->value, sizeof c->value, "%s", r->value);
}

static int apply_remove_topic(struct metadata_image *img, const struct metadata_remove_topic *r,
                              char *err, size_t cap)
{
    struct image_topic *t = topic_by_id(img, r->topic_id);
    if (t == NULL) {
        snprintf(err, cap, "removal of an unknown topic");
        return -1;
    }
    char name[IMAGE_NAME_MAX];
    snprintf(name, sizeof name, "%s", t->name);
    topic_free(t);
    close_gap(img->topics, &img->topic_count, sizeof *img->topics,
              (uint32_t)(t - img->topics));
    /* The topic's configs go with it (TopicsDelta / ConfigurationsDelta). */
    uint32_t i = 0;
    while (i < img->config_count) {
        const struct image_config *c = &img->configs[i];
        if (c->resource_type == 2 && strcmp(c->resource_name, name) == 0) {
            close_gap(img->configs, &img->config_count, sizeof *img->configs, i);
        } else {
            i++;
        }
    }
    return 0;
}

static void apply_feature(struct metadata_image *img, const struct metadata_feature_level *r)
{
    uint32_t i = 0;
    while (i < img->feature_count && strcmp(img->features[i].name, r->name) < 0) {
        i++;
    }
    bool found = i < img->feature_count && strcmp(img->features[i].name, r->name) == 0;
    if (r->feature_level == 0) { /* level 0: the feature is off */
        if (found) {
            close_gap(img->features, &img->feature_count, sizeof *img->features, i);
        }
        return;
    }
    if (!found) {
        img->features = open_gap(img->features, &img->feature_count, sizeof *img->features, i);
    }
    snprintf(img->features[i].name, sizeof img->features[i].name, "%s", r->name);
    img->features[i].level = r->feature_level;
}

static int apply_unregister(struct metadata_image *img,
                            const struct metadata_unregister_broker *r)
{
    bool found;
    uint32_t i = broker_slot(img, r->broker_id, &found);
    if (found && img->brokers[i].epoch == r->broker_epoch) {
        close_gap(img->brokers, &img->broker_count, sizeof *img->brokers, i);
    }
    return 0;
}

int metadata_image_apply(struct metadata_image *img, const struct metadata_record *r,
                         char *err, size_t err_cap)
{
    int rc = 0;
    switch (r->type) {
    case METADATA_REGISTER_BROKER:
        rc = apply_register(img, &r->u.register_broker, err, err_cap);
        break;
    case METADATA_UNREGISTER_BROKER:
        rc = apply_unregister(img, &r->u.unregister_broker);
        break;
    case METADATA_FENCE_BROKER:
    case METADATA_UNFENCE_BROKER:
        rc = apply_broker_change(img, r->u.fencing.id, r->u.fencing.epoch,
                                 r->type == METADATA_FENCE_BROKER ? 1 : -1, 0, err,
                                 err_cap);
        break;
    case METADATA_BROKER_REGISTRATION_CHANGE: {
        const struct metadata_broker_registration_change *c = &r->u.broker_registration_change;
        rc = apply_broker_change(img, c->broker_id, c->broker_epoch, c->fenced,
                                 c->in_controlled_shutdown, err, err_cap);
        break;
    }
    case METADATA_TOPIC:
        rc = apply_topic(img, &r->u.topic, err, err_cap);
        break;
    case METADATA_PARTITION:
        rc = apply_partition(img, &r->u.partition, err, err_cap);
        break;
    case METADATA_PARTITION_CHANGE:
        rc = apply_partition_change(img, &r->u.partition_change, err, err_cap);
        break;
    case METADATA_REMOVE_TOPIC:
        rc = apply_remove_topic(img, &r->u.remove_topic, err, err_cap);
        break;
    case METADATA_CONFIG:
        apply_config(img, &r->u.config);
        break;
    case METADATA_FEATURE_LEVEL:
        apply_feature(img, &r->u.feature_level);
        break;
    case METADATA_PRODUCER_IDS:
        /* ProducerIdControlManager.replay: each block's end is above the last */
        if (r->u.producer_ids.next_producer_id <= img->next_producer_id) {
            snprintf(err, err_cap, "Next Producer ID from replayed record (%lld) is not greater "
                     "than current next Producer ID (%lld)",
                     (long long)r->u.producer_ids.next_producer_id,
                     (long long)img->next_producer_id);
            rc = -1;
        } else {
            img->next_producer_id = r->u.producer_ids.next_producer_id;
        }
        break;
    default:
        break; /* NoOp, transaction markers, controllers: nothing to keep yet */
    }
    if (rc == 0) {
        img->records_applied++;
    }
    return rc;
}

/* ---- hash, records, check ------------------------------------------------------------------ */

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + UINT64_C(0x9e3779b97f4a7c15) + (h << 6) + (h >> 2);
    return h * UINT64_C(0xff51afd7ed558ccd);
}

static uint64_t mix_text(uint64_t h, const char *s)
{
    uint64_t t = UINT64_C(0xcbf29ce484222325);
    for (; *s != '\0'; s++) {
        t = (t ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
    }
    return mix(h, t);
}

static uint64_t mix_ints(uint64_t h, const struct image_ints *v)
{
    h = mix(h, (uint64_t)(int64_t)v->count);
    for (int32_t i = 0; i < v->count; i++) {
        h = mix(h, (uint64_t)(int64_t)v->items[i]);
    }
    return h;
}

uint64_t metadata_image_hash(const struct metadata_image *img)
{
    uint64_t h = UINT64_C(0x696d616765);
    for (uint32_t i = 0; i < img->feature_count; i++) {
        h = mix(mix_text(h, img->features[i].name), (uint64_t)img->features[i].level);
    }
    for (uint32_t i = 0; i < img->broker_count; i++) {
        const struct image_broker *b = &img->brokers[i];
        h = mix(mix(mix(h, (uint64_t)b->id), (uint64_t)b->epoch), b->incarnation_id.hi);
        h = mix(mix(h, b->fenced), b->in_controlled_shutdown);
        h = mix(mix_text(h, b->host), b->port);
        for (int32_t k = 0; k < b->feature_count; k++) {
            const struct image_broker_feature *f = &b->features[k];
            h = mix(mix(mix_text(h, f->name), (uint64_t)f->min_version),
                    (uint64_t)f->max_version);
        }
    }
    for (uint32_t i = 0; i < img->topic_count; i++) {
        const struct image_topic *t = &img->topics[i];
        h = mix(mix(mix_text(h, t->name), t->id.hi), t->id.lo);
        for (int32_t k = 0; k < t->partition_count; k++) {
            const struct image_partition *p = &t->partitions[k];
            h = mix(mix(mix(h, (uint64_t)p->id), (uint64_t)p->leader),
                    (uint64_t)p->leader_epoch);
            h = mix(h, (uint64_t)p->partition_epoch);
            h = mix_ints(mix_ints(mix_ints(h, &p->replicas), &p->isr), &p->elr);
            h = mix(mix_ints(h, &p->last_known_elr), (uint64_t)p->leader_recovery_state);
        }
    }
    for (uint32_t i = 0; i < img->config_count; i++) {
        const struct image_config *c = &img->configs[i];
        h = mix_text(mix_text(mix_text(mix(h, (uint64_t)c->resource_type), c->resource_name),
                              c->name), c->value);
    }
    if (img->next_producer_id >= 0) { /* only once used: older images hash as they did */
        h = mix(h, (uint64_t)img->next_producer_id);
    }
    return h;
}

static struct metadata_int32s as_list(const struct image_ints *v)
{
    return (struct metadata_int32s){v->count, v->items};
}

int metadata_image_mv_level(const struct metadata_image *img)
{
    for (uint32_t i = 0; i < img->feature_count; i++) {
        if (strcmp(img->features[i].name, "metadata.version") == 0) {
            KS_ASSERT(img->features[i].level >= METADATA_MV_3_0_IV1);
            return img->features[i].level;
        }
    }
    return METADATA_MV_3_0_IV1; /* FeaturesImage.EMPTY: MetadataVersion.MINIMUM_KRAFT_VERSION */
}

static int16_t version_for(enum metadata_record_type type, int mv)
{
    int v = metadata_record_version_for(type, mv);
    KS_ASSERT(v >= 0); /* every type written here exists at every level */
    return (int16_t)v;
}

/* PartitionRegistration.toRecord: PartitionRecord at partitionRecordVersion(); the ELR lists
 * only where the version has them (v2, isElrSupported). */
static void partition_records(const struct image_topic *t, int mv,
                              void (*each)(void *, const struct metadata_record *), void *arg)
{
    int16_t version = version_for(METADATA_PARTITION, mv);
    for (int32_t k = 0; k < t->partition_count; k++) {
        const struct image_partition *p = &t->partitions[k];
        struct metadata_record r;
        metadata_record_init(&r, METADATA_PARTITION, version);
        struct metadata_partition *m = &r.u.partition;
        m->partition_id = p->id;
        m->topic_id = t->id;
        m->replicas = as_list(&p->replicas);
        m->isr = as_list(&p->isr);
        m->leader = p->leader;
        m->leader_epoch = p->leader_epoch;
        m->partition_epoch = p->partition_epoch;
        m->leader_recovery_state = p->leader_recovery_state;
        if (version >= 2) {
            m->eligible_leader_replicas = as_list(&p->elr);
            m->last_known_elr = as_list(&p->last_known_elr);
        }
        each(arg, &r);
    }
}

/* FeaturesImage.writeFeatureLevels: metadata.version first (readers need it to decode what
 * follows), then the others; nothing below 3.3-IV0 (MINIMUM_BOOTSTRAP_VERSION). */
static void feature_records(const struct metadata_image *img, int mv,
                            void (*each)(void *, const struct metadata_record *), void *arg)
{
    if (mv < 4) { /* 3.3-IV0: no FeatureLevelRecord before it (handleFeatureLevelNotSupported) */
        return;
    }
    struct metadata_record r;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < img->feature_count; i++) {
            bool is_mv = strcmp(img->features[i].name, "metadata.version") == 0;
            if (is_mv != (pass == 0)) {
                continue;
            }
            metadata_record_init(&r, METADATA_FEATURE_LEVEL, 0);
            r.u.feature_level.name = img->features[i].name;
            r.u.feature_level.feature_level = img->features[i].level;
            each(arg, &r);
        }
    }
}

/* BrokerRegistration.toRecord: RegisterBrokerRecord at registerBrokerRecordVersion(), with the
 * features the broker registered; InControlledShutdown only from v1 (3.3-IV3). */
static void broker_records(const struct metadata_image *img, int mv,
                           void (*each)(void *, const struct metadata_record *), void *arg)
{
    int16_t version = version_for(METADATA_REGISTER_BROKER, mv);
    for (uint32_t i = 0; i < img->broker_count; i++) {
        const struct image_broker *b = &img->brokers[i];
        struct metadata_record r;
        metadata_record_init(&r, METADATA_REGISTER_BROKER, version);
        struct metadata_register_broker *m = &r.u.register_broker;
        m->broker_id = b->id;
        m->broker_epoch = b->epoch;
        m->incarnation_id = b->incarnation_id;
        m->fenced = b->fenced;
        m->in_controlled_shutdown = version >= 1 && b->in_controlled_shutdown;
        m->rack = b->rack[0] != '\0' ? b->rack : NULL;
        struct metadata_endpoint endpoint = {b->listener, b->host, b->port,
                                             b->security_protocol};
        if (b->host[0] != '\0') {
            m->endpoint_count = 1;
            m->endpoints = &endpoint;
        }
        struct metadata_feature features[IMAGE_BROKER_FEATURE_MAX];
        for (int32_t k = 0; k < b->feature_count; k++) {
            features[k] = (struct metadata_feature){b->features[k].name,
                                                    b->features[k].min_version,
                                                    b->features[k].max_version};
        }
        m->feature_count = b->feature_count;
        m->features = b->feature_count > 0 ? features : NULL;
        each(arg, &r);
    }
}

void metadata_image_records(const struct metadata_image *img,
                            void (*each)(void *arg, const struct metadata_record *r), void *arg)
{
    int mv = metadata_image_mv_level(img);
    feature_records(img, mv, each, arg);
    broker_records(img, mv, each, arg);
    struct metadata_record r;
    for (uint32_t i = 0; i < img->topic_count; i++) {
        metadata_record_init(&r, METADATA_TOPIC, version_for(METADATA_TOPIC, mv));
        r.u.topic.name = img->topics[i].name;
        r.u.topic.topic_id = img->topics[i].id;
        each(arg, &r);
        partition_records(&img->topics[i], mv, each, arg);
    }
    for (uint32_t i = 0; i < img->config_count; i++) {
        const struct image_config *c = &img->configs[i];
        metadata_record_init(&r, METADATA_CONFIG, version_for(METADATA_CONFIG, mv));
        r.u.config = (struct metadata_config){c->resource_type, c->resource_name, c->name,
                                              c->value};
        each(arg, &r);
    }    if (img->next_producer_id >= 0) { /* ProducerIdsImage.write */
        metadata_record_init(&r, METADATA_PRODUCER_IDS, version_for(METADATA_PRODUCER_IDS, mv));
        r.u.producer_ids = (struct metadata_producer_ids){
            .broker_id = -1, .broker_epoch = -1, .next_producer_id = img->next_producer_id};
        each(arg, &r);
    }
}

bool metadata_image_check(const struct metadata_image *img)
{
    for (uint32_t i = 1; i < img->broker_count; i++) {
        if (img->brokers[i - 1].id >= img->brokers[i].id) {
            return false;
        }
    }
    for (uint32_t i = 1; i < img->topic_count; i++) {
        if (strcmp(img->topics[i - 1].name, img->topics[i].name) >= 0) {
            return false;
        }
    }
    for (uint32_t i = 1; i < img->config_count; i++) {
        const struct image_config *c = &img->configs[i];
        if (config_compare(&img->configs[i - 1], c->resource_type, c->resource_name,
                           c->name) >= 0) {
            return false;
        }
    }
    for (uint32_t i = 1; i < img->feature_count; i++) {
        if (strcmp(img->features[i - 1].name, img->features[i].name) >= 0) {
            return false;
        }
    }
    return true;
}
