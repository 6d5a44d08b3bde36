/* client_config.c — the producer and consumer key tables and the one walker that parses them. */
#include "workload/client_config.h"

#include <inttypes.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "env.h"

/*
 * Sources. Each release's facts are read at the tag release.h names for it (3.1 is 3.1.0, 3.9 is
 * 3.9.0-rc3) or the branch (4.0, 4.1), trunk at d79bd502ec; files under
 * clients/src/main/java/org/apache/kafka/clients/. "P" is producer/ProducerConfig.java, "C"
 * consumer/ConsumerConfig.java, "K" producer/KafkaProducer.java; numbers are the .define lines.
 *
 *   key                      2.4.1 3.1.0 3.4.0 3.5.0 3.7.0 3.9.0 4.0 4.1 trunk default
 *   acks                  P  263   308   350   351   358   374   377 383 430   1 -> all (3.0)
 *   enable.idempotence    P  359   420   471   472   496   515   513 519 574   false -> true
 *   linger.ms             P  271   316   361   362   369   388   391 397 445   0 -> 5 (4.0)
 *   partitioner.class     P  337   398   448   449   472   491   489 495 550   Default.. -> null
 *   retry.backoff.max.ms  P  -     -     -     -     388   407   410 416 465   1000 (3.7+)
 *   session.timeout.ms    C  299   355   365   369   405   409   422 440 467   10000 -> 45000
 *   partition.assignment. C  309   365   375   379   415   419   432 450 477   Range -> Range,
 *     strategy                                                                CooperativeSticky
 *   group.protocol        C  -     -     -     -     631   635   643 661 684   classic (3.7+)
 * Every other key keeps one default across these releases (the rows below give it; 2.4.1 P:262
 * retries, 272 delivery.timeout.ms, 291 request.timeout.ms, 270 batch.size, 317 max.in.flight,
 * 284 retry.backoff.ms, 297 metadata.max.age.ms, 285 max.block.ms, 261 buffer.memory, 269
 * compression.type; C:304 heartbeat, 469 max.poll.interval, 396 auto.offset.reset, 321/326 auto
 * commit, 484 isolation.level, 360/372/366/342 fetch sizes and wait, 463 max.poll.records;
 * trunk P:429 .. 494 and C:460 .. 673 for the same keys). CommonClientConfigs.java holds
 * DEFAULT_RETRY_BACKOFF_MS = 100 and DEFAULT_RETRY_BACKOFF_MAX_MS = 1000 from 3.7 (trunk :110,
 * :117). The partitioner.* keys of KIP-794 arrived in 3.3 (3.4.0 P:358-360).
 *
 * Parsing follows common/config/ConfigDef.java: parseType trims the text (String.trim), then
 * Integer.parseInt / Long.parseLong ("Not a number of type INT"), equalsIgnoreCase for booleans,
 * then the validator: Range ("Value must be at least 0"), ValidString (case-sensitive, "String
 * must be one of: all, -1, 0, 1"), CaseInsensitiveValidString. Messages are ConfigException's
 * "Invalid value <v> for configuration <key>: <why>", where <v> is the text as given for a
 * parse error and the parsed value for a validator's.
 */

#define OFF(member) offsetof(struct client_config, member)
#define INT32_RANGE INT32_MIN, INT32_MAX
#define INT64_RANGE INT64_MIN, INT64_MAX
#define AT_LEAST_INT(n) (n), INT32_MAX
#define AT_LEAST_LONG(n) (n), INT64_MAX

/* Every enum member is stored through an int: they must be one. */
_Static_assert(sizeof(enum client_acks) == sizeof(int), "enum size");
_Static_assert(sizeof(enum client_compression) == sizeof(int), "enum size");
_Static_assert(sizeof(enum client_partitioner) == sizeof(int), "enum size");
_Static_assert(sizeof(enum client_offset_reset) == sizeof(int), "enum size");
_Static_assert(sizeof(enum client_isolation) == sizeof(int), "enum size");
_Static_assert(sizeof(enum client_group_protocol) == sizeof(int), "enum size");

#define FAIL(err, code, ...) (text_printf((err), __VA_ARGS__), (code))

/* A value longer than this is refused before parsing (no Kafka value of these keys is near). */
#define VALUE_BYTES 1024

const char *client_kind_name(enum client_kind kind)
{
    return kind == CLIENT_PRODUCER ? "producer" : "consumer";
}

/* ---------------------------------------------------------------------------------------- */
/* Allowed values                                                                           */

static const char no_compression[] = "kraftsim's producer writes uncompressed record batches";
static const char two_assignors[] = "kraftsim's consumers assign with the range or the "
                                    "cooperative-sticky assignor";

/* in("all", "-1", "0", "1"): all and -1 are one value (parseAcks). */
static const struct client_choice acks_choices[] = {
    {"all", CLIENT_ACKS_ALL, 0, 0, NULL},
    {"-1", CLIENT_ACKS_ALL, 0, 0, NULL},
    {"0", CLIENT_ACKS_NONE, 0, 0, NULL},
    {"1", CLIENT_ACKS_LEADER, 0, 0, NULL},
    {NULL, 0, 0, 0, NULL}};

/* CompressionType, in enum order (Utils.enumOptions). */
static const struct client_choice compression_choices[] = {
    {"none", CLIENT_COMPRESSION_NONE, 0, 0, NULL},
    {"gzip", CLIENT_COMPRESSION_GZIP, 0, 0, no_compression},
    {"snappy", CLIENT_COMPRESSION_SNAPPY, 0, 0, no_compression},
    {"lz4", CLIENT_COMPRESSION_LZ4, 0, 0, no_compression},
    {"zstd", CLIENT_COMPRESSION_ZSTD, 0, 0, no_compression},
    {NULL, 0, 0, 0, NULL}};

/* The partitioners the client ships; 4.0 removed the two deprecated in 3.3 (KIP-794). The
 * built-in partitioner has no class: it is partitioner.class=null. */
static const struct client_choice partitioner_choices[] = {
    {"org.apache.kafka.clients.producer.internals.DefaultPartitioner", CLIENT_PARTITIONER_DEFAULT,
     0, 400, NULL},
    {"org.apache.kafka.clients.producer.UniformStickyPartitioner",
     CLIENT_PARTITIONER_UNIFORM_STICKY, 0, 400, NULL},
    {"org.apache.kafka.clients.producer.RoundRobinPartitioner", CLIENT_PARTITIONER_ROUND_ROBIN, 0,
     0, NULL},
    {NULL, 0, 0, 0, NULL}};

/* in("latest", "earliest", "none") to 3.9; 4.0's AutoOffsetResetStrategy adds by_duration:. */
static const struct client_choice offset_reset_choices[] = {
    {"latest", CLIENT_OFFSET_RESET_LATEST, 0, 0, NULL},
    {"earliest", CLIENT_OFFSET_RESET_EARLIEST, 0, 0, NULL},
    {"none", CLIENT_OFFSET_RESET_NONE, 0, 0, NULL},
    {NULL, 0, 0, 0, NULL}};

/* in(READ_COMMITTED, READ_UNCOMMITTED), lower-cased. */
static const struct client_choice isolation_choices[] = {
    {"read_committed", CLIENT_READ_COMMITTED, 0, 0, NULL},
    {"read_uncommitted", CLIENT_READ_UNCOMMITTED, 0, 0, NULL},
    {NULL, 0, 0, 0, NULL}};

