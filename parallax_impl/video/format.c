/* Raw video formats, colorimetry and frame layout (see video/format.h).
 * Layouts reproduce gst_video_info_set_format() (GStreamer 1.22,
 * video-info.c fill_planes) for the formats we support, so frame sizes and
 * plane offsets agree byte for byte. */

#define PX_VIDEO__RU2(x) (((x) + 1) & ~(size_t)1)
#define PX_VIDEO__RU4(x) (((x) + 3) & ~(size_t)3)

#define PX_VIDEO__YUV PX_VIDEO_FORMAT_FLAG_YUV
#define PX_VIDEO__RGB PX_VIDEO_FORMAT_FLAG_RGB
#define PX_VIDEO__GRAY PX_VIDEO_FORMAT_FLAG_GRAY
#define PX_VIDEO__A PX_VIDEO_FORMAT_FLAG_ALPHA
#define PX_VIDEO__LE PX_VIDEO_FORMAT_FLAG_LE

/* format, name, flags, bits, n_comp, n_planes, plane[], poffset[], pstride[], w_sub[], h_sub[] */
static const px_video_format_info px_video__formats[PX_VIDEO_FORMAT_COUNT] = {
    {PX_VIDEO_FORMAT_UNKNOWN, "UNKNOWN", 0, 0, 0, 0, {0}, {0}, {0}, {0}, {0}},
    {PX_VIDEO_FORMAT_I420, "I420", PX_VIDEO__YUV, 8, 3, 3, {0, 1, 2}, {0, 0, 0}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1}},
    {PX_VIDEO_FORMAT_YV12, "YV12", PX_VIDEO__YUV, 8, 3, 3, {0, 2, 1}, {0, 0, 0}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1}},
    {PX_VIDEO_FORMAT_NV12, "NV12", PX_VIDEO__YUV, 8, 3, 2, {0, 1, 1}, {0, 0, 1}, {1, 2, 2}, {0, 1, 1}, {0, 1, 1}},
    {PX_VIDEO_FORMAT_NV21, "NV21", PX_VIDEO__YUV, 8, 3, 2, {0, 1, 1}, {0, 1, 0}, {1, 2, 2}, {0, 1, 1}, {0, 1, 1}},
    {PX_VIDEO_FORMAT_YUY2, "YUY2", PX_VIDEO__YUV, 8, 3, 1, {0, 0, 0}, {0, 1, 3}, {2, 4, 4}, {0, 1, 1}, {0, 0, 0}},
    {PX_VIDEO_FORMAT_UYVY, "UYVY", PX_VIDEO__YUV, 8, 3, 1, {0, 0, 0}, {1, 0, 2}, {2, 4, 4}, {0, 1, 1}, {0, 0, 0}},
    {PX_VIDEO_FORMAT_RGB, "RGB", PX_VIDEO__RGB, 8, 3, 1, {0, 0, 0}, {0, 1, 2}, {3, 3, 3}, {0}, {0}},
    {PX_VIDEO_FORMAT_BGR, "BGR", PX_VIDEO__RGB, 8, 3, 1, {0, 0, 0}, {2, 1, 0}, {3, 3, 3}, {0}, {0}},
    {PX_VIDEO_FORMAT_RGBA, "RGBA", PX_VIDEO__RGB | PX_VIDEO__A, 8, 4, 1, {0}, {0, 1, 2, 3}, {4, 4, 4, 4}, {0}, {0}},
    {PX_VIDEO_FORMAT_BGRA, "BGRA", PX_VIDEO__RGB | PX_VIDEO__A, 8, 4, 1, {0}, {2, 1, 0, 3}, {4, 4, 4, 4}, {0}, {0}},
    {PX_VIDEO_FORMAT_ARGB, "ARGB", PX_VIDEO__RGB | PX_VIDEO__A, 8, 4, 1, {0}, {1, 2, 3, 0}, {4, 4, 4, 4}, {0}, {0}},
    {PX_VIDEO_FORMAT_ABGR, "ABGR", PX_VIDEO__RGB | PX_VIDEO__A, 8, 4, 1, {0}, {3, 2, 1, 0}, {4, 4, 4, 4}, {0}, {0}},
    {PX_VIDEO_FORMAT_RGBx, "RGBx", PX_VIDEO__RGB, 8, 3, 1, {0}, {0, 1, 2}, {4, 4, 4}, {0}, {0}},
    {PX_VIDEO_FORMAT_BGRx, "BGRx", PX_VIDEO__RGB, 8, 3, 1, {0}, {2, 1, 0}, {4, 4, 4}, {0}, {0}},
    {PX_VIDEO_FORMAT_GRAY8, "GRAY8", PX_VIDEO__GRAY, 8, 1, 1, {0}, {0}, {1}, {0}, {0}},
    {PX_VIDEO_FORMAT_GRAY16_LE, "GRAY16_LE", PX_VIDEO__GRAY | PX_VIDEO__LE, 16, 1, 1, {0}, {0}, {2}, {0}, {0}},
    {PX_VIDEO_FORMAT_I420_10LE, "I420_10LE", PX_VIDEO__YUV | PX_VIDEO__LE, 10, 3, 3, {0, 1, 2}, {0, 0, 0},
     {2, 2, 2}, {0, 1, 1}, {0, 1, 1}},
    {PX_VIDEO_FORMAT_Y42B, "Y42B", PX_VIDEO__YUV, 8, 3, 3, {0, 1, 2}, {0, 0, 0}, {1, 1, 1}, {0, 1, 1}, {0, 0, 0}},
    {PX_VIDEO_FORMAT_Y444, "Y444", PX_VIDEO__YUV, 8, 3, 3, {0, 1, 2}, {0, 0, 0}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}},
    {PX_VIDEO_FORMAT_I422_10LE, "I422_10LE", PX_VIDEO__YUV | PX_VIDEO__LE, 10, 3, 3, {0, 1, 2}, {0, 0, 0},
     {2, 2, 2}, {0, 1, 1}, {0, 0, 0}},
    {PX_VIDEO_FORMAT_Y444_10LE, "Y444_10LE", PX_VIDEO__YUV | PX_VIDEO__LE, 10, 3, 3, {0, 1, 2}, {0, 0, 0},
     {2, 2, 2}, {0, 0, 0}, {0, 0, 0}},
};

