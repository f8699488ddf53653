/* Video info tests: format names, frame layouts against GStreamer's
 * (gst_video_info_set_format) numbers, colorimetry strings and defaults,
 * caps round trips and the errors of px_video_info_from_caps. */

#define PARALLAX_IMPLEMENTATION
#include "parallax.h"

#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

/* Frame sizes written by GStreamer 1.22:
 *   gst-launch-1.0 videotestsrc num-buffers=1 ! video/x-raw,format=F,width=W,height=H !
 *   filesink location=f    (then stat -c %s f) */
static const struct {
    px_video_format format;
    int width, height;
    size_t size;
} gst_sizes[] = {
    {PX_VIDEO_FORMAT_I420, 640, 480, 460800},
    {PX_VIDEO_FORMAT_I420, 642, 362, 350416},
    {PX_VIDEO_FORMAT_I420, 641, 481, 466576},
    {PX_VIDEO_FORMAT_I420, 1, 1, 16},
    {PX_VIDEO_FORMAT_I420, 3, 3, 32},
    {PX_VIDEO_FORMAT_I420, 1920, 1080, 3110400},
    {PX_VIDEO_FORMAT_I420, 17, 5, 192},
    {PX_VIDEO_FORMAT_YV12, 640, 480, 460800},
    {PX_VIDEO_FORMAT_YV12, 642, 362, 350416},
    {PX_VIDEO_FORMAT_YV12, 641, 481, 466576},
    {PX_VIDEO_FORMAT_YV12, 1, 1, 16},
    {PX_VIDEO_FORMAT_YV12, 3, 3, 32},
    {PX_VIDEO_FORMAT_YV12, 1920, 1080, 3110400},
    {PX_VIDEO_FORMAT_YV12, 17, 5, 192},
    {PX_VIDEO_FORMAT_NV12, 640, 480, 460800},
    {PX_VIDEO_FORMAT_NV12, 642, 362, 349692},
    {PX_VIDEO_FORMAT_NV12, 641, 481, 465612},
    {PX_VIDEO_FORMAT_NV12, 1, 1, 12},
    {PX_VIDEO_FORMAT_NV12, 3, 3, 24},
    {PX_VIDEO_FORMAT_NV12, 1920, 1080, 3110400},
    {PX_VIDEO_FORMAT_NV12, 17, 5, 180},
    {PX_VIDEO_FORMAT_NV21, 640, 480, 460800},
    {PX_VIDEO_FORMAT_NV21, 642, 362, 349692},
    {PX_VIDEO_FORMAT_NV21, 641, 481, 465612},
    {PX_VIDEO_FORMAT_NV21, 1, 1, 12},
    {PX_VIDEO_FORMAT_NV21, 3, 3, 24},
    {PX_VIDEO_FORMAT_NV21, 1920, 1080, 3110400},
    {PX_VIDEO_FORMAT_NV21, 17, 5, 180},
    {PX_VIDEO_FORMAT_YUY2, 640, 480, 614400},
    {PX_VIDEO_FORMAT_YUY2, 642, 362, 464808},
    {PX_VIDEO_FORMAT_YUY2, 641, 481, 617604},
    {PX_VIDEO_FORMAT_YUY2, 1, 1, 4},
    {PX_VIDEO_FORMAT_YUY2, 3, 3, 24},
    {PX_VIDEO_FORMAT_YUY2, 1920, 1080, 4147200},
    {PX_VIDEO_FORMAT_YUY2, 17, 5, 180},
    {PX_VIDEO_FORMAT_UYVY, 640, 480, 614400},
    {PX_VIDEO_FORMAT_UYVY, 642, 362, 464808},
    {PX_VIDEO_FORMAT_UYVY, 641, 481, 617604},
    {PX_VIDEO_FORMAT_UYVY, 1, 1, 4},
    {PX_VIDEO_FORMAT_UYVY, 3, 3, 24},
    {PX_VIDEO_FORMAT_UYVY, 1920, 1080, 4147200},
    {PX_VIDEO_FORMAT_UYVY, 17, 5, 180},
    {PX_VIDEO_FORMAT_RGB, 640, 480, 921600},
    {PX_VIDEO_FORMAT_RGB, 642, 362, 697936},
    {PX_VIDEO_FORMAT_RGB, 641, 481, 925444},
    {PX_VIDEO_FORMAT_RGB, 1, 1, 4},
    {PX_VIDEO_FORMAT_RGB, 3, 3, 36},
    {PX_VIDEO_FORMAT_RGB, 1920, 1080, 6220800},
    {PX_VIDEO_FORMAT_RGB, 17, 5, 260},
    {PX_VIDEO_FORMAT_BGR, 640, 480, 921600},
    {PX_VIDEO_FORMAT_BGR, 642, 362, 697936},
    {PX_VIDEO_FORMAT_BGR, 641, 481, 925444},
    {PX_VIDEO_FORMAT_BGR, 1, 1, 4},
    {PX_VIDEO_FORMAT_BGR, 3, 3, 36},
    {PX_VIDEO_FORMAT_BGR, 1920, 1080, 6220800},
    {PX_VIDEO_FORMAT_BGR, 17, 5, 260},
    {PX_VIDEO_FORMAT_RGBA, 640, 480, 1228800},
    {PX_VIDEO_FORMAT_RGBA, 642, 362, 929616},
    {PX_VIDEO_FORMAT_RGBA, 641, 481, 1233284},
    {PX_VIDEO_FORMAT_RGBA, 1, 1, 4},
    {PX_VIDEO_FORMAT_RGBA, 3, 3, 36},
    {PX_VIDEO_FORMAT_RGBA, 1920, 1080, 8294400},
    {PX_VIDEO_FORMAT_RGBA, 17, 5, 340},
    {PX_VIDEO_FORMAT_BGRA, 640, 480, 1228800},
    {PX_VIDEO_FORMAT_BGRA, 642, 362, 929616},
    {PX_VIDEO_FORMAT_BGRA, 641, 481, 1233284},
    {PX_VIDEO_FORMAT_BGRA, 1, 1, 4},
    {PX_VIDEO_FORMAT_BGRA, 3, 3, 36},
    {PX_VIDEO_FORMAT_BGRA, 1920, 1080, 8294400},
    {PX_VIDEO_FORMAT_BGRA, 17, 5, 340},
    {PX_VIDEO_FORMAT_ARGB, 640, 480, 1228800},
    {PX_VIDEO_FORMAT_ARGB, 642, 362, 929616},
    {PX_VIDEO_FORMAT_ARGB, 641, 481, 1233284},
    {PX_VIDEO_FORMAT_ARGB, 1, 1, 4},
    {PX_VIDEO_FORMAT_ARGB, 3, 3, 36},
    {PX_VIDEO_FORMAT_ARGB, 1920, 1080, 8294400},
    {PX_VIDEO_FORMAT_ARGB, 17, 5, 340},
    {PX_VIDEO_FORMAT_ABGR, 640, 480, 1228800},
    {PX_VIDEO_FORMAT_ABGR, 642, 362, 929616},
    {PX_VIDEO_FORMAT_ABGR, 641, 481, 1233284},
    {PX_VIDEO_FORMAT_ABGR, 1, 1, 4},
    {PX_VIDEO_FORMAT_ABGR, 3, 3, 36},
    {PX_VIDEO_FORMAT_ABGR, 1920, 1080, 8294400},
    {PX_VIDEO_FORMAT_ABGR, 17, 5, 340},
    {PX_VIDEO_FORMAT_RGBx, 640, 480, 1228800},
    {PX_VIDEO_FORMAT_RGBx, 642, 362, 929616},
    {PX_VIDEO_FORMAT_RGBx, 641, 481, 1233284},
    {PX_VIDEO_FORMAT_RGBx, 1, 1, 4},
    {PX_VIDEO_FORMAT_RGBx, 3, 3, 36},
    {PX_VIDEO_FORMAT_RGBx, 1920, 1080, 8294400},
    {PX_VIDEO_FORMAT_RGBx, 17, 5, 340},
    {PX_VIDEO_FORMAT_BGRx, 640, 480, 1228800},
    {PX_VIDEO_FORMAT_BGRx, 642, 362, 929616},
    {PX_VIDEO_FORMAT_BGRx, 641, 481, 1233284},
    {PX_VIDEO_FORMAT_BGRx, 1, 1, 4},
    {PX_VIDEO_FORMAT_BGRx, 3, 3, 36},
    {PX_VIDEO_FORMAT_BGRx, 1920, 1080, 8294400},
    {PX_VIDEO_FORMAT_BGRx, 17, 5, 340},
    {PX_VIDEO_FORMAT_GRAY8, 640, 480, 307200},
    {PX_VIDEO_FORMAT_GRAY8, 642, 362, 233128},
    {PX_VIDEO_FORMAT_GRAY8, 641, 481, 309764},
    {PX_VIDEO_FORMAT_GRAY8, 1, 1, 4},
    {PX_VIDEO_FORMAT_GRAY8, 3, 3, 12},
    {PX_VIDEO_FORMAT_GRAY8, 1920, 1080, 2073600},
    {PX_VIDEO_FORMAT_GRAY8, 17, 5, 100},
    {PX_VIDEO_FORMAT_GRAY16_LE, 640, 480, 614400},
    {PX_VIDEO_FORMAT_GRAY16_LE, 642, 362, 464808},
    {PX_VIDEO_FORMAT_GRAY16_LE, 641, 481, 617604},
    {PX_VIDEO_FORMAT_GRAY16_LE, 1, 1, 4},
    {PX_VIDEO_FORMAT_GRAY16_LE, 3, 3, 24},
    {PX_VIDEO_FORMAT_GRAY16_LE, 1920, 1080, 4147200},
    {PX_VIDEO_FORMAT_GRAY16_LE, 17, 5, 180},
    {PX_VIDEO_FORMAT_I420_10LE, 640, 480, 921600},
    {PX_VIDEO_FORMAT_I420_10LE, 642, 362, 697936},
    {PX_VIDEO_FORMAT_I420_10LE, 641, 481, 929296},
    {PX_VIDEO_FORMAT_I420_10LE, 1, 1, 16},
    {PX_VIDEO_FORMAT_I420_10LE, 3, 3, 48},
    {PX_VIDEO_FORMAT_I420_10LE, 1920, 1080, 6220800},
    {PX_VIDEO_FORMAT_I420_10LE, 17, 5, 336},
    /* gst-launch-1.0 videotestsrc num-buffers=1 ! video/x-raw,format=F,width=W,height=H ! filesink */
    {PX_VIDEO_FORMAT_Y42B, 640, 480, 614400},
    {PX_VIDEO_FORMAT_Y42B, 642, 362, 467704},
    {PX_VIDEO_FORMAT_Y42B, 641, 481, 621452},
    {PX_VIDEO_FORMAT_Y42B, 1, 1, 12},
    {PX_VIDEO_FORMAT_Y42B, 3, 3, 36},
    {PX_VIDEO_FORMAT_Y42B, 17, 5, 220},
    {PX_VIDEO_FORMAT_Y444, 640, 480, 921600},
    {PX_VIDEO_FORMAT_Y444, 642, 362, 699384},
    {PX_VIDEO_FORMAT_Y444, 641, 481, 929292},
    {PX_VIDEO_FORMAT_Y444, 1, 1, 12},
    {PX_VIDEO_FORMAT_Y444, 3, 3, 36},
    {PX_VIDEO_FORMAT_Y444, 17, 5, 300},
    {PX_VIDEO_FORMAT_I422_10LE, 640, 480, 1228800},
    {PX_VIDEO_FORMAT_I422_10LE, 642, 362, 931064},
    {PX_VIDEO_FORMAT_I422_10LE, 641, 481, 1239704},
    {PX_VIDEO_FORMAT_I422_10LE, 1, 1, 24},
    {PX_VIDEO_FORMAT_I422_10LE, 3, 3, 64},
    {PX_VIDEO_FORMAT_I422_10LE, 17, 5, 456},
    {PX_VIDEO_FORMAT_Y444_10LE, 640, 480, 1843200},
    {PX_VIDEO_FORMAT_Y444_10LE, 642, 362, 1394424},
    {PX_VIDEO_FORMAT_Y444_10LE, 641, 481, 1852812},
    {PX_VIDEO_FORMAT_Y444_10LE, 1, 1, 12},
    {PX_VIDEO_FORMAT_Y444_10LE, 3, 3, 72},
    {PX_VIDEO_FORMAT_Y444_10LE, 17, 5, 540},
};

