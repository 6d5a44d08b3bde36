/* test_db.c — the run database: what a run writes, what a killed run leaves, what is refused. */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "lua/runtime.h"
#include "trace/db.h"
#include "world/world.h"

static char dir[] = "/tmp/kraftsim-test-db-XXXXXX";

static void path_of(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
}

static int64_t query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static const struct run_db_info info = {.seed = 3, .scenario = "test", .scenario_text = "x",
                                        .scenario_len = 1, .kraftsim_version = "test",
                                        .release = "trunk", .argv = "kraftsim run test"};

/* A small world whose trace goes to the database: two hosts, a frame each way, a cut. */
static uint64_t small_run(struct run_db *d, int frames)
{
    const char *names[] = {"kafka-1", "kafka-2"};
    struct world *w = world_create(7, 2, names, NULL, NULL);
    trace_add_sink(&w->trace, run_db_sink(d));
    run_db_host_name(d, 0, "kafka-1");
    run_db_host_name(d, 1, "kafka-2");
    for (int i = 0; i < frames; i++) {
        uint8_t b[8] = {0};
        net_send(&w->net, i % 2, 1 - i % 2, 0, b, sizeof b);
    }
    world_run_until(w, NS_PER_S);
    int a[] = {0}, b[] = {1};
    net_partition(&w->net, a, 1, b, 1);
    uint8_t x[4] = {0};
    net_send(&w->net, 0, 1, 0, x, sizeof x);
    world_run_until(w, 2 * NS_PER_S);
    trace_emit(&w->trace, world_now(w), 0, TRACE_RAFT_STATE, "role=Leader epoch=2 leader=1");
    uint64_t hash = trace_hash(&w->trace);
    world_destroy(w);
    return hash;
}

START_TEST(a_finished_run_is_complete_and_queryable)
{
    char path[256], err[256];
    path_of(path, sizeof path, "done.db");
    struct run_db *d = run_db_create(path, &info, err, sizeof err);
    ck_assert_msg(d != NULL, "%s", err);
    uint64_t hash = small_run(d, 10);
    run_db_fault(d, "partition", "kafka-1 | kafka-2", NS_PER_S, -1);
    run_db_violation(d, "raft", NS_PER_S, "election-safety: two leaders in epoch 2");
    /* A client history: a send invoked, acknowledged at an offset, and a poll that read it. */
    run_db_op(d, &(struct run_db_op){.time = 10, .process = "producer-1", .type = "invoke",
                                     .f = "send", .topic = "orders", .partition = 2,
                                     .offset = -1, .has_value = true, .value = 41});
    run_db_op(d, &(struct run_db_op){.time = 20, .process = "producer-1", .type = "ok",
                                     .f = "send", .topic = "orders", .partition = 2,
                                     .offset = 7, .has_value = true, .value = 41});
    run_db_op(d, &(struct run_db_op){.time = 30, .process = "consumer-1", .type = "ok",
                                     .f = "poll", .topic = "orders", .partition = 2,
                                     .offset = 7, .has_value = true, .value = 41,
                                     .detail = "records=1"});
    run_db_op(d, &(struct run_db_op){.time = 40, .process = "consumer-1", .type = "info",
                                     .f = "commit", .offset = -1});
    ck_assert(run_db_finish(d, hash, "FAIL", 1, 2 * NS_PER_S, 5, false, err, sizeof err));
    run_db_close(d);
    sqlite3 *db = run_db_open_read(path, err, sizeof err);
    ck_assert_msg(db != NULL, "%s", err);
    ck_assert_int_eq(query_int(db, "SELECT complete FROM run"), 1);
    ck_assert_int_eq(query_int(db, "SELECT seed FROM run"), 3);
    /* The hosts run no process: each frame that arrives is answered by a reset (no bytes). */
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM message WHERE bytes > 0"), 11);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM message WHERE bytes = 0"), 10);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM message WHERE bytes > 0 AND "
                                   "fate = 'delivered' AND delivered_ns > sent_ns"), 10);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM message WHERE fate = 'cut'"), 1);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM message WHERE bytes > 0 AND "
                                   "from_node = 'kafka-1'"), 6);
    /* A frame's send and delivery are its message row; the trace view gives them back in
     * order, every event once. */
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM event WHERE kind = 'net-send'"), 0);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM trace WHERE kind = 'net-send'"), 21);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM trace WHERE kind = 'net-deliver'"), 20);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM trace"),
                     query_int(db, "SELECT recorded_seq FROM run"));
    ck_assert_int_eq(query_int(db, "SELECT count(DISTINCT seq) FROM trace"),
                     query_int(db, "SELECT max(seq) FROM trace"));
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM trace WHERE kind = 'net-send' AND"
                                   " detail = 'id=1 from=kafka-1 to=kafka-2 bytes=8' AND"
                                   " node = 'kafka-1' AND seq = 1"), 1);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM role WHERE node = 'kafka-1' AND "
                                   "role = 'Leader' AND epoch = 2 AND to_ns IS NOT NULL"), 1);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM fault WHERE end_ns IS NULL"), 1);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM violation"), 1);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM op"), 4);
    ck_assert_int_eq(query_int(db, "SELECT offset FROM op WHERE process = 'consumer-1' AND"
                                   " f = 'poll' AND value = 41 AND topic = 'orders' AND"
                                   " partition = 2 AND detail = 'records=1'"), 7);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM op WHERE type = 'invoke' AND"
                                   " offset IS NULL"), 1);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM op WHERE f = 'commit' AND"
                                   " topic IS NULL AND partition IS NULL AND value IS NULL"), 1);
    sqlite3_close(db);
}
END_TEST

