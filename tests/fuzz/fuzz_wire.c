/* fuzz_wire.c — libFuzzer target: every request and response decoder of broker/protocol/. */
#include <stdalign.h>
#include <string.h>

#include "fuzz.h"
#include "protocol/admin_rpc.h"
#include "protocol/api_versions.h"
#include "protocol/controller_rpc.h"
#include "protocol/fetch.h"
#include "protocol/header.h"
#include "protocol/kraft_rpc.h"
#include "protocol/schema.h"
#include "protocol/wire.h"

/*
 * Input: byte 0 picks the direction (bit 0: 0 request, 1 response). A request is then a whole
 * frame (int32 size, request header, body) and its header names the API and version, as
 * node.c routes it. A response frame's header does not, so for a response bytes 1-4 are the
 * api key and version (int16 each, big-endian) and the frame follows.
 *
 * Properties, for every input the header and body decoders accept:
 *   1. the decoded header and message re-encode (the encoder accepts what the decoder made);
 *   2. the re-encoded frame decodes again, to its last byte;
 *   3. and re-encodes to the same bytes.
 * APIs without a hand-written codec go to the descriptor-driven one (schema.h), which knows
 * Produce, ListOffsets, the group RPCs and the rest of data_rpc.h and group_rpc.h.
 *
 * The first decode need not re-encode byte for byte: a bool reads any non-zero byte as true,
 * unknown tagged fields are skipped and varints may be over-long (all as Kafka's Java
 * readers do), so the encoder's output is the canonical form, and property 3 pins that.
 */

/* One row per API: key, codec prefix, request struct, response struct. */
#define WIRE_MESSAGES(X)                                                                       \
    X(KAFKA_API_API_VERSIONS, api_versions, api_versions_request, api_versions_response)      \
    X(KAFKA_API_VOTE, vote, vote_request, vote_response)                                       \
    X(KAFKA_API_BEGIN_QUORUM_EPOCH, begin_quorum_epoch, begin_quorum_epoch_request,           \
      quorum_epoch_response)                                                                   \
    X(KAFKA_API_END_QUORUM_EPOCH, end_quorum_epoch, end_quorum_epoch_request,                 \
      quorum_epoch_response)                                                                   \
    X(KAFKA_API_DESCRIBE_QUORUM, describe_quorum, describe_quorum_request,                    \
      describe_quorum_response)                                                                \
    X(KAFKA_API_FETCH_SNAPSHOT, fetch_snapshot, fetch_snapshot_request,                       \
      fetch_snapshot_response)                                                                 \
    X(KAFKA_API_FETCH, fetch, fetch_request, fetch_response)                                   \
    X(KAFKA_API_BROKER_REGISTRATION, broker_registration, broker_registration_request,        \
      broker_registration_response)                                                            \
    X(KAFKA_API_BROKER_HEARTBEAT, broker_heartbeat, broker_heartbeat_request,                 \
      broker_heartbeat_response)                                                               \
    X(KAFKA_API_UNREGISTER_BROKER, unregister_broker, unregister_broker_request,              \
      controller_rpc_simple_response)                                                          \
    X(KAFKA_API_CONTROLLER_REGISTRATION, controller_registration,                             \
      controller_registration_request, controller_rpc_simple_response)                        \
    X(KAFKA_API_ALTER_PARTITION, alter_partition, alter_partition_request,                    \
      alter_partition_response)                                                                \
    X(KAFKA_API_ENVELOPE, envelope, envelope_request, envelope_response)                       \
    X(KAFKA_API_METADATA, metadata, metadata_request, metadata_response)                       \
    X(KAFKA_API_CREATE_TOPICS, create_topics, create_topics_request, create_topics_response)  \
    X(KAFKA_API_DELETE_TOPICS, delete_topics, delete_topics_request, delete_topics_response)  \
    X(KAFKA_API_ELECT_LEADERS, elect_leaders, elect_leaders_request, elect_leaders_response)

typedef int (*decode_fn)(struct wire_reader *r, int16_t version, struct wire_arena *a, void *m);
typedef int (*encode_fn)(struct wire_writer *w, const void *m, int16_t version);

struct codec {
    decode_fn decode;
    encode_fn encode;
};

struct message_row {
    int16_t api_key;
    struct codec codec[2]; /* [0] request, [1] response */
};

/* Room for the largest decoded message struct (checked per row below). */
#define MESSAGE_BYTES 4096

