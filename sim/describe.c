/* describe.c — DescribeQuorum answers as kafka-metadata-quorum.sh prints them. */
#include "describe.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "metadata/image.h"

static const struct describe_quorum_response_partition *
partition_of(const struct describe_quorum_response *resp)
{
    if (resp->topic_count < 1 || resp->topics[0].partition_count < 1) {
        return NULL;
    }
    return &resp->topics[0].partitions[0];
}

static void print_voters(FILE *out, const struct describe_quorum_response_partition *p,
                         const struct describe_endpoint *endpoints, int endpoint_count)
{
    fprintf(out, "[");
    for (int i = 0; i < p->current_voter_count; i++) {
        int32_t id = p->current_voters[i].replica_id;
        fprintf(out, "%s{\"id\": %d", i ? ", " : "", id);
        for (int k = 0; k < endpoint_count; k++) {
            if (endpoints[k].node_id == id) {
                fprintf(out, ", \"endpoints\": [\"CONTROLLER://%s:%d\"]", endpoints[k].host,
                        endpoints[k].port);
            }
        }
        fprintf(out, "}");
    }
    fprintf(out, "]\n");
}

void describe_status(FILE *out, const char *cluster_id,
                     const struct describe_quorum_response *resp,
                     const struct describe_endpoint *endpoints, int endpoint_count)
{
    const struct describe_quorum_response_partition *p = partition_of(resp);
    if (p == NULL) {
        return;
    }
    int64_t leader_end = -1, min_end = INT64_MAX;
    int64_t leader_caught = -1, min_caught = INT64_MAX;
    for (int i = 0; i < p->current_voter_count; i++) {
        const struct describe_quorum_replica_state *r = &p->current_voters[i];
        if (r->replica_id == p->leader_id) {
            leader_end = r->log_end_offset;
            leader_caught = r->last_caught_up_timestamp;
        }
        min_end = r->log_end_offset < min_end ? r->log_end_offset : min_end;
        min_caught = r->last_caught_up_timestamp < min_caught ? r->last_caught_up_timestamp
                                                              : min_caught;
    }
    /* MaxFollowerLagTimeMs: -1 when some voter never caught up; 0 if the leader is laggiest. */
    int64_t lag_time = min_caught < 0 ? -1 : leader_caught - min_caught;
    fprintf(out, "%-24s%s\n", "ClusterId:", cluster_id);
    fprintf(out, "%-24s%d\n", "LeaderId:", p->leader_id);
    fprintf(out, "%-24s%d\n", "LeaderEpoch:", p->leader_epoch);
    fprintf(out, "%-24s%" PRId64 "\n", "HighWatermark:", p->high_watermark);
    fprintf(out, "%-24s%" PRId64 "\n", "MaxFollowerLag:", leader_end - min_end);
    fprintf(out, "%-24s%" PRId64 "\n", "MaxFollowerLagTimeMs:", lag_time);
    fprintf(out, "%-24s", "CurrentVoters:");
    print_voters(out, p, endpoints, endpoint_count);
    fprintf(out, "%-24s[", "CurrentObservers:");
    for (int i = 0; i < p->observer_count; i++) {
        fprintf(out, "%s{\"id\": %d}", i ? ", " : "", p->observers[i].replica_id);
    }
    fprintf(out, "]\n");
}

static void print_row(FILE *out, const struct describe_quorum_replica_state *r,
                      int64_t leader_end, const char *status)
{
    char fetch[24], caught[24];
    snprintf(fetch, sizeof fetch, "%" PRId64, r->last_fetch_timestamp);
    snprintf(caught, sizeof caught, "%" PRId64, r->last_caught_up_timestamp);
    int64_t lag = r->log_end_offset < 0 ? -1 : leader_end - r->log_end_offset;
    fprintf(out, "%-7d %-23s %-13" PRId64 " %-6" PRId64 " %-19s %-22s %s\n", r->replica_id,
            "AAAAAAAAAAAAAAAAAAAAAA", r->log_end_offset, lag, fetch, caught, status);
}

