/* Threaded scheduling: one streaming thread per source runs its chain. */

static void *px__source_thread(void *arg)
{
    px_element *src = arg;
    px__bind_chain(src);
    while (px__source_step(src))
        ;
    return NULL;
}

static int px__threads_start(px_pipeline *p, px_error *err)
{
    p->threads = PX_MALLOC(p->n_sources * sizeof *p->threads);
    if (!p->threads)
        return px_error_set(err, PX_ENOMEM, 0, "out of memory starting streaming threads");
    p->n_threads = 0;
    for (size_t i = 0; i < p->n_sources; i++) {
        int rc = pthread_create(&p->threads[i], NULL, px__source_thread, p->sources[i]);
        if (rc) {
            atomic_store(&p->stopping, true);
            px__threads_join(p);
            return px_error_set(err, PX_ENOMEM, 0, "cannot start a streaming thread for %s: %s",
                                p->sources[i]->name, strerror(rc));
        }
        p->n_threads++;
    }
    return PX_OK;
}

static void px__threads_join(px_pipeline *p)
{
    for (size_t i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    p->n_threads = 0;
    PX_FREE(p->threads);
    p->threads = NULL;
}
