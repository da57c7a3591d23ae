/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of guest node parsing (core/guest/guest_config.c): good nodes
 * give the values they describe, and each bad node is refused with one
 * message naming the guest, the node and the property. Trees are built
 * here with libfdt's read-write API, one edit of a good tree per case.
 */
#include <stdio.h>
#include <string.h>

#include <keel/config_options.h>
#include <keel/devtree.h>
#include <keel/emu.h>
#include <keel/errno.h>
#include <keel/guest_config.h>
#include <libfdt.h>
#include <arch/guest_platform.h>

#include "unit.h"

/* ---- emulators only these tests use ---- */

static int test_checked_validate(const void *fdt, int node,
				 struct guest_device_config *dev, char *err,
				 size_t err_len)
{
	const char *mode;
	int len;

	mode = fdt_getprop(fdt, node, "test-mode", &len);
	if (!mode || len != 3 || memcmp(mode, "on", 3)) {
		snprintf(err, err_len, "\"test-mode\" must be \"on\"");
		return -KEEL_EINVAL;
	}
	return 0;
}

EMULATOR_DEFINE(test_dev, .name = "testdev", .compatible = "test,dev");
EMULATOR_DEFINE(test_checked, .name = "testchecked",
		.compatible = "test,checked",
		.validate = test_checked_validate);

/* ---- building trees ---- */

static unsigned char tree[65536] __attribute__((aligned(8)));

/* The node at path, made (with its parents) when missing. */
static int tree_node(const char *path)
{
	char part[128];
	int node = 0;

	while (*path == '/')
		path++;
	while (*path && node >= 0) {
		size_t n = strcspn(path, "/");
		int sub;

		snprintf(part, sizeof(part), "%.*s", (int)n, path);
		sub = fdt_subnode_offset(tree, node, part);
		node = sub >= 0 ? sub : fdt_add_subnode(tree, node, part);
		path += n;
		while (*path == '/')
			path++;
	}
	return node;
}

static void tree_bytes(const char *path, const char *prop, const void *value,
		       int len)
{
	CHECK_EQ(fdt_setprop(tree, tree_node(path), prop, value, len), 0);
}

static void tree_cells(const char *path, const char *prop,
		       const uint32_t *cells, unsigned int count)
{
	fdt32_t value[1100];
	unsigned int i;

	for (i = 0; i < count && i < 1100; i++)
		value[i] = cpu_to_fdt32(cells[i]);
	tree_bytes(path, prop, value, (int)(count * sizeof(fdt32_t)));
}

static void tree_string(const char *path, const char *prop, const char *s)
{
	tree_bytes(path, prop, s, (int)strlen(s) + 1);
}

#define GUEST "/guests/good0"
#define CELLS(...) (const uint32_t[]){ __VA_ARGS__ }, \
	(unsigned int)(sizeof((const uint32_t[]){ __VA_ARGS__ }) / 4)

/* A small valid guest: one memory region, one device, a kernel. */
static void tree_good(void)
{
	REQUIRE(fdt_create_empty_tree(tree, sizeof(tree)) == 0);
	tree_string(GUEST, "compatible", "keel,guest");
	tree_cells(GUEST, "#address-cells", CELLS(2));
	tree_cells(GUEST, "#size-cells", CELLS(2));
	tree_cells(GUEST, "vcpus", CELLS(2));
	tree_cells(GUEST "/memory", "reg", CELLS(0, 0x40000000, 0, 0x1000000));
	tree_string(GUEST "/devices/dev0", "compatible", "test,dev");
	tree_cells(GUEST "/devices/dev0", "reg", CELLS(0, 0x09000000, 0, 0x1000));
	tree_cells(GUEST "/devices/dev0", "interrupts", CELLS(1));
	tree_string(GUEST "/boot", "kernel", "/guests/basic.bin");
}

static int parse(const char *path, struct guest_config *cfg, char *err)
{
	int node = fdt_path_offset(tree, path);

	CHECK_EQ(devtree_check_full(tree, sizeof(tree)), 0);
	memset(err, 'x', GUEST_ERROR_MAX);
	return guest_config_parse(tree, node, cfg, err, GUEST_ERROR_MAX);
}

/* ---- good nodes ---- */

TEST(guest_config_parses_the_small_guest)
{
	static struct guest_config cfg;
	char err[GUEST_ERROR_MAX];

	tree_good();
	CHECK_EQ(parse(GUEST, &cfg, err), 0);
	CHECK_STR_EQ(err, "");
	CHECK_STR_EQ(cfg.name, "good0");
	CHECK_EQ(cfg.vcpus, 2);
	CHECK(!cfg.has_affinity);
	CHECK(!cfg.autostart);
	CHECK_EQ(cfg.mmio_policy, GUEST_MMIO_ABORT);
	CHECK_EQ(cfg.max_irq_rate, GUEST_DEFAULT_MAX_IRQ_RATE);
	CHECK_EQ(cfg.mem_count, 1);
	CHECK_EQ(cfg.mem[0].base, 0x40000000);
	CHECK_EQ(cfg.mem[0].size, 0x1000000);
	CHECK_EQ(cfg.device_count, 1);
	CHECK_STR_EQ(cfg.devices[0].name, "dev0");
	CHECK_STR_EQ(cfg.devices[0].compatible, "test,dev");
	CHECK_EQ(cfg.devices[0].base, 0x09000000);
	CHECK_EQ(cfg.devices[0].size, 0x1000);
	CHECK(cfg.devices[0].has_irq);
	CHECK_EQ(cfg.devices[0].irq, 1);
	CHECK_STR_EQ(cfg.devices[0].backend, "");
	CHECK_STR_EQ(cfg.boot.kernel, "/guests/basic.bin");
	CHECK(!cfg.boot.has_kernel_addr);
	CHECK_STR_EQ(cfg.boot.initrd, "");
	CHECK(!cfg.boot.has_initrd_addr);
	CHECK_STR_EQ(cfg.boot.bootargs, "");
	CHECK(!cfg.boot.has_dtb_addr);
}

