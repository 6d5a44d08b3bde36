/* sweep_db.c — the sweep database (see sweep_db.h). */
#include "sweep/sweep_db.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

static const char schema[] =
    "PRAGMA user_version = 1;\n"
    "CREATE TABLE sweep (scenario TEXT NOT NULL, seeds TEXT NOT NULL, shard TEXT,"
    " kafka_version TEXT, argv TEXT, kraftsim_version TEXT, complete INTEGER NOT NULL,"
    " wall_s REAL);\n"
    "CREATE TABLE seed (seed INTEGER PRIMARY KEY, verdict TEXT NOT NULL, exit_code INTEGER,"
    " trace_hash TEXT, violations INTEGER, faults INTEGER, virtual_ns INTEGER, wall_s REAL,"
    " checkers TEXT, first TEXT, replay TEXT, run_db TEXT, draw TEXT);\n";

struct sweep_db {
    sqlite3 *db;
    sqlite3_stmt *add;
    char path[600];
    uint64_t pending; /* rows since the last commit */
};

static bool sql_fail(sqlite3 *db, const char *path, char *err, size_t cap)
{
    snprintf(err, cap, "%s: %s", path, db != NULL ? sqlite3_errmsg(db) : "cannot open");
    return false;
}

static bool exec(struct sweep_db *d, const char *sql, char *err, size_t cap)
{
    char *msg = NULL;
    if (sqlite3_exec(d->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, cap, "%s: %s", d->path, msg != NULL ? msg : "SQL error");
        sqlite3_free(msg);
        return false;
    }
    return true;
}

struct sweep_db *sweep_db_create(const char *path, const struct sweep_db_info *info, char *err,
                                 size_t cap)
{
    struct sweep_db *d = calloc(1, sizeof *d);
    KS_ASSERT(d != NULL);
    err[0] = '\0';
    snprintf(d->path, sizeof d->path, "%s", path);
    unlink(path);
    sqlite3_stmt *meta = NULL;
    bool ok = sqlite3_open(path, &d->db) == SQLITE_OK && exec(d, schema, err, cap) &&
              exec(d, "BEGIN", err, cap);
    ok = ok && sqlite3_prepare_v2(d->db, "INSERT INTO sweep VALUES (?,?,?,?,?,?,0,NULL)", -1,
                                  &meta, NULL) == SQLITE_OK;
    if (ok) {
        const char *v[] = {info->scenario, info->seeds, info->shard, info->kafka_version,
                           info->argv, info->kraftsim_version};
        for (int i = 0; i < 6; i++) {
            sqlite3_bind_text(meta, i + 1, v[i], -1, SQLITE_TRANSIENT);
        }
        ok = sqlite3_step(meta) == SQLITE_DONE;
    }
    sqlite3_finalize(meta);
    ok = ok && sqlite3_prepare_v2(d->db, "INSERT INTO seed VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                                  -1, &d->add, NULL) == SQLITE_OK;
    if (!ok) {
        if (err[0] == '\0') {
            sql_fail(d->db, path, err, cap); /* exec said nothing: the open or a statement */
        }
        sqlite3_close(d->db);
        free(d);
        return NULL;
    }
    return d;
}

bool sweep_db_add(struct sweep_db *d, const struct sweep_row *r, char *err, size_t cap)
{
    sqlite3_stmt *s = d->add;
    char hash[24];
    snprintf(hash, sizeof hash, "0x%016" PRIx64, r->trace_hash);
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, (sqlite3_int64)r->seed);
    sqlite3_bind_text(s, 2, sweep_verdict_name(r->verdict), -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, r->exit_code);
    sqlite3_bind_text(s, 4, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 5, r->violations);
    sqlite3_bind_int64(s, 6, (sqlite3_int64)r->faults);
    sqlite3_bind_int64(s, 7, r->virtual_ns);
    sqlite3_bind_double(s, 8, r->wall_s);
    const char *t[] = {r->checkers, r->first, r->replay, r->run_db, r->draw};
    for (int i = 0; i < 5; i++) {
        if (t[i][0] != '\0') {
            sqlite3_bind_text(s, 9 + i, t[i], -1, SQLITE_TRANSIENT);
        } else {
            sqlite3_bind_null(s, 9 + i);
        }
    }
    if (sqlite3_step(s) != SQLITE_DONE) {
        return sql_fail(d->db, d->path, err, cap);
    }
    /* Committed every 256 seeds: a sweep killed outright keeps what it had (incomplete). */
    if (++d->pending >= 256) {
        d->pending = 0;
        return exec(d, "COMMIT; BEGIN", err, cap);
    }
    return true;
}

