/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The arch-neutral plan of Keel's own 1:1 map (see keel/idmap.h): RAM,
 * device windows where there is no RAM, and the image's sections with
 * tighter permissions on top. The arch only writes the entries.
 */
#include <keel/errno.h>
#include <keel/idmap.h>
#include <keel/log.h>
#include <keel/mm.h>

#define LOW_4G (4ULL << 30)

static bool idmap_overlaps_ram(uint64_t base, uint64_t end)
{
	const struct memmap_region *ram;
	unsigned int n = memmap_ram_regions(&ram);

	for (unsigned int i = 0; i < n; i++)
		if (base < ram[i].base + ram[i].size && ram[i].base < end)
			return true;
	return false;
}

/* Device windows: the low 4 GiB outside RAM, one step at a time, except
 * the first step so that a NULL pointer faults instead of reading flash. */
static int idmap_map_devices(void *root, idmap_map_fn map)
{
	for (uint64_t addr = IDMAP_DEVICE_STEP; addr < LOW_4G;
	     addr += IDMAP_DEVICE_STEP) {
		int err;

		if (idmap_overlaps_ram(addr, addr + IDMAP_DEVICE_STEP))
			continue;
		err = map(root, addr, addr + IDMAP_DEVICE_STEP, IDMAP_DEVICE);
		if (err)
			return err;
	}
	return 0;
}

int idmap_build(void *root, const struct idmap_layout *layout, idmap_map_fn map)
{
	const struct memmap_region *ram;
	unsigned int n = memmap_ram_regions(&ram);
	int err;

	err = idmap_map_devices(root, map);
	for (unsigned int i = 0; i < n && !err; i++)
		err = map(root, ram[i].base, ram[i].base + ram[i].size, IDMAP_RAM);
	if (!err)
		err = map(root, layout->text_start, layout->text_end, IDMAP_TEXT);
	if (!err)
		err = map(root, layout->rodata_start, layout->rodata_end, IDMAP_RODATA);
	if (err)
		log_error("mmu: cannot build page tables: %s", keel_strerror(err));
	return err;
}
