/* AV1 bitstream helpers for av1parse and av1dec: OBU headers, the sequence
 * header (AV1 spec 5.3 and 5.5, enough for caps) and the start of a frame
 * header (keyframe flag). Plain functions over bytes, bounds checked on
 * every read: the unit tests and fuzz targets call them directly.
 * Not API: names start with px__av1. */

typedef enum {
    PX__OBU_SEQUENCE_HEADER = 1,
    PX__OBU_TEMPORAL_DELIMITER = 2,
    PX__OBU_FRAME_HEADER = 3,
    PX__OBU_TILE_GROUP = 4,
    PX__OBU_METADATA = 5,
    PX__OBU_FRAME = 6,
    PX__OBU_REDUNDANT_FRAME_HEADER = 7,
    PX__OBU_TILE_LIST = 8,
    PX__OBU_PADDING = 15,
} px__obu_type;

typedef struct px__obu {
    int type;            /* px__obu_type */
    int temporal_id, spatial_id;
    size_t header_size;  /* OBU header + extension + size field */
    size_t payload_size;
    size_t total;        /* header_size + payload_size */
} px__obu;

typedef struct px__av1_seq {
    int profile;          /* seq_profile 0..2 */
    bool still_picture, reduced_still_picture_header;
    int max_width, max_height;
    int bit_depth;        /* 8, 10, 12 */
    bool mono;
    int subsampling_x, subsampling_y;
    int color_primaries, transfer, matrix;
    bool full_range;
    bool film_grain;
    bool frame_id_numbers;
    int frame_id_bits;    /* when frame_id_numbers */
    bool equal_picture_interval;
} px__av1_seq;

typedef struct px__bits {
    const uint8_t *p;
    size_t len_bits, pos;
    bool overrun;
} px__bits;

static uint32_t px__bits_get(px__bits *b, int n)
{
    uint32_t v = 0;
    for (int i = 0; i < n; i++) {
        if (b->pos >= b->len_bits) {
            b->overrun = true;
            return 0;
        }
        v = v << 1 | ((b->p[b->pos >> 3] >> (7 - (b->pos & 7))) & 1u);
        b->pos++;
    }
    return v;
}

/* uvlc(): at most 32 leading zeros. */
static uint32_t px__bits_uvlc(px__bits *b)
{
    int zeros = 0;
    while (!b->overrun && zeros < 32 && px__bits_get(b, 1) == 0)
        zeros++;
    if (zeros >= 32) {
        b->overrun = true;
        return 0;
    }
    return (uint32_t)((1ull << zeros) - 1 + px__bits_get(b, zeros));
}

/* leb128 (at most 8 bytes, value < 2^32 as the spec requires). Returns the
 * bytes used, 0 when malformed or cut off. */
static size_t px__av1_leb128(const uint8_t *p, size_t len, uint64_t *value)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 8 && i < len; i++) {
        v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            if (v > UINT32_MAX)
                return 0;
            *value = v;
            return i + 1;
        }
    }
    return 0;
}

/* One OBU at p. PX_OK; PX_EAGAIN when len ends inside it (more bytes may
 * come); PX_EINVAL with msg when it is malformed (forbidden bit set, no size
 * field, bad leb128). */
static int px__av1_obu(const uint8_t *p, size_t len, px__obu *o, char *msg, size_t msg_size)
{
    memset(o, 0, sizeof *o);
    if (len < 1)
        return PX_EAGAIN;
    if (p[0] & 0x80) {
        snprintf(msg, msg_size, "OBU forbidden bit is set (header byte 0x%02x): not an AV1 OBU stream", p[0]);
        return PX_EINVAL;
    }
    o->type = (p[0] >> 3) & 15;
    bool ext = p[0] & 4, has_size = p[0] & 2;
    size_t h = 1;
    if (ext) {
        if (len < 2)
            return PX_EAGAIN;
        o->temporal_id = p[1] >> 5;
        o->spatial_id = (p[1] >> 3) & 3;
        h = 2;
    }
    if (!has_size) {
        snprintf(msg, msg_size, "OBU of type %d has no size field (obu_has_size_field=0; only the low-overhead "
                 "format with sizes is supported)", o->type);
        return PX_EINVAL;
    }
    uint64_t sz = 0;
    size_t n = px__av1_leb128(p + h, len - h, &sz);
    if (n == 0) {
        if (len - h < 8 && (len == h || (p[len - 1] & 0x80)))
            return PX_EAGAIN;
        snprintf(msg, msg_size, "OBU of type %d has a malformed size (leb128)", o->type);
        return PX_EINVAL;
    }
    o->header_size = h + n;
    o->payload_size = (size_t)sz;
    o->total = o->header_size + o->payload_size;
    return o->total > len ? PX_EAGAIN : PX_OK;
}

static int px__av1_fail(char *msg, size_t msg_size, const char *what)
{
    snprintf(msg, msg_size, "bad AV1 sequence header: %s", what);
    return PX_EINVAL;
}

