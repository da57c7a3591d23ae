/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the generated guest device tree (core/guest/guest_dtb.c
 * with each platform's nodes): built for a 2-vCPU guest with an initrd
 * and devices, then read back with libfdt. The arm64 platform is the
 * host's default; tests of the riscv64 one select it, and tests of
 * platform-neutral behaviour run on every platform.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/devtree.h>
#include <keel/emu.h>
#include <keel/errno.h>
#include <keel/guest_config.h>
#include <keel/guest_dtb.h>
#include <libfdt.h>
#include <arch/cpu.h>
#include <arch/guest_platform.h>

#include "../../arch/riscv64/virt/guest_isa.h"
#include "unit.h"

/* ---- emulators only these tests use ---- */

/* Writes "<name>@<base>" with compatible, reg and the interrupt as the
 * platform encodes it, as a real emulator does. */
static int test_emit_node(void *fdt, const char *name,
			  const struct guest_device_config *dev, uint32_t intc_phandle)
{
	fdt32_t reg[4] = {
		cpu_to_fdt32((uint32_t)(dev->base >> 32)),
		cpu_to_fdt32((uint32_t)dev->base),
		cpu_to_fdt32((uint32_t)(dev->size >> 32)),
		cpu_to_fdt32((uint32_t)dev->size),
	};
	char node[64];
	int err;

	snprintf(node, sizeof(node), "%s@%llx", name,
		 (unsigned long long)dev->base);
	err = fdt_begin_node(fdt, node);
	if (!err)
		err = fdt_property_string(fdt, "compatible", dev->compatible);
	if (!err)
		err = fdt_property(fdt, "reg", reg, sizeof(reg));
	if (!err)
		err = guest_dt_interrupts(fdt, dev, GUEST_IRQ_LEVEL, intc_phandle);
	if (!err)
		err = fdt_end_node(fdt);
	return err;
}

static int test_dtbdev_emit(void *fdt, const struct guest_device_config *dev,
			    uint32_t intc_phandle)
{
	return test_emit_node(fdt, "dtbdev", dev, intc_phandle);
}

static int test_broken_emit(void *fdt, const struct guest_device_config *dev,
			    uint32_t intc_phandle)
{
	return -FDT_ERR_BADSTATE;
}

EMULATOR_DEFINE(test_dtbdev, .name = "dtbdev", .compatible = "test,dtbdev",
		.dt_emit = test_dtbdev_emit);
EMULATOR_DEFINE(test_broken, .name = "broken", .compatible = "test,broken",
		.dt_emit = test_broken_emit);
EMULATOR_DEFINE(test_silent, .name = "silent", .compatible = "test,silent");

/* ---- the configuration ---- */

static void config_two_vcpus(struct guest_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->name, "dtb0");
	cfg->vcpus = 2;
	cfg->mem_count = 2;
	cfg->mem[0].base = 0x40000000;
	cfg->mem[0].size = 0x1000000;
	cfg->mem[1].base = 0x100000000ULL;
	cfg->mem[1].size = 0x200000;
	cfg->device_count = 3;
	strcpy(cfg->devices[0].name, "dev0");
	strcpy(cfg->devices[0].compatible, "test,dtbdev");
	cfg->devices[0].base = 0x0a000000;
	cfg->devices[0].size = 0x200;
	cfg->devices[0].has_irq = true;
	cfg->devices[0].irq = 5;
	strcpy(cfg->devices[1].name, "uart0");
	/* The platform's own UART, from its real emulator. */
	strcpy(cfg->devices[1].compatible, arch_guest_platform()->uart_compatible);
	cfg->devices[1].base = 0x09000000;
	cfg->devices[1].size = 0x1000;
	cfg->devices[1].has_irq = true;
	cfg->devices[1].irq = 1;
	strcpy(cfg->devices[2].name, "quiet");
	strcpy(cfg->devices[2].compatible, "test,silent");
	cfg->devices[2].base = 0x0b000000;
	cfg->devices[2].size = 0x1000;
	strcpy(cfg->boot.kernel, "/guests/basic.bin");
	strcpy(cfg->boot.bootargs, "console=ttyS0 basic.mode=checks");
}

