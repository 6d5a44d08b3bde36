/* test_text.c — text built piece by piece never passes its buffer, and says when it did not fit;
 * the scenarios' generated server.properties fail cleanly when a value is too long. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "scenario/scenario.h"
#include "text.h"

START_TEST(text_that_fits_is_exact_and_says_so)
{
    char buf[16];
    struct text t = text_init(buf, sizeof buf);
    ck_assert_str_eq(buf, "");
    text_printf(&t, "[%d", 1);
    text_printf(&t, ",%d]", 23);
    ck_assert_str_eq(buf, "[1,23]");
    ck_assert_uint_eq(t.len, 6);
    ck_assert(text_fits(&t));
}
END_TEST

/* The old `len += snprintf(buf + len, cap - len, ...)` passed the end once len > cap. */
START_TEST(text_that_overflows_stops_at_the_buffer_and_counts_what_it_needed)
{
    char buf[24];
    memset(buf, 'X', sizeof buf);
    struct text t = text_init(buf, 8);
    text_printf(&t, "%s", "abcdef");
    text_printf(&t, "%s", "ghijkl"); /* passes the 8-byte text */
    text_printf(&t, "%s", "mnop");   /* and this starts past it */
    ck_assert_uint_eq(t.len, 16);
    ck_assert(!text_fits(&t));
    ck_assert_str_eq(buf, "abcdefg");
    for (size_t i = 8; i < sizeof buf; i++) {
        ck_assert_int_eq(buf[i], 'X'); /* nothing written past the 8 bytes */
    }
    struct text exact = text_init(buf, 4);
    text_printf(&exact, "abc");
    ck_assert(text_fits(&exact));
    text_printf(&exact, "d");
    ck_assert(!text_fits(&exact));
    ck_assert_str_eq(buf, "abc");
}
END_TEST

/* A kafka.version of 600 or 700 characters (the CLI refuses it first; this is the depth
 * below): once a stack write past the quorum scenario's buffer and a read past the cluster's. */
/* The distance "did you mean" ranks keys by: insertions, deletions and substitutions. */
START_TEST(edit_distance_counts_single_character_edits)
{
    ck_assert_uint_eq(text_edit_distance("linger.ms", "linger.ms"), 0);
    ck_assert_uint_eq(text_edit_distance("lingr.ms", "linger.ms"), 1);
    ck_assert_uint_eq(text_edit_distance("linger.ns", "linger.ms"), 1);
    ck_assert_uint_eq(text_edit_distance("acks", "acks.all"), 4);
    ck_assert_uint_eq(text_edit_distance("", "acks"), 4);
    ck_assert_uint_eq(text_edit_distance("kitten", "sitting"), 3);
    char longer[TEXT_EDIT_MAX + 2];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    ck_assert_uint_eq(text_edit_distance(longer, "a"), SIZE_MAX);
}
END_TEST

START_TEST(overlong_kafka_version_is_a_clean_config_error_in_every_scenario)
{
    static char version[701];
    const size_t lengths[] = {600, 700};
    for (size_t l = 0; l < 2; l++) {
        memset(version, 'v', lengths[l]);
        version[lengths[l]] = '\0';
        const struct scenario *const *all = scenario_all();
        for (int i = 0; all[i] != NULL; i++) {
            if (all[i]->prepare == NULL) {
                continue;
            }
            struct run_opts opts = {.seed = 1, .out = stdout, .kafka_version = version};
            struct run_result r = {0};
            all[i]->prepare(&opts, &r);
            /* 600 fits the quorum scenarios' file: then the parser refuses the version */
            const char *want = lengths[l] == 700
                                   ? "server.properties: the generated file does not fit in "
                                     "1024 bytes"
                                   : "server.properties:9: Invalid value vvvv";
            ck_assert_msg(strstr(r.config_error, want) != NULL, "%s, %zu: %s", all[i]->name,
                          lengths[l], r.config_error);
            ck_assert_ptr_null(strchr(r.config_error, '\n'));
        }
    }
}
END_TEST

static Suite *text_suite(void)
{
    Suite *s = suite_create("text");
    TCase *tc = tcase_create("text");
    tcase_add_test(tc, text_that_fits_is_exact_and_says_so);
    tcase_add_test(tc, edit_distance_counts_single_character_edits);
    tcase_add_test(tc, text_that_overflows_stops_at_the_buffer_and_counts_what_it_needed);
    tcase_add_test(tc, overlong_kafka_version_is_a_clean_config_error_in_every_scenario);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *runner = srunner_create(text_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failures = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failures == 0 ? 0 : 1;
}
