/* AV1 and IVF bitstream helpers: leb128, OBU headers, sequence headers of
 * aomenc clips (bytes from tests/fuzz/corpus/av1parse), keyframe flags,
 * IVF headers and timestamps. */
#define PARALLAX_IMPLEMENTATION
#include "parallax.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#if CONFIG_PX_ELEM_AV1PARSE && CONFIG_PX_ELEM_IVFDEMUX

/* TD + sequence header OBUs of the first temporal unit of aomenc clips. */
static const uint8_t seq_8bit_64x48[] = {0x12, 0x00, 0x0a, 0x0a, 0x00, 0x00, 0x00, 0x02, 0xaf, 0xf7, 0x9b, 0x5f, 0x20, 0x08};
static const uint8_t seq_10bit_320x240[] = {0x12, 0x00, 0x0a, 0x0b, 0x00, 0x00, 0x00, 0x04, 0x3c, 0xff, 0xbc, 0xda, 0xf9, 0x40, 0x40};
static const uint8_t seq_444_176x144[] = {0x12, 0x00, 0x0a, 0x0a, 0x20, 0x00, 0x00, 0x03, 0xbd, 0x7c, 0x79, 0xb5, 0xf2, 0x04};
static const uint8_t seq_422_10bit_176x144[] = {0x12, 0x00, 0x0a, 0x0a, 0x40, 0x00, 0x00, 0x03, 0xbd, 0x7c, 0x79, 0xb5, 0xf2, 0x81};
static const uint8_t seq_grain_320x240[] = {0x12, 0x00, 0x0a, 0x0b, 0x00, 0x00, 0x00, 0x04, 0x3c, 0xff, 0xbc, 0xda, 0xf9, 0x00, 0xc0};

static void parse_seq(const uint8_t *p, size_t n, px__av1_seq *s)
{
    char msg[192];
    assert_int_equal(px__av1_find_sequence_header(p, n, s, msg, sizeof msg), PX_OK);
}

static void sequence_headers_of_aomenc_clips(void **state)
{
    px__av1_seq s;
    px_caps caps;
    char text[512];
    (void)state;
    parse_seq(seq_8bit_64x48, sizeof seq_8bit_64x48, &s);
    assert_int_equal(s.profile, 0);
    assert_int_equal(s.max_width, 64);
    assert_int_equal(s.max_height, 48);
    assert_int_equal(s.bit_depth, 8);
    assert_string_equal(px__av1_chroma(&s), "4:2:0");
    assert_false(s.film_grain);
    parse_seq(seq_10bit_320x240, sizeof seq_10bit_320x240, &s);
    assert_int_equal(s.max_width, 320);
    assert_int_equal(s.max_height, 240);
    assert_int_equal(s.bit_depth, 10);
    parse_seq(seq_444_176x144, sizeof seq_444_176x144, &s);
    assert_int_equal(s.profile, 1);
    assert_string_equal(px__av1_chroma(&s), "4:4:4");
    assert_int_equal(s.bit_depth, 8);
    parse_seq(seq_422_10bit_176x144, sizeof seq_422_10bit_176x144, &s);
    assert_int_equal(s.profile, 2);
    assert_string_equal(px__av1_chroma(&s), "4:2:2");
    assert_int_equal(s.bit_depth, 10);
    parse_seq(seq_grain_320x240, sizeof seq_grain_320x240, &s);
    assert_true(s.film_grain);
    assert_int_equal(px_caps_parse(&caps, "video/x-av1", NULL), PX_OK);
    assert_int_equal(px__av1_seq_caps(&s, &caps), PX_OK);
    assert_int_equal(px_caps_to_short_string(&caps, text, sizeof text), PX_OK);
    assert_string_equal(text, "video/x-av1, width=320, height=240, profile=main, bit-depth-luma=8, "
                              "bit-depth-chroma=8, chroma-format=\"4:2:0\"");
}

static void truncated_sequence_header_is_an_error_not_a_guess(void **state)
{
    px__av1_seq s;
    char msg[192];
    (void)state;
    /* The payload of the 64x48 header without its last byte. */
    assert_int_equal(px__av1_parse_sequence_header(seq_8bit_64x48 + 4, 9, &s, msg, sizeof msg), PX_EINVAL);
    assert_string_equal(msg, "bad AV1 sequence header: it ends before its last field (film_grain_params_present)");
    uint8_t bad[14];
    memcpy(bad, seq_8bit_64x48, sizeof bad);
    bad[4] |= 0xe0; /* seq_profile 7 */
    assert_int_equal(px__av1_find_sequence_header(bad, sizeof bad, &s, msg, sizeof msg), PX_EINVAL);
    assert_string_equal(msg, "bad AV1 sequence header: seq_profile is above 2 (reserved)");
}

