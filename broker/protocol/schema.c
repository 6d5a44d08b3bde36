/* schema.c — the one encoder and one decoder that walk schema.h's message tables. */
#include "schema.h"

#include <string.h>

#include "data_rpc.h"
#include "env.h"
#include "group_rpc.h"
#include "text.h"

static const char *const type_names[] = {
#define SCHEMA_TYPE_NAME(name, text) text,
    SCHEMA_TYPES(SCHEMA_TYPE_NAME)
#undef SCHEMA_TYPE_NAME
};

const char *schema_type_name(enum schema_type t)
{
    return (unsigned)t < SCHEMA_TYPE_COUNT ? type_names[t] : "?";
}

static bool in_range(struct schema_range r, int16_t v) { return r.on && v >= r.lo && v <= r.hi; }

bool schema_version_ok(const struct schema_message *m, int16_t version)
{
    return version >= m->version_min && version <= m->version_max;
}

bool schema_flexible(const struct schema_message *m, int16_t version)
{
    return version >= m->flexible_min;
}

/* One walk: the version, whether it is flexible, and (decoding) the arena. */
struct walk {
    int16_t version;
    bool flexible;
    struct wire_arena *arena;
};

static bool is_tagged(const struct schema_field *f, const struct walk *k)
{
    return k->flexible && in_range(f->tagged, k->version);
}

static bool is_nullable(const struct schema_field *f, const struct walk *k)
{
    return in_range(f->nullable, k->version);
}

/* Bytes of the C representation of a value of type t (schema.h's table); 0 for ARRAY. */
static size_t c_size(enum schema_type t, const struct schema_struct *elem)
{
    switch (t) {
    case SCHEMA_INT8: return sizeof(int8_t);
    case SCHEMA_INT16: return sizeof(int16_t);
    case SCHEMA_INT32: return sizeof(int32_t);
    case SCHEMA_INT64: return sizeof(int64_t);
    case SCHEMA_UINT16: return sizeof(uint16_t);
    case SCHEMA_UINT32: return sizeof(uint32_t);
    case SCHEMA_VARINT: return sizeof(int32_t);
    case SCHEMA_BOOL: return sizeof(bool);
    case SCHEMA_FLOAT64: return sizeof(double);
    case SCHEMA_UUID: return sizeof(struct kuuid);
    case SCHEMA_STRING: return sizeof(const char *);
    case SCHEMA_BYTES:
    case SCHEMA_RECORDS: return sizeof(struct wire_bytes);
    case SCHEMA_STRUCT: return elem != NULL ? elem->size : 0;
    case SCHEMA_ARRAY:
    case SCHEMA_TYPE_COUNT: break;
    }
    return 0;
}

static int32_t *count_at(const struct schema_field *f, void *base)
{
    return (int32_t *)((unsigned char *)base + f->count_offset);
}

static const int32_t *count_at_const(const struct schema_field *f, const void *base)
{
    return (const int32_t *)((const unsigned char *)base + f->count_offset);
}

/* ---- Defaults -------------------------------------------------------------------------------- */

static void init_integer(enum schema_type t, void *p, int64_t def)
{
    switch (t) {
    case SCHEMA_INT8: *(int8_t *)p = (int8_t)def; break;
    case SCHEMA_INT16: *(int16_t *)p = (int16_t)def; break;
    case SCHEMA_INT32:
    case SCHEMA_VARINT: *(int32_t *)p = (int32_t)def; break;
    case SCHEMA_INT64: *(int64_t *)p = def; break;
    case SCHEMA_UINT16: *(uint16_t *)p = (uint16_t)def; break;
    case SCHEMA_UINT32: *(uint32_t *)p = (uint32_t)def; break;
    case SCHEMA_BOOL: *(bool *)p = def != 0; break;
    default: KS_ASSERT(!"not an integer type"); break;
    }
}

static void init_field(const struct schema_field *f, void *base)
{
    void *p = (unsigned char *)base + f->offset;
    switch (f->type) {
    case SCHEMA_FLOAT64: *(double *)p = f->def_float; break;
    case SCHEMA_UUID: *(struct kuuid *)p = KUUID_ZERO; break;
    case SCHEMA_STRING:
        *(const char **)p = f->def_null ? NULL : f->def_string != NULL ? f->def_string : "";
        break;
    case SCHEMA_BYTES:
        *(struct wire_bytes *)p = f->def_null ? WIRE_BYTES_NULL : (struct wire_bytes){NULL, 0};
        break;
    case SCHEMA_RECORDS: *(struct wire_bytes *)p = WIRE_BYTES_NULL; break;
    case SCHEMA_STRUCT: schema_struct_init(f->elem, p); break;
    case SCHEMA_ARRAY:
        *(void **)p = NULL;
        *count_at(f, base) = f->def_null ? -1 : 0;
        break;
    default: init_integer(f->type, p, f->def); break;
    }
}

