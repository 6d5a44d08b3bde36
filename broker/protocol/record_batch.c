/* record_batch.c — record batch v2 codec and KRaft control record values (see record_batch.h). */
#include "record_batch.h"

#include <string.h>

#include "env.h"

void record_batch_init(struct record_batch *b)
{
    KS_ASSERT(b != NULL);
    *b = (struct record_batch){
        .magic = RECORD_BATCH_MAGIC,
        .producer_id = -1,
        .producer_epoch = -1,
        .base_sequence = -1,
    };
}

/* ---- Encode ------------------------------------------------------------------------------- */

/* Record keys, values and header values: varint length (-1 null), then the bytes. */
static void write_varint_bytes(struct wire_writer *w, struct wire_bytes b)
{
    if (b.len < 0) {
        wire_write_varint(w, -1);
        return;
    }
    wire_write_varint(w, b.len);
    wire_write_raw(w, b.ptr, (size_t)b.len);
}

static void write_record(struct wire_writer *w, const struct record_batch_record *rec)
{
    KS_ASSERT(rec->header_count >= 0);
    size_t mark = w->len;
    wire_write_int8(w, rec->attributes);
    wire_write_varlong(w, rec->timestamp_delta);
    wire_write_varint(w, rec->offset_delta);
    write_varint_bytes(w, rec->key);
    write_varint_bytes(w, rec->value);
    wire_write_varint(w, rec->header_count);
    for (int32_t i = 0; i < rec->header_count; i++) {
        if (rec->headers[i].key.len < 0) {
            wire_writer_fail(w, -WIRE_EINVAL); /* header keys are non-null strings */
            return;
        }
        write_varint_bytes(w, rec->headers[i].key);
        write_varint_bytes(w, rec->headers[i].value);
    }
    if (w->err == 0 && w->len - mark > INT32_MAX) {
        wire_writer_fail(w, -WIRE_EINVAL);
        return;
    }
    /* The Length prefix counts the bytes after itself; insert it now that they are known. */
    wire_insert_varint(w, mark, (int32_t)(w->len - mark));
}

int record_batch_encode(struct wire_writer *w, const struct record_batch *b)
{
    KS_ASSERT(b != NULL);
    KS_ASSERT(b->record_count >= 0);
    if ((b->attributes & RECORD_BATCH_COMPRESSION_MASK) != 0) {
        return -WIRE_ECOMPRESSION;
    }
    size_t start = w->len;
    wire_write_int64(w, b->base_offset);
    wire_write_int32(w, 0); /* BatchLength, patched below */
    wire_write_int32(w, b->partition_leader_epoch);
    wire_write_int8(w, RECORD_BATCH_MAGIC);
    wire_write_uint32(w, 0); /* CRC, patched below */
    wire_write_int16(w, b->attributes);
    wire_write_int32(w, b->last_offset_delta);
    wire_write_int64(w, b->base_timestamp);
    wire_write_int64(w, b->max_timestamp);
    wire_write_int64(w, b->producer_id);
    wire_write_int16(w, b->producer_epoch);
    wire_write_int32(w, b->base_sequence);
    wire_write_int32(w, b->record_count);
    for (int32_t i = 0; i < b->record_count; i++) {
        write_record(w, &b->records[i]);
    }
    if (w->err != 0) {
        return w->err;
    }
    size_t size = w->len - start;
    KS_ASSERT(size >= RECORD_BATCH_HEADER_SIZE);
    if (size - RECORD_BATCH_LOG_OVERHEAD > INT32_MAX) {
        wire_writer_fail(w, -WIRE_EINVAL);
        return w->err;
    }
    wire_patch_int32(w, start + RECORD_BATCH_LENGTH_AT,
                     (int32_t)(size - RECORD_BATCH_LOG_OVERHEAD));
    uint32_t crc = wire_crc32c(0, w->bytes + start + RECORD_BATCH_ATTRIBUTES_AT,
                               size - RECORD_BATCH_ATTRIBUTES_AT);
    wire_patch_uint32(w, start + RECORD_BATCH_CRC_AT, crc);
    return w->err;
}

/* ---- Decode ------------------------------------------------------------------------------- */

/* Keys and values: varint length (-1 null), then the bytes (Utils.readBytes), copied into the
 * arena. */
static struct wire_bytes read_varint_bytes(struct wire_reader *r, struct wire_arena *a)
{
    int32_t n = wire_read_varint(r);
    return wire_read_bytes_copy(r, a, n);
}

