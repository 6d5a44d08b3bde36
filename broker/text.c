/* text.c — text built up in a fixed buffer that remembers whether it all fit. */
#include "text.h"

#include <stdarg.h>
#include <stdio.h>

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
