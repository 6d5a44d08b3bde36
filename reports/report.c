/* report.c — a run database as one self-contained HTML page. */
#define _GNU_SOURCE /* open_memstream */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "story.h"
#include "timeline.h"

static void escape(FILE *out, const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '&':
            fputs("&amp;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        default:
            fputc(*s, out);
        }
    }
}

/* A table from a query: its column names as the header, one row per result row. */
static void table(FILE *out, sqlite3 *db, const char *id, const char *title, const char *sql)
{
    sqlite3_stmt *s;
    fprintf(out, "<h2>%s</h2>\n", title);
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        fprintf(out, "<p>(not in this run's database)</p>\n");
        return;
    }
    fprintf(out, "<table id=\"%s\"><tr>", id);
    int cols = sqlite3_column_count(s);
    for (int c = 0; c < cols; c++) {
        fputs("<th>", out);
        escape(out, sqlite3_column_name(s, c));
        fputs("</th>", out);
    }
    fputs("</tr>\n", out);
    int rows = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        fputs("<tr>", out);
        for (int c = 0; c < cols; c++) {
            fputs("<td>", out);
            escape(out, (const char *)sqlite3_column_text(s, c));
            fputs("</td>", out);
        }
        fputs("</tr>\n", out);
        rows++;
    }
    sqlite3_finalize(s);
    fputs("</table>\n", out);
    if (rows == 0) {
        fprintf(out, "<p class=\"none\">none</p>\n");
    }
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        fwrite(chunk, 1, n, mem);
    }
    fclose(f);
    fclose(mem);
    return buf;
}

static void header(FILE *out, sqlite3 *db, const char *db_path)
{
    sqlite3_stmt *s;
    const char *q = "SELECT scenario, seed, COALESCE(verdict, 'INCOMPLETE'), trace_hash, complete,"
                    " argv, release, violations, virtual_ns / 1e9, wall_ms FROM run";
    if (sqlite3_prepare_v2(db, q, -1, &s, NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_finalize(s);
        return;
    }
    fputs("<h1>", out);
    escape(out, (const char *)sqlite3_column_text(s, 0));
    fprintf(out, ", seed %lld</h1>\n<p class=\"verdict\" id=\"verdict\">verdict: ",
            (long long)sqlite3_column_int64(s, 1));
    escape(out, (const char *)sqlite3_column_text(s, 2));
    fprintf(out, " (%lld violations)%s</p>\n", (long long)sqlite3_column_int64(s, 7),
            sqlite3_column_int(s, 4) ? "" : " &mdash; the run was cut short (complete = 0)");
    fputs("<p>trace hash <code>", out);
    escape(out, (const char *)sqlite3_column_text(s, 3));
    fprintf(out, "</code>, %.3f s of virtual time in %lld ms</p>\n<p>replay: <code "
            "id=\"replay\">kraftsim replay ", sqlite3_column_double(s, 8),
            (long long)sqlite3_column_int64(s, 9));
    escape(out, db_path);
    fputs("</code> &nbsp; or run again: <code>", out);
    escape(out, (const char *)sqlite3_column_text(s, 5));
    fputs("</code></p>\n<p class=\"release\">", out);
    escape(out, (const char *)sqlite3_column_text(s, 6));
    fputs("</p>\n", out);
    sqlite3_finalize(s);
}

bool report_write(sqlite3 *db, const char *db_path, const char *dir, char *err, size_t cap)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        snprintf(err, cap, "%s: %s", dir, strerror(errno));
        return false;
    }
    char svg_path[600], page[600];
    snprintf(svg_path, sizeof svg_path, "%s/timeline.svg", dir);
    snprintf(page, sizeof page, "%s/index.html", dir);
    Agraph_t *g = timeline_build(db, (struct timeline_window){0, TIME_NS_MAX}, err, cap);
    if (g == NULL || !timeline_render(g, svg_path, err, cap)) {
        if (g != NULL) {
            timeline_free(g);
        }
        return false;
    }
    timeline_free(g);
    char *svg = slurp(svg_path);
    FILE *out = fopen(page, "w");
    if (out == NULL || svg == NULL) {
        snprintf(err, cap, "%s: %s", page, strerror(errno));
        free(svg);
        if (out != NULL) {
            fclose(out);
        }
        return false;
    }
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>kraftsim run</title>\n"
          "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
          "td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px}"
          ".verdict{font-size:20px;font-weight:bold}pre{background:#f6f6f6;padding:1em}"
          "#timeline{overflow-x:auto}</style></head><body>\n", out);
    header(out, db, db_path);
    const char *svg_start = strstr(svg, "<svg");
    fputs("<h2>Timeline</h2>\n<div id=\"timeline\">\n", out);
    fputs(svg_start != NULL ? svg_start : "", out);
    fputs("</div>\n", out);
    table(out, db, "violations", "Violations",
          "SELECT checker AS rule, time_ns / 1e9 AS s, evidence FROM violation ORDER BY time_ns");
    fputs("<h2>Story</h2>\n<pre id=\"story\">", out);
    char *story = NULL;
    size_t story_len = 0;
    FILE *mem = open_memstream(&story, &story_len);
    story_tell(db, mem);
    fclose(mem);
    escape(out, story);
    free(story);
    fputs("</pre>\n", out);
    table(out, db, "elections", "Quorum leaders",
          "SELECT epoch, node, from_ns / 1e9 AS from_s, to_ns / 1e9 AS to_s FROM role"
          " WHERE role = 'Leader' ORDER BY from_ns");
    table(out, db, "leaderless", "Time without a quorum leader, before each new epoch",
          "SELECT b.epoch, b.node, MAX(0, b.from_ns - MAX(a.to_ns)) / 1e6 AS ms_without_leader"
          " FROM role b JOIN role a ON a.role = 'Leader' AND a.epoch < b.epoch"
          " WHERE b.role = 'Leader' GROUP BY b.epoch ORDER BY b.epoch");
    table(out, db, "fencing", "Fencing",
          "SELECT time_ns / 1e9 AS s, node AS controller, detail FROM event"
          " WHERE kind = 'controller' AND (detail LIKE 'fence %' OR detail LIKE 'unfence %')"
          " ORDER BY seq");
    table(out, db, "partitions", "Partition leader changes",
          "SELECT partition, time_ns / 1e9 AS s, leader, leader_epoch, isr, elr, reason"
          " FROM partition_state ORDER BY partition, time_ns");
    table(out, db, "faults", "Faults",
          "SELECT kind, targets, start_ns / 1e9 AS start_s, (end_ns - start_ns) / 1e6 AS ms"
          " FROM fault ORDER BY start_ns");
    fputs("</body></html>\n", out);
    bool ok = fclose(out) == 0;
    free(svg);
    if (!ok) {
        snprintf(err, cap, "%s: %s", page, strerror(errno));
    }
    return ok;
}