static void every_format_matches_gstreamer_frame_sizes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof gst_sizes / sizeof gst_sizes[0]; i++) {
        px_video_info info;
        assert_int_equal(px_video_info_init(&info, gst_sizes[i].format, gst_sizes[i].width,
                                            gst_sizes[i].height),
                         PX_OK);
        if (info.size != gst_sizes[i].size)
            print_error("%s %dx%d: %zu, GStreamer %zu\n", px_video_format_to_string(gst_sizes[i].format),
                        gst_sizes[i].width, gst_sizes[i].height, info.size, gst_sizes[i].size);
        assert_int_equal(info.size, gst_sizes[i].size);
    }
}

static void every_format_is_in_the_size_table(void **state)
{
    (void)state;
    for (int f = 1; f < PX_VIDEO_FORMAT_COUNT; f++) {
        bool seen = false;
        for (size_t i = 0; i < sizeof gst_sizes / sizeof gst_sizes[0]; i++)
            seen |= gst_sizes[i].format == (px_video_format)f;
        assert_true(seen);
    }
}

#define ASSERT_LAYOUT(info, s0, s1, s2, o1, o2, total)       \
    do {                                                   \
        assert_int_equal((info).stride[0], (s0));          \
        assert_int_equal((info).stride[1], (s1));          \
        assert_int_equal((info).stride[2], (s2));          \
        assert_int_equal((info).offset[0], 0);             \
        assert_int_equal((info).offset[1], (o1));          \
        assert_int_equal((info).offset[2], (o2));          \
        assert_int_equal((info).size, (total));            \
    } while (0)

