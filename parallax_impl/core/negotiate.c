/* Global caps negotiation, once per prepare, before any data flows.
 *
 *  1. Every element's pads start from their template, narrowed from
 *     properties by get_caps() (one caps set per direction: tee's src pads
 *     share theirs).
 *  2. Constraints propagate to a fixed point: across each link both sides
 *     become their intersection; through each element the other side is
 *     narrowed by transform_caps() (pass-through by default when the sink and
 *     src templates are the same text). Intersections only shrink, so this
 *     ends.
 *  3. A link whose intersection is empty is a conflict. Unless auto-convert
 *     is off, the cheapest converter chain (videoconvert, videoscale, both)
 *     that resolves it is inserted and the solve starts again; otherwise the
 *     conflict becomes an error naming the link, both sides' caps, the field
 *     that differs and a fix.
 *  4. Fixation, sources first, with downstream preference: each element's
 *     output is the intersection in the downstream element's order, reduced
 *     to single values nearest to the element's fixed input (or its class's
 *     preferred caps for sources), then propagated again. */

#define PX__NEG_MAX_ROUNDS 256
#define PX__NEG_MAX_INSERTS 8

typedef struct px__neg {
    px_pipeline *p;
    px_caps (*c)[2]; /* working caps by element index, [PX_DIR_SINK], [PX_DIR_SRC] */
    size_t n;
    px_caps t1, t2;  /* scratch: too large for the stack of a deep call */
    /* The conflict found last: a's src pad ap feeds b, offer vs accept. */
    px_element *a, *b;
    int ap;
    px_caps offer, accept;
} px__neg;

static const px_pad_template *px__template(const px_element *el, px_pad_dir dir)
{
    return dir == PX_DIR_SINK ? &el->klass->sink : &el->klass->src;
}

static int px__template_caps(px_element *el, px_pad_dir dir, px_caps *out, px_error *err)
{
    const px_pad_template *t = px__template(el, dir);
    const char *which = dir == PX_DIR_SINK ? "sink" : "src";
    if (t->presence == PX_PAD_NONE) {
        px_caps_set_empty(out);
        return PX_OK;
    }
    px_error perr = {0};
    if (px_caps_parse(out, t->caps ? t->caps : "ANY", &perr) != PX_OK)
        return px_error_set(err, PX_EINVAL, 0, "%s: the %s pad template of '%s' has bad caps: %s", el->name, which,
                            el->klass->name, perr.message);
    if (el->klass->get_caps) {
        int rc = el->klass->get_caps(el, dir, out);
        if (rc)
            return px_error_set(err, rc, 0, "%s: cannot say which caps its %s pad takes: %s", el->name, which,
                                px_status_str(rc));
    }
    return PX_OK;
}

static bool px__passthrough(const px_element_class *k)
{
    const char *a = k->sink.caps ? k->sink.caps : "ANY", *b = k->src.caps ? k->src.caps : "ANY";
    return strcmp(a, b) == 0;
}

/* Caps on the other side of el that go with caps on side from. */
static int px__transform(px_element *el, px_pad_dir from, const px_caps *in, px_caps *out)
{
    if (el->klass->transform_caps)
        return el->klass->transform_caps(el, from, in, out);
    if (px__passthrough(el->klass))
        *out = *in;
    else
        px_caps_set_any(out); /* unrelated sides: only the template constrains */
    return PX_OK;
}

static bool px__has_both_sides(const px_element *el)
{
    return el->klass->sink.presence != PX_PAD_NONE && el->klass->src.presence != PX_PAD_NONE;
}

static void px__note_conflict(px__neg *ng, px_element *a, int ap, px_element *b, const px_caps *offer,
                              const px_caps *accept)
{
    ng->a = a;
    ng->ap = ap;
    ng->b = b;
    ng->offer = *offer;
    ng->accept = *accept;
}

