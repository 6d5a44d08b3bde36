/* test_wire.c — wire primitives: fixed-width ints, varints, strings, tags, uuids, CRC-32C. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/wire.h"

/* Compares what `w` holds with an expected byte string. */
static void assert_bytes(const struct wire_writer *w, const uint8_t *want, size_t n)
{
    ck_assert_int_eq(w->err, 0);
    ck_assert_uint_eq(w->len, n);
    ck_assert_mem_eq(w->bytes, want, n);
}

START_TEST(fixed_width_ints_are_big_endian_at_every_boundary)
{
    struct wire_writer w;
    wire_writer_init(&w);
    wire_write_int8(&w, INT8_MIN);  /* 80 */
    wire_write_int8(&w, -1);        /* ff */
    wire_write_int16(&w, INT16_MIN); /* 80 00 */
    wire_write_int16(&w, 0x1234);    /* 12 34 */
    wire_write_int32(&w, -2);        /* ff ff ff fe */
    wire_write_int32(&w, INT32_MAX); /* 7f ff ff ff */
    wire_write_int64(&w, INT64_MIN); /* 80 00 .. 00 */
    wire_write_int64(&w, 0x0102030405060708);
    wire_write_uint16(&w, 65535);          /* ff ff */
    wire_write_uint32(&w, 0xDEADBEEF);     /* de ad be ef */
    wire_write_bool(&w, true);             /* 01 */
    wire_write_bool(&w, false);            /* 00 */
    const uint8_t want[] = {
        0x80, 0xff, 0x80, 0x00, 0x12, 0x34, 0xff, 0xff, 0xff, 0xfe, 0x7f, 0xff, 0xff, 0xff,
        0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
        0xff, 0xff, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x00,
    };
    assert_bytes(&w, want, sizeof want);

    struct wire_reader r;
    wire_reader_init(&r, w.bytes, w.len);
    ck_assert_int_eq(wire_read_int8(&r), INT8_MIN);
    ck_assert_int_eq(wire_read_int8(&r), -1);
    ck_assert_int_eq(wire_read_int16(&r), INT16_MIN);
    ck_assert_int_eq(wire_read_int16(&r), 0x1234);
    ck_assert_int_eq(wire_read_int32(&r), -2);
    ck_assert_int_eq(wire_read_int32(&r), INT32_MAX);
    ck_assert(wire_read_int64(&r) == INT64_MIN);
    ck_assert(wire_read_int64(&r) == 0x0102030405060708);
    ck_assert_uint_eq(wire_read_uint16(&r), 65535);
    ck_assert_uint_eq(wire_read_uint32(&r), 0xDEADBEEF);
    ck_assert(wire_read_bool(&r));
    ck_assert(!wire_read_bool(&r));
    ck_assert_int_eq(r.err, 0);
    ck_assert_uint_eq(r.pos, r.len);
    wire_writer_free(&w);
}
END_TEST

START_TEST(bool_reads_any_nonzero_byte_as_true)
{
    /* Java's readByte() != 0. */
    const uint8_t in[] = {0x02, 0xff, 0x00};
    struct wire_reader r;
    wire_reader_init(&r, in, sizeof in);
    ck_assert(wire_read_bool(&r));
    ck_assert(wire_read_bool(&r));
    ck_assert(!wire_read_bool(&r));
}
END_TEST

/* Encodes v as a varint and checks the exact bytes and the round trip. */
static void check_varint(int32_t v, const uint8_t *want, size_t n)
{
    struct wire_writer w;
    wire_writer_init(&w);
    wire_write_varint(&w, v);
    assert_bytes(&w, want, n);
    ck_assert_uint_eq(wire_sizeof_varint(v), n);
    struct wire_reader r;
    wire_reader_init(&r, w.bytes, w.len);
    ck_assert_int_eq(wire_read_varint(&r), v);
    ck_assert_int_eq(r.err, 0);
    ck_assert_uint_eq(r.pos, n);
    wire_writer_free(&w);
}

