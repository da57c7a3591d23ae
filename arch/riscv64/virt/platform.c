/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The riscv64 guest platform, laid out like QEMU's riscv "virt" machine:
 * RAM from 0x80000000, a PLIC at 0x0c000000, the ns16550a UART at
 * 0x10000000 on PLIC source 10 and virtio-mmio slots from 0x10001000,
 * 0x1000 apart, on sources 1 to 8 (guest nodes place their devices; the
 * shipped ones follow this layout). Guest kernels built for QEMU virt
 * find their devices where they expect them. The guest runs in VS-mode
 * and reaches the firmware through SBI calls Keel answers: there is no
 * CLINT or ACLINT (timer and IPIs are SBI TIME and IPI) and no firmware
 * node (Linux finds SBI by calling it).
 *
 * Device interrupt n of a guest node is PLIC source n (1..95, source 0
 * does not exist; riscv,ndev = 95 as on QEMU virt), described by the
 * one-cell specifier <n>. The PLIC has two contexts per vCPU, M then S
 * (emulators/irqchip/plic.h): "interrupts-extended" lists each hart's
 * M-level (11) and S-level (9) external interrupt, as QEMU does, so the
 * context numbers are QEMU's and Linux serves the S contexts.
 *
 * The ISA string is what the host harts have and a guest can use under
 * Keel (guest_isa.c: RV64GC, the stateless Z extensions, Sstc where
 * vstimecmp works). The MMU type is Sv39, which every riscv64 MMU with H
 * has.
 *
 * Like arch/arm64/virt/platform.c this file uses only arch-neutral
 * headers and libfdt and exports one thing, riscv64_virt_platform: the
 * host unit tests build it too (arch/host/platform_riscv64.c). It takes
 * no lock and waits for nothing.
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/guest_config.h>
#include <arch/cpu.h>
#include <irqchip/plic.h>
#include <lib/format.h>
#include <libfdt.h>

#include "guest_isa.h"

/* Sv48x4 G-stage: 50-bit guest-physical addresses. A guest with RAM
 * only below 2 TiB gets Sv39x4; one above needs harts with Sv48x4, which
 * creating it checks (mmu/gstage.c). */
#define RV_VIRT_IPA_BITS 50
#define RV_VIRT_PLIC_BASE 0x0c000000ULL
#define RV_VIRT_PLIC_NDEV 95
#define RV_VIRT_PLIC_PHANDLE 1U
/* Each hart's "riscv,cpu-intc": phandle base + hart. */
#define RV_VIRT_CPU_INTC_PHANDLE 0x10U
/* Local interrupt numbers of the hart's interrupt controller. */
#define RV_IRQ_S_EXTERNAL 9U
#define RV_IRQ_M_EXTERNAL 11U

#define RV_VIRT_MMU "riscv,sv39"

/* The Linux riscv Image header (Documentation/riscv/boot-image-header.rst):
 * magic2 "RSC\x05" at 56, the deprecated "RISCV" magic before it is not
 * looked at. */
#define IMAGE_MAGIC "RSC\x05"
/* RV64 kernels use 2 MiB (the firmware's below); a bigger value than
 * this is a corrupt header. */
#define IMAGE_TEXT_OFFSET_MAX 0x1000000ULL
#define IMAGE_SIZE_MAX 0x40000000ULL

static const struct guest_platform_range rv_virt_ranges[] = {
	{ "PLIC", RV_VIRT_PLIC_BASE, PLIC_SIZE(GUEST_MAX_VCPUS) },
};

/* ---- the guest device tree ---- */

/* Device interrupt n is PLIC source n: <n>; the PLIC has no trigger
 * cell (its sources are level-sensitive). */
static unsigned int rv_virt_irq_cells(uint32_t irq, enum guest_irq_trigger trigger,
				      uint32_t *cells)
{
	cells[0] = irq;
	return 1;
}

static int rv_virt_dt_error(int fdt_err)
{
	return fdt_err == -FDT_ERR_NOSPACE ? -KEEL_ENOSPC : -KEEL_EINVAL;
}

/* The counter's frequency, a u32 where it fits as the binding prefers. */
static int rv_virt_dt_timebase(void *fdt)
{
	uint64_t hz = arch_counter_freq();

	if (hz <= UINT32_MAX)
		return fdt_property_u32(fdt, "timebase-frequency", (uint32_t)hz);
	return fdt_property_u64(fdt, "timebase-frequency", hz);
}

static int rv_virt_dt_cpu(void *fdt, unsigned int hart)
{
	char name[16];
	int err;

	fmt_snprintf(name, sizeof(name), "cpu@%x", hart);
	err = fdt_begin_node(fdt, name);
	if (!err)
		err = fdt_property_string(fdt, "device_type", "cpu");
	if (!err)
		err = fdt_property_u32(fdt, "reg", hart);
	if (!err)
		err = fdt_property_string(fdt, "status", "okay");
	if (!err)
		err = fdt_property_string(fdt, "compatible", "riscv");
	if (!err)
		err = fdt_property_string(fdt, "riscv,isa", riscv_guest_isa());
	if (!err)
		err = fdt_property_string(fdt, "mmu-type", RV_VIRT_MMU);
	if (!err)
		err = fdt_begin_node(fdt, "interrupt-controller");
	if (!err)
		err = fdt_property_u32(fdt, "#interrupt-cells", 1);
	/* No children; stated so interrupt-map parsing and dtc's checks
	 * need not guess. */
	if (!err)
		err = fdt_property_u32(fdt, "#address-cells", 0);
	if (!err)
		err = fdt_property(fdt, "interrupt-controller", "", 0);
	if (!err)
		err = fdt_property_string(fdt, "compatible", "riscv,cpu-intc");
	if (!err)
		err = fdt_property_u32(fdt, "phandle", RV_VIRT_CPU_INTC_PHANDLE + hart);
	/* A root controller: its own parent, so that it does not inherit the
	 * root node's interrupt-parent (the PLIC), which would leave Linux
	 * with no root controller ("No interrupt controller found"). */
	if (!err)
		err = fdt_property_u32(fdt, "interrupt-parent", RV_VIRT_CPU_INTC_PHANDLE + hart);
	if (!err)
		err = fdt_end_node(fdt);
	return err ? err : fdt_end_node(fdt);
}