static int px__first_src_pad(const px_element *el)
{
    for (int i = 0; i < el->n_src; i++)
        if (el->src[i].peer)
            return i;
    return -1;
}

/* Narrows *dst to *dst ∩ *with. Returns 1 when it changed, 0 when not. */
static int px__narrow(px__neg *ng, px_caps *dst, const px_caps *with)
{
    px_caps_intersect(&ng->t1, dst, with);
    if (px_caps_is_equal(&ng->t1, dst))
        return 0;
    *dst = ng->t1;
    return 1;
}

/* Step 2. Returns PX_OK, or PX_ELINK with the conflict noted. */
static int px__propagate(px__neg *ng, px_error *err)
{
    for (int round = 0; round < PX__NEG_MAX_ROUNDS; round++) {
        int changed = 0;
        for (size_t i = 0; i < ng->n; i++) {
            px_element *e = ng->p->elements[i];
            px_caps *c = ng->c[i];
            for (int k = 0; k < e->n_src; k++) {
                px_element *b = e->src[k].peer;
                if (!b)
                    continue;
                px_caps *bc = &ng->c[b->index][PX_DIR_SINK];
                px_caps_intersect(&ng->t2, &c[PX_DIR_SRC], bc);
                if (px_caps_is_empty(&ng->t2)) {
                    px__note_conflict(ng, e, k, b, &c[PX_DIR_SRC], bc);
                    return PX_ELINK;
                }
                changed |= px__narrow(ng, &c[PX_DIR_SRC], &ng->t2);
                changed |= px__narrow(ng, bc, &ng->t2);
            }
            if (!px__has_both_sides(e))
                continue;
            for (int d = PX_DIR_SINK; d <= PX_DIR_SRC; d++) {
                px_pad_dir from = (px_pad_dir)d, to = (px_pad_dir)!d;
                int rc = px__transform(e, from, &c[from], &ng->t2);
                if (rc)
                    return px_error_set(err, rc, 0, "%s: cannot relate its sink and src caps: %s", e->name,
                                        px_status_str(rc));
                px_caps_intersect(&ng->t1, &c[to], &ng->t2);
                if (px_caps_is_empty(&ng->t1)) {
                    /* Blame the link on the side that cannot be served: the
                     * src pad whose peer alone takes none of it (fan-out). */
                    int k = px__first_src_pad(e);
                    const px_caps *acc = &c[to]; /* what the src pads take together */
                    for (int j = k; to == PX_DIR_SRC && j >= 0 && j < e->n_src; j++)
                        if (e->src[j].peer &&
                            !px_caps_can_intersect(&ng->t2, &ng->c[e->src[j].peer->index][PX_DIR_SINK])) {
                            k = j;
                            acc = &ng->c[e->src[j].peer->index][PX_DIR_SINK];
                            break;
                        }
                    if (to == PX_DIR_SRC && k >= 0)
                        px__note_conflict(ng, e, k, e->src[k].peer, &ng->t2, acc);
                    else if (e->n_sink > 0 && e->sink[0].peer)
                        px__note_conflict(ng, e->sink[0].peer, e->sink[0].peer_pad, e,
                                          &ng->c[e->sink[0].peer->index][PX_DIR_SRC], &ng->t2);
                    else
                        px__note_conflict(ng, e, 0, e, &c[from], &ng->t2);
                    return PX_ELINK;
                }
                changed |= px__narrow(ng, &c[to], &ng->t2);
            }
        }
        if (!changed)
            return PX_OK;
    }
    return PX_OK; /* bounded: what is left is consistent enough to fixate */
}