static void i420_640x480_is_460800_bytes_in_three_planes(void **state)
{
    px_video_info info;
    (void)state;
    assert_int_equal(px_video_info_init(&info, PX_VIDEO_FORMAT_I420, 640, 480), PX_OK);
    assert_int_equal(info.n_planes, 3);
    ASSERT_LAYOUT(info, 640, 320, 320, 307200, 384000, 460800);
}

static void odd_sizes_round_chroma_up_and_rows_to_four_bytes(void **state)
{
    px_video_info info;
    (void)state;
    px_video_info_init(&info, PX_VIDEO_FORMAT_I420, 642, 362);
    ASSERT_LAYOUT(info, 644, 324, 324, 233128, 291772, 350416);
    px_video_info_init(&info, PX_VIDEO_FORMAT_YV12, 641, 481);
    ASSERT_LAYOUT(info, 644, 324, 324, 644 * 482, 644 * 482 + 324 * 241, 466576);
    px_video_info_init(&info, PX_VIDEO_FORMAT_NV12, 642, 362);
    assert_int_equal(info.n_planes, 2);
    ASSERT_LAYOUT(info, 644, 644, 0, 233128, 0, 349692);
    px_video_info_init(&info, PX_VIDEO_FORMAT_I420_10LE, 641, 481);
    ASSERT_LAYOUT(info, 1284, 644, 644, 1284 * 482, 1284 * 482 + 644 * 241, 929296);
    px_video_info_init(&info, PX_VIDEO_FORMAT_YUY2, 641, 481);
    ASSERT_LAYOUT(info, 1284, 0, 0, 0, 0, 617604);
    px_video_info_init(&info, PX_VIDEO_FORMAT_RGB, 641, 481);
    ASSERT_LAYOUT(info, 1924, 0, 0, 0, 0, 925444);
    px_video_info_init(&info, PX_VIDEO_FORMAT_BGRx, 641, 481);
    ASSERT_LAYOUT(info, 2564, 0, 0, 0, 0, 1233284);
    px_video_info_init(&info, PX_VIDEO_FORMAT_GRAY8, 3, 3);
    ASSERT_LAYOUT(info, 4, 0, 0, 0, 0, 12);
    assert_int_equal(px_video_info_comp_width(&info, 0), 3);
    px_video_info_init(&info, PX_VIDEO_FORMAT_I420, 3, 3);
    assert_int_equal(px_video_info_comp_width(&info, 1), 2);
    assert_int_equal(px_video_info_comp_height(&info, 2), 2);
}

