/* Helper for tests/interop/videoconvert_ffmpeg.sh, built from parallax.h:
 *   videoconvert_raw convert W H IN_FORMAT OUT_FORMAT in.raw out.raw [IN_COLORIMETRY [OUT_COLORIMETRY]]
 *   videoconvert_raw psnr W H FORMAT a.raw b.raw
 * Formats are GStreamer names; frames use GStreamer's default layout (the
 * same bytes as ffmpeg's rawvideo when rows need no padding). psnr prints
 * the PSNR in dB over every sample of every component (99 when equal). */
#define PARALLAX_IMPLEMENTATION
#include "parallax.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *read_frame(const char *path, size_t size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *p = malloc(size);
    if (!f || !p || fread(p, 1, size, f) != size) {
        fprintf(stderr, "videoconvert_raw: cannot read %zu bytes from %s\n", size, path);
        exit(1);
    }
    fclose(f);
    return p;
}

static void info_or_die(px_video_info *info, const char *fmt, int w, int h)
{
    if (px_video_info_init(info, px_video_format_from_string(fmt), w, h) != PX_OK) {
        fprintf(stderr, "videoconvert_raw: bad format or size: %s %dx%d\n", fmt, w, h);
        exit(2);
    }
}

static void colorimetry_or_die(px_video_info *info, const char *text)
{
    if (px_video_colorimetry_from_string(&info->colorimetry, text) != PX_OK) {
        fprintf(stderr, "videoconvert_raw: unknown colorimetry %s\n", text);
        exit(2);
    }
}

int main(int argc, char **argv)
{
    if (argc >= 8 && strcmp(argv[1], "convert") == 0) {
        px_video_info in, out;
        px_error err = {0};
        int w = atoi(argv[2]), h = atoi(argv[3]);
        info_or_die(&in, argv[4], w, h);
        info_or_die(&out, argv[5], w, h);
        if (argc > 8)
            colorimetry_or_die(&in, argv[8]);
        if (argc > 9)
            colorimetry_or_die(&out, argv[9]);
        px_video_converter *c = px_video_converter_new(&in, &out, 0, &err);
        if (!c) {
            fprintf(stderr, "videoconvert_raw: %s\n", err.message);
            return 1;
        }
        uint8_t *src = read_frame(argv[6], in.size), *dst = calloc(1, out.size);
        px_video_converter_frame(c, src, dst);
        FILE *f = fopen(argv[7], "wb");
        if (!f || fwrite(dst, 1, out.size, f) != out.size || fclose(f) != 0) {
            fprintf(stderr, "videoconvert_raw: cannot write %s\n", argv[7]);
            return 1;
        }
        printf("%s\n", px_video_converter_describe(c));
        px_video_converter_free(c);
        free(src);
        free(dst);
        return 0;
    }
    if (argc == 7 && strcmp(argv[1], "psnr") == 0) {
        px_video_info info;
        info_or_die(&info, argv[4], atoi(argv[2]), atoi(argv[3]));
        const px_video_format_info *f = info.finfo;
        uint8_t *a = read_frame(argv[5], info.size), *b = read_frame(argv[6], info.size);
        double se = 0, max = (double)((1u << f->bits) - 1);
        size_t n = 0;
        for (int comp = 0; comp < f->n_components; comp++) {
            int cw = px_video_info_comp_width(&info, comp), ch = px_video_info_comp_height(&info, comp);
            for (int y = 0; y < ch; y++)
                for (int x = 0; x < cw; x++) {
                    size_t o = info.offset[f->plane[comp]] + (size_t)y * info.stride[f->plane[comp]] +
                               f->poffset[comp] + (size_t)x * f->pstride[comp];
                    double va = a[o], vb = b[o];
                    if (f->bits > 8) {
                        va += a[o + 1] * 256.0;
                        vb += b[o + 1] * 256.0;
                    }
                    se += (va - vb) * (va - vb);
                    n++;
                }
        }
        printf("%.2f\n", se == 0 ? 99.0 : 10 * log10(max * max / (se / (double)n)));
        return 0;
    }
    fprintf(stderr, "usage: %s convert W H IN OUT in out [in-colorimetry [out-colorimetry]] | psnr W H FMT a b\n",
            argv[0]);
    return 2;
}
