/* wire.h — Kafka wire-format primitives: byte writer, bounds-checked reader, arena, CRC-32C. */
#ifndef KRAFTSIM_WIRE_H
#define KRAFTSIM_WIRE_H

/*
 * Everything a Kafka node puts on the network or on disk is built from the primitive types of
 * apache/kafka `clients/src/main/java/org/apache/kafka/common/protocol/types/Type.java` and the
 * varint helpers of `common/utils/internals/ByteUtils.java`:
 *
 *   int8/16/32/64, uint16, uint32  fixed width, big-endian (network order)
 *   bool                           one byte; any non-zero byte reads as true (as Java does)
 *   uuid                           16 bytes: most significant 8 bytes, then least significant 8
 *   varint / varlong               zig-zag, then base-128 little-endian groups (protobuf)
 *   unsigned varint                base-128 groups, at most 5 bytes for 32 bits
 *   classic string                 int16 length (-1 = null) + UTF-8 bytes
 *   compact string                 uvarint length+1 (0 = null) + UTF-8 bytes
 *   classic bytes / array length   int32 (-1 = null)
 *   compact bytes / array length   uvarint N+1 (0 = null)
 *   tagged-field section           uvarint count, then per field uvarint tag, uvarint size, data;
 *                                  written in ascending tag order
 *
 * Error model (STYLE.md rule 10). Both the writer and the reader carry a sticky error: the first
 * failure is kept, later calls do nothing (writer) or return zeros (reader). So a codec reads or
 * writes a whole message straight through and checks the error once at the end. A reader never
 * touches a byte outside [bytes, bytes + len).
 *
 * Strings decoded here are copied into a `struct wire_arena` and NUL-terminated, so decoded
 * messages outlive the input buffer and the caller frees one arena. A consequence: a string
 * containing a NUL byte is rejected as malformed (Java would accept it; no Kafka node sends one
 * in the fields we model). Byte fields are copied too and carry an explicit length.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Codec errors. Functions return 0 or the negated code, e.g. -WIRE_ETRUNCATED. */
#define WIRE_ERRORS(X)                                                                         \
    X(WIRE_OK, "ok")                                                                           \
    X(WIRE_ETRUNCATED, "input ends before the value it declares")                              \
    X(WIRE_EMALFORMED, "malformed input")                                                      \
    X(WIRE_EVERSION, "unsupported version")                                                    \
    X(WIRE_ECRC, "CRC mismatch: the record batch is corrupt")                                  \
    X(WIRE_ECOMPRESSION, "unsupported compression")                                            \
    X(WIRE_ENOMEM, "out of memory")                                                            \
    X(WIRE_EOVERFLOW, "fixed output buffer is full")                                           \
    X(WIRE_EINVAL, "value cannot be encoded (null in a non-nullable field, or too long)")      \
    X(WIRE_EUNKNOWN_API, "unknown API key")

enum wire_err {
#define WIRE_ERR_ENUM(name, msg) name,
    WIRE_ERRORS(WIRE_ERR_ENUM)
#undef WIRE_ERR_ENUM
        WIRE_ERR_COUNT
};

/* Accept either sign: wire_err_name(-WIRE_ECRC) == "WIRE_ECRC". */
const char *wire_err_name(int err);
const char *wire_err_message(int err);

/* Kafka's Uuid: `hi` is getMostSignificantBits(), `lo` getLeastSignificantBits(). */
struct kuuid {
    uint64_t hi;
    uint64_t lo;
};

#define KUUID_ZERO ((struct kuuid){0, 0})
#define WIRE_UUID_TEXT_LEN 22 /* unpadded base64url of 16 bytes */

bool wire_uuid_equal(struct kuuid a, struct kuuid b);
/* Writes 22 characters and a NUL into `out` (Uuid.toString: URL-safe base64, no padding). */
void wire_uuid_to_text(struct kuuid u, char out[WIRE_UUID_TEXT_LEN + 1]);
/* Parses 22 base64url characters, or 24 ending in "==" (Uuid.fromString). Like Java's decoder,
 * the 4 unused low bits of the last character are ignored. Returns 0 or -WIRE_EMALFORMED. */
int wire_uuid_from_text(const char *text, struct kuuid *out);

/* A byte string. `len` -1 means null, and then `ptr` is NULL. */
struct wire_bytes {
    const uint8_t *ptr;
    int32_t len;
};

#define WIRE_BYTES_NULL ((struct wire_bytes){NULL, -1})

