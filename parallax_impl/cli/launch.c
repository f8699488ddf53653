/* parallax-launch: run a pipeline description, gst-launch style.
 *
 *   parallax-launch 'fakesrc num-buffers=1000 ! fakesink'
 *   parallax-launch --inspect fakesrc
 *
 * Exit codes: 0 EOS, 1 runtime or parse error, 2 usage. Built from
 * parallax.h alone, like any application. */

#define PARALLAX_IMPLEMENTATION
#include "parallax.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *prog = "parallax-launch";

static void usage(FILE *to)
{
    fprintf(to,
            "usage: %s [OPTIONS] PIPELINE-DESCRIPTION\n"
            "       %s --list-elements | --inspect ELEMENT\n"
            "\n"
            "Runs a pipeline until end of stream, e.g.\n"
            "  %s 'fakesrc num-buffers=100 ! fakesink'\n"
            "\n"
            "options:\n"
            "  -q, --quiet            print nothing but errors\n"
            "  -v, --verbose          live progress on a terminal, and a summary per element\n"
            "  --stats-json=FILE      write the final figures as JSON\n"
            "  --scheduler=NAME       coop (one thread, queues in round robin), threads (one per\n"
            "                         source and per queue; the default), rt (driver cycles:\n"
            "                         RT-safe elements on an RT thread, I/O on a reactor), or\n"
            "                         auto (from the elements' hints); PARALLAX_SCHEDULER=NAME\n"
            "                         sets the default\n"
            "  --period=USEC          rt: the driver's period in microseconds (default 1000)\n"
            "  --quantum=N            rt: buffers each RT-safe source makes per cycle (default 1)\n"
            "  --stats-interval=MS    -v: refresh the progress line every MS milliseconds (default 200)\n"
            "  --no-auto-convert      report format conflicts instead of inserting converters\n"
            "  --dot=FILE             write the negotiated graph (Graphviz) after prepare\n"
#if CONFIG_PX_ISOLATE
            "  --isolated             run every element in its own sandboxed process\n"
            "  --isolate=PATTERNS     elements matching these globs ('*dec*,*demux*') share one sandboxed process\n"
            "  --auto-isolate         isolate elements hinted untrusted or native code\n"
            "  --max-restarts=N       restarts of a crashed element within 10 s before failing (default 5)\n"
            "  --isolate-timeout=MS   kill an element process that takes longer per buffer\n"
#endif
            "  --list-elements        list the elements this build has\n"
            "  --inspect=ELEMENT      describe an element: pads, properties, hints\n"
            "  --version              print version and compiled-in options\n"
            "  -h, --help             this text\n"
            "\n"
            "exit status: 0 end of stream, 1 error, 2 usage\n",
            prog, prog, prog);
}

/* ---- --list-elements and --inspect ---------------------------------------- */

static void prop_display_name(const char *name, char *out, size_t size)
{
    size_t i = 0;
    for (; name[i] && i + 1 < size; i++)
        out[i] = name[i] == '_' ? '-' : name[i];
    out[i] = '\0';
}

static int list_elements(void)
{
    const px_element_class *k;
    for (size_t i = 0; (k = px_element_class_at(i)) != NULL; i++)
        printf("%-16s %-18s %s\n", k->name, k->family, k->description);
    return 0;
}

static const char *presence_name(px_pad_presence p)
{
    switch (p) {
    case PX_PAD_ALWAYS_PRESENT: return "always";
    case PX_PAD_ON_REQUEST: return "on request";
    case PX_PAD_SOMETIMES_PRESENT: return "sometimes";
    default: return "none";
    }
}

static void print_pad(const char *dir, const px_pad_template *t)
{
    if (t->presence == PX_PAD_NONE)
        return;
    printf("  %s '%s'  (%s)\n    %s\n", dir, t->name ? t->name : (dir[1] == 'R' ? "src" : "sink"),
           presence_name(t->presence), t->caps ? t->caps : "ANY");
}