TEST(guest_config_parses_every_property)
{
	static struct guest_config cfg;
	char err[GUEST_ERROR_MAX];
	const char compatible[] = "vendor,nothing\0test,dev";

	tree_good();
	tree_cells(GUEST, "vcpus", CELLS(8));
	tree_cells(GUEST, "cpu-affinity", CELLS(7, 6, 5, 4, 3, 2, 1, 0));
	tree_bytes(GUEST, "autostart", NULL, 0);
	tree_string(GUEST, "unhandled-mmio", "stop");
	tree_cells(GUEST, "max-irq-rate", CELLS(0));
	tree_cells(GUEST "/memory", "reg",
		   CELLS(0, 0x40000000, 0, 0x1000000, 0x1, 0, 0, 0x200000,
			 0, 0x80000000, 0, 0x1000, 0xff, 0xfffff000, 0, 0x1000));
	tree_cells(GUEST "/devices", "#address-cells", CELLS(2));
	tree_cells(GUEST "/devices", "#size-cells", CELLS(2));
	tree_bytes(GUEST "/devices/dev0", "compatible", compatible,
		   sizeof(compatible));
	tree_string(GUEST "/devices/dev0", "backend", "file:/disk.img");
	tree_string(GUEST "/devices/dev-1", "compatible", "test,checked");
	tree_cells(GUEST "/devices/dev-1", "reg", CELLS(0, 0x09001000, 0, 0x200));
	tree_cells(GUEST "/devices/dev-1", "interrupts", CELLS(127));
	tree_string(GUEST "/devices/dev-1", "test-mode", "on");
	tree_string(GUEST "/devices/d_2", "compatible", "test,dev");
	tree_cells(GUEST "/devices/d_2", "reg", CELLS(0x2, 0, 0x1, 0));
	tree_cells(GUEST "/boot", "kernel-addr", CELLS(0, 0x40080000));
	tree_string(GUEST "/boot", "initrd", "/guests/initrd.gz");
	tree_cells(GUEST "/boot", "initrd-addr", CELLS(0x1, 0x1ff000));
	tree_string(GUEST "/boot", "bootargs", "console=ttyAMA0 quiet");
	tree_cells(GUEST "/boot", "dtb-addr", CELLS(0xff, 0xfffffff8));

	CHECK_EQ(parse(GUEST, &cfg, err), 0);
	CHECK_STR_EQ(err, "");
	CHECK_EQ(cfg.vcpus, 8);
	CHECK(cfg.has_affinity);
	CHECK_EQ(cfg.affinity[0], 7);
	CHECK_EQ(cfg.affinity[7], 0);
	CHECK(cfg.autostart);
	CHECK_EQ(cfg.mmio_policy, GUEST_MMIO_STOP);
	CHECK_EQ(cfg.max_irq_rate, 0);
	CHECK_EQ(cfg.mem_count, 4);
	CHECK_EQ(cfg.mem[1].base, 0x100000000ULL);
	CHECK_EQ(cfg.mem[1].size, 0x200000);
	CHECK_EQ(cfg.mem[3].base, 0xfffffff000ULL);
	CHECK_EQ(cfg.mem[3].size, 0x1000);
	/* fdt_add_subnode() puts a new node before its siblings: the tree
	 * holds d_2, dev-1, dev0, and the config keeps the tree's order. */
	CHECK_EQ(cfg.device_count, 3);
	CHECK_STR_EQ(cfg.devices[0].name, "d_2");
	CHECK(!cfg.devices[0].has_irq);
	CHECK_EQ(cfg.devices[0].base, 0x200000000ULL);
	CHECK_EQ(cfg.devices[0].size, 0x100000000ULL);
	CHECK_STR_EQ(cfg.devices[1].name, "dev-1");
	CHECK_STR_EQ(cfg.devices[1].compatible, "test,checked");
	CHECK_EQ(cfg.devices[1].irq, 127);
	CHECK_STR_EQ(cfg.devices[2].name, "dev0");
	CHECK_STR_EQ(cfg.devices[2].compatible, "test,dev");
	CHECK_STR_EQ(cfg.devices[2].backend, "file:/disk.img");
	CHECK(cfg.devices[2].has_irq);
	CHECK_EQ(cfg.devices[2].irq, 1);
	CHECK(cfg.boot.has_kernel_addr);
	CHECK_EQ(cfg.boot.kernel_addr, 0x40080000);
	CHECK_STR_EQ(cfg.boot.initrd, "/guests/initrd.gz");
	CHECK(cfg.boot.has_initrd_addr);
	CHECK_EQ(cfg.boot.initrd_addr, 0x1001ff000ULL);
	CHECK_STR_EQ(cfg.boot.bootargs, "console=ttyAMA0 quiet");
	CHECK(cfg.boot.has_dtb_addr);
	CHECK_EQ(cfg.boot.dtb_addr, 0xfffffffff8ULL);
}

TEST(guest_config_parses_a_minimal_guest)
{
	static struct guest_config cfg;
	char err[GUEST_ERROR_MAX];

	REQUIRE(fdt_create_empty_tree(tree, sizeof(tree)) == 0);
	tree_string("/guests/m", "compatible", "keel,guest");
	tree_cells("/guests/m/memory", "reg", CELLS(0, 0x1000, 0, 0x1000));
	tree_string("/guests/m/boot", "kernel", "/k");
	CHECK_EQ(parse("/guests/m", &cfg, err), 0);
	CHECK_STR_EQ(cfg.name, "m");
	CHECK_EQ(cfg.vcpus, 1);
	CHECK_EQ(cfg.device_count, 0);
	CHECK_EQ(cfg.mem_count, 1);
	CHECK_STR_EQ(cfg.boot.kernel, "/k");
}

/* ---- bad nodes: one fault each ---- */

enum edit_op { EDIT_NONE, EDIT_CELLS, EDIT_BYTES, EDIT_DELPROP, EDIT_NODE,
	       EDIT_DELNODE, EDIT_RENAME };

struct edit {
	enum edit_op op;
	const char *path;
	const char *name;          /* property, or the new node name */
	const uint32_t *cells;
	unsigned int count;
	const char *bytes;
	int len;
};

struct bad_case {
	const char *what;
	struct edit edits[4];
	const char *guest;         /* name in the message; "good0" if NULL */
	const char *node;          /* path in the message */
	const char *message;       /* expected after "guest X: node Y: " */
};

#define SET_CELLS(p, n, ...) { EDIT_CELLS, p, n, CELLS(__VA_ARGS__), NULL, 0 }
#define SET_STR(p, n, s) { EDIT_BYTES, p, n, NULL, 0, s, sizeof(s) }
#define SET_BYTES(p, n, s, l) { EDIT_BYTES, p, n, NULL, 0, s, l }
#define DEL_PROP(p, n) { EDIT_DELPROP, p, n, NULL, 0, NULL, 0 }
#define ADD_NODE(p) { EDIT_NODE, p, NULL, NULL, 0, NULL, 0 }
#define DEL_NODE(p) { EDIT_DELNODE, p, NULL, NULL, 0, NULL, 0 }
#define RENAME(p, n) { EDIT_RENAME, p, n, NULL, 0, NULL, 0 }