PX_API const px_video_format_info *px_video_format_get_info(px_video_format format)
{
    if ((int)format <= 0 || (int)format >= PX_VIDEO_FORMAT_COUNT)
        return NULL;
    return &px_video__formats[format];
}

PX_API px_video_format px_video_format_from_string(const char *name)
{
    if (!name)
        return PX_VIDEO_FORMAT_UNKNOWN;
    for (int f = 1; f < PX_VIDEO_FORMAT_COUNT; f++)
        if (strcmp(px_video__formats[f].name, name) == 0)
            return (px_video_format)f;
    return PX_VIDEO_FORMAT_UNKNOWN;
}

PX_API const char *px_video_format_to_string(px_video_format format)
{
    const px_video_format_info *fi = px_video_format_get_info(format);
    return fi ? fi->name : "UNKNOWN";
}

PX_API const char *px_video_caps_template(void)
{
    return PX_VIDEO_CAPS_TEMPLATE;
}

/* ---- Colorimetry ---------------------------------------------------------- */

typedef struct {
    const char *name;
    px_video_colorimetry c;
} px_video__named_colorimetry;

/* GStreamer 1.22 video-color.c colorimetry[]: range, matrix, transfer, primaries. */
static const px_video__named_colorimetry px_video__colorimetries[] = {
    {"bt601", {PX_VIDEO_RANGE_LIMITED, PX_VIDEO_MATRIX_BT601, 16, 4}},
    {"bt709", {PX_VIDEO_RANGE_LIMITED, PX_VIDEO_MATRIX_BT709, 5, 1}},
    {"smpte240m", {PX_VIDEO_RANGE_LIMITED, PX_VIDEO_MATRIX_SMPTE240M, 6, 5}},
    {"sRGB", {PX_VIDEO_RANGE_FULL, PX_VIDEO_MATRIX_RGB, 7, 1}},
    {"bt2020", {PX_VIDEO_RANGE_LIMITED, PX_VIDEO_MATRIX_BT2020, 11, 7}},
    {"bt2020-10", {PX_VIDEO_RANGE_LIMITED, PX_VIDEO_MATRIX_BT2020, 13, 7}},
    {"bt2100-pq", {PX_VIDEO_RANGE_LIMITED, PX_VIDEO_MATRIX_BT2020, 14, 7}},
    {"bt2100-hlg", {PX_VIDEO_RANGE_LIMITED, PX_VIDEO_MATRIX_BT2020, 15, 7}},
};