static void print_prop(const px_prop *pr)
{
    char name[64];
    prop_display_name(pr->name, name, sizeof name);
    printf("  %-18s %s%s%s\n", name, pr->description ? pr->description : "",
           pr->flags & PX_PROP_FLAG_READONLY ? " (read-only)" : "",
           pr->flags & PX_PROP_FLAG_MUTABLE ? " (changeable while running)" : "");
    switch (pr->type) {
    case PX_PROP_BOOL:
        printf("  %-18s boolean, default %s\n", "", pr->idef ? "true" : "false");
        break;
    case PX_PROP_INT:
        printf("  %-18s integer in [%lld, %lld], default %lld\n", "", (long long)pr->imin, (long long)pr->imax,
               (long long)pr->idef);
        break;
    case PX_PROP_INT64:
        printf("  %-18s 64-bit integer in [%lld, %lld], default %lld\n", "", (long long)pr->imin,
               (long long)pr->imax, (long long)pr->idef);
        break;
    case PX_PROP_UINT64:
        printf("  %-18s unsigned 64-bit in [%llu, %llu], default %llu\n", "", (unsigned long long)pr->imin,
               (unsigned long long)pr->imax, (unsigned long long)pr->idef);
        break;
    case PX_PROP_DOUBLE:
        printf("  %-18s number in [%g, %g], default %g\n", "", pr->dmin, pr->dmax, pr->ddef);
        break;
    case PX_PROP_STRING:
        printf("  %-18s string, default %s%s%s\n", "", pr->sdef ? "\"" : "", pr->sdef ? pr->sdef : "none",
               pr->sdef ? "\"" : "");
        break;
    case PX_PROP_PAD:
        printf("  %-18s %s pad name (e.g. %s0, or its number), default none (the first linked)\n", "",
               pr->imin ? "src" : "sink", pr->imin ? "src_" : "sink_");
        break;
    case PX_PROP_FRACTION:
        printf("  %-18s fraction in [%d/%d, %d/%d], default %d/%d\n", "", pr->fmin.num, pr->fmin.den,
               pr->fmax.num, pr->fmax.den, pr->fdef.num, pr->fdef.den);
        break;
    case PX_PROP_ENUM: {
        const char *def = "?";
        for (const px_enum_value *e = pr->enums; e && e->nick; e++)
            if (e->value == pr->idef)
                def = e->nick;
        printf("  %-18s enum, default %s\n", "", def);
        for (const px_enum_value *e = pr->enums; e && e->nick; e++)
            printf("  %-18s   (%d) %-14s %s\n", "", e->value, e->nick, e->description ? e->description : "");
        break;
    }
    }
}

static int inspect(const char *name)
{
    const px_element_class *k = px_find_element(name);
    if (!k) {
        px_pipeline *p = px_pipeline_new();
        px_error err = {0};
        if (p)
            px_pipeline_add(p, name, NULL, &err); /* for the did-you-mean hint */
        px_pipeline_free(p);
        fprintf(stderr, "%s: %s\n", prog, err.message[0] ? err.message : "out of memory");
        return 1;
    }
    static const char *const trust[] = {"trusted", "semi-trusted", "untrusted"};
    static const char *const work[] = {"cpu", "io", "memory"};
    static const char *const latency[] = {"normal", "low", "relaxed"};
    printf("%s: %s\n  family       %s\n", k->name, k->description, k->family);
    printf("  kind         %s%s\n", k->produce ? "source" : k->consume ? "sink" : "filter",
           k->in_place ? " (in place)" : "");
    printf("\nHints:\n  trust        %s\n  processing   %s\n  latency      %s\n  native code  %s\n"
           "  rt-safe      %s\n",
           trust[k->hints.trust], work[k->hints.processing], latency[k->hints.latency],
           k->hints.native_code ? "yes" : "no", k->hints.rt_safe ? "yes" : "no");
    printf("\nPads:\n");
    print_pad("SINK", &k->sink);
    print_pad("SRC", &k->src);
    printf("\nProperties:\n");
    printf("  %-18s %s\n  %-18s string, default \"%s<n>\" (numbered per factory)\n", "name", "The element's name in the pipeline", "",
           k->name);
    if (k->produce && CONFIG_PX_FLOW_POLICIES) /* every source has these two, kept by the runtime */
        printf("  %-18s %s\n  %-18s enum, default block (drop for live sources)\n"
               "  %-18s   block: wait (backpressure), drop: drop the new buffer, ring: drop the oldest\n"
               "  %-18s %s\n  %-18s unsigned 32-bit, default 0 (no limit)\n",
               "flow-policy", "What buffers do at a full queue downstream", "", "", "max-drops",
               "Consecutive drops that make a pipeline error", "");
    for (const px_prop *pr = k->props; pr && pr->name; pr++)
        print_prop(pr);
    return 0;
}

