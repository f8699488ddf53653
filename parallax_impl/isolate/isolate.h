/* Process isolation: elements in sandboxed processes, buffers zero-copy.
 *
 *   px_pipeline_set_isolation(p, PX_ISOLATE_ALL, NULL, &err);        every element
 *   px_pipeline_set_isolation(p, PX_ISOLATE_PATTERNS, "*dec*,*demux*", &err);
 *   px_pipeline_set_isolation(p, PX_ISOLATE_AUTO, NULL, &err);       by hints
 *   px_element_set_isolation_group(el, "codecs", &err);              explicit groups
 *
 * An isolated element runs in its own process (or its group's), forked by a
 * zygote that px_pipeline_prepare() forks after the elements have started
 * and before any streaming thread or arena exists. The element process keeps
 * only its control socket, its arena mappings (inputs read-only and sealed)
 * and the files its start() opened; it runs as its own uid (when started as
 * root) in new mount/network/IPC/PID namespaces, under resource limits and a
 * seccomp filter (CONFIG_PX_SANDBOX_SECCOMP). In the parent a proxy takes the
 * element's place: per buffer it hands slot references over a shared ring and
 * gets the results back. A child that dies is restarted with backoff; the
 * buffer in flight is counted as dropped. */

typedef enum px_isolation {
    PX_ISOLATE_NONE = 0, /* in-process (default) */
    PX_ISOLATE_ALL,      /* every element in a process of its own */
    PX_ISOLATE_PATTERNS, /* elements whose name or factory matches a pattern share one process */
    PX_ISOLATE_AUTO,     /* elements hinted untrusted or native_code, each in its own process */
} px_isolation;

/* Defenses a test can switch off one at a time (px_isolate_policy.disable,
 * or PX_ISOLATE_DISABLE=seals,uid,seccomp,namespaces,limits,cgroup,membarrier in the environment). */
enum {
    PX_ISOLATE_NO_SEALS = 1u << 0,      /* arenas handed to readers are not sealed F_SEAL_FUTURE_WRITE */
    PX_ISOLATE_NO_UID = 1u << 1,        /* no uid change and no fchmod 0600 */
    PX_ISOLATE_NO_SECCOMP = 1u << 2,    /* no syscall filter */
    PX_ISOLATE_NO_NAMESPACES = 1u << 3, /* no unshare() */
    PX_ISOLATE_NO_LIMITS = 1u << 4,     /* no memory or CPU limit */
    PX_ISOLATE_NO_CGROUP = 1u << 5,     /* memory limit by RLIMIT_AS even where a cgroup would do */
    PX_ISOLATE_NO_MEMBARRIER = 1u << 6, /* full fences on both sides of every wake-up handshake (no membarrier) */
};

typedef struct px_isolate_policy {
    int max_restarts;       /* restarts allowed within window_ms, then a pipeline error (default 5) */
    int window_ms;          /* default 10000 */
    int backoff_ms;         /* first restart delay, doubled per restart in the window, max 1 s (default 0) */
    int timeout_ms;         /* a child taking longer per buffer is killed (0 = no limit; default 0) */
    uint64_t memory_limit;  /* bytes per element process (default 256 MiB; 0 = none) */
    int cpu_seconds;        /* RLIMIT_CPU per element process (0 = none; default 0) */
    unsigned disable;       /* PX_ISOLATE_NO_* (tests only) */
    /* Requests in flight per isolated element, 1 to 16 (0 = default 8): a
     * filter or sink is handed buffer N+1 before buffer N's reply, a source
     * produces ahead. Live or low-latency streams and chain() elements run
     * one call at a time. Each step adds that many slots to the arenas
     * around the element. */
    int window;
} px_isolate_policy;

/* patterns: comma-separated globs (fnmatch) matched against element names
 * and factory names; needed for PX_ISOLATE_PATTERNS, ignored otherwise.
 * Call before prepare. */
PX_API int px_pipeline_set_isolation(px_pipeline *p, px_isolation mode, const char *patterns, px_error *err);
/* Elements given the same group name share one sandboxed process (implies
 * isolation for them whatever the pipeline's mode); NULL removes it. */
PX_API int px_element_set_isolation_group(px_element *el, const char *group, px_error *err);
PX_API int px_pipeline_set_isolation_policy(px_pipeline *p, const px_isolate_policy *policy, px_error *err);
PX_API void px_isolate_policy_defaults(px_isolate_policy *policy);

typedef struct px_isolation_stats {
    bool isolated;         /* runs in a sandboxed process this run */
    int pid;               /* its process now (0 when not running) */
    uint32_t restarts;     /* how often it was restarted */
    uint64_t crash_drops;  /* buffers lost in a crash (also in px_element_stats.drops) */
    int last_signal;       /* signal of the last death, 0 = none */
    char last_reason[128]; /* "SIGSEGV", "SIGSYS (seccomp: execve)", "timeout after 200 ms", ... */
} px_isolation_stats;

PX_API int px_element_get_isolation_stats(const px_element *el, px_isolation_stats *stats);
/* One line per defense saying what this host gave the last element process
 * (e.g. "seccomp: compute profile, 37 syscalls"); empty before a run. */
PX_API const char *px_isolate_report(const px_pipeline *p);