void describe_replication(FILE *out, const struct describe_quorum_response *resp)
{
    const struct describe_quorum_response_partition *p = partition_of(resp);
    if (p == NULL) {
        return;
    }
    int64_t leader_end = 0;
    for (int i = 0; i < p->current_voter_count; i++) {
        if (p->current_voters[i].replica_id == p->leader_id) {
            leader_end = p->current_voters[i].log_end_offset;
        }
    }
    fprintf(out, "%-7s %-23s %-13s %-6s %-19s %-22s %s\n", "NodeId", "DirectoryId",
            "LogEndOffset", "Lag", "LastFetchTimestamp", "LastCaughtUpTimestamp", "Status");
    for (int i = 0; i < p->current_voter_count; i++) {
        const struct describe_quorum_replica_state *r = &p->current_voters[i];
        print_row(out, r, leader_end, r->replica_id == p->leader_id ? "Leader" : "Follower");
    }
    for (int i = 0; i < p->observer_count; i++) {
        print_row(out, &p->observers[i], leader_end, "Observer");
    }
}

/* ---- kafka-topics.sh --describe -----------------------------------------------------------
 *
 * Sources: tools/src/main/java/org/apache/kafka/tools/TopicCommand.java
 * (TopicService.describeTopic, TopicDescription.printDescription,
 * PartitionDescription.printDescription); the admin client that feeds it (KafkaAdminClient
 * describeTopics over DescribeTopicPartitions, Config, DescribeTopicsResult.all); the broker
 * that answers (KRaftMetadataCache, PartitionRegistration).
 *
 * What is printed, and why.
 * - --topic is a regular expression in Kafka (TopicFilter.IncludeList, whole-name match); we
 *   take it as a literal name, which is the same for names without '.' or other metacharacters.
 * - TopicId: Uuid.toString, left out for the zero Uuid. PartitionCount: the partitions described.
 *   ReplicationFactor: the replica count of the lowest-numbered partition only
 *   (getReplicationFactor(sortedPartitions.get(0), ...)); the image has no reassignments, which
 *   would subtract the adding replicas. Partitions are sorted by id.
 * - Configs: the entries that are not isDefault(). We print the topic's own ConfigRecords
 *   (source TOPIC_CONFIG) as stored. Kafka would also list a topic config whose broker synonym
 *   is set, statically in server.properties or as a dynamic broker config (the quickstart's
 *   "segment.bytes=1073741824" comes from log.segment.bytes), and it prints values re-rendered
 *   by ConfigDef.convertToString ("TRUE" as "true"); neither is modelled here.
 * - Leader: the DescribeTopicPartitions answer carries the leader only when its broker is
 *   registered, and the client maps it through describeCluster's nodes, which leave fenced
 *   brokers out; a missing node prints "none". Replicas and Isr are printed unfiltered.
 * - Elr / LastKnownElr: "N/A" only for a null list, which only the Metadata-API fallback for
 *   brokers without DescribeTopicPartitions produces. A 3.9+ broker answers from a
 *   PartitionRegistration, where a record without the ELR fields gives an empty array, so a
 *   null list in our image prints as an empty one ("Elr: ").
 *
 * Order, which Kafka leaves to java.util.HashMap.
 * - Topics: TopicCommand prints allTopicNames().get().values(). The names go, sorted, into a
 *   HashMap(n) of futures, which KafkaAdminClient copies with new HashMap<>(map), and
 *   DescribeTopicsResult.all() puts the copy's entries into a HashMap(n) of descriptions. A
 *   HashMap iterates bucket by bucket and, inside a bucket, in insertion order, so the topics
 *   come by (bucket in the last map, bucket in the copy, name). The copy's table length
 *   assumes JDK 19 or later (Math.ceil(n / 0.75) sizing; Kafka's images run JDK 21); JDK 17's
 *   larger copy can order two topics that share a final bucket differently.
 * - Configs: Config keeps every entry of the topic (about 30 to 37 of them in 3.5 to 4.x;
 *   anything from 25 to 48 gives the same) in a default HashMap, whose table is then 64 long.
 *   Entries sharing a bucket (segment.bytes and retention.ms do) keep the broker's order:
 *   core/.../ConfigHelper.scala builds allConfigs as a Scala mutable.HashMap, also 64 long,
 *   whose put0 keeps each bucket sorted by the (signed) hash.
 */

