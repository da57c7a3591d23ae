# Keel — top-level build.
#
#   make deps                        install everything (Debian 12, as root)
#   make ARCH=arm64 defconfig        configure from configs/arm64_defconfig
#                                    (ARCH=riscv64: configs/riscv64_defconfig;
#                                    arm64_minimal_defconfig: the minimal one)
#   make                             build $(O)/keel.elf and $(O)/keel.bin
#   make guest-images                the Linux guest (kernel cached in ~/.cache/keel)
#   make run | run-direct | debug    boot it in QEMU
#   make test                        unit tests, short fuzzing, QEMU scenarios
#                                    on every arch (others in $(O)/<arch>)
#   make fuzz                        fuzz each harness FUZZ_SECONDS (300)
#
# O=<dir> puts every output in <dir> (default: build). `make help` lists all.

KEEL_VERSION := 0.1.0

O ?= build
override O := $(abspath $(O))
SRC := $(CURDIR)
PYTHON := /usr/bin/python3
KCONFIGLIB := /usr/lib/python3/dist-packages
LINUX_SOURCE_TARBALL ?= /usr/src/linux-source-6.1.tar.xz

CONFIG := $(O)/.config
CONFIG_HEADER := $(O)/include/generated/config.h

# ARCH: from the command line, else from an existing configuration, else arm64.
ifeq ($(origin ARCH),undefined)
ARCH := $(patsubst "%",%,$(shell sed -n 's/^CONFIG_ARCH_NAME=//p' $(CONFIG) 2>/dev/null))
ifeq ($(ARCH),)
ARCH := arm64
endif
endif
SUPPORTED_ARCHS := arm64 riscv64
ifeq ($(filter $(ARCH),$(SUPPORTED_ARCHS)),)
$(error ARCH=$(ARCH) is not supported yet; supported: $(SUPPORTED_ARCHS))
endif
export ARCH

# Everything that differs between arches (toolchain, code generation,
# relocations, Linux and Debian names, packages) is in arch/<arch>/arch.mk.
# QEMU's machine and firmware for each arch are in tools/keelarch.py.
include arch/$(ARCH)/arch.mk
CROSS_COMPILE ?= $(ARCH_CROSS_COMPILE)
CC := $(CROSS_COMPILE)gcc
LD := $(CROSS_COMPILE)ld
OBJCOPY := $(CROSS_COMPILE)objcopy
NM := $(CROSS_COMPILE)nm

KCONFIG_ENV := ARCH=$(ARCH) srctree=$(SRC) KCONFIG_CONFIG=$(CONFIG) \
	PYTHONPATH=$(KCONFIGLIB)

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.PHONY: all help deps defconfig %_defconfig allyesconfig allnoconfig menuconfig olddefconfig \
	savedefconfig run run-direct debug test unit unit-tsan fuzz regress boottime clean \
	distclean libfdt initrd disk guests bench check-configs

# ---------------------------------------------------------------- config ---

defconfig: $(ARCH)_defconfig

%_defconfig:
	@test -f configs/$@ || { echo "no such configuration: configs/$@" >&2; exit 1; }
	@mkdir -p $(O)
	$(Q)cd $(O) && $(KCONFIG_ENV) $(PYTHON) $(KCONFIGLIB)/defconfig.py \
		--kconfig $(SRC)/Kconfig $(SRC)/configs/$@

# Every option on, or every option off that can be (build checks:
# tools/check-configs).
allyesconfig allnoconfig:
	@mkdir -p $(O)
	$(Q)cd $(O) && $(KCONFIG_ENV) $(PYTHON) $(KCONFIGLIB)/$@.py $(SRC)/Kconfig

menuconfig olddefconfig: | $(CONFIG)
	$(Q)cd $(O) && $(KCONFIG_ENV) $(PYTHON) $(KCONFIGLIB)/$@.py $(SRC)/Kconfig

savedefconfig: | $(CONFIG)
	$(Q)cd $(O) && $(KCONFIG_ENV) $(PYTHON) $(KCONFIGLIB)/savedefconfig.py \
		--kconfig $(SRC)/Kconfig --out $(O)/defconfig
	@echo "minimal configuration written to $(O)/defconfig"

