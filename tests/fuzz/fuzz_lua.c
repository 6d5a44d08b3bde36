/* fuzz_lua.c — libFuzzer target: a scenario script, run up to its first wait. */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "lua/runtime.h"

/*
 * Input: the text of a Lua scenario, as `kraftsim run FILE.lua` reads it.
 *
 * Properties: the runtime never crashes, whatever the script does up to the point where
 * virtual time first moves (building a cluster from any config, bad arguments to any verb,
 * errors inside kraftsim's own Lua, a runaway loop, a huge allocation); a refusal is one line,
 * and it names a place ("fuzz.lua:..." or the file); the same script gives the same answer
 * twice (the sandbox leaves nothing to chance).
 */

#define SCRIPT_BYTES_MAX 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > SCRIPT_BYTES_MAX) {
        return 0;
    }
    FILE *quiet = fopen("/dev/null", "w");
    struct run_opts opts = {.seed = 1, .out = quiet};
    static struct run_result a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    lua_scenario_prepare("fuzz.lua", (const char *)data, size, false, &opts, &a);
    lua_scenario_prepare("fuzz.lua", (const char *)data, size, false, &opts, &b);
    fclose(quiet);
    if (a.config_error[0] != '\0') {
        fuzz_require_one_line(a.config_error, "lua", "a scenario error is one line");
        fuzz_require(strncmp(a.config_error, "fuzz.lua", 8) == 0, "lua",
                     "a scenario error names the script");
    }
    fuzz_require(strcmp(a.config_error, b.config_error) == 0, "lua",
                 "the same script fails the same way twice");
    return 0;
}
