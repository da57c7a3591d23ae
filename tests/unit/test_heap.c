/* SPDX-License-Identifier: GPL-2.0-only */
/* kmalloc/kfree: size classes, large blocks, statistics, misuse caught. */
#include <keel/mm.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"

static uint64_t heap_bytes(void)
{
	struct heap_stats s;

	heap_stats(&s);
	return s.bytes_in_use;
}

static uint64_t pages_free(void)
{
	struct page_stats s;

	page_alloc_stats(&s);
	return s.free_pages;
}

TEST(heap_sizes_alignment_and_stats_return_to_zero)
{
	static const size_t sizes[] = { 0, 1, 15, 16, 17, 100, 255, 256, 1000,
					2047, 2048, 2049, 4080, 4096, 10000,
					100000 };
	void *ptrs[ARRAY_SIZE(sizes)];
	uint64_t bytes0 = heap_bytes(), pages0 = pages_free(), total = 0;
	struct heap_stats s0, s1;
	bool aligned = true;

	heap_stats(&s0);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		ptrs[i] = kmalloc(sizes[i]);
		REQUIRE(ptrs[i] != NULL);
		aligned &= ((uintptr_t)ptrs[i] % 16) == 0;
		memset(ptrs[i], (int)i, sizes[i]);
		total += sizes[i];
	}
	CHECK(aligned);
	CHECK_EQ(heap_bytes() - bytes0, total);
	/* Each block still holds its own pattern: nothing overlapped. */
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		const uint8_t *p = ptrs[i];

		for (size_t k = 0; k < sizes[i]; k++) {
			if (p[k] != (uint8_t)i) {
				CHECK_EQ(p[k], i);
				break;
			}
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		kfree(ptrs[i]);
	heap_stats(&s1);
	CHECK_EQ(s1.bytes_in_use, bytes0);
	CHECK_EQ(s1.allocations - s0.allocations, ARRAY_SIZE(sizes));
	CHECK_EQ(s1.frees - s0.frees, ARRAY_SIZE(sizes));
	CHECK(s1.peak_bytes >= bytes0 + total);
	/* Empty slabs and large blocks went back to the page allocator. */
	CHECK_EQ(pages_free(), pages0);
}

TEST(heap_many_small_objects_fill_several_slabs)
{
	enum { N = 3000 };
	void **ptrs = calloc(N, sizeof(void *));
	uint64_t bytes0 = heap_bytes(), pages0 = pages_free();
	bool ok = true;

	REQUIRE(ptrs != NULL);
	for (int i = 0; i < N; i++) {
		size_t size = 8 + (size_t)(i % 7) * 40;

		ptrs[i] = kmalloc(size);
		if (!ptrs[i]) {
			ok = false;
			break;
		}
		memset(ptrs[i], 0x5a, size);
	}
	CHECK(ok);
	CHECK(pages_free() < pages0);
	/* Free odd ones, then even ones: slabs go partial, then empty. */
	for (int i = 1; i < N; i += 2)
		kfree(ptrs[i]);
	for (int i = 0; i < N; i += 2)
		kfree(ptrs[i]);
	free(ptrs);
	CHECK_EQ(heap_bytes(), bytes0);
	CHECK_EQ(pages_free(), pages0);
}

TEST(heap_kzalloc_kstrdup_and_null)
{
	uint8_t *p = kmalloc(64);
	char *s;
	bool zero = true;

	REQUIRE(p != NULL);
	memset(p, 0xff, 64);
	kfree(p);
	p = kzalloc(64);
	REQUIRE(p != NULL);
	for (int i = 0; i < 64; i++)
		zero &= p[i] == 0;
	CHECK(zero);
	kfree(p);

	s = kstrdup("guest linux0");
	REQUIRE(s != NULL);
	CHECK_STR_EQ(s, "guest linux0");
	kfree(s);
	kfree(NULL);
}

TEST(heap_too_large_fails_and_counts)
{
	struct heap_stats s0, s1;
	void *p;

	heap_stats(&s0);
	CHECK(kmalloc((PAGE_SIZE << PAGE_MAX_ORDER) - 15) == NULL);
	CHECK(kmalloc(SIZE_MAX) == NULL);
	heap_stats(&s1);
	CHECK_EQ(s1.failures - s0.failures, 2);
	CHECK_EQ(s1.bytes_in_use, s0.bytes_in_use);
	/* The largest request that fits one max-order block works. */
	p = kmalloc((PAGE_SIZE << PAGE_MAX_ORDER) - 16);
	CHECK(p != NULL);
	kfree(p);
}

static void kfree_twice(void *arg)
{
	void *p = kmalloc((size_t)(uintptr_t)arg);

	kfree(p);
	kfree(p);
}

static void kfree_inside_object(void *arg)
{
	char *p = kmalloc(64);

	(void)arg;
	kfree(p + 16);
}

TEST(heap_catches_double_and_bad_kfree)
{
	/* A slab object whose slab stays alive (a neighbour holds it). */
	void *keep = kmalloc(32);

	CHECK(unit_expect_abort(kfree_twice, (void *)(uintptr_t)32));
	CHECK(unit_expect_abort(kfree_twice, (void *)(uintptr_t)20000));
	CHECK(unit_expect_abort(kfree_inside_object, NULL));
	kfree(keep);
}