/* Thunks that give every codec one signature. */
#define WIRE_THUNKS(key, name, req, resp)                                                      \
    _Static_assert(sizeof(struct req) <= MESSAGE_BYTES, #req);                                 \
    _Static_assert(sizeof(struct resp) <= MESSAGE_BYTES, #resp);                               \
    static int name##_req_dec(struct wire_reader *r, int16_t v, struct wire_arena *a, void *m) \
    {                                                                                          \
        return name##_request_decode(r, v, a, m);                                              \
    }                                                                                          \
    static int name##_req_enc(struct wire_writer *w, const void *m, int16_t v)                 \
    {                                                                                          \
        return name##_request_encode(w, m, v);                                                 \
    }                                                                                          \
    static int name##_resp_dec(struct wire_reader *r, int16_t v, struct wire_arena *a, void *m) \
    {                                                                                          \
        return name##_response_decode(r, v, a, m);                                             \
    }                                                                                          \
    static int name##_resp_enc(struct wire_writer *w, const void *m, int16_t v)                \
    {                                                                                          \
        return name##_response_encode(w, m, v);                                                \
    }
WIRE_MESSAGES(WIRE_THUNKS)
#undef WIRE_THUNKS

static const struct message_row message_rows[] = {
#define WIRE_ROW(key, name, req, resp)                                                         \
    {key, {{name##_req_dec, name##_req_enc}, {name##_resp_dec, name##_resp_enc}}},
    WIRE_MESSAGES(WIRE_ROW)
#undef WIRE_ROW
};

static const struct codec *codec_find(int16_t api_key, int direction)
{
    for (size_t i = 0; i < sizeof message_rows / sizeof message_rows[0]; i++) {
        if (message_rows[i].api_key == api_key) {
            return &message_rows[i].codec[direction];
        }
    }
    return NULL;
}

/* What one decode of a frame produced. */
struct decoded {
    struct wire_arena arena;
    alignas(max_align_t) unsigned char message[MESSAGE_BYTES];
    struct kheader_request request;
    struct kheader_response response;
    struct wire_reader body;
};

/* Decodes a frame's header and body. Returns 0 or the first codec error. */
static int decode_frame(const uint8_t *frame, size_t len, int direction, int16_t api_key,
                        int16_t version, struct decoded *d)
{
    int err;
    if (direction == 0) {
        err = kheader_request_decode_frame(frame, len, &d->arena, &d->request, &d->body);
    } else {
        err = kheader_response_decode_frame(frame, len, api_key, version, &d->response,
                                            &d->body);
    }
    if (err != 0) {
        return err;
    }
    if (direction == 0) {
        api_key = d->request.api_key;
        version = d->request.api_version;
    }
    const struct codec *c = codec_find(api_key, direction);
    if (c != NULL) {
        return c->decode(&d->body, version, &d->arena, d->message);
    }
    const struct schema_message *m = schema_find(api_key, direction == 1);
    if (m == NULL) {
        return -WIRE_EUNKNOWN_API;
    }
    fuzz_require(m->body->size <= MESSAGE_BYTES, "wire", "a described message fits");
    return schema_decode(&d->body, m, version, &d->arena, d->message);
}

/* Encodes the decoded header and message as one frame. */
static int encode_frame(struct wire_writer *w, int direction, int16_t api_key, int16_t version,
                        const struct decoded *d)
{
    size_t mark = kheader_frame_begin(w);
    int err;
    if (direction == 0) {
        api_key = d->request.api_key;
        version = d->request.api_version;
        err = kheader_request_encode(w, &d->request, kheader_request_version(api_key, version));
    } else {
        err = kheader_response_encode(w, &d->response,
                                      kheader_response_version(api_key, version));
    }
    const struct codec *c = codec_find(api_key, direction);
    if (err == 0 && c != NULL) {
        err = c->encode(w, d->message, version);
    } else if (err == 0) {
        err = schema_encode(w, schema_find(api_key, direction == 1), d->message, version);
    }
    kheader_frame_end(w, mark);
    return err != 0 ? err : w->err;
}

static struct decoded first, second;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    int direction = data[0] & 1;
    size_t prefix = direction == 0 ? 1 : 5;
    if (size < prefix) {
        return 0;
    }
    int16_t api_key = 0;
    int16_t version = 0;
    if (direction == 1) {
        api_key = (int16_t)(((uint16_t)data[1] << 8) | data[2]);
        version = (int16_t)(((uint16_t)data[3] << 8) | data[4]);
    }
    memset(&first, 0, sizeof first);
    wire_arena_init(&first.arena);
    if (decode_frame(data + prefix, size - prefix, direction, api_key, version, &first) == 0) {
        struct wire_writer once, twice;
        wire_writer_init(&once);
        wire_writer_init(&twice);
        fuzz_require(encode_frame(&once, direction, api_key, version, &first) == 0, "wire",
                     "a decoded message re-encodes");
        memset(&second, 0, sizeof second);
        wire_arena_init(&second.arena);
        fuzz_require(decode_frame(once.bytes, once.len, direction, api_key, version,
                                  &second) == 0,
                     "wire", "a re-encoded frame decodes");
        fuzz_require(wire_reader_remaining(&second.body) == 0, "wire",
                     "a re-encoded frame decodes to its last byte");
        fuzz_require(encode_frame(&twice, direction, api_key, version, &second) == 0, "wire",
                     "a message decoded twice re-encodes");
        fuzz_require_same(once.bytes, once.len, twice.bytes, twice.len, "wire",
                          "re-encoding is stable");
        wire_arena_free(&second.arena);
        wire_writer_free(&once);
        wire_writer_free(&twice);
    }
    wire_arena_free(&first.arena);
    return 0;
}
