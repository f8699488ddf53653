SUMMARY = "Parallax: streaming media pipeline runtime for firmware-like boards"
DESCRIPTION = "GStreamer-style pipelines (gst-launch syntax) from one C header, \
parallax.h, configured with Kconfig. ${PN} is the parallax-launch CLI; \
${PN}-dev is the header, the configuration header and parallax.pc."
SECTION = "multimedia"
# The sources carry no license file yet: set LICENSE and LIC_FILES_CHKSUM
# when they do. CLOSED keeps bitbake's license checks quiet meanwhile.
LICENSE = "CLOSED"

# The sources are this checkout (see PARALLAX_SRCDIR in conf/layer.conf), like
# externalsrc; for a release use e.g.
#   SRC_URI = "git://example.org/parallax.git;protocol=https;branch=main"
#   SRCREV = "<commit>"  and  S = "${WORKDIR}/git"
inherit externalsrc
EXTERNALSRC = "${PARALLAX_SRCDIR}"
EXTERNALSRC_BUILD = "${WORKDIR}/build"
PV = "0.1.0"

# Kconfig: "bitbake -c menuconfig parallax", like busybox and the kernel.
inherit cml1

# <name>_defconfig from ports/defconfigs: minimal, default, camera, gateway, full.
PARALLAX_DEFCONFIG ??= "default_defconfig"

# Optional libraries. dav1d (PX_CODEC_DAV1D, offered once pkg-config finds it in
# the sysroot) and libseccomp (set CONFIG_PX_SANDBOX_SECCOMP=y in a .cfg fragment)
# are linked when the configuration enables them; vaapi, drm and vulkan only add
# the dependency for now.
PACKAGECONFIG ??= ""
PACKAGECONFIG[seccomp] = ",,libseccomp"
PACKAGECONFIG[dav1d] = ",,dav1d"
PACKAGECONFIG[vaapi] = ",,libva libdrm"
PACKAGECONFIG[drm] = ",,libdrm"
PACKAGECONFIG[vulkan] = ",,vulkan-loader"

# Every step goes through the project Makefile; tests/ports/recipes.sh runs
# these same commands against Debian's aarch64 cross compiler.
# CC from the environment carries --sysroot and the machine flags; CROSS_COMPILE
# is passed as the Buildroot recipe does. Configuring needs python3 with
# kconfiglib on the build host (Debian python3-kconfiglib, or pip kconfiglib):
# the Makefile probes /usr/bin/python3 first, then python3 on PATH; set
# PARALLAX_PYTHON to an interpreter path to choose one.
PARALLAX_PYTHON ??= ""
PARALLAX_MAKE = "-C ${S} O=${B} CROSS_COMPILE=${TARGET_PREFIX} \
    'CC=${CC}' 'CXX=${CXX}' 'CFLAGS=${CFLAGS}' 'LDFLAGS=${LDFLAGS}' \
    ${@'PYTHON=' + d.getVar('PARALLAX_PYTHON') if d.getVar('PARALLAX_PYTHON') else ''}"
EXTRA_OEMAKE = ""

# cml1 runs "make ${KCONFIG_CONFIG_COMMAND}" in ${KCONFIG_CONFIG_ROOTDIR}:
# the .config lives in ${B} (O=), the Makefile in ${S}.
KCONFIG_CONFIG_ROOTDIR = "${B}"
KCONFIG_CONFIG_COMMAND = "-C ${S} O=${B} menuconfig"

do_configure() {
    oe_runmake ${PARALLAX_MAKE} ${PARALLAX_DEFCONFIG}
    # *.cfg fragments from SRC_URI, merged like merge_config.sh -m: a fragment's
    # symbol replaces the defconfig's line, then olddefconfig resolves the rest.
    for f in ${@" ".join(find_cfgs(d))}; do
        f=${WORKDIR}/$(basename $f)
        sed -n 's/^\(# \)\{0,1\}\(CONFIG_[A-Za-z0-9_]*\)[= ].*/\2/p' $f | while read sym; do
            sed -i -e "/^$sym=/d" -e "/^# $sym is not set/d" ${B}/.config
        done
        cat $f >> ${B}/.config
    done
    oe_runmake ${PARALLAX_MAKE} olddefconfig
}

do_compile() {
    oe_runmake ${PARALLAX_MAKE} all
}

do_install() {
    oe_runmake ${PARALLAX_MAKE} install DESTDIR=${D} PREFIX=${prefix} \
        BINDIR=${bindir} INCLUDEDIR=${includedir} LIBDIR=${libdir}
}

do_savedefconfig() {
    bbplain "Saving defconfig to: ${S}/defconfig"
    oe_runmake ${PARALLAX_MAKE} savedefconfig
}

# ${PN}: the CLI. ${PN}-dev: parallax.h, parallax/px_config.h, parallax.pc;
# header-only, so it needs nothing of ${PN} at run time.
PACKAGES = "${PN}-dbg ${PN} ${PN}-dev"
FILES:${PN} = "${bindir}/parallax-launch"
FILES:${PN}-dev = "${includedir}/parallax.h ${includedir}/parallax ${libdir}/pkgconfig/parallax.pc"
RDEPENDS:${PN}-dev = ""