#define TOPIC_CONFIG_RESOURCE 2   /* ConfigResource.Type.TOPIC */
#define CONFIG_TABLE_LENGTH 64    /* Config's HashMap after 25 to 48 entries */

/* java.util.HashMap.hash of a java.lang.String key: s[0]*31^(n-1) + ... + s[n-1], then the
 * high half folded into the low. Topic and config names are ASCII, so bytes are chars. */
static uint32_t java_hash(const char *s)
{
    uint32_t h = 0;
    for (; *s != '\0'; s++) {
        h = 31 * h + (unsigned char)*s;
    }
    return h ^ (h >> 16);
}

/* HashMap.tableSizeFor: the least power of two ≥ n, and at least 1. */
static uint32_t table_size_for(uint32_t n)
{
    uint32_t size = 1;
    while (size < n) {
        size <<= 1;
    }
    return size;
}

/* The table length of a HashMap whose table starts at `length` once `count` keys are in it:
 * it doubles whenever the count passes three quarters of the length (load factor 0.75). */
static uint32_t table_length_after(uint32_t length, uint32_t count)
{
    KS_ASSERT(length > 0);
    while (count > (uint64_t)length * 3 / 4) { /* threshold (int)(length * 0.75f) */
        length <<= 1;
    }
    KS_ASSERT((length & (length - 1)) == 0);
    return length;
}

struct topic_order {
    uint32_t bucket_last; /* bucket in DescribeTopicsResult.all()'s HashMap(n) */
    uint32_t bucket_copy; /* bucket in KafkaAdminClient's new HashMap<>(futures) */
    const struct image_topic *topic;
};

static int topic_order_compare(const void *pa, const void *pb)
{
    const struct topic_order *a = pa, *b = pb;
    if (a->bucket_last != b->bucket_last) {
        return a->bucket_last < b->bucket_last ? -1 : 1;
    }
    if (a->bucket_copy != b->bucket_copy) {
        return a->bucket_copy < b->bucket_copy ? -1 : 1;
    }
    return strcmp(a->topic->name, b->topic->name);
}

struct config_order {
    uint32_t hash;
    const struct image_config *config;
};

static int config_order_compare(const void *pa, const void *pb)
{
    const struct config_order *a = pa, *b = pb;
    uint32_t bucket_a = a->hash & (CONFIG_TABLE_LENGTH - 1);
    uint32_t bucket_b = b->hash & (CONFIG_TABLE_LENGTH - 1);
    if (bucket_a != bucket_b) {
        return bucket_a < bucket_b ? -1 : 1;
    }
    if (a->hash != b->hash) { /* Scala compares the Int hashes, signed */
        return (int32_t)a->hash < (int32_t)b->hash ? -1 : 1;
    }
    return strcmp(a->config->name, b->config->name);
}

/* "k=v,k=v" of the topic's own configs; the image keeps configs sorted by (type, resource). */
static void print_topic_configs(FILE *out, const struct metadata_image *img,
                                const struct image_topic *t)
{
    uint32_t first = 0, count = 0;
    while (first < img->config_count &&
           (img->configs[first].resource_type != TOPIC_CONFIG_RESOURCE ||
            strcmp(img->configs[first].resource_name, t->name) != 0)) {
        first++;
    }
    while (first + count < img->config_count &&
           img->configs[first + count].resource_type == TOPIC_CONFIG_RESOURCE &&
           strcmp(img->configs[first + count].resource_name, t->name) == 0) {
        count++;
    }
    if (count == 0) {
        return;
    }
    struct config_order *order = malloc(count * sizeof *order);
    KS_ASSERT(order != NULL);
    for (uint32_t i = 0; i < count; i++) {
        order[i].config = &img->configs[first + i];
        order[i].hash = java_hash(order[i].config->name);
    }
    qsort(order, count, sizeof *order, config_order_compare);
    for (uint32_t i = 0; i < count; i++) {
        fprintf(out, "%s%s=%s", i > 0 ? "," : "", order[i].config->name,
                order[i].config->value);
    }
    free(order);
}

