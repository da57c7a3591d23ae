/* SPDX-License-Identifier: GPL-2.0-only */
/* The boot memory map: merging RAM, subtracting reservations, commit. */
#include <keel/errno.h>
#include <keel/mm.h>
#include <string.h>
#include "unit.h"

struct pieces {
	unsigned int count;
	hpa_t base[16];
	uint64_t size[16];
};

static void collect_piece(hpa_t base, uint64_t size, void *ctx)
{
	struct pieces *p = ctx;

	if (p->count < 16) {
		p->base[p->count] = base;
		p->size[p->count] = size;
	}
	p->count++;
}

static unsigned int free_pieces(struct pieces *p)
{
	memset(p, 0, sizeof(*p));
	return memmap_for_each_free(collect_piece, p);
}

TEST(memmap_ram_regions_merge_and_sort)
{
	const struct memmap_region *r;

	memmap_reset();
	CHECK_EQ(memmap_add_ram(0x80000000, 0x1000000), 0);
	CHECK_EQ(memmap_add_ram(0x40000000, 0x1000000), 0);
	/* Touching and overlapping banks fold into their neighbours. */
	CHECK_EQ(memmap_add_ram(0x81000000, 0x1000000), 0);
	CHECK_EQ(memmap_add_ram(0x40800000, 0x1000000), 0);
	CHECK_EQ(memmap_ram_regions(&r), 2);
	CHECK_EQ(r[0].base, 0x40000000);
	CHECK_EQ(r[0].size, 0x1800000);
	CHECK_EQ(r[1].base, 0x80000000);
	CHECK_EQ(r[1].size, 0x2000000);
	CHECK_STR_EQ(r[0].name, "ram");
	CHECK_EQ(memmap_ram_total(), 0x3800000);
	/* A bank bridging both joins them. */
	CHECK_EQ(memmap_add_ram(0x41000000, 0x3f000000), 0);
	CHECK_EQ(memmap_ram_regions(&r), 1);
	CHECK_EQ(r[0].size, 0x42000000);
	memmap_reset();
}

TEST(memmap_rejects_bad_ranges)
{
	memmap_reset();
	CHECK_EQ(memmap_add_ram(0x1000, 0), -KEEL_EINVAL);
	CHECK_EQ(memmap_add_ram(UINT64_MAX - 0xfff, 0x2000), -KEEL_EINVAL);
	CHECK_EQ(memmap_reserve(0x1000, 0, "x"), -KEEL_EINVAL);
	CHECK_EQ(memmap_reserve(UINT64_MAX, 2, "x"), -KEEL_EINVAL);
	for (unsigned int i = 0; i < MEMMAP_MAX_REGIONS; i++)
		CHECK_EQ(memmap_add_ram(0x100000ULL * (2 * i + 1), 0x1000), 0);
	CHECK_EQ(memmap_add_ram(0x100000000ULL, 0x1000), -KEEL_ENOSPC);
	memmap_reset();
}

TEST(memmap_subtracts_reservations)
{
	const struct memmap_region *res;
	struct pieces p;

	memmap_reset();
	memmap_add_ram(0x40000000, 0x10000000);  /* 0x40000000-0x50000000 */
	memmap_add_ram(0x60000000, 0x100000);    /* 0x60000000-0x60100000 */
	/* Inside, sharing the start, overlapping each other, partly
	 * outside RAM, wholly outside RAM, covering a whole bank. */
	memmap_reserve(0x40200000, 0x200000, "keel");
	memmap_reserve(0x40000000, 0x1000, "firmware");
	memmap_reserve(0x40300000, 0x200000, "dtb-and-more");
	memmap_reserve(0x4ff00000, 0x200000, "straddle");
	memmap_reserve(0x10000000, 0x1000, "outside");
	memmap_reserve(0x5fff0000, 0x200000, "whole-bank");
	CHECK_EQ(free_pieces(&p), 2);
	CHECK_EQ(p.base[0], 0x40001000);
	CHECK_EQ(p.size[0], 0x40200000 - 0x40001000);
	CHECK_EQ(p.base[1], 0x40500000);
	CHECK_EQ(p.size[1], 0x4ff00000 - 0x40500000);
	CHECK_EQ(memmap_reserved_regions(&res), 6);
	/* Kept sorted, names kept (and cut to fit). */
	CHECK_EQ(res[0].base, 0x10000000);
	CHECK_STR_EQ(res[1].name, "firmware");
	memmap_reserve(0x40600000, 0x1000, "a-name-that-is-much-too-long-to-keep");
	CHECK_EQ(memmap_reserved_regions(&res), 7);
	CHECK_EQ(strlen(res[4].name), MEMMAP_NAME_LEN - 1);
	CHECK_EQ(free_pieces(&p), 3);
	memmap_reset();
}

TEST(memmap_reservation_covering_everything)
{
	struct pieces p;

	memmap_reset();
	memmap_add_ram(0x1000000, 0x1000000);
	memmap_reserve(0x800000, 0x4000000, "all");
	CHECK_EQ(free_pieces(&p), 0);
	memmap_reset();
}

TEST(memmap_commit_feeds_the_page_allocator_once)
{
	static uint8_t ram[1 << 20] __attribute__((aligned(1 << 16)));
	struct page_stats s0, s1, s2;
	hpa_t base = ptr_to_hpa(ram);

	memmap_reset();
	page_alloc_stats(&s0);
	CHECK_EQ(memmap_add_ram(base, sizeof(ram)), 0);
	CHECK_EQ(memmap_reserve(base + 0x10000, 0x10000, "hole"), 0);
	unit_console_clear();
	memmap_commit();
	page_alloc_stats(&s1);
	/* [0, 64K) and [128K, 1M): 16 + 224 pages, one of each piece
	 * keeps the allocator's bookkeeping. */
	CHECK_EQ(s1.total_pages - s0.total_pages, 15 + 223);
	CHECK(strstr(unit_console_text(), "memmap: 1 MiB of RAM") != NULL);

	memmap_commit();
	CHECK_EQ(memmap_reserve(base, 0x1000, "late"), -KEEL_EBUSY);
	CHECK_EQ(memmap_add_ram(0x1000, 0x1000), -KEEL_EBUSY);
	page_alloc_stats(&s2);
	CHECK_EQ(s2.total_pages, s1.total_pages);
	CHECK(strstr(unit_console_text(), "second commit ignored") != NULL);
	memmap_reset();
}
