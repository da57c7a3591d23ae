/* SPDX-License-Identifier: GPL-2.0-only */
/* Host interrupt dispatch on top of the registered interrupt controller. */
#include <keel/errno.h>
#include <keel/irq.h>
#include <keel/log.h>
#include <keel/platform.h>
#include <arch/boot.h>
#include <arch/cpu.h>

struct irq_slot {
	irq_handler_t handler;
	void *arg;
	uint64_t count;
};

static const struct irqchip_ops *irqchip;
static struct irq_slot irq_table[IRQ_MAX];

void irqchip_register(const struct irqchip_ops *ops)
{
	irqchip = ops;
}

bool irqchip_present(void)
{
	return irqchip != NULL;
}

int irq_request(unsigned int irq, irq_handler_t handler, void *arg)
{
	if (!irqchip)
		return -KEEL_ENOSYS;
	if (irq >= IRQ_MAX || !handler)
		return -KEEL_EINVAL;
	if (irq_table[irq].handler && irq_table[irq].handler != handler)
		return -KEEL_EBUSY;
	irq_table[irq].arg = arg;
	irq_table[irq].handler = handler;
	irqchip->enable(irq);
	return 0;
}

void irq_set_masked(unsigned int irq, bool masked)
{
	if (!irqchip || irq >= IRQ_MAX || !irq_table[irq].handler)
		return;
	if (masked)
		irqchip->disable(irq);
	else
		irqchip->enable(irq);
}

int irq_from_devtree(const void *fdt, int node, int index)
{
	if (!irqchip || !irqchip->from_devtree)
		return -KEEL_ENOSYS;
	return irqchip->from_devtree(fdt, node, index);
}

void irq_route(unsigned int irq, unsigned int cpu)
{
	if (irqchip && irqchip->route)
		irqchip->route(irq, cpu);
}

void irq_cpu_init(void)
{
	if (irqchip && irqchip->cpu_init)
		irqchip->cpu_init();
}

bool irq_send_ipi(unsigned int cpu, unsigned int irq)
{
	if (!irqchip || !irqchip->send_ipi || cpu >= cpu_count)
		return false;
	irqchip->send_ipi(irq, cpu);
	return true;
}

static void irq_ipi_kick(unsigned int irq, void *arg)
{
	/* Taking the interrupt was the point: a guest on this CPU exited,
	 * an idle wait ended. Unless Keel is going down. */
	if (READ_ONCE(keel_halting))
		arch_cpu_park();
}

unsigned int irq_ipi_kick_id(void)
{
	return irqchip ? irqchip->ipi_kick : 0;
}

void irq_ipi_cpu_init(void)
{
	if (irq_request(irq_ipi_kick_id(), irq_ipi_kick, NULL))
		log_error("irq: CPU %u cannot take the kick IPI", arch_cpu_id());
}

void irq_handle(void)
{
	unsigned int cpu = arch_cpu_id();

	for (;;) {
		unsigned int irq = irqchip->ack();
		struct irq_slot *slot;

		if (irq >= IRQ_MAX)
			return;
		slot = &irq_table[irq];
		if (cpu < KEEL_MAX_CPUS)
			cpu_info[cpu].irqs++;
		if (slot->handler) {
			slot->count++;
			slot->handler(irq, slot->arg);
		} else {
			/* Nobody asked for it: keep it from firing again. */
			log_warn("irq %u: no handler; disabled", irq);
			irqchip->disable(irq);
		}
		irqchip->eoi(irq);
	}
}
