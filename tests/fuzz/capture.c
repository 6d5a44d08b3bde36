/* capture.c — seed corpora for tests/fuzz/ from real runs: frames sent and batches written. */

/*
 * Linked into a second kraftsim binary (kraftsim_capture, tests/fuzz/CMakeLists.txt) with
 * -Wl,--wrap=net_send,--wrap=disk_write,--wrap=config_parse: each call is seen here, then
 * passed on unchanged, so the run is the normal one. With $KRAFTSIM_CAPTURE set to a
 * directory, it writes fuzz inputs in the formats the targets read:
 *   <dir>/wire/     one file per frame: direction byte, for a response the api key and version
 *                   of its request (matched by correlation id), then the frame (fuzz_wire.c)
 *   <dir>/records/  a selector byte 0 (and 8) and the bytes of one segment write; a
 *                   selector 1 and each metadata record value inside them; selector 2..7 and
 *                   each control record key or value (fuzz_records.c)
 *   <dir>/properties/ each server.properties text a scenario starts a node with
 * At most PER_KIND files of each kind (api, version and direction; record type and version;
 * control type), named by an FNV-1a hash of their bytes, so the corpus stays small.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "metadata/records.h"
#include "protocol/header.h"
#include "protocol/record_batch.h"
#include "world/disk.h"
#include "world/net.h"

void __real_net_send(struct net *n, int from, int to, uint8_t channel, const uint8_t *bytes,
                     size_t len);
void __wrap_net_send(struct net *n, int from, int to, uint8_t channel, const uint8_t *bytes,
                     size_t len);
int __real_disk_write(struct disk *d, const char *name, uint64_t offset, const void *bytes,
                      size_t len);
int __wrap_disk_write(struct disk *d, const char *name, uint64_t offset, const void *bytes,
                      size_t len);
int __real_config_parse(const char *text, size_t len, const char *filename,
                        struct kafka_config *out, struct config_error *err);
int __wrap_config_parse(const char *text, size_t len, const char *filename,
                        struct kafka_config *out, struct config_error *err);

#define PER_KIND 2
#define KINDS 4096
#define PENDING 1024

static int kind_count[KINDS];

/* Requests awaiting their response, to name a response's api key and version. */
struct pending {
    int from, to;
    int32_t correlation_id;
    int16_t api_key, api_version;
};
static struct pending pending[PENDING];
static size_t pending_next;

static uint64_t fnv1a(const uint8_t *p, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * 0x100000001b3ull;
    }
    return h;
}

/* Writes prefix + body as <dir>/<sub>/<hash> unless the kind has PER_KIND files already. */
static void save(const char *sub, unsigned kind, const uint8_t *prefix, size_t prefix_len,
                 const uint8_t *body, size_t body_len)
{
    const char *dir = getenv("KRAFTSIM_CAPTURE");
    if (dir == NULL || kind_count[kind % KINDS] >= PER_KIND) {
        return;
    }
    kind_count[kind % KINDS]++;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    mkdir(dir, 0755);
    mkdir(path, 0755);
    uint64_t h = fnv1a(body, body_len, fnv1a(prefix, prefix_len, 0xcbf29ce484222325ull));
    snprintf(path, sizeof path, "%s/%s/%016llx", dir, sub, (unsigned long long)h);
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return;
    }
    if (prefix_len > 0) {
        fwrite(prefix, 1, prefix_len, f);
    }
    fwrite(body, 1, body_len, f);
    fclose(f);
}

static void capture_frame(int from, int to, uint8_t channel, const uint8_t *bytes, size_t len)
{
    if (channel == ENV_CHANNEL_REQUEST) {
        struct kheader_peek peek;
        if (kheader_request_peek(bytes, len, &peek) != 0) {
            return;
        }
        pending[pending_next++ % PENDING] = (struct pending){
            from, to, peek.correlation_id, peek.api_key, peek.api_version};
        uint8_t prefix[1] = {0};
        save("wire", (unsigned)peek.api_key * 64 + (unsigned)peek.api_version * 2, prefix, 1,
             bytes, len);
        return;
    }
    int32_t correlation_id;
    if (channel != ENV_CHANNEL_RESPONSE || kheader_response_peek(bytes, len, &correlation_id)) {
        return;
    }
    for (size_t i = 0; i < PENDING; i++) {
        const struct pending *p = &pending[i];
        if (p->from == to && p->to == from && p->correlation_id == correlation_id) {
            uint8_t prefix[5] = {1, (uint8_t)(p->api_key >> 8), (uint8_t)p->api_key,
                                 (uint8_t)(p->api_version >> 8), (uint8_t)p->api_version};
            save("wire", (unsigned)p->api_key * 64 + (unsigned)p->api_version * 2 + 1, prefix,
                 5, bytes, len);
            return;
        }
    }
}

