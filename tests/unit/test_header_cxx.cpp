// The declaration part compiles as C++17 (extern "C", no C-only syntax outside macros).
#include "parallax.h"

#include <cstdio>
#include <type_traits>

static_assert(std::is_standard_layout<px_buffer>::value, "px_buffer is a plain C struct");

int main()
{
    px_error err{};
    px_buffer buf{};
    px_element_class klass{};
    klass.name = "cxx";
    buf.pts = PX_TIME_NONE;
    err.code = PX_ENOENT;
    const char *(*version)(void) = px_version; // linkage only, never called
    (void)version;
    int rc = (err.code == PX_ENOENT && buf.pts == PX_TIME_NONE && klass.name[0] == 'c') ? 0 : 1;
    std::printf("%s 1 - declaration part compiles as C++17\n", rc == 0 ? "ok" : "not ok");
    return rc;
}
