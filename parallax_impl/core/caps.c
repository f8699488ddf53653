/* Caps: parse, print, intersect, subset, fixate. Everything works inside the
 * fixed-size px_caps (no allocation); results are built into a scratch px_caps
 * on the stack and copied out, so outputs may alias inputs and a failure
 * leaves the destination untouched. */

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define PX_CAPS__MAX_FEATURES 8
#define PX_CAPS__ECHO         40 /* longest piece of user text quoted back in a message */
#define PX_CAPS__STR2(x)      #x
#define PX_CAPS__XSTR(x)      PX_CAPS__STR2(x)

/* ---- Small helpers ----------------------------------------------------------- */

static bool px_caps__is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool px_caps__is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool px_caps__is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Characters of field names and features (GStreamer's unquoted set minus '/'). */
static bool px_caps__is_name_char(char c)
{
    return px_caps__is_alpha(c) || px_caps__is_digit(c) || c == '_' || c == '-' || c == '.' || c == ':' ||
           c == '+';
}

/* Characters of media types and bare (unquoted) strings. */
static bool px_caps__is_word_char(char c)
{
    return px_caps__is_name_char(c) || c == '/';
}

static char px_caps__lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive compare of s[0..n) with the NUL-terminated word. */
static bool px_caps__word_is(const char *s, size_t n, const char *word)
{
    size_t wn = strlen(word);
    if (n != wn)
        return false;
    for (size_t i = 0; i < n; i++)
        if (px_caps__lower(s[i]) != word[i])
            return false;
    return true;
}

static int64_t px_caps__gcd(int64_t a, int64_t b)
{
    if (a < 0)
        a = -a;
    if (b < 0)
        b = -b;
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Fractions are kept reduced with a positive denominator. */
static void px_caps__reduce(int32_t *num, int32_t *den)
{
    int64_t g = px_caps__gcd(*num, *den);
    if (g > 1) {
        *num = (int32_t)(*num / g);
        *den = (int32_t)(*den / g);
    }
    if (*num == 0)
        *den = 1;
}

/* Denominators are positive, so cross-multiplying in 64 bits is exact. */
static int px_caps__frac_cmp(int32_t an, int32_t ad, int32_t bn, int32_t bd)
{
    int64_t l = (int64_t)an * bd, r = (int64_t)bn * ad;
    return l < r ? -1 : l > r;
}

static const char *px_caps__str(const px_caps *c, uint16_t off)
{
    return c->pool + off;
}

static const char *px_caps__type_name(int type)
{
    switch (type) {
    case PX_VALUE_INT:
    case PX_VALUE_INT_RANGE:
        return "int";
    case PX_VALUE_FRACTION:
    case PX_VALUE_FRACTION_RANGE:
        return "fraction";
    case PX_VALUE_STRING:
        return "string";
    case PX_VALUE_BOOL:
        return "boolean";
    default:
        return "?";
    }
}

/* ---- Building ---------------------------------------------------------------- */

static void px_caps__init(px_caps *c)
{
    memset(c, 0, sizeof *c);
    c->pool_len = 1; /* offset 0 is "": no features, empty string */
}

/* Finds s[0..len) in the pool or appends it. */
static int px_caps__intern(px_caps *c, const char *s, size_t len, uint16_t *off)
{
    if (c->pool_len == 0)
        c->pool_len = 1, c->pool[0] = '\0';
    if (len == 0) {
        *off = 0;
        return PX_OK;
    }
    for (size_t p = 1; p < c->pool_len;) {
        size_t n = strlen(c->pool + p);
        if (n == len && memcmp(c->pool + p, s, len) == 0) {
            *off = (uint16_t)p;
            return PX_OK;
        }
        p += n + 1;
    }
    if (len >= PX_CAPS_POOL || c->pool_len + len + 1 > PX_CAPS_POOL)
        return PX_ENOMEM;
    memcpy(c->pool + c->pool_len, s, len);
    c->pool[c->pool_len + len] = '\0';
    *off = c->pool_len;
    c->pool_len = (uint16_t)(c->pool_len + len + 1);
    return PX_OK;
}

static int px_caps__add_struct(px_caps *c, const char *media, const char *features)
{
    if (c->n_structs >= PX_CAPS_MAX_STRUCTS)
        return PX_ENOMEM;
    px_caps_struct st = {0};
    int rc = px_caps__intern(c, media, strlen(media), &st.media_type);
    if (rc == PX_OK)
        rc = px_caps__intern(c, features, strlen(features), &st.features);
    if (rc != PX_OK)
        return rc;
    st.first_field = c->n_fields;
    c->structs[c->n_structs++] = st;
    return PX_OK;
}

/* Adds an empty field to the last structure. */
static int px_caps__add_field(px_caps *c, const char *name, size_t len)
{
    if (c->n_fields >= PX_CAPS_MAX_FIELDS)
        return PX_ENOMEM;
    px_caps_field f = {0};
    int rc = px_caps__intern(c, name, len, &f.name);
    if (rc != PX_OK)
        return rc;
    f.first = c->n_values;
    c->fields[c->n_fields++] = f;
    c->structs[c->n_structs - 1].n_fields++;
    return PX_OK;
}

/* Appends v (its string, if any, in src's pool) to the last field. */
static int px_caps__push(px_caps *c, const px_caps *src, const px_value *v)
{
    if (c->n_values >= PX_CAPS_MAX_VALUES)
        return PX_ENOMEM;
    px_value nv = *v;
    if (v->type == PX_VALUE_STRING) {
        const char *s = px_caps__str(src, v->str);
        int rc = px_caps__intern(c, s, strlen(s), &nv.str);
        if (rc != PX_OK)
            return rc;
    } else {
        nv.str = 0;
    }
    c->values[c->n_values++] = nv;
    px_caps_field *f = &c->fields[c->n_fields - 1];
    f->n++;
    f->list = f->n > 1;
    return PX_OK;
}

static int px_caps__copy_field(px_caps *c, const px_caps *src, const px_caps_field *f)
{
    const char *name = px_caps__str(src, f->name);
    int rc = px_caps__add_field(c, name, strlen(name));
    for (unsigned k = 0; rc == PX_OK && k < f->n; k++)
        rc = px_caps__push(c, src, &src->values[f->first + k]);
    if (rc == PX_OK)
        c->fields[c->n_fields - 1].list = f->list && f->n > 1;
    return rc;
}

static int px_caps__add_struct_from(px_caps *c, const px_caps *src, const px_caps_struct *s)
{
    return px_caps__add_struct(c, px_caps__str(src, s->media_type), px_caps__str(src, s->features));
}

static int px_caps__copy_struct(px_caps *c, const px_caps *src, const px_caps_struct *s)
{
    int rc = px_caps__add_struct_from(c, src, s);
    for (unsigned f = 0; rc == PX_OK && f < s->n_fields; f++)
        rc = px_caps__copy_field(c, src, &src->fields[s->first_field + f]);
    return rc;
}

/* A point to roll back to when a structure turns out empty. */
typedef struct px_caps__mark {
    uint8_t n_structs, n_fields;
    uint16_t n_values, pool_len;
} px_caps__mark;

static px_caps__mark px_caps__save(const px_caps *c)
{
    px_caps__mark m = {c->n_structs, c->n_fields, c->n_values, c->pool_len};
    return m;
}

static void px_caps__restore(px_caps *c, px_caps__mark m)
{
    c->n_structs = m.n_structs;
    c->n_fields = m.n_fields;
    c->n_values = m.n_values;
    c->pool_len = m.pool_len;
}

static const px_caps_field *px_caps__find(const px_caps *c, const px_caps_struct *s, const char *name)
{
    for (unsigned f = 0; f < s->n_fields; f++) {
        const px_caps_field *fl = &c->fields[s->first_field + f];
        if (strcmp(px_caps__str(c, fl->name), name) == 0)
            return fl;
    }
    return NULL;
}

/* ---- Values -------------------------------------------------------------------- */

static bool px_caps__val_eq(const px_caps *ca, const px_value *a, const px_caps *cb, const px_value *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case PX_VALUE_INT:
    case PX_VALUE_BOOL:
        return a->a == b->a;
    case PX_VALUE_INT_RANGE:
        return a->a == b->a && a->b == b->b;
    case PX_VALUE_FRACTION:
        return px_caps__frac_cmp(a->a, a->b, b->a, b->b) == 0;
    case PX_VALUE_FRACTION_RANGE:
        return px_caps__frac_cmp(a->a, a->b, b->a, b->b) == 0 &&
               px_caps__frac_cmp(a->c, a->d, b->c, b->d) == 0;
    case PX_VALUE_STRING:
        return strcmp(px_caps__str(ca, a->str), px_caps__str(cb, b->str)) == 0;
    default:
        return false;
    }
}

/* a ∩ b for single values (no lists); *out takes a's string. */
static bool px_caps__val_inter(const px_caps *ca, const px_value *a, const px_caps *cb, const px_value *b,
                               px_value *out)
{
    memset(out, 0, sizeof *out);
    if ((a->type == PX_VALUE_INT_RANGE && b->type == PX_VALUE_INT) ||
        (a->type == PX_VALUE_FRACTION_RANGE && b->type == PX_VALUE_FRACTION)) {
        const px_value *t = a;
        a = b, b = t; /* the single value first; only numbers, no strings to keep */
    }
    switch (a->type) {
    case PX_VALUE_INT:
        if (b->type == PX_VALUE_INT && a->a == b->a)
            return *out = *a, true;
        if (b->type == PX_VALUE_INT_RANGE && a->a >= b->a && a->a <= b->b)
            return *out = *a, true;
        return false;
    case PX_VALUE_INT_RANGE:
        if (b->type == PX_VALUE_INT_RANGE) {
            int32_t lo = a->a > b->a ? a->a : b->a, hi = a->b < b->b ? a->b : b->b;
            if (lo > hi)
                return false;
            out->type = lo == hi ? PX_VALUE_INT : PX_VALUE_INT_RANGE;
            out->a = lo, out->b = lo == hi ? 0 : hi;
            return true;
        }
        return false;
    case PX_VALUE_FRACTION:
        if (b->type == PX_VALUE_FRACTION && px_caps__frac_cmp(a->a, a->b, b->a, b->b) == 0)
            return *out = *a, true;
        if (b->type == PX_VALUE_FRACTION_RANGE && px_caps__frac_cmp(a->a, a->b, b->a, b->b) >= 0 &&
            px_caps__frac_cmp(a->a, a->b, b->c, b->d) <= 0)
            return *out = *a, true;
        return false;
    case PX_VALUE_FRACTION_RANGE:
        if (b->type == PX_VALUE_FRACTION_RANGE) {
            const px_value *lo = px_caps__frac_cmp(a->a, a->b, b->a, b->b) >= 0 ? a : b;
            const px_value *hi = px_caps__frac_cmp(a->c, a->d, b->c, b->d) <= 0 ? a : b;
            int c = px_caps__frac_cmp(lo->a, lo->b, hi->c, hi->d);
            if (c > 0)
                return false;
            out->type = c == 0 ? PX_VALUE_FRACTION : PX_VALUE_FRACTION_RANGE;
            out->a = lo->a, out->b = lo->b;
            if (c != 0)
                out->c = hi->c, out->d = hi->d;
            return true;
        }
        return false;
    case PX_VALUE_STRING:
        if (b->type == PX_VALUE_STRING && strcmp(px_caps__str(ca, a->str), px_caps__str(cb, b->str)) == 0)
            return *out = *a, true;
        return false;
    case PX_VALUE_BOOL:
        if (b->type == PX_VALUE_BOOL && a->a == b->a)
            return *out = *a, true;
        return false;
    default:
        return false;
    }
}

/* Single values: everything a allows, b allows. */
static bool px_caps__val_subset(const px_caps *ca, const px_value *a, const px_caps *cb, const px_value *b)
{
    switch (b->type) {
    case PX_VALUE_INT_RANGE:
        if (a->type == PX_VALUE_INT)
            return a->a >= b->a && a->a <= b->b;
        return a->type == PX_VALUE_INT_RANGE && a->a >= b->a && a->b <= b->b;
    case PX_VALUE_FRACTION_RANGE:
        if (a->type == PX_VALUE_FRACTION)
            return px_caps__frac_cmp(a->a, a->b, b->a, b->b) >= 0 &&
                   px_caps__frac_cmp(a->a, a->b, b->c, b->d) <= 0;
        return a->type == PX_VALUE_FRACTION_RANGE && px_caps__frac_cmp(a->a, a->b, b->a, b->b) >= 0 &&
               px_caps__frac_cmp(a->c, a->d, b->c, b->d) <= 0;
    default:
        return px_caps__val_eq(ca, a, cb, b);
    }
}

static bool px_caps__field_subset(const px_caps *ca, const px_caps_field *a, const px_caps *cb,
                                  const px_caps_field *b)
{
    for (unsigned i = 0; i < a->n; i++) {
        bool found = false;
        for (unsigned j = 0; j < b->n && !found; j++)
            found = px_caps__val_subset(ca, &ca->values[a->first + i], cb, &cb->values[b->first + j]);
        if (!found)
            return false;
    }
    return true;
}

static bool px_caps__field_meets(const px_caps *ca, const px_caps_field *a, const px_caps *cb,
                                 const px_caps_field *b)
{
    px_value r;
    for (unsigned i = 0; i < a->n; i++)
        for (unsigned j = 0; j < b->n; j++)
            if (px_caps__val_inter(ca, &ca->values[a->first + i], cb, &cb->values[b->first + j], &r))
                return true;
    return false;
}

/* Adds field a ∩ b to the last structure of out; *empty when nothing is common.
 * Entries keep a's order; duplicates are dropped; one entry is a single value. */
static int px_caps__field_inter(px_caps *out, const px_caps *ca, const px_caps_field *a, const px_caps *cb,
                                const px_caps_field *b, bool *empty)
{
    const char *name = px_caps__str(ca, a->name);
    int rc = px_caps__add_field(out, name, strlen(name));
    if (rc != PX_OK)
        return rc;
    px_caps_field *f = &out->fields[out->n_fields - 1];
    for (unsigned i = 0; i < a->n; i++)
        for (unsigned j = 0; j < b->n; j++) {
            px_value r;
            if (!px_caps__val_inter(ca, &ca->values[a->first + i], cb, &cb->values[b->first + j], &r))
                continue;
            bool dup = false;
            for (unsigned k = 0; k < f->n && !dup; k++)
                dup = px_caps__val_eq(out, &out->values[f->first + k], ca, &r);
            if (!dup && (rc = px_caps__push(out, ca, &r)) != PX_OK)
                return rc;
        }
    *empty = f->n == 0;
    return PX_OK;
}

static bool px_caps__same_kind(const px_caps *ca, const px_caps_struct *a, const px_caps *cb,
                               const px_caps_struct *b)
{
    return strcmp(px_caps__str(ca, a->media_type), px_caps__str(cb, b->media_type)) == 0 &&
           strcmp(px_caps__str(ca, a->features), px_caps__str(cb, b->features)) == 0;
}

static bool px_caps__struct_subset(const px_caps *ca, const px_caps_struct *a, const px_caps *cb,
                                   const px_caps_struct *b)
{
    if (!px_caps__same_kind(ca, a, cb, b))
        return false;
    for (unsigned f = 0; f < b->n_fields; f++) {
        const px_caps_field *bf = &cb->fields[b->first_field + f];
        const px_caps_field *af = px_caps__find(ca, a, px_caps__str(cb, bf->name));
        if (!af || !px_caps__field_subset(ca, af, cb, bf))
            return false;
    }
    return true;
}

static bool px_caps__struct_meets(const px_caps *ca, const px_caps_struct *a, const px_caps *cb,
                                  const px_caps_struct *b)
{
    if (!px_caps__same_kind(ca, a, cb, b))
        return false;
    for (unsigned f = 0; f < a->n_fields; f++) {
        const px_caps_field *af = &ca->fields[a->first_field + f];
        const px_caps_field *bf = px_caps__find(cb, b, px_caps__str(ca, af->name));
        if (bf && !px_caps__field_meets(ca, af, cb, bf))
            return false;
    }
    return true;
}

/* ---- Parsing ------------------------------------------------------------------- */

typedef struct px_caps__parser {
    const char *s;
    size_t i;
    px_caps *c;
    px_error *err;
} px_caps__parser;

static int px_caps__col(size_t i)
{
    return i >= (size_t)INT_MAX ? INT_MAX : (int)i + 1;
}

/* "'x'", "end of text", "control character 0x01", ... for messages. */
static const char *px_caps__describe(char c, char *buf, size_t size)
{
    unsigned char u = (unsigned char)c;
    if (u == 0)
        snprintf(buf, size, "end of text");
    else if (u < 0x20 || u == 0x7f)
        snprintf(buf, size, "control character 0x%02x", u);
    else if (u >= 0x80)
        snprintf(buf, size, "byte 0x%02x", u);
    else
        snprintf(buf, size, "'%c'", c);
    return buf;
}

/* User text for a message, cut at PX_CAPS__ECHO characters. */
static const char *px_caps__echo(const char *s, size_t n, char *buf, size_t size)
{
    size_t k = n > PX_CAPS__ECHO ? PX_CAPS__ECHO : n;
    snprintf(buf, size, "%.*s%s", (int)k, s, n > k ? "..." : "");
    return buf;
}

static void px_caps__skip_ws(px_caps__parser *p)
{
    while (px_caps__is_space(p->s[p->i]))
        p->i++;
}

/* "caps: expected <what>, found <char at i> (column N)" */
static int px_caps__expected(px_caps__parser *p, size_t at, const char *what)
{
    char d[40];
    return px_error_set(p->err, PX_EPARSE, px_caps__col(at), "caps: expected %s, found %s (column %d)", what,
                        px_caps__describe(p->s[at], d, sizeof d), px_caps__col(at));
}

enum { PX_CAPS__POOL_FULL, PX_CAPS__STRUCTS_FULL, PX_CAPS__FIELDS_FULL, PX_CAPS__VALUES_FULL };

/* Capacity error: the counter of `limit` when it is the one that is full, else the pool. */
static int px_caps__nomem(px_caps__parser *p, size_t at, int limit)
{
    const px_caps *c = p->c;
    const char *what;
    char buf[80];
    if (limit == PX_CAPS__STRUCTS_FULL && c->n_structs >= PX_CAPS_MAX_STRUCTS)
        what = "too many structures (at most " PX_CAPS__XSTR(PX_CAPS_MAX_STRUCTS) ")";
    else if (limit == PX_CAPS__FIELDS_FULL && c->n_fields >= PX_CAPS_MAX_FIELDS)
        what = "too many fields (at most " PX_CAPS__XSTR(PX_CAPS_MAX_FIELDS) " over all structures)";
    else if (limit == PX_CAPS__VALUES_FULL && c->n_values >= PX_CAPS_MAX_VALUES)
        what = "too many values (at most " PX_CAPS__XSTR(PX_CAPS_MAX_VALUES) " over all fields)";
    else {
        snprintf(buf, sizeof buf, "names and strings too long (at most %d bytes in all)", PX_CAPS_POOL - 1);
        what = buf;
    }
    return px_error_set(p->err, PX_ENOMEM, px_caps__col(at), "caps: %s (column %d)", what, px_caps__col(at));
}

/* Reads a run of characters accepted by ok(); returns its length. */
static size_t px_caps__scan(px_caps__parser *p, bool (*ok)(char))
{
    size_t start = p->i;
    while (p->s[p->i] && ok(p->s[p->i]))
        p->i++;
    return p->i - start;
}

enum {
    PX_CAPS__SHAPE_STRING,
    PX_CAPS__SHAPE_INT,
    PX_CAPS__SHAPE_FRACTION,
    PX_CAPS__SHAPE_BOOL,
    PX_CAPS__SHAPE_FLOAT
};

static size_t px_caps__digits(const char *s, size_t n, size_t i)
{
    size_t k = i;
    while (k < n && px_caps__is_digit(s[k]))
        k++;
    return k - i;
}

/* What an unquoted word would be read as, by its shape only (GStreamer's
 * order: int, fraction, boolean, else string; doubles are refused). */
static int px_caps__shape(const char *s, size_t n)
{
    size_t i = (n && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    size_t d = px_caps__digits(s, n, i);
    if (d > 0) {
        if (i + d == n)
            return PX_CAPS__SHAPE_INT;
        size_t j = i + d;
        if (s[j] == '/') {
            size_t k = j + 1 + ((j + 1 < n && (s[j + 1] == '-' || s[j + 1] == '+')) ? 1 : 0);
            size_t d2 = px_caps__digits(s, n, k);
            if (d2 > 0 && k + d2 == n)
                return PX_CAPS__SHAPE_FRACTION;
        }
        if (s[j] == '.' || s[j] == 'e' || s[j] == 'E') {
            bool num = true;
            for (size_t k = j; k < n && num; k++)
                num = px_caps__is_digit(s[k]) || s[k] == '.' || s[k] == 'e' || s[k] == 'E' || s[k] == '-' ||
                      s[k] == '+';
            if (num)
                return PX_CAPS__SHAPE_FLOAT;
        }
    }
    if (px_caps__word_is(s, n, "true") || px_caps__word_is(s, n, "false") || px_caps__word_is(s, n, "yes") ||
        px_caps__word_is(s, n, "no"))
        return PX_CAPS__SHAPE_BOOL;
    return PX_CAPS__SHAPE_STRING;
}

/* Decimal int32 from s[0..n) (already int-shaped); false on overflow. */
static bool px_caps__to_int(const char *s, size_t n, int32_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (n && (s[0] == '-' || s[0] == '+'))
        neg = s[0] == '-', i = 1;
    int64_t v = 0;
    for (; i < n; i++) {
        v = v * 10 + (s[i] - '0');
        if (v > (int64_t)INT32_MAX + 1)
            return false;
    }
    if (neg)
        v = -v;
    if (v < INT32_MIN || v > INT32_MAX)
        return false;
    *out = (int32_t)v;
    return true;
}

/* Reads one scalar (int, fraction, string or bool; no range or list) at p->i.
 * type is the (type) annotation or 0; ctx names what is read, for messages. */
static int px_caps__scalar(px_caps__parser *p, int type, const char *ctx, px_value *v)
{
    char e[PX_CAPS__ECHO + 8], want[160];
    size_t start = p->i;
    char c = p->s[start];
    memset(v, 0, sizeof *v);
    if (c == '"') {
        /* Quoted string: backslash escapes any character; no control characters. */
        char buf[PX_CAPS_POOL];
        size_t n = 0;
        p->i++;
        for (;;) {
            unsigned char u = (unsigned char)p->s[p->i];
            if (u == '\\' && p->s[p->i + 1] != '\0')
                u = (unsigned char)p->s[++p->i];
            else if (u == '"')
                break;
            if (u == 0)
                return px_error_set(p->err, PX_EPARSE, px_caps__col(start),
                                    "caps: unterminated string '\"' (column %d)", px_caps__col(start));
            if (u < 0x20 || u == 0x7f)
                return px_error_set(p->err, PX_EPARSE, px_caps__col(p->i),
                                    "caps: control character 0x%02x in string (column %d)", u,
                                    px_caps__col(p->i));
            if (n + 1 >= sizeof buf)
                return px_error_set(p->err, PX_ENOMEM, px_caps__col(start),
                                    "caps: string longer than %d bytes (column %d)", PX_CAPS_POOL - 1,
                                    px_caps__col(start));
            buf[n++] = (char)u;
            p->i++;
        }
        p->i++; /* closing quote */
        if (type != 0 && type != PX_VALUE_STRING)
            return px_error_set(p->err, PX_EPARSE, px_caps__col(start),
                                "caps: expected %s (%s), found a quoted string (column %d)", ctx,
                                px_caps__type_name(type), px_caps__col(start));
        v->type = PX_VALUE_STRING;
        if (px_caps__intern(p->c, buf, n, &v->str) != PX_OK)
            return px_caps__nomem(p, start, PX_CAPS__POOL_FULL);
        return PX_OK;
    }
    if (c == '[' || c == '{' || c == '<') {
        snprintf(want, sizeof want, "%s (ranges and lists do not nest)", ctx);
        return px_caps__expected(p, start, want);
    }
    size_t n = px_caps__scan(p, px_caps__is_word_char);
    const char *w = p->s + start;
    if (n == 0)
        return px_caps__expected(p, start, ctx);
    int shape = px_caps__shape(w, n);
    if (type == PX_VALUE_STRING || (type == 0 && shape == PX_CAPS__SHAPE_STRING)) {
        v->type = PX_VALUE_STRING;
        if (px_caps__intern(p->c, w, n, &v->str) != PX_OK)
            return px_caps__nomem(p, start, PX_CAPS__POOL_FULL);
        return PX_OK;
    }
    if (type == PX_VALUE_BOOL || (type == 0 && shape == PX_CAPS__SHAPE_BOOL)) {
        v->type = PX_VALUE_BOOL;
        if (px_caps__word_is(w, n, "true") || px_caps__word_is(w, n, "yes") || px_caps__word_is(w, n, "t") ||
            (n == 1 && w[0] == '1'))
            v->a = 1;
        else if (px_caps__word_is(w, n, "false") || px_caps__word_is(w, n, "no") ||
                 px_caps__word_is(w, n, "f") || (n == 1 && w[0] == '0'))
            v->a = 0;
        else
            return px_error_set(p->err, PX_EPARSE, px_caps__col(start),
                                "caps: expected %s (boolean: true, false, yes or no), found '%s' (column %d)",
                                ctx, px_caps__echo(w, n, e, sizeof e), px_caps__col(start));
        return PX_OK;
    }
    if (type == 0 && shape == PX_CAPS__SHAPE_FLOAT) {
        px_error_set(p->err, PX_EPARSE, px_caps__col(start),
                     "caps: floating-point value '%s' is not supported (column %d)",
                     px_caps__echo(w, n, e, sizeof e), px_caps__col(start));
        px_error_hint(p->err, "write a fraction such as 30000/1001, or (string)%s for text",
                      px_caps__echo(w, n, e, sizeof e));
        return PX_EPARSE;
    }
    /* int or fraction, by annotation or shape */
    if (shape != PX_CAPS__SHAPE_INT && shape != PX_CAPS__SHAPE_FRACTION)
        return px_error_set(p->err, PX_EPARSE, px_caps__col(start),
                            "caps: expected %s (%s), found '%s' (column %d)", ctx, px_caps__type_name(type),
                            px_caps__echo(w, n, e, sizeof e), px_caps__col(start));
    if (type == PX_VALUE_INT && shape == PX_CAPS__SHAPE_FRACTION)
        return px_error_set(p->err, PX_EPARSE, px_caps__col(start),
                            "caps: expected %s (int), found the fraction '%s' (column %d)", ctx,
                            px_caps__echo(w, n, e, sizeof e), px_caps__col(start));
    size_t slash = n;
    if (shape == PX_CAPS__SHAPE_FRACTION)
        slash = (size_t)((const char *)memchr(w, '/', n) - w);
    int32_t num, den = 1;
    if (!px_caps__to_int(w, slash, &num) ||
        (slash < n && !px_caps__to_int(w + slash + 1, n - slash - 1, &den)))
        return px_error_set(p->err, PX_EPARSE, px_caps__col(start),
                            "caps: number '%s' is out of range (at most %d in magnitude) (column %d)",
                            px_caps__echo(w, n, e, sizeof e), INT32_MAX, px_caps__col(start));
    if (shape == PX_CAPS__SHAPE_INT && type != PX_VALUE_FRACTION) {
        v->type = PX_VALUE_INT;
        v->a = num;
        return PX_OK;
    }
    if (den <= 0)
        return px_error_set(p->err, PX_EPARSE, px_caps__col(start + slash + 1),
                            "caps: fraction '%s' needs a positive denominator (column %d)",
                            px_caps__echo(w, n, e, sizeof e), px_caps__col(start + slash + 1));
    v->type = PX_VALUE_FRACTION;
    v->a = num, v->b = den;
    px_caps__reduce(&v->a, &v->b);
    return PX_OK;
}

static int px_caps__unterminated(px_caps__parser *p, const char *what, char open, size_t at)
{
    return px_error_set(p->err, PX_EPARSE, px_caps__col(at), "caps: unterminated %s '%c' (column %d)", what,
                        open, px_caps__col(at));
}

static void px_caps__fmt_scalar(const px_value *v, char *buf, size_t size)
{
    if (v->type == PX_VALUE_FRACTION)
        snprintf(buf, size, "%d/%d", (int)v->a, (int)v->b);
    else
        snprintf(buf, size, "%d", (int)v->a);
}

/* [min, max] or [min, max, step] at p->i; step 1 only. */
static int px_caps__range(px_caps__parser *p, int type, px_value *v)
{
    size_t open = p->i;
    px_value b[3];
    size_t at[3];
    int n = 0, rc;
    p->i++;
    for (;;) {
        px_caps__skip_ws(p);
        if (p->s[p->i] == '\0')
            return px_caps__unterminated(p, "range", '[', open);
        at[n] = p->i;
        rc = px_caps__scalar(p, type, n == 2 ? "a range step" : "a range bound (int or fraction)", &b[n]);
        if (rc != PX_OK)
            return rc;
        if (b[n].type != PX_VALUE_INT && b[n].type != PX_VALUE_FRACTION)
            return px_error_set(p->err, PX_EPARSE, px_caps__col(at[n]),
                                "caps: range bounds must be ints or fractions, found a %s (column %d)",
                                px_caps__type_name(b[n].type), px_caps__col(at[n]));
        if (n > 0 && b[n].type != b[0].type)
            return px_error_set(
                p->err, PX_EPARSE, px_caps__col(at[n]), "caps: range mixes %s and %s bounds (column %d)",
                px_caps__type_name(b[0].type), px_caps__type_name(b[n].type), px_caps__col(at[n]));
        n++;
        px_caps__skip_ws(p);
        char c = p->s[p->i];
        if (c == '\0')
            return px_caps__unterminated(p, "range", '[', open);
        if (c == ']' && n >= 2)
            break;
        if (c == ',' && n < 3) {
            p->i++;
            continue;
        }
        return px_caps__expected(p, p->i, n < 2 ? "',' between the range bounds" : "']' to close the range");
    }
    p->i++; /* ] */
    if (n == 3 && !(b[2].type == PX_VALUE_INT && b[2].a == 1)) {
        px_error_set(p->err, PX_EPARSE, px_caps__col(at[2]),
                     "caps: range steps are not supported (column %d)", px_caps__col(at[2]));
        px_error_hint(p->err, "write the range without a step, such as [16, 4096]");
        return PX_EPARSE;
    }
    int cmp = b[0].type == PX_VALUE_INT ? (b[0].a > b[1].a) - (b[0].a < b[1].a)
                                        : px_caps__frac_cmp(b[0].a, b[0].b, b[1].a, b[1].b);
    if (cmp > 0) {
        char lo[32], hi[32];
        px_caps__fmt_scalar(&b[0], lo, sizeof lo);
        px_caps__fmt_scalar(&b[1], hi, sizeof hi);
        return px_error_set(p->err, PX_EPARSE, px_caps__col(open),
                            "caps: range [%s, %s] is empty (column %d)", lo, hi, px_caps__col(open));
    }
    *v = b[0];
    if (cmp < 0) { /* [a, a] is just a */
        if (b[0].type == PX_VALUE_INT) {
            v->type = PX_VALUE_INT_RANGE;
            v->b = b[1].a;
        } else {
            v->type = PX_VALUE_FRACTION_RANGE;
            v->c = b[1].a, v->d = b[1].b;
        }
    }
    return PX_OK;
}

/* {a, b, ...} at p->i: appends the entries to the current field. */
static int px_caps__list(px_caps__parser *p, int type)
{
    size_t open = p->i;
    px_caps_field *f = &p->c->fields[p->c->n_fields - 1];
    int first_type = 0;
    p->i++;
    for (;;) {
        px_caps__skip_ws(p);
        if (p->s[p->i] == '\0')
            return px_caps__unterminated(p, "list", '{', open);
        if (p->s[p->i] == '}' && f->n == 0)
            return px_error_set(p->err, PX_EPARSE, px_caps__col(open), "caps: empty list '{}' (column %d)",
                                px_caps__col(open));
        size_t at = p->i;
        px_value v;
        int rc = px_caps__scalar(p, type, "a list entry", &v);
        if (rc != PX_OK)
            return rc;
        if (first_type == 0)
            first_type = v.type;
        else if (v.type != first_type) {
            px_error_set(p->err, PX_EPARSE, px_caps__col(at),
                         "caps: list mixes %s and %s entries (column %d)", px_caps__type_name(first_type),
                         px_caps__type_name(v.type), px_caps__col(at));
            px_error_hint(p->err, "every entry of a list has one type; quote strings that look like numbers");
            return PX_EPARSE;
        }
        bool dup = false;
        for (unsigned k = 0; k < f->n && !dup; k++)
            dup = px_caps__val_eq(p->c, &p->c->values[f->first + k], p->c, &v);
        if (!dup && px_caps__push(p->c, p->c, &v) != PX_OK)
            return px_caps__nomem(p, at, PX_CAPS__VALUES_FULL);
        px_caps__skip_ws(p);
        char c = p->s[p->i];
        if (c == '\0')
            return px_caps__unterminated(p, "list", '{', open);
        if (c == '}')
            break;
        if (c != ',')
            return px_caps__expected(p, p->i, "',' or '}' in the list");
        p->i++;
    }
    p->i++;             /* } */
    f->list = f->n > 1; /* {x} is just x */
    return PX_OK;
}

/* "(type)" at p->i: sets *type. */
static int px_caps__annotation(px_caps__parser *p, int *type)
{
    static const struct {
        const char *name;
        int type;
    } names[] = {
        {"int", PX_VALUE_INT},
        {"i", PX_VALUE_INT},
        {"gint", PX_VALUE_INT},
        {"fraction", PX_VALUE_FRACTION},
        {"GstFraction", PX_VALUE_FRACTION},
        {"string", PX_VALUE_STRING},
        {"str", PX_VALUE_STRING},
        {"s", PX_VALUE_STRING},
        {"gchararray", PX_VALUE_STRING},
        {"boolean", PX_VALUE_BOOL},
        {"bool", PX_VALUE_BOOL},
        {"b", PX_VALUE_BOOL},
        {"gboolean", PX_VALUE_BOOL},
    };
    size_t open = p->i;
    p->i++;
    px_caps__skip_ws(p);
    size_t at = p->i;
    size_t n = px_caps__scan(p, px_caps__is_name_char);
    px_caps__skip_ws(p);
    if (p->s[p->i] == '\0')
        return px_caps__unterminated(p, "type", '(', open);
    if (p->s[p->i] != ')')
        return px_caps__expected(p, p->i, "')' after the type name");
    p->i++;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strlen(names[k].name) == n && memcmp(names[k].name, p->s + at, n) == 0) {
            *type = names[k].type;
            return PX_OK;
        }
    char e[PX_CAPS__ECHO + 8];
    px_error_set(p->err, PX_EPARSE, px_caps__col(at), "caps: unknown type '%s' (column %d)",
                 px_caps__echo(p->s + at, n, e, sizeof e), px_caps__col(at));
    px_error_hint(p->err, "accepted types: int, fraction, string, boolean");
    return PX_EPARSE;
}

/* "(memory:DMABuf, meta:X)" at p->i into buf, sorted so that order does not
 * matter; "memory:SystemMemory" alone is CPU memory, the same as none. */
static int px_caps__features(px_caps__parser *p, char *buf, size_t size)
{
    size_t open = p->i, at[PX_CAPS__MAX_FEATURES], len[PX_CAPS__MAX_FEATURES];
    int n = 0;
    p->i++;
    for (;;) {
        px_caps__skip_ws(p);
        if (p->s[p->i] == '\0')
            return px_caps__unterminated(p, "features", '(', open);
        size_t a = p->i, l = px_caps__scan(p, px_caps__is_name_char);
        if (l == 0)
            return px_caps__expected(p, a, "a caps feature such as memory:DMABuf");
        bool dup = false;
        for (int k = 0; k < n && !dup; k++)
            dup = len[k] == l && memcmp(p->s + at[k], p->s + a, l) == 0;
        if (!dup) {
            if (n == PX_CAPS__MAX_FEATURES)
                return px_error_set(p->err, PX_ENOMEM, px_caps__col(a),
                                    "caps: too many features (at most %d) (column %d)", PX_CAPS__MAX_FEATURES,
                                    px_caps__col(a));
            /* insertion sort by text */
            int k = n++;
            while (k > 0) {
                size_t m = len[k - 1] < l ? len[k - 1] : l;
                int c = memcmp(p->s + at[k - 1], p->s + a, m);
                if (c < 0 || (c == 0 && len[k - 1] < l))
                    break;
                at[k] = at[k - 1], len[k] = len[k - 1];
                k--;
            }
            at[k] = a, len[k] = l;
        }
        px_caps__skip_ws(p);
        char c = p->s[p->i];
        if (c == '\0')
            return px_caps__unterminated(p, "features", '(', open);
        if (c == ')')
            break;
        if (c != ',')
            return px_caps__expected(p, p->i, "',' or ')' after the caps feature");
        p->i++;
    }
    p->i++;
    size_t w = 0;
    buf[0] = '\0';
    if (n == 1 && len[0] == 19 && memcmp(p->s + at[0], "memory:SystemMemory", 19) == 0)
        return PX_OK;
    for (int k = 0; k < n; k++) {
        if (w + len[k] + 3 > size)
            return px_error_set(p->err, PX_ENOMEM, px_caps__col(open),
                                "caps: features longer than %zu bytes (column %d)", size - 1,
                                px_caps__col(open));
        if (k)
            memcpy(buf + w, ", ", 2), w += 2;
        memcpy(buf + w, p->s + at[k], len[k]);
        w += len[k];
        buf[w] = '\0';
    }
    return PX_OK;
}

static int px_caps__structure(px_caps__parser *p)
{
    char e[PX_CAPS__ECHO + 8];
    size_t start = p->i;
    if (!px_caps__is_alpha(p->s[start]))
        return px_caps__expected(p, start, "a media type such as video/x-raw");
    size_t n = px_caps__scan(p, px_caps__is_word_char);
    const char *name = p->s + start;
    const char *slash = memchr(name, '/', n);
    px_caps__skip_ws(p);
    if (p->s[p->i] == '=' && !slash)
        return px_error_set(p->err, PX_EPARSE, px_caps__col(start),
                            "caps: missing media type before field '%s' (column %d)",
                            px_caps__echo(name, n, e, sizeof e), px_caps__col(start));
    if (!slash || slash == name + n - 1) {
        px_error_set(p->err, PX_EPARSE, px_caps__col(start),
                     "caps: media type '%s' is not type/subtype (column %d)",
                     px_caps__echo(name, n, e, sizeof e), px_caps__col(start));
        px_error_hint(p->err, "write a media type such as video/x-raw or audio/x-raw first");
        return PX_EPARSE;
    }
    char media[PX_CAPS_POOL], features[256] = "";
    if (n >= sizeof media)
        return px_error_set(p->err, PX_ENOMEM, px_caps__col(start),
                            "caps: media type longer than %d bytes (column %d)", PX_CAPS_POOL - 1,
                            px_caps__col(start));
    memcpy(media, name, n);
    media[n] = '\0';
    if (p->s[p->i] == '(') {
        int rc = px_caps__features(p, features, sizeof features);
        if (rc != PX_OK)
            return rc;
    }
    if (px_caps__add_struct(p->c, media, features) != PX_OK)
        return px_caps__nomem(p, start, PX_CAPS__STRUCTS_FULL);
    px_caps_struct *st = &p->c->structs[p->c->n_structs - 1];
    const char *after = NULL; /* for messages: the last field */
    size_t after_len = 0;
    for (;;) {
        px_caps__skip_ws(p);
        char c = p->s[p->i];
        if (c == '\0' || c == ';')
            return PX_OK;
        if (c != ',') {
            char want[96];
            if (after)
                snprintf(want, sizeof want, "',' or ';' after the value of '%s'",
                         px_caps__echo(after, after_len, e, sizeof e));
            else
                snprintf(want, sizeof want, "',' or ';' after the media type");
            return px_caps__expected(p, p->i, want);
        }
        p->i++;
        px_caps__skip_ws(p);
        size_t fstart = p->i;
        if (!px_caps__is_alpha(p->s[fstart]))
            return px_caps__expected(p, fstart, "a field name after ','");
        size_t fn = px_caps__scan(p, px_caps__is_name_char);
        const char *fname = p->s + fstart;
        px_caps__skip_ws(p);
        if (p->s[p->i] != '=') {
            char want[96];
            snprintf(want, sizeof want, "'=' after field name '%s'", px_caps__echo(fname, fn, e, sizeof e));
            return px_caps__expected(p, p->i, want);
        }
        p->i++;
        px_caps__skip_ws(p);
        for (unsigned k = 0; k < st->n_fields; k++) {
            const char *other = px_caps__str(p->c, p->c->fields[st->first_field + k].name);
            if (strlen(other) == fn && memcmp(other, fname, fn) == 0)
                return px_error_set(p->err, PX_EPARSE, px_caps__col(fstart),
                                    "caps: field '%s' is given twice (column %d)",
                                    px_caps__echo(fname, fn, e, sizeof e), px_caps__col(fstart));
        }
        if (px_caps__add_field(p->c, fname, fn) != PX_OK)
            return px_caps__nomem(p, fstart, PX_CAPS__FIELDS_FULL);
        int type = 0, rc;
        if (p->s[p->i] == '(') {
            if ((rc = px_caps__annotation(p, &type)) != PX_OK)
                return rc;
            px_caps__skip_ws(p);
        }
        char c2 = p->s[p->i];
        char ctx[96];
        snprintf(ctx, sizeof ctx, "a value for field '%s'", px_caps__echo(fname, fn, e, sizeof e));
        if (c2 == '{') {
            rc = px_caps__list(p, type);
        } else if (c2 == '<') {
            rc = px_error_set(p->err, PX_EPARSE, px_caps__col(p->i),
                              "caps: arrays '<...>' are not supported (column %d)", px_caps__col(p->i));
        } else {
            px_value v;
            size_t at = p->i;
            rc = c2 == '[' ? px_caps__range(p, type, &v) : px_caps__scalar(p, type, ctx, &v);
            if (rc == PX_OK && px_caps__push(p->c, p->c, &v) != PX_OK)
                rc = px_caps__nomem(p, at, PX_CAPS__VALUES_FULL);
        }
        if (rc != PX_OK)
            return rc;
        after = fname, after_len = fn;
    }
}

PX_API int px_caps_parse(px_caps *out, const char *text, px_error *err)
{
    if (!out)
        return px_error_set(err, PX_EINVAL, 0, "caps: no output caps given");
    px_caps tmp;
    px_caps__init(&tmp);
    if (!text) {
        *out = tmp;
        return px_error_set(err, PX_EINVAL, 0, "caps: no text given");
    }
    px_caps__parser p = {text, 0, &tmp, err};
    px_caps__skip_ws(&p);
    if (text[p.i] == '\0') { /* "" is EMPTY, as in GStreamer */
        *out = tmp;
        return PX_OK;
    }
    /* ANY / EMPTY / NONE stand alone */
    size_t kw = p.i, n = 0;
    while (px_caps__is_word_char(text[kw + n]))
        n++;
    bool any = n == 3 && memcmp(text + kw, "ANY", 3) == 0;
    bool none =
        (n == 5 && memcmp(text + kw, "EMPTY", 5) == 0) || (n == 4 && memcmp(text + kw, "NONE", 4) == 0);
    int rc = PX_OK;
    if (any || none) {
        p.i = kw + n;
        px_caps__skip_ws(&p);
        if (text[p.i] == ';') { /* a trailing ';' is fine, as after structures */
            p.i++;
            px_caps__skip_ws(&p);
        }
        if (text[p.i] != '\0') {
            char want[64];
            snprintf(want, sizeof want, "nothing after %.*s", (int)n, text + kw);
            rc = px_caps__expected(&p, p.i, want);
        }
        tmp.any = any;
    } else {
        for (;;) {
            if ((rc = px_caps__structure(&p)) != PX_OK)
                break;
            if (text[p.i] == '\0')
                break;
            /* text[p.i] == ';' */
            p.i++;
            px_caps__skip_ws(&p);
            if (text[p.i] == '\0')
                break; /* a trailing ';' is fine */
        }
    }
    if (rc != PX_OK) {
        px_caps__init(&tmp);
        *out = tmp;
        return rc;
    }
    *out = tmp;
    return PX_OK;
}

/* ---- Printing ------------------------------------------------------------------ */

typedef struct px_caps__writer {
    char *buf;
    size_t size, len;
    bool full;
} px_caps__writer;

static void px_caps__put(px_caps__writer *w, const char *s, size_t n)
{
    if (w->full)
        return;
    size_t room = w->size - 1 - w->len;
    if (n > room) {
        n = room;
        w->full = true;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

static void px_caps__puts(px_caps__writer *w, const char *s)
{
    px_caps__put(w, s, strlen(s));
}

static void px_caps__putf(px_caps__writer *w, const char *fmt, int a, int b)
{
    char t[32];
    int n = snprintf(t, sizeof t, fmt, a, b);
    px_caps__put(w, t, (size_t)n);
}

/* Bare when it reads back as the same string without quotes. */
static bool px_caps__needs_quotes(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || !px_caps__is_alpha(s[0]) || px_caps__shape(s, n) != PX_CAPS__SHAPE_STRING)
        return true;
    for (size_t i = 0; i < n; i++)
        if (!px_caps__is_word_char(s[i]))
            return true;
    return (n == 3 && !memcmp(s, "ANY", 3)) || (n == 5 && !memcmp(s, "EMPTY", 5)) ||
           (n == 4 && !memcmp(s, "NONE", 4));
}

static void px_caps__put_value(px_caps__writer *w, const px_caps *c, const px_value *v)
{
    switch (v->type) {
    case PX_VALUE_INT:
        px_caps__putf(w, "%d", v->a, 0);
        break;
    case PX_VALUE_INT_RANGE:
        px_caps__putf(w, "[ %d, %d ]", v->a, v->b);
        break;
    case PX_VALUE_FRACTION:
        px_caps__putf(w, "%d/%d", v->a, v->b);
        break;
    case PX_VALUE_FRACTION_RANGE:
        px_caps__putf(w, "[ %d/%d, ", v->a, v->b);
        px_caps__putf(w, "%d/%d ]", v->c, v->d);
        break;
    case PX_VALUE_BOOL:
        px_caps__puts(w, v->a ? "true" : "false");
        break;
    case PX_VALUE_STRING: {
        const char *s = px_caps__str(c, v->str);
        if (!px_caps__needs_quotes(s)) {
            px_caps__puts(w, s);
            break;
        }
        px_caps__put(w, "\"", 1);
        for (; *s; s++) {
            if (*s == '"' || *s == '\\')
                px_caps__put(w, "\\", 1);
            px_caps__put(w, s, 1);
        }
        px_caps__put(w, "\"", 1);
        break;
    }
    default:
        px_caps__puts(w, "?");
        break;
    }
}

static int px_caps__print(const px_caps *caps, char *buf, size_t size, bool typed)
{
    if (!buf || size == 0)
        return PX_ENOMEM;
    px_caps__writer w = {buf, size, 0, false};
    buf[0] = '\0';
    if (!caps || caps->any || caps->n_structs == 0) {
        px_caps__puts(&w, caps && caps->any ? "ANY" : "EMPTY");
        return w.full ? PX_ENOMEM : PX_OK;
    }
    for (unsigned s = 0; s < caps->n_structs; s++) {
        const px_caps_struct *st = &caps->structs[s];
        if (s)
            px_caps__puts(&w, "; ");
        px_caps__puts(&w, px_caps__str(caps, st->media_type));
        if (st->features) {
            px_caps__puts(&w, "(");
            px_caps__puts(&w, px_caps__str(caps, st->features));
            px_caps__puts(&w, ")");
        }
        for (unsigned f = 0; f < st->n_fields; f++) {
            const px_caps_field *fl = &caps->fields[st->first_field + f];
            px_caps__puts(&w, ", ");
            px_caps__puts(&w, px_caps__str(caps, fl->name));
            px_caps__puts(&w, "=");
            if (fl->n == 0)
                continue;
            if (typed) {
                px_caps__puts(&w, "(");
                px_caps__puts(&w, px_caps__type_name(caps->values[fl->first].type));
                px_caps__puts(&w, ")");
            }
            if (fl->n > 1)
                px_caps__puts(&w, "{ ");
            for (unsigned k = 0; k < fl->n; k++) {
                if (k)
                    px_caps__puts(&w, ", ");
                px_caps__put_value(&w, caps, &caps->values[fl->first + k]);
            }
            if (fl->n > 1)
                px_caps__puts(&w, " }");
        }
    }
    return w.full ? PX_ENOMEM : PX_OK;
}

PX_API int px_caps_to_string(const px_caps *caps, char *buf, size_t size)
{
    return px_caps__print(caps, buf, size, true);
}

PX_API int px_caps_to_short_string(const px_caps *caps, char *buf, size_t size)
{
    return px_caps__print(caps, buf, size, false);
}

/* ---- Predicates ---------------------------------------------------------------- */

PX_API void px_caps_set_any(px_caps *caps)
{
    px_caps__init(caps);
    caps->any = 1;
}

PX_API void px_caps_set_empty(px_caps *caps)
{
    px_caps__init(caps);
}

PX_API bool px_caps_is_any(const px_caps *caps)
{
    return caps->any != 0;
}

PX_API bool px_caps_is_empty(const px_caps *caps)
{
    return !caps->any && caps->n_structs == 0;
}

PX_API bool px_caps_is_fixed(const px_caps *caps)
{
    if (caps->any || caps->n_structs != 1)
        return false;
    const px_caps_struct *st = &caps->structs[0];
    for (unsigned f = 0; f < st->n_fields; f++) {
        const px_caps_field *fl = &caps->fields[st->first_field + f];
        if (fl->n != 1)
            return false;
        int t = caps->values[fl->first].type;
        if (t == PX_VALUE_INT_RANGE || t == PX_VALUE_FRACTION_RANGE)
            return false;
    }
    return true;
}

PX_API bool px_caps_is_equal(const px_caps *a, const px_caps *b)
{
    if (a->any || b->any)
        return a->any && b->any;
    if (a->n_structs != b->n_structs)
        return false;
    for (unsigned s = 0; s < a->n_structs; s++) {
        const px_caps_struct *sa = &a->structs[s], *sb = &b->structs[s];
        if (!px_caps__same_kind(a, sa, b, sb) || sa->n_fields != sb->n_fields)
            return false;
        for (unsigned f = 0; f < sa->n_fields; f++) {
            const px_caps_field *fa = &a->fields[sa->first_field + f];
            const px_caps_field *fb = px_caps__find(b, sb, px_caps__str(a, fa->name));
            if (!fb || fa->n != fb->n)
                return false;
            for (unsigned k = 0; k < fa->n; k++)
                if (!px_caps__val_eq(a, &a->values[fa->first + k], b, &b->values[fb->first + k]))
                    return false;
        }
    }
    return true;
}

/* ---- Intersection, subset, fixation ------------------------------------------ */

PX_API int px_caps_intersect(px_caps *out, const px_caps *a, const px_caps *b)
{
    if (a->any) {
        *out = *b;
        return PX_OK;
    }
    if (b->any) {
        *out = *a;
        return PX_OK;
    }
    px_caps t;
    px_caps__init(&t);
    for (unsigned i = 0; i < a->n_structs; i++)
        for (unsigned j = 0; j < b->n_structs; j++) {
            const px_caps_struct *sa = &a->structs[i], *sb = &b->structs[j];
            if (!px_caps__struct_meets(a, sa, b, sb))
                continue;
            px_caps__mark m = px_caps__save(&t);
            bool empty = false;
            int rc = px_caps__add_struct_from(&t, a, sa);
            for (unsigned f = 0; rc == PX_OK && !empty && f < sa->n_fields; f++) {
                const px_caps_field *fa = &a->fields[sa->first_field + f];
                const px_caps_field *fb = px_caps__find(b, sb, px_caps__str(a, fa->name));
                rc = fb ? px_caps__field_inter(&t, a, fa, b, fb, &empty) : px_caps__copy_field(&t, a, fa);
            }
            for (unsigned f = 0; rc == PX_OK && !empty && f < sb->n_fields; f++) {
                const px_caps_field *fb = &b->fields[sb->first_field + f];
                if (!px_caps__find(a, sa, px_caps__str(b, fb->name)))
                    rc = px_caps__copy_field(&t, b, fb);
            }
            if (rc != PX_OK) {
                px_caps_set_empty(out);
                return rc;
            }
            /* Drop it when empty or already covered by an earlier result. */
            bool drop = empty;
            const px_caps_struct *ns = &t.structs[t.n_structs - 1];
            for (unsigned k = 0; k + 1 < t.n_structs && !drop; k++)
                drop = px_caps__struct_subset(&t, ns, &t, &t.structs[k]);
            if (drop)
                px_caps__restore(&t, m);
        }
    *out = t;
    return PX_OK;
}

PX_API bool px_caps_can_intersect(const px_caps *a, const px_caps *b)
{
    if (a->any || b->any)
        return !px_caps_is_empty(a) && !px_caps_is_empty(b);
    for (unsigned i = 0; i < a->n_structs; i++)
        for (unsigned j = 0; j < b->n_structs; j++)
            if (px_caps__struct_meets(a, &a->structs[i], b, &b->structs[j]))
                return true;
    return false;
}

PX_API bool px_caps_is_subset(const px_caps *sub, const px_caps *super)
{
    if (super->any)
        return true;
    if (sub->any)
        return false;
    for (unsigned i = 0; i < sub->n_structs; i++) {
        bool found = false;
        for (unsigned j = 0; j < super->n_structs && !found; j++)
            found = px_caps__struct_subset(sub, &sub->structs[i], super, &super->structs[j]);
        if (!found)
            return false;
    }
    return true;
}

/* One value of v with no preference: ints the minimum, fractions the one
 * nearest to 1/1, everything else itself. */
static px_value px_caps__fix1(const px_value *v)
{
    px_value r = *v;
    if (v->type == PX_VALUE_INT_RANGE) {
        r.type = PX_VALUE_INT;
        r.b = 0;
    } else if (v->type == PX_VALUE_FRACTION_RANGE) {
        r.type = PX_VALUE_FRACTION;
        r.c = r.d = 0;
        if (px_caps__frac_cmp(1, 1, v->a, v->b) < 0)
            r.a = v->a, r.b = v->b;
        else if (px_caps__frac_cmp(1, 1, v->c, v->d) > 0)
            r.a = v->c, r.b = v->d;
        else
            r.a = 1, r.b = 1;
    }
    return r;
}

/* A single value for field f, nearest to pf (in caps pc) when given. The
 * result's string, if any, is in c's pool. */
static px_value px_caps__fix_field(const px_caps *c, const px_caps_field *f, const px_caps *pc,
                                   const px_caps_field *pf)
{
    const px_value *first = &c->values[f->first];
    if (!pf)
        return px_caps__fix1(first);
    /* Something both allow: the first such in f's order, fixed. */
    for (unsigned i = 0; i < f->n; i++)
        for (unsigned j = 0; j < pf->n; j++) {
            px_value r;
            if (px_caps__val_inter(c, &c->values[f->first + i], pc, &pc->values[pf->first + j], &r))
                return px_caps__fix1(&r);
        }
    /* Nothing in common: clamp the preferred value into a range. */
    px_value want = px_caps__fix1(&pc->values[pf->first]);
    if (f->n == 1 && first->type == PX_VALUE_INT_RANGE && want.type == PX_VALUE_INT) {
        px_value r = *first;
        r.type = PX_VALUE_INT;
        r.a = want.a < first->a ? first->a : want.a > first->b ? first->b : want.a;
        r.b = 0;
        return r;
    }
    if (f->n == 1 && first->type == PX_VALUE_FRACTION_RANGE && want.type == PX_VALUE_FRACTION) {
        px_value r = want;
        if (px_caps__frac_cmp(want.a, want.b, first->a, first->b) < 0)
            r.a = first->a, r.b = first->b;
        else if (px_caps__frac_cmp(want.a, want.b, first->c, first->d) > 0)
            r.a = first->c, r.b = first->d;
        return r;
    }
    return px_caps__fix1(first);
}

PX_API int px_caps_fixate(px_caps *caps, const px_caps *preferred)
{
    if (caps->any || caps->n_structs == 0)
        return PX_EINVAL;
    const px_caps_struct *st = &caps->structs[0];
    const px_caps_struct *ps = NULL;
    if (preferred && !preferred->any)
        for (unsigned j = 0; j < preferred->n_structs && !ps; j++)
            if (strcmp(px_caps__str(caps, st->media_type),
                       px_caps__str(preferred, preferred->structs[j].media_type)) == 0)
                ps = &preferred->structs[j];
    px_caps t;
    px_caps__init(&t);
    int rc = px_caps__add_struct_from(&t, caps, st);
    for (unsigned f = 0; rc == PX_OK && f < st->n_fields; f++) {
        const px_caps_field *fl = &caps->fields[st->first_field + f];
        const char *name = px_caps__str(caps, fl->name);
        if (fl->n == 0)
            continue;
        px_value v = px_caps__fix_field(caps, fl, preferred, ps ? px_caps__find(preferred, ps, name) : NULL);
        rc = px_caps__add_field(&t, name, strlen(name));
        if (rc == PX_OK)
            rc = px_caps__push(&t, caps, &v);
    }
    if (rc != PX_OK)
        return rc;
    *caps = t;
    return PX_OK;
}

/* ---- Access -------------------------------------------------------------------- */

PX_API size_t px_caps_count(const px_caps *caps)
{
    return caps->any ? 0 : caps->n_structs;
}

PX_API const char *px_caps_media_type(const px_caps *caps, size_t index)
{
    if (caps->any || index >= caps->n_structs)
        return NULL;
    return px_caps__str(caps, caps->structs[index].media_type);
}

PX_API const char *px_caps_features(const px_caps *caps, size_t index)
{
    if (caps->any || index >= caps->n_structs)
        return NULL;
    return px_caps__str(caps, caps->structs[index].features);
}

/* The single value of field in structure 0, or NULL (*rc says why). */
static const px_value *px_caps__get(const px_caps *caps, const char *field, int type, int *rc)
{
    const px_caps_field *f = NULL;
    if (field && !caps->any && caps->n_structs > 0)
        f = px_caps__find(caps, &caps->structs[0], field);
    if (!f) {
        *rc = PX_ENOENT;
        return NULL;
    }
    if (f->n != 1 || caps->values[f->first].type != type) {
        *rc = PX_EINVAL;
        return NULL;
    }
    *rc = PX_OK;
    return &caps->values[f->first];
}

PX_API int px_caps_get_int(const px_caps *caps, const char *field, int *value)
{
    int rc;
    const px_value *v = px_caps__get(caps, field, PX_VALUE_INT, &rc);
    if (v && value)
        *value = v->a;
    return rc;
}

PX_API int px_caps_get_fraction(const px_caps *caps, const char *field, px_fraction *value)
{
    int rc;
    const px_value *v = px_caps__get(caps, field, PX_VALUE_FRACTION, &rc);
    if (v && value)
        value->num = v->a, value->den = v->b;
    return rc;
}

PX_API const char *px_caps_get_string(const px_caps *caps, const char *field)
{
    int rc;
    const px_value *v = px_caps__get(caps, field, PX_VALUE_STRING, &rc);
    return v ? px_caps__str(caps, v->str) : NULL;
}

PX_API int px_caps_get_bool(const px_caps *caps, const char *field, bool *value)
{
    int rc;
    const px_value *v = px_caps__get(caps, field, PX_VALUE_BOOL, &rc);
    if (v && value)
        *value = v->a != 0;
    return rc;
}

static bool px_caps__valid_name(const char *name)
{
    if (!name || !px_caps__is_alpha(name[0]))
        return false;
    for (const char *s = name; *s; s++)
        if (!px_caps__is_name_char(*s))
            return false;
    return true;
}

/* Rebuilds caps with field set to values[0..n) (strings in vpool) in every
 * structure, in place of the old field or after the others; removed when
 * n == 0. caps is unchanged on failure. */
static int px_caps__replace(px_caps *caps, const char *field, const px_value *values, size_t n,
                            const char *vpool)
{
    if (!px_caps__valid_name(field) || caps->any)
        return PX_EINVAL;
    px_caps t;
    px_caps__init(&t);
    int rc = PX_OK;
    for (unsigned s = 0; rc == PX_OK && s < caps->n_structs; s++) {
        const px_caps_struct *st = &caps->structs[s];
        const px_caps_field *old = px_caps__find(caps, st, field);
        rc = px_caps__add_struct_from(&t, caps, st);
        for (unsigned f = 0; rc == PX_OK && f <= st->n_fields; f++) {
            const px_caps_field *fl = f < st->n_fields ? &caps->fields[st->first_field + f] : NULL;
            if (fl && fl != old) {
                rc = px_caps__copy_field(&t, caps, fl);
                continue;
            }
            if (n == 0 || (!fl && old)) /* removing, or already set in old's place */
                continue;
            rc = px_caps__add_field(&t, field, strlen(field));
            for (size_t k = 0; rc == PX_OK && k < n; k++) {
                px_value v = values[k];
                if (v.type == PX_VALUE_STRING) {
                    const char *str = vpool + v.str;
                    if ((rc = px_caps__intern(&t, str, strlen(str), &v.str)) != PX_OK)
                        break;
                }
                rc = px_caps__push(&t, &t, &v);
            }
        }
    }
    if (rc != PX_OK)
        return rc;
    *caps = t;
    return PX_OK;
}

PX_API int px_caps_set_int(px_caps *caps, const char *field, int value)
{
    px_value v = {.type = PX_VALUE_INT, .a = value};
    return px_caps__replace(caps, field, &v, 1, "");
}

PX_API int px_caps_set_int_range(px_caps *caps, const char *field, int min, int max)
{
    if (min > max)
        return PX_EINVAL;
    px_value v = {
        .type = min == max ? PX_VALUE_INT : PX_VALUE_INT_RANGE, .a = min, .b = min == max ? 0 : max};
    return px_caps__replace(caps, field, &v, 1, "");
}

PX_API int px_caps_set_fraction(px_caps *caps, const char *field, px_fraction value)
{
    if (value.den <= 0)
        return PX_EINVAL;
    px_value v = {.type = PX_VALUE_FRACTION, .a = value.num, .b = value.den};
    px_caps__reduce(&v.a, &v.b);
    return px_caps__replace(caps, field, &v, 1, "");
}

PX_API int px_caps_set_fraction_range(px_caps *caps, const char *field, px_fraction min, px_fraction max)
{
    if (min.den <= 0 || max.den <= 0)
        return PX_EINVAL;
    int c = px_caps__frac_cmp(min.num, min.den, max.num, max.den);
    if (c > 0)
        return PX_EINVAL;
    if (c == 0)
        return px_caps_set_fraction(caps, field, min);
    px_value v = {.type = PX_VALUE_FRACTION_RANGE, .a = min.num, .b = min.den, .c = max.num, .d = max.den};
    px_caps__reduce(&v.a, &v.b);
    px_caps__reduce(&v.c, &v.d);
    return px_caps__replace(caps, field, &v, 1, "");
}

PX_API int px_caps_set_bool(px_caps *caps, const char *field, bool value)
{
    px_value v = {.type = PX_VALUE_BOOL, .a = value ? 1 : 0};
    return px_caps__replace(caps, field, &v, 1, "");
}

static bool px_caps__valid_string(const char *s)
{
    if (!s || strlen(s) >= PX_CAPS_POOL)
        return false;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    return true;
}

PX_API int px_caps_set_string_list(px_caps *caps, const char *field, const char *const *values, size_t n)
{
    if (!values || n == 0 || n > PX_CAPS_MAX_VALUES)
        return PX_EINVAL;
    /* The strings go through a scratch pool so that px_caps__replace sees offsets. */
    px_caps pool;
    px_caps__init(&pool);
    px_value v[PX_CAPS_MAX_VALUES];
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        if (!px_caps__valid_string(values[k]))
            return PX_EINVAL;
        px_value nv = {.type = PX_VALUE_STRING};
        if (px_caps__intern(&pool, values[k], strlen(values[k]), &nv.str) != PX_OK)
            return PX_ENOMEM;
        bool dup = false;
        for (size_t j = 0; j < m && !dup; j++)
            dup = v[j].str == nv.str;
        if (!dup)
            v[m++] = nv;
    }
    return px_caps__replace(caps, field, v, m, pool.pool);
}

PX_API int px_caps_set_string(px_caps *caps, const char *field, const char *value)
{
    return px_caps_set_string_list(caps, field, &value, 1);
}

PX_API void px_caps_remove_field(px_caps *caps, const char *field)
{
    if (px_caps__valid_name(field))
        px_caps__replace(caps, field, NULL, 0, "");
}

PX_API int px_caps_append(px_caps *caps, const px_caps *other)
{
    if (caps->any || other->any) {
        px_caps_set_any(caps);
        return PX_OK;
    }
    px_caps t = *caps;
    for (unsigned s = 0; s < other->n_structs; s++) {
        const px_caps_struct *os = &other->structs[s];
        bool covered = false;
        for (unsigned k = 0; k < t.n_structs && !covered; k++)
            covered = px_caps__struct_subset(other, os, &t, &t.structs[k]);
        if (covered)
            continue;
        int rc = px_caps__copy_struct(&t, other, os);
        if (rc != PX_OK)
            return rc;
    }
    *caps = t;
    return PX_OK;
}

/* ---- Validation of caps from elsewhere (IPC) --------------------------------- */

static bool px_caps__valid_off(const px_caps *c, uint16_t off)
{
    /* A string starts at the pool start or right after a NUL, and ends in the pool. */
    if (off >= c->pool_len || (off > 0 && c->pool[off - 1] != '\0'))
        return false;
    return memchr(c->pool + off, '\0', c->pool_len - off) != NULL;
}

PX_API int px_caps_validate(const px_caps *caps, px_error *err)
{
    const px_caps *c = caps;
    if (c->n_structs > PX_CAPS_MAX_STRUCTS || c->n_fields > PX_CAPS_MAX_FIELDS ||
        c->n_values > PX_CAPS_MAX_VALUES || c->pool_len > PX_CAPS_POOL ||
        (c->pool_len > 0 && c->pool[0] != '\0'))
        return px_error_set(err, PX_EINVAL, 0, "caps: counts out of bounds");
    if (c->pool_len > 0 && c->pool[c->pool_len - 1] != '\0')
        return px_error_set(err, PX_EINVAL, 0, "caps: string pool not terminated");
    for (unsigned s = 0; s < c->n_structs; s++) {
        const px_caps_struct *st = &c->structs[s];
        if ((unsigned)st->first_field + st->n_fields > c->n_fields)
            return px_error_set(err, PX_EINVAL, 0, "caps: structure %u has fields out of bounds", s);
        if (c->pool_len == 0 || !px_caps__valid_off(c, st->media_type) ||
            !px_caps__valid_off(c, st->features))
            return px_error_set(err, PX_EINVAL, 0, "caps: structure %u has names out of bounds", s);
    }
    for (unsigned f = 0; f < c->n_fields; f++) {
        const px_caps_field *fl = &c->fields[f];
        if (fl->n == 0 || (unsigned)fl->first + fl->n > c->n_values || !px_caps__valid_off(c, fl->name) ||
            (fl->list && fl->n < 2))
            return px_error_set(err, PX_EINVAL, 0, "caps: field %u out of bounds", f);
    }
    for (unsigned i = 0; i < c->n_values; i++) {
        const px_value *v = &c->values[i];
        bool ok;
        switch (v->type) {
        case PX_VALUE_INT:
        case PX_VALUE_BOOL:
            ok = true;
            break;
        case PX_VALUE_INT_RANGE:
            ok = v->a < v->b;
            break;
        case PX_VALUE_FRACTION:
            ok = v->b > 0;
            break;
        case PX_VALUE_FRACTION_RANGE:
            ok = v->b > 0 && v->d > 0 && px_caps__frac_cmp(v->a, v->b, v->c, v->d) < 0;
            break;
        case PX_VALUE_STRING:
            ok = c->pool_len > 0 && px_caps__valid_off(c, v->str);
            break;
        default:
            ok = false;
            break;
        }
        if (!ok)
            return px_error_set(err, PX_EINVAL, 0, "caps: value %u is invalid", i);
    }
    return PX_OK;
}
