/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * arm64's guest platform, built for the host: its description, device-tree
 * nodes and kernel-image parsing use nothing arm64-specific, so the tests
 * of the guest parser and the guest device tree check what arm64 guests
 * really get. Should arm64's file ever need arm64-only headers, give the
 * host its own copy of the values instead.
 */
#include "../arm64/virt/platform.c"