/* Sequence header OBU payload (spec 5.5). */
static int px__av1_parse_sequence_header(const uint8_t *p, size_t len, px__av1_seq *s, char *msg, size_t msg_size)
{
    px__bits b = {p, len * 8, 0, false};
    memset(s, 0, sizeof *s);
    s->profile = (int)px__bits_get(&b, 3);
    if (s->profile > 2)
        return px__av1_fail(msg, msg_size, "seq_profile is above 2 (reserved)");
    s->still_picture = px__bits_get(&b, 1);
    s->reduced_still_picture_header = px__bits_get(&b, 1);
    if (s->reduced_still_picture_header) {
        px__bits_get(&b, 5); /* seq_level_idx[0] */
    } else {
        bool timing = px__bits_get(&b, 1), decoder_model = false;
        int buffer_delay_len = 0;
        if (timing) {
            px__bits_get(&b, 32); /* num_units_in_display_tick */
            px__bits_get(&b, 32); /* time_scale */
            s->equal_picture_interval = px__bits_get(&b, 1);
            if (s->equal_picture_interval)
                px__bits_uvlc(&b);
            decoder_model = px__bits_get(&b, 1);
            if (decoder_model) {
                buffer_delay_len = (int)px__bits_get(&b, 5) + 1;
                px__bits_get(&b, 32); /* num_units_in_decoding_tick */
                px__bits_get(&b, 5);  /* buffer_removal_time_length_minus_1 */
                px__bits_get(&b, 5);  /* frame_presentation_time_length_minus_1 */
            }
        }
        bool initial_display_delay = px__bits_get(&b, 1);
        int ops = (int)px__bits_get(&b, 5) + 1;
        for (int i = 0; i < ops && !b.overrun; i++) {
            px__bits_get(&b, 12); /* operating_point_idc */
            if (px__bits_get(&b, 5) > 7) /* seq_level_idx */
                px__bits_get(&b, 1);     /* seq_tier */
            if (decoder_model && px__bits_get(&b, 1)) {
                px__bits_get(&b, buffer_delay_len); /* decoder_buffer_delay */
                px__bits_get(&b, buffer_delay_len); /* encoder_buffer_delay */
                px__bits_get(&b, 1);                /* low_delay_mode_flag */
            }
            if (initial_display_delay && px__bits_get(&b, 1))
                px__bits_get(&b, 4);
        }
    }
    int wbits = (int)px__bits_get(&b, 4) + 1, hbits = (int)px__bits_get(&b, 4) + 1;
    s->max_width = (int)px__bits_get(&b, wbits) + 1;
    s->max_height = (int)px__bits_get(&b, hbits) + 1;
    if (!s->reduced_still_picture_header)
        s->frame_id_numbers = px__bits_get(&b, 1);
    if (s->frame_id_numbers) {
        int delta = (int)px__bits_get(&b, 4) + 2;
        s->frame_id_bits = (int)px__bits_get(&b, 3) + 1 + delta;
    }
    px__bits_get(&b, 3); /* use_128x128_superblock, enable_filter_intra, enable_intra_edge_filter */
    if (!s->reduced_still_picture_header) {
        px__bits_get(&b, 4); /* interintra, masked compound, warped motion, dual filter */
        bool order_hint = px__bits_get(&b, 1);
        if (order_hint)
            px__bits_get(&b, 2); /* jnt_comp, ref_frame_mvs */
        int force_sct = 2;       /* SELECT_SCREEN_CONTENT_TOOLS */
        if (!px__bits_get(&b, 1)) /* seq_choose_screen_content_tools */
            force_sct = (int)px__bits_get(&b, 1);
        if (force_sct > 0 && !px__bits_get(&b, 1)) /* seq_choose_integer_mv */
            px__bits_get(&b, 1);                    /* seq_force_integer_mv */
        if (order_hint)
            px__bits_get(&b, 3); /* order_hint_bits_minus_1 */
    }
    px__bits_get(&b, 3); /* enable_superres, enable_cdef, enable_restoration */
    /* color_config() */
    bool high = px__bits_get(&b, 1);
    s->bit_depth = s->profile == 2 && high ? (px__bits_get(&b, 1) ? 12 : 10) : high ? 10 : 8;
    s->mono = s->profile == 1 ? false : px__bits_get(&b, 1);
    s->color_primaries = s->transfer = s->matrix = 2; /* unspecified */
    if (px__bits_get(&b, 1)) {
        s->color_primaries = (int)px__bits_get(&b, 8);
        s->transfer = (int)px__bits_get(&b, 8);
        s->matrix = (int)px__bits_get(&b, 8);
    }
    if (s->mono) {
        s->full_range = px__bits_get(&b, 1);
        s->subsampling_x = s->subsampling_y = 1;
    } else if (s->color_primaries == 1 && s->transfer == 13 && s->matrix == 0) {
        s->full_range = true; /* sRGB: 4:4:4 */
    } else {
        s->full_range = px__bits_get(&b, 1);
        if (s->profile == 0) {
            s->subsampling_x = s->subsampling_y = 1;
        } else if (s->profile == 2) {
            s->subsampling_x = 1;
            if (s->bit_depth == 12) {
                s->subsampling_x = (int)px__bits_get(&b, 1);
                s->subsampling_y = s->subsampling_x ? (int)px__bits_get(&b, 1) : 0;
            }
        }
        if (s->subsampling_x && s->subsampling_y)
            px__bits_get(&b, 2); /* chroma_sample_position */
    }
    if (!s->mono)
        px__bits_get(&b, 1); /* separate_uv_delta_q */
    s->film_grain = px__bits_get(&b, 1);
    if (b.overrun)
        return px__av1_fail(msg, msg_size, "it ends before its last field (film_grain_params_present)");
    if (s->profile == 0 && (s->subsampling_x != 1 || s->subsampling_y != 1) && !s->mono)
        return px__av1_fail(msg, msg_size, "profile 0 (main) must be 4:2:0");
    return PX_OK;
}

