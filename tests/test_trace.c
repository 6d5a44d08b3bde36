/* test_trace.c — the trace: the hash covers every field, sinks see events, console format. */
#include <check.h>
#include <stdbool.h>
#include <string.h>

#include "trace/filter.h"
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

/* The hash is over typed fields: a value's type and key count, not only its text. */
START_TEST(the_hash_folds_typed_fields)
{
    struct trace a, b, c, d, e;
    trace_init(&a);
    trace_init(&b);
    trace_init(&c);
    trace_init(&d);
    trace_init(&e);
    trace_fields(&a, 5, 1, TRACE_RAFT_APPEND, TF_INT("epoch", 3), TF_INT("offset", 41));
    trace_fields(&b, 5, 1, TRACE_RAFT_APPEND, TF_INT("epoch", 3), TF_INT("offset", 41));
    trace_fields(&c, 5, 1, TRACE_RAFT_APPEND, TF_INT("epoch", 3), TF_INT("offset", 42));
    trace_fields(&d, 5, 1, TRACE_RAFT_APPEND, TF_INT("epoch", 3), TF_INT("offsets", 41));
    trace_fields(&e, 5, 1, TRACE_RAFT_APPEND, TF_INT("epoch", 3), TF_STR("offset", "41"));
    ck_assert_uint_eq(trace_hash(&a), trace_hash(&b));
    ck_assert_uint_ne(trace_hash(&a), trace_hash(&c));
    ck_assert_uint_ne(trace_hash(&a), trace_hash(&d));
    ck_assert_uint_ne(trace_hash(&a), trace_hash(&e)); /* same text, another type */
    /* A field more or less changes it too, even when it would print as nothing. */
    struct trace f, g;
    trace_init(&f);
    trace_init(&g);
    trace_fields(&f, 5, 1, TRACE_NOTE, TF_WORD("x"));
    trace_fields(&g, 5, 1, TRACE_NOTE, TF_WORD("x"), TF_WORD(""));
    ck_assert_uint_ne(trace_hash(&f), trace_hash(&g));
    /* The hash is defined on integers and bytes alone: this value is the definition's, on
     * every build and machine. */
    ck_assert_uint_eq(trace_hash(&a), UINT64_C(6729287302101682830));
}
END_TEST

struct seen {
    int count;
    char last[128];
};

static void remember_fields(void *ctx, const struct trace_event *e)
{
    struct seen *s = ctx;
    s->count++;
    char v[32];
    int64_t id = 0;
    ck_assert(trace_event_int(e, "id", &id));
    ck_assert_int_eq(id, -7);
    ck_assert_str_eq(trace_event_field(e, "to", v, sizeof v), "h0");
    ck_assert_str_eq(trace_event_field(e, "why", v, sizeof v), "");
    ck_assert(!trace_event_int(e, "name", &id)); /* a string is no integer */
    snprintf(s->last, sizeof s->last, "%s", trace_event_detail(e));
}

/* Text is formatted from the fields only when a sink asks, in the console's key=value form. */
START_TEST(fields_format_as_key_value_text)
{
    struct trace t;
    trace_init(&t);
    struct seen s = {0};
    trace_add_sink(&t, (struct trace_sink){.event = remember_fields, .ctx = &s});
    trace_fields(&t, 1, 2, TRACE_NET_SEND, TF_INT("id", -7), TF_HOST("to", 0),
                 TF_UINT("bytes", UINT64_MAX), TF_STR("name", "kafka-1"), TF_WORD("bare"),
                 TF_INT("min", INT64_MIN));
    ck_assert_int_eq(s.count, 1);
    ck_assert_str_eq(s.last, "id=-7 to=h0 bytes=18446744073709551615 name=kafka-1 bare "
                             "min=-9223372036854775808");
    /* Prose keeps its words, and a reader still finds a key=value inside it. */
    char buf[16], v[16];
    const struct trace_field prose[] = {TF_WORD("election partition=t-0 leader=4->5")};
    ck_assert_uint_eq(trace_fields_format(prose, 1, buf, sizeof buf), 15);
    ck_assert_str_eq(buf, "election partit"); /* cut to fit, NUL-terminated */
    (void)v;
}
END_TEST

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
    ck_assert_str_eq(s.last, "     1.250000  h2            ping-send        seq=3 to=h0");
    trace_emit(&t, 0, TRACE_HOST_NONE, TRACE_RUN_START, NULL);
    ck_assert_str_eq(s.last, "     0.000000  -             run-start        ");
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

