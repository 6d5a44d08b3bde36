/* db.c — the run database: SQLite, written from a trace sink, read by render and report. */
#include "trace/db.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "world/rng.h"
#include "text.h"

/* A frame's detail in the trace view, as the console has it but naming nodes. */
#define FRAME_DETAIL                                                                           \
    "'id=' || id || ' from=' || from_node || ' to=' || to_node || ' bytes=' || bytes"         \
    " || COALESCE(' api=' || api_key || ' v=' || api_version, '')"                            \
    " || COALESCE(' corr=' || correlation_id, '')"

/* Every event but a frame's send and delivery, from the tables that keep one whole: the event
 * table, and the derived rows that carry their event's detail (disk operations, notes, broker
 * states), by event number. */
#define EVENT_ROWS                                                                             \
    "SELECT seq, time_ns, node, kind, detail FROM event"                                       \
    " UNION ALL SELECT seq, time_ns, node, 'disk-' || op, detail FROM disk_op"                 \
    " UNION ALL SELECT seq, time_ns, node, 'note', text FROM note"                             \
    " UNION ALL SELECT seq, time_ns, node, 'broker-state', detail FROM broker_state"

/* The schema, one statement a line; user_version says which kraftsim wrote it. An event is
 * written once: a frame's send and delivery are its message row (send_seq, deliver_seq), a disk
 * operation, a note and a broker state their rows (seq), everything else an event row; the
 * trace view gives the whole trace back in order. */
static const char schema[] =
    "CREATE TABLE run (seed INTEGER, scenario TEXT, scenario_text TEXT, scenario_hash TEXT,"
    " shipped INTEGER, kafka_version TEXT, duration_ns INTEGER,"
    " kraftsim_version TEXT, release TEXT, argv TEXT, trace_hash TEXT, verdict TEXT,"
    " violations INTEGER, complete INTEGER NOT NULL, virtual_ns INTEGER, wall_ms INTEGER,"
    " recorded_seq INTEGER NOT NULL DEFAULT 0);\n"
    "CREATE TABLE node (host INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
    "CREATE TABLE event (seq INTEGER PRIMARY KEY, time_ns INTEGER NOT NULL, node TEXT,"
    " kind TEXT NOT NULL, detail TEXT NOT NULL);\n"
    "CREATE TABLE role (node TEXT NOT NULL, epoch INTEGER, role TEXT NOT NULL,"
    " from_ns INTEGER NOT NULL, to_ns INTEGER);\n"
    "CREATE TABLE message (id INTEGER PRIMARY KEY, sent_ns INTEGER NOT NULL,"
    " delivered_ns INTEGER, from_node TEXT, to_node TEXT, bytes INTEGER, fate TEXT NOT NULL,"
    " api_key INTEGER, api_version INTEGER, correlation_id INTEGER, send_seq INTEGER,"
    " deliver_seq INTEGER);\n"
    "CREATE TABLE broker_state (node TEXT NOT NULL, time_ns INTEGER NOT NULL,"
    " state TEXT NOT NULL, detail TEXT, seq INTEGER);\n"
    "CREATE TABLE partition_state (partition TEXT NOT NULL, time_ns INTEGER NOT NULL,"
    " leader INTEGER, leader_epoch INTEGER, isr TEXT, elr TEXT, reason TEXT);\n"
    "CREATE TABLE disk_op (node TEXT NOT NULL, time_ns INTEGER NOT NULL, op TEXT NOT NULL,"
    " file TEXT, detail TEXT, seq INTEGER);\n"
    "CREATE TABLE fault (kind TEXT NOT NULL, targets TEXT, start_ns INTEGER NOT NULL,"
    " end_ns INTEGER);\n"
    "CREATE TABLE violation (checker TEXT, time_ns INTEGER, evidence TEXT NOT NULL);\n"
    "CREATE TABLE note (time_ns INTEGER NOT NULL, text TEXT NOT NULL, node TEXT, seq INTEGER);\n"
    "CREATE TABLE op (time_ns INTEGER NOT NULL, process TEXT NOT NULL, type TEXT NOT NULL,"
    " f TEXT NOT NULL, topic TEXT, partition INTEGER, offset INTEGER, value INTEGER,"
    " detail TEXT);\n"
    /* The whole trace in order: a frame's send and its delivery are its message row's. */
    "CREATE VIEW trace AS " EVENT_ROWS
    " UNION ALL SELECT send_seq, sent_ns, from_node, 'net-send', " FRAME_DETAIL
    " FROM message WHERE send_seq IS NOT NULL"
    " UNION ALL SELECT deliver_seq, delivered_ns, to_node, 'net-deliver', " FRAME_DETAIL
    " FROM message WHERE deliver_seq IS NOT NULL;\n";

