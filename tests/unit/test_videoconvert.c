/* Video conversion tests: every format pair round-trips within a tolerance
 * fitting the pair, known colours come out exact, the SSE2 kernels are
 * bit-identical to their scalar references, and the direct kernels agree
 * with the generic path. Kernels are driven directly (no pipeline). */

#define PARALLAX_IMPLEMENTATION
#include "parallax.h"

#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

static uint8_t *frame_alloc(const px_video_info *info)
{
    uint8_t *p = malloc(info->size + 64);
    assert_non_null(p);
    memset(p, 0xcd, info->size + 64); /* padding stays visible */
    return p;
}

static void convert(const px_video_info *in, const uint8_t *src, const px_video_info *out, uint8_t *dst,
                    unsigned flags)
{
    px_error err = {0};
    px_video_converter *c = px_video_converter_new(in, out, flags, &err);
    if (!c)
        print_error("%s\n", err.message);
    assert_non_null(c);
    px_video_converter_frame(c, src, dst);
    px_video_converter_free(c);
}

/* Smooth RGBA test picture (gradients; opaque): chroma subsampling of it
 * loses little, so round trips measure the arithmetic. gray: R=G=B. */
static void make_rgba(uint8_t *p, const px_video_info *info, bool gray)
{
    for (int y = 0; y < info->height; y++)
        for (int x = 0; x < info->width; x++) {
            uint8_t *q = p + y * info->stride[0] + 4 * x;
            int r = 20 + x * 200 / info->width, g = 30 + y * 190 / info->height;
            int b = 240 - (x + y) * 200 / (info->width + info->height);
            q[0] = (uint8_t)r;
            q[1] = (uint8_t)(gray ? r : g);
            q[2] = (uint8_t)(gray ? r : b);
            q[3] = 255;
        }
}

/* Largest difference between two frames of one layout, over the samples
 * of every component (padding ignored), in the format's own units. */
static int max_diff(const px_video_info *info, const uint8_t *a, const uint8_t *b)
{
    const px_video_format_info *f = info->finfo;
    int worst = 0;
    for (int comp = 0; comp < f->n_components; comp++) {
        int cw = px_video_info_comp_width(info, comp), ch = px_video_info_comp_height(info, comp);
        int p = f->plane[comp];
        for (int y = 0; y < ch; y++)
            for (int x = 0; x < cw; x++) {
                size_t o = info->offset[p] + (size_t)y * info->stride[p] + f->poffset[comp] +
                           (size_t)x * f->pstride[comp];
                int va = a[o], vb = b[o];
                if (f->bits > 8) {
                    va |= a[o + 1] << 8;
                    vb |= b[o + 1] << 8;
                }
                int d = abs(va - vb);
                worst = d > worst ? d : worst;
            }
    }
    return worst;
}

static bool same_chroma_layout(const px_video_format_info *a, const px_video_format_info *b)
{
    bool ya = a->flags & PX_VIDEO_FORMAT_FLAG_YUV, yb = b->flags & PX_VIDEO_FORMAT_FLAG_YUV;
    if (ya != yb)
        return false;
    return !ya || (a->w_sub[1] == b->w_sub[1] && a->h_sub[1] == b->h_sub[1]);
}

static bool same_family(const px_video_format_info *a, const px_video_format_info *b)
{
    unsigned m = PX_VIDEO_FORMAT_FLAG_YUV | PX_VIDEO_FORMAT_FLAG_RGB | PX_VIDEO_FORMAT_FLAG_GRAY;
    return (a->flags & m) == (b->flags & m);
}

