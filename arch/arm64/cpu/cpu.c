/* SPDX-License-Identifier: GPL-2.0-only */
/* arm64 per-CPU stacks, parking and halting. */
#include <keel/irq.h>
#include <keel/platform.h>
#include <keel/vcpu.h>
#include <keel/types.h>
#include <arch/boot.h>
#include <arch/cpu.h>

/* One stack per CPU; head.S gives CPU n the slot n. */
uint8_t cpu_stacks[KEEL_MAX_CPUS * CONFIG_CPU_STACK_SIZE] __aligned(16);

__noreturn void arch_cpu_park(void)
{
	arch_irq_disable();
	for (;;)
		__asm__ volatile("wfi" ::: "memory");
}

/* Other CPUs may be running guests: the kick IPI makes them leave guest
 * mode, and its handler parks them once Keel is halting. */
__noreturn void arch_halt_all(void)
{
	platform_halt_others();
	arch_cpu_park();
}

void arch_kick_cpu(unsigned int cpu)
{
	irq_send_ipi(cpu, irq_ipi_kick_id());
}

extern char secondary_entry[];

hpa_t arch_secondary_entry(void)
{
	return ptr_to_hpa(secondary_entry);
}
