/* sequence.c — the messages of a window of a run as a sequence (Lamport) diagram. */
#include "sequence.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <graphviz/gvc.h>

#include "protocol/header.h"

#define COLUMN_PT 150.0
#define HEIGHT_PT 1100.0
#define TOP_PT 30.0
#define NODES_MAX 64

struct diagram {
    Agraph_t *g;
    time_ns from, to;
    int columns;
    char names[NODES_MAX][64];
    int messages;
};

static void set(void *obj, const char *key, const char *value)
{
    agsafeset(obj, (char *)key, (char *)value, "");
}

static double y_of(const struct diagram *d, time_ns t)
{
    return -(double)(t - d->from) * HEIGHT_PT / (double)(d->to - d->from);
}

static int column_of(const struct diagram *d, const char *name)
{
    for (int i = 0; i < d->columns; i++) {
        if (strcmp(d->names[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

static Agnode_t *dot_at(struct diagram *d, const char *name, double x, double y)
{
    Agnode_t *n = agnode(d->g, (char *)name, 1);
    char pos[64];
    snprintf(pos, sizeof pos, "%.2f,%.2f!", x, y);
    set(n, "pos", pos);
    set(n, "shape", "point");
    set(n, "width", "0.02");
    set(n, "label", "");
    return n;
}

/* A column per node: its name on top, a dotted lifeline down the window. */
static void lifelines(struct diagram *d, sqlite3 *db)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT name FROM node ORDER BY host", -1, &s, NULL) != SQLITE_OK) {
        return;
    }
    while (sqlite3_step(s) == SQLITE_ROW && d->columns < NODES_MAX) {
        const char *name = (const char *)sqlite3_column_text(s, 0);
        int i = d->columns++;
        snprintf(d->names[i], sizeof d->names[i], "%s", name != NULL ? name : "?");
        char id[96];
        snprintf(id, sizeof id, "node|%s", d->names[i]);
        Agnode_t *head = agnode(d->g, id, 1);
        char pos[64];
        snprintf(pos, sizeof pos, "%.2f,%.2f!", i * COLUMN_PT, TOP_PT);
        set(head, "pos", pos);
        set(head, "shape", "box");
        set(head, "label", d->names[i]);
        set(head, "fontsize", "10");
        snprintf(id, sizeof id, "life|%s|top", d->names[i]);
        Agnode_t *top = dot_at(d, id, i * COLUMN_PT, 0);
        snprintf(id, sizeof id, "life|%s|bottom", d->names[i]);
        Agnode_t *bottom = dot_at(d, id, i * COLUMN_PT, -HEIGHT_PT);
        Agedge_t *e = agedge(d->g, top, bottom, NULL, 1);
        set(e, "style", "dotted");
        set(e, "dir", "none");
    }
    sqlite3_finalize(s);
}

/* Times down the left margin: ten ticks across the window, in ms. */
static void time_ticks(struct diagram *d)
{
    for (int k = 0; k <= 10; k++) {
        time_ns t = d->from + (d->to - d->from) * k / 10;
        char name[64], label[32], pos[64];
        snprintf(name, sizeof name, "tick|%d", k);
        snprintf(label, sizeof label, "%.3f ms", (double)t / 1e6);
        Agnode_t *n = agnode(d->g, name, 1);
        snprintf(pos, sizeof pos, "%.2f,%.2f!", -80.0, y_of(d, t));
        set(n, "pos", pos);
        set(n, "shape", "plaintext");
        set(n, "label", label);
        set(n, "fontsize", "8");
    }
}

/* The API of a message: a request's own; a response's that of the latest request it answers
 * (the same correlation id, the other way, sent before it). */
static const char messages_sql[] =
    "SELECT m.id, m.sent_ns, m.delivered_ns, m.from_node, m.to_node, m.fate,"
    " COALESCE(m.api_key, (SELECT q.api_key FROM message q WHERE q.api_key IS NOT NULL"
    "  AND q.correlation_id = m.correlation_id AND q.from_node = m.to_node"
    "  AND q.to_node = m.from_node AND q.sent_ns <= m.sent_ns ORDER BY q.sent_ns DESC LIMIT 1)),"
    " m.api_key IS NULL"
    " FROM message m WHERE m.bytes > 0 AND m.sent_ns >= ? AND m.sent_ns <= ? ORDER BY m.id";

static void message(struct diagram *d, sqlite3_stmt *s)
{
    int64_t id = sqlite3_column_int64(s, 0);
    time_ns sent = sqlite3_column_int64(s, 1);
    bool delivered = sqlite3_column_type(s, 2) != SQLITE_NULL;
    time_ns at = delivered ? sqlite3_column_int64(s, 2) : sent;
    int from = column_of(d, (const char *)sqlite3_column_text(s, 3));
    int to = column_of(d, (const char *)sqlite3_column_text(s, 4));
    const char *fate = (const char *)sqlite3_column_text(s, 5);
    bool response = sqlite3_column_int(s, 7) != 0;
    if (from < 0 || to < 0) {
        return;
    }
    char api[64];
    if (sqlite3_column_type(s, 6) == SQLITE_NULL) {
        snprintf(api, sizeof api, "%s", response ? "response" : "?");
    } else {
        snprintf(api, sizeof api, "%s%s", kafka_api_name((int16_t)sqlite3_column_int(s, 6)),
                 response ? " response" : "");
    }
    bool lost = !delivered || strcmp(fate, "delivered") != 0;
    char a[96], b[96];
    snprintf(a, sizeof a, "msg|%" PRId64 "|from", id);
    snprintf(b, sizeof b, "msg|%" PRId64 "|%s|%s", id, api, fate);
    double x0 = from * COLUMN_PT, x1 = to * COLUMN_PT;
    /* A frame that never arrived stops a third of the way, dashed. */
    double x_end = lost && !delivered ? x0 + (x1 - x0) / 3 : x1;
    double y_end = lost && !delivered ? y_of(d, sent) - 4 : y_of(d, at);
    Agnode_t *t = dot_at(d, a, x0, y_of(d, sent));
    Agnode_t *h = dot_at(d, b, x_end, y_end);
    Agedge_t *e = agedge(d->g, t, h, NULL, 1);
    set(e, "label", api);
    set(e, "fontsize", "7");
    set(e, "arrowsize", "0.5");
    if (lost) {
        set(e, "style", "dashed");
        set(e, "color", "red");
        set(e, "arrowhead", "tee");
    } else if (response) {
        set(e, "color", "gray40");
    }
    d->messages++;
}

Agraph_t *sequence_build(sqlite3 *db, struct timeline_window window, char *err, size_t cap)
{
    static struct diagram d;
    memset(&d, 0, sizeof d);
    sqlite3_stmt *s;
    time_ns end = 0;
    if (sqlite3_prepare_v2(db, "SELECT COALESCE((SELECT virtual_ns FROM run),"
                           " (SELECT MAX(time_ns) FROM event), 0)", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        end = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    d.from = window.from;
    d.to = window.to == TIME_NS_MAX || window.to > end ? end : window.to;
    if (d.to <= d.from) {
        snprintf(err, cap, "the window is empty (the run ends at %.3f s)", (double)end / 1e9);
        return NULL;
    }
    if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM message WHERE bytes > 0 AND sent_ns >= ?"
                           " AND sent_ns <= ?", -1, &s, NULL) != SQLITE_OK) {
        snprintf(err, cap, "the run has no message table");
        return NULL;
    }
    sqlite3_bind_int64(s, 1, d.from);
    sqlite3_bind_int64(s, 2, d.to);
    int64_t count = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    if (count > SEQUENCE_MESSAGES_MAX) {
        snprintf(err, cap, "the window holds %" PRId64 " messages, more than a diagram can show "
                 "(%d): narrow it with --window FROM..TO", count, SEQUENCE_MESSAGES_MAX);
        return NULL;
    }
    d.g = agopen("messages", Agdirected, NULL);
    set(d.g, "splines", "line");
    agattr(d.g, AGNODE, "fontname", "Helvetica");
    agattr(d.g, AGEDGE, "fontname", "Helvetica");
    lifelines(&d, db);
    time_ticks(&d);
    if (sqlite3_prepare_v2(db, messages_sql, -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, d.from);
        sqlite3_bind_int64(s, 2, d.to);
        while (sqlite3_step(s) == SQLITE_ROW) {
            message(&d, s);
        }
    }
    sqlite3_finalize(s);
    return d.g;
}
