#!/bin/sh
# Installs the Debian packages Parallax's build and tests need.
#   install-deps.sh --check-or-install   root on Debian: install what is missing;
#                                         otherwise print the exact command, exit 1
#   install-deps.sh --print              print the package list
set -eu

PACKAGES="build-essential clang libclang-rt-dev python3-kconfiglib libcmocka-dev pkg-config valgrind
gstreamer1.0-tools gstreamer1.0-plugins-base file ffmpeg"
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
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = installed ] || missing="$missing $p"
done
missing=${missing# }
[ -z "$missing" ] && exit 0

cmd="apt-get update && apt-get install -y --no-install-recommends $missing"
if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing Debian packages: $missing" >&2
    echo "install them with:" >&2
    echo "  sudo sh -c 'DEBIAN_FRONTEND=noninteractive $cmd'" >&2
    exit 1
fi
echo "install-deps: installing$(printf ' %s' $missing)"
export DEBIAN_FRONTEND=noninteractive
apt-get update
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $missing
