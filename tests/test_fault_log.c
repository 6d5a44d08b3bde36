/* test_fault_log.c — the fault log: each fault with its targets, start and end; bounded. */
#define _GNU_SOURCE /* open_memstream */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/fault_log.h"

/* What fault_log_print writes, as one string (the caller frees it). */
static char *printed(const struct fault_log *l)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(out);
    fault_log_print(l, out);
    fclose(out);
    return text;
}

static int count_lines(const char *text)
{
    int n = 0;
    for (const char *p = text; *p != '\0'; p++) {
        n += *p == '\n';
    }
    return n;
}

START_TEST(no_fault_says_so)
{
    struct fault_log *l = malloc(sizeof *l);
    fault_log_init(l);
    ck_assert_uint_eq(fault_log_total(l), 0);
    char *text = printed(l);
    ck_assert_str_eq(text, "no faults injected\n");
    free(text);
    free(l);
}
END_TEST

/* Each fault is a row: start, end (or "until the end"), kind and its targets by name. */
START_TEST(every_fault_is_named_with_its_targets_start_and_end)
{
    struct fault_log *l = malloc(sizeof *l);
    fault_log_init(l);
    int a = fault_log_begin(l, 8 * NS_PER_S, "isolate", "broker-5");
    fault_log_end(l, a, 11443655000);
    int b = fault_log_begin(l, 12653799000, "crash", "broker-5");
    int c = fault_log_begin(l, 13 * NS_PER_S, "split", "kafka-1 kafka-2 | kafka-3 broker-4");
    int d = fault_log_begin(l, 14 * NS_PER_S, "clock-drift", "kafka-3 (clock x1.050000)");
    ck_assert_int_eq(a, 0);
    ck_assert_int_eq(d, 3);
    fault_log_end(l, b, 24653799000);
    fault_log_end(l, b, 30 * NS_PER_S); /* a fault ends once: the first end stands */
    (void)c;
    char *text = printed(l);
    ck_assert_int_eq(strncmp(text, "4 faults injected: 1 isolate, 1 crash, 1 split, "
                                   "1 clock-drift\n", 62), 0);
    ck_assert_int_eq(count_lines(text), 5);
    ck_assert_ptr_nonnull(strstr(text, "\n   8.000000 s to 11.443655 s  isolate     broker-5\n"));
    ck_assert_ptr_nonnull(strstr(text, "\n  12.653799 s to 24.653799 s  crash       broker-5\n"));
    ck_assert_ptr_nonnull(strstr(text, "\n  13.000000 s until the end   split       "
                                       "kafka-1 kafka-2 | kafka-3 broker-4\n"));
    ck_assert_ptr_nonnull(strstr(text, "\n  14.000000 s until the end   clock-drift "
                                       "kafka-3 (clock x1.050000)\n"));
    free(text);
    /* Healing ends every fault still open, and only those. */
    fault_log_end_all(l, 35 * NS_PER_S);
    text = printed(l);
    ck_assert_ptr_nonnull(strstr(text, "  12.653799 s to 24.653799 s  crash"));
    ck_assert_ptr_nonnull(strstr(text, "  13.000000 s to 35.000000 s  split"));
    ck_assert_ptr_nonnull(strstr(text, "  14.000000 s to 35.000000 s  clock-drift"));
    ck_assert_ptr_null(strstr(text, "until the end"));
    free(text);
    free(l);
}
END_TEST

/* A virtual day of nemesis: the first FAULT_LOG_MAX are kept, the rest counted by kind; the
 * summary prints FAULT_LOG_PRINTED rows and says how many more there were. */
START_TEST(a_long_run_keeps_the_first_faults_and_counts_the_rest)
{
    struct fault_log *l = malloc(sizeof *l);
    fault_log_init(l);
    for (int i = 0; i < 1000; i++) {
        int id = fault_log_begin(l, (time_ns)i * NS_PER_S, i % 2 ? "pause" : "crash",
                                 i % 2 ? "controller-2" : "controller-1");
        ck_assert_int_eq(id, i);
        fault_log_end(l, id, (time_ns)i * NS_PER_S + NS_PER_S / 2);
    }
    ck_assert_uint_eq(fault_log_total(l), 1000);
    ck_assert_int_eq(l->entries[FAULT_LOG_MAX - 1].start, (FAULT_LOG_MAX - 1) * NS_PER_S);
    char *text = printed(l);
    ck_assert_int_eq(count_lines(text), 1 + FAULT_LOG_PRINTED + 1);
    ck_assert_ptr_nonnull(strstr(text, "1000 faults injected: 500 crash, 500 pause\n"));
    char more[64];
    snprintf(more, sizeof more, "  ... and %d more\n", 1000 - FAULT_LOG_PRINTED);
    ck_assert_ptr_nonnull(strstr(text, more));
    free(text);
    fault_log_end_all(l, 2000 * NS_PER_S); /* past the kept ones: nothing to end, no crash */
    free(l);
}
END_TEST

/* Kinds and targets are copied (a Lua string need not outlive the call) and cut to fit;
 * kinds past the table count as "other". */
START_TEST(kinds_and_targets_are_copied_cut_and_bounded)
{
    struct fault_log *l = malloc(sizeof *l);
    fault_log_init(l);
    char kind[32] = "crash";
    char targets[400];
    memset(targets, 'x', sizeof targets - 1);
    targets[sizeof targets - 1] = '\0';
    fault_log_begin(l, 0, kind, targets);
    strcpy(kind, "changed");
    ck_assert_str_eq(l->entries[0].kind, "crash");
    ck_assert_uint_eq(strlen(l->entries[0].targets), FAULT_LOG_TARGET_TEXT - 1);
    ck_assert_str_eq(l->entries[0].targets + FAULT_LOG_TARGET_TEXT - 4, "...");
    for (int i = 0; i < FAULT_LOG_KINDS + 3; i++) {
        snprintf(kind, sizeof kind, "kind-%d", i);
        fault_log_begin(l, 0, kind, "kafka-1");
    }
    ck_assert_int_eq(l->kind_count, FAULT_LOG_KINDS);
    ck_assert_str_eq(l->kinds[FAULT_LOG_KINDS - 1].name, "other");
    uint64_t counted = 0;
    for (int i = 0; i < l->kind_count; i++) {
        counted += l->kinds[i].count;
    }
    ck_assert_uint_eq(counted, fault_log_total(l));
    char small[24];
    fault_log_tally(l, small, sizeof small);
    ck_assert_str_eq(small, "20 faults injected: ...");
    free(l);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fault_log");
    TCase *t = tcase_create("core");
    tcase_add_test(t, no_fault_says_so);
    tcase_add_test(t, every_fault_is_named_with_its_targets_start_and_end);
    tcase_add_test(t, a_long_run_keeps_the_first_faults_and_counts_the_rest);
    tcase_add_test(t, kinds_and_targets_are_copied_cut_and_bounded);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
