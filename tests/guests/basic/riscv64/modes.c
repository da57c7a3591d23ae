/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The riscv64 halves of the modes that are not checks: sleeping,
 * misbehaving on purpose, and timing null SBI calls.
 */
#include "riscv64.h"
#include "../arch.h"

void arch_halt(void)
{
	csr_write(sie, 0);
	csr_clear(sstatus, SSTATUS_SIE);
	for (;;)
		asm volatile("wfi" ::: "memory");
}

/* With stvec = 0 no handler of the guest's own can step in: its own
 * exception sends it to guest-physical 0, where there is nothing. */
static void vectors_remove(void)
{
	csr_write(stvec, 0);
}

void arch_misbehave_undefined(void)
{
	vectors_remove();
	asm volatile(".4byte 0" ::: "memory");     /* the defined illegal instruction */
	arch_halt();
}

void arch_misbehave_wild_load(uint64_t addr)
{
	vectors_remove();
	/* An atomic: no device takes one, so no hypervisor can emulate it. */
	asm volatile("amoadd.d zero, zero, (%0)" :: "r"(addr) : "memory");
	arch_halt();
}

void arch_misbehave_interrupt_storm(void)
{
	const char *why = arch_irq_init();

	if (why) {
		print_line("FAIL storm: %s", why);
		arch_halt();
	}
	csr_set(sstatus, SSTATUS_SIE);
	for (;;)
		sbi_call(SBI_EXT_IPI, 0, 1UL << arch_cpu_index(), 0, 0, 0);
}

void arch_misbehave_timer_storm(void)
{
	for (uint64_t i = 0;; i++)
		sbi_set_timer(arch_counter_read() + 1000000 + (i & 0xff));
}

void arch_misbehave_psci_loop(void)
{
	for (;;)
		sbi_call(SBI_EXT_BASE, 0, 0, 0, 0, 0);
}

const char *arch_hypercall_round_trips(uint64_t *ticks, unsigned int n)
{
	struct sbiret first = sbi_call(SBI_EXT_BASE, 0, 0, 0, 0, 0);

	if (first.error)
		return "SBI get_spec_version failed";
	for (unsigned int i = 0; i < n; i++) {
		uint64_t start = arch_counter_read();

		sbi_call(SBI_EXT_BASE, 0, 0, 0, 0, 0);
		ticks[i] = arch_counter_read() - start;
	}
	return NULL;
}
