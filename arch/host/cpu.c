/* SPDX-License-Identifier: GPL-2.0-only */
/* The fake CPU of host unit tests: a settable counter, recorded IRQ state. */
#include <arch/cpu.h>
#include <keel/platform.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t host_counter;
static uint64_t host_freq = 1000000000ULL;
static unsigned int host_cpu;
static int host_irq_masked;
static void (*host_idle_hook)(void);
static uint64_t host_deadlines[KEEL_MAX_CPUS];

unsigned int arch_cpu_id(void)
{
	return host_cpu;
}

/* Time passes while waiting, so loops that wait for a deadline finish. */
static void host_counter_advance_ns(uint64_t ns)
{
	host_counter += ns * host_freq / 1000000000ULL;
}

void arch_cpu_idle(void)
{
	if (host_idle_hook)
		host_idle_hook();
	host_counter_advance_ns(1000000);
}

void arch_cpu_relax(void)
{
	host_counter_advance_ns(1000);
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
	return host_counter;
}

uint64_t arch_counter_freq(void)
{
	return host_freq;
}

void arch_timer_set_deadline(uint64_t deadline_ns)
{
	if (host_cpu < KEEL_MAX_CPUS)
		host_deadlines[host_cpu] = deadline_ns;
}

void arch_halt_all(void)
{
	fflush(stdout);
	fprintf(stderr, "arch_halt_all: Keel halted (panic); aborting\n");
	abort();
}

void host_counter_set(uint64_t value)
{
	host_counter = value;
}

void host_counter_set_freq(uint64_t hz)
{
	host_freq = hz;
}

void host_set_idle_hook(void (*hook)(void))
{
	host_idle_hook = hook;
}

void host_set_cpu_id(unsigned int cpu)
{
	host_cpu = cpu;
}

uint64_t host_timer_deadline(unsigned int cpu)
{
	return cpu < KEEL_MAX_CPUS ? host_deadlines[cpu] : 0;
}

int host_irqs_masked(void)
{
	return host_irq_masked;
}
