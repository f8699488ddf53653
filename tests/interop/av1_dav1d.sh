#!/usr/bin/env bash
# AV1 against real peers: clips encoded by aomenc (aom-tools), decoded by
# ivfdemux ! av1parse ! av1dec and by Debian's dav1d CLI; every frame must be
# bit-identical (per-frame md5 through ffmpeg's framemd5, and dav1d --muxer
# md5 over the stream). Covers 8-bit and 10-bit 4:2:0, an odd size
# (642x362), 4:4:4 and 4:2:2, film grain on and off, super-resolution, 60+
# frames, size changes mid-stream (two concatenated streams, aomenc's resize
# mode, a stream that grows: renegotiated, frame by frame equal to dav1d
# --muxer framemd5; y4menc and missing max-width/height: clear errors), and ivfmux output read back by ffprobe, dav1d, GStreamer and ivfdemux.
. "$(dirname "$0")/../pipelines/lib.sh"
. "$(dirname "$0")/lib_av1.sh"

D=$(tmpdir)
missing=$(av1_tools_missing)
if [ -n "$missing" ]; then
    skip "AV1 interop" "missing: $missing (ports/debian/install-deps.sh: aom-tools, dav1d, ffmpeg)"
    done_testing
fi
have_av1dec=1
"$PX_LAUNCH" --list-elements 2>/dev/null | grep -qw av1dec || have_av1dec=0

c8=$(av1_clip i420_320x240 320x240 60 yuv420p)
c10=$(av1_clip i420p10_320x240 320x240 60 yuv420p10le --bit-depth=10)
codd=$(av1_clip i420_642x362 642x362 60 yuv420p)
c444=$(av1_clip y444_176x144 176x144 30 yuv444p --profile=1)
c422=$(av1_clip i422p10_176x144 176x144 30 yuv422p10le --profile=2 --bit-depth=10)
cgrain=$(av1_clip grain_320x240 320x240 30 yuv420p --film-grain-test=1)
for c in "$c8" "$c10" "$codd" "$c444" "$c422" "$cgrain"; do
    check "aomenc made $(basename "$c")" test -s "$c"
done

# ---- ivfdemux / ivfmux round trip ----
run_ok "filesrc ! ivfdemux ! ivfmux ! filesink" \
    filesrc location="$c8" ! ivfdemux ! ivfmux ! filesink location="$D/remux.ivf"
is "ivfmux: every frame (header and payload) byte-identical to aomenc's" \
    "$(tail -c +33 "$D/remux.ivf" | md5sum)" "$(tail -c +33 "$c8" | md5sum)"
is "ivfmux: ffprobe reads AV1 320x240 at 30/1, 60 packets" \
    "$(ffprobe -v error -count_packets -show_entries stream=codec_name,width,height,r_frame_rate,nb_read_packets -of csv=p=0 "$D/remux.ivf")" \
    "av1,320,240,30/1,60"
is "ivfmux: dav1d decodes it to the same frames as the original" \
    "$(dav1d -q -i "$D/remux.ivf" --muxer md5 -o - 2>/dev/null)" "$(dav1d -q -i "$c8" --muxer md5 -o - 2>/dev/null)"
if have gst-launch-1.0 && gst-inspect-1.0 ivfparse >/dev/null 2>&1 && gst-inspect-1.0 av1dec >/dev/null 2>&1; then
    # GStreamer's ivfparse and av1parse read ivfmux's file; its av1dec is libaom, another
    # conformant decoder, so the pictures must equal dav1d's (320x240 I420 raw is packed).
    run_cmd gst-launch-1.0 -q filesrc location="$D/remux.ivf" ! ivfparse ! av1parse ! av1dec ! \
        video/x-raw,format=I420 ! filesink location="$D/gst.yuv"
    is "ivfmux: GStreamer (ivfparse ! av1parse ! libaom av1dec) decodes the same pictures as dav1d" \
        "$(md5sum <"$D/gst.yuv" | cut -d' ' -f1)" "$(dav1d -q -i "$c8" --muxer md5 -o - 2>/dev/null)"