START_TEST(varint_is_zigzag_then_base128)
{
    check_varint(0, (const uint8_t[]){0x00}, 1);
    check_varint(-1, (const uint8_t[]){0x01}, 1);  /* zigzag(-1) = 1 */
    check_varint(1, (const uint8_t[]){0x02}, 1);
    check_varint(-2, (const uint8_t[]){0x03}, 1);
    check_varint(63, (const uint8_t[]){0x7e}, 1);
    check_varint(-64, (const uint8_t[]){0x7f}, 1);
    check_varint(64, (const uint8_t[]){0x80, 0x01}, 2);
    check_varint(150, (const uint8_t[]){0xac, 0x02}, 2); /* zigzag 300 */
    check_varint(INT32_MAX, (const uint8_t[]){0xfe, 0xff, 0xff, 0xff, 0x0f}, 5);
    check_varint(INT32_MIN, (const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0x0f}, 5);
}
END_TEST

static void check_uvarint(uint32_t v, const uint8_t *want, size_t n)
{
    struct wire_writer w;
    wire_writer_init(&w);
    wire_write_uvarint(&w, v);
    assert_bytes(&w, want, n);
    ck_assert_uint_eq(wire_sizeof_uvarint(v), n);
    struct wire_reader r;
    wire_reader_init(&r, w.bytes, w.len);
    ck_assert_uint_eq(wire_read_uvarint(&r), v);
    ck_assert_int_eq(r.err, 0);
    wire_writer_free(&w);
}

START_TEST(unsigned_varint_edges)
{
    check_uvarint(0, (const uint8_t[]){0x00}, 1);
    check_uvarint(1, (const uint8_t[]){0x01}, 1);
    check_uvarint(127, (const uint8_t[]){0x7f}, 1);
    check_uvarint(128, (const uint8_t[]){0x80, 0x01}, 2);
    check_uvarint(300, (const uint8_t[]){0xac, 0x02}, 2);
    check_uvarint(16383, (const uint8_t[]){0xff, 0x7f}, 2);
    check_uvarint(16384, (const uint8_t[]){0x80, 0x80, 0x01}, 3);
    check_uvarint(UINT32_MAX, (const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0x0f}, 5);
}
END_TEST

