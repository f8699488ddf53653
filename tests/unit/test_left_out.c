/* A build that leaves out what minimal_defconfig leaves out beyond caps:
 * per-buffer printing (CONFIG_PX_BUFFER_PRINT), periodic stats messages
 * (CONFIG_PX_STATS_PERIODIC), flow policies (CONFIG_PX_FLOW_POLICIES) and
 * identity's timing (CONFIG_PX_IDENTITY_TIMING). Asking for any of them is an
 * error that names the option; the defaults run. This program has its own
 * configuration (the defaults plus those four off, the -D way), in one
 * translation unit, with a log hook that keeps the last error logged. */

#undef PX_CONFIG_HEADER
#define CONFIG_PX_BUFFER_PRINT 0
#define CONFIG_PX_STATS_PERIODIC 0
#define CONFIG_PX_FLOW_POLICIES 0
#define CONFIG_PX_IDENTITY_TIMING 0

static void capture(int level, const char *category, const char *message);
#define PX_LOG_HOOK(level, cat, msg) capture((level), (cat), (msg))

#define PARALLAX_IMPLEMENTATION
#include "parallax.h"

#include <stdio.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

static char last_error[600];
static int n_errors;

static void capture(int level, const char *category, const char *message)
{
    if (level == PX_LOG_ERROR) {
        snprintf(last_error, sizeof last_error, "%s: %s", category, message);
        n_errors++;
    }
}

/* desc parses, and running it fails at prepare with exactly this message. */
static void run_expect_left_out(const char *desc, const char *message)
{
    px_error err = {0};
    px_pipeline *p = px_pipeline_parse(desc, &err);
    if (!p) {
        fail_msg("parse '%s': %s", desc, err.message);
        return;
    }
    assert_int_equal(px_pipeline_run(p, &err), PX_ENOTSUP);
    assert_int_equal(err.code, PX_ENOTSUP);
    assert_string_equal(err.message, message);
    assert_int_equal(px_pipeline_get_state(p), PX_STATE_IDLE);
    px_pipeline_free(p);
}

/* desc runs to EOS; returns the buffers its sink named sink took. */
static uint64_t run_ok(const char *desc, const char *sink)
{
    px_error err = {0};
    px_pipeline *p = px_pipeline_parse(desc, &err);
    if (!p) {
        fail_msg("parse '%s': %s", desc, err.message);
        return 0;
    }
    if (px_pipeline_run(p, &err) != PX_OK)
        fail_msg("run '%s': %s", desc, err.message);
    px_element_stats s;
    px_element_get_stats(px_pipeline_get(p, sink), &s);
    px_pipeline_free(p);
    return s.buffers_in;
}

static void options_say_left_out(void **state)
{
    (void)state;
    const char *o = px_compile_options();
    assert_non_null(strstr(o, "CONFIG_PX_BUFFER_PRINT=0\n"));
    assert_non_null(strstr(o, "CONFIG_PX_STATS_PERIODIC=0\n"));
    assert_non_null(strstr(o, "CONFIG_PX_FLOW_POLICIES=0\n"));
    assert_non_null(strstr(o, "CONFIG_PX_IDENTITY_TIMING=0\n"));
    assert_non_null(strstr(o, "CONFIG_PX_ELEM_IDENTITY=1\n"));
}

static void defaults_run(void **state)
{
    (void)state;
    assert_int_equal(run_ok("fakesrc num-buffers=7 ! identity silent=true dump=false sleep-time=0 hold-factor=0 "
                            "! fakesink name=s silent=true dump=false",
                            "s"),
                     7);
    /* a queue with flow policies left out: every source blocks, nothing is dropped */
    assert_int_equal(run_ok("fakesrc num-buffers=300 ! queue max-size-buffers=2 ! fakesink name=s", "s"), 300);
}

static void printing_is_refused_naming_the_option(void **state)
{
    (void)state;
    const char *hint = "\n  hint: enable PX_BUFFER_PRINT in make menuconfig (or build with -DCONFIG_PX_BUFFER_PRINT=1)";
    char want[512];
    snprintf(want, sizeof want, "fakesink0: silent=false is left out of this build (CONFIG_PX_BUFFER_PRINT)%s", hint);
    run_expect_left_out("fakesrc num-buffers=1 ! fakesink silent=false", want);
    snprintf(want, sizeof want, "fakesink0: dump=true is left out of this build (CONFIG_PX_BUFFER_PRINT)%s", hint);
    run_expect_left_out("fakesrc num-buffers=1 ! fakesink dump=true", want);
    snprintf(want, sizeof want, "identity0: silent=false is left out of this build (CONFIG_PX_BUFFER_PRINT)%s", hint);
    run_expect_left_out("fakesrc num-buffers=1 ! identity silent=false ! fakesink", want);
    snprintf(want, sizeof want, "id: dump=true is left out of this build (CONFIG_PX_BUFFER_PRINT)%s", hint);
    run_expect_left_out("fakesrc num-buffers=1 ! identity name=id dump=true ! fakesink", want);
}

