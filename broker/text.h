/* text.h — text built up in a fixed buffer, piece by piece, that remembers whether it all fit. */
#ifndef KRAFTSIM_TEXT_H
#define KRAFTSIM_TEXT_H

/*
 * Every place that accumulates text with printf-style pieces goes through text_printf: it never
 * writes past the buffer, keeps it NUL-terminated, and counts the length everything needed, so
 * the caller asks text_fits() once at the end and fails cleanly (a config it cannot build is a
 * one-line error, a file it cannot write an assertion) instead of reading or writing past the
 * buffer. A display line may simply be shown truncated.
 */

#include <stdbool.h>
#include <stddef.h>

struct text {
    char *buf;
    size_t cap;
    size_t len; /* may exceed cap: the length the whole text needs */
};

/* An empty text over buf[cap] (cap > 0). */
struct text text_init(char *buf, size_t cap);
void text_printf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True if everything appended so far is in the buffer, untruncated. */
bool text_fits(const struct text *t);

/* Levenshtein distance between two names, for "did you mean"; SIZE_MAX when either is longer
 * than TEXT_EDIT_MAX bytes (no suggestion is better than a slow one). */
#define TEXT_EDIT_MAX 127
size_t text_edit_distance(const char *a, const char *b);

#endif
