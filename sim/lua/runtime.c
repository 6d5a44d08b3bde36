/* runtime.c — a Lua scenario as coroutines on the world's virtual clock. */
#include "lua/runtime.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "lua/cluster.h"
#include "lua/ping_ring.h"
#include "lua/sandbox.h"
#include "lua/shipped.h"
#include "lua/shrunk.h"
#include "scenario/capture.h"
#include "text.h"
#include "scenario/fault_log.h"
#include "trace/db.h"
#include "world/world.h"

static const char run_key = 'r';
static const char check_failure_key = 'c';

/* Virtual time a run may reach: far past any scenario, short of a run that never ends. */
#define RUN_TIME_CAP (30 * 24 * 3600 * NS_PER_S)

struct lua_run *lua_run_of(lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &run_key);
    struct lua_run *r = lua_touserdata(L, -1);
    lua_pop(L, 1);
    KS_ASSERT(r != NULL);
    return r;
}

/* ---- where in the user's script ------------------------------------------------------------ */

/* User files are chunks named "@path"; kraftsim's own Lua is "=kraftsim...". */
static bool frame_is_user(const lua_Debug *ar)
{
    return ar->source[0] == '@' && ar->currentline > 0;
}

void lua_run_where(lua_State *L, char *buf, size_t cap)
{
    lua_Debug ar;
    for (int level = 0; lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "Sl", &ar);
        if (frame_is_user(&ar)) {
            snprintf(buf, cap, "%s:%d", ar.source + 1, ar.currentline);
            return;
        }
    }
    snprintf(buf, cap, "%s", lua_run_of(L)->chunk);
}

int lua_run_error(lua_State *L, const char *fmt, ...)
{
    char where[300], message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    lua_run_where(L, where, sizeof where);
    lua_pushfstring(L, "%s: %s", where, message);
    return lua_error(L);
}

int lua_run_check_failed(lua_State *L)
{
    lua_run_of(L)->failed = true;
    lua_pushlightuserdata(L, (void *)&check_failure_key);
    return lua_error(L);
}

time_ns lua_run_duration_arg(lua_State *L, int arg, const char *what)
{
    int isnum = 0;
    lua_Integer i = lua_tointegerx(L, arg, &isnum);
    if (!isnum) {
        lua_Number n = lua_tonumberx(L, arg, &isnum);
        if (!isnum) {
            lua_run_error(L, "%s wants a duration such as 5 * s or 200 * ms, got %s", what,
                          luaL_typename(L, arg));
        }
        if (!(n >= 0 && n < 9.2e18)) {
            lua_run_error(L, "%s wants a duration of 0 or more, got %g", what, (double)n);
        }
        i = (lua_Integer)llround(n);
    }
    if (i < 0) {
        lua_run_error(L, "%s wants a duration of 0 or more, got %lld", what, (long long)i);
    }
    return (time_ns)i;
}

void lua_record_faults(struct run_db *db, const struct fault_log *faults)
{
    for (int f = 0; f < fault_log_kept(faults); f++) {
        const struct fault_log_entry *e = &faults->entries[f];
        run_db_fault(db, e->kind, e->targets, e->start, e->end);
    }
}

/* ---- coroutines ---------------------------------------------------------------------------- */

/* Message "path:12: text" whose path is kraftsim's own Lua: said at the user's line instead. */
static void error_text(struct lua_run *r, lua_State *co, int status)
{
    char where[300];
    lua_run_where(co, where, sizeof where);
    struct text t = text_init(r->error, sizeof r->error);
    const char *msg = lua_type(co, -1) == LUA_TSTRING ? lua_tostring(co, -1) : NULL;
    if (msg == NULL) {
        text_printf(&t, "%s: %s (an error object of type %s)", where,
                    status == LUA_ERRMEM ? "out of memory" : "error",
                    luaL_typename(co, -1));
    } else if (strncmp(msg, "kraftsim:", 9) == 0 || strncmp(msg, "scenarios/lib/", 14) == 0) {
        const char *rest = msg + strcspn(msg, ":") + 1;
        rest += strspn(rest, "0123456789");
        rest += strspn(rest, ": ");
        text_printf(&t, "%s: %s", where, rest);
    } else {
        /* "name:digits: " already locates it (the user's file, or a module of theirs). */
        size_t name = strcspn(msg, ": \t\n");
        bool located = msg[name] == ':' && isdigit((unsigned char)msg[name + 1]);
        if (located) {
            text_printf(&t, "%s", msg);
        } else {
            text_printf(&t, "%s: %s", where, msg);
        }
    }
    for (char *c = r->error; *c != '\0'; c++) {
        *c = (unsigned char)*c < 0x20 ? ' ' : *c; /* one line, whatever the message held */
    }
}