static void apply(const struct edit *e)
{
	switch (e->op) {
	case EDIT_NONE:
		break;
	case EDIT_CELLS:
		tree_cells(e->path, e->name, e->cells, e->count);
		break;
	case EDIT_BYTES:
		tree_bytes(e->path, e->name, e->bytes, e->len);
		break;
	case EDIT_DELPROP:
		CHECK_EQ(fdt_delprop(tree, tree_node(e->path), e->name), 0);
		break;
	case EDIT_NODE:
		CHECK(tree_node(e->path) >= 0);
		break;
	case EDIT_DELNODE:
		CHECK_EQ(fdt_del_node(tree, tree_node(e->path)), 0);
		break;
	case EDIT_RENAME:
		CHECK_EQ(fdt_set_name(tree, tree_node(e->path), e->name), 0);
		break;
	}
}

static const struct bad_case bad_cases[] = {
	/* the guest node */
	{ "wrong compatible", { SET_STR(GUEST, "compatible", "keel,vm") },
	  NULL, GUEST, "\"compatible\" must be \"keel,guest\"; found \"keel,vm\"" },
	{ "compatible list", { SET_BYTES(GUEST, "compatible", "keel,guest\0x", 13) },
	  NULL, GUEST, "\"compatible\" must be \"keel,guest\"; found \"keel,guest\" (13 bytes)" },
	{ "no compatible", { DEL_PROP(GUEST, "compatible") },
	  NULL, GUEST, "\"compatible\" is required" },
	{ "unterminated compatible", { SET_BYTES(GUEST, "compatible", "keel,guest!", 11) },
	  NULL, GUEST, "\"compatible\" must be \"keel,guest\"; found \"keel,guest!\"" },
	{ "upper-case name", { RENAME(GUEST, "Good0") },
	  "Good0", "/guests/Good0", "guest node name must be 1..31 characters" },
	{ "name starts with a digit", { RENAME(GUEST, "0good") },
	  "0good", "/guests/0good", "guest node name must be" },
	{ "name with a unit address", { RENAME(GUEST, "good@1") },
	  "good@1", "/guests/good@1", "guest node name must be" },
	{ "name too long", { RENAME(GUEST, "abcdefghijklmnopqrstuvwxyz012345") },
	  "abcdefghijklmnopqrstuvwxyz01234", "/guests/abcdefghijklmnopqrstuvwxyz012345",
	  "guest node name must be 1..31" },
	{ "#address-cells 1", { SET_CELLS(GUEST, "#address-cells", 1) },
	  NULL, GUEST, "\"#address-cells\" must be 2 when present; found 1" },
	{ "#size-cells 1", { SET_CELLS(GUEST, "#size-cells", 1) },
	  NULL, GUEST, "\"#size-cells\" must be 2 when present; found 1" },
	{ "#size-cells 2 cells", { SET_CELLS(GUEST, "#size-cells", 0, 2) },
	  NULL, GUEST, "\"#size-cells\" must be one 32-bit cell; found 8 bytes" },
	{ "vcpus 0", { SET_CELLS(GUEST, "vcpus", 0) },
	  NULL, GUEST, "\"vcpus\" must be 1..8; found 0" },
	{ "vcpus 9", { SET_CELLS(GUEST, "vcpus", 9) },
	  NULL, GUEST, "\"vcpus\" must be 1..8; found 9" },
	{ "vcpus huge", { SET_CELLS(GUEST, "vcpus", 0xffffffff) },
	  NULL, GUEST, "\"vcpus\" must be 1..8; found 4294967295" },
	{ "vcpus a byte", { SET_BYTES(GUEST, "vcpus", "\x02", 1) },
	  NULL, GUEST, "\"vcpus\" must be one 32-bit cell; found 1 bytes" },
	{ "affinity short", { SET_CELLS(GUEST, "cpu-affinity", 0) },
	  NULL, GUEST, "\"cpu-affinity\" needs one cell per vCPU (2 cells); found 4 bytes" },
	{ "affinity long", { SET_CELLS(GUEST, "cpu-affinity", 0, 1, 2) },
	  NULL, GUEST, "\"cpu-affinity\" needs one cell per vCPU (2 cells); found 12 bytes" },
	{ "affinity odd bytes", { SET_BYTES(GUEST, "cpu-affinity", "\0\0\0\0\0\0\0", 7) },
	  NULL, GUEST, "\"cpu-affinity\" needs one cell per vCPU (2 cells); found 7 bytes" },
	{ "affinity no such CPU", { SET_CELLS(GUEST, "cpu-affinity", 0, 8) },
	  NULL, GUEST, "\"cpu-affinity\" entry 1: host CPU 8 is not below 8" },
	{ "autostart with a value", { SET_CELLS(GUEST, "autostart", 1) },
	  NULL, GUEST, "\"autostart\" is a flag and takes no value; found 4 bytes" },
	{ "unknown policy", { SET_STR(GUEST, "unhandled-mmio", "crash") },
	  NULL, GUEST, "\"unhandled-mmio\" must be \"abort\", \"ignore\" or \"stop\"; found \"crash\"" },
	{ "policy unterminated", { SET_BYTES(GUEST, "unhandled-mmio", "stop", 4) },
	  NULL, GUEST, "\"unhandled-mmio\" must be \"abort\", \"ignore\" or \"stop\"; found \"stop\" (4 bytes)" },
	{ "policy with a NUL inside", { SET_BYTES(GUEST, "unhandled-mmio", "stop\0x", 7) },
	  NULL, GUEST, "\"unhandled-mmio\" must be" },
	{ "max-irq-rate 64-bit", { SET_CELLS(GUEST, "max-irq-rate", 0, 1) },
	  NULL, GUEST, "\"max-irq-rate\" must be one 32-bit cell; found 8 bytes" },
	{ "typo in a property", { SET_CELLS(GUEST, "vcpu", 2) },
	  NULL, GUEST, "unknown property \"vcpu\"" },
	{ "unknown node", { ADD_NODE(GUEST "/memroy") },
	  NULL, GUEST "/memroy", "unknown node; a guest node holds only memory, devices and boot" },
	{ "memory with a unit address", { ADD_NODE(GUEST "/memory@40000000") },
	  NULL, GUEST "/memory@40000000", "unknown node" },
	/* memory */
	{ "no memory", { DEL_NODE(GUEST "/memory") },
	  NULL, GUEST, "a \"memory\" subnode is required" },
	{ "no memory reg", { DEL_PROP(GUEST "/memory", "reg") },
	  NULL, GUEST "/memory", "\"reg\" is required" },
	{ "empty memory reg", { SET_BYTES(GUEST "/memory", "reg", NULL, 0) },
	  NULL, GUEST "/memory", "\"reg\" needs (2 address + 2 size cells) per entry; found 0 bytes" },
	{ "truncated memory reg", { SET_CELLS(GUEST "/memory", "reg", 0, 0x40000000, 0) },
	  NULL, GUEST "/memory", "\"reg\" needs (2 address + 2 size cells) per entry; found 12 bytes" },
	{ "too many regions", { SET_CELLS(GUEST "/memory", "reg",
					  0, 0x40000000, 0, 0x1000, 0, 0x40001000, 0, 0x1000,
					  0, 0x40002000, 0, 0x1000, 0, 0x40003000, 0, 0x1000,
					  0, 0x40004000, 0, 0x1000) },
	  NULL, GUEST "/memory", "\"reg\" has 5 entries; at most 4 allowed" },
	{ "unaligned base", { SET_CELLS(GUEST "/memory", "reg", 0, 0x40000800, 0, 0x1000) },
	  NULL, GUEST "/memory", "\"reg\" entry 0: base 0x40000800 and size 0x1000 must be multiples of 4 KiB" },
	{ "unaligned size", { SET_CELLS(GUEST "/memory", "reg", 0, 0x40000000, 0, 0x1001) },
	  NULL, GUEST "/memory", "must be multiples of 4 KiB" },
	{ "zero size", { SET_CELLS(GUEST "/memory", "reg", 0, 0x40000000, 0, 0x1000, 0, 0x50000000, 0, 0) },
	  NULL, GUEST "/memory", "\"reg\" entry 1: size must not be 0" },
	{ "wrapping region", { SET_CELLS(GUEST "/memory", "reg", 0xffffffff, 0xfffff000, 0, 0x2000) },
	  NULL, GUEST "/memory", "\"reg\" entry 0: base 0xfffffffffffff000 size 0x2000 goes beyond the 40-bit guest-physical space" },
	{ "region past 2^40", { SET_CELLS(GUEST "/memory", "reg", 0xff, 0xfffff000, 0, 0x2000) },
	  NULL, GUEST "/memory", "goes beyond the 40-bit guest-physical space" },
	{ "region at 2^40", { SET_CELLS(GUEST "/memory", "reg", 0x100, 0, 0, 0x1000) },
	  NULL, GUEST "/memory", "goes beyond the 40-bit" },
	{ "huge size", { SET_CELLS(GUEST "/memory", "reg", 0, 0x1000, 0xfffffff0, 0) },
	  NULL, GUEST "/memory", "goes beyond the 40-bit" },
	{ "overlapping regions", { SET_CELLS(GUEST "/memory", "reg",
					     0, 0x40000000, 0, 0x2000, 0, 0x50000000, 0, 0x1000,
					     0, 0x40001000, 0, 0x1000) },
	  NULL, GUEST "/memory", "\"reg\" entry 2 overlaps entry 0" },
	{ "memory over the GIC distributor", { SET_CELLS(GUEST "/memory", "reg", 0, 0x08000000, 0, 0x1000) },
	  NULL, GUEST "/memory", "\"reg\" entry 0: [0x8000000, 0x8001000) overlaps the GICv3 distributor at [0x8000000, 0x8010000)" },
	{ "memory over the whole GIC", { SET_CELLS(GUEST "/memory", "reg", 0, 0x08000000, 0, 0x10000000) },
	  NULL, GUEST "/memory", "overlaps the GICv3 distributor" },
	{ "memory over the last redistributor", { SET_CELLS(GUEST "/memory", "reg", 0, 0x08190000, 0, 0x1000) },
	  NULL, GUEST "/memory", "overlaps the GICv3 redistributors at [0x80a0000, 0x81a0000)" },
	{ "unknown memory property", { SET_STR(GUEST "/memory", "device_type", "memory") },
	  NULL, GUEST "/memory", "unknown property \"device_type\"" },
	{ "memory subnode", { ADD_NODE(GUEST "/memory/bank0") },
	  NULL, GUEST "/memory/bank0", "unexpected node: its parent takes no subnodes" },
	/* devices */
	{ "device without compatible", { DEL_PROP(GUEST "/devices/dev0", "compatible") },
	  NULL, GUEST "/devices/dev0", "\"compatible\" is required" },
	{ "unknown device", { SET_STR(GUEST "/devices/dev0", "compatible", "foo,bar") },
	  NULL, GUEST "/devices/dev0", "\"compatible\" = \"foo,bar\" has no emulator; known: " },
	{ "unknown devices", { SET_BYTES(GUEST "/devices/dev0", "compatible", "foo,bar\0baz", 12) },
	  NULL, GUEST "/devices/dev0", "\"compatible\" = \"foo,bar\", ... has no emulator; known: " },
	{ "unterminated device compatible", { SET_BYTES(GUEST "/devices/dev0", "compatible", "test,dev", 8) },
	  NULL, GUEST "/devices/dev0", "\"compatible\" must be NUL-terminated non-empty strings; found 8 bytes" },
	{ "empty compatible entry", { SET_BYTES(GUEST "/devices/dev0", "compatible", "\0test,dev", 10) },
	  NULL, GUEST "/devices/dev0", "\"compatible\" must be NUL-terminated non-empty strings; found 10 bytes" },
	{ "bad device name", { RENAME(GUEST "/devices/dev0", "Dev0") },
	  NULL, GUEST "/devices/Dev0", "device node name must be 1..31 characters of [a-z0-9_-] starting with a letter" },
	{ "device with a unit address", { RENAME(GUEST "/devices/dev0", "uart@9000000") },
	  NULL, GUEST "/devices/uart@9000000", "device node name must be" },
	{ "device without reg", { DEL_PROP(GUEST "/devices/dev0", "reg") },
	  NULL, GUEST "/devices/dev0", "\"reg\" is required: one (base, size) entry" },
	{ "device with two regs", { SET_CELLS(GUEST "/devices/dev0", "reg", 0, 0x09000000, 0, 0x1000, 0, 0x0a000000, 0, 0x1000) },
	  NULL, GUEST "/devices/dev0", "\"reg\" needs exactly one entry of (2 address + 2 size cells); found 32 bytes" },
	{ "device reg truncated", { SET_CELLS(GUEST "/devices/dev0", "reg", 0, 0x09000000, 0x1000) },
	  NULL, GUEST "/devices/dev0", "found 12 bytes" },
	{ "device of size 0", { SET_CELLS(GUEST "/devices/dev0", "reg", 0, 0x09000000, 0, 0) },
	  NULL, GUEST "/devices/dev0", "\"reg\": size must not be 0" },
	{ "device wrapping", { SET_CELLS(GUEST "/devices/dev0", "reg", 0xffffffff, 0xffffff00, 0, 0x1000) },
	  NULL, GUEST "/devices/dev0", "\"reg\": base 0xffffffffffffff00 size 0x1000 goes beyond the 40-bit" },
	{ "device on memory", { SET_CELLS(GUEST "/devices/dev0", "reg", 0, 0x40fff000, 0, 0x2000) },
	  NULL, GUEST "/devices/dev0", "\"reg\": [0x40fff000, 0x41001000) overlaps memory region 0" },
	{ "device on the GIC", { SET_CELLS(GUEST "/devices/dev0", "reg", 0, 0x0800f000, 0, 0x2000) },
	  NULL, GUEST "/devices/dev0", "overlaps the GICv3 distributor" },
	/* A node added by the read-write API comes before its siblings, so
	 * dev1 is parsed first and the fault is found at dev0. */
	{ "devices overlapping", { SET_STR(GUEST "/devices/dev1", "compatible", "test,dev"),
				   SET_CELLS(GUEST "/devices/dev1", "reg", 0, 0x08fff800, 0, 0x1000) },
	  NULL, GUEST "/devices/dev0", "\"reg\": [0x9000000, 0x9001000) overlaps device dev1" },
	{ "same device name twice", { RENAME(GUEST "/devices/dev0", "dev1"),
				      SET_STR(GUEST "/devices/dev1x", "compatible", "test,dev"),
				      SET_CELLS(GUEST "/devices/dev1x", "reg", 0, 0x0a000000, 0, 0x1000),
				      RENAME(GUEST "/devices/dev1x", "dev1") },
	  NULL, GUEST "/devices/dev1", "device name is used twice" },
	{ "interrupt out of range", { SET_CELLS(GUEST "/devices/dev0", "interrupts", 128) },
	  NULL, GUEST "/devices/dev0", "\"interrupts\" must be a device interrupt 0..127 (GICv3); found 128" },
	{ "interrupt in gic form", { SET_CELLS(GUEST "/devices/dev0", "interrupts", 0, 1, 4) },
	  NULL, GUEST "/devices/dev0", "\"interrupts\" must be one 32-bit cell; found 12 bytes" },
	{ "interrupt shared", { SET_STR(GUEST "/devices/dev1", "compatible", "test,dev"),
				SET_CELLS(GUEST "/devices/dev1", "reg", 0, 0x0a000000, 0, 0x1000),
				SET_CELLS(GUEST "/devices/dev1", "interrupts", 1) },
	  NULL, GUEST "/devices/dev0", "\"interrupts\" 1 is already used by device dev1" },
	{ "backend unterminated", { SET_BYTES(GUEST "/devices/dev0", "backend", "file:", 5) },
	  NULL, GUEST "/devices/dev0", "\"backend\" must be one NUL-terminated string; found 5 bytes that are not" },
	{ "typo on a plain device", { SET_CELLS(GUEST "/devices/dev0", "interupts", 1) },
	  NULL, GUEST "/devices/dev0", "unknown property \"interupts\"" },
	{ "device subnode", { ADD_NODE(GUEST "/devices/dev0/port") },
	  NULL, GUEST "/devices/dev0/port", "unexpected node: its parent takes no subnodes" },
	{ "emulator refuses", { SET_STR(GUEST "/devices/dev0", "compatible", "test,checked"),
				SET_STR(GUEST "/devices/dev0", "test-mode", "off") },
	  NULL, GUEST "/devices/dev0", "\"test-mode\" must be \"on\"" },
	{ "devices #size-cells 1", { SET_CELLS(GUEST "/devices", "#size-cells", 1) },
	  NULL, GUEST "/devices", "\"#size-cells\" must be 2 when present; found 1" },
	{ "devices property", { SET_CELLS(GUEST "/devices", "ranges", 1) },
	  NULL, GUEST "/devices", "unknown property \"ranges\"" },
	/* boot */
	{ "no boot", { DEL_NODE(GUEST "/boot") },
	  NULL, GUEST, "a \"boot\" subnode is required" },
	{ "no kernel", { DEL_PROP(GUEST "/boot", "kernel") },
	  NULL, GUEST "/boot", "\"kernel\" is required" },
	{ "relative kernel", { SET_STR(GUEST "/boot", "kernel", "guests/basic.bin") },
	  NULL, GUEST "/boot", "\"kernel\" must be an absolute path in the image file system; found \"guests/basic.bin\"" },
	{ "empty kernel", { SET_STR(GUEST "/boot", "kernel", "") },
	  NULL, GUEST "/boot", "\"kernel\" must be an absolute path" },
	{ "unterminated kernel", { SET_BYTES(GUEST "/boot", "kernel", "/guests/basic.bin", 17) },
	  NULL, GUEST "/boot", "\"kernel\" must be one NUL-terminated string; found 17 bytes that are not" },
	{ "kernel with a NUL inside", { SET_BYTES(GUEST "/boot", "kernel", "/a\0/b", 6) },
	  NULL, GUEST "/boot", "\"kernel\" must be one NUL-terminated string; found 6 bytes" },
	/* Guest data in a message is escaped: no control character reaches
	 * the operator's terminal. */
	{ "kernel path with control characters", { SET_STR(GUEST "/boot", "kernel", "\x1b]0;owned\a") },
	  NULL, GUEST "/boot", "\"kernel\" must be an absolute path in the image file system; found \"\\x1b]0;owned\\x07\"" },
	{ "node name with control characters", { ADD_NODE(GUEST "/mem\x1b[2J") },
	  NULL, GUEST "/mem\\x1b[2J", "unknown node" },
	{ "relative initrd", { SET_STR(GUEST "/boot", "initrd", "initrd.gz") },
	  NULL, GUEST "/boot", "\"initrd\" must be an absolute path" },
	{ "bootargs unterminated", { SET_BYTES(GUEST "/boot", "bootargs", "quiet", 5) },
	  NULL, GUEST "/boot", "\"bootargs\" must be one NUL-terminated string; found 5 bytes" },
	{ "kernel-addr outside memory", { SET_CELLS(GUEST "/boot", "kernel-addr", 0, 0x41000000) },
	  NULL, GUEST "/boot", "\"kernel-addr\" 0x41000000 is not inside any memory region" },
	{ "kernel-addr one cell", { SET_CELLS(GUEST "/boot", "kernel-addr", 0x40080000) },
	  NULL, GUEST "/boot", "\"kernel-addr\" must be 2 cells (a 64-bit address); found 4 bytes" },
	{ "initrd-addr without initrd", { SET_CELLS(GUEST "/boot", "initrd-addr", 0, 0x40800000) },
	  NULL, GUEST "/boot", "\"initrd-addr\" is given but \"initrd\" is not" },
	{ "initrd-addr outside memory", { SET_STR(GUEST "/boot", "initrd", "/i"),
					  SET_CELLS(GUEST "/boot", "initrd-addr", 0, 0x3ffff000) },
	  NULL, GUEST "/boot", "\"initrd-addr\" 0x3ffff000 is not inside any memory region" },
	{ "dtb-addr outside memory", { SET_CELLS(GUEST "/boot", "dtb-addr", 1, 0x40000000) },
	  NULL, GUEST "/boot", "\"dtb-addr\" 0x140000000 is not inside any memory region" },
	{ "dtb-addr unaligned", { SET_CELLS(GUEST "/boot", "dtb-addr", 0, 0x40000004) },
	  NULL, GUEST "/boot", "\"dtb-addr\" 0x40000004 must be a multiple of 8" },
	{ "boot typo", { SET_STR(GUEST "/boot", "kernal", "/k") },
	  NULL, GUEST "/boot", "unknown property \"kernal\"" },
	{ "boot subnode", { ADD_NODE(GUEST "/boot/extra") },
	  NULL, GUEST "/boot/extra", "unexpected node: its parent takes no subnodes" },
};