static void round_trip_all_pairs(int width, int height, unsigned flags)
{
    px_video_info rgba;
    px_video_info_init(&rgba, PX_VIDEO_FORMAT_RGBA, width, height);
    uint8_t *pic = frame_alloc(&rgba);

    for (int fa = 1; fa < PX_VIDEO_FORMAT_COUNT; fa++) {
        for (int fb = 1; fb < PX_VIDEO_FORMAT_COUNT; fb++) {
            px_video_info a, b;
            px_video_info_init(&a, (px_video_format)fa, width, height);
            px_video_info_init(&b, (px_video_format)fb, width, height);
            bool gray = (a.finfo->flags | b.finfo->flags) & PX_VIDEO_FORMAT_FLAG_GRAY;
            uint8_t *src = frame_alloc(&a), *mid = frame_alloc(&b), *back = frame_alloc(&a);
            make_rgba(pic, &rgba, gray);
            convert(&rgba, pic, &a, src, 0);
            convert(&a, src, &b, mid, flags);
            convert(&b, mid, &a, back, flags);
            /* Exact: the same family and chroma layout, and b at least as deep
             * (the picture has 8-bit precision only, so any depth holds it). */
            bool exact = same_family(a.finfo, b.finfo) && same_chroma_layout(a.finfo, b.finfo);
            /* Chroma resampled (4:4:4 <-> 4:2:x) on a gradient: the edge
             * rows and columns extrapolate, a few code values off. */
            bool resampled = !same_chroma_layout(a.finfo, b.finfo) && !gray;
            int tol = exact ? 0 : resampled ? 8 : 3;
            if (a.finfo->bits > 8)
                tol <<= a.finfo->bits - 8;
            if (b.finfo->bits < a.finfo->bits && tol < 1 << (a.finfo->bits - b.finfo->bits - 1))
                tol = 1 << (a.finfo->bits - b.finfo->bits - 1); /* rounding to fewer bits */
            int d = max_diff(&a, src, back);
            if (d > tol)
                print_error("%s -> %s -> %s at %dx%d: max difference %d > %d\n", a.finfo->name,
                            b.finfo->name, a.finfo->name, width, height, d, tol);
            assert_true(d <= tol);
            free(src);
            free(mid);
            free(back);
        }
    }
    free(pic);
}

static void every_pair_round_trips_within_tolerance(void **state)
{
    (void)state;
    round_trip_all_pairs(64, 48, 0);
    round_trip_all_pairs(35, 21, 0); /* odd sizes: chroma rounds up */
    round_trip_all_pairs(1, 1, 0);
}

static void every_pair_round_trips_through_the_generic_path(void **state)
{
    (void)state;
    round_trip_all_pairs(35, 21, PX_VIDEO_CONVERT_GENERIC);
}

static void fill_random(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = (uint8_t)(seed >> 24);
    }
}

static void fill_i420_10_random(const px_video_info *info, uint8_t *p, uint32_t seed)
{
    fill_random(p, info->size, seed);
    for (size_t i = 1; i < info->size; i += 2)
        p[i] &= 3; /* valid 10-bit samples */
}

/* Converts with the given flags and with other_flags; returns the max difference. */
static int compare_paths(px_video_format fa, px_video_format fb, int w, int h, unsigned flags,
                         unsigned other_flags)
{
    px_video_info a, b;
    px_video_info_init(&a, fa, w, h);
    px_video_info_init(&b, fb, w, h);
    uint8_t *src = frame_alloc(&a), *o1 = frame_alloc(&b), *o2 = frame_alloc(&b);
    if (a.finfo->bits == 10) /* 10-bit samples in 16-bit words: the top bits stay 0 */
        fill_i420_10_random(&a, src, (uint32_t)(fa * 31 + w));
    else
        fill_random(src, a.size, (uint32_t)(fa * 31 + w));
    convert(&a, src, &b, o1, flags);
    convert(&b, o1, &b, o2, 0); /* copy kernel: whole-frame copies keep padding */
    convert(&a, src, &b, o2, other_flags);
    int d = max_diff(&b, o1, o2);
    free(src);
    free(o1);
    free(o2);
    return d;
}

static const px_video_format yuv420[] = {PX_VIDEO_FORMAT_I420, PX_VIDEO_FORMAT_YV12, PX_VIDEO_FORMAT_NV12,
                                         PX_VIDEO_FORMAT_NV21};