/* Collectors.joining(",") of the ids; a null list (count -1) prints as an empty one. */
static void print_ids(FILE *out, const struct image_ints *ids)
{
    KS_ASSERT(ids->count <= 0 || ids->items != NULL);
    for (int32_t i = 0; i < ids->count; i++) {
        fprintf(out, "%s%d", i > 0 ? "," : "", ids->items[i]);
    }
}

static void print_partition(FILE *out, const struct metadata_image *img,
                            const struct image_topic *t, const struct image_partition *p,
                            bool elr_fields)
{
    const struct image_broker *leader =
        p->leader >= 0 ? metadata_image_broker(img, p->leader) : NULL;
    fprintf(out, "\tTopic: %s\tPartition: %d\tLeader: ", t->name, p->id);
    if (leader != NULL && !leader->fenced) {
        fprintf(out, "%d", p->leader);
    } else {
        fprintf(out, "none");
    }
    fprintf(out, "\tReplicas: ");
    print_ids(out, &p->replicas);
    fprintf(out, "\tIsr: ");
    print_ids(out, &p->isr);
    if (elr_fields) {
        fprintf(out, "\tElr: ");
        print_ids(out, &p->elr);
        fprintf(out, "\tLastKnownElr: ");
        print_ids(out, &p->last_known_elr);
    }
    fprintf(out, "\n");
}

static void print_topic(FILE *out, const struct metadata_image *img,
                        const struct image_topic *t, bool elr_fields)
{
    /* A committed image never holds a topic without partitions: the TopicRecord and its
     * PartitionRecords share one atomic batch. Kafka would fail on sortedPartitions.get(0). */
    KS_ASSERT(t->partition_count > 0);
    fprintf(out, "Topic: %s", t->name);
    if (t->id.hi != 0 || t->id.lo != 0) {
        char id[WIRE_UUID_TEXT_LEN + 1];
        wire_uuid_to_text(t->id, id);
        fprintf(out, "\tTopicId: %s", id);
    }
    int32_t replication_factor = t->partitions[0].replicas.count;
    fprintf(out, "\tPartitionCount: %d\tReplicationFactor: %d\tConfigs: ", t->partition_count,
            replication_factor < 0 ? 0 : replication_factor);
    print_topic_configs(out, img, t);
    fprintf(out, "\n");
    for (int32_t i = 0; i < t->partition_count; i++) {
        KS_ASSERT(i == 0 || t->partitions[i - 1].id < t->partitions[i].id);
        print_partition(out, img, t, &t->partitions[i], elr_fields);
    }
}

int describe_topics(FILE *out, const struct metadata_image *img, const char *topic,
                    bool elr_fields)
{
    KS_ASSERT(out != NULL);
    KS_ASSERT(metadata_image_check(img));
    if (topic != NULL) {
        const struct image_topic *t = metadata_image_topic(img, topic);
        if (t == NULL) {
            /* ensureTopicExists lets an empty --topic through: it matches nothing. */
            return topic[0] == '\0' ? 0 : -1;
        }
        print_topic(out, img, t, elr_fields);
        return 0;
    }
    uint32_t n = img->topic_count;
    if (n == 0) {
        return 0;
    }
    /* new HashMap<>(n) then n puts; new HashMap<>(map) sized for ceil(n / 0.75) (JDK 19+). */
    uint32_t length_last = table_length_after(table_size_for(n), n);
    uint32_t length_copy = table_length_after(table_size_for((4 * n + 2) / 3), n);
    struct topic_order *order = malloc(n * sizeof *order);
    KS_ASSERT(order != NULL);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t hash = java_hash(img->topics[i].name);
        order[i] = (struct topic_order){hash & (length_last - 1), hash & (length_copy - 1),
                                        &img->topics[i]};
    }
    qsort(order, n, sizeof *order, topic_order_compare);
    for (uint32_t i = 0; i < n; i++) {
        print_topic(out, img, order[i].topic, elr_fields);
    }
    free(order);
    return 0;
}
