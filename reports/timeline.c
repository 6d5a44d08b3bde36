/* timeline.c — lanes, spans and marks pinned at their virtual time, laid out by Graphviz. */
#include "timeline.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <graphviz/gvc.h>

#define LEFT_PT 130.0  /* the lane labels */
#define PLOT_PT 1400.0 /* the time axis */
#define LANE_PT 34.0
#define ROLE_PT 16.0
#define BAND_PT 6.0
#define LANES_MAX 64

struct canvas {
    Agraph_t *g;
    time_ns from, to;
    int lanes;      /* lanes drawn so far, top to bottom */
    int names;      /* unique suffix for node names */
    char lane_names[LANES_MAX][64];
    double lane_y[LANES_MAX];
};

static double x_of(const struct canvas *c, time_ns t)
{
    t = t < c->from ? c->from : t > c->to ? c->to : t;
    return LEFT_PT + (double)(t - c->from) * PLOT_PT / (double)(c->to - c->from);
}

static Agnode_t *pinned(struct canvas *c, const char *name, double x, double y)
{
    Agnode_t *n = agnode(c->g, (char *)name, 1);
    char pos[64];
    snprintf(pos, sizeof pos, "%.2f,%.2f!", x, y);
    agsafeset(n, "pos", pos, "");
    return n;
}

static void set(void *obj, const char *key, const char *value)
{
    agsafeset(obj, (char *)key, (char *)value, "");
}

/* A box from t0 to t1 at height y (its middle), `h` points tall. */
static Agnode_t *span(struct canvas *c, const char *name, time_ns t0, time_ns t1, double y,
                      double h, const char *fill, const char *label)
{
    if (t1 <= c->from || t0 >= c->to || t1 < t0) {
        return NULL;
    }
    double x0 = x_of(c, t0), x1 = x_of(c, t1);
    double w = x1 - x0 < 0.8 ? 0.8 : x1 - x0;
    Agnode_t *n = pinned(c, name, (x0 + x1) / 2, y);
    char v[32];
    snprintf(v, sizeof v, "%.4f", w / 72.0);
    set(n, "width", v);
    snprintf(v, sizeof v, "%.4f", h / 72.0);
    set(n, "height", v);
    set(n, "shape", "box");
    set(n, "style", "filled");
    set(n, "fixedsize", "true");
    set(n, "fillcolor", fill);
    set(n, "penwidth", "0.3");
    /* A label only where it fits: about 5 points a character at font size 8. */
    set(n, "label", label != NULL && (double)strlen(label) * 5.0 < w ? label : "");
    set(n, "fontsize", h < 10 ? "4" : "8"); /* a thin band holds no text */
    set(n, "margin", "0");
    return n;
}

static double lane(struct canvas *c, const char *name, const char *label)
{
    double y = -(double)c->lanes * LANE_PT;
    if (c->lanes < LANES_MAX) {
        snprintf(c->lane_names[c->lanes], sizeof c->lane_names[0], "%s", name);
        c->lane_y[c->lanes] = y;
    }
    c->lanes++;
    char id[96];
    snprintf(id, sizeof id, "lane|%s", name);
    Agnode_t *n = pinned(c, id, LEFT_PT / 2, y);
    set(n, "shape", "plaintext");
    set(n, "label", label);
    set(n, "fontsize", "10");
    return y;
}

static double lane_y(const struct canvas *c, const char *name, bool *found)
{
    for (int i = 0; i < c->lanes && i < LANES_MAX; i++) {
        if (strcmp(c->lane_names[i], name) == 0) {
            *found = true;
            return c->lane_y[i];
        }
    }
    *found = false;
    return 0;
}

static const char *text_col(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t != NULL ? (const char *)t : "";
}

static const char *role_color(const char *role)
{
    static const struct {
        const char *role, *color;
    } colors[] = {{"Leader", "gold"},         {"Follower", "lightblue"},
                  {"Candidate", "orange"},    {"Prospective", "khaki"},
                  {"Unattached", "gray90"},   {"Resigned", "pink"}};
    for (size_t i = 0; i < sizeof colors / sizeof colors[0]; i++) {
        if (strcmp(colors[i].role, role) == 0) {
            return colors[i].color;
        }
    }
    return "white";
}