static int px__reset(px__neg *ng, px_error *err)
{
    px_caps (*c)[2] = PX_REALLOC(ng->c, ng->p->n_elements * sizeof *c);
    if (!c)
        return px_error_set(err, PX_ENOMEM, 0, "out of memory negotiating caps");
    ng->c = c;
    ng->n = ng->p->n_elements;
    for (size_t i = 0; i < ng->n; i++) {
        px_element *e = ng->p->elements[i];
        e->index = i;
        for (int d = PX_DIR_SINK; d <= PX_DIR_SRC; d++) {
            int rc = px__template_caps(e, (px_pad_dir)d, &c[i][d], err);
            if (rc)
                return rc;
        }
    }
    return PX_OK;
}

/* ---- Converters ------------------------------------------------------------ */

typedef struct px__conv_chain {
    int cost;
    const char *names[2];
} px__conv_chain;

static const px__conv_chain px__conv_chains[] = {
    {1, {"videoconvert", NULL}},
    {2, {"videoscale", NULL}},
    {3, {"videoconvert", "videoscale"}},
    {1, {"audioconvert", NULL}},
    {2, {"audioresample", NULL}},
    {3, {"audioconvert", "audioresample"}},
};

static void px__element_remove(px_pipeline *p, px_element *el)
{
    for (size_t i = el->index; i + 1 < p->n_elements; i++) {
        p->elements[i] = p->elements[i + 1];
        p->elements[i]->index = i;
    }
    p->n_elements--;
    px__element_free(el);
}

/* Puts the chain between a's src pad ap and its peer. Returns the number of
 * elements inserted (0 when a converter is not compiled in) or < 0. */
static int px__insert_chain(px_pipeline *p, px_element *a, int ap, const px__conv_chain *chain,
                            px_element **made, px_error *err)
{
    int n = 0;
    for (int i = 0; i < 2 && chain->names[i]; i++)
        if (!px_find_element(chain->names[i]))
            return 0;
    px_element *b = a->src[ap].peer;
    int bp = a->src[ap].peer_pad;
    px_element *prev = a;
    int prev_pad = ap;
    for (int i = 0; i < 2 && chain->names[i]; i++) {
        px_element *conv = px_pipeline_add(p, chain->names[i], NULL, err);
        if (!conv)
            return PX_ENOMEM;
        conv->auto_inserted = true;
        made[n++] = conv;
        prev->src[prev_pad].peer = conv;
        prev->src[prev_pad].peer_pad = 0;
        conv->sink[0].peer = prev;
        conv->sink[0].peer_pad = prev_pad;
        prev = conv;
        prev_pad = 0;
    }
    prev->src[0].peer = b;
    prev->src[0].peer_pad = bp;
    b->sink[bp].peer = prev;
    b->sink[bp].peer_pad = 0;
    return n;
}

static void px__remove_chain(px_pipeline *p, px_element *a, int ap, px_element **made, int n)
{
    px_element *last = made[n - 1];
    px_element *b = last->src[0].peer;
    int bp = last->src[0].peer_pad;
    a->src[ap].peer = b;
    a->src[ap].peer_pad = bp;
    b->sink[bp].peer = a;
    b->sink[bp].peer_pad = ap;
    for (int i = n; i-- > 0;)
        px__element_remove(p, made[i]);
}

/* Tries converter chains, cheapest first, for the noted conflict. True when
 * one made progress (the conflict is gone or moved to another link). */
static bool px__try_converters(px__neg *ng, px_error *err)
{
    px_element *a = ng->a, *b = ng->b;
    int ap = ng->ap;
    if (a == b || a->src[ap].peer != b)
        return false;
    for (size_t i = 0; i < sizeof px__conv_chains / sizeof px__conv_chains[0]; i++) {
        px_element *made[2];
        px_error ierr = {0};
        int n = px__insert_chain(ng->p, a, ap, &px__conv_chains[i], made, &ierr);
        if (n <= 0)
            continue;
        if (px__reset(ng, err))
            return false;
        int rc = px__propagate(ng, err);
        bool stuck = rc == PX_ELINK && (ng->a == a || ng->b == b || ng->a == made[0] || ng->b == made[0] ||
                                        ng->a == made[n - 1] || ng->b == made[n - 1]);
        if (rc == PX_OK || (rc == PX_ELINK && !stuck)) {
            PX_INFO("negotiate", "inserted %s%s%s between %s and %s", made[0]->name, n > 1 ? " ! " : "",
                    n > 1 ? made[1]->name : "", a->name, b->name);
            return true;
        }
        px__remove_chain(ng->p, a, ap, made, n);
        if (px__reset(ng, err) || px__propagate(ng, err) != PX_ELINK)
            return false; /* cannot happen: we are back where we were */
    }
    return false;
}

