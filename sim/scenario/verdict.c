/* verdict.c — the closing lines of a run: figures, verdict, per-checker failures, replay. */
#include "scenario/verdict.h"

#include <inttypes.h>
#include <signal.h>
#include <string.h>

#include "text.h"
#include "trace/trace.h"

void verdict_replay_command(const struct run_request *q, char *buf, size_t cap)
{
    KS_ASSERT(q != NULL && buf != NULL && cap > 4);
    KS_ASSERT((q->scenario != NULL) != (q->file != NULL));
    struct text t = text_init(buf, cap);
    if (q->file != NULL) {
        text_printf(&t, "kraftsim run %s", q->file);
    } else {
        text_printf(&t, "kraftsim run --scenario %s", q->scenario);
    }
    for (int i = 0; i < q->config_file_count; i++) {
        text_printf(&t, " --config %s", q->config_files[i]);
    }
    text_printf(&t, " --seed %" PRIu64, q->seed);
    if (q->kafka_version != NULL) {
        text_printf(&t, " --kafka-version %s", q->kafka_version);
    }
    if (q->duration > 0) {
        char d[32];
        scenario_format_duration(q->duration, d, sizeof d);
        text_printf(&t, " --duration %s", d);
    }
    if (q->planted_bug != NULL) {
        /* Planted bugs are test hooks no flag reaches: say so rather than print a command
         * that would pass. */
        text_printf(&t, " (with the planted bug %s, which only the tests can switch on)",
                    q->planted_bug);
    }
    if (!text_fits(&t)) {
        memcpy(buf + cap - 4, "...", 4);
    }
}

static void print_failure(FILE *out, const struct run_request *q, const struct run_result *r)
{
    for (int i = 0; i < r->checker_count; i++) {
        const struct checker_count *c = &r->checkers[i];
        fprintf(out, "  %s: %u violation%s; first: %s\n", c->name, c->violations,
                c->violations == 1 ? "" : "s", c->first);
    }
    char replay[512];
    verdict_replay_command(q, replay, sizeof replay);
    fprintf(out, "replay: %s\n", replay);
}

enum verdict verdict_print(FILE *out, const struct run_request *q, const struct run_result *r)
{
    char when[32];
    trace_format_time(r->virtual_end, when, sizeof when);
    const char *at = when + strspn(when, " ");
    fprintf(out, "virtual time reached: %s s\n", at);
    fprintf(out, "events: %" PRIu64 " scheduled, %" PRIu64 " traced\n", r->sched_events,
            r->trace_events);
    fprintf(out, "trace hash: 0x%016" PRIx64 "\n", r->trace_hash);
    if (q->interrupted_by != 0) {
        fprintf(out, "verdict: INTERRUPTED (%s at virtual time %s s; %u violations before it)\n",
                q->interrupted_by == SIGINT ? "SIGINT" : "SIGTERM", at, r->violations);
        return VERDICT_INTERRUPTED;
    }
    if (r->violations > 0) {
        fprintf(out, "verdict: FAIL (%u violation%s; first: %s)\n", r->violations,
                r->violations == 1 ? "" : "s", r->first_violation);
        print_failure(out, q, r);
        return VERDICT_FAIL;
    }
    if (q->expect && q->expected_hash != r->trace_hash) {
        fprintf(out, "verdict: FAIL (trace hash 0x%016" PRIx64 " differs from expected 0x%016"
                PRIx64 ")\n", r->trace_hash, q->expected_hash);
        print_failure(out, q, r);
        return VERDICT_FAIL;
    }
    if (r->faults == 0) {
        fprintf(out, "verdict: PASS (0 violations, no faults injected)\n");
    } else {
        fprintf(out, "verdict: PASS (0 violations, %" PRIu64 " fault%s injected)\n", r->faults,
                r->faults == 1 ? "" : "s");
    }
    return VERDICT_PASS;
}
