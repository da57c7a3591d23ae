/* SPDX-License-Identifier: GPL-2.0-only */
/* Checked reading of untrusted property values (keel/devtree_props.h). */
#include <keel/devtree_props.h>
#include <lib/format.h>
#include <libfdt.h>
#include <string.h>

bool devtree_value_is_string(const void *value, int len)
{
	if (!value || len < 1)
		return false;
	return memchr(value, '\0', (size_t)len) == (const char *)value + len - 1;
}

bool devtree_value_is_stringlist(const void *value, int len)
{
	const char *bytes = value;
	int i;

	if (!value || len < 2 || bytes[len - 1] != '\0' || bytes[0] == '\0')
		return false;
	for (i = 1; i < len; i++) {
		if (bytes[i] == '\0' && bytes[i - 1] == '\0')
			return false; /* an empty string in the list */
	}
	return true;
}

const char *devtree_stringlist_at(const void *value, int len,
				  unsigned int index)
{
	const char *bytes = value;
	int offset = 0;

	while (offset < len) {
		size_t n = strnlen(bytes + offset, (size_t)(len - offset));

		if (index-- == 0)
			return bytes + offset;
		offset += (int)n + 1;
	}
	return NULL;
}

uint64_t devtree_cells_to_u64(const fdt32_t *cells, unsigned int count)
{
	uint64_t value = 0;
	unsigned int i;

	for (i = 0; i < count && i < 2; i++)
		value = (value << 32) | fdt32_ld(&cells[i]);
	return value;
}

void devtree_copy_printable(char *dst, size_t dst_len, const void *src,
			    int len)
{
	const char *bytes = src;
	size_t n = 0;

	if (!dst || dst_len == 0)
		return;
	while (bytes && len > 0 && n < (size_t)len && n + 1 < dst_len &&
	       bytes[n] != '\0') {
		char c = bytes[n];

		dst[n++] = (c >= 0x20 && c < 0x7f) ? c : '?';
	}
	dst[n] = '\0';
}

void devtree_node_path(const void *fdt, int node, char *buf, size_t buf_len)
{
	const char *name;
	int len;

	if (!buf || buf_len == 0)
		return;
	if (buf_len <= (size_t)__INT_MAX__ &&
	    fdt_get_path(fdt, node, buf, (int)buf_len) == 0)
		return;
	name = fdt_get_name(fdt, node, &len);
	if (!name) {
		fmt_snprintf(buf, buf_len, "?");
		return;
	}
	fmt_snprintf(buf, buf_len, ".../");
	if (buf_len > 4)
		devtree_copy_printable(buf + 4, buf_len - 4, name, len);
}
