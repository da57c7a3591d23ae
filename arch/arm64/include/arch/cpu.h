/* SPDX-License-Identifier: GPL-2.0-only */
/* The arm64 CPU hooks that core/ calls (see arch/host for the fake). */
#ifndef ARCH_ARM64_CPU_H
#define ARCH_ARM64_CPU_H

#include <stdint.h>
#include <arch/sysreg.h>

/* Logical id of the calling CPU (0..cpu_count-1), kept in TPIDR_EL2. */
static inline unsigned int arch_cpu_id(void)
{
	return (unsigned int)read_sysreg(tpidr_el2);
}

/* Waits for an interrupt; returns after one was taken (or spuriously). */
static inline void arch_cpu_idle(void)
{
	dsb(sy);
	__asm__ volatile("wfi" ::: "memory");
}

static inline void arch_cpu_relax(void)
{
	__asm__ volatile("yield" ::: "memory");
}

/* Masks IRQs and returns the previous DAIF. */
static inline unsigned long arch_irq_save(void)
{
	unsigned long flags = read_sysreg(daif);

	__asm__ volatile("msr daifset, #2" ::: "memory");
	return flags;
}

static inline void arch_irq_restore(unsigned long flags)
{
	write_sysreg(daif, flags);
}

static inline void arch_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

static inline void arch_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

/* The architected system counter. */
static inline uint64_t arch_counter_read(void)
{
	isb();
	return read_sysreg(cntpct_el0);
}

static inline uint64_t arch_counter_freq(void)
{
	return read_sysreg(cntfrq_el0);
}

/* Programs this CPU's timer interrupt for deadline_ns (0 disarms). */
void arch_timer_set_deadline(uint64_t deadline_ns);

/* A full barrier: memory writes before it are seen by a CPU that takes
 * an IPI this CPU sends after it. */
static inline void arch_ipi_barrier(void)
{
	dsb(sy);
}

/* Stops every CPU (panic); never returns. */
__attribute__((noreturn)) void arch_halt_all(void);

#endif