else
    skip "ivfmux read by GStreamer" "gst-launch-1.0 with ivfparse and av1dec (gstreamer1.0-plugins-good/bad) not found"
fi
run_ok "ivfmux output reads back through ivfdemux (remuxed twice)" \
    filesrc location="$D/remux.ivf" ! ivfdemux ! ivfmux ! filesink location="$D/remux2.ivf"
check "remuxed twice: identical files" cmp "$D/remux.ivf" "$D/remux2.ivf"
# VP9 in IVF (ffmpeg libvpx-vp9): caps from the fourcc and header, frames unchanged.
if ffmpeg -v error -y -f lavfi -i testsrc2=size=320x240:rate=25 -frames:v 20 -c:v libvpx-vp9 -deadline realtime \
    -cpu-used 8 -f ivf "$D/vp9.ivf" 2>/dev/null; then
    run_ok "VP9 IVF: ivfdemux ! ivfmux" --dot="$D/vp9.dot" \
        filesrc location="$D/vp9.ivf" ! ivfdemux ! ivfmux ! filesink location="$D/vp9b.ivf"
    check "VP9 IVF: caps video/x-vp9 with the header's size and rate" \
        grep -qF 'video/x-vp9, width=320, height=240, framerate=25/1' "$D/vp9.dot"
    is "VP9 IVF: frames byte-identical, ffprobe sees vp9" \
        "$(tail -c +33 "$D/vp9b.ivf" | md5sum) $(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 "$D/vp9b.ivf")" \
        "$(tail -c +33 "$D/vp9.ivf" | md5sum) vp9"
else
    skip "VP9 IVF" "ffmpeg without libvpx-vp9"
fi
# A section-5 OBU stream (aomenc --obu) through av1parse's byte-stream mode.
ffmpeg -v error -y -f lavfi -i testsrc2=size=160x120:rate=25 -frames:v 20 -pix_fmt yuv420p "$D/s5.y4m"
aomenc -q --cpu-used=8 --row-mt=1 --lag-in-frames=0 --obu -o "$D/s5.obu" "$D/s5.y4m" >/dev/null 2>&1
run_ok "filesrc ! av1parse ! ivfmux: a raw OBU stream regrouped into temporal units" \
    filesrc location="$D/s5.obu" blocksize=1000 ! av1parse ! ivfmux ! filesink location="$D/s5.ivf"
is "the OBU stream's 20 temporal units, 160x120, in ffprobe" \
    "$(ffprobe -v error -count_packets -show_entries stream=width,height,nb_read_packets -of csv=p=0 "$D/s5.ivf")" \
    "160,120,20"
is "dav1d decodes the regrouped stream like the OBU original" \
    "$(dav1d -q -i "$D/s5.ivf" --muxer md5 -o - 2>/dev/null)" \
    "$(dav1d -q -i "$D/s5.obu" --demuxer section5 --muxer md5 -o - 2>/dev/null)"

if [ "$have_av1dec" = 0 ]; then
    skip "av1dec bit-exactness" "this build has no av1dec (dav1d not found by pkg-config: apt-get install libdav1d-dev)"
    done_testing
fi

