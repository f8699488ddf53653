/* Caps tests: parse/print round trips, positioned errors on hostile text,
 * intersection, subset, fixation, field helpers and capacity limits. */

#define PARALLAX_IMPLEMENTATION
#include "parallax.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

/* ---- Helpers ------------------------------------------------------------------- */

static px_caps parse_ok(const char *text)
{
    px_caps c;
    px_error err = {0};
    int rc = px_caps_parse(&c, text, &err);
    if (rc != PX_OK)
        print_error("px_caps_parse(\"%s\"): %s\n", text, err.message);
    assert_int_equal(rc, PX_OK);
    assert_int_equal(px_caps_validate(&c, NULL), PX_OK);
    return c;
}

static const char *typed(const px_caps *c)
{
    static char buf[4096];
    assert_int_equal(px_caps_to_string(c, buf, sizeof buf), PX_OK);
    return buf;
}

static const char *brief(const px_caps *c)
{
    static char buf[4096];
    assert_int_equal(px_caps_to_short_string(c, buf, sizeof buf), PX_OK);
    return buf;
}

/* Parses text and checks both printed forms. */
static void assert_prints(const char *text, const char *want_typed, const char *want_short)
{
    px_caps c = parse_ok(text);
    assert_string_equal(typed(&c), want_typed);
    assert_string_equal(brief(&c), want_short);
}

/* Parse fails with code at 1-based column pos, message containing want. */
static void assert_parse_error(const char *text, int code, int pos, const char *want)
{
    px_caps c;
    px_error err = {0};
    px_caps_set_any(&c);
    int rc = px_caps_parse(&c, text, &err);
    if (rc != code || err.position != pos || !strstr(err.message, want))
        print_error("text \"%.80s\": rc %d pos %d message \"%s\"\n", text, rc, err.position, err.message);
    assert_int_equal(rc, code);
    assert_int_equal(err.code, code);
    assert_int_equal(err.position, pos);
    assert_non_null(strstr(err.message, want));
    assert_true(px_caps_is_empty(&c)); /* a failed parse leaves EMPTY */
}

/* parse(print(x)) == x in both forms, and printing is stable. */
static void assert_round_trip(const char *text)
{
    px_caps c = parse_ok(text), d, e;
    char t1[4096], t2[4096], s1[4096];
    assert_int_equal(px_caps_to_string(&c, t1, sizeof t1), PX_OK);
    assert_int_equal(px_caps_to_short_string(&c, s1, sizeof s1), PX_OK);
    d = parse_ok(t1);
    e = parse_ok(s1);
    if (!px_caps_is_equal(&c, &d) || !px_caps_is_equal(&c, &e))
        print_error("round trip of \"%s\": \"%s\" / \"%s\"\n", text, t1, s1);
    assert_true(px_caps_is_equal(&c, &d));
    assert_true(px_caps_is_equal(&c, &e));
    assert_int_equal(px_caps_to_string(&d, t2, sizeof t2), PX_OK);
    assert_string_equal(t1, t2);
}

static void assert_intersect(const char *a, const char *b, const char *want)
{
    px_caps ca = parse_ok(a), cb = parse_ok(b), out;
    assert_int_equal(px_caps_intersect(&out, &ca, &cb), PX_OK);
    assert_string_equal(brief(&out), want);
    assert_int_equal(px_caps_validate(&out, NULL), PX_OK);
    assert_int_equal(px_caps_can_intersect(&ca, &cb), !px_caps_is_empty(&out));
}

static bool subset(const char *sub, const char *super)
{
    px_caps a = parse_ok(sub), b = parse_ok(super);
    return px_caps_is_subset(&a, &b);
}

static void assert_fixates(const char *text, const char *preferred, const char *want)
{
    px_caps c = parse_ok(text), p;
    if (preferred)
        p = parse_ok(preferred);
    assert_int_equal(px_caps_fixate(&c, preferred ? &p : NULL), PX_OK);
    assert_string_equal(brief(&c), want);
    assert_true(px_caps_is_fixed(&c));
}

/* ---- Parsing and printing ------------------------------------------------------ */

static void parse_fixed_video_prints_typed_and_short_forms(void **state)
{
    (void)state;
    assert_prints(
        "video/x-raw,format=I420,width=640,height=480,framerate=30/1",
        "video/x-raw, format=(string)I420, width=(int)640, height=(int)480, framerate=(fraction)30/1",
        "video/x-raw, format=I420, width=640, height=480, framerate=30/1");
}

static void parse_lists_and_ranges_print_with_spaces(void **state)
{
    (void)state;
    assert_prints("video/x-raw,format={I420,NV12},width=[16,4096],framerate=[0/1,2147483647/1]",
                  "video/x-raw, format=(string){ I420, NV12 }, width=(int)[ 16, 4096 ], "
                  "framerate=(fraction)[ 0/1, 2147483647/1 ]",
                  "video/x-raw, format={ I420, NV12 }, width=[ 16, 4096 ], framerate=[ 0/1, 2147483647/1 ]");
}

static void parse_features_follow_media_type(void **state)
{
    (void)state;
    px_caps c = parse_ok("video/x-raw(memory:DMABuf),format=NV12");
    assert_string_equal(typed(&c), "video/x-raw(memory:DMABuf), format=(string)NV12");
    assert_string_equal(px_caps_media_type(&c, 0), "video/x-raw");
    assert_string_equal(px_caps_features(&c, 0), "memory:DMABuf");
    c = parse_ok("video/x-raw");
    assert_string_equal(px_caps_features(&c, 0), ""); /* CPU memory */
}

static void parse_features_are_sorted_and_system_memory_means_cpu(void **state)
{
    (void)state;
    px_caps a = parse_ok("video/x-raw(meta:Overlay, memory:DMABuf)");
    px_caps b = parse_ok("video/x-raw( memory:DMABuf ,meta:Overlay,memory:DMABuf )");
    assert_string_equal(px_caps_features(&a, 0), "memory:DMABuf, meta:Overlay");
    assert_true(px_caps_is_equal(&a, &b));
    px_caps s = parse_ok("video/x-raw(memory:SystemMemory), width=1"), n = parse_ok("video/x-raw, width=1");
    assert_string_equal(px_caps_features(&s, 0), "");
    assert_true(px_caps_is_equal(&s, &n));
}

static void parse_any_empty_none_and_blank(void **state)
{
    (void)state;
    px_caps c = parse_ok("ANY");
    assert_true(px_caps_is_any(&c));
    assert_false(px_caps_is_empty(&c));
    assert_string_equal(typed(&c), "ANY");
    assert_int_equal(px_caps_count(&c), 0);
    assert_null(px_caps_media_type(&c, 0));
    const char *empties[] = {"EMPTY", "NONE", "", "   \t\n", " EMPTY ; "};
    for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
        c = parse_ok(empties[i]);
        assert_true(px_caps_is_empty(&c));
        assert_false(px_caps_is_any(&c));
        assert_string_equal(brief(&c), "EMPTY");
    }
}

static void parse_multiple_structures_keep_their_order(void **state)
{
    (void)state;
    px_caps c = parse_ok("video/x-raw(memory:DMABuf), format=NV12; video/x-raw, format=I420;audio/x-raw");
    assert_int_equal(px_caps_count(&c), 3);
    assert_string_equal(px_caps_features(&c, 0), "memory:DMABuf");
    assert_string_equal(px_caps_media_type(&c, 1), "video/x-raw");
    assert_string_equal(px_caps_media_type(&c, 2), "audio/x-raw");
    assert_null(px_caps_media_type(&c, 3));
    assert_string_equal(brief(&c),
                        "video/x-raw(memory:DMABuf), format=NV12; video/x-raw, format=I420; audio/x-raw");
}

