/* wire.c — Kafka wire-format primitives (see wire.h for the encodings and the error model). */
#include "wire.h"

#include <stdlib.h>
#include <string.h>

#include "env.h"

/* Kafka's string limit: Type.java and the generated code reject longer strings both ways. */
#define STRING_LEN_MAX 0x7fff

static const char *const err_names[] = {
#define ERR_NAME(name, msg) #name,
    WIRE_ERRORS(ERR_NAME)
#undef ERR_NAME
};

static const char *const err_messages[] = {
#define ERR_MSG(name, msg) msg,
    WIRE_ERRORS(ERR_MSG)
#undef ERR_MSG
};

const char *wire_err_name(int err)
{
    if (err < 0) {
        err = -err;
    }
    return err < WIRE_ERR_COUNT ? err_names[err] : "WIRE_UNKNOWN";
}

const char *wire_err_message(int err)
{
    if (err < 0) {
        err = -err;
    }
    return err < WIRE_ERR_COUNT ? err_messages[err] : "unknown codec error";
}

/* ---------------------------------------------------------------------------------------- */
/* UUID text form: Uuid.toString = Base64.getUrlEncoder().withoutPadding() of the 16 bytes.  */

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool wire_uuid_equal(struct kuuid a, struct kuuid b) { return a.hi == b.hi && a.lo == b.lo; }

static void uuid_to_bytes(struct kuuid u, uint8_t out[16])
{
    for (int i = 0; i < 8; i++) {
        out[i] = (uint8_t)(u.hi >> (56 - 8 * i));
        out[8 + i] = (uint8_t)(u.lo >> (56 - 8 * i));
    }
}

static struct kuuid uuid_from_bytes(const uint8_t in[16])
{
    struct kuuid u = {0, 0};
    for (int i = 0; i < 8; i++) {
        u.hi = (u.hi << 8) | in[i];
        u.lo = (u.lo << 8) | in[8 + i];
    }
    return u;
}

void wire_uuid_to_text(struct kuuid u, char out[WIRE_UUID_TEXT_LEN + 1])
{
    uint8_t b[16];
    uuid_to_bytes(u, b);
    size_t o = 0;
    /* 15 bytes make 5 full 3-byte groups; the 16th byte makes 2 characters. */
    for (int i = 0; i < 15; i += 3) {
        uint32_t g = ((uint32_t)b[i] << 16) | ((uint32_t)b[i + 1] << 8) | b[i + 2];
        out[o++] = b64url[(g >> 18) & 63];
        out[o++] = b64url[(g >> 12) & 63];
        out[o++] = b64url[(g >> 6) & 63];
        out[o++] = b64url[g & 63];
    }
    out[o++] = b64url[b[15] >> 2];
    out[o++] = b64url[(b[15] & 3) << 4];
    out[o] = '\0';
    KS_ASSERT(o == WIRE_UUID_TEXT_LEN);
}

static int b64url_value(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '-') {
        return 62;
    }
    if (c == '_') {
        return 63;
    }
    return -1;
}

