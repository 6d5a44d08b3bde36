/* trace.c — the running trace hash and the console sink. */
#include "trace/trace.h"

#include <inttypes.h>
#include <string.h>

#include "text.h"
#include "trace/filter.h"

/* The hash folds each field through a 64-bit multiply-xorshift mix; strings go byte by byte
 * through FNV-1a first. Both are defined on integers alone, so every build and machine agree. */
static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + UINT64_C(0x9e3779b97f4a7c15) + (h << 6) + (h >> 2);
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    return h;
}

void trace_init(struct trace *t)
{
    memset(t, 0, sizeof *t);
    t->hash = UINT64_C(0x6b7261667473131); /* "kraftsim" in spirit; any constant would do */
}

void trace_name_host(struct trace *t, int host, const char *name)
{
    KS_ASSERT(host >= 0 && host < TRACE_HOST_MAX);
    KS_ASSERT(name != NULL);
    t->host_names[host] = name;
}

const char *trace_host_name(const struct trace *t, int host, char *fallback, size_t cap)
{
    KS_ASSERT(host >= 0 && host < TRACE_HOST_MAX);
    if (t->host_names[host] != NULL) {
        return t->host_names[host];
    }
    snprintf(fallback, cap, "h%d", host);
    return fallback;
}

void trace_add_sink(struct trace *t, struct trace_sink sink)
{
    KS_ASSERT(t->sink_count < TRACE_SINK_MAX);
    KS_ASSERT(sink.event != NULL);
    t->sinks[t->sink_count++] = sink;
}

/* FNV-1a over a string's bytes. */
static uint64_t hash_string(const char *p)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (const unsigned char *c = (const unsigned char *)p; *c != '\0'; c++) {
        h = (h ^ *c) * UINT64_C(0x100000001b3);
    }
    return h;
}

/* A key's hash, remembered by its address: keys are string literals, a handful per kind, so
 * a small direct-mapped table answers nearly always. The value is the string's own FNV-1a, so
 * what the table holds never changes a hash, only how fast it is found. */
#define KEY_CACHE 256
static struct {
    const char *key;
    uint64_t hash;
} key_cache[KEY_CACHE];

static uint64_t hash_key(const char *key)
{
    size_t slot = ((uintptr_t)key >> 3) % KEY_CACHE;
    if (key_cache[slot].key != key) {
        key_cache[slot].key = key;
        key_cache[slot].hash = hash_string(key);
    }
    return key_cache[slot].hash;
}

struct trace_text {
    bool formatted;
    char buf[TRACE_DETAIL_MAX];
};

void trace_emit_fields(struct trace *t, time_ns time, int host, enum trace_kind kind,
                       const struct trace_field *fields, size_t count)
{
    KS_ASSERT(kind < TRACE_KIND_COUNT);
    KS_ASSERT(host >= TRACE_HOST_NONE);
    KS_ASSERT(count <= TRACE_FIELDS_MAX);
    KS_ASSERT(count == 0 || fields != NULL);
    uint64_t h = t->hash;
    h = mix(h, (uint64_t)time);
    h = mix(h, (uint64_t)(int64_t)host);
    h = mix(h, (uint64_t)kind);
    h = mix(h, (uint64_t)count);
    for (size_t i = 0; i < count; i++) {
        const struct trace_field *f = &fields[i];
        h = mix(h, f->key != NULL ? hash_key(f->key) : 0);
        h = mix(h, (uint64_t)f->type);
        h = mix(h, f->type == TRACE_FIELD_STR ? hash_string(f->v.s != NULL ? f->v.s : "")
                                              : f->v.u);
    }
    t->hash = h;
    t->event_count++;
    t->kind_counts[kind]++;
    if (t->sink_count == 0) {
        return;
    }
    struct trace_text text = {.formatted = false};
    struct trace_event event = {.time = time, .host = host, .kind = kind, .fields = fields,
                                .field_count = count,
                                .host_name = host >= 0 && host < TRACE_HOST_MAX
                                                 ? t->host_names[host]
                                                 : NULL,
                                .text = &text};
    for (int i = 0; i < t->sink_count; i++) {
        t->sinks[i].event(t->sinks[i].ctx, &event);
    }
}

