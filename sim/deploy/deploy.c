/* deploy.c — reading a deployment's files (deploy/deploy.h): the dispatch by file, the
 * server.properties reader, myid files, and what every reader shares. */
#include "deploy/deploy.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* ---- shared by the readers ----------------------------------------------------------------- */

static void located(char *buf, size_t cap, const char *file, int line, const char *fmt,
                    va_list ap) __attribute__((format(printf, 5, 0)));

static void located(char *buf, size_t cap, const char *file, int line, const char *fmt,
                    va_list ap)
{
    int n = line > 0 ? snprintf(buf, cap, "%s:%d: ", file, line) : snprintf(buf, cap, "%s: ", file);
    if (n >= 0 && (size_t)n < cap) {
        vsnprintf(buf + n, cap - (size_t)n, fmt, ap);
    }
}

void deploy_warn(struct deployment *d, const char *file, int line, const char *fmt, ...)
{
    if (d->warning_count == DEPLOY_NOTES_MAX) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    located(d->warnings[d->warning_count++], DEPLOY_TEXT, file, line, fmt, ap);
    va_end(ap);
}

bool deploy_fail(struct deployment *d, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    located(d->error, sizeof d->error, file, line, fmt, ap);
    va_end(ap);
    return false;
}

struct deploy_node *deploy_add_node(struct deployment *d, const char *file, int line)
{
    if (d->node_count == DEPLOY_NODES_MAX) {
        deploy_fail(d, file, line, "more than %d Kafka nodes (kraftsim's limit)",
                    DEPLOY_NODES_MAX);
        return NULL;
    }
    struct deploy_node *n = &d->nodes[d->node_count++];
    memset(n, 0, sizeof *n);
    snprintf(n->file, sizeof n->file, "%s", file);
    snprintf(n->props.source, sizeof n->props.source, "%s", file);
    n->line = line;
    return n;
}

bool deploy_put(struct deployment *d, struct deploy_node *n, const char *key,
                const char *value, int line)
{
    struct config_error err;
    if (config_properties_put(&n->props, key, value, line, CONFIG_ORIGIN_FILE, &err) !=
        CONFIG_OK) {
        snprintf(d->error, sizeof d->error, "%s", err.message);
        return false;
    }
    return true;
}

const char *deploy_value(const struct deploy_node *n, const char *key, int *line)
{
    const struct config_property *p = config_properties_find(&n->props, key);
    if (line != NULL) {
        *line = p != NULL ? p->line : 0;
    }
    return p != NULL ? config_property_value(&n->props, p) : NULL;
}

bool deploy_release_of_image(const char *image, char *out, size_t cap)
{
    const char *colon = strrchr(image, ':');
    const char *slash = strrchr(image, '/');
    if (colon == NULL || (slash != NULL && colon < slash)) {
        return false;
    }
    const char *tag = colon + 1;
    tag += *tag == 'v';
    int major = 0, minor = 0;
    if (sscanf(tag, "%d.%d", &major, &minor) != 2) {
        return false;
    }
    snprintf(out, cap, "%d.%d", major, minor);
    return release_find(out) != NULL;
}

int64_t deploy_heap_bytes(const char *opts, char *as_written, size_t cap)
{
    const char *x = strstr(opts, "-Xmx");
    if (x == NULL) {
        return 0;
    }
    char *end;
    long long v = strtoll(x + 4, &end, 10);
    int64_t unit = *end == 'g' || *end == 'G'   ? 1 << 30
                   : *end == 'm' || *end == 'M' ? 1 << 20
                   : *end == 'k' || *end == 'K' ? 1 << 10
                                                : 1;
    size_t len = strcspn(x + 4, " \t'\"");
    snprintf(as_written, cap, "%.*s", (int)len, x + 4);
    return v > 0 ? (int64_t)v * unit : 0;
}

/* ---- server.properties ---------------------------------------------------------------------- */

/* A property line an operator wrote without '=' (or ':'): Java would take it as a key with an
 * empty value, Kafka then refuses or ignores it; either way not what was meant. */
static bool lines_have_separators(struct deployment *d, const char *path, const char *text,
                                  size_t len)
{
    int line = 1;
    bool continued = false;
    for (size_t at = 0; at < len; line++) {
        size_t end = at;
        while (end < len && text[end] != '\n') {
            end++;
        }
        size_t s = at;
        while (s < end && (text[s] == ' ' || text[s] == '\t' || text[s] == '\r')) {
            s++;
        }
        size_t e = end;
        while (e > s && (text[e - 1] == '\r' || text[e - 1] == ' ')) {
            e--;
        }
        bool blank = s == e || text[s] == '#' || text[s] == '!';
        if (!blank && !continued && memchr(text + s, '=', e - s) == NULL &&
            memchr(text + s, ':', e - s) == NULL) {
            return deploy_fail(d, path, line, "'%.*s' is no key=value line (no '=')",
                               (int)(e - s > 60 ? 60 : e - s), text + s);
        }
        continued = !blank && e > s && text[e - 1] == '\\';
        at = end + 1;
    }
    return true;
}