/* A person reads the host column by name; the detail keeps what the code traced. */
START_TEST(the_host_column_names_the_host)
{
    struct trace t;
    trace_init(&t);
    trace_name_host(&t, 3, "broker-4");
    trace_name_host(&t, 0, "controller-1");
    struct seen s = {0};
    trace_add_sink(&t, (struct trace_sink){.event = remember, .ctx = &s});
    trace_emitf(&t, 1250000000, 3, TRACE_NET_SEND, "id=1 from=h3 to=h0 bytes=10");
    ck_assert_str_eq(s.last, "     1.250000  broker-4      net-send         id=1 from=h3 to=h0 "
                             "bytes=10");
    trace_emit(&t, 0, 0, TRACE_NOTE, "x");
    ck_assert_str_eq(s.last, "     0.000000  controller-1  note             x");
    char legend[128];
    trace_host_legend(&t, legend, sizeof legend);
    ck_assert_str_eq(legend, "# hosts: h0=controller-1 h3=broker-4");
    struct trace bare;
    trace_init(&bare);
    trace_emitf(&bare, 1250000000, 3, TRACE_NET_SEND, "id=1 from=h3 to=h0 bytes=10");
    trace_emit(&bare, 0, 0, TRACE_NOTE, "x");
    ck_assert_uint_eq(trace_hash(&t), trace_hash(&bare)); /* names are printing only */
}
END_TEST

static void filter_probe(void *ctx, const struct trace_event *e)
{
    struct {
        const struct trace_filter *f;
        bool shown;
    } *probe = ctx;
    probe->shown = trace_filter_shows(probe->f, e);
}

static bool shows(const struct trace_filter *f, enum trace_kind kind, const char *detail)
{
    struct trace t;
    trace_init(&t);
    struct {
        const struct trace_filter *f;
        bool shown;
    } probe = {f, false};
    trace_add_sink(&t, (struct trace_sink){.event = filter_probe, .ctx = &probe});
    trace_emit(&t, 0, 0, kind, detail);
    return probe.shown;
}