/* GroupProtocol (3.7+), CaseInsensitiveValidString. */
static const struct client_choice group_protocol_choices[] = {
    {"classic", CLIENT_GROUP_PROTOCOL_CLASSIC, 0, 0, NULL},
    {"consumer", CLIENT_GROUP_PROTOCOL_CONSUMER, 0, 0,
     "kraftsim's consumers and group coordinator speak the classic protocol (JoinGroup, "
     "SyncGroup, Heartbeat), not KIP-848's ConsumerGroupHeartbeat"},
    {NULL, 0, 0, 0, NULL}};

/* The assignors in every modelled release (o.a.k.clients.consumer). */
static const struct client_choice assignor_choices[] = {
    {"org.apache.kafka.clients.consumer.RangeAssignor", CLIENT_ASSIGNOR_RANGE, 0, 0, NULL},
    {"org.apache.kafka.clients.consumer.RoundRobinAssignor", CLIENT_ASSIGNOR_ROUND_ROBIN, 0, 0,
     two_assignors},
    {"org.apache.kafka.clients.consumer.StickyAssignor", CLIENT_ASSIGNOR_STICKY, 0, 0,
     two_assignors},
    {"org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
     CLIENT_ASSIGNOR_COOPERATIVE_STICKY, 0, 0, NULL},
    {NULL, 0, 0, 0, NULL}};

/* ConsumerPartitionAssignor.name() of each assignor: Kafka's duplicate-name message and the
 * JoinGroup protocol names. */
static const char *const assignor_names[] = {"range", "roundrobin", "sticky",
                                             "cooperative-sticky"};

const char *client_assignor_name(enum client_assignor a)
{
    KS_ASSERT(a >= 0 && (size_t)a < sizeof assignor_names / sizeof assignor_names[0]);
    return assignor_names[a];
}

static int parse_compression(struct client_config *cfg, const struct client_config_key *k,
                             const char *value, struct text *err);
static int parse_assignors(struct client_config *cfg, const struct client_config_key *k,
                           const char *value, struct text *err);
static int parse_offset_reset(struct client_config *cfg, const struct client_config_key *k,
                              const char *value, struct text *err);
static int parse_group_instance_id(struct client_config *cfg, const struct client_config_key *k,
                                   const char *value, struct text *err);

/* ---------------------------------------------------------------------------------------- */
/* The tables                                                                               */

static const struct client_config_key producer_keys[] = {
    {.name = "acks", .type = CLIENT_VALUE_ENUM, .kafka_type = "STRING", .offset = OFF(acks),
     .choices = acks_choices, .default_text = "all", .changed_in = 300, .older_default = "1",
     .doc = "0: no response; 1: the leader's append; all: the whole ISR (min.insync.replicas)"},
    {.name = "retries", .type = CLIENT_VALUE_INT, .kafka_type = "INT", .offset = OFF(retries),
     .min = 0, .max = INT32_MAX, .default_text = "2147483647",
     .doc = "resends of a failed batch, within delivery.timeout.ms"},
    {.name = "delivery.timeout.ms", .type = CLIENT_VALUE_INT, .kafka_type = "INT",
     .offset = OFF(delivery_timeout_ms), AT_LEAST_INT(0), .default_text = "120000",
     .doc = "from send() to the batch's final failure, retries included"},
    {.name = "request.timeout.ms", .type = CLIENT_VALUE_INT, .kafka_type = "INT",
     .offset = OFF(request_timeout_ms), AT_LEAST_INT(0), .default_text = "30000",
     .doc = "how long one ProduceRequest may go unanswered"},
    {.name = "linger.ms", .type = CLIENT_VALUE_LONG, .kafka_type = "LONG",
     .offset = OFF(linger_ms), AT_LEAST_LONG(0), .default_text = "5", .changed_in = 400,
     .older_default = "0", .doc = "how long a batch waits for more records (KIP-1030: 5 in 4.0)"},
    {.name = "batch.size", .type = CLIENT_VALUE_INT, .kafka_type = "INT",
     .offset = OFF(batch_size), AT_LEAST_INT(0), .default_text = "16384",
     .doc = "bytes per partition batch"},
    {.name = "max.in.flight.requests.per.connection", .type = CLIENT_VALUE_INT,
     .kafka_type = "INT", .offset = OFF(max_in_flight_requests_per_connection), AT_LEAST_INT(1),
     .default_text = "5", .doc = "unanswered ProduceRequests per broker"},
    {.name = "enable.idempotence", .type = CLIENT_VALUE_BOOLEAN, .kafka_type = "BOOLEAN",
     .offset = OFF(enable_idempotence), .default_text = "true", .changed_in = 300,
     .older_default = "false", .doc = "producer id and sequence numbers (see finish's rules)"},
    {.name = "retry.backoff.ms", .type = CLIENT_VALUE_LONG, .kafka_type = "LONG",
     .offset = OFF(retry_backoff_ms), AT_LEAST_LONG(0), .default_text = "100",
     .doc = "wait before a retry (the first, from 3.7)"},
    {.name = "retry.backoff.max.ms", .type = CLIENT_VALUE_LONG, .kafka_type = "LONG",
     .offset = OFF(retry_backoff_max_ms), AT_LEAST_LONG(0), .default_text = "1000",
     .since = 307, .doc = "cap of the exponential retry backoff (KIP-580)"},
    {.name = "metadata.max.age.ms", .type = CLIENT_VALUE_LONG, .kafka_type = "LONG",
     .offset = OFF(metadata_max_age_ms), AT_LEAST_LONG(0), .default_text = "300000",
     .doc = "metadata refresh even without an error"},
    {.name = "max.block.ms", .type = CLIENT_VALUE_LONG, .kafka_type = "LONG",
     .offset = OFF(max_block_ms), AT_LEAST_LONG(0), .default_text = "60000",
     .doc = "how long send() waits for metadata or buffer space"},
    {.name = "buffer.memory", .type = CLIENT_VALUE_LONG, .kafka_type = "LONG",
     .offset = OFF(buffer_memory), AT_LEAST_LONG(0), .default_text = "33554432",
     .doc = "bytes of unsent records before send() blocks"},
    {.name = "compression.type", .type = CLIENT_VALUE_ENUM, .kafka_type = "STRING",
     .offset = OFF(compression_type), .choices = compression_choices, .default_text = "none",
     .parse = parse_compression, .doc = "record batch codec"},
    {.name = "partitioner.class", .type = CLIENT_VALUE_CLASS, .kafka_type = "CLASS",
     .offset = OFF(partitioner_class), .choices = partitioner_choices, .default_text = NULL,
     .changed_in = 303,
     .older_default = "org.apache.kafka.clients.producer.internals.DefaultPartitioner",
     .doc = "which partition a record goes to (enum client_partitioner)"},
    {.name = "partitioner.ignore.keys", .type = CLIENT_VALUE_BOOLEAN, .kafka_type = "BOOLEAN",
     .offset = OFF(partitioner_ignore_keys), .default_text = "false", .since = 303,
     .doc = "built-in partitioner: treat keyed records as unkeyed"},
    {.name = "partitioner.adaptive.partitioning.enable", .type = CLIENT_VALUE_BOOLEAN,
     .kafka_type = "BOOLEAN", .offset = OFF(partitioner_adaptive_partitioning_enable),
     .default_text = "true", .since = 303,
     .doc = "built-in partitioner: send fewer unkeyed records to slow brokers"},
    {.name = "partitioner.availability.timeout.ms", .type = CLIENT_VALUE_LONG,
     .kafka_type = "LONG", .offset = OFF(partitioner_availability_timeout_ms),
     AT_LEAST_LONG(0), .default_text = "0", .since = 303,
     .doc = "built-in partitioner: skip a broker this long without progress (0: never)"},
    {.name = "transactional.id", .type = CLIENT_VALUE_STRING, .kafka_type = "STRING",
     .offset = OFF(transactional_id), .default_text = NULL,
     .unmodelled = "kraftsim's producers have no transactions (no AddPartitionsToTxn, EndTxn "
                   "or markers); leave it unset for an idempotent producer",
     .doc = "refused"},
};