static unsigned char dtb[16384] __attribute__((aligned(8)));

static const struct guest_dtb_extra initrd = {
	.initrd_start = 0x40800000,
	.initrd_end = 0x40923456,
};

/* ---- reading it back ---- */

static int node_of(const char *path)
{
	return fdt_path_offset(dtb, path);
}

static bool prop_is(const char *path, const char *prop, const void *value,
		    int len)
{
	const void *found;
	int found_len;

	found = fdt_getprop(dtb, node_of(path), prop, &found_len);
	if (!found || found_len != len || memcmp(found, value, (size_t)len)) {
		printf("  %s: \"%s\" differs (%d bytes)\n", path, prop,
		       found ? found_len : -1);
		return false;
	}
	return true;
}

static bool prop_string_is(const char *path, const char *prop, const char *s)
{
	return prop_is(path, prop, s, (int)strlen(s) + 1);
}

static bool prop_cells_are(const char *path, const char *prop,
			   const uint32_t *cells, unsigned int count)
{
	fdt32_t value[16];
	unsigned int i;

	for (i = 0; i < count && i < 16; i++)
		value[i] = cpu_to_fdt32(cells[i]);
	return prop_is(path, prop, value, (int)(count * sizeof(fdt32_t)));
}

#define CELLS(...) (const uint32_t[]){ __VA_ARGS__ }, \
	(unsigned int)(sizeof((const uint32_t[]){ __VA_ARGS__ }) / 4)

static uint64_t prop_u64(const char *path, const char *prop)
{
	const fdt64_t *value;
	int len;

	value = fdt_getprop(dtb, node_of(path), prop, &len);
	if (!value || len != 8)
		return 0;
	return fdt64_ld(value);
}

