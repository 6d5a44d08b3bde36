/* sanitizer_probe.c — commits one memory or UB error on purpose so that tests can see the exit
 * code a sanitizer report gives (3, with sim/cli/sanitizer_exit.c linked in). Sanitizer builds
 * only. Usage: sanitizer_probe asan|ubsan */
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        return 2;
    }
    volatile int index = 8;
    if (strcmp(argv[1], "asan") == 0) {
        char *p = malloc(8);
        if (p == NULL) {
            return 2;
        }
        p[index] = 1; /* one past the end: heap-buffer-overflow */
        free(p);
        return 0;
    }
    if (strcmp(argv[1], "ubsan") == 0) {
        volatile int big = 0x7fffffff;
        return big + index > 0 ? 0 : 1; /* signed overflow */
    }
    return 2;
}
