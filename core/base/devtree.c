/* SPDX-License-Identifier: GPL-2.0-only */
/* Device-tree helpers over libfdt: reg decoding, stdout-path, source dump. */
#include <keel/devtree.h>
#include <keel/errno.h>
#include <keel/log.h>
#include <libfdt.h>
#include <string.h>

static const void *devtree_host_fdt;

const void *devtree_host(void)
{
	return devtree_host_fdt;
}

/* Maps a libfdt error (negative FDT_ERR_*) to a Keel error. */
static int devtree_error(int fdt_err)
{
	if (fdt_err == -FDT_ERR_NOTFOUND)
		return -KEEL_ENOENT;
	return -KEEL_EINVAL;
}

/* Checks the header and the structure; returns 0 or a libfdt error. */
static int devtree_check(const void *fdt)
{
	if (!fdt)
		return -FDT_ERR_BADMAGIC;
	return devtree_check_full(fdt, fdt_totalsize(fdt));
}

void devtree_set_host(const void *fdt)
{
	int err;

	devtree_host_fdt = NULL;
	if (!fdt)
		return;
	err = devtree_check(fdt);
	if (err) {
		log_error("devtree: host device tree at %p is invalid: %s", fdt,
			  fdt_strerror(err));
		return;
	}
	devtree_host_fdt = fdt;
}

/* Reads #address-cells or #size-cells of parent, with the spec's default. */
static int devtree_parent_cells(const void *fdt, int parent, const char *name,
				uint32_t fallback, uint32_t *cells)
{
	const fdt32_t *prop;
	int len;

	prop = fdt_getprop(fdt, parent, name, &len);
	if (!prop) {
		if (len != -FDT_ERR_NOTFOUND)
			return -KEEL_EINVAL;
		*cells = fallback;
		return 0;
	}
	if (len != sizeof(*prop))
		return -KEEL_EINVAL;
	*cells = fdt32_to_cpu(*prop);
	return 0;
}

/* Folds 0..2 big-endian cells into one value. */
static uint64_t devtree_cells_value(const fdt32_t *cells, uint32_t count)
{
	uint64_t value = 0;
	uint32_t i;

	for (i = 0; i < count; i++)
		value = (value << 32) | fdt32_to_cpu(cells[i]);
	return value;
}

int devtree_read_reg(const void *fdt, int node, int index, uint64_t *addr,
		     uint64_t *size)
{
	uint32_t address_cells, size_cells, entry_cells;
	const fdt32_t *reg;
	int parent, len, err;

	if (!fdt || node < 0 || index < 0)
		return -KEEL_EINVAL;
	parent = fdt_parent_offset(fdt, node);
	if (parent < 0)
		return -KEEL_EINVAL; /* the root has no parent bus */
	err = devtree_parent_cells(fdt, parent, "#address-cells", 2,
				   &address_cells);
	if (err)
		return err;
	err = devtree_parent_cells(fdt, parent, "#size-cells", 1, &size_cells);
	if (err)
		return err;
	/* A value must fit in 64 bits; a reg needs at least an address. */
	if (address_cells < 1 || address_cells > 2 || size_cells > 2)
		return -KEEL_EINVAL;

	reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg)
		return devtree_error(len);
	entry_cells = address_cells + size_cells;
	if (len % (int)(entry_cells * sizeof(*reg)))
		return -KEEL_EINVAL;
	if (index >= len / (int)(entry_cells * sizeof(*reg)))
		return -KEEL_ENOENT;

	reg += (uint32_t)index * entry_cells;
	if (addr)
		*addr = devtree_cells_value(reg, address_cells);
	if (size)
		*size = devtree_cells_value(reg + address_cells, size_cells);
	return 0;
}

int devtree_read_u64(const void *fdt, int node, const char *prop,
		     uint64_t *value)
{
	const fdt32_t *cells;
	int len;

	if (!fdt || node < 0 || !prop)
		return -KEEL_EINVAL;
	cells = fdt_getprop(fdt, node, prop, &len);
	if (!cells)
		return devtree_error(len);
	if (len != 4 && len != 8)
		return -KEEL_EINVAL;
	*value = devtree_cells_value(cells, (uint32_t)len / 4);
	return 0;
}

int devtree_read_u32(const void *fdt, int node, const char *prop,
		     uint32_t *value)
{
	const fdt32_t *cell;
	int len;

	if (!fdt || node < 0 || !prop)
		return -KEEL_EINVAL;
	cell = fdt_getprop(fdt, node, prop, &len);
	if (!cell)
		return devtree_error(len);
	if (len != sizeof(*cell))
		return -KEEL_EINVAL;
	*value = fdt32_to_cpu(*cell);
	return 0;
}

int devtree_stdout_node(const void *fdt)
{
	const char *path, *colon;
	int chosen, len, node;

	if (!fdt)
		return -KEEL_ENOENT;
	chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen < 0)
		return devtree_error(chosen);
	path = fdt_getprop(fdt, chosen, "stdout-path", &len);
	if (!path)
		path = fdt_getprop(fdt, chosen, "linux,stdout-path", &len);
	if (!path)
		return devtree_error(len);
	/* The value is a string; never trust it to be terminated. */
	if (len < 1 || !memchr(path, '\0', (size_t)len))
		return -KEEL_EINVAL;

	/* "serial0:115200n8": the options after ':' are the UART's business. */
	colon = strchr(path, ':');
	len = colon ? (int)(colon - path) : (int)strlen(path);
	if (len == 0)
		return -KEEL_EINVAL;
	/* A path that does not start with '/' names an alias; libfdt follows
	 * it for us. */
	node = fdt_path_offset_namelen(fdt, path, len);
	if (node < 0)
		return devtree_error(node);
	return node;
}

