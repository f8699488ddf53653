/* Graphviz view of the pipeline: elements, links and, once prepared, the
 * negotiated caps on each link. Converters that negotiation inserted are
 * drawn dashed so users see what was added for them. */

PX_API int px_pipeline_to_dot(px_pipeline *p, char *buf, size_t size)
{
    size_t len = 0;
    px__json_add(buf, size, &len, "digraph pipeline {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n");
    for (size_t i = 0; i < p->n_elements; i++) {
        px_element *el = p->elements[i];
        px__json_add(buf, size, &len, "  \"%s\" [label=\"%s\\n(%s)\"%s];\n", el->name, el->name, el->klass->name,
                     el->auto_inserted ? ", style=dashed" : "");
    }
    for (size_t i = 0; i < p->n_elements; i++) {
        px_element *el = p->elements[i];
        for (int k = 0; k < el->n_src; k++) {
            px_element *b = el->src[k].peer;
            if (!b)
                continue;
            char caps[512] = ""; /* stays empty without CONFIG_PX_CAPS: nothing is negotiated */
#if CONFIG_PX_CAPS
            if (el->caps_set)
                px_caps_to_short_string(&el->caps[PX_DIR_SRC], caps, sizeof caps);
#endif
            for (char *c = caps; *c; c++) /* dot strings: keep quotes out */
                if (*c == '"')
                    *c = '\'';
            px__json_add(buf, size, &len, "  \"%s\" -> \"%s\" [taillabel=\"%s\", headlabel=\"%s\", label=\"%s\"];\n",
                         el->name, b->name, el->src[k].name, b->sink[el->src[k].peer_pad].name, caps);
        }
    }
    px__json_add(buf, size, &len, "}\n");
    return len < size ? PX_OK : PX_ENOMEM;
}