enum stmt {
    ST_EVENT,
    ST_ROLE_OPEN,
    ST_ROLE_CLOSE,
    ST_MESSAGE,
    ST_BROKER_STATE,
    ST_NOTE,
    ST_PARTITION,
    ST_DISK_OP,
    ST_FAULT,
    ST_VIOLATION,
    ST_NODE,
    ST_PROGRESS,
    ST_OP,
    ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_EVENT] = "INSERT INTO event (seq, time_ns, node, kind, detail) VALUES (?, ?, ?, ?, ?)",
    [ST_ROLE_OPEN] = "INSERT INTO role (node, epoch, role, from_ns) VALUES (?, ?, ?, ?)",
    [ST_ROLE_CLOSE] = "UPDATE role SET to_ns = ? WHERE rowid = ?",
    [ST_MESSAGE] = "INSERT OR IGNORE INTO message (id, sent_ns, delivered_ns, from_node,"
                   " to_node, bytes, fate, api_key, api_version, correlation_id, send_seq,"
                   " deliver_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_BROKER_STATE] = "INSERT INTO broker_state (node, time_ns, state, detail, seq)"
                        " VALUES (?, ?, ?, ?, ?)",
    [ST_NOTE] = "INSERT INTO note (time_ns, text, node, seq) VALUES (?, ?, ?, ?)",
    [ST_DISK_OP] = "INSERT INTO disk_op (node, time_ns, op, file, detail, seq)"
                   " VALUES (?, ?, ?, ?, ?, ?)",
    [ST_PARTITION] = "INSERT INTO partition_state (partition, time_ns, leader, leader_epoch, isr,"
                     " elr, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
    [ST_FAULT] = "INSERT INTO fault (kind, targets, start_ns, end_ns) VALUES (?, ?, ?, ?)",
    [ST_VIOLATION] = "INSERT INTO violation (checker, time_ns, evidence) VALUES (?, ?, ?)",
    [ST_NODE] = "INSERT OR REPLACE INTO node (host, name) VALUES (?, ?)",
    [ST_PROGRESS] = "UPDATE run SET recorded_seq = ?",
    [ST_OP] = "INSERT INTO op (time_ns, process, type, f, topic, partition, offset, value, detail)"
              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
};

#define DB_HOSTS 64
#define PENDING_SLOTS 65536

struct pending_frame {
    bool used, has_api, has_corr, duplicated;
    int64_t id;
    int64_t send_seq; /* the send's event number */
    bool send_row;    /* the send is this row's, not an event row's */
    time_ns sent;
    int from, to;
    int64_t bytes;
    int api, version;
    int64_t corr;
};
#define DB_FILE_TEXT 256
#define MESSAGE_BATCH 32
#define MESSAGE_COLUMNS 12
struct message_row;

struct run_db {
    sqlite3 *db;
    /* Compare mode (replay): events are checked against the recorded ones, not written. */
    sqlite3_stmt *recorded;
    uint64_t compared;
    bool recorded_done;         /* the event table ran out */
    bool recorded_done_all;     /* the whole recording ran out */
    struct run_db_mismatch mismatch;
    sqlite3_stmt *st[ST_COUNT];
    uint64_t pending; /* events in the open transaction */
    int64_t seq;      /* events seen, the last one's number */
    int64_t recorded_seq; /* compare mode: the recording is whole up to this event */
    sqlite3_stmt *frames; /* compare mode: the message rows by send_seq, then deliver_seq */
    bool frames_done;
    bool frame_row;       /* `frames` holds a row not yet matched */
    bool failed;
    char error[256];
    char names[DB_HOSTS][64];
    sqlite3_int64 open_role[DB_HOSTS]; /* rowid of each host's open role span, 0 = none */
    struct pending_frame *pending_frames; /* PENDING_SLOTS of them, for writers */
    struct message_row *messages;         /* MESSAGE_BATCH rows waiting to be inserted */
    int message_count;
    sqlite3_stmt *message_batch_stmt;     /* the INSERT of MESSAGE_BATCH rows */
};

static bool exec(struct run_db *d, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(d->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        if (!d->failed) {
            snprintf(d->error, sizeof d->error, "%s", msg != NULL ? msg : "error");
        }
        d->failed = true;
        sqlite3_free(msg);
        return false;
    }
    return true;
}

static void step(struct run_db *d, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE && !d->failed) {
        d->failed = true;
        snprintf(d->error, sizeof d->error, "%s", sqlite3_errmsg(d->db));
    }
    sqlite3_reset(s); /* every statement binds each parameter every time */
}

static void bind_int_or_null(sqlite3_stmt *s, int i, bool present, int64_t v)
{
    if (present) {
        sqlite3_bind_int64(s, i, v);
    } else {
        sqlite3_bind_null(s, i);
    }
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v == NULL) {
        sqlite3_bind_null(s, i);
    } else {
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC); /* stepped before v changes */
    }
}

static const char *host_text(struct run_db *d, int host)
{
    if (host < 0 || host >= DB_HOSTS) {
        return NULL;
    }
    if (d->names[host][0] == '\0') {
        snprintf(d->names[host], sizeof d->names[host], "h%d", host);
    }
    return d->names[host];
}

void run_db_host_name(struct run_db *d, int host, const char *name)
{
    if (host < 0 || host >= DB_HOSTS) {
        return;
    }
    snprintf(d->names[host], sizeof d->names[host], "%s", name);
    if (d->recorded != NULL) {
        return;
    }
    sqlite3_stmt *s = d->st[ST_NODE];
    sqlite3_bind_int(s, 1, host);
    bind_text(s, 2, name);
    step(d, s);
}

