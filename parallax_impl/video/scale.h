/* Per-plane video kernels behind videoscale, videoflip and videocrop.
 *
 * They know nothing of formats: a plane is rows of pixels of `bpp` bytes
 * (the scaler: `channels` samples of 1 or 2 bytes each), with a stride.
 * The elements map a px_video_info's planes onto them (NV12's UV plane is
 * w/2 pixels of 2 channels; RGBA is w pixels of 4).
 *
 *   px_video_scaler s;
 *   px_video_scaler_init(&s, PX_VIDEO_SCALE_BILINEAR, 1920, 1080, 1280, 720, 1, 1);  (prepare)
 *   px_video_scaler_run(&s, src, src_stride, dst, dst_stride);                         (per frame)
 *   px_video_scaler_clear(&s);
 *
 * Scaling is separable: a vertical pass (source rows -> one intermediate row,
 * vectorized) then a horizontal pass (taps gathered per output pixel), with
 * Q14 weights and one rounding at the end. Source sample positions are pixel
 * centres: output x samples the source at (x + 0.5) * in / out - 0.5.
 *
 * Plain C computes every method; on x86 the 8-bit bilinear and nearest paths
 * also have SSE2 / SSSE3 / AVX2 kernels (picked at init from the CPU) that are
 * bit-identical to it. `isa` says which are used; tests lower it to
 * PX_VIDEO_SCALE_ISA_C to get the reference (never raise it). */

enum {
    PX_VIDEO_SCALE_ISA_C = 0,
    PX_VIDEO_SCALE_ISA_SSE2 = 1,
    PX_VIDEO_SCALE_ISA_SSSE3 = 2,
    PX_VIDEO_SCALE_ISA_AVX2 = 3,
};

typedef enum px_video_scale_method {
    PX_VIDEO_SCALE_NEAREST = 0,  /* GStreamer's nearest-neighbour */
    PX_VIDEO_SCALE_BILINEAR = 1, /* 2 taps per direction */
    PX_VIDEO_SCALE_LANCZOS = 3,  /* 3 lobes, widened when shrinking */
    PX_VIDEO_SCALE_AREA = 10,    /* box: average of the covered source area (not in GStreamer) */
} px_video_scale_method;

typedef struct px_video_scaler {
    int method;
    int sw, sh, dw, dh;
    int channels;  /* samples per pixel: 1..4 */
    int bytes;     /* bytes per sample: 1 or 2 (native-endian 16-bit) */
    int htaps, vtaps;
    int32_t *hidx; /* dw * htaps: source pixel of each tap */
    int16_t *hw;   /* dw * htaps: Q14 weights */
    int32_t *vidx; /* dh * vtaps: source row of each tap */
    int16_t *vw;   /* dh * vtaps */
    void *row;     /* one intermediate row: sw * channels samples (int16 or int32), plus padding */
    int32_t *acc;  /* vertical accumulator for more than 2 taps */
    int isa;       /* PX_VIDEO_SCALE_ISA_*: fastest kernels this CPU runs */
    /* 8-bit SIMD tables (NULL when unused). Bilinear: hpos[x] is the left tap
     * with both taps inside the row, hpw its 2 weights; nearest: hpos = hidx.
     * Blocks of outputs whose source span fits 16 bytes: hblk[b] (sample
     * offset of the window) and hshuf[16 * b] (its byte shuffle). */
    int32_t *hpos;
    int16_t *hpw;
    int32_t *hblk;
    uint8_t *hshuf;
    int nblk; /* blocks in hblk; 0 when some block does not fit */
} px_video_scaler;

/* Allocates the tables (once, at prepare). PX_EINVAL for bad sizes or
 * method, PX_ENOMEM. A cleared (zeroed) scaler may be cleared again. */
PX_API int px_video_scaler_init(px_video_scaler *s, int method, int src_width, int src_height,
                                int dst_width, int dst_height, int channels, int bytes_per_sample);
PX_API void px_video_scaler_clear(px_video_scaler *s);
/* Scales one plane; never allocates. */
PX_API void px_video_scaler_run(px_video_scaler *s, const uint8_t *src, size_t src_stride,
                                uint8_t *dst, size_t dst_stride);

/* Orientation, numbered as GStreamer's GstVideoOrientationMethod. */
typedef enum px_video_orientation {
    PX_VIDEO_ORIENT_IDENTITY = 0,
    PX_VIDEO_ORIENT_90R = 1,   /* clockwise */
    PX_VIDEO_ORIENT_180 = 2,
    PX_VIDEO_ORIENT_90L = 3,   /* counterclockwise */
    PX_VIDEO_ORIENT_HORIZ = 4, /* mirror left-right */
    PX_VIDEO_ORIENT_VERT = 5,  /* mirror top-bottom */
    PX_VIDEO_ORIENT_UL_LR = 6, /* transpose: flip across the upper-left/lower-right diagonal */
    PX_VIDEO_ORIENT_UR_LL = 7, /* flip across the upper-right/lower-left diagonal */
} px_video_orientation;

/* True when the method swaps width and height. */
PX_API bool px_video_orientation_swaps(int method);
/* Writes src (width x height pixels of bpp bytes, bpp 1..8) into dst
 * oriented by method; dst is height x width when the method swaps. */
PX_API void px_video_flip_plane(int method, const uint8_t *src, size_t src_stride, int width, int height,
                                int bpp, uint8_t *dst, size_t dst_stride);
/* Copies rows x row_bytes between planes of different strides. */
PX_API void px_video_copy_plane(const uint8_t *src, size_t src_stride, uint8_t *dst, size_t dst_stride,
                                size_t row_bytes, int rows);
/* Fills rows x pixels of bpp bytes with the bpp-byte value. */
PX_API void px_video_fill_plane(uint8_t *dst, size_t stride, int pixels, int rows, const uint8_t *value,
                                int bpp);
