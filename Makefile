# Parallax: configuration, build, amalgamation, tests, install.   `make help` lists targets.
#
# Everything compiles from the committed parallax.h. python3 with kconfiglib
# is needed only for configuration (menuconfig, *_defconfig, ...) and for
# regenerating parallax.h; `make` and `make demo` need only cc and make.

.DEFAULT_GOAL := all
MAKEFLAGS += --no-builtin-rules
.SUFFIXES:

# ---- Directories and configuration file (kernel-style O= and KCONFIG_CONFIG) ----
ifneq ($(O),)
BUILD ?= $(patsubst %/,%,$(O))
KCONFIG_CONFIG ?= $(patsubst %/,%,$(O))/.config
else
BUILD ?= build
KCONFIG_CONFIG ?= .config
endif
srctree := $(CURDIR)
abs_build = $(abspath $(BUILD))

# ---- Toolchain -------------------------------------------------------------------------
# As in the kernel: CROSS_COMPILE=aarch64-linux-gnu- picks $(CROSS_COMPILE)gcc/g++
# (cross toolchains ship no <tuple>-cc); a CC/CXX given on the command line or in
# the environment (Yocto exports CC="<tuple>-gcc --sysroot=...") is used as is.
ifeq ($(origin CC),default)
CC := $(if $(CROSS_COMPILE),$(CROSS_COMPILE)gcc,cc)
endif
ifeq ($(origin CXX),default)
CXX := $(if $(CROSS_COMPILE),$(CROSS_COMPILE)g++,c++)
endif
CLANG ?= clang
PREFIX ?= /usr/local
DESTDIR ?=
INSTALL ?= install

WARNINGS := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wundef -Werror
CFLAGS ?= -O2 -g
LDFLAGS ?=
PX_CFLAGS = -std=c11 $(WARNINGS) $(CFLAGS) $(EXTRA_CFLAGS) -I$(srctree) $(CONFIG_CFLAGS) -MMD -MP
PX_LDLIBS = $(LDFLAGS) $(EXTRA_LDFLAGS) -lpthread

# ---- python3 with kconfiglib: probed only when a recipe needs it --------------------
# The python3 first on PATH may not see Debian's kconfiglib (pyenv), so probe
# /usr/bin/python3 first. Lazy (recursive + memoized) so plain builds never run python.
ifeq ($(origin PYTHON),undefined)
PYTHON = $(eval PYTHON := $(shell for p in /usr/bin/python3 python3; do \
	if $$p -c 'import kconfiglib' >/dev/null 2>&1; then command -v $$p; break; fi; done))$(PYTHON)
endif
NEED_PYTHON = @if [ -z "$(PYTHON)" ] || ! $(PYTHON) -c 'import kconfiglib' >/dev/null 2>&1; then \
	echo "kconfiglib not found: apt-get install python3-kconfiglib (or set PYTHON=)" >&2; exit 1; fi

KCONFIG_ENV = srctree=$(srctree) KCONFIG_CONFIG=$(KCONFIG_CONFIG) KCONFIG_WARN_UNDEF=y \
	KCONFIG_WARN_UNDEF_ASSIGN=y
# $(call kconfig,tool args): runs a kconfiglib tool; any warning fails the target.
define kconfig
	@mkdir -p $(dir $(KCONFIG_CONFIG)) $(BUILD)
	@$(KCONFIG_ENV) $(PYTHON) -m $(1) 2>$(BUILD)/.kconfig.log; rc=$$?; cat $(BUILD)/.kconfig.log >&2; \
	if [ $$rc -ne 0 ]; then exit $$rc; fi; \
	if grep -qi 'warning' $(BUILD)/.kconfig.log; then \
		echo "error: Kconfig warnings are errors (see above)" >&2; exit 1; fi
	@$(PYTHON) parallax_impl/amalgamate.py --lint $(KCONFIG_CONFIG)
endef

KCONFIG_FILES := Kconfig parallax_impl/Kconfig elements/Kconfig