static void check_refused(const char *what, const char *path,
			  const char *guest, const char *node,
			  const char *message)
{
	static struct guest_config cfg;
	char err[GUEST_ERROR_MAX], prefix[GUEST_ERROR_MAX];
	int ret;

	ret = parse(path, &cfg, err);
	snprintf(prefix, sizeof(prefix), "guest %s: node %s: ", guest, node);
	if (!CHECK_EQ(ret, -KEEL_EINVAL) ||
	    !CHECK(strlen(err) < GUEST_ERROR_MAX) ||
	    !CHECK(!strncmp(err, prefix, strlen(prefix))) ||
	    !CHECK(strstr(err + strlen(prefix), message) != NULL) ||
	    /* one message: the prefix appears once */
	    !CHECK(!strstr(err + 1, prefix)))
		printf("  case \"%s\":\n    got    \"%.*s\"\n    wanted \"%s%s\"\n",
		       what, GUEST_ERROR_MAX, err, prefix, message);
}

TEST(guest_config_refuses_each_bad_node)
{
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];

		tree_good();
		for (j = 0; j < ARRAY_SIZE(c->edits); j++)
			apply(&c->edits[j]);
		/* A case that renames the guest names its new path. */
		check_refused(c->what, c->guest ? c->node : GUEST,
			      c->guest ? c->guest : "good0", c->node, c->message);
	}
}