/* The host in a listener "NAME://host:port", "" for the wildcard. */
static void listener_host(const char *listeners, char *out, size_t cap)
{
    const char *h = listeners != NULL ? strstr(listeners, "://") : NULL;
    out[0] = '\0';
    if (h != NULL) {
        h += 3;
        size_t n = strcspn(h, ":,");
        snprintf(out, cap, "%.*s", (int)n, h);
    }
}

static bool is_address(const char *host)
{
    return host[0] == '\0' || strspn(host, "0123456789.") == strlen(host) ||
           strchr(host, ':') != NULL;
}

/* The node's name: its listeners' host when that is a name, else the file's ("kafka1" for
 * kafka1-server.properties); its address: the advertised host, else the listener's. */
static void name_properties_node(struct deploy_node *n, const char *path)
{
    char adv[CONFIG_HOST_BYTES], lis[CONFIG_HOST_BYTES];
    listener_host(deploy_value(n, "advertised.listeners", NULL), adv, sizeof adv);
    listener_host(deploy_value(n, "listeners", NULL), lis, sizeof lis);
    const char *host = !is_address(adv) ? adv : lis;
    if (!is_address(host)) {
        snprintf(n->name, sizeof n->name, "%.63s", host);
    } else {
        const char *base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
        size_t len = strcspn(base, ".");
        const char *dash = strstr(base, "-server");
        len = dash != NULL && (size_t)(dash - base) < len ? (size_t)(dash - base) : len;
        snprintf(n->name, sizeof n->name, "%.*s", (int)len, base);
    }
    snprintf(n->address, sizeof n->address, "%s", adv[0] ? adv : lis[0] ? lis : n->name);
}

static bool read_properties(struct deployment *d, const char *path, const char *text,
                            size_t len)
{
    if (!lines_have_separators(d, path, text, len)) {
        return false;
    }
    struct deploy_node *n = deploy_add_node(d, path, 1);
    if (n == NULL) {
        return false;
    }
    struct config_error err;
    if (config_properties_parse(text, len, path, &n->props, &err) != CONFIG_OK) {
        snprintf(d->error, sizeof d->error, "%s", err.message);
        return false;
    }
    name_properties_node(n, path);
    return true;
}

/* ---- myid ------------------------------------------------------------------------------------ */

static bool read_myid(struct deployment *d, const char *path, const char *text, size_t len)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%.*s", (int)(len < 31 ? len : 31), text);
    digits[strcspn(digits, " \t\r\n")] = '\0';
    int64_t id;
    if (!config_parse_integer(digits, 1, 255, &id)) {
        return deploy_fail(d, path, 1, "a myid file holds the server's id, 1 to 255; this "
                           "one holds '%s'", digits);
    }
    /* the zoo.cfg it belongs to: the one with the same suffix (myid1, zoo1.cfg), else the
     * only one read so far */
    const char *base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
    const char *suffix = base + strlen("myid");
    for (int z = 0; z < d->zk_count; z++) {
        const char *zb = strrchr(d->zk[z].file, '/') != NULL ? strrchr(d->zk[z].file, '/') + 1
                                                            : d->zk[z].file;
        bool same = strncmp(zb, "zoo", 3) == 0 && strncmp(zb + 3, suffix, strlen(suffix)) == 0 &&
                    zb[3 + strlen(suffix)] == '.';
        if (same || (d->zk_count == 1 && suffix[0] == '\0')) {
            d->zk[z].myid = (int)id;
            snprintf(d->zk[z].myid_file, sizeof d->zk[z].myid_file, "%s", path);
            return true;
        }
    }
    return deploy_fail(d, path, 0, "no zoo.cfg read before it to pair this myid with (name "
                       "them zooN.cfg and myidN, and give the zoo.cfg first)");
}

/* ---- the dispatch ---------------------------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static bool read_one(struct deployment *d, const char *path, const char *text, size_t len)
{
    const char *base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
    if (ends_with(path, ".yml") || ends_with(path, ".yaml")) {
        bool compose = strstr(text, "\nservices:") != NULL || strncmp(text, "services:", 9) == 0;
        return compose ? deploy_read_compose(d, path, text, len)
                       : deploy_read_kubernetes(d, path, text, len);
    }
    if (ends_with(path, ".cfg")) {
        return deploy_read_zoo_cfg(d, path, text, len);
    }
    if (strncmp(base, "myid", 4) == 0) {
        return read_myid(d, path, text, len);
    }
    return read_properties(d, path, text, len);
}

static char *read_file(struct deployment *d, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        deploy_fail(d, path, 0, "%s", strerror(errno));
        return NULL;
    }
    size_t cap = CONFIG_FILE_BYTES_MAX + 1;
    char *text = malloc(cap);
    KS_ASSERT(text != NULL);
    *len = fread(text, 1, cap - 1, f);
    bool bad = ferror(f) != 0 || *len == cap - 1;
    fclose(f);
    if (bad) {
        free(text);
        deploy_fail(d, path, 0, "cannot be read whole (a file of at most %d bytes)",
                    CONFIG_FILE_BYTES_MAX);
        return NULL;
    }
    text[*len] = '\0';
    return text;
}

/* Names several files give alike (three hosts' Compose service "kafka") take the node id:
 * kafka-1, kafka-2, kafka-3. A node's address is its advertised listener's host (and port,
 * when nodes share a host), else its name. */
