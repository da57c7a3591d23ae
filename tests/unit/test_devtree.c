/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of the device-tree helpers against data/host.dts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/devtree.h>
#include <keel/errno.h>
#include <keel/shell.h>
#include <libfdt.h>

#include "unit.h"

static unsigned int count_of(const char *text, const char *needle)
{
	unsigned int n = 0;

	for (text = strstr(text, needle); text; text = strstr(text + 1, needle))
		n++;
	return n;
}

/* ---- the test tree ---- */

static unsigned char host_dtb[32768] __attribute__((aligned(8)));
/* A writable copy for the cases a .dts cannot express without warnings. */
static unsigned char work_dtb[32768] __attribute__((aligned(8)));

static const void *host_tree(void)
{
	FILE *file = fopen(UNIT_DATA_DIR "/host.dtb", "rb");
	size_t size;

	if (!file)
		return NULL;
	size = fread(host_dtb, 1, sizeof(host_dtb), file);
	fclose(file);
	if (size < sizeof(struct fdt_header) || fdt_totalsize(host_dtb) != size)
		return NULL;
	return host_dtb;
}

static void *work_tree(void)
{
	const void *fdt = host_tree();

	if (!fdt || fdt_open_into(fdt, work_dtb, sizeof(work_dtb)))
		return NULL;
	return work_dtb;
}

static int node(const void *fdt, const char *path)
{
	return fdt_path_offset(fdt, path);
}

static int add_node(void *fdt, const char *parent, const char *name)
{
	return fdt_add_subnode(fdt, node(fdt, parent), name);
}

static int set_cells(void *fdt, const char *path, const char *prop,
		     const uint32_t *cells, unsigned int count)
{
	fdt32_t value[8];
	unsigned int i;

	for (i = 0; i < count; i++)
		value[i] = cpu_to_fdt32(cells[i]);
	return fdt_setprop(fdt, node(fdt, path), prop, value,
			   (int)(count * sizeof(value[0])));
}

/* A copy of the tree whose /cpus node starts with an invalid token. */
static void *corrupt_tree(const void *fdt)
{
	uint32_t bad = 0xeeeeeeee;
	int cpus = node(fdt, "/cpus");

	memcpy(work_dtb, fdt, fdt_totalsize(fdt));
	memcpy(work_dtb + fdt_off_dt_struct(fdt) + (uint32_t)cpus, &bad,
	       sizeof(bad));
	return work_dtb;
}

/* ---- the host tree pointer ---- */

TEST(devtree_host_accepts_a_valid_tree)
{
	const void *fdt = host_tree();

	CHECK(fdt != NULL);
	devtree_set_host(fdt);
	CHECK(devtree_host() == fdt);
	devtree_set_host(NULL);
	CHECK(devtree_host() == NULL);
}

TEST(devtree_host_refuses_a_corrupt_tree)
{
	const void *fdt = host_tree();
	struct fdt_header *header = (struct fdt_header *)work_dtb;
	uint32_t size;

	REQUIRE(fdt != NULL);
	size = fdt_totalsize(fdt);
	unit_console_clear();

	/* Bad magic. */
	memcpy(work_dtb, fdt, size);
	header->magic = cpu_to_fdt32(0x12345678);
	devtree_set_host(work_dtb);
	CHECK(devtree_host() == NULL);
	CHECK(strstr(unit_console_text(), "host device tree") != NULL);

	/* Truncated: the header says the blob ends before its strings. */
	memcpy(work_dtb, fdt, size);
	header->totalsize = cpu_to_fdt32(size / 2);
	devtree_set_host(work_dtb);
	CHECK(devtree_host() == NULL);

	/* Truncated: the structure block stops in the middle of a node. */
	memcpy(work_dtb, fdt, size);
	header->size_dt_struct = cpu_to_fdt32(fdt_size_dt_struct(fdt) / 2);
	devtree_set_host(work_dtb);
	CHECK(devtree_host() == NULL);

	/* A structure block with a bad token in the middle. */
	devtree_set_host(corrupt_tree(fdt));
	CHECK(devtree_host() == NULL);
}

TEST(devtree_print_survives_a_corrupt_tree)
{
	const void *fdt = host_tree();
	uint32_t size;

	REQUIRE(fdt != NULL);
	size = fdt_totalsize(fdt);
	unit_console_clear();
	CHECK_EQ(devtree_print(corrupt_tree(fdt), "/"), -KEEL_EIO);
	CHECK(strstr(unit_console_text(), "device tree is corrupt") != NULL);
	/* Whatever was opened got closed. */
	CHECK_EQ(count_of(unit_console_text(), "{\n"),
		 count_of(unit_console_text(), "};\n"));

	memcpy(work_dtb, fdt, size);
	((struct fdt_header *)work_dtb)->magic = 0;
	unit_console_clear();
	CHECK_EQ(devtree_print(work_dtb, "/"), -KEEL_EIO);
	CHECK(strstr(unit_console_text(), "device tree is invalid") != NULL);
	CHECK(devtree_stdout_node(work_dtb) < 0);
}