# ---- Configuration header: only when a config file exists -------------------------
ifneq ($(wildcard $(KCONFIG_CONFIG)),)
CONFIG_H := $(BUILD)/px_config.h
CONFIG_CFLAGS = -I$(abs_build) -DPX_CONFIG_HEADER='"px_config.h"'
$(CONFIG_H): $(KCONFIG_CONFIG) $(KCONFIG_FILES)
	$(NEED_PYTHON)
	@mkdir -p $(@D)
	@echo "  GEN     $@ (from $(KCONFIG_CONFIG))"
	@$(KCONFIG_ENV) $(PYTHON) -m genconfig --header-path $@ Kconfig
	@touch $@
else
CONFIG_H :=
CONFIG_CFLAGS =
endif

# ---- optional library: dav1d (AV1 decoding: PX_CODEC_DAV1D, the av1dec element) --------
# With a config file, its CONFIG_PX_CODEC_DAV1D decides (Kconfig offers the option only when
# pkg-config finds dav1d). Without one, parallax.h defaults it to 0 and the Makefile turns it
# on when pkg-config finds dav1d and the compiler in use can link it (so cross and
# musl builds without a target dav1d leave it off). PX_DAV1D=0 forces it off.
PKG_CONFIG ?= pkg-config
ifeq ($(filter clean distclean help,$(MAKECMDGOALS)),)
ifneq ($(CONFIG_H),)
PX_DAV1D ?= $(if $(shell grep -qx 'CONFIG_PX_CODEC_DAV1D=y' $(KCONFIG_CONFIG) && echo y),1,0)
else
PX_DAV1D ?= $(shell $(PKG_CONFIG) --exists dav1d 2>/dev/null && \
	printf '\043include <dav1d/dav1d.h>\nint main(void) { return !dav1d_version(); }\n' | \
	$(CC) $$($(PKG_CONFIG) --cflags dav1d) -x c - -o /dev/null $$($(PKG_CONFIG) --libs dav1d) >/dev/null 2>&1 \
	&& echo 1 || echo 0)
endif
endif
ifeq ($(PX_DAV1D),1)
DAV1D_CFLAGS := $(shell $(PKG_CONFIG) --cflags dav1d)
DAV1D_LIBS := $(shell $(PKG_CONFIG) --libs dav1d)
CONFIG_CFLAGS += $(if $(CONFIG_H),,-DCONFIG_PX_CODEC_DAV1D=1) $(DAV1D_CFLAGS)
PX_LDLIBS += $(DAV1D_LIBS)
endif

