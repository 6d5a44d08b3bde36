/* schema.h — descriptor-driven Kafka message codec: a message is a table, one walker codes it. */
#ifndef KRAFTSIM_SCHEMA_H
#define KRAFTSIM_SCHEMA_H

/*
 * Kafka describes every RPC once, in clients/src/main/resources/common/message/<Name>.json, and
 * generates a Java class per message. kraftsim's older RPCs (fetch.c, kraft_rpc.c, ...) are
 * hand-written encode/decode pairs; the data-path RPCs (data_rpc.h, group_rpc.h) are described
 * here instead, as static tables that one encoder and one decoder walk for any version, the
 * way nanopb and protobuf-c drive their codecs from descriptors.
 *
 * Where the values live. A table row names a field of an ordinary C struct by offsetof, so a
 * decoded ProduceRequest is a `struct produce_request` the replica manager reads as
 * `req.topics[i].partitions[j].records`: typed, checked by the compiler, no lookups by name and
 * no casts at the call site. (A generic tree of tagged nodes would need a lookup and a type test
 * per access, and every consumer would re-derive the shape the table already knows.)
 *
 * C representation of each type (the struct member a row's offset names):
 *   INT8 INT16 INT32 INT64 UINT16 UINT32   int8_t ... uint32_t
 *   VARINT                                 int32_t (zig-zag varint on the wire)
 *   BOOL                                   bool
 *   FLOAT64                                double (IEEE 754 big-endian on the wire)
 *   UUID                                   struct kuuid
 *   STRING                                 const char * (NULL = null; nullable versions only)
 *   BYTES, RECORDS                         struct wire_bytes (len -1 = null)
 *   STRUCT                                 the element struct, embedded
 *   ARRAY                                  int32_t count at count_offset (-1 = null) and a
 *                                          pointer at offset to `count` elements: structs
 *                                          (elem set) or values of elem_type
 *
 * Wire rules, as Kafka's generated code has them:
 * - A version is flexible from the message's flexible_min ("flexibleVersions": "N+"): strings,
 *   bytes and arrays use compact lengths, and every struct (each array element and nested
 *   struct too) ends with a tagged-field section.
 * - A field outside its versions is skipped on encode, whatever its value, and holds its
 *   default after a decode. (Java throws for a non-default, non-ignorable one; as in
 *   kraft_rpc.h that check is the caller's.)
 * - A tagged field (tag ≥ 0, inside its tagged versions) goes to its struct's tag section, in
 *   ascending tag order, and only when it differs from its default: an integer its default, a
 *   string or bytes value non-null (or non-empty for a non-nullable one), an array non-empty
 *   (non-null when nullable), a struct any of whose fields differs. Unknown tags are skipped on
 *   decode; a known tag must fill its declared size exactly.
 * - Null where the version does not allow it is -WIRE_EINVAL on encode, -WIRE_EMALFORMED on
 *   decode.
 *
 * Errors are wire.h's: encoders return 0, -WIRE_EVERSION or the writer's error; decoders return
 * 0 or a negative codec error (truncated, malformed, ...), never read outside the input and
 * never crash on garbage. Decoded strings, bytes and arrays live in the caller's arena; on error
 * the output holds partial data that is safe to discard with the arena.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define SCHEMA_TYPES(X)                                                                        \
    X(SCHEMA_INT8, "int8")                                                                     \
    X(SCHEMA_INT16, "int16")                                                                   \
    X(SCHEMA_INT32, "int32")                                                                   \
    X(SCHEMA_INT64, "int64")                                                                   \
    X(SCHEMA_UINT16, "uint16")                                                                 \
    X(SCHEMA_UINT32, "uint32")                                                                 \
    X(SCHEMA_VARINT, "varint")                                                                 \
    X(SCHEMA_BOOL, "bool")                                                                     \
    X(SCHEMA_FLOAT64, "float64")                                                               \
    X(SCHEMA_UUID, "uuid")                                                                     \
    X(SCHEMA_STRING, "string")                                                                 \
    X(SCHEMA_BYTES, "bytes")                                                                   \
    X(SCHEMA_RECORDS, "records")                                                               \
    X(SCHEMA_STRUCT, "struct")                                                                 \
    X(SCHEMA_ARRAY, "array")

enum schema_type {
#define SCHEMA_TYPE_ENUM(name, text) name,
    SCHEMA_TYPES(SCHEMA_TYPE_ENUM)
#undef SCHEMA_TYPE_ENUM
        SCHEMA_TYPE_COUNT
};

const char *schema_type_name(enum schema_type t);

/* "N+" in the JSON: no upper bound. */
#define SCHEMA_VMAX INT16_MAX