static const struct client_config_key consumer_keys[] = {
    {.name = "group.id", .type = CLIENT_VALUE_STRING, .kafka_type = "STRING",
     .offset = OFF(group_id), .default_text = NULL,
     .doc = "the consumer group; null: no group, no commits"},
    {.name = "group.instance.id", .type = CLIENT_VALUE_STRING, .kafka_type = "STRING",
     .offset = OFF(group_instance_id), .default_text = NULL, .parse = parse_group_instance_id,
     .doc = "static membership (KIP-345)"},
    {.name = "session.timeout.ms", .type = CLIENT_VALUE_INT, .kafka_type = "INT",
     .offset = OFF(session_timeout_ms), INT32_RANGE, .default_text = "45000",
     .changed_in = 300, .older_default = "10000",
     .doc = "the coordinator drops a member silent this long (KIP-735: 45000 in 3.0)"},
    {.name = "heartbeat.interval.ms", .type = CLIENT_VALUE_INT, .kafka_type = "INT",
     .offset = OFF(heartbeat_interval_ms), AT_LEAST_INT(1), .min_kraftsim = true,
     .default_text = "3000", .doc = "Heartbeat period"},
    {.name = "max.poll.interval.ms", .type = CLIENT_VALUE_INT, .kafka_type = "INT",
     .offset = OFF(max_poll_interval_ms), AT_LEAST_INT(1), .default_text = "300000",
     .doc = "the member leaves the group if poll() is not called for this long"},
    {.name = "auto.offset.reset", .type = CLIENT_VALUE_ENUM, .kafka_type = "STRING",
     .offset = OFF(auto_offset_reset), .choices = offset_reset_choices, .default_text = "latest",
     .parse = parse_offset_reset, .doc = "where to start without a committed offset"},
    {.name = "enable.auto.commit", .type = CLIENT_VALUE_BOOLEAN, .kafka_type = "BOOLEAN",
     .offset = OFF(enable_auto_commit), .default_text = "true",
     .doc = "commit the polled position every auto.commit.interval.ms"},
    {.name = "auto.commit.interval.ms", .type = CLIENT_VALUE_INT, .kafka_type = "INT",
     .offset = OFF(auto_commit_interval_ms), AT_LEAST_INT(0), .default_text = "5000",
     .doc = "auto-commit period"},
    {.name = "isolation.level", .type = CLIENT_VALUE_ENUM, .kafka_type = "STRING",
     .offset = OFF(isolation_level), .choices = isolation_choices,
     .default_text = "read_uncommitted",
     .doc = "read to the LSO or the high watermark (the same without transactions)"},
    {.name = "fetch.min.bytes", .type = CLIENT_VALUE_INT, .kafka_type = "INT",
     .offset = OFF(fetch_min_bytes), AT_LEAST_INT(0), .default_text = "1",
     .doc = "bytes a Fetch waits for"},
    {.name = "fetch.max.wait.ms", .type = CLIENT_VALUE_INT, .kafka_type = "INT",
     .offset = OFF(fetch_max_wait_ms), AT_LEAST_INT(0), .default_text = "500",
     .doc = "how long a Fetch waits for fetch.min.bytes"},
    {.name = "fetch.max.bytes", .type = CLIENT_VALUE_INT, .kafka_type = "INT",
     .offset = OFF(fetch_max_bytes), AT_LEAST_INT(0), .default_text = "52428800",
     .doc = "bytes per Fetch response"},
    {.name = "max.partition.fetch.bytes", .type = CLIENT_VALUE_INT, .kafka_type = "INT",
     .offset = OFF(max_partition_fetch_bytes), AT_LEAST_INT(0), .default_text = "1048576",
     .doc = "bytes per partition in a Fetch response"},
    {.name = "max.poll.records", .type = CLIENT_VALUE_INT, .kafka_type = "INT",
     .offset = OFF(max_poll_records), AT_LEAST_INT(1), .default_text = "500",
     .doc = "records one poll() returns"},
    {.name = "partition.assignment.strategy", .type = CLIENT_VALUE_CLASS_LIST,
     .kafka_type = "LIST", .offset = OFF(partition_assignment_strategy),
     .choices = assignor_choices,
     .default_text = "org.apache.kafka.clients.consumer.RangeAssignor,"
                     "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
     .changed_in = 300, .older_default = "org.apache.kafka.clients.consumer.RangeAssignor",
     .parse = parse_assignors, .doc = "assignors in preference order (classic protocol)"},
    {.name = "group.protocol", .type = CLIENT_VALUE_ENUM, .kafka_type = "STRING",
     .offset = OFF(group_protocol), .case_insensitive = true, .choices = group_protocol_choices,
     .default_text = "classic", .since = 307, .doc = "classic (modelled) or consumer (KIP-848)"},
    {.name = "request.timeout.ms", .type = CLIENT_VALUE_INT, .kafka_type = "INT",
     .offset = OFF(request_timeout_ms), AT_LEAST_INT(0), .default_text = "30000",
     .doc = "how long one request may go unanswered"},
    {.name = "default.api.timeout.ms", .type = CLIENT_VALUE_INT, .kafka_type = "INT",
     .offset = OFF(default_api_timeout_ms), AT_LEAST_INT(0), .default_text = "60000",
     .doc = "bound of blocking calls (commitSync, position)"},
    {.name = "retry.backoff.ms", .type = CLIENT_VALUE_LONG, .kafka_type = "LONG",
     .offset = OFF(retry_backoff_ms), AT_LEAST_LONG(0), .default_text = "100",
     .doc = "wait before a retried request"},
    {.name = "retry.backoff.max.ms", .type = CLIENT_VALUE_LONG, .kafka_type = "LONG",
     .offset = OFF(retry_backoff_max_ms), AT_LEAST_LONG(0), .default_text = "1000",
     .since = 307, .doc = "cap of the exponential retry backoff (KIP-580)"},
    {.name = "metadata.max.age.ms", .type = CLIENT_VALUE_LONG, .kafka_type = "LONG",
     .offset = OFF(metadata_max_age_ms), AT_LEAST_LONG(0), .default_text = "300000",
     .doc = "metadata refresh even without an error"},
};

