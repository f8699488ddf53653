/* Video element tests: the scaling, flip and crop kernels against exact
 * values and a double-precision reference, videotestsrc's pixels (BT.601
 * limited range, RGB byte orders), Y4M header parsing and writing, the
 * negotiation transforms (videoflip swaps, videocrop subtracts, videoscale
 * frees), and the chain() elements (rawvideoparse, y4mdec) fed from an
 * application source in odd-sized chunks. Kernels are reached directly:
 * the elements' static helpers are in this translation unit. */

#define PARALLAX_IMPLEMENTATION
#include "parallax.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

/* ---- Helpers ------------------------------------------------------------ */

static px_video_info info_of(px_video_format f, int w, int h)
{
    px_video_info info;
    assert_int_equal(px_video_info_init(&info, f, w, h), PX_OK);
    return info;
}

static uint8_t *frame_alloc(const px_video_info *info)
{
    uint8_t *p = calloc(1, info->size);
    assert_non_null(p);
    return p;
}

static uint8_t at(const px_video_info *info, const uint8_t *frame, int plane, int x, int y)
{
    return frame[info->offset[plane] + (size_t)y * info->stride[plane] + (size_t)x];
}

static void scale_plane(int method, const uint8_t *src, int sw, int sh, uint8_t *dst, int dw, int dh, int ch)
{
    px_video_scaler s;
    assert_int_equal(px_video_scaler_init(&s, method, sw, sh, dw, dh, ch, 1), PX_OK);
    px_video_scaler_run(&s, src, (size_t)sw * ch, dst, (size_t)dw * ch);
    px_video_scaler_clear(&s);
}

/* ---- Scaling kernels ------------------------------------------------------ */

static void scale_nearest_picks_the_pixel_under_each_centre(void **state)
{
    (void)state;
    const uint8_t src[8] = {1, 2, 3, 4, 5, 6, 7, 8}; /* 4x2 */
    uint8_t out[2];
    scale_plane(PX_VIDEO_SCALE_NEAREST, src, 4, 2, out, 2, 1, 1);
    /* centres 1.0 and 3.0 across, 1.0 down */
    assert_memory_equal(out, ((uint8_t[]){6, 8}), 2);
    uint8_t up[8];
    scale_plane(PX_VIDEO_SCALE_NEAREST, (const uint8_t[]){10, 20}, 2, 1, up, 4, 2, 1);
    assert_memory_equal(up, ((uint8_t[]){10, 10, 20, 20, 10, 10, 20, 20}), 8);
}

static void scale_bilinear_halving_averages_pairs(void **state)
{
    (void)state;
    uint8_t out[2];
    scale_plane(PX_VIDEO_SCALE_BILINEAR, (const uint8_t[]){10, 20, 30, 50}, 4, 1, out, 2, 1, 1);
    assert_memory_equal(out, ((uint8_t[]){15, 40}), 2);
    /* RGB: every channel on its own */
    uint8_t rgb[3];
    scale_plane(PX_VIDEO_SCALE_BILINEAR, (const uint8_t[]){0, 100, 200, 10, 110, 210}, 2, 1, rgb, 1, 1, 3);
    assert_memory_equal(rgb, ((uint8_t[]){5, 105, 205}), 3);
}

static void scale_bilinear_matches_a_double_reference(void **state)
{
    (void)state;
    enum { SW = 37, SH = 23, DW = 20, DH = 31 };
    uint8_t src[SW * SH], out[DW * DH];
    uint32_t r = 12345;
    for (int i = 0; i < SW * SH; i++)
        src[i] = (uint8_t)((r = r * 1103515245u + 12345u) >> 24);
    scale_plane(PX_VIDEO_SCALE_BILINEAR, src, SW, SH, out, DW, DH, 1);
    int worst = 0;
    for (int y = 0; y < DH; y++)
        for (int x = 0; x < DW; x++) {
            double cx = (x + 0.5) * SW / DW - 0.5, cy = (y + 0.5) * SH / DH - 0.5;
            int x0 = (int)(cx < 0 ? -1 : cx), y0 = (int)(cy < 0 ? -1 : cy);
            double fx = cx - x0, fy = cy - y0;
#define PXL(a, b) src[((b) < 0 ? 0 : (b) >= SH ? SH - 1 : (b)) * SW + ((a) < 0 ? 0 : (a) >= SW ? SW - 1 : (a))]
            double v = (1 - fy) * ((1 - fx) * PXL(x0, y0) + fx * PXL(x0 + 1, y0)) +
                       fy * ((1 - fx) * PXL(x0, y0 + 1) + fx * PXL(x0 + 1, y0 + 1));
#undef PXL
            int d = abs((int)(v + 0.5) - out[y * DW + x]);
            worst = d > worst ? d : worst;
        }
    assert_true(worst <= 1);
}