/* Record headers (DefaultRecord.readHeaders): key length must be ≥ 0; value may be null. */
static void read_record_headers(struct wire_reader *body, struct wire_arena *a,
                                struct record_batch_record *rec)
{
    int32_t n = wire_read_varint(body);
    if (body->err == 0 && (n < 0 || (size_t)n > wire_reader_remaining(body))) {
        wire_reader_fail(body, -WIRE_EMALFORMED); /* "invalid number of record headers" */
        return;
    }
    rec->headers = wire_read_alloc(body, a, n, sizeof *rec->headers);
    rec->header_count = body->err != 0 ? 0 : n;
    for (int32_t i = 0; i < rec->header_count && body->err == 0; i++) {
        int32_t key_len = wire_read_varint(body);
        if (body->err == 0 && key_len < 0) {
            wire_reader_fail(body, -WIRE_EMALFORMED); /* "Invalid negative header key size" */
            return;
        }
        rec->headers[i].key = wire_read_bytes_copy(body, a, key_len);
        rec->headers[i].value = read_varint_bytes(body, a);
    }
}

/* DefaultRecord.readFrom: the body must be exactly Length bytes. */
static void read_record(struct wire_reader *r, struct wire_arena *a,
                        struct record_batch_record *rec)
{
    int32_t length = wire_read_varint(r);
    if (r->err != 0) {
        return;
    }
    if (length < 0 || (size_t)length > wire_reader_remaining(r)) {
        wire_reader_fail(r, -WIRE_EMALFORMED); /* "Invalid record size" */
        return;
    }
    struct wire_reader body;
    wire_reader_init(&body, wire_read_raw(r, (size_t)length), (size_t)length);
    rec->attributes = wire_read_int8(&body);
    rec->timestamp_delta = wire_read_varlong(&body);
    rec->offset_delta = wire_read_varint(&body);
    rec->key = read_varint_bytes(&body, a);
    rec->value = read_varint_bytes(&body, a);
    read_record_headers(&body, a, rec);
    if (body.err == 0 && body.pos != body.len) {
        wire_reader_fail(&body, -WIRE_EMALFORMED);
    }
    if (body.err != 0) {
        wire_reader_fail(r, body.err);
    }
}

