/* libFuzzer target: ivfdemux on hostile bytes. Each input is checked by the
 * header parser (contract: a NUL-terminated message and an in-bounds offset
 * on every error), then run as a file through the real element:
 * filesrc ! ivfdemux ! av1parse skip-corrupt=true ! fakesink, with the
 * coop scheduler (one thread, deterministic). Any crash, leak or sanitizer
 * report is a finding; errors and warnings are the expected outcome.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_ivfdemux.c -lpthread
 *   ./a.out tests/fuzz/corpus/ivfdemux
 * Without libFuzzer, build with -DPX_FUZZ_STANDALONE: each argument is a
 * file run once (a corpus regression check). */

#define PARALLAX_IMPLEMENTATION
#include "parallax.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#if CONFIG_PX_ELEM_IVFDEMUX && CONFIG_PX_ELEM_AV1PARSE
    static bool quiet;
    if (!quiet) {
        px_log_configure("0"); /* warnings about damaged input are expected */
        quiet = true;
    }
    ivf_header h;
    char msg[160];
    size_t bad = 0;
    uint8_t *copy = malloc(size ? size : 1); /* ASan sees any read past size */
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    if (ivf_parse_header(copy, size, &h, msg, sizeof msg, &bad) != PX_OK &&
        (memchr(msg, '\0', sizeof msg) == NULL || bad >= 32))
        abort();
    free(copy);

    int fd = memfd_create("fuzz-ivf", MFD_CLOEXEC);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char desc[160];
    snprintf(desc, sizeof desc,
             "filesrc location=/proc/self/fd/%d blocksize=777 ! ivfdemux max-frame-size=65536 ! "
             "av1parse skip-corrupt=true ! fakesink", fd);
    px_error err = {0};
    px_pipeline *p = px_pipeline_parse(desc, &err);
    if (!p)
        abort(); /* the description is ours: it must parse */
    px_pipeline_set_scheduler(p, PX_SCHED_COOP_RUN);
    px_pipeline_run(p, &err);
    px_pipeline_free(p);
    close(fd);
#else
    (void)data;
    (void)size;
#endif
    return 0;
}

#ifdef PX_FUZZ_STANDALONE
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            return 1;
        }
        static uint8_t buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
    }
    return 0;
}
#endif