void trace_emit(struct trace *t, time_ns time, int host, enum trace_kind kind, const char *text)
{
    bool none = text == NULL || text[0] == '\0';
    trace_emit_fields(t, time, host, kind, none ? NULL : &TF_WORD(text), none ? 0 : 1);
}

void trace_emitf(struct trace *t, time_ns time, int host, enum trace_kind kind,
                 const char *fmt, ...)
{
    char detail[TRACE_DETAIL_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    trace_emit(t, time, host, kind, detail);
}

/* Decimal digits of v at the end of a 24-byte scratch; returns where they start. */
static char *digits(uint64_t v, bool negative, char scratch[24])
{
    char *p = scratch + 23;
    *p = '\0';
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    if (negative) {
        *--p = '-';
    }
    return p;
}

/* Appends src to buf at *len, cut to fit (the text always ends in a NUL). */
static void put(char *buf, size_t cap, size_t *len, const char *src)
{
    while (*src != '\0' && *len + 1 < cap) {
        buf[(*len)++] = *src++;
    }
    buf[*len] = '\0';
}

/* Written by hand rather than with snprintf: the run database formats every event it keeps,
 * and this is several times cheaper than a format string walked per event. */
size_t trace_fields_format(const struct trace_field *fields, size_t count, char *buf, size_t cap)
{
    KS_ASSERT(cap > 0);
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        const struct trace_field *f = &fields[i];
        char scratch[24];
        if (i > 0) {
            put(buf, cap, &len, " ");
        }
        if (f->key != NULL) {
            put(buf, cap, &len, f->key);
            put(buf, cap, &len, "=");
        }
        switch (f->type) {
        case TRACE_FIELD_INT:
            put(buf, cap, &len,
                digits(f->v.i < 0 ? 0 - (uint64_t)f->v.i : (uint64_t)f->v.i, f->v.i < 0, scratch));
            break;
        case TRACE_FIELD_UINT:
            put(buf, cap, &len, digits(f->v.u, false, scratch));
            break;
        case TRACE_FIELD_HOST:
            put(buf, cap, &len, "h");
            put(buf, cap, &len,
                digits(f->v.i < 0 ? 0 - (uint64_t)f->v.i : (uint64_t)f->v.i, f->v.i < 0, scratch));
            break;
        case TRACE_FIELD_STR:
            put(buf, cap, &len, f->v.s != NULL ? f->v.s : "");
            break;
        }
    }
    return len;
}

const char *trace_event_detail(const struct trace_event *e)
{
    if (e->text == NULL) {
        return ""; /* an event made by hand, outside trace_emit (tests) */
    }
    if (!e->text->formatted) {
        trace_fields_format(e->fields, e->field_count, e->text->buf, sizeof e->text->buf);
        e->text->formatted = true;
    }
    return e->text->buf;
}

bool trace_event_int(const struct trace_event *e, const char *key, int64_t *out)
{
    for (size_t i = 0; i < e->field_count; i++) {
        const struct trace_field *f = &e->fields[i];
        /* Keys are literals, and the linker merges equal ones: the pointer usually answers. */
        if (f->key != NULL && f->type != TRACE_FIELD_STR &&
            (f->key == key || strcmp(f->key, key) == 0)) {
            *out = f->v.i;
            return true;
        }
    }
    return false;
}