/* ---- Running ------------------------------------------------------------- */

static px_pipeline *volatile running;
static volatile sig_atomic_t interrupts;

static void on_sigint(int sig)
{
    (void)sig;
    interrupts++;
    if (running)
        px_pipeline_send_eos(running); /* an atomic store: safe here */
}

/* gst-launch joins its arguments with spaces; an argument the shell kept
 * whole despite spaces (location="my file") gets its value quoted again. */
static char *join_args(int argc, char **argv)
{
    size_t size = 1;
    for (int i = 0; i < argc; i++)
        size += strlen(argv[i]) * 2 + 4;
    char *out = malloc(size), *o = out;
    if (!out)
        return NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *eq = strchr(a, '=');
        bool quote = argc > 1 && strpbrk(a, " \t") && eq && !strchr(a, '"') && !strchr(a, '!');
        if (i)
            *o++ = ' ';
        if (!quote) {
            o += sprintf(o, "%s", a);
            continue;
        }
        o += sprintf(o, "%.*s\"", (int)(eq - a + 1), a);
        for (const char *c = eq + 1; *c; c++) {
            if (*c == '\\' || *c == '"')
                *o++ = '\\';
            *o++ = *c;
        }
        *o++ = '"';
    }
    *o = '\0';
    return out;
}

static void human_bytes(double b, char *out, size_t size)
{
    const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (b >= 1024 && u < 4) {
        b /= 1024;
        u++;
    }
    snprintf(out, size, u ? "%.1f %s" : "%.0f %s", b, unit[u]);
}

/* One line: time, then per sink buffers, rate and bytes; drops anywhere,
 * arena use, and the rt driver's cycles and misses. */
static void progress_line(px_pipeline *p, FILE *to, const char *end)
{
    double secs = (double)px_pipeline_running_time(p) / 1e9;
    fprintf(to, "%7.2f s", secs);
    uint64_t drops = 0;
    for (size_t i = 0; i < px_pipeline_element_count(p); i++) {
        px_element *el = px_pipeline_element_at(p, i);
        px_element_stats s;
        px_element_get_stats(el, &s);
        drops += s.drops;
        if (!px_element_get_class(el)->consume)
            continue;
        char bytes[32];
        human_bytes((double)s.bytes_in, bytes, sizeof bytes);
        fprintf(to, " | %s: %llu buffers, %.0f/s, %s", px_element_name(el), (unsigned long long)s.buffers_in,
                secs > 0 ? (double)s.buffers_in / secs : 0.0, bytes);
    }
    px_pipeline_stats ps;
    px_pipeline_get_stats(p, &ps);
    fprintf(to, " | drops %llu | arenas %.0f%% (peak %.0f%%)", (unsigned long long)drops, ps.arena_utilization * 100.0,
            ps.arena_peak * 100.0);
    if (ps.cycles)
        fprintf(to, " | cycles %llu, misses %llu", (unsigned long long)ps.cycles, (unsigned long long)ps.deadline_misses);
    fprintf(to, "%s", end);
    fflush(to);
}

static void summary(px_pipeline *p)
{
    fprintf(stderr, "%-16s %12s %12s %12s %8s %10s\n", "element", "buffers in", "buffers out", "bytes", "drops",
            "time/buf");
    for (size_t i = 0; i < px_pipeline_element_count(p); i++) {
        px_element *el = px_pipeline_element_at(p, i);
        px_element_stats s;
        px_element_get_stats(el, &s);
        uint64_t n = s.buffers_in > s.buffers_out ? s.buffers_in : s.buffers_out;
        char bytes[32];
        human_bytes((double)(s.bytes_in > s.bytes_out ? s.bytes_in : s.bytes_out), bytes, sizeof bytes);
        fprintf(stderr, "%-16s %12llu %12llu %12s %8llu %8.0f ns\n", px_element_name(el),
                (unsigned long long)s.buffers_in, (unsigned long long)s.buffers_out, bytes,
                (unsigned long long)s.drops, n ? (double)s.process_ns / (double)n : 0.0);
    }
    px_pipeline_stats ps;
    px_pipeline_get_stats(p, &ps);
    if (ps.latency_max)
        fprintf(stderr, "latency at sinks: avg %.3f ms, max %.3f ms\n", (double)ps.latency_avg / 1e6,
                (double)ps.latency_max / 1e6);
    if (ps.cycles)
        fprintf(stderr, "rt: %llu cycles, %llu deadline misses, longest cycle %.1f us, wake-up jitter p50 %.1f us, "
                "p99 %.1f us, max %.1f us\n",
                (unsigned long long)ps.cycles, (unsigned long long)ps.deadline_misses, (double)ps.cycle_max / 1e3,
                (double)ps.jitter_p50 / 1e3, (double)ps.jitter_p99 / 1e3, (double)ps.jitter_max / 1e3);
}

