/* gst-launch syntax: "a prop=v ! b name=t ! c  t. ! d".
 *
 * One pass over the text creates elements (with their properties) and caps
 * filters through the builder API and records links between endpoints; a
 * second pass resolves references ("t.", "mux.sink_0", forward ones too) and
 * links. Every error says what is wrong at which column, shows the
 * description with a caret under it, and where it can, what to write instead. */

#define PX__PARSE_MAX 65536 /* bytes; longer descriptions are refused */
#define PX__WINDOW    40    /* context shown each side of the caret in long descriptions */

/* From util.c (declared here too, so section order does not matter). */
static const char *px__show(const char *value, char *buf, size_t size);
static char *px__strdup(const char *s);

typedef struct px__word {
    char *text; /* unquoted, NUL-terminated */
    size_t len, cap;
    size_t start, end; /* raw byte range */
    long eq;           /* index in text of the first unquoted '=', or -1 */
    size_t eq_raw;     /* raw index of that '=' */
    bool fully_quoted; /* the raw text is exactly one quoted string */
} px__word;

typedef struct px__endpoint {
    px_element *el; /* elements and caps filters; references get theirs in pass 2 */
    char *ref;      /* "t" of "t.src_0", or NULL */
    char *pad;      /* "src_0", or NULL for "next free" */
    int col;
} px__endpoint;

typedef struct px__plink {
    size_t a, b; /* endpoint indices: a's src to b's sink */
    int col;     /* the '!' */
} px__plink;

typedef struct px__pprop {
    char *name, *value;
    int name_col, value_col;
} px__pprop;

typedef struct px__parser {
    const char *s;
    size_t len, pos;
    px_pipeline *p;
    px_error *err;
    px__endpoint *eps;
    size_t n_eps, cap_eps;
    px__plink *links;
    size_t n_links, cap_links;
    px__pprop *props;
    size_t n_props, cap_props;
    px__word w, v; /* scratch words */
} px__parser;

static bool px__is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool px__is_mimechar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '+' || c == '.' || c == '_';
}

/* "type/subtype" followed by the end, ',', '(', ';', a space or '!'. */
static bool px__looks_like_caps(const char *t)
{
    size_t i = 0;
    while (px__is_mimechar(t[i]))
        i++;
    if (i == 0 || t[i] != '/')
        return false;
    size_t j = ++i;
    while (px__is_mimechar(t[i]))
        i++;
    if (i == j)
        return false;
    return !t[i] || t[i] == ',' || t[i] == '(' || t[i] == ';' || t[i] == '!' || px__is_space(t[i]);
}

/* ---- Errors ------------------------------------------------------------- */

