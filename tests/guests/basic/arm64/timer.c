/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The generic timer: the virtual timer (PPI 27) is the check timer, the EL1
 * physical timer (PPI 30) the watchdog. Their handlers mask the timer
 * (CNT*_CTL.IMASK) so the level-triggered line drops before the EOI.
 */
#include "arm64.h"
#include "../arch.h"

#define CNT_CTL_ENABLE (1U << 0)
#define CNT_CTL_IMASK (1U << 1)

uint64_t arch_counter_read(void)
{
	uint64_t now;

	isb();
	now = read_sysreg(cntvct_el0);
	isb();
	return now;
}

uint64_t arch_counter_frequency(void)
{
	return read_sysreg(cntfrq_el0) & 0xffffffff;
}

static void timer_virtual_irq(unsigned int intid)
{
	struct cpu_state *cpu = this_cpu();

	(void)intid;
	cpu->timer_fired_at = arch_counter_read();
	write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE | CNT_CTL_IMASK);
	isb();
	cpu->timer_fired = true;
}

static void timer_watchdog_irq(unsigned int intid)
{
	(void)intid;
	write_sysreg(cntp_ctl_el0, CNT_CTL_ENABLE | CNT_CTL_IMASK);
	isb();
	this_cpu()->watchdog_fired = true;
}

void arch_timer_start(uint64_t deadline)
{
	this_cpu()->timer_fired = false;
	gic_set_handler(PPI_VIRTUAL_TIMER, timer_virtual_irq);
	gic_enable_private(PPI_VIRTUAL_TIMER);
	write_sysreg(cntv_cval_el0, deadline);
	write_sysreg(cntv_ctl_el0, CNT_CTL_ENABLE);
	isb();
}

void arch_timer_stop(void)
{
	write_sysreg(cntv_ctl_el0, 0);
	isb();
}

bool arch_timer_fired(uint64_t *at)
{
	struct cpu_state *cpu = this_cpu();

	if (!cpu->timer_fired)
		return false;
	*at = cpu->timer_fired_at;
	return true;
}

void arch_watchdog_start(uint64_t deadline)
{
	uint64_t now = arch_counter_read();

	this_cpu()->watchdog_fired = false;
	gic_set_handler(PPI_PHYSICAL_TIMER, timer_watchdog_irq);
	gic_enable_private(PPI_PHYSICAL_TIMER);
	/*
	 * The physical counter may be offset from the virtual one (a
	 * hypervisor's CNTVOFF): program the time left, not the deadline.
	 */
	write_sysreg(cntp_tval_el0, deadline > now ? (uint32_t)(deadline - now) : 0);
	write_sysreg(cntp_ctl_el0, CNT_CTL_ENABLE);
	isb();
}

void arch_watchdog_stop(void)
{
	write_sysreg(cntp_ctl_el0, 0);
	isb();
}

bool arch_watchdog_fired(void)
{
	return this_cpu()->watchdog_fired;
}
