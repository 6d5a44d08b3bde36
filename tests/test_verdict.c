/* test_verdict.c — runs that say what they tested: faults named, minimum durations, the verdict
 * per checker and the command that replays a failure. */
#define _GNU_SOURCE /* open_memstream */
#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua/runtime.h"
#include "lua/shipped.h"
#include "scenario/scenario.h"
#include "scenario/verdict.h"
#include "trace/filter.h"

/* A captured output stream. */
struct capture {
    char *text;
    size_t len;
    FILE *out;
};

static void capture_open(struct capture *c)
{
    c->text = NULL;
    c->out = open_memstream(&c->text, &c->len);
    ck_assert_ptr_nonnull(c->out);
}

static const char *capture_close(struct capture *c)
{
    fclose(c->out);
    return c->text;
}

/* Runs scenario `name` with `opts` (out is replaced by a capture); the output in *text. */
static struct run_result run(const char *name, struct run_opts opts, char **text)
{
    struct capture c;
    capture_open(&c);
    opts.out = c.out;
    struct run_result r;
    memset(&r, 0, sizeof r);
    const struct shipped_file *lua = shipped_scenario(name);
    if (lua != NULL) {
        char chunk[300];
        snprintf(chunk, sizeof chunk, "scenarios/%s", lua->path);
        lua_scenario_run(chunk, lua->text, lua->len, true, &opts, &r);
    } else {
        scenario_find(name)->run(&opts, &r);
    }
    capture_close(&c);
    if (text != NULL) {
        *text = c.text;
    } else {
        free(c.text);
    }
    return r;
}

static char *verdict_text(const struct run_request *q, const struct run_result *r,
                          enum verdict *v)
{
    struct capture c;
    capture_open(&c);
    *v = verdict_print(c.out, q, r);
    capture_close(&c);
    return c.text;
}

/* ---- violations by checker --------------------------------------------------------------- */

START_TEST(violations_are_counted_per_checker_with_each_first)
{
    struct run_result r;
    memset(&r, 0, sizeof r);
    run_result_violation(&r, "raft", "hw-majority: one at 1 s");
    run_result_violation(&r, "liveness", "liveness: no leader at 30 s");
    run_result_violation(&r, "raft", "hw-majority: two at 2 s");
    ck_assert_uint_eq(r.violations, 3);
    ck_assert_str_eq(r.first_violation, "hw-majority: one at 1 s");
    ck_assert_int_eq(r.checker_count, 2);
    ck_assert_str_eq(r.checkers[0].name, "raft");
    ck_assert_uint_eq(r.checkers[0].violations, 2);
    ck_assert_str_eq(r.checkers[0].first, "hw-majority: one at 1 s");
    const struct checker_count *l = run_result_checker(&r, "liveness");
    ck_assert_ptr_nonnull(l);
    ck_assert_uint_eq(l->violations, 1);
    ck_assert_str_eq(l->first, "liveness: no leader at 30 s");
    ck_assert_ptr_null(run_result_checker(&r, "fencing"));
    /* More checkers than the table: the last entry counts the rest, and the total holds. */
    for (int i = 0; i < RUN_CHECKERS_MAX + 2; i++) {
        char name[16];
        snprintf(name, sizeof name, "lua-%d", i);
        run_result_violation(&r, name, "x");
    }
    ck_assert_int_eq(r.checker_count, RUN_CHECKERS_MAX);
    ck_assert_str_eq(r.checkers[RUN_CHECKERS_MAX - 1].name, "other");
    uint32_t sum = 0;
    for (int i = 0; i < r.checker_count; i++) {
        sum += r.checkers[i].violations;
    }
    ck_assert_uint_eq(sum, r.violations);
}
END_TEST

START_TEST(a_failure_prints_each_checker_and_the_replay_with_only_the_flags_given)
{
    struct run_result r;
    memset(&r, 0, sizeof r);
    r.virtual_end = 40 * NS_PER_S;
    r.faults = 4;
    run_result_violation(&r, "raft", "hw-majority: leader 1 at 1.2 s");
    run_result_violation(&r, "raft", "hw-majority: leader 2 at 3.4 s");
    run_result_violation(&r, "liveness", "liveness: no leader at 23 s");
    struct run_request q = {.scenario = "quorum", .seed = 7};
    enum verdict v;
    char *text = verdict_text(&q, &r, &v);
    ck_assert_int_eq(v, VERDICT_FAIL);
    ck_assert_ptr_nonnull(strstr(text, "\nverdict: FAIL (3 violations; first: hw-majority: "
                                       "leader 1 at 1.2 s)\n"
                                       "  raft: 2 violations; first: hw-majority: leader 1 at "
                                       "1.2 s\n"
                                       "  liveness: 1 violation; first: liveness: no leader at "
                                       "23 s\n"
                                       "replay: kraftsim run --scenario quorum --seed 7\n"));
    free(text);
    q.kafka_version = "3.4";
    q.duration = 90 * NS_PER_S;
    text = verdict_text(&q, &r, &v);
    ck_assert_ptr_nonnull(strstr(text, "\nreplay: kraftsim run --scenario quorum --seed 7 "
                                       "--kafka-version 3.4 --duration 90s\n"));
    free(text);
    char line[256];
    struct run_request lua = {.file = "scenarios/quorum.lua", .seed = 3,
                              .duration = 1500 * NS_PER_MS};
    verdict_replay_command(&lua, line, sizeof line);
    ck_assert_str_eq(line, "kraftsim run scenarios/quorum.lua --seed 3 --duration 1500ms");
}
END_TEST