#define PRODUCER_KEY_COUNT (sizeof producer_keys / sizeof producer_keys[0])
#define CONSUMER_KEY_COUNT (sizeof consumer_keys / sizeof consumer_keys[0])
_Static_assert(PRODUCER_KEY_COUNT <= 64 && CONSUMER_KEY_COUNT <= 64, "set is a 64-bit mask");

const struct client_config_key *client_config_keys(enum client_kind kind, size_t *count)
{
    *count = kind == CLIENT_PRODUCER ? PRODUCER_KEY_COUNT : CONSUMER_KEY_COUNT;
    return kind == CLIENT_PRODUCER ? producer_keys : consumer_keys;
}

const struct client_config_key *client_config_key_find(enum client_kind kind, const char *name)
{
    size_t count;
    const struct client_config_key *keys = client_config_keys(kind, &count);
    for (size_t i = 0; i < count; i++) {
        if (strcmp(keys[i].name, name) == 0) {
            return &keys[i];
        }
    }
    return NULL;
}

bool client_config_key_in(const struct client_config_key *k, const struct kafka_release *release)
{
    return k->since <= release->number;
}

const char *client_config_key_default(const struct client_config_key *k,
                                      const struct kafka_release *release)
{
    return k->changed_in != 0 && release->number < k->changed_in ? k->older_default
                                                                  : k->default_text;
}

static size_t key_index(const struct client_config *cfg, const struct client_config_key *k)
{
    size_t count;
    const struct client_config_key *keys = client_config_keys(cfg->kind, &count);
    KS_ASSERT(k >= keys && k < keys + count);
    return (size_t)(k - keys);
}

static bool choice_in(const struct client_choice *c, const struct kafka_release *release)
{
    return c->since <= release->number && (c->until == 0 || release->number < c->until);
}

/* ---------------------------------------------------------------------------------------- */
/* Text                                                                                     */

/* Java's String.trim: strips every char <= ' ' at both ends. False if it does not fit. */
static bool copy_trimmed(char *out, size_t cap, const char *text)
{
    while (*text != '\0' && (unsigned char)*text <= ' ') {
        text++;
    }
    size_t len = strlen(text);
    while (len > 0 && (unsigned char)text[len - 1] <= ' ') {
        len--;
    }
    if (len >= cap) {
        return false;
    }
    memcpy(out, text, len);
    out[len] = '\0';
    return true;
}

/* The known key of the release nearest to `name` (the first in table order on a tie). */
static const char *nearest_key(enum client_kind kind, const struct kafka_release *release,
                               const char *name)
{
    size_t count;
    const struct client_config_key *keys = client_config_keys(kind, &count);
    const char *best = NULL;
    size_t best_distance = SIZE_MAX;
    for (size_t i = 0; i < count; i++) {
        size_t d = text_edit_distance(name, keys[i].name);
        if (client_config_key_in(&keys[i], release) && (best == NULL || d < best_distance)) {
            best = keys[i].name;
            best_distance = d;
        }
    }
    return best;
}

