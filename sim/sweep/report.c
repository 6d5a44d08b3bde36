/* report.c — the sweep's closing table and its JUnit file (see report.h). */
#include "sweep/report.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static const char *const verdict_names[] = {"PASS", "FAIL", "ERROR", "INTERRUPTED"};

const char *sweep_verdict_name(enum sweep_verdict v) { return verdict_names[v]; }

bool sweep_verdict_parse(const char *name, enum sweep_verdict *v)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, verdict_names[i]) == 0) {
            *v = (enum sweep_verdict)i;
            return true;
        }
    }
    return false;
}

void sweep_row_of(const struct sweep_outcome *o, const char *replay, struct sweep_row *row)
{
    const struct run_result *r = &o->r;
    memset(row, 0, sizeof *row);
    row->seed = o->seed;
    row->exit_code = o->exit_code;
    row->trace_hash = r->trace_hash;
    row->violations = r->violations;
    row->faults = r->faults;
    row->virtual_ns = r->virtual_end;
    row->wall_s = o->wall_s;
    snprintf(row->replay, sizeof row->replay, "%s", replay);
    snprintf(row->draw, sizeof row->draw, "%s", r->draw);
    struct text t = text_init(row->checkers, sizeof row->checkers);
    switch (o->exit_code) {
    case 0:
        row->verdict = SWEEP_PASS;
        break;
    case 2:
        row->verdict = SWEEP_ERROR;
        snprintf(row->first, sizeof row->first, "%s", r->config_error);
        break;
    case 1:
    case 3:
    case -1:
        row->verdict = SWEEP_FAIL;
        for (int i = 0; i < r->checker_count; i++) {
            text_printf(&t, "%s%s:%u", i > 0 ? " " : "", r->checkers[i].name,
                        r->checkers[i].violations);
        }
        if (r->checker_count == 0) {
            /* an internal error or a crash: no checker's finding, the process's own */
            text_printf(&t, "%s:1", o->exit_code == 3 ? "internal" : "crash");
        }
        snprintf(row->first, sizeof row->first, "%s",
                 r->first_violation[0] != '\0' ? r->first_violation
                                               : "an internal error (exit 3): replay it to see");
        break;
    default:
        row->verdict = SWEEP_INTERRUPTED;
        break;
    }
}

void sweep_signature(const struct sweep_row *row, char *buf, size_t cap)
{
    struct text t = text_init(buf, cap);
    size_t name = strcspn(row->checkers, ":");
    text_printf(&t, "%.*s: ", (int)name, row->checkers);
    /* the checker's text without the leading "checker: " the message repeats */
    const char *s = row->first;
    if (strncmp(s, row->checkers, name) == 0 && strncmp(s + name, ": ", 2) == 0) {
        s += name + 2;
    }
    /* A long message is cut where the run kept it (a checker's first holds 320 bytes), so
     * only its first 120 characters, numbers made N, say which failure it is. */
    size_t end = t.len + 120 < cap ? t.len + 120 : cap;
    bool in_number = false;
    for (; *s != '\0' && t.len + 2 < end; s++) {
        /* a script's line ("two.lua:6") names the check that failed: it stays */
        if (!in_number && *s == ':' && isdigit((unsigned char)s[1])) {
            size_t n = 1 + strspn(s + 1, "0123456789");
            text_printf(&t, "%.*s", (int)n, s);
            s += n - 1;
            continue;
        }
        bool digit = isdigit((unsigned char)*s) || (in_number && *s == '.' &&
                                                     isdigit((unsigned char)s[1]));
        if (digit && !in_number) {
            text_printf(&t, "N");
        } else if (!digit) {
            text_printf(&t, "%c", *s);
        }
        in_number = digit;
    }
}

int sweep_row_by_seed(const void *a, const void *b)
{
    const struct sweep_row *x = a, *y = b;
    return x->seed < y->seed ? -1 : x->seed > y->seed;
}

struct checker_tally {
    char name[RUN_CHECKER_NAME];
    uint64_t seeds, violations, first_seed;
};

/* The failing rows' checkers, tallied: seeds each failed, violations, its first seed. */
static int tally_checkers(const struct sweep_row *rows, uint64_t count, struct checker_tally *ts,
                          int cap)
{
    int n = 0;
    for (uint64_t i = 0; i < count; i++) {
        const char *p = rows[i].checkers;
        while (*p != '\0') {
            size_t len = strcspn(p, ":");
            unsigned long v = strtoul(p + len + (p[len] == ':'), NULL, 10);
            int k = 0;
            while (k < n && (strlen(ts[k].name) != len || strncmp(ts[k].name, p, len) != 0)) {
                k++;
            }
            if (k == n && n < cap) {
                ts[n] = (struct checker_tally){.first_seed = rows[i].seed};
                snprintf(ts[n].name, sizeof ts[n].name, "%.*s", (int)len, p);
                n++;
            }
            if (k < n) {
                ts[k].seeds++;
                ts[k].violations += v;
            }
            p += strcspn(p, " ");
            p += strspn(p, " ");
        }
    }
    return n;
}