TEST(guest_dtb_describes_a_two_vcpu_guest)
{
	static struct guest_config cfg;
	static const char compatible[] = "keel,guest\0linux,dummy-virt";
	static const char psci[] = "arm,psci-1.0\0arm,psci-0.2";
	static const char *const order[] = {
		"chosen", "memory@40000000", "memory@100000000", "cpus", "psci",
		"intc@8000000", "timer", "dtbdev@a000000", "clock-uart0",
		"pl011@9000000",
	};
	unsigned int i;
	int node, intc;

	config_two_vcpus(&cfg);
	memset(dtb, 0xa5, sizeof(dtb));
	REQUIRE(guest_dtb_build(&cfg, &initrd, dtb, sizeof(dtb)) == 0);
	REQUIRE(fdt_check_header(dtb) == 0);
	CHECK(fdt_totalsize(dtb) <= sizeof(dtb));
	CHECK_EQ(devtree_check_full(dtb, fdt_totalsize(dtb)), 0);
	/* Compact: the strings block ends the blob. */
	CHECK_EQ(fdt_off_dt_strings(dtb) + fdt_size_dt_strings(dtb),
		 fdt_totalsize(dtb));

	/* root */
	CHECK(prop_cells_are("/", "#address-cells", CELLS(2)));
	CHECK(prop_cells_are("/", "#size-cells", CELLS(2)));
	CHECK(prop_is("/", "compatible", compatible, sizeof(compatible)));
	CHECK(prop_string_is("/", "model", "Keel guest dtb0"));
	CHECK(prop_cells_are("/", "interrupt-parent", CELLS(1)));

	/* root subnodes, in order */
	i = 0;
	fdt_for_each_subnode(node, dtb, 0) {
		const char *name = fdt_get_name(dtb, node, NULL);

		if (!CHECK(i < ARRAY_SIZE(order)) || !CHECK_STR_EQ(name, order[i]))
			break;
		i++;
	}
	CHECK_EQ(i, ARRAY_SIZE(order));

	/* chosen */
	CHECK(prop_string_is("/chosen", "bootargs",
			     "console=ttyS0 basic.mode=checks"));
	CHECK(prop_string_is("/chosen", "stdout-path", "/pl011@9000000"));
	CHECK(devtree_stdout_node(dtb) == node_of("/pl011@9000000"));
	CHECK_EQ(prop_u64("/chosen", "linux,initrd-start"), 0x40800000);
	CHECK_EQ(prop_u64("/chosen", "linux,initrd-end"), 0x40923456);

	/* memory */
	CHECK(prop_string_is("/memory@40000000", "device_type", "memory"));
	CHECK(prop_cells_are("/memory@40000000", "reg",
			     CELLS(0, 0x40000000, 0, 0x1000000)));
	CHECK(prop_string_is("/memory@100000000", "device_type", "memory"));
	CHECK(prop_cells_are("/memory@100000000", "reg",
			     CELLS(1, 0, 0, 0x200000)));

	/* cpus */
	CHECK(prop_cells_are("/cpus", "#address-cells", CELLS(1)));
	CHECK(prop_cells_are("/cpus", "#size-cells", CELLS(0)));
	CHECK(prop_string_is("/cpus/cpu@0", "device_type", "cpu"));
	CHECK(prop_string_is("/cpus/cpu@0", "compatible", "arm,armv8"));
	CHECK(prop_string_is("/cpus/cpu@0", "enable-method", "psci"));
	CHECK(prop_cells_are("/cpus/cpu@0", "reg", CELLS(0)));
	CHECK(prop_string_is("/cpus/cpu@1", "enable-method", "psci"));
	CHECK(prop_cells_are("/cpus/cpu@1", "reg", CELLS(1)));
	CHECK(node_of("/cpus/cpu@2") == -FDT_ERR_NOTFOUND);

	/* psci */
	CHECK(prop_is("/psci", "compatible", psci, sizeof(psci)));
	CHECK(prop_string_is("/psci", "method", "hvc"));

	/* GICv3: one redistributor frame pair per vCPU */
	intc = node_of("/intc@8000000");
	CHECK(prop_string_is("/intc@8000000", "compatible", "arm,gic-v3"));
	CHECK(prop_cells_are("/intc@8000000", "reg",
			     CELLS(0, 0x08000000, 0, 0x10000,
				   0, 0x080a0000, 0, 0x40000)));
	CHECK(prop_cells_are("/intc@8000000", "#interrupt-cells", CELLS(3)));
	CHECK(prop_cells_are("/intc@8000000", "#address-cells", CELLS(0)));
	CHECK(prop_is("/intc@8000000", "interrupt-controller", "", 0));
	CHECK(prop_cells_are("/intc@8000000", "#redistributor-regions",
			     CELLS(1)));
	CHECK(intc >= 0 && fdt_node_offset_by_phandle(dtb, 1) == intc);

	/* timer */
	CHECK(prop_string_is("/timer", "compatible", "arm,armv8-timer"));
	CHECK(prop_cells_are("/timer", "interrupts",
			     CELLS(1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4)));
	CHECK(prop_is("/timer", "always-on", "", 0));

	/* devices, from their emulators */
	CHECK(prop_string_is("/dtbdev@a000000", "compatible", "test,dtbdev"));
	CHECK(prop_cells_are("/dtbdev@a000000", "reg",
			     CELLS(0, 0x0a000000, 0, 0x200)));
	CHECK(prop_cells_are("/dtbdev@a000000", "interrupts", CELLS(0, 5, 4)));
	CHECK(prop_cells_are("/pl011@9000000", "interrupts", CELLS(0, 1, 4)));
	CHECK(prop_cells_are("/pl011@9000000", "interrupt-parent", CELLS(1)));
}