static void obu_headers_and_leb128(void **state)
{
    px__obu o;
    char msg[192];
    uint64_t v;
    (void)state;
    assert_int_equal(px__av1_leb128((const uint8_t[]){0x7f}, 1, &v), 1);
    assert_int_equal(v, 127);
    assert_int_equal(px__av1_leb128((const uint8_t[]){0x80, 0x01}, 2, &v), 2);
    assert_int_equal(v, 128);
    assert_int_equal(px__av1_leb128((const uint8_t[]){0x80, 0x80}, 2, &v), 0);          /* cut off */
    assert_int_equal(px__av1_leb128((const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0x7f}, 5, &v), 0); /* >= 2^32 */
    assert_int_equal(px__av1_obu((const uint8_t[]){0x12, 0x00}, 2, &o, msg, sizeof msg), PX_OK);
    assert_int_equal(o.type, PX__OBU_TEMPORAL_DELIMITER);
    assert_int_equal(o.total, 2);
    /* Extension header: temporal 3, spatial 1. */
    assert_int_equal(px__av1_obu((const uint8_t[]){0x36, 0x68, 0x01, 0xaa}, 4, &o, msg, sizeof msg), PX_OK);
    assert_int_equal(o.type, PX__OBU_FRAME);
    assert_int_equal(o.temporal_id, 3);
    assert_int_equal(o.spatial_id, 1);
    assert_int_equal(o.header_size, 3);
    assert_int_equal(o.payload_size, 1);
    assert_int_equal(px__av1_obu((const uint8_t[]){0x32, 0x05, 0x00}, 3, &o, msg, sizeof msg), PX_EAGAIN);
    assert_int_equal(px__av1_obu((const uint8_t[]){0xff}, 1, &o, msg, sizeof msg), PX_EINVAL);
    assert_string_equal(msg, "OBU forbidden bit is set (header byte 0xff): not an AV1 OBU stream");
    assert_int_equal(px__av1_obu((const uint8_t[]){0x30, 0x00}, 2, &o, msg, sizeof msg), PX_EINVAL);
    assert_non_null(strstr(msg, "has no size field"));
}

static void keyframe_flag_from_the_frame_header(void **state)
{
    px__av1_seq s;
    (void)state;
    parse_seq(seq_8bit_64x48, sizeof seq_8bit_64x48, &s);
    assert_int_equal(px__av1_frame_is_key((const uint8_t[]){0x10}, 1, &s), 1);  /* show_existing 0, KEY_FRAME */
    assert_int_equal(px__av1_frame_is_key((const uint8_t[]){0x30}, 1, &s), 0);  /* INTER_FRAME */
    assert_int_equal(px__av1_frame_is_key((const uint8_t[]){0x80}, 1, &s), -1); /* show_existing_frame */
    assert_int_equal(px__av1_frame_is_key((const uint8_t[]){0}, 0, &s), 0);     /* empty: not key */
}

static void ivf_headers(void **state)
{
    uint8_t h[32] = {'D', 'K', 'I', 'F', 0, 0, 32, 0, 'A', 'V', '0', '1', 0x40, 0, 0x30, 0, 30, 0, 0, 0, 1, 0, 0, 0};
    ivf_header ivf;
    char msg[160];
    size_t bad;
    (void)state;
    assert_int_equal(ivf_parse_header(h, 32, &ivf, msg, sizeof msg, &bad), PX_OK);
    assert_int_equal(ivf.width, 64);
    assert_int_equal(ivf.height, 48);
    assert_int_equal(ivf.rate, 30);
    assert_int_equal(ivf.scale, 1);
    assert_string_equal(ivf_media_type(ivf.fourcc), "video/x-av1");
    assert_int_equal(ivf_parse_header(h, 31, &ivf, msg, sizeof msg, &bad), PX_EINVAL);
    assert_string_equal(msg, "the file is 31 bytes, shorter than the 32-byte IVF header");
    h[4] = 1;
    assert_int_equal(ivf_parse_header(h, 32, &ivf, msg, sizeof msg, &bad), PX_EINVAL);
    assert_string_equal(msg, "IVF version 1 is not supported (only 0)");
    assert_int_equal(bad, 4);
    h[4] = 0;
    memcpy(h + 8, "VP90", 4);
    assert_int_equal(ivf_parse_header(h, 32, &ivf, msg, sizeof msg, &bad), PX_OK);
    assert_string_equal(ivf_media_type(ivf.fourcc), "video/x-vp9");
    memcpy(h + 8, "vp\x01\x02", 4);
    assert_int_equal(ivf_parse_header(h, 32, &ivf, msg, sizeof msg, &bad), PX_EINVAL);
    assert_string_equal(msg, "fourcc \"vp??\" is not supported (AV01, VP90, VP80, H264, H265 or HEVC)");
}

static void ivf_timestamps_from_the_timebase(void **state)
{
    (void)state;
    assert_int_equal(ivf_time(0, 30, 1), 0);
    assert_int_equal(ivf_time(1, 30, 1), 33333333);
    assert_int_equal(ivf_time(30, 30, 1), PX_SECOND);
    assert_int_equal(ivf_time(1, 30000, 1001), 33366666); /* 1001/30000 s, truncated */
    assert_int_equal(ivf_time(90000, 90000, 1), PX_SECOND);
    assert_int_equal(ivf_time(UINT64_MAX, 1, 1000), PX_TIME_NONE); /* would overflow */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sequence_headers_of_aomenc_clips),
        cmocka_unit_test(truncated_sequence_header_is_an_error_not_a_guess),
        cmocka_unit_test(obu_headers_and_leb128),
        cmocka_unit_test(keyframe_flag_from_the_frame_header),
        cmocka_unit_test(ivf_headers),
        cmocka_unit_test(ivf_timestamps_from_the_timebase),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
#else
int main(void)
{
    return 0; /* av1parse or ivfdemux not in this configuration */
}
#endif