/* ---- Errors ---------------------------------------------------------------- */

/* The value of one field as users write it ("{ I420, NV12 }"), from a copy
 * of caps with every other field removed. */
static void px__field_text(px__neg *ng, const px_caps *caps, size_t s, const char *field, char *out, size_t size)
{
    px_caps *only = &ng->t1;
    *only = *caps;
    only->n_structs = 1;
    only->structs[0] = caps->structs[s];
    const px_caps_struct *st = &caps->structs[s];
    for (int f = 0; f < st->n_fields; f++) {
        const char *name = caps->pool + caps->fields[st->first_field + f].name;
        if (strcmp(name, field) != 0)
            px_caps_remove_field(only, name);
    }
    char all[512];
    px_caps_to_short_string(only, all, sizeof all);
    const char *eq = strchr(all, '=');
    px__strlcpy(out, eq ? eq + 1 : "?", size);
}

/* For a format value that names no known format: a hint with the nearest
 * known name. False when the value is fine (or not checkable here). */
static bool px__unknown_format_hint(const char *media, const char *value, char *hint, size_t size)
{
#if CONFIG_PX_VIDEO
    if (value && strcmp(media, "video/x-raw") == 0 && px_video_format_from_string(value) == PX_VIDEO_FORMAT_UNKNOWN) {
        const char *names[PX_VIDEO_FORMAT_COUNT];
        size_t n = 0;
        for (int f = PX_VIDEO_FORMAT_UNKNOWN + 1; f < PX_VIDEO_FORMAT_COUNT; f++)
            names[n++] = px_video_format_to_string((px_video_format)f);
        const char *near = px__nearest(value, names, n);
        if (near)
            snprintf(hint, size, "'%s' is not a known video format; did you mean %s?", value, near);
        else
            snprintf(hint, size, "'%s' is not a known video format; use one of %s", value, PX_VIDEO_FORMATS_CAPS);
        return true;
    }
#endif
    (void)media, (void)value, (void)hint, (void)size;
    return false;
}

