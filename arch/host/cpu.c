/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fake CPU of host unit tests: a settable counter shared by all threads,
 * and a CPU id and interrupt mask per thread (each thread acts as a CPU).
 */
#include <arch/cpu.h>
#include <keel/platform.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t host_counter;
static uint64_t host_freq = 1000000000ULL;
static __thread unsigned int host_cpu;
static __thread int host_irq_masked;
/* Its address names the thread (see host_thread_self()). */
static __thread char host_thread_tag;
static void (*host_idle_hook)(void);
static uint64_t host_deadlines[KEEL_MAX_CPUS];

unsigned int arch_cpu_id(void)
{
	return host_cpu;
}

/* Time passes while waiting, so loops that wait for a deadline finish. */
static void host_counter_advance_ns(uint64_t ns)
{
	uint64_t freq = __atomic_load_n(&host_freq, __ATOMIC_RELAXED);

	__atomic_fetch_add(&host_counter, ns * freq / 1000000000ULL,
			   __ATOMIC_RELAXED);
}

void arch_cpu_idle(void)
{
	void (*hook)(void) = __atomic_load_n(&host_idle_hook, __ATOMIC_ACQUIRE);

	if (hook)
		hook();
	host_counter_advance_ns(1000000);
	sched_yield();
}

/* A busy-wait on one thread waits for another: give it the host CPU. */
void arch_cpu_relax(void)
{
	host_counter_advance_ns(1000);
	sched_yield();
}

void host_spin_wait(void)
{
	sched_yield();
}

uintptr_t host_thread_self(void)
{
	return (uintptr_t)&host_thread_tag;
}

unsigned long arch_irq_save(void)
{
	unsigned long flags = (unsigned long)host_irq_masked;

	host_irq_masked = 1;
	return flags;
}

void arch_irq_restore(unsigned long flags)
{
	host_irq_masked = flags != 0;
}

void arch_irq_enable(void)
{
	host_irq_masked = 0;
}

void arch_irq_disable(void)
{
	host_irq_masked = 1;
}

uint64_t arch_counter_read(void)
{
	return __atomic_load_n(&host_counter, __ATOMIC_RELAXED);
}

uint64_t arch_counter_freq(void)
{
	return __atomic_load_n(&host_freq, __ATOMIC_RELAXED);
}

void arch_timer_set_deadline(uint64_t deadline_ns)
{
	if (host_cpu < KEEL_MAX_CPUS)
		__atomic_store_n(&host_deadlines[host_cpu], deadline_ns,
				 __ATOMIC_RELAXED);
}

void arch_halt_all(void)
{
	fflush(stdout);
	fprintf(stderr, "arch_halt_all: Keel halted (panic); aborting\n");
	abort();
}

void host_counter_set(uint64_t value)
{
	__atomic_store_n(&host_counter, value, __ATOMIC_RELAXED);
}

void host_counter_set_freq(uint64_t hz)
{
	__atomic_store_n(&host_freq, hz, __ATOMIC_RELAXED);
}

void host_set_idle_hook(void (*hook)(void))
{
	__atomic_store_n(&host_idle_hook, hook, __ATOMIC_RELEASE);
}

void host_set_cpu_id(unsigned int cpu)
{
	host_cpu = cpu;
}

uint64_t host_timer_deadline(unsigned int cpu)
{
	return cpu < KEEL_MAX_CPUS ?
		__atomic_load_n(&host_deadlines[cpu], __ATOMIC_RELAXED) : 0;
}

int host_irqs_masked(void)
{
	return host_irq_masked;
}
