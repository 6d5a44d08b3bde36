/* recorded.h — what a run database says ran: for kraftsim replay and kraftsim shrink. */
#ifndef KRAFTSIM_CLI_RECORDED_H
#define KRAFTSIM_CLI_RECORDED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "env.h"

typedef struct sqlite3 sqlite3;

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
    /* --config FILE... the run was given (read back from its command line) */
    char config_text[2048];
    const char *config_files[32];
    int config_file_count;
};

/* Reads the run row of the database at `path` (opened as db); false, with one line in err,
 * if it cannot, or if the run recorded no scenario text (a scenario written in C). The caller
 * frees run->text. */
bool recorded_run_read(sqlite3 *db, const char *path, struct recorded_run *run, char *err,
                       size_t cap);
/* The chunk name the recorded scenario ran under: scenarios/NAME.lua, or the path given. */
void recorded_run_chunk(const struct recorded_run *run, char *buf, size_t cap);

#endif
