/* client_config.h — a simulated producer's or consumer's Kafka settings: Kafka's own keys, types,
 * ranges and each release's defaults, parsed and cross-checked the way the Java client does. */
#ifndef KRAFTSIM_CLIENT_CONFIG_H
#define KRAFTSIM_CLIENT_CONFIG_H

/*
 * What this module owns
 * ---------------------
 * One table per client kind (producer, consumer), one row per Kafka key: the key exactly as
 * ProducerConfig / ConsumerConfig / CommonClientConfigs name it, its type, its range, its
 * allowed values, the first release that has it, and its default per release. One piece of code
 * walks the rows: client_config_init parses every row's default text, client_config_set parses
 * a value as ConfigDef.parseType and the key's validator would, client_config_describe prints
 * what differs from the release. Facts come from Kafka's source at the tag each release of
 * release.h models (client_config.c cites file:line per release).
 *
 * Use (a Lua table's fields, a test, a C scenario):
 *     struct client_config cfg;
 *     client_config_init(&cfg, CLIENT_PRODUCER, release);       // the release's defaults
 *     client_config_set(&cfg, "acks", "1", err, sizeof err);      // any number, any order
 *     client_config_finish(&cfg, err, sizeof err);                // Kafka's cross-key rules
 *     if (cfg.idempotent) ...                                     // named members below
 * Keys are independent in client_config_set, so the order they arrive in does not matter: the
 * Lua layer feeds a table's string keys one by one in sorted order (sandbox_sorted_keys) and
 * calls finish once. It passes values as text: tostring() of a Lua integer or boolean is exactly
 * what Kafka parses ("5", "true"); a float ("5.0") is refused as Kafka refuses it for an INT.
 * Fields of c:producer{} / c:consumer{} that are not Kafka keys (topic, rate, group) are the
 * Lua verb's own and never reach this module.
 *
 * Errors: every function that can fail returns a client_config_status and writes one line, no
 * newline, into err (truncated to cap). The line names the key and, where Kafka has a message
 * for the case, is Kafka's wording ("Invalid value -1 for configuration linger.ms: Value must be
 * at least 0"); the caller prefixes where the value came from ("scenario.lua:12: "). Kafka only
 * warns about an unknown key; kraftsim refuses it, with the nearest known key, because a typo
 * would silently change the experiment. A key or value Kafka accepts but kraftsim does not
 * simulate yet (transactional.id, compression, the consumer group protocol) is refused with
 * "... is not modelled yet: why", never accepted and ignored.
 *
 * Nothing here reads a clock or a random stream; tables are walked in their fixed order.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "release.h"
#include "text.h"

enum client_kind { CLIENT_PRODUCER, CLIENT_CONSUMER };

const char *client_kind_name(enum client_kind kind); /* "producer", "consumer" */

enum client_config_status {
    CLIENT_CONFIG_OK = 0,
    CLIENT_CONFIG_EUNKNOWN,    /* no such key for this kind of client */
    CLIENT_CONFIG_ERELEASE,    /* the key is not in the chosen release */
    CLIENT_CONFIG_EVALUE,      /* Kafka refuses the value */
    CLIENT_CONFIG_EUNMODELLED, /* Kafka accepts it; kraftsim does not simulate it yet */
    CLIENT_CONFIG_EINVALID,    /* client_config_finish: keys contradict each other */
    CLIENT_CONFIG_ELIMIT       /* over a kraftsim fixed size (a 255-byte group.id) */
};

/* acks as the producer sends it in ProduceRequest. */
enum client_acks { CLIENT_ACKS_ALL = -1, CLIENT_ACKS_NONE = 0, CLIENT_ACKS_LEADER = 1 };

/* compression.type; the values are the record batch attribute's codec ids. */
enum client_compression {
    CLIENT_COMPRESSION_NONE = 0,
    CLIENT_COMPRESSION_GZIP = 1,
    CLIENT_COMPRESSION_SNAPPY = 2,
    CLIENT_COMPRESSION_LZ4 = 3,
    CLIENT_COMPRESSION_ZSTD = 4
};

/*
 * partitioner.class: which partition a record goes to (what a simulated producer implements).
 * BUILTIN   null, the default from 3.3 (KIP-794, BuiltInPartitioner): a keyed record goes to
 *           murmur2(key) % partitions unless partitioner.ignore.keys; an unkeyed one to a sticky
 *           partition that changes after batch.size bytes, chosen away from slow brokers when
 *           partitioner.adaptive.partitioning.enable.
 * DEFAULT   o.a.k.clients.producer.internals.DefaultPartitioner, the default to 3.2 (KIP-480):
 *           keyed murmur2; unkeyed sticky, changing partition when a batch is sent. Gone in 4.0.
 * UNIFORM_STICKY  o.a.k.clients.producer.UniformStickyPartitioner: sticky for every record,
 *           keys ignored. Gone in 4.0.
 * ROUND_ROBIN     o.a.k.clients.producer.RoundRobinPartitioner: each record the next partition.
 */
