/* SPDX-License-Identifier: GPL-2.0-only */
/* The riscv64 CPU hooks that core/ calls (see arch/host for the fake). */
#ifndef ARCH_RISCV64_CPU_H
#define ARCH_RISCV64_CPU_H

#include <stdint.h>
#include <arch/csr.h>

/*
 * Logical id of the calling CPU (0..cpu_count-1). Keel keeps it in tp,
 * which its own code never uses otherwise (no thread-local storage): the
 * guest world switch saves a guest's tp and puts this back on exit.
 */
static inline unsigned int arch_cpu_id(void)
{
	unsigned long id;

	__asm__ volatile("mv %0, tp" : "=r"(id));
	return (unsigned int)id;
}

/* Waits for an interrupt; returns after one was taken (or spuriously). */
static inline void arch_cpu_idle(void)
{
	__asm__ volatile("fence iorw, iorw\n\twfi" ::: "memory");
}

/* Zihintpause PAUSE (a hint: a no-op on harts without it). */
static inline void arch_cpu_relax(void)
{
	__asm__ volatile(".insn i 0x0f, 0, x0, x0, 0x010" ::: "memory");
}

/* Masks interrupts (sstatus.SIE) and returns the previous sstatus. */
static inline unsigned long arch_irq_save(void)
{
	return csr_read_clear(sstatus, SSTATUS_SIE);
}

/* Back to the state arch_irq_save() found, whatever happened since. */
static inline void arch_irq_restore(unsigned long flags)
{
	if (flags & SSTATUS_SIE)
		csr_set(sstatus, SSTATUS_SIE);
	else
		csr_clear(sstatus, SSTATUS_SIE);
}

static inline void arch_irq_enable(void)
{
	csr_set(sstatus, SSTATUS_SIE);
}

static inline void arch_irq_disable(void)
{
	csr_clear(sstatus, SSTATUS_SIE);
}

/* The time CSR, counting at the DTB's timebase-frequency. */
static inline uint64_t arch_counter_read(void)
{
	uint64_t t;

	__asm__ volatile("rdtime %0" : "=r"(t) : : "memory");
	return t;
}

/* /cpus/timebase-frequency, read by riscv_early_init() before time starts. */
extern uint64_t riscv_timebase_hz;

static inline uint64_t arch_counter_freq(void)
{
	return riscv_timebase_hz;
}

/* Programs this CPU's timer interrupt for deadline_ns (0 disarms). */
void arch_timer_set_deadline(uint64_t deadline_ns);

/* A full barrier: memory writes before it are seen by a CPU that takes
 * an IPI this CPU sends after it. */
static inline void arch_ipi_barrier(void)
{
	__asm__ volatile("fence rw, rw" ::: "memory");
}

/* Stops every CPU (panic); never returns. */
__attribute__((noreturn)) void arch_halt_all(void);

#endif
