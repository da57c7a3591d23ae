/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Arm GICv3 for Keel itself: the distributor routes shared interrupts with
 * affinity routing, each CPU wakes its redistributor, and the CPU interface
 * is used through system registers. Keel runs every interrupt in group 1.
 */
#include <keel/devtree.h>
#include <keel/driver.h>
#include <keel/errno.h>
#include <keel/irq.h>
#include <keel/log.h>
#include <keel/platform.h>
#include <keel/time.h>
#include <hw/gicv3.h>
#include <arch/boot.h>
#include <arch/cpu.h>
#include <libfdt.h>



#define GICR_SGI_FRAME 0x10000

#define IRQ_PRIORITY 0xa0
#define IRQ_SPURIOUS 1020
#define IS_PRIVATE(irq) ((irq) < 32)

static uint8_t *gicd;
static uint8_t *gicr_region;
static uint64_t gicr_region_size;
static uint8_t *gicr_of_cpu[KEEL_MAX_CPUS];
static unsigned int spi_count;

static uint32_t mmio_read32(uint8_t *base, unsigned int off)
{
	return *(volatile uint32_t *)(base + off);
}

static void mmio_write32(uint8_t *base, unsigned int off, uint32_t value)
{
	*(volatile uint32_t *)(base + off) = value;
}

static uint64_t mmio_read64(uint8_t *base, unsigned int off)
{
	return *(volatile uint64_t *)(base + off);
}

static void mmio_write64(uint8_t *base, unsigned int off, uint64_t value)
{
	*(volatile uint64_t *)(base + off) = value;
}

static void gicd_wait_rwp(void)
{
	uint64_t deadline = time_now_ns() + 100 * NSEC_PER_MSEC;

	while (mmio_read32(gicd, GICD_CTLR) & GICD_CTLR_RWP) {
		if (time_now_ns() > deadline) {
			log_error("gicv3: distributor register write did not complete");
			return;
		}
	}
}

/* Base of the SGI/PPI frame that holds irq's registers on this CPU. */
static uint8_t *private_frame(void)
{
	return gicr_of_cpu[arch_cpu_id()] + GICR_SGI_FRAME;
}

static uint8_t *irq_frame(unsigned int irq)
{
	return IS_PRIVATE(irq) ? private_frame() : gicd;
}

static void gic_set_bit(unsigned int reg, unsigned int irq)
{
	mmio_write32(irq_frame(irq), reg + (irq / 32) * 4, 1u << (irq % 32));
}

static unsigned int gic_ack(void)
{
	unsigned int irq = (unsigned int)read_sysreg(ICC_IAR1_EL1) & 0xffffff;

	isb();
	return irq >= IRQ_SPURIOUS ? IRQ_MAX : irq;
}

static void gic_eoi(unsigned int irq)
{
	write_sysreg(ICC_EOIR1_EL1, irq);
	isb();
}

static void gic_enable(unsigned int irq)
{
	uint8_t *frame = irq_frame(irq);

	if (!IS_PRIVATE(irq) && irq >= 32 + spi_count)
		return;
	*(volatile uint8_t *)(frame + GICD_IPRIORITYR + irq) = IRQ_PRIORITY;
	gic_set_bit(GICD_ISENABLER, irq);
	if (!IS_PRIVATE(irq))
		gicd_wait_rwp();
}

static void gic_disable(unsigned int irq)
{
	gic_set_bit(GICD_ICENABLER, irq);
	if (!IS_PRIVATE(irq))
		gicd_wait_rwp();
}

static void gic_route(unsigned int irq, unsigned int cpu)
{
	uint64_t hwid;

	if (IS_PRIVATE(irq) || irq >= 32 + spi_count || cpu >= KEEL_MAX_CPUS)
		return;
	hwid = cpu_info[cpu].hwid;
	/* IROUTER takes Aff3 in bits 39:32 and Aff2..0 in bits 23:0. */
	mmio_write64(gicd, GICD_IROUTER + irq * 8,
		     (hwid & 0xffffff) | ((hwid >> 32) & 0xff) << 32);
}

/* "interrupts" cells: <type number flags>, type 0 = SPI, 1 = PPI. */
static int gic_from_devtree(const void *fdt, int node, int index)
{
	int len;
	const fdt32_t *cells = fdt_getprop(fdt, node, "interrupts", &len);
	uint32_t type, number;

	if (!cells)
		return -KEEL_ENOENT;
	if (len < (index + 1) * 12)
		return -KEEL_ENOENT;
	type = fdt32_to_cpu(cells[index * 3]);
	number = fdt32_to_cpu(cells[index * 3 + 1]);
	if (type == 0 && number < 988)
		return (int)(number + 32);
	if (type == 1 && number < 16)
		return (int)(number + 16);
	return -KEEL_EINVAL;
}

/* Finds this CPU's redistributor by the affinity in GICR_TYPER. */
static uint8_t *find_redistributor(uint64_t hwid)
{
	uint64_t aff = (hwid & 0xffffff) | ((hwid >> 32) & 0xff) << 24;

	for (uint64_t off = 0; off + GICR_FRAME_SIZE <= gicr_region_size;
	     off += GICR_FRAME_SIZE) {
		uint8_t *frame = gicr_region + off;
		uint64_t typer = mmio_read64(frame, GICR_TYPER);

		if ((typer >> 32) == aff)
			return frame;
		if (typer & GICR_TYPER_LAST)
			break;
	}
	return NULL;
}

