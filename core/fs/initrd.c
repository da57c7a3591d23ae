/* SPDX-License-Identifier: GPL-2.0-only */
/* Finds the boot loader's initrd through /chosen and mounts it at "/". */
#include <keel/boot.h>
#include <keel/errno.h>
#include <keel/fs.h>
#include <keel/log.h>
#include <libfdt.h>

/* linux,initrd-start/-end are one or two cells, whatever #address-cells. */
static bool read_chosen_address(const void *fdt, int chosen, const char *name,
				uint64_t *value)
{
	int len;
	const fdt32_t *cells = fdt_getprop(fdt, chosen, name, &len);

	if (!cells)
		return false;
	if (len == 4)
		*value = fdt32_to_cpu(cells[0]);
	else if (len == 8)
		*value = (uint64_t)fdt32_to_cpu(cells[0]) << 32 | fdt32_to_cpu(cells[1]);
	else
		return false;
	return true;
}

bool initrd_range(const void *fdt, hpa_t *start, hpa_t *end)
{
	int chosen = fdt_path_offset(fdt, "/chosen");

	if (chosen < 0)
		return false;
	if (!read_chosen_address(fdt, chosen, "linux,initrd-start", start) ||
	    !read_chosen_address(fdt, chosen, "linux,initrd-end", end))
		return false;
	return *end > *start;
}

void initrd_mount(const void *fdt)
{
	hpa_t start, end;
	int err;

	if (!initrd_range(fdt, &start, &end)) {
		log_info("initrd: none passed by the boot loader (no linux,initrd-start/end in /chosen); the image fs is empty");
		return;
	}
	err = fs_mount_cpio(hpa_to_ptr(start), end - start);
	if (err)
		return; /* fs_mount_cpio() said what was wrong. */
	log_info("initrd: %llu KiB at 0x%llx mounted read-only at /, %u entries",
		 (unsigned long long)((end - start) >> 10),
		 (unsigned long long)start, fs_node_count());
}
