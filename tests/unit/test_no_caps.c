/* A build without caps (CONFIG_PX_CAPS=0), as minimal_defconfig makes: byte
 * streams run, nothing is negotiated, caps filters are refused with a clear
 * error, and upstream peeking still works. This program has its own
 * configuration: the defaults plus CONFIG_PX_CAPS=0 (the -D way, without
 * Kconfig), which also turns off everything that needs caps (video, the
 * caps-using elements). One translation unit, so nothing else has to agree. */

#undef PX_CONFIG_HEADER
#define CONFIG_PX_CAPS 0
#define CONFIG_PX_PROP_DESCRIPTIONS 0

#define PARALLAX_IMPLEMENTATION
#include "parallax.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#if CONFIG_PX_VIDEO || CONFIG_PX_ELEM_CAPSFILTER || CONFIG_PX_ELEM_VIDEOCONVERT || CONFIG_PX_ELEM_Y4MDEC
#error "CONFIG_PX_CAPS=0 should turn off what needs caps when it is not set explicitly"
#endif

static void options_say_no_caps(void **state)
{
    (void)state;
    const char *o = px_compile_options();
    assert_non_null(strstr(o, "CONFIG_PX_CAPS=0\n"));
    assert_non_null(strstr(o, "CONFIG_PX_VIDEO=0\n"));
    assert_non_null(strstr(o, "CONFIG_PX_ELEM_CAPSFILTER=0\n"));
    assert_non_null(strstr(o, "CONFIG_PX_ELEM_IDENTITY=1\n"));
    assert_null(px_find_element("capsfilter"));
    assert_null(px_find_element("videoconvert"));
    assert_non_null(px_find_element("tee"));
}

static void byte_stream_runs_without_negotiation(void **state)
{
    (void)state;
    px_error err = {0};
    px_pipeline *p = px_pipeline_parse("fakesrc num-buffers=20 ! identity ! tee name=t ! fakesink  t. ! fakesink", &err);
    if (!p)
        fail_msg("parse: %s", err.message);
    assert_int_equal(px_pipeline_prepare(p, &err), PX_OK);
    for (size_t i = 0; i < px_pipeline_element_count(p); i++) {
        px_element *el = px_pipeline_element_at(p, i);
        assert_null(px_element_get_caps(el, PX_DIR_SINK, 0));
        assert_null(px_element_get_caps(el, PX_DIR_SRC, 0));
    }
    char dot[4096];
    assert_int_equal(px_pipeline_to_dot(p, dot, sizeof dot), PX_OK);
    assert_non_null(strstr(dot, "\"fakesrc0\" -> \"identity0\" [taillabel=\"src\", headlabel=\"sink\", label=\"\"]"));
    assert_int_equal(px_pipeline_set_auto_convert(p, false), PX_ESTATE); /* prepared */
    assert_int_equal(px_pipeline_run(p, &err), PX_OK);
    px_pipeline_free(p);
}

static void caps_filter_is_refused_naming_the_options(void **state)
{
    (void)state;
    const char *descs[] = {"fakesrc ! video/x-raw,width=320 ! fakesink", "fakesrc ! \"video/x-raw, width=320\" ! fakesink"};
    for (size_t i = 0; i < 2; i++) {
        px_error err = {0};
        assert_null(px_pipeline_parse(descs[i], &err));
        assert_int_equal(err.code, PX_ENOTSUP);
        assert_int_equal(err.position, 11);
        assert_non_null(strstr(err.message, "needs caps negotiation, which this build leaves out "
                                            "(CONFIG_PX_CAPS, CONFIG_PX_ELEM_CAPSFILTER) (column 11)"));
        assert_string_equal(err.hint, "rebuild with CONFIG_PX_CAPS=y and CONFIG_PX_ELEM_CAPSFILTER=y");
    }
}

static void descriptions_are_left_out(void **state)
{
    (void)state;
    const px_prop *prop = px_find_prop(px_find_element("identity"), "drop-probability");
    assert_non_null(prop);
    assert_null(prop->description);
}

static void double_property_set_and_read_back(void **state)
{
    (void)state;
    px_error err = {0};
    px_pipeline *p = px_pipeline_new();
    px_element *id = px_pipeline_add(p, "identity", NULL, &err);
    assert_non_null(id);
    char buf[64];
    assert_int_equal(px_set(id, "drop-probability", "0.125", &err), PX_OK);
    assert_int_equal(px_get(id, "drop-probability", buf, sizeof buf, &err), PX_OK);
    assert_string_equal(buf, "0.125");
    assert_int_equal(px_set(id, "drop-probability", "1e-6", &err), PX_OK);
    assert_int_equal(px_get(id, "drop-probability", buf, sizeof buf, &err), PX_OK);
    assert_string_equal(buf, "1e-06");
    assert_int_equal(px_set(id, "drop-probability", "nan", &err), PX_EINVAL);
    px_pipeline_free(p);
}

static void peek_upstream_reads_through_identity(void **state)
{
    (void)state;
    char path[] = "/tmp/px-no-caps-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "YUV4MPEG2 W2", 12), 12);
    close(fd);
    char desc[128];
    snprintf(desc, sizeof desc, "filesrc location=%s ! identity ! fakesink", path);
    px_error err = {0};
    px_pipeline *p = px_pipeline_parse(desc, &err);
    assert_non_null(p);
    char head[16] = {0};
    size_t got = 0;
    assert_int_equal(px_element_peek_upstream(px_pipeline_get(p, "fakesink0"), 0, head, 9, &got), PX_OK);
    assert_int_equal(got, 9);
    assert_string_equal(head, "YUV4MPEG2");
    px_pipeline_free(p);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(options_say_no_caps),
        cmocka_unit_test(byte_stream_runs_without_negotiation),
        cmocka_unit_test(caps_filter_is_refused_naming_the_options),
        cmocka_unit_test(descriptions_are_left_out),
        cmocka_unit_test(double_property_set_and_read_back),
        cmocka_unit_test(peek_upstream_reads_through_identity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
