/* fuzz_records.c — libFuzzer target: record batches, KRaft control records, metadata records. */
#include <stdalign.h>
#include <string.h>

#include "fuzz.h"
#include "metadata/records.h"
#include "protocol/record_batch.h"
#include "protocol/wire.h"

/*
 * Input: byte 0 picks the decoder (its value modulo the row count of `families` below), the
 * rest is what that decoder reads: a log segment's bytes (consecutive batches), one metadata
 * record value, or one control record key or value (byte 1 is then LeaderChangeMessage's
 * schema version, for the one control value that has two). The last row reads a segment too,
 * but first sets each batch's CRC to the checksum of its bytes, so that mutations get past the
 * CRC check to the record parser behind it (libFuzzer cannot compute a CRC-32C).
 *
 * Properties, for everything a decoder accepts: it re-encodes; the re-encoded bytes decode
 * again (batches and metadata records to their last byte) to an equal value; re-encoding that
 * gives the same bytes. A metadata record's one-line summary is one line. See fuzz_wire.c for
 * why the first decode need not re-encode byte for byte.
 */

#define VALUE_BYTES 1024

/* A decoder family: decode `len` bytes into `out`, encode `in`, compare two decoded values.
 * decode returns 0 or a negative wire error and sets *used to the bytes it read (0: unknown). */
struct family {
    const char *name;
    int (*decode)(const uint8_t *bytes, size_t len, struct wire_arena *a, void *out,
                  size_t *used);
    int (*encode)(struct wire_writer *w, const void *in);
};

static int16_t schema_version; /* LeaderChangeMessage version for this input */

static int batch_dec(const uint8_t *b, size_t len, struct wire_arena *a, void *out, size_t *used)
{
    return record_batch_decode(b, len, a, out, used);
}
static int batch_enc(struct wire_writer *w, const void *in)
{
    return record_batch_encode(w, in);
}
static int mrec_dec(const uint8_t *b, size_t len, struct wire_arena *a, void *out, size_t *used)
{
    *used = len; /* nothing may be left over */
    return metadata_record_decode(b, len, a, out);
}
static int mrec_enc(struct wire_writer *w, const void *in)
{
    return metadata_record_encode(w, in);
}

static struct wire_bytes value_of(const uint8_t *b, size_t len)
{
    return (struct wire_bytes){b, (int32_t)len};
}

static int key_dec(const uint8_t *b, size_t len, struct wire_arena *a, void *out, size_t *used)
{
    return record_batch_control_key_decode(value_of(b, len), out);
}
static int key_enc(struct wire_writer *w, const void *in)
{
    record_batch_control_key_encode(w, *(const int16_t *)in);
    return w->err;
}

/* The control record values: one thunk pair each. */
#define CONTROL_VALUES(X)                                                                      \
    X(snapshot_header)                                                                         \
    X(snapshot_footer)                                                                         \
    X(kraft_version)

#define CONTROL_THUNKS(name)                                                                   \
    static int name##_dec(const uint8_t *b, size_t len, struct wire_arena *a, void *out,       \
                          size_t *used)                                                        \
    {                                                                                          \
        return record_batch_##name##_decode(value_of(b, len), out);                            \
    }                                                                                          \
    static int name##_enc(struct wire_writer *w, const void *in)                               \
    {                                                                                          \
        return record_batch_##name##_encode(w, in);                                            \
    }
CONTROL_VALUES(CONTROL_THUNKS)
#undef CONTROL_THUNKS

static int leader_change_dec(const uint8_t *b, size_t len, struct wire_arena *a, void *out,
                             size_t *used)
{
    return record_batch_leader_change_decode(value_of(b, len), schema_version, a, out);
}
static int leader_change_enc(struct wire_writer *w, const void *in)
{
    return record_batch_leader_change_encode(w, in, schema_version);
}
static int voters_dec(const uint8_t *b, size_t len, struct wire_arena *a, void *out,
                      size_t *used)
{
    return record_batch_voters_decode(value_of(b, len), a, out);
}
static int voters_enc(struct wire_writer *w, const void *in)
{
    return record_batch_voters_encode(w, in);
}

enum {
    FAMILY_BATCH = 0,
    FAMILY_METADATA_RECORD = 1,
    FAMILY_LEADER_CHANGE = 3,
    FAMILY_BATCH_CRC_FIXED = 8
};

static const struct family families[] = {
    {"record batch", batch_dec, batch_enc},
    {"metadata record", mrec_dec, mrec_enc},
    {"control key", key_dec, key_enc},
    {"LeaderChangeMessage", leader_change_dec, leader_change_enc},
    {"SnapshotHeaderRecord", snapshot_header_dec, snapshot_header_enc},
    {"SnapshotFooterRecord", snapshot_footer_dec, snapshot_footer_enc},
    {"KRaftVersionRecord", kraft_version_dec, kraft_version_enc},
    {"VotersRecord", voters_dec, voters_enc},
    {"record batch", batch_dec, batch_enc}, /* FAMILY_BATCH_CRC_FIXED */
};

