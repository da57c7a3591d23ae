/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A full structural check of a flattened device tree, done once when a tree
 * is accepted so that later walks can trust it: every tag in bounds, nodes
 * properly nested under one root, every property name inside the strings
 * block. (Debian's libfdt copy does not ship fdt_check_full().)
 */
#include <keel/devtree.h>
#include <libfdt.h>


static int check_property(const void *fdt, int offset)
{
	int len, name_len;
	const struct fdt_property *prop = fdt_get_property_by_offset(fdt, offset, &len);

	if (!prop)
		return len;
	if (!fdt_get_string(fdt, (int)fdt32_to_cpu(prop->nameoff), &name_len))
		return -FDT_ERR_BADSTRUCTURE;
	return 0;
}

int devtree_check_full(const void *fdt, size_t buffer_size)
{
	int offset = 0, next, depth = 0, err;
	bool root_done = false;

	/* The header itself must be there before libfdt reads it. */
	if (buffer_size < sizeof(struct fdt_header))
		return -FDT_ERR_TRUNCATED;
	err = fdt_check_header(fdt);
	if (err)
		return err;
	if (fdt_totalsize(fdt) > buffer_size)
		return -FDT_ERR_TRUNCATED;
	/* libfdt reads the blocks with aligned loads. */
	if (fdt_off_dt_struct(fdt) % sizeof(fdt32_t) ||
	    fdt_off_mem_rsvmap(fdt) % sizeof(fdt64_t))
		return -FDT_ERR_ALIGNMENT;
	for (;;) {
		uint32_t tag = fdt_next_tag(fdt, offset, &next);

		if (next < 0)
			return next;
		/* A property length that wraps makes this libfdt step back or
		 * stand still: that would loop for ever. */
		if (next <= offset)
			return -FDT_ERR_BADSTRUCTURE;
		switch (tag) {
		case FDT_BEGIN_NODE:
			if (root_done || ++depth > DEVTREE_MAX_DEPTH)
				return -FDT_ERR_BADSTRUCTURE;
			break;
		case FDT_END_NODE:
			if (--depth < 0)
				return -FDT_ERR_BADSTRUCTURE;
			if (depth == 0)
				root_done = true;
			break;
		case FDT_PROP:
			if (depth == 0)
				return -FDT_ERR_BADSTRUCTURE;
			err = check_property(fdt, offset);
			if (err)
				return err;
			break;
		case FDT_NOP:
			break;
		case FDT_END:
			return depth == 0 && root_done ? 0 : -FDT_ERR_BADSTRUCTURE;
		default:
			return -FDT_ERR_BADSTRUCTURE;
		}
		offset = next;
	}
}
