/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest's MMIO region table: regions kept sorted by base address so that
 * the region of a trapped access is found by binary search.
 */
#include <keel/emu.h>
#include <keel/errno.h>

void mmio_table_init(struct mmio_table *table)
{
	table->count = 0;
}

int mmio_table_add(struct mmio_table *table, gpa_t base, uint64_t size,
		   const char *name, const struct mmio_ops *ops, void *state)
{
	unsigned int pos = 0;

	if (!size || base + size < base || !ops)
		return -KEEL_EINVAL;
	if (table->count >= MMIO_MAX_REGIONS)
		return -KEEL_ENOSPC;
	while (pos < table->count && table->regions[pos].base < base)
		pos++;
	/* Only the neighbours can overlap in a sorted, disjoint table. */
	if (pos > 0) {
		const struct mmio_region *prev = &table->regions[pos - 1];

		if (prev->base + prev->size > base)
			return -KEEL_EEXIST;
	}
	if (pos < table->count && base + size > table->regions[pos].base)
		return -KEEL_EEXIST;
	for (unsigned int i = table->count; i > pos; i--)
		table->regions[i] = table->regions[i - 1];
	table->regions[pos] = (struct mmio_region){
		.base = base, .size = size, .name = name, .ops = ops, .state = state,
	};
	table->count++;
	return 0;
}

int mmio_table_remove(struct mmio_table *table, gpa_t base)
{
	const struct mmio_region *r = mmio_table_find(table, base);
	unsigned int pos;

	if (!r || r->base != base)
		return -KEEL_ENOENT;
	pos = (unsigned int)(r - table->regions);
	for (unsigned int i = pos + 1; i < table->count; i++)
		table->regions[i - 1] = table->regions[i];
	table->count--;
	table->regions[table->count] = (struct mmio_region){ 0 };
	return 0;
}

const struct mmio_region *mmio_table_find(const struct mmio_table *table,
					  gpa_t addr)
{
	unsigned int low = 0, high = table->count;

	while (low < high) {
		unsigned int mid = low + (high - low) / 2;
		const struct mmio_region *r = &table->regions[mid];

		if (addr < r->base)
			high = mid;
		else if (addr - r->base >= r->size)
			low = mid + 1;
		else
			return r;
	}
	return NULL;
}
