/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Arm architected timer as Keel's event timer: each CPU uses its EL2
 * physical timer (CNTHP), the "hypervisor timer" PPI of the timer node,
 * programmed with the earliest deadline of that CPU's timer-event queue.
 */
#include <keel/devtree.h>
#include <keel/driver.h>
#include <keel/errno.h>
#include <keel/irq.h>
#include <keel/log.h>
#include <keel/time.h>
#include <arch/cpu.h>
#include <libfdt.h>

#define CNTHP_CTL_ENABLE (1u << 0)
#define CNTHP_CTL_IMASK (1u << 1)
/* Entry of the timer node's "interrupts": secure, non-secure, virtual, hyp. */
#define TIMER_IRQ_INDEX_HYP 3

static int hyp_timer_irq = -1;

void arch_timer_set_deadline(uint64_t deadline_ns)
{
	uint64_t now_ns, delta_ns, ticks;

	if (!deadline_ns) {
		write_sysreg(cnthp_ctl_el2, CNTHP_CTL_IMASK);
		return;
	}
	now_ns = time_now_ns();
	delta_ns = deadline_ns > now_ns ? deadline_ns - now_ns : 0;
	/* Split to avoid overflow: whole seconds, then the remainder. */
	ticks = (delta_ns / NSEC_PER_SEC) * arch_counter_freq() +
		(delta_ns % NSEC_PER_SEC) * arch_counter_freq() / NSEC_PER_SEC;
	write_sysreg(cnthp_cval_el2, arch_counter_read() + ticks);
	write_sysreg(cnthp_ctl_el2, CNTHP_CTL_ENABLE);
	isb();
}

static void arch_timer_interrupt(unsigned int irq, void *arg)
{
	/* Masked until the event queue programs the next deadline. */
	write_sysreg(cnthp_ctl_el2, CNTHP_CTL_IMASK);
	timer_event_expire();
}

static void arch_timer_cpu_start(void)
{
	write_sysreg(cnthp_ctl_el2, CNTHP_CTL_IMASK);
	if (hyp_timer_irq >= 0)
		irq_request((unsigned int)hyp_timer_irq, arch_timer_interrupt, NULL);
}

static int arch_timer_probe(const void *fdt, int node)
{
	if (!arch_counter_freq()) {
		log_error("timer: CNTFRQ_EL0 is 0; the boot loader must set it");
		return -KEEL_EINVAL;
	}
	write_sysreg(cnthp_ctl_el2, CNTHP_CTL_IMASK);
	return 0;
}

static int arch_timer_start(const void *fdt, int node)
{
	int irq = irq_from_devtree(fdt, node, TIMER_IRQ_INDEX_HYP);

	if (irq < 0) {
		log_error("timer: node %s: no hypervisor timer interrupt (4th entry of \"interrupts\")",
			  fdt_get_name(fdt, node, NULL));
		return irq;
	}
	hyp_timer_irq = irq;
	arch_timer_cpu_start();
	log_info("timer: %llu Hz counter, EL2 timer on IRQ %d",
		 (unsigned long long)arch_counter_freq(), irq);
	return 0;
}

static const char *const arch_timer_compatible[] = {
	"arm,armv8-timer", "arm,armv7-timer", NULL
};

HOST_DRIVER(arch_timer, .name = "arch-timer", .class = DRIVER_CLASS_TIMER,
	    .compatible = arch_timer_compatible, .probe = arch_timer_probe,
	    .start = arch_timer_start, .cpu_start = arch_timer_cpu_start);
