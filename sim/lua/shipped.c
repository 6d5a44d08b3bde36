/* shipped.c — finding the scenarios embedded in the binary (the table is generated). */
#include "lua/shipped.h"

#include <stdio.h>
#include <string.h>

/* Generated from scenarios/ by embed.cmake. */
extern const struct shipped_file shipped_files[];
extern const size_t shipped_file_count;

size_t shipped_count(void) { return shipped_file_count; }

const struct shipped_file *shipped_at(size_t i)
{
    return i < shipped_file_count ? &shipped_files[i] : NULL;
}

const struct shipped_file *shipped_find(const char *path)
{
    for (size_t i = 0; i < shipped_file_count; i++) {
        if (strcmp(shipped_files[i].path, path) == 0) {
            return &shipped_files[i];
        }
    }
    return NULL;
}

const struct shipped_file *shipped_scenario(const char *name)
{
    if (strncmp(name, "lib/", 4) == 0 || strchr(name, '.') != NULL) {
        return NULL;
    }
    char path[300];
    snprintf(path, sizeof path, "%s.lua", name);
    const struct shipped_file *f = shipped_find(path);
    if (f == NULL) {
        snprintf(path, sizeof path, "lessons/%s.lua", name);
        f = shipped_find(path);
    }
    return f;
}

void shipped_summary(const struct shipped_file *f, char *buf, size_t cap)
{
    const char *t = f->text;
    size_t len = 0;
    if (f->len >= 2 && t[0] == '-' && t[1] == '-') {
        t += 2;
        t += strspn(t, " ");
        len = strcspn(t, "\n");
    }
    snprintf(buf, cap, "%.*s", (int)len, t);
}
