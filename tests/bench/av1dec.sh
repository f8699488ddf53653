#!/usr/bin/env bash
# AV1 decoding speed (frames/s), 2 threads, side by side in one run:
#   parallax   filesrc ! ivfdemux ! av1parse ! av1dec threads=2 ! fakesink
#   isolated   the same with --isolate='*dec*' (av1dec in a sandboxed process)
#   dav1d      the dav1d CLI alone (--threads 2 --muxer null): the limit for
#              any pipeline around dav1d
#   ffmpeg     ffmpeg -threads 2 -c:v libdav1d -i clip -f null -
#   gst dav1d  gst-launch-1.0 filesrc ! ivfparse ! av1parse ! dav1ddec ! fakesink,
#              when Debian's GStreamer has dav1ddec (1.22 does not: rust plugin)
#   gst aom    the same with GStreamer's av1dec (libaom, gst-plugins-bad), for
#              reference: another decoder, not a like-for-like figure
# on a 720p and a 1080p clip made by aomenc (realtime mode) at the first
# run and cached under $PX_BUILD/av1-bench. Median of BENCH_RUNS wall-clock
# runs (whole process: start, demux, decode, exit), in rounds that run every
# tool once (interleaved, and as root under chrt -f 1: see lib.sh), so a
# drift in the machine's load falls on all of them. Prints a markdown table.
# Figures, never assertions.
#
#   BENCH_RUNS=5 tests/bench/av1dec.sh
set -eu

PX_SRC=${PX_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PX_BUILD=${PX_BUILD:-$PX_SRC/build}
PX_LAUNCH=${PX_LAUNCH:-$PX_BUILD/parallax-launch}
RUNS=${BENCH_RUNS:-5}
CACHE=$PX_BUILD/av1-bench
GST=${GST_LAUNCH:-gst-launch-1.0}

have() { command -v "$1" >/dev/null 2>&1; }
for t in aomenc ffmpeg dav1d /usr/bin/time; do
    if ! have "$t"; then
        echo "av1dec bench: $t not found (apt-get install aom-tools ffmpeg dav1d time); skipped"
        exit 0
    fi
done
if ! "$PX_LAUNCH" --list-elements 2>/dev/null | grep -qw av1dec; then
    echo "av1dec bench: $PX_LAUNCH has no av1dec (build with dav1d: apt-get install libdav1d-dev); skipped"
    exit 0
fi

# clip NAME WxH FRAMES: cached aomenc encode of ffmpeg's testsrc2 (moving, textured).
clip() {
    local out=$CACHE/$1.ivf
    if [ ! -s "$out" ]; then
        mkdir -p "$CACHE"
        echo "av1dec bench: encoding $1 ($2, $3 frames; once, cached in $CACHE)" >&2
        ffmpeg -v error -y -f lavfi -i "testsrc2=size=$2:rate=30" -frames:v "$3" -pix_fmt yuv420p \
            -f yuv4mpegpipe "$CACHE/$1.y4m"
        aomenc -q --rt --cpu-used=10 --threads=2 --row-mt=1 --end-usage=cbr --target-bitrate=$4 --ivf \
            -o "$out.tmp" "$CACHE/$1.y4m" >/dev/null 2>&1
        mv "$out.tmp" "$out"
        rm -f "$CACHE/$1.y4m"
    fi
    echo "$out"
}

# shellcheck source=tests/bench/lib.sh
. "$PX_SRC/tests/bench/lib.sh"

# once FILE CMD...: one run of CMD, appending "wall_ns cpu_ms" to FILE (cpu =
# user + system of the command), or "fail".
once() {
    local out=$1 t0 t1
    shift
    t0=$(date +%s%N)
    if "${BENCH_PREFIX[@]}" /usr/bin/time -f "%U %S" -o "$CACHE/.time" "$@" >/dev/null 2>&1; then
        t1=$(date +%s%N)
        echo "$((t1 - t0)) $(awk '{ printf "%.0f", ($1 + $2) * 1000 }' "$CACHE/.time")" >>"$out"
    else
        echo fail >>"$out"
    fi
}

# median FILE: "wall_ns cpu_ms", each the median of the file's runs, or "fail".
median() {
    if grep -q fail "$1"; then echo fail; return; fi
    echo "$(cut -d' ' -f1 "$1" | bench_median) $(cut -d' ' -f2 "$1" | bench_median)"
}

# fps FRAMES "wall_ns cpu_ms": "frames/s (CPU ms per frame)".
fps() {
    case $2 in fail | "") echo "failed" ;;
    *) echo "$2" | awk -v f="$1" '{ printf "%.1f (%.2f ms)", f / ($1 / 1e9), $2 / f }' ;; esac
}