static void close_role(struct run_db *d, int host, time_ns at)
{
    if (host >= 0 && host < DB_HOSTS && d->open_role[host] != 0) {
        sqlite3_stmt *s = d->st[ST_ROLE_CLOSE];
        sqlite3_bind_int64(s, 1, at);
        sqlite3_bind_int64(s, 2, d->open_role[host]);
        step(d, s);
        d->open_role[host] = 0;
    }
}

static void derive_role(struct run_db *d, const struct trace_event *e)
{
    char role[32], epoch[32];
    trace_event_field(e, "role", role, sizeof role);
    trace_event_field(e, "epoch", epoch, sizeof epoch);
    if (role[0] == '\0' || e->host < 0 || e->host >= DB_HOSTS) {
        return;
    }
    close_role(d, e->host, e->time);
    sqlite3_stmt *s = d->st[ST_ROLE_OPEN];
    bind_text(s, 1, host_text(d, e->host));
    sqlite3_bind_int64(s, 2, strtoll(epoch, NULL, 10));
    bind_text(s, 3, role);
    sqlite3_bind_int64(s, 4, e->time);
    step(d, s);
    d->open_role[e->host] = sqlite3_last_insert_rowid(d->db);
}

/* A frame sent and not yet delivered or lost: one message row is written when its fate is
 * known (a row per frame, no update), from this. Slots by id modulo PENDING_SLOTS: frames are
 * on the wire for milliseconds while ids climb by one a send. */
static struct pending_frame *pending_slot(struct run_db *d, int64_t id)
{
    return &d->pending_frames[(uint64_t)id % PENDING_SLOTS];
}

/* Message rows go in MESSAGE_BATCH at a time, one multi-row INSERT: most of what a run
 * database costs is a row per frame, and SQLite's cost per statement is larger than its cost
 * per row. */
struct message_row {
    struct pending_frame f;
    const char *fate; /* a literal */
    time_ns delivered;
    int64_t deliver_seq;
};

static void bind_message(struct run_db *d, sqlite3_stmt *s, int base, const struct message_row *m)
{
    const struct pending_frame *f = &m->f;
    sqlite3_bind_int64(s, base + 1, f->id);
    sqlite3_bind_int64(s, base + 2, f->sent);
    bind_int_or_null(s, base + 3, m->delivered >= 0, m->delivered);
    bind_text(s, base + 4, host_text(d, f->from));
    bind_text(s, base + 5, host_text(d, f->to));
    sqlite3_bind_int64(s, base + 6, f->bytes);
    bind_text(s, base + 7, m->fate);
    bind_int_or_null(s, base + 8, f->has_api, f->api);
    bind_int_or_null(s, base + 9, f->has_api, f->version);
    bind_int_or_null(s, base + 10, f->has_corr, f->corr);
    bind_int_or_null(s, base + 11, f->send_row, f->send_seq);
    bind_int_or_null(s, base + 12, m->deliver_seq > 0, m->deliver_seq);
}

/* Writes the message rows waiting in the batch. */
static void flush_messages(struct run_db *d)
{
    if (d->message_count == MESSAGE_BATCH) {
        for (int i = 0; i < MESSAGE_BATCH; i++) {
            bind_message(d, d->message_batch_stmt, i * MESSAGE_COLUMNS, &d->messages[i]);
        }
        step(d, d->message_batch_stmt);
    } else {
        for (int i = 0; i < d->message_count; i++) {
            bind_message(d, d->st[ST_MESSAGE], 0, &d->messages[i]);
            step(d, d->st[ST_MESSAGE]);
        }
    }
    d->message_count = 0;
}

static void write_message(struct run_db *d, const struct pending_frame *f, const char *fate,
                          time_ns delivered, int64_t deliver_seq)
{
    d->messages[d->message_count++] =
        (struct message_row){.f = *f, .fate = fate, .delivered = delivered,
                             .deliver_seq = deliver_seq};
    if (d->message_count == MESSAGE_BATCH) {
        flush_messages(d);
    }
}

/* A frame event's integer fields in one pass: id, from, to, bytes, api, v, corr. */
enum { FRAME_ID, FRAME_FROM, FRAME_TO, FRAME_BYTES, FRAME_API, FRAME_V, FRAME_CORR, FRAME_KEYS };
static const char *const frame_keys[FRAME_KEYS] = {"id", "from", "to", "bytes", "api", "v", "corr"};

static unsigned frame_fields(const struct trace_event *e, int64_t v[FRAME_KEYS])
{
    unsigned present = 0;
    for (size_t i = 0; i < e->field_count; i++) {
        const struct trace_field *f = &e->fields[i];
        if (f->key == NULL || f->type == TRACE_FIELD_STR) {
            continue;
        }
        for (int k = 0; k < FRAME_KEYS; k++) {
            if (f->key == frame_keys[k] || strcmp(f->key, frame_keys[k]) == 0) {
                v[k] = f->v.i;
                present |= 1u << k;
                break;
            }
        }
    }
    return present;
}

/* net-send id=1 from=h3 to=h0 bytes=154 [api=1 v=18] [corr=7]; then the frame's deliver, drop
 * (reason=cut|loss) or duplicate, by id. Returns true when the event is the message row's (a
 * send, or the delivery of the frame itself rather than of a duplicate's copy), so it needs no
 * event row. */