/* ---- reg and integer properties ---- */

TEST(devtree_reg_two_cells)
{
	const void *fdt = host_tree();
	uint64_t addr = 0, size = 0;
	int gic;

	REQUIRE(fdt != NULL);
	CHECK_EQ(devtree_read_reg(fdt, node(fdt, "/memory@40000000"), 0, &addr,
				  &size), 0);
	CHECK_EQ(addr, 0x40000000);
	CHECK_EQ(size, 0x8000000);
	CHECK_EQ(devtree_read_reg(fdt, node(fdt, "/memory@40000000"), 1, &addr,
				  &size), -KEEL_ENOENT);
	gic = node(fdt, "/intc@8000000");
	CHECK_EQ(devtree_read_reg(fdt, gic, 1, &addr, &size), 0);
	CHECK_EQ(addr, 0x80a0000);
	CHECK_EQ(size, 0xf60000);
	/* Either output may be left out. */
	CHECK_EQ(devtree_read_reg(fdt, gic, 0, NULL, &size), 0);
	CHECK_EQ(size, 0x10000);
	CHECK_EQ(devtree_read_reg(fdt, gic, 0, &addr, NULL), 0);
	CHECK_EQ(addr, 0x8000000);
}

TEST(devtree_reg_one_cell_and_no_size)
{
	const void *fdt = host_tree();
	uint64_t addr = 0, size = 0;

	REQUIRE(fdt != NULL);
	CHECK_EQ(devtree_read_reg(fdt, node(fdt, "/bus@0/virtio_mmio@a000000"),
				  1, &addr, &size), 0);
	CHECK_EQ(addr, 0xa000200);
	CHECK_EQ(size, 0x200);
	CHECK_EQ(devtree_read_reg(fdt, node(fdt, "/cpus/cpu@1"), 0, &addr,
				  &size), 0);
	CHECK_EQ(addr, 1);
	CHECK_EQ(size, 0);
}

TEST(devtree_reg_errors)
{
	const void *fdt = host_tree();
	uint64_t addr, size;

	REQUIRE(fdt != NULL);
	CHECK_EQ(devtree_read_reg(fdt, 0, 0, &addr, &size), -KEEL_EINVAL);
	CHECK_EQ(devtree_read_reg(fdt, node(fdt, "/psci"), 0, &addr, &size),
		 -KEEL_ENOENT);
	CHECK_EQ(devtree_read_reg(fdt, node(fdt, "/memory@40000000"), -1, &addr,
				  &size), -KEEL_EINVAL);
	CHECK_EQ(devtree_read_reg(fdt, -FDT_ERR_NOTFOUND, 0, &addr, &size),
		 -KEEL_EINVAL);
}

TEST(devtree_reg_parent_defaults_and_bad_buses)
{
	static const uint32_t reg3[] = { 0x1, 0x2000, 0x300 };
	static const uint32_t reg4[] = { 0x0, 0x0, 0x0, 0x100 };
	static const uint32_t one[] = { 1 }, three[] = { 3 };
	void *fdt = work_tree();
	uint64_t addr = 0, size = 0;

	REQUIRE(fdt != NULL);
	/* No #address-cells/#size-cells on the parent: 2 and 1. */
	CHECK(add_node(fdt, "/", "defaults") >= 0);
	CHECK(add_node(fdt, "/defaults", "device@1") >= 0);
	CHECK_EQ(set_cells(fdt, "/defaults/device@1", "reg", reg3, 3), 0);
	/* Three cells where the parent asks for two per entry. */
	CHECK(add_node(fdt, "/", "broken") >= 0);
	CHECK_EQ(set_cells(fdt, "/broken", "#address-cells", one, 1), 0);
	CHECK_EQ(set_cells(fdt, "/broken", "#size-cells", one, 1), 0);
	CHECK(add_node(fdt, "/broken", "device@1") >= 0);
	CHECK_EQ(set_cells(fdt, "/broken/device@1", "reg", reg3, 3), 0);
	/* Addresses wider than 64 bits. */
	CHECK(add_node(fdt, "/", "wide") >= 0);
	CHECK_EQ(set_cells(fdt, "/wide", "#address-cells", three, 1), 0);
	CHECK(add_node(fdt, "/wide", "device@0") >= 0);
	CHECK_EQ(set_cells(fdt, "/wide/device@0", "reg", reg4, 4), 0);

	CHECK_EQ(devtree_read_reg(fdt, node(fdt, "/defaults/device@1"), 0, &addr,
				  &size), 0);
	CHECK_EQ(addr, 0x100002000ULL);
	CHECK_EQ(size, 0x300);
	CHECK_EQ(devtree_read_reg(fdt, node(fdt, "/broken/device@1"), 0, &addr,
				  &size), -KEEL_EINVAL);
	CHECK_EQ(devtree_read_reg(fdt, node(fdt, "/wide/device@0"), 0, &addr,
				  &size), -KEEL_EINVAL);
}

