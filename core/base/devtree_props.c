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
	fmt_escape(dst, dst_len, src, len > 0 ? (size_t)len : 0);
}

/* Escapes the terminated text in buf in place, as fmt_escape() would;
 * false (buf unchanged) when the escaped text does not fit buf_len. */
static bool devtree_escape_in_place(char *buf, size_t buf_len)
{
	size_t len = strlen(buf), escaped = 0;
	char one[2] = { 0, 0 }, esc[5];

	for (size_t i = 0; i < len; i++) {
		one[0] = buf[i];
		escaped += fmt_escape(esc, sizeof(esc), one, 1);
	}
	if (escaped >= buf_len)
		return false;
	/* From the end: an escape is never shorter than its byte, so what
	 * is written never overtakes what is still to be read. */
	buf[escaped] = '\0';
	for (size_t i = len; i-- > 0;) {
		size_t n;

		one[0] = buf[i];
		n = fmt_escape(esc, sizeof(esc), one, 1);
		escaped -= n;
		memcpy(buf + escaped, esc, n);
	}
	return true;
}

void devtree_node_path(const void *fdt, int node, char *buf, size_t buf_len)
{
	const char *name;
	int len;

	if (!buf || buf_len == 0)
		return;
	if (buf_len <= (size_t)__INT_MAX__ &&
	    fdt_get_path(fdt, node, buf, (int)buf_len) == 0 &&
	    devtree_escape_in_place(buf, buf_len))
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
