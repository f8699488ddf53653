/* Logging: PARALLAX_DEBUG="level[,category:level...]", read once. */

#define PX__LOG_MAX_CATEGORIES 16

static struct {
    _Atomic int ready; /* 0 unread, 1 being read, 2 ready */
    int default_level;
    int n;
    char name[PX__LOG_MAX_CATEGORIES][24];
    int level[PX__LOG_MAX_CATEGORIES];
} px__log = {0, PX_LOG_WARNING, 0, {{0}}, {0}};

static int px__log_parse_level(const char *s, size_t len, int *out)
{
    if (len != 1 || s[0] < '0' || s[0] > '9')
        return PX_EINVAL;
    *out = s[0] - '0' > PX_LOG_TRACE ? PX_LOG_TRACE : s[0] - '0';
    return PX_OK;
}

/* Parses into locals first so a bad spec changes nothing. */
PX_API int px_log_configure(const char *spec)
{
    int def = PX_LOG_WARNING, n = 0;
    char names[PX__LOG_MAX_CATEGORIES][24];
    int levels[PX__LOG_MAX_CATEGORIES];

    for (const char *p = spec ? spec : ""; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *colon = memchr(p, ':', len);
        if (!colon) {
            if (px__log_parse_level(p, len, &def))
                return PX_EINVAL;
        } else {
            size_t nlen = (size_t)(colon - p);
            if (nlen == 0 || nlen >= sizeof names[0] || n == PX__LOG_MAX_CATEGORIES)
                return PX_EINVAL;
            if (px__log_parse_level(colon + 1, len - nlen - 1, &levels[n]))
                return PX_EINVAL;
            memcpy(names[n], p, nlen);
            names[n][nlen] = '\0';
            n++;
        }
        p += len + (end ? 1 : 0);
    }
    px__log.default_level = def;
    px__log.n = n;
    memcpy(px__log.name, names, sizeof names);
    memcpy(px__log.level, levels, sizeof levels);
    atomic_store(&px__log.ready, 2);
    return PX_OK;
}

static void px__log_init_once(void)
{
    int expected = 0;
    if (atomic_compare_exchange_strong(&px__log.ready, &expected, 1)) {
        const char *env = getenv("PARALLAX_DEBUG");
        if (env && px_log_configure(env) != PX_OK)
            fprintf(stderr, "parallax: ignoring bad PARALLAX_DEBUG='%s' (expected e.g. \"2,arena:5\")\n", env);
        atomic_store(&px__log.ready, 2);
    }
    while (atomic_load(&px__log.ready) != 2)
        ; /* another thread is reading the environment: microseconds */
}

PX_API int px_log_enabled(int level, const char *category)
{
    if (atomic_load_explicit(&px__log.ready, memory_order_acquire) != 2)
        px__log_init_once();
    for (int i = 0; i < px__log.n; i++)
        if (strcmp(px__log.name[i], category) == 0)
            return level <= px__log.level[i];
    return level <= px__log.default_level;
}

#ifndef PX_LOG_HOOK
static void px__log_default_hook(int level, const char *category, const char *message)
{
    static const char *const names[] = {"", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"};
    fprintf(stderr, "parallax %-5s %-8s %s\n", names[level < 0 || level > 5 ? 0 : level], category, message);
}
#define PX_LOG_HOOK px__log_default_hook
#endif

PX_API void px_log_write(int level, const char *category, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    PX_LOG_HOOK(level, category, message);
}
