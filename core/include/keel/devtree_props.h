/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Checked reading of property values from device trees Keel does not
 * trust (guest nodes): strings that may lack their terminator, cells read
 * without assuming alignment, and names and paths made safe for messages.
 */
#ifndef KEEL_DEVTREE_PROPS_H
#define KEEL_DEVTREE_PROPS_H

#include <keel/types.h>
#include <libfdt_env.h>

/* True when value[0..len) is exactly one string: its only NUL is the last
 * byte. The empty string ("", len 1) counts. */
bool devtree_value_is_string(const void *value, int len);

/* True when value[0..len) is one or more non-empty strings, each
 * terminated, filling it exactly ("a\0b\0"). */
bool devtree_value_is_stringlist(const void *value, int len);

/* The index-th string of a list already checked with
 * devtree_value_is_stringlist(), or NULL past the end. */
const char *devtree_stringlist_at(const void *value, int len,
				  unsigned int index);

/* Folds count (0..2) big-endian cells, aligned or not, into one value. */
uint64_t devtree_cells_to_u64(const fdt32_t *cells, unsigned int count);

/*
 * Copies untrusted bytes into a message buffer, escaped as "%pE" does
 * (fmt_escape()): stops at the first NUL, at len bytes or when dst is full.
 * dst is always terminated (dst_len > 0).
 */
void devtree_copy_printable(char *dst, size_t dst_len, const void *src,
			    int len);

/* Writes node's full path into buf (always terminated, buf_len > 0),
 * escaped as "%pE" does (node names are guest data); a path too long for
 * buf is shortened to ".../<node name>". */
void devtree_node_path(const void *fdt, int node, char *buf, size_t buf_len);

#endif