/* ", "-separated texts of the release's choices, upper-cased for a case-insensitive key. */
static void print_choices(struct text *out, const struct client_config_key *k,
                          const struct kafka_release *release)
{
    const char *sep = "";
    for (const struct client_choice *c = k->choices; c->text != NULL; c++) {
        if (!choice_in(c, release)) {
            continue;
        }
        text_printf(out, "%s", sep);
        for (const char *p = c->text; *p != '\0'; p++) {
            char ch = *p;
            text_printf(out, "%c", k->case_insensitive && ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
        }
        sep = ", ";
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Parsing one value                                                                        */

static void *member(struct client_config *cfg, const struct client_config_key *k)
{
    return (char *)cfg + k->offset;
}

static const void *member_const(const struct client_config *cfg,
                                const struct client_config_key *k)
{
    return (const char *)cfg + k->offset;
}

static void store_int(struct client_config *cfg, const struct client_config_key *k, int value)
{
    memcpy(member(cfg, k), &value, sizeof value);
}

static int load_int(const struct client_config *cfg, const struct client_config_key *k)
{
    int value;
    memcpy(&value, member_const(cfg, k), sizeof value);
    return value;
}

/* The release's choice spelled `text` (case-insensitively for such keys), or NULL. */
static const struct client_choice *find_choice(const struct client_config_key *k,
                                               const struct kafka_release *release,
                                               const char *text)
{
    for (const struct client_choice *c = k->choices; c->text != NULL; c++) {
        bool same = k->case_insensitive ? strcasecmp(c->text, text) == 0
                                        : strcmp(c->text, text) == 0;
        if (same && choice_in(c, release)) {
            return c;
        }
    }
    return NULL;
}

static int refuse_unmodelled(const struct client_config_key *k, const struct client_choice *c,
                             struct text *err)
{
    return FAIL(err, CLIENT_CONFIG_EUNMODELLED, "%s=%s is not modelled yet: %s", k->name,
                c->text, c->unmodelled);
}

/* Stores a known choice, or refuses it if kraftsim does not simulate it. */
static int store_choice(struct client_config *cfg, const struct client_config_key *k,
                        const struct client_choice *c, struct text *err)
{
    if (c->unmodelled != NULL) {
        return refuse_unmodelled(k, c, err);
    }
    store_int(cfg, k, c->value);
    return CLIENT_CONFIG_OK;
}

/* ValidString / CaseInsensitiveValidString. */
static int parse_enum(struct client_config *cfg, const struct client_config_key *k,
                      const char *raw, const char *trimmed, struct text *err)
{
    const struct client_choice *c = find_choice(k, cfg->release, trimmed);
    if (c == NULL) {
        text_printf(err, "Invalid value %s for configuration %s: String must be one of%s: ",
                    trimmed, k->name, k->case_insensitive ? " (case insensitive)" : "");
        print_choices(err, k, cfg->release);
        return CLIENT_CONFIG_EVALUE;
    }
    return store_choice(cfg, k, c, err);
}

/* ConfigDef CLASS: Utils.loadClass(trimmed), "Class X could not be found." otherwise. */
static int parse_class(struct client_config *cfg, const struct client_config_key *k,
                       const char *raw, const char *trimmed, struct text *err)
{
    const struct client_choice *c = find_choice(k, cfg->release, trimmed);
    if (c == NULL) {
        text_printf(err, "Invalid value %s for configuration %s: Class %s could not be found. "
                    "(known here: ", raw, k->name, raw);
        print_choices(err, k, cfg->release);
        text_printf(err, ")");
        return CLIENT_CONFIG_EVALUE;
    }
    return store_choice(cfg, k, c, err);
}

static int parse_string(struct client_config *cfg, const struct client_config_key *k,
                        const char *trimmed, struct text *err)
{
    struct client_name *name = member(cfg, k);
    size_t len = strlen(trimmed);
    if (len >= sizeof name->text) {
        return FAIL(err, CLIENT_CONFIG_ELIMIT, "%s is %zu bytes; kraftsim keeps at most %zu",
                    k->name, len, sizeof name->text - 1);
    }
    name->set = true;
    memcpy(name->text, trimmed, len + 1);
    return CLIENT_CONFIG_OK;
}

static int parse_number(struct client_config *cfg, const struct client_config_key *k,
                        const char *raw, const char *trimmed, struct text *err)
{
    bool is_int = k->type == CLIENT_VALUE_INT;
    int64_t n;
    if (!config_parse_integer(trimmed, is_int ? INT32_MIN : INT64_MIN,
                            is_int ? INT32_MAX : INT64_MAX, &n)) {
        return FAIL(err, CLIENT_CONFIG_EVALUE,
                    "Invalid value %s for configuration %s: Not a number of type %s", raw,
                    k->name, k->kafka_type);
    }
    if (n < k->min) {
        return FAIL(err, CLIENT_CONFIG_EVALUE,
                    "Invalid value %" PRId64 " for configuration %s: Value must be at least "
                    "%" PRId64 "%s",
                    n, k->name, k->min, k->min_kraftsim ? " (kraftsim; Kafka accepts it)" : "");
    }
    if (n > k->max) {
        return FAIL(err, CLIENT_CONFIG_EVALUE,
                    "Invalid value %" PRId64 " for configuration %s: Value must be no more than "
                    "%" PRId64, n, k->name, k->max);
    }
    if (is_int) {
        int32_t v = (int32_t)n;
        memcpy(member(cfg, k), &v, sizeof v);
    } else {
        memcpy(member(cfg, k), &n, sizeof n);
    }
    return CLIENT_CONFIG_OK;
}

/* ConfigDef.parseType, then the key's validator. */
static int parse_generic(struct client_config *cfg, const struct client_config_key *k,
                         const char *raw, const char *trimmed, struct text *err)
{
    switch (k->type) {
    case CLIENT_VALUE_INT:
    case CLIENT_VALUE_LONG:
        return parse_number(cfg, k, raw, trimmed, err);
    case CLIENT_VALUE_BOOLEAN:
        if (strcasecmp(trimmed, "true") != 0 && strcasecmp(trimmed, "false") != 0) {
            return FAIL(err, CLIENT_CONFIG_EVALUE,
                        "Invalid value %s for configuration %s: Expected value to be either "
                        "true or false",
                        raw, k->name);
        }
        *(bool *)member(cfg, k) = strcasecmp(trimmed, "true") == 0;
        return CLIENT_CONFIG_OK;
    case CLIENT_VALUE_ENUM:
        return parse_enum(cfg, k, raw, trimmed, err);
    case CLIENT_VALUE_STRING:
        return parse_string(cfg, k, trimmed, err);
    case CLIENT_VALUE_CLASS:
        return parse_class(cfg, k, raw, trimmed, err);
    case CLIENT_VALUE_CLASS_LIST:
        break;
    }
    KS_ASSERT(false && "every CLASS_LIST row has its own parse");
    return CLIENT_CONFIG_EVALUE;
}

/* One value into `cfg` (unchanged on error): trims, then the row's parse or the generic one.
 * Defaults come through here too. */
static int parse_value(struct client_config *cfg, const struct client_config_key *k,
                       const char *raw, struct text *err)
{
    char trimmed[VALUE_BYTES];
    if (!copy_trimmed(trimmed, sizeof trimmed, raw)) {
        return FAIL(err, CLIENT_CONFIG_ELIMIT, "the value of %s is over %d bytes", k->name,
                    VALUE_BYTES - 1);
    }
    struct client_config scratch = *cfg;
    int rc = k->parse != NULL ? k->parse(&scratch, k, trimmed, err)
                              : parse_generic(&scratch, k, raw, trimmed, err);
    if (rc == CLIENT_CONFIG_OK) {
        *cfg = scratch;
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* The keys with rules of their own                                                         */

/* No validator to 3.2: KafkaProducer's CompressionType.forName refuses the name; ValidString
 * from 3.3 (KAFKA-13793). Both case-sensitive. */
static int parse_compression(struct client_config *cfg, const struct client_config_key *k,
                             const char *value, struct text *err)
{
    const struct client_choice *c = find_choice(k, cfg->release, value);
    if (c == NULL && cfg->release->number < 303) {
        return FAIL(err, CLIENT_CONFIG_EVALUE, "Unknown compression name: %s", value);
    }
    return c == NULL ? parse_enum(cfg, k, value, value, err) : store_choice(cfg, k, c, err);
}

/* 4.0's AutoOffsetResetStrategy.Validator; ValidString before. by_duration:<ISO-8601> is
 * refused whatever its duration: it needs ListOffsets by timestamp. */
static int parse_offset_reset(struct client_config *cfg, const struct client_config_key *k,
                              const char *value, struct text *err)
{
    static const char by_duration[] = "by_duration:";
    if (cfg->release->number < 400) {
        return parse_enum(cfg, k, value, value, err);
    }
    const struct client_choice *c = find_choice(k, cfg->release, value);
    if (c != NULL) {
        return store_choice(cfg, k, c, err);
    }
    if (strncmp(value, by_duration, sizeof by_duration - 1) == 0) {
        return FAIL(err, CLIENT_CONFIG_EUNMODELLED,
                    "auto.offset.reset=%s is not modelled yet: kraftsim's consumers reset to the "
                    "earliest or latest offset only (no ListOffsets by timestamp)",
                    value);
    }
    return FAIL(err, CLIENT_CONFIG_EVALUE,
                "Invalid value %s for configuration auto.offset.reset: Invalid value `%s` for "
                "configuration auto.offset.reset. The value must be either 'earliest', "
                "'latest', 'none' or of the format 'by_duration:<PnDTnHnMn.nS.>'.",
                value, value);
}

static bool legal_instance_id(const char *id)
{
    for (const char *p = id; *p != '\0'; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

/* 2.4's JoinGroupRequest.validateGroupInstanceId (InvalidConfigurationException). */
static int instance_id_2_4(const char *id, struct text *err)
{
    if (*id == '\0') {
        return FAIL(err, CLIENT_CONFIG_EVALUE, "Group instance id must be non-empty string");
    }
    if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0) {
        return FAIL(err, CLIENT_CONFIG_EVALUE, "Group instance id cannot be \".\" or \"..\"");
    }
    if (strlen(id) > 249) {
        return FAIL(err, CLIENT_CONFIG_EVALUE,
                    "Group instance id can't be longer than 249 characters: %s", id);
    }
    if (!legal_instance_id(id)) {
        return FAIL(err, CLIENT_CONFIG_EVALUE,
                    "Group instance id \"%s\" is illegal, it contains a character other than "
                    "ASCII alphanumerics, '.', '_' and '-'", id);
    }
    return CLIENT_CONFIG_OK;
}

/* 3.1.0's Topic.validate(id, "Group instance id", ...). */
static int instance_id_3_1(const char *id, struct text *err)
{
    if (*id == '\0') {
        return FAIL(err, CLIENT_CONFIG_EVALUE, "Group instance id is illegal, it can't be empty");
    }
    if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0) {
        return FAIL(err, CLIENT_CONFIG_EVALUE, "Group instance id cannot be \".\" or \"..\"");
    }
    if (strlen(id) > 249) {
        return FAIL(err, CLIENT_CONFIG_EVALUE,
                    "Group instance id is illegal, it can't be longer than 249 characters, "
                    "Group instance id: %s", id);
    }
    if (!legal_instance_id(id)) {
        return FAIL(err, CLIENT_CONFIG_EVALUE,
                    "Group instance id \"%s\" is illegal, it contains a character other than "
                    "ASCII alphanumerics, '.', '_' and '-'", id);
    }
    return CLIENT_CONFIG_OK;
}

/* 3.4+: NonEmptyString, then Topic.detectInvalidTopic's reasons. */
static int instance_id_3_4(const char *id, struct text *err)
{
    static const char prefix[] = "Group instance id is invalid: ";
    if (*id == '\0') {
        return FAIL(err, CLIENT_CONFIG_EVALUE,
                    "Invalid value  for configuration group.instance.id: String must be "
                    "non-empty");
    }
    if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0) {
        return FAIL(err, CLIENT_CONFIG_EVALUE, "%s'%s' is not allowed", prefix, id);
    }
    if (strlen(id) > 249) {
        return FAIL(err, CLIENT_CONFIG_EVALUE,
                    "%sthe length of '%s' is longer than the max allowed length 249", prefix, id);
    }
    if (!legal_instance_id(id)) {
        return FAIL(err, CLIENT_CONFIG_EVALUE,
                    "%s'%s' contains one or more characters other than ASCII alphanumerics, "
                    "'.', '_' and '-'", prefix, id);
    }
    return CLIENT_CONFIG_OK;
}

/* group.instance.id: checked where the client checks it (GroupRebalanceConfig), as each
 * release words it. */
static int parse_group_instance_id(struct client_config *cfg, const struct client_config_key *k,
                                   const char *value, struct text *err)
{
    int number = cfg->release->number;
    int rc = number < 300   ? instance_id_2_4(value, err)
             : number < 303 ? instance_id_3_1(value, err)
                            : instance_id_3_4(value, err);
    return rc == CLIENT_CONFIG_OK ? parse_string(cfg, k, value, err) : rc;
}

/* One class of partition.assignment.strategy into `out`: ClassNotFoundException and the
 * duplicate-name check of ConsumerPartitionAssignor.getAssignorInstances. */
static int add_assignor(struct client_config *cfg, const struct client_config_key *k,
                        const char *name, struct client_assignors *out, struct text *err)
{
    const struct client_choice *c = find_choice(k, cfg->release, name);
    if (c == NULL) {
        text_printf(err, "%s ClassNotFoundException exception occurred (known here: ", name);
        print_choices(err, k, cfg->release);
        text_printf(err, ")");
        return CLIENT_CONFIG_EVALUE;
    }
    for (size_t i = 0; i < out->count; i++) {
        if (out->items[i] == (enum client_assignor)c->value) {
            return FAIL(err, CLIENT_CONFIG_EVALUE,
                        "The assignor name: '%s' is used in more than one assignor: %s, %s",
                        assignor_names[c->value], c->text, c->text);
        }
    }
    KS_ASSERT(out->count < CLIENT_ASSIGNORS_MAX); /* distinct known assignors only */
    out->items[out->count++] = (enum client_assignor)c->value;
    return CLIENT_CONFIG_OK;
}

static bool is_java_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Splits like COMMA_WITH_WHITESPACE.split(trimmed, -1): "a , b" -> "a", "b"; "a,,b" keeps "".
 * Returns max + 1 when there are more than max items. */
static size_t split_list(char *text, char **items, size_t max)
{
    size_t count = 0;
    if (*text == '\0') {
        return 0;
    }
    for (char *p = text;; p++) {
        char *start = p;
        while (*p != '\0' && *p != ',') {
            p++;
        }
        char *end = p;
        while (end > start && is_java_space(end[-1])) {
            end--;
        }
        bool last = *p == '\0';
        *end = '\0';
        while (is_java_space(*start)) {
            start++;
        }
        if (count == max) {
            return max + 1;
        }
        items[count++] = start;
        if (last) {
            return count;
        }
    }
}

/* trunk's ValidList.anyNonDuplicateValues(true, false) (4.2+): duplicates over the whole list
 * first, then each value non-empty. */
static int check_valid_list(const struct client_config_key *k, char *const *items, size_t count,
                            struct text *err)
{
    for (size_t i = 0; i < count; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(items[i], items[j]) == 0) {
                return FAIL(err, CLIENT_CONFIG_EVALUE,
                            "Configuration '%s' values must not be duplicated.", k->name);
            }
        }
    }
    for (size_t i = 0; i < count; i++) {
        if (*items[i] == '\0') {
            return FAIL(err, CLIENT_CONFIG_EVALUE, "Configuration '%s' values must not be empty.",
                        k->name);
        }
    }
    return CLIENT_CONFIG_OK;
}

/* partition.assignment.strategy: trunk's ValidList.anyNonDuplicateValues first (4.2+), then the
 * classes in order; kraftsim refuses the assignors it does not run once Kafka would accept. */
static int parse_assignors(struct client_config *cfg, const struct client_config_key *k,
                           const char *value, struct text *err)
{
    char text[VALUE_BYTES];
    char *items[16];
    size_t len = strlen(value);
    KS_ASSERT(len < sizeof text); /* parse_value trimmed it into as many bytes */
    memcpy(text, value, len + 1);
    size_t count = split_list(text, items, 16);
    if (count > 16) {
        return FAIL(err, CLIENT_CONFIG_ELIMIT,
                    "partition.assignment.strategy lists over 16 classes");
    }
    int rc = cfg->release->number >= 402 ? check_valid_list(k, items, count, err)
                                         : CLIENT_CONFIG_OK;
    if (rc != CLIENT_CONFIG_OK) {
        return rc;
    }
    struct client_assignors list = {.count = 0};
    for (size_t i = 0; i < count && rc == CLIENT_CONFIG_OK; i++) {
        rc = add_assignor(cfg, k, items[i], &list, err);
    }
    if (rc != CLIENT_CONFIG_OK) {
        return rc;
    }
    for (size_t i = 0; i < list.count; i++) {
        const struct client_choice *c = &assignor_choices[list.items[i]];
        KS_ASSERT(c->value == (int)list.items[i]);
        if (c->unmodelled != NULL) {
            return refuse_unmodelled(k, c, err);
        }
    }
    cfg->partition_assignment_strategy = list;
    return CLIENT_CONFIG_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* Init and set                                                                             */

/* What a release lacks, as its client behaves: before KIP-580 (3.7) a retry waits a constant
 * retry.backoff.ms, so the cap is the backoff itself. */
static void settle_release_gaps(struct client_config *cfg)
{
    if (cfg->release->number < 307) {
        cfg->retry_backoff_max_ms = cfg->retry_backoff_ms;
    }
}

void client_config_init(struct client_config *cfg, enum client_kind kind,
                        const struct kafka_release *release)
{
    KS_ASSERT(kind == CLIENT_PRODUCER || kind == CLIENT_CONSUMER);
    memset(cfg, 0, sizeof *cfg);
    cfg->kind = kind;
    cfg->release = release != NULL ? release : release_default();
    size_t count;
    const struct client_config_key *keys = client_config_keys(kind, &count);
    for (size_t i = 0; i < count; i++) {
        /* a key the release lacks still gets the newest default: a neutral value */
        const char *text = client_config_key_in(&keys[i], cfg->release)
                               ? client_config_key_default(&keys[i], cfg->release)
                               : keys[i].default_text;
        if (text == NULL) {
            continue; /* null: the zeroed member (unset name, BUILTIN partitioner) */
        }
        char msg[512];
        struct text err = text_init(msg, sizeof msg);
        int rc = parse_value(cfg, &keys[i], text, &err);
        KS_ASSERT(rc == CLIENT_CONFIG_OK);
    }
    settle_release_gaps(cfg);
}

static int unknown_key(const struct client_config *cfg, const char *key, struct text *err)
{
    enum client_kind other = cfg->kind == CLIENT_PRODUCER ? CLIENT_CONSUMER : CLIENT_PRODUCER;
    if (client_config_key_find(other, key) != NULL) {
        return FAIL(err, CLIENT_CONFIG_EUNKNOWN, "'%s' is a %s setting, not a %s one", key,
                    client_kind_name(other), client_kind_name(cfg->kind));
    }
    return FAIL(err, CLIENT_CONFIG_EUNKNOWN, "unknown %s setting '%s' (did you mean '%s'?)",
                client_kind_name(cfg->kind), key, nearest_key(cfg->kind, cfg->release, key));
}

int client_config_set(struct client_config *cfg, const char *key, const char *value, char *err,
                      size_t cap)
{
    KS_ASSERT(key != NULL && value != NULL && cap > 0);
    KS_ASSERT(!cfg->finished);
    struct text t = text_init(err, cap);
    const struct client_config_key *k = client_config_key_find(cfg->kind, key);
    if (k == NULL) {
        return unknown_key(cfg, key, &t);
    }
    if (!client_config_key_in(k, cfg->release)) {
        return FAIL(&t, CLIENT_CONFIG_ERELEASE, "'%s' is not a %s setting in Kafka %s (added in "
                    "%d.%d)", key, client_kind_name(cfg->kind), cfg->release->name,
                    k->since / 100, k->since % 100);
    }
    if (k->unmodelled != NULL) {
        return FAIL(&t, CLIENT_CONFIG_EUNMODELLED, "%s is not modelled yet: %s", key,
                    k->unmodelled);
    }
    int rc = parse_value(cfg, k, value, &t);
    if (rc == CLIENT_CONFIG_OK) {
        cfg->set |= UINT64_C(1) << key_index(cfg, k);
    }
    return rc;
}

bool client_config_is_set(const struct client_config *cfg, const char *key)
{
    const struct client_config_key *k = client_config_key_find(cfg->kind, key);
    return k != NULL && (cfg->set & (UINT64_C(1) << key_index(cfg, k))) != 0;
}

static void mark_derived(struct client_config *cfg, const char *key)
{
    const struct client_config_key *k = client_config_key_find(cfg->kind, key);
    KS_ASSERT(k != NULL);
    cfg->derived |= UINT64_C(1) << key_index(cfg, k);
}

/* ---------------------------------------------------------------------------------------- */
/* Cross-key rules                                                                          */

/*
 * Which idempotence rules a release runs.
 * 2.x    2.4.1 K:515-592: on iff enable.idempotence (default false) or a transactional.id;
 *        then, in this order, in-flight > 5, retries = 0 (set), acks set and not all are
 *        ConfigExceptions, and an unset acks becomes all.
 * 3.0.0  3.1.0 P:468-523, K:546: the default became true (P:420) but idempotenceEnabled() reads
 *        it only when set explicitly, so an untouched producer is not idempotent (KAFKA-13598,
 *        fixed in 3.0.1/3.1.1/3.2.0: the 3.1 branch behaves as 3.2). Then retries, acks, and
 *        at sender creation the in-flight check, each an error.
 * 3.2    3.4.0 P:510-560 to 3.9 (KAFKA-13598 + KAFKA-13673): on by default; retries = 0,
 *        acks != all, in-flight > 5 each throw if enable.idempotence was set and otherwise turn
 *        idempotence off silently (a log line).
 * 4.0    4.0 P:566-598 to trunk P:643-675: the same, but in-flight > 5 always throws while
 *        idempotence is on, defaulted or not (even when retries or acks already turned it off).
 */
enum idempotence_rules { IDEMPOTENCE_2_X, IDEMPOTENCE_3_0_0, IDEMPOTENCE_3_2, IDEMPOTENCE_4_0 };

static enum idempotence_rules idempotence_rules(const struct kafka_release *release)
{
    return release->number < 300   ? IDEMPOTENCE_2_X
           : release->number < 302 ? IDEMPOTENCE_3_0_0
           : release->number < 400 ? IDEMPOTENCE_3_2
                                   : IDEMPOTENCE_4_0;
}

static const char retries_message[] =
    "Must set retries to non-zero when using the idempotent producer.";
static const char acks_message[] = "Must set acks to all in order to use the idempotent "
                                   "producer. Otherwise we cannot guarantee idempotence.";
static const char in_flight_message[] = "Must set max.in.flight.requests.per.connection to at "
                                        "most 5 to use the idempotent producer.";

/* KafkaProducer.configureDeliveryTimeout (all releases). */
static int check_delivery_timeout(struct client_config *cfg, struct text *err)
{
    int64_t linger = cfg->linger_ms < INT32_MAX ? cfg->linger_ms : INT32_MAX;
    int64_t floor = linger + cfg->request_timeout_ms;
    floor = floor < INT32_MAX ? floor : INT32_MAX;
    if (cfg->delivery_timeout_ms >= floor) {
        return CLIENT_CONFIG_OK;
    }
    if (client_config_is_set(cfg, "delivery.timeout.ms")) {
        return FAIL(err, CLIENT_CONFIG_EINVALID,
                    "delivery.timeout.ms should be equal to or larger than linger.ms + "
                    "request.timeout.ms");
    }
    cfg->delivery_timeout_ms = (int32_t)floor; /* Kafka warns and raises it */
    mark_derived(cfg, "delivery.timeout.ms");
    return CLIENT_CONFIG_OK;
}

/* 2.x and 3.0.0: every conflict is an error; an unset acks is forced to all. */
static int retries_and_acks_strict(struct client_config *cfg, struct text *err)
{
    if (cfg->retries == 0) {
        return FAIL(err, CLIENT_CONFIG_EINVALID, "%s", retries_message);
    }
    if (client_config_is_set(cfg, "acks") && cfg->acks != CLIENT_ACKS_ALL) {
        return FAIL(err, CLIENT_CONFIG_EINVALID, "%s", acks_message);
    }
    if (cfg->acks != CLIENT_ACKS_ALL) {
        cfg->acks = CLIENT_ACKS_ALL;
        mark_derived(cfg, "acks");
    }
    return CLIENT_CONFIG_OK;
}

/* In each release's order: 2.4.1 checks the delivery timeout in the constructor (K:392), then
 * in-flight, retries and acks in newSender (K:448, 470, 471); 3.1.0 checks retries and acks in
 * ProducerConfig, the delivery timeout in the constructor (K:399), in-flight in newSender. */
static int idempotence_strict(struct client_config *cfg, enum idempotence_rules rules,
                              struct text *err)
{
    bool in_flight_bad = cfg->max_in_flight_requests_per_connection > 5;
    int rc;
    if (rules == IDEMPOTENCE_2_X) {
        rc = check_delivery_timeout(cfg, err);
        if (rc == CLIENT_CONFIG_OK && in_flight_bad) {
            return FAIL(err, CLIENT_CONFIG_EINVALID, "%s", in_flight_message);
        }
        return rc == CLIENT_CONFIG_OK ? retries_and_acks_strict(cfg, err) : rc;
    }
    rc = retries_and_acks_strict(cfg, err);
    rc = rc == CLIENT_CONFIG_OK ? check_delivery_timeout(cfg, err) : rc;
    if (rc == CLIENT_CONFIG_OK && in_flight_bad) {
        return FAIL(err, CLIENT_CONFIG_EINVALID, "%s", in_flight_message);
    }
    return rc;
}

/* 3.2 and 4.0: a defaulted enable.idempotence gives way; a set one throws. */
static int idempotence_lenient(struct client_config *cfg, enum idempotence_rules rules,
                               struct text *err)
{
    bool user = client_config_is_set(cfg, "enable.idempotence");
    bool disable = false;
    if (cfg->retries == 0) {
        if (user) {
            return FAIL(err, CLIENT_CONFIG_EINVALID, "%s", retries_message);
        }
        disable = true;
    }
    if (cfg->acks != CLIENT_ACKS_ALL) {
        if (user) {
            return FAIL(err, CLIENT_CONFIG_EINVALID, "%s", acks_message);
        }
        disable = true;
    }
    int32_t in_flight = cfg->max_in_flight_requests_per_connection;
    if (in_flight > 5 && rules == IDEMPOTENCE_4_0) {
        return FAIL(err, CLIENT_CONFIG_EINVALID,
                    "To use the idempotent producer, max.in.flight.requests.per.connection must "
                    "be set to at most 5. Current value is %" PRId32 ".",
                    in_flight);
    }
    if (in_flight > 5) {
        if (user) {
            return FAIL(err, CLIENT_CONFIG_EINVALID, "%s", in_flight_message);
        }
        disable = true;
    }
    if (disable) {
        cfg->enable_idempotence = false;
        mark_derived(cfg, "enable.idempotence");
    }
    cfg->idempotent = !disable;
    return CLIENT_CONFIG_OK;
}

static int finish_producer(struct client_config *cfg, struct text *err)
{
    enum idempotence_rules rules = idempotence_rules(cfg->release);
    bool on = cfg->enable_idempotence;
    if (rules == IDEMPOTENCE_3_0_0) {
        on = on && client_config_is_set(cfg, "enable.idempotence");
    }
    if (!on) {
        cfg->idempotent = false;
        return check_delivery_timeout(cfg, err);
    }
    if (rules == IDEMPOTENCE_2_X || rules == IDEMPOTENCE_3_0_0) {
        cfg->idempotent = true;
        return idempotence_strict(cfg, rules, err);
    }
    int rc = idempotence_lenient(cfg, rules, err);
    return rc == CLIENT_CONFIG_OK ? check_delivery_timeout(cfg, err) : rc;
}

/* ConsumerConfig.maybeOverrideEnableAutoCommit (KafkaConsumer in 2.4), then, with a group, the
 * classic coordinator's Heartbeat constructor and subscribe()'s assignor check. */
static int finish_consumer(struct client_config *cfg, struct text *err)
{
    if (!cfg->group_id.set) {
        if (!client_config_is_set(cfg, "enable.auto.commit")) {
            if (cfg->enable_auto_commit) {
                cfg->enable_auto_commit = false;
                mark_derived(cfg, "enable.auto.commit");
            }
        } else if (cfg->enable_auto_commit) {
            return FAIL(err, CLIENT_CONFIG_EINVALID, "enable.auto.commit cannot be set to true "
                                                     "when default group id (null) is used.");
        }
        return CLIENT_CONFIG_OK;
    }
    if (cfg->heartbeat_interval_ms >= cfg->session_timeout_ms) {
        return FAIL(err, CLIENT_CONFIG_EINVALID,
                    "Heartbeat must be set lower than the session timeout");
    }
    if (cfg->partition_assignment_strategy.count == 0) {
        return FAIL(err, CLIENT_CONFIG_EINVALID,
                    "Must configure at least one partition assigner class name to "
                    "partition.assignment.strategy configuration property");
    }
    return CLIENT_CONFIG_OK;
}

int client_config_finish(struct client_config *cfg, char *err, size_t cap)
{
    KS_ASSERT(cap > 0);
    KS_ASSERT(!cfg->finished);
    struct text t = text_init(err, cap);
    settle_release_gaps(cfg);
    struct client_config scratch = *cfg;
    int rc = cfg->kind == CLIENT_PRODUCER ? finish_producer(&scratch, &t)
                                          : finish_consumer(&scratch, &t);
    if (rc == CLIENT_CONFIG_OK) {
        *cfg = scratch;
        cfg->finished = true;
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* Printing                                                                                 */

/* The first spelling of enum value `value` in the release ("all" for -1), or NULL. */
static const char *choice_text(const struct client_config_key *k,
                               const struct kafka_release *release, int value)
{
    for (const struct client_choice *c = k->choices; c->text != NULL; c++) {
        if (c->value == value && choice_in(c, release)) {
            return c->text;
        }
    }
    return NULL;
}

void client_config_value(const struct client_config *cfg, const struct client_config_key *k,
                         struct text *out)
{
    const void *field = member_const(cfg, k);
    switch (k->type) {
    case CLIENT_VALUE_INT:
        text_printf(out, "%" PRId32, *(const int32_t *)field);
        break;
    case CLIENT_VALUE_LONG:
        text_printf(out, "%" PRId64, *(const int64_t *)field);
        break;
    case CLIENT_VALUE_BOOLEAN:
        text_printf(out, "%s", *(const bool *)field ? "true" : "false");
        break;
    case CLIENT_VALUE_ENUM:
    case CLIENT_VALUE_CLASS: {
        const char *text = choice_text(k, cfg->release, load_int(cfg, k));
        text_printf(out, "%s", text != NULL ? text : "null");
        break;
    }
    case CLIENT_VALUE_STRING: {
        const struct client_name *name = field;
        text_printf(out, "%s", !name->set ? "null" : name->text[0] == '\0' ? "\"\"" : name->text);
        break;
    }
    case CLIENT_VALUE_CLASS_LIST: {
        const struct client_assignors *list = field;
        for (size_t i = 0; i < list->count; i++) {
            text_printf(out, "%s%s", i > 0 ? "," : "", assignor_choices[list->items[i]].text);
        }
        break;
    }
    }
}

void client_config_describe(const struct client_config *cfg, struct text *out)
{
    struct client_config defaults;
    client_config_init(&defaults, cfg->kind, cfg->release);
    text_printf(out, "%s (Kafka %s):", client_kind_name(cfg->kind), cfg->release->name);
    size_t count;
    const struct client_config_key *keys = client_config_keys(cfg->kind, &count);
    bool any = false;
    for (size_t i = 0; i < count; i++) {
        char have[VALUE_BYTES];
        char want[VALUE_BYTES];
        struct text h = text_init(have, sizeof have);
        struct text w = text_init(want, sizeof want);
        if (!client_config_key_in(&keys[i], cfg->release)) {
            continue;
        }
        client_config_value(cfg, &keys[i], &h);
        client_config_value(&defaults, &keys[i], &w);
        if (strcmp(have, want) != 0) {
            bool derived = (cfg->derived & (UINT64_C(1) << i)) != 0;
            text_printf(out, " %s=%s%s", keys[i].name, have, derived ? "(derived)" : "");
            any = true;
        }
    }
    if (!any) {
        text_printf(out, " release defaults");
    }
}
