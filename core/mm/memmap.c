/* SPDX-License-Identifier: GPL-2.0-only */
/* The boot memory map: RAM ranges minus reserved ranges, fed to page_alloc. */
#include <keel/errno.h>
#include <keel/log.h>
#include <keel/mm.h>
#include <string.h>

struct memmap_table {
	struct memmap_region regions[MEMMAP_MAX_REGIONS];
	unsigned int count; /* kept sorted by base */
};

static struct memmap_table memmap_ram;
static struct memmap_table memmap_reserved;
static bool memmap_committed;

static void memmap_set_name(struct memmap_region *r, const char *name)
{
	size_t i = 0;

	if (name) {
		for (; i < MEMMAP_NAME_LEN - 1 && name[i]; i++)
			r->name[i] = name[i];
	}
	r->name[i] = '\0';
}

static int memmap_insert(struct memmap_table *t, hpa_t base, uint64_t size,
			 const char *name)
{
	unsigned int i = 0;

	if (t->count == MEMMAP_MAX_REGIONS)
		return -KEEL_ENOSPC;
	while (i < t->count && t->regions[i].base <= base)
		i++;
	memmove(&t->regions[i + 1], &t->regions[i],
		(t->count - i) * sizeof(t->regions[0]));
	t->regions[i].base = base;
	t->regions[i].size = size;
	memmap_set_name(&t->regions[i], name);
	t->count++;
	return 0;
}

static void memmap_remove(struct memmap_table *t, unsigned int i)
{
	memmove(&t->regions[i], &t->regions[i + 1],
		(t->count - i - 1) * sizeof(t->regions[0]));
	t->count--;
}

/* Ranges whose end would wrap past 2^64 are refused as nonsense. */
static bool memmap_range_valid(hpa_t base, uint64_t size)
{
	return size != 0 && base <= UINT64_MAX - size;
}

int memmap_add_ram(hpa_t base, uint64_t size)
{
	hpa_t end = base + size;
	unsigned int i = 0;

	if (!memmap_range_valid(base, size))
		return -KEEL_EINVAL;
	if (memmap_committed)
		return -KEEL_EBUSY;
	/* A device tree may list the same bank twice or split it in
	 * touching pieces: keep one region per contiguous bank. */
	while (i < memmap_ram.count) {
		struct memmap_region *r = &memmap_ram.regions[i];
		hpa_t r_end = r->base + r->size;

		if (r->base <= end && base <= r_end) {
			base = MIN(base, r->base);
			end = MAX(end, r_end);
			memmap_remove(&memmap_ram, i);
			i = 0;
			continue;
		}
		i++;
	}
	if (memmap_insert(&memmap_ram, base, end - base, "ram")) {
		log_error("memmap: too many RAM regions (max %u); 0x%llx-0x%llx not recorded",
			  MEMMAP_MAX_REGIONS, (unsigned long long)base,
			  (unsigned long long)end);
		return -KEEL_ENOSPC;
	}
	return 0;
}

int memmap_reserve(hpa_t base, uint64_t size, const char *name)
{
	int err;

	if (!memmap_range_valid(base, size))
		return -KEEL_EINVAL;
	if (memmap_committed) {
		log_warn("memmap: reservation %s at 0x%llx comes after the memory was handed out; ignored",
			 name ? name : "?", (unsigned long long)base);
		return -KEEL_EBUSY;
	}
	/* Reserved ranges may overlap each other or lie outside RAM; they
	 * are kept as given (with their names) and only subtracted later. */
	err = memmap_insert(&memmap_reserved, base, size, name);
	if (err)
		log_error("memmap: too many reserved ranges (max %u); %s at 0x%llx not recorded",
			  MEMMAP_MAX_REGIONS, name ? name : "?",
			  (unsigned long long)base);
	return err;
}

unsigned int memmap_for_each_free(void (*fn)(hpa_t base, uint64_t size,
					     void *ctx), void *ctx)
{
	unsigned int pieces = 0;

	for (unsigned int i = 0; i < memmap_ram.count; i++) {
		const struct memmap_region *ram = &memmap_ram.regions[i];
		hpa_t cursor = ram->base;
		hpa_t end = ram->base + ram->size;

		/* Reserved ranges are sorted by base: walk them once, moving
		 * the cursor past each one that covers it. */
		for (unsigned int j = 0; j < memmap_reserved.count && cursor < end; j++) {
			const struct memmap_region *res = &memmap_reserved.regions[j];
			hpa_t res_end = res->base + res->size;

			if (res_end <= cursor)
				continue;
			if (res->base >= end)
				break;
			if (res->base > cursor) {
				fn(cursor, res->base - cursor, ctx);
				pieces++;
			}
			cursor = MAX(cursor, res_end);
		}
		if (cursor < end) {
			fn(cursor, end - cursor, ctx);
			pieces++;
		}
	}
	return pieces;
}

static void memmap_give_to_page_alloc(hpa_t base, uint64_t size, void *ctx)
{
	uint64_t *free_bytes = ctx;

	*free_bytes += size;
	page_alloc_add_range(base, size);
}

void memmap_commit(void)
{
	uint64_t free_bytes = 0;
	unsigned int pieces;

	if (memmap_committed) {
		log_warn("memmap: memory already handed to the page allocator; second commit ignored");
		return;
	}
	memmap_committed = true;
	pieces = memmap_for_each_free(memmap_give_to_page_alloc, &free_bytes);
	log_info("memmap: %llu MiB of RAM in %u region(s), %u reserved range(s), %llu KiB free in %u piece(s)",
		 (unsigned long long)(memmap_ram_total() >> 20), memmap_ram.count,
		 memmap_reserved.count, (unsigned long long)(free_bytes >> 10),
		 pieces);
}

unsigned int memmap_ram_regions(const struct memmap_region **regions)
{
	*regions = memmap_ram.regions;
	return memmap_ram.count;
}

unsigned int memmap_reserved_regions(const struct memmap_region **regions)
{
	*regions = memmap_reserved.regions;
	return memmap_reserved.count;
}

uint64_t memmap_ram_total(void)
{
	uint64_t total = 0;

	for (unsigned int i = 0; i < memmap_ram.count; i++)
		total += memmap_ram.regions[i].size;
	return total;
}

void memmap_reset(void)
{
	memset(&memmap_ram, 0, sizeof(memmap_ram));
	memset(&memmap_reserved, 0, sizeof(memmap_reserved));
	memmap_committed = false;
}
