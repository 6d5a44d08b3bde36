/* test_client_config.c — simulated clients' Kafka settings: each release's defaults as its source
 * has them, values parsed and refused as ConfigDef does, and the idempotence rules per release. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "release.h"
#include "text.h"
#include "workload/client_config.h"

static const char *const releases[] = {"2.4", "3.1", "3.4", "3.5", "3.7", "3.9",
                                       "4.0", "4.1", "trunk"};
#define RELEASE_COUNT (sizeof releases / sizeof releases[0])

static char err[512];

static const struct kafka_release *rel(const char *name)
{
    const struct kafka_release *r = release_find(name);
    ck_assert_msg(r != NULL, "release %s", name);
    return r;
}

static struct client_config producer(const char *release)
{
    struct client_config cfg;
    client_config_init(&cfg, CLIENT_PRODUCER, rel(release));
    return cfg;
}

static struct client_config consumer(const char *release)
{
    struct client_config cfg;
    client_config_init(&cfg, CLIENT_CONSUMER, rel(release));
    return cfg;
}

static void set_ok(struct client_config *cfg, const char *key, const char *value)
{
    int rc = client_config_set(cfg, key, value, err, sizeof err);
    ck_assert_msg(rc == CLIENT_CONFIG_OK, "%s=%s: %s", key, value, err);
}

/* Refused with `code` and exactly `message` on one line, leaving the config as it was. */
static void set_refused(struct client_config *cfg, const char *key, const char *value, int code,
                        const char *message)
{
    struct client_config before = *cfg;
    int rc = client_config_set(cfg, key, value, err, sizeof err);
    ck_assert_msg(rc == code, "%s=%s: rc %d, %s", key, value, rc, err);
    ck_assert_str_eq(err, message);
    ck_assert_ptr_null(strchr(err, '\n'));
    ck_assert(memcmp(&before, cfg, sizeof before) == 0);
}

static void finish_ok(struct client_config *cfg)
{
    int rc = client_config_finish(cfg, err, sizeof err);
    ck_assert_msg(rc == CLIENT_CONFIG_OK, "finish: %s", err);
}

static void finish_refused(struct client_config *cfg, const char *message)
{
    int rc = client_config_finish(cfg, err, sizeof err);
    ck_assert_msg(rc == CLIENT_CONFIG_EINVALID, "finish rc %d: %s", rc, err);
    ck_assert_str_eq(err, message);
    ck_assert(!cfg->finished);
}

static const char *describe(const struct client_config *cfg)
{
    static char line[1024];
    struct text t = text_init(line, sizeof line);
    client_config_describe(cfg, &t);
    ck_assert(text_fits(&t));
    return line;
}

static const char *value_of(const struct client_config *cfg, const char *key)
{
    static char buf[512];
    const struct client_config_key *k = client_config_key_find(cfg->kind, key);
    ck_assert_msg(k != NULL, "%s", key);
    struct text t = text_init(buf, sizeof buf);
    client_config_value(cfg, k, &t);
    return buf;
}

static const char range[] = "org.apache.kafka.clients.consumer.RangeAssignor";
static const char coop[] = "org.apache.kafka.clients.consumer.CooperativeStickyAssignor";

/* ---------------------------------------------------------------------------------------- */
/* Defaults                                                                                 */

/*
 * The defaults that changed, per release, as each tag's source defines them (clients/src/main/
 * java/org/apache/kafka/clients/, P = producer/ProducerConfig.java, C = consumer/
 * ConsumerConfig.java): acks P 2.4.1:263 "1", 3.1.0:308 .. trunk:430 "all"; enable.idempotence
 * P 2.4.1:359 false, 3.1.0:420 .. trunk:574 true; linger.ms P 3.9.0-rc3:388 0, 4.0:391 and
 * trunk:445 5; partitioner.class P 3.1.0:398 DefaultPartitioner.class, 3.4.0:448 null;
 * session.timeout.ms C 2.4.1:299 10000, 3.1.0:355 45000; partition.assignment.strategy C
 * 2.4.1:309 [RangeAssignor], 3.1.0:365 [RangeAssignor, CooperativeStickyAssignor];
 * retry.backoff.max.ms P 3.7.0:388 (CommonClientConfigs DEFAULT_RETRY_BACKOFF_MAX_MS = 1000);
 * group.protocol C 3.7.0:631 "classic" (DEFAULT_GROUP_PROTOCOL, trunk:121).
 */