static bool derive_message(struct run_db *d, const struct trace_event *e)
{
    int64_t v[FRAME_KEYS] = {0};
    unsigned present = frame_fields(e, v);
    if (!(present & 1u << FRAME_ID)) {
        return false;
    }
    int64_t id = v[FRAME_ID];
    struct pending_frame *f = pending_slot(d, id);
    if (e->kind == TRACE_NET_SEND) {
        if (f->used) {
            write_message(d, f, "in-flight", -1, 0); /* on the wire past PENDING_SLOTS sends */
        }
        *f = (struct pending_frame){.used = true, .id = id, .sent = e->time, .send_seq = d->seq};
        f->from = (int)v[FRAME_FROM];
        f->to = (int)v[FRAME_TO];
        f->bytes = v[FRAME_BYTES];
        f->has_api = (present & 1u << FRAME_API) != 0;
        f->api = (int)v[FRAME_API];
        f->version = (int)v[FRAME_V];
        f->has_corr = (present & 1u << FRAME_CORR) != 0;
        f->corr = v[FRAME_CORR];
        /* The row must give back this very text on replay; a send of another shape keeps an
         * event row of its own instead. */
        f->send_row = e->field_count == 4 + (f->has_api ? 2u : 0u) + (f->has_corr ? 1u : 0u) &&
                      e->host == f->from;
        return f->send_row;
    }
    if (!f->used || f->id != id) {
        return false; /* a duplicate's second copy, or a frame whose row is written */
    }
    if (e->kind == TRACE_NET_DUPLICATE) {
        f->duplicated = true;
        return false;
    }
    if (e->kind == TRACE_NET_DELIVER) {
        bool own = e->field_count == 4 && e->host == f->to; /* no dup=1: not the copy */
        write_message(d, f, f->duplicated ? "duplicated" : "delivered", e->time,
                      own ? d->seq : 0);
        f->used = false;
        return own;
    }
    char reason[32];
    trace_event_field(e, "reason", reason, sizeof reason);
    write_message(d, f, strcmp(reason, "cut") == 0 ? "cut" : "dropped", -1, 0);
    f->used = false;
    return false;
}

/* The active controller's partition changes: "election partition=ledger-0 leader=4->5
 * leader_epoch=1 isr=[5] elr=[4] reason=...". */
static void derive_partition(struct run_db *d, const struct trace_event *e)
{
    char part[160], leader[48], epoch[24], isr[128], elr[128], reason[96];
    if (trace_event_field(e, "partition", part, sizeof part)[0] == '\0') {
        return;
    }
    trace_event_field(e, "leader", leader, sizeof leader);
    const char *arrow = strstr(leader, "->");
    sqlite3_stmt *s = d->st[ST_PARTITION];
    bind_text(s, 1, part);
    sqlite3_bind_int64(s, 2, e->time);
    bind_int_or_null(s, 3, leader[0] != '\0',
                     strtoll(arrow != NULL ? arrow + 2 : leader, NULL, 10));
    trace_event_field(e, "leader_epoch", epoch, sizeof epoch);
    bind_int_or_null(s, 4, epoch[0] != '\0', strtoll(epoch, NULL, 10));
    bind_text(s, 5, trace_event_field(e, "isr", isr, sizeof isr));
    bind_text(s, 6, trace_event_field(e, "elr", elr, sizeof elr));
    bind_text(s, 7, trace_event_field(e, "reason", reason, sizeof reason));
    step(d, s);
}

/* disk-fsync, disk-durable, disk-fault, disk-loss, disk-writeback: op is the kind without
 * "disk-" (a writeback names no file: it counts the files it wrote). */
static void derive_disk(struct run_db *d, const struct trace_event *e)
{
    char file[DB_FILE_TEXT];
    sqlite3_stmt *s = d->st[ST_DISK_OP];
    bind_text(s, 1, host_text(d, e->host));
    sqlite3_bind_int64(s, 2, e->time);
    bind_text(s, 3, trace_kind_name(e->kind) + 5);
    trace_event_field(e, "file", file, sizeof file);
    bind_text(s, 4, file[0] != '\0' ? file : NULL);
    bind_text(s, 5, trace_event_detail(e));
    sqlite3_bind_int64(s, 6, d->seq);
    step(d, s);
}

/* Fills the derived tables; true when the event's whole record is a derived row (a frame's
 * send or delivery, a disk operation, a note, a broker state), so it gets no event row. */