START_TEST(unsigned_varint_longer_than_five_bytes_is_malformed)
{
    /* ByteUtils: a continuation bit in the 5th byte is "Varint is too long". */
    const uint8_t too_long[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    struct wire_reader r;
    wire_reader_init(&r, too_long, sizeof too_long);
    ck_assert_uint_eq(wire_read_uvarint(&r), 0);
    ck_assert_int_eq(r.err, -WIRE_EMALFORMED);
    /* Bits past 32 in the 5th byte are dropped, as Java's int shift drops them. */
    const uint8_t wide[] = {0xff, 0xff, 0xff, 0xff, 0x7f};
    wire_reader_init(&r, wide, sizeof wide);
    ck_assert_uint_eq(wire_read_uvarint(&r), UINT32_MAX);
    ck_assert_int_eq(r.err, 0);
}
END_TEST

START_TEST(varlong_edges_and_overlong_input)
{
    struct wire_writer w;
    wire_writer_init(&w);
    wire_write_varlong(&w, -1);        /* 01 */
    wire_write_varlong(&w, INT64_MAX); /* fe ff ff ff ff ff ff ff ff 01 */
    wire_write_varlong(&w, INT64_MIN); /* ff ff ff ff ff ff ff ff ff 01 */
    const uint8_t want[] = {0x01, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
                            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    assert_bytes(&w, want, sizeof want);
    ck_assert_uint_eq(wire_sizeof_varlong(INT64_MIN), 10);
    struct wire_reader r;
    wire_reader_init(&r, w.bytes, w.len);
    ck_assert(wire_read_varlong(&r) == -1);
    ck_assert(wire_read_varlong(&r) == INT64_MAX);
    ck_assert(wire_read_varlong(&r) == INT64_MIN);
    ck_assert_int_eq(r.err, 0);
    const uint8_t eleven[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    wire_reader_init(&r, eleven, sizeof eleven);
    ck_assert(wire_read_varlong(&r) == 0);
    ck_assert_int_eq(r.err, -WIRE_EMALFORMED);
    wire_writer_free(&w);
}
END_TEST

START_TEST(truncated_input_sets_the_error_and_reads_zeros)
{
    const uint8_t three[] = {0x12, 0x34, 0x56};
    struct wire_reader r;
    wire_reader_init(&r, three, sizeof three);
    ck_assert_int_eq(wire_read_int32(&r), 0);
    ck_assert_int_eq(r.err, -WIRE_ETRUNCATED);
    ck_assert_uint_eq(r.pos, 0); /* nothing consumed by the failed read */
    /* Sticky: even a read that would fit now returns zero. */
    ck_assert_int_eq(wire_read_int8(&r), 0);
    ck_assert_uint_eq(wire_reader_remaining(&r), 0);

    const uint8_t open_varint[] = {0x80, 0x80};
    wire_reader_init(&r, open_varint, sizeof open_varint);
    ck_assert_uint_eq(wire_read_uvarint(&r), 0);
    ck_assert_int_eq(r.err, -WIRE_ETRUNCATED);
    ck_assert_uint_le(r.pos, r.len);

    wire_reader_init(&r, NULL, 0);
    ck_assert(wire_read_int64(&r) == 0);
    ck_assert(wire_uuid_equal(wire_read_uuid(&r), KUUID_ZERO));
    ck_assert_int_eq(r.err, -WIRE_ETRUNCATED);
}
END_TEST

START_TEST(classic_and_compact_strings)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct wire_writer w;
    wire_writer_init(&w);
    wire_write_string(&w, "kafka", false);        /* 00 05 k a f k a */
    wire_write_nullable_string(&w, NULL, false);  /* ff ff */
    wire_write_string(&w, "kafka", true);         /* 06 k a f k a */
    wire_write_nullable_string(&w, NULL, true);   /* 00 */
    wire_write_string(&w, "", true);              /* 01 */
    const uint8_t want[] = {0x00, 0x05, 'k', 'a', 'f', 'k', 'a', 0xff, 0xff,
                            0x06, 'k', 'a', 'f', 'k', 'a', 0x00, 0x01};
    assert_bytes(&w, want, sizeof want);

    struct wire_reader r;
    wire_reader_init(&r, w.bytes, w.len);
    ck_assert_str_eq(wire_read_string(&r, &a, false), "kafka");
    ck_assert_ptr_null(wire_read_nullable_string(&r, &a, false));
    ck_assert_str_eq(wire_read_string(&r, &a, true), "kafka");
    ck_assert_ptr_null(wire_read_nullable_string(&r, &a, true));
    ck_assert_str_eq(wire_read_string(&r, &a, true), "");
    ck_assert_int_eq(r.err, 0);
    ck_assert_uint_eq(r.pos, r.len);
    wire_writer_free(&w);
    wire_arena_free(&a);
}
END_TEST

START_TEST(string_errors_null_where_forbidden_overlong_and_embedded_nul)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct wire_reader r;
    /* Compact null (00) in a non-nullable string. */
    wire_reader_init(&r, (const uint8_t[]){0x00}, 1);
    ck_assert_ptr_null(wire_read_string(&r, &a, true));
    ck_assert_int_eq(r.err, -WIRE_EMALFORMED);
    /* Declared length beyond the input. */
    wire_reader_init(&r, (const uint8_t[]){0x00, 0x09, 'a'}, 3);
    ck_assert_ptr_null(wire_read_string(&r, &a, false));
    ck_assert_int_eq(r.err, -WIRE_ETRUNCATED);
    /* An embedded NUL cannot be a C string. */
    wire_reader_init(&r, (const uint8_t[]){0x03, 'a', 0x00}, 3);
    ck_assert_ptr_null(wire_read_string(&r, &a, true));
    ck_assert_int_eq(r.err, -WIRE_EMALFORMED);
    /* A compact length of 32768 exceeds Kafka's string limit. */
    size_t n = 3 + 32768;
    uint8_t *big = calloc(1, n);
    big[0] = 0x81; /* uvarint 32769 = 81 80 02 → length 32768 */
    big[1] = 0x80;
    big[2] = 0x02;
    memset(big + 3, 'x', 32768);
    wire_reader_init(&r, big, n);
    ck_assert_ptr_null(wire_read_string(&r, &a, true));
    ck_assert_int_eq(r.err, -WIRE_EMALFORMED);
    /* Writing: NULL where non-nullable, and an overlong string, are -WIRE_EINVAL. */
    struct wire_writer w;
    wire_writer_init(&w);
    wire_write_string(&w, NULL, true);
    ck_assert_int_eq(w.err, -WIRE_EINVAL);
    wire_writer_reset(&w);
    big[n - 1] = '\0';
    wire_write_string(&w, (const char *)big + 3, true); /* 32767 bytes: the limit, fine */
    ck_assert_int_eq(w.err, 0);
    big[n - 1] = 'x';
    char *over = calloc(1, 32769);
    memset(over, 'y', 32768);
    wire_write_string(&w, over, false);
    ck_assert_int_eq(w.err, -WIRE_EINVAL);
    free(over);
    free(big);
    wire_writer_free(&w);
    wire_arena_free(&a);
}
END_TEST

START_TEST(bytes_and_array_lengths)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct wire_writer w;
    wire_writer_init(&w);
    const uint8_t two[] = {0xca, 0xfe};
    wire_write_nullable_bytes(&w, WIRE_BYTES_NULL, false); /* ff ff ff ff */
    wire_write_bytes(&w, (struct wire_bytes){two, 2}, false); /* 00 00 00 02 ca fe */
    wire_write_nullable_bytes(&w, WIRE_BYTES_NULL, true);  /* 00 */
    wire_write_bytes(&w, (struct wire_bytes){two, 2}, true); /* 03 ca fe */
    wire_write_array_len(&w, -1, false);                   /* ff ff ff ff */
    wire_write_array_len(&w, -1, true);                    /* 00 */
    wire_write_array_len(&w, 0, true);                     /* 01 */
    wire_write_array_len(&w, 3, true);                     /* 04 */
    const uint8_t want[] = {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2, 0xca, 0xfe, 0x00,
                            0x03, 0xca, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01, 0x04};
    assert_bytes(&w, want, sizeof want);
    struct wire_reader r;
    wire_reader_init(&r, w.bytes, w.len);
    ck_assert_int_eq(wire_read_nullable_bytes(&r, &a, false).len, -1);
    struct wire_bytes b = wire_read_bytes(&r, &a, false);
    ck_assert_int_eq(b.len, 2);
    ck_assert_mem_eq(b.ptr, two, 2);
    ck_assert_ptr_null(wire_read_nullable_bytes(&r, &a, true).ptr);
    ck_assert_int_eq(wire_read_bytes(&r, &a, true).len, 2);
    ck_assert_int_eq(wire_read_array_len(&r, false), -1);
    ck_assert_int_eq(wire_read_array_len(&r, true), -1);
    ck_assert_int_eq(wire_read_array_len(&r, true), 0);
    /* 3 elements with no bytes left: cannot be, so truncated (bounds any allocation). */
    ck_assert_int_eq(wire_read_array_len(&r, true), 0);
    ck_assert_int_eq(r.err, -WIRE_ETRUNCATED);
    wire_writer_free(&w);
    wire_arena_free(&a);
}
END_TEST