/* Writes the "why" line and the hint for offer vs accept. */
static void px__explain(px__neg *ng, char *why, size_t wsize, char *hint, size_t hsize)
{
    const px_caps *o = &ng->offer, *a = &ng->accept;
    hint[0] = '\0';
    if (px_caps_is_empty(o) || px_caps_is_empty(a)) {
        snprintf(why, wsize, "%s has nothing it could %s", px_caps_is_empty(o) ? ng->a->name : ng->b->name,
                 px_caps_is_empty(o) ? "send" : "take");
        return;
    }
    /* Find a structure pair with the same media type and memory. */
    for (size_t i = 0; i < o->n_structs; i++)
        for (size_t j = 0; j < a->n_structs; j++) {
            const char *om = px_caps_media_type(o, i), *am = px_caps_media_type(a, j);
            if (!om || !am || strcmp(om, am) != 0)
                continue;
            const char *of = px_caps_features(o, i), *af = px_caps_features(a, j);
            if (strcmp(of, af) != 0) {
                snprintf(why, wsize, "memory differs: %s vs %s", of[0] ? of : "system memory",
                         af[0] ? af : "system memory");
                snprintf(hint, hsize, "this build has no element that moves buffers between these memory types");
                return;
            }
            const px_caps_struct *as = &a->structs[j];
            for (int f = 0; f < as->n_fields; f++) {
                const char *field = a->pool + a->fields[as->first_field + f].name;
                char ov[160], av[160];
                px__field_text(ng, o, i, field, ov, sizeof ov);
                if (strcmp(ov, "?") == 0)
                    continue; /* the offer leaves it open */
                px__field_text(ng, a, j, field, av, sizeof av);
                /* Do the two values meet? Intersect single-field copies. */
                px_caps x, y;
                char tx[256], ty[256];
                snprintf(tx, sizeof tx, "%s, %s=%s", om, field, ov);
                snprintf(ty, sizeof ty, "%s, %s=%s", am, field, av);
                if (px_caps_parse(&x, tx, NULL) || px_caps_parse(&y, ty, NULL) || px_caps_can_intersect(&x, &y))
                    continue;
                snprintf(why, wsize, "%s differs: %s vs %s", field, ov, av);
                bool is_format = strcmp(field, "format") == 0;
                if (is_format && (px__unknown_format_hint(am, px_caps_get_string(&y, field), hint, hsize) ||
                                  px__unknown_format_hint(om, px_caps_get_string(&x, field), hint, hsize)))
                    return;
                if (is_format)
                    snprintf(hint, hsize, "insert videoconvert between them, or use %s%s", ov[0] == '{' ? "one of " : "", ov);
                else if (!strcmp(field, "width") || !strcmp(field, "height") || !strcmp(field, "pixel-aspect-ratio"))
                    snprintf(hint, hsize, "insert videoscale between them, or ask for %s=%s", field, ov);
                else
                    snprintf(hint, hsize, "ask for %s=%s, which %s can give", field, ov, ng->a->name);
                return;
            }
        }
    const char *om = px_caps_media_type(o, 0), *am = px_caps_media_type(a, 0);
    if (!om || !am) { /* ANY on one side: the other side's own constraints clash */
        snprintf(why, wsize, "what %s can send and what %s takes have nothing in common", ng->a->name, ng->b->name);
        return;
    }
    snprintf(why, wsize, "media types differ: %s vs %s", om, am);
    if (strncmp(om, "video/", 6) == 0 && strncmp(am, "audio/", 6) == 0)
        snprintf(hint, hsize, "did you mean %s? Audio needs an audio source such as audiotestsrc", om);
    else if (strncmp(om, "audio/", 6) == 0 && strncmp(am, "video/", 6) == 0)
        snprintf(hint, hsize, "did you mean %s? Video needs a video source such as videotestsrc", om);
    else {
        const char *cands[PX_CAPS_MAX_STRUCTS];
        for (size_t i = 0; i < o->n_structs; i++)
            cands[i] = px_caps_media_type(o, i);
        const char *near = px__nearest(am, cands, o->n_structs);
        if (near)
            snprintf(hint, hsize, "did you mean %s?", near);
        else
            snprintf(hint, hsize, "link %s to an element that takes %s", ng->a->name, om);
    }
}

static void px__caps_line(const px_caps *caps, char *out, size_t size)
{
    if (px_caps_to_short_string(caps, out, size) != PX_OK && size > 4)
        memcpy(out + size - 4, "...", 4);
}

