/* SPDX-License-Identifier: GPL-2.0-only */
/* Buddy allocator of physical pages over any number of unaligned ranges. */
#include <keel/log.h>
#include <keel/mm.h>
#include <keel/spinlock.h>
#include <lib/list.h>
#include <string.h>

/*
 * Each range keeps its own bookkeeping in its first pages: a header and one
 * state byte per managed page. Only the first page of a block has a
 * non-zero state: whether the block is free or allocated, and its order.
 * Free blocks are linked into per-order lists through their own first
 * bytes, so no memory is set aside for RAM that does not exist.
 *
 * Pages above a range's frontier are free but not yet on any list: they
 * are carved into blocks only when the lists run dry. Linking a block
 * writes to it, and touching every 4 MiB of RAM at boot makes the machine
 * underneath (QEMU, or a host hypervisor) populate all of it.
 */
#define PAGE_STATE_ORDER 0x0f
#define PAGE_STATE_FREE 0x40
#define PAGE_STATE_USED 0x80

struct page_range {
	struct page_range *next;
	uint64_t first_pfn; /* first managed page frame */
	uint64_t pages;     /* managed pages (bookkeeping pages excluded) */
	uint64_t frontier;  /* first page not yet carved into a free block */
	uint8_t state[];
};

/* Lives in the first bytes of every free block. */
struct page_free_block {
	struct list_head link;
	struct page_range *range;
};

static spinlock_t page_lock = SPINLOCK_INIT;
static struct page_range *page_ranges;
static struct list_head page_free_lists[PAGE_MAX_ORDER + 1];
static bool page_lists_ready;
static struct page_stats page_counters;

static inline uint64_t page_block_pages(unsigned int order)
{
	return 1ULL << order;
}

static inline struct page_free_block *page_block_at(uint64_t pfn)
{
	return hpa_to_ptr(pfn << PAGE_SHIFT);
}

/* Lists are set up on first use: a static initialiser would have to
 * spell out every order. Lock held. */
static void page_lists_prepare(void)
{
	if (page_lists_ready)
		return;
	for (unsigned int i = 0; i <= PAGE_MAX_ORDER; i++)
		list_init(&page_free_lists[i]);
	page_lists_ready = true;
}

static struct page_range *page_range_find(uint64_t pfn)
{
	for (struct page_range *r = page_ranges; r; r = r->next) {
		if (pfn >= r->first_pfn && pfn - r->first_pfn < r->pages)
			return r;
	}
	return NULL;
}

static void page_block_make_free(struct page_range *r, uint64_t pfn,
				 unsigned int order)
{
	struct page_free_block *block = page_block_at(pfn);

	block->range = r;
	list_add(&block->link, &page_free_lists[order]);
	r->state[pfn - r->first_pfn] = PAGE_STATE_FREE | order;
}

/* Frees the largest block aligned to its own size (as the buddy arithmetic
 * requires) at the range's frontier. Lock held. */
static void page_range_carve(struct page_range *r)
{
	uint64_t end = r->first_pfn + r->pages;
	unsigned int order = PAGE_MAX_ORDER;

	while (order && ((r->frontier & (page_block_pages(order) - 1)) ||
			 r->frontier + page_block_pages(order) > end))
		order--;
	page_block_make_free(r, r->frontier, order);
	r->frontier += page_block_pages(order);
}

/* Carves one more block from any range; false when all are carved. */
static bool page_carve_any(void)
{
	for (struct page_range *r = page_ranges; r; r = r->next) {
		if (r->frontier < r->first_pfn + r->pages) {
			page_range_carve(r);
			return true;
		}
	}
	return false;
}

static void page_block_take(struct page_range *r, uint64_t pfn)
{
	list_del(&page_block_at(pfn)->link);
	r->state[pfn - r->first_pfn] = 0;
}