/*
 * Bump allocator for decoded messages: every array and string of one decoded message lives here
 * and goes away with one wire_arena_free. Memory is zeroed.
 */
struct wire_arena_chunk;
struct wire_arena {
    struct wire_arena_chunk *head;
    size_t allocated_bytes; /* sum of chunk capacities, for tests and limits */
};

void wire_arena_init(struct wire_arena *a);
void wire_arena_free(struct wire_arena *a);
/* Returns zeroed memory aligned for any scalar, or NULL when malloc fails. size 0 → non-NULL. */
void *wire_arena_alloc(struct wire_arena *a, size_t size);

/*
 * Output buffer. Growable (heap, wire_writer_init) or fixed (caller's buffer,
 * wire_writer_init_fixed, which sets -WIRE_EOVERFLOW instead of growing).
 * At all times len ≤ cap; after an error nothing more is appended.
 */
struct wire_writer {
    uint8_t *bytes;
    size_t len;
    size_t cap;
    bool growable;
    int err; /* 0 or the first -WIRE_E* */
};

void wire_writer_init(struct wire_writer *w);
void wire_writer_init_fixed(struct wire_writer *w, uint8_t *buf, size_t cap);
void wire_writer_free(struct wire_writer *w); /* frees a growable buffer; no-op when fixed */
void wire_writer_reset(struct wire_writer *w); /* len = 0, err = 0; keeps the buffer */
void wire_writer_fail(struct wire_writer *w, int err); /* records err unless one is recorded */

void wire_write_raw(struct wire_writer *w, const void *p, size_t n);
void wire_write_int8(struct wire_writer *w, int8_t v);
void wire_write_int16(struct wire_writer *w, int16_t v);
void wire_write_int32(struct wire_writer *w, int32_t v);
void wire_write_int64(struct wire_writer *w, int64_t v);
void wire_write_uint16(struct wire_writer *w, uint16_t v);
void wire_write_uint32(struct wire_writer *w, uint32_t v);
void wire_write_bool(struct wire_writer *w, bool v);
void wire_write_uuid(struct wire_writer *w, struct kuuid v);
void wire_write_varint(struct wire_writer *w, int32_t v);
void wire_write_varlong(struct wire_writer *w, int64_t v);
void wire_write_uvarint(struct wire_writer *w, uint32_t v);

/* `compact` selects the flexible-version encoding. A NULL `s` in a non-nullable string, or a
 * string longer than 32767 bytes (Kafka's limit for both forms), sets -WIRE_EINVAL. */
void wire_write_string(struct wire_writer *w, const char *s, bool compact);
void wire_write_nullable_string(struct wire_writer *w, const char *s, bool compact);
void wire_write_bytes(struct wire_writer *w, struct wire_bytes b, bool compact);
void wire_write_nullable_bytes(struct wire_writer *w, struct wire_bytes b, bool compact);
/* n ≥ 0, or -1 for a null array. */
void wire_write_array_len(struct wire_writer *w, int32_t n, bool compact);

/* Overwrite 4 bytes already written at `pos` (frame sizes, batch lengths, CRCs). */
void wire_patch_int32(struct wire_writer *w, size_t pos, int32_t v);
void wire_patch_uint32(struct wire_writer *w, size_t pos, uint32_t v);
/* Insert a length prefix at `mark` for the bytes written since: the size of a tagged field
 * (uvarint) and of a record (varint) are only known once its body is written. */
void wire_insert_uvarint(struct wire_writer *w, size_t mark, uint32_t v);
void wire_insert_varint(struct wire_writer *w, size_t mark, int32_t v);

/* Tagged field writing: the caller writes the count first, then for each field in ascending
 * tag order: m = wire_tag_begin(w, tag); <write the value>; wire_tag_end(w, m). */
size_t wire_tag_begin(struct wire_writer *w, uint32_t tag);
void wire_tag_end(struct wire_writer *w, size_t mark);

/* Bytes the encodings take, for sizing without writing. */
size_t wire_sizeof_uvarint(uint32_t v);
size_t wire_sizeof_varint(int32_t v);
size_t wire_sizeof_varlong(int64_t v);

/* Bounds-checked input. At all times pos ≤ len. */
struct wire_reader {
    const uint8_t *bytes;
    size_t len;
    size_t pos;
    int err; /* 0 or the first -WIRE_E*; once set every read returns zero */
};