static void print_checkers(FILE *out, const struct sweep_row *rows, uint64_t count)
{
    struct checker_tally ts[32];
    int n = tally_checkers(rows, count, ts, 32);
    if (n == 0) {
        fprintf(out, "checkers: every check passed on every seed\n");
        return;
    }
    fprintf(out, "%-16s %12s %12s %12s\n", "checker", "seeds failed", "violations",
            "first seed");
    for (int k = 0; k < n; k++) {
        fprintf(out, "%-16s %12" PRIu64 " %12" PRIu64 " %12" PRIu64 "\n", ts[k].name,
                ts[k].seeds, ts[k].violations, ts[k].first_seed);
    }
    fprintf(out, "(every other check passed on every seed)\n");
}

static void print_slowest(FILE *out, const struct sweep_row *rows, uint64_t count)
{
    enum { SLOWEST = 5 };
    const struct sweep_row *top[SLOWEST] = {0};
    for (uint64_t i = 0; i < count; i++) {
        const struct sweep_row *r = &rows[i];
        for (int k = 0; k < SLOWEST; k++) {
            if (top[k] == NULL || r->wall_s > top[k]->wall_s) {
                memmove(&top[k + 1], &top[k], (size_t)(SLOWEST - 1 - k) * sizeof top[0]);
                top[k] = r;
                break;
            }
        }
    }
    fprintf(out, "slowest:");
    for (int k = 0; k < SLOWEST && top[k] != NULL; k++) {
        fprintf(out, "%s seed %" PRIu64 " %.2f s", k > 0 ? "," : "", top[k]->seed,
                top[k]->wall_s);
    }
    fprintf(out, "\n");
}

/* Each distinct failure (or error) signature once, with its count and lowest seed (rows are
 * sorted by seed). Each row's signature is made once. */
static void print_signatures(FILE *out, const struct sweep_row *rows, uint64_t count)
{
    typedef char signature[SWEEP_TEXT + 32];
    uint64_t cap = count > 0 ? count : 1;
    uint64_t *first = malloc(cap * sizeof *first);
    uint64_t *seen = calloc(cap, sizeof *seen);
    signature *sig = malloc(cap * sizeof *sig); /* of the distinct ones, in first-seen order */
    KS_ASSERT(first != NULL && seen != NULL && sig != NULL);
    uint64_t distinct = 0;
    signature a;
    for (uint64_t i = 0; i < count; i++) {
        if (rows[i].verdict != SWEEP_FAIL && rows[i].verdict != SWEEP_ERROR) {
            continue;
        }
        sweep_signature(&rows[i], a, sizeof a);
        uint64_t k = 0;
        while (k < distinct &&
               (strcmp(a, sig[k]) != 0 || rows[first[k]].verdict != rows[i].verdict)) {
            k++;
        }
        if (k == distinct) {
            first[distinct] = i;
            memcpy(sig[distinct++], a, sizeof a);
        }
        seen[k]++;
    }
    if (distinct > 0) {
        fprintf(out, "failures, %" PRIu64 " distinct:\n", distinct);
    }
    for (uint64_t k = 0; k < distinct; k++) {
        const struct sweep_row *r = &rows[first[k]];
        fprintf(out, "  %s%s\n    %" PRIu64 " seed%s, first seed %" PRIu64 ": %s\n",
                r->verdict == SWEEP_ERROR ? "scenario error: " : "", sig[k], seen[k],
                seen[k] == 1 ? "" : "s", r->seed, r->first);
        fprintf(out, "    replay: %s\n", r->replay);
        if (r->run_db[0] != '\0') {
            fprintf(out, "    run database: %s\n", r->run_db);
            if (r->verdict == SWEEP_FAIL) {
                fprintf(out, "    shrink it: kraftsim shrink %s\n", r->run_db);
            }
        }
    }
    free(first);
    free(seen);
    free(sig);
}

struct drawn {
    char kind[32];
    uint64_t seeds, failed;
};

/* Swarm seeds: how often each fault kind was drawn ("faults=a,b" in the draw), and how many of
 * those seeds failed, so a sweep shows what it exercised. */