static void resume(struct lua_run *r, lua_State *co, int nargs)
{
    lua_State *prev = r->running;
    r->running = co;
    r->yield_planned = false;
    sandbox_budget_reset(r->L);
    int nres = 0;
    int status = lua_resume(co, r->L, nargs, &nres);
    bool planned = r->yield_planned;
    r->running = prev;
    if (status == LUA_YIELD) {
        lua_pop(co, nres);
        if (!planned && r->error[0] == '\0') {
            char where[300];
            lua_run_where(co, where, sizeof where);
            snprintf(r->error, sizeof r->error, "%s: coroutine.yield outside a coroutine of "
                     "your own: a scenario waits with sleep or wait_until",
                     where);
        }
        return;
    }
    if (status == LUA_OK) {
        lua_pop(co, nres);
        r->main_done |= co == r->main;
        return;
    }
    if (lua_touserdata(co, -1) == &check_failure_key) {
        r->failed = true; /* the checker put its violation in the result */
    } else if (r->error[0] == '\0') {
        error_text(r, co, status);
    }
    lua_pop(co, 1);
}

/* A scheduled wake-up: arg is the registry reference of the coroutine. */
static void wake(void *ctx, uint64_t arg)
{
    struct lua_run *r = ctx;
    int ref = (int)arg;
    if (r->error[0] != '\0' || r->failed) {
        luaL_unref(r->L, LUA_REGISTRYINDEX, ref);
        return;
    }
    lua_rawgeti(r->L, LUA_REGISTRYINDEX, ref);
    lua_State *co = lua_tothread(r->L, -1);
    lua_pop(r->L, 1);
    luaL_unref(r->L, LUA_REGISTRYINDEX, ref);
    resume(r, co, 0);
}

void lua_run_spawn_at(struct lua_run *r, lua_State *L, time_ns when)
{
    KS_ASSERT(r->world != NULL);
    lua_State *co = lua_newthread(L);
    lua_insert(L, -2);
    lua_xmove(L, co, 1); /* the function, into the new thread */
    int ref = luaL_ref(L, LUA_REGISTRYINDEX); /* the thread */
    world_at(r->world, when, wake, r, (uint64_t)ref);
}

/* ---- time ---------------------------------------------------------------------------------- */

static struct world *clock_of(lua_State *L, const char *who)
{
    struct lua_run *r = lua_run_of(L);
    if (r->world == NULL) {
        lua_run_error(L, "%s: there is no clock before kraft.cluster{...} builds the cluster",
                      who);
    }
    return r->world;
}

static int l_sleep(lua_State *L)
{
    struct lua_run *r = lua_run_of(L);
    time_ns d = lua_run_duration_arg(L, 1, "sleep");
    struct world *w = clock_of(L, "sleep");
    if (r->running != L || !lua_isyieldable(L)) {
        return lua_run_error(L, "sleep: only the scenario and its at/every callbacks can "
                             "sleep, not a coroutine of your own");
    }
    lua_pushthread(L);
    int ref = luaL_ref(L, LUA_REGISTRYINDEX);
    world_at(w, time_add(world_now(w), d), wake, r, (uint64_t)ref);
    r->yield_planned = true;
    return lua_yield(L, 0);
}

static int l_now(lua_State *L)
{
    struct lua_run *r = lua_run_of(L);
    lua_pushinteger(L, r->world != NULL ? world_now(r->world) : 0);
    return 1;
}

static int l_at(lua_State *L)
{
    struct lua_run *r = lua_run_of(L);
    time_ns when = lua_run_duration_arg(L, 1, "at");
    luaL_checktype(L, 2, LUA_TFUNCTION);
    struct world *w = clock_of(L, "at");
    if (when < world_now(w)) {
        return lua_run_error(L, "at: %" PRId64 " ns is in the past (now is %" PRId64 " ns)",
                             when, world_now(w));
    }
    lua_settop(L, 2);
    lua_run_spawn_at(r, L, when);
    return 0;
}

