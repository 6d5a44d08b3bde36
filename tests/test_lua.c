/* test_lua.c — the Lua runtime from C: checks ask their own checker, runs repeat exactly. */
#define _GNU_SOURCE /* open_memstream */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua/runtime.h"

/* Isolates the quorum leader for 3 s: on its own it can commit nothing. */
static const char isolate_leader[] =
    "local c = kraft.cluster{ controllers = 3, brokers = 1 }\n"
    "c:start()\n"
    "local l = c:wait_leader()\n"
    "c:isolate(l)\n"
    "sleep(3 * s)\n"
    "c:heal()\n"
    "sleep(2 * s)\n"
    "local ok = pcall(check.partitions)\n"
    "note('partitions ok: ' .. tostring(ok))\n"
    "check.raft()\n"
    "note('after check.raft')\n";

struct captured {
    struct run_result result;
    char *out;
    size_t len;
};

static struct captured run_text(const char *text, uint64_t seed, const char *planted_bug)
{
    struct captured c;
    memset(&c, 0, sizeof c);
    FILE *out = open_memstream(&c.out, &c.len);
    ck_assert_ptr_nonnull(out);
    struct run_opts opts = {.seed = seed, .out = out, .planted_bug = planted_bug};
    lua_scenario_run("test.lua", text, strlen(text), false, &opts, &c.result);
    fclose(out);
    return c;
}

START_TEST(a_check_raises_only_for_its_own_checker)
{
    /* The planted bug lets a leader advance its high watermark on a minority: the raft
     * checker's hw-majority rule sees it, the partition checker has nothing to say. */
    struct captured c = run_text(isolate_leader, 1, "hw-on-minority");
    ck_assert_msg(c.result.config_error[0] == '\0', "%s", c.result.config_error);
    ck_assert_uint_gt(c.result.violations, 0);
    ck_assert_msg(strstr(c.result.first_violation, "hw-majority") != NULL, "%s",
                  c.result.first_violation);
    ck_assert_msg(strstr(c.out, "partitions ok: true") != NULL, "%s", c.out);
    ck_assert_msg(strstr(c.out, "after check.raft") == NULL, "check.raft did not raise");
    free(c.out);
}
END_TEST

START_TEST(without_the_bug_the_same_run_passes)
{
    struct captured c = run_text(isolate_leader, 1, NULL);
    ck_assert_msg(c.result.config_error[0] == '\0', "%s", c.result.config_error);
    ck_assert_uint_eq(c.result.violations, 0);
    ck_assert_msg(strstr(c.out, "after check.raft") != NULL, "%s", c.out);
    free(c.out);
}
END_TEST

START_TEST(a_run_repeats_exactly_and_a_seed_changes_it)
{
    struct captured a = run_text(isolate_leader, 5, NULL);
    struct captured b = run_text(isolate_leader, 5, NULL);
    struct captured d = run_text(isolate_leader, 6, NULL);
    ck_assert_uint_ne(a.result.trace_hash, 0);
    ck_assert_uint_eq(a.result.trace_hash, b.result.trace_hash);
    ck_assert_uint_eq(a.result.trace_events, b.result.trace_events);
    ck_assert_str_eq(a.out, b.out);
    ck_assert_uint_ne(a.result.trace_hash, d.result.trace_hash);
    free(a.out);
    free(b.out);
    free(d.out);
}
END_TEST

START_TEST(a_scenario_error_names_the_users_line)
{
    struct captured c = run_text("local c = kraft.cluster{ controllers = 3 }\n"
                                 "c:start()\n"
                                 "sleep(1 * s)\n"
                                 "c:crash('kafka-9')\n",
                                 1, NULL);
    ck_assert_str_eq(c.result.config_error,
                     "test.lua:4: crash: no node kafka-9 (the nodes are 1 (controller-1), "
                     "2 (controller-2), 3 (controller-3))");
    free(c.out);
}
END_TEST

START_TEST(the_nemesis_draws_from_the_seed_and_logs_every_fault)
{
    static const char text[] =
        "local c = kraft.cluster{ combined = 3, brokers = 1 }\n"
        "c:start()\n"
        "c:nemesis{ faults = { 'crash', 'pause', 'isolate' }, every = 2 * s, until_ = 20 * s }\n"
        "sleep(20 * s)\n"
        "local f = c:faults()\n"
        "check.expect(#f >= 8, 'only %d faults', #f)\n"
        "for _, x in ipairs(f) do check.expect(x['end'] ~= nil, '%s never ended', x.kind) end\n"
        "check.liveness{ within = 30 * s }\n"
        "check.all()\n";
    struct captured a = run_text(text, 3, NULL);
    struct captured b = run_text(text, 3, NULL);
    ck_assert_msg(a.result.violations == 0, "%s", a.result.first_violation);
    ck_assert_str_eq(a.out, b.out); /* the same faults, the same times */
    ck_assert_msg(strstr(a.out, "faults injected:") != NULL, "%s", a.out);
    free(a.out);
    free(b.out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lua");
    TCase *tc = tcase_create("runtime");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, a_check_raises_only_for_its_own_checker);
    tcase_add_test(tc, without_the_bug_the_same_run_passes);
    tcase_add_test(tc, a_run_repeats_exactly_and_a_seed_changes_it);
    tcase_add_test(tc, a_scenario_error_names_the_users_line);
    tcase_add_test(tc, the_nemesis_draws_from_the_seed_and_logs_every_fault);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