static void sizes_outside_1_to_16384_are_refused(void **state)
{
    px_video_info info;
    (void)state;
    assert_int_equal(px_video_info_init(&info, PX_VIDEO_FORMAT_I420, 0, 10), PX_EINVAL);
    assert_int_equal(px_video_info_init(&info, PX_VIDEO_FORMAT_I420, 16385, 10), PX_EINVAL);
    assert_int_equal(px_video_info_init(&info, PX_VIDEO_FORMAT_UNKNOWN, 16, 16), PX_EINVAL);
    assert_int_equal(px_video_info_init(&info, PX_VIDEO_FORMAT_I420, 16384, 16384), PX_OK);
}

static void format_names_are_gstreamer_names_and_round_trip(void **state)
{
    static const char *names[] = {"I420", "YV12", "NV12", "NV21", "YUY2", "UYVY", "RGB", "BGR", "RGBA",
                                  "BGRA", "ARGB", "ABGR", "RGBx", "BGRx", "GRAY8", "GRAY16_LE",
                                  "I420_10LE", "Y42B", "Y444", "I422_10LE", "Y444_10LE"};
    (void)state;
    assert_int_equal(sizeof names / sizeof names[0], PX_VIDEO_FORMAT_COUNT - 1);
    for (int f = 1; f < PX_VIDEO_FORMAT_COUNT; f++) {
        assert_string_equal(px_video_format_to_string((px_video_format)f), names[f - 1]);
        assert_int_equal(px_video_format_from_string(names[f - 1]), f);
        assert_non_null(strstr(PX_VIDEO_FORMATS_CAPS, names[f - 1]));
    }
    assert_int_equal(px_video_format_from_string("i420"), PX_VIDEO_FORMAT_UNKNOWN);
    assert_int_equal(px_video_format_from_string("I4200"), PX_VIDEO_FORMAT_UNKNOWN);
    assert_int_equal(px_video_format_from_string(NULL), PX_VIDEO_FORMAT_UNKNOWN);
    assert_string_equal(px_video_format_to_string(PX_VIDEO_FORMAT_UNKNOWN), "UNKNOWN");
}

