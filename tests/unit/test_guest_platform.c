/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the guest platforms (arch/arm64/virt/platform.c and
 * arch/riscv64/virt/platform.c, built for the host by
 * arch/host/platform_<arch>.c): their descriptions, what every platform
 * must provide, and their Linux Image header parsing.
 */
#include <string.h>

#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/guest_config.h>
#include <arch/guest_platform.h>
#include <irqchip/plic.h>

#include "unit.h"

TEST(guest_platform_arm64_is_qemu_virt_like)
{
	const struct guest_platform *p = &arm64_virt_platform;

	CHECK(arch_guest_platform() == p);     /* the host's default */
	CHECK_STR_EQ(p->name, "arm64 virt");
	CHECK_EQ(p->ipa_bits, 40);
	CHECK_EQ(p->max_vcpus, GUEST_MAX_VCPUS);
	CHECK_EQ(p->irq_first, 0);
	CHECK_EQ(p->irq_count, 128);
	REQUIRE(p->range_count == 2);
	CHECK_STR_EQ(p->ranges[0].name, "GICv3 distributor");
	CHECK_EQ(p->ranges[0].base, 0x08000000);
	CHECK_EQ(p->ranges[0].size, 0x10000);
	CHECK_STR_EQ(p->ranges[1].name, "GICv3 redistributors");
	CHECK_EQ(p->ranges[1].base, 0x080a0000);
	CHECK_EQ(p->ranges[1].size, 0x20000 * GUEST_MAX_VCPUS);
	CHECK_STR_EQ(p->uart_compatible, "arm,pl011");
	CHECK_STR_EQ(p->console_name, "ttyAMA0");
	CHECK_STR_EQ(p->root_compatible, "linux,dummy-virt");
	CHECK_STR_EQ(p->intc_name, "GICv3");
}

TEST(guest_platform_riscv64_is_qemu_virt_like)
{
	const struct guest_platform *p = &riscv64_virt_platform;

	CHECK_STR_EQ(p->name, "riscv64 virt");
	CHECK_EQ(p->ipa_bits, 50);
	CHECK_EQ(p->max_vcpus, GUEST_MAX_VCPUS);
	/* PLIC source 0 does not exist; QEMU virt has 1..95. */
	CHECK_EQ(p->irq_first, 1);
	CHECK_EQ(p->irq_count, 95);
	REQUIRE(p->range_count == 1);
	CHECK_STR_EQ(p->ranges[0].name, "PLIC");
	CHECK_EQ(p->ranges[0].base, 0x0c000000);
	CHECK_EQ(p->ranges[0].size, PLIC_SIZE(GUEST_MAX_VCPUS));
	CHECK_EQ(p->ranges[0].size, 0x200000 + 0x1000 * 2 * GUEST_MAX_VCPUS);
	CHECK_STR_EQ(p->uart_compatible, "ns16550a");
	CHECK_STR_EQ(p->console_name, "ttyS0");
	CHECK_STR_EQ(p->root_compatible, "riscv-virtio");
	CHECK_STR_EQ(p->intc_name, "PLIC");
}

TEST(guest_platform_every_platform_is_complete)
{
	unsigned int n = 0;

	for (const struct guest_platform *const *pp = host_guest_platforms; *pp; pp++, n++) {
		const struct guest_platform *p = *pp;
		uint32_t cells[GUEST_IRQ_CELLS_MAX];

		CHECK(p->name && p->intc_name && p->uart_compatible && p->console_name &&
		      p->root_compatible);
		CHECK(p->irq_cells && p->dt_nodes && p->image_layout && p->dtb_default_gpa);
		CHECK(p->irq_count > 0);
		CHECK(p->ipa_bits >= 32 && p->ipa_bits <= 64);
		CHECK(p->max_vcpus >= 1 && p->max_vcpus <= GUEST_MAX_VCPUS);
		CHECK(strlen(p->console_name) < GUEST_NAME_MAX);
		for (unsigned int i = 0; i < p->range_count; i++)
			CHECK(p->ranges[i].name && p->ranges[i].size > 0);
		/* Every device interrupt encodes in the controller's cells. */
		if (p->irq_cells) {
			unsigned int count = p->irq_cells(p->irq_first, GUEST_IRQ_LEVEL, cells);

			CHECK(count >= 1 && count <= GUEST_IRQ_CELLS_MAX);
			CHECK_EQ(p->irq_cells(p->irq_first + p->irq_count - 1, GUEST_IRQ_EDGE,
					      cells), count);
		}
		/* The selection the tests use reaches arch_guest_platform(). */
		host_guest_platform_select(p);
		CHECK(arch_guest_platform() == p);
	}
	CHECK_EQ(n, 2);
	host_guest_platform_select(NULL);
	CHECK(arch_guest_platform() == &arm64_virt_platform);
}

