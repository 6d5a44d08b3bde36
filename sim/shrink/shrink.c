/* shrink.c — delta debugging a failing run down to a small scenario (shrink/shrink.h). */
#include "shrink/shrink.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua/cluster.h"
#include "lua/runtime.h"
#include "sweep/pool.h"
#include "text.h"

/* ---- the scenario text of a case ----------------------------------------------------------- */

void shrink_format_seconds(time_ns t, char *buf, size_t cap)
{
    char frac[16];
    snprintf(frac, sizeof frac, "%09" PRId64, t % NS_PER_S);
    for (int i = 8; i >= 0 && frac[i] == '0'; i--) {
        frac[i] = '\0';
    }
    snprintf(buf, cap, "%" PRId64 "%s%s", t / NS_PER_S, frac[0] ? "." : "", frac);
}

/* A Lua string literal of text (the targets are names and punctuation; quote what is not). */
static void lua_quoted(FILE *out, const char *text)
{
    fputc('"', out);
    for (const char *c = text; *c != '\0'; c++) {
        if (*c == '"' || *c == '\\') {
            fputc('\\', out);
        }
        fputc((unsigned char)*c < 0x20 ? '?' : *c, out);
    }
    fputc('"', out);
}

static int case_nodes(const struct shrink_case *k)
{
    return k->combined + k->controllers + k->brokers;
}

/* text as Lua comment lines of at most 100 columns, broken at spaces. */
static void comment(FILE *out, const char *text)
{
    const int width = 96;
    while (*text != '\0') {
        int n = (int)strlen(text);
        if (n > width) {
            n = width;
            while (n > 0 && text[n] != ' ') {
                n--;
            }
            n = n > 0 ? n : width;
        }
        fprintf(out, "-- %.*s\n", n, text);
        text += n;
        while (*text == ' ') {
            text++;
        }
    }
}

static void write_header(FILE *out, const struct shrink *s, const struct shrink_case *k,
                         const char *path, const char *from)
{
    char line[1024];
    struct text t = text_init(line, sizeof line);
    text_printf(&t, "%s, seed %" PRIu64 ", shrunk by kraftsim shrink from %s.", s->chunk,
                s->seed, from);
    comment(out, line);
    t = text_init(line, sizeof line);
    text_printf(&t, "Check %s still fails with %d of the run's %d nemesis faults", s->checker,
                k->fault_count, fault_log_kept(&s->capture.nemesis));
    if (k->duration > 0) {
        char dur[32], was[32];
        shrink_format_seconds(k->duration, dur, sizeof dur);
        shrink_format_seconds(s->capture.duration, was, sizeof was);
        text_printf(&t, ", in %s s of its %s s", dur, was);
    }
    if (k->cluster) {
        text_printf(&t, ", on %d of its %d nodes", case_nodes(k),
                    s->capture.combined + s->capture.controllers + s->capture.brokers);
    }
    text_printf(&t, ".");
    comment(out, line);
    const struct checker_count *first = run_result_checker(&s->best_result, s->checker);
    if (first != NULL) {
        t = text_init(line, sizeof line);
        text_printf(&t, "The first violation: %s", first->first);
        comment(out, line);
    }
    char flags[1200];
    shrink_config_flags(s, flags, sizeof flags);
    fprintf(out, "-- Run it: kraftsim run %s%s --seed %" PRIu64 "\n", path, flags, s->seed);
}

void shrink_config_flags(const struct shrink *s, char *buf, size_t cap)
{
    struct text t = text_init(buf, cap);
    for (int i = 0; i < s->config_file_count; i++) {
        text_printf(&t, " --config %s", s->config_files[i]);
    }
}

/* The kraft.shrunk{...} call: one entry a line, or (`nl` = " ") all on one line. */
static void write_shrunk_call(FILE *out, const struct shrink *s, const struct shrink_case *k,
                              const char *nl)
{
    fprintf(out, "kraft.shrunk{%s  seed = %" PRIu64 ",%s", nl, s->seed, nl);
    if (s->kafka_version != NULL) {
        fprintf(out, "  kafka_version = ");
        lua_quoted(out, s->kafka_version);
        fprintf(out, ",%s", nl);
    }
    if (k->duration > 0) {
        char d[32];
        shrink_format_seconds(k->duration, d, sizeof d);
        fprintf(out, "  duration = %s * s,%s", d, nl);
    }
    if (k->cluster) {
        fprintf(out, "  cluster = { combined = %d, controllers = %d, brokers = %d },%s",
                k->combined, k->controllers, k->brokers, nl);
    }
    fprintf(out, "  faults = {%s", k->fault_count > 0 ? nl : "");
    for (int f = 0; f < k->fault_count; f++) {
        const struct lua_shrunk_fault *e = &k->faults[f];
        char at[32], len[32];
        shrink_format_seconds(e->at, at, sizeof at);
        fprintf(out, "    { at = %s * s, ", at);
        if (e->length >= 0) {
            shrink_format_seconds(e->length, len, sizeof len);
            fprintf(out, "length = %s * s, ", len);
        }
        lua_quoted(out, e->kind);
        /* a long one puts its targets on a line of their own, under 100 columns */
        fprintf(out, ",%s", nl[0] == '\n' && strlen(e->targets) > 40 ? "\n      " : " ");
        lua_quoted(out, e->targets);
        fprintf(out, " },%s%s", e->length < 0 && nl[0] == '\n' ? " -- until the nemesis stops" : "",
                nl);
    }
    fprintf(out, "%s},%s}%s", k->fault_count > 0 ? "  " : "", nl, nl);
}

