/* The smallest Parallax program for `make footprint`: parses and runs
 * "fakesrc ! fakesink" (argv[1] overrides the pipeline) and nothing else.
 * Built static with musl, -Os, section GC and stripped, with the
 * minimal_defconfig header, it is the figure an integrator pays in flash. */
#define PARALLAX_IMPLEMENTATION
#include "parallax.h"

int main(int argc, char **argv)
{
    px_error err = {0};
    const char *desc = argc > 1 ? argv[1] : "fakesrc num-buffers=1000 ! fakesink";
    px_pipeline *p = px_pipeline_parse(desc, &err);
    if (!p)
        return 1;
    int rc = px_pipeline_run(p, &err);
    px_pipeline_free(p);
    return rc == PX_OK ? 0 : 1;
}