void schema_struct_init(const struct schema_struct *s, void *out)
{
    KS_ASSERT(s != NULL && out != NULL);
    memset(out, 0, s->size);
    for (size_t i = 0; i < s->field_count; i++) {
        init_field(&s->fields[i], out);
    }
}

void schema_init(const struct schema_message *m, void *out) { schema_struct_init(m->body, out); }

static int64_t integer_at(enum schema_type t, const void *p)
{
    switch (t) {
    case SCHEMA_INT8: return *(const int8_t *)p;
    case SCHEMA_INT16: return *(const int16_t *)p;
    case SCHEMA_INT32:
    case SCHEMA_VARINT: return *(const int32_t *)p;
    case SCHEMA_INT64: return *(const int64_t *)p;
    case SCHEMA_UINT16: return *(const uint16_t *)p;
    case SCHEMA_UINT32: return *(const uint32_t *)p;
    case SCHEMA_BOOL: return *(const bool *)p ? 1 : 0;
    default: KS_ASSERT(!"not an integer type"); return 0;
    }
}

static bool struct_is_default(const struct schema_struct *s, const void *base);

/* Whether a field holds its default: a tagged field is written only when it does not. */
static bool field_is_default(const struct schema_field *f, const void *base)
{
    const void *p = (const unsigned char *)base + f->offset;
    switch (f->type) {
    case SCHEMA_FLOAT64: return *(const double *)p == f->def_float;
    case SCHEMA_UUID: return wire_uuid_equal(*(const struct kuuid *)p, KUUID_ZERO);
    case SCHEMA_STRING: {
        const char *s = *(const char *const *)p;
        if (f->def_null || s == NULL) {
            return f->def_null && s == NULL;
        }
        return strcmp(s, f->def_string != NULL ? f->def_string : "") == 0;
    }
    case SCHEMA_BYTES:
    case SCHEMA_RECORDS: {
        int32_t len = ((const struct wire_bytes *)p)->len;
        return f->def_null || f->type == SCHEMA_RECORDS ? len < 0 : len == 0;
    }
    case SCHEMA_STRUCT: return struct_is_default(f->elem, p);
    case SCHEMA_ARRAY: return *count_at_const(f, base) == (f->def_null ? -1 : 0);
    default: return integer_at(f->type, p) == f->def;
    }
}

static bool struct_is_default(const struct schema_struct *s, const void *base)
{
    for (size_t i = 0; i < s->field_count; i++) {
        if (!field_is_default(&s->fields[i], base)) {
            return false;
        }
    }
    return true;
}

/* ---- Encoder --------------------------------------------------------------------------------- */

static void encode_struct(struct wire_writer *w, const struct schema_struct *s, const void *base,
                          const struct walk *k);

static void encode_integer(struct wire_writer *w, enum schema_type t, const void *p)
{
    switch (t) {
    case SCHEMA_INT8: wire_write_int8(w, *(const int8_t *)p); break;
    case SCHEMA_INT16: wire_write_int16(w, *(const int16_t *)p); break;
    case SCHEMA_INT32: wire_write_int32(w, *(const int32_t *)p); break;
    case SCHEMA_INT64: wire_write_int64(w, *(const int64_t *)p); break;
    case SCHEMA_UINT16: wire_write_uint16(w, *(const uint16_t *)p); break;
    case SCHEMA_UINT32: wire_write_uint32(w, *(const uint32_t *)p); break;
    case SCHEMA_VARINT: wire_write_varint(w, *(const int32_t *)p); break;
    case SCHEMA_BOOL: wire_write_bool(w, *(const bool *)p); break;
    default: KS_ASSERT(!"not an integer type"); break;
    }
}