START_TEST(defaults_that_changed_follow_each_release)
{
    static const struct {
        const char *release;
        enum client_acks acks;
        bool idempotence;
        int64_t linger_ms;
        enum client_partitioner partitioner;
        bool backoff_max_key;
        int32_t session_timeout_ms;
        size_t assignors;
        bool group_protocol_key;
    } want[] = {
        {"2.4", CLIENT_ACKS_LEADER, false, 0, CLIENT_PARTITIONER_DEFAULT, false, 10000, 1, false},
        {"3.1", CLIENT_ACKS_ALL, true, 0, CLIENT_PARTITIONER_DEFAULT, false, 45000, 2, false},
        {"3.4", CLIENT_ACKS_ALL, true, 0, CLIENT_PARTITIONER_BUILTIN, false, 45000, 2, false},
        {"3.5", CLIENT_ACKS_ALL, true, 0, CLIENT_PARTITIONER_BUILTIN, false, 45000, 2, false},
        {"3.7", CLIENT_ACKS_ALL, true, 0, CLIENT_PARTITIONER_BUILTIN, true, 45000, 2, true},
        {"3.9", CLIENT_ACKS_ALL, true, 0, CLIENT_PARTITIONER_BUILTIN, true, 45000, 2, true},
        {"4.0", CLIENT_ACKS_ALL, true, 5, CLIENT_PARTITIONER_BUILTIN, true, 45000, 2, true},
        {"4.1", CLIENT_ACKS_ALL, true, 5, CLIENT_PARTITIONER_BUILTIN, true, 45000, 2, true},
        {"trunk", CLIENT_ACKS_ALL, true, 5, CLIENT_PARTITIONER_BUILTIN, true, 45000, 2, true},
    };
    const struct client_config_key *backoff_max =
        client_config_key_find(CLIENT_PRODUCER, "retry.backoff.max.ms");
    const struct client_config_key *protocol =
        client_config_key_find(CLIENT_CONSUMER, "group.protocol");
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct client_config p = producer(want[i].release);
        struct client_config c = consumer(want[i].release);
        ck_assert_msg(p.acks == want[i].acks, "%s acks", want[i].release);
        ck_assert_msg(p.enable_idempotence == want[i].idempotence, "%s", want[i].release);
        ck_assert_msg(p.linger_ms == want[i].linger_ms, "%s linger.ms", want[i].release);
        ck_assert_msg(p.partitioner_class == want[i].partitioner, "%s", want[i].release);
        ck_assert(client_config_key_in(backoff_max, rel(want[i].release)) ==
                  want[i].backoff_max_key);
        ck_assert_int_eq(c.session_timeout_ms, want[i].session_timeout_ms);
        ck_assert_uint_eq(c.partition_assignment_strategy.count, want[i].assignors);
        ck_assert(c.partition_assignment_strategy.items[0] == CLIENT_ASSIGNOR_RANGE);
        ck_assert(client_config_key_in(protocol, rel(want[i].release)) ==
                  want[i].group_protocol_key);
        ck_assert(c.group_protocol == CLIENT_GROUP_PROTOCOL_CLASSIC);
    }
    struct client_config c31 = consumer("3.1");
    ck_assert_str_eq(value_of(&c31, "partition.assignment.strategy"),
                     "org.apache.kafka.clients.consumer.RangeAssignor,"
                     "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
    struct client_config p24 = producer("2.4");
    ck_assert_str_eq(value_of(&p24, "acks"), "1");
    ck_assert_str_eq(value_of(&p24, "partitioner.class"),
                     "org.apache.kafka.clients.producer.internals.DefaultPartitioner");
    struct client_config p34 = producer("3.4");
    ck_assert_str_eq(value_of(&p34, "acks"), "all");
    ck_assert_str_eq(value_of(&p34, "partitioner.class"), "null");
}
END_TEST

/* The defaults no modelled release changed (2.4.1 P:261-317, C:294-484; trunk P:420-520,
 * C:460-673; ConsumerConfig DEFAULT_FETCH_MAX_BYTES = 50 MiB, DEFAULT_MAX_PARTITION_FETCH_BYTES
 * = 1 MiB, DEFAULT_ISOLATION_LEVEL read_uncommitted). */
START_TEST(defaults_that_never_changed_hold_in_every_release)
{
    for (size_t i = 0; i < RELEASE_COUNT; i++) {
        struct client_config p = producer(releases[i]);
        ck_assert_int_eq(p.retries, INT32_MAX);
        ck_assert_int_eq(p.delivery_timeout_ms, 120000);
        ck_assert_int_eq(p.request_timeout_ms, 30000);
        ck_assert_int_eq(p.batch_size, 16384);
        ck_assert_int_eq(p.max_in_flight_requests_per_connection, 5);
        ck_assert_int_eq(p.retry_backoff_ms, 100);
        ck_assert_int_eq(p.metadata_max_age_ms, 300000);
        ck_assert_int_eq(p.max_block_ms, 60000);
        ck_assert_int_eq(p.buffer_memory, 32 * 1024 * 1024);
        ck_assert(p.compression_type == CLIENT_COMPRESSION_NONE);
        ck_assert(!p.partitioner_ignore_keys && p.partitioner_adaptive_partitioning_enable);
        ck_assert(!p.transactional_id.set);
        struct client_config c = consumer(releases[i]);
        ck_assert(!c.group_id.set && !c.group_instance_id.set);
        ck_assert_int_eq(c.heartbeat_interval_ms, 3000);
        ck_assert_int_eq(c.max_poll_interval_ms, 300000);
        ck_assert(c.auto_offset_reset == CLIENT_OFFSET_RESET_LATEST);
        ck_assert(c.enable_auto_commit);
        ck_assert_int_eq(c.auto_commit_interval_ms, 5000);
        ck_assert(c.isolation_level == CLIENT_READ_UNCOMMITTED);
        ck_assert_int_eq(c.fetch_min_bytes, 1);
        ck_assert_int_eq(c.fetch_max_wait_ms, 500);
        ck_assert_int_eq(c.fetch_max_bytes, 52428800);
        ck_assert_int_eq(c.max_partition_fetch_bytes, 1048576);
        ck_assert_int_eq(c.max_poll_records, 500);
        ck_assert_int_eq(c.request_timeout_ms, 30000);
        ck_assert_int_eq(c.default_api_timeout_ms, 60000);
        ck_assert_int_eq(c.retry_backoff_ms, 100);
        ck_assert_int_eq(c.retry_backoff_max_ms,
                         rel(releases[i])->number >= 307 ? 1000 : 100); /* constant before */
    }
}
END_TEST

