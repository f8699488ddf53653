#!/usr/bin/env bash
# Isolation costs, as markdown table rows (figures, never assertions):
#  - ns per 4 KiB buffer across one isolated hop (`--isolate=identity*`:
#    fakesrc -> sandboxed identity -> fakesink, two slot references over the
#    shared rings) vs the same hop in-process (and vs `queue` when this
#    build has one);
#  - GStreamer's shmsink/shmsrc moving the same 4 KiB buffers between two
#    processes (gst-launch-1.0 with gstreamer1.0-plugins-bad);
#  - time to restart a crashed element until data flows again.
# Parallax per-buffer figures are the streaming time (--stats-json
# running_time_ns, which leaves out prepare, where processes start) / N:
# the median of BENCH_RUNS runs (default 7) of each variant, the variants
# interleaved (in-process, isolated, queue, in-process, ...) so that each
# sees the same minutes of a shared machine, all run the same way: as root
# under `chrt -f 1` (tests/bench/lib.sh), so that other jobs on the box
# preempt the two spinning sides less (BENCH_FIFO=0: plain runs). The
# isolated/queue ratio is that of the two medians; min-max follow each.
# GStreamer's are (wall(N) - wall(N0)) / (N - N0), best of BENCH_RUNS:
# start-up is not per-buffer cost.
#
#   BENCH_RUNS=7 BENCH_BUFFERS=200000 tests/bench/isolate.sh
set -eu

