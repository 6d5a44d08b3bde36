/* record.c — the run database's file: runs/<scenario>-seed<N>.db by default. */
#include "cli/record.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/wall_clock.h"

void record_base_name(const char *name, char *buf, size_t cap)
{
    const char *slash = strrchr(name, '/');
    const char *b = slash != NULL ? slash + 1 : name;
    size_t len = strlen(b);
    if (len > 4 && strcmp(b + len - 4, ".lua") == 0) {
        len -= 4;
    }
    snprintf(buf, cap, "%.*s", (int)len, b);
}

bool record_open(struct record *rec, const char *db_flag, bool no_db, const char *name,
                 const struct run_db_info *info, char *err, size_t cap)
{
    memset(rec, 0, sizeof *rec);
    rec->started_ms = wall_clock_ms();
    if (no_db) {
        return true;
    }
    if (db_flag != NULL) {
        snprintf(rec->path, sizeof rec->path, "%s", db_flag);
    } else {
        if (mkdir("runs", 0777) != 0 && errno != EEXIST) {
            snprintf(err, cap, "runs/: %s (use --db FILE or --no-db)", strerror(errno));
            return false;
        }
        char base[256];
        record_base_name(name, base, sizeof base);
        snprintf(rec->path, sizeof rec->path, "runs/%s-seed%" PRIu64 ".db", base, info->seed);
        snprintf(rec->latest, sizeof rec->latest, "%s-seed%" PRIu64 ".db", base, info->seed);
    }
    rec->db = run_db_create(rec->path, info, err, cap);
    return rec->db != NULL;
}

bool record_close(struct record *rec, const struct run_result *r, const char *verdict,
                  bool interrupted, char *err, size_t cap)
{
    if (rec->db == NULL) {
        return true;
    }
    bool ok = run_db_finish(rec->db, r->trace_hash, verdict, r->violations, r->virtual_end,
                            wall_clock_ms() - rec->started_ms, interrupted, err, cap);
    run_db_close(rec->db);
    rec->db = NULL;
    if (ok && rec->latest[0] != '\0') {
        /* runs/latest.db -> the newest run, replaced atomically. */
        unlink("runs/latest.db.tmp");
        if (symlink(rec->latest, "runs/latest.db.tmp") == 0) {
            rename("runs/latest.db.tmp", "runs/latest.db");
        }
    }
    return ok;
}