static bool derive(struct run_db *d, const struct trace_event *e)
{
    switch (e->kind) {
    case TRACE_DISK_FSYNC:
    case TRACE_DISK_DURABLE:
    case TRACE_DISK_FAULT:
    case TRACE_DISK_LOSS:
    case TRACE_DISK_WRITEBACK:
        derive_disk(d, e);
        return true;
    case TRACE_PARTITION:
        derive_partition(d, e);
        break;
    case TRACE_RAFT_STATE:
        derive_role(d, e);
        break;
    case TRACE_HOST_CRASH:
    case TRACE_HOST_POWER_FAIL:
    case TRACE_HOST_STOP:
        close_role(d, e->host, e->time);
        break;
    case TRACE_NET_SEND:
    case TRACE_NET_DELIVER:
    case TRACE_NET_DROP:
    case TRACE_NET_DUPLICATE:
        return derive_message(d, e);
    case TRACE_BROKER_STATE: {
        char state[48];
        sqlite3_stmt *s = d->st[ST_BROKER_STATE];
        bind_text(s, 1, host_text(d, e->host));
        sqlite3_bind_int64(s, 2, e->time);
        bind_text(s, 3, trace_event_field(e, "state", state, sizeof state));
        bind_text(s, 4, trace_event_detail(e));
        sqlite3_bind_int64(s, 5, d->seq);
        step(d, s);
        return true;
    }
    case TRACE_NOTE: {
        /* The checkers trace each violation as a note "violation <rule>: <evidence>". */
        const char *detail = trace_event_detail(e);
        if (strncmp(detail, "violation ", 10) == 0) {
            const char *text = detail + 10;
            char checker[64];
            size_t n = strcspn(text, ": "); /* "hw-majority: ...", "expect (file:3): ..." */
            snprintf(checker, sizeof checker, "%.*s", (int)(n < sizeof checker ? n : 0), text);
            run_db_violation(d, checker, e->time, text);
            break;
        }
        sqlite3_stmt *s = d->st[ST_NOTE];
        sqlite3_bind_int64(s, 1, e->time);
        bind_text(s, 2, detail);
        bind_text(s, 3, e->host >= 0 ? host_text(d, e->host) : NULL);
        sqlite3_bind_int64(s, 4, d->seq);
        step(d, s);
        return true;
    }
    default:
        break;
    }
    return false;
}

static void copy_column(sqlite3_stmt *s, int col, char *buf, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    snprintf(buf, cap, "%s", t != NULL ? (const char *)t : "-");
}

/* The host a recorded node name stands for, as the replay's hosts are named. */
static int host_of_name(struct run_db *d, const char *name)
{
    for (int h = 0; h < DB_HOSTS; h++) {
        if (strcmp(host_text(d, h), name) == 0) {
            return h;
        }
    }
    return -1;
}

/* The next recorded frame event (a send or a delivery, by its event number), if unread. */
static bool frame_head(struct run_db *d)
{
    if (!d->frame_row && !d->frames_done) {
        d->frame_row = sqlite3_step(d->frames) == SQLITE_ROW;
        d->frames_done = !d->frame_row;
    }
    return d->frame_row;
}

/* Recorded event number `seq`, from the event table or a message row, its detail formatted as
 * the trace formats it; false if the recording has no such event. */
static bool recorded_event(struct run_db *d, int64_t seq, int64_t *time, char *node,
                           size_t node_cap, char *kind, size_t kind_cap, char *detail,
                           size_t detail_cap)
{
    sqlite3_stmt *ev = d->recorded;
    if (!d->recorded_done && sqlite3_column_int64(ev, 0) == seq) {
        *time = sqlite3_column_int64(ev, 1);
        copy_column(ev, 2, node, node_cap);
        copy_column(ev, 3, kind, kind_cap);
        copy_column(ev, 4, detail, detail_cap);
        d->recorded_done = sqlite3_step(ev) != SQLITE_ROW;
        return true;
    }
    if (!frame_head(d) || sqlite3_column_int64(d->frames, 0) != seq) {
        return false;
    }
    /* seq, delivery?, time, from, to, id, bytes, api, v, corr */
    sqlite3_stmt *m = d->frames;
    bool delivery = sqlite3_column_int(m, 1) != 0;
    *time = sqlite3_column_int64(m, 2);
    char from[64], to[64];
    copy_column(m, 3, from, sizeof from);
    copy_column(m, 4, to, sizeof to);
    snprintf(node, node_cap, "%s", delivery ? to : from);
    snprintf(kind, kind_cap, "%s",
             trace_kind_name(delivery ? TRACE_NET_DELIVER : TRACE_NET_SEND));
    struct trace_field f[7] = {TF_INT("id", sqlite3_column_int64(m, 5)),
                               TF_HOST("from", host_of_name(d, from)),
                               TF_HOST("to", host_of_name(d, to)),
                               TF_INT("bytes", sqlite3_column_int64(m, 6))};
    size_t count = 4;
    if (!delivery && sqlite3_column_type(m, 7) != SQLITE_NULL) {
        f[count++] = TF_INT("api", sqlite3_column_int64(m, 7));
        f[count++] = TF_INT("v", sqlite3_column_int64(m, 8));
    }
    if (!delivery && sqlite3_column_type(m, 9) != SQLITE_NULL) {
        f[count++] = TF_INT("corr", sqlite3_column_int64(m, 9));
    }
    trace_fields_format(f, count, detail, detail_cap);
    d->frame_row = false;
    return true;
}