static void name_nodes(struct deployment *d)
{
    bool shared[DEPLOY_NODES_MAX] = {false};
    for (int i = 0; i < d->node_count; i++) {
        for (int j = 0; j < d->node_count; j++) {
            shared[i] |= j != i && strcmp(d->nodes[j].name, d->nodes[i].name) == 0;
        }
    }
    for (int i = 0; i < d->node_count; i++) {
        struct deploy_node *n = &d->nodes[i];
        const char *id = deploy_value(n, "node.id", NULL);
        id = id != NULL ? id : deploy_value(n, "broker.id", NULL);
        if (shared[i] && id != NULL) {
            char base[64];
            snprintf(base, sizeof base, "%s", n->name);
            snprintf(n->name, sizeof n->name, "%.40s-%s", base, id);
        }
    }
    for (int i = 0; i < d->node_count; i++) {
        struct deploy_node *n = &d->nodes[i];
        if (n->address[0] != '\0') {
            continue;
        }
        const char *adv = deploy_value(n, "advertised.listeners", NULL);
        char host[CONFIG_HOST_BYTES];
        listener_host(adv, host, sizeof host);
        snprintf(n->address, sizeof n->address, "%s", host[0] ? host : n->name);
    }
}

bool deploy_load(struct deployment *d, const char *const *paths, int count)
{
    memset(d, 0, sizeof *d);
    for (int i = 0; i < count; i++) {
        size_t len = 0;
        char *text = read_file(d, paths[i], &len);
        bool ok = text != NULL && read_one(d, paths[i], text, len);
        free(text);
        if (!ok) {
            return false;
        }
    }
    if (d->node_count == 0) {
        return deploy_fail(d, count > 0 ? paths[0] : "(no files)", 0,
                           "no Kafka node in these files");
    }
    name_nodes(d);
    return true;
}

/* ---- what the nodes say together ----------------------------------------------------------- */

const char *deploy_release(const struct deployment *d)
{
    for (int i = 0; i < d->node_count; i++) {
        const char *v = deploy_value(&d->nodes[i], "kafka.version", NULL);
        if (v != NULL) {
            return v;
        }
        if (d->nodes[i].release.value[0] != '\0') {
            return d->nodes[i].release.value;
        }
    }
    return NULL;
}

bool deploy_kraft(const struct deployment *d)
{
    for (int i = 0; i < d->node_count; i++) {
        if (deploy_value(&d->nodes[i], "process.roles", NULL) != NULL) {
            return true;
        }
    }
    return false;
}

/* A value as properties text: a backslash, and leading blanks, escaped. */
static void put_escaped(struct text *t, const char *v)
{
    for (const char *c = v; *c != '\0'; c++) {
        if (*c == '\\' || (c == v && (*c == ' ' || *c == '\t'))) {
            text_printf(t, "\\");
        }
        text_printf(t, "%c", *c == '\n' ? ' ' : *c);
    }
}

size_t deploy_properties_text(const struct deploy_node *n, const char *const *extra,
                              int extra_count, char *buf, size_t cap)
{
    struct text t = text_init(buf, cap);
    int at = 1; /* the line the text is on */
    int order[CONFIG_PROPERTIES_MAX];
    int count = 0;
    for (size_t i = 0; i < n->props.count; i++) {
        const char *key = config_property_key(&n->props, &n->props.items[i]);
        if (config_key_find(key) != NULL || config_key_prefix_accepted(key)) {
            order[count++] = (int)i;
        }
    }
    /* by line, so each can sit on its own (insertion sort: a few dozen keys) */
    for (int i = 1; i < count; i++) {
        for (int j = i; j > 0 && n->props.items[order[j - 1]].line >
                                     n->props.items[order[j]].line; j--) {
            int x = order[j];
            order[j] = order[j - 1];
            order[j - 1] = x;
        }
    }
    for (int i = 0; i < count; i++) {
        const struct config_property *p = &n->props.items[order[i]];
        while (at < p->line) {
            text_printf(&t, "\n");
            at++;
        }
        text_printf(&t, "%s=", config_property_key(&n->props, p));
        put_escaped(&t, config_property_value(&n->props, p));
        text_printf(&t, "\n");
        at++;
    }
    for (int i = 0; i < extra_count; i++) {
        text_printf(&t, "%s\n", extra[i]);
    }
    return t.len;
}
