/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host fake's guest platforms: every arch's real one, built from the
 * arch's own file (arch/host/platform_<arch>.c), so that host tests check
 * what each arch's guests get. Which one arch_guest_platform() returns is
 * a test parameter; arm64's unless a test selects another.
 */
#ifndef ARCH_HOST_GUEST_PLATFORM_H
#define ARCH_HOST_GUEST_PLATFORM_H

struct guest_platform;

extern const struct guest_platform arm64_virt_platform;
extern const struct guest_platform riscv64_virt_platform;

/* Every platform, NULL-terminated: tests of platform-neutral code run
 * once for each. */
extern const struct guest_platform *const host_guest_platforms[];

/* Makes p what arch_guest_platform() returns; NULL: the default (arm64's).
 * The unit harness restores the default before each test. */
void host_guest_platform_select(const struct guest_platform *p);

#endif