static const px_video_format rgb4[] = {PX_VIDEO_FORMAT_RGBA, PX_VIDEO_FORMAT_BGRA, PX_VIDEO_FORMAT_ARGB,
                                       PX_VIDEO_FORMAT_ABGR, PX_VIDEO_FORMAT_RGBx, PX_VIDEO_FORMAT_BGRx};

static void simd_yuv_to_rgb_is_bit_identical_to_scalar(void **state)
{
    static const int widths[] = {1, 2, 15, 16, 17, 31, 32, 33, 64, 67, 642};
    (void)state;
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 6; j++)
            for (size_t k = 0; k < sizeof widths / sizeof widths[0]; k++) {
                int d = compare_paths(yuv420[i], rgb4[j], widths[k], 7, 0, PX_VIDEO_CONVERT_SCALAR);
                if (d)
                    print_error("%s -> %s width %d: SIMD differs from scalar by %d\n",
                                px_video_format_to_string(yuv420[i]), px_video_format_to_string(rgb4[j]),
                                widths[k], d);
                assert_int_equal(d, 0);
            }
}

static void direct_kernels_agree_with_the_generic_path(void **state)
{
    (void)state;
    for (int fa = 1; fa < PX_VIDEO_FORMAT_COUNT; fa++)
        for (int fb = 1; fb < PX_VIDEO_FORMAT_COUNT; fb++) {
            px_video_info a, b;
            px_video_info_init(&a, (px_video_format)fa, 37, 9);
            px_video_info_init(&b, (px_video_format)fb, 37, 9);
            px_video_converter *c = px_video_converter_new(&a, &b, 0, NULL);
            assert_non_null(c);
            bool direct = strncmp(px_video_converter_describe(c), "generic", 7) != 0;
            bool yuv_rgb = strstr(px_video_converter_describe(c), "direct") && (b.finfo->flags & PX_VIDEO_FORMAT_FLAG_RGB) &&
                           (a.finfo->flags & PX_VIDEO_FORMAT_FLAG_YUV);
            px_video_converter_free(c);
            if (!direct)
                continue;
            /* Integer 4:2:0->RGB vs float generic: a code value or two; others exact. */
            int d = compare_paths((px_video_format)fa, (px_video_format)fb, 37, 9, 0, PX_VIDEO_CONVERT_GENERIC);
            int tol = yuv_rgb ? 2 : 0;
            if (d > tol)
                print_error("%s -> %s: direct differs from generic by %d\n", a.finfo->name, b.finfo->name, d);
            assert_true(d <= tol);
        }
}