bool sweep_db_finish(struct sweep_db *d, bool complete, double wall_s, char *err, size_t cap)
{
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE sweep SET complete = %d, wall_s = %.3f; COMMIT",
             complete ? 1 : 0, wall_s);
    bool ok = exec(d, sql, err, cap);
    sqlite3_finalize(d->add);
    ok = sqlite3_close(d->db) == SQLITE_OK && ok;
    free(d);
    return ok;
}

static void column_text(sqlite3_stmt *s, int i, char *buf, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    snprintf(buf, cap, "%s", t != NULL ? (const char *)t : "");
}

static bool read_info(sqlite3 *db, const char *path, struct sweep_db_info *info, char *err,
                      size_t cap)
{
    sqlite3_stmt *s = NULL;
    bool ok = sqlite3_prepare_v2(db, "SELECT scenario, seeds, shard, kafka_version, argv,"
                                     " kraftsim_version, complete, wall_s FROM sweep",
                                 -1, &s, NULL) == SQLITE_OK &&
              sqlite3_step(s) == SQLITE_ROW;
    if (ok) {
        column_text(s, 0, info->scenario, sizeof info->scenario);
        column_text(s, 1, info->seeds, sizeof info->seeds);
        column_text(s, 2, info->shard, sizeof info->shard);
        column_text(s, 3, info->kafka_version, sizeof info->kafka_version);
        column_text(s, 4, info->argv, sizeof info->argv);
        column_text(s, 5, info->kraftsim_version, sizeof info->kraftsim_version);
        info->complete = sqlite3_column_int(s, 6) != 0;
        info->wall_s = sqlite3_column_double(s, 7);
    } else {
        snprintf(err, cap, "%s: not a kraftsim sweep database (no sweep row)", path);
    }
    sqlite3_finalize(s);
    return ok;
}

static void read_row(sqlite3_stmt *s, struct sweep_row *r)
{
    memset(r, 0, sizeof *r);
    r->seed = (uint64_t)sqlite3_column_int64(s, 0);
    const unsigned char *v = sqlite3_column_text(s, 1);
    if (v == NULL || !sweep_verdict_parse((const char *)v, &r->verdict)) {
        r->verdict = SWEEP_ERROR;
    }
    r->exit_code = sqlite3_column_int(s, 2);
    const unsigned char *h = sqlite3_column_text(s, 3);
    r->trace_hash = h != NULL ? strtoull((const char *)h, NULL, 16) : 0;
    r->violations = (uint32_t)sqlite3_column_int64(s, 4);
    r->faults = (uint64_t)sqlite3_column_int64(s, 5);
    r->virtual_ns = sqlite3_column_int64(s, 6);
    r->wall_s = sqlite3_column_double(s, 7);
    column_text(s, 8, r->checkers, sizeof r->checkers);
    column_text(s, 9, r->first, sizeof r->first);
    column_text(s, 10, r->replay, sizeof r->replay);
    column_text(s, 11, r->run_db, sizeof r->run_db);
    column_text(s, 12, r->draw, sizeof r->draw);
}

bool sweep_db_read(const char *path, struct sweep_db_info *info, struct sweep_row **rows,
                   uint64_t *count, char *err, size_t cap)
{
    *rows = NULL;
    *count = 0;
    sqlite3 *db = NULL;
    if (access(path, R_OK) != 0 ||
        sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(err, cap, "%s: cannot open it", path);
        sqlite3_close(db);
        return false;
    }
    sqlite3_stmt *s = NULL;
    bool ok = read_info(db, path, info, err, cap);
    if (ok && sqlite3_prepare_v2(db, "SELECT * FROM seed ORDER BY seed", -1, &s, NULL) !=
                  SQLITE_OK) {
        ok = sql_fail(db, path, err, cap);
    }
    uint64_t n = 0, capacity = 0;
    int rc = SQLITE_DONE;
    while (ok && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == capacity) {
            capacity = capacity > 0 ? capacity * 2 : 256;
            *rows = realloc(*rows, capacity * sizeof **rows);
            KS_ASSERT(*rows != NULL);
        }
        read_row(s, &(*rows)[n++]);
    }
    if (ok && rc != SQLITE_DONE) {
        ok = sql_fail(db, path, err, cap); /* a damaged file: say so, keep nothing */
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    if (!ok) {
        free(*rows);
        *rows = NULL;
        return false;
    }
    *count = n;
    return true;
}
