/* duration.c — "15" and "15s" are seconds; "ms", "us", "ns", "m" (or "min", as scenarios
 * write minutes) and "h" suffixes scale. */
#include "cli/duration.h"

#include <stdint.h>
#include <string.h>

bool duration_parse(const char *text, size_t len, bool allow_zero, time_ns *out)
{
    size_t digits = 0;
    int64_t v = 0;
    while (digits < len && text[digits] >= '0' && text[digits] <= '9') {
        if (v > (INT64_MAX - 9) / 10) {
            return false;
        }
        v = v * 10 + (text[digits++] - '0');
    }
    if (digits == 0 || (v == 0 && !allow_zero)) {
        return false;
    }
    static const struct {
        const char *suffix;
        int64_t scale;
    } units[] = {{"", NS_PER_S},    {"s", NS_PER_S}, {"ms", NS_PER_MS},     {"us", NS_PER_US},
                 {"ns", 1},         {"m", 60 * NS_PER_S}, {"min", 60 * NS_PER_S},
                 {"h", 3600 * NS_PER_S}};
    size_t rest = len - digits;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strlen(units[i].suffix) == rest && memcmp(text + digits, units[i].suffix, rest) == 0) {
            if (v > INT64_MAX / units[i].scale) {
                return false;
            }
            *out = (time_ns)v * units[i].scale;
            return true;
        }
    }
    return false;
}
