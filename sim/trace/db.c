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

/* The schema, one statement a line; user_version says which kraftsim wrote it. */
static const char schema[] =
    "CREATE TABLE run (seed INTEGER, scenario TEXT, scenario_text TEXT, scenario_hash TEXT,"
    " shipped INTEGER, kafka_version TEXT, duration_ns INTEGER,"
    " kraftsim_version TEXT, release TEXT, argv TEXT, trace_hash TEXT, verdict TEXT,"
    " violations INTEGER, complete INTEGER NOT NULL, virtual_ns INTEGER, wall_ms INTEGER);\n"
    "CREATE TABLE node (host INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
    "CREATE TABLE event (seq INTEGER PRIMARY KEY, time_ns INTEGER NOT NULL, node TEXT,"
    " kind TEXT NOT NULL, detail TEXT NOT NULL);\n"
    "CREATE TABLE role (node TEXT NOT NULL, epoch INTEGER, role TEXT NOT NULL,"
    " from_ns INTEGER NOT NULL, to_ns INTEGER);\n"
    "CREATE TABLE message (id INTEGER PRIMARY KEY, sent_ns INTEGER NOT NULL,"
    " delivered_ns INTEGER, from_node TEXT, to_node TEXT, bytes INTEGER, fate TEXT NOT NULL,"
    " api_key INTEGER, api_version INTEGER, correlation_id INTEGER);\n"
    "CREATE TABLE broker_state (node TEXT NOT NULL, time_ns INTEGER NOT NULL,"
    " state TEXT NOT NULL, detail TEXT);\n"
    "CREATE TABLE partition_state (partition TEXT NOT NULL, time_ns INTEGER NOT NULL,"
    " leader INTEGER, leader_epoch INTEGER, isr TEXT, elr TEXT, reason TEXT);\n"
    "CREATE TABLE disk_op (node TEXT NOT NULL, time_ns INTEGER NOT NULL, op TEXT NOT NULL,"
    " file TEXT, detail TEXT);\n"
    "CREATE TABLE fault (kind TEXT NOT NULL, targets TEXT, start_ns INTEGER NOT NULL,"
    " end_ns INTEGER);\n"
    "CREATE TABLE violation (checker TEXT, time_ns INTEGER, evidence TEXT NOT NULL);\n"
    "CREATE TABLE note (time_ns INTEGER NOT NULL, text TEXT NOT NULL);\n"
    "CREATE TABLE op (process INTEGER, type TEXT, key TEXT, value TEXT, offset_ INTEGER,"
    " time_ns INTEGER);\n";

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
    ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_EVENT] = "INSERT INTO event (time_ns, node, kind, detail) VALUES (?, ?, ?, ?)",
    [ST_ROLE_OPEN] = "INSERT INTO role (node, epoch, role, from_ns) VALUES (?, ?, ?, ?)",
    [ST_ROLE_CLOSE] = "UPDATE role SET to_ns = ? WHERE rowid = ?",
    [ST_MESSAGE] = "INSERT OR IGNORE INTO message (id, sent_ns, delivered_ns, from_node,"
                   " to_node, bytes, fate, api_key, api_version, correlation_id)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_BROKER_STATE] = "INSERT INTO broker_state (node, time_ns, state, detail)"
                        " VALUES (?, ?, ?, ?)",
    [ST_NOTE] = "INSERT INTO note (time_ns, text) VALUES (?, ?)",
    [ST_DISK_OP] = "INSERT INTO disk_op (node, time_ns, op, file, detail) VALUES (?, ?, ?, ?, ?)",
    [ST_PARTITION] = "INSERT INTO partition_state (partition, time_ns, leader, leader_epoch, isr,"
                     " elr, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
    [ST_FAULT] = "INSERT INTO fault (kind, targets, start_ns, end_ns) VALUES (?, ?, ?, ?)",
    [ST_VIOLATION] = "INSERT INTO violation (checker, time_ns, evidence) VALUES (?, ?, ?)",
    [ST_NODE] = "INSERT OR REPLACE INTO node (host, name) VALUES (?, ?)",
};

#define DB_HOSTS 64
#define PENDING_SLOTS 65536

struct pending_frame {
    bool used, has_api, has_corr, duplicated;
    int64_t id;
    time_ns sent;
    int from, to;
    int64_t bytes;
    int api, version;
    int64_t corr;
};
#define DB_FILE_TEXT 256

