/* fuzz.h — what the libFuzzer targets share: properties that abort with one line. */
#ifndef KRAFTSIM_FUZZ_H
#define KRAFTSIM_FUZZ_H

/*
 * Each target in tests/fuzz/ is LLVMFuzzerTestOneInput over one decoder family. A decoder must
 * never crash, read outside its input or trip an assertion (AddressSanitizer, UBSan and
 * KS_ASSERT catch those); on top of that each target checks properties with fuzz_require,
 * which prints "fuzz property failed: <target>: <what>" and aborts, so libFuzzer keeps the input
 * as a crash reproducer.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

void fuzz_require(bool ok, const char *target, const char *what);
/* Aborts unless the first `len` bytes of `a` and `b` are equal and their lengths agree. */
void fuzz_require_same(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
                       const char *target, const char *what);
/* Aborts unless `text` is one line: not empty, no '\n' or '\r'. */
void fuzz_require_one_line(const char *text, const char *target, const char *what);

#endif