PX_SRC=${PX_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PX_BUILD=${PX_BUILD:-$PX_SRC/build}
PX_LAUNCH=${PX_LAUNCH:-$PX_BUILD/parallax-launch}
TEST_LAUNCH=${PX_BUILD}/tests/parallax-launch-test
RUNS=${BENCH_RUNS:-7}
N=${BENCH_BUFFERS:-200000}
N0=$((N / 10))
GST_N=${BENCH_GST_BUFFERS:-$((N / 4))}
GST_N0=$((GST_N / 10))
GST=${GST_LAUNCH:-gst-launch-1.0}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/px-bench-iso.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# shellcheck source=tests/bench/lib.sh
. "$PX_SRC/tests/bench/lib.sh"

# best_ns CMD...: the fastest of RUNS wall-clock runs (GStreamer's and the restart figures).
best_ns() {
    local i
    for ((i = 0; i < RUNS; i++)); do bench_ns "$@"; done | sort -n | head -n 1
}
# per_buffer N0 N CMD-with-@N@ : ns per buffer between the two sizes.
per_buffer() {
    local n0=$1 n=$2
    shift 2
    local a b
    a=$(best_ns "${@//@N@/$n0}")
    b=$(best_ns "${@//@N@/$n}")
    awk -v a="$a" -v b="$b" -v n0="$n0" -v n="$n" 'BEGIN { printf "%.0f", (b - a) / (n - n0) }'
}

# px_once FILE OPTIONS...: one run's running_time_ns / N from --stats-json
# (streaming only: prepare, where processes start, is not in it), appended to FILE.
px_once() {
    local f=$1 t
    shift
    rm -f "$TMP/s.json"
    "${BENCH_PREFIX[@]}" "$PX_LAUNCH" -q --stats-json="$TMP/s.json" "$@" >/dev/null 2>&1 || true
    t=$(sed -n 's/.*"running_time_ns": *\([0-9]*\).*/\1/p' "$TMP/s.json" 2>/dev/null | head -n 1)
    [ -n "$t" ] && awk -v t="$t" -v n="$N" 'BEGIN { printf "%.0f\n", t / n }' >>"$f"
    return 0
}
# stat FILE: "median (min-max)" of its figures.
stat() {
    sort -n "$1" | awk '{ a[NR] = $1 } END { if (NR) printf "%d (%d-%d)", a[int((NR + 1) / 2)], a[1], a[NR]; else print "0" }'
}
P="fakesrc num-buffers=$N sizetype=fixed sizemax=4096 ! identity ! fakesink"
Q="fakesrc num-buffers=$N sizetype=fixed sizemax=4096 ! queue ! fakesink"
has_queue=false
"$PX_LAUNCH" --inspect queue >/dev/null 2>&1 && has_queue=true
: >"$TMP/inproc"
: >"$TMP/iso"
: >"$TMP/queue"
for ((i = 0; i < RUNS; i++)); do
    px_once "$TMP/inproc" "$P"
    px_once "$TMP/iso" --isolate='identity*' "$P"
    $has_queue && px_once "$TMP/queue" "$Q"
done
inproc=$(stat "$TMP/inproc")
isolated=$(stat "$TMP/iso")
echo "| hop (4 KiB buffers; median (min-max) of $RUNS, $(bench_method)) | ns/buffer |"
echo "|---|---|"
echo "| in-process identity (function call) | $inproc |"
if $has_queue; then
    queue=$(stat "$TMP/queue")
    echo "| in-process queue hop | $queue |"
fi
echo "| isolated identity (sandboxed process, zero-copy) | $isolated |"
isolated=${isolated%% *}
inproc=${inproc%% *}
queue=${queue:+${queue%% *}}
echo "(load average: $(cut -d' ' -f1-3 /proc/loadavg))"

if command -v "$GST" >/dev/null 2>&1 && gst-inspect-1.0 shmsink >/dev/null 2>&1; then
    gst_run() { # n: fakesrc ! shmsink -> shmsrc ! fakesink of n 4 KiB buffers, until the receiver has them all
        local n=$1 sock=$TMP/shm.sock
        rm -f "$sock"
        "$GST" -q fakesrc num-buffers="$n" sizetype=fixed sizemax=4096 ! \
            shmsink socket-path="$sock" shm-size=1048576 wait-for-connection=true sync=false >/dev/null 2>&1 &
        local tx=$!
        while [ ! -S "$sock" ]; do sleep 0.002; done
        "$GST" -q shmsrc socket-path="$sock" is-live=false num-buffers="$n" ! fakesink sync=false >/dev/null 2>&1 || true
        kill $tx 2>/dev/null || true
        wait $tx 2>/dev/null || true
    }
    gst_ns() { # a shell function: timed here, not under lib.sh's chrt (as before)
        local t0
        t0=$(date +%s%N)
        gst_run "$1"
        echo $(($(date +%s%N) - t0))
    }
    ga=$(for ((i = 0; i < RUNS; i++)); do gst_ns $GST_N0; done | sort -n | head -n 1)
    gb=$(for ((i = 0; i < RUNS; i++)); do gst_ns $GST_N; done | sort -n | head -n 1)
    gst=$(awk -v a="$ga" -v b="$gb" -v n0=$GST_N0 -v n=$GST_N 'BEGIN { printf "%.0f", (b - a) / (n - n0) }')
    echo "| GStreamer shmsink -> shmsrc (two processes) | $gst |"
    ratio=$(awk -v g="$gst" -v i="$isolated" 'BEGIN { if (i > 0) printf "%.1f", g / i; else print "n/a" }')
    echo "isolated hop is ${ratio}x faster than shmsink/shmsrc (goal >= 10x)"
else
    echo "(GStreamer shmsink/shmsrc not installed: gstreamer1.0-plugins-bad)"
fi
ratio=$(awk -v q="${queue:-$inproc}" -v i="$isolated" 'BEGIN { if (q > 0) printf "%.1f", i / q; else print "n/a" }')
echo "isolated hop costs ${ratio}x the in-process ${queue:+queue }hop (goal <= 2x against a queue hop)"

if [ -x "$TEST_LAUNCH" ]; then
    C="fakesrc num-buffers=1000 sizetype=fixed sizemax=4096 ! crash after=@A@ ! fakesink"
    base=$(best_ns "$TEST_LAUNCH" -q --isolated --max-restarts=1000 "${C//@A@/0}")
    crashy=$(best_ns "$TEST_LAUNCH" -q --isolated --max-restarts=1000 "${C//@A@/10}")
    restart=$(awk -v a="$base" -v b="$crashy" 'BEGIN { printf "%.2f", (b - a) / 100 / 1e6 }')
    echo "| restart of a crashed element until data flows again (100 SIGSEGVs, --isolated) | $restart ms |"
fi