_Static_assert(sizeof(struct metadata_record) <= VALUE_BYTES, "metadata_record");
_Static_assert(sizeof(struct record_batch) <= VALUE_BYTES, "record_batch");
_Static_assert(sizeof(struct record_batch_leader_change) <= VALUE_BYTES, "leader_change");
_Static_assert(sizeof(struct record_batch_voters) <= VALUE_BYTES, "voters");

struct decoded {
    struct wire_arena arena;
    alignas(max_align_t) unsigned char value[VALUE_BYTES];
};

static struct decoded first, second;

/* Round trip of one accepted value (first.value). */
static void round_trip(const struct family *f, size_t index)
{
    struct wire_writer once, twice;
    wire_writer_init(&once);
    wire_writer_init(&twice);
    fuzz_require(f->encode(&once, first.value) == 0, f->name, "a decoded value re-encodes");
    memset(&second, 0, sizeof second);
    wire_arena_init(&second.arena);
    size_t used = 0;
    fuzz_require(f->decode(once.bytes, once.len, &second.arena, second.value, &used) == 0,
                 f->name, "a re-encoded value decodes");
    fuzz_require(used == 0 || used == once.len, f->name,
                 "a re-encoded value decodes to its last byte");
    if (index == FAMILY_METADATA_RECORD) {
        fuzz_require(metadata_record_equal((const void *)first.value,
                                           (const void *)second.value),
                     f->name, "a re-encoded record decodes to an equal record");
        char line[512];
        metadata_record_format((const void *)second.value, line, sizeof line);
        fuzz_require_one_line(line, f->name, "a record's summary is one line");
    }
    fuzz_require(f->encode(&twice, second.value) == 0, f->name,
                 "a value decoded twice re-encodes");
    fuzz_require_same(once.bytes, once.len, twice.bytes, twice.len, f->name,
                      "re-encoding is stable");
    wire_arena_free(&second.arena);
    wire_writer_free(&once);
    wire_writer_free(&twice);
}

/* A segment: every batch the iterator yields round-trips; it stops at the first error. */
static void segment(const uint8_t *bytes, size_t len)
{
    struct record_batch_iter it;
    record_batch_iter_init(&it, bytes, len);
    for (;;) {
        memset(&first, 0, sizeof first);
        wire_arena_init(&first.arena);
        int got = record_batch_iter_next(&it, &first.arena, (void *)first.value);
        if (got == 1) {
            round_trip(&families[FAMILY_BATCH], FAMILY_BATCH);
        }
        wire_arena_free(&first.arena);
        if (got != 1) {
            return;
        }
    }
}

static uint8_t fixed[1u << 20];

/* Copies a segment into `fixed`, each batch's CRC replaced by the CRC-32C of its bytes 21..end
 * (clipped to the input), as far as the BatchLength fields chain. */
static void fix_crcs(const uint8_t *bytes, size_t len)
{
    memcpy(fixed, bytes, len);
    size_t pos = 0;
    while (len - pos >= RECORD_BATCH_HEADER_SIZE) {
        uint8_t *b = fixed + pos;
        uint32_t length = ((uint32_t)b[8] << 24) | ((uint32_t)b[9] << 16) |
                          ((uint32_t)b[10] << 8) | b[11];
        size_t end = length > len - pos - RECORD_BATCH_LOG_OVERHEAD
                         ? len
                         : pos + RECORD_BATCH_LOG_OVERHEAD + length;
        if (end < pos + RECORD_BATCH_HEADER_SIZE) {
            return;
        }
        uint32_t crc = wire_crc32c(0, b + RECORD_BATCH_ATTRIBUTES_AT,
                                   end - pos - RECORD_BATCH_ATTRIBUTES_AT);
        for (int i = 0; i < 4; i++) {
            b[RECORD_BATCH_CRC_AT + i] = (uint8_t)(crc >> (24 - 8 * i));
        }
        pos = end;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > (1u << 20)) {
        return 0;
    }
    size_t index = data[0] % (sizeof families / sizeof families[0]);
    schema_version = (int16_t)(data[1] % 3); /* 0, 1 and one past the newest */
    if (index == FAMILY_BATCH) {
        segment(data + 1, size - 1);
        return 0;
    }
    if (index == FAMILY_BATCH_CRC_FIXED) {
        fix_crcs(data + 1, size - 1);
        segment(fixed, size - 1);
        return 0;
    }
    const struct family *f = &families[index];
    size_t skip = index == FAMILY_LEADER_CHANGE ? 2 : 1;
    memset(&first, 0, sizeof first);
    wire_arena_init(&first.arena);
    size_t used = 0;
    if (f->decode(data + skip, size - skip, &first.arena, first.value, &used) == 0) {
        round_trip(f, index);
    }
    wire_arena_free(&first.arena);
    return 0;
}