bool devtree_node_enabled(const void *fdt, int node)
{
	const char *status;
	int len;

	if (!fdt || node < 0)
		return false;
	status = fdt_getprop(fdt, node, "status", &len);
	if (!status)
		return true;
	/* Compare with the terminator so "okay-ish" is not okay. */
	return (len == sizeof("okay") && !memcmp(status, "okay", sizeof("okay"))) ||
	       (len == sizeof("ok") && !memcmp(status, "ok", sizeof("ok")));
}

/* ---- printing as device-tree source ---- */

static bool devtree_char_printable(char c)
{
	return c >= 0x20 && c < 0x7f;
}

/* dtc's rule: one or more non-empty printable strings, each terminated. */
static bool devtree_value_is_strings(const char *value, int len)
{
	int i;

	if (len < 2 || value[len - 1] != '\0' || value[0] == '\0')
		return false;
	for (i = 0; i < len - 1; i++) {
		if (value[i] == '\0') {
			if (value[i + 1] == '\0')
				return false; /* an empty string */
		} else if (!devtree_char_printable(value[i])) {
			return false;
		}
	}
	return true;
}

static void devtree_print_indent(int depth)
{
	static const char tabs[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";

	while (depth > 0) {
		int n = MIN(depth, (int)sizeof(tabs) - 1);

		kprintf("%.*s", n, tabs);
		depth -= n;
	}
}

/* Prints one string, escaping what would end or confuse the quoted form. */
static void devtree_print_string(const char *s, int len)
{
	int start = 0, i;

	kprintf("\"");
	for (i = 0; i < len; i++) {
		if (s[i] != '"' && s[i] != '\\')
			continue;
		kprintf("%.*s\\%c", i - start, s + start, s[i]);
		start = i + 1;
	}
	kprintf("%.*s\"", len - start, s + start);
}

static void devtree_print_value(const void *value, int len)
{
	const char *bytes = value;
	int i;

	if (len == 0)
		return;
	kprintf(" = ");
	if (devtree_value_is_strings(bytes, len)) {
		for (i = 0; i < len;) {
			int n = (int)strlen(bytes + i);

			if (i)
				kprintf(", ");
			devtree_print_string(bytes + i, n);
			i += n + 1;
		}
	} else if (len % 4 == 0) {
		const fdt32_t *cells = value;

		kprintf("<");
		for (i = 0; i < len / 4; i++)
			kprintf("%s0x%x", i ? " " : "", fdt32_to_cpu(cells[i]));
		kprintf(">");
	} else {
		kprintf("[");
		for (i = 0; i < len; i++)
			kprintf("%s%02x", i ? " " : "", (unsigned char)bytes[i]);
		kprintf("]");
	}
}

/* Opens a node and prints its properties; returns 0 or a libfdt error. */
static int devtree_print_node(const void *fdt, int node, int depth)
{
	const char *name;
	int prop, len;

	/* Open the node even when its name is unreadable: the caller closes
	 * every node it asked to open. */
	name = fdt_get_name(fdt, node, &len);
	devtree_print_indent(depth);
	kprintf("%s {\n", !name ? "?" : len ? name : "/");
	if (!name)
		return len;

	fdt_for_each_property_offset(prop, fdt, node) {
		const char *prop_name;
		const void *value;

		value = fdt_getprop_by_offset(fdt, prop, &prop_name, &len);
		if (!value)
			return len;
		devtree_print_indent(depth + 1);
		kprintf("%s", prop_name);
		devtree_print_value(value, len);
		kprintf(";\n");
	}
	if (prop != -FDT_ERR_NOTFOUND)
		return prop;
	return 0;
}

static void devtree_print_close(int depth)
{
	devtree_print_indent(depth);
	kprintf("};\n");
}

int devtree_print(const void *fdt, const char *path)
{
	int start, node, depth = 0, open_depth = 0, err;

	if (!path || !*path)
		path = "/";
	if (!fdt) {
		kprintf("no device tree to print\n");
		return -KEEL_ENOENT;
	}
	err = fdt_check_header(fdt);
	if (err) {
		kprintf("device tree is invalid: %s\n", fdt_strerror(err));
		return -KEEL_EIO;
	}
	start = fdt_path_offset(fdt, path);
	if (start < 0) {
		if (start == -FDT_ERR_NOTFOUND || start == -FDT_ERR_BADPATH) {
			kprintf("%s: no such node in the device tree\n", path);
			return -KEEL_ENOENT;
		}
		kprintf("%s: cannot look up: %s\n", path, fdt_strerror(start));
		return -KEEL_EIO;
	}

	/*
	 * Walk the subtree in structure order with fdt_next_node(): properties
	 * come before subnodes in a flattened tree, so each node is complete
	 * before its first child is reached, and no recursion is needed.
	 */
	node = start;
	err = devtree_print_node(fdt, node, 0);
	while (!err) {
		node = fdt_next_node(fdt, node, &depth);
		if (node < 0 || depth <= 0) {
			if (node < 0 && node != -FDT_ERR_NOTFOUND)
				err = node;
			break;
		}
		if (depth > DEVTREE_MAX_DEPTH) {
			err = -FDT_ERR_BADSTRUCTURE;
			break;
		}
		/* Close every node that ended before this one began. */
		while (open_depth >= depth)
			devtree_print_close(open_depth--);
		kprintf("\n");
		err = devtree_print_node(fdt, node, depth);
		open_depth = depth;
	}
	while (open_depth >= 0)
		devtree_print_close(open_depth--);
	if (err) {
		kprintf("%s: device tree is corrupt: %s\n", path,
			fdt_strerror(err));
		return -KEEL_EIO;
	}
	return 0;
}
