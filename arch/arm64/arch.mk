# arm64 build settings, included by the top Makefile for ARCH=arm64.

# Debian's cross toolchain (gcc-aarch64-linux-gnu).
ARCH_CROSS_COMPILE := aarch64-linux-gnu-
# No FP/SIMD in Keel's own code (guest registers stay untouched between
# switches); no unaligned accesses before the MMU is on; atomics inline.
ARCH_CFLAGS := -mgeneral-regs-only -mstrict-align -march=armv8-a -mno-outline-atomics
# Dynamic relocations head.S applies (tools/check-image refuses others);
# R_AARCH64_NONE entries are left behind by --gc-sections and skipped.
ARCH_IMAGE_RELOCS := R_AARCH64_RELATIVE R_AARCH64_NONE
# The Linux test guest: its ARCH, the image it builds, the cross compiler
# of its kernel and init (libc6-dev-arm64-cross).
ARCH_LINUX_ARCH := arm64
ARCH_LINUX_IMAGE := arch/arm64/boot/Image
ARCH_LINUX_CROSS_COMPILE := aarch64-linux-gnu-
# Debian's name for the architecture (cross packages, dpkg).
ARCH_DEBIAN := arm64
# The Linux test guest's busybox: Debian's busybox-static .deb for the
# arch, unpacked (deb), or built from Debian's source package by
# tools/mkbusybox where Debian ships no busybox-static (source).
ARCH_BUSYBOX := deb
