/* scenario.c — the table of built-in C scenarios, and what they share. */
#include "scenario/scenario.h"
#include "scenario/fault_log.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "text.h"
#include "node.h"
#include "trace/filter.h"
#include "trace/trace.h"
#include "world/world.h"

static const struct scenario *const scenarios[] = {
    NULL};

const struct scenario *const *scenario_all(void) { return scenarios; }

const struct scenario *scenario_find(const char *name)
{
    for (int i = 0; scenarios[i] != NULL; i++) {
        if (strcmp(scenarios[i]->name, name) == 0) {
            return scenarios[i];
        }
    }
    return NULL;
}

int scenario_release_number(const struct run_opts *opts)
{
    const struct kafka_release *r =
        opts->kafka_version != NULL ? release_find(opts->kafka_version) : release_default();
    KS_ASSERT(r != NULL); /* the configs, which name it too, parsed */
    return r->number;
}

bool scenario_properties_fit(size_t len, const char *file, size_t cap, struct run_result *result)
{
    if (len > 0) {
        return true;
    }
    snprintf(result->config_error, sizeof result->config_error,
             "%s: the generated file does not fit in %zu bytes (is a flag value too long?)", file,
             cap);
    return false;
}

bool scenario_node_config(const char *text, size_t len, const char *file,
                          struct node_config *node, bool first, struct run_result *result)
{
    struct kafka_config *k = malloc(sizeof *k);
    KS_ASSERT(k != NULL);
    struct config_error cerr;
    char err[256];
    int rc = config_parse(text, len, file, k, &cerr);
    if (rc == CONFIG_OK && node_config_from_kafka(node, k, "", err, sizeof err) != 0) {
        rc = CONFIG_EINVALID;
        snprintf(cerr.message, sizeof cerr.message, "%s: %s", file, err);
    }
    if (rc == CONFIG_OK && first) {
        switches_describe(&k->switches, result->switches, sizeof result->switches);
    }
    free(k);
    if (rc != CONFIG_OK) {
        snprintf(result->config_error, sizeof result->config_error, "%s", cerr.message);
        return false;
    }
    return true;
}

void run_result_violation(struct run_result *r, const char *checker, const char *text)
{
    KS_ASSERT(r != NULL && checker != NULL && checker[0] != '\0' && text != NULL);
    if (r->violations++ == 0) {
        snprintf(r->first_violation, sizeof r->first_violation, "%s", text);
    }
    int i = 0;
    while (i < r->checker_count && strncmp(r->checkers[i].name, checker, RUN_CHECKER_NAME) != 0) {
        i++;
    }
    if (i == r->checker_count && i == RUN_CHECKERS_MAX) {
        i = RUN_CHECKERS_MAX - 1; /* more checkers than the table: the last counts the rest */
        snprintf(r->checkers[i].name, sizeof r->checkers[i].name, "other");
    } else if (i == r->checker_count) {
        r->checker_count++;
        snprintf(r->checkers[i].name, sizeof r->checkers[i].name, "%s", checker);
    }
    if (r->checkers[i].violations++ == 0) {
        snprintf(r->checkers[i].first, sizeof r->checkers[i].first, "%s", text);
    }
}

const struct checker_count *run_result_checker(const struct run_result *r, const char *checker)
{
    for (int i = 0; i < r->checker_count; i++) {
        if (strncmp(r->checkers[i].name, checker, RUN_CHECKER_NAME) == 0) {
            return &r->checkers[i];
        }
    }
    return NULL;
}

void scenario_violation(struct world *w, struct run_result *result, const char *checker,
                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    scenario_violationv(w, result, checker, fmt, ap);
    va_end(ap);
}

void scenario_violationv(struct world *w, struct run_result *result, const char *checker,
                         const char *fmt, va_list ap)
{
    char text[200];
    vsnprintf(text, sizeof text, fmt, ap);
    char when[32], line[256];
    trace_format_time(world_now(w), when, sizeof when);
    snprintf(line, sizeof line, "%s at %s s", text, when + strspn(when, " "));
    run_result_violation(result, checker, line);
    trace_emitf(&w->trace, world_now(w), TRACE_HOST_NONE, TRACE_NOTE, "violation %s", text);
}

void scenario_format_duration(time_ns d, char *buf, size_t cap)
{
    static const struct {
        const char *unit;
        time_ns scale;
    } units[] = {{"h", 3600 * NS_PER_S}, {"m", 60 * NS_PER_S}, {"s", NS_PER_S},
                 {"ms", NS_PER_MS},      {"us", NS_PER_US},     {"ns", 1}};
    KS_ASSERT(d >= 0);
    size_t i = d == 0 ? 2 : 0; /* "0s" */
    while (d % units[i].scale != 0) {
        i++; /* the largest unit that says it exactly: "90s", "2m", "500ms" */
    }
    snprintf(buf, cap, "%" PRId64 "%s", d / units[i].scale, units[i].unit);
}

bool scenario_duration_ok(const struct scenario *s, const struct run_opts *opts,
                          struct run_result *result)
{
    if (opts->duration <= 0 || opts->duration >= s->min_duration) {
        return true;
    }
    char given[32], least[32];
    scenario_format_duration(opts->duration, given, sizeof given);
    scenario_format_duration(s->min_duration, least, sizeof least);
    snprintf(result->config_error, sizeof result->config_error,
             "--duration %s: scenario %s needs at least %s (%s)", given, s->name, least,
             s->min_duration_why);
    return false;
}

void scenario_trace_console(const struct run_opts *opts, struct trace *t,
                            struct trace_console *console)
{
    if (opts->trace_console) {
        trace_console_attach(console, t, opts->out, opts->trace_filter);
    }
}
