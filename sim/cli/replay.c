/* replay.c — kraftsim replay RUN.db: the recorded run again, compared event by event. */
#include "cli/replay.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "lua/runtime.h"
#include "lua/shipped.h"
#include "trace/db.h"

struct recorded_run {
    uint64_t seed;
    char scenario[512];
    char *text;
    size_t len;
    bool shipped;
    char kafka_version[64];
    time_ns duration;
    char trace_hash[24];
    bool complete;
};

static char *column_dup(sqlite3_stmt *s, int col, size_t *len)
{
    const void *blob = sqlite3_column_text(s, col);
    int n = sqlite3_column_bytes(s, col);
    char *out = malloc((size_t)n + 1);
    KS_ASSERT(out != NULL);
    if (blob != NULL) {
        memcpy(out, blob, (size_t)n);
    }
    out[n] = '\0';
    if (len != NULL) {
        *len = (size_t)n;
    }
    return out;
}

static bool read_run(sqlite3 *db, const char *path, struct recorded_run *run, char *err,
                     size_t cap)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT seed, scenario, scenario_text, shipped, kafka_version,"
                           " duration_ns, trace_hash, complete FROM run", -1, &s,
                           NULL) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_ROW) {
        snprintf(err, cap, "%s: its run table cannot be read (%s)", path, sqlite3_errmsg(db));
        sqlite3_finalize(s);
        return false;
    }
    memset(run, 0, sizeof *run);
    run->seed = (uint64_t)sqlite3_column_int64(s, 0);
    char *name = column_dup(s, 1, NULL);
    snprintf(run->scenario, sizeof run->scenario, "%s", name);
    free(name);
    bool has_text = sqlite3_column_type(s, 2) != SQLITE_NULL;
    run->text = has_text ? column_dup(s, 2, &run->len) : NULL;
    run->shipped = sqlite3_column_int(s, 3) != 0;
    if (sqlite3_column_type(s, 4) != SQLITE_NULL) {
        char *v = column_dup(s, 4, NULL);
        snprintf(run->kafka_version, sizeof run->kafka_version, "%s", v);
        free(v);
    }
    run->duration = sqlite3_column_int64(s, 5);
    if (sqlite3_column_type(s, 6) != SQLITE_NULL) {
        char *h = column_dup(s, 6, NULL);
        snprintf(run->trace_hash, sizeof run->trace_hash, "%s", h);
        free(h);
    }
    run->complete = sqlite3_column_int(s, 7) != 0;
    sqlite3_finalize(s);
    if (run->text == NULL) {
        snprintf(err, cap, "%s: the run recorded no scenario text to replay", path);
        return false;
    }
    return true;
}

int replay_main(const char *path, FILE *out)
{
    char err[700];
    sqlite3 *db = run_db_open_read(path, err, sizeof err);
    if (db == NULL) {
        fprintf(stderr, "kraftsim: %s\n", err);
        return 2;
    }
    struct recorded_run run;
    if (!read_run(db, path, &run, err, sizeof err)) {
        fprintf(stderr, "kraftsim: %s\n", err);
        free(run.text);
        sqlite3_close(db);
        return 2;
    }
    struct run_db *cmp = run_db_compare(db);
    KS_ASSERT(cmp != NULL);
    FILE *quiet = fopen("/dev/null", "w");
    KS_ASSERT(quiet != NULL);
    struct run_opts opts = {.seed = run.seed, .duration = run.duration, .out = quiet,
                            .kafka_version = run.kafka_version[0] ? run.kafka_version : NULL,
                            .db = cmp};
    struct run_result r;
    memset(&r, 0, sizeof r);
    char chunk[600];
    snprintf(chunk, sizeof chunk, "%s%s%s", run.shipped ? "scenarios/" : "", run.scenario,
             run.shipped ? ".lua" : "");
    const struct shipped_file *f = run.shipped ? shipped_scenario(run.scenario) : NULL;
    if (f != NULL) {
        snprintf(chunk, sizeof chunk, "scenarios/%s", f->path);
    }
    lua_scenario_run(chunk, run.text, run.len, run.shipped, &opts, &r);
    fclose(quiet);
    uint64_t events = 0;
    bool ended = false;
    const struct run_db_mismatch *m = run_db_compared(cmp, &events, &ended);
    char hash[24];
    snprintf(hash, sizeof hash, "0x%016" PRIx64, r.trace_hash);
    int rc = 0;
    fprintf(out, "replay of %s: %s, seed %" PRIu64 "%s%s\n", path, run.scenario, run.seed,
            run.kafka_version[0] ? ", Kafka " : "", run.kafka_version);
    if (m != NULL) {
        fprintf(out, "DIFFERS at event %" PRIu64 ":\n  recorded: %s\n  replayed: %s\n", m->index,
                m->recorded, m->replayed);
        rc = 1;
    } else if (!run.complete) {
        fprintf(out, "the recorded run was cut short (complete = 0): the replay matches all "
                "%" PRIu64 " of its events\n", events - (ended ? 1 : 0));
    } else if (strcmp(hash, run.trace_hash) != 0) {
        fprintf(out, "DIFFERS: every event matches but the trace hash is %s, recorded %s\n",
                hash, run.trace_hash);
        rc = 1;
    } else {
        fprintf(out, "identical: %" PRIu64 " events, trace hash %s\n", events, hash);
    }
    run_db_close(cmp);
    sqlite3_close(db);
    free(run.text);
    return rc;
}
