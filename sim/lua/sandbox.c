/* sandbox.c — Lua's standard library with every source of nondeterminism taken out. */
#include "lua/sandbox.h"

#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "env.h"
#include "world/rng.h"

/* Reached from every thread through the registry. */
struct sandbox {
    struct rng rng;
    uint64_t run_seed;
    FILE *out;
    uint64_t executed; /* Lua instructions since virtual time last moved */
};

static const char registry_key = 'k';
#define HOOK_EVERY 100000

static struct sandbox *sandbox_of(lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &registry_key);
    struct sandbox *s = lua_touserdata(L, -1);
    lua_pop(L, 1);
    KS_ASSERT(s != NULL);
    return s;
}

static void budget_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    struct sandbox *s = sandbox_of(L);
    s->executed += HOOK_EVERY;
    if (s->executed > SANDBOX_INSTRUCTION_BUDGET) {
        s->executed = 0; /* the error unwinds; whatever runs next starts a fresh budget */
        luaL_error(L, "the scenario ran %d million Lua instructions without virtual time "
                   "moving (a loop with no sleep?)", (int)(SANDBOX_INSTRUCTION_BUDGET / 1000000));
    }
}

void sandbox_budget_reset(lua_State *L) { sandbox_of(L)->executed = 0; }

void sandbox_close(lua_State *L)
{
    void *heap = NULL;
    lua_getallocf(L, &heap);
    lua_close(L);
    free(heap);
}

/* ---- keys in a defined order ----------------------------------------------------------------- */

struct key {
    int cls; /* 0 number, 1 string, 2 boolean */
    bool is_int;
    lua_Integer i;
    lua_Number n;
    const char *s;
    size_t len;
    int b;
    int slot; /* its index in the keys table */
};

static int key_cmp(const void *pa, const void *pb)
{
    const struct key *a = pa, *b = pb;
    if (a->cls != b->cls) {
        return a->cls < b->cls ? -1 : 1;
    }
    switch (a->cls) {
    case 0:
        if (a->is_int && b->is_int) {
            return a->i < b->i ? -1 : a->i > b->i;
        }
        return a->n < b->n ? -1 : a->n > b->n;
    case 1: {
        size_t m = a->len < b->len ? a->len : b->len;
        int c = memcmp(a->s, b->s, m);
        return c != 0 ? c : (a->len < b->len ? -1 : a->len > b->len);
    }
    default:
        return a->b - b->b;
    }
}

static bool key_read(lua_State *L, int index, struct key *k)
{
    memset(k, 0, sizeof *k);
    switch (lua_type(L, index)) {
    case LUA_TNUMBER:
        k->cls = 0;
        k->is_int = lua_isinteger(L, index);
        k->i = lua_tointeger(L, index);
        k->n = lua_tonumber(L, index);
        return true;
    case LUA_TSTRING:
        k->cls = 1;
        k->s = lua_tolstring(L, index, &k->len);
        return true;
    case LUA_TBOOLEAN:
        k->cls = 2;
        k->b = lua_toboolean(L, index);
        return true;
    default:
        return false;
    }
}

/* Pushes an array of the keys of the table at `t`, in the defined order. A key with no order
 * is an error naming its type (the first type name by bytes, if there are several kinds, so
 * the message never depends on the walk). */
static void sorted_keys(lua_State *L, int t, const char *who)
{
    t = lua_absindex(L, t);
    lua_newtable(L);
    int keys = lua_gettop(L);
    int n = 0;
    const char *unordered = NULL;
    lua_pushnil(L);
    while (lua_next(L, t) != 0) {
        lua_pop(L, 1);
        int type = lua_type(L, -1);
        if (type != LUA_TNUMBER && type != LUA_TSTRING && type != LUA_TBOOLEAN) {
            const char *name = lua_typename(L, type);
            unordered = unordered == NULL || strcmp(name, unordered) < 0 ? name : unordered;
            continue;
        }
        lua_pushvalue(L, -1);
        lua_rawseti(L, keys, ++n);
    }
    if (unordered != NULL) {
        luaL_error(L, "%s: the table has a %s key, and only numbers, strings and booleans "
                   "have an order a run can promise (keep such values in an array)", who,
                   unordered);
    }
    if (n < 2) {
        return;
    }
    struct key *ks = malloc(sizeof *ks * (size_t)n);
    KS_ASSERT(ks != NULL);
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, keys, i + 1);
        key_read(L, -1, &ks[i]); /* the strings stay alive: the keys table holds them */
        ks[i].slot = i + 1;
        lua_pop(L, 1);
    }
    qsort(ks, (size_t)n, sizeof *ks, key_cmp); /* keys are distinct: one order only */
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, keys, ks[i].slot);
        lua_rawseti(L, -2, i + 1);
    }
    free(ks);
    lua_replace(L, keys);
}