/* Every row parses its own default in every release the table knows (release.h's whole list). */
START_TEST(every_default_parses_in_every_release_and_keys_are_unique)
{
    for (int kind = CLIENT_PRODUCER; kind <= CLIENT_CONSUMER; kind++) {
        size_t count;
        const struct client_config_key *keys = client_config_keys(kind, &count);
        ck_assert_uint_ge(count, 19);
        for (size_t i = 0; i < count; i++) {
            for (size_t j = 0; j < i; j++) {
                ck_assert_str_ne(keys[i].name, keys[j].name);
            }
            ck_assert_ptr_nonnull(keys[i].doc);
            for (size_t r = 0; r < release_count(); r++) {
                struct client_config cfg;
                client_config_init(&cfg, kind, release_at(r)); /* asserts on a bad default */
                const char *text = client_config_key_default(&keys[i], release_at(r));
                if (text != NULL && keys[i].unmodelled == NULL) {
                    struct client_config again = cfg;
                    int rc = client_config_set(&again, keys[i].name, text, err, sizeof err);
                    ck_assert_msg(rc == CLIENT_CONFIG_OK ||
                                      !client_config_key_in(&keys[i], release_at(r)),
                                  "%s: %s", keys[i].name, err);
                }
            }
        }
    }
}
END_TEST

/* ---------------------------------------------------------------------------------------- */
/* Parsing                                                                                  */

START_TEST(numbers_and_booleans_parse_as_configdef_does)
{
    struct client_config p = producer("trunk");
    set_ok(&p, "linger.ms", " 20\t");
    ck_assert_int_eq(p.linger_ms, 20);
    set_ok(&p, "batch.size", "+0032768");
    ck_assert_int_eq(p.batch_size, 32768);
    set_ok(&p, "buffer.memory", "9223372036854775807");
    ck_assert_int_eq(p.buffer_memory, INT64_MAX);
    set_ok(&p, "enable.idempotence", "FALSE");
    ck_assert(!p.enable_idempotence);
    set_ok(&p, "partitioner.ignore.keys", " True ");
    ck_assert(p.partitioner_ignore_keys);
    set_refused(&p, "linger.ms", "5.0", CLIENT_CONFIG_EVALUE,
                "Invalid value 5.0 for configuration linger.ms: Not a number of type LONG");
    set_refused(&p, "batch.size", "2147483648", CLIENT_CONFIG_EVALUE,
                "Invalid value 2147483648 for configuration batch.size: Not a number of type "
                "INT");
    set_refused(&p, "retries", "", CLIENT_CONFIG_EVALUE,
                "Invalid value  for configuration retries: Not a number of type INT");
    set_refused(&p, "enable.idempotence", "yes", CLIENT_CONFIG_EVALUE,
                "Invalid value yes for configuration enable.idempotence: Expected value to be "
                "either true or false");
    set_ok(&p, "request.timeout.ms", "0");
    ck_assert(client_config_is_set(&p, "linger.ms") && !client_config_is_set(&p, "acks"));
}
END_TEST

START_TEST(ranges_are_refused_with_kafkas_words)
{
    struct client_config p = producer("3.9");
    set_refused(&p, "linger.ms", "-1", CLIENT_CONFIG_EVALUE,
                "Invalid value -1 for configuration linger.ms: Value must be at least 0");
    set_refused(&p, "max.in.flight.requests.per.connection", "0", CLIENT_CONFIG_EVALUE,
                "Invalid value 0 for configuration max.in.flight.requests.per.connection: Value "
                "must be at least 1");
    set_refused(&p, "retries", "-01", CLIENT_CONFIG_EVALUE,
                "Invalid value -1 for configuration retries: Value must be at least 0");
    set_refused(&p, "delivery.timeout.ms", "-5", CLIENT_CONFIG_EVALUE,
                "Invalid value -5 for configuration delivery.timeout.ms: Value must be at "
                "least 0");
    struct client_config c = consumer("3.9");
    set_refused(&c, "max.poll.records", "0", CLIENT_CONFIG_EVALUE,
                "Invalid value 0 for configuration max.poll.records: Value must be at least 1");
    set_refused(&c, "heartbeat.interval.ms", "0", CLIENT_CONFIG_EVALUE,
                "Invalid value 0 for configuration heartbeat.interval.ms: Value must be at "
                "least 1 (kraftsim; Kafka accepts it)");
    set_ok(&c, "session.timeout.ms", "-1"); /* no Range: the broker refuses it at JoinGroup */
}
END_TEST