static int l_after(lua_State *L)
{
    struct lua_run *r = lua_run_of(L);
    time_ns d = lua_run_duration_arg(L, 1, "after");
    luaL_checktype(L, 2, LUA_TFUNCTION);
    struct world *w = clock_of(L, "after");
    lua_settop(L, 2);
    lua_run_spawn_at(r, L, time_add(world_now(w), d));
    return 0;
}

/* note(text): the story, in the trace and on the console; one trace event per line. */
static int l_note(lua_State *L)
{
    struct lua_run *r = lua_run_of(L);
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        sandbox_tostring(L, i);
        if (i > 1) {
            luaL_addchar(&b, ' ');
        }
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    const char *text = lua_tostring(L, -1);
    time_ns now = r->world != NULL ? world_now(r->world) : 0;
    char when[32];
    trace_format_time(now, when, sizeof when);
    while (*text != '\0') {
        size_t len = strcspn(text, "\n");
        char line[TRACE_DETAIL_MAX];
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1),
                 text);
        for (char *c = line; *c != '\0'; c++) {
            *c = (unsigned char)*c < 0x20 ? ' ' : *c;
        }
        if (r->world != NULL) {
            trace_emit(&r->world->trace, now, TRACE_HOST_NONE, TRACE_NOTE, line);
        }
        if (!r->opts->trace_console || r->world == NULL) {
            fprintf(r->opts->out, "[%s s] %s\n", when + strspn(when, " "), line);
        }
        text += len + (text[len] == '\n');
    }
    return 0;
}

/* kraft.duration{ default = 60 * s, min = 33 * s }: --duration if given, else the default. */
static int l_duration(lua_State *L)
{
    struct lua_run *r = lua_run_of(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, 1, "default");
    if (lua_isnil(L, -1)) {
        return lua_run_error(L, "kraft.duration wants { default = ..., min = ... }");
    }
    time_ns def = lua_run_duration_arg(L, -1, "kraft.duration default");
    lua_getfield(L, 1, "min");
    time_ns min = lua_isnil(L, -1) ? 0 : lua_run_duration_arg(L, -1, "kraft.duration min");
    r->duration_asked = true;
    if (r->shrunk != NULL && r->shrunk->duration > 0) {
        def = r->shrunk->duration; /* what kraftsim shrink cut the run to */
    }
    time_ns d = r->opts->duration > 0 ? r->opts->duration : def;
    if (d < min) {
        char given[32], least[32];
        scenario_format_duration(d, given, sizeof given);
        scenario_format_duration(min, least, sizeof least);
        return lua_run_error(L, "--duration %s: this scenario needs at least %s", given, least);
    }
    if (r->opts->capture != NULL) {
        r->opts->capture->duration = d;
    }
    lua_pushinteger(L, d);
    return 1;
}

/* kraft.draw("voters=3 roles=combined faults=crash,pause"): what this seed drew, kept in the
 * run's result for a sweep to count (one call; a later one replaces it). */
static int l_draw(lua_State *L)
{
    struct lua_run *r = lua_run_of(L);
    const char *text = luaL_checkstring(L, 1);
    if (strlen(text) >= sizeof r->result->draw) {
        return lua_run_error(L, "kraft.draw: at most %zu characters",
                             sizeof r->result->draw - 1);
    }
    snprintf(r->result->draw, sizeof r->result->draw, "%s", text);
    return 0;
}

/* ---- require: the script's folder, then kraftsim's own library ------------------------------ */

static int load_module(lua_State *L, const char *chunk, const char *text, size_t len)
{
    if (luaL_loadbufferx(L, text, len, chunk, "t") != LUA_OK) {
        return lua_error(L);
    }
    lua_pushstring(L, chunk + 1);
    return 2;
}