static void scale_area_averages_blocks(void **state)
{
    (void)state;
    const uint8_t src[16] = {0, 4, 8, 8, 4, 0, 8, 8, 100, 100, 1, 3, 100, 100, 2, 2};
    uint8_t out[4];
    scale_plane(PX_VIDEO_SCALE_AREA, src, 4, 4, out, 2, 2, 1);
    assert_memory_equal(out, ((uint8_t[]){2, 8, 100, 2}), 4);
    /* 3:1 on one axis: the mean of each triple, to within rounding */
    uint8_t tri[2];
    scale_plane(PX_VIDEO_SCALE_AREA, (const uint8_t[]){30, 60, 90, 200, 200, 201}, 6, 1, tri, 2, 1, 1);
    assert_int_equal(tri[0], 60);
    assert_true(tri[1] == 200 || tri[1] == 201);
}

static void scale_lanczos_keeps_flat_areas_flat(void **state)
{
    (void)state;
    uint8_t src[64 * 8], out[24 * 5];
    memset(src, 77, sizeof src);
    scale_plane(PX_VIDEO_SCALE_LANCZOS, src, 64, 8, out, 24, 5, 1);
    for (size_t i = 0; i < sizeof out; i++)
        assert_int_equal(out[i], 77);
}

static void scale_16bit_samples_keep_their_range(void **state)
{
    (void)state;
    const uint16_t src[4] = {1000, 2000, 3000, 65535};
    uint16_t out[2];
    px_video_scaler s;
    assert_int_equal(px_video_scaler_init(&s, PX_VIDEO_SCALE_BILINEAR, 4, 1, 2, 1, 1, 2), PX_OK);
    px_video_scaler_run(&s, (const uint8_t *)src, 8, (uint8_t *)out, 4);
    px_video_scaler_clear(&s);
    assert_int_equal(out[0], 1500);
    assert_int_equal(out[1], 34268);
}

static void scaler_rejects_bad_arguments(void **state)
{
    (void)state;
    px_video_scaler s;
    assert_int_equal(px_video_scaler_init(&s, PX_VIDEO_SCALE_BILINEAR, 0, 1, 1, 1, 1, 1), PX_EINVAL);
    assert_int_equal(px_video_scaler_init(&s, 7, 4, 4, 2, 2, 1, 1), PX_EINVAL);
    assert_int_equal(px_video_scaler_init(&s, PX_VIDEO_SCALE_AREA, 4, 4, 2, 2, 5, 1), PX_EINVAL);
    px_video_scaler_clear(&s);
}

/* The SIMD kernels (SSE2/SSSE3/AVX2 where the CPU has them) against the C
 * reference (isa lowered to PX_VIDEO_SCALE_ISA_C), bit for bit: random planes
 * of odd sizes, 1-4 channels, shrinking and growing, padded strides whose
 * padding must stay untouched. On other CPUs it checks C against itself. */
static void scale_simd_matches_the_c_reference(void **state)
{
    (void)state;
    static const int sizes[][4] = {
        {1920, 9, 1280, 6}, {1920, 7, 1280, 8}, {37, 23, 20, 31},  {101, 7, 67, 5}, {333, 17, 222, 11},
        {17, 5, 53, 9},     {64, 3, 21, 2},     {1001, 3, 999, 4}, {45, 9, 16, 9},  {2, 2, 19, 3},
        {19, 3, 2, 2},      {1, 4, 7, 2},       {300, 4, 150, 2},  {300, 4, 97, 3}, {960, 5, 640, 3},
        {640, 3, 960, 5},   {35, 2, 33, 3},     {8, 1, 16, 1},     {24, 3, 16, 2},  {7, 3, 7, 5},
    };
    static const int methods[] = {PX_VIDEO_SCALE_NEAREST, PX_VIDEO_SCALE_BILINEAR, PX_VIDEO_SCALE_AREA,
                                  PX_VIDEO_SCALE_LANCZOS};
    uint32_t r = 777;
    for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
        int sw = sizes[z][0], sh = sizes[z][1], dw = sizes[z][2], dh = sizes[z][3];
        for (int ch = 1; ch <= 4; ch++) {
            /* the last source row ends the buffer: sanitizers see any read past it */
            size_t ss = (size_t)sw * ch + 13, ds = (size_t)dw * ch + 7, sn = ss * (sh - 1) + (size_t)sw * ch;
            uint8_t *src = malloc(sn), *ref = malloc(ds * dh), *out = malloc(ds * dh);
            assert_non_null(src);
            assert_non_null(ref);
            assert_non_null(out);
            for (size_t i = 0; i < sn; i++)
                src[i] = (uint8_t)((r = r * 1103515245u + 12345u) >> 24);
            for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
                px_video_scaler s;
                assert_int_equal(px_video_scaler_init(&s, methods[m], sw, sh, dw, dh, ch, 1), PX_OK);
                int top = s.isa;
                memset(ref, 0xa5, ds * dh);
                s.isa = PX_VIDEO_SCALE_ISA_C;
                px_video_scaler_run(&s, src, ss, ref, ds);
                for (int isa = PX_VIDEO_SCALE_ISA_C; isa <= top; isa++) {
                    memset(out, 0xa5, ds * dh);
                    s.isa = isa;
                    px_video_scaler_run(&s, src, ss, out, ds);
                    if (memcmp(ref, out, ds * dh))
                        fail_msg("isa %d differs from C: method %d, %dx%d -> %dx%d, %d channels", isa,
                                 methods[m], sw, sh, dw, dh, ch);
                }
                px_video_scaler_clear(&s);
            }
            free(src);
            free(ref);
            free(out);
        }
    }
}