static int px__conflict_error(px__neg *ng, px_error *err)
{
    px_pipeline *p = ng->p;
    px_element *a = ng->a, *b = ng->b;
    char offer[300], accept[300], why[400], hint[PX_ERROR_HINT_MAX], msg[PX_ERROR_MESSAGE_MAX];
    px__caps_line(&ng->offer, offer, sizeof offer);
    px__caps_line(&ng->accept, accept, sizeof accept);
    px__explain(ng, why, sizeof why, hint, sizeof hint);
    int col = b->position > 0 ? b->position : 0;
    size_t n = (size_t)snprintf(msg, sizeof msg, "cannot link %s:%s to %s:%s", a->name, a->src[ng->ap].name,
                                b->name, a->src[ng->ap].peer == b ? b->sink[a->src[ng->ap].peer_pad].name : "sink");
    if (col && p->description && n < sizeof msg) {
        n += (size_t)snprintf(msg + n, sizeof msg - n, " (column %d)\n", col);
        if (n < sizeof msg)
            n += px__caret_block(p->description, strlen(p->description), (size_t)col - 1, msg + n, sizeof msg - n);
    }
    int w = (int)(strlen(a->name) > strlen(b->name) ? strlen(a->name) : strlen(b->name));
    if (n < sizeof msg) /* long caps lines are cut: the reason line says what matters */
        n += (size_t)snprintf(msg + n, sizeof msg - n, "\n  %-*s offers  %.300s\n  %-*s accepts %.300s", w,
                              a->name, offer, w, b->name, accept);
    if (n < sizeof msg)
        snprintf(msg + n, sizeof msg - n, "\n  %.*s", (int)(sizeof msg - n > 4 ? sizeof msg - n - 4 : 0), why);
    px_error_set(err, PX_ELINK, col, "%s", msg);
    if (hint[0])
        px_error_hint(err, "%s", hint);
    return PX_ELINK;
}

/* ---- Fixation -------------------------------------------------------------- */

static void px__topo(px_element *el, uint8_t *mark, px_element **order, size_t *n)
{
    if (mark[el->index])
        return;
    mark[el->index] = 1;
    for (int i = 0; i < el->n_src; i++)
        if (el->src[i].peer)
            px__topo(el->src[i].peer, mark, order, n);
    order[(*n)++] = el; /* post-order: reversed below */
}

/* Copies every single-valued field of src's first structure into dst. */
static void px__merge_fields(px_caps *dst, const px_caps *src)
{
    const px_caps_struct *st = &src->structs[0];
    for (int f = 0; f < st->n_fields; f++) {
        const px_caps_field *fd = &src->fields[st->first_field + f];
        const px_value *v = &src->values[fd->first];
        const char *name = src->pool + fd->name;
        if (fd->list || fd->n != 1)
            continue;
        if (v->type == PX_VALUE_INT)
            px_caps_set_int(dst, name, v->a);
        else if (v->type == PX_VALUE_FRACTION)
            px_caps_set_fraction(dst, name, (px_fraction){v->a, v->b});
        else if (v->type == PX_VALUE_STRING)
            px_caps_set_string(dst, name, src->pool + v->str);
    }
}

static int px__fixate(px__neg *ng, px_error *err)
{
    px_pipeline *p = ng->p;
    uint8_t *mark = PX_MALLOC(ng->n);
    px_element **order = PX_MALLOC(ng->n * sizeof *order);
    int rc = PX_OK;
    if (!mark || !order) {
        rc = px_error_set(err, PX_ENOMEM, 0, "out of memory negotiating caps");
        goto out;
    }
    memset(mark, 0, ng->n);
    size_t n = 0;
    for (size_t i = 0; i < ng->n; i++)
        if (p->elements[i]->klass->sink.presence == PX_PAD_NONE)
            px__topo(p->elements[i], mark, order, &n);
    for (size_t i = 0; i < ng->n; i++)
        px_caps_set_empty(&p->elements[i]->caps[PX_DIR_SINK]), px_caps_set_empty(&p->elements[i]->caps[PX_DIR_SRC]);

    for (size_t i = n; i-- > 0 && rc == PX_OK;) { /* sources first */
        px_element *e = order[i];
        px_caps *out = &ng->c[e->index][PX_DIR_SRC];
        if (e->klass->src.presence == PX_PAD_NONE)
            continue;
        /* Downstream preference: the peers' order wins. */
        for (int k = 0; k < e->n_src; k++)
            if (e->src[k].peer) {
                px_caps_intersect(&ng->t2, &ng->c[e->src[k].peer->index][PX_DIR_SINK], out);
                *out = ng->t2;
            }
        /* Preference: the element's fixed input, then its class's wishes for
         * fields the input does not have (a parser's frame rate, ...). */
        px_caps pref;
        const px_caps *prefp = NULL;
        bool have_in = e->klass->sink.presence != PX_PAD_NONE && px_caps_count(&e->caps[PX_DIR_SINK]) > 0;
        if (e->klass->preferred_caps && px_caps_parse(&pref, e->klass->preferred_caps, NULL) == PX_OK) {
            if (have_in)
                px__merge_fields(&pref, &e->caps[PX_DIR_SINK]);
            prefp = &pref;
        } else if (have_in) {
            prefp = &e->caps[PX_DIR_SINK];
        }
        if (!px_caps_is_any(out) && !px_caps_is_empty(out))
            px_caps_fixate(out, prefp);
        e->caps[PX_DIR_SRC] = *out;
        for (int k = 0; k < e->n_src; k++)
            if (e->src[k].peer) {
                px_element *b = e->src[k].peer;
                ng->c[b->index][PX_DIR_SINK] = *out;
                b->caps[PX_DIR_SINK] = *out;
            }
        rc = px__propagate(ng, err);
        if (rc == PX_ELINK)
            rc = px__conflict_error(ng, err);
    }
out:
    PX_FREE(mark);
    PX_FREE(order);
    return rc;
}