static const char *broker_color(const char *state)
{
    return strcmp(state, "RUNNING") == 0              ? "palegreen3"
           : strncmp(state, "PENDING", 7) == 0 ||
                   strcmp(state, "SHUTTING_DOWN") == 0 ? "darkorange"
                                                      : "lightyellow3";
}

static void draw_roles(struct canvas *c, sqlite3 *db, time_ns end)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT node, epoch, role, from_ns, to_ns FROM role"
                           " ORDER BY rowid", -1, &s, NULL) != SQLITE_OK) {
        return;
    }
    while (sqlite3_step(s) == SQLITE_ROW) {
        bool found;
        double y = lane_y(c, text_col(s, 0), &found);
        if (!found) {
            continue;
        }
        time_ns t0 = sqlite3_column_int64(s, 3);
        time_ns t1 = sqlite3_column_type(s, 4) == SQLITE_NULL ? end : sqlite3_column_int64(s, 4);
        char name[200], label[64];
        snprintf(name, sizeof name, "role|%s|%lld|%s|%" PRId64, text_col(s, 0),
                 (long long)sqlite3_column_int64(s, 1), text_col(s, 2), t0);
        snprintf(label, sizeof label, "%s %lld", text_col(s, 2),
                 (long long)sqlite3_column_int64(s, 1));
        span(c, name, t0, t1, y, ROLE_PT, role_color(text_col(s, 2)), label);
    }
    sqlite3_finalize(s);
}

static void draw_broker_states(struct canvas *c, sqlite3 *db, time_ns end)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT node, time_ns, state, (SELECT MIN(b.time_ns) FROM"
                           " broker_state b WHERE b.node = a.node AND b.rowid > a.rowid)"
                           " FROM broker_state a ORDER BY rowid", -1, &s, NULL) != SQLITE_OK) {
        return;
    }
    while (sqlite3_step(s) == SQLITE_ROW) {
        bool found;
        double y = lane_y(c, text_col(s, 0), &found);
        if (!found) {
            continue;
        }
        time_ns t0 = sqlite3_column_int64(s, 1);
        time_ns t1 = sqlite3_column_type(s, 3) == SQLITE_NULL ? end : sqlite3_column_int64(s, 3);
        char name[200];
        snprintf(name, sizeof name, "broker|%s|%s|%" PRId64, text_col(s, 0), text_col(s, 2), t0);
        span(c, name, t0, t1, y + ROLE_PT / 2 + BAND_PT / 2, BAND_PT,
             broker_color(text_col(s, 2)), NULL);
    }
    sqlite3_finalize(s);
}

/* A fault on one node goes under its lane; partitions and link faults on the network lane. */
static void draw_faults(struct canvas *c, sqlite3 *db, time_ns end, double net_y)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT kind, targets, start_ns, end_ns FROM fault"
                           " ORDER BY rowid", -1, &s, NULL) != SQLITE_OK) {
        return;
    }
    while (sqlite3_step(s) == SQLITE_ROW) {
        bool found;
        double y = lane_y(c, text_col(s, 1), &found);
        y = found ? y - ROLE_PT / 2 - BAND_PT / 2 : net_y;
        time_ns t0 = sqlite3_column_int64(s, 2);
        time_ns t1 = sqlite3_column_type(s, 3) == SQLITE_NULL ? end : sqlite3_column_int64(s, 3);
        char name[300], label[160];
        snprintf(name, sizeof name, "fault|%s|%s|%" PRId64 "|%d", text_col(s, 0), text_col(s, 1),
                 t0, c->names++);
        snprintf(label, sizeof label, "%s %s", text_col(s, 0), found ? "" : text_col(s, 1));
        /* A node's own fault is a thin band (its kind in the tooltip); a network fault gets a
         * labelled span on the network lane. */
        Agnode_t *n = span(c, name, t0, t1, y, found ? BAND_PT : ROLE_PT,
                           found ? "firebrick1" : "mistyrose", found ? NULL : label);
        if (n != NULL) {
            set(n, "tooltip", label);
        }
    }
    sqlite3_finalize(s);
}

