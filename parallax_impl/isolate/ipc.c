/* IPC between the supervisor, the zygote and element processes.
 *
 * Control: SOCK_SEQPACKET (message boundaries kept, one read = one message)
 * with fixed-layout versioned messages; a message from a child is hostile
 * until checked field by field. Data: SPSC rings of slot references in a
 * shared memfd. A consumer that finds its ring empty sets a flag and sleeps
 * on a futex; a producer makes the wake syscall only when that flag is set.
 * The futex words live in memory shared between processes, so the calls
 * never use FUTEX_PRIVATE_FLAG. */

#include <sys/syscall.h>
#include <sys/uio.h>

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif


static void px__cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* ---- Rings ------------------------------------------------------------------ */

/* Asks for both lines of a ring entry in a state this core can write. */
static inline void px__prefetch_w(const void *entry)
{
#if defined(__x86_64__)
    __asm__ __volatile__("prefetchw (%0)\n\tprefetchw 64(%0)" : : "r"(entry));
#else
    __builtin_prefetch(entry, 1, 3);
    __builtin_prefetch((const char *)entry + 64, 1, 3);
#endif
}

/* Each side keeps its own index (mine: head for a producer, tail for a
 * consumer) and a copy of the other side's (seen) in memory the other side
 * cannot write, and reads the shared index only when the copy says the
 * ring is full (producer) or empty (consumer): a push or pop then touches
 * the entry's lines and stores its own index, never loads the line the
 * other side keeps writing. The shared copy of one's own index is only
 * published, never read back (a hostile peer may have scribbled on it). A
 * copy is trusted only within (0, RING] of mine; anything else (an index a
 * hostile peer forged) reloads the shared one and checks it, so an entry
 * read or written is always one the ring holds. */
static bool px__ring_push(px__ring *r, struct px__ring_end *e, const px__slotref *m)
{
    if (e->mine - e->seen >= PX__ISO_RING) {
        e->seen = atomic_load_explicit(&r->tail, memory_order_acquire);
        if (e->mine - e->seen >= PX__ISO_RING)
            return false;
    }
    r->e[e->mine % PX__ISO_RING].r = *m;
    atomic_store_explicit(&r->head, ++e->mine, memory_order_release);
    /* The next entry's lines, for writing: the consumer read them a ring
     * ago, and taking them over now keeps the next push from waiting. */
    px__prefetch_w(&r->e[e->mine % PX__ISO_RING]);
    return true;
}

/* A look at the producer's index found entries [mine, seen): their lines
 * are asked for at once rather than one pop after the other. */
static void px__ring_prefetch(px__ring *r, const struct px__ring_end *e)
{
    for (uint32_t i = e->mine; i != e->seen; i++) {
        __builtin_prefetch(&r->e[i % PX__ISO_RING], 0, 3);
        __builtin_prefetch((const char *)&r->e[i % PX__ISO_RING] + 64, 0, 3);
    }
}

/* Returns 1 with an entry, 0 when empty, -1 when the producer's index is
 * impossible (a hostile or corrupt peer). */
static int px__ring_pop(px__ring *r, struct px__ring_end *e, px__slotref *m)
{
    if (e->seen - e->mine - 1u >= PX__ISO_RING) { /* empty by the copy, or the copy is not to be trusted */
        e->seen = atomic_load_explicit(&r->head, memory_order_acquire);
        if (e->seen == e->mine)
            return 0;
        if (e->seen - e->mine > PX__ISO_RING)
            return -1;
        px__ring_prefetch(r, e);
    }
    *m = r->e[e->mine % PX__ISO_RING].r; /* copied out before anything looks at it */
    atomic_store_explicit(&r->tail, ++e->mine, memory_order_release);
    return 1;
}

/* false when an entry waits (or the producer's index is impossible, which
 * the pop then reports). */
static bool px__ring_empty(px__ring *r, struct px__ring_end *e)
{
    if (e->seen - e->mine - 1u < PX__ISO_RING)
        return false;
    e->seen = atomic_load_explicit(&r->head, memory_order_acquire);
    if (e->seen - e->mine - 1u < PX__ISO_RING)
        px__ring_prefetch(r, e);
    return e->seen == e->mine;
}

/* The sleep/wake handshake across processes (Dekker): the side that is
 * about to sleep stores its flag and then takes a last look at the ring;
 * the flowing side stores its ring index and then looks at the flag. Each
 * needs a store-load fence. With membarrier (Linux 4.16+, every process of
 * a run registered for MEMBARRIER_CMD_GLOBAL_EXPEDITED, channel.fences = 1
 * and the child's HELLO saying it registered), the side about to sleep pays
 * for both: its membarrier() makes every running thread of the registered
 * processes execute a full barrier, so the flowing side, once per buffer,
 * needs only a compiler barrier (px__fence_light/heavy with
 * PX__FENCES_PROCESSES, private.h). Otherwise both sides use full fences. Both sides
 * agree on the mode before the first buffer; a side that cannot keep to it
 * sleeps in short steps, so a wake-up missed is late, never lost. */