static int searcher(lua_State *L)
{
    struct lua_run *r = lua_run_of(L);
    const char *name = luaL_checkstring(L, 1);
    char rel[256];
    struct text t = text_init(rel, sizeof rel);
    for (const char *c = name; *c != '\0'; c++) {
        if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-' && *c != '.') {
            lua_pushfstring(L, "\n\tno module '%s': module names are letters, digits, '_', "
                            "'-' and '.'", name);
            return 1;
        }
        text_printf(&t, "%c", *c == '.' ? '/' : *c);
    }
    text_printf(&t, ".lua");
    if (!text_fits(&t)) {
        lua_pushliteral(L, "\n\tmodule name too long");
        return 1;
    }
    char chunk[800];
    if (r->shipped) {
        const char *dir = strrchr(r->chunk, '/');
        snprintf(chunk, sizeof chunk, "%.*s/%s", (int)(dir - r->chunk), r->chunk, rel);
        const struct shipped_file *f = shipped_find(chunk + strlen("scenarios/"));
        if (f != NULL && strncmp(f->path, "lib/", 4) != 0) {
            snprintf(chunk, sizeof chunk, "@scenarios/%s", f->path);
            return load_module(L, chunk, f->text, f->len);
        }
    } else {
        snprintf(chunk, sizeof chunk, "@%s%s", r->dir, rel);
        FILE *in = fopen(chunk + 1, "rb");
        if (in != NULL) {
            luaL_Buffer b;
            luaL_buffinit(L, &b);
            char buf[4096];
            size_t n;
            while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
                luaL_addlstring(&b, buf, n);
            }
            fclose(in);
            luaL_pushresult(&b);
            size_t len;
            const char *text = lua_tolstring(L, -1, &len);
            return load_module(L, chunk, text, len);
        }
    }
    char lib[300];
    snprintf(lib, sizeof lib, "lib/%s", rel);
    const struct shipped_file *f = strcmp(rel, "kraft.lua") != 0 ? shipped_find(lib) : NULL;
    if (f != NULL) {
        /* '=': kraftsim's library, whose errors are said at the user's line */
        snprintf(chunk, sizeof chunk, "=scenarios/%s", f->path);
        return load_module(L, chunk, f->text, f->len);
    }
    lua_pushfstring(L, "\n\tno file '%s%s' and no kraftsim library module '%s'", r->dir, rel,
                    name);
    return 1;
}

/* ---- kraftsim's own Lua ---------------------------------------------------------------- */

/* scenarios/lib/kraft.lua: the verbs that wait, over the C ones. Its chunk is "=kraftsim", so
 * errors in it are said at the user's line. */
static void load_library(lua_State *L)
{
    const struct shipped_file *f = shipped_find("lib/kraft.lua");
    KS_ASSERT(f != NULL);
    KS_ASSERT(luaL_loadbufferx(L, f->text, f->len, "=kraftsim", "t") == LUA_OK);
    lua_cluster_methods(L);
    lua_getglobal(L, "check");
    lua_call(L, 2, 0);
}

static void define_units(lua_State *L)
{
    static const struct {
        const char *name;
        lua_Integer ns;
    } units[] = {{"ns", 1},
                 {"us", NS_PER_US},
                 {"ms", NS_PER_MS},
                 {"s", NS_PER_S},
                 {"min", 60 * NS_PER_S},
                 {"h", 3600 * NS_PER_S}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        lua_pushinteger(L, units[i].ns);
        lua_setglobal(L, units[i].name);
    }
}

static lua_State *open_state(struct lua_run *r)
{
    lua_State *L = sandbox_open(r->opts->seed, r->opts->out);
    if (L == NULL) {
        return NULL;
    }
    r->L = L;
    lua_pushlightuserdata(L, r);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &run_key);
    define_units(L);
    static const luaL_Reg globals[] = {{"sleep", l_sleep}, {"now", l_now}, {"at", l_at},
                                       {"after", l_after}, {"note", l_note}, {NULL, NULL}};
    for (const luaL_Reg *g = globals; g->name != NULL; g++) {
        lua_register(L, g->name, g->func);
    }
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "searchers");
    lua_pushcfunction(L, searcher);
    lua_rawseti(L, -2, 1);
    lua_pop(L, 2);
    lua_newtable(L); /* kraft */
    lua_pushinteger(L, (lua_Integer)r->opts->seed);
    lua_setfield(L, -2, "seed");
    lua_pushcfunction(L, l_duration);
    lua_setfield(L, -2, "duration");
    lua_pushcfunction(L, l_draw);
    lua_setfield(L, -2, "draw");
    lua_shrunk_register(L);
    lua_setglobal(L, "kraft");
    lua_cluster_open(L);
    lua_ping_open(L);
    load_library(L);
    return L;
}

