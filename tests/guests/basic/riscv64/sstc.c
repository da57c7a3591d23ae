/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sstc, as the guest's device tree offers it or not. Offered ("sstc" in
 * the first cpu's riscv,isa), the guest programs its timer by writing
 * stimecmp itself, as Linux does, and every timer check runs that way;
 * not offered, stimecmp must not exist for it: reading it raises an
 * illegal-instruction exception, and the timer is SBI TIME's.
 */
#include "riscv64.h"
#include "../arch.h"

#define CSR_STIMECMP 0x14d

bool timer_uses_sstc;

/* uint64_t probe_stimecmp(void): reads stimecmp; an expected
 * illegal-instruction exception skips the read (trap.c). */
asm(".text\n"
    ".globl probe_stimecmp\n"
    ".globl probe_stimecmp_instruction\n"
    "probe_stimecmp:\n"
    "	li a0, 0\n"
    "probe_stimecmp_instruction:\n"
    "	csrr a0, 0x14d\n"
    "	ret\n");

uint64_t probe_stimecmp(void);

/* Whether word is one of the '_'-separated names in isa. */
static bool isa_names(const char *isa, const char *word)
{
	size_t n = string_length(word);

	for (const char *p = isa; *p; p++) {
		if (*p != '_' || !string_starts_with(p + 1, word))
			continue;
		if (p[1 + n] == '_' || p[1 + n] == '\0')
			return true;
	}
	return false;
}

void sstc_init(void)
{
	timer_uses_sstc = isa_names(board.cpu_isa, "sstc");
}

void sstc_write(uint64_t deadline)
{
	asm volatile("csrw 0x14d, %0" :: "r"(deadline) : "memory");
}

static void check_sstc(struct check_result *r)
{
	struct cpu_state *cpu = this_cpu();
	uint64_t freq = arch_counter_frequency(), deadline, at = 0, value;
	bool fired;

	if (!board.cpu_isa[0]) {
		check_fail(r, "expected a riscv,isa on the first cpu node; the device tree has none");
		return;
	}
	if (!timer_uses_sstc) {
		cpu->abort_taken = false;
		cpu->expect_abort = true;
		value = probe_stimecmp();
		cpu->expect_abort = false;
		if (!cpu->abort_taken || cpu->abort_cause != 2)
			check_fail(r, "riscv,isa \"%s\" has no Sstc: expected reading stimecmp to "
				   "raise illegal instruction (2); got %s %lu",
				   board.cpu_isa, cpu->abort_taken ? "exception" : "value",
				   cpu->abort_taken ? cpu->abort_cause : value);
		else
			check_pass(r, "riscv,isa \"%s\": no Sstc, stimecmp is an illegal instruction",
				   board.cpu_isa);
		return;
	}
	/* A deadline written is read back, and raises the timer interrupt
	 * when time reaches it, with no SBI call. */
	deadline = arch_counter_read() + freq / 100;
	arch_watchdog_start(deadline + freq);
	arch_timer_start(deadline);
	value = probe_stimecmp();
	while (!(fired = arch_timer_fired(&at)) && !arch_watchdog_fired())
		arch_wait_for_interrupt();
	arch_timer_stop();
	arch_watchdog_stop();
	if (value != deadline)
		check_fail(r, "expected stimecmp to read back 0x%lx; it read 0x%lx", deadline, value);
	else if (!fired)
		check_fail(r, "expected the timer interrupt from stimecmp 10 ms on; none came");
	else if (at < deadline)
		check_fail(r, "the stimecmp timer interrupt came %lu ticks early", deadline - at);
	else
		check_pass(r, "riscv,isa \"%s\": stimecmp read back, interrupt %lu us after its "
			   "deadline", board.cpu_isa, (at - deadline) * 1000000 / freq);
}
CHECK_DEFINE(32, sstc, "sstc", check_sstc, false);