TEST(devtree_integer_properties)
{
	const void *fdt = host_tree();
	uint64_t value64 = 0;
	uint32_t value32 = 0;
	int uart;

	REQUIRE(fdt != NULL);
	uart = node(fdt, "/pl011@9000000");
	CHECK_EQ(devtree_read_u64(fdt, uart, "clock-frequency", &value64), 0);
	CHECK_EQ(value64, 24000000);
	CHECK_EQ(devtree_read_u32(fdt, uart, "clock-frequency", &value32),
		 -KEEL_EINVAL);
	CHECK_EQ(devtree_read_u32(fdt, uart, "no-such-property", &value32),
		 -KEEL_ENOENT);
	CHECK_EQ(devtree_read_u64(fdt, uart, "no-such-property", &value64),
		 -KEEL_ENOENT);
	CHECK_EQ(devtree_read_u64(fdt, uart, "interrupts", &value64),
		 -KEEL_EINVAL);
	CHECK_EQ(devtree_read_u32(fdt, node(fdt, "/intc@8000000"),
				  "#interrupt-cells", &value32), 0);
	CHECK_EQ(value32, 3);
	/* A one-cell value read as 64 bits. */
	CHECK_EQ(devtree_read_u64(fdt, 0, "#address-cells", &value64), 0);
	CHECK_EQ(value64, 2);
	CHECK_EQ(devtree_read_u64(fdt, node(fdt, "/psci"), "compatible",
				  &value64), -KEEL_EINVAL);
}

/* ---- stdout-path and status ---- */

TEST(devtree_stdout_through_an_alias_with_options)
{
	const void *fdt = host_tree();

	REQUIRE(fdt != NULL);
	CHECK_EQ(devtree_stdout_node(fdt), node(fdt, "/pl011@9000000"));
	CHECK_EQ(devtree_stdout_node(NULL), -KEEL_ENOENT);
}

/* Sets /chosen/stdout-path; true when it resolves to the node at expect. */
static bool stdout_is(void *fdt, const char *path, const char *expect)
{
	int found;

	if (fdt_setprop_string(fdt, node(fdt, "/chosen"), "stdout-path", path))
		return false;
	/* Editing moves nodes: look the expected one up afterwards. */
	found = devtree_stdout_node(fdt);
	return found >= 0 && found == node(fdt, expect);
}

/* Sets /chosen/stdout-path and returns what it resolves to. */
static int stdout_with(void *fdt, const char *path)
{
	if (fdt_setprop_string(fdt, node(fdt, "/chosen"), "stdout-path", path))
		return -1000;
	return devtree_stdout_node(fdt);
}

TEST(devtree_stdout_path_forms)
{
	static const char unterminated[] = { 's', 'e', 'r' };
	void *fdt = work_tree();

	REQUIRE(fdt != NULL);
	CHECK(stdout_is(fdt, "/pl011@9000000", "/pl011@9000000"));
	CHECK(stdout_is(fdt, "/pl011@9040000:9600n8", "/pl011@9040000"));
	CHECK(stdout_is(fdt, "disabled-uart", "/pl011@9040000"));
	CHECK(stdout_is(fdt, "serial0:115200", "/pl011@9000000"));
	CHECK(stdout_with(fdt, "serial9") < 0);
	CHECK_EQ(stdout_with(fdt, "/nowhere"), -KEEL_ENOENT);
	CHECK_EQ(stdout_with(fdt, ":115200"), -KEEL_EINVAL);
	CHECK_EQ(stdout_with(fdt, ""), -KEEL_EINVAL);
	CHECK_EQ(fdt_setprop(fdt, node(fdt, "/chosen"), "stdout-path",
			     unterminated, sizeof(unterminated)), 0);
	CHECK_EQ(devtree_stdout_node(fdt), -KEEL_EINVAL);

	/* The old property name still works; no property at all does not. */
	CHECK_EQ(fdt_delprop(fdt, node(fdt, "/chosen"), "stdout-path"), 0);
	CHECK_EQ(devtree_stdout_node(fdt), -KEEL_ENOENT);
	CHECK_EQ(fdt_setprop_string(fdt, node(fdt, "/chosen"),
				    "linux,stdout-path", "serial0"), 0);
	CHECK_EQ(devtree_stdout_node(fdt), node(fdt, "/pl011@9000000"));
	CHECK_EQ(fdt_del_node(fdt, node(fdt, "/chosen")), 0);
	CHECK_EQ(devtree_stdout_node(fdt), -KEEL_ENOENT);
}

