/* deploy.h — a real deployment read from its own files: the nodes, their settings, where each
 * setting was written. */
#ifndef KRAFTSIM_DEPLOY_H
#define KRAFTSIM_DEPLOY_H

/*
 * An operator's cluster is described in files: a server.properties per node, a Docker Compose
 * file per host (each service's `environment:`, Bitnami's KAFKA_CFG_* variables), a Kubernetes
 * StatefulSet whose command line carries `--override key=value` flags (with the pod's ordinal,
 * `${HOSTNAME##*-}`, in them), and for ZooKeeper mode zoo.cfg and myid files. deploy_load reads
 * them all into one deployment: every Kafka node with its settings as Kafka keys, each key
 * remembering the file and line it was written at, so that both a lint finding and Kafka's own
 * refusal of a value name the line the operator wrote.
 *
 * Nodes are named as the deployment names them: the host of a server.properties' listeners
 * (kafka-zk01), a Compose service and its broker id when several files hold the same service
 * (kafka-1), a StatefulSet's pods (kafka-0). `address` is how the others reach a node (its
 * advertised host, "10.1.11.53"); the simulation answers that name with the node's host.
 *
 * Errors are one line, "FILE:LINE: message" or "FILE: message", and deploy_load returns false;
 * settings it cannot map (a variable that is no Kafka key) are warnings with file and line.
 */

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

#define DEPLOY_NODES_MAX 15
#define DEPLOY_ZK_MAX 9
#define DEPLOY_NOTES_MAX 64
#define DEPLOY_TEXT 320

/* Where a node's setting came from when it was not a key of its own (the heap, the image). */
struct deploy_fact {
    char value[128];
    int line; /* 0: not given */
};

struct deploy_node {
    char name[64];
    char address[CONFIG_HOST_BYTES]; /* how the other nodes and clients reach it */
    char file[CONFIG_PATH_BYTES];
    int line;                        /* where the node is declared */
    /* Every setting as a Kafka key, in the order written, each with its line in `file`. */
    struct config_properties props;
    struct deploy_fact cluster_id;   /* KAFKA_KRAFT_CLUSTER_ID (Compose), else "" */
    struct deploy_fact release;      /* from the image tag: "3.4" */
    struct deploy_fact heap;         /* KAFKA_HEAP_OPTS's -Xmx, as written ("512m") */
    int64_t heap_bytes;              /* that, in bytes; 0: not given */
};

/* One ZooKeeper server as its ensemble's config lists it, or as a StatefulSet's pod. */
struct deploy_zk_server {
    int id;
    char host[CONFIG_HOST_BYTES];
    char file[CONFIG_PATH_BYTES];
    int line;
};

/* One zoo.cfg (or a ZooKeeper StatefulSet): the servers it lists, and its own myid. */
struct deploy_zk {
    char file[CONFIG_PATH_BYTES];
    struct deploy_zk_server servers[DEPLOY_ZK_MAX];
    int server_count;
    int myid; /* from the myid file beside it, -1 if none */
    char myid_file[CONFIG_PATH_BYTES];
};

struct deployment {
    struct deploy_node nodes[DEPLOY_NODES_MAX];
    int node_count;
    struct deploy_zk zk[DEPLOY_ZK_MAX];
    int zk_count;
    /* "FILE:LINE: ..." lines about settings that are no Kafka key, in reading order. */
    char warnings[DEPLOY_NOTES_MAX][DEPLOY_TEXT];
    int warning_count;
    char error[DEPLOY_TEXT * 2];
};

/* Reads every file (server.properties, Compose or Kubernetes YAML, zoo.cfg, myid) into d.
 * False with one line in d->error on the first file that cannot be read or parsed. */
bool deploy_load(struct deployment *d, const char *const *paths, int count);

/* The value of `key` on node n as written, or NULL; `line` (may be NULL) gets its line. */
const char *deploy_value(const struct deploy_node *n, const char *key, int *line);

/* The release the files name (an image tag), or NULL when none does. */
const char *deploy_release(const struct deployment *d);
/* Whether the nodes run in KRaft mode (process.roles set) rather than ZooKeeper mode. */
bool deploy_kraft(const struct deployment *d);

/*
 * Node n's settings as server.properties text, each key on the line it was written at in its
 * file (so Kafka's messages about the text name the operator's lines), with `extra` lines
 * ("kafka.version=3.4") after them; only keys Kafka and kraftsim know are written. Returns the
 * length, like snprintf.
 */
size_t deploy_properties_text(const struct deploy_node *n, const char *const *extra,
                              int extra_count, char *buf, size_t cap);

/* For the readers, one a format (compose.c, kubernetes.c, zookeeper.c). */
void deploy_warn(struct deployment *d, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
bool deploy_fail(struct deployment *d, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
struct deploy_node *deploy_add_node(struct deployment *d, const char *file, int line);
/* Puts one setting (a Kafka key) on node n, at `line` of its file. */
bool deploy_put(struct deployment *d, struct deploy_node *n, const char *key,
                const char *value, int line);
/* "3.4" from an image reference "${PREFIX}/kafka:3.4.0" or "repo/kafka:v3.5.2"; false if its
 * tag is no release kraftsim models. */
bool deploy_release_of_image(const char *image, char *out, size_t cap);
/* -Xmx512m in a heap options string, in bytes (and as written into `as_written`); 0 if none. */
int64_t deploy_heap_bytes(const char *opts, char *as_written, size_t cap);

bool deploy_read_compose(struct deployment *d, const char *path, const char *text, size_t len);
bool deploy_read_kubernetes(struct deployment *d, const char *path, const char *text,
                            size_t len);
bool deploy_read_zoo_cfg(struct deployment *d, const char *path, const char *text, size_t len);

#endif