/* The iterator pairs returns: upvalues (keys, position, table). */
static int sorted_step(lua_State *L)
{
    lua_Integer pos = lua_tointeger(L, lua_upvalueindex(2));
    for (;;) {
        pos++;
        if (lua_rawgeti(L, lua_upvalueindex(1), pos) == LUA_TNIL) {
            lua_pushinteger(L, pos);
            lua_replace(L, lua_upvalueindex(2));
            return 1;
        }
        lua_pushvalue(L, -1);
        if (lua_rawget(L, lua_upvalueindex(3)) != LUA_TNIL) {
            lua_pushinteger(L, pos);
            lua_replace(L, lua_upvalueindex(2));
            return 2;
        }
        lua_pop(L, 2); /* removed while we walked: next would not return it either */
    }
}

void sandbox_sorted_keys(lua_State *L, int t, const char *who) { sorted_keys(L, t, who); }

static int sandbox_pairs(lua_State *L)
{
    if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
        lua_pushvalue(L, 1);
        lua_call(L, 1, 3);
        return 3;
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    sorted_keys(L, 1, "pairs");
    lua_pushinteger(L, 0);
    lua_pushvalue(L, 1);
    lua_pushcclosure(L, sorted_step, 3);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* next(t, k) in the same order as pairs; O(n log n) a call, which scenarios' tables afford. */
static int sandbox_next(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 2);
    sorted_keys(L, 1, "next");
    int keys = lua_gettop(L);
    lua_Integer n = (lua_Integer)lua_rawlen(L, keys), pos = 0;
    if (!lua_isnil(L, 2)) {
        struct key want, have;
        if (!key_read(L, 2, &want)) {
            return luaL_error(L, "next: invalid key to 'next'");
        }
        lua_Integer lo = 1, hi = n, found = 0;
        while (lo <= hi && found == 0) {
            lua_Integer mid = lo + (hi - lo) / 2;
            lua_rawgeti(L, keys, mid);
            key_read(L, -1, &have);
            int c = key_cmp(&want, &have);
            lua_pop(L, 1);
            if (c == 0) {
                found = mid;
            } else if (c < 0) {
                hi = mid - 1;
            } else {
                lo = mid + 1;
            }
        }
        if (found == 0) {
            return luaL_error(L, "next: invalid key to 'next'");
        }
        pos = found;
    }
    if (pos >= n) {
        lua_pushnil(L);
        return 1;
    }
    lua_rawgeti(L, keys, pos + 1);
    lua_pushvalue(L, -1);
    lua_rawget(L, 1);
    return 2;
}

/* ---- random numbers from the run seed ------------------------------------------------------- */

static int sandbox_random(lua_State *L)
{
    struct sandbox *s = sandbox_of(L);
    uint64_t r = rng_next(&s->rng);
    lua_Integer lo, hi;
    switch (lua_gettop(L)) {
    case 0:
        lua_pushnumber(L, (lua_Number)(r >> 11) * 0x1.0p-53);
        return 1;
    case 1:
        lo = 1;
        hi = luaL_checkinteger(L, 1);
        if (hi == 0) { /* math.random(0): a whole random integer, as Lua's own */
            lua_pushinteger(L, (lua_Integer)r);
            return 1;
        }
        break;
    case 2:
        lo = luaL_checkinteger(L, 1);
        hi = luaL_checkinteger(L, 2);
        break;
    default:
        return luaL_error(L, "wrong number of arguments");
    }
    luaL_argcheck(L, lo <= hi, lua_gettop(L), "interval is empty");
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    uint64_t v = span == UINT64_MAX ? r : rng_below(&s->rng, span + 1);
    lua_pushinteger(L, (lua_Integer)((uint64_t)lo + v));
    return 1;
}

static int sandbox_randomseed(lua_State *L)
{
    struct sandbox *s = sandbox_of(L);
    if (lua_isnoneornil(L, 1)) {
        rng_init(&s->rng, s->run_seed, "lua", 0); /* back to the run's own stream */
    } else {
        lua_Integer n = luaL_checkinteger(L, 1);
        rng_init(&s->rng, s->run_seed, "lua.randomseed", (uint64_t)n);
    }
    return 0;
}

