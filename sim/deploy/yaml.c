/* yaml.c — libyaml's document API, as the deployment readers use it (deploy/yaml.h). */
#include "deploy/yaml.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

yaml_node_t *yaml_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
    yaml_node_t *k, *v;
    for (int i = 0; yaml_pair(doc, map, i, &k, &v); i++) {
        const char *name = yaml_text(k);
        if (name != NULL && strcmp(name, key) == 0) {
            return v;
        }
    }
    return NULL;
}

const char *yaml_text(yaml_node_t *node)
{
    return node != NULL && node->type == YAML_SCALAR_NODE ? (const char *)node->data.scalar.value
                                                          : NULL;
}

int yaml_line(const yaml_node_t *node) { return node != NULL ? (int)node->start_mark.line + 1 : 0; }

yaml_node_t *yaml_item(yaml_document_t *doc, yaml_node_t *seq, int i)
{
    if (seq == NULL || seq->type != YAML_SEQUENCE_NODE ||
        i >= seq->data.sequence.items.top - seq->data.sequence.items.start) {
        return NULL;
    }
    return yaml_document_get_node(doc, seq->data.sequence.items.start[i]);
}

bool yaml_pair(yaml_document_t *doc, yaml_node_t *map, int i, yaml_node_t **key,
               yaml_node_t **value)
{
    if (map == NULL || map->type != YAML_MAPPING_NODE ||
        i >= map->data.mapping.pairs.top - map->data.mapping.pairs.start) {
        return false;
    }
    yaml_node_pair_t *p = &map->data.mapping.pairs.start[i];
    *key = yaml_document_get_node(doc, p->key);
    *value = yaml_document_get_node(doc, p->value);
    return true;
}

bool yaml_each_document(const char *path, const char *text, size_t len,
                        bool (*each)(void *ctx, yaml_document_t *doc), void *ctx, char *err,
                        size_t cap, size_t *bad)
{
    if (bad != NULL) {
        *bad = SIZE_MAX;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        snprintf(err, cap, "%s: libyaml could not start", path);
        return false;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    bool ok = true;
    for (;;) {
        yaml_document_t doc;
        if (!yaml_parser_load(&parser, &doc)) {
            snprintf(err, cap, "%s:%zu: not YAML: %s%s%s", path,
                     parser.problem_mark.line + 1, parser.problem ? parser.problem : "error",
                     parser.context ? " " : "", parser.context ? parser.context : "");
            if (bad != NULL) {
                *bad = parser.problem_mark.index;
            }
            ok = false;
            break;
        }
        bool end = yaml_document_get_root_node(&doc) == NULL;
        bool good = end || each(ctx, &doc);
        yaml_document_delete(&doc);
        if (end || !good) {
            ok = good;
            break;
        }
    }
    yaml_parser_delete(&parser);
    return ok;
}