/* The first sequence header in an OBU stream of len bytes. PX_OK, PX_ENOENT
 * when there is none in the complete OBUs, PX_EINVAL (msg) when malformed. */
static int px__av1_find_sequence_header(const uint8_t *p, size_t len, px__av1_seq *s, char *msg, size_t msg_size)
{
    size_t pos = 0;
    while (pos < len) {
        px__obu o;
        int rc = px__av1_obu(p + pos, len - pos, &o, msg, msg_size);
        if (rc == PX_EAGAIN)
            return PX_ENOENT;
        if (rc)
            return rc;
        if (o.type == PX__OBU_SEQUENCE_HEADER)
            return px__av1_parse_sequence_header(p + pos + o.header_size, o.payload_size, s, msg, msg_size);
        pos += o.total;
    }
    return PX_ENOENT;
}

#if CONFIG_PX_ELEM_AV1PARSE /* the helpers only av1parse uses */
/* "4:2:0", "4:2:2", "4:4:4" or "4:0:0" (GStreamer's chroma-format values). */
static const char *px__av1_chroma(const px__av1_seq *s)
{
    return s->mono ? "4:0:0" : s->subsampling_y ? "4:2:0" : s->subsampling_x ? "4:2:2" : "4:4:4";
}

static const char *px__av1_profile_name(int profile)
{
    return profile == 0 ? "main" : profile == 1 ? "high" : "professional";
}

/* Frame header OBU (or OBU_FRAME) payload: 1 when it starts a key frame
 * that is shown or showable, 0 when not, -1 when it shows an existing frame. */
static int px__av1_frame_is_key(const uint8_t *p, size_t len, const px__av1_seq *s)
{
    if (s->reduced_still_picture_header)
        return 1;
    px__bits b = {p, len * 8, 0, false};
    if (px__bits_get(&b, 1)) /* show_existing_frame */
        return -1;
    int frame_type = (int)px__bits_get(&b, 2);
    return !b.overrun && frame_type == 0; /* KEY_FRAME */
}

/* Caps fields from a sequence header, as GStreamer's av1parse writes them. */
static int px__av1_seq_caps(const px__av1_seq *s, px_caps *caps)
{
    int rc = px_caps_set_int(caps, "width", s->max_width);
    if (!rc)
        rc = px_caps_set_int(caps, "height", s->max_height);
    if (!rc)
        rc = px_caps_set_string(caps, "profile", px__av1_profile_name(s->profile));
    if (!rc)
        rc = px_caps_set_int(caps, "bit-depth-luma", s->bit_depth);
    if (!rc)
        rc = px_caps_set_int(caps, "bit-depth-chroma", s->bit_depth);
    if (!rc)
        rc = px_caps_set_string(caps, "chroma-format", px__av1_chroma(s));
    return rc;
}

#endif

/* Reads a sequence header from what upstream can peek (the first 256 KiB),
 * 4 KiB first, then 32, then all: it normally leads the stream, and each
 * peek through a demuxer reads frame by frame (a file's, with a pread each). */
#define PX__AV1_PEEK_SIZE (256u << 10)
static int px__av1_peek_sequence_header(px_element *el, px__av1_seq *s)
{
    char msg[160];
    uint8_t *buf = PX_MALLOC(PX__AV1_PEEK_SIZE); /* at negotiation, never while streaming */
    if (!buf)
        return PX_ENOMEM;
    int rc = PX_ENOENT;
    for (size_t want = 4u << 10; rc == PX_ENOENT && want <= PX__AV1_PEEK_SIZE; want *= 8) {
        size_t got = 0;
        rc = px_element_peek_upstream(el, 0, buf, want, &got);
        if (rc == PX_OK)
            rc = px__av1_find_sequence_header(buf, got, s, msg, sizeof msg);
        if (got < want) /* that was all there is */
            break;
    }
    PX_FREE(buf);
    return rc;
}
