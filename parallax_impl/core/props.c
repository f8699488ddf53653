/* Properties: typed fields of an element's state, described by the class's
 * table, set and read as text exactly as written in a pipeline description. */

#include <limits.h>
#include <strings.h>

/* From util.c (declared here too, so section order does not matter). */
static const char *px__show(const char *value, char *buf, size_t size);
static char *px__strdup(const char *s);

PX_API const px_prop *px_find_prop(const px_element_class *klass, const char *name)
{
    if (!klass || !klass->props || !name)
        return NULL;
    for (const px_prop *p = klass->props; p->name; p++) {
        if (px__name_eq(p->name, name))
            return p;
    }
    return NULL;
}

/* The name as users write it: num_buffers -> num-buffers. */
static const char *px__prop_user_name(const char *name, char *buf, size_t size)
{
    size_t i = 0;
    for (; name[i] && i + 1 < size; i++)
        buf[i] = name[i] == '_' ? '-' : name[i];
    buf[i] = '\0';
    return buf;
}

static void *px__prop_field(px_element *el, const px_prop *prop)
{
    return (char *)px_element_state(el) + prop->offset;
}

static void px__props_free(px_element *el)
{
    const px_element_class *klass = px_element_get_class(el);
    if (!klass || !klass->props || !px_element_state(el))
        return;
    for (const px_prop *p = klass->props; p->name; p++) {
        if (p->type == PX_PROP_STRING) {
            char **field = px__prop_field(el, p);
            PX_FREE(*field);
            *field = NULL;
        }
    }
}

static int px__props_apply_defaults(px_element *el, px_error *err)
{
    const px_element_class *klass = px_element_get_class(el);
    if (!klass || !klass->props)
        return PX_OK;
    for (const px_prop *p = klass->props; p->name; p++) {
        void *field = px__prop_field(el, p);
        switch (p->type) {
        case PX_PROP_BOOL:
            *(bool *)field = p->idef != 0;
            break;
        case PX_PROP_INT:
        case PX_PROP_ENUM:
        case PX_PROP_PAD:
            *(int *)field = (int)p->idef;
            break;
        case PX_PROP_UINT64:
            *(uint64_t *)field = (uint64_t)p->idef;
            break;
        case PX_PROP_INT64:
            *(int64_t *)field = p->idef;
            break;
        case PX_PROP_DOUBLE:
            *(double *)field = p->ddef;
            break;
        case PX_PROP_FRACTION:
            *(px_fraction *)field = p->fdef;
            break;
        case PX_PROP_STRING: {
            char **s = field;
            PX_FREE(*s);
            *s = NULL;
            if (p->sdef && !(*s = px__strdup(p->sdef))) {
                px__props_free(el);
                return px_error_set(err, PX_ENOMEM, 0, "%s: out of memory for property defaults",
                                    px_element_name(el));
            }
            break;
        }
        }
    }
    return PX_OK;
}

/* ---- Parsing text values ------------------------------------------------ */

/* Unsigned magnitude, decimal or 0x hex, the whole string; false on garbage
 * or overflow past UINT64_MAX. */
