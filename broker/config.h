/* config.h — a Kafka server's configuration: Java properties in, struct kafka_config out. */
#ifndef KRAFTSIM_CONFIG_H
#define KRAFTSIM_CONFIG_H

/*
 * What this module owns
 * ---------------------
 * 1. A Java properties parser with java.util.Properties.load semantics (comments, the three
 *    separators, continuations, escapes; the last duplicate wins and keeps its line).
 * 2. The table of server config keys kraftsim knows: name, Kafka type, default, importance, a
 *    short doc, the release that added it, and whether kraftsim models it or only accepts it.
 *    An unknown key is an error: Kafka only warns, but a typo in a simulated config would
 *    silently change the experiment.
 * 3. struct kafka_config: one field per modelled key, named after the key (dots -> '_').
 * 4. Validation with Kafka's own messages (KafkaConfig.scala, QuorumConfig.java, ConfigDef.java);
 *    checks Kafka makes with Scala's require() keep its "requirement failed: " prefix.
 * 5. The release (`kafka.version`) and its switches (`kraftsim.switch.*`), see release.h.
 *
 * Defaults are trunk's (KRAFT.md section 4), then the release's own (release.h) where an older
 * release differed (2.4: replica.lag.time.max.ms=10000, ...).
 *
 * Errors are operating errors: every function that can fail returns a CONFIG_* code and fills
 * struct config_error with one line, "<file>:<line>: <message>" when a line is known, else
 * "<file>: <message>" (the file is "config" when the caller gives none, and "--override" for
 * overrides). Messages name the key. Nothing here asserts on input.
 *
 * Nothing here reads a clock or a random stream; the only file access is config_load_file(),
 * which the simulation never calls during a run. Tables are iterated in their fixed order and
 * rendered output is sorted by key, so the same input always gives the same bytes.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "env.h"
#include "release.h"

#define CONFIG_ERRORS(X)                                                                       \
    X(CONFIG_OK, "ok")                                                                         \
    X(CONFIG_ESYNTAX, "malformed properties text")                                             \
    X(CONFIG_EUNKNOWN, "unknown config key")                                                   \
    X(CONFIG_EVALUE, "invalid value for a config key")                                         \
    X(CONFIG_EMISSING, "missing required config key")                                          \
    X(CONFIG_EINVALID, "config keys contradict each other")                                    \
    X(CONFIG_ERELEASE, "key or mode not available in the chosen Kafka release")                \
    X(CONFIG_ESWITCH, "unknown switch or invalid switch value")                                \
    X(CONFIG_ELIMIT, "config exceeds kraftsim's fixed limits")                                 \
    X(CONFIG_EIO, "cannot read config file")

enum config_err {
#define CONFIG_ERR_ENUM(name, msg) name,
    CONFIG_ERRORS(CONFIG_ERR_ENUM)
#undef CONFIG_ERR_ENUM
        CONFIG_ERR_COUNT
};

const char *config_err_name(int code);
const char *config_err_message(int code);

#define CONFIG_ERROR_BYTES 512

/* One line, NUL-terminated, no newline. Empty after success. */
struct config_error {
    char message[CONFIG_ERROR_BYTES];
};