c720=$(clip testsrc2_720p 1280x720 300 2000)
c1080=$(clip testsrc2_1080p 1920x1080 200 4000)

gst_dav1d=0 gst_aom=0
if have "$GST" && have gst-inspect-1.0; then
    gst-inspect-1.0 dav1ddec >/dev/null 2>&1 && gst_dav1d=1
    gst-inspect-1.0 av1dec >/dev/null 2>&1 && gst_aom=1
fi

echo
echo "AV1 decode, 2 threads: frames/s (wall clock) and CPU ms per frame (user + system), median of $RUNS"
echo "$(bench_method) (every tool once per round); $(nproc) CPUs, $(uname -m), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| clip | Parallax av1dec (dav1d) | Parallax, --isolate='*dec*' | dav1d CLI | ffmpeg libdav1d | GStreamer dav1ddec | GStreamer av1dec (libaom) | Parallax vs dav1d CLI |"
echo "|---|---|---|---|---|---|---|---|"
for c in "$c720" "$c1080"; do
    n=$(ffprobe -v error -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$c")
    size=$(ffprobe -v error -show_entries stream=width,height -of csv=s=x:p=0 "$c")
    r=$CACHE/.runs
    rm -rf "$r" && mkdir -p "$r" && touch "$r/px" "$r/pi" "$r/dv" "$r/ff" "$r/gd" "$r/ga"
    for ((i = 0; i < RUNS; i++)); do
        once "$r/px" "$PX_LAUNCH" -q "filesrc location=$c ! ivfdemux ! av1parse ! av1dec threads=2 ! fakesink"
        once "$r/pi" "$PX_LAUNCH" -q --isolate='*dec*' "filesrc location=$c ! ivfdemux ! av1parse ! av1dec threads=2 ! fakesink"
        once "$r/dv" dav1d -q -i "$c" --threads 2 --muxer null -o /dev/null
        once "$r/ff" ffmpeg -v error -threads 2 -c:v libdav1d -i "$c" -f null -
        [ "$gst_dav1d" = 1 ] && once "$r/gd" "$GST" -q filesrc location="$c" ! ivfparse ! av1parse ! dav1ddec n-threads=2 ! fakesink
        [ "$gst_aom" = 1 ] && once "$r/ga" "$GST" -q filesrc location="$c" ! ivfparse ! av1parse ! av1dec ! fakesink
    done
    px=$(median "$r/px") dv=$(median "$r/dv")
    gd="n/a (not in Debian's GStreamer)"
    [ "$gst_dav1d" = 1 ] && gd=$(fps "$n" "$(median "$r/gd")")
    ga="n/a"
    [ "$gst_aom" = 1 ] && ga=$(fps "$n" "$(median "$r/ga")")
    ratio=n/a
    case "$px $dv" in *fail*) ;; *) ratio=$(awk -v p="${px%% *}" -v d="${dv%% *}" 'BEGIN { printf "%+.1f%% fps", (d / p - 1) * 100 }') ;; esac
    echo "| $size, $n frames | $(fps "$n" "$px") | $(fps "$n" "$(median "$r/pi")") | $(fps "$n" "$dv") | $(fps "$n" "$(median "$r/ff")") | $gd | $ga | $ratio |"
    rm -rf "$r"
done