/* Replay: the next recorded event must be this one, field for field. */
static void compare_event(struct run_db *d, const struct trace_event *e)
{
    if (d->mismatch.found || d->recorded_done_all) {
        return;
    }
    d->compared++;
    if ((int64_t)d->compared > d->recorded_seq) {
        d->recorded_done_all = true; /* a recording cut short: whole up to here */
        return;
    }
    struct run_db_mismatch *m = &d->mismatch;
    const char *host = e->host >= 0 ? host_text(d, e->host) : "-";
    struct text rx = text_init(m->replayed, sizeof m->replayed);
    text_printf(&rx, "%" PRId64 " ns %s %s %s", e->time, host, trace_kind_name(e->kind),
                trace_event_detail(e));
    char node[64], kind[64], detail[TRACE_DETAIL_MAX];
    int64_t t = 0;
    if (!recorded_event(d, (int64_t)d->compared, &t, node, sizeof node, kind, sizeof kind,
                        detail, sizeof detail)) {
        snprintf(m->recorded, sizeof m->recorded, "(no event %" PRIu64 " in the recording)",
                 d->compared);
        m->found = true;
        m->index = d->compared;
        return;
    }
    struct text tx = text_init(m->recorded, sizeof m->recorded);
    text_printf(&tx, "%" PRId64 " ns %s %s %s", t, node, kind, detail);
    if (t != e->time || strcmp(node, host) != 0 || strcmp(kind, trace_kind_name(e->kind)) != 0 ||
        strcmp(detail, trace_event_detail(e)) != 0) {
        m->found = true;
        m->index = d->compared;
    }
}

/* The oldest frame still on the wire: everything before its send is written. */
static int64_t whole_through(const struct run_db *d)
{
    int64_t low = d->seq;
    for (size_t i = 0; i < PENDING_SLOTS; i++) {
        if (d->pending_frames[i].used && d->pending_frames[i].send_seq <= low) {
            low = d->pending_frames[i].send_seq - 1;
        }
    }
    return low;
}

static void db_event(void *ctx, const struct trace_event *e)
{
    struct run_db *d = ctx;
    if (d->recorded != NULL) {
        compare_event(d, e);
        return;
    }
    if (d->failed) {
        return;
    }
    d->seq++;
    if (!derive(d, e)) {
        sqlite3_stmt *s = d->st[ST_EVENT];
        sqlite3_bind_int64(s, 1, d->seq);
        sqlite3_bind_int64(s, 2, e->time);
        bind_text(s, 3, e->host >= 0 ? host_text(d, e->host) : NULL);
        bind_text(s, 4, trace_kind_name(e->kind));
        bind_text(s, 5, trace_event_detail(e));
        step(d, s);
    }
    if (++d->pending >= RUN_DB_BATCH) {
        /* A commit now and then: a run killed mid-way keeps everything up to here, and says
         * how far its record is whole (frames on the wire have no row yet). */
        sqlite3_stmt *s = d->st[ST_PROGRESS];
        sqlite3_bind_int64(s, 1, whole_through(d));
        step(d, s);
        flush_messages(d);
        exec(d, "COMMIT; BEGIN");
        d->pending = 0;
    }
}

struct trace_sink run_db_sink(struct run_db *d)
{
    return (struct trace_sink){.event = db_event, .ctx = d};
}

static void fail(char *err, size_t cap, const char *path, const char *what)
{
    snprintf(err, cap, "%s: %s", path, what);
}

