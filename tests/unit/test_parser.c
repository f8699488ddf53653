/* Parser tests: gst-launch syntax in, the same graph as the builder API out;
 * bad descriptions fail with the right code, column, message and hint, and
 * nothing leaks on any path (run under valgrind). */

#define PARALLAX_IMPLEMENTATION
#include "parallax.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

/* ---- Test elements: a source with a fraction, and a muxer with request sink pads ---- */

typedef struct {
    px_fraction framerate;
    int pattern;
    double level;
    char *label;
} testsrc;

static const px_enum_value testsrc_patterns[] = {
    {0, "smpte", "Bars"},
    {1, "snow", "Noise"},
    {2, "black", "Black"},
    {0, NULL, NULL},
};

static px_flow testsrc_produce(px_element *el, px_buffer *out)
{
    (void)el;
    (void)out;
    return PX_FLOW_EOS;
}

PX_ELEMENT_CLASS(testsrc) = {
    .name = "testsrc",
    .family = "Source",
    .description = "Test source with a fraction property",
    .state_size = sizeof(testsrc),
    .src = PX_PAD_ALWAYS("ANY"),
    .produce = testsrc_produce,
    .props = PX_PROPS(PX_PROP_FRACTION(testsrc, framerate, 0, 1, INT_MAX, 1, 30, 1, "Frames per second"),
                      PX_PROP_ENUM(testsrc, pattern, testsrc_patterns, 0, "What to draw"),
                      PX_PROP_DOUBLE(testsrc, level, -1.0, 1.0, 0.0, "A level"),
                      PX_PROP_STRING(testsrc, label, NULL, "A label")),
};

typedef struct {
    int unused;
} testmux;