/* videoscale on I420 with add-borders: 4:3 into 16:9 gets pillarboxed. */
static void videoscale_add_borders_pillarboxes(void **state)
{
    (void)state;
    videoscale vs = {.method = PX_VIDEO_SCALE_BILINEAR, .add_borders = true};
    px_video_info in = info_of(PX_VIDEO_FORMAT_I420, 8, 6), out = info_of(PX_VIDEO_FORMAT_I420, 16, 6);
    uint8_t *src = frame_alloc(&in), *dst = frame_alloc(&out);
    memset(src, 200, in.size);
    assert_int_equal(videoscale_setup(&vs, &in, &out), PX_OK);
    assert_int_equal(vs.x, 4);
    assert_int_equal(vs.w, 8);
    videoscale_frame(&vs, src, dst);
    assert_int_equal(at(&out, dst, 0, 0, 0), 16);   /* border: black */
    assert_int_equal(at(&out, dst, 1, 0, 0), 128);
    assert_int_equal(at(&out, dst, 0, 8, 3), 200);  /* picture */
    assert_int_equal(at(&out, dst, 0, 15, 5), 16);
    videoscale_clear(&vs);
    vs.add_borders = false;
    assert_int_equal(videoscale_setup(&vs, &in, &out), PX_OK);
    videoscale_frame(&vs, src, dst);
    assert_int_equal(at(&out, dst, 0, 0, 0), 200);
    videoscale_clear(&vs);
    free(src);
    free(dst);
}

/* ---- Flip and crop ---------------------------------------------------------- */

static void flip_plane_every_method(void **state)
{
    (void)state;
    const uint8_t s[6] = {1, 2, 3, 4, 5, 6}; /* 3x2:  1 2 3 / 4 5 6 */
    static const struct {
        int method;
        uint8_t want[6];
    } cases[] = {
        {PX_VIDEO_ORIENT_IDENTITY, {1, 2, 3, 4, 5, 6}}, {PX_VIDEO_ORIENT_90R, {4, 1, 5, 2, 6, 3}},
        {PX_VIDEO_ORIENT_180, {6, 5, 4, 3, 2, 1}},      {PX_VIDEO_ORIENT_90L, {3, 6, 2, 5, 1, 4}},
        {PX_VIDEO_ORIENT_HORIZ, {3, 2, 1, 6, 5, 4}},    {PX_VIDEO_ORIENT_VERT, {4, 5, 6, 1, 2, 3}},
        {PX_VIDEO_ORIENT_UL_LR, {1, 4, 2, 5, 3, 6}},    {PX_VIDEO_ORIENT_UR_LL, {6, 3, 5, 2, 4, 1}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t out[6] = {0};
        bool swap = px_video_orientation_swaps(cases[i].method);
        px_video_flip_plane(cases[i].method, s, 3, 3, 2, 1, out, swap ? 2 : 3);
        assert_memory_equal(out, cases[i].want, 6);
    }
}

static void flip_rgb_moves_whole_pixels(void **state)
{
    (void)state;
    const uint8_t s[6] = {1, 2, 3, 4, 5, 6}; /* two RGB pixels side by side */
    uint8_t out[6];
    px_video_flip_plane(PX_VIDEO_ORIENT_HORIZ, s, 6, 2, 1, 3, out, 6);
    assert_memory_equal(out, ((uint8_t[]){4, 5, 6, 1, 2, 3}), 6);
    px_video_flip_plane(PX_VIDEO_ORIENT_90R, s, 6, 2, 1, 3, out, 3);
    assert_memory_equal(out, ((uint8_t[]){1, 2, 3, 4, 5, 6}), 6);
}

static void videoflip_rotates_i420_and_nv12_chroma(void **state)
{
    (void)state;
    px_video_format fmts[] = {PX_VIDEO_FORMAT_I420, PX_VIDEO_FORMAT_NV12};
    for (int k = 0; k < 2; k++) {
        videoflip vf = {.method = PX_VIDEO_ORIENT_90L};
        px_video_info in = info_of(fmts[k], 4, 2), out = info_of(fmts[k], 2, 4);
        uint8_t *src = frame_alloc(&in), *dst = frame_alloc(&out);
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 4; x++)
                src[in.offset[0] + (size_t)y * in.stride[0] + (size_t)x] = (uint8_t)(10 * y + x);
        /* chroma: 2x1 samples, U = 100 + x, V = 200 + x */
        for (int x = 0; x < 2; x++) {
            if (fmts[k] == PX_VIDEO_FORMAT_I420) {
                src[in.offset[1] + (size_t)x] = (uint8_t)(100 + x);
                src[in.offset[2] + (size_t)x] = (uint8_t)(200 + x);
            } else {
                src[in.offset[1] + 2 * (size_t)x] = (uint8_t)(100 + x);
                src[in.offset[1] + 2 * (size_t)x + 1] = (uint8_t)(200 + x);
            }
        }
        assert_int_equal(videoflip_setup(&vf, &in, &out), PX_OK);
        videoflip_frame(&vf, src, dst);
        /* counterclockwise: the right column becomes the top row */
        assert_int_equal(at(&out, dst, 0, 0, 0), 3);
        assert_int_equal(at(&out, dst, 0, 1, 0), 13);
        assert_int_equal(at(&out, dst, 0, 0, 3), 0);
        if (fmts[k] == PX_VIDEO_FORMAT_I420) {
            assert_int_equal(at(&out, dst, 1, 0, 0), 101);
            assert_int_equal(at(&out, dst, 1, 0, 1), 100);
            assert_int_equal(at(&out, dst, 2, 0, 0), 201);
        } else {
            assert_int_equal(at(&out, dst, 1, 0, 0), 101);
            assert_int_equal(at(&out, dst, 1, 1, 0), 201);
            assert_int_equal(at(&out, dst, 1, 0, 1), 100);
        }
        free(src);
        free(dst);
    }
}

