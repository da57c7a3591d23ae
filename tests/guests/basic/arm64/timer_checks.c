/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A timer's interrupt is a level (Arm ARM, "Operation of the timer"): its
 * line is high while ENABLE = 1, IMASK = 0 and the counter has reached
 * CVAL. Switching the timer off or masking it takes the interrupt's
 * pending state away, and CTL reads back the ENABLE and IMASK this guest
 * wrote, nothing a hypervisor set for it. Both the virtual timer (the
 * guest's own hardware) and the EL1 physical timer (which Keel emulates).
 *
 * Runs with the CPU's IRQs masked (PSTATE.I), so the pending state can be
 * looked at in GICR_ISPENDR0 rather than taken.
 */
#include "arm64.h"
#include "../arch.h"

#define CNT_CTL_ENABLE (1U << 0)
#define CNT_CTL_IMASK (1U << 1)
#define CNT_CTL_ISTATUS (1U << 2)

#define GICR_SGI_FRAME 0x10000
#define GICR_ISPENDR0 0x0200
#define GICR_ICPENDR0 0x0280

static unsigned int level_irqs_taken;

static void level_irq(unsigned int intid)
{
	(void)intid;
	level_irqs_taken++;
	/* Masked so the line falls before the EOI. */
	if (intid == PPI_VIRTUAL_TIMER)
		write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE | CNT_CTL_IMASK);
	else
		write_sysreg(cntp_ctl_el0, CNT_CTL_ENABLE | CNT_CTL_IMASK);
	isb();
}

static bool ppi_pending(unsigned int intid)
{
	uintptr_t rd = this_cpu()->redistributor;

	dsb_sy();
	return (mmio_read32(rd + GICR_SGI_FRAME + GICR_ISPENDR0) >> intid) & 1;
}

/* A few exits: a hypervisor looks at the timers at least once. */
static void let_the_hypervisor_look(void)
{
	for (unsigned int i = 0; i < 4; i++)
		(void)psci_call(PSCI_VERSION, 0, 0, 0);
}

static uint64_t read_ctl(unsigned int intid)
{
	isb();
	return intid == PPI_VIRTUAL_TIMER ? read_sysreg(cntv_ctl_el0) :
					    read_sysreg(cntp_ctl_el0);
}

static void write_ctl(unsigned int intid, uint64_t value)
{
	if (intid == PPI_VIRTUAL_TIMER)
		write_sysreg(cntv_ctl_el0, value);
	else
		write_sysreg(cntp_ctl_el0, value);
	isb();
}

/* Fires timer intid (its condition met at once), IRQs masked. */
static void fire_now(unsigned int intid)
{
	if (intid == PPI_VIRTUAL_TIMER)
		write_sysreg(cntv_cval_el0, read_sysreg(cntvct_el0) - 1);
	else
		write_sysreg(cntp_tval_el0, 0);
	write_ctl(intid, CNT_CTL_ENABLE);
	let_the_hypervisor_look();
}

/* One timer: NULL when it behaves as a level, else what did not. */
static const char *timer_level_check(unsigned int intid, uint64_t off_value)
{
	uintptr_t rd = this_cpu()->redistributor;
	uint64_t ctl;

	mmio_write32(rd + GICR_SGI_FRAME + GICR_ICPENDR0, 1U << intid);
	fire_now(intid);
	ctl = read_ctl(intid);
	if (ctl != (CNT_CTL_ENABLE | CNT_CTL_ISTATUS))
		return off_value ? "CTL read back other bits than written (ENABLE | ISTATUS expected) after the timer fired" :
				   "CTL read back other bits than written after the timer fired (ENABLE | ISTATUS expected; IMASK set by the hypervisor?)";
	if (!ppi_pending(intid))
		return "the timer fired (ISTATUS = 1, IMASK = 0) but its PPI is not pending";
	write_ctl(intid, off_value);
	let_the_hypervisor_look();
	if (ppi_pending(intid))
		return off_value ? "IMASK = 1 left the timer's PPI pending (a level must drop)" :
				   "ENABLE = 0 left the timer's PPI pending (a level must drop)";
	if ((read_ctl(intid) & ~(uint64_t)CNT_CTL_ISTATUS) != off_value)
		return "CTL read back other bits than written after switching off or masking";
	return NULL;
}

static void check_timer_level(struct check_result *r)
{
	static const unsigned int timers[] = { PPI_VIRTUAL_TIMER, PPI_PHYSICAL_TIMER };
	static const uint64_t offs[] = { 0, CNT_CTL_ENABLE | CNT_CTL_IMASK };
	const char *why = NULL;
	unsigned int taken;

	why = arch_irq_init();
	if (why) {
		check_skip(r, "no interrupt controller: %s", why);
		return;
	}
	level_irqs_taken = 0;
	for (unsigned int t = 0; t < 2; t++) {
		gic_set_handler(timers[t], level_irq);
		gic_enable_private(timers[t]);
	}
	__asm__ volatile("msr daifset, #2" ::: "memory");
	for (unsigned int t = 0; t < 2 && !why; t++)
		for (unsigned int o = 0; o < 2 && !why; o++) {
			why = timer_level_check(timers[t], offs[o]);
			if (why)
				check_fail(r, "%s timer, %s: %s",
					   t ? "physical" : "virtual",
					   o ? "masked" : "switched off", why);
		}
	for (unsigned int t = 0; t < 2; t++)
		write_ctl(timers[t], 0);
	/* Unmasked now: nothing may be delivered, the lines are low. */
	__asm__ volatile("msr daifclr, #2" ::: "memory");
	isb();
	let_the_hypervisor_look();
	taken = level_irqs_taken;
	if (!why && taken)
		check_fail(r, "%u timer interrupt(s) delivered after the timers were switched off",
			   taken);
	else if (!why)
		check_pass(r, "virtual and physical timer: IMASK and ENABLE = 0 drop the pending state, CTL reads back what was written");
}

CHECK_DEFINE(46, timer_level, "timer-level", check_timer_level, false);
