/* SPDX-License-Identifier: GPL-2.0-only */
/* Builds the host memory map from the device tree at boot. */
#include <keel/boot.h>
#include <keel/devtree.h>
#include <keel/errno.h>
#include <keel/log.h>
#include <keel/mm.h>
#include <libfdt.h>

static void add_memory_nodes(const void *fdt)
{
	int node;

	fdt_for_each_subnode(node, fdt, 0) {
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		uint64_t base, size;

		if (!type || strcmp(type, "memory") != 0 ||
		    !devtree_node_enabled(fdt, node))
			continue;
		for (int i = 0; devtree_read_reg(fdt, node, i, &base, &size) == 0; i++)
			if (size)
				memmap_add_ram(base, size);
	}
}

static void reserve_firmware_ranges(const void *fdt)
{
	int count = fdt_num_mem_rsv(fdt);
	int parent, node;

	for (int i = 0; i < count; i++) {
		uint64_t base, size;

		if (fdt_get_mem_rsv(fdt, i, &base, &size) == 0 && size)
			memmap_reserve(base, size, "memreserve");
	}
	parent = fdt_path_offset(fdt, "/reserved-memory");
	if (parent < 0)
		return;
	fdt_for_each_subnode(node, fdt, parent) {
		uint64_t base, size;

		if (devtree_node_enabled(fdt, node) &&
		    devtree_read_reg(fdt, node, 0, &base, &size) == 0 && size)
			memmap_reserve(base, size, fdt_get_name(fdt, node, NULL));
	}
}

int host_memory_init(const void *fdt, hpa_t image_start, hpa_t image_end)
{
	hpa_t initrd_start, initrd_end;

	add_memory_nodes(fdt);
	if (memmap_ram_total() == 0)
		return -KEEL_ENOENT;
	memmap_reserve(image_start, image_end - image_start, "keel");
	memmap_reserve(ptr_to_hpa(fdt), fdt_totalsize(fdt), "dtb");
	if (initrd_range(fdt, &initrd_start, &initrd_end))
		memmap_reserve(initrd_start, initrd_end - initrd_start, "initrd");
	reserve_firmware_ranges(fdt);
	memmap_commit();
	return 0;
}
