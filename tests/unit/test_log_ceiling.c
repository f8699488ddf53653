/* The compile-time log ceiling: built with CONFIG_PX_LOG_LEVEL 2, PX_INFO and
 * PX_DEBUG compile to nothing, so even px_log_configure("5") cannot make them
 * reach the hook, while warnings and errors still do. This program has its own
 * configuration; it is one translation unit, so nothing else has to agree. */

static void capture(int level, const char *category, const char *message);
#define PX_LOG_HOOK(level, cat, msg) capture((level), (cat), (msg))

/* The build's configuration, with only its log ceiling replaced. */
#ifdef PX_CONFIG_HEADER
#include PX_CONFIG_HEADER
#undef PX_CONFIG_HEADER
#undef CONFIG_PX_LOG_LEVEL
#endif
#define CONFIG_PX_LOG_LEVEL 2

#define PARALLAX_IMPLEMENTATION
#include "parallax.h"

#include <stdio.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#define CAPTURE_MAX 64
static struct {
    int level;
    char category[32];
    char message[512];
} captures[CAPTURE_MAX];
static int n_captures;

/* Only the test's thread logs here (coop scheduler), so no lock. */
static void capture(int level, const char *category, const char *message)
{
    if (n_captures < CAPTURE_MAX) {
        captures[n_captures].level = level;
        snprintf(captures[n_captures].category, sizeof captures[n_captures].category, "%s", category);
        snprintf(captures[n_captures].message, sizeof captures[n_captures].message, "%s", message);
    }
    n_captures++;
}

static void ceiling_is_2(void **state)
{
    (void)state;
    assert_int_equal(CONFIG_PX_LOG_LEVEL, PX_LOG_WARNING);
}

static void level_5_at_run_time_still_stops_info_and_debug(void **state)
{
    (void)state;
    assert_int_equal(px_log_configure("5"), PX_OK);
    /* The run-time filter would let everything through... */
    assert_true(px_log_enabled(PX_LOG_TRACE, "ceiling"));
    assert_true(px_log_enabled(PX_LOG_DEBUG, "ceiling"));
    n_captures = 0;
    PX_TRACE("ceiling", "trace");
    PX_DEBUG("ceiling", "debug");
    PX_INFO("ceiling", "info");
    PX_WARN("ceiling", "warning %d", 2);
    PX_ERR("ceiling", "error %d", 1);
    /* ...but only warnings and errors were compiled in. */
    assert_int_equal(n_captures, 2);
    assert_int_equal(captures[0].level, PX_LOG_WARNING);
    assert_string_equal(captures[0].category, "ceiling");
    assert_string_equal(captures[0].message, "warning 2");
    assert_int_equal(captures[1].level, PX_LOG_ERROR);
    assert_string_equal(captures[1].message, "error 1");
}

static void compiled_out_calls_do_not_evaluate_their_arguments(void **state)
{
    (void)state;
    int evaluated = 0;
    assert_int_equal(px_log_configure("5,cat:5"), PX_OK);
    n_captures = 0;
    PX_DEBUG("cat", "%d", ++evaluated);
    PX_INFO("cat", "%d", ++evaluated);
    assert_int_equal(evaluated, 0);
    assert_int_equal(n_captures, 0);
    PX_WARN("cat", "%d", ++evaluated);
    assert_int_equal(evaluated, 1);
    assert_int_equal(n_captures, 1);
    assert_string_equal(captures[0].message, "1");
}

static void run_time_level_still_filters_below_the_ceiling(void **state)
{
    (void)state;
    assert_int_equal(px_log_configure("1"), PX_OK);
    n_captures = 0;
    PX_WARN("ceiling", "hidden");
    PX_ERR("ceiling", "shown");
    assert_int_equal(n_captures, 1);
    assert_string_equal(captures[0].message, "shown");
}

/* The runtime's own info and debug lines (prepare, state changes, element
 * starts, arena creation) are compiled out too. */
static void runtime_info_and_debug_lines_never_reach_the_hook(void **state)
{
    (void)state;
    px_error err = {0};
    assert_int_equal(px_log_configure("5"), PX_OK);
    n_captures = 0;
    px_pipeline *p = px_pipeline_parse("fakesrc num-buffers=10 ! identity ! fakesink", &err);
    assert_non_null(p);
    assert_int_equal(px_pipeline_set_scheduler(p, PX_SCHED_COOP_RUN), PX_OK);
    assert_int_equal(px_pipeline_run(p, &err), PX_OK);
    px_element_stats s;
    px_element_get_stats(px_pipeline_get(p, "fakesink0"), &s);
    assert_int_equal(s.buffers_in, 10);
    px_pipeline_free(p);
    if (n_captures != 0)
        fail_msg("%d messages reached the hook, the first: [%d] %s: %s", n_captures, captures[0].level,
                 captures[0].category, captures[0].message);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ceiling_is_2),
        cmocka_unit_test(level_5_at_run_time_still_stops_info_and_debug),
        cmocka_unit_test(compiled_out_calls_do_not_evaluate_their_arguments),
        cmocka_unit_test(run_time_level_still_filters_below_the_ceiling),
        cmocka_unit_test(runtime_info_and_debug_lines_never_reach_the_hook),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