/* The platform decides the interrupt range, the reserved ranges and the
 * size of the guest-physical space: riscv64's PLIC has no source 0. */
TEST(guest_config_follows_the_riscv64_platform)
{
	static struct guest_config cfg;
	char err[GUEST_ERROR_MAX];

	host_guest_platform_select(&riscv64_virt_platform);
	tree_good();
	tree_cells(GUEST "/memory", "reg", CELLS(0, 0x80000000, 0, 0x1000000));
	tree_cells(GUEST "/devices/dev0", "reg", CELLS(0, 0x10000000, 0, 0x1000));
	tree_cells(GUEST "/devices/dev0", "interrupts", CELLS(95));
	CHECK_EQ(parse(GUEST, &cfg, err), 0);
	CHECK_EQ(cfg.devices[0].irq, 95);
	tree_cells(GUEST "/devices/dev0", "interrupts", CELLS(1));
	CHECK_EQ(parse(GUEST, &cfg, err), 0);
	tree_cells(GUEST "/devices/dev0", "interrupts", CELLS(0));
	check_refused("PLIC source 0", GUEST, "good0", GUEST "/devices/dev0",
		      "\"interrupts\" must be a device interrupt 1..95 (PLIC); found 0");
	tree_cells(GUEST "/devices/dev0", "interrupts", CELLS(96));
	check_refused("PLIC source 96", GUEST, "good0", GUEST "/devices/dev0",
		      "\"interrupts\" must be a device interrupt 1..95 (PLIC); found 96");
	/* A device on the PLIC's range, at its last context's registers. */
	tree_cells(GUEST "/devices/dev0", "interrupts", CELLS(10));
	tree_cells(GUEST "/devices/dev0", "reg", CELLS(0, 0x0c20f000, 0, 0x1000));
	check_refused("device on the PLIC", GUEST, "good0", GUEST "/devices/dev0",
		      "overlaps the PLIC at [0xc000000, 0xc210000)");
	/* Sv48x4: 50 bits of guest-physical space; 40 is arm64's. */
	tree_cells(GUEST "/devices/dev0", "reg", CELLS(0, 0x10000000, 0, 0x1000));
	tree_cells(GUEST "/memory", "reg", CELLS(0x100, 0, 0, 0x1000000));
	CHECK_EQ(parse(GUEST, &cfg, err), 0);
	tree_cells(GUEST "/memory", "reg", CELLS(0x3ffff, 0xff000000, 0, 0x1000000));
	CHECK_EQ(parse(GUEST, &cfg, err), 0);
	tree_cells(GUEST "/memory", "reg", CELLS(0x3ffff, 0xff000000, 0, 0x1001000));
	CHECK_EQ(parse(GUEST, &cfg, err), -KEEL_EINVAL);
	tree_cells(GUEST "/memory", "reg", CELLS(0x100, 0, 0, 0x1000000));
	host_guest_platform_select(&arm64_virt_platform);
	CHECK_EQ(parse(GUEST, &cfg, err), -KEEL_EINVAL);
}

