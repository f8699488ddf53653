#!/usr/bin/env bash
# Exercises the Buildroot package (ports/buildroot/package/parallax/parallax.mk)
# and the Yocto recipe (ports/yocto/meta-parallax/.../parallax_0.1.bb) as far
# as this machine allows: Buildroot and bitbake cannot download their
# toolchains and sources here, so this runs the commands their configure,
# build and install steps run, with the same variables, against Debian's
# aarch64 cross compiler and scratch staging/target/image directories, and
# checks what gets installed. Prints TAP.
#
# Verified here: defconfig selection, fragment merging (merge_config.sh -m
# semantics), olddefconfig detection as kconfig-package does it, the cross
# build, staging/target install, the installed file list, the binaries'
# architecture, the pkg-config file (a program built against staging with
# its flags runs under qemu), savedefconfig, and the Yocto package split.
# Not verified: Buildroot's and bitbake's own parsing of the .mk/.bb/Config.in,
# fetching, the optional library dependencies, interactive menuconfig.
set -u

PX_SRC=$(cd "$(dirname "$0")/../.." && pwd)
MAKE=${MAKE:-make}
TUPLE=aarch64-linux-gnu
MK=$PX_SRC/ports/buildroot/package/parallax/parallax.mk
BB=$PX_SRC/ports/yocto/meta-parallax/recipes-multimedia/parallax/parallax_0.1.bb
W=$(mktemp -d "${TMPDIR:-/tmp}/px-recipes.XXXXXX")
trap 'rm -rf "$W"' EXIT

n=0
bad=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $*"; }
diag() { sed 's/^/# /'; }
# step "desc" cmd...: runs a recipe step, output in $W/step.log.
step() {
    local desc=$1
    shift
    if "$@" >"$W/step.log" 2>&1; then ok "$desc"; else not_ok "$desc"; echo "  command: $*" | diag; tail -n 20 "$W/step.log" | diag; fi
}
check() { # check "desc" test-args...
    local desc=$1
    shift
    if "$@" >/dev/null 2>&1; then ok "$desc"; else not_ok "$desc"; fi
}
# The recipe must still contain the command this script runs for it.
recipe_has() { # recipe_has FILE "text" "what"
    if grep -qF -- "$2" "$1"; then ok "$(basename "$1") $3: $2"; else not_ok "$(basename "$1") $3: no '$2' (update tests/ports/recipes.sh)"; fi
}
# merge_config.sh -m: each fragment symbol replaces the base line, fragment appended.
merge_fragment() { # merge_fragment CONFIG FRAGMENT
    local sym
    for sym in $(sed -n 's/^\(# \)\{0,1\}\(CONFIG_[A-Za-z0-9_]*\)[= ].*/\2/p' "$2"); do
        sed -i -e "/^$sym=/d" -e "/^# $sym is not set/d" "$1"
    done
    cat "$2" >>"$1"
}
# Installed tree checks shared by both recipes: check_tree ROOT LABEL
check_tree() {
    local r=$1 l=$2 f
    for f in usr/include/parallax.h usr/include/parallax/px_config.h usr/bin/parallax-launch usr/lib/pkgconfig/parallax.pc; do
        check "$l: installs /$f" test -f "$r/$f"
    done
    local extra
    extra=$(cd "$r" && find . -type f | sed 's|^\./||' | grep -vxE 'usr/include/parallax.h|usr/include/parallax/px_config.h|usr/bin/parallax-launch|usr/lib/pkgconfig/parallax.pc')
    if [ -z "$extra" ]; then ok "$l: installs nothing else"; else not_ok "$l: unexpected files: $extra"; fi
    local desc
    desc=$(file -b "$r/usr/bin/parallax-launch" 2>/dev/null)
    if [[ $desc == *"ARM aarch64"* ]]; then ok "$l: parallax-launch is an aarch64 binary"; else not_ok "$l: parallax-launch is an aarch64 binary (file: $desc)"; fi
}

for tool in $TUPLE-gcc qemu-aarch64 file pkg-config; do
    if ! command -v $tool >/dev/null 2>&1; then
        echo "1..1"
        echo "not ok 1 - $tool missing (ports/debian/install-deps.sh installs it)"
        exit 1
    fi
done

# The package build dir: a copy of the sources, as Buildroot's local site
# method (rsync) and bitbake's unpack give the recipes.
copy_sources() {
    mkdir -p "$1"
    (cd "$PX_SRC" && git ls-files -co --exclude-standard -z 2>/dev/null | xargs -0 tar cf - 2>/dev/null) | tar xf - -C "$1"
}

# ---- Buildroot -----------------------------------------------------------------------
# BR2_PACKAGE_PARALLAX_KCONFIG_DEFCONFIG="minimal_defconfig" and one fragment.
D=$W/br/parallax-0.1.0
STAGING=$W/br/staging
TARGET=$W/br/target
copy_sources "$D"
# PARALLAX_MAKE_OPTS with Buildroot's usual TARGET_CFLAGS/LDFLAGS for an aarch64 glibc toolchain.
BR_OPTS=(O=br-build CROSS_COMPILE="$TUPLE-"
    CFLAGS="-D_LARGEFILE_SOURCE -D_LARGEFILE64_SOURCE -D_FILE_OFFSET_BITS=64 -O2 -g0 -D_FORTIFY_SOURCE=1"
    LDFLAGS="")
