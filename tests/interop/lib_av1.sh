# tests/interop/lib_av1.sh: AV1 test clips made by real encoders (aomenc from
# aom-tools, sources from ffmpeg's lavfi), cached under $PX_BUILD/av1-clips so
# a clip is encoded once per build tree. Fast settings (--cpu-used=8, row-mt)
# keep each clip to a few seconds on two cores. Source after lib.sh.
#
#   av1_clip NAME WxH FRAMES PIX_FMT [aomenc options...]   -> prints the .ivf path
#   av1_tools_missing                                       -> non-empty when a tool is missing

AV1_CLIPS=${PX_AV1_CLIPS:-$PX_BUILD/av1-clips}

av1_tools_missing() {
    local t missing=
    for t in aomenc ffmpeg ffprobe dav1d; do have "$t" || missing="$missing $t"; done
    echo "${missing# }"
}

av1_clip() {
    local name=$1 size=$2 frames=$3 pixfmt=$4
    shift 4
    local out=$AV1_CLIPS/$name.ivf
    if [ ! -s "$out" ]; then
        mkdir -p "$AV1_CLIPS"
        local rate=30
        ffmpeg -v error -y -f lavfi -i "testsrc2=size=$size:rate=$rate" -frames:v "$frames" -pix_fmt "$pixfmt" \
            -f yuv4mpegpipe -strict -1 "$AV1_CLIPS/$name.y4m" || return 1
        aomenc -q --cpu-used=8 --row-mt=1 --threads=2 --lag-in-frames=0 --kf-max-dist=30 "$@" --ivf \
            -o "$out.tmp" "$AV1_CLIPS/$name.y4m" >/dev/null 2>&1 || { rm -f "$out.tmp"; return 1; }
        mv "$out.tmp" "$out"
        rm -f "$AV1_CLIPS/$name.y4m"
    fi
    echo "$out"
}

# md5 of the packed planes of a Y4M file (what dav1d --muxer md5 hashes).
y4m_planes_md5() { ffmpeg -v error -i "$1" -f rawvideo - | md5sum | cut -d' ' -f1; }
# Per-frame md5 list of a Y4M file.
y4m_frame_md5s() { ffmpeg -v error -i "$1" -f framemd5 - | grep -v '^#' | awk -F', *' '{print $NF}'; }