char *shrink_script(const struct shrink *s, const struct shrink_case *k, const char *path,
                    const char *from)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    KS_ASSERT(out != NULL);
    if (path == NULL) {
        /* A candidate: the call in front of the script's first line, so every line of the
         * script keeps its number (its check messages and their trace stay the run's). */
        write_shrunk_call(out, s, k, " ");
        if (s->len > 0 && s->text[0] == '#') {
            fputc('\n', out); /* a #! line must stay first, and Lua skips it */
        }
    } else {
        write_header(out, s, k, path, from);
        write_shrunk_call(out, s, k, "\n");
        fprintf(out, "-- The recorded script follows as it ran. Its c:nemesis{...} injects the"
                " faults above\n-- instead of drawing its own; kraft.duration and kraft.cluster"
                " answer kraft.shrunk's\n-- duration and cluster.\n");
    }
    fwrite(s->text, 1, s->len, out);
    if (s->len > 0 && s->text[s->len - 1] != '\n') {
        fputc('\n', out);
    }
    KS_ASSERT(fclose(out) == 0);
    return text;
}

/* ---- running candidates -------------------------------------------------------------------- */

struct batch {
    const struct shrink *s;
    char *texts[64];
    struct sweep_outcome outcomes[64];
    int count;
};

int shrink_try(const struct shrink *s, const char *path, const char *text, struct run_result *r)
{
    FILE *quiet = fopen("/dev/null", "w");
    KS_ASSERT(quiet != NULL);
    struct run_opts opts = {.seed = s->seed, .duration = 0, .out = quiet,
                            .planted_bug = s->planted_bug, .kafka_version = NULL,
                            .config_files = s->config_files,
                            .config_file_count = s->config_file_count};
    memset(r, 0, sizeof *r);
    lua_scenario_run(path != NULL ? path : s->chunk, text, strlen(text),
                     path == NULL && s->shipped, &opts, r);
    fclose(quiet);
    return r->config_error[0] != '\0' ? 2 : r->violations > 0 ? 1 : 0;
}

/* In the worker: candidate `index` of the batch. */
static int run_candidate(void *ctx, uint64_t index, struct run_result *r)
{
    const struct batch *b = ctx;
    return shrink_try(b->s, NULL, b->texts[index], r);
}

static bool keep_outcome(void *ctx, const struct sweep_outcome *o)
{
    struct batch *b = ctx;
    b->outcomes[o->seed] = *o;
    return true;
}

static bool fails_alike(const struct shrink *s, const struct sweep_outcome *o)
{
    return o->exit_code == 1 && run_result_checker(&o->r, s->checker) != NULL;
}

/* The first of cases[0 .. count) that fails s->checker, or -1: they run s->jobs at a time,
 * a batch after another, so the answer does not depend on how many run at once. */
static int first_failing(struct shrink *s, const struct shrink_case *cases, int count)
{
    static struct batch b;
    int per = s->jobs < 1 ? 1 : s->jobs > 64 ? 64 : s->jobs;
    for (int from = 0; from < count; from += per) {
        b.s = s;
        b.count = count - from < per ? count - from : per;
        uint64_t index[64];
        for (int i = 0; i < b.count; i++) {
            b.texts[i] = shrink_script(s, &cases[from + i], NULL, NULL);
            index[i] = (uint64_t)i;
            memset(&b.outcomes[i], 0, sizeof b.outcomes[i]);
        }
        struct sweep_pool p = {.jobs = per, .run = run_candidate, .run_ctx = &b,
                               .done = keep_outcome, .done_ctx = &b};
        sweep_pool_run(&p, index, (uint64_t)b.count);
        s->runs += (uint64_t)b.count;
        int hit = -1;
        for (int i = 0; i < b.count; i++) {
            free(b.texts[i]);
            if (hit < 0 && fails_alike(s, &b.outcomes[i])) {
                hit = i;
            }
        }
        if (hit >= 0) {
            s->best_result = b.outcomes[hit].r;
            return from + hit;
        }
    }
    return -1;
}