START_TEST(a_pass_says_whether_any_fault_was_injected)
{
    struct run_result r;
    memset(&r, 0, sizeof r);
    struct run_request q = {.scenario = "calm", .seed = 1};
    enum verdict v;
    char *text = verdict_text(&q, &r, &v);
    ck_assert_int_eq(v, VERDICT_PASS);
    ck_assert_ptr_nonnull(strstr(text, "\nverdict: PASS (0 violations, no faults injected)\n"));
    ck_assert_ptr_null(strstr(text, "replay:"));
    free(text);
    r.faults = 1;
    text = verdict_text(&q, &r, &v);
    ck_assert_ptr_nonnull(strstr(text, "\nverdict: PASS (0 violations, 1 fault injected)\n"));
    free(text);
    q.expect = true;
    q.expected_hash = 1;
    text = verdict_text(&q, &r, &v);
    ck_assert_int_eq(v, VERDICT_FAIL);
    ck_assert_ptr_nonnull(strstr(text, "differs from expected 0x0000000000000001)\n"
                                       "replay: kraftsim run --scenario calm --seed 1\n"));
    free(text);
}
END_TEST

/* The planted bug (a test hook no flag reaches) through a real run: the raft checker's count
 * and first violation, and a replay line that says it needs the hook. */
START_TEST(a_planted_bug_run_prints_its_checkers_and_replay)
{
    char *out = NULL;
    struct run_result r = run("quorum", (struct run_opts){.seed = 1, .planted_bug =
                                                              "hw-on-minority"}, &out);
    free(out);
    ck_assert_uint_gt(r.violations, 0);
    const struct checker_count *raft = run_result_checker(&r, "raft");
    ck_assert_ptr_nonnull(raft);
    ck_assert_ptr_nonnull(strstr(raft->first, "hw-majority"));
    struct run_request q = {.scenario = "quorum", .seed = 1, .planted_bug = "hw-on-minority"};
    enum verdict v;
    char *text = verdict_text(&q, &r, &v);
    ck_assert_int_eq(v, VERDICT_FAIL);
    uint32_t sum = 0;
    for (int i = 0; i < r.checker_count; i++) {
        char line[512];
        snprintf(line, sizeof line, "\n  %s: %u violation%s; first: %s\n", r.checkers[i].name,
                 r.checkers[i].violations, r.checkers[i].violations == 1 ? "" : "s",
                 r.checkers[i].first);
        ck_assert_msg(strstr(text, line) != NULL, "no line '%s' in:\n%s", line, text);
        sum += r.checkers[i].violations;
    }
    ck_assert_uint_eq(sum, r.violations);
    ck_assert_ptr_nonnull(strstr(text, "\nreplay: kraftsim run --scenario quorum --seed 1 (with "
                                       "the planted bug hw-on-minority, which only the tests "
                                       "can switch on)\n"));
    free(text);
}
END_TEST

/* ---- faults named, minimum durations -------------------------------------------------------- */

static const char *const fault_scenarios[] = {"cluster", "broker-failover", "offline-partition",
                                              "unclean-election", "quorum", "quorum5",
                                              "failover", "ping"};

/* A host index where a person reads: " h3" or "|h3" in a fault row. */
static bool names_a_host_index(const char *text)
{
    for (const char *p = text; (p = strstr(p, "h")) != NULL; p++) {
        if (p > text && (p[-1] == ' ' || p[-1] == '|') && isdigit((unsigned char)p[1])) {
            return true;
        }
    }
    return false;
}

/* Every fault row of the summary, from the tally line to the next line not indented. */
static char *fault_rows(const char *text)
{
    /* The tally line starts a line with the count ("4 faults injected: ..."); a report line
     * may quote the same tally mid-line. */
    const char *from = text;
    for (;;) {
        from = strstr(from, " faults injected: ");
        ck_assert_ptr_nonnull(from);
        const char *bol = from;
        while (bol > text && bol[-1] != '\n') {
            bol--;
        }
        if (isdigit((unsigned char)*bol) && (size_t)(from - bol) == strspn(bol, "0123456789")) {
            from = bol;
            break;
        }
        from++;
    }
    const char *end = from;
    while ((end = strchr(end, '\n')) != NULL && end[1] == ' ') {
        end++;
    }
    return strndup(from, end != NULL ? (size_t)(end - from) : strlen(from));
}