/* ---- text without addresses --------------------------------------------------------------- */

const char *sandbox_tostring(lua_State *L, int index)
{
    index = lua_absindex(L, index);
    switch (lua_type(L, index)) {
    case LUA_TNIL:
    case LUA_TBOOLEAN:
    case LUA_TNUMBER:
    case LUA_TSTRING:
        return luaL_tolstring(L, index, NULL);
    default:
        if (luaL_getmetafield(L, index, "__tostring") != LUA_TNIL) {
            lua_pop(L, 1);
            const char *s = luaL_tolstring(L, index, NULL);
            return s;
        }
        lua_pushstring(L, luaL_typename(L, index));
        return lua_tostring(L, -1);
    }
}

static int sandbox_tostring_fn(lua_State *L)
{
    luaL_checkany(L, 1);
    sandbox_tostring(L, 1);
    return 1;
}

static int sandbox_print(lua_State *L)
{
    FILE *out = sandbox_of(L)->out;
    int n = lua_gettop(L);
    for (int i = 1; i <= n; i++) {
        size_t len;
        sandbox_tostring(L, i);
        const char *s = lua_tolstring(L, -1, &len);
        if (i > 1) {
            fputc('\t', out);
        }
        fwrite(s, 1, len, out);
        lua_pop(L, 1);
    }
    fputc('\n', out);
    return 0;
}

/* string.format without %p, and with tables and functions read as their type. */
static int sandbox_format(lua_State *L)
{
    size_t len;
    const char *fmt = luaL_checklstring(L, 1, &len);
    for (size_t i = 0; i + 1 < len; i++) {
        if (fmt[i] != '%') {
            continue;
        }
        size_t j = i + 1;
        while (j < len && strchr("-+ #0123456789.", fmt[j]) != NULL) {
            j++;
        }
        if (j < len && fmt[j] == 'p') {
            return luaL_error(L, "string.format: %%p prints an address, which differs from run "
                              "to run");
        }
        i = j;
    }
    int n = lua_gettop(L);
    for (int i = 2; i <= n; i++) {
        int t = lua_type(L, i);
        if (t == LUA_TTABLE || t == LUA_TFUNCTION || t == LUA_TTHREAD || t == LUA_TUSERDATA ||
            t == LUA_TLIGHTUSERDATA) {
            sandbox_tostring(L, i);
            lua_replace(L, i);
        }
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, 1);
    return 1;
}

/* load, for text chunks only: the mode argument is always "t". */
static int sandbox_load(lua_State *L)
{
    int n = lua_gettop(L);
    if (n < 3) {
        lua_settop(L, 3);
        n = 3;
    }
    lua_pushliteral(L, "t");
    lua_replace(L, 3);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    return lua_gettop(L);
}

/* A stable merge sort: no random pivot, and equal elements keep their order. */
static const char stable_sort_lua[] =
    "local min = math.min\n"
    "return function(t, lt)\n"
    "  local n = #t\n"
    "  if n < 2 then return end\n"
    "  lt = lt or function(a, b) return a < b end\n"
    "  local src, dst = {}, {}\n"
    "  for i = 1, n do src[i] = t[i] end\n"
    "  local width = 1\n"
    "  while width < n do\n"
    "    local i = 1\n"
    "    while i <= n do\n"
    "      local mid, hi = min(i + width, n + 1), min(i + 2 * width, n + 1)\n"
    "      local a, b, k = i, mid, i\n"
    "      while a < mid and b < hi do\n"
    "        if lt(src[b], src[a]) then dst[k] = src[b]; b = b + 1\n"
    "        else dst[k] = src[a]; a = a + 1 end\n"
    "        k = k + 1\n"
    "      end\n"
    "      while a < mid do dst[k] = src[a]; a = a + 1; k = k + 1 end\n"
    "      while b < hi do dst[k] = src[b]; b = b + 1; k = k + 1 end\n"
    "      i = i + 2 * width\n"
    "    end\n"
    "    src, dst = dst, src\n"
    "    width = width * 2\n"
    "  end\n"
    "  for i = 1, n do t[i] = src[i] end\n"
    "end\n";

static void set_field_nil(lua_State *L, const char *table, const char *field)
{
    if (lua_getglobal(L, table) == LUA_TTABLE) {
        lua_pushnil(L);
        lua_setfield(L, -2, field);
    }
    lua_pop(L, 1);
}