TEST(guest_platform_places_the_device_tree_at_the_top_of_ram)
{
	static struct guest_config cfg;

	cfg.mem_count = 2;
	cfg.mem[0].base = 0x80000000;
	cfg.mem[0].size = 0x4000000;
	cfg.mem[1].base = 0x100000000ULL;
	cfg.mem[1].size = 0x100000;
	for (const struct guest_platform *const *pp = host_guest_platforms; *pp; pp++)
		CHECK_EQ((*pp)->dtb_default_gpa(&cfg, 0x10000), 0x83ff0000);
}

TEST(guest_platform_interrupt_specifiers)
{
	uint32_t cells[GUEST_IRQ_CELLS_MAX];

	/* arm64: <SPI n trigger>, edge rising 1, level high 4. */
	CHECK_EQ(arm64_virt_platform.irq_cells(5, GUEST_IRQ_LEVEL, cells), 3);
	CHECK_EQ(cells[0], 0);
	CHECK_EQ(cells[1], 5);
	CHECK_EQ(cells[2], 4);
	CHECK_EQ(arm64_virt_platform.irq_cells(47, GUEST_IRQ_EDGE, cells), 3);
	CHECK_EQ(cells[1], 47);
	CHECK_EQ(cells[2], 1);
	/* riscv64: <source>, whatever the trigger. */
	CHECK_EQ(riscv64_virt_platform.irq_cells(10, GUEST_IRQ_LEVEL, cells), 1);
	CHECK_EQ(cells[0], 10);
	CHECK_EQ(riscv64_virt_platform.irq_cells(8, GUEST_IRQ_EDGE, cells), 1);
	CHECK_EQ(cells[0], 8);
}

static unsigned char image[4096];

static void put_le64(unsigned char *at, uint64_t value)
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		at[i] = (unsigned char)(value >> (8 * i));
}

/* A Linux Image header: text_offset at 8, image_size at 16, the magic at
 * 56 ("ARM\x64" for arm64, "RSC\x05" for riscv). */
static void image_header(const char *magic, uint64_t text_offset, uint64_t image_size)
{
	memset(image, 0, sizeof(image));
	put_le64(image + 8, text_offset);
	put_le64(image + 16, image_size);
	memcpy(image + 56, magic, 4);
}

static int layout(const struct guest_platform *p, size_t len, uint64_t *offset,
		  uint64_t *size)
{
	return p->image_layout(len ? image : NULL, len ? len : 4096, offset, size);
}

TEST(guest_platform_arm64_reads_a_linux_image_header)
{
	const struct guest_platform *p = &arm64_virt_platform;
	uint64_t offset = 1, size = 1;

	image_header("ARM\x64", 0x80000, 0x123000);
	CHECK_EQ(layout(p, sizeof(image), &offset, &size), 0);
	CHECK_EQ(offset, 0x80000);
	CHECK_EQ(size, 0x123000);

	/* Since Linux 5.8 text_offset is 0. */
	image_header("ARM\x64", 0, 0x2000000);
	CHECK_EQ(layout(p, sizeof(image), &offset, &size), 0);
	CHECK_EQ(offset, 0);
	CHECK_EQ(size, 0x2000000);

	/* Before 3.17: image_size 0, and text_offset is 0x80000 whatever
	 * the field says. */
	image_header("ARM\x64", 0x8000000000000ULL, 0);
	CHECK_EQ(layout(p, 100, &offset, &size), 0);
	CHECK_EQ(offset, 0x80000);
	CHECK_EQ(size, 100);

	/* Exactly a header is enough. */
	image_header("ARM\x64", 0x80000, 64);
	CHECK_EQ(layout(p, 64, &offset, &size), 0);
	/* A riscv Image is a raw binary to arm64. */
	image_header("RSC\x05", 0x200000, 0x123000);
	CHECK_EQ(layout(p, sizeof(image), &offset, &size), -KEEL_ENOENT);
}