static void caps_template_parses_and_lists_every_format(void **state)
{
    px_caps caps;
    px_error err = {0};
    (void)state;
    assert_string_equal(px_video_caps_template(), PX_VIDEO_CAPS_TEMPLATE);
    assert_int_equal(px_caps_parse(&caps, PX_VIDEO_CAPS_TEMPLATE, &err), PX_OK);
    assert_false(px_caps_is_fixed(&caps));
    px_caps fixed;
    assert_int_equal(px_caps_parse(&fixed, "video/x-raw,format=GRAY16_LE,width=16384,height=1,framerate=0/1", &err),
                     PX_OK);
    assert_true(px_caps_is_subset(&fixed, &caps));
}

static void colorimetry_defaults_follow_gstreamer(void **state)
{
    char buf[32];
    px_video_info info;
    (void)state;
    px_video_info_init(&info, PX_VIDEO_FORMAT_I420, 720, 576);
    px_video_colorimetry_to_string(&info.colorimetry, buf, sizeof buf);
    assert_string_equal(buf, "bt601");
    px_video_info_init(&info, PX_VIDEO_FORMAT_NV12, 1280, 720);
    px_video_colorimetry_to_string(&info.colorimetry, buf, sizeof buf);
    assert_string_equal(buf, "bt709");
    px_video_info_init(&info, PX_VIDEO_FORMAT_I420, 3840, 2160);
    px_video_colorimetry_to_string(&info.colorimetry, buf, sizeof buf);
    assert_string_equal(buf, "bt2020");
    px_video_info_init(&info, PX_VIDEO_FORMAT_BGRA, 1920, 1080);
    px_video_colorimetry_to_string(&info.colorimetry, buf, sizeof buf);
    assert_string_equal(buf, "sRGB");
    assert_int_equal(info.colorimetry.range, PX_VIDEO_RANGE_FULL);
    px_video_info_init(&info, PX_VIDEO_FORMAT_GRAY8, 64, 64);
    assert_int_equal(info.colorimetry.range, PX_VIDEO_RANGE_FULL);
}