static void parse_allows_whitespace_around_every_token(void **state)
{
    (void)state;
    px_caps a = parse_ok(" \tvideo/x-raw ( memory:DMABuf ) ,\n format = ( string ) { I420 , NV12 } , "
                         "width = [ 1 , 2 ] , r = ( fraction ) 30 ;  audio/x-raw  ;  ");
    px_caps b = parse_ok("video/x-raw(memory:DMABuf),format={I420,NV12},width=[1,2],r=30/1;audio/x-raw");
    assert_true(px_caps_is_equal(&a, &b));
}

static void parse_type_annotations_coerce_and_accept_gstreamer_aliases(void **state)
{
    (void)state;
    assert_prints("a/b, f=(fraction)30, g=(fraction)[0, 60], s=(string)123, t=(s)true, b=(boolean)1, "
                  "c=(bool)f, i=(gint)-4, j=(i)5, k=(gchararray)x, l=(b)yes, m=(int){1,2}",
                  "a/b, f=(fraction)30/1, g=(fraction)[ 0/1, 60/1 ], s=(string)\"123\", t=(string)\"true\", "
                  "b=(boolean)true, c=(boolean)false, i=(int)-4, j=(int)5, k=(string)x, l=(boolean)true, "
                  "m=(int){ 1, 2 }",
                  "a/b, f=30/1, g=[ 0/1, 60/1 ], s=\"123\", t=\"true\", b=true, c=false, i=-4, j=5, k=x, "
                  "l=true, m={ 1, 2 }");
}

static void parse_fractions_are_reduced(void **state)
{
    (void)state;
    assert_prints("a/b, r=60/2, z=0/5, n=-30/4, m=30000/1001",
                  "a/b, r=(fraction)30/1, z=(fraction)0/1, "
                  "n=(fraction)-15/2, m=(fraction)30000/1001",
                  "a/b, r=30/1, z=0/1, n=-15/2, m=30000/1001");
}

static void parse_booleans_ints_and_int_limits(void **state)
{
    (void)state;
    px_caps c = parse_ok("a/b, t=TRUE, y=yes, f=False, n=no, p=+7, m=-2147483648, M=2147483647, z=007");
    bool v;
    int i;
    assert_int_equal(px_caps_get_bool(&c, "t", &v), PX_OK);
    assert_true(v);
    assert_int_equal(px_caps_get_bool(&c, "y", &v), PX_OK);
    assert_true(v);
    assert_int_equal(px_caps_get_bool(&c, "f", &v), PX_OK);
    assert_false(v);
    assert_int_equal(px_caps_get_bool(&c, "n", &v), PX_OK);
    assert_false(v);
    assert_int_equal(px_caps_get_int(&c, "p", &i), PX_OK);
    assert_int_equal(i, 7);
    assert_int_equal(px_caps_get_int(&c, "m", &i), PX_OK);
    assert_int_equal(i, -2147483647 - 1);
    assert_int_equal(px_caps_get_int(&c, "M", &i), PX_OK);
    assert_int_equal(i, 2147483647);
    assert_int_equal(px_caps_get_int(&c, "z", &i), PX_OK);
    assert_int_equal(i, 7);
}

static void parse_quoted_strings_with_escapes(void **state)
{
    (void)state;
    px_caps c = parse_ok("a/b, s=\"say \\\"hi\\\" \\\\ ok; {x}\", e=\"\", u=\"caf\xc3\xa9\"");
    assert_string_equal(px_caps_get_string(&c, "s"), "say \"hi\" \\ ok; {x}");
    assert_string_equal(px_caps_get_string(&c, "e"), "");
    assert_string_equal(px_caps_get_string(&c, "u"), "caf\xc3\xa9");
    assert_string_equal(brief(&c), "a/b, s=\"say \\\"hi\\\" \\\\ ok; {x}\", e=\"\", u=\"caf\xc3\xa9\"");
}

static void parse_single_entry_list_and_point_range_are_single_values(void **state)
{
    (void)state;
    px_caps c = parse_ok("a/b, f={I420}, w=[5,5], r=[30/1, 60/2]");
    assert_string_equal(brief(&c), "a/b, f=I420, w=5, r=30/1");
    assert_true(px_caps_is_fixed(&c));
}

static void parse_drops_duplicate_list_entries(void **state)
{
    (void)state;
    assert_prints("a/b, f={I420, NV12, I420}, r={30/1, 60/2}",
                  "a/b, f=(string){ I420, NV12 }, r=(fraction)30/1", "a/b, f={ I420, NV12 }, r=30/1");
}

static void parse_accepts_range_step_of_one(void **state)
{
    (void)state;
    assert_prints("a/b, w=[16, 4096, 1]", "a/b, w=(int)[ 16, 4096 ]", "a/b, w=[ 16, 4096 ]");
}

static void print_quotes_strings_that_would_read_back_as_something_else(void **state)
{
    (void)state;
    px_caps c = parse_ok("a/b");
    const char *odd[] = {"123", "true", "No", "4.1", "", "ANY", "two words", "30/1", "-x", "a,b", "(int)"};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        assert_int_equal(px_caps_set_string(&c, "s", odd[i]), PX_OK);
        px_caps d = parse_ok(brief(&c)), e = parse_ok(typed(&c));
        assert_string_equal(px_caps_get_string(&d, "s"), odd[i]);
        assert_string_equal(px_caps_get_string(&e, "s"), odd[i]);
    }
    assert_int_equal(px_caps_set_string(&c, "s", "video/x-raw"), PX_OK);
    assert_string_equal(brief(&c), "a/b, s=video/x-raw"); /* plain words stay bare */
}

