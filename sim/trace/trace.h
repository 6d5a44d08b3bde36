/* trace.h — the trace: every event of a run, a running hash over them, and the sinks. */
#ifndef KRAFTSIM_TRACE_H
#define KRAFTSIM_TRACE_H

/*
 * A trace event is (virtual time, host, kind, detail). The kind comes from the fixed vocabulary
 * in env.h; the detail is a short "key=value ..." text. Every event feeds a 64-bit running hash
 * in order, so two runs agree on the hash exactly when they agree on every event: this is the
 * cheap form of the determinism check.
 *
 * Sinks (the console, later SQLite) see events as they happen; the hash does not depend on which
 * sinks are attached.
 *
 * Console format, one event a line, columns separated by spaces:
 *   <seconds>.<microseconds>  <host or "-">  <kind>  <detail>
 * e.g. "     1.250000  n2  ping-send  seq=3 to=n3"
 */

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "env.h"

#define TRACE_HOST_NONE (-1)
#define TRACE_SINK_MAX 4
#define TRACE_DETAIL_MAX 512

struct trace_event {
    time_ns time;
    int host; /* host index, or TRACE_HOST_NONE for the world itself */
    enum trace_kind kind;
    const char *detail;
};

struct trace_sink {
    void (*event)(void *ctx, const struct trace_event *event);
    void *ctx;
};

#define TRACE_HOST_MAX 64

struct trace {
    /* What a person reads names hosts as the config does (kafka-1); a host without a name
     * (a bare network in a unit test) reads as h<index>. The strings are the hosts' own. */
    const char *host_names[TRACE_HOST_MAX];
    uint64_t hash;
    uint64_t event_count;
    uint64_t kind_counts[TRACE_KIND_COUNT];
    struct trace_sink sinks[TRACE_SINK_MAX];
    int sink_count;
};

void trace_init(struct trace *t);
void trace_name_host(struct trace *t, int host, const char *name);
/* Host `host`'s name, or "h<index>" written into `fallback` when it has none. */
const char *trace_host_name(const struct trace *t, int host, char *fallback, size_t cap);
void trace_add_sink(struct trace *t, struct trace_sink sink);
void trace_emit(struct trace *t, time_ns time, int host, enum trace_kind kind,
                const char *detail);
void trace_emitf(struct trace *t, time_ns time, int host, enum trace_kind kind,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static inline uint64_t trace_hash(const struct trace *t) { return t->hash; }

/* Formats one event in the console format (no newline). */
void trace_format(const struct trace_event *event, char *buf, size_t cap);
/* A sink that prints every event to `out` (a FILE *). */
struct trace_sink trace_console_sink(FILE *out);
/* Formats virtual time as "<seconds>.<microseconds>". */
void trace_format_time(time_ns time, char *buf, size_t cap);

#endif
