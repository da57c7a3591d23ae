/* SPDX-License-Identifier: GPL-2.0-only */
/* The buddy page allocator: ranges, alignment, exhaustion, coalescing. */
#include <keel/mm.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"

/* Memory handed to the allocator stays with it for the whole run. */
static uint8_t range_unaligned[16 * 4096] __attribute__((aligned(4096)));
static uint8_t range_two_a[8 * 4096] __attribute__((aligned(4096)));
static uint8_t range_two_b[8 * 4096] __attribute__((aligned(4096)));
static uint8_t range_tiny[2 * 4096] __attribute__((aligned(4096)));

struct block {
	void *ptr;
	unsigned int order;
};

struct drain {
	struct block *blocks;
	size_t count;
	uint64_t pages;
};

/* Takes every free page, largest blocks first (or only order `only`). */
static void drain_all(struct drain *d, int only)
{
	size_t cap = 1024;

	d->blocks = malloc(cap * sizeof(*d->blocks));
	d->count = 0;
	d->pages = 0;
	for (int order = PAGE_MAX_ORDER; order >= 0; order--) {
		void *p;

		if (only >= 0 && order != only)
			continue;
		while ((p = page_alloc((unsigned int)order))) {
			if (d->count == cap) {
				cap *= 2;
				d->blocks = realloc(d->blocks, cap * sizeof(*d->blocks));
			}
			d->blocks[d->count].ptr = p;
			d->blocks[d->count].order = (unsigned int)order;
			d->count++;
			d->pages += 1ULL << order;
		}
	}
}

static void free_all(struct drain *d, bool reverse)
{
	for (size_t i = 0; i < d->count; i++) {
		size_t k = reverse ? d->count - 1 - i : i;

		page_free(d->blocks[k].ptr, d->blocks[k].order);
	}
	free(d->blocks);
	d->blocks = NULL;
}

static uint64_t free_pages_now(void)
{
	struct page_stats s;

	page_alloc_stats(&s);
	return s.free_pages;
}

TEST(page_alloc_blocks_are_aligned_and_distinct)
{
	struct drain d;
	bool aligned = true, intact = true;

	drain_all(&d, -1);
	REQUIRE(d.count > 0);
	for (size_t i = 0; i < d.count; i++) {
		uint64_t *first = d.blocks[i].ptr;
		size_t bytes = PAGE_SIZE << d.blocks[i].order;
		uint64_t *last = (uint64_t *)((char *)first + bytes) - 1;

		if ((uintptr_t)first % bytes)
			aligned = false;
		*first = i;
		*last = ~(uint64_t)i;
	}
	/* Had two blocks overlapped, a later write would show here. */
	for (size_t i = 0; i < d.count; i++) {
		uint64_t *first = d.blocks[i].ptr;
		size_t bytes = PAGE_SIZE << d.blocks[i].order;
		uint64_t *last = (uint64_t *)((char *)first + bytes) - 1;

		if (*first != i || *last != ~(uint64_t)i)
			intact = false;
	}
	CHECK(aligned);
	CHECK(intact);
	free_all(&d, false);
}

TEST(page_alloc_exhaustion_and_coalescing)
{
	uint64_t before = free_pages_now();
	struct page_stats s0, s1;
	struct drain big, small, again;

	page_alloc_stats(&s0);
	drain_all(&big, -1);
	CHECK_EQ(big.pages, before);
	CHECK_EQ(free_pages_now(), 0);
	/* Nothing left: every order fails and is counted. */
	CHECK(page_alloc(0) == NULL);
	CHECK(page_alloc(PAGE_MAX_ORDER) == NULL);
	page_alloc_stats(&s1);
	CHECK(s1.failures >= s0.failures + 2);
	free_all(&big, false);
	CHECK_EQ(free_pages_now(), before);

	/* Split everything into single pages, free them in reverse order:
	 * the buddies must merge back into the same large blocks. */
	drain_all(&small, 0);
	CHECK_EQ(small.pages, before);
	free_all(&small, true);
	CHECK_EQ(free_pages_now(), before);
	drain_all(&again, -1);
	CHECK_EQ(again.count, big.count);
	CHECK_EQ(again.pages, before);
	free_all(&again, false);
	CHECK_EQ(free_pages_now(), before);
}

TEST(page_alloc_rejects_orders_above_max)
{
	struct page_stats s0, s1;

	page_alloc_stats(&s0);
	CHECK(page_alloc(PAGE_MAX_ORDER + 1) == NULL);
	page_alloc_stats(&s1);
	CHECK_EQ(s1.failures, s0.failures + 1);
}

