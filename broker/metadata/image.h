/* image.h — the metadata image: the cluster as the committed metadata records describe it. */
#ifndef KRAFTSIM_METADATA_IMAGE_H
#define KRAFTSIM_METADATA_IMAGE_H

/*
 * Every node (controllers and brokers alike) replays the committed metadata log into an image
 * (metadata/src/main/java/org/apache/kafka/image/MetadataImage.java and its deltas): features,
 * broker registrations, topics with their partitions, and configs. Applying the same records
 * in the same order gives the same image on every node; metadata_image_hash summarises it so
 * a checker can compare nodes at equal offsets, and metadata_image_records lists it back as
 * records, in a fixed order, for a snapshot.
 *
 * Invariants (metadata_image_check): brokers sorted by id, topics by name, partitions by id,
 * configs by (type, resource, name), features by name; no duplicates.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metadata/records.h"

#define IMAGE_NAME_MAX 256
#define IMAGE_BROKER_FEATURE_MAX 8 /* trunk's broker registers 7 (BrokerFeatures) */

/* A feature range a broker registered with (BrokerRegistration.supportedFeatures). */
struct image_broker_feature {
    char name[48];
    int16_t min_version;
    int16_t max_version;
};

struct image_broker {
    int32_t id;
    int64_t epoch;
    struct kuuid incarnation_id;
    bool fenced;
    bool in_controlled_shutdown;
    char rack[64]; /* "" = none */
    /* The first endpoint of the registration (what Metadata answers with); "" = none. */
    char listener[32];
    char host[64];
    uint16_t port;
    int16_t security_protocol;
    struct image_broker_feature features[IMAGE_BROKER_FEATURE_MAX]; /* in registration order */
    int32_t feature_count;
};

struct image_ints {
    int32_t count; /* -1 = null (ELR lists) */
    int32_t *items;
};

struct image_partition {
    int32_t id;
    struct image_ints replicas;
    struct image_ints isr;
    struct image_ints elr;
    struct image_ints last_known_elr;
    int32_t leader;
    int32_t leader_epoch;
    int32_t partition_epoch;
    int8_t leader_recovery_state;
};

struct image_topic {
    char name[IMAGE_NAME_MAX];
    struct kuuid id;
    struct image_partition *partitions;
    int32_t partition_count;
};

struct image_config {
    int8_t resource_type;
    char resource_name[IMAGE_NAME_MAX];
    char name[128];
    char value[256];
};

struct image_feature {
    char name[64];
    int16_t level;
};

struct metadata_image {
    struct image_feature *features;
    uint32_t feature_count;
    struct image_broker *brokers;
    uint32_t broker_count;
    struct image_topic *topics;
    uint32_t topic_count;
    struct image_config *configs;
    uint32_t config_count;
    /* ProducerIdsImage: the first id of the next block the controller hands out; -1 before
     * any ProducerIdsRecord (ProducerIdsBlock.EMPTY: the first block starts at 0). */
    int64_t next_producer_id;
    uint64_t records_applied;
};

void metadata_image_init(struct metadata_image *img);
void metadata_image_free(struct metadata_image *img);
/* Applies one committed record. Returns 0, or -1 with a one-line reason (a record that does
 * not fit the image, which Kafka treats as fatal). */
int metadata_image_apply(struct metadata_image *img, const struct metadata_record *r,
                         char *err, size_t err_cap);
uint64_t metadata_image_hash(const struct metadata_image *img);
/* The metadata.version feature level in force: the image's, or 1 (3.0-IV1) without one. */
int metadata_image_mv_level(const struct metadata_image *img);
/*
 * Calls each() for every record that rebuilds the image, as MetadataImage.write does for a
 * snapshot: features (metadata.version first, FeaturesImage.writeFeatureLevels), brokers,
 * topics each followed by their partitions, configs. A record is valid during each() only
 * (it points into the image and into the writer's stack). Each record
 * has the version the image's metadata.version writes (metadata_record_version_for; no
 * metadata.version record means 3.0-IV1, FeaturesImage.EMPTY), and fields that version lacks
 * are cleared, as BrokerRegistration.toRecord and PartitionRegistration.toRecord drop them.
 */
void metadata_image_records(const struct metadata_image *img,
                            void (*each)(void *arg, const struct metadata_record *r), void *arg);
const struct image_broker *metadata_image_broker(const struct metadata_image *img, int32_t id);
const struct image_topic *metadata_image_topic(const struct metadata_image *img,
                                               const char *name);
bool metadata_image_check(const struct metadata_image *img);

#endif
