/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading a guest node's properties: the checked readers and the one
 * message each refusal writes (guest_config_internal.h).
 */
#include <lib/format.h>
#include <libfdt.h>
#include <string.h>

#include "guest_config_internal.h"

int guest_config_error(struct guest_parse *p, int node, const char *fmt, ...)
{
	char path[GUEST_CONFIG_PATH_MAX];
	int len;

	if (!p->err || p->err_len == 0)
		return -KEEL_EINVAL;
	devtree_node_path(p->fdt, node, path, sizeof(path));
	len = fmt_snprintf(p->err, p->err_len, "guest %pE: node %s: ", p->name,
			   path);
	if (len >= 0 && (size_t)len < p->err_len) {
		va_list ap;

		va_start(ap, fmt);
		fmt_vsnprintf(p->err + len, p->err_len - (size_t)len, fmt, ap);
		va_end(ap);
	}
	return -KEEL_EINVAL;
}

/* ---- names, properties and subnodes ---- */

bool guest_config_name_valid(const char *name, int len)
{
	int i;

	if (len < 1 || len > GUEST_NAME_MAX - 1 || !(name[0] >= 'a' && name[0] <= 'z'))
		return false;
	for (i = 1; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

int guest_config_known_index(const char *name,
			     const char *const *known, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		if (!strcmp(name, known[i]))
			return (int)i;
	}
	return -1;
}

int guest_config_check_props(struct guest_parse *p, int node,
			     const char *const *known,
			     unsigned int count, bool allow_others)
{
	uint32_t seen = 0;
	int prop;

	fdt_for_each_property_offset(prop, p->fdt, node) {
		const char *name;
		char shown[GUEST_NAME_MAX];
		int len, index;

		if (!fdt_getprop_by_offset(p->fdt, prop, &name, &len) || !name)
			return guest_config_error(p, node, "a property cannot be read");
		index = guest_config_known_index(name, known, count);
		if (index < 0 && allow_others)
			continue;
		devtree_copy_printable(shown, sizeof(shown), name,
				       (int)strnlen(name, sizeof(shown)));
		if (index < 0)
			return guest_config_error(p, node,
						  "unknown property \"%s\" (see docs/guest-binding.md)",
						  shown);
		if (seen & (1U << index))
			return guest_config_error(p, node,
						  "property \"%s\" appears twice",
						  shown);
		seen |= 1U << index;
	}
	if (prop != -FDT_ERR_NOTFOUND)
		return guest_config_error(p, node, "properties cannot be read");
	return 0;
}

int guest_config_no_subnodes(struct guest_parse *p, int node)
{
	int sub = fdt_first_subnode(p->fdt, node);

	if (sub >= 0)
		return guest_config_error(p, sub, "unexpected node: its parent takes no subnodes");
	if (sub != -FDT_ERR_NOTFOUND)
		return guest_config_error(p, node, "subnodes cannot be read");
	return 0;
}

int guest_config_check_cells(struct guest_parse *p, int node)
{
	static const char *const names[] = { "#address-cells", "#size-cells" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		bool present;
		uint32_t cells;
		int err;

		err = guest_config_read_u32(p, node, names[i], &present, &cells);
		if (err)
			return err;
		if (present && cells != 2)
			return guest_config_error(p, node,
						  "\"%s\" must be 2 when present; found %u",
						  names[i], cells);
	}
	return 0;
}

/* ---- typed values; absent is not an error here ---- */

int guest_config_read_u32(struct guest_parse *p, int node,
			  const char *prop, bool *present,
			  uint32_t *value)
{
	const fdt32_t *cell;
	int len;

	*present = false;
	cell = fdt_getprop(p->fdt, node, prop, &len);
	if (!cell) {
		if (len == -FDT_ERR_NOTFOUND)
			return 0;
		return guest_config_error(p, node, "\"%s\" cannot be read", prop);
	}
	if (len != (int)sizeof(*cell))
		return guest_config_error(p, node,
					  "\"%s\" must be one 32-bit cell; found %d bytes",
					  prop, len);
	*value = fdt32_ld(cell);
	*present = true;
	return 0;
}

int guest_config_read_addr(struct guest_parse *p, int node,
			   const char *prop, bool *present,
			   uint64_t *value)
{
	const fdt32_t *cells;
	int len;

	*present = false;
	cells = fdt_getprop(p->fdt, node, prop, &len);
	if (!cells) {
		if (len == -FDT_ERR_NOTFOUND)
			return 0;
		return guest_config_error(p, node, "\"%s\" cannot be read", prop);
	}
	if (len != 2 * (int)sizeof(*cells))
		return guest_config_error(p, node,
					  "\"%s\" must be 2 cells (a 64-bit address); found %d bytes",
					  prop, len);
	*value = devtree_cells_to_u64(cells, 2);
	*present = true;
	return 0;
}

int guest_config_read_string(struct guest_parse *p, int node,
			     const char *prop, bool *present, char *dst,
			     size_t size)
{
	const char *value;
	size_t n;
	int len;

	*present = false;
	value = fdt_getprop(p->fdt, node, prop, &len);
	if (!value) {
		if (len == -FDT_ERR_NOTFOUND)
			return 0;
		return guest_config_error(p, node, "\"%s\" cannot be read", prop);
	}
	if (!devtree_value_is_string(value, len))
		return guest_config_error(p, node,
					  "\"%s\" must be one NUL-terminated string; found %d bytes that are not",
					  prop, len);
	n = (size_t)len - 1;
	if (n >= size)
		return guest_config_error(p, node,
					  "\"%s\" is %zu characters long; at most %zu allowed",
					  prop, n, size - 1);
	memcpy(dst, value, n + 1);
	*present = true;
	return 0;
}

/* ---- guest-physical ranges ---- */


bool guest_config_ranges_overlap(uint64_t a_base, uint64_t a_size,
				 uint64_t b_base, uint64_t b_size)
{
	/* Both ranges were checked not to wrap; platform ranges saturate. */
	uint64_t a_end = a_base + a_size, b_end = b_base + b_size;

	if (b_end < b_base)
		b_end = UINT64_MAX;
	return a_base < b_end && b_base < a_end;
}

int guest_config_check_range(struct guest_parse *p, int node,
			     int entry, uint64_t base, uint64_t size)
{
	char what[24] = "\"reg\"";
	unsigned int i;

	if (entry >= 0)
		fmt_snprintf(what, sizeof(what), "\"reg\" entry %d", entry);
	if (size == 0)
		return guest_config_error(p, node, "%s: size must not be 0", what);
	if (base >= p->ipa_limit || size > p->ipa_limit - base)
		return guest_config_error(p, node,
					  "%s: base 0x%llx size 0x%llx goes beyond the %u-bit guest-physical space",
					  what, (unsigned long long)base,
					  (unsigned long long)size,
					  p->platform->ipa_bits);
	for (i = 0; i < p->platform->range_count; i++) {
		const struct guest_platform_range *r = &p->platform->ranges[i];

		if (guest_config_ranges_overlap(base, size, r->base, r->size))
			return guest_config_error(p, node,
						  "%s: [0x%llx, 0x%llx) overlaps the %s at [0x%llx, 0x%llx)",
						  what, (unsigned long long)base,
						  (unsigned long long)(base + size),
						  r->name, (unsigned long long)r->base,
						  (unsigned long long)(r->base + r->size));
	}
	return 0;
}
