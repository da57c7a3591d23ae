/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * RISC-V host interrupts as one controller: the hart-local interrupts
 * Keel takes in HS-mode (supervisor software = the IPI, supervisor timer),
 * seen in sip/sie, and the platform-level interrupt controller's (PLIC)
 * external sources, claimed and completed through this hart's S-mode
 * context. Ids: local interrupts keep their scause code, PLIC source n is
 * RISCV_IRQ_PLIC_BASE + n (arch/irq.h). IPIs are sent through SBI IPI and
 * arrive as the supervisor software interrupt.
 *
 * Which PLIC context serves which hart comes from the PLIC node's
 * "interrupts-extended": entry i names a hart's local interrupt
 * controller and the cause it raises there (9: supervisor external), and
 * context i is that pair.
 */
#include <keel/devtree.h>
#include <keel/driver.h>
#include <keel/errno.h>
#include <keel/irq.h>
#include <keel/log.h>
#include <keel/platform.h>
#include <keel/spinlock.h>
#include <arch/cpu.h>
#include <arch/csr.h>
#include <arch/io.h>
#include <arch/irq.h>
#include <arch/sbi.h>
#include <libfdt.h>

#define PLIC_PRIORITY(src) (0x0u + 4u * (src))
#define PLIC_ENABLE(ctx, src) (0x2000u + 0x80u * (ctx) + 4u * ((src) / 32u))
#define PLIC_THRESHOLD(ctx) (0x200000u + 0x1000u * (ctx))
#define PLIC_CLAIM(ctx) (0x200004u + 0x1000u * (ctx))
#define PLIC_MAX_SOURCES 1023u
#define PLIC_MAX_CONTEXTS 15872u
#define PLIC_NO_CONTEXT UINT32_MAX

static volatile uint8_t *plic_base;
static unsigned int plic_sources;                /* 1..plic_sources */
static uint32_t plic_context[KEEL_MAX_CPUS];     /* S-mode context per CPU */
static uint8_t plic_route_cpu[IRQ_MAX];          /* target CPU per source */
static bool plic_enabled[IRQ_MAX];
/* Enable words are shared by 32 sources: read-modify-write under a lock. */
static spinlock_t plic_lock = SPINLOCK_INIT;

static uint32_t plic_read(uint32_t off)
{
	return io_read32(plic_base + off);
}

static void plic_write(uint32_t off, uint32_t value)
{
	io_write32(plic_base + off, value);
}

static bool plic_id_is_source(unsigned int irq)
{
	return irq > RISCV_IRQ_PLIC_BASE && irq - RISCV_IRQ_PLIC_BASE <= plic_sources;
}

static unsigned long local_bit(unsigned int irq)
{
	if (irq == RISCV_IRQ_SOFT)
		return SIE_SSIE;
	if (irq == RISCV_IRQ_TIMER)
		return SIE_STIE;
	return 0;
}

/* Sets or clears source's enable bit in cpu's context; plic_lock held. */
static void plic_set_enable(unsigned int src, unsigned int cpu, bool on)
{
	uint32_t ctx = plic_context[cpu];
	uint32_t word;

	if (ctx == PLIC_NO_CONTEXT)
		return;
	word = plic_read(PLIC_ENABLE(ctx, src));
	word = on ? word | (1u << (src % 32)) : word & ~(1u << (src % 32));
	plic_write(PLIC_ENABLE(ctx, src), word);
}

static unsigned int plic_ack(void)
{
	unsigned long pending = csr_read(sip) & csr_read(sie);
	uint32_t ctx, src;

	if (pending & SIE_SSIE) {
		/* An IPI is an edge: cleared here, before its handler runs,
		 * so one sent meanwhile is taken again. */
		csr_clear(sip, SIE_SSIE);
		return RISCV_IRQ_SOFT;
	}
	/* Pending until the handler programs the next deadline. */
	if (pending & SIE_STIE)
		return RISCV_IRQ_TIMER;
	if (!(pending & SIE_SEIE))
		return IRQ_MAX;
	ctx = plic_context[arch_cpu_id()];
	if (ctx == PLIC_NO_CONTEXT)
		return IRQ_MAX;
	src = plic_read(PLIC_CLAIM(ctx));
	if (src == 0 || src > plic_sources)
		return IRQ_MAX;
	return RISCV_IRQ_PLIC_BASE + src;
}