TEST(guest_dtb_describes_a_riscv64_guest)
{
	static struct guest_config cfg;
	static const char compatible[] = "keel,guest\0riscv-virtio";
	static const char plic[] = "sifive,plic-1.0.0\0riscv,plic0";
	static const char *const order[] = {
		"chosen", "memory@80000000", "cpus", "plic@c000000",
		"ns16550@10000000", "virtio_mmio@10001000", "dtbdev@10008000",
	};
	char path[48];
	unsigned int i;
	int node, plic_node;

	host_guest_platform_select(&riscv64_virt_platform);
	/* The harts' ISA is what this host offers guests (guest_isa.c). */
	riscv_guest_isa_offer(riscv_isa_parse("rv64imafdch_zicsr_zifencei_zihintpause_zbb_sstc"),
			      true);
	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.name, "rv0");
	cfg.vcpus = 3;
	cfg.mem_count = 1;
	cfg.mem[0].base = 0x80000000;
	cfg.mem[0].size = 0x8000000;
	cfg.device_count = 3;
	strcpy(cfg.devices[0].name, "uart0");
	strcpy(cfg.devices[0].compatible, "ns16550a");
	cfg.devices[0].base = 0x10000000;
	cfg.devices[0].size = 0x100;
	cfg.devices[0].has_irq = true;
	cfg.devices[0].irq = 10;
	strcpy(cfg.devices[1].name, "rng0");
	strcpy(cfg.devices[1].compatible, "virtio,rng");
	cfg.devices[1].base = 0x10001000;
	cfg.devices[1].size = 0x1000;
	cfg.devices[1].has_irq = true;
	cfg.devices[1].irq = 1;
	strcpy(cfg.devices[2].name, "dev0");
	strcpy(cfg.devices[2].compatible, "test,dtbdev");
	cfg.devices[2].base = 0x10008000;
	cfg.devices[2].size = 0x1000;
	cfg.devices[2].has_irq = true;
	cfg.devices[2].irq = 95;
	strcpy(cfg.boot.bootargs, "console=ttyS0");
	REQUIRE(guest_dtb_build(&cfg, &initrd, dtb, sizeof(dtb)) == 0);
	REQUIRE(fdt_check_header(dtb) == 0);
	CHECK_EQ(devtree_check_full(dtb, fdt_totalsize(dtb)), 0);

	CHECK(prop_is("/", "compatible", compatible, sizeof(compatible)));
	CHECK(prop_cells_are("/", "interrupt-parent", CELLS(1)));
	i = 0;
	fdt_for_each_subnode(node, dtb, 0) {
		const char *name = fdt_get_name(dtb, node, NULL);

		if (!CHECK(i < ARRAY_SIZE(order)) || !CHECK_STR_EQ(name, order[i]))
			break;
		i++;
	}
	CHECK_EQ(i, ARRAY_SIZE(order));
	CHECK(prop_string_is("/chosen", "stdout-path", "/ns16550@10000000"));
	CHECK_EQ(prop_u64("/chosen", "linux,initrd-start"), 0x40800000);

	/* cpus: the timebase is the host counter's, one intc per hart */
	CHECK(prop_cells_are("/cpus", "timebase-frequency", CELLS((uint32_t)arch_counter_freq())));
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/cpus/cpu@%u", i);
		CHECK(prop_string_is(path, "device_type", "cpu"));
		CHECK(prop_cells_are(path, "reg", CELLS(i)));
		CHECK(prop_string_is(path, "compatible", "riscv"));
		CHECK(prop_string_is(path, "riscv,isa",
				     "rv64imafdc_zicsr_zifencei_zihintpause_zbb_sstc"));
		CHECK(prop_string_is(path, "mmu-type", "riscv,sv39"));
		CHECK(prop_string_is(path, "status", "okay"));
		snprintf(path, sizeof(path), "/cpus/cpu@%u/interrupt-controller", i);
		CHECK(prop_string_is(path, "compatible", "riscv,cpu-intc"));
		CHECK(prop_cells_are(path, "#interrupt-cells", CELLS(1)));
		CHECK(prop_cells_are(path, "#address-cells", CELLS(0)));
		CHECK(prop_is(path, "interrupt-controller", "", 0));
		CHECK(fdt_node_offset_by_phandle(dtb, 0x10 + i) == node_of(path));
		/* Its own parent: a root controller, not a child of the root
		 * node's interrupt-parent (the PLIC). */
		CHECK(prop_cells_are(path, "interrupt-parent", CELLS(0x10 + i)));
	}
	CHECK(node_of("/cpus/cpu@3") == -FDT_ERR_NOTFOUND);

	/* the PLIC: M and S contexts of each hart, QEMU's order */
	plic_node = node_of("/plic@c000000");
	CHECK(prop_is("/plic@c000000", "compatible", plic, sizeof(plic)));
	CHECK(prop_cells_are("/plic@c000000", "reg", CELLS(0, 0x0c000000, 0, 0x206000)));
	CHECK(prop_cells_are("/plic@c000000", "#interrupt-cells", CELLS(1)));
	CHECK(prop_cells_are("/plic@c000000", "#address-cells", CELLS(0)));
	CHECK(prop_is("/plic@c000000", "interrupt-controller", "", 0));
	CHECK(prop_cells_are("/plic@c000000", "riscv,ndev", CELLS(95)));
	CHECK(prop_cells_are("/plic@c000000", "interrupts-extended",
			     CELLS(0x10, 11, 0x10, 9, 0x11, 11, 0x11, 9, 0x12, 11, 0x12, 9)));
	CHECK(plic_node >= 0 && fdt_node_offset_by_phandle(dtb, 1) == plic_node);

	/* devices: one-cell PLIC specifiers */
	CHECK(prop_string_is("/ns16550@10000000", "compatible", "ns16550a"));
	CHECK(prop_cells_are("/ns16550@10000000", "reg", CELLS(0, 0x10000000, 0, 0x100)));
	CHECK(prop_cells_are("/ns16550@10000000", "interrupts", CELLS(10)));
	CHECK(prop_cells_are("/ns16550@10000000", "interrupt-parent", CELLS(1)));
	CHECK(prop_cells_are("/ns16550@10000000", "clock-frequency", CELLS(3686400)));
	CHECK(fdt_getprop(dtb, node_of("/ns16550@10000000"), "reg-shift", NULL) == NULL);
	CHECK(prop_cells_are("/virtio_mmio@10001000", "interrupts", CELLS(1)));
	CHECK(prop_cells_are("/dtbdev@10008000", "interrupts", CELLS(95)));

	/* An interrupt the platform does not have is not encoded. */
	cfg.devices[2].irq = 0;
	CHECK_EQ(guest_dtb_build(&cfg, &initrd, dtb, sizeof(dtb)), -KEEL_EINVAL);
	cfg.devices[2].irq = 96;
	CHECK_EQ(guest_dtb_build(&cfg, &initrd, dtb, sizeof(dtb)), -KEEL_EINVAL);
	/* The 32-bit register layout is described. */
	cfg.devices[2].irq = 2;
	cfg.devices[0].reg_shift = 2;
	cfg.devices[0].reg_io_width = 4;
	REQUIRE(guest_dtb_build(&cfg, &initrd, dtb, sizeof(dtb)) == 0);
	CHECK(prop_cells_are("/ns16550@10000000", "reg-shift", CELLS(2)));
	CHECK(prop_cells_are("/ns16550@10000000", "reg-io-width", CELLS(4)));
	riscv_guest_isa_offer(riscv_isa_parse("rv64imafdc"), false);
}