static void videocrop_copies_the_window_in_several_formats(void **state)
{
    (void)state;
    /* GRAY8 8x4, crop left=3 top=1 right=1 bottom=1 -> 4x2 */
    videocrop c = {.top = 1, .bottom = 1, .left = 3, .right = 1};
    px_video_info in = info_of(PX_VIDEO_FORMAT_GRAY8, 8, 4), out = info_of(PX_VIDEO_FORMAT_GRAY8, 4, 2);
    uint8_t *src = frame_alloc(&in), *dst = frame_alloc(&out);
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 8; x++)
            src[(size_t)y * in.stride[0] + (size_t)x] = (uint8_t)(16 * y + x);
    assert_int_equal(videocrop_setup(&c, &in, &out), PX_OK);
    videocrop_frame(&c, src, dst);
    assert_memory_equal(dst, ((uint8_t[]){19, 20, 21, 22}), 4);
    assert_memory_equal(dst + out.stride[0], ((uint8_t[]){35, 36, 37, 38}), 4);
    free(src);
    free(dst);

    /* RGB 4x2, left=1: whole 3-byte pixels */
    c = (videocrop){.left = 1};
    in = info_of(PX_VIDEO_FORMAT_RGB, 4, 2), out = info_of(PX_VIDEO_FORMAT_RGB, 3, 2);
    src = frame_alloc(&in), dst = frame_alloc(&out);
    for (size_t i = 0; i < in.size; i++)
        src[i] = (uint8_t)i;
    assert_int_equal(videocrop_setup(&c, &in, &out), PX_OK);
    videocrop_frame(&c, src, dst);
    assert_memory_equal(dst, src + 3, 9);
    assert_memory_equal(dst + out.stride[0], src + in.stride[0] + 3, 9);
    free(src);
    free(dst);

    /* I420 8x4, left=3 top=1: rounded down to the chroma grid (2, 0) */
    c = (videocrop){.left = 3, .top = 1, .right = 1, .bottom = 1};
    in = info_of(PX_VIDEO_FORMAT_I420, 8, 4), out = info_of(PX_VIDEO_FORMAT_I420, 4, 2);
    src = frame_alloc(&in), dst = frame_alloc(&out);
    for (size_t i = 0; i < in.size; i++)
        src[i] = (uint8_t)i;
    assert_int_equal(videocrop_setup(&c, &in, &out), PX_OK);
    videocrop_frame(&c, src, dst);
    assert_int_equal(at(&out, dst, 0, 0, 0), at(&in, src, 0, 2, 0));
    assert_int_equal(at(&out, dst, 1, 0, 0), at(&in, src, 1, 1, 0));
    assert_int_equal(at(&out, dst, 2, 1, 0), at(&in, src, 2, 2, 0));
    free(src);
    free(dst);
}

/* ---- videotestsrc ---------------------------------------------------------- */

static uint8_t *render(int pattern, px_video_format f, int w, int h, px_video_info *info)
{
    videotestsrc *v = calloc(1, sizeof *v);
    assert_non_null(v);
    v->pattern = pattern;
    v->foreground_color = 0xffffffffu;
    v->background_color = 0xff000000u;
    *info = info_of(f, w, h);
    assert_int_equal(videotestsrc_setup(v, info), PX_OK);
    uint8_t *frame = frame_alloc(info);
    videotestsrc_render(v, frame);
    free(v->line);
    free(v);
    return frame;
}

