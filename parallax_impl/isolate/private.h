/* Isolation internals shared by the isolate sections and the test-only
 * elements (hostile, crash), which sit earlier in parallax.h. Nothing here
 * is API. */

#include <fcntl.h>
#include <linux/membarrier.h> /* ipc.c: channel fences (core/private.h has it only with threads) */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#define PX__ISO_MAGIC 0x4f535850u /* "PXSO" */
#define PX__ISO_VERSION 4u /* 2: 32-entry rings, requests pipelined; 3: entries on lines of their own; 4: channel.fences */
#define PX__ISO_MAX_GROUP 16 /* elements per process */
#define PX__ISO_MAX_IN 4     /* input arenas per element */
#define PX__ISO_MAX_KEEP 8   /* files an element's start() opened */
#define PX__ISO_MAX_MAPS 64  /* writer arenas the zygote maps */
#define PX__ISO_RING 32      /* entries per ring: a window of requests, plus lends */
#define PX__ISO_WINDOW_MAX 16 /* requests in flight per element (px_isolate_policy.window) */
#define PX__ISO_WINDOW_DEFAULT 8
_Static_assert(PX__ISO_WINDOW_MAX < PX__ISO_RING, "a full window leaves room on the ring");
#define PX__ISO_TEXT 480

/* ---- Data plane: slot references in shared rings ------------------------- */

enum {
    PX__OP_PRODUCE = 1,
    PX__OP_PROCESS,
    PX__OP_CONSUME,
    PX__OP_EVENT,
    PX__OP_SHUTDOWN,
    PX__OP_CHAIN,     /* chain(): outputs come back as OUTPUT replies */
    PX__OP_LEND,      /* an output slot the child asked for (out_slot) */
    PX__OP_DONE = 16, /* replies: the call finished */
    PX__OP_NEED,      /* the child needs an output slot */
    PX__OP_OUTPUT,    /* the child pushes out_slot (out_size bytes) on out_pad */
};

typedef struct px__slotref {
    uint32_t op;
    uint32_t element; /* index in the process's group */
    uint32_t in_arena; /* index in the element's inputs */
    uint32_t in_slot;
    uint32_t out_slot;
    uint32_t id; /* request number, echoed by the reply */
    uint64_t in_size;
    uint64_t out_size;
    int64_t pts, dts, duration;
    uint64_t offset, offset_end, sequence;
    uint32_t flags;
    int32_t status; /* reply: px_flow or status; EVENT request: event type */
    int32_t out_pad;
    uint32_t reserved;
} px__slotref;

/* Single producer, single consumer; the consumer may sleep on bell. */
typedef struct px__ring {
    _Alignas(64) _Atomic uint32_t head; /* producer: next entry to write */
    _Alignas(64) _Atomic uint32_t tail; /* consumer: next entry to read */
    _Alignas(64) _Atomic uint32_t sleeping;
    _Atomic uint32_t bell;
    /* Each entry on cache lines of its own: the producer writing entry i+1
     * does not steal the line the consumer is reading entry i from. */
    _Alignas(64) struct {
        px__slotref r;
        uint8_t pad[128 - sizeof(px__slotref)];
    } e[PX__ISO_RING];
} px__ring;

/* One side's end of a ring, in that side's own memory (ipc.c). */
struct px__ring_end {
    uint32_t mine; /* its own index: head (producer) or tail (consumer) */
    uint32_t seen; /* the other side's, as last read */
};

/* Output slots lent ahead to a chain() member (pool.c). The supervisor
 * fills cells; any thread of the child claims one with an exchange, and
 * gives a slot back (its last reference went) through a ret cell, stamped
 * with the number of OUTPUTs pushed before: the supervisor takes a slot
 * back only after it has routed those OUTPUTs. Every word is written by a
 * possibly hostile child: the supervisor checks each against what it lent. */
#define PX__ISO_POOL_CELLS 16 /* slots waiting to be claimed */
#define PX__ISO_POOL_HELD 48  /* slots one member may hold lent at once */

enum { PX__OUT_LENT = 0, PX__OUT_INPUT = 1 }; /* OUTPUT status: where out_slot lives */

typedef struct px__pool {
    _Alignas(64) _Atomic uint32_t cell[PX__ISO_POOL_CELLS]; /* supervisor: slot + 1; 0 = claimed */
    _Alignas(64) _Atomic uint64_t ret[PX__ISO_POOL_HELD];   /* child: stamp << 32 | slot + 1; 0 = empty */
    _Alignas(64) _Atomic uint32_t wanted; /* child: bumped when it found every cell claimed */
    _Atomic uint32_t returned;            /* child: bumped per ret cell written */
    _Atomic uint32_t pushed;              /* child: OUTPUTs pushed so far (the stamp) */
    _Alignas(64) _Atomic uint32_t refill; /* supervisor: bumped after a refill the child asked for */
    _Atomic uint32_t dry;                 /* supervisor: no more slots (stopping or an error) */
} px__pool;

