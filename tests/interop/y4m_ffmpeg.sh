#!/usr/bin/env bash
# Y4M against ffmpeg as the real peer: ffmpeg-written files go through
# y4mdec ! y4menc with every frame's payload unchanged (framemd5), and what
# y4menc writes decodes in ffmpeg to the same frames ffprobe counts.
. "$(dirname "$0")/../pipelines/lib.sh"

D=$(tmpdir)
if ! have ffmpeg; then
    skip "ffmpeg interop" "ffmpeg not installed (ports/debian/install-deps.sh)"
    done_testing
fi

for size in 320x240 642x362; do
    w=${size%x*} h=${size#*x}
    ffmpeg -v error -y -f lavfi -i testsrc2=size=$size:rate=30 -frames 10 -pix_fmt yuv420p "$D/in.y4m"
    run_ok "y4mdec ! y4menc on ffmpeg's $size yuv420p exits 0" \
        filesrc location="$D/in.y4m" ! y4mdec ! video/x-raw,format=I420,width=$w,height=$h,framerate=30/1 ! \
        y4menc ! filesink location="$D/out.y4m"
    is "$size: every frame payload identical (framemd5)" \
        "$(ffmpeg -v error -i "$D/out.y4m" -f framemd5 - | grep -v '^#' | md5sum)" \
        "$(ffmpeg -v error -i "$D/in.y4m" -f framemd5 - | grep -v '^#' | md5sum)"
done

# No caps filter: y4mdec reads the header ahead of streaming (filesrc peek)
# and negotiation settles on the file's own format, size and rate, through
# videoconvert (which passes through: same format on both sides).
ffmpeg -v error -y -f lavfi -i testsrc2=size=176x144:rate=25 -frames 12 -pix_fmt yuv420p "$D/cif.y4m"
run_ok "filesrc ! y4mdec ! videoconvert ! y4menc needs no caps filter" \
    filesrc location="$D/cif.y4m" ! y4mdec ! videoconvert ! y4menc ! filesink location="$D/cif2.y4m"
is "caps from the file header: 176x144 at 25/1, 12 frames" \
    "$(ffprobe -v error -count_frames -show_entries stream=width,height,r_frame_rate,nb_read_frames -of csv=p=0 "$D/cif2.y4m")" \
    "176,144,25/1,12"
is "frames through y4mdec ! videoconvert ! y4menc unchanged (framemd5)" \
    "$(ffmpeg -v error -i "$D/cif2.y4m" -f framemd5 - | grep -v '^#' | md5sum)" \
    "$(ffmpeg -v error -i "$D/cif.y4m" -f framemd5 - | grep -v '^#' | md5sum)"

# Gray: ffmpeg's Cmono.
ffmpeg -v error -y -f lavfi -i testsrc2=size=160x120:rate=25 -frames 3 -pix_fmt gray "$D/gray.y4m"
run_ok "y4mdec reads ffmpeg's Cmono" \
    filesrc location="$D/gray.y4m" ! y4mdec ! video/x-raw,format=GRAY8,width=160,height=120,framerate=25/1 ! \
    y4menc ! filesink location="$D/gray2.y4m"
is "Cmono frames identical" "$(ffmpeg -v error -i "$D/gray2.y4m" -f framemd5 - | grep -v '^#' | md5sum)" \
    "$(ffmpeg -v error -i "$D/gray.y4m" -f framemd5 - | grep -v '^#' | md5sum)"

# Our videotestsrc red, read by ffmpeg as RGB: BT.601 limited red decodes to (254/255, 0, 0)-ish.
run_ok "videotestsrc red to Y4M" \
    videotestsrc num-buffers=1 pattern=red ! video/x-raw,width=16,height=16 ! y4menc ! filesink location="$D/red.y4m"
rgb=$(ffmpeg -v error -i "$D/red.y4m" -f rawvideo -pix_fmt rgb24 - | head -c 3 | od -An -tu1 | tr -s ' ')
case $rgb in
" 25"[0-5]" 0 0" | " 25"[0-5]" 0 1" | " 25"[0-5]" 1 0") ok "ffmpeg decodes our red as red ($rgb)" ;;
*) not_ok "ffmpeg decodes our red as red (got$rgb)" ;;
esac

done_testing
