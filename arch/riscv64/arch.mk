# riscv64 build settings, included by the top Makefile for ARCH=riscv64.

# Debian's cross toolchain (gcc-riscv64-linux-gnu).
ARCH_CROSS_COMPILE := riscv64-linux-gnu-
# Integer code only (no F/D: Keel's own code never touches the FP
# registers, which belong to the guest that last ran; the ABI to match);
# Zicsr/Zifencei named because GCC 12 no longer implies them. medany: the
# image runs at any address, so every symbol is reached PC-relative.
# No linker relaxation: it would turn accesses into gp-relative ones, and
# Keel keeps no global pointer.
ARCH_CFLAGS := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -mno-relax \
	-mstrict-align
# Dynamic relocations boot/head.S applies (tools/check-image refuses
# others); R_RISCV_NONE entries are left behind by --gc-sections.
ARCH_IMAGE_RELOCS := R_RISCV_RELATIVE R_RISCV_NONE
# The Linux test guest: its ARCH, the image it builds, the cross compiler
# of its kernel and init (libc6-dev-riscv64-cross).
ARCH_LINUX_ARCH := riscv
ARCH_LINUX_IMAGE := arch/riscv/boot/Image
ARCH_LINUX_CROSS_COMPILE := riscv64-linux-gnu-
# Debian's name for the architecture (cross packages, dpkg).
ARCH_DEBIAN := riscv64
# The Linux test guest's busybox: Debian 12 ships no busybox-static for
# riscv64, so tools/mkbusybox builds it from Debian's source package.
ARCH_BUSYBOX := source