/* Strings one character longer than their field allows. */
TEST(guest_config_refuses_overlong_strings)
{
	static struct guest_config cfg;
	char value[GUEST_BOOTARGS_MAX + 1], err[GUEST_ERROR_MAX];

	memset(value, 'a', sizeof(value));
	value[0] = '/';

	tree_good();
	value[GUEST_PATH_MAX] = '\0';
	tree_string(GUEST "/boot", "kernel", value);
	check_refused("kernel", GUEST, "good0", GUEST "/boot",
		      "\"kernel\" is 128 characters long; at most 127 allowed");

	/* At the limit: accepted. */
	tree_good();
	value[GUEST_PATH_MAX - 1] = '\0';
	tree_string(GUEST "/boot", "initrd", value);
	tree_string(GUEST "/boot", "kernel", value);
	CHECK_EQ(parse(GUEST, &cfg, err), 0);
	CHECK_EQ(strlen(cfg.boot.kernel), GUEST_PATH_MAX - 1);
	CHECK_EQ(strlen(cfg.boot.initrd), GUEST_PATH_MAX - 1);

	tree_good();
	memset(value, 'a', sizeof(value));
	value[GUEST_BOOTARGS_MAX] = '\0';
	tree_string(GUEST "/boot", "bootargs", value);
	check_refused("bootargs", GUEST, "good0", GUEST "/boot",
		      "\"bootargs\" is 512 characters long; at most 511 allowed");

	tree_good();
	value[GUEST_DEVICE_PROP_MAX] = '\0';
	tree_string(GUEST "/devices/dev0", "backend", value);
	check_refused("backend", GUEST, "good0", GUEST "/devices/dev0",
		      "\"backend\" is 128 characters long; at most 127 allowed");
}