/* Writes what fill() renders, growing the buffer until it fits. */
static int write_text(px_pipeline *p, const char *path, const char *what,
                      int (*fill)(px_pipeline *, char *, size_t))
{
    size_t size = 1 << 16;
    char *buf = malloc(size);
    while (buf && fill(p, buf, size) != PX_OK) {
        size *= 2;
        char *bigger = realloc(buf, size);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
    }
    FILE *f = buf ? fopen(path, "w") : NULL;
    bool ok = f && fputs(buf, f) >= 0;
    if (f && fclose(f) != 0)
        ok = false;
    free(buf);
    if (!ok)
        fprintf(stderr, "%s: cannot write %s file '%s'\n", prog, what, path);
    return ok ? 0 : 1;
}

#if CONFIG_PX_ISOLATE
static struct {
    px_isolation mode;
    const char *patterns;
    int max_restarts; /* -1: default */
    int timeout_ms;
} isolate_opt = {PX_ISOLATE_NONE, NULL, -1, 0};

static int apply_isolation(px_pipeline *p, px_error *err)
{
    px_isolate_policy pol;
    px_isolate_policy_defaults(&pol);
    if (isolate_opt.max_restarts >= 0)
        pol.max_restarts = isolate_opt.max_restarts;
    pol.timeout_ms = isolate_opt.timeout_ms;
    if (px_pipeline_set_isolation_policy(p, &pol, err) != PX_OK)
        return 1;
    if (isolate_opt.mode != PX_ISOLATE_NONE &&
        px_pipeline_set_isolation(p, isolate_opt.mode, isolate_opt.patterns, err) != PX_OK)
        return 1;
    return 0;
}

static void isolation_summary(px_pipeline *p, int verbose)
{
    if (verbose > 0 && px_isolate_report(p)[0])
        fprintf(stderr, "%s: sandbox: %s\n", prog, px_isolate_report(p));
    for (size_t i = 0; i < px_pipeline_element_count(p); i++) {
        px_element *el = px_pipeline_element_at(p, i);
        px_isolation_stats st;
        px_element_get_isolation_stats(el, &st);
        if (st.isolated && (st.restarts || verbose > 0))
            fprintf(stderr, "%s: isolated %s: %u restarts, %llu buffers lost%s%s\n", prog, px_element_name(el),
                    (unsigned)st.restarts, (unsigned long long)st.crash_drops, st.last_reason[0] ? ", last: " : "",
                    st.last_reason);
    }
}
#endif

typedef struct run_options {
    int verbose;
    const char *stats_path, *dot_path;
    px_scheduler sched;
    bool no_auto_convert;
    long period_us, quantum, interval_ms;
} run_options;

static const char *const sched_names[] = {"default", "coop", "threads", "rt", "auto"};

/* "coop", "threads", "rt", "auto" -> the enum; -1 when unknown. */
static int parse_scheduler(const char *s)
{
    for (int i = 1; i < 5; i++)
        if (strcmp(s, sched_names[i]) == 0)
            return i;
    return -1;
}

