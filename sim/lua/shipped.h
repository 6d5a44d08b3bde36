/* shipped.h — the scenarios, lessons and library modules kraftsim carries inside its binary. */
#ifndef KRAFTSIM_LUA_SHIPPED_H
#define KRAFTSIM_LUA_SHIPPED_H

/*
 * Every .lua file under scenarios/ is embedded at build time (sim/lua/embed.cmake), so
 * `kraftsim run --scenario NAME` works from any working directory and an installed binary
 * needs no data files. Paths are relative to scenarios/: "cluster.lua",
 * "lessons/first-election.lua", "lib/nemesis.lua". They are sorted by bytes.
 */

#include <stddef.h>

struct shipped_file {
    const char *path;
    const char *text;
    size_t len;
};

/* The file at `path` (relative to scenarios/), or NULL. */
const struct shipped_file *shipped_find(const char *path);
/* The scenario NAME runs: NAME.lua, or lessons/NAME.lua; never a library module. */
const struct shipped_file *shipped_scenario(const char *name);
const struct shipped_file *shipped_at(size_t i);
size_t shipped_count(void);
/* The scenario's first comment line ("-- ..." at the top), without the dashes, into buf. */
void shipped_summary(const struct shipped_file *f, char *buf, size_t cap);

#endif