static void videotestsrc_solid_patterns_in_i420_are_bt601_limited(void **state)
{
    (void)state;
    static const struct {
        int pattern;
        uint8_t y, u, v;
    } cases[] = {{VIDEOTESTSRC_BLACK, 16, 128, 128}, {VIDEOTESTSRC_WHITE, 235, 128, 128},
                 {VIDEOTESTSRC_RED, 81, 90, 240},    {VIDEOTESTSRC_GREEN, 145, 54, 34},
                 {VIDEOTESTSRC_BLUE, 41, 240, 110},  {VIDEOTESTSRC_SOLID, 235, 128, 128}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        px_video_info info;
        uint8_t *f = render(cases[i].pattern, PX_VIDEO_FORMAT_I420, 320, 240, &info);
        for (int y = 0; y < 240; y += 47)
            for (int x = 0; x < 320; x += 31)
                assert_int_equal(at(&info, f, 0, x, y), cases[i].y);
        assert_int_equal(at(&info, f, 1, 159, 119), cases[i].u);
        assert_int_equal(at(&info, f, 2, 0, 0), cases[i].v);
        assert_int_equal(at(&info, f, 2, 159, 119), cases[i].v);
        free(f);
    }
}

static void videotestsrc_rgb_formats_keep_byte_order(void **state)
{
    (void)state;
    px_video_info info;
    uint8_t *f = render(VIDEOTESTSRC_RED, PX_VIDEO_FORMAT_RGB, 5, 3, &info);
    assert_memory_equal(f + info.stride[0] * 2 + 12, ((uint8_t[]){255, 0, 0}), 3);
    free(f);
    f = render(VIDEOTESTSRC_RED, PX_VIDEO_FORMAT_BGRA, 5, 3, &info);
    assert_memory_equal(f, ((uint8_t[]){0, 0, 255, 255}), 4);
    free(f);
    f = render(VIDEOTESTSRC_BLUE, PX_VIDEO_FORMAT_ARGB, 5, 3, &info);
    assert_memory_equal(f + 4, ((uint8_t[]){255, 0, 0, 255}), 4);
    free(f);
    f = render(VIDEOTESTSRC_WHITE, PX_VIDEO_FORMAT_GRAY8, 5, 3, &info);
    assert_int_equal(f[4], 235);
    free(f);
    f = render(VIDEOTESTSRC_WHITE, PX_VIDEO_FORMAT_I420_10LE, 6, 2, &info);
    assert_int_equal(f[0] | f[1] << 8, 943); /* 235 * 257 >> 6 */
    free(f);
    f = render(VIDEOTESTSRC_RED, PX_VIDEO_FORMAT_NV12, 6, 2, &info);
    assert_memory_equal(f + info.offset[1], ((uint8_t[]){90, 240, 90, 240}), 4);
    free(f);
    f = render(VIDEOTESTSRC_RED, PX_VIDEO_FORMAT_YUY2, 4, 1, &info);
    assert_memory_equal(f, ((uint8_t[]){81, 90, 81, 240, 81, 90, 81, 240}), 8);
    free(f);
}

static void videotestsrc_checkers_and_bars_land_where_gstreamer_puts_them(void **state)
{
    (void)state;
    px_video_info info;
    uint8_t *f = render(VIDEOTESTSRC_CHECKERS1, PX_VIDEO_FORMAT_GRAY8, 4, 4, &info);
    assert_memory_equal(f, ((uint8_t[]){81, 145, 81, 145}), 4);
    assert_memory_equal(f + info.stride[0], ((uint8_t[]){145, 81, 145, 81}), 4);
    free(f);
    f = render(VIDEOTESTSRC_CHECKERS8, PX_VIDEO_FORMAT_GRAY8, 16, 16, &info);
    assert_int_equal(f[7], 81);
    assert_int_equal(f[8], 145);
    assert_int_equal(f[8 * info.stride[0]], 145);
    free(f);
    f = render(VIDEOTESTSRC_SMPTE, PX_VIDEO_FORMAT_RGB, 70, 12, &info);
    static const uint8_t bars[7][3] = {{255, 255, 255}, {255, 255, 0}, {0, 255, 255}, {0, 255, 0},
                                       {255, 0, 255},   {255, 0, 0},   {0, 0, 255}};
    for (int i = 0; i < 7; i++)
        assert_memory_equal(f + (size_t)(10 * i + 5) * 3, bars[i], 3);
    free(f);
}

static void videotestsrc_timestamps_follow_the_framerate(void **state)
{
    (void)state;
    px_fraction ntsc = {30000, 1001};
    assert_int_equal(videotestsrc_time(&ntsc, 0), 0);
    assert_int_equal(videotestsrc_time(&ntsc, 1), 33366666);
    assert_int_equal(videotestsrc_time(&ntsc, 30000), 1001 * PX_SECOND);
    px_fraction none = {0, 1};
    assert_true(videotestsrc_time(&none, 3) == PX_TIME_NONE);
}