TEST(guest_dtb_leaves_out_what_is_not_configured)
{
	static struct guest_config cfg;
	const struct guest_dtb_extra none = { 0 };
	int len;

	config_two_vcpus(&cfg);
	cfg.boot.bootargs[0] = '\0';
	cfg.devices[1] = cfg.devices[2];   /* no UART */
	cfg.device_count = 2;
	cfg.mem_count = 1;
	cfg.vcpus = 8;
	REQUIRE(guest_dtb_build(&cfg, &none, dtb, sizeof(dtb)) == 0);
	CHECK(node_of("/chosen") >= 0);
	CHECK(!fdt_getprop(dtb, node_of("/chosen"), "bootargs", &len));
	CHECK(!fdt_getprop(dtb, node_of("/chosen"), "stdout-path", &len));
	CHECK(!fdt_getprop(dtb, node_of("/chosen"), "linux,initrd-start", &len));
	CHECK(!fdt_getprop(dtb, node_of("/chosen"), "linux,initrd-end", &len));
	CHECK(node_of("/memory@100000000") == -FDT_ERR_NOTFOUND);
	CHECK(node_of("/cpus/cpu@7") >= 0);
	CHECK(prop_cells_are("/intc@8000000", "reg",
			     CELLS(0, 0x08000000, 0, 0x10000,
				   0, 0x080a0000, 0, 0x100000)));

	/* No extra at all is the same as no initrd. */
	REQUIRE(guest_dtb_build(&cfg, NULL, dtb, sizeof(dtb)) == 0);
	CHECK(!fdt_getprop(dtb, node_of("/chosen"), "linux,initrd-start", &len));
}