const char *trace_event_field(const struct trace_event *e, const char *key, char *buf,
                              size_t cap)
{
    KS_ASSERT(cap > 0);
    for (size_t i = 0; i < e->field_count; i++) {
        const struct trace_field *f = &e->fields[i];
        if (f->key != NULL && strcmp(f->key, key) == 0) {
            struct trace_field value = *f;
            value.key = NULL;
            trace_fields_format(&value, 1, buf, cap);
            return buf;
        }
    }
    for (size_t i = 0; i < e->field_count; i++) {
        const struct trace_field *f = &e->fields[i];
        if (f->key == NULL && f->type == TRACE_FIELD_STR && f->v.s != NULL &&
            trace_detail_field(f->v.s, key, buf, cap)[0] != '\0') {
            return buf;
        }
    }
    buf[0] = '\0';
    return buf;
}

void trace_format_time(time_ns time, char *buf, size_t cap)
{
    int64_t seconds = time / NS_PER_S;
    int64_t micros = (time % NS_PER_S) / NS_PER_US;
    snprintf(buf, cap, "%6" PRId64 ".%06" PRId64, seconds, micros);
}

/* The host column is as wide as the longest name the built-in scenarios give ("controller-1"),
 * so a trace's columns line up. */
#define HOST_COLUMN 12

void trace_format(const struct trace_event *event, char *buf, size_t cap)
{
    char when[32];
    char host[16];
    trace_format_time(event->time, when, sizeof when);
    const char *name = host;
    if (event->host == TRACE_HOST_NONE) {
        snprintf(host, sizeof host, "-");
    } else if (event->host_name != NULL) {
        name = event->host_name;
    } else {
        snprintf(host, sizeof host, "h%d", event->host);
    }
    snprintf(buf, cap, "%s  %-*s  %-16s %s", when, HOST_COLUMN, name,
             trace_kind_name(event->kind), trace_event_detail(event));
}

static void console_event(void *ctx, const struct trace_event *event)
{
    char line[TRACE_DETAIL_MAX + 96];
    trace_format(event, line, sizeof line);
    fprintf((FILE *)ctx, "%s\n", line);
}

struct trace_sink trace_console_sink(FILE *out)
{
    return (struct trace_sink){.event = console_event, .ctx = out};
}

void trace_host_legend(const struct trace *t, char *buf, size_t cap)
{
    KS_ASSERT(cap > 4);
    struct text out = text_init(buf, cap);
    for (int i = 0; i < TRACE_HOST_MAX; i++) {
        if (t->host_names[i] != NULL) {
            text_printf(&out, "%s h%d=%s", out.len == 0 ? "# hosts:" : "", i, t->host_names[i]);
        }
    }
    if (!text_fits(&out)) {
        memcpy(buf + cap - 4, "...", 4);
    }
}

static void console_filtered(void *ctx, const struct trace_event *event)
{
    struct trace_console *c = ctx;
    if (!c->legend_printed) {
        c->legend_printed = true;
        char legend[TRACE_HOST_MAX * 24];
        trace_host_legend(c->trace, legend, sizeof legend);
        if (legend[0] != '\0') {
            fprintf(c->out, "%s\n", legend);
        }
    }
    if (c->filter == NULL || trace_filter_shows(c->filter, event)) {
        console_event(c->out, event);
    }
}

void trace_console_attach(struct trace_console *c, struct trace *t, FILE *out,
                          const struct trace_filter *filter)
{
    KS_ASSERT(c != NULL && t != NULL && out != NULL);
    *c = (struct trace_console){.out = out, .trace = t, .filter = filter};
    trace_add_sink(t, (struct trace_sink){.event = console_filtered, .ctx = c});
}

const char *trace_detail_field(const char *detail, const char *key, char *buf, size_t cap)
{
    size_t klen = strlen(key);
    for (const char *p = detail; (p = strstr(p, key)) != NULL; p += klen) {
        if ((p == detail || p[-1] == ' ') && p[klen] == '=') {
            const char *v = p + klen + 1;
            size_t n = strcspn(v, " ");
            snprintf(buf, cap, "%.*s", (int)(n < cap ? n : cap - 1), v);
            return buf;
        }
    }
    buf[0] = '\0';
    return buf;
}