TEST(guest_config_refuses_too_many_devices)
{
	static struct guest_config cfg;
	char err[GUEST_ERROR_MAX], path[64];
	unsigned int i;

	tree_good();
	for (i = 1; i <= GUEST_MAX_DEVICES; i++) {
		snprintf(path, sizeof(path), GUEST "/devices/d%u", i);
		tree_string(path, "compatible", "test,dev");
		tree_cells(path, "reg", CELLS(0x10, i * 0x1000, 0, 0x1000));
	}
	check_refused("33 devices", GUEST, "good0", GUEST "/devices",
		      "more than 32 device nodes");

	/* 32 are fine. */
	tree_good();
	for (i = 1; i < GUEST_MAX_DEVICES; i++) {
		snprintf(path, sizeof(path), GUEST "/devices/d%u", i);
		tree_string(path, "compatible", "test,dev");
		tree_cells(path, "reg", CELLS(0x10, i * 0x1000, 0, 0x1000));
	}
	CHECK_EQ(parse(GUEST, &cfg, err), 0);
	CHECK_EQ(cfg.device_count, GUEST_MAX_DEVICES);
}

TEST(guest_config_refuses_huge_counts)
{
	static uint32_t cells[1024];

	tree_good();
	tree_cells(GUEST, "cpu-affinity", cells, ARRAY_SIZE(cells));
	check_refused("affinity", GUEST, "good0", GUEST,
		      "\"cpu-affinity\" needs one cell per vCPU (2 cells); found 4096 bytes");

	tree_good();
	tree_cells(GUEST "/memory", "reg", cells, ARRAY_SIZE(cells));
	check_refused("memory", GUEST, "good0", GUEST "/memory",
		      "\"reg\" has 256 entries; at most 4 allowed");
}

/* libfdt's read-write API replaces a property set twice; a hostile tree
 * written another way can still hold two. */
TEST(guest_config_refuses_a_property_twice)
{
	fdt32_t two = cpu_to_fdt32(2);
	fdt32_t reg[4] = { 0, cpu_to_fdt32(0x40000000), 0, cpu_to_fdt32(0x1000) };

	REQUIRE(fdt_create(tree, sizeof(tree)) == 0);
	CHECK_EQ(fdt_finish_reservemap(tree), 0);
	CHECK_EQ(fdt_begin_node(tree, ""), 0);
	CHECK_EQ(fdt_begin_node(tree, "guests"), 0);
	CHECK_EQ(fdt_begin_node(tree, "good0"), 0);
	CHECK_EQ(fdt_property_string(tree, "compatible", "keel,guest"), 0);
	CHECK_EQ(fdt_property(tree, "vcpus", &two, sizeof(two)), 0);
	CHECK_EQ(fdt_property(tree, "vcpus", &two, sizeof(two)), 0);
	CHECK_EQ(fdt_begin_node(tree, "memory"), 0);
	CHECK_EQ(fdt_property(tree, "reg", reg, sizeof(reg)), 0);
	CHECK_EQ(fdt_end_node(tree), 0);
	CHECK_EQ(fdt_begin_node(tree, "boot"), 0);
	CHECK_EQ(fdt_property_string(tree, "kernel", "/k"), 0);
	CHECK_EQ(fdt_end_node(tree), 0);
	CHECK_EQ(fdt_begin_node(tree, "boot"), 0);
	CHECK_EQ(fdt_end_node(tree), 0);
	CHECK_EQ(fdt_end_node(tree), 0);
	CHECK_EQ(fdt_end_node(tree), 0);
	CHECK_EQ(fdt_end_node(tree), 0);
	REQUIRE(fdt_finish(tree) == 0);
	check_refused("vcpus twice", GUEST, "good0", GUEST,
		      "property \"vcpus\" appears twice");

	/* Without the second vcpus: the second boot node is refused. */
	CHECK_EQ(fdt_nop_property(tree, fdt_path_offset(tree, GUEST), "vcpus"), 0);
	check_refused("boot twice", GUEST, "good0", GUEST "/boot",
		      "node appears twice");
}

TEST(guest_config_survives_bad_arguments)
{
	static struct guest_config cfg;
	char err[8];

	tree_good();
	CHECK_EQ(guest_config_parse(tree, fdt_path_offset(tree, GUEST), NULL,
				    err, sizeof(err)), -KEEL_EINVAL);
	CHECK_EQ(guest_config_parse(NULL, 0, &cfg, err, sizeof(err)), -KEEL_EINVAL);
	CHECK_EQ(guest_config_parse(tree, -1, &cfg, err, sizeof(err)), -KEEL_EINVAL);
	/* A short or absent message buffer still gets the verdict. */
	tree_cells(GUEST, "vcpus", CELLS(0));
	CHECK_EQ(guest_config_parse(tree, fdt_path_offset(tree, GUEST), &cfg,
				    err, sizeof(err)), -KEEL_EINVAL);
	CHECK_STR_EQ(err, "guest g");
	CHECK_EQ(guest_config_parse(tree, fdt_path_offset(tree, GUEST), &cfg,
				    NULL, 0), -KEEL_EINVAL);
}

/*
 * Random corruption of a good tree: whatever passes the structural check
 * must be parsed or refused without a read out of bounds (ASan watches).
 */