START_TEST(non_nullable_array_read_as_null_is_malformed)
{
    struct wire_reader r;
    wire_reader_init(&r, (const uint8_t[]){0x00}, 1);
    ck_assert_int_eq(wire_read_array_count(&r, true), 0);
    ck_assert_int_eq(r.err, -WIRE_EMALFORMED);
}
END_TEST

START_TEST(uuid_is_two_big_endian_longs_and_base64url_text)
{
    struct wire_writer w;
    wire_writer_init(&w);
    struct kuuid u = {0x0011223344556677, 0x8899aabbccddeeff};
    wire_write_uuid(&w, u);
    const uint8_t want[] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                            0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
    assert_bytes(&w, want, sizeof want);
    struct wire_reader r;
    wire_reader_init(&r, w.bytes, w.len);
    ck_assert(wire_uuid_equal(wire_read_uuid(&r), u));

    /* KRaft's metadata topic id is Uuid(0, 1) = "AAAAAAAAAAAAAAAAAAAAAQ". */
    char text[WIRE_UUID_TEXT_LEN + 1];
    wire_uuid_to_text((struct kuuid){0, 1}, text);
    ck_assert_str_eq(text, "AAAAAAAAAAAAAAAAAAAAAQ");
    wire_uuid_to_text((struct kuuid){UINT64_MAX, UINT64_MAX}, text);
    ck_assert_str_eq(text, "_____________________w");
    wire_uuid_to_text(u, text);
    ck_assert_str_eq(text, "ABEiM0RVZneImaq7zN3u_w");

    struct kuuid back;
    ck_assert_int_eq(wire_uuid_from_text("ABEiM0RVZneImaq7zN3u_w", &back), 0);
    ck_assert(wire_uuid_equal(back, u));
    ck_assert_int_eq(wire_uuid_from_text("AAAAAAAAAAAAAAAAAAAAAQ", &back), 0);
    ck_assert(wire_uuid_equal(back, (struct kuuid){0, 1}));
    /* Round trip a spread of values. */
    for (uint64_t i = 0; i < 64; i++) {
        struct kuuid x = {i * 0x9e3779b97f4a7c15u, ~i * 0xbf58476d1ce4e5b9u};
        wire_uuid_to_text(x, text);
        ck_assert_int_eq(wire_uuid_from_text(text, &back), 0);
        ck_assert(wire_uuid_equal(back, x));
    }
    ck_assert_int_eq(wire_uuid_from_text("AAAAAAAAAAAAAAAAAAAAA", &back), -WIRE_EMALFORMED);
    ck_assert_int_eq(wire_uuid_from_text("AAAAAAAAAAAAAAAAAAAA+Q", &back), -WIRE_EMALFORMED);
    ck_assert_int_eq(wire_uuid_from_text("AAAAAAAAAAAAAAAAAAAAAQ==", &back), 0); /* padded */
    ck_assert(wire_uuid_equal(back, (struct kuuid){0, 1}));
    ck_assert_int_eq(wire_uuid_from_text("AAAAAAAAAAAAAAAAAAAAAQ=", &back), -WIRE_EMALFORMED);
    ck_assert_int_eq(wire_uuid_from_text("AAAAAAAAAAAAAAAAAAAAAQAA", &back), -WIRE_EMALFORMED);
    ck_assert_int_eq(wire_uuid_from_text(NULL, &back), -WIRE_EMALFORMED);
    wire_writer_free(&w);
}
END_TEST

