/* ...this one only the declarations. Linking both proves the implementation
 * defines every symbol once and the configuration keys of the two agree. */
#include "parallax.h"

#include <stdio.h>
#include <string.h>

int main(void)
{
    const char *version = px_version();
    const char *options = px_compile_options();
    int fails = 0;

    if (!version || !*version || strcmp(version, PX_VERSION_STRING) != 0) {
        printf("not ok 1 - px_version() returns PX_VERSION_STRING (got \"%s\")\n", version ? version : "(null)");
        fails++;
    } else {
        printf("ok 1 - px_version() returns \"%s\"\n", version);
    }
    if (!options || !strstr(options, "CONFIG_PX_LOG_LEVEL=")) {
        printf("not ok 2 - px_compile_options() lists the configuration\n");
        fails++;
    } else {
        printf("ok 2 - px_compile_options() lists the configuration\n");
    }
#if CONFIG_PX_ELEM_FAKESRC
    if (!options || !strstr(options, "CONFIG_PX_ELEM_FAKESRC=1\n")) {
        printf("not ok 3 - px_compile_options() contains CONFIG_PX_ELEM_FAKESRC=1\n");
        fails++;
    } else {
        printf("ok 3 - px_compile_options() contains CONFIG_PX_ELEM_FAKESRC=1\n");
    }
#else
    printf("ok 3 - # SKIP fakesrc not configured\n");
#endif
    return fails ? 1 : 0;
}