TEST(guest_config_survives_corrupt_trees)
{
	static unsigned char good[sizeof(tree)] __attribute__((aligned(8)));
	static struct guest_config cfg;
	char err[GUEST_ERROR_MAX];
	uint32_t seed = 12345, structure, size;
	unsigned int round, checked = 0, flip;

	tree_good();
	tree_string(GUEST "/boot", "bootargs", "console=ttyAMA0");
	tree_cells(GUEST "/boot", "kernel-addr", CELLS(0, 0x40080000));
	tree_string(GUEST, "unhandled-mmio", "ignore");
	REQUIRE(fdt_pack(tree) == 0);
	memcpy(good, tree, fdt_totalsize(tree));
	structure = fdt_off_dt_struct(good);
	size = fdt_size_dt_struct(good) + fdt_size_dt_strings(good);

	for (round = 0; round < 20000; round++) {
		int guests, node;

		memcpy(tree, good, fdt_totalsize(good));
		for (flip = 0; flip < 1 + round % 3; flip++) {
			seed = seed * 1103515245 + 12345;
			tree[structure + (seed >> 8) % size] ^=
				(unsigned char)(1u << (seed % 8));
		}
		/* A parse sees a tree only once it passed the full check. */
		if (devtree_check_full(tree, fdt_totalsize(tree)))
			continue;
		guests = fdt_path_offset(tree, "/guests");
		if (guests < 0)
			continue;
		fdt_for_each_subnode(node, tree, guests) {
			guest_config_parse(tree, node, &cfg, err, sizeof(err));
			CHECK(strlen(err) < sizeof(err));
			checked++;
		}
	}
	CHECK(checked > 1000);
}

/* ---- devices and backends a configuration leaves out ---- */

/* A configuration without test,dev, virtio,net and switch: backends, and
 * with test,checked and file: backends. */
static const struct config_option test_left_out_entries[] = {
	{ CONFIG_OPTION_DEVICE, "test,dev", "CONFIG_TEST_DEV", "Emulators", false },
	{ CONFIG_OPTION_DEVICE, "test,checked", "CONFIG_TEST_CHECKED", "Emulators", true },
	{ CONFIG_OPTION_DEVICE, "virtio,net", "CONFIG_VIRTIO_NET", "Emulators", false },
	{ CONFIG_OPTION_BACKEND, "switch", "CONFIG_BACKEND_SWITCH", "Backends", false },
	{ CONFIG_OPTION_BACKEND, "file", "CONFIG_BACKEND_FILE", "Backends", true },
};
static const struct config_option_table test_left_out = {
	test_left_out_entries, ARRAY_SIZE(test_left_out_entries),
};

static int parse_for(const struct config_option_table *options,
		     struct guest_config *cfg, char *err)
{
	int node = fdt_path_offset(tree, GUEST);

	CHECK_EQ(devtree_check_full(tree, sizeof(tree)), 0);
	memset(err, 'x', GUEST_ERROR_MAX);
	return guest_config_parse_for(options, tree, node, cfg, err, GUEST_ERROR_MAX);
}

TEST(guest_config_refuses_a_device_the_configuration_leaves_out)
{
	static struct guest_config cfg;
	char err[GUEST_ERROR_MAX];

	/* test,dev has an emulator here: only the configuration says no. */
	tree_good();
	CHECK_EQ(parse_for(&test_left_out, &cfg, err), -KEEL_EINVAL);
	CHECK_STR_EQ(err, "guest good0: node /guests/good0/devices/dev0: "
		     "\"test,dev\" needs CONFIG_TEST_DEV (make menuconfig -> Emulators)");

	/* The message names the device asked for, whether Keel has code
	 * for it or not. */
	tree_good();
	tree_string(GUEST "/devices/net0", "compatible", "virtio,net");
	tree_cells(GUEST "/devices/net0", "reg", CELLS(0, 0x0a000000, 0, 0x200));
	tree_cells(GUEST "/devices/net0", "interrupts", CELLS(16));
	tree_string(GUEST "/devices/dev0", "compatible", "test,checked");
	tree_string(GUEST "/devices/dev0", "test-mode", "on");
	CHECK_EQ(parse_for(&test_left_out, &cfg, err), -KEEL_EINVAL);
	CHECK_STR_EQ(err, "guest good0: node /guests/good0/devices/net0: "
		     "\"virtio,net\" needs CONFIG_VIRTIO_NET (make menuconfig -> Emulators)");

	/* A later entry of the list that is built serves the node. */
	tree_good();
	tree_bytes(GUEST "/devices/dev0", "compatible", "test,dev\0test,checked", 22);
	tree_string(GUEST "/devices/dev0", "test-mode", "on");
	CHECK_EQ(parse_for(&test_left_out, &cfg, err), 0);
	CHECK_STR_EQ(cfg.devices[0].compatible, "test,checked");

	/* This build's own table has test,dev (it is no option at all). */
	tree_good();
	CHECK_EQ(parse_for(&config_options_built, &cfg, err), 0);
}

TEST(guest_config_refuses_a_backend_the_configuration_leaves_out)
{
	static struct guest_config cfg;
	char err[GUEST_ERROR_MAX];

	tree_good();
	tree_string(GUEST "/devices/dev0", "compatible", "test,checked");
	tree_string(GUEST "/devices/dev0", "test-mode", "on");
	tree_string(GUEST "/devices/dev0", "backend", "switch:br0");
	CHECK_EQ(parse_for(&test_left_out, &cfg, err), -KEEL_EINVAL);
	CHECK_STR_EQ(err, "guest good0: node /guests/good0/devices/dev0: "
		     "backend \"switch:br0\" needs CONFIG_BACKEND_SWITCH (make menuconfig -> Backends)");

	/* Only the scheme decides: a built one passes to the device. */
	tree_string(GUEST "/devices/dev0", "backend", "file:/disk.img");
	CHECK_EQ(parse_for(&test_left_out, &cfg, err), 0);
	/* A scheme that is not an option is the device's business. */
	tree_string(GUEST "/devices/dev0", "backend", "switchy:br0");
	CHECK_EQ(parse_for(&test_left_out, &cfg, err), 0);
}

TEST(config_option_left_out_matches_whole_keys)
{
	CHECK(config_option_left_out(&test_left_out, CONFIG_OPTION_BACKEND,
				     "switch", 6) == &test_left_out_entries[3]);
	CHECK(config_option_left_out(&test_left_out, CONFIG_OPTION_BACKEND,
				     "switc", 5) == NULL);
	CHECK(config_option_left_out(&test_left_out, CONFIG_OPTION_DEVICE,
				     "switch", 6) == NULL);
	CHECK(config_option_left_out(&test_left_out, CONFIG_OPTION_BACKEND,
				     "file", 4) == NULL);
	CHECK(config_option_left_out(NULL, CONFIG_OPTION_BACKEND, "switch", 6) == NULL);
}
