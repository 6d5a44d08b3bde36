/* replay.c — a main for the fuzz targets without libFuzzer: runs each input file once. */

/*
 * `<target>_replay DIR...` feeds every file of each directory (in name order) to the
 * target's LLVMFuzzerTestOneInput, so the normal gcc build checks the committed seed corpora and
 * reproducers against the same properties (a failed one aborts; CTest reports it). libFuzzer
 * builds (scripts/fuzz) use libFuzzer's own main instead.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define INPUT_BYTES_MAX (1u << 20)

static uint8_t input[INPUT_BYTES_MAX];

/* Runs one file; returns 1 if it ran, 0 if it could not be read. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return 0;
    }
    size_t len = fread(input, 1, sizeof input, f);
    fclose(f);
    /* A copy of exactly len bytes, so AddressSanitizer sees reads past the end. */
    uint8_t *copy = malloc(len > 0 ? len : 1);
    if (copy == NULL) {
        return 0;
    }
    memcpy(copy, input, len);
    LLVMFuzzerTestOneInput(copy, len);
    free(copy);
    return 1;
}

static int not_hidden(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

int main(int argc, char **argv)
{
    int replayed = 0;
    for (int i = 1; i < argc; i++) {
        struct dirent **names;
        int n = scandir(argv[i], &names, not_hidden, alphasort);
        if (n < 0) {
            fprintf(stderr, "fuzz replay: cannot read directory %s\n", argv[i]);
            return 2;
        }
        for (int j = 0; j < n; j++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], names[j]->d_name);
            replayed += replay_file(path);
            free(names[j]);
        }
        free(names);
    }
    printf("fuzz replay: %d inputs, every property held\n", replayed);
    return replayed > 0 ? 0 : 1;
}
