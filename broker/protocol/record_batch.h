/* record_batch.h — record batch v2 (magic 2) codec, batch iterator, KRaft control records. */
#ifndef KRAFTSIM_RECORD_BATCH_H
#define KRAFTSIM_RECORD_BATCH_H

/*
 * Source: apache/kafka clients/src/main/java/org/apache/kafka/common/record/internal/
 * {DefaultRecordBatch,DefaultRecord,ControlRecordType,ControlRecordUtils}.java (trunk
 * d79bd502ec; before 2025 the same classes lived in common/record/).
 *
 * Batch header, 61 bytes, big-endian (byte offset: field):
 *    0 BaseOffset int64          8 BatchLength int32 (bytes after this field)
 *   12 PartitionLeaderEpoch int32  16 Magic int8 = 2
 *   17 CRC uint32: CRC-32C of bytes 21..end (so the leader epoch can be set without a new CRC)
 *   21 Attributes int16: bits 0-2 compression, 3 LogAppendTime, 4 transactional, 5 control,
 *      6 delete horizon
 *   23 LastOffsetDelta int32      27 BaseTimestamp int64      35 MaxTimestamp int64
 *   43 ProducerId int64 (-1)      51 ProducerEpoch int16 (-1) 53 BaseSequence int32 (-1)
 *   57 RecordsCount int32         61 records
 * On disk and in Fetch responses a batch takes BatchLength + 12 bytes.
 *
 * Record: Length varint (of what follows), Attributes int8 (unused, 0), TimestampDelta varlong,
 * OffsetDelta varint, KeyLength varint (-1 null), Key, ValueLength varint (-1 null), Value,
 * HeaderCount varint, Headers {KeyLength varint (≥ 0), Key, ValueLength varint (-1 null),
 * Value}.
 *
 * Only uncompressed batches are supported: compression bits ≠ 0 decode to -WIRE_ECOMPRESSION.
 * Decode errors: -WIRE_ETRUNCATED (the buffer ends inside the batch: a torn tail),
 * -WIRE_EMALFORMED (impossible lengths or counts, bytes left over), -WIRE_EVERSION (magic ≠ 2),
 * -WIRE_ECRC (checksum mismatch). ETRUNCATED is the only one that more bytes could cure.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define RECORD_BATCH_HEADER_SIZE 61 /* DefaultRecordBatch.RECORD_BATCH_OVERHEAD */
#define RECORD_BATCH_LOG_OVERHEAD 12 /* BaseOffset + BatchLength */
#define RECORD_BATCH_MAGIC 2

/* Byte offsets of the header fields. */
#define RECORD_BATCH_BASE_OFFSET_AT 0
#define RECORD_BATCH_LENGTH_AT 8
#define RECORD_BATCH_LEADER_EPOCH_AT 12
#define RECORD_BATCH_MAGIC_AT 16
#define RECORD_BATCH_CRC_AT 17
#define RECORD_BATCH_ATTRIBUTES_AT 21
#define RECORD_BATCH_LAST_OFFSET_DELTA_AT 23
#define RECORD_BATCH_BASE_TIMESTAMP_AT 27
#define RECORD_BATCH_MAX_TIMESTAMP_AT 35
#define RECORD_BATCH_PRODUCER_ID_AT 43
#define RECORD_BATCH_PRODUCER_EPOCH_AT 51
#define RECORD_BATCH_BASE_SEQUENCE_AT 53
#define RECORD_BATCH_RECORDS_COUNT_AT 57

/* Attribute bits (DefaultRecordBatch masks). */
#define RECORD_BATCH_COMPRESSION_MASK 0x07
#define RECORD_BATCH_LOG_APPEND_TIME 0x08
#define RECORD_BATCH_TRANSACTIONAL 0x10
#define RECORD_BATCH_CONTROL 0x20
#define RECORD_BATCH_DELETE_HORIZON 0x40