static void common_pairs_use_direct_kernels(void **state)
{
    static const struct {
        px_video_format a, b;
        const char *desc;
    } cases[] = {
        {PX_VIDEO_FORMAT_I420, PX_VIDEO_FORMAT_BGRA, "direct I420->BGRA"},
        {PX_VIDEO_FORMAT_NV12, PX_VIDEO_FORMAT_RGBx, "direct NV12->RGBx"},
        {PX_VIDEO_FORMAT_NV12, PX_VIDEO_FORMAT_I420, "direct NV12->I420"},
        {PX_VIDEO_FORMAT_I420, PX_VIDEO_FORMAT_NV12, "direct I420->NV12"},
        {PX_VIDEO_FORMAT_YUY2, PX_VIDEO_FORMAT_I420, "direct YUY2->I420"},
        {PX_VIDEO_FORMAT_I420, PX_VIDEO_FORMAT_UYVY, "direct I420->UYVY"},
        {PX_VIDEO_FORMAT_RGB, PX_VIDEO_FORMAT_BGR, "direct RGB->BGR"},
        {PX_VIDEO_FORMAT_GRAY8, PX_VIDEO_FORMAT_I420, "direct GRAY8->I420"},
        {PX_VIDEO_FORMAT_I420, PX_VIDEO_FORMAT_GRAY8, "direct I420->GRAY8"},
        {PX_VIDEO_FORMAT_I420, PX_VIDEO_FORMAT_I420, "copy I420->I420"},
        {PX_VIDEO_FORMAT_RGB, PX_VIDEO_FORMAT_I420, "generic RGB->I420"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        px_video_info a, b;
        px_video_info_init(&a, cases[i].a, 64, 48);
        px_video_info_init(&b, cases[i].b, 64, 48);
        px_video_converter *c = px_video_converter_new(&a, &b, 0, NULL);
        assert_non_null(c);
        assert_non_null(strstr(px_video_converter_describe(c), cases[i].desc));
        px_video_converter_free(c);
    }
}

/* Solid 16x16 frames of one colour. */
static void solid_rgb(const px_video_info *info, uint8_t *p, int r, int g, int b)
{
    for (int y = 0; y < info->height; y++)
        for (int x = 0; x < info->width; x++) {
            uint8_t *q = p + y * info->stride[0] + 4 * x;
            q[0] = (uint8_t)r, q[1] = (uint8_t)g, q[2] = (uint8_t)b, q[3] = 255;
        }
}

static void expect_yuv_of_rgb(int matrix, int r, int g, int b, int ey, int eu, int ev)
{
    px_video_info rgba, i420;
    px_video_info_init(&rgba, PX_VIDEO_FORMAT_RGBA, 16, 16);
    px_video_info_init(&i420, PX_VIDEO_FORMAT_I420, 16, 16);
    i420.colorimetry.matrix = (uint8_t)matrix;
    uint8_t *src = frame_alloc(&rgba), *dst = frame_alloc(&i420), *back = frame_alloc(&rgba);
    solid_rgb(&rgba, src, r, g, b);
    convert(&rgba, src, &i420, dst, 0);
    assert_int_equal(dst[5 * i420.stride[0] + 7], ey);
    assert_int_equal(dst[i420.offset[1] + 3], eu);
    assert_int_equal(dst[i420.offset[2] + 3], ev);
    /* And back, through both the SIMD and the scalar kernel: within a code
     * value of the original (YUV holds 8 bits of Y, not of R/G/B). */
    for (int k = 0; k < 2; k++) {
        convert(&i420, dst, &rgba, back, k ? PX_VIDEO_CONVERT_SCALAR : 0);
        for (int c = 0; c < 3; c++)
            assert_true(abs(back[5 * rgba.stride[0] + 4 * 7 + c] - (c == 0 ? r : c == 1 ? g : b)) <= 1);
        assert_int_equal(back[3], 255);
    }
    free(src);
    free(dst);
    free(back);
}

static void bt601_limited_known_colours_are_exact(void **state)
{
    (void)state;
    expect_yuv_of_rgb(PX_VIDEO_MATRIX_BT601, 0, 0, 0, 16, 128, 128);
    expect_yuv_of_rgb(PX_VIDEO_MATRIX_BT601, 255, 255, 255, 235, 128, 128);
    expect_yuv_of_rgb(PX_VIDEO_MATRIX_BT601, 255, 0, 0, 81, 90, 240);
    expect_yuv_of_rgb(PX_VIDEO_MATRIX_BT601, 0, 255, 0, 145, 54, 34);
    expect_yuv_of_rgb(PX_VIDEO_MATRIX_BT601, 0, 0, 255, 41, 240, 110);
}

static void bt709_limited_known_colours_are_exact(void **state)
{
    (void)state;
    expect_yuv_of_rgb(PX_VIDEO_MATRIX_BT709, 255, 0, 0, 63, 102, 240);
    expect_yuv_of_rgb(PX_VIDEO_MATRIX_BT709, 0, 255, 0, 173, 42, 26);
    expect_yuv_of_rgb(PX_VIDEO_MATRIX_BT709, 0, 0, 255, 32, 240, 118);
}

static void black_and_white_decode_to_exact_rgb(void **state)
{
    px_video_info i420, bgra;
    (void)state;
    px_video_info_init(&i420, PX_VIDEO_FORMAT_I420, 32, 2);
    px_video_info_init(&bgra, PX_VIDEO_FORMAT_BGRA, 32, 2);
    uint8_t *src = frame_alloc(&i420), *dst = frame_alloc(&bgra);
    memset(src, 16, i420.offset[1]);
    memset(src + i420.offset[1], 128, i420.size - i420.offset[1]);
    memset(src, 235, 16); /* left half of row 0 white */
    convert(&i420, src, &bgra, dst, 0);
    assert_memory_equal(dst, ((uint8_t[]){255, 255, 255, 255, 255, 255, 255, 255}), 8);
    assert_memory_equal(dst + 4 * 16, ((uint8_t[]){0, 0, 0, 255, 0, 0, 0, 255}), 8);
    free(src);
    free(dst);
}

static void full_range_yuv_decodes_without_expansion(void **state)
{
    px_video_info nv12, rgbx;
    (void)state;
    px_video_info_init(&nv12, PX_VIDEO_FORMAT_NV12, 16, 2);
    px_video_info_init(&rgbx, PX_VIDEO_FORMAT_RGBx, 16, 2);
    nv12.colorimetry.range = PX_VIDEO_RANGE_FULL;
    uint8_t *src = frame_alloc(&nv12), *dst = frame_alloc(&rgbx);
    memset(src, 100, nv12.offset[1]);
    memset(src + nv12.offset[1], 128, nv12.size - nv12.offset[1]);
    convert(&nv12, src, &rgbx, dst, 0);
    assert_memory_equal(dst, ((uint8_t[]){100, 100, 100, 255}), 4);
    free(src);
    free(dst);
}

static void ten_bit_and_eight_bit_levels_agree(void **state)
{
    px_video_info i8, i10, g16, g8;
    (void)state;
    px_video_info_init(&i8, PX_VIDEO_FORMAT_I420, 4, 2);
    px_video_info_init(&i10, PX_VIDEO_FORMAT_I420_10LE, 4, 2);
    uint8_t *a = frame_alloc(&i8), *b = frame_alloc(&i10);
    memset(a, 235, i8.size);
    a[0] = 16;
    a[i8.offset[1]] = 240;
    convert(&i8, a, &i10, b, 0);
    assert_int_equal(b[0] | b[1] << 8, 64);
    assert_int_equal(b[2] | b[3] << 8, 940);
    assert_int_equal(b[i10.offset[1]] | b[i10.offset[1] + 1] << 8, 960);
    b[2] = 941 & 0xff; /* 941 rounds to 235 */
    convert(&i10, b, &i8, a, 0);
    assert_int_equal(a[0], 16);
    assert_int_equal(a[1], 235);
    assert_int_equal(a[i8.offset[1]], 240);
    free(a);
    free(b);

    px_video_info_init(&g16, PX_VIDEO_FORMAT_GRAY16_LE, 2, 1);
    px_video_info_init(&g8, PX_VIDEO_FORMAT_GRAY8, 2, 1);
    uint8_t w16[8] = {0x80, 0x12, 0xff, 0xff}, w8[8];
    convert(&g16, w16, &g8, w8, 0);
    assert_int_equal(w8[0], 0x13); /* 0x1280 rounds up */
    assert_int_equal(w8[1], 0xff);
}

static void gray_behaves_like_gstreamer(void **state)
{
    /* GStreamer 1.22 videoconvert: GRAY8 235 -> I420 Y 235 (no range
     * change), GRAY8 235 -> BGRA 235,235,235; BGRA white -> GRAY8 255. */
    px_video_info g, i, r;
    (void)state;
    px_video_info_init(&g, PX_VIDEO_FORMAT_GRAY8, 2, 2);
    px_video_info_init(&i, PX_VIDEO_FORMAT_I420, 2, 2);
    px_video_info_init(&r, PX_VIDEO_FORMAT_BGRA, 2, 2);
    uint8_t gray[8] = {235, 16, 0, 0, 235, 16, 0, 0}, yuv[16] = {0}, rgb[16] = {0};
    for (unsigned generic = 0; generic < 2; generic++) {
        unsigned fl = generic ? PX_VIDEO_CONVERT_GENERIC : 0;
        convert(&g, gray, &i, yuv, fl);
        assert_memory_equal(yuv, ((uint8_t[]){235, 16, 0, 0, 235, 16, 0, 0, 128, 0, 0, 0, 128}), 13);
        convert(&i, yuv, &g, gray, fl);
        assert_memory_equal(gray, ((uint8_t[]){235, 16, 0, 0, 235, 16}), 6);
    }
    convert(&g, gray, &r, rgb, 0);
    assert_memory_equal(rgb, ((uint8_t[]){235, 235, 235, 255, 16, 16, 16, 255}), 8);
    memset(rgb, 255, sizeof rgb);
    convert(&r, rgb, &g, gray, 0);
    assert_int_equal(gray[0], 255);
}

static void rgbx_padding_is_written_opaque(void **state)
{
    px_video_info i, x;
    (void)state;
    px_video_info_init(&i, PX_VIDEO_FORMAT_RGB, 3, 1);
    px_video_info_init(&x, PX_VIDEO_FORMAT_BGRx, 3, 1);
    uint8_t rgb[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, out[12] = {0};
    convert(&i, rgb, &x, out, 0);
    assert_memory_equal(out, ((uint8_t[]){3, 2, 1, 255, 6, 5, 4, 255, 9, 8, 7, 255}), 12);
    convert(&i, rgb, &x, out, PX_VIDEO_CONVERT_GENERIC);
    assert_memory_equal(out, ((uint8_t[]){3, 2, 1, 255, 6, 5, 4, 255, 9, 8, 7, 255}), 12);
}

static void convert_frame_with_caller_scratch_matches_converter(void **state)
{
    px_video_info a, b;
    (void)state;
    px_video_info_init(&a, PX_VIDEO_FORMAT_YUY2, 33, 17);
    px_video_info_init(&b, PX_VIDEO_FORMAT_ABGR, 33, 17);
    uint8_t *src = frame_alloc(&a), *o1 = frame_alloc(&b), *o2 = frame_alloc(&b);
    fill_random(src, a.size, 7);
    void *scratch = malloc(px_video_convert_scratch_size(&a, &b));
    assert_int_equal(px_video_convert_frame(&a, src, &b, o1, scratch), PX_OK);
    convert(&a, src, &b, o2, 0);
    assert_memory_equal(o1, o2, b.size);
    b.width = 32;
    assert_int_equal(px_video_convert_frame(&a, src, &b, o1, scratch), PX_EINVAL);
    free(scratch);
    free(src);
    free(o1);
    free(o2);
}

static void size_mismatch_is_refused_with_a_reason(void **state)
{
    px_video_info a, b;
    px_error err = {0};
    (void)state;
    px_video_info_init(&a, PX_VIDEO_FORMAT_I420, 320, 240);
    px_video_info_init(&b, PX_VIDEO_FORMAT_BGRA, 640, 480);
    assert_null(px_video_converter_new(&a, &b, 0, &err));
    assert_string_equal(err.message,
                        "video convert: sizes differ (320x240 -> 640x480); videoconvert does not scale");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_pair_round_trips_within_tolerance),
        cmocka_unit_test(every_pair_round_trips_through_the_generic_path),
        cmocka_unit_test(simd_yuv_to_rgb_is_bit_identical_to_scalar),
        cmocka_unit_test(direct_kernels_agree_with_the_generic_path),
        cmocka_unit_test(common_pairs_use_direct_kernels),
        cmocka_unit_test(bt601_limited_known_colours_are_exact),
        cmocka_unit_test(bt709_limited_known_colours_are_exact),
        cmocka_unit_test(black_and_white_decode_to_exact_rgb),
        cmocka_unit_test(full_range_yuv_decodes_without_expansion),
        cmocka_unit_test(ten_bit_and_eight_bit_levels_agree),
        cmocka_unit_test(gray_behaves_like_gstreamer),
        cmocka_unit_test(rgbx_padding_is_written_opaque),
        cmocka_unit_test(convert_frame_with_caller_scratch_matches_converter),
        cmocka_unit_test(size_mismatch_is_refused_with_a_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
