/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest platform of host tests: any arch's, chosen by the test
 * (arch/guest_platform.h). The platforms themselves are the arches' own
 * files, built for the host by platform_<arch>.c.
 */
#include <keel/guest_config.h>
#include <arch/guest_platform.h>

const struct guest_platform *const host_guest_platforms[] = {
	&arm64_virt_platform,
	&riscv64_virt_platform,
	NULL,
};

static const struct guest_platform *host_platform = &arm64_virt_platform;

void host_guest_platform_select(const struct guest_platform *p)
{
	__atomic_store_n(&host_platform, p ? p : &arm64_virt_platform, __ATOMIC_RELEASE);
}

const struct guest_platform *arch_guest_platform(void)
{
	return __atomic_load_n(&host_platform, __ATOMIC_ACQUIRE);
}
