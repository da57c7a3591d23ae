/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * riscv64's guest platform, built for the host, as platform_arm64.c builds
 * arm64's: the host tests check what riscv64 guests really get.
 */
#include "../riscv64/virt/platform.c"
