#!/usr/bin/env bash
# Per-buffer overhead of `fakesrc ! fakesink` (empty buffers: the cost is
# the runtime's, not the elements'), in ns per buffer, median of BENCH_RUNS
# runs; beside it GStreamer's gst-launch-1.0 on the same pipeline when it is
# installed (fewer buffers: it is slower). Prints a markdown table row.
# Wall time (date +%s%N) minus a 1-buffer run's, divided by N - 1: start-up
# is not per-buffer cost. Not a test: it never fails on a slow figure.
#
#   BENCH_RUNS=5 BENCH_BUFFERS=10000000 BENCH_GST_BUFFERS=1000000 tests/bench/fakesrc_fakesink.sh
set -eu

PX_SRC=${PX_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PX_BUILD=${PX_BUILD:-$PX_SRC/build}
PX_LAUNCH=${PX_LAUNCH:-$PX_BUILD/parallax-launch}
RUNS=${BENCH_RUNS:-5}
N=${BENCH_BUFFERS:-10000000}
GST_N=${BENCH_GST_BUFFERS:-$((N / 10 > 0 ? N / 10 : 1))}
GST=${GST_LAUNCH:-gst-launch-1.0}

if [ ! -x "$PX_LAUNCH" ]; then
    echo "fakesrc_fakesink: $PX_LAUNCH not found (run make first)" >&2
    exit 1
fi

# run_ns CMD...: wall time of one run in ns.
run_ns() {
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null
    t1=$(date +%s%N)
    echo $((t1 - t0))
}

# median_ns CMD...: median wall time of RUNS runs, in ns.
median_ns() {
    local i
    for ((i = 0; i < RUNS; i++)); do run_ns "$@"; done | sort -n | awk '
        { v[NR] = $1 }
        END { if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# per_buffer N CMD...: ns per buffer with process start-up
# and teardown taken out (a 1-buffer run's time is subtracted), so a slow
# start (GStreamer's plugin registry) does not count as per-buffer cost.
per_buffer() {
    local n=$1 full one
    shift
    full=$(median_ns "$@" fakesrc num-buffers="$n" ! fakesink)
    one=$(median_ns "$@" fakesrc num-buffers=1 ! fakesink)
    awk -v f="$full" -v o="$one" -v n="$n" 'BEGIN { d = n > 1 ? (f - o) / (n - 1) : f / n; printf "%.1f\n", d < 0 ? 0 : d }'
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
[ -n "$cpu" ] || cpu=$(sed -n 's/^\(Hardware\|cpu model\)[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
[ -n "$cpu" ] || cpu=unknown
machine="$(uname -m), ${cpu}, $(nproc 2>/dev/null || echo '?') CPUs"

px=$(per_buffer "$N" "$PX_LAUNCH" -q)
if command -v "$GST" >/dev/null 2>&1; then
    gst=$(per_buffer "$GST_N" "$GST" -q)
    ratio=$(awk -v g="$gst" -v p="$px" 'BEGIN { if (p > 0) printf "%.1fx", g / p; else print "n/a" }')
    gst_cell="$gst ns ($GST_N buffers)"
else
    gst_cell="not installed"
    ratio="n/a"
fi

echo "| date | machine | pipeline | runs | parallax ns/buffer | gst-launch-1.0 ns/buffer | gst / parallax |"
echo "|---|---|---|---|---|---|---|"
echo "| $(date -u +%Y-%m-%d) | $machine | fakesrc ! fakesink | median of $RUNS | $px ns ($N buffers) | $gst_cell | $ratio |"