/* The kernel's writeback is a disk operation of its own: no file, the counts in the detail. */
START_TEST(a_writeback_is_a_disk_op_without_a_file)
{
    char path[256], err[256];
    path_of(path, sizeof path, "writeback.db");
    struct run_db *d = run_db_create(path, &info, err, sizeof err);
    ck_assert_msg(d != NULL, "%s", err);
    const char *names[] = {"kafka-1"};
    struct world *w = world_create(7, 1, names, NULL, NULL);
    trace_add_sink(&w->trace, run_db_sink(d));
    run_db_host_name(d, 0, "kafka-1");
    ck_assert_int_eq(disk_write(&world_host(w, 0)->disk, "log", 0, "abc", 3), ENV_OK);
    world_run_until(w, 40 * NS_PER_S);
    uint64_t hash = trace_hash(&w->trace);
    world_destroy(w);
    ck_assert(run_db_finish(d, hash, "PASS", 0, 40 * NS_PER_S, 1, false, err, sizeof err));
    run_db_close(d);
    sqlite3 *db = run_db_open_read(path, err, sizeof err);
    ck_assert_msg(db != NULL, "%s", err);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM disk_op WHERE op = 'writeback' AND "
                                   "node = 'kafka-1' AND file IS NULL AND time_ns = 30000000000 "
                                   "AND detail = 'files=1 writes=1 bytes=3 reason=periodic'"),
                     1);
    sqlite3_close(db);
}
END_TEST

START_TEST(a_run_cut_short_says_incomplete)
{
    char path[256], err[256];
    path_of(path, sizeof path, "cut.db");
    struct run_db *d = run_db_create(path, &info, err, sizeof err);
    ck_assert_msg(d != NULL, "%s", err);
    small_run(d, RUN_DB_BATCH + 100); /* past one batch commit */
    run_db_close(d);                  /* as if killed: no finish */
    sqlite3 *db = run_db_open_read(path, err, sizeof err);
    ck_assert_msg(db != NULL, "%s", err);
    ck_assert_int_eq(query_int(db, "SELECT complete FROM run"), 0);
    /* Whole up to recorded_seq: frames still on the wire at a commit have no row yet, so the
     * run row says how far the record has every event. */
    int64_t whole = query_int(db, "SELECT recorded_seq FROM run");
    ck_assert_int_ge(whole, RUN_DB_BATCH);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM trace WHERE seq <= %lld", (long long)whole);
    ck_assert_int_eq(query_int(db, sql), whole);
    sqlite3_close(db);
}
END_TEST

