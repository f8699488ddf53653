/* Raw video: formats, colorimetry, frame layout (video info), and the
 * format converter behind videoconvert.
 *
 * Names, caps fields and frame layouts follow GStreamer's (GstVideoFormat,
 * GstVideoInfo, GstVideoColorimetry), so raw files and caps strings written
 * by either side are read by the other: I420 640x480 is 460800 bytes here too.
 *
 *   px_video_info info;
 *   px_video_info_from_caps(&info, caps, &err);   (or px_video_info_init)
 *   uint8_t *u = base + info.offset[1];            (row r: + r * info.stride[1])
 *
 * Components are numbered as in GStreamer: YUV formats Y=0, U=1, V=2;
 * RGB formats R=0, G=1, B=2, A=3; GRAY Y=0. Planes are numbered in memory
 * order (YV12: plane 1 is V, plane 2 is U; px_video_format_info.plane[]
 * maps a component to its plane). */

typedef enum px_video_format {
    PX_VIDEO_FORMAT_UNKNOWN = 0,
    PX_VIDEO_FORMAT_I420,      /* planar 4:2:0 Y, U, V */
    PX_VIDEO_FORMAT_YV12,      /* planar 4:2:0 Y, V, U */
    PX_VIDEO_FORMAT_NV12,      /* Y plane + interleaved UV 4:2:0 */
    PX_VIDEO_FORMAT_NV21,      /* Y plane + interleaved VU 4:2:0 */
    PX_VIDEO_FORMAT_YUY2,      /* packed 4:2:2 Y0 U Y1 V */
    PX_VIDEO_FORMAT_UYVY,      /* packed 4:2:2 U Y0 V Y1 */
    PX_VIDEO_FORMAT_RGB,       /* packed R G B, 24 bits */
    PX_VIDEO_FORMAT_BGR,
    PX_VIDEO_FORMAT_RGBA,      /* bytes in memory order */
    PX_VIDEO_FORMAT_BGRA,
    PX_VIDEO_FORMAT_ARGB,
    PX_VIDEO_FORMAT_ABGR,
    PX_VIDEO_FORMAT_RGBx,      /* x: padding byte, written as 0xff */
    PX_VIDEO_FORMAT_BGRx,
    PX_VIDEO_FORMAT_GRAY8,
    PX_VIDEO_FORMAT_GRAY16_LE,
    PX_VIDEO_FORMAT_I420_10LE, /* planar 4:2:0, 10 bits in the low bits of 16-bit LE words */
    PX_VIDEO_FORMAT_Y42B,      /* planar 4:2:2 Y, U, V */
    PX_VIDEO_FORMAT_Y444,      /* planar 4:4:4 Y, U, V */
    PX_VIDEO_FORMAT_I422_10LE, /* planar 4:2:2, 10 bits in 16-bit LE words */
    PX_VIDEO_FORMAT_Y444_10LE, /* planar 4:4:4, 10 bits in 16-bit LE words */
    PX_VIDEO_FORMAT_COUNT
} px_video_format;

/* Template text listing every format, in caps list syntax. */
#define PX_VIDEO_FORMATS_CAPS                                                                 \
    "{ I420, YV12, NV12, NV21, YUY2, UYVY, RGB, BGR, RGBA, BGRA, ARGB, ABGR, RGBx, BGRx, "    \
    "GRAY8, GRAY16_LE, I420_10LE, Y42B, Y444, I422_10LE, Y444_10LE }"
/* A pad template for raw video in any supported format (GStreamer's
 * GST_VIDEO_CAPS_MAKE with our format list). A macro so class structs can
 * use it in their static initializers. */
#define PX_VIDEO_MAX_SIZE 16384
#define PX_VIDEO_CAPS_TEMPLATE                                                                \
    "video/x-raw, format=(string)" PX_VIDEO_FORMATS_CAPS ", width=(int)[ 1, 16384 ], "       \
    "height=(int)[ 1, 16384 ], framerate=(fraction)[ 0/1, 2147483647/1 ]"

/* "I420" -> PX_VIDEO_FORMAT_I420; UNKNOWN for NULL or an unknown name (exact, case-sensitive). */
PX_API px_video_format px_video_format_from_string(const char *name);
/* GStreamer's name ("I420", "GRAY16_LE"); "UNKNOWN" for anything else. */
PX_API const char *px_video_format_to_string(px_video_format format);
PX_API const char *px_video_caps_template(void); /* PX_VIDEO_CAPS_TEMPLATE */