# ---- av1dec against dav1d, frame by frame ----
decode_matches() { # name clip [av1dec props] -- [dav1d options]
    local name=$1 clip=$2
    shift 2
    local props=() dopts=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do props+=("$1"); shift; done
    [ "${1:-}" = -- ] && shift
    dopts=("$@")
    dav1d -q -i "$clip" "${dopts[@]}" -o "$D/ref.y4m" >/dev/null 2>&1
    run_ok "$name: ivfdemux ! av1parse ! av1dec ! y4menc" \
        filesrc location="$clip" ! ivfdemux ! av1parse ! av1dec "${props[@]}" ! y4menc ! filesink location="$D/out.y4m"
    local n
    n=$(y4m_frame_md5s "$D/ref.y4m" | wc -l)
    is "$name: every frame's md5 equals dav1d's ($n frames)" \
        "$(y4m_frame_md5s "$D/out.y4m" | md5sum)" "$(y4m_frame_md5s "$D/ref.y4m" | md5sum)"
    is "$name: md5 over the stream equals dav1d --muxer md5" \
        "$(y4m_planes_md5 "$D/out.y4m")" "$(dav1d -q -i "$clip" "${dopts[@]}" --muxer md5 -o - 2>/dev/null)"
}
decode_matches "8-bit 4:2:0 320x240" "$c8"
is "8-bit: 60 frames, C420jpeg 320x240 at 30/1" \
    "$(ffprobe -v error -count_frames -show_entries stream=width,height,pix_fmt,r_frame_rate,nb_read_frames -of csv=p=0 "$D/out.y4m")" \
    "320,240,yuv420p,30/1,60"
decode_matches "10-bit 4:2:0 320x240" "$c10"
is "10-bit: decoded as yuv420p10le" \
    "$(ffprobe -v error -show_entries stream=pix_fmt -of csv=p=0 "$D/out.y4m")" "yuv420p10le"
decode_matches "odd size 642x362" "$codd"
decode_matches "4:4:4 (profile 1)" "$c444"
is "4:4:4: Y444 out, C444 in the file" "$(ffprobe -v error -show_entries stream=pix_fmt -of csv=p=0 "$D/out.y4m")" "yuv444p"
decode_matches "10-bit 4:2:2 (profile 2)" "$c422"
is "4:2:2 10-bit: I422_10LE out" "$(ffprobe -v error -show_entries stream=pix_fmt -of csv=p=0 "$D/out.y4m")" "yuv422p10le"
decode_matches "film grain applied" "$cgrain" -- --filmgrain 1
grain_on=$(y4m_planes_md5 "$D/out.y4m")
decode_matches "film grain off (apply-grain=false)" "$cgrain" apply-grain=false -- --filmgrain 0
isnt() { if [ "$2" != "$3" ]; then ok "$1"; else not_ok "$1"; fi; }
isnt "film grain changes the pictures" "$grain_on" "$(y4m_planes_md5 "$D/out.y4m")"
csr=$(av1_clip superres_320x240 320x240 20 yuv420p --superres-mode=1 --superres-denominator=16)
decode_matches "super-resolution (coded at half width, upscaled)" "$csr"
decode_matches "one thread, max-frame-delay=1" "$c8" threads=1 max-frame-delay=1
decode_matches "4 threads" "$codd" threads=4

# AV1 IVF written by ffmpeg (libaom-av1, 25/1 timebase) rather than aomenc.
if ffmpeg -v error -y -f lavfi -i testsrc2=size=320x240:rate=25 -frames:v 20 -c:v libaom-av1 -cpu-used 8 -row-mt 1 \
    -f ivf "$D/ff.ivf" 2>/dev/null; then
    decode_matches "ffmpeg-written AV1 IVF" "$D/ff.ivf"
    is "ffmpeg's IVF: pts from its 1/25 timebase" \
        "$(ffprobe -v error -show_entries frame=pts_time -of csv=p=0 "$D/out.y4m" | sed -n 2p)" "0.040000"
else
    skip "ffmpeg-written AV1" "ffmpeg without libaom-av1"
fi

# Without av1parse: av1dec reads the sequence header through ivfdemux itself.
run_ok "ivfdemux ! av1dec ! videoconvert ! filesink (no parser)" \
    filesrc location="$codd" ! ivfdemux ! av1dec ! videoconvert ! video/x-raw,format=I420 ! filesink location="$D/odd.raw"
