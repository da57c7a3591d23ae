/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The riscv64 guest platform when the build has none (virt/platform.c
 * describes it; objects.mk picks this file only while that one is
 * missing). Guest nodes are read against plain limits (a 40-bit
 * guest-physical space, no ranges of its own), so that `guest load` and
 * `guest list` work; creating a guest is refused by arch_guest_init()
 * (mmu/gstage.c) before anything here is asked for a device tree or a
 * payload layout, which this file cannot give either.
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/guest_config.h>

static const struct guest_platform no_platform = {
	.ipa_bits = 40,
	.max_vcpus = GUEST_MAX_VCPUS,
	.spi_count = 128,
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