TEST(devtree_status)
{
	const void *fdt = host_tree();

	REQUIRE(fdt != NULL);
	CHECK(devtree_node_enabled(fdt, node(fdt, "/pl011@9000000")));
	CHECK(!devtree_node_enabled(fdt, node(fdt, "/pl011@9040000")));
	CHECK(devtree_node_enabled(fdt, node(fdt, "/bus@0/virtio_mmio@a000000")));
	CHECK(!devtree_node_enabled(fdt, node(fdt, "/bus@0/ethernet@a100000")));
	CHECK(devtree_node_enabled(fdt, node(fdt, "/memory@40000000")));
	CHECK(!devtree_node_enabled(fdt, -FDT_ERR_NOTFOUND));
}

/* ---- printing as source ---- */

TEST(devtree_print_one_node)
{
	const void *fdt = host_tree();

	REQUIRE(fdt != NULL);
	unit_console_clear();
	CHECK_EQ(devtree_print(fdt, "/pl011@9000000"), 0);
	CHECK_STR_EQ(unit_console_text(),
		     "pl011@9000000 {\n"
		     "\tcompatible = \"arm,pl011\", \"arm,primecell\";\n"
		     "\treg = <0x0 0x9000000 0x0 0x1000>;\n"
		     "\tinterrupts = <0x0 0x1 0x4>;\n"
		     "\tclock-frequency = <0x0 0x16e3600>;\n"
		     "\tstatus = \"okay\";\n"
		     "};\n");
	/* An alias names the same node. */
	unit_console_clear();
	CHECK_EQ(devtree_print(fdt, "serial0"), 0);
	CHECK(strncmp(unit_console_text(), "pl011@9000000 {\n", 16) == 0);
}

TEST(devtree_print_nested_with_every_value_form)
{
	const void *fdt = host_tree();

	REQUIRE(fdt != NULL);
	unit_console_clear();
	CHECK_EQ(devtree_print(fdt, "/bus@0"), 0);
	CHECK_STR_EQ(unit_console_text(),
		     "bus@0 {\n"
		     "\tcompatible = \"simple-bus\";\n"
		     "\t#address-cells = <0x1>;\n"
		     "\t#size-cells = <0x1>;\n"
		     "\tranges = <0x0 0x0 0x0 0x20000000>;\n"
		     "\n"
		     "\tvirtio_mmio@a000000 {\n"
		     "\t\tcompatible = \"virtio,mmio\";\n"
		     "\t\treg = <0xa000000 0x200 0xa000200 0x200>;\n"
		     "\t\tdma-coherent;\n"
		     "\t\tstatus = \"ok\";\n"
		     "\t};\n"
		     "\n"
		     "\tethernet@a100000 {\n"
		     "\t\treg = <0xa100000 0x1000>;\n"
		     "\t\tlocal-mac-address = [52 54 00 12 34 56];\n"
		     "\t\tlabel = \"say \\\"hi\\\"\";\n"
		     "\t\todd-string = [61 00 00];\n"
		     "\t\tstatus = \"okay-ish\";\n"
		     "\t};\n"
		     "};\n");
}

TEST(devtree_print_whole_tree)
{
	const void *fdt = host_tree();
	const char *out = unit_console_text();
	size_t whole;

	REQUIRE(fdt != NULL);
	unit_console_clear();
	CHECK_EQ(devtree_print(fdt, "/"), 0);
	CHECK(!strncmp(out, "/ {\n\t#address-cells = <0x2>;\n", 28));
	CHECK(strstr(out, "\n\tcpus {\n") != NULL);
	CHECK(strstr(out, "\n\t\tcpu@1 {\n\t\t\tdevice_type = \"cpu\";\n"));
	CHECK(strstr(out, "\t\tstdout-path = \"serial0:115200n8\";\n"));
	CHECK(strstr(out, "\t\tinterrupt-controller;\n") != NULL);
	CHECK_EQ(count_of(out, " {\n"), count_of(out, "};\n"));
	CHECK_EQ(count_of(out, " {\n"), 14);
	whole = strlen(out);
	CHECK(whole > 7 && !strcmp(out + whole - 7, "\t};\n};\n"));

	/* No path (or an empty one) means the root. */
	unit_console_clear();
	CHECK_EQ(devtree_print(fdt, NULL), 0);
	CHECK_EQ(strlen(out), whole);
	unit_console_clear();
	CHECK_EQ(devtree_print(fdt, ""), 0);
	CHECK_EQ(strlen(out), whole);
}