static void set_dir(struct lua_run *r, const char *chunk)
{
    const char *slash = strrchr(chunk, '/');
    size_t len = slash != NULL ? (size_t)(slash - chunk) + 1 : 0;
    snprintf(r->dir, sizeof r->dir, "%.*s", (int)(len < sizeof r->dir ? len : 0), chunk);
}

static bool run_over(void *arg)
{
    const struct lua_run *r = arg;
    /* A replay stops where its recording does, or at the first difference. */
    bool replayed = r->opts->db != NULL && run_db_replay_over(r->opts->db);
    return r->main_done || r->failed || r->error[0] != '\0' || replayed;
}

/* Runs the script; a dry run stops where virtual time would first move. */
static void run_script(const char *chunk, const char *text, size_t len, bool shipped,
                       const struct run_opts *opts, struct run_result *result, bool dry)
{
    struct lua_run *r = calloc(1, sizeof *r);
    KS_ASSERT(r != NULL);
    r->opts = opts;
    r->result = result;
    r->chunk = chunk;
    r->shipped = shipped;
    set_dir(r, chunk);
    lua_State *L = open_state(r);
    KS_ASSERT(L != NULL);
    char name[600];
    snprintf(name, sizeof name, "@%s", chunk);
    lua_State *co = lua_newthread(L);
    if (luaL_loadbufferx(co, text, len, name, "t") != LUA_OK) {
        /* A syntax error says "chunk:line:"; a parser that ran out of C stack (a thousand
         * nested braces) says only "C stack overflow": name the file then. */
        const char *msg = lua_tostring(co, -1);
        size_t n = strlen(chunk);
        if (msg != NULL && strncmp(msg, chunk, n) == 0 && msg[n] == ':') {
            snprintf(r->error, sizeof r->error, "%s", msg);
        } else {
            snprintf(r->error, sizeof r->error, "%s: %s", chunk, msg != NULL ? msg : "?");
        }
        for (char *c = r->error; *c != '\0'; c++) {
            *c = (unsigned char)*c < 0x20 ? ' ' : *c;
        }
    } else {
        r->main = co;
        resume(r, co, 0);
        while (!dry && !run_over(r) && r->world != NULL && !sched_interrupted()) {
            /* The main coroutine sleeps; the world runs until it is done with the script. */
            if (!sched_run_until_pred(&r->world->sched, run_over, r, RUN_TIME_CAP) ||
                world_now(r->world) >= RUN_TIME_CAP) {
                snprintf(r->error, sizeof r->error, "%s: the scenario did not end within %d "
                         "virtual days", chunk, (int)(RUN_TIME_CAP / (24 * 3600 * NS_PER_S)));
            }
        }
        if (r->error[0] == '\0' && opts->duration > 0 && !r->duration_asked && !dry) {
            snprintf(r->error, sizeof r->error, "%s: --duration: this scenario sets its own "
                     "length (it never reads kraft.duration)", chunk);
        }
    }
    if (r->error[0] != '\0') {
        snprintf(result->config_error, sizeof result->config_error, "%s", r->error);
    }
    lua_ping_finish(r);
    lua_cluster_finish(r);
    sandbox_close(L);
    free(r);
}

void lua_scenario_run(const char *chunk, const char *text, size_t len, bool shipped,
                      const struct run_opts *opts, struct run_result *result)
{
    run_script(chunk, text, len, shipped, opts, result, false);
}

void lua_scenario_prepare(const char *chunk, const char *text, size_t len, bool shipped,
                          const struct run_opts *opts, struct run_result *result)
{
    /* The script up to its first wait, in a state of its own and with nothing printed or
     * recorded: kraft.cluster's config and kraft.duration are checked before the run prints
     * a line. Errors after virtual time moves are the run's. */
    FILE *quiet = fopen("/dev/null", "w");
    KS_ASSERT(quiet != NULL);
    struct run_opts dry = *opts;
    dry.out = quiet;
    dry.db = NULL;
    dry.trace_console = false;
    struct run_result r;
    memset(&r, 0, sizeof r);
    run_script(chunk, text, len, shipped, &dry, &r, true);
    fclose(quiet);
    snprintf(result->config_error, sizeof result->config_error, "%s", r.config_error);
}