static struct shrink_case *cases_alloc(int count)
{
    struct shrink_case *c = calloc((size_t)(count > 0 ? count : 1), sizeof *c);
    KS_ASSERT(c != NULL);
    return c;
}

/* ---- the steps ----------------------------------------------------------------------------- */

static void report(struct shrink *s, uint64_t runs_before, const char *what, const char *before,
                   const char *after)
{
    struct shrink_step st = {.runs = s->runs - runs_before};
    snprintf(st.line, sizeof st.line, "%-14s %s -> %s", what, before, after);
    if (s->progress != NULL) {
        s->progress(s->progress_ctx, &st);
    }
}

/* 1. The run's length: a search for the shortest that fails, at quarters of what is left. */
static void shrink_duration(struct shrink *s)
{
    if (s->best.duration <= 0) {
        return;
    }
    uint64_t before = s->runs;
    char was[40], now[40];
    shrink_format_seconds(s->best.duration, was, sizeof was);
    /* Three points a round, whatever the jobs: the search ends where it ends on any machine. */
    const int per = 3;
    struct shrink_case *cases = cases_alloc(per);
    time_ns lo = 0, hi = s->best.duration;
    const time_ns step = 100 * NS_PER_MS; /* candidates are whole tenths of a second */
    while (hi - lo > 5 * step && hi - lo > s->best.duration / 64) {
        int n = 0;
        for (int i = 1; i <= per; i++) {
            time_ns t = (lo + (hi - lo) * i / (per + 1)) / step * step;
            if (t > lo && t < hi && (n == 0 || t > cases[n - 1].duration)) {
                cases[n] = s->best;
                cases[n++].duration = t;
            }
        }
        if (n == 0) {
            break;
        }
        int f = first_failing(s, cases, n);
        if (f >= 0) {
            hi = cases[f].duration;
            lo = f > 0 ? cases[f - 1].duration : lo;
            s->best.duration = hi;
        } else {
            lo = cases[n - 1].duration;
        }
    }
    free(cases);
    shrink_format_seconds(s->best.duration, now, sizeof now);
    strcat(was, " s");
    strcat(now, " s");
    report(s, before, "the run", was, now);
}

/* best with only the faults whose keep[] is set. */
static void case_keeping(const struct shrink *s, const bool *keep, struct shrink_case *out)
{
    *out = s->best;
    out->fault_count = 0;
    for (int f = 0; f < s->best.fault_count; f++) {
        if (keep[f]) {
            out->faults[out->fault_count++] = s->best.faults[f];
        }
    }
}

/* Candidates of one ddmin round over n faults in `gran` chunks: each chunk alone, then (with
 * more than two chunks) everything but each chunk. */
static int ddmin_round(const struct shrink *s, int gran, struct shrink_case *cases)
{
    int n = s->best.fault_count, count = 0;
    bool keep[LUA_SHRUNK_FAULTS_MAX];
    for (int complement = 0; complement < (gran > 2 ? 2 : 1); complement++) {
        for (int c = 0; c < gran; c++) {
            int lo = n * c / gran, hi = n * (c + 1) / gran;
            for (int f = 0; f < n; f++) {
                keep[f] = (f >= lo && f < hi) != (complement != 0);
            }
            case_keeping(s, keep, &cases[count++]);
        }
    }
    return count;
}

/* 2. The faults: ddmin (Zeller and Hildebrandt, 2002), after trying none at all. */
static void shrink_faults(struct shrink *s)
{
    uint64_t before = s->runs;
    char was[16], now[16];
    snprintf(was, sizeof was, "%d", s->best.fault_count);
    struct shrink_case *cases = cases_alloc(2 * s->best.fault_count);
    cases[0] = s->best;
    cases[0].fault_count = 0;
    if (s->best.fault_count > 0 && first_failing(s, cases, 1) == 0) {
        s->best.fault_count = 0;
    }
    int gran = 2;
    while (s->best.fault_count >= 2) {
        int n = s->best.fault_count;
        gran = gran > n ? n : gran;
        int count = ddmin_round(s, gran, cases);
        int f = first_failing(s, cases, count);
        if (f >= 0) {
            s->best = cases[f];
            gran = f < gran ? 2 : (gran - 1 > 2 ? gran - 1 : 2);
        } else if (gran == n) {
            break;
        } else {
            gran = 2 * gran < n ? 2 * gran : n;
        }
    }
    free(cases);
    snprintf(now, sizeof now, "%d", s->best.fault_count);
    report(s, before, "faults", was, now);
}