static bool px_video__colorimetry_eq(const px_video_colorimetry *a, const px_video_colorimetry *b)
{
    return a->range == b->range && a->matrix == b->matrix && a->transfer == b->transfer &&
           a->primaries == b->primaries;
}

PX_API int px_video_colorimetry_from_string(px_video_colorimetry *c, const char *text)
{
    unsigned v[4];
    char tail;

    if (!c || !text)
        return PX_EINVAL;
    for (size_t i = 0; i < sizeof px_video__colorimetries / sizeof px_video__colorimetries[0]; i++) {
        if (strcmp(text, px_video__colorimetries[i].name) == 0) {
            *c = px_video__colorimetries[i].c;
            return PX_OK;
        }
    }
    if (sscanf(text, "%u:%u:%u:%u%c", &v[0], &v[1], &v[2], &v[3], &tail) == 4 && v[0] <= 2 &&
        v[1] <= 6 && v[2] <= 255 && v[3] <= 255) {
        c->range = (uint8_t)v[0];
        c->matrix = (uint8_t)v[1];
        c->transfer = (uint8_t)v[2];
        c->primaries = (uint8_t)v[3];
        return PX_OK;
    }
    return PX_EINVAL;
}

PX_API int px_video_colorimetry_to_string(const px_video_colorimetry *c, char *buf, size_t size)
{
    int n;

    if (!c || !buf || size == 0)
        return PX_EINVAL;
    for (size_t i = 0; i < sizeof px_video__colorimetries / sizeof px_video__colorimetries[0]; i++) {
        if (px_video__colorimetry_eq(c, &px_video__colorimetries[i].c)) {
            n = snprintf(buf, size, "%s", px_video__colorimetries[i].name);
            return n < 0 || (size_t)n >= size ? PX_ENOMEM : PX_OK;
        }
    }
    n = snprintf(buf, size, "%u:%u:%u:%u", c->range, c->matrix, c->transfer, c->primaries);
    return n < 0 || (size_t)n >= size ? PX_ENOMEM : PX_OK;
}

PX_API px_video_colorimetry px_video_colorimetry_default(px_video_format format, int height)
{
    const px_video_format_info *fi = px_video_format_get_info(format);
    px_video_colorimetry c = {PX_VIDEO_RANGE_FULL, PX_VIDEO_MATRIX_BT601, 0, 0}; /* GRAY */

    if (fi && (fi->flags & PX_VIDEO_FORMAT_FLAG_YUV)) {
        if (height >= 2160)
            c = px_video__colorimetries[4].c; /* bt2020 */
        else if (height > 576)
            c = px_video__colorimetries[1].c; /* bt709 */
        else
            c = px_video__colorimetries[0].c; /* bt601 */
    } else if (fi && (fi->flags & PX_VIDEO_FORMAT_FLAG_RGB)) {
        c = px_video__colorimetries[3].c; /* sRGB */
    }
    return c;
}

/* ---- Video info ----------------------------------------------------------- */

