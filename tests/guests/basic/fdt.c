/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A tiny flattened device tree reader: one pass over the structure block
 * collects /chosen/bootargs, the /memory ranges, the /cpus nodes (and their
 * timebase-frequency, where the platform states it there) and the
 * virtio-mmio nodes directly under / (where Keel and QEMU's arm64 virt put
 * them) or under /soc (QEMU's riscv64 virt, whose /soc maps its children
 * 1:1: its "ranges" is empty), so no "ranges" need translating. Every offset is checked against the blob's
 * own sizes first, so a broken DTB yields a message, never a read outside it.
 */
#include "basic.h"

#define FDT_MAGIC 0xd00dfeedU
#define FDT_HEADER_SIZE 40U
#define FDT_MAX_SIZE ((uint32_t)MiB(2))
#define FDT_MAX_DEPTH 16

#define FDT_BEGIN_NODE 1U
#define FDT_END_NODE 2U
#define FDT_PROP 3U
#define FDT_NOP 4U
#define FDT_END 9U

enum fdt_node { NODE_OTHER, NODE_ROOT, NODE_CHOSEN, NODE_MEMORY, NODE_CPUS,
		NODE_CPU, NODE_CPU1, NODE_SOC };

/*
 * The node directly under / whose properties are being read. Its properties
 * may come in any order, so it is judged at its FDT_END_NODE. The pointers
 * are into the blob, already checked to lie inside the structure block.
 */
struct fdt_root_child {
	uint32_t name;			/* offset of its name in the blob */
	bool virtio_mmio;		/* "compatible" lists "virtio,mmio" */
	bool disabled;			/* "status" is neither "okay" nor "ok" */
	const volatile uint8_t *reg;	/* NULL when it has none */
	uint32_t reg_len;
	const volatile uint8_t *interrupts;
	uint32_t interrupts_len;
};

struct fdt_walk {
	const volatile uint8_t *blob;
	uint32_t struct_end;		/* offsets from blob */
	uint32_t strings_off;
	uint32_t strings_size;
	uint32_t root_address_cells;
	uint32_t root_size_cells;
	uint32_t cpus_address_cells;
	uint32_t soc_address_cells;
	uint32_t soc_size_cells;
	enum fdt_node node[FDT_MAX_DEPTH + 1];
	unsigned int depth;
	struct fdt_root_child child;	/* valid while depth >= 2 */
	struct board *board;
};

static char fdt_error[160];
static char fdt_node_error[112];

