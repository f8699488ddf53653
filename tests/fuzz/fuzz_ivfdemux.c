/* libFuzzer target: ivfdemux on hostile bytes. Each input is checked by the
 * header parser (contract: a NUL-terminated message and an in-bounds offset
 * on every error), then run as a file through the real element:
 * filesrc ! ivfdemux ! av1parse skip-corrupt=true ! fakesink, with the
 * coop scheduler (the harness in fuzz_element.h).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_ivfdemux.c -lpthread
 *   ./a.out tests/fuzz/corpus/ivfdemux
 * Without libFuzzer, build with -DPX_FUZZ_STANDALONE: each argument is a
 * file run once (a corpus regression check). */

#define PARALLAX_IMPLEMENTATION
#include "parallax.h"
#include "fuzz_element.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#if CONFIG_PX_ELEM_IVFDEMUX && CONFIG_PX_ELEM_AV1PARSE
    fuzz_quiet();
    ivf_header h;
    char msg[160];
    size_t bad = 0;
    uint8_t *copy = fuzz_copy(data, size);
    if (!copy)
        return 0;
    if (ivf_parse_header(copy, size, &h, msg, sizeof msg, &bad) != PX_OK &&
        (memchr(msg, '\0', sizeof msg) == NULL || bad >= 32))
        abort();
    free(copy);
    fuzz_run_file(data, size, 777, "ivfdemux max-frame-size=65536 ! av1parse skip-corrupt=true ! fakesink");
#else
    (void)data;
    (void)size;
#endif
    return 0;
}
