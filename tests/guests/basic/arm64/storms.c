/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Storms a hostile guest drives besides its devices, for the per-guest
 * budgets (docs/virtualization.md, "Throttling"): reprogramming the EL1
 * physical timer (which Keel emulates) as fast as it can, and calling PSCI
 * in a loop. Each runs until the guest is stopped; a hypervisor must slow
 * it, not serve it at its neighbours' expense. (The SGI storm is
 * arch_misbehave_interrupt_storm(), the reset loop basic.mode=reset.)
 */
#include "arm64.h"
#include "../arch.h"

#define CNT_CTL_ENABLE (1U << 0)
#define CNT_CTL_IMASK (1U << 1)

static void storm_timer_irq(unsigned int intid)
{
	(void)intid;
	write_sysreg(cntp_ctl_el0, CNT_CTL_ENABLE | CNT_CTL_IMASK);
	isb();
	this_cpu()->sgi_count++;
}

void arch_misbehave_timer_storm(void)
{
	const char *why = arch_irq_init();

	if (why) {
		print_line("FAIL timer storm: %s", why);
		arch_halt();
	}
	gic_set_handler(PPI_PHYSICAL_TIMER, storm_timer_irq);
	gic_enable_private(PPI_PHYSICAL_TIMER);
	asm volatile("msr daifclr, #2" ::: "memory");
	/* Due at once or in one tick: every write arms a host event. */
	for (uint32_t i = 0;; i++) {
		write_sysreg(cntp_tval_el0, i & 1);
		write_sysreg(cntp_ctl_el0, CNT_CTL_ENABLE);
		isb();
	}
}

void arch_misbehave_psci_loop(void)
{
	uint64_t self = cpu_mpidr();

	for (;;) {
		(void)psci_call(PSCI_AFFINITY_INFO, self, 0, 0);
		(void)psci_call(PSCI_VERSION, 0, 0, 0);
	}
}