/* One value of type t at p (a field, or an array element). */
static void encode_value(struct wire_writer *w, enum schema_type t,
                         const struct schema_struct *elem, bool nullable, const void *p,
                         const struct walk *k)
{
    switch (t) {
    case SCHEMA_FLOAT64: {
        uint64_t bits;
        memcpy(&bits, p, sizeof bits);
        wire_write_int64(w, (int64_t)bits);
        break;
    }
    case SCHEMA_UUID: wire_write_uuid(w, *(const struct kuuid *)p); break;
    case SCHEMA_STRING:
        if (nullable) {
            wire_write_nullable_string(w, *(const char *const *)p, k->flexible);
        } else {
            wire_write_string(w, *(const char *const *)p, k->flexible);
        }
        break;
    case SCHEMA_BYTES:
    case SCHEMA_RECORDS:
        if (nullable) {
            wire_write_nullable_bytes(w, *(const struct wire_bytes *)p, k->flexible);
        } else {
            wire_write_bytes(w, *(const struct wire_bytes *)p, k->flexible);
        }
        break;
    case SCHEMA_STRUCT: encode_struct(w, elem, p, k); break;
    default: encode_integer(w, t, p); break;
    }
}

static void encode_array(struct wire_writer *w, const struct schema_field *f, const void *base,
                         const struct walk *k)
{
    int32_t n = *count_at_const(f, base);
    const unsigned char *items = *(const void *const *)((const unsigned char *)base + f->offset);
    if (n < -1 || (n == -1 && !is_nullable(f, k)) || (n > 0 && items == NULL)) {
        wire_writer_fail(w, -WIRE_EINVAL);
        return;
    }
    wire_write_array_len(w, n, k->flexible);
    for (int32_t i = 0; i < n && w->err == 0; i++) {
        encode_value(w, f->elem_type, f->elem, false, items + (size_t)i * f->elem_size, k);
    }
}

static void encode_field(struct wire_writer *w, const struct schema_field *f, const void *base,
                         const struct walk *k)
{
    if (f->type == SCHEMA_ARRAY) {
        encode_array(w, f, base, k);
        return;
    }
    const void *p = (const unsigned char *)base + f->offset;
    encode_value(w, f->type, f->elem, is_nullable(f, k), p, k);
}

/* The tag section: the count, then each non-default tagged field (tables list them by tag). */
static void encode_tags(struct wire_writer *w, const struct schema_struct *s, const void *base,
                        const struct walk *k)
{
    uint32_t count = 0;
    for (size_t i = 0; i < s->field_count; i++) {
        const struct schema_field *f = &s->fields[i];
        count += in_range(f->versions, k->version) && is_tagged(f, k) &&
                 !field_is_default(f, base);
    }
    wire_write_uvarint(w, count);
    for (size_t i = 0; i < s->field_count && count > 0; i++) {
        const struct schema_field *f = &s->fields[i];
        if (in_range(f->versions, k->version) && is_tagged(f, k) && !field_is_default(f, base)) {
            size_t mark = wire_tag_begin(w, (uint32_t)f->tag);
            encode_field(w, f, base, k);
            wire_tag_end(w, mark);
        }
    }
}

static void encode_struct(struct wire_writer *w, const struct schema_struct *s, const void *base,
                          const struct walk *k)
{
    for (size_t i = 0; i < s->field_count && w->err == 0; i++) {
        const struct schema_field *f = &s->fields[i];
        if (in_range(f->versions, k->version) && !is_tagged(f, k)) {
            encode_field(w, f, base, k);
        }
    }
    if (k->flexible) {
        encode_tags(w, s, base, k);
    }
}

int schema_encode(struct wire_writer *w, const struct schema_message *m, const void *msg,
                  int16_t version)
{
    KS_ASSERT(w != NULL && m != NULL && msg != NULL);
    if (!schema_version_ok(m, version)) {
        return -WIRE_EVERSION;
    }
    struct walk k = {.version = version, .flexible = schema_flexible(m, version), .arena = NULL};
    encode_struct(w, m->body, msg, &k);
    return w->err;
}

/* ---- Decoder --------------------------------------------------------------------------------- */

static void decode_struct(struct wire_reader *r, const struct schema_struct *s, void *base,
                          const struct walk *k);

static void decode_integer(struct wire_reader *r, enum schema_type t, void *p)
{
    switch (t) {
    case SCHEMA_INT8: *(int8_t *)p = wire_read_int8(r); break;
    case SCHEMA_INT16: *(int16_t *)p = wire_read_int16(r); break;
    case SCHEMA_INT32: *(int32_t *)p = wire_read_int32(r); break;
    case SCHEMA_INT64: *(int64_t *)p = wire_read_int64(r); break;
    case SCHEMA_UINT16: *(uint16_t *)p = wire_read_uint16(r); break;
    case SCHEMA_UINT32: *(uint32_t *)p = wire_read_uint32(r); break;
    case SCHEMA_VARINT: *(int32_t *)p = wire_read_varint(r); break;
    case SCHEMA_BOOL: *(bool *)p = wire_read_bool(r); break;
    default: KS_ASSERT(!"not an integer type"); break;
    }
}