static void gic_cpu_init(void)
{
	unsigned int cpu = arch_cpu_id();
	uint8_t *rd = find_redistributor(arch_cpu_hwid());
	uint64_t deadline;

	if (!rd) {
		log_error("gicv3: no redistributor for CPU %u (MPIDR 0x%llx)", cpu,
			  (unsigned long long)arch_cpu_hwid());
		return;
	}
	gicr_of_cpu[cpu] = rd;
	mmio_write32(rd, GICR_WAKER,
		     mmio_read32(rd, GICR_WAKER) & ~GICR_WAKER_PROCESSOR_SLEEP);
	deadline = time_now_ns() + 100 * NSEC_PER_MSEC;
	while (mmio_read32(rd, GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP) {
		if (time_now_ns() > deadline) {
			log_error("gicv3: redistributor of CPU %u did not wake", cpu);
			return;
		}
	}
	/* SGIs and PPIs: group 1, disabled until requested. */
	mmio_write32(rd + GICR_SGI_FRAME, GICD_IGROUPR, 0xffffffff);
	mmio_write32(rd + GICR_SGI_FRAME, GICD_ICENABLER, 0xffffffff);
	mmio_write32(rd + GICR_SGI_FRAME, GICD_ICPENDR, 0xffffffff);

	write_sysreg(ICC_SRE_EL2, read_sysreg(ICC_SRE_EL2) | 0x9); /* SRE, Enable */
	isb();
	write_sysreg(ICC_PMR_EL1, 0xff);
	write_sysreg(ICC_BPR1_EL1, 0);
	write_sysreg(ICC_CTLR_EL1, 0);  /* EOI both drops priority and deactivates */
	write_sysreg(ICC_IGRPEN1_EL1, 1);
	isb();
}

/* The SGI Keel kicks other CPUs with. */
#define GIC_SGI_KICK 0

/* SGIs use affinity routing: Aff3.Aff2.Aff1 select the cluster, a bit of
 * the target list selects Aff0 (below 16 on every machine Keel runs on). */
static void gic_send_ipi(unsigned int irq, unsigned int cpu)
{
	uint64_t hwid = cpu_info[cpu].hwid;
	uint64_t aff0 = hwid & 0xff;

	if (irq >= 16 || aff0 >= 16)
		return;
	dsb(ishst);
	write_sysreg(ICC_SGI1R_EL1, ((hwid >> 32) & 0xff) << 48 | ((hwid >> 16) & 0xff) << 32 |
				    (uint64_t)irq << 24 | ((hwid >> 8) & 0xff) << 16 |
				    (1ULL << aff0));
	isb();
}

static const struct irqchip_ops gicv3_ops = {
	.name = "gicv3",
	.ack = gic_ack,
	.eoi = gic_eoi,
	.enable = gic_enable,
	.disable = gic_disable,
	.route = gic_route,
	.from_devtree = gic_from_devtree,
	.cpu_init = gic_cpu_init,
	.send_ipi = gic_send_ipi,
	.ipi_kick = GIC_SGI_KICK,
};

static int gicv3_probe(const void *fdt, int node)
{
	uint64_t base, size;
	int err;

	err = devtree_read_reg(fdt, node, 0, &base, &size);
	if (err)
		return err;
	gicd = hpa_to_ptr(base);
	err = devtree_read_reg(fdt, node, 1, &base, &gicr_region_size);
	if (err)
		return err;
	gicr_region = hpa_to_ptr(base);

	spi_count = MIN(((mmio_read32(gicd, GICD_TYPER) & 0x1f) + 1) * 32, 1020u) - 32;
	mmio_write32(gicd, GICD_CTLR, 0);
	gicd_wait_rwp();
	for (unsigned int i = 32; i < 32 + spi_count; i += 32) {
		mmio_write32(gicd, GICD_IGROUPR + i / 8, 0xffffffff);
		mmio_write32(gicd, GICD_ICENABLER + i / 8, 0xffffffff);
		mmio_write32(gicd, GICD_ICPENDR + i / 8, 0xffffffff);
		mmio_write32(gicd, GICD_ICACTIVER + i / 8, 0xffffffff);
	}
	gicd_wait_rwp();
	mmio_write32(gicd, GICD_CTLR,
		     GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1 | GICD_CTLR_ENABLE_G0);
	gicd_wait_rwp();

	irqchip_register(&gicv3_ops);
	gic_cpu_init();
	log_info("gicv3: distributor at 0x%llx, %u SPIs",
		 (unsigned long long)ptr_to_hpa(gicd), spi_count);
	return 0;
}

static const char *const gicv3_compatible[] = { "arm,gic-v3", NULL };

HOST_DRIVER(gicv3, .name = "gicv3", .class = DRIVER_CLASS_IRQCHIP,
	    .compatible = gicv3_compatible, .probe = gicv3_probe);
