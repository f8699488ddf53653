#!/usr/bin/env bash
# videoscale 1080p -> 720p bilinear (I420), frames/s, beside GStreamer's
# videoscale on the same pipeline. Each side's figure is the time of
#   videotestsrc ! 1080p I420 ! videoscale method=bilinear ! 720p ! fakesink
# minus the same pipeline without videoscale (source and sink costs cancel),
# median of BENCH_RUNS runs. Prints a markdown table row. Not a test.
#
#   BENCH_RUNS=5 BENCH_FRAMES=300 tests/bench/videoscale.sh
set -eu

PX_SRC=${PX_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PX_BUILD=${PX_BUILD:-$PX_SRC/build}
PX_LAUNCH=${PX_LAUNCH:-$PX_BUILD/parallax-launch}
RUNS=${BENCH_RUNS:-5}
N=${BENCH_FRAMES:-300}
GST=${GST_LAUNCH:-gst-launch-1.0}

if [ ! -x "$PX_LAUNCH" ]; then
    echo "videoscale: $PX_LAUNCH not found (run make first)" >&2
    exit 1
fi

run_ns() {
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s%N)
    echo $((t1 - t0))
}

median_ns() {
    local i
    for ((i = 0; i < RUNS; i++)); do run_ns "$@"; done | sort -n | awk '
        { v[NR] = $1 }
        END { if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

IN="video/x-raw,format=I420,width=1920,height=1080"
OUT="video/x-raw,width=1280,height=720"

# fps LAUNCHER...: frames/s of videoscale alone.
fps() {
    local with without
    with=$(median_ns "$@" videotestsrc num-buffers="$N" ! "$IN" ! videoscale method=bilinear ! "$OUT" ! fakesink)
    without=$(median_ns "$@" videotestsrc num-buffers="$N" ! "$IN" ! fakesink)
    awk -v a="$with" -v b="$without" -v n="$N" 'BEGIN { d = a - b; if (d <= 0) print "n/a"; else printf "%.0f\n", n * 1e9 / d }'
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
[ -n "$cpu" ] || cpu=unknown
machine="$(uname -m), ${cpu}, $(nproc 2>/dev/null || echo '?') CPUs"

px=$(fps "$PX_LAUNCH" -q)
if command -v "$GST" >/dev/null 2>&1; then
    gst=$(fps "$GST" -q)
    ratio=$(awk -v g="$gst" -v p="$px" 'BEGIN { if (g > 0 && p > 0) printf "%.2fx", p / g; else print "n/a" }')
else
    gst="not installed"
    ratio="n/a"
fi

echo "| date | machine | pipeline | runs | parallax frames/s | gst-launch-1.0 frames/s | parallax / gst |"
echo "|---|---|---|---|---|---|---|"
echo "| $(date -u +%Y-%m-%d) | $machine | videoscale 1920x1080 -> 1280x720 I420 bilinear ($N frames) | median of $RUNS | $px | $gst | $ratio |"
