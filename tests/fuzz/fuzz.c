/* fuzz.c — the property checks the fuzz targets share (see fuzz.h). */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fuzz_require(bool ok, const char *target, const char *what)
{
    if (ok) {
        return;
    }
    fprintf(stderr, "fuzz property failed: %s: %s\n", target, what);
    fflush(stderr);
    abort();
}

void fuzz_require_same(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
                       const char *target, const char *what)
{
    if (a_len == b_len && (a_len == 0 || memcmp(a, b, a_len) == 0)) {
        return;
    }
    size_t at = 0;
    while (at < a_len && at < b_len && a[at] == b[at]) {
        at++;
    }
    fprintf(stderr, "fuzz property failed: %s: %s (%zu vs %zu bytes, first difference at %zu)\n",
            target, what, a_len, b_len, at);
    fflush(stderr);
    abort();
}

void fuzz_require_one_line(const char *text, const char *target, const char *what)
{
    fuzz_require(text != NULL && text[0] != '\0', target, what);
    fuzz_require(strpbrk(text, "\r\n") == NULL, target, what);
}