START_TEST(enums_keep_kafkas_case_rules)
{
    static const struct {
        const char *text;
        enum client_acks acks;
    } acks[] = {{"all", CLIENT_ACKS_ALL}, {"-1", CLIENT_ACKS_ALL}, {" 0 ", CLIENT_ACKS_NONE},
                {"1", CLIENT_ACKS_LEADER}};
    for (size_t i = 0; i < 4; i++) {
        struct client_config p = producer("4.1");
        set_ok(&p, "acks", acks[i].text);
        ck_assert(p.acks == acks[i].acks);
    }
    struct client_config p = producer("4.1");
    /* ValidString is case-sensitive, though parseAcks would take ALL */
    set_refused(&p, "acks", "ALL", CLIENT_CONFIG_EVALUE,
                "Invalid value ALL for configuration acks: String must be one of: all, -1, 0, 1");
    set_refused(&p, "acks", "2", CLIENT_CONFIG_EVALUE,
                "Invalid value 2 for configuration acks: String must be one of: all, -1, 0, 1");
    struct client_config c = consumer("4.1");
    set_ok(&c, "group.protocol", "CLASSIC"); /* CaseInsensitiveValidString */
    set_refused(&c, "group.protocol", "Consumer", CLIENT_CONFIG_EUNMODELLED,
                "group.protocol=consumer is not modelled yet: kraftsim's consumers and group "
                "coordinator speak the classic protocol (JoinGroup, SyncGroup, Heartbeat), not "
                "KIP-848's ConsumerGroupHeartbeat");
    set_refused(&c, "group.protocol", "eager", CLIENT_CONFIG_EVALUE,
                "Invalid value eager for configuration group.protocol: String must be one of "
                "(case insensitive): CLASSIC, CONSUMER");
    set_ok(&c, "isolation.level", "read_committed");
    ck_assert(c.isolation_level == CLIENT_READ_COMMITTED);
    set_refused(&c, "isolation.level", "READ_COMMITTED", CLIENT_CONFIG_EVALUE,
                "Invalid value READ_COMMITTED for configuration isolation.level: String must be "
                "one of: read_committed, read_uncommitted");
    set_ok(&c, "auto.offset.reset", "earliest");
    ck_assert(c.auto_offset_reset == CLIENT_OFFSET_RESET_EARLIEST);
}
END_TEST

/* 2.4.1/3.1.0 have no validator: KafkaProducer's CompressionType.forName refuses the name. */
START_TEST(compression_names_are_checked_as_each_release_checks_them)
{
    struct client_config p31 = producer("3.1");
    set_refused(&p31, "compression.type", "brotli", CLIENT_CONFIG_EVALUE,
                "Unknown compression name: brotli");
    struct client_config p34 = producer("3.4");
    set_refused(&p34, "compression.type", "brotli", CLIENT_CONFIG_EVALUE,
                "Invalid value brotli for configuration compression.type: String must be one "
                "of: none, gzip, snappy, lz4, zstd");
    set_refused(&p34, "compression.type", "zstd", CLIENT_CONFIG_EUNMODELLED,
                "compression.type=zstd is not modelled yet: kraftsim's producer writes "
                "uncompressed record batches");
    set_ok(&p34, "compression.type", "none");
}
END_TEST

START_TEST(auto_offset_reset_by_duration_is_4_0s_and_not_modelled)
{
    struct client_config c39 = consumer("3.9");
    set_refused(&c39, "auto.offset.reset", "by_duration:PT5S", CLIENT_CONFIG_EVALUE,
                "Invalid value by_duration:PT5S for configuration auto.offset.reset: String must "
                "be one of: latest, earliest, none");
    struct client_config c40 = consumer("4.0");
    set_refused(&c40, "auto.offset.reset", "by_duration:PT5S", CLIENT_CONFIG_EUNMODELLED,
                "auto.offset.reset=by_duration:PT5S is not modelled yet: kraftsim's consumers "
                "reset to the earliest or latest offset only (no ListOffsets by timestamp)");
    set_refused(&c40, "auto.offset.reset", "Latest", CLIENT_CONFIG_EVALUE,
                "Invalid value Latest for configuration auto.offset.reset: Invalid value "
                "`Latest` for configuration auto.offset.reset. The value must be either "
                "'earliest', 'latest', 'none' or of the format 'by_duration:<PnDTnHnMn.nS.>'.");
    set_ok(&c40, "auto.offset.reset", "none");
    ck_assert(c40.auto_offset_reset == CLIENT_OFFSET_RESET_NONE);
}
END_TEST

START_TEST(partitioner_classes_follow_the_release)
{
    static const char default_partitioner[] =
        "org.apache.kafka.clients.producer.internals.DefaultPartitioner";
    struct client_config p39 = producer("3.9");
    set_ok(&p39, "partitioner.class", default_partitioner); /* deprecated in 3.3, still there */
    ck_assert(p39.partitioner_class == CLIENT_PARTITIONER_DEFAULT);
    set_ok(&p39, "partitioner.class", "org.apache.kafka.clients.producer.RoundRobinPartitioner");
    ck_assert(p39.partitioner_class == CLIENT_PARTITIONER_ROUND_ROBIN);
    struct client_config p40 = producer("4.0");
    set_refused(&p40, "partitioner.class", default_partitioner, CLIENT_CONFIG_EVALUE,
                "Invalid value org.apache.kafka.clients.producer.internals.DefaultPartitioner "
                "for configuration partitioner.class: Class "
                "org.apache.kafka.clients.producer.internals.DefaultPartitioner could not be "
                "found. (known here: org.apache.kafka.clients.producer.RoundRobinPartitioner)");
    struct client_config p31 = producer("3.1");
    set_refused(&p31, "partitioner.ignore.keys", "true", CLIENT_CONFIG_ERELEASE,
                "'partitioner.ignore.keys' is not a producer setting in Kafka 3.1 (added in "
                "3.3)");
}
END_TEST