START_TEST(the_hash_is_the_same_with_or_without_the_database)
{
    char path[256], err[256];
    path_of(path, sizeof path, "hash.db");
    struct run_db *d = run_db_create(path, &info, err, sizeof err);
    ck_assert_msg(d != NULL, "%s", err);
    uint64_t with = small_run(d, 10);
    run_db_close(d);
    const char *names[] = {"kafka-1", "kafka-2"};
    struct world *w = world_create(7, 2, names, NULL, NULL);
    for (int i = 0; i < 10; i++) {
        uint8_t b[8] = {0};
        net_send(&w->net, i % 2, 1 - i % 2, 0, b, sizeof b);
    }
    world_run_until(w, NS_PER_S);
    int a[] = {0}, b[] = {1};
    net_partition(&w->net, a, 1, b, 1);
    uint8_t x[4] = {0};
    net_send(&w->net, 0, 1, 0, x, sizeof x);
    world_run_until(w, 2 * NS_PER_S);
    trace_emit(&w->trace, world_now(w), 0, TRACE_RAFT_STATE, "role=Leader epoch=2 leader=1");
    ck_assert_uint_eq(trace_hash(&w->trace), with);
    world_destroy(w);
}
END_TEST

static void write_file(const char *path, const char *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fwrite(bytes, 1, len, f);
    fclose(f);
}

START_TEST(damaged_foreign_and_newer_files_are_refused_in_one_line)
{
    char path[256], err[256];
    path_of(path, sizeof path, "missing.db");
    ck_assert_ptr_null(run_db_open_read(path, err, sizeof err));
    ck_assert_msg(strstr(err, "no such file") != NULL, "%s", err);

    path_of(path, sizeof path, "garbage.db");
    write_file(path, "this is not sqlite at all, just some text\n", 43);
    ck_assert_ptr_null(run_db_open_read(path, err, sizeof err));
    ck_assert_msg(strstr(err, "not an SQLite database") != NULL, "%s", err);

    path_of(path, sizeof path, "foreign.db");
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    ck_assert_ptr_null(run_db_open_read(path, err, sizeof err));
    ck_assert_msg(strstr(err, "not a kraftsim run") != NULL, "%s", err);

    path_of(path, sizeof path, "newer.db");
    struct run_db *d = run_db_create(path, &info, err, sizeof err);
    ck_assert_ptr_nonnull(d);
    run_db_close(d);
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    ck_assert_ptr_null(run_db_open_read(path, err, sizeof err));
    ck_assert_msg(strstr(err, "newer kraftsim (schema 99") != NULL, "%s", err);

    path_of(path, sizeof path, "truncated.db");
    d = run_db_create(path, &info, err, sizeof err);
    small_run(d, 2000);
    ck_assert(run_db_finish(d, 1, "PASS", 0, NS_PER_S, 1, false, err, sizeof err));
    run_db_close(d);
    ck_assert_int_eq(truncate(path, 3000), 0); /* a copy cut short */
    db = run_db_open_read(path, err, sizeof err);
    if (db != NULL) {
        /* The header survived; reading the tables is what finds the damage. */
        sqlite3_stmt *s;
        int rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM event", -1, &s, NULL);
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(s);
            sqlite3_finalize(s);
        }
        ck_assert_int_ne(rc, SQLITE_ROW);
        sqlite3_close(db);
    }
}
END_TEST