/* One run, one file: an older run of the same name goes, with its WAL and index. */
static void remove_old(const char *path)
{
    unlink(path);
    char side[1100];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

/* The statements a run's writes go through, and the batch INSERT of message rows: the
 * single-row INSERT's text with MESSAGE_BATCH value lists. */
static bool prepare(struct run_db *d)
{
    for (int i = 0; i < ST_COUNT; i++) {
        if (sqlite3_prepare_v3(d->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &d->st[i],
                               NULL) != SQLITE_OK) {
            return false;
        }
    }
    char batch[MESSAGE_BATCH * 48 + 512];
    struct text sql = text_init(batch, sizeof batch);
    const char *values = strstr(stmt_sql[ST_MESSAGE], " VALUES ");
    KS_ASSERT(values != NULL);
    text_printf(&sql, "%.*s VALUES ", (int)(values - stmt_sql[ST_MESSAGE]), stmt_sql[ST_MESSAGE]);
    for (int i = 0; i < MESSAGE_BATCH; i++) {
        text_printf(&sql, "%s(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", i > 0 ? ", " : "");
    }
    KS_ASSERT(text_fits(&sql));
    return sqlite3_prepare_v3(d->db, batch, -1, SQLITE_PREPARE_PERSISTENT,
                              &d->message_batch_stmt, NULL) == SQLITE_OK;
}

struct run_db *run_db_create(const char *path, const struct run_db_info *info, char *err,
                             size_t cap)
{
    remove_old(path);
    struct run_db *d = calloc(1, sizeof *d);
    KS_ASSERT(d != NULL);
    d->pending_frames = calloc(PENDING_SLOTS, sizeof *d->pending_frames);
    d->messages = calloc(MESSAGE_BATCH, sizeof *d->messages);
    KS_ASSERT(d->pending_frames != NULL && d->messages != NULL);
    /* One connection on one thread: no mutexes. */
    if (sqlite3_open_v2(path, &d->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        fail(err, cap, path, sqlite3_errmsg(d->db));
        sqlite3_close(d->db);
        free(d->pending_frames);
        free(d->messages);
        free(d);
        return NULL;
    }
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", RUN_DB_SCHEMA_VERSION);
    /* One writer and no reader while the run lasts: an exclusive lock (no shared-memory
     * index), a larger cache, and the WAL checkpointed once at the end rather than every
     * thousand pages. */
    if (!exec(d, "PRAGMA locking_mode = EXCLUSIVE") || !exec(d, "PRAGMA journal_mode = WAL") ||
        !exec(d, "PRAGMA synchronous = OFF") || !exec(d, "PRAGMA cache_size = -16384") ||
        !exec(d, "PRAGMA wal_autocheckpoint = 0") ||
        !exec(d, schema) || !exec(d, pragma)) {
        fail(err, cap, path, d->error);
        run_db_close(d);
        return NULL;
    }
    if (!prepare(d)) {
        fail(err, cap, path, sqlite3_errmsg(d->db));
        run_db_close(d);
        return NULL;
    }
    sqlite3_stmt *s;
    KS_ASSERT(sqlite3_prepare_v2(d->db, "INSERT INTO run (seed, scenario, scenario_text,"
                                 " scenario_hash, kraftsim_version, release, argv, shipped,"
                                 " kafka_version, duration_ns, complete)"
                                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)", -1, &s,
                                 NULL) == SQLITE_OK);
    sqlite3_bind_int64(s, 1, (sqlite3_int64)info->seed);
    bind_text(s, 2, info->scenario);
    char hash[24] = "";
    if (info->scenario_text != NULL) {
        sqlite3_bind_text(s, 3, info->scenario_text, (int)info->scenario_len, SQLITE_TRANSIENT);
        char *copy = strndup(info->scenario_text, info->scenario_len);
        KS_ASSERT(copy != NULL);
        snprintf(hash, sizeof hash, "0x%016" PRIx64, rng_hash_string(copy));
        free(copy);
        bind_text(s, 4, hash);
    }
    bind_text(s, 5, info->kraftsim_version);
    bind_text(s, 6, info->release);
    bind_text(s, 7, info->argv);
    sqlite3_bind_int(s, 8, info->shipped);
    bind_text(s, 9, info->kafka_version);
    if (info->duration > 0) {
        sqlite3_bind_int64(s, 10, info->duration);
    }
    step(d, s);
    sqlite3_finalize(s);
    /* The run row is durable before the first event: a killed run is found incomplete. */
    if (d->failed || !exec(d, "BEGIN")) {
        fail(err, cap, path, d->error);
        run_db_close(d);
        return NULL;
    }
    return d;
}

void run_db_fault(struct run_db *d, const char *kind, const char *targets, time_ns start,
                  time_ns end)
{
    if (d->recorded != NULL) {
        return;
    }
    sqlite3_stmt *s = d->st[ST_FAULT];
    bind_text(s, 1, kind);
    bind_text(s, 2, targets);
    sqlite3_bind_int64(s, 3, start);
    bind_int_or_null(s, 4, end >= 0, end);
    step(d, s);
}

void run_db_op(struct run_db *d, const struct run_db_op *op)
{
    if (d->recorded != NULL) {
        return;
    }
    KS_ASSERT(op->process != NULL && op->type != NULL && op->f != NULL);
    sqlite3_stmt *s = d->st[ST_OP];
    sqlite3_bind_int64(s, 1, op->time);
    bind_text(s, 2, op->process);
    bind_text(s, 3, op->type);
    bind_text(s, 4, op->f);
    bind_text(s, 5, op->topic);
    bind_int_or_null(s, 6, op->topic != NULL, op->partition);
    bind_int_or_null(s, 7, op->offset >= 0, op->offset);
    bind_int_or_null(s, 8, op->has_value, op->value);
    bind_text(s, 9, op->detail);
    step(d, s);
}

void run_db_violation(struct run_db *d, const char *checker, time_ns at, const char *text)
{
    if (d->recorded != NULL) {
        return;
    }
    sqlite3_stmt *s = d->st[ST_VIOLATION];
    bind_text(s, 1, checker);
    bind_int_or_null(s, 2, at >= 0, at);
    bind_text(s, 3, text);
    step(d, s);
}

bool run_db_finish(struct run_db *d, uint64_t trace_hash, const char *verdict,
                   uint32_t violations, time_ns virtual_end, int64_t wall_ms, bool interrupted,
                   char *err, size_t cap)
{
    for (int h = 0; h < DB_HOSTS; h++) {
        close_role(d, h, virtual_end);
    }
    for (size_t i = 0; d->pending_frames != NULL && i < PENDING_SLOTS; i++) {
        if (d->pending_frames[i].used) {
            write_message(d, &d->pending_frames[i], "in-flight", -1, 0);
            d->pending_frames[i].used = false;
        }
    }
    flush_messages(d);
    sqlite3_stmt *s;
    KS_ASSERT(sqlite3_prepare_v2(d->db, "UPDATE run SET trace_hash = ?, verdict = ?,"
                                 " violations = ?, virtual_ns = ?, wall_ms = ?, complete = ?,"
                                 " recorded_seq = ?",
                                 -1, &s, NULL) == SQLITE_OK);
    char hash[24];
    snprintf(hash, sizeof hash, "0x%016" PRIx64, trace_hash);
    bind_text(s, 1, hash);
    bind_text(s, 2, verdict);
    sqlite3_bind_int64(s, 3, violations);
    sqlite3_bind_int64(s, 4, virtual_end);
    sqlite3_bind_int64(s, 5, wall_ms);
    sqlite3_bind_int(s, 6, interrupted ? 0 : 1);
    sqlite3_bind_int64(s, 7, d->seq);
    step(d, s);
    sqlite3_finalize(s);
    exec(d, "COMMIT");
    exec(d, "PRAGMA wal_checkpoint(TRUNCATE)");
    if (d->failed) {
        snprintf(err, cap, "the run database: %s", d->error);
        return false;
    }
    return true;
}

struct run_db *run_db_compare(void *recorded_db)
{
    struct run_db *d = calloc(1, sizeof *d);
    KS_ASSERT(d != NULL);
    d->db = recorded_db;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(d->db, "SELECT recorded_seq FROM run", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        d->recorded_seq = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    if (sqlite3_prepare_v2(d->db, EVENT_ROWS " ORDER BY seq", -1, &d->recorded, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(d->db, "SELECT seq, delivery, t, from_node, to_node, id, bytes,"
                           " api_key, api_version, correlation_id FROM"
                           " (SELECT send_seq AS seq, 0 AS delivery, sent_ns AS t, * FROM message"
                           " WHERE send_seq IS NOT NULL UNION ALL"
                           " SELECT deliver_seq, 1, delivered_ns, * FROM message"
                           " WHERE deliver_seq IS NOT NULL) ORDER BY seq",
                           -1, &d->frames, NULL) != SQLITE_OK) {
        sqlite3_finalize(d->recorded);
        free(d);
        return NULL;
    }
    d->recorded_done = sqlite3_step(d->recorded) != SQLITE_ROW;
    return d;
}

bool run_db_replay_over(const struct run_db *d)
{
    return d->recorded != NULL && (d->mismatch.found || d->recorded_done_all);
}

const struct run_db_mismatch *run_db_compared(struct run_db *d, uint64_t *events,
                                              bool *recording_ended)
{
    *events = d->compared;
    /* Recorded events the replay never reached also differ. */
    if (!d->mismatch.found && !d->recorded_done_all && (int64_t)d->compared < d->recorded_seq) {
        d->mismatch.found = true;
        d->mismatch.index = d->compared + 1;
        snprintf(d->mismatch.replayed, sizeof d->mismatch.replayed, "(the replay ended)");
        char node[64], kind[64], detail[TRACE_DETAIL_MAX];
        int64_t t = 0;
        if (recorded_event(d, (int64_t)d->compared + 1, &t, node, sizeof node, kind,
                           sizeof kind, detail, sizeof detail)) {
            struct text tx = text_init(d->mismatch.recorded, sizeof d->mismatch.recorded);
            text_printf(&tx, "%" PRId64 " ns %s %s %s", t, node, kind, detail);
        }
    }
    *recording_ended = d->recorded_done_all;
    return d->mismatch.found ? &d->mismatch : NULL;
}

void run_db_close(struct run_db *d)
{
    if (d == NULL) {
        return;
    }
    if (d->recorded != NULL) {
        sqlite3_finalize(d->recorded);
        sqlite3_finalize(d->frames);
        free(d); /* the database is the caller's */
        return;
    }
    for (int i = 0; i < ST_COUNT; i++) {
        sqlite3_finalize(d->st[i]);
    }
    sqlite3_finalize(d->message_batch_stmt);
    free(d->pending_frames);
    free(d->messages);
    sqlite3_close(d->db);
    free(d);
}

void *run_db_open_read(const char *path, char *err, size_t cap)
{
    if (access(path, R_OK) != 0) {
        fail(err, cap, path, "no such file (or it cannot be read)");
        return NULL;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fail(err, cap, path, "not a database kraftsim can open");
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_stmt *s = NULL;
    int version = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        version = sqlite3_column_int(s, 0);
    }
    sqlite3_finalize(s);
    bool is_run = sqlite3_prepare_v2(db, "SELECT complete FROM run", -1, &s, NULL) == SQLITE_OK &&
                  sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    if (version < 0) {
        fail(err, cap, path, "not an SQLite database (damaged, or another kind of file)");
    } else if (!is_run || version == 0) {
        fail(err, cap, path, "an SQLite database, but not a kraftsim run");
    } else if (version < RUN_DB_SCHEMA_VERSION) {
        char what[160];
        snprintf(what, sizeof what, "written by an older kraftsim (schema %d; this one reads "
                 "%d): run the scenario again", version, RUN_DB_SCHEMA_VERSION);
        fail(err, cap, path, what);
    } else if (version > RUN_DB_SCHEMA_VERSION) {
        char what[160];
        snprintf(what, sizeof what, "written by a newer kraftsim (schema %d; this one reads "
                 "up to %d)", version, RUN_DB_SCHEMA_VERSION);
        fail(err, cap, path, what);
    } else {
        return db;
    }
    sqlite3_close(db);
    return NULL;
}