START_TEST(assignor_lists_parse_and_refuse_as_kafka_and_kraftsim_do)
{
    struct client_config c = consumer("3.9");
    set_ok(&c, "partition.assignment.strategy", coop);
    ck_assert_uint_eq(c.partition_assignment_strategy.count, 1);
    ck_assert(c.partition_assignment_strategy.items[0] == CLIENT_ASSIGNOR_COOPERATIVE_STICKY);
    set_ok(&c, "partition.assignment.strategy",
           " org.apache.kafka.clients.consumer.CooperativeStickyAssignor ,\t"
           "org.apache.kafka.clients.consumer.RangeAssignor ");
    ck_assert_uint_eq(c.partition_assignment_strategy.count, 2);
    ck_assert(c.partition_assignment_strategy.items[1] == CLIENT_ASSIGNOR_RANGE);
    set_refused(&c, "partition.assignment.strategy",
                "org.apache.kafka.clients.consumer.StickyAssignor", CLIENT_CONFIG_EUNMODELLED,
                "partition.assignment.strategy=org.apache.kafka.clients.consumer.StickyAssignor "
                "is not modelled yet: kraftsim's consumers assign with the range or the "
                "cooperative-sticky assignor");
    set_refused(&c, "partition.assignment.strategy", "range", CLIENT_CONFIG_EVALUE,
                "range ClassNotFoundException exception occurred (known here: "
                "org.apache.kafka.clients.consumer.RangeAssignor, "
                "org.apache.kafka.clients.consumer.RoundRobinAssignor, "
                "org.apache.kafka.clients.consumer.StickyAssignor, "
                "org.apache.kafka.clients.consumer.CooperativeStickyAssignor)");
    char twice[256];
    struct text t = text_init(twice, sizeof twice);
    text_printf(&t, "%s,%s", range, range);
    set_refused(&c, "partition.assignment.strategy", twice, CLIENT_CONFIG_EVALUE,
                "The assignor name: 'range' is used in more than one assignor: "
                "org.apache.kafka.clients.consumer.RangeAssignor, "
                "org.apache.kafka.clients.consumer.RangeAssignor");
    struct client_config c41 = consumer("4.1"); /* 4.1 still checks names, not the list */
    set_refused(&c41, "partition.assignment.strategy", twice, CLIENT_CONFIG_EVALUE,
                "The assignor name: 'range' is used in more than one assignor: "
                "org.apache.kafka.clients.consumer.RangeAssignor, "
                "org.apache.kafka.clients.consumer.RangeAssignor");
    struct client_config trunk = consumer("trunk"); /* ValidList.anyNonDuplicateValues */
    set_refused(&trunk, "partition.assignment.strategy", twice, CLIENT_CONFIG_EVALUE,
                "Configuration 'partition.assignment.strategy' values must not be duplicated.");
    set_refused(&trunk, "partition.assignment.strategy", "a,,b", CLIENT_CONFIG_EVALUE,
                "Configuration 'partition.assignment.strategy' values must not be empty.");
    set_ok(&trunk, "partition.assignment.strategy", " ");
    ck_assert_uint_eq(trunk.partition_assignment_strategy.count, 0);
    set_ok(&trunk, "group.id", "g");
    finish_refused(&trunk, "Must configure at least one partition assigner class name to "
                           "partition.assignment.strategy configuration property");
}
END_TEST

START_TEST(group_instance_ids_are_checked_in_each_releases_words)
{
    struct client_config c24 = consumer("2.4");
    set_refused(&c24, "group.instance.id", "", CLIENT_CONFIG_EVALUE,
                "Group instance id must be non-empty string");
    set_refused(&c24, "group.instance.id", "a b", CLIENT_CONFIG_EVALUE,
                "Group instance id \"a b\" is illegal, it contains a character other than ASCII "
                "alphanumerics, '.', '_' and '-'");
    struct client_config c31 = consumer("3.1");
    set_refused(&c31, "group.instance.id", "..", CLIENT_CONFIG_EVALUE,
                "Group instance id cannot be \".\" or \"..\"");
    set_refused(&c31, "group.instance.id", " ", CLIENT_CONFIG_EVALUE,
                "Group instance id is illegal, it can't be empty");
    struct client_config c = consumer("3.4");
    set_refused(&c, "group.instance.id", "", CLIENT_CONFIG_EVALUE,
                "Invalid value  for configuration group.instance.id: String must be non-empty");
    set_refused(&c, "group.instance.id", "..", CLIENT_CONFIG_EVALUE,
                "Group instance id is invalid: '..' is not allowed");
    set_refused(&c, "group.instance.id", "kafka/1", CLIENT_CONFIG_EVALUE,
                "Group instance id is invalid: 'kafka/1' contains one or more characters other "
                "than ASCII alphanumerics, '.', '_' and '-'");
    set_ok(&c, "group.instance.id", " consumer-1 ");
    ck_assert(c.group_instance_id.set);
    ck_assert_str_eq(c.group_instance_id.text, "consumer-1");
    char long_name[301];
    memset(long_name, 'g', 300);
    long_name[300] = '\0';
    set_refused(&c, "group.id", long_name, CLIENT_CONFIG_ELIMIT,
                "group.id is 300 bytes; kraftsim keeps at most 255");
}
END_TEST

START_TEST(unknown_keys_name_themselves_and_the_nearest_known_key)
{
    struct client_config p = producer("3.4");
    set_refused(&p, "lingr.ms", "5", CLIENT_CONFIG_EUNKNOWN,
                "unknown producer setting 'lingr.ms' (did you mean 'linger.ms'?)");
    set_refused(&p, "enable.idempotency", "true", CLIENT_CONFIG_EUNKNOWN,
                "unknown producer setting 'enable.idempotency' (did you mean "
                "'enable.idempotence'?)");
    /* the nearest key of the release, not one it lacks (retry.backoff.max.ms is 3.7's) */
    set_refused(&p, "retry.backoff.max", "5", CLIENT_CONFIG_EUNKNOWN,
                "unknown producer setting 'retry.backoff.max' (did you mean "
                "'retry.backoff.ms'?)");
    set_refused(&p, "group.id", "g", CLIENT_CONFIG_EUNKNOWN,
                "'group.id' is a consumer setting, not a producer one");
    set_refused(&p, "retry.backoff.max.ms", "500", CLIENT_CONFIG_ERELEASE,
                "'retry.backoff.max.ms' is not a producer setting in Kafka 3.4 (added in 3.7)");
    set_refused(&p, "transactional.id", "tx-1", CLIENT_CONFIG_EUNMODELLED,
                "transactional.id is not modelled yet: kraftsim's producers have no "
                "transactions (no AddPartitionsToTxn, EndTxn or markers); leave it unset for an "
                "idempotent producer");
    struct client_config c = consumer("3.5");
    set_refused(&c, "group.protocol", "classic", CLIENT_CONFIG_ERELEASE,
                "'group.protocol' is not a consumer setting in Kafka 3.5 (added in 3.7)");
    set_refused(&c, "sesion.timeout.ms", "1", CLIENT_CONFIG_EUNKNOWN,
                "unknown consumer setting 'sesion.timeout.ms' (did you mean "
                "'session.timeout.ms'?)");
    set_refused(&c, "acks", "1", CLIENT_CONFIG_EUNKNOWN,
                "'acks' is a producer setting, not a consumer one");
}
END_TEST