START_TEST(tagged_fields_are_counted_sized_and_skippable)
{
    struct wire_arena a;
    wire_arena_init(&a);
    struct wire_writer w;
    wire_writer_init(&w);
    /* Two fields: tag 0 = int32 7, tag 5 = compact string "hi"; then a 200-byte tag 9 whose
     * size needs a two-byte uvarint (c8 01). */
    wire_write_uvarint(&w, 3);
    size_t m = wire_tag_begin(&w, 0);
    wire_write_int32(&w, 7);
    wire_tag_end(&w, m);
    m = wire_tag_begin(&w, 5);
    wire_write_string(&w, "hi", true);
    wire_tag_end(&w, m);
    m = wire_tag_begin(&w, 9);
    uint8_t filler[200];
    memset(filler, 0xab, sizeof filler);
    wire_write_raw(&w, filler, sizeof filler);
    wire_tag_end(&w, m);
    wire_write_int8(&w, 0x42); /* whatever follows the section */
    const uint8_t head[] = {0x03, 0x00, 0x04, 0, 0, 0, 7, 0x05, 0x03, 0x03, 'h', 'i', 0x09,
                            0xc8, 0x01};
    ck_assert_uint_eq(w.len, sizeof head + 200 + 1);
    ck_assert_mem_eq(w.bytes, head, sizeof head);

    struct wire_reader r;
    wire_reader_init(&r, w.bytes, w.len);
    struct wire_tags t;
    uint32_t tag;
    struct wire_reader f;
    int32_t seen_int = 0;
    const char *seen_str = NULL;
    wire_tags_begin(&t, &r);
    while (wire_tags_next(&t, &tag, &f)) {
        if (tag == 0) {
            seen_int = wire_read_int32(&f);
        } else if (tag == 5) {
            seen_str = wire_read_string(&f, &a, true);
        } /* tag 9 unknown: skipped */
    }
    ck_assert_int_eq(r.err, 0);
    ck_assert_int_eq(seen_int, 7);
    ck_assert_str_eq(seen_str, "hi");
    ck_assert_int_eq(wire_read_int8(&r), 0x42);
    wire_writer_free(&w);
    wire_arena_free(&a);
}
END_TEST

