/* render.c — the render command: a run database in, a timeline picture out. */
#include "cli/render.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/duration.h"
#include "report.h"
#include "sequence.h"
#include "story.h"
#include "timeline.h"
#include "trace/db.h"

static int refuse(const char *what)
{
    fprintf(stderr, "kraftsim: render: %s (usage: kraftsim render RUN.db -o FILE.svg|png "
            "[--window FROM..TO] [--messages])\n", what);
    return 2;
}

/* "2s..10s", "0..500ms", "30s.." (to the end). */
static bool parse_window(const char *text, struct timeline_window *w)
{
    const char *dots = strstr(text, "..");
    if (dots == NULL) {
        return false;
    }
    w->to = TIME_NS_MAX;
    return duration_parse(text, (size_t)(dots - text), true, &w->from) &&
           (dots[2] == '\0' || duration_parse(dots + 2, strlen(dots + 2), false, &w->to)) &&
           w->to > w->from;
}

int render_main(int argc, char **argv)
{
    const char *db_path = NULL, *out = NULL;
    struct timeline_window window = {0, TIME_NS_MAX};
    bool messages = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--messages") == 0) {
            messages = true;
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (strcmp(argv[i], "--window") == 0 && i + 1 < argc) {
            if (!parse_window(argv[++i], &window)) {
                char what[300];
                snprintf(what, sizeof what, "--window wants FROM..TO such as 2s..10s, got '%.200s'",
                         argv[i]);
                return refuse(what);
            }
        } else if (argv[i][0] == '-' || db_path != NULL) {
            char what[300];
            snprintf(what, sizeof what, "unexpected argument '%.200s'", argv[i]);
            return refuse(what);
        } else {
            db_path = argv[i];
        }
    }
    if (db_path == NULL || out == NULL) {
        return refuse(db_path == NULL ? "which run database?" : "-o FILE is missing");
    }
    char err[700];
    sqlite3 *db = run_db_open_read(db_path, err, sizeof err);
    if (db == NULL) {
        fprintf(stderr, "kraftsim: %s\n", err);
        return 2;
    }
    Agraph_t *g = messages ? sequence_build(db, window, err, sizeof err)
                           : timeline_build(db, window, err, sizeof err);
    sqlite3_close(db);
    if (g == NULL) {
        fprintf(stderr, "kraftsim: %s: %s\n", db_path, err);
        return 2;
    }
    bool ok = timeline_render(g, out, err, sizeof err);
    timeline_free(g);
    if (!ok) {
        fprintf(stderr, "kraftsim: %s\n", err);
        return 2;
    }
    printf("timeline: %s\n", out);
    return 0;
}

int story_main(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "kraftsim: story: which run database? (usage: kraftsim story RUN.db)\n");
        return 2;
    }
    char err[700];
    sqlite3 *db = run_db_open_read(argv[1], err, sizeof err);
    if (db == NULL) {
        fprintf(stderr, "kraftsim: %s\n", err);
        return 2;
    }
    story_tell(db, stdout);
    sqlite3_close(db);
    return 0;
}

int report_main(int argc, char **argv)
{
    if (argc != 4 || strcmp(argv[2], "-o") != 0) {
        fprintf(stderr, "kraftsim: report: usage: kraftsim report RUN.db -o DIR\n");
        return 2;
    }
    char err[700];
    sqlite3 *db = run_db_open_read(argv[1], err, sizeof err);
    if (db == NULL) {
        fprintf(stderr, "kraftsim: %s\n", err);
        return 2;
    }
    bool ok = report_write(db, argv[1], argv[3], err, sizeof err);
    sqlite3_close(db);
    if (!ok) {
        fprintf(stderr, "kraftsim: %s\n", err);
        return 2;
    }
    printf("report: %s/index.html\n", argv[3]);
    return 0;
}
