/* elements/io/filesrc.c: reads a file in blocksize buffers. Every buffer is
 * full except the last (reads are repeated until the block is full or the
 * file ends), so the stream cuts the same way whatever the file system's
 * short reads. Buffers carry their byte range in offset/offset_end. */

#include <fcntl.h>
#include <sys/stat.h>

#define FILESRC_BLOCK_LIMIT (64u * 1024 * 1024)

typedef struct {
    char *location;
    uint64_t blocksize;
    int num_buffers;
    /* streaming state */
    int fd;
    uint64_t offset;
    int64_t produced;
    /* negotiation: parsers peek many times (a demuxer walks frame headers) */
    int peek_fd;
    char *peek_path; /* the location peek_fd is open on */
} filesrc;

static int filesrc_init(px_element *el, px_error *err)
{
    filesrc *self = px_element_state(el);

    (void)err;
    self->fd = self->peek_fd = -1;
    return PX_OK;
}

static void filesrc_forget_peek(filesrc *self)
{
    if (self->peek_fd >= 0)
        close(self->peek_fd);
    self->peek_fd = -1;
    PX_FREE(self->peek_path);
    self->peek_path = NULL;
}

static void filesrc_fini(px_element *el)
{
    filesrc_forget_peek(px_element_state(el));
}

/* Lets parsers read the file's header during negotiation, before start()
 * opened it: a descriptor of its own, kept from one peek to the next (a
 * demuxer walking frame headers peeks hundreds of times) until start() or
 * another location; nothing consumed. */
static int filesrc_peek(px_element *el, uint64_t offset, void *dst, size_t size, size_t *got)
{
    filesrc *self = px_element_state(el);
    *got = 0;
    if (!self->location)
        return PX_ENOENT;
    if (self->peek_fd >= 0 && strcmp(self->peek_path, self->location) != 0)
        filesrc_forget_peek(self);
    if (self->peek_fd < 0) {
        size_t len = strlen(self->location) + 1;
        if (!(self->peek_path = PX_MALLOC(len)))
            return PX_ENOMEM;
        memcpy(self->peek_path, self->location, len);
        if ((self->peek_fd = open(self->location, O_RDONLY | O_CLOEXEC)) < 0) {
            filesrc_forget_peek(self);
            return PX_ENOENT;
        }
    }
    ssize_t n;
    do
        n = pread(self->peek_fd, dst, size, (off_t)offset);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return PX_EIO;
    *got = (size_t)n;
    return PX_OK;
}

static int filesrc_start(px_element *el, px_error *err)
{
    filesrc *self = px_element_state(el);
    const char *name = px_element_name(el);
    struct stat st;

    if (!self->location || !*self->location)
        return px_error_set(err, PX_EINVAL, 0, "%s: no location set; set location=FILE", name);
    self->fd = open(self->location, O_RDONLY | O_CLOEXEC);
    /* Negotiation is over. Closed only now: the descriptor start() opens
     * must be a new one (an isolated filesrc's process keeps the
     * descriptors its start() added, and only those). */
    filesrc_forget_peek(self);
    if (self->fd < 0) {
        int e = errno;
        return px_error_set(err, e == ENOENT ? PX_ENOENT : PX_EIO, 0,
                            "%s: cannot open '%s' for reading: %s", name, self->location, strerror(e));
    }
    int e = fstat(self->fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (e) {
        close(self->fd);
        self->fd = -1;
        return px_error_set(err, PX_EIO, 0, "%s: cannot read '%s': %s", name, self->location,
                            strerror(e));
    }
    self->offset = 0;
    self->produced = 0;
    px_element_request_output(el, (size_t)self->blocksize, 0);
    return PX_OK;
}

static void filesrc_stop(px_element *el)
{
    filesrc *self = px_element_state(el);

    if (self->fd >= 0)
        close(self->fd); /* read-only: nothing to lose on close */
    self->fd = -1;
}

static px_flow filesrc_produce(px_element *el, px_buffer *out)
{
    filesrc *self = px_element_state(el);
    size_t want = (size_t)self->blocksize, got = 0;

    if (self->num_buffers >= 0 && self->produced >= self->num_buffers)
        return PX_FLOW_EOS;
    if (want > out->capacity)
        want = out->capacity;
    while (got < want) {
        ssize_t n = read(self->fd, out->data + got, want - got);
        if (n > 0) {
            got += (size_t)n;
        } else if (n == 0) {
            break; /* end of file */
        } else if (errno != EINTR) {
            px_element_error(el, PX_EIO, "cannot read '%s' at offset %llu: %s", self->location,
                             (unsigned long long)(self->offset + got), strerror(errno));
            return PX_FLOW_ERROR;
        }
    }
    if (got == 0)
        return PX_FLOW_EOS;
    out->size = got;
    out->offset = self->offset;
    out->offset_end = self->offset + got;
    self->offset += got;
    self->produced++;
    return PX_FLOW_OK;
}

/* Pipes, FIFOs, sockets and terminals: the rt reactor waits for data. */
static int filesrc_poll_fd(px_element *el, unsigned *events)
{
    filesrc *self = px_element_state(el);
    *events = PX_POLL_IN;
    return self->fd;
}

PX_ELEMENT_CLASS(filesrc) = {
    .name = "filesrc",
    .family = "Source/File",
    .description = "Reads a file in blocksize buffers",
    .state_size = sizeof(filesrc),
    .src = PX_PAD_ALWAYS("ANY"),
    .hints = {.processing = PX_WORK_IO},
    .init = filesrc_init,
    .fini = filesrc_fini,
    .start = filesrc_start,
    .stop = filesrc_stop,
    .produce = filesrc_produce,
    .peek = filesrc_peek,
    .poll_fd = filesrc_poll_fd,
    .props = PX_PROPS(
        PX_PROP_STRING(filesrc, location, NULL, "Path of the file to read (required)"),
        PX_PROP_UINT64(filesrc, blocksize, 1, FILESRC_BLOCK_LIMIT, 4096,
                       "Bytes per buffer; every buffer is full except the last"),
        PX_PROP_INT(filesrc, num_buffers, -1, INT32_MAX, -1,
                    "Number of buffers to output before sending EOS (-1 = until end of file)")),
};
