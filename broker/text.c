/* text.c — text built up in a fixed buffer that remembers whether it all fit. */
#include "text.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "env.h"

struct text text_init(char *buf, size_t cap)
{
    KS_ASSERT(buf != NULL);
    KS_ASSERT(cap > 0);
    buf[0] = '\0';
    return (struct text){.buf = buf, .cap = cap, .len = 0};
}

void text_printf(struct text *t, const char *fmt, ...)
{
    KS_ASSERT(t->buf != NULL && t->cap > 0);
    size_t room = t->len < t->cap ? t->cap - t->len : 0;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(room > 0 ? t->buf + t->len : NULL, room, fmt, ap);
    va_end(ap);
    KS_ASSERT(n >= 0);
    t->len += (size_t)n;
    KS_ASSERT(t->buf[t->len < t->cap ? t->len : t->cap - 1] == '\0');
}

bool text_fits(const struct text *t) { return t->len < t->cap; }

size_t text_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a);
    size_t lb = strlen(b);
    size_t row[TEXT_EDIT_MAX + 1];
    if (la > TEXT_EDIT_MAX || lb > TEXT_EDIT_MAX) {
        return SIZE_MAX;
    }
    for (size_t j = 0; j <= lb; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t above = row[j];
            size_t best = diagonal + (a[i - 1] != b[j - 1]);
            best = above + 1 < best ? above + 1 : best;
            best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[lb];
}
