/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the guest platform (arch/arm64/virt/platform.c, built for
 * the host by arch/host/platform.c): its description and the Linux arm64
 * Image header parsing.
 */
#include <string.h>

#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/guest_config.h>

#include "unit.h"

TEST(guest_platform_is_qemu_virt_like)
{
	const struct guest_platform *p = arch_guest_platform();

	REQUIRE(p);
	CHECK_EQ(p->ipa_bits, 40);
	CHECK_EQ(p->max_vcpus, GUEST_MAX_VCPUS);
	CHECK_EQ(p->spi_count, 128);
	REQUIRE(p->range_count == 2);
	CHECK_STR_EQ(p->ranges[0].name, "GICv3 distributor");
	CHECK_EQ(p->ranges[0].base, 0x08000000);
	CHECK_EQ(p->ranges[0].size, 0x10000);
	CHECK_STR_EQ(p->ranges[1].name, "GICv3 redistributors");
	CHECK_EQ(p->ranges[1].base, 0x080a0000);
	CHECK_EQ(p->ranges[1].size, 0x20000 * GUEST_MAX_VCPUS);
}

static unsigned char image[4096];

static void put_le64(unsigned char *at, uint64_t value)
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		at[i] = (unsigned char)(value >> (8 * i));
}

/* A Linux arm64 Image header: text_offset at 8, image_size at 16, magic
 * "ARM\x64" at 56. */
static void image_header(uint64_t text_offset, uint64_t image_size)
{
	memset(image, 0, sizeof(image));
	put_le64(image + 8, text_offset);
	put_le64(image + 16, image_size);
	memcpy(image + 56, "ARM\x64", 4);
}

TEST(guest_platform_reads_a_linux_image_header)
{
	uint64_t offset = 1, size = 1;

	image_header(0x80000, 0x123000);
	CHECK_EQ(arch_kernel_image_layout(image, sizeof(image), &offset, &size), 0);
	CHECK_EQ(offset, 0x80000);
	CHECK_EQ(size, 0x123000);

	/* Since Linux 5.8 text_offset is 0. */
	image_header(0, 0x2000000);
	CHECK_EQ(arch_kernel_image_layout(image, sizeof(image), &offset, &size), 0);
	CHECK_EQ(offset, 0);
	CHECK_EQ(size, 0x2000000);

	/* Before 3.17: image_size 0, and text_offset is 0x80000 whatever
	 * the field says. */
	image_header(0x8000000000000ULL, 0);
	CHECK_EQ(arch_kernel_image_layout(image, 100, &offset, &size), 0);
	CHECK_EQ(offset, 0x80000);
	CHECK_EQ(size, 100);

	/* Exactly a header is enough. */
	image_header(0x80000, 64);
	CHECK_EQ(arch_kernel_image_layout(image, 64, &offset, &size), 0);
}

TEST(guest_platform_tells_raw_binaries_and_bad_headers_apart)
{
	uint64_t offset = 7, size = 7;

	/* No magic: a raw binary. */
	memset(image, 0, sizeof(image));
	CHECK_EQ(arch_kernel_image_layout(image, sizeof(image), &offset, &size),
		 -KEEL_ENOENT);
	/* Shorter than the header, even with the magic in place. */
	image_header(0x80000, 0x1000);
	CHECK_EQ(arch_kernel_image_layout(image, 63, &offset, &size), -KEEL_ENOENT);
	CHECK_EQ(arch_kernel_image_layout(image, 0, &offset, &size), -KEEL_ENOENT);
	CHECK_EQ(arch_kernel_image_layout(NULL, 4096, &offset, &size), -KEEL_ENOENT);
	/* Magic with absurd values. */
	image_header(0x200000, 0x1000);
	CHECK_EQ(arch_kernel_image_layout(image, sizeof(image), &offset, &size),
		 -KEEL_EINVAL);
	image_header(0x80000, 0x40000001);
	CHECK_EQ(arch_kernel_image_layout(image, sizeof(image), &offset, &size),
		 -KEEL_EINVAL);
	image_header(0x80000, UINT64_MAX);
	CHECK_EQ(arch_kernel_image_layout(image, sizeof(image), &offset, &size),
		 -KEEL_EINVAL);
	/* Smaller than the file it heads. */
	image_header(0x80000, 100);
	CHECK_EQ(arch_kernel_image_layout(image, sizeof(image), &offset, &size),
		 -KEEL_EINVAL);
	/* Nothing was written on failure. */
	CHECK_EQ(offset, 7);
	CHECK_EQ(size, 7);
}
