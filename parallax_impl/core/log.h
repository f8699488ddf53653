/* Logging by category and level.
 *
 * Levels follow GStreamer's spirit: 1 error, 2 warning, 3 info, 4 debug,
 * 5 trace. At run time PARALLAX_DEBUG sets them: "2" (all categories) or
 * "2,arena:5,parse:4". CONFIG_PX_LOG_LEVEL is the compile-time ceiling:
 * calls above it compile to nothing. Define PX_LOG_HOOK(level, category,
 * message) before including parallax.h to route messages elsewhere. */

enum {
    PX_LOG_NONE = 0,
    PX_LOG_ERROR = 1,
    PX_LOG_WARNING = 2,
    PX_LOG_INFO = 3,
    PX_LOG_DEBUG = 4,
    PX_LOG_TRACE = 5,
};

PX_API void px_log_write(int level, const char *category, const char *fmt, ...) PX_PRINTF(3, 4);
PX_API int px_log_enabled(int level, const char *category);
/* Applies a PARALLAX_DEBUG-style spec; px_log_* read the environment once on
 * first use, so call this only to override it. Returns PX_EINVAL on a bad spec. */
PX_API int px_log_configure(const char *spec);

#define PX_LOG(level, category, ...)                                            \
    do {                                                                        \
        if ((level) <= CONFIG_PX_LOG_LEVEL && px_log_enabled((level), (category))) \
            px_log_write((level), (category), __VA_ARGS__);                     \
    } while (0)
#define PX_ERR(cat, ...) PX_LOG(PX_LOG_ERROR, cat, __VA_ARGS__)
#define PX_WARN(cat, ...) PX_LOG(PX_LOG_WARNING, cat, __VA_ARGS__)
#define PX_INFO(cat, ...) PX_LOG(PX_LOG_INFO, cat, __VA_ARGS__)
#define PX_DEBUG(cat, ...) PX_LOG(PX_LOG_DEBUG, cat, __VA_ARGS__)
#define PX_TRACE(cat, ...) PX_LOG(PX_LOG_TRACE, cat, __VA_ARGS__)
