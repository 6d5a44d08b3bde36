/* replay.c — kraftsim replay RUN.db: the recorded run again, compared event by event. */
#include "cli/replay.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "cli/recorded.h"
#include "lua/runtime.h"
#include "lua/shipped.h"
#include "trace/db.h"

int replay_main(const char *path, FILE *out)
{
    char err[700];
    sqlite3 *db = run_db_open_read(path, err, sizeof err);
    if (db == NULL) {
        fprintf(stderr, "kraftsim: %s\n", err);
        return 2;
    }
    struct recorded_run run;
    if (!recorded_run_read(db, path, &run, err, sizeof err)) {
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
                            .db = cmp, .config_files = run.config_files,
                            .config_file_count = run.config_file_count};
    struct run_result r;
    memset(&r, 0, sizeof r);
    char chunk[600];
    recorded_run_chunk(&run, chunk, sizeof chunk);
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
