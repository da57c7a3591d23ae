/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The arm64 guest platform, laid out like QEMU's "virt" machine: a GICv3
 * at 0x08000000, PSCI through HVC, the architected timer. Guest kernels
 * built for QEMU virt find their devices where they expect them.
 *
 * This file uses only arch-neutral headers and libfdt and exports one
 * thing, arm64_virt_platform: the host unit tests build it too
 * (arch/host/platform_arm64.c), so that what they check of the guest
 * platform is what arm64 runs. It takes no lock and waits for nothing.
 * The timer PPIs are described level-sensitive, as vtimer.c drives them.
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/guest_config.h>
#include <lib/format.h>
#include <libfdt.h>

#define VIRT_IPA_BITS 40
#define VIRT_SPI_COUNT 128
#define VIRT_GICD_BASE 0x08000000ULL
#define VIRT_GICD_SIZE 0x10000ULL
#define VIRT_GICR_BASE 0x080a0000ULL
#define VIRT_GICR_SIZE_PER_CPU 0x20000ULL   /* RD_base + SGI_base frames */
#define VIRT_INTC_PHANDLE 1U

/* Interrupt specifier fields of "arm,gic-v3" (#interrupt-cells = 3). */
#define VIRT_GIC_SPI 0U
#define VIRT_GIC_PPI 1U
#define VIRT_IRQ_EDGE_RISING 1U
#define VIRT_IRQ_LEVEL_HIGH 4U
/* Architected timer PPIs: secure, non-secure physical, virtual, hyp. */
static const uint32_t virt_timer_ppis[] = { 13, 14, 11, 10 };

/* The Linux arm64 Image header (Documentation/arm64/booting.rst). */
#define IMAGE_MAGIC "ARM\x64"
/* Kernels before 3.17 leave image_size 0 and use this text_offset. */
#define IMAGE_LEGACY_TEXT_OFFSET 0x80000ULL
/* The Image goes text_offset bytes above a 2 MiB aligned base. */
#define IMAGE_TEXT_OFFSET_MAX 0x200000ULL
/* No arm64 kernel image is larger; a bigger value is a corrupt header. */
#define IMAGE_SIZE_MAX 0x40000000ULL

static const struct guest_platform_range virt_ranges[] = {
	{ "GICv3 distributor", VIRT_GICD_BASE, VIRT_GICD_SIZE },
	{ "GICv3 redistributors", VIRT_GICR_BASE,
	  VIRT_GICR_SIZE_PER_CPU * GUEST_MAX_VCPUS },
};

/* ---- the guest device tree ---- */

/* Device interrupt n is SPI n: <0 n trigger>. */
static unsigned int virt_irq_cells(uint32_t irq, enum guest_irq_trigger trigger,
				   uint32_t *cells)
{
	cells[0] = VIRT_GIC_SPI;
	cells[1] = irq;
	cells[2] = trigger == GUEST_IRQ_EDGE ? VIRT_IRQ_EDGE_RISING : VIRT_IRQ_LEVEL_HIGH;
	return 3;
}

static int virt_dt_error(int fdt_err)
{
	return fdt_err == -FDT_ERR_NOSPACE ? -KEEL_ENOSPC : -KEEL_EINVAL;
}

static int virt_dt_cells(void *fdt, const char *name, const uint32_t *cells,
			 unsigned int count)
{
	fdt32_t value[12];
	unsigned int i;

	if (count > ARRAY_SIZE(value))
		return -FDT_ERR_BADVALUE;
	for (i = 0; i < count; i++)
		value[i] = cpu_to_fdt32(cells[i]);
	return fdt_property(fdt, name, value, (int)(count * sizeof(value[0])));
}

static int virt_dt_cpus(void *fdt, unsigned int vcpus)
{
	char name[16];
	unsigned int i;
	int err;

	err = fdt_begin_node(fdt, "cpus");
	if (!err)
		err = fdt_property_u32(fdt, "#address-cells", 1);
	if (!err)
		err = fdt_property_u32(fdt, "#size-cells", 0);
	for (i = 0; !err && i < vcpus; i++) {
		/* reg is the vCPU's MPIDR affinity: Aff0 = vCPU id. */
		fmt_snprintf(name, sizeof(name), "cpu@%x", i);
		err = fdt_begin_node(fdt, name);
		if (!err)
			err = fdt_property_string(fdt, "device_type", "cpu");
		if (!err)
			err = fdt_property_string(fdt, "compatible", "arm,armv8");
		if (!err)
			err = fdt_property_u32(fdt, "reg", i);
		if (!err)
			err = fdt_property_string(fdt, "enable-method", "psci");
		if (!err)
			err = fdt_end_node(fdt);
	}
	return err ? err : fdt_end_node(fdt);
}