static void dtb_small_buffers(void)
{
	static struct guest_config cfg;
	size_t need, size;
	unsigned char *buf;

	config_two_vcpus(&cfg);
	REQUIRE(guest_dtb_build(&cfg, &initrd, dtb, sizeof(dtb)) == 0);
	need = fdt_totalsize(dtb);

	/* Every smaller size fails cleanly; each buffer is allocated to
	 * its exact size so that ASan sees any write past it. */
	for (size = 0; size < need; size++) {
		buf = malloc(size ? size : 1);
		REQUIRE(buf);
		if (!CHECK_EQ(guest_dtb_build(&cfg, &initrd, buf, size),
			      -KEEL_ENOSPC))
			printf("  at %zu of %zu bytes\n", size, need);
		free(buf);
	}
	buf = malloc(need);
	REQUIRE(buf);
	CHECK_EQ(guest_dtb_build(&cfg, &initrd, buf, need), 0);
	CHECK_EQ(fdt_totalsize(buf), need);
	CHECK(!memcmp(buf, dtb, need));
	free(buf);
}

TEST(guest_dtb_reports_a_small_buffer)
{
	for (const struct guest_platform *const *p = host_guest_platforms; *p; p++) {
		host_guest_platform_select(*p);
		dtb_small_buffers();
	}
}

TEST(guest_dtb_refuses_what_it_cannot_build)
{
	static struct guest_config cfg;
	const struct guest_dtb_extra backwards = { 0x40900000, 0x40800000 };

	config_two_vcpus(&cfg);
	CHECK_EQ(guest_dtb_build(NULL, NULL, dtb, sizeof(dtb)), -KEEL_EINVAL);
	CHECK_EQ(guest_dtb_build(&cfg, NULL, NULL, sizeof(dtb)), -KEEL_EINVAL);
	CHECK_EQ(guest_dtb_build(&cfg, NULL, dtb + 4, sizeof(dtb) - 4),
		 -KEEL_EINVAL);
	CHECK_EQ(guest_dtb_build(&cfg, &backwards, dtb, sizeof(dtb)),
		 -KEEL_EINVAL);

	strcpy(cfg.devices[0].compatible, "test,nothing");
	CHECK_EQ(guest_dtb_build(&cfg, NULL, dtb, sizeof(dtb)), -KEEL_EINVAL);
	strcpy(cfg.devices[0].compatible, "test,broken");
	CHECK_EQ(guest_dtb_build(&cfg, NULL, dtb, sizeof(dtb)), -KEEL_EINVAL);

	config_two_vcpus(&cfg);
	cfg.vcpus = 0;
	CHECK_EQ(guest_dtb_build(&cfg, NULL, dtb, sizeof(dtb)), -KEEL_EINVAL);
	cfg.vcpus = GUEST_MAX_VCPUS + 1;
	CHECK_EQ(guest_dtb_build(&cfg, NULL, dtb, sizeof(dtb)), -KEEL_EINVAL);
}

