/* header.c — frames, request/response headers, API key and error code tables. */
#include "header.h"

#include "env.h"

struct api_entry {
    int16_t key;
    const char *name;
    int flexible_version;
};

static const struct api_entry apis[] = {
#define API_ENTRY(name, key, text, flex) {key, text, flex},
    KAFKA_APIS(API_ENTRY)
#undef API_ENTRY
};

struct error_entry {
    int16_t code;
    const char *name;
    const char *message;
};

static const struct error_entry errors[] = {
#define ERROR_ENTRY(name, code, text, msg) {code, text, msg},
    KAFKA_ERRORS(ERROR_ENTRY)
#undef ERROR_ENTRY
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const struct api_entry *api_find(int16_t api_key)
{
    for (size_t i = 0; i < COUNT_OF(apis); i++) {
        if (apis[i].key == api_key) {
            return &apis[i];
        }
    }
    return NULL;
}

static const struct error_entry *error_find(int16_t code)
{
    for (size_t i = 0; i < COUNT_OF(errors); i++) {
        if (errors[i].code == code) {
            return &errors[i];
        }
    }
    return NULL;
}

const char *kafka_api_name(int16_t api_key)
{
    const struct api_entry *e = api_find(api_key);
    return e != NULL ? e->name : NULL;
}

int kafka_api_flexible_version(int16_t api_key)
{
    const struct api_entry *e = api_find(api_key);
    return e != NULL ? e->flexible_version : -1;
}

const char *kafka_error_name(int16_t code)
{
    const struct error_entry *e = error_find(code);
    return e != NULL ? e->name : "UNKNOWN";
}

const char *kafka_error_message(int16_t code)
{
    const struct error_entry *e = error_find(code);
    return e != NULL ? e->message : "";
}

/* ApiMessageType.requestHeaderVersion: 2 if the API version is flexible, else 1. */
int kheader_request_version(int16_t api_key, int16_t api_version)
{
    int flex = kafka_api_flexible_version(api_key);
    if (flex < 0) {
        return -WIRE_EUNKNOWN_API;
    }
    return api_version >= flex ? 2 : 1;
}

/* ApiMessageType.responseHeaderVersion: 1 if flexible, else 0; ApiVersions is always 0 because
 * ApiVersionsResponse.json "Tagged fields are only supported in the body but not in the
 * header" (KIP-511). */
int kheader_response_version(int16_t api_key, int16_t api_version)
{
    int flex = kafka_api_flexible_version(api_key);
    if (flex < 0) {
        return -WIRE_EUNKNOWN_API;
    }
    if (api_key == KAFKA_API_API_VERSIONS) {
        return 0;
    }
    return api_version >= flex ? 1 : 0;
}

int kheader_request_encode(struct wire_writer *w, const struct kheader_request *h,
                           int header_version)
{
    KS_ASSERT(h != NULL);
    if (header_version < 1 || header_version > 2) {
        return -WIRE_EVERSION;
    }
    wire_write_int16(w, h->api_key);
    wire_write_int16(w, h->api_version);
    wire_write_int32(w, h->correlation_id);
    /* RequestHeader.json: ClientId "flexibleVersions": "none" → int16 length even in v2. */
    wire_write_nullable_string(w, h->client_id, false);
    if (header_version >= 2) {
        wire_write_uvarint(w, 0); /* no tagged fields */
    }
    return w->err;
}

int kheader_request_decode(struct wire_reader *r, int header_version, struct wire_arena *a,
                           struct kheader_request *out)
{
    KS_ASSERT(out != NULL);
    if (header_version < 1 || header_version > 2) {
        return -WIRE_EVERSION;
    }
    out->api_key = wire_read_int16(r);
    out->api_version = wire_read_int16(r);
    out->correlation_id = wire_read_int32(r);
    out->client_id = wire_read_nullable_string(r, a, false);
    if (header_version >= 2) {
        wire_skip_tags(r); /* RequestHeader defines no tagged fields */
    }
    return r->err;
}

int kheader_response_encode(struct wire_writer *w, const struct kheader_response *h,
                            int header_version)
{
    KS_ASSERT(h != NULL);
    if (header_version < 0 || header_version > 1) {
        return -WIRE_EVERSION;
    }
    wire_write_int32(w, h->correlation_id);
    if (header_version >= 1) {
        wire_write_uvarint(w, 0);
    }
    return w->err;
}

int kheader_response_decode(struct wire_reader *r, int header_version,
                            struct kheader_response *out)
{
    KS_ASSERT(out != NULL);
    if (header_version < 0 || header_version > 1) {
        return -WIRE_EVERSION;
    }
    out->correlation_id = wire_read_int32(r);
    if (header_version >= 1) {
        wire_skip_tags(r);
    }
    return r->err;
}

size_t kheader_frame_begin(struct wire_writer *w)
{
    size_t mark = w->len;
    wire_write_int32(w, 0);
    return mark;
}

void kheader_frame_end(struct wire_writer *w, size_t mark)
{
    if (w->err != 0) {
        return;
    }
    KS_ASSERT(w->len >= mark + 4);
    size_t size = w->len - mark - 4;
    if (size > INT32_MAX) {
        wire_writer_fail(w, -WIRE_EINVAL);
        return;
    }
    wire_patch_int32(w, mark, (int32_t)size);
}

int kheader_frame_split(const uint8_t *bytes, size_t len, size_t *frame_len,
                        struct wire_reader *payload)
{
    struct wire_reader r;
    wire_reader_init(&r, bytes, len);
    int32_t size = wire_read_int32(&r);
    if (r.err != 0) {
        return r.err;
    }
    if (size < 0) {
        return -WIRE_EMALFORMED;
    }
    const uint8_t *p = wire_read_raw(&r, (size_t)size);
    if (p == NULL) {
        return r.err;
    }
    if (frame_len != NULL) {
        *frame_len = 4 + (size_t)size;
    }
    if (payload != NULL) {
        wire_reader_init(payload, p, (size_t)size);
    }
    return 0;
}

int kheader_request_peek(const uint8_t *frame, size_t len, struct kheader_peek *out)
{
    KS_ASSERT(out != NULL);
    struct wire_reader r;
    int err = kheader_frame_split(frame, len, NULL, &r);
    if (err != 0) {
        return err;
    }
    out->api_key = wire_read_int16(&r);
    out->api_version = wire_read_int16(&r);
    out->correlation_id = wire_read_int32(&r);
    return r.err;
}

int kheader_response_peek(const uint8_t *frame, size_t len, int32_t *correlation_id)
{
    KS_ASSERT(correlation_id != NULL);
    struct wire_reader r;
    int err = kheader_frame_split(frame, len, NULL, &r);
    if (err != 0) {
        return err;
    }
    *correlation_id = wire_read_int32(&r);
    return r.err;
}

int kheader_request_decode_frame(const uint8_t *frame, size_t len, struct wire_arena *a,
                                 struct kheader_request *hdr, struct wire_reader *body)
{
    struct kheader_peek peek;
    int err = kheader_request_peek(frame, len, &peek);
    if (err != 0) {
        return err;
    }
    int version = kheader_request_version(peek.api_key, peek.api_version);
    if (version < 0) {
        return version;
    }
    err = kheader_frame_split(frame, len, NULL, body);
    KS_ASSERT(err == 0); /* the peek above split the same frame */
    return kheader_request_decode(body, version, a, hdr);
}

int kheader_response_decode_frame(const uint8_t *frame, size_t len, int16_t api_key,
                                  int16_t api_version, struct kheader_response *hdr,
                                  struct wire_reader *body)
{
    int version = kheader_response_version(api_key, api_version);
    if (version < 0) {
        return version;
    }
    int err = kheader_frame_split(frame, len, NULL, body);
    if (err != 0) {
        return err;
    }
    return kheader_response_decode(body, version, hdr);
}
