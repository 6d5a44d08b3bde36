/* trace.h — the trace: every event of a run, a running hash over them, and the sinks. */
#ifndef KRAFTSIM_TRACE_H
#define KRAFTSIM_TRACE_H

/*
 * A trace event is (virtual time, host, kind, fields). The kind comes from the fixed vocabulary
 * in env.h; the fields are typed (env.h's struct trace_field). Every event feeds a 64-bit running
 * hash in order, over its time, host, kind and each field's key, type and value (a string byte by
 * byte), so two runs agree on the hash exactly when they agree on every event: this is the cheap
 * form of the determinism check. No text is formatted to hash an event.
 *
 * Sinks (the console, the run database, the checkers) see events as they happen; the hash does
 * not depend on which sinks are attached. A sink that wants the detail as text asks for it
 * (trace_event_detail), and the text is formatted once per event, only then.
 *
 * Console format, one event a line, columns separated by spaces:
 *   <seconds>.<microseconds>  <host name or "-">  <kind>  <detail>
 * where the detail is the fields, "key=value" or a bare value, separated by spaces,
 * e.g. "     1.250000  kafka-2       raft-append  epoch=3 offset=41 records=1" (a host without a
 * name reads h<index>). Frames name hosts by index ("from=h3 to=h0", which tools follow
 * connections by), so the console's first line is a legend, "# hosts: h0=kafka-1 h1=kafka-2 ...",
 * mapping each index to the host's name.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "env.h"

#define TRACE_HOST_NONE (-1)
#define TRACE_SINK_MAX 8
#define TRACE_DETAIL_MAX 512

struct trace_text; /* an event's detail as text, formatted when first asked for */

struct trace_event {
    time_ns time;
    int host; /* host index, or TRACE_HOST_NONE for the world itself */
    enum trace_kind kind;
    const struct trace_field *fields;
    size_t field_count;
    const char *host_name; /* the host's name, or NULL (none, or a host without one): for
                            * printing only, never hashed */
    struct trace_text *text;
};

/* The event's detail as text ("id=7 from=h3 to=h0 bytes=154"), formatted on the first call
 * for this event and kept until the event's sinks have all run. */
const char *trace_event_detail(const struct trace_event *e);
/* The integer field `key` (INT, UINT or HOST) into *out; false if the event has none. */
bool trace_event_int(const struct trace_event *e, const char *key, int64_t *out);
/* The value of field `key` as text, into buf; "" if absent. Typed fields first, then a bare
 * text field's "key=value" words (events that are prose with a few values in them). */
const char *trace_event_field(const struct trace_event *e, const char *key, char *buf,
                              size_t cap);
/* Formats fields as detail text into buf ("" for none; cut to fit). Returns its length. */
size_t trace_fields_format(const struct trace_field *fields, size_t count, char *buf,
                           size_t cap);

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
/* One event with typed fields (`count` of them, at most TRACE_FIELDS_MAX). */
void trace_emit_fields(struct trace *t, time_ns time, int host, enum trace_kind kind,
                       const struct trace_field *fields, size_t count);
/* trace_fields(t, time, host, kind, TF_INT("id", 7), TF_HOST("from", 3), ...). */
#define trace_fields(t, time, host, kind, ...)                                                 \
    trace_emit_fields((t), (time), (host), (kind), (const struct trace_field[]){__VA_ARGS__},  \
                      TRACE_FIELD_COUNT(__VA_ARGS__))
/* A prose event: `text` is one bare field (none if NULL or empty). */
void trace_emit(struct trace *t, time_ns time, int host, enum trace_kind kind,
                const char *text);
/* A prose event formatted first; for events a run emits rarely. */
void trace_emitf(struct trace *t, time_ns time, int host, enum trace_kind kind,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static inline uint64_t trace_hash(const struct trace *t) { return t->hash; }

/* Formats one event in the console format (no newline). */
void trace_format(const struct trace_event *event, char *buf, size_t cap);
/* A sink that prints every event to `out` (a FILE *), with no legend. */
struct trace_sink trace_console_sink(FILE *out);

/* The console a run prints its trace on (--trace): the events its filter shows, after the
 * hosts' legend. Owned by the caller, and alive as long as the trace it is attached to. */
struct trace_filter;
struct trace_console {
    FILE *out;
    const struct trace *trace;
    const struct trace_filter *filter; /* NULL: every event */
    bool legend_printed;
};
/* Attaches console `c` to `t`: `filter` (NULL for every event; kept by pointer) decides what
 * is printed, never what is hashed. */
void trace_console_attach(struct trace_console *c, struct trace *t, FILE *out,
                          const struct trace_filter *filter);
/* "# hosts: h0=kafka-1 h1=kafka-2 ..." for the hosts with names, cut to fit; "" if none. */
void trace_host_legend(const struct trace *t, char *buf, size_t cap);
/* The value of `key=` in a "k=v k=v" detail, copied into buf, or "" if the key is absent: how
 * the trace's readers (the run database, the story) take an event apart. */
const char *trace_detail_field(const char *detail, const char *key, char *buf, size_t cap);
/* Formats virtual time as "<seconds>.<microseconds>". */
void trace_format_time(time_ns time, char *buf, size_t cap);

#endif
