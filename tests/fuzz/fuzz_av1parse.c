/* libFuzzer target: the AV1 OBU and sequence header parsers on hostile
 * bytes. Walks the input as av1parse does (OBU after OBU), parses every
 * sequence header and frame header start it finds and checks the
 * contracts: sizes in bounds, fields in their ranges, a NUL-terminated
 * message on every error. Then runs the bytes through the element as a
 * byte stream (filesrc ! av1parse skip-corrupt=true ! fakesink, coop).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_av1parse.c -lpthread
 *   ./a.out tests/fuzz/corpus/av1parse
 * Without libFuzzer, build with -DPX_FUZZ_STANDALONE (each argument run once). */

#define PARALLAX_IMPLEMENTATION
#include "parallax.h"
#include "fuzz_element.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#if CONFIG_PX_ELEM_AV1PARSE
    fuzz_quiet();
    uint8_t *buf = fuzz_copy(data, size);
    if (!buf)
        return 0;
    char msg[192];
    px__av1_seq seq;
    bool have_seq = false;
    size_t pos = 0;
    while (pos < size) {
        px__obu o;
        msg[0] = '\0';
        int rc = px__av1_obu(buf + pos, size - pos, &o, msg, sizeof msg);
        if (rc == PX_EINVAL && !memchr(msg, '\0', sizeof msg))
            abort();
        if (rc != PX_OK)
            break;
        if (o.total == 0 || o.total > size - pos || o.header_size > o.total)
            abort();
        const uint8_t *pl = buf + pos + o.header_size;
        if (o.type == PX__OBU_SEQUENCE_HEADER) {
            rc = px__av1_parse_sequence_header(pl, o.payload_size, &seq, msg, sizeof msg);
            if (rc == PX_OK) {
                if (seq.profile < 0 || seq.profile > 2 || seq.max_width < 1 || seq.max_height < 1 ||
                    seq.max_width > 65536 || seq.max_height > 65536 ||
                    (seq.bit_depth != 8 && seq.bit_depth != 10 && seq.bit_depth != 12))
                    abort();
                have_seq = true;
            } else if (!memchr(msg, '\0', sizeof msg)) {
                abort();
            }
        } else if ((o.type == PX__OBU_FRAME || o.type == PX__OBU_FRAME_HEADER) && have_seq) {
            int key = px__av1_frame_is_key(pl, o.payload_size, &seq);
            if (key < -1 || key > 1)
                abort();
        }
        pos += o.total;
    }
    px__av1_seq s2;
    (void)px__av1_find_sequence_header(buf, size, &s2, msg, sizeof msg);
    free(buf);
    fuzz_run_file(data, size, 333, "av1parse skip-corrupt=true ! fakesink");
#else
    (void)data;
    (void)size;
#endif
    return 0;
}
