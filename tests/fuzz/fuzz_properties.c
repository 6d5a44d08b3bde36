/* fuzz_properties.c — libFuzzer target: server.properties text, parsed as a node's config. */
#include <string.h>

#include "config.h"
#include "fuzz.h"

/*
 * Input: properties text, as config_parse reads a server.properties file.
 *
 * Properties: the Java-properties parser and the whole config parse (keys, types, ranges,
 * validation) either accept the text or fail with one line; an accepted config renders
 * (config_render) to text that parses again and renders to the same text, as config.h
 * promises.
 */

#define RENDER_BYTES (1 << 17)

static struct config_properties props;
static struct kafka_config cfg, again;
static char rendered[RENDER_BYTES], rendered_again[RENDER_BYTES];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > CONFIG_FILE_BYTES_MAX) {
        return 0;
    }
    const char *text = (const char *)data;
    struct config_error err;
    memset(&err, 0, sizeof err);
    if (config_properties_parse(text, size, "fuzz.properties", &props, &err) != 0) {
        fuzz_require_one_line(err.message, "properties", "a properties error is one line");
    }
    memset(&err, 0, sizeof err);
    if (config_parse(text, size, "fuzz.properties", &cfg, &err) != 0) {
        fuzz_require_one_line(err.message, "properties", "a config error is one line");
        return 0;
    }
    size_t len = config_render(&cfg, rendered, sizeof rendered);
    fuzz_require(len < sizeof rendered, "properties", "a config renders");
    memset(&err, 0, sizeof err);
    fuzz_require(config_parse(rendered, len, "rendered.properties", &again, &err) == 0,
                 "properties", "a rendered config parses again");
    size_t len_again = config_render(&again, rendered_again, sizeof rendered_again);
    fuzz_require_same((const uint8_t *)rendered, len, (const uint8_t *)rendered_again, len_again,
                      "properties", "a rendered config renders the same again");
    return 0;
}
