################################################################################
#
# parallax
#
# Thin on purpose: everything goes through the project's Makefile, the same
# commands tests/ports/recipes.sh runs against a cross compiler:
#   configure  make O=build <name>_defconfig, fragments merged, make olddefconfig
#   build      make CROSS_COMPILE=$(TARGET_CROSS) O=build
#   install    make O=build install DESTDIR=$(STAGING_DIR)|$(TARGET_DIR) PREFIX=/usr
#
################################################################################

PARALLAX_VERSION = 0.1.0
# The BR2_EXTERNAL tree lives in the Parallax sources (ports/buildroot), so
# the package builds the checkout it belongs to. For a release tarball use
# PARALLAX_SITE = <url> with PARALLAX_SOURCE and its sha256 in parallax.hash,
# or keep this and point PARALLAX_OVERRIDE_SRCDIR at another checkout.
PARALLAX_SITE = $(realpath $(BR2_EXTERNAL_PARALLAX_PATH)/../..)
PARALLAX_SITE_METHOD = local
# No LICENSE file in the sources yet: set PARALLAX_LICENSE and
# PARALLAX_LICENSE_FILES (with its hash in parallax.hash) once there is one.
PARALLAX_INSTALL_STAGING = YES

# Out-of-tree build directory inside the package build dir; the .config the
# kconfig-package infrastructure copies, merges and edits is the one in it.
PARALLAX_BUILDDIR = br-build
PARALLAX_KCONFIG_DOTCONFIG = $(PARALLAX_BUILDDIR)/.config

# Options for every call of the project Makefile, kconfig editors included.
PARALLAX_MAKE_OPTS = \
	O=$(PARALLAX_BUILDDIR) \
	CROSS_COMPILE="$(TARGET_CROSS)" \
	CFLAGS="$(TARGET_CFLAGS)" \
	LDFLAGS="$(TARGET_LDFLAGS)"
PARALLAX_KCONFIG_OPTS = $(PARALLAX_MAKE_OPTS)

# <name>_defconfig from ports/defconfigs (BR2_PACKAGE_PARALLAX_KCONFIG_DEFCONFIG),
# then the fragments: kconfig-package runs "make $(PARALLAX_KCONFIG_OPTS)
# <name>_defconfig", merge_config.sh and "make olddefconfig".
PARALLAX_KCONFIG_DEFCONFIG = $(call qstrip,$(BR2_PACKAGE_PARALLAX_KCONFIG_DEFCONFIG))
PARALLAX_KCONFIG_FRAGMENT_FILES = $(call qstrip,$(BR2_PACKAGE_PARALLAX_KCONFIG_FRAGMENT_FILES))
PARALLAX_KCONFIG_EDITORS = menuconfig

# Optional libraries: libseccomp (PX_SANDBOX_SECCOMP) and dav1d (PX_CODEC_DAV1D)
# are linked when Parallax's configuration enables them; the others only build
# the dependency for now (see the help texts in Config.in).
ifeq ($(BR2_PACKAGE_PARALLAX_SECCOMP),y)
PARALLAX_DEPENDENCIES += libseccomp
endif
ifeq ($(BR2_PACKAGE_PARALLAX_DAV1D),y)
PARALLAX_DEPENDENCIES += dav1d
endif
ifeq ($(BR2_PACKAGE_PARALLAX_VAAPI),y)
PARALLAX_DEPENDENCIES += libva libdrm
endif
ifeq ($(BR2_PACKAGE_PARALLAX_DRM),y)
PARALLAX_DEPENDENCIES += libdrm
endif
ifeq ($(BR2_PACKAGE_PARALLAX_VULKAN),y)
PARALLAX_DEPENDENCIES += vulkan-loader
endif

define PARALLAX_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(PARALLAX_MAKE_OPTS) all
endef

define PARALLAX_INSTALL_STAGING_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(PARALLAX_MAKE_OPTS) \
		DESTDIR=$(STAGING_DIR) PREFIX=/usr install
endef

define PARALLAX_INSTALL_TARGET_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(PARALLAX_MAKE_OPTS) \
		DESTDIR=$(TARGET_DIR) PREFIX=/usr install
endef

$(eval $(kconfig-package))
