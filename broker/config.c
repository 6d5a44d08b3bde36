/* config.c — Java properties, the server key table, struct kafka_config and its validation. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"

/* ---------------------------------------------------------------------------------------- */
/* Errors                                                                                   */

static const char *const err_names[] = {
#define ERR_NAME(name, msg) #name,
    CONFIG_ERRORS(ERR_NAME)
#undef ERR_NAME
};

static const char *const err_messages[] = {
#define ERR_MSG(name, msg) msg,
    CONFIG_ERRORS(ERR_MSG)
#undef ERR_MSG
};

const char *config_err_name(int code)
{
    return code >= 0 && code < CONFIG_ERR_COUNT ? err_names[code] : "CONFIG_UNKNOWN";
}

const char *config_err_message(int code)
{
    return code >= 0 && code < CONFIG_ERR_COUNT ? err_messages[code] : "unknown error";
}

static const char *const type_names[] = {
#define TYPE_NAME(name, text) text,
    CONFIG_TYPES(TYPE_NAME)
#undef TYPE_NAME
};

const char *config_type_name(enum config_type type)
{
    KS_ASSERT((int)type >= 0);
    KS_ASSERT(type < CONFIG_TYPE_COUNT);
    return type_names[type];
}

static const char *const protocol_names[] = {
#define PROTOCOL_NAME(name, text) text,
    CONFIG_SECURITY_PROTOCOLS(PROTOCOL_NAME)
#undef PROTOCOL_NAME
};

const char *config_security_protocol_name(enum config_security_protocol protocol)
{
    KS_ASSERT((int)protocol >= 0);
    KS_ASSERT(protocol < CONFIG_PROTOCOL_COUNT);
    return protocol_names[protocol];
}

/* The name a location is reported under: the caller's file name, or "config". */
static const char *source_name(const char *source)
{
    return source != NULL && source[0] != '\0' ? source : "config";
}

/*
 * Keeps a message on one line: Properties.load turns the escapes \r, \n, \t and \uXXXX into
 * control characters inside keys and values, and messages quote those. Each such byte (below
 * 0x20, and DEL) becomes '?', as metadata_record_format shows unprintable bytes; UTF-8 passes.
 */
static void one_line(char *message)
{
    for (char *p = message; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f) {
            *p = '?';
        }
    }
    KS_ASSERT(strpbrk(message, "\r\n") == NULL);
}

/*
 * Fills `err` with "<source>:<line>: <message>" (line > 0) or "<source>: <message>" and
 * returns `code`. The one place every error message is shaped, always as one line.
 */
static int fail_at(struct config_error *err, int code, const char *source, int line,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail_at(struct config_error *err, int code, const char *source, int line,
                   const char *fmt, ...)
{
    KS_ASSERT(err != NULL);
    KS_ASSERT(code != CONFIG_OK);
    int n = line > 0 ? snprintf(err->message, sizeof err->message, "%s:%d: ",
                                source_name(source), line)
                     : snprintf(err->message, sizeof err->message, "%s: ", source_name(source));
    KS_ASSERT(n > 0);
    if ((size_t)n < sizeof err->message) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message + n, sizeof err->message - (size_t)n, fmt, ap);
        va_end(ap);
    }
    one_line(err->message);
    return code;
}

void config_error_wrapf(struct config_error *err, const char *fmt, ...)
{
    KS_ASSERT(err != NULL);
    char prefix[CONFIG_ERROR_BYTES];
    char inner[CONFIG_ERROR_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(inner, err->message, sizeof inner);
    inner[sizeof inner - 1] = '\0';
    size_t n = strlen(prefix);
    size_t m = strlen(inner);
    m = n + m < sizeof err->message ? m : sizeof err->message - 1 - n;
    memcpy(err->message, prefix, n);
    memcpy(err->message + n, inner, m);
    err->message[n + m] = '\0';
    one_line(err->message);
}

/* ---------------------------------------------------------------------------------------- */
/* Text helpers                                                                             */

/* Java's String.trim(): drops every char <= ' ' at both ends. Returns the trimmed length. */
static size_t trim_span(const char *text, const char **start)
{
    const char *s = text;
    const char *e = text + strlen(text);
    while (s < e && (unsigned char)*s <= ' ') {
        s++;
    }
    while (e > s && (unsigned char)e[-1] <= ' ') {
        e--;
    }
    *start = s;
    return (size_t)(e - s);
}

/* Copies `len` bytes of `text` into `out` (NUL-terminated). False if it does not fit. */
static bool copy_span(char *out, size_t cap, const char *text, size_t len)
{
    if (len >= cap) {
        return false;
    }
    memcpy(out, text, len);
    out[len] = '\0';
    return true;
}

static bool copy_trimmed(char *out, size_t cap, const char *text)
{
    const char *start;
    size_t len = trim_span(text, &start);
    return copy_span(out, cap, start, len);
}

static bool is_java_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/*
 * Splits `text` into comma-separated items the way Kafka does, calling `each` with every item
 * (not NUL-terminated). The whole text is trimmed first and whitespace around commas dropped
 * ("\\s*,\\s*"). `keep_empty`: ConfigDef LIST keeps empty items ("a," -> "a", ""); Csv drops
 * them. An empty (trimmed) text yields no items. Stops at the first non-OK return of `each`.
 */
static int split_list(const char *text, bool keep_empty,
                      int (*each)(void *arg, const char *item, size_t len), void *arg)
{
    const char *s;
    size_t len = trim_span(text, &s);
    const char *end = s + len;
    if (len == 0) {
        return CONFIG_OK;
    }
    for (const char *item = s;;) {
        const char *comma = memchr(item, ',', (size_t)(end - item));
        const char *item_end = comma != NULL ? comma : end;
        while (item_end > item && is_java_space(item_end[-1])) {
            item_end--;
        }
        if (keep_empty || item_end > item) {
            int rc = each(arg, item, (size_t)(item_end - item));
            if (rc != CONFIG_OK) {
                return rc;
            }
        }
        if (comma == NULL) {
            return CONFIG_OK;
        }
        item = comma + 1;
        while (item < end && is_java_space(*item)) {
            item++;
        }
    }
}

/*
 * Java's Long.parseLong / Integer.parseInt / Short.parseShort on an already trimmed text:
 * an optional sign and at least one decimal digit, within [min, max].
 */
bool config_parse_integer(const char *text, int64_t min, int64_t max, int64_t *out)
{
    const char *p = text;
    bool negative = *p == '-';
    if (*p == '-' || *p == '+') {
        p++;
    }
    if (*p == '\0') {
        return false;
    }
    uint64_t magnitude = 0;
    for (; *p != '\0'; p++) {
        if (*p < '0' || *p > '9') {
            return false;
        }
        uint64_t digit = (uint64_t)(*p - '0');
        if (magnitude > (UINT64_C(9223372036854775808) - digit) / 10) {
            return false;
        }
        magnitude = magnitude * 10 + digit;
    }
    if (!negative && magnitude > (uint64_t)INT64_MAX) {
        return false;
    }
    int64_t value = negative ? (int64_t)(0 - magnitude) : (int64_t)magnitude;
    if (value < min || value > max) {
        return false;
    }
    *out = value;
    return true;
}

/* Java's Double.parseDouble syntax (decimal forms, NaN, Infinity) on a trimmed text. */
static bool is_java_double(const char *text)
{
    const char *p = text;
    if (*p == '+' || *p == '-') {
        p++;
    }
    if (strcmp(p, "NaN") == 0 || strcmp(p, "Infinity") == 0) {
        return true;
    }
    size_t digits = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        digits++;
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++) {
            digits++;
        }
    }
    if (digits == 0) {
        return false;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        p += *p == '+' || *p == '-';
        if (*p < '0' || *p > '9') {
            return false;
        }
        while (*p >= '0' && *p <= '9') {
            p++;
        }
    }
    p += *p == 'f' || *p == 'F' || *p == 'd' || *p == 'D';
    return *p == '\0';
}

/* ---------------------------------------------------------------------------------------- */
/* Java properties (java.util.Properties.load: LineReader.readLine, load0, loadConvert)     */

struct reader {
    const char *p;
    const char *end;
    int line;       /* the natural line `p` is on, 1-based */
    bool skip_lf;   /* the last terminator was '\r': a following '\n' belongs to it */
};

/* Consumes a line terminator `c` already read; counts the line. */
static void reader_newline(struct reader *r, char c)
{
    r->line++;
    r->skip_lf = c == '\r';
}

/* Skips the rest of a comment line, terminator included. */
static void reader_skip_comment(struct reader *r)
{
    while (r->p < r->end) {
        char c = *r->p++;
        if (c == '\n' || c == '\r') {
            reader_newline(r, c);
            return;
        }
    }
}

/*
 * Reads one logical line: leading whitespace dropped, comments and blank lines skipped,
 * a line ending in an odd number of backslashes joined with the next (whose leading
 * whitespace is dropped too). Returns its length, or -1 at the end of the text, or -2 if it
 * does not fit. `*start_line` gets the natural line where it began.
 */
static int read_logical_line(struct reader *r, char *buf, size_t cap, int *start_line)
{
    size_t len = 0;
    bool skip_white = true;
    bool appended_line_begin = false;
    bool preceding_backslash = false;
    while (r->p < r->end) {
        char c = *r->p++;
        if (r->skip_lf) {
            r->skip_lf = false;
            if (c == '\n') {
                continue;
            }
        }
        if (skip_white) {
            if (c == ' ' || c == '\t' || c == '\f') {
                continue;
            }
            if (!appended_line_begin && (c == '\r' || c == '\n')) {
                reader_newline(r, c);
                continue;
            }
            skip_white = false;
            appended_line_begin = false;
        }
        if (len == 0 && (c == '#' || c == '!')) {
            reader_skip_comment(r);
            skip_white = true;
            continue;
        }
        if (c != '\n' && c != '\r') {
            if (len == 0) {
                *start_line = r->line;
            }
            if (len + 1 >= cap) {
                return -2;
            }
            buf[len++] = c;
            preceding_backslash = c == '\\' ? !preceding_backslash : false;
            continue;
        }
        reader_newline(r, c);
        if (len == 0) {
            skip_white = true;
            continue;
        }
        if (r->p == r->end) {
            /* LineReader checks for the end right after a terminator: a text ending in a
             * backslash and a newline drops the backslash, and a line holding only that
             * backslash becomes an empty key (Java does exactly this). */
            return (int)(preceding_backslash ? len - 1 : len);
        }
        if (!preceding_backslash) {
            return (int)len;
        }
        len--; /* the backslash that joins the lines is not part of the line */
        skip_white = true;
        appended_line_begin = true;
        preceding_backslash = false;
    }
    if (len == 0) {
        return -1;
    }
    return (int)(preceding_backslash ? len - 1 : len);
}