/* A version range lo..hi inclusive; `on` false means no version (zero-initialised rows). */
struct schema_range {
    int16_t lo;
    int16_t hi;
    bool on;
};

struct schema_struct;

struct schema_field {
    const char *name; /* Kafka's field name, e.g. "TransactionalId" */
    enum schema_type type;
    struct schema_range versions;
    struct schema_range nullable; /* "nullableVersions" */
    struct schema_range tagged;   /* "taggedVersions"; with tag */
    int32_t tag;                  /* meaningful only when tagged.on */
    size_t offset;                /* offsetof the value (the pointer, for arrays) */
    size_t size;                  /* sizeof the member at offset, checked against the type */
    size_t count_offset;          /* arrays: offsetof the int32_t count */
    size_t count_size;            /* arrays: sizeof the count member, checked: 4 */
    enum schema_type elem_type;   /* arrays: the element type */
    size_t elem_size;             /* arrays: sizeof one element, checked against the type */
    const struct schema_struct *elem; /* STRUCT, and arrays of STRUCT */
    int64_t def;                  /* integer and bool default ("default" in the JSON) */
    double def_float;             /* FLOAT64 default */
    const char *def_string;       /* STRING default other than "" (NULL: "") */
    bool def_null;                /* "default": "null" (strings, bytes, arrays) */
};

struct schema_struct {
    const char *name; /* the JSON's struct type name, e.g. "PartitionProduceData" */
    size_t size;      /* sizeof the C struct */
    const struct schema_field *fields;
    size_t field_count;
};

struct schema_message {
    const char *name; /* "ProduceRequest" */
    int16_t api_key;
    bool response;
    int16_t version_min; /* "validVersions" */
    int16_t version_max;
    int16_t flexible_min; /* "flexibleVersions": "N+"; SCHEMA_VMAX for "none" */
    const struct schema_struct *body;
};

/* ---- Describing messages (used by data_rpc.c, group_rpc.c) ----------------------------------- */

#define SCHEMA_V(lo, hi) {(lo), (hi), true}
#define SCHEMA_FROM(lo) SCHEMA_V(lo, SCHEMA_VMAX)
/* Trailing designators for the common cases. */
#define SCHEMA_NULLABLE(vers) .nullable = vers
#define SCHEMA_NULL_DEFAULT(vers) .nullable = vers, .def_null = true
#define SCHEMA_TAG(t, vers) .tag = (t), .tagged = vers

/* A scalar, string, bytes or uuid member `m` of struct S; trailing designators for the rest
 * (.nullable = SCHEMA_FROM(3), .def = -1, .tag = 0, .tagged = SCHEMA_FROM(10), ...). */
#define SCHEMA_FIELD(S, m, kname, ktype, vers, ...)                                            \
    {.name = (kname), .type = (ktype), .versions = vers, .offset = offsetof(S, m),             \
     .size = sizeof(((S *)0)->m), __VA_ARGS__}
/* An embedded struct member described by `desc`. */
#define SCHEMA_STRUCT_FIELD(S, m, kname, desc, vers, ...)                                      \
    {.name = (kname), .type = SCHEMA_STRUCT, .versions = vers, .offset = offsetof(S, m),       \
     .size = sizeof(((S *)0)->m), .elem = &(desc), __VA_ARGS__}
/* An array of structs: pointer member `m`, count member `n`. */
#define SCHEMA_ARRAY_FIELD(S, m, n, kname, desc, vers, ...)                                    \
    {.name = (kname), .type = SCHEMA_ARRAY, .versions = vers, .offset = offsetof(S, m),        \
     .size = sizeof(((S *)0)->m), .count_offset = offsetof(S, n),                             \
     .count_size = sizeof(((S *)0)->n), .elem_type = SCHEMA_STRUCT,                            \
     .elem_size = sizeof(*((S *)0)->m), .elem = &(desc), __VA_ARGS__}