/* README's queries, as a user pastes them into sqlite3: each must run on a real run's file. */
START_TEST(the_readme_queries_run_on_a_real_run)
{
    static const char text[] =
        "local c = kraft.cluster{ controllers = 3, brokers = 2 }\n"
        "c:start()\n"
        "local l = c:wait_leader()\n"
        "c:isolate(l)\n"
        "sleep(5 * s)\n"
        "c:heal()\n"
        "check.liveness{ within = 20 * s }\n";
    char path[256], err[256];
    path_of(path, sizeof path, "readme.db");
    struct run_db *d = run_db_create(path, &info, err, sizeof err);
    ck_assert_msg(d != NULL, "%s", err);
    FILE *out = fopen("/dev/null", "w");
    struct run_opts opts = {.seed = 2, .out = out, .db = d};
    struct run_result r;
    memset(&r, 0, sizeof r);
    lua_scenario_run("readme.lua", text, sizeof text - 1, false, &opts, &r);
    fclose(out);
    ck_assert_msg(r.config_error[0] == '\0', "%s", r.config_error);
    ck_assert(run_db_finish(d, r.trace_hash, "PASS", 0, r.virtual_end, 1, false, err, sizeof err));
    run_db_close(d);
    FILE *readme = fopen(KRAFTSIM_SOURCE_DIR "/README.md", "r");
    ck_assert_ptr_nonnull(readme);
    static char buf[1 << 17];
    size_t n = fread(buf, 1, sizeof buf - 1, readme);
    fclose(readme);
    buf[n] = '\0';
    const char *sql = strstr(buf, "```sql\n");
    ck_assert_ptr_nonnull(sql);
    sql += 7;
    const char *end = strstr(sql, "```");
    ck_assert_ptr_nonnull(end);
    sqlite3 *db = run_db_open_read(path, err, sizeof err);
    ck_assert_msg(db != NULL, "%s", err);
    int queries = 0, rows_total = 0;
    const char *tail = sql;
    while (tail < end) {
        sqlite3_stmt *s = NULL;
        int rc = sqlite3_prepare_v2(db, tail, (int)(end - tail), &s, &tail);
        ck_assert_msg(rc == SQLITE_OK, "README query: %s", sqlite3_errmsg(db));
        if (s == NULL) {
            break; /* only comments and blanks left */
        }
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            rows_total++;
        }
        ck_assert_int_eq(rc, SQLITE_DONE);
        sqlite3_finalize(s);
        queries++;
    }
    ck_assert_int_eq(queries, 5);
    ck_assert_int_gt(rows_total, 3); /* an election after the cut, drops, a fault */
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM fault WHERE kind = 'isolate'"), 1);
    /* every fsync the run asked for, and each completing */
    ck_assert_int_gt(query_int(db, "SELECT count(*) FROM disk_op WHERE op = 'fsync'"), 10);
    ck_assert_int_gt(query_int(db, "SELECT count(*) FROM disk_op WHERE op = 'durable' AND "
                                   "file LIKE '%__cluster_metadata-0%'"), 10);
    ck_assert_int_ge(query_int(db, "SELECT count(DISTINCT epoch) FROM role "
                                   "WHERE role = 'Leader'"), 2);
    sqlite3_close(db);
}
END_TEST

int main(void)
{
    if (mkdtemp(dir) == NULL) {
        return EXIT_FAILURE;
    }
    Suite *s = suite_create("db");
    TCase *tc = tcase_create("run database");
    tcase_add_test(tc, a_finished_run_is_complete_and_queryable);
    tcase_add_test(tc, a_run_cut_short_says_incomplete);
    tcase_add_test(tc, a_writeback_is_a_disk_op_without_a_file);
    tcase_add_test(tc, the_hash_is_the_same_with_or_without_the_database);
    tcase_add_test(tc, damaged_foreign_and_newer_files_are_refused_in_one_line);
    tcase_add_test(tc, the_readme_queries_run_on_a_real_run);
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