/* Appends code point `cp` as UTF-8. False if it does not fit. */
static bool put_utf8(char *out, size_t cap, size_t *len, uint32_t cp)
{
    char bytes[4];
    size_t n;
    if (cp < 0x80) {
        bytes[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        bytes[0] = (char)(0xC0 | (cp >> 6));
        bytes[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        bytes[0] = (char)(0xE0 | (cp >> 12));
        bytes[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        bytes[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        bytes[0] = (char)(0xF0 | (cp >> 18));
        bytes[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        bytes[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        bytes[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    if (*len + n >= cap) {
        return false;
    }
    memcpy(out + *len, bytes, n);
    *len += n;
    return true;
}

/* Reads the 4 hex digits of a \uXXXX escape at `in` (before `end`). -1 if malformed. */
static int32_t read_hex4(const char *in, const char *end)
{
    if (end - in < 4) {
        return -1;
    }
    int32_t value = 0;
    for (int i = 0; i < 4; i++) {
        char c = in[i];
        int digit = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
        if (digit < 0) {
            return -1;
        }
        value = value * 16 + digit;
    }
    return value;
}

enum unescape_result { UNESCAPE_OK, UNESCAPE_MALFORMED, UNESCAPE_NUL, UNESCAPE_TOO_LONG };

/* Decodes one \uXXXX escape (and a following low surrogate) at `*in`, just after "\u". */
static enum unescape_result unescape_u(const char **in, const char *end, char *out, size_t cap,
                                       size_t *len)
{
    int32_t unit = read_hex4(*in, end);
    if (unit < 0) {
        return UNESCAPE_MALFORMED;
    }
    *in += 4;
    uint32_t cp = (uint32_t)unit;
    if (cp >= 0xD800 && cp <= 0xDBFF && end - *in >= 6 && (*in)[0] == '\\' && (*in)[1] == 'u') {
        int32_t low = read_hex4(*in + 2, end);
        if (low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)low - 0xDC00);
            *in += 6;
        }
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) {
        cp = 0xFFFD; /* a lone surrogate has no UTF-8 form */
    }
    if (cp == 0) {
        return UNESCAPE_NUL;
    }
    return put_utf8(out, cap, len, cp) ? UNESCAPE_OK : UNESCAPE_TOO_LONG;
}

/* Properties.loadConvert: \t \n \r \f, \uXXXX, and \c -> c for any other c. */
static enum unescape_result unescape(const char *in, size_t in_len, char *out, size_t cap)
{
    const char *end = in + in_len;
    size_t len = 0;
    while (in < end) {
        char c = *in++;
        if (c == '\\' && in < end) {
            c = *in++;
            if (c == 'u') {
                enum unescape_result rc = unescape_u(&in, end, out, cap, &len);
                if (rc != UNESCAPE_OK) {
                    return rc;
                }
                continue;
            }
            c = c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c == 'f' ? '\f' : c;
        }
        if (c == '\0') {
            return UNESCAPE_NUL;
        }
        if (len + 1 >= cap) {
            return UNESCAPE_TOO_LONG;
        }
        out[len++] = c;
    }
    out[len] = '\0';
    return UNESCAPE_OK;
}

/* Properties.load0: where the key ends and the value starts in one logical line. */
static void split_key_value(const char *line, size_t len, size_t *key_len, size_t *value_at)
{
    size_t k = 0;
    size_t v = len;
    bool has_separator = false;
    bool preceding_backslash = false;
    for (; k < len; k++) {
        char c = line[k];
        if ((c == '=' || c == ':') && !preceding_backslash) {
            v = k + 1;
            has_separator = true;
            break;
        }
        if ((c == ' ' || c == '\t' || c == '\f') && !preceding_backslash) {
            v = k + 1;
            break;
        }
        preceding_backslash = c == '\\' ? !preceding_backslash : false;
    }
    for (; v < len; v++) {
        char c = line[v];
        if (c != ' ' && c != '\t' && c != '\f') {
            if (has_separator || (c != '=' && c != ':')) {
                break;
            }
            has_separator = true;
        }
    }
    *key_len = k;
    *value_at = v;
}

static uint32_t pool_add(struct config_properties *p, const char *text)
{
    size_t n = strlen(text) + 1;
    if (n > sizeof p->pool - p->pool_used) {
        return UINT32_MAX;
    }
    uint32_t at = p->pool_used;
    memcpy(p->pool + at, text, n);
    p->pool_used += (uint32_t)n;
    return at;
}

const struct config_property *config_properties_find(const struct config_properties *p,
                                                     const char *key)
{
    KS_ASSERT(p != NULL);
    KS_ASSERT(key != NULL);
    for (size_t i = 0; i < p->count; i++) {
        if (strcmp(p->pool + p->items[i].key_at, key) == 0) {
            return &p->items[i];
        }
    }
    return NULL;
}

static const char *origin_name(const struct config_properties *p, enum config_origin origin)
{
    return origin == CONFIG_ORIGIN_OVERRIDE ? "--override" : source_name(p->source);
}

int config_properties_put(struct config_properties *p, const char *key, const char *value,
                          int line, enum config_origin origin, struct config_error *err)
{
    KS_ASSERT(p != NULL && key != NULL && value != NULL);
    KS_ASSERT(p->pool_used <= sizeof p->pool);
    struct config_property *item = (struct config_property *)config_properties_find(p, key);
    if (item == NULL && p->count == CONFIG_PROPERTIES_MAX) {
        return fail_at(err, CONFIG_ELIMIT, origin_name(p, origin), line,
                       "more than %d distinct keys", CONFIG_PROPERTIES_MAX);
    }
    uint32_t value_at = pool_add(p, value);
    uint32_t key_at = item != NULL ? item->key_at : pool_add(p, key);
    if (value_at == UINT32_MAX || key_at == UINT32_MAX) {
        return fail_at(err, CONFIG_ELIMIT, origin_name(p, origin), line,
                       "config text exceeds kraftsim's limit of %d bytes", CONFIG_POOL_BYTES);
    }
    if (item == NULL) {
        item = &p->items[p->count++];
        item->key_at = key_at;
    }
    item->value_at = value_at;
    item->line = line;
    item->origin = (uint8_t)origin;
    err->message[0] = '\0';
    return CONFIG_OK;
}

/* Unescapes a key or value into `out`; reports problems at `line`. */
static int unescape_part(struct config_properties *p, const char *in, size_t len, char *out,
                         size_t cap, int line, struct config_error *err)
{
    switch (unescape(in, len, out, cap)) {
    case UNESCAPE_OK:
        return CONFIG_OK;
    case UNESCAPE_MALFORMED:
        return fail_at(err, CONFIG_ESYNTAX, p->source, line, "Malformed \\uxxxx encoding.");
    case UNESCAPE_NUL:
        return fail_at(err, CONFIG_ESYNTAX, p->source, line,
                       "NUL character in a key or value (kraftsim keeps C strings)");
    case UNESCAPE_TOO_LONG:
        break;
    }
    return fail_at(err, CONFIG_ELIMIT, p->source, line, "line longer than %d bytes",
                   CONFIG_LINE_BYTES);
}

static int parse_logical_line(struct config_properties *p, const char *line, size_t len,
                              int line_no, struct config_error *err)
{
    char key[CONFIG_LINE_BYTES];
    char value[CONFIG_LINE_BYTES];
    size_t key_len;
    size_t value_at;
    split_key_value(line, len, &key_len, &value_at);
    int rc = unescape_part(p, line, key_len, key, sizeof key, line_no, err);
    if (rc == CONFIG_OK) {
        rc = unescape_part(p, line + value_at, len - value_at, value, sizeof value, line_no,
                           err);
    }
    if (rc == CONFIG_OK) {
        rc = config_properties_put(p, key, value, line_no, CONFIG_ORIGIN_FILE, err);
    }
    return rc;
}

int config_properties_parse(const char *text, size_t len, const char *filename,
                            struct config_properties *out, struct config_error *err)
{
    KS_ASSERT(text != NULL || len == 0);
    KS_ASSERT(out != NULL && err != NULL);
    memset(out, 0, sizeof *out);
    if (!copy_span(out->source, sizeof out->source, source_name(filename),
                   strlen(source_name(filename)))) {
        return fail_at(err, CONFIG_ELIMIT, NULL, 0, "file name longer than %d bytes",
                       CONFIG_PATH_BYTES - 1);
    }
    char line[CONFIG_LINE_BYTES];
    text = text != NULL ? text : ""; /* NULL + 0 is still undefined behaviour */
    struct reader r = {text, text + len, 1, false};
    for (;;) {
        int start_line = r.line;
        int n = read_logical_line(&r, line, sizeof line, &start_line);
        if (n == -1) {
            break;
        }
        if (n == -2) {
            return fail_at(err, CONFIG_ELIMIT, out->source, start_line,
                           "line longer than %d bytes", CONFIG_LINE_BYTES);
        }
        int rc = parse_logical_line(out, line, (size_t)n, start_line, err);
        if (rc != CONFIG_OK) {
            return rc;
        }
    }
    err->message[0] = '\0';
    return CONFIG_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* Values: Kafka's ConfigDef.parseType and the structured keys                             */

/* Writes a bare message (no location) for a setter and returns `code`. */
static int set_fail(char *msg, size_t cap, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int set_fail(char *msg, size_t cap, int code, const char *fmt, ...)
{
    KS_ASSERT(msg != NULL && cap > 0);
    KS_ASSERT(code != CONFIG_OK);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, cap, fmt, ap);
    va_end(ap);
    return code;
}

/* Appends text to a rendered value; reports whether everything fit. */
struct out {
    char *buf;
    size_t cap;
    size_t len; /* may exceed cap: the length everything needs */
};

static void out_printf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out_printf(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = o->len < o->cap ? o->cap - o->len : 0;
    int n = vsnprintf(room > 0 ? o->buf + o->len : NULL, room, fmt, ap);
    va_end(ap);
    KS_ASSERT(n >= 0);
    o->len += (size_t)n;
}

/* Items of one list value, handed to a per-entry parser with the setter's context. */
struct list_ctx {
    struct kafka_config *cfg;
    char *msg;
    size_t cap;
    size_t count;
};

/* Copies one list item into `entry` (NUL-terminated) or fails with CONFIG_ELIMIT. */
static int item_copy(struct list_ctx *ctx, const char *item, size_t len, char *entry,
                     size_t entry_cap, const char *key)
{
    if (!copy_span(entry, entry_cap, item, len)) {
        return set_fail(ctx->msg, ctx->cap, CONFIG_ELIMIT,
                        "an entry of %s is longer than %zu bytes", key, entry_cap - 1);
    }
    return CONFIG_OK;
}

static bool is_host_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c == '-' || c == '%' || c == '.' || c == '_' || c == ':';
}

enum host_port { HOST_PORT_OK, HOST_PORT_NO_MATCH, HOST_PORT_BAD_PORT, HOST_PORT_TOO_LONG };

/*
 * Matches "[scheme://][\[]host[\]]:port" the way Kafka's regexes do (Utils.HOST_PORT_PATTERN;
 * SocketServerConfigs.URI_PARSE_REGEXP when `signed_port`). Host characters are
 * [0-9a-zA-Z-%._:]; the port is the digits after the last ':'.
 */
static enum host_port split_host_port(const char *address, bool signed_port, char *host,
                                      size_t host_cap, int64_t *port)
{
    const char *p = address;
    const char *scheme = strstr(p, "://");
    if (scheme != NULL && !signed_port) {
        for (const char *c = p; c < scheme; c++) {
            if (!is_host_char(*c) || *c == ':') {
                return HOST_PORT_NO_MATCH;
            }
        }
        p = scheme + 3;
    }
    const char *colon = strrchr(p, ':');
    if (colon == NULL) {
        return HOST_PORT_NO_MATCH;
    }
    const char *h = p + (*p == '[');
    const char *h_end = colon;
    if (h_end > h && h_end[-1] == ']') {
        h_end--;
    }
    for (const char *c = h; c < h_end; c++) {
        if (!is_host_char(*c)) {
            return HOST_PORT_NO_MATCH;
        }
    }
    const char *digits = colon + 1 + (signed_port && colon[1] == '-');
    for (const char *c = digits; *c != '\0'; c++) {
        if (*c < '0' || *c > '9') {
            return HOST_PORT_NO_MATCH;
        }
    }
    if (*digits == '\0') {
        return HOST_PORT_NO_MATCH;
    }
    if (!config_parse_integer(colon + 1, INT32_MIN, INT32_MAX, port)) {
        return HOST_PORT_BAD_PORT;
    }
    return copy_span(host, host_cap, h, (size_t)(h_end - h)) ? HOST_PORT_OK
                                                              : HOST_PORT_TOO_LONG;
}

/* process.roles: ConfigDef LIST, ValidList.in("broker", "controller") (KRaftConfigs.java). */
static int role_item(void *arg, const char *item, size_t len)
{
    struct list_ctx *ctx = arg;
    unsigned role = 0;
    if (len == strlen("broker") && memcmp(item, "broker", len) == 0) {
        role = CONFIG_ROLE_BROKER;
    } else if (len == strlen("controller") && memcmp(item, "controller", len) == 0) {
        role = CONFIG_ROLE_CONTROLLER;
    } else if (len == 0) {
        return set_fail(ctx->msg, ctx->cap, CONFIG_EVALUE,
                        "Configuration 'process.roles' values must not be empty.");
    } else {
        return set_fail(ctx->msg, ctx->cap, CONFIG_EVALUE,
                        "Invalid value %.*s for configuration process.roles: String must be one "
                        "of: broker, controller",
                        (int)len, item);
    }
    if ((ctx->cfg->process_roles & role) != 0) {
        return set_fail(ctx->msg, ctx->cap, CONFIG_EVALUE,
                        "Configuration 'process.roles' values must not be duplicated.");
    }
    ctx->cfg->process_roles |= role;
    ctx->count++;
    return CONFIG_OK;
}

static int set_process_roles(struct kafka_config *cfg, const char *value, char *msg, size_t cap)
{
    struct list_ctx ctx = {cfg, msg, cap, 0};
    cfg->process_roles = 0;
    if (value == NULL) {
        return CONFIG_OK;
    }
    int rc = split_list(value, true, role_item, &ctx);
    if (rc == CONFIG_OK && ctx.count == 0 && cfg->release->number >= 400) {
        /* 4.0 made process.roles required (KAFKA-18331): there is no ZooKeeper mode left. */
        return set_fail(msg, cap, CONFIG_EVALUE,
                        "Configuration 'process.roles' must not be empty. Valid values include: "
                        "[broker, controller]");
    }
    return rc;
}

static bool render_process_roles(const struct kafka_config *cfg, char *buf, size_t cap)
{
    struct out o = {buf, cap, 0};
    bool broker = (cfg->process_roles & CONFIG_ROLE_BROKER) != 0;
    bool controller = (cfg->process_roles & CONFIG_ROLE_CONTROLLER) != 0;
    out_printf(&o, "%s%s%s", broker ? "broker" : "", broker && controller ? "," : "",
               controller ? "controller" : "");
    return cfg->process_roles != 0;
}

/* controller.quorum.voters: "{id}@{host}:{port}" (QuorumConfig.parseVoterConnections). */
static int voter_item(void *arg, const char *item, size_t len)
{
    static const char form[] = "Each entry should be in the form `{id}@{host}:{port}`.";
    struct list_ctx *ctx = arg;
    char entry[2 * CONFIG_HOST_BYTES];
    int rc = item_copy(ctx, item, len, entry, sizeof entry, "controller.quorum.voters");
    if (rc != CONFIG_OK) {
        return rc;
    }
    /* Java's split("@") drops trailing empty parts, so trailing '@'s do not count. */
    size_t n = len;
    while (n > 0 && entry[n - 1] == '@') {
        n--;
    }
    char *at = memchr(entry, '@', n);
    if (at == NULL || memchr(at + 1, '@', n - (size_t)(at + 1 - entry)) != NULL) {
        return set_fail(ctx->msg, ctx->cap, CONFIG_EVALUE,
                        "Invalid configuration value for controller.quorum.voters. %s", form);
    }
    char id_text[32] = "";
    char address[2 * CONFIG_HOST_BYTES];
    int64_t id;
    int64_t port;
    char host[CONFIG_HOST_BYTES];
    bool id_fits = copy_span(id_text, sizeof id_text, entry, (size_t)(at - entry));
    if (!id_fits || !config_parse_integer(id_text, INT32_MIN, INT32_MAX, &id)) {
        return set_fail(ctx->msg, ctx->cap, CONFIG_EVALUE,
                        "Failed to parse voter ID as an integer from %.*s", (int)(at - entry),
                        entry);
    }
    copy_span(address, sizeof address, at + 1, n - (size_t)(at + 1 - entry));
    switch (split_host_port(address, false, host, sizeof host, &port)) {
    case HOST_PORT_OK:
        break;
    case HOST_PORT_NO_MATCH:
        return set_fail(ctx->msg, ctx->cap, CONFIG_EVALUE,
                        "Failed to parse host name from entry %s for the configuration "
                        "controller.quorum.voters. %s",
                        entry, form);
    case HOST_PORT_BAD_PORT:
        return set_fail(ctx->msg, ctx->cap, CONFIG_EVALUE,
                        "Failed to parse host port from entry %s for the configuration "
                        "controller.quorum.voters. %s",
                        entry, form);
    case HOST_PORT_TOO_LONG:
        return set_fail(ctx->msg, ctx->cap, CONFIG_ELIMIT,
                        "host name longer than %d bytes in controller.quorum.voters entry %s",
                        CONFIG_HOST_BYTES - 1, entry);
    }
    if (port < 0 || port > 65535) {
        /* new InetSocketAddress(host, port) */
        return set_fail(ctx->msg, ctx->cap, CONFIG_EVALUE, "port out of range:%" PRId64, port);
    }
    /* A HashMap: a repeated id replaces the earlier address. */
    struct kafka_config *cfg = ctx->cfg;
    size_t i = 0;
    while (i < cfg->controller_quorum_voters_count &&
           cfg->controller_quorum_voters[i].id != (int32_t)id) {
        i++;
    }
    if (i == CONFIG_VOTERS_MAX) {
        return set_fail(ctx->msg, ctx->cap, CONFIG_ELIMIT,
                        "controller.quorum.voters has more than %d voters", CONFIG_VOTERS_MAX);
    }
    struct config_voter *voter = &cfg->controller_quorum_voters[i];
    voter->id = (int32_t)id;
    memcpy(voter->host, host, sizeof host);
    voter->port = (int32_t)port;
    cfg->controller_quorum_voters_count += i == cfg->controller_quorum_voters_count;
    return CONFIG_OK;
}

static int set_voters(struct kafka_config *cfg, const char *value, char *msg, size_t cap)
{
    struct list_ctx ctx = {cfg, msg, cap, 0};
    cfg->controller_quorum_voters_count = 0;
    return value == NULL ? CONFIG_OK : split_list(value, true, voter_item, &ctx);
}

/* Formats a host for "host:port", bracketing IPv6 literals (Utils.formatAddress). */
static void out_host_port(struct out *o, const char *host, int32_t port)
{
    bool ipv6 = strchr(host, ':') != NULL;
    out_printf(o, "%s%s%s:%" PRId32, ipv6 ? "[" : "", host, ipv6 ? "]" : "", port);
}

static bool render_voters(const struct kafka_config *cfg, char *buf, size_t cap)
{
    struct out o = {buf, cap, 0};
    out_printf(&o, "%s", "");
    for (size_t i = 0; i < cfg->controller_quorum_voters_count; i++) {
        const struct config_voter *v = &cfg->controller_quorum_voters[i];
        out_printf(&o, "%s%" PRId32 "@", i > 0 ? "," : "", v->id);
        out_host_port(&o, v->host, v->port);
    }
    return true;
}

/* controller.quorum.bootstrap.servers: "{host}:{port}" (QuorumConfig.parseBootstrapServer). */
static int bootstrap_item(void *arg, const char *item, size_t len)
{
    static const char form[] = "Each entry should be in the form \"{host}:{port}\"";
    static const char key[] = "controller.quorum.bootstrap.servers";
    struct list_ctx *ctx = arg;
    char entry[2 * CONFIG_HOST_BYTES];
    char host[CONFIG_HOST_BYTES];
    int64_t port;
    int rc = item_copy(ctx, item, len, entry, sizeof entry, key);
    if (rc != CONFIG_OK) {
        return rc;
    }
    switch (split_host_port(entry, false, host, sizeof host, &port)) {
    case HOST_PORT_OK:
        break;
    case HOST_PORT_NO_MATCH:
        return set_fail(ctx->msg, ctx->cap, CONFIG_EVALUE,
                        "Failed to parse host name from %s for the configuration %s. %s", entry,
                        key, form);
    case HOST_PORT_BAD_PORT:
        return set_fail(ctx->msg, ctx->cap, CONFIG_EVALUE,
                        "Failed to parse host port from %s for the configuration %s. %s", entry,
                        key, form);
    case HOST_PORT_TOO_LONG:
        return set_fail(ctx->msg, ctx->cap, CONFIG_ELIMIT,
                        "host name longer than %d bytes in %s entry %s", CONFIG_HOST_BYTES - 1,
                        key, entry);
    }
    if (port < 0 || port > 65535) {
        return set_fail(ctx->msg, ctx->cap, CONFIG_EVALUE, "port out of range:%" PRId64, port);
    }
    struct kafka_config *cfg = ctx->cfg;
    if (cfg->controller_quorum_bootstrap_servers_count == CONFIG_ENDPOINTS_MAX) {
        return set_fail(ctx->msg, ctx->cap, CONFIG_ELIMIT, "%s has more than %d entries", key,
                        CONFIG_ENDPOINTS_MAX);
    }
    struct config_endpoint *e =
        &cfg->controller_quorum_bootstrap_servers[cfg->controller_quorum_bootstrap_servers_count++];
    memcpy(e->host, host, sizeof host);
    e->port = (int32_t)port;
    return CONFIG_OK;
}

static int set_bootstrap_servers(struct kafka_config *cfg, const char *value, char *msg,
                                 size_t cap)
{
    struct list_ctx ctx = {cfg, msg, cap, 0};
    cfg->controller_quorum_bootstrap_servers_count = 0;
    return value == NULL ? CONFIG_OK : split_list(value, true, bootstrap_item, &ctx);
}

static bool render_bootstrap_servers(const struct kafka_config *cfg, char *buf, size_t cap)
{
    struct out o = {buf, cap, 0};
    out_printf(&o, "%s", "");
    for (size_t i = 0; i < cfg->controller_quorum_bootstrap_servers_count; i++) {
        const struct config_endpoint *e = &cfg->controller_quorum_bootstrap_servers[i];
        out_printf(&o, "%s", i > 0 ? "," : "");
        out_host_port(&o, e->host, e->port);
    }
    return true;
}

/* ListenerName.normalised: upper-cases (Locale.ROOT, so ASCII only matters here). */
static bool copy_upper(char *out, size_t cap, const char *text, size_t len)
{
    if (!copy_span(out, cap, text, len)) {
        return false;
    }
    for (char *c = out; *c != '\0'; c++) {
        *c = *c >= 'a' && *c <= 'z' ? (char)(*c - 'a' + 'A') : *c;
    }
    return true;
}

/* The listener list being filled by listener_item. */
struct listener_list {
    struct list_ctx ctx;
    const char *key;
    const char *value; /* the whole value, for messages */
    struct config_listener *items;
    size_t *count;
};

/* One "NAME://host:port" (SocketServerConfigs.listenerListToEndPoints, URI_PARSE_REGEXP). */
static int listener_item(void *arg, const char *item, size_t len)
{
    struct listener_list *l = arg;
    char entry[2 * CONFIG_HOST_BYTES];
    int rc = item_copy(&l->ctx, item, len, entry, sizeof entry, l->key);
    if (rc != CONFIG_OK) {
        return rc;
    }
    const char *sep = NULL;
    for (const char *p = strstr(entry, "://"); p != NULL; p = strstr(p + 1, "://")) {
        sep = p; /* (.*) is greedy: the last "://" */
    }
    struct config_listener parsed;
    int64_t port = 0;
    enum host_port hp = HOST_PORT_NO_MATCH;
    if (sep != NULL) {
        hp = split_host_port(sep + 3, true, parsed.host, sizeof parsed.host, &port);
    }
    if (hp != HOST_PORT_OK) {
        return set_fail(l->ctx.msg, l->ctx.cap, hp == HOST_PORT_TOO_LONG ? CONFIG_ELIMIT
                                                                         : CONFIG_EVALUE,
                        "Error creating broker listeners from '%s': Unable to parse %s to a "
                        "broker endpoint",
                        l->value, entry);
    }
    if (!copy_upper(parsed.name, sizeof parsed.name, entry, (size_t)(sep - entry))) {
        return set_fail(l->ctx.msg, l->ctx.cap, CONFIG_ELIMIT,
                        "listener name longer than %d bytes in %s", CONFIG_NAME_BYTES - 1,
                        l->key);
    }
    if (*l->count == CONFIG_ENDPOINTS_MAX) {
        return set_fail(l->ctx.msg, l->ctx.cap, CONFIG_ELIMIT, "%s has more than %d entries",
                        l->key, CONFIG_ENDPOINTS_MAX);
    }
    parsed.port = (int32_t)port;
    l->items[(*l->count)++] = parsed;
    return CONFIG_OK;
}

static int set_listener_list(struct kafka_config *cfg, const char *key, const char *value,
                             struct config_listener *items, size_t *count, char *msg,
                             size_t cap)
{
    struct listener_list l = {{cfg, msg, cap, 0}, key, value, items, count};
    *count = 0;
    return split_list(value, false, listener_item, &l);
}

static int set_listeners(struct kafka_config *cfg, const char *value, char *msg, size_t cap)
{
    cfg->listeners_count = 0;
    if (value == NULL) {
        return CONFIG_OK;
    }
    return set_listener_list(cfg, "listeners", value, cfg->listeners, &cfg->listeners_count,
                             msg, cap);
}

static int set_advertised_listeners(struct kafka_config *cfg, const char *value, char *msg,
                                    size_t cap)
{
    cfg->advertised_listeners_count = 0;
    cfg->advertised_listeners_set = value != NULL;
    if (value == NULL) {
        return CONFIG_OK;
    }
    return set_listener_list(cfg, "advertised.listeners", value, cfg->advertised_listeners,
                             &cfg->advertised_listeners_count, msg, cap);
}

static void out_listeners(struct out *o, const struct config_listener *items, size_t count)
{
    out_printf(o, "%s", "");
    for (size_t i = 0; i < count; i++) {
        out_printf(o, "%s%s://", i > 0 ? "," : "", items[i].name);
        if (items[i].host[0] == '\0') {
            out_printf(o, ":%" PRId32, items[i].port);
        } else {
            out_host_port(o, items[i].host, items[i].port);
        }
    }
}

static bool render_listeners(const struct kafka_config *cfg, char *buf, size_t cap)
{
    struct out o = {buf, cap, 0};
    out_listeners(&o, cfg->listeners, cfg->listeners_count);
    return true;
}

static bool render_advertised_listeners(const struct kafka_config *cfg, char *buf, size_t cap)
{
    struct out o = {buf, cap, 0};
    out_listeners(&o, cfg->advertised_listeners, cfg->advertised_listeners_count);
    return cfg->advertised_listeners_set;
}

/* SecurityProtocol.forName: the upper-cased name. */
static bool security_protocol_from_name(const char *name, enum config_security_protocol *out)
{
    for (int i = 0; i < CONFIG_PROTOCOL_COUNT; i++) {
        if (strcasecmp(name, protocol_names[i]) == 0) {
            *out = (enum config_security_protocol)i;
            return true;
        }
    }
    return false;
}

/* listener.security.protocol.map: Csv.parseCsvMap, split at the last ':' of each entry. */
static int protocol_item(void *arg, const char *item, size_t len)
{
    static const char key[] = "listener.security.protocol.map";
    struct list_ctx *ctx = arg;
    char entry[2 * CONFIG_NAME_BYTES];
    char listener[CONFIG_NAME_BYTES];
    char protocol[CONFIG_NAME_BYTES];
    int rc = item_copy(ctx, item, len, entry, sizeof entry, key);
    if (rc != CONFIG_OK) {
        return rc;
    }
    char *colon = strrchr(entry, ':');
    if (colon == NULL) {
        return set_fail(ctx->msg, ctx->cap, CONFIG_EVALUE,
                        "Error parsing configuration property '%s': no ':' in entry '%s'", key,
                        entry);
    }
    *colon = '\0';
    const char *name_start;
    size_t name_len = trim_span(entry, &name_start);
    enum config_security_protocol parsed;
    if (!copy_upper(listener, sizeof listener, name_start, name_len)) {
        return set_fail(ctx->msg, ctx->cap, CONFIG_ELIMIT,
                        "listener name longer than %d bytes in %s", CONFIG_NAME_BYTES - 1, key);
    }
    if (!copy_trimmed(protocol, sizeof protocol, colon + 1)) {
        /* No protocol name is this long (SecurityProtocol.forName would refuse it too). */
        return set_fail(ctx->msg, ctx->cap, CONFIG_EVALUE,
                        "Invalid security protocol longer than %d bytes defined in %s",
                        CONFIG_NAME_BYTES - 1, key);
    }
    if (!security_protocol_from_name(protocol, &parsed)) {
        return set_fail(ctx->msg, ctx->cap, CONFIG_EVALUE,
                        "Invalid security protocol `%s` defined in %s", protocol, key);
    }
    struct kafka_config *cfg = ctx->cfg;
    size_t i = 0;
    while (i < cfg->listener_security_protocol_map_count &&
           strcmp(cfg->listener_security_protocol_map[i].listener, listener) != 0) {
        i++;
    }
    if (i == CONFIG_ENDPOINTS_MAX) {
        return set_fail(ctx->msg, ctx->cap, CONFIG_ELIMIT, "%s has more than %d entries", key,
                        CONFIG_ENDPOINTS_MAX);
    }
    memcpy(cfg->listener_security_protocol_map[i].listener, listener, sizeof listener);
    cfg->listener_security_protocol_map[i].protocol = parsed;
    cfg->listener_security_protocol_map_count += i == cfg->listener_security_protocol_map_count;
    return CONFIG_OK;
}

static int set_protocol_map(struct kafka_config *cfg, const char *value, char *msg, size_t cap)
{
    struct list_ctx ctx = {cfg, msg, cap, 0};
    cfg->listener_security_protocol_map_count = 0;
    return value == NULL ? CONFIG_OK : split_list(value, false, protocol_item, &ctx);
}

static bool render_protocol_map(const struct kafka_config *cfg, char *buf, size_t cap)
{
    struct out o = {buf, cap, 0};
    out_printf(&o, "%s", "");
    for (size_t i = 0; i < cfg->listener_security_protocol_map_count; i++) {
        const struct config_protocol_mapping *m = &cfg->listener_security_protocol_map[i];
        out_printf(&o, "%s%s:%s", i > 0 ? "," : "", m->listener, protocol_names[m->protocol]);
    }
    return cfg->listener_security_protocol_map_set;
}

/* controller.listener.names: a list of names, kept as written (trunk's LIST; trimmed). */
static int controller_name_item(void *arg, const char *item, size_t len)
{
    struct list_ctx *ctx = arg;
    struct kafka_config *cfg = ctx->cfg;
    if (len == 0) {
        return set_fail(ctx->msg, ctx->cap, CONFIG_EVALUE,
                        "Configuration 'controller.listener.names' values must not be empty.");
    }
    if (cfg->controller_listener_names_count == CONFIG_ENDPOINTS_MAX) {
        return set_fail(ctx->msg, ctx->cap, CONFIG_ELIMIT,
                        "controller.listener.names has more than %d entries",
                        CONFIG_ENDPOINTS_MAX);
    }
    char *slot = cfg->controller_listener_names[cfg->controller_listener_names_count];
    if (!copy_span(slot, CONFIG_NAME_BYTES, item, len)) {
        return set_fail(ctx->msg, ctx->cap, CONFIG_ELIMIT,
                        "listener name longer than %d bytes in controller.listener.names",
                        CONFIG_NAME_BYTES - 1);
    }
    for (size_t i = 0; i < cfg->controller_listener_names_count; i++) {
        if (strcmp(cfg->controller_listener_names[i], slot) == 0) {
            return set_fail(ctx->msg, ctx->cap, CONFIG_EVALUE,
                            "Configuration 'controller.listener.names' values must not be "
                            "duplicated.");
        }
    }
    cfg->controller_listener_names_count++;
    return CONFIG_OK;
}

static int set_controller_listener_names(struct kafka_config *cfg, const char *value, char *msg,
                                         size_t cap)
{
    struct list_ctx ctx = {cfg, msg, cap, 0};
    cfg->controller_listener_names_count = 0;
    return value == NULL ? CONFIG_OK : split_list(value, true, controller_name_item, &ctx);
}

static bool render_controller_listener_names(const struct kafka_config *cfg, char *buf,
                                             size_t cap)
{
    struct out o = {buf, cap, 0};
    out_printf(&o, "%s", "");
    for (size_t i = 0; i < cfg->controller_listener_names_count; i++) {
        out_printf(&o, "%s%s", i > 0 ? "," : "", cfg->controller_listener_names[i]);
    }
    return cfg->controller_listener_names_count > 0;
}

/* A nullable STRING key stored trimmed in a char array ("" = null). */
static int set_string(char *field, size_t field_cap, const char *key, const char *value,
                      char *msg, size_t cap)
{
    field[0] = '\0';
    if (value != NULL && !copy_trimmed(field, field_cap, value)) {
        return set_fail(msg, cap, CONFIG_ELIMIT, "%s is longer than %zu bytes", key,
                        field_cap - 1);
    }
    return CONFIG_OK;
}

/* Stored normalised (upper-cased), as ListenerName.normalised does when Kafka reads it. */
static int set_inter_broker_listener_name(struct kafka_config *cfg, const char *value,
                                          char *msg, size_t cap)
{
    char *name = cfg->inter_broker_listener_name;
    int rc = set_string(name, sizeof cfg->inter_broker_listener_name,
                        "inter.broker.listener.name", value, msg, cap);
    if (rc == CONFIG_OK) {
        copy_upper(name, sizeof cfg->inter_broker_listener_name, name, strlen(name));
    }
    return rc;
}

static bool render_inter_broker_listener_name(const struct kafka_config *cfg, char *buf,
                                              size_t cap)
{
    snprintf(buf, cap, "%s", cfg->inter_broker_listener_name);
    return cfg->inter_broker_listener_name[0] != '\0';
}

static int set_zookeeper_connect(struct kafka_config *cfg, const char *value, char *msg,
                                 size_t cap)
{
    return set_string(cfg->zookeeper_connect, sizeof cfg->zookeeper_connect,
                      "zookeeper.connect", value, msg, cap);
}

static bool render_zookeeper_connect(const struct kafka_config *cfg, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", cfg->zookeeper_connect);
    return cfg->zookeeper_connect[0] != '\0';
}

static int set_metadata_log_dir(struct kafka_config *cfg, const char *value, char *msg,
                                size_t cap)
{
    return set_string(cfg->metadata_log_dir, sizeof cfg->metadata_log_dir, "metadata.log.dir",
                      value, msg, cap);
}

static bool render_metadata_log_dir(const struct kafka_config *cfg, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", cfg->metadata_log_dir);
    return cfg->metadata_log_dir[0] != '\0';
}

static int set_log_dir(struct kafka_config *cfg, const char *value, char *msg, size_t cap)
{
    return set_string(cfg->log_dir, sizeof cfg->log_dir, "log.dir", value, msg, cap);
}

static bool render_log_dir(const struct kafka_config *cfg, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", cfg->log_dir);
    return true;
}

/* Csv.parseCsvList: "\\s*,\\s*" with empty items dropped (KafkaConfig.logDirs). */
static int log_dir_item(void *arg, const char *item, size_t len)
{
    struct list_ctx *ctx = arg;
    struct kafka_config *cfg = ctx->cfg;
    if (cfg->log_dirs_count == CONFIG_LOG_DIRS_MAX) {
        return set_fail(ctx->msg, ctx->cap, CONFIG_ELIMIT, "more than %d log directories",
                        CONFIG_LOG_DIRS_MAX);
    }
    if (!copy_span(cfg->log_dirs[cfg->log_dirs_count], CONFIG_PATH_BYTES, item, len)) {
        return set_fail(ctx->msg, ctx->cap, CONFIG_ELIMIT,
                        "a log directory is longer than %d bytes", CONFIG_PATH_BYTES - 1);
    }
    cfg->log_dirs_count++;
    return CONFIG_OK;
}

static int set_log_dirs(struct kafka_config *cfg, const char *value, char *msg, size_t cap)
{
    struct list_ctx ctx = {cfg, msg, cap, 0};
    cfg->log_dirs_count = 0;
    cfg->log_dirs_set = value != NULL;
    return value == NULL ? CONFIG_OK : split_list(value, false, log_dir_item, &ctx);
}

static bool render_log_dirs(const struct kafka_config *cfg, char *buf, size_t cap)
{
    struct out o = {buf, cap, 0};
    out_printf(&o, "%s", "");
    for (size_t i = 0; i < cfg->log_dirs_count; i++) {
        out_printf(&o, "%s%s", i > 0 ? "," : "", cfg->log_dirs[i]);
    }
    return cfg->log_dirs_set;
}

/* log.flush.interval.ms: a nullable LONG; null means log.flush.scheduler.interval.ms. */
static int set_log_flush_interval_ms(struct kafka_config *cfg, const char *value, char *msg,
                                     size_t cap)
{
    char text[32];
    int64_t parsed = -1;
    if (value != NULL) {
        bool fits = copy_trimmed(text, sizeof text, value);
        if (!fits || !config_parse_integer(text, INT64_MIN, INT64_MAX, &parsed)) {
            return set_fail(msg, cap, CONFIG_EVALUE,
                            "Invalid value %s for configuration log.flush.interval.ms: Not a "
                            "number of type LONG",
                            value);
        }
        if (parsed < 0) {
            return set_fail(msg, cap, CONFIG_EVALUE,
                            "Invalid value %" PRId64 " for configuration log.flush.interval.ms: "
                            "Value must be at least 0 (kraftsim; Kafka accepts it)",
                            parsed);
        }
    }
    cfg->log_flush_interval_ms = parsed;
    return CONFIG_OK;
}

static bool render_log_flush_interval_ms(const struct kafka_config *cfg, char *buf, size_t cap)
{
    snprintf(buf, cap, "%" PRId64, cfg->log_flush_interval_ms);
    return cfg->log_flush_interval_ms >= 0;
}

/* LONG keys whose default is null: one setter and renderer each, over a shared pair. */
#define MIN_NONE_LONG INT64_MIN
static int set_nullable_long(int64_t *field, const char *key, int64_t min, const char *value,
                             char *msg, size_t cap)
{
    char text[32];
    int64_t parsed = CONFIG_NULL_LONG;
    if (value != NULL) {
        bool fits = copy_trimmed(text, sizeof text, value);
        if (!fits || !config_parse_integer(text, INT64_MIN + 1, INT64_MAX, &parsed)) {
            return set_fail(msg, cap, CONFIG_EVALUE,
                            "Invalid value %s for configuration %s: Not a number of type LONG",
                            value, key);
        }
        if (min != MIN_NONE_LONG && parsed < min) {
            return set_fail(msg, cap, CONFIG_EVALUE,
                            "Invalid value %" PRId64 " for configuration %s: Value must be at "
                            "least %" PRId64, parsed, key, min);
        }
    }
    *field = parsed;
    return CONFIG_OK;
}

static bool render_nullable_long(int64_t v, char *buf, size_t cap)
{
    snprintf(buf, cap, "%" PRId64, v);
    return v != CONFIG_NULL_LONG;
}

#define NULLABLE_LONG(fn, key, field, min)                                                     \
    static int set_##fn(struct kafka_config *cfg, const char *value, char *msg, size_t cap)    \
    {                                                                                          \
        return set_nullable_long(&cfg->field, key, min, value, msg, cap);                      \
    }                                                                                          \
    static bool render_##fn(const struct kafka_config *cfg, char *buf, size_t cap)             \
    {                                                                                          \
        return render_nullable_long(cfg->field, buf, cap);                                     \
    }
NULLABLE_LONG(log_retention_minutes, "log.retention.minutes", log_retention_minutes,
              MIN_NONE_LONG)
NULLABLE_LONG(log_retention_ms, "log.retention.ms", log_retention_ms, MIN_NONE_LONG)
NULLABLE_LONG(log_roll_ms, "log.roll.ms", log_roll_ms, 1)

int64_t config_log_retention_ms(const struct kafka_config *cfg)
{
    if (cfg->log_retention_ms != CONFIG_NULL_LONG) {
        return cfg->log_retention_ms;
    }
    if (cfg->log_retention_minutes != CONFIG_NULL_LONG) {
        return cfg->log_retention_minutes * 60000;
    }
    return (int64_t)cfg->log_retention_hours * 3600000;
}

int64_t config_log_roll_ms(const struct kafka_config *cfg)
{
    return cfg->log_roll_ms != CONFIG_NULL_LONG ? cfg->log_roll_ms
                                                : (int64_t)cfg->log_roll_hours * 3600000;
}

/* ---------------------------------------------------------------------------------------- */
/* The key table, sorted by name                                                            */

#define MIN_NONE CONFIG_MIN_NONE
#define KRAFT_SINCE 208 /* KIP-500's keys arrived with the 2.8 early access */

/* Accepted: parsed and type-checked like Kafka, kept as text, no effect in the simulation. */
#define ACCEPT(name, type, def, imp, since, min, doc)                                          \
    {name, CONFIG_TYPE_##type, def, CONFIG_##imp, false, since, min, false, 0, NULL, NULL, doc}
/* Modelled scalar stored at `field`; `ks`: the bound is kraftsim's, Kafka has none. */
#define SCALAR(name, type, field, def, imp, since, min, ks, doc)                               \
    {name, CONFIG_TYPE_##type, def, CONFIG_##imp, true, since, min, ks,                         \
     offsetof(struct kafka_config, field), NULL, NULL, doc}
/* Modelled with its own parser and renderer. */
#define CUSTOM(name, type, def, imp, since, set, render, doc)                                  \
    {name, CONFIG_TYPE_##type, def, CONFIG_##imp, true, since, MIN_NONE, false, 0, set, render, doc}

static const struct config_key config_key_table[] = {
    CUSTOM("advertised.listeners", STRING, NULL, HIGH, 0, set_advertised_listeners,
           render_advertised_listeners,
           "Listeners published for clients and brokers, NAME://host:port; null: listeners."),
    SCALAR("auto.create.topics.enable", BOOLEAN, auto_create_topics_enable, "true", HIGH, 0,
           MIN_NONE, false, "Create a topic when a client first asks for it."),
    ACCEPT("auto.leader.rebalance.enable", BOOLEAN, "true", HIGH, 0, MIN_NONE,
           "Move leadership back to preferred replicas periodically."),
    ACCEPT("background.threads", INT, "10", HIGH, 0, 1, "Threads for background tasks."),
    SCALAR("broker.heartbeat.interval.ms", INT, broker_heartbeat_interval_ms, "2000", MEDIUM,
           KRAFT_SINCE, 1, true, "Time between a KRaft broker's heartbeats to the controller."),
    SCALAR("broker.id", INT, broker_id, "-1", HIGH, 0, MIN_NONE, false,
           "The broker id; a synonym of node.id (KafkaConfig.populateSynonyms)."),
    SCALAR("broker.id.generation.enable", BOOLEAN, broker_id_generation_enable, "true", MEDIUM,
           0, MIN_NONE, false, "ZooKeeper mode: broker.id=-1 asks ZooKeeper for an id."),
    SCALAR("broker.session.timeout.ms", INT, broker_session_timeout_ms, "9000", MEDIUM,
           KRAFT_SINCE, 0, true, "A KRaft broker is fenced after this long without heartbeats."),
    ACCEPT("compression.type", STRING, "producer", HIGH, 0, MIN_NONE,
           "Broker-side compression of appended batches."),
    ACCEPT("connections.max.idle.ms", LONG, "600000", MEDIUM, 0, MIN_NONE,
           "Idle connections are closed after this long."),
    ACCEPT("controlled.shutdown.enable", BOOLEAN, "true", MEDIUM, 0, MIN_NONE,
           "Move leadership away before a clean shutdown."),
    ACCEPT("controlled.shutdown.max.retries", INT, "3", MEDIUM, 0, MIN_NONE,
           "ZooKeeper mode: controlled shutdown attempts."),
    ACCEPT("controlled.shutdown.retry.backoff.ms", LONG, "5000", MEDIUM, 0, MIN_NONE,
           "ZooKeeper mode: wait between controlled shutdown attempts."),
    CUSTOM("controller.listener.names", LIST, NULL, HIGH, KRAFT_SINCE,
           set_controller_listener_names, render_controller_listener_names,
           "Listeners the controller serves; a broker uses the first. Required from 4.2."),
    SCALAR("controller.quorum.append.linger.ms", INT, controller_quorum_append_linger_ms, "25",
           MEDIUM, KRAFT_SINCE, 0, true, "The KRaft leader batches writes this long."),
    SCALAR("controller.quorum.auto.join.enable", BOOLEAN, controller_quorum_auto_join_enable,
           "false", MEDIUM, 402, MIN_NONE, false,
           "A controller adds itself to the voters (AddRaftVoter), 4.2+."),
    CUSTOM("controller.quorum.bootstrap.servers", LIST, "", HIGH, 308, set_bootstrap_servers,
           render_bootstrap_servers,
           "host:port list to discover the quorum (KIP-853; usable from 3.9)."),
    SCALAR("controller.quorum.election.backoff.max.ms", INT,
           controller_quorum_election_backoff_max_ms, "1000", HIGH, KRAFT_SINCE, 0, true,
           "Cap of the backoff before a new election (QuorumConfig.java)."),
    SCALAR("controller.quorum.election.timeout.ms", INT, controller_quorum_election_timeout_ms,
           "1000", HIGH, KRAFT_SINCE, 0, true,
           "Base election timeout T; timers draw from [T, 2T) (QuorumConfig.java)."),
    SCALAR("controller.quorum.fetch.max.bytes", INT, controller_quorum_fetch_max_bytes,
           "1048576", MEDIUM, 403, 1, true, "MaxBytes of KRaft Fetch (4.3+; 8 MiB before)."),
    SCALAR("controller.quorum.fetch.snapshot.max.bytes", INT,
           controller_quorum_fetch_snapshot_max_bytes, "1048576", MEDIUM, 403, 1, true,
           "MaxBytes of FetchSnapshot (4.3+; 8 MiB before)."),
    SCALAR("controller.quorum.fetch.timeout.ms", INT, controller_quorum_fetch_timeout_ms, "2000",
           HIGH, KRAFT_SINCE, 0, true,
           "A voter without a successful fetch this long starts an election (QuorumConfig)."),
    SCALAR("controller.quorum.request.timeout.ms", INT, controller_quorum_request_timeout_ms,
           "2000", MEDIUM, KRAFT_SINCE, 0, true, "KRaft RPC timeout (RequestManager.java)."),
    SCALAR("controller.quorum.retry.backoff.ms", INT, controller_quorum_retry_backoff_ms, "20",
           LOW, KRAFT_SINCE, 0, true, "Wait after a failed KRaft RPC (RequestManager.java)."),
    CUSTOM("controller.quorum.voters", LIST, "", HIGH, KRAFT_SINCE, set_voters, render_voters,
           "Static voters, {id}@{host}:{port},... (QuorumConfig.java)."),
    ACCEPT("controller.socket.timeout.ms", INT, "30000", MEDIUM, 0, MIN_NONE,
           "Controller-to-broker socket timeout."),
    SCALAR("default.replication.factor", INT, default_replication_factor, "1", MEDIUM, 0,
           MIN_NONE, false, "Replication factor of automatically created topics."),
    SCALAR("delete.topic.enable", BOOLEAN, delete_topic_enable, "true", HIGH, 0, MIN_NONE,
           false, "Allow topic deletion through the admin API."),
    ACCEPT("eligible.leader.replicas.enable", BOOLEAN, "false", HIGH, 307, MIN_NONE,
           "3.7-3.9 internal flag; kraftsim takes ELR from kraftsim.switch.replication.elr."),
    ACCEPT("fetch.purgatory.purge.interval.requests", INT, "1000", MEDIUM, 0, MIN_NONE,
           "Fetch purgatory purge interval."),
    SCALAR("group.initial.rebalance.delay.ms", INT, group_initial_rebalance_delay_ms, "3000",
           MEDIUM, 0, 0, true, "Wait for more members before a new group's first rebalance."),
    ACCEPT("group.max.session.timeout.ms", INT, "1800000", MEDIUM, 0, MIN_NONE,
           "Largest consumer session timeout."),
    ACCEPT("group.min.session.timeout.ms", INT, "6000", MEDIUM, 0, MIN_NONE,
           "Smallest consumer session timeout."),
    ACCEPT("initial.broker.registration.timeout.ms", INT, "60000", MEDIUM, KRAFT_SINCE,
           MIN_NONE, "A KRaft broker gives up registering after this long."),
    CUSTOM("inter.broker.listener.name", STRING, NULL, MEDIUM, 0,
           set_inter_broker_listener_name, render_inter_broker_listener_name,
           "Listener for replication; null: named after inter.broker.security.protocol."),
    ACCEPT("inter.broker.protocol.version", STRING, NULL, MEDIUM, 0, MIN_NONE,
           "Defaults to the release's latest; kraftsim models versions through the release."),
    ACCEPT("leader.imbalance.check.interval.seconds", LONG, "300", HIGH, 0, 1,
           "Period of the preferred-leader check."),
    ACCEPT("leader.imbalance.per.broker.percentage", INT, "10", HIGH, 0, MIN_NONE,
           "Allowed leader imbalance per broker."),
    CUSTOM("listener.security.protocol.map", STRING,
           "SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT", LOW, 0,
           set_protocol_map, render_protocol_map, "NAME:PROTOCOL for every listener."),
    CUSTOM("listeners", STRING, "PLAINTEXT://:9092", HIGH, 0, set_listeners, render_listeners,
           "NAME://host:port list the server binds; empty host = all interfaces."),
    ACCEPT("log.cleaner.backoff.ms", LONG, "15000", MEDIUM, 0, 0, "Log cleaner idle sleep."),
    ACCEPT("log.cleaner.dedupe.buffer.size", LONG, "134217728", MEDIUM, 0, MIN_NONE,
           "Log cleaner dedupe buffer."),
    ACCEPT("log.cleaner.delete.retention.ms", LONG, "86400000", MEDIUM, 0, 0,
           "Tombstone retention of compacted topics."),
    ACCEPT("log.cleaner.enable", BOOLEAN, "true", MEDIUM, 0, MIN_NONE, "Run the log cleaner."),
    ACCEPT("log.cleaner.io.buffer.load.factor", DOUBLE, "0.9", MEDIUM, 0, MIN_NONE,
           "Log cleaner dedupe buffer load factor."),
    ACCEPT("log.cleaner.io.buffer.size", INT, "524288", MEDIUM, 0, 0,
           "Log cleaner I/O buffer."),
    ACCEPT("log.cleaner.io.max.bytes.per.second", DOUBLE, "1.7976931348623157E308", MEDIUM, 0,
           MIN_NONE, "Log cleaner I/O throttle."),
    ACCEPT("log.cleaner.min.cleanable.ratio", DOUBLE, "0.5", MEDIUM, 0, MIN_NONE,
           "Dirty ratio that triggers cleaning."),
    ACCEPT("log.cleaner.min.compaction.lag.ms", LONG, "0", MEDIUM, 0, 0,
           "Minimum age before a record is compacted."),
    ACCEPT("log.cleaner.threads", INT, "1", MEDIUM, 0, 0, "Log cleaner threads."),
    ACCEPT("log.cleanup.policy", LIST, "delete", MEDIUM, 0, MIN_NONE,
           "delete and/or compact."),
    CUSTOM("log.dir", STRING, "/tmp/kafka-logs", HIGH, 0, set_log_dir, render_log_dir,
           "Log directory, used when log.dirs is null (comma-separated like log.dirs)."),
    CUSTOM("log.dirs", STRING, NULL, HIGH, 0, set_log_dirs, render_log_dirs,
           "Comma-separated log directories; null: log.dir."),
    SCALAR("log.flush.interval.messages", LONG, log_flush_interval_messages,
           "9223372036854775807", HIGH, 0, 1, false,
           "fsync a partition after this many appended messages."),
    CUSTOM("log.flush.interval.ms", LONG, NULL, HIGH, 0, set_log_flush_interval_ms,
           render_log_flush_interval_ms,
           "fsync a partition this long after its last flush; null: the scheduler interval."),
    SCALAR("log.flush.offset.checkpoint.interval.ms", INT, log_flush_offset_checkpoint_interval_ms,
           "60000", HIGH, 0, 0, false, "Recovery point checkpoint period."),
    SCALAR("log.flush.scheduler.interval.ms", LONG, log_flush_scheduler_interval_ms,
           "9223372036854775807", HIGH, 0, 0, true, "How often the log flusher checks logs."),
    SCALAR("log.index.interval.bytes", INT, log_index_interval_bytes, "4096", MEDIUM, 0, 0, false,
           "Offset index density."),
    SCALAR("log.index.size.max.bytes", INT, log_index_size_max_bytes, "10485760", MEDIUM, 0, 4,
           false, "Offset index size."),
    ACCEPT("log.message.timestamp.difference.max.ms", LONG, "9223372036854775807", MEDIUM, 0,
           0, "Deprecated by KIP-937 (3.6); Kafka 4.0 drops it."),
    ACCEPT("log.message.timestamp.type", STRING, "CreateTime", MEDIUM, 0, MIN_NONE,
           "CreateTime or LogAppendTime."),
    ACCEPT("log.preallocate", BOOLEAN, "false", MEDIUM, 0, MIN_NONE,
           "Preallocate segment files."),
    SCALAR("log.retention.bytes", LONG, log_retention_bytes, "-1", HIGH, 0, MIN_NONE, false,
           "Size-based retention."),
    SCALAR("log.retention.check.interval.ms", LONG, log_retention_check_interval_ms, "300000",
           MEDIUM, 0, 1, false, "Retention check period."),
    SCALAR("log.retention.hours", INT, log_retention_hours, "168", HIGH, 0, MIN_NONE, false,
           "Time-based retention."),
    CUSTOM("log.retention.minutes", INT, NULL, HIGH, 0, set_log_retention_minutes,
           render_log_retention_minutes, "Time-based retention; null: log.retention.hours."),
    CUSTOM("log.retention.ms", LONG, NULL, HIGH, 0, set_log_retention_ms, render_log_retention_ms,
           "Time-based retention (-1: none); null: log.retention.minutes."),
    SCALAR("log.roll.hours", INT, log_roll_hours, "168", HIGH, 0, 1, false, "Segment roll time."),
    ACCEPT("log.roll.jitter.hours", INT, "0", HIGH, 0, 0, "Segment roll jitter."),
    ACCEPT("log.roll.jitter.ms", LONG, NULL, HIGH, 0, MIN_NONE, "Segment roll jitter."),
    CUSTOM("log.roll.ms", LONG, NULL, HIGH, 0, set_log_roll_ms, render_log_roll_ms,
           "Segment roll time; null: log.roll.hours."),
    SCALAR("log.segment.bytes", INT, log_segment_bytes, "1073741824", HIGH, 0, 14, false,
           "Segment size of data partitions (at least LegacyRecord.RECORD_OVERHEAD_V0)."),
    ACCEPT("log.segment.delete.delay.ms", LONG, "60000", HIGH, 0, 0,
           "Wait before deleting a segment file."),
    ACCEPT("max.connections.per.ip", INT, "2147483647", MEDIUM, 0, 0,
           "Connections allowed from one address."),
    SCALAR("message.max.bytes", INT, message_max_bytes, "1048588", HIGH, 0, 0, false,
           "Largest record batch a partition accepts."),
    CUSTOM("metadata.log.dir", STRING, NULL, HIGH, KRAFT_SINCE, set_metadata_log_dir,
           render_metadata_log_dir,
           "Directory of __cluster_metadata-0; null: the first log directory."),
    SCALAR("metadata.log.max.record.bytes.between.snapshots", LONG,
           metadata_log_max_record_bytes_between_snapshots, "20971520", HIGH, 300, 1, false,
           "New committed bytes that trigger a metadata snapshot."),
    SCALAR("metadata.log.max.snapshot.interval.ms", LONG, metadata_log_max_snapshot_interval_ms,
           "3600000", HIGH, 304, 0, false, "Snapshot age that triggers a new one; 0: never."),
    SCALAR("metadata.log.segment.bytes", INT, metadata_log_segment_bytes, "1073741824", HIGH,
           300, 8388608, false, "Segment size of the metadata log."),
    SCALAR("metadata.log.segment.ms", LONG, metadata_log_segment_ms, "604800000", HIGH, 300,
           MIN_NONE, false, "Age of a metadata log segment's first batch that rolls a new one."),
    SCALAR("metadata.max.idle.interval.ms", INT, metadata_max_idle_interval_ms, "500", LOW, 303,
           0, false, "Period of the active controller's NoOpRecord; 0: none."),
    SCALAR("metadata.max.retention.bytes", LONG, metadata_max_retention_bytes, "104857600",
           HIGH, 300, MIN_NONE, false,
           "Metadata log bytes kept before segments under the latest snapshot go; -1: no limit."),
    SCALAR("metadata.max.retention.ms", LONG, metadata_max_retention_ms, "604800000", HIGH, 300,
           MIN_NONE, false, "Age past which metadata log segments under a snapshot go."),
    SCALAR("min.insync.replicas", INT, min_insync_replicas, "1", HIGH, 0, 1, false,
           "Replicas in the ISR an acks=all write needs."),
    SCALAR("node.id", INT, node_id, "-1", HIGH, KRAFT_SINCE, MIN_NONE, false,
           "The node id; required (>= 0) from 4.0, -1 = unset before."),
    ACCEPT("num.io.threads", INT, "8", HIGH, 0, 1, "Request handler threads."),
    ACCEPT("num.network.threads", INT, "3", HIGH, 0, 1, "Network threads."),
    SCALAR("num.partitions", INT, num_partitions, "1", MEDIUM, 0, 1, false,
           "Partitions of automatically created topics."),
    ACCEPT("num.recovery.threads.per.data.dir", INT, "1", HIGH, 0, 1, "Log recovery threads."),
    ACCEPT("num.replica.fetchers", INT, "1", HIGH, 0, MIN_NONE,
           "Fetcher threads per source broker."),
    ACCEPT("offset.metadata.max.bytes", INT, "4096", HIGH, 0, MIN_NONE,
           "Metadata size of an offset commit."),
    ACCEPT("offsets.commit.required.acks", SHORT, "-1", HIGH, 0, MIN_NONE,
           "Acks of offset commits; removed in 4.0."),
    ACCEPT("offsets.commit.timeout.ms", INT, "5000", HIGH, 0, 1, "Offset commit timeout."),
    ACCEPT("offsets.load.buffer.size", INT, "5242880", HIGH, 0, 1,
           "Read size when loading offsets."),
    ACCEPT("offsets.retention.check.interval.ms", LONG, "600000", HIGH, 0, 1,
           "Stale offset check period."),
    ACCEPT("offsets.retention.minutes", INT, "10080", HIGH, 0, 1,
           "Retention of committed offsets."),
    ACCEPT("offsets.topic.compression.codec", INT, "0", HIGH, 0, MIN_NONE,
           "Compression of __consumer_offsets."),
    SCALAR("offsets.topic.num.partitions", INT, offsets_topic_num_partitions, "50", HIGH, 0, 1,
           false, "Partitions of __consumer_offsets."),
    SCALAR("offsets.topic.replication.factor", SHORT, offsets_topic_replication_factor, "3",
           HIGH, 0, 1, false, "Replication factor of __consumer_offsets."),
    ACCEPT("offsets.topic.segment.bytes", INT, "104857600", HIGH, 0, 1,
           "Segment size of __consumer_offsets."),
    CUSTOM("process.roles", LIST, NULL, HIGH, KRAFT_SINCE, set_process_roles,
           render_process_roles,
           "broker, controller or both; empty = ZooKeeper mode (3.x). Required from 4.0."),
    ACCEPT("producer.purgatory.purge.interval.requests", INT, "1000", MEDIUM, 0, MIN_NONE,
           "Produce purgatory purge interval."),
    ACCEPT("queued.max.requests", INT, "500", HIGH, 0, 1, "Request queue depth."),
    ACCEPT("quota.consumer.default", LONG, "9223372036854775807", HIGH, 0, MIN_NONE,
           "Removed in 3.0 (KAFKA-12591); later Kafka ignores it with a warning."),
    ACCEPT("quota.producer.default", LONG, "9223372036854775807", HIGH, 0, MIN_NONE,
           "Removed in 3.0 (KAFKA-12591); later Kafka ignores it with a warning."),
    SCALAR("replica.fetch.backoff.ms", INT, replica_fetch_backoff_ms, "1000", MEDIUM, 0, 0,
           false, "Follower fetcher sleep after a fetch error."),
    SCALAR("replica.fetch.max.bytes", INT, replica_fetch_max_bytes, "1048576", MEDIUM, 0, 0,
           false, "Bytes a follower asks for per partition."),
    SCALAR("replica.fetch.min.bytes", INT, replica_fetch_min_bytes, "1", HIGH, 0, MIN_NONE,
           false, "Bytes a follower fetch waits for."),
    SCALAR("replica.fetch.response.max.bytes", INT, replica_fetch_response_max_bytes,
           "10485760", MEDIUM, 0, 0, false, "Bytes of a whole follower fetch response."),
    SCALAR("replica.fetch.wait.max.ms", INT, replica_fetch_wait_max_ms, "500", HIGH, 0, 0, true,
           "MaxWaitMs of follower fetches; <= replica.lag.time.max.ms."),
    SCALAR("replica.high.watermark.checkpoint.interval.ms", LONG,
           replica_high_watermark_checkpoint_interval_ms, "5000", HIGH, 0, MIN_NONE, false,
           "High watermark checkpoint period."),
    SCALAR("replica.lag.time.max.ms", LONG, replica_lag_time_max_ms, "30000", HIGH, 0, 1, true,
           "A follower not caught up for this long leaves the ISR (10000 in 2.4)."),
    ACCEPT("replica.socket.receive.buffer.bytes", INT, "65536", HIGH, 0, MIN_NONE,
           "Follower socket buffer."),
    SCALAR("replica.socket.timeout.ms", INT, replica_socket_timeout_ms, "30000", HIGH, 0,
           MIN_NONE, false, "Follower socket timeout; >= replica.fetch.wait.max.ms."),
    ACCEPT("request.timeout.ms", INT, "30000", HIGH, 0, MIN_NONE,
           "Timeout of the broker's own requests."),
    SCALAR("reserved.broker.max.id", INT, reserved_broker_max_id, "1000", MEDIUM, 0, 0, false,
           "ZooKeeper mode: the largest id a configured broker.id may use."),
    ACCEPT("share.coordinator.state.topic.min.isr", SHORT, "2", HIGH, 400, 1,
           "min.insync.replicas of __share_group_state (KIP-932)."),
    ACCEPT("share.coordinator.state.topic.replication.factor", SHORT, "3", HIGH, 400, 1,
           "Replication factor of __share_group_state (KIP-932)."),
    ACCEPT("socket.receive.buffer.bytes", INT, "102400", HIGH, 0, MIN_NONE,
           "Server socket receive buffer."),
    ACCEPT("socket.request.max.bytes", INT, "104857600", HIGH, 0, 1, "Largest request."),
    ACCEPT("socket.send.buffer.bytes", INT, "102400", HIGH, 0, MIN_NONE,
           "Server socket send buffer."),
    SCALAR("transaction.state.log.min.isr", INT, transaction_state_log_min_isr, "2", HIGH, 0, 1,
           false, "min.insync.replicas of __transaction_state."),
    SCALAR("transaction.state.log.replication.factor", SHORT,
           transaction_state_log_replication_factor, "3", HIGH, 0, 1, false,
           "Replication factor of __transaction_state."),
    SCALAR("unclean.leader.election.enable", BOOLEAN, unclean_leader_election_enable, "false",
           HIGH, 0, MIN_NONE, false, "Elect an out-of-sync replica when none is in sync."),
    SCALAR("unclean.leader.election.interval.ms", LONG, unclean_leader_election_interval_ms,
           "300000", MEDIUM, 309, 1, false, "How often the controller tries unclean elections."),
    CUSTOM("zookeeper.connect", STRING, NULL, HIGH, 0, set_zookeeper_connect,
           render_zookeeper_connect, "host:port list of the ZooKeeper ensemble (ZooKeeper mode)."),
    SCALAR("zookeeper.session.timeout.ms", INT, zookeeper_session_timeout_ms, "18000", HIGH, 0,
           0, true, "ZooKeeper session timeout (6000 in 2.4)."),
    ACCEPT("zookeeper.set.acl", BOOLEAN, "false", HIGH, 0, MIN_NONE,
           "Secure ACLs on ZooKeeper nodes."),
};

#undef ACCEPT
#undef SCALAR
#undef CUSTOM

#define KEY_COUNT (sizeof config_key_table / sizeof config_key_table[0])

/* Key prefixes accepted whole: security settings kraftsim does not model. */
static const char *const accepted_prefixes[] = {"listener.name.", "sasl.", "ssl."};

const struct config_key *config_keys(size_t *count)
{
    KS_ASSERT(count != NULL);
    *count = KEY_COUNT;
    return config_key_table;
}

const struct config_key *config_key_find(const char *name)
{
    KS_ASSERT(name != NULL);
    size_t lo = 0;
    size_t hi = KEY_COUNT;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, config_key_table[mid].name);
        if (c == 0) {
            return &config_key_table[mid];
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return NULL;
}

bool config_key_prefix_accepted(const char *name)
{
    KS_ASSERT(name != NULL);
    for (size_t i = 0; i < sizeof accepted_prefixes / sizeof accepted_prefixes[0]; i++) {
        size_t n = strlen(accepted_prefixes[i]);
        if (strncmp(name, accepted_prefixes[i], n) == 0 && name[n] != '\0') {
            return true;
        }
    }
    return false;
}

bool config_key_from_env(const char *env_name, char *out, size_t cap)
{
    static const char prefix[] = "KAFKA_CFG_";
    KS_ASSERT(env_name != NULL && out != NULL);
    size_t n = strlen(prefix);
    if (strncmp(env_name, prefix, n) != 0 || env_name[n] == '\0') {
        return false;
    }
    const char *rest = env_name + n;
    size_t len = strlen(rest);
    if (len >= cap) {
        return false;
    }
    for (size_t i = 0; i <= len; i++) {
        char c = rest[i];
        out[i] = c == '_' ? '.' : c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    return true;
}

/* ---------------------------------------------------------------------------------------- */
/* Typed values (ConfigDef.parseType, Range.atLeast)                                        */

/*
 * Checks `value` against `k`'s type and lower bound with Kafka's messages; integer types
 * return the number in *number (booleans as 0/1).
 */
static int check_value(const struct config_key *k, const char *value, int64_t *number,
                       char *msg, size_t cap)
{
    static const int64_t lows[] = {[CONFIG_TYPE_SHORT] = INT16_MIN, [CONFIG_TYPE_INT] = INT32_MIN,
                                   [CONFIG_TYPE_LONG] = INT64_MIN};
    static const int64_t highs[] = {[CONFIG_TYPE_SHORT] = INT16_MAX,
                                    [CONFIG_TYPE_INT] = INT32_MAX, [CONFIG_TYPE_LONG] = INT64_MAX};
    char text[40];
    bool fits = copy_trimmed(text, sizeof text, value);
    *number = 0;
    switch (k->type) {
    case CONFIG_TYPE_BOOLEAN:
        if (fits && (strcasecmp(text, "true") == 0 || strcasecmp(text, "false") == 0)) {
            *number = strcasecmp(text, "true") == 0;
            return CONFIG_OK;
        }
        return set_fail(msg, cap, CONFIG_EVALUE,
                        "Invalid value %s for configuration %s: Expected value to be either true "
                        "or false",
                        value, k->name);
    case CONFIG_TYPE_SHORT:
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_LONG:
        if (!fits || !config_parse_integer(text, lows[k->type], highs[k->type], number)) {
            return set_fail(msg, cap, CONFIG_EVALUE,
                            "Invalid value %s for configuration %s: Not a number of type %s",
                            value, k->name, type_names[k->type]);
        }
        if (k->min != CONFIG_MIN_NONE && *number < k->min) {
            return set_fail(msg, cap, CONFIG_EVALUE,
                            "Invalid value %" PRId64 " for configuration %s: Value must be at "
                            "least %" PRId64 "%s",
                            *number, k->name, k->min,
                            k->min_kraftsim ? " (kraftsim; Kafka accepts it)" : "");
        }
        return CONFIG_OK;
    case CONFIG_TYPE_DOUBLE:
        if (fits && is_java_double(text)) {
            return CONFIG_OK;
        }
        return set_fail(msg, cap, CONFIG_EVALUE,
                        "Invalid value %s for configuration %s: Not a number of type DOUBLE",
                        value, k->name);
    default:
        return CONFIG_OK;
    }
}

/* Stores a checked scalar at its field. */
static void store_scalar(struct kafka_config *cfg, const struct config_key *k, int64_t number)
{
    char *field = (char *)cfg + k->offset;
    KS_ASSERT(k->modelled);
    KS_ASSERT(k->set == NULL);
    switch (k->type) {
    case CONFIG_TYPE_BOOLEAN:
        *(bool *)field = number != 0;
        break;
    case CONFIG_TYPE_SHORT:
        *(int16_t *)field = (int16_t)number;
        break;
    case CONFIG_TYPE_INT:
        *(int32_t *)field = (int32_t)number;
        break;
    case CONFIG_TYPE_LONG:
        *(int64_t *)field = number;
        break;
    default:
        KS_ASSERT(!"a scalar key is BOOLEAN, SHORT, INT or LONG");
    }
}

static void render_scalar(const struct kafka_config *cfg, const struct config_key *k, char *buf,
                          size_t cap)
{
    const char *field = (const char *)cfg + k->offset;
    switch (k->type) {
    case CONFIG_TYPE_BOOLEAN:
        snprintf(buf, cap, "%s", *(const bool *)field ? "true" : "false");
        break;
    case CONFIG_TYPE_SHORT:
        snprintf(buf, cap, "%d", *(const int16_t *)field);
        break;
    case CONFIG_TYPE_INT:
        snprintf(buf, cap, "%" PRId32, *(const int32_t *)field);
        break;
    case CONFIG_TYPE_LONG:
        snprintf(buf, cap, "%" PRId64, *(const int64_t *)field);
        break;
    default:
        KS_ASSERT(!"a scalar key is BOOLEAN, SHORT, INT or LONG");
    }
}

/* Parses `value` (NULL: Kafka's null) for `k` and stores it if modelled. */
static int apply_value(struct kafka_config *cfg, const struct config_key *k, const char *value,
                       char *msg, size_t cap)
{
    if (k->set != NULL) {
        return k->set(cfg, value, msg, cap);
    }
    if (value == NULL) {
        KS_ASSERT(!k->modelled);
        return CONFIG_OK;
    }
    int64_t number;
    int rc = check_value(k, value, &number, msg, cap);
    if (rc == CONFIG_OK && k->modelled) {
        store_scalar(cfg, k, number);
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* Defaults and parsing                                                                     */

/* The effective log dirs, synonyms and mode, after every property is applied. */
static int finish_derived(struct kafka_config *cfg, struct config_error *err)
{
    bool node_id_set = config_is_set(cfg, "node.id");
    bool broker_id_set = config_is_set(cfg, "broker.id");
    /* KafkaConfig.populateSynonyms: whichever of node.id and broker.id is set fills the other. */
    if (broker_id_set && !node_id_set) {
        cfg->node_id = cfg->broker_id;
    } else if (node_id_set && !broker_id_set) {
        cfg->broker_id = cfg->node_id;
    }
    cfg->listener_security_protocol_map_set =
        config_is_set(cfg, "listener.security.protocol.map");
    cfg->log_dirs_set = config_is_set(cfg, "log.dirs");
    if (!cfg->log_dirs_set) {
        char msg[CONFIG_ERROR_BYTES];
        struct list_ctx ctx = {cfg, msg, sizeof msg, 0};
        cfg->log_dirs_count = 0;
        int rc = split_list(cfg->log_dir, false, log_dir_item, &ctx);
        if (rc != CONFIG_OK) {
            return fail_at(err, rc, cfg->source.source, 0, "log.dir: %s", msg);
        }
    }
    cfg->mode = cfg->process_roles != 0 ? CONFIG_MODE_KRAFT : CONFIG_MODE_ZOOKEEPER;
    return CONFIG_OK;
}

void config_defaults(struct kafka_config *cfg, const struct kafka_release *release)
{
    KS_ASSERT(cfg != NULL);
    char msg[CONFIG_ERROR_BYTES];
    memset(cfg, 0, sizeof *cfg);
    cfg->release = release != NULL ? release : release_default();
    cfg->switches = switches_from_release(cfg->release);
    memcpy(cfg->source.source, "config", sizeof "config");
    for (size_t i = 0; i < KEY_COUNT; i++) {
        const struct config_key *k = &config_key_table[i];
        if (k->modelled) {
            int rc = apply_value(cfg, k, k->default_text, msg, sizeof msg);
            KS_ASSERT(rc == CONFIG_OK);
        }
    }
    for (const struct release_default *d = cfg->release->defaults; d->key != NULL; d++) {
        const struct config_key *k = config_key_find(d->key);
        KS_ASSERT(k != NULL);
        KS_ASSERT(k->modelled);
        int rc = apply_value(cfg, k, d->value, msg, sizeof msg);
        KS_ASSERT(rc == CONFIG_OK);
    }
    struct config_error err;
    int rc = finish_derived(cfg, &err);
    KS_ASSERT(rc == CONFIG_OK);
}

/* The nearest known key within 2 edits (the first in table order on a tie), or NULL. */
static const char *suggest_key(const char *key)
{
    const char *best = NULL;
    size_t best_distance = 3;
    for (size_t i = 0; i < KEY_COUNT; i++) {
        size_t d = text_edit_distance(key, config_key_table[i].name);
        if (d < best_distance) {
            best = config_key_table[i].name;
            best_distance = d;
        }
    }
    return best;
}

/* Re-shapes a bare message already in `err` (from release.c) with a location. */
static int relocate(struct config_error *err, int code, const char *where, int line)
{
    char bare[CONFIG_ERROR_BYTES];
    memcpy(bare, err->message, sizeof bare);
    return fail_at(err, code, where, line, "%s", bare);
}

static int apply_property(struct kafka_config *cfg, const struct config_property *item,
                          struct config_error *err)
{
    static const char switch_prefix[] = "kraftsim.switch.";
    const char *key = config_property_key(&cfg->source, item);
    const char *value = config_property_value(&cfg->source, item);
    const char *where = origin_name(&cfg->source, (enum config_origin)item->origin);
    if (strcmp(key, "kafka.version") == 0) {
        return CONFIG_OK; /* applied first, by config_parse_overrides */
    }
    if (strncmp(key, switch_prefix, sizeof switch_prefix - 1) == 0) {
        int rc = switch_set(&cfg->switches, key + sizeof switch_prefix - 1, value, err);
        return rc == CONFIG_OK ? rc : relocate(err, rc, where, item->line);
    }
    const struct config_key *k = config_key_find(key);
    if (k == NULL && config_key_prefix_accepted(key)) {
        return CONFIG_OK;
    }
    if (k == NULL) {
        const char *hint = suggest_key(key);
        return fail_at(err, CONFIG_EUNKNOWN, where, item->line, "unknown config key '%s'%s%s%s",
                       key, hint != NULL ? " (did you mean '" : "", hint != NULL ? hint : "",
                       hint != NULL ? "'?)" : "");
    }
    if (k->since > cfg->release->number) {
        return fail_at(err, CONFIG_ERELEASE, where, item->line,
                       "config key '%s' is not in Kafka %s (added in %d.%d)", key,
                       cfg->release->name, k->since / 100, k->since % 100);
    }
    char msg[CONFIG_ERROR_BYTES];
    int rc = apply_value(cfg, k, value, msg, sizeof msg);
    return rc == CONFIG_OK ? rc : fail_at(err, rc, where, item->line, "%s", msg);
}

/* kafka-server-start.sh --override key=value, as Kafka splits it: at the first '='. */
static int put_override(struct config_properties *p, const char *text, size_t index,
                        struct config_error *err)
{
    const char *eq = strchr(text, '=');
    char key[CONFIG_LINE_BYTES];
    if (eq == NULL || eq == text) {
        return fail_at(err, CONFIG_ESYNTAX, "--override", (int)index + 1,
                       "expected key=value, got '%s'", text);
    }
    if (!copy_span(key, sizeof key, text, (size_t)(eq - text))) {
        return fail_at(err, CONFIG_ELIMIT, "--override", (int)index + 1,
                       "key longer than %d bytes", CONFIG_LINE_BYTES - 1);
    }
    return config_properties_put(p, key, eq + 1, (int)index + 1, CONFIG_ORIGIN_OVERRIDE, err);
}

/* kafka.version picks the release before anything else is applied. */
static int find_release(const struct config_properties *p, const struct kafka_release **out,
                        struct config_error *err)
{
    const struct config_property *item = config_properties_find(p, "kafka.version");
    *out = release_default();
    if (item == NULL) {
        return CONFIG_OK;
    }
    char name[32] = "";
    const char *value = config_property_value(p, item);
    if (copy_trimmed(name, sizeof name, value)) {
        *out = release_find(name);
    }
    if (*out == NULL || name[0] == '\0') {
        return fail_at(err, CONFIG_ERELEASE, origin_name(p, (enum config_origin)item->origin),
                       item->line,
                       "Invalid value %s for configuration kafka.version: String must be one "
                       "of: %s",
                       value, release_names());
    }
    return CONFIG_OK;
}

int config_parse_overrides(const char *text, size_t len, const char *filename,
                           const char *const *overrides, size_t override_count,
                           struct kafka_config *out, struct config_error *err)
{
    KS_ASSERT(out != NULL && err != NULL);
    KS_ASSERT(overrides != NULL || override_count == 0);
    struct config_properties *props = malloc(sizeof *props);
    const struct kafka_release *release = NULL;
    int rc = props == NULL ? fail_at(err, CONFIG_ELIMIT, filename, 0, "out of memory")
                           : config_properties_parse(text, len, filename, props, err);
    for (size_t i = 0; rc == CONFIG_OK && i < override_count; i++) {
        rc = put_override(props, overrides[i], i, err);
    }
    if (rc == CONFIG_OK) {
        rc = find_release(props, &release, err);
    }
    if (rc == CONFIG_OK) {
        config_defaults(out, release);
        out->source = *props;
    }
    for (size_t i = 0; rc == CONFIG_OK && i < out->source.count; i++) {
        rc = apply_property(out, &out->source.items[i], err);
    }
    if (rc == CONFIG_OK) {
        rc = finish_derived(out, err);
    }
    if (rc == CONFIG_OK) {
        rc = switches_check(&out->switches, err);
        rc = rc == CONFIG_OK ? rc : relocate(err, rc, out->source.source, 0);
    }
    if (rc == CONFIG_OK) {
        rc = config_validate(out, err);
    }
    free(props);
    return rc;
}

int config_parse(const char *text, size_t len, const char *filename, struct kafka_config *out,
                 struct config_error *err)
{
    return config_parse_overrides(text, len, filename, NULL, 0, out, err);
}

int config_load_file(const char *path, const char *const *overrides, size_t override_count,
                     struct kafka_config *out, struct config_error *err)
{
    KS_ASSERT(path != NULL && out != NULL && err != NULL);
    int rc;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return fail_at(err, CONFIG_EIO, path, 0, "cannot open: %s", strerror(errno));
    }
    char *text = malloc(CONFIG_FILE_BYTES_MAX + 1);
    if (text == NULL) {
        rc = fail_at(err, CONFIG_ELIMIT, path, 0, "out of memory");
        goto err_after_open;
    }
    size_t len = fread(text, 1, CONFIG_FILE_BYTES_MAX + 1, f);
    if (ferror(f)) {
        rc = fail_at(err, CONFIG_EIO, path, 0, "cannot read: %s", strerror(errno));
        goto err_after_alloc;
    }
    if (len > CONFIG_FILE_BYTES_MAX) {
        rc = fail_at(err, CONFIG_ELIMIT, path, 0, "file larger than %d bytes",
                     CONFIG_FILE_BYTES_MAX);
        goto err_after_alloc;
    }
    rc = config_parse_overrides(text, len, path, overrides, override_count, out, err);
err_after_alloc:
    free(text);
err_after_open:
    fclose(f);
    return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* Queries                                                                                  */

bool config_is_set(const struct kafka_config *cfg, const char *key)
{
    KS_ASSERT(cfg != NULL && key != NULL);
    return config_properties_find(&cfg->source, key) != NULL;
}

const char *config_metadata_log_dir(const struct kafka_config *cfg)
{
    KS_ASSERT(cfg != NULL);
    KS_ASSERT(cfg->log_dirs_count > 0 || cfg->metadata_log_dir[0] != '\0');
    return cfg->metadata_log_dir[0] != '\0' ? cfg->metadata_log_dir : cfg->log_dirs[0];
}

const char *config_inter_broker_listener_name(const struct kafka_config *cfg)
{
    KS_ASSERT(cfg != NULL);
    /* ListenerName.forSecurityProtocol(inter.broker.security.protocol = PLAINTEXT) */
    return cfg->inter_broker_listener_name[0] != '\0' ? cfg->inter_broker_listener_name
                                                      : "PLAINTEXT";
}

const struct config_voter *config_voter_find(const struct kafka_config *cfg, int32_t id)
{
    KS_ASSERT(cfg != NULL);
    KS_ASSERT(cfg->controller_quorum_voters_count <= CONFIG_VOTERS_MAX);
    for (size_t i = 0; i < cfg->controller_quorum_voters_count; i++) {
        if (cfg->controller_quorum_voters[i].id == id) {
            return &cfg->controller_quorum_voters[i];
        }
    }
    return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Validation (KafkaConfig.validateValues, CoreUtils.listenerListToEndPoints)               */

/* A ConfigException: the message as Kafka throws it, no prefix. */
#define CONFIG_FAIL(cfg, err, code, ...) fail_at(err, code, (cfg)->source.source, 0, __VA_ARGS__)

/* Scala's require(): IllegalArgumentException("requirement failed: " + message). */
static int require_fail(const struct kafka_config *cfg, struct config_error *err,
                        const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int require_fail(const struct kafka_config *cfg, struct config_error *err,
                        const char *fmt, ...)
{
    char message[CONFIG_ERROR_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    return CONFIG_FAIL(cfg, err, CONFIG_EINVALID, "requirement failed: %s", message);
}

/*
 * The voter ids as Scala prints `voterIds.asScala.toSet`: "Set(1, 2, 3)", in the iteration
 * order of the java.util.HashMap QuorumConfig.parseVoterConnections fills (bucket
 * (h ^ h >>> 16) & (capacity - 1), then insertion). Exact for up to 4 voters; Scala's
 * HashSet reorders larger sets.
 */
static void format_voter_ids(const struct kafka_config *cfg, char *buf, size_t cap)
{
    size_t n = cfg->controller_quorum_voters_count;
    uint32_t capacity = 1;
    while (capacity < n) {
        capacity <<= 1; /* HashMap.tableSizeFor */
    }
    while (n > capacity * 3 / 4) {
        capacity <<= 1; /* resize once size exceeds the 0.75 load factor */
    }
    size_t order[CONFIG_VOTERS_MAX];
    uint32_t bucket[CONFIG_VOTERS_MAX];
    for (size_t i = 0; i < n; i++) {
        uint32_t h = (uint32_t)cfg->controller_quorum_voters[i].id;
        bucket[i] = (h ^ (h >> 16)) & (capacity - 1);
        size_t j = i;
        for (; j > 0 && bucket[order[j - 1]] > bucket[i]; j--) {
            order[j] = order[j - 1];
        }
        order[j] = i;
    }
    struct out o = {buf, cap, 0};
    out_printf(&o, "Set(");
    for (size_t i = 0; i < n; i++) {
        out_printf(&o, "%s%" PRId32, i > 0 ? ", " : "",
                   cfg->controller_quorum_voters[order[i]].id);
    }
    out_printf(&o, ")");
}

static bool is_ssl_or_sasl(const char *name)
{
    return strcmp(name, "SSL") == 0 || strcmp(name, "SASL_SSL") == 0 ||
           strcmp(name, "SASL_PLAINTEXT") == 0;
}

static bool is_controller_listener(const struct kafka_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->controller_listener_names_count; i++) {
        if (strcmp(cfg->controller_listener_names[i], name) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * KafkaConfig.effectiveListenerSecurityProtocolMap: the map as set; or the default map plus,
 * in KRaft mode with no SSL or SASL listener in sight, PLAINTEXT for controller listeners.
 */
static bool listener_protocol(const struct kafka_config *cfg, const char *name,
                              enum config_security_protocol *out)
{
    if (cfg->listener_security_protocol_map_set) {
        for (size_t i = 0; i < cfg->listener_security_protocol_map_count; i++) {
            if (strcmp(cfg->listener_security_protocol_map[i].listener, name) == 0) {
                *out = cfg->listener_security_protocol_map[i].protocol;
                return true;
            }
        }
        return false;
    }
    for (int i = 0; i < CONFIG_PROTOCOL_COUNT; i++) {
        if (strcmp(name, protocol_names[i]) == 0) {
            *out = (enum config_security_protocol)i;
            return true;
        }
    }
    bool secure = false;
    for (size_t i = 0; i < cfg->controller_listener_names_count; i++) {
        secure = secure || is_ssl_or_sasl(cfg->controller_listener_names[i]);
    }
    for (size_t i = 0; i < cfg->listeners_count; i++) {
        secure = secure || is_ssl_or_sasl(cfg->listeners[i].name);
    }
    *out = CONFIG_PROTOCOL_PLAINTEXT;
    return cfg->mode == CONFIG_MODE_KRAFT && !secure && is_controller_listener(cfg, name);
}

/* The key's text as Kafka's getString sees it: trimmed, or the default. */
static void raw_value(const struct kafka_config *cfg, const char *key, char *buf, size_t cap)
{
    const struct config_property *item = config_properties_find(&cfg->source, key);
    const struct config_key *k = config_key_find(key);
    KS_ASSERT(k != NULL);
    const char *text = item != NULL ? config_property_value(&cfg->source, item)
                                    : k->default_text != NULL ? k->default_text : "";
    const char *start;
    size_t len = trim_span(text, &start);
    snprintf(buf, cap, "%.*s", (int)len, start);
}

static bool is_ipv4_literal(const char *host)
{
    int parts = 0;
    for (const char *c = host;; c++) {
        int digits = 0;
        for (; *c >= '0' && *c <= '9'; c++) {
            digits++;
        }
        if (digits == 0 || digits > 3) {
            return false;
        }
        parts++;
        if (*c != '.') {
            return *c == '\0' && parts == 4;
        }
    }
}

/* Two listeners on one port are allowed only as one IPv4 and one IPv6 literal. */
static int check_listener_ports(const struct kafka_config *cfg, const char *raw,
                                struct config_error *err)
{
    for (size_t i = 0; i < cfg->listeners_count; i++) {
        const struct config_listener *a = &cfg->listeners[i];
        size_t same = 0;
        bool ip_pair = false;
        for (size_t j = 0; j < cfg->listeners_count; j++) {
            const struct config_listener *b = &cfg->listeners[j];
            if (j != i && a->port != 0 && b->port == a->port) {
                same++;
                bool a6 = strchr(a->host, ':') != NULL;
                bool b6 = strchr(b->host, ':') != NULL;
                ip_pair = (a6 && is_ipv4_literal(b->host)) || (b6 && is_ipv4_literal(a->host));
            }
        }
        if (same == 1 && ip_pair) {
            continue;
        }
        if (same > 0) {
            return require_fail(cfg, err, "Each listener must have a different port, "
                                          "listeners: %s", raw);
        }
    }
    return CONFIG_OK;
}

/* Each listener maps to a security protocol and has its own name (and port, for `listeners`). */
static int check_listener_list(const struct kafka_config *cfg, const char *key,
                               const struct config_listener *items, size_t count,
                               struct config_error *err)
{
    char raw[CONFIG_LINE_BYTES];
    raw_value(cfg, key, raw, sizeof raw);
    for (size_t i = 0; i < count; i++) {
        enum config_security_protocol protocol;
        if (!listener_protocol(cfg, items[i].name, &protocol)) {
            return CONFIG_FAIL(cfg, err, CONFIG_EINVALID,
                               "Error creating broker listeners from '%s': No security protocol "
                               "defined for listener %s",
                               raw, items[i].name);
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(items[i].name, items[j].name) == 0) {
                return require_fail(cfg, err,
                                    "Each listener must have a different name, listeners: %s",
                                    raw);
            }
        }
    }
    return items == cfg->listeners ? check_listener_ports(cfg, raw, err) : CONFIG_OK;
}

static bool listener_named(const struct config_listener *items, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(items[i].name, name) == 0) {
            return true;
        }
    }
    return false;
}

size_t config_advertised_broker_listeners(const struct kafka_config *cfg,
                                          const struct config_listener **out)
{
    const struct config_listener *adv =
        cfg->advertised_listeners_set ? cfg->advertised_listeners : cfg->listeners;
    size_t count = cfg->advertised_listeners_set ? cfg->advertised_listeners_count
                                                 : cfg->listeners_count;
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        if (!is_controller_listener(cfg, adv[i].name)) {
            out[n++] = &adv[i];
        }
    }
    return n;
}

/* The advertised listeners other than controller listeners, names joined with ','. */
static size_t broker_advertised(const struct kafka_config *cfg,
                                const struct config_listener **out, char *names, size_t cap)
{
    size_t n = config_advertised_broker_listeners(cfg, out);
    struct out o = {names, cap, 0};
    out_printf(&o, "%s", "");
    for (size_t i = 0; i < n; i++) {
        out_printf(&o, "%s%s", i > 0 ? "," : "", out[i]->name);
    }
    return n;
}

/* The rules for every broker, ZooKeeper or KRaft (KafkaConfig.validateValues, last part). */
static int check_broker_listeners(const struct kafka_config *cfg, struct config_error *err)
{
    const struct config_listener *adv[CONFIG_ENDPOINTS_MAX];
    char names[CONFIG_ENDPOINTS_MAX * CONFIG_NAME_BYTES];
    size_t n = broker_advertised(cfg, adv, names, sizeof names);
    const char *inter_broker = config_inter_broker_listener_name(cfg);
    bool found = false;
    if (n == 0) {
        return require_fail(cfg, err, "There must be at least one broker advertised listener.%s",
                            (cfg->process_roles & CONFIG_ROLE_BROKER) != 0
                                ? " Perhaps all listeners appear in controller.listener.names?"
                                : "");
    }
    for (size_t i = 0; i < n; i++) {
        found = found || strcmp(adv[i]->name, inter_broker) == 0;
    }
    if (!found) {
        return require_fail(cfg, err,
                            "inter.broker.listener.name must be a listener name defined in "
                            "advertised.listeners. The valid options based on currently "
                            "configured listeners are %s",
                            names);
    }
    for (size_t i = 0; i < n; i++) {
        if (!listener_named(cfg->listeners, cfg->listeners_count, adv[i]->name)) {
            char valid[CONFIG_ENDPOINTS_MAX * CONFIG_NAME_BYTES] = "";
            struct out o = {valid, sizeof valid, 0};
            for (size_t j = 0; j < cfg->listeners_count; j++) {
                out_printf(&o, "%s%s", j > 0 ? "," : "", cfg->listeners[j].name);
            }
            return require_fail(cfg, err,
                                "advertised.listeners listener names must be equal to or a "
                                "subset of the ones defined in listeners. Found %s. The valid "
                                "options based on the current configuration are %s",
                                names, valid);
        }
        if (strcmp(adv[i]->host, "0.0.0.0") == 0) {
            return require_fail(cfg, err,
                                "advertised.listeners cannot use the nonroutable meta-address "
                                "0.0.0.0. Use a routable IP address.");
        }
    }
    return CONFIG_OK;
}

/* node.id in KRaft mode: required from 4.0 (KAFKA-18331), -1 meant unset before. */
static int check_node_id(const struct kafka_config *cfg, struct config_error *err)
{
    bool set = config_is_set(cfg, "node.id") || config_is_set(cfg, "broker.id");
    if (cfg->release->number >= 400 && !set) {
        return CONFIG_FAIL(cfg, err, CONFIG_EMISSING,
                           "Missing required configuration \"node.id\" which has no default "
                           "value.");
    }
    if (cfg->release->number >= 400 && cfg->node_id < 0) {
        return CONFIG_FAIL(cfg, err, CONFIG_EVALUE,
                           "Invalid value %" PRId32 " for configuration node.id: Value must be "
                           "at least 0",
                           cfg->node_id);
    }
    if (cfg->node_id < 0) {
        return CONFIG_FAIL(cfg, err, CONFIG_EMISSING,
                           "Missing configuration `node.id` which is required when "
                           "`process.roles` is defined (i.e. when running in KRaft mode).");
    }
    return CONFIG_OK;
}

/* One of controller.quorum.voters and controller.quorum.bootstrap.servers must be set. */
static int check_quorum_endpoints(const struct kafka_config *cfg, struct config_error *err)
{
    if (cfg->controller_quorum_voters_count > 0 ||
        cfg->controller_quorum_bootstrap_servers_count > 0) {
        return CONFIG_OK;
    }
    if (cfg->release->number < 309) {
        return CONFIG_FAIL(cfg, err, CONFIG_EMISSING,
                           "If using process.roles, controller.quorum.voters must contain a "
                           "parseable set of voters.");
    }
    return CONFIG_FAIL(cfg, err, CONFIG_EMISSING,
                       "If using process.roles, either controller.quorum.bootstrap.servers must "
                       "contain the set of bootstrap controllers or controller.quorum.voters "
                       "must contain a parseable set of controllers.");
}

/* Whether any listener in `listeners` is a controller listener; whether all are. */
static void count_controller_listeners(const struct kafka_config *cfg, size_t *controllers)
{
    *controllers = 0;
    for (size_t i = 0; i < cfg->listeners_count; i++) {
        *controllers += is_controller_listener(cfg, cfg->listeners[i].name);
    }
}

/* process.roles=broker (KafkaConfig.validateValues, "KRaft broker-only"). */
static int check_broker_only(const struct kafka_config *cfg, const char *voters,
                             struct config_error *err)
{
    size_t controllers;
    if (config_voter_find(cfg, cfg->node_id) != NULL) {
        return require_fail(cfg, err,
                            "If process.roles contains just the 'broker' role, the node id "
                            "%" PRId32 " must not be included in the set of voters "
                            "controller.quorum.voters=%s",
                            cfg->node_id, voters);
    }
    if (cfg->controller_listener_names_count == 0) {
        return require_fail(cfg, err,
                            "controller.listener.names must contain at least one value when "
                            "running KRaft with just the broker role");
    }
    count_controller_listeners(cfg, &controllers);
    if (controllers > 0) {
        return require_fail(cfg, err,
                            "controller.listener.names must not contain a value appearing in "
                            "the 'listeners' configuration when running KRaft with just the "
                            "broker role");
    }
    for (size_t i = 0; i < cfg->controller_listener_names_count; i++) {
        char name[CONFIG_NAME_BYTES];
        enum config_security_protocol protocol;
        const char *raw = cfg->controller_listener_names[i];
        copy_upper(name, sizeof name, raw, strlen(raw));
        if (!listener_protocol(cfg, name, &protocol) && !listener_protocol(cfg, raw, &protocol)) {
            return CONFIG_FAIL(cfg, err, CONFIG_EINVALID,
                               "Controller listener with name %s defined in "
                               "controller.listener.names not found in "
                               "listener.security.protocol.map  (an explicit security mapping "
                               "for each controller listener is required if "
                               "listener.security.protocol.map is non-empty, or if there are "
                               "security protocols other than PLAINTEXT in use)",
                               name);
        }
    }
    return CONFIG_OK;
}

/* process.roles contains controller: combined or controller-only. */
static int check_controller(const struct kafka_config *cfg, const char *voters,
                            struct config_error *err)
{
    size_t controllers;
    count_controller_listeners(cfg, &controllers);
    if (cfg->process_roles == CONFIG_ROLE_CONTROLLER && controllers != cfg->listeners_count) {
        return require_fail(cfg, err,
                            "The listeners config must only contain KRaft controller listeners "
                            "from controller.listener.names when process.roles=controller");
    }
    if (cfg->controller_quorum_voters_count > 0 &&
        config_voter_find(cfg, cfg->node_id) == NULL) {
        return require_fail(cfg, err,
                            "If process.roles contains the 'controller' role, the node id "
                            "%" PRId32 " must be included in the set of voters "
                            "controller.quorum.voters=%s",
                            cfg->node_id, voters);
    }
    if (controllers == 0) {
        return require_fail(cfg, err,
                            "controller.listener.names must contain at least one value "
                            "appearing in the 'listeners' configuration when running the KRaft "
                            "controller role");
    }
    for (size_t i = 0; i < cfg->controller_listener_names_count; i++) {
        if (!listener_named(cfg->listeners, cfg->listeners_count,
                            cfg->controller_listener_names[i])) {
            return require_fail(cfg, err,
                                "controller.listener.names must only contain values appearing "
                                "in the 'listeners' configuration when running the KRaft "
                                "controller role");
        }
    }
    return CONFIG_OK;
}

int config_validate_kraft(const struct kafka_config *cfg, struct config_error *err)
{
    KS_ASSERT(cfg != NULL && err != NULL);
    KS_ASSERT(cfg->release != NULL);
    if (cfg->process_roles == 0) {
        return CONFIG_FAIL(cfg, err, CONFIG_EMISSING,
                           "Missing required configuration \"process.roles\" which has no "
                           "default value.");
    }
    int rc = check_node_id(cfg, err);
    if (rc != CONFIG_OK) {
        return rc;
    }
    /* LIST with no default since the LIST unification after 4.1 (KRAFT.md section 4) */
    if (cfg->release->number > 401 && !config_is_set(cfg, "controller.listener.names")) {
        return CONFIG_FAIL(cfg, err, CONFIG_EMISSING,
                           "Missing required configuration \"controller.listener.names\" which "
                           "has no default value.");
    }
    rc = check_quorum_endpoints(cfg, err);
    if (rc != CONFIG_OK) {
        return rc;
    }
    char voters[CONFIG_VOTERS_MAX * 16];
    format_voter_ids(cfg, voters, sizeof voters);
    rc = (cfg->process_roles & CONFIG_ROLE_CONTROLLER) != 0 ? check_controller(cfg, voters, err)
                                                            : check_broker_only(cfg, voters, err);
    if (rc != CONFIG_OK) {
        return rc;
    }
    for (size_t i = 0; i < cfg->controller_quorum_voters_count; i++) {
        /* QuorumConfig.parseVoterConnections with requireRoutableAddresses (raft client). */
        if (strcmp(cfg->controller_quorum_voters[i].host, "0.0.0.0") == 0) {
            return CONFIG_FAIL(cfg, err, CONFIG_EINVALID,
                               "Host string (0.0.0.0) is not routeable");
        }
    }
    err->message[0] = '\0';
    return CONFIG_OK;
}

int config_validate_zookeeper(const struct kafka_config *cfg, struct config_error *err)
{
    KS_ASSERT(cfg != NULL && err != NULL);
    KS_ASSERT(cfg->release != NULL);
    bool old = cfg->release->number < 300; /* 2.4's KafkaConfig words things differently */
    if (cfg->zookeeper_connect[0] == '\0') {
        return CONFIG_FAIL(cfg, err, CONFIG_EMISSING,
                           old ? "Missing required configuration \"zookeeper.connect\" which has "
                                 "no default value."
                               : "Missing required configuration `zookeeper.connect` which has "
                                 "no default value.");
    }
    const char *relation = old ? "be equal or greater than" : "be greater than or equal to";
    if (cfg->broker_id_generation_enable &&
        (cfg->broker_id < -1 || cfg->broker_id > cfg->reserved_broker_max_id)) {
        return require_fail(cfg, err,
                            "broker.id must %s -1 and not greater than reserved.broker.max.id",
                            relation);
    }
    if (!cfg->broker_id_generation_enable && cfg->broker_id < 0) {
        return require_fail(cfg, err, "broker.id must %s 0", relation);
    }
    if (cfg->controller_listener_names_count > 0) {
        char names[CONFIG_ENDPOINTS_MAX * CONFIG_NAME_BYTES];
        struct out o = {names, sizeof names, 0};
        out_printf(&o, "[");
        for (size_t i = 0; i < cfg->controller_listener_names_count; i++) {
            out_printf(&o, "%s%s", i > 0 ? ", " : "", cfg->controller_listener_names[i]);
        }
        out_printf(&o, "]");
        return require_fail(cfg, err,
                            "controller.listener.names must be empty when not running in KRaft "
                            "mode: %s",
                            names);
    }
    err->message[0] = '\0';
    return CONFIG_OK;
}

/* The release can run the mode process.roles asks for. */
static int check_mode(const struct kafka_config *cfg, struct config_error *err)
{
    if (cfg->mode == CONFIG_MODE_ZOOKEEPER &&
        !release_supports(cfg->release, RELEASE_MODE_ZOOKEEPER)) {
        return CONFIG_FAIL(cfg, err, CONFIG_EMISSING,
                           "Missing required configuration \"process.roles\" which has no "
                           "default value.");
    }
    if (cfg->mode == CONFIG_MODE_KRAFT && !release_supports(cfg->release, RELEASE_MODE_KRAFT)) {
        return CONFIG_FAIL(cfg, err, CONFIG_ERELEASE, "Kafka %s has no KRaft mode",
                           cfg->release->name);
    }
    return CONFIG_OK;
}

/* log.dirs and the replica fetch timing rules (KafkaConfig.validateValues). */
static int check_logs_and_replication(const struct kafka_config *cfg, struct config_error *err)
{
    if (cfg->log_dirs_count == 0) {
        return require_fail(cfg, err,
                            "At least one log directory must be defined via log.dirs or "
                            "log.dir.");
    }
    if (cfg->replica_fetch_wait_max_ms > cfg->replica_socket_timeout_ms) {
        return require_fail(cfg, err,
                            "replica.socket.timeout.ms should always be at least "
                            "replica.fetch.wait.max.ms to prevent unnecessary socket timeouts");
    }
    if (cfg->replica_fetch_wait_max_ms > cfg->replica_lag_time_max_ms) {
        return require_fail(cfg, err,
                            "replica.fetch.wait.max.ms should always be less than or equal to "
                            "replica.lag.time.max.ms to prevent frequent changes in ISR");
    }
    return CONFIG_OK;
}

int config_validate(const struct kafka_config *cfg, struct config_error *err)
{
    KS_ASSERT(cfg != NULL && err != NULL);
    bool broker = cfg->mode == CONFIG_MODE_ZOOKEEPER ||
                  (cfg->process_roles & CONFIG_ROLE_BROKER) != 0;
    enum config_security_protocol protocol;
    int rc = check_mode(cfg, err);
    if (rc == CONFIG_OK && broker &&
        !listener_protocol(cfg, config_inter_broker_listener_name(cfg), &protocol)) {
        rc = CONFIG_FAIL(cfg, err, CONFIG_EINVALID,
                         "Listener with name %s defined in inter.broker.listener.name not found "
                         "in listener.security.protocol.map.",
                         config_inter_broker_listener_name(cfg));
    }
    if (rc == CONFIG_OK && cfg->node_id != cfg->broker_id) {
        rc = CONFIG_FAIL(cfg, err, CONFIG_EINVALID,
                         "You must set `node.id` to the same value as `broker.id`.");
    }
    if (rc == CONFIG_OK) {
        rc = cfg->mode == CONFIG_MODE_KRAFT ? config_validate_kraft(cfg, err)
                                            : config_validate_zookeeper(cfg, err);
    }
    if (rc == CONFIG_OK) {
        rc = check_logs_and_replication(cfg, err);
    }
    if (rc == CONFIG_OK) {
        rc = check_listener_list(cfg, "listeners", cfg->listeners, cfg->listeners_count, err);
    }
    if (rc == CONFIG_OK && cfg->advertised_listeners_set) {
        rc = check_listener_list(cfg, "advertised.listeners", cfg->advertised_listeners,
                                 cfg->advertised_listeners_count, err);
    }
    if (rc == CONFIG_OK && broker) {
        rc = check_broker_listeners(cfg, err);
    }
    if (rc == CONFIG_OK) {
        err->message[0] = '\0';
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* Rendering                                                                                */

/* Escapes what Properties.load would otherwise read differently. */
static void out_escaped(struct out *o, const char *text, bool key)
{
    for (const char *p = text; *p != '\0'; p++) {
        char c = *p;
        bool first = p == text;
        const char *escaped = c == '\\'   ? "\\\\"
                              : c == '\n' ? "\\n"
                              : c == '\r' ? "\\r"
                              : c == '\t' ? "\\t"
                              : c == '\f' ? "\\f"
                                          : NULL;
        bool needs = (c == ' ' && (key || first)) || (key && (c == '=' || c == ':')) ||
                     (key && first && (c == '#' || c == '!'));
        if (escaped != NULL) {
            out_printf(o, "%s", escaped);
        } else {
            out_printf(o, "%s%c", needs ? "\\" : "", c);
        }
    }
}

enum render_kind { RENDER_KEY, RENDER_VERSION, RENDER_SWITCH, RENDER_EXTRA };

struct render_entry {
    const char *key;
    enum render_kind kind;
    size_t index;
};

static int render_entry_compare(const void *a, const void *b)
{
    return strcmp(((const struct render_entry *)a)->key, ((const struct render_entry *)b)->key);
}

static void render_one(const struct kafka_config *cfg, const struct render_entry *e,
                       struct out *o, char *value, size_t cap)
{
    bool present = true;
    switch (e->kind) {
    case RENDER_KEY: {
        const struct config_key *k = &config_key_table[e->index];
        const struct config_property *item = config_properties_find(&cfg->source, k->name);
        if (!k->modelled) {
            snprintf(value, cap, "%s", config_property_value(&cfg->source, item));
        } else if (k->set != NULL) {
            present = k->render(cfg, value, cap);
        } else {
            render_scalar(cfg, k, value, cap);
        }
        break;
    }
    case RENDER_VERSION:
        snprintf(value, cap, "%s", cfg->release->name);
        break;
    case RENDER_SWITCH:
        present = switch_value(&cfg->switches, e->index, value, cap);
        break;
    case RENDER_EXTRA:
        snprintf(value, cap, "%s",
                 config_property_value(&cfg->source, &cfg->source.items[e->index]));
        break;
    }
    if (present) {
        out_escaped(o, e->key, true);
        out_printf(o, "=");
        out_escaped(o, value, false);
        out_printf(o, "\n");
    }
}

size_t config_render(const struct kafka_config *cfg, char *buf, size_t cap)
{
    KS_ASSERT(cfg != NULL);
    KS_ASSERT(buf != NULL || cap == 0);
    size_t switch_count;
    const struct switch_info *switches = switches_list(&switch_count);
    char switch_keys[32][96];
    struct render_entry entries[KEY_COUNT + 1 + 32 + CONFIG_PROPERTIES_MAX];
    size_t n = 0;
    KS_ASSERT(switch_count <= 32);
    for (size_t i = 0; i < KEY_COUNT; i++) {
        const struct config_key *k = &config_key_table[i];
        bool in_release = k->since <= cfg->release->number;
        if (in_release && (k->modelled || config_is_set(cfg, k->name))) {
            entries[n++] = (struct render_entry){k->name, RENDER_KEY, i};
        }
    }
    entries[n++] = (struct render_entry){"kafka.version", RENDER_VERSION, 0};
    for (size_t i = 0; i < switch_count; i++) {
        snprintf(switch_keys[i], sizeof switch_keys[i], "kraftsim.switch.%s", switches[i].name);
        entries[n++] = (struct render_entry){switch_keys[i], RENDER_SWITCH, i};
    }
    for (size_t i = 0; i < cfg->source.count; i++) {
        const char *key = config_property_key(&cfg->source, &cfg->source.items[i]);
        if (config_key_find(key) == NULL && config_key_prefix_accepted(key)) {
            entries[n++] = (struct render_entry){key, RENDER_EXTRA, i};
        }
    }
    qsort(entries, n, sizeof entries[0], render_entry_compare);
    struct out o = {buf, cap, 0};
    char *value = malloc(CONFIG_LINE_BYTES);
    KS_ASSERT(value != NULL);
    if (cap > 0) {
        buf[0] = '\0';
    }
    for (size_t i = 0; i < n; i++) {
        render_one(cfg, &entries[i], &o, value, CONFIG_LINE_BYTES);
    }
    free(value);
    return o.len;
}

/* ---------------------------------------------------------------------------------------- */
/* Self-check                                                                               */

bool config_keys_check(void)
{
    bool ok = true;
    char msg[CONFIG_ERROR_BYTES];
    struct kafka_config *scratch = malloc(sizeof *scratch);
    if (scratch == NULL) {
        return false;
    }
    config_defaults(scratch, NULL);
    for (size_t i = 0; i < KEY_COUNT; i++) {
        const struct config_key *k = &config_key_table[i];
        ok = ok && (i == 0 || strcmp(config_key_table[i - 1].name, k->name) < 0);
        ok = ok && config_key_find(k->name) == k;
        ok = ok && (k->set == NULL || k->render != NULL);
        ok = ok && (!k->modelled || k->set != NULL || k->offset != 0);
        if (ok && k->default_text != NULL) {
            ok = apply_value(scratch, k, k->default_text, msg, sizeof msg) == CONFIG_OK;
        }
    }
    for (size_t r = 0; ok && r < release_count(); r++) {
        for (const struct release_default *d = release_at(r)->defaults; d->key != NULL; d++) {
            ok = ok && config_key_find(d->key) != NULL && config_key_find(d->key)->modelled;
        }
    }
    free(scratch);
    return ok;
}
