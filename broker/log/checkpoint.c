/* checkpoint.c — checkpoint texts (format and parse) and their write-fsync-rename. */
#include "checkpoint.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- formats ------------------------------------------------------------------------------ */

void checkpoint_offsets_format(struct text *t, const struct checkpoint_offset *entries,
                               uint32_t count)
{
    text_printf(t, "%d\n%" PRIu32 "\n", CHECKPOINT_VERSION, count);
    for (uint32_t i = 0; i < count; i++) {
        text_printf(t, "%s %" PRId32 " %" PRId64 "\n", entries[i].topic, entries[i].partition,
                    entries[i].offset);
    }
}

void checkpoint_epochs_format(struct text *t, const struct checkpoint_epoch *entries,
                              uint32_t count)
{
    text_printf(t, "%d\n%" PRIu32 "\n", CHECKPOINT_VERSION, count);
    for (uint32_t i = 0; i < count; i++) {
        text_printf(t, "%" PRId32 " %" PRId64 "\n", entries[i].epoch, entries[i].start_offset);
    }
}

void checkpoint_partition_metadata_format(struct text *t, struct kuuid topic_id)
{
    char id[WIRE_UUID_TEXT_LEN + 1];
    wire_uuid_to_text(topic_id, id);
    text_printf(t, "version: %d\ntopic_id: %s", CHECKPOINT_VERSION, id);
}

void checkpoint_clean_shutdown_format(struct text *t, int64_t broker_epoch)
{
    text_printf(t, "{\"version\":%d,\"brokerEpoch\":%" PRId64 "}", CHECKPOINT_VERSION,
                broker_epoch);
}

/* ---- parsing ------------------------------------------------------------------------------ */

#define FIELDS_MAX 4

/* One line of the file, split on runs of blanks as Java's split("\\s+") does (a leading blank
 * gives an empty first field, which no formatter accepts). */
struct line {
    char raw[CHECKPOINT_TOPIC_MAX + 64]; /* the line as read, for messages */
    char text[CHECKPOINT_TOPIC_MAX + 64]; /* the line cut into fields */
    char *fields[FIELDS_MAX];
    int count;
    bool too_long;
};

/* Takes the next line from text[*pos..len); false at the end. */
static bool next_line(const char *text, size_t len, size_t *pos, struct line *ln)
{
    if (*pos >= len) {
        return false;
    }
    size_t end = *pos;
    while (end < len && text[end] != '\n') {
        end++;
    }
    size_t n = end - *pos;
    if (n > 0 && text[*pos + n - 1] == '\r') {
        n--;
    }
    ln->too_long = n >= sizeof ln->text;
    if (ln->too_long) {
        n = sizeof ln->text - 1;
    }
    memcpy(ln->text, text + *pos, n);
    ln->text[n] = '\0';
    memcpy(ln->raw, ln->text, n + 1);
    *pos = end < len ? end + 1 : end;
    ln->count = 0;
    char *p = ln->text;
    for (;;) {
        char *start = p;
        while (*p != '\0' && *p != ' ' && *p != '\t') {
            p++;
        }
        if (ln->count < FIELDS_MAX) {
            ln->fields[ln->count] = start;
        }
        ln->count++;
        if (*p == '\0') {
            break;
        }
        *p++ = '\0';
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (*p == '\0') {
            break; /* Java drops trailing empty fields */
        }
    }
    return true;
}

/* Integer.parseInt / Long.parseLong within [min, max]. */
static bool parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    const char *p = s;
    bool negative = *p == '-';
    if (*p == '-' || *p == '+') {
        p++;
    }
    if (*p == '\0') {
        return false;
    }
    uint64_t v = 0;
    for (; *p != '\0'; p++) {
        if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10) {
            return false;
        }
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if ((!negative && v > (uint64_t)max) || (negative && v > (uint64_t)INT64_MAX + 1)) {
        return false;
    }
    int64_t x = negative ? (int64_t)(0 - v) : (int64_t)v;
    if (x < min) {
        return false;
    }
    *out = x;
    return true;
}