static void decode_value(struct wire_reader *r, enum schema_type t,
                         const struct schema_struct *elem, bool nullable, void *p,
                         const struct walk *k)
{
    switch (t) {
    case SCHEMA_FLOAT64: {
        uint64_t bits = (uint64_t)wire_read_int64(r);
        memcpy(p, &bits, sizeof bits);
        break;
    }
    case SCHEMA_UUID: *(struct kuuid *)p = wire_read_uuid(r); break;
    case SCHEMA_STRING:
        *(const char **)p = nullable ? wire_read_nullable_string(r, k->arena, k->flexible)
                                     : wire_read_string(r, k->arena, k->flexible);
        break;
    case SCHEMA_BYTES:
    case SCHEMA_RECORDS:
        *(struct wire_bytes *)p = nullable ? wire_read_nullable_bytes(r, k->arena, k->flexible)
                                           : wire_read_bytes(r, k->arena, k->flexible);
        break;
    case SCHEMA_STRUCT: decode_struct(r, elem, p, k); break;
    default: decode_integer(r, t, p); break;
    }
}

static void decode_array(struct wire_reader *r, const struct schema_field *f, void *base,
                         const struct walk *k)
{
    /* wire_read_array_len bounds the count by the bytes left: every element takes one. */
    int32_t n = wire_read_array_len(r, k->flexible);
    if (r->err != 0) {
        return;
    }
    if (n < 0 && !is_nullable(f, k)) {
        wire_reader_fail(r, -WIRE_EMALFORMED);
        return;
    }
    unsigned char *items = wire_read_alloc(r, k->arena, n, f->elem_size);
    if (r->err != 0) {
        return;
    }
    *(void **)((unsigned char *)base + f->offset) = items;
    *count_at(f, base) = n;
    for (int32_t i = 0; i < n && r->err == 0; i++) {
        void *p = items + (size_t)i * f->elem_size;
        decode_value(r, f->elem_type, f->elem, false, p, k);
    }
    if (r->err != 0) {
        *count_at(f, base) = 0; /* a partial array is never handed out with a wrong count */
    }
}

static void decode_field(struct wire_reader *r, const struct schema_field *f, void *base,
                         const struct walk *k)
{
    if (f->type == SCHEMA_ARRAY) {
        decode_array(r, f, base, k);
        return;
    }
    void *p = (unsigned char *)base + f->offset;
    decode_value(r, f->type, f->elem, is_nullable(f, k), p, k);
}

static const struct schema_field *tagged_field(const struct schema_struct *s, uint32_t tag,
                                               const struct walk *k)
{
    for (size_t i = 0; i < s->field_count; i++) {
        const struct schema_field *f = &s->fields[i];
        if (in_range(f->versions, k->version) && is_tagged(f, k) && (uint32_t)f->tag == tag) {
            return f;
        }
    }
    return NULL;
}

static void decode_tags(struct wire_reader *r, const struct schema_struct *s, void *base,
                        const struct walk *k)
{
    struct wire_tags t;
    uint32_t tag;
    struct wire_reader field;
    wire_tags_begin(&t, r);
    while (wire_tags_next(&t, &tag, &field)) {
        const struct schema_field *f = tagged_field(s, tag, k);
        if (f == NULL) {
            continue; /* unknown tag: its bytes are already skipped */
        }
        decode_field(&field, f, base, k);
        if (field.err == 0 && wire_reader_remaining(&field) != 0) {
            wire_reader_fail(r, -WIRE_EMALFORMED); /* the value is shorter than its size */
        }
    }
}

static void decode_struct(struct wire_reader *r, const struct schema_struct *s, void *base,
                          const struct walk *k)
{
    schema_struct_init(s, base);
    for (size_t i = 0; i < s->field_count && r->err == 0; i++) {
        const struct schema_field *f = &s->fields[i];
        if (in_range(f->versions, k->version) && !is_tagged(f, k)) {
            decode_field(r, f, base, k);
        }
    }
    if (k->flexible && r->err == 0) {
        decode_tags(r, s, base, k);
    }
}

int schema_decode(struct wire_reader *r, const struct schema_message *m, int16_t version,
                  struct wire_arena *a, void *out)
{
    KS_ASSERT(r != NULL && m != NULL && a != NULL && out != NULL);
    if (!schema_version_ok(m, version)) {
        return -WIRE_EVERSION;
    }
    struct walk k = {.version = version, .flexible = schema_flexible(m, version), .arena = a};
    decode_struct(r, m->body, out, &k);
    return r->err;
}

