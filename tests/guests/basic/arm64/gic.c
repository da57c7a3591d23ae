/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GICv3 for the basic guest: the distributor with affinity routing, this
 * vCPU's redistributor (SGIs and PPIs only) and the CPU interface through
 * its system registers. All interrupts are Group 1 with one priority.
 */
#include "arm64.h"
#include "../arch.h"

#define GICD_CTLR 0x0000
#define GICD_CTLR_ENABLE_GRP1 (1U << 1)	/* EnableGrp1(A) in either view */
#define GICD_CTLR_ARE (1U << 4)		/* ARE, or ARE_NS */
#define GICD_CTLR_RWP (1U << 31)

#define GICR_CTLR 0x0000
#define GICR_CTLR_RWP (1U << 3)
#define GICR_TYPER 0x0008
#define GICR_TYPER_LAST (1U << 4)
#define GICR_WAKER 0x0014
#define GICR_WAKER_PROCESSOR_SLEEP (1U << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1U << 2)
#define GICR_MAX_FRAMES 64

/* In the SGI frame, 64 KiB after the redistributor's RD frame. */
#define GICR_SGI_FRAME 0x10000
#define GICR_IGROUPR0 0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_ICENABLER0 0x0180
#define GICR_ICPENDR0 0x0280
#define GICR_IPRIORITYR 0x0400

#define GIC_PRIORITY 0x80
#define GIC_INTID_SPURIOUS 1020
#define GIC_PRIVATE_IRQS 32

/* The system registers by encoding, so any assembler takes them. */
#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define ICC_BPR1_EL1 S3_0_C12_C12_3
#define ICC_CTLR_EL1 S3_0_C12_C12_4
#define ICC_SRE_EL1 S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICC_SGI1R_EL1 S3_0_C12_C11_5
#define ICC_SRE_SRE 1U

/* Expand the names above before stringifying them. */
#define sysreg_read(reg) read_sysreg(reg)
#define sysreg_write(reg, value) write_sysreg(reg, value)

static irq_handler_fn *irq_handlers[GIC_PRIVATE_IRQS];
static bool gic_distributor_ready;

/* Waits up to ~100 ms of counter time for (read32(addr) & mask) == 0. */
static bool gic_wait_clear(uintptr_t addr, uint32_t mask)
{
	uint64_t end = arch_counter_read() + counter_hz / 10;

	while (mmio_read32(addr) & mask)
		if (arch_counter_read() > end)
			return (mmio_read32(addr) & mask) == 0;
	return true;
}

static const char *gic_init_distributor(struct cpu_state *cpu)
{
	/* ARE may only change while the groups are disabled. */
	mmio_write32(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE);
	if (gic_wait_clear(GICD_BASE + GICD_CTLR, GICD_CTLR_RWP))
		mmio_write32(GICD_BASE + GICD_CTLR,
			     GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1);
	if (!gic_wait_clear(GICD_BASE + GICD_CTLR, GICD_CTLR_RWP))
		return "GICD_CTLR.RWP stays set";
	if (!(mmio_read32(GICD_BASE + GICD_CTLR) & GICD_CTLR_ARE)) {
		format_string(cpu->error, sizeof(cpu->error),
			      "expected GICD_CTLR.ARE to be 1; GICD_CTLR reads 0x%x",
			      mmio_read32(GICD_BASE + GICD_CTLR));
		return cpu->error;
	}
	return NULL;
}

/* The redistributor whose GICR_TYPER affinity is this vCPU's MPIDR. */
static uintptr_t gic_find_redistributor(void)
{
	uint64_t mpidr = cpu_mpidr();
	uint64_t affinity = (mpidr >> 32 & 0xff) << 24 | (mpidr & 0xffffff);

	for (unsigned int i = 0; i < GICR_MAX_FRAMES; i++) {
		uintptr_t rd = GICR_BASE + i * GICR_STRIDE;
		uint64_t typer = mmio_read64(rd + GICR_TYPER);

		if (typer >> 32 == affinity)
			return rd;
		if (typer & GICR_TYPER_LAST)
			break;
	}
	return 0;
}