PX_API int px_video_info_init(px_video_info *info, px_video_format format, int width, int height)
{
    const px_video_format_info *fi = px_video_format_get_info(format);
    size_t w = (size_t)width, h = (size_t)height, ch;
    bool full = false; /* 4:2:2 and 4:4:4: chroma planes as tall as luma */

    if (!info)
        return PX_EINVAL;
    memset(info, 0, sizeof *info);
    if (!fi || width < 1 || height < 1 || width > PX_VIDEO_MAX_SIZE || height > PX_VIDEO_MAX_SIZE)
        return PX_EINVAL;
    info->finfo = fi;
    info->format = format;
    info->width = width;
    info->height = height;
    info->framerate = (px_fraction){0, 1};
    info->par = (px_fraction){1, 1};
    info->colorimetry = px_video_colorimetry_default(format, height);
    info->n_planes = fi->n_planes;
    ch = PX_VIDEO__RU2(h) / 2;

    switch (format) {
    case PX_VIDEO_FORMAT_I420:
    case PX_VIDEO_FORMAT_YV12:
        info->stride[0] = PX_VIDEO__RU4(w);
        info->stride[1] = info->stride[2] = PX_VIDEO__RU4(PX_VIDEO__RU2(w) / 2);
        info->plane_size[0] = info->stride[0] * PX_VIDEO__RU2(h);
        info->plane_size[1] = info->plane_size[2] = info->stride[1] * ch;
        break;
    case PX_VIDEO_FORMAT_I420_10LE:
        info->stride[0] = PX_VIDEO__RU4(w * 2);
        info->stride[1] = info->stride[2] = PX_VIDEO__RU4(w);
        info->plane_size[0] = info->stride[0] * PX_VIDEO__RU2(h);
        info->plane_size[1] = info->plane_size[2] = info->stride[1] * ch;
        break;
    case PX_VIDEO_FORMAT_Y42B: /* 4:2:2 and 4:4:4: full-height chroma planes */
        info->stride[0] = PX_VIDEO__RU4(w);
        info->stride[1] = info->stride[2] = PX_VIDEO__RU4(PX_VIDEO__RU2(w) / 2);
        full = true;
        break;
    case PX_VIDEO_FORMAT_Y444:
        info->stride[0] = info->stride[1] = info->stride[2] = PX_VIDEO__RU4(w);
        full = true;
        break;
    case PX_VIDEO_FORMAT_I422_10LE: /* GStreamer rounds its rows up to even */
        info->stride[0] = PX_VIDEO__RU4(w * 2);
        info->stride[1] = info->stride[2] = PX_VIDEO__RU4(w);
        for (int p = 0; p < 3; p++)
            info->plane_size[p] = info->stride[p] * PX_VIDEO__RU2(h);
        break;
    case PX_VIDEO_FORMAT_Y444_10LE:
        info->stride[0] = info->stride[1] = info->stride[2] = PX_VIDEO__RU4(w * 2);
        full = true;
        break;
    case PX_VIDEO_FORMAT_NV12:
    case PX_VIDEO_FORMAT_NV21:
        info->stride[0] = info->stride[1] = PX_VIDEO__RU4(w);
        info->plane_size[0] = info->stride[0] * PX_VIDEO__RU2(h);
        info->plane_size[1] = info->stride[1] * ch;
        break;
    case PX_VIDEO_FORMAT_YUY2:
    case PX_VIDEO_FORMAT_UYVY:
        info->stride[0] = PX_VIDEO__RU4(PX_VIDEO__RU2(w) * 2);
        info->plane_size[0] = info->stride[0] * h;
        break;
    case PX_VIDEO_FORMAT_RGB:
    case PX_VIDEO_FORMAT_BGR:
        info->stride[0] = PX_VIDEO__RU4(w * 3);
        info->plane_size[0] = info->stride[0] * h;
        break;
    case PX_VIDEO_FORMAT_GRAY8:
        info->stride[0] = PX_VIDEO__RU4(w);
        info->plane_size[0] = info->stride[0] * h;
        break;
    case PX_VIDEO_FORMAT_GRAY16_LE:
        info->stride[0] = PX_VIDEO__RU4(w * 2);
        info->plane_size[0] = info->stride[0] * h;
        break;
    default: /* the 4-byte RGB formats */
        info->stride[0] = w * 4;
        info->plane_size[0] = info->stride[0] * h;
        break;
    }
    for (int p = 0; full && p < 3; p++)
        info->plane_size[p] = info->stride[p] * h;
    for (int p = 0; p < info->n_planes; p++) {
        info->offset[p] = info->size;
        info->size += info->plane_size[p];
    }
    return PX_OK;
}

static int px_video__caps_error(px_error *err, const char *field, const char *what)
{
    return px_error_set(err, PX_EINVAL, 0, "video caps: %s %s", field, what);
}