static bool px__parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return false;
    for (; *s; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else
            return false;
        if (v > (UINT64_MAX - d) / base)
            return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

/* Signed 64-bit integer with optional sign, decimal or 0x hex. */
static bool px__parse_i64(const char *s, int64_t *out)
{
    bool neg = false;
    uint64_t mag;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    if (!px__parse_u64(s, &mag))
        return false;
    if (neg) {
        if (mag > (uint64_t)INT64_MAX + 1)
            return false;
        *out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    } else {
        if (mag > (uint64_t)INT64_MAX)
            return false;
        *out = (int64_t)mag;
    }
    return true;
}

static bool px__parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "yes", "1", "on"};
    static const char *const no[] = {"false", "no", "0", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (!strcasecmp(s, yes[i])) {
            *out = true;
            return true;
        }
        if (!strcasecmp(s, no[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

/* Decimal text to double: [+-]digits[.digits][(e|E)[+-]digits], the whole
 * string. Not strtod, which also reads blanks, "nan", "inf" and hex floats
 * (nothing a user means as a number) and costs a static musl build 6 KiB.
 * The result is strtod's (correctly rounded) when the significant digits
 * fit 2^53 and the power of ten left after them is at most 22 ("0.25",
 * "1e-6", "0.123456789012345": what people write for a property); beyond
 * that (16+ digits, or exponents like 1e-30) it is within a few units in
 * the last place: relative error below 2e-15. */
static bool px__parse_double(const char *s, double *out)
{
    bool neg = *s == '-', any = false, dot = false;
    uint64_t m = 0; /* the first 19 significant digits */
    long e10 = 0;   /* value = m * 10^e10 */
    if (*s == '+' || *s == '-')
        s++;
    for (;; s++) {
        if (*s == '.' && !dot) {
            dot = true;
        } else if (*s >= '0' && *s <= '9') {
            any = true;
            if (m < 1000000000000000000u) {
                m = m * 10 + (uint64_t)(*s - '0');
                e10 -= dot;
            } else {
                e10 += !dot; /* digits past the 19th only scale */
            }
        } else {
            break;
        }
    }
    if (any && (*s == 'e' || *s == 'E')) {
        bool eneg = *++s == '-';
        long e = 0;
        if (*s == '+' || *s == '-')
            s++;
        if (!(*s >= '0' && *s <= '9'))
            return false;
        for (; *s >= '0' && *s <= '9'; s++)
            if (e < 100000) /* far past any double: saturate */
                e = e * 10 + (*s - '0');
        e10 += eneg ? -e : e;
    }
    if (!any || *s)
        return false;
    double v = (double)m, p = 1; /* m is exact up to 2^53 */
    for (; m && e10 > 22 && v <= 1.7976931348623157e308; e10 -= 22)
        v *= 1e22;
    for (; m && e10 < -22 && v > 0; e10 += 22)
        v /= 1e22;
    for (long i = 0; m && i < (e10 < 0 ? -e10 : e10) && i < 22; i++)
        p *= 10; /* exact: every power of ten up to 1e22 is a double */
    v = e10 < 0 ? v / p : v * p; /* one rounding: correctly rounded when m is exact */
    if (!(v <= 1.7976931348623157e308) || (m && v == 0)) /* overflow to inf, underflow to 0 */
        return false;
    *out = neg ? -v : v;
    return true;
}

/* a/b < c/d for positive denominators, exact in 64-bit. */
static int px__fraction_cmp(px_fraction a, px_fraction b)
{
    int64_t l = (int64_t)a.num * b.den, r = (int64_t)b.num * a.den;
    return l < r ? -1 : l > r;
}

static bool px__parse_fraction(const char *s, px_fraction *out)
{
    const char *slash = strchr(s, '/');
    int64_t n, d = 1;
    if (slash) {
        size_t len = (size_t)(slash - s);
        char num[32];
        if (len == 0 || len >= sizeof num)
            return false;
        memcpy(num, s, len);
        num[len] = '\0';
        if (!px__parse_i64(num, &n) || !px__parse_i64(slash + 1, &d))
            return false;
    } else if (!px__parse_i64(s, &n)) {
        return false;
    }
    if (n < INT32_MIN || n > INT32_MAX || d <= 0 || d > INT32_MAX)
        return false;
    out->num = (int)n;
    out->den = (int)d;
    return true;
}

/* "empty, fixed, random" into buf; ends in ", ..." when it does not fit. */
static void px__enum_list(const px_prop *prop, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (const px_enum_value *e = prop->enums; e && e->nick; e++) {
        size_t need = strlen(e->nick) + (n ? 2 : 0);
        if (n + need + 6 >= size) {
            snprintf(buf + n, size - n, "%s...", n ? ", " : "");
            return;
        }
        n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "", e->nick);
    }
}

/* Unknown property: the message, then a hint with the nearest name or the list. */
static int px__no_such_prop(px_element *el, const char *name, px_error *err)
{
    const px_element_class *klass = px_element_get_class(el);
    char shown[72];
    px_error_set(err, PX_ENOENT, 0, "%s: no property '%s'", px_element_name(el),
                 px__show(name, shown, sizeof shown));
    if (!err)
        return PX_ENOENT;

    size_t count = 0;
    if (klass->props)
        while (klass->props[count].name)
            count++;
    if (!count) {
        px_error_hint(err, "%s has no properties", klass->name);
        return PX_ENOENT;
    }

    const char *names[64];
    size_t n = count < 64 ? count : 64;
    for (size_t i = 0; i < n; i++)
        names[i] = klass->props[i].name;
    const char *near = px__nearest(name, names, n);
    char user[PX__NAME_MAX];
    if (near) {
        px_error_hint(err, "did you mean '%s'?", px__prop_user_name(near, user, sizeof user));
        return PX_ENOENT;
    }

    char list[PX_ERROR_HINT_MAX - 32];
    size_t len = (size_t)snprintf(list, sizeof list, "%s has: ", klass->name);
    for (size_t i = 0; i < count && len < sizeof list; i++) {
        px__prop_user_name(klass->props[i].name, user, sizeof user);
        if (len + strlen(user) + 8 >= sizeof list) {
            snprintf(list + len, sizeof list - len, "...");
            break;
        }
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", user);
    }
    px_error_hint(err, "%s", list);
    return PX_ENOENT;
}

/* Every source has flow-policy=block|drop|ring and max-drops=N, kept by the
 * runtime rather than in each class's table (with CONFIG_PX_FLOW_POLICIES;
 * without, both are left out and setting or reading them says so). */
#if CONFIG_PX_FLOW_POLICIES
static const char *const px__flow_policy_names[] = {"block", "drop", "ring"};
#endif

static int px__set_source_prop(px_element *el, const char *name, const char *value, px_error *err)
{
#if !CONFIG_PX_FLOW_POLICIES
    (void)value;
    return px__left_out(err, el->name, px__name_eq(name, "flow-policy") ? "property 'flow-policy'" : "property 'max-drops'",
                        "PX_FLOW_POLICIES");
#else
    char shown[72];
    px__show(value, shown, sizeof shown);
    if (px__name_eq(name, "flow-policy")) {
        for (int i = 0; i < 3; i++)
            if (value && strcmp(value, px__flow_policy_names[i]) == 0)
                return px_element_set_flow_policy(el, (px_flow_policy)i, el->max_drops, err);
        return px_error_set(err, PX_EINVAL, 0,
                            "%s: property 'flow-policy' expects block, drop or ring, got '%s'", el->name, shown);
    }
    uint64_t v;
    if (!value || !px__parse_u64(value, &v) || v > UINT32_MAX)
        return px_error_set(err, PX_EINVAL, 0,
                            "%s: property 'max-drops' expects an integer in [0, 4294967295], got '%s'", el->name,
                            shown);
    el->max_drops = (uint32_t)v;
    return PX_OK;
#endif
}

static bool px__is_source_prop(const px_element *el, const char *name)
{
    return el->klass->produce && !px_find_prop(el->klass, name) &&
           (px__name_eq(name, "flow-policy") || px__name_eq(name, "max-drops"));
}
#if CONFIG_PX_FANIN
/* "sink_" of "sink_%u": what a pad property's values start with. */
static size_t px__pad_prefix(const px_prop *prop, const px_element_class *k, const char **prefix)
{
    const px_pad_template *t = prop->imin ? &k->src : &k->sink;
    *prefix = t->name ? t->name : prop->imin ? "src_" : "sink_";
    const char *pct = strchr(*prefix, '%');
    return pct ? (size_t)(pct - *prefix) : strlen(*prefix);
}

/* PX_PROP_PAD: "sink_2", "2" or "none"; once the pipeline is prepared the
 * pad must be linked (before, links may still come: start() checks). */
static int px__set_pad_prop(px_element *el, const px_prop *prop, const char *user, const char *value,
                            const char *shown, void *field, bool running, px_error *err)
{
    const char *prefix, *elname = px_element_name(el);
    size_t plen = px__pad_prefix(prop, px_element_get_class(el), &prefix);
    px_pad_dir dir = prop->imin ? PX_DIR_SRC : PX_DIR_SINK;
    int64_t num = -1;
    const char *digits = strncmp(value, prefix, plen) == 0 ? value + plen : value;
    if (strcasecmp(value, "none") != 0 &&
        (!*digits || *digits == '-' || *digits == '+' || !px__parse_i64(digits, &num) || num > INT_MAX))
        return px_error_set(err, PX_EINVAL, 0,
                            "%s: property '%s' expects a pad name such as %.*s0 (or its number, or none), got '%s'",
                            elname, user, (int)plen, prefix, shown);
    if (num >= 0 && (running || el->pipeline->prepared) && px_element_pad_index(el, dir, (int)num) < 0) {
        char list[PX_ERROR_MESSAGE_MAX / 2];
        size_t len = 0;
        list[0] = '\0';
        int n = dir == PX_DIR_SRC ? el->n_src : el->n_sink;
        for (int i = 0; i < n && len < sizeof list; i++)
            if ((dir == PX_DIR_SRC ? el->src[i].peer : el->sink[i].peer) != NULL)
                len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "",
                                        px_element_pad_name(el, dir, i));
        return px_error_set(err, PX_ENOENT, 0, "%s: property '%s': no linked pad %.*s%lld; linked: %s", elname,
                            user, (int)plen, prefix, (long long)num, len ? list : "none");
    }
    __atomic_store_n((int *)field, (int)num, __ATOMIC_RELAXED);
    return PX_OK;
}
#endif /* CONFIG_PX_FANIN */

PX_API int px_set(px_element *el, const char *name, const char *value, px_error *err)
{
    if (!el || !name)
        return px_error_set(err, PX_EINVAL, 0, "px_set: no element or property name given");
    const px_element_class *klass = px_element_get_class(el);
    if (px__is_source_prop(el, name))
        return px__set_source_prop(el, name, value, err);
    const px_prop *prop = px_find_prop(klass, name);
    if (!prop)
        return px__no_such_prop(el, name, err);

    const char *elname = px_element_name(el);
    char user[PX__NAME_MAX], shown[72];
    px__prop_user_name(prop->name, user, sizeof user);
    if (prop->flags & PX_PROP_FLAG_READONLY)
        return px_error_set(err, PX_EINVAL, 0, "%s: property '%s' is read-only", elname, user);
    if (!value && prop->type != PX_PROP_STRING)
        return px_error_set(err, PX_EINVAL, 0, "%s: property '%s' needs a value", elname, user);
    /* Only MUTABLE properties change while running; they are stored
     * atomically (4-byte types), so the streaming thread reads them safely. */
    bool running = el->pipeline && atomic_load(&el->pipeline->state) == PX_STATE_RUNNING;
    if (running && !(prop->flags & PX_PROP_FLAG_MUTABLE))
        return px_error_set(err, PX_ESTATE, 0,
                            "%s: property '%s' cannot change while the pipeline is running; stop it first",
                            elname, user);
    px__show(value, shown, sizeof shown);

    void *field = px__prop_field(el, prop);
    switch (prop->type) {
    case PX_PROP_BOOL: {
        bool b;
        if (!px__parse_bool(value, &b))
            return px_error_set(err, PX_EINVAL, 0,
                                "%s: property '%s' expects a boolean (true/false), got '%s'", elname, user,
                                shown);
        __atomic_store_n((bool *)field, b, __ATOMIC_RELAXED);
        return PX_OK;
    }
    case PX_PROP_INT: {
        int64_t v;
        if (!px__parse_i64(value, &v) || v < prop->imin || v > prop->imax || v < INT_MIN || v > INT_MAX)
            return px_error_set(err, PX_EINVAL, 0,
                                "%s: property '%s' expects an integer in [%lld, %lld], got '%s'", elname,
                                user, (long long)prop->imin, (long long)prop->imax, shown);
        __atomic_store_n((int *)field, (int)v, __ATOMIC_RELAXED);
        return PX_OK;
    }
    case PX_PROP_INT64: {
        int64_t v;
        if (!px__parse_i64(value, &v) || v < prop->imin || v > prop->imax)
            return px_error_set(err, PX_EINVAL, 0,
                                "%s: property '%s' expects an integer in [%lld, %lld], got '%s'", elname,
                                user, (long long)prop->imin, (long long)prop->imax, shown);
        *(int64_t *)field = v;
        return PX_OK;
    }
    case PX_PROP_UINT64: {
        uint64_t v, lo = (uint64_t)prop->imin, hi = (uint64_t)prop->imax;
        if (!px__parse_u64(value[0] == '+' ? value + 1 : value, &v) || v < lo || v > hi)
            return px_error_set(err, PX_EINVAL, 0,
                                "%s: property '%s' expects an unsigned integer in [%llu, %llu], got '%s'",
                                elname, user, (unsigned long long)lo, (unsigned long long)hi, shown);
        *(uint64_t *)field = v;
        return PX_OK;
    }
    case PX_PROP_DOUBLE: {
        double v;
        if (!px__parse_double(value, &v) || v < prop->dmin || v > prop->dmax)
            return px_error_set(err, PX_EINVAL, 0, "%s: property '%s' expects a number in [%g, %g], got '%s'",
                                elname, user, prop->dmin, prop->dmax, shown);
        *(double *)field = v;
        return PX_OK;
    }
    case PX_PROP_STRING: {
        char *copy = NULL;
#if CONFIG_PX_CAPS /* without caps nothing reads the text: it is kept as given */
        if (value && (prop->flags & PX_PROP_FLAG_CAPS)) {
            px_caps caps;
            px_error cerr = {0};
            if (px_caps_parse(&caps, value, &cerr) != PX_OK) {
                /* Position within the value: the parser adds the value's column. */
                char *col = strstr(cerr.message, " (column ");
                if (col && cerr.position > 0)
                    *col = '\0';
                return px_error_set(err, PX_EINVAL, cerr.position, "%s: property '%s' is not valid caps: %s", elname,
                                    user, cerr.message);
            }
        }
#endif
        if (value && !(copy = px__strdup(value)))
            return px_error_set(err, PX_ENOMEM, 0, "%s: out of memory setting property '%s'", elname, user);
        char **s = field;
        PX_FREE(*s);
        *s = copy;
        return PX_OK;
    }
    case PX_PROP_ENUM: {
        for (const px_enum_value *e = prop->enums; e && e->nick; e++) {
            if (!strcasecmp(e->nick, value)) {
                __atomic_store_n((int *)field, e->value, __ATOMIC_RELAXED);
                return PX_OK;
            }
        }
        int64_t num;
        if (px__parse_i64(value, &num)) {
            for (const px_enum_value *e = prop->enums; e && e->nick; e++) {
                if (e->value == num) {
                    __atomic_store_n((int *)field, e->value, __ATOMIC_RELAXED);
                    return PX_OK;
                }
            }
        }
        char list[PX_ERROR_MESSAGE_MAX / 2];
        px__enum_list(prop, list, sizeof list);
        px_error_set(err, PX_EINVAL, 0, "%s: property '%s' has no value '%s'; accepted: %s", elname, user,
                     shown, list);
        const char *nicks[64];
        size_t n = 0;
        for (const px_enum_value *e = prop->enums; e && e->nick && n < 64; e++)
            nicks[n++] = e->nick;
        const char *near = px__nearest(value, nicks, n);
        if (near && err)
            px_error_hint(err, "did you mean '%s'?", near);
        return PX_EINVAL;
    }
    case PX_PROP_PAD: /* without CONFIG_PX_FANIN: "unknown type" below */
#if CONFIG_PX_FANIN
        return px__set_pad_prop(el, prop, user, value, shown, field, running, err);
#else
        break;
#endif
    case PX_PROP_FRACTION: {
        px_fraction f;
        if (!px__parse_fraction(value, &f) || px__fraction_cmp(f, prop->fmin) < 0 ||
            px__fraction_cmp(f, prop->fmax) > 0)
            return px_error_set(
                err, PX_EINVAL, 0,
                "%s: property '%s' expects a fraction such as 30/1 in [%d/%d, %d/%d], got '%s'", elname, user,
                prop->fmin.num, prop->fmin.den, prop->fmax.num, prop->fmax.den, shown);
        *(px_fraction *)field = f;
        return PX_OK;
    }
    }
    return px_error_set(err, PX_EINVAL, 0, "%s: property '%s' has an unknown type", elname, user);
}

/* Shortest text (6 to 17 significant digits) that px__parse_double reads
 * back as the same double; 17 digits when none does, which only values
 * needing 16+ digits can hit (see px__parse_double). */
static int px__format_double(char *buf, size_t size, double v)
{
    char tmp[40];
    for (int prec = 6; prec <= 17; prec++) {
        double back;
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (px__parse_double(tmp, &back) && back == v)
            break;
    }
    return snprintf(buf, size, "%s", tmp);
}

PX_API int px_get(px_element *el, const char *name, char *buf, size_t size, px_error *err)
{
    if (!el || !name)
        return px_error_set(err, PX_EINVAL, 0, "px_get: no element or property name given");
#if CONFIG_PX_FLOW_POLICIES
    if (px__is_source_prop(el, name) && buf && size) {
        int n = px__name_eq(name, "flow-policy")
                    ? snprintf(buf, size, "%s", px__flow_policy_names[el->flow_policy % 3])
                    : snprintf(buf, size, "%u", el->max_drops);
        return n >= 0 && (size_t)n < size ? PX_OK : PX_ENOMEM;
    }
#else
    if (px__is_source_prop(el, name))
        return px__set_source_prop(el, name, NULL, err); /* says they are left out */
#endif
    const px_prop *prop = px_find_prop(px_element_get_class(el), name);
    if (!prop)
        return px__no_such_prop(el, name, err);
    char user[PX__NAME_MAX];
    px__prop_user_name(prop->name, user, sizeof user);
    if (!buf || !size)
        return px_error_set(err, PX_EINVAL, 0, "%s: no buffer given to read property '%s'",
                            px_element_name(el), user);

    const void *field = px__prop_field(el, prop);
#if CONFIG_PX_ELEM_QUEUE
    if (prop->flags & PX_PROP_FLAG_READONLY)
        px__queue_levels(el); /* a queue's levels are computed when read */
#endif
    int n = 0;
    switch (prop->type) {
    case PX_PROP_BOOL:
        n = snprintf(buf, size, "%s", __atomic_load_n((const bool *)field, __ATOMIC_RELAXED) ? "true" : "false");
        break;
    case PX_PROP_INT:
        n = snprintf(buf, size, "%d", __atomic_load_n((const int *)field, __ATOMIC_RELAXED));
        break;
    case PX_PROP_UINT64: /* read-only ones (levels) change while streaming: an atomic read */
        n = snprintf(buf, size, "%llu",
                     (unsigned long long)(prop->flags & PX_PROP_FLAG_READONLY
                                              ? __atomic_load_n((const uint64_t *)field, __ATOMIC_RELAXED)
                                              : *(const uint64_t *)field));
        break;
    case PX_PROP_INT64:
        n = snprintf(buf, size, "%lld", (long long)*(const int64_t *)field);
        break;
    case PX_PROP_DOUBLE:
        n = px__format_double(buf, size, *(const double *)field);
        break;
    case PX_PROP_STRING: {
        const char *s = *(char *const *)field;
        n = snprintf(buf, size, "%s", s ? s : "");
        break;
    }
    case PX_PROP_ENUM: {
        int v = *(const int *)field;
        const char *nick = NULL;
        for (const px_enum_value *e = prop->enums; e && e->nick; e++)
            if (e->value == v) {
                nick = e->nick;
                break;
            }
        n = nick ? snprintf(buf, size, "%s", nick) : snprintf(buf, size, "%d", v);
        break;
    }
    case PX_PROP_PAD: {
        int v = __atomic_load_n((const int *)field, __ATOMIC_RELAXED);
#if CONFIG_PX_FANIN
        const char *prefix;
        size_t plen = px__pad_prefix(prop, px_element_get_class(el), &prefix);
        n = v < 0 ? snprintf(buf, size, "none") : snprintf(buf, size, "%.*s%d", (int)plen, prefix, v);
#else
        n = snprintf(buf, size, "%d", v);
#endif
        break;
    }
    case PX_PROP_FRACTION: {
        const px_fraction *f = field;
        n = snprintf(buf, size, "%d/%d", f->num, f->den);
        break;
    }
    }
    if (n < 0 || (size_t)n >= size) {
        buf[0] = '\0';
        return px_error_set(err, PX_EINVAL, 0, "%s: property '%s' needs %d bytes to read, the buffer has %zu",
                            px_element_name(el), user, n + 1, size);
    }
    return PX_OK;
}