START_TEST(every_fault_scenario_names_each_fault_by_node_name)
{
    for (size_t i = 0; i < sizeof fault_scenarios / sizeof fault_scenarios[0]; i++) {
        char *out = NULL;
        struct run_result r = run(fault_scenarios[i], (struct run_opts){.seed = 2}, &out);
        ck_assert_msg(r.violations == 0, "%s: %s", fault_scenarios[i], r.first_violation);
        ck_assert_msg(r.faults > 0, "%s injected no fault", fault_scenarios[i]);
        char *rows = fault_rows(out);
        char tally[64];
        snprintf(tally, sizeof tally, "%llu fault%s injected: ", (unsigned long long)r.faults,
                 r.faults == 1 ? "" : "s");
        ck_assert_msg(strncmp(rows, tally, strlen(tally)) == 0, "%s: %s", fault_scenarios[i],
                      rows);
        int lines = 0;
        for (const char *p = rows; (p = strchr(p, '\n')) != NULL; p++) {
            size_t n = strcspn(p + 1, "\n");
            char *line = strndup(p + 1, n);
            lines++;
            ck_assert_msg(strstr(line, " s to ") != NULL || strstr(line, " s until the end"),
                          "%s: %s", fault_scenarios[i], line);
            free(line);
        }
        ck_assert_int_eq(lines, (int)r.faults);
        ck_assert_msg(!names_a_host_index(rows), "%s: %s", fault_scenarios[i], rows);
        /* The names are the config's: kafka-1, broker-4, controller-2, ping-3. */
        ck_assert_msg(strstr(rows, "kafka-") != NULL || strstr(rows, "broker-") != NULL ||
                          strstr(rows, "controller-") != NULL || strstr(rows, "ping-") != NULL,
                      "%s: %s", fault_scenarios[i], rows);
        free(rows);
        free(out);
    }
    char *out = NULL;
    struct run_result calm = run("calm", (struct run_opts){.seed = 2}, &out);
    ck_assert_uint_eq(calm.faults, 0);
    ck_assert_ptr_nonnull(strstr(out, "\nno faults injected\n"));
    free(out);
}
END_TEST

START_TEST(a_duration_shorter_than_the_scenario_needs_is_refused_not_stretched)
{
    /* The refusal names the scenario's own line, and nothing runs. */
    struct run_result r = run("cluster", (struct run_opts){.seed = 1, .duration = 5 * NS_PER_S},
                              NULL);
    ck_assert_msg(strstr(r.config_error, "--duration 5s: this scenario needs at least 34s") !=
                      NULL, "%s", r.config_error);
    ck_assert_msg(strncmp(r.config_error, "scenarios/cluster.lua:", 22) == 0, "%s",
                  r.config_error);
    ck_assert_int_eq(r.trace_events, 0);
}
END_TEST

/* The minimum a scenario declares: a C scenario's field, a Lua one's kraft.duration min. */
static time_ns min_duration_of(const char *name)
{
    static const struct {
        const char *name;
        time_ns min;
    } lua[] = {{"cluster", 34 * NS_PER_S},           {"broker-failover", 45 * NS_PER_S},
               {"offline-partition", 75 * NS_PER_S}, {"unclean-election", 75 * NS_PER_S},
               {"quorum", 28 * NS_PER_S},            {"quorum5", 28 * NS_PER_S},
               {"failover", 28 * NS_PER_S},          {"ping", 6 * NS_PER_S}};
    for (size_t i = 0; i < sizeof lua / sizeof lua[0]; i++) {
        if (strcmp(lua[i].name, name) == 0 && shipped_scenario(name) != NULL) {
            return lua[i].min;
        }
    }
    const struct scenario *s = scenario_find(name);
    ck_assert_msg(s != NULL, "no scenario %s", name);
    return s->min_duration;
}

/* At its minimum duration a scenario still injects faults, and passes; a millisecond less is
 * refused. */