static void print_drawn(FILE *out, const struct sweep_row *rows, uint64_t count)
{
    struct drawn d[32];
    int n = 0;
    uint64_t swarm = 0;
    for (uint64_t i = 0; i < count; i++) {
        const char *f = strstr(rows[i].draw, "faults=");
        swarm += f != NULL;
        for (const char *p = f != NULL ? f + 7 : ""; *p != '\0' && *p != ' ';) {
            size_t len = strcspn(p, ", ");
            int k = 0;
            while (k < n && (strlen(d[k].kind) != len || strncmp(d[k].kind, p, len) != 0)) {
                k++;
            }
            if (k == n && n < 32) {
                d[n] = (struct drawn){0};
                snprintf(d[n++].kind, sizeof d[0].kind, "%.*s", (int)len, p);
            }
            if (k < n) {
                d[k].seeds++;
                d[k].failed += rows[i].verdict == SWEEP_FAIL;
            }
            p += len + (p[len] == ',');
        }
    }
    if (swarm == 0) {
        return;
    }
    fprintf(out, "faults drawn (of %" PRIu64 " swarm seeds; failed):", swarm);
    for (int k = 0; k < n; k++) {
        fprintf(out, "%s %s %" PRIu64 " (%" PRIu64 ")", k > 0 ? "," : "", d[k].kind, d[k].seeds,
                d[k].failed);
    }
    fprintf(out, "\n");
}

void sweep_report_print(FILE *out, const char *what, struct sweep_row *rows, uint64_t count,
                        double wall_s)
{
    qsort(rows, count, sizeof *rows, sweep_row_by_seed);
    uint64_t by[4] = {0};
    for (uint64_t i = 0; i < count; i++) {
        by[rows[i].verdict]++;
    }
    fprintf(out, "sweep: %s: %" PRIu64 " seeds in %.1f s (%.1f seeds/s): %" PRIu64
            " passed, %" PRIu64 " failed", what, count, wall_s,
            wall_s > 0 ? (double)count / wall_s : 0.0, by[SWEEP_PASS], by[SWEEP_FAIL]);
    if (by[SWEEP_ERROR] > 0) {
        fprintf(out, ", %" PRIu64 " scenario errors", by[SWEEP_ERROR]);
    }
    if (by[SWEEP_INTERRUPTED] > 0) {
        fprintf(out, ", %" PRIu64 " interrupted", by[SWEEP_INTERRUPTED]);
    }
    fprintf(out, "\n");
    print_checkers(out, rows, count);
    print_drawn(out, rows, count);
    if (count > 0) {
        print_slowest(out, rows, count);
    }
    print_signatures(out, rows, count);
}

/* Text for XML: the five characters it reserves escaped, control characters dropped. */
static void xml_text(FILE *f, const char *s)
{
    for (; *s != '\0'; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t') {
                fputc(*s, f);
            }
        }
    }
}

bool sweep_junit_write(const char *path, const char *suite, const char *classname,
                       const struct sweep_row *rows, uint64_t count, char *err, size_t cap)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return false;
    }
    uint64_t failures = 0, errors = 0;
    double total = 0;
    for (uint64_t i = 0; i < count; i++) {
        failures += rows[i].verdict == SWEEP_FAIL;
        errors += rows[i].verdict == SWEEP_ERROR;
        total += rows[i].wall_s;
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    fprintf(f, "<testsuite name=\"");
    xml_text(f, suite);
    fprintf(f, "\" tests=\"%" PRIu64 "\" failures=\"%" PRIu64 "\" errors=\"%" PRIu64
            "\" time=\"%.3f\">\n", count, failures, errors, total);
    for (uint64_t i = 0; i < count; i++) {
        const struct sweep_row *r = &rows[i];
        fprintf(f, "  <testcase classname=\"");
        xml_text(f, classname);
        fprintf(f, "\" name=\"seed %" PRIu64 "\" time=\"%.3f\"", r->seed, r->wall_s);
        if (r->verdict == SWEEP_PASS) {
            fprintf(f, "/>\n");
            continue;
        }
        const char *tag = r->verdict == SWEEP_ERROR ? "error"
                          : r->verdict == SWEEP_FAIL ? "failure" : "skipped";
        fprintf(f, ">\n    <%s message=\"", tag);
        xml_text(f, r->first[0] != '\0' ? r->first : "interrupted");
        fprintf(f, "\" type=\"");
        xml_text(f, r->checkers[0] != '\0' ? r->checkers : sweep_verdict_name(r->verdict));
        fprintf(f, "\">replay: ");
        xml_text(f, r->replay);
        if (r->run_db[0] != '\0') {
            fprintf(f, "\nrun database: ");
            xml_text(f, r->run_db);
        }
        fprintf(f, "</%s>\n  </testcase>\n", tag);
    }
    fprintf(f, "</testsuite>\n</testsuites>\n");
    bool ok = !ferror(f);
    ok = fclose(f) == 0 && ok;
    if (!ok) {
        snprintf(err, cap, "%s: cannot write the JUnit file", path);
    }
    return ok;
}
