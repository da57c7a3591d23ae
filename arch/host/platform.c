/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest platform of host unit tests: arm64's own. Its description,
 * device-tree nodes and kernel-image parsing use nothing arm64-specific,
 * so building the same file here lets the tests of the guest parser and
 * of the guest device tree check what arm64 guests really get. Should
 * arm64's file ever need arm64-only headers, give the host its own
 * copy of the values instead.
 */
#include "../arm64/virt/platform.c"