KCONFIG_FILES := $(shell find . -name Kconfig -not -path './build/*' -not -path './.git/*')

# A build without a configuration starts from the arch's defconfig; one
# older than a Kconfig file takes the new options at their defaults, as
# `make olddefconfig` would (an updated tree builds what it should).
$(CONFIG): $(KCONFIG_FILES)
	@if [ -f $@ ]; then \
		echo "  CONFIG  Kconfig changed: new options at their defaults"; \
		cd $(O) && $(KCONFIG_ENV) $(PYTHON) $(KCONFIGLIB)/olddefconfig.py \
			$(SRC)/Kconfig >/dev/null && touch $@; \
	else \
		echo "no configuration in $(O); using configs/$(ARCH)_defconfig"; \
		$(MAKE) --no-print-directory $(ARCH)_defconfig; \
	fi

$(CONFIG_HEADER): $(CONFIG) $(KCONFIG_FILES)
	@mkdir -p $(dir $@)
	$(Q)cd $(O) && $(KCONFIG_ENV) $(PYTHON) $(KCONFIGLIB)/genconfig.py \
		--header-path $@ $(SRC)/Kconfig >/dev/null

# Every option set, for `version -v`.
CONFIG_LIST := $(O)/include/generated/config_list.h
$(CONFIG_LIST): $(CONFIG) tools/mkconfiglist
	@mkdir -p $(dir $@)
	$(Q)tools/mkconfiglist $(CONFIG) $@

# Reading the configuration also makes it: a build in a fresh tree starts
# from the defconfig, and make restarts with the options in force.
CONFIG_GOALS := defconfig %_defconfig allyesconfig allnoconfig menuconfig olddefconfig savedefconfig \
	deps help clean distclean
ifeq ($(filter $(CONFIG_GOALS),$(MAKECMDGOALS)),)
-include $(CONFIG)
else ifneq ($(wildcard $(CONFIG)),)
include $(CONFIG)
endif

# ---------------------------------------------------------------- libfdt ---
# The real libfdt, unpacked from Debian's linux-source tarball at build time.

LIBFDT_SRC := $(O)/libfdt/src
LIBFDT_STAMP := $(LIBFDT_SRC)/.unpacked
LIBFDT_FILES := fdt.c fdt_ro.c fdt_rw.c fdt_sw.c fdt_wip.c fdt_strerror.c \
	fdt_addresses.c fdt_empty_tree.c

$(LIBFDT_STAMP):
	@test -f $(LINUX_SOURCE_TARBALL) || { echo "missing $(LINUX_SOURCE_TARBALL): run 'make deps'" >&2; exit 1; }
	@echo "  UNPACK  libfdt from $(notdir $(LINUX_SOURCE_TARBALL))"
	@rm -rf $(LIBFDT_SRC) && mkdir -p $(LIBFDT_SRC)
	$(Q)tar -xJf $(LINUX_SOURCE_TARBALL) -C $(LIBFDT_SRC) --strip-components=4 \
		linux-source-6.1/scripts/dtc/libfdt
	@rm -f $(LIBFDT_SRC)/libfdt_env.h   # Keel provides its own
	@touch $@

libfdt: $(LIBFDT_STAMP)

# ----------------------------------------------------------------- flags ---

Q ?= @
GCC_INCLUDE := $(shell $(CC) -print-file-name=include 2>/dev/null)

INCLUDES := -I$(O)/include -Icore/include -Ilibs/include -Ilibs/include/libc -Iemulators \
	-Ilibs/include/fdt -Iarch/$(ARCH)/include -I$(LIBFDT_SRC)
COMMON_FLAGS := -ffreestanding -nostdinc -isystem $(GCC_INCLUDE) \
	-fpie -fno-plt -fno-common -fno-stack-protector -fno-omit-frame-pointer \
	-ffunction-sections -fdata-sections -g \
	-include $(CONFIG_HEADER) -include core/include/keel/visibility.h \
	$(ARCH_CFLAGS) $(INCLUDES) \
	-DKEEL_VERSION=\"$(KEEL_VERSION)\" -DKEEL_ARCH=\"$(ARCH)\"
