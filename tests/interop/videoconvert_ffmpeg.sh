#!/usr/bin/env bash
# videoconvert against ffmpeg (libswscale): the same raw input converted by
# both must agree to PSNR >= 45 dB. Our side is tests/interop/videoconvert_raw.c
# (px_video_converter on raw files), built here from parallax.h.
#   - YUV <-> YUV/gray reshuffles on testsrc2 (sharp edges: chroma passes
#     through unfiltered on both sides, so they must match closely);
#   - YUV <-> RGB on ffmpeg's smooth "gradients" source, with swscale told
#     our chroma siting (co-sited horizontally, centred vertically) and
#     bilinear interpolation. On sharp edges the two chroma interpolators
#     differ (about 35 dB on testsrc2), which measures the filter, not the
#     colour arithmetic.
# TAP output; skips when ffmpeg is missing.
. "$(dirname "$0")/../pipelines/lib.sh"

W=320 H=240
if ! command -v ffmpeg >/dev/null 2>&1; then
    skip "videoconvert vs ffmpeg" "ffmpeg not installed (apt-get install ffmpeg)"
    done_testing
    exit 0
fi
T=$(tmpdir)
HELPER=$T/videoconvert_raw
if ! ${CC:-cc} -std=c11 -O2 -I"$PX_SRC" -o "$HELPER" "$PX_SRC/tests/interop/videoconvert_raw.c" -lm -lpthread \
    2>"$T/cc.log"; then
    not_ok "build videoconvert_raw helper"
    diag <"$T/cc.log"
    done_testing
    exit 1
fi

ff() { ffmpeg -nostdin -v error -y "$@"; }
ff -f lavfi -i testsrc2=size=${W}x$H -frames:v 1 -pix_fmt yuv420p -f rawvideo "$T/sharp.yuv"
ff -f lavfi -i gradients=s=${W}x$H:seed=1 -frames:v 1 -pix_fmt yuv420p -f rawvideo "$T/smooth.yuv"
ff -f lavfi -i gradients=s=${W}x$H:seed=2 -frames:v 1 -pix_fmt rgb24 -f rawvideo "$T/smooth.rgb"

ffname() {
    case $1 in
    I420) echo yuv420p ;; NV12) echo nv12 ;; NV21) echo nv21 ;; YUY2) echo yuyv422 ;;
    UYVY) echo uyvy422 ;; RGB) echo rgb24 ;; BGR) echo bgr24 ;; RGBA) echo rgba ;; BGRA) echo bgra ;;
    ARGB) echo argb ;; ABGR) echo abgr ;; RGBx) echo rgb0 ;; BGRx) echo bgr0 ;; GRAY8) echo gray ;;
    GRAY16_LE) echo gray16le ;; I420_10LE) echo yuv420p10le ;;
    esac
}
range_of() { case $1 in RGB* | BGR* | ARGB | ABGR) echo pc ;; *) echo tv ;; esac; }

# compare INPUT IN_FMT OUT_FMT [extra scale options]
compare() {
    local input=$1 a=$2 b=$3 extra=${4:-} psnr
    if ! "$HELPER" convert $W $H "$a" "$b" "$input" "$T/ours" >/dev/null 2>"$T/err"; then
        not_ok "$a -> $b: our conversion failed"
        diag <"$T/err"
        return
    fi
    ff -f rawvideo -pix_fmt "$(ffname "$a")" -s ${W}x$H -i "$input" \
        -vf "scale=in_color_matrix=bt601:out_color_matrix=bt601:in_range=$(range_of "$a"):out_range=$(range_of "$b")$extra" \
        -pix_fmt "$(ffname "$b")" -f rawvideo "$T/ref"
    psnr=$("$HELPER" psnr $W $H "$b" "$T/ours" "$T/ref")
    if awk -v p="$psnr" 'BEGIN { exit !(p >= 45) }'; then
        ok "$a -> $b agrees with ffmpeg (PSNR $psnr dB)"
    else
        not_ok "$a -> $b agrees with ffmpeg (PSNR $psnr dB < 45)"
    fi
}

EXACT=":flags=bicubic+accurate_rnd+full_chroma_int"
SITED=":in_h_chr_pos=0:in_v_chr_pos=128:flags=bilinear+accurate_rnd+full_chroma_int+full_chroma_inp"
for f in NV12 NV21 YUY2 UYVY GRAY8 GRAY16_LE I420_10LE; do
    compare "$T/sharp.yuv" I420 $f "$EXACT"
done
for f in BGRA RGBA ARGB ABGR BGRx RGBx RGB BGR; do
    compare "$T/smooth.yuv" I420 $f "$SITED"
done
# RGB -> YUV: our [1 2 1] co-sited downsampling vs swscale's.
for f in I420 NV12 YUY2; do
    compare "$T/smooth.rgb" RGB $f ":out_h_chr_pos=0:out_v_chr_pos=128:flags=bilinear+accurate_rnd+full_chroma_int"
done
done_testing
