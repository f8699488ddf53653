/* libFuzzer target for the caps parser: any bytes, as text, must parse or
 * fail cleanly; what parses must print and parse back to equal caps, and
 * intersecting or fixating it must keep the set relations. Aborts on any
 * broken invariant so that libFuzzer records the input.
 *
 *   clang -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_caps.c -lpthread
 *   (or `make fuzz`) */

#define PARALLAX_IMPLEMENTATION
#include "parallax.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_TEXT (1 << 16)

static void check(bool ok, const char *what, const char *text)
{
    if (!ok) {
        fprintf(stderr, "fuzz_caps: %s\n  input: %.300s\n", what, text);
        abort();
    }
}

/* Parses printed caps back and checks they are equal to c. */
static void check_round_trip(const px_caps *c, bool typed, const char *text)
{
    static char buf[1 << 15];
    px_caps d;
    px_error err = {0};
    int rc = typed ? px_caps_to_string(c, buf, sizeof buf) : px_caps_to_short_string(c, buf, sizeof buf);
    check(rc == PX_OK, "printing does not fit 32 KiB", text);
    rc = px_caps_parse(&d, buf, &err);
    if (rc != PX_OK)
        fprintf(stderr, "printed: %.500s\nerror: %s\n", buf, err.message);
    check(rc == PX_OK, "printed caps do not parse", text);
    if (!px_caps_is_equal(c, &d))
        fprintf(stderr, "printed: %.500s\n", buf);
    check(px_caps_is_equal(c, &d), "printed caps parse to different caps", text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char text[FUZZ_MAX_TEXT + 1];
    static px_caps fixed;
    static bool have_fixed;
    if (!have_fixed) {
        px_error err = {0};
        if (px_caps_parse(&fixed,
                          "video/x-raw, format={I420, NV12, YUY2}, width=[16, 4096], height=[16, 4096], "
                          "framerate=[0/1, 60/1], interlaced=false; video/x-raw(memory:DMABuf), format=NV12; "
                          "audio/x-raw, rate=48000, channels=[1, 8]; a/b, s=\"x y\", r=30/1",
                          &err) != PX_OK) {
            fprintf(stderr, "fuzz_caps: fixed caps: %s\n", err.message);
            abort();
        }
        have_fixed = true;
    }
    if (size > FUZZ_MAX_TEXT)
        size = FUZZ_MAX_TEXT;
    memcpy(text, data, size);
    text[size] = '\0';
    size_t len = strlen(text);

    px_caps c;
    px_error err = {0};
    int rc = px_caps_parse(&c, text, &err);
    if (rc != PX_OK) {
        check(rc == PX_EPARSE || rc == PX_ENOMEM, "unexpected error code", text);
        check(err.code == rc, "error code not in px_error", text);
        check(err.position >= 1 && (size_t)err.position <= len + 1, "error position outside the text", text);
        check(strncmp(err.message, "caps: ", 6) == 0, "error message without 'caps: '", text);
        check(strstr(err.message, "(column ") != NULL, "error message without its column", text);
        check(px_caps_is_empty(&c), "failed parse did not leave EMPTY", text);
        return 0;
    }
    check(px_caps_validate(&c, NULL) == PX_OK, "parsed caps do not validate", text);
    check_round_trip(&c, true, text);
    check_round_trip(&c, false, text);

    px_caps r;
    rc = px_caps_intersect(&r, &c, &fixed);
    if (rc == PX_OK) {
        check(px_caps_validate(&r, NULL) == PX_OK, "intersection does not validate", text);
        check(px_caps_is_subset(&r, &c) && px_caps_is_subset(&r, &fixed), "intersection is not a subset",
              text);
        check(px_caps_can_intersect(&c, &fixed) == !px_caps_is_empty(&r), "can_intersect disagrees", text);
        check_round_trip(&r, true, text);
    } else {
        check(rc == PX_ENOMEM && px_caps_is_empty(&r), "intersection failed oddly", text);
    }
    rc = px_caps_intersect(&r, &c, &c);
    check(rc != PX_OK || (px_caps_is_subset(&r, &c) && px_caps_is_subset(&c, &r)), "c ∩ c differs from c",
          text);

    if (!px_caps_is_any(&c) && !px_caps_is_empty(&c)) {
        px_caps f = c, g = c;
        check(px_caps_fixate(&f, NULL) == PX_OK, "fixate failed", text);
        check(px_caps_is_fixed(&f) && px_caps_is_subset(&f, &c), "fixated caps not fixed or not a subset",
              text);
        check(px_caps_fixate(&g, &fixed) == PX_OK, "fixate with preference failed", text);
        check(px_caps_is_fixed(&g) && px_caps_is_subset(&g, &c),
              "preferred fixation not fixed or not a subset", text);
        check_round_trip(&f, true, text);
    }
    return 0;
}