static uint32_t fdt_be32(const volatile uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint32_t align4(uint32_t n)
{
	return (n + 3) & ~3U;
}

/* Reads `cells` (1 or 2) big-endian cells as one number. */
static uint64_t fdt_cells(const volatile uint8_t *p, uint32_t cells)
{
	uint64_t v = fdt_be32(p);

	if (cells == 2)
		v = v << 32 | fdt_be32(p + 4);
	return v;
}

/* Length of the NUL-terminated string at off, or -1 if it runs past end. */
static int64_t fdt_string_length(const struct fdt_walk *w, uint32_t off,
				 uint32_t end)
{
	for (uint32_t i = off; i < end; i++)
		if (!w->blob[i])
			return i - off;
	return -1;
}

static bool fdt_name_is(const struct fdt_walk *w, uint32_t off, uint32_t len,
			const char *name, bool unit_address_allowed)
{
	uint32_t i;

	for (i = 0; i < len && name[i]; i++)
		if (w->blob[off + i] != (uint8_t)name[i])
			return false;
	if (name[i])
		return false;
	return i == len || (unit_address_allowed && w->blob[off + i] == '@');
}

/* Whether the string list v (len bytes, as in "compatible") holds s. */
static bool fdt_string_list_has(const volatile uint8_t *v, uint32_t len,
				const char *s)
{
	uint32_t start = 0;

	while (start < len) {
		uint32_t i = 0;

		while (start + i < len && s[i] && v[start + i] == (uint8_t)s[i])
			i++;
		if (!s[i] && (start + i == len || !v[start + i]))
			return true;
		while (start < len && v[start])
			start++;
		start++;		/* past the NUL */
	}
	return false;
}

static enum fdt_node fdt_classify(const struct fdt_walk *w, uint32_t off,
				  uint32_t len)
{
	enum fdt_node parent = w->node[w->depth - 1];

	if (w->depth == 1)
		return NODE_ROOT;
	if (parent == NODE_ROOT) {
		if (fdt_name_is(w, off, len, "chosen", false))
			return NODE_CHOSEN;
		if (fdt_name_is(w, off, len, "memory", true))
			return NODE_MEMORY;
		if (fdt_name_is(w, off, len, "cpus", false))
			return NODE_CPUS;
		if (fdt_name_is(w, off, len, "soc", false))
			return NODE_SOC;
	}
	if (parent == NODE_CPUS && fdt_name_is(w, off, len, "cpu", true))
		return fdt_name_is(w, off, len, "cpu@1", false) ? NODE_CPU1 :
								  NODE_CPU;
	return NODE_OTHER;
}

static const char *fdt_read_reg(struct fdt_walk *w, const volatile uint8_t *v,
				uint32_t len)
{
	uint32_t ac = w->root_address_cells, sc = w->root_size_cells;
	uint32_t entry = (ac + sc) * 4;
	struct board *b = w->board;

	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return "/memory: #address-cells and #size-cells must be 1 or 2";
	if (len % entry)
		return "/memory: \"reg\" is not a whole number of entries";
	for (uint32_t i = 0; i < len; i += entry) {
		uint64_t base = fdt_cells(v + i, ac);
		uint64_t size = fdt_cells(v + i + ac * 4, sc);

		if (size && b->ram_count < BASIC_MAX_RAM_RANGES) {
			b->ram[b->ram_count].base = base;
			b->ram[b->ram_count].size = size;
			b->ram_count++;
		}
	}
	return NULL;
}

/* Whether the node being read may be a device: directly under / or
 * under /soc. */
static bool fdt_at_device(const struct fdt_walk *w)
{
	return w->depth == 2 || (w->depth == 3 && w->node[2] == NODE_SOC);
}

/* Remembers what a node under / says about itself as a device. */
static void fdt_root_child_property(struct fdt_walk *w, uint32_t name,
				    uint32_t name_len,
				    const volatile uint8_t *v, uint32_t len)
{
	struct fdt_root_child *c = &w->child;

	if (fdt_name_is(w, name, name_len, "compatible", false)) {
		c->virtio_mmio = fdt_string_list_has(v, len, "virtio,mmio");
	} else if (fdt_name_is(w, name, name_len, "status", false)) {
		c->disabled = !fdt_string_list_has(v, len, "okay") &&
			      !fdt_string_list_has(v, len, "ok");
	} else if (fdt_name_is(w, name, name_len, "reg", false)) {
		c->reg = v;
		c->reg_len = len;
	} else if (fdt_name_is(w, name, name_len, "interrupts", false)) {
		c->interrupts = v;
		c->interrupts_len = len;
	}
}

static const char *fdt_root_child_error(const struct fdt_walk *w,
					const char *why)
{
	/* The name was checked to end inside the structure block. */
	format_string(fdt_node_error, sizeof(fdt_node_error), "node /%s: %s",
		      (const char *)(uintptr_t)(w->blob + w->child.name), why);
	return fdt_node_error;
}

/* At the end of a node under /: records it when it is an enabled
 * virtio-mmio node. NULL or what is wrong with it. */
static const char *fdt_root_child_end(struct fdt_walk *w)
{
	const struct fdt_root_child *c = &w->child;
	bool in_soc = w->depth == 3;
	uint32_t ac = in_soc ? w->soc_address_cells : w->root_address_cells;
	uint32_t sc = in_soc ? w->soc_size_cells : w->root_size_cells;
	struct board *b = w->board;
	struct dt_device *d;

	if (!c->virtio_mmio || c->disabled)
		return NULL;
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return fdt_root_child_error(w, "#address-cells and #size-cells of / must be 1 or 2");
	if (!c->reg || c->reg_len < (ac + sc) * 4)
		return fdt_root_child_error(w, "\"reg\" is missing or shorter than one entry");
	if (c->interrupts_len % 4)
		return fdt_root_child_error(w, "\"interrupts\" is not a whole number of cells");
	if (b->virtio_mmio_count >= BASIC_MAX_VIRTIO_MMIO) {
		b->virtio_mmio_ignored++;
		return NULL;
	}
	d = &b->virtio_mmio[b->virtio_mmio_count++];
	d->base = fdt_cells(c->reg, ac);
	d->size = fdt_cells(c->reg + ac * 4, sc);
	d->interrupt_cells = c->interrupts_len / 4;
	for (uint32_t i = 0; i < ARRAY_SIZE(d->interrupt); i++)
		d->interrupt[i] = i < d->interrupt_cells ?
				  fdt_be32(c->interrupts + i * 4) : 0;
	return NULL;
}

static const char *fdt_property(struct fdt_walk *w, uint32_t name_off,
				const volatile uint8_t *v, uint32_t len)
{
	enum fdt_node node = w->node[w->depth];
	struct board *b = w->board;
	uint32_t name = w->strings_off + name_off;
	uint32_t strings_end = w->strings_off + w->strings_size;
	int64_t name_len;
	uint32_t i;

	if (name_off >= w->strings_size)
		return "property name offset outside the strings block";
	name_len = fdt_string_length(w, name, strings_end);
	if (name_len < 0)
		return "property name runs past the strings block";

	if (fdt_at_device(w))
		fdt_root_child_property(w, name, (uint32_t)name_len, v, len);
	if (node == NODE_SOC) {
		if (fdt_name_is(w, name, (uint32_t)name_len, "#address-cells", false) && len == 4)
			w->soc_address_cells = fdt_be32(v);
		if (fdt_name_is(w, name, (uint32_t)name_len, "#size-cells", false) && len == 4)
			w->soc_size_cells = fdt_be32(v);
	}
	if (node == NODE_ROOT || node == NODE_CPUS) {
		bool address = fdt_name_is(w, name, (uint32_t)name_len,
					   "#address-cells", false);
		bool size = fdt_name_is(w, name, (uint32_t)name_len,
					"#size-cells", false);

		if ((address || size) && len != 4)
			return "#address-cells/#size-cells must be one cell";
		if (node == NODE_CPUS &&
		    fdt_name_is(w, name, (uint32_t)name_len, "timebase-frequency", false)) {
			if (len != 4 && len != 8)
				return "/cpus: \"timebase-frequency\" must be one or two cells";
			b->timebase_hz = fdt_cells(v, len / 4);
		}
		if (node == NODE_CPUS && address)
			w->cpus_address_cells = fdt_be32(v);
		else if (address)
			w->root_address_cells = fdt_be32(v);
		else if (size && node == NODE_ROOT)
			w->root_size_cells = fdt_be32(v);
	} else if (node == NODE_CHOSEN &&
		   fdt_name_is(w, name, (uint32_t)name_len, "bootargs", false)) {
		for (i = 0; i < len && i + 1 < sizeof(b->bootargs) && v[i]; i++)
			b->bootargs[i] = (char)v[i];
		b->bootargs[i] = '\0';
	} else if (node == NODE_MEMORY &&
		   fdt_name_is(w, name, (uint32_t)name_len, "reg", false)) {
		return fdt_read_reg(w, v, len);
	} else if ((node == NODE_CPU || node == NODE_CPU1) && !b->cpu_isa[0] &&
		   fdt_name_is(w, name, (uint32_t)name_len, "riscv,isa", false)) {
		for (i = 0; i < len && i + 1 < sizeof(b->cpu_isa) && v[i]; i++)
			b->cpu_isa[i] = (char)v[i];
		b->cpu_isa[i] = '\0';
	} else if (node == NODE_CPU1 &&
		   fdt_name_is(w, name, (uint32_t)name_len, "reg", false)) {
		if (w->cpus_address_cells < 1 || w->cpus_address_cells > 2 ||
		    len < w->cpus_address_cells * 4)
			return "/cpus/cpu@1: \"reg\" does not match #address-cells";
		b->cpu1_reg = fdt_cells(v, w->cpus_address_cells);
		b->have_cpu1_reg = true;
	}
	return NULL;
}

/* Walks the structure block; NULL or what is wrong, with its offset. */
static const char *fdt_walk_structure(struct fdt_walk *w, uint32_t off)
{
	const char *why;

	while (off + 4 <= w->struct_end) {
		uint32_t token = fdt_be32(w->blob + off);
		uint32_t at = off;
		int64_t len;

		off += 4;
		switch (token) {
		case FDT_BEGIN_NODE:
			len = fdt_string_length(w, off, w->struct_end);
			if (len < 0)
				why = "node name runs past the structure block";
			else if (w->depth >= FDT_MAX_DEPTH)
				why = "nodes nested too deeply";
			else
				why = NULL;
			if (why)
				goto err;
			w->depth++;
			w->node[w->depth] = fdt_classify(w, off, (uint32_t)len);
			if (w->node[w->depth] == NODE_CPU ||
			    w->node[w->depth] == NODE_CPU1)
				w->board->cpu_count++;
			if (fdt_at_device(w)) {
				memset(&w->child, 0, sizeof(w->child));
				w->child.name = off;
			}
			off += align4((uint32_t)len + 1);
			break;
		case FDT_END_NODE:
			if (!w->depth) {
				why = "FDT_END_NODE without a node";
				goto err;
			}
			if (fdt_at_device(w)) {
				why = fdt_root_child_end(w);
				if (why)
					goto err;
			}
			w->depth--;
			break;
		case FDT_PROP:
			if (w->struct_end - off < 8) {
				why = "property header runs past the structure block";
				goto err;
			}
			len = fdt_be32(w->blob + off);
			if (len > w->struct_end - off - 8) {
				why = "property value runs past the structure block";
				goto err;
			}
			if (!w->depth) {
				why = "property outside any node";
				goto err;
			}
			why = fdt_property(w, fdt_be32(w->blob + off + 4),
					   w->blob + off + 8, (uint32_t)len);
			if (why)
				goto err;
			off += 8 + align4((uint32_t)len);
			break;
		case FDT_NOP:
			break;
		case FDT_END:
			if (w->depth) {
				why = "FDT_END inside a node";
				goto err;
			}
			return NULL;
		default:
			why = "unknown token";
			goto err;
		}
		continue;
err:
		format_string(fdt_error, sizeof(fdt_error),
			      "%s (token 0x%x at offset 0x%x)", why, token, at);
		return fdt_error;
	}
	return "structure block ends without FDT_END";
}

const char *fdt_read_board(uintptr_t dtb, struct board *b)
{
	const volatile uint8_t *blob = (const volatile uint8_t *)dtb;
	uint32_t magic, size, struct_off, struct_size, version;
	struct fdt_walk w = { 0 };
	const char *why;

	if (!dtb)
		return "no DTB address in x0";
	if (dtb & 7)
		return "not 8-byte aligned";
	magic = fdt_be32(blob);
	if (magic != FDT_MAGIC) {
		format_string(fdt_error, sizeof(fdt_error),
			      "bad magic 0x%x (expected 0xd00dfeed)", magic);
		return fdt_error;
	}
	size = fdt_be32(blob + 4);
	struct_off = fdt_be32(blob + 8);
	w.strings_off = fdt_be32(blob + 12);
	version = fdt_be32(blob + 20);
	w.strings_size = fdt_be32(blob + 32);
	struct_size = fdt_be32(blob + 36);
	if (size < FDT_HEADER_SIZE || size > FDT_MAX_SIZE) {
		format_string(fdt_error, sizeof(fdt_error),
			      "totalsize %u outside %u..%u", size,
			      FDT_HEADER_SIZE, FDT_MAX_SIZE);
		return fdt_error;
	}
	if (version < 17) {
		format_string(fdt_error, sizeof(fdt_error),
			      "version %u, need 17", version);
		return fdt_error;
	}
	if (struct_off > size || struct_size > size - struct_off ||
	    (struct_off & 3) || w.strings_off > size ||
	    w.strings_size > size - w.strings_off)
		return "structure or strings block outside totalsize";

	b->dtb = dtb;
	b->dtb_size = size;
	w.blob = blob;
	w.struct_end = struct_off + struct_size;
	w.root_address_cells = 2;
	w.root_size_cells = 1;
	w.cpus_address_cells = 2;
	w.soc_address_cells = 2;
	w.soc_size_cells = 1;
	w.board = b;
	why = fdt_walk_structure(&w, struct_off);
	if (why)
		return why;
	if (!b->ram_count)
		return "no /memory node with a non-empty \"reg\"";
	return NULL;
}