KMAKE=("$MAKE" -C "$D" HOSTCC=gcc "${BR_OPTS[@]}") # PARALLAX_KCONFIG_MAKE
recipe_has "$MK" 'PARALLAX_KCONFIG_DOTCONFIG = $(PARALLAX_BUILDDIR)/.config' "dotconfig"
recipe_has "$MK" 'CROSS_COMPILE="$(TARGET_CROSS)"' "build"
recipe_has "$MK" 'DESTDIR=$(STAGING_DIR) PREFIX=/usr install' "staging install"
recipe_has "$MK" 'DESTDIR=$(TARGET_DIR) PREFIX=/usr install' "target install"
recipe_has "$MK" '$(eval $(kconfig-package))' "infrastructure"

step "buildroot: make <defconfig> (PARALLAX_KCONFIG_DEFCONFIG=minimal_defconfig)" "${KMAKE[@]}" minimal_defconfig
printf '%s\n' 'CONFIG_PX_LOG_LEVEL=1' '# CONFIG_PX_ELEM_IDENTITY is not set' >"$W/br/board.fragment"
merge_fragment "$D/br-build/.config" "$W/br/board.fragment"
if "${KMAKE[@]}" -pn config 2>/dev/null | sed 's/^\([_0-9a-zA-Z]*config\):.*/\1/ p; d' | grep -q '\bolddefconfig\b'; then
    ok "buildroot: kconfig-package finds an olddefconfig target (make -pn config)"
else
    not_ok "buildroot: kconfig-package finds an olddefconfig target (make -pn config)"
fi
step "buildroot: make olddefconfig after the fragment" "${KMAKE[@]}" olddefconfig
check "buildroot: fragment applied (log level 1, identity off)" \
    bash -c "grep -qx CONFIG_PX_LOG_LEVEL=1 '$D/br-build/.config' && ! grep -q '^CONFIG_PX_ELEM_IDENTITY=y' '$D/br-build/.config'"
step "buildroot: build (make CROSS_COMPILE=$TUPLE- O=br-build all)" "$MAKE" -C "$D" "${BR_OPTS[@]}" all
step "buildroot: install to staging" "$MAKE" -C "$D" "${BR_OPTS[@]}" DESTDIR="$STAGING" PREFIX=/usr install
step "buildroot: install to target" "$MAKE" -C "$D" "${BR_OPTS[@]}" DESTDIR="$TARGET" PREFIX=/usr install
check_tree "$STAGING" "buildroot staging"
check_tree "$TARGET" "buildroot target"
step "buildroot: parallax-savedefconfig writes defconfig" "${KMAKE[@]}" savedefconfig
check "buildroot: saved defconfig keeps the fragment" grep -qx CONFIG_PX_LOG_LEVEL=1 "$D/defconfig"

# The target CLI runs and has exactly the configured elements.
if out=$(qemu-aarch64 "$TARGET/usr/bin/parallax-launch" --list-elements 2>&1); then
    names=$(echo "$out" | awk '{print $1}' | grep -xE 'fakesrc|fakesink|identity|filesrc|filesink|capsfilter|tee' | sort | tr '\n' ' ')
    if [ "$names" = "fakesink fakesrc filesink filesrc " ]; then
        ok "buildroot: target parallax-launch lists the configured elements ($names)"
    else
        not_ok "buildroot: target parallax-launch lists the configured elements (got: $names)"
        echo "$out" | diag
    fi
else
    not_ok "buildroot: target parallax-launch --list-elements runs under qemu-aarch64"
    echo "$out" | diag
fi
step "buildroot: target parallax-launch runs fakesrc ! fakesink under qemu-aarch64" \
    qemu-aarch64 "$TARGET/usr/bin/parallax-launch" -q fakesrc num-buffers=100 ! fakesink

# A dependent package: compiled against staging with parallax.pc's flags.
pcflags=$(PKG_CONFIG_SYSROOT_DIR=$STAGING PKG_CONFIG_LIBDIR=$STAGING/usr/lib/pkgconfig pkg-config --cflags --libs parallax 2>&1)
if [[ $pcflags == *"-I$STAGING/usr/include"*"PX_CONFIG_HEADER"* ]]; then
    ok "buildroot: parallax.pc gives the staging include dir and the config header"
else
    not_ok "buildroot: parallax.pc gives the staging include dir and the config header (got: $pcflags)"