enum client_partitioner {
    CLIENT_PARTITIONER_BUILTIN,
    CLIENT_PARTITIONER_DEFAULT,
    CLIENT_PARTITIONER_UNIFORM_STICKY,
    CLIENT_PARTITIONER_ROUND_ROBIN
};

enum client_offset_reset {
    CLIENT_OFFSET_RESET_LATEST,
    CLIENT_OFFSET_RESET_EARLIEST,
    CLIENT_OFFSET_RESET_NONE
};

/* isolation.level; without transactions both read up to the high watermark. */
enum client_isolation { CLIENT_READ_UNCOMMITTED, CLIENT_READ_COMMITTED };

/* partition.assignment.strategy entries (o.a.k.clients.consumer.*Assignor). */
enum client_assignor {
    CLIENT_ASSIGNOR_RANGE,
    CLIENT_ASSIGNOR_ROUND_ROBIN,
    CLIENT_ASSIGNOR_STICKY,
    CLIENT_ASSIGNOR_COOPERATIVE_STICKY
};

/* group.protocol (3.7+). kraftsim models CLASSIC: JoinGroup, SyncGroup, Heartbeat, with the
 * assignment computed by the group leader's client. CONSUMER (KIP-848) is refused. */
enum client_group_protocol { CLIENT_GROUP_PROTOCOL_CLASSIC, CLIENT_GROUP_PROTOCOL_CONSUMER };

#define CLIENT_NAME_BYTES 256
#define CLIENT_ASSIGNORS_MAX 4

/* A nullable STRING key: !set is Kafka's null. */
struct client_name {
    bool set;
    char text[CLIENT_NAME_BYTES];
};

/* ConsumerPartitionAssignor.name(): "range", ..., "cooperative-sticky". */
const char *client_assignor_name(enum client_assignor a);

/* A LIST of assignor classes, in preference order (the group picks the first all share). */
struct client_assignors {
    enum client_assignor items[CLIENT_ASSIGNORS_MAX];
    size_t count;
};

/*
 * One client's settings. Each member backing a key is named after it (dots -> '_'), with
 * Kafka's type. After client_config_finish the members are the values the Java client would run
 * with (its post-processing applied: idempotence silently off, acks forced to all, ...), and
 * `idempotent` says whether the producer uses a producer id and sequence numbers.
 */
struct client_config {
    enum client_kind kind;
    const struct kafka_release *release;
    uint64_t set;     /* bit i: row i of the kind's table was given to client_config_set */
    uint64_t derived; /* bit i: client_config_finish changed row i (Kafka's post-processing) */
    bool finished;
    bool idempotent; /* producer, after finish */

    /* Both kinds (CommonClientConfigs) */
    int32_t request_timeout_ms;
    int64_t retry_backoff_ms;
    int64_t retry_backoff_max_ms; /* 3.7+ (KIP-580); earlier releases back off a constant
                                     retry.backoff.ms, and finish sets it to that */
    int64_t metadata_max_age_ms;

    /* Producer (ProducerConfig) */
    enum client_acks acks;
    int32_t retries;
    int32_t delivery_timeout_ms;
    int64_t linger_ms;
    int32_t batch_size;
    int32_t max_in_flight_requests_per_connection;
    bool enable_idempotence;
    int64_t max_block_ms;
    int64_t buffer_memory;
    enum client_compression compression_type;
    enum client_partitioner partitioner_class;
    bool partitioner_ignore_keys;                    /* 3.3+ */
    bool partitioner_adaptive_partitioning_enable;   /* 3.3+ */
    int64_t partitioner_availability_timeout_ms;     /* 3.3+ */
    struct client_name transactional_id;             /* always null: refused */

    /* Consumer (ConsumerConfig) */
    struct client_name group_id;
    struct client_name group_instance_id;
    int32_t session_timeout_ms;
    int32_t heartbeat_interval_ms;
    int32_t max_poll_interval_ms;
    enum client_offset_reset auto_offset_reset;
    bool enable_auto_commit;
    int32_t auto_commit_interval_ms;
    enum client_isolation isolation_level;
    int32_t fetch_min_bytes;
    int32_t fetch_max_wait_ms;
    int32_t fetch_max_bytes;
    int32_t max_partition_fetch_bytes;
    int32_t max_poll_records;
    struct client_assignors partition_assignment_strategy;
    enum client_group_protocol group_protocol; /* 3.7+ */
    int32_t default_api_timeout_ms;
};

/* ---------------------------------------------------------------------------------------- */
/* The key tables                                                                           */