static int run(const char *desc, const run_options *o)
{
    int verbose = o->verbose;
    const char *stats_path = o->stats_path;
    px_scheduler sched = o->sched;
    px_error err = {0};
    px_pipeline *p = px_pipeline_parse(desc, &err);
    if (!p) {
        fprintf(stderr, "%s: %s\n", prog, err.message);
        return 1;
    }
    if (sched != PX_SCHED_DEFAULT && px_pipeline_set_scheduler(p, sched) != PX_OK) {
        fprintf(stderr, "%s: this build has no %s scheduler (see CONFIG_PX_SCHED_*)\n", prog, sched_names[sched]);
        px_pipeline_free(p);
        return 1;
    }
    int prc = o->period_us || o->quantum
                  ? px_pipeline_set_rt_period(p, (px_time)(o->period_us ? o->period_us : 1000) * PX_USECOND,
                                              (uint32_t)(o->quantum ? o->quantum : 1))
                  : PX_OK;
    if (prc != PX_OK) {
        if (prc == PX_ENOTSUP)
            fprintf(stderr, "%s: --period and --quantum need the rt scheduler, which this build has not (CONFIG_PX_SCHED_RT)\n", prog);
        else
            fprintf(stderr, "%s: --period must be 10 to 10000000 microseconds and --quantum at least 1\n", prog);
        px_pipeline_free(p);
        return 2;
    }
    if (o->no_auto_convert)
        px_pipeline_set_auto_convert(p, false);
#if CONFIG_PX_ISOLATE
    if (apply_isolation(p, &err)) {
        fprintf(stderr, "%s: %s\n", prog, err.message);
        px_pipeline_free(p);
        return 1;
    }
#endif
    if (px_pipeline_prepare(p, &err) != PX_OK || (o->dot_path && write_text(p, o->dot_path, "--dot", px_pipeline_to_dot)) ||
        px_pipeline_start(p, &err) != PX_OK) {
        if (err.message[0]) /* a --dot write failure has said its piece */
            fprintf(stderr, "%s: %s\n", prog, err.message);
        px_pipeline_free(p);
        return 1;
    }
    running = p;
    bool tty = verbose > 0 && isatty(STDERR_FILENO);
    int rc, interrupts_seen = 0;
    px_time interrupted_at = 0;
    for (;;) {
        rc = px_pipeline_wait(p, tty ? (int)o->interval_ms : 100, &err);
        if (rc != PX_ETIMEDOUT || err.message[0]) /* an element's error may carry PX_ETIMEDOUT too */
            break;
        if (interrupts != interrupts_seen) {
            interrupts_seen = interrupts;
            if (interrupts_seen == 1) {
                px_pipeline_send_eos(p); /* again: an interrupt before `running` was set (startup) sent none */
                interrupted_at = px_pipeline_running_time(p);
                if (verbose >= 0)
                    fprintf(stderr, "%sinterrupt: sending EOS (interrupt again to stop at once)\n",
                            tty ? "\n" : "");
            }
        }
        if (interrupts_seen > 1 ||
            (interrupted_at && px_pipeline_running_time(p) - interrupted_at > 5 * PX_SECOND)) {
            px_error_set(&err, PX_ETIMEDOUT, 0, "stopped without reaching end of stream after interrupt");
            rc = PX_ETIMEDOUT;
            break;
        }
        if (tty)
            progress_line(p, stderr, "\r");
    }
    running = NULL;
    if (interrupts && !interrupts_seen && verbose >= 0) /* EOS arrived before the next poll */
        fprintf(stderr, "%sinterrupt: sent EOS\n", tty ? "\n" : "");
    if (tty)
        progress_line(p, stderr, "\n");
    int status = rc == PX_OK ? 0 : 1;
    if (stats_path && write_text(p, stats_path, "--stats-json", px_pipeline_stats_json))
        status = 1;
    px_pipeline_stop(p);
#if CONFIG_PX_ISOLATE
    if (verbose >= 0)
        isolation_summary(p, verbose);
#endif
    if (rc != PX_OK)
        fprintf(stderr, "%s: %s\n", prog, err.message);
    else if (verbose > 0)
        summary(p);
    if (rc == PX_OK && verbose >= 0)
        fprintf(stderr, "%s: end of stream after %.3f s\n", prog, (double)px_pipeline_running_time(p) / 1e9);
    px_pipeline_free(p);
    return status;
}

