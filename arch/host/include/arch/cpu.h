/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fake host arch used by tests/unit: no interrupts, a counter that tests
 * can set. It implements the same hooks as a real arch so that core/
 * compiles and runs unchanged in a host process.
 *
 * Each host thread is a CPU: the CPU id and the interrupt mask are
 * per-thread (thread-local), so a test runs Keel code on several threads
 * that act as CPUs 0..n-1 (host_set_cpu_id() in each; tests/unit has
 * unit_run_cpus() for this). The counter, the idle hook and the recorded
 * timer deadlines are shared by all threads, like the hardware.
 */
#ifndef ARCH_HOST_CPU_H
#define ARCH_HOST_CPU_H

#include <stdint.h>

/* Logical id of the calling CPU (0..cpu_count-1). */
unsigned int arch_cpu_id(void);
/* Waits for an interrupt (the host fake runs the test's idle hook). */
void arch_cpu_idle(void);
/* A hint inside busy-wait loops. */
void arch_cpu_relax(void);
/* Masks local interrupts and returns the previous state. */
unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long flags);
void arch_irq_enable(void);
void arch_irq_disable(void);
/* Free-running counter and its frequency in Hz. */
uint64_t arch_counter_read(void);
uint64_t arch_counter_freq(void);
/* Programs this CPU's timer interrupt for deadline_ns (0 disarms). */
void arch_timer_set_deadline(uint64_t deadline_ns);
/* A full barrier: memory writes before it are seen by a CPU that takes
 * an IPI this CPU sends after it. */
static inline void arch_ipi_barrier(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Stops every CPU (panic); never returns. The fake aborts the process. */
__attribute__((noreturn)) void arch_halt_all(void);

/* Host fake only: what arch_counter_read() returns next, and the hook that
 * arch_cpu_idle() calls (e.g. to feed console input). */
void host_counter_set(uint64_t value);
void host_set_idle_hook(void (*hook)(void));
/*
 * More of the host fake. The counter runs at 1 GHz unless changed (so
 * counter values are nanoseconds); it advances only when set, by 1 us per
 * arch_cpu_relax() and by 1 ms per arch_cpu_idle(), so busy-waits end.
 */
void host_counter_set_freq(uint64_t hz);
/* The CPU that arch_cpu_id() reports on the calling thread (default 0). Two
 * threads must not act as the same CPU at the same time. */
void host_set_cpu_id(unsigned int cpu);
/* Last deadline given to arch_timer_set_deadline() on a CPU (0: disarmed). */
uint64_t host_timer_deadline(unsigned int cpu);
/* True while the calling thread's interrupts are masked by
 * arch_irq_save/arch_irq_disable. */
int host_irqs_masked(void);
/* A value unique to the calling thread while it lives (never 0): the
 * spinlock's owner. */
uintptr_t host_thread_self(void);
/* Called while a spinlock is contended: lets the holder run. */
void host_spin_wait(void);

#endif