static int rv_virt_dt_cpus(void *fdt, unsigned int vcpus)
{
	unsigned int i;
	int err;

	err = fdt_begin_node(fdt, "cpus");
	if (!err)
		err = fdt_property_u32(fdt, "#address-cells", 1);
	if (!err)
		err = fdt_property_u32(fdt, "#size-cells", 0);
	if (!err)
		err = rv_virt_dt_timebase(fdt);
	for (i = 0; !err && i < vcpus; i++)
		err = rv_virt_dt_cpu(fdt, i);
	return err ? err : fdt_end_node(fdt);
}

static int rv_virt_dt_plic(void *fdt, unsigned int vcpus)
{
	const uint64_t size = PLIC_SIZE(vcpus);
	const fdt32_t reg[4] = {
		cpu_to_fdt32((uint32_t)(RV_VIRT_PLIC_BASE >> 32)),
		cpu_to_fdt32((uint32_t)RV_VIRT_PLIC_BASE),
		cpu_to_fdt32((uint32_t)(size >> 32)), cpu_to_fdt32((uint32_t)size),
	};
	static const char compatible[] = "sifive,plic-1.0.0\0riscv,plic0";
	fdt32_t contexts[4 * GUEST_MAX_VCPUS];
	char name[32];
	unsigned int i;
	int err;

	/* Context 2n: hart n's M-level external interrupt, 2n + 1: its
	 * S-level one (plic.h). */
	for (i = 0; i < vcpus; i++) {
		contexts[4 * i] = cpu_to_fdt32(RV_VIRT_CPU_INTC_PHANDLE + i);
		contexts[4 * i + 1] = cpu_to_fdt32(RV_IRQ_M_EXTERNAL);
		contexts[4 * i + 2] = cpu_to_fdt32(RV_VIRT_CPU_INTC_PHANDLE + i);
		contexts[4 * i + 3] = cpu_to_fdt32(RV_IRQ_S_EXTERNAL);
	}
	fmt_snprintf(name, sizeof(name), "plic@%llx",
		     (unsigned long long)RV_VIRT_PLIC_BASE);
	err = fdt_begin_node(fdt, name);
	if (!err)
		err = fdt_property(fdt, "compatible", compatible, sizeof(compatible));
	if (!err)
		err = fdt_property_u32(fdt, "#interrupt-cells", 1);
	if (!err)
		err = fdt_property_u32(fdt, "#address-cells", 0);
	if (!err)
		err = fdt_property(fdt, "interrupt-controller", "", 0);
	if (!err)
		err = fdt_property(fdt, "reg", reg, sizeof(reg));
	if (!err)
		err = fdt_property(fdt, "interrupts-extended", contexts,
				   (int)(4 * vcpus * sizeof(contexts[0])));
	if (!err)
		err = fdt_property_u32(fdt, "riscv,ndev", RV_VIRT_PLIC_NDEV);
	if (!err)
		err = fdt_property_u32(fdt, "phandle", RV_VIRT_PLIC_PHANDLE);
	return err ? err : fdt_end_node(fdt);
}

static int rv_virt_dt_nodes(void *fdt, const struct guest_config *cfg)
{
	int err;

	if (!fdt || !cfg || cfg->vcpus < 1 || cfg->vcpus > GUEST_MAX_VCPUS)
		return -KEEL_EINVAL;
	err = rv_virt_dt_cpus(fdt, cfg->vcpus);
	if (!err)
		err = rv_virt_dt_plic(fdt, cfg->vcpus);
	if (err)
		return rv_virt_dt_error(err);
	return (int)RV_VIRT_PLIC_PHANDLE;
}

/* ---- kernel images ---- */

/* No legacy form: an image_size of 0 is a corrupt header. */
static const struct guest_linux_image rv_virt_image = {
	.magic = IMAGE_MAGIC,
	.text_offset_max = IMAGE_TEXT_OFFSET_MAX,
	.size_max = IMAGE_SIZE_MAX,
};

static int rv_virt_image_layout(const void *image, size_t len, uint64_t *offset,
				uint64_t *size)
{
	return guest_linux_image_layout(&rv_virt_image, image, len, offset, size);
}

const struct guest_platform riscv64_virt_platform = {
	.name = "riscv64 virt",
	.ipa_bits = RV_VIRT_IPA_BITS,
	.max_vcpus = GUEST_MAX_VCPUS,
	.irq_first = 1,
	.irq_count = RV_VIRT_PLIC_NDEV,
	.range_count = ARRAY_SIZE(rv_virt_ranges),
	.ranges = rv_virt_ranges,
	.intc_name = "PLIC",
	.uart_compatible = "ns16550a",
	.console_name = "ttyS0",
	.root_compatible = "riscv-virtio",
	.irq_cells = rv_virt_irq_cells,
	.dt_nodes = rv_virt_dt_nodes,
	.image_layout = rv_virt_image_layout,
	.dtb_default_gpa = guest_dtb_top_of_ram,
};
