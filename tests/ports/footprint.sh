#!/usr/bin/env bash
# make footprint: what Parallax costs an integrator in flash and RAM, beside
# GStreamer's minimum on the same machine. Prints a markdown table.
#
#   tests/ports/footprint.sh [WORK_DIR]      (default build/footprint)
#
# Rows:
#  - minimal: tests/ports/footprint_min.c (parses and runs "fakesrc ! fakesink")
#    with minimal_defconfig, static musl (musl-gcc), -Os, -ffunction-sections
#    -fdata-sections -Wl,--gc-sections, no unwind tables, stripped. libc included.
#  - default / full: parallax-launch in the default configuration and with
#    full_defconfig (glibc, dynamic, -O2, stripped; libc not counted).
#  - GStreamer: gst-launch-1.0 + libgstreamer-1.0 + libglib-2.0 + libgobject-2.0
#    + libgmodule-2.0 + the coreelements plugin (fakesrc, fakesink), as Debian
#    installs them (libc not counted, which favours GStreamer).
# "text" is size(1)'s text column (code + read-only data); peak RSS is
# /usr/bin/time -f %M for "fakesrc num-buffers=1000 ! fakesink" (median of 3).
set -u

PX_SRC=$(cd "$(dirname "$0")/../.." && pwd)
MAKE=${MAKE:-make}
W=${1:-$PX_SRC/build/footprint}
mkdir -p "$W"
W=$(cd "$W" && pwd)
PIPE=(fakesrc num-buffers=1000 ! fakesink)
TIME=/usr/bin/time

for t in musl-gcc size strip "$TIME"; do
    command -v "$t" >/dev/null 2>&1 || { echo "footprint: $t missing (ports/debian/install-deps.sh installs musl-tools, binutils, time)" >&2; exit 1; }
done

text_of() { size "$@" | awk 'NR > 1 { t += $1 } END { print t }'; }
kib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }
# peak RSS in KiB, median of three runs of "$@"
rss_of() {
    local a=() i
    for i in 1 2 3; do
        "$TIME" -f %M -o "$W/time.out" "$@" >/dev/null 2>&1 || { echo "?"; return; }
        a+=("$(tail -n 1 "$W/time.out")")
    done
    printf '%s\n' "${a[@]}" | sort -n | sed -n 2p
}

mk() { "$MAKE" -C "$PX_SRC" -s --no-print-directory "$@"; }

# ---- Minimal: static musl -Os -----------------------------------------------------------
mk O="$W/minimal" minimal_defconfig >/dev/null || exit 1
mk O="$W/minimal" "$W/minimal/px_config.h" >/dev/null || exit 1
MIN_FLAGS=(-std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wundef -Werror
    -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables
    -I"$PX_SRC" -I"$W/minimal" '-DPX_CONFIG_HEADER="px_config.h"' -static -Wl,--gc-sections)
musl-gcc "${MIN_FLAGS[@]}" -o "$W/footprint_min.unstripped" "$PX_SRC/tests/ports/footprint_min.c" || exit 1
strip -o "$W/footprint_min" "$W/footprint_min.unstripped"
"$W/footprint_min" || { echo "footprint: footprint_min failed to run the pipeline" >&2; exit 1; }
min_text=$(text_of "$W/footprint_min")
min_rss=$(rss_of "$W/footprint_min")

# ---- Default and full CLI -----------------------------------------------------------------
mk O="$W/default" KCONFIG_CONFIG="$W/default/.no-config" CFLAGS=-O2 "$W/default/parallax-launch" >/dev/null || exit 1
mk O="$W/full" full_defconfig >/dev/null && mk O="$W/full" CFLAGS=-O2 "$W/full/parallax-launch" >/dev/null || exit 1
for c in default full; do
    strip -o "$W/$c/parallax-launch.stripped" "$W/$c/parallax-launch"
done
def_text=$(text_of "$W/default/parallax-launch.stripped")
def_rss=$(rss_of "$W/default/parallax-launch.stripped" -q "${PIPE[@]}")
full_text=$(text_of "$W/full/parallax-launch.stripped")
full_rss=$(rss_of "$W/full/parallax-launch.stripped" -q "${PIPE[@]}")

# ---- GStreamer ------------------------------------------------------------------------------
gst=$(command -v gst-launch-1.0 || true)
gst_text=
gst_rss=
gst_parts=
if [ -n "$gst" ]; then
    libs=()
    for l in libgstreamer-1.0 libglib-2.0 libgobject-2.0 libgmodule-2.0; do
        p=$(ldd "$gst" | awk -v l="$l" '$1 ~ "^"l"\\.so" { print $3 }')
        [ -z "$p" ] && p=$(ldconfig -p | awk -v l="$l" '$1 ~ "^"l"\\.so" { print $NF; exit }')
        [ -n "$p" ] && libs+=("$(readlink -f "$p")")
    done
    plugin=$(find /usr/lib /usr/lib64 -name libgstcoreelements.so 2>/dev/null | head -n 1)
    [ -n "$plugin" ] && libs+=("$plugin")
    gst_text=$(text_of "$gst" "${libs[@]}")
    for f in "$gst" "${libs[@]}"; do
        gst_parts="$gst_parts $(basename "$f") $(kib "$(text_of "$f")"),"
    done
    gst-launch-1.0 -q "${PIPE[@]}" >/dev/null 2>&1 # registry cache warm
    gst_rss=$(rss_of "$gst" -q "${PIPE[@]}")
fi

# ---- Table ----------------------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
echo "Footprint, $(date -u +%Y-%m-%d), $(uname -m), $cpu, $os, gcc $(gcc -dumpfullversion 2>/dev/null):"
echo
echo "| build | text (KiB) | peak RSS (KiB), \`fakesrc num-buffers=1000 ! fakesink\` |"
echo "| --- | ---: | ---: |"
echo "| minimal: static musl \`-Os\`, minimal_defconfig, libc included | $(kib "$min_text") | $min_rss |"
echo "| default configuration: \`parallax-launch\` (glibc, dynamic) | $(kib "$def_text") | $def_rss |"
echo "| full_defconfig: \`parallax-launch\` (glibc, dynamic) | $(kib "$full_text") | $full_rss |"
if [ -n "$gst_text" ]; then
    echo "| GStreamer $(gst-launch-1.0 --version | sed -n 's/.*version //p' | head -n 1): gst-launch-1.0 + libgstreamer + libglib + libgobject + libgmodule + coreelements | $(kib "$gst_text") | $gst_rss |"
fi
echo
[ -n "$gst_parts" ] && echo "GStreamer parts (text KiB):${gst_parts%,}."
goal_text=$((64 * 1024))
verdict() { if [ "$1" -eq 1 ]; then echo met; else echo missed; fi; }
echo "Goals for the minimal binary: text < 64 KiB: $(verdict $((min_text < goal_text))) ($(kib "$min_text") KiB);" \
    "peak RSS < 1 MiB: $(verdict $((${min_rss:-99999} < 1024))) ($min_rss KiB)$(
        [ -n "$gst_text" ] && echo "; >= 20x smaller than GStreamer's minimum: $(verdict $((gst_text >= 20 * min_text))) ($(awk -v a="$gst_text" -v b="$min_text" 'BEGIN { printf "%.0fx", a / b }') text$(
            [ -n "$gst_rss" ] && awk -v a="$gst_rss" -v b="$min_rss" 'BEGIN { printf ", %.1fx peak RSS", a / b }'))")."