static void colorimetry_strings_round_trip(void **state)
{
    static const char *names[] = {"bt601", "bt709", "bt2020", "smpte240m", "sRGB", "bt2100-pq", "2:4:0:0",
                                  "1:3:5:1"};
    px_video_colorimetry c;
    char buf[32];
    (void)state;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        assert_int_equal(px_video_colorimetry_from_string(&c, names[i]), PX_OK);
        assert_int_equal(px_video_colorimetry_to_string(&c, buf, sizeof buf), PX_OK);
        assert_string_equal(buf, names[i]);
    }
    assert_int_equal(px_video_colorimetry_from_string(&c, "2:4:16:4"), PX_OK);
    px_video_colorimetry_to_string(&c, buf, sizeof buf);
    assert_string_equal(buf, "bt601");
    assert_int_equal(px_video_colorimetry_from_string(&c, "bt666"), PX_EINVAL);
    assert_int_equal(px_video_colorimetry_from_string(&c, "2:4:0"), PX_EINVAL);
    assert_int_equal(px_video_colorimetry_from_string(&c, "9:4:0:0"), PX_EINVAL);
}

static void info_from_caps_reads_every_field(void **state)
{
    px_caps caps;
    px_video_info info;
    px_error err = {0};
    (void)state;
    assert_int_equal(px_caps_parse(&caps,
                                   "video/x-raw, format=NV12, width=642, height=362, framerate=30000/1001, "
                                   "pixel-aspect-ratio=16/15, colorimetry=bt709",
                                   &err),
                     PX_OK);
    assert_int_equal(px_video_info_from_caps(&info, &caps, &err), PX_OK);
    assert_int_equal(info.format, PX_VIDEO_FORMAT_NV12);
    assert_int_equal(info.width, 642);
    assert_int_equal(info.height, 362);
    assert_int_equal(info.framerate.num, 30000);
    assert_int_equal(info.framerate.den, 1001);
    assert_int_equal(info.par.num, 16);
    assert_int_equal(info.par.den, 15);
    assert_int_equal(info.colorimetry.matrix, PX_VIDEO_MATRIX_BT709);
    assert_int_equal(info.colorimetry.range, PX_VIDEO_RANGE_LIMITED);
    assert_int_equal(info.size, 349692);
}

static void info_to_caps_and_back_is_the_same_info(void **state)
{
    px_caps caps;
    px_video_info a, b;
    px_error err = {0};
    char text[512];
    (void)state;
    for (int f = 1; f < PX_VIDEO_FORMAT_COUNT; f++) {
        px_video_info_init(&a, (px_video_format)f, 642, 362);
        a.framerate = (px_fraction){25, 1};
        a.par = (px_fraction){4, 3};
        if (f == PX_VIDEO_FORMAT_I420)
            a.colorimetry.range = PX_VIDEO_RANGE_FULL; /* "1:4:16:4" */
        assert_int_equal(px_video_info_to_caps(&a, &caps), PX_OK);
        assert_true(px_caps_is_fixed(&caps));
        assert_int_equal(px_video_info_from_caps(&b, &caps, &err), PX_OK);
        assert_true(px_video_info_is_equal(&a, &b));
        assert_int_equal(b.framerate.num, 25);
        assert_int_equal(b.par.den, 3);
    }
    px_video_info_init(&a, PX_VIDEO_FORMAT_I420, 320, 240);
    a.framerate = (px_fraction){30, 1};
    px_video_info_to_caps(&a, &caps);
    px_caps_to_short_string(&caps, text, sizeof text);
    assert_non_null(strstr(text, "format=I420"));
    assert_non_null(strstr(text, "colorimetry=bt601"));
}

static void expect_caps_error(const char *text, const char *needle)
{
    px_caps caps;
    px_video_info info;
    px_error err = {0};
    assert_int_equal(px_caps_parse(&caps, text, &err), PX_OK);
    assert_int_not_equal(px_video_info_from_caps(&info, &caps, &err), PX_OK);
    if (!strstr(err.message, needle))
        print_error("'%s' not in '%s'\n", needle, err.message);
    assert_non_null(strstr(err.message, needle));
}