/* Case k's fault targets after node index `gone` of the cluster s->best leaves it: the nodes
 * after it (in k's shape) are renumbered one down, as ids counting up from 1 are. False if a
 * fault would lose a node it cannot do without (its only node, a side of a cut, a bridge's
 * middle). */
static bool without_node(const struct shrink *s, struct shrink_case *k, int gone)
{
    const struct shrink_case *o = &s->best;
    for (int f = 0; f < k->fault_count; f++) {
        char words[FAULT_LOG_TARGET_TEXT], out[FAULT_LOG_TARGET_TEXT] = "";
        snprintf(words, sizeof words, "%s", k->faults[f].targets);
        struct text t = text_init(out, sizeof out);
        const char *was = k->faults[f].targets;
        bool cut = strstr(was, " | ") != NULL || strstr(was, " -> ") != NULL;
        int side_nodes = 0;
        bool ok = true;
        for (char *w = strtok(words, " "); w != NULL; w = strtok(NULL, " ")) {
            int node = -1;
            for (int i = 0; i < case_nodes(o) && node < 0; i++) {
                char name[32];
                lua_cluster_node_name(o->combined, o->controllers, i, name, sizeof name);
                node = strcmp(name, w) == 0 ? i : -1;
            }
            bool sep = strcmp(w, "|") == 0 || strcmp(w, "->") == 0;
            if (node == gone) {
                ok &= cut; /* a cut may lose a node from a side (each must keep one, below);
                              any other fault is its node's */
                continue;
            }
            ok &= !sep || side_nodes > 0;
            side_nodes = sep ? 0 : side_nodes + (node >= 0);
            char name[32];
            if (node >= 0) {
                int now = node > gone ? node - 1 : node;
                lua_cluster_node_name(k->combined, k->controllers, now, name, sizeof name);
            }
            text_printf(&t, "%s%s", out[0] ? " " : "", node >= 0 ? name : w);
        }
        ok &= side_nodes > 0 || strcmp(k->faults[f].kind, "lossy-network") == 0;
        /* a bridge keeps its middle: "a | m | b" with one node between the bars */
        char *bar = strstr(out, " | ");
        char *bar2 = bar != NULL ? strstr(bar + 3, " | ") : NULL;
        if (bar2 != NULL && (memchr(bar + 3, ' ', (size_t)(bar2 - bar - 3)) != NULL)) {
            ok = false;
        }
        if (!ok) {
            return false;
        }
        snprintf(k->faults[f].targets, sizeof k->faults[f].targets, "%s", out);
    }
    return true;
}

/* 3. The cluster: the last node of a role fewer, brokers first, while one still fails. */
static void shrink_cluster(struct shrink *s)
{
    if (!s->best.cluster) {
        return;
    }
    uint64_t before = s->runs;
    char was[16], now[16];
    snprintf(was, sizeof was, "%d nodes", case_nodes(&s->best));
    struct shrink_case *cases = cases_alloc(3);
    for (;;) {
        int n = 0;
        for (int role = 0; role < 3; role++) {
            struct shrink_case *k = &cases[n];
            *k = s->best;
            int *count = role == 0 ? &k->brokers : role == 1 ? &k->controllers : &k->combined;
            int last = role == 0   ? case_nodes(k) - 1
                       : role == 1 ? k->combined + k->controllers - 1
                                   : k->combined - 1;
            if (*count == 0 || (role > 0 && k->combined + k->controllers == 1)) {
                continue; /* a cluster keeps one voter */
            }
            (*count)--;
            n += without_node(s, k, last);
        }
        int f = n > 0 ? first_failing(s, cases, n) : -1;
        if (f < 0) {
            break;
        }
        s->best = cases[f];
    }
    free(cases);
    snprintf(now, sizeof now, "%d nodes", case_nodes(&s->best));
    report(s, before, "the cluster", was, now);
}

static time_ns total_length(const struct shrink_case *k)
{
    time_ns t = 0;
    for (int f = 0; f < k->fault_count; f++) {
        t += k->faults[f].length > 0 ? k->faults[f].length : 0;
    }
    return t;
}