PX_API int px_video_info_set_padding(px_video_info *info, int right, int bottom)
{
    px_video_info padded;
    if (!info || !info->finfo || right < 0 || bottom < 0 || right > PX_VIDEO_MAX_SIZE ||
        bottom > PX_VIDEO_MAX_SIZE ||
        px_video_info_init(&padded, info->format, info->width + right, info->height + bottom) != PX_OK)
        return PX_EINVAL;
    info->n_planes = padded.n_planes;
    memcpy(info->stride, padded.stride, sizeof info->stride);
    memcpy(info->offset, padded.offset, sizeof info->offset);
    memcpy(info->plane_size, padded.plane_size, sizeof info->plane_size);
    info->size = padded.size;
    return PX_OK;
}

PX_API int px_video_info_from_caps(px_video_info *info, const px_caps *caps, px_error *err)
{
    const char *media, *fmt_name, *text;
    px_video_format fmt;
    int width = 0, height = 0, rc;
    px_fraction fr = {0, 1}, par = {1, 1};
    px_video_colorimetry colorimetry;

    if (!info || !caps)
        return px_error_set(err, PX_EINVAL, 0, "video caps: no caps given");
    if (px_caps_is_any(caps) || px_caps_count(caps) != 1 || !px_caps_is_fixed(caps))
        return px_error_set(err, PX_EINVAL, 0,
                            "video caps: not fixed (need one structure with single values)");
    media = px_caps_media_type(caps, 0);
    if (!media || strcmp(media, "video/x-raw") != 0)
        return px_error_set(err, PX_EINVAL, 0, "video caps: media type is %s, expected video/x-raw",
                            media ? media : "(none)");
    fmt_name = px_caps_get_string(caps, "format");
    if (!fmt_name)
        return px_video__caps_error(err, "format", "is missing (one of " PX_VIDEO_FORMATS_CAPS ")");
    fmt = px_video_format_from_string(fmt_name);
    if (fmt == PX_VIDEO_FORMAT_UNKNOWN)
        return px_error_set(err, PX_EINVAL, 0,
                            "video caps: format=%s is not a known raw video format (one of %s)",
                            fmt_name, PX_VIDEO_FORMATS_CAPS);
    rc = px_caps_get_int(caps, "width", &width);
    if (rc == PX_ENOENT)
        return px_video__caps_error(err, "width", "is missing");
    if (rc != PX_OK || width < 1 || width > PX_VIDEO_MAX_SIZE)
        return px_video__caps_error(err, "width", "must be an integer in [1, 16384]");
    rc = px_caps_get_int(caps, "height", &height);
    if (rc == PX_ENOENT)
        return px_video__caps_error(err, "height", "is missing");
    if (rc != PX_OK || height < 1 || height > PX_VIDEO_MAX_SIZE)
        return px_video__caps_error(err, "height", "must be an integer in [1, 16384]");
    rc = px_caps_get_fraction(caps, "framerate", &fr);
    if (rc == PX_ENOENT)
        fr = (px_fraction){0, 1};
    else if (rc != PX_OK || fr.num < 0 || fr.den <= 0)
        return px_video__caps_error(err, "framerate", "must be a fraction >= 0/1");
    rc = px_caps_get_fraction(caps, "pixel-aspect-ratio", &par);
    if (rc == PX_ENOENT)
        par = (px_fraction){1, 1};
    else if (rc != PX_OK || par.num <= 0 || par.den <= 0)
        return px_video__caps_error(err, "pixel-aspect-ratio", "must be a positive fraction");
    text = px_caps_get_string(caps, "interlace-mode");
    if (text && strcmp(text, "progressive") != 0)
        return px_error_set(err, PX_ENOTSUP, 0,
                            "video caps: interlace-mode=%s is not supported (only progressive)", text);

    px_video_info_init(info, fmt, width, height);
    int pad[2] = {0, 0};
    static const char *const pad_names[2] = {"padding-right", "padding-bottom"};
    for (int i = 0; i < 2; i++) {
        rc = px_caps_get_int(caps, pad_names[i], &pad[i]);
        if (rc != PX_OK && rc != PX_ENOENT)
            return px_video__caps_error(err, pad_names[i], "must be an integer");
    }
    if ((pad[0] || pad[1]) && px_video_info_set_padding(info, pad[0], pad[1]) != PX_OK)
        return px_error_set(err, PX_EINVAL, 0,
                            "video caps: padding-right=%d, padding-bottom=%d: the padded frame must be at most "
                            "16384x16384 and the padding >= 0",
                            pad[0], pad[1]);
    info->framerate = fr;
    info->par = par;
    text = px_caps_get_string(caps, "colorimetry");
    if (text) {
        if (px_video_colorimetry_from_string(&colorimetry, text) != PX_OK)
            return px_error_set(err, PX_EINVAL, 0,
                                "video caps: colorimetry=%s is not known (bt601, bt709, bt2020, "
                                "smpte240m, sRGB, or range:matrix:transfer:primaries numbers)",
                                text);
        /* Unknown parts keep the defaults, as GStreamer fills them. */
        if (colorimetry.range)
            info->colorimetry.range = colorimetry.range;
        if (colorimetry.matrix)
            info->colorimetry.matrix = colorimetry.matrix;
        info->colorimetry.transfer = colorimetry.transfer;
        info->colorimetry.primaries = colorimetry.primaries;
    }
    return PX_OK;
}