/* The heap a scenario may use: a script that builds a gigabyte string gets Lua's "not enough
 * memory" error (one line, exit 2) instead of taking the machine's memory. */
struct heap {
    size_t used;
};

static struct heap *heap_of_alloc(void *ud) { return ud; }

static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    struct heap *h = heap_of_alloc(ud);
    size_t old = ptr != NULL ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        h->used -= old;
        return NULL;
    }
    if (nsize > old && h->used - old + nsize > SANDBOX_HEAP_BYTES) {
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (p != NULL) {
        h->used = h->used - old + nsize;
    }
    return p;
}

static int panic(lua_State *L)
{
    fprintf(stderr, "kraftsim: Lua panic: %s\n", lua_tostring(L, -1));
    return 0; /* then abort(), as Lua does: an error outside any protected call is a bug here */
}

/* A state on the capped heap, with Lua's panic said on stderr; NULL if out of memory. */
static lua_State *new_state(void)
{
    struct heap *heap = calloc(1, sizeof *heap);
    if (heap == NULL) {
        return NULL;
    }
    lua_State *L = lua_newstate(capped_alloc, heap);
    if (L == NULL) {
        free(heap);
        return NULL;
    }
    lua_atpanic(L, panic);
    return L;
}

lua_State *sandbox_open(uint64_t seed, FILE *out)
{
    lua_State *L = new_state();
    if (L == NULL) {
        return NULL;
    }
    static const luaL_Reg libs[] = {
        {LUA_GNAME, luaopen_base},          {LUA_LOADLIBNAME, luaopen_package},
        {LUA_COLIBNAME, luaopen_coroutine}, {LUA_TABLIBNAME, luaopen_table},
        {LUA_STRLIBNAME, luaopen_string},   {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8},    {NULL, NULL}};
    for (const luaL_Reg *lib = libs; lib->func != NULL; lib++) {
        luaL_requiref(L, lib->name, lib->func, 1);
        lua_pop(L, 1);
    }
    struct sandbox *s = lua_newuserdatauv(L, sizeof *s, 0);
    memset(s, 0, sizeof *s);
    s->run_seed = seed;
    s->out = out;
    rng_init(&s->rng, seed, "lua", 0);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &registry_key);

    static const char *const gone[] = {"dofile", "loadfile", "collectgarbage", NULL};
    for (int i = 0; gone[i] != NULL; i++) {
        lua_pushnil(L);
        lua_setglobal(L, gone[i]);
    }
    set_field_nil(L, LUA_STRLIBNAME, "dump");
    set_field_nil(L, LUA_LOADLIBNAME, "loadlib");
    set_field_nil(L, LUA_LOADLIBNAME, "searchpath");
    set_field_nil(L, LUA_LOADLIBNAME, "cpath");
    set_field_nil(L, LUA_LOADLIBNAME, "path");
    /* require consults package.searchers only: the runtime installs its own. */
    lua_getglobal(L, LUA_LOADLIBNAME);
    lua_newtable(L);
    lua_setfield(L, -2, "searchers");
    lua_pop(L, 1);

    lua_register(L, "pairs", sandbox_pairs);
    lua_register(L, "next", sandbox_next);
    lua_register(L, "tostring", sandbox_tostring_fn);
    lua_register(L, "print", sandbox_print);
    lua_getglobal(L, "load");
    lua_pushcclosure(L, sandbox_load, 1);
    lua_setglobal(L, "load");

    lua_getglobal(L, LUA_MATHLIBNAME);
    lua_pushcfunction(L, sandbox_random);
    lua_setfield(L, -2, "random");
    lua_pushcfunction(L, sandbox_randomseed);
    lua_setfield(L, -2, "randomseed");
    lua_pop(L, 1);

    lua_getglobal(L, LUA_STRLIBNAME);
    lua_getfield(L, -1, "format");
    lua_pushcclosure(L, sandbox_format, 1);
    lua_setfield(L, -2, "format");
    lua_pop(L, 1);

    lua_getglobal(L, LUA_TABLIBNAME);
    KS_ASSERT(luaL_loadbuffer(L, stable_sort_lua, sizeof stable_sort_lua - 1, "=kraftsim") ==
              LUA_OK);
    lua_call(L, 0, 1);
    lua_setfield(L, -2, "sort");
    lua_pop(L, 1);

    lua_sethook(L, budget_hook, LUA_MASKCOUNT, HOOK_EVERY);
    return L;
}