static void identity_timing_is_refused_naming_the_option(void **state)
{
    (void)state;
    const char *hint =
        "\n  hint: enable PX_IDENTITY_TIMING in make menuconfig (or build with -DCONFIG_PX_IDENTITY_TIMING=1)";
    char want[512];
    snprintf(want, sizeof want, "identity0: sleep-time is left out of this build (CONFIG_PX_IDENTITY_TIMING)%s", hint);
    run_expect_left_out("fakesrc num-buffers=1 ! identity sleep-time=10 ! fakesink", want);
    snprintf(want, sizeof want, "identity0: hold-factor is left out of this build (CONFIG_PX_IDENTITY_TIMING)%s", hint);
    run_expect_left_out("fakesrc num-buffers=1 datarate=1000 ! identity hold-factor=1.5 ! fakesink", want);
}

static void flow_policy_properties_are_refused_naming_the_option(void **state)
{
    (void)state;
    const char *hint =
        "\n  hint: enable PX_FLOW_POLICIES in make menuconfig (or build with -DCONFIG_PX_FLOW_POLICIES=1)";
    static const char *const props[] = {"flow-policy=drop", "flow-policy=block", "max-drops=3"};
    for (size_t i = 0; i < 3; i++) {
        char desc[128], want[512];
        snprintf(desc, sizeof desc, "fakesrc %s ! fakesink", props[i]);
        px_error err = {0};
        assert_null(px_pipeline_parse(desc, &err));
        assert_int_equal(err.code, PX_ENOTSUP);
        snprintf(want, sizeof want, "fakesrc0: property '%.*s' is left out of this build (CONFIG_PX_FLOW_POLICIES)",
                 (int)(strchr(props[i], '=') - props[i]), props[i]);
        if (!strstr(err.message, want) || !strstr(err.message, hint))
            fail_msg("'%s' gave: %s", desc, err.message);
    }

    px_error err = {0};
    px_pipeline *p = px_pipeline_parse("fakesrc num-buffers=3 ! fakesink", &err);
    assert_non_null(p);
    px_element *src = px_pipeline_get(p, "fakesrc0");
    char buf[32];
    assert_int_equal(px_get(src, "flow-policy", buf, sizeof buf, &err), PX_ENOTSUP);
    assert_string_equal(err.message, "fakesrc0: property 'flow-policy' is left out of this build "
                                     "(CONFIG_PX_FLOW_POLICIES)\n  hint: enable PX_FLOW_POLICIES in make menuconfig "
                                     "(or build with -DCONFIG_PX_FLOW_POLICIES=1)");
    /* the C API: block without a limit is what every source does; anything else says it is left out */
    assert_int_equal(px_element_set_flow_policy(src, PX_FLOW_POLICY_BLOCK, 0, &err), PX_OK);
    assert_int_equal(px_element_set_flow_policy(src, PX_FLOW_POLICY_RING, 0, &err), PX_ENOTSUP);
    assert_non_null(strstr(err.message, "fakesrc0: flow policy drop or ring is left out of this build "
                                        "(CONFIG_PX_FLOW_POLICIES)"));
    assert_int_equal(px_element_set_flow_policy(src, PX_FLOW_POLICY_BLOCK, 5, &err), PX_ENOTSUP);
    assert_non_null(strstr(err.message, "fakesrc0: a drop limit is left out of this build (CONFIG_PX_FLOW_POLICIES)"));
    assert_int_equal(px_pipeline_run(p, &err), PX_OK);
    px_pipeline_free(p);
}

static void stats_interval_is_refused_naming_the_option(void **state)
{
    (void)state;
    px_error err = {0};
    px_pipeline *p = px_pipeline_parse("fakesrc num-buffers=50 ! fakesink", &err);
    assert_non_null(p);
    n_errors = 0;
    assert_int_equal(px_pipeline_set_stats_interval(p, 0), PX_OK); /* none: what this build does */
    assert_int_equal(n_errors, 0);
    assert_int_equal(px_pipeline_set_stats_interval(p, 20), PX_ENOTSUP);
    assert_int_equal(n_errors, 1);
    assert_string_equal(last_error, "pipeline: px_pipeline_set_stats_interval: periodic stats are left out of this "
                                    "build (CONFIG_PX_STATS_PERIODIC)");
    assert_int_equal(px_pipeline_set_stats_interval(p, -1), PX_EINVAL);
    /* no PX_MSG_STATS: the messages are the state changes and EOS */
    assert_int_equal(px_pipeline_start(p, &err), PX_OK);
    px_message m;
    int eos = 0;
    while (!eos && px_pipeline_pop_message(p, &m, 5000) == PX_OK) {
        assert_int_not_equal(m.type, PX_MSG_STATS);
        eos = m.type == PX_MSG_EOS;
    }
    assert_true(eos);
    px_pipeline_stats s;
    px_pipeline_get_stats(p, &s); /* still there */
    assert_int_equal(s.buffers_in_sinks, 50);
    px_pipeline_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(options_say_left_out),
        cmocka_unit_test(defaults_run),
        cmocka_unit_test(printing_is_refused_naming_the_option),
        cmocka_unit_test(identity_timing_is_refused_naming_the_option),
        cmocka_unit_test(flow_policy_properties_are_refused_naming_the_option),
        cmocka_unit_test(stats_interval_is_refused_naming_the_option),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
