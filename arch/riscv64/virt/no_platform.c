/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The riscv64 guest platform when the build has none (virt/platform.c
 * describes it; objects.mk picks this file only while that one is
 * missing): no vCPUs, no interrupts, no guest-physical space, so every
 * guest node is refused when it is read, and no payload is laid out.
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/guest_config.h>

static const struct guest_platform no_platform = {
	.ipa_bits = 0,
	.max_vcpus = 0,
	.spi_count = 0,
	.range_count = 0,
	.ranges = NULL,
};

const struct guest_platform *arch_guest_platform(void)
{
	return &no_platform;
}

int arch_guest_dt_platform(void *fdt, const struct guest_config *cfg)
{
	return -KEEL_ENOSYS;
}

int arch_kernel_image_layout(const void *image, size_t len, uint64_t *offset,
			     uint64_t *reserve)
{
	return -KEEL_ENOSYS;
}
