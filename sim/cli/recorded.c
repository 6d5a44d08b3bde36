/* recorded.c — a run database's run row (cli/recorded.h). */
#include "cli/recorded.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "lua/shipped.h"

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

/* The --config FILE flags of a recorded command line, in order (a path without spaces). */
static void config_files_of(const char *argv, struct recorded_run *run)
{
    size_t used = 0;
    for (const char *at = strstr(argv, " --config "); at != NULL && run->config_file_count < 32;
         at = strstr(at + 1, " --config ")) {
        const char *path = at + strlen(" --config ");
        size_t len = strcspn(path, " ");
        if (used + len + 1 > sizeof run->config_text) {
            break;
        }
        memcpy(run->config_text + used, path, len);
        run->config_text[used + len] = '\0';
        run->config_files[run->config_file_count++] = run->config_text + used;
        used += len + 1;
    }
}

bool recorded_run_read(sqlite3 *db, const char *path, struct recorded_run *run, char *err,
                       size_t cap)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT seed, scenario, scenario_text, shipped, kafka_version,"
                           " duration_ns, trace_hash, complete, argv FROM run", -1, &s,
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
    if (sqlite3_column_type(s, 8) != SQLITE_NULL) {
        char *argv = column_dup(s, 8, NULL);
        config_files_of(argv, run);
        free(argv);
    }
    sqlite3_finalize(s);
    if (run->text == NULL) {
        snprintf(err, cap, "%s: the run recorded no scenario text to replay", path);
        return false;
    }
    return true;
}


void recorded_run_chunk(const struct recorded_run *run, char *buf, size_t cap)
{
    const struct shipped_file *f = run->shipped ? shipped_scenario(run->scenario) : NULL;
    if (f != NULL) {
        snprintf(buf, cap, "scenarios/%s", f->path);
    } else {
        snprintf(buf, cap, "%s%s%s", run->shipped ? "scenarios/" : "", run->scenario,
                 run->shipped ? ".lua" : "");
    }
}