static void draw_violations(struct canvas *c, sqlite3 *db, time_ns end, double y)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT checker, time_ns, evidence FROM violation ORDER BY rowid",
                           -1, &s, NULL) != SQLITE_OK) {
        return;
    }
    while (sqlite3_step(s) == SQLITE_ROW) {
        time_ns t = sqlite3_column_type(s, 1) == SQLITE_NULL ? end : sqlite3_column_int64(s, 1);
        if (t < c->from || t > c->to) {
            continue;
        }
        char name[160];
        snprintf(name, sizeof name, "violation|%s|%" PRId64 "|%d", text_col(s, 0), t, c->names++);
        Agnode_t *n = pinned(c, name, x_of(c, t), y);
        set(n, "shape", "triangle");
        set(n, "style", "filled");
        set(n, "fillcolor", "red");
        set(n, "color", "red");
        set(n, "width", "0.12");
        set(n, "height", "0.12");
        set(n, "fixedsize", "true");
        set(n, "label", "");
        set(n, "tooltip", text_col(s, 2));
    }
    sqlite3_finalize(s);
}

static void draw_partitions(struct canvas *c, sqlite3 *db, time_ns end)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT partition, time_ns, leader, leader_epoch, isr, (SELECT"
                           " MIN(b.time_ns) FROM partition_state b WHERE b.partition ="
                           " a.partition AND b.rowid > a.rowid) FROM partition_state a"
                           " ORDER BY partition, rowid", -1, &s, NULL) != SQLITE_OK) {
        return;
    }
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *part = text_col(s, 0);
        bool found;
        char lane_name[96];
        snprintf(lane_name, sizeof lane_name, "partition %s", part);
        double y = lane_y(c, lane_name, &found);
        if (!found) {
            y = lane(c, lane_name, part);
        }
        time_ns t0 = sqlite3_column_int64(s, 1);
        time_ns t1 = sqlite3_column_type(s, 5) == SQLITE_NULL ? end : sqlite3_column_int64(s, 5);
        int64_t leader = sqlite3_column_int64(s, 2);
        char name[200], label[96];
        snprintf(name, sizeof name, "partition|%s|%lld|%" PRId64, part,
                 (long long)sqlite3_column_int64(s, 3), t0);
        if (leader < 0) {
            snprintf(label, sizeof label, "offline e%lld", (long long)sqlite3_column_int64(s, 3));
        } else {
            snprintf(label, sizeof label, "L%" PRId64 " e%lld isr %s", leader,
                     (long long)sqlite3_column_int64(s, 3), text_col(s, 4));
        }
        span(c, name, t0, t1, y, ROLE_PT, leader < 0 ? "gray60" : "gold", label);
    }
    sqlite3_finalize(s);
}

/* Ticks at a round step giving at most about 14 of them. */
static void draw_axis(struct canvas *c, double y)
{
    static const time_ns steps[] = {NS_PER_MS,       2 * NS_PER_MS,  5 * NS_PER_MS,
                                    10 * NS_PER_MS,  20 * NS_PER_MS, 50 * NS_PER_MS,
                                    100 * NS_PER_MS, 200 * NS_PER_MS, 500 * NS_PER_MS,
                                    NS_PER_S,        2 * NS_PER_S,   5 * NS_PER_S,
                                    10 * NS_PER_S,   20 * NS_PER_S,  30 * NS_PER_S,
                                    60 * NS_PER_S,   300 * NS_PER_S, 600 * NS_PER_S,
                                    1800 * NS_PER_S, 3600 * NS_PER_S};
    time_ns step = steps[sizeof steps / sizeof steps[0] - 1];
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if ((c->to - c->from) / steps[i] <= 14) {
            step = steps[i];
            break;
        }
    }
    Agnode_t *a = pinned(c, "axis|start", x_of(c, c->from), y + 8);
    Agnode_t *b = pinned(c, "axis|end", x_of(c, c->to), y + 8);
    set(a, "shape", "point");
    set(b, "shape", "point");
    set(a, "width", "0.01");
    set(b, "width", "0.01");
    Agedge_t *e = agedge(c->g, a, b, "axis", 1);
    set(e, "dir", "none");
    for (time_ns t = (c->from + step - 1) / step * step; t <= c->to; t += step) {
        char name[64], label[32];
        if (step >= NS_PER_S) {
            snprintf(label, sizeof label, "%" PRId64 "s", t / NS_PER_S);
        } else {
            snprintf(label, sizeof label, "%" PRId64 "ms", t / NS_PER_MS);
        }
        snprintf(name, sizeof name, "axis|%s", label);
        Agnode_t *n = pinned(c, name, x_of(c, t), y);
        set(n, "shape", "plaintext");
        set(n, "label", label);
        set(n, "fontsize", "9");
    }
}