static void caps_errors_name_the_field(void **state)
{
    (void)state;
    expect_caps_error("video/x-raw, width=320, height=240", "format is missing");
    expect_caps_error("video/x-raw, format=I4200, width=320, height=240",
                      "format=I4200 is not a known raw video format (one of { I420,");
    expect_caps_error("video/x-raw, format=I420, height=240", "width is missing");
    expect_caps_error("video/x-raw, format=I420, width=320", "height is missing");
    expect_caps_error("video/x-raw, format=I420, width=0, height=240", "width must be");
    expect_caps_error("video/x-raw, format=I420, width=320, height=240, colorimetry=bt666",
                      "colorimetry=bt666 is not known");
    expect_caps_error("video/x-raw, format=I420, width=320, height=240, interlace-mode=interleaved",
                      "interlace-mode=interleaved is not supported");
    expect_caps_error("audio/x-raw, format=S16LE", "media type is audio/x-raw");
    expect_caps_error("video/x-raw, format={I420,NV12}, width=320, height=240", "not fixed");
}

/* av1dec's frames: 642x362 I420 laid out as 768x384 (dav1d's 128-pixel multiples). */
static void padded_layout_from_caps(void **state)
{
    px_caps caps;
    px_video_info info, plain;
    px_error err = {0};
    (void)state;
    assert_int_equal(px_caps_parse(&caps, "video/x-raw, format=I420, width=642, height=362, padding-right=126, "
                                          "padding-bottom=22", NULL), PX_OK);
    assert_int_equal(px_video_info_from_caps(&info, &caps, &err), PX_OK);
    assert_int_equal(info.width, 642);
    assert_int_equal(info.height, 362);
    assert_int_equal(info.stride[0], 768);
    assert_int_equal(info.stride[1], 384);
    assert_int_equal(info.offset[1], 768 * 384);
    assert_int_equal(info.offset[2], 768 * 384 + 384 * 192);
    assert_int_equal(info.size, 768 * 384 * 3 / 2);
    for (int p = 0; p < 3; p++)
        assert_int_equal(info.offset[p] % 64, 0); /* dav1d's plane alignment */
    px_video_info_init(&plain, PX_VIDEO_FORMAT_I420, 642, 362);
    assert_false(px_video_info_is_equal(&info, &plain)); /* videoconvert converts, never passes through */
    assert_int_equal(px_video_info_set_padding(&plain, 126, 22), PX_OK);
    assert_true(px_video_info_is_equal(&info, &plain));
    assert_int_equal(px_caps_parse(&caps, "video/x-raw, format=I420, width=16384, height=16, padding-right=1", NULL),
                     PX_OK);
    assert_int_equal(px_video_info_from_caps(&info, &caps, &err), PX_EINVAL);
    assert_string_equal(err.message, "video caps: padding-right=1, padding-bottom=0: the padded frame must be at "
                                     "most 16384x16384 and the padding >= 0");
    assert_int_equal(px_video_info_set_padding(&plain, -1, 0), PX_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_format_matches_gstreamer_frame_sizes),
        cmocka_unit_test(every_format_is_in_the_size_table),
        cmocka_unit_test(i420_640x480_is_460800_bytes_in_three_planes),
        cmocka_unit_test(odd_sizes_round_chroma_up_and_rows_to_four_bytes),
        cmocka_unit_test(sizes_outside_1_to_16384_are_refused),
        cmocka_unit_test(format_names_are_gstreamer_names_and_round_trip),
        cmocka_unit_test(caps_template_parses_and_lists_every_format),
        cmocka_unit_test(colorimetry_defaults_follow_gstreamer),
        cmocka_unit_test(colorimetry_strings_round_trip),
        cmocka_unit_test(info_from_caps_reads_every_field),
        cmocka_unit_test(info_to_caps_and_back_is_the_same_info),
        cmocka_unit_test(caps_errors_name_the_field),
        cmocka_unit_test(padded_layout_from_caps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