static void plic_eoi(unsigned int irq)
{
	uint32_t ctx;

	if (!plic_id_is_source(irq))
		return;
	ctx = plic_context[arch_cpu_id()];
	if (ctx != PLIC_NO_CONTEXT)
		plic_write(PLIC_CLAIM(ctx), irq - RISCV_IRQ_PLIC_BASE);
}

static void plic_enable_irq(unsigned int irq)
{
	unsigned long flags;
	unsigned int src;

	if (irq < RISCV_IRQ_LOCAL_COUNT) {
		csr_set(sie, local_bit(irq));
		return;
	}
	if (!plic_id_is_source(irq))
		return;
	src = irq - RISCV_IRQ_PLIC_BASE;
	flags = spin_lock_irqsave(&plic_lock);
	plic_write(PLIC_PRIORITY(src), 1);
	plic_set_enable(src, plic_route_cpu[irq], true);
	plic_enabled[irq] = true;
	spin_unlock_irqrestore(&plic_lock, flags);
}

static void plic_disable_irq(unsigned int irq)
{
	unsigned long flags;

	if (irq < RISCV_IRQ_LOCAL_COUNT) {
		csr_clear(sie, local_bit(irq));
		return;
	}
	if (!plic_id_is_source(irq))
		return;
	flags = spin_lock_irqsave(&plic_lock);
	plic_set_enable(irq - RISCV_IRQ_PLIC_BASE, plic_route_cpu[irq], false);
	plic_enabled[irq] = false;
	spin_unlock_irqrestore(&plic_lock, flags);
}

static void plic_route(unsigned int irq, unsigned int cpu)
{
	unsigned long flags;
	unsigned int src;

	if (!plic_id_is_source(irq) || cpu >= cpu_count || cpu >= KEEL_MAX_CPUS)
		return;
	src = irq - RISCV_IRQ_PLIC_BASE;
	flags = spin_lock_irqsave(&plic_lock);
	if (plic_enabled[irq]) {
		plic_set_enable(src, plic_route_cpu[irq], false);
		plic_set_enable(src, cpu, true);
	}
	plic_route_cpu[irq] = (uint8_t)cpu;
	spin_unlock_irqrestore(&plic_lock, flags);
}

/* Entry `index` of "interrupts" (one cell: the source), or of
 * "interrupts-extended" (<phandle source> pairs). */
static int plic_from_devtree(const void *fdt, int node, int index)
{
	const fdt32_t *cells;
	uint32_t src;
	int len;

	cells = fdt_getprop(fdt, node, "interrupts", &len);
	if (cells) {
		if (index < 0 || (index + 1) * 4 > len)
			return -KEEL_ENOENT;
		src = fdt32_to_cpu(cells[index]);
	} else {
		cells = fdt_getprop(fdt, node, "interrupts-extended", &len);
		if (!cells)
			return -KEEL_ENOENT;
		if (index < 0 || (index + 1) * 8 > len)
			return -KEEL_ENOENT;
		src = fdt32_to_cpu(cells[2 * index + 1]);
	}
	if (src == 0 || src > plic_sources)
		return -KEEL_EINVAL;
	return (int)(RISCV_IRQ_PLIC_BASE + src);
}

/* The calling hart: external interrupts on, everything above priority 0
 * let through. Also the boot hart's part of the probe. */
static void plic_cpu_init(void)
{
	uint32_t ctx = plic_context[arch_cpu_id()];

	csr_clear(sip, SIE_SSIE);
	if (ctx == PLIC_NO_CONTEXT)
		return;
	plic_write(PLIC_THRESHOLD(ctx), 0);
	csr_set(sie, SIE_SEIE);
}

static void plic_send_ipi(unsigned int irq, unsigned int cpu)
{
	if (irq != RISCV_IRQ_SOFT || cpu >= cpu_count)
		return;
	sbi_send_ipi_hart(cpu_info[cpu].hwid);
}

static const struct irqchip_ops plic_ops = {
	.name = "plic",
	.ack = plic_ack,
	.eoi = plic_eoi,
	.enable = plic_enable_irq,
	.disable = plic_disable_irq,
	.route = plic_route,
	.from_devtree = plic_from_devtree,
	.cpu_init = plic_cpu_init,
	.send_ipi = plic_send_ipi,
	.ipi_kick = RISCV_IRQ_SOFT,
};