/* 4. Each fault's length: the shortest of 1/16, 1/8, 1/4 and 1/2 of it that still fails. */
static void shrink_lengths(struct shrink *s)
{
    if (s->best.fault_count == 0) {
        return;
    }
    uint64_t before = s->runs;
    char was[48], now[48];
    snprintf(was, sizeof was, "%.3f s in all", (double)total_length(&s->best) / NS_PER_S);
    struct shrink_case *cases = cases_alloc(4);
    for (int f = 0; f < s->best.fault_count; f++) {
        time_ns len = s->best.faults[f].length;
        int n = 0;
        for (int shift = 4; shift >= 1; shift--) {
            time_ns shorter = (len >> shift) / NS_PER_MS * NS_PER_MS;
            if (shorter >= NS_PER_MS && (n == 0 || shorter > cases[n - 1].faults[f].length)) {
                cases[n] = s->best;
                cases[n++].faults[f].length = shorter;
            }
        }
        int hit = n > 0 ? first_failing(s, cases, n) : -1;
        if (hit >= 0) {
            s->best = cases[hit];
        }
    }
    free(cases);
    snprintf(now, sizeof now, "%.3f s in all", (double)total_length(&s->best) / NS_PER_S);
    report(s, before, "fault lengths", was, now);
}

/* ---- the whole ----------------------------------------------------------------------------- */

/* The case that replays the run as it was: every fault the nemesis drew. */
static bool case_of_capture(struct shrink *s)
{
    const struct run_capture *c = &s->capture;
    if (c->nemesis.total > (uint64_t)fault_log_kept(&c->nemesis)) {
        snprintf(s->error, sizeof s->error, "the run injected %" PRIu64 " nemesis faults, more "
                 "than the %d kraftsim shrink can hold; shrink a shorter run (--duration)",
                 c->nemesis.total, FAULT_LOG_MAX);
        return false;
    }
    struct shrink_case *k = &s->best;
    memset(k, 0, sizeof *k);
    for (int f = 0; f < fault_log_kept(&c->nemesis); f++) {
        const struct fault_log_entry *e = &c->nemesis.entries[f];
        struct lua_shrunk_fault *out = &k->faults[k->fault_count++];
        snprintf(out->kind, sizeof out->kind, "%s", e->kind);
        snprintf(out->targets, sizeof out->targets, "%s", e->targets);
        out->at = e->start;
        out->length = e->end >= 0 ? e->end - e->start : -1;
    }
    k->duration = c->duration;
    k->cluster = c->cluster;
    k->combined = c->combined;
    k->controllers = c->controllers;
    k->brokers = c->brokers;
    return true;
}

bool shrink_run(struct shrink *s)
{
    memset(&s->capture, 0, sizeof s->capture);
    fault_log_init(&s->capture.nemesis);
    s->runs = 0;
    s->error[0] = '\0';
    /* The seed as recorded, with its flags: the run that is to be shrunk. */
    FILE *quiet = fopen("/dev/null", "w");
    KS_ASSERT(quiet != NULL);
    struct run_opts opts = {.seed = s->seed, .duration = s->duration, .out = quiet,
                            .planted_bug = s->planted_bug, .capture = &s->capture,
                            .kafka_version = s->kafka_version, .config_files = s->config_files,
                            .config_file_count = s->config_file_count};
    memset(&s->original, 0, sizeof s->original);
    lua_scenario_run(s->chunk, s->text, s->len, s->shipped, &opts, &s->original);
    fclose(quiet);
    if (s->original.config_error[0] != '\0') {
        snprintf(s->error, sizeof s->error, "the scenario stops with an error, not a failed "
                 "check: %s", s->original.config_error);
        return false;
    }
    if (s->original.checker_count == 0) {
        snprintf(s->error, sizeof s->error, "seed %" PRIu64 " passes every check: there is no "
                 "failure to shrink", s->seed);
        return false;
    }
    snprintf(s->checker, sizeof s->checker, "%s", s->original.checkers[0].name);
    if (!case_of_capture(s)) {
        return false;
    }
    /* Played back from its faults, the run must fail as it did, or nothing can be shrunk. */
    int f = first_failing(s, &s->best, 1);
    if (f < 0) {
        snprintf(s->error, sizeof s->error, "played back from the %d faults its nemesis drew, "
                 "seed %" PRIu64 " no longer fails %s: kraftsim shrink cannot take it apart",
                 s->best.fault_count, s->seed, s->checker);
        return false;
    }
    s->exact = s->best_result.trace_hash == s->original.trace_hash;
    char faults[48];
    snprintf(faults, sizeof faults, "%d nemesis faults", s->best.fault_count);
    report(s, 0, "played back", faults,
           s->exact ? "fails alike, the same trace hash" : "fails alike (another trace hash)");
    shrink_duration(s);
    shrink_faults(s);
    shrink_cluster(s);
    shrink_lengths(s);
    return true;
}