static bool px__iso_mb;
static pthread_once_t px__iso_mb_once = PTHREAD_ONCE_INIT;

static void px__iso_mb_probe(void)
{
#ifndef PX__TSAN /* under ThreadSanitizer: full fences, which it can follow */
    long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    px__iso_mb = cmds > 0 && (cmds & MEMBARRIER_CMD_GLOBAL_EXPEDITED) &&
                 (cmds & MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED) &&
                 syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0, 0) == 0;
#endif
}

/* Supervisor: true once this process is registered (then children may be
 * told to use light fences). */
static bool px__iso_membarrier(void)
{
    pthread_once(&px__iso_mb_once, px__iso_mb_probe);
    return px__iso_mb;
}

/* Moves the bell on and wakes whoever sleeps on it (another process). */
static void px__bell_ring(_Atomic uint32_t *bell)
{
    atomic_fetch_add_explicit(bell, 1, memory_order_release);
    px__futex_wake_on(bell, true); /* shared: the sleeper is another process */
}

/* After a push: ring the consumer's bell only if it sleeps. */
static void px__notify(_Atomic uint32_t *sleeping, _Atomic uint32_t *bell, px__fences f)
{
    px__fence_light(f);
    if (atomic_load_explicit(sleeping, memory_order_relaxed))
        px__bell_ring(bell);
}

static void px__channel_init(px__channel *c, uint32_t n)
{
    memset(c, 0, sizeof *c);
    c->magic = PX__ISO_MAGIC;
    c->version = PX__ISO_VERSION;
    c->n_elements = n;
    c->ring_size = PX__ISO_RING;
    atomic_store(&c->death_syscall, -1);
}

/* ---- Control messages --------------------------------------------------------- */

static void px__ctl_fill(px__ctl_msg *m, int type, uint32_t element, int code, const char *text)
{
    memset(m, 0, sizeof *m);
    m->magic = PX__ISO_MAGIC;
    m->version = PX__ISO_VERSION;
    m->type = (uint16_t)type;
    m->element = element;
    m->code = code;
    if (text) {
        size_t n = strlen(text);
        if (n >= sizeof m->text)
            n = sizeof m->text - 1;
        memcpy(m->text, text, n);
        m->len = (uint32_t)n;
    }
}

static int px__ctl_send(int fd, const px__ctl_msg *m)
{
    for (;;) {
        ssize_t n = send(fd, m, sizeof *m, MSG_NOSIGNAL);
        if (n == (ssize_t)sizeof *m)
            return PX_OK;
        if (n < 0 && errno == EINTR)
            continue;
        return PX_EIO;
    }
}

/* Checks a message read from a child; fills why (for the error) on failure. */
static bool px__ctl_valid(const px__ctl_msg *m, ssize_t got, uint32_t n_elements, char *why, size_t why_size)
{
    if (got != (ssize_t)sizeof *m) {
        snprintf(why, why_size, "control message of %zd bytes (expected %zu)", got, sizeof *m);
        return false;
    }
    if (m->magic != PX__ISO_MAGIC || m->version != PX__ISO_VERSION) {
        snprintf(why, why_size, "control message with magic 0x%08x version %u (expected 0x%08x version %u)",
                 (unsigned)m->magic, (unsigned)m->version, (unsigned)PX__ISO_MAGIC, (unsigned)PX__ISO_VERSION);
        return false;
    }
    if (m->type == 0 || m->type >= PX__MSG_COUNT) {
        snprintf(why, why_size, "control message of unknown type %u (accepted 1 to %d)", (unsigned)m->type,
                 PX__MSG_COUNT - 1);
        return false;
    }
    if (m->element >= n_elements) {
        snprintf(why, why_size, "control message for element %u of a %u-element process", (unsigned)m->element,
                 (unsigned)n_elements);
        return false;
    }
    if (m->len >= sizeof m->text || m->text[m->len] != '\0' || memchr(m->text, '\0', m->len)) {
        snprintf(why, why_size, "control message text length %u does not match its bytes (at most %zu)",
                 (unsigned)m->len, sizeof m->text - 1);
        return false;
    }
    return true;
}

/* Reads one message, waiting up to timeout_ms (-1 forever). Returns bytes,
 * 0 at EOF, -1 on error or timeout (errno ETIMEDOUT). */