enum {
    PX_VIDEO_FORMAT_FLAG_YUV = 1u << 0,
    PX_VIDEO_FORMAT_FLAG_RGB = 1u << 1,
    PX_VIDEO_FORMAT_FLAG_GRAY = 1u << 2, /* also has no chroma: GRAY8, GRAY16_LE */
    PX_VIDEO_FORMAT_FLAG_ALPHA = 1u << 3,
    PX_VIDEO_FORMAT_FLAG_LE = 1u << 4,   /* multi-byte samples, little endian */
};

/* Static description of a format (GstVideoFormatInfo, reduced). */
typedef struct px_video_format_info {
    px_video_format format;
    const char *name;
    unsigned flags;        /* PX_VIDEO_FORMAT_FLAG_* */
    uint8_t bits;          /* significant bits per component: 8, 10 or 16 */
    uint8_t n_components;  /* 1 (GRAY), 3, or 4 (with alpha or padding) */
    uint8_t n_planes;
    uint8_t plane[4];      /* component -> plane */
    uint8_t poffset[4];    /* component -> byte offset of its first sample in the plane row */
    uint8_t pstride[4];    /* component -> bytes between two of its samples in a row */
    uint8_t w_sub[4];      /* component -> log2 horizontal subsampling (I420 U: 1) */
    uint8_t h_sub[4];      /* component -> log2 vertical subsampling */
} px_video_format_info;

/* NULL for UNKNOWN or out of range. */
PX_API const px_video_format_info *px_video_format_get_info(px_video_format format);

/* ---- Colorimetry ---------------------------------------------------------
 * Enum values are GStreamer's, so the numeric caps form "2:4:16:4"
 * (range:matrix:transfer:primaries) means the same on both sides. Only
 * range and matrix change pixel values here; transfer and primaries are
 * carried through caps unchanged (no gamut or transfer conversion). */

typedef enum px_video_range {
    PX_VIDEO_RANGE_UNKNOWN = 0,
    PX_VIDEO_RANGE_FULL = 1,    /* 0..255 (GST_VIDEO_COLOR_RANGE_0_255) */
    PX_VIDEO_RANGE_LIMITED = 2, /* Y 16..235, UV 16..240 (GST_VIDEO_COLOR_RANGE_16_235) */
} px_video_range;

typedef enum px_video_matrix {
    PX_VIDEO_MATRIX_UNKNOWN = 0,
    PX_VIDEO_MATRIX_RGB = 1,
    PX_VIDEO_MATRIX_FCC = 2,
    PX_VIDEO_MATRIX_BT709 = 3,
    PX_VIDEO_MATRIX_BT601 = 4,
    PX_VIDEO_MATRIX_SMPTE240M = 5,
    PX_VIDEO_MATRIX_BT2020 = 6,
} px_video_matrix;

typedef struct px_video_colorimetry {
    uint8_t range;     /* px_video_range */
    uint8_t matrix;    /* px_video_matrix */
    uint8_t transfer;  /* GstVideoTransferFunction value, carried only */
    uint8_t primaries; /* GstVideoColorPrimaries value, carried only */
} px_video_colorimetry;

/* "bt601", "bt709", "bt2020", "smpte240m", "sRGB", "bt2100-pq", "bt2100-hlg",
 * or "range:matrix:transfer:primaries" numbers. PX_EINVAL when unknown. */
PX_API int px_video_colorimetry_from_string(px_video_colorimetry *c, const char *text);
/* The named form when c is one of them, else the numeric form. buf >= 24 bytes. */
PX_API int px_video_colorimetry_to_string(const px_video_colorimetry *c, char *buf, size_t size);
/* GStreamer's defaults when caps say nothing: YUV height >= 2160 bt2020,
 * height > 576 bt709, else bt601; RGB sRGB (full range); GRAY full range. */
PX_API px_video_colorimetry px_video_colorimetry_default(px_video_format format, int height);

/* ---- Video info: one frame's layout -------------------------------------- */

#define PX_VIDEO_MAX_PLANES 4

typedef struct px_video_info {
    const px_video_format_info *finfo;
    px_video_format format;
    int width, height;
    px_fraction framerate; /* 0/1: variable or unknown */
    px_fraction par;       /* pixel-aspect-ratio, 1/1 by default */
    px_video_colorimetry colorimetry;
    int n_planes;
    size_t stride[PX_VIDEO_MAX_PLANES];     /* bytes per row of each plane */
    size_t offset[PX_VIDEO_MAX_PLANES];     /* byte offset of each plane in the frame */
    size_t plane_size[PX_VIDEO_MAX_PLANES]; /* stride * rows of each plane */
    size_t size;                            /* bytes in a frame */
} px_video_info;