/* ---- Y4M ------------------------------------------------------------------ */

static int parse(const char *text, y4mdec_header *h, size_t *used, char *msg, size_t *bad)
{
    return y4mdec_parse_header((const uint8_t *)text, strlen(text), h, used, msg, 256, bad);
}

static void y4m_header_parses_every_tag(void **state)
{
    (void)state;
    y4mdec_header h;
    size_t used = 0, bad = 0;
    char msg[256];
    const char *t = "YUV4MPEG2 W642 H362 F30000:1001 Ip A1:1 C420mpeg2 XYSCSS=420MPEG2\nFRAME\n";
    assert_int_equal(parse(t, &h, &used, msg, &bad), PX_OK);
    assert_int_equal(used, strlen("YUV4MPEG2 W642 H362 F30000:1001 Ip A1:1 C420mpeg2 XYSCSS=420MPEG2\n"));
    assert_int_equal(h.width, 642);
    assert_int_equal(h.height, 362);
    assert_int_equal(h.fps.num, 30000);
    assert_int_equal(h.fps.den, 1001);
    assert_int_equal(h.format, PX_VIDEO_FORMAT_I420);
    assert_int_equal(parse("YUV4MPEG2 W2 H2 Cmono\n", &h, &used, msg, &bad), PX_OK);
    assert_int_equal(h.format, PX_VIDEO_FORMAT_GRAY8);
    assert_int_equal(parse("YUV4MPEG2 W2 H2 C420p10 F25:1\n", &h, &used, msg, &bad), PX_OK);
    assert_int_equal(h.format, PX_VIDEO_FORMAT_I420_10LE);
    assert_int_equal(parse("YUV4MPEG2 W2 H2", &h, &used, msg, &bad), PX_EAGAIN);
}

static void y4m_bad_headers_name_the_tag_and_offset(void **state)
{
    (void)state;
    y4mdec_header h;
    size_t used = 0, bad = 0;
    char msg[256];
    assert_int_equal(parse("YUV4MPEG2 W320 F30:1\n", &h, &used, msg, &bad), PX_EINVAL);
    assert_string_equal(msg, "stream header has no H tag; Y4M requires W (width) and H (height)");
    assert_int_equal(parse("YUV4MPEG2 W320 H0\n", &h, &used, msg, &bad), PX_EINVAL);
    assert_string_equal(msg, "bad H tag \"H0\": not a number in 1..16384");
    assert_int_equal(bad, 15);
    assert_int_equal(parse("YUV4MPEG2 W99999999999 H2\n", &h, &used, msg, &bad), PX_EINVAL);
    assert_int_equal(bad, 10);
    assert_int_equal(parse("YUV4MPEG2 W2 H2 F30:0\n", &h, &used, msg, &bad), PX_EINVAL);
    assert_int_equal(parse("YUV4MPEG2 W2 H2 C444\n", &h, &used, msg, &bad), PX_EINVAL);
    assert_string_equal(msg, "colour space C444 is not supported; use 420jpeg, 420mpeg2, 420paldv, mono or 420p10");
    assert_int_equal(parse("YUV4MPEG2 W2 H2 It\n", &h, &used, msg, &bad), PX_EINVAL);
    assert_int_equal(parse("RIFF....", &h, &used, msg, &bad), PX_EINVAL);
    char big[Y4MDEC_LINE_MAX + 16];
    memset(big, 'X', sizeof big);
    memcpy(big, "YUV4MPEG2 ", 10);
    big[sizeof big - 1] = '\0';
    assert_int_equal(parse(big, &h, &used, msg, &bad), PX_EINVAL);
    assert_int_equal(y4mdec_parse_frame_header((const uint8_t *)"FRAMX\n", 6, &used, msg, 256), PX_EINVAL);
    assert_string_equal(msg, "expected \"FRAME\", found \"FRAMX\"");
    assert_int_equal(y4mdec_parse_frame_header((const uint8_t *)"FRAME Ixyz\n", 11, &used, msg, 256), PX_OK);
    assert_int_equal(used, 11);
}