START_TEST(the_minimum_duration_still_injects_faults_and_passes)
{
    for (size_t i = 0; i < sizeof fault_scenarios / sizeof fault_scenarios[0]; i++) {
        const char *name = fault_scenarios[i];
        time_ns min = min_duration_of(name);
        for (uint64_t seed = 1; seed <= 3; seed++) {
            struct run_result r = run(name, (struct run_opts){.seed = seed, .duration = min},
                                      NULL);
            ck_assert_msg(r.config_error[0] == '\0', "%s", r.config_error);
            ck_assert_msg(r.violations == 0, "%s seed %llu: %s", name, (unsigned long long)seed,
                          r.first_violation);
            ck_assert_msg(r.faults > 0, "%s seed %llu: no fault", name,
                          (unsigned long long)seed);
            ck_assert_int_ge(r.virtual_end, min);
        }
        struct run_result r = run(name, (struct run_opts){.seed = 1, .duration = min - NS_PER_MS},
                                  NULL);
        ck_assert_msg(r.config_error[0] != '\0', "%s ran below its minimum", name);
    }
}
END_TEST

/* offline-partition's story at its minimum tells what it tells at its default length: the
 * ledger-0 lines, step by step. */
static char *ledger_lines(const char *out)
{
    char *keep = calloc(1, strlen(out) + 1);
    ck_assert_ptr_nonnull(keep);
    for (const char *p = out; *p != '\0';) {
        size_t n = strcspn(p, "\n");
        if (strstr(p, "Leader:") != NULL && strstr(p, "Leader:") < p + n) {
            strncat(keep, p, n + (p[n] == '\n'));
        }
        p += n + (p[n] == '\n');
    }
    return keep;
}

START_TEST(the_offline_story_at_its_minimum_is_the_same_story)
{
    const char *versions[] = {NULL, "3.4"};
    for (int v = 0; v < 2; v++) {
        char *a = NULL, *b = NULL;
        run("offline-partition", (struct run_opts){.seed = 1, .kafka_version = versions[v]}, &a);
        struct run_result rb =
            run("offline-partition", (struct run_opts){.seed = 1, .kafka_version = versions[v],
                                                       .duration = min_duration_of(
                                                           "offline-partition")},
                &b);
        ck_assert_msg(rb.violations == 0, "%s", rb.first_violation);
        char *la = ledger_lines(a), *lb = ledger_lines(b);
        ck_assert_msg(la[0] != '\0', "no ledger lines: %s", a);
        ck_assert_str_eq(la, lb);
        free(la);
        free(lb);
        free(a);
        free(b);
    }
}
END_TEST

/* --trace's filter changes what is printed, never the hash. */
START_TEST(the_trace_filter_prints_less_and_hashes_the_same)
{
    struct trace_filter f;
    char err[256];
    ck_assert(trace_filter_parse(&f, "fault,controller", err, sizeof err));
    char *all = NULL, *some = NULL;
    struct run_result bare = run("cluster", (struct run_opts){.seed = 3}, NULL);
    struct run_result a = run("cluster", (struct run_opts){.seed = 3, .trace_console = true},
                              &all);
    struct run_result b = run("cluster", (struct run_opts){.seed = 3, .trace_console = true,
                                                           .trace_filter = &f}, &some);
    ck_assert_uint_eq(a.trace_hash, bare.trace_hash);
    ck_assert_uint_eq(b.trace_hash, bare.trace_hash);
    ck_assert_ptr_nonnull(strstr(all, " net-send "));
    ck_assert_ptr_null(strstr(some, " net-send "));
    ck_assert_ptr_null(strstr(some, " raft-append "));
    ck_assert_ptr_nonnull(strstr(some, " controller "));
    ck_assert_ptr_nonnull(strstr(some, " net-cut "));
    ck_assert_ptr_nonnull(strstr(some, " note             fault ")); /* the fault log's notes */
    /* Both start with the legend that maps frame details' h<index> to names. */
    const char *legend = "# hosts: h0=kafka-1 h1=kafka-2 h2=kafka-3 h3=broker-4 h4=broker-5 "
                         "h5=admin h6=client-1 h7=client-2\n";
    ck_assert_int_eq(strncmp(all, legend, strlen(legend)), 0);
    ck_assert_int_eq(strncmp(some, legend, strlen(legend)), 0);
    ck_assert_ptr_nonnull(strstr(all, "  kafka-1       host-start       name=kafka-1"));
    free(all);
    free(some);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("verdict");
    TCase *t = tcase_create("core");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, violations_are_counted_per_checker_with_each_first);
    tcase_add_test(t, a_failure_prints_each_checker_and_the_replay_with_only_the_flags_given);
    tcase_add_test(t, a_pass_says_whether_any_fault_was_injected);
    tcase_add_test(t, a_planted_bug_run_prints_its_checkers_and_replay);
    tcase_add_test(t, every_fault_scenario_names_each_fault_by_node_name);
    tcase_add_test(t, a_duration_shorter_than_the_scenario_needs_is_refused_not_stretched);
    tcase_add_test(t, the_minimum_duration_still_injects_faults_and_passes);
    tcase_add_test(t, the_offline_story_at_its_minimum_is_the_same_story);
    tcase_add_test(t, the_trace_filter_prints_less_and_hashes_the_same);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