START_TEST(the_filter_takes_families_and_kind_names)
{
    struct trace_filter f;
    char err[512];
    ck_assert(trace_filter_parse(&f, "raft", err, sizeof err));
    ck_assert(shows(&f, TRACE_RAFT_BECAME_LEADER, "epoch=1"));
    ck_assert(shows(&f, TRACE_RAFT_SNAPSHOT, ""));
    ck_assert(shows(&f, TRACE_NODE_PERSIST, ""));
    ck_assert(!shows(&f, TRACE_NET_SEND, ""));
    ck_assert(!shows(&f, TRACE_CONTROLLER, ""));
    ck_assert(!shows(&f, TRACE_NOTE, "nemesis crash broker-4"));
    ck_assert(trace_filter_parse(&f, "controller,fault", err, sizeof err));
    ck_assert(shows(&f, TRACE_CONTROLLER, ""));
    ck_assert(shows(&f, TRACE_NET_CUT, "isolate broker-5"));
    ck_assert(shows(&f, TRACE_HOST_CRASH, ""));
    ck_assert(shows(&f, TRACE_NOTE, "nemesis crash broker-4 for 12000 ms"));
    ck_assert(shows(&f, TRACE_NOTE, "heal: every fault undone, every node up"));
    ck_assert(!shows(&f, TRACE_NOTE, "raft-log open"));
    ck_assert(!shows(&f, TRACE_NOTE, "violation x"));
    ck_assert(!shows(&f, TRACE_NET_SEND, ""));
    ck_assert(trace_filter_parse(&f, "check,net-cut,became-leader", err, sizeof err));
    ck_assert(shows(&f, TRACE_NOTE, "violation hw-majority: ..."));
    ck_assert(shows(&f, TRACE_RAFT_ERROR, ""));
    ck_assert(shows(&f, TRACE_NET_CUT, ""));
    ck_assert(!shows(&f, TRACE_NET_HEAL, ""));
    ck_assert(shows(&f, TRACE_RAFT_BECAME_LEADER, ""));
    ck_assert(!shows(&f, TRACE_RAFT_STATE, ""));
    ck_assert(trace_filter_parse(&f, "nemesis", err, sizeof err));
    ck_assert(shows(&f, TRACE_HOST_PAUSE, ""));
    /* disk-writeback came after the disk group in env.h's list; the family still has it. */
    ck_assert(trace_filter_parse(&f, "disk", err, sizeof err));
    ck_assert(shows(&f, TRACE_DISK_FSYNC, ""));
    ck_assert(shows(&f, TRACE_DISK_LOSS, ""));
    ck_assert(shows(&f, TRACE_DISK_WRITEBACK, "files=1 writes=1 bytes=1 reason=periodic"));
    ck_assert(!shows(&f, TRACE_ADMIN, ""));
    ck_assert(!shows(&f, TRACE_PING_SEND, ""));
    ck_assert(trace_filter_parse(&f, "admin", err, sizeof err));
    ck_assert(!shows(&f, TRACE_DISK_WRITEBACK, ""));
    /* Every family name parses, and every kind by its printed name. */
    for (int k = 0; k < TRACE_KIND_COUNT; k++) {
        ck_assert(trace_filter_parse(&f, trace_kind_name((enum trace_kind)k), err, sizeof err));
        ck_assert(shows(&f, (enum trace_kind)k, ""));
    }
    trace_filter_all(&f);
    for (int k = 0; k < TRACE_KIND_COUNT; k++) {
        ck_assert(shows(&f, (enum trace_kind)k, ""));
    }
}
END_TEST

START_TEST(an_unknown_name_is_one_line_naming_it_and_the_families)
{
    struct trace_filter f;
    char err[512];
    ck_assert(!trace_filter_parse(&f, "raft,fualt", err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "no trace family or kind 'fualt'"));
    ck_assert_ptr_nonnull(strstr(err, trace_filter_families()));
    ck_assert_ptr_null(strchr(err, '\n'));
    ck_assert(!trace_filter_parse(&f, "raft,", err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "an empty name in the list 'raft,'"));
    ck_assert(!trace_filter_parse(&f, "", err, sizeof err));
    ck_assert(!trace_filter_parse(&f, "Raft", err, sizeof err)); /* names are as printed */
    ck_assert(!trace_filter_parse(&f, "net-", err, sizeof err)); /* no prefix matching */
    const char *families = trace_filter_families();
    const char *want[] = {"run", "note", "host", "net", "disk", "ping", "raft", "controller",
                          "broker", "admin", "fault", "nemesis", "check"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        ck_assert_ptr_nonnull(strstr(families, want[i]));
        ck_assert(trace_filter_parse(&f, want[i], err, sizeof err));
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("trace");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, the_hash_folds_typed_fields);
    tcase_add_test(tc, fields_format_as_key_value_text);
    tcase_add_test(tc, hash_changes_with_every_field_and_with_order);
    tcase_add_test(tc, sinks_see_events_in_the_console_format);
    tcase_add_test(tc, every_kind_has_a_distinct_name);
    tcase_add_test(tc, the_host_column_names_the_host);
    tcase_add_test(tc, the_filter_takes_families_and_kind_names);
    tcase_add_test(tc, an_unknown_name_is_one_line_naming_it_and_the_families);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