TEST(page_alloc_unaligned_range)
{
	struct page_stats s0, s1;
	uint8_t *lo = range_unaligned + 4 * PAGE_SIZE;
	uint8_t *hi = range_unaligned + 13 * PAGE_SIZE;
	struct drain d;
	size_t inside = 0;
	bool in_bounds = true;

	page_alloc_stats(&s0);
	/* Starts 100 bytes into page 2, ends 50 bytes into page 14:
	 * pages 3..13 are whole (11), the first of them holds the range's
	 * own bookkeeping, so 10 are managed... */
	page_alloc_add_range(ptr_to_hpa(range_unaligned + 2 * PAGE_SIZE + 100),
			     11 * PAGE_SIZE + 50 + (PAGE_SIZE - 100));
	page_alloc_stats(&s1);
	CHECK_EQ(s1.total_pages - s0.total_pages, 10);
	CHECK_EQ(s1.free_pages - s0.free_pages, 10);

	/* ...and they are exactly pages 4..13. */
	drain_all(&d, 0);
	for (size_t i = 0; i < d.count; i++) {
		uint8_t *p = d.blocks[i].ptr;

		if (p >= range_unaligned && p < range_unaligned + sizeof(range_unaligned)) {
			inside++;
			if (p < lo || p > hi)
				in_bounds = false;
		}
	}
	CHECK_EQ(inside, 10);
	CHECK(in_bounds);
	free_all(&d, false);
	CHECK_EQ(free_pages_now(), s1.free_pages);
}

TEST(page_alloc_several_ranges_and_bad_ones)
{
	struct page_stats s0, s1, s2;

	page_alloc_stats(&s0);
	page_alloc_add_range(ptr_to_hpa(range_two_a), sizeof(range_two_a));
	page_alloc_add_range(ptr_to_hpa(range_two_b), sizeof(range_two_b));
	page_alloc_stats(&s1);
	CHECK_EQ(s1.total_pages - s0.total_pages, 14); /* 2 x (8 - 1) */

	/* Overlapping what is managed, too small, empty: all ignored. */
	unit_console_clear();
	page_alloc_add_range(ptr_to_hpa(range_two_a) + PAGE_SIZE, PAGE_SIZE * 4);
	CHECK(strstr(unit_console_text(), "overlaps memory already managed") != NULL);
	page_alloc_add_range(ptr_to_hpa(range_tiny), sizeof(range_tiny) - 1);
	page_alloc_add_range(ptr_to_hpa(range_tiny), 0);
	page_alloc_add_range(UINT64_MAX - 10, 100);
	page_alloc_stats(&s2);
	CHECK_EQ(s2.total_pages, s1.total_pages);
	CHECK_EQ(s2.free_pages, s1.free_pages);
}

TEST(page_zalloc_zeroes_and_stats_count)
{
	struct page_stats s0, s1;
	uint8_t *p;
	bool zero = true;

	p = page_alloc(2);
	REQUIRE(p != NULL);
	memset(p, 0xa5, PAGE_SIZE << 2);
	page_free(p, 2);
	page_alloc_stats(&s0);
	p = page_zalloc(2);
	REQUIRE(p != NULL);
	for (size_t i = 0; i < (PAGE_SIZE << 2); i++)
		zero &= p[i] == 0;
	CHECK(zero);
	page_alloc_stats(&s1);
	CHECK_EQ(s1.allocations, s0.allocations + 1);
	CHECK_EQ(s0.free_pages - s1.free_pages, 4);
	page_free(p, 2);
	page_free(NULL, 3); /* ignored */
	page_alloc_stats(&s1);
	CHECK_EQ(s1.frees, s0.frees + 1);
	CHECK_EQ(s1.free_pages, s0.free_pages);
}

static void free_twice(void *arg)
{
	void *p = page_alloc(1);

	(void)arg;
	page_free(p, 1);
	page_free(p, 1);
}

static void free_with_wrong_order(void *arg)
{
	void *p = page_alloc(1);

	(void)arg;
	page_free(p, 0);
}

static void free_foreign_pointer(void *arg)
{
	static uint8_t not_managed[2 * 4096] __attribute__((aligned(4096)));

	(void)arg;
	page_free(not_managed, 0);
}

TEST(page_free_catches_double_and_bad_frees)
{
	CHECK(unit_expect_abort(free_twice, NULL));
	CHECK(unit_expect_abort(free_with_wrong_order, NULL));
	CHECK(unit_expect_abort(free_foreign_pointer, NULL));
}