ffmpeg -v error -i "$codd" -c:v libdav1d -f rawvideo -pix_fmt yuv420p - 2>/dev/null >"$D/odd_ff.yuv" || \
    dav1d -q -i "$codd" -o "$D/odd_ff.yuv" >/dev/null 2>&1
# The raw file is in GStreamer's layout (rows padded to 4 bytes): compare through rawvideo.
is "raw I420 after videoconvert: compact GStreamer layout (60 x 350416 bytes)" "$(stat -c %s "$D/odd.raw")" "$((60 * 350416))"
dav1d -q -i "$codd" -o "$D/odd_ref.y4m" >/dev/null 2>&1
run_ok "that raw file read back by rawvideoparse ! y4menc" \
    filesrc location="$D/odd.raw" ! rawvideoparse format=I420 width=642 height=362 framerate=30/1 ! y4menc ! filesink location="$D/odd_back.y4m"
is "raw file frames equal dav1d's" "$(y4m_frame_md5s "$D/odd_back.y4m" | md5sum)" "$(y4m_frame_md5s "$D/odd_ref.y4m" | md5sum)"

# The full pipeline of the README, negotiation picking every format.
run_ok "the README pipeline: filesrc ! ivfdemux ! av1parse ! av1dec ! videoconvert ! y4menc ! filesink" \
    filesrc location="$c10" ! ivfdemux ! av1parse ! av1dec ! videoconvert ! y4menc ! filesink location="$D/readme.y4m"
is "README pipeline: 10-bit kept end to end, frames equal dav1d's" \
    "$(y4m_planes_md5 "$D/readme.y4m")" "$(dav1d -q -i "$c10" --muxer md5 -o - 2>/dev/null)"