WARNINGS := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wvla \
	-Wstrict-prototypes -Wno-unused-parameter
CFLAGS := -std=gnu11 -O2 $(COMMON_FLAGS) $(WARNINGS)
# libfdt is third-party: its own warnings are not ours to fix. Its offset
# arithmetic can overflow int on a hostile blob before the range check that
# catches it; -fwrapv makes that wrap (what the check expects) instead of
# undefined behaviour.
LIBFDT_CFLAGS := -std=gnu11 -O2 $(COMMON_FLAGS) -w -fwrapv
ASFLAGS := $(COMMON_FLAGS) -D__ASSEMBLY__
LDFLAGS := -pie --no-dynamic-linker -z norelro -z noexecstack \
	--no-warn-rwx-segments --build-id=none --gc-sections

# --------------------------------------------------------------- sources ---
# core/ and libs/ are arch neutral and built but for core's optional parts;
# arch/, drivers/, emulators/ and core's optional parts list their objects
# in objects.mk with obj-$(CONFIG_...). A file two options share is built once.

obj-y :=
include core/objects.mk
include arch/$(ARCH)/objects.mk
include drivers/objects.mk
include emulators/objects.mk
TARGET_ONLY_LIBS := libs/string.c libs/stdlib.c
uniq = $(if $1,$(firstword $1) $(call uniq,$(filter-out $(firstword $1),$1)))
# core/ in its sorted order whatever the options (the order of the tables
# its files register into), then libs/, then the other listed objects.
SRCS := $(filter-out $(filter-out $(obj-y),$(CORE_OPTIONAL)),$(shell find core -name '*.c' | sort)) \
	$(wildcard libs/*.c) $(call uniq,$(filter-out $(CORE_OPTIONAL),$(obj-y)))
OBJS := $(patsubst %,$(O)/obj/%.o,$(SRCS)) $(O)/obj/guest_nodes.S.o
FDT_OBJS := $(patsubst %,$(O)/obj/libfdt/%.o,$(LIBFDT_FILES))
LINKER_SCRIPT := arch/$(ARCH)/keel.ld

$(O)/obj/%.c.o: %.c $(CONFIG_HEADER) $(CONFIG_LIST) $(LIBFDT_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(O)/obj/%.S.o: %.S $(CONFIG_HEADER)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(ASFLAGS) -MMD -MP -c $< -o $@

$(O)/obj/libfdt/%.c.o: $(LIBFDT_STAMP) $(CONFIG_HEADER)
	@mkdir -p $(dir $@)
	@echo "  CC      libfdt/$*.c"
	$(Q)$(CC) $(LIBFDT_CFLAGS) -c $(LIBFDT_SRC)/$*.c -o $@

# ---------------------------------------------------------------- guests ---
# Guest nodes: every configs/guests/$(ARCH)/*.dts is compiled (the image fs
# carries them all for `guest load`); those CONFIG_GUEST_NODES names are also
# linked into the image. Test-only nodes (tests/guests/nodes) go to /tests/nodes.

DTC := dtc
GUEST_NODE_DIR := configs/guests/$(ARCH)
GUEST_DTBS := $(patsubst $(GUEST_NODE_DIR)/%.dts,$(O)/rootfs/guests/%.dtb,$(wildcard $(GUEST_NODE_DIR)/*.dts))
TEST_NODE_DTBS := $(patsubst tests/guests/nodes/%.dts,$(O)/rootfs/tests/nodes/%.dtb,$(wildcard tests/guests/nodes/*.dts))
BUILTIN_GUESTS := $(subst ",,$(CONFIG_GUEST_NODES))
BUILTIN_DTBS := $(patsubst %,$(O)/rootfs/guests/%.dtb,$(BUILTIN_GUESTS))
# The basic guest exists for the arches it has a part for (tests/guests/basic/<arch>).
BASIC_GUEST := $(if $(wildcard tests/guests/basic/$(ARCH)),$(O)/rootfs/guests/basic.bin)

$(O)/rootfs/guests/%.dtb: $(GUEST_NODE_DIR)/%.dts
	@mkdir -p $(dir $@)
	@echo "  DTC     $<"
	$(Q)$(DTC) -q -I dts -O dtb -o $@ $<

$(O)/rootfs/tests/nodes/%.dtb: tests/guests/nodes/%.dts
	@mkdir -p $(dir $@)
	@echo "  DTC     $<"
	$(Q)$(DTC) -q -I dts -O dtb -o $@ $<

$(O)/guest_nodes.S: $(BUILTIN_DTBS) $(CONFIG) tools/mkguestnodes tools/check-guest-nodes \
		core/include/keel/config_options.def
	@test -z "$(filter-out $(patsubst $(GUEST_NODE_DIR)/%.dts,%,$(wildcard $(GUEST_NODE_DIR)/*.dts)),$(BUILTIN_GUESTS))" || \
		{ echo "CONFIG_GUEST_NODES names guests with no $(GUEST_NODE_DIR)/<name>.dts: $(filter-out $(patsubst $(GUEST_NODE_DIR)/%.dts,%,$(wildcard $(GUEST_NODE_DIR)/*.dts)),$(BUILTIN_GUESTS))" >&2; exit 1; }
	$(Q)$(PYTHON) tools/check-guest-nodes $(CONFIG) $(BUILTIN_DTBS)
	$(Q)tools/mkguestnodes $@ $(BUILTIN_DTBS)

$(O)/obj/guest_nodes.S.o: $(O)/guest_nodes.S $(CONFIG_HEADER)
	@mkdir -p $(dir $@)
	@echo "  AS      guest nodes ($(or $(BUILTIN_GUESTS),none))"
	$(Q)$(CC) $(ASFLAGS) -c $< -o $@

# The basic test guest (tests/guests/basic), packed into the image fs.
$(O)/rootfs/guests/basic.bin: $(shell find tests/guests/basic -type f 2>/dev/null)
	@mkdir -p $(dir $@)
	$(Q)$(MAKE) --no-print-directory -C tests/guests/basic O=$(O)/basic-guest \
		ARCH=$(ARCH) CROSS_COMPILE=$(CROSS_COMPILE) Q=$(Q)
	$(Q)cp $(O)/basic-guest/basic.bin $@

# A zeroed 8 MiB disk image for the hostile-guest suite's cow-fill attack
# (a file: disk, written to copy-on-write blocks until a limit says no).
TEST_DISKS := $(O)/rootfs/tests/disks/cow-8M.img

$(TEST_DISKS):
	@mkdir -p $(dir $@)
	@echo "  DISK    $@"
	$(Q)truncate -s 8M $@

guests: $(GUEST_DTBS) $(TEST_NODE_DTBS) $(TEST_DISKS) $(BASIC_GUEST)

# ------------------------------------------------------------ guest images ---
# >>> guest-images: the Linux test guest (tests/images/README) >>>
# Kernel: tools/mklinux, cached in $(KEEL_CACHE) and rebuilt only when its
# config fragment changes (the first build takes minutes). Initramfs:
# tests/images/init plus a static busybox: on arm64 Debian's
# busybox-static, whose .deb `make deps` downloads and this build unpacks
# (it is never installed: it would replace the host's busybox); on
# riscv64, for which Debian 12 ships none, tools/mkbusybox builds one from
# Debian's busybox source package (`make deps` downloads it; cached in
# $(KEEL_CACHE) like the kernel). Both go to $(O)/rootfs, which
# tools/mkinitrd packs into the image fs as /guests/linux.Image and
# /guests/linux-initramfs.cpio.gz.

KEEL_CACHE ?= $(HOME)/.cache/keel
KEEL_DEBS := $(KEEL_CACHE)/debs
KEEL_SOURCES := $(KEEL_CACHE)/src
LINUX_CROSS_COMPILE ?= $(ARCH_LINUX_CROSS_COMPILE)
LINUX_IMAGE := $(O)/rootfs/guests/linux.Image
LINUX_INITRAMFS := $(O)/rootfs/guests/linux-initramfs.cpio.gz
LINUX_INIT := $(O)/guest-images/init
BUSYBOX := $(O)/guest-images/busybox/bin/busybox
GUEST_IMAGES := $(LINUX_IMAGE) $(LINUX_INITRAMFS)

$(LINUX_IMAGE): tools/mklinux tests/images/linux-$(ARCH).config
	@mkdir -p $(dir $@)
	@echo "  LINUX   $@"
	$(Q)image=$$(KEEL_CACHE=$(KEEL_CACHE) KEEL_ARCH=$(ARCH) LINUX_ARCH=$(ARCH_LINUX_ARCH) \
		LINUX_IMAGE=$(ARCH_LINUX_IMAGE) CROSS_COMPILE=$(LINUX_CROSS_COMPILE) tools/mklinux) && \
		cp $$image $@

$(LINUX_INIT): $(wildcard tests/images/init/*.[ch]) tests/images/init/Makefile
	$(Q)$(MAKE) --no-print-directory -C tests/images/init O=$(O)/guest-images \
		LINUX_CROSS_COMPILE=$(LINUX_CROSS_COMPILE) Q=$(Q)

ifeq ($(ARCH_BUSYBOX),deb)
# The newest download when several versions are there.
BUSYBOX_DEB := $(lastword $(sort $(wildcard $(KEEL_DEBS)/busybox-static_*_$(ARCH_DEBIAN).deb)))

$(BUSYBOX): $(BUSYBOX_DEB)
	@test -n "$(BUSYBOX_DEB)" || { echo "no busybox-static $(ARCH_DEBIAN) .deb in $(KEEL_DEBS): run 'make deps'" >&2; exit 1; }
	@echo "  UNPACK  busybox from $(notdir $(BUSYBOX_DEB))"
	$(Q)rm -rf $(O)/guest-images/busybox
	$(Q)dpkg-deb -x $(BUSYBOX_DEB) $(O)/guest-images/busybox
	@# dpkg-deb keeps the package's time stamps, older than the .deb.
	$(Q)touch $@
else ifeq ($(ARCH_BUSYBOX),source)
# The source package tools/mkbusybox builds from: the newest download.
BUSYBOX_DSC := $(lastword $(sort $(wildcard $(KEEL_SOURCES)/busybox_*.dsc)))

$(BUSYBOX): $(BUSYBOX_DSC) tools/mkbusybox tests/images/busybox.config
	@test -n "$(BUSYBOX_DSC)" || { echo "no busybox source package in $(KEEL_SOURCES): run 'make deps'" >&2; exit 1; }
	@echo "  BUSYBOX $(notdir $(BUSYBOX_DSC)) for $(ARCH)"
	$(Q)mkdir -p $(dir $@)
	$(Q)bin=$$(KEEL_CACHE=$(KEEL_CACHE) KEEL_ARCH=$(ARCH) \
		CROSS_COMPILE=$(LINUX_CROSS_COMPILE) tools/mkbusybox) && cp $$bin $@
else
$(error arch/$(ARCH)/arch.mk: ARCH_BUSYBOX is "$(ARCH_BUSYBOX)", not deb or source)
endif

$(LINUX_INITRAMFS): $(LINUX_INIT) $(BUSYBOX) tools/mkinitramfs
	@mkdir -p $(dir $@)
	@echo "  CPIO    $@"
	$(Q)tools/mkinitramfs $@ $(LINUX_INIT) $(BUSYBOX)

.PHONY: guest-images
guest-images: $(GUEST_IMAGES)
# <<< guest-images <<<

$(O)/keel.elf: $(OBJS) $(FDT_OBJS) $(LINKER_SCRIPT)
	@echo "  LD      $@"
	$(Q)$(LD) $(LDFLAGS) -T $(LINKER_SCRIPT) -Map $(O)/keel.map -o $@ $(OBJS) $(FDT_OBJS)
	$(Q)$(PYTHON) tools/check-image $@ $(CROSS_COMPILE) $(ARCH_IMAGE_RELOCS)

$(O)/keel.bin: $(O)/keel.elf
	@echo "  OBJCOPY $@"
	$(Q)$(OBJCOPY) -O binary $< $@

all: $(O)/keel.bin
	@echo "  IMAGE   $(O)/keel.bin ($$(stat -c %s $(O)/keel.bin) bytes, $(CONFIG_CONFIG_NAME))"

-include $(OBJS:.o=.d)

# ------------------------------------------------------------ image fs ----

INITRD := $(O)/initrd.cpio
INITRD_DIRS := configs/rootfs

$(INITRD): $(shell find $(INITRD_DIRS) -type f 2>/dev/null) tools/mkinitrd \
		$(GUEST_DTBS) $(TEST_NODE_DTBS) $(TEST_DISKS) $(BASIC_GUEST) $(GUEST_IMAGES)
	@echo "  CPIO    $@"
	$(Q)tools/mkinitrd $@ $(INITRD_DIRS) $(O)/rootfs

initrd: $(INITRD)

# ---------------------------------------------------------------- run ------

RUN_ARGS ?=
run: all $(INITRD)
	tools/run --build-dir $(O) $(RUN_ARGS)

run-direct: all $(INITRD)
	tools/run --direct --build-dir $(O) $(RUN_ARGS)

debug: all $(INITRD)
	tools/run --debug --build-dir $(O) $(RUN_ARGS)

boottime: all $(INITRD) other-arches
	tools/boottime $(addprefix --build-dir ,$(ALL_BUILD_DIRS))

bench: all $(INITRD) other-arches
	tools/bench $(addprefix --build-dir ,$(ALL_BUILD_DIRS))

# ---------------------------------------------------------------- tests ----
# The QEMU scenarios run on every supported arch: the configured one in
# $(O), each other one in $(O)/<arch>, configured from its defconfig the
# first time and built (with its image fs) by `make other-arches`.

OTHER_ARCHS := $(filter-out $(ARCH),$(SUPPORTED_ARCHS))
ALL_BUILD_DIRS := $(O) $(addprefix $(O)/,$(OTHER_ARCHS))

.PHONY: other-arches
other-arches:
	$(Q)for a in $(OTHER_ARCHS); do \
		cross=$$(sed -n 's/^ARCH_CROSS_COMPILE := //p' arch/$$a/arch.mk); \
		test -f $(O)/$$a/.config || \
			$(MAKE) --no-print-directory O=$(O)/$$a ARCH=$$a CROSS_COMPILE=$$cross \
				$${a}_defconfig || exit 1; \
		$(MAKE) --no-print-directory O=$(O)/$$a ARCH=$$a CROSS_COMPILE=$$cross \
			all initrd || exit 1; \
	done

test: all $(INITRD) $(LIBFDT_STAMP) other-arches
	tools/test $(addprefix --build-dir ,$(ALL_BUILD_DIRS))

unit: $(LIBFDT_STAMP)
	$(MAKE) -C tests/unit O=$(O)/unit LIBFDT_SRC=$(LIBFDT_SRC) run

# The same tests under ThreadSanitizer (data races in the threaded tests).
unit-tsan: $(LIBFDT_STAMP)
	$(MAKE) -C tests/unit O=$(O)/unit-tsan LIBFDT_SRC=$(LIBFDT_SRC) \
		SANITIZE=thread run

# Long fuzzing (tests/fuzz): FUZZ_SECONDS per harness; the working corpus
# is kept in $(O)/fuzz/corpus, crashes in $(O)/fuzz/artifacts.
FUZZ_SECONDS ?= 300
fuzz: $(LIBFDT_STAMP)
	$(MAKE) -C tests/fuzz O=$(O)/fuzz LIBFDT_SRC=$(LIBFDT_SRC) run \
		FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_CORPUS=$(O)/fuzz/corpus

# Builds the defconfig, minimal, all-off and all-on configurations of
# each arch (tools/check-configs), in $(O)/configs.
check-configs: all other-arches
	tools/check-configs $(addprefix --build-dir ,$(ALL_BUILD_DIRS))

regress: all $(INITRD) other-arches
	tests/regress/run $(addprefix --build-dir ,$(ALL_BUILD_DIRS))

# ------------------------------------------------------------- set-up ------

DEPS := make gcc \
	device-tree-compiler linux-source-6.1 xz-utils python3 \
	python3-kconfiglib python3-pexpect u-boot-qemu u-boot-tools \
	mtools fdisk cpio gdb-multiarch clang libclang-rt-14-dev \
	flex bison bc
# Every arch's packages, so that one `make deps` serves `make test` on all.
include $(wildcard arch/*/deps.mk)
# Downloaded into $(KEEL_DEBS), not installed: the Linux guest's busybox
# (see guest-images). Its architecture must be known before `apt-get update`.
DEPS_DOWNLOAD := busybox-static:arm64
# Debian source packages the arches' deps.mk name (DEPS_SOURCES) are
# downloaded into $(KEEL_SOURCES) by tools/getsource.