static int virt_dt_psci(void *fdt)
{
	static const char compatible[] = "arm,psci-1.0\0arm,psci-0.2";
	int err;

	err = fdt_begin_node(fdt, "psci");
	if (!err)
		err = fdt_property(fdt, "compatible", compatible,
				   sizeof(compatible));
	if (!err)
		err = fdt_property_string(fdt, "method", "hvc");
	return err ? err : fdt_end_node(fdt);
}

static int virt_dt_gic(void *fdt, unsigned int vcpus)
{
	const uint64_t gicr_size = VIRT_GICR_SIZE_PER_CPU * vcpus;
	const uint32_t reg[] = {
		(uint32_t)(VIRT_GICD_BASE >> 32), (uint32_t)VIRT_GICD_BASE,
		(uint32_t)(VIRT_GICD_SIZE >> 32), (uint32_t)VIRT_GICD_SIZE,
		(uint32_t)(VIRT_GICR_BASE >> 32), (uint32_t)VIRT_GICR_BASE,
		(uint32_t)(gicr_size >> 32), (uint32_t)gicr_size,
	};
	char name[32];
	int err;

	fmt_snprintf(name, sizeof(name), "intc@%llx",
		     (unsigned long long)VIRT_GICD_BASE);
	err = fdt_begin_node(fdt, name);
	if (!err)
		err = fdt_property_string(fdt, "compatible", "arm,gic-v3");
	if (!err)
		err = fdt_property_u32(fdt, "#interrupt-cells", 3);
	/* No children (no ITS); stated so interrupt-map parsing and dtc's
	 * checks need not guess. */
	if (!err)
		err = fdt_property_u32(fdt, "#address-cells", 0);
	if (!err)
		err = fdt_property(fdt, "interrupt-controller", "", 0);
	if (!err)
		err = virt_dt_cells(fdt, "reg", reg, ARRAY_SIZE(reg));
	if (!err)
		err = fdt_property_u32(fdt, "#redistributor-regions", 1);
	if (!err)
		err = fdt_property_u32(fdt, "phandle", VIRT_INTC_PHANDLE);
	return err ? err : fdt_end_node(fdt);
}

static int virt_dt_timer(void *fdt)
{
	uint32_t interrupts[3 * ARRAY_SIZE(virt_timer_ppis)];
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(virt_timer_ppis); i++) {
		interrupts[3 * i] = VIRT_GIC_PPI;
		interrupts[3 * i + 1] = virt_timer_ppis[i];
		interrupts[3 * i + 2] = VIRT_IRQ_LEVEL_HIGH;
	}
	err = fdt_begin_node(fdt, "timer");
	if (!err)
		err = fdt_property_string(fdt, "compatible", "arm,armv8-timer");
	if (!err)
		err = virt_dt_cells(fdt, "interrupts", interrupts,
				    ARRAY_SIZE(interrupts));
	if (!err)
		err = fdt_property(fdt, "always-on", "", 0);
	return err ? err : fdt_end_node(fdt);
}

static int virt_dt_nodes(void *fdt, const struct guest_config *cfg)
{
	int err;

	if (!fdt || !cfg || cfg->vcpus < 1 || cfg->vcpus > GUEST_MAX_VCPUS)
		return -KEEL_EINVAL;
	err = virt_dt_cpus(fdt, cfg->vcpus);
	if (!err)
		err = virt_dt_psci(fdt);
	if (!err)
		err = virt_dt_gic(fdt, cfg->vcpus);
	if (!err)
		err = virt_dt_timer(fdt);
	if (err)
		return virt_dt_error(err);
	return (int)VIRT_INTC_PHANDLE;
}

/* ---- kernel images ---- */

static const struct guest_linux_image virt_image = {
	.magic = IMAGE_MAGIC,
	.text_offset_max = IMAGE_TEXT_OFFSET_MAX,
	.size_max = IMAGE_SIZE_MAX,
	.legacy_text_offset = IMAGE_LEGACY_TEXT_OFFSET,
};

static int virt_image_layout(const void *image, size_t len, uint64_t *offset,
			     uint64_t *size)
{
	return guest_linux_image_layout(&virt_image, image, len, offset, size);
}

const struct guest_platform arm64_virt_platform = {
	.name = "arm64 virt",
	.ipa_bits = VIRT_IPA_BITS,
	.max_vcpus = GUEST_MAX_VCPUS,
	.irq_first = 0,
	.irq_count = VIRT_SPI_COUNT,
	.range_count = ARRAY_SIZE(virt_ranges),
	.ranges = virt_ranges,
	.intc_name = "GICv3",
	.uart_compatible = "arm,pl011",
	.console_name = "ttyAMA0",
	.root_compatible = "linux,dummy-virt",
	.irq_cells = virt_irq_cells,
	.dt_nodes = virt_dt_nodes,
	.image_layout = virt_image_layout,
	.dtb_default_gpa = guest_dtb_top_of_ram,
};
