/* fault_log.c — the faults a run injected, kept in full up to a bound and counted after it. */
#include "scenario/fault_log.h"

#include <inttypes.h>
#include <string.h>

#include "text.h"
#include "trace/trace.h"

void fault_log_init(struct fault_log *l)
{
    KS_ASSERT(l != NULL);
    memset(l, 0, sizeof *l);
}

/* Copies `s` into dst[cap], cut with "..." if it does not fit: a display string. */
static void copy_cut(char *dst, size_t cap, const char *s)
{
    struct text t = text_init(dst, cap);
    text_printf(&t, "%s", s);
    if (!text_fits(&t)) {
        memcpy(dst + cap - 4, "...", 4);
    }
}

static void count_kind(struct fault_log *l, const char *kind)
{
    char name[FAULT_LOG_KIND_TEXT];
    copy_cut(name, sizeof name, kind);
    int i = 0;
    while (i < l->kind_count && strcmp(l->kinds[i].name, name) != 0) {
        i++;
    }
    if (i == l->kind_count && l->kind_count == FAULT_LOG_KINDS) {
        /* A scenario with more kinds than the table: the last slot counts the rest. */
        i = FAULT_LOG_KINDS - 1;
        copy_cut(l->kinds[i].name, sizeof l->kinds[i].name, "other");
    } else if (i == l->kind_count) {
        memcpy(l->kinds[l->kind_count++].name, name, sizeof name);
    }
    l->kinds[i].count++;
}

int fault_log_begin(struct fault_log *l, time_ns start, const char *kind, const char *targets)
{
    KS_ASSERT(l != NULL && kind != NULL && kind[0] != '\0' && targets != NULL);
    KS_ASSERT(start >= 0);
    KS_ASSERT(l->total < INT32_MAX);
    int id = (int)l->total++;
    count_kind(l, kind);
    if (id < FAULT_LOG_MAX) {
        struct fault_log_entry *e = &l->entries[id];
        copy_cut(e->kind, sizeof e->kind, kind);
        copy_cut(e->targets, sizeof e->targets, targets);
        e->start = start;
        e->end = -1;
    }
    return id;
}

void fault_log_end(struct fault_log *l, int id, time_ns end)
{
    KS_ASSERT(l != NULL && id >= 0 && (uint64_t)id < l->total);
    if (id < FAULT_LOG_MAX && l->entries[id].end < 0) {
        KS_ASSERT(end >= l->entries[id].start);
        l->entries[id].end = end;
    }
}

void fault_log_end_all(struct fault_log *l, time_ns end)
{
    fault_log_end_matching(l, NULL, NULL, end);
}

int fault_log_kept(const struct fault_log *l)
{
    return (int)(l->total < FAULT_LOG_MAX ? l->total : FAULT_LOG_MAX);
}

void fault_log_end_matching(struct fault_log *l, const char *kind, const char *targets,
                            time_ns end)
{
    KS_ASSERT(l != NULL);
    for (int i = 0; i < fault_log_kept(l); i++) {
        const struct fault_log_entry *f = &l->entries[i];
        if (f->end < 0 && (kind == NULL || strcmp(f->kind, kind) == 0) &&
            (targets == NULL || strcmp(f->targets, targets) == 0)) {
            fault_log_end(l, i, end);
        }
    }
}

uint64_t fault_log_total(const struct fault_log *l) { return l->total; }

void fault_log_tally(const struct fault_log *l, char *buf, size_t cap)
{
    KS_ASSERT(l != NULL && buf != NULL && cap > 4);
    struct text out = text_init(buf, cap);
    if (l->total == 0) {
        text_printf(&out, "no faults injected");
    } else {
        text_printf(&out, "%" PRIu64 " fault%s injected:", l->total, l->total == 1 ? "" : "s");
    }
    for (int i = 0; i < l->kind_count; i++) {
        text_printf(&out, "%s %" PRIu64 " %s", i == 0 ? "" : ",", l->kinds[i].count,
                    l->kinds[i].name);
    }
    if (!text_fits(&out)) {
        memcpy(buf + cap - 4, "...", 4); /* a display line: cut, and saying so */
    }
}

/* "12.653799": the trace's own time format, so a reader finds the moment in --trace. */
static const char *seconds(time_ns t, char *buf, size_t cap)
{
    trace_format_time(t, buf, cap);
    return buf + strspn(buf, " ");
}

/* A fault's line is a row of a table: start, end, kind, then the targets (the one column of no
 * fixed width). Widths are those of the rows printed. */
struct fault_row {
    char start[32];
    char end[48];
};

static void fault_row(const struct fault_log_entry *e, int width, struct fault_row *row)
{
    char buf[32];
    snprintf(row->start, sizeof row->start, "%*s s", width, seconds(e->start, buf, sizeof buf));
    if (e->end >= 0) {
        snprintf(row->end, sizeof row->end, "to %*s s", width, seconds(e->end, buf, sizeof buf));
    } else {
        snprintf(row->end, sizeof row->end, "until the end");
    }
}

void fault_log_print(const struct fault_log *l, FILE *out)
{
    char tally[512];
    fault_log_tally(l, tally, sizeof tally);
    fprintf(out, "%s\n", tally);
    uint64_t kept = l->total < FAULT_LOG_MAX ? l->total : FAULT_LOG_MAX;
    uint64_t shown = kept < FAULT_LOG_PRINTED ? kept : FAULT_LOG_PRINTED;
    int kind_width = 0, time_width = 0, end_width = 0;
    char buf[32];
    for (uint64_t i = 0; i < shown; i++) {
        const struct fault_log_entry *e = &l->entries[i];
        int n = (int)strlen(e->kind);
        kind_width = n > kind_width ? n : kind_width;
        time_ns last = e->end > e->start ? e->end : e->start;
        n = (int)strlen(seconds(last, buf, sizeof buf));
        time_width = n > time_width ? n : time_width;
    }
    for (uint64_t i = 0; i < shown; i++) {
        struct fault_row row;
        fault_row(&l->entries[i], time_width, &row);
        int n = (int)strlen(row.end);
        end_width = n > end_width ? n : end_width;
    }
    for (uint64_t i = 0; i < shown; i++) {
        const struct fault_log_entry *e = &l->entries[i];
        struct fault_row row;
        fault_row(e, time_width, &row);
        fprintf(out, "  %s %-*s  %-*s %s\n", row.start, end_width, row.end, kind_width, e->kind,
                e->targets);
    }
    if (l->total > shown) {
        fprintf(out, "  ... and %" PRIu64 " more\n", l->total - shown);
    }
}