/* One per element process, a memfd mapped by the supervisor and the child. */
typedef struct px__channel {
    uint32_t magic, version, n_elements, ring_size;
    uint32_t fences; /* supervisor, before the spawn: 1 = it is registered for membarrier (ipc.c) */
    _Alignas(64) _Atomic uint32_t child_sleeping; /* the child's doorbell: all req rings */
    _Atomic uint32_t child_bell;
    _Alignas(64) _Atomic int32_t death_syscall; /* the child's SIGSYS handler writes it */
    _Atomic uint32_t death_noted;
    px__ring req[PX__ISO_MAX_GROUP]; /* supervisor -> child */
    px__ring rep[PX__ISO_MAX_GROUP]; /* child -> supervisor */
    _Atomic int32_t downstream[PX__ISO_MAX_GROUP]; /* flow of the last OUTPUT pushed downstream */
    px__pool pool[PX__ISO_MAX_GROUP]; /* chain() members' output slots (pool.c) */
} px__channel;

/* ---- Control plane: fixed-layout messages on SOCK_SEQPACKET --------------- */

enum {
    PX__MSG_HELLO = 1, /* child: ready; value = pid, text = sandbox report */
    PX__MSG_CAPS,      /* supervisor: negotiated caps of element; child: text must match */
    PX__MSG_STATE,     /* child: element accepted the caps (value = 1) */
    PX__MSG_BUFFER_READY, /* reserved for asynchronous producers */
    PX__MSG_ERROR,     /* child: an element error (code, text) */
    PX__MSG_WARNING,
    PX__MSG_SHUTDOWN,
    PX__MSG_COUNT
};

typedef struct px__ctl_msg {
    uint32_t magic;
    uint16_t version;
    uint16_t type;
    uint32_t element;
    int32_t code;
    uint32_t len; /* bytes of text, text[len] == 0 */
    uint32_t dir; /* CAPS: 0 sink, 1 src */
    uint64_t value;
    char text[PX__ISO_TEXT];
} px__ctl_msg;

/* ---- Zygote protocol (supervisor <-> zygote, both trusted, still checked) -- */

enum {
    PX__Z_MAP = 1,  /* map a writer arena read-write (fd attached) */
    PX__Z_SPAWN,    /* fork an element process (fds: control, channel, inputs) */
    PX__Z_KILL,
    PX__Z_MAPPED,   /* replies */
    PX__Z_SPAWNED,
    PX__Z_DIED,     /* a child died: status */
    PX__Z_FAILED,
};

typedef struct px__zmsg {
    uint32_t magic;
    uint16_t version;
    uint16_t type;
    int32_t proc;   /* process index */
    int32_t pid;
    int32_t status; /* DIED: wait status */
    uint32_t uid;   /* SPAWN: uid/gid to run as (0 = keep) */
    uint32_t n_in;
    uint32_t n_out;
    uint32_t map_id; /* MAP: table index */
    uint32_t disable;
    uint32_t profile; /* seccomp profile */
    uint32_t cpu_seconds;
    uint64_t size;   /* MAP: bytes */
    uint64_t memory_limit;
    uint32_t in_members[PX__ISO_MAX_GROUP * PX__ISO_MAX_IN]; /* per input: member * PX__ISO_MAX_IN + k */
    uint32_t in_slots[PX__ISO_MAX_GROUP * PX__ISO_MAX_IN];   /* slot_count of each input */
    uint64_t in_slot_size[PX__ISO_MAX_GROUP * PX__ISO_MAX_IN];
    uint32_t out_maps[PX__ISO_MAX_GROUP]; /* per member: zygote map id of its output, or UINT32_MAX */
    uint64_t out_slot_size[PX__ISO_MAX_GROUP];
    uint32_t out_slots[PX__ISO_MAX_GROUP];
    uint32_t members[PX__ISO_MAX_GROUP];  /* element indexes in the pipeline */
    uint32_t n_members;
    int32_t keep[PX__ISO_MAX_GROUP * PX__ISO_MAX_KEEP];
    uint32_t n_keep;
    uint32_t threads; /* SPAWN: a member may start threads (hints.native_code): no pid namespace */
    char text[256];
} px__zmsg;

enum { PX__PROFILE_COMPUTE = 0, PX__PROFILE_NETWORK = 1 };

/* ---- Inside an element process: what test elements may poke at ---------- */

typedef struct px__child_ctx {
    bool active;       /* this process is an element process */
    int ctl_fd;
    px__channel *chan;
    int uid;
    unsigned disable;
    bool seccomp_on;
    int zygote_pid;         /* its parent (hostile tests aim at it) */
    uint32_t sent;          /* control messages sent while handling the current request */
    int in_fds[PX__ISO_MAX_GROUP * PX__ISO_MAX_IN]; /* read-only input arena fds */
    int n_in_fds;
    uint64_t forge_out_size; /* hostile tests: what a compromised worker would claim */
    int32_t forge_out_pad;
    bool forge;
    bool light; /* membarrier mode of the wake-up handshake (ipc.c), decided once at start */
    char report[PX__ISO_TEXT];
} px__child_ctx;

static px__child_ctx px__child;

/* The child's ends of its rings (px__ring_push/pop, ipc.c): its own
 * indexes and copies of the supervisor's, in its own memory. */
