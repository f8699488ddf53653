/* libFuzzer target: y4mdec's stream and frame header parsers on hostile
 * bytes. Walks the input as y4mdec does (stream header, then frame headers
 * separated by a payload of the announced size) and checks the parsers'
 * contracts: never read past len, consumed counts in bounds, a
 * NUL-terminated message on every error.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_y4mdec.c -lpthread
 *   ./a.out tests/fuzz/corpus/y4mdec
 * Without libFuzzer, build with -DPX_FUZZ_STANDALONE: each argument is a
 * file run once (a corpus regression check). */

#define PARALLAX_IMPLEMENTATION
#include "parallax.h"
#include "fuzz_element.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#if CONFIG_PX_ELEM_Y4MDEC
    y4mdec_header h;
    size_t used = 0, bad = 0;
    char msg[256];
    uint8_t *buf = fuzz_copy(data, size);
    if (!buf)
        return 0;
    int rc = y4mdec_parse_header(buf, size, &h, &used, msg, sizeof msg, &bad);
    if (rc == PX_EINVAL && (memchr(msg, '\0', sizeof msg) == NULL || bad > size))
        abort();
    if (rc == PX_OK) {
        if (used == 0 || used > size || h.width < 1 || h.height < 1 || h.width > 16384 || h.height > 16384)
            abort();
        px_video_info info;
        if (px_video_info_init(&info, h.format, h.width, h.height) != PX_OK)
            abort();
        size_t payload = 0;
        for (int c = 0; c < info.finfo->n_components && c < 4; c++)
            payload += (size_t)px_video_info_comp_width(&info, c) * info.finfo->pstride[c] *
                       (size_t)px_video_info_comp_height(&info, c);
        size_t pos = used;
        while (pos < size) {
            size_t fu = 0;
            rc = y4mdec_parse_frame_header(buf + pos, size - pos, &fu, msg, sizeof msg);
            if (rc != PX_OK)
                break;
            if (fu == 0 || fu > size - pos)
                abort();
            pos += fu;
            pos += payload < size - pos ? payload : size - pos;
        }
    }
    free(buf);
#else
    (void)data;
    (void)size;
#endif
    return 0;
}