TEST(guest_platform_riscv64_reads_a_linux_image_header)
{
	const struct guest_platform *p = &riscv64_virt_platform;
	uint64_t offset = 1, size = 1;

	/* RV64 kernels: 2 MiB above the start of RAM. */
	image_header("RSC\x05", 0x200000, 0x1400000);
	CHECK_EQ(layout(p, sizeof(image), &offset, &size), 0);
	CHECK_EQ(offset, 0x200000);
	CHECK_EQ(size, 0x1400000);
	image_header("RSC\x05", 0, 64);
	CHECK_EQ(layout(p, 64, &offset, &size), 0);
	CHECK_EQ(offset, 0);
	CHECK_EQ(size, 64);
	/* An arm64 Image, or only the deprecated "RISCV" magic at 48: raw. */
	image_header("ARM\x64", 0x200000, 0x1400000);
	CHECK_EQ(layout(p, sizeof(image), &offset, &size), -KEEL_ENOENT);
	memset(image, 0, sizeof(image));
	memcpy(image + 48, "RISCV\0\0\0", 8);
	CHECK_EQ(layout(p, sizeof(image), &offset, &size), -KEEL_ENOENT);
	/* Absurd values. */
	image_header("RSC\x05", 0x1000000, 0x1400000);
	CHECK_EQ(layout(p, sizeof(image), &offset, &size), -KEEL_EINVAL);
	image_header("RSC\x05", 0x200000, 0x40000001);
	CHECK_EQ(layout(p, sizeof(image), &offset, &size), -KEEL_EINVAL);
	image_header("RSC\x05", 0x200000, 100);
	CHECK_EQ(layout(p, sizeof(image), &offset, &size), -KEEL_EINVAL);
	image_header("RSC\x05", 0x200000, 0);
	CHECK_EQ(layout(p, sizeof(image), &offset, &size), -KEEL_EINVAL);
	CHECK_EQ(offset, 0);
	CHECK_EQ(size, 64);
}

TEST(guest_platform_tells_raw_binaries_and_bad_headers_apart)
{
	static const char *const magics[] = { "ARM\x64", "RSC\x05" };

	for (unsigned int m = 0; m < 2; m++) {
		const struct guest_platform *p = host_guest_platforms[m];
		uint64_t offset = 7, size = 7;

		/* No magic: a raw binary. */
		memset(image, 0, sizeof(image));
		CHECK_EQ(layout(p, sizeof(image), &offset, &size), -KEEL_ENOENT);
		/* Shorter than the header, even with the magic in place. */
		image_header(magics[m], 0x80000, 0x1000);
		CHECK_EQ(layout(p, 63, &offset, &size), -KEEL_ENOENT);
		CHECK_EQ(p->image_layout(image, 0, &offset, &size), -KEEL_ENOENT);
		CHECK_EQ(layout(p, 0, &offset, &size), -KEEL_ENOENT);
		/* Magic with absurd values. */
		image_header(magics[m], 0x80000, 0x40000001);
		CHECK_EQ(layout(p, sizeof(image), &offset, &size), -KEEL_EINVAL);
		image_header(magics[m], 0x80000, UINT64_MAX);
		CHECK_EQ(layout(p, sizeof(image), &offset, &size), -KEEL_EINVAL);
		/* Smaller than the file it heads. */
		image_header(magics[m], 0x80000, 100);
		CHECK_EQ(layout(p, sizeof(image), &offset, &size), -KEEL_EINVAL);
		/* Nothing was written on failure. */
		CHECK_EQ(offset, 7);
		CHECK_EQ(size, 7);
	}
	/* arm64's limit on text_offset: below 2 MiB. */
	image_header("ARM\x64", 0x200000, 0x1000);
	CHECK_EQ(layout(&arm64_virt_platform, sizeof(image), NULL, NULL), -KEEL_EINVAL);
}
