/* tests/fuzz/fuzz_element.h: what the element fuzz targets share. Include it
 * after parallax.h (with PARALLAX_IMPLEMENTATION). It declares the libFuzzer
 * entry point, runs an input as a file through a pipeline (filesrc from a
 * memfd, coop scheduler: one thread, deterministic) and, with
 * -DPX_FUZZ_STANDALONE, provides a main() that runs each argument once (a
 * corpus regression check without libFuzzer). Any crash, leak or sanitizer
 * report is a finding; errors and warnings are the expected outcome. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Warnings about damaged input are expected: the log stays quiet. */
static inline void fuzz_quiet(void)
{
    static bool quiet;
    if (!quiet) {
        px_log_configure("0");
        quiet = true;
    }
}

/* A copy of the input in its own allocation, so ASan sees any read past size. */
static inline uint8_t *fuzz_copy(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (copy)
        memcpy(copy, data, size);
    return copy;
}

/* Runs data as a file read blocksize bytes at a time through "filesrc ! rest". */
static inline void fuzz_run_file(const uint8_t *data, size_t size, int blocksize, const char *rest)
{
    int fd = memfd_create("fuzz-input", MFD_CLOEXEC);
    if (fd < 0)
        return;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return;
    }
    char desc[256];
    snprintf(desc, sizeof desc, "filesrc location=/proc/self/fd/%d blocksize=%d ! %s", fd, blocksize, rest);
    px_error err = {0};
    px_pipeline *p = px_pipeline_parse(desc, &err);
    if (!p)
        abort(); /* the description is ours: it must parse */
    px_pipeline_set_scheduler(p, PX_SCHED_COOP_RUN);
    px_pipeline_run(p, &err);
    px_pipeline_free(p);
    close(fd);
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