/* An array of values of `etype` (Kafka's "[]int32", "[]string"). */
#define SCHEMA_VALUES_FIELD(S, m, n, kname, etype, vers, ...)                                  \
    {.name = (kname), .type = SCHEMA_ARRAY, .versions = vers, .offset = offsetof(S, m),        \
     .size = sizeof(((S *)0)->m), .count_offset = offsetof(S, n),                             \
     .count_size = sizeof(((S *)0)->n), .elem_type = (etype),                                  \
     .elem_size = sizeof(*((S *)0)->m), __VA_ARGS__}
#define SCHEMA_STRUCT_DESC(S, kname, table)                                                    \
    {.name = (kname), .size = sizeof(S), .fields = (table),                                    \
     .field_count = sizeof(table) / sizeof((table)[0])}

/* ---- Using them ------------------------------------------------------------------------------ */

bool schema_version_ok(const struct schema_message *m, int16_t version);
bool schema_flexible(const struct schema_message *m, int16_t version);

/* Sets every field of the C struct `out` (of s->size bytes) to its schema default: integers
 * their "default", strings null or "", bytes null or empty, arrays empty or null, nested
 * structs recursively. Call it before filling a message to encode, and on array elements. */
void schema_struct_init(const struct schema_struct *s, void *out);
void schema_init(const struct schema_message *m, void *out);

/* Appends m's body at `version` to `w`. The header and frame size are header.h's. */
int schema_encode(struct wire_writer *w, const struct schema_message *m, const void *msg,
                  int16_t version);
/* Decodes one body at `version` from `r` into `out` (m->body->size bytes), which it
 * initialises first. Leaves r->pos after the body: a frame's caller checks nothing is left. */
int schema_decode(struct wire_reader *r, const struct schema_message *m, int16_t version,
                  struct wire_arena *a, void *out);

/* Every message described, in api-key order, requests before responses. */
size_t schema_message_count(void);
const struct schema_message *schema_message_at(size_t i);
/* The request (response false) or response schema of an API key; NULL if not described. */
const struct schema_message *schema_find(int16_t api_key, bool response);

/*
 * Checks a table against the rules the walker relies on (member sizes match the types, array
 * rows have a count, tagged rows are flexible-only, tags ascend and are unique per struct and
 * version, ranges are ordered). Returns NULL, or a static line naming the first bad row.
 * Run by the tests over every described message.
 */
const char *schema_check(const struct schema_message *m);

/* ---- Typed entry points ---------------------------------------------------------------------- */

/*
 * For a message `name` with C struct `struct name` and table `name_schema`, these declare and
 * define, with the signatures of the hand-written codecs (fetch.h):
 *   void name_init(struct name *m);                     schema defaults
 *   int name_encode(struct wire_writer *w, const struct name *m, int16_t version);
 *   int name_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,
 *                   struct name *out);
 * and for an element struct `name` with table `name_desc`: void name_init(struct name *e).
 */
#define SCHEMA_MESSAGE_DECLARE(name)                                                           \
    extern const struct schema_message name##_schema;                                         \
    void name##_init(struct name *m);                                                          \
    int name##_encode(struct wire_writer *w, const struct name *m, int16_t version);           \
    int name##_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,           \
                      struct name *out)
#define SCHEMA_MESSAGE_DEFINE(name)                                                            \
    void name##_init(struct name *m) { schema_init(&name##_schema, m); }                       \
    int name##_encode(struct wire_writer *w, const struct name *m, int16_t version)            \
    {                                                                                          \
        return schema_encode(w, &name##_schema, m, version);                                   \
    }                                                                                          \
    int name##_decode(struct wire_reader *r, int16_t version, struct wire_arena *a,            \
                      struct name *out)                                                        \
    {                                                                                          \
        return schema_decode(r, &name##_schema, version, a, out);                              \
    }
#define SCHEMA_ELEMENT_DECLARE(name)                                                           \
    extern const struct schema_struct name##_desc;                                            \
    void name##_init(struct name *e)
#define SCHEMA_ELEMENT_DEFINE(name)                                                            \
    void name##_init(struct name *e) { schema_struct_init(&name##_desc, e); }

#endif
