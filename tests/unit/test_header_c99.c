/* The declaration part compiles as strict C99 (-std=c99 -pedantic, -Wundef):
 * types are complete where they should be, config macros are all defined. */
#include "parallax.h"

#include <stdio.h>

static int uses_types(void)
{
    px_error err = {0};
    px_buffer buf = {0};
    px_element_class klass = {0};
    px_fraction rate = {30, 1};

    klass.name = "c99";
    buf.pts = PX_TIME_NONE;
    err.code = PX_EINVAL;
#if CONFIG_PX_ELEM_FAKESRC + CONFIG_PX_SCHED_COOP + CONFIG_PX_LOG_LEVEL < 0
#error "config macros must be defined"
#endif
    return err.code == PX_EINVAL && buf.pts == PX_TIME_NONE && klass.name[0] == 'c' && rate.den == 1 &&
                   sizeof(px_buffer) > 0
               ? 0
               : 1;
}

int main(void)
{
    int rc = uses_types();
    printf("%s 1 - declaration part compiles as C99\n", rc == 0 ? "ok" : "not ok");
    return rc;
}