START_TEST(tagged_field_errors_propagate_to_the_outer_reader)
{
    struct wire_reader r;
    struct wire_tags t;
    uint32_t tag;
    struct wire_reader f;
    /* One field, tag 0, size 2, but the caller reads an int32 from it: the field is short. */
    const uint8_t short_field[] = {0x01, 0x00, 0x02, 0xaa, 0xbb, 0x7f};
    wire_reader_init(&r, short_field, sizeof short_field);
    wire_tags_begin(&t, &r);
    while (wire_tags_next(&t, &tag, &f)) {
        (void)wire_read_int32(&f);
    }
    ck_assert_int_eq(r.err, -WIRE_ETRUNCATED);
    /* A field whose declared size passes the end of the input. */
    const uint8_t overrun[] = {0x01, 0x00, 0x09, 0xaa};
    wire_reader_init(&r, overrun, sizeof overrun);
    wire_skip_tags(&r);
    ck_assert_int_eq(r.err, -WIRE_ETRUNCATED);
    /* A count that the remaining bytes cannot hold. */
    const uint8_t many[] = {0x7f, 0x00, 0x00};
    wire_reader_init(&r, many, sizeof many);
    wire_skip_tags(&r);
    ck_assert_int_eq(r.err, -WIRE_ETRUNCATED);
    /* An empty section is one zero byte. */
    wire_reader_init(&r, (const uint8_t[]){0x00}, 1);
    wire_skip_tags(&r);
    ck_assert_int_eq(r.err, 0);
    ck_assert_uint_eq(r.pos, 1);
}
END_TEST

START_TEST(crc32c_matches_the_castagnoli_check_value)
{
    /* The standard check value of CRC-32C over "123456789" (RFC 3720 B.4 / Kafka Crc32C). */
    ck_assert_uint_eq(wire_crc32c(0, "123456789", 9), 0xE3069283u);
    ck_assert_uint_eq(wire_crc32c(0, NULL, 0), 0);
    /* Chaining over pieces gives the same value. */
    uint32_t c = wire_crc32c(0, "1234", 4);
    ck_assert_uint_eq(wire_crc32c(c, "56789", 5), 0xE3069283u);
    /* RFC 3720 B.4: 32 bytes of zeros → 0x8A9136AA; 32 bytes of 0xff → 0x62A8AB43. */
    uint8_t buf[32];
    memset(buf, 0, sizeof buf);
    ck_assert_uint_eq(wire_crc32c(0, buf, sizeof buf), 0x8A9136AAu);
    memset(buf, 0xff, sizeof buf);
    ck_assert_uint_eq(wire_crc32c(0, buf, sizeof buf), 0x62A8AB43u);
}
END_TEST

/* The CRC one byte at a time, straight from the polynomial: what wire_crc32c (the CPU's
 * crc32 instruction where it has one) and its tables (eight bytes a step) must agree with for
 * every length and alignment. */
static uint32_t crc32c_bitwise(const uint8_t *p, size_t len)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) {
            c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        }
    }
    return ~c;
}

START_TEST(crc32c_agrees_with_the_bitwise_definition_at_every_length_and_alignment)
{
    uint8_t buf[96];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    for (size_t at = 0; at < 8; at++) {
        for (size_t len = 0; at + len <= sizeof buf; len++) {
            ck_assert_uint_eq(wire_crc32c(0, buf + at, len), crc32c_bitwise(buf + at, len));
            ck_assert_uint_eq(wire_crc32c_table(0, buf + at, len),
                              crc32c_bitwise(buf + at, len));
            /* Split anywhere, the chained value is the same. */
            size_t cut = len / 3;
            uint32_t c = wire_crc32c(0, buf + at, cut);
            ck_assert_uint_eq(wire_crc32c(c, buf + at + cut, len - cut),
                              crc32c_bitwise(buf + at, len));
        }
    }
}
END_TEST

START_TEST(fixed_writer_overflows_without_writing_past_its_buffer)
{
    uint8_t buf[5] = {0xee, 0xee, 0xee, 0xee, 0xee};
    struct wire_writer w;
    wire_writer_init_fixed(&w, buf, 3);
    wire_write_int16(&w, 0x0102);
    wire_write_int16(&w, 0x0304); /* needs 4 bytes, has 3 */
    ck_assert_int_eq(w.err, -WIRE_EOVERFLOW);
    ck_assert_uint_eq(w.len, 2);
    wire_write_int8(&w, 9); /* sticky: nothing more */
    ck_assert_uint_eq(w.len, 2);
    ck_assert_uint_eq(buf[2], 0xee);
    ck_assert_uint_eq(buf[3], 0xee);
    wire_writer_free(&w); /* no-op for a fixed buffer */
}
END_TEST

