/* describe.c — DescribeQuorum answers as kafka-metadata-quorum.sh prints them. */
#include "tools/describe.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "config.h"
#include "metadata/image.h"

#define RELEASE_QUORUM_TOOL 303         /* kafka-metadata-quorum.sh: 3.3 (KIP-595, KIP-836) */
#define RELEASE_BOOTSTRAP_CONTROLLER 307 /* --bootstrap-controller: 3.7 (KIP-919) */
#define RELEASE_VOTER_NODES 309          /* voters as JSON with directory ids: 3.9 (KIP-853) */
#define RELEASE_ZERO_DIRECTORY_OMITTED 401 /* 4.1: a zero directoryId is left out, not null */
#define RELEASE_TOPIC_ELR 309            /* kafka-topics.sh prints Elr and LastKnownElr */

bool describe_quorum_tool_exists(int release) { return release >= RELEASE_QUORUM_TOOL; }

bool describe_quorum_prompt(FILE *out, int release, const char *controller, const char *broker,
                            const char *what)
{
    KS_ASSERT(out != NULL && what != NULL && controller != NULL);
    if (!describe_quorum_tool_exists(release)) {
        fprintf(out, "\n(no kafka-metadata-quorum.sh in Kafka %d.%d: the tool came with 3.3)\n",
                release / 100, release % 100);
        return false;
    }
    if (release >= RELEASE_BOOTSTRAP_CONTROLLER) {
        fprintf(out, "\n$ kafka-metadata-quorum.sh --bootstrap-controller %s:9093 describe %s\n",
                controller, what);
        return true;
    }
    if (broker == NULL) {
        fprintf(out, "\n(kafka-metadata-quorum.sh in Kafka %d.%d takes only --bootstrap-server, "
                "and this cluster has no broker)\n", release / 100, release % 100);
        return false;
    }
    fprintf(out, "\n$ kafka-metadata-quorum.sh --bootstrap-server %s:9092 describe %s\n", broker,
            what);
    return true;
}

static const struct describe_quorum_response_partition *
partition_of(const struct describe_quorum_response *resp)
{
    if (resp->topic_count < 1 || resp->topics[0].partition_count < 1) {
        return NULL;
    }
    return &resp->topics[0].partitions[0];
}

static void replica_at_version(struct describe_quorum_replica_state *r, int16_t version)
{
    if (version < 1) {
        r->last_fetch_timestamp = -1;
        r->last_caught_up_timestamp = -1;
    }
    if (version < 2) {
        r->replica_directory_id = (struct kuuid){0, 0};
    }
}

int describe_quorum_at_version(struct describe_quorum_response *resp, int16_t version,
                               int endpoint_count)
{
    KS_ASSERT(resp != NULL && version >= 0 && endpoint_count >= 0);
    for (int32_t t = 0; t < resp->topic_count; t++) {
        for (int32_t k = 0; k < resp->topics[t].partition_count; k++) {
            struct describe_quorum_response_partition *p = &resp->topics[t].partitions[k];
            for (int32_t i = 0; i < p->current_voter_count; i++) {
                replica_at_version(&p->current_voters[i], version);
            }
            for (int32_t i = 0; i < p->observer_count; i++) {
                replica_at_version(&p->observers[i], version);
            }
        }
    }
    if (version < 2) {
        resp->node_count = 0;
        resp->error_message = NULL;
        return 0;
    }
    return endpoint_count;
}