struct record_batch_record_header {
    struct wire_bytes key; /* non-null */
    struct wire_bytes value;
};

struct record_batch_record {
    int8_t attributes;
    int64_t timestamp_delta; /* from BaseTimestamp */
    int32_t offset_delta;    /* from BaseOffset */
    struct wire_bytes key;
    struct wire_bytes value;
    int32_t header_count;
    struct record_batch_record_header *headers;
};

/*
 * One batch. On encode, batch_length, magic and crc are computed and the struct's values are
 * ignored; everything else, last_offset_delta included, is written as given. On decode every
 * field is filled from the bytes.
 */
struct record_batch {
    int64_t base_offset;
    int32_t batch_length;
    int32_t partition_leader_epoch;
    int8_t magic;
    uint32_t crc;
    int16_t attributes;
    int32_t last_offset_delta;
    int64_t base_timestamp;
    int64_t max_timestamp;
    int64_t producer_id;    /* -1 none */
    int16_t producer_epoch; /* -1 none */
    int32_t base_sequence;  /* -1 none */
    int32_t record_count;
    struct record_batch_record *records;
};

/* Zero fields, magic 2, producer id/epoch and base sequence -1. */
void record_batch_init(struct record_batch *b);
/* Appends the batch (BatchLength + 12 bytes). Returns 0, -WIRE_ECOMPRESSION for compression
 * bits, or the writer's error. */
int record_batch_encode(struct wire_writer *w, const struct record_batch *b);
/* Decodes the batch at the start of `bytes`; *size (may be NULL) gets BatchLength + 12.
 * Records, keys and values are copied into `a`. */
int record_batch_decode(const uint8_t *bytes, size_t len, struct wire_arena *a,
                        struct record_batch *out, size_t *size);

/* The frame checks of record_batch_decode (sizes, magic, CRC, compression) and the header
 * fields, records left unread (out->records NULL): DefaultRecordBatch.ensureValid, all that
 * LogSegment.recover asks of a batch. Same errors as record_batch_decode for those checks.
 * Without `crc` the CRC is not computed: for a segment below the recovery point, which Kafka
 * never reads at all (kraftsim reads its headers only to index it in memory). */
int record_batch_decode_header(const uint8_t *bytes, size_t len, struct record_batch *out,
                               size_t *size, bool crc);

/* Scans consecutive batches, as a log segment or a Fetch response's Records holds them. */
struct record_batch_iter {
    const uint8_t *bytes;
    size_t len;
    size_t pos; /* start of the next batch; at all times pos ≤ len */
};

void record_batch_iter_init(struct record_batch_iter *it, const uint8_t *bytes, size_t len);
/*
 * Returns 1 with the next batch in *out, 0 at a clean end (pos == len), or a negative error
 * from record_batch_decode for the batch at it->pos, where pos stays: -WIRE_ETRUNCATED means
 * the bytes from pos on are a batch cut short (the tail a crash can leave), anything else means
 * corruption.
 */
int record_batch_iter_next(struct record_batch_iter *it, struct wire_arena *a,
                           struct record_batch *out);

/* ---- Control records (attribute bit 5): key = int16 key version 0, int16 type ------------ */

enum record_batch_control_type {
    RECORD_BATCH_CONTROL_ABORT = 0,
    RECORD_BATCH_CONTROL_COMMIT = 1,
    RECORD_BATCH_CONTROL_LEADER_CHANGE = 2,
    RECORD_BATCH_CONTROL_SNAPSHOT_HEADER = 3,
    RECORD_BATCH_CONTROL_SNAPSHOT_FOOTER = 4,
    RECORD_BATCH_CONTROL_KRAFT_VERSION = 5,
    RECORD_BATCH_CONTROL_KRAFT_VOTERS = 6,
};

#define RECORD_BATCH_CONTROL_KEY_SIZE 4