deps:
	@if [ "$$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi; \
	$$SUDO dpkg --add-architecture arm64 && \
	$$SUDO apt-get update && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y --no-install-recommends $(DEPS) && \
	mkdir -p $(KEEL_DEBS) && tmp=$$(mktemp -d $(KEEL_DEBS)/.download.XXXXXX) && \
	(cd $$tmp && apt-get download $(DEPS_DOWNLOAD)) && \
	rm -f $(KEEL_DEBS)/busybox-static_*_arm64.deb && mv $$tmp/*.deb $(KEEL_DEBS)/ && \
	rmdir $$tmp && ls $(KEEL_DEBS) \
	$(if $(DEPS_SOURCES),&& KEEL_CACHE=$(KEEL_CACHE) tools/getsource $(DEPS_SOURCES))

# ---------------------------------------------------------------- misc -----

clean:
	rm -rf $(O)/obj $(O)/keel.elf $(O)/keel.bin $(O)/keel.map $(O)/unit $(O)/unit-tsan $(INITRD) \
		$(O)/rootfs $(O)/basic-guest $(O)/guest_nodes.S $(O)/guest-images

distclean:
	rm -rf $(O)

help:
	@echo "Keel $(KEEL_VERSION) — targets:"
	@echo "  deps             install build/run/test dependencies (apt-get)"
	@echo "  <name>_defconfig configure from configs/<name>_defconfig (defconfig: ARCH's;"
	@echo "                   <arch>_minimal_defconfig: the minimal configuration)"
	@echo "  allnoconfig | allyesconfig  every option off that can be / every option on"
	@echo "  menuconfig       edit the configuration"
	@echo "  olddefconfig     update the configuration, new options at defaults"
	@echo "  savedefconfig    write a minimal configuration to \$$O/defconfig"
	@echo "  all              build \$$O/keel.elf and \$$O/keel.bin (default)"
	@echo "  guest-images     the Linux guest kernel (cached in ~/.cache/keel) and initramfs"
	@echo "  run              boot Keel in QEMU through U-Boot (the Linux demo)"
	@echo "  run-direct       boot Keel in QEMU directly (-kernel), no U-Boot"
	@echo "  debug            start QEMU halted with a gdb stub"
	@echo "  test             unit tests, short fuzzing, QEMU regression scenarios"
	@echo "                   (scenarios on every arch: others built in \$$O/<arch>)"
	@echo "  unit | regress   one of the two"
	@echo "  check-configs    build the defconfig, minimal, all-off and all-on configurations"
	@echo "  other-arches     build the other arches in \$$O/<arch> ($(OTHER_ARCHS))"
	@echo "  unit-tsan        the unit tests under ThreadSanitizer"
	@echo "  fuzz             libFuzzer harnesses, FUZZ_SECONDS (300) each"
	@echo "  boottime         measure QEMU start to keel# (not a test)"
	@echo "  bench            measure guests: start time, hypercall cost (not a test)"
	@echo "  clean|distclean  remove build outputs"
	@echo "Variables: ARCH=$(ARCH) O=$(O) CROSS_COMPILE=$(CROSS_COMPILE) RUN_ARGS=..."