PX_API int px_video_info_to_caps(const px_video_info *info, px_caps *caps)
{
    char col[32];
    int rc;

    if (!info || !caps || !info->finfo)
        return PX_EINVAL;
    rc = px_caps_parse(caps, "video/x-raw", NULL);
    if (rc == PX_OK)
        rc = px_caps_set_string(caps, "format", info->finfo->name);
    if (rc == PX_OK)
        rc = px_caps_set_int(caps, "width", info->width);
    if (rc == PX_OK)
        rc = px_caps_set_int(caps, "height", info->height);
    if (rc == PX_OK)
        rc = px_caps_set_fraction(caps, "framerate", info->framerate);
    if (rc == PX_OK)
        rc = px_caps_set_fraction(caps, "pixel-aspect-ratio", info->par);
    if (rc == PX_OK && !(info->finfo->flags & PX_VIDEO_FORMAT_FLAG_GRAY)) {
        rc = px_video_colorimetry_to_string(&info->colorimetry, col, sizeof col);
        if (rc == PX_OK)
            rc = px_caps_set_string(caps, "colorimetry", col);
    }
    return rc;
}

PX_API bool px_video_info_is_equal(const px_video_info *a, const px_video_info *b)
{
    if (a->format != b->format || a->width != b->width || a->height != b->height ||
        a->n_planes != b->n_planes || a->size != b->size ||
        !px_video__colorimetry_eq(&a->colorimetry, &b->colorimetry))
        return false;
    for (int p = 0; p < a->n_planes; p++)
        if (a->stride[p] != b->stride[p] || a->offset[p] != b->offset[p])
            return false;
    return true;
}

PX_API int px_video_info_comp_width(const px_video_info *info, int comp)
{
    if (!info->finfo || comp < 0 || comp >= 4)
        return 0;
    return (info->width + (1 << info->finfo->w_sub[comp]) - 1) >> info->finfo->w_sub[comp];
}

PX_API int px_video_info_comp_height(const px_video_info *info, int comp)
{
    if (!info->finfo || comp < 0 || comp >= 4)
        return 0;
    return (info->height + (1 << info->finfo->h_sub[comp]) - 1) >> info->finfo->h_sub[comp];
}

PX_API bool px_video_frame_fits(px_element *el, const px_frame *io, const px_video_info *in, const px_video_info *out)
{
    if (io->in.size < in->size) {
        px_element_error(el, PX_EINVAL, "input buffer holds %zu bytes, a %s %dx%d frame needs %zu", io->in.size,
                         in->finfo->name, in->width, in->height, in->size);
        return false;
    }
    if (io->out.capacity < out->size) {
        px_element_error(el, PX_ENOMEM, "output slot holds %zu bytes, a %s %dx%d frame needs %zu",
                         io->out.capacity, out->finfo->name, out->width, out->height, out->size);
        return false;
    }
    return true;
}
