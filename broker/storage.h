/* storage.h — meta.properties: what kafka-storage.sh format writes and what a node checks. */
#ifndef KRAFTSIM_STORAGE_H
#define KRAFTSIM_STORAGE_H

/*
 * Every log directory of a KRaft node (log.dirs and metadata.log.dir) must be formatted before
 * the node starts: `kafka-storage.sh format -t <cluster id> -c server.properties` writes a
 * meta.properties into each (sc/metadata/properties/MetaProperties.java, version 1):
 *
 *   #
 *   #<a date line>
 *   cluster.id=MkU3OEVBNTcwNTJENDM2Qk
 *   directory.id=J8aAPcfLQt2bqs1JT_rMgQ
 *   node.id=1
 *   version=1
 *
 * At start the node reads them all and refuses to run, with Kafka's own message
 * (MetaPropertiesEnsemble.verify, KafkaRaftServer), when a directory is unformatted, when the
 * cluster ids differ, when the stored node id is not the configured one, or when two
 * directories share a directory id. kraftsim writes the date line from virtual time: the
 * file's bytes never depend on the wall clock.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "env.h"

#define STORAGE_DIR_MAX 16
#define STORAGE_META_FILE "meta.properties"

struct meta_properties {
    int version;          /* 1 for KRaft (0 = ZooKeeper, with broker.id) */
    char cluster_id[64];  /* "" when absent */
    int32_t node_id;      /* -1 when absent */
    char directory_id[64]; /* "" when absent */
};

/* The bytes kafka-storage.sh format writes, for virtual time `now`. */
int storage_meta_text(char *buf, size_t cap, const struct meta_properties *m, time_ns now);
/* Parses a meta.properties file's text. Returns 0, or -1 with a message naming `path`. */
int storage_meta_parse(const char *text, size_t len, const char *path,
                       struct meta_properties *out, char *err, size_t err_cap);
/* Formats each directory: writes <dir>/meta.properties through the env (the caller makes it
 * durable). `directory_ids` holds one id per directory. Returns 0 or an env error. */
int storage_format(const struct env *env, const char *const *dirs, int dir_count,
                   const char *cluster_id, int32_t node_id,
                   const char *const *directory_ids, time_ns now);
/* What a node checks at start over all its directories. On success fills *out (the cluster
 * id the node belongs to) and returns 0; else -1 with Kafka's message in err. */
int storage_check(const struct env *env, const char *const *dirs, int dir_count,
                  int32_t node_id, struct meta_properties *out, char *err, size_t err_cap);

#endif
