/* yaml.h — reading YAML documents with Debian's libyaml: the few lookups the readers need. */
#ifndef KRAFTSIM_DEPLOY_YAML_H
#define KRAFTSIM_DEPLOY_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

/* The value under `key` in mapping node `map`, or NULL (also when `map` is no mapping). */
yaml_node_t *yaml_get(yaml_document_t *doc, yaml_node_t *map, const char *key);
/* A scalar's text, or NULL for anything else. */
const char *yaml_text(yaml_node_t *node);
/* The node's line, 1-based. */
int yaml_line(const yaml_node_t *node);
/* Item i of a sequence, pair i's key and value of a mapping; NULL past the end. */
yaml_node_t *yaml_item(yaml_document_t *doc, yaml_node_t *seq, int i);
bool yaml_pair(yaml_document_t *doc, yaml_node_t *map, int i, yaml_node_t **key,
               yaml_node_t **value);

/* Calls `each` with every document of the text, in order; false (with "FILE:LINE: message"
 * in err) when the text is not YAML, or when `each` returns false (its own err). `bad` (may
 * be NULL) gets the byte offset where the text stopped being YAML, SIZE_MAX otherwise. */
bool yaml_each_document(const char *path, const char *text, size_t len,
                        bool (*each)(void *ctx, yaml_document_t *doc), void *ctx, char *err,
                        size_t cap, size_t *bad);

#endif