# ---- parallax.h ----------------------------------------------------------------------
MANIFEST := parallax_impl/manifest.txt
SECTIONS := $(wildcard $(filter parallax_impl/%.h parallax_impl/%.c,$(file < $(MANIFEST))))
ELEMENT_SRCS := $(sort $(wildcard elements/*/*.c))
AMALG_INPUTS := $(SECTIONS) $(ELEMENT_SRCS) $(MANIFEST) $(KCONFIG_FILES) parallax_impl/amalgamate.py

.PHONY: amalgamate
amalgamate:
	$(NEED_PYTHON)
	@echo "  GEN     parallax.h"
	@$(PYTHON) parallax_impl/amalgamate.py -o parallax.h

# Regenerate when a section is newer, if kconfiglib is there; otherwise use
# the committed header as is (it is what ships).
parallax.h: $(AMALG_INPUTS)
	@if [ -n "$(PYTHON)" ]; then echo "  GEN     parallax.h"; \
		$(PYTHON) parallax_impl/amalgamate.py -o parallax.h; \
	else echo "note: parallax.h is older than its sections; kconfiglib not found, building the committed header"; fi

# ---- optional library: libseccomp (CONFIG_PX_SANDBOX_SECCOMP) -------------------------
# Without a config file the probe decides (parallax.h's own default is 0, so
# `cc app.c -lpthread` always works); with one, the config does, and a
# missing library is an error that names the package.
# The probe links a test program with $(CC): a cross or musl compiler without
# its own libseccomp gets the option off, not a failing link.
PKG_CONFIG ?= $(if $(CROSS_COMPILE),$(CROSS_COMPILE)pkg-config,pkg-config)
SECCOMP_FOUND := $(shell $(PKG_CONFIG) --exists libseccomp 2>/dev/null && \
	printf '\043include <seccomp.h>\nint main(void) { return seccomp_init(0) != 0; }\n' | \
	$(CC) -x c - -o /dev/null $$($(PKG_CONFIG) --cflags --libs libseccomp) 2>/dev/null && echo y)
ifneq ($(CONFIG_H),)
SECCOMP_ON := $(shell grep -qs '^CONFIG_PX_SANDBOX_SECCOMP=y' $(KCONFIG_CONFIG) && echo y)
ifeq ($(SECCOMP_ON):$(SECCOMP_FOUND),y:)
$(error CONFIG_PX_SANDBOX_SECCOMP is set but pkg-config finds no libseccomp: apt-get install libseccomp-dev, or turn the option off)
endif
else
SECCOMP_ON := $(SECCOMP_FOUND)
ifeq ($(SECCOMP_ON),y)
CONFIG_CFLAGS += -DCONFIG_PX_SANDBOX_SECCOMP=1
endif
endif
ifeq ($(SECCOMP_ON),y)
PX_LDLIBS += $(shell $(PKG_CONFIG) --libs libseccomp)
endif

# Rebuild when the flags or the configuration source change (e.g. .config
# removed, CFLAGS changed): the stamp is rewritten only when its text differs.
FLAGS_STAMP := $(BUILD)/.build-flags
FLAGS_NOW = $(CC) $(CXX) $(PX_CFLAGS) $(PX_LDLIBS)
ifeq ($(filter clean distclean help,$(MAKECMDGOALS)),)
ifneq ($(file < $(FLAGS_STAMP)),$(FLAGS_NOW))
$(shell mkdir -p $(BUILD))
$(file > $(FLAGS_STAMP),$(FLAGS_NOW))
endif
endif

HEADER_DEPS := parallax.h $(CONFIG_H) $(FLAGS_STAMP)


# ---- Programs ------------------------------------------------------------------------
EXAMPLE_SRCS := $(sort $(wildcard examples/*.c))
EXAMPLES := $(patsubst examples/%.c,$(BUILD)/examples/%,$(EXAMPLE_SRCS))
LAUNCH := $(BUILD)/parallax-launch

.PHONY: all
all: $(LAUNCH) $(EXAMPLES)

$(LAUNCH): parallax_impl/cli/launch.c $(HEADER_DEPS)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	@$(CC) $(PX_CFLAGS) -o $@ $< $(PX_LDLIBS)

$(BUILD)/examples/%: examples/%.c $(HEADER_DEPS)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	@$(CC) $(PX_CFLAGS) -o $@ $< $(PX_LDLIBS)

# ---- Tests ---------------------------------------------------------------------------
UNIT_SPECIAL := tests/unit/test_header_c99.c tests/unit/test_header_cxx.cpp \
	tests/unit/test_two_tu_a.c tests/unit/test_two_tu_b.c
UNIT_SRCS := $(filter-out $(UNIT_SPECIAL),$(sort $(wildcard tests/unit/test_*.c)))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
HEADER_BINS := $(BUILD)/tests/test_header_c99 $(BUILD)/tests/test_header_cxx $(BUILD)/tests/test_two_tu
TEST_BINS := $(HEADER_BINS) $(UNIT_BINS)

$(BUILD)/tests/test_%: tests/unit/test_%.c $(HEADER_DEPS)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	@$(CC) $(PX_CFLAGS) -o $@ $< -lcmocka $(PX_LDLIBS)

# Header tests compile the declarations only (C99, C++17) and link against the
# C11 implementation object of the two-TU test, so the configuration keys must agree.
$(BUILD)/tests/test_header_c99: tests/unit/test_header_c99.c $(BUILD)/tests/two_tu_a.o $(HEADER_DEPS)
	@mkdir -p $(@D)
	@echo "  CC      $@ (-std=c99)"
	@$(CC) $(PX_CFLAGS) -std=c99 -pedantic -o $@ $< $(BUILD)/tests/two_tu_a.o $(PX_LDLIBS)

$(BUILD)/tests/test_header_cxx: tests/unit/test_header_cxx.cpp $(BUILD)/tests/two_tu_a.o $(HEADER_DEPS)
	@mkdir -p $(@D)
	@echo "  CXX     $@ (-std=c++17)"
	@$(CXX) -std=c++17 -Wall -Wextra -Wshadow -Wundef -Werror $(CFLAGS) $(EXTRA_CFLAGS) \
		-I$(srctree) $(CONFIG_CFLAGS) -MMD -MP -o $@ $< $(BUILD)/tests/two_tu_a.o $(PX_LDLIBS)

$(BUILD)/tests/two_tu_%.o: tests/unit/test_two_tu_%.c $(HEADER_DEPS)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	@$(CC) $(PX_CFLAGS) -c -o $@ $<

$(BUILD)/tests/test_two_tu: $(BUILD)/tests/two_tu_a.o $(BUILD)/tests/two_tu_b.o
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -o $@ $^ $(PX_LDLIBS)

# Security tests: a launcher with the test-only hostile, crash and netprobe
# elements, and the same built without syscall filtering (what a board
# without libseccomp gets; with a .config, that config decides).
SECURITY_LAUNCH := $(BUILD)/tests/parallax-launch-test
SECURITY_ELEMS := -DCONFIG_PX_ELEM_HOSTILE=1 -DCONFIG_PX_ELEM_CRASH=1 -DCONFIG_PX_ELEM_NETPROBE=1
$(SECURITY_LAUNCH): parallax_impl/cli/launch.c $(HEADER_DEPS)
	@mkdir -p $(@D)
	@echo "  CC      $@ (+ hostile, crash, netprobe)"
	@$(CC) $(PX_CFLAGS) $(SECURITY_ELEMS) -o $@ $< $(PX_LDLIBS)
$(BUILD)/tests/parallax-launch-noseccomp: parallax_impl/cli/launch.c $(HEADER_DEPS)
	@mkdir -p $(@D)
	@echo "  CC      $@ (+ hostile, crash, netprobe; no seccomp)"
	@$(CC) $(filter-out -DCONFIG_PX_SANDBOX_SECCOMP=1,$(PX_CFLAGS)) $(SECURITY_ELEMS) -o $@ $< $(PX_LDLIBS)
TEST_BINS += $(SECURITY_LAUNCH) $(BUILD)/tests/parallax-launch-noseccomp

RUN_ENV = PX_SRC=$(srctree) PX_BUILD=$(abs_build) PX_LAUNCH=$(abs_build)/parallax-launch \
	PX_CONFIG_H=$(if $(CONFIG_H),$(abspath $(CONFIG_H))) PYTHON=$(PYTHON) CLANG=$(CLANG)

# Builds what it can (-k): a test that fails to build is counted as failed by run.sh.
.PHONY: tests
tests:
	@-$(MAKE) -s --no-print-directory -k all $(TEST_BINS)

.PHONY: check
check:
	@ports/debian/install-deps.sh --check-or-install
	@$(MAKE) -s --no-print-directory tests
	@$(RUN_ENV) tests/run.sh

SANITIZE_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer
.PHONY: sanitize
sanitize:
	@-$(MAKE) -s --no-print-directory -k BUILD=$(BUILD)/asan EXTRA_CFLAGS="$(SANITIZE_FLAGS)" \
		EXTRA_LDFLAGS="$(SANITIZE_FLAGS)" all $(patsubst $(BUILD)/%,$(BUILD)/asan/%,$(TEST_BINS))
	@rc=0; PX_SANITIZE=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		$(MAKE) -s --no-print-directory BUILD=$(BUILD)/asan run-tests || rc=1; \
		$(MAKE) -s --no-print-directory sanitize-thread || rc=1; \
		[ $$rc = 0 ] || echo "make sanitize: failures above (ASan/UBSan, TSan or both)"; exit $$rc

# ThreadSanitizer: the unit and pipeline tests (queues, schedulers, bus) with
# -fsanitize=thread in $(BUILD)/tsan; any report fails the run (halt_on_error).
TSAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer
.PHONY: sanitize-thread
sanitize-thread:
	@-$(MAKE) -s --no-print-directory -k BUILD=$(BUILD)/tsan EXTRA_CFLAGS="$(TSAN_FLAGS)" \
		EXTRA_LDFLAGS="$(TSAN_FLAGS)" all $(patsubst $(BUILD)/%,$(BUILD)/tsan/%,$(UNIT_BINS))
	@PX_SANITIZE=1 PX_STAGES="unit examples pipelines" TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
		PX_TEST_TIMEOUT=600 $(MAKE) -s --no-print-directory BUILD=$(BUILD)/tsan run-tests

.PHONY: run-tests
run-tests:
	@$(RUN_ENV) tests/run.sh

.PHONY: bench
bench: $(LAUNCH)
	@set -e; for t in $(filter-out tests/bench/lib% tests/bench/_%,$(sort $(wildcard tests/bench/*.sh))); do \
		echo "== $$t"; $(RUN_ENV) $$t; done

# ---- Fuzzing: tests/fuzz/fuzz_<name>.c, clang's libFuzzer with ASan+UBSan ------------------
# `make fuzz` runs each target FUZZ_SECONDS from its seeds (tests/fuzz/corpus/<name>), keeping
# what it finds in $(BUILD)/fuzz/corpus/<name> and crash inputs in $(BUILD)/fuzz/.
FUZZ_SECONDS ?= 60
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_FLAGS := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_element.h $(HEADER_DEPS)
	@mkdir -p $(@D)
	@echo "  CLANG   $@"
	@$(CLANG) -std=c11 $(WARNINGS) $(FUZZ_FLAGS) -I$(srctree) $(CONFIG_CFLAGS) -o $@ $< -lpthread $(PX_LDLIBS)

.PHONY: fuzz
fuzz: $(FUZZ_BINS)
	@set -e; for b in $(FUZZ_BINS); do n=$${b##*/fuzz_}; mkdir -p $(BUILD)/fuzz/corpus/$$n; \
		seeds=; if [ -d tests/fuzz/corpus/$$n ]; then seeds=tests/fuzz/corpus/$$n; fi; \
		echo "== fuzz_$$n ($(FUZZ_SECONDS) s)"; \
		$$b -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus/$$n $$seeds; done

# ---- Demo: the README's first command (cc and make only) ------------------------------
# Always the default configuration: with a config file present, build a
# separate launcher without it.
ifneq ($(CONFIG_H),)
DEMO_BUILD := $(BUILD)/default
else
DEMO_BUILD := $(BUILD)
endif
.PHONY: demo
demo:
	@$(MAKE) -s --no-print-directory BUILD=$(DEMO_BUILD) KCONFIG_CONFIG=$(DEMO_BUILD)/.no-config \
		$(DEMO_BUILD)/parallax-launch
	$(DEMO_BUILD)/parallax-launch -v 'fakesrc num-buffers=1000 sizetype=fixed sizemax=4096 filltype=pattern ! identity ! filesink location=$(BUILD)/demo.bin'
	@echo "demo: wrote $(BUILD)/demo.bin ($$(wc -c < $(BUILD)/demo.bin | tr -d ' ') bytes)"

# ---- Kconfig targets -----------------------------------------------------------------
DEFCONFIGS := $(notdir $(wildcard ports/defconfigs/*_defconfig))
.PHONY: menuconfig defconfig oldconfig olddefconfig savedefconfig allnoconfig allyesconfig $(DEFCONFIGS)

menuconfig:
	$(NEED_PYTHON)
	@mkdir -p $(dir $(KCONFIG_CONFIG))
	@$(KCONFIG_ENV) $(PYTHON) -m menuconfig Kconfig
	@$(PYTHON) parallax_impl/amalgamate.py --lint $(KCONFIG_CONFIG)

defconfig: default_defconfig

$(DEFCONFIGS):
	$(NEED_PYTHON)
	$(call kconfig,defconfig --kconfig Kconfig ports/defconfigs/$@)

%_defconfig:
	@echo "error: no ports/defconfigs/$@; available: $(DEFCONFIGS)" >&2; exit 1

oldconfig:
	$(NEED_PYTHON)
	@mkdir -p $(dir $(KCONFIG_CONFIG))
	@if [ -t 0 ]; then $(KCONFIG_ENV) $(PYTHON) -m oldconfig Kconfig; \
	else echo "oldconfig: stdin is not a terminal: new options take their defaults (olddefconfig)"; \
		$(KCONFIG_ENV) $(PYTHON) -m olddefconfig Kconfig; fi
	@$(PYTHON) parallax_impl/amalgamate.py --lint $(KCONFIG_CONFIG)

olddefconfig allnoconfig allyesconfig:
	$(NEED_PYTHON)
	$(call kconfig,$@ Kconfig)

savedefconfig:
	$(NEED_PYTHON)
	$(call kconfig,savedefconfig --kconfig Kconfig --out defconfig)
	@echo "wrote ./defconfig"

# Every defconfig, allnoconfig, allyesconfig and PX_RANDCONFIGS random configurations
# (kconfiglib, fixed seed PX_RANDSEED), each in its own O= directory under
# $(BUILD)/configcheck, each building the CLI and examples/01 warning-free
# (-Werror), PX_JOBS at a time. Also checks that minimal_defconfig enables exactly
# fakesrc, fakesink, identity, filesrc and filesink. tests/ports/configcheck.sh.
.PHONY: configcheck
configcheck:
	@PYTHON=$(PYTHON) MAKE="$(MAKE)" PX_BUILD=$(abs_build) tests/ports/configcheck.sh

# ---- Boards: cross builds under qemu-user, footprint ------------------------------------
# The same variables the Buildroot and Yocto recipes pass (CROSS_COMPILE, CC, O=);
# build/cross-<arch>, then header, unit, example and pipeline tests under qemu-user
# (musl: natively; no cmocka for musl). `make check` runs the arm64 one.
ARCH ?= arm64
.PHONY: cross cross-all footprint
cross:
	@MAKE="$(MAKE)" tests/ports/cross.sh $(ARCH)

cross-all:
	@bad=; for a in armhf arm64 musl; do echo "==== cross $$a"; \
		MAKE="$(MAKE)" tests/ports/cross.sh $$a || bad="$$bad $$a"; done; \
	if [ -n "$$bad" ]; then echo "cross-all: FAILED:$$bad" >&2; exit 1; fi; echo "cross-all: armhf arm64 musl OK"

# Stripped text size and peak RSS of the minimal static musl binary, the default
# and the full CLI, beside GStreamer's minimum; prints a markdown table.
footprint:
	@PYTHON=$(PYTHON) MAKE="$(MAKE)" tests/ports/footprint.sh $(BUILD)/footprint

# ---- Install ---------------------------------------------------------------------------
# Recipes set PREFIX=/usr (Yocto may also pass BINDIR, INCLUDEDIR, LIBDIR).
PX_VERSION = $(shell sed -n 's/^\#define PX_VERSION_STRING "\(.*\)"/\1/p' parallax.h)
BINDIR ?= $(PREFIX)/bin
INCLUDEDIR ?= $(PREFIX)/include
LIBDIR ?= $(PREFIX)/lib
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
.PHONY: install
install: $(LAUNCH)
	$(INSTALL) -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(PKGCONFIGDIR)
	$(INSTALL) -m 644 parallax.h $(DESTDIR)$(INCLUDEDIR)/parallax.h
	$(INSTALL) -m 755 $(LAUNCH) $(DESTDIR)$(BINDIR)/parallax-launch
ifneq ($(CONFIG_H),)
	$(INSTALL) -d $(DESTDIR)$(INCLUDEDIR)/parallax
	$(INSTALL) -m 644 $(CONFIG_H) $(DESTDIR)$(INCLUDEDIR)/parallax/px_config.h
endif
	@printf '%s\n' 'prefix=$(PREFIX)' 'includedir=$(INCLUDEDIR)' '' \
		'Name: parallax' \
		'Description: Streaming media pipeline runtime (single header; define PARALLAX_IMPLEMENTATION in one .c file)' \
		'Version: $(PX_VERSION)' \
		'Cflags: -I$${includedir}$(if $(CONFIG_H), -DPX_CONFIG_HEADER=\"parallax/px_config.h\")$(if $(filter 1,$(PX_DAV1D)),$(if $(CONFIG_H),, -DCONFIG_PX_CODEC_DAV1D=1))' \
		'Libs: -lpthread$(if $(filter 1,$(PX_DAV1D)), $(DAV1D_LIBS))' > $(DESTDIR)$(PKGCONFIGDIR)/parallax.pc
	@echo "installed parallax.h, parallax-launch and parallax.pc under $(DESTDIR)$(PREFIX)"

# ---- Cleaning --------------------------------------------------------------------------
.PHONY: clean distclean
clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf build $(KCONFIG_CONFIG) $(KCONFIG_CONFIG).old .config .config.old defconfig

# ---- Help ------------------------------------------------------------------------------
.PHONY: help
help:
	@echo 'Build (from the committed parallax.h; needs only cc and make):'
	@echo '  all (default)      $(BUILD)/parallax-launch and $(BUILD)/examples/*'
	@echo '  demo               build the default configuration and run a real pipeline'
	@echo '  amalgamate         regenerate parallax.h from parallax_impl/ and elements/ (kconfiglib)'
	@echo 'Tests:'
	@echo '  check              install missing Debian deps (root) or print the command, then'
	@echo '                     amalgamation check, header, unit, example, pipeline and clang tests'
	@echo '  tests              only build the test binaries'
	@echo '  sanitize           the same tests built with ASan+UBSan in $(BUILD)/asan, then sanitize-thread'
	@echo '  sanitize-thread    unit, example and pipeline tests built with TSan in $(BUILD)/tsan'
	@echo '  bench              run tests/bench/*.sh (figures, never assertions)'
	@echo '  fuzz               libFuzzer targets tests/fuzz/fuzz_*.c, FUZZ_SECONDS=$(FUZZ_SECONDS) each (clang)'
	@echo '  configcheck        every defconfig, allno, allyes and 10 random configs build warning-free'
	@echo 'Boards (ports/buildroot, ports/yocto, ports/defconfigs):'
	@echo '  cross ARCH=arm64|armhf|musl  cross build in build/cross-ARCH, tests under qemu-user'
	@echo '  cross-all          cross for armhf, arm64 and musl'
	@echo '  footprint          text size and peak RSS: minimal static musl, default, full; GStreamer'
	@echo 'Configuration (kconfiglib; config file $(KCONFIG_CONFIG)):'
	@echo '  menuconfig         interactive menu'
	@echo '  defconfig          ports/defconfigs/default_defconfig'
	@echo '  <name>_defconfig   ports/defconfigs/<name>_defconfig: $(DEFCONFIGS)'
	@echo '  oldconfig          update the config, asking about new options'
	@echo '  olddefconfig       update the config, new options at their defaults'
	@echo '  savedefconfig      write the minimal ./defconfig'
	@echo '  allnoconfig allyesconfig'
	@echo 'Install and clean:'
	@echo '  install            DESTDIR= PREFIX=$(PREFIX): header, parallax-launch, parallax.pc'
	@echo '  clean distclean'
	@echo 'Variables: O=dir (out-of-tree build and config), KCONFIG_CONFIG, CC, CXX, CROSS_COMPILE,'
	@echo '  CFLAGS, LDFLAGS, PYTHON (an interpreter that can import kconfiglib), PREFIX, DESTDIR'

-include $(wildcard $(BUILD)/*.d $(BUILD)/examples/*.d $(BUILD)/tests/*.d)