/* Control records: the key, then the value under the selector fuzz_records.c gives it. */
static void capture_control(const struct record_batch_record *rec)
{
    int16_t type;
    if (record_batch_control_key_decode(rec->key, &type) != 0 || rec->value.len < 0) {
        return;
    }
    uint8_t key_prefix[1] = {2};
    save("records", 3000, key_prefix, 1, rec->key.ptr, (size_t)rec->key.len);
    static const uint8_t selector[7] = {0, 0, 3, 4, 5, 6, 7};
    if (type < RECORD_BATCH_CONTROL_LEADER_CHANGE || type > RECORD_BATCH_CONTROL_KRAFT_VOTERS) {
        return;
    }
    uint8_t prefix[2] = {selector[type], 0};
    size_t prefix_len = type == RECORD_BATCH_CONTROL_LEADER_CHANGE ? 2 : 1;
    save("records", 3001 + (unsigned)type, prefix, prefix_len, rec->value.ptr,
         (size_t)rec->value.len);
}

static void capture_batches(const uint8_t *bytes, size_t len)
{
    struct record_batch_iter it;
    record_batch_iter_init(&it, bytes, len);
    struct record_batch b;
    struct wire_arena a;
    wire_arena_init(&a);
    bool control = false;
    while (record_batch_iter_next(&it, &a, &b) == 1) {
        control = control || (b.attributes & RECORD_BATCH_CONTROL) != 0;
        for (int32_t i = 0; i < b.record_count; i++) {
            const struct record_batch_record *rec = &b.records[i];
            if ((b.attributes & RECORD_BATCH_CONTROL) != 0) {
                capture_control(rec);
                continue;
            }
            int16_t type, version;
            if (rec->value.len <= 0 ||
                metadata_record_peek(rec->value.ptr, (size_t)rec->value.len, &type, &version)) {
                continue;
            }
            uint8_t prefix[1] = {1};
            save("records", 1000 + (unsigned)type * 32 + (unsigned)version, prefix, 1,
                 rec->value.ptr, (size_t)rec->value.len);
        }
    }
    wire_arena_free(&a);
    if (it.pos > 0) {
        uint8_t prefix[1] = {0};
        save("records", control ? 2 : 1, prefix, 1, bytes, it.pos);
        prefix[0] = 8; /* the same, read with fixed-up CRCs */
        save("records", control ? 4 : 3, prefix, 1, bytes, it.pos);
    }
}

void __wrap_net_send(struct net *n, int from, int to, uint8_t channel, const uint8_t *bytes,
                     size_t len)
{
    capture_frame(from, to, channel, bytes, len);
    __real_net_send(n, from, to, channel, bytes, len);
}

int __wrap_disk_write(struct disk *d, const char *name, uint64_t offset, const void *bytes,
                      size_t len)
{
    size_t name_len = strlen(name);
    bool batches = (name_len > 4 && strcmp(name + name_len - 4, ".log") == 0) ||
                   strstr(name, ".checkpoint") != NULL;
    if (batches) {
        capture_batches(bytes, len);
    }
    return __real_disk_write(d, name, offset, bytes, len);
}

int __wrap_config_parse(const char *text, size_t len, const char *filename,
                        struct kafka_config *out, struct config_error *err)
{
    save("properties", (unsigned)(fnv1a((const uint8_t *)text, len, 0) % KINDS), NULL, 0,
         (const uint8_t *)text, len);
    return __real_config_parse(text, len, filename, out, err);
}
