/* filter.c — trace families and kind names to the set of events the console prints. */
#include "trace/filter.h"

#include <string.h>

#include "text.h"

/* A family is a contiguous range of env.h's kinds (its groups), plus at most one kind appended
 * to env.h's list later (`also`, which is `first` when there is none), except fault and check,
 * which gather kinds from several groups and some notes. */
struct family {
    const char *name;
    enum trace_kind first, last, also;
};

static const struct family families[] = {
    {"run", TRACE_RUN_START, TRACE_RUN_END, TRACE_RUN_START},
    {"note", TRACE_NOTE, TRACE_NOTE, TRACE_NOTE},
    {"host", TRACE_HOST_START, TRACE_HOST_CLOCK, TRACE_HOST_START},
    {"net", TRACE_NET_SEND, TRACE_NET_HEAL, TRACE_NET_SEND},
    {"disk", TRACE_DISK_FSYNC, TRACE_DISK_LOSS, TRACE_DISK_WRITEBACK},
    {"ping", TRACE_PING_SEND, TRACE_PING_TIMEOUT, TRACE_PING_SEND},
    {"raft", TRACE_RAFT_STATE, TRACE_RAFT_SNAPSHOT, TRACE_RAFT_STATE},
    {"controller", TRACE_CONTROLLER, TRACE_CONTROLLER, TRACE_CONTROLLER},
    {"broker", TRACE_BROKER_STATE, TRACE_BROKER_API, TRACE_BROKER_STATE},
    {"admin", TRACE_ADMIN, TRACE_ADMIN, TRACE_ADMIN},
};

static const enum trace_kind fault_kinds[] = {
    TRACE_NET_CUT,        TRACE_NET_HEAL,      TRACE_HOST_START,  TRACE_HOST_STOP,
    TRACE_HOST_CRASH,     TRACE_HOST_POWER_FAIL, TRACE_HOST_PAUSE, TRACE_HOST_RESUME,
    TRACE_HOST_CLOCK,     TRACE_DISK_FAULT,    TRACE_DISK_LOSS};

void trace_filter_all(struct trace_filter *f)
{
    for (int k = 0; k < TRACE_KIND_COUNT; k++) {
        f->kinds[k] = true;
    }
    f->fault_notes = f->check_notes = true;
}

const char *trace_filter_families(void)
{
    static char names[256];
    if (names[0] == '\0') {
        struct text t = text_init(names, sizeof names);
        for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
            text_printf(&t, "%s, ", families[i].name);
        }
        text_printf(&t, "fault (or nemesis), check");
        KS_ASSERT(text_fits(&t));
    }
    return names;
}

/* Adds the family or kind called name[len]; false if there is none. */
static bool add_name(struct trace_filter *f, const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        if (strlen(families[i].name) == len && strncmp(families[i].name, name, len) == 0) {
            for (int k = (int)families[i].first; k <= (int)families[i].last; k++) {
                f->kinds[k] = true;
            }
            f->kinds[families[i].also] = true;
            return true;
        }
    }
    if ((len == 5 && strncmp(name, "fault", 5) == 0) ||
        (len == 7 && strncmp(name, "nemesis", 7) == 0)) {
        for (size_t i = 0; i < sizeof fault_kinds / sizeof fault_kinds[0]; i++) {
            f->kinds[fault_kinds[i]] = true;
        }
        f->fault_notes = true;
        return true;
    }
    if (len == 5 && strncmp(name, "check", 5) == 0) {
        f->kinds[TRACE_RAFT_ERROR] = true;
        f->check_notes = true;
        return true;
    }
    for (int k = 0; k < TRACE_KIND_COUNT; k++) {
        const char *kind = trace_kind_name((enum trace_kind)k);
        if (strlen(kind) == len && strncmp(kind, name, len) == 0) {
            f->kinds[k] = true;
            return true;
        }
    }
    return false;
}

bool trace_filter_parse(struct trace_filter *f, const char *spec, char *err, size_t cap)
{
    KS_ASSERT(f != NULL && spec != NULL && err != NULL && cap > 0);
    memset(f, 0, sizeof *f);
    err[0] = '\0';
    const char *p = spec;
    for (;;) {
        size_t len = strcspn(p, ",");
        if (len == 0) {
            snprintf(err, cap, "an empty name in the list '%s'; name families (%s) or kinds "
                     "(net-cut, became-leader, ...), separated by commas", spec,
                     trace_filter_families());
            return false;
        }
        if (!add_name(f, p, len)) {
            snprintf(err, cap, "no trace family or kind '%.*s'; the families are %s, or name "
                     "a kind as the trace prints it (net-cut, became-leader, ...)",
                     (int)(len < 64 ? len : 64), p, trace_filter_families());
            return false;
        }
        if (p[len] == '\0') {
            return true;
        }
        p += len + 1;
    }
}

static bool starts(const char *text, const char *word)
{
    return strncmp(text, word, strlen(word)) == 0;
}

bool trace_filter_shows(const struct trace_filter *f, const struct trace_event *e)
{
    if (f->kinds[e->kind]) {
        return true;
    }
    if (e->kind != TRACE_NOTE) {
        return false;
    }
    const char *d = trace_event_detail(e);
    return (f->fault_notes &&
            (starts(d, "nemesis ") || starts(d, "fault ") || starts(d, "heal:"))) ||
           (f->check_notes && starts(d, "violation "));
}
