/* fuzz_rundb.c — libFuzzer target: a file given to replay, render, story or report. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "story.h"
#include "timeline.h"
#include "trace/db.h"

/*
 * Input: the bytes of a file a user hands to `kraftsim render/story/report/replay` as a run
 * database (a real one from a short run is the seed, so mutations reach the tables).
 *
 * Properties: opening never crashes and a refusal is one line naming the file; a file that
 * opens can be told (story) and drawn (timeline_build) without crashing, whatever its tables
 * hold, and a refusal to draw is one line.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (path[0] == '\0') {
        snprintf(path, sizeof path, "/tmp/kraftsim-fuzz-rundb-%d.db", (int)getpid());
    }
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return 0;
    }
    fwrite(data, 1, size, f);
    fclose(f);
    char err[700];
    sqlite3 *db = run_db_open_read(path, err, sizeof err);
    if (db == NULL) {
        fuzz_require_one_line(err, "rundb", "a refused run database is one line");
        fuzz_require(strncmp(err, path, strlen(path)) == 0, "rundb", "the refusal names the file");
        unlink(path);
        return 0;
    }
    FILE *quiet = fopen("/dev/null", "w");
    story_tell(db, quiet);
    fclose(quiet);
    Agraph_t *g = timeline_build(db, (struct timeline_window){0, TIME_NS_MAX}, err, sizeof err);
    if (g != NULL) {
        timeline_free(g);
    } else {
        fuzz_require_one_line(err, "rundb", "a refusal to draw is one line");
    }
    sqlite3_close(db);
    unlink(path);
    return 0;
}
