/* SPDX-License-Identifier: GPL-2.0-only */
/* `mem`: the host memory map and how the allocators are doing. */
#include <keel/errno.h>
#include <keel/log.h>
#include <keel/mm.h>
#include <keel/shell_internal.h>

static void mem_print_regions(const char *title,
			      const struct memmap_region *regions,
			      unsigned int count)
{
	char size[SHELL_SIZE_BUF];
	unsigned int i;

	kprintf("%s:\n", title);
	if (!count)
		kprintf("  (none)\n");
	for (i = 0; i < count; i++) {
		const struct memmap_region *r = &regions[i];
		/* Inclusive end, so a region that ends at 2^64 still prints. */
		hpa_t last = r->size ? r->base + r->size - 1 : r->base;

		kprintf("  0x%012llx-0x%012llx  %9s  %s\n",
			(unsigned long long)r->base, (unsigned long long)last,
			shell_format_size(r->size, size, sizeof(size)), r->name);
	}
}

static void mem_print_pages(void)
{
	char free[SHELL_SIZE_BUF], total[SHELL_SIZE_BUF];
	struct page_stats stats;

	page_alloc_stats(&stats);
	kprintf("pages: %llu of %llu free (%s of %s)\n",
		(unsigned long long)stats.free_pages,
		(unsigned long long)stats.total_pages,
		shell_format_size(stats.free_pages * PAGE_SIZE, free, sizeof(free)),
		shell_format_size(stats.total_pages * PAGE_SIZE, total,
				  sizeof(total)));
	kprintf("       %llu allocations, %llu frees, %llu failures\n",
		(unsigned long long)stats.allocations,
		(unsigned long long)stats.frees,
		(unsigned long long)stats.failures);
}

static void mem_print_heap(void)
{
	char in_use[SHELL_SIZE_BUF], peak[SHELL_SIZE_BUF];
	struct heap_stats stats;

	heap_stats(&stats);
	kprintf("heap:  %s in use, peak %s\n",
		shell_format_size(stats.bytes_in_use, in_use, sizeof(in_use)),
		shell_format_size(stats.peak_bytes, peak, sizeof(peak)));
	kprintf("       %llu allocations, %llu frees, %llu failures\n",
		(unsigned long long)stats.allocations,
		(unsigned long long)stats.frees,
		(unsigned long long)stats.failures);
}

static int mem_run(int argc, char **argv __unused)
{
	const struct memmap_region *regions;
	char total[SHELL_SIZE_BUF];
	unsigned int count;

	if (argc > 1) {
		kprintf("mem: takes no arguments\n");
		return -KEEL_EINVAL;
	}
	count = memmap_ram_regions(&regions);
	mem_print_regions("RAM", regions, count);
	kprintf("  total %s\n",
		shell_format_size(memmap_ram_total(), total, sizeof(total)));
	count = memmap_reserved_regions(&regions);
	mem_print_regions("reserved", regions, count);
	mem_print_pages();
	mem_print_heap();
	return 0;
}

SHELL_COMMAND(mem,
	.name = "mem",
	.usage = "mem",
	.summary = "show RAM, reserved regions and allocator statistics",
	.help = "Reserved regions (Keel itself, the device tree, the initrd...)\n"
		"are never handed out. Sizes use binary units (1 KiB = 1024 bytes).",
	.run = mem_run);