# ---- a size change mid-stream: renegotiation (caps events) ----
# raw_frame_md5s FILE W1xH1:N1 W2xH2:N2 ...: md5 of each packed I420 frame of a
# raw file holding N1 frames of one size, then N2 of the next; "bad size"
# when the file is not exactly that long.
raw_frame_md5s() {
    "$PY" - "$@" <<'PYEOF'
import hashlib, sys
data = open(sys.argv[1], "rb").read()
off = 0
for part in sys.argv[2:]:
    size, n = part.split(":")
    w, h = map(int, size.split("x"))
    fs = w * h + 2 * ((w + 1) // 2) * ((h + 1) // 2)
    for _ in range(int(n)):
        print(hashlib.md5(data[off:off + fs]).hexdigest())
        off += fs
if off != len(data):
    print("bad size: %d bytes, %d expected" % (len(data), off))
PYEOF
}
c320=$(av1_clip i420_320x240_10 320x240 10 yuv420p)
small=$(av1_clip i420_160x120 160x120 10 yuv420p)
# Two aomenc streams, each from a keyframe with its own sequence header, one IVF.
{ cat "$c320"; tail -c +33 "$small"; } >"$D/shrink.ivf"
dav1d -q -i "$D/shrink.ivf" --muxer framemd5 -o - >"$D/shrink.ref" 2>/dev/null
is "size change: dav1d decodes 20 frames" "$(wc -l <"$D/shrink.ref")" 20
for s in coop threads rt; do
    run_ok "size change 320x240 -> 160x120 ($s): av1parse and av1dec send new caps, videoconvert follows" \
        --scheduler=$s --stats-json="$D/shrink.$s.json" filesrc location="$D/shrink.ivf" ! ivfdemux ! av1parse ! \
        queue max-size-buffers=3 ! av1dec ! videoconvert ! video/x-raw,format=I420 ! filesink location="$D/shrink.$s.yuv"
    is "size change ($s): 10 frames of 320x240 then 10 of 160x120, each md5 equal to dav1d --muxer framemd5" \
        "$(raw_frame_md5s "$D/shrink.$s.yuv" 320x240:10 160x120:10)" "$(cat "$D/shrink.ref")"
    is "size change ($s): 20 frames out of av1dec" "$(stat_of "$D/shrink.$s.json" av1dec buffers_out)" 20
done
is "size change: md5 over the stream equals dav1d --muxer md5" \
    "$(md5sum <"$D/shrink.threads.yuv" | cut -d' ' -f1)" "$(dav1d -q -i "$D/shrink.ivf" --muxer md5 -o - 2>/dev/null)"
# Through queues, a tee and a leaky queue: the caps stay in order with the frames.
run_ok "size change through queue ! tee ! queue (and a leaky branch to fakesink)" \
    filesrc location="$D/shrink.ivf" ! ivfdemux ! av1parse ! av1dec ! queue max-size-buffers=2 ! identity ! \
    videoconvert ! tee name=t ! queue ! video/x-raw,format=I420 ! filesink location="$D/tee.yuv" \
    t. ! queue leaky=downstream max-size-buffers=1 ! fakesink
is "size change through tee and queues: the same frames" "$(raw_frame_md5s "$D/tee.yuv" 320x240:10 160x120:10)" \
    "$(cat "$D/shrink.ref")"
run_fails_exact "size change into y4menc: Y4M cannot change size mid-stream, naming both formats" 1 \
    "parallax-launch: y4menc0: Y4M cannot change size or format mid-stream: its one header says 320x240 I420 at 30/1 for every frame, but after frame 10 the frames become 160x120 I420 at 30/1; write each part to its own file, or put videoscale (and videoconvert) before y4menc to keep one format" \
    filesrc location="$D/shrink.ivf" ! ivfdemux ! av1parse ! av1dec ! videoconvert ! y4menc ! filesink location="$D/x.y4m"
if "$PX_LAUNCH" --help 2>&1 | grep -q -- --isolate; then
    run_fails_with "size change into an isolated videoconvert: refused, naming the process boundary" 1 \
        "to video/x-raw, format=I420, width=160, height=120, framerate=30/1, padding-right=96, padding-bottom=8: it runs in an isolated process, and caps events do not cross the process boundary yet" \
        --isolate='videoconvert*' filesrc location="$D/shrink.ivf" ! ivfdemux ! av1parse ! av1dec ! videoconvert ! \
        video/x-raw,format=I420 ! fakesink
else
    skip "size change into an isolated element" "this build has no isolation"
fi
run_ok "size change, videoscale keeping 320x240 before y4menc" \
    filesrc location="$D/shrink.ivf" ! ivfdemux ! av1parse ! av1dec ! videoconvert ! videoscale ! \
    video/x-raw,width=320,height=240 ! y4menc ! filesink location="$D/scaled.y4m"
is "videoscale: 20 frames of 320x240 in one Y4M; the first 10 equal dav1d's" \
    "$(ffprobe -v error -count_frames -show_entries stream=width,height,nb_read_frames -of csv=p=0 "$D/scaled.y4m") $(y4m_frame_md5s "$D/scaled.y4m" | head -n 10 | md5sum)" \
    "320,240,20 $(head -n 10 "$D/shrink.ref" | md5sum)"
run_fails_with "size change into a capsfilter that fixes the size: refused, naming both caps" 1 \
    "to video/x-raw, width=160, format=I420, height=120, framerate=30/1: its sink pad takes only video/x-raw, width=320" \
    filesrc location="$D/shrink.ivf" ! ivfdemux ! av1parse ! av1dec ! videoconvert ! \
    capsfilter caps=video/x-raw,width=320 ! fakesink

# A stream that grows: av1dec's slots are sized at prepare, so it needs max-width/max-height.
{ cat "$small"; tail -c +33 "$codd"; } >"$D/grow.ivf"
run_fails_with "growing stream: av1dec names the frame, its slot size and the properties to set" 1 \
    "av1dec0: frame 10 is larger than the 160x120 its output slots were sized for at prepare (the stream's first sequence header); set max-width and max-height on av1dec0" \
    filesrc location="$D/grow.ivf" ! ivfdemux ! av1parse ! av1dec ! fakesink
run_fails_with "growing stream without av1parse: the same" 1 \
    "av1dec0: frame 10 is larger than the 160x120 its output slots" \
    filesrc location="$D/grow.ivf" ! ivfdemux ! av1dec ! fakesink
run_ok "growing stream with av1dec max-width=642 max-height=362 ! queue ! fakesink" --stats-json="$D/grow.json" \
    filesrc location="$D/grow.ivf" ! ivfdemux ! av1parse ! av1dec max-width=642 max-height=362 ! queue ! fakesink
is "growing stream: 70 frames decoded" "$(stat_of "$D/grow.json" fakesink buffers_in)" 70
# Growing through videoconvert: it takes a new arena of bigger slots at the caps event.
{ cat "$small"; tail -c +33 "$c320"; } >"$D/grow2.ivf"
dav1d -q -i "$D/grow2.ivf" --muxer framemd5 -o - >"$D/grow2.ref" 2>/dev/null
for s in coop threads rt; do
    run_ok "growing stream 160x120 -> 320x240 ($s): av1dec max-width=320 max-height=240 ! queue ! videoconvert (slots grow)" \
        --scheduler=$s filesrc location="$D/grow2.ivf" ! ivfdemux ! av1parse ! av1dec max-width=320 max-height=240 ! \
        queue ! videoconvert ! queue max-size-buffers=3 ! video/x-raw,format=I420 ! filesink location="$D/grow2.$s.yuv"
    is "growing stream ($s): 10 frames of 160x120 then 10 of 320x240, each equal to dav1d's" \
        "$(raw_frame_md5s "$D/grow2.$s.yuv" 160x120:10 320x240:10)" "$(cat "$D/grow2.ref")"
done

# A depth change: 8-bit 320x240, then 10-bit 160x120 (its frames fit the 8-bit slots).
c10s=$(av1_clip i420p10_160x120 160x120 10 yuv420p10le --bit-depth=10)
{ cat "$c320"; tail -c +33 "$c10s"; } >"$D/depth.ivf"
run_ok "depth change 8-bit -> 10-bit: av1dec renegotiates to I420_10LE, videoconvert follows to I420" \
    --stats-json="$D/depth.json" filesrc location="$D/depth.ivf" ! ivfdemux ! av1parse ! av1dec ! videoconvert ! \
    video/x-raw,format=I420 ! filesink location="$D/depth.yuv"
is "depth change: 10 + 10 frames, I420 of each size" "$(stat -c %s "$D/depth.yuv")" "$((10 * 115200 + 10 * 28800))"
{ cat "$small"; tail -c +33 "$c10s"; } >"$D/depth2.ivf"
run_fails_exact "depth change whose frames outgrow av1dec's slots: a clear error" 1 \
    "parallax-launch: av1dec0: frame 10: the stream changes to 160x120 10-bit 4:2:0, whose 98304-byte frames do not fit the 49152-byte output slots sized at prepare for I420 (decode each part in its own pipeline)" \
    filesrc location="$D/depth2.ivf" ! ivfdemux ! av1parse ! av1dec ! fakesink

# aomenc's resize mode: frame 0 at 320x240, then frames coded (and output) at 160x120.
crs=$(av1_clip resize_320x240 320x240 10 yuv420p --resize-mode=1 --resize-denominator=16)
dav1d -q -i "$crs" --muxer framemd5 -o - >"$D/resize.ref" 2>/dev/null
run_ok "resize mode: av1dec renegotiates at frame 1" \
    filesrc location="$crs" ! ivfdemux ! av1parse ! av1dec ! videoconvert ! video/x-raw,format=I420 ! \
    filesink location="$D/resize.yuv"
is "resize mode: 1 frame of 320x240 and 9 of 160x120, each equal to dav1d's" \
    "$(raw_frame_md5s "$D/resize.yuv" 320x240:1 160x120:9)" "$(cat "$D/resize.ref")"

done_testing
