/* Small helpers shared by the implementation: names, typo suggestions, time. */

/* Names longer than this are never typos of a known name; comparing them
 * would only cost time (and a heap allocation for the DP rows). */
#define PX__EDIT_MAX 64

static int px__fold(int c)
{
    if (c == '_')
        return '-';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 'a';
    return c;
}

static size_t px__edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);

    /* Long names: the length of the longer one bounds the distance and says
     * "not similar" for every threshold px__nearest uses. */
    if (la > PX__EDIT_MAX || lb > PX__EDIT_MAX)
        return la > lb ? la : lb;

    size_t row[PX__EDIT_MAX + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0]; /* row[i-1][j-1] */
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j]; /* row[i-1][j] */
            size_t cost = px__fold((unsigned char)a[i - 1]) == px__fold((unsigned char)b[j - 1]) ? 0 : 1;
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static bool px__name_eq(const char *a, const char *b)
{
    for (;; a++, b++) {
        char ca = *a == '_' ? '-' : *a;
        char cb = *b == '_' ? '-' : *b;
        if (ca != cb)
            return false;
        if (!ca)
            return true;
    }
}

/* word is a (case-insensitive, '-' = '_') prefix of candidate. */
static bool px__is_prefix(const char *word, const char *candidate)
{
    for (; *word; word++, candidate++) {
        if (!*candidate || px__fold((unsigned char)*word) != px__fold((unsigned char)*candidate))
            return false;
    }
    return true;
}

static const char *px__nearest(const char *word, const char *const *candidates, size_t n)
{
    if (!word || !candidates)
        return NULL;
    size_t len = strlen(word);
    if (len == 0 || len > PX__EDIT_MAX)
        return NULL;
    size_t threshold = len / 3 > 1 ? len / 3 : 1;
    const char *best = NULL;
    size_t best_dist = SIZE_MAX;

    for (size_t i = 0; i < n; i++) {
        const char *c = candidates[i];
        if (!c)
            continue;
        size_t d = px__edit_distance(word, c);
        bool ok = d <= threshold || (len >= 3 && px__is_prefix(word, c));
        if (ok && d < best_dist) {
            best = c;
            best_dist = d;
        }
    }
    return best;
}

static size_t px__strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);
    if (size) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}

/* Values longer than this are shown shortened in error messages, so the part
 * that says what would be accepted is never cut off. */
#define PX__SHOW_MAX 64

/* A user-supplied value made safe and short for a message: control
 * characters become '?', long values end in "...". */
static const char *px__show(const char *value, char *buf, size_t size)
{
    size_t i = 0, n = 0;
    if (!value)
        value = "";
    size_t max = size - 1 < PX__SHOW_MAX ? size - 1 : PX__SHOW_MAX;
    for (; value[i] && n < max; i++)
        buf[n++] = (unsigned char)value[i] < 0x20 || value[i] == 0x7f ? '?' : value[i];
    if (value[i] && n >= 3)
        memcpy(buf + n - 3, "...", 3);
    buf[n] = '\0';
    return buf;
}

static void *px__regrow(void *old, size_t old_size, size_t new_size)
{
    void *t = PX_MALLOC(new_size);
    if (t && old_size)
        memcpy(t, old, old_size);
    if (t)
        PX_FREE(old);
    return t;
}

static char *px__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = PX_MALLOC(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static px_time px__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (px_time)ts.tv_sec * PX_SECOND + ts.tv_nsec;
}

#if PX__LEFT_OUT
static int px__left_out(px_error *err, const char *who, const char *what, const char *option)
{
    px_error_set(err, PX_ENOTSUP, 0, "%s: %s is left out of this build (CONFIG_%s)", who, what, option);
    px_error_hint(err, "enable %s in make menuconfig (or build with -DCONFIG_%s=1)", option, option);
    return PX_ENOTSUP;
}
#endif

#if !CONFIG_PX_BUFFER_PRINT && (CONFIG_PX_ELEM_FAKESINK || CONFIG_PX_ELEM_IDENTITY)
static int px__buffer_print_left_out(const px_element *el, bool silent, bool dump, px_error *err)
{
    if (silent && !dump)
        return PX_OK;
    return px__left_out(err, px_element_name(el), dump ? "dump=true" : "silent=false", "PX_BUFFER_PRINT");
}
#endif