static time_ns run_end(sqlite3 *db)
{
    sqlite3_stmt *s;
    time_ns end = 0;
    if (sqlite3_prepare_v2(db, "SELECT COALESCE((SELECT virtual_ns FROM run),"
                           " (SELECT MAX(time_ns) FROM event), 0)", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        end = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    return end;
}

static void title(struct canvas *c, sqlite3 *db)
{
    sqlite3_stmt *s;
    char label[512] = "kraftsim run";
    if (sqlite3_prepare_v2(db, "SELECT scenario, seed, verdict, trace_hash, complete FROM run",
                           -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        snprintf(label, sizeof label, "%s, seed %lld: %s, trace hash %s%s", text_col(s, 0),
                 (long long)sqlite3_column_int64(s, 1),
                 sqlite3_column_type(s, 2) == SQLITE_NULL ? "no verdict" : text_col(s, 2),
                 text_col(s, 3), sqlite3_column_int(s, 4) ? "" : " (INCOMPLETE: cut short)");
    }
    sqlite3_finalize(s);
    Agnode_t *n = pinned(c, "title", LEFT_PT + PLOT_PT / 2, LANE_PT);
    set(n, "shape", "plaintext");
    set(n, "label", label);
    set(n, "fontsize", "12");
}

Agraph_t *timeline_build(sqlite3 *db, struct timeline_window window, char *err, size_t cap)
{
    time_ns end = run_end(db);
    struct canvas *c = calloc(1, sizeof *c);
    if (c == NULL) {
        snprintf(err, cap, "out of memory");
        return NULL;
    }
    c->from = window.from;
    c->to = window.to == TIME_NS_MAX || window.to > end ? end : window.to;
    if (c->to <= c->from) {
        snprintf(err, cap, "the window is empty (the run ends at %.3f s)", (double)end / 1e9);
        free(c);
        return NULL;
    }
    c->g = agopen("timeline", Agdirected, NULL);
    set(c->g, "splines", "line");
    set(c->g, "fontname", "Helvetica");
    set(c->g, "bgcolor", "white");
    agattr(c->g, AGNODE, "fontname", "Helvetica");
    title(c, db);
    double violations_y = lane(c, "violations", "violations");
    sqlite3_stmt *s;
    /* A lane per node; a client host only if a client ran on it (a cluster has spares). */
    static const char lanes[] =
        "SELECT name FROM node n WHERE name <> 'admin' AND (name NOT LIKE 'client-%'"
        " OR EXISTS (SELECT 1 FROM event e WHERE e.node = n.name AND e.kind = 'host-start'))"
        " ORDER BY host";
    if (sqlite3_prepare_v2(db, lanes, -1, &s, NULL) == SQLITE_OK) {
        while (sqlite3_step(s) == SQLITE_ROW) {
            lane(c, text_col(s, 0), text_col(s, 0));
        }
    }
    sqlite3_finalize(s);
    double net_y = lane(c, "network", "network");
    draw_roles(c, db, end);
    draw_broker_states(c, db, end);
    draw_faults(c, db, end, net_y);
    draw_violations(c, db, end, violations_y);
    draw_partitions(c, db, end);
    draw_axis(c, -(double)c->lanes * LANE_PT);
    Agraph_t *g = c->g;
    free(c);
    return g;
}

bool timeline_render(Agraph_t *g, const char *path, char *err, size_t cap)
{
    const char *dot = strrchr(path, '.');
    const char *format = dot != NULL && strcmp(dot, ".png") == 0   ? "png"
                         : dot != NULL && strcmp(dot, ".svg") == 0 ? "svg"
                                                                   : NULL;
    if (format == NULL) {
        snprintf(err, cap, "%s: the picture is .svg or .png", path);
        return false;
    }
    GVC_t *gvc = gvContext();
    agseterr(AGERR); /* Graphviz's warnings are not the user's business */
    bool ok = gvLayout(gvc, g, "nop") == 0;
    ok = ok && gvRenderFilename(gvc, g, format, path) == 0;
    if (!ok) {
        snprintf(err, cap, "%s: Graphviz could not lay out or write the picture", path);
    }
    gvFreeLayout(gvc, g);
    gvFreeContext(gvc);
    return ok;
}

void timeline_free(Agraph_t *g) { agclose(g); }