/* Layout of a width x height frame with GStreamer's default alignment
 * (gst_video_info_set_format: rows padded to 4 bytes, 4:2:0 chroma from the
 * height rounded up to even), framerate 0/1, par 1/1, default colorimetry.
 * Odd sizes round chroma up. PX_EINVAL for an unknown format or a size
 * outside 1..16384. */
PX_API int px_video_info_init(px_video_info *info, px_video_format format, int width, int height);
/* From fixed video/x-raw caps: format, width and height are required;
 * framerate, pixel-aspect-ratio and colorimetry are optional (defaults as
 * above); interlace-mode, when present, must be progressive. The error
 * names the missing or bad field and what is accepted. */
PX_API int px_video_info_from_caps(px_video_info *info, const px_caps *caps, px_error *err);
/* Padded layout (GstVideoAlignment's padding_right/padding_bottom): planes
 * laid out as for a (width + right) x (height + bottom) frame, of which the
 * top-left width x height is the picture. Decoders that need aligned,
 * padded planes (dav1d: 128-pixel multiples) write into such frames and say
 * so in their caps with the optional fields padding-right and
 * padding-bottom (ints), which px_video_info_from_caps() honours, so every
 * video element reads and writes the decoder's frames in place; converters
 * drop the fields, so their output is compact. PX_EINVAL when the padded
 * size exceeds 16384. */
PX_API int px_video_info_set_padding(px_video_info *info, int right, int bottom);
/* Fixed caps: video/x-raw, format, width, height, framerate,
 * pixel-aspect-ratio, colorimetry (colorimetry omitted for GRAY, as GStreamer does). */
PX_API int px_video_info_to_caps(const px_video_info *info, px_caps *caps);
/* Same format, size, strides, offsets and colorimetry (framerate and par ignored). */
PX_API bool px_video_info_is_equal(const px_video_info *a, const px_video_info *b);
/* For video filters' process(): true when the input holds a whole `in`
 * frame and the output slot room for an `out` frame; otherwise posts an
 * error naming the sizes on the element and returns false. */
struct px_element;
struct px_frame;
PX_API bool px_video_frame_fits(struct px_element *el, const struct px_frame *io, const px_video_info *in,
                                const px_video_info *out);
/* Samples per row / rows of a component (rounded up for subsampled chroma). */
PX_API int px_video_info_comp_width(const px_video_info *info, int comp);
PX_API int px_video_info_comp_height(const px_video_info *info, int comp);

/* ---- Conversion -----------------------------------------------------------
 * Any of the formats above to any other, at the same width and height, with
 * range and matrix from each side's colorimetry (BT.601, BT.709, BT.2020,
 * SMPTE 240M, FCC; full or limited range). Chroma siting is MPEG-2's
 * (co-sited horizontally with even luma samples, centred vertically for
 * 4:2:0): upsampling interpolates linearly, downsampling filters
 * [1 2 1]/4 horizontally and averages row pairs, with rounding. Fast direct kernels serve the common pairs
 * (I420<->NV12/NV21/YV12, NV12->I420, I420/NV12->BGRA/RGBA/BGRx/RGBx,
 * YUY2/UYVY<->I420, RGB<->BGR, 4-byte RGB swizzles, GRAY8<->I420); all
 * others go through a 16-bit AYUV/ARGB intermediate row.
 *
 * The converter holds its scratch rows (allocated once, sized for the
 * width): px_video_converter_frame() never allocates. One converter per
 * thread. */

typedef struct px_video_converter px_video_converter;

enum {
    /* Reference scalar kernels only (tests compare the SIMD paths with them). */
    PX_VIDEO_CONVERT_SCALAR = 1u << 0,
    /* Never the direct kernels: always through the generic intermediate row. */
    PX_VIDEO_CONVERT_GENERIC = 1u << 1,
};

/* in and out must have the same width and height. NULL on error (err filled). */
PX_API px_video_converter *px_video_converter_new(const px_video_info *in, const px_video_info *out,
                                                  unsigned flags, px_error *err);
PX_API void px_video_converter_free(px_video_converter *conv);
/* Converts one frame: src laid out as in (offsets/strides from its info),
 * dst as out. src and dst must not overlap. */
PX_API void px_video_converter_frame(px_video_converter *conv, const uint8_t *src, uint8_t *dst);
/* "direct I420->BGRA (sse2)", "generic YUY2->RGB": what the converter chose. */
PX_API const char *px_video_converter_describe(const px_video_converter *conv);

/* The same without a converter object: scratch must hold
 * px_video_convert_scratch_size(in, out) bytes (allocate it once). */
PX_API size_t px_video_convert_scratch_size(const px_video_info *in, const px_video_info *out);
PX_API int px_video_convert_frame(const px_video_info *in, const uint8_t *src,
                                  const px_video_info *out, uint8_t *dst, void *scratch);