/* How a row's value is written and stored. */
enum client_value_type {
    CLIENT_VALUE_INT,        /* Kafka INT: int32_t */
    CLIENT_VALUE_LONG,       /* Kafka LONG: int64_t */
    CLIENT_VALUE_BOOLEAN,    /* Kafka BOOLEAN: bool */
    CLIENT_VALUE_ENUM,       /* Kafka STRING with a ValidString: an enum member */
    CLIENT_VALUE_STRING,     /* Kafka STRING, nullable: struct client_name */
    CLIENT_VALUE_CLASS,      /* Kafka CLASS, one of `choices`: an enum member */
    CLIENT_VALUE_CLASS_LIST  /* Kafka LIST of classes: struct client_assignors */
};

/* One allowed value of an ENUM, CLASS or CLASS_LIST row. */
struct client_choice {
    const char *text;       /* as Kafka spells it */
    int value;              /* the enum member */
    int since;              /* first release with it (0: all); major*100+minor */
    int until;              /* first release without it (0: none) */
    const char *unmodelled; /* NULL, or why kraftsim refuses it */
};

struct client_config_key {
    const char *name;
    enum client_value_type type;
    const char *kafka_type;  /* ConfigDef.Type as declared: "INT", "STRING", "LIST" ... */
    size_t offset;           /* of the member in struct client_config */
    int64_t min, max;        /* INT and LONG: Kafka's Range (the type's bounds if none) */
    bool min_kraftsim;       /* `min` is kraftsim's, not Kafka's (a 0 ms heartbeat) */
    bool case_insensitive;   /* ENUM: CaseInsensitiveValidString */
    const struct client_choice *choices; /* ENUM, CLASS, CLASS_LIST; ends with {NULL} */
    const char *default_text;   /* the default from `changed_in` on, as Kafka writes it; NULL:
                                   null */
    int changed_in;             /* 0: the default never changed among modelled releases */
    const char *older_default;  /* the default before `changed_in` */
    int since;                  /* first release with the key (0: all modelled releases) */
    const char *unmodelled;     /* NULL, or why setting the key at all is refused */
    int (*parse)(struct client_config *cfg, const struct client_config_key *k,
                 const char *value, struct text *err); /* NULL: the generic parse of `type` */
    const char *doc;
};

/* The rows for `kind`, in the order describe prints them; *count of them (<= 64). */
const struct client_config_key *client_config_keys(enum client_kind kind, size_t *count);
/* The row named `name` (exactly), or NULL. */
const struct client_config_key *client_config_key_find(enum client_kind kind, const char *name);
/* Whether `release` has the key. */
bool client_config_key_in(const struct client_config_key *k, const struct kafka_release *release);
/* The key's default in `release` as Kafka writes it; NULL for null. */
const char *client_config_key_default(const struct client_config_key *k,
                                      const struct kafka_release *release);

/* ---------------------------------------------------------------------------------------- */
/* One client's settings                                                                    */

/* `release`'s defaults for every key it has (NULL: trunk). Nothing is marked set. */
void client_config_init(struct client_config *cfg, enum client_kind kind,
                        const struct kafka_release *release);

/*
 * Parses `value` for `key` as Kafka would: the text is trimmed as Java's String.trim does; INT
 * and LONG as Integer.parseInt / Long.parseLong then the key's Range; BOOLEAN "true"/"false" in
 * any case; an ENUM exactly one of its values (case-sensitive, as ValidString is; acks takes
 * all, -1, 0, 1) unless Kafka's validator ignores case (group.protocol); a CLASS its fully
 * qualified name. On error `cfg` is unchanged. A later call for the same key replaces the value.
 * Must not be called after client_config_finish.
 */
int client_config_set(struct client_config *cfg, const char *key, const char *value, char *err,
                      size_t cap);

/*
 * Kafka's cross-key rules, applied once after every set, in the order the release's client
 * applies them. Producer: the idempotence rules (ProducerConfig.postProcessAndValidate-
 * IdempotenceConfigs and its predecessors, see client_config.c) and delivery.timeout.ms >=
 * linger.ms + request.timeout.ms. Consumer: enable.auto.commit without a group.id, heartbeat
 * below the session timeout, at least one assignor. A value Kafka would change silently is
 * changed here and marked in `derived`.
 */
int client_config_finish(struct client_config *cfg, char *err, size_t cap);

/*
 * One line: the kind, the release, then every key whose value differs from the release's
 * default, in table order, as key=value (a value finish derived is followed by "(derived)"):
 * "producer (Kafka 3.4): acks=1 enable.idempotence=false(derived)". "... : release defaults"
 * when nothing differs.
 */
void client_config_describe(const struct client_config *cfg, struct text *out);

/* The value of row `k` as Kafka would print it: "all", "16384", "null", "a,b". */
void client_config_value(const struct client_config *cfg, const struct client_config_key *k,
                         struct text *out);
/* Whether `key` was given to client_config_set. */
bool client_config_is_set(const struct client_config *cfg, const char *key);

#endif