void wire_reader_init(struct wire_reader *r, const uint8_t *bytes, size_t len);
void wire_reader_fail(struct wire_reader *r, int err);
size_t wire_reader_remaining(const struct wire_reader *r);
/* Returns a pointer to the next n input bytes and skips them, or NULL (and -WIRE_ETRUNCATED). */
const uint8_t *wire_read_raw(struct wire_reader *r, size_t n);

int8_t wire_read_int8(struct wire_reader *r);
int16_t wire_read_int16(struct wire_reader *r);
int32_t wire_read_int32(struct wire_reader *r);
int64_t wire_read_int64(struct wire_reader *r);
uint16_t wire_read_uint16(struct wire_reader *r);
uint32_t wire_read_uint32(struct wire_reader *r);
bool wire_read_bool(struct wire_reader *r);
struct kuuid wire_read_uuid(struct wire_reader *r);
int32_t wire_read_varint(struct wire_reader *r);
int64_t wire_read_varlong(struct wire_reader *r);
uint32_t wire_read_uvarint(struct wire_reader *r);

/* Strings are copied into `a` and NUL-terminated; a nullable string returns NULL for null.
 * A null in a non-nullable field is -WIRE_EMALFORMED (Java: "non-nullable field ... null"). */
const char *wire_read_string(struct wire_reader *r, struct wire_arena *a, bool compact);
const char *wire_read_nullable_string(struct wire_reader *r, struct wire_arena *a, bool compact);
struct wire_bytes wire_read_bytes(struct wire_reader *r, struct wire_arena *a, bool compact);
/* The next n bytes (no length prefix) copied into the arena; n < 0 is null. A short input
 * fails the reader and gives null, as the prefixed readers do. */
struct wire_bytes wire_read_bytes_copy(struct wire_reader *r, struct wire_arena *a, int32_t n);
struct wire_bytes wire_read_nullable_bytes(struct wire_reader *r, struct wire_arena *a,
                                           bool compact);
/*
 * Reads an array length: -1 for null, else the count. A count larger than the bytes left is
 * -WIRE_ETRUNCATED (every element of every array we model takes at least one byte), which also
 * bounds what a decoder allocates for garbage input.
 */
int32_t wire_read_array_len(struct wire_reader *r, bool compact);
/* wire_read_array_len for a non-nullable array: null is -WIRE_EMALFORMED, returns 0. */
int32_t wire_read_array_count(struct wire_reader *r, bool compact);
/* Reads a non-nullable array length and allocates that many zeroed elements of `size` bytes.
 * *count is the element count, 0 after an error; returns NULL for 0 elements or on error. */
void *wire_read_array(struct wire_reader *r, struct wire_arena *a, bool compact, size_t size,
                      int32_t *count);
/* Allocates n elements of `size` bytes for a decoded array; NULL when n ≤ 0 or on error
 * (which sets -WIRE_ENOMEM on the reader). */
void *wire_read_alloc(struct wire_reader *r, struct wire_arena *a, int32_t n, size_t size);

/*
 * Tagged-field reading:
 *     struct wire_tags t;
 *     uint32_t tag;
 *     struct wire_reader f;
 *     wire_tags_begin(&t, r);
 *     while (wire_tags_next(&t, &tag, &f)) {
 *         switch (tag) { case 0: ... read from &f ...; break; default: break; }
 *     }
 * Each field is read from its own reader `f` bounded by the field's declared size; the outer
 * reader is already past the field, so unknown tags are skipped by doing nothing. An error in
 * `f` is copied to the outer reader by the next wire_tags_next call, so loop until it returns
 * false. Tags are not required to ascend on input (Java does not check either).
 */
struct wire_tags {
    struct wire_reader *r;
    struct wire_reader *field; /* the reader last handed out, for error propagation */
    uint32_t left;
};

void wire_tags_begin(struct wire_tags *t, struct wire_reader *r);
bool wire_tags_next(struct wire_tags *t, uint32_t *tag, struct wire_reader *field);
/* Reads and discards a whole tagged-field section (structs with no known tags). */
void wire_skip_tags(struct wire_reader *r);

/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as Kafka's Crc32C.compute. Chain
 * calls by passing the previous result as `crc`; start with 0. */
uint32_t wire_crc32c(uint32_t crc, const void *data, size_t len);
/* The same by tables alone (slicing-by-8), whatever the CPU: wire_crc32c uses SSE 4.2's crc32
 * instruction where the CPU has it; tests hold both to the definition. */
uint32_t wire_crc32c_table(uint32_t crc, const void *data, size_t len);

#endif
