/* env.c — the shared parts of the environment contract: names, messages, assertions, and the
 * one way the code under test reads a whole file. */
#include "env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const err_names[] = {
#define ERR_NAME(name, msg) #name,
    ENV_ERRORS(ERR_NAME)
#undef ERR_NAME
};

static const char *const err_messages[] = {
#define ERR_MSG(name, msg) msg,
    ENV_ERRORS(ERR_MSG)
#undef ERR_MSG
};

static const char *const kind_names[] = {
#define KIND_NAME(name, text) text,
    TRACE_KINDS(KIND_NAME)
#undef KIND_NAME
};

const char *env_err_name(int err)
{
    if (err < 0) {
        err = -err;
    }
    return err < ENV_ERR_COUNT ? err_names[err] : "ENV_UNKNOWN";
}

const char *env_err_message(int err)
{
    if (err < 0) {
        err = -err;
    }
    return err < ENV_ERR_COUNT ? err_messages[err] : "unknown error";
}

const char *trace_kind_name(enum trace_kind kind)
{
    KS_ASSERT((int)kind >= 0);
    KS_ASSERT(kind < TRACE_KIND_COUNT);
    return kind_names[kind];
}

void env_tracef(const struct env *e, enum trace_kind kind, const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    e->ops->trace(e->ctx, kind, &TF_WORD(detail), 1);
}

/* The describer is process-global on purpose: an assertion can fire anywhere, and the report
 * must name the seed and time without every function carrying the world along. */
static void (*context_describe)(void *arg, char *buf, size_t cap);
static void *context_arg;

void ks_assert_set_context(void (*describe)(void *arg, char *buf, size_t cap), void *arg)
{
    context_describe = describe;
    context_arg = arg;
}

_Noreturn void ks_assert_fail(const char *expr, const char *file, int line)
{
    char context[256] = "";
    if (context_describe != NULL) {
        context_describe(context_arg, context, sizeof context);
    }
    fflush(stdout);
    fprintf(stderr, "kraftsim: assertion failed: %s at %s:%d%s%s\n", expr, file, line,
            context[0] != '\0' ? " " : "", context);
    fflush(stderr);
    exit(KS_EXIT_INTERNAL);
}

int64_t env_read_file(const struct env *env, const char *path, char **out)
{
    *out = NULL;
    int64_t size = env->ops->disk_size(env->ctx, path);
    if (size < 0) {
        return size;
    }
    /* Every read kept, compared byte for byte (memcmp runs at memory speed, where a hash of
     * each read cost a multiply per word, and a restart reads every segment this way). */
    char *reads[ENV_READS_MAX] = {0};
    char *agreed = NULL;
    int count = 0;
    while (count < ENV_READS_MAX && agreed == NULL) {
        char *buf = malloc((size_t)size + 1);
        KS_ASSERT(buf != NULL);
        reads[count++] = buf;
        int64_t n = env->ops->disk_read(env->ctx, path, 0, buf, (size_t)size);
        if (n != size) {
            break;
        }
        /* Every corrupt read differs from the clean ones, so one matching any earlier read is
         * clean (two corrupt reads agreeing would need the same bit flipped twice). */
        for (int j = 0; j + 1 < count && agreed == NULL; j++) {
            if (memcmp(reads[j], buf, (size_t)size) == 0) {
                agreed = buf;
            }
        }
    }
    for (int i = 0; i < count; i++) {
        if (reads[i] != agreed) {
            free(reads[i]);
        }
    }
    if (agreed == NULL) {
        return -ENV_EIO;
    }
    agreed[size] = '\0';
    *out = agreed;
    return size;
}