/* ---- Registry -------------------------------------------------------------------------------- */

static const struct schema_message *const messages[] = {
    &produce_request_schema,
    &produce_response_schema,
    &list_offsets_request_schema,
    &list_offsets_response_schema,
    &offset_commit_request_schema,
    &offset_commit_response_schema,
    &offset_fetch_request_schema,
    &offset_fetch_response_schema,
    &find_coordinator_request_schema,
    &find_coordinator_response_schema,
    &join_group_request_schema,
    &join_group_response_schema,
    &heartbeat_request_schema,
    &heartbeat_response_schema,
    &leave_group_request_schema,
    &leave_group_response_schema,
    &sync_group_request_schema,
    &sync_group_response_schema,
    &init_producer_id_request_schema,
    &init_producer_id_response_schema,
    &offset_for_leader_epoch_request_schema,
    &offset_for_leader_epoch_response_schema,
    &allocate_producer_ids_request_schema,
    &allocate_producer_ids_response_schema,
};

size_t schema_message_count(void) { return sizeof messages / sizeof messages[0]; }

const struct schema_message *schema_message_at(size_t i)
{
    return i < schema_message_count() ? messages[i] : NULL;
}

const struct schema_message *schema_find(int16_t api_key, bool response)
{
    for (size_t i = 0; i < schema_message_count(); i++) {
        if (messages[i]->api_key == api_key && messages[i]->response == response) {
            return messages[i];
        }
    }
    return NULL;
}

/* ---- Table checks ---------------------------------------------------------------------------- */

static char check_line[200];

static const char *check_fail(const struct schema_struct *s, const struct schema_field *f,
                              const char *what)
{
    struct text t = text_init(check_line, sizeof check_line);
    text_printf(&t, "%s.%s: %s", s->name, f != NULL ? f->name : "-", what);
    return check_line;
}

static const char *check_field(const struct schema_struct *s, const struct schema_field *f,
                               int16_t flexible_min)
{
    if ((unsigned)f->type >= SCHEMA_TYPE_COUNT || !f->versions.on ||
        f->versions.lo > f->versions.hi) {
        return check_fail(s, f, "bad type or versions");
    }
    if (f->type == SCHEMA_ARRAY) {
        if (f->size != sizeof(void *) || f->count_size != sizeof(int32_t) ||
            f->elem_type == SCHEMA_ARRAY ||
            f->elem_size != c_size(f->elem_type, f->elem) || f->elem_size == 0) {
            return check_fail(s, f, "array members do not match the element type");
        }
    } else if (f->size != c_size(f->type, f->elem) || f->size == 0) {
        return check_fail(s, f, "member size does not match the type");
    }
    bool nullable_type = f->type == SCHEMA_STRING || f->type == SCHEMA_BYTES ||
                         f->type == SCHEMA_RECORDS || f->type == SCHEMA_ARRAY;
    if ((f->nullable.on || f->def_null) && !nullable_type) {
        return check_fail(s, f, "only strings, bytes, records and arrays are nullable here");
    }
    if (f->def_null && !f->nullable.on) {
        return check_fail(s, f, "a null default needs nullable versions");
    }
    if (f->tagged.on &&
        (f->tag < 0 || f->tagged.lo < flexible_min || f->tagged.lo > f->tagged.hi)) {
        return check_fail(s, f, "tagged versions must be flexible, with a tag");
    }
    return NULL;
}

static const char *check_struct(const struct schema_struct *s, int16_t flexible_min, int depth)
{
    if (depth > 8) {
        return check_fail(s, NULL, "structs nest too deep");
    }
    int32_t last_tag = -1;
    for (size_t i = 0; i < s->field_count; i++) {
        const struct schema_field *f = &s->fields[i];
        const char *err = check_field(s, f, flexible_min);
        if (err != NULL) {
            return err;
        }
        if (f->tagged.on) {
            if (f->tag <= last_tag) {
                return check_fail(s, f, "tags must ascend in table order");
            }
            last_tag = f->tag;
        }
        if (f->elem != NULL) {
            err = check_struct(f->elem, flexible_min, depth + 1);
            if (err != NULL) {
                return err;
            }
        }
    }
    return NULL;
}

const char *schema_check(const struct schema_message *m)
{
    KS_ASSERT(m != NULL && m->body != NULL);
    if (m->version_min < 0 || m->version_min > m->version_max) {
        return check_fail(m->body, NULL, "bad valid versions");
    }
    return check_struct(m->body, m->flexible_min, 0);
}