static ssize_t px__ctl_recv(int fd, px__ctl_msg *m, int timeout_ms)
{
    struct pollfd pfd = {fd, POLLIN, 0};
    for (;;) {
        /* Forever: a blocking read (element processes may not poll). */
        int r = timeout_ms < 0 ? 1 : poll(&pfd, 1, timeout_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        if (r < 0)
            return -1;
        /* One byte more than a message: a longer datagram shows as MSG_TRUNC. */
        struct iovec iov = {m, sizeof *m};
        struct msghdr mh;
        memset(&mh, 0, sizeof mh);
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        ssize_t n = recvmsg(fd, &mh, (timeout_ms < 0 ? 0 : MSG_DONTWAIT) | MSG_CMSG_CLOEXEC);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n > 0 && (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
            return (ssize_t)sizeof *m + 1; /* fails the size check */
        return n;
    }
}

/* ---- Passing fds (SCM_RIGHTS) ---------------------------------------------------- */

#define PX__MAX_FDS 64

static int px__send_fds(int sock, const void *msg, size_t len, const int *fds, int n)
{
    union {
        char buf[CMSG_SPACE(sizeof(int) * PX__MAX_FDS)];
        struct cmsghdr align;
    } u;
    struct iovec iov = {(void *)msg, len};
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    if (n > 0) {
        if (n > PX__MAX_FDS)
            return PX_EINVAL;
        memset(&u, 0, sizeof u);
        mh.msg_control = u.buf;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n);
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)n);
    }
    for (;;) {
        ssize_t r = sendmsg(sock, &mh, MSG_NOSIGNAL);
        if (r == (ssize_t)len)
            return PX_OK;
        if (r < 0 && errno == EINTR)
            continue;
        return PX_EIO;
    }
}

/* Receives one message of exactly len bytes and up to max fds. Any
 * truncation (MSG_TRUNC, MSG_CTRUNC: fds the kernel dropped) fails, and
 * every fd that did arrive is closed. Returns the number of fds or < 0. */
static int px__recv_fds(int sock, void *msg, size_t len, int *fds, int max, int timeout_ms)
{
    union {
        char buf[CMSG_SPACE(sizeof(int) * PX__MAX_FDS)];
        struct cmsghdr align;
    } u;
    struct pollfd pfd = {sock, POLLIN, 0};
    for (;;) {
        int pr = poll(&pfd, 1, timeout_ms);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            return pr == 0 ? PX_ETIMEDOUT : PX_EIO;
        struct iovec iov = {msg, len};
        struct msghdr mh;
        memset(&mh, 0, sizeof mh);
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = u.buf;
        mh.msg_controllen = sizeof u.buf;
        ssize_t r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r == 0)
            return PX_EIO; /* peer gone */
        if (r < 0)
            return PX_EIO;
        int n = 0;
        bool bad = r != (ssize_t)len || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC));
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                continue;
            size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            int tmp[PX__MAX_FDS];
            if (k > PX__MAX_FDS)
                k = PX__MAX_FDS;
            memcpy(tmp, CMSG_DATA(c), k * sizeof(int));
            for (size_t i = 0; i < k; i++) {
                if (n < max && !bad)
                    fds[n++] = tmp[i];
                else
                    close(tmp[i]);
            }
        }
        if (bad) {
            for (int i = 0; i < n; i++)
                close(fds[i]);
            return PX_EIO;
        }
        return n;
    }
}

/* Seals a memfd handed to readers: no writable mapping or write() from now
 * on (F_SEAL_FUTURE_WRITE keeps the mappings that already exist), no size
 * change, no seal change. */
static int px__seal_for_readers(int fd, bool future_write)
{
    int want = F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL | (future_write ? F_SEAL_FUTURE_WRITE : 0);
    int have = fcntl(fd, F_GET_SEALS);
    if (have < 0)
        return PX_EIO;
    if ((have & want) == want)
        return PX_OK;
    if (have & F_SEAL_SEAL)
        return PX_EIO;
    return fcntl(fd, F_ADD_SEALS, want & ~have) == 0 ? PX_OK : PX_EIO;
}

/* Checks the seals of a received fd; false with why when one is missing. */
static bool px__seals_ok(int fd, bool future_write, char *why, size_t size)
{
    int want = F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL | (future_write ? F_SEAL_FUTURE_WRITE : 0);
    int have = fcntl(fd, F_GET_SEALS);
    if (have < 0 || (have & want) != want) {
        snprintf(why, size, "arena fd %d has seals 0x%x, needs 0x%x (GROW|SHRINK|SEAL%s)", fd, have < 0 ? 0 : have,
                 want, future_write ? "|FUTURE_WRITE" : "");
        return false;
    }
    return true;
}

static PX_UNUSED int px__child_send_raw(const void *bytes, size_t len)
{
    if (!px__child.active)
        return PX_ESTATE;
    if (send(px__child.ctl_fd, bytes, len, MSG_NOSIGNAL) != (ssize_t)len)
        return PX_EIO;
    px__child.sent++;
    return PX_OK;
}
