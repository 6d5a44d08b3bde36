/* test_trace.c — the trace: the hash covers every field, sinks see events, console format. */
#include <check.h>
#include <string.h>

#include "trace/trace.h"

static uint64_t hash_of(time_ns time, int host, enum trace_kind kind, const char *detail)
{
    struct trace t;
    trace_init(&t);
    trace_emit(&t, 1, 0, TRACE_NOTE, "first");
    trace_emit(&t, time, host, kind, detail);
    return trace_hash(&t);
}

START_TEST(hash_changes_with_every_field_and_with_order)
{
    uint64_t base = hash_of(100, 1, TRACE_PING_SEND, "seq=1");
    ck_assert_uint_eq(base, hash_of(100, 1, TRACE_PING_SEND, "seq=1"));
    ck_assert_uint_ne(base, hash_of(101, 1, TRACE_PING_SEND, "seq=1"));
    ck_assert_uint_ne(base, hash_of(100, 2, TRACE_PING_SEND, "seq=1"));
    ck_assert_uint_ne(base, hash_of(100, 1, TRACE_PING_RECV, "seq=1"));
    ck_assert_uint_ne(base, hash_of(100, 1, TRACE_PING_SEND, "seq=2"));

    struct trace ab, ba;
    trace_init(&ab);
    trace_init(&ba);
    trace_emit(&ab, 1, 0, TRACE_NOTE, "a");
    trace_emit(&ab, 1, 0, TRACE_NOTE, "b");
    trace_emit(&ba, 1, 0, TRACE_NOTE, "b");
    trace_emit(&ba, 1, 0, TRACE_NOTE, "a");
    ck_assert_uint_ne(trace_hash(&ab), trace_hash(&ba));
    ck_assert_uint_eq(ab.event_count, 2);
    ck_assert_uint_eq(ab.kind_counts[TRACE_NOTE], 2);
}
END_TEST

struct seen {
    int count;
    char last[128];
};

static void remember(void *ctx, const struct trace_event *e)
{
    struct seen *s = ctx;
    s->count++;
    trace_format(e, s->last, sizeof s->last);
}

START_TEST(sinks_see_events_in_the_console_format)
{
    struct trace t;
    trace_init(&t);
    struct seen s = {0};
    trace_add_sink(&t, (struct trace_sink){.event = remember, .ctx = &s});
    trace_emitf(&t, 1250000000, 2, TRACE_PING_SEND, "seq=%d to=h%d", 3, 0);
    ck_assert_int_eq(s.count, 1);
    ck_assert_str_eq(s.last, "     1.250000  h2   ping-send        seq=3 to=h0");
    trace_emit(&t, 0, TRACE_HOST_NONE, TRACE_RUN_START, NULL);
    ck_assert_str_eq(s.last, "     0.000000  -    run-start        ");
    /* Sinks do not change the hash. */
    struct trace bare;
    trace_init(&bare);
    trace_emitf(&bare, 1250000000, 2, TRACE_PING_SEND, "seq=%d to=h%d", 3, 0);
    trace_emit(&bare, 0, TRACE_HOST_NONE, TRACE_RUN_START, "");
    ck_assert_uint_eq(trace_hash(&t), trace_hash(&bare));
}
END_TEST

START_TEST(every_kind_has_a_distinct_name)
{
    for (int a = 0; a < TRACE_KIND_COUNT; a++) {
        ck_assert_ptr_nonnull(trace_kind_name((enum trace_kind)a));
        for (int b = a + 1; b < TRACE_KIND_COUNT; b++) {
            ck_assert_str_ne(trace_kind_name((enum trace_kind)a),
                             trace_kind_name((enum trace_kind)b));
        }
    }
    ck_assert_str_eq(env_err_name(-ENV_ENOSPC), "ENV_ENOSPC");
    ck_assert_str_eq(env_err_message(ENV_ENOENT), "no such file");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("trace");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, hash_changes_with_every_field_and_with_order);
    tcase_add_test(tc, sinks_see_events_in_the_console_format);
    tcase_add_test(tc, every_kind_has_a_distinct_name);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
