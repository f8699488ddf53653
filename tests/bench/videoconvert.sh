#!/usr/bin/env bash
# 1080p videoconvert, frames/s, side by side with GStreamer's videoconvert:
#   I420->BGRA and NV12->I420: px_video_converter_frame timed over N frames
#   (tests/bench/videoconvert_bench.c, median of 5 runs), against
#   gst-launch-1.0 videotestsrc num-buffers=N pattern=black ! <in caps> !
#   videoconvert ! <out caps> ! fakesink, minus the same pipeline without
#   videoconvert (so only the conversion is counted; median of BENCH_RUNS);
#   plus memcpy of a 1080p BGRA frame: the memory-bandwidth limit.
# Prints a markdown table. Figures, never assertions.
#   BENCH_FRAMES=100 BENCH_RUNS=5 tests/bench/videoconvert.sh
set -eu

PX_SRC=${PX_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
N=${BENCH_FRAMES:-100}
RUNS=${BENCH_RUNS:-5}
GST=${GST_LAUNCH:-gst-launch-1.0}
T=$(mktemp -d "${TMPDIR:-/tmp}/px-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT

${CC:-cc} -std=c11 -O2 -I"$PX_SRC" -o "$T/bench" "$PX_SRC/tests/bench/videoconvert_bench.c" -lpthread
"$T/bench" "$N" >"$T/ours"

ns() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N); echo $((t1 - t0)); }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# gst_fps IN_FORMAT OUT_FORMAT: conversion frames/s of GStreamer's videoconvert.
gst_fps() {
    local caps="video/x-raw,format=$1,width=1920,height=1080" with without
    with=$(for _ in $(seq "$RUNS"); do
        ns "$GST" -q videotestsrc num-buffers="$N" pattern=black ! "$caps" ! videoconvert ! \
            "video/x-raw,format=$2" ! fakesink
    done | median)
    without=$(for _ in $(seq "$RUNS"); do
        ns "$GST" -q videotestsrc num-buffers="$N" pattern=black ! "$caps" ! fakesink
    done | median)
    awk -v n="$N" -v a="$with" -v b="$without" 'BEGIN { d = a - b; if (d <= 0) print "n/a"; else printf "%.1f", n / (d / 1e9) }'
}

ours() { awk -v k="$1" '$1 == k { print $2 }' "$T/ours"; }
kernel() { awk -v k="$1" '$1 == k { $1 = ""; $2 = ""; sub(/^  /, ""); print }' "$T/ours"; }

echo "### videoconvert 1080p ($(date -u +%Y-%m-%d), $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs)"
echo
echo "| conversion | Parallax frames/s | GStreamer videoconvert frames/s | Parallax kernel |"
echo "|---|---|---|---|"
for row in "I420 BGRA" "NV12 I420"; do
    set -- $row
    if command -v "$GST" >/dev/null 2>&1; then g=$(gst_fps "$1" "$2"); else g="(gst-launch-1.0 not installed)"; fi
    echo "| $1->$2 | $(ours "$1->$2") | $g | $(kernel "$1->$2") |"
done
echo "| memcpy 1080p BGRA (limit) | $(ours memcpy-1080p-BGRA) | | |"
