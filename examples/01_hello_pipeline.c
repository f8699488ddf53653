/* 01: parse a pipeline description, run it to the end, read the figures.
 *
 *   cc -std=c11 examples/01_hello_pipeline.c -lpthread && ./a.out
 *
 * parallax.h is the whole library: this file defines PARALLAX_IMPLEMENTATION
 * so the implementation is compiled here, once. */

#define PARALLAX_IMPLEMENTATION
#include "../parallax.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    const char *out = argc > 1 ? argv[1] : "hello.bin";
    char desc[512];
    snprintf(desc, sizeof desc,
             "fakesrc num-buffers=60 sizetype=fixed sizemax=1024 filltype=pattern ! identity ! "
             "filesink location=\"%s\"",
             out);

    px_error err = {0};
    px_pipeline *p = px_pipeline_parse(desc, &err);
    if (!p) {
        fprintf(stderr, "%s\n", err.message); /* already says where and what to change */
        return 1;
    }
    int rc = px_pipeline_run(p, &err); /* blocks until EOS or error */
    if (rc != PX_OK) {
        fprintf(stderr, "%s\n", err.message);
        px_pipeline_free(p);
        return 1;
    }
    px_element_stats sink;
    px_element_get_stats(px_pipeline_get(p, "filesink0"), &sink);
    printf("wrote %llu buffers, %llu bytes to %s\n", (unsigned long long)sink.buffers_in,
           (unsigned long long)sink.bytes_in, out);
    px_pipeline_free(p);
    return sink.bytes_in == 60 * 1024 ? 0 : 1;
}
