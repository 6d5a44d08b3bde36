/* kafka_storage.c — random-uuid and format, as an operator runs them before the first start. */
#include "tools/kafka_storage.h"

#include "protocol/wire.h"
#include "storage.h"

void kafka_storage_random_uuid(struct rng *r, char out[KAFKA_STORAGE_UUID_TEXT])
{
    struct kuuid u;
    /* Uuid.randomUuid re-rolls the reserved ids (zero, 0..01) and text that starts with '-'. */
    do {
        u.hi = rng_next(r);
        u.lo = rng_next(r);
        wire_uuid_to_text(u, out);
    } while ((u.hi == 0 && u.lo <= 1) || out[0] == '-');
}

int kafka_storage_format(struct world *w, int host, const struct node_config *cfg,
                         const char *cluster_id)
{
    struct host *h = world_host(w, host);
    struct rng r;
    rng_init(&r, w->seed, "storage", (uint64_t)host);
    const char *dirs[STORAGE_DIR_MAX];
    int n = node_config_dirs(cfg, dirs, STORAGE_DIR_MAX);
    char ids[STORAGE_DIR_MAX][KAFKA_STORAGE_UUID_TEXT];
    const char *id_ptrs[STORAGE_DIR_MAX];
    for (int i = 0; i < n; i++) {
        kafka_storage_random_uuid(&r, ids[i]);
        id_ptrs[i] = ids[i];
    }
    int rc = storage_format(&h->env, dirs, n, cluster_id, cfg->node_id, id_ptrs, world_now(w));
    disk_settle(&h->disk);
    return rc;
}
