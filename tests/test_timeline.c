/* test_timeline.c — the timeline's structure: lanes, spans with epochs, marks, time order. */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua/runtime.h"
#include "sequence.h"
#include "timeline.h"
#include "trace/db.h"

static char dir[] = "/tmp/kraftsim-test-timeline-XXXXXX";

/* A run to draw: the quorum leader isolated, a broker crashed and restarted. */
static sqlite3 *recorded_run(const char *name, const char *planted)
{
    static const char text[] =
        "local c = kraft.cluster{ controllers = 3, brokers = 1 }\n"
        "c:start()\n"
        "local l = c:wait_leader()\n"
        "c:isolate(l)\n"
        "sleep(4 * s)\n"
        "c:heal()\n"
        "c:crash(4)\n"
        "sleep(2 * s)\n"
        "c:restart(4)\n"
        "sleep(3 * s)\n";
    char path[256], err[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct run_db_info info = {.seed = 1, .scenario = "t", .scenario_text = text,
                               .scenario_len = sizeof text - 1};
    struct run_db *d = run_db_create(path, &info, err, sizeof err);
    ck_assert_msg(d != NULL, "%s", err);
    FILE *out = fopen("/dev/null", "w");
    struct run_opts opts = {.seed = 1, .out = out, .db = d, .planted_bug = planted};
    struct run_result r;
    memset(&r, 0, sizeof r);
    lua_scenario_run("t.lua", text, sizeof text - 1, false, &opts, &r);
    fclose(out);
    ck_assert_msg(r.config_error[0] == '\0', "%s", r.config_error);
    ck_assert(run_db_finish(d, r.trace_hash, r.violations ? "FAIL" : "PASS", r.violations,
                            r.virtual_end, 1, false, err, sizeof err));
    run_db_close(d);
    sqlite3 *db = run_db_open_read(path, err, sizeof err);
    ck_assert_msg(db != NULL, "%s", err);
    return db;
}

static double x_of(Agnode_t *n)
{
    const char *pos = agget(n, "pos");
    ck_assert_ptr_nonnull(pos);
    return strtod(pos, NULL);
}

static double y_of(Agnode_t *n)
{
    const char *comma = strchr(agget(n, "pos"), ',');
    ck_assert_ptr_nonnull(comma);
    return strtod(comma + 1, NULL);
}

static int count_prefix(Agraph_t *g, const char *prefix)
{
    int n = 0;
    for (Agnode_t *v = agfstnode(g); v != NULL; v = agnxtnode(g, v)) {
        n += strncmp(agnameof(v), prefix, strlen(prefix)) == 0;
    }
    return n;
}

START_TEST(lanes_spans_and_epochs_follow_the_run)
{
    sqlite3 *db = recorded_run("a.db", NULL);
    char err[256];
    Agraph_t *g = timeline_build(db, (struct timeline_window){0, TIME_NS_MAX}, err, sizeof err);
    ck_assert_msg(g != NULL, "%s", err);
    /* One lane per node, named as the config names them, and the network lane. */
    const char *lanes[] = {"lane|controller-1", "lane|controller-2", "lane|controller-3",
                           "lane|broker-4", "lane|network", "lane|violations"};
    for (size_t i = 0; i < sizeof lanes / sizeof lanes[0]; i++) {
        ck_assert_msg(agnode(g, (char *)lanes[i], 0) != NULL, "no %s", lanes[i]);
    }
    ck_assert_ptr_null(agnode(g, "lane|admin", 0));
    /* The isolation made a second epoch: two leader spans, epochs 1 and later. */
    ck_assert_int_ge(count_prefix(g, "role|"), 8);
    int leaders = 0;
    for (Agnode_t *v = agfstnode(g); v != NULL; v = agnxtnode(g, v)) {
        const char *name = agnameof(v);
        if (strncmp(name, "role|", 5) == 0 && strstr(name, "|Leader|") != NULL) {
            leaders++;
            ck_assert_int_ge(atoi(strchr(name + 5, '|') + 1), 1); /* its epoch */
        }
    }
    ck_assert_int_ge(leaders, 2);
    /* Each node's role spans sit on its lane, left to right in time, without overlapping. */
    for (int lane = 1; lane <= 3; lane++) {
        char prefix[64], lane_name[64];
        snprintf(prefix, sizeof prefix, "role|controller-%d|", lane);
        snprintf(lane_name, sizeof lane_name, "lane|controller-%d", lane);
        double y = y_of(agnode(g, lane_name, 0));
        double last_right = -1;
        long long last_from = -1;
        for (Agnode_t *v = agfstnode(g); v != NULL; v = agnxtnode(g, v)) {
            if (strncmp(agnameof(v), prefix, strlen(prefix)) != 0) {
                continue;
            }
            long long from = atoll(strrchr(agnameof(v), '|') + 1);
            ck_assert_int_ge(from, last_from); /* the graph keeps the record's order */
            last_from = from;
            ck_assert(y_of(v) == y);
            double half = strtod(agget(v, "width"), NULL) * 72 / 2;
            /* a span shorter than a point is drawn 0.8 points wide */
            ck_assert_msg(x_of(v) - half >= last_right - 0.9, "%s overlaps", agnameof(v));
            last_right = x_of(v) + half;
        }
        ck_assert(last_right > 0);
    }
    /* The faults: the isolation on the leader's lane, the crash on broker-4's. */
    ck_assert_int_eq(count_prefix(g, "fault|isolate|"), 1);
    ck_assert_int_eq(count_prefix(g, "fault|crash|broker-4|"), 1);
    /* The time axis: ticks left to right. */
    ck_assert_ptr_nonnull(agnode(g, "axis|0s", 0));
    ck_assert(x_of(agnode(g, "axis|0s", 0)) < x_of(agnode(g, "axis|5s", 0)));
    ck_assert_int_eq(count_prefix(g, "violation|"), 0);
    char svg[300];
    snprintf(svg, sizeof svg, "%s/a.svg", dir);
    ck_assert_msg(timeline_render(g, svg, err, sizeof err), "%s", err);
    timeline_free(g);
    sqlite3_close(db);
    FILE *f = fopen(svg, "r");
    ck_assert_ptr_nonnull(f);
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    ck_assert_ptr_nonnull(strstr(text, "<svg"));
    /* the lane label; Graphviz writes its dash as &#45; */
    ck_assert(strstr(text, "controller-2") != NULL || strstr(text, "controller&#45;2") != NULL);
}
END_TEST

START_TEST(violations_are_red_marks_and_a_window_cuts_the_picture)
{
    sqlite3 *db = recorded_run("b.db", "hw-on-minority");
    char err[256];
    Agraph_t *g = timeline_build(db, (struct timeline_window){0, TIME_NS_MAX}, err, sizeof err);
    ck_assert_msg(g != NULL, "%s", err);
    ck_assert_int_gt(count_prefix(g, "violation|hw-majority|"), 0);
    timeline_free(g);
    g = timeline_build(db, (struct timeline_window){2 * NS_PER_S, 3 * NS_PER_S}, err,
                       sizeof err);
    ck_assert_msg(g != NULL, "%s", err);
    ck_assert_ptr_null(agnode(g, "axis|0s", 0));
    ck_assert_ptr_nonnull(agnode(g, "axis|2000ms", 0));
    timeline_free(g);
    ck_assert_ptr_null(timeline_build(db, (struct timeline_window){100 * NS_PER_S, TIME_NS_MAX},
                                      err, sizeof err));
    ck_assert_msg(strstr(err, "the window is empty") != NULL, "%s", err);
    sqlite3_close(db);
}
END_TEST

START_TEST(the_sequence_diagram_draws_each_message_between_its_nodes)
{
    sqlite3 *db = recorded_run("c.db", NULL);
    char err[256];
    /* The first election and the isolation: votes, BeginQuorumEpoch, fetches, cut frames. */
    Agraph_t *g = sequence_build(db, (struct timeline_window){1000 * NS_PER_MS, 3 * NS_PER_S},
                                 err, sizeof err);
    ck_assert_msg(g != NULL, "%s", err);
    int votes = 0, begins = 0, fetches = 0, cut = 0, edges = 0;
    for (Agnode_t *v = agfstnode(g); v != NULL; v = agnxtnode(g, v)) {
        for (Agedge_t *e = agfstout(g, v); e != NULL; e = agnxtout(g, e)) {
            const char *label = agget(e, "label");
            if (label == NULL || label[0] == '\0') {
                continue; /* a lifeline */
            }
            edges++;
            votes += strcmp(label, "Vote") == 0;
            begins += strcmp(label, "BeginQuorumEpoch") == 0;
            fetches += strncmp(label, "Fetch", 5) == 0;
            const char *style = agget(e, "style");
            if (strstr(agnameof(aghead(e)), "|cut") != NULL) {
                cut++;
                ck_assert(style != NULL && strcmp(style, "dashed") == 0);
            }
            /* time runs down: an arrow never ends above where it started */
            ck_assert(y_of(aghead(e)) <= y_of(agtail(e)) + 0.01);
        }
    }
    ck_assert_int_ge(votes, 2);
    ck_assert_int_ge(begins, 2);
    ck_assert_int_gt(fetches, 0);
    ck_assert_int_gt(cut, 0);
    ck_assert_ptr_nonnull(agnode(g, "node|controller-1", 0));
    timeline_free(g);
    /* A window past the run's end is refused in one line. */
    ck_assert_ptr_null(sequence_build(db, (struct timeline_window){100 * NS_PER_S, TIME_NS_MAX},
                                      err, sizeof err));
    ck_assert_msg(strstr(err, "the window is empty") != NULL, "%s", err);
    sqlite3_close(db);
}
END_TEST

int main(void)
{
    if (mkdtemp(dir) == NULL) {
        return EXIT_FAILURE;
    }
    Suite *s = suite_create("timeline");
    TCase *tc = tcase_create("render");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, lanes_spans_and_epochs_follow_the_run);
    tcase_add_test(tc, violations_are_red_marks_and_a_window_cuts_the_picture);
    tcase_add_test(tc, the_sequence_diagram_draws_each_message_between_its_nodes);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    (void)system(cmd);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