/* Big-endian field at `p`, `n` bytes. */
static uint64_t be_at(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

/* The 61 header bytes, which check_batch has found present: read in place, field by field at
 * its offset, rather than through a reader (every Fetch and every recovery reads them). */
static void read_header_fields(const uint8_t *p, struct record_batch *out)
{
    out->base_offset = (int64_t)be_at(p + RECORD_BATCH_BASE_OFFSET_AT, 8);
    out->batch_length = (int32_t)be_at(p + RECORD_BATCH_LENGTH_AT, 4);
    out->partition_leader_epoch = (int32_t)be_at(p + RECORD_BATCH_LEADER_EPOCH_AT, 4);
    out->magic = (int8_t)p[RECORD_BATCH_MAGIC_AT];
    out->crc = (uint32_t)be_at(p + RECORD_BATCH_CRC_AT, 4);
    out->attributes = (int16_t)be_at(p + RECORD_BATCH_ATTRIBUTES_AT, 2);
    out->last_offset_delta = (int32_t)be_at(p + RECORD_BATCH_LAST_OFFSET_DELTA_AT, 4);
    out->base_timestamp = (int64_t)be_at(p + RECORD_BATCH_BASE_TIMESTAMP_AT, 8);
    out->max_timestamp = (int64_t)be_at(p + RECORD_BATCH_MAX_TIMESTAMP_AT, 8);
    out->producer_id = (int64_t)be_at(p + RECORD_BATCH_PRODUCER_ID_AT, 8);
    out->producer_epoch = (int16_t)be_at(p + RECORD_BATCH_PRODUCER_EPOCH_AT, 2);
    out->base_sequence = (int32_t)be_at(p + RECORD_BATCH_BASE_SEQUENCE_AT, 4);
    out->record_count = (int32_t)be_at(p + RECORD_BATCH_RECORDS_COUNT_AT, 4);
}

/* Validates the frame of the batch at `bytes`: sizes, magic, CRC (when `crc`), compression, in
 * the order DefaultRecordBatch.ensureValid and its iterator check them. */
static int check_batch(const uint8_t *bytes, size_t len, size_t *size, bool crc)
{
    struct wire_reader r;
    wire_reader_init(&r, bytes, len);
    (void)wire_read_int64(&r);
    int32_t batch_length = wire_read_int32(&r);
    if (r.err != 0) {
        return -WIRE_ETRUNCATED;
    }
    if (batch_length < RECORD_BATCH_HEADER_SIZE - RECORD_BATCH_LOG_OVERHEAD) {
        return -WIRE_EMALFORMED; /* "smaller than the minimum allowed overhead" */
    }
    *size = (size_t)batch_length + RECORD_BATCH_LOG_OVERHEAD;
    if (*size > len) {
        return -WIRE_ETRUNCATED;
    }
    if ((int8_t)bytes[RECORD_BATCH_MAGIC_AT] != RECORD_BATCH_MAGIC) {
        return -WIRE_EVERSION;
    }
    if (crc) {
        wire_reader_init(&r, bytes + RECORD_BATCH_CRC_AT, 4);
        uint32_t stored = wire_read_uint32(&r);
        uint32_t computed = wire_crc32c(0, bytes + RECORD_BATCH_ATTRIBUTES_AT,
                                        *size - RECORD_BATCH_ATTRIBUTES_AT);
        if (stored != computed) {
            return -WIRE_ECRC;
        }
    }
    if ((bytes[RECORD_BATCH_ATTRIBUTES_AT + 1] & RECORD_BATCH_COMPRESSION_MASK) != 0) {
        return -WIRE_ECOMPRESSION;
    }
    return 0;
}

int record_batch_decode(const uint8_t *bytes, size_t len, struct wire_arena *a,
                        struct record_batch *out, size_t *size)
{
    KS_ASSERT(out != NULL);
    KS_ASSERT(bytes != NULL || len == 0);
    size_t batch_size = 0;
    int err = check_batch(bytes, len, &batch_size, true);
    if (err != 0) {
        return err;
    }
    KS_ASSERT(batch_size >= RECORD_BATCH_HEADER_SIZE);
    read_header_fields(bytes, out);
    out->records = NULL;
    struct wire_reader r;
    wire_reader_init(&r, bytes + RECORD_BATCH_HEADER_SIZE, batch_size - RECORD_BATCH_HEADER_SIZE);
    int32_t count = out->record_count;
    if (count < 0 || (size_t)count > wire_reader_remaining(&r)) {
        return -WIRE_EMALFORMED; /* "Found invalid record count" */
    }
    out->records = wire_read_alloc(&r, a, count, sizeof *out->records);
    for (int32_t i = 0; i < count && r.err == 0; i++) {
        read_record(&r, a, &out->records[i]);
    }
    if (r.err == 0 && r.pos != r.len) {
        return -WIRE_EMALFORMED; /* "Incorrect declared batch size, records still remaining" */
    }
    if (r.err != 0) {
        /* The batch's extent is known, so running out of bytes inside it is malformation. */
        return r.err == -WIRE_ETRUNCATED ? -WIRE_EMALFORMED : r.err;
    }
    if (size != NULL) {
        *size = batch_size;
    }
    return 0;
}

int record_batch_decode_header(const uint8_t *bytes, size_t len, struct record_batch *out,
                               size_t *size, bool crc)
{
    KS_ASSERT(out != NULL);
    KS_ASSERT(bytes != NULL || len == 0);
    size_t batch_size = 0;
    int err = check_batch(bytes, len, &batch_size, crc);
    if (err != 0) {
        return err;
    }
    KS_ASSERT(batch_size >= RECORD_BATCH_HEADER_SIZE);
    read_header_fields(bytes, out);
    out->records = NULL;
    if (size != NULL) {
        *size = batch_size;
    }
    return 0;
}

void record_batch_iter_init(struct record_batch_iter *it, const uint8_t *bytes, size_t len)
{
    KS_ASSERT(it != NULL);
    KS_ASSERT(bytes != NULL || len == 0);
    *it = (struct record_batch_iter){.bytes = bytes, .len = len, .pos = 0};
}

int record_batch_iter_next(struct record_batch_iter *it, struct wire_arena *a,
                           struct record_batch *out)
{
    KS_ASSERT(it->pos <= it->len);
    if (it->pos == it->len) {
        return 0;
    }
    size_t size = 0;
    int err = record_batch_decode(it->bytes + it->pos, it->len - it->pos, a, out, &size);
    if (err != 0) {
        return err;
    }
    KS_ASSERT(size >= RECORD_BATCH_HEADER_SIZE);
    KS_ASSERT(size <= it->len - it->pos);
    it->pos += size;
    return 1;
}

/* ---- Control records ---------------------------------------------------------------------- */

void record_batch_control_key_encode(struct wire_writer *w, int16_t type)
{
    wire_write_int16(w, 0); /* key version: ControlRecordTypeSchema v0 */
    wire_write_int16(w, type);
}

int record_batch_control_key_decode(struct wire_bytes key, int16_t *type)
{
    KS_ASSERT(type != NULL);
    if (key.len < RECORD_BATCH_CONTROL_KEY_SIZE) {
        return -WIRE_EMALFORMED; /* also covers a null key */
    }
    struct wire_reader r;
    wire_reader_init(&r, key.ptr, (size_t)key.len);
    int16_t version = wire_read_int16(&r);
    if (version < 0) {
        return -WIRE_EMALFORMED;
    }
    *type = wire_read_int16(&r);
    return r.err;
}

static void write_voters_lcm(struct wire_writer *w, int32_t n,
                             const struct record_batch_voter *v, int16_t schema_version)
{
    KS_ASSERT(n >= 0);
    wire_write_array_len(w, n, true);
    for (int32_t i = 0; i < n; i++) {
        wire_write_int32(w, v[i].voter_id);
        if (schema_version >= 1) {
            wire_write_uuid(w, v[i].voter_directory_id);
        }
        wire_write_uvarint(w, 0);
    }
}

int record_batch_leader_change_encode(struct wire_writer *w,
                                      const struct record_batch_leader_change *m,
                                      int16_t schema_version)
{
    KS_ASSERT(m != NULL);
    if (schema_version < 0 || schema_version > 1) {
        return -WIRE_EVERSION;
    }
    wire_write_int16(w, m->version);
    wire_write_int32(w, m->leader_id);
    write_voters_lcm(w, m->voter_count, m->voters, schema_version);
    write_voters_lcm(w, m->granting_voter_count, m->granting_voters, schema_version);
    wire_write_uvarint(w, 0);
    return w->err;
}

static struct record_batch_voter *read_voters_lcm(struct wire_reader *r, struct wire_arena *a,
                                                  int16_t schema_version, int32_t *count)
{
    struct record_batch_voter *v = wire_read_array(r, a, true, sizeof *v, count);
    for (int32_t i = 0; i < *count && r->err == 0; i++) {
        v[i].voter_id = wire_read_int32(r);
        if (schema_version >= 1) {
            v[i].voter_directory_id = wire_read_uuid(r);
        }
        wire_skip_tags(r);
    }
    return v;
}

/* Starts a reader over a control record value; null values are malformed. */
static bool value_reader(struct wire_reader *r, struct wire_bytes value)
{
    if (value.len < 0) {
        return false;
    }
    wire_reader_init(r, value.ptr, (size_t)value.len);
    return true;
}

int record_batch_leader_change_decode(struct wire_bytes value, int16_t schema_version,
                                      struct wire_arena *a,
                                      struct record_batch_leader_change *out)
{
    KS_ASSERT(out != NULL);
    if (schema_version < 0 || schema_version > 1) {
        return -WIRE_EVERSION;
    }
    struct wire_reader r;
    if (!value_reader(&r, value)) {
        return -WIRE_EMALFORMED;
    }
    *out = (struct record_batch_leader_change){0};
    out->version = wire_read_int16(&r);
    out->leader_id = wire_read_int32(&r);
    out->voters = read_voters_lcm(&r, a, schema_version, &out->voter_count);
    out->granting_voters = read_voters_lcm(&r, a, schema_version, &out->granting_voter_count);
    wire_skip_tags(&r);
    return r.err;
}

int record_batch_snapshot_header_encode(struct wire_writer *w,
                                        const struct record_batch_snapshot_header *m)
{
    KS_ASSERT(m != NULL);
    wire_write_int16(w, m->version);
    wire_write_int64(w, m->last_contained_log_timestamp);
    wire_write_uvarint(w, 0);
    return w->err;
}

int record_batch_snapshot_header_decode(struct wire_bytes value,
                                        struct record_batch_snapshot_header *out)
{
    KS_ASSERT(out != NULL);
    struct wire_reader r;
    if (!value_reader(&r, value)) {
        return -WIRE_EMALFORMED;
    }
    out->version = wire_read_int16(&r);
    out->last_contained_log_timestamp = wire_read_int64(&r);
    wire_skip_tags(&r);
    return r.err;
}

int record_batch_snapshot_footer_encode(struct wire_writer *w,
                                        const struct record_batch_snapshot_footer *m)
{
    KS_ASSERT(m != NULL);
    wire_write_int16(w, m->version);
    wire_write_uvarint(w, 0);
    return w->err;
}

int record_batch_snapshot_footer_decode(struct wire_bytes value,
                                        struct record_batch_snapshot_footer *out)
{
    KS_ASSERT(out != NULL);
    struct wire_reader r;
    if (!value_reader(&r, value)) {
        return -WIRE_EMALFORMED;
    }
    out->version = wire_read_int16(&r);
    wire_skip_tags(&r);
    return r.err;
}

int record_batch_kraft_version_encode(struct wire_writer *w,
                                      const struct record_batch_kraft_version *m)
{
    KS_ASSERT(m != NULL);
    wire_write_int16(w, m->version);
    wire_write_int16(w, m->kraft_version);
    wire_write_uvarint(w, 0);
    return w->err;
}

int record_batch_kraft_version_decode(struct wire_bytes value,
                                      struct record_batch_kraft_version *out)
{
    KS_ASSERT(out != NULL);
    struct wire_reader r;
    if (!value_reader(&r, value)) {
        return -WIRE_EMALFORMED;
    }
    out->version = wire_read_int16(&r);
    out->kraft_version = wire_read_int16(&r);
    wire_skip_tags(&r);
    return r.err;
}

int record_batch_voters_encode(struct wire_writer *w, const struct record_batch_voters *m)
{
    KS_ASSERT(m != NULL);
    KS_ASSERT(m->voter_count >= 0);
    wire_write_int16(w, m->version);
    wire_write_array_len(w, m->voter_count, true);
    for (int32_t i = 0; i < m->voter_count; i++) {
        const struct record_batch_voters_entry *v = &m->voters[i];
        wire_write_int32(w, v->voter_id);
        wire_write_uuid(w, v->voter_directory_id);
        wire_write_array_len(w, v->endpoint_count, true);
        for (int32_t j = 0; j < v->endpoint_count; j++) {
            wire_write_string(w, v->endpoints[j].name, true);
            wire_write_string(w, v->endpoints[j].host, true);
            wire_write_uint16(w, v->endpoints[j].port);
            wire_write_uvarint(w, 0);
        }
        /* KRaftVersionFeature is a nested struct: its own (empty) tag section. */
        wire_write_int16(w, v->kraft_version_min);
        wire_write_int16(w, v->kraft_version_max);
        wire_write_uvarint(w, 0);
        wire_write_uvarint(w, 0);
    }
    wire_write_uvarint(w, 0);
    return w->err;
}

static void read_voters_entry(struct wire_reader *r, struct wire_arena *a,
                              struct record_batch_voters_entry *v)
{
    v->voter_id = wire_read_int32(r);
    v->voter_directory_id = wire_read_uuid(r);
    v->endpoints = wire_read_array(r, a, true, sizeof *v->endpoints, &v->endpoint_count);
    for (int32_t j = 0; j < v->endpoint_count && r->err == 0; j++) {
        v->endpoints[j].name = wire_read_string(r, a, true);
        v->endpoints[j].host = wire_read_string(r, a, true);
        v->endpoints[j].port = wire_read_uint16(r);
        wire_skip_tags(r);
    }
    v->kraft_version_min = wire_read_int16(r);
    v->kraft_version_max = wire_read_int16(r);
    wire_skip_tags(r);
    wire_skip_tags(r);
}

int record_batch_voters_decode(struct wire_bytes value, struct wire_arena *a,
                               struct record_batch_voters *out)
{
    KS_ASSERT(out != NULL);
    struct wire_reader r;
    if (!value_reader(&r, value)) {
        return -WIRE_EMALFORMED;
    }
    *out = (struct record_batch_voters){0};
    out->version = wire_read_int16(&r);
    out->voters = wire_read_array(&r, a, true, sizeof *out->voters, &out->voter_count);
    for (int32_t i = 0; i < out->voter_count && r.err == 0; i++) {
        read_voters_entry(&r, a, &out->voters[i]);
    }
    wire_skip_tags(&r);
    return r.err;
}
