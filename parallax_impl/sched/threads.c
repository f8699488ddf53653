/* Threaded scheduling: one streaming thread per source runs its chain, and
 * one per queue runs the chain downstream of the queue's output. */

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
    p->threads = PX_MALLOC((p->n_sources + p->n_queues) * sizeof *p->threads);
    if (!p->threads)
        return px_error_set(err, PX_ENOMEM, 0, "out of memory starting streaming threads");
    p->n_threads = 0;
    /* Queue outputs first, so a source never waits on a consumer not yet born. */
    for (size_t i = 0; i < p->n_queues + p->n_sources; i++) {
        px_element *el = i < p->n_queues ? p->queues[i] : p->sources[i - p->n_queues];
#if CONFIG_PX_ELEM_QUEUE
        void *(*fn)(void *) = i < p->n_queues ? px__queue_thread : px__source_thread;
#else
        void *(*fn)(void *) = px__source_thread;
#endif
        int rc = pthread_create(&p->threads[i], NULL, fn, el);
        if (rc) {
            atomic_store(&p->stopping, true);
            px__wake_all(p);
            px__threads_join(p);
            return px_error_set(err, PX_ENOMEM, 0, "cannot start a streaming thread for %s: %s", el->name,
                                strerror(rc));
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