static void y4m_header_round_trips_through_the_encoder(void **state)
{
    (void)state;
    px_video_info info = info_of(PX_VIDEO_FORMAT_I420, 642, 362);
    info.framerate = (px_fraction){30, 1};
    char buf[Y4MENC_HEADER_MAX];
    size_t n = y4menc_write_header(&info, buf, sizeof buf);
    assert_string_equal(buf, "YUV4MPEG2 W642 H362 F30:1 Ip A1:1 C420jpeg\n");
    y4mdec_header h;
    size_t used = 0, bad = 0;
    char msg[256];
    assert_int_equal(y4mdec_parse_header((const uint8_t *)buf, n, &h, &used, msg, sizeof msg, &bad), PX_OK);
    assert_int_equal(used, n);
    assert_int_equal(h.width, 642);
    assert_int_equal(h.height, 362);
    assert_int_equal(h.format, PX_VIDEO_FORMAT_I420);
    /* payload: rows without padding */
    assert_int_equal(y4menc_payload(&info), 642 * 362 + 2 * 321 * 181);
    uint8_t *frame = frame_alloc(&info), *packed = malloc(y4menc_payload(&info));
    assert_non_null(packed);
    for (size_t i = 0; i < info.size; i++)
        frame[i] = (uint8_t)(i * 7);
    assert_int_equal(y4menc_pack(&info, frame, packed), y4menc_payload(&info));
    assert_memory_equal(packed + 642, frame + info.stride[0], 642);
    assert_memory_equal(packed + 642 * 362 + 321, frame + info.offset[1] + info.stride[1], 321);
    free(frame);
    free(packed);
}

/* ---- Negotiation transforms ---------------------------------------------- */

static void transform(const char *factory, const char *prop, const char *value, px_pad_dir dir, const char *in,
                      const char *want)
{
    px_error err = {0};
    px_pipeline *p = px_pipeline_new();
    px_element *el = px_pipeline_add(p, factory, NULL, &err);
    assert_non_null(el);
    if (prop)
        assert_int_equal(px_set(el, prop, value, &err), PX_OK);
    px_caps c, out, w;
    assert_int_equal(px_caps_parse(&c, in, NULL), PX_OK);
    assert_int_equal(px_element_get_class(el)->transform_caps(el, dir, &c, &out), PX_OK);
    assert_int_equal(px_caps_parse(&w, want, NULL), PX_OK);
    char got[512];
    px_caps_to_short_string(&out, got, sizeof got);
    if (!px_caps_is_equal(&out, &w))
        fail_msg("%s: got %s, want %s", factory, got, want);
    px_pipeline_free(p);
}

static void transforms_follow_the_geometry(void **state)
{
    (void)state;
    transform("videoflip", "method", "clockwise", PX_DIR_SINK, "video/x-raw, format=I420, width=640, height=480",
              "video/x-raw, format=I420, height=640, width=480");
    transform("videoflip", "method", "rotate-180", PX_DIR_SINK, "video/x-raw, width=640, height=480",
              "video/x-raw, width=640, height=480");
    transform("videocrop", "left", "10", PX_DIR_SINK, "video/x-raw, width=640, height=[100, 200]",
              "video/x-raw, width=630, height=[100, 200]");
    transform("videocrop", "top", "20", PX_DIR_SRC, "video/x-raw, width=640, height=[100, 200]",
              "video/x-raw, width=640, height=[120, 220]");
    transform("videoscale", NULL, NULL, PX_DIR_SINK,
              "video/x-raw, format=NV12, width=1920, height=1080, pixel-aspect-ratio=1/1",
              "video/x-raw, format=NV12, width=[1, 16384], height=[1, 16384]");
}

/* ---- chain() elements fed by an application source ---------------------------- */

static const uint8_t *g_bytes;
static size_t g_len, g_pos, g_chunk;
static uint8_t g_got[65536];
static size_t g_got_len;
static int g_frames;
static px_time g_last_pts;

static px_flow bytesrc_produce(px_element *el, px_buffer *out)
{
    (void)el;
    if (g_pos >= g_len)
        return PX_FLOW_EOS;
    size_t n = g_len - g_pos < g_chunk ? g_len - g_pos : g_chunk;
    memcpy(out->data, g_bytes + g_pos, n);
    out->size = n;
    g_pos += n;
    return PX_FLOW_OK;
}

static px_flow grab_consume(px_element *el, const px_buffer *in)
{
    (void)el;
    if (g_got_len + in->size <= sizeof g_got) {
        memcpy(g_got + g_got_len, in->data, in->size);
        g_got_len += in->size;
    }
    g_frames++;
    g_last_pts = in->pts;
    return PX_FLOW_OK;
}

PX_ELEMENT_CLASS(testbytesrc) = {
    .name = "testbytesrc",
    .family = "Source",
    .description = "test bytes",
    .src = PX_PAD_ALWAYS("ANY"),
    .produce = bytesrc_produce,
};
PX_ELEMENT_CLASS(testgrab) = {
    .name = "testgrab",
    .family = "Sink",
    .description = "keeps what it gets",
    .sink = PX_PAD_ALWAYS("ANY"),
    .consume = grab_consume,
};
PX_ELEMENT_CLASS(testgrabgray) = {
    .name = "testgrabgray",
    .family = "Sink",
    .description = "keeps 4x2 GRAY8 frames",
    .sink = PX_PAD_ALWAYS("video/x-raw, format=GRAY8, width=4, height=2, framerate=30/1"),
    .consume = grab_consume,
};

