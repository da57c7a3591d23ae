/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers over libfdt for the host device tree and guest trees alike. */
#ifndef KEEL_DEVTREE_H
#define KEEL_DEVTREE_H

#include <keel/types.h>

/* Deeper trees are not real device trees; the limit keeps walks bounded. */
#define DEVTREE_MAX_DEPTH 32

/* Validates a whole tree held in a buffer of buffer_size bytes: header,
 * nesting, tags and names all in bounds. Returns 0 or a -FDT_ERR_* code. */
int devtree_check_full(const void *fdt, size_t buffer_size);

/* The host device tree handed over by the boot loader (validated). */
const void *devtree_host(void);
void devtree_set_host(const void *fdt);

/* Reads entry `index` of node's "reg" using the parent's #address-cells and
 * #size-cells. Returns 0, -KEEL_ENOENT (no such entry) or -KEEL_EINVAL. */
int devtree_read_reg(const void *fdt, int node, int index, uint64_t *addr,
		     uint64_t *size);
/* Reads a 1- or 2-cell integer property. */
int devtree_read_u64(const void *fdt, int node, const char *prop,
		     uint64_t *value);
int devtree_read_u32(const void *fdt, int node, const char *prop,
		     uint32_t *value);
/* Resolves /chosen/stdout-path (or an alias) to a node offset. */
int devtree_stdout_node(const void *fdt);
/* True when node has status "okay"/"ok" or no status property. */
bool devtree_node_enabled(const void *fdt, int node);

/* Prints the subtree at path as device-tree source, through kprintf. */
int devtree_print(const void *fdt, const char *path);

#endif