const char *arch_irq_init(void)
{
	struct cpu_state *cpu = this_cpu();
	uintptr_t rd, sgi;

	if (cpu->irq_ready)
		return NULL;
	if (!gic_distributor_ready) {
		const char *why = gic_init_distributor(cpu);

		if (why)
			return why;
		gic_distributor_ready = true;
	}

	rd = gic_find_redistributor();
	if (!rd) {
		format_string(cpu->error, sizeof(cpu->error),
			      "no GICv3 redistributor from 0x%lx has this vCPU's affinity (MPIDR 0x%lx)",
			      GICR_BASE, cpu_mpidr());
		return cpu->error;
	}
	mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) &
		     ~GICR_WAKER_PROCESSOR_SLEEP);
	if (!gic_wait_clear(rd + GICR_WAKER, GICR_WAKER_CHILDREN_ASLEEP)) {
		format_string(cpu->error, sizeof(cpu->error),
			      "redistributor at 0x%lx did not wake: GICR_WAKER 0x%x",
			      rd, mmio_read32(rd + GICR_WAKER));
		return cpu->error;
	}

	sgi = rd + GICR_SGI_FRAME;
	mmio_write32(sgi + GICR_ICENABLER0, 0xffffffff);
	gic_wait_clear(rd + GICR_CTLR, GICR_CTLR_RWP);
	mmio_write32(sgi + GICR_ICPENDR0, 0xffffffff);
	mmio_write32(sgi + GICR_IGROUPR0, 0xffffffff);
	for (unsigned int i = 0; i < GIC_PRIVATE_IRQS; i += 4)
		mmio_write32(sgi + GICR_IPRIORITYR + i, GIC_PRIORITY * 0x01010101U);

	sysreg_write(ICC_SRE_EL1, sysreg_read(ICC_SRE_EL1) | ICC_SRE_SRE);
	isb();
	if (!(sysreg_read(ICC_SRE_EL1) & ICC_SRE_SRE))
		return "ICC_SRE_EL1.SRE stays 0: no GICv3 system register interface";
	sysreg_write(ICC_PMR_EL1, 0xff);
	sysreg_write(ICC_BPR1_EL1, 0);
	sysreg_write(ICC_CTLR_EL1, 0);		/* EOImode 0: EOI also deactivates */
	sysreg_write(ICC_IGRPEN1_EL1, 1);
	isb();

	cpu->redistributor = rd;
	cpu->irq_ready = true;
	return NULL;
}

void gic_set_handler(unsigned int intid, irq_handler_fn *fn)
{
	if (intid < GIC_PRIVATE_IRQS)
		irq_handlers[intid] = fn;
	dsb_sy();
}

void gic_enable_private(unsigned int intid)
{
	uintptr_t rd = this_cpu()->redistributor;

	if (rd && intid < GIC_PRIVATE_IRQS)
		mmio_write32(rd + GICR_SGI_FRAME + GICR_ISENABLER0, 1U << intid);
	dsb_sy();
}

static void gic_disable_private(unsigned int intid)
{
	uintptr_t rd = this_cpu()->redistributor;

	if (rd && intid < GIC_PRIVATE_IRQS) {
		mmio_write32(rd + GICR_SGI_FRAME + GICR_ICENABLER0, 1U << intid);
		gic_wait_clear(rd + GICR_CTLR, GICR_CTLR_RWP);
	}
}

void gic_send_sgi(unsigned int intid, uint64_t mpidr)
{
	uint64_t aff0 = mpidr & 0xff, aff1 = mpidr >> 8 & 0xff;
	uint64_t aff2 = mpidr >> 16 & 0xff, aff3 = mpidr >> 32 & 0xff;
	/* TargetList covers Aff0 16 at a time; RS picks which 16. */
	uint64_t value = aff3 << 48 | (aff0 >> 4) << 44 | aff2 << 32 |
			 (uint64_t)(intid & 0xf) << 24 | aff1 << 16 |
			 1ULL << (aff0 & 0xf);

	dsb_sy();
	sysreg_write(ICC_SGI1R_EL1, value);
	isb();
}

void gic_handle_irq(struct exception_frame *frame)
{
	uint64_t iar = sysreg_read(ICC_IAR1_EL1);
	unsigned int intid = (unsigned int)(iar & 0xffffff);

	/* The wait's WFI has not run yet: step over it, this was the wake-up. */
	if (frame->elr == (uintptr_t)wfi_instruction)
		frame->elr += 4;
	if (intid >= GIC_INTID_SPURIOUS && intid <= 1023)
		return;
	if (intid < GIC_PRIVATE_IRQS && irq_handlers[intid]) {
		irq_handlers[intid](intid);
	} else {
		print_line("unexpected interrupt %u on vCPU %u: disabled", intid,
			   arch_cpu_index());
		gic_disable_private(intid);
	}
	sysreg_write(ICC_EOIR1_EL1, iar);
	isb();
}

/* The GIC binding: <type number flags>, type 0 an SPI, 1 a PPI. */
#define GIC_DT_SPI 0
#define GIC_DT_PPI 1
#define GIC_SPI_COUNT 988

unsigned int arch_irq_from_dt(const uint32_t *cells, unsigned int count)
{
	if (count < 3)
		return 0;
	if (cells[0] == GIC_DT_SPI && cells[1] < GIC_SPI_COUNT)
		return cells[1] + 32;
	if (cells[0] == GIC_DT_PPI && cells[1] < 16)
		return cells[1] + 16;
	return 0;
}