static int setup_classes(void **state)
{
    (void)state;
    px_register_element(&px_elem_testbytesrc);
    px_register_element(&px_elem_testgrab);
    px_register_element(&px_elem_testgrabgray);
    return 0;
}

static int run_bytes(const char *desc, const void *bytes, size_t len, size_t chunk, px_error *err)
{
    g_bytes = bytes, g_len = len, g_pos = 0, g_chunk = chunk;
    g_got_len = 0, g_frames = 0, g_last_pts = PX_TIME_NONE;
    px_pipeline *p = px_pipeline_parse(desc, err);
    if (!p)
        fail_msg("%s: %s", desc, err->message);
    int rc = px_pipeline_run(p, err);
    px_pipeline_free(p);
    return rc;
}

static void rawvideoparse_cuts_frames_across_chunks(void **state)
{
    (void)state;
    uint8_t bytes[21];
    for (int i = 0; i < 21; i++)
        bytes[i] = (uint8_t)i;
    px_error err = {0};
    /* GRAY8 4x2: 8-byte frames; 21 bytes = 2 frames + 5 dropped at EOS */
    int rc = run_bytes("testbytesrc ! rawvideoparse format=gray8 width=4 height=2 framerate=10/1 ! testgrab", bytes,
                       sizeof bytes, 3, &err);
    assert_int_equal(rc, PX_OK);
    assert_int_equal(g_frames, 2);
    assert_int_equal(g_got_len, 16);
    assert_memory_equal(g_got, bytes, 16);
    assert_int_equal(g_last_pts, PX_SECOND / 10);
}

static void y4mdec_decodes_frames_across_chunks(void **state)
{
    (void)state;
    static const char y4m[] = "YUV4MPEG2 W4 H2 F30:1 Cmono XJUNK=1\nFRAME\nabcdefghFRAME Ixx\nijklmnop";
    for (size_t chunk = 1; chunk <= 13; chunk += 4) {
        px_error err = {0};
        int rc = run_bytes("testbytesrc ! y4mdec ! testgrabgray", y4m, sizeof y4m - 1, chunk, &err);
        if (rc != PX_OK)
            fail_msg("chunk %zu: %s", chunk, err.message);
        assert_int_equal(g_frames, 2);
        assert_memory_equal(g_got, "abcdefghijklmnop", 16);
        assert_int_equal(g_last_pts, PX_SECOND / 30);
    }
}

static void y4mdec_hostile_stream_is_an_error_with_offset(void **state)
{
    (void)state;
    static const char y4m[] = "YUV4MPEG2 W4 H2 F30:1 Cmono\nFRAME\nabcdefghFRAMEX\n";
    px_error err = {0};
    int rc = run_bytes("testbytesrc ! y4mdec ! testgrabgray", y4m, sizeof y4m - 1, 5, &err);
    assert_int_not_equal(rc, PX_OK);
    assert_non_null(strstr(err.message, "y4mdec0: bad Y4M frame header at byte 42: expected \"FRAME\" and a space"));
    assert_int_equal(g_frames, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scale_nearest_picks_the_pixel_under_each_centre),
        cmocka_unit_test(scale_bilinear_halving_averages_pairs),
        cmocka_unit_test(scale_bilinear_matches_a_double_reference),
        cmocka_unit_test(scale_area_averages_blocks),
        cmocka_unit_test(scale_lanczos_keeps_flat_areas_flat),
        cmocka_unit_test(scale_16bit_samples_keep_their_range),
        cmocka_unit_test(scaler_rejects_bad_arguments),
        cmocka_unit_test(scale_simd_matches_the_c_reference),
        cmocka_unit_test(videoscale_add_borders_pillarboxes),
        cmocka_unit_test(flip_plane_every_method),
        cmocka_unit_test(flip_rgb_moves_whole_pixels),
        cmocka_unit_test(videoflip_rotates_i420_and_nv12_chroma),
        cmocka_unit_test(videocrop_copies_the_window_in_several_formats),
        cmocka_unit_test(videotestsrc_solid_patterns_in_i420_are_bt601_limited),
        cmocka_unit_test(videotestsrc_rgb_formats_keep_byte_order),
        cmocka_unit_test(videotestsrc_checkers_and_bars_land_where_gstreamer_puts_them),
        cmocka_unit_test(videotestsrc_timestamps_follow_the_framerate),
        cmocka_unit_test(y4m_header_parses_every_tag),
        cmocka_unit_test(y4m_bad_headers_name_the_tag_and_offset),
        cmocka_unit_test(y4m_header_round_trips_through_the_encoder),
        cmocka_unit_test(transforms_follow_the_geometry),
        cmocka_unit_test(rawvideoparse_cuts_frames_across_chunks),
        cmocka_unit_test(y4mdec_decodes_frames_across_chunks),
        cmocka_unit_test(y4mdec_hostile_stream_is_an_error_with_offset),
    };
    return cmocka_run_group_tests(tests, setup_classes, NULL);
}