/* Prefixes `err` with a context ("host kafka-zk01: ") as the error moves up. */
void config_error_wrapf(struct config_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Fixed limits: a config that exceeds one is rejected with CONFIG_ELIMIT, never truncated. */
enum {
    CONFIG_HOST_BYTES = 256,        /* host names up to 255 bytes */
    CONFIG_NAME_BYTES = 64,         /* listener names */
    CONFIG_PATH_BYTES = 256,        /* directories */
    CONFIG_ZK_CONNECT_BYTES = 1024, /* zookeeper.connect */
    CONFIG_VOTERS_MAX = 16,
    CONFIG_ENDPOINTS_MAX = 16,      /* bootstrap servers, listeners, controller listener names */
    CONFIG_LOG_DIRS_MAX = 8,
    CONFIG_PROPERTIES_MAX = 256,    /* distinct keys in one config */
    CONFIG_POOL_BYTES = 16384,      /* key and value text of one config */
    CONFIG_LINE_BYTES = 8192,       /* one logical properties line */
    CONFIG_FILE_BYTES_MAX = 1 << 20 /* config_load_file */
};

/* ---------------------------------------------------------------------------------------- */
/* Java properties                                                                          */

/* Where a property came from: the file (line = its line) or an --override (line = index+1). */
enum config_origin { CONFIG_ORIGIN_FILE = 0, CONFIG_ORIGIN_OVERRIDE = 1 };

struct config_property {
    uint32_t key_at;   /* offset of the NUL-terminated key in the pool */
    uint32_t value_at; /* offset of the NUL-terminated value in the pool */
    int32_t line;      /* natural line where the winning assignment started, 1-based */
    uint8_t origin;    /* enum config_origin */
};

/*
 * Properties in first-appearance order; a later duplicate replaces the value and the line.
 * Offsets, not pointers, so a copied struct stays valid. At all times pool_used <= sizeof pool
 * and every offset < pool_used.
 */
struct config_properties {
    struct config_property items[CONFIG_PROPERTIES_MAX];
    size_t count;
    char pool[CONFIG_POOL_BYTES];
    uint32_t pool_used;
    char source[CONFIG_PATH_BYTES]; /* the file name used in messages */
};

/*
 * Parses `len` bytes of properties text (java.util.Properties.load). `filename` names the
 * source in messages (NULL: "config"). Bytes >= 0x80 pass through unchanged (Kafka reads
 * ISO 8859-1; kraftsim keeps UTF-8 as UTF-8); \uXXXX escapes are written as UTF-8.
 */
int config_properties_parse(const char *text, size_t len, const char *filename,
                            struct config_properties *out, struct config_error *err);
/* Adds or replaces one property. */
int config_properties_put(struct config_properties *p, const char *key, const char *value,
                          int line, enum config_origin origin, struct config_error *err);
/* The property named `key`, or NULL. */
const struct config_property *config_properties_find(const struct config_properties *p,
                                                     const char *key);
static inline const char *config_property_key(const struct config_properties *p,
                                              const struct config_property *item)
{
    return p->pool + item->key_at;
}
static inline const char *config_property_value(const struct config_properties *p,
                                                const struct config_property *item)
{
    return p->pool + item->value_at;
}

/* ---------------------------------------------------------------------------------------- */
/* The key table                                                                            */

/* ConfigDef.Type (clients/.../common/config/ConfigDef.java). */
#define CONFIG_TYPES(X)                                                                        \
    X(CONFIG_TYPE_BOOLEAN, "BOOLEAN")                                                          \
    X(CONFIG_TYPE_SHORT, "SHORT")                                                              \
    X(CONFIG_TYPE_INT, "INT")                                                                  \
    X(CONFIG_TYPE_LONG, "LONG")                                                                \
    X(CONFIG_TYPE_DOUBLE, "DOUBLE")                                                            \
    X(CONFIG_TYPE_STRING, "STRING")                                                            \
    X(CONFIG_TYPE_LIST, "LIST")                                                                \
    X(CONFIG_TYPE_PASSWORD, "PASSWORD")                                                        \
    X(CONFIG_TYPE_CLASS, "CLASS")

enum config_type {
#define CONFIG_TYPE_ENUM(name, text) name,
    CONFIG_TYPES(CONFIG_TYPE_ENUM)
#undef CONFIG_TYPE_ENUM
        CONFIG_TYPE_COUNT
};

const char *config_type_name(enum config_type type);

enum config_importance { CONFIG_HIGH, CONFIG_MEDIUM, CONFIG_LOW };

#define CONFIG_MIN_NONE INT64_MIN

struct kafka_config;

/*
 * One known key. `default_text` is the default as Kafka documents it (NULL: null). A modelled
 * key is stored in struct kafka_config: scalars at `offset`, the rest through `set`/`render`.
 * An accepted key is parsed and type-checked like Kafka does, kept as text, and has no effect
 * on the simulation. `since` is the first release (major*100+minor) with the key; setting it
 * under an older kafka.version is an error. `min` is a ConfigDef.Range.atLeast bound;
 * `min_kraftsim` marks a bound kraftsim adds where Kafka has none (a negative timeout).
 */
struct config_key {
    const char *name;
    enum config_type type;
    const char *default_text;
    enum config_importance importance;
    bool modelled;
    int since;
    int64_t min;
    bool min_kraftsim;
    size_t offset; /* scalars only; 0 when `set` is used */
    int (*set)(struct kafka_config *cfg, const char *value, char *msg, size_t cap);
    bool (*render)(const struct kafka_config *cfg, char *buf, size_t cap); /* false: null */
    const char *doc;
};

/* All known keys, sorted by name (config_keys_check holds it to that). */
const struct config_key *config_keys(size_t *count);
/* The key named `name`, or NULL (binary search). */
const struct config_key *config_key_find(const char *name);
/* True iff the table is sorted with unique names and every default parses. */
bool config_keys_check(void);
/* Prefixes accepted as a whole ("ssl.", "sasl.", "listener.name."): no effect in kraftsim. */
bool config_key_prefix_accepted(const char *name);

/*
 * Bitnami's mapping from an environment variable to a key: KAFKA_CFG_LOG_DIRS -> log.dirs
 * (strip KAFKA_CFG_, lowercase, '_' -> '.'). False if `env_name` is not KAFKA_CFG_* or `out`
 * is too small.
 */
bool config_key_from_env(const char *env_name, char *out, size_t cap);

/* ---------------------------------------------------------------------------------------- */
/* The typed config                                                                         */

enum config_role { CONFIG_ROLE_BROKER = 1u << 0, CONFIG_ROLE_CONTROLLER = 1u << 1 };
enum config_mode { CONFIG_MODE_ZOOKEEPER, CONFIG_MODE_KRAFT };

/* SecurityProtocol.java */
#define CONFIG_SECURITY_PROTOCOLS(X)                                                           \
    X(CONFIG_PROTOCOL_PLAINTEXT, "PLAINTEXT")                                                  \
    X(CONFIG_PROTOCOL_SSL, "SSL")                                                              \
    X(CONFIG_PROTOCOL_SASL_PLAINTEXT, "SASL_PLAINTEXT")                                        \
    X(CONFIG_PROTOCOL_SASL_SSL, "SASL_SSL")

enum config_security_protocol {
#define CONFIG_PROTOCOL_ENUM(name, text) name,
    CONFIG_SECURITY_PROTOCOLS(CONFIG_PROTOCOL_ENUM)
#undef CONFIG_PROTOCOL_ENUM
        CONFIG_PROTOCOL_COUNT
};

const char *config_security_protocol_name(enum config_security_protocol protocol);

/* One entry of controller.quorum.voters: "{id}@{host}:{port}" (QuorumConfig.java). */
struct config_voter {
    int32_t id;
    char host[CONFIG_HOST_BYTES];
    int32_t port;
};

/* One entry of controller.quorum.bootstrap.servers: "{host}:{port}". */
struct config_endpoint {
    char host[CONFIG_HOST_BYTES];
    int32_t port;
};

/* One entry of listeners / advertised.listeners: "NAME://host:port". */
struct config_listener {
    char name[CONFIG_NAME_BYTES]; /* upper-cased, as ListenerName.normalised does */
    char host[CONFIG_HOST_BYTES]; /* "" = the wildcard address (Kafka stores null) */
    int32_t port;
};

/* One entry of listener.security.protocol.map: "NAME:PROTOCOL". */
struct config_protocol_mapping {
    char listener[CONFIG_NAME_BYTES]; /* upper-cased */
    enum config_security_protocol protocol;
};

/*
 * A Kafka server's configuration. Each field backing a key is named after it (dots -> '_').
 * Rules after a successful config_parse:
 * - mode == KRAFT iff process_roles != 0, and the release supports that mode;
 * - node_id == broker_id (KafkaConfig.populateSynonyms copies whichever one was set);
 * - log_dirs_count >= 1 (log.dirs if set, else log.dir);
 * - counts never exceed their arrays; strings are NUL-terminated.
 * An empty string means Kafka's null for the nullable string keys.
 */
struct kafka_config {
    const struct kafka_release *release; /* kafka.version */
    struct kafka_switches switches;      /* the release's, then kraftsim.switch.* */
    enum config_mode mode;

    /* Node (KRaftConfigs.java, ServerConfigs.java) */
    unsigned process_roles; /* CONFIG_ROLE_* bits; 0 = ZooKeeper mode (3.x) */
    int32_t node_id;        /* -1 = unset */
    int32_t broker_id;      /* -1 = unset (ZooKeeper mode may generate one) */
    bool broker_id_generation_enable;
    int32_t reserved_broker_max_id;
    int32_t broker_heartbeat_interval_ms;
    int32_t broker_session_timeout_ms;

    /* Quorum (QuorumConfig.java) */
    struct config_voter controller_quorum_voters[CONFIG_VOTERS_MAX];
    size_t controller_quorum_voters_count;
    struct config_endpoint controller_quorum_bootstrap_servers[CONFIG_ENDPOINTS_MAX];
    size_t controller_quorum_bootstrap_servers_count;
    int32_t controller_quorum_election_timeout_ms;
    int32_t controller_quorum_fetch_timeout_ms;
    int32_t controller_quorum_election_backoff_max_ms;
    int32_t controller_quorum_request_timeout_ms;
    int32_t controller_quorum_retry_backoff_ms;
    int32_t controller_quorum_append_linger_ms;
    bool controller_quorum_auto_join_enable;
    int32_t controller_quorum_fetch_max_bytes;
    int32_t controller_quorum_fetch_snapshot_max_bytes;

    /* Listeners (SocketServerConfigs.java, KRaftConfigs.java, ReplicationConfigs.java) */
    char controller_listener_names[CONFIG_ENDPOINTS_MAX][CONFIG_NAME_BYTES];
    size_t controller_listener_names_count;
    struct config_listener listeners[CONFIG_ENDPOINTS_MAX];
    size_t listeners_count;
    struct config_listener advertised_listeners[CONFIG_ENDPOINTS_MAX];
    size_t advertised_listeners_count;
    bool advertised_listeners_set; /* false: advertise `listeners` */
    struct config_protocol_mapping listener_security_protocol_map[CONFIG_ENDPOINTS_MAX];
    size_t listener_security_protocol_map_count;
    bool listener_security_protocol_map_set; /* false: the default map */
    char inter_broker_listener_name[CONFIG_NAME_BYTES]; /* "" = from the security protocol */

    /* Directories (ServerLogConfigs.java, MetadataLogConfig.java) */
    char log_dir[CONFIG_PATH_BYTES];
    char log_dirs[CONFIG_LOG_DIRS_MAX][CONFIG_PATH_BYTES]; /* effective: log.dirs or log.dir */
    size_t log_dirs_count;
    bool log_dirs_set;
    char metadata_log_dir[CONFIG_PATH_BYTES]; /* "" = the first of log_dirs */

    /* Metadata log (MetadataLogConfig.java) */
    int32_t metadata_log_segment_bytes;
    int64_t metadata_log_segment_ms;
    int64_t metadata_log_max_record_bytes_between_snapshots;
    int64_t metadata_max_retention_bytes; /* KafkaMetadataLog retention: -1 = none */
    int64_t metadata_max_retention_ms;
    int64_t metadata_log_max_snapshot_interval_ms;
    int32_t metadata_max_idle_interval_ms;

    /* Replication (ReplicationConfigs.java, ServerLogConfigs.java) */
    int64_t replica_lag_time_max_ms;
    int32_t replica_fetch_wait_max_ms;
    int32_t replica_fetch_max_bytes;
    int32_t replica_socket_timeout_ms;
    bool unclean_leader_election_enable;
    int64_t unclean_leader_election_interval_ms;
    int32_t min_insync_replicas;
    int32_t default_replication_factor;
    int32_t num_partitions;
    bool auto_create_topics_enable;
    bool delete_topic_enable;

    /* Log (ServerLogConfigs.java, LogConfig.java) */
    int64_t log_flush_interval_messages;
    int64_t log_flush_interval_ms; /* -1 = null: use log_flush_scheduler_interval_ms */
    int64_t log_flush_scheduler_interval_ms;
    int32_t log_segment_bytes;
    int32_t message_max_bytes;
    int64_t log_retention_bytes;             /* -1: none */
    int64_t log_retention_check_interval_ms;
    int32_t log_retention_hours;
    int64_t log_retention_minutes;           /* CONFIG_NULL_LONG: null (hours rule) */
    int64_t log_retention_ms;                /* CONFIG_NULL_LONG: null (minutes rule) */
    int32_t log_roll_hours;
    int64_t log_roll_ms;                     /* CONFIG_NULL_LONG: null (hours rule) */
    int32_t log_index_interval_bytes;
    int32_t log_index_size_max_bytes;
    int32_t log_flush_offset_checkpoint_interval_ms;
    int32_t replica_fetch_backoff_ms;
    int32_t replica_fetch_min_bytes;
    int32_t replica_fetch_response_max_bytes;
    int64_t replica_high_watermark_checkpoint_interval_ms;

    /* Internal topics (GroupCoordinatorConfig.java, TransactionLogConfig.java) */
    int16_t offsets_topic_replication_factor;
    int32_t offsets_topic_num_partitions;
    int16_t transaction_state_log_replication_factor;
    int32_t transaction_state_log_min_isr;
    int32_t group_initial_rebalance_delay_ms;

    /* ZooKeeper (ZkConfigs.java; ZooKeeper mode only) */
    char zookeeper_connect[CONFIG_ZK_CONNECT_BYTES]; /* "" = null */
    int32_t zookeeper_session_timeout_ms;

    /* Every property as written (file, then overrides): for lines in messages and rendering. */
    struct config_properties source;
};

/* A LONG key whose Kafka default is null (log.retention.ms, log.roll.ms, ...). */
#define CONFIG_NULL_LONG INT64_MIN

/* The effective retention and roll times of the log.* keys, with Kafka's precedence
 * (LogConfig: log.retention.ms, else minutes, else hours; log.roll.ms, else hours). */
int64_t config_log_retention_ms(const struct kafka_config *cfg);
int64_t config_log_roll_ms(const struct kafka_config *cfg);

/* trunk's defaults, then `release`'s (NULL: trunk). Nothing is marked as set. */
void config_defaults(struct kafka_config *cfg, const struct kafka_release *release);

/*
 * Parses a config file's text, then `overrides` ("key=value", applied after the file as
 * kafka-server-start.sh --override does). Applies defaults, kafka.version, types, ranges,
 * kraftsim.switch.*, then config_validate(). On error `out` is unspecified.
 */
/* Integer.parseInt / Long.parseLong, as Kafka's ConfigDef reads a number: an optional sign,
 * then at least one ASCII digit, within [min, max]. False for anything else. */
bool config_parse_integer(const char *text, int64_t min, int64_t max, int64_t *out);
int config_parse(const char *text, size_t len, const char *filename, struct kafka_config *out,
                 struct config_error *err);
int config_parse_overrides(const char *text, size_t len, const char *filename,
                           const char *const *overrides, size_t override_count,
                           struct kafka_config *out, struct config_error *err);

/* Reads the whole file at `path` with stdio and parses it. The only filesystem access here. */
int config_load_file(const char *path, const char *const *overrides, size_t override_count,
                     struct kafka_config *out, struct config_error *err);

/* The mode rules: config_validate_kraft or config_validate_zookeeper, then listener rules. */
int config_validate(const struct kafka_config *cfg, struct config_error *err);
/* KRaft rules: node.id, process.roles vs controller.quorum.voters, controller listeners. */
int config_validate_kraft(const struct kafka_config *cfg, struct config_error *err);
/* ZooKeeper rules: zookeeper.connect, broker.id, no controller listeners. */
int config_validate_zookeeper(const struct kafka_config *cfg, struct config_error *err);

/* Whether the property `key` was set (by the file or an override). */
bool config_is_set(const struct kafka_config *cfg, const char *key);
/* The directory holding __cluster_metadata-0: metadata.log.dir, else the first log dir. */
const char *config_metadata_log_dir(const struct kafka_config *cfg);
/* inter.broker.listener.name, else the listener named after inter.broker.security.protocol. */
const char *config_inter_broker_listener_name(const struct kafka_config *cfg);
/* The listeners a broker registers and clients are told (KafkaConfig
 * .effectiveAdvertisedBrokerListeners): advertised.listeners if set, else listeners, without
 * the controller listeners. Pointers into cfg in out[CONFIG_ENDPOINTS_MAX]; returns how many. */
size_t config_advertised_broker_listeners(const struct kafka_config *cfg,
                                          const struct config_listener **out);
/* The voter with `id`, or NULL. */
const struct config_voter *config_voter_find(const struct kafka_config *cfg, int32_t id);

/*
 * The effective config as properties, one "key=value\n" per line sorted by key (strcmp):
 * every modelled key the release has, every accepted key that was set, the ssl./sasl./
 * listener.name. keys that were set, kafka.version and every kraftsim.switch.* the release
 * speaks. Omitted: null values, and listener.security.protocol.map / advertised.listeners /
 * log.dirs when unset (their absence has a meaning). Escaping is only what Properties.load
 * needs to read the text back; parsing the output renders the same text again (its switches
 * then count as overridden). Returns the length needed, like snprintf; writes at most
 * cap - 1 bytes and a NUL.
 */
size_t config_render(const struct kafka_config *cfg, char *buf, size_t cap);

#endif