void page_alloc_add_range(hpa_t base, uint64_t size)
{
	uint64_t first, end, total, meta_pages, pfn;
	struct page_range *r;
	unsigned long flags;

	if (!size || base > UINT64_MAX - size)
		return;
	first = ALIGN_UP(base, PAGE_SIZE) >> PAGE_SHIFT;
	end = ALIGN_DOWN(base + size, PAGE_SIZE) >> PAGE_SHIFT;
	if (end <= first)
		return;
	total = end - first;
	/* Bookkeeping for all `total` pages, a little more than needed. */
	meta_pages = (sizeof(struct page_range) + total + PAGE_SIZE - 1) >> PAGE_SHIFT;
	if (total <= meta_pages) {
		log_warn("page_alloc: range 0x%llx+0x%llx too small to manage; ignored",
			 (unsigned long long)base, (unsigned long long)size);
		return;
	}

	flags = spin_lock_irqsave(&page_lock);
	page_lists_prepare();
	for (struct page_range *other = page_ranges; other; other = other->next) {
		/* The other range's bookkeeping pages start at its header. */
		uint64_t other_start = ptr_to_hpa(other) >> PAGE_SHIFT;
		uint64_t other_end = other->first_pfn + other->pages;

		if (first < other_end && other_start < end) {
			spin_unlock_irqrestore(&page_lock, flags);
			log_error("page_alloc: range 0x%llx+0x%llx overlaps memory already managed; ignored",
				  (unsigned long long)base,
				  (unsigned long long)size);
			return;
		}
	}

	r = hpa_to_ptr(first << PAGE_SHIFT);
	r->first_pfn = first + meta_pages;
	r->pages = total - meta_pages;
	memset(r->state, 0, r->pages);
	r->next = page_ranges;
	page_ranges = r;

	/* Carve the unaligned head now; the rest waits above the frontier. */
	pfn = r->first_pfn;
	end = r->first_pfn + r->pages;
	r->frontier = pfn;
	while (r->frontier < end &&
	       !IS_ALIGNED(r->frontier, page_block_pages(PAGE_MAX_ORDER)))
		page_range_carve(r);
	page_counters.total_pages += r->pages;
	page_counters.free_pages += r->pages;
	spin_unlock_irqrestore(&page_lock, flags);
}

void *page_alloc(unsigned int order)
{
	struct page_free_block *block;
	struct page_range *r;
	unsigned long flags;
	unsigned int o;
	uint64_t pfn;

	flags = spin_lock_irqsave(&page_lock);
	page_lists_prepare();
	for (;;) {
		o = order;
		while (o <= PAGE_MAX_ORDER && list_empty(&page_free_lists[o]))
			o++;
		if (o <= PAGE_MAX_ORDER || !page_carve_any())
			break;
	}
	if (o > PAGE_MAX_ORDER) {
		page_counters.failures++;
		spin_unlock_irqrestore(&page_lock, flags);
		return NULL;
	}
	block = list_first_entry(&page_free_lists[o], struct page_free_block, link);
	r = block->range;
	pfn = ptr_to_hpa(block) >> PAGE_SHIFT;
	page_block_take(r, pfn);
	/* Split: the upper halves go back as free buddies. */
	while (o > order) {
		o--;
		page_block_make_free(r, pfn + page_block_pages(o), o);
	}
	r->state[pfn - r->first_pfn] = PAGE_STATE_USED | order;
	page_counters.free_pages -= page_block_pages(order);
	page_counters.allocations++;
	spin_unlock_irqrestore(&page_lock, flags);
	return block;
}

void *page_zalloc(unsigned int order)
{
	void *pages = page_alloc(order);

	if (pages)
		memset(pages, 0, PAGE_SIZE << order);
	return pages;
}

void page_free(void *pages, unsigned int order)
{
	uint64_t pfn = ptr_to_hpa(pages) >> PAGE_SHIFT;
	unsigned int freed_order = order;
	struct page_range *r;
	unsigned long flags;

	if (!pages)
		return;
	BUG_ON(order > PAGE_MAX_ORDER);
	BUG_ON(!IS_ALIGNED(ptr_to_hpa(pages), PAGE_SIZE << order));

	flags = spin_lock_irqsave(&page_lock);
	r = page_range_find(pfn);
	/* Not ours, freed twice, or freed with another order than it was
	 * allocated with: each would corrupt the free lists. */
	BUG_ON(!r);
	BUG_ON(r->state[pfn - r->first_pfn] != (PAGE_STATE_USED | order));
	r->state[pfn - r->first_pfn] = 0;

	while (order < PAGE_MAX_ORDER) {
		uint64_t buddy = pfn ^ page_block_pages(order);

		if (buddy < r->first_pfn ||
		    buddy + page_block_pages(order) > r->first_pfn + r->pages ||
		    r->state[buddy - r->first_pfn] != (PAGE_STATE_FREE | order))
			break;
		page_block_take(r, buddy);
		pfn = MIN(pfn, buddy);
		order++;
	}
	page_block_make_free(r, pfn, order);
	page_counters.free_pages += page_block_pages(freed_order);
	page_counters.frees++;
	spin_unlock_irqrestore(&page_lock, flags);
}

void page_alloc_stats(struct page_stats *stats)
{
	unsigned long flags = spin_lock_irqsave(&page_lock);

	*stats = page_counters;
	spin_unlock_irqrestore(&page_lock, flags);
}
