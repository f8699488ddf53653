#!/usr/bin/env bash
# videoscale 1080p -> 720p bilinear (I420), frames/s, beside GStreamer's
# videoscale on the same pipeline. Each side's figure is the time of
#   videotestsrc ! 1080p I420 ! videoscale method=bilinear ! 720p ! fakesink
# minus the same pipeline without videoscale (source and sink costs cancel),
# median of BENCH_RUNS runs; beside it the CPU time (user + system) per frame
# the same way, which other load on the machine disturbs less than wall
# time. Prints a markdown table row. Not a test.
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

# run LAUNCHER...: "wall_ns cpu_ms" of one run (cpu: the children's user + system time).
run() {
    local t0 t1 cpu
    t0=$(date +%s%N)
    cpu=$( ("$@" >/dev/null 2>&1; times) | tail -n 1)
    t1=$(date +%s%N)
    echo "$((t1 - t0)) $(echo "$cpu" | awk '
        function ms(t,  m) { m = t; sub(/m.*/, "", m); sub(/^[0-9]+m/, "", t); sub(/s$/, "", t); return (m * 60 + t) * 1000 }
        { printf "%.0f\n", ms($1) + ms($2) }')"
}

# median LAUNCHER...: "wall_ns cpu_ms", each the median of RUNS runs.
median() {
    local i
    for ((i = 0; i < RUNS; i++)); do run "$@"; done | awk '
        function med(a, n,  i, j, t) {
            for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
            return n % 2 ? a[(n + 1) / 2] : int((a[n / 2] + a[n / 2 + 1]) / 2)
        }
        { w[NR] = $1; c[NR] = $2 }
        END { printf "%.0f %.0f\n", med(w, NR), med(c, NR) }'
}

IN="video/x-raw,format=I420,width=1920,height=1080"
OUT="video/x-raw,width=1280,height=720"

# fps LAUNCHER...: "frames/s cpu-ms/frame" of videoscale alone.
fps() {
    local with without
    with=$(median "$@" videotestsrc num-buffers="$N" ! "$IN" ! videoscale method=bilinear ! "$OUT" ! fakesink)
    without=$(median "$@" videotestsrc num-buffers="$N" ! "$IN" ! fakesink)
    echo "$with $without" | awk -v n="$N" '{
        d = $1 - $3; c = ($2 - $4) / n
        if (d <= 0) printf "n/a "; else printf "%.0f ", n * 1e9 / d
        if (c <= 0) print "n/a"; else printf "%.2f\n", c }'
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
[ -n "$cpu" ] || cpu=unknown
machine="$(uname -m), ${cpu}, $(nproc 2>/dev/null || echo '?') CPUs"

r=$(fps "$PX_LAUNCH" -q)
px=${r% *}
px_cpu=${r#* }
if command -v "$GST" >/dev/null 2>&1; then
    r=$(fps "$GST" -q)
    gst=${r% *}
    gst_cpu=${r#* }
    ratio=$(awk -v g="$gst" -v p="$px" 'BEGIN { if (g > 0 && p > 0) printf "%.2fx", p / g; else print "n/a" }')
else
    gst="not installed"
    gst_cpu="n/a"
    ratio="n/a"
fi

echo "| date | machine | pipeline | runs | parallax frames/s | gst-launch-1.0 frames/s | parallax / gst |" \
    "parallax CPU ms/frame | gst CPU ms/frame |"
echo "|---|---|---|---|---|---|---|---|---|"
echo "| $(date -u +%Y-%m-%d) | $machine | videoscale 1920x1080 -> 1280x720 I420 bilinear ($N frames) |" \
    "median of $RUNS | $px | $gst | $ratio | $px_cpu | $gst_cpu |"