START_TEST(growable_writer_grows_and_patches_and_inserts)
{
    struct wire_writer w;
    wire_writer_init(&w);
    for (int i = 0; i < 100000; i++) {
        wire_write_int32(&w, i);
    }
    ck_assert_int_eq(w.err, 0);
    ck_assert_uint_eq(w.len, 400000);
    wire_patch_int32(&w, 4, -1);
    ck_assert_uint_eq(w.bytes[4], 0xff);
    ck_assert_uint_eq(w.bytes[7], 0xff);
    wire_writer_reset(&w);
    wire_write_int8(&w, 1);
    wire_write_int8(&w, 2);
    wire_insert_uvarint(&w, 1, 300); /* 01 ac 02 02 */
    wire_insert_varint(&w, 0, -1);   /* 01 01 ac 02 02 */
    const uint8_t want[] = {0x01, 0x01, 0xac, 0x02, 0x02};
    assert_bytes(&w, want, sizeof want);
    wire_writer_free(&w);
    ck_assert_ptr_null(w.bytes);
}
END_TEST

START_TEST(arena_memory_is_zeroed_aligned_and_freed_at_once)
{
    struct wire_arena a;
    wire_arena_init(&a);
    for (size_t size = 0; size < 300; size += 7) {
        uint8_t *p = wire_arena_alloc(&a, size);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq((uintptr_t)p % 16, 0);
        for (size_t i = 0; i < size; i++) {
            ck_assert_uint_eq(p[i], 0);
        }
        memset(p, 0x5a, size);
    }
    uint8_t *big = wire_arena_alloc(&a, 1 << 20); /* larger than a chunk */
    ck_assert_ptr_nonnull(big);
    big[(1 << 20) - 1] = 1;
    ck_assert_uint_ge(a.allocated_bytes, (size_t)1 << 20);
    wire_arena_free(&a);
    ck_assert_uint_eq(a.allocated_bytes, 0);
    ck_assert_ptr_null(a.head);
}
END_TEST

START_TEST(error_names_and_messages)
{
    ck_assert_str_eq(wire_err_name(-WIRE_ECRC), "WIRE_ECRC");
    ck_assert_str_eq(wire_err_name(WIRE_ETRUNCATED), "WIRE_ETRUNCATED");
    ck_assert_str_eq(wire_err_name(0), "WIRE_OK");
    ck_assert_str_eq(wire_err_name(-999), "WIRE_UNKNOWN");
    ck_assert_str_eq(wire_err_message(-WIRE_ECOMPRESSION), "unsupported compression");
}
END_TEST

static Suite *wire_suite(void)
{
    Suite *s = suite_create("wire");
    TCase *ints = tcase_create("integers and varints");
    tcase_add_test(ints, fixed_width_ints_are_big_endian_at_every_boundary);
    tcase_add_test(ints, bool_reads_any_nonzero_byte_as_true);
    tcase_add_test(ints, varint_is_zigzag_then_base128);
    tcase_add_test(ints, unsigned_varint_edges);
    tcase_add_test(ints, unsigned_varint_longer_than_five_bytes_is_malformed);
    tcase_add_test(ints, varlong_edges_and_overlong_input);
    tcase_add_test(ints, truncated_input_sets_the_error_and_reads_zeros);
    suite_add_tcase(s, ints);
    TCase *str = tcase_create("strings, bytes, arrays, uuids, tags");
    tcase_add_test(str, classic_and_compact_strings);
    tcase_add_test(str, string_errors_null_where_forbidden_overlong_and_embedded_nul);
    tcase_add_test(str, bytes_and_array_lengths);
    tcase_add_test(str, non_nullable_array_read_as_null_is_malformed);
    tcase_add_test(str, uuid_is_two_big_endian_longs_and_base64url_text);
    tcase_add_test(str, tagged_fields_are_counted_sized_and_skippable);
    tcase_add_test(str, tagged_field_errors_propagate_to_the_outer_reader);
    suite_add_tcase(s, str);
    TCase *misc = tcase_create("crc, writer, arena");
    tcase_add_test(misc, crc32c_matches_the_castagnoli_check_value);
    tcase_add_test(misc, crc32c_agrees_with_the_bitwise_definition_at_every_length_and_alignment);
    tcase_add_test(misc, fixed_writer_overflows_without_writing_past_its_buffer);
    tcase_add_test(misc, growable_writer_grows_and_patches_and_inserts);
    tcase_add_test(misc, arena_memory_is_zeroed_aligned_and_freed_at_once);
    tcase_add_test(misc, error_names_and_messages);
    suite_add_tcase(s, misc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(wire_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failures = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failures == 0 ? 0 : 1;
}
