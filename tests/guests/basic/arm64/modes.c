/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The arm64 halves of the modes that are not checks: sleeping, misbehaving
 * on purpose, and timing null hypercalls.
 */
#include "arm64.h"
#include "../arch.h"

void arch_halt(void)
{
	asm volatile("msr daifset, #0xf" ::: "memory");
	for (;;)
		asm volatile("wfi" ::: "memory");
}

/* With VBAR_EL1 = 0 no handler of the guest's own can step in. */
static void vectors_remove(void)
{
	write_sysreg(vbar_el1, 0);
	isb();
}

void arch_misbehave_undefined(void)
{
	vectors_remove();
	asm volatile("udf #0" ::: "memory");
	arch_halt();
}

void arch_misbehave_wild_load(uint64_t addr)
{
	vectors_remove();
	/* A load pair: no instruction syndrome a hypervisor could emulate. */
	asm volatile("ldp x0, x1, [%0]" :: "r"(addr) : "x0", "x1", "memory");
	arch_halt();
}

static void storm_sgi_irq(unsigned int intid)
{
	(void)intid;
	this_cpu()->sgi_count++;
}

void arch_misbehave_interrupt_storm(void)
{
	const char *why = arch_irq_init();
	uint64_t self = cpu_mpidr();

	if (why) {
		print_line("FAIL storm: %s", why);
		arch_halt();
	}
	gic_set_handler(SGI_STORM, storm_sgi_irq);
	gic_enable_private(SGI_STORM);
	asm volatile("msr daifclr, #2" ::: "memory");
	for (;;)
		gic_send_sgi(SGI_STORM, self);
}

const char *arch_hypercall_round_trips(uint64_t *ticks, unsigned int n)
{
	struct smccc_result first = smccc_call(SMCCC_VERSION, 0, 0, 0);

	if (first.refused)
		return "SMCCC_VERSION over HVC raised an undefined-instruction exception";
	for (unsigned int i = 0; i < n; i++) {
		uint64_t start = arch_counter_read();

		smccc_hvc(SMCCC_VERSION, 0, 0, 0);
		ticks[i] = arch_counter_read() - start;
	}
	return NULL;
}