static struct px__ring_end px__child_req[PX__ISO_MAX_GROUP], px__child_rep[PX__ISO_MAX_GROUP];

/* In an element process, chain() elements get their outputs here (chain.c). */
static int px__child_alloc_output(px_element *el, px_buffer *out);
static px_flow px__child_push(px_element *el, int src_pad, px_buffer *buf);

/* pool.c: a chain() member's output slots, child side. */
static int px__pool_take(int member, px_buffer *out);
static void px__pool_give_back(px_arena *a, uint32_t slot);
static _Thread_local bool px__child_main_thread; /* the thread that serves the rings */

/* Sends a raw, unchecked control message from the element process (hostile tests). */
static PX_UNUSED int px__child_send_raw(const void *bytes, size_t len);

/* ---- Supervisor side ------------------------------------------------------- */

typedef struct px__iso px__iso;
typedef struct px__iso_proc px__iso_proc;

/* A request in flight: the proxy keeps its input referenced and its output
 * slot lent until the reply. */
typedef struct px__flight {
    px__slotref req; /* as sent: sent again to a restarted process that never took it */
    px_buffer in;    /* process, consume: the proxy's own reference */
    px_buffer out;   /* process, produce: the slot the child writes */
    uint32_t pos;    /* its index on the request ring */
} px__flight;

/* Takes an isolated element's place in the parent: el->klass points at
 * klass, a copy of the element's class whose callbacks talk to the child. */
typedef struct px__proxy {
    px_element *el;
    const px_element_class *orig;
    px_element_class klass;
    px__iso_proc *proc;
    int member; /* index in proc's group */
    px_arena *inputs[PX__ISO_MAX_IN];
    int n_inputs;
    int keep[PX__ISO_MAX_KEEP]; /* fds start() opened: the child keeps them */
    int n_keep;
    uint32_t next_id;
    uint32_t out_map; /* zygote map id of its output arena, UINT32_MAX = none */
    _Atomic uint8_t *lent; /* chain(): output slots the child holds or may claim (1 per slot) */
    /* The pool of lent slots (pool.c); reset at every spawn. */
    uint32_t pool_fill, pool_cap; /* cells kept filled; most slots lent at once */
    _Atomic uint32_t n_lent;
    uint32_t pool_outputs, pool_returned_seen, pool_wanted_seen; /* OUTPUTs routed; child counters seen */
    bool pool_deferred;  /* a ret cell waits for an OUTPUT not yet routed */
    px_time pool_starved_since;
    px_isolation_stats stats;
    /* Pipelining: process/consume/produce requests in flight, oldest
     * first at fly[fly_tail % PX__ISO_WINDOW_MAX]; replies come in order. */
    px__flight fly[PX__ISO_WINDOW_MAX];
    uint32_t fly_tail, fly_n;
    uint32_t fly_max;     /* high-water mark of fly_n this run (tests) */
    uint32_t window;      /* requests allowed in flight (1: one call at a time) */
    uint32_t fly_gen;     /* process generation they were sent to */
    uint64_t produce_seq; /* producing ahead: sequence of the next request */
    px_flow sticky;       /* EOS or ERROR of an earlier buffer: every later call returns it */
    /* Its ends of member's rings (px__ring_push/pop, ipc.c), of process
     * generation ring_gen (a restart resets the rings). Only the thread
     * that calls the element touches them. */
    uint32_t ring_gen;
    struct px__ring_end req_end, rep_end;
} px__proxy;

struct px__iso_proc {
    px__iso *iso;
    int index;
    char label[PX__NAME_MAX]; /* for messages: its first element's name */
    char key[PX__NAME_MAX];   /* group it stands for ("" = an element of its own) */
    px__proxy *members[PX__ISO_MAX_GROUP];
    int n_members;
    int profile;
    int ctl_fd;  /* supervisor end of the control socket */
    int chan_fd;
    px__channel *chan;
    _Atomic int pid;
    int pidfd;
    uint32_t uid;
    _Atomic uint32_t generation; /* bumped by every restart */
    pthread_mutex_t lock;        /* restarts only: never taken per buffer */
    px_time window_start;
    int window_restarts;
    int died_status; /* from the zygote: wait status of the last death, -1 unknown */
    bool died_oom;
    bool failed; /* gave up: restart limit reached */
    _Atomic bool light; /* membarrier mode of the wake-up handshake (ipc.c): both sides registered */
};

struct px__iso {
    px_isolation mode;
    char *patterns;
    px_isolate_policy policy;
    /* Explicit groups: element index -> group name. */
    struct {
        size_t element;
        char name[PX__NAME_MAX];
    } groups[PX__ISO_MAX_GROUP * 4];
    int n_groups;
    /* This run. */
    bool active;
    int zygote_pid;
    int zygote_fd;
    pthread_mutex_t zlock; /* the zygote socket: spawns and deaths */
    px__iso_proc *procs;
    int n_procs;
    px__proxy *proxies; /* one per pipeline element (unused ones have el == NULL) */
    size_t n_proxies;
    uint32_t next_uid;
    char report[PX__ISO_TEXT];
    bool report_set;
};
