/* story.c — the run database's events, as sentences. */
#include "story.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "trace/trace.h"

/* The value of key= in a trace detail, "?" where a sentence would otherwise have a hole. */
static const char *kv(const char *detail, const char *key, char *buf, size_t cap)
{
    if (trace_detail_field(detail, key, buf, cap)[0] == '\0') {
        snprintf(buf, cap, "?");
    }
    return buf;
}

static const char *column_text(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    return t != NULL ? (const char *)t : "";
}

/* One event as a sentence into buf, or false if the story leaves it out. */
static bool sentence(const char *node, const char *kind, const char *detail, char *buf,
                     size_t cap)
{
    char a[96], b[96], c[96], d[96];
    if (strcmp(kind, "note") == 0) {
        if (node[0] != '\0' || strncmp(detail, "fault ", 6) == 0 ||
            strncmp(detail, "violation ", 10) == 0) {
            return false; /* a node's own notes are the trace's; faults come from their table */
        }
        snprintf(buf, cap, "%s", detail);
    } else if (strcmp(kind, "became-leader") == 0) {
        snprintf(buf, cap, "%s becomes the quorum leader of epoch %s (votes %s)", node,
                 kv(detail, "epoch", a, sizeof a), kv(detail, "votes", b, sizeof b));
    } else if (strcmp(kind, "resign") == 0) {
        snprintf(buf, cap, "%s resigns the leadership of epoch %s (%s)", node,
                 kv(detail, "epoch", a, sizeof a), kv(detail, "reason", b, sizeof b));
    } else if (strcmp(kind, "controller") == 0 && strncmp(detail, "fence ", 6) == 0) {
        snprintf(buf, cap, "the active controller (%s) fences broker %s (%s)", node,
                 kv(detail, "broker", a, sizeof a), kv(detail, "reason", b, sizeof b));
    } else if (strcmp(kind, "controller") == 0 && strncmp(detail, "unfence ", 8) == 0) {
        snprintf(buf, cap, "the active controller (%s) unfences broker %s", node,
                 kv(detail, "broker", a, sizeof a));
    } else if (strcmp(kind, "controller") == 0 && strncmp(detail, "register ", 9) == 0) {
        snprintf(buf, cap, "broker %s registers with the active controller (%s), broker epoch %s",
                 kv(detail, "broker", a, sizeof a), node, kv(detail, "epoch", b, sizeof b));
    } else if (strcmp(kind, "partition") == 0 && strstr(detail, "partition=") != NULL) {
        char elr[96], why[96];
        snprintf(buf, cap, "%s: leader %s, leader epoch %s, ISR %s, ELR %s (%s)",
                 kv(detail, "partition", a, sizeof a), kv(detail, "leader", b, sizeof b),
                 kv(detail, "leader_epoch", c, sizeof c), kv(detail, "isr", d, sizeof d),
                 kv(detail, "elr", elr, sizeof elr), kv(detail, "reason", why, sizeof why));
    } else if (strcmp(kind, "host-crash") == 0) {
        snprintf(buf, cap, "%s is killed (kill -9)", node);
    } else if (strcmp(kind, "host-power-fail") == 0) {
        snprintf(buf, cap, "%s loses power", node);
    } else if (strcmp(kind, "host-stop") == 0) {
        snprintf(buf, cap, "%s stops", node);
    } else if (strcmp(kind, "host-pause") == 0) {
        snprintf(buf, cap, "%s is paused", node);
    } else if (strcmp(kind, "host-resume") == 0) {
        snprintf(buf, cap, "%s resumes", node);
    } else if (strcmp(kind, "node-refuse") == 0) {
        snprintf(buf, cap, "%s refuses to start: %s", node, detail);
    } else {
        return false;
    }
    return true;
}

static void when(time_ns t, FILE *out)
{
    fprintf(out, "%10.3f s  ", (double)t / NS_PER_S);
}

int story_tell(sqlite3 *db, FILE *out)
{
    /* Events, faults and violations in one time order (events keep their own order). */
    static const char sql[] =
        "SELECT time_ns, 0 AS src, seq, COALESCE(node, ''), kind, detail FROM trace"
        " WHERE kind IN ('note', 'became-leader', 'resign', 'controller', 'partition',"
        " 'host-crash', 'host-power-fail', 'host-stop', 'host-pause', 'host-resume',"
        " 'node-refuse')"
        " UNION ALL SELECT start_ns, 1, rowid, targets, kind, COALESCE(end_ns, -1) FROM fault"
        " UNION ALL SELECT COALESCE(time_ns, (SELECT virtual_ns FROM run)), 2, rowid, checker,"
        " 'violation', evidence FROM violation"
        " ORDER BY 1, 2, 3";
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        fprintf(out, "(the run database cannot be told: %s)\n", sqlite3_errmsg(db));
        return 0;
    }
    int lines = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        time_ns t = sqlite3_column_int64(s, 0);
        int src = sqlite3_column_int(s, 1);
        /* A damaged file may hold NULLs anywhere: read them as empty. */
        const char *node = column_text(s, 3);
        const char *kind = column_text(s, 4);
        const char *detail = column_text(s, 5);
        char buf[1024];
        if (src == 1) {
            time_ns end = strtoll(detail, NULL, 10);
            when(t, out);
            if (end >= 0) {
                fprintf(out, "fault: %s %s, for %.3f s\n", kind, node,
                        (double)(end - t) / NS_PER_S);
            } else {
                fprintf(out, "fault: %s %s, to the end\n", kind, node);
            }
        } else if (src == 2) {
            when(t, out);
            fprintf(out, "VIOLATION %s\n", detail);
        } else if (sentence(node, kind, detail, buf, sizeof buf)) {
            when(t, out);
            fprintf(out, "%s\n", buf);
        } else {
            continue;
        }
        lines++;
    }
    sqlite3_finalize(s);
    return lines;
}
