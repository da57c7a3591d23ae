/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host memory: the memory map found at boot, the physical page allocator
 * and the heap built on it.
 */
#ifndef KEEL_MM_H
#define KEEL_MM_H

#include <keel/types.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MAX_ORDER 10 /* largest block: 4 MiB */

/* ---- memory map (core/mm/memmap.c) ---- */
#define MEMMAP_MAX_REGIONS 32
#define MEMMAP_NAME_LEN 24

struct memmap_region {
	hpa_t base;
	uint64_t size;
	char name[MEMMAP_NAME_LEN]; /* "ram", "keel", "dtb", "initrd", ... */
};

/* Records a range of RAM. */
int memmap_add_ram(hpa_t base, uint64_t size);
/* Records a range that must never be handed out (Keel, DTB, initrd...). */
int memmap_reserve(hpa_t base, uint64_t size, const char *name);
/* Gives all RAM not reserved to the page allocator; call once. */
void memmap_commit(void);
/* Lists the recorded regions (for the `mem` command). */
unsigned int memmap_ram_regions(const struct memmap_region **regions);
unsigned int memmap_reserved_regions(const struct memmap_region **regions);
/* Total RAM recorded, in bytes. */
uint64_t memmap_ram_total(void);
/* Calls fn for every piece of RAM that no reserved range covers, in address
 * order; returns the number of pieces. memmap_commit() feeds these pieces
 * to the page allocator. */
unsigned int memmap_for_each_free(void (*fn)(hpa_t base, uint64_t size,
					     void *ctx), void *ctx);
/* Forgets every region and allows another commit (unit tests). */
void memmap_reset(void);

/* ---- page allocator (core/mm/page_alloc.c) ---- */
struct page_stats {
	uint64_t total_pages;
	uint64_t free_pages;
	uint64_t allocations;
	uint64_t frees;
	uint64_t failures;
};

/* Adds a free physical range; base and size need not be page aligned. */
void page_alloc_add_range(hpa_t base, uint64_t size);
/* 2^order contiguous pages, aligned to their size, or NULL. */
void *page_alloc(unsigned int order);
/* As page_alloc(), zero filled. */
void *page_zalloc(unsigned int order);
void page_free(void *pages, unsigned int order);
void page_alloc_stats(struct page_stats *stats);

/* ---- heap (core/mm/heap.c) ---- */
struct heap_stats {
	uint64_t bytes_in_use;   /* as requested by callers */
	uint64_t peak_bytes;
	uint64_t allocations;
	uint64_t frees;
	uint64_t failures;
};

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *ptr);
char *kstrdup(const char *s);
void heap_stats(struct heap_stats *stats);

#endif
