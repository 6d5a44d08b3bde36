/* client_net.h — what the simulated producer and consumer share: framing a request, finding a
 * topic's partition leaders from Metadata, and writing one history operation. */
#ifndef KRAFTSIM_CLIENT_NET_H
#define KRAFTSIM_CLIENT_NET_H

/*
 * Versions the clients send, fixed rather than negotiated (no ApiVersions round trip): each is
 * one every modelled release's broker accepts, by name rather than topic id, so the clients
 * need no topic-id lookup. Produce v9 (flexible, by name: 2.4 to trunk), Fetch v12 (the lowest
 * fetch.h speaks, by name), ListOffsets v7, InitProducerId v4; Metadata at the release's
 * highest (release.h, as the AdminClient).
 */

#include <stdbool.h>
#include <stdint.h>

#include "env.h"
#include "protocol/wire.h"

#define CLIENT_PRODUCE_VERSION 9
#define CLIENT_FETCH_VERSION 12
#define CLIENT_LIST_OFFSETS_VERSION 7
#define CLIENT_INIT_PRODUCER_ID_VERSION 4
#define CLIENT_PARTITIONS_MAX 64

struct history;
struct run_db;
struct run_db_op;

/* Called for every history operation a client records (tests, the Lua layer). */
typedef void (*client_op_fn)(void *ctx, const struct run_db_op *op);

/* Where a client's operations go: any of these may be NULL. */
struct client_sinks {
    struct history *history;
    struct run_db *db;
    client_op_fn on_op;
    void *ctx;
};

/* A topic's partitions as the last Metadata answer had them. */
struct client_topic {
    int32_t partition_count;     /* 0: not known yet */
    int32_t leader[CLIENT_PARTITIONS_MAX];      /* node id, -1 none */
    int leader_host[CLIENT_PARTITIONS_MAX];     /* host index from resolve, -1 none */
    int32_t leader_epoch[CLIENT_PARTITIONS_MAX];
};

/* Starts a request frame in `w` (initialised here): size placeholder and request header.
 * Returns the mark for client_send. */
size_t client_frame_begin(struct wire_writer *w, int16_t api_key, int16_t version,
                          int32_t correlation_id, const char *client_id);
/* Ends the frame, sends it to `host` as a request and frees `w`. */
void client_send(const struct env *env, int host, struct wire_writer *w, size_t mark);

/* A Metadata request for `topic` (no auto-creation) at `version`. */
void client_metadata_request(const struct env *env, int host, int16_t version,
                             int32_t correlation_id, const char *client_id, const char *topic);
/* Reads a Metadata response frame into *t. Returns the topic's error code, or
 * KAFKA_UNKNOWN_SERVER_ERROR when the frame does not decode. */
int16_t client_metadata_response(const struct env *env, const uint8_t *bytes, size_t len,
                                 int16_t version, struct client_topic *t);

/* Errors after which a client asks for metadata again (Kafka's InvalidMetadataException
 * subclasses, and a storage error on the leader). */
bool client_error_stale_metadata(int16_t error);

/* One operation to every sink (history excluded: the caller feeds the checker itself, since
 * each kind of operation has its own call there). */
void client_record(const struct client_sinks *s, const struct run_db_op *op);

#endif
