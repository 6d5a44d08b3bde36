/* kafka_storage.h — the operator's kafka-storage.sh: random-uuid and format, on a host's disk. */
#ifndef KRAFTSIM_KAFKA_STORAGE_H
#define KRAFTSIM_KAFKA_STORAGE_H

/*
 * Before a KRaft node first starts, its operator runs `kafka-storage.sh random-uuid` once for
 * the cluster and `kafka-storage.sh format -t <id> -c server.properties` on every node. This is
 * that step for a simulated host: it writes meta.properties into every directory the node's
 * config names and makes it durable (the tool fsyncs before it exits). Ids come from the
 * "storage" random stream of the run seed, so formatting shifts no other stream.
 */

#include "node.h"
#include "world/world.h"

#define KAFKA_STORAGE_UUID_TEXT 23

/* A Uuid.randomUuid() in its 22-character base64url text (never the reserved ids). */
void kafka_storage_random_uuid(struct rng *r, char out[KAFKA_STORAGE_UUID_TEXT]);
/* Formats the host's directories for `cfg`'s node in cluster `cluster_id`. Returns 0, or an
 * env error (a full disk). */
int kafka_storage_format(struct world *w, int host, const struct node_config *cfg,
                         const char *cluster_id);

#endif