/* Up to 3.8 Utils.mkString(ids, "[", "]", ","); from 3.9 printReplicaState's Node.toString. */
static void print_replicas(FILE *out, int release, const struct describe_quorum_replica_state *r,
                           int count, const struct describe_endpoint *endpoints,
                           int endpoint_count)
{
    fprintf(out, "[");
    for (int i = 0; i < count; i++) {
        int32_t id = r[i].replica_id;
        if (release < RELEASE_VOTER_NODES) {
            fprintf(out, "%s%d", i ? "," : "", id);
            continue;
        }
        fprintf(out, "%s{\"id\": %d", i ? ", " : "", id);
        bool zero = r[i].replica_directory_id.hi == 0 && r[i].replica_directory_id.lo == 0;
        if (!zero) {
            char dir[WIRE_UUID_TEXT_LEN + 1];
            wire_uuid_to_text(r[i].replica_directory_id, dir);
            fprintf(out, ", \"directoryId\": \"%s\"", dir);
        } else if (release < RELEASE_ZERO_DIRECTORY_OMITTED) {
            fprintf(out, ", \"directoryId\": null");
        }
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

void describe_status(FILE *out, int release, const char *cluster_id,
                     const struct describe_quorum_response *resp,
                     const struct describe_endpoint *endpoints, int endpoint_count)
{
    const struct describe_quorum_response_partition *p = partition_of(resp);
    if (p == NULL || !describe_quorum_tool_exists(release)) {
        return;
    }
    /* handleDescribeStatus: the leader, and maxLagFollower = Stream.min by LogEndOffset,
     * which keeps the first of equals (BinaryOperator.minBy). */
    const struct describe_quorum_replica_state *leader = NULL, *laggiest = NULL;
    for (int i = 0; i < p->current_voter_count; i++) {
        const struct describe_quorum_replica_state *r = &p->current_voters[i];
        if (r->replica_id == p->leader_id && leader == NULL) {
            leader = r;
        }
        if (laggiest == NULL || r->log_end_offset < laggiest->log_end_offset) {
            laggiest = r;
        }
    }
    if (leader == NULL || laggiest == NULL) {
        return; /* Kafka's findFirst().get() would throw: no leader among the voters */
    }
    int64_t lag_time = -1; /* an absent (-1) caught-up time on either side */
    if (leader == laggiest) {
        lag_time = 0;
    } else if (leader->last_caught_up_timestamp >= 0 && laggiest->last_caught_up_timestamp >= 0) {
        lag_time = leader->last_caught_up_timestamp - laggiest->last_caught_up_timestamp;
    }
    fprintf(out, "%-24s%s\n", "ClusterId:", cluster_id);
    fprintf(out, "%-24s%d\n", "LeaderId:", p->leader_id);
    fprintf(out, "%-24s%d\n", "LeaderEpoch:", p->leader_epoch);
    fprintf(out, "%-24s%" PRId64 "\n", "HighWatermark:", p->high_watermark);
    fprintf(out, "%-24s%" PRId64 "\n", "MaxFollowerLag:",
            leader->log_end_offset - laggiest->log_end_offset);
    fprintf(out, "%-24s%" PRId64 "\n", "MaxFollowerLagTimeMs:", lag_time);
    fprintf(out, "%-24s", "CurrentVoters:");
    print_replicas(out, release, p->current_voters, p->current_voter_count, endpoints,
                   endpoint_count);
    fprintf(out, "%-24s", "CurrentObservers:");
    print_replicas(out, release, p->observers, p->observer_count, endpoints, endpoint_count);
}

#define REPLICATION_COLUMNS 7

struct replication_row {
    char cell[REPLICATION_COLUMNS][32];
};

/* quorumInfoToRows: an absent (-1) timestamp prints as "-1". */
static void fill_row(struct replication_row *row, const struct describe_quorum_replica_state *r,
                     int64_t leader_end, const char *status)
{
    char dir[WIRE_UUID_TEXT_LEN + 1];
    wire_uuid_to_text(r->replica_directory_id, dir);
    snprintf(row->cell[0], sizeof row->cell[0], "%d", r->replica_id);
    snprintf(row->cell[1], sizeof row->cell[1], "%s", dir);
    snprintf(row->cell[2], sizeof row->cell[2], "%" PRId64, r->log_end_offset);
    snprintf(row->cell[3], sizeof row->cell[3], "%" PRId64, leader_end - r->log_end_offset);
    snprintf(row->cell[4], sizeof row->cell[4], "%" PRId64,
             r->last_fetch_timestamp < 0 ? -1 : r->last_fetch_timestamp);
    snprintf(row->cell[5], sizeof row->cell[5], "%" PRId64,
             r->last_caught_up_timestamp < 0 ? -1 : r->last_caught_up_timestamp);
    snprintf(row->cell[6], sizeof row->cell[6], "%s", status);
}

/* ToolsUtils.prettyPrintTable: every cell padded to its column's widest, then a tab. */
static void print_table(FILE *out, const struct replication_row *rows, int count,
                        bool directory_column)
{
    size_t width[REPLICATION_COLUMNS] = {0};
    for (int i = 0; i < count; i++) {
        for (int c = 0; c < REPLICATION_COLUMNS; c++) {
            size_t n = strlen(rows[i].cell[c]);
            width[c] = n > width[c] ? n : width[c];
        }
    }
    for (int i = 0; i < count; i++) {
        for (int c = 0; c < REPLICATION_COLUMNS; c++) {
            if (c != 1 || directory_column) {
                fprintf(out, "%-*s\t", (int)width[c], rows[i].cell[c]);
            }
        }
        fprintf(out, "\n");
    }
}

void describe_replication(FILE *out, int release, const struct describe_quorum_response *resp)
{
    const struct describe_quorum_response_partition *p = partition_of(resp);
    if (p == NULL || !describe_quorum_tool_exists(release)) {
        return;
    }
    const struct describe_quorum_replica_state *leader = NULL;
    for (int i = 0; i < p->current_voter_count; i++) {
        if (p->current_voters[i].replica_id == p->leader_id) {
            leader = &p->current_voters[i];
        }
    }
    if (leader == NULL) {
        return;
    }
    int count = 1 + p->current_voter_count + p->observer_count;
    struct replication_row *rows = calloc((size_t)count, sizeof *rows);
    KS_ASSERT(rows != NULL);
    static const char *const header[REPLICATION_COLUMNS] = {
        "NodeId", "DirectoryId", "LogEndOffset", "Lag", "LastFetchTimestamp",
        "LastCaughtUpTimestamp", "Status"};
    for (int c = 0; c < REPLICATION_COLUMNS; c++) {
        snprintf(rows[0].cell[c], sizeof rows[0].cell[c], "%s", header[c]);
    }
    int n = 1;
    fill_row(&rows[n++], leader, leader->log_end_offset, "Leader");
    for (int i = 0; i < p->current_voter_count; i++) {
        if (&p->current_voters[i] != leader) {
            fill_row(&rows[n++], &p->current_voters[i], leader->log_end_offset, "Follower");
        }
    }
    for (int i = 0; i < p->observer_count; i++) {
        fill_row(&rows[n++], &p->observers[i], leader->log_end_offset, "Observer");
    }
    KS_ASSERT(n == count);
    print_table(out, rows, n, release >= RELEASE_VOTER_NODES);
    free(rows);
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
 * - Configs: the entries that are not isDefault() (print_topic_configs): the topic's own
 *   ConfigRecords and the topic configs whose broker synonym server.properties sets (the
 *   quickstart's "segment.bytes=1073741824" comes from log.segment.bytes). Dynamic broker
 *   configs are not modelled, and values print as written, where Kafka re-renders them with
 *   ConfigDef.convertToString ("TRUE" as "true").
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
    const char *name;
    const char *value;
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
    return strcmp(a->name, b->name);
}

/* ServerTopicConfigSynonyms.TOPIC_CONFIG_SYNONYMS (trunk d79bd502ec; the same pairs as 3.x's
 * LogConfig.TopicConfigSynonyms for the keys kraftsim knows): topic config, first broker
 * synonym. */
static const char *const topic_config_synonyms[][2] = {
    {"segment.bytes", "log.segment.bytes"},
    {"segment.ms", "log.roll.ms"},
    {"segment.jitter.ms", "log.roll.jitter.ms"},
    {"segment.index.bytes", "log.index.size.max.bytes"},
    {"flush.messages", "log.flush.interval.messages"},
    {"flush.ms", "log.flush.interval.ms"},
    {"retention.bytes", "log.retention.bytes"},
    {"retention.ms", "log.retention.ms"},
    {"max.message.bytes", "message.max.bytes"},
    {"index.interval.bytes", "log.index.interval.bytes"},
    {"delete.retention.ms", "log.cleaner.delete.retention.ms"},
    {"min.compaction.lag.ms", "log.cleaner.min.compaction.lag.ms"},
    {"max.compaction.lag.ms", "log.cleaner.max.compaction.lag.ms"},
    {"file.delete.delay.ms", "log.segment.delete.delay.ms"},
    {"min.cleanable.dirty.ratio", "log.cleaner.min.cleanable.ratio"},
    {"cleanup.policy", "log.cleanup.policy"},
    {"unclean.leader.election.enable", "unclean.leader.election.enable"},
    {"min.insync.replicas", "min.insync.replicas"},
    {"compression.type", "compression.type"},
    {"preallocate", "log.preallocate"},
    {"message.timestamp.type", "log.message.timestamp.type"},
};

#define SYNONYM_COUNT (sizeof topic_config_synonyms / sizeof topic_config_synonyms[0])

int describe_static_topic_configs(const struct kafka_config *k, struct describe_config *out,
                                  int cap)
{
    KS_ASSERT(k != NULL && (out != NULL || cap == 0));
    int n = 0;
    for (size_t i = 0; i < SYNONYM_COUNT && n < cap; i++) {
        const struct config_property *p =
            config_properties_find(&k->source, topic_config_synonyms[i][1]);
        if (p != NULL) {
            out[n++] = (struct describe_config){topic_config_synonyms[i][0],
                                                config_property_value(&k->source, p)};
        }
    }
    return n;
}

/*
 * "k=v,k=v": the entries of the topic's Config that are not isDefault(). ConfigHelper.
 * createTopicConfigEntry gives a topic config source TOPIC_CONFIG when the topic sets it, else
 * that of its first broker synonym (configSynonyms drops the others: dropWhile(name !=
 * synonym)), and STATIC_BROKER_CONFIG is not the default: min.insync.replicas=2 in
 * server.properties shows on every topic, the topic's own value winning. The image keeps
 * configs sorted by (type, resource).
 */
static void print_topic_configs(FILE *out, const struct describe_tool *tool,
                                const struct metadata_image *img, const struct image_topic *t)
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
    uint32_t cap = count + (uint32_t)tool->broker_config_count;
    if (cap == 0) {
        return;
    }
    struct config_order *order = malloc(cap * sizeof *order);
    KS_ASSERT(order != NULL);
    uint32_t n = 0;
    for (uint32_t i = 0; i < count; i++) {
        const struct image_config *c = &img->configs[first + i];
        order[n++] = (struct config_order){java_hash(c->name), c->name, c->value};
    }
    for (int i = 0; i < tool->broker_config_count; i++) {
        const struct describe_config *b = &tool->broker_configs[i];
        bool topic_sets = false;
        for (uint32_t k = 0; k < count; k++) {
            topic_sets |= strcmp(img->configs[first + k].name, b->name) == 0;
        }
        if (!topic_sets) {
            order[n++] = (struct config_order){java_hash(b->name), b->name, b->value};
        }
    }
    qsort(order, n, sizeof *order, config_order_compare);
    for (uint32_t i = 0; i < n; i++) {
        fprintf(out, "%s%s=%s", i > 0 ? "," : "", order[i].name, order[i].value);
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

static void print_topic(FILE *out, const struct describe_tool *tool,
                        const struct metadata_image *img, const struct image_topic *t)
{
    bool elr_fields = tool->release >= RELEASE_TOPIC_ELR;
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
    print_topic_configs(out, tool, img, t);
    fprintf(out, "\n");
    for (int32_t i = 0; i < t->partition_count; i++) {
        KS_ASSERT(i == 0 || t->partitions[i - 1].id < t->partitions[i].id);
        print_partition(out, img, t, &t->partitions[i], elr_fields);
    }
}

int describe_topics(FILE *out, const struct describe_tool *tool,
                    const struct metadata_image *img, const char *topic)
{
    KS_ASSERT(out != NULL && tool != NULL);
    KS_ASSERT(tool->broker_config_count >= 0);
    KS_ASSERT(metadata_image_check(img));
    if (topic != NULL) {
        const struct image_topic *t = metadata_image_topic(img, topic);
        if (t == NULL) {
            /* ensureTopicExists lets an empty --topic through: it matches nothing. */
            return topic[0] == '\0' ? 0 : -1;
        }
        print_topic(out, tool, img, t);
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
        print_topic(out, tool, img, order[i].topic);
    }
    free(order);
    return 0;
}
