#!/usr/bin/env bash
# Video elements end to end: videotestsrc ! y4menc files are read by ffprobe
# with the right size, format, count and rate; odd sizes; videoflip swaps
# dimensions; videoscale resizes; videocrop crops; rawvideoparse and y4mdec
# read back what was written.
. "$(dirname "$0")/lib.sh"

D=$(tmpdir)

# y4m_field FILE TAG: a tag's value from the Y4M stream header (W, H, F, C).
y4m_field() { head -n 1 "$1" | tr ' ' '\n' | sed -n "s/^$2//p"; }

run_ok "videotestsrc 640x480 I420 to y4menc exits 0" \
    videotestsrc num-buffers=10 ! video/x-raw,format=I420,width=640,height=480 ! y4menc ! filesink location="$D/a.y4m"
is "y4menc header" "$(head -n 1 "$D/a.y4m")" "YUV4MPEG2 W640 H480 F30:1 Ip A1:1 C420jpeg"
is "10 frames of 640x480 I420 plus headers" "$(wc -c <"$D/a.y4m" | tr -d ' ')" \
    $((43 + 10 * (6 + 640 * 480 * 3 / 2)))
if have ffprobe; then
    is "ffprobe reads 640x480 yuv420p 30/1, 10 frames" \
        "$(ffprobe -v error -count_frames -show_entries stream=width,height,pix_fmt,r_frame_rate,nb_read_frames \
            -of csv=p=0 "$D/a.y4m")" "640,480,yuv420p,30/1,10"
else
    skip "ffprobe reads 640x480 yuv420p 30/1, 10 frames" "ffprobe not installed"
fi

run_ok "odd size 642x362 exits 0" \
    videotestsrc num-buffers=3 ! video/x-raw,width=642,height=362 ! y4menc ! filesink location="$D/odd.y4m"
is "odd size: rows unpadded in the file" "$(wc -c <"$D/odd.y4m" | tr -d ' ')" \
    $((43 + 3 * (6 + 642 * 362 + 2 * 321 * 181)))
if have ffprobe; then
    is "ffprobe reads 642x362, 3 frames" \
        "$(ffprobe -v error -count_frames -show_entries stream=width,height,nb_read_frames -of csv=p=0 "$D/odd.y4m")" \
        "642,362,3"
fi

run_ok "videoflip clockwise exits 0" \
    videotestsrc num-buffers=2 ! video/x-raw,width=320,height=200 ! videoflip method=clockwise ! y4menc ! \
    filesink location="$D/flip.y4m"
is "videoflip clockwise swaps width and height" "$(y4m_field "$D/flip.y4m" W)x$(y4m_field "$D/flip.y4m" H)" "200x320"
run_ok "videoflip video-direction=horiz exits 0" \
    videotestsrc num-buffers=1 ! video/x-raw,width=320,height=200 ! videoflip video-direction=horiz ! y4menc ! \
    filesink location="$D/mirror.y4m"
is "videoflip horiz keeps the size" "$(y4m_field "$D/mirror.y4m" W)x$(y4m_field "$D/mirror.y4m" H)" "320x200"

run_ok "videoscale 1920x1080 to 1280x720 exits 0" \
    videotestsrc num-buffers=2 ! video/x-raw,width=1920,height=1080 ! videoscale ! video/x-raw,width=1280,height=720 ! \
    y4menc ! filesink location="$D/scale.y4m"
is "videoscale output is 1280x720" "$(y4m_field "$D/scale.y4m" W)x$(y4m_field "$D/scale.y4m" H)" "1280x720"
for m in nearest-neighbour bilinear lanczos area; do
    run_ok "videoscale method=$m on NV12 exits 0" \
        videotestsrc num-buffers=2 ! video/x-raw,format=NV12,width=320,height=240 ! videoscale method=$m ! \
        video/x-raw,width=160,height=100 ! fakesink
done

run_ok "videocrop exits 0" \
    videotestsrc num-buffers=1 ! video/x-raw,width=320,height=240 ! videocrop left=10 right=20 top=4 bottom=6 ! \
    y4menc ! filesink location="$D/crop.y4m"
is "videocrop 320x240 - 30 x 10 = 290x230" "$(y4m_field "$D/crop.y4m" W)x$(y4m_field "$D/crop.y4m" H)" "290x230"

# rawvideoparse: frames written raw come back as the same frames.
run_ok "raw I420 frames to a file" \
    videotestsrc num-buffers=4 pattern=ball ! video/x-raw,format=I420,width=320,height=240 ! filesink location="$D/raw.yuv"
run_ok "rawvideoparse reads them back" \
    filesrc location="$D/raw.yuv" blocksize=7777 ! rawvideoparse width=320 height=240 format=i420 framerate=30/1 ! \
    filesink location="$D/raw2.yuv"
check "rawvideoparse output is byte-identical" cmp "$D/raw.yuv" "$D/raw2.yuv"

# y4mdec: our own file round trips byte for byte.
run_ok "y4mdec ! y4menc exits 0" \
    filesrc location="$D/a.y4m" ! y4mdec ! video/x-raw,format=I420,width=640,height=480,framerate=30/1 ! y4menc ! \
    filesink location="$D/a2.y4m"
check "y4mdec ! y4menc round trip is byte-identical" cmp "$D/a.y4m" "$D/a2.y4m"

printf 'YUV4MPEG2 W640 Hx\n' >"$D/bad.y4m"
run_fails_with "a bad Y4M header is an error naming y4mdec0, the tag and the offset" 1 \
    'y4mdec0: bad Y4M stream header at byte 15: bad H tag "Hx"' \
    filesrc location="$D/bad.y4m" ! y4mdec ! fakesink
head -c 100000 "$D/a.y4m" >"$D/trunc.y4m"
run_ok "a truncated Y4M file ends with a warning, not a crash" \
    filesrc location="$D/trunc.y4m" ! y4mdec ! video/x-raw,width=640,height=480,framerate=30/1 ! fakesink
check "the warning says how much of the last frame came" grep -q "truncated file: the last frame has" "$ERR_FILE"

done_testing
