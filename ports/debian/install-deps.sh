#!/bin/sh
# Installs the Debian packages Parallax's build and tests need.
#   install-deps.sh --check-or-install   root on Debian: install what is missing;
#                                         otherwise print the exact command, exit 1
#   install-deps.sh --print              print the package list
set -eu

PACKAGES="build-essential clang libclang-rt-dev python3-kconfiglib libcmocka-dev pkg-config valgrind
gstreamer1.0-tools gstreamer1.0-plugins-base file ffmpeg"
# Boards (tests/ports, make cross/cross-all/footprint): cross compilers, qemu-user,
# musl, and cmocka for the targets through Debian multiarch (pkg:arch entries;
# the architectures are added with dpkg --add-architecture when missing).
PACKAGES="$PACKAGES gcc-aarch64-linux-gnu g++-aarch64-linux-gnu binutils-aarch64-linux-gnu
libc6-dev-arm64-cross gcc-arm-linux-gnueabihf g++-arm-linux-gnueabihf binutils-arm-linux-gnueabihf
libc6-dev-armhf-cross qemu-user musl-tools time libcmocka-dev:arm64 libcmocka-dev:armhf"
# AV1 (PX_CODEC_DAV1D, av1dec; tests/interop/av1_dav1d.sh, tests/bench/av1dec.sh): dav1d to link and
# as the reference decoder, aomenc to make test clips.
PACKAGES="$PACKAGES libdav1d-dev dav1d aom-tools"
# Isolation: seccomp filters (libseccomp), the shmsink/shmsrc peer of tests/bench/isolate.sh.
PACKAGES="$PACKAGES libseccomp-dev gstreamer1.0-plugins-bad"
PACKAGES=$(echo $PACKAGES)

mode=${1:---check-or-install}
case $mode in
--print) echo "$PACKAGES"; exit 0 ;;
--check-or-install) ;;
*) echo "usage: $0 [--check-or-install|--print]" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps: not a Debian-based system (no dpkg-query); install the equivalents of:" >&2
    echo "  $PACKAGES" >&2
    exit 1
fi

missing=
for p in $PACKAGES; do
    # One line per installed architecture (multiarch): any will do.
    dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qx installed || missing="$missing $p"
done
missing=${missing# }
[ -z "$missing" ] && exit 0

archs=$(for p in $missing; do case $p in *:*) echo "${p#*:}" ;; esac; done | sort -u)
addarch=$(for a in $archs; do printf 'dpkg --add-architecture %s && ' "$a"; done)
cmd="${addarch}apt-get update && apt-get install -y --no-install-recommends $missing"
if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing Debian packages: $missing" >&2
    echo "install them with:" >&2
    echo "  sudo sh -c 'DEBIAN_FRONTEND=noninteractive $cmd'" >&2
    exit 1
fi
echo "install-deps: installing$(printf ' %s' $missing)"
export DEBIAN_FRONTEND=noninteractive
for a in $archs; do
    dpkg --print-foreign-architectures | grep -qx "$a" || dpkg --add-architecture "$a"
done
# A mirror caught mid-sync fails one index now and then: retry, and go on with
# the lists we have rather than fail the whole run over an unrelated index.
for try in 1 2 3; do
    apt-get update && break
    echo "install-deps: apt-get update failed (try $try of 3)" >&2
    sleep 5
done
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $missing