struct run_db {
    sqlite3 *db;
    /* Compare mode (replay): events are checked against the recorded ones, not written. */
    sqlite3_stmt *recorded;
    uint64_t compared;
    bool recorded_done;         /* the recording ran out */
    struct run_db_mismatch mismatch;
    sqlite3_stmt *st[ST_COUNT];
    uint64_t pending; /* events in the open transaction */
    bool failed;
    char error[256];
    char names[DB_HOSTS][64];
    sqlite3_int64 open_role[DB_HOSTS]; /* rowid of each host's open role span, 0 = none */
    struct pending_frame *pending_frames; /* PENDING_SLOTS of them, for writers */
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
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
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
    trace_detail_field(e->detail, "role", role, sizeof role);
    trace_detail_field(e->detail, "epoch", epoch, sizeof epoch);
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

static void write_message(struct run_db *d, const struct pending_frame *f, const char *fate,
                          time_ns delivered)
{
    sqlite3_stmt *s = d->st[ST_MESSAGE];
    sqlite3_bind_int64(s, 1, f->id);
    sqlite3_bind_int64(s, 2, f->sent);
    if (delivered >= 0) {
        sqlite3_bind_int64(s, 3, delivered);
    }
    bind_text(s, 4, host_text(d, f->from));
    bind_text(s, 5, host_text(d, f->to));
    sqlite3_bind_int64(s, 6, f->bytes);
    bind_text(s, 7, fate);
    if (f->has_api) {
        sqlite3_bind_int(s, 8, f->api);
        sqlite3_bind_int(s, 9, f->version);
    }
    if (f->has_corr) {
        sqlite3_bind_int64(s, 10, f->corr);
    }
    step(d, s);
}

/* net-send id=1 from=h3 to=h0 bytes=154 [api=1 v=18] [corr=7]; then the frame's deliver, drop
 * (reason=cut|loss) or duplicate, by id. */
static void derive_message(struct run_db *d, const struct trace_event *e)
{
    char id_text[32], v[32];
    trace_detail_field(e->detail, "id", id_text, sizeof id_text);
    if (id_text[0] == '\0') {
        return;
    }
    int64_t id = strtoll(id_text, NULL, 10);
    struct pending_frame *f = pending_slot(d, id);
    if (e->kind == TRACE_NET_SEND) {
        if (f->used) {
            write_message(d, f, "in-flight", -1); /* on the wire past PENDING_SLOTS sends */
        }
        *f = (struct pending_frame){.used = true, .id = id, .sent = e->time};
        f->from = atoi(trace_detail_field(e->detail, "from", v, sizeof v) + 1);
        f->to = atoi(trace_detail_field(e->detail, "to", v, sizeof v) + 1);
        f->bytes = strtoll(trace_detail_field(e->detail, "bytes", v, sizeof v), NULL, 10);
        if (trace_detail_field(e->detail, "api", v, sizeof v)[0] != '\0') {
            f->has_api = true;
            f->api = atoi(v);
            f->version = atoi(trace_detail_field(e->detail, "v", v, sizeof v));
        }
        if (trace_detail_field(e->detail, "corr", v, sizeof v)[0] != '\0') {
            f->has_corr = true;
            f->corr = strtoll(v, NULL, 10);
        }
        return;
    }
    if (!f->used || f->id != id) {
        return; /* a duplicate's second copy, or a frame whose row is written */
    }
    if (e->kind == TRACE_NET_DUPLICATE) {
        f->duplicated = true;
        return;
    }
    if (e->kind == TRACE_NET_DELIVER) {
        write_message(d, f, f->duplicated ? "duplicated" : "delivered", e->time);
    } else {
        char reason[32];
        trace_detail_field(e->detail, "reason", reason, sizeof reason);
        bool cut = strcmp(reason, "cut") == 0;
        write_message(d, f, cut ? "cut" : "dropped", -1);
    }
    f->used = false;
}

/* The active controller's partition changes: "election partition=ledger-0 leader=4->5
 * leader_epoch=1 isr=[5] elr=[4] reason=...". */
static void derive_partition(struct run_db *d, const struct trace_event *e)
{
    char part[160], leader[48], epoch[24], isr[128], elr[128], reason[96];
    if (trace_detail_field(e->detail, "partition", part, sizeof part)[0] == '\0') {
        return;
    }
    trace_detail_field(e->detail, "leader", leader, sizeof leader);
    const char *arrow = strstr(leader, "->");
    sqlite3_stmt *s = d->st[ST_PARTITION];
    bind_text(s, 1, part);
    sqlite3_bind_int64(s, 2, e->time);
    if (leader[0] != '\0') {
        sqlite3_bind_int64(s, 3, strtoll(arrow != NULL ? arrow + 2 : leader, NULL, 10));
    }
    if (trace_detail_field(e->detail, "leader_epoch", epoch, sizeof epoch)[0] != '\0') {
        sqlite3_bind_int64(s, 4, strtoll(epoch, NULL, 10));
    }
    bind_text(s, 5, trace_detail_field(e->detail, "isr", isr, sizeof isr));
    bind_text(s, 6, trace_detail_field(e->detail, "elr", elr, sizeof elr));
    bind_text(s, 7, trace_detail_field(e->detail, "reason", reason, sizeof reason));
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
    trace_detail_field(e->detail, "file", file, sizeof file);
    bind_text(s, 4, file[0] != '\0' ? file : NULL);
    bind_text(s, 5, e->detail);
    step(d, s);
}

static void derive(struct run_db *d, const struct trace_event *e)
{
    switch (e->kind) {
    case TRACE_DISK_FSYNC:
    case TRACE_DISK_DURABLE:
    case TRACE_DISK_FAULT:
    case TRACE_DISK_LOSS:
    case TRACE_DISK_WRITEBACK:
        derive_disk(d, e);
        break;
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
        derive_message(d, e);
        break;
    case TRACE_BROKER_STATE: {
        char state[48];
        sqlite3_stmt *s = d->st[ST_BROKER_STATE];
        bind_text(s, 1, host_text(d, e->host));
        sqlite3_bind_int64(s, 2, e->time);
        bind_text(s, 3, trace_detail_field(e->detail, "state", state, sizeof state));
        bind_text(s, 4, e->detail);
        step(d, s);
        break;
    }
    case TRACE_NOTE: {
        /* The checkers trace each violation as a note "violation <rule>: <evidence>". */
        if (strncmp(e->detail, "violation ", 10) == 0) {
            const char *text = e->detail + 10;
            char checker[64];
            size_t n = strcspn(text, ": "); /* "hw-majority: ...", "expect (file:3): ..." */
            snprintf(checker, sizeof checker, "%.*s", (int)(n < sizeof checker ? n : 0), text);
            run_db_violation(d, checker, e->time, text);
            break;
        }
        sqlite3_stmt *s = d->st[ST_NOTE];
        sqlite3_bind_int64(s, 1, e->time);
        bind_text(s, 2, e->detail);
        step(d, s);
        break;
    }
    default:
        break;
    }
}

static void copy_column(sqlite3_stmt *s, int col, char *buf, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    snprintf(buf, cap, "%s", t != NULL ? (const char *)t : "-");
}

/* Replay: the next recorded event must be this one, field for field. */
static void compare_event(struct run_db *d, const struct trace_event *e)
{
    if (d->mismatch.found || d->recorded_done) {
        return;
    }
    d->compared++;
    struct run_db_mismatch *m = &d->mismatch;
    struct text rx = text_init(m->replayed, sizeof m->replayed);
    text_printf(&rx, "%" PRId64 " ns %s %s %s", e->time,
                e->host >= 0 ? host_text(d, e->host) : "-", trace_kind_name(e->kind), e->detail);
    if (sqlite3_step(d->recorded) != SQLITE_ROW) {
        d->recorded_done = true;
        return;
    }
    char node[64], kind[64], detail[TRACE_DETAIL_MAX];
    copy_column(d->recorded, 1, node, sizeof node);
    copy_column(d->recorded, 2, kind, sizeof kind);
    copy_column(d->recorded, 3, detail, sizeof detail);
    int64_t t = sqlite3_column_int64(d->recorded, 0);
    struct text tx = text_init(m->recorded, sizeof m->recorded);
    text_printf(&tx, "%" PRId64 " ns %s %s %s", t, node, kind, detail);
    const char *host = e->host >= 0 ? host_text(d, e->host) : "-";
    if (t != e->time || strcmp(node, host) != 0 || strcmp(kind, trace_kind_name(e->kind)) != 0 ||
        strcmp(detail, e->detail) != 0) {
        m->found = true;
        m->index = d->compared;
    }
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
    sqlite3_stmt *s = d->st[ST_EVENT];
    sqlite3_bind_int64(s, 1, e->time);
    bind_text(s, 2, e->host >= 0 ? host_text(d, e->host) : NULL);
    bind_text(s, 3, trace_kind_name(e->kind));
    bind_text(s, 4, e->detail);
    step(d, s);
    derive(d, e);
    if (++d->pending >= RUN_DB_BATCH) {
        /* A commit now and then: a run killed mid-way keeps everything up to here. */
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

struct run_db *run_db_create(const char *path, const struct run_db_info *info, char *err,
                             size_t cap)
{
    remove_old(path);
    struct run_db *d = calloc(1, sizeof *d);
    KS_ASSERT(d != NULL);
    d->pending_frames = calloc(PENDING_SLOTS, sizeof *d->pending_frames);
    KS_ASSERT(d->pending_frames != NULL);
    if (sqlite3_open_v2(path, &d->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        fail(err, cap, path, sqlite3_errmsg(d->db));
        sqlite3_close(d->db);
        free(d->pending_frames);
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
    for (int i = 0; i < ST_COUNT; i++) {
        if (sqlite3_prepare_v3(d->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &d->st[i],
                               NULL) != SQLITE_OK) {
            fail(err, cap, path, sqlite3_errmsg(d->db));
            run_db_close(d);
            return NULL;
        }
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
    if (end >= 0) {
        sqlite3_bind_int64(s, 4, end);
    }
    step(d, s);
}

void run_db_violation(struct run_db *d, const char *checker, time_ns at, const char *text)
{
    if (d->recorded != NULL) {
        return;
    }
    sqlite3_stmt *s = d->st[ST_VIOLATION];
    bind_text(s, 1, checker);
    if (at >= 0) {
        sqlite3_bind_int64(s, 2, at);
    }
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
            write_message(d, &d->pending_frames[i], "in-flight", -1);
            d->pending_frames[i].used = false;
        }
    }
    sqlite3_stmt *s;
    KS_ASSERT(sqlite3_prepare_v2(d->db, "UPDATE run SET trace_hash = ?, verdict = ?,"
                                 " violations = ?, virtual_ns = ?, wall_ms = ?, complete = ?",
                                 -1, &s, NULL) == SQLITE_OK);
    char hash[24];
    snprintf(hash, sizeof hash, "0x%016" PRIx64, trace_hash);
    bind_text(s, 1, hash);
    bind_text(s, 2, verdict);
    sqlite3_bind_int64(s, 3, violations);
    sqlite3_bind_int64(s, 4, virtual_end);
    sqlite3_bind_int64(s, 5, wall_ms);
    sqlite3_bind_int(s, 6, interrupted ? 0 : 1);
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
    if (sqlite3_prepare_v2(d->db, "SELECT time_ns, node, kind, detail FROM event ORDER BY seq",
                           -1, &d->recorded, NULL) != SQLITE_OK) {
        free(d);
        return NULL;
    }
    return d;
}

bool run_db_replay_over(const struct run_db *d)
{
    return d->recorded != NULL && (d->mismatch.found || d->recorded_done);
}

const struct run_db_mismatch *run_db_compared(struct run_db *d, uint64_t *events,
                                              bool *recording_ended)
{
    *events = d->compared;
    /* Recorded events the replay never reached also differ. */
    if (!d->mismatch.found && !d->recorded_done && sqlite3_step(d->recorded) == SQLITE_ROW) {
        d->mismatch.found = true;
        d->mismatch.index = d->compared + 1;
        snprintf(d->mismatch.replayed, sizeof d->mismatch.replayed, "(the replay ended)");
        char node[64], kind[64], detail[TRACE_DETAIL_MAX];
        copy_column(d->recorded, 1, node, sizeof node);
        copy_column(d->recorded, 2, kind, sizeof kind);
        copy_column(d->recorded, 3, detail, sizeof detail);
        struct text tx = text_init(d->mismatch.recorded, sizeof d->mismatch.recorded);
        text_printf(&tx, "%" PRId64 " ns %s %s %s",
                    (int64_t)sqlite3_column_int64(d->recorded, 0), node, kind, detail);
    }
    *recording_ended = d->recorded_done;
    return d->mismatch.found ? &d->mismatch : NULL;
}

void run_db_close(struct run_db *d)
{
    if (d == NULL) {
        return;
    }
    if (d->recorded != NULL) {
        sqlite3_finalize(d->recorded);
        free(d); /* the database is the caller's */
        return;
    }
    for (int i = 0; i < ST_COUNT; i++) {
        sqlite3_finalize(d->st[i]);
    }
    free(d->pending_frames);
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