/* The hart id of the cpu node above a "riscv,cpu-intc" node, or -1. */
static int64_t intc_hartid(const void *fdt, int intc)
{
	uint64_t hartid, size;
	int cpu;

	if (intc < 0 || fdt_node_check_compatible(fdt, intc, "riscv,cpu-intc") != 0)
		return -1;
	cpu = fdt_parent_offset(fdt, intc);
	if (cpu < 0 || devtree_read_reg(fdt, cpu, 0, &hartid, &size))
		return -1;
	return (int64_t)hartid;
}

/* Finds each CPU's supervisor-external context; returns how many. */
static unsigned int plic_map_contexts(const void *fdt, int node)
{
	const fdt32_t *cells;
	unsigned int found = 0;
	int len;

	for (unsigned int cpu = 0; cpu < KEEL_MAX_CPUS; cpu++)
		plic_context[cpu] = PLIC_NO_CONTEXT;
	cells = fdt_getprop(fdt, node, "interrupts-extended", &len);
	if (!cells)
		return 0;
	for (int i = 0; i < len / 8 && (unsigned int)i < PLIC_MAX_CONTEXTS; i++) {
		int intc = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(cells[2 * i]));
		int64_t hartid = intc_hartid(fdt, intc);

		if (hartid < 0 || fdt32_to_cpu(cells[2 * i + 1]) != IRQ_S_EXT)
			continue;
		for (unsigned int cpu = 0; cpu < cpu_count && cpu < KEEL_MAX_CPUS; cpu++) {
			if (cpu_info[cpu].hwid == (uint64_t)hartid &&
			    plic_context[cpu] == PLIC_NO_CONTEXT) {
				plic_context[cpu] = (uint32_t)i;
				found++;
			}
		}
	}
	return found;
}

static int plic_probe(const void *fdt, int node)
{
	uint64_t base, size;
	uint32_t ndev;
	unsigned int contexts;
	int err = devtree_read_reg(fdt, node, 0, &base, &size);

	if (err)
		return err;
	if (devtree_read_u32(fdt, node, "riscv,ndev", &ndev) || ndev == 0) {
		log_error("plic: %s has no \"riscv,ndev\" (number of sources)",
			  fdt_get_name(fdt, node, NULL));
		return -KEEL_EINVAL;
	}
	sbi_probe();
	if (!sbi_has(SBI_EXT_IPI))
		log_warn("plic: the SBI firmware has no IPI extension; CPUs cannot kick each other");
	plic_base = hpa_to_ptr(base);
	plic_sources = MIN(ndev, MIN(PLIC_MAX_SOURCES, IRQ_MAX - RISCV_IRQ_PLIC_BASE - 1));
	contexts = plic_map_contexts(fdt, node);
	if (!contexts || plic_context[0] == PLIC_NO_CONTEXT) {
		log_error("plic: %s: no supervisor-mode context for the boot hart %llu in \"interrupts-extended\"",
			  fdt_get_name(fdt, node, NULL), (unsigned long long)cpu_info[0].hwid);
		return -KEEL_EINVAL;
	}
	/* Every source off and at priority 0 (never delivered) until asked for. */
	for (unsigned int cpu = 0; cpu < cpu_count && cpu < KEEL_MAX_CPUS; cpu++) {
		uint32_t ctx = plic_context[cpu];

		if (ctx == PLIC_NO_CONTEXT)
			continue;
		for (unsigned int src = 0; src <= plic_sources; src += 32)
			plic_write(PLIC_ENABLE(ctx, src), 0);
	}
	for (unsigned int src = 1; src <= plic_sources; src++)
		plic_write(PLIC_PRIORITY(src), 0);
	irqchip_register(&plic_ops);
	plic_cpu_init();
	log_info("plic: %u sources at 0x%llx, %u hart contexts; timer and IPIs from sip",
		 plic_sources, (unsigned long long)base, contexts);
	return 0;
}

static const char *const plic_compatible[] = {
	"sifive,plic-1.0.0", "riscv,plic0", NULL
};

HOST_DRIVER(plic, .name = "plic", .class = DRIVER_CLASS_IRQCHIP,
	    .compatible = plic_compatible, .probe = plic_probe);