int wire_uuid_from_text(const char *text, struct kuuid *out)
{
    KS_ASSERT(out != NULL);
    if (text == NULL) {
        return -WIRE_EMALFORMED;
    }
    size_t len = strlen(text);
    /* Uuid.fromString accepts ≤ 24 characters that decode to 16 bytes: the bare 22, or the
     * same with its "==" padding. */
    bool padded = len == WIRE_UUID_TEXT_LEN + 2 && strcmp(text + WIRE_UUID_TEXT_LEN, "==") == 0;
    if (len != WIRE_UUID_TEXT_LEN && !padded) {
        return -WIRE_EMALFORMED;
    }
    int v[WIRE_UUID_TEXT_LEN];
    for (int i = 0; i < WIRE_UUID_TEXT_LEN; i++) {
        v[i] = b64url_value(text[i]);
        if (v[i] < 0) {
            return -WIRE_EMALFORMED;
        }
    }
    uint8_t b[16];
    size_t o = 0;
    for (int i = 0; i < 20; i += 4) {
        uint32_t g = ((uint32_t)v[i] << 18) | ((uint32_t)v[i + 1] << 12) |
                     ((uint32_t)v[i + 2] << 6) | (uint32_t)v[i + 3];
        b[o++] = (uint8_t)(g >> 16);
        b[o++] = (uint8_t)(g >> 8);
        b[o++] = (uint8_t)g;
    }
    b[o++] = (uint8_t)((v[20] << 2) | (v[21] >> 4));
    KS_ASSERT(o == 16);
    *out = uuid_from_bytes(b);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Arena                                                                                     */

#define ARENA_ALIGN 16
#define ARENA_CHUNK_MIN 4096
#define WRITER_FIRST_CAP 1024

struct wire_arena_chunk {
    struct wire_arena_chunk *next;
    size_t cap;
    size_t used;
    _Alignas(ARENA_ALIGN) uint8_t data[];
};

void wire_arena_init(struct wire_arena *a)
{
    KS_ASSERT(a != NULL);
    a->head = NULL;
    a->allocated_bytes = 0;
}

/* One spare first-size chunk, kept by wire_arena_free for the next arena: nearly every decode
 * needs exactly one, and a 4 KiB malloc and free (past glibc's per-thread cache) were a
 * fortieth of a run. Memory only, never behaviour; under AddressSanitizer every chunk is freed,
 * so a use after free is still caught. */
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_KEEP_SPARE 0
#else
#define ARENA_KEEP_SPARE 1
#endif
static struct wire_arena_chunk *spare_chunk;

static struct wire_arena_chunk *chunk_new(size_t cap)
{
    if (cap == ARENA_CHUNK_MIN && spare_chunk != NULL) {
        struct wire_arena_chunk *c = spare_chunk;
        spare_chunk = NULL;
        return c;
    }
    struct wire_arena_chunk *c = malloc(sizeof *c + cap);
    if (c != NULL) {
        c->cap = cap;
    }
    return c;
}

static void chunk_free(struct wire_arena_chunk *c)
{
    if (ARENA_KEEP_SPARE && c->cap == ARENA_CHUNK_MIN && spare_chunk == NULL) {
        spare_chunk = c;
    } else {
        free(c);
    }
}

void wire_arena_free(struct wire_arena *a)
{
    KS_ASSERT(a != NULL);
    struct wire_arena_chunk *c = a->head;
    while (c != NULL) {
        struct wire_arena_chunk *next = c->next;
        chunk_free(c);
        c = next;
    }
    a->head = NULL;
    a->allocated_bytes = 0;
}

/* An allocation's size in the arena: rounded up to ARENA_ALIGN (below `size` on overflow). */
static size_t arena_rounded(size_t size)
{
    return (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

/* wire_arena_alloc without the zeroing, for bytes about to be copied over. */
static void *arena_alloc_raw(struct wire_arena *a, size_t size)
{
    KS_ASSERT(a != NULL);
    size_t rounded = arena_rounded(size);
    if (rounded < size) {
        return NULL; /* size overflowed */
    }
    struct wire_arena_chunk *c = a->head;
    if (c == NULL || c->cap - c->used < rounded) {
        size_t cap = rounded > ARENA_CHUNK_MIN ? rounded : ARENA_CHUNK_MIN;
        if (cap > SIZE_MAX - sizeof *c) {
            return NULL;
        }
        c = chunk_new(cap);
        if (c == NULL) {
            return NULL;
        }
        c->used = 0;
        c->next = a->head;
        a->head = c;
        a->allocated_bytes += cap;
    }
    void *p = c->data + c->used;
    c->used += rounded;
    KS_ASSERT(c->used <= c->cap);
    return p;
}

void *wire_arena_alloc(struct wire_arena *a, size_t size)
{
    void *p = arena_alloc_raw(a, size);
    if (p != NULL) {
        memset(p, 0, arena_rounded(size));
    }
    return p;
}

/* ---------------------------------------------------------------------------------------- */
/* Writer                                                                                    */

void wire_writer_init(struct wire_writer *w)
{
    KS_ASSERT(w != NULL);
    *w = (struct wire_writer){.bytes = NULL, .len = 0, .cap = 0, .growable = true, .err = 0};
}

void wire_writer_init_fixed(struct wire_writer *w, uint8_t *buf, size_t cap)
{
    KS_ASSERT(w != NULL);
    KS_ASSERT(buf != NULL || cap == 0);
    *w = (struct wire_writer){.bytes = buf, .len = 0, .cap = cap, .growable = false, .err = 0};
}

void wire_writer_free(struct wire_writer *w)
{
    KS_ASSERT(w != NULL);
    if (w->growable) {
        free(w->bytes);
        w->bytes = NULL;
        w->cap = 0;
    }
    w->len = 0;
}

void wire_writer_reset(struct wire_writer *w)
{
    KS_ASSERT(w != NULL);
    w->len = 0;
    w->err = 0;
}

void wire_writer_fail(struct wire_writer *w, int err)
{
    KS_ASSERT(err < 0);
    if (w->err == 0) {
        w->err = err;
    }
}

/* writer_reserve's slow path: grows a growable writer to hold n more bytes. */
static bool writer_grow(struct wire_writer *w, size_t n)
{
    if (w->err != 0) {
        return false;
    }
    KS_ASSERT(w->len <= w->cap);
    if (w->cap - w->len >= n) {
        return true;
    }
    if (!w->growable) {
        wire_writer_fail(w, -WIRE_EOVERFLOW);
        return false;
    }
    size_t need = w->len + n;
    if (need < w->len) {
        wire_writer_fail(w, -WIRE_ENOMEM);
        return false;
    }
    /* Most frames are a few hundred bytes to a few KiB: start where few need to grow again. */
    size_t cap = w->cap < WRITER_FIRST_CAP ? WRITER_FIRST_CAP : w->cap;
    while (cap < need) {
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    }
    uint8_t *p = realloc(w->bytes, cap);
    if (p == NULL) {
        wire_writer_fail(w, -WIRE_ENOMEM);
        return false;
    }
    w->bytes = p;
    w->cap = cap;
    return true;
}

/* Makes room for n more bytes; false (with the error recorded) when there is none. Every
 * write of every frame comes here: the common case is one compare, inlined. */
static inline bool writer_reserve(struct wire_writer *w, size_t n)
{
    if (w->err == 0 && w->cap - w->len >= n) {
        return true;
    }
    return writer_grow(w, n);
}

void wire_write_raw(struct wire_writer *w, const void *p, size_t n)
{
    if (n == 0 || !writer_reserve(w, n)) {
        return;
    }
    KS_ASSERT(p != NULL);
    memcpy(w->bytes + w->len, p, n);
    w->len += n;
}

/* Big-endian store of the low `n` bytes of v. */
static void write_be(struct wire_writer *w, uint64_t v, size_t n)
{
    if (!writer_reserve(w, n)) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        w->bytes[w->len + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    }
    w->len += n;
}

void wire_write_int8(struct wire_writer *w, int8_t v) { write_be(w, (uint8_t)v, 1); }
void wire_write_int16(struct wire_writer *w, int16_t v) { write_be(w, (uint16_t)v, 2); }
void wire_write_int32(struct wire_writer *w, int32_t v) { write_be(w, (uint32_t)v, 4); }
void wire_write_int64(struct wire_writer *w, int64_t v) { write_be(w, (uint64_t)v, 8); }
void wire_write_uint16(struct wire_writer *w, uint16_t v) { write_be(w, v, 2); }
void wire_write_uint32(struct wire_writer *w, uint32_t v) { write_be(w, v, 4); }
void wire_write_bool(struct wire_writer *w, bool v) { write_be(w, v ? 1 : 0, 1); }

void wire_write_uuid(struct wire_writer *w, struct kuuid v)
{
    write_be(w, v.hi, 8);
    write_be(w, v.lo, 8);
}

/* Base-128 groups, least significant first, high bit = more follows (ByteUtils). */
static size_t encode_uvarlong(uint64_t v, uint8_t out[10])
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    KS_ASSERT(n <= 10);
    return n;
}

static uint32_t zigzag32(int32_t v) { return ((uint32_t)v << 1) ^ (uint32_t)(v >> 31); }
static uint64_t zigzag64(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }

/* Straight into the buffer when it has room for the longest (varints are most of a flexible
 * frame's fields); else exactly their bytes, which is all a fixed writer may have left. */
static void write_uvarlong(struct wire_writer *w, uint64_t v)
{
    if (w->err == 0 && w->cap - w->len >= 10) {
        w->len += encode_uvarlong(v, w->bytes + w->len);
        return;
    }
    uint8_t buf[10];
    wire_write_raw(w, buf, encode_uvarlong(v, buf));
}

void wire_write_uvarint(struct wire_writer *w, uint32_t v) { write_uvarlong(w, v); }

void wire_write_varint(struct wire_writer *w, int32_t v) { wire_write_uvarint(w, zigzag32(v)); }

void wire_write_varlong(struct wire_writer *w, int64_t v)
{
    write_uvarlong(w, zigzag64(v));
}

size_t wire_sizeof_uvarint(uint32_t v)
{
    uint8_t buf[10];
    return encode_uvarlong(v, buf);
}

size_t wire_sizeof_varint(int32_t v) { return wire_sizeof_uvarint(zigzag32(v)); }

size_t wire_sizeof_varlong(int64_t v)
{
    uint8_t buf[10];
    return encode_uvarlong(zigzag64(v), buf);
}

/* Length prefix of a string or byte field: classic int16/int32 or compact uvarint N+1. */
static void write_len_prefix(struct wire_writer *w, int32_t n, bool compact, bool wide)
{
    if (compact) {
        wire_write_uvarint(w, (uint32_t)(n + 1));
    } else if (wide) {
        wire_write_int32(w, n);
    } else {
        wire_write_int16(w, (int16_t)n);
    }
}

void wire_write_nullable_string(struct wire_writer *w, const char *s, bool compact)
{
    if (s == NULL) {
        write_len_prefix(w, -1, compact, false);
        return;
    }
    size_t n = strlen(s);
    if (n > STRING_LEN_MAX) {
        wire_writer_fail(w, -WIRE_EINVAL);
        return;
    }
    write_len_prefix(w, (int32_t)n, compact, false);
    wire_write_raw(w, s, n);
}

void wire_write_string(struct wire_writer *w, const char *s, bool compact)
{
    if (s == NULL) {
        wire_writer_fail(w, -WIRE_EINVAL);
        return;
    }
    wire_write_nullable_string(w, s, compact);
}

void wire_write_nullable_bytes(struct wire_writer *w, struct wire_bytes b, bool compact)
{
    if (b.len < 0) {
        write_len_prefix(w, -1, compact, true);
        return;
    }
    if (b.len == INT32_MAX && compact) {
        wire_writer_fail(w, -WIRE_EINVAL); /* Java's int N+1 would overflow */
        return;
    }
    write_len_prefix(w, b.len, compact, true);
    wire_write_raw(w, b.ptr, (size_t)b.len);
}

void wire_write_bytes(struct wire_writer *w, struct wire_bytes b, bool compact)
{
    if (b.len < 0) {
        wire_writer_fail(w, -WIRE_EINVAL);
        return;
    }
    wire_write_nullable_bytes(w, b, compact);
}

void wire_write_array_len(struct wire_writer *w, int32_t n, bool compact)
{
    KS_ASSERT(n >= -1);
    if (compact) {
        wire_write_uvarint(w, (uint32_t)n + 1);
    } else {
        wire_write_int32(w, n);
    }
}

void wire_patch_uint32(struct wire_writer *w, size_t pos, uint32_t v)
{
    if (w->err != 0) {
        return;
    }
    KS_ASSERT(pos <= w->len);
    KS_ASSERT(w->len - pos >= 4);
    for (size_t i = 0; i < 4; i++) {
        w->bytes[pos + i] = (uint8_t)(v >> (24 - 8 * i));
    }
}

void wire_patch_int32(struct wire_writer *w, size_t pos, int32_t v)
{
    wire_patch_uint32(w, pos, (uint32_t)v);
}

static void insert_raw(struct wire_writer *w, size_t mark, const uint8_t *p, size_t n)
{
    if (!writer_reserve(w, n)) {
        return;
    }
    KS_ASSERT(mark <= w->len);
    memmove(w->bytes + mark + n, w->bytes + mark, w->len - mark);
    memcpy(w->bytes + mark, p, n);
    w->len += n;
}

void wire_insert_uvarint(struct wire_writer *w, size_t mark, uint32_t v)
{
    uint8_t buf[10];
    insert_raw(w, mark, buf, encode_uvarlong(v, buf));
}

void wire_insert_varint(struct wire_writer *w, size_t mark, int32_t v)
{
    wire_insert_uvarint(w, mark, zigzag32(v));
}

size_t wire_tag_begin(struct wire_writer *w, uint32_t tag)
{
    wire_write_uvarint(w, tag);
    return w->len;
}

void wire_tag_end(struct wire_writer *w, size_t mark)
{
    if (w->err != 0) {
        return;
    }
    KS_ASSERT(mark <= w->len);
    KS_ASSERT(w->len - mark <= UINT32_MAX);
    wire_insert_uvarint(w, mark, (uint32_t)(w->len - mark));
}

/* ---------------------------------------------------------------------------------------- */
/* Reader                                                                                    */

void wire_reader_init(struct wire_reader *r, const uint8_t *bytes, size_t len)
{
    KS_ASSERT(r != NULL);
    KS_ASSERT(bytes != NULL || len == 0);
    *r = (struct wire_reader){.bytes = bytes, .len = len, .pos = 0, .err = 0};
}

void wire_reader_fail(struct wire_reader *r, int err)
{
    KS_ASSERT(err < 0);
    if (r->err == 0) {
        r->err = err;
    }
}

size_t wire_reader_remaining(const struct wire_reader *r)
{
    KS_ASSERT(r->pos <= r->len);
    return r->err != 0 ? 0 : r->len - r->pos;
}

const uint8_t *wire_read_raw(struct wire_reader *r, size_t n)
{
    static const uint8_t empty[1];
    if (r->err != 0) {
        return NULL;
    }
    if (r->bytes == NULL) {
        KS_ASSERT(r->len == 0);
        /* Zero bytes from an empty input: a valid pointer without arithmetic on NULL. */
        if (n == 0) {
            return empty;
        }
    }
    KS_ASSERT(r->pos <= r->len);
    if (r->len - r->pos < n) {
        wire_reader_fail(r, -WIRE_ETRUNCATED);
        return NULL;
    }
    const uint8_t *p = r->bytes + r->pos;
    r->pos += n;
    return p;
}

static uint64_t read_be(struct wire_reader *r, size_t n)
{
    const uint8_t *p = wire_read_raw(r, n);
    uint64_t v = 0;
    if (p == NULL) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

int8_t wire_read_int8(struct wire_reader *r) { return (int8_t)read_be(r, 1); }
int16_t wire_read_int16(struct wire_reader *r) { return (int16_t)read_be(r, 2); }
int32_t wire_read_int32(struct wire_reader *r) { return (int32_t)read_be(r, 4); }
int64_t wire_read_int64(struct wire_reader *r) { return (int64_t)read_be(r, 8); }
uint16_t wire_read_uint16(struct wire_reader *r) { return (uint16_t)read_be(r, 2); }
uint32_t wire_read_uint32(struct wire_reader *r) { return (uint32_t)read_be(r, 4); }
bool wire_read_bool(struct wire_reader *r) { return read_be(r, 1) != 0; }

struct kuuid wire_read_uuid(struct wire_reader *r)
{
    struct kuuid u;
    u.hi = read_be(r, 8);
    u.lo = read_be(r, 8);
    return u;
}

/*
 * ByteUtils.readUnsignedVarint: at most 5 bytes; a continuation bit in the 5th byte is an error
 * ("Varint is too long"); bits past 32 in the 5th byte are dropped, as Java's int shift does.
 */
/* An unsigned varint of at most `max` bytes, read in place (every record carries six, and a
 * call per byte was a thirtieth of a run): past `max` bytes with the continuation bit set it is
 * malformed, and input ending inside it is truncated. */
static uint64_t read_uvarlong(struct wire_reader *r, int max)
{
    if (r->err != 0) {
        return 0;
    }
    KS_ASSERT(r->pos <= r->len);
    size_t left = r->len - r->pos;
    const uint8_t *p = left > 0 ? r->bytes + r->pos : NULL;
    uint64_t v = 0;
    for (int i = 0; i < max; i++) {
        if ((size_t)i == left) {
            wire_reader_fail(r, -WIRE_ETRUNCATED);
            return 0;
        }
        v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if ((p[i] & 0x80) == 0) {
            r->pos += (size_t)i + 1;
            return v;
        }
    }
    wire_reader_fail(r, -WIRE_EMALFORMED);
    return 0;
}

uint32_t wire_read_uvarint(struct wire_reader *r) { return (uint32_t)read_uvarlong(r, 5); }

int32_t wire_read_varint(struct wire_reader *r)
{
    uint32_t u = wire_read_uvarint(r);
    return (int32_t)((u >> 1) ^ (0u - (u & 1)));
}

/* ByteUtils.readVarlong: at most 10 bytes; a 10th byte with the continuation bit is an error. */
int64_t wire_read_varlong(struct wire_reader *r)
{
    uint64_t u = read_uvarlong(r, 10);
    return (int64_t)((u >> 1) ^ (0 - (u & 1)));
}

/* Reads a length prefix; returns -1 for null, or a length the input can hold. */
static int32_t read_len_prefix(struct wire_reader *r, bool compact, bool wide)
{
    int64_t n;
    if (compact) {
        /* Java reads the uvarint into an int and subtracts 1, so ≥ 2^31 wraps negative. */
        n = (int32_t)(wire_read_uvarint(r) - 1u);
    } else if (wide) {
        n = wire_read_int32(r);
    } else {
        n = wire_read_int16(r);
    }
    if (r->err != 0) {
        return 0;
    }
    if (n < 0) {
        return -1; /* Java treats every negative classic length as null */
    }
    if ((uint64_t)n > wire_reader_remaining(r)) {
        wire_reader_fail(r, -WIRE_ETRUNCATED);
        return 0;
    }
    return (int32_t)n;
}

const char *wire_read_nullable_string(struct wire_reader *r, struct wire_arena *a, bool compact)
{
    int32_t n = read_len_prefix(r, compact, false);
    if (n < 0 || r->err != 0) {
        return NULL;
    }
    if (n > STRING_LEN_MAX) {
        wire_reader_fail(r, -WIRE_EMALFORMED); /* "string field had invalid length" */
        return NULL;
    }
    const uint8_t *p = wire_read_raw(r, (size_t)n);
    char *s = arena_alloc_raw(a, (size_t)n + 1);
    if (s == NULL) {
        wire_reader_fail(r, -WIRE_ENOMEM);
        return NULL;
    }
    if (n > 0) {
        memcpy(s, p, (size_t)n);
    }
    s[n] = '\0';
    if (memchr(s, '\0', (size_t)n) != NULL) {
        wire_reader_fail(r, -WIRE_EMALFORMED); /* see wire.h: NUL-terminated strings */
        return NULL;
    }
    return s;
}

const char *wire_read_string(struct wire_reader *r, struct wire_arena *a, bool compact)
{
    const char *s = wire_read_nullable_string(r, a, compact);
    if (s == NULL && r->err == 0) {
        wire_reader_fail(r, -WIRE_EMALFORMED);
    }
    return s;
}

struct wire_bytes wire_read_nullable_bytes(struct wire_reader *r, struct wire_arena *a,
                                           bool compact)
{
    int32_t n = read_len_prefix(r, compact, true);
    if (n < 0 || r->err != 0) {
        return WIRE_BYTES_NULL;
    }
    return wire_read_bytes_copy(r, a, n);
}

struct wire_bytes wire_read_bytes_copy(struct wire_reader *r, struct wire_arena *a, int32_t n)
{
    if (r->err != 0 || n < 0) {
        return WIRE_BYTES_NULL;
    }
    const uint8_t *p = wire_read_raw(r, (size_t)n);
    if (p == NULL && n > 0) {
        return WIRE_BYTES_NULL; /* the reader has failed */
    }
    uint8_t *copy = arena_alloc_raw(a, (size_t)n); /* not zeroed: copied over at once */
    if (copy == NULL) {
        wire_reader_fail(r, -WIRE_ENOMEM);
        return WIRE_BYTES_NULL;
    }
    if (n > 0) {
        memcpy(copy, p, (size_t)n);
    }
    return (struct wire_bytes){copy, n};
}

struct wire_bytes wire_read_bytes(struct wire_reader *r, struct wire_arena *a, bool compact)
{
    struct wire_bytes b = wire_read_nullable_bytes(r, a, compact);
    if (b.len < 0 && r->err == 0) {
        wire_reader_fail(r, -WIRE_EMALFORMED);
    }
    return b;
}

int32_t wire_read_array_len(struct wire_reader *r, bool compact)
{
    /* Same bound as the generated Java ("Tried to read N elements, but only M bytes remain"). */
    return read_len_prefix(r, compact, true);
}

int32_t wire_read_array_count(struct wire_reader *r, bool compact)
{
    int32_t n = wire_read_array_len(r, compact);
    if (n < 0) {
        wire_reader_fail(r, -WIRE_EMALFORMED);
        return 0;
    }
    return r->err != 0 ? 0 : n;
}

void *wire_read_alloc(struct wire_reader *r, struct wire_arena *a, int32_t n, size_t size)
{
    if (n <= 0 || r->err != 0) {
        return NULL;
    }
    KS_ASSERT(size > 0);
    if ((size_t)n > SIZE_MAX / size) {
        wire_reader_fail(r, -WIRE_ENOMEM);
        return NULL;
    }
    void *p = wire_arena_alloc(a, (size_t)n * size);
    if (p == NULL) {
        wire_reader_fail(r, -WIRE_ENOMEM);
    }
    return p;
}

void *wire_read_array(struct wire_reader *r, struct wire_arena *a, bool compact, size_t size,
                      int32_t *count)
{
    KS_ASSERT(count != NULL);
    int32_t n = wire_read_array_count(r, compact);
    void *p = wire_read_alloc(r, a, n, size);
    *count = r->err != 0 ? 0 : n;
    return p;
}

void wire_tags_begin(struct wire_tags *t, struct wire_reader *r)
{
    t->r = r;
    t->field = NULL;
    t->left = wire_read_uvarint(r);
    /* Each field takes at least two bytes (tag and size); more fields than that is garbage. */
    if (r->err == 0 && t->left > wire_reader_remaining(r) / 2) {
        wire_reader_fail(r, -WIRE_ETRUNCATED);
    }
}

bool wire_tags_next(struct wire_tags *t, uint32_t *tag, struct wire_reader *field)
{
    struct wire_reader *r = t->r;
    if (t->field != NULL && t->field->err != 0) {
        wire_reader_fail(r, t->field->err);
    }
    t->field = NULL;
    if (r->err != 0 || t->left == 0) {
        return false;
    }
    t->left--;
    *tag = wire_read_uvarint(r);
    uint32_t size = wire_read_uvarint(r);
    const uint8_t *p = wire_read_raw(r, size);
    if (p == NULL) {
        return false;
    }
    wire_reader_init(field, p, size);
    t->field = field;
    return true;
}

void wire_skip_tags(struct wire_reader *r)
{
    struct wire_tags t;
    uint32_t tag;
    struct wire_reader f;
    wire_tags_begin(&t, r);
    while (wire_tags_next(&t, &tag, &f)) {
    }
}

/* ---------------------------------------------------------------------------------------- */
/* CRC-32C: slicing-by-8 (eight bytes a step through eight tables), the tables built on first  */
/* use. Every batch is checked on every decode (Fetch, recovery), so this is on the hot path:   */
/* one byte a step was the simulator's largest single cost. Same function, same values.        */

static uint32_t crc_table[8][256];
static bool crc_table_ready;

static void crc_table_build(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) {
            c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        }
        crc_table[0][i] = c;
    }
    /* crc_table[k][i]: the CRC of byte i followed by k zero bytes. */
    for (uint32_t i = 0; i < 256; i++) {
        for (int k = 1; k < 8; k++) {
            uint32_t prev = crc_table[k - 1][i];
            crc_table[k][i] = crc_table[0][prev & 0xff] ^ (prev >> 8);
        }
    }
    crc_table_ready = true;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* SSE 4.2's crc32 instruction computes CRC-32C itself (the Castagnoli polynomial, reflected,
 * as Kafka's Crc32C): the same value as the tables below, eight bytes an instruction.
 * Brokers checksum every batch they append, fetch and recover; this is most of that time. */
#define WIRE_CRC_HW 1
__attribute__((target("sse4.2"))) static uint32_t crc32c_hw(uint32_t c, const uint8_t *p,
                                                             size_t len)
{
    for (; len >= 8; p += 8, len -= 8) {
        uint64_t word;
        memcpy(&word, p, sizeof word); /* x86 is little-endian: the bytes in wire order */
        c = (uint32_t)__builtin_ia32_crc32di(c, word);
    }
    for (; len > 0; p++, len--) {
        c = __builtin_ia32_crc32qi(c, *p);
    }
    return c;
}

static int crc_hw = -1; /* -1: not asked yet */
#endif

uint32_t wire_crc32c(uint32_t crc, const void *data, size_t len)
{
    KS_ASSERT(data != NULL || len == 0);
#ifdef WIRE_CRC_HW
    if (crc_hw < 0) {
        __builtin_cpu_init();
        crc_hw = __builtin_cpu_supports("sse4.2") ? 1 : 0;
    }
    if (crc_hw == 1 && len > 0) {
        return ~crc32c_hw(~crc, data, len);
    }
#endif
    return wire_crc32c_table(crc, data, len);
}

uint32_t wire_crc32c_table(uint32_t crc, const void *data, size_t len)
{
    KS_ASSERT(data != NULL || len == 0);
    if (!crc_table_ready) {
        crc_table_build();
    }
    const uint8_t *p = data;
    uint32_t c = ~crc;
    for (; len >= 8; p += 8, len -= 8) {
        /* The low four bytes fold into the running CRC; bytes are read one by one, so the
         * result does not depend on the host's byte order. */
        uint32_t lo = c ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                           (uint32_t)p[3] << 24);
        c = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
            crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^ crc_table[3][p[4]] ^
            crc_table[2][p[5]] ^ crc_table[1][p[6]] ^ crc_table[0][p[7]];
    }
    for (; len > 0; p++, len--) {
        c = crc_table[0][(c ^ *p) & 0xff] ^ (c >> 8);
    }
    return ~c;
}
