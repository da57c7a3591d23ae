/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host interrupts. One interrupt controller driver registers its ops; other
 * drivers request interrupt numbers (controller ids, e.g. GIC INTIDs) with a
 * handler. The arch's IRQ vector calls irq_handle().
 */
#ifndef KEEL_IRQ_H
#define KEEL_IRQ_H

#include <keel/types.h>

#define IRQ_MAX 1024

typedef void (*irq_handler_t)(unsigned int irq, void *arg);

struct irqchip_ops {
	const char *name;
	/* Returns the id of the highest-priority pending interrupt and
	 * acknowledges it, or a value >= IRQ_MAX when none is pending. */
	unsigned int (*ack)(void);
	void (*eoi)(unsigned int irq);
	void (*enable)(unsigned int irq);
	void (*disable)(unsigned int irq);
	/* Makes an SPI-like interrupt target one CPU. */
	void (*route)(unsigned int irq, unsigned int cpu);
	/* Translates entry `index` of node's "interrupts" into an id. */
	int (*from_devtree)(const void *fdt, int node, int index);
	/* Brings up the calling CPU's local part (secondary CPUs). */
	void (*cpu_init)(void);
	/* Raises software-generated interrupt irq on another CPU. */
	void (*send_ipi)(unsigned int irq, unsigned int cpu);
	/* The id of the inter-processor interrupt send_ipi() raises for a
	 * kick (a GIC SGI number, RISC-V's supervisor software interrupt). */
	unsigned int ipi_kick;
};

void irqchip_register(const struct irqchip_ops *ops);
bool irqchip_present(void);
/* Installs handler for irq and enables it. Per-CPU interrupts (PPIs) must be
 * requested on every CPU that wants them. */
int irq_request(unsigned int irq, irq_handler_t handler, void *arg);
/* Masks or unmasks a requested interrupt (a PPI: on the calling CPU
 * only); what is pending stays pending. */
void irq_set_masked(unsigned int irq, bool masked);
int irq_from_devtree(const void *fdt, int node, int index);
void irq_route(unsigned int irq, unsigned int cpu);
void irq_cpu_init(void);
/* Sends IPI irq to cpu; false when the controller cannot. */
bool irq_send_ipi(unsigned int cpu, unsigned int irq);
/* The inter-processor interrupt that makes a CPU leave guest mode and
 * look at its run queue again (its handler does nothing else): the
 * interrupt controller driver's choice. */
unsigned int irq_ipi_kick_id(void);
/* Installs the kick IPI on the calling CPU. */
void irq_ipi_cpu_init(void);
/* Called from the arch's interrupt vector: handles everything pending. */
void irq_handle(void);

#endif
