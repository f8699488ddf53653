/* Basics every section uses: linkage, allocator hooks, time, fractions. */

#if defined(__GNUC__)
#define PX_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define PX_UNUSED __attribute__((unused))
#else
#define PX_PRINTF(f, a)
#define PX_UNUSED
#endif

/* PX_STATIC makes every function static to the one file that defines
 * PARALLAX_IMPLEMENTATION (unused ones are then not warned about). */
#ifndef PX_API
#ifdef PX_STATIC
#define PX_API static PX_UNUSED
#else
#define PX_API extern
#endif
#endif

/* Allocator and assertion hooks: define before including parallax.h to override. */
#ifndef PX_MALLOC
#define PX_MALLOC(n) malloc(n)
#endif
#ifndef PX_REALLOC
#define PX_REALLOC(p, n) realloc((p), (n))
#endif
#ifndef PX_FREE
#define PX_FREE(p) free(p)
#endif
#ifndef PX_ASSERT
#define PX_ASSERT(x) assert(x)
#endif

/* Time is signed nanoseconds; PX_TIME_NONE marks "not known". */
typedef int64_t px_time;
#define PX_TIME_NONE INT64_MIN
#define PX_SECOND ((px_time)1000000000)
#define PX_MSECOND ((px_time)1000000)
#define PX_USECOND ((px_time)1000)

typedef struct px_fraction {
    int num;
    int den;
} px_fraction;

/* Library version and the list of what this build compiled in (one line per
 * option, "CONFIG_PX_X=value\n"), so field reports can say exactly what ran. */
#define PX_VERSION_STRING "0.1.0"
PX_API const char *px_version(void);
PX_API const char *px_compile_options(void);