static void round_trip_over_many_caps(void **state)
{
    (void)state;
    const char *cases[] = {
        "ANY",
        "EMPTY",
        "video/x-raw",
        "video/x-raw, format=I420, width=640, height=480, framerate=30/1",
        "video/x-raw, format={I420,NV12,YUY2}, width=[16,4096], framerate=[0/1,2147483647/1]",
        "video/x-raw(memory:DMABuf), format=NV12; video/x-raw, format=I420",
        "video/x-raw(memory:DMABuf, meta:GstVideoOverlayComposition), format=NV12",
        "audio/x-raw, format=S16LE, rate=[1,2147483647], channels=2, layout=interleaved",
        "video/x-h264, stream-format=avc, alignment=au, profile={high, main, baseline}",
        "application/x-rtp, media=video, clock-rate=90000, encoding-name=H264, payload=96",
        "image/jpeg, width=1920, height=1080, sof-marker={0,1,2}",
        "video/x-raw, interlaced=false, pixel-aspect-ratio=1/1, framerate=30000/1001",
        "a/b, s=\"quoted \\\"text\\\"\", t=\"\", n=\"42\", b=\"false\"",
        "a/b, neg=-5, r=[-10,-1], fr=[-1/2, 1/2]",
        "a/b, l={1,2,3}, fl={30/1, 25/1, 30000/1001}, bl={true,false}",
        "a/b, m=2147483647, n=-2147483648, r=[-2147483648, 2147483647]",
        "video/x-av1; video/x-h265; video/x-h264; video/mpegts; video/quicktime; video/x-ivf",
        "a/b, x=(string){ \"a b\", \"c,d\", e }",
        "video/x-raw, colorimetry=bt709, chroma-site=mpeg2, multiview-mode=mono",
        "a/b, s=\"caf\xc3\xa9\", p=x:y.z+w_v-u",
        "video/x-raw(memory:DMABuf); video/x-raw(memory:VulkanImage)",
        "a/b, f=(fraction)[1/3, 2/3], g=(fraction)0/1",
        "a/b, w=[1, 2]",
        "a/b, v=version/1.0",
        "  video/x-raw  ,  width  =  ( int )  [ 1 , 2 ]  ;  ",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_round_trip(cases[i]);
}

static void print_into_small_buffer_truncates_and_reports_enomem(void **state)
{
    (void)state;
    px_caps c = parse_ok("video/x-raw, format=I420");
    char buf[12];
    memset(buf, 'x', sizeof buf);
    assert_int_equal(px_caps_to_string(&c, buf, sizeof buf), PX_ENOMEM);
    assert_string_equal(buf, "video/x-raw");
    assert_int_equal(px_caps_to_short_string(&c, buf, 1), PX_ENOMEM);
    assert_string_equal(buf, "");
    assert_int_equal(px_caps_to_short_string(&c, buf, 0), PX_ENOMEM);
    char exact[25];
    assert_int_equal(px_caps_to_short_string(&c, exact, sizeof exact), PX_OK); /* 24 chars + NUL fit */
    assert_string_equal(exact, "video/x-raw, format=I420");
}

/* ---- Hostile text: exact positions and messages --------------------------------- */

static void error_missing_equals_names_the_field(void **state)
{
    (void)state;
    assert_parse_error("video/x-raw, width 640", PX_EPARSE, 20,
                       "caps: expected '=' after field name 'width', found '6' (column 20)");
    assert_parse_error("video/x-raw, width", PX_EPARSE, 19,
                       "expected '=' after field name 'width', found end of text");
}

static void error_unterminated_list_points_at_the_brace(void **state)
{
    (void)state;
    assert_parse_error("video/x-raw, format={I420, NV12", PX_EPARSE, 21,
                       "caps: unterminated list '{' (column 21)");
    assert_parse_error("video/x-raw, format={I420,", PX_EPARSE, 21, "unterminated list '{'");
    assert_parse_error("video/x-raw, format={I420 NV12}", PX_EPARSE, 27,
                       "expected ',' or '}' in the list, found 'N' (column 27)");
}

static void error_empty_range_shows_its_bounds(void **state)
{
    (void)state;
    assert_parse_error("video/x-raw, width=[10, 5]", PX_EPARSE, 20,
                       "caps: range [10, 5] is empty (column 20)");
    assert_parse_error("a/b, r=[60/1, 30/1]", PX_EPARSE, 8, "range [60/1, 30/1] is empty");
}

static void error_unterminated_range_string_type_and_features(void **state)
{
    (void)state;
    assert_parse_error("a/b, w=[1, 2", PX_EPARSE, 8, "caps: unterminated range '[' (column 8)");
    assert_parse_error("a/b, s=\"abc", PX_EPARSE, 8, "caps: unterminated string '\"' (column 8)");
    assert_parse_error("a/b, s=(int", PX_EPARSE, 8, "caps: unterminated type '(' (column 8)");
    assert_parse_error("a/b(memory:DMABuf", PX_EPARSE, 4, "caps: unterminated features '(' (column 4)");
    assert_parse_error("a/b(), w=1", PX_EPARSE, 5,
                       "expected a caps feature such as memory:DMABuf, found ')'");
}

static void error_too_many_structures_names_the_limit(void **state)
{
    (void)state;
    assert_parse_error("a/b;a/b;a/b;a/b;a/b;a/b;a/b;a/b;a/c", PX_ENOMEM, 33,
                       "caps: too many structures (at most 8) (column 33)");
}

static void error_too_many_fields_and_values_name_the_limit(void **state)
{
    (void)state;
    char text[2048];
    size_t n = (size_t)snprintf(text, sizeof text, "a/b");
    for (int i = 0; i < 65; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, ", f%d=1", i);
    /* field 65 (f64) starts after "a/b" + 64 * len(", fN=1") */
    const char *f64 = strstr(text, "f64=");
    assert_parse_error(text, PX_ENOMEM, (int)(f64 - text) + 1,
                       "too many fields (at most 64 over all structures)");

    n = (size_t)snprintf(text, sizeof text, "a/b, l={");
    for (int i = 0; i < 193; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s%d", i ? "," : "", i);
    snprintf(text + n, sizeof text - n, "}");
    const char *v192 = strstr(text, ",192}") + 1;
    assert_parse_error(text, PX_ENOMEM, (int)(v192 - text) + 1,
                       "too many values (at most 192 over all fields)");
}

static void error_int_overflow_is_reported_not_wrapped(void **state)
{
    (void)state;
    assert_parse_error("video/x-raw, width=2147483648", PX_EPARSE, 20,
                       "caps: number '2147483648' is out of range (at most 2147483647 in magnitude)");
    assert_parse_error("a/b, w=-2147483649", PX_EPARSE, 8, "out of range");
    assert_parse_error("a/b, w=99999999999999999999999999999999999999999999999999", PX_EPARSE, 8,
                       "number '9999999999999999999999999999999999999999...' is out of range");
    assert_parse_error("a/b, r=1/99999999999", PX_EPARSE, 8, "number '1/99999999999' is out of range");
    assert_parse_error("a/b, w=[1, 99999999999]", PX_EPARSE, 12, "out of range");
}

static void error_zero_or_negative_denominator(void **state)
{
    (void)state;
    assert_parse_error("a/b, r=30/0", PX_EPARSE, 11,
                       "fraction '30/0' needs a positive denominator (column 11)");
    assert_parse_error("a/b, r=30/-1", PX_EPARSE, 11, "needs a positive denominator");
}

static void error_empty_field_and_trailing_comma(void **state)
{
    (void)state;
    assert_parse_error("video/x-raw,,", PX_EPARSE, 13,
                       "caps: expected a field name after ',', found ',' (column 13)");
    assert_parse_error("video/x-raw,", PX_EPARSE, 13, "expected a field name after ',', found end of text");
    assert_parse_error("video/x-raw, =5", PX_EPARSE, 14, "expected a field name after ','");
}

static void error_missing_or_malformed_media_type(void **state)
{
    (void)state;
    assert_parse_error("/x-raw", PX_EPARSE, 1,
                       "caps: expected a media type such as video/x-raw, found '/' (column 1)");
    assert_parse_error("width=640", PX_EPARSE, 1, "caps: missing media type before field 'width' (column 1)");
    assert_parse_error("video, width=1", PX_EPARSE, 1,
                       "caps: media type 'video' is not type/subtype (column 1)");
    assert_parse_error("video/, width=1", PX_EPARSE, 1, "media type 'video/' is not type/subtype");
    assert_parse_error(", width=1", PX_EPARSE, 1, "expected a media type such as video/x-raw, found ','");
    assert_parse_error("video/x-raw;;audio/x-raw", PX_EPARSE, 13,
                       "expected a media type such as video/x-raw");
}

static void error_trailing_garbage(void **state)
{
    (void)state;
    assert_parse_error("video/x-raw, width=640 480", PX_EPARSE, 24,
                       "expected ',' or ';' after the value of 'width', found '4' (column 24)");
    assert_parse_error("video/x-raw garbage", PX_EPARSE, 13,
                       "expected ',' or ';' after the media type, found 'g'");
    assert_parse_error("ANY foo", PX_EPARSE, 5, "expected nothing after ANY, found 'f' (column 5)");
    assert_parse_error("EMPTY; video/x-raw", PX_EPARSE, 8, "expected nothing after EMPTY");
    assert_parse_error("a/b, w=[1,2]]", PX_EPARSE, 13, "found ']'");
}

static void error_control_and_non_ascii_characters(void **state)
{
    (void)state;
    assert_parse_error("video/x-raw, format=I4\x01", PX_EPARSE, 23,
                       "found control character 0x01 (column 23)");
    assert_parse_error("a/b, s=\"x\x1by\"", PX_EPARSE, 10,
                       "caps: control character 0x1b in string (column 10)");
    assert_parse_error("a/b, s=\"x\\\x7fy\"", PX_EPARSE, 11, "control character 0x7f in string");
    assert_parse_error("a/b, f=caf\xc3\xa9", PX_EPARSE, 11, "found byte 0xc3 (column 11)");
}

static void error_unknown_type_lists_the_accepted_ones(void **state)
{
    (void)state;
    assert_parse_error(
        "video/x-raw, rate=(double)1.5", PX_EPARSE, 20,
        "caps: unknown type 'double' (column 20)\n  hint: accepted types: int, fraction, string, boolean");
    assert_parse_error("a/b, x=()1", PX_EPARSE, 9, "unknown type ''");
}

static void error_typed_values_must_match_their_type(void **state)
{
    (void)state;
    assert_parse_error("a/b, w=(int)abc", PX_EPARSE, 13,
                       "expected a value for field 'w' (int), found 'abc' (column 13)");
    assert_parse_error("a/b, w=(int)30/1", PX_EPARSE, 13, "found the fraction '30/1'");
    assert_parse_error("a/b, w=(boolean)maybe", PX_EPARSE, 17,
                       "(boolean: true, false, yes or no), found 'maybe'");
    assert_parse_error("a/b, w=(int)\"5\"", PX_EPARSE, 13, "found a quoted string");
    assert_parse_error("a/b, w=[a, b]", PX_EPARSE, 9,
                       "range bounds must be ints or fractions, found a string");
    assert_parse_error("a/b, w=[1, 2/1]", PX_EPARSE, 12, "range mixes int and fraction bounds (column 12)");
}

static void error_floats_are_refused_with_a_hint(void **state)
{
    (void)state;
    assert_parse_error("audio/x-raw, rate=44.1", PX_EPARSE, 19,
                       "floating-point value '44.1' is not supported (column 19)\n  hint: write a fraction");
    px_caps c = parse_ok("a/b, level=(string)4.1");
    assert_string_equal(px_caps_get_string(&c, "level"), "4.1");
}

static void error_nesting_is_refused_at_the_second_bracket(void **state)
{
    (void)state;
    static char deep[100000];
    memcpy(deep, "a/b, w=", 7);
    memset(deep + 7, '[', sizeof deep - 8);
    deep[sizeof deep - 1] = '\0';
    assert_parse_error(deep, PX_EPARSE, 9, "(ranges and lists do not nest), found '['");
    memset(deep + 7, '{', sizeof deep - 8);
    assert_parse_error(deep, PX_EPARSE, 9, "expected a list entry (ranges and lists do not nest), found '{'");
    assert_parse_error("a/b, w={[1,2], 3}", PX_EPARSE, 9, "found '['");
    assert_parse_error("a/b, w=<1, 2>", PX_EPARSE, 8, "arrays '<...>' are not supported (column 8)");
}

static void error_huge_strings_hit_the_pool_limit(void **state)
{
    (void)state;
    size_t n = 1 << 20;
    char *text = malloc(n + 32);
    assert_non_null(text);
    memcpy(text, "a/b, s=", 7);
    memset(text + 7, 'x', n);
    text[7 + n] = '\0';
    assert_parse_error(text, PX_ENOMEM, 8,
                       "caps: names and strings too long (at most 1023 bytes in all) (column 8)");
    text[7] = '"';
    text[7 + n - 1] = '"';
    assert_parse_error(text, PX_ENOMEM, 8, "caps: string longer than 1023 bytes (column 8)");
    memset(text, 'v', n); /* a 1 MB media type */
    text[1] = '/';
    text[n] = '\0';
    assert_parse_error(text, PX_ENOMEM, 1, "media type longer than 1023 bytes");
    free(text);
}

static void error_list_entries_must_share_a_type(void **state)
{
    (void)state;
    assert_parse_error("a/b, f={I420, 1}", PX_EPARSE, 15,
                       "caps: list mixes string and int entries (column 15)\n  hint: every entry of a list");
    assert_parse_error("a/b, f={1, 30/1}", PX_EPARSE, 12, "list mixes int and fraction entries");
    px_caps c = parse_ok("a/b, f=(fraction){1, 30/1, 25}");
    assert_string_equal(brief(&c), "a/b, f={ 1/1, 30/1, 25/1 }");
}

static void error_range_step_and_bad_range_shapes(void **state)
{
    (void)state;
    assert_parse_error(
        "video/x-raw, width=(int)[1,4096,2]", PX_EPARSE, 33,
        "caps: range steps are not supported (column 33)\n  hint: write the range without a step");
    assert_parse_error("a/b, w=[1]", PX_EPARSE, 10, "expected ',' between the range bounds, found ']'");
    assert_parse_error("a/b, w=[1,2,1,4]", PX_EPARSE, 14, "expected ']' to close the range, found ','");
    assert_parse_error("a/b, w=[0/1, 1/1, 1/1]", PX_EPARSE, 19, "range steps are not supported");
}

static void error_duplicate_field_and_empty_list(void **state)
{
    (void)state;
    assert_parse_error("a/b, w=1, h=2, w=3", PX_EPARSE, 16, "caps: field 'w' is given twice (column 16)");
    assert_parse_error("a/b, f={}", PX_EPARSE, 8, "caps: empty list '{}' (column 8)");
    assert_parse_error("a/b, f=", PX_EPARSE, 8, "expected a value for field 'f', found end of text");
    assert_parse_error("a/b, f=;", PX_EPARSE, 8, "expected a value for field 'f', found ';'");
}

static void error_long_names_are_shortened_in_messages(void **state)
{
    (void)state;
    char text[300];
    memset(text, 'w', sizeof text);
    memcpy(text, "a/b, ", 5);
    text[250] = '\0';
    px_caps c;
    px_error err = {0};
    assert_int_equal(px_caps_parse(&c, text, &err), PX_EPARSE);
    assert_int_equal(err.position, 251);
    assert_non_null(strstr(err.message, "'wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww...'"));
    assert_true(strlen(err.message) < 160);
}

static void error_null_arguments_are_safe(void **state)
{
    (void)state;
    px_caps c;
    px_error err = {0};
    assert_int_equal(px_caps_parse(&c, NULL, &err), PX_EINVAL);
    assert_true(px_caps_is_empty(&c));
    assert_int_equal(px_caps_parse(NULL, "ANY", &err), PX_EINVAL);
    assert_int_equal(px_caps_parse(&c, "a/b, w=", NULL), PX_EPARSE); /* no error struct */
}

/* ---- Intersection -------------------------------------------------------------- */

static void intersect_int_with_int(void **state)
{
    (void)state;
    assert_intersect("a/b, w=640", "a/b, w=640", "a/b, w=640");
    assert_intersect("a/b, w=640", "a/b, w=641", "EMPTY");
}

static void intersect_int_with_range(void **state)
{
    (void)state;
    assert_intersect("a/b, w=640", "a/b, w=[16, 4096]", "a/b, w=640");
    assert_intersect("a/b, w=[16, 4096]", "a/b, w=4096", "a/b, w=4096");
    assert_intersect("a/b, w=[16, 4096]", "a/b, w=15", "EMPTY");
}

static void intersect_range_with_range(void **state)
{
    (void)state;
    assert_intersect("a/b, w=[16, 4096]", "a/b, w=[1, 1920]", "a/b, w=[ 16, 1920 ]");
    assert_intersect("a/b, w=[16, 100]", "a/b, w=[100, 200]", "a/b, w=100"); /* one point left */
    assert_intersect("a/b, w=[16, 99]", "a/b, w=[100, 200]", "EMPTY");
}

static void intersect_lists_keep_the_first_operands_order(void **state)
{
    (void)state;
    assert_intersect("a/b, f={I420, NV12, YUY2}", "a/b, f={YUY2, NV12, RGB}", "a/b, f={ NV12, YUY2 }");
    assert_intersect("a/b, f={YUY2, NV12, RGB}", "a/b, f={I420, NV12, YUY2}", "a/b, f={ YUY2, NV12 }");
}

static void intersect_list_collapses_to_a_single_value(void **state)
{
    (void)state;
    assert_intersect("a/b, f={I420, NV12}", "a/b, f={NV12, RGB}", "a/b, f=NV12");
    assert_intersect("a/b, f={I420, NV12}", "a/b, f=NV12", "a/b, f=NV12");
    assert_intersect("a/b, f={I420, NV12}", "a/b, f={RGB, BGR}", "EMPTY");
}

static void intersect_int_list_with_range(void **state)
{
    (void)state;
    assert_intersect("a/b, w={100, 5000, 200}", "a/b, w=[16, 4096]", "a/b, w={ 100, 200 }");
    assert_intersect("a/b, w=[16, 4096]", "a/b, w={5000, 200, 100}", "a/b, w={ 200, 100 }");
}

static void intersect_fraction_with_fraction_range(void **state)
{
    (void)state;
    assert_intersect("a/b, r=30000/1001", "a/b, r=[0/1, 30/1]", "a/b, r=30000/1001");
    assert_intersect("a/b, r=[0/1, 30/1]", "a/b, r=30001/1000", "EMPTY");
    /* products near 2^62 compared exactly in 64 bits */
    assert_intersect("a/b, r=2147483646/2147483645", "a/b, r=[1/1, 2147483647/2147483646]", "EMPTY");
    assert_intersect("a/b, r=2147483647/2147483646", "a/b, r=[1/1, 2147483646/2147483645]",
                     "a/b, r=2147483647/2147483646");
    assert_intersect("a/b, r=60/2", "a/b, r=30/1", "a/b, r=30/1");
    assert_intersect("a/b, r={25/1, 30/1, 60/1}", "a/b, r=[0/1, 30/1]", "a/b, r={ 25/1, 30/1 }");
}

static void intersect_fraction_ranges(void **state)
{
    (void)state;
    assert_intersect("a/b, r=[0/1, 2147483647/1]", "a/b, r=[25/1, 60/1]", "a/b, r=[ 25/1, 60/1 ]");
    assert_intersect("a/b, r=[1/2, 30/1]", "a/b, r=[30/1, 60/1]", "a/b, r=30/1");
    assert_intersect("a/b, r=[1/2, 1/1]", "a/b, r=[3/2, 2/1]", "EMPTY");
}

static void intersect_strings_and_bools(void **state)
{
    (void)state;
    assert_intersect("a/b, s=avc, i=false", "a/b, s=avc, i=false", "a/b, s=avc, i=false");
    assert_intersect("a/b, s=avc", "a/b, s=byte-stream", "EMPTY");
    assert_intersect("a/b, s=avc", "a/b, s=AVC", "EMPTY"); /* case matters, as in GStreamer */
    assert_intersect("a/b, i={true, false}", "a/b, i=true", "a/b, i=true");
}

static void intersect_different_types_is_empty(void **state)
{
    (void)state;
    assert_intersect("a/b, r=30", "a/b, r=30/1", "EMPTY");
    assert_intersect("a/b, r=\"30\"", "a/b, r=30", "EMPTY");
    assert_intersect("a/b, w=[1, 10]", "a/b, w=[1/1, 10/1]", "EMPTY");
}

static void intersect_features_must_match(void **state)
{
    (void)state;
    assert_intersect("video/x-raw", "video/x-raw(memory:DMABuf)", "EMPTY");
    assert_intersect("video/x-raw(memory:DMABuf), f=NV12", "video/x-raw(memory:DMABuf)",
                     "video/x-raw(memory:DMABuf), f=NV12");
    assert_intersect("video/x-raw(memory:SystemMemory)", "video/x-raw", "video/x-raw");
}

static void intersect_media_types_must_match(void **state)
{
    (void)state;
    assert_intersect("video/x-raw, w=1", "audio/x-raw, w=1", "EMPTY");
}

static void intersect_with_any_and_empty(void **state)
{
    (void)state;
    assert_intersect("ANY", "video/x-raw, w=[1,2]", "video/x-raw, w=[ 1, 2 ]");
    assert_intersect("video/x-raw, w=[1,2]", "ANY", "video/x-raw, w=[ 1, 2 ]");
    assert_intersect("ANY", "ANY", "ANY");
    assert_intersect("ANY", "EMPTY", "EMPTY");
    assert_intersect("EMPTY", "video/x-raw", "EMPTY");
}

static void intersect_keeps_fields_present_on_one_side(void **state)
{
    (void)state;
    assert_intersect("video/x-raw, format=I420, width=640", "video/x-raw, height=480, width=[1, 1000]",
                     "video/x-raw, format=I420, width=640, height=480");
    assert_intersect("video/x-raw", "video/x-raw, width=640", "video/x-raw, width=640");
}

static void intersect_multiple_structures_in_first_operand_order(void **state)
{
    (void)state;
    assert_intersect("video/x-raw, f=NV12; video/x-raw, f=I420; audio/x-raw",
                     "audio/x-raw; video/x-raw, f={I420, NV12}",
                     "video/x-raw, f=NV12; video/x-raw, f=I420; audio/x-raw");
    assert_intersect("audio/x-raw; video/x-raw, f={I420, NV12}",
                     "video/x-raw, f=NV12; video/x-raw, f=I420; audio/x-raw",
                     "audio/x-raw; video/x-raw, f=NV12; video/x-raw, f=I420");
}

static void intersect_drops_pairs_with_an_empty_field(void **state)
{
    (void)state;
    assert_intersect("video/x-raw, f=I420, w=640", "video/x-raw, f=I420, w=320; video/x-raw, w=640",
                     "video/x-raw, f=I420, w=640");
}

static void intersect_drops_results_already_covered(void **state)
{
    (void)state;
    /* both of b's structures give the same result: it appears once */
    assert_intersect("video/x-raw, w=640", "video/x-raw, w=[1, 1000]; video/x-raw, w=[600, 700]",
                     "video/x-raw, w=640");
}

static void intersect_output_may_alias_an_input(void **state)
{
    (void)state;
    px_caps a = parse_ok("a/b, w=[1, 100], f={x, y}"), b = parse_ok("a/b, w=[50, 200], f=y");
    assert_int_equal(px_caps_intersect(&a, &a, &b), PX_OK);
    assert_string_equal(brief(&a), "a/b, w=[ 50, 100 ], f=y");
    a = parse_ok("a/b, w=[1, 100], f={x, y}");
    assert_int_equal(px_caps_intersect(&b, &a, &b), PX_OK);
    assert_string_equal(brief(&b), "a/b, w=[ 50, 100 ], f=y");
}

static void intersect_result_too_big_reports_enomem(void **state)
{
    (void)state;
    /* 8 x 8 distinct structures cannot all fit */
    char ta[512], tb[512];
    size_t na = 0, nb = 0;
    for (int i = 0; i < 8; i++) {
        na += (size_t)snprintf(ta + na, sizeof ta - na, "%sa/b, x=%d", i ? ";" : "", i);
        nb += (size_t)snprintf(tb + nb, sizeof tb - nb, "%sa/b, y=%d", i ? ";" : "", i);
    }
    px_caps a = parse_ok(ta), b = parse_ok(tb), out;
    assert_int_equal(px_caps_intersect(&out, &a, &b), PX_ENOMEM);
    assert_true(px_caps_is_empty(&out));
    assert_true(px_caps_can_intersect(&a, &b));
}

/* ---- Subset -------------------------------------------------------------------- */

static void subset_fixed_values_in_ranges_and_lists(void **state)
{
    (void)state;
    assert_true(subset("video/x-raw, f=I420, w=640, r=30/1",
                       "video/x-raw, f={I420, NV12}, w=[16, 4096], r=[0/1, 60/1]"));
    assert_false(subset("video/x-raw, f=YUY2, w=640", "video/x-raw, f={I420, NV12}, w=[16, 4096]"));
    assert_true(subset("a/b, w=[20, 30]", "a/b, w=[16, 4096]"));
    assert_false(subset("a/b, w=[10, 30]", "a/b, w=[16, 4096]"));
    assert_true(subset("a/b, f={I420, NV12}", "a/b, f={NV12, RGB, I420}"));
    assert_false(subset("a/b, f={I420, NV12}", "a/b, f=I420"));
    assert_true(subset("a/b, r=[25/1, 30/1]", "a/b, r=[0/1, 60/1]"));
}

static void subset_needs_every_super_field_in_sub(void **state)
{
    (void)state;
    assert_false(subset("video/x-raw, w=640", "video/x-raw, w=640, h=480")); /* sub leaves h open */
    assert_true(subset("video/x-raw, w=640, h=480", "video/x-raw, w=640"));  /* extra fields narrow */
}

static void subset_with_any_empty_features_and_structures(void **state)
{
    (void)state;
    assert_true(subset("video/x-raw", "ANY"));
    assert_false(subset("ANY", "video/x-raw"));
    assert_true(subset("ANY", "ANY"));
    assert_true(subset("EMPTY", "video/x-raw"));
    assert_false(subset("video/x-raw", "EMPTY"));
    assert_false(subset("video/x-raw(memory:DMABuf)", "video/x-raw"));
    assert_true(subset("video/x-raw, f=I420; audio/x-raw", "audio/x-raw; video/x-raw"));
    assert_false(subset("video/x-raw; audio/x-raw", "video/x-raw"));
}

/* ---- Fixation ------------------------------------------------------------------ */

static void fixate_without_preference(void **state)
{
    (void)state;
    assert_fixates("video/x-raw, f={NV12, I420}, w=[16, 4096], r=[0/1, 2147483647/1], i=false; audio/x-raw",
                   NULL, "video/x-raw, f=NV12, w=16, r=1/1, i=false");
    assert_fixates("a/b, r=[25/1, 60/1]", NULL, "a/b, r=25/1"); /* nearest to 1/1 */
    assert_fixates("a/b, r=[0/1, 1/2]", NULL, "a/b, r=1/2");
}

static void fixate_prefers_a_value_inside_the_range(void **state)
{
    (void)state;
    assert_fixates("video/x-raw, w=[16, 4096], r=[0/1, 60/1]", "video/x-raw, w=1920, r=30000/1001",
                   "video/x-raw, w=1920, r=30000/1001");
}

static void fixate_clamps_the_preference_into_the_range(void **state)
{
    (void)state;
    assert_fixates("video/x-raw, w=[16, 1280], h=[16, 720], r=[0/1, 30/1]",
                   "video/x-raw, w=1920, h=8, r=60/1", "video/x-raw, w=1280, h=16, r=30/1");
}

static void fixate_list_takes_the_preferred_entry_else_the_first(void **state)
{
    (void)state;
    assert_fixates("video/x-raw, f={I420, NV12, YUY2}", "video/x-raw, f=YUY2", "video/x-raw, f=YUY2");
    assert_fixates("video/x-raw, f={I420, NV12, YUY2}", "video/x-raw, f=RGB", "video/x-raw, f=I420");
    assert_fixates("video/x-raw, f={I420, NV12, YUY2}", "video/x-raw, f={RGB, YUY2, NV12}",
                   "video/x-raw, f=NV12");
}

static void fixate_with_a_preferred_range_takes_the_common_part(void **state)
{
    (void)state;
    assert_fixates("video/x-raw, w=[16, 4096]", "video/x-raw, w=[100, 200]", "video/x-raw, w=100");
    assert_fixates("video/x-raw, w=[16, 64]", "video/x-raw, w=[100, 200]", "video/x-raw, w=64");
}

static void fixate_ignores_preferences_for_other_media_or_types(void **state)
{
    (void)state;
    assert_fixates("video/x-raw, w=[16, 4096]", "audio/x-raw, w=1920", "video/x-raw, w=16");
    assert_fixates("video/x-raw, w=[16, 4096]", "video/x-raw, w=30/1", "video/x-raw, w=16");
    assert_fixates("video/x-raw, w=[16, 4096]", "ANY", "video/x-raw, w=16");
    assert_fixates("video/x-raw, w=[16, 4096]", "audio/x-raw; video/x-raw, w=640", "video/x-raw, w=640");
}

static void fixate_any_or_empty_fails(void **state)
{
    (void)state;
    px_caps c = parse_ok("ANY");
    assert_int_equal(px_caps_fixate(&c, NULL), PX_EINVAL);
    c = parse_ok("EMPTY");
    assert_int_equal(px_caps_fixate(&c, NULL), PX_EINVAL);
}

static void is_fixed_needs_one_structure_of_single_values(void **state)
{
    (void)state;
    px_caps c = parse_ok("video/x-raw, f=I420, w=640, r=30/1, s=\"x\", b=true");
    assert_true(px_caps_is_fixed(&c));
    c = parse_ok("video/x-raw");
    assert_true(px_caps_is_fixed(&c));
    const char *not_fixed[] = {"ANY",
                               "EMPTY",
                               "video/x-raw, w=[1,2]",
                               "video/x-raw, f={a,b}",
                               "video/x-raw, r=[1/1, 2/1]",
                               "video/x-raw; audio/x-raw"};
    for (size_t i = 0; i < sizeof not_fixed / sizeof not_fixed[0]; i++) {
        c = parse_ok(not_fixed[i]);
        assert_false(px_caps_is_fixed(&c));
    }
}

/* ---- Equality ------------------------------------------------------------------ */

static void equal_ignores_field_order_but_not_list_or_structure_order(void **state)
{
    (void)state;
    px_caps a = parse_ok("a/b, w=1, h=2"), b = parse_ok("a/b, h=2, w=1");
    assert_true(px_caps_is_equal(&a, &b));
    a = parse_ok("a/b, f={x, y}"), b = parse_ok("a/b, f={y, x}");
    assert_false(px_caps_is_equal(&a, &b));
    a = parse_ok("a/b; c/d"), b = parse_ok("c/d; a/b");
    assert_false(px_caps_is_equal(&a, &b));
    a = parse_ok("a/b, w=1"), b = parse_ok("a/b, w=1, h=2");
    assert_false(px_caps_is_equal(&a, &b));
    a = parse_ok("ANY"), b = parse_ok("EMPTY");
    assert_false(px_caps_is_equal(&a, &b));
    b = parse_ok("ANY");
    assert_true(px_caps_is_equal(&a, &b));
}

/* ---- Field helpers ------------------------------------------------------------- */

static void set_int_adds_or_replaces_in_every_structure(void **state)
{
    (void)state;
    px_caps c = parse_ok("video/x-raw, w=1, f=I420; video/x-raw(memory:DMABuf), f=NV12");
    assert_int_equal(px_caps_set_int(&c, "w", 640), PX_OK);
    assert_string_equal(brief(&c), "video/x-raw, w=640, f=I420; video/x-raw(memory:DMABuf), f=NV12, w=640");
    assert_int_equal(px_caps_validate(&c, NULL), PX_OK);
}

static void set_and_get_each_value_type(void **state)
{
    (void)state;
    px_caps c = parse_ok("video/x-raw");
    assert_int_equal(px_caps_set_string(&c, "format", "I420"), PX_OK);
    assert_int_equal(px_caps_set_int(&c, "width", 640), PX_OK);
    assert_int_equal(px_caps_set_fraction(&c, "framerate", (px_fraction){60, 2}), PX_OK);
    assert_int_equal(px_caps_set_bool(&c, "interlaced", false), PX_OK);
    assert_string_equal(typed(&c),
                        "video/x-raw, format=(string)I420, width=(int)640, framerate=(fraction)30/1, "
                        "interlaced=(boolean)false");
    int w;
    px_fraction r;
    bool b = true;
    assert_int_equal(px_caps_get_int(&c, "width", &w), PX_OK);
    assert_int_equal(w, 640);
    assert_int_equal(px_caps_get_fraction(&c, "framerate", &r), PX_OK);
    assert_int_equal(r.num, 30);
    assert_int_equal(r.den, 1);
    assert_int_equal(px_caps_get_bool(&c, "interlaced", &b), PX_OK);
    assert_false(b);
    assert_string_equal(px_caps_get_string(&c, "format"), "I420");
    assert_int_equal(px_caps_set_int_range(&c, "height", 16, 4096), PX_OK);
    assert_int_equal(px_caps_set_fraction_range(&c, "framerate", (px_fraction){0, 1}, (px_fraction){60, 1}),
                     PX_OK);
    const char *formats[] = {"I420", "NV12", "I420"};
    assert_int_equal(px_caps_set_string_list(&c, "format", formats, 3), PX_OK);
    assert_string_equal(brief(&c), "video/x-raw, format={ I420, NV12 }, width=640, framerate=[ 0/1, 60/1 ], "
                                   "interlaced=false, height=[ 16, 4096 ]");
    assert_int_equal(px_caps_set_int_range(&c, "height", 5, 5), PX_OK);
    assert_int_equal(px_caps_get_int(&c, "height", &w), PX_OK);
    assert_int_equal(w, 5);
}

static void get_reports_missing_and_wrong_type(void **state)
{
    (void)state;
    px_caps c = parse_ok("video/x-raw, w=[1, 2], f={a, b}, s=x, n=3");
    int i;
    px_fraction r;
    bool b;
    assert_int_equal(px_caps_get_int(&c, "nope", &i), PX_ENOENT);
    assert_int_equal(px_caps_get_int(&c, "w", &i), PX_EINVAL); /* a range */
    assert_int_equal(px_caps_get_int(&c, "s", &i), PX_EINVAL);
    assert_int_equal(px_caps_get_fraction(&c, "n", &r), PX_EINVAL);
    assert_int_equal(px_caps_get_bool(&c, "n", &b), PX_EINVAL);
    assert_null(px_caps_get_string(&c, "f")); /* a list */
    assert_null(px_caps_get_string(&c, "nope"));
    c = parse_ok("ANY");
    assert_int_equal(px_caps_get_int(&c, "w", &i), PX_ENOENT);
}

static void remove_field_from_every_structure(void **state)
{
    (void)state;
    px_caps c = parse_ok("video/x-raw, f=I420, w=1; video/x-raw, w=2, h=3; audio/x-raw");
    px_caps_remove_field(&c, "w");
    assert_string_equal(brief(&c), "video/x-raw, f=I420; video/x-raw, h=3; audio/x-raw");
    px_caps_remove_field(&c, "absent");
    px_caps_remove_field(&c, "bad name!");
    assert_string_equal(brief(&c), "video/x-raw, f=I420; video/x-raw, h=3; audio/x-raw");
    assert_int_equal(px_caps_validate(&c, NULL), PX_OK);
}

static void remove_field_works_on_a_structure_moved_to_the_front(void **state)
{
    (void)state;
    /* negotiation copies a later structure to index 0 and trims the rest */
    px_caps c = parse_ok("a/b, x=1; c/d, f=I420, w=640"), only = c;
    only.n_structs = 1;
    only.structs[0] = c.structs[1];
    px_caps_remove_field(&only, "w");
    assert_string_equal(brief(&only), "c/d, f=I420");
}

static void set_rejects_bad_arguments(void **state)
{
    (void)state;
    px_caps c = parse_ok("video/x-raw"), before = c;
    assert_int_equal(px_caps_set_int(&c, "", 1), PX_EINVAL);
    assert_int_equal(px_caps_set_int(&c, "1abc", 1), PX_EINVAL);
    assert_int_equal(px_caps_set_int(&c, "a b", 1), PX_EINVAL);
    assert_int_equal(px_caps_set_int(&c, NULL, 1), PX_EINVAL);
    assert_int_equal(px_caps_set_int_range(&c, "w", 5, 4), PX_EINVAL);
    assert_int_equal(px_caps_set_fraction(&c, "r", (px_fraction){30, 0}), PX_EINVAL);
    assert_int_equal(px_caps_set_fraction_range(&c, "r", (px_fraction){2, 1}, (px_fraction){1, 1}),
                     PX_EINVAL);
    assert_int_equal(px_caps_set_string(&c, "s", "bad\nline"), PX_EINVAL);
    assert_int_equal(px_caps_set_string(&c, "s", NULL), PX_EINVAL);
    assert_int_equal(px_caps_set_string_list(&c, "s", NULL, 2), PX_EINVAL);
    assert_true(px_caps_is_equal(&c, &before));
    c = parse_ok("ANY");
    assert_int_equal(px_caps_set_int(&c, "w", 1), PX_EINVAL);
    assert_true(px_caps_is_any(&c));
    c = parse_ok("EMPTY");
    assert_int_equal(px_caps_set_int(&c, "w", 1), PX_OK); /* no structures to set it in */
    assert_true(px_caps_is_empty(&c));
}

static void set_beyond_capacity_reports_enomem_and_keeps_caps(void **state)
{
    (void)state;
    px_caps c = parse_ok("video/x-raw");
    char name[16], value[200];
    memset(value, 'v', sizeof value - 1);
    value[sizeof value - 1] = '\0';
    int rc = PX_OK, i;
    for (i = 0; i < 20 && rc == PX_OK; i++) {
        snprintf(name, sizeof name, "s%d", i);
        value[0] = (char)('a' + i); /* distinct strings */
        px_caps before = c;
        rc = px_caps_set_string(&c, name, value);
        if (rc != PX_OK)
            assert_true(px_caps_is_equal(&c, &before));
    }
    assert_int_equal(rc, PX_ENOMEM);
    assert_int_equal(i, 5); /* 4 strings of 200 bytes fit in 1024, the 5th does not */

    c = parse_ok("video/x-raw");
    for (i = 0; i < 64; i++) {
        snprintf(name, sizeof name, "f%d", i);
        assert_int_equal(px_caps_set_int(&c, name, i), PX_OK);
    }
    assert_int_equal(px_caps_set_int(&c, "one-more", 1), PX_ENOMEM);
    assert_int_equal(c.n_fields, 64);
}

static void append_adds_structures_not_already_covered(void **state)
{
    (void)state;
    px_caps a = parse_ok("video/x-raw, w=[1, 100]"), b = parse_ok("video/x-raw, w=50; audio/x-raw");
    assert_int_equal(px_caps_append(&a, &b), PX_OK);
    assert_string_equal(brief(&a), "video/x-raw, w=[ 1, 100 ]; audio/x-raw");
    b = parse_ok("ANY");
    assert_int_equal(px_caps_append(&a, &b), PX_OK);
    assert_true(px_caps_is_any(&a));
    a = parse_ok("a/a;a/b;a/c;a/d;a/e;a/f;a/g;a/h"), b = parse_ok("b/b");
    px_caps before = a;
    assert_int_equal(px_caps_append(&a, &b), PX_ENOMEM);
    assert_true(px_caps_is_equal(&a, &before));
}

static void validate_rejects_corrupt_caps_from_elsewhere(void **state)
{
    (void)state;
    px_caps good = parse_ok("video/x-raw, f={I420, NV12}, w=[1, 2], r=30/1"), c;
    assert_int_equal(px_caps_validate(&good, NULL), PX_OK);
    px_caps zero;
    memset(&zero, 0, sizeof zero);
    assert_int_equal(px_caps_validate(&zero, NULL), PX_OK);
    assert_true(px_caps_is_empty(&zero));
    px_error err = {0};
    c = good, c.n_structs = 200;
    assert_int_equal(px_caps_validate(&c, &err), PX_EINVAL);
    c = good, c.structs[0].n_fields = 60;
    assert_int_equal(px_caps_validate(&c, NULL), PX_EINVAL);
    c = good, c.structs[0].media_type = 2; /* inside a string */
    assert_int_equal(px_caps_validate(&c, NULL), PX_EINVAL);
    c = good, c.fields[0].first = 190;
    assert_int_equal(px_caps_validate(&c, NULL), PX_EINVAL);
    c = good, c.values[3].b = 0; /* 30/0 */
    assert_int_equal(px_caps_validate(&c, NULL), PX_EINVAL);
    c = good, c.values[2].b = 0; /* [1, 0] */
    assert_int_equal(px_caps_validate(&c, NULL), PX_EINVAL);
    c = good, c.values[0].type = 99;
    assert_int_equal(px_caps_validate(&c, NULL), PX_EINVAL);
    c = good, c.pool[c.pool_len - 1] = 'x';
    assert_int_equal(px_caps_validate(&c, &err), PX_EINVAL);
    assert_non_null(strstr(err.message, "caps:"));
}

static void caps_are_plain_values_copied_with_assignment(void **state)
{
    (void)state;
    px_caps a = parse_ok("video/x-raw, w=640"), b = a;
    assert_int_equal(px_caps_set_int(&b, "w", 320), PX_OK);
    int w;
    assert_int_equal(px_caps_get_int(&a, "w", &w), PX_OK);
    assert_int_equal(w, 640);
    assert_int_equal(px_caps_get_int(&b, "w", &w), PX_OK);
    assert_int_equal(w, 320);
    px_caps z = {0}; /* zero-initialised caps are EMPTY and usable */
    assert_true(px_caps_is_empty(&z));
    assert_string_equal(brief(&z), "EMPTY");
    assert_int_equal(px_caps_append(&z, &a), PX_OK);
    assert_string_equal(brief(&z), "video/x-raw, w=640");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_fixed_video_prints_typed_and_short_forms),
        cmocka_unit_test(parse_lists_and_ranges_print_with_spaces),
        cmocka_unit_test(parse_features_follow_media_type),
        cmocka_unit_test(parse_features_are_sorted_and_system_memory_means_cpu),
        cmocka_unit_test(parse_any_empty_none_and_blank),
        cmocka_unit_test(parse_multiple_structures_keep_their_order),
        cmocka_unit_test(parse_allows_whitespace_around_every_token),
        cmocka_unit_test(parse_type_annotations_coerce_and_accept_gstreamer_aliases),
        cmocka_unit_test(parse_fractions_are_reduced),
        cmocka_unit_test(parse_booleans_ints_and_int_limits),
        cmocka_unit_test(parse_quoted_strings_with_escapes),
        cmocka_unit_test(parse_single_entry_list_and_point_range_are_single_values),
        cmocka_unit_test(parse_drops_duplicate_list_entries),
        cmocka_unit_test(parse_accepts_range_step_of_one),
        cmocka_unit_test(print_quotes_strings_that_would_read_back_as_something_else),
        cmocka_unit_test(round_trip_over_many_caps),
        cmocka_unit_test(print_into_small_buffer_truncates_and_reports_enomem),
        cmocka_unit_test(error_missing_equals_names_the_field),
        cmocka_unit_test(error_unterminated_list_points_at_the_brace),
        cmocka_unit_test(error_empty_range_shows_its_bounds),
        cmocka_unit_test(error_unterminated_range_string_type_and_features),
        cmocka_unit_test(error_too_many_structures_names_the_limit),
        cmocka_unit_test(error_too_many_fields_and_values_name_the_limit),
        cmocka_unit_test(error_int_overflow_is_reported_not_wrapped),
        cmocka_unit_test(error_zero_or_negative_denominator),
        cmocka_unit_test(error_empty_field_and_trailing_comma),
        cmocka_unit_test(error_missing_or_malformed_media_type),
        cmocka_unit_test(error_trailing_garbage),
        cmocka_unit_test(error_control_and_non_ascii_characters),
        cmocka_unit_test(error_unknown_type_lists_the_accepted_ones),
        cmocka_unit_test(error_typed_values_must_match_their_type),
        cmocka_unit_test(error_floats_are_refused_with_a_hint),
        cmocka_unit_test(error_nesting_is_refused_at_the_second_bracket),
        cmocka_unit_test(error_huge_strings_hit_the_pool_limit),
        cmocka_unit_test(error_list_entries_must_share_a_type),
        cmocka_unit_test(error_range_step_and_bad_range_shapes),
        cmocka_unit_test(error_duplicate_field_and_empty_list),
        cmocka_unit_test(error_long_names_are_shortened_in_messages),
        cmocka_unit_test(error_null_arguments_are_safe),
        cmocka_unit_test(intersect_int_with_int),
        cmocka_unit_test(intersect_int_with_range),
        cmocka_unit_test(intersect_range_with_range),
        cmocka_unit_test(intersect_lists_keep_the_first_operands_order),
        cmocka_unit_test(intersect_list_collapses_to_a_single_value),
        cmocka_unit_test(intersect_int_list_with_range),
        cmocka_unit_test(intersect_fraction_with_fraction_range),
        cmocka_unit_test(intersect_fraction_ranges),
        cmocka_unit_test(intersect_strings_and_bools),
        cmocka_unit_test(intersect_different_types_is_empty),
        cmocka_unit_test(intersect_features_must_match),
        cmocka_unit_test(intersect_media_types_must_match),
        cmocka_unit_test(intersect_with_any_and_empty),
        cmocka_unit_test(intersect_keeps_fields_present_on_one_side),
        cmocka_unit_test(intersect_multiple_structures_in_first_operand_order),
        cmocka_unit_test(intersect_drops_pairs_with_an_empty_field),
        cmocka_unit_test(intersect_drops_results_already_covered),
        cmocka_unit_test(intersect_output_may_alias_an_input),
        cmocka_unit_test(intersect_result_too_big_reports_enomem),
        cmocka_unit_test(subset_fixed_values_in_ranges_and_lists),
        cmocka_unit_test(subset_needs_every_super_field_in_sub),
        cmocka_unit_test(subset_with_any_empty_features_and_structures),
        cmocka_unit_test(fixate_without_preference),
        cmocka_unit_test(fixate_prefers_a_value_inside_the_range),
        cmocka_unit_test(fixate_clamps_the_preference_into_the_range),
        cmocka_unit_test(fixate_list_takes_the_preferred_entry_else_the_first),
        cmocka_unit_test(fixate_with_a_preferred_range_takes_the_common_part),
        cmocka_unit_test(fixate_ignores_preferences_for_other_media_or_types),
        cmocka_unit_test(fixate_any_or_empty_fails),
        cmocka_unit_test(is_fixed_needs_one_structure_of_single_values),
        cmocka_unit_test(equal_ignores_field_order_but_not_list_or_structure_order),
        cmocka_unit_test(set_int_adds_or_replaces_in_every_structure),
        cmocka_unit_test(set_and_get_each_value_type),
        cmocka_unit_test(get_reports_missing_and_wrong_type),
        cmocka_unit_test(remove_field_from_every_structure),
        cmocka_unit_test(remove_field_works_on_a_structure_moved_to_the_front),
        cmocka_unit_test(set_rejects_bad_arguments),
        cmocka_unit_test(set_beyond_capacity_reports_enomem_and_keeps_caps),
        cmocka_unit_test(append_adds_structures_not_already_covered),
        cmocka_unit_test(validate_rejects_corrupt_caps_from_elsewhere),
        cmocka_unit_test(caps_are_plain_values_copied_with_assignment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