static bool px__utf8_cont(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

/* Appends "  <description or a window of it>\n  <caret line>" to out. */
static size_t px__caret_block(const char *s, size_t len, size_t at, char *out, size_t size)
{
    size_t start = 0, end = len;
    if (at > len)
        at = len;
    if (len > 100) {
        start = at > PX__WINDOW ? at - PX__WINDOW : 0;
        end = at + PX__WINDOW + 1 < len ? at + PX__WINDOW + 1 : len;
        while (start < at && px__utf8_cont(s[start]))
            start++;
        while (end < len && end > at && px__utf8_cont(s[end]))
            end--;
    }
    size_t n = 0, caret = 0;
#define PX__PUT(c)                \
    do {                          \
        if (n + 1 < size)         \
            out[n++] = (char)(c); \
    } while (0)
    PX__PUT(' ');
    PX__PUT(' ');
    if (start > 0) {
        PX__PUT('.');
        PX__PUT('.');
        PX__PUT('.');
        caret = 3;
    }
    for (size_t i = start; i < end; i++) {
        char c = s[i];
        /* Tabs, newlines and other controls print as one space so the caret lines up. */
        PX__PUT((unsigned char)c < 0x20 || c == 0x7f ? ' ' : c);
        if (i < at && !px__utf8_cont(c))
            caret++;
    }
    if (end < len) {
        PX__PUT('.');
        PX__PUT('.');
        PX__PUT('.');
    }
    PX__PUT('\n');
    PX__PUT(' ');
    PX__PUT(' ');
    for (size_t i = 0; i < caret; i++)
        PX__PUT(' ');
    PX__PUT('^');
#undef PX__PUT
    out[n] = '\0';
    return n;
}

/* Rewrites err as: first line + " (column N)", the caret block, any further
 * lines of the message, then the hint. */
static int px__decorate(px__parser *ps, int code, int col, const char *msg, const char *hint)
{
    char out[PX_ERROR_MESSAGE_MAX];
    const char *nl = strchr(msg, '\n');
    size_t first = nl ? (size_t)(nl - msg) : strlen(msg);
    size_t n;
    if (col > 0) {
        n = (size_t)snprintf(out, sizeof out, "%.*s (column %d)\n", (int)first, msg, col);
        if (n < sizeof out)
            n += px__caret_block(ps->s, ps->len, (size_t)col - 1, out + n, sizeof out - n);
    } else {
        n = (size_t)snprintf(out, sizeof out, "%.*s", (int)first, msg);
    }
    if (nl && n < sizeof out)
        snprintf(out + n, sizeof out - n, "%s", nl);
    px_error_set(ps->err, code, col, "%s", out);
    if (hint && hint[0])
        px_error_hint(ps->err, "%s", hint);
    return code;
}

static int px__fail(px__parser *ps, int code, int col, const char *hint, const char *fmt, ...)
    PX_PRINTF(5, 6);
static int px__fail(px__parser *ps, int code, int col, const char *hint, const char *fmt, ...)
{
    char msg[PX_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return px__decorate(ps, code, col, msg, hint);
}

/* An error already in ps->err (from px_set, px_pipeline_add, px_link_pads):
 * add the column and caret, keep its hint. */
static int px__rethrow(px__parser *ps, int col)
{
    if (ps->err->position > 0 && col > 0) { /* an error inside the value (caps): point into it */
        bool quoted = (size_t)col <= ps->len && (ps->s[col - 1] == '"' || ps->s[col - 1] == '\'');
        col += ps->err->position - 1 + quoted;
    }
    char msg[PX_ERROR_MESSAGE_MAX], hint[PX_ERROR_HINT_MAX];
    int code = ps->err->code ? ps->err->code : PX_EINVAL;
    px__strlcpy(msg, ps->err->message, sizeof msg);
    px__strlcpy(hint, ps->err->hint, sizeof hint);
    if (hint[0]) { /* px_error_hint appended it to the message: keep it only once */
        for (char *h = strchr(msg, '\n'); h; h = strchr(h + 1, '\n'))
            if (strncmp(h, "\n  hint: ", 9) == 0) {
                *h = '\0';
                break;
            }
    }
    return px__decorate(ps, code, col, msg, hint);
}

/* ---- Lexing ------------------------------------------------------------- */

static int px__put(px__parser *ps, px__word *w, char c)
{
    if (w->len + 1 >= w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        char *t = px__regrow(w->text, w->cap, cap);
        if (!t)
            return px_error_set(ps->err, PX_ENOMEM, 0, "out of memory parsing the pipeline description");
        w->text = t;
        w->cap = cap;
    }
    w->text[w->len++] = c;
    w->text[w->len] = '\0';
    return PX_OK;
}

static void px__skip_space(px__parser *ps)
{
    while (ps->pos < ps->len && px__is_space(ps->s[ps->pos]))
        ps->pos++;
}

static int px__unterminated(px__parser *ps, size_t quote)
{
    char q = ps->s[quote];
    return px__fail(ps, PX_EPARSE, (int)quote + 1,
                    q == '"' ? "add the closing \" after the value" : "add the closing ' after the value",
                    "unterminated %c quote", q);
}

/* A word ends at unquoted whitespace or '!'. Quotes are removed: inside
 * double quotes \" and \\ are escapes, single quotes are literal; outside
 * quotes a backslash protects a space, '!', '=', a quote or a backslash. */
static int px__lex_word(px__parser *ps, px__word *w)
{
    const char *s = ps->s;
    size_t quoted = 0, plain = 0;
    int rc = PX_OK;
    w->len = 0;
    w->eq = -1;
    w->start = ps->pos;
    if ((rc = px__put(ps, w, 'x'))) /* an empty word still needs its "" */
        return rc;
    w->len = 0;
    w->text[0] = '\0';
    while (ps->pos < ps->len && !rc) {
        char c = s[ps->pos];
        if (px__is_space(c) || c == '!')
            break;
        if (c == '"' || c == '\'') {
            size_t open = ps->pos++;
            quoted++;
            for (;;) {
                if (ps->pos >= ps->len)
                    return px__unterminated(ps, open);
                char d = s[ps->pos];
                if (d == c) {
                    ps->pos++;
                    break;
                }
                if (c == '"' && d == '\\' && ps->pos + 1 < ps->len &&
                    (s[ps->pos + 1] == '"' || s[ps->pos + 1] == '\\'))
                    d = s[++ps->pos];
                if ((rc = px__put(ps, w, d)))
                    return rc;
                ps->pos++;
            }
            continue;
        }
        plain++;
        if (c == '\\' && ps->pos + 1 < ps->len && strchr(" \t\n!\"'\\=", s[ps->pos + 1])) {
            rc = px__put(ps, w, s[ps->pos + 1]);
            ps->pos += 2;
            continue;
        }
        if (c == '=' && w->eq < 0) {
            w->eq = (long)w->len;
            w->eq_raw = ps->pos;
        }
        rc = px__put(ps, w, c);
        ps->pos++;
    }
    w->end = ps->pos;
    w->fully_quoted = quoted == 1 && plain == 0;
    return rc;
}

#if CONFIG_PX_CAPS
/* Raw index just past the quoted string opening at i, or 0 when unterminated. */
static size_t px__skip_quoted(const px__parser *ps, size_t i)
{
    char q = ps->s[i++];
    for (; i < ps->len; i++) {
        if (q == '"' && ps->s[i] == '\\' && i + 1 < ps->len)
            i++;
        else if (ps->s[i] == q)
            return i + 1;
    }
    return 0;
}

/* Caps run to the next '!'; spaces are allowed inside brackets and around
 * commas ("video/x-raw, width=[ 16, 4096 ]"), so a space elsewhere ends them.
 * Quotes are kept: they belong to the caps syntax. */
static int px__lex_caps(px__parser *ps, px__word *w)
{
    const char *s = ps->s;
    size_t i = ps->pos, last = ps->pos;
    int depth = 0, rc;
    w->start = ps->pos;
    while (i < ps->len) {
        char c = s[i];
        if (c == '"' || c == '\'') {
            size_t next = px__skip_quoted(ps, i);
            if (!next)
                return px__unterminated(ps, i);
            i = last = next;
            continue;
        }
        if (c == '!')
            break;
        if (px__is_space(c)) {
            size_t j = i;
            while (j < ps->len && px__is_space(s[j]))
                j++;
            if (depth > 0 || s[last - 1] == ',' || (j < ps->len && s[j] == ',')) {
                i = j;
                continue;
            }
            break;
        }
        if (c == '[' || c == '(' || c == '{')
            depth++;
        else if ((c == ']' || c == ')' || c == '}') && depth > 0)
            depth--;
        last = ++i;
    }
    w->len = 0;
    w->eq = -1;
    w->fully_quoted = false;
    for (size_t k = ps->pos; k < last; k++)
        if ((rc = px__put(ps, w, s[k])))
            return rc;
    ps->pos = w->end = last;
    return PX_OK;
}
#endif

/* ---- Building ----------------------------------------------------------- */

static int px__grow(px__parser *ps, void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return PX_OK;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *t = px__regrow(*arr, *cap * elem, ncap * elem);
    if (!t)
        return px_error_set(ps->err, PX_ENOMEM, 0, "out of memory parsing the pipeline description");
    *arr = t;
    *cap = ncap;
    return PX_OK;
}

static int px__add_endpoint(px__parser *ps, px_element *el, const char *ref, const char *pad, int col,
                            size_t *index)
{
    int rc = px__grow(ps, (void **)&ps->eps, &ps->cap_eps, ps->n_eps, sizeof *ps->eps);
    if (rc)
        return rc;
    px__endpoint *ep = &ps->eps[ps->n_eps];
    memset(ep, 0, sizeof *ep);
    ep->el = el;
    ep->col = col;
    if ((ref && !(ep->ref = px__strdup(ref))) || (pad && !(ep->pad = px__strdup(pad)))) {
        PX_FREE(ep->ref);
        return px_error_set(ps->err, PX_ENOMEM, 0, "out of memory parsing the pipeline description");
    }
    *index = ps->n_eps++;
    return PX_OK;
}

static void px__clear_props(px__parser *ps)
{
    for (size_t i = 0; i < ps->n_props; i++) {
        PX_FREE(ps->props[i].name);
        PX_FREE(ps->props[i].value);
    }
    ps->n_props = 0;
}

static int px__add_prop(px__parser *ps, const char *name, size_t name_len, const char *value, int name_col,
                        int value_col)
{
    int rc = px__grow(ps, (void **)&ps->props, &ps->cap_props, ps->n_props, sizeof *ps->props);
    if (rc)
        return rc;
    px__pprop *pp = &ps->props[ps->n_props];
    pp->name = PX_MALLOC(name_len + 1);
    pp->value = px__strdup(value);
    if (!pp->name || !pp->value) {
        PX_FREE(pp->name);
        PX_FREE(pp->value);
        return px_error_set(ps->err, PX_ENOMEM, 0, "out of memory parsing the pipeline description");
    }
    memcpy(pp->name, name, name_len);
    pp->name[name_len] = '\0';
    pp->name_col = name_col;
    pp->value_col = value_col;
    ps->n_props++;
    return PX_OK;
}

static int px__caps_filter(px__parser *ps, const char *caps, int col, size_t *ep)
{
    char shown[72];
#if !CONFIG_PX_CAPS
    (void)ep;
    return px__fail(ps, PX_ENOTSUP, col, "rebuild with CONFIG_PX_CAPS=y and CONFIG_PX_ELEM_CAPSFILTER=y",
                    "caps filter '%s' needs caps negotiation, which this build leaves out "
                    "(CONFIG_PX_CAPS, CONFIG_PX_ELEM_CAPSFILTER)",
                    px__show(caps, shown, sizeof shown));
#else
    if (!px_find_element("capsfilter"))
        return px__fail(ps, PX_ENOTSUP, col, "rebuild with CONFIG_PX_ELEM_CAPSFILTER=y",
                        "caps filter '%s' needs the capsfilter element, which this build leaves out "
                        "(CONFIG_PX_ELEM_CAPSFILTER)",
                        px__show(caps, shown, sizeof shown));
    px_element *el = px_pipeline_add(ps->p, "capsfilter", NULL, ps->err);
    if (!el)
        return px__rethrow(ps, col);
    el->position = col;
    el->position_len = (int)(ps->pos - ((size_t)col - 1));
    if (px_set(el, "caps", caps, ps->err))
        return px__rethrow(ps, col);
    return px__add_endpoint(ps, el, NULL, NULL, col, ep);
#endif
}

/* True when the next word (after spaces) starts with '='. */
static bool px__next_is_assign(const px__parser *ps)
{
    size_t i = ps->pos;
    while (i < ps->len && px__is_space(ps->s[i]))
        i++;
    return i < ps->len && ps->s[i] == '=';
}

/* Reads the value of "name=value" / "name = value" / "name= value" when it is
 * not glued to the '='. */
static int px__detached_value(px__parser *ps, const char *name, int name_col, int *value_col)
{
    char shown[72];
    px__skip_space(ps);
    if (ps->pos >= ps->len || ps->s[ps->pos] == '!')
        return px__fail(ps, PX_EPARSE, name_col, "write a value after '=', or \"\" for an empty string",
                        "property '%s' has no value after '='", px__show(name, shown, sizeof shown));
    *value_col = (int)ps->pos + 1;
    return px__lex_word(ps, &ps->v);
}

/* Properties after an element: "name=value" words until something else. */
static int px__collect_props(px__parser *ps)
{
    int rc;
    for (;;) {
        size_t save = ps->pos;
        px__skip_space(ps);
        if (ps->pos >= ps->len || ps->s[ps->pos] == '!') {
            ps->pos = save;
            return PX_OK;
        }
        int col = (int)ps->pos + 1;
        px__word *w = &ps->w;
        if ((rc = px__lex_word(ps, w)))
            return rc;
        if (w->eq == 0)
            return px__fail(ps, PX_EPARSE, col, "write it as name=value, e.g. num-buffers=10",
                            "'=' without a property name before it");
        if (w->eq > 0) {
            const char *value = w->text + w->eq + 1;
            int value_col = (int)w->eq_raw + 2;
            size_t after = w->eq_raw + 1;
            if (!*value && (after >= ps->len || px__is_space(ps->s[after]) || ps->s[after] == '!')) {
                w->text[w->eq] = '\0';
                if ((rc = px__detached_value(ps, w->text, col, &value_col)))
                    return rc;
                value = ps->v.text;
            }
            if ((rc = px__add_prop(ps, w->text, (size_t)w->eq, value, col, value_col)))
                return rc;
            continue;
        }
        if (!px__next_is_assign(ps)) {
            ps->pos = save; /* not a property: the next chain starts here */
            return PX_OK;
        }
        /* "name = value" or "name =value" */
        px__skip_space(ps);
        size_t eq_pos = ps->pos;
        if ((rc = px__lex_word(ps, &ps->v)))
            return rc;
        int value_col = (int)eq_pos + 2;
        if (ps->v.len == 1 && eq_pos + 1 == ps->v.end) {
            if ((rc = px__detached_value(ps, w->text, col, &value_col)))
                return rc;
            if ((rc = px__add_prop(ps, w->text, w->len, ps->v.text, col, value_col)))
                return rc;
        } else if ((rc = px__add_prop(ps, w->text, w->len, ps->v.text + 1, col, value_col))) {
            return rc;
        }
    }
}

static int px__element(px__parser *ps, const char *factory_in, int col, size_t *ep)
{
    char shown[72];
    int rc, len = (int)(ps->pos - ((size_t)col - 1));
    char *factory = px__strdup(factory_in);
    if (!factory)
        return px_error_set(ps->err, PX_ENOMEM, 0, "out of memory parsing the pipeline description");
    px__clear_props(ps);
    if ((rc = px__collect_props(ps)))
        goto out;

    const px__pprop *name = NULL;
    for (size_t i = 0; i < ps->n_props; i++) {
        const px__pprop *pp = &ps->props[i];
        if (strcmp(pp->name, "name"))
            continue;
        if (name) {
            rc = px__fail(ps, PX_EINVAL, pp->name_col, "give each element one name",
                          "element '%s' is given a name twice", px__show(factory, shown, sizeof shown));
            goto out;
        }
        name = pp;
        if (!pp->value[0]) {
            rc = px__fail(ps, PX_EINVAL, pp->value_col, "write a name such as name=src0",
                          "empty element name");
            goto out;
        }
        if (strlen(pp->value) >= PX__NAME_MAX) {
            rc = px__fail(ps, PX_EINVAL, pp->value_col, "use a shorter name",
                          "element name '%s' is too long (at most %d bytes)",
                          px__show(pp->value, shown, sizeof shown), PX__NAME_MAX - 1);
            goto out;
        }
        px_element *other = px_pipeline_get(ps->p, pp->value);
        if (other) {
            char hint[PX_ERROR_HINT_MAX];
            if (other->position > 0)
                snprintf(hint, sizeof hint, "the element at column %d has it; names must be unique",
                         other->position);
            else
                snprintf(hint, sizeof hint, "names must be unique; rename one of them");
            rc = px__fail(ps, PX_EINVAL, pp->name_col, hint, "name '%s' is already taken", pp->value);
            goto out;
        }
    }

    if (!px_find_element(factory)) {
        const char *near = px__nearest_element(factory);
        char hint[PX_ERROR_HINT_MAX];
        if (near)
            snprintf(hint, sizeof hint, "did you mean '%s'?", near);
        else
            snprintf(hint, sizeof hint,
                     "run parallax-launch --list-elements to see the elements of this build");
        rc = px__fail(ps, PX_ENOENT, col, hint, "no element '%s'", px__show(factory, shown, sizeof shown));
        goto out;
    }
    px_element *el = px_pipeline_add(ps->p, factory, name ? name->value : NULL, ps->err);
    if (!el) {
        rc = px__rethrow(ps, col);
        goto out;
    }
    el->position = col;
    el->position_len = len;
    for (size_t i = 0; i < ps->n_props; i++) {
        const px__pprop *pp = &ps->props[i];
        if (pp == name)
            continue;
        if ((rc = px_set(el, pp->name, pp->value, ps->err))) {
            rc = px__rethrow(ps, rc == PX_ENOENT ? pp->name_col : pp->value_col);
            goto out;
        }
    }
    rc = px__add_endpoint(ps, el, NULL, NULL, col, ep);
out:
    PX_FREE(factory);
    px__clear_props(ps);
    return rc;
}

/* One link target: an element with its properties, a caps filter or a reference. */
static int px__endpoint_at(px__parser *ps, size_t *ep)
{
    char shown[72];
    int col = (int)ps->pos + 1, rc;
    px__word *w = &ps->w;

#if CONFIG_PX_CAPS
    if (ps->s[ps->pos] != '"' && ps->s[ps->pos] != '\'' && px__looks_like_caps(ps->s + ps->pos)) {
        if ((rc = px__lex_caps(ps, w)))
            return rc;
        return px__caps_filter(ps, w->text, col, ep);
    }
#endif
    if ((rc = px__lex_word(ps, w)))
        return rc;
    /* Without CONFIG_PX_CAPS bare caps are read as a word, only to be refused. */
    if ((w->fully_quoted || !CONFIG_PX_CAPS) && px__looks_like_caps(w->text))
        return px__caps_filter(ps, w->text, col, ep);
    if (w->eq >= 0 || px__next_is_assign(ps)) {
        if (w->eq >= 0)
            w->text[w->eq] = '\0';
        return px__fail(ps, PX_EPARSE, col,
                        "properties follow the element they set, e.g. 'fakesrc num-buffers=10'",
                        "property '%s' without an element", px__show(w->text, shown, sizeof shown));
    }
    char *dot = strchr(w->text, '.');
    if (dot) {
        if (dot == w->text)
            return px__fail(ps, PX_EPARSE, col, "write the element's name before the dot, e.g. 't.src_0'",
                            "reference '%s' names no element", px__show(w->text, shown, sizeof shown));
        *dot = '\0';
        return px__add_endpoint(ps, NULL, w->text, dot[1] ? dot + 1 : NULL, col, ep);
    }
    return px__element(ps, w->text, col, ep);
}

static int px__add_link(px__parser *ps, size_t a, size_t b, int col)
{
    int rc = px__grow(ps, (void **)&ps->links, &ps->cap_links, ps->n_links, sizeof *ps->links);
    if (rc)
        return rc;
    ps->links[ps->n_links++] = (px__plink){a, b, col};
    return PX_OK;
}

/* Pass 1: chains of endpoints separated by '!'; a new chain starts wherever
 * an endpoint follows another without '!'. */
static int px__parse_chains(px__parser *ps)
{
    size_t prev = 0;
    bool have_prev = false;
    int bang = 0, rc;
    for (;;) {
        px__skip_space(ps);
        if (ps->pos >= ps->len) {
            if (bang)
                return px__fail(ps, PX_EPARSE, bang,
                                "end the description with an element, or remove the last '!'",
                                "'!' without an element after it");
            return PX_OK;
        }
        if (ps->s[ps->pos] == '!') {
            int col = (int)ps->pos + 1;
            if (bang)
                return px__fail(ps, PX_EPARSE, col, "put an element between the two '!', or remove one",
                                "'!' right after another '!'");
            if (!have_prev)
                return px__fail(ps, PX_EPARSE, col, "start with an element, e.g. 'fakesrc ! fakesink'",
                                "'!' without an element before it");
            bang = col;
            ps->pos++;
            continue;
        }
        size_t ep = 0;
        if ((rc = px__endpoint_at(ps, &ep)))
            return rc;
        if (bang && (rc = px__add_link(ps, prev, ep, bang)))
            return rc;
        bang = 0;
        prev = ep;
        have_prev = true;
    }
}

static int px__unknown_ref(px__parser *ps, const px__endpoint *ep)
{
    char shown[72], hint[PX_ERROR_HINT_MAX];
    size_t n = px_pipeline_element_count(ps->p);
    const char *names[256];
    size_t k = 0;
    for (size_t i = 0; i < n && k < 256; i++)
        names[k++] = px_element_name(px_pipeline_element_at(ps->p, i));
    const char *near = px__nearest(ep->ref, names, k);
    px__show(ep->ref, shown, sizeof shown);
    if (near)
        snprintf(hint, sizeof hint, "did you mean '%s.'?", near);
    else
        snprintf(hint, sizeof hint, "give an element name=%s to refer to it as '%s.'", shown, shown);
    return px__fail(ps, PX_ENOENT, ep->col, hint, "no element named '%s' (in reference '%s.%s')", shown,
                    shown, ep->pad ? ep->pad : "");
}

/* Pass 2: references, links, and elements left with an unlinked always-pad. */
static int px__resolve(px__parser *ps)
{
    int rc;
    for (size_t i = 0; i < ps->n_eps; i++) {
        px__endpoint *ep = &ps->eps[i];
        if (ep->ref && !(ep->el = px_pipeline_get(ps->p, ep->ref)))
            return px__unknown_ref(ps, ep);
    }

    size_t n = px_pipeline_element_count(ps->p);
    size_t bytes = (n ? n : 1) * sizeof(int);
    int *ins = PX_MALLOC(bytes), *outs = PX_MALLOC(bytes);
    if (!ins || !outs) {
        rc = px_error_set(ps->err, PX_ENOMEM, 0, "out of memory parsing the pipeline description");
        goto out;
    }
    memset(ins, 0, bytes);
    memset(outs, 0, bytes);
    for (size_t i = 0; i < ps->n_links; i++) {
        const px__endpoint *a = &ps->eps[ps->links[i].a], *b = &ps->eps[ps->links[i].b];
        if (a->el == b->el) {
            rc = px__fail(ps, PX_ELINK, ps->links[i].col, "a loop needs at least one other element",
                          "cannot link %s to itself", px_element_name(a->el));
            goto out;
        }
        if (px_link_pads(a->el, a->pad, b->el, b->pad, ps->err)) {
            rc = px__rethrow(ps, ps->links[i].col);
            goto out;
        }
        if (a->el->index < n)
            outs[a->el->index]++;
        if (b->el->index < n)
            ins[b->el->index]++;
    }
    for (size_t i = 0; i < n; i++) {
        px_element *el = px_pipeline_element_at(ps->p, i);
        const px_element_class *k = px_element_get_class(el);
        size_t idx = el->index < n ? el->index : i;
        if (k->src.presence == PX_PAD_ALWAYS_PRESENT && !outs[idx]) {
            rc = px__fail(ps, PX_ELINK, el->position, "link it onward with '!', e.g. '... ! fakesink'",
                          "%s has nothing linked to its src pad", px_element_name(el));
            goto out;
        }
        if (k->sink.presence == PX_PAD_ALWAYS_PRESENT && !ins[idx]) {
            rc = px__fail(ps, PX_ELINK, el->position, "link something into it with '!', e.g. 'fakesrc ! ...'",
                          "%s has nothing linked to its sink pad", px_element_name(el));
            goto out;
        }
    }
    rc = PX_OK;
out:
    PX_FREE(ins);
    PX_FREE(outs);
    return rc;
}

static void px__parser_free(px__parser *ps)
{
    px__clear_props(ps);
    for (size_t i = 0; i < ps->n_eps; i++) {
        PX_FREE(ps->eps[i].ref);
        PX_FREE(ps->eps[i].pad);
    }
    PX_FREE(ps->eps);
    PX_FREE(ps->links);
    PX_FREE(ps->props);
    PX_FREE(ps->w.text);
    PX_FREE(ps->v.text);
}

PX_API px_pipeline *px_pipeline_parse(const char *description, px_error *err)
{
    px_error local = {0};
    px__parser ps = {0};
    ps.err = &local;
    ps.s = description;

    if (!description) {
        px_error_set(&local, PX_EINVAL, 0, "no pipeline description given");
        goto fail;
    }
    ps.len = strnlen(description, PX__PARSE_MAX + 1);
    if (ps.len > PX__PARSE_MAX) {
        px_error_set(&local, PX_EINVAL, 0, "pipeline description too long: more than %d bytes",
                     PX__PARSE_MAX);
        px_error_hint(&local, "build large pipelines with the C API (px_pipeline_add, px_link)");
        goto fail;
    }
    px__skip_space(&ps);
    if (ps.pos >= ps.len) {
        px_error_set(&local, PX_EPARSE, 0, "empty pipeline description");
        px_error_hint(&local, "write elements linked by '!', e.g. 'fakesrc ! fakesink'");
        goto fail;
    }
    if (!(ps.p = px_pipeline_new())) {
        px_error_set(&local, PX_ENOMEM, 0, "out of memory creating the pipeline");
        goto fail;
    }
    if (px__parse_chains(&ps) || px__resolve(&ps))
        goto fail;
    px__parser_free(&ps);
    ps.p->description = PX_MALLOC(ps.len + 1); /* optional: errors just lose their caret */
    if (ps.p->description)
        memcpy(ps.p->description, description, ps.len + 1);
    return ps.p;

fail:
    px__parser_free(&ps);
    if (ps.p)
        px_pipeline_free(ps.p);
    if (err)
        *err = local;
    return NULL;
}
