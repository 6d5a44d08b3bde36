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

static bool shows(const struct trace_filter *f, enum trace_kind kind, const char *detail)
{
    struct trace_event e = {.time = 0, .host = 0, .kind = kind, .detail = detail};
    return trace_filter_shows(f, &e);
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