/* A guest node parsed and turned into its device tree, on each platform
 * with its own UART and interrupt specifiers. */
static void dtb_follow_parsed_node(const struct guest_platform *platform, gpa_t ram,
				   gpa_t uart_base, const char *uart_node,
				   const uint32_t *irq_cells, unsigned int irq_count)
{
	static unsigned char tree[4096] __attribute__((aligned(8)));
	static struct guest_config cfg;
	fdt32_t mem[4] = { 0, cpu_to_fdt32((uint32_t)ram), 0,
			   cpu_to_fdt32(0x1000000) };
	fdt32_t uart[4] = { 0, cpu_to_fdt32((uint32_t)uart_base), 0,
			    cpu_to_fdt32(0x1000) };
	fdt32_t one = cpu_to_fdt32(1), two = cpu_to_fdt32(2);
	char err[GUEST_ERROR_MAX], stdout_path[40], mem_path[32];
	int guest, node;

	host_guest_platform_select(platform);
	REQUIRE(fdt_create_empty_tree(tree, sizeof(tree)) == 0);
	guest = fdt_add_subnode(tree, fdt_add_subnode(tree, 0, "guests"), "basic0");
	CHECK_EQ(fdt_setprop_string(tree, guest, "compatible", "keel,guest"), 0);
	CHECK_EQ(fdt_setprop(tree, guest, "vcpus", &two, sizeof(two)), 0);
	node = fdt_add_subnode(tree, guest, "memory");
	CHECK_EQ(fdt_setprop(tree, node, "reg", mem, sizeof(mem)), 0);
	node = fdt_add_subnode(tree, fdt_add_subnode(tree, guest, "devices"),
			       "uart0");
	CHECK_EQ(fdt_setprop_string(tree, node, "compatible", platform->uart_compatible), 0);
	CHECK_EQ(fdt_setprop(tree, node, "reg", uart, sizeof(uart)), 0);
	CHECK_EQ(fdt_setprop(tree, node, "interrupts", &one, sizeof(one)), 0);
	node = fdt_add_subnode(tree, guest, "boot");
	CHECK_EQ(fdt_setprop_string(tree, node, "kernel", "/guests/basic.bin"), 0);
	CHECK_EQ(fdt_setprop_string(tree, node, "bootargs",
				    "basic.mode=checks basic.name=basic0"), 0);

	REQUIRE(guest_config_parse(tree, fdt_path_offset(tree, "/guests/basic0"),
				   &cfg, err, sizeof(err)) == 0);
	REQUIRE(guest_dtb_build(&cfg, NULL, dtb, sizeof(dtb)) == 0);
	CHECK(prop_string_is("/", "model", "Keel guest basic0"));
	CHECK(prop_string_is("/chosen", "bootargs",
			     "basic.mode=checks basic.name=basic0"));
	snprintf(stdout_path, sizeof(stdout_path), "/%s", uart_node);
	CHECK(prop_string_is("/chosen", "stdout-path", stdout_path));
	snprintf(mem_path, sizeof(mem_path), "/memory@%llx", (unsigned long long)ram);
	CHECK(prop_cells_are(mem_path, "reg", CELLS(0, (uint32_t)ram, 0, 0x1000000)));
	CHECK(node_of("/cpus/cpu@1") >= 0);
	CHECK(prop_cells_are(stdout_path, "interrupts", irq_cells, irq_count));
}

TEST(guest_dtb_follows_a_parsed_node)
{
	dtb_follow_parsed_node(&arm64_virt_platform, 0x40000000, 0x09000000,
			       "pl011@9000000", CELLS(0, 1, 4));
	dtb_follow_parsed_node(&riscv64_virt_platform, 0x80000000, 0x10000000,
			       "ns16550@10000000", CELLS(1));
}
