/* SPDX-License-Identifier: GPL-2.0-only */
/* The plan of Keel's own 1:1 map: device windows, RAM, image sections. */
#include <keel/errno.h>
#include <keel/idmap.h>
#include <keel/mm.h>
#include <string.h>
#include "unit.h"

struct idmap_call {
	uint64_t base, end;
	enum idmap_prot prot;
};

static struct idmap_call calls[4096];
static unsigned int ncalls;
static unsigned int fail_at;	/* 1-based call that fails; 0: none */

static int record_range(void *root, uint64_t base, uint64_t end, enum idmap_prot prot)
{
	if (ncalls < 4096)
		calls[ncalls] = (struct idmap_call){ base, end, prot };
	ncalls++;
	return ncalls == fail_at ? -KEEL_ENOMEM : 0;
}

static const struct idmap_layout layout = {
	.text_start = 0x40200000, .text_end = 0x40280000,
	.rodata_start = 0x40280000, .rodata_end = 0x402a0000,
};

TEST(idmap_devices_skip_ram_and_null_then_ram_then_image)
{
	unsigned int devices = 0, i;

	memmap_reset();
	/* RAM from 1 GiB + 1 MiB: the 2 MiB window holding it is RAM's. */
	CHECK_EQ(memmap_add_ram(0x40100000, 0x3ff00000), 0);
	ncalls = 0;
	fail_at = 0;
	CHECK_EQ(idmap_build(NULL, &layout, record_range), 0);
	for (i = 0; i < ncalls && calls[i].prot == IDMAP_DEVICE; i++) {
		CHECK_EQ(calls[i].end - calls[i].base, IDMAP_DEVICE_STEP);
		/* Never the NULL page's window, never a window touching RAM. */
		CHECK(calls[i].base >= IDMAP_DEVICE_STEP);
		CHECK(calls[i].end <= 0x40000000 || calls[i].base >= 0x80000000);
		CHECK(calls[i].end <= 4ULL << 30);
		devices++;
	}
	/* 1 GiB below RAM less the first window, 2 GiB above it. */
	CHECK_EQ(devices, 511 + 1024);
	CHECK_EQ(ncalls, devices + 3);
	CHECK_EQ(calls[devices].prot, IDMAP_RAM);
	CHECK_EQ(calls[devices].base, 0x40100000);
	CHECK_EQ(calls[devices].end, 0x80000000);
	CHECK_EQ(calls[devices + 1].prot, IDMAP_TEXT);
	CHECK_EQ(calls[devices + 1].base, layout.text_start);
	CHECK_EQ(calls[devices + 1].end, layout.text_end);
	CHECK_EQ(calls[devices + 2].prot, IDMAP_RODATA);
	CHECK_EQ(calls[devices + 2].base, layout.rodata_start);
	CHECK_EQ(calls[devices + 2].end, layout.rodata_end);
	memmap_reset();
}

TEST(idmap_stops_at_the_first_error)
{
	memmap_reset();
	CHECK_EQ(memmap_add_ram(0x80000000, 0x10000000), 0);
	ncalls = 0;
	fail_at = 3;
	CHECK_EQ(idmap_build(NULL, &layout, record_range), -KEEL_ENOMEM);
	CHECK_EQ(ncalls, 3);
	/* A failing RAM region leaves the image sections unmapped. */
	ncalls = 0;
	/* 2048 windows in 4 GiB, less the first and RAM's 128: then RAM. */
	fail_at = 1919 + 1;
	CHECK_EQ(idmap_build(NULL, &layout, record_range), -KEEL_ENOMEM);
	CHECK_EQ(ncalls, 1919 + 1);
	CHECK_EQ(calls[1918].prot, IDMAP_DEVICE);
	CHECK_EQ(calls[1919].prot, IDMAP_RAM);
	fail_at = 0;
	memmap_reset();
}
