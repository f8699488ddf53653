/* Property tests: every type set from text and read back, range edges,
 * overflow, enum nicks and numbers, fractions, read-only, exact error texts,
 * and the name helpers (edit distance, nearest) the suggestions rest on. */

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

/* ---- A test element with one property of every type ------------------- */

typedef struct {
    bool flag;
    int small;
    int full;
    uint64_t big;
    uint64_t window;
    double ratio;
    char *label;
    char *path;
    int mode;
    px_fraction rate;
    px_fraction fps;
    int counter;
} proptest;

static const px_enum_value proptest_modes[] = {
    {1, "empty", "Nothing"},
    {2, "fixed", "Fixed"},
    {7, "random", "Random"},
    {0, NULL, NULL},
};

static px_flow proptest_consume(px_element *el, const px_buffer *in)
{
    (void)el;
    (void)in;
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(proptest) = {
    .name = "proptest",
    .family = "Sink",
    .description = "Has a property of every type",
    .state_size = sizeof(proptest),
    .sink = PX_PAD_ALWAYS("ANY"),
    .consume = proptest_consume,
    .props = PX_PROPS(PX_PROP_BOOL(proptest, flag, false, "A boolean"),
                      PX_PROP_INT(proptest, small, -5, 100, 3, "A small int"),
                      PX_PROP_INT(proptest, full, INT_MIN, INT_MAX, 0, "An int over its whole range"),
                      PX_PROP_UINT64(proptest, big, 0, UINT64_MAX, 0, "A uint64 over its whole range"),
                      PX_PROP_UINT64(proptest, window, 10, 1000, 10, "A uint64 in [10, 1000]"),
                      PX_PROP_DOUBLE(proptest, ratio, 0.0, 1.0, 0.5, "A double in [0, 1]"),
                      PX_PROP_STRING(proptest, label, "hello", "A string with a default"),
                      PX_PROP_STRING(proptest, path, NULL, "A string without a default"),
                      PX_PROP_ENUM(proptest, mode, proptest_modes, 2, "An enum"),
                      PX_PROP_FRACTION(proptest, rate, 0, 1, INT_MAX, 1, 30, 1,
                                       "A fraction over its whole range"),
                      PX_PROP_FRACTION(proptest, fps, 1, 1, 120, 1, 25, 1, "A fraction in [1/1, 120/1]"),
                      {"counter",
                       PX_PROP_INT,
                       offsetof(proptest, counter),
                       PX_PROP_FLAG_READONLY,
                       0,
                       1000,
                       7,
                       0,
                       0,
                       0,
                       {0, 1},
                       {0, 1},
                       {0, 1},
                       NULL,
                       NULL,
                       "Read-only"}),
};

typedef struct {
    px_pipeline *p;
    px_element *el;
    px_error err;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->p = px_pipeline_new();
    f->el = px_pipeline_add(f->p, "proptest", NULL, &f->err);
    if (!f->el)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    px_pipeline_free(f->p);
    free(f);
    return 0;
}

/* Sets prop=value and asserts it reads back as expected. */
static void set_ok(fixture *f, const char *prop, const char *value, const char *expected)
{
    char buf[128];
    px_error err = {0};
    int rc = px_set(f->el, prop, value, &err);
    if (rc != PX_OK)
        fail_msg("px_set(%s=%s) failed: %s", prop, value, err.message);
    assert_int_equal(px_get(f->el, prop, buf, sizeof buf, &err), PX_OK);
    assert_string_equal(buf, expected);
}

/* Sets prop=value, expects PX_EINVAL with exactly `message`, and the old value kept. */
static void set_bad(fixture *f, const char *prop, const char *value, const char *message)
{
    char before[128], after[128];
    px_error err = {0};
    assert_int_equal(px_get(f->el, prop, before, sizeof before, NULL), PX_OK);
    assert_int_equal(px_set(f->el, prop, value, &err), PX_EINVAL);
    assert_int_equal(err.code, PX_EINVAL);
    assert_int_equal(err.position, 0);
    if (message)
        assert_string_equal(err.message, message);
    assert_int_equal(px_get(f->el, prop, after, sizeof after, NULL), PX_OK);
    assert_string_equal(before, after);
}

static const char *get(fixture *f, const char *prop)
{
    static char buf[256];
    assert_int_equal(px_get(f->el, prop, buf, sizeof buf, NULL), PX_OK);
    return buf;
}

/* ---- Lookup and defaults ------------------------------------------------ */

static void find_prop_accepts_dashes_for_underscores(void **state)
{
    (void)state;
    const px_element_class *k = px_find_element("proptest");
    assert_non_null(k);
    assert_string_equal(px_find_prop(k, "ratio")->name, "ratio");
    assert_null(px_find_prop(k, "Ratio")); /* names are case-sensitive */
    assert_null(px_find_prop(k, "nope"));
    assert_null(px_find_prop(NULL, "ratio"));
    const px_element_class *fs = px_find_element("fakesrc");
    assert_non_null(fs);
    assert_string_equal(px_find_prop(fs, "num-buffers")->name, "num_buffers");
    assert_string_equal(px_find_prop(fs, "num_buffers")->name, "num_buffers");
}

static void defaults_are_applied_when_added(void **state)
{
    fixture *f = *state;
    assert_string_equal(get(f, "flag"), "false");
    assert_string_equal(get(f, "small"), "3");
    assert_string_equal(get(f, "window"), "10");
    assert_string_equal(get(f, "ratio"), "0.5");
    assert_string_equal(get(f, "label"), "hello");
    assert_string_equal(get(f, "path"), "");
    assert_null(((proptest *)px_element_state(f->el))->path);
    assert_string_equal(get(f, "mode"), "fixed");
    assert_string_equal(get(f, "rate"), "30/1");
    assert_string_equal(get(f, "fps"), "25/1");
    assert_string_equal(get(f, "counter"), "7");
}

/* ---- Booleans ----------------------------------------------------------- */

static void bool_accepts_the_usual_spellings(void **state)
{
    fixture *f = *state;
    const char *yes[] = {"true", "yes", "1", "on", "TRUE", "On"};
    const char *no[] = {"false", "no", "0", "off", "False", "NO"};
    for (size_t i = 0; i < 6; i++) {
        set_ok(f, "flag", yes[i], "true");
        set_ok(f, "flag", no[i], "false");
    }
    assert_false(((proptest *)px_element_state(f->el))->flag);
}

static void bool_rejects_maybe_with_exact_message(void **state)
{
    fixture *f = *state;
    set_bad(f, "flag", "maybe", "proptest0: property 'flag' expects a boolean (true/false), got 'maybe'");
    set_bad(f, "flag", "", "proptest0: property 'flag' expects a boolean (true/false), got ''");
    set_bad(f, "flag", "truex", NULL);
    set_bad(f, "flag", "2", NULL);
}

/* ---- Integers ----------------------------------------------------------- */

static void int_range_edges(void **state)
{
    fixture *f = *state;
    set_ok(f, "small", "-5", "-5");
    set_ok(f, "small", "100", "100");
    set_ok(f, "small", "0", "0");
    set_bad(f, "small", "-6", "proptest0: property 'small' expects an integer in [-5, 100], got '-6'");
    set_bad(f, "small", "101", "proptest0: property 'small' expects an integer in [-5, 100], got '101'");
}

static void int_hex_sign_and_garbage(void **state)
{
    fixture *f = *state;
    set_ok(f, "small", "0x10", "16");
    set_ok(f, "small", "0X1f", "31");
    set_ok(f, "small", "-0x5", "-5");
    set_ok(f, "small", "+7", "7");
    set_ok(f, "small", "007", "7");
    set_bad(f, "small", "", "proptest0: property 'small' expects an integer in [-5, 100], got ''");
    set_bad(f, "small", "abc", NULL);
    set_bad(f, "small", "5x", NULL);
    set_bad(f, "small", " 5", NULL);
    set_bad(f, "small", "5 ", NULL);
    set_bad(f, "small", "0x", NULL);
    set_bad(f, "small", "-", NULL);
    set_bad(f, "small", "1.5", NULL);
    set_bad(f, "small", "--1", NULL);
}

static void int_full_range_and_overflow(void **state)
{
    fixture *f = *state;
    set_ok(f, "full", "2147483647", "2147483647");
    set_ok(f, "full", "-2147483648", "-2147483648");
    set_ok(f, "full", "0x7fffffff", "2147483647");
    set_bad(f, "full", "2147483648",
            "proptest0: property 'full' expects an integer in [-2147483648, 2147483647], got '2147483648'");
    set_bad(f, "full", "-2147483649", NULL);
    set_bad(f, "full", "99999999999", NULL);
    set_bad(f, "full", "99999999999999999999999999", NULL); /* past 64 bits too */
    set_bad(f, "full", "-9223372036854775809", NULL);
}

static void int_error_on_real_fakesrc_is_exact(void **state)
{
    (void)state;
    px_error err = {0};
    px_pipeline *p = px_pipeline_new();
    px_element *src = px_pipeline_add(p, "fakesrc", NULL, &err);
    assert_non_null(src);
    assert_int_equal(px_set(src, "num-buffers", "abc", &err), PX_EINVAL);
    assert_string_equal(err.message,
                        "fakesrc0: property 'num-buffers' expects an integer in [-1, 2147483647], got 'abc'");
    assert_int_equal(px_set(src, "num-buffers", "99999999999", &err), PX_EINVAL);
    assert_string_equal(
        err.message,
        "fakesrc0: property 'num-buffers' expects an integer in [-1, 2147483647], got '99999999999'");
    assert_int_equal(px_set(src, "num_buffers", "-1", &err), PX_OK);
    px_pipeline_free(p);
}

/* ---- uint64 ------------------------------------------------------------- */

static void uint64_full_range(void **state)
{
    fixture *f = *state;
    set_ok(f, "big", "18446744073709551615", "18446744073709551615");
    assert_true(((proptest *)px_element_state(f->el))->big == UINT64_MAX);
    set_ok(f, "big", "0xffffffffffffffff", "18446744073709551615");
    set_ok(f, "big", "0", "0");
    set_ok(f, "big", "+5", "5");
    set_bad(f, "big", "18446744073709551616",
            "proptest0: property 'big' expects an unsigned integer in [0, 18446744073709551615], got "
            "'18446744073709551616'");
    set_bad(f, "big", "0x10000000000000000", NULL);
    set_bad(f, "big", "-1", NULL);
    set_bad(f, "big", "", NULL);
    set_bad(f, "big", "12k", NULL);
}

static void uint64_range_edges(void **state)
{
    fixture *f = *state;
    set_ok(f, "window", "10", "10");
    set_ok(f, "window", "1000", "1000");
    set_bad(f, "window", "9",
            "proptest0: property 'window' expects an unsigned integer in [10, 1000], got '9'");
    set_bad(f, "window", "1001", NULL);
}

/* ---- Doubles ------------------------------------------------------------ */

static void double_range_edges_and_round_trip(void **state)
{
    fixture *f = *state;
    set_ok(f, "ratio", "0", "0");
    set_ok(f, "ratio", "1", "1");
    set_ok(f, "ratio", "0.25", "0.25");
    set_ok(f, "ratio", "1e-3", "0.001");
    set_ok(f, "ratio", ".5", "0.5");
    set_ok(f, "ratio", "0.1", "0.1");
    set_ok(f, "ratio", "0.123456789012345", "0.123456789012345");
    assert_true(((proptest *)px_element_state(f->el))->ratio == 0.123456789012345);
    set_bad(f, "ratio", "2.5", "proptest0: property 'ratio' expects a number in [0, 1], got '2.5'");
    set_bad(f, "ratio", "-0.0001", NULL);
    set_bad(f, "ratio", "1.0000001", NULL);
}

static void double_rejects_nan_inf_and_garbage(void **state)
{
    fixture *f = *state;
    const char *bad[] = {"nan", "NAN", "inf", "-inf", "infinity", "1e999", "", " 0.5", "0.5x", "0,5", "x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        set_bad(f, "ratio", bad[i], NULL);
}

/* px__parse_double replaces strtod (6 KiB in a static build): it must give
 * strtod's double whenever the significant digits fit 2^53 and the power of
 * ten left is at most 22 (what people write), and be within a relative
 * 2e-15 otherwise. */
static uint64_t bits_of(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

static void parse_same_as_strtod(const char *text)
{
    double mine = -1, theirs = strtod(text, NULL);
    if (!px__parse_double(text, &mine))
        fail_msg("px__parse_double rejected '%s'", text);
    if (bits_of(mine) != bits_of(theirs)) /* -0 too */
        fail_msg("'%s': px__parse_double %.17g, strtod %.17g", text, mine, theirs);
}

/* A random double in [0.5, 1.5) * 10^e10. */
static double random_double(int e10)
{
    double d = (double)rand() / RAND_MAX + 0.5;
    for (; e10 > 0; e10--)
        d *= 10;
    for (; e10 < 0; e10++)
        d /= 10;
    return d;
}

static void double_parser_matches_strtod(void **state)
{
    (void)state;
    const char *fixed[] = {"0", "-0", "+0", "1", "-1", "0.5", ".5", "5.", "+.5", "-.5", "1e-3", "1E3", "1e+2",
                           "0.1", "0.2", "0.3", "2.5e-1", "123456789012345", "0.123456789012345",
                           "9007199254740992", "9007199254740993", "1e22", "1e23", "1e-22",
                           "00000.0001000", "0e999999999", "100000000000000000000000000000"};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        parse_same_as_strtod(fixed[i]);

    char text[64];
    srand(1234);
    for (int i = 0; i < 200000; i++) {
        /* up to 15 digits, at most 3 after the point, exponent in [-19, 22] */
        long long m = ((long long)rand() << 20 ^ rand()) % 1000000000000000LL;
        snprintf(text, sizeof text, "%s%lld.%03de%d", rand() & 1 ? "-" : "", m / 1000, (int)(m % 1000),
                 rand() % 42 - 19);
        parse_same_as_strtod(text);
        /* doubles from 5e-8 to 1.5e8 with 15 significant digits */
        snprintf(text, sizeof text, "%.15g", random_double(rand() % 16 - 7));
        parse_same_as_strtod(text);
    }
}

static void double_parser_long_digits_are_close(void **state)
{
    (void)state;
    char text[64];
    srand(99);
    for (int i = 0; i < 200000; i++) {
        double d = random_double(rand() % 600 - 300), got = 0;
        snprintf(text, sizeof text, "%.17g", d);
        assert_true(px__parse_double(text, &got));
        if (!((got > d ? got - d : d - got) <= d * 2e-15))
            fail_msg("'%s' read as %.17g", text, got);
    }
    double got = 0; /* 40 digits: the digits past the 19th only scale */
    assert_true(px__parse_double("1234567890123456789012345678901234567890", &got));
    assert_true(got > 1.234567890123456e39 && got < 1.234567890123458e39);
}

static void double_parser_rejects_what_strtod_would_not_read_fully(void **state)
{
    (void)state;
    const char *bad[] = {"1e", "1e+", "1e-", ".", "-", "+", "+-1", "1..2", "1.2.3", "0x10", "1e5.5",
                         "1e-999", "1e400", "e5", "--1", "1 ", "\t1", "1,5", "\xd9\xa1"};
    double v;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (px__parse_double(bad[i], &v))
            fail_msg("px__parse_double accepted '%s' as %g", bad[i], v);
}

static void double_error_on_real_identity_is_exact(void **state)
{
    (void)state;
    px_error err = {0};
    px_pipeline *p = px_pipeline_new();
    px_element *id = px_pipeline_add(p, "identity", NULL, &err);
    assert_non_null(id);
    assert_int_equal(px_set(id, "drop-probability", "2.5", &err), PX_EINVAL);
    assert_string_equal(err.message,
                        "identity0: property 'drop-probability' expects a number in [0, 1], got '2.5'");
    px_pipeline_free(p);
}

/* ---- Strings ------------------------------------------------------------ */

static void string_is_replaced_without_leak(void **state)
{
    fixture *f = *state;
    set_ok(f, "label", "first value", "first value");
    set_ok(f, "label", "second", "second");
    set_ok(f, "label", "", "");
    set_ok(f, "label", "with \"quotes\" and 'ticks' = ! ok", "with \"quotes\" and 'ticks' = ! ok");
    set_ok(f, "path", "/tmp/x", "/tmp/x");
    assert_int_equal(px_set(f->el, "path", NULL, NULL), PX_OK); /* NULL clears */
    assert_null(((proptest *)px_element_state(f->el))->path);
    assert_string_equal(get(f, "path"), "");
    set_ok(f, "path", "again", "again"); /* freed at teardown: valgrind proves it */
}

static void string_of_any_length(void **state)
{
    fixture *f = *state;
    size_t n = 100000;
    char *big = malloc(n + 1), *back = malloc(n + 1);
    memset(big, 'a', n);
    big[n] = '\0';
    assert_int_equal(px_set(f->el, "label", big, NULL), PX_OK);
    assert_int_equal(px_get(f->el, "label", back, n + 1, NULL), PX_OK);
    assert_string_equal(back, big);
    free(big);
    free(back);
}

/* ---- Enums -------------------------------------------------------------- */

static void enum_by_nick_and_by_number(void **state)
{
    fixture *f = *state;
    set_ok(f, "mode", "random", "random");
    assert_int_equal(((proptest *)px_element_state(f->el))->mode, 7);
    set_ok(f, "mode", "empty", "empty");
    set_ok(f, "mode", "7", "random");
    set_ok(f, "mode", "2", "fixed");
    set_ok(f, "mode", "RANDOM", "random");
    set_bad(f, "mode", "3", "proptest0: property 'mode' has no value '3'; accepted: empty, fixed, random");
    set_bad(f, "mode", "", NULL);
}

static void enum_unknown_nick_lists_accepted_and_suggests(void **state)
{
    fixture *f = *state;
    px_error err = {0};
    assert_int_equal(px_set(f->el, "mode", "huge", &err), PX_EINVAL);
    assert_string_equal(err.message,
                        "proptest0: property 'mode' has no value 'huge'; accepted: empty, fixed, random");
    assert_string_equal(err.hint, "");
    assert_int_equal(px_set(f->el, "mode", "randm", &err), PX_EINVAL);
    assert_string_equal(err.hint, "did you mean 'random'?");
    assert_non_null(strstr(err.message, "accepted: empty, fixed, random\n  hint: did you mean 'random'?"));
}

static void enum_error_on_real_fakesrc_is_exact(void **state)
{
    (void)state;
    px_error err = {0};
    px_pipeline *p = px_pipeline_new();
    px_element *src = px_pipeline_add(p, "fakesrc", NULL, &err);
    assert_int_equal(px_set(src, "sizetype", "huge", &err), PX_EINVAL);
    assert_string_equal(err.message,
                        "fakesrc0: property 'sizetype' has no value 'huge'; accepted: empty, fixed, random");
    assert_int_equal(px_set(src, "sizetype", "fixed", &err), PX_OK);
    assert_int_equal(px_set(src, "filltype", "pattern-span", &err), PX_OK);
    char buf[32];
    assert_int_equal(px_get(src, "filltype", buf, sizeof buf, &err), PX_OK);
    assert_string_equal(buf, "pattern-span");
    px_pipeline_free(p);
}

/* ---- Fractions ---------------------------------------------------------- */

static void fraction_forms_and_edges(void **state)
{
    fixture *f = *state;
    set_ok(f, "rate", "30/1", "30/1");
    set_ok(f, "rate", "30", "30/1");
    set_ok(f, "rate", "30000/1001", "30000/1001");
    set_ok(f, "rate", "0/1", "0/1");
    set_ok(f, "rate", "2147483647/1", "2147483647/1");
    set_ok(f, "rate", "0x1e/1", "30/1");
    set_bad(f, "rate", "30/0",
            "proptest0: property 'rate' expects a fraction such as 30/1 in [0/1, 2147483647/1], got '30/0'");
    const char *bad[] = {"30/-1",        "-1/1",  "/1", "30/", "a/b",  "30/1/1",
                         "2147483648/1", "30 /1", "",   "1.5", "30/1x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        set_bad(f, "rate", bad[i], NULL);
}

static void fraction_range_compares_exactly(void **state)
{
    fixture *f = *state;
    set_ok(f, "fps", "1/1", "1/1");
    set_ok(f, "fps", "120/1", "120/1");
    set_ok(f, "fps", "240/2", "240/2");                             /* equal to the max, not above */
    set_ok(f, "fps", "2147483640/17895697", "2147483640/17895697"); /* exactly 120 */
    set_ok(f, "fps", "17895697/17895697", "17895697/17895697");     /* exactly 1 */
}

static void fraction_just_outside_range_is_rejected(void **state)
{
    fixture *f = *state;
    set_bad(f, "fps", "0/1",
            "proptest0: property 'fps' expects a fraction such as 30/1 in [1/1, 120/1], got '0/1'");
    set_bad(f, "fps", "121/1", NULL);
    set_bad(f, "fps", "241/2", NULL);
    set_bad(f, "fps", "2147483647/2147483648", NULL); /* den overflows int */
    set_bad(f, "fps", "2147483646/2147483647", NULL); /* just under 1 */
    set_bad(f, "fps", "2147483647/17895697", NULL);   /* 120.0000004: just over 120 */
}

/* ---- Read-only, unknown, px_get ----------------------------------------- */

static void readonly_cannot_be_set(void **state)
{
    fixture *f = *state;
    px_error err = {0};
    assert_int_equal(px_set(f->el, "counter", "8", &err), PX_EINVAL);
    assert_string_equal(err.message, "proptest0: property 'counter' is read-only");
    assert_string_equal(get(f, "counter"), "7");
}

static void unknown_property_suggests_the_nearest(void **state)
{
    (void)state;
    px_error err = {0};
    px_pipeline *p = px_pipeline_new();
    px_element *src = px_pipeline_add(p, "fakesrc", NULL, &err);
    assert_int_equal(px_set(src, "num-bufers", "3", &err), PX_ENOENT);
    assert_int_equal(err.code, PX_ENOENT);
    assert_int_equal(err.position, 0);
    assert_string_equal(err.hint, "did you mean 'num-buffers'?");
    assert_string_equal(err.message,
                        "fakesrc0: no property 'num-bufers'\n  hint: did you mean 'num-buffers'?");
    assert_int_equal(px_set(src, "num", "3", &err), PX_ENOENT); /* a prefix of num-buffers */
    assert_string_equal(err.hint, "did you mean 'num-buffers'?");
    px_pipeline_free(p);
}

static void unknown_property_without_near_match_lists_them(void **state)
{
    (void)state;
    px_error err = {0};
    px_pipeline *p = px_pipeline_new();
    px_element *src = px_pipeline_add(p, "fakesrc", NULL, &err);
    assert_int_equal(px_set(src, "xyzzy", "3", &err), PX_ENOENT);
    assert_string_equal(err.hint, "fakesrc has: num-buffers, sizetype, sizemin, sizemax, filltype, datarate");
    assert_int_equal(px_get(src, "xyzzy", NULL, 0, &err), PX_ENOENT);
    assert_non_null(strstr(err.message, "fakesrc0: no property 'xyzzy'"));
    px_pipeline_free(p);
}

static void get_reports_a_too_small_buffer(void **state)
{
    fixture *f = *state;
    char buf[4];
    px_error err = {0};
    set_ok(f, "label", "hello", "hello");
    assert_int_equal(px_get(f->el, "label", buf, sizeof buf, &err), PX_EINVAL);
    assert_string_equal(buf, "");
    assert_non_null(strstr(err.message, "proptest0: property 'label' needs 6 bytes"));
    assert_int_equal(px_get(f->el, "label", buf, 0, &err), PX_EINVAL);
    char six[6];
    assert_int_equal(px_get(f->el, "label", six, sizeof six, &err), PX_OK);
    assert_string_equal(six, "hello");
}

static void long_or_hostile_values_are_shortened_in_messages(void **state)
{
    fixture *f = *state;
    char value[2000];
    px_error err = {0};
    memset(value, '9', sizeof value - 1);
    value[sizeof value - 1] = '\0';
    assert_int_equal(px_set(f->el, "small", value, &err), PX_EINVAL);
    assert_true(strlen(err.message) < 200);
    assert_non_null(strstr(err.message, "expects an integer in [-5, 100], got '999"));
    assert_non_null(strstr(err.message, "...'"));
    assert_int_equal(px_set(f->el, "mode", "a\nb\tc", &err), PX_EINVAL);
    assert_string_equal(err.message,
                        "proptest0: property 'mode' has no value 'a?b?c'; accepted: empty, fixed, random");
}

static void null_arguments_and_null_error_are_safe(void **state)
{
    fixture *f = *state;
    assert_int_equal(px_set(NULL, "small", "1", NULL), PX_EINVAL);
    assert_int_equal(px_set(f->el, NULL, "1", NULL), PX_EINVAL);
    assert_int_equal(px_set(f->el, "small", NULL, NULL), PX_EINVAL);
    assert_int_equal(px_set(f->el, "small", "abc", NULL), PX_EINVAL);
    assert_int_equal(px_set(f->el, "nope", "1", NULL), PX_ENOENT);
    assert_int_equal(px_get(f->el, "nope", NULL, 0, NULL), PX_ENOENT);
}

/* ---- Name helpers (util.c) ---------------------------------------------- */

static void edit_distance_folds_case_and_dashes(void **state)
{
    (void)state;
    assert_int_equal(px__edit_distance("num-buffers", "num_buffers"), 0);
    assert_int_equal(px__edit_distance("NUM-Buffers", "num_buffers"), 0);
    assert_int_equal(px__edit_distance("num-bufers", "num_buffers"), 1);
    assert_int_equal(px__edit_distance("fakesnk", "fakesink"), 1);
    assert_int_equal(px__edit_distance("", "abc"), 3);
    assert_int_equal(px__edit_distance("kitten", "sitting"), 3);
    char big[300];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_true(px__edit_distance(big, "a") >= 64); /* capped, not computed */
    assert_true(px__name_eq("num-buffers", "num_buffers"));
    assert_false(px__name_eq("Num-buffers", "num_buffers"));
    assert_false(px__name_eq("num", "num_buffers"));
}

static void nearest_picks_closest_plausible_name(void **state)
{
    (void)state;
    const char *names[] = {"fakesrc", "fakesink", "identity", "filesrc", "tee"};
    assert_string_equal(px__nearest("fakesnk", names, 5), "fakesink");
    assert_string_equal(px__nearest("fakesr", names, 5), "fakesrc");
    assert_string_equal(px__nearest("ident", names, 5), "identity"); /* prefix */
    assert_string_equal(px__nearest("te", names, 5), "tee");
    assert_null(px__nearest("videotestsrc", names, 5));
    assert_null(px__nearest("xy", names, 5));
    assert_null(px__nearest("", names, 5));
    char big[300];
    memset(big, 'f', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_null(px__nearest(big, names, 5));
    char dst[4];
    assert_int_equal(px__strlcpy(dst, "abcdef", sizeof dst), 6);
    assert_string_equal(dst, "abc");
}

int main(void)
{
    if (px_register_element(&px_elem_proptest) != PX_OK) {
        fprintf(stderr, "cannot register proptest\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(find_prop_accepts_dashes_for_underscores),
        cmocka_unit_test_setup_teardown(defaults_are_applied_when_added, setup, teardown),
        cmocka_unit_test_setup_teardown(bool_accepts_the_usual_spellings, setup, teardown),
        cmocka_unit_test_setup_teardown(bool_rejects_maybe_with_exact_message, setup, teardown),
        cmocka_unit_test_setup_teardown(int_range_edges, setup, teardown),
        cmocka_unit_test_setup_teardown(int_hex_sign_and_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(int_full_range_and_overflow, setup, teardown),
        cmocka_unit_test(int_error_on_real_fakesrc_is_exact),
        cmocka_unit_test_setup_teardown(uint64_full_range, setup, teardown),
        cmocka_unit_test_setup_teardown(uint64_range_edges, setup, teardown),
        cmocka_unit_test_setup_teardown(double_range_edges_and_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(double_rejects_nan_inf_and_garbage, setup, teardown),
        cmocka_unit_test(double_error_on_real_identity_is_exact),
        cmocka_unit_test(double_parser_matches_strtod),
        cmocka_unit_test(double_parser_long_digits_are_close),
        cmocka_unit_test(double_parser_rejects_what_strtod_would_not_read_fully),
        cmocka_unit_test_setup_teardown(string_is_replaced_without_leak, setup, teardown),
        cmocka_unit_test_setup_teardown(string_of_any_length, setup, teardown),
        cmocka_unit_test_setup_teardown(enum_by_nick_and_by_number, setup, teardown),
        cmocka_unit_test_setup_teardown(enum_unknown_nick_lists_accepted_and_suggests, setup, teardown),
        cmocka_unit_test(enum_error_on_real_fakesrc_is_exact),
        cmocka_unit_test_setup_teardown(fraction_forms_and_edges, setup, teardown),
        cmocka_unit_test_setup_teardown(fraction_range_compares_exactly, setup, teardown),
        cmocka_unit_test_setup_teardown(fraction_just_outside_range_is_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(readonly_cannot_be_set, setup, teardown),
        cmocka_unit_test(unknown_property_suggests_the_nearest),
        cmocka_unit_test(unknown_property_without_near_match_lists_them),
        cmocka_unit_test_setup_teardown(get_reports_a_too_small_buffer, setup, teardown),
        cmocka_unit_test_setup_teardown(long_or_hostile_values_are_shortened_in_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(null_arguments_and_null_error_are_safe, setup, teardown),
        cmocka_unit_test(edit_distance_folds_case_and_dashes),
        cmocka_unit_test(nearest_picks_closest_plausible_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