/* Writes the 4-byte key (msg/ControlRecordTypeSchema.json v0 with its int16 version prefix). */
void record_batch_control_key_encode(struct wire_writer *w, int16_t type);
/* ControlRecordType.parseTypeId: < 4 bytes or a negative key version is -WIRE_EMALFORMED; a
 * key version above 0 is read as version 0. */
int record_batch_control_key_decode(struct wire_bytes key, int16_t *type);

/*
 * Control record values are data messages whose schemas are flexible from version 0, so they
 * carry compact arrays and tagged-field sections. Their schema version is not on the wire:
 * ControlRecordUtils writes and reads LeaderChangeMessage, SnapshotHeaderRecord,
 * SnapshotFooterRecord, KRaftVersionRecord and VotersRecord at version 0, and the first field,
 * Version int16, is the caller's to set (Kafka sets 0). Decoders ignore trailing bytes, as the
 * Java constructors do.
 */
struct record_batch_voter {
    int32_t voter_id;
    struct kuuid voter_directory_id; /* LeaderChangeMessage v1+ only */
};

/* msg/LeaderChangeMessage.json, versions 0-1 (v1 adds VoterDirectoryId, KIP-853). */
struct record_batch_leader_change {
    int16_t version;
    int32_t leader_id;
    int32_t voter_count;
    struct record_batch_voter *voters;
    int32_t granting_voter_count;
    struct record_batch_voter *granting_voters;
};

/* msg/SnapshotHeaderRecord.json, version 0. */
struct record_batch_snapshot_header {
    int16_t version;
    int64_t last_contained_log_timestamp;
};

/* msg/SnapshotFooterRecord.json, version 0. */
struct record_batch_snapshot_footer {
    int16_t version;
};

/* msg/KRaftVersionRecord.json, version 0. */
struct record_batch_kraft_version {
    int16_t version;
    int16_t kraft_version;
};

/* msg/VotersRecord.json, version 0. */
struct record_batch_voters_endpoint {
    const char *name;
    const char *host;
    uint16_t port;
};

struct record_batch_voters_entry {
    int32_t voter_id;
    struct kuuid voter_directory_id;
    int32_t endpoint_count;
    struct record_batch_voters_endpoint *endpoints;
    int16_t kraft_version_min; /* KRaftVersionFeature.MinSupportedVersion */
    int16_t kraft_version_max; /* KRaftVersionFeature.MaxSupportedVersion */
};

struct record_batch_voters {
    int16_t version;
    int32_t voter_count;
    struct record_batch_voters_entry *voters;
};

/* Each encoder appends the value and returns 0, -WIRE_EVERSION, or the writer's error; each
 * decoder reads `value` (null is -WIRE_EMALFORMED) and returns 0 or a negative error. */
int record_batch_leader_change_encode(struct wire_writer *w,
                                      const struct record_batch_leader_change *m,
                                      int16_t schema_version);
int record_batch_leader_change_decode(struct wire_bytes value, int16_t schema_version,
                                      struct wire_arena *a,
                                      struct record_batch_leader_change *out);
int record_batch_snapshot_header_encode(struct wire_writer *w,
                                        const struct record_batch_snapshot_header *m);
int record_batch_snapshot_header_decode(struct wire_bytes value,
                                        struct record_batch_snapshot_header *out);
int record_batch_snapshot_footer_encode(struct wire_writer *w,
                                        const struct record_batch_snapshot_footer *m);
int record_batch_snapshot_footer_decode(struct wire_bytes value,
                                        struct record_batch_snapshot_footer *out);
int record_batch_kraft_version_encode(struct wire_writer *w,
                                      const struct record_batch_kraft_version *m);
int record_batch_kraft_version_decode(struct wire_bytes value,
                                      struct record_batch_kraft_version *out);
int record_batch_voters_encode(struct wire_writer *w, const struct record_batch_voters *m);
int record_batch_voters_decode(struct wire_bytes value, struct wire_arena *a,
                               struct record_batch_voters *out);

#endif