TEST(devtree_print_unknown_path)
{
	const void *fdt = host_tree();

	REQUIRE(fdt != NULL);
	unit_console_clear();
	CHECK_EQ(devtree_print(fdt, "/nope"), -KEEL_ENOENT);
	CHECK_STR_EQ(unit_console_text(), "/nope: no such node in the device tree\n");
	unit_console_clear();
	CHECK_EQ(devtree_print(fdt, "no-alias"), -KEEL_ENOENT);
	CHECK_STR_EQ(unit_console_text(),
		     "no-alias: no such node in the device tree\n");
	unit_console_clear();
	CHECK_EQ(devtree_print(NULL, "/"), -KEEL_ENOENT);
}

TEST(devtree_dt_command)
{
	const void *fdt = host_tree();

	REQUIRE(fdt != NULL);
	devtree_set_host(fdt);
	unit_console_clear();
	CHECK_EQ(shell_run_line("dt /cpus/cpu@0"), 0);
	CHECK(strncmp(unit_console_text(), "cpu@0 {\n", 8) == 0);
	unit_console_clear();
	CHECK_EQ(shell_run_line("dt /nope"), -KEEL_ENOENT);
	CHECK_STR_EQ(unit_console_text(), "/nope: no such node in the device tree\n");
	unit_console_clear();
	CHECK_EQ(shell_run_line("dt / /cpus"), -KEEL_EINVAL);
	CHECK(strstr(unit_console_text(), "usage: dt [path]") != NULL);
	devtree_set_host(NULL);
}

/* A small valid tree: / { a = <1>; n { }; }; */
static size_t small_tree(void *buf, size_t size)
{
	fdt_create(buf, (int)size);
	fdt_finish_reservemap(buf);
	fdt_begin_node(buf, "");
	fdt_property_u32(buf, "a", 1);
	fdt_begin_node(buf, "n");
	fdt_end_node(buf);
	fdt_end_node(buf);
	fdt_finish(buf);
	return fdt_totalsize(buf);
}

TEST(devtree_check_refuses_a_buffer_shorter_than_a_header)
{
	static uint64_t buf[64];
	char *copy;

	small_tree(buf, sizeof(buf));
	/* Exactly 20 bytes of heap: ASan catches any read of the rest. */
	copy = malloc(20);
	REQUIRE(copy != NULL);
	memcpy(copy, buf, 20);
	CHECK_EQ(devtree_check_full(copy, 20), -FDT_ERR_TRUNCATED);
	free(copy);
}

TEST(devtree_check_refuses_a_misaligned_structure_block)
{
	static uint64_t buf[64];
	struct fdt_header *h = (struct fdt_header *)buf;

	small_tree(buf, sizeof(buf));
	CHECK_EQ(devtree_check_full(buf, sizeof(buf)), 0);
	h->off_dt_struct = cpu_to_fdt32(fdt32_to_cpu(h->off_dt_struct) + 2);
	CHECK_EQ(devtree_check_full(buf, sizeof(buf)), -FDT_ERR_ALIGNMENT);
}

TEST(devtree_check_ends_on_a_property_length_that_wraps)
{
	static uint64_t buf[64];
	uint8_t *bytes = (uint8_t *)buf;
	size_t total = small_tree(buf, sizeof(buf));
	uint32_t off = fdt_off_dt_struct(buf);
	fdt32_t *len = NULL;

	/* The first property's length follows its FDT_PROP tag, after the
	 * root's FDT_BEGIN_NODE and its empty, padded name. */
	for (uint32_t i = off; i + 8 <= total; i += 4) {
		if (fdt32_to_cpu(*(fdt32_t *)(bytes + i)) == FDT_PROP) {
			len = (fdt32_t *)(bytes + i + 4);
			break;
		}
	}
	REQUIRE(len != NULL);
	*len = cpu_to_fdt32(0xfffffff4u);
	/* Must return (an error), not loop. */
	CHECK(devtree_check_full(buf, sizeof(buf)) < 0);
}