int main(int argc, char **argv)
{
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    bool inspect_mode = strcmp(base, "parallax-inspect") == 0;
    if (inspect_mode)
        prog = "parallax-inspect";

    int i = 1;
    const char *inspect_name = NULL;
    run_options o = {0, NULL, NULL, PX_SCHED_DEFAULT, false, 0, 0, 200};
    const char *env_sched = getenv("PARALLAX_SCHEDULER");
    if (env_sched && *env_sched) {
        int s = parse_scheduler(env_sched);
        if (s < 0) {
            fprintf(stderr, "%s: PARALLAX_SCHEDULER='%s' is not a scheduler; use coop, threads, rt or auto\n", prog,
                    env_sched);
            return 2;
        }
        o.sched = (px_scheduler)s;
    }
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i];
        const char *val = strchr(a, '=');
        size_t klen = val ? (size_t)(val - a) : strlen(a);
#define OPT(name) (klen == strlen(name) && strncmp(a, name, klen) == 0)
#define NEED_VALUE()                                                              \
    do {                                                                          \
        if (!val && i + 1 < argc)                                                 \
            val = argv[++i];                                                      \
        else if (val)                                                             \
            val++;                                                                \
        else {                                                                    \
            fprintf(stderr, "%s: %.*s needs a value\n", prog, (int)klen, a);       \
            return 2;                                                             \
        }                                                                         \
    } while (0)
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (OPT("-q") || OPT("--quiet")) {
            o.verbose = -1;
        } else if (OPT("-v") || OPT("--verbose")) {
            o.verbose = 1;
        } else if (OPT("-h") || OPT("--help")) {
            usage(stdout);
            return 0;
        } else if (OPT("--version")) {
            printf("parallax %s\n%s", px_version(), px_compile_options());
            return 0;
        } else if (OPT("--list-elements")) {
            return list_elements();
        } else if (OPT("--inspect")) {
            NEED_VALUE();
            inspect_name = val;
        } else if (OPT("--stats-json")) {
            NEED_VALUE();
            o.stats_path = val;
        } else if (OPT("--dot")) {
            NEED_VALUE();
            o.dot_path = val;
        } else if (OPT("--no-auto-convert")) {
            o.no_auto_convert = true;
        } else if (OPT("--scheduler")) {
            NEED_VALUE();
            int s = parse_scheduler(val);
            if (s < 0) {
                fprintf(stderr, "%s: unknown scheduler '%s'; use coop, threads, rt or auto\n", prog, val);
                return 2;
            }
            o.sched = (px_scheduler)s;
        } else if (OPT("--period") || OPT("--quantum") || OPT("--stats-interval")) {
            const char *what = a;
            size_t wlen = klen;
            NEED_VALUE();
            char *end;
            long v = strtol(val, &end, 10);
            if (!*val || *end || v <= 0 || v > 10000000) {
                fprintf(stderr, "%s: %.*s expects a positive integer, got '%s'\n", prog, (int)wlen, what, val);
                return 2;
            }
            if (wlen == 8 && strncmp(what, "--period", 8) == 0)
                o.period_us = v;
            else if (wlen == 9)
                o.quantum = v;
            else
                o.interval_ms = v;
#if CONFIG_PX_ISOLATE
        } else if (OPT("--isolated")) {
            isolate_opt.mode = PX_ISOLATE_ALL;
        } else if (OPT("--auto-isolate")) {
            isolate_opt.mode = PX_ISOLATE_AUTO;
        } else if (OPT("--isolate")) {
            NEED_VALUE();
            isolate_opt.mode = PX_ISOLATE_PATTERNS;
            isolate_opt.patterns = val;
        } else if (OPT("--max-restarts") || OPT("--isolate-timeout")) {
            bool restarts = OPT("--max-restarts");
            NEED_VALUE();
            char *end;
            long v = strtol(val, &end, 10);
            if (*val == '\0' || *end || v < 0 || v > 1000000) {
                fprintf(stderr, "%s: %s needs a number from 0 to 1000000, not '%s'\n", prog,
                        restarts ? "--max-restarts" : "--isolate-timeout", val);
                return 2;
            }
            if (restarts)
                isolate_opt.max_restarts = (int)v;
            else
                isolate_opt.timeout_ms = (int)v;
#endif
        } else {
            fprintf(stderr, "%s: unknown option '%s' (see --help)\n", prog, a);
            return 2;
        }
#undef OPT
#undef NEED_VALUE
    }
    if (inspect_name)
        return inspect(inspect_name);
    if (inspect_mode)
        return i < argc ? inspect(argv[i]) : list_elements();
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    char *desc = join_args(argc - i, argv + i);
    if (!desc) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    int status = run(desc, &o);
    free(desc);
    return status;
}