/* Errors stay one line, cut at the caller's buffer. */
START_TEST(errors_fit_the_callers_buffer)
{
    struct client_config p = producer("trunk");
    char small[16];
    int rc = client_config_set(&p, "lingr.ms", "5", small, sizeof small);
    ck_assert_int_eq(rc, CLIENT_CONFIG_EUNKNOWN);
    ck_assert_str_eq(small, "unknown produce");
    char huge[2048];
    memset(huge, '1', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    rc = client_config_set(&p, "linger.ms", huge, err, sizeof err);
    ck_assert_int_eq(rc, CLIENT_CONFIG_ELIMIT);
    ck_assert_str_eq(err, "the value of linger.ms is over 1023 bytes");
}
END_TEST

/* ---------------------------------------------------------------------------------------- */
/* Idempotence, per release                                                                 */

static const char acks_message[] = "Must set acks to all in order to use the idempotent producer. "
                                   "Otherwise we cannot guarantee idempotence.";
static const char retries_message[] =
    "Must set retries to non-zero when using the idempotent producer.";
static const char in_flight_message[] = "Must set max.in.flight.requests.per.connection to at "
                                        "most 5 to use the idempotent producer.";

/* What an untouched producer of each release runs with. 3.1.0's default is true, but its
 * ProducerConfig.idempotenceEnabled() (P:516) only reads an explicit setting (KAFKA-13598). */
START_TEST(an_untouched_producer_is_idempotent_from_3_2_on)
{
    for (size_t i = 0; i < RELEASE_COUNT; i++) {
        struct client_config p = producer(releases[i]);
        finish_ok(&p);
        bool want = rel(releases[i])->number >= 302;
        ck_assert_msg(p.idempotent == want, "%s", releases[i]);
        ck_assert(p.finished && p.derived == 0);
    }
    struct client_config p31 = producer("3.1");
    set_ok(&p31, "enable.idempotence", "true");
    finish_ok(&p31);
    ck_assert(p31.idempotent);
}
END_TEST

/* 2.4.1 KafkaProducer.configureInflightRequests/Retries/Acks (K:567, 549, 575). */
START_TEST(idempotence_in_2_4_is_opt_in_and_forces_acks_all)
{
    struct client_config p = producer("2.4");
    set_ok(&p, "enable.idempotence", "true");
    finish_ok(&p);
    ck_assert(p.idempotent && p.acks == CLIENT_ACKS_ALL);
    ck_assert_str_eq(describe(&p), "producer (Kafka 2.4): acks=all(derived) "
                                   "enable.idempotence=true");
    p = producer("2.4");
    set_ok(&p, "enable.idempotence", "true");
    set_ok(&p, "acks", "1");
    finish_refused(&p, acks_message);
    set_ok(&p, "max.in.flight.requests.per.connection", "6");
    finish_refused(&p, in_flight_message); /* newSender checks in-flight before acks */
    p = producer("2.4");
    set_ok(&p, "enable.idempotence", "true");
    set_ok(&p, "retries", "0");
    finish_refused(&p, retries_message);
    p = producer("2.4");
    set_ok(&p, "acks", "0");
    set_ok(&p, "max.in.flight.requests.per.connection", "10");
    finish_ok(&p);
    ck_assert(!p.idempotent && p.acks == CLIENT_ACKS_NONE);
}
END_TEST

/* 3.1.0 ProducerConfig.maybeOverrideAcksAndRetries (P:468) then KafkaProducer (K:546). */
START_TEST(idempotence_in_3_1_0_is_strict_and_checks_acks_before_in_flight)
{
    struct client_config p = producer("3.1");
    set_ok(&p, "acks", "1");
    set_ok(&p, "max.in.flight.requests.per.connection", "6");
    finish_ok(&p); /* not set explicitly, so not idempotent, so nothing to check */
    ck_assert(!p.idempotent && p.enable_idempotence);
    p = producer("3.1");
    set_ok(&p, "enable.idempotence", "true");
    set_ok(&p, "acks", "1");
    set_ok(&p, "max.in.flight.requests.per.connection", "6");
    finish_refused(&p, acks_message);
    p = producer("3.1");
    set_ok(&p, "enable.idempotence", "true");
    set_ok(&p, "max.in.flight.requests.per.connection", "6");
    finish_refused(&p, in_flight_message);
    p = producer("3.1");
    set_ok(&p, "enable.idempotence", "true");
    set_ok(&p, "retries", "0");
    finish_refused(&p, retries_message);
}
END_TEST

/* 3.4.0 P:510-560 (KAFKA-13673), the same to 3.9: a defaulted idempotence gives way. */
START_TEST(idempotence_from_3_2_gives_way_unless_it_was_asked_for)
{
    static const struct {
        const char *key, *value;
    } conflicts[] = {{"acks", "1"}, {"acks", "0"}, {"retries", "0"},
                     {"max.in.flight.requests.per.connection", "6"}};
    static const char *const messages[] = {acks_message, acks_message, retries_message,
                                           in_flight_message};
    for (size_t i = 0; i < 4; i++) {
        struct client_config p = producer("3.4");
        set_ok(&p, conflicts[i].key, conflicts[i].value);
        finish_ok(&p);
        ck_assert_msg(!p.idempotent && !p.enable_idempotence, "%s", conflicts[i].key);
        ck_assert(strstr(describe(&p), "enable.idempotence=false(derived)") != NULL);
        p = producer("3.9");
        set_ok(&p, "enable.idempotence", "true");
        set_ok(&p, conflicts[i].key, conflicts[i].value);
        finish_refused(&p, messages[i]);
        p = producer("3.9");
        set_ok(&p, "enable.idempotence", "false");
        set_ok(&p, conflicts[i].key, conflicts[i].value);
        finish_ok(&p);
        ck_assert(!p.idempotent && p.derived == 0);
    }
    struct client_config p = producer("3.4");
    set_ok(&p, "acks", "1");
    finish_ok(&p);
    ck_assert_str_eq(describe(&p),
                     "producer (Kafka 3.4): acks=1 enable.idempotence=false(derived)");
}
END_TEST

/* 4.0 P:596-598, trunk P:673-675: in-flight > 5 always throws while idempotence is on. */
START_TEST(idempotence_from_4_0_refuses_in_flight_over_5_even_when_defaulted)
{
    static const char *const later[] = {"4.0", "4.1", "trunk"};
    for (size_t i = 0; i < 3; i++) {
        struct client_config p = producer(later[i]);
        set_ok(&p, "max.in.flight.requests.per.connection", "6");
        finish_refused(&p, "To use the idempotent producer, "
                           "max.in.flight.requests.per.connection must be set to at most 5. "
                           "Current value is 6.");
        /* acks=1 marks idempotence for disabling, but the in-flight check still runs */
        p = producer(later[i]);
        set_ok(&p, "acks", "1");
        set_ok(&p, "max.in.flight.requests.per.connection", "6");
        ck_assert_int_eq(client_config_finish(&p, err, sizeof err), CLIENT_CONFIG_EINVALID);
        p = producer(later[i]);
        set_ok(&p, "enable.idempotence", "false");
        set_ok(&p, "max.in.flight.requests.per.connection", "6");
        finish_ok(&p);
        ck_assert(!p.idempotent);
        p = producer(later[i]);
        set_ok(&p, "acks", "0");
        finish_ok(&p);
        ck_assert(!p.idempotent && !p.enable_idempotence);
        p = producer(later[i]);
        set_ok(&p, "enable.idempotence", "true");
        set_ok(&p, "retries", "0");
        finish_refused(&p, retries_message);
    }
}
END_TEST

/* KafkaProducer.configureDeliveryTimeout (2.4.1 K:492, trunk K:631). */
START_TEST(delivery_timeout_covers_linger_and_request_timeout)
{
    struct client_config p = producer("trunk");
    set_ok(&p, "request.timeout.ms", "200000");
    finish_ok(&p);
    ck_assert_int_eq(p.delivery_timeout_ms, 200005); /* trunk's linger.ms is 5 */
    ck_assert_str_eq(describe(&p), "producer (Kafka trunk): delivery.timeout.ms=200005(derived) "
                                   "request.timeout.ms=200000");
    p = producer("3.9");
    set_ok(&p, "delivery.timeout.ms", "30000");
    finish_ok(&p); /* linger 0 + request 30000 */
    p = producer("4.0");
    set_ok(&p, "delivery.timeout.ms", "30000");
    finish_refused(&p, "delivery.timeout.ms should be equal to or larger than linger.ms + "
                       "request.timeout.ms");
    p = producer("2.4");
    set_ok(&p, "linger.ms", "9223372036854775807"); /* capped at Integer.MAX_VALUE */
    finish_ok(&p);
    ck_assert_int_eq(p.delivery_timeout_ms, INT32_MAX);
}
END_TEST

/* ---------------------------------------------------------------------------------------- */
/* Consumer rules and describe                                                              */

START_TEST(consumer_rules_follow_the_group)
{
    struct client_config c = consumer("3.7");
    finish_ok(&c); /* no group.id: auto commit off (maybeOverrideEnableAutoCommit) */
    ck_assert(!c.enable_auto_commit);
    ck_assert_str_eq(describe(&c), "consumer (Kafka 3.7): enable.auto.commit=false(derived)");
    c = consumer("2.4");
    set_ok(&c, "enable.auto.commit", "true");
    finish_refused(&c, "enable.auto.commit cannot be set to true when default group id (null) "
                       "is used.");
    c = consumer("3.4");
    set_ok(&c, "group.id", "g");
    set_ok(&c, "heartbeat.interval.ms", "45000");
    finish_refused(&c, "Heartbeat must be set lower than the session timeout");
    c = consumer("2.4");
    set_ok(&c, "group.id", "g");
    set_ok(&c, "heartbeat.interval.ms", "10000"); /* 2.4's session timeout is 10000 */
    finish_refused(&c, "Heartbeat must be set lower than the session timeout");
    c = consumer("3.1");
    set_ok(&c, "group.id", "g");
    set_ok(&c, "heartbeat.interval.ms", "10000");
    finish_ok(&c);
    ck_assert(c.enable_auto_commit && c.derived == 0);
}
END_TEST

START_TEST(describe_prints_what_differs_from_the_release)
{
    struct client_config p = producer("4.1");
    ck_assert_str_eq(describe(&p), "producer (Kafka 4.1): release defaults");
    set_ok(&p, "linger.ms", "5");  /* 4.1's default: not printed */
    set_ok(&p, "acks", "-1");      /* the same as all */
    set_ok(&p, "batch.size", "65536");
    ck_assert_str_eq(describe(&p), "producer (Kafka 4.1): batch.size=65536");
    struct client_config q = producer("3.9");
    set_ok(&q, "linger.ms", "5"); /* 3.9's default is 0 */
    ck_assert_str_eq(describe(&q), "producer (Kafka 3.9): linger.ms=5");
    struct client_config c = consumer("2.4");
    set_ok(&c, "group.id", "orders");
    set_ok(&c, "session.timeout.ms", "45000");
    set_ok(&c, "partition.assignment.strategy", coop);
    finish_ok(&c);
    ck_assert_str_eq(describe(&c), "consumer (Kafka 2.4): group.id=orders "
                                   "session.timeout.ms=45000 partition.assignment.strategy="
                                   "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
    struct client_config e = consumer("trunk");
    set_ok(&e, "group.id", " ");
    ck_assert_str_eq(describe(&e), "consumer (Kafka trunk): group.id=\"\"");
}
END_TEST

/* The Lua layer feeds a table's keys in sorted order; any order gives the same settings. */
START_TEST(settings_do_not_depend_on_the_order_they_arrive_in)
{
    static const char *const kv[][2] = {
        {"acks", "1"},      {"batch.size", "1024"},   {"delivery.timeout.ms", "60000"},
        {"linger.ms", "10"}, {"request.timeout.ms", "20000"}, {"retries", "3"},
    };
    const size_t n = sizeof kv / sizeof kv[0];
    struct client_config sorted = producer("3.7");
    struct client_config reversed = producer("3.7");
    for (size_t i = 0; i < n; i++) {
        set_ok(&sorted, kv[i][0], kv[i][1]);
        set_ok(&reversed, kv[n - 1 - i][0], kv[n - 1 - i][1]);
    }
    finish_ok(&sorted);
    finish_ok(&reversed);
    ck_assert(memcmp(&sorted, &reversed, sizeof sorted) == 0);
    ck_assert(!sorted.idempotent && sorted.retries == 3 && sorted.linger_ms == 10);
    ck_assert_int_eq(sorted.retry_backoff_max_ms, 1000);
    struct client_config old = producer("3.5");
    set_ok(&old, "retry.backoff.ms", "250");
    finish_ok(&old);
    ck_assert_int_eq(old.retry_backoff_max_ms, 250); /* before KIP-580: a constant backoff */
}
END_TEST

static Suite *client_config_suite(void)
{
    Suite *s = suite_create("client_config");
    TCase *defaults = tcase_create("defaults");
    tcase_add_test(defaults, defaults_that_changed_follow_each_release);
    tcase_add_test(defaults, defaults_that_never_changed_hold_in_every_release);
    tcase_add_test(defaults, every_default_parses_in_every_release_and_keys_are_unique);
    suite_add_tcase(s, defaults);
    TCase *parsing = tcase_create("parsing");
    tcase_add_test(parsing, numbers_and_booleans_parse_as_configdef_does);
    tcase_add_test(parsing, ranges_are_refused_with_kafkas_words);
    tcase_add_test(parsing, enums_keep_kafkas_case_rules);
    tcase_add_test(parsing, compression_names_are_checked_as_each_release_checks_them);
    tcase_add_test(parsing, auto_offset_reset_by_duration_is_4_0s_and_not_modelled);
    tcase_add_test(parsing, partitioner_classes_follow_the_release);
    tcase_add_test(parsing, assignor_lists_parse_and_refuse_as_kafka_and_kraftsim_do);
    tcase_add_test(parsing, group_instance_ids_are_checked_in_each_releases_words);
    tcase_add_test(parsing, unknown_keys_name_themselves_and_the_nearest_known_key);
    tcase_add_test(parsing, errors_fit_the_callers_buffer);
    suite_add_tcase(s, parsing);
    TCase *idempotence = tcase_create("idempotence");
    tcase_add_test(idempotence, an_untouched_producer_is_idempotent_from_3_2_on);
    tcase_add_test(idempotence, idempotence_in_2_4_is_opt_in_and_forces_acks_all);
    tcase_add_test(idempotence, idempotence_in_3_1_0_is_strict_and_checks_acks_before_in_flight);
    tcase_add_test(idempotence, idempotence_from_3_2_gives_way_unless_it_was_asked_for);
    tcase_add_test(idempotence, idempotence_from_4_0_refuses_in_flight_over_5_even_when_defaulted);
    tcase_add_test(idempotence, delivery_timeout_covers_linger_and_request_timeout);
    suite_add_tcase(s, idempotence);
    TCase *rest = tcase_create("consumer and describe");
    tcase_add_test(rest, consumer_rules_follow_the_group);
    tcase_add_test(rest, describe_prints_what_differs_from_the_release);
    tcase_add_test(rest, settings_do_not_depend_on_the_order_they_arrive_in);
    suite_add_tcase(s, rest);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(client_config_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failures = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failures == 0 ? 0 : 1;
}
