/* elements/io/filesink.c: writes every buffer to a file. Nothing is buffered
 * in user space (each buffer is one write(2) loop), so EOS only has to close
 * the file, and a close() error (NFS, quota) still fails the pipeline. */

#include <fcntl.h>

typedef struct {
    char *location;
    bool append;
    int fd;
} filesink;

static int filesink_init(px_element *el, px_error *err)
{
    filesink *self = px_element_state(el);

    (void)err;
    self->fd = -1;
    return PX_OK;
}

static int filesink_start(px_element *el, px_error *err)
{
    filesink *self = px_element_state(el);
    const char *name = px_element_name(el);
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (self->append ? O_APPEND : O_TRUNC);

    if (!self->location || !*self->location)
        return px_error_set(err, PX_EINVAL, 0, "%s: no location set; set location=FILE", name);
    self->fd = open(self->location, flags, 0666);
    if (self->fd < 0) {
        int e = errno;
        return px_error_set(err, e == ENOENT ? PX_ENOENT : PX_EIO, 0,
                            "%s: cannot open '%s' for writing: %s", name, self->location, strerror(e));
    }
    return PX_OK;
}

/* Closes and reports a failure on the bus; returns 0 or PX_EIO. */
static int filesink_close(px_element *el)
{
    filesink *self = px_element_state(el);
    int fd = self->fd;

    self->fd = -1;
    if (fd >= 0 && close(fd) != 0 && errno != EINTR) { /* EINTR: Linux closed it anyway */
        px_element_error(el, PX_EIO, "cannot close '%s': %s", self->location, strerror(errno));
        return PX_EIO;
    }
    return PX_OK;
}

static px_flow filesink_consume(px_element *el, const px_buffer *in)
{
    filesink *self = px_element_state(el);
    size_t done = 0;

    while (done < in->size) {
        ssize_t n = write(self->fd, in->data + done, in->size - done);
        if (n > 0) {
            done += (size_t)n;
        } else if (n == 0 || errno != EINTR) {
            if (n == 0)
                errno = ENOSPC; /* write(2) made no progress: treat as a full device */
            px_element_error(el, PX_EIO, "cannot write to '%s': %s", self->location, strerror(errno));
            return PX_FLOW_ERROR;
        }
    }
    return PX_FLOW_OK;
}

static int filesink_event(px_element *el, const px_event *ev)
{
    return ev->type == PX_EVENT_EOS ? filesink_close(el) : PX_OK;
}

static void filesink_stop(px_element *el)
{
    filesink_close(el); /* error or interrupted run: the file stays as written so far */
}

/* Pipes, FIFOs, sockets and terminals: the rt reactor waits until they take data. */
static int filesink_poll_fd(px_element *el, unsigned *events)
{
    filesink *self = px_element_state(el);
    *events = PX_POLL_OUT;
    return self->fd;
}

PX_ELEMENT_CLASS(filesink) = {
    .name = "filesink",
    .family = "Sink/File",
    .description = "Writes the stream to a file",
    .state_size = sizeof(filesink),
    .sink = PX_PAD_ALWAYS("ANY"),
    .hints = {.processing = PX_WORK_IO},
    .init = filesink_init,
    .start = filesink_start,
    .stop = filesink_stop,
    .consume = filesink_consume,
    .event = filesink_event,
    .poll_fd = filesink_poll_fd,
    .props = PX_PROPS(
        PX_PROP_STRING(filesink, location, NULL, "Path of the file to write (required)"),
        PX_PROP_BOOL(filesink, append, false,
                     "Append to the file instead of truncating it (created when missing)")),
};