static int parse_error(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int parse_error(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    return -1;
}

typedef bool (*entry_parse_fn)(const struct line *ln, void *out, uint32_t index);

/* CheckpointReadBuffer.read over any entry type. */
static int parse_checkpoint(const char *text, size_t len, const char *path, entry_parse_fn each,
                            void *out, uint32_t cap, char *err, size_t err_cap)
{
    size_t pos = 0;
    struct line ln;
    int64_t v = 0;
    if (!next_line(text, len, &pos, &ln)) {
        return 0; /* an empty file: no entries */
    }
    if (ln.count != 1 || !parse_int(ln.fields[0], INT32_MIN, INT32_MAX, &v)) {
        return parse_error(err, err_cap, "Malformed line in checkpoint file (%s): '%s'", path,
                           ln.raw);
    }
    if (v != CHECKPOINT_VERSION) {
        return parse_error(err, err_cap, "Unrecognised version:%" PRId64 ", expected version: %d"
                           " in checkpoint file at: %s", v, CHECKPOINT_VERSION, path);
    }
    if (!next_line(text, len, &pos, &ln)) {
        return 0;
    }
    int64_t expected = 0;
    if (ln.count != 1 || !parse_int(ln.fields[0], 0, INT32_MAX, &expected)) {
        return parse_error(err, err_cap, "Malformed line in checkpoint file (%s): '%s'", path,
                           ln.raw);
    }
    uint32_t found = 0;
    while (next_line(text, len, &pos, &ln)) {
        if (found >= cap) {
            return parse_error(err, err_cap, "checkpoint file %s: more than %" PRIu32
                               " entries", path, cap);
        }
        if (ln.too_long || !each(&ln, out, found)) {
            return parse_error(err, err_cap, "Malformed line in checkpoint file (%s): '%s'",
                               path, ln.raw);
        }
        found++;
    }
    if (found != (uint64_t)expected) {
        return parse_error(err, err_cap, "Expected [%" PRId64 "] entries in checkpoint file [%s],"
                           " but found only [%" PRIu32 "]", expected, path, found);
    }
    return (int)found;
}

static bool offset_entry(const struct line *ln, void *out, uint32_t index)
{
    struct checkpoint_offset *e = (struct checkpoint_offset *)out + index;
    int64_t partition = 0;
    int64_t offset = 0;
    if (ln->count != 3 || strlen(ln->fields[0]) >= sizeof e->topic ||
        !parse_int(ln->fields[1], INT32_MIN, INT32_MAX, &partition) ||
        !parse_int(ln->fields[2], INT64_MIN, INT64_MAX, &offset)) {
        return false;
    }
    snprintf(e->topic, sizeof e->topic, "%s", ln->fields[0]);
    e->partition = (int32_t)partition;
    e->offset = offset;
    return true;
}

static bool epoch_entry(const struct line *ln, void *out, uint32_t index)
{
    struct checkpoint_epoch *e = (struct checkpoint_epoch *)out + index;
    int64_t epoch = 0;
    int64_t start = 0;
    if (ln->count != 2 || !parse_int(ln->fields[0], INT32_MIN, INT32_MAX, &epoch) ||
        !parse_int(ln->fields[1], INT64_MIN, INT64_MAX, &start)) {
        return false;
    }
    e->epoch = (int32_t)epoch;
    e->start_offset = start;
    return true;
}

int checkpoint_offsets_parse(const char *text, size_t len, const char *path,
                             struct checkpoint_offset *out, uint32_t cap, char *err,
                             size_t err_cap)
{
    return parse_checkpoint(text, len, path, offset_entry, out, cap, err, err_cap);
}

int checkpoint_epochs_parse(const char *text, size_t len, const char *path,
                            struct checkpoint_epoch *out, uint32_t cap, char *err,
                            size_t err_cap)
{
    return parse_checkpoint(text, len, path, epoch_entry, out, cap, err, err_cap);
}

int checkpoint_partition_metadata_parse(const char *text, size_t len, const char *path,
                                        struct kuuid *topic_id, char *err, size_t err_cap)
{
    size_t pos = 0;
    struct line ln;
    int64_t version = 0;
    if (!next_line(text, len, &pos, &ln) || ln.count != 2 || strcmp(ln.fields[0], "version:")
        || !parse_int(ln.fields[1], 0, INT32_MAX, &version)) {
        return parse_error(err, err_cap, "Malformed line in checkpoint file (%s): '%s'", path,
                           pos > 0 ? ln.raw : "");
    }
    if (!next_line(text, len, &pos, &ln) || ln.count != 2 || strcmp(ln.fields[0], "topic_id:")
        || wire_uuid_from_text(ln.fields[1], topic_id) != 0) {
        return parse_error(err, err_cap, "Invalid topic ID in partition metadata file (%s)",
                           path);
    }
    return 0;
}

/* ---- files -------------------------------------------------------------------------------- */

static void tmp_path(const struct checkpoint_file *f, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s" CHECKPOINT_TMP_SUFFIX, f->path);
    KS_ASSERT(n > 0 && (size_t)n < cap);
}

int checkpoint_file_begin(const struct env *env, struct checkpoint_file *f, const char *text,
                          size_t len, uint64_t token)
{
    KS_ASSERT(!f->in_flight);
    char tmp[CHECKPOINT_PATH_MAX + 8];
    tmp_path(f, tmp, sizeof tmp);
    /* FileOutputStream truncates: a shorter text must not keep the old tail. */
    int rc = env->ops->disk_write(env->ctx, tmp, 0, "", 0);
    if (rc == ENV_OK) {
        rc = env->ops->disk_truncate(env->ctx, tmp, 0);
    }
    if (rc == ENV_OK) {
        rc = env->ops->disk_write(env->ctx, tmp, 0, text, len);
    }
    if (rc != ENV_OK) {
        return rc;
    }
    f->in_flight = true;
    f->token = token;
    env->ops->disk_fsync(env->ctx, tmp, token);
    return 0;
}

bool checkpoint_file_done(const struct env *env, struct checkpoint_file *f, uint64_t token,
                          int err)
{
    KS_ASSERT(f->in_flight && f->token == token);
    f->in_flight = false;
    if (err != ENV_OK) {
        return false;
    }
    char tmp[CHECKPOINT_PATH_MAX + 8];
    tmp_path(f, tmp, sizeof tmp);
    int rc = env->ops->disk_rename(env->ctx, tmp, f->path);
    return rc == ENV_OK;
}
