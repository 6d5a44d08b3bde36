/* scenario.c — the table of built-in C scenarios, and what they share. */
#include "scenario/scenario.h"
#include "scenario/scenario_cluster.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "text.h"
#include "node.h"
#include "world/world.h"

static const struct scenario *const scenarios[] = {
    &scenario_cluster, &scenario_broker_failover, &scenario_offline_partition,
    &scenario_unclean_election, NULL};

const struct scenario *const *scenario_all(void) { return scenarios; }

const struct scenario *scenario_default(void) { return &scenario_cluster; }

const struct scenario *scenario_find(const char *name)
{
    for (int i = 0; scenarios[i] != NULL; i++) {
        if (strcmp(scenarios[i]->name, name) == 0) {
            return scenarios[i];
        }
    }
    return NULL;
}

void fault_tally_add(struct fault_tally *t, const char *kind)
{
    KS_ASSERT(t != NULL && kind != NULL);
    int i = 0;
    while (i < t->kinds && strcmp(t->kind[i], kind) != 0) {
        i++;
    }
    if (i == t->kinds) {
        KS_ASSERT(t->kinds < FAULT_TALLY_KINDS);
        t->kind[t->kinds++] = kind;
    }
    t->count[i]++;
    t->total++;
}

void fault_tally_text(const struct fault_tally *t, char *buf, size_t cap)
{
    KS_ASSERT(t != NULL && buf != NULL && cap > 4);
    struct text out = text_init(buf, cap);
    if (t->total == 0) {
        text_printf(&out, "no faults");
    } else {
        text_printf(&out, "%" PRIu64 " fault%s:", t->total, t->total == 1 ? "" : "s");
    }
    for (int i = 0; i < t->kinds; i++) {
        text_printf(&out, "%s %" PRIu64 " %s", i == 0 ? "" : ",", t->count[i], t->kind[i]);
    }
    if (!text_fits(&out)) {
        memcpy(buf + cap - 4, "...", 4); /* a display line: cut, and saying so */
    }
}

int scenario_release_number(const struct run_opts *opts)
{
    const struct kafka_release *r =
        opts->kafka_version != NULL ? release_find(opts->kafka_version) : release_default();
    KS_ASSERT(r != NULL); /* the configs, which name it too, parsed */
    return r->number;
}

bool scenario_properties_fit(size_t len, const char *file, size_t cap, struct run_result *result)
{
    if (len > 0) {
        return true;
    }
    snprintf(result->config_error, sizeof result->config_error,
             "%s: the generated file does not fit in %zu bytes (is a flag value too long?)", file,
             cap);
    return false;
}

bool scenario_node_config(const char *text, size_t len, const char *file,
                          struct node_config *node, bool first, struct run_result *result)
{
    struct kafka_config *k = malloc(sizeof *k);
    KS_ASSERT(k != NULL);
    struct config_error cerr;
    char err[256];
    int rc = config_parse(text, len, file, k, &cerr);
    if (rc == CONFIG_OK && node_config_from_kafka(node, k, "", err, sizeof err) != 0) {
        rc = CONFIG_EINVALID;
        snprintf(cerr.message, sizeof cerr.message, "%s: %s", file, err);
    }
    if (rc == CONFIG_OK && first) {
        switches_describe(&k->switches, result->switches, sizeof result->switches);
    }
    free(k);
    if (rc != CONFIG_OK) {
        snprintf(result->config_error, sizeof result->config_error, "%s", cerr.message);
        return false;
    }
    return true;
}