static int px__negotiate(px_pipeline *p, px_error *err)
{
    px__neg *ng = PX_MALLOC(sizeof *ng);
    if (!ng)
        return px_error_set(err, PX_ENOMEM, 0, "out of memory negotiating caps");
    memset(ng, 0, sizeof *ng);
    ng->p = p;
    int rc = px__reset(ng, err);
    for (int inserts = 0; rc == PX_OK; inserts++) {
        rc = px__propagate(ng, err);
        if (rc != PX_ELINK)
            break;
        if (p->no_auto_convert || inserts == PX__NEG_MAX_INSERTS || !px__try_converters(ng, err)) {
            rc = px__conflict_error(ng, err);
            break;
        }
        rc = px__reset(ng, err); /* start again from templates: the failed pass narrowed too much */
    }
    if (rc == PX_OK)
        rc = px__fixate(ng, err);
    for (size_t i = 0; i < p->n_elements; i++)
        p->elements[i]->caps_set = rc == PX_OK;
    PX_FREE(ng->c);
    PX_FREE(ng);
    return rc;
}

/* ---- Renegotiation mid-stream: caps events -------------------------------------
 * An element whose output changes while streaming (av1dec at a new sequence
 * header) calls px_element_push_caps() before its first buffer in the new
 * format. The event runs down the chain on the pushing thread, in order with
 * the buffers: queues hold it behind their data (queue.c), elements that
 * pass data unchanged forward it, sinks take it, and transforming elements
 * reconfigure in event() or refuse. Never per buffer. */

/* A caps event: the public px_event first, so px_event_caps() finds the caps. */
typedef struct px__caps_event {
    px_event ev;
    const px_caps *caps;
} px__caps_event;

PX_API const px_caps *px_event_caps(const px_event *ev)
{
    return ev && ev->type == PX_EVENT_CAPS ? ((const px__caps_event *)(const void *)ev)->caps : NULL;
}

static px_flow px__caps_refuse(px_element *el, const px_caps *caps, const char *why)
{
    if (atomic_load(&el->pipeline->error_posted))
        return PX_FLOW_ERROR; /* the element (or another) has said why */
    char was[400], now[400];
    px_caps_to_short_string(&el->caps[PX_DIR_SINK], was, sizeof was);
    px_caps_to_short_string(caps, now, sizeof now);
    px_element_error(el, PX_ENOTSUP, "cannot change caps mid-stream from %s to %s: %s", was, now, why);
    return PX_FLOW_ERROR;
}