fi
cat >"$W/br/app.c" <<'APP'
#define PARALLAX_IMPLEMENTATION
#include <parallax.h>
int main(void)
{
    px_error err = {0};
    px_pipeline *p = px_pipeline_parse("fakesrc num-buffers=10 sizetype=fixed sizemax=64 ! filesink location=out.bin", &err);
    if (!p)
        return 1;
    int rc = px_pipeline_run(p, &err);
    px_pipeline_free(p);
    return rc == PX_OK ? 0 : 1;
}
APP
# shellcheck disable=SC2086 # pkg-config output is word-split on purpose
if eval "$TUPLE-gcc -std=c11 -Wall -Wextra -Werror -O2 -o '$W/br/app' '$W/br/app.c' $pcflags" >"$W/step.log" 2>&1 &&
    (cd "$W/br" && qemu-aarch64 ./app && test -s out.bin) >>"$W/step.log" 2>&1; then
    ok "buildroot: a program built against staging with pkg-config runs under qemu-aarch64"
else
    not_ok "buildroot: a program built against staging with pkg-config runs under qemu-aarch64"
    tail -n 20 "$W/step.log" | diag
fi

# ---- Yocto -----------------------------------------------------------------------------
# PARALLAX_DEFCONFIG = "gateway_defconfig", one .cfg fragment in SRC_URI.
S=$W/yocto/parallax
B=$W/yocto/build
DD=$W/yocto/image
copy_sources "$S"
mkdir -p "$B"
# The bitbake environment for an aarch64 machine (TARGET_PREFIX, CC with machine flags).
Y_CC="$TUPLE-gcc -mcpu=cortex-a53 -fstack-protector-strong -D_FORTIFY_SOURCE=2 -Wformat -Wformat-security"
Y_MAKE=(-C "$S" O="$B" CROSS_COMPILE="$TUPLE-" "CC=$Y_CC" "CXX=$TUPLE-g++ -mcpu=cortex-a53"
    "CFLAGS=-O2 -pipe -g -feliminate-unused-debug-types" "LDFLAGS=-Wl,-O1 -Wl,--hash-style=gnu -Wl,--as-needed -Wl,-z,relro,-z,now")
recipe_has "$BB" 'PARALLAX_MAKE = "-C ${S} O=${B} CROSS_COMPILE=${TARGET_PREFIX}' "make options"
recipe_has "$BB" 'oe_runmake ${PARALLAX_MAKE} ${PARALLAX_DEFCONFIG}' "do_configure"
recipe_has "$BB" 'oe_runmake ${PARALLAX_MAKE} olddefconfig' "do_configure"
recipe_has "$BB" 'oe_runmake ${PARALLAX_MAKE} all' "do_compile"
recipe_has "$BB" 'install DESTDIR=${D} PREFIX=${prefix}' "do_install"
recipe_has "$BB" 'inherit cml1' "menuconfig"

# bitbake's pkg-config sees only the recipe's sysroot (PKG_CONFIG_LIBDIR, PKG_CONFIG_SYSROOT_DIR):
# without PACKAGECONFIG dav1d/seccomp there, the host's libraries must not leak into the build.
export PKG_CONFIG_LIBDIR=$W/yocto/sysroot/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$W/yocto/sysroot
mkdir -p "$PKG_CONFIG_LIBDIR"
step "yocto: do_configure (make gateway_defconfig)" "$MAKE" "${Y_MAKE[@]}" gateway_defconfig
printf '%s\n' '# CONFIG_PX_ELEM_TEE is not set' 'CONFIG_PX_LOG_LEVEL=2' >"$W/yocto/no-tee.cfg"
merge_fragment "$B/.config" "$W/yocto/no-tee.cfg"
step "yocto: do_configure (olddefconfig after the .cfg fragment)" "$MAKE" "${Y_MAKE[@]}" olddefconfig
check "yocto: fragment applied (tee off)" bash -c "test -f '$B/.config' && ! grep -q '^CONFIG_PX_ELEM_TEE=y' '$B/.config'"
step "yocto: do_compile" "$MAKE" "${Y_MAKE[@]}" all
step "yocto: do_install" "$MAKE" "${Y_MAKE[@]}" install DESTDIR="$DD" PREFIX=/usr \
    BINDIR=/usr/bin INCLUDEDIR=/usr/include LIBDIR=/usr/lib
check_tree "$DD" "yocto image"
# Package split: FILES:${PN} and FILES:${PN}-dev together ship every installed file once.
pn=$(cd "$DD" && find . -type f | sed 's|^\./|/|' | grep -xE '/usr/bin/parallax-launch')
dev=$(cd "$DD" && find . -type f | sed 's|^\./|/|' | grep -E '^/usr/include/parallax(\.h|/)|^/usr/lib/pkgconfig/parallax\.pc$')
all=$(cd "$DD" && find . -type f | wc -l)
if [ -n "$pn" ] && [ "$(echo "$dev" | wc -l)" -eq 3 ] && [ $((1 + 3)) -eq "$all" ]; then
    ok "yocto: \${PN} ships parallax-launch, \${PN}-dev the headers and parallax.pc, nothing unshipped"
else
    not_ok "yocto: package split (PN: $pn; dev: $dev; $all files installed)"
fi
step "yocto: image parallax-launch runs under qemu-aarch64" \
    qemu-aarch64 "$DD/usr/bin/parallax-launch" -q fakesrc num-buffers=100 ! identity ! fakesink

echo "1..$n"
[ $bad -eq 0 ]