static px_flow testmux_consume(px_element *el, const px_buffer *in)
{
    (void)el;
    (void)in;
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(testmux) = {
    .name = "testmux",
    .family = "Sink",
    .description = "Sink with request sink pads sink_%u",
    .state_size = sizeof(testmux),
    .sink = PX_PAD_REQUEST("sink_%u", "ANY"),
    .consume = testmux_consume,
};

/* ---- Helpers ------------------------------------------------------------ */

/* Tests of optional elements skip when the configuration leaves them out. */
#define NEEDS(option)  \
    do {               \
        if (!(option)) \
            skip();    \
    } while (0)

static px_pipeline *parse_ok(const char *desc, size_t count)
{
    px_error err = {0};
    px_pipeline *p = px_pipeline_parse(desc, &err);
    if (!p)
        fail_msg("parse failed for '%s':\n%s", desc, err.message);
    assert_int_equal(px_pipeline_element_count(p), count);
    return p;
}

static px_element *el_named(px_pipeline *p, const char *name)
{
    px_element *el = px_pipeline_get(p, name);
    if (!el)
        fail_msg("no element '%s'", name);
    return el;
}

static void assert_prop(px_pipeline *p, const char *el, const char *prop, const char *expected)
{
    char buf[256];
    px_error err = {0};
    assert_int_equal(px_get(el_named(p, el), prop, buf, sizeof buf, &err), PX_OK);
    assert_string_equal(buf, expected);
}

/* a's src pad `src_pad` (NULL: any) is linked to b's sink pad `sink_pad` (NULL: any). */
static bool linked_pads(px_pipeline *p, const char *a, const char *src_pad, const char *b,
                        const char *sink_pad)
{
    px_element *x = el_named(p, a), *y = el_named(p, b);
    for (int i = 0; i < x->n_src; i++) {
        if (x->src[i].peer != y || (src_pad && strcmp(x->src[i].name, src_pad)))
            continue;
        if (!sink_pad || !strcmp(y->sink[x->src[i].peer_pad].name, sink_pad))
            return true;
    }
    return false;
}

static bool linked(px_pipeline *p, const char *a, const char *b)
{
    return linked_pads(p, a, NULL, b, NULL);
}

static int src_links(px_pipeline *p, const char *name)
{
    return px_element_src_pad_count(el_named(p, name));
}

/* Checks code, column and a key part of the message; the message's first
 * line ends with "(column N)" and a caret sits under that column. Returns the
 * error for further checks. */
static px_error expect_parse_error(const char *desc, int code, int column, const char *substring)
{
    px_error err = {0};
    px_pipeline *p = px_pipeline_parse(desc, &err);
    if (p) {
        px_pipeline_free(p);
        fail_msg("'%s' parsed but should fail", desc ? desc : "(null)");
    }
    if (err.code != code || err.position != column || !strstr(err.message, substring))
        fail_msg("'%s': expected code %d column %d with '%s', got code %d column %d:\n%s",
                 desc ? desc : "(null)", code, column, substring, err.code, err.position, err.message);
    if (column > 0) {
        char tag[32];
        snprintf(tag, sizeof tag, "(column %d)\n", column);
        assert_non_null(strstr(err.message, tag));
        /* Line 2 shows the description, line 3 the caret: for short ones the
         * caret is at column + 1 (two spaces of indent, 1-based column). */
        const char *l2 = strchr(err.message, '\n') + 1;
        const char *l3 = strchr(l2, '\n') + 1;
        const char *caret = strchr(l3, '^');
        assert_non_null(caret);
        if (strlen(desc) <= 100)
            assert_int_equal((int)(caret - l3), column + 1);
    }
    return err;
}

static void expect_hint(const px_error *err, const char *hint)
{
    assert_string_equal(err->hint, hint);
    char line[PX_ERROR_HINT_MAX + 16];
    snprintf(line, sizeof line, "\n  hint: %s", hint);
    assert_non_null(strstr(err->message, line));
}

/* ---- Good descriptions -------------------------------------------------- */

static void two_elements_are_named_and_linked(void **state)
{
    (void)state;
    px_pipeline *p = parse_ok("fakesrc ! fakesink", 2);
    assert_string_equal(px_element_name(px_pipeline_element_at(p, 0)), "fakesrc0");
    assert_string_equal(px_element_name(px_pipeline_element_at(p, 1)), "fakesink0");
    assert_true(linked(p, "fakesrc0", "fakesink0"));
    assert_int_equal(src_links(p, "fakesrc0"), 1);
    assert_int_equal(px_pipeline_element_at(p, 0)->position, 1);
    assert_int_equal(px_pipeline_element_at(p, 0)->position_len, 7);
    assert_int_equal(px_pipeline_element_at(p, 1)->position, 11);
    assert_int_equal(px_pipeline_element_at(p, 1)->position_len, 8);
    px_pipeline_free(p);
}

static void properties_of_every_kind_are_set(void **state)
{
    (void)state;
    px_pipeline *p = parse_ok("fakesrc num-buffers=10 sizetype=fixed sizemax=0x100 filltype=pattern-span ! "
                              "identity drop-probability=0.25 silent=no sleep-time=18 ! fakesink",
                              3);
    assert_prop(p, "fakesrc0", "num-buffers", "10");
    assert_prop(p, "fakesrc0", "sizetype", "fixed");
    assert_prop(p, "fakesrc0", "sizemax", "256");
    assert_prop(p, "fakesrc0", "filltype", "pattern-span");
    assert_prop(p, "identity0", "drop-probability", "0.25");
    assert_prop(p, "identity0", "silent", "false");
    assert_prop(p, "identity0", "sleep-time", "18");
    assert_true(linked(p, "fakesrc0", "identity0"));
    assert_true(linked(p, "identity0", "fakesink0"));
    px_pipeline_free(p);
}

static void fractions_enums_and_negative_doubles(void **state)
{
    (void)state;
    px_pipeline *p = parse_ok("testsrc framerate=30000/1001 pattern=snow level=-0.5 ! fakesink "
                              "testsrc framerate=25 pattern=2 ! fakesink",
                              4);
    assert_prop(p, "testsrc0", "framerate", "30000/1001");
    assert_prop(p, "testsrc0", "pattern", "snow");
    assert_prop(p, "testsrc0", "level", "-0.5");
    assert_prop(p, "testsrc1", "framerate", "25/1");
    assert_prop(p, "testsrc1", "pattern", "black");
    px_pipeline_free(p);
}

static void quoted_string_with_spaces(void **state)
{
    (void)state;
    px_pipeline *p = parse_ok("fakesrc ! filesink location=\"/tmp/my file ! with = signs.bin\"", 2);
    assert_prop(p, "filesink0", "location", "/tmp/my file ! with = signs.bin");
    px_pipeline_free(p);
}

static void single_quotes_are_literal(void **state)
{
    (void)state;
    px_pipeline *p = parse_ok("fakesrc ! filesink location='a \"b\" \\n'", 2);
    assert_prop(p, "filesink0", "location", "a \"b\" \\n");
    px_pipeline_free(p);
}

static void escaped_quotes_inside_double_quotes(void **state)
{
    (void)state;
    px_pipeline *p = parse_ok("testsrc label=\"say \\\"hi\\\" \\\\ \\n\" ! fakesink", 2);
    assert_prop(p, "testsrc0", "label", "say \"hi\" \\ \\n");
    px_pipeline_free(p);
}

static void quotes_inside_a_word_and_empty_string(void **state)
{
    (void)state;
    px_pipeline *p = parse_ok("testsrc label=ab\"c d\"e ! filesink location=\"\"", 2);
    assert_prop(p, "testsrc0", "label", "abc de");
    assert_prop(p, "filesink0", "location", "");
    px_pipeline_free(p);
}

static void spaces_around_equals_are_accepted(void **state)
{
    (void)state;
    px_pipeline *p = parse_ok("fakesrc num-buffers = 5 sizemax =7 sizemin= 3 ! testmux name = m", 2);
    assert_prop(p, "fakesrc0", "num-buffers", "5");
    assert_prop(p, "fakesrc0", "sizemax", "7");
    assert_prop(p, "fakesrc0", "sizemin", "3");
    assert_non_null(px_pipeline_get(p, "m"));
    px_pipeline_free(p);
}

static void no_spaces_around_bang(void **state)
{
    (void)state;
    px_pipeline *p = parse_ok("fakesrc num-buffers=3!identity!fakesink", 3);
    assert_prop(p, "fakesrc0", "num-buffers", "3");
    assert_true(linked(p, "fakesrc0", "identity0"));
    assert_true(linked(p, "identity0", "fakesink0"));
    px_pipeline_free(p);
}

static void tabs_and_newlines_are_whitespace(void **state)
{
    (void)state;
    px_pipeline *p = parse_ok("\tfakesrc\tnum-buffers=3\n!\r\n identity \t!\tfakesink\n", 3);
    assert_prop(p, "fakesrc0", "num-buffers", "3");
    assert_int_equal(el_named(p, "identity0")->position, 28);
    assert_true(linked(p, "identity0", "fakesink0"));
    px_pipeline_free(p);
}

static void name_sets_the_instance_name(void **state)
{
    (void)state;
    px_pipeline *p = parse_ok("fakesrc name=src ! identity ! fakesink name=out", 3);
    assert_string_equal(px_element_name(px_pipeline_element_at(p, 0)), "src");
    assert_string_equal(px_element_name(px_pipeline_element_at(p, 1)), "identity0");
    assert_string_equal(px_element_name(px_pipeline_element_at(p, 2)), "out");
    assert_true(linked(p, "src", "identity0"));
    assert_true(linked(p, "identity0", "out"));
    px_pipeline_free(p);
}

static void auto_names_are_numbered_per_factory(void **state)
{
    (void)state;
    px_pipeline *p = parse_ok("fakesrc ! identity ! identity ! fakesink", 4);
    assert_string_equal(px_element_name(px_pipeline_element_at(p, 0)), "fakesrc0");
    assert_string_equal(px_element_name(px_pipeline_element_at(p, 1)), "identity0");
    assert_string_equal(px_element_name(px_pipeline_element_at(p, 2)), "identity1");
    assert_string_equal(px_element_name(px_pipeline_element_at(p, 3)), "fakesink0");
    assert_true(linked(p, "fakesrc0", "identity0"));
    assert_true(linked(p, "identity0", "identity1"));
    assert_true(linked(p, "identity1", "fakesink0"));
    /* no positional names */
    assert_null(px_pipeline_get(p, "identity2"));
    assert_null(px_pipeline_get(p, "fakesink3"));
    px_pipeline_free(p);
}

static void auto_names_skip_names_taken_explicitly(void **state)
{
    (void)state;
    /* The explicit name keeps identity0; the auto-named identity gets the next free number. */
    px_pipeline *p = parse_ok("fakesrc ! identity name=identity0 ! identity ! fakesink", 4);
    assert_string_equal(px_element_name(px_pipeline_element_at(p, 1)), "identity0");
    assert_string_equal(px_element_name(px_pipeline_element_at(p, 2)), "identity1");
    assert_int_equal(px_pipeline_element_at(p, 1)->position, 11);
    assert_int_equal(px_pipeline_element_at(p, 2)->position, 37);
    assert_true(linked(p, "identity0", "identity1"));
    assert_true(linked(p, "identity1", "fakesink0"));
    px_pipeline_free(p);

    /* The number goes up until free: identity1 is taken, so the auto one is identity2. */
    p = parse_ok("fakesrc ! identity name=identity1 ! identity ! fakesink", 4);
    assert_string_equal(px_element_name(px_pipeline_element_at(p, 1)), "identity1");
    assert_string_equal(px_element_name(px_pipeline_element_at(p, 2)), "identity2");
    assert_null(px_pipeline_get(p, "identity0"));
    assert_true(linked(p, "identity1", "identity2"));
    px_pipeline_free(p);

    /* Explicitly named elements count for their factory, as in gst-launch. */
    p = parse_ok("fakesrc ! identity name=x ! identity ! fakesink", 4);
    assert_string_equal(px_element_name(px_pipeline_element_at(p, 2)), "identity1");
    assert_null(px_pipeline_get(p, "identity0"));
    assert_true(linked(p, "x", "identity1"));
    px_pipeline_free(p);

    /* An explicit name given after the auto one took it is a duplicate. */
    px_error err = expect_parse_error("fakesrc ! identity ! identity name=identity0 ! fakesink", PX_EINVAL,
                                      31, "name 'identity0' is already taken");
    expect_hint(&err, "the element at column 11 has it; names must be unique");
}

static void caps_filter_becomes_capsfilter(void **state)
{
    (void)state;
    NEEDS(CONFIG_PX_ELEM_CAPSFILTER);
    px_pipeline *p = parse_ok("fakesrc ! video/x-raw,width=640,framerate=30/1 ! fakesink", 3);
    assert_string_equal(px_element_get_class(el_named(p, "capsfilter0"))->name, "capsfilter");
    assert_prop(p, "capsfilter0", "caps", "video/x-raw,width=640,framerate=30/1");
    assert_int_equal(el_named(p, "capsfilter0")->position, 11);
    assert_true(linked(p, "fakesrc0", "capsfilter0"));
    assert_true(linked(p, "capsfilter0", "fakesink0"));
    px_pipeline_free(p);
}

static void caps_with_ranges_lists_and_spaces(void **state)
{
    (void)state;
    NEEDS(CONFIG_PX_ELEM_CAPSFILTER);
    px_pipeline *p =
        parse_ok("fakesrc ! video/x-raw, width=[ 16, 4096 ], format={ I420, NV12 } , height=(int)480 "
                 "! fakesink",
                 3);
    assert_prop(p, "capsfilter0", "caps",
                "video/x-raw, width=[ 16, 4096 ], format={ I420, NV12 } , height=(int)480");
    assert_true(linked(p, "capsfilter0", "fakesink0"));
    px_pipeline_free(p);
}

static void quoted_caps_are_unquoted(void **state)
{
    (void)state;
    NEEDS(CONFIG_PX_ELEM_CAPSFILTER);
    px_pipeline *p = parse_ok("fakesrc ! \"video/x-raw, format=(string)I420\" ! fakesink", 3);
    assert_prop(p, "capsfilter0", "caps", "video/x-raw, format=(string)I420");
    px_pipeline_free(p);
}

static void caps_with_features_and_inner_quotes(void **state)
{
    (void)state;
    NEEDS(CONFIG_PX_ELEM_CAPSFILTER);
    px_pipeline *p =
        parse_ok("fakesrc ! video/x-raw(memory:DMABuf),format=NV12!audio/x-raw,name=\"a ! b\" ! fakesink", 4);
    assert_prop(p, "capsfilter0", "caps", "video/x-raw(memory:DMABuf),format=NV12");
    assert_prop(p, "capsfilter1", "caps", "audio/x-raw,name=\"a ! b\"");
    assert_true(linked(p, "capsfilter0", "capsfilter1"));
    px_pipeline_free(p);
}

static void tee_with_two_branches(void **state)
{
    (void)state;
    NEEDS(CONFIG_PX_ELEM_TEE);
    px_pipeline *p = parse_ok("fakesrc ! tee name=t ! fakesink  t. ! identity ! fakesink", 5);
    assert_int_equal(src_links(p, "t"), 2);
    assert_true(linked_pads(p, "t", "src_0", "fakesink0", "sink"));
    assert_true(linked_pads(p, "t", "src_1", "identity0", NULL));
    assert_true(linked(p, "identity0", "fakesink1"));
    px_pipeline_free(p);
}

static void forward_reference(void **state)
{
    (void)state;
    NEEDS(CONFIG_PX_ELEM_TEE);
    px_pipeline *p = parse_ok("t. ! fakesink  fakesrc ! tee name=t ! fakesink", 4);
    assert_int_equal(src_links(p, "t"), 2);
    assert_true(linked(p, "t", "fakesink0"));
    assert_true(linked(p, "t", "fakesink1"));
    px_pipeline_free(p);
}

static void reference_as_link_target_backward_and_forward(void **state)
{
    (void)state;
    px_pipeline *p = parse_ok("fakesrc ! i.  identity name=i ! fakesink  fakesrc ! m.  testmux name=m", 5);
    assert_true(linked(p, "fakesrc0", "i"));
    assert_true(linked(p, "i", "fakesink0"));
    assert_true(linked(p, "fakesrc1", "m"));
    px_pipeline_free(p);
}

static void named_pads_on_both_sides(void **state)
{
    (void)state;
    NEEDS(CONFIG_PX_ELEM_TEE);
    px_pipeline *p =
        parse_ok("fakesrc ! tee name=t  t.src_1 ! mux.sink_0  t.src_0 ! mux.sink_3  testmux name=mux", 3);
    assert_true(linked_pads(p, "t", "src_1", "mux", "sink_0"));
    assert_true(linked_pads(p, "t", "src_0", "mux", "sink_3"));
    assert_int_equal(src_links(p, "t"), 2);
    px_pipeline_free(p);
}

static void reference_in_the_middle_of_a_chain(void **state)
{
    (void)state;
    px_pipeline *p = parse_ok("fakesrc ! i. ! fakesink  identity name=i", 3);
    assert_true(linked(p, "fakesrc0", "i"));
    assert_true(linked(p, "i", "fakesink0"));
    px_pipeline_free(p);
}

static void multiple_chains(void **state)
{
    (void)state;
    px_pipeline *p = parse_ok("fakesrc ! fakesink   fakesrc num-buffers=1 ! identity ! fakesink", 5);
    assert_true(linked(p, "fakesrc0", "fakesink0"));
    assert_true(linked(p, "fakesrc1", "identity0"));
    assert_true(linked(p, "identity0", "fakesink1"));
    assert_false(linked(p, "fakesrc0", "identity0"));
    assert_prop(p, "fakesrc1", "num-buffers", "1");
    px_pipeline_free(p);
}

static void long_chain_of_elements(void **state)
{
    (void)state;
    size_t n = 500, len = 0;
    char *desc = malloc(n * 12 + 64);
    len += (size_t)sprintf(desc + len, "fakesrc");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(desc + len, " ! identity");
    sprintf(desc + len, " ! fakesink");
    px_pipeline *p = parse_ok(desc, n + 2);
    assert_true(linked(p, "identity250", "identity251"));
    assert_true(linked(p, "fakesrc0", "identity0"));
    assert_true(linked(p, "identity499", "fakesink0"));
    assert_null(px_pipeline_get(p, "identity500"));
    px_pipeline_free(p);
    free(desc);
}

static void long_values_are_not_truncated(void **state)
{
    (void)state;
    size_t n = 60000;
    char *desc = malloc(n + 64), *back = malloc(n + 1);
    if (!desc || !back) { /* a return, not only fail(): gcc -fsanitize=address otherwise sees a memset of NULL */
        free(desc);
        free(back);
        fail();
        return;
    }
    int pre = sprintf(desc, "fakesrc ! filesink location=\"");
    memset(desc + pre, 'x', n);
    strcpy(desc + pre + n, "\"");
    px_pipeline *p = parse_ok(desc, 2);
    assert_int_equal(px_get(el_named(p, "filesink0"), "location", back, n + 1, NULL), PX_OK);
    assert_int_equal(strlen(back), n);
    px_pipeline_free(p);
    free(desc);
    free(back);
}

static void null_error_pointer_is_fine(void **state)
{
    (void)state;
    px_pipeline *p = px_pipeline_parse("fakesrc ! fakesink", NULL);
    assert_non_null(p);
    px_pipeline_free(p);
    assert_null(px_pipeline_parse("fakesrc ! fakesnk", NULL));
    assert_null(px_pipeline_parse(NULL, NULL));
}

/* ---- Bad descriptions --------------------------------------------------- */

static void unknown_element_suggests_the_nearest(void **state)
{
    (void)state;
    px_error err = expect_parse_error("fakesrc ! fakesnk", PX_ENOENT, 11, "no element 'fakesnk'");
    assert_string_equal(err.message, "no element 'fakesnk' (column 11)\n"
                                     "  fakesrc ! fakesnk\n"
                                     "            ^\n"
                                     "  hint: did you mean 'fakesink'?");
    expect_hint(&err, "did you mean 'fakesink'?");
}

static void unknown_element_without_near_match_points_at_the_list(void **state)
{
    (void)state;
    px_error err =
        expect_parse_error("fakesrc ! zzqqxxw", PX_ENOENT, 11, "no element 'zzqqxxw'");
    assert_non_null(strstr(err.hint, "parallax-launch --list-elements"));
}

static void property_on_unknown_element_reports_the_element(void **state)
{
    (void)state;
    px_error err = expect_parse_error("fakesnk silent=true ! fakesink", PX_ENOENT, 1, "no element 'fakesnk'");
    expect_hint(&err, "did you mean 'fakesink'?");
}

static void empty_description(void **state)
{
    (void)state;
    px_error err = expect_parse_error("", PX_EPARSE, 0, "empty pipeline description");
    assert_non_null(strstr(err.hint, "fakesrc ! fakesink"));
}

static void whitespace_only_description(void **state)
{
    (void)state;
    expect_parse_error("  \t\n ", PX_EPARSE, 0, "empty pipeline description");
}

static void null_description(void **state)
{
    (void)state;
    expect_parse_error(NULL, PX_EINVAL, 0, "no pipeline description");
}

static void leading_bang(void **state)
{
    (void)state;
    px_error err = expect_parse_error("! fakesink", PX_EPARSE, 1, "'!' without an element before it");
    assert_non_null(strstr(err.hint, "start with an element"));
    expect_parse_error("  !fakesrc ! fakesink", PX_EPARSE, 3, "'!' without an element before it");
}

static void trailing_bang(void **state)
{
    (void)state;
    expect_parse_error("fakesrc !", PX_EPARSE, 9, "'!' without an element after it");
    expect_parse_error("fakesrc ! identity !  \t", PX_EPARSE, 20, "'!' without an element after it");
}

static void double_bang(void **state)
{
    (void)state;
    px_error err = expect_parse_error("fakesrc ! ! fakesink", PX_EPARSE, 11, "'!' right after another '!'");
    expect_hint(&err, "put an element between the two '!', or remove one");
    expect_parse_error("fakesrc !! fakesink", PX_EPARSE, 10, "'!' right after another '!'");
}

static void unterminated_double_quote(void **state)
{
    (void)state;
    px_error err = expect_parse_error("fakesrc ! filesink location=\"abc ! fakesink", PX_EPARSE, 29,
                                      "unterminated \" quote");
    assert_non_null(strstr(err.hint, "closing \""));
    /* an escaped quote does not close the string */
    expect_parse_error("testsrc label=\"abc\\\" ! fakesink", PX_EPARSE, 15, "unterminated \" quote");
}

static void unterminated_single_quote(void **state)
{
    (void)state;
    expect_parse_error("fakesrc ! filesink location='abc", PX_EPARSE, 29, "unterminated ' quote");
    expect_parse_error("fakesrc ! \"video/x-raw ! fakesink", PX_EPARSE, 11, "unterminated \" quote");
}

static void bad_caps_filter_syntax(void **state)
{
    (void)state;
    NEEDS(CONFIG_PX_ELEM_CAPSFILTER);
    expect_parse_error("fakesrc ! video/x-raw,name=\"abc ! fakesink", PX_EPARSE, 28, "unterminated \" quote");
    expect_parse_error("fakesrc ! video/x-raw silent=true ! fakesink", PX_EPARSE, 23,
                       "property 'silent' without an element");
    expect_parse_error("video/x-raw ! fakesink", PX_ELINK, 1,
                       "capsfilter0 has nothing linked to its sink pad");
}

static void caps_filter_needs_capsfilter_compiled_in(void **state)
{
    (void)state;
    NEEDS(!CONFIG_PX_ELEM_CAPSFILTER);
    px_error err = expect_parse_error("fakesrc ! video/x-raw,width=640 ! fakesink", PX_ENOTSUP, 11,
                                      "caps filter 'video/x-raw,width=640' needs the capsfilter element");
    assert_non_null(strstr(err.message, "(CONFIG_PX_ELEM_CAPSFILTER)"));
    expect_hint(&err, "rebuild with CONFIG_PX_ELEM_CAPSFILTER=y");
}

static void missing_value_after_equals(void **state)
{
    (void)state;
    px_error err = expect_parse_error("fakesrc num-buffers= ! fakesink", PX_EPARSE, 9,
                                      "property 'num-buffers' has no value after '='");
    assert_non_null(strstr(err.hint, "\"\""));
    expect_parse_error("fakesrc ! fakesink silent=", PX_EPARSE, 20,
                       "property 'silent' has no value after '='");
    expect_parse_error("fakesrc ! fakesink silent =  ", PX_EPARSE, 20,
                       "property 'silent' has no value after '='");
}

static void property_without_element(void **state)
{
    (void)state;
    px_error err = expect_parse_error("num-buffers=5 ! fakesink", PX_EPARSE, 1,
                                      "property 'num-buffers' without an element");
    assert_non_null(strstr(err.hint, "fakesrc num-buffers=10"));
    expect_parse_error("fakesrc ! silent=true", PX_EPARSE, 11, "property 'silent' without an element");
    expect_parse_error("silent = true", PX_EPARSE, 1, "property 'silent' without an element");
}

static void equals_without_property_name(void **state)
{
    (void)state;
    expect_parse_error("fakesrc num-buffers=1 =5 ! fakesink", PX_EPARSE, 23, "'=' without a property name");
    /* a lone element name before '=' reads as a property without its element */
    expect_parse_error("fakesrc =5 ! fakesink", PX_EPARSE, 1, "property 'fakesrc' without an element");
}

static void unknown_property_suggests_the_nearest(void **state)
{
    (void)state;
    px_error err = expect_parse_error("fakesrc num-bufers=3 ! fakesink", PX_ENOENT, 9,
                                      "fakesrc0: no property 'num-bufers'");
    expect_hint(&err, "did you mean 'num-buffers'?");
    err = expect_parse_error("fakesrc ! fakesink xyzzy=1", PX_ENOENT, 20, "fakesink0: no property 'xyzzy'");
    assert_non_null(strstr(err.hint, "fakesink has: silent"));
}

static void bad_int_points_at_the_value(void **state)
{
    (void)state;
    px_error err = expect_parse_error(
        "fakesrc num-buffers=abc ! fakesink", PX_EINVAL, 21,
        "fakesrc0: property 'num-buffers' expects an integer in [-1, 2147483647], got 'abc'");
    assert_string_equal(err.message,
                        "fakesrc0: property 'num-buffers' expects an integer in [-1, 2147483647], got "
                        "'abc' (column 21)\n"
                        "  fakesrc num-buffers=abc ! fakesink\n"
                        "                      ^");
}

static void int_out_of_range(void **state)
{
    (void)state;
    expect_parse_error("fakesrc num-buffers=-2 ! fakesink", PX_EINVAL, 21, "got '-2'");
    expect_parse_error("fakesrc num-buffers=99999999999 ! fakesink", PX_EINVAL, 21, "got '99999999999'");
    expect_parse_error("fakesrc num-buffers = 2147483648 ! fakesink", PX_EINVAL, 23, "got '2147483648'");
}

static void bad_bool(void **state)
{
    (void)state;
    expect_parse_error("fakesrc ! fakesink silent=maybe", PX_EINVAL, 27,
                       "fakesink0: property 'silent' expects a boolean (true/false), got 'maybe'");
}

static void unknown_enum_nick(void **state)
{
    (void)state;
    expect_parse_error("fakesrc sizetype=huge ! fakesink", PX_EINVAL, 18,
                       "fakesrc0: property 'sizetype' has no value 'huge'; accepted: empty, fixed, random");
}

static void bad_fraction_and_double(void **state)
{
    (void)state;
    expect_parse_error(
        "testsrc framerate=30/0 ! fakesink", PX_EINVAL, 19,
        "testsrc0: property 'framerate' expects a fraction such as 30/1 in [0/1, 2147483647/1], got '30/0'");
    expect_parse_error("fakesrc ! identity drop-probability=2.5 ! fakesink", PX_EINVAL, 37,
                       "identity0: property 'drop-probability' expects a number in [0, 1], got '2.5'");
}

static void unknown_reference(void **state)
{
    (void)state;
    px_error err = expect_parse_error("fakesrc ! foo.", PX_ENOENT, 11, "no element named 'foo'");
    assert_non_null(strstr(err.hint, "name=foo"));
    err = expect_parse_error("fakesrc ! identity name=split ! fakesink  splt. ! fakesink", PX_ENOENT, 43,
                             "no element named 'splt'");
    expect_hint(&err, "did you mean 'split.'?");
    expect_parse_error("fakesrc ! .src_0", PX_EPARSE, 11, "reference '.src_0' names no element");
}

static void duplicate_name(void **state)
{
    (void)state;
    px_error err =
        expect_parse_error("fakesrc name=a ! fakesink name=a", PX_EINVAL, 27, "name 'a' is already taken");
    assert_non_null(strstr(err.hint, "column 1"));
    expect_parse_error("fakesrc ! fakesink name=fakesrc0", PX_EINVAL, 20, "name 'fakesrc0' is already taken");
    expect_parse_error("fakesrc name=a name=b ! fakesink", PX_EINVAL, 16, "given a name twice");
    expect_parse_error("fakesrc name= ! fakesink", PX_EPARSE, 9, "property 'name' has no value");
    expect_parse_error("fakesrc name=\"\" ! fakesink", PX_EINVAL, 14, "empty element name");
}

static void linking_an_element_to_itself(void **state)
{
    (void)state;
    expect_parse_error("fakesrc ! identity name=i ! i.", PX_ELINK, 27, "cannot link i to itself");
}

static void source_with_nothing_to_link(void **state)
{
    (void)state;
    px_error err = expect_parse_error("fakesrc", PX_ELINK, 1, "fakesrc0 has nothing linked to its src pad");
    assert_non_null(strstr(err.hint, "fakesink"));
    expect_parse_error("fakesrc  fakesink", PX_ELINK, 1, "fakesrc0 has nothing linked to its src pad");
    expect_parse_error("fakesrc ! fakesink  identity", PX_ELINK, 21,
                       "identity0 has nothing linked to its src pad");
    expect_parse_error("fakesrc ! fakesink  fakesink", PX_ELINK, 21,
                       "fakesink1 has nothing linked to its sink pad");
}

static void pads_that_cannot_link_point_at_the_bang(void **state)
{
    (void)state;
    expect_parse_error("fakesink ! fakesrc", PX_ELINK, 10, "fakesink0 has no src pad");
    expect_parse_error("fakesrc ! identity name=i ! fakesink  i. ! fakesink", PX_ELINK, 42,
                       "i:src is already linked");
    expect_parse_error("fakesrc ! identity name=i  i.video ! fakesink", PX_ENOENT, 36,
                       "i has no pad 'video'");
    expect_parse_error("fakesrc ! m.src_0  testmux name=m", PX_ENOENT, 9, "m has no pad 'src_0'");
}

static void request_pads_that_cannot_link(void **state)
{
    (void)state;
    NEEDS(CONFIG_PX_ELEM_TEE);
    expect_parse_error("fakesrc ! tee name=t  t.src_0 ! fakesink  t.src_0 ! fakesink", PX_ELINK, 51,
                       "t:src_0 is already linked");
    expect_parse_error("fakesrc ! tee name=t  t.video ! fakesink", PX_ENOENT, 31, "t has no pad 'video'");
}

static void description_too_long(void **state)
{
    (void)state;
    size_t n = 70000;
    char *desc = malloc(n + 1);
    memset(desc, ' ', n);
    memcpy(desc, "fakesrc ! fakesink", 18);
    desc[n] = '\0';
    expect_parse_error(desc, PX_EINVAL, 0, "description too long");
    free(desc);
}

static void long_description_shows_a_window_with_the_caret_aligned(void **state)
{
    (void)state;
    char desc[512];
    int n = sprintf(desc, "fakesrc");
    for (int i = 0; i < 30; i++)
        n += sprintf(desc + n, " ! identity");
    n += sprintf(desc + n, " ! fakesnk ! identity ! identity ! identity ! identity ! identity ! fakesink");
    int col = (int)(strstr(desc, "fakesnk") - desc) + 1;
    px_error err = expect_parse_error(desc, PX_ENOENT, col, "no element 'fakesnk'");
    const char *l2 = strchr(err.message, '\n') + 1;
    const char *l3 = strchr(l2, '\n') + 1;
    const char *caret = strchr(l3, '^');
    size_t at = (size_t)(caret - l3);
    assert_true(strncmp(l2, "  ...", 5) == 0);
    assert_true(strncmp(l2 + at, "fakesnk", 7) == 0);
    assert_non_null(strstr(l2, "...\n"));
    assert_true(strchr(l2, '\n') - l2 < 100);
}

static void tabs_keep_the_caret_aligned(void **state)
{
    (void)state;
    px_error err = expect_parse_error("fakesrc\t!\tfakesnk", PX_ENOENT, 11, "no element 'fakesnk'");
    assert_non_null(strstr(err.message, "\n  fakesrc ! fakesnk\n            ^"));
}

static void bad_value_in_a_later_chain_has_its_own_column(void **state)
{
    (void)state;
    expect_parse_error("fakesrc ! fakesink  fakesrc ! fakesink silent=\"yes please\"", PX_EINVAL, 47,
                       "fakesink1: property 'silent' expects a boolean (true/false), got 'yes please'");
}

static void hostile_input_fails_cleanly(void **state)
{
    (void)state;
    /* Long junk tokens are shortened in messages, never overflow them. */
    char desc[3000];
    memset(desc, 'z', sizeof desc - 1);
    desc[sizeof desc - 1] = '\0';
    px_error err = expect_parse_error(desc, PX_ENOENT, 1, "no element 'zzz");
    assert_true(strlen(err.message) < 400);
    expect_parse_error("fakesrc ! \x01\x02 ! fakesink", PX_ENOENT, 11,
                       "no element '?"
                       "?'");
    expect_parse_error("fakesrc ! \\", PX_ENOENT, 11, "no element '\\'");
    expect_parse_error("=", PX_EPARSE, 1, "property '' without an element");
}

int main(void)
{
    if (px_register_element(&px_elem_testsrc) || px_register_element(&px_elem_testmux)) {
        fprintf(stderr, "cannot register the test elements\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_elements_are_named_and_linked),
        cmocka_unit_test(properties_of_every_kind_are_set),
        cmocka_unit_test(fractions_enums_and_negative_doubles),
        cmocka_unit_test(quoted_string_with_spaces),
        cmocka_unit_test(single_quotes_are_literal),
        cmocka_unit_test(escaped_quotes_inside_double_quotes),
        cmocka_unit_test(quotes_inside_a_word_and_empty_string),
        cmocka_unit_test(spaces_around_equals_are_accepted),
        cmocka_unit_test(no_spaces_around_bang),
        cmocka_unit_test(tabs_and_newlines_are_whitespace),
        cmocka_unit_test(name_sets_the_instance_name),
        cmocka_unit_test(auto_names_are_numbered_per_factory),
        cmocka_unit_test(auto_names_skip_names_taken_explicitly),
        cmocka_unit_test(caps_filter_becomes_capsfilter),
        cmocka_unit_test(caps_with_ranges_lists_and_spaces),
        cmocka_unit_test(quoted_caps_are_unquoted),
        cmocka_unit_test(caps_with_features_and_inner_quotes),
        cmocka_unit_test(tee_with_two_branches),
        cmocka_unit_test(forward_reference),
        cmocka_unit_test(reference_as_link_target_backward_and_forward),
        cmocka_unit_test(named_pads_on_both_sides),
        cmocka_unit_test(reference_in_the_middle_of_a_chain),
        cmocka_unit_test(multiple_chains),
        cmocka_unit_test(long_chain_of_elements),
        cmocka_unit_test(long_values_are_not_truncated),
        cmocka_unit_test(null_error_pointer_is_fine),
        cmocka_unit_test(unknown_element_suggests_the_nearest),
        cmocka_unit_test(unknown_element_without_near_match_points_at_the_list),
        cmocka_unit_test(property_on_unknown_element_reports_the_element),
        cmocka_unit_test(empty_description),
        cmocka_unit_test(whitespace_only_description),
        cmocka_unit_test(null_description),
        cmocka_unit_test(leading_bang),
        cmocka_unit_test(trailing_bang),
        cmocka_unit_test(double_bang),
        cmocka_unit_test(unterminated_double_quote),
        cmocka_unit_test(unterminated_single_quote),
        cmocka_unit_test(bad_caps_filter_syntax),
        cmocka_unit_test(caps_filter_needs_capsfilter_compiled_in),
        cmocka_unit_test(missing_value_after_equals),
        cmocka_unit_test(property_without_element),
        cmocka_unit_test(equals_without_property_name),
        cmocka_unit_test(unknown_property_suggests_the_nearest),
        cmocka_unit_test(bad_int_points_at_the_value),
        cmocka_unit_test(int_out_of_range),
        cmocka_unit_test(bad_bool),
        cmocka_unit_test(unknown_enum_nick),
        cmocka_unit_test(bad_fraction_and_double),
        cmocka_unit_test(unknown_reference),
        cmocka_unit_test(duplicate_name),
        cmocka_unit_test(linking_an_element_to_itself),
        cmocka_unit_test(source_with_nothing_to_link),
        cmocka_unit_test(pads_that_cannot_link_point_at_the_bang),
        cmocka_unit_test(request_pads_that_cannot_link),
        cmocka_unit_test(description_too_long),
        cmocka_unit_test(long_description_shows_a_window_with_the_caret_aligned),
        cmocka_unit_test(tabs_keep_the_caret_aligned),
        cmocka_unit_test(bad_value_in_a_later_chain_has_its_own_column),
        cmocka_unit_test(hostile_input_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