static px_flow px__caps_deliver(px_element *el, int sink_pad, const px_caps *caps)
{
    (void)sink_pad; /* all sink pads of an element share its caps */
#if CONFIG_PX_ELEM_QUEUE
    /* A queue's caps go out on its output thread, which writes its source
     * caps meanwhile: the input side queues them without looking. */
    if (el->queue)
        return px__queue_caps(el, caps);
#endif
    if (el->caps_set && px_caps_is_equal(&el->caps[PX_DIR_SINK], caps))
        return PX_FLOW_OK;
    if (px__is_isolated(el))
        return px__caps_refuse(el, caps, "it runs in an isolated process, and caps events do not cross the "
                                         "process boundary yet (run it in-process)");
    const px_element_class *k = el->klass;
    bool sink = k->consume != NULL, pass = !sink && !k->transform_caps && px__passthrough(k);
    px_caps accept;
    if (px__template_caps(el, PX_DIR_SINK, &accept, NULL) == PX_OK && !px_caps_can_intersect(&accept, caps)) {
        char t[400], why[440];
        px_caps_to_short_string(&accept, t, sizeof t);
        snprintf(why, sizeof why, "its sink pad takes only %s", t);
        return px__caps_refuse(el, caps, why);
    }
    if (k->event) {
        px__caps_event ce = {{PX_EVENT_CAPS}, caps};
        int rc = k->event(el, &ce.ev);
        if (rc)
            return px__caps_refuse(el, caps, rc == PX_ENOTSUP ? "it cannot reconfigure while streaming"
                                                              : px_status_str(rc));
    } else if (!sink && !pass) {
        return px__caps_refuse(el, caps, "it cannot reconfigure while streaming (only a new run, prepared "
                                         "again, can take the new format)");
    }
    el->caps[PX_DIR_SINK] = *caps;
    if (!pass) /* a sink, or a transform that pushed its own new output caps in event() */
        return PX_FLOW_OK;
    return px_element_push_caps(el, PX_PAD_ALL, caps);
}

/* Into el's sink pad: serialized with the buffers of an element fed by several threads. */
static px_flow px__caps_send(px_element *el, int sink_pad, const px_caps *caps)
{
#if CONFIG_PX_FANIN && CONFIG_PX_SCHED_THREADS
    if (el->fanin && el->fanin_sync && px__effective_scheduler(el->pipeline) == PX_SCHED_THREADS_RUN) {
        pthread_mutex_lock(&el->fanin_lock);
        px_flow r = px__caps_deliver(el, sink_pad, caps);
        pthread_mutex_unlock(&el->fanin_lock);
        return r;
    }
#endif
    return px__caps_deliver(el, sink_pad, caps);
}

PX_API px_flow px_element_push_caps(px_element *el, int src_pad, const px_caps *caps)
{
    if (!el || !caps)
        return PX_FLOW_ERROR;
#if CONFIG_PX_ISOLATE
    if (px__child.active) {
        px_element_error(el, PX_ENOTSUP, "its output changes mid-stream, but caps events do not cross the "
                         "isolated process boundary yet (run %s in-process)", el->name);
        return PX_FLOW_ERROR;
    }
#endif
    if (!px_caps_is_fixed(caps)) {
        char t[400];
        px_caps_to_short_string(caps, t, sizeof t);
        px_element_error(el, PX_EINVAL, "pushed caps that are not fixed (%s): renegotiation takes one format", t);
        return PX_FLOW_ERROR;
    }
    el->caps[PX_DIR_SRC] = *caps;
    el->caps_set = true;
    px_flow r = PX_FLOW_OK;
    for (int i = 0; i < el->n_src && r == PX_FLOW_OK; i++)
        if (el->src[i].peer && !el->src[i].done && (src_pad == PX_PAD_ALL || src_pad == i))
            r = px__caps_send(el->src[i].peer, el->src[i].peer_pad, &el->caps[PX_DIR_SRC]);
    return r;
}
